//! Never lose a user's file, never let a file drive the terminal (issue 17):
//! outputs that name an input are refused before anything is read or
//! written; writes are atomic (a failure leaves the old file); names with
//! control and bidirectional characters come out escaped; a diagnostic of a
//! huge or binary file prints a few hundred bytes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `holisec` in `dir` with a pinned width, no colour and no default database.
fn holisec(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("HOLISEC_DB")
        .output()
        .expect("holisec runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstderr:\n{}",
        out.status,
        stderr(out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `dir` (recursively) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            let meta = fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                files.insert(path.clone(), fs::read(&path).expect("read"));
            } else {
                files.insert(path.clone(), Vec::new());
            }
        }
    }
    files
}

/// The first `n` incidents of the shipped VCDB extract.
fn veris(n: usize) -> String {
    let text = fs::read_to_string(repo().join("data/vcdb/vcdb-healthcare.jsonl")).expect("VCDB");
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

/// A directory with a model, a STIX bundle, VERIS evidence, a scenario, a
/// database and links to the model.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(&holisec(d, &["init", "m.toml"]));
    ok(&holisec(d, &["export", "stix", "m.toml", "-o", "b.json"]));
    fs::write(d.join("v.jsonl"), veris(200)).expect("VERIS");
    fs::copy(
        repo().join("scenarios/supplier-compromise.toml"),
        d.join("s.toml"),
    )
    .expect("scenario");
    ok(&holisec(
        d,
        &["assess", "--db", "x.db", "new", "--org", "St Mary"],
    ));
    fs::create_dir(d.join("x")).expect("x");
    std::os::unix::fs::symlink("m.toml", d.join("link.toml")).expect("symlink");
    fs::hard_link(d.join("m.toml"), d.join("hard.toml")).expect("hard link");
    fs::write(d.join("junk.toml"), "this is = = not a model\n").expect("junk");
    dir
}

#[test]
fn an_output_that_names_an_input_is_refused_and_the_input_kept() {
    let dir = workspace();
    let d = dir.path();
    let model = "that is the model this command reads; choose another file";
    let cases: &[(&[&str], &str)] = &[
        (&["render", "m.toml", "-o", "m.toml"], "-o m.toml: "),
        (
            &["render", "m.toml", "-o", "./x/../m.toml"],
            "-o ./x/../m.toml: ",
        ),
        (&["render", "m.toml", "-o", "link.toml"], "-o link.toml: "),
        (&["render", "m.toml", "-o", "hard.toml"], "-o hard.toml: "),
        (
            &["render", "link.toml", "-o", "hard.toml"],
            "-o hard.toml: ",
        ),
        (
            &["render", "--format", "dot", "m.toml", "-o", "m.toml"],
            "-o m.toml: ",
        ),
        (
            &[
                "render", "--format", "mermaid", "m.toml", "--output", "m.toml",
            ],
            "-o m.toml: ",
        ),
        (&["export", "stix", "m.toml", "-o", "m.toml"], "-o m.toml: "),
        (
            &["risk", "m.toml", "--lec-svg", "m.toml"],
            "--lec-svg m.toml: ",
        ),
        (
            &["risk", "m.toml", "--lec-csv", "m.toml"],
            "--lec-csv m.toml: ",
        ),
        (
            &["evidence", "calibrate", "m.toml", "v.jsonl", "-o", "m.toml"],
            "-o m.toml: ",
        ),
        // Refused before the model is read: no diagnostics of the junk.
        (
            &["render", "junk.toml", "-o", "junk.toml"],
            "-o junk.toml: ",
        ),
    ];
    let before = snapshot(d);
    for (args, start) in cases {
        let out = holisec(d, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err,
            format!("error: {start}{model}\n"),
            "{args:?}: the one message, nothing else"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(snapshot(d) == before, "{args:?} changed a file");
    }
    let others: &[(&[&str], &str)] = &[
        (
            &["import", "stix", "b.json", "-o", "b.json"],
            "error: -o b.json: that is the STIX bundle this command reads; choose another file\n",
        ),
        (
            &["evidence", "calibrate", "v.jsonl", "-o", "v.jsonl"],
            "error: -o v.jsonl: that is the VERIS evidence this command reads; choose another file\n",
        ),
        (
            &["simulate", "--scenario", "s.toml", "--svg", "s.toml"],
            "error: --svg s.toml: that is the scenario this command reads; choose another file\n",
        ),
        (
            &["db", "export", "--db", "x.db", "-o", "x.db"],
            "error: -o x.db: that is the database this command reads; choose another file\n",
        ),
        (
            &["db", "export", "--db", "x.db", "-o", "x.db-wal"],
            "error: -o x.db-wal: that is the database this command reads; choose another file\n",
        ),
        (
            &[
                "assess",
                "--model",
                "m.toml",
                "template",
                "-o",
                "link.toml",
                "--force",
            ],
            "error: -o link.toml: that is the model this command reads; choose another file\n",
        ),
        (
            &["risk", "m.toml", "--lec-svg", "lec", "--lec-csv", "./lec"],
            "error: --lec-csv ./lec: --lec-svg writes that file too; choose another file\n",
        ),
    ];
    for (args, message) in others {
        let out = holisec(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), *message, "{args:?}");
        assert!(snapshot(d) == before, "{args:?} changed a file");
    }
    // An output beside the inputs is written as usual.
    let out = holisec(d, &["render", "m.toml", "-o", "x/../m.svg"]);
    assert!(
        stderr(&out).starts_with("wrote x/../m.svg (SVG figure, "),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(d).len(), before.len() + 1);
}

