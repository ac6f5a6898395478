//! Who receives an alert, and why, along the model's relations.
//!
//! An alert is about a [`Subject`]: a supplier (its products are affected), a
//! vulnerability factor of the model, or an incident reported by an
//! organisation. [`recipients`] lists the organisations to alert, each with a
//! [`Priority`] and a chain of [`Link`]s that explains the choice in the
//! model's terms. The rules, by priority:
//!
//! * **High**: the clients of the supplier (for a supplier subject, and for an
//!   incident whose reporter is someone's supplier), joined by the first-level
//!   `supplies` relation their profiles declare; for a factor, every
//!   organisation of the stakeholder kind the factor belongs to.
//! * **Normal**: information sharing in the origin country (`origin_country`,
//!   else the subject organisation's country). The model's first-level
//!   `shares-information` relation into `healthcare-organisation` names the
//!   hub (in the built-in model `agency-institution`, the national CSIRT):
//!   the hub's organisations of that country, which relay the alert, and every
//!   healthcare organisation of that country, reached through the hub (or
//!   directly when the model lets the subject's kind share with them).
//! * **Low**: organisations of the kinds the model joins to the subject's kind
//!   by a second-level relation.
//!
//! The subject itself (the supplier, the reporter) is never a recipient. An
//! organisation reached by several rules appears once, with its highest
//! priority and, within it, its shortest chain. The list is sorted by
//! priority, then id.
//!
//! [`Directory`] builds the indexes (supplier → clients, kind → organisations)
//! once in O(n), so a supplier with 10,000 clients costs one pass.
//!
//! The simulator (`holisec-sim`, `engine.rs`, `Msg::SupplierAlert`) applies
//! the High rule for suppliers to its synthetic ecosystem: an impacted
//! supplier alerts every client in its supplier → clients index. It does not
//! call this module, on purpose: its organisations are dense `u32` indices in
//! compressed rows, an alert there is a random draw (disconnect with the
//! model's `supplies` strength) inside a hot loop, and building
//! [`OrgProfile`]s per message would cost allocations for no gain. The two
//! agree on who the supplier's clients are; a change to that rule belongs in
//! both places.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use holisec_model::{Ecosystem, RelationKind, RelationLevel, StakeholderKind};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::kinds::{KindRelation, neighbours, strongest};
use crate::org::{CountryError, OrgId, OrgProfile, parse_country};

/// What an alert is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    /// A supplier (solution provider) whose products or services are affected.
    Supplier(OrgId),
    /// A vulnerability factor of the model, by id.
    Factor(String),
    /// An incident reported by an organisation.
    Incident {
        /// The reporting organisation.
        reporter: OrgId,
    },
}

/// How urgently a recipient is alerted; sorts High first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    /// Directly exposed.
    High,
    /// Exposed through information sharing in its country.
    Normal,
    /// Indirectly related.
    Low,
}

/// One end of a [`Link`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Party {
    /// An organisation of the server.
    Organisation {
        /// Its id.
        id: OrgId,
        /// Its stakeholder kind.
        kind: StakeholderKind,
    },
    /// A vulnerability factor of the model.
    Factor {
        /// The factor's id.
        id: String,
        /// The kind of the stakeholder it belongs to.
        kind: StakeholderKind,
    },
    /// The organisations of a kind in a country, taken together (the national CSIRT).
    Hub {
        /// Their kind.
        kind: StakeholderKind,
        /// Their country.
        country: String,
    },
}

impl Party {
    fn organisation(org: &OrgProfile) -> Self {
        Party::Organisation {
            id: org.id,
            kind: org.kind,
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Party::Organisation { id, kind } => write!(f, "organisation {id} ({kind})"),
            Party::Factor { id, kind } => write!(f, "factor {id} (of {kind})"),
            Party::Hub { kind, country } => write!(f, "the {kind} organisations of {country}"),
        }
    }
}

/// What joins the two ends of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Basis {
    /// A relation of the model (a supplier in a profile is a first-level `supplies` relation).
    Relation {
        /// What it carries.
        kind: RelationKind,
        /// First or second level.
        level: RelationLevel,
    },
    /// The factor is one of the model's factors of the recipient's stakeholder kind.
    FactorOf,
}

