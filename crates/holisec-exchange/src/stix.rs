//! STIX 2.1 export and import of a model.
//!
//! Export turns a model file into one STIX 2.1 bundle:
//!
//! | model | STIX |
//! |---|---|
//! | the tool | `identity` "holisec" (`identity_class` `system`), `created_by_ref` of every object |
//! | `[ecosystem]` | `grouping` (context `unspecified`) whose `object_refs` list the model's objects |
//! | stakeholder | `identity`, `identity_class` `class`, `sectors` from [`sectors`] |
//! | vulnerability factor | `holisec-vulnerability-factor`, a new SDO defined by the extension definition [`FACTOR_EXTENSION`] |
//! | threat | `threat-actor` with `threat_actor_types` and `primary_motivation` from [`motivation_vocabulary`] |
//! | support item | `course-of-action` |
//! | relation | `relationship` `related-to` (kind and level in the property extension) |
//! | threat targets / exploits | `relationship` `targets` to the identity / the factor |
//! | support mitigates | `relationship` `mitigates` to the factor |
//!
//! Everything the model holds beyond the standard properties (ids, kinds,
//! distributions, provenance, populations, effects, costs, scenario overrides)
//! travels in the property extension [`PROPERTY_EXTENSION`], so that import
//! rebuilds the same model file. Ids are UUIDv5 of the model ids under a fixed
//! namespace, and every `created`/`modified` is one fixed timestamp, so
//! exporting the same model twice gives the same bytes and export -> import ->
//! export is the identity.
//!
//! Import reads such a bundle back. Objects that are not holisec's (other
//! identities, indicators, malware, marking definitions, ...) are skipped and
//! counted by type; relationships that point at ids missing from the bundle
//! are skipped with a warning; a holisec object that is broken (wrong type,
//! missing field, reference to a missing stakeholder) is an error naming the
//! object and the JSON path.

use std::collections::{BTreeMap, HashMap};

use holisec_model::wire::{
    DistributionWire, EcosystemWire, EffectWire, ModelFile, PopulationWire, RelationWire,
    ScenarioWire, StakeholderWire, SupportWire, ThreatWire, VulnerabilityWire,
};
use holisec_model::{
    Domain, EffectTarget, Motivation, RelationKind, RelationLevel, StakeholderKind, SupportKind,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use toml::Spanned;
use uuid::Uuid;

/// The timestamp every exported object carries unless another is chosen.
pub const DEFAULT_TIMESTAMP: &str = "2026-01-01T00:00:00.000Z";

/// Largest bundle accepted by [`import`].
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

/// Type name of the custom SDO for vulnerability factors.
pub const FACTOR_TYPE: &str = "holisec-vulnerability-factor";

/// Model id of the extension definition of the factor SDO (its STIX id is derived from it).
pub const FACTOR_EXTENSION: &str = "holisec-vulnerability-factor";

/// Model id of the property extension carrying holisec properties.
pub const PROPERTY_EXTENSION: &str = "holisec-model-properties";

/// The UUIDv5 namespace of every holisec STIX id.
pub fn namespace() -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        b"https://example.invalid/holisec/stix/2.1",
    )
}

/// The deterministic STIX id of an object of `stix_type` for holisec name `name`.
pub fn stix_id(stix_type: &str, name: &str) -> String {
    format!(
        "{stix_type}--{}",
        Uuid::new_v5(&namespace(), format!("{stix_type}:{name}").as_bytes())
    )
}

/// The id of the identity that creates every exported object.
pub fn creator_id() -> String {
    stix_id("identity", "holisec")
}

fn factor_extension_id() -> String {
    stix_id("extension-definition", FACTOR_EXTENSION)
}

fn property_extension_id() -> String {
    stix_id("extension-definition", PROPERTY_EXTENSION)
}

/// STIX `industry-sector-ov` values for a stakeholder kind.
pub fn sectors(kind: StakeholderKind) -> &'static [&'static str] {
    use StakeholderKind as K;
    match kind {
        K::HealthcareOrganisation | K::HealthcareProfessional => &["healthcare"],
        K::NationalHealthSystem => &["healthcare", "government-national"],
        K::SolutionProvider => &["technology", "healthcare"],
        K::AcademiaTrainer => &["education"],
        K::PatientAssociation | K::HealthcareAssociation => &["healthcare", "non-profit"],
        K::UmbrellaOrganisation => &["non-profit"],
        K::AgencyInstitution => &["government-national"],
        K::InsuranceGroup => &["insurance", "healthcare"],
        K::AdvocacyGroup => &["non-profit"],
    }
}

/// STIX `threat-actor-type-ov` values and `attack-motivation-ov` primary motivation of a motivation.
///
/// warfare -> (`nation-state`, `dominance`); terrorism -> (`terrorist`,
/// `ideology`); espionage -> (`nation-state`, `spy`; `organizational-gain`);
/// crime -> (`crime-syndicate`, `criminal`; `personal-gain`); activism ->
/// (`activist`, `insider-disgruntled`; `ideology`). The exact motivation
/// travels in the property extension, so terrorism and activism stay apart.
pub fn motivation_vocabulary(m: Motivation) -> (&'static [&'static str], &'static str) {
    match m {
        Motivation::Warfare => (&["nation-state"], "dominance"),
        Motivation::Terrorism => (&["terrorist"], "ideology"),
        Motivation::Espionage => (&["nation-state", "spy"], "organizational-gain"),
        Motivation::Crime => (&["crime-syndicate", "criminal"], "personal-gain"),
        Motivation::Activism => (&["activist", "insider-disgruntled"], "ideology"),
    }
}

