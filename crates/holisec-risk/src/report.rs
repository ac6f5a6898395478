//! Serialisable results: per scenario and aggregated by stakeholder, domain,
//! motivation and in total, with ALE, P(at least one loss event), percentiles
//! and the loss exceedance curve.

use holisec_model::{Domain, Motivation};
use serde::Serialize;

use crate::compare::Comparison;
use crate::engine::{CHUNK_ITERATIONS, Intervention, RiskModel, RunResult};
use crate::portfolio::PortfolioReport;
use crate::sampling::{SamplerMode, TABLE_INTERVALS};
use crate::sketch::{LecPoint, RELATIVE_ACCURACY, Stat};

/// LEC points per decade of loss in reports.
pub const LEC_POINTS_PER_DECADE: usize = 10;

/// Annual-loss percentiles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile (1 year in 10 is worse).
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile (1 year in 100 is worse).
    pub p99: f64,
    /// 99.5th percentile (1 year in 200; the Solvency II horizon).
    pub p99_5: f64,
    /// 99.9th percentile.
    pub p99_9: f64,
}

impl Percentiles {
    /// From a statistic's histogram.
    pub fn of(stat: &Stat) -> Self {
        let h = &stat.histogram;
        Percentiles {
            p50: h.quantile(0.5),
            p90: h.quantile(0.9),
            p95: h.quantile(0.95),
            p99: h.quantile(0.99),
            p99_5: h.quantile(0.995),
            p99_9: h.quantile(0.999),
        }
    }
}

/// The annual-loss distribution of one quantity.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// What it is (scenario, stakeholder, domain, motivation id or `total`).
    pub id: String,
    /// Mean annual loss (ALE).
    pub ale: f64,
    /// Standard error of the ALE (sd / sqrt(iterations)).
    pub ale_standard_error: f64,
    /// Standard deviation of the annual loss.
    pub sd: f64,
    /// P(at least one loss event in a year).
    pub probability_of_loss_event: f64,
    /// Mean number of loss events per year (simulated LEF).
    pub loss_events_per_year: f64,
    /// Percentiles of the annual loss.
    pub percentiles: Percentiles,
    /// Largest simulated annual loss.
    pub max: f64,
    /// Loss exceedance curve: P(annual loss > loss).
    pub lec: Vec<LecPoint>,
}

impl Summary {
    /// Summarises `stat`.
    pub fn new(id: impl Into<String>, stat: &Stat) -> Self {
        let n = stat.moments.count().max(1) as f64;
        let sd = stat.moments.sd();
        Summary {
            id: id.into(),
            ale: stat.moments.mean(),
            ale_standard_error: sd / n.sqrt(),
            sd,
            probability_of_loss_event: stat.with_event as f64 / n,
            loss_events_per_year: stat.events as f64 / n,
            percentiles: Percentiles::of(stat),
            max: stat.histogram.max(),
            lec: stat.histogram.lec(LEC_POINTS_PER_DECADE),
        }
    }
}

/// One scenario's inputs and results.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// Results.
    #[serde(flatten)]
    pub summary: Summary,
    /// Threat id.
    pub threat: String,
    /// Factor id.
    pub vulnerability: String,
    /// Targeted stakeholder id.
    pub stakeholder: String,
    /// Domain of the factor.
    pub domain: Domain,
    /// Motivation of the threat.
    pub motivation: Motivation,
    /// The factor belongs to a solution provider of the target.
    pub via_supplier: bool,
    /// Mean simulated TEF of the scenario (after the split), events per year.
    pub threat_event_frequency: f64,
    /// Mean simulated vulnerability P(TCap > RS).
    pub vulnerability_probability: f64,
    /// TEF share of the threat's frequency.
    pub frequency_share: f64,
    /// Closed-form ALE (E[TEF] x share x E[V] x E[LM]) for cross-checking.
    pub analytic_ale: f64,
    /// Inputs replaced by a `[[scenario]]` override.
    pub overridden: Vec<&'static str>,
    /// The inputs as distributions.
    pub inputs: crate::fair::FairInputs,
}

