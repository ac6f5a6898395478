//! `holisec simulate`: shipped scenarios, JSON, determinism, bad input, CSV files.

mod common;

use common::{holisec, parts, repo_root};

fn scenario(name: &str) -> String {
    repo_root()
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn shipped_scenarios_run_at_small_scale() {
    for name in [
        "europe-phishing-ransomware.toml",
        "supplier-compromise.toml",
        "worm-killswitch.toml",
    ] {
        let out = holisec(
            &[
                "simulate",
                "--scenario",
                &scenario(name),
                "--scale",
                "0.01",
                "--replicates",
                "2",
            ],
            None,
        );
        let (code, stdout, stderr) = parts(&out);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(stdout.contains("organisations infected"), "{stdout}");
        assert!(stdout.contains("hospital-days disrupted"), "{stdout}");
    }
}

fn json(threads: &str) -> String {
    json_with(threads, &[])
}

fn json_with(threads: &str, extra: &[&str]) -> String {
    let mut args = vec!["simulate"];
    args.extend_from_slice(extra);
    let out = holisec(
        &[
            args.as_slice(),
            &[
                "--scenario",
                &scenario("europe-phishing-ransomware.toml"),
                "--scale",
                "0.01",
                "--replicates",
                "4",
                "--days",
                "60",
                "--threads",
                threads,
                "--json",
            ],
        ]
        .concat(),
        None,
    );
    let (code, stdout, stderr) = parts(&out);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn json_parses_and_has_the_bench_fields() {
    let text = json("2");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["days"], 60);
    assert_eq!(v["replicates"], 4);
    assert!(v["organisations"].as_u64().unwrap() > 1000);
    assert!(v["staff"].as_u64().unwrap() >= 100_000);
    assert!(v.get("elapsed_seconds").is_none());
    assert_eq!(v["series"].as_array().unwrap().len(), 26);
    assert_eq!(v["series"][0]["mean"].as_array().unwrap().len(), 60);
    assert!(v["summary"]["orgs_infected"]["mean"].is_number());
}

#[test]
fn output_is_identical_for_one_and_four_threads() {
    assert_eq!(json("1"), json("4"));
}

#[test]
fn fixed_network_runs_every_replicate_on_one_network() {
    let fixed = json_with("2", &["--fixed-network"]);
    assert_eq!(fixed, json_with("1", &["--fixed-network"]));
    let v: serde_json::Value = serde_json::from_str(&fixed).unwrap();
    assert_eq!(v["fixed_network"], true);
    let redrawn: serde_json::Value = serde_json::from_str(&json("2")).unwrap();
    assert_eq!(redrawn["fixed_network"], false);
    assert_ne!(v["per_replicate"], redrawn["per_replicate"]);
}

#[test]
fn bad_scenario_exits_2_with_file_line_column() {
    let bad = repo_root().join("crates/holisec-sim/tests/bad-scenarios/unknown-threat.toml");
    let out = holisec(
        &["simulate", "--scenario", &bad.display().to_string()],
        None,
    );
    let (code, _, stderr) = parts(&out);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown-threat.toml:8:10"), "{stderr}");
    assert!(stderr.contains("unknown threat `ransomwar`"), "{stderr}");
    assert!(stderr.contains("did you mean `ransomware`?"), "{stderr}");
    assert!(
        stderr.contains("unknown threat `nothing-like-it`"),
        "all errors at once: {stderr}"
    );
    // Flags out of range.
    for flags in [["--scale", "0"], ["--replicates", "0"], ["--days", "0"]] {
        let mut args = vec!["simulate", "--scenario"];
        let s = scenario("worm-killswitch.toml");
        args.push(&s);
        args.extend(flags);
        let (code, _, stderr) = parts(&holisec(&args, None));
        assert_eq!(code, 2, "{flags:?}: {stderr}");
    }
    // A run too large for memory is refused up front.
    let s = scenario("worm-killswitch.toml");
    let (code, _, stderr) = parts(&holisec(
        &[
            "simulate",
            "--scenario",
            &s,
            "--scale",
            "10",
            "--days",
            "3650",
            "--replicates",
            "100000",
        ],
        None,
    ));
    assert_eq!(code, 2);
    assert!(stderr.contains("GiB"), "{stderr}");
}

#[test]
fn a_named_organisation_is_checked_with_positions_and_at_run_time() {
    let bad = repo_root().join("crates/holisec-sim/tests/bad-scenarios/organisation.toml");
    let (code, _, stderr) = parts(&holisec(
        &["simulate", "--scenario", &bad.display().to_string()],
        None,
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("organisation.toml:14:16"), "{stderr}");
    assert!(
        stderr.contains("unknown organisation `hospitl-DE-0001`"),
        "{stderr}"
    );
    // Well formed, but not there at this scale: refused before the run.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one-hospital.toml");
    std::fs::write(
        &file,
        "[[campaign]]\nvector = \"intrusion\"\nthreat = \"ransomware\"\norganisation = \"hospital-IE-0500\"\n",
    )
    .unwrap();
    let (code, _, stderr) = parts(&holisec(
        &[
            "simulate",
            "--scenario",
            &file.display().to_string(),
            "--scale",
            "0.05",
            "--replicates",
            "1",
        ],
        None,
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`hospital-IE-0500`"), "{stderr}");
    assert!(stderr.contains("hospital-IE-0000 to"), "{stderr}");
}

#[test]
fn a_suppliers_given_clients_are_checked_with_positions_and_at_run_time() {
    let bad = repo_root().join("crates/holisec-sim/tests/bad-scenarios/organisation-clients.toml");
    let (code, _, stderr) = simulate(&bad.display().to_string(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("organisation-clients.toml:20:11"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`clients` of `hospital-DE-0001`"),
        "{stderr}"
    );
    // Well formed, but more hospitals than Ireland has at this scale.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("laboratory.toml");
    let write = |hospitals: u32| {
        std::fs::write(
            &file,
            format!(
                "[[organisation]]\nid = \"supplier-0002\"\nclients = {{ country = \"IE\", hospitals = {hospitals} }}\n\n[[campaign]]\nvector = \"intrusion\"\nthreat = \"ransomware\"\norganisation = \"supplier-0002\"\n"
            ),
        )
        .unwrap();
        file.display().to_string()
    };
    let (code, _, stderr) = simulate(&write(200), &["--scale", "0.1", "--replicates", "1"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("`supplier-0002`: 20 client hospitals in IE at scale 0.1 (200 at scale 1), where the synthetic ecosystem has 10"),
        "{stderr}"
    );
    // Within the country's count, the run reports the supplier at its new home.
    let args = [
        "--scale",
        "0.1",
        "--replicates",
        "1",
        "--days",
        "20",
        "--json",
    ];
    let (code, stdout, stderr) = simulate(&write(20), &args);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let named = &v["named"][0];
    assert_eq!(named["id"], "supplier-0002");
    assert_eq!(
        named["country"], "IE",
        "its home moves to its clients' country"
    );
}

/// `holisec simulate` on the replay `name` (in `scenarios/replays/`) with `args`.
fn replay(name: &str, args: &[&str]) -> (i32, String, String) {
    simulate(&scenario(&format!("replays/{name}")), args)
}

/// `holisec simulate` on the scenario file `file` with `args`.
fn simulate(file: &str, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["simulate", "--scenario", file];
    all.extend_from_slice(args);
    parts(&holisec(&all, None))
}

#[test]
fn replays_run_and_report_encryption_and_switch_offs() {
    let (code, stdout, stderr) = replay(
        "hse-conti-2021.toml",
        &[
            "--scale",
            "0.02",
            "--replicates",
            "4",
            "--days",
            "90",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let s = &v["summary"];
    // The national system switches its IT off in exactly the runs in which
    // its encryption reached the threshold (0.5 of its estate).
    let national = &v["named"][0];
    assert_eq!(national["id"], "national-system-IE");
    let runs = national["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 4);
    let mut switched = 0;
    for run in runs {
        assert_eq!(run["encrypted"], true, "{run}");
        let over = run["share_encrypted"].as_f64().unwrap() >= 0.5;
        assert_eq!(run["switched_off"], over, "{run}");
        switched += usize::from(over);
    }
    assert!(switched > 0, "no run reached the threshold: {s}");
    assert_eq!(
        s["switch_offs"]["mean"].as_f64(),
        Some(switched as f64 / 4.0),
        "{s}"
    );
    assert!(s["orgs_disrupted_by_switch_off"]["mean"].as_f64().unwrap() > 1.0);
    assert!(s["switch_off_days"]["mean"].as_f64().unwrap() > 0.0);
    assert!(s["hospitals_over_half_encrypted"]["mean"].is_number());
}

/// The losses of a sole provider's service and the ecosystem's sole
/// providers reach the table and the JSON, with the same numbers; each
/// replicate counts the times its laboratory went down.
#[test]
fn sole_providers_and_their_losses_are_reported() {
    let args = ["--scale", "0.05", "--replicates", "4", "--days", "60"];
    let (code, stdout, stderr) = replay("synnovis-2024.toml", &args);
    assert_eq!(code, 0, "{stderr}");
    let (code, json, stderr) = replay("synnovis-2024.toml", &[&args[..], &["--json"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sole = v["ecosystem"]["sole_providers"].as_u64().unwrap();
    assert!(sole > 0, "{}", v["ecosystem"]);
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!("{sole} sole providers of a care-critical service")),
        "{stdout}"
    );
    let runs: Vec<f64> = v["per_replicate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sole_provider_losses"].as_f64().unwrap())
        .collect();
    // Seed 1 (the replay's): a sole provider's service is lost in three of
    // the four replicates, once each.
    assert_eq!(runs, [1.0, 1.0, 1.0, 0.0]);
    let mean = v["summary"]["sole_provider_losses"]["mean"]
        .as_f64()
        .unwrap();
    assert_eq!(mean, 0.75);
    let row = stdout
        .lines()
        .find(|l| l.starts_with("sole providers' services lost"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(
        row.split_whitespace().rev().take(3).collect::<Vec<_>>(),
        ["1.0", "0.0", "0.8"],
        "{row}"
    );
}

/// A replay of one hospital's incident says what happened to that hospital:
/// in how many replicates it was infected, encrypted, disrupted and for how
/// long, in the terminal, the JSON and a CSV row per replicate.
#[test]
fn a_named_organisations_outcome_is_reported_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--scale", "0.05", "--replicates", "3"];
    let (code, stdout, stderr) = replay("duesseldorf-2020.toml", &args);
    assert_eq!(code, 0, "{stderr}");
    let table: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("named organisation"))
        .collect();
    assert!(table[0].contains("days disrupted"), "{stdout}");
    let row: Vec<&str> = table[2].split_whitespace().collect();
    // Intruded on day 0 in every replicate.
    assert_eq!(row[..2], ["hospital-DE-0040", "3"], "{stdout}");
    assert!(table[3].starts_with("replicates of 3 in which it happened"));
    let (_, stdout, _) = replay("duesseldorf-2020.toml", &[&args[..], &["--json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let named = &v["named"][0];
    assert_eq!(named["id"], "hospital-DE-0040");
    assert_eq!(named["infected"], 3);
    assert_eq!(named["runs"].as_array().unwrap().len(), 3);
    let csv_dir = dir.path().display().to_string();
    let (code, _, stderr) = replay(
        "duesseldorf-2020.toml",
        &[&args[..], &["--csv", &csv_dir]].concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("named-organisations.csv"), "{stderr}");
    let csv = std::fs::read_to_string(dir.path().join("named-organisations.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1].starts_with("hospital-DE-0040,0,"), "{csv}");
    assert_eq!(
        lines[1..]
            .iter()
            .filter(|l| l.split(',').nth(4) == Some("true"))
            .count(),
        3,
        "infected in every replicate: {csv}"
    );
    // A run naming no organisation has no such table.
    let (_, stdout, _) = simulate(
        &scenario("supplier-compromise.toml"),
        &["--scale", "0.01", "--replicates", "2", "--days", "30"],
    );
    assert!(!stdout.contains("named organisation"), "{stdout}");
}

/// The terminal's country table lists only the countries touched and says
/// how many more there are: a worm confined to the UK (national sharing)
/// infects and disrupts nothing elsewhere, so one row and 27 untouched.
#[test]
fn country_table_lists_the_countries_touched_and_counts_the_rest() {
    let (code, stdout, stderr) = replay(
        "wannacry-nhs-2017.toml",
        &["--scale", "0.05", "--replicates", "2"],
    );
    assert_eq!(code, 0, "{stderr}");
    let table: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("country "))
        .collect();
    assert!(table[0].contains("org-days disrupted"), "{stdout}");
    let rows: Vec<&str> = table[2..]
        .iter()
        .copied()
        .take_while(|l| !l.starts_with("means over replicates"))
        .collect();
    assert_eq!(rows.len(), 1, "{stdout}");
    assert!(rows[0].starts_with("United Kingdom"), "{stdout}");
    let after: String = table[2 + rows.len()..].join(" ");
    assert!(
        after.contains("27 more countries with nothing infected or disrupted"),
        "{stdout}"
    );
}

/// Past the table's eight rows, a run that touched every country says so
/// instead of counting "0 of them with nothing infected or disrupted".
#[test]
fn countries_past_the_table_are_counted_by_what_happened_there() {
    let (code, stdout, stderr) = simulate(
        &scenario("supplier-compromise.toml"),
        &["--scale", "0.1", "--replicates", "2", "--days", "60"],
    );
    assert_eq!(code, 0, "{stderr}");
    let footer: String = stdout
        .lines()
        .skip_while(|l| !l.starts_with("means over replicates"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        footer.contains("20 more countries, all less disrupted"),
        "{stdout}"
    );
    assert!(!footer.contains("0 of them"), "{stdout}");
}

/// A terminal narrower than the country table's numbers (40 columns, the
/// narrowest `COLUMNS` honoured): the optional column goes first, names are
/// cut, numbers kept whole, and nothing panics (it did: the text column was
/// shrunk by more than its width).
#[test]
fn a_narrow_terminal_cuts_names_and_keeps_numbers() {
    let file = repo_root().join("scenarios/replays/wannacry-nhs-2017.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(["simulate", "--scenario", &file.display().to_string()])
        .args(["--scale", "0.05", "--replicates", "2"])
        .env("NO_COLOR", "1")
        .env("COLUMNS", "40")
        .output()
        .expect("holisec runs");
    let (code, stdout, stderr) = parts(&out);
    assert_eq!(code, 0, "{stderr}");
    let table: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("country"))
        .collect();
    assert!(!table[0].contains("org-days"), "{stdout}");
    // Lines longer than the terminal are wrapped after the table is cut.
    assert!(
        table.iter().any(|l| l.starts_with("United King…  ")),
        "{stdout}"
    );
    assert!(
        table
            .iter()
            .any(|l| l.starts_with("(1 column hidden, text cut")),
        "{stdout}"
    );
}

#[test]
fn csv_writes_files_only_in_the_given_directory() {
    let root = tempfile::tempdir().unwrap();
    // Missing (nested) directories are created, like `-o` creates a file.
    let dir_path = root.path().join("runs").join("supplier");
    let dir = dir_path.as_path();
    let cwd = tempfile::tempdir().unwrap();
    let out = holisec(
        &[
            "simulate",
            "--scenario",
            &scenario("supplier-compromise.toml"),
            "--scale",
            "0.01",
            "--replicates",
            "2",
            "--csv",
            &dir.display().to_string(),
        ],
        Some(cwd.path()),
    );
    let (code, _, stderr) = parts(&out);
    assert_eq!(code, 0, "{stderr}");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "countries.csv",
            "named-organisations.csv",
            "organisations.csv",
            "replicates.csv",
            "series.csv"
        ]
    );
    // No campaign of this scenario names an organisation: the header alone.
    let named = std::fs::read_to_string(dir.join("named-organisations.csv")).unwrap();
    assert_eq!(named.lines().count(), 1, "{named}");
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
    let series = std::fs::read_to_string(dir.join("series.csv")).unwrap();
    assert!(series.starts_with("day,series,mean,p5,p95\n0,org_clean,"));
}

#[test]
fn csv_into_an_existing_file_is_refused_before_the_run() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("not-a-dir");
    std::fs::write(&file, "keep me").unwrap();
    let out = holisec(
        &[
            "simulate",
            "--scenario",
            &scenario("supplier-compromise.toml"),
            "--scale",
            "0.01",
            "--csv",
            &file.display().to_string(),
        ],
        None,
    );
    let (code, _, stderr) = parts(&out);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("expected a directory"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn svg_draws_the_epidemic_curves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("worm.svg");
    let out = holisec(
        &[
            "simulate",
            "--scenario",
            &scenario("worm-killswitch.toml"),
            "--scale",
            "0.01",
            "--replicates",
            "3",
            "--svg",
            &path.display().to_string(),
        ],
        None,
    );
    let (code, _, stderr) = parts(&out);
    assert_eq!(code, 0, "{stderr}");
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..80]
    );
    assert!(svg.contains("infected (cumulative)"));
    assert!(svg.contains("segments infected"));
}
