//! `holisec assess` and `holisec db` end to end: a hospital created, answered from
//! files and interactively, scored, planned; bad input; a writer killed mid-way;
//! readers while a writer writes; the file checked with SQLite itself (rusqlite, the
//! library holisec-store links, opened directly rather than through holisec), so no
//! outside tool is needed.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn holisec(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env("HOLISEC_QUIET", "1")
        .env_remove("HOLISEC_DB")
        .output()
        .expect("run holisec")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Item ids of the built-in questionnaire, in order.
fn item_ids() -> Vec<String> {
    let text = include_str!("../../../questionnaires/hospital.toml");
    text.lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .map(|l| l.trim_end_matches('"').to_owned())
        .filter(|id| id != "hospital")
        .collect()
}

fn new_assessment(db: &Path, org: &str) -> i64 {
    let out = ok(&holisec(db, &["assess", "new", "--org", org]));
    out.split_whitespace()
        .nth(2)
        .unwrap()
        .parse()
        .expect("id in output")
}

fn answers_json(db: &Path, id: i64) -> serde_json::Value {
    let out = ok(&holisec(db, &["assess", "show", &id.to_string(), "--json"]));
    serde_json::from_str::<serde_json::Value>(&out).unwrap()["answers"].clone()
}

#[test]
fn hospital_walk_through_file_score_plan_history_export_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let id = new_assessment(&db, "St Mary Hospital");
    let ids = item_ids();
    assert!(ids.len() >= 60);
    let mut csv = String::from("item,level,evidence\n");
    for (k, item) in ids.iter().enumerate() {
        csv.push_str(&format!("{item},{},\"note, {k}\"\n", k % 5));
    }
    let file = dir.path().join("answers.csv");
    std::fs::write(&file, &csv).unwrap();
    let out = ok(&holisec(
        &db,
        &[
            "assess",
            "answer",
            &id.to_string(),
            "--file",
            file.to_str().unwrap(),
        ],
    ));
    assert!(
        out.contains(&format!("stored {} answers", ids.len())),
        "{out}"
    );
    let answers = answers_json(&db, id);
    assert_eq!(answers.as_array().unwrap().len(), ids.len());
    assert!(
        answers[0]["evidence"]
            .as_str()
            .unwrap()
            .starts_with("note, ")
    );

    let score: serde_json::Value = serde_json::from_str(&ok(&holisec(
        &db,
        &["assess", "score", &id.to_string(), "--json"],
    )))
    .unwrap();
    let overall = score["overall"]["score"].as_f64().unwrap();
    assert!(overall > 0.0 && overall < 4.0);
    let text = ok(&holisec(&db, &["assess", "score", &id.to_string()]));
    assert!(
        text.contains("governance") && text.contains("overall"),
        "{text}"
    );

    let plan_args = [
        "assess",
        "plan",
        &id.to_string(),
        "--iterations",
        "2000",
        "--budget",
        "30000",
        "--json",
    ];
    let plan: serde_json::Value = serde_json::from_str(&ok(&holisec(&db, &plan_args))).unwrap();
    assert_eq!(plan["reused"], false);
    assert!(plan["baseline"]["ale"].as_f64().unwrap() > 0.0);
    assert!(plan["selected_cost"].as_f64().unwrap() <= 30000.0);
    // Same inputs: the stored run (same input hash) is reused.
    let again: serde_json::Value = serde_json::from_str(&ok(&holisec(&db, &plan_args))).unwrap();
    assert_eq!(again["reused"], true);
    assert_eq!(again["input_hash"], plan["input_hash"]);

    // A second assessment, all at level 4: the history shows a falling loss.
    let id2 = new_assessment(&db, "St Mary Hospital");
    let mut toml = String::new();
    for item in &ids {
        toml.push_str(&format!("[[answer]]\nitem = \"{item}\"\nlevel = 4\n"));
    }
    let tfile = dir.path().join("answers.toml");
    std::fs::write(&tfile, toml).unwrap();
    ok(&holisec(
        &db,
        &[
            "assess",
            "answer",
            &id2.to_string(),
            "--file",
            tfile.to_str().unwrap(),
        ],
    ));
    let hist: serde_json::Value = serde_json::from_str(&ok(&holisec(
        &db,
        &["assess", "history", "--org", "St Mary Hospital", "--json"],
    )))
    .unwrap();
    let rows = hist.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["version"], 2);
    assert!(rows[1]["expected_ale"].as_f64().unwrap() < rows[0]["expected_ale"].as_f64().unwrap());
    let list = ok(&holisec(&db, &["assess", "list"]));
    assert!(list.contains("St Mary Hospital"), "{list}");

    // Backup and restore.
    let dump = dir.path().join("dump.json");
    ok(&holisec(
        &db,
        &["db", "export", "-o", dump.to_str().unwrap()],
    ));
    let db2 = dir.path().join("restored.db");
    ok(&holisec(&db2, &["db", "import", dump.to_str().unwrap()]));
    assert_eq!(answers_json(&db2, id), answers_json(&db, id));
    // Importing into a database that already holds data is refused, nothing changes.
    let err = fails(&holisec(&db2, &["db", "import", dump.to_str().unwrap()]), 2);
    assert!(err.contains("already holds organisations"), "{err}");
    assert_eq!(answers_json(&db2, id), answers_json(&db, id));

    check_with_sqlite3(&db, id, ids.len());
}

