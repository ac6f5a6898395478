//! Closed-form, determinism and common-random-number checks of the risk engine.

use holisec_model::Ecosystem;
use holisec_risk::engine::{self, RiskModel, RunOptions};
use holisec_risk::sampling::SamplerMode;
use holisec_risk::scenario::Selection;
use holisec_risk::{compare, portfolio, report};
use proptest::prelude::*;

/// A small model: one hospital kind, one vendor; `threat` and `support` blocks are
/// appended verbatim.
fn model(extra: &str) -> Ecosystem {
    let text = format!(
        r#"
[ecosystem]
name = "Fixture"
region = "Testland"
currency = "EUR"

[[stakeholder]]
id = "hospital"
name = "Hospital"
kind = "healthcare-organisation"

[[stakeholder]]
id = "vendor"
name = "Vendor"
kind = "solution-provider"

[[relation]]
from = "vendor"
to = "hospital"
level = "first"
kind = "supplies"
strength = 0.8
rationale = "fixture"

[[vulnerability]]
id = "phishing"
stakeholder = "hospital"
domain = "people"
name = "Phishing"
resistance = {{ constant = 0.4, rationale = "fixture" }}

[[vulnerability]]
id = "legacy"
stakeholder = "vendor"
domain = "technology"
name = "Legacy"
resistance = {{ constant = 0.5, rationale = "fixture" }}
{extra}
"#
    );
    let loaded = holisec_model::load_str(&text);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    loaded.ecosystem.unwrap()
}

fn constant_threat(tef: f64, lm: f64, sl: f64) -> String {
    format!(
        r#"
[[threat]]
id = "ransomware"
motivation = "crime"
name = "Ransomware"
targets = ["hospital"]
exploits = ["phishing"]
frequency = {{ constant = {tef}, rationale = "fixture" }}
capability = {{ uniform = [0.0, 1.0], rationale = "fixture" }}
primary_loss = {{ constant = {lm}, rationale = "fixture" }}
secondary_loss = {{ constant = {sl}, rationale = "fixture" }}
"#
    )
}

fn support(id: &str, on: &str, change: f64, cost: f64, mitigates: &str) -> String {
    format!(
        r#"
[[support]]
id = "{id}"
kind = "training"
name = "{id}"
provider = "vendor"
mitigates = ["{mitigates}"]
effect = {{ on = "{on}", change = {change}, rationale = "fixture" }}
annual_cost = {cost}
rationale = "fixture"
"#
    )
}

fn run(
    eco: &Ecosystem,
    supports: &[&str],
    iterations: u64,
    seed: u64,
) -> (RiskModel, engine::RunResult, Vec<engine::Intervention>) {
    let m = RiskModel::new(eco, &Selection::default(), SamplerMode::Table).unwrap();
    let ivs: Vec<_> = supports
        .iter()
        .map(|s| m.intervention_by_ids(eco, &[s.to_string()]).unwrap())
        .collect();
    let r = engine::run(&m, &ivs, &RunOptions { iterations, seed }, &|_| {}).unwrap();
    (m, r, ivs)
}

#[test]
fn constant_inputs_give_ale_tef_times_v_times_lm_within_derived_error() {
    // TEF 3/year, V = P(U(0,1) > 0.4) = 0.6, LM = 1000 + 500.
    let eco = model(&constant_threat(3.0, 1000.0, 500.0));
    let n = 400_000u64;
    let (_, r, _) = run(&eco, &[], n, 11);
    let (lambda, lm): (f64, f64) = (3.0 * 0.6, 1500.0);
    let ale = lambda * lm;
    // Annual loss = LM x Poisson(lambda): sd = LM sqrt(lambda); 5 standard errors.
    let tol = 5.0 * lm * lambda.sqrt() / (n as f64).sqrt();
    let got = r.baseline.total.moments.mean();
    assert!((got - ale).abs() < tol, "ALE {got} vs {ale} (tol {tol})");
    // Poisson zero-event probability exp(-LEF).
    let p0 = (-lambda).exp();
    let got_p0 = 1.0 - r.baseline.total.with_event as f64 / n as f64;
    let tol_p = 5.0 * (p0 * (1.0 - p0) / n as f64).sqrt();
    assert!(
        (got_p0 - p0).abs() < tol_p,
        "P(no loss event) {got_p0} vs {p0}"
    );
    // The standard deviation of a compound Poisson with constant LM is LM sqrt(lambda).
    let sd = r.baseline.total.moments.sd();
    assert!((sd / (lm * lambda.sqrt()) - 1.0).abs() < 0.01, "sd {sd}");
    // And the percentiles are multiples of LM (exact within the sketch's 0.5%).
    let p50 = r.baseline.total.histogram.quantile(0.5);
    assert!(
        (p50 / 3000.0 - 1.0).abs() <= 0.005,
        "median {p50} (2 events of 1500)"
    );
}

