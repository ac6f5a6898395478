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
    /// Run every replicate on the one network drawn from the seed instead of
    /// a network of its own (`Some(true)`), or redraw it (`Some(false)`).
    pub fixed_network: Option<bool>,
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
    if let Some(f) = overrides.fixed_network {
        scenario.fixed_network = f;
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

/// Sets `[parameters]` values of a scenario (a sweep point's), each checked
/// against the parameter's allowed range, and the worm's shares against each
/// other as the scenario loader checks them.
pub fn set_parameters(scenario: &mut Scenario, values: &[(String, f64)]) -> Result<(), ApiError> {
    use holisec_sim::scenario::PARAMETERS;
    for (key, value) in values {
        let Some(spec) = PARAMETERS.iter().find(|p| p.key == key) else {
            return Err(ApiError::Invalid(format!(
                "unknown parameter `{key}`{}",
                crate::did_you_mean(key, PARAMETERS.iter().map(|p| p.key))
            )));
        };
        if !(value.is_finite() && *value >= spec.min && *value <= spec.max) {
            return Err(ApiError::option(
                spec.key,
                value,
                format!("{} to {}", spec.min, spec.max),
            ));
        }
        if let Some(slot) = scenario.parameters.get_mut(key) {
            *slot = *value;
        }
    }
    let p = &scenario.parameters;
    if p.worm_local_share + p.worm_national_share > 1.0 {
        return Err(ApiError::option(
            "worm_national_share",
            p.worm_national_share,
            format!(
                "at most {} (1 - worm_local_share)",
                1.0 - p.worm_local_share
            ),
        ));
    }
    let (a, b, c) = (p.remediation_d25, p.remediation_d50, p.remediation_d75);
    if !(a <= b && b <= c) {
        return Err(ApiError::Invalid(format!(
            "remediation_d25 {a}, remediation_d50 {b}, remediation_d75 {c}: expected them in increasing order"
        )));
    }
    Ok(())
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
/// `threads` worker threads (the synthetic ecosystem, the replicates in
/// flight and, when compromised mailboxes spread lures faster than footholds
/// end, the day's lures: [`estimate`]).
pub fn check_memory(eco: &Ecosystem, scenario: &Scenario, threads: usize) -> Result<u64, ApiError> {
    let estimate = estimate(eco, scenario, threads)?;
    if estimate.memory_bytes > MAX_MEMORY_BYTES {
        let mailbox = if estimate.lure_queue_bytes * 2 > estimate.memory_bytes {
            format!(
                " (mostly the lures of compromised mailboxes: each foothold sends {:.1} new footholds' worth, so the channel never dies out; lower mailbox_partners, mailbox_abuse or mailbox_recipients)",
                estimate.mailbox_reproduction
            )
        } else {
            String::new()
        };
        return Err(ApiError::Invalid(format!(
            "this run would need about {:.1} GiB of memory (limit {} GiB){mailbox}: lower the scale, replicates or days",
            estimate.memory_bytes as f64 / (1u64 << 30) as f64,
            MAX_MEMORY_BYTES >> 30
        )));
    }
    Ok(estimate.memory_bytes)
}

/// Seconds to build the synthetic ecosystem, per organisation (measured
/// 2026-12-06: a one-day run at scale 1, 391,612 organisations, 0.15 s of
/// CPU on the development machine, a 2-core cloud VM, release build).
pub const SECONDS_PER_ORGANISATION: f64 = 0.38e-6;
/// Seconds to draw one more network, per organisation, when each replicate
/// has its own (measured 2026-12-06: each replicate after the first of the
/// shipped monthly campaign at scale 1 costs 0.13 s, of which its year 0.07 s).
pub const SECONDS_PER_NETWORK_ORGANISATION: f64 = 0.15e-6;
/// Seconds per organisation and simulated day of one replicate (measured
/// 2026-12-06: 240 days of the HSE replay at scale 1 in 0.03 s a replicate).
pub const SECONDS_PER_ORGANISATION_DAY: f64 = 0.32e-9;
/// Seconds per estimated foothold and its intrusion's events, its wave's
/// draws included (measured 2026-12-06: the stress year, 2.2 million
/// footholds estimated, 1.58 million simulated from 18 million clicks, in
/// 3.0 s of CPU beyond the build).
pub const SECONDS_PER_FOOTHOLD: f64 = 1.4e-6;
/// Seconds per lure from a compromised mailbox, plus [`SECONDS_PER_LURE_RECIPIENT`]
/// per recipient (measured 2026-12-06: a mailbox storm, `mailbox_partners`
/// 20 at scale 0.2 for 30 days, 1.5 million lures to about 10 recipients
/// and 147,000 footholds in 0.72 s).
pub const SECONDS_PER_LURE: f64 = 0.1e-6;
/// Seconds per recipient of a mailbox lure.
pub const SECONDS_PER_LURE_RECIPIENT: f64 = 0.015e-6;
/// Share of a replicate's work that its idle threads share when there are
/// fewer replicates than threads (its phishing waves, lures and each day's
/// events run per block of organisations; the rest is one loop): measured
/// 2026-12-06, the stress year takes 3.1 s on one thread and 2.0 s on two,
/// a speed-up of 1.55, which Amdahl's law gives for 0.7.
pub const REPLICATE_PARALLEL_SHARE: f64 = 0.7;
/// Seconds per segment-day of the estimate's bound on a spreading worm
/// (infected segments, at most the unpatched ones) at 50 contacts and 24
/// steps a day at scale 1, scaled by [`worm_cost_factor`] for other
/// contacts and steps (measured 2026-12-06: five worm runs without a kill
/// switch, scale 0.2 and 1, 50 to 1,000 contacts a day, estimated within
/// 0.8 to 1.2 times their CPU time; the bound is about 1.8 times the
/// infected segment-days simulated).
pub const SECONDS_PER_WORM_SEGMENT_DAY: f64 = 3.05e-6;

/// Days from a foothold to the footholds its mailbox's lures cause (fit:
/// a self-sustaining channel multiplied footholds 25-fold in 30 days).
pub const MAILBOX_GENERATION_DAYS: f64 = 4.5;

/// Share of the mailbox reproduction the formula gives that the engine
/// realises (fit: lures reach organisations already compromised, and staff
/// classes click unevenly; 35,000 footholds in a year from about 2,700 seeds
/// at a formula reproduction of 1.04).
pub const MAILBOX_REPRODUCTION_REALISED: f64 = 0.88;

/// Segments at scale 1 of the built-in model, where [`SECONDS_PER_WORM_SEGMENT_DAY`]
/// was measured; a segment-day costs (segments / this)^0.56 of it elsewhere
/// (2.2 microseconds measured at scale 0.05, as the state stays in the caches).
pub const WORM_REFERENCE_SEGMENTS: f64 = 440_000.0;

/// The cost of a worm's segment-day relative to 50 contacts and 24 steps a
/// day (fit at scale 0.05: 2.2, 17, 17 and 60 microseconds for 50/24,
/// 1,000/24, 50/1,440 and 1,000/1,440).
pub fn worm_cost_factor(contacts_per_day: f64, steps_per_day: f64) -> f64 {
    let fit = |c: f64, s: f64| 1.17 + 0.0156 * c + 0.0105 * s + 0.000_02 * c * s;
    fit(contacts_per_day, steps_per_day) / fit(50.0, 24.0)
}

/// What a simulation will cost, known before it starts ([`estimate`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationEstimate {
    /// Synthetic organisations.
    pub organisations: f64,
    /// Network segments (the worm's units).
    pub segments: f64,
    /// Replicates.
    pub replicates: u32,
    /// Simulated days.
    pub days: u32,
    /// New footholds one foothold causes through compromised mailboxes
    /// (mailbox_abuse x mailbox_partners x the `supplies` strength x the
    /// chance that a lure to mailbox_recipients staff gives a foothold). At 1
    /// or more the channel never dies out: every organisation is compromised
    /// again and again, and the work grows with mailbox_partners.
    pub mailbox_reproduction: f64,
    /// Expected footholds per replicate (every organisation once per
    /// detection time when the mailbox channel is self-sustaining).
    pub footholds_per_replicate: f64,
    /// Expected mailbox lures per replicate.
    pub lures_per_replicate: f64,
    /// Infected segment-days of spreading worms per replicate (an upper bound).
    pub worm_segment_days: f64,
    /// Peak memory of the day's mailbox lures, all replicates in flight.
    pub lure_queue_bytes: u64,
    /// Estimated peak memory: [`estimate_memory`] plus `lure_queue_bytes`.
    pub memory_bytes: u64,
    /// Estimated seconds on one core.
    pub seconds_per_core: f64,
    /// Share of a replicate's work its idle threads can share
    /// ([`REPLICATE_PARALLEL_SHARE`]; 0 with a worm, whose replicate runs
    /// as one loop).
    pub replicate_parallel_share: f64,
}

impl SimulationEstimate {
    /// Estimated wall-clock seconds on `threads` worker threads: the
    /// ecosystem is built once, replicates run in parallel, and when there
    /// are fewer replicates than threads each replicate's parallel part
    /// (`replicate_parallel_share`) is shared by its threads (Amdahl).
    pub fn seconds(&self, threads: usize) -> f64 {
        let build = self.organisations * SECONDS_PER_ORGANISATION;
        let threads = threads.max(1) as f64;
        let replicates = f64::from(self.replicates.max(1));
        let parallel = threads.min(replicates);
        let per_replicate = (threads / replicates).max(1.0);
        let f = self.replicate_parallel_share;
        let within = 1.0 / ((1.0 - f) + f / per_replicate);
        build + (self.seconds_per_core - build) / (parallel * within)
    }
}

/// Estimates the time and memory of a run before it starts: the synthetic
/// ecosystem's size ([`estimate_memory`]'s formulas), the footholds the
/// campaigns seed and the compromised-mailbox channel multiplies, the lures
/// that channel sends, and the segment-days of spreading worms, priced at the
/// `SECONDS_PER_*` rates measured on the development machine. It aims at the
/// order of magnitude (within a factor of 2 on the measured runs, from the
/// shipped scenarios to mailbox and worm storms): enough to say "about N
/// minutes" before a run, and to refuse runs whose lures would not fit in memory.
pub fn estimate(
    eco: &Ecosystem,
    scenario: &Scenario,
    threads: usize,
) -> Result<SimulationEstimate, ApiError> {
    use holisec_sim::scenario::Vector;
    use holisec_sim::synth::{Channels, sizes};
    let invalid = |e: holisec_sim::synth::SynthError| ApiError::Invalid(e.to_string());
    let base_memory = estimate_memory(eco, scenario, threads).map_err(invalid)?;
    let (countries, hospitals, staff) = sizes(eco, scenario.scale).map_err(invalid)?;
    let p = &scenario.parameters;
    let iv = &scenario.interventions;
    // The organisations and segments as `estimate_memory` counts them.
    let (h, staff_f) = (hospitals as f64, staff as f64);
    let pc = (staff_f * p.primary_care_share / p.primary_care_staff).max(0.0);
    let orgs = h * (1.0 + p.suppliers_per_hospital) + pc + countries as f64 * 4.0;
    let segments = h * (staff_f / h / p.staff_per_segment).clamp(2.0, 64.0) + pc + orgs * 0.2;
    let care = (h + pc).max(1.0);
    let hospital_staff = ((staff_f - pc * p.primary_care_staff) / h).max(1.0);
    // Recipients of a lure sent to `r` staff of a care organisation.
    let recipients = |r: f64| (pc * r.min(p.primary_care_staff) + h * r.min(hospital_staff)) / care;
    let click = |odds_ratio: f64| {
        let c = p.click_rate.clamp(0.0, 1.0);
        if c >= 1.0 {
            return 1.0;
        }
        let odds = c / (1.0 - c) * odds_ratio;
        odds / (1.0 + odds)
    };
    // A clicker's chance to give a foothold: credentials (unless MFA blocks them) or the payload.
    let mfa = iv.mfa_coverage * p.mfa_block;
    let per_click = p.foothold_success
        * (1.0 - (1.0 - p.credential_rate * (1.0 - mfa)) * (1.0 - p.payload_rate));
    let foothold_among = |odds_ratio: f64, recipients: f64| {
        1.0 - (1.0 - click(odds_ratio) * per_click)
            .max(0.0)
            .powf(recipients)
    };
    let foothold_from = |odds_ratio: f64, r: f64| foothold_among(odds_ratio, recipients(r));
    // The chance that a wave to `share` of a care organisation's staff gives
    // it a foothold, averaged over hospitals and primary care rather than
    // taken at the average staff: a hospital's many clicks make one episode,
    // a practice's few often none.
    let wave_foothold = |odds_ratio: f64, share: f64| {
        (pc * foothold_among(odds_ratio, share * p.primary_care_staff)
            + h * foothold_among(odds_ratio, share * hospital_staff))
            / care
    };
    let strength = Channels::from_model(eco).supplies_care;
    let partners = p.mailbox_partners.round();
    let mailbox_reproduction = MAILBOX_REPRODUCTION_REALISED
        * p.mailbox_abuse
        * partners
        * strength
        * foothold_from(p.trusted_sender_odds_ratio, p.mailbox_recipients);
    let days = f64::from(scenario.days);
    // Footholds the campaigns seed, per replicate.
    let mut seeds = 0.0;
    let mut worm_segment_days = 0.0;
    for c in &scenario.campaigns {
        let active = (days - f64::from(c.start_day)).max(0.0);
        let waves = if c.waves <= 1 || c.period_days == 0 {
            f64::from(c.waves.min(1))
        } else {
            f64::from(c.waves).min((active / f64::from(c.period_days)).ceil())
        };
        // A campaign naming one organisation reaches that one only.
        let named = c.organisation.is_some();
        let reached = waves * c.org_share * if named { 1.0 } else { care };
        seeds += match c.vector {
            Vector::Phishing => reached * wave_foothold(c.lure_odds_ratio, c.staff_share),
            Vector::Intrusion => reached,
            Vector::Supplier => {
                f64::from(if named { 1 } else { c.suppliers }) * care
                    / (h * p.suppliers_per_hospital).max(1.0)
                    * p.hospital_supplier_links
                    * p.supplier_push_success
                    * strength
            }
            Vector::Worm => {
                // Every segment infected while the worm spreads (an upper bound):
                // the first ones multiply by 1 + contacts a day until none is left.
                let spread = c.kill_switch_day.map_or(active, |k| {
                    (f64::from(k) - f64::from(c.start_day)).clamp(0.0, active)
                });
                let start = (f64::from(c.initial_infections) * scenario.scale)
                    .round()
                    .max(1.0);
                let growth = 1.0 + p.worm_contacts_per_day;
                // Only segments not yet patched can be infected.
                let speed = scenario.interventions.patch_speed;
                let unpatched = |day: f64| {
                    let since = day + f64::from(c.start_day) - c.disclosure_day;
                    if speed <= 0.0 {
                        f64::from(u8::from(since < 0.0))
                    } else {
                        1.0 - holisec_sim::engine::remediated_share(p, since / speed)
                    }
                };
                let mut infected = start;
                let mut day = 0.0;
                while day < spread {
                    let today = spread.min(day + 1.0) - day;
                    let open = (segments * unpatched(day)).max(start);
                    worm_segment_days += infected.min(open) * today;
                    infected = (infected * growth).min(open);
                    day += 1.0;
                }
                infected.min(orgs)
            }
        };
    }
    // At most every organisation, again once its intrusion is detected.
    let saturated = orgs * (1.0 + days / p.detect_days.max(1.0));
    // Seeds times the mailbox generations that fit in the run.
    let generations = days / MAILBOX_GENERATION_DAYS;
    let r = mailbox_reproduction;
    let multiplied = if (r - 1.0).abs() < 1e-9 {
        generations + 1.0
    } else {
        (r.powf(generations + 1.0) - 1.0) / (r - 1.0)
    };
    let footholds = (seeds * multiplied).min(saturated);
    let lures = footholds * p.mailbox_abuse * partners * strength;
    // The day's lures wait in a vector (4 bytes each, doubled by its growth):
    // all organisations in one day when the channel sustains itself.
    let peak_day = if mailbox_reproduction >= 1.0 {
        orgs
    } else {
        footholds.min(orgs) / generations.max(1.0)
    };
    let in_flight = threads.clamp(1, 8).min(scenario.replicates as usize) as f64;
    let lure_queue_bytes =
        (peak_day * p.mailbox_abuse * partners * strength * 8.0 * in_flight) as u64;
    let has_worm = scenario.campaigns.iter().any(|c| c.vector == Vector::Worm);
    let per_replicate = orgs * days * SECONDS_PER_ORGANISATION_DAY
        + footholds * SECONDS_PER_FOOTHOLD
        + lures
            * (SECONDS_PER_LURE + SECONDS_PER_LURE_RECIPIENT * recipients(p.mailbox_recipients))
        + worm_segment_days
            * SECONDS_PER_WORM_SEGMENT_DAY
            * (segments / WORM_REFERENCE_SEGMENTS).powf(0.56)
            * worm_cost_factor(p.worm_contacts_per_day, p.worm_steps_per_day);
    Ok(SimulationEstimate {
        organisations: orgs,
        segments,
        replicates: scenario.replicates,
        days: scenario.days,
        mailbox_reproduction,
        footholds_per_replicate: footholds,
        lures_per_replicate: lures,
        worm_segment_days,
        lure_queue_bytes,
        memory_bytes: base_memory.saturating_add(lure_queue_bytes),
        replicate_parallel_share: if has_worm {
            0.0
        } else {
            REPLICATE_PARALLEL_SHARE
        },
        // Replicate 0's network is built first; under redraw every other
        // replicate builds its own as part of its work.
        seconds_per_core: orgs * SECONDS_PER_ORGANISATION
            + per_replicate * f64::from(scenario.replicates)
            + if scenario.fixed_network {
                0.0
            } else {
                orgs * SECONDS_PER_NETWORK_ORGANISATION * f64::from(scenario.replicates - 1)
            },
    })
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
    let report = holisec_sim::simulate_cancellable(
        eco,
        scenario,
        &|done| {
            // The engine reports replicates done so far, possibly out of order.
            let before = reported.fetch_max(u64::from(done), std::sync::atomic::Ordering::Relaxed);
            if u64::from(done) > before {
                progress.advance(u64::from(done) - before);
            }
        },
        &|| progress.cancelled(),
    )
    .map_err(|e| match e {
        holisec_sim::SimError::Cancelled => ApiError::Cancelled,
        e => ApiError::Invalid(e.to_string()),
    })?;
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

/// Every country of the run, most disrupted first: by mean hospital-days
/// disrupted, then organisation-days disrupted, then organisations infected.
pub fn countries_by_disruption(report: &SimulationReport) -> Vec<CountryRow> {
    use holisec_sim::summary::{DISRUPTED, EVER, HOSP_DISRUPTED};
    let mut rows: Vec<CountryRow> = report
        .countries
        .iter()
        .map(|c| CountryRow {
            name: c.name.clone(),
            hospitals: c.hospitals,
            organisations_infected: c.mean[EVER].last().copied().unwrap_or(0.0),
            organisation_days_disrupted: c.mean[DISRUPTED].iter().sum::<f64>(),
            hospital_days_disrupted: c.mean[HOSP_DISRUPTED].iter().sum::<f64>(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.hospital_days_disrupted
            .total_cmp(&a.hospital_days_disrupted)
            .then(
                b.organisation_days_disrupted
                    .total_cmp(&a.organisation_days_disrupted),
            )
            .then(
                b.organisations_infected
                    .total_cmp(&a.organisations_infected),
            )
            .then(a.name.cmp(&b.name))
    });
    rows
}

/// Series a simulation job keeps, with their labels (those of [`band_chart_svg`]).
pub const RESULT_SERIES: &[(&str, &str)] = &[
    ("ever_infected", "infected (cumulative)"),
    ("disrupted", "disrupted (all kinds)"),
    ("hospitals_disrupted", "hospitals disrupted"),
    ("seg_infected", "segments infected"),
];

/// One daily series with its replicate band, ready for a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandSeries {
    /// Series name ([`RESULT_SERIES`]).
    pub name: String,
    /// What it counts, in words.
    pub label: String,
    /// Median over replicates per day.
    pub median: Vec<f64>,
    /// 5th percentile per day.
    pub low: Vec<f64>,
    /// 95th percentile per day.
    pub high: Vec<f64>,
}

/// One country's row of the per-country table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryRow {
    /// Country name.
    pub name: String,
    /// Hospitals in the synthetic ecosystem.
    pub hospitals: u32,
    /// Mean organisations infected by the last day.
    pub organisations_infected: f64,
    /// Mean organisation-days disrupted (infected or not, hospitals included).
    pub organisation_days_disrupted: f64,
    /// Mean hospital-days disrupted.
    pub hospital_days_disrupted: f64,
}

impl CountryRow {
    /// Was anything infected or disrupted there (in any replicate)?
    pub fn touched(&self) -> bool {
        self.organisations_infected > 0.0 || self.organisation_days_disrupted > 0.0
    }
}

/// One organisation a campaign names, as a job keeps it: in how many
/// replicates each outcome occurred, and its typical size when it did
/// (the bands and every replicate are in `holisec simulate --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedRow {
    /// Display id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Country code.
    pub country: String,
    /// Replicates in which it was infected.
    pub infected: u32,
    /// Replicates in which it was encrypted.
    pub encrypted: u32,
    /// Mean share of its segments encrypted, over those replicates.
    pub share_encrypted: f64,
    /// Replicates in which it was disrupted.
    pub disrupted: u32,
    /// Median days disrupted, over those replicates.
    pub days_disrupted: f64,
    /// Replicates in which a switch-off disrupted it.
    pub switched_off: u32,
}

