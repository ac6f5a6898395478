//! The body of a TAXII 2.1 POST of objects (`POST .../collections/{id}/objects/`).
//!
//! TAXII 2.1 POSTs an envelope, `{"objects": [...]}` (what `taxii2-client`
//! sends); a STIX bundle (`{"type": "bundle", "objects": [...]}`) is accepted
//! too. [`intake`] refuses the whole body only when it is not JSON (with line
//! and column), not an envelope or bundle, or holds more than `max_objects`
//! objects; otherwise every object is accepted or refused on its own, with a
//! message, which is what the Status resource reports ([`Intake::status`]).
//!
//! An object is accepted when it is a JSON object with a string `type`, an
//! `id` of the form `{type}--{UUID}`, `spec_version` `2.1`, and (unless it is
//! a STIX cyber-observable, whose `spec_version` may also be left out) a
//! valid `created` and, if present, `modified` (RFC 3339 in UTC with `Z`,
//! `modified` not before `created`). Its version is `modified`, else
//! `created`; cyber-observables have none (the server uses `date_added`).

use serde_json::Value;

use super::resources::{Status, StatusDetails, StatusKind};
use super::timestamp::{Timestamp, clip};

/// The STIX 2.1 cyber-observable types (section 6), which have no `created`/`modified`.
pub const SCO_TYPES: [&str; 18] = [
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

/// An accepted object.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// Its position in `objects`.
    pub index: usize,
    /// Its id.
    pub id: String,
    /// Its type.
    pub stix_type: String,
    /// Its spec version (`2.1`).
    pub spec_version: String,
    /// `modified`, else `created`; `None` for cyber-observables.
    pub version: Option<Timestamp>,
    /// The object.
    pub json: Value,
}

/// A refused object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Its position in `objects`.
    pub index: usize,
    /// Its id, when it has a string one.
    pub id: Option<String>,
    /// Its `modified` or `created` as written, when it has one.
    pub version: Option<String>,
    /// Why.
    pub message: String,
}

/// The outcome of a POST body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Intake {
    /// The accepted objects, in body order.
    pub accepted: Vec<Accepted>,
    /// The refused objects, in body order.
    pub refused: Vec<Refused>,
}

/// A POST body refused whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// Not JSON.
    #[error("the body is not valid JSON: {message}")]
    Json {
        /// Line of the error (1-based).
        line: usize,
        /// Column of the error (1-based).
        column: usize,
        /// serde_json's message (with the position).
        message: String,
    },
    /// JSON, but not an envelope or a bundle.
    #[error(
        "the body must be a TAXII envelope {{\"objects\": [...]}} or a STIX bundle \
         {{\"type\": \"bundle\", \"objects\": [...]}}; {found}"
    )]
    NotAnEnvelope {
        /// What it is instead.
        found: String,
    },
    /// More objects than the server takes in one request.
    #[error(
        "the body holds {count} objects, more than the {max} this server takes in one request; send them in smaller envelopes"
    )]
    TooManyObjects {
        /// How many objects the body holds.
        count: usize,
        /// The most allowed.
        max: usize,
    },
}

fn not_envelope(found: impl Into<String>) -> IntakeError {
    IntakeError::NotAnEnvelope {
        found: found.into(),
    }
}

/// The `objects` of an envelope or bundle.
fn objects_of(body: &Value) -> Result<&[Value], IntakeError> {
    let Some(map) = body.as_object() else {
        return Err(not_envelope("it is not a JSON object"));
    };
    match map.get("type") {
        None => {}
        Some(Value::String(t)) if t == "bundle" => {}
        Some(t) => {
            return Err(not_envelope(format!(
                "it has `type` {} (a single STIX object? wrap it in {{\"objects\": [...]}})",
                clip(&t.to_string())
            )));
        }
    }
    match map.get("objects") {
        None => Ok(&[]),
        Some(Value::Array(objects)) => Ok(objects),
        Some(_) => Err(not_envelope("its `objects` is not a list")),
    }
}