#[test]
fn a_csv_directory_holding_the_scenario_is_refused() {
    let dir = workspace();
    let d = dir.path();
    fs::create_dir(d.join("out")).expect("out");
    fs::copy(d.join("s.toml"), d.join("out/series.csv")).expect("scenario as series.csv");
    let before = snapshot(d);
    let out = holisec(
        d,
        &["simulate", "--scenario", "out/series.csv", "--csv", "out"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: --csv out/series.csv: that is the scenario this command reads; choose another file\n"
    );
    assert!(snapshot(d) == before);
}

/// Runs `holisec` with a file size limit of `blocks` (SIGXFSZ ignored, so a
/// write past the limit fails with EFBIG as on a full disk).
fn holisec_with_file_limit(dir: &Path, blocks: u32, args: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" {args}"
        ))
        .arg(env!("CARGO_BIN_EXE_holisec"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs")
}

#[test]
fn a_write_that_fails_midway_leaves_the_old_file_and_no_temporary() {
    let dir = workspace();
    let d = dir.path();
    for (args, target) in [
        ("render m.toml -o out.svg", "out.svg"),
        ("export stix m.toml -o out.json", "out.json"),
        ("init --force out.toml", "out.toml"),
        ("schema -o out.json", "out.json"),
        ("import stix b.json -o out.toml", "out.toml"),
    ] {
        fs::write(d.join(target), "the user's old file\n").expect("old file");
        let before = snapshot(d);
        // 4 blocks of 512 bytes: every output above is larger.
        let out = holisec_with_file_limit(d, 4, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args}: {err}");
        assert!(
            err.contains(&format!("error: cannot write `{target}`")),
            "{args}: {err}"
        );
        assert!(!err.contains("wrote "), "{args}: {err}");
        assert!(
            snapshot(d) == before,
            "{args}: a file changed or a temporary remained"
        );
        // Without the limit the same command replaces the file.
        let out = holisec(d, &args.split(' ').collect::<Vec<_>>());
        assert!(
            stderr(&out).starts_with(&format!("wrote {target} (")),
            "{args}: {}",
            stderr(&out)
        );
        assert_ne!(
            fs::read(d.join(target)).expect("new"),
            b"the user's old file\n"
        );
        let names: Vec<String> = fs::read_dir(d)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.iter().any(|n| n.contains(".tmp-")),
            "{args}: {names:?}"
        );
    }
}

