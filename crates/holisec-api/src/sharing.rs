//! Sharing between stakeholders (issue 13) on a [`Store`]: incident reports
//! with a TLP 2.0 label, the alerts they raise along the model's relations,
//! alerts issued by an agency, the agency's national view, and anonymous peer
//! benchmarks of domain scores.
//!
//! This module composes the store (which scopes every read of an
//! organisation's own data by its id, and leaves other organisations' RED
//! reports out in SQL) with the pure rules of `holisec-share`
//! ([`holisec_share::tlp::may_see`], [`holisec_share::alerts::recipients`],
//! [`holisec_share::peers::benchmark`]). The organisation acting always comes
//! from the caller's session ([`Actor`]), never from a request body.
//!
//! TLP labels are stored in lower case without the `TLP:` prefix
//! (`amber+strict`); [`Tlp`] parses both spellings.

use std::collections::{BTreeMap, BTreeSet};

use holisec_assess::Questionnaire;
use holisec_exchange::mapping::{motive_class, variety_domain};
use holisec_exchange::veris::ActionCategory;
use holisec_model::{Domain, Ecosystem, StakeholderKind};
use holisec_share::alerts::{Priority, Recipient, Subject};
use holisec_share::peers::{PeerBenchmark, PeerQuery, PeerScores};
use holisec_share::tlp::{Decision, may_change_tlp, may_see};
use holisec_share::{OrgId, OrgProfile, SizeBand, Tlp};
use holisec_store::{
    InboxEntry, Incident, IncidentEdit, IncidentVersion, NewAlert, NewIncident, NewRecipient,
    SharingRecord, Store,
};
use serde::{Deserialize, Serialize};

use crate::ApiError;

/// Organisation and incident ids in request bodies: JSON has one number
/// type, so `12.0` is the id 12 (as JSON Schema counts it an integer);
/// `12.5` is refused.
mod json_ids {
    use serde::{Deserialize, Deserializer, de::Error};

    fn integral<E: Error>(x: f64) -> Result<i64, E> {
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            #[allow(clippy::cast_possible_truncation)]
            Ok(x as i64)
        } else {
            Err(E::custom(format!("{x}: expected a whole number (an id)")))
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        Int(i64),
        Float(f64),
    }

    impl Num {
        fn id<E: Error>(self) -> Result<i64, E> {
            match self {
                Num::Int(i) => Ok(i),
                Num::Float(x) => integral(x),
            }
        }
    }

    pub(super) fn one<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Option::<Num>::deserialize(d)?.map(Num::id).transpose()
    }

    pub(super) fn many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
        Vec::<Num>::deserialize(d)?
            .into_iter()
            .map(Num::id)
            .collect()
    }
}

/// Who acts: the organisation and user of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The organisation of the session.
    pub org: OrgId,
    /// The user, when a user acts (not the server itself).
    pub user: Option<i64>,
}

/// The VERIS actor type of an incident.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorType {
    /// Outside the organisation.
    External,
    /// Staff of the organisation.
    Internal,
    /// A partner (supplier, contractor).
    Partner,
}

/// A security attribute an incident affected.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attribute {
    /// Data disclosed.
    Confidentiality,
    /// Data or systems altered.
    Integrity,
    /// Data or systems unavailable.
    Availability,
}

/// The VERIS motives accepted (`actor.*.motive`).
pub const MOTIVES: [&str; 11] = [
    "Financial",
    "Espionage",
    "Ideology",
    "Grudge",
    "Fun",
    "Convenience",
    "Secondary",
    "Fear",
    "NA",
    "Other",
    "Unknown",
];

/// Longest narrative accepted, in characters.
pub const MAX_NARRATIVE_CHARS: usize = 20_000;

/// Most entries of one list (actions, assets, factors).
pub const MAX_LIST: usize = 100;

/// The essentials of a VERIS incident, as an organisation reports it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentReport {
    /// When it happened, `YYYY-MM-DD`.
    pub date: String,
    /// External, internal or partner.
    pub actor: ActorType,
    /// VERIS motive (one of [`MOTIVES`]).
    pub motive: String,
    /// Action varieties as `category.Variety` (`malware.Ransomware`, `social.Phishing`).
    pub actions: Vec<String>,
    /// Assets affected as VERIS writes them (`S - Database`).
    #[serde(default)]
    pub assets: Vec<String>,
    /// Attributes affected.
    #[serde(default)]
    pub attributes: Vec<Attribute>,
    /// How it was discovered (VERIS `discovery_method`, as written).
    pub discovery: String,
    /// Its cost in EUR, when known.
    #[serde(default)]
    pub impact_eur: Option<f64>,
    /// What happened, in words.
    #[serde(default)]
    pub narrative: Option<String>,
    /// The supplier (an organisation id) the incident came through, when named.
    #[serde(default, deserialize_with = "json_ids::one")]
    pub supplier: Option<OrgId>,
    /// The model's vulnerability factors (ids) that played a part.
    #[serde(default)]
    pub factors: Vec<String>,
}

fn field(option: &'static str, value: impl ToString, expected: &str) -> ApiError {
    ApiError::option(option, value, expected)
}

fn check_date(date: &str) -> bool {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|_| s.bytes().all(|c| c.is_ascii_digit()))
    };
    let (Some(y), Some(m), Some(d)) = (num(&date[..4]), num(&date[5..7]), num(&date[8..])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=9999).contains(&y) && (1..=days).contains(&d)
}

