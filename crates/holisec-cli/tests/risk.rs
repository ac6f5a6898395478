//! End-to-end tests of `holisec risk`.

mod common;

use std::path::{Path, PathBuf};

use common::{holisec, parts};

/// A hand-made model with a closed-form answer: TEF 2/year, V = P(U(0,1) > 0.25) = 0.75,
/// LM = 4,000 + 1,000, so ALE = 2 x 0.75 x 5,000 = 7,500 and P(no loss event) = exp(-1.5).
fn closed_form_model(frequency: &str, resistance: &str, capability: &str) -> String {
    format!(
        r#"
[ecosystem]
name = "Closed form"
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
resistance = {{ {resistance}, rationale = "test" }}

[[threat]]
id = "ransomware"
motivation = "crime"
name = "Ransomware"
targets = ["hospital"]
exploits = ["phishing"]
frequency = {{ {frequency}, rationale = "test" }}
capability = {{ {capability}, rationale = "test" }}
primary_loss = {{ constant = 4000, rationale = "test" }}
secondary_loss = {{ constant = 1000, rationale = "test" }}

[[support]]
id = "awareness"
kind = "training"
name = "Awareness"
provider = "vendor"
mitigates = ["phishing"]
effect = {{ on = "frequency", change = 0.4, rationale = "test" }}
annual_cost = 1000
rationale = "test"
"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn good_model(dir: &Path) -> PathBuf {
    write(
        dir,
        "model.toml",
        &closed_form_model("constant = 2", "constant = 0.25", "uniform = [0, 1]"),
    )
}

#[test]
fn json_report_has_the_closed_form_answer() {
    let dir = tempfile::tempdir().unwrap();
    let model = good_model(dir.path());
    let n = 200_000.0f64;
    let out = holisec(
        &[
            "risk",
            model.to_str().unwrap(),
            "--iterations",
            "200000",
            "--json",
        ],
        None,
    );
    let (code, stdout, stderr) = parts(&out);
    assert_eq!(code, 0, "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ale = r["total"]["ale"].as_f64().unwrap();
    // Annual loss = 5,000 x Poisson(1.5): sd = 5,000 sqrt(1.5); five standard errors.
    let tol = 5.0 * 5000.0 * 1.5f64.sqrt() / n.sqrt();
    assert!((ale - 7500.0).abs() < tol, "ALE {ale}");
    assert_eq!(r["analytic_ale"].as_f64().unwrap(), 7500.0);
    let p = r["total"]["probability_of_loss_event"].as_f64().unwrap();
    let p_true = 1.0 - (-1.5f64).exp();
    assert!(
        (p - p_true).abs() < 5.0 * (p_true * (1.0 - p_true) / n).sqrt(),
        "P {p}"
    );
    assert_eq!(r["engine"]["iterations"], 200_000);
    assert_eq!(r["scenarios"][0]["id"], "ransomware/phishing/hospital");
    assert_eq!(r["scenarios"][0]["vulnerability_probability"], 0.75);
    for key in ["p50", "p90", "p95", "p99"] {
        assert!(r["total"]["percentiles"][key].is_number(), "{key}");
    }
    assert!(r["total"]["lec"].as_array().unwrap().len() > 5);
    assert_eq!(r["by_stakeholder"][0]["id"], "hospital");
    assert_eq!(r["per_organisation"][0]["stakeholder"], "hospital");
    assert_eq!(r["total_scope"], "one organisation of `hospital`");
    assert_eq!(r["by_domain"][0]["id"], "people");
    assert_eq!(r["by_motivation"][0]["id"], "crime");
}

#[test]
fn human_table_lists_totals_and_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let model = good_model(dir.path());
    let (code, stdout, stderr) = parts(&holisec(
        &["risk", model.to_str().unwrap(), "-n", "20000", "--compare"],
        None,
    ));
    assert_eq!(code, 0, "{stderr}");
    for needle in [
        "Annual loss of ONE organisation of each targeted stakeholder",
        "Total = one organisation of `hospital`: ALE",
        "ransomware/phishing/hospital",
        "Support items by ALE reduced per euro",
        "awareness",
    ] {
        assert!(stdout.contains(needle), "missing {needle} in\n{stdout}");
    }
}

#[test]
fn same_seed_gives_the_same_bytes_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let model = good_model(dir.path());
    let m = model.to_str().unwrap();
    let run = |threads: &str, seed: &str, tag: &str| {
        let csv = dir.path().join(format!("lec-{tag}.csv"));
        let svg = dir.path().join(format!("lec-{tag}.svg"));
        let out = holisec(
            &[
                "risk",
                m,
                "-n",
                "50000",
                "--seed",
                seed,
                "--threads",
                threads,
                "--json",
                "--compare",
                "--budget",
                "5000",
                "--portfolio",
                "30",
                "--providers",
                "3",
                "--portfolio-iterations",
                "3000",
                "--lec-csv",
                csv.to_str().unwrap(),
                "--lec-svg",
                svg.to_str().unwrap(),
            ],
            None,
        );
        let (code, stdout, stderr) = parts(&out);
        assert_eq!(code, 0, "{stderr}");
        (
            stdout,
            std::fs::read(csv).unwrap(),
            std::fs::read(svg).unwrap(),
        )
    };
    // The human table too.
    let human = |threads: &str| {
        let out = holisec(
            &["risk", m, "-n", "30000", "--threads", threads, "--compare"],
            None,
        );
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    assert_eq!(human("1"), human("2"));
    let a = run("1", "7", "a");
    let b = run("2", "7", "b");
    let c = run("4", "7", "c");
    assert_eq!(a.0, b.0);
    assert_eq!(a.0, c.0);
    assert_eq!(a.1, b.1);
    assert_eq!(a.2, b.2);
    let other = run("2", "8", "d");
    assert_ne!(a.0, other.0);
    let svg = String::from_utf8(a.2).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("Annual loss (EUR, log scale)") && svg.contains("Baseline"));
    assert!(
        svg.matches("<polyline").count() >= 2,
        "baseline and at least one intervention"
    );
    let csv = String::from_utf8(a.1).unwrap();
    assert!(csv.starts_with("series,loss,exceedance_probability\ntotal,"));
    assert!(csv.contains("\nportfolio:shared-suppliers,"));
}

