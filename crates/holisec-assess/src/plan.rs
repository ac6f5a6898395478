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
//! differences, never larger than the baseline's events allow. Percentiles are
//! read with [`LogHistogram::quantile_interpolated`] (the nearest-rank
//! percentile placed within its sketch bucket), so a delta p95 is not a whole
//! number of bucket widths.
//!
//! [`LogHistogram::quantile_interpolated`]: holisec_risk::sketch::LogHistogram::quantile_interpolated
//!
//! # Which steps are recommended
//!
//! A step's benefit is the closed-form delta of the expected annual loss (the
//! engine's quadrature under the same controls, no sampling noise), valued at
//! [`PlanOptions::value_per_euro_avoided`] EUR per euro avoided (default
//! [`DEFAULT_VALUE_PER_EURO_AVOIDED`] = 1: one euro of expected loss avoided is
//! worth one euro; raise it to count harm the euros do not capture, such as
//! patient safety or reputation). Its net benefit is
//! `delta_expected * value_per_euro_avoided - cost`, and a step *pays for itself*
//! when that is positive. Actions are ranked by net benefit (highest first, ties
//! by item id).
//!
//! * Without a budget, exactly the steps that pay for themselves are selected
//!   ([`Decision::Recommended`]).
//! * With a budget, steps that pay for themselves are taken in rank order while
//!   they fit (a step that does not fit is [`Decision::OverBudget`] and the next
//!   ones are still tried). Then, because a budget asks to spend that much, the
//!   remaining steps that avoid some loss are taken by loss avoided per euro while
//!   they fit ([`Decision::BudgetFill`]: selected, but they do not pay for
//!   themselves).
//!
//! Every step is measured alone against the hospital as answered; the plan's
//! totals add those single-step effects up (an approximation: steps on the same
//! factor overlap).

use holisec_model::{Ecosystem, Effect, EffectTarget, Provenance, Support, SupportKind};
use holisec_risk::engine::{self, Intervention, RiskModel, RunOptions};
use holisec_risk::fair::Controls;
use holisec_risk::report::LEC_POINTS_PER_DECADE;
use holisec_risk::sampling::SamplerMode;
use holisec_risk::scenario::Selection;
use holisec_risk::sketch::LecPoint;
use serde::{Deserialize, Serialize};

use crate::adjust::{self, AdjustError};
use crate::questionnaire::{MAX_LEVEL, Questionnaire};

/// Simulated years of a plan unless the caller says otherwise.
pub const DEFAULT_ITERATIONS: u64 = 20_000;
/// Seed of a plan unless the caller says otherwise.
pub const DEFAULT_SEED: u64 = 1;
/// EUR that one euro of expected annual loss avoided is worth unless the caller
/// says otherwise: 1, so a step is recommended only when it avoids more expected
/// loss than it costs.
pub const DEFAULT_VALUE_PER_EURO_AVOIDED: f64 = 1.0;

/// Why a plan or risk figure cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The model cannot be adjusted.
    #[error(transparent)]
    Adjust(#[from] AdjustError),
    /// The risk engine refused the model or options.
    #[error("risk engine: {0}")]
    Risk(String),
    /// A plan option out of range.
    #[error("{0}")]
    Options(String),
    /// The caller cancelled the run ([`plan_cancellable`]).
    #[error("the run was cancelled")]
    Cancelled,
}

fn engine_error(e: engine::RiskError) -> PlanError {
    match e {
        engine::RiskError::Cancelled => PlanError::Cancelled,
        other => PlanError::Risk(other.to_string()),
    }
}

/// What [`plan`] is asked: the run, the budget and how avoided loss is valued.
///
/// `PlanOptions::default()` is [`DEFAULT_ITERATIONS`] simulated years, seed
/// [`DEFAULT_SEED`], no budget and [`DEFAULT_VALUE_PER_EURO_AVOIDED`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanOptions {
    /// Simulated years and seed of the Monte Carlo run.
    #[serde(with = "run_options")]
    pub run: RunOptions,
    /// Yearly budget in EUR (>= 0), or none.
    pub budget: Option<f64>,
    /// EUR that one euro of expected annual loss avoided is worth (>= 0; default
    /// 1): a step is recommended when `delta_expected * value_per_euro_avoided`
    /// exceeds its cost.
    pub value_per_euro_avoided: f64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            run: RunOptions {
                iterations: DEFAULT_ITERATIONS,
                seed: DEFAULT_SEED,
            },
            budget: None,
            value_per_euro_avoided: DEFAULT_VALUE_PER_EURO_AVOIDED,
        }
    }
}

