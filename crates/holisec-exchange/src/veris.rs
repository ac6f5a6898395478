//! A tolerant reader for VERIS incident records (JSON, JSON arrays, JSON Lines).
//!
//! Real VERIS data is messy: sections are missing, values are `"Unknown"`, a
//! field is sometimes a string where the schema wants a list, and a few
//! records break the schema outright (the VCDB healthcare extract has 17). The
//! reader therefore works record by record:
//!
//! * a record that is not JSON, not an object, an object with none of the
//!   VERIS sections, or has a wrong type in a field the importer reads is
//!   **unreadable**: it is skipped and reported with its line (and column for
//!   syntax errors) and the JSON path of the problem;
//! * a record that reads but breaks the VCDB schema ([`crate::schema`]) is
//!   **invalid**: every violation is reported with its JSON path, and the
//!   record is kept (the violations seen in real data sit in fields the
//!   importer does not use) unless [`ReadOptions::drop_invalid`] is set;
//! * the import never stops early, and [`Evidence`] carries the counts.
//!
//! No I/O happens here: callers hand in bytes, one line or one document at a
//! time, and name the sources themselves. Limits: a record may not exceed
//! [`MAX_RECORD_BYTES`], a document [`MAX_DOCUMENT_BYTES`], and serde_json's
//! recursion limit (128 levels) rejects deeper nesting with an error. Callers
//! that read JSON Lines from files stop at [`MAX_INPUT_BYTES`] per input and
//! at a line of [`MAX_LINE_BYTES`] without a line break, so an endless input
//! (`/dev/zero`, a pipe that never closes) ends with an error.

use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::schema::{Schema, Violation};

/// Largest single record (a JSON Lines line or an element of an array) accepted.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// Largest single `.json` document accepted (one incident or an array of incidents).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024 * 1024;

/// Most bytes read from one JSON Lines input: 1 GiB, about 100 times the
/// whole VCDB (2,494 healthcare incidents are 11 MB). Reading stops there with
/// an error rather than run for ever on an endless input.
pub const MAX_INPUT_BYTES: u64 = 1024 * 1024 * 1024;

/// Longest line a JSON Lines reader skips to its end: 4 x [`MAX_RECORD_BYTES`]
/// (64 MiB). A line over [`MAX_RECORD_BYTES`] is reported and skipped; one
/// still without a line break after this many bytes is no JSON Lines record
/// (`/dev/zero` has no line break at all), and the input stops there.
pub const MAX_LINE_BYTES: u64 = 4 * MAX_RECORD_BYTES as u64;

/// Where a record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// Index of the source (file) in the order the caller registered them.
    pub source: usize,
    /// 1-based line of the record's start in its source.
    pub line: usize,
    /// Position of the record inside a JSON array document, when it came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

/// What kind of problem a record has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// Not readable: skipped.
    Unreadable,
    /// Readable but breaks the VCDB schema.
    Invalid,
}

/// One problem with one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where the record is.
    pub location: Location,
    /// 1-based column, for syntax errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Skipped or kept.
    pub kind: ProblemKind,
    /// JSON path of the offending value, e.g. `action.physical.vector[0]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

/// The role of an actor section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActorRole {
    /// `actor.external`.
    External,
    /// `actor.internal`.
    Internal,
    /// `actor.partner`.
    Partner,
    /// `actor.unknown`.
    Unknown,
}

/// One actor section of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// Which section.
    pub role: ActorRole,
    /// `motive` values as written.
    pub motives: Vec<String>,
    /// `variety` values as written.
    pub varieties: Vec<String>,
}

/// The eight VERIS action categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionCategory {
    /// Malicious software.
    Malware,
    /// Hacking.
    Hacking,
    /// Social engineering.
    Social,
    /// Misuse of privileges or resources.
    Misuse,
    /// Physical actions.
    Physical,
    /// Errors.
    Error,
    /// Natural and environmental events.
    Environmental,
    /// Unknown action.
    Unknown,
}

impl ActionCategory {
    /// Every category, in VERIS order.
    pub const ALL: [ActionCategory; 8] = [
        ActionCategory::Malware,
        ActionCategory::Hacking,
        ActionCategory::Social,
        ActionCategory::Misuse,
        ActionCategory::Physical,
        ActionCategory::Error,
        ActionCategory::Environmental,
        ActionCategory::Unknown,
    ];

