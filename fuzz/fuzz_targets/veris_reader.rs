//! Fuzz target `veris_reader`: The VERIS reader (JSON Lines and single documents), summary and calibration.
//! The body lives in `holisec_exchange::fuzz::veris_reader`, which the stable test
//! `crates/holisec-exchange/tests/fuzz_seeds.rs` also runs over `fuzz/seeds/veris_reader/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    holisec_exchange::fuzz::veris_reader(data);
});