/// `category.Variety` split into its VERIS category and variety.
fn parse_action(action: &str) -> Option<(ActionCategory, &str)> {
    let (category, variety) = action.split_once('.')?;
    let category = ActionCategory::ALL
        .into_iter()
        .find(|c| c.as_str() == category)?;
    (!variety.trim().is_empty()).then_some((category, variety))
}

fn short_text(s: &str, max: usize) -> bool {
    !s.trim().is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control)
}

impl IncidentReport {
    /// Checks every field against the VERIS vocabulary and the model,
    /// naming the first at fault ([`ApiError::Option`]).
    pub fn check(&self, eco: &Ecosystem) -> Result<(), ApiError> {
        if !check_date(&self.date) {
            return Err(field("date", &self.date, "a date YYYY-MM-DD"));
        }
        if !MOTIVES.contains(&self.motive.as_str()) {
            return Err(field("motive", &self.motive, &MOTIVES.join(", ")));
        }
        if self.actions.is_empty() || self.actions.len() > MAX_LIST {
            return Err(field(
                "actions",
                self.actions.len(),
                "1 to 100 action varieties",
            ));
        }
        if let Some(bad) = self.actions.iter().find(|a| parse_action(a).is_none()) {
            let categories: Vec<&str> = ActionCategory::ALL.iter().map(|c| c.as_str()).collect();
            let expected = format!(
                "category.Variety with a category among {}",
                categories.join(", ")
            );
            return Err(field("actions", bad, &expected));
        }
        if self.assets.len() > MAX_LIST {
            return Err(field("assets", self.assets.len(), "at most 100 assets"));
        }
        if let Some(bad) = self.assets.iter().find(|a| !short_text(a, 200)) {
            return Err(field("assets", bad, "asset names of 1 to 200 characters"));
        }
        if !short_text(&self.discovery, 200) {
            return Err(field(
                "discovery",
                &self.discovery,
                "a discovery method of 1 to 200 characters",
            ));
        }
        if let Some(x) = self.impact_eur
            && !(x.is_finite() && x >= 0.0)
        {
            return Err(field("impact_eur", x, "an amount of 0 or more EUR"));
        }
        if let Some(n) = &self.narrative
            && n.chars().count() > MAX_NARRATIVE_CHARS
        {
            return Err(field(
                "narrative",
                n.chars().count(),
                "at most 20000 characters",
            ));
        }
        if self.factors.len() > MAX_LIST {
            return Err(field("factors", self.factors.len(), "at most 100 factors"));
        }
        if let Some(bad) = self
            .factors
            .iter()
            .find(|f| eco.vulnerability_by_id(f).is_none())
        {
            let hint = crate::did_you_mean(bad, eco.vulnerabilities.iter().map(|v| v.id.as_str()));
            return Err(field(
                "factors",
                bad,
                &format!("vulnerability factors of the model{hint}"),
            ));
        }
        Ok(())
    }
}

/// A TLP 2.0 label as requests write it (for the OpenAPI document; the
/// server also reads lower case and no `TLP:` prefix).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum TlpLabel {
    /// Anyone.
    #[schema(rename = "TLP:CLEAR")]
    Clear,
    /// The community.
    #[schema(rename = "TLP:GREEN")]
    Green,
    /// The owner's agency, suppliers, clients and related organisations of its country.
    #[schema(rename = "TLP:AMBER")]
    Amber,
    /// The owner's agency only.
    #[schema(rename = "TLP:AMBER+STRICT")]
    AmberStrict,
    /// The owner only.
    #[schema(rename = "TLP:RED")]
    Red,
}

/// A size band as requests write it (for the OpenAPI document).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum SizeBandName {
    /// Small.
    #[schema(rename = "small")]
    Small,
    /// Medium.
    #[schema(rename = "medium")]
    Medium,
    /// Large.
    #[schema(rename = "large")]
    Large,
}

/// The stored spelling of a label: `amber+strict`.
pub fn tlp_key(tlp: Tlp) -> String {
    tlp.label().trim_start_matches("TLP:").to_ascii_lowercase()
}

fn stored_tlp(text: &str) -> Result<Tlp, ApiError> {
    text.parse()
        .map_err(|e: holisec_share::tlp::TlpError| ApiError::Failed(format!("stored label: {e}")))
}

fn kind_of(text: &str) -> Option<StakeholderKind> {
    StakeholderKind::ALL
        .iter()
        .copied()
        .find(|k| k.as_str() == text)
}

fn profile_of(r: &SharingRecord) -> Result<OrgProfile, ApiError> {
    let kind = kind_of(&r.kind).ok_or_else(|| {
        ApiError::Failed(format!(
            "organisation {} has kind `{}`, not a stakeholder kind of the model",
            r.id, r.kind
        ))
    })?;
    let size_band = match r.size_band.as_deref() {
        Some("small") => Some(SizeBand::Small),
        Some("medium") => Some(SizeBand::Medium),
        Some("large") => Some(SizeBand::Large),
        _ => None,
    };
    Ok(OrgProfile {
        id: r.id,
        kind,
        country: r.country.clone(),
        size_band,
        suppliers: r.suppliers.clone(),
        shares_with_agency: r.agency_id,
        benchmark_opt_in: r.benchmark_opt_in,
    })
}

/// What the sharing rules know about organisation `org_id`.
pub fn org_profile(store: &Store, org_id: OrgId) -> Result<OrgProfile, ApiError> {
    let record = store
        .sharing_record(org_id)?
        .ok_or_else(|| ApiError::Invalid(format!("no organisation with id {org_id}")))?;
    profile_of(&record)
}