/// Parses a POST body; see the module documentation.
pub fn intake(body: &[u8], max_objects: usize) -> Result<Intake, IntakeError> {
    let body: Value = serde_json::from_slice(body).map_err(|e| IntakeError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let objects = objects_of(&body)?;
    if objects.len() > max_objects {
        return Err(IntakeError::TooManyObjects {
            count: objects.len(),
            max: max_objects,
        });
    }
    let mut intake = Intake::default();
    for (index, object) in objects.iter().enumerate() {
        match check(index, object) {
            Ok(accepted) => intake.accepted.push(accepted),
            Err(refused) => intake.refused.push(refused),
        }
    }
    Ok(intake)
}

/// A STIX timestamp property of `object`: absent, valid, or the reason it is not.
fn timestamp(object: &Value, name: &str) -> Result<Option<Timestamp>, String> {
    match object.get(name) {
        None => Ok(None),
        Some(Value::String(text)) => Timestamp::parse_stix(text)
            .map(Some)
            .map_err(|e| format!("`{name}`: {e}")),
        Some(_) => Err(format!("`{name}` is not a string")),
    }
}

fn id_ok(id: &str, stix_type: &str) -> bool {
    id.strip_prefix(stix_type)
        .and_then(|rest| rest.strip_prefix("--"))
        .is_some_and(|uuid| uuid::Uuid::try_parse(uuid).is_ok())
}

/// Accepts or refuses one object.
fn check(index: usize, object: &Value) -> Result<Accepted, Refused> {
    let text = |name: &str| object.get(name).and_then(Value::as_str);
    let id = text("id");
    let refuse = |message: String| Refused {
        index,
        id: id.map(clip),
        version: text("modified").or(text("created")).map(clip),
        message: format!("objects[{index}]: {message}"),
    };
    if !object.is_object() {
        return Err(refuse("is not a JSON object".into()));
    }
    let stix_type = text("type").ok_or_else(|| refuse("has no string `type`".into()))?;
    let id = id.ok_or_else(|| refuse("has no string `id`".into()))?;
    if !id_ok(id, stix_type) {
        return Err(refuse(format!(
            "the id `{}` is not `{}--` followed by a UUID",
            clip(id),
            clip(stix_type)
        )));
    }
    let sco = SCO_TYPES.contains(&stix_type);
    let spec_version = match text("spec_version") {
        Some("2.1") => "2.1",
        None if sco => "2.1",
        None => {
            return Err(refuse(
                "has no `spec_version` (STIX 2.1 objects carry \"2.1\")".into(),
            ));
        }
        Some(other) => {
            return Err(refuse(format!(
                "`spec_version` is `{}`; only STIX 2.1 is taken",
                clip(other)
            )));
        }
    };
    let version = if sco {
        None
    } else {
        Some(version_of(object).map_err(refuse)?)
    };
    Ok(Accepted {
        index,
        id: id.to_owned(),
        stix_type: stix_type.to_owned(),
        spec_version: spec_version.to_owned(),
        version,
        json: object.clone(),
    })
}

/// `modified`, else `created`, of a non-observable; both valid, `created` required.
fn version_of(object: &Value) -> Result<Timestamp, String> {
    let created = timestamp(object, "created")?.ok_or_else(|| {
        "has no `created` (every STIX 2.1 object but cyber-observables has one)".to_owned()
    })?;
    match timestamp(object, "modified")? {
        Some(modified) if modified < created => Err("`modified` is before `created`".into()),
        Some(modified) => Ok(modified),
        None => Ok(created),
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Intake {
    /// How many objects the body held.
    pub fn total(&self) -> usize {
        self.accepted.len() + self.refused.len()
    }

    /// The Status resource of this POST once the accepted objects are stored
    /// (`complete`; cyber-observables' version is `date_added`). A refused
    /// object without a string id is named `objects[i]`.
    pub fn status(
        &self,
        status_id: &str,
        request_timestamp: Timestamp,
        date_added: Timestamp,
    ) -> Status {
        let successes: Vec<StatusDetails> = self
            .accepted
            .iter()
            .map(|a| StatusDetails {
                id: a.id.clone(),
                version: a.version.unwrap_or(date_added).to_rfc3339(),
                message: None,
            })
            .collect();
        let failures: Vec<StatusDetails> = self
            .refused
            .iter()
            .map(|r| StatusDetails {
                id: r
                    .id
                    .clone()
                    .unwrap_or_else(|| format!("objects[{}]", r.index)),
                version: r.version.clone().unwrap_or_default(),
                message: Some(r.message.clone()),
            })
            .collect();
        Status {
            id: status_id.to_owned(),
            status: StatusKind::Complete,
            request_timestamp: Some(request_timestamp),
            total_count: count(self.total()),
            success_count: count(successes.len()),
            successes: (!successes.is_empty()).then_some(successes),
            failure_count: count(failures.len()),
            failures: (!failures.is_empty()).then_some(failures),
            pending_count: 0,
            pendings: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const INDICATOR: &str = r#"{"type": "indicator", "spec_version": "2.1",
        "id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf",
        "created": "2018-05-27T12:02:41.312Z", "modified": "2018-05-27T12:02:41.312Z",
        "name": "Malicious site hosting downloader", "pattern_type": "stix",
        "pattern": "[url:value = 'http://x4z9arb.cn/4712']", "valid_from": "2018-05-27T12:02:41.312Z"}"#;

    #[test]
    fn takes_envelopes_and_bundles() {
        let envelope = format!(r#"{{"objects": [{INDICATOR}]}}"#);
        let i = intake(envelope.as_bytes(), 10).unwrap();
        assert_eq!(i.accepted.len(), 1);
        assert_eq!(
            i.accepted[0].version.map(Timestamp::to_rfc3339).as_deref(),
            Some("2018-05-27T12:02:41.312Z")
        );
        let bundle = format!(
            r#"{{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [{INDICATOR},
               {{"type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "value": "198.51.100.3"}}]}}"#
        );
        let i = intake(bundle.as_bytes(), 10).unwrap();
        assert_eq!((i.accepted.len(), i.refused.len()), (2, 0));
        assert_eq!(i.accepted[1].version, None);
        assert_eq!(intake(b"{}", 10).unwrap(), Intake::default());
    }

    #[test]
    fn refuses_broken_objects_one_by_one() {
        let body = json!({"objects": [
            serde_json::from_str::<Value>(INDICATOR).unwrap(),
            {"type": "indicator", "spec_version": "2.1", "created": "2018-05-27T12:02:41.312Z"},
            {"id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf", "spec_version": "2.1"},
            {"type": "indicator", "id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf", "created": "2018-05-27T12:02:41.312Z"},
            {"type": "indicator", "id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf", "spec_version": "2.0", "created": "2018-05-27T12:02:41.312Z"},
            {"type": "indicator", "id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf", "spec_version": "2.1", "created": "yesterday"},
            {"type": "indicator", "id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf", "spec_version": "2.1"},
            {"type": "indicator", "id": "malware--c410e480-e42b-47d1-9476-85307c12bcbf", "spec_version": "2.1", "created": "2018-05-27T12:02:41.312Z"},
            {"type": "indicator", "id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf", "spec_version": "2.1",
             "created": "2018-05-27T12:02:41.312Z", "modified": "2017-01-01T00:00:00Z"},
            {"type": "indicator", "id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf", "spec_version": "2.1", "created": "2018-05-27T12:02:41+00:00"},
            42
        ]});
        let i = intake(body.to_string().as_bytes(), 100).unwrap();
        assert_eq!(i.accepted.len(), 1);
        let messages: Vec<&str> = i.refused.iter().map(|r| r.message.as_str()).collect();
        let expected = [
            "objects[1]: has no string `id`",
            "objects[2]: has no string `type`",
            "objects[3]: has no `spec_version`",
            "objects[4]: `spec_version` is `2.0`",
            "objects[5]: `created`: `yesterday` is not an RFC 3339 timestamp",
            "objects[6]: has no `created`",
            "objects[7]: the id `malware--",
            "objects[8]: `modified` is before `created`",
            "objects[9]: `created`: `2018-05-27T12:02:41+00:00`",
            "objects[10]: is not a JSON object",
        ];
        assert_eq!(messages.len(), expected.len(), "{messages:#?}");
        for (m, e) in messages.iter().zip(expected) {
            assert!(m.starts_with(e), "{m} does not start with {e}");
        }
        let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let status = serde_json::to_value(i.status("s1", t, t)).unwrap();
        assert_eq!(status["total_count"], 11);
        assert_eq!(status["success_count"], 1);
        assert_eq!(status["failure_count"], 10);
        assert_eq!(status["pending_count"], 0);
        assert_eq!(status["status"], "complete");
        assert_eq!(status["failures"][0]["id"], "objects[1]");
        assert_eq!(status["failures"][9]["id"], "objects[10]");
        assert_eq!(status["request_timestamp"], "2026-01-01T00:00:00.000Z");
    }

    #[test]
    fn refuses_whole_bodies() {
        let e = intake(b"{\"objects\": [\n  {\"type\": }\n]}", 10).unwrap_err();
        assert!(matches!(e, IntakeError::Json { line: 2, .. }), "{e:?}");
        assert!(e.to_string().contains("line 2"), "{e}");
        let many = json!({"objects": [{}, {}, {}]}).to_string();
        let e = intake(many.as_bytes(), 2).unwrap_err();
        assert_eq!(e, IntakeError::TooManyObjects { count: 3, max: 2 });
        assert!(e.to_string().contains("3 objects, more than the 2"), "{e}");
        for body in ["[]", "\"objects\"", r#"{"objects": {}}"#, INDICATOR] {
            let e = intake(body.as_bytes(), 10).unwrap_err();
            assert!(
                matches!(e, IntakeError::NotAnEnvelope { .. }),
                "{body}: {e:?}"
            );
        }
        assert!(intake(b"", 10).is_err());
        assert!(intake(&[0xff, 0xfe], 10).is_err());
    }
}
