//! Section 4, the simulation: the scenario as `holisec simulate` runs it
//! (the same request, so its figures equal the CLI's `--json`), its epidemic
//! curves with their 5-95% replicate bands, what happened to the
//! organisations its campaigns name, the countries most disrupted,
//! and the same scenario again with a package of interventions on the same
//! random numbers: what those interventions change.

use holisec_api::Progress;
use holisec_api::simulate::CountryRow;
use holisec_model::Ecosystem;
use holisec_sim::Scenario;
use holisec_sim::scenario::Interventions;
use holisec_sim::summary::{Band, NamedOutcome};
use serde::Serialize;

use crate::ReportError;
use crate::format::{count, counted, is_one};

/// Countries listed, most disrupted first.
const COUNTRIES: usize = 12;

/// One outcome measure, mean and 5-95% band over replicates.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureRow {
    /// Key as in `holisec simulate --json`'s `summary`.
    pub key: String,
    /// What it counts, in words.
    pub label: String,
    /// Mean over replicates.
    pub mean: f64,
    /// 5th percentile over replicates.
    pub p5: f64,
    /// 95th percentile over replicates.
    pub p95: f64,
    /// Mean with the intervention package.
    pub with_package: f64,
}

/// Section 4.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationSection {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: Option<String>,
    /// Replicates.
    pub replicates: u32,
    /// Simulated days.
    pub days: u32,
    /// Scale of the populations (1 = the model's full populations).
    pub scale: f64,
    /// Seed.
    pub seed: u64,
    /// Synthetic organisations.
    pub organisations: u64,
    /// Synthetic staff.
    pub staff: u64,
    /// What the campaign does to the system, in one sentence.
    pub headline: String,
    /// Outcome measures, with and without the package.
    pub measures: Vec<MeasureRow>,
    /// The package of interventions compared, in words.
    pub package: String,
    /// What happened to each organisation the scenario's campaigns name
    /// (a replay of one organisation's incident), as `holisec simulate
    /// --json`'s `named`.
    pub named: Vec<NamedOutcome>,
    /// Countries by hospital-days disrupted.
    pub countries: Vec<CountryRow>,
    /// Countries in the synthetic ecosystem.
    pub countries_total: usize,
    /// Epidemic curves with their bands (SVG).
    #[serde(skip)]
    pub chart_svg: String,
    /// The same curves with the package (SVG).
    #[serde(skip)]
    pub package_chart_svg: String,
}

/// The interventions the report compares a scenario with: the scenario's
/// own when it sets any (compared with none), else phishing simulations,
/// MFA and immutable backups in 80% of organisations, the three the
/// literature and the model's support items put first against
/// phishing-led ransomware.
pub fn package(scenario: &Scenario) -> (Scenario, String) {
    let none = Interventions::default();
    let mut other = scenario.clone();
    if scenario.interventions != none {
        other.interventions = none;
        return (
            other,
            "the same scenario without its interventions (the figures above include them)"
                .to_owned(),
        );
    }
    other.interventions.training_coverage = 0.8;
    other.interventions.mfa_coverage = 0.8;
    other.interventions.backup_coverage = 0.8;
    (
        other,
        "repeated phishing simulations, MFA on remote access and mail, and immutable tested backups, each in 80% of organisations".to_owned(),
    )
}

/// A share band (0..1) in percent.
fn percent(b: Band) -> Band {
    Band {
        mean: 100.0 * b.mean,
        p5: 100.0 * b.p5,
        p50: 100.0 * b.p50,
        p95: 100.0 * b.p95,
    }
}

