//! Organisations with a kind, user accounts and the audit log (migration 3),
//! and the organisation-scoped reads the server uses.
//!
//! Every read of an organisation's data here takes the organisation's row id
//! (from the caller's session, never from a request) and filters by it in SQL:
//! another organisation's assessment is [`StoreError::UnknownAssessment`],
//! exactly as an id that does not exist, so ids cannot be probed.
//!
//! Password hashes are stored as given (PHC strings); this crate neither
//! hashes nor verifies them.

use std::fmt;
use std::str::FromStr;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::classify;
use crate::{ASSESSMENT_SELECT, Assessment, Store, StoreError, assessment_row};

/// An organisation with its kind (a model stakeholder kind such as
/// `healthcare-organisation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRecord {
    /// Row id.
    pub id: i64,
    /// Unique name (whatever its case).
    pub name: String,
    /// Stakeholder kind, as spelt in model files.
    pub kind: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

/// A user's role in their organisation, weakest first (so `>=` compares rights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Reads the organisation's data.
    Viewer,
    /// Reads and changes the organisation's data (answers, runs).
    Analyst,
    /// Everything an analyst does, and administers the organisation.
    Admin,
}

impl Role {
    /// Every role, weakest first.
    pub const ALL: &'static [Role] = &[Role::Viewer, Role::Analyst, Role::Admin];

    /// The spelling stored and shown: `viewer`, `analyst`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Role, StoreError> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                StoreError::InvalidValue(format!(
                    "unknown role `{s}`; expected one of admin, analyst, viewer"
                ))
            })
    }
}

/// A user account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Email, lower case; unique.
    pub email: String,
    /// Organisation row id.
    pub organisation_id: i64,
    /// Organisation name.
    pub organisation: String,
    /// Role in the organisation.
    pub role: Role,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// A disabled user cannot log in.
    pub disabled: bool,
}

/// What [`Store::create_user`] needs.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Email (trimmed and lower-cased before it is stored).
    pub email: &'a str,
    /// Organisation row id.
    pub organisation_id: i64,
    /// Role.
    pub role: Role,
    /// Password hash as a PHC string (`$argon2id$...`).
    pub password_hash: &'a str,
    /// Now (RFC 3339).
    pub now: &'a str,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who, when known.
    pub user_id: Option<i64>,
    /// In which organisation, when known.
    pub organisation_id: Option<i64>,
    /// What: `login`, `login-failed`, `logout`, `create-org`, `create-user`, `create-assessment`, ...
    pub action: String,
    /// Details (never a password or a session id).
    pub detail: String,
}

/// Largest email accepted, in characters.
pub const MAX_EMAIL_CHARS: usize = 254;

/// The email as stored: trimmed, lower case; refused when it does not look like one.
pub fn normalise_email(email: &str) -> Result<String, StoreError> {
    let e = email.trim().to_lowercase();
    let ok = e.chars().count() <= MAX_EMAIL_CHARS
        // Printable ASCII only: what the API's schema promises (RFC 5321 local
        // parts; internationalised addresses are not accepted).
        && e.chars().all(|c| c.is_ascii_graphic())
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'));
    if ok {
        Ok(e)
    } else {
        Err(StoreError::InvalidValue(format!(
            "`{}` is not an email address (expected NAME@DOMAIN in printable ASCII, at most {MAX_EMAIL_CHARS} characters, no spaces)",
            email.trim().chars().take(80).collect::<String>()
        )))
    }
}

const USER_SELECT: &str =
    "SELECT u.id, u.email, u.organisation_id, o.name, u.role, u.created_at, u.disabled
    FROM users u JOIN organisations o ON o.id = u.organisation_id";

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(4)?;
    Ok(User {
        id: r.get(0)?,
        email: r.get(1)?,
        organisation_id: r.get(2)?,
        organisation: r.get(3)?,
        role: role.parse().map_err(|e: StoreError| {
            rusqlite::Error::FromSqlConversionFailure(
                4,
                rusqlite::types::Type::Text,
                e.to_string().into(),
            )
        })?,
        created_at: r.get(5)?,
        disabled: r.get(6)?,
    })
}

fn org_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OrgRecord> {
    Ok(OrgRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        created_at: r.get(3)?,
    })
}

