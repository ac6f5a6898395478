//! Hostile inputs to the engines, through the real binary (issue 17: never
//! panic, never hang): a PERT shape the sampler could not tabulate, losses
//! that overflowed to an ALE of 18,446,744,073,709,551,615, figures and
//! analyses of very large models, an endless evidence file, out-of-range
//! scenario settings and their messages, a 48 MB model, a byte order mark in
//! an answer file, a model that draws too many loss events in one year, and a
//! mailbox storm that ran for minutes without a word.
//!
//! The large models come from [`generated_model`]; `HOLISEC_LARGE_DIR=dir
//! cargo test -p holisec-cli --test hostile_engines -- --ignored` writes the
//! ones the timings in the issue were measured on.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{holisec, parts};

/// A small valid model whose ransomware threat takes `frequency`,
/// `capability` and `primary_loss` as written (TOML inline tables).
fn model_with(frequency: &str, capability: &str, primary_loss: &str) -> String {
    format!(
        r#"[ecosystem]
name = "Hostile"
region = "Testland"
currency = "EUR"

[[stakeholder]]
id = "hospital"
name = "Hospital"
kind = "healthcare-organisation"

[[stakeholder]]
id = "vendor"
name = "Vendor"
kind = "solution-provider"

[[relation]]
from = "vendor"
to = "hospital"
level = "first"
kind = "supplies"
strength = 0.5
rationale = "test"

[[vulnerability]]
id = "phishing"
stakeholder = "hospital"
domain = "people"
name = "Phishing"
resistance = {{ pert = [0.2, 0.4, 0.7], rationale = "test" }}

[[threat]]
id = "ransomware"
motivation = "crime"
name = "Ransomware"
targets = ["hospital"]
exploits = ["phishing"]
frequency = {frequency}
capability = {capability}
primary_loss = {primary_loss}
"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

/// A model of `n` stakeholders: each related to an earlier one (half of the
/// time to one with many relations already, so hubs form), a factor on every
/// tenth, twenty threats of five targets and five factors. Compact TOML
/// (arrays of inline tables) so 100,000 stakeholders stay under the 16 MiB limit.
pub fn generated_model(n: usize, seed: u64) -> String {
    let mut state = seed;
    let mut next = move |m: usize| -> usize {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % m.max(1) as u64) as usize
    };
    const KINDS: [&str; 6] = [
        "healthcare-organisation",
        "solution-provider",
        "healthcare-professional",
        "insurance-group",
        "agency-institution",
        "advocacy-group",
    ];
    const RELATIONS: [&str; 4] = ["supplies", "advises", "funds", "trains"];
    const DOMAINS: [&str; 5] = ["people", "process", "technology", "data", "governance"];
    const MOTIVATIONS: [&str; 5] = ["warfare", "terrorism", "espionage", "crime", "activism"];
    let mut t = String::from("stakeholder = [\n");
    for i in 0..n {
        let _ = writeln!(
            t,
            "{{id=\"s{i}\",name=\"S{i}\",kind=\"{}\"}},",
            KINDS[i % KINDS.len()]
        );
    }
    t.push_str("]\nrelation = [\n");
    let mut ends: Vec<usize> = Vec::new();
    for i in 1..n {
        let j = if !ends.is_empty() && next(2) == 0 {
            ends[next(ends.len())]
        } else {
            next(i)
        };
        let level = if next(5) == 0 { "second" } else { "first" };
        let _ = writeln!(
            t,
            "{{from=\"s{j}\",to=\"s{i}\",level=\"{level}\",kind=\"{}\",strength={:.2},rationale=\"g\"}},",
            RELATIONS[i % RELATIONS.len()],
            next(101) as f64 / 100.0
        );
        ends.extend([i, j]);
    }
    t.push_str("]\n[ecosystem]\nname = \"Generated\"\nregion = \"Test\"\ncurrency = \"EUR\"\n");
    let factors = (n / 10).max(1);
    for v in 0..factors {
        let _ = writeln!(
            t,
            "[[vulnerability]]\nid = \"v{v}\"\nstakeholder = \"s{}\"\ndomain = \"{}\"\nname = \"Factor {v}\"\nresistance = {{ pert = [0.2, 0.5, 0.8], rationale = \"g\" }}",
            next(n),
            DOMAINS[v % DOMAINS.len()]
        );
    }
    for k in 0..20 {
        let ids = |prefix: &str, count: usize, next: &mut dyn FnMut(usize) -> usize| {
            let mut v: Vec<usize> = (0..5).map(|_| next(count)).collect();
            v.sort_unstable();
            v.dedup();
            v.iter()
                .map(|i| format!("\"{prefix}{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let targets = ids("s", n, &mut next);
        let exploits = ids("v", factors, &mut next);
        let _ = writeln!(
            t,
            "[[threat]]\nid = \"t{k}\"\nmotivation = \"{}\"\nname = \"Threat {k}\"\ntargets = [{targets}]\nexploits = [{exploits}]\nfrequency = {{ pert = [0.1, 1, 5], rationale = \"g\" }}\ncapability = {{ pert = [0.3, 0.6, 0.9], rationale = \"g\" }}\nprimary_loss = {{ lognormal_ci90 = [1e4, 1e6], rationale = \"g\" }}",
            MOTIVATIONS[k % MOTIVATIONS.len()]
        );
    }
    t
}

/// Writes the large models the issue's timings are about (not a test of its own).
#[test]
#[ignore]
fn write_large_models() {
    let dir = PathBuf::from(std::env::var("HOLISEC_LARGE_DIR").expect("HOLISEC_LARGE_DIR"));
    for n in [1_000, 3_000, 5_000, 10_000, 30_000, 100_000] {
        let text = generated_model(n, 1);
        assert!(text.len() < 16 * 1024 * 1024, "{n}: {} bytes", text.len());
        write(&dir, &format!("generated-{n}.toml"), &text);
    }
}

/// Exit status, stdout, stderr of the binary; fails the test instead of
/// waiting past `limit`. The outputs are drained while it runs (a full pipe
/// would stop it).
fn run_within(args: &[&str], limit: Duration) -> (i32, String, String) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("holisec starts");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = r.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`holisec {}` still running after {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (
        status.code().unwrap_or(-1),
        out.join().expect("stdout read"),
        err.join().expect("stderr read"),
    )
}

#[test]
fn a_pert_shape_the_engine_cannot_tabulate_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let model = model_with(
        r#"{ pert = [0.1, 1, 5], shape = 2000, rationale = "test" }"#,
        r#"{ pert = [0.3, 0.6, 0.9], rationale = "test" }"#,
        r#"{ lognormal_ci90 = [1e4, 1e6], rationale = "test" }"#,
    );
    let path = write(dir.path(), "shape.toml", &model);
    let path = path.to_str().unwrap();
    for args in [
        vec!["validate", path],
        vec!["risk", path, "-n", "1000"],
        vec!["analyze", path],
    ] {
        let (code, _, err) = parts(&holisec(&args, None));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("`shape` must be at most 40") && err.contains("shape.toml:"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // `assess plan` loads the same model: refused, not exit 101.
    let db = dir.path().join("a.db");
    let db = db.to_str().unwrap();
    let (code, out, err) = parts(&holisec(&["assess", "new", "--org", "H", "--db", db], None));
    assert_eq!(code, 0, "{err}");
    let id = out.split_whitespace().nth(2).expect("id").to_owned();
    let (code, _, err) = parts(&holisec(
        &["assess", "plan", &id, "--model", path, "--db", db],
        None,
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`shape` must be at most 40"), "{err}");
    // The largest valid shape runs.
    let model = model.replace("shape = 2000", "shape = 40");
    let path = write(dir.path(), "shape40.toml", &model);
    let (code, _, err) = parts(&holisec(
        &["risk", path.to_str().unwrap(), "-n", "1000"],
        None,
    ));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn losses_that_overflow_are_refused_instead_of_printed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "loss.toml",
        &model_with(
            r#"{ pert = [0.1, 1, 5], rationale = "test" }"#,
            r#"{ pert = [0.3, 0.6, 0.9], rationale = "test" }"#,
            r#"{ lognormal_ci90 = [1e300, 1.7e308], rationale = "test" }"#,
        ),
    );
    let path = path.to_str().unwrap();
    for args in [
        vec!["validate", path],
        vec!["risk", path, "-n", "1000", "--json"],
        vec!["render", path],
    ] {
        let (code, out, err) = parts(&holisec(&args, None));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(
            err.contains("the 95th percentile is 1.7e308, more than 1e15 per loss event"),
            "{args:?}: {err}"
        );
        assert!(err.contains("ten times the world's yearly output"), "{err}");
        for garbage in ["18,446,744,073,709,551,615", "infbn", "null"] {
            assert!(!out.contains(garbage), "{args:?} printed {garbage}");
        }
    }
    // Frequencies are bounded too.
    let path = write(
        dir.path(),
        "frequency.toml",
        &model_with(
            r#"{ constant = 2e6, rationale = "test" }"#,
            r#"{ pert = [0.3, 0.6, 0.9], rationale = "test" }"#,
            r#"{ constant = 1000, rationale = "test" }"#,
        ),
    );
    let (code, _, err) = parts(&holisec(&["validate", path.to_str().unwrap()], None));
    assert_eq!(code, 2);
    assert!(err.contains("more than 1e6 threat events a year"), "{err}");
}

/// 100 stakeholders, each the target of `threats` threats through its own
/// factor, every frequency at the largest value allowed: 6,000 scenarios and
/// about 6e9 loss events in a single simulated year.
fn busiest_model(threats: usize) -> String {
    let mut t = String::from("[ecosystem]\nname = \"Busy\"\nregion = \"T\"\ncurrency = \"EUR\"\n");
    for i in 0..100 {
        let _ = writeln!(
            t,
            "[[stakeholder]]\nid = \"h{i}\"\nname = \"H{i}\"\nkind = \"healthcare-organisation\"\n[[vulnerability]]\nid = \"v{i}\"\nstakeholder = \"h{i}\"\ndomain = \"people\"\nname = \"V\"\nresistance = {{ constant = 0, rationale = \"t\" }}"
        );
        if i > 0 {
            let _ = writeln!(
                t,
                "[[relation]]\nfrom = \"h{}\"\nto = \"h{i}\"\nlevel = \"second\"\nkind = \"shares-information\"\nstrength = 0.1\nrationale = \"t\"",
                i - 1
            );
        }
    }
    let targets: Vec<String> = (0..100).map(|i| format!("\"h{i}\"")).collect();
    let factors: Vec<String> = (0..100).map(|i| format!("\"v{i}\"")).collect();
    for k in 0..threats {
        let _ = writeln!(
            t,
            "[[threat]]\nid = \"t{k}\"\nmotivation = \"crime\"\nname = \"T\"\ntargets = [{}]\nexploits = [{}]\nfrequency = {{ constant = 1e6, rationale = \"t\" }}\ncapability = {{ constant = 1, rationale = \"t\" }}\nprimary_loss = {{ constant = 1, rationale = \"t\" }}",
            targets.join(", "),
            factors.join(", ")
        );
    }
    t
}

#[test]
fn a_model_that_draws_too_much_in_one_year_is_named_instead_of_the_iterations() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "busy.toml", &busiest_model(60));
    let (code, _, err) = run_within(
        &["risk", path.to_str().unwrap(), "-n", "1"],
        Duration::from_secs(120),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the model itself draws too many loss events") && err.contains("`t0/"),
        "{err}"
    );
    assert!(
        !err.contains("lower --iterations") && !err.contains("at most 1 simulated years"),
        "{err}"
    );
}

#[test]
fn an_svg_of_a_huge_model_is_refused_pointing_to_dot() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "big.toml", &generated_model(10_000, 1));
    let path = path.to_str().unwrap();
    let (code, out, err) = run_within(&["render", path], Duration::from_secs(60));
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "no figure on a refusal: {out}");
    let said = err;
    assert!(
        said.contains("at most 5,000 stakeholders") && said.contains("--format dot"),
        "{said}"
    );
    let (code, out, err) = run_within(
        &["render", path, "--format", "dot"],
        Duration::from_secs(60),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("digraph") && out.contains("s9999"));
}

#[test]
fn analyze_of_a_large_model_samples_betweenness_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "large.toml", &generated_model(8_000, 2));
    let (code, out, err) = run_within(
        &["analyze", path.to_str().unwrap(), "--json", "--hops", "4"],
        Duration::from_secs(120),
    );
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let accuracy = &json["accuracy"];
    assert_eq!(accuracy["betweenness"]["exact"], false);
    assert_eq!(accuracy["betweenness"]["sources"], 1000);
    assert_eq!(accuracy["betweenness"]["stakeholders"], 8000);
    assert!(accuracy["betweenness"]["max_error_95"].as_f64().unwrap() > 0.0);
    assert!(
        accuracy["notes"][0]
            .as_str()
            .unwrap()
            .contains("betweenness is estimated from 1000 of 8000"),
        "{accuracy}"
    );
    let first = &json["centrality"][0];
    assert!(
        first["betweenness_error"].as_f64().unwrap() > 0.0,
        "{first}"
    );
    assert_eq!(json["reach"].as_array().unwrap().len(), 8000);
    assert_eq!(accuracy["paths"]["complete"], true);
}

#[test]
fn an_endless_evidence_file_stops_with_an_error() {
    if !Path::new("/dev/zero").exists() {
        eprintln!("skipping: no /dev/zero");
        return;
    }
    let (code, _, err) = run_within(
        &["evidence", "summary", "/dev/zero"],
        Duration::from_secs(60),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("stopped reading `/dev/zero`")
            && err.contains("line 1 runs past 64 MiB without a line break"),
        "{err}"
    );
}

#[test]
fn scenario_settings_state_their_real_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "replicates.toml",
        "[scenario]\nreplicates = 1000000000\n[[campaign]]\nthreat = \"ransomware\"\ntarget = \"healthcare-organisations\"\n",
    );
    let (code, _, err) = parts(&holisec(
        &["simulate", "--scenario", path.to_str().unwrap()],
        None,
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("1 to 100,000 replicates"), "{err}");
    assert!(!err.contains("at least 1 replicate"), "{err}");
}

#[test]
fn a_mailbox_storm_is_refused_before_it_starts() {
    // Every foothold mails 1,000 partners: at ten times the populations the
    // day's lures alone would need tens of GiB. Refused at once, naming why.
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "storm.toml",
        "[scenario]\ndays = 30\nreplicates = 2\nscale = 10\n[parameters]\nmailbox_abuse = 1.0\nmailbox_partners = 1000\n[[campaign]]\nthreat = \"ransomware\"\ntarget = \"healthcare-organisations\"\nwaves = 1\norg_share = 0.01\n",
    );
    let (code, _, err) = run_within(
        &[
            "simulate",
            "--scenario",
            path.to_str().unwrap(),
            "--threads",
            "2",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("lures of compromised mailboxes") && err.contains("mailbox_partners"),
        "{err}"
    );
}

#[test]
fn a_48_megabyte_model_is_not_reported_as_16() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.toml");
    std::fs::write(&path, vec![b'#'; 48 * 1024 * 1024]).unwrap();
    let (code, _, err) = parts(&holisec(&["validate", path.to_str().unwrap()], None));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("larger than the 16 MiB limit"), "{err}");
    assert!(!err.contains("16.0 MiB"), "{err}");
}

#[test]
fn an_answer_file_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let db = db.to_str().unwrap();
    let (code, out, err) = parts(&holisec(&["assess", "new", "--org", "H", "--db", db], None));
    assert_eq!(code, 0, "{err}");
    let id = out.split_whitespace().nth(2).expect("id").to_owned();
    let item = include_str!("../../../questionnaires/hospital.toml")
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .map(|l| l.trim_end_matches('"'))
        .find(|id| *id != "hospital")
        .expect("an item")
        .to_owned();
    for (name, text) in [
        (
            "answers.csv",
            format!("\u{feff}item,level,evidence\n{item},3,policy\n"),
        ),
        (
            "answers.toml",
            format!("\u{feff}[[answer]]\nitem = \"{item}\"\nlevel = 2\n"),
        ),
    ] {
        let path = write(dir.path(), name, &text);
        let (code, out, err) = parts(&holisec(
            &[
                "assess",
                "answer",
                &id,
                "--file",
                path.to_str().unwrap(),
                "--db",
                db,
            ],
            None,
        ));
        assert_eq!(code, 0, "{name}: {err}");
        assert!(out.contains("stored 1 answer"), "{name}: {out}");
    }
}