/// Every organisation's profile (organisations whose kind is not one of the
/// model's are left out: no rule can place them).
fn community(store: &Store) -> Result<Vec<OrgProfile>, ApiError> {
    Ok(store
        .sharing_records()?
        .iter()
        .filter_map(|r| profile_of(r).ok())
        .collect())
}

fn priority_key(p: Priority) -> &'static str {
    match p {
        Priority::High => "high",
        Priority::Normal => "normal",
        Priority::Low => "low",
    }
}

/// Adds `more` to `into`, keeping each organisation's highest priority, then shortest chain.
fn merge(into: &mut BTreeMap<OrgId, Recipient>, more: Vec<Recipient>) {
    for r in more {
        let better = into
            .get(&r.org)
            .is_none_or(|c| (r.priority, r.chain.len()) < (c.priority, c.chain.len()));
        if better {
            into.insert(r.org, r);
        }
    }
}

/// The recipients of an alert about `subjects` from `owner` under `tlp`:
/// every organisation the rules reach that may see the report, never the owner.
fn audience(
    eco: &Ecosystem,
    orgs: &[OrgProfile],
    owner: &OrgProfile,
    subjects: &[Subject],
    tlp: Tlp,
    origin_country: Option<&str>,
) -> Result<Vec<Recipient>, ApiError> {
    let mut all = BTreeMap::new();
    for subject in subjects {
        let found = holisec_share::alerts::recipients(eco, orgs, subject, origin_country)
            .map_err(|e| ApiError::Invalid(format!("alert recipients: {e}")))?;
        merge(&mut all, found);
    }
    let mut out: Vec<Recipient> = all
        .into_values()
        .filter(|r| r.org != owner.id)
        .filter(|r| {
            orgs.iter()
                .find(|o| o.id == r.org)
                .is_some_and(|viewer| may_see(owner, tlp, Some(viewer), eco).allowed)
        })
        .collect();
    out.sort_by_key(|r| (r.priority, r.org));
    Ok(out)
}

fn store_alert(
    store: &mut Store,
    alert: &NewAlert<'_>,
    recipients: &[Recipient],
    now: &str,
) -> Result<Option<i64>, ApiError> {
    if recipients.is_empty() {
        return Ok(None);
    }
    let rows: Vec<NewRecipient> = recipients
        .iter()
        .map(|r| {
            Ok(NewRecipient {
                organisation_id: r.org,
                priority: priority_key(r.priority),
                chain: serde_json::to_value(&r.chain)
                    .map_err(|e| ApiError::Failed(e.to_string()))?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Some(store.create_alert(alert, &rows, now)?))
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Failed(e.to_string()))
}

/// What reporting an incident did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reported {
    /// The stored incident.
    pub incident: Incident,
    /// The alert raised (none when nobody else may see the report or the rules reach nobody).
    pub alert: Option<i64>,
    /// Who was alerted, each with why.
    pub recipients: Vec<Recipient>,
}

/// Stores `report` of the actor's organisation under `tlp`, then alerts the
/// organisations the rules reach (about the named supplier, each named
/// factor, or else the incident itself) that may see it under `tlp`.
pub fn report_incident(
    store: &mut Store,
    eco: &Ecosystem,
    actor: Actor,
    report: &IncidentReport,
    tlp: Tlp,
    now: &str,
) -> Result<Reported, ApiError> {
    report.check(eco)?;
    let orgs = community(store)?;
    let owner = orgs
        .iter()
        .find(|o| o.id == actor.org)
        .ok_or_else(|| ApiError::Invalid(format!("no organisation with id {}", actor.org)))?;
    let mut subjects: Vec<Subject> = Vec::new();
    if let Some(s) = report.supplier {
        if !orgs
            .iter()
            .any(|o| o.id == s && o.kind == StakeholderKind::SolutionProvider)
        {
            return Err(field(
                "supplier",
                s,
                "the id of a solution-provider organisation",
            ));
        }
        subjects.push(Subject::Supplier(s));
    }
    subjects.extend(report.factors.iter().cloned().map(Subject::Factor));
    if subjects.is_empty() {
        subjects.push(Subject::Incident { reporter: owner.id });
    }
    // The national picture is the reporter's: an incident at a French
    // hospital goes to France's agency, whatever country its supplier is in.
    let recipients = audience(eco, &orgs, owner, &subjects, tlp, owner.country.as_deref())?;
    let n = store.incidents_of_org(actor.org)?.len();
    let stix_id =
        holisec_exchange::stix::stix_id("report", &format!("incident/{}/{now}/{n}", actor.org));
    let key = tlp_key(tlp);
    let incident = store.create_incident(
        &NewIncident {
            organisation_id: actor.org,
            created_by: actor.user,
            tlp: &key,
            stix_id: &stix_id,
            report: &to_json(report)?,
        },
        now,
    )?;
    let title = format!(
        "Incident reported by organisation {} on {}",
        actor.org, report.date
    );
    let alert = NewAlert {
        issued_by_org: None,
        incident_id: Some(incident.id),
        subject: &to_json(&subjects)?,
        title: &title,
        text: report.narrative.as_deref().unwrap_or(""),
        tlp: &key,
        created_by: actor.user,
    };
    let alert = store_alert(store, &alert, &recipients, now)?;
    Ok(Reported {
        incident,
        alert,
        recipients,
    })
}

/// An incident another organisation's rules let the viewer see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisibleIncident {
    /// The incident.
    pub incident: Incident,
    /// Why the viewer may see it.
    pub decision: Decision,
}

