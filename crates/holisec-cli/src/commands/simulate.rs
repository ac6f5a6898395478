//! `holisec simulate`: phishing-led ransomware, supplier compromises and worms
//! spreading through a synthetic European healthcare ecosystem.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use holisec_api::simulate::{self as api, Overrides};
use holisec_sim::scenario::MAX_SCENARIO_BYTES;
use holisec_sim::summary::{Band, SimulationReport};

use crate::error::{CliError, CliResult, invalid};
use crate::input;
use crate::output::{print_json, print_report, write_text};
use crate::table::{Table, thousands, wrap};

/// Simulate how a phishing wave, a supplier compromise or a worm spreads
/// through a synthetic European healthcare ecosystem generated from the
/// model's populations (15,000 hospitals, 10 million staff at --scale 1).
///
/// The scenario, built in by name (`--list-scenarios`) or a TOML file (see
/// docs/simulation.md and scenarios/), lists campaigns (threat and target
/// ids of the model or one named organisation, start day, waves, volume),
/// parameters, interventions and what is published of named organisations
/// (`[[organisation]]`: a hospital's staff and segments, a supplier's
/// clients). Public incidents replayed from their
/// published facts (WannaCry 2017, the HSE 2021, Kaseya 2021, Synnovis 2024,
/// Düsseldorf 2020) are files in the repository's scenarios/replays/.
/// Prints a summary over replicates: mean and 5-95% band of organisations
/// infected and disrupted, hospital-days disrupted, credentials captured,
/// time to containment; for each organisation a campaign names, in how many
/// replicates it was infected, encrypted (and how much of its estate),
/// disrupted (and for how long) and switched off. Same seed = same output,
/// whatever --threads. Exit status 2 on invalid input.
#[derive(clap::Args)]
pub struct Args {
    /// Model file (the built-in European model when absent).
    model: Option<PathBuf>,
    /// Built-in scenario name (see --list-scenarios) or scenario file (TOML).
    #[arg(
        long,
        value_name = "NAME|FILE",
        required_unless_present = "list_scenarios"
    )]
    scenario: Option<String>,
    /// List the built-in scenarios and stop.
    #[arg(long)]
    list_scenarios: bool,
    /// Replicates (overrides the scenario), 1 to 100,000.
    #[arg(long, value_name = "R")]
    replicates: Option<u32>,
    /// Seed of the random streams (overrides the scenario).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Simulated days (overrides the scenario), 1 to 3,650.
    #[arg(long, value_name = "D")]
    days: Option<u32>,
    /// Scale of the populations (overrides the scenario), more than 0 and at most 10.
    #[arg(long, value_name = "F", allow_negative_numbers = true)]
    scale: Option<f64>,
    /// Run every replicate on the one network drawn from the seed (as the
    /// scenario's `fixed_network = true`); by default each replicate draws its
    /// own, so the bands include the network's variation.
    #[arg(long)]
    fixed_network: bool,
    /// Worker threads, 1 to 1024 (default: every core). Never changes the numbers.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Print the full report (summary, daily series, per-country series) as JSON.
    #[arg(long)]
    json: bool,
    /// Write series.csv, countries.csv, replicates.csv, organisations.csv and
    /// named-organisations.csv (the organisations campaigns name, replicate
    /// by replicate) into DIR (created when missing).
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
    /// Draw the epidemic curves with their 5-95% replicate band as SVG.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

/// The files `--csv DIR` writes, and what each holds.
const CSV_FILES: [(&str, &str); 5] = [
    ("series.csv", "daily series"),
    ("countries.csv", "per-country series"),
    ("replicates.csv", "per-replicate outcomes"),
    ("organisations.csv", "per-organisation outcomes"),
    (
        "named-organisations.csv",
        "named organisations' outcomes per replicate",
    ),
];

/// The scenario: a file when `arg` names one, else a built-in scenario.
pub(crate) fn scenario_source(arg: &str) -> CliResult<holisec_api::Source> {
    let path = Path::new(arg);
    if path.exists() {
        input::read_source(path, MAX_SCENARIO_BYTES, "scenario")
    } else {
        api::builtin_source(arg).map_err(input::api_error)
    }
}