impl PlanOptions {
    /// Checks the budget and the value factor (the engine checks the run).
    pub fn check(&self) -> Result<(), PlanError> {
        if let Some(b) = self.budget
            && !(b.is_finite() && b >= 0.0)
        {
            return Err(PlanError::Options(format!(
                "budget {b}: expected an amount of 0 or more EUR a year"
            )));
        }
        let v = self.value_per_euro_avoided;
        if !(v.is_finite() && v >= 0.0) {
            return Err(PlanError::Options(format!(
                "value per euro avoided {v}: expected a finite number >= 0"
            )));
        }
        Ok(())
    }
}

/// A free step's `per_euro` is infinite; JSON has no infinity, so it is
/// written `null` and read back as infinity (a stored plan must read back).
mod infinite_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
    }
}

/// `RunOptions` as `{ iterations, seed }` (the risk crate does not derive serde).
mod run_options {
    use holisec_risk::engine::RunOptions;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wire {
        iterations: u64,
        seed: u64,
    }

    pub fn serialize<S: Serializer>(r: &RunOptions, s: S) -> Result<S::Ok, S::Error> {
        Wire {
            iterations: r.iterations,
            seed: r.seed,
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<RunOptions, D::Error> {
        let w = Wire::deserialize(d)?;
        Ok(RunOptions {
            iterations: w.iterations,
            seed: w.seed,
        })
    }
}

/// Annual loss of the hospital.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    /// Mean annual loss (ALE), EUR.
    pub ale: f64,
    /// 95th percentile of the annual loss, EUR (nearest rank, interpolated within
    /// its sketch bucket: [`holisec_risk::sketch::LogHistogram::quantile_interpolated`]).
    pub p95: f64,
    /// 99th percentile of the annual loss, EUR (same estimate).
    pub p99: f64,
    /// Closed-form expected annual loss, EUR (no sampling noise).
    pub expected: f64,
}

/// What the plan does with a step, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Pays for itself (net benefit > 0) and fits the budget, if any: selected.
    Recommended,
    /// Does not pay for itself but avoids some loss, and was taken to use the
    /// rest of a budget after every step that pays for itself: selected.
    BudgetFill,
    /// Pays for itself but did not fit what was left of the budget.
    OverBudget,
    /// Does not pay for itself (net benefit <= 0) and was not taken.
    NotWorthIt,
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
    /// noise; the economics use it).
    pub delta_expected: f64,
    /// Reduction of the 95th percentile of the annual loss, EUR: baseline minus
    /// variant on the same simulated years, both read with
    /// [`holisec_risk::sketch::LogHistogram::quantile_interpolated`]. Never
    /// negative; 0 for a step without effect.
    pub delta_p95: f64,
    /// `delta_expected / cost`: EUR of expected loss avoided per EUR spent
    /// (infinite for a free step that avoids some loss).
    #[serde(with = "infinite_as_null")]
    pub per_euro: f64,
    /// `delta_expected * value_per_euro_avoided - cost`, EUR/year: the ranking key.
    pub net_benefit: f64,
    /// Whether the net benefit is positive.
    pub pays_for_itself: bool,
    /// Whether the plan takes the step ([`Decision::Recommended`] or
    /// [`Decision::BudgetFill`]).
    pub selected: bool,
    /// What the plan does with the step, and why.
    pub decision: Decision,
}

/// The plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Stakeholder id assessed.
    pub stakeholder: String,
    /// Risk of the hospital as answered.
    pub baseline: Risk,
    /// Loss exceedance curve of the hospital as answered (empty in plans
    /// stored before it was kept).
    #[serde(default)]
    pub lec: Vec<LecPoint>,
    /// Actions, highest net benefit first (ties by item id).
    pub actions: Vec<Action>,
    /// Budget, when given.
    pub budget: Option<f64>,
    /// EUR that one euro of expected loss avoided was valued at.
    pub value_per_euro_avoided: f64,
    /// Number of steps that pay for themselves and were selected
    /// ([`Decision::Recommended`]).
    pub recommended: usize,
    /// Cost of the selected actions, EUR/year (budget fill included).
    pub selected_cost: f64,
    /// Sum of the closed-form delta expected annual loss of the selected actions,
    /// EUR/year (an approximation: each was measured alone).
    pub selected_delta_ale: f64,
    /// Sum of the net benefits of the selected actions, EUR/year.
    pub selected_net_benefit: f64,
    /// Simulated years of the run.
    pub iterations: u64,
    /// Seed of the run.
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
        p95: t.histogram.quantile_interpolated(0.95),
        p99: t.histogram.quantile_interpolated(0.99),
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

