//! The bodies of the fuzz targets in `fuzz/` (repository root), kept here so
//! that stable `cargo test` runs the same code over the committed seed corpus
//! (`fuzz/seeds/<target>/`, see `tests/fuzz_seeds.rs`).
//!
//! Each function takes arbitrary bytes and must never panic except on a
//! broken invariant, which it asserts:
//!
//! * [`veris_reader`]: the bytes read as JSON Lines and as one JSON document;
//!   every record is counted exactly once (kept, unreadable or dropped); the
//!   summary never loses an incident; a calibration of the built-in model from
//!   the incidents writes a model that loads without errors.
//! * [`stix_import`]: the bytes imported as a STIX bundle; when that gives a
//!   valid model, export -> import -> export is byte-identical.
//! * [`model_loader`]: the bytes loaded as a model file
//!   ([`holisec_model::load_bytes`], what `holisec validate FILE` runs); every
//!   diagnostic span lies inside the text on character boundaries; a valid
//!   model survives the STIX round trip.
//! * [`taxii_query`]: the bytes (lossily as UTF-8) parsed as a TAXII query
//!   string, an `Accept` and a `Content-Type` header; a query that parses is
//!   paged over a fixed collection and following `next` with the same filters
//!   yields every matching object once, in order.
//! * [`taxii_intake`]: the bytes read as the body of a TAXII POST; every
//!   object is accepted or refused exactly once, the status resource counts
//!   agree, and the TLP reader takes every accepted object.

use std::sync::OnceLock;

use holisec_model::wire::ModelFile;
use holisec_model::{Ecosystem, Loaded};

use crate::calibrate::{self, CalibrateOptions};
use crate::stix::{self, ExportOptions};
use crate::summary::{self, Filter};
use crate::taxii;
use crate::veris::{Evidence, ReadOptions, VerisReader};

fn check_counts(e: &Evidence) {
    let c = e.counts;
    assert_eq!(
        c.records,
        c.incidents + c.unreadable + c.dropped_invalid,
        "every record is kept, unreadable or dropped: {c:?}"
    );
    assert_eq!(c.incidents, e.incidents.len());
    assert!(e.problems.len() >= c.unreadable + c.invalid, "{c:?}");
}

fn builtin() -> &'static (ModelFile, Ecosystem) {
    static BUILTIN: OnceLock<(ModelFile, Ecosystem)> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let loaded = holisec_model::builtin::europe();
        match (loaded.file, loaded.ecosystem) {
            (Some(f), Some(e)) => (f, e),
            _ => panic!("the built-in model does not load"),
        }
    })
}

/// Fuzz target `veris_reader`: the VERIS reader, summary and calibration on arbitrary bytes.
pub fn veris_reader(data: &[u8]) {
    let mut lines = VerisReader::default();
    lines.read_jsonl(0, data);
    let lines = lines.finish();
    check_counts(&lines);

    let mut document = VerisReader::new(ReadOptions {
        drop_invalid: true,
        check_schema: true,
    });
    document.read_document(0, data);
    let document = document.finish();
    check_counts(&document);

    for e in [&lines, &document] {
        let all = summary::summarise(e, Filter::default());
        assert_eq!(all.incidents, e.incidents.len());
        let since = summary::summarise(e, Filter { since: Some(2015) });
        assert_eq!(since.incidents + since.filtered_out, e.incidents.len());
    }

    if lines.incidents.is_empty() {
        return;
    }
    let (file, eco) = builtin();
    let options = CalibrateOptions {
        min_incidents: 1,
        sources: vec!["fuzz".into()],
        ..CalibrateOptions::default()
    };
    let result = calibrate::calibrate(file, eco, &lines, &options)
        .expect("calibration with incidents and the default prior succeeds");
    let text = crate::model_to_toml(&result.file).expect("the calibrated model serialises");
    let back = holisec_model::load_str(&text);
    assert!(
        !back.has_errors(),
        "the calibrated model does not load: {:?}",
        back.diagnostics
    );
}

/// Export, import, export again: the two exports must be identical.
fn assert_round_trip(file: &ModelFile) {
    let Ok(first) = stix::export(file, &ExportOptions::default()) else {
        return;
    };
    let imported = stix::import(first.as_bytes()).expect("an exported bundle imports");
    let second =
        stix::export(&imported.file, &ExportOptions::default()).expect("an imported model exports");
    assert!(
        first == second,
        "export -> import -> export changed the bundle"
    );
}

/// Fuzz target `stix_import`: the STIX importer on arbitrary bytes.
pub fn stix_import(data: &[u8]) {
    let Ok(imported) = stix::import(data) else {
        return;
    };
    let Ok(text) = crate::model_to_toml(&imported.file) else {
        return;
    };
    let loaded = holisec_model::load_str(&text);
    if let (false, Some(file)) = (loaded.has_errors(), loaded.file.as_ref()) {
        assert_round_trip(file);
    }
}