/// Results with one intervention, against the baseline on the same random numbers.
#[derive(Debug, Clone, Serialize)]
pub struct InterventionResult {
    /// Support ids joined with `+`.
    pub id: String,
    /// The support ids.
    pub supports: Vec<String>,
    /// Annual cost for one organisation.
    pub annual_cost: f64,
    /// Total annual loss with the intervention.
    pub total: Summary,
    /// Baseline ALE minus ALE with the intervention (exact on common random numbers).
    pub delta_ale: f64,
    /// Standard error of `delta_ale` (from the year-by-year paired differences).
    pub delta_ale_standard_error: f64,
    /// Baseline p95 minus p95 with the intervention, both interpolated within
    /// their histogram bucket so a paired change is not a whole bucket width
    /// (never negative: an intervention only removes loss events).
    pub delta_p95: f64,
    /// Baseline p99 minus p99 with the intervention, interpolated likewise.
    pub delta_p99: f64,
    /// `delta_ale / annual_cost` (euros of expected loss avoided per euro spent).
    pub delta_ale_per_euro: Option<f64>,
    /// `delta_p95 / annual_cost`.
    pub delta_p95_per_euro: Option<f64>,
}

/// How the run was made.
#[derive(Debug, Clone, Serialize)]
pub struct EngineInfo {
    /// `holisec-risk` and its version.
    pub engine: String,
    /// Simulated years.
    pub iterations: u64,
    /// Run seed.
    pub seed: u64,
    /// Iterations per random stream.
    pub chunk_iterations: u64,
    /// How PERTs were sampled.
    pub pert_sampler: SamplerMode,
    /// Intervals of the PERT quantile tables.
    pub pert_table_intervals: usize,
    /// Relative accuracy of every reported percentile.
    pub percentile_relative_accuracy: f64,
    /// The annual-loss model.
    pub loss_model: &'static str,
    /// The TEF split rule.
    pub frequency_rule: &'static str,
}

/// The whole result of `holisec risk`.
#[derive(Debug, Clone, Serialize)]
pub struct RiskReport {
    /// Model name.
    pub model: String,
    /// Currency of every amount.
    pub currency: String,
    /// Run parameters.
    pub engine: EngineInfo,
    /// Number of simulated scenarios.
    pub scenarios_simulated: usize,
    /// Targeted stakeholder the run is restricted to, if any.
    pub stakeholder: Option<String>,
    /// Total over the simulated scenarios (one organisation of each targeted stakeholder).
    pub total: Summary,
    /// Closed-form total ALE, for cross-checking the simulation.
    pub analytic_ale: f64,
    /// Per targeted stakeholder.
    pub by_stakeholder: Vec<Summary>,
    /// Per domain of the exploited factor (domains with scenarios only).
    pub by_domain: Vec<Summary>,
    /// Per threat motivation (motivations with scenarios only).
    pub by_motivation: Vec<Summary>,
    /// Per scenario, in model order.
    pub scenarios: Vec<ScenarioResult>,
    /// Interventions simulated on the same random numbers.
    pub interventions: Vec<InterventionResult>,
    /// Ranking of support items and combinations (`--compare`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// Portfolio results (`--portfolio`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<PortfolioReport>,
}