/// One step of the explanation: `from` reaches `to` on `basis`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Where the alert comes from.
    pub from: Party,
    /// Where it goes.
    pub to: Party,
    /// Why it goes there.
    pub basis: Basis,
    /// The step in words.
    pub why: String,
}

/// An organisation to alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// Its id.
    pub org: OrgId,
    /// How urgently.
    pub priority: Priority,
    /// Why, from the subject to this organisation.
    pub chain: Vec<Link>,
}

/// Why recipients could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AlertError {
    /// Two organisations share an id.
    #[error("organisation {0} appears twice in the list of organisations")]
    DuplicateOrganisation(OrgId),
    /// The subject names an organisation that is not in the list.
    #[error("organisation {0} is not known")]
    UnknownOrganisation(OrgId),
    /// The subject names a factor the model does not have.
    #[error("the model has no vulnerability factor `{0}`")]
    UnknownFactor(String),
    /// The origin country is not a country code.
    #[error("origin country: {0}")]
    Country(#[from] CountryError),
}

/// The organisations indexed for alerts; build once, ask many times.
#[derive(Debug)]
pub struct Directory<'a> {
    eco: &'a Ecosystem,
    orgs: &'a [OrgProfile],
    by_id: HashMap<OrgId, usize>,
    /// Supplier id → positions of the organisations that use it.
    clients: HashMap<OrgId, Vec<usize>>,
    /// Kind → positions of its organisations, in input order.
    by_kind: BTreeMap<StakeholderKind, Vec<usize>>,
}

impl<'a> Directory<'a> {
    /// Indexes `orgs` in one pass; ids must be unique.
    pub fn new(eco: &'a Ecosystem, orgs: &'a [OrgProfile]) -> Result<Self, AlertError> {
        let mut by_id = HashMap::with_capacity(orgs.len());
        let mut clients: HashMap<OrgId, Vec<usize>> = HashMap::new();
        let mut by_kind: BTreeMap<StakeholderKind, Vec<usize>> = BTreeMap::new();
        for (position, org) in orgs.iter().enumerate() {
            if by_id.insert(org.id, position).is_some() {
                return Err(AlertError::DuplicateOrganisation(org.id));
            }
            for &supplier in &org.suppliers {
                let list = clients.entry(supplier).or_default();
                // A profile listing one supplier twice is still one client.
                if list.last() != Some(&position) {
                    list.push(position);
                }
            }
            by_kind.entry(org.kind).or_default().push(position);
        }
        Ok(Directory {
            eco,
            orgs,
            by_id,
            clients,
            by_kind,
        })
    }

