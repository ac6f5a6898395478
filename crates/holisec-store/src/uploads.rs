//! Model and scenario files an organisation uploaded (migration 6), kept
//! with their text, SHA-256 and the warnings their check gave, so a job can
//! name the exact file it ran on.
//!
//! Every read takes the organisation's row id (from the caller's session) and
//! filters by it in SQL: another organisation's upload is `None`, exactly as
//! an id that does not exist. Names are unique per organisation whatever
//! their case ([`StoreError::Conflict`] otherwise). Uploads are never changed
//! or deleted: a job's model stays what it ran on.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::classify;
use crate::{Store, StoreError};

/// Migration 6: the `uploads` table.
pub(crate) const MIGRATION: &str = "CREATE TABLE uploads (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        name TEXT NOT NULL COLLATE NOCASE CHECK (length(name) > 0),
        kind TEXT NOT NULL CHECK (kind IN ('model', 'scenario')),
        text TEXT NOT NULL,
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        warnings TEXT NOT NULL CHECK (json_valid(warnings)),
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        UNIQUE (organisation_id, name)
    ) STRICT;";

/// What an upload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UploadKind {
    /// A model file (`holisec validate`).
    Model,
    /// A simulation scenario file (`holisec simulate --scenario FILE`).
    Scenario,
}

impl UploadKind {
    /// The spelling stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadKind::Model => "model",
            UploadKind::Scenario => "scenario",
        }
    }

    fn parse(s: &str) -> UploadKind {
        if s == "scenario" {
            UploadKind::Scenario
        } else {
            UploadKind::Model
        }
    }
}

/// An upload as listed (without its text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadSummary {
    /// Row id.
    pub id: i64,
    /// Its name, unique in the organisation whatever its case.
    pub name: String,
    /// Model or scenario.
    pub kind: UploadKind,
    /// When it was uploaded (RFC 3339).
    pub created_at: String,
    /// Row id of the user who uploaded it (`None` once that user is deleted).
    pub created_by: Option<i64>,
    /// SHA-256 of its text, lower-case hex.
    pub sha256: String,
    /// The warnings its check gave, as the uploader received them (JSON).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub warnings: serde_json::Value,
}

/// An upload with its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Upload {
    /// Everything but the text.
    #[serde(flatten)]
    pub summary: UploadSummary,
    /// The file's text.
    pub text: String,
}

/// A new upload of an organisation.
#[derive(Debug, Clone)]
pub struct NewUpload<'a> {
    /// The organisation (from the session).
    pub organisation_id: i64,
    /// The uploading user.
    pub created_by: i64,
    /// Its name.
    pub name: &'a str,
    /// Model or scenario.
    pub kind: UploadKind,
    /// The checked text.
    pub text: &'a str,
    /// SHA-256 of the text, lower-case hex.
    pub sha256: &'a str,
    /// Its warnings (JSON).
    pub warnings: &'a serde_json::Value,
}

const SUMMARY_COLUMNS: &str = "id, name, kind, created_at, created_by, sha256, warnings";

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UploadSummary> {
    let kind: String = r.get(2)?;
    let warnings: String = r.get(6)?;
    Ok(UploadSummary {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: UploadKind::parse(&kind),
        created_at: r.get(3)?,
        created_by: r.get(4)?,
        sha256: r.get(5)?,
        warnings: serde_json::from_str(&warnings).unwrap_or(serde_json::Value::Null),
    })
}

