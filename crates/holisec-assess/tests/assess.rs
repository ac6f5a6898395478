//! Scoring by hand, monotonicity of risk in the answers, and the plan with common random numbers.

use holisec_assess::plan::{Decision, PlanOptions};
use holisec_assess::questionnaire::{self, HOSPITAL_TOML};
use holisec_assess::{adjust, plan, scoring};
use holisec_model::{Distribution, Domain, Ecosystem};
use proptest::prelude::*;

fn builtin() -> (Ecosystem, holisec_assess::Questionnaire) {
    let eco = holisec_model::builtin::europe()
        .ecosystem
        .expect("built-in model");
    let (q, diags) = questionnaire::load(HOSPITAL_TOML, &eco);
    assert!(diags.is_empty(), "{diags:?}");
    (eco, q.unwrap())
}

const SMALL: &str = r#"
[questionnaire]
id = "small"
version = "1"
title = "Small"
[[item]]
id = "A"
domain = "people"
title = "a"
question = "a?"
factors = ["ho-backups"]
weight = 3
levels = ["0", "1", "2", "3", "4"]
step_cost = [10, 20, 30, 40]
[[item]]
id = "B"
domain = "people"
title = "b"
question = "b?"
factors = ["ho-backups", "ho-medical-devices"]
weight = 1
levels = ["0", "1", "2", "3", "4"]
step_cost = [10, 20, 30, 40]
[[item]]
id = "C"
domain = "data"
title = "c"
question = "c?"
factors = ["ho-ehr-data"]
weight = 2
levels = ["0", "1", "2", "3", "4"]
step_cost = [10, 20, 30, 40]
"#;

#[test]
fn scores_match_hand_computed_example() {
    let (eco, _) = builtin();
    let (q, d) = questionnaire::load(SMALL, &eco);
    assert!(d.is_empty(), "{d:?}");
    let q = q.unwrap();
    // people: (3*4 + 1*0) / 4 = 3.0 -> 75 %; data: 1 -> 25 %; overall (12 + 0 + 2) / 6 = 2.333...
    let s = scoring::score(&q, &[4, 0, 1], &[true, false, true]);
    let people = s
        .domains
        .iter()
        .find(|x| x.domain == Some(Domain::People))
        .unwrap();
    assert!((people.score - 3.0).abs() < 1e-12);
    assert!((people.percent - 75.0).abs() < 1e-12);
    assert_eq!((people.items, people.answered), (2, 1));
    let data = s
        .domains
        .iter()
        .find(|x| x.domain == Some(Domain::Data))
        .unwrap();
    assert!((data.score - 1.0).abs() < 1e-12);
    let tech = s
        .domains
        .iter()
        .find(|x| x.domain == Some(Domain::Technology))
        .unwrap();
    assert_eq!((tech.items, tech.score), (0, 0.0));
    assert!((s.overall.score - 14.0 / 6.0).abs() < 1e-12);

    // Factor maturity: ho-backups = (3*4 + 1*0) / (4*4) = 0.75; ho-medical-devices = 0.
    let m = adjust::factor_maturity(&q, &[4, 0, 1]);
    assert!((m["ho-backups"] - 0.75).abs() < 1e-12);
    assert!((m["ho-medical-devices"] - 0.0).abs() < 1e-12);
    // The adjusted resistance of ho-backups: every parameter x -> x + 0.6*0.5*(1-x).
    let adj = adjust::adjust(&eco, &q, &[4, 0, 1]).unwrap();
    let v = eco.vulnerability_by_id("ho-backups").unwrap();
    let (before, after) = (
        &eco.vulnerabilities[v.index()].resistance,
        &adj.vulnerabilities[v.index()].resistance,
    );
    let want = |x: f64| x + 0.3 * (1.0 - x);
    match (before, after) {
        (
            Distribution::Pert {
                low, mode, high, ..
            },
            Distribution::Pert {
                low: l,
                mode: m,
                high: h,
                ..
            },
        ) => {
            assert!(
                (want(*low) - l).abs() < 1e-12
                    && (want(*mode) - m).abs() < 1e-12
                    && (want(*high) - h).abs() < 1e-12
            );
        }
        (b, a) => assert!((b.mean() < a.mean()), "{b:?} -> {a:?}"),
    }
    // Maturity 2 everywhere leaves the model's resistances unchanged.
    let neutral = adjust::adjust(&eco, &q, &[2, 2, 2]).unwrap();
    for (a, b) in eco.vulnerabilities.iter().zip(&neutral.vulnerabilities) {
        assert!((a.resistance.mean() - b.resistance.mean()).abs() < 1e-12);
    }
}

