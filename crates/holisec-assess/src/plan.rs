//! The hospital's risk in euros and its costed action plan.
//!
//! The FAIR engine of `holisec-risk` runs on the adjusted model (see
//! [`crate::adjust`]) over the scenarios that target the hospital stakeholder:
//! the annual loss of ONE hospital. Each candidate step (an item one level up)
//! becomes an engine intervention on that same run: per scenario, the frequency
//! and loss ratios between the model adjusted with the step and without it, and
//! the change of the factor's mean resistance as a resistance gain. The engine
//! evaluates every intervention on the baseline's own random draws by thinning
//! its loss events (common random numbers), so delta ALE and delta p95 are paired
//! differences, never larger than the baseline's events allow. Items are ranked
//! by the closed-form delta of the expected annual loss (the engine's quadrature
//! under the same controls, no sampling noise) per euro of the step cost; with a
//! budget, items are taken greedily in that order while they fit.

use holisec_model::{Ecosystem, Effect, EffectTarget, Provenance, Support, SupportKind};
use holisec_risk::engine::{self, Intervention, RiskModel, RunOptions};
use holisec_risk::fair::Controls;
use holisec_risk::sampling::SamplerMode;
use holisec_risk::scenario::Selection;
use serde::{Deserialize, Serialize};

use crate::adjust::{self, AdjustError};
use crate::questionnaire::{MAX_LEVEL, Questionnaire};

/// Why a plan or risk figure cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The model cannot be adjusted.
    #[error(transparent)]
    Adjust(#[from] AdjustError),
    /// The risk engine refused the model or options.
    #[error("risk engine: {0}")]
    Risk(String),
}

/// Annual loss of the hospital.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    /// Mean annual loss (ALE), EUR.
    pub ale: f64,
    /// 95th percentile of the annual loss, EUR.
    pub p95: f64,
    /// 99th percentile of the annual loss, EUR.
    pub p99: f64,
    /// Closed-form expected annual loss, EUR (no sampling noise).
    pub expected: f64,
}

/// One candidate action: raise an item by one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Item id.
    pub item: String,
    /// Item title.
    pub title: String,
    /// Current level.
    pub from: u8,
    /// Level after the step.
    pub to: u8,
    /// Cost of the step, EUR/year.
    pub cost: f64,
    /// Reduction of the ALE by Monte Carlo (baseline minus variant, same seed), EUR/year.
    pub delta_ale: f64,
    /// Reduction of the closed-form expected annual loss, EUR/year (no sampling
    /// noise; the ranking uses it).
    pub delta_expected: f64,
    /// Reduction of the 95th percentile, EUR.
    pub delta_p95: f64,
    /// `delta_expected / cost` (EUR of expected loss avoided per EUR spent).
    pub per_euro: f64,
    /// Whether the greedy budget selection takes it (always true without a budget).
    pub selected: bool,
}

/// The plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Stakeholder id assessed.
    pub stakeholder: String,
    /// Risk of the hospital as answered.
    pub baseline: Risk,
    /// Actions, best ratio first.
    pub actions: Vec<Action>,
    /// Budget, when given.
    pub budget: Option<f64>,
    /// Cost of the selected actions.
    pub selected_cost: f64,
    /// Sum of the closed-form delta expected loss of the selected actions (an
    /// approximation: each was measured alone).
    pub selected_delta_ale: f64,
    /// Options of every run.
    pub iterations: u64,
    /// Seed of every run.
    pub seed: u64,
}

fn selection(eco: &Ecosystem) -> Result<Selection, PlanError> {
    let h = adjust::hospital(eco)?;
    Ok(Selection {
        scenarios: Vec::new(),
        stakeholder: Some(eco.stakeholder(h).id.clone()),
    })
}

fn risk_model(eco: &Ecosystem) -> Result<RiskModel, PlanError> {
    RiskModel::new(eco, &selection(eco)?, SamplerMode::Table)
        .map_err(|e| PlanError::Risk(e.to_string()))
}

