//! The protocol core of TAXII 2.1 (OASIS TAXII Version 2.1), without I/O or
//! an HTTP framework, so that a server's handlers stay thin glue:
//!
//! * [`media`]: the media types, `Accept` negotiation (406) and the
//!   `Content-Type` check of POSTs (415).
//! * [`resources`]: discovery, API root, collection(s), envelope, manifest,
//!   versions, status and error resources as serde types.
//! * [`timestamp`]: RFC 3339 UTC timestamps with at least millisecond
//!   precision, for `date_added` and the `X-TAXII-Date-Added-*` headers.
//! * [`query`]: the query string (`added_after`, `limit`, `next`, `match[...]`).
//! * [`page`](mod@page): filtering and pagination with a `next` token bound to the
//!   filters and positioned by (`date_added`, insertion sequence).
//! * [`tlp`]: TLP 2.0 marking definitions (the OASIS extension) and reading an
//!   object's TLP level.
//! * [`intake`](mod@intake): the body of a POST, object by object, for the status resource.
//!
//! Design notes and the interoperability checklist: `docs/taxii.md`.

pub mod intake;
pub mod media;
pub mod page;
pub mod query;
pub mod resources;
pub mod timestamp;
pub mod tlp;

pub use intake::{Intake, IntakeError, intake};
pub use media::{
    Kind, NotAcceptable, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE, UnsupportedMediaType, content_type_ok,
    negotiate,
};
pub use page::{NextError, Page, StoredObject, page};
pub use query::{Query, QueryError, VersionMatch};
pub use resources::{
    ApiRoot, Collection, Collections, Discovery, Envelope, Manifest, ManifestRecord, Status,
    StatusDetails, StatusKind, TaxiiError, Versions,
};
pub use timestamp::{Timestamp, TimestampError};
pub use tlp::{TlpLevel, TlpMarkingError, read_tlp2, tlp2_marking_definition, tlp2_marking_ref};

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Pieces of real query strings, so that the generator reaches past the first `&`.
    fn query_piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("match[type]=indicator,report".to_owned()),
            Just("match%5Bid%5D=indicator--a".to_owned()),
            Just("match[version]=all".to_owned()),
            Just("match[version]=first,last".to_owned()),
            Just("match[spec_version]=2.1".to_owned()),
            Just("added_after=2026-02-01T00:00:00Z".to_owned()),
            (0_usize..5).prop_map(|n| format!("limit={n}")),
            "[a-z%\\[\\]=,&+.:0-9-]{0,24}",
            any::<String>(),
        ]
    }

    /// Pieces of POST bodies: valid, broken and odd objects.
    fn body_object() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(r#"{"type":"indicator","spec_version":"2.1","id":"indicator--c410e480-e42b-47d1-9476-85307c12bcbf","created":"2018-05-27T12:02:41.312Z"}"#.to_owned()),
            Just(r#"{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"}"#.to_owned()),
            Just(r#"{"type":"x","id":"x--1","created":"2018-05-27T12:02:41Z","modified":1}"#.to_owned()),
            Just("null".to_owned()),
            Just("[[[]]]".to_owned()),
            "\\{\"[a-z_]{1,12}\": \"[ -~]{0,20}\"\\}",
        ]
    }

    proptest! {
        #[test]
        fn query_parse_never_panics(raw in any::<String>()) {
            let _ = super::Query::parse(&raw);
        }

        #[test]
        fn structured_queries_page_consistently(pieces in proptest::collection::vec(query_piece(), 0..6)) {
            crate::fuzz::taxii_query(pieces.join("&").as_bytes());
        }

        #[test]
        fn intake_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            crate::fuzz::taxii_intake(&bytes);
        }

        #[test]
        fn structured_bodies_are_counted_exactly(
            objects in proptest::collection::vec(body_object(), 0..8),
            bundle in any::<bool>(),
            cut in 0_usize..400,
        ) {
            let head = if bundle { r#"{"type":"bundle","objects":["# } else { r#"{"objects":["# };
            let body = format!("{head}{}]}}", objects.join(","));
            crate::fuzz::taxii_intake(body.as_bytes());
            let truncated = body.as_bytes().get(..cut).unwrap_or(body.as_bytes());
            crate::fuzz::taxii_intake(truncated);
        }
    }
}
