//! The validated ecosystem: the one model type every engine reads.
//!
//! An [`Ecosystem`] only exists once every reference resolves and every number
//! is in range, so engines index into it without checks. References are dense
//! indices ([`StakeholderIdx`], [`VulnerabilityIdx`], ...) into the vectors of
//! the ecosystem; string ids are kept for output.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::dist::Distribution;

macro_rules! closed_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in model files and JSON output.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_enum! {
    /// The eleven stakeholder kinds of the article's Figure 1.
    pub enum StakeholderKind {
        /// Hospitals, care centres.
        HealthcareOrganisation => "healthcare-organisation",
        /// National health systems or social security systems.
        NationalHealthSystem => "national-health-system",
        /// Medical and nursing staff, physicians, administrative staff.
        HealthcareProfessional => "healthcare-professional",
        /// Suppliers of ICT, medical devices and cybersecurity.
        SolutionProvider => "solution-provider",
        /// Universities and schools that teach cybersecurity.
        AcademiaTrainer => "academia-trainer",
        /// Users, patients, third sector.
        PatientAssociation => "patient-association",
        /// NGOs, scientific organisations.
        UmbrellaOrganisation => "umbrella-organisation",
        /// Governmental cybersecurity agencies, policy and regulation officers.
        AgencyInstitution => "agency-institution",
        /// Medical and nursing associations.
        HealthcareAssociation => "healthcare-association",
        /// Payers.
        InsuranceGroup => "insurance-group",
        /// GDPR consultants and experts.
        AdvocacyGroup => "advocacy-group",
    }
}

closed_enum! {
    /// The five domains a vulnerability factor belongs to.
    pub enum Domain {
        /// Awareness, behaviour, skills.
        People => "people",
        /// Procedures, procurement, incident response.
        Process => "process",
        /// Systems, devices, networks.
        Technology => "technology",
        /// Patient and operational data, its flows and protection.
        Data => "data",
        /// Ownership, budgets, regulation, accountability.
        Governance => "governance",
    }
}

closed_enum! {
    /// The attacker motivations of the article (black italic in Figure 1).
    pub enum Motivation {
        /// State-sponsored disruption or sabotage.
        Warfare => "warfare",
        /// Attacks meant to cause fear or harm to people.
        Terrorism => "terrorism",
        /// Theft of research, intellectual property or intelligence.
        Espionage => "espionage",
        /// Financially motivated: ransomware, extortion, fraud, data sale.
        Crime => "crime",
        /// Ideology or grievance: hacktivism, leaks, defacement, DDoS.
        Activism => "activism",
    }
}

closed_enum! {
    /// The support the ecosystem gives in response (black bold in Figure 1).
    pub enum SupportKind {
        /// Technical and organisational protection.
        Protection => "protection",
        /// Awareness and skills training.
        Training => "training",
    }
}

closed_enum! {
    /// Solid (first level, direct interaction) or dashed (second level, indirect) arrow.
    pub enum RelationLevel {
        /// Direct interaction.
        First => "first",
        /// Indirect relation, through another stakeholder or the wider ecosystem.
        Second => "second",
    }
}

closed_enum! {
    /// What a relation carries from one stakeholder to another.
    pub enum RelationKind {
        /// Products or services (ICT, medical devices, security).
        Supplies => "supplies",
        /// Rules, oversight, certification.
        Regulates => "regulates",
        /// Money.
        Funds => "funds",
        /// Employment.
        Employs => "employs",
        /// Education and training.
        Trains => "trains",
        /// Insurance cover.
        Insures => "insures",
        /// Representation of members' interests.
        Represents => "represents",
        /// Advice and consulting.
        Advises => "advises",
        /// Threat intelligence, alerts, good practice.
        SharesInformation => "shares-information",
        /// Care given to patients.
        Serves => "serves",
        /// Research and evidence.
        Researches => "researches",
    }
}

