//! Fuzz target `taxii_query`: The TAXII 2.1 query-string parser, pagination with next tokens and media negotiation.
//! The body lives in `holisec_exchange::fuzz::taxii_query`, which the stable test
//! `crates/holisec-exchange/tests/fuzz_seeds.rs` also runs over `fuzz/seeds/taxii_query/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    holisec_exchange::fuzz::taxii_query(data);
});