/// The costed plan for `levels` (item order; missing levels count as 0) under
/// `options` (see the module docs for which steps are selected and why).
/// `progress(n)` is called with the number of simulated years each finished
/// chunk of the run covered.
pub fn plan(
    eco: &Ecosystem,
    q: &Questionnaire,
    levels: &[u8],
    options: &PlanOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Plan, PlanError> {
    plan_cancellable(eco, q, levels, options, progress, &|| false)
}

/// [`plan`] that stops at the engine's next chunk boundary once `cancelled`
/// says `true` ([`PlanError::Cancelled`]); a plan never cancelled is
/// [`plan`]'s, bit for bit.
pub fn plan_cancellable(
    eco: &Ecosystem,
    q: &Questionnaire,
    levels: &[u8],
    options: &PlanOptions,
    progress: &(dyn Fn(u64) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<Plan, PlanError> {
    options.check()?;
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
    let run = engine::run_cancellable(&model, &interventions, &options.run, progress, cancelled)
        .map_err(engine_error)?;
    let t = &run.baseline.total;
    let baseline = Risk {
        ale: t.moments.mean(),
        p95: t.histogram.quantile_interpolated(0.95),
        p99: t.histogram.quantile_interpolated(0.99),
        expected: base_expected,
    };
    let value = options.value_per_euro_avoided;
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
        let net_benefit = delta_expected * value - cost;
        actions.push(Action {
            item: item.id.clone(),
            title: item.title.clone(),
            from,
            to: from + 1,
            cost,
            delta_ale: stat.reduction.mean(),
            delta_expected,
            delta_p95: (baseline.p95 - stat.total.histogram.quantile_interpolated(0.95)).max(0.0),
            per_euro,
            net_benefit,
            pays_for_itself: net_benefit > 0.0,
            selected: false,
            decision: Decision::NotWorthIt,
        });
    }
    actions.sort_by(|a, b| {
        b.net_benefit
            .total_cmp(&a.net_benefit)
            .then_with(|| a.item.cmp(&b.item))
    });
    let fits = |spent: f64, cost: f64| options.budget.is_none_or(|b| spent + cost <= b);
    let mut spent = 0.0;
    for a in actions.iter_mut().filter(|a| a.pays_for_itself) {
        if fits(spent, a.cost) {
            a.decision = Decision::Recommended;
            spent += a.cost;
        } else {
            a.decision = Decision::OverBudget;
        }
    }
    if options.budget.is_some() {
        let mut rest: Vec<&mut Action> = actions
            .iter_mut()
            .filter(|a| !a.pays_for_itself && a.delta_expected > 0.0)
            .collect();
        rest.sort_by(|a, b| {
            b.per_euro
                .total_cmp(&a.per_euro)
                .then_with(|| a.item.cmp(&b.item))
        });
        for a in rest {
            if fits(spent, a.cost) {
                a.decision = Decision::BudgetFill;
                spent += a.cost;
            }
        }
    }
    let (mut recommended, mut cost, mut gained, mut net) = (0, 0.0, 0.0, 0.0);
    for a in actions.iter_mut() {
        a.selected = matches!(a.decision, Decision::Recommended | Decision::BudgetFill);
        if a.selected {
            recommended += usize::from(a.decision == Decision::Recommended);
            cost += a.cost;
            gained += a.delta_expected;
            net += a.net_benefit;
        }
    }
    Ok(Plan {
        stakeholder: eco.stakeholder(h).id.clone(),
        baseline,
        lec: t.histogram.lec(LEC_POINTS_PER_DECADE),
        actions,
        budget: options.budget,
        value_per_euro_avoided: value,
        recommended,
        selected_cost: cost,
        selected_delta_ale: gained,
        selected_net_benefit: net,
        iterations: options.run.iterations,
        seed: options.run.seed,
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
