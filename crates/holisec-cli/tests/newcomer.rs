//! A newcomer's first hour, end to end: the binary run from a directory
//! that is not the repository, built-in scenarios by name, the answer
//! template filled in and answered, a plan a CISO can act on, output that
//! fits 100 columns, and every written file announced.

mod common;

use common::{holisec, parts};

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn builtin_scenarios_run_by_name_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = parts(&holisec(
        &["simulate", "--list-scenarios"],
        Some(dir.path()),
    ));
    assert_eq!(code, 0, "{stderr}");
    for name in [
        "europe-phishing-ransomware",
        "supplier-compromise",
        "worm-killswitch",
    ] {
        assert!(
            stdout.lines().any(|l| l == name),
            "{name} missing in\n{stdout}"
        );
    }
    let svg = dir.path().join("curves.svg");
    let (code, stdout, stderr) = parts(&holisec(
        &[
            "simulate",
            "--scenario",
            "worm-killswitch",
            "--scale",
            "0.02",
            "--replicates",
            "2",
            "--days",
            "20",
            "--svg",
            "curves.svg",
        ],
        Some(dir.path()),
    ));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("organisations infected"), "{stdout}");
    assert!(svg.exists());
    assert!(
        stderr.contains("wrote curves.svg (SVG epidemic curves,"),
        "{stderr}"
    );
    assert!(widest(&stdout) <= 100, "{stdout}");

    let (code, _, stderr) = parts(&holisec(
        &["simulate", "--scenario", "worm-kilswitch"],
        Some(dir.path()),
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("did you mean `worm-killswitch`"),
        "{stderr}"
    );
    let (code, _, stderr) = parts(&holisec(
        &[
            "simulate",
            "--scenario",
            "supplier-compromise",
            "--days",
            "5",
        ],
        Some(dir.path()),
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--days 5: expected more than 10 days"),
        "{stderr}"
    );
}

#[test]
fn a_filled_template_is_answered_scored_and_planned() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["assess", "--db", db];
        all.extend_from_slice(args);
        parts(&holisec(&all, Some(dir.path())))
    };
    let (code, _, stderr) = run(&["template", "-o", "answers.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("wrote answers.toml (answer template, 63 items,"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["template", "-o", "answers.toml"]);
    assert_eq!(code, 2, "an existing file is not overwritten: {stderr}");
    assert!(stderr.contains("--force"), "{stderr}");

    // Fill in every level with 1, and one item with 3.
    let path = dir.path().join("answers.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let filled = text
        .replacen("# level =", "level = 3", 1)
        .replace("# level =", "level = 1");
    std::fs::write(&path, filled).unwrap();

    let (code, stdout, stderr) = run(&["new", "--org", "St Mary"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("created assessment 1 for `St Mary`"),
        "{stdout}"
    );
    let (_, stdout, _) = run(&["new", "--org", "st MARY"]);
    assert!(
        stdout.contains("created assessment 2 for `St Mary` (version 2"),
        "one organisation whatever the case: {stdout}"
    );

    let (code, stdout, stderr) = run(&["answer", "1", "--file", "answers.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("stored 63 answers from `answers.toml`"),
        "{stdout}"
    );

    // One answer is "1 answer".
    let one = dir.path().join("one.csv");
    std::fs::write(&one, "item,level\nPE-01,2\n").unwrap();
    let (code, stdout, stderr) = run(&["answer", "2", "--file", "one.csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("stored 1 answer from"), "{stdout}");

    let (code, stdout, stderr) = run(&["plan", "1", "--iterations", "2000"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(widest(&stdout) <= 100, "{stdout}");
    assert!(
        stdout.contains("a step is recommended when the expected annual loss it avoids exceeds"),
        "{stdout}"
    );
    let (_, json, _) = run(&["plan", "1", "--iterations", "2000", "--json"]);
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let actions = plan["actions"].as_array().unwrap();
    let taken: Vec<&serde_json::Value> = actions.iter().filter(|a| a["selected"] == true).collect();
    assert!(
        !taken.is_empty() && taken.len() < actions.len() / 2,
        "{} of {}",
        taken.len(),
        actions.len()
    );
    for a in &taken {
        assert!(a["net_benefit"].as_f64().unwrap() > 0.0, "{a}");
    }
    let nets: Vec<f64> = actions
        .iter()
        .map(|a| a["net_benefit"].as_f64().unwrap())
        .collect();
    assert!(
        nets.windows(2).all(|w| w[0] >= w[1]),
        "ranked by net benefit: {nets:?}"
    );
    assert_eq!(plan["value_per_euro_avoided"], 1.0);

    let (code, _, stderr) = run(&["history", "--org", "st mery"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `St Mary`"), "{stderr}");
}

#[test]
fn reports_fit_100_columns_unless_wide() {
    for args in [
        &["analyze"][..],
        &["show"],
        &[
            "risk",
            "-n",
            "2000",
            "--compare",
            "--portfolio",
            "20",
            "--portfolio-iterations",
            "200",
        ],
    ] {
        let (code, stdout, stderr) = parts(&holisec(args, None));
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(widest(&stdout) <= 100, "{args:?}:\n{stdout}");
    }
    let mut wide = vec!["--wide"];
    wide.extend_from_slice(&["risk", "-n", "2000"]);
    let (_, stdout, _) = parts(&holisec(&wide, None));
    assert!(widest(&stdout) > 100, "--wide keeps every column");
    assert!(!stdout.contains("--wide shows all"), "{stdout}");
}

#[test]
fn risk_leads_with_one_hospital_and_says_what_the_total_is() {
    let (code, stdout, stderr) = parts(&holisec(&["risk", "-n", "2000"], None));
    assert_eq!(code, 0, "{stderr}");
    let first_table_row = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Annual loss of ONE organisation"))
        .nth(3)
        .unwrap();
    assert!(
        first_table_row.starts_with("healthcare-organisations"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("Total = the sum over the 7 targeted stakeholders of one organisation each"),
        "{stdout}"
    );
}

#[test]
fn every_written_file_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    for (args, line) in [
        (&["render", "-o", "f.svg"][..], "wrote f.svg (SVG figure,"),
        (
            &["export", "stix", "-o", "b.json"],
            "wrote b.json (STIX 2.1 bundle,",
        ),
        (
            &[
                "risk",
                "-n",
                "1000",
                "--lec-svg",
                "l.svg",
                "--lec-csv",
                "l.csv",
            ],
            "wrote l.svg (SVG loss exceedance chart,",
        ),
        (
            &["init", "m.toml"],
            "wrote m.toml (the built-in European model,",
        ),
    ] {
        let (code, _, stderr) = parts(&holisec(args, Some(dir.path())));
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(stderr.contains(line), "{args:?}: {stderr}");
    }
}

#[test]
fn warnings_are_summarised_unless_verbose() {
    let dir = tempfile::tempdir().unwrap();
    // The built-in model without provenance: 103 "numbers without source"
    // warnings (75 entries and the 28 countries).
    let stripped: String = holisec_model::builtin::EUROPE_TOML
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            !(l.starts_with("source =") || l.starts_with("rationale ="))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("m.toml"), stripped).unwrap();
    let (code, _, stderr) = parts(&holisec(&["show", "m.toml"], Some(dir.path())));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("… and 100 more warnings (--verbose shows all) in `m.toml`"),
        "{stderr}"
    );
    let snippets = |text: &str| text.matches("add `source = ").count();
    assert_eq!(snippets(&stderr), 3, "{stderr}");
    let (_, _, verbose) = parts(&holisec(&["show", "m.toml", "--verbose"], Some(dir.path())));
    assert!(!verbose.contains("more warnings"), "{verbose}");
    assert_eq!(snippets(&verbose), 103, "{verbose}");
}
