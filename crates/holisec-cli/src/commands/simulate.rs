//! `holisec simulate`: phishing-led ransomware, supplier compromises and worms
//! spreading through a synthetic European healthcare ecosystem.

use std::fmt::Write;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use holisec_model::{Ecosystem, Loaded};
use holisec_sim::scenario::{MAX_SCENARIO_BYTES, Scenario, load_scenario_bytes};
use holisec_sim::summary::{Band, SimulationReport, estimate_memory};

use crate::error::{CliError, CliResult, invalid};
use crate::input::{self, ModelSource, load_model};
use crate::output::{print_json, write_text};
use crate::table::{Table, thousands};

/// Largest estimated peak memory of a run (the box has 24 GiB; leave room).
const MAX_MEMORY_BYTES: u64 = 12 * 1024 * 1024 * 1024;

/// Simulate how a phishing wave, a supplier compromise or a worm spreads
/// through a synthetic European healthcare ecosystem generated from the
/// model's populations (15,000 hospitals, 10 million staff at --scale 1).
///
/// The scenario file (TOML; see docs/simulation.md and scenarios/) lists
/// campaigns (threat and target ids of the model, start day, waves, volume),
/// parameters and interventions. Prints a summary over replicates: mean and
/// 5-95% band of organisations infected and disrupted, hospital-days
/// disrupted, credentials captured, time to containment. Same seed = same
/// output, whatever --threads. Exit status 2 on invalid input.
#[derive(clap::Args)]
pub struct Args {
    /// Model file (the built-in European model when absent).
    model: Option<PathBuf>,
    /// Scenario file (TOML).
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
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
    /// Worker threads, 1 to 1024 (default: every core). Never changes the numbers.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Print the full report (summary, daily series, per-country series) as JSON.
    #[arg(long)]
    json: bool,
    /// Write series.csv, countries.csv, replicates.csv and organisations.csv into DIR (created when missing).
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
    /// Draw the epidemic curves with their 5-95% replicate band as SVG.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

/// Reads the scenario, printing its diagnostics like model diagnostics (exit 2 on errors).
fn read_scenario(path: &Path, eco: &Ecosystem) -> CliResult<Scenario> {
    let bytes = input::read_limited(path, MAX_SCENARIO_BYTES as u64)?;
    let loaded = load_scenario_bytes(&bytes, eco);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    let source = ModelSource {
        name: path.display().to_string(),
        loaded: Loaded {
            text: loaded.text.clone(),
            file: None,
            ecosystem: None,
            diagnostics: loaded.diagnostics.clone(),
        },
    };
    input::print_diagnostics(&source, true);
    match loaded.scenario {
        Some(s) if errors == 0 => Ok(s),
        _ => {
            eprintln!(
                "error: `{}` is not a valid scenario ({})",
                path.display(),
                input::count(errors, "error")
            );
            Err(CliError::Reported(2))
        }
    }
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    if let Some(t) = args.threads
        && (t == 0 || t > 1024)
    {
        return Err(invalid(format!("--threads {t}: expected 1 to 1024")));
    }
    let eco = load_model(args.model.as_ref())?;
    let mut sc = read_scenario(&args.scenario, &eco)?;
    if let Some(r) = args.replicates {
        sc.replicates = r;
    }
    if let Some(s) = args.seed {
        sc.seed = s;
    }
    if let Some(d) = args.days {
        sc.days = d;
    }
    if let Some(f) = args.scale {
        sc.scale = f;
    }
    sc.check_settings().map_err(|e| invalid(format!("--{e}")))?;
    for c in &sc.campaigns {
        if c.start_day >= sc.days {
            return Err(invalid(format!(
                "campaign `{}` starts on day {}, after the last simulated day ({}): raise --days",
                c.name,
                c.start_day,
                sc.days - 1
            )));
        }
    }
    let pool = crate::threads::worker_pool(args.threads)?;
    let estimate = estimate_memory(&eco, &sc, pool.current_num_threads()).map_err(invalid)?;
    if estimate > MAX_MEMORY_BYTES {
        return Err(invalid(format!(
            "this run would need about {:.1} GiB of memory (limit {} GiB): lower --scale, --replicates or --days",
            estimate as f64 / (1u64 << 30) as f64,
            MAX_MEMORY_BYTES >> 30
        )));
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
    let bar = progress_bar(&sc);
    let report = pool
        .install(|| holisec_sim::simulate(&eco, &sc, &|done| bar.set_position(u64::from(done))))
        .map_err(invalid)?;
    bar.finish_and_clear();

    if let Some(dir) = &args.csv {
        write_text(Some(&dir.join("series.csv")), &report.series_csv())?;
        write_text(Some(&dir.join("countries.csv")), &report.countries_csv())?;
        write_text(Some(&dir.join("replicates.csv")), &report.replicates_csv())?;
        write_text(
            Some(&dir.join("organisations.csv")),
            &report.organisations_csv(),
        )?;
    }
    if let Some(path) = &args.svg {
        write_text(Some(path), &svg(&report)?)?;
    }
    if args.json {
        print_json(&report)
    } else {
        write_text(None, &human(&report))
    }
}

fn progress_bar(sc: &Scenario) -> indicatif::ProgressBar {
    let work = sc.scale * sc.replicates as f64 * sc.days as f64;
    if !std::io::stderr().is_terminal() || work < 365.0 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(u64::from(sc.replicates)),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "simulating [{bar:40}] {pos}/{len} replicates, eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn band(b: &Band) -> [String; 3] {
    let f = |x: f64| {
        if x.abs() >= 100.0 {
            thousands(x.round())
        } else {
            format!("{x:.1}")
        }
    };
    [f(b.mean), f(b.p5), f(b.p95)]
}

fn human(r: &SimulationReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} days, {} replicates, seed {}, scale {}",
        r.scenario, r.days, r.replicates, r.seed, r.scale
    );
    let kinds: Vec<String> = r
        .ecosystem
        .kinds
        .iter()
        .map(|(k, n)| format!("{} {}", thousands(*n as f64), k.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "ecosystem: {} organisations ({}), {} staff, {} segments; largest supplier serves {} organisations",
        thousands(r.organisations as f64),
        kinds.join(", "),
        thousands(r.staff as f64),
        thousands(r.ecosystem.segments as f64),
        thousands(r.ecosystem.largest_supplier_clients as f64)
    );
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
    ] {
        let [m, lo, hi] = band(b);
        t.row(vec![name.to_owned(), m, lo, hi]);
    }
    out.push_str(&t.render());
    // Most affected countries by mean hospital-days disrupted.
    let hd = holisec_sim::summary::HOSP_DISRUPTED;
    let ever = holisec_sim::summary::EVER;
    let mut countries: Vec<(f64, f64, &str, u32)> = r
        .countries
        .iter()
        .map(|c| {
            (
                c.mean[hd].iter().sum::<f64>(),
                c.mean[ever].last().copied().unwrap_or(0.0),
                c.name.as_str(),
                c.hospitals,
            )
        })
        .collect();
    countries.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
    let _ = writeln!(out);
    let mut t = Table::new(&[
        "country",
        ">hospitals",
        ">orgs infected (mean)",
        ">hospital-days disrupted (mean)",
    ]);
    for (days, inf, name, h) in countries.iter().take(8) {
        t.row(vec![
            (*name).to_owned(),
            thousands(*h as f64),
            format!("{inf:.1}"),
            format!("{days:.1}"),
        ]);
    }
    out.push_str(&t.render());
    out
}

fn svg(r: &SimulationReport) -> CliResult<String> {
    use holisec_render::timeseries::{BandChart, BandSeries, render_band_chart};
    let pick = |name: &str, label: &str| {
        r.series(name).map(|s| BandSeries {
            label: label.to_owned(),
            mean: s.mean.clone(),
            low: s.p5.clone(),
            high: s.p95.clone(),
        })
    };
    let series = [
        pick("ever_infected", "infected (cumulative)"),
        pick("disrupted", "disrupted (all kinds)"),
        pick("hospitals_disrupted", "hospitals disrupted"),
        pick("seg_infected", "segments infected"),
    ]
    .into_iter()
    .flatten()
    .filter(|s| s.label != "segments infected" || s.high.iter().any(|&x| x > 0.0))
    .collect();
    Ok(render_band_chart(&BandChart {
        title: format!("{} ({} replicates)", r.scenario, r.replicates),
        x_label: "day".to_owned(),
        y_label: "organisations / segments".to_owned(),
        series,
    }))
}