/// The organisations the run's campaigns name, as [`NamedRow`]s.
pub fn named_rows(report: &SimulationReport) -> Vec<NamedRow> {
    report
        .named
        .iter()
        .map(|o| NamedRow {
            id: o.id.clone(),
            kind: o.kind.as_str().to_owned(),
            country: o.country.clone(),
            infected: o.infected,
            encrypted: o.encrypted,
            share_encrypted: o.share_encrypted.mean,
            disrupted: o.disrupted,
            days_disrupted: o.days_disrupted.p50,
            switched_off: o.switched_off,
        })
        .collect()
}

/// What a simulation job keeps of a run (`holisec serve`): the settings,
/// the summary over replicates, daily series with their 5-95% band, the
/// organisations the campaigns name, and the per-country table
/// ([`countries_by_disruption`] order).
#[derive(Debug, Clone, Serialize)]
pub struct SimulationResult {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Scale of the populations.
    pub scale: f64,
    /// Simulated days.
    pub days: u32,
    /// Replicates.
    pub replicates: u32,
    /// Synthetic organisations.
    pub organisations: u64,
    /// Outcome measures over replicates (mean, 5th and 95th percentiles).
    pub summary: holisec_sim::summary::Summary,
    /// Day numbers, from 0.
    pub day: Vec<u32>,
    /// The [`RESULT_SERIES`] present in the run.
    pub series: Vec<BandSeries>,
    /// The organisations the campaigns name (empty when none does).
    pub named: Vec<NamedRow>,
    /// Countries by hospital-days disrupted.
    pub countries: Vec<CountryRow>,
}