#[test]
fn frequency_is_split_among_the_threats_scenarios_for_a_target_unless_overridden() {
    let threat = r#"
[[threat]]
id = "ransomware"
motivation = "crime"
name = "Ransomware"
targets = ["hospital"]
exploits = ["phishing", "legacy"]
frequency = { constant = 4.0, rationale = "fixture" }
capability = { constant = 1.0, rationale = "fixture" }
primary_loss = { constant = 100.0, rationale = "fixture" }
"#;
    let eco = model(threat);
    let (m, r, _) = run(&eco, &[], 200_000, 5);
    let shares: Vec<f64> = m.scenarios().map(|s| s.inputs.frequency_share).collect();
    assert_eq!(shares, vec![0.5, 0.5]);
    let rep = report::build(&m, &r, &[], None);
    for s in &rep.scenarios {
        assert_eq!(s.threat_event_frequency, 2.0);
        assert_eq!(s.vulnerability_probability, 1.0);
        assert!((s.summary.ale - 200.0).abs() < 5.0 * 100.0 * 2f64.sqrt() / 200_000f64.sqrt());
        assert_eq!(s.analytic_ale, 200.0);
    }
    assert!(rep.scenarios[1].via_supplier && !rep.scenarios[0].via_supplier);
    let with_override = format!(
        "{threat}\n[[scenario]]\nthreat = \"ransomware\"\nvulnerability = \"legacy\"\nstakeholder = \"hospital\"\nfrequency = {{ constant = 1.0 }}\nrationale = \"fixture\"\n"
    );
    let eco = model(&with_override);
    let m = RiskModel::new(&eco, &Selection::default(), SamplerMode::Table).unwrap();
    let s: Vec<_> = m.scenarios().collect();
    assert_eq!(
        (s[0].inputs.frequency_share, s[1].inputs.frequency_share),
        (0.5, 1.0)
    );
    assert_eq!(s[1].overridden, vec!["frequency"]);
    assert_eq!(m.expected_annual_losses(None), vec![200.0, 100.0]);
}

#[test]
fn pert_scenario_matches_the_closed_form_ale() {
    // The reference scenario of shared/ref/fair-engines.md with TCap/RS instead of a supplied V.
    let threat = r#"
[[threat]]
id = "ransomware"
motivation = "crime"
name = "Ransomware"
targets = ["hospital"]
exploits = ["phishing"]
frequency = { pert = [0.5, 2, 10], rationale = "fixture" }
capability = { pert = [0.2, 0.5, 0.9], rationale = "fixture" }
primary_loss = { pert = [10000, 100000, 5000000], rationale = "fixture" }
"#;
    let eco = model(threat);
    let n = 1_000_000;
    for mode in [SamplerMode::Table, SamplerMode::Exact] {
        let m = RiskModel::new(&eco, &Selection::default(), mode).unwrap();
        let r = engine::run(
            &m,
            &[],
            &RunOptions {
                iterations: n,
                seed: 3,
            },
            &|_| {},
        )
        .unwrap();
        let analytic: f64 = m.expected_annual_losses(None).iter().sum();
        let got = r.baseline.total.moments.mean();
        let se = r.baseline.total.moments.sd() / (n as f64).sqrt();
        assert!(
            (got - analytic).abs() < 5.0 * se,
            "{mode:?}: {got} vs {analytic} (se {se})"
        );
    }
}

