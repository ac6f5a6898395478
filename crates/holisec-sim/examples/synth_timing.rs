//! Times `synth::generate` at a scale: `cargo run --release -p holisec-sim
//! --example synth_timing -- [scale] [repeats]`.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let scale: f64 = args.next().map_or(1.0, |s| s.parse().expect("scale"));
    let repeats: u64 = args.next().map_or(10, |s| s.parse().expect("repeats"));
    let eco = holisec_model::builtin::europe().ecosystem.expect("model");
    let p = holisec_sim::scenario::Parameters::default();
    let mut best = f64::INFINITY;
    let mut total = 0.0;
    let mut check = 0u64;
    for seed in 0..repeats {
        let t = Instant::now();
        let s = holisec_sim::synth::generate(&eco, &p, scale, seed).expect("generate");
        let dt = t.elapsed().as_secs_f64();
        check = check.wrapping_add(s.segments() + s.clients.targets.len() as u64);
        best = best.min(dt);
        total += dt;
    }
    println!(
        "scale {scale}: {repeats} networks, best {:.1} ms, mean {:.1} ms (check {check})",
        best * 1e3,
        total / repeats as f64 * 1e3
    );
}
