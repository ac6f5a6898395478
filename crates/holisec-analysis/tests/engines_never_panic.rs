//! Random valid models never make an engine panic: the built-in model with
//! every number redrawn within validation's ranges (distributions of every
//! shape, PERT shapes up to 40, losses up to 1e15, frequencies up to 1e6,
//! strengths, effects and costs at their bounds), run through the risk
//! engine (few simulated years, both PERT samplers, every support item, a
//! portfolio), the graph analysis, the three figures and the simulator at a
//! tiny scale with redrawn parameters.
//!
//! 64 cases by default; `PROPTEST_CASES=N` for more.

use holisec_model::dist::Range01OrNonNegative as Range;
use holisec_model::{Distribution, Ecosystem, Provenance, SupportIdx};
use holisec_risk::engine::{self, RiskModel, RunOptions};
use holisec_risk::sampling::SamplerMode;
use holisec_risk::scenario::Selection;
use holisec_risk::{chart, compare, portfolio, report};
use proptest::prelude::*;

/// SplitMix64: every number of a case from one seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A value in `0..=max`: the bounds themselves, uniform, or log-uniform
    /// down to 1e-12 of `max`.
    fn value(&mut self, max: f64) -> f64 {
        match self.below(6) {
            0 => 0.0,
            1 => max,
            2 | 3 => max * self.unit(),
            _ => max * 10f64.powf(-12.0 * self.unit()),
        }
    }
}

fn max_of(range: Range) -> f64 {
    range.magnitude().map_or(1.0, |m| m.max)
}