/// Export settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// RFC 3339 timestamp with millisecond precision for every `created`/`modified`.
    pub timestamp: String,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            timestamp: DEFAULT_TIMESTAMP.to_owned(),
        }
    }
}

impl ExportOptions {
    /// Options with `timestamp` (any RFC 3339 date-time), normalised to UTC with milliseconds
    /// as STIX wants, e.g. `2026-03-01T12:00:00+01:00` -> `2026-03-01T11:00:00.000Z`.
    pub fn with_timestamp(timestamp: &str) -> Result<Self, String> {
        use time::format_description::well_known::Rfc3339;
        let parsed = time::OffsetDateTime::parse(timestamp, &Rfc3339)
            .map_err(|e| format!("`{timestamp}` is not an RFC 3339 date-time ({e}); expected e.g. 2026-01-01T00:00:00Z"))?;
        let utc = parsed.to_offset(time::UtcOffset::UTC);
        let format = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        let text = utc
            .format(&format)
            .map_err(|e| format!("cannot format `{timestamp}`: {e}"))?;
        Ok(ExportOptions { timestamp: text })
    }
}

// ---------------------------------------------------------------- wire types

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionMarker {
    extension_type: String,
}

#[derive(Serialize)]
struct Bundle<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    objects: &'a [Object],
}

#[derive(Serialize)]
#[serde(untagged)]
enum Object {
    Identity(Box<IdentityObj>),
    ExtensionDefinition(Box<ExtensionDefinitionObj>),
    Grouping(Box<GroupingObj>),
    Factor(Box<FactorObj>),
    ThreatActor(Box<ThreatActorObj>),
    CourseOfAction(Box<CourseOfActionObj>),
    Relationship(Box<RelationshipObj>),
}

#[derive(Serialize)]
struct IdentityObj {
    #[serde(rename = "type")]
    kind: &'static str,
    spec_version: &'static str,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by_ref: Option<String>,
    created: String,
    modified: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    identity_class: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sectors: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<BTreeMap<String, StakeholderExt>>,
}

#[derive(Serialize)]
struct ExtensionDefinitionObj {
    #[serde(rename = "type")]
    kind: &'static str,
    spec_version: &'static str,
    id: String,
    created_by_ref: String,
    created: String,
    modified: String,
    name: &'static str,
    description: &'static str,
    schema: &'static str,
    version: &'static str,
    extension_types: Vec<&'static str>,
}

#[derive(Serialize)]
struct GroupingObj {
    #[serde(rename = "type")]
    kind: &'static str,
    spec_version: &'static str,
    id: String,
    created_by_ref: String,
    created: String,
    modified: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    context: &'static str,
    object_refs: Vec<String>,
    extensions: BTreeMap<String, EcosystemExt>,
}

#[derive(Serialize)]
struct FactorObj {
    #[serde(rename = "type")]
    kind: &'static str,
    spec_version: &'static str,
    id: String,
    created_by_ref: String,
    created: String,
    modified: String,
    #[serde(flatten)]
    body: FactorBody,
    extensions: BTreeMap<String, ExtensionMarker>,
}

#[derive(Serialize)]
struct ThreatActorObj {
    #[serde(rename = "type")]
    kind: &'static str,
    spec_version: &'static str,
    id: String,
    created_by_ref: String,
    created: String,
    modified: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    threat_actor_types: Vec<&'static str>,
    primary_motivation: &'static str,
    extensions: BTreeMap<String, ThreatExt>,
}

#[derive(Serialize)]
struct CourseOfActionObj {
    #[serde(rename = "type")]
    kind: &'static str,
    spec_version: &'static str,
    id: String,
    created_by_ref: String,
    created: String,
    modified: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    extensions: BTreeMap<String, SupportExt>,
}

#[derive(Serialize)]
struct RelationshipObj {
    #[serde(rename = "type")]
    kind: &'static str,
    spec_version: &'static str,
    id: String,
    created_by_ref: String,
    created: String,
    modified: String,
    relationship_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    source_ref: String,
    target_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<BTreeMap<String, RelationExt>>,
}

/// Holisec properties of a stakeholder identity.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StakeholderExt {
    extension_type: String,
    model_id: String,
    kind: StakeholderKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    examples: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    population: Option<PopulationExt>,
}

/// A stakeholder population (the model's `population` table).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PopulationExt {
    value: f64,
    unit: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    at_least: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rationale: Option<String>,
}

impl PopulationExt {
    fn from_wire(p: &PopulationWire) -> Self {
        PopulationExt {
            value: *p.value.get_ref(),
            unit: p.unit.clone(),
            at_least: p.at_least,
            source: p.source.clone(),
            rationale: p.rationale.clone(),
        }
    }

    fn into_wire(self) -> PopulationWire {
        PopulationWire {
            value: sp(self.value),
            unit: self.unit,
            at_least: self.at_least,
            source: self.source,
            rationale: self.rationale,
        }
    }
}

/// Holisec properties of the ecosystem grouping.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EcosystemExt {
    extension_type: String,
    region: String,
    currency: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sources: Vec<String>,
}