#[test]
fn a_read_only_directory_leaves_the_old_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workspace();
    let d = dir.path();
    let ro = d.join("ro");
    fs::create_dir(&ro).expect("ro");
    fs::write(ro.join("out.svg"), "old").expect("old");
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).expect("chmod");
    if fs::write(ro.join("probe"), "").is_ok() {
        // Root ignores permissions: the file size limit test covers the failure path.
        eprintln!("skipping: running as root");
    } else {
        let out = holisec(d, &["render", "m.toml", "-o", "ro/out.svg"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("temporary file"), "{}", stderr(&out));
        assert_eq!(fs::read(ro.join("out.svg")).expect("old"), b"old");
        assert_eq!(fs::read_dir(&ro).expect("ro").count(), 1);
    }
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).expect("chmod back");
}

const HOSTILE: &str = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}gro\u{9b}";

/// No raw ESC, BEL, C1 CSI or right-to-left override in `bytes`.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(
        !text.contains(['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}']),
        "{what}: raw control characters in {text:?}"
    );
}

/// The built-in model with the ecosystem and the healthcare organisations
/// renamed to [`HOSTILE`] (written with TOML escapes).
fn hostile_model() -> String {
    let toml_name = "Evil\\u001b]0;pwned\\u0007\\u001b[2J\\u202egro\\u009b";
    let text = fs::read_to_string(repo().join("models/europe.toml")).expect("model");
    let text = text.replacen(
        "name = \"Healthcare cybersecurity ecosystem (Europe)\"",
        &format!("name = \"{toml_name} ecosystem\""),
        1,
    );
    let renamed = text.replacen(
        "name = \"Healthcare organisations\"",
        &format!("name = \"{toml_name}\""),
        1,
    );
    assert_ne!(renamed, text, "the stakeholder is renamed");
    renamed
}