/// A distribution of `range` of a random shape with values up to `max`,
/// checked by the model's own validation (the fallback, a uniform, always passes).
fn distribution(rng: &mut Rng, range: Range, max: f64) -> Distribution {
    let mut sorted = |k: usize| {
        let mut v: Vec<f64> = (0..k).map(|_| rng.value(max)).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let v = sorted(3);
    let (low, mode, high) = (v[0], v[1], v[2]);
    let candidate = match rng.below(5) {
        0 => Distribution::Constant { value: mode },
        1 => Distribution::Uniform { low, high },
        2 if low < high => Distribution::Triangular { low, mode, high },
        3 if low < high => Distribution::Pert {
            low,
            mode,
            high,
            shape: [1e-3, 1.0, 4.0, 40.0, 40.0 * rng.unit() + 1e-9][rng.below(5)],
        },
        4 if range != Range::UnitInterval && low > 0.0 && low < high => {
            Distribution::LognormalCi90 { low, high }
        }
        _ => Distribution::Uniform { low, high },
    };
    let valid = candidate
        .to_wire(&Provenance::default())
        .to_distribution(range)
        .is_ok();
    if valid {
        candidate
    } else {
        Distribution::Uniform { low, high }
    }
}

/// The built-in model with every number redrawn within its range; `tame`
/// keeps frequencies below 10 a year so the risk engine runs many years.
fn mutated(seed: u64, tame: bool) -> Ecosystem {
    let mut rng = Rng(seed);
    let frequency = if tame { 10.0 } else { max_of(Range::Frequency) };
    let (unit, loss) = (1.0, max_of(Range::Loss));
    let mut eco = holisec_model::builtin::europe()
        .ecosystem
        .expect("the built-in model is valid");
    for v in &mut eco.vulnerabilities {
        v.resistance = distribution(&mut rng, Range::UnitInterval, unit);
    }
    for r in &mut eco.relations {
        r.strength = rng.value(1.0);
    }
    for t in &mut eco.threats {
        t.frequency = distribution(&mut rng, Range::Frequency, frequency);
        t.capability = distribution(&mut rng, Range::UnitInterval, unit);
        t.primary_loss = distribution(&mut rng, Range::Loss, loss);
        t.secondary_loss = (rng.below(3) > 0).then(|| distribution(&mut rng, Range::Loss, loss));
    }
    for s in &mut eco.supports {
        s.effect.change = rng.value(1.0);
        s.annual_cost = rng.value(max_of(Range::Loss));
    }
    for o in &mut eco.scenario_overrides {
        o.frequency = Some(distribution(&mut rng, Range::Frequency, frequency));
        o.primary_loss = Some(distribution(&mut rng, Range::Loss, loss));
    }
    for s in &mut eco.stakeholders {
        if let Some(p) = s.population.as_mut() {
            // Within a factor of 4: the simulator's sizes stay tiny at its scale.
            p.value *= 4f64.powf(2.0 * rng.unit() - 1.0);
        }
    }
    eco
}

/// Risk: compile, run with every support item and all together (years chosen
/// so a case draws at most about 200,000 loss events), report, chart, compare,
/// a small portfolio.
fn risk(eco: &Ecosystem, years: u64, mode: SamplerMode) {
    let model = RiskModel::new(eco, &Selection::default(), mode).expect("a valid model compiles");
    let per_year = model.expected_loss_events_per_year();
    assert!(per_year.is_finite() && per_year >= 0.0, "{per_year}");
    assert!(
        model
            .expected_annual_losses(None)
            .iter()
            .all(|x| x.is_finite() && *x >= 0.0)
    );
    if per_year > 2e5 {
        return;
    }
    let years = years.min((2e5 / per_year.max(1e-9)) as u64).max(1);
    let plan = compare::plan(&model, eco, Some(1e6));
    let mut interventions = plan.interventions.clone();
    let every: Vec<SupportIdx> = (0..eco.supports.len() as u32).map(SupportIdx).collect();
    interventions.push(model.intervention(eco, &every));
    let options = RunOptions {
        iterations: years,
        seed: 7,
    };
    let run = engine::run(&model, &interventions, &options, &|_| {})
        .expect("validated amounts add up to finite sums");
    let rep = report::build(&model, &run, &interventions, None);
    assert!(
        rep.total.ale.is_finite() && rep.total.ale >= 0.0,
        "{}",
        rep.total.ale
    );
    let ranked = compare::rank(&plan, &rep.interventions[..plan.interventions.len()]);
    assert!(ranked.single_items.len() <= eco.supports.len());
    let drawn: Vec<&report::InterventionResult> = rep.interventions.iter().take(3).collect();
    assert!(chart::report_svg(&rep, &drawn).starts_with("<svg"));
    assert!(!chart::lec_csv(&rep).is_empty());
    // One stakeholder's portfolio.
    let first = &model.stakeholders[0];
    let member = RiskModel::new(
        eco,
        &Selection {
            stakeholder: Some(first.clone()),
            ..Default::default()
        },
        mode,
    )
    .expect("one stakeholder compiles");
    let events = member.expected_loss_events_per_year() + member.len() as f64;
    if events * 20.0 * 10.0 < 2e5 {
        let p = portfolio::PortfolioOptions {
            organisations: 20,
            providers: 3,
            concentration: 1.0,
        };
        let years = RunOptions {
            iterations: 10,
            seed: 3,
        };
        portfolio::run(&member, &p, &years, &|_| {}).expect("a small portfolio runs");
    }
}

/// A built-in scenario on the model, at a tiny scale, with parameters redrawn
/// within their ranges.
fn simulate(eco: &Ecosystem, seed: u64) {
    use holisec_sim::scenario::{INTERVENTIONS, PARAMETERS};
    let mut rng = Rng(seed ^ 0x5151);
    let builtin = holisec_sim::builtin::SCENARIOS;
    let chosen = &builtin[rng.below(builtin.len())];
    let loaded = holisec_sim::load_scenario(chosen.toml, eco);
    let mut sc = loaded
        .scenario
        .expect("built-in scenarios load on the model");
    sc.replicates = 1 + rng.below(2) as u32;
    sc.days = 1 + rng.below(4) as u32;
    sc.scale = 0.0005 + 0.002 * rng.unit();
    sc.seed = rng.next();
    for spec in PARAMETERS {
        if rng.below(3) == 0 {
            let x = spec.min + (spec.max - spec.min) * [0.0, 1.0, rng.unit()][rng.below(3)];
            *sc.parameters.get_mut(spec.key).expect("known key") = x;
        }
    }
    for spec in INTERVENTIONS {
        if rng.below(2) == 0 {
            *sc.interventions.get_mut(spec.key).expect("known key") =
                spec.min + (spec.max - spec.min) * rng.unit();
        }
    }
    // The cross-parameter rules of the scenario loader.
    let p = &mut sc.parameters;
    let mut d = [p.remediation_d25, p.remediation_d50, p.remediation_d75];
    d.sort_by(f64::total_cmp);
    [p.remediation_d25, p.remediation_d50, p.remediation_d75] = d;
    if p.worm_local_share + p.worm_national_share > 1.0 {
        p.worm_national_share = 1.0 - p.worm_local_share;
    }
    for c in &mut sc.campaigns {
        c.start_day = c.start_day.min(sc.days - 1);
    }
    sc.check_settings().expect("settings in range");
    let report = holisec_sim::simulate(eco, &sc, &|_| {}).expect("a tiny simulation runs");
    assert_eq!(report.replicates, sc.replicates);
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_engine_panics_on_a_valid_model(
        seed in any::<u64>(),
        tame in any::<bool>(),
        years in 1u64..400,
        exact in any::<bool>(),
        hops in 0usize..5,
        keep in 0usize..20,
    ) {
        let eco = mutated(seed, tame);
        let mode = if exact { SamplerMode::Exact } else { SamplerMode::Table };
        risk(&eco, years, mode);
        let a = holisec_analysis::analyze(
            &eco,
            holisec_analysis::AnalysisOptions { paths_per_motivation: keep, max_onward_hops: hops },
        );
        prop_assert_eq!(a.centrality.len(), eco.stakeholders.len());
        prop_assert!(a.centrality.iter().all(|c| c.betweenness.is_finite() && c.influence.is_finite()));
        prop_assert!(holisec_render::svg(&eco).starts_with("<svg"));
        prop_assert!(holisec_render::dot(&eco).starts_with("digraph"));
        prop_assert!(holisec_render::mermaid(&eco).starts_with("flowchart"));
        simulate(&eco, seed);
    }
}