closed_enum! {
    /// Which Open FAIR input a support item changes.
    pub enum EffectTarget {
        /// Threat event frequency (e.g. fewer successful phishing contacts).
        Frequency => "frequency",
        /// Resistance strength of the factors it mitigates.
        Resistance => "resistance",
        /// Loss magnitude (e.g. backups shorten outages).
        Loss => "loss",
    }
}

macro_rules! index_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in the ecosystem's vector.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// Position of a stakeholder in [`Ecosystem::stakeholders`].
    StakeholderIdx
);
index_type!(
    /// Position of a factor in [`Ecosystem::vulnerabilities`].
    VulnerabilityIdx
);
index_type!(
    /// Position of a threat in [`Ecosystem::threats`].
    ThreatIdx
);
index_type!(
    /// Position of a support item in [`Ecosystem::supports`].
    SupportIdx
);

/// Where a number comes from: a citation, or the reasoning where no source exists.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Provenance {
    /// Citation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Reasoning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

impl Provenance {
    /// True when neither a source nor a rationale is given.
    pub fn is_empty(&self) -> bool {
        self.source.is_none() && self.rationale.is_none()
    }
}

/// The whole validated model.
#[derive(Debug, Clone, Serialize)]
pub struct Ecosystem {
    /// Name, region, currency, bibliography.
    pub meta: EcosystemMeta,
    /// Green boxes.
    pub stakeholders: Vec<Stakeholder>,
    /// Orange boxes.
    pub vulnerabilities: Vec<Vulnerability>,
    /// Arrows.
    pub relations: Vec<Relation>,
    /// Black italic: motivations and the threats that carry them.
    pub threats: Vec<Threat>,
    /// Black bold: protection and training.
    pub supports: Vec<Support>,
    /// Per-scenario overrides.
    pub scenario_overrides: Vec<ScenarioOverride>,
    /// Countries of the region with their hospitals (empty when the model has none).
    pub countries: Vec<Country>,
}

/// `[[country]]`: a country of the region, where the simulator places organisations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Country {
    /// Two-letter code, unique in the model.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Hospitals (at least 1); the simulator uses the proportions.
    pub hospitals: u32,
    /// What the national statistic counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// Source or rationale of the count.
    pub provenance: Provenance,
}

/// `[ecosystem]`.
#[derive(Debug, Clone, Serialize)]
pub struct EcosystemMeta {
    /// Display name.
    pub name: String,
    /// Region covered.
    pub region: String,
    /// Currency of every amount.
    pub currency: String,
    /// Free text.
    pub description: Option<String>,
    /// Bibliography.
    pub sources: Vec<String>,
}

/// A stakeholder.
#[derive(Debug, Clone, Serialize)]
pub struct Stakeholder {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// One of the eleven kinds.
    pub kind: StakeholderKind,
    /// Free text.
    pub description: Option<String>,
    /// Examples.
    pub examples: Vec<String>,
    /// Count in the region, when known.
    pub population: Option<Population>,
}

/// How many of a stakeholder there are.
#[derive(Debug, Clone, Serialize)]
pub struct Population {
    /// The figure.
    pub value: f64,
    /// What is counted.
    pub unit: String,
    /// The source says "more than".
    pub at_least: bool,
    /// Where it comes from.
    pub provenance: Provenance,
}

/// A vulnerability factor.
#[derive(Debug, Clone, Serialize)]
pub struct Vulnerability {
    /// Unique id.
    pub id: String,
    /// The stakeholder it belongs to.
    pub stakeholder: StakeholderIdx,
    /// Its domain.
    pub domain: Domain,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Resistance strength on 0..1.
    pub resistance: Distribution,
    /// Where the numbers come from.
    pub provenance: Provenance,
}

/// An arrow between two stakeholders.
#[derive(Debug, Clone, Serialize)]
pub struct Relation {
    /// Start.
    pub from: StakeholderIdx,
    /// End.
    pub to: StakeholderIdx,
    /// Solid or dashed.
    pub level: RelationLevel,
    /// What it carries.
    pub kind: RelationKind,
    /// 0..1.
    pub strength: f64,
    /// Free text.
    pub description: Option<String>,
    /// Where the strength comes from.
    pub provenance: Provenance,
}

