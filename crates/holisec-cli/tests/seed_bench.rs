//! `holisec admin seed-bench`: the hidden command that fills a new database
//! for the server benchmark (`bench/server/run.sh`).

use std::path::Path;
use std::process::{Command, Output};

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(args)
        .env("HOLISEC_DB", db)
        .env("NO_COLOR", "1")
        .output()
        .expect("holisec runs")
}

#[test]
fn seed_bench_fills_a_new_database_once_and_stays_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let seed = [
        "admin",
        "seed-bench",
        "--orgs",
        "3",
        "--assessments",
        "7",
        "--answers",
        "25",
    ];
    let out = run(&db, &seed);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("seeded 3 organisations, 7 assessments, 25 answers"),
        "{text}"
    );
    // The organisations and assessments are there, of the built-in questionnaire.
    let list = run(&db, &["admin", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(v["organisations"].as_array().unwrap().len(), 3);
    assert_eq!(v["organisations"][0]["name"], "bench-org-00001");
    let show = run(&db, &["assess", "show", "1", "--json"]);
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["answers"].as_array().unwrap().len(), 4);
    assert!(
        v["answers"][0]["title"].is_string(),
        "items of the questionnaire: {v}"
    );
    // A second seed is refused (exit 2) and changes nothing.
    let again = run(&db, &seed);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("holds organisations already"));
    let list = run(&db, &["admin", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(v["organisations"].as_array().unwrap().len(), 3);
    // Not in the help: it is for benchmarks, not for real data.
    let help = run(&db, &["admin", "--help"]);
    assert!(!String::from_utf8_lossy(&help.stdout).contains("seed-bench"));
}