#[test]
fn same_seed_is_bit_identical_with_1_and_4_threads() {
    let threat = r#"
[[threat]]
id = "ransomware"
motivation = "crime"
name = "Ransomware"
targets = ["hospital"]
exploits = ["phishing", "legacy"]
frequency = { lognormal_ci90 = [1, 10], rationale = "fixture" }
capability = { pert = [0.3, 0.6, 0.9], rationale = "fixture" }
primary_loss = { lognormal_ci90 = [1e5, 1e7], rationale = "fixture" }
secondary_loss = { triangular = [0, 1e4, 1e5], rationale = "fixture" }
"#;
    let eco = model(&format!(
        "{threat}{}",
        support("awareness", "frequency", 0.3, 1000.0, "phishing")
    ));
    let go = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let (m, r, ivs) = run(&eco, &["awareness"], 100_000, 42);
            let rep = report::build(&m, &r, &ivs, None);
            let hosp = RiskModel::new(
                &eco,
                &Selection {
                    stakeholder: Some("hospital".into()),
                    ..Default::default()
                },
                SamplerMode::Table,
            )
            .unwrap();
            let p = portfolio::run(
                &hosp,
                &portfolio::PortfolioOptions {
                    organisations: 20,
                    providers: 3,
                    concentration: 1.0,
                },
                &RunOptions {
                    iterations: 40_000,
                    seed: 42,
                },
                &|_| {},
            )
            .unwrap();
            (
                serde_json::to_string(&rep).unwrap(),
                serde_json::to_string(&p).unwrap(),
            )
        })
    };
    let one = go(1);
    let four = go(4);
    assert_eq!(one.0, four.0);
    assert_eq!(one.1, four.1);
    // A different seed gives different numbers.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let other = pool.install(|| {
        let (m, r, ivs) = run(&eco, &["awareness"], 100_000, 43);
        serde_json::to_string(&report::build(&m, &r, &ivs, None)).unwrap()
    });
    assert_ne!(one.0, other);
}

#[test]
fn zero_effect_support_changes_nothing_bit_for_bit() {
    let mut extra = constant_threat(2.0, 1000.0, 0.0);
    for on in ["frequency", "resistance", "loss"] {
        extra.push_str(&support(&format!("noop-{on}"), on, 0.0, 10.0, "phishing"));
    }
    let eco = model(&extra);
    let (_, alone, _) = run(&eco, &[], 50_000, 9);
    let (_, r, _) = run(
        &eco,
        &["noop-frequency", "noop-resistance", "noop-loss"],
        50_000,
        9,
    );
    // The baseline does not depend on which interventions run ...
    assert_eq!(alone.baseline.total.moments, r.baseline.total.moments);
    assert_eq!(alone.baseline.total.histogram, r.baseline.total.histogram);
    // ... and a zero effect reproduces it exactly.
    for iv in &r.interventions {
        assert_eq!(
            iv.total.moments.sum().to_bits(),
            r.baseline.total.moments.sum().to_bits()
        );
        assert_eq!(
            iv.total.moments.sd().to_bits(),
            r.baseline.total.moments.sd().to_bits()
        );
        assert_eq!(iv.total.histogram, r.baseline.total.histogram);
        assert_eq!(iv.total.with_event, r.baseline.total.with_event);
        assert_eq!(iv.reduction.sum(), 0.0);
    }
}

#[test]
fn common_random_numbers_give_the_exact_frequency_reduction() {
    // A 30% TEF reduction on constant inputs cuts the ALE by 30% (thinning is exact in expectation).
    let eco = model(&format!(
        "{}{}",
        constant_threat(3.0, 1000.0, 0.0),
        support("t", "frequency", 0.3, 600.0, "phishing")
    ));
    let n = 200_000;
    let (m, r, ivs) = run(&eco, &["t"], n, 21);
    let rep = report::build(&m, &r, &ivs, None);
    let iv = &rep.interventions[0];
    let expected = 0.3 * 1800.0;
    assert!(
        (iv.delta_ale - expected).abs() < 5.0 * iv.delta_ale_standard_error,
        "{} vs {expected}",
        iv.delta_ale
    );
    // The paired standard error is far below what two independent runs would give.
    assert!(iv.delta_ale_standard_error < 0.7 * rep.total.ale_standard_error);
    assert!((iv.delta_ale_per_euro.unwrap() - expected / 600.0).abs() < 0.1);
}

