//! The model file as written: serde structs that mirror the TOML one to one.
//!
//! These are the *wire* types (uv's `OptionsWire` pattern): they keep the byte
//! spans of ids and references so that later semantic checks can point at the
//! exact place in the file, they reject unknown keys, and they derive the JSON
//! Schema printed by `holisec schema`. [`crate::load`] turns them into the
//! validated domain types of [`crate::model`]. Writing a model back out
//! (`holisec init`, importers) goes through these same types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::model::{Domain, Motivation, RelationKind, RelationLevel, StakeholderKind, SupportKind};

/// A whole model file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
#[schemars(title = "holisec ecosystem model")]
pub struct ModelFile {
    /// What the model describes and where its figures come from.
    pub ecosystem: Option<EcosystemWire>,
    /// Stakeholders (green in the article's Figure 1).
    #[serde(default, rename = "stakeholder", skip_serializing_if = "Vec::is_empty")]
    pub stakeholders: Vec<StakeholderWire>,
    /// Vulnerability factors (orange), each belonging to a stakeholder and a domain.
    #[serde(
        default,
        rename = "vulnerability",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vulnerabilities: Vec<VulnerabilityWire>,
    /// Relations between stakeholders (arrows): first level solid, second level dashed.
    #[serde(default, rename = "relation", skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RelationWire>,
    /// Threats, one per attacker motivation or more (black italic).
    #[serde(default, rename = "threat", skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<ThreatWire>,
    /// Support the ecosystem gives in response: protection and training (black bold).
    #[serde(default, rename = "support", skip_serializing_if = "Vec::is_empty")]
    pub supports: Vec<SupportWire>,
    /// Per-scenario overrides of the numbers the risk engine derives from threats
    /// and vulnerabilities.
    #[serde(default, rename = "scenario", skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<ScenarioWire>,
    /// Countries of the region, with their hospitals: where the propagation
    /// simulator places the organisations it generates.
    #[serde(default, rename = "country", skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CountryWire>,
}

/// `[[country]]`: one country of the region and how many hospitals it has.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountryWire {
    /// Two-letter code, e.g. `IE` (ISO 3166-1 alpha-2; Eurostat's `UK` and `EL` are accepted).
    #[schemars(with = "String")]
    pub code: Spanned<String>,
    /// Display name.
    pub name: String,
    /// Hospitals in the country. Only the proportions between countries are
    /// used: the total comes from the `healthcare-organisation` population.
    #[schemars(with = "u32")]
    pub hospitals: Spanned<u32>,
    /// What the national statistic counts (establishments, sites, legal entities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// Where the count comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Why the count was chosen, where no source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// `[ecosystem]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcosystemWire {
    /// Display name of the model.
    pub name: String,
    /// Region covered, e.g. `Europe`.
    pub region: String,
    /// ISO 4217 code of every money amount in the file, e.g. `EUR`.
    #[schemars(with = "String")]
    pub currency: Spanned<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Bibliography of the model: one citation per entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// `[[stakeholder]]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StakeholderWire {
    /// Unique id, referenced by vulnerabilities, relations, threats and support.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Display name.
    pub name: String,
    /// One of the eleven kinds the article lists.
    #[schemars(with = "StakeholderKind")]
    pub kind: Spanned<StakeholderKind>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Examples the article gives (e.g. hospitals, care centres).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// How many there are in the region, with its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<PopulationWire>")]
    pub population: Option<Spanned<PopulationWire>>,
}