    /// The key used in VERIS records.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionCategory::Malware => "malware",
            ActionCategory::Hacking => "hacking",
            ActionCategory::Social => "social",
            ActionCategory::Misuse => "misuse",
            ActionCategory::Physical => "physical",
            ActionCategory::Error => "error",
            ActionCategory::Environmental => "environmental",
            ActionCategory::Unknown => "unknown",
        }
    }
}

/// One action section of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// The category.
    pub category: ActionCategory,
    /// `variety` values as written.
    pub varieties: Vec<String>,
    /// `vector` values as written.
    pub vectors: Vec<String>,
}

/// One victim of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Victim {
    /// NAICS code as written.
    pub industry: Option<String>,
    /// Country codes.
    pub countries: Vec<String>,
    /// `government` values.
    pub government: Vec<String>,
}

/// Which security attributes a record says were affected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Attributes {
    /// `attribute.confidentiality` is present.
    pub confidentiality: bool,
    /// `attribute.integrity` is present.
    pub integrity: bool,
    /// `attribute.availability` is present.
    pub availability: bool,
    /// `attribute.availability.variety` values (e.g. `Obscuration` for ransomware).
    pub availability_varieties: Vec<String>,
}

/// One incident, as far as the importer reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// Where it was read.
    pub location: Location,
    /// `incident_id` (not unique in VCDB).
    pub incident_id: Option<String>,
    /// `plus.master_id` (not unique in VCDB either).
    pub master_id: Option<String>,
    /// `timeline.incident.year`.
    pub year: Option<i32>,
    /// `plus.sub_source`, e.g. `phidbr`.
    pub sub_source: Option<String>,
    /// Actor sections.
    pub actors: Vec<Actor>,
    /// Action sections.
    pub actions: Vec<Action>,
    /// `asset.assets[].variety` values.
    pub assets: Vec<String>,
    /// The asset was hosted, managed or owned by an external party or partner, or in an external cloud.
    pub external_asset: bool,
    /// Affected attributes.
    pub attributes: Attributes,
    /// Victims.
    pub victims: Vec<Victim>,
    /// Number of schema violations (0 for a valid record).
    pub violations: usize,
}

/// How the reader treats records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Skip records that break the schema instead of keeping them.
    pub drop_invalid: bool,
    /// Check records against the VCDB schema at all.
    pub check_schema: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            drop_invalid: false,
            check_schema: true,
        }
    }
}

/// Counts of what the reader saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReadCounts {
    /// Records found (non-blank lines, array elements, documents).
    pub records: usize,
    /// Records kept as incidents.
    pub incidents: usize,
    /// Records skipped as unreadable.
    pub unreadable: usize,
    /// Records that break the schema (kept unless `drop_invalid`).
    pub invalid: usize,
    /// Invalid records skipped because of `drop_invalid`.
    pub dropped_invalid: usize,
}

/// Everything read: incidents, problems, counts.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Incidents kept, in reading order.
    pub incidents: Vec<Incident>,
    /// Every problem, in reading order.
    pub problems: Vec<Problem>,
    /// Counts.
    pub counts: ReadCounts,
}

/// Reads VERIS records one line or one document at a time.
pub struct VerisReader {
    schema: Schema,
    options: ReadOptions,
    evidence: Evidence,
}

impl Default for VerisReader {
    fn default() -> Self {
        Self::new(ReadOptions::default())
    }
}

impl VerisReader {
    /// A reader with `options`, checking against the embedded VCDB schema.
    pub fn new(options: ReadOptions) -> Self {
        VerisReader {
            schema: Schema::vcdb(),
            options,
            evidence: Evidence::default(),
        }
    }