    fn org(&self, id: OrgId) -> Result<&'a OrgProfile, AlertError> {
        self.by_id
            .get(&id)
            .map(|&position| &self.orgs[position])
            .ok_or(AlertError::UnknownOrganisation(id))
    }

    fn of_kind(&self, kind: StakeholderKind) -> impl Iterator<Item = &'a OrgProfile> + '_ {
        let orgs = self.orgs;
        self.by_kind
            .get(&kind)
            .into_iter()
            .flatten()
            .map(move |&position| &orgs[position])
    }

    /// The organisations to alert about `subject`, sorted by priority then id.
    ///
    /// `origin_country` is where the alert starts (for the information-sharing
    /// rule); without it, the subject organisation's country is used.
    pub fn recipients(
        &self,
        subject: &Subject,
        origin_country: Option<&str>,
    ) -> Result<Vec<Recipient>, AlertError> {
        let origin = self.resolve(subject)?;
        let country = match origin_country {
            Some(text) => Some(parse_country(text)?),
            None => origin.org.and_then(|org| org.country.clone()),
        };
        let mut found = Found::default();
        if let Some(org) = origin.org {
            self.clients_of(org, &mut found);
        }
        if let Subject::Factor(id) = subject {
            self.factor_kind(id, origin.kind, &origin.party, &mut found);
        }
        if let Some(country) = country {
            self.information_sharing(&origin, &country, &mut found);
        }
        self.second_level(&origin, &mut found);
        Ok(found.into_sorted())
    }

    fn resolve(&self, subject: &Subject) -> Result<Origin<'a>, AlertError> {
        match subject {
            Subject::Supplier(id) | Subject::Incident { reporter: id } => {
                let org = self.org(*id)?;
                Ok(Origin {
                    party: Party::organisation(org),
                    kind: org.kind,
                    org: Some(org),
                })
            }
            Subject::Factor(id) => {
                let factor = self
                    .eco
                    .vulnerability_by_id(id)
                    .ok_or_else(|| AlertError::UnknownFactor(id.clone()))?;
                let kind = self
                    .eco
                    .stakeholder(self.eco.vulnerability(factor).stakeholder)
                    .kind;
                Ok(Origin {
                    party: Party::Factor {
                        id: id.clone(),
                        kind,
                    },
                    kind,
                    org: None,
                })
            }
        }
    }

    /// High: the organisations that use `supplier`.
    fn clients_of(&self, supplier: &OrgProfile, found: &mut Found) {
        let from = Party::organisation(supplier);
        for &position in self.clients.get(&supplier.id).into_iter().flatten() {
            let client = &self.orgs[position];
            let link = Link {
                from: from.clone(),
                to: Party::organisation(client),
                basis: Basis::Relation {
                    kind: RelationKind::Supplies,
                    level: RelationLevel::First,
                },
                why: format!(
                    "organisation {} uses supplier {} (`supplies`, first level)",
                    client.id, supplier.id
                ),
            };
            found.offer(Some(supplier.id), client.id, Priority::High, vec![link]);
        }
    }

    /// High: the organisations of the kind the factor belongs to.
    fn factor_kind(&self, factor: &str, kind: StakeholderKind, from: &Party, found: &mut Found) {
        for org in self.of_kind(kind) {
            let link = Link {
                from: from.clone(),
                to: Party::organisation(org),
                basis: Basis::FactorOf,
                why: format!(
                    "{factor} is a vulnerability factor of `{kind}` in the model, and organisation {} is of that kind",
                    org.id
                ),
            };
            found.offer(None, org.id, Priority::High, vec![link]);
        }
    }

    /// Normal: the hub of `country` and, through it, the country's healthcare organisations.
    fn information_sharing(&self, origin: &Origin<'_>, country: &str, found: &mut Found) {
        let care = StakeholderKind::HealthcareOrganisation;
        let Some(sharing) = sharing_into(self.eco, care, origin.kind) else {
            return;
        };
        let hub = if sharing.from == care {
            sharing.to
        } else {
            sharing.from
        };
        let basis = Basis::Relation {
            kind: sharing.kind,
            level: sharing.level,
        };
        let in_country = |org: &&OrgProfile| org.country.as_deref() == Some(country);
        // The subject's kind is the hub: it shares with care organisations itself.
        let direct = hub == origin.kind;
        let hub_party = Party::Hub {
            kind: hub,
            country: country.to_owned(),
        };
        let to_hub = Link {
            from: origin.party.clone(),
            to: hub_party.clone(),
            basis,
            why: format!(
                "the alert about {} goes to {hub_party}, the hub of {}",
                origin.party,
                sharing.describe()
            ),
        };
        if !direct {
            for org in self.of_kind(hub).filter(in_country) {
                let relay = Link {
                    from: hub_party.clone(),
                    to: Party::organisation(org),
                    basis,
                    why: format!("organisation {} is of kind `{hub}` in {country}", org.id),
                };
                found.offer(
                    origin.id(),
                    org.id,
                    Priority::Normal,
                    vec![to_hub.clone(), relay],
                );
            }
        }
        for org in self.of_kind(care).filter(in_country) {
            let to_care = Link {
                from: if direct {
                    origin.party.clone()
                } else {
                    hub_party.clone()
                },
                to: Party::organisation(org),
                basis,
                why: format!(
                    "organisation {} is of kind `{care}` in {country}, the country of the alert; {}",
                    org.id,
                    sharing.describe()
                ),
            };
            let chain = if direct {
                vec![to_care]
            } else {
                vec![to_hub.clone(), to_care]
            };
            found.offer(origin.id(), org.id, Priority::Normal, chain);
        }
    }

    /// Low: the organisations of the kinds joined to the subject's kind at the second level.
    fn second_level(&self, origin: &Origin<'_>, found: &mut Found) {
        for (kind, relation) in neighbours(self.eco, origin.kind, RelationLevel::Second) {
            for org in self.of_kind(kind) {
                let link = Link {
                    from: origin.party.clone(),
                    to: Party::organisation(org),
                    basis: Basis::Relation {
                        kind: relation.kind,
                        level: relation.level,
                    },
                    why: format!(
                        "organisation {} is of kind `{kind}`: {}",
                        org.id,
                        relation.describe()
                    ),
                };
                found.offer(origin.id(), org.id, Priority::Low, vec![link]);
            }
        }
    }
}