/// `population = { value = 15000, unit = "hospitals", source = "..." }`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulationWire {
    /// How many (a count, or an amount of money for a market).
    #[schemars(with = "f64")]
    pub value: Spanned<f64>,
    /// What is counted, e.g. `hospitals`, `professionals`, `MEUR market`.
    pub unit: String,
    /// `true` when the source says "more than".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub at_least: bool,
    /// Where the figure comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Why the figure was chosen, where no source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// `[[vulnerability]]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityWire {
    /// Unique id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Id of the stakeholder this factor belongs to.
    #[schemars(with = "String")]
    pub stakeholder: Spanned<String>,
    /// People, process, technology, data or governance.
    #[schemars(with = "Domain")]
    pub domain: Spanned<Domain>,
    /// Display name.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Resistance strength (Open FAIR RS) on a 0..1 scale: the share of the threat
    /// community this factor withstands.
    #[schemars(with = "DistributionWire")]
    pub resistance: Spanned<DistributionWire>,
    /// Source of the numbers in this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Reasoning behind the numbers in this entry, where no source gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// `[[relation]]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationWire {
    /// Stakeholder id the arrow starts from.
    #[schemars(with = "String")]
    pub from: Spanned<String>,
    /// Stakeholder id the arrow points to.
    #[schemars(with = "String")]
    pub to: Spanned<String>,
    /// `first` (direct interaction, solid arrow) or `second` (indirect, dashed arrow).
    #[schemars(with = "RelationLevel")]
    pub level: Spanned<RelationLevel>,
    /// What flows along the arrow.
    #[schemars(with = "RelationKind")]
    pub kind: Spanned<RelationKind>,
    /// 0..1: how strongly a compromise or an alert travels along this relation.
    #[schemars(with = "f64")]
    pub strength: Spanned<f64>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Source of the strength.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Reasoning behind the strength.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// `[[threat]]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreatWire {
    /// Unique id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Warfare, terrorism, espionage, crime or activism.
    #[schemars(with = "Motivation")]
    pub motivation: Spanned<Motivation>,
    /// Display name.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Example actors (groups, campaigns).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    /// Stakeholder ids this threat targets.
    #[schemars(with = "Vec<String>")]
    pub targets: Vec<Spanned<String>>,
    /// Vulnerability factor ids this threat exploits.
    #[schemars(with = "Vec<String>")]
    pub exploits: Vec<Spanned<String>>,
    /// Threat event frequency (Open FAIR TEF): attempts per year against one
    /// organisation of each targeted stakeholder.
    #[schemars(with = "DistributionWire")]
    pub frequency: Spanned<DistributionWire>,
    /// Threat capability (Open FAIR TCap) on the same 0..1 scale as resistance.
    #[schemars(with = "DistributionWire")]
    pub capability: Spanned<DistributionWire>,
    /// Primary loss per loss event, in the model currency.
    #[schemars(with = "DistributionWire")]
    pub primary_loss: Spanned<DistributionWire>,
    /// Secondary loss per loss event (fines, litigation, reputation), in the model currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DistributionWire>")]
    pub secondary_loss: Option<Spanned<DistributionWire>>,
    /// Source of the numbers in this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Reasoning behind the numbers in this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// `[[support]]`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportWire {
    /// Unique id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// `protection` or `training`.
    #[schemars(with = "SupportKind")]
    pub kind: Spanned<SupportKind>,
    /// Display name.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Stakeholder id that provides it.
    #[schemars(with = "String")]
    pub provider: Spanned<String>,
    /// Vulnerability factor ids it mitigates.
    #[schemars(with = "Vec<String>")]
    pub mitigates: Vec<Spanned<String>>,
    /// Which FAIR input it changes, and by how much.
    #[schemars(with = "EffectWire")]
    pub effect: Spanned<EffectWire>,
    /// Annual cost for one organisation, in the model currency.
    #[schemars(with = "f64")]
    pub annual_cost: Spanned<f64>,
    /// Source of the numbers in this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Reasoning behind the numbers in this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// `effect = { on = "resistance", change = 0.15 }`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EffectWire {
    /// The FAIR input changed.
    pub on: crate::model::EffectTarget,
    /// For `frequency` and `loss`: the relative reduction 0..1 (0.2 = 20% less).
    /// For `resistance`: the absolute gain 0..1 added to resistance strength, capped at 1.
    #[schemars(with = "f64")]
    pub change: Spanned<f64>,
    /// Source of the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Reasoning behind the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// `[[scenario]]`: overrides for one (threat, vulnerability, stakeholder) scenario.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioWire {
    /// Threat id.
    #[schemars(with = "String")]
    pub threat: Spanned<String>,
    /// Vulnerability factor id.
    #[schemars(with = "String")]
    pub vulnerability: Spanned<String>,
    /// Targeted stakeholder id.
    #[schemars(with = "String")]
    pub stakeholder: Spanned<String>,
    /// Replaces the threat's frequency for this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DistributionWire>")]
    pub frequency: Option<Spanned<DistributionWire>>,
    /// Replaces the threat's capability for this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DistributionWire>")]
    pub capability: Option<Spanned<DistributionWire>>,
    /// Replaces the factor's resistance for this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DistributionWire>")]
    pub resistance: Option<Spanned<DistributionWire>>,
    /// Replaces the threat's primary loss for this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DistributionWire>")]
    pub primary_loss: Option<Spanned<DistributionWire>>,
    /// Replaces the threat's secondary loss for this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<DistributionWire>")]
    pub secondary_loss: Option<Spanned<DistributionWire>>,
    /// Source of the numbers in this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Reasoning behind the numbers in this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// A distribution as risk analysts write it: exactly one of the shape keys.
///
/// `{ pert = [low, mode, high] }`, `{ lognormal_ci90 = [low, high] }`,
/// `{ uniform = [low, high] }`, `{ triangular = [low, mode, high] }`,
/// `{ constant = x }`; optionally with `source` or `rationale`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DistributionWire {
    /// Beta-PERT with minimum, most likely and maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pert: Option<Vec<f64>>,
    /// PERT shape parameter (lambda), 4 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<f64>,
    /// Lognormal given its 5th and 95th percentiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lognormal_ci90: Option<Vec<f64>>,
    /// Uniform between two bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniform: Option<Vec<f64>>,
    /// Triangular with minimum, most likely and maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triangular: Option<Vec<f64>>,
    /// Always this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<f64>,
    /// Source of this distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Reasoning behind this distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}
