//! Section 7, method and provenance: how each figure was computed (engines,
//! versions, seeds, iterations), every number of the model with its source
//! or the reasoning given where no source exists, the simulation's
//! parameters with theirs, and the limits the documentation states.

use holisec_model::{Distribution, Ecosystem, Provenance};
use holisec_sim::Scenario;
use holisec_sim::scenario::{INTERVENTIONS, PARAMETERS};
use serde::Serialize;

use crate::risk::RiskSection;
use crate::simulation::SimulationSection;
use crate::{ReportOptions, format};

/// One number of the model or of the simulation and where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct NumberRow {
    /// What the number is (`threat ransomware: frequency`).
    pub what: String,
    /// The number (a distribution in its short form, or a value).
    pub value: String,
    /// Its source.
    pub source: Option<String>,
    /// The reasoning where no source exists (or besides one).
    pub rationale: Option<String>,
}

/// How one kind of figure was computed.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// Which figures.
    pub figures: String,
    /// Engine and version.
    pub engine: String,
    /// Settings (years, replicates, seed).
    pub settings: String,
    /// The CLI command that gives the same figures as JSON.
    pub command: String,
}

/// Section 7.
#[derive(Debug, Clone, Serialize)]
pub struct MethodSection {
    /// holisec's version.
    pub version: String,
    /// How each kind of figure was computed.
    pub runs: Vec<RunRow>,
    /// The model's own sources (its `[meta]` list).
    pub model_sources: Vec<String>,
    /// Every number of the model.
    pub model_numbers: Vec<NumberRow>,
    /// Numbers without source or rationale.
    pub unsourced: usize,
    /// The simulation's parameters and interventions, when a scenario was run.
    pub simulation_parameters: Vec<NumberRow>,
    /// What the engines do not do.
    pub limits: Vec<String>,
}

/// What the documentation (`docs/risk.md`, `docs/simulation.md`,
/// `docs/assessment.md`) says the figures cannot be taken for.
const LIMITS: &[&str] = &[
    "Risk figures are Open FAIR estimates for ONE organisation of each stakeholder, from the model's distributions: a sector-wide loss is not the sum of these rows, and the model's threat frequencies are derived from published incident counts and surveys through a stated rationale, not measured for each organisation (see the provenance table).",
    "Scenarios are independent within a year (no contagion between them in the risk engine); contagion and accumulation are what the simulation shows.",
    "Percentiles come from a log histogram within 0.5% relative error; expected annual losses carry a standard error given in `holisec risk --json`.",
    "Most propagation parameters of the simulator are engineering estimates ([E] in the parameter table), checked against macro figures and public incidents, not fitted to outbreaks; hospital counts per country come from national statistics or the WHO, OECD and Eurostat series, with definitions that differ (sites, legal entities, public hospitals only).",
    "Each replicate draws its own synthetic ecosystem (one for all with `--fixed-network`), so replicate bands include the network's draw; the ecosystem has no regions below countries.",
    "Patients, care outcomes, medical devices as separate assets and attackers' budgets are not modelled.",
    "Self-assessment maturity changes the model's resistance, frequency and loss through a documented monotone mapping, not a measured one; a plan's steps are priced on the same simulated years (common random numbers).",
];