/// Builds the report of a run.
pub fn build(
    model: &RiskModel,
    run: &RunResult,
    interventions: &[Intervention],
    stakeholder: Option<String>,
) -> RiskReport {
    let b = &run.baseline;
    let n = run.options.iterations as f64;
    let analytic = model.expected_annual_losses(None);
    let scenarios = model
        .scenarios()
        .zip(&b.scenarios)
        .enumerate()
        .map(|(i, (s, stat))| ScenarioResult {
            summary: Summary::new(s.id.clone(), stat),
            threat: s.threat.clone(),
            vulnerability: s.vulnerability.clone(),
            stakeholder: s.stakeholder.clone(),
            domain: s.domain,
            motivation: s.motivation,
            via_supplier: s.via_supplier,
            threat_event_frequency: b.frequency_sum[i] / n,
            vulnerability_probability: b.vulnerability_sum[i] / n,
            frequency_share: s.inputs.frequency_share,
            analytic_ale: analytic[i],
            overridden: s.overridden.clone(),
            inputs: s.inputs.clone(),
        })
        .collect();
    let present_domains: Vec<bool> = Domain::ALL
        .iter()
        .map(|d| model.scenarios().any(|s| s.domain == *d))
        .collect();
    let present_motivations: Vec<bool> = Motivation::ALL
        .iter()
        .map(|m| model.scenarios().any(|s| s.motivation == *m))
        .collect();
    let total = Summary::new("total", &b.total);
    let interventions = interventions
        .iter()
        .zip(&run.interventions)
        .map(|(iv, stat)| {
            let with = Summary::new(iv.id.clone(), &stat.total);
            // Paired tail changes from interpolated quantiles: on common random
            // numbers a few years crossing the percentile move it by less than a
            // bucket, so deltas are not whole bucket widths (41,944, 83,888, ...).
            let tail_delta = |q: f64| {
                (b.total.histogram.quantile_interpolated(q)
                    - stat.total.histogram.quantile_interpolated(q))
                .max(0.0)
            };
            let delta_p95 = tail_delta(0.95);
            let per_euro = |x: f64| (iv.annual_cost > 0.0).then(|| x / iv.annual_cost);
            InterventionResult {
                id: iv.id.clone(),
                supports: iv.supports.clone(),
                annual_cost: iv.annual_cost,
                delta_ale: stat.reduction.mean(),
                delta_ale_standard_error: stat.reduction.sd() / n.sqrt(),
                delta_p95,
                delta_p99: tail_delta(0.99),
                delta_ale_per_euro: per_euro(stat.reduction.mean()),
                delta_p95_per_euro: per_euro(delta_p95),
                total: with,
            }
        })
        .collect();
    RiskReport {
        model: model.name.clone(),
        currency: model.currency.clone(),
        engine: EngineInfo {
            engine: format!("holisec-risk {}", env!("CARGO_PKG_VERSION")),
            iterations: run.options.iterations,
            seed: run.options.seed,
            chunk_iterations: CHUNK_ITERATIONS,
            pert_sampler: model.mode,
            pert_table_intervals: TABLE_INTERVALS,
            percentile_relative_accuracy: RELATIVE_ACCURACY,
            loss_model: "events: N ~ Poisson(TEF x P(TCap > RS)) loss events per year, one LM = primary + secondary draw per loss event",
            frequency_rule: "threat frequency per organisation split equally among the threat's scenarios for each target; a [[scenario]] frequency override replaces the share",
        },
        scenarios_simulated: model.len(),
        stakeholder,
        analytic_ale: analytic.iter().sum(),
        total,
        by_stakeholder: model
            .stakeholders
            .iter()
            .zip(&b.stakeholders)
            .map(|(id, s)| Summary::new(id.clone(), s))
            .collect(),
        by_domain: Domain::ALL
            .iter()
            .zip(&b.domains)
            .zip(&present_domains)
            .filter(|(_, p)| **p)
            .map(|((d, s), _)| Summary::new(d.as_str(), s))
            .collect(),
        by_motivation: Motivation::ALL
            .iter()
            .zip(&b.motivations)
            .zip(&present_motivations)
            .filter(|(_, p)| **p)
            .map(|((m, s), _)| Summary::new(m.as_str(), s))
            .collect(),
        scenarios,
        interventions,
        comparison: None,
        portfolio: None,
    }
}