    /// Reads a whole JSON Lines text: one record per non-blank line.
    pub fn read_jsonl(&mut self, source: usize, bytes: &[u8]) {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            self.read_line(source, i + 1, line);
        }
    }

    /// Reads one JSON Lines line (blank lines are ignored).
    pub fn read_line(&mut self, source: usize, line: usize, bytes: &[u8]) {
        let bytes = if line == 1 {
            bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
        } else {
            bytes
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let location = Location {
            source,
            line,
            index: None,
        };
        self.evidence.counts.records += 1;
        if bytes.len() > MAX_RECORD_BYTES {
            self.unreadable(
                location,
                None,
                None,
                too_large(bytes.len(), MAX_RECORD_BYTES, "record"),
            );
            return;
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => self.read_value(location, &value),
            Err(err) => {
                let column = Some(err.column().max(1));
                self.unreadable(location, column, None, json_error(&err));
            }
        }
    }

    /// Records a line the caller refused to read because it exceeds `limit` bytes.
    pub fn oversized_line(&mut self, source: usize, line: usize, len: usize) {
        self.evidence.counts.records += 1;
        let location = Location {
            source,
            line,
            index: None,
        };
        self.unreadable(
            location,
            None,
            None,
            too_large(len, MAX_RECORD_BYTES, "record"),
        );
    }

    /// Reads one JSON document: an incident object, or an array of incident objects.
    ///
    /// A document that turns out to hold several JSON values, one per line
    /// (JSON Lines saved as `.json`), is read as JSON Lines instead.
    pub fn read_document(&mut self, source: usize, bytes: &[u8]) {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let location = Location {
            source,
            line: 1,
            index: None,
        };
        if bytes.len() > MAX_DOCUMENT_BYTES {
            self.evidence.counts.records += 1;
            self.unreadable(
                location,
                None,
                None,
                too_large(bytes.len(), MAX_DOCUMENT_BYTES, "document"),
            );
            return;
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.evidence.counts.records += 1;
                    self.read_value(
                        Location {
                            index: Some(i),
                            ..location
                        },
                        item,
                    );
                }
            }
            Ok(value) => {
                self.evidence.counts.records += 1;
                self.read_value(location, &value);
            }
            Err(err) if looks_like_json_lines(bytes, &err) => self.read_jsonl(source, bytes),
            Err(err) => {
                self.evidence.counts.records += 1;
                let location = Location {
                    line: err.line().max(1),
                    ..location
                };
                self.unreadable(location, Some(err.column().max(1)), None, json_error(&err));
            }
        }
    }

    /// Ends reading and returns what was read.
    pub fn finish(self) -> Evidence {
        self.evidence
    }

    fn unreadable(
        &mut self,
        location: Location,
        column: Option<usize>,
        path: Option<String>,
        message: String,
    ) {
        self.evidence.counts.unreadable += 1;
        self.evidence.problems.push(Problem {
            location,
            column,
            kind: ProblemKind::Unreadable,
            path,
            message,
        });
    }

    fn read_value(&mut self, location: Location, value: &Value) {
        let Some(map) = value.as_object() else {
            let message = format!("expected a VERIS incident object, found {}", kind_of(value));
            self.unreadable(location, None, None, message);
            return;
        };
        if !VERIS_KEYS.iter().any(|k| map.contains_key(*k)) {
            let message = format!(
                "not a VERIS incident: the object has none of the VERIS sections ({})",
                VERIS_KEYS.join(", ")
            );
            self.unreadable(location, None, None, message);
            return;
        }
        let raw: RawIncident = match serde_path_to_error::deserialize(value) {
            Ok(raw) => raw,
            Err(err) => {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                self.unreadable(location, None, Some(path), message);
                return;
            }
        };
        let violations: Vec<Violation> = if self.options.check_schema {
            self.schema.check(value)
        } else {
            Vec::new()
        };
        if !violations.is_empty() {
            self.evidence.counts.invalid += 1;
            for v in &violations {
                self.evidence.problems.push(Problem {
                    location,
                    column: None,
                    kind: ProblemKind::Invalid,
                    path: Some(v.path.clone()),
                    message: v.message.clone(),
                });
            }
            if self.options.drop_invalid {
                self.evidence.counts.dropped_invalid += 1;
                return;
            }
        }
        self.evidence.counts.incidents += 1;
        self.evidence
            .incidents
            .push(raw.into_incident(location, violations.len()));
    }
}

/// True when `err` stopped a document after one complete value on line 1 with
/// more values following on later lines: the shape of JSON Lines.
fn looks_like_json_lines(bytes: &[u8], err: &serde_json::Error) -> bool {
    if err.line() < 2 || !err.to_string().starts_with("trailing characters") {
        return false;
    }
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    serde_json::from_slice::<de::IgnoredAny>(first).is_ok()
}

/// Top-level keys of a VERIS incident; an object with none of them (a STIX
/// bundle, some other JSON) is not read as an incident with everything unknown.
const VERIS_KEYS: [&str; 9] = [
    "incident_id",
    "schema_version",
    "timeline",
    "victim",
    "actor",
    "action",
    "asset",
    "attribute",
    "plus",
];

fn too_large(len: usize, limit: usize, what: &str) -> String {
    format!(
        "{what} is {:.1} MiB, larger than the {} MiB limit; skipped",
        len as f64 / (1024.0 * 1024.0),
        limit / (1024 * 1024)
    )
}