/// The first-level `shares-information` relation that reaches `care`
/// organisations, preferring one whose other end is `subject_kind` (then no hub is needed).
fn sharing_into(
    eco: &Ecosystem,
    care: StakeholderKind,
    subject_kind: StakeholderKind,
) -> Option<KindRelation> {
    let all = || {
        StakeholderKind::ALL.iter().flat_map(move |&other| {
            crate::kinds::relations_between(eco, care, other, RelationLevel::First)
                .filter(|r| r.kind == RelationKind::SharesInformation)
        })
    };
    let touches_subject = |r: &KindRelation| r.from == subject_kind || r.to == subject_kind;
    strongest(all().filter(touches_subject)).or_else(|| strongest(all()))
}

/// The subject resolved: who it is in the chains and which kind it has.
struct Origin<'a> {
    party: Party,
    kind: StakeholderKind,
    /// The supplier or reporter; `None` for a factor.
    org: Option<&'a OrgProfile>,
}

impl Origin<'_> {
    fn id(&self) -> Option<OrgId> {
        self.org.map(|org| org.id)
    }
}

/// The best offer per organisation so far.
#[derive(Default)]
struct Found(HashMap<OrgId, Recipient>);

impl Found {
    /// Keeps the offer if `org` is not the subject and it beats what `org` has:
    /// a higher priority, or the same priority with a shorter chain.
    fn offer(&mut self, subject: Option<OrgId>, org: OrgId, priority: Priority, chain: Vec<Link>) {
        if subject == Some(org) {
            return;
        }
        let better =
            |current: &Recipient| (priority, chain.len()) < (current.priority, current.chain.len());
        match self.0.get(&org) {
            Some(current) if !better(current) => {}
            _ => {
                self.0.insert(
                    org,
                    Recipient {
                        org,
                        priority,
                        chain,
                    },
                );
            }
        }
    }

    fn into_sorted(self) -> Vec<Recipient> {
        let mut out: Vec<Recipient> = self.0.into_values().collect();
        out.sort_by_key(|r| (r.priority, r.org));
        out
    }
}

/// The organisations to alert about `subject`; see the module documentation.
///
/// Builds a [`Directory`] for this one question; keep a `Directory` to ask several.
pub fn recipients(
    eco: &Ecosystem,
    orgs: &[OrgProfile],
    subject: &Subject,
    origin_country: Option<&str>,
) -> Result<Vec<Recipient>, AlertError> {
    Directory::new(eco, orgs)?.recipients(subject, origin_country)
}

#[cfg(test)]
mod tests {
    use super::*;
    use StakeholderKind as K;
    use proptest::prelude::*;

    fn eco() -> Ecosystem {
        holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model is valid")
    }

    fn org(id: OrgId, kind: StakeholderKind, country: &str) -> OrgProfile {
        OrgProfile::new(id, kind).in_country(country)
    }

    fn client(id: OrgId, country: &str, suppliers: &[OrgId]) -> OrgProfile {
        OrgProfile {
            suppliers: suppliers.to_vec(),
            ..org(id, K::HealthcareOrganisation, country)
        }
    }

    /// A small community: supplier 10 (NL) used by hospitals 1 (FR) and 2
    /// (DE); hospital 3 (FR) uses nobody; agencies 20 (FR) and 21 (DE);
    /// academia 30; a healthcare association 40 (no relation to providers).
    fn community() -> Vec<OrgProfile> {
        vec![
            client(1, "FR", &[10]),
            client(2, "DE", &[10]),
            client(3, "FR", &[]),
            org(10, K::SolutionProvider, "NL"),
            org(20, K::AgencyInstitution, "FR"),
            org(21, K::AgencyInstitution, "DE"),
            org(30, K::AcademiaTrainer, "FR"),
            org(40, K::HealthcareAssociation, "FR"),
        ]
    }

    fn summary(recipients: &[Recipient]) -> Vec<(OrgId, Priority, usize)> {
        recipients
            .iter()
            .map(|r| (r.org, r.priority, r.chain.len()))
            .collect()
    }