#[test]
fn names_with_control_characters_are_escaped_on_the_terminal() {
    let dir = workspace();
    let d = dir.path();
    fs::write(d.join("evil.toml"), hostile_model()).expect("model");
    let escaped = "Evil\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{202e}gro\\u{9b}";
    for args in [
        &["show", "evil.toml"][..],
        &["risk", "evil.toml", "-n", "2000"],
        &["analyze", "evil.toml"],
        &["validate", "evil.toml"],
    ] {
        let out = holisec(d, args);
        let stdout = ok(&out);
        assert_inert(&format!("{args:?} stdout"), &out.stdout);
        assert_inert(&format!("{args:?} stderr"), &out.stderr);
        if args[0] == "show" || args[0] == "risk" {
            assert!(stdout.contains(escaped), "{args:?}:\n{stdout}");
        }
    }
    // An error quoting the user's text.
    let out = holisec(d, &["risk", "evil.toml", "--stakeholder", HOSTILE]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_inert("risk --stakeholder", &out.stderr);
    // JSON stays exact: serde escapes the control characters itself.
    let out = holisec(d, &["show", "evil.toml", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(json.to_string().contains("\\u001b]0;pwned"), "{json}");

    // The database: an organisation and evidence with control characters
    // (the CLI refuses such names now; an older or edited database holds them).
    ok(&holisec(
        d,
        &["assess", "--db", "x.db", "new", "--org", "Evil org"],
    ));
    let item = fs::read_to_string(repo().join("questionnaires/hospital.toml"))
        .expect("questionnaire")
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .map(|l| l.trim_end_matches('"').to_owned())
        .find(|id| id != "hospital")
        .expect("an item");
    fs::write(
        d.join("answers.toml"),
        format!("[[answer]]\nitem = \"{item}\"\nlevel = 2\nevidence = \"policy v2\"\n"),
    )
    .expect("answers");
    ok(&holisec(
        d,
        &[
            "assess",
            "--db",
            "x.db",
            "answer",
            "2",
            "--file",
            "answers.toml",
        ],
    ));
    {
        let db = rusqlite::Connection::open(d.join("x.db")).expect("database");
        db.execute(
            "UPDATE organisations SET name = ?1 WHERE name = 'Evil org'",
            [HOSTILE],
        )
        .expect("rename");
        db.execute(
            "UPDATE answers SET evidence = ?1",
            ["policy\u{1b}[31m v2\u{7}\u{202e}"],
        )
        .expect("evidence");
    }
    for args in [
        &["assess", "--db", "x.db", "list"][..],
        &["assess", "--db", "x.db", "show", "2"],
        &["assess", "--db", "x.db", "score", "2"],
        &["assess", "--db", "x.db", "history", "--org", HOSTILE],
    ] {
        let out = holisec(d, args);
        let stdout = ok(&out);
        assert_inert(&format!("{args:?} stdout"), &out.stdout);
        assert_inert(&format!("{args:?} stderr"), &out.stderr);
        assert!(
            stdout.contains("Evil\\u{1b}]0;pwned"),
            "{args:?}:\n{stdout}"
        );
    }
    let show = ok(&holisec(
        d,
        &["assess", "--db", "x.db", "show", "2", "--wide"],
    ));
    assert!(
        show.contains("policy\\u{1b}[31m v2\\u{7}\\u{202e}"),
        "{show}"
    );
}

#[test]
fn figures_of_hostile_names_carry_no_bidirectional_override() {
    let dir = workspace();
    let d = dir.path();
    fs::write(d.join("evil.toml"), hostile_model()).expect("model");
    for format in ["svg", "dot", "mermaid"] {
        let out = holisec(d, &["render", "evil.toml", "--format", format]);
        let text = ok(&out);
        assert!(!text.contains('\u{202e}'), "{format}: raw U+202E");
        assert!(
            !text.contains(['\u{1b}', '\u{7}']),
            "{format}: raw controls"
        );
        assert!(text.contains("gro"), "{format}: the name is drawn");
    }
}

#[test]
fn file_names_with_a_newline_do_not_break_the_written_model() {
    let dir = workspace();
    let d = dir.path();
    fs::copy(d.join("b.json"), d.join("bundle\nname = 1.json")).expect("bundle");
    fs::copy(d.join("m.toml"), d.join("model\n[x].toml")).expect("model");
    fs::copy(d.join("v.jsonl"), d.join("evidence\n[y].jsonl")).expect("evidence");
    let out = holisec(
        d,
        &[
            "import",
            "stix",
            "bundle\nname = 1.json",
            "-o",
            "imported.toml",
        ],
    );
    ok(&out);
    assert_inert("import stderr", &out.stderr);
    assert!(
        stderr(&out).contains("wrote imported.toml"),
        "{}",
        stderr(&out)
    );
    let out = holisec(
        d,
        &[
            "evidence",
            "calibrate",
            "model\n[x].toml",
            "evidence\n[y].jsonl",
            "-o",
            "calibrated.toml",
        ],
    );
    ok(&out);
    for written in ["imported.toml", "calibrated.toml"] {
        let text = fs::read_to_string(d.join(written)).expect("written");
        let header: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
        assert!(
            header.iter().all(|l| l.starts_with('#')),
            "{written}: {header:?}"
        );
        assert!(
            header.iter().any(|l| l.contains("\\u{a}")),
            "{written}: {header:?}"
        );
        ok(&holisec(d, &["validate", written]));
    }
}

#[test]
fn diagnostics_of_huge_or_binary_files_stay_short() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::write(d.join("zeros.toml"), vec![0u8; 1 << 20]).expect("zeros");
    fs::write(
        d.join("deep.toml"),
        format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .expect("deep");
    fs::write(d.join("long.toml"), format!("{}\n", "x".repeat(3_000_000))).expect("long");
    let cases: &[&[&str]] = &[
        &["assess", "--questionnaire", "/dev/zero", "list"],
        &["assess", "--questionnaire", "zeros.toml", "list"],
        &["assess", "--questionnaire", "long.toml", "list"],
        &["validate", "zeros.toml"],
        &["validate", "deep.toml"],
        &["validate", "long.toml"],
        &["show", "deep.toml"],
        &["simulate", "--scenario", "deep.toml"],
    ];
    for args in cases {
        let out = holisec(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            out.stderr.len() < 10 * 1024,
            "{args:?}: {} bytes on stderr",
            out.stderr.len()
        );
        assert_inert(&format!("{args:?}"), &out.stderr);
        assert!(!out.stderr.contains(&0u8), "{args:?}: a raw NUL");
    }
    let out = holisec(d, &["validate", "deep.toml"]);
    let err = stderr(&out);
    assert!(err.contains("[deep.toml:1:"), "line and column kept: {err}");
    assert!(err.contains('…'), "the line is cut: {err}");
}