#[test]
fn maturity_four_everywhere_is_no_riskier_than_zero() {
    let (eco, q) = builtin();
    let n = q.items.len();
    let zero = plan::expected_ale(&eco, &q, &vec![0; n]).unwrap();
    let two = plan::expected_ale(&eco, &q, &vec![2; n]).unwrap();
    let four = plan::expected_ale(&eco, &q, &vec![4; n]).unwrap();
    assert!(
        zero > two && two > four && four > 0.0,
        "{zero} {two} {four}"
    );
    // And by Monte Carlo with the same seed.
    let opts = holisec_risk::RunOptions {
        iterations: 4_000,
        seed: 7,
    };
    let r0 = plan::risk(&eco, &q, &vec![0; n], &opts).unwrap();
    let r4 = plan::risk(&eco, &q, &vec![4; n], &opts).unwrap();
    assert!(r4.ale <= r0.ale && r4.p95 <= r0.p95, "{r0:?} {r4:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Raising any one answer never raises the (closed-form) ALE.
    #[test]
    fn raising_an_answer_never_raises_ale(levels in proptest::collection::vec(0u8..=4, 63), which in 0usize..63) {
        let (eco, q) = builtin();
        let mut levels = levels;
        levels.resize(q.items.len(), 0);
        let i = which % q.items.len();
        prop_assume!(levels[i] < 4);
        let before = plan::expected_ale(&eco, &q, &levels).unwrap();
        levels[i] += 1;
        let after = plan::expected_ale(&eco, &q, &levels).unwrap();
        prop_assert!(after <= before * (1.0 + 1e-12), "item {} : {before} -> {after}", q.items[i].id);
    }
}

fn plan_of(
    eco: &Ecosystem,
    q: &holisec_assess::Questionnaire,
    levels: &[u8],
    iterations: u64,
    budget: Option<f64>,
    value: f64,
) -> plan::Plan {
    let options = PlanOptions {
        run: holisec_risk::RunOptions {
            iterations,
            seed: 3,
        },
        budget,
        value_per_euro_avoided: value,
    };
    plan::plan(eco, q, levels, &options, &|_| {}).unwrap()
}

/// Every invariant of the economics that holds for any plan.
fn check_economics(p: &plan::Plan) {
    let value = p.value_per_euro_avoided;
    for w in p.actions.windows(2) {
        assert!(
            w[0].net_benefit > w[1].net_benefit
                || (w[0].net_benefit == w[1].net_benefit && w[0].item < w[1].item),
            "ranked by net benefit, then id: {:?} before {:?}",
            w[0],
            w[1]
        );
    }
    let (mut cost, mut gained, mut net, mut recommended) = (0.0, 0.0, 0.0, 0);
    for a in &p.actions {
        let expected_net = a.delta_expected * value - a.cost;
        assert!((a.net_benefit - expected_net).abs() <= 1e-9 * a.cost.max(1.0));
        assert_eq!(a.pays_for_itself, a.net_benefit > 0.0, "{a:?}");
        assert_eq!(
            a.selected,
            matches!(a.decision, Decision::Recommended | Decision::BudgetFill),
            "{a:?}"
        );
        match a.decision {
            Decision::Recommended | Decision::OverBudget => assert!(a.pays_for_itself, "{a:?}"),
            Decision::BudgetFill => {
                assert!(p.budget.is_some() && !a.pays_for_itself && a.delta_expected > 0.0)
            }
            Decision::NotWorthIt => assert!(!a.pays_for_itself, "{a:?}"),
        }
        if p.budget.is_none() {
            // Without a budget, exactly the steps that pay for themselves.
            assert_eq!(a.selected, a.pays_for_itself, "{a:?}");
        }
        if a.selected {
            cost += a.cost;
            gained += a.delta_expected;
            net += a.net_benefit;
            recommended += usize::from(a.decision == Decision::Recommended);
        }
        assert!(a.delta_ale >= 0.0 && a.delta_p95 >= 0.0, "{a:?}");
    }
    assert_eq!(p.recommended, recommended);
    assert!((p.selected_cost - cost).abs() < 1e-6);
    assert!((p.selected_delta_ale - gained).abs() < 1e-6);
    assert!((p.selected_net_benefit - net).abs() < 1e-6);
    if let Some(b) = p.budget {
        assert!(p.selected_cost <= b, "{} > {b}", p.selected_cost);
        // A step left out for the budget would not have fitted what was left.
        for a in &p.actions {
            if a.decision == Decision::OverBudget {
                assert!(a.cost > b - p.selected_cost, "{a:?}");
            }
        }
    }
}

#[test]
fn plan_defaults_are_stated() {
    let o = PlanOptions::default();
    assert_eq!(o.run.iterations, plan::DEFAULT_ITERATIONS);
    assert_eq!(o.run.seed, plan::DEFAULT_SEED);
    assert_eq!(o.budget, None);
    assert_eq!(o.value_per_euro_avoided, 1.0);
    assert_eq!(plan::DEFAULT_VALUE_PER_EURO_AVOIDED, 1.0);
    // Serialisable (front ends hash and store it) and back.
    let json = serde_json::to_string(&o).unwrap();
    assert_eq!(
        json,
        r#"{"run":{"iterations":20000,"seed":1},"budget":null,"value_per_euro_avoided":1.0}"#
    );
    assert_eq!(serde_json::from_str::<PlanOptions>(&json).unwrap(), o);
    let (eco, q) = builtin();
    for bad in [
        PlanOptions {
            budget: Some(-1.0),
            ..o
        },
        PlanOptions {
            budget: Some(f64::NAN),
            ..o
        },
        PlanOptions {
            value_per_euro_avoided: -0.5,
            ..o
        },
        PlanOptions {
            value_per_euro_avoided: f64::INFINITY,
            ..o
        },
    ] {
        assert!(bad.check().is_err(), "{bad:?}");
        assert!(plan::plan(&eco, &q, &[], &bad, &|_| {}).is_err());
    }
}

#[test]
fn without_budget_only_steps_that_pay_for_themselves_are_recommended() {
    let (eco, q) = builtin();
    let levels = vec![1; q.items.len()];
    let p = plan_of(&eco, &q, &levels, 10_000, None, 1.0);
    assert_eq!(p.actions.len(), q.items.len());
    check_economics(&p);
    assert!(p.recommended > 0, "some step pays for itself");
    assert!(
        p.recommended < q.items.len() / 2,
        "most steps of a hospital at level 1 do not pay for themselves at value 1: {}",
        p.recommended
    );
    assert!(p.selected_delta_ale > p.selected_cost);
    assert!(p.actions.iter().all(|a| a.decision != Decision::BudgetFill));
    // Common random numbers keep the paired noise small: no step looks much worse than nothing.
    assert!(
        p.actions.iter().all(|a| a.delta_expected >= 0.0),
        "{:?}",
        p.actions
    );
    // The Monte Carlo delta agrees with the closed form on the step that matters most.
    let a = p
        .actions
        .iter()
        .max_by(|a, b| a.delta_expected.total_cmp(&b.delta_expected))
        .unwrap();
    assert!(
        (a.delta_ale - a.delta_expected).abs() < 0.35 * a.delta_expected,
        "{a:?}"
    );
    // Same seed, same plan (the engine's output does not depend on the thread count).
    let again = plan_of(&eco, &q, &levels, 10_000, None, 1.0);
    assert_eq!(p, again);
}

#[test]
fn a_budget_is_respected_and_filled_after_the_steps_that_pay() {
    let (eco, q) = builtin();
    let levels = vec![1; q.items.len()];
    let free = plan_of(&eco, &q, &levels, 4_000, None, 1.0);
    for budget in [0.0, 5_000.0, 50_000.0, 1e9] {
        let p = plan_of(&eco, &q, &levels, 4_000, Some(budget), 1.0);
        check_economics(&p);
        // Same ranking and numbers as without a budget; only the decisions differ.
        let key = |p: &plan::Plan| -> Vec<(String, f64)> {
            p.actions
                .iter()
                .map(|a| (a.item.clone(), a.net_benefit))
                .collect()
        };
        assert_eq!(key(&p), key(&free));
        // Positive-net steps that fit are never displaced by budget fill.
        let fill: f64 = p
            .actions
            .iter()
            .filter(|a| a.decision == Decision::BudgetFill)
            .map(|a| a.cost)
            .sum();
        for a in &p.actions {
            if a.decision == Decision::OverBudget {
                assert!(a.cost > budget - (p.selected_cost - fill), "{a:?}");
            }
        }
    }
    let none = plan_of(&eco, &q, &levels, 4_000, Some(0.0), 1.0);
    assert!(none.actions.iter().all(|a| !a.selected));
    let all = plan_of(&eco, &q, &levels, 4_000, Some(1e9), 1.0);
    assert_eq!(all.recommended, free.recommended);
    assert!(
        all.actions
            .iter()
            .any(|a| a.decision == Decision::BudgetFill)
    );
    for a in &all.actions {
        assert_eq!(a.selected, a.delta_expected > 0.0, "{a:?}");
    }
    // Budget fill goes by loss avoided per euro: a cheaper-per-euro fill step is
    // never taken while a better one that fits is left out.
    let mid = plan_of(&eco, &q, &levels, 4_000, Some(150_000.0), 1.0);
    check_economics(&mid);
    let left = mid.budget.unwrap() - mid.selected_cost;
    let best_left_out = mid
        .actions
        .iter()
        .filter(|a| !a.selected && a.delta_expected > 0.0 && a.cost <= left)
        .map(|a| a.per_euro)
        .fold(0.0, f64::max);
    assert_eq!(best_left_out, 0.0, "a step that fits was left out");
    let filled: Vec<&plan::Action> = mid
        .actions
        .iter()
        .filter(|a| a.decision == Decision::BudgetFill)
        .collect();
    assert!(!filled.is_empty());
    let worst_filled = filled
        .iter()
        .map(|a| a.per_euro)
        .fold(f64::INFINITY, f64::min);
    for a in mid
        .actions
        .iter()
        .filter(|a| !a.selected && a.delta_expected > 0.0)
    {
        assert!(
            a.per_euro <= worst_filled || a.cost > left,
            "{a:?} skipped for worse per-euro steps"
        );
    }
}

#[test]
fn valuing_avoided_loss_higher_recommends_a_superset() {
    let (eco, q) = builtin();
    let levels = vec![1; q.items.len()];
    let one = plan_of(&eco, &q, &levels, 2_000, None, 1.0);
    let ten = plan_of(&eco, &q, &levels, 2_000, None, 10.0);
    check_economics(&one);
    check_economics(&ten);
    let picked = |p: &plan::Plan| -> std::collections::BTreeSet<String> {
        p.actions
            .iter()
            .filter(|a| a.selected)
            .map(|a| a.item.clone())
            .collect()
    };
    let (a, b) = (picked(&one), picked(&ten));
    assert!(a.is_subset(&b), "{a:?} not within {b:?}");
    assert!(b.len() > a.len(), "value 10 recommends more: {a:?} {b:?}");
    assert_eq!(ten.value_per_euro_avoided, 10.0);
    let zero = plan_of(&eco, &q, &levels, 2_000, None, 0.0);
    check_economics(&zero);
    assert_eq!(zero.recommended, 0);
}

/// A model factor no hospital scenario exploits: a step on it changes nothing.
fn inert_factor(eco: &Ecosystem) -> String {
    for v in &eco.vulnerabilities {
        let text = format!(
            r#"
[questionnaire]
id = "probe"
version = "1"
title = "Probe"
[[item]]
id = "Z"
domain = "people"
title = "z"
question = "z?"
factors = ["{}"]
weight = 1
levels = ["0", "1", "2", "3", "4"]
step_cost = [10, 20, 30, 40]
"#,
            v.id
        );
        let (q, _) = questionnaire::load(&text, eco);
        let q = q.unwrap();
        if plan::expected_ale(eco, &q, &[0]).unwrap() == plan::expected_ale(eco, &q, &[4]).unwrap()
        {
            return v.id.clone();
        }
    }
    panic!("every factor of the model bears on the hospital")
}

#[test]
fn delta_p95_resolves_below_a_bucket_and_is_zero_without_effect() {
    let (eco, q) = builtin();
    let levels = vec![1; q.items.len()];
    let p = plan_of(&eco, &q, &levels, 20_000, None, 1.0);
    // The sketch's buckets near the p95 are `0.01 * 2^floor(log2 p95)` wide.
    let width = 0.01 * 2f64.powi(p.baseline.p95.log2().floor() as i32);
    let positive: Vec<f64> = p
        .actions
        .iter()
        .map(|a| a.delta_p95)
        .filter(|&d| d > 0.0)
        .collect();
    let mut distinct = positive.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    assert!(
        distinct.len() >= 10,
        "delta p95 takes few values: {distinct:?} (bucket width {width})"
    );
    let off_grid = positive
        .iter()
        .filter(|&&d| ((d / width) - (d / width).round()).abs() > 0.05)
        .count();
    assert!(
        off_grid * 2 > positive.len(),
        "delta p95 mostly whole bucket widths: {positive:?} (width {width})"
    );
    // A step on a factor no hospital scenario exploits changes nothing at all.
    let inert = inert_factor(&eco);
    let text = format!(
        "{SMALL}[[item]]\nid = \"Z\"\ndomain = \"governance\"\ntitle = \"z\"\nquestion = \"z?\"\nfactors = [\"{inert}\"]\nweight = 1\nlevels = [\"0\", \"1\", \"2\", \"3\", \"4\"]\nstep_cost = [10, 20, 30, 40]\n"
    );
    let (small, d) = questionnaire::load(&text, &eco);
    assert!(d.is_empty(), "{d:?}");
    let small = small.unwrap();
    let p = plan_of(&eco, &small, &[1, 1, 1, 1], 20_000, Some(1e9), 1.0);
    check_economics(&p);
    let z = p.actions.iter().find(|a| a.item == "Z").unwrap();
    assert_eq!(
        (z.delta_expected, z.delta_ale, z.delta_p95),
        (0.0, 0.0, 0.0),
        "{z:?}"
    );
    assert!(!z.selected && z.decision == Decision::NotWorthIt, "{z:?}");
    assert!(
        p.actions.iter().any(|a| a.delta_p95 > 0.0),
        "{:?}",
        p.actions
    );
}

#[test]
fn a_free_step_reads_back_from_json() {
    // A step that costs nothing has an infinite return per euro: JSON writes
    // it as null, and a stored plan must read back (or it is never reused).
    let (eco, q) = builtin();
    let p = plan_of(&eco, &q, &vec![1; q.items.len()], 500, None, 1.0);
    let mut json = serde_json::to_value(&p).unwrap();
    json["actions"][0]["per_euro"] = serde_json::Value::Null;
    let back: plan::Plan = serde_json::from_value(json).unwrap();
    assert_eq!(back.actions[0].per_euro, f64::INFINITY);
    let mut free = p.clone();
    free.actions[0].per_euro = f64::INFINITY;
    let text = serde_json::to_string(&free).unwrap();
    let again: plan::Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(again.actions[0].per_euro, f64::INFINITY);
    assert_eq!(again.actions[1].per_euro, p.actions[1].per_euro);
}