/// The incidents organisation `viewer` may see (its own included), each with
/// the decision of the TLP rules.
pub fn visible_incidents(
    store: &Store,
    eco: &Ecosystem,
    viewer: OrgId,
) -> Result<Vec<VisibleIncident>, ApiError> {
    let orgs = community(store)?;
    let Some(me) = orgs.iter().find(|o| o.id == viewer) else {
        return Err(ApiError::Invalid(format!(
            "no organisation with id {viewer}"
        )));
    };
    let mut out = Vec::new();
    for incident in store.incident_candidates(viewer)? {
        let Some(owner) = orgs.iter().find(|o| o.id == incident.organisation_id) else {
            continue;
        };
        let decision = may_see(owner, stored_tlp(&incident.tlp)?, Some(me), eco);
        if decision.allowed {
            out.push(VisibleIncident { incident, decision });
        }
    }
    Ok(out)
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("no incident {id}"))
}

/// Replaces the report of the actor's incident `id` (a new version; the history keeps the old one).
pub fn edit_incident(
    store: &mut Store,
    eco: &Ecosystem,
    actor: Actor,
    id: i64,
    report: &IncidentReport,
    now: &str,
) -> Result<Incident, ApiError> {
    report.check(eco)?;
    let json = to_json(report)?;
    let edit = IncidentEdit {
        owner: actor.org,
        id,
        report: Some(&json),
        tlp: None,
        edited_by: actor.user,
    };
    store
        .edit_incident(&edit, now)?
        .ok_or_else(|| not_found(id))
}

/// Withdraws the actor's incident `id`: kept with its history, shared no more.
pub fn withdraw_incident(
    store: &mut Store,
    actor: Actor,
    id: i64,
    now: &str,
) -> Result<(), ApiError> {
    if store.withdraw_incident(actor.org, id, actor.user, now)? {
        return Ok(());
    }
    // Withdrawing twice is one withdrawal: the owner's repeat succeeds.
    match store.incident_in_org(actor.org, id)? {
        Some(i) if i.withdrawn_at.is_some() => Ok(()),
        _ => Err(not_found(id)),
    }
}

/// The versions of the actor's incident `id`, oldest first.
pub fn incident_history(
    store: &Store,
    actor: Actor,
    id: i64,
) -> Result<Vec<IncidentVersion>, ApiError> {
    store
        .incident_history(actor.org, id)?
        .ok_or_else(|| not_found(id))
}

/// Changes the label of incident `id` to `tlp`: only its owner may
/// ([`holisec_share::tlp::may_change_tlp`]); anyone else who can see it is
/// [`ApiError::Refused`] with the reason.
pub fn change_tlp(
    store: &mut Store,
    eco: &Ecosystem,
    actor: Actor,
    id: i64,
    tlp: Tlp,
    now: &str,
) -> Result<Incident, ApiError> {
    let Some(current) = visible_incidents(store, eco, actor.org)?
        .into_iter()
        .find(|v| v.incident.id == id)
    else {
        return Err(not_found(id));
    };
    let owner = org_profile(store, current.incident.organisation_id)?;
    let me = org_profile(store, actor.org)?;
    let from = stored_tlp(&current.incident.tlp)?;
    let decision = may_change_tlp(&owner, &me, from, tlp);
    if !decision.allowed {
        return Err(ApiError::Refused(decision.reason));
    }
    let key = tlp_key(tlp);
    let edit = IncidentEdit {
        owner: actor.org,
        id,
        report: None,
        tlp: Some(&key),
        edited_by: actor.user,
    };
    store
        .edit_incident(&edit, now)?
        .ok_or_else(|| not_found(id))
}

/// An alert an agency issues.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyAlert {
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// Its label.
    #[cfg_attr(feature = "openapi", schema(value_type = TlpLabel))]
    pub tlp: Tlp,
    /// Incidents it is about (each visible to the agency).
    #[serde(default, deserialize_with = "json_ids::many")]
    pub incidents: Vec<i64>,
    /// Vulnerability factors of the model it is about.
    #[serde(default)]
    pub factors: Vec<String>,
    /// Supplier organisations it is about.
    #[serde(default, deserialize_with = "json_ids::many")]
    pub suppliers: Vec<OrgId>,
}

/// What issuing an alert did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issued {
    /// The alert's id (none when the rules reach nobody).
    pub alert: Option<i64>,
    /// Who receives it, each with why.
    pub recipients: Vec<Recipient>,
}

fn agency_alert_subjects(
    store: &Store,
    eco: &Ecosystem,
    actor: Actor,
    alert: &AgencyAlert,
) -> Result<Vec<Subject>, ApiError> {
    let visible = visible_incidents(store, eco, actor.org)?;
    let mut subjects = Vec::new();
    for id in &alert.incidents {
        let Some(v) = visible.iter().find(|v| v.incident.id == *id) else {
            return Err(field(
                "incidents",
                id,
                "ids of incidents the agency may see",
            ));
        };
        subjects.push(Subject::Incident {
            reporter: v.incident.organisation_id,
        });
    }
    if let Some(bad) = alert
        .factors
        .iter()
        .find(|f| eco.vulnerability_by_id(f).is_none())
    {
        return Err(field("factors", bad, "vulnerability factors of the model"));
    }
    subjects.extend(alert.factors.iter().cloned().map(Subject::Factor));
    subjects.extend(alert.suppliers.iter().map(|s| Subject::Supplier(*s)));
    if subjects.is_empty() {
        return Err(field(
            "incidents",
            "[]",
            "at least one incident, factor or supplier",
        ));
    }
    Ok(subjects)
}