/// Opens the database file with SQLite directly, not through holisec.
fn sqlite(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db)
        .unwrap_or_else(|e| panic!("SQLite cannot open {}: {e}", db.display()))
}

/// The first column of the first row of `sql`, as text.
fn sqlite_text(conn: &rusqlite::Connection, sql: &str) -> String {
    conn.query_row(sql, [], |row| {
        Ok(match row.get_ref(0)? {
            rusqlite::types::ValueRef::Null => "NULL".to_owned(),
            rusqlite::types::ValueRef::Integer(i) => i.to_string(),
            rusqlite::types::ValueRef::Real(x) => x.to_string(),
            rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                String::from_utf8_lossy(t).into_owned()
            }
        })
    })
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Checks the file with SQLite itself: integrity, WAL, schema version, the answers
/// of assessment `id` and the stored risk run.
fn check_with_sqlite3(db: &Path, id: i64, items: usize) {
    let conn = sqlite(db);
    let run = |sql: &str| sqlite_text(&conn, sql);
    assert_eq!(run("PRAGMA integrity_check;"), "ok");
    assert_eq!(run("PRAGMA journal_mode;"), "wal");
    assert_eq!(
        run("PRAGMA user_version;"),
        holisec_store::SCHEMA_VERSION.to_string()
    );
    assert_eq!(
        run(&format!(
            "SELECT count(*) FROM answers WHERE assessment_id = {id};"
        )),
        items.to_string()
    );
    let schema = run("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'answers';");
    assert!(
        schema.contains("STRICT") && schema.contains("evidence"),
        "{schema}"
    );
    assert_eq!(
        run("SELECT count(*) FROM risk_runs WHERE json_valid(results);"),
        "1"
    );
}

#[test]
fn interactive_mode_is_resumable_and_commits_each_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("i.db");
    let id = new_assessment(&db, "Clinic");
    let run = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_holisec"))
            .args(["assess", "answer", &id.to_string(), "--interactive", "--db"])
            .arg(&db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        ok(&out)
    };
    // Two answers (one with evidence), a wrong level re-asked, then quit.
    let out = run("3\nannual campaign\n9\n2\n\nq\n");
    assert!(out.contains("not a level"), "{out}");
    assert!(out.contains("2 answers saved"), "{out}");
    let ids = item_ids();
    let a = answers_json(&db, id);
    assert_eq!(a.as_array().unwrap().len(), 2);
    // Resume: the first two items are not asked again.
    let out = run("1\n\n");
    assert!(
        out.contains(&format!("2 of {} items answered", ids.len())),
        "{out}"
    );
    assert!(out.contains(&format!("saved {} = 1", ids[2])), "{out}");
    assert_eq!(answers_json(&db, id).as_array().unwrap().len(), 3);
}

#[test]
fn killed_writer_leaves_every_committed_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let id = new_assessment(&db, "Killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(["assess", "answer", &id.to_string(), "--interactive", "--db"])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut saved = 0;
    let mut line = String::new();
    // Answer item by item; kill the writer after 20 confirmed answers while it
    // is about to write the next one.
    stdin.write_all(b"2\nnote\n").unwrap();
    while stdout.read_line(&mut line).unwrap() > 0 {
        if line.contains("saved ") {
            saved += 1;
            if saved == 20 {
                stdin.write_all(b"3\nlast\n").unwrap();
                child.kill().unwrap();
                break;
            }
            stdin.write_all(b"2\nnote\n").unwrap();
        }
        line.clear();
    }
    let _ = child.wait();
    assert_eq!(saved, 20);
    // Reopen: sound, and every confirmed answer is there (the one in flight may be too).
    let n = answers_json(&db, id).as_array().unwrap().len();
    assert!((20..=21).contains(&n), "{n} answers");
    let store = holisec_store_check(&db);
    assert_eq!(store, "ok");
}