fn list_scenarios(json: bool) -> CliResult {
    let list = api::builtin_scenarios();
    if json {
        return print_json(&list);
    }
    let mut out = String::from("Built-in scenarios (pass the name to --scenario):\n");
    for s in &list {
        out.push_str(&format!("\n{}\n  {}\n", s.name, s.summary));
    }
    print_report(&out)
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    if args.list_scenarios {
        return list_scenarios(args.json);
    }
    let scenario_file = args.scenario.as_deref().map(Path::new);
    let csv_files: Vec<PathBuf> = args
        .csv
        .iter()
        .flat_map(|dir| CSV_FILES.map(|(name, _)| dir.join(name)))
        .collect();
    let mut outputs = vec![("--svg", args.svg.as_deref())];
    outputs.extend(csv_files.iter().map(|f| ("--csv", Some(f.as_path()))));
    crate::paths::check_outputs(
        &outputs,
        &[
            ("model", args.model.as_deref()),
            ("scenario", scenario_file.filter(|p| p.is_file())),
        ],
    )?;
    let eco = input::load_model(args.model.as_deref())?.ecosystem;
    let source = scenario_source(args.scenario.as_deref().unwrap_or_default())?;
    let mut sc = input::usable(api::load(&eco, source).map_err(input::rejected)?);
    api::apply(
        &mut sc,
        &Overrides {
            replicates: args.replicates,
            seed: args.seed,
            days: args.days,
            scale: args.scale,
            fixed_network: args.fixed_network.then_some(true),
        },
    )
    .map_err(input::api_error)?;
    let pool = crate::threads::worker_pool(args.threads)?;
    let threads = pool.current_num_threads();
    api::check_memory(&eco, &sc, threads).map_err(input::api_error)?;
    // Long runs say what they will cost before they start.
    let estimate = api::estimate(&eco, &sc, threads).map_err(input::api_error)?;
    let seconds = estimate.seconds(threads);
    if seconds >= 10.0 {
        eprintln!(
            "holisec simulate: about {} on {} ({}, {} days, about {} at peak)",
            crate::progress::duration(seconds),
            holisec_api::count(threads, "thread"),
            holisec_api::count(sc.replicates as usize, "replicate"),
            thousands(f64::from(sc.days)),
            crate::output::size(usize::try_from(estimate.memory_bytes).unwrap_or(usize::MAX)),
        );
    }
    if let Some(dir) = &args.csv {
        if dir.exists() && !dir.is_dir() {
            return Err(invalid(format!(
                "--csv {}: expected a directory, found a file",
                dir.display()
            )));
        }
        // Created before the run so a bad path fails in a second, not after it.
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::Failed(anyhow::anyhow!(
                "--csv {}: cannot create the directory: {e}",
                dir.display()
            ))
        })?;
    }
    let bar = crate::progress::Bar::new(seconds >= 2.0);
    let report = pool
        .install(|| api::run(&eco, &sc, threads, &bar))
        .map_err(input::api_error)?;
    if let Some(dir) = &args.csv {
        let texts = [
            report.series_csv(),
            report.countries_csv(),
            report.replicates_csv(),
            report.organisations_csv(),
            report.named_csv(),
        ];
        for ((name, what), text) in CSV_FILES.into_iter().zip(texts) {
            write_text(Some(&dir.join(name)), &text, what)?;
        }
    }
    if let Some(path) = &args.svg {
        write_text(
            Some(path),
            &api::band_chart_svg(&report),
            "SVG epidemic curves",
        )?;
    }
    if args.json {
        print_json(&report)
    } else {
        print_report(&human(&report))
    }
}

fn band(b: &Band) -> [String; 3] {
    [mean_count(b.mean), mean_count(b.p5), mean_count(b.p95)]
}

/// A band of shares as percentages.
fn percent(b: &Band) -> Band {
    Band {
        mean: b.mean * 100.0,
        p5: b.p5 * 100.0,
        p50: b.p50 * 100.0,
        p95: b.p95 * 100.0,
    }
}

