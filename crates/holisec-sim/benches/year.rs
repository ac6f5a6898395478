//! Criterion benches of the propagation simulator (`cargo bench -p
//! holisec-sim`): one replicate of a simulated year at a tenth of the
//! European populations, for the shipped monthly phishing campaign and for
//! the stress case of `bench/stress-year.toml` (every member of staff
//! phished every month), on one and on two worker threads. Under `cargo
//! test` each runs once, as a smoke test.
//!
//! The full-scale figures, and the machine: `docs/benchmarks.md`.

use criterion::{Criterion, criterion_group, criterion_main};
use holisec_model::Ecosystem;
use holisec_sim::scenario::{Scenario, load_scenario};

fn scenario(text: &str, eco: &Ecosystem) -> Scenario {
    let mut scenario = load_scenario(text, eco)
        .scenario
        .expect("the bench scenario is valid");
    scenario.scale = 0.1;
    scenario.replicates = 1;
    scenario
}

fn year(c: &mut Criterion) {
    let eco = holisec_model::builtin::europe()
        .ecosystem
        .expect("the built-in model is valid");
    let monthly = holisec_sim::builtin::scenario("europe-phishing-ransomware")
        .expect("shipped scenario")
        .toml;
    let cases = [
        ("simulate/monthly campaign, scale 0.1", monthly),
        (
            "simulate/stress year, scale 0.1",
            include_str!("../../../bench/stress-year.toml"),
        ),
    ];
    for (name, text) in cases {
        let scenario = scenario(text, &eco);
        let mut group = c.benchmark_group(name);
        group.sample_size(10);
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            group.bench_function(format!("{threads} threads"), |b| {
                b.iter(|| {
                    let report = pool.install(|| holisec_sim::simulate(&eco, &scenario, &|_| {}));
                    report.expect("simulation").replicates
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, year);
criterion_main!(benches);