impl Store {
    /// Stores an upload and its audit entry in one transaction.
    /// [`StoreError::Conflict`] when the organisation has an upload of that
    /// name already (whatever its case); [`StoreError::InvalidValue`] for an
    /// empty or over-long name.
    pub fn create_upload(&mut self, new: &NewUpload<'_>, now: &str) -> Result<Upload, StoreError> {
        let name = new.name.trim();
        if name.is_empty()
            || name.chars().count() > crate::MAX_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(StoreError::InvalidValue(format!(
                "name `{name}`: expected 1 to {} characters without control characters",
                crate::MAX_NAME_CHARS
            )));
        }
        let path = self.path.clone();
        let id = self.write(|tx| {
            let e = |e| classify(&path, e);
            let taken: Option<String> = tx
                .query_row(
                    "SELECT name FROM uploads WHERE organisation_id = ?1 AND name = ?2",
                    params![new.organisation_id, name],
                    |r| r.get(0),
                )
                .optional()
                .map_err(e)?;
            if let Some(t) = taken {
                return Err(StoreError::Conflict(format!(
                    "an upload named `{t}` exists already; choose another name"
                )));
            }
            tx.execute(
                "INSERT INTO uploads (organisation_id, name, kind, text, sha256, warnings, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    new.organisation_id,
                    name,
                    new.kind.as_str(),
                    new.text,
                    new.sha256,
                    new.warnings.to_string(),
                    now,
                    new.created_by
                ],
            )
            .map_err(e)?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO audit_log (at, user_id, organisation_id, action, detail)
                 VALUES (?1, ?2, ?3, 'upload', ?4)",
                params![
                    now,
                    new.created_by,
                    new.organisation_id,
                    format!("{} {id} `{name}` sha256 {}", new.kind.as_str(), new.sha256)
                ],
            )
            .map_err(e)?;
            Ok(id)
        })?;
        self.upload_in_org(new.organisation_id, id)?
            .ok_or_else(|| StoreError::InvalidValue(format!("upload {id} vanished")))
    }

    /// The uploads of organisation `org_id`, newest first, without their text.
    pub fn uploads_of_org(&self, org_id: i64) -> Result<Vec<UploadSummary>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM uploads WHERE organisation_id = ?1 ORDER BY id DESC"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([org_id], summary_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Upload `id` with its text if it belongs to organisation `org_id`;
    /// `None` for another organisation's upload as for a missing one.
    pub fn upload_in_org(&self, org_id: i64, id: i64) -> Result<Option<Upload>, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, text FROM uploads WHERE organisation_id = ?1 AND id = ?2"
                ),
                params![org_id, id],
                |r| {
                    Ok(Upload {
                        summary: summary_row(r)?,
                        text: r.get(7)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_two_orgs() -> (Store, i64, i64, i64) {
        let mut s = Store::open_in_memory().unwrap();
        let a = s
            .create_organisation("A", "healthcare-organisation", "t")
            .unwrap()
            .id;
        let b = s
            .create_organisation("B", "agency-institution", "t")
            .unwrap()
            .id;
        let u = s
            .create_user(&crate::NewUser {
                email: "x@a.example",
                organisation_id: a,
                role: crate::Role::Analyst,
                password_hash: "$argon2id$x",
                now: "t",
            })
            .unwrap()
            .id;
        (s, a, b, u)
    }

    fn upload<'a>(org: i64, by: i64, name: &'a str, w: &'a serde_json::Value) -> NewUpload<'a> {
        NewUpload {
            organisation_id: org,
            created_by: by,
            name,
            kind: UploadKind::Model,
            text: "[ecosystem]\n",
            sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            warnings: w,
        }
    }

    #[test]
    fn uploads_are_scoped_named_uniquely_and_audited() {
        let (mut s, a, b, u) = store_with_two_orgs();
        let w = serde_json::json!([]);
        let up = s.create_upload(&upload(a, u, "Mine", &w), "t1").unwrap();
        assert_eq!(up.summary.name, "Mine");
        assert_eq!(up.text, "[ecosystem]\n");
        let err = s
            .create_upload(&upload(a, u, "mine", &w), "t2")
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        // Another organisation may use the same name.
        s.create_upload(&upload(b, u, "mine", &w), "t3").unwrap();
        assert_eq!(s.uploads_of_org(a).unwrap().len(), 1);
        assert!(s.upload_in_org(b, up.summary.id).unwrap().is_none());
        assert!(s.upload_in_org(a, up.summary.id).unwrap().is_some());
        let log = s.audit_log(Some(a)).unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "upload" && e.detail.contains("`Mine`")),
            "{log:?}"
        );
        let err = s.create_upload(&upload(a, u, " ", &w), "t4").unwrap_err();
        assert!(matches!(err, StoreError::InvalidValue(_)), "{err}");
    }
}
