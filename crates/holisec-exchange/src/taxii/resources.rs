//! The TAXII 2.1 resources as serde types (OASIS TAXII 2.1, sections 4 and 5).
//!
//! Optional properties are `Option`s (or empty lists) that are left out when
//! serialising: TAXII clients are strict about `null` where the spec says
//! "optional". Unknown properties are ignored when reading.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::media::TAXII_MEDIA_TYPE;
use super::timestamp::Timestamp;

/// The server's discovery resource (`GET /taxii2/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discovery {
    /// A human readable name for the server.
    pub title: String,
    /// What the server offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Contact information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The default API root (a URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The API roots (URLs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_roots: Option<Vec<String>>,
}

/// An API root resource (`GET {api-root}/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiRoot {
    /// A human readable name.
    pub title: String,
    /// What the API root offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The TAXII versions served: `["application/taxii+json;version=2.1"]`.
    pub versions: Vec<String>,
    /// The largest request body accepted, in bytes.
    pub max_content_length: u64,
}

impl ApiRoot {
    /// An API root that serves TAXII 2.1 only.
    pub fn taxii21(title: impl Into<String>, max_content_length: u64) -> Self {
        ApiRoot {
            title: title.into(),
            description: None,
            versions: vec![TAXII_MEDIA_TYPE.to_owned()],
            max_content_length,
        }
    }
}

/// A collection resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collection {
    /// The collection's id (a UUID).
    pub id: String,
    /// A human readable name.
    pub title: String,
    /// What the collection holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A human readable alternative to the id in URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Whether the requester may read objects.
    pub can_read: bool,
    /// Whether the requester may add objects.
    pub can_write: bool,
    /// The media types of the objects (`application/stix+json;version=2.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_types: Option<Vec<String>>,
}

/// The collections resource (`GET {api-root}/collections/`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Collections {
    /// The collections the requester can see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collections: Option<Vec<Collection>>,
}

/// The envelope resource: a page of objects (`GET .../objects/`), also the body of a POST.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Whether more objects are available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more: Option<bool>,
    /// The `next` value for the following page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The STIX objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<Vec<Value>>,
}

/// One object of a manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestRecord {
    /// The object's id.
    pub id: String,
    /// When the server added this version.
    pub date_added: Timestamp,
    /// The version (its `modified`, else `created`, else `date_added`).
    pub version: Timestamp,
    /// Its media type (`application/stix+json;version=2.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// The manifest resource (`GET .../manifest/`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Whether more records are available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more: Option<bool>,
    /// The records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<Vec<ManifestRecord>>,
}

/// The versions resource (`GET .../objects/{id}/versions/`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Versions {
    /// Whether more versions are available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more: Option<bool>,
    /// The versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<Timestamp>>,
}

/// Whether a POST has been fully processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusKind {
    /// Every object has been processed.
    Complete,
    /// Some objects are still being processed.
    Pending,
}

/// The outcome for one object of a POST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusDetails {
    /// The object's id.
    pub id: String,
    /// The object's version.
    pub version: String,
    /// Why (for failures) or a note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The status resource of a POST (`GET {api-root}/status/{id}/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The status id.
    pub id: String,
    /// `complete` or `pending`.
    pub status: StatusKind,
    /// When the POST was received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_timestamp: Option<Timestamp>,
    /// How many objects the POST held.
    pub total_count: u64,
    /// How many were added.
    pub success_count: u64,
    /// The added ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successes: Option<Vec<StatusDetails>>,
    /// How many were refused.
    pub failure_count: u64,
    /// The refused ones, with the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<Vec<StatusDetails>>,
    /// How many are still being processed.
    pub pending_count: u64,
    /// The ones still being processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pendings: Option<Vec<StatusDetails>>,
}

/// The error message resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxiiError {
    /// A short human readable summary.
    pub title: String,
    /// A longer human readable explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An identifier for this particular occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// An identifier for this kind of error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The HTTP status code, as a string (e.g. `"406"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<String>,
    /// A URL with more details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_details: Option<String>,
    /// Further details, property by property.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<BTreeMap<String, Value>>,
}

impl TaxiiError {
    /// An error resource with a title, a description and the HTTP status.
    pub fn new(http_status: u16, title: impl Into<String>, description: impl Into<String>) -> Self {
        TaxiiError {
            title: title.into(),
            description: Some(description.into()),
            error_id: None,
            error_code: None,
            http_status: Some(http_status.to_string()),
            external_details: None,
            details: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn none_fields_are_left_out() {
        let root = ApiRoot::taxii21("holisec", 1_048_576);
        assert_eq!(
            serde_json::to_value(&root).unwrap(),
            json!({"title": "holisec", "versions": ["application/taxii+json;version=2.1"], "max_content_length": 1_048_576})
        );
        assert_eq!(
            serde_json::to_value(Envelope::default()).unwrap(),
            json!({})
        );
        let e = TaxiiError::new(406, "Not Acceptable", "send TAXII 2.1");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"title": "Not Acceptable", "description": "send TAXII 2.1", "http_status": "406"})
        );
    }

    #[test]
    fn reads_the_spec_examples() {
        let discovery: Discovery = serde_json::from_value(json!({
            "title": "Some TAXII Server",
            "description": "This TAXII Server contains a listing of",
            "contact": "string containing contact information",
            "default": "https://example.com/api2/",
            "api_roots": ["https://example.com/api1/", "https://example.com/api2/"]
        }))
        .unwrap();
        assert_eq!(discovery.api_roots.unwrap().len(), 2);
        let status: Status = serde_json::from_value(json!({
            "id": "2d086da7-4bdc-4f91-900e-d77486753710",
            "status": "pending",
            "request_timestamp": "2016-11-02T12:34:34.123456Z",
            "total_count": 4, "success_count": 1,
            "successes": [{"id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf", "version": "2018-05-27T12:02:41.312Z"}],
            "failure_count": 1,
            "failures": [{"id": "malware--664fa29d-bf65-4f28-a667-bdb76f29ec98", "version": "2018-05-28T14:03:42.543Z", "message": "Unable to process object"}],
            "pending_count": 2
        }))
        .unwrap();
        assert_eq!(status.status, StatusKind::Pending);
        assert_eq!(
            status.request_timestamp.unwrap().to_rfc3339(),
            "2016-11-02T12:34:34.123456Z"
        );
        let manifest: Manifest = serde_json::from_value(json!({"more": false, "objects": [{
            "id": "indicator--29aba82c-5393-42a8-9edb-6a2cb1df070b",
            "date_added": "2016-11-01T03:04:05Z", "version": "2016-11-03T12:30:59.000Z",
            "media_type": "application/stix+json;version=2.1"}]}))
        .unwrap();
        assert_eq!(
            serde_json::to_value(&manifest).unwrap()["objects"][0]["date_added"],
            "2016-11-01T03:04:05.000Z"
        );
    }
}
