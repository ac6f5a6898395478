//! Traffic Light Protocol 2.0 (FIRST, 2022): labels and audiences.
//!
//! A report carries one [`Tlp`] label chosen by its owner. [`may_see`]
//! decides whether a viewer may read it and says why, in words the server
//! writes to the audit log. The audiences, from the narrowest:
//!
//! | label | who may see it |
//! |---|---|
//! | `TLP:RED` | the owner only |
//! | `TLP:AMBER+STRICT` | the owner and its agency (CSIRT) |
//! | `TLP:AMBER` | the above, its suppliers, its clients (when the owner is a supplier) and organisations of a stakeholder kind the model joins to the owner's kind by a first-level relation |
//! | `TLP:GREEN` | every logged-in organisation of the community |
//! | `TLP:CLEAR` | anyone, even anonymous |
//!
//! "Its agency" is the agency-institution organisation the owner names
//! (`shares_with_agency`, which may be in another country), or any
//! agency-institution organisation of the owner's country.
//!
//! The related-kind rule reads the model through [`crate::kinds`]: in the
//! built-in model an insurer sees a hospital's AMBER reports (`funds` and
//! `insures`, first level) but another hospital does not (no relation between two
//! hospitals). It applies across countries, as the model's relations do.
//!
//! Labels only get changed by the report's owner ([`may_change_tlp`]): nobody
//! can raise or lower the label of someone else's report.

use std::fmt;
use std::str::FromStr;

use holisec_model::{Ecosystem, RelationLevel};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::kinds::strongest_between;
use crate::org::OrgProfile;

/// A TLP 2.0 label, ordered from the widest audience to the narrowest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Tlp {
    /// `TLP:CLEAR`: no limit on disclosure.
    Clear,
    /// `TLP:GREEN`: the community.
    Green,
    /// `TLP:AMBER`: the organisation and the ones it works with.
    Amber,
    /// `TLP:AMBER+STRICT`: the organisation (and here its agency) only.
    AmberStrict,
    /// `TLP:RED`: the named recipients only (here the owner).
    Red,
}

impl Tlp {
    /// Every label, from the widest audience to the narrowest.
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The exact TLP 2.0 label, e.g. `TLP:AMBER+STRICT`.
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl From<Tlp> for &'static str {
    fn from(tlp: Tlp) -> Self {
        tlp.label()
    }
}

/// An unknown TLP label.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown TLP label `{found}`: expected TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED (the `TLP:` prefix and the case are optional){}",
    if *.tlp1_white { "; TLP 1.0's WHITE is called CLEAR in TLP 2.0" } else { "" }
)]
pub struct TlpError {
    /// The text given.
    pub found: String,
    /// The text was TLP 1.0's `WHITE`, renamed `CLEAR` in 2.0.
    pub tlp1_white: bool,
}

impl FromStr for Tlp {
    type Err = TlpError;

    /// Accepts the exact labels and, for people typing them, any case and no `TLP:` prefix.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let upper = text.trim().to_ascii_uppercase();
        let bare = upper.strip_prefix("TLP:").unwrap_or(&upper);
        Tlp::ALL
            .into_iter()
            .find(|tlp| tlp.label().strip_prefix("TLP:") == Some(bare))
            .ok_or_else(|| TlpError {
                found: text.to_owned(),
                tlp1_white: bare == "WHITE",
            })
    }
}

impl TryFrom<String> for Tlp {
    type Error = TlpError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

/// On what grounds a viewer may, or may not, see a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grounds {
    /// The viewer owns the report.
    Owner,
    /// The viewer is the owner's agency (named, or of the same country).
    Agency,
    /// The viewer is one of the owner's suppliers.
    Supplier,
    /// The owner is one of the viewer's suppliers.
    Client,
    /// The model joins the two kinds by a first-level relation.
    RelatedKind,
    /// The viewer is a logged-in organisation of the community.
    Community,
    /// Anyone may see it.
    Public,
    /// The viewer is outside the label's audience.
    OutsideAudience,
    /// The actor does not own the report.
    NotOwner,
}

/// A yes or no with its reason, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Yes or no.
    pub allowed: bool,
    /// The rule that decided.
    pub grounds: Grounds,
    /// The reason in words.
    pub reason: String,
}

impl Decision {
    fn allow(grounds: Grounds, reason: String) -> Self {
        Decision {
            allowed: true,
            grounds,
            reason,
        }
    }

