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

use std::sync::OnceLock;

use holisec_model::wire::ModelFile;
use holisec_model::{Ecosystem, Loaded};

use crate::calibrate::{self, CalibrateOptions};
use crate::stix::{self, ExportOptions};
use crate::summary::{self, Filter};
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
    let text = &loaded.text;
    for d in &loaded.diagnostics {
        if let Some(span) = &d.span {
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "span {span:?} outside a text of {} bytes: {}",
                text.len(),
                d.message
            );
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "span {span:?} splits a character: {}",
                d.message
            );
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