/// The properties of the factor SDO (besides the common ones).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactorBody {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    model_id: String,
    domain: Domain,
    stakeholder_ref: String,
    resistance: DistributionWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rationale: Option<String>,
}

/// Holisec properties of a threat-actor.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThreatExt {
    extension_type: String,
    model_id: String,
    motivation: Motivation,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    example_actors: Vec<String>,
    frequency: DistributionWire,
    capability: DistributionWire,
    primary_loss: DistributionWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secondary_loss: Option<DistributionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rationale: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    scenario_overrides: Vec<ScenarioExt>,
}

/// One scenario override of a threat.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioExt {
    vulnerability_ref: String,
    stakeholder_ref: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    frequency: Option<DistributionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capability: Option<DistributionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resistance: Option<DistributionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    primary_loss: Option<DistributionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secondary_loss: Option<DistributionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rationale: Option<String>,
}

/// Holisec properties of a course-of-action.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SupportExt {
    extension_type: String,
    model_id: String,
    kind: SupportKind,
    provider_ref: String,
    effect: EffectExt,
    annual_cost: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rationale: Option<String>,
}

/// A support effect (`on` renamed `target`: STIX property names have at least three characters).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EffectExt {
    target: EffectTarget,
    change: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rationale: Option<String>,
}

/// Holisec properties of a stakeholder relation.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RelationExt {
    extension_type: String,
    relation_kind: RelationKind,
    level: RelationLevel,
    strength: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rationale: Option<String>,
}

// -------------------------------------------------------------------- export

const FACTOR_EXTENSION_SCHEMA: &str = "holisec vulnerability factor (new SDO `holisec-vulnerability-factor`). Properties besides the common ones: name (string, required), description (string), model_id (string, required: the factor id in the holisec model), domain (required: one of people, process, technology, data, governance), stakeholder_ref (identifier of the identity of the stakeholder the factor belongs to, required), resistance (required: Open FAIR resistance strength on 0..1 as a holisec distribution object with exactly one of pert [low, mode, high], lognormal_ci90 [p5, p95], uniform [low, high], triangular [low, mode, high], constant, and optional shape, source, rationale), source (string), rationale (string). Normative text: docs/exchange.md of holisec, section \"STIX extension definitions\".";

const PROPERTY_EXTENSION_SCHEMA: &str = "holisec model properties (property extension). On identity (stakeholder): model_id, kind (holisec stakeholder kind), examples (list of string), population {value, unit, at_least, source, rationale}. On grouping (ecosystem): region, currency (ISO 4217), sources (list of string). On threat-actor (threat): model_id, motivation (warfare, terrorism, espionage, crime, activism), example_actors, frequency (threat events per year against one organisation), capability (0..1), primary_loss, secondary_loss (money per loss event; all holisec distribution objects), source, rationale, scenario_overrides (list of {vulnerability_ref, stakeholder_ref, frequency, capability, resistance, primary_loss, secondary_loss, source, rationale}). On course-of-action (support): model_id, kind (protection, training), provider_ref (identity), effect {target: frequency|resistance|loss, change 0..1, source, rationale}, annual_cost, source, rationale. On relationship (relation between stakeholders): relation_kind, level (first, second), strength (0..1), source, rationale. Normative text: docs/exchange.md of holisec, section \"STIX extension definitions\".";

fn ext_map<T>(value: T) -> BTreeMap<String, T> {
    BTreeMap::from([(property_extension_id(), value)])
}

fn prop_ext() -> String {
    "property-extension".to_owned()
}

/// Why a model could not be exported.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    /// The model file has no `[ecosystem]` table.
    #[error("the model has no `[ecosystem]` table")]
    NoEcosystem,
}