#[test]
fn budget_search_picks_affordable_combinations() {
    let mut extra = constant_threat(3.0, 1000.0, 0.0);
    extra.push_str(&support("a", "frequency", 0.3, 100.0, "phishing"));
    extra.push_str(&support("b", "resistance", 0.2, 200.0, "phishing"));
    extra.push_str(&support("c", "loss", 0.5, 1000.0, "phishing"));
    let eco = model(&extra);
    let m = RiskModel::new(&eco, &Selection::default(), SamplerMode::Table).unwrap();
    let plan = compare::plan(&m, &eco, Some(350.0));
    assert_eq!(plan.singles, 3);
    let combos: Vec<&str> = plan.interventions[plan.singles..]
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(combos, vec!["a+b"]);
    let r = engine::run(
        &m,
        &plan.interventions,
        &RunOptions {
            iterations: 20_000,
            seed: 1,
        },
        &|_| {},
    )
    .unwrap();
    let rep = report::build(&m, &r, &plan.interventions, None);
    let c = compare::rank(&plan, &rep.interventions);
    assert_eq!(c.combinations[0].result.id, "a+b");
    assert!(c.combinations[0].result.annual_cost <= 350.0);
    // Closed form: a+b gives 3 x 0.7 x (1 - 0.6) x 1000 = 840 a year against 1800.
    assert!((c.combinations[0].result.delta_ale - 960.0).abs() < 60.0);
}

#[test]
fn shared_provider_compromise_hits_every_client_in_the_same_year() {
    // Two hospitals, one vendor; only the vendor's factor is exploited; V = 1; LM constant.
    let threat = r#"
[[threat]]
id = "supply-chain"
motivation = "crime"
name = "Supply chain"
targets = ["hospital"]
exploits = ["legacy"]
frequency = { constant = 0.3, rationale = "fixture" }
capability = { constant = 0.9, rationale = "fixture" }
primary_loss = { constant = 1000.0, rationale = "fixture" }
"#;
    let eco = model(threat);
    let m = RiskModel::new(&eco, &Selection::default(), SamplerMode::Table).unwrap();
    let n = 200_000;
    let p = portfolio::run(
        &m,
        &portfolio::PortfolioOptions {
            organisations: 2,
            providers: 1,
            concentration: 1.0,
        },
        &RunOptions {
            iterations: n,
            seed: 8,
        },
        &|_| {},
    )
    .unwrap();
    let lambda: f64 = 0.3;
    let tol = |p0: f64| 5.0 * (p0 * (1.0 - p0) / n as f64).sqrt();
    // Independent: no loss in the portfolio with probability exp(-2 lambda); shared: exp(-lambda).
    let ind0 = 1.0 - p.independent.probability_of_loss_event;
    let sh0 = 1.0 - p.shared_suppliers.probability_of_loss_event;
    assert!(
        (ind0 - (-2.0 * lambda).exp()).abs() < tol((-2.0 * lambda).exp()),
        "{ind0}"
    );
    assert!(
        (sh0 - (-lambda).exp()).abs() < tol((-lambda).exp()),
        "{sh0}"
    );
    // Same ALE (2 lambda LM), fatter tail with sharing; both members hit together.
    for s in [&p.independent, &p.shared_suppliers] {
        assert!(
            (s.ale - 600.0).abs() < 5.0 * s.ale_standard_error,
            "{}",
            s.ale
        );
    }
    assert!(p.shared_suppliers.percentiles.p99 >= p.independent.percentiles.p99);
    assert_eq!(p.members_hit_shared.max, 2);
    assert_eq!(
        p.shared_supplier_scenarios,
        vec!["supply-chain/legacy/hospital"]
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let eco = model(&constant_threat(1.0, 1.0, 0.0));
    let m = RiskModel::new(&eco, &Selection::default(), SamplerMode::Table).unwrap();
    for iterations in [0, engine::MAX_ITERATIONS + 1] {
        assert!(matches!(
            engine::run(
                &m,
                &[],
                &RunOptions {
                    iterations,
                    seed: 1
                },
                &|_| {}
            ),
            Err(engine::RiskError::Iterations(_))
        ));
    }
    let bad = Selection {
        scenarios: vec!["ransomware/phishng/hospital".into()],
        ..Default::default()
    };
    let err = RiskModel::new(&eco, &bad, SamplerMode::Table)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("did you mean `ransomware/phishing/hospital`"),
        "{err}"
    );
    let opts = RunOptions {
        iterations: 10,
        seed: 1,
    };
    let zero = portfolio::PortfolioOptions {
        organisations: 0,
        providers: 1,
        concentration: 1.0,
    };
    assert!(portfolio::run(&m, &zero, &opts, &|_| {}).is_err());
}