fn check_spans(loaded: &Loaded) {
    for d in &loaded.diagnostics {
        if let Some(problem) = d.misplaced_span(&loaded.text) {
            panic!("{problem}");
        }
    }
}

/// Fuzz target `model_loader`: the model loader on arbitrary bytes.
pub fn model_loader(data: &[u8]) {
    let loaded = holisec_model::load_bytes(data);
    check_spans(&loaded);
    assert_eq!(
        loaded.ecosystem.is_some(),
        !loaded.has_errors(),
        "a model is built exactly when there is no error"
    );
    if let (Some(file), Some(_)) = (loaded.file.as_ref(), loaded.ecosystem.as_ref()) {
        assert_round_trip(file);
    }
}

/// A small collection: three objects sharing one `date_added`, two versions of one id.
fn taxii_collection() -> Vec<taxii::StoredObject> {
    let at = |text: &str| taxii::Timestamp::parse(text).expect("a fixed valid timestamp");
    let object = |seq: i64, id: &str, version: &str, added: &str| taxii::StoredObject {
        id: id.to_owned(),
        stix_type: id.split("--").next().unwrap_or_default().to_owned(),
        version: at(version),
        date_added: at(added),
        seq,
        spec_version: "2.1".to_owned(),
        json: serde_json::json!({"id": id}),
    };
    vec![
        object(
            1,
            "indicator--a",
            "2026-01-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
        ),
        object(
            2,
            "indicator--a",
            "2026-01-02T00:00:00Z",
            "2026-02-02T00:00:00Z",
        ),
        object(
            3,
            "report--b",
            "2026-01-01T00:00:00Z",
            "2026-02-02T00:00:00Z",
        ),
        object(
            4,
            "malware--c",
            "2026-01-01T00:00:00Z",
            "2026-02-02T00:00:00Z",
        ),
        object(
            5,
            "indicator--d",
            "2026-01-01T00:00:00Z",
            "2026-02-03T00:00:00.5Z",
        ),
    ]
}

/// Fuzz target `taxii_query`: the TAXII query parser, pagination and media negotiation on arbitrary bytes.
pub fn taxii_query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for kind in [taxii::Kind::Taxii, taxii::Kind::Stix] {
        let _ = taxii::negotiate(Some(&text), kind);
        let _ = taxii::content_type_ok(Some(&text), kind);
    }
    let Ok(query) = taxii::Query::parse(&text) else {
        return;
    };
    let objects = taxii_collection();
    let Ok(first) = taxii::page(&objects, &query, 3) else {
        assert!(
            query.next.is_some(),
            "only a `next` can make a parsed query fail"
        );
        return;
    };
    let mut all = taxii::Query {
        next: None,
        limit: Some(usize::MAX),
        ..query.clone()
    };
    let everything = taxii::page(&objects, &all, usize::MAX).expect("no `next`, no error");
    if query.next.is_some() {
        return;
    }
    let mut seen: Vec<i64> = first.objects.iter().map(|o| o.seq).collect();
    let mut next = first.next;
    while let Some(token) = next {
        all.next = Some(token);
        all.limit = query.limit;
        let page = taxii::page(&objects, &all, 3).expect("a next of this query is accepted");
        assert!(!page.objects.is_empty(), "a `next` page is never empty");
        seen.extend(page.objects.iter().map(|o| o.seq));
        next = page.next;
    }
    let expected: Vec<i64> = everything.objects.iter().map(|o| o.seq).collect();
    assert_eq!(seen, expected, "paging yields every object once, in order");
    for (_, value) in everything.headers() {
        assert!(taxii::Timestamp::parse(&value).is_ok(), "{value}");
    }
}

/// Fuzz target `taxii_intake`: the TAXII POST body reader on arbitrary bytes.
pub fn taxii_intake(data: &[u8]) {
    let Ok(intake) = taxii::intake(data, 1000) else {
        return;
    };
    assert!(intake.total() <= 1000);
    let mut indexes: Vec<usize> = intake.accepted.iter().map(|a| a.index).collect();
    indexes.extend(intake.refused.iter().map(|r| r.index));
    indexes.sort_unstable();
    assert!(
        indexes.iter().copied().eq(0..intake.total()),
        "every object is accepted or refused exactly once"
    );
    let at = taxii::Timestamp::from_unix_nanos(0).expect("the epoch");
    let status = intake.status("fuzz", at, at);
    assert_eq!(
        status.total_count,
        status.success_count + status.failure_count
    );
    for accepted in &intake.accepted {
        assert_eq!(accepted.spec_version, "2.1");
        let _ = taxii::read_tlp2(&accepted.json);
    }
}