/// Exports `file` (a valid model) as a STIX 2.1 bundle, pretty JSON ending with a newline.
pub fn export(file: &ModelFile, options: &ExportOptions) -> Result<String, ExportError> {
    let eco = file.ecosystem.as_ref().ok_or(ExportError::NoEcosystem)?;
    let ts = options.timestamp.clone();
    let creator = creator_id();
    let sh_id = |id: &str| stix_id("identity", &format!("stakeholder:{id}"));
    let v_id = |id: &str| stix_id(FACTOR_TYPE, id);
    let t_id = |id: &str| stix_id("threat-actor", id);
    let s_id = |id: &str| stix_id("course-of-action", id);

    let mut objects = vec![
        Object::Identity(Box::new(IdentityObj {
            kind: "identity",
            spec_version: "2.1",
            id: creator.clone(),
            created_by_ref: None,
            created: ts.clone(),
            modified: ts.clone(),
            name: "holisec".to_owned(),
            description: Some(
                "The holisec tool, which models the healthcare cybersecurity ecosystem and produced this bundle."
                    .to_owned(),
            ),
            identity_class: "system",
            sectors: Vec::new(),
            extensions: None,
        })),
        Object::ExtensionDefinition(Box::new(ExtensionDefinitionObj {
            kind: "extension-definition",
            spec_version: "2.1",
            id: factor_extension_id(),
            created_by_ref: creator.clone(),
            created: ts.clone(),
            modified: ts.clone(),
            name: "holisec vulnerability factor",
            description: "A vulnerability factor of the holisec ecosystem model: a weakness of one stakeholder in one of five domains (people, process, technology, data, governance), with its Open FAIR resistance strength.",
            schema: FACTOR_EXTENSION_SCHEMA,
            version: "1.0.0",
            extension_types: vec!["new-sdo"],
        })),
        Object::ExtensionDefinition(Box::new(ExtensionDefinitionObj {
            kind: "extension-definition",
            spec_version: "2.1",
            id: property_extension_id(),
            created_by_ref: creator.clone(),
            created: ts.clone(),
            modified: ts.clone(),
            name: "holisec model properties",
            description: "The properties of the holisec ecosystem model that STIX 2.1 has no place for: model ids, kinds, Open FAIR distributions, provenance, populations, support effects and costs, relation levels and strengths.",
            schema: PROPERTY_EXTENSION_SCHEMA,
            version: "1.0.0",
            extension_types: vec!["property-extension"],
        })),
    ];

    let mut model_objects: Vec<Object> = Vec::new();
    for s in &file.stakeholders {
        let kind = *s.kind.get_ref();
        model_objects.push(Object::Identity(Box::new(IdentityObj {
            kind: "identity",
            spec_version: "2.1",
            id: sh_id(s.id.get_ref()),
            created_by_ref: Some(creator.clone()),
            created: ts.clone(),
            modified: ts.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            identity_class: "class",
            sectors: sectors(kind).to_vec(),
            extensions: Some(ext_map(StakeholderExt {
                extension_type: prop_ext(),
                model_id: s.id.get_ref().clone(),
                kind,
                examples: s.examples.clone(),
                population: s
                    .population
                    .as_ref()
                    .map(|p| PopulationExt::from_wire(p.get_ref())),
            })),
        })));
    }
    for v in &file.vulnerabilities {
        model_objects.push(Object::Factor(Box::new(FactorObj {
            kind: FACTOR_TYPE,
            spec_version: "2.1",
            id: v_id(v.id.get_ref()),
            created_by_ref: creator.clone(),
            created: ts.clone(),
            modified: ts.clone(),
            body: FactorBody {
                name: v.name.clone(),
                description: v.description.clone(),
                model_id: v.id.get_ref().clone(),
                domain: *v.domain.get_ref(),
                stakeholder_ref: sh_id(v.stakeholder.get_ref()),
                resistance: v.resistance.get_ref().clone(),
                source: v.source.clone(),
                rationale: v.rationale.clone(),
            },
            extensions: BTreeMap::from([(
                factor_extension_id(),
                ExtensionMarker {
                    extension_type: "new-sdo".to_owned(),
                },
            )]),
        })));
    }
    for t in &file.threats {
        let motivation = *t.motivation.get_ref();
        let (types, primary) = motivation_vocabulary(motivation);
        let scenario_overrides = file
            .scenarios
            .iter()
            .filter(|o| o.threat.get_ref() == t.id.get_ref())
            .map(|o| ScenarioExt {
                vulnerability_ref: v_id(o.vulnerability.get_ref()),
                stakeholder_ref: sh_id(o.stakeholder.get_ref()),
                frequency: o.frequency.as_ref().map(|d| d.get_ref().clone()),
                capability: o.capability.as_ref().map(|d| d.get_ref().clone()),
                resistance: o.resistance.as_ref().map(|d| d.get_ref().clone()),
                primary_loss: o.primary_loss.as_ref().map(|d| d.get_ref().clone()),
                secondary_loss: o.secondary_loss.as_ref().map(|d| d.get_ref().clone()),
                source: o.source.clone(),
                rationale: o.rationale.clone(),
            })
            .collect();
        model_objects.push(Object::ThreatActor(Box::new(ThreatActorObj {
            kind: "threat-actor",
            spec_version: "2.1",
            id: t_id(t.id.get_ref()),
            created_by_ref: creator.clone(),
            created: ts.clone(),
            modified: ts.clone(),
            name: t.name.clone(),
            description: t.description.clone(),
            threat_actor_types: types.to_vec(),
            primary_motivation: primary,
            extensions: ext_map(ThreatExt {
                extension_type: prop_ext(),
                model_id: t.id.get_ref().clone(),
                motivation,
                example_actors: t.actors.clone(),
                frequency: t.frequency.get_ref().clone(),
                capability: t.capability.get_ref().clone(),
                primary_loss: t.primary_loss.get_ref().clone(),
                secondary_loss: t.secondary_loss.as_ref().map(|d| d.get_ref().clone()),
                source: t.source.clone(),
                rationale: t.rationale.clone(),
                scenario_overrides,
            }),
        })));
    }
    for s in &file.supports {
        let effect = s.effect.get_ref();
        model_objects.push(Object::CourseOfAction(Box::new(CourseOfActionObj {
            kind: "course-of-action",
            spec_version: "2.1",
            id: s_id(s.id.get_ref()),
            created_by_ref: creator.clone(),
            created: ts.clone(),
            modified: ts.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            extensions: ext_map(SupportExt {
                extension_type: prop_ext(),
                model_id: s.id.get_ref().clone(),
                kind: *s.kind.get_ref(),
                provider_ref: sh_id(s.provider.get_ref()),
                effect: EffectExt {
                    target: effect.on,
                    change: *effect.change.get_ref(),
                    source: effect.source.clone(),
                    rationale: effect.rationale.clone(),
                },
                annual_cost: *s.annual_cost.get_ref(),
                source: s.source.clone(),
                rationale: s.rationale.clone(),
            }),
        })));
    }

    // Relationships, with an occurrence counter so that repeated entries keep distinct ids.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rel_id = |name: String| {
        let n = seen.entry(name.clone()).or_default();
        *n += 1;
        let key = if *n == 1 { name } else { format!("{name}#{n}") };
        stix_id("relationship", &key)
    };
    let relationship =
        |id: String, rtype: &'static str, src: String, dst: String, description, ext| {
            Object::Relationship(Box::new(RelationshipObj {
                kind: "relationship",
                spec_version: "2.1",
                id,
                created_by_ref: creator.clone(),
                created: ts.clone(),
                modified: ts.clone(),
                relationship_type: rtype,
                description,
                source_ref: src,
                target_ref: dst,
                extensions: ext,
            }))
        };
    let mut relationships = Vec::new();
    for r in &file.relations {
        let (from, to) = (r.from.get_ref(), r.to.get_ref());
        let (kind, level) = (*r.kind.get_ref(), *r.level.get_ref());
        let id = rel_id(format!("relation:{from}:{kind}:{level}:{to}"));
        relationships.push(relationship(
            id,
            "related-to",
            sh_id(from),
            sh_id(to),
            r.description.clone(),
            Some(ext_map(RelationExt {
                extension_type: prop_ext(),
                relation_kind: kind,
                level,
                strength: *r.strength.get_ref(),
                source: r.source.clone(),
                rationale: r.rationale.clone(),
            })),
        ));
    }
    for t in &file.threats {
        let tid = t.id.get_ref();
        for target in &t.targets {
            let id = rel_id(format!("targets:{tid}:{}", target.get_ref()));
            relationships.push(relationship(
                id,
                "targets",
                t_id(tid),
                sh_id(target.get_ref()),
                None,
                None,
            ));
        }
        for v in &t.exploits {
            let id = rel_id(format!("exploits:{tid}:{}", v.get_ref()));
            relationships.push(relationship(
                id,
                "targets",
                t_id(tid),
                v_id(v.get_ref()),
                None,
                None,
            ));
        }
    }
    for s in &file.supports {
        let sid = s.id.get_ref();
        for v in &s.mitigates {
            let id = rel_id(format!("mitigates:{sid}:{}", v.get_ref()));
            relationships.push(relationship(
                id,
                "mitigates",
                s_id(sid),
                v_id(v.get_ref()),
                None,
                None,
            ));
        }
    }
    model_objects.extend(relationships);

    let object_refs: Vec<String> = model_objects.iter().map(object_id).collect();
    objects.push(Object::Grouping(Box::new(GroupingObj {
        kind: "grouping",
        spec_version: "2.1",
        id: stix_id("grouping", "ecosystem"),
        created_by_ref: creator.clone(),
        created: ts.clone(),
        modified: ts.clone(),
        name: eco.name.clone(),
        description: eco.description.clone(),
        context: "unspecified",
        object_refs,
        extensions: ext_map(EcosystemExt {
            extension_type: prop_ext(),
            region: eco.region.clone(),
            currency: eco.currency.get_ref().clone(),
            sources: eco.sources.clone(),
        }),
    })));
    objects.extend(model_objects);
    let bundle = Bundle {
        kind: "bundle",
        id: stix_id("bundle", &format!("ecosystem:{}", eco.name)),
        objects: &objects,
    };
    let mut text = serde_json::to_string_pretty(&bundle).unwrap_or_default();
    text.push('\n');
    Ok(text)
}