    #[test]
    fn a_supplier_alert_reaches_its_clients_first() {
        let eco = eco();
        let orgs = community();
        let out =
            recipients(&eco, &orgs, &Subject::Supplier(10), Some("FR")).expect("known supplier");
        // Clients High; FR hub (agency 20) and FR hospital 3 Normal through the
        // hub; academia Low (`trains`, second level, academia → providers).
        assert_eq!(
            summary(&out),
            vec![
                (1, Priority::High, 1),
                (2, Priority::High, 1),
                (3, Priority::Normal, 2),
                (20, Priority::Normal, 2),
                (30, Priority::Low, 1),
            ]
        );
        let link = &out[0].chain[0];
        assert_eq!(
            link.why,
            "organisation 1 uses supplier 10 (`supplies`, first level)"
        );
        assert_eq!(
            link.basis,
            Basis::Relation {
                kind: RelationKind::Supplies,
                level: RelationLevel::First
            }
        );
        let via_hub = &out[2].chain;
        assert_eq!(
            via_hub[0].to,
            Party::Hub {
                kind: K::AgencyInstitution,
                country: "FR".into()
            }
        );
        assert!(
            via_hub[1].why.contains("the country of the alert"),
            "{}",
            via_hub[1].why
        );
        assert!(
            via_hub[1].why.contains(
                "`shares-information` relation agency-institution → healthcare-organisation"
            ),
            "{}",
            via_hub[1].why
        );
    }

    #[test]
    fn an_incident_skips_the_reporter_and_uses_its_country() {
        let eco = eco();
        let orgs = community();
        let out = recipients(&eco, &orgs, &Subject::Incident { reporter: 1 }, None)
            .expect("known reporter");
        let ids: Vec<OrgId> = out.iter().map(|r| r.org).collect();
        assert!(!ids.contains(&1), "never the reporter");
        // FR: agency 20 and hospital 3 Normal; no second-level relation from
        // hospitals except academia's `researches`.
        assert_eq!(
            summary(&out),
            vec![
                (3, Priority::Normal, 2),
                (20, Priority::Normal, 2),
                (30, Priority::Low, 1)
            ]
        );
    }

    #[test]
    fn an_agency_reporting_shares_directly() {
        let eco = eco();
        let orgs = community();
        let out = recipients(&eco, &orgs, &Subject::Incident { reporter: 20 }, None)
            .expect("known reporter");
        let hospitals: Vec<_> = out
            .iter()
            .filter(|r| r.org <= 3)
            .map(|r| (r.org, r.priority, r.chain.len()))
            .collect();
        assert_eq!(
            hospitals,
            vec![(1, Priority::Normal, 1), (3, Priority::Normal, 1)],
            "FR hospitals, no hub needed"
        );
        assert!(out.iter().all(|r| r.org != 20));
    }

    #[test]
    fn a_factor_alert_reaches_its_kind() {
        let eco = eco();
        let orgs = community();
        let out = recipients(&eco, &orgs, &Subject::Factor("ho-backups".into()), None)
            .expect("known factor");
        assert_eq!(
            summary(&out),
            vec![
                (1, Priority::High, 1),
                (2, Priority::High, 1),
                (3, Priority::High, 1),
                (30, Priority::Low, 1)
            ]
        );
        assert_eq!(out[0].chain[0].basis, Basis::FactorOf);
        assert_eq!(
            out[0].chain[0].from,
            Party::Factor {
                id: "ho-backups".into(),
                kind: K::HealthcareOrganisation
            }
        );
    }

    #[test]
    fn the_highest_priority_wins_then_the_shortest_chain() {
        let eco = eco();
        let orgs = community();
        // Hospital 1 is both a client (High) and an FR hospital (Normal).
        let out =
            recipients(&eco, &orgs, &Subject::Supplier(10), Some("FR")).expect("known supplier");
        let first = out.iter().find(|r| r.org == 1).expect("client alerted");
        assert_eq!((first.priority, first.chain.len()), (Priority::High, 1));
    }

