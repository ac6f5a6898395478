//! Ranking support items, and combinations within a budget, by risk reduced per euro.
//!
//! Every single support item is simulated as an intervention on the baseline's
//! random numbers. With a budget, combinations of two or more items whose summed
//! annual cost fits are searched with the closed-form ALE (exact expectation,
//! quadrature for the vulnerability): exhaustively up to
//! [`EXHAUSTIVE_LIMIT`] support items, greedily by ALE reduction per euro
//! beyond. The [`COMBINATIONS_SIMULATED`] best combinations (largest expected
//! reduction) are then simulated like the single items, so their delta ALE and
//! delta p95 come from the same common random numbers.

use holisec_model::{Ecosystem, SupportIdx};
use serde::Serialize;

use crate::engine::{Intervention, RiskModel};
use crate::fair::Controls;
use crate::report::InterventionResult;

/// Up to this many support items, every combination within the budget is scored.
pub const EXHAUSTIVE_LIMIT: usize = 16;
/// Combinations simulated after the closed-form search.
pub const COMBINATIONS_SIMULATED: usize = 5;

/// The interventions to simulate for a comparison.
#[derive(Debug, Clone)]
pub struct ComparePlan {
    /// Single items first, then combinations.
    pub interventions: Vec<Intervention>,
    /// How many of them are single items.
    pub singles: usize,
    /// Budget, if any.
    pub budget: Option<f64>,
    /// How the combinations were searched.
    pub search: String,
}

fn combo_ale(
    model: &RiskModel,
    eco: &Ecosystem,
    base: &[f64],
    supports: &[SupportIdx],
    cache: &mut std::collections::HashMap<(usize, Vec<u32>), f64>,
) -> f64 {
    model
        .scenarios()
        .zip(base)
        .enumerate()
        .map(|(i, (s, &base))| {
            let touching: Vec<u32> = supports
                .iter()
                .filter(|&&k| eco.support(k).mitigates.contains(&s.key.vulnerability))
                .map(|k| k.0)
                .collect();
            if touching.is_empty() {
                return base;
            }
            *cache.entry((i, touching.clone())).or_insert_with(|| {
                let idx: Vec<SupportIdx> = touching.iter().map(|&k| SupportIdx(k)).collect();
                let c: Controls = crate::scenario::controls(eco, s, &idx);
                model.expected_annual_loss(i, &c)
            })
        })
        .sum()
}

/// Plans the interventions of `--compare` (and `--budget`).
pub fn plan(model: &RiskModel, eco: &Ecosystem, budget: Option<f64>) -> ComparePlan {
    let all: Vec<SupportIdx> = (0..eco.supports.len() as u32).map(SupportIdx).collect();
    let mut interventions: Vec<Intervention> =
        all.iter().map(|&s| model.intervention(eco, &[s])).collect();
    let singles = interventions.len();
    let mut search = String::from("no budget given: single support items only");
    if let Some(budget) = budget {
        let mut cache = std::collections::HashMap::new();
        let per_scenario = model.expected_annual_losses(None);
        let base: f64 = per_scenario.iter().sum();
        let affordable: Vec<SupportIdx> = all
            .iter()
            .copied()
            .filter(|&s| eco.support(s).annual_cost <= budget)
            .collect();
        let cost =
            |set: &[SupportIdx]| set.iter().map(|&s| eco.support(s).annual_cost).sum::<f64>();
        let mut scored: Vec<(f64, Vec<SupportIdx>)> = Vec::new();
        if affordable.len() <= EXHAUSTIVE_LIMIT {
            let n = affordable.len();
            for mask in 1u32..(1u32 << n) {
                if mask.count_ones() < 2 {
                    continue;
                }
                let set: Vec<SupportIdx> = (0..n)
                    .filter(|b| mask & (1 << b) != 0)
                    .map(|b| affordable[b])
                    .collect();
                if cost(&set) <= budget {
                    let reduction = base - combo_ale(model, eco, &per_scenario, &set, &mut cache);
                    scored.push((reduction, set));
                }
            }
            search = format!(
                "all {} combinations of 2 or more of the {} support items costing at most {} a year scored in closed form; best {} simulated",
                scored.len(),
                n,
                holisec_model::number::thousands(budget),
                COMBINATIONS_SIMULATED
            );
        } else {
            // Greedy: repeatedly add the item with the best extra reduction per euro.
            let mut chosen: Vec<SupportIdx> = Vec::new();
            let mut current = base;
            loop {
                let mut best: Option<(f64, SupportIdx, f64)> = None;
                for &s in &affordable {
                    if chosen.contains(&s) {
                        continue;
                    }
                    let mut set = chosen.clone();
                    set.push(s);
                    if cost(&set) > budget {
                        continue;
                    }
                    let ale = combo_ale(model, eco, &per_scenario, &set, &mut cache);
                    let gain = (current - ale) / eco.support(s).annual_cost.max(1e-9);
                    if best.is_none_or(|(g, _, _)| gain > g) {
                        best = Some((gain, s, ale));
                    }
                }
                let Some((_, s, ale)) = best else { break };
                chosen.push(s);
                current = ale;
                if chosen.len() >= 2 {
                    scored.push((base - ale, chosen.clone()));
                }
            }
            search = format!(
                "{} support items: greedy search by expected reduction per euro within {} a year",
                affordable.len(),
                holisec_model::number::thousands(budget)
            );
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        for (_, set) in scored.into_iter().take(COMBINATIONS_SIMULATED) {
            interventions.push(model.intervention(eco, &set));
        }
    }
    ComparePlan {
        interventions,
        singles,
        budget,
        search,
    }
}

/// One ranked row.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// 1 = best.
    pub rank: usize,
    /// The simulated intervention.
    #[serde(flatten)]
    pub result: InterventionResult,
}

/// The ranking printed by `holisec risk --compare`.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Budget (annual, one organisation), if given.
    pub budget: Option<f64>,
    /// Single items by delta ALE per euro (free items first), then delta ALE.
    pub single_items: Vec<Ranked>,
    /// Best combinations within the budget, by delta ALE.
    pub combinations: Vec<Ranked>,
    /// How the combinations were searched.
    pub combination_search: String,
}

/// Ranks the simulated interventions of `plan`.
pub fn rank(plan: &ComparePlan, results: &[InterventionResult]) -> Comparison {
    let key = |r: &InterventionResult| match r.delta_ale_per_euro {
        Some(x) => x,
        None if r.delta_ale > 0.0 => f64::INFINITY,
        None => 0.0,
    };
    let mut singles: Vec<InterventionResult> = results[..plan.singles].to_vec();
    singles.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then(b.delta_ale.total_cmp(&a.delta_ale))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut combos: Vec<InterventionResult> = results[plan.singles..].to_vec();
    combos.sort_by(|a, b| {
        b.delta_ale
            .total_cmp(&a.delta_ale)
            .then_with(|| a.id.cmp(&b.id))
    });
    let ranked = |v: Vec<InterventionResult>| {
        v.into_iter()
            .enumerate()
            .map(|(i, result)| Ranked {
                rank: i + 1,
                result,
            })
            .collect()
    };
    Comparison {
        budget: plan.budget,
        single_items: ranked(singles),
        combinations: ranked(combos),
        combination_search: plan.search.clone(),
    }
}
