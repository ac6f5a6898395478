//! Evidence and exchange for holisec.
//!
//! * [`veris`]: a tolerant reader for VERIS incident records (one JSON object,
//!   JSON arrays, JSON Lines) that reports every broken record with its line and
//!   JSON path and keeps going; [`schema`] checks records against the embedded
//!   VCDB schema.
//! * [`mapping`]: the documented mapping from VERIS to the model (motivations,
//!   domains, stakeholders, attributes).
//! * [`summary`]: counts by year, motivation, domain, action, asset, attribute.
//! * [`calibrate`]: derives a model's threat mix from the evidence, keeping its
//!   absolute level, and records the provenance.
//! * [`stix`]: STIX 2.1 bundle export and import with deterministic ids.
//! * [`taxii`]: the protocol core of TAXII 2.1 (media types, resources,
//!   query parsing, pagination, TLP 2.0 markings, POST intake) for a server.
//! * [`fuzz`]: the bodies of the fuzz targets, shared with the seed regression test.
//!
//! Nothing here does I/O: readers take bytes, writers return values or text.

pub mod calibrate;
pub mod fuzz;
pub mod mapping;
pub mod schema;
pub mod stix;
pub mod summary;
pub mod taxii;
pub mod veris;

/// Writes a model file as TOML (the format `holisec_model::load_str` reads).
pub fn model_to_toml(file: &holisec_model::wire::ModelFile) -> Result<String, toml::ser::Error> {
    toml::to_string(file)
}
