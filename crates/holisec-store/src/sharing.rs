//! Sharing between stakeholders (issue 13, migration 8): organisations'
//! sharing profiles and suppliers, incident reports with their TLP label and
//! history, alerts and their recipients, API tokens and the TAXII 2.1
//! collections' objects and status resources.
//!
//! As everywhere in this crate, every read of an organisation's own data
//! takes the organisation's row id (from the caller's session) and filters by
//! it in SQL: another organisation's incident, alert, token or status is
//! `None` (or `false`), exactly as an id that does not exist.
//!
//! Reading *other* organisations' reports goes through
//! [`Store::incident_candidates`], which leaves out withdrawn reports and, in
//! SQL, every `red` report of another organisation; the finer TLP 2.0 rules
//! (who is an agency, a supplier, a related kind) are applied above the store
//! by `holisec-share`. TLP labels are stored in lower case without the `TLP:`
//! prefix (`clear`, `green`, `amber`, `amber+strict`, `red`).
//!
//! Every write runs in one transaction with its audit entry (`incident-create`,
//! `incident-edit`, `incident-tlp`, `incident-withdraw`, `alert-issue`,
//! `alert-ack`, `token-issue`, `token-revoke`, `taxii-add`, `sharing-profile`,
//! `suppliers`). API tokens are stored as the SHA-256 of the token only,
//! computed by the caller.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::error::classify;
use crate::{Store, StoreError, User};

/// Migration 8: sharing profiles, suppliers, incidents, alerts, API tokens, TAXII.
pub(crate) const MIGRATION: &str = "ALTER TABLE organisations ADD COLUMN country TEXT
        CHECK (country IS NULL OR (length(country) = 2 AND country GLOB '[A-Z][A-Z]'));
    ALTER TABLE organisations ADD COLUMN size_band TEXT
        CHECK (size_band IS NULL OR size_band IN ('small', 'medium', 'large'));
    ALTER TABLE organisations ADD COLUMN agency_id INTEGER
        REFERENCES organisations(id) ON DELETE SET NULL;
    ALTER TABLE organisations ADD COLUMN benchmark_opt_in INTEGER NOT NULL DEFAULT 0
        CHECK (benchmark_opt_in IN (0, 1));
    CREATE TABLE organisation_suppliers (
        client_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        supplier_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        PRIMARY KEY (client_id, supplier_id),
        CHECK (client_id <> supplier_id)
    ) STRICT;
    CREATE INDEX suppliers_by_supplier ON organisation_suppliers(supplier_id);
    CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        tlp TEXT NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
        stix_id TEXT NOT NULL UNIQUE CHECK (length(stix_id) > 0),
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        withdrawn_at TEXT,
        version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
    ) STRICT;
    CREATE INDEX incidents_by_organisation ON incidents(organisation_id);
    CREATE INDEX incidents_live ON incidents(tlp, organisation_id) WHERE withdrawn_at IS NULL;
    CREATE TABLE incident_versions (
        incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        version INTEGER NOT NULL CHECK (version >= 1),
        tlp TEXT NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
        report TEXT NOT NULL CHECK (json_valid(report)),
        edited_at TEXT NOT NULL,
        edited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        PRIMARY KEY (incident_id, version)
    ) STRICT;
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        issued_by_org INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
        incident_id INTEGER REFERENCES incidents(id) ON DELETE SET NULL,
        subject TEXT NOT NULL CHECK (json_valid(subject)),
        title TEXT NOT NULL CHECK (length(title) > 0),
        text TEXT NOT NULL,
        tlp TEXT NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL
    ) STRICT;
    CREATE INDEX alerts_by_incident ON alerts(incident_id);
    CREATE TABLE alert_recipients (
        alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        priority TEXT NOT NULL CHECK (priority IN ('high', 'normal', 'low')),
        chain TEXT NOT NULL CHECK (json_valid(chain)),
        acknowledged_at TEXT,
        acknowledged_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        PRIMARY KEY (alert_id, organisation_id)
    ) STRICT;
    CREATE INDEX alert_recipients_by_organisation ON alert_recipients(organisation_id, alert_id);
    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(name) > 0),
        token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        last_used_at TEXT,
        revoked_at TEXT
    ) STRICT;
    CREATE INDEX api_tokens_by_user ON api_tokens(user_id);
    CREATE TABLE taxii_objects (
        seq INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        collection TEXT NOT NULL CHECK (length(collection) > 0),
        stix_id TEXT NOT NULL CHECK (length(stix_id) > 0),
        stix_type TEXT NOT NULL CHECK (length(stix_type) > 0),
        version TEXT NOT NULL,
        date_added TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        tlp TEXT CHECK (tlp IS NULL OR tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
        json TEXT NOT NULL CHECK (json_valid(json)),
        UNIQUE (collection, stix_id, version)
    ) STRICT;
    CREATE INDEX taxii_objects_by_date ON taxii_objects(collection, date_added, seq);
    CREATE TABLE taxii_status (
        id TEXT PRIMARY KEY NOT NULL,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL CHECK (json_valid(body))
    ) STRICT;";

/// The TLP labels as stored.
pub const TLP_LABELS: [&str; 5] = ["clear", "green", "amber", "amber+strict", "red"];

/// The alert priorities as stored.
pub const PRIORITIES: [&str; 3] = ["high", "normal", "low"];

/// What the sharing rules read about an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingRecord {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Stakeholder kind, as spelt in model files.
    pub kind: String,
    /// ISO 3166-1 alpha-2 code, upper case.
    pub country: Option<String>,
    /// `small`, `medium` or `large`.
    pub size_band: Option<String>,
    /// The agency it names.
    pub agency_id: Option<i64>,
    /// It takes part in peer benchmarks.
    pub benchmark_opt_in: bool,
    /// Ids of the suppliers it uses, ascending.
    pub suppliers: Vec<i64>,
}

/// The settable part of a sharing profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdate {
    /// ISO 3166-1 alpha-2 code, upper case (checked by the caller; the store
    /// refuses anything but two upper-case letters).
    pub country: Option<String>,
    /// `small`, `medium` or `large`.
    pub size_band: Option<String>,
    /// The agency it names (another organisation).
    pub agency_id: Option<i64>,
    /// It takes part in peer benchmarks.
    pub benchmark_opt_in: bool,
}

/// A stored incident report at its current version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Row id.
    pub id: i64,
    /// The owner organisation.
    pub organisation_id: i64,
    /// TLP label as stored (`amber+strict`).
    pub tlp: String,
    /// Its STIX id (`report--…`).
    pub stix_id: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// Who created it.
    pub created_by: Option<i64>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<String>,
    /// Current version, 1 at creation.
    pub version: i64,
    /// The report of the current version (JSON).
    pub report: serde_json::Value,
    /// When the current version was written.
    pub edited_at: String,
    /// Who wrote the current version.
    pub edited_by: Option<i64>,
}

