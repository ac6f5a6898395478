//! The documented mapping from VERIS fields to the holisec model.
//!
//! Every rule here is a project choice, written out in
//! `docs/exchange.md` (section "VERIS to model mapping"). In short:
//!
//! * **Motivation** (from `actor.*.motive` and `actor.external.variety`):
//!   `Financial` -> crime; `Espionage` -> espionage; `Ideology` and `Grudge` ->
//!   activism, or warfare when the external actor is a `Nation-state` or
//!   `State-affiliated`; external variety `Terrorist` -> terrorism and
//!   `Activist` -> activism whatever the motive. `NA` (unintentional) is kept
//!   as *unintentional*; `Fun`, `Convenience`, `Secondary`, `Fear`, `Other` as
//!   *other*. `Unknown` or a missing motive is never assigned: an incident
//!   with no other class is *unknown*.
//! * **Domain** (from `action.<category>.variety`): social -> people;
//!   hacking, malware, environmental -> technology; error -> process (but
//!   misconfiguration, programming error, malfunction, capacity shortage ->
//!   technology); misuse -> governance (privilege, knowledge, possession
//!   abuse; the default), people (email/net misuse, unapproved hardware,
//!   software or workarounds, illicit content, snap picture) or data (data
//!   mishandling); physical -> data (theft, snooping; the default), people
//!   (assault) or technology (tampering, skimmers, wiretapping and the rest);
//!   `action.unknown` -> unknown.
//! * **Stakeholder** (from victims and assets): victim NAICS 62 (except 624)
//!   -> healthcare-organisation; 624 social assistance -> patient-association
//!   (third sector); other NAICS codes of co-victims per [`industry_kind`];
//!   person assets (`P -` staff roles) -> healthcare-professional; assets
//!   hosted, managed or owned externally or by a partner, external cloud
//!   assets, and partner actors -> solution-provider.
//! * **Attributes**: the presence of `attribute.confidentiality`,
//!   `.integrity`, `.availability`.

use std::collections::BTreeSet;

use holisec_model::{Domain, Motivation, StakeholderKind};
use serde::Serialize;

use crate::veris::{ActionCategory, ActorRole, Incident};

/// A motivation class: the model's five, or one of three classes kept apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MotivationClass {
    /// A model motivation.
    Known(Motivation),
    /// VERIS `NA`: an unintentional action (errors).
    Unintentional,
    /// Fun, convenience, aiding another attack, fear or duress, other.
    Other,
    /// Nothing known about the motive.
    Unknown,
}

impl MotivationClass {
    /// Every class, in display order.
    pub fn all() -> Vec<MotivationClass> {
        let mut out: Vec<MotivationClass> = Motivation::ALL
            .iter()
            .map(|m| MotivationClass::Known(*m))
            .collect();
        out.extend([
            MotivationClass::Unintentional,
            MotivationClass::Other,
            MotivationClass::Unknown,
        ]);
        out
    }

    /// The label used in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            MotivationClass::Known(m) => m.as_str(),
            MotivationClass::Unintentional => "unintentional",
            MotivationClass::Other => "other",
            MotivationClass::Unknown => "unknown",
        }
    }
}

/// Maps one VERIS motive of an actor to a class (`None` for `Unknown` and unrecognised values).
pub fn motive_class(motive: &str, state_actor: bool) -> Option<MotivationClass> {
    use MotivationClass::*;
    Some(match motive {
        "Financial" => Known(Motivation::Crime),
        "Espionage" => Known(Motivation::Espionage),
        "Ideology" | "Grudge" if state_actor => Known(Motivation::Warfare),
        "Ideology" | "Grudge" => Known(Motivation::Activism),
        "NA" => Unintentional,
        "Fun" | "Convenience" | "Secondary" | "Fear" | "Other" => Other,
        _ => return None,
    })
}

/// The motivation classes of an incident: never empty; `Unknown` only when nothing else is known.
pub fn incident_motivations(incident: &Incident) -> BTreeSet<MotivationClass> {
    let mut out = BTreeSet::new();
    for actor in &incident.actors {
        let external = actor.role == ActorRole::External;
        let state = external
            && actor
                .varieties
                .iter()
                .any(|v| v == "Nation-state" || v == "State-affiliated");
        if external {
            for v in &actor.varieties {
                match v.as_str() {
                    "Terrorist" => {
                        out.insert(MotivationClass::Known(Motivation::Terrorism));
                    }
                    "Activist" => {
                        out.insert(MotivationClass::Known(Motivation::Activism));
                    }
                    _ => {}
                }
            }
        }
        out.extend(actor.motives.iter().filter_map(|m| motive_class(m, state)));
    }
    if out.is_empty() {
        out.insert(MotivationClass::Unknown);
    }
    out
}