#[test]
fn bad_flags_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let model = good_model(dir.path());
    let m = model.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--iterations", "0"],
            "--iterations 0: expected 1 to 1,000,000,000",
        ),
        (
            &["--iterations", "1000000001"],
            "expected 1 to 1,000,000,000",
        ),
        (&["--portfolio", "0"], "--portfolio 0: expected 1 to"),
        (&["--threads", "0"], "--threads 0"),
        (&["--budget", "-5"], "--budget -5"),
        (&["--budget", "NaN"], "--budget NaN"),
        (
            &["--scenario", "ransomware/phishng/hospital"],
            "did you mean `ransomware/phishing/hospital`",
        ),
        (&["--scenario", "nothing"], "unknown scenario `nothing`"),
        (
            &["--stakeholder", "vendors"],
            "unknown stakeholder `vendors`",
        ),
        (
            &["--with", "firewall"],
            "--with firewall: expected one of the model's support items",
        ),
        (&["--portfolio", "5", "--providers", "6"], "--providers 6"),
        (&["--iterations", "many"], "invalid value 'many'"),
    ];
    for (flags, message) in cases {
        let mut args = vec!["risk", m];
        args.extend_from_slice(flags);
        let (code, stdout, stderr) = parts(&holisec(&args, None));
        assert_eq!(code, 2, "{flags:?}: {stdout}{stderr}");
        assert!(
            stderr.contains(message),
            "{flags:?}: expected `{message}` in\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn nonsense_distributions_are_rejected_by_validation() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "pert = [5, 3, 1]",
            "constant = 0.25",
            "uniform = [0, 1]",
            "low <= mode <= high",
        ),
        (
            "constant = -2",
            "constant = 0.25",
            "uniform = [0, 1]",
            "0 or more",
        ),
        (
            "constant = 2",
            "constant = 1.5",
            "uniform = [0, 1]",
            "0..=1",
        ),
        (
            "constant = 2",
            "constant = 0.25",
            "uniform = [0.5, 1.2]",
            "0..=1",
        ),
        (
            "constant = nan",
            "constant = 0.25",
            "uniform = [0, 1]",
            "not a finite number",
        ),
        (
            "lognormal_ci90 = [10, 1]",
            "constant = 0.25",
            "uniform = [0, 1]",
            "0 < low < high",
        ),
    ];
    for (i, (f, r, c, message)) in cases.iter().enumerate() {
        let path = write(
            dir.path(),
            &format!("bad{i}.toml"),
            &closed_form_model(f, r, c),
        );
        let (code, stdout, stderr) = parts(&holisec(
            &["risk", path.to_str().unwrap(), "-n", "1000"],
            None,
        ));
        assert_eq!(code, 2, "{f} {r} {c}: {stdout}{stderr}");
        assert!(
            stderr.contains(message),
            "expected `{message}` in\n{stderr}"
        );
        assert!(stdout.is_empty(), "{stdout}");
    }
}

