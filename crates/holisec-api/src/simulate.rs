//! Attack propagation: a scenario (built in by name, or a file's text),
//! the user's overrides, the checks that keep a run finite, the run, and its
//! epidemic-curve chart.

use holisec_model::Ecosystem;
use holisec_sim::builtin as builtin_scenarios;
use holisec_sim::scenario::{MAX_SCENARIO_BYTES, Scenario, load_scenario};
use holisec_sim::summary::{SimulationReport, estimate_memory};
use serde::{Deserialize, Serialize};

use crate::source::{Checked, Rejected, Source, checked};
use crate::{ApiError, Progress};

/// Largest estimated peak memory of a run, in bytes. Larger runs are refused
/// before they start (a 24 GiB machine keeps room for everything else).
pub const MAX_MEMORY_BYTES: u64 = 12 * 1024 * 1024 * 1024;

/// A built-in scenario as listed to users.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    /// Name to pass instead of a file path.
    pub name: &'static str,
    /// One line on what it simulates.
    pub summary: &'static str,
}

/// Every built-in scenario, by name.
pub fn builtin_scenarios() -> Vec<ScenarioInfo> {
    builtin_scenarios::SCENARIOS
        .iter()
        .map(|s| ScenarioInfo {
            name: s.name,
            summary: s.summary,
        })
        .collect()
}

