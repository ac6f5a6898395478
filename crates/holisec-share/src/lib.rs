//! Sharing between stakeholders (issue 13): the rules `holisec serve` applies
//! when one organisation's information reaches another.
//!
//! * [`org`]: [`OrgProfile`], what the rules know about an organisation (its
//!   stakeholder kind, country, suppliers, agency, benchmark opt-in), and the
//!   checked ISO 3166-1 country code.
//! * [`tlp`]: the Traffic Light Protocol 2.0 labels and who may see a report
//!   under each ([`tlp::may_see`]), with the reason in words for the audit log.
//! * [`alerts`]: who receives an alert about a supplier, a vulnerability
//!   factor or an incident, each recipient with the chain of the model's
//!   relations that explains why.
//! * [`peers`]: anonymous peer benchmarks of domain scores, suppressed below
//!   k contributors.
//! * [`kinds`]: what the model says about a pair of stakeholder kinds (the
//!   relations the other modules follow).
//!
//! Everything here is pure: no I/O, no database, no clock. The server loads
//! the organisations and the model and hands them in. The rules in words are
//! in `docs/sharing.md`.
//!
//! ```
//! use holisec_model::StakeholderKind;
//! use holisec_share::{OrgProfile, Tlp, tlp::may_see};
//!
//! let eco = holisec_model::builtin::europe().ecosystem.expect("the built-in model is valid");
//! let hospital = OrgProfile::new(1, StakeholderKind::HealthcareOrganisation);
//! let insurer = OrgProfile::new(2, StakeholderKind::InsuranceGroup);
//! assert!(may_see(&hospital, Tlp::Green, Some(&insurer), &eco).allowed);
//! assert!(!may_see(&hospital, Tlp::Red, Some(&insurer), &eco).allowed);
//! ```

pub mod alerts;
pub mod kinds;
pub mod org;
pub mod peers;
pub mod tlp;

pub use alerts::{AlertError, Directory, Priority, Recipient, Subject, recipients};
pub use org::{CountryError, OrgId, OrgProfile, SizeBand, parse_country};
pub use peers::{
    K_MIN, KAnonymity, PeerBenchmark, PeerError, PeerQuery, PeerScores, Scope, benchmark,
};
pub use tlp::{Decision, Tlp};