#[test]
fn zipf_client_counts_sum_to_the_portfolio() {
    assert_eq!(
        portfolio::client_counts(200, 10, 1.0).iter().sum::<u32>(),
        200
    );
    assert_eq!(portfolio::client_counts(200, 10, 1.0)[0], 68);
    assert_eq!(portfolio::client_counts(10, 5, 0.0), vec![2, 2, 2, 2, 2]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// More effect never raises the ALE (nor any simulated year's loss).
    #[test]
    fn more_effect_never_raises_ale(
        on in prop::sample::select(vec!["frequency", "resistance", "loss"]),
        c1 in 0.0f64..=1.0,
        extra in 0.0f64..=1.0,
        seed in 0u64..1000,
    ) {
        let c2 = (c1 + extra).min(1.0);
        let threat = r#"
[[threat]]
id = "ransomware"
motivation = "crime"
name = "Ransomware"
targets = ["hospital"]
exploits = ["phishing", "legacy"]
frequency = { pert = [1, 3, 9], rationale = "fixture" }
capability = { pert = [0.2, 0.5, 0.9], rationale = "fixture" }
primary_loss = { lognormal_ci90 = [1e4, 1e6], rationale = "fixture" }
"#;
        let eco = model(&format!(
            "{threat}{}{}",
            support("weak", on, c1, 1.0, "phishing"),
            support("strong", on, c2, 1.0, "phishing")
        ));
        let (_, r, _) = run(&eco, &["weak", "strong"], 3_000, seed);
        let base = r.baseline.total.moments.mean();
        let weak = r.interventions[0].total.moments.mean();
        let strong = r.interventions[1].total.moments.mean();
        prop_assert!(strong <= weak && weak <= base, "{strong} <= {weak} <= {base}");
        prop_assert!(r.interventions[1].total.histogram.quantile(0.95) <= r.interventions[0].total.histogram.quantile(0.95));
    }
}

/// Amounts a model file refuses (losses above 1e15, frequencies above 1e6)
/// can still reach the engine from an ecosystem built or adjusted in code:
/// the run says so instead of reporting `inf` (printed as 18,446,744,073,709,551,615).
#[test]
fn overflowing_amounts_are_an_error_not_an_infinite_ale() {
    use holisec_model::Distribution;
    let base = model(&format!(
        "{}{}",
        constant_threat(3.0, 1000.0, 0.0),
        support("awareness", "loss", 0.5, 1000.0, "phishing")
    ));
    // The issue's loss: lognormal 90% [1e300, 1.7e308] has an infinite mean.
    let mut eco = base.clone();
    eco.threats[0].primary_loss = Distribution::LognormalCi90 {
        low: 1e300,
        high: 1.7e308,
    };
    let err = RiskModel::new(&eco, &Selection::default(), SamplerMode::Table).unwrap_err();
    assert!(
        matches!(err, engine::RiskError::NotFinite { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("mean primary loss"), "{err}");
    // Finite inputs whose yearly sums overflow: caught after the run.
    let mut eco = base.clone();
    eco.threats[0].primary_loss = Distribution::Constant { value: 1e308 };
    let m = RiskModel::new(&eco, &Selection::default(), SamplerMode::Table).unwrap();
    let iv = m.intervention_by_ids(&eco, &["awareness".into()]).unwrap();
    let opts = RunOptions {
        iterations: 1_000,
        seed: 1,
    };
    let err = engine::run(&m, &[iv], &opts, &|_| {}).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, engine::RiskError::NotFinite { .. }),
        "{err:?}"
    );
    assert!(
        text.contains("scenario `ransomware/phishing/hospital`") && text.contains("1e15"),
        "{text}"
    );
    let one = portfolio::PortfolioOptions {
        organisations: 10,
        providers: 2,
        concentration: 1.0,
    };
    let err = portfolio::run(&m, &one, &opts, &|_| {}).unwrap_err();
    assert!(
        matches!(err, engine::RiskError::NotFinite { .. }),
        "{err:?}"
    );
    // The largest amounts a model file allows add up fine.
    let eco = model(&constant_threat(
        holisec_model::dist::MAX_FREQUENCY / 1e3,
        holisec_model::dist::MAX_LOSS,
        holisec_model::dist::MAX_LOSS,
    ));
    let (_, r, _) = run(&eco, &[], 100, 1);
    assert!(r.baseline.total.moments.mean().is_finite());
    assert!(r.baseline.total.moments.sd().is_finite());
}

/// A PERT shape far above the validated 40 (the issue's 2,000 panicked with
/// "min = NaN") samples without panicking, in both sampler modes.
#[test]
fn huge_pert_shapes_run() {
    use holisec_model::Distribution;
    let mut eco = model(&constant_threat(3.0, 1000.0, 0.0));
    eco.threats[0].frequency = Distribution::Pert {
        low: 0.1,
        mode: 1.0,
        high: 5.0,
        shape: 2000.0,
    };
    eco.threats[0].capability = Distribution::Pert {
        low: 0.0,
        mode: 0.6,
        high: 1.0,
        shape: 1e9,
    };
    for mode in [SamplerMode::Table, SamplerMode::Exact] {
        let m = RiskModel::new(&eco, &Selection::default(), mode).unwrap();
        let r = engine::run(
            &m,
            &[],
            &RunOptions {
                iterations: 20_000,
                seed: 1,
            },
            &|_| {},
        )
        .unwrap();
        // TEF about 1.0 (the PERT's mean, (0.1 + 2000 + 5) / 2002) x V = P(TCap ~
        // 0.6 > 0.4) = 1 x LM 1000, within five standard errors (about 7 each).
        let ale = r.baseline.total.moments.mean();
        let closed: f64 = m.expected_annual_losses(None).iter().sum();
        let se = r.baseline.total.moments.sd() / 20_000f64.sqrt();
        assert!((closed / 1001.55 - 1.0).abs() < 1e-3, "{closed}");
        assert!(
            (ale - closed).abs() < 5.0 * se,
            "{mode:?}: {ale} vs {closed} (se {se})"
        );
    }
}

/// `(mean, standard error)` of a proportion `hits / n`.
fn proportion(hits: u64, n: u64) -> (f64, f64) {
    let p = hits as f64 / n as f64;
    (p, (p * (1.0 - p) / n as f64).sqrt())
}

/// The engine draws each year's loss events as the arrivals of one Poisson
/// process laid over the scenarios end to end (no draw at all in a
/// scenario-year that the year's first arrival passes over). Per scenario
/// that must still be Poisson(TEF x share x V) given the year's TEF and RS:
/// P(at least one event) = 1 - E[exp(-TEF share V(RS))] and E[events] =
/// E[TEF] share E[V], with TEF and RS random, by quadrature over their quantiles.
#[test]
fn events_per_year_match_the_mixed_poisson_closed_form() {
    use holisec_model::Distribution;
    use holisec_risk::fair::{Controls, FairInputs, FairSamplers};
    use holisec_risk::sampling::Sampler;
    let threat = r#"
[[threat]]
id = "ransomware"
motivation = "crime"
name = "Ransomware"
targets = ["hospital"]
exploits = ["phishing"]
frequency = { pert = [0.5, 2, 10], rationale = "fixture" }
capability = { pert = [0.2, 0.5, 0.9], rationale = "fixture" }
primary_loss = { pert = [10000, 100000, 5000000], rationale = "fixture" }
[[scenario]]
threat = "ransomware"
vulnerability = "phishing"
stakeholder = "hospital"
resistance = { pert = [0.4, 0.6, 0.8] }
rationale = "fixture"
"#;
    let eco = model(threat);
    let n = 1_000_000u64;
    let (m, r, _) = run(&eco, &[], n, 17);
    let tef = Sampler::new(
        &Distribution::Pert {
            low: 0.5,
            mode: 2.0,
            high: 10.0,
            shape: 4.0,
        },
        SamplerMode::Table,
    )
    .unwrap();
    let fair = FairSamplers::new(
        &FairInputs {
            frequency: Distribution::Constant { value: 1.0 },
            frequency_share: 1.0,
            capability: Distribution::Pert {
                low: 0.2,
                mode: 0.5,
                high: 0.9,
                shape: 4.0,
            },
            resistance: Distribution::Pert {
                low: 0.4,
                mode: 0.6,
                high: 0.8,
                shape: 4.0,
            },
            primary_loss: Distribution::Constant { value: 1.0 },
            secondary_loss: None,
        },
        SamplerMode::Table,
    )
    .unwrap();
    const Q: usize = 400;
    let vs: Vec<f64> = (0..Q)
        .map(|j| fair.vulnerability(fair.resistance.quantile((j as f64 + 0.5) / Q as f64)))
        .collect();
    let mut p0 = 0.0;
    for i in 0..Q {
        let t = tef.quantile((i as f64 + 0.5) / Q as f64);
        p0 += vs.iter().map(|v| (-t * v).exp()).sum::<f64>();
    }
    p0 /= (Q * Q) as f64;
    let stat = &r.baseline.total;
    let (got, se) = proportion(stat.with_event, n);
    assert!(
        (got - (1.0 - p0)).abs() < 5.0 * se + 1e-4,
        "P(at least one event) {got} vs {} (se {se})",
        1.0 - p0
    );
    let mean_events = m.expected_loss_events_per_year();
    let closed = tef.mean() * fair.mean_vulnerability(&Controls::NONE);
    assert!((mean_events - closed).abs() < 1e-6 * closed);
    // Events per year: sd below sqrt(E[N] + Var(lambda)) < 3 here.
    let got_events = stat.events as f64 / n as f64;
    assert!(
        (got_events - closed).abs() < 5.0 * 3.0 / (n as f64).sqrt(),
        "events per year {got_events} vs {closed}"
    );
}

/// Scenarios of one year share the Poisson process of the draw: each must keep
/// its own exp(-lambda) zero probability and mean, whatever comes before it on
/// the process's time axis, including a scenario with a mean of 30 or more
/// (counted with `poisson` instead of arrivals), and the year's total must be
/// P(no event) = exp(-sum of lambdas) (the scenarios are independent given
/// the year's draws).
#[test]
fn scenarios_sharing_a_year_keep_independent_poisson_counts() {
    let threat = r#"
[[threat]]
id = "ransomware"
motivation = "crime"
name = "Ransomware"
targets = ["hospital"]
exploits = ["phishing", "legacy"]
frequency = { constant = 1.0, rationale = "fixture" }
capability = { constant = 1.0, rationale = "fixture" }
primary_loss = { constant = 10.0, rationale = "fixture" }
"#;
    let n = 400_000u64;
    for (big, small) in [(100.0f64, 0.5f64), (0.3, 0.5)] {
        // The phishing scenario gets its own TEF `big`; legacy half of TEF 1.
        let eco = model(&format!(
            "{threat}\n[[scenario]]\nthreat = \"ransomware\"\nvulnerability = \"phishing\"\nstakeholder = \"hospital\"\nfrequency = {{ constant = {big} }}\nrationale = \"fixture\"\n"
        ));
        let (m, r, _) = run(&eco, &[], n, 23);
        let ids: Vec<&str> = m.scenarios().map(|s| s.vulnerability.as_str()).collect();
        for (stat, id) in r.baseline.scenarios.iter().zip(&ids) {
            let lambda: f64 = if *id == "phishing" { big } else { small };
            let p_hit = 1.0 - (-lambda).exp();
            let (got, _) = proportion(stat.with_event, n);
            let se = (p_hit * (1.0 - p_hit) / n as f64).sqrt();
            assert!(
                (got - p_hit).abs() <= 5.0 * se + 1e-12,
                "{id} (lambda {lambda}): P(hit) {got} vs {p_hit}"
            );
            let mean = stat.events as f64 / n as f64;
            assert!(
                (mean - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
                "{id}: mean events {mean} vs {lambda}"
            );
            // Constant magnitudes: the annual loss is 10 x a Poisson count.
            let sd = stat.moments.sd();
            assert!(
                (sd / (10.0 * lambda.sqrt()) - 1.0).abs() < 0.02,
                "{id}: sd {sd}"
            );
        }
        let p_hit = 1.0 - (-(big + small)).exp();
        let got = r.baseline.total.with_event as f64 / n as f64;
        let se = (p_hit * (1.0 - p_hit) / n as f64).sqrt();
        assert!(
            (got - p_hit).abs() <= 5.0 * se + 1e-12,
            "total: {got} vs {p_hit}"
        );
        // The years' counts are independent across the two scenarios:
        // Var(total) = Var(a) + Var(b) = 100 (big + small).
        let sd = r.baseline.total.moments.sd();
        assert!(
            (sd / (10.0 * (big + small).sqrt()) - 1.0).abs() < 0.02,
            "total sd {sd}"
        );
    }
}