    #[test]
    fn bad_subjects_and_inputs_are_errors() {
        let eco = eco();
        let orgs = community();
        assert_eq!(
            recipients(&eco, &orgs, &Subject::Supplier(99), None),
            Err(AlertError::UnknownOrganisation(99))
        );
        assert_eq!(
            recipients(&eco, &orgs, &Subject::Factor("nope".into()), None),
            Err(AlertError::UnknownFactor("nope".into()))
        );
        assert!(matches!(
            recipients(&eco, &orgs, &Subject::Supplier(10), Some("France")),
            Err(AlertError::Country(_))
        ));
        let mut twice = community();
        twice.push(org(1, K::InsuranceGroup, "FR"));
        assert_eq!(
            recipients(&eco, &twice, &Subject::Supplier(10), None),
            Err(AlertError::DuplicateOrganisation(1))
        );
        assert_eq!(
            recipients(&eco, &orgs, &Subject::Supplier(10), Some("fr")).map(|r| r.len()),
            Ok(5),
            "codes are normalised"
        );
    }

    #[test]
    fn ten_thousand_clients_of_one_supplier() {
        let eco = eco();
        let mut orgs: Vec<OrgProfile> = (1..=10_000)
            .map(|id| {
                let country = if id % 2 == 0 { "FR" } else { "DE" };
                // Some list the supplier twice; they are still one client.
                let suppliers: &[OrgId] = if id % 7 == 0 { &[0, 0] } else { &[0] };
                client(id, country, suppliers)
            })
            .collect();
        orgs.push(org(0, K::SolutionProvider, "NL"));
        orgs.push(org(20_000, K::AcademiaTrainer, "FR"));
        let out = recipients(&eco, &orgs, &Subject::Supplier(0), None).expect("known supplier");
        assert_eq!(out.len(), 10_001);
        assert!(
            out[..10_000]
                .iter()
                .enumerate()
                .all(|(i, r)| r.org == i as OrgId + 1
                    && r.priority == Priority::High
                    && r.chain.len() == 1)
        );
        assert_eq!(
            (out[10_000].org, out[10_000].priority),
            (20_000, Priority::Low)
        );
    }

    fn arbitrary_orgs() -> impl Strategy<Value = Vec<OrgProfile>> {
        let one = (
            0..StakeholderKind::ALL.len(),
            prop::option::of(prop::sample::select(vec!["FR", "DE", "NL"])),
            prop::collection::vec(0..40i64, 0..4),
        );
        prop::collection::vec(one, 0..40).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(id, (kind, country, suppliers))| OrgProfile {
                    country: country.map(str::to_owned),
                    suppliers,
                    ..OrgProfile::new(id as OrgId, StakeholderKind::ALL[kind])
                })
                .collect()
        })
    }

    fn arbitrary_subject() -> impl Strategy<Value = Subject> {
        prop_oneof![
            (0..40i64).prop_map(Subject::Supplier),
            (0..40i64).prop_map(|reporter| Subject::Incident { reporter }),
            prop::sample::select(vec![
                "ho-backups",
                "sp-remote-access",
                "hp-phishing",
                "ag-public-services",
                "unknown"
            ])
            .prop_map(|id| Subject::Factor(id.into())),
        ]
    }

    proptest! {
        #[test]
        fn recipients_are_unique_sorted_and_never_the_subject(
            orgs in arbitrary_orgs(),
            subject in arbitrary_subject(),
            country in prop::option::of(prop::sample::select(vec!["FR", "DE", "IT"])),
        ) {
            let eco = eco();
            let Ok(out) = recipients(&eco, &orgs, &subject, country) else { return Ok(()); };
            let subject_id = match &subject {
                Subject::Supplier(id) | Subject::Incident { reporter: id } => Some(*id),
                Subject::Factor(_) => None,
            };
            let mut ids: Vec<OrgId> = out.iter().map(|r| r.org).collect();
            prop_assert!(subject_id.is_none_or(|id| !ids.contains(&id)));
            prop_assert!(out.windows(2).all(|w| (w[0].priority, w[0].org) < (w[1].priority, w[1].org)));
            ids.sort_unstable();
            ids.dedup();
            prop_assert_eq!(ids.len(), out.len());
            for r in &out {
                prop_assert!(orgs.iter().any(|o| o.id == r.org));
                let last = r.chain.last().map(|link| &link.to);
                let ends_at_recipient = matches!(last, Some(Party::Organisation { id, .. }) if *id == r.org);
                prop_assert!(ends_at_recipient, "chain of {} ends elsewhere", r.org);
            }
        }
    }
}