#[test]
fn portfolio_reports_accumulation_through_shared_suppliers() {
    let dir = tempfile::tempdir().unwrap();
    // The threat also exploits the vendor's factor: a shared-supplier scenario.
    let text = closed_form_model("constant = 2", "constant = 0.25", "uniform = [0, 1]").replace(
        r#"exploits = ["phishing"]"#,
        r#"exploits = ["phishing", "remote"]"#,
    ) + r#"
[[vulnerability]]
id = "remote"
stakeholder = "vendor"
domain = "technology"
name = "Remote access"
resistance = { constant = 0.5, rationale = "test" }
"#;
    let path = write(dir.path(), "portfolio.toml", &text);
    let out = holisec(
        &[
            "risk",
            path.to_str().unwrap(),
            "-n",
            "1000",
            "--portfolio",
            "50",
            "--providers",
            "2",
            "--portfolio-iterations",
            "20000",
            "--json",
        ],
        None,
    );
    let (code, stdout, stderr) = parts(&out);
    assert_eq!(code, 0, "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let p = &r["portfolio"];
    assert_eq!(p["organisations"], 50);
    assert_eq!(
        p["shared_supplier_scenarios"][0],
        "ransomware/remote/hospital"
    );
    let ind = p["independent"]["percentiles"]["p99"].as_f64().unwrap();
    let shared = p["shared_suppliers"]["percentiles"]["p99"]
        .as_f64()
        .unwrap();
    assert!(shared > ind, "sharing fattens the tail: {shared} vs {ind}");
    let (ai, ashared) = (
        p["independent"]["ale"].as_f64().unwrap(),
        p["shared_suppliers"]["ale"].as_f64().unwrap(),
    );
    // Same expected loss: 50 x (1 x 0.75 + 1 x 0.5) x 5,000 = 312,500.
    for a in [ai, ashared] {
        assert!((a / 312_500.0 - 1.0).abs() < 0.05, "{a}");
    }
}

#[test]
fn runs_that_would_take_hours_are_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    // 200,000 attempts a year, 75% of them loss events: 1.5e11 draws at the default size.
    let path = write(
        dir.path(),
        "huge.toml",
        &closed_form_model("constant = 200000", "constant = 0.25", "uniform = [0, 1]"),
    );
    let (code, _, stderr) = parts(&holisec(&["risk", path.to_str().unwrap()], None));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--iterations 1000000: expected at most 33,333 simulated years"),
        "{stderr}"
    );
    let (code, _, stderr) = parts(&holisec(
        &["risk", path.to_str().unwrap(), "-n", "100"],
        None,
    ));
    assert_eq!(code, 0, "{stderr}");
}
