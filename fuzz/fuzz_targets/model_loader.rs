//! Fuzz target `model_loader`: The model loader (`holisec_model::load_bytes`), with the STIX round trip of valid models.
//! The body lives in `holisec_exchange::fuzz::model_loader`, which the stable test
//! `crates/holisec-exchange/tests/fuzz_seeds.rs` also runs over `fuzz/seeds/model_loader/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    holisec_exchange::fuzz::model_loader(data);
});