/// One version of an incident report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentVersion {
    /// Version number, from 1.
    pub version: i64,
    /// TLP label of this version.
    pub tlp: String,
    /// The report (JSON).
    pub report: serde_json::Value,
    /// When it was written.
    pub edited_at: String,
    /// By whom.
    pub edited_by: Option<i64>,
}

/// A new incident report.
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    /// The owner (from the session).
    pub organisation_id: i64,
    /// The reporting user.
    pub created_by: Option<i64>,
    /// TLP label as stored.
    pub tlp: &'a str,
    /// Its STIX id, unique.
    pub stix_id: &'a str,
    /// The report (JSON).
    pub report: &'a serde_json::Value,
}

/// A change to an incident: a new report, a new label, or both.
#[derive(Debug, Clone)]
pub struct IncidentEdit<'a> {
    /// The organisation of the session: only the owner may change its report.
    pub owner: i64,
    /// The incident.
    pub id: i64,
    /// The new report, when it changes.
    pub report: Option<&'a serde_json::Value>,
    /// The new TLP label, when it changes.
    pub tlp: Option<&'a str>,
    /// Who changes it.
    pub edited_by: Option<i64>,
}

/// A new alert.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    /// The issuing organisation; `None` for alerts the server computes from an incident.
    pub issued_by_org: Option<i64>,
    /// The incident it is about.
    pub incident_id: Option<i64>,
    /// What it is about (JSON, e.g. a `holisec_share::Subject`).
    pub subject: &'a serde_json::Value,
    /// Title.
    pub title: &'a str,
    /// Text.
    pub text: &'a str,
    /// TLP label as stored.
    pub tlp: &'a str,
    /// Who issued it.
    pub created_by: Option<i64>,
}

/// One recipient of a new alert.
#[derive(Debug, Clone)]
pub struct NewRecipient {
    /// The recipient organisation.
    pub organisation_id: i64,
    /// `high`, `normal` or `low`.
    pub priority: &'static str,
    /// Why it receives the alert (JSON, the chain of links).
    pub chain: serde_json::Value,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Row id.
    pub id: i64,
    /// The issuing organisation (`None`: computed by the server).
    pub issued_by_org: Option<i64>,
    /// The incident it is about.
    pub incident_id: Option<i64>,
    /// What it is about (JSON).
    pub subject: serde_json::Value,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// TLP label as stored.
    pub tlp: String,
    /// When it was issued.
    pub created_at: String,
    /// By whom.
    pub created_by: Option<i64>,
}

/// An alert as one recipient organisation sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxEntry {
    /// The alert.
    pub alert: Alert,
    /// `high`, `normal` or `low`.
    pub priority: String,
    /// Why this organisation received it (JSON).
    pub chain: serde_json::Value,
    /// When one of its users acknowledged it.
    pub acknowledged_at: Option<String>,
    /// Who.
    pub acknowledged_by: Option<i64>,
}

/// An API token, without its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// Row id.
    pub id: i64,
    /// The user it acts as.
    pub user_id: i64,
    /// A name to recognise it by.
    pub name: String,
    /// When it was issued.
    pub created_at: String,
    /// By whom.
    pub created_by: Option<i64>,
    /// When it was last used.
    pub last_used_at: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

/// A new API token.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// The user it acts as.
    pub user_id: i64,
    /// A name to recognise it by.
    pub name: &'a str,
    /// SHA-256 of the token, lower-case hex (the token itself is never stored).
    pub token_sha256: &'a str,
    /// Who issues it.
    pub created_by: Option<i64>,
}

/// A STIX object to add to a TAXII collection.
#[derive(Debug, Clone)]
pub struct NewTaxiiObject<'a> {
    /// Its STIX id.
    pub stix_id: &'a str,
    /// Its STIX type.
    pub stix_type: &'a str,
    /// Its version (RFC 3339).
    pub version: &'a str,
    /// Its `spec_version`.
    pub spec_version: &'a str,
    /// Its TLP label as stored, when it carries a TLP marking.
    pub tlp: Option<&'a str>,
    /// When it is added: RFC 3339 with 6 fractional digits, unique and
    /// later than [`Store::last_taxii_date_added`] (the caller assigns it, so
    /// that `added_after` paging never skips or repeats an object).
    pub date_added: &'a str,
    /// The object.
    pub json: &'a serde_json::Value,
}

/// What adding one object did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxiiAdded {
    /// Its STIX id.
    pub stix_id: String,
    /// Its version.
    pub version: String,
    /// Added now (`false`: the collection held this version already).
    pub added: bool,
}

/// A stored STIX object of a TAXII collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxiiObject {
    /// Insertion sequence number.
    pub seq: i64,
    /// The organisation that added it.
    pub organisation_id: i64,
    /// Its collection.
    pub collection: String,
    /// Its STIX id.
    pub stix_id: String,
    /// Its STIX type.
    pub stix_type: String,
    /// Its version (RFC 3339).
    pub version: String,
    /// When it was added (RFC 3339, millisecond precision).
    pub date_added: String,
    /// Its `spec_version`.
    pub spec_version: String,
    /// TLP label as stored.
    pub tlp: Option<String>,
    /// The object.
    pub json: serde_json::Value,
}

fn json_col(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<serde_json::Value> {
    let text: String = r.get(i)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn check_tlp(tlp: &str) -> Result<(), StoreError> {
    if TLP_LABELS.contains(&tlp) {
        Ok(())
    } else {
        Err(StoreError::InvalidValue(format!(
            "TLP label `{tlp}`: expected one of {}",
            TLP_LABELS.join(", ")
        )))
    }
}

fn audit_tx(
    tx: &Transaction<'_>,
    at: &str,
    user: Option<i64>,
    org: Option<i64>,
    action: &str,
    detail: &str,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO audit_log (at, user_id, organisation_id, action, detail)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, user, org, action, detail],
    )
}

const INCIDENT_SELECT: &str = "SELECT i.id, i.organisation_id, i.tlp, i.stix_id, i.created_at,
    i.created_by, i.withdrawn_at, i.version, v.report, v.edited_at, v.edited_by
    FROM incidents i JOIN incident_versions v ON v.incident_id = i.id AND v.version = i.version";

fn incident_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Incident> {
    Ok(Incident {
        id: r.get(0)?,
        organisation_id: r.get(1)?,
        tlp: r.get(2)?,
        stix_id: r.get(3)?,
        created_at: r.get(4)?,
        created_by: r.get(5)?,
        withdrawn_at: r.get(6)?,
        version: r.get(7)?,
        report: json_col(r, 8)?,
        edited_at: r.get(9)?,
        edited_by: r.get(10)?,
    })
}