/// Opens the file through holisec (open, migrate, read) and returns SQLite's own
/// `PRAGMA integrity_check` of it: `ok` only for a sound file.
fn holisec_store_check(db: &Path) -> String {
    // The CLI opens, migrates and reads: a torn file would fail here.
    ok(&holisec(db, &["assess", "list", "--json"]));
    sqlite_text(&sqlite(db), "PRAGMA integrity_check;")
}

#[test]
fn readers_while_a_writer_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let id = new_assessment(&db, "Busy");
    let ids = item_ids();
    let mut writer = Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(["assess", "answer", &id.to_string(), "--interactive", "--db"])
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = ids.iter().map(|_| "3\n\n").collect();
    let mut stdin = writer.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for chunk in input.as_bytes().chunks(16) {
            stdin.write_all(chunk).unwrap();
            stdin.flush().unwrap();
            std::thread::yield_now();
        }
    });
    let mut last = 0;
    for _ in 0..8 {
        let n = answers_json(&db, id).as_array().unwrap().len();
        assert!(n >= last, "answers went from {last} to {n}");
        last = n;
    }
    feeder.join().unwrap();
    let out = writer.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(answers_json(&db, id).as_array().unwrap().len(), ids.len());
}

#[test]
fn bad_input_is_refused_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    let id = new_assessment(&db, "Careful");
    let ids = item_ids();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, format!("item,level,evidence\n{},2,ok\n", ids[0])).unwrap();
    ok(&holisec(
        &db,
        &[
            "assess",
            "answer",
            &id.to_string(),
            "--file",
            good.to_str().unwrap(),
        ],
    ));
    let before = answers_json(&db, id);

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "range.csv",
            format!("item,level\n{},7\n", ids[1]),
            "range.csv:2:1 | level `7` for",
        ),
        (
            "unknown.csv",
            format!("item,level\n{},1\nXX-99,1\n", ids[1]),
            "unknown.csv:3:1 | unknown item `XX-99`",
        ),
        (
            "dup.csv",
            format!("item,level\n{0},1\n{0},2\n", ids[1]),
            "dup.csv:3:1 | duplicate answer | first answer for",
        ),
        (
            "broken.csv",
            format!("item,level\n{},1\n{},2,\"unterminated\n", ids[1], ids[2]),
            "broken.csv:3: | unterminated quoted field",
        ),
        (
            "fields.csv",
            format!("item,level\n{},1,a,b\n", ids[1]),
            "fields.csv:2:1 | 4 fields",
        ),
        (
            "range.toml",
            format!("[[answer]]\nitem = \"{}\"\nlevel = -1\n", ids[1]),
            "out of range",
        ),
        (
            "dup.toml",
            format!(
                "[[answer]]\nitem = \"{0}\"\nlevel = 1\n[[answer]]\nitem = \"{0}\"\nlevel = 1\n",
                ids[1]
            ),
            "dup.toml:5:8 | duplicate answer | is on line 2",
        ),
        (
            "syntax.toml",
            "[[answer]\nitem = 1".to_owned(),
            "syntax.toml:1:",
        ),
    ];
    for (name, content, want) in cases {
        let f = dir.path().join(name);
        std::fs::write(&f, content).unwrap();
        let err = fails(
            &holisec(
                &db,
                &[
                    "assess",
                    "answer",
                    &id.to_string(),
                    "--file",
                    f.to_str().unwrap(),
                ],
            ),
            2,
        );
        // `want` lists what the message must hold: the place (file:line:column) first.
        for part in want.split(" | ") {
            assert!(err.contains(part), "{name}: `{part}` missing in {err}");
        }
        assert!(err.contains("nothing was stored"), "{name}: {err}");
        assert_eq!(
            answers_json(&db, id),
            before,
            "{name} changed stored answers"
        );
    }
    // Unknown assessment id.
    let err = fails(&holisec(&db, &["assess", "show", "999"]), 2);
    assert!(err.contains("no assessment with id 999"), "{err}");

    // Not an SQLite file: exit 2, the file untouched.
    let notdb = dir.path().join("notes.db");
    let text = "shopping list: milk, eggs\n".repeat(200);
    std::fs::write(&notdb, &text).unwrap();
    let err = fails(&holisec(&notdb, &["assess", "list"]), 2);
    assert!(err.contains("not a holisec database"), "{err}");
    assert_eq!(std::fs::read_to_string(&notdb).unwrap(), text);

    // Newer schema version: exit 2 with the versions named.
    let newer = dir.path().join("newer.db");
    new_assessment(&newer, "Future");
    let future = (holisec_store::SCHEMA_VERSION + 1).to_string();
    {
        let conn = sqlite(&newer);
        conn.pragma_update(None, "user_version", holisec_store::SCHEMA_VERSION + 1)
            .unwrap();
        assert_eq!(sqlite_text(&conn, "PRAGMA user_version;"), future);
    }
    let err = fails(&holisec(&newer, &["assess", "list"]), 2);
    assert!(
        err.contains(&format!("schema version {future}")) && err.contains("upgrade holisec"),
        "{err}"
    );
    // Refused without a change: the file still says the newer version and still has its data.
    let conn = sqlite(&newer);
    assert_eq!(sqlite_text(&conn, "PRAGMA user_version;"), future);
    assert_eq!(
        sqlite_text(&conn, "SELECT count(*) FROM organisations;"),
        "1"
    );

    // Read-only database file: exit 1 (environment), stored answers still readable.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro_dir = dir.path().join("ro");
        std::fs::create_dir(&ro_dir).unwrap();
        let ro = ro_dir.join("ro.db");
        let rid = new_assessment(&ro, "ReadOnly");
        ok(&holisec(
            &ro,
            &[
                "assess",
                "answer",
                &rid.to_string(),
                "--file",
                good.to_str().unwrap(),
            ],
        ));
        let before = answers_json(&ro, rid);
        // Checkpoint the WAL into the main file before removing write permission.
        for f in std::fs::read_dir(&ro_dir).unwrap() {
            let p = f.unwrap().path();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
        std::fs::set_permissions(&ro_dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let is_root = std::fs::OpenOptions::new().append(true).open(&ro).is_ok();
        if !is_root {
            let err = fails(&holisec(&ro, &["assess", "new", "--org", "X"]), 1);
            assert!(
                err.contains("read-only") || err.contains("readonly"),
                "{err}"
            );
        } else {
            // Root ignores file permissions: open the same file read-only through an
            // SQLite URI instead, which refuses writes the same way.
            let uri = PathBuf::from(format!("file:{}?mode=ro", ro.display()));
            let listed = ok(&holisec(&uri, &["assess", "list"]));
            assert!(listed.contains("ReadOnly"), "{listed}");
            let err = fails(&holisec(&uri, &["assess", "new", "--org", "X"]), 1);
            assert!(err.contains("read-only"), "{err}");
        }
        std::fs::set_permissions(&ro_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        for f in std::fs::read_dir(&ro_dir).unwrap() {
            std::fs::set_permissions(f.unwrap().path(), std::fs::Permissions::from_mode(0o644))
                .unwrap();
        }
        assert_eq!(answers_json(&ro, rid), before);
    }
}

#[test]
fn questionnaire_override_is_checked_against_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let q = dir.path().join("mine.toml");
    let text = include_str!("../../../questionnaires/hospital.toml")
        .replacen("\"ho-backups\"", "\"ho-backupz\"", 1)
        .replacen("domain = \"people\"", "domain = \"staff\"", 1);
    std::fs::write(&q, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(["assess", "new", "--org", "X", "--questionnaire"])
        .arg(&q)
        .arg("--db")
        .arg(&db)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = fails(&out, 2);
    assert!(err.contains("unknown factor `ho-backupz`"), "{err}");
    assert!(err.contains("unknown domain `staff`"), "{err}");
    assert!(
        err.contains("mine.toml") && err.contains("2 errors"),
        "{err}"
    );
}

#[test]
fn default_database_lives_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = |envs: &[(&str, &Path)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_holisec"));
        c.args(["db", "path"])
            .env_remove("HOLISEC_DB")
            .env_remove("XDG_DATA_HOME");
        for (k, v) in envs {
            c.env(k, v);
        }
        ok(&c.output().unwrap()).trim().to_owned()
    };
    let xdg = dir.path().join("xdg");
    assert_eq!(
        run(&[("XDG_DATA_HOME", &xdg)]),
        xdg.join("holisec").join("holisec.db").display().to_string()
    );
    assert_eq!(
        run(&[("HOME", dir.path())]),
        dir.path()
            .join(".local/share/holisec/holisec.db")
            .display()
            .to_string()
    );
    let explicit = dir.path().join("env.db");
    assert_eq!(
        run(&[("HOLISEC_DB", &explicit), ("XDG_DATA_HOME", &xdg)]),
        explicit.display().to_string()
    );
}