/// The source of the built-in scenario `name` (`.toml` and case are
/// forgiven), or an error that lists the built-in names.
pub fn builtin_source(name: &str) -> Result<Source, ApiError> {
    match builtin_scenarios::scenario(name) {
        Some(s) => Ok(Source::new(
            format!("<built-in scenario {}>", s.name),
            s.toml,
        )),
        None => Err(ApiError::Invalid(format!(
            "`{name}` is neither a scenario file nor a built-in scenario{}; the built-in scenarios are: {}",
            crate::did_you_mean(name, builtin_scenarios::names()),
            builtin_scenarios::names().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Reads and checks a scenario against the model.
pub fn load(eco: &Ecosystem, source: Source) -> Result<Checked<Scenario>, Rejected> {
    if source.text.len() > MAX_SCENARIO_BYTES {
        let n = source.text.len();
        return Err(Rejected::one(
            source,
            "scenario",
            holisec_model::Diagnostic::error(format!("the file is {n} bytes"), None)
                .with_label(format!("a scenario of at most {MAX_SCENARIO_BYTES} bytes")),
        ));
    }
    let loaded = load_scenario(&source.text, eco);
    checked(loaded.scenario, source, "scenario", loaded.diagnostics)
}

/// What a user may change of a scenario for one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Overrides {
    /// Replicates, 1 to 100,000.
    pub replicates: Option<u32>,
    /// Seed of the random streams.
    pub seed: Option<u64>,
    /// Simulated days, 1 to 3,650.
    pub days: Option<u32>,
    /// Scale of the populations, more than 0 and at most 10.
    pub scale: Option<f64>,
}

/// Applies `overrides` and checks the result: settings in range, every
/// campaign starting within the simulated days.
pub fn apply(scenario: &mut Scenario, overrides: &Overrides) -> Result<(), ApiError> {
    if let Some(r) = overrides.replicates {
        scenario.replicates = r;
    }
    if let Some(s) = overrides.seed {
        scenario.seed = s;
    }
    if let Some(d) = overrides.days {
        scenario.days = d;
    }
    if let Some(f) = overrides.scale {
        scenario.scale = f;
    }
    if let Err(e) = scenario.check_settings() {
        // `check_settings` says "days 0: expected 1 to 3650".
        let (option, rest) = e.split_once(' ').unwrap_or(("scenario", e.as_str()));
        let (value, expected) = rest.split_once(": expected ").unwrap_or((rest, ""));
        return Err(ApiError::Option {
            option: match option {
                "days" => "days",
                "replicates" => "replicates",
                "scale" => "scale",
                _ => "scenario",
            },
            value: value.to_owned(),
            expected: expected.to_owned(),
        });
    }
    check_start_days(scenario)
}

/// A campaign that starts after the last simulated day would silently do nothing.
fn check_start_days(scenario: &Scenario) -> Result<(), ApiError> {
    let Some(late) = scenario.campaigns.iter().max_by_key(|c| c.start_day) else {
        return Ok(());
    };
    if late.start_day >= scenario.days {
        return Err(ApiError::option(
            "days",
            scenario.days,
            format!(
                "more than {} days: campaign `{}` starts on day {} (days count from 0)",
                late.start_day, late.name, late.start_day
            ),
        ));
    }
    Ok(())
}

/// Refuses a run whose estimated peak memory exceeds [`MAX_MEMORY_BYTES`] on
/// `threads` worker threads.
pub fn check_memory(eco: &Ecosystem, scenario: &Scenario, threads: usize) -> Result<u64, ApiError> {
    let estimate =
        estimate_memory(eco, scenario, threads).map_err(|e| ApiError::Invalid(e.to_string()))?;
    if estimate > MAX_MEMORY_BYTES {
        return Err(ApiError::Invalid(format!(
            "this run would need about {:.1} GiB of memory (limit {} GiB): lower the scale, replicates or days",
            estimate as f64 / (1u64 << 30) as f64,
            MAX_MEMORY_BYTES >> 30
        )));
    }
    Ok(estimate)
}

/// Runs the checked scenario on the current worker threads. Progress counts
/// replicates. Same scenario and seed = same report, whatever the thread count.
pub fn run(
    eco: &Ecosystem,
    scenario: &Scenario,
    threads: usize,
    progress: &dyn Progress,
) -> Result<SimulationReport, ApiError> {
    scenario
        .check_settings()
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    check_start_days(scenario)?;
    check_memory(eco, scenario, threads)?;
    let reported = std::sync::atomic::AtomicU64::new(0);
    progress.start("simulate", u64::from(scenario.replicates), "replicates");
    let report = holisec_sim::simulate(eco, scenario, &|done| {
        // The engine reports replicates done so far, possibly out of order.
        let before = reported.fetch_max(u64::from(done), std::sync::atomic::Ordering::Relaxed);
        if u64::from(done) > before {
            progress.advance(u64::from(done) - before);
        }
    })
    .map_err(|e| ApiError::Invalid(e.to_string()))?;
    progress.finish();
    Ok(report)
}

/// The epidemic curves (mean and 5-95% replicate band) as SVG.
pub fn band_chart_svg(report: &SimulationReport) -> String {
    use holisec_render::timeseries::{BandChart, BandSeries, render_band_chart};
    let pick = |name: &str, label: &str| {
        report.series(name).map(|s| BandSeries {
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
    // Segments only exist in worm scenarios; an all-zero band is noise.
    .filter(|s| s.label != "segments infected" || s.high.iter().any(|&x| x > 0.0))
    .collect();
    render_band_chart(&BandChart {
        title: format!("{} ({} replicates)", report.scenario, report.replicates),
        x_label: "day".to_owned(),
        y_label: "organisations / segments".to_owned(),
        series,
    })
}

/// Countries by mean hospital-days disrupted (then organisations infected),
/// as `(name, hospitals, organisations infected, hospital-days disrupted)`.
pub fn countries_by_disruption(report: &SimulationReport) -> Vec<(&str, u32, f64, f64)> {
    use holisec_sim::summary::{EVER, HOSP_DISRUPTED};
    let mut rows: Vec<(&str, u32, f64, f64)> = report
        .countries
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.hospitals,
                c.mean[EVER].last().copied().unwrap_or(0.0),
                c.mean[HOSP_DISRUPTED].iter().sum::<f64>(),
            )
        })
        .collect();
    rows.sort_by(|a, b| {
        b.3.total_cmp(&a.3)
            .then(b.2.total_cmp(&a.2))
            .then(a.0.cmp(b.0))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eco() -> Ecosystem {
        crate::model::builtin().value.ecosystem
    }

    #[test]
    fn every_builtin_scenario_loads_by_name() {
        let eco = eco();
        let list = builtin_scenarios();
        assert!(list.len() >= 3);
        for s in &list {
            let source = builtin_source(s.name).expect("known");
            let sc = load(&eco, source).expect("valid");
            assert!(sc.warnings.is_empty(), "{}: {:?}", s.name, sc.warnings);
        }
    }

    #[test]
    fn an_unknown_name_lists_the_builtin_ones() {
        let err = builtin_source("europe-phishing-ransomwar")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("did you mean `europe-phishing-ransomware`"),
            "{err}"
        );
        assert!(err.contains("worm-killswitch"), "{err}");
    }

    #[test]
    fn a_campaign_after_the_last_day_is_refused_naming_days() {
        let eco = eco();
        let mut sc = load(
            &eco,
            builtin_source("europe-phishing-ransomware").expect("known"),
        )
        .expect("valid")
        .value;
        // A campaign starting on day 30 of a 30-day run (days count from 0).
        sc.campaigns[0].start_day = 30;
        let start = 30;
        let err = apply(
            &mut sc,
            &Overrides {
                days: Some(start),
                ..Default::default()
            },
        )
        .unwrap_err();
        match err {
            ApiError::Option {
                option,
                value,
                expected,
            } => {
                assert_eq!(option, "days");
                assert_eq!(value, start.to_string());
                assert!(expected.contains("starts on day"), "{expected}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn settings_out_of_range_name_the_option() {
        let eco = eco();
        let base = load(&eco, builtin_source("worm-killswitch").expect("known"))
            .expect("valid")
            .value;
        for (o, name) in [
            (
                Overrides {
                    replicates: Some(0),
                    ..Default::default()
                },
                "replicates",
            ),
            (
                Overrides {
                    scale: Some(-1.0),
                    ..Default::default()
                },
                "scale",
            ),
            (
                Overrides {
                    days: Some(0),
                    ..Default::default()
                },
                "days",
            ),
        ] {
            let mut sc = base.clone();
            match apply(&mut sc, &o) {
                Err(ApiError::Option { option, .. }) => assert_eq!(option, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_small_run_reports_and_charts() {
        let eco = eco();
        let mut sc = load(&eco, builtin_source("worm-killswitch").expect("known"))
            .expect("valid")
            .value;
        apply(
            &mut sc,
            &Overrides {
                replicates: Some(2),
                scale: Some(0.01),
                days: Some(30),
                ..Default::default()
            },
        )
        .expect("in range");
        let report = run(&eco, &sc, 1, &crate::NoProgress).expect("runs");
        assert_eq!(report.replicates, 2);
        assert!(band_chart_svg(&report).starts_with("<svg"));
        let countries = countries_by_disruption(&report);
        assert!(countries.windows(2).all(|w| w[0].3 >= w[1].3));
    }
}