fn json_error(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match err.classify() {
        Category::Eof => "truncated JSON",
        Category::Syntax => "invalid JSON",
        Category::Data => "unexpected JSON value",
        Category::Io => "unreadable input",
    };
    // serde_json appends " at line L column C"; the location is reported separately.
    let text = err.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
    format!("{what}: {text}")
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value or a list of values (`null` is an empty list).
fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    struct OneOrMany<T>(PhantomData<T>);

    impl<'de, T: DeserializeOwned> Visitor<'de> for OneOrMany<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a value or a list of values")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            Ok(vec![T::deserialize(
                de::value::MapAccessDeserializer::new(map),
            )?])
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Vec<T>, E> {
            Ok(vec![T::deserialize(de::value::StrDeserializer::<E>::new(
                s,
            ))?])
        }

        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
    }

    deserializer.deserialize_any(OneOrMany(PhantomData))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawIncident {
    incident_id: Option<String>,
    timeline: RawTimeline,
    #[serde(deserialize_with = "one_or_many")]
    victim: Vec<RawVictim>,
    actor: RawActors,
    action: RawActions,
    asset: RawAsset,
    attribute: RawAttributes,
    plus: RawPlus,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawTimeline {
    incident: RawDate,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawDate {
    year: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawVictim {
    industry: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    country: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    government: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawActors {
    external: Option<RawActor>,
    internal: Option<RawActor>,
    partner: Option<RawActor>,
    unknown: Option<de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawActor {
    #[serde(deserialize_with = "one_or_many")]
    motive: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    variety: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawActions {
    malware: Option<RawAction>,
    hacking: Option<RawAction>,
    social: Option<RawAction>,
    misuse: Option<RawAction>,
    physical: Option<RawAction>,
    error: Option<RawAction>,
    environmental: Option<RawAction>,
    unknown: Option<de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAction {
    #[serde(deserialize_with = "one_or_many")]
    variety: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    vector: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAsset {
    #[serde(deserialize_with = "one_or_many")]
    assets: Vec<RawAssetItem>,
    #[serde(deserialize_with = "one_or_many")]
    cloud: Vec<String>,
    hosting: Option<RawVarieties>,
    management: Option<RawVarieties>,
    ownership: Option<RawVarieties>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAssetItem {
    variety: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawVarieties {
    #[serde(deserialize_with = "one_or_many")]
    variety: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAttributes {
    confidentiality: Option<de::IgnoredAny>,
    integrity: Option<de::IgnoredAny>,
    availability: Option<RawVarieties>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPlus {
    master_id: Option<String>,
    sub_source: Option<String>,
}

impl RawIncident {
    fn into_incident(self, location: Location, violations: usize) -> Incident {
        let mut actors = Vec::new();
        for (role, actor) in [
            (ActorRole::External, self.actor.external),
            (ActorRole::Internal, self.actor.internal),
            (ActorRole::Partner, self.actor.partner),
        ] {
            if let Some(a) = actor {
                actors.push(Actor {
                    role,
                    motives: a.motive,
                    varieties: a.variety,
                });
            }
        }
        if self.actor.unknown.is_some() {
            actors.push(Actor {
                role: ActorRole::Unknown,
                motives: Vec::new(),
                varieties: Vec::new(),
            });
        }
        let a = self.action;
        let mut actions = Vec::new();
        for (category, action) in [
            (ActionCategory::Malware, a.malware),
            (ActionCategory::Hacking, a.hacking),
            (ActionCategory::Social, a.social),
            (ActionCategory::Misuse, a.misuse),
            (ActionCategory::Physical, a.physical),
            (ActionCategory::Error, a.error),
            (ActionCategory::Environmental, a.environmental),
        ] {
            if let Some(x) = action {
                actions.push(Action {
                    category,
                    varieties: x.variety,
                    vectors: x.vector,
                });
            }
        }
        if a.unknown.is_some() {
            actions.push(Action {
                category: ActionCategory::Unknown,
                varieties: Vec::new(),
                vectors: Vec::new(),
            });
        }
        let asset = self.asset;
        let external_of = |v: &Option<RawVarieties>| {
            v.as_ref().is_some_and(|v| {
                v.variety
                    .iter()
                    .any(|x| x.starts_with("External") || x == "Partner")
            })
        };
        let external_asset = external_of(&asset.hosting)
            || external_of(&asset.management)
            || external_of(&asset.ownership)
            || asset.cloud.iter().any(|c| c.starts_with("External"));
        let attributes = Attributes {
            confidentiality: self.attribute.confidentiality.is_some(),
            integrity: self.attribute.integrity.is_some(),
            availability: self.attribute.availability.is_some(),
            availability_varieties: self
                .attribute
                .availability
                .map(|a| a.variety)
                .unwrap_or_default(),
        };
        Incident {
            location,
            incident_id: self.incident_id,
            master_id: self.plus.master_id,
            year: self
                .timeline
                .incident
                .year
                .and_then(|y| i32::try_from(y).ok())
                .filter(|y| (1000..=9999).contains(y)),
            sub_source: self.plus.sub_source,
            actors,
            actions,
            assets: asset.assets.into_iter().filter_map(|a| a.variety).collect(),
            external_asset,
            attributes,
            victims: self
                .victim
                .into_iter()
                .map(|v| Victim {
                    industry: v.industry,
                    countries: v.country,
                    government: v.government,
                })
                .collect(),
            violations,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Evidence {
        let mut r = VerisReader::default();
        r.read_jsonl(0, text.as_bytes());
        r.finish()
    }

    #[test]
    fn strings_stand_in_for_lists_and_missing_sections_are_fine() {
        let e = read(
            r#"{"action":{"social":{"variety":"Phishing"}},"actor":{"external":{"motive":"Financial"}},"victim":[{"industry":"622110"}]}"#,
        );
        assert_eq!(e.counts.unreadable, 0, "{:?}", e.problems);
        let i = &e.incidents[0];
        assert_eq!(i.actions[0].varieties, ["Phishing"]);
        assert_eq!(i.actors[0].motives, ["Financial"]);
        assert_eq!(i.victims[0].industry.as_deref(), Some("622110"));
        assert_eq!(i.year, None);
    }

    #[test]
    fn wrong_types_are_reported_with_line_and_path() {
        let e = read("{\"plus\":{}}\n\n{\"timeline\":{\"incident\":{\"year\":\"2015\"}}}\n{}\n");
        assert_eq!(e.counts.records, 3);
        assert_eq!(e.counts.unreadable, 2);
        assert!(
            e.problems
                .last()
                .unwrap()
                .message
                .starts_with("not a VERIS incident")
        );
        let p = &e
            .problems
            .iter()
            .find(|p| p.kind == ProblemKind::Unreadable)
            .unwrap();
        assert_eq!(p.location.line, 3);
        assert_eq!(p.path.as_deref(), Some("timeline.incident.year"));
        assert!(p.message.contains("expected i64"), "{}", p.message);
    }

    #[test]
    fn truncated_and_non_object_records_are_unreadable() {
        let e = read("{\"action\":\n[1,2]\n\"text\"\n");
        assert_eq!(e.counts.records, 3);
        assert_eq!(e.counts.unreadable, 3);
        assert!(
            e.problems[0].message.starts_with("truncated JSON"),
            "{}",
            e.problems[0].message
        );
        assert!(e.problems[1].message.contains("found an array"));
    }

    #[test]
    fn json_lines_saved_as_a_json_document_are_read_as_lines() {
        let mut r = VerisReader::default();
        r.read_document(
            0,
            b"{\"incident_id\":\"a\"}\n{\"incident_id\":\"b\"}\n{oops\n",
        );
        let e = r.finish();
        assert_eq!((e.counts.records, e.counts.incidents), (3, 2));
        assert_eq!(e.incidents[1].incident_id.as_deref(), Some("b"));
        let broken = e
            .problems
            .iter()
            .find(|p| p.kind == ProblemKind::Unreadable);
        assert_eq!(broken.map(|p| p.location.line), Some(3));
        // A broken single document stays one unreadable record.
        let mut r = VerisReader::default();
        r.read_document(0, b"{\"incident_id\":\n\"a\"} x");
        let e = r.finish();
        assert_eq!((e.counts.records, e.counts.unreadable), (1, 1));
    }

    #[test]
    fn arrays_of_incidents_are_read_with_their_index() {
        let mut r = VerisReader::default();
        r.read_document(3, br#"[{"timeline":{"incident":{"year":2019}}}, 5]"#);
        let e = r.finish();
        assert_eq!(e.counts.records, 2);
        assert_eq!(e.incidents[0].year, Some(2019));
        assert_eq!(
            e.problems.last().unwrap().location,
            Location {
                source: 3,
                line: 1,
                index: Some(1)
            }
        );
    }
}
