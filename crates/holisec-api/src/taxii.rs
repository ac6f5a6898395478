//! The TAXII 2.1 collections of `holisec serve` (docs/taxii.md, "Server"):
//! what a user may read and add, as STIX 2.1 objects. The protocol itself
//! (media types, queries, pages, the POST body) is `holisec_exchange::taxii`;
//! the server's handlers are glue over the two.
//!
//! One collection per sharing scope, each with a fixed id (UUID v5 of its
//! alias in holisec's STIX namespace):
//!
//! * `incidents` (read): the incident reports the organisation may see
//!   ([`crate::sharing::visible_incidents`]), each a STIX `report` with
//!   `report_types: ["incident"]`, its TLP 2.0 marking and the VERIS
//!   essentials under `x_holisec_veris`.
//! * `alerts` (read): the organisation's alert inbox, each a `report` with
//!   `report_types: ["threat-report"]` and the alert's TLP.
//! * `shared` (read, and write for analysts and admins): objects POSTed by
//!   organisations. Another organisation's object is readable only if
//!   `holisec_share::tlp::may_see` allows its TLP (read with
//!   `read_tlp2`); an object without a TLP marking counts as TLP:AMBER,
//!   the cautious default of TLP 2.0 for unlabelled information.
//!
//! `date_added` is unique and strictly increasing in each collection, so a
//! client paging with `added_after` (copying `X-TAXII-Date-Added-Last`) never
//! loses or repeats an object: the `shared` collection assigns
//! max(now, last + 1 µs) and 1 µs more per object at insertion, written
//! with 6 fractional digits; the two derived collections take the time the
//! report's current version (or the alert) was written and push ties 1 µs
//! apart in (time, row id) order.

use std::collections::BTreeMap;

use holisec_exchange::stix;
use holisec_exchange::taxii::{
    ApiRoot, Collection, Collections, Intake, Query, STIX_MEDIA_TYPE, Status, StatusDetails,
    StatusKind, StoredObject, Timestamp, TlpLevel, VersionMatch, page, read_tlp2, tlp2_marking_ref,
};
use holisec_model::Ecosystem;
use holisec_share::{OrgId, OrgProfile, Tlp};
use holisec_store::{ApiToken, InboxEntry, Incident, NewTaxiiObject, NewToken, Role, Store};
use serde_json::{Value, json};

use crate::ApiError;
use crate::sharing::{Actor, org_profile, visible_incidents};

/// Most objects one POST may hold.
pub const MAX_OBJECTS_PER_POST: usize = 10_000;

/// Largest POST body, in bytes (the API root's `max_content_length`).
pub const MAX_CONTENT_LENGTH: usize = 16 * 1024 * 1024;

/// Most objects of one page, whatever `limit` asks.
pub const MAX_PAGE: usize = 1_000;

/// The TLP of an object that carries no TLP marking.
pub const UNMARKED_TLP: TlpLevel = TlpLevel::Amber;

/// A collection of the API root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionKind {
    /// The incident reports the organisation may see.
    Incidents,
    /// The organisation's alert inbox.
    Alerts,
    /// Objects organisations POST, under TLP.
    Shared,
}

impl CollectionKind {
    /// Every collection, in the order listed.
    pub const ALL: [CollectionKind; 3] = [
        CollectionKind::Incidents,
        CollectionKind::Alerts,
        CollectionKind::Shared,
    ];

