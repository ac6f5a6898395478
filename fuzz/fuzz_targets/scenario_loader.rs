//! Fuzz target `scenario_loader`: the scenario loader (`holisec_sim::load_scenario`, what
//! `holisec simulate --scenario FILE` and the server's uploads run), then one short run of
//! each scenario that loads. The body lives in `holisec_sim::fuzz::scenario_loader`, which
//! the stable test `crates/holisec-sim/tests/fuzz_seeds.rs` also runs over
//! `fuzz/seeds/scenario_loader/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    holisec_sim::fuzz::scenario_loader(data);
});
