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
//! * [`page`]: filtering and pagination with a `next` token bound to the
//!   filters and positioned by (`date_added`, insertion sequence).
//! * [`tlp`]: TLP 2.0 marking definitions (the OASIS extension) and reading an
//!   object's TLP level.
//! * [`intake`]: the body of a POST, object by object, for the status resource.
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