/// Where each of a threat's numbers comes from: a distribution's own
/// `source`/`rationale` when it has one, else the threat entry's.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ThreatNumbersProvenance {
    /// Of `frequency`.
    pub frequency: Provenance,
    /// Of `capability`.
    pub capability: Provenance,
    /// Of `primary_loss`.
    pub primary_loss: Provenance,
    /// Of `secondary_loss`, when the threat has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_loss: Option<Provenance>,
}

/// A threat: a motivation with its actors, targets, exploited factors and numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Threat {
    /// Unique id.
    pub id: String,
    /// Why the attacker acts.
    pub motivation: Motivation,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Example actors.
    pub actors: Vec<String>,
    /// Targeted stakeholders.
    pub targets: Vec<StakeholderIdx>,
    /// Exploited factors.
    pub exploits: Vec<VulnerabilityIdx>,
    /// TEF: attempts per year against one organisation of a target.
    pub frequency: Distribution,
    /// TCap on 0..1.
    pub capability: Distribution,
    /// Primary loss per loss event.
    pub primary_loss: Distribution,
    /// Secondary loss per loss event.
    pub secondary_loss: Option<Distribution>,
    /// Where the numbers come from.
    pub provenance: Provenance,
    /// Where each number comes from.
    pub numbers: ThreatNumbersProvenance,
}

/// How a support item changes one FAIR input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Effect {
    /// The input changed.
    pub on: EffectTarget,
    /// Relative reduction (frequency, loss) or absolute resistance gain, in 0..1.
    pub change: f64,
}

/// Protection or training.
#[derive(Debug, Clone, Serialize)]
pub struct Support {
    /// Unique id.
    pub id: String,
    /// Protection or training.
    pub kind: SupportKind,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Who provides it.
    pub provider: StakeholderIdx,
    /// Factors it mitigates.
    pub mitigates: Vec<VulnerabilityIdx>,
    /// What it changes.
    pub effect: Effect,
    /// Annual cost for one organisation.
    pub annual_cost: f64,
    /// Where the numbers come from.
    pub provenance: Provenance,
    /// Where the effect size comes from: the effect's own `source`/`rationale`, else the entry's.
    pub effect_provenance: Provenance,
}

/// Overrides for one (threat, vulnerability, stakeholder) scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioOverride {
    /// Threat.
    pub threat: ThreatIdx,
    /// Factor.
    pub vulnerability: VulnerabilityIdx,
    /// Target.
    pub stakeholder: StakeholderIdx,
    /// Replacement TEF.
    pub frequency: Option<Distribution>,
    /// Replacement TCap.
    pub capability: Option<Distribution>,
    /// Replacement RS.
    pub resistance: Option<Distribution>,
    /// Replacement primary loss.
    pub primary_loss: Option<Distribution>,
    /// Replacement secondary loss.
    pub secondary_loss: Option<Distribution>,
    /// Where the numbers come from.
    pub provenance: Provenance,
}

impl Ecosystem {
    /// The stakeholder at `idx`.
    pub fn stakeholder(&self, idx: StakeholderIdx) -> &Stakeholder {
        &self.stakeholders[idx.index()]
    }

    /// The factor at `idx`.
    pub fn vulnerability(&self, idx: VulnerabilityIdx) -> &Vulnerability {
        &self.vulnerabilities[idx.index()]
    }

    /// The threat at `idx`.
    pub fn threat(&self, idx: ThreatIdx) -> &Threat {
        &self.threats[idx.index()]
    }

    /// The support item at `idx`.
    pub fn support(&self, idx: SupportIdx) -> &Support {
        &self.supports[idx.index()]
    }