    /// Its alias, also its name in the store.
    pub fn alias(self) -> &'static str {
        match self {
            CollectionKind::Incidents => "incidents",
            CollectionKind::Alerts => "alerts",
            CollectionKind::Shared => "shared",
        }
    }

    /// Its fixed id: UUID v5 of `taxii-collection:{alias}` in holisec's namespace.
    pub fn id(self) -> String {
        let stix_id = stix::stix_id("taxii-collection", self.alias());
        stix_id
            .strip_prefix("taxii-collection--")
            .unwrap_or(&stix_id)
            .to_owned()
    }

    /// The collection a URL names, by id or alias.
    pub fn find(id_or_alias: &str) -> Result<CollectionKind, ApiError> {
        CollectionKind::ALL
            .into_iter()
            .find(|k| k.alias() == id_or_alias || k.id() == id_or_alias)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "no collection `{}` in this API root",
                    id_or_alias.chars().take(80).collect::<String>()
                ))
            })
    }

    /// Whether a user of `role` may add objects.
    pub fn can_write(self, role: Role) -> bool {
        self == CollectionKind::Shared && role >= Role::Analyst
    }

    /// Its collection resource, as a user of `role` sees it.
    pub fn resource(self, role: Role) -> Collection {
        let (title, description) = match self {
            CollectionKind::Incidents => (
                "Incident reports",
                "The incident reports your organisation may see under TLP 2.0, as STIX reports",
            ),
            CollectionKind::Alerts => (
                "Alerts",
                "The alerts your organisation received, as STIX reports",
            ),
            CollectionKind::Shared => (
                "Shared objects",
                "STIX objects organisations share under TLP 2.0 (unmarked objects count as TLP:AMBER)",
            ),
        };
        Collection {
            id: self.id(),
            title: title.to_owned(),
            description: Some(description.to_owned()),
            alias: Some(self.alias().to_owned()),
            can_read: true,
            can_write: self.can_write(role),
            media_types: Some(vec![STIX_MEDIA_TYPE.to_owned()]),
        }
    }
}

/// The API root resource.
pub fn api_root() -> ApiRoot {
    let mut root = ApiRoot::taxii21(
        "holisec",
        u64::try_from(MAX_CONTENT_LENGTH).unwrap_or(u64::MAX),
    );
    root.description = Some(
        "Incident reports, alerts and shared STIX objects of the healthcare ecosystem, under TLP 2.0"
            .to_owned(),
    );
    root
}

/// The collections resource, as a user of `role` sees it.
pub fn collections(role: Role) -> Collections {
    Collections {
        collections: Some(
            CollectionKind::ALL
                .into_iter()
                .map(|k| k.resource(role))
                .collect(),
        ),
    }
}

