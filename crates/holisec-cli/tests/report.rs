//! `holisec report` end to end: the HTML checked by an HTML validator and by
//! axe-core in Debian's chromium (no external request, no script, figures
//! with text alternatives), the PDF turned into pages (`pdftoppm`) and words
//! (`pdftotext`) whose headline numbers equal those `holisec risk`,
//! `holisec simulate` and `holisec assess plan` print as JSON for the same
//! inputs; the same inputs and seed give the same bytes; bad input is
//! refused before an engine runs and leaves nothing behind.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{parts, repo_root, tool};
use holisec_model::number::thousands;
use serde_json::Value;

const SEED: &str = "7";
const YEARS: &str = "20000";

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("HOLISEC_DB")
        .output()
        .expect("holisec runs")
}

fn ok(out: &Output) -> String {
    let (code, stdout, stderr) = parts(out);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    stdout
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&ok(out)).expect("JSON on stdout")
}

/// The shipped phishing campaign at a twentieth of Europe, 4 replicates, 120
/// days: the same mechanisms in a second of a debug build.
fn small_scenario(dir: &Path) -> PathBuf {
    let text =
        std::fs::read_to_string(repo_root().join("scenarios/europe-phishing-ransomware.toml"))
            .expect("shipped scenario");
    let text = text
        .replace("days = 365", "days = 120")
        .replace("replicates = 20", "replicates = 4")
        .replace("scale = 1.0", "scale = 0.05");
    assert!(
        text.contains("scale = 0.05"),
        "the scenario file changed shape"
    );
    let path = dir.join("small.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn money(x: f64) -> String {
    format!("€{}", thousands(x))
}

/// Runs `tests-js/report-check.mjs` on `html`: validator, axe-core, requests.
fn browser_check(html: &Path, screenshots: &Path) -> Option<Value> {
    let node = tool("node")?;
    let modules = repo_root().join("tests-js/node_modules");
    if !modules.join("html-validate").is_dir() || !modules.join("axe-core").is_dir() {
        assert!(
            std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "tests-js/node_modules lacks html-validate or axe-core; run scripts/test.sh"
        );
        eprintln!("skipping: tests-js/node_modules not installed");
        return None;
    }
    tool("chromium")?;
    let out = Command::new(node)
        .arg(repo_root().join("tests-js/report-check.mjs"))
        .arg(html)
        .arg(screenshots)
        .output()
        .expect("node runs");
    Some(json(&out))
}

#[test]
fn the_report_is_valid_offline_html_and_a_pdf_whose_numbers_are_the_clis() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = small_scenario(d);
    let scenario = scenario.to_str().unwrap();
    let evidence = repo_root().join("data/vcdb/vcdb-healthcare.jsonl");
    let evidence = evidence.to_str().unwrap();
    let pdftotext = tool("pdftotext");
    let chromium = tool("chromium");
    let mut args = vec![
        "report",
        "--iterations",
        YEARS,
        "--seed",
        SEED,
        "--scenario",
        scenario,
        "--evidence",
        evidence,
        "-o",
        "report.html",
        "--json",
    ];
    if chromium.is_some() {
        args.extend(["--pdf", "report.pdf"]);
    }
    let out = run(&args, d);
    let report = json(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wrote report.html (HTML report"),
        "{stderr}"
    );

    // The reader's risk is `holisec risk --stakeholder READER --compare --budget B`.
    let reader = report["reader"].as_str().unwrap();
    assert_eq!(reader, "healthcare-organisations");
    let risk = json(&run(
        &[
            "risk",
            "--stakeholder",
            reader,
            "--compare",
            "--budget",
            "100000",
            "--iterations",
            YEARS,
            "--seed",
            SEED,
            "--json",
        ],
        d,
    ));
    let summary = &report["summary"];
    assert_eq!(summary["reader_ale"], risk["total"]["ale"]);
    assert_eq!(summary["reader_p95"], risk["total"]["percentiles"]["p95"]);
    let scenarios = risk["scenarios"].as_array().unwrap();
    let mut ales: Vec<f64> = scenarios
        .iter()
        .map(|s| s["ale"].as_f64().unwrap())
        .collect();
    ales.sort_by(|a, b| b.total_cmp(a));
    let largest = summary["largest_risks"].as_array().unwrap();
    assert_eq!(largest.len(), 3);
    for (row, ale) in largest.iter().zip(&ales) {
        assert_eq!(row["ale"].as_f64().unwrap(), *ale, "{row}");
        let same = scenarios
            .iter()
            .find(|s| s["id"] == row["scenario"])
            .unwrap();
        assert_eq!(row["ale"], same["ale"]);
    }
    let singles = risk["comparison"]["single_items"].as_array().unwrap();
    for (row, item) in summary["best_support"]
        .as_array()
        .unwrap()
        .iter()
        .zip(singles)
    {
        assert_eq!(row["id"], item["id"]);
        assert_eq!(row["delta_ale"], item["delta_ale"]);
        assert_eq!(row["per_euro"], item["delta_ale_per_euro"]);
    }
    assert_eq!(
        report["risk"]["budget_choice"]["id"],
        risk["comparison"]["combinations"][0]["id"]
    );

    // The whole model's rows are `holisec risk`'s.
    let whole = json(&run(
        &["risk", "--iterations", YEARS, "--seed", SEED, "--json"],
        d,
    ));
    let rows = report["risk"]["per_organisation"].as_array().unwrap();
    let theirs = whole["per_organisation"].as_array().unwrap();
    assert_eq!(rows.len(), theirs.len());
    for (row, other) in rows.iter().zip(theirs) {
        assert_eq!(row["id"], other["stakeholder"]);
        assert_eq!(row["ale"], other["summary"]["ale"]);
    }

    // The simulation is `holisec simulate` on the same scenario.
    let sim = json(&run(
        &["simulate", "--scenario", scenario, "--seed", SEED, "--json"],
        d,
    ));
    let measures = report["simulation"]["measures"].as_array().unwrap();
    for key in [
        "hospitals_infected",
        "hospitals_disrupted",
        "orgs_encrypted",
        "switch_offs",
        "sole_provider_losses",
    ] {
        let row = measures.iter().find(|m| m["key"] == key).unwrap();
        assert_eq!(row["mean"], sim["summary"][key]["mean"], "{key}");
        assert_eq!(row["p95"], sim["summary"][key]["p95"], "{key}");
    }
    // The share encrypted is shown in percent.
    let share = measures
        .iter()
        .find(|m| m["key"] == "mean_share_encrypted")
        .unwrap();
    let sim_share = sim["summary"]["mean_share_encrypted"]["mean"]
        .as_f64()
        .unwrap();
    assert!((share["mean"].as_f64().unwrap() - 100.0 * sim_share).abs() < 1e-9);
    // The interventions cannot make things worse on common random numbers here.
    let infected = measures
        .iter()
        .find(|m| m["key"] == "staff_clicked")
        .unwrap();
    assert!(infected["with_package"].as_f64().unwrap() < infected["mean"].as_f64().unwrap());

    // Evidence: the real VCDB healthcare records are counted and calibrate.
    let ev = &report["evidence"];
    assert!(ev["incidents"].as_u64().unwrap() > 2000, "{ev}");
    assert!(!ev["shares"].as_array().unwrap().is_empty());

    // Method: every number of the built-in model is listed, with provenance.
    let eco = holisec_api::model::builtin().value.ecosystem;
    let expected = eco
        .stakeholders
        .iter()
        .filter(|s| s.population.is_some())
        .count()
        + eco.vulnerabilities.len()
        + eco
            .threats
            .iter()
            .map(|t| 3 + usize::from(t.secondary_loss.is_some()))
            .sum::<usize>()
        + 2 * eco.supports.len()
        + eco.relations.len()
        + eco.countries.len();
    let numbers = report["method"]["model_numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), expected);
    assert_eq!(report["method"]["unsourced"], 0);
    assert!(
        numbers
            .iter()
            .all(|n| n["source"].is_string() || n["rationale"].is_string())
    );

    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "the report carries no script");
    for title in [
        "Summary",
        "The ecosystem",
        "Risk in euros",
        "Simulation of an attack wave",
        "Evidence from incidents",
        "Method and provenance",
    ] {
        assert!(html.contains(&format!("{title}</h2>")), "{title}");
    }
    assert!(html.contains(&money(summary["reader_ale"].as_f64().unwrap())));

    // Validator, accessibility and requests, in a real browser.
    let screens = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screens");
    std::fs::create_dir_all(&screens).unwrap();
    if let Some(check) = browser_check(&d.join("report.html"), &screens) {
        assert_eq!(check["validator"]["valid"], true, "{}", check["validator"]);
        let serious: Vec<&Value> = check["axe"]["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
            .collect();
        assert!(serious.is_empty(), "{serious:?}");
        assert_eq!(check["external_requests"], Value::Array(vec![]));
        assert_eq!(check["images_without_text"], Value::Array(vec![]));
        assert_eq!(check["scripts"], 0);
        let headings: Vec<&str> = check["headings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(headings.contains(&"Risk in euros"), "{headings:?}");
        eprintln!("screenshots of the report in {}", screens.display());
    }

    // The PDF: pages, page numbers, section titles and the headline numbers.
    let (Some(pdftotext), Some(_)) = (pdftotext, chromium) else {
        return;
    };
    let pdftoppm = tool("pdftoppm").expect("poppler-utils has both");
    let pdf = d.join("report.pdf");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let text = Command::new(pdftotext).arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for title in [
        "Summary",
        "The ecosystem",
        "Risk in euros",
        "Simulation of an attack wave",
        "Evidence from incidents",
        "Method and provenance",
        "Page 1 of",
    ] {
        assert!(words.contains(title), "{title} not in the PDF");
    }
    for row in largest {
        assert!(
            words.contains(&money(row["ale"].as_f64().unwrap())),
            "{row}"
        );
    }
    assert!(words.contains(&money(summary["reader_ale"].as_f64().unwrap())));
    assert!(words.contains(&money(summary["reader_p95"].as_f64().unwrap())));
    let infected = measures
        .iter()
        .find(|m| m["key"] == "hospitals_infected")
        .unwrap();
    // Means below 100 keep one decimal, as in the HTML.
    let mean = infected["mean"].as_f64().unwrap();
    let shown = if mean < 100.0 {
        format!("{mean:.1}")
    } else {
        thousands(mean)
    };
    assert!(words.contains(&shown), "{shown}");
    // The summary holds on one page (page 2, after the contents), and
    // Figure 1 has the next one to itself.
    let page_text = |n: &str| {
        let out = Command::new(tool("pdftotext").unwrap())
            .args(["-f", n, "-l", n])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let summary_page = page_text("2");
    for part in [
        "Summary",
        "The three largest risks",
        "The two support items",
        "An attack wave across the system",
    ] {
        assert!(
            summary_page.contains(part),
            "{part} not on page 2: {summary_page}"
        );
    }
    assert!(page_text("3").contains("Figure 1."));
    let pages = d.join("page");
    let out = Command::new(pdftoppm)
        .args(["-r", "30", "-png"])
        .arg(&pdf)
        .arg(&pages)
        .output()
        .unwrap();
    assert!(out.status.success());
    let pngs = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("page-"))
        .count();
    let last = format!("Page {pngs} of {pngs}");
    assert!(pngs >= 8, "{pngs} pages");
    assert!(words.contains(&last), "no `{last}` in the PDF");
}

#[test]
fn same_inputs_and_seed_give_the_same_bytes_and_stdout_takes_the_html() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = |seed: &'static str, out: &'static str| {
        vec![
            "report",
            "--no-simulation",
            "--iterations",
            "5000",
            "--seed",
            seed,
            "-o",
            out,
        ]
    };
    ok(&run(&args("3", "a.html"), d));
    ok(&run(&args("3", "b.html"), d));
    ok(&run(&args("4", "c.html"), d));
    let read = |name: &str| std::fs::read(d.join(name)).unwrap();
    assert_eq!(read("a.html"), read("b.html"));
    assert_ne!(read("a.html"), read("c.html"));
    // Without -o (stdout not a terminal) the document goes to stdout, and
    // --date is the only way a date enters it.
    let out = ok(&run(
        &[
            "report",
            "--no-simulation",
            "--iterations",
            "5000",
            "--seed",
            "3",
            "--date",
            "5 December 2026",
        ],
        d,
    ));
    assert!(out.starts_with("<!DOCTYPE html>"));
    assert!(out.contains("Generated 5 December 2026."));
    assert!(!String::from_utf8_lossy(&read("a.html")).contains("Generated"));
}

#[test]
fn an_organisations_report_holds_its_assessment_and_plan_and_only_reads_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("h.db");
    let db = db.to_str().unwrap();
    ok(&run(&["assess", "new", "--org", "St Mary", "--db", db], d));
    let items: Vec<String> = include_str!("../../../questionnaires/hospital.toml")
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .map(|l| l.trim_end_matches('"').to_owned())
        .filter(|id| id != "hospital")
        .collect();
    let mut csv = String::from("item,level\n");
    for (i, item) in items.iter().enumerate() {
        csv.push_str(&format!("{item},{}\n", i % 3));
    }
    std::fs::write(d.join("answers.csv"), csv).unwrap();
    ok(&run(
        &["assess", "answer", "1", "--file", "answers.csv", "--db", db],
        d,
    ));
    let before = std::fs::read(d.join("h.db")).unwrap();
    let report = json(&run(
        &[
            "report",
            "--org",
            "st mary",
            "--db",
            db,
            "--no-simulation",
            "--iterations",
            YEARS,
            "--seed",
            SEED,
            "-o",
            "org.html",
            "--json",
        ],
        d,
    ));
    assert_eq!(
        std::fs::read(d.join("h.db")).unwrap(),
        before,
        "the report only reads"
    );
    let a = &report["assessment"];
    assert_eq!(a["organisation"], "St Mary");
    assert_eq!(a["history"].as_array().unwrap().len(), 1);
    let plan = json(&run(
        &[
            "assess",
            "plan",
            "1",
            "--iterations",
            YEARS,
            "--seed",
            SEED,
            "--budget",
            "100000",
            "--json",
            "--db",
            db,
        ],
        d,
    ));
    assert_eq!(plan["reused"], false, "the report stored no plan");
    assert_eq!(a["ale"], plan["baseline"]["ale"]);
    assert_eq!(a["p95"], plan["baseline"]["p95"]);
    assert_eq!(a["selected_cost"], plan["selected_cost"]);
    let first = &plan["actions"][0];
    assert_eq!(a["steps"][0]["item"], first["item"]);
    assert_eq!(a["steps"][0]["delta_expected"], first["delta_expected"]);
    let html = std::fs::read_to_string(d.join("org.html")).unwrap();
    assert!(html.contains("Self-assessment: St Mary</h2>"));
    assert!(html.contains(&money(a["ale"].as_f64().unwrap())));
}

#[test]
fn bad_input_is_refused_before_any_engine_runs_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("model.toml"), "not = [valid").unwrap();
    std::fs::write(d.join("garbage.jsonl"), "{not json\n").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "report",
                "--for",
                "nobody",
                "-o",
                "r.html",
                "--no-simulation",
            ],
            "unknown stakeholder `nobody`",
        ),
        (
            &["report", "--iterations", "0", "-o", "r.html"],
            "--iterations 0",
        ),
        (
            &["report", "--scenario", "no-such-scenario", "-o", "r.html"],
            "no-such-scenario",
        ),
        (&["report", "model.toml", "-o", "r.html"], "model.toml:1:"),
        (
            &["report", "model.toml", "-o", "model.toml"],
            "that is the model this command reads",
        ),
        (
            &["report", "--evidence", "garbage.jsonl", "-o", "r.html"],
            "garbage.jsonl",
        ),
        (
            &[
                "report", "--org", "Nobody", "--db", "none.db", "-o", "r.html",
            ],
            "none.db",
        ),
        (
            &[
                "report",
                "--budget",
                "-5",
                "-o",
                "r.html",
                "--no-simulation",
            ],
            "--budget -5",
        ),
    ];
    for (args, expected) in cases {
        let (code, _, stderr) = parts(&run(args, d));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: expected `{expected}` in\n{stderr}"
        );
        assert!(!d.join("r.html").exists(), "{args:?} wrote a report");
    }
    assert_eq!(
        std::fs::read_to_string(d.join("model.toml")).unwrap(),
        "not = [valid"
    );
    assert!(!d.join("none.db").exists(), "a read opened no new database");

    // No browser on PATH: a clear error before the engines run, no file.
    let out = Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(["report", "-o", "r.html", "--pdf", "r.pdf"])
        .current_dir(d)
        .env("PATH", d)
        .output()
        .unwrap();
    let (code, _, stderr) = parts(&out);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no Chromium to print the PDF with"),
        "{stderr}"
    );
    assert!(!d.join("r.pdf").exists() && !d.join("r.html").exists());
}