    fn deny(grounds: Grounds, reason: String) -> Self {
        Decision {
            allowed: false,
            grounds,
            reason,
        }
    }
}

/// "organisation 7 (insurance-group, FR)".
fn name(org: &OrgProfile) -> String {
    match &org.country {
        Some(country) => format!("organisation {} ({}, {country})", org.id, org.kind),
        None => format!("organisation {} ({})", org.id, org.kind),
    }
}

/// May `viewer` (`None`: not logged in) see a report of `owner` labelled `tlp`?
pub fn may_see(
    owner: &OrgProfile,
    tlp: Tlp,
    viewer: Option<&OrgProfile>,
    model: &Ecosystem,
) -> Decision {
    let Some(viewer) = viewer else {
        return if tlp == Tlp::Clear {
            Decision::allow(
                Grounds::Public,
                format!("{tlp} may be seen by anyone, even without logging in"),
            )
        } else {
            Decision::deny(
                Grounds::OutsideAudience,
                format!(
                    "{tlp} is for logged-in organisations only; an anonymous visitor sees TLP:CLEAR only"
                ),
            )
        };
    };
    if viewer.id == owner.id {
        return Decision::allow(Grounds::Owner, format!("{} owns the report", name(viewer)));
    }
    let (viewer_name, owner_name) = (name(viewer), name(owner));
    match tlp {
        Tlp::Clear => Decision::allow(Grounds::Public, format!("{tlp} may be seen by anyone")),
        Tlp::Green => Decision::allow(
            Grounds::Community,
            format!(
                "{tlp} may be seen by every organisation of the community, and {viewer_name} is logged in"
            ),
        ),
        Tlp::Red => Decision::deny(
            Grounds::OutsideAudience,
            format!("{tlp} is for the owner only; {viewer_name} is not {owner_name}"),
        ),
        Tlp::AmberStrict => match agency_reason(owner, viewer) {
            Some(reason) => Decision::allow(Grounds::Agency, reason),
            None => Decision::deny(
                Grounds::OutsideAudience,
                format!(
                    "{tlp} is for the owner and its agency only; {viewer_name} is not the agency of {owner_name}"
                ),
            ),
        },
        Tlp::Amber => amber(owner, viewer, model),
    }
}

/// Why `viewer` is `owner`'s agency, if it is.
fn agency_reason(owner: &OrgProfile, viewer: &OrgProfile) -> Option<String> {
    let (viewer_name, owner_name) = (name(viewer), name(owner));
    if owner.shares_with_agency == Some(viewer.id) {
        Some(format!(
            "{owner_name} names {viewer_name} as the agency it shares with"
        ))
    } else if owner.has_agency(viewer) {
        Some(format!(
            "{viewer_name} is a national agency of the owner's country ({owner_name})"
        ))
    } else {
        None
    }
}

/// The TLP:AMBER audience: the owner's agency, suppliers, clients and related kinds.
fn amber(owner: &OrgProfile, viewer: &OrgProfile, model: &Ecosystem) -> Decision {
    let (viewer_name, owner_name) = (name(viewer), name(owner));
    if let Some(reason) = agency_reason(owner, viewer) {
        return Decision::allow(Grounds::Agency, reason);
    }
    if owner.uses_supplier(viewer.id) {
        return Decision::allow(
            Grounds::Supplier,
            format!("{viewer_name} is a supplier of {owner_name}"),
        );
    }
    if viewer.uses_supplier(owner.id) {
        return Decision::allow(
            Grounds::Client,
            format!("{viewer_name} is a client of the supplier {owner_name}"),
        );
    }
    // The model's relations join kinds, not organisations: bounded to the
    // owner's country, so AMBER reaches the insurers and agencies that deal
    // with the owner, not every insurer of the community.
    if let Some(relation) = strongest_between(model, owner.kind, viewer.kind, RelationLevel::First)
        .filter(|_| owner.same_country(viewer))
    {
        return Decision::allow(
            Grounds::RelatedKind,
            format!(
                "{} joins {viewer_name} to {owner_name}",
                relation.describe()
            ),
        );
    }
    Decision::deny(
        Grounds::OutsideAudience,
        format!(
            "TLP:AMBER is for the owner, its agency, suppliers, clients and the organisations of its country whose kinds the model relates to `{}` at the first level; {viewer_name} is none of these",
            owner.kind
        ),
    )
}