/// What a GET of a collection asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View<'a> {
    /// `.../objects/`: an envelope.
    Objects,
    /// `.../objects/{object}/`: an envelope of that object's versions.
    Object(&'a str),
    /// `.../objects/{object}/versions/`: a versions resource.
    Versions(&'a str),
    /// `.../manifest/`: a manifest.
    Manifest,
}

/// A TAXII resource and its `X-TAXII-Date-Added-*` headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The resource.
    pub body: Value,
    /// Header names and values.
    pub headers: Vec<(&'static str, String)>,
}

/// One page of `view` of collection `kind` for organisation `viewer`
/// under `query`. An object id that matches nothing answers
/// [`ApiError::NotFound`]; a `next` of other filters [`ApiError::Invalid`].
pub fn read(
    store: &Store,
    eco: &Ecosystem,
    viewer: OrgId,
    kind: CollectionKind,
    query: &Query,
    view: View<'_>,
) -> Result<Answer, ApiError> {
    let objects = objects_of(store, eco, viewer, kind)?;
    let mut query = query.clone();
    if let View::Object(id) | View::Versions(id) = view {
        query.ids = vec![id.to_owned()];
    }
    if matches!(view, View::Versions(_)) && query.versions.is_empty() {
        query.versions = vec![VersionMatch::All];
    }
    let found = page(&objects, &query, MAX_PAGE).map_err(|e| ApiError::Invalid(e.to_string()))?;
    if let View::Object(id) | View::Versions(id) = view
        && found.objects.is_empty()
    {
        return Err(ApiError::NotFound(format!(
            "no object `{}` in collection `{}`",
            id.chars().take(120).collect::<String>(),
            kind.alias()
        )));
    }
    let mut body = match view {
        View::Objects | View::Object(_) => serde_json::to_value(found.envelope()),
        View::Versions(_) => serde_json::to_value(found.versions()),
        View::Manifest => serde_json::to_value(found.manifest()),
    }
    .map_err(|e| ApiError::Failed(e.to_string()))?;
    // TAXII 2.1's manifest and versions resources have no `next`; the
    // same token is offered there too (as medallion does), since `limit`
    // applies to them and a client may prefer it to `added_after`.
    if let (View::Manifest | View::Versions(_), Some(next), Some(map)) =
        (view, &found.next, body.as_object_mut())
    {
        map.insert("next".into(), Value::String(next.clone()));
    }
    Ok(Answer {
        body,
        headers: found.headers(),
    })
}

/// Every object of collection `kind` that organisation `viewer` may read.
pub fn objects_of(
    store: &Store,
    eco: &Ecosystem,
    viewer: OrgId,
    kind: CollectionKind,
) -> Result<Vec<StoredObject>, ApiError> {
    match kind {
        CollectionKind::Incidents => {
            let incidents = visible_incidents(store, eco, viewer)?;
            let objects = incidents
                .iter()
                .map(|v| incident_object(&v.incident))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(unique_dates(objects))
        }
        CollectionKind::Alerts => {
            let objects = store
                .inbox(viewer)?
                .iter()
                .map(alert_object)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(unique_dates(objects))
        }
        CollectionKind::Shared => shared_objects(store, eco, viewer),
    }
}

/// One microsecond, in nanoseconds.
const MICRO: i128 = 1_000;

/// `objects` in (`date_added`, `seq`) order with ties pushed 1 µs apart, so
/// that every `date_added` is unique (see the module documentation).
fn unique_dates(mut objects: Vec<StoredObject>) -> Vec<StoredObject> {
    objects.sort_by_key(|o| (o.date_added, o.seq));
    let mut last: Option<i128> = None;
    for o in &mut objects {
        let at = o.date_added.unix_nanos();
        let unique = last.map_or(at, |l| at.max(l + MICRO));
        if let Some(t) = Timestamp::from_unix_nanos(unique) {
            o.date_added = t;
        }
        last = Some(o.date_added.unix_nanos());
    }
    objects
}

/// A stored RFC 3339 time as a STIX timestamp (millisecond precision at least).
fn stix_time(text: &str) -> Result<Timestamp, ApiError> {
    Timestamp::parse(text).map_err(|e| ApiError::Failed(format!("stored time: {e}")))
}

fn stored_level(label: &str) -> Result<TlpLevel, ApiError> {
    TlpLevel::parse(label)
        .ok_or_else(|| ApiError::Failed(format!("stored TLP label `{label}` is not TLP 2.0")))
}

/// The deterministic id of the STIX identity of organisation `org`.
pub fn organisation_identity(org: OrgId) -> String {
    stix::stix_id("identity", &format!("organisation/{org}"))
}

/// The STIX report of an incident's current version.
fn incident_object(incident: &Incident) -> Result<StoredObject, ApiError> {
    let created = stix_time(&incident.created_at)?;
    let modified = stix_time(&incident.edited_at)?.max(created);
    let level = stored_level(&incident.tlp)?;
    let identity = organisation_identity(incident.organisation_id);
    let report = &incident.report;
    let actions: Vec<&str> = report["actions"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let name = format!(
        "Incident of {}: {}",
        report["date"].as_str().unwrap_or("unknown date"),
        if actions.is_empty() {
            "unknown action".to_owned()
        } else {
            actions.join(", ")
        }
    );
    let mut json = json!({
        "type": "report",
        "spec_version": "2.1",
        "id": incident.stix_id,
        "created": created.to_rfc3339(),
        "modified": modified.to_rfc3339(),
        "name": name,
        "report_types": ["incident"],
        "published": created.to_rfc3339(),
        "created_by_ref": identity,
        "object_refs": [identity],
        "object_marking_refs": [tlp2_marking_ref(level)],
        "x_holisec_veris": report,
    });
    if let Some(narrative) = report["narrative"].as_str().filter(|n| !n.is_empty()) {
        json["description"] = Value::String(narrative.to_owned());
    }
    Ok(StoredObject {
        id: incident.stix_id.clone(),
        stix_type: "report".into(),
        version: modified,
        date_added: modified,
        seq: incident.id,
        spec_version: "2.1".into(),
        json,
    })
}

/// The STIX report of an alert of an organisation's inbox.
fn alert_object(entry: &InboxEntry) -> Result<StoredObject, ApiError> {
    let alert = &entry.alert;
    let created = stix_time(&alert.created_at)?;
    let level = stored_level(&alert.tlp)?;
    let id = stix::stix_id("report", &format!("alert/{}", alert.id));
    let author = alert
        .issued_by_org
        .map_or_else(stix::creator_id, organisation_identity);
    let mut json = json!({
        "type": "report",
        "spec_version": "2.1",
        "id": id,
        "created": created.to_rfc3339(),
        "modified": created.to_rfc3339(),
        "name": alert.title,
        "report_types": ["threat-report"],
        "published": created.to_rfc3339(),
        "created_by_ref": author,
        "object_refs": [author],
        "object_marking_refs": [tlp2_marking_ref(level)],
        "x_holisec_priority": entry.priority,
    });
    if !alert.text.is_empty() {
        json["description"] = Value::String(alert.text.clone());
    }
    Ok(StoredObject {
        id,
        stix_type: "report".into(),
        version: created,
        date_added: created,
        seq: alert.id,
        spec_version: "2.1".into(),
        json,
    })
}

/// The `shared` objects organisation `viewer` may read: its own, and
/// others' whose TLP (unmarked: [`UNMARKED_TLP`]) the rules open to it.
fn shared_objects(
    store: &Store,
    eco: &Ecosystem,
    viewer: OrgId,
) -> Result<Vec<StoredObject>, ApiError> {
    let me = org_profile(store, viewer)?;
    let mut owners: BTreeMap<OrgId, Option<OrgProfile>> = BTreeMap::new();
    let mut out = Vec::new();
    for o in store.taxii_objects(CollectionKind::Shared.alias(), viewer)? {
        if o.organisation_id != viewer {
            let level = match o.tlp.as_deref() {
                Some(label) => stored_level(label)?,
                None => UNMARKED_TLP,
            };
            let owner = owners
                .entry(o.organisation_id)
                .or_insert_with(|| org_profile(store, o.organisation_id).ok());
            let allowed = owner.as_ref().is_some_and(|owner| {
                holisec_share::tlp::may_see(owner, share_tlp(level), Some(&me), eco).allowed
            });
            if !allowed {
                continue;
            }
        }
        out.push(StoredObject {
            version: stix_time(&o.version)?,
            date_added: stix_time(&o.date_added)?,
            id: o.stix_id,
            stix_type: o.stix_type,
            seq: o.seq,
            spec_version: o.spec_version,
            json: o.json,
        });
    }
    Ok(out)
}

fn share_tlp(level: TlpLevel) -> Tlp {
    match level {
        TlpLevel::Clear => Tlp::Clear,
        TlpLevel::Green => Tlp::Green,
        TlpLevel::Amber => Tlp::Amber,
        TlpLevel::AmberStrict => Tlp::AmberStrict,
        TlpLevel::Red => Tlp::Red,
    }
}

/// `t` written with exactly 6 fractional digits (`date_added` as stored:
/// one width, so that text order is time order).
pub fn micros_text(t: Timestamp) -> String {
    let t = t.as_offset_date_time();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond() / 1_000
    )
}

/// The first `date_added` of a POST at `now`: after the collection's last
/// one by 1 µs at least, on a whole microsecond.
fn first_date_added(store: &Store, kind: CollectionKind, now: Timestamp) -> Result<i128, ApiError> {
    let now = now.unix_nanos() - now.unix_nanos().rem_euclid(MICRO);
    let last = match store.last_taxii_date_added(kind.alias())? {
        Some(text) => Some(stix_time(&text)?.unix_nanos()),
        None => None,
    };
    Ok(last.map_or(now, |l| now.max(l + MICRO)))
}

/// What one POST adds, object by object, before it is stored.
struct Pending {
    id: String,
    stix_type: String,
    version: String,
    spec_version: String,
    tlp: Option<&'static str>,
    date_added: String,
    json: Value,
}

/// Adds the accepted objects of `intake` to collection `kind` for the
/// actor's organisation (each object's TLP read with `read_tlp2`; a
/// conflicting pair refuses that object), stores the status resource
/// `status_id` and returns it. Only `shared` takes objects
/// ([`ApiError::Refused`] otherwise); the caller checks the role.
pub fn add_objects(
    store: &mut Store,
    actor: Actor,
    kind: CollectionKind,
    intake: &Intake,
    now: Timestamp,
    status_id: &str,
) -> Result<Status, ApiError> {
    if kind != CollectionKind::Shared {
        return Err(ApiError::Refused(format!(
            "collection `{}` is read-only; add objects to `shared`",
            kind.alias()
        )));
    }
    let mut next = first_date_added(store, kind, now)?;
    let mut pending = Vec::new();
    let mut failures: Vec<StatusDetails> = intake
        .refused
        .iter()
        .map(|r| StatusDetails {
            id: r
                .id
                .clone()
                .unwrap_or_else(|| format!("objects[{}]", r.index)),
            version: r.version.clone().unwrap_or_default(),
            message: Some(r.message.clone()),
        })
        .collect();
    for a in &intake.accepted {
        let date = Timestamp::from_unix_nanos(next)
            .ok_or_else(|| ApiError::Failed("date_added out of range".into()))?;
        let version = a.version.unwrap_or(date);
        match read_tlp2(&a.json) {
            Err(e) => failures.push(StatusDetails {
                id: a.id.clone(),
                version: version.to_rfc3339(),
                message: Some(e.to_string()),
            }),
            Ok(level) => {
                pending.push(Pending {
                    id: a.id.clone(),
                    stix_type: a.stix_type.clone(),
                    version: version.to_rfc3339(),
                    spec_version: a.spec_version.clone(),
                    tlp: level.map(TlpLevel::as_str),
                    date_added: micros_text(date),
                    json: a.json.clone(),
                });
                next += MICRO;
            }
        }
    }
    store_pending(store, actor, kind, &pending, now)?;
    let successes: Vec<StatusDetails> = pending
        .iter()
        .map(|p| StatusDetails {
            id: p.id.clone(),
            version: p.version.clone(),
            message: None,
        })
        .collect();
    let status = status_of(status_id, now, intake.total(), successes, failures);
    let body = serde_json::to_value(&status).map_err(|e| ApiError::Failed(e.to_string()))?;
    store.save_taxii_status(actor.org, status_id, &body, &now.to_rfc3339())?;
    Ok(status)
}

fn store_pending(
    store: &mut Store,
    actor: Actor,
    kind: CollectionKind,
    pending: &[Pending],
    now: Timestamp,
) -> Result<(), ApiError> {
    let rows: Vec<NewTaxiiObject<'_>> = pending
        .iter()
        .map(|p| NewTaxiiObject {
            stix_id: &p.id,
            stix_type: &p.stix_type,
            version: &p.version,
            spec_version: &p.spec_version,
            tlp: p.tlp,
            date_added: &p.date_added,
            json: &p.json,
        })
        .collect();
    store.add_taxii_objects(
        actor.org,
        kind.alias(),
        &rows,
        &now.to_rfc3339(),
        actor.user,
    )?;
    Ok(())
}

fn status_of(
    id: &str,
    now: Timestamp,
    total: usize,
    successes: Vec<StatusDetails>,
    failures: Vec<StatusDetails>,
) -> Status {
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    Status {
        id: id.to_owned(),
        status: StatusKind::Complete,
        request_timestamp: Some(now),
        total_count: count(total),
        success_count: count(successes.len()),
        successes: (!successes.is_empty()).then_some(successes),
        failure_count: count(failures.len()),
        failures: (!failures.is_empty()).then_some(failures),
        pending_count: 0,
        pendings: None,
    }
}

/// The status resource `id` of a POST by organisation `org` (another
/// organisation's answers [`ApiError::NotFound`], as an unknown one).
pub fn status(store: &Store, org: OrgId, id: &str) -> Result<Value, ApiError> {
    store.taxii_status(org, id)?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "no status `{}`",
            id.chars().take(80).collect::<String>()
        ))
    })
}

