//! Criterion benches of the risk engine (`cargo bench -p holisec-risk`):
//! the single Open FAIR scenario that `bench/risk_vs_pyfair.py` compares
//! with pyfair, and the whole built-in European model, each on one and on
//! two worker threads. Under `cargo test` each runs once, as a smoke test.
//!
//! Figures and the machine they were taken on: `docs/benchmarks.md`.

use criterion::{Criterion, criterion_group, criterion_main};
use holisec_model::Ecosystem;
use holisec_risk::engine::{self, RiskModel, RunOptions};
use holisec_risk::sampling::SamplerMode;
use holisec_risk::scenario::Selection;

fn ecosystem(text: &str) -> Ecosystem {
    holisec_model::load_str(text)
        .ecosystem
        .expect("the bench model is valid")
}

fn bench_model(c: &mut Criterion, name: &str, eco: &Ecosystem, iterations: u64) {
    let model = RiskModel::new(eco, &Selection::default(), SamplerMode::Table).expect("model");
    let options = RunOptions {
        iterations,
        seed: 42,
    };
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        group.bench_function(format!("{threads} threads"), |b| {
            b.iter(|| {
                let run = pool.install(|| engine::run(&model, &[], &options, &|_| {}));
                run.expect("run").baseline.total.moments.mean()
            })
        });
    }
    group.finish();
}

fn risk(c: &mut Criterion) {
    let single = ecosystem(include_str!("../../../bench/single-scenario.toml"));
    bench_model(c, "risk/single scenario, 1e6 years", &single, 1_000_000);
    let europe = holisec_model::builtin::europe()
        .ecosystem
        .expect("the built-in model is valid");
    bench_model(c, "risk/built-in model, 1e5 years", &europe, 100_000);
}

criterion_group!(benches, risk);
criterion_main!(benches);