fn human(r: &SimulationReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} days, {}, seed {}, scale {}",
        r.scenario,
        thousands(f64::from(r.days)),
        holisec_api::count(r.replicates as usize, "replicate"),
        r.seed,
        r.scale
    );
    let kinds: Vec<String> = r
        .ecosystem
        .kinds
        .iter()
        .map(|(k, n)| format!("{} {}", thousands(*n as f64), k.as_str()))
        .collect();
    let ecosystem = format!(
        "ecosystem: {} organisations ({}), {} staff, {} segments; largest supplier serves {} organisations; {} sole providers of a care-critical service",
        thousands(r.organisations as f64),
        kinds.join(", "),
        thousands(r.staff as f64),
        thousands(r.ecosystem.segments as f64),
        thousands(r.ecosystem.largest_supplier_clients as f64),
        thousands(r.ecosystem.sole_providers as f64)
    );
    let _ = writeln!(out, "{}", wrap(&ecosystem, 2));
    let _ = writeln!(out);
    let s = &r.summary;
    let mut t = Table::new(&["outcome", ">mean", ">p5", ">p95"]);
    for (name, b) in [
        ("organisations infected", &s.orgs_infected),
        ("hospitals infected", &s.hospitals_infected),
        ("organisations encrypted", &s.orgs_encrypted),
        ("suppliers infected", &s.suppliers_infected),
        ("organisations disrupted", &s.orgs_disrupted),
        ("hospitals disrupted", &s.hospitals_disrupted),
        ("hospital-days disrupted", &s.hospital_days_disrupted),
        ("staff who clicked", &s.staff_clicked),
        ("staff credentials captured", &s.credentials_captured),
        ("time to containment (days)", &s.time_to_containment_days),
        (
            "share encrypted, encrypted orgs (%)",
            &percent(&s.mean_share_encrypted),
        ),
        ("hospitals >50% encrypted", &s.hospitals_over_half_encrypted),
        ("IT switch-offs (national, hospitals)", &s.switch_offs),
        (
            "orgs disrupted by a switch-off",
            &s.orgs_disrupted_by_switch_off,
        ),
        ("org-days under a switch-off", &s.switch_off_days),
        ("sole providers' services lost", &s.sole_provider_losses),
    ] {
        let [m, lo, hi] = band(b);
        t.row(vec![name.to_owned(), m, lo, hi]);
    }
    out.push_str(&t.render());
    let _ = writeln!(out);
    if !r.named.is_empty() {
        out.push_str(&named(r));
        let _ = writeln!(out);
    }
    let countries = api::countries_by_disruption(r);
    let affected: Vec<_> = countries
        .iter()
        .filter(|c| c.touched())
        .take(COUNTRY_ROWS)
        .collect();
    let mut t = Table::new(&[
        "country",
        ">hospitals",
        ">orgs infected",
        "?>org-days disrupted",
        ">hospital-days disrupted",
    ]);
    for c in &affected {
        t.row(vec![
            c.name.clone(),
            thousands(f64::from(c.hospitals)),
            mean_count(c.organisations_infected),
            mean_count(c.organisation_days_disrupted),
            mean_count(c.hospital_days_disrupted),
        ]);
    }
    if !affected.is_empty() {
        out.push_str(&t.render());
    }
    let rest = countries.len() - affected.len();
    let untouched = countries.iter().filter(|c| !c.touched()).count();
    let more = match (rest, untouched) {
        (0, _) => String::new(),
        (rest, untouched) if rest == untouched => {
            format!("; {rest} more countries with nothing infected or disrupted")
        }
        (rest, 0) => format!("; {rest} more countries, all less disrupted"),
        (rest, untouched) => format!(
            "; {rest} more countries, {untouched} of them with nothing infected or disrupted"
        ),
    };
    let every = if rest > 0 {
        " (every country: --json, or countries.csv with --csv DIR)"
    } else {
        ""
    };
    let _ = writeln!(out, "means over replicates{more}{every}");
    out
}

/// What happened to the organisations the campaigns name: in how many
/// replicates each outcome occurred, and how large it was when it did.
fn named(r: &SimulationReport) -> String {
    let mut t = Table::new(&[
        "named organisation",
        ">infected",
        ">encrypted",
        ">estate encrypted",
        ">disrupted",
        ">days disrupted",
        "?>switched off",
    ]);
    for o in &r.named {
        let share = &o.share_encrypted;
        let days = &o.days_disrupted;
        t.row(vec![
            o.id.clone(),
            o.infected.to_string(),
            o.encrypted.to_string(),
            if o.encrypted > 0 {
                format!(
                    "{:.0}% ({:.0}-{:.0})",
                    share.mean * 100.0,
                    share.p5 * 100.0,
                    share.p95 * 100.0
                )
            } else {
                "-".to_owned()
            },
            o.disrupted.to_string(),
            if o.disrupted > 0 {
                format!(
                    "{} ({}-{})",
                    mean_count(days.p50),
                    mean_count(days.p5),
                    mean_count(days.p95)
                )
            } else {
                "-".to_owned()
            },
            o.switched_off.to_string(),
        ]);
    }
    let note = format!(
        "replicates of {} in which it happened; estate encrypted: mean share of its segments \
         (5-95%) when encrypted; days disrupted: median (5-95%) when disrupted \
         (every replicate: named-organisations.csv with --csv DIR)",
        r.replicates
    );
    format!("{}{}\n", t.render(), wrap(&note, 2))
}

/// Rows of the per-country table in the terminal (the most disrupted).
const COUNTRY_ROWS: usize = 8;

/// A mean count: one decimal below 100, whole with thousands separators above.
fn mean_count(x: f64) -> String {
    if x.abs() >= 100.0 {
        thousands(x.round())
    } else {
        format!("{x:.1}")
    }
}