/// The five model motivations of an incident (empty when none is known).
pub fn known_motivations(incident: &Incident) -> BTreeSet<Motivation> {
    incident_motivations(incident)
        .into_iter()
        .filter_map(|c| match c {
            MotivationClass::Known(m) => Some(m),
            _ => None,
        })
        .collect()
}

/// The domain of one action variety (`None` for the unknown category).
pub fn variety_domain(category: ActionCategory, variety: &str) -> Option<Domain> {
    use ActionCategory as C;
    Some(match (category, variety) {
        (C::Social, _) => Domain::People,
        (C::Hacking | C::Malware | C::Environmental, _) => Domain::Technology,
        (
            C::Error,
            "Misconfiguration" | "Programming error" | "Malfunction" | "Capacity shortage",
        ) => Domain::Technology,
        (C::Error, _) => Domain::Process,
        (C::Misuse, "Data mishandling") => Domain::Data,
        (
            C::Misuse,
            "Email misuse"
            | "Net misuse"
            | "Unapproved hardware"
            | "Unapproved software"
            | "Unapproved workaround"
            | "Illicit content"
            | "Snap picture",
        ) => Domain::People,
        (C::Misuse, _) => Domain::Governance,
        (C::Physical, "Assault") => Domain::People,
        (C::Physical, "Theft" | "Snooping" | "Other" | "Unknown" | "") => Domain::Data,
        (C::Physical, _) => Domain::Technology,
        (C::Unknown, _) => return None,
    })
}

/// The domains of an incident (empty when only unknown actions were recorded).
pub fn incident_domains(incident: &Incident) -> BTreeSet<Domain> {
    let mut out = BTreeSet::new();
    for action in &incident.actions {
        let known: Vec<&String> = action
            .varieties
            .iter()
            .filter(|v| *v != "Unknown" && *v != "Other")
            .collect();
        if known.is_empty() {
            out.extend(variety_domain(action.category, ""));
        } else {
            out.extend(
                known
                    .iter()
                    .filter_map(|v| variety_domain(action.category, v)),
            );
        }
    }
    out
}

/// The stakeholder kind of a victim's NAICS code, when the mapping has one.
///
/// 62 (except 624) hospitals, ambulatory and residential care ->
/// healthcare-organisation; 624 -> patient-association; 5241 insurance
/// carriers -> insurance-group; 3391 medical equipment, 4234/4242 medical
/// wholesalers, 5112/5132 software, 518 data processing and hosting, 5415
/// computer services -> solution-provider; 611 education ->
/// academia-trainer; 923 administration of human resource programmes
/// (public health programmes) -> national-health-system; other 92 public
/// administration -> agency-institution; 8139 business and professional
/// organisations -> healthcare-association; 8133/8134 social advocacy and
/// civic organisations -> advocacy-group.
pub fn industry_kind(naics: &str) -> Option<StakeholderKind> {
    use StakeholderKind as K;
    let code = naics.trim();
    if !code.bytes().all(|b| b.is_ascii_digit()) || code.len() < 2 {
        return None;
    }
    let starts = |p: &str| code.starts_with(p);
    Some(if starts("624") {
        K::PatientAssociation
    } else if starts("62") {
        K::HealthcareOrganisation
    } else if starts("5241") {
        K::InsuranceGroup
    } else if starts("3391")
        || starts("4234")
        || starts("4242")
        || starts("5112")
        || starts("5132")
        || starts("518")
        || starts("5415")
    {
        K::SolutionProvider
    } else if starts("611") {
        K::AcademiaTrainer
    } else if starts("923") {
        K::NationalHealthSystem
    } else if starts("92") {
        K::AgencyInstitution
    } else if starts("8139") {
        K::HealthcareAssociation
    } else if starts("8133") || starts("8134") {
        K::AdvocacyGroup
    } else {
        return None;
    })
}

/// Person assets that are not staff (patients, partners) or not known.
const NON_STAFF_PERSONS: &[&str] = &["P - Customer", "P - Partner", "P - Unknown"];

/// The stakeholder kinds an incident touches (empty when none is known).
pub fn incident_stakeholders(incident: &Incident) -> BTreeSet<StakeholderKind> {
    let mut out: BTreeSet<StakeholderKind> = incident
        .victims
        .iter()
        .filter_map(|v| v.industry.as_deref().and_then(industry_kind))
        .collect();
    if incident
        .assets
        .iter()
        .any(|a| a.starts_with("P - ") && !NON_STAFF_PERSONS.contains(&a.as_str()))
    {
        out.insert(StakeholderKind::HealthcareProfessional);
    }
    if incident.external_asset || incident.actors.iter().any(|a| a.role == ActorRole::Partner) {
        out.insert(StakeholderKind::SolutionProvider);
    }
    out
}