pub(crate) fn section(
    eco: &Ecosystem,
    options: &ReportOptions,
    risk: &RiskSection,
    simulation: Option<&SimulationSection>,
    scenario: Option<&Scenario>,
) -> MethodSection {
    let model_numbers = model_numbers(eco);
    let unsourced = model_numbers
        .iter()
        .filter(|n| n.source.is_none() && n.rationale.is_none())
        .count();
    let years = format::count(options.iterations as f64);
    let mut runs = vec![
        RunRow {
            figures: "Risk of the whole model (one organisation of each stakeholder; by domain and motivation)".to_owned(),
            engine: risk.engine.clone(),
            settings: format!("{years} simulated years, seed {}", options.seed),
            command: format!("holisec risk --iterations {} --seed {} --json", options.iterations, options.seed),
        },
        RunRow {
            figures: format!("Risk of {} (summary, largest risks, support per euro, budgeted choice)", risk.reader_name),
            engine: risk.engine.clone(),
            settings: format!(
                "{years} simulated years, seed {}, budget {}",
                options.seed,
                format::money(&eco.meta.currency, options.budget)
            ),
            command: format!(
                "holisec risk --stakeholder {} --compare --budget {} --iterations {} --seed {} --json",
                risk.reader, options.budget, options.iterations, options.seed
            ),
        },
        RunRow {
            figures: "Ecosystem figure, centrality, reach and attack paths".to_owned(),
            engine: format!("holisec-render and holisec-analysis {}", env!("CARGO_PKG_VERSION")),
            settings: "deterministic (no random draw)".to_owned(),
            command: "holisec analyze --json".to_owned(),
        },
    ];
    if let Some(s) = simulation {
        runs.push(RunRow {
            figures: format!("Simulation: {}", s.scenario),
            engine: format!("holisec-sim {}", env!("CARGO_PKG_VERSION")),
            settings: format!(
                "{} replicates, {} days, scale {}, seed {}",
                s.replicates, s.days, s.scale, s.seed
            ),
            command: format!(
                "holisec simulate --scenario SCENARIO --replicates {} --days {} --scale {} --seed {} --json",
                s.replicates, s.days, s.scale, s.seed
            ),
        });
    }
    MethodSection {
        version: holisec_api::ENGINE_VERSION.to_owned(),
        runs,
        model_sources: eco.meta.sources.clone(),
        model_numbers,
        unsourced,
        simulation_parameters: scenario.map(simulation_parameters).unwrap_or_default(),
        limits: LIMITS.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn row(what: String, value: String, p: &Provenance) -> NumberRow {
    NumberRow {
        what,
        value,
        source: p.source.clone(),
        rationale: p.rationale.clone(),
    }
}

fn dist(what: String, d: &Distribution, p: &Provenance) -> NumberRow {
    row(what, d.describe(), p)
}

/// Every number of the model, in model order by kind of entry.
fn model_numbers(eco: &Ecosystem) -> Vec<NumberRow> {
    let mut rows = Vec::new();
    for s in &eco.stakeholders {
        if let Some(p) = &s.population {
            rows.push(row(
                format!("{}: population", s.name),
                format!("{} {}", format::count(p.value), p.unit),
                &p.provenance,
            ));
        }
    }
    for v in &eco.vulnerabilities {
        rows.push(dist(
            format!("factor {}: resistance", v.id),
            &v.resistance,
            &v.provenance,
        ));
    }
    for t in &eco.threats {
        let p = &t.numbers;
        rows.push(dist(
            format!("threat {}: events a year", t.id),
            &t.frequency,
            &p.frequency,
        ));
        rows.push(dist(
            format!("threat {}: capability", t.id),
            &t.capability,
            &p.capability,
        ));
        rows.push(dist(
            format!("threat {}: primary loss", t.id),
            &t.primary_loss,
            &p.primary_loss,
        ));
        if let (Some(l), Some(lp)) = (&t.secondary_loss, &p.secondary_loss) {
            rows.push(dist(format!("threat {}: secondary loss", t.id), l, lp));
        }
    }
    for s in &eco.supports {
        rows.push(row(
            format!("support {}: annual cost", s.id),
            format::money(&eco.meta.currency, s.annual_cost),
            &s.provenance,
        ));
        rows.push(row(
            format!("support {}: effect on {}", s.id, s.effect.on.as_str()),
            format!("{}", s.effect.change),
            &s.effect_provenance,
        ));
    }
    for r in &eco.relations {
        rows.push(row(
            format!(
                "relation {} {} {}: strength",
                eco.stakeholder(r.from).id,
                r.kind.as_str(),
                eco.stakeholder(r.to).id
            ),
            format!("{}", r.strength),
            &r.provenance,
        ));
    }
    for c in &eco.countries {
        rows.push(row(
            format!("country {} ({}): hospitals", c.code, c.name),
            format::count(f64::from(c.hospitals)),
            &c.provenance,
        ));
    }
    rows
}

/// The scenario's values of every simulation parameter and intervention,
/// with the documented source of the default (`[E]`: engineering estimate).
fn simulation_parameters(scenario: &Scenario) -> Vec<NumberRow> {
    let mut parameters = scenario.parameters.clone();
    let mut interventions = scenario.interventions.clone();
    let mut rows = Vec::new();
    for spec in PARAMETERS {
        let value = parameters.get_mut(spec.key).map_or(spec.default, |v| *v);
        rows.push(spec_row(spec, value));
    }
    for spec in INTERVENTIONS {
        let value = interventions.get_mut(spec.key).map_or(spec.default, |v| *v);
        rows.push(spec_row(spec, value));
    }
    rows
}

fn spec_row(spec: &holisec_sim::scenario::ParamSpec, value: f64) -> NumberRow {
    let estimate = spec.source.starts_with("[E]");
    NumberRow {
        what: format!("{}: {}", spec.key, spec.meaning),
        value: if value == spec.default {
            format!("{value}")
        } else {
            format!("{value} (default {})", spec.default)
        },
        source: (!estimate).then(|| spec.source.to_owned()),
        rationale: estimate.then(|| match holisec_sim::estimates::range_of(spec.key) {
            Some(r) => format!(
                "{} (plausible {} to {}: {})",
                spec.source, r.low, r.high, r.why
            ),
            None => spec.source.to_owned(),
        }),
    }
}