/// Closed-form expected annual loss of the hospital for `levels` (no sampling).
pub fn expected_ale(eco: &Ecosystem, q: &Questionnaire, levels: &[u8]) -> Result<f64, PlanError> {
    let adjusted = adjust::adjust(eco, q, levels)?;
    Ok(risk_model(&adjusted)?
        .expected_annual_losses(None)
        .iter()
        .sum())
}

/// Monte Carlo risk of the hospital for `levels`.
pub fn risk(
    eco: &Ecosystem,
    q: &Questionnaire,
    levels: &[u8],
    options: &RunOptions,
) -> Result<Risk, PlanError> {
    let adjusted = adjust::adjust(eco, q, levels)?;
    let model = risk_model(&adjusted)?;
    let run =
        engine::run(&model, &[], options, &|_| {}).map_err(|e| PlanError::Risk(e.to_string()))?;
    let t = &run.baseline.total;
    Ok(Risk {
        ale: t.moments.mean(),
        p95: t.histogram.quantile(0.95),
        p99: t.histogram.quantile(0.99),
        expected: model.expected_annual_losses(None).iter().sum(),
    })
}

/// Adds a zero-effect support item over every factor of the questionnaire, so the
/// engine draws its thinning numbers for those scenarios (baseline unchanged: the
/// baseline never applies support items).
fn with_marker_support(eco: &mut Ecosystem, q: &Questionnaire) -> Result<(), PlanError> {
    let provider = adjust::hospital(eco)?;
    let mut mitigates: Vec<_> = q
        .items
        .iter()
        .flat_map(|i| i.factors.iter())
        .filter_map(|f| eco.vulnerability_by_id(f))
        .collect();
    mitigates.sort();
    mitigates.dedup();
    eco.supports.push(Support {
        id: "holisec-assess-step".to_owned(),
        kind: SupportKind::Protection,
        name: "One maturity step (holisec assess)".to_owned(),
        description: None,
        provider,
        mitigates,
        effect: Effect {
            on: EffectTarget::Resistance,
            change: 0.0,
        },
        annual_cost: 0.0,
        provenance: Provenance {
            source: None,
            rationale: Some("marker for common-random-number thinning".to_owned()),
        },
        effect_provenance: Provenance {
            source: None,
            rationale: Some("marker for common-random-number thinning".to_owned()),
        },
    });
    Ok(())
}

fn total_loss_mean(o: Option<&holisec_model::ScenarioOverride>, t: &holisec_model::Threat) -> f64 {
    let p = o
        .and_then(|o| o.primary_loss.as_ref())
        .unwrap_or(&t.primary_loss)
        .mean();
    let s = o
        .and_then(|o| o.secondary_loss.as_ref())
        .or(t.secondary_loss.as_ref())
        .map_or(0.0, |d| d.mean());
    p + s
}

/// The controls that turn the hospital's model `base` into `up` (one item one level
/// higher), per simulated scenario of `model`: the frequency and loss ratios are
/// exact; the resistance change is the change of the mean resistance of the factor
/// (the engine adds one gain to every resistance draw).
fn step_controls(model: &RiskModel, base: &Ecosystem, up: &Ecosystem) -> Vec<Controls> {
    model
        .scenarios()
        .map(|s| {
            let key = s.key;
            let (ob, ou) = (base.scenario_override(key), up.scenario_override(key));
            let res = |e: &Ecosystem, o: Option<&holisec_model::ScenarioOverride>| {
                o.and_then(|o| o.resistance.as_ref())
                    .unwrap_or(&e.vulnerability(key.vulnerability).resistance)
                    .mean()
            };
            let gain = (res(up, ou) - res(base, ob)).max(0.0);
            let freq = |e: &Ecosystem, o: Option<&holisec_model::ScenarioOverride>| {
                o.and_then(|o| o.frequency.as_ref())
                    .map_or(1.0, |f| f.mean())
                    / e.threat(key.threat).frequency.mean().max(f64::MIN_POSITIVE)
            };
            let (fb, fu) = (freq(base, ob), freq(up, ou));
            let (lb, lu) = (
                total_loss_mean(ob, base.threat(key.threat)),
                total_loss_mean(ou, up.threat(key.threat)),
            );
            Controls {
                frequency_factor: if fb > 0.0 { (fu / fb).min(1.0) } else { 1.0 },
                resistance_gain: gain,
                loss_factor: if lb > 0.0 { (lu / lb).min(1.0) } else { 1.0 },
            }
        })
        .collect()
}