/// The asset class of a VERIS asset variety, from its prefix (`None` for unknown).
pub fn asset_class(variety: &str) -> Option<&'static str> {
    Some(match variety.split(" - ").next().unwrap_or("") {
        "S" => "server",
        "U" => "user-device",
        "M" => "media",
        "P" => "person",
        "N" => "network",
        "T" => "kiosk-terminal",
        "E" => "embedded",
        "Other" => "other",
        _ => return None,
    })
}

/// The affected attributes, by name (`confidentiality`, `integrity`, `availability`).
pub fn incident_attributes(incident: &Incident) -> Vec<&'static str> {
    let a = &incident.attributes;
    let mut out = Vec::new();
    if a.confidentiality {
        out.push("confidentiality");
    }
    if a.integrity {
        out.push("integrity");
    }
    if a.availability {
        out.push("availability");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::veris::{Action, Actor, Location, Victim};

    fn incident() -> Incident {
        Incident {
            location: Location {
                source: 0,
                line: 1,
                index: None,
            },
            incident_id: None,
            master_id: None,
            year: None,
            sub_source: None,
            actors: Vec::new(),
            actions: Vec::new(),
            assets: Vec::new(),
            external_asset: false,
            attributes: Default::default(),
            victims: Vec::new(),
            violations: 0,
        }
    }

    fn actor(role: ActorRole, motives: &[&str], varieties: &[&str]) -> Actor {
        Actor {
            role,
            motives: motives.iter().map(|s| s.to_string()).collect(),
            varieties: varieties.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn unknown_motives_are_never_assigned() {
        let mut i = incident();
        assert_eq!(
            incident_motivations(&i),
            BTreeSet::from([MotivationClass::Unknown])
        );
        i.actors.push(actor(
            ActorRole::External,
            &["Unknown"],
            &["Organized crime"],
        ));
        assert_eq!(
            incident_motivations(&i),
            BTreeSet::from([MotivationClass::Unknown])
        );
        i.actors
            .push(actor(ActorRole::Internal, &["NA"], &["End-user"]));
        assert_eq!(
            incident_motivations(&i),
            BTreeSet::from([MotivationClass::Unintentional])
        );
    }

    #[test]
    fn state_actors_with_ideology_are_warfare_and_terrorists_terrorism() {
        let mut i = incident();
        i.actors
            .push(actor(ActorRole::External, &["Ideology"], &["Nation-state"]));
        assert_eq!(known_motivations(&i), BTreeSet::from([Motivation::Warfare]));
        i.actors = vec![actor(ActorRole::External, &["Unknown"], &["Terrorist"])];
        assert_eq!(
            known_motivations(&i),
            BTreeSet::from([Motivation::Terrorism])
        );
        i.actors = vec![actor(ActorRole::Internal, &["Grudge", "Financial"], &[])];
        assert_eq!(
            known_motivations(&i),
            BTreeSet::from([Motivation::Crime, Motivation::Activism])
        );
    }

    #[test]
    fn domains_follow_categories_and_varieties() {
        let mut i = incident();
        let action = |c, v: &[&str]| Action {
            category: c,
            varieties: v.iter().map(|s| s.to_string()).collect(),
            vectors: Vec::new(),
        };
        i.actions = vec![action(ActionCategory::Unknown, &[])];
        assert!(incident_domains(&i).is_empty());
        i.actions = vec![action(
            ActionCategory::Error,
            &["Misdelivery", "Misconfiguration"],
        )];
        assert_eq!(
            incident_domains(&i),
            BTreeSet::from([Domain::Process, Domain::Technology])
        );
        i.actions = vec![
            action(ActionCategory::Misuse, &["Unknown"]),
            action(ActionCategory::Physical, &["Theft"]),
        ];
        assert_eq!(
            incident_domains(&i),
            BTreeSet::from([Domain::Data, Domain::Governance])
        );
    }

    #[test]
    fn stakeholders_come_from_victims_assets_and_partners() {
        let mut i = incident();
        i.victims.push(Victim {
            industry: Some("622110".into()),
            countries: vec![],
            government: vec![],
        });
        i.assets = vec!["P - End-user".into(), "P - Customer".into()];
        i.actors.push(actor(ActorRole::Partner, &["NA"], &[]));
        assert_eq!(
            incident_stakeholders(&i),
            BTreeSet::from([
                StakeholderKind::HealthcareOrganisation,
                StakeholderKind::HealthcareProfessional,
                StakeholderKind::SolutionProvider
            ])
        );
        assert_eq!(
            industry_kind("624190"),
            Some(StakeholderKind::PatientAssociation)
        );
        assert_eq!(industry_kind("Unknown"), None);
        assert_eq!(asset_class("S - Database"), Some("server"));
        assert_eq!(asset_class("Unknown"), None);
    }
}