const ALERT_COLUMNS: &str = "a.id, a.issued_by_org, a.incident_id, a.subject, a.title, a.text, a.tlp, a.created_at, a.created_by";

fn alert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: r.get(0)?,
        issued_by_org: r.get(1)?,
        incident_id: r.get(2)?,
        subject: json_col(r, 3)?,
        title: r.get(4)?,
        text: r.get(5)?,
        tlp: r.get(6)?,
        created_at: r.get(7)?,
        created_by: r.get(8)?,
    })
}

const TOKEN_COLUMNS: &str =
    "t.id, t.user_id, t.name, t.created_at, t.created_by, t.last_used_at, t.revoked_at";

fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        user_id: r.get(1)?,
        name: r.get(2)?,
        created_at: r.get(3)?,
        created_by: r.get(4)?,
        last_used_at: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

fn taxii_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaxiiObject> {
    Ok(TaxiiObject {
        seq: r.get(0)?,
        organisation_id: r.get(1)?,
        collection: r.get(2)?,
        stix_id: r.get(3)?,
        stix_type: r.get(4)?,
        version: r.get(5)?,
        date_added: r.get(6)?,
        spec_version: r.get(7)?,
        tlp: r.get(8)?,
        json: json_col(r, 9)?,
    })
}

/// Organisations and their suppliers.
impl Store {
    /// Sets the sharing profile of organisation `org_id` (country, size band,
    /// agency, benchmark opt-in), with an audit entry `sharing-profile`.
    /// `false` when there is no such organisation. An unknown agency id or a
    /// malformed value is [`StoreError::InvalidValue`].
    pub fn set_sharing_profile(
        &mut self,
        org_id: i64,
        profile: &ProfileUpdate,
        by: Option<i64>,
        now: &str,
    ) -> Result<bool, StoreError> {
        if profile.agency_id == Some(org_id) {
            return Err(StoreError::InvalidValue(
                "agency: an organisation cannot be its own agency".into(),
            ));
        }
        if let Some(a) = profile.agency_id
            && self.organisation_by_id(a)?.is_none()
        {
            return Err(StoreError::InvalidValue(format!(
                "agency: no organisation with id {a}"
            )));
        }
        let path = self.path.clone();
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE organisations SET country = ?1, size_band = ?2, agency_id = ?3,
                     benchmark_opt_in = ?4 WHERE id = ?5",
                    params![
                        profile.country,
                        profile.size_band,
                        profile.agency_id,
                        profile.benchmark_opt_in,
                        org_id
                    ],
                )
                .map_err(|e| constraint(&path, e, "sharing profile"))?;
            if n == 1 {
                let detail = format!(
                    "country {:?}, size band {:?}, agency {:?}, benchmark opt-in {}",
                    profile.country, profile.size_band, profile.agency_id, profile.benchmark_opt_in
                );
                audit_tx(tx, now, by, Some(org_id), "sharing-profile", &detail)
                    .map_err(|e| classify(&path, e))?;
            }
            Ok(n == 1)
        })
    }

    /// Replaces the suppliers organisation `org_id` uses, with an audit entry
    /// `suppliers`. `false` when there is no such organisation; an unknown
    /// supplier or the organisation itself is [`StoreError::InvalidValue`].
    pub fn set_suppliers(
        &mut self,
        org_id: i64,
        suppliers: &[i64],
        by: Option<i64>,
        now: &str,
    ) -> Result<bool, StoreError> {
        if self.organisation_by_id(org_id)?.is_none() {
            return Ok(false);
        }
        let path = self.path.clone();
        self.write(|tx| {
            let e = |e| constraint(&path, e, "suppliers");
            tx.execute(
                "DELETE FROM organisation_suppliers WHERE client_id = ?1",
                [org_id],
            )
            .map_err(e)?;
            for s in suppliers {
                tx.execute(
                    "INSERT INTO organisation_suppliers (client_id, supplier_id) VALUES (?1, ?2)
                     ON CONFLICT DO NOTHING",
                    params![org_id, s],
                )
                .map_err(e)?;
            }
            let detail = format!("suppliers {suppliers:?}");
            audit_tx(tx, now, by, Some(org_id), "suppliers", &detail).map_err(e)?;
            Ok(true)
        })
    }

    /// The sharing record of organisation `org_id`, if any.
    pub fn sharing_record(&self, org_id: i64) -> Result<Option<SharingRecord>, StoreError> {
        Ok(self.sharing_records_where(Some(org_id))?.into_iter().next())
    }

    /// The sharing records of every organisation, by id (what the alert and
    /// TLP rules need to know about the community).
    pub fn sharing_records(&self) -> Result<Vec<SharingRecord>, StoreError> {
        self.sharing_records_where(None)
    }

    fn sharing_records_where(&self, only: Option<i64>) -> Result<Vec<SharingRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT o.id, o.name, o.kind, o.country, o.size_band, o.agency_id, o.benchmark_opt_in,
                   (SELECT json_group_array(supplier_id) FROM
                      (SELECT supplier_id FROM organisation_suppliers s
                       WHERE s.client_id = o.id ORDER BY supplier_id))
                 FROM organisations o WHERE (?1 IS NULL OR o.id = ?1) ORDER BY o.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([only], |r| {
                let suppliers = json_col(r, 7)?;
                Ok(SharingRecord {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    country: r.get(3)?,
                    size_band: r.get(4)?,
                    agency_id: r.get(5)?,
                    benchmark_opt_in: r.get(6)?,
                    suppliers: serde_json::from_value(suppliers).unwrap_or_default(),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}

/// A constraint failure in words naming `what`; other errors as usual.
fn constraint(path: &std::path::Path, err: rusqlite::Error, what: &str) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &err
        && f.code == rusqlite::ErrorCode::ConstraintViolation
    {
        return StoreError::InvalidValue(format!(
            "{what}: refused by the database ({})",
            msg.clone().unwrap_or_else(|| "a constraint failed".into())
        ));
    }
    classify(path, err)
}

/// Incident reports.
impl Store {
    /// Stores a new incident report (version 1) with an audit entry
    /// `incident-create`. A taken STIX id is [`StoreError::Conflict`].
    pub fn create_incident(
        &mut self,
        new: &NewIncident<'_>,
        now: &str,
    ) -> Result<Incident, StoreError> {
        check_tlp(new.tlp)?;
        let path = self.path.clone();
        let id = self.write(|tx| {
            let e = |e| constraint(&path, e, "incident");
            let taken: bool = tx
                .query_row(
                    "SELECT count(*) > 0 FROM incidents WHERE stix_id = ?1",
                    [new.stix_id],
                    |r| r.get(0),
                )
                .map_err(e)?;
            if taken {
                return Err(StoreError::Conflict(format!(
                    "an incident with STIX id `{}` exists already",
                    new.stix_id
                )));
            }
            tx.execute(
                "INSERT INTO incidents (organisation_id, tlp, stix_id, created_at, created_by, version)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)",
                params![new.organisation_id, new.tlp, new.stix_id, now, new.created_by],
            )
            .map_err(e)?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO incident_versions (incident_id, version, tlp, report, edited_at, edited_by)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5)",
                params![id, new.tlp, new.report.to_string(), now, new.created_by],
            )
            .map_err(e)?;
            let detail = format!("incident {id} `{}` {}", new.stix_id, new.tlp);
            audit_tx(tx, now, new.created_by, Some(new.organisation_id), "incident-create", &detail)
                .map_err(e)?;
            Ok(id)
        })?;
        self.incident_in_org(new.organisation_id, id)?
            .ok_or_else(|| StoreError::InvalidValue(format!("incident {id} vanished")))
    }

    /// Writes a new version of incident `edit.id` (a new report, a new
    /// label, or both) when it belongs to `edit.owner` — checked in SQL —
    /// with audit entries `incident-edit` and/or `incident-tlp`. `None` for
    /// another organisation's incident as for a missing one;
    /// [`StoreError::Conflict`] for a withdrawn one.
    pub fn edit_incident(
        &mut self,
        edit: &IncidentEdit<'_>,
        now: &str,
    ) -> Result<Option<Incident>, StoreError> {
        if let Some(t) = edit.tlp {
            check_tlp(t)?;
        }
        let Some(current) = self.incident_in_org(edit.owner, edit.id)? else {
            return Ok(None);
        };
        if current.withdrawn_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "incident {} was withdrawn; it cannot be changed",
                edit.id
            )));
        }
        let tlp = edit.tlp.unwrap_or(&current.tlp);
        let report = edit.report.unwrap_or(&current.report).to_string();
        let path = self.path.clone();
        let changed = self.write(|tx| {
            let e = |e| constraint(&path, e, "incident");
            // Conditional on the version read: a concurrent edit makes this one fail.
            let n = tx
                .execute(
                    "UPDATE incidents SET version = version + 1, tlp = ?1
                     WHERE id = ?2 AND organisation_id = ?3 AND version = ?4 AND withdrawn_at IS NULL",
                    params![tlp, edit.id, edit.owner, current.version],
                )
                .map_err(e)?;
            if n != 1 {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO incident_versions (incident_id, version, tlp, report, edited_at, edited_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![edit.id, current.version + 1, tlp, report, now, edit.edited_by],
            )
            .map_err(e)?;
            let org = Some(edit.owner);
            let v = current.version + 1;
            if edit.report.is_some() {
                let detail = format!("incident {} version {v}", edit.id);
                audit_tx(tx, now, edit.edited_by, org, "incident-edit", &detail).map_err(e)?;
            }
            if tlp != current.tlp {
                let detail = format!("incident {} {} -> {tlp}", edit.id, current.tlp);
                audit_tx(tx, now, edit.edited_by, org, "incident-tlp", &detail).map_err(e)?;
            }
            Ok(true)
        })?;
        if !changed {
            return Err(StoreError::Conflict(format!(
                "incident {} was changed meanwhile; read it again",
                edit.id
            )));
        }
        self.incident_in_org(edit.owner, edit.id)
    }

    /// Withdraws incident `id` of organisation `owner` (kept, with its
    /// history, but no longer shared), with an audit entry
    /// `incident-withdraw`. `false` for another organisation's incident, a
    /// missing one or one withdrawn already.
    pub fn withdraw_incident(
        &mut self,
        owner: i64,
        id: i64,
        by: Option<i64>,
        now: &str,
    ) -> Result<bool, StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            let e = |e| classify(&path, e);
            let n = tx
                .execute(
                    "UPDATE incidents SET withdrawn_at = ?1
                     WHERE id = ?2 AND organisation_id = ?3 AND withdrawn_at IS NULL",
                    params![now, id, owner],
                )
                .map_err(e)?;
            if n == 1 {
                let detail = format!("incident {id}");
                audit_tx(tx, now, by, Some(owner), "incident-withdraw", &detail).map_err(e)?;
            }
            Ok(n == 1)
        })
    }

    /// Incident `id` at its current version if it belongs to organisation
    /// `org_id` (withdrawn or not); `None` otherwise.
    pub fn incident_in_org(&self, org_id: i64, id: i64) -> Result<Option<Incident>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "{INCIDENT_SELECT} WHERE i.id = ?1 AND i.organisation_id = ?2"
            ))
            .and_then(|mut stmt| stmt.query_row(params![id, org_id], incident_row))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The incidents of organisation `org_id`, newest first (withdrawn ones included).
    pub fn incidents_of_org(&self, org_id: i64) -> Result<Vec<Incident>, StoreError> {
        self.incidents_where("i.organisation_id = ?1 ORDER BY i.id DESC", org_id)
    }

    /// Every version of incident `id` of organisation `org_id`, oldest first;
    /// `None` for another organisation's incident as for a missing one.
    pub fn incident_history(
        &self,
        org_id: i64,
        id: i64,
    ) -> Result<Option<Vec<IncidentVersion>>, StoreError> {
        if self.incident_in_org(org_id, id)?.is_none() {
            return Ok(None);
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT v.version, v.tlp, v.report, v.edited_at, v.edited_by
                 FROM incident_versions v JOIN incidents i ON i.id = v.incident_id
                 WHERE v.incident_id = ?1 AND i.organisation_id = ?2 ORDER BY v.version",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![id, org_id], |r| {
                Ok(IncidentVersion {
                    version: r.get(0)?,
                    tlp: r.get(1)?,
                    report: json_col(r, 2)?,
                    edited_at: r.get(3)?,
                    edited_by: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let versions = rows
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(Some(versions))
    }

    /// The incidents organisation `viewer_org` might see, oldest first: every
    /// report not withdrawn, except other organisations' `red` ones (left
    /// out here, in SQL). The caller applies the TLP 2.0 rules to the rest.
    pub fn incident_candidates(&self, viewer_org: i64) -> Result<Vec<Incident>, StoreError> {
        self.incidents_where(
            "i.withdrawn_at IS NULL AND (i.tlp <> 'red' OR i.organisation_id = ?1) ORDER BY i.id",
            viewer_org,
        )
    }

    fn incidents_where(&self, clause: &str, param: i64) -> Result<Vec<Incident>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{INCIDENT_SELECT} WHERE {clause}"))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([param], incident_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}

/// Alerts.
impl Store {
    /// Stores an alert and its recipients in one transaction, with an audit
    /// entry `alert-issue` (in the issuing organisation's log, else the
    /// incident owner's). Returns the alert's id.
    pub fn create_alert(
        &mut self,
        new: &NewAlert<'_>,
        recipients: &[NewRecipient],
        now: &str,
    ) -> Result<i64, StoreError> {
        check_tlp(new.tlp)?;
        if let Some(r) = recipients
            .iter()
            .find(|r| !PRIORITIES.contains(&r.priority))
        {
            return Err(StoreError::InvalidValue(format!(
                "priority `{}`: expected high, normal or low",
                r.priority
            )));
        }
        let path = self.path.clone();
        self.write(|tx| {
            let e = |e| constraint(&path, e, "alert");
            tx.execute(
                "INSERT INTO alerts (issued_by_org, incident_id, subject, title, text, tlp, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    new.issued_by_org,
                    new.incident_id,
                    new.subject.to_string(),
                    new.title,
                    new.text,
                    new.tlp,
                    now,
                    new.created_by
                ],
            )
            .map_err(e)?;
            let id = tx.last_insert_rowid();
            for r in recipients {
                tx.execute(
                    "INSERT INTO alert_recipients (alert_id, organisation_id, priority, chain)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                    params![id, r.organisation_id, r.priority, r.chain.to_string()],
                )
                .map_err(e)?;
            }
            let org = match new.issued_by_org {
                Some(o) => Some(o),
                None => tx
                    .query_row(
                        "SELECT organisation_id FROM incidents WHERE id = ?1",
                        [new.incident_id],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(e)?,
            };
            let detail = format!("alert {id} `{}` to {} organisations", new.title, recipients.len());
            audit_tx(tx, now, new.created_by, org, "alert-issue", &detail).map_err(e)?;
            Ok(id)
        })
    }

    /// The alerts organisation `org_id` received, newest first.
    pub fn inbox(&self, org_id: i64) -> Result<Vec<InboxEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS}, r.priority, r.chain, r.acknowledged_at, r.acknowledged_by
                 FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id
                 WHERE r.organisation_id = ?1 ORDER BY a.id DESC"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([org_id], |r| {
                Ok(InboxEntry {
                    alert: alert_row(r)?,
                    priority: r.get(9)?,
                    chain: json_col(r, 10)?,
                    acknowledged_at: r.get(11)?,
                    acknowledged_by: r.get(12)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Alert `alert_id` as organisation `org_id` received it; `None` when it
    /// is not one of its recipients.
    pub fn inbox_entry(
        &self,
        org_id: i64,
        alert_id: i64,
    ) -> Result<Option<InboxEntry>, StoreError> {
        Ok(self
            .inbox(org_id)?
            .into_iter()
            .find(|e| e.alert.id == alert_id))
    }

    /// Acknowledges alert `alert_id` for organisation `org_id` (the first
    /// acknowledgement is kept), with an audit entry `alert-ack`. `false`
    /// when the organisation is not a recipient of that alert.
    pub fn acknowledge_alert(
        &mut self,
        org_id: i64,
        alert_id: i64,
        by: Option<i64>,
        now: &str,
    ) -> Result<bool, StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            let e = |e| classify(&path, e);
            let recipient: bool = tx
                .query_row(
                    "SELECT count(*) > 0 FROM alert_recipients WHERE alert_id = ?1 AND organisation_id = ?2",
                    params![alert_id, org_id],
                    |r| r.get(0),
                )
                .map_err(e)?;
            if !recipient {
                return Ok(false);
            }
            let n = tx
                .execute(
                    "UPDATE alert_recipients SET acknowledged_at = ?1, acknowledged_by = ?2
                     WHERE alert_id = ?3 AND organisation_id = ?4 AND acknowledged_at IS NULL",
                    params![now, by, alert_id, org_id],
                )
                .map_err(e)?;
            if n == 1 {
                let detail = format!("alert {alert_id}");
                audit_tx(tx, now, by, Some(org_id), "alert-ack", &detail).map_err(e)?;
            }
            Ok(true)
        })
    }
}

/// API tokens.
impl Store {
    /// Stores a new API token of `new.user_id` (its SHA-256 only) with an
    /// audit entry `token-issue`. [`StoreError::InvalidValue`] for a hash
    /// that is not 64 lower-case hex digits, an empty name or an unknown
    /// user; [`StoreError::Conflict`] for a hash stored already.
    pub fn issue_token(&mut self, new: &NewToken<'_>, now: &str) -> Result<ApiToken, StoreError> {
        let hex = new.token_sha256.len() == 64
            && new
                .token_sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex {
            return Err(StoreError::InvalidValue(
                "token hash: expected a SHA-256 as 64 lower-case hex digits".into(),
            ));
        }
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > crate::MAX_NAME_CHARS {
            return Err(StoreError::InvalidValue(format!(
                "token name: expected 1 to {} characters",
                crate::MAX_NAME_CHARS
            )));
        }
        let Some(user) = self.user(new.user_id)? else {
            return Err(StoreError::InvalidValue(format!(
                "token: no user with id {}",
                new.user_id
            )));
        };
        let path = self.path.clone();
        let id = self.write(|tx| {
            let e = |e| classify(&path, e);
            let taken: bool = tx
                .query_row(
                    "SELECT count(*) > 0 FROM api_tokens WHERE token_sha256 = ?1",
                    [new.token_sha256],
                    |r| r.get(0),
                )
                .map_err(e)?;
            if taken {
                return Err(StoreError::Conflict("this token exists already".into()));
            }
            tx.execute(
                "INSERT INTO api_tokens (user_id, name, token_sha256, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![new.user_id, name, new.token_sha256, now, new.created_by],
            )
            .map_err(e)?;
            let id = tx.last_insert_rowid();
            let detail = format!("token {id} `{name}` for user {}", new.user_id);
            audit_tx(
                tx,
                now,
                new.created_by,
                Some(user.organisation_id),
                "token-issue",
                &detail,
            )
            .map_err(e)?;
            Ok(id)
        })?;
        self.tokens_of_org(user.organisation_id)?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| StoreError::InvalidValue(format!("token {id} vanished")))
    }

    /// The user a token acts as, found by the token's SHA-256: `None` for an
    /// unknown or revoked token, or a disabled user. Records the use
    /// (`last_used_at`).
    pub fn user_for_token(
        &mut self,
        token_sha256: &str,
        now: &str,
    ) -> Result<Option<User>, StoreError> {
        let path = self.path.clone();
        let user_id: Option<i64> = self.write(|tx| {
            let e = |e| classify(&path, e);
            let found: Option<(i64, i64)> = tx
                .query_row(
                    "SELECT t.id, t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id
                     WHERE t.token_sha256 = ?1 AND t.revoked_at IS NULL AND u.disabled = 0",
                    [token_sha256],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(e)?;
            if let Some((id, _)) = found {
                tx.execute(
                    "UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2",
                    params![now, id],
                )
                .map_err(e)?;
            }
            Ok(found.map(|(_, user)| user))
        })?;
        match user_id {
            Some(id) => self.user(id),
            None => Ok(None),
        }
    }

    /// The tokens of the users of organisation `org_id`, newest first (revoked ones included).
    pub fn tokens_of_org(&self, org_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE u.organisation_id = ?1 ORDER BY t.id DESC"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([org_id], token_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Revokes token `token_id` of a user of organisation `org_id`, with an
    /// audit entry `token-revoke`. `false` for another organisation's token,
    /// a missing one or one revoked already.
    pub fn revoke_token(
        &mut self,
        org_id: i64,
        token_id: i64,
        by: Option<i64>,
        now: &str,
    ) -> Result<bool, StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            let e = |e| classify(&path, e);
            let n = tx
                .execute(
                    "UPDATE api_tokens SET revoked_at = ?1
                     WHERE id = ?2 AND revoked_at IS NULL
                       AND user_id IN (SELECT id FROM users WHERE organisation_id = ?3)",
                    params![now, token_id, org_id],
                )
                .map_err(e)?;
            if n == 1 {
                let detail = format!("token {token_id}");
                audit_tx(tx, now, by, Some(org_id), "token-revoke", &detail).map_err(e)?;
            }
            Ok(n == 1)
        })
    }
}

