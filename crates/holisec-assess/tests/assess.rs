//! Scoring by hand, monotonicity of risk in the answers, and the plan with common random numbers.

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

#[test]
fn plan_ranks_by_loss_avoided_per_euro_and_respects_budget() {
    let (eco, q) = builtin();
    let levels = vec![1; q.items.len()];
    let opts = holisec_risk::RunOptions {
        iterations: 10_000,
        seed: 3,
    };
    let p = plan::plan(&eco, &q, &levels, &opts, Some(50_000.0), &|_, _| {}).unwrap();
    assert_eq!(p.actions.len(), q.items.len());
    for w in p.actions.windows(2) {
        assert!(w[0].per_euro >= w[1].per_euro);
    }
    assert!(p.selected_cost <= 50_000.0);
    assert!(p.actions.iter().any(|a| a.selected));
    // Common random numbers keep the paired noise small: no step looks much worse than nothing.
    assert!(
        p.actions.iter().all(|a| a.delta_expected >= 0.0),
        "{:?}",
        p.actions
    );
    assert!(p.actions[0].delta_expected > 0.0);
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
    // Thinning the baseline's own events: no step ever raises a simulated year's loss.
    assert!(
        p.actions
            .iter()
            .all(|a| a.delta_ale >= 0.0 && a.delta_p95 >= -1e-9),
        "{:?}",
        p.actions
    );
    // Same seed, same plan.
    let again = plan::plan(&eco, &q, &levels, &opts, Some(50_000.0), &|_, _| {}).unwrap();
    assert_eq!(p, again);
}