/// Issues an alert from the actor's organisation, which must be an
/// `agency-institution` ([`ApiError::Refused`] otherwise), to the
/// organisations the rules reach from its subjects (in the agency's country)
/// that may see it under its label.
pub fn issue_alert(
    store: &mut Store,
    eco: &Ecosystem,
    actor: Actor,
    alert: &AgencyAlert,
    now: &str,
) -> Result<Issued, ApiError> {
    let me = org_profile(store, actor.org)?;
    if me.kind != StakeholderKind::AgencyInstitution {
        return Err(ApiError::Refused(format!(
            "only an agency-institution organisation may issue alerts; organisation {} is of kind `{}`",
            me.id, me.kind
        )));
    }
    if !short_text(&alert.title, 200) {
        return Err(field("title", &alert.title, "1 to 200 characters"));
    }
    if alert.text.chars().count() > MAX_NARRATIVE_CHARS {
        return Err(field(
            "text",
            alert.text.chars().count(),
            "at most 20000 characters",
        ));
    }
    let subjects = agency_alert_subjects(store, eco, actor, alert)?;
    let orgs = community(store)?;
    let recipients = audience(eco, &orgs, &me, &subjects, alert.tlp, me.country.as_deref())?;
    let key = tlp_key(alert.tlp);
    let new = NewAlert {
        issued_by_org: Some(actor.org),
        incident_id: alert.incidents.first().copied(),
        subject: &to_json(&subjects)?,
        title: &alert.title,
        text: &alert.text,
        tlp: &key,
        created_by: actor.user,
    };
    let id = store_alert(store, &new, &recipients, now)?;
    Ok(Issued {
        alert: id,
        recipients,
    })
}

/// The alerts organisation `org` received, newest first.
pub fn inbox(store: &Store, org: OrgId) -> Result<Vec<InboxEntry>, ApiError> {
    Ok(store.inbox(org)?)
}

/// Acknowledges alert `alert_id` for the actor's organisation.
pub fn acknowledge(
    store: &mut Store,
    actor: Actor,
    alert_id: i64,
    now: &str,
) -> Result<(), ApiError> {
    if store.acknowledge_alert(actor.org, alert_id, actor.user, now)? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("no alert {alert_id}")))
    }
}

/// An agency's view of the incidents of its country (and of the
/// organisations that name it), counted. The category names are those of
/// `holisec evidence summary` (motivation classes, model domains, VERIS
/// `category.Variety`, stakeholder kinds).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AgencyView {
    /// Incidents counted.
    pub incidents: usize,
    /// By month of the incident date (`YYYY-MM`).
    pub by_month: BTreeMap<String, usize>,
    /// By motivation class (`crime`, `espionage`, ..., `unintentional`, `other`, `unknown`).
    pub by_motivation: BTreeMap<String, usize>,
    /// By model domain of the actions (`unknown` when none maps to one).
    pub by_domain: BTreeMap<String, usize>,
    /// By action variety, `category.Variety`.
    pub by_action_variety: BTreeMap<String, usize>,
    /// By stakeholder kind of the reporting organisation.
    pub by_kind: BTreeMap<String, usize>,
    /// The organisations affected: id and name, by id.
    pub organisations: Vec<(OrgId, String)>,
}

fn count_once(table: &mut BTreeMap<String, usize>, keys: BTreeSet<String>) {
    for k in keys {
        *table.entry(k).or_default() += 1;
    }
}

fn add_to_view(view: &mut AgencyView, report: &IncidentReport, kind: StakeholderKind) {
    view.incidents += 1;
    *view
        .by_month
        .entry(report.date.chars().take(7).collect())
        .or_default() += 1;
    let state = false;
    let motive = motive_class(&report.motive, state).map_or("unknown", |m| m.as_str());
    *view.by_motivation.entry(motive.to_owned()).or_default() += 1;
    let actions: Vec<(ActionCategory, &str)> = report
        .actions
        .iter()
        .filter_map(|a| parse_action(a))
        .collect();
    let mut domains: BTreeSet<String> = actions
        .iter()
        .filter_map(|(c, v)| variety_domain(*c, v))
        .map(|d: Domain| d.as_str().to_owned())
        .collect();
    if domains.is_empty() {
        domains.insert("unknown".to_owned());
    }
    count_once(&mut view.by_domain, domains);
    count_once(
        &mut view.by_action_variety,
        report.actions.iter().cloned().collect(),
    );
    *view.by_kind.entry(kind.as_str().to_owned()).or_default() += 1;
}

/// The view of agency `agency`: the incidents it may see whose owner is of
/// its country or names it as its agency, counted by month, motivation,
/// domain, action variety and kind, with the organisations affected.
/// [`ApiError::Refused`] unless `agency` is an `agency-institution`.
pub fn agency_view(store: &Store, eco: &Ecosystem, agency: OrgId) -> Result<AgencyView, ApiError> {
    let me = org_profile(store, agency)?;
    if me.kind != StakeholderKind::AgencyInstitution {
        return Err(ApiError::Refused(format!(
            "the agency view is for agency-institution organisations; organisation {} is of kind `{}`",
            me.id, me.kind
        )));
    }
    let records = store.sharing_records()?;
    let mut view = AgencyView::default();
    let mut affected = BTreeMap::new();
    for v in visible_incidents(store, eco, agency)? {
        let Some(owner) = records.iter().find(|r| r.id == v.incident.organisation_id) else {
            continue;
        };
        let ours = owner.agency_id == Some(agency)
            || (me.country.is_some() && owner.country == me.country);
        let (true, Some(kind)) = (ours && owner.id != agency, kind_of(&owner.kind)) else {
            continue;
        };
        // A report that no longer reads as one (an older layout) is left out, not guessed.
        let Ok(report) = serde_json::from_value::<IncidentReport>(v.incident.report.clone()) else {
            continue;
        };
        add_to_view(&mut view, &report, kind);
        affected.insert(owner.id, owner.name.clone());
    }
    view.organisations = affected.into_iter().collect();
    Ok(view)
}