/// TAXII collections and status resources.
impl Store {
    /// Adds `objects` to `collection` for organisation `org_id`, each with
    /// its own `date_added`, in one transaction with an audit entry
    /// `taxii-add` at `now`. A version the collection holds already is a
    /// duplicate (`added: false`), left as it was.
    pub fn add_taxii_objects(
        &mut self,
        org_id: i64,
        collection: &str,
        objects: &[NewTaxiiObject<'_>],
        now: &str,
        by: Option<i64>,
    ) -> Result<Vec<TaxiiAdded>, StoreError> {
        for o in objects {
            if let Some(t) = o.tlp {
                check_tlp(t)?;
            }
        }
        let path = self.path.clone();
        self.write(|tx| {
            let e = |e| constraint(&path, e, "TAXII object");
            let mut out = Vec::with_capacity(objects.len());
            for o in objects {
                let n = tx
                    .execute(
                        "INSERT INTO taxii_objects (organisation_id, collection, stix_id, stix_type,
                           version, date_added, spec_version, tlp, json)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                         ON CONFLICT (collection, stix_id, version) DO NOTHING",
                        params![
                            org_id,
                            collection,
                            o.stix_id,
                            o.stix_type,
                            o.version,
                            o.date_added,
                            o.spec_version,
                            o.tlp,
                            o.json.to_string()
                        ],
                    )
                    .map_err(e)?;
                out.push(TaxiiAdded {
                    stix_id: o.stix_id.to_owned(),
                    version: o.version.to_owned(),
                    added: n == 1,
                });
            }
            let added = out.iter().filter(|a| a.added).count();
            let detail = format!(
                "collection `{collection}`: {added} added, {} duplicates",
                out.len() - added
            );
            audit_tx(tx, now, by, Some(org_id), "taxii-add", &detail).map_err(e)?;
            Ok(out)
        })
    }

