//! Property tests: whatever bytes arrive, loading returns diagnostics, never panics,
//! and a model exists exactly when no diagnostic is an error.

use proptest::prelude::*;

const MINIMAL: &str = include_str!("data/minimal.toml");

fn check(bytes: &[u8]) {
    let loaded = holisec_model::load_bytes(bytes);
    assert_eq!(loaded.ecosystem.is_some(), !loaded.has_errors());
    for d in &loaded.diagnostics {
        if let Some(span) = &d.span {
            assert!(
                span.start <= span.end && span.end <= loaded.text.len(),
                "span {span:?} outside the text"
            );
        }
    }
}

#[test]
fn minimal_model_is_valid() {
    let loaded = holisec_model::load_str(MINIMAL);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let eco = loaded.ecosystem.unwrap();
    // ransomware targets hospitals through its own factor and the vendor's (first-level partner).
    assert_eq!(eco.scenarios().len(), 2);
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }

    #[test]
    fn edited_models_never_panic(
        start in 0..MINIMAL.len(),
        len in 0usize..40,
        insert in "[a-z0-9=\\[\\]\"{}, .\n#-]{0,12}",
    ) {
        let mut bytes = MINIMAL.as_bytes().to_vec();
        let end = (start + len).min(bytes.len());
        bytes.splice(start..end, insert.bytes());
        check(&bytes);
    }
}