/// Domain scores of organisation `org`'s latest assessment with `q`, if it has one.
fn latest_scores(
    store: &Store,
    q: &Questionnaire,
    org: OrgId,
) -> Result<Option<BTreeMap<Domain, f64>>, ApiError> {
    let Some(latest) = store
        .assessments_of_org(org)?
        .into_iter()
        .rev()
        .find(|a| a.questionnaire == q.id)
    else {
        return Ok(None);
    };
    let (_, scores) = crate::assess::score(store, q, latest.id)?;
    Ok(Some(
        scores
            .domains
            .iter()
            .filter_map(|d| d.domain.map(|domain| (domain, d.score)))
            .collect(),
    ))
}

/// Organisation `org`'s domain scores (its latest assessment with `q`)
/// against those of the opted-in peers' latest assessments, k-anonymous
/// ([`holisec_share::peers::benchmark`]).
pub fn peer_benchmark(
    store: &Store,
    q: &Questionnaire,
    org: OrgId,
    query: &PeerQuery,
) -> Result<PeerBenchmark, ApiError> {
    let me = org_profile(store, org)?;
    let Some(scores) = latest_scores(store, q, org)? else {
        return Err(ApiError::Invalid(format!(
            "organisation {org} has no assessment with questionnaire `{}` to compare",
            q.id
        )));
    };
    let own = PeerScores {
        org,
        country: me.country.clone(),
        size_band: me.size_band,
        scores,
    };
    let mut peers = Vec::new();
    for p in community(store)? {
        if !p.benchmark_opt_in || p.id == org {
            continue;
        }
        if let Some(scores) = latest_scores(store, q, p.id)? {
            peers.push(PeerScores {
                org: p.id,
                country: p.country,
                size_band: p.size_band,
                scores,
            });
        }
    }
    holisec_share::peers::benchmark(&own, &peers, query)
        .map_err(|e| ApiError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use holisec_share::peers::{KAnonymity, Scope};
    use holisec_store::{Answer, ProfileUpdate};

    const NOW: &str = "2026-03-01T10:00:00Z";

    struct World {
        store: Store,
        eco: Ecosystem,
        h: [OrgId; 3],
        agency: OrgId,
        supplier: OrgId,
    }

    fn org(s: &mut Store, name: &str, kind: &str, country: Option<&str>) -> OrgId {
        let id = s.create_organisation(name, kind, NOW).expect("new").id;
        let p = ProfileUpdate {
            country: country.map(str::to_owned),
            ..ProfileUpdate::default()
        };
        assert!(s.set_sharing_profile(id, &p, None, NOW).expect("profile"));
        id
    }

    /// Three FR hospitals, an FR agency, and a supplier (of no country, so
    /// national information sharing does not apply to it) used by the first two.
    fn world() -> World {
        let mut s = Store::open_in_memory().expect("store");
        let h = [
            org(&mut s, "H1", "healthcare-organisation", Some("FR")),
            org(&mut s, "H2", "healthcare-organisation", Some("FR")),
            org(&mut s, "H3", "healthcare-organisation", Some("FR")),
        ];
        let agency = org(&mut s, "ANSSI", "agency-institution", Some("FR"));
        let supplier = org(&mut s, "MedSoft", "solution-provider", None);
        for client in &h[..2] {
            assert!(
                s.set_suppliers(*client, &[supplier], None, NOW)
                    .expect("suppliers")
            );
        }
        World {
            store: s,
            eco: crate::model::builtin().value.ecosystem,
            h,
            agency,
            supplier,
        }
    }

    fn report() -> IncidentReport {
        IncidentReport {
            date: "2026-02-14".into(),
            actor: ActorType::External,
            motive: "Financial".into(),
            actions: vec!["malware.Ransomware".into(), "social.Phishing".into()],
            assets: vec!["S - Database".into()],
            attributes: vec![Attribute::Availability],
            discovery: "Int - reported by employee".into(),
            impact_eur: Some(250_000.0),
            narrative: Some("Encrypted the records server".into()),
            supplier: None,
            factors: vec![],
        }
    }

    fn actor(org: OrgId) -> Actor {
        Actor { org, user: None }
    }

    #[test]
    fn an_amber_incident_at_a_supplier_alerts_exactly_its_clients() {
        let mut w = world();
        let out = report_incident(
            &mut w.store,
            &w.eco,
            actor(w.supplier),
            &report(),
            Tlp::Amber,
            NOW,
        )
        .expect("reported");
        let got: Vec<(OrgId, Priority)> =
            out.recipients.iter().map(|r| (r.org, r.priority)).collect();
        assert_eq!(
            got,
            vec![(w.h[0], Priority::High), (w.h[1], Priority::High)]
        );
        assert!(
            out.recipients[0].chain[0].why.contains("uses supplier"),
            "{:?}",
            out.recipients[0].chain
        );
        let alert = out.alert.expect("an alert");
        for (org, expected) in [(w.h[0], 1), (w.h[1], 1), (w.h[2], 0), (w.agency, 0)] {
            let inbox = inbox(&w.store, org).expect("inbox");
            assert_eq!(inbox.len(), expected, "org {org}");
            if let Some(e) = inbox.first() {
                assert_eq!((e.alert.id, e.priority.as_str()), (alert, "high"));
                assert!(e.chain.to_string().contains("uses supplier"));
            }
        }
        acknowledge(&mut w.store, actor(w.h[0]), alert, NOW).expect("ack");
        assert!(acknowledge(&mut w.store, actor(w.h[2]), alert, NOW).is_err());
        assert_eq!(out.incident.tlp, "amber");
        assert!(out.incident.stix_id.starts_with("report--"));
    }

    #[test]
    fn a_red_report_is_invisible_to_all_others() {
        let mut w = world();
        let out = report_incident(
            &mut w.store,
            &w.eco,
            actor(w.h[0]),
            &report(),
            Tlp::Red,
            NOW,
        )
        .expect("reported");
        assert!(out.recipients.is_empty() && out.alert.is_none());
        for viewer in [w.h[1], w.h[2], w.agency, w.supplier] {
            assert!(
                visible_incidents(&w.store, &w.eco, viewer)
                    .expect("visible")
                    .is_empty()
            );
            assert!(inbox(&w.store, viewer).expect("inbox").is_empty());
        }
        let own = visible_incidents(&w.store, &w.eco, w.h[0]).expect("own");
        assert_eq!(own.len(), 1);
        // Only the owner may relabel it.
        let err = change_tlp(
            &mut w.store,
            &w.eco,
            actor(w.h[1]),
            out.incident.id,
            Tlp::Clear,
            NOW,
        )
        .expect_err("not visible");
        assert!(err.is_invalid_input());
        let green = change_tlp(
            &mut w.store,
            &w.eco,
            actor(w.h[0]),
            out.incident.id,
            Tlp::Green,
            NOW,
        )
        .expect("owner");
        assert_eq!((green.tlp.as_str(), green.version), ("green", 2));
        let err = change_tlp(
            &mut w.store,
            &w.eco,
            actor(w.h[1]),
            out.incident.id,
            Tlp::Red,
            NOW,
        )
        .expect_err("not the owner");
        assert!(matches!(err, ApiError::Refused(_)), "{err}");
    }

    #[test]
    fn the_agency_view_counts_an_amber_strict_report_of_its_country() {
        let mut w = world();
        report_incident(
            &mut w.store,
            &w.eco,
            actor(w.h[2]),
            &report(),
            Tlp::AmberStrict,
            NOW,
        )
        .expect("reported");
        // Another hospital does not see it; the agency does.
        assert!(
            visible_incidents(&w.store, &w.eco, w.h[0])
                .expect("v")
                .is_empty()
        );
        let view = agency_view(&w.store, &w.eco, w.agency).expect("view");
        assert_eq!(view.incidents, 1);
        assert_eq!(view.by_month.get("2026-02"), Some(&1));
        assert_eq!(view.by_motivation.get("crime"), Some(&1));
        assert_eq!(view.by_domain.get("technology"), Some(&1));
        assert_eq!(view.by_domain.get("people"), Some(&1));
        assert_eq!(view.by_action_variety.get("malware.Ransomware"), Some(&1));
        assert_eq!(view.by_kind.get("healthcare-organisation"), Some(&1));
        assert_eq!(view.organisations, vec![(w.h[2], "H3".to_owned())]);
        let err = agency_view(&w.store, &w.eco, w.h[0]).expect_err("not an agency");
        assert!(matches!(err, ApiError::Refused(_)));
        let alert = AgencyAlert {
            title: "Ransomware wave".into(),
            text: "Patch".into(),
            tlp: Tlp::Green,
            incidents: vec![],
            factors: vec![],
            suppliers: vec![w.supplier],
        };
        let err =
            issue_alert(&mut w.store, &w.eco, actor(w.h[0]), &alert, NOW).expect_err("hospital");
        assert!(matches!(err, ApiError::Refused(_)));
        let issued =
            issue_alert(&mut w.store, &w.eco, actor(w.agency), &alert, NOW).expect("agency");
        assert!(
            issued.recipients.iter().any(|r| r.org == w.h[2]),
            "FR hospitals via the agency's country"
        );
    }

    #[test]
    fn reports_are_checked_field_by_field() {
        let eco = crate::model::builtin().value.ecosystem;
        type Edit = fn(&mut IncidentReport);
        let cases: [(&str, Edit); 6] = [
            ("date", |r| r.date = "2026-02-30".into()),
            ("motive", |r| r.motive = "Money".into()),
            ("actions", |r| r.actions = vec!["virus.Ransomware".into()]),
            ("discovery", |r| r.discovery = " ".into()),
            ("impact_eur", |r| r.impact_eur = Some(f64::NAN)),
            ("factors", |r| r.factors = vec!["no-such-factor".into()]),
        ];
        for (name, edit) in cases {
            let mut r = report();
            edit(&mut r);
            match r.check(&eco) {
                Err(ApiError::Option { option, .. }) => assert_eq!(option, name),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(report().check(&eco).is_ok());
    }

    fn assessed(w: &mut World, q: &Questionnaire, name: &str, level: u8, opt_in: bool) -> OrgId {
        let a = w
            .store
            .new_assessment(name, &q.id, &q.version, NOW)
            .expect("assessment");
        let answers: Vec<Answer> = q
            .items
            .iter()
            .map(|i| Answer {
                item: i.id.clone(),
                level,
                evidence: None,
                answered_at: None,
            })
            .collect();
        w.store.save_answers(a.id, &answers).expect("answers");
        let p = ProfileUpdate {
            benchmark_opt_in: opt_in,
            ..ProfileUpdate::default()
        };
        w.store
            .set_sharing_profile(a.organisation_id, &p, None, NOW)
            .expect("profile");
        a.organisation_id
    }

    #[test]
    fn benchmarks_need_five_opted_in_peers() {
        use holisec_share::peers::DomainBenchmark;
        let mut w = world();
        let q = crate::assess::builtin_questionnaire(&w.eco)
            .expect("questionnaire")
            .value;
        let me = assessed(&mut w, &q, "Me", 2, false);
        assessed(&mut w, &q, "Not opted in", 4, false);
        for k in 0..4 {
            assessed(&mut w, &q, &format!("Peer {k}"), k, true);
        }
        let query = PeerQuery {
            scope: Scope::Community,
            same_size_band: false,
            k: KAnonymity::default(),
        };
        let b = peer_benchmark(&w.store, &q, me, &query).expect("benchmark");
        assert!(b.domains.values().all(|d| matches!(
            d,
            DomainBenchmark::Suppressed {
                contributors_needed: 1
            }
        )));
        assessed(&mut w, &q, "Peer 4", 4, true);
        let b = peer_benchmark(&w.store, &q, me, &query).expect("benchmark");
        for d in b.domains.values() {
            match d {
                DomainBenchmark::Shown {
                    n,
                    median,
                    own_score,
                    ..
                } => {
                    assert_eq!((*n, *median, *own_score), (5, 2.0, Some(2.0)));
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(
            peer_benchmark(&w.store, &q, w.agency, &query).is_err(),
            "no assessment"
        );
    }
}

/// Incident `id` if organisation `viewer` may see it (its own, or another's
/// the TLP rules open to it); `NotFound` otherwise, as for a missing id.
pub fn visible_incident(
    store: &Store,
    eco: &Ecosystem,
    viewer: OrgId,
    id: i64,
) -> Result<VisibleIncident, ApiError> {
    visible_incidents(store, eco, viewer)?
        .into_iter()
        .find(|v| v.incident.id == id)
        .ok_or_else(|| not_found(id))
}

/// An organisation's sharing profile as its admin sets it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// ISO 3166-1 alpha-2 country code (`FR`), or null.
    #[serde(default)]
    pub country: Option<String>,
    /// `small`, `medium` or `large`, or null.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<SizeBandName>))]
    pub size_band: Option<SizeBand>,
    /// The agency-institution organisation it shares with, or null.
    #[serde(default, deserialize_with = "json_ids::one")]
    pub agency: Option<OrgId>,
    /// The solution-provider organisations it uses.
    #[serde(default, deserialize_with = "json_ids::many")]
    pub suppliers: Vec<OrgId>,
    /// Whether its latest domain scores join the anonymous peer benchmarks.
    #[serde(default)]
    pub benchmark_opt_in: bool,
}

/// The profile the sharing rules read, with the names of the organisations it names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileView {
    /// The profile.
    #[serde(flatten)]
    pub record: SharingRecord,
}

/// Organisation `org`'s sharing profile.
pub fn profile(store: &Store, org: OrgId) -> Result<ProfileView, ApiError> {
    let record = store
        .sharing_record(org)?
        .ok_or_else(|| ApiError::NotFound(format!("no organisation {org}")))?;
    Ok(ProfileView { record })
}

/// Sets the actor's organisation's profile: the country is checked
/// ([`holisec_share::org::parse_country`]), the agency must be an
/// `agency-institution` organisation and each supplier a
/// `solution-provider` one; the field at fault is named.
pub fn update_profile(
    store: &mut Store,
    actor: Actor,
    request: &ProfileRequest,
    now: &str,
) -> Result<ProfileView, ApiError> {
    let country = match request.country.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            holisec_share::org::parse_country(c)
                .map_err(|e| field("country", c, &e.to_string()))?,
        ),
    };
    let kind = |id: OrgId| -> Result<Option<String>, ApiError> {
        Ok(store.sharing_record(id)?.map(|r| r.kind))
    };
    if let Some(a) = request.agency
        && kind(a)?.as_deref() != Some(StakeholderKind::AgencyInstitution.as_str())
    {
        return Err(field(
            "agency",
            a,
            "the id of an agency-institution organisation",
        ));
    }
    if request.suppliers.len() > MAX_LIST {
        return Err(field(
            "suppliers",
            request.suppliers.len(),
            &format!("at most {MAX_LIST} suppliers"),
        ));
    }
    for &s in &request.suppliers {
        if s == actor.org || kind(s)?.as_deref() != Some(StakeholderKind::SolutionProvider.as_str())
        {
            return Err(field(
                "suppliers",
                s,
                "ids of solution-provider organisations (not your own)",
            ));
        }
    }
    let size_band = request.size_band.map(|b| match b {
        SizeBand::Small => "small".to_owned(),
        SizeBand::Medium => "medium".to_owned(),
        SizeBand::Large => "large".to_owned(),
    });
    let update = holisec_store::ProfileUpdate {
        country,
        size_band,
        agency_id: request.agency,
        benchmark_opt_in: request.benchmark_opt_in,
    };
    store.set_sharing_profile(actor.org, &update, actor.user, now)?;
    store.set_suppliers(actor.org, &request.suppliers, actor.user, now)?;
    profile(store, actor.org)
}