/// Issues an API token named `name` acting as `user` (a user of the actor's
/// organisation, else [`ApiError::NotFound`]); the caller made the token and
/// passes its SHA-256 only.
pub fn issue_token(
    store: &mut Store,
    actor: Actor,
    user: i64,
    name: &str,
    token_sha256: &str,
    now: &str,
) -> Result<ApiToken, ApiError> {
    let owner = store
        .user(user)?
        .filter(|u| u.organisation_id == actor.org)
        .ok_or_else(|| ApiError::NotFound(format!("no user {user}")))?;
    let new = NewToken {
        user_id: owner.id,
        name,
        token_sha256,
        created_by: actor.user,
    };
    Ok(store.issue_token(&new, now)?)
}

/// The API tokens of organisation `org`'s users (no secrets), newest first.
pub fn tokens(store: &Store, org: OrgId) -> Result<Vec<ApiToken>, ApiError> {
    Ok(store.tokens_of_org(org)?)
}

/// Revokes token `id` of the actor's organisation ([`ApiError::NotFound`]
/// for another organisation's or an unknown one).
pub fn revoke_token(store: &mut Store, actor: Actor, id: i64, now: &str) -> Result<(), ApiError> {
    if store.revoke_token(actor.org, id, actor.user, now)? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("no token {id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn object(id: &str, at: &str, seq: i64) -> StoredObject {
        StoredObject {
            id: id.into(),
            stix_type: "report".into(),
            version: ts(at),
            date_added: ts(at),
            seq,
            spec_version: "2.1".into(),
            json: json!({}),
        }
    }

    #[test]
    fn ties_are_pushed_one_microsecond_apart_in_order() {
        let out = unique_dates(vec![
            object("b", "2026-01-01T00:00:00Z", 2),
            object("a", "2026-01-01T00:00:00Z", 1),
            object("c", "2026-01-01T00:00:00.000001Z", 3),
            object("d", "2026-01-02T00:00:00Z", 4),
        ]);
        let dates: Vec<String> = out.iter().map(|o| micros_text(o.date_added)).collect();
        assert_eq!(
            dates,
            [
                "2026-01-01T00:00:00.000000Z",
                "2026-01-01T00:00:00.000001Z",
                "2026-01-01T00:00:00.000002Z",
                "2026-01-02T00:00:00.000000Z"
            ]
        );
        assert_eq!(out[0].id, "a");
    }

    #[test]
    fn collections_have_fixed_ids_and_are_found_by_id_or_alias() {
        for k in CollectionKind::ALL {
            assert_eq!(CollectionKind::find(&k.id()).unwrap(), k);
            assert_eq!(CollectionKind::find(k.alias()).unwrap(), k);
            assert_eq!(k.id().len(), 36);
        }
        assert!(matches!(
            CollectionKind::find("nope"),
            Err(ApiError::NotFound(_))
        ));
        assert!(CollectionKind::Shared.can_write(Role::Analyst));
        assert!(!CollectionKind::Shared.can_write(Role::Viewer));
        assert!(!CollectionKind::Incidents.can_write(Role::Admin));
    }
}