    /// Looks a stakeholder up by id.
    pub fn stakeholder_by_id(&self, id: &str) -> Option<StakeholderIdx> {
        self.stakeholders
            .iter()
            .position(|s| s.id == id)
            .map(|i| StakeholderIdx(i as u32))
    }

    /// Looks a factor up by id.
    pub fn vulnerability_by_id(&self, id: &str) -> Option<VulnerabilityIdx> {
        self.vulnerabilities
            .iter()
            .position(|v| v.id == id)
            .map(|i| VulnerabilityIdx(i as u32))
    }

    /// Looks a threat up by id.
    pub fn threat_by_id(&self, id: &str) -> Option<ThreatIdx> {
        self.threats
            .iter()
            .position(|t| t.id == id)
            .map(|i| ThreatIdx(i as u32))
    }

    /// Looks a support item up by id.
    pub fn support_by_id(&self, id: &str) -> Option<SupportIdx> {
        self.supports
            .iter()
            .position(|s| s.id == id)
            .map(|i| SupportIdx(i as u32))
    }

    /// Stakeholder indices in order.
    pub fn stakeholder_indices(&self) -> impl Iterator<Item = StakeholderIdx> + '_ {
        (0..self.stakeholders.len() as u32).map(StakeholderIdx)
    }

    /// The factors belonging to `stakeholder`, in file order.
    pub fn vulnerabilities_of(
        &self,
        stakeholder: StakeholderIdx,
    ) -> impl Iterator<Item = (VulnerabilityIdx, &Vulnerability)> + '_ {
        self.vulnerabilities
            .iter()
            .enumerate()
            .filter(move |(_, v)| v.stakeholder == stakeholder)
            .map(|(i, v)| (VulnerabilityIdx(i as u32), v))
    }

    /// Stakeholders joined to `stakeholder` by a first-level relation, either direction.
    pub fn first_level_neighbours(&self, stakeholder: StakeholderIdx) -> Vec<StakeholderIdx> {
        let mut out: Vec<StakeholderIdx> = self
            .relations
            .iter()
            .filter(|r| r.level == RelationLevel::First)
            .filter_map(|r| {
                if r.from == stakeholder {
                    Some(r.to)
                } else if r.to == stakeholder {
                    Some(r.from)
                } else {
                    None
                }
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// One Open FAIR scenario: a threat exploiting a factor to reach a targeted stakeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ScenarioKey {
    /// The threat.
    pub threat: ThreatIdx,
    /// The exploited factor.
    pub vulnerability: VulnerabilityIdx,
    /// The stakeholder that suffers the loss.
    pub stakeholder: StakeholderIdx,
}

impl Ecosystem {
    /// Every scenario the model connects, in threat, target, factor order.
    ///
    /// A threat reaches target `s` through factor `v` when `v` belongs to `s`
    /// itself or to a stakeholder joined to `s` by a first-level relation (staff
    /// employed by a hospital, a supplier of it): the holistic reading of the
    /// article, where a weakness of one stakeholder exposes its direct partners.
    pub fn scenarios(&self) -> Vec<ScenarioKey> {
        let mut out = Vec::new();
        for (t, threat) in self.threats.iter().enumerate() {
            for &target in &threat.targets {
                let neighbours = self.first_level_neighbours(target);
                for &v in &threat.exploits {
                    let owner = self.vulnerability(v).stakeholder;
                    if owner == target || neighbours.binary_search(&owner).is_ok() {
                        out.push(ScenarioKey {
                            threat: ThreatIdx(t as u32),
                            vulnerability: v,
                            stakeholder: target,
                        });
                    }
                }
            }
        }
        out
    }

    /// The override for `key`, if the model has one.
    pub fn scenario_override(&self, key: ScenarioKey) -> Option<&ScenarioOverride> {
        self.scenario_overrides.iter().find(|o| {
            o.threat == key.threat
                && o.vulnerability == key.vulnerability
                && o.stakeholder == key.stakeholder
        })
    }
}