pub(crate) fn section(
    eco: &Ecosystem,
    scenario: &Scenario,
    threads: usize,
    progress: &dyn Progress,
) -> Result<SimulationSection, ReportError> {
    let report = holisec_api::simulate::run(eco, scenario, threads, progress)?;
    let (variant, package) = package(scenario);
    let with = holisec_api::simulate::run(eco, &variant, threads, progress)?;
    let s = &report.summary;
    let w = &with.summary;
    let measures: Vec<MeasureRow> = [
        (
            "hospitals_infected",
            "hospitals infected",
            s.hospitals_infected,
            w.hospitals_infected,
        ),
        (
            "hospitals_disrupted",
            "hospitals disrupted",
            s.hospitals_disrupted,
            w.hospitals_disrupted,
        ),
        (
            "hospital_days_disrupted",
            "hospital-days disrupted",
            s.hospital_days_disrupted,
            w.hospital_days_disrupted,
        ),
        (
            "orgs_infected",
            "organisations infected",
            s.orgs_infected,
            w.orgs_infected,
        ),
        (
            "orgs_encrypted",
            "organisations encrypted",
            s.orgs_encrypted,
            w.orgs_encrypted,
        ),
        (
            "orgs_disrupted",
            "organisations disrupted",
            s.orgs_disrupted,
            w.orgs_disrupted,
        ),
        (
            "suppliers_infected",
            "solution providers infected",
            s.suppliers_infected,
            w.suppliers_infected,
        ),
        (
            "staff_clicked",
            "staff who clicked",
            s.staff_clicked,
            w.staff_clicked,
        ),
        (
            "credentials_captured",
            "credentials captured",
            s.credentials_captured,
            w.credentials_captured,
        ),
        (
            "time_to_containment_days",
            "days to containment",
            s.time_to_containment_days,
            w.time_to_containment_days,
        ),
        (
            "mean_share_encrypted",
            "share of the IT estate encrypted, organisations encrypted (%)",
            percent(s.mean_share_encrypted),
            percent(w.mean_share_encrypted),
        ),
        (
            "hospitals_over_half_encrypted",
            "hospitals with more than half their estate encrypted",
            s.hospitals_over_half_encrypted,
            w.hospitals_over_half_encrypted,
        ),
        (
            "switch_offs",
            "IT switch-offs (national systems, hospitals)",
            s.switch_offs,
            w.switch_offs,
        ),
        (
            "orgs_disrupted_by_switch_off",
            "organisations cut off by a switch-off",
            s.orgs_disrupted_by_switch_off,
            w.orgs_disrupted_by_switch_off,
        ),
        (
            "sole_provider_losses",
            "sole providers of a care-critical service that lost it",
            s.sole_provider_losses,
            w.sole_provider_losses,
        ),
    ]
    .into_iter()
    .map(
        |(key, label, band, with): (&str, &str, Band, Band)| MeasureRow {
            key: key.to_owned(),
            label: label.to_owned(),
            mean: band.mean,
            p5: band.p5,
            p95: band.p95,
            with_package: with.mean,
        },
    )
    .collect();
    let countries_all = holisec_api::simulate::countries_by_disruption(&report);
    let countries = countries_all.iter().take(COUNTRIES).cloned().collect();
    let change = if scenario.interventions == Interventions::default() {
        format!(
            "with phishing simulations, MFA and backups in 80% of organisations, {} would be infected",
            counted(w.hospitals_infected.mean, "hospital", "hospitals")
        )
    } else {
        format!(
            "without the scenario's interventions, {} would be infected",
            counted(w.hospitals_infected.mean, "hospital", "hospitals")
        )
    };
    let infected = &s.hospitals_infected;
    let verb = if is_one(infected.mean) { "is" } else { "are" };
    let (low, high) = (count(infected.p5), count(infected.p95));
    let range = if low == high {
        low
    } else {
        format!("{low} to {high}")
    };
    let headline = format!(
        "{}: over {} days, {} {verb} infected on average ({range} in 90% of runs), {} disrupted and {} of care disrupted; {change}.",
        report.scenario,
        report.days,
        counted(infected.mean, "hospital", "hospitals"),
        count(s.hospitals_disrupted.mean),
        counted(
            s.hospital_days_disrupted.mean,
            "hospital-day",
            "hospital-days"
        ),
    );
    Ok(SimulationSection {
        scenario: report.scenario.clone(),
        description: scenario
            .description
            .as_ref()
            .map(|d| d.trim().trim_end_matches('.').to_owned()),
        replicates: report.replicates,
        days: report.days,
        scale: report.scale,
        seed: report.seed,
        organisations: report.organisations,
        staff: report.staff,
        headline,
        measures,
        package,
        named: report.named.clone(),
        countries,
        countries_total: countries_all.len(),
        chart_svg: crate::svg::inline(&holisec_api::simulate::band_chart_svg(&report), "sim"),
        package_chart_svg: crate::svg::inline(
            &holisec_api::simulate::band_chart_svg(&with),
            "simpkg",
        ),
    })
}
