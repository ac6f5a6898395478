//! Stable regression test for the fuzz targets: every file of the committed
//! seed corpus `fuzz/seeds/<target>/` goes through the same function the
//! libFuzzer target calls (`holisec_exchange::fuzz`), so `cargo test` checks
//! the tricky inputs (truncated JSON, wrong types, deep nesting, invalid UTF-8,
//! unknown STIX types, dangling references, ...) without nightly Rust.
//! Inputs that libFuzzer finds later belong in the same directories.

use std::path::{Path, PathBuf};

fn seeds(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "the seed corpus {} has only {} files",
        dir.display(),
        files.len()
    );
    files
}

/// Runs `f` on every seed of `target`; names every seed that panicked.
fn run(target: &str, f: fn(&[u8])) {
    let mut failed = Vec::new();
    for path in seeds(target) {
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| f(&bytes)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target} panicked on: {failed:?}");
}

#[test]
fn veris_reader_seeds() {
    run("veris_reader", holisec_exchange::fuzz::veris_reader);
}

#[test]
fn stix_import_seeds() {
    run("stix_import", holisec_exchange::fuzz::stix_import);
}

#[test]
fn model_loader_seeds() {
    run("model_loader", holisec_exchange::fuzz::model_loader);
}

#[test]
fn taxii_query_seeds() {
    run("taxii_query", holisec_exchange::fuzz::taxii_query);
}

#[test]
fn taxii_intake_seeds() {
    run("taxii_intake", holisec_exchange::fuzz::taxii_intake);
}

/// The TAXII seeds reach the paths they are named after.
#[test]
fn taxii_seeds_reach_their_code_paths() {
    use holisec_exchange::taxii::{self, IntakeError, NextError, Query, QueryError};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let read = |name: &str| std::fs::read(root.join(name)).unwrap();
    let text = |name: &str| String::from_utf8(read(name)).unwrap();

    let q = Query::parse(&text("taxii_query/filters.txt")).unwrap();
    assert_eq!((q.types.len(), q.limit), (2, Some(2)));
    let q = Query::parse(&text("taxii_query/percent-encoded-brackets.txt")).unwrap();
    assert_eq!(q.types, ["indicator"]);
    let e = Query::parse(&text("taxii_query/unknown-match.txt")).unwrap_err();
    assert!(matches!(e, QueryError::UnknownMatch { .. }), "{e}");
    let forged = Query::parse(&text("taxii_query/forged-next.txt")).unwrap();
    assert_eq!(
        taxii::page(&[], &forged, 10).unwrap_err(),
        NextError::FiltersChanged
    );
    assert!(Query::parse(&text("taxii_query/extreme-timestamps.txt")).is_err());

    let ok = taxii::intake(&read("taxii_intake/envelope.json"), 10).unwrap();
    assert_eq!((ok.accepted.len(), ok.refused.len()), (2, 0));
    let ok = taxii::intake(&read("taxii_intake/broken-objects.json"), 10).unwrap();
    assert_eq!((ok.accepted.len(), ok.refused.len()), (0, 10));
    let marked = taxii::intake(&read("taxii_intake/conflicting-tlp.json"), 10).unwrap();
    assert!(taxii::read_tlp2(&marked.accepted[0].json).is_err());
    assert!(matches!(
        taxii::intake(&read("taxii_intake/truncated.json"), 10),
        Err(IntakeError::Json { line: 3, .. })
    ));
    assert!(matches!(
        taxii::intake(&read("taxii_intake/too-many.json"), 1000),
        Err(IntakeError::TooManyObjects { count: 1500, .. })
    ));
    let deep = taxii::intake(&read("taxii_intake/deep-arrays.json"), 10).unwrap_err();
    assert!(deep.to_string().contains("recursion limit"), "{deep}");
}

/// The seeds exercise what they are named after (a seed that silently stopped
/// reaching its code path would make the corpus weaker without failing).
#[test]
fn seeds_reach_their_code_paths() {
    use holisec_exchange::veris::VerisReader;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let read = |name: &str| std::fs::read(root.join(name)).unwrap();

    let mut r = VerisReader::default();
    r.read_jsonl(0, &read("veris_reader/valid-and-invalid.jsonl"));
    let e = r.finish();
    assert_eq!((e.counts.incidents, e.counts.unreadable), (3, 0));
    assert!(e.problems.iter().any(
        |p| p.location.line == 2 && p.path.as_deref() == Some("plus.attack_difficulty_initial")
    ));

    let mut r = VerisReader::default();
    r.read_jsonl(0, &read("veris_reader/deep-arrays.jsonl"));
    let e = r.finish();
    assert_eq!(e.counts.unreadable, 2);
    assert!(
        e.problems
            .iter()
            .all(|p| p.message.contains("recursion limit"))
    );

    let mut r = VerisReader::default();
    r.read_jsonl(0, &read("veris_reader/long-unique-items.jsonl"));
    let e = r.finish();
    assert!(
        e.problems
            .iter()
            .any(|p| p.message.contains("\"v17\" is repeated"))
    );

    let mut r = VerisReader::default();
    r.read_document(0, &read("veris_reader/jsonl-named-json.json"));
    assert_eq!(r.finish().counts.incidents, 2);

    let ok = holisec_exchange::stix::import(&read("stix_import/foreign-objects.json")).unwrap();
    assert_eq!(ok.dangling.len(), 1);
    assert!(ok.skipped["malware"] == 1 && ok.skipped["x-vendor-thing"] == 1);
    // Found by libFuzzer: a threat-actor without `name` used to leave a dangling
    // index behind and panic on its `targets` relationship.
    let err =
        holisec_exchange::stix::import(&read("stix_import/crash-threat-actor-without-name.json"))
            .unwrap_err()
            .to_string();
    assert!(err.contains("expected a string `name`"), "{err}");
    for bad in [
        "missing-stakeholder-ref.json",
        "wrong-types.json",
        "duplicate-id.json",
        "deep-arrays.json",
        "invalid-utf8.json",
        "truncated.json",
    ] {
        assert!(
            holisec_exchange::stix::import(&read(&format!("stix_import/{bad}"))).is_err(),
            "{bad}"
        );
    }
    assert!(!holisec_model::load_bytes(&read("model_loader/small-model.toml")).has_errors());
    assert!(holisec_model::load_bytes(&read("model_loader/multibyte-errors.toml")).has_errors());
}