impl Store {
    /// Creates an organisation of `kind` (the caller checks the kind against
    /// the model). [`StoreError::Conflict`] when the name exists whatever its case.
    pub fn create_organisation(
        &mut self,
        name: &str,
        kind: &str,
        now: &str,
    ) -> Result<OrgRecord, StoreError> {
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > crate::MAX_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(StoreError::InvalidValue(format!(
                "organisation name `{name}`: expected 1 to {} characters without control characters",
                crate::MAX_NAME_CHARS
            )));
        }
        if kind.is_empty() {
            return Err(StoreError::InvalidValue(
                "organisation kind: expected a stakeholder kind".into(),
            ));
        }
        self.before_write()?;
        let path = self.path.clone();
        let id = self.write(|tx| {
            let e = |e| classify(&path, e);
            let taken: Option<String> = tx
                .query_row(
                    "SELECT name FROM organisations WHERE lower(name) = lower(?1)",
                    [name],
                    |r| r.get(0),
                )
                .optional()
                .map_err(e)?;
            if let Some(t) = taken {
                return Err(StoreError::Conflict(format!(
                    "organisation `{t}` exists already"
                )));
            }
            tx.execute(
                "INSERT INTO organisations (name, created_at, kind) VALUES (?1, ?2, ?3)",
                params![name, now, kind],
            )
            .map_err(e)?;
            Ok(tx.last_insert_rowid())
        })?;
        self.organisation_by_id(id)?
            .ok_or_else(|| StoreError::UnknownOrganisation(format!("organisation {id}")))
    }

    /// Every organisation with its kind, by name.
    pub fn organisation_records(&self) -> Result<Vec<OrgRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, kind, created_at FROM organisations ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], org_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The organisation with row id `id`, if any.
    pub fn organisation_by_id(&self, id: i64) -> Result<Option<OrgRecord>, StoreError> {
        self.conn
            .prepare_cached("SELECT id, name, kind, created_at FROM organisations WHERE id = ?1")
            .and_then(|mut stmt| stmt.query_row([id], org_row))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The organisation named `name` whatever its case, if any.
    pub fn organisation_by_name(&self, name: &str) -> Result<Option<OrgRecord>, StoreError> {
        self.conn
            .query_row(
                "SELECT id, name, kind, created_at FROM organisations WHERE lower(name) = lower(?1)",
                [name.trim()],
                org_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Creates a user. [`StoreError::Conflict`] when the email is taken
    /// (whatever its case), [`StoreError::UnknownOrganisation`] when the
    /// organisation does not exist.
    pub fn create_user(&mut self, new: &NewUser<'_>) -> Result<User, StoreError> {
        let email = normalise_email(new.email)?;
        if !new.password_hash.starts_with('$') {
            return Err(StoreError::InvalidValue(
                "password hash: expected a PHC string".into(),
            ));
        }
        if self.organisation_by_id(new.organisation_id)?.is_none() {
            return Err(StoreError::UnknownOrganisation(format!(
                "no organisation with id {}",
                new.organisation_id
            )));
        }
        self.before_write()?;
        let path = self.path.clone();
        let id = self.write(|tx| {
            let e = |e| classify(&path, e);
            let taken: bool = tx
                .query_row(
                    "SELECT count(*) > 0 FROM users WHERE email = ?1",
                    [&email],
                    |r| r.get(0),
                )
                .map_err(e)?;
            if taken {
                return Err(StoreError::Conflict(format!(
                    "a user with email `{email}` exists already"
                )));
            }
            tx.execute(
                "INSERT INTO users (email, organisation_id, role, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    email,
                    new.organisation_id,
                    new.role.as_str(),
                    new.password_hash,
                    new.now
                ],
            )
            .map_err(e)?;
            Ok(tx.last_insert_rowid())
        })?;
        self.user(id)?
            .ok_or_else(|| StoreError::InvalidValue(format!("user {id} vanished")))
    }

    /// The user with row id `id`, if any.
    pub fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        // A cached statement: the server reads the user on every request.
        self.conn
            .prepare_cached(&format!("{USER_SELECT} WHERE u.id = ?1"))
            .and_then(|mut stmt| stmt.query_row([id], user_row))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The user and their password hash, for a password change or the
    /// per-request check that the session's credentials are still current.
    pub fn user_with_hash(&self, id: i64) -> Result<Option<(User, String)>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT u.id, u.email, u.organisation_id, o.name, u.role, u.created_at, u.disabled,
                        u.password_hash
                 FROM users u JOIN organisations o ON o.id = u.organisation_id
                 WHERE u.id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([id], |r| Ok((user_row(r)?, r.get::<_, String>(7)?)))
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Replaces the password hash of user `user_id` (false when there is no
    /// such user).
    pub fn set_password_hash(&mut self, user_id: i64, hash: &str) -> Result<bool, StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE users SET password_hash = ?1 WHERE id = ?2",
                    params![hash, user_id],
                )
                .map_err(|e| classify(&path, e))?;
            Ok(n == 1)
        })
    }

    /// The user with this email (whatever its case) and their password hash,
    /// for a login. `None` for an unknown email.
    pub fn user_for_login(&self, email: &str) -> Result<Option<(User, String)>, StoreError> {
        let email = email.trim().to_lowercase();
        self.conn
            .query_row(
                "SELECT u.id, u.email, u.organisation_id, o.name, u.role, u.created_at, u.disabled,
                        u.password_hash
                 FROM users u JOIN organisations o ON o.id = u.organisation_id
                 WHERE u.email = ?1",
                [email],
                |r| Ok((user_row(r)?, r.get::<_, String>(7)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every user (without hashes), by organisation name then email.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{USER_SELECT} ORDER BY o.name, u.email"))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], user_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The users of organisation `org_id`, by email.
    pub fn users_of_org(&self, org_id: i64) -> Result<Vec<User>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "{USER_SELECT} WHERE u.organisation_id = ?1 ORDER BY u.email"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([org_id], user_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Disables or enables a user of organisation `org_id` (false when no
    /// such user in that organisation).
    pub fn set_user_disabled(
        &mut self,
        org_id: i64,
        user_id: i64,
        disabled: bool,
    ) -> Result<bool, StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE users SET disabled = ?1 WHERE id = ?2 AND organisation_id = ?3",
                    params![disabled, user_id, org_id],
                )
                .map_err(|e| classify(&path, e))?;
            Ok(n == 1)
        })
    }

    /// Sets the role of a user of organisation `org_id` (false when no such
    /// user in that organisation). Roles never reach past the organisation:
    /// there is no site administrator among them.
    pub fn set_user_role(
        &mut self,
        org_id: i64,
        user_id: i64,
        role: Role,
    ) -> Result<bool, StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE users SET role = ?1 WHERE id = ?2 AND organisation_id = ?3",
                    params![role.as_str(), user_id, org_id],
                )
                .map_err(|e| classify(&path, e))?;
            Ok(n == 1)
        })
    }

    /// Number of stored login sessions (the server's `sessions` table), expired ones included.
    pub fn session_count(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// The assessments of organisation `org_id` only, oldest first.
    pub fn assessments_of_org(&self, org_id: i64) -> Result<Vec<Assessment>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "{ASSESSMENT_SELECT} WHERE a.organisation_id = ?1 ORDER BY a.version"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([org_id], assessment_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The assessment `id` if it belongs to organisation `org_id`; another
    /// organisation's id is [`StoreError::UnknownAssessment`], as a missing one.
    pub fn assessment_in_org(&self, org_id: i64, id: i64) -> Result<Assessment, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "{ASSESSMENT_SELECT} WHERE a.id = ?1 AND a.organisation_id = ?2"
            ))
            .and_then(|mut stmt| stmt.query_row(params![id, org_id], assessment_row))
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::UnknownAssessment(id))
    }

    /// Appends to the audit log.
    pub fn audit(
        &mut self,
        at: &str,
        user_id: Option<i64>,
        organisation_id: Option<i64>,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO audit_log (at, user_id, organisation_id, action, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![at, user_id, organisation_id, action, detail],
            )
            .map_err(|e| classify(&path, e))?;
            Ok(())
        })
    }

    /// The audit log of organisation `org_id` (all of it when `None`), oldest first.
    pub fn audit_log(&self, org_id: Option<i64>) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, at, user_id, organisation_id, action, detail FROM audit_log
                 WHERE (?1 IS NULL OR organisation_id = ?1) ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([org_id], |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    user_id: r.get(2)?,
                    organisation_id: r.get(3)?,
                    action: r.get(4)?,
                    detail: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-12-04T00:00:00Z";

    fn user<'a>(email: &'a str, org: i64, role: Role) -> NewUser<'a> {
        NewUser {
            email,
            organisation_id: org,
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            now: NOW,
        }
    }

    #[test]
    fn existing_organisations_become_hospitals_and_keep_their_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        {
            let s = Store::open_at_version(&path, 2).unwrap();
            s.conn
                .execute_batch(
                    "INSERT INTO organisations VALUES (1, 'St Mary', '2026-01-01T00:00:00Z');
                     INSERT INTO assessments VALUES (1, 1, 1, 'hospital', '1', '2026-01-01T00:00:00Z');
                     INSERT INTO answers VALUES (1, 'PE-01', 3, 'note', NULL);",
                )
                .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), crate::SCHEMA_VERSION);
        let orgs = s.organisation_records().unwrap();
        assert_eq!(orgs.len(), 1);
        assert_eq!(orgs[0].kind, "healthcare-organisation");
        assert_eq!(s.answers(1).unwrap()[0].evidence.as_deref(), Some("note"));
        assert!(s.users().unwrap().is_empty());
        assert_eq!(s.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn organisations_and_users_are_unique_whatever_the_case() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s
            .create_organisation("CERT-EU", "agency-institution", NOW)
            .unwrap();
        assert_eq!(a.kind, "agency-institution");
        assert!(matches!(
            s.create_organisation("cert-eu", "insurance-group", NOW),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            s.create_organisation("  ", "insurance-group", NOW),
            Err(StoreError::InvalidValue(_))
        ));
        let u = s
            .create_user(&user(" Ana@Example.org ", a.id, Role::Analyst))
            .unwrap();
        assert_eq!(u.email, "ana@example.org");
        assert_eq!(u.organisation, "CERT-EU");
        assert!(!u.disabled);
        let err = s
            .create_user(&user("ANA@example.ORG", a.id, Role::Viewer))
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        assert!(err.is_invalid_input());
        assert!(matches!(
            s.create_user(&user("x@y", 999, Role::Viewer)),
            Err(StoreError::UnknownOrganisation(_))
        ));
        assert!(matches!(
            s.create_user(&user("not an email", a.id, Role::Viewer)),
            Err(StoreError::InvalidValue(_))
        ));
        let (found, hash) = s.user_for_login("ANA@EXAMPLE.ORG").unwrap().unwrap();
        assert_eq!(found, u);
        assert!(hash.starts_with("$argon2id$"));
        assert!(s.user_for_login("nobody@example.org").unwrap().is_none());
        // A role outside the three is refused by the table itself.
        assert!(
            s.conn
                .execute(
                    "INSERT INTO users (email, organisation_id, role, password_hash, created_at)
                     VALUES ('r@x', ?1, 'root', '$h', 't')",
                    [a.id]
                )
                .is_err()
        );
        assert_eq!("viewer".parse::<Role>().unwrap(), Role::Viewer);
        assert!("root".parse::<Role>().is_err());
        assert!(Role::Admin > Role::Analyst && Role::Analyst > Role::Viewer);
    }

    #[test]
    fn reads_are_scoped_by_organisation() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s.new_assessment("St Mary", "hospital", "1", NOW).unwrap();
        let b = s.new_assessment("St John", "hospital", "1", NOW).unwrap();
        let b2 = s.new_assessment("St John", "hospital", "1", NOW).unwrap();
        let mary = a.organisation_id;
        let john = b.organisation_id;
        assert_eq!(s.assessments_of_org(mary).unwrap(), vec![a.clone()]);
        assert_eq!(s.assessments_of_org(john).unwrap(), vec![b.clone(), b2]);
        assert_eq!(s.assessment_in_org(mary, a.id).unwrap(), a);
        // Another organisation's id reads as an unknown id.
        assert!(matches!(
            s.assessment_in_org(mary, b.id),
            Err(StoreError::UnknownAssessment(id)) if id == b.id
        ));
        assert!(matches!(
            s.assessment_in_org(mary, 12345),
            Err(StoreError::UnknownAssessment(12345))
        ));
        let ua = s.create_user(&user("a@mary", mary, Role::Admin)).unwrap();
        s.create_user(&user("b@john", john, Role::Viewer)).unwrap();
        assert_eq!(s.users_of_org(mary).unwrap(), vec![ua.clone()]);
        // An admin of one organisation cannot disable another's user.
        let john_user = s.users_of_org(john).unwrap()[0].id;
        assert!(!s.set_user_disabled(mary, john_user, true).unwrap());
        assert!(!s.user(john_user).unwrap().unwrap().disabled);
        assert!(s.set_user_disabled(mary, ua.id, true).unwrap());
        assert!(s.user(ua.id).unwrap().unwrap().disabled);

        s.audit(NOW, Some(ua.id), Some(mary), "login", "ok")
            .unwrap();
        s.audit(NOW, None, None, "login-failed", "unknown email")
            .unwrap();
        s.audit(NOW, None, Some(john), "create-org", "St John")
            .unwrap();
        assert_eq!(s.audit_log(Some(mary)).unwrap().len(), 1);
        assert_eq!(s.audit_log(None).unwrap().len(), 3);
    }

    #[test]
    fn emails_are_printable_ascii_name_at_domain_lower_cased() {
        assert_eq!(
            normalise_email(" Ana@Mary.EXAMPLE ").unwrap(),
            "ana@mary.example"
        );
        assert_eq!(
            normalise_email("o'neil+ciso@h.example").unwrap(),
            "o'neil+ciso@h.example"
        );
        for bad in [
            "",
            "@h.example",
            "ana@",
            "a@b@c",
            "an a@h.example",
            "ana@h\u{7}",
            "anä@h.example",
        ] {
            let e = normalise_email(bad).unwrap_err().to_string();
            assert!(e.contains("printable ASCII"), "{bad:?}: {e}");
        }
        assert!(normalise_email(&format!("a@{}", "b".repeat(MAX_EMAIL_CHARS))).is_err());
    }
}