/// The costed plan for `levels` (item order). `progress(done, total)` is called
/// with the simulated years done.
pub fn plan(
    eco: &Ecosystem,
    q: &Questionnaire,
    levels: &[u8],
    options: &RunOptions,
    budget: Option<f64>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Plan, PlanError> {
    let h = adjust::hospital(eco)?;
    let mut levels = levels.to_vec();
    levels.resize(q.items.len(), 0);
    let mut base = adjust::adjust(eco, q, &levels)?;
    with_marker_support(&mut base, q)?;
    let model = risk_model(&base)?;
    let base_expected: f64 = model.expected_annual_losses(None).iter().sum();
    let mut steps = Vec::new();
    let mut interventions = Vec::new();
    for (i, item) in q.items.iter().enumerate() {
        let from = levels[i];
        if from >= MAX_LEVEL {
            continue;
        }
        let mut up = levels.clone();
        up[i] = from + 1;
        let up_eco = adjust::adjust(eco, q, &up)?;
        let controls = step_controls(&model, &base, &up_eco);
        let cost = item.step_cost[usize::from(from)];
        interventions.push(Intervention {
            id: item.id.clone(),
            supports: Vec::new(),
            annual_cost: cost,
            controls,
        });
        steps.push((i, from, cost));
    }
    let total = options.iterations;
    let done = std::sync::atomic::AtomicU64::new(0);
    let run = engine::run(&model, &interventions, options, &|n| {
        let d = done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        progress(d, total)
    })
    .map_err(|e| PlanError::Risk(e.to_string()))?;
    let t = &run.baseline.total;
    let baseline = Risk {
        ale: t.moments.mean(),
        p95: t.histogram.quantile(0.95),
        p99: t.histogram.quantile(0.99),
        expected: base_expected,
    };
    let mut actions = Vec::new();
    for (k, &(i, from, cost)) in steps.iter().enumerate() {
        let item = &q.items[i];
        let stat = &run.interventions[k];
        let expected: f64 = model
            .expected_annual_losses(Some(&interventions[k].controls))
            .iter()
            .sum();
        let delta_expected = (base_expected - expected).max(0.0);
        let per_euro = if cost > 0.0 {
            delta_expected / cost
        } else if delta_expected > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        actions.push(Action {
            item: item.id.clone(),
            title: item.title.clone(),
            from,
            to: from + 1,
            cost,
            delta_ale: stat.reduction.mean(),
            delta_expected,
            delta_p95: baseline.p95 - stat.total.histogram.quantile(0.95),
            per_euro,
            selected: false,
        });
    }
    actions.sort_by(|a, b| {
        b.per_euro
            .total_cmp(&a.per_euro)
            .then_with(|| a.item.cmp(&b.item))
    });
    let (mut spent, mut gained) = (0.0, 0.0);
    for a in actions.iter_mut() {
        if a.delta_expected <= 0.0 {
            continue;
        }
        if budget.is_none_or(|b| spent + a.cost <= b) {
            a.selected = true;
            spent += a.cost;
            gained += a.delta_expected;
        }
    }
    Ok(Plan {
        stakeholder: eco.stakeholder(h).id.clone(),
        baseline,
        actions,
        budget,
        selected_cost: spent,
        selected_delta_ale: gained,
        iterations: options.iterations,
        seed: options.seed,
    })
}

/// A stable 128-bit FNV-1a hash (hex) of `parts`, for the input hash of stored runs.
pub fn input_hash(parts: &[&[u8]]) -> String {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for part in parts {
        for &b in (part.len() as u64).to_le_bytes().iter().chain(part.iter()) {
            h ^= u128::from(b);
            h = h.wrapping_mul(0x0000000001000000000000000000013B);
        }
    }
    format!("{h:032x}")
}