/// The [`SimulationResult`] of a run.
pub fn result(report: &SimulationReport) -> SimulationResult {
    let series = RESULT_SERIES
        .iter()
        .filter_map(|(name, label)| {
            report.series(name).map(|s| BandSeries {
                name: (*name).to_owned(),
                label: (*label).to_owned(),
                median: s.p50.clone(),
                low: s.p5.clone(),
                high: s.p95.clone(),
            })
        })
        .collect();
    SimulationResult {
        scenario: report.scenario.clone(),
        seed: report.seed,
        scale: report.scale,
        days: report.days,
        replicates: report.replicates,
        organisations: report.organisations,
        summary: report.summary.clone(),
        day: (0..report.days).collect(),
        series,
        named: named_rows(report),
        countries: countries_by_disruption(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eco() -> Ecosystem {
        crate::model::builtin().value.ecosystem
    }

    /// The built-in scenario `name`, checked.
    fn builtin(eco: &Ecosystem, name: &str) -> Scenario {
        load(eco, builtin_source(name).expect("known"))
            .expect("valid")
            .value
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
        let mut sc = builtin(&eco, "europe-phishing-ransomware");
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
        let base = builtin(&eco, "worm-killswitch");
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

    fn storm(partners: f64, scale: f64) -> Scenario {
        let text = format!(
            "[scenario]\nname = \"storm\"\ndays = 30\nreplicates = 1\nscale = {scale}\n[parameters]\nmailbox_abuse = 1.0\nmailbox_partners = {partners}\nmailbox_recipients = 10.0\n[[campaign]]\nthreat = \"ransomware\"\ntarget = \"healthcare-organisations\"\nwaves = 1\norg_share = 0.01\n"
        );
        load(&eco(), Source::new("storm.toml", text))
            .expect("in range")
            .value
    }

    #[test]
    fn the_estimate_of_a_shipped_scenario_is_modest_and_subcritical() {
        let eco = eco();
        let sc = builtin(&eco, "europe-phishing-ransomware");
        let e = estimate(&eco, &sc, 2).expect("estimated");
        assert!(e.mailbox_reproduction > 0.0 && e.mailbox_reproduction < 1.0);
        assert!(e.organisations > 300_000.0 && e.segments > e.organisations / 2.0);
        assert!(e.footholds_per_replicate < e.organisations / 10.0);
        assert_eq!(e.worm_segment_days, 0.0);
        assert!(e.memory_bytes >= estimate_memory(&eco, &sc, 2).expect("sizes"));
        assert!(e.seconds(2) < e.seconds_per_core && e.seconds(2) > e.seconds_per_core / 2.0);
        assert!(check_memory(&eco, &sc, 2).is_ok());
    }

    /// One replicate on two threads shares its parallel part (Amdahl's
    /// law); a worm's replicate runs as one loop, so threads do not help it.
    #[test]
    fn idle_threads_speed_up_one_replicate_unless_a_worm_runs() {
        let eco = eco();
        let mut sc = builtin(&eco, "europe-phishing-ransomware");
        sc.replicates = 1;
        let e = estimate(&eco, &sc, 2).expect("estimated");
        let build = e.organisations * SECONDS_PER_ORGANISATION;
        let f = REPLICATE_PARALLEL_SHARE;
        let expected = build + (e.seconds_per_core - build) * ((1.0 - f) + f / 2.0);
        assert!(
            (e.seconds(2) - expected).abs() < 1e-12,
            "{} vs {expected}",
            e.seconds(2)
        );
        assert_eq!(e.seconds(1), e.seconds_per_core);
        // Two replicates on two threads: one each, nothing shared within.
        sc.replicates = 2;
        let two = estimate(&eco, &sc, 2).expect("estimated");
        assert!((two.seconds(2) - (build + (two.seconds_per_core - build) / 2.0)).abs() < 1e-12);
        let mut worm = builtin(&eco, "worm-killswitch");
        worm.replicates = 1;
        let w = estimate(&eco, &worm, 2).expect("estimated");
        assert_eq!(w.replicate_parallel_share, 0.0);
        assert_eq!(w.seconds(2), w.seconds_per_core);
    }

    /// A worm can only infect segments not yet patched: the later it comes
    /// after disclosure, the fewer segment-days the estimate bounds it by,
    /// and on the day of disclosure its bound is every segment.
    #[test]
    fn a_worms_estimate_counts_only_unpatched_segments() {
        let eco = eco();
        let worm = |disclosure: f64| {
            let mut sc = builtin(&eco, "worm-killswitch");
            for c in &mut sc.campaigns {
                c.kill_switch_day = None;
                c.disclosure_day = disclosure;
            }
            sc.days = 10;
            estimate(&eco, &sc, 1).expect("estimated").worm_segment_days
        };
        let (fresh, month, year) = (worm(0.0), worm(-30.0), worm(-365.0));
        assert!(fresh > month && month > year, "{fresh} {month} {year}");
        // Day 0 at disclosure: nothing is patched yet, so the worm grows
        // from its entry points by 1 + contacts a day until it fills the
        // segments (20 x 51 on day 1 < segments).
        let p = holisec_sim::scenario::Parameters::default();
        assert!(fresh >= 20.0 + 20.0 * (1.0 + p.worm_contacts_per_day));
    }

    /// Extreme in-range mailbox settings (the run went past 120 s and
    /// 1.9 GB without a word): the estimate names the cause before the run.
    #[test]
    fn a_self_sustaining_mailbox_channel_is_estimated_and_refused_when_too_big() {
        let eco = eco();
        let calm = estimate(&eco, &storm(3.0, 1.0), 1).expect("estimated");
        let wild = estimate(&eco, &storm(1000.0, 1.0), 1).expect("estimated");
        assert!(calm.mailbox_reproduction < 1.0 && wild.mailbox_reproduction > 100.0);
        // Every organisation compromised again and again, each sending hundreds of lures.
        assert!(wild.footholds_per_replicate >= wild.organisations);
        assert!(
            wild.lures_per_replicate > 1e8,
            "{}",
            wild.lures_per_replicate
        );
        assert!(
            wild.seconds(1) > 100.0 * calm.seconds(1),
            "{wild:?} vs {calm:?}"
        );
        assert!(wild.lure_queue_bytes > 1 << 30, "{}", wild.lure_queue_bytes);
        // Ten times the populations: the day's lures alone pass the memory limit.
        let err = check_memory(&eco, &storm(1000.0, 10.0), 2)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("lures of compromised mailboxes") && err.contains("mailbox_partners"),
            "{err}"
        );
    }

    #[test]
    fn a_worm_without_kill_switch_costs_more_the_more_it_contacts() {
        let eco = eco();
        let mut sc = builtin(&eco, "worm-killswitch");
        let killed = estimate(&eco, &sc, 1).expect("estimated");
        sc.campaigns[0].kill_switch_day = None;
        let free = estimate(&eco, &sc, 1).expect("estimated");
        assert!(free.worm_segment_days > 100.0 * killed.worm_segment_days.max(1.0));
        assert!(free.worm_segment_days <= free.segments * f64::from(sc.days));
        sc.parameters.worm_contacts_per_day = 1000.0;
        sc.parameters.worm_steps_per_day = 1440.0;
        let busy = estimate(&eco, &sc, 1).expect("estimated");
        assert!(busy.seconds_per_core > 5.0 * free.seconds_per_core);
        assert!(worm_cost_factor(50.0, 24.0) == 1.0);
    }

    #[test]
    fn a_small_run_reports_and_charts() {
        let eco = eco();
        let mut sc = builtin(&eco, "worm-killswitch");
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
        assert!(
            countries
                .windows(2)
                .all(|w| w[0].hospital_days_disrupted >= w[1].hospital_days_disrupted)
        );
        let r = result(&report);
        assert_eq!(r.day.len(), 30);
        assert!(!r.series.is_empty());
        for s in &r.series {
            assert_eq!((s.median.len(), s.low.len(), s.high.len()), (30, 30, 30));
            assert!(
                s.low.iter().zip(&s.median).all(|(l, m)| l <= m),
                "{}",
                s.name
            );
            assert!(
                s.median.iter().zip(&s.high).all(|(m, h)| m <= h),
                "{}",
                s.name
            );
        }
        assert_eq!(r.countries.len(), countries.len());
    }

    /// Cancelled after the first replicate of a batch-sized run.
    struct CancelAfterFirst(std::sync::atomic::AtomicU64);

    impl Progress for CancelAfterFirst {
        fn start(&self, _: &str, _: u64, _: &str) {}
        fn advance(&self, n: u64) {
            self.0.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
        fn finish(&self) {}
        fn cancelled(&self) -> bool {
            self.0.load(std::sync::atomic::Ordering::Relaxed) > 0
        }
    }

    #[test]
    fn a_cancelled_run_stops_between_replicates() {
        let eco = eco();
        let mut sc = builtin(&eco, "worm-killswitch");
        apply(
            &mut sc,
            &Overrides {
                replicates: Some(50),
                scale: Some(0.01),
                days: Some(10),
                ..Default::default()
            },
        )
        .expect("in range");
        let p = CancelAfterFirst(Default::default());
        let err = run(&eco, &sc, 1, &p).unwrap_err();
        assert!(matches!(err, ApiError::Cancelled), "{err}");
        let done = p.0.load(std::sync::atomic::Ordering::Relaxed);
        assert!(done > 0 && done < 50, "{done} replicates ran");
    }
}
