//! Fuzz target `stix_import`: The STIX 2.1 bundle importer, with the export round trip of what it accepts.
//! The body lives in `holisec_exchange::fuzz::stix_import`, which the stable test
//! `crates/holisec-exchange/tests/fuzz_seeds.rs` also runs over `fuzz/seeds/stix_import/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    holisec_exchange::fuzz::stix_import(data);
});