    /// The objects of `collection` that organisation `viewer_org` might see,
    /// in (`date_added`, `seq`) order: every one except other organisations'
    /// `red` ones (left out here, in SQL). The caller applies the TLP rules
    /// and the TAXII filters and pages.
    pub fn taxii_objects(
        &self,
        collection: &str,
        viewer_org: i64,
    ) -> Result<Vec<TaxiiObject>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, organisation_id, collection, stix_id, stix_type, version, date_added,
                   spec_version, tlp, json FROM taxii_objects
                 WHERE collection = ?1 AND (tlp IS NOT 'red' OR organisation_id = ?2)
                 ORDER BY date_added, seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![collection, viewer_org], taxii_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The latest `date_added` of `collection` (as written; text order is
    /// time order because every `date_added` has 6 fractional digits).
    pub fn last_taxii_date_added(&self, collection: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT max(date_added) FROM taxii_objects WHERE collection = ?1",
                [collection],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Stores the status resource `id` of a TAXII POST by organisation `org_id`.
    pub fn save_taxii_status(
        &mut self,
        org_id: i64,
        id: &str,
        body: &serde_json::Value,
        now: &str,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO taxii_status (id, organisation_id, created_at, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body
                 WHERE taxii_status.organisation_id = excluded.organisation_id",
                params![id, org_id, now, body.to_string()],
            )
            .map_err(|e| constraint(&path, e, "TAXII status"))?;
            Ok(())
        })
    }