fn object_id(o: &Object) -> String {
    match o {
        Object::Identity(x) => x.id.clone(),
        Object::ExtensionDefinition(x) => x.id.clone(),
        Object::Grouping(x) => x.id.clone(),
        Object::Factor(x) => x.id.clone(),
        Object::ThreatActor(x) => x.id.clone(),
        Object::CourseOfAction(x) => x.id.clone(),
        Object::Relationship(x) => x.id.clone(),
    }
}

// -------------------------------------------------------------------- import

/// One problem found while importing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    /// Position of the object in the bundle's `objects` (none for bundle-level problems).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<usize>,
    /// The object's id, when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// JSON path inside the object (or the bundle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(i) = self.object {
            write!(f, "objects[{i}]")?;
            if let Some(id) = &self.id {
                write!(f, " ({id})")?;
            }
            if let Some(p) = &self.path {
                write!(f, " at `{p}`")?;
            }
            write!(f, ": ")?;
        } else if let Some(p) = &self.path {
            write!(f, "`{p}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why a bundle could not be imported: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot import the STIX bundle: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ImportError(pub Vec<ImportIssue>);

/// A successful import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The rebuilt model file.
    pub file: ModelFile,
    /// Objects skipped because they are not holisec's, by STIX type.
    pub skipped: BTreeMap<String, usize>,
    /// Relationships skipped because an end is missing from the bundle.
    pub dangling: Vec<ImportIssue>,
}

impl Imported {
    /// Total number of skipped objects (unrelated and dangling).
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum::<usize>() + self.dangling.len()
    }
}

fn sp<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

