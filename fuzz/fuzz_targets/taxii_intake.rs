//! Fuzz target `taxii_intake`: The TAXII 2.1 POST body reader (envelopes and bundles, object by object).
//! The body lives in `holisec_exchange::fuzz::taxii_intake`, which the stable test
//! `crates/holisec-exchange/tests/fuzz_seeds.rs` also runs over `fuzz/seeds/taxii_intake/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    holisec_exchange::fuzz::taxii_intake(data);
});