/// May `actor` change the label of `owner`'s report from `from` to `to`?
///
/// Only the owner may, in either direction: nobody else can raise the label
/// (hiding the report from its audience) or lower it (disclosing it).
pub fn may_change_tlp(owner: &OrgProfile, actor: &OrgProfile, from: Tlp, to: Tlp) -> Decision {
    if actor.id == owner.id {
        Decision::allow(
            Grounds::Owner,
            format!(
                "{} owns the report and may change its label from {from} to {to}",
                name(actor)
            ),
        )
    } else {
        Decision::deny(
            Grounds::NotOwner,
            format!(
                "only {} may change the label of its report; {} may not change it from {from} to {to}",
                name(owner),
                name(actor)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use holisec_model::StakeholderKind as K;

    fn eco() -> Ecosystem {
        holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model is valid")
    }

    #[test]
    fn labels_round_trip_and_lower_case_is_accepted() {
        for tlp in Tlp::ALL {
            assert_eq!(tlp.label().parse(), Ok(tlp));
            assert_eq!(tlp.to_string(), tlp.label());
            let json = serde_json::to_string(&tlp).expect("serialises");
            assert_eq!(json, format!("\"{}\"", tlp.label()));
            assert_eq!(
                serde_json::from_str::<Tlp>(&json).expect("deserialises"),
                tlp
            );
        }
        assert_eq!("clear".parse(), Ok(Tlp::Clear));
        assert_eq!("amber+strict".parse(), Ok(Tlp::AmberStrict));
        assert_eq!("tlp:amber+strict".parse(), Ok(Tlp::AmberStrict));
        assert_eq!(" Red ".parse(), Ok(Tlp::Red));
        assert_eq!(
            serde_json::from_str::<Tlp>("\"green\"").ok(),
            Some(Tlp::Green)
        );
    }

    #[test]
    fn unknown_labels_say_what_was_expected() {
        for bad in [
            "",
            "TLP:",
            "AMBER STRICT",
            "TLP:AMBER+",
            "purple",
            "TLP:CLEAR:",
        ] {
            let err = bad.parse::<Tlp>().expect_err(bad);
            assert!(
                err.to_string().contains("expected TLP:CLEAR, TLP:GREEN"),
                "{err}"
            );
        }
        let err = "TLP:WHITE".parse::<Tlp>().expect_err("TLP 1.0");
        assert!(err.to_string().contains("called CLEAR in TLP 2.0"), "{err}");
        assert!(serde_json::from_str::<Tlp>("\"white\"").is_err());
    }

    #[test]
    fn labels_are_ordered_by_audience() {
        assert!(Tlp::Clear < Tlp::Green && Tlp::Green < Tlp::Amber);
        assert!(Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red);
    }

    /// One viewer relation of the matrix: the report's owner, the viewer, and
    /// whether it may see CLEAR, GREEN, AMBER, AMBER+STRICT, RED.
    struct Row {
        relation: &'static str,
        owner: OrgProfile,
        viewer: Option<OrgProfile>,
        sees: [bool; 5],
        amber_grounds: Grounds,
    }

    fn matrix() -> Vec<Row> {
        let hospital = OrgProfile {
            suppliers: vec![4],
            ..OrgProfile::new(1, K::HealthcareOrganisation).in_country("FR")
        };
        // A supplier whose client is of a kind the model does not relate to
        // solution providers, so the client rule is tested alone.
        let supplier = OrgProfile::new(4, K::SolutionProvider).in_country("DE");
        let client = OrgProfile {
            suppliers: vec![4],
            ..OrgProfile::new(8, K::UmbrellaOrganisation).in_country("FR")
        };
        let row =
            |relation, owner: &OrgProfile, viewer: Option<OrgProfile>, sees, amber_grounds| Row {
                relation,
                owner: owner.clone(),
                viewer,
                sees,
                amber_grounds,
            };
        const T: bool = true;
        const F: bool = false;
        vec![
            row(
                "owner",
                &hospital,
                Some(hospital.clone()),
                [T, T, T, T, T],
                Grounds::Owner,
            ),
            row(
                "agency same country",
                &hospital,
                Some(OrgProfile::new(2, K::AgencyInstitution).in_country("FR")),
                [T, T, T, T, F],
                Grounds::Agency,
            ),
            // The model relates agencies to hospitals at the first level, but
            // the related-kind rule stays within the owner's country.
            row(
                "agency other country",
                &hospital,
                Some(OrgProfile::new(3, K::AgencyInstitution).in_country("DE")),
                [T, T, F, F, F],
                Grounds::OutsideAudience,
            ),
            row(
                "related kind other country",
                &hospital,
                Some(OrgProfile::new(7, K::InsuranceGroup).in_country("DE")),
                [T, T, F, F, F],
                Grounds::OutsideAudience,
            ),
            row(
                "supplier",
                &hospital,
                Some(supplier.clone()),
                [T, T, T, F, F],
                Grounds::Supplier,
            ),
            row(
                "client",
                &supplier,
                Some(client),
                [T, T, T, F, F],
                Grounds::Client,
            ),
            row(
                "related kind",
                &hospital,
                Some(OrgProfile::new(5, K::InsuranceGroup).in_country("FR")),
                [T, T, T, F, F],
                Grounds::RelatedKind,
            ),
            row(
                "unrelated",
                &hospital,
                Some(OrgProfile::new(6, K::HealthcareAssociation).in_country("FR")),
                [T, T, F, F, F],
                Grounds::OutsideAudience,
            ),
            row(
                "unrelated same kind",
                &hospital,
                Some(OrgProfile::new(7, K::HealthcareOrganisation).in_country("FR")),
                [T, T, F, F, F],
                Grounds::OutsideAudience,
            ),
            row(
                "anonymous",
                &hospital,
                None,
                [T, F, F, F, F],
                Grounds::OutsideAudience,
            ),
        ]
    }

    #[test]
    fn audience_matrix_of_every_label_and_viewer_relation() {
        let eco = eco();
        for row in matrix() {
            for (tlp, expected) in Tlp::ALL.into_iter().zip(row.sees) {
                let decision = may_see(&row.owner, tlp, row.viewer.as_ref(), &eco);
                assert_eq!(
                    decision.allowed, expected,
                    "{tlp} / {}: {}",
                    row.relation, decision.reason
                );
                assert!(!decision.reason.is_empty());
            }
            let amber = may_see(&row.owner, Tlp::Amber, row.viewer.as_ref(), &eco);
            assert_eq!(
                amber.grounds, row.amber_grounds,
                "{}: {}",
                row.relation, amber.reason
            );
        }
    }

    #[test]
    fn a_named_agency_abroad_sees_amber_strict() {
        let eco = eco();
        let hospital = OrgProfile {
            shares_with_agency: Some(3),
            ..OrgProfile::new(1, K::HealthcareOrganisation).in_country("FR")
        };
        let agency = OrgProfile::new(3, K::AgencyInstitution).in_country("DE");
        let decision = may_see(&hospital, Tlp::AmberStrict, Some(&agency), &eco);
        assert!(decision.allowed);
        assert_eq!(decision.grounds, Grounds::Agency);
        assert!(
            decision.reason.contains("names organisation 3"),
            "{}",
            decision.reason
        );
        assert!(!may_see(&hospital, Tlp::Red, Some(&agency), &eco).allowed);
    }

    #[test]
    fn reasons_name_the_model_relation() {
        let eco = eco();
        let hospital = OrgProfile::new(1, K::HealthcareOrganisation).in_country("FR");
        let insurer = OrgProfile::new(5, K::InsuranceGroup).in_country("FR");
        let decision = may_see(&hospital, Tlp::Amber, Some(&insurer), &eco);
        assert!(
            decision
                .reason
                .contains("insurance-group → healthcare-organisation"),
            "{}",
            decision.reason
        );
        let denied = may_see(&hospital, Tlp::Red, Some(&insurer), &eco);
        assert_eq!(
            denied.reason,
            "TLP:RED is for the owner only; organisation 5 (insurance-group, FR) is not organisation 1 (healthcare-organisation, FR)"
        );
    }

    #[test]
    fn only_the_owner_changes_a_label_in_either_direction() {
        let owner = OrgProfile::new(1, K::HealthcareOrganisation);
        let agency = OrgProfile::new(2, K::AgencyInstitution);
        for from in Tlp::ALL {
            for to in Tlp::ALL {
                let by_owner = may_change_tlp(&owner, &owner, from, to);
                assert!(by_owner.allowed, "{from} -> {to}");
                let by_other = may_change_tlp(&owner, &agency, from, to);
                assert!(!by_other.allowed, "{from} -> {to}");
                assert_eq!(by_other.grounds, Grounds::NotOwner);
            }
        }
    }
}