fn issue(
    object: Option<usize>,
    id: Option<&str>,
    path: Option<String>,
    message: impl Into<String>,
) -> ImportIssue {
    ImportIssue {
        object,
        id: id.map(str::to_owned),
        path,
        message: message.into(),
    }
}

fn typed<T: DeserializeOwned>(
    value: &Value,
    index: usize,
    id: &str,
    prefix: &str,
) -> Result<T, ImportIssue> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let inner = err.path().to_string();
        let path = if inner == "." {
            prefix.to_owned()
        } else if prefix.is_empty() {
            inner
        } else {
            format!("{prefix}.{inner}")
        };
        issue(
            Some(index),
            Some(id),
            Some(path),
            err.into_inner().to_string(),
        )
    })
}

fn string_field<'a>(object: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

fn holisec_ext<'a>(object: &'a serde_json::Map<String, Value>, ext_id: &str) -> Option<&'a Value> {
    object.get("extensions").and_then(|e| e.get(ext_id))
}

/// Imports a bundle produced by [`export`] (or one that contains such objects among others).
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    let fail = |message: String| ImportError(vec![issue(None, None, None, message)]);
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(fail(format!(
            "bundle is {:.1} MiB, larger than the {} MiB limit",
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_BUNDLE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "truncated JSON",
            _ => "invalid JSON",
        };
        fail(format!("{what}: {e}"))
    })?;
    let Some(root) = root.as_object() else {
        return Err(fail(
            "expected a STIX bundle (a JSON object with \"type\": \"bundle\")".into(),
        ));
    };
    if string_field(root, "type") != Some("bundle") {
        return Err(ImportError(vec![issue(
            None,
            None,
            Some("type".into()),
            format!(
                "expected \"bundle\", found {}",
                root.get("type")
                    .map_or("nothing".to_owned(), Value::to_string)
            ),
        )]));
    }
    let objects: &[Value] = match root.get("objects") {
        Some(Value::Array(items)) => items,
        None => &[],
        Some(other) => {
            return Err(ImportError(vec![issue(
                None,
                None,
                Some("objects".into()),
                format!("expected an array of STIX objects, found {other}"),
            )]));
        }
    };

    let prop_id = property_extension_id();
    let known_infrastructure = [creator_id(), factor_extension_id(), prop_id.clone()];
    let mut errors = Vec::new();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut dangling = Vec::new();
    let mut file = ModelFile::default();
    // STIX id -> model id, per kind.
    let mut stakeholders: HashMap<String, String> = HashMap::new();
    let mut factors: HashMap<String, String> = HashMap::new();
    let mut threats: HashMap<String, usize> = HashMap::new();
    let mut supports: HashMap<String, usize> = HashMap::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    // Deferred: (index, id, value) of factors, supports and threat scenarios, which refer to stakeholders.
    let mut pending_factors = Vec::new();
    let mut pending_supports = Vec::new();
    let mut pending_threats = Vec::new();
    let mut relationships = Vec::new();
    let all_ids: std::collections::HashSet<&str> = objects
        .iter()
        .filter_map(|o| o.get("id").and_then(Value::as_str))
        .collect();

    for (index, value) in objects.iter().enumerate() {
        let Some(object) = value.as_object() else {
            *skipped.entry("(not an object)".into()).or_default() += 1;
            continue;
        };
        let (Some(stix_type), Some(id)) =
            (string_field(object, "type"), string_field(object, "id"))
        else {
            *skipped.entry("(no type or id)".into()).or_default() += 1;
            continue;
        };
        if known_infrastructure.iter().any(|k| k == id) {
            continue;
        }
        let ours = holisec_ext(object, &prop_id).is_some() || stix_type == FACTOR_TYPE;
        if !ours {
            if stix_type == "relationship" {
                relationships.push((index, id.to_owned(), object));
            } else {
                *skipped.entry(stix_type.to_owned()).or_default() += 1;
            }
            continue;
        }
        if let Some(first) = seen_ids.insert(id.to_owned(), index) {
            errors.push(issue(
                Some(index),
                Some(id),
                Some("id".into()),
                format!("duplicate id, also used by objects[{first}]"),
            ));
            continue;
        }
        let ext = holisec_ext(object, &prop_id);
        let ext_path = format!("extensions.{prop_id}");
        let name = || match object.get("name") {
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(issue(
                Some(index),
                Some(id),
                Some("name".into()),
                "expected a string `name`",
            )),
        };
        let description = || match object.get("description") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(issue(
                Some(index),
                Some(id),
                Some("description".into()),
                "expected a string",
            )),
        };
        let result: Result<(), ImportIssue> = (|| {
            match stix_type {
                "grouping" => {
                    let ext: EcosystemExt =
                        typed(ext.unwrap_or(&Value::Null), index, id, &ext_path)?;
                    if file.ecosystem.is_some() {
                        return Err(issue(
                            Some(index),
                            Some(id),
                            None,
                            "a second holisec ecosystem grouping",
                        ));
                    }
                    file.ecosystem = Some(EcosystemWire {
                        name: name()?,
                        region: ext.region,
                        currency: sp(ext.currency),
                        description: description()?,
                        sources: ext.sources,
                    });
                }
                "identity" => {
                    let ext: StakeholderExt =
                        typed(ext.unwrap_or(&Value::Null), index, id, &ext_path)?;
                    // Read everything that can fail before registering the id.
                    let (name, description) = (name()?, description()?);
                    stakeholders.insert(id.to_owned(), ext.model_id.clone());
                    file.stakeholders.push(StakeholderWire {
                        id: sp(ext.model_id),
                        name,
                        kind: sp(ext.kind),
                        description,
                        examples: ext.examples,
                        population: ext.population.map(|p| sp(p.into_wire())),
                    });
                }
                FACTOR_TYPE => {
                    let mut body = value.clone();
                    if let Some(map) = body.as_object_mut() {
                        for key in [
                            "type",
                            "spec_version",
                            "id",
                            "created_by_ref",
                            "created",
                            "modified",
                            "extensions",
                        ] {
                            map.remove(key);
                        }
                    }
                    let body: FactorBody = typed(&body, index, id, "")?;
                    factors.insert(id.to_owned(), body.model_id.clone());
                    pending_factors.push((index, id.to_owned(), body));
                }
                "threat-actor" => {
                    let ext: ThreatExt = typed(ext.unwrap_or(&Value::Null), index, id, &ext_path)?;
                    // Read everything that can fail before registering the index:
                    // a registered index must point at a pushed threat.
                    let (name, description) = (name()?, description()?);
                    threats.insert(id.to_owned(), file.threats.len());
                    file.threats.push(ThreatWire {
                        id: sp(ext.model_id.clone()),
                        motivation: sp(ext.motivation),
                        name,
                        description,
                        actors: ext.example_actors.clone(),
                        targets: Vec::new(),
                        exploits: Vec::new(),
                        frequency: sp(ext.frequency.clone()),
                        capability: sp(ext.capability.clone()),
                        primary_loss: sp(ext.primary_loss.clone()),
                        secondary_loss: ext.secondary_loss.clone().map(sp),
                        source: ext.source.clone(),
                        rationale: ext.rationale.clone(),
                    });
                    pending_threats.push((index, id.to_owned(), ext));
                }
                "course-of-action" => {
                    let ext: SupportExt = typed(ext.unwrap_or(&Value::Null), index, id, &ext_path)?;
                    let (name, description) = (name()?, description()?);
                    supports.insert(id.to_owned(), file.supports.len());
                    file.supports.push(SupportWire {
                        id: sp(ext.model_id.clone()),
                        kind: sp(ext.kind),
                        name,
                        description,
                        provider: sp(String::new()),
                        mitigates: Vec::new(),
                        effect: sp(EffectWire {
                            on: ext.effect.target,
                            change: sp(ext.effect.change),
                            source: ext.effect.source.clone(),
                            rationale: ext.effect.rationale.clone(),
                        }),
                        annual_cost: sp(ext.annual_cost),
                        source: ext.source.clone(),
                        rationale: ext.rationale.clone(),
                    });
                    pending_supports.push((index, id.to_owned(), ext.provider_ref));
                }
                "relationship" => relationships.push((index, id.to_owned(), object)),
                other => {
                    return Err(issue(
                        Some(index),
                        Some(id),
                        Some(ext_path.clone()),
                        format!(
                            "holisec properties on a `{other}` object, which the model has no place for"
                        ),
                    ));
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            errors.push(e);
        }
    }

    let resolve = |map: &HashMap<String, String>,
                   r: &str,
                   index: usize,
                   id: &str,
                   path: String,
                   what: &str| {
        map.get(r).cloned().ok_or_else(|| {
            issue(
                Some(index),
                Some(id),
                Some(path),
                format!("refers to {what} `{r}`, which is not in the bundle"),
            )
        })
    };
    for (index, id, body) in pending_factors {
        match resolve(
            &stakeholders,
            &body.stakeholder_ref,
            index,
            &id,
            "stakeholder_ref".into(),
            "stakeholder",
        ) {
            Ok(owner) => file.vulnerabilities.push(VulnerabilityWire {
                id: sp(body.model_id),
                stakeholder: sp(owner),
                domain: sp(body.domain),
                name: body.name,
                description: body.description,
                resistance: sp(body.resistance),
                source: body.source,
                rationale: body.rationale,
            }),
            Err(e) => errors.push(e),
        }
    }
    for (s, (index, id, provider)) in pending_supports.into_iter().enumerate() {
        let path = format!("extensions.{prop_id}.provider_ref");
        match resolve(&stakeholders, &provider, index, &id, path, "stakeholder") {
            Ok(owner) => file.supports[s].provider = sp(owner),
            Err(e) => errors.push(e),
        }
    }
    for (index, id, ext) in pending_threats {
        for (k, o) in ext.scenario_overrides.into_iter().enumerate() {
            let base = format!("extensions.{prop_id}.scenario_overrides[{k}]");
            let v = resolve(
                &factors,
                &o.vulnerability_ref,
                index,
                &id,
                format!("{base}.vulnerability_ref"),
                "factor",
            );
            let s = resolve(
                &stakeholders,
                &o.stakeholder_ref,
                index,
                &id,
                format!("{base}.stakeholder_ref"),
                "stakeholder",
            );
            match (v, s) {
                (Ok(v), Ok(s)) => file.scenarios.push(ScenarioWire {
                    threat: sp(ext.model_id.clone()),
                    vulnerability: sp(v),
                    stakeholder: sp(s),
                    frequency: o.frequency.map(sp),
                    capability: o.capability.map(sp),
                    resistance: o.resistance.map(sp),
                    primary_loss: o.primary_loss.map(sp),
                    secondary_loss: o.secondary_loss.map(sp),
                    source: o.source,
                    rationale: o.rationale,
                }),
                (a, b) => errors.extend(a.err().into_iter().chain(b.err())),
            }
        }
    }

    for (index, id, object) in relationships {
        let rtype = string_field(object, "relationship_type").unwrap_or("");
        let (Some(src), Some(dst)) = (
            string_field(object, "source_ref"),
            string_field(object, "target_ref"),
        ) else {
            if holisec_ext(object, &prop_id).is_some() {
                errors.push(issue(
                    Some(index),
                    Some(&id),
                    None,
                    "relationship without string `source_ref` and `target_ref`",
                ));
            } else {
                *skipped.entry("relationship".into()).or_default() += 1;
            }
            continue;
        };
        let known = |r: &str| {
            stakeholders.contains_key(r)
                || factors.contains_key(r)
                || threats.contains_key(r)
                || supports.contains_key(r)
        };
        let ext = holisec_ext(object, &prop_id);
        if !known(src) || !known(dst) {
            let (end, other) = if known(src) {
                ("target_ref", dst)
            } else {
                ("source_ref", src)
            };
            if ext.is_some() || ((known(src) || known(dst)) && !all_ids.contains(other)) {
                let missing = (end, other);
                dangling.push(issue(
                    Some(index),
                    Some(&id),
                    Some(missing.0.into()),
                    format!("`{rtype}` relationship refers to `{}`, which is not a holisec object of the bundle; skipped", missing.1),
                ));
            } else {
                *skipped.entry("relationship".into()).or_default() += 1;
            }
            continue;
        }
        if let Some(ext) = ext {
            let path = format!("extensions.{prop_id}");
            match typed::<RelationExt>(ext, index, &id, &path) {
                Ok(r) => match (stakeholders.get(src), stakeholders.get(dst)) {
                    (Some(from), Some(to)) => {
                        let description = match object.get("description") {
                            Some(Value::String(s)) => Some(s.clone()),
                            _ => None,
                        };
                        file.relations.push(RelationWire {
                            from: sp(from.clone()),
                            to: sp(to.clone()),
                            level: sp(r.level),
                            kind: sp(r.relation_kind),
                            strength: sp(r.strength),
                            description,
                            source: r.source,
                            rationale: r.rationale,
                        });
                    }
                    _ => errors.push(issue(
                        Some(index),
                        Some(&id),
                        None,
                        "a holisec relation must join two stakeholder identities",
                    )),
                },
                Err(e) => errors.push(e),
            }
            continue;
        }
        match (rtype, threats.get(src), supports.get(src)) {
            ("targets", Some(&t), _) if stakeholders.contains_key(dst) => {
                file.threats[t].targets.push(sp(stakeholders[dst].clone()));
            }
            ("targets", Some(&t), _) if factors.contains_key(dst) => {
                file.threats[t].exploits.push(sp(factors[dst].clone()));
            }
            ("mitigates", _, Some(&s)) if factors.contains_key(dst) => {
                file.supports[s].mitigates.push(sp(factors[dst].clone()));
            }
            _ => *skipped.entry("relationship".into()).or_default() += 1,
        }
    }

    if file.ecosystem.is_none() && errors.is_empty() {
        let total: usize = skipped.values().sum();
        errors.push(issue(
            None,
            None,
            None,
            format!(
                "the bundle holds no holisec model (no grouping with the holisec property extension); {total} objects skipped: {}",
                skipped.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.object);
        return Err(ImportError(errors));
    }
    Ok(Imported {
        file,
        skipped,
        dangling,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_v5() {
        let a = stix_id("identity", "stakeholder:hospitals");
        assert_eq!(a, stix_id("identity", "stakeholder:hospitals"));
        assert!(a.starts_with("identity--"));
        let uuid = Uuid::parse_str(&a["identity--".len()..]).unwrap();
        assert_eq!(uuid.get_version_num(), 5);
        assert_ne!(a, stix_id("identity", "stakeholder:hospital"));
    }

    #[test]
    fn timestamps_are_normalised_to_utc_milliseconds() {
        let o = ExportOptions::with_timestamp("2026-03-01T12:00:00.123456+01:00").unwrap();
        assert_eq!(o.timestamp, "2026-03-01T11:00:00.123Z");
        assert!(
            ExportOptions::with_timestamp("yesterday")
                .unwrap_err()
                .contains("RFC 3339")
        );
        assert_eq!(
            ExportOptions::with_timestamp(DEFAULT_TIMESTAMP).unwrap(),
            ExportOptions::default()
        );
    }

    #[test]
    fn non_bundles_are_clear_errors() {
        for (input, needle) in [
            (&b"[1,2]"[..], "expected a STIX bundle"),
            (b"{\"type\":\"report\"}", "expected \"bundle\""),
            (b"{\"type\":\"bundle\",\"objects\":", "truncated JSON"),
            (b"{\"type\":\"bundle\",\"objects\":7}", "expected an array"),
            (
                b"{\"type\":\"bundle\",\"objects\":[{\"type\":\"malware\",\"id\":\"malware--1\"}]}",
                "1 malware",
            ),
            (b"\xff\xfe", "invalid JSON"),
        ] {
            let err = import(input).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }
}