    /// The status resource `id` if organisation `org_id` created it; `None` otherwise.
    pub fn taxii_status(
        &self,
        org_id: i64,
        id: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        self.conn
            .query_row(
                "SELECT body FROM taxii_status WHERE id = ?1 AND organisation_id = ?2",
                params![id, org_id],
                |r| json_col(r, 0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HASH_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const HASH_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    /// Two hospitals (A with user ua, B with user ub) and an agency.
    fn community() -> (Store, i64, i64, i64, i64, i64) {
        let mut s = Store::open_in_memory().unwrap();
        let a = s
            .create_organisation("A", "healthcare-organisation", "t")
            .unwrap()
            .id;
        let b = s
            .create_organisation("B", "healthcare-organisation", "t")
            .unwrap()
            .id;
        let g = s
            .create_organisation("G", "agency-institution", "t")
            .unwrap()
            .id;
        let user = |s: &mut Store, email: &str, org: i64| {
            s.create_user(&crate::NewUser {
                email,
                organisation_id: org,
                role: crate::Role::Analyst,
                password_hash: "$argon2id$x",
                now: "t",
            })
            .unwrap()
            .id
        };
        let ua = user(&mut s, "a@a.example", a);
        let ub = user(&mut s, "b@b.example", b);
        (s, a, b, g, ua, ub)
    }

    fn report(org: i64, by: i64, stix: &str, tlp: &str) -> (i64, i64, String, String) {
        (org, by, stix.to_owned(), tlp.to_owned())
    }

    fn create(s: &mut Store, r: &(i64, i64, String, String)) -> Incident {
        s.create_incident(
            &NewIncident {
                organisation_id: r.0,
                created_by: Some(r.1),
                tlp: &r.3,
                stix_id: &r.2,
                report: &json!({"narrative": r.2}),
            },
            "2026-01-01T00:00:00Z",
        )
        .unwrap()
    }

    #[test]
    fn migration_from_version_7_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v7.db");
        {
            let s = Store::open_at_version(&path, 7).unwrap();
            assert_eq!(s.schema_version().unwrap(), 7);
            s.conn
                .execute_batch(
                    "INSERT INTO organisations (id, name, created_at, kind)
                       VALUES (1, 'St Mary', '2026-01-01T00:00:00Z', 'healthcare-organisation');
                     INSERT INTO assessments VALUES (1, 1, 1, 'hospital', '1', '2026-01-01T00:00:00Z');",
                )
                .unwrap();
        }
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), crate::SCHEMA_VERSION);
        assert_eq!(s.assessments(None).unwrap().len(), 1);
        let r = s.sharing_record(1).unwrap().unwrap();
        assert_eq!(
            (r.name.as_str(), r.country, r.benchmark_opt_in, r.suppliers),
            ("St Mary", None, false, vec![])
        );
        let update = ProfileUpdate {
            country: Some("FR".into()),
            size_band: Some("large".into()),
            agency_id: None,
            benchmark_opt_in: true,
        };
        assert!(s.set_sharing_profile(1, &update, None, "t").unwrap());
        assert_eq!(
            s.sharing_record(1).unwrap().unwrap().country.as_deref(),
            Some("FR")
        );
        // The CHECKs refuse a lower-case country and an unknown band.
        let bad = ProfileUpdate {
            country: Some("fr".into()),
            ..update.clone()
        };
        assert!(matches!(
            s.set_sharing_profile(1, &bad, None, "t"),
            Err(StoreError::InvalidValue(_))
        ));
        let bad = ProfileUpdate {
            size_band: Some("huge".into()),
            ..update
        };
        assert!(s.set_sharing_profile(1, &bad, None, "t").is_err());
        assert_eq!(s.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn profiles_and_suppliers_round_trip() {
        let (mut s, a, b, g, ua, _) = community();
        assert!(s.set_suppliers(a, &[b, b], Some(ua), "t").unwrap());
        assert!(!s.set_suppliers(999, &[b], None, "t").unwrap());
        assert!(
            s.set_suppliers(a, &[a], None, "t").is_err(),
            "not its own supplier"
        );
        assert!(s.set_suppliers(a, &[999], None, "t").is_err());
        let update = ProfileUpdate {
            agency_id: Some(g),
            ..ProfileUpdate::default()
        };
        assert!(s.set_sharing_profile(a, &update, Some(ua), "t").unwrap());
        let r = s.sharing_record(a).unwrap().unwrap();
        assert_eq!((r.suppliers, r.agency_id), (vec![b], Some(g)));
        assert_eq!(s.sharing_records().unwrap().len(), 3);
        assert!(
            s.audit_log(Some(a))
                .unwrap()
                .iter()
                .any(|e| e.action == "suppliers")
        );
    }

    #[test]
    fn incidents_keep_history_and_are_scoped() {
        let (mut s, a, b, _, ua, ub) = community();
        let i = create(&mut s, &report(a, ua, "report--1", "amber"));
        assert_eq!((i.version, i.tlp.as_str()), (1, "amber"));
        // Another organisation cannot read, edit, relabel or withdraw it.
        assert!(s.incident_in_org(b, i.id).unwrap().is_none());
        assert!(s.incident_history(b, i.id).unwrap().is_none());
        let foreign = IncidentEdit {
            owner: b,
            id: i.id,
            report: None,
            tlp: Some("clear"),
            edited_by: Some(ub),
        };
        assert!(s.edit_incident(&foreign, "t2").unwrap().is_none());
        assert!(!s.withdraw_incident(b, i.id, Some(ub), "t2").unwrap());
        // The owner edits twice: the history keeps every version.
        let new_report = json!({"narrative": "more"});
        let edit = IncidentEdit {
            owner: a,
            id: i.id,
            report: Some(&new_report),
            tlp: None,
            edited_by: Some(ua),
        };
        assert_eq!(s.edit_incident(&edit, "t2").unwrap().unwrap().version, 2);
        let relabel = IncidentEdit {
            report: None,
            tlp: Some("green"),
            ..edit.clone()
        };
        let now = s.edit_incident(&relabel, "t3").unwrap().unwrap();
        assert_eq!((now.version, now.tlp.as_str()), (3, "green"));
        assert_eq!(now.report, new_report);
        let h = s.incident_history(a, i.id).unwrap().unwrap();
        let tlps: Vec<&str> = h.iter().map(|v| v.tlp.as_str()).collect();
        assert_eq!(tlps, ["amber", "amber", "green"]);
        assert_eq!(h[0].report, json!({"narrative": "report--1"}));
        let actions: Vec<String> = s
            .audit_log(Some(a))
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for want in ["incident-create", "incident-edit", "incident-tlp"] {
            assert!(actions.iter().any(|x| x == want), "{want}: {actions:?}");
        }
        // Withdrawn: kept for the owner, never a candidate, never changed.
        assert!(s.withdraw_incident(a, i.id, Some(ua), "t4").unwrap());
        assert!(!s.withdraw_incident(a, i.id, Some(ua), "t4").unwrap());
        assert!(s.incident_candidates(b).unwrap().is_empty());
        assert!(matches!(
            s.edit_incident(&edit, "t5"),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(s.incidents_of_org(a).unwrap().len(), 1);
        // A STIX id is unique; a bad label is refused.
        let dup = report(b, ub, "report--1", "green");
        let err = s
            .create_incident(
                &NewIncident {
                    organisation_id: dup.0,
                    created_by: Some(dup.1),
                    tlp: &dup.3,
                    stix_id: &dup.2,
                    report: &json!({}),
                },
                "t",
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        let bad = IncidentEdit {
            tlp: Some("TLP:WHITE"),
            ..edit
        };
        assert!(matches!(
            s.edit_incident(&bad, "t"),
            Err(StoreError::InvalidValue(_))
        ));
    }

    #[test]
    fn red_incidents_are_never_candidates_of_another_organisation() {
        let (mut s, a, b, g, ua, _) = community();
        let red = create(&mut s, &report(a, ua, "report--red", "red"));
        let amber = create(&mut s, &report(a, ua, "report--amber", "amber+strict"));
        for viewer in [b, g] {
            let ids: Vec<i64> = s
                .incident_candidates(viewer)
                .unwrap()
                .iter()
                .map(|i| i.id)
                .collect();
            assert_eq!(ids, vec![amber.id], "viewer {viewer}");
        }
        let own: Vec<i64> = s
            .incident_candidates(a)
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(own, vec![red.id, amber.id]);
    }

    #[test]
    fn alerts_reach_their_recipients_only() {
        let (mut s, a, b, g, ua, ub) = community();
        let i = create(&mut s, &report(a, ua, "report--x", "amber"));
        let subject = json!({"incident": {"reporter": a}});
        let id = s
            .create_alert(
                &NewAlert {
                    issued_by_org: None,
                    incident_id: Some(i.id),
                    subject: &subject,
                    title: "Ransomware",
                    text: "",
                    tlp: "amber",
                    created_by: Some(ua),
                },
                &[NewRecipient {
                    organisation_id: b,
                    priority: "high",
                    chain: json!([{"why": "client"}]),
                }],
                "t",
            )
            .unwrap();
        let inbox = s.inbox(b).unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(
            (inbox[0].alert.id, inbox[0].priority.as_str()),
            (id, "high")
        );
        assert!(s.inbox(g).unwrap().is_empty());
        assert!(s.inbox_entry(g, id).unwrap().is_none());
        assert!(!s.acknowledge_alert(g, id, None, "t2").unwrap());
        assert!(s.acknowledge_alert(b, id, Some(ub), "t2").unwrap());
        assert!(s.acknowledge_alert(b, id, Some(ub), "t3").unwrap());
        let e = s.inbox_entry(b, id).unwrap().unwrap();
        assert_eq!(
            (e.acknowledged_at.as_deref(), e.acknowledged_by),
            (Some("t2"), Some(ub))
        );
        assert!(
            s.audit_log(Some(a))
                .unwrap()
                .iter()
                .any(|e| e.action == "alert-issue")
        );
        assert!(
            s.audit_log(Some(b))
                .unwrap()
                .iter()
                .filter(|e| e.action == "alert-ack")
                .count()
                == 1
        );
    }

    #[test]
    fn tokens_are_found_by_hash_scoped_and_revocable() {
        let (mut s, a, b, _, ua, _) = community();
        let t = s
            .issue_token(
                &NewToken {
                    user_id: ua,
                    name: "feed",
                    token_sha256: HASH_A,
                    created_by: Some(ua),
                },
                "t",
            )
            .unwrap();
        let bad = NewToken {
            user_id: ua,
            name: "x",
            token_sha256: "ABC",
            created_by: None,
        };
        assert!(matches!(
            s.issue_token(&bad, "t"),
            Err(StoreError::InvalidValue(_))
        ));
        let dup = NewToken {
            token_sha256: HASH_A,
            ..bad
        };
        assert!(matches!(
            s.issue_token(&dup, "t"),
            Err(StoreError::Conflict(_))
        ));
        let user = s.user_for_token(HASH_A, "t1").unwrap().unwrap();
        assert_eq!(user.id, ua);
        assert!(s.user_for_token(HASH_B, "t1").unwrap().is_none());
        assert_eq!(
            s.tokens_of_org(a).unwrap()[0].last_used_at.as_deref(),
            Some("t1")
        );
        assert!(s.tokens_of_org(b).unwrap().is_empty());
        assert!(
            !s.revoke_token(b, t.id, None, "t2").unwrap(),
            "another organisation's"
        );
        assert!(s.user_for_token(HASH_A, "t2").unwrap().is_some());
        assert!(s.revoke_token(a, t.id, Some(ua), "t2").unwrap());
        assert!(s.user_for_token(HASH_A, "t3").unwrap().is_none());
        let actions: Vec<String> = s
            .audit_log(Some(a))
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            actions.contains(&"token-issue".into()) && actions.contains(&"token-revoke".into())
        );
    }

    #[test]
    fn taxii_objects_are_deduplicated_ordered_and_statuses_scoped() {
        let (mut s, a, b, _, ua, _) = community();
        let obj = json!({"type": "indicator", "id": "indicator--1"});
        let new = |id: &'static str,
                   version: &'static str,
                   tlp: Option<&'static str>,
                   date_added: &'static str| NewTaxiiObject {
            stix_id: id,
            stix_type: "indicator",
            version,
            spec_version: "2.1",
            tlp,
            date_added,
            json: &obj,
        };
        let first = [
            new(
                "indicator--1",
                "2026-01-01T00:00:00.000Z",
                Some("green"),
                "2026-02-01T00:00:00.000000Z",
            ),
            new(
                "indicator--2",
                "2026-01-01T00:00:00.000Z",
                Some("red"),
                "2026-02-01T00:00:00.000001Z",
            ),
        ];
        let out = s
            .add_taxii_objects(a, "shared", &first, "2026-02-01T00:00:00.000Z", Some(ua))
            .unwrap();
        assert!(out.iter().all(|o| o.added));
        let again = [
            new(
                "indicator--1",
                "2026-01-01T00:00:00.000Z",
                Some("green"),
                "2026-01-15T00:00:00.000000Z",
            ),
            new(
                "indicator--1",
                "2026-01-02T00:00:00.000Z",
                None,
                "2026-01-15T00:00:00.000001Z",
            ),
        ];
        let out = s
            .add_taxii_objects(a, "shared", &again, "2026-01-15T00:00:00.000Z", Some(ua))
            .unwrap();
        assert_eq!(
            out.iter().map(|o| o.added).collect::<Vec<_>>(),
            [false, true]
        );
        let seen: Vec<(String, String)> = s
            .taxii_objects("shared", b)
            .unwrap()
            .into_iter()
            .map(|o| (o.stix_id, o.date_added))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "indicator--1".to_owned(),
                    "2026-01-15T00:00:00.000001Z".to_owned()
                ),
                (
                    "indicator--1".to_owned(),
                    "2026-02-01T00:00:00.000000Z".to_owned()
                ),
            ],
            "ordered by date_added; the red one left out for B"
        );
        assert_eq!(
            s.last_taxii_date_added("shared").unwrap().as_deref(),
            Some("2026-02-01T00:00:00.000001Z")
        );
        assert_eq!(s.last_taxii_date_added("other").unwrap(), None);
        assert_eq!(s.taxii_objects("shared", a).unwrap().len(), 3);
        assert!(s.taxii_objects("other", a).unwrap().is_empty());
        s.save_taxii_status(a, "status-1", &json!({"status": "complete"}), "t")
            .unwrap();
        assert!(s.taxii_status(b, "status-1").unwrap().is_none());
        assert_eq!(
            s.taxii_status(a, "status-1").unwrap(),
            Some(json!({"status": "complete"}))
        );
        // Another organisation cannot overwrite it.
        s.save_taxii_status(b, "status-1", &json!({"status": "x"}), "t")
            .unwrap();
        assert_eq!(
            s.taxii_status(a, "status-1").unwrap(),
            Some(json!({"status": "complete"}))
        );
        assert!(
            s.audit_log(Some(a))
                .unwrap()
                .iter()
                .any(|e| e.action == "taxii-add")
        );
    }
}
