//! Jobs of `holisec serve` (migrations 5, 7 and 9): a risk, simulation, plan or
//! report run asked for by a user, with the options, model and engine version
//! it ran with, its state, and its result once done (a report job also keeps
//! its document, the HTML file it offers for download).
//!
//! * Reads by organisation take the organisation's row id (from the caller's
//!   session) and filter in SQL: another organisation's job is `None`, as a
//!   missing one.
//! * At most one job per organisation is queued or running: a partial unique
//!   index enforces it, and [`Store::create_job`] answers
//!   [`StoreError::Conflict`] before the index would.
//! * State changes are conditional updates (`WHERE state = ...`), so a
//!   cancelled job stays cancelled when its run ends later, and the result is
//!   written in the same transaction as the final state.
//! * [`Store::fail_interrupted_jobs`] marks the jobs a stopped server left
//!   queued or running as failed, with an audit entry each.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::classify;
use crate::{Store, StoreError};

/// Migration 5: the `jobs` table.
pub(crate) const MIGRATION: &str = "CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('risk', 'simulation')),
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        model_id INTEGER,
        options TEXT NOT NULL CHECK (json_valid(options)),
        engine_version TEXT NOT NULL,
        error TEXT,
        result TEXT CHECK (result IS NULL OR json_valid(result))
    ) STRICT;
    CREATE INDEX jobs_by_organisation ON jobs(organisation_id, id);
    CREATE UNIQUE INDEX jobs_one_active_per_organisation ON jobs(organisation_id)
        WHERE state IN ('queued', 'running');";

/// Migration 7: plan jobs (a hospital's risk and improvement plan, worked out
/// off the request path). SQLite cannot change a `CHECK` in place, so the
/// table is rebuilt the documented way (new table, copy, drop, rename) with
/// every row and both indexes kept.
pub(crate) const MIGRATION_PLAN_KIND: &str = "CREATE TABLE jobs_with_plan (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('risk', 'simulation', 'plan')),
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        model_id INTEGER,
        options TEXT NOT NULL CHECK (json_valid(options)),
        engine_version TEXT NOT NULL,
        error TEXT,
        result TEXT CHECK (result IS NULL OR json_valid(result))
    ) STRICT;
    INSERT INTO jobs_with_plan SELECT id, organisation_id, kind, state, created_at,
        started_at, finished_at, created_by, model_id, options, engine_version, error, result
        FROM jobs;
    DROP TABLE jobs;
    ALTER TABLE jobs_with_plan RENAME TO jobs;
    CREATE INDEX jobs_by_organisation ON jobs(organisation_id, id);
    CREATE UNIQUE INDEX jobs_one_active_per_organisation ON jobs(organisation_id)
        WHERE state IN ('queued', 'running');";

/// Migration 9: report jobs (the whole analysis as one HTML document, issue
/// of `holisec report`), rebuilt as migration 7 was (new table, copy, drop,
/// rename; every row and both indexes kept), with one more column:
/// `document`, the job's HTML.
///
/// Why a column of its own rather than the HTML inside `result`: `result` is
/// what `GET /api/v1/jobs/{id}` parses and sends back as JSON, and a report
/// is about 220 KB of HTML. Kept apart, the job's JSON stays a small summary
/// (headline figures), the document is stored as the bytes it is (not
/// escaped into a JSON string and parsed again on every view), no list or
/// view reads it, and the download reads that column alone
/// ([`Store::job_document_in_org`]).
pub(crate) const MIGRATION_REPORT_KIND: &str = "CREATE TABLE jobs_with_report (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('risk', 'simulation', 'plan', 'report')),
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        model_id INTEGER,
        options TEXT NOT NULL CHECK (json_valid(options)),
        engine_version TEXT NOT NULL,
        error TEXT,
        result TEXT CHECK (result IS NULL OR json_valid(result)),
        document TEXT
    ) STRICT;
    INSERT INTO jobs_with_report (id, organisation_id, kind, state, created_at, started_at,
        finished_at, created_by, model_id, options, engine_version, error, result)
        SELECT id, organisation_id, kind, state, created_at, started_at, finished_at,
        created_by, model_id, options, engine_version, error, result
        FROM jobs;
    DROP TABLE jobs;
    ALTER TABLE jobs_with_report RENAME TO jobs;
    CREATE INDEX jobs_by_organisation ON jobs(organisation_id, id);
    CREATE UNIQUE INDEX jobs_one_active_per_organisation ON jobs(organisation_id)
        WHERE state IN ('queued', 'running');";

/// The error of a job the server stopped during (set at the next start).
pub const INTERRUPTED: &str = "the server stopped during the run; start it again";

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum JobState {
    /// Waiting for the runner.
    Queued,
    /// Being computed.
    Running,
    /// Finished with a result.
    Done,
    /// Ended with an error.
    Failed,
    /// Cancelled by a user.
    Cancelled,
}

impl JobState {
    /// The spelling stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    /// Whether the job will not change any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Cancelled
        )
    }

    fn parse(s: &str) -> JobState {
        match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "cancelled" => JobState::Cancelled,
            _ => JobState::Failed,
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Row id.
    pub id: i64,
    /// Its organisation.
    pub organisation_id: i64,
    /// `risk`, `simulation`, `plan` or `report`.
    pub kind: String,
    /// Where it is.
    pub state: JobState,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
    /// When the runner started it.
    pub started_at: Option<String>,
    /// When it reached its final state.
    pub finished_at: Option<String>,
    /// Row id of the user who asked for it.
    pub created_by: Option<i64>,
    /// The upload id of its model; `None` = the built-in model.
    pub model: Option<i64>,
    /// The full resolved options (JSON text).
    pub options: String,
    /// Version of the engines that ran it.
    pub engine_version: String,
    /// Why it failed.
    pub error: Option<String>,
    /// Its result (JSON text), once done; only [`Store::job_in_org`] reads it.
    pub result: Option<String>,
}

/// A new job of an organisation.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// The organisation (from the session).
    pub organisation_id: i64,
    /// The user asking.
    pub created_by: i64,
    /// `risk`, `simulation`, `plan` or `report`.
    pub kind: &'a str,
    /// Upload id of the model; `None` = built-in.
    pub model: Option<i64>,
    /// The full resolved options (JSON text).
    pub options: &'a str,
    /// Version of the engines.
    pub engine_version: &'a str,
}

const COLUMNS: &str = "id, organisation_id, kind, state, created_at, started_at, finished_at, \
                       created_by, model_id, options, engine_version, error";

fn job_row(r: &rusqlite::Row<'_>, with_result: bool) -> rusqlite::Result<Job> {
    let state: String = r.get(3)?;
    Ok(Job {
        id: r.get(0)?,
        organisation_id: r.get(1)?,
        kind: r.get(2)?,
        state: JobState::parse(&state),
        created_at: r.get(4)?,
        started_at: r.get(5)?,
        finished_at: r.get(6)?,
        created_by: r.get(7)?,
        model: r.get(8)?,
        options: r.get(9)?,
        engine_version: r.get(10)?,
        error: r.get(11)?,
        result: if with_result { r.get(12)? } else { None },
    })
}

fn audit(
    tx: &rusqlite::Transaction<'_>,
    at: &str,
    user: Option<i64>,
    org: i64,
    action: &str,
    detail: &str,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO audit_log (at, user_id, organisation_id, action, detail)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, user, org, action, detail],
    )
}

impl Store {
    /// Queues a job, with its `job-start` audit entry, in one transaction.
    /// [`StoreError::Conflict`] when the organisation has a job queued or
    /// running already.
    pub fn create_job(&mut self, new: &NewJob<'_>, now: &str) -> Result<Job, StoreError> {
        let path = self.path.clone();
        let id = self.write(|tx| {
            let e = |e| classify(&path, e);
            let active: Option<i64> = tx
                .query_row(
                    "SELECT id FROM jobs WHERE organisation_id = ?1 AND state IN ('queued', 'running')",
                    [new.organisation_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(e)?;
            if let Some(a) = active {
                return Err(StoreError::Conflict(format!(
                    "job {a} of your organisation is still queued or running; wait for it or cancel it"
                )));
            }
            tx.execute(
                "INSERT INTO jobs (organisation_id, kind, state, created_at, created_by, model_id, options, engine_version)
                 VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.organisation_id,
                    new.kind,
                    now,
                    new.created_by,
                    new.model,
                    new.options,
                    new.engine_version
                ],
            )
            .map_err(e)?;
            let id = tx.last_insert_rowid();
            let detail = format!("{} job {id} options {}", new.kind, new.options);
            audit(tx, now, Some(new.created_by), new.organisation_id, "job-start", &detail)
                .map_err(e)?;
            Ok(id)
        })?;
        self.job(id)?
            .ok_or_else(|| StoreError::InvalidValue(format!("job {id} vanished")))
    }

    /// Job `id` whatever its organisation (for the runner), without its result.
    pub fn job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
                [id],
                |r| job_row(r, false),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The jobs of organisation `org_id`, newest first, without results.
    pub fn jobs_of_org(&self, org_id: i64) -> Result<Vec<Job>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM jobs WHERE organisation_id = ?1 ORDER BY id DESC"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([org_id], |r| job_row(r, false))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Job `id` with its result if it belongs to organisation `org_id`;
    /// `None` for another organisation's job as for a missing one.
    pub fn job_in_org(&self, org_id: i64, id: i64) -> Result<Option<Job>, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS}, result FROM jobs WHERE organisation_id = ?1 AND id = ?2"
                ),
                params![org_id, id],
                |r| job_row(r, true),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Job `id` (without its result) and its document (a finished report
    /// job's HTML; `None` for any other job) if it belongs to organisation
    /// `org_id`; `None` for another organisation's job as for a missing one.
    pub fn job_document_in_org(
        &self,
        org_id: i64,
        id: i64,
    ) -> Result<Option<(Job, Option<String>)>, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS}, NULL, document FROM jobs WHERE organisation_id = ?1 AND id = ?2"
                ),
                params![org_id, id],
                |r| Ok((job_row(r, false)?, r.get(13)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The oldest queued job of any organisation (the runner's next).
    pub fn next_queued_job(&self) -> Result<Option<Job>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1"),
                [],
                |r| job_row(r, false),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Queued → running. `false` when the job is no longer queued (cancelled).
    pub fn start_job(&mut self, id: i64, now: &str) -> Result<bool, StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE jobs SET state = 'running', started_at = ?2 WHERE id = ?1 AND state = 'queued'",
                    params![id, now],
                )
                .map_err(|e| classify(&path, e))?;
            Ok(n == 1)
        })
    }

    /// Running → `state` (done, failed or cancelled) with its error or result,
    /// in one transaction. `false` when the job was no longer running (a user
    /// cancelled it): nothing is written then.
    pub fn finish_job(
        &mut self,
        id: i64,
        state: JobState,
        error: Option<&str>,
        result: Option<&str>,
        now: &str,
    ) -> Result<bool, StoreError> {
        self.finish(id, state, error, result, None, now)
    }

    /// Running → done with its result and its document (a report job's
    /// HTML), in one transaction; `false`, writing nothing, when the job was
    /// no longer running (a user cancelled it).
    pub fn finish_job_with_document(
        &mut self,
        id: i64,
        result: &str,
        document: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        self.finish(id, JobState::Done, None, Some(result), Some(document), now)
    }

    fn finish(
        &mut self,
        id: i64,
        state: JobState,
        error: Option<&str>,
        result: Option<&str>,
        document: Option<&str>,
        now: &str,
    ) -> Result<bool, StoreError> {
        if !state.is_final() {
            return Err(StoreError::InvalidValue(format!(
                "a job finishes as done, failed or cancelled, not {}",
                state.as_str()
            )));
        }
        let path = self.path.clone();
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE jobs SET state = ?2, finished_at = ?3, error = ?4, result = ?5,
                     document = ?6 WHERE id = ?1 AND state = 'running'",
                    params![id, state.as_str(), now, error, result, document],
                )
                .map_err(|e| classify(&path, e))?;
            Ok(n == 1)
        })
    }

    /// Cancels job `id` of organisation `org_id` if it is queued or running,
    /// with a `job-cancel` audit entry, in one transaction. Returns the job
    /// as it is afterwards (a finished job unchanged); `None` for another
    /// organisation's job as for a missing one.
    pub fn cancel_job(
        &mut self,
        org_id: i64,
        id: i64,
        user: i64,
        now: &str,
    ) -> Result<Option<Job>, StoreError> {
        let path = self.path.clone();
        let found = self.write(|tx| {
            let e = |e| classify(&path, e);
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT id FROM jobs WHERE organisation_id = ?1 AND id = ?2",
                    params![org_id, id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(e)?;
            if exists.is_none() {
                return Ok(false);
            }
            let n = tx
                .execute(
                    "UPDATE jobs SET state = 'cancelled', finished_at = ?3
                     WHERE organisation_id = ?1 AND id = ?2 AND state IN ('queued', 'running')",
                    params![org_id, id, now],
                )
                .map_err(e)?;
            if n == 1 {
                audit(
                    tx,
                    now,
                    Some(user),
                    org_id,
                    "job-cancel",
                    &format!("job {id}"),
                )
                .map_err(e)?;
            }
            Ok(true)
        })?;
        if found {
            self.job_in_org(org_id, id)
        } else {
            Ok(None)
        }
    }

    /// Marks every queued or running job failed with [`INTERRUPTED`] and an
    /// audit entry each, in one transaction; returns their ids. A server
    /// calls it at start: no job of a previous process is still running.
    pub fn fail_interrupted_jobs(&mut self, now: &str) -> Result<Vec<i64>, StoreError> {
        let path = self.path.clone();
        self.write(|tx| {
            let e = |e| classify(&path, e);
            let mut stmt = tx
                .prepare("SELECT id, organisation_id, state FROM jobs WHERE state IN ('queued', 'running') ORDER BY id")
                .map_err(e)?;
            let stuck = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
                })
                .map_err(e)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(e)?;
            drop(stmt);
            for (id, org, state) in &stuck {
                tx.execute(
                    "UPDATE jobs SET state = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
                    params![id, now, INTERRUPTED],
                )
                .map_err(e)?;
                let detail = format!("job {id} was {state} when the server stopped: failed");
                audit(tx, now, None, *org, "job-interrupted", &detail).map_err(e)?;
            }
            Ok(stuck.into_iter().map(|(id, _, _)| id).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Store, i64, i64, i64) {
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

    fn new_job(org: i64, user: i64) -> NewJob<'static> {
        NewJob {
            organisation_id: org,
            created_by: user,
            kind: "risk",
            model: None,
            options: r#"{"iterations":1000,"seed":1}"#,
            engine_version: "test",
        }
    }

    #[test]
    fn migration_7_keeps_every_job_and_accepts_plan_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        {
            let mut s = Store::open_at_version(&path, 6).unwrap();
            let a = s
                .create_organisation("A", "healthcare-organisation", "t")
                .unwrap()
                .id;
            let mut plan = new_job(a, 0);
            plan.kind = "plan";
            plan.created_by = s
                .create_user(&crate::NewUser {
                    email: "x@a.example",
                    organisation_id: a,
                    role: crate::Role::Analyst,
                    password_hash: "$argon2id$x",
                    now: "t",
                })
                .unwrap()
                .id;
            // Before migration 7 the kind is refused by the table itself.
            assert!(s.create_job(&plan, "t0").is_err());
            let j = s.create_job(&new_job(a, plan.created_by), "t1").unwrap();
            assert!(s.start_job(j.id, "t2").unwrap());
        }
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), crate::SCHEMA_VERSION);
        let kept = s.job_in_org(1, 1).unwrap().unwrap();
        assert_eq!(
            (kept.kind.as_str(), kept.state),
            ("risk", JobState::Running)
        );
        let indexes: Vec<String> = s
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            indexes,
            ["jobs_by_organisation", "jobs_one_active_per_organisation"]
        );
        let mut plan = new_job(1, 1);
        plan.kind = "plan";
        let err = s.create_job(&plan, "t3").unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        assert!(
            s.finish_job(1, JobState::Done, None, Some("{}"), "t4")
                .unwrap()
        );
        assert_eq!(s.create_job(&plan, "t5").unwrap().kind, "plan");
    }

    #[test]
    fn migration_9_keeps_every_job_and_accepts_report_jobs_with_their_document() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v8.db");
        let (a, b, user) = {
            let mut s = Store::open_at_version(&path, 8).unwrap();
            let a = s
                .create_organisation("A", "healthcare-organisation", "t")
                .unwrap()
                .id;
            let b = s
                .create_organisation("B", "agency-institution", "t")
                .unwrap()
                .id;
            let user = s
                .create_user(&crate::NewUser {
                    email: "x@a.example",
                    organisation_id: a,
                    role: crate::Role::Analyst,
                    password_hash: "$argon2id$x",
                    now: "t",
                })
                .unwrap()
                .id;
            let mut report = new_job(a, user);
            report.kind = "report";
            // Before migration 9 the kind is refused by the table itself.
            assert!(s.create_job(&report, "t0").is_err());
            let mut plan = new_job(a, user);
            plan.kind = "plan";
            let done = s.create_job(&plan, "t1").unwrap();
            assert!(s.start_job(done.id, "t2").unwrap());
            // As a version-8 server finished it (no `document` column yet).
            s.conn
                .execute(
                    "UPDATE jobs SET state = 'done', finished_at = 't3', result = ?2 WHERE id = ?1",
                    params![done.id, r#"{"ale":1.5}"#],
                )
                .unwrap();
            let running = s.create_job(&new_job(b, user), "t4").unwrap();
            assert!(s.start_job(running.id, "t5").unwrap());
            (a, b, user)
        };
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), crate::SCHEMA_VERSION);
        // Every row kept as it was, and no job has a document.
        let plan = s.job_in_org(a, 1).unwrap().unwrap();
        assert_eq!(
            (plan.kind.as_str(), plan.state, plan.result.as_deref()),
            ("plan", JobState::Done, Some(r#"{"ale":1.5}"#))
        );
        assert_eq!(
            (plan.started_at.as_deref(), plan.finished_at.as_deref()),
            (Some("t2"), Some("t3"))
        );
        assert_eq!(plan.options, r#"{"iterations":1000,"seed":1}"#);
        assert_eq!(s.job_document_in_org(a, 1).unwrap().unwrap().1, None);
        let running = s.job_in_org(b, 2).unwrap().unwrap();
        assert_eq!(
            (running.kind.as_str(), running.state),
            ("risk", JobState::Running)
        );
        let indexes: Vec<String> = s
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            indexes,
            ["jobs_by_organisation", "jobs_one_active_per_organisation"]
        );
        // The one-active-job index still holds: B's running job blocks another.
        let mut report = new_job(b, user);
        report.kind = "report";
        let err = s.create_job(&report, "t6").unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        // A report job keeps its document beside a small result.
        report.organisation_id = a;
        let r = s.create_job(&report, "t7").unwrap();
        assert_eq!(r.kind, "report");
        assert!(s.start_job(r.id, "t8").unwrap());
        assert!(
            s.finish_job_with_document(r.id, r#"{"bytes":15}"#, "<!doctype html>", "t9")
                .unwrap()
        );
        let (job, document) = s.job_document_in_org(a, r.id).unwrap().unwrap();
        assert_eq!((job.state, job.result), (JobState::Done, None));
        assert_eq!(document.as_deref(), Some("<!doctype html>"));
        assert_eq!(
            s.job_in_org(a, r.id).unwrap().unwrap().result.as_deref(),
            Some(r#"{"bytes":15}"#)
        );
        // Scoped: B reads nothing of A's report.
        assert!(s.job_document_in_org(b, r.id).unwrap().is_none());
        // Finished once: a second finish writes nothing.
        assert!(
            !s.finish_job_with_document(r.id, "{}", "other", "t10")
                .unwrap()
        );
    }

    #[test]
    fn a_job_runs_once_and_keeps_its_result() {
        let (mut s, a, b, u) = setup();
        let j = s.create_job(&new_job(a, u), "t1").unwrap();
        assert_eq!(j.state, JobState::Queued);
        // One queued or running job per organisation.
        let err = s.create_job(&new_job(a, u), "t1").unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        assert_eq!(s.next_queued_job().unwrap().unwrap().id, j.id);
        assert!(s.start_job(j.id, "t2").unwrap());
        assert!(!s.start_job(j.id, "t2").unwrap(), "started twice");
        assert!(s.next_queued_job().unwrap().is_none());
        assert!(
            s.finish_job(j.id, JobState::Done, None, Some(r#"{"x":1.5}"#), "t3")
                .unwrap()
        );
        let done = s.job_in_org(a, j.id).unwrap().unwrap();
        assert_eq!(done.state, JobState::Done);
        assert_eq!(done.result.as_deref(), Some(r#"{"x":1.5}"#));
        assert_eq!(done.finished_at.as_deref(), Some("t3"));
        // Scoped: B sees nothing of A's job.
        assert!(s.job_in_org(b, j.id).unwrap().is_none());
        assert!(s.cancel_job(b, j.id, u, "t4").unwrap().is_none());
        assert!(s.jobs_of_org(b).unwrap().is_empty());
        // Lists carry no result.
        assert!(s.jobs_of_org(a).unwrap()[0].result.is_none());
        // A finished job may be followed by another one.
        s.create_job(&new_job(a, u), "t5").unwrap();
        let log = s.audit_log(Some(a)).unwrap();
        assert_eq!(log.iter().filter(|e| e.action == "job-start").count(), 2);
    }

    #[test]
    fn a_cancelled_job_stays_cancelled_when_its_run_ends() {
        let (mut s, a, _, u) = setup();
        let j = s.create_job(&new_job(a, u), "t1").unwrap();
        s.start_job(j.id, "t2").unwrap();
        let c = s.cancel_job(a, j.id, u, "t3").unwrap().unwrap();
        assert_eq!(c.state, JobState::Cancelled);
        assert!(
            !s.finish_job(j.id, JobState::Done, None, Some("{}"), "t4")
                .unwrap()
        );
        let after = s.job_in_org(a, j.id).unwrap().unwrap();
        assert_eq!(after.state, JobState::Cancelled);
        assert!(after.result.is_none());
        // Cancelling again changes nothing and is not audited twice.
        s.cancel_job(a, j.id, u, "t5").unwrap().unwrap();
        let log = s.audit_log(Some(a)).unwrap();
        assert_eq!(log.iter().filter(|e| e.action == "job-cancel").count(), 1);
        assert!(
            s.finish_job(j.id, JobState::Running, None, None, "t")
                .is_err()
        );
    }

    #[test]
    fn jobs_left_by_a_stopped_server_are_failed_at_start() {
        let (mut s, a, b, u) = setup();
        let running = s.create_job(&new_job(a, u), "t1").unwrap();
        s.start_job(running.id, "t2").unwrap();
        let queued = s.create_job(&new_job(b, u), "t1").unwrap();
        let ids = s.fail_interrupted_jobs("t9").unwrap();
        assert_eq!(ids, vec![running.id, queued.id]);
        for (org, id) in [(a, running.id), (b, queued.id)] {
            let j = s.job_in_org(org, id).unwrap().unwrap();
            assert_eq!(j.state, JobState::Failed);
            assert_eq!(j.error.as_deref(), Some(INTERRUPTED));
        }
        assert!(s.fail_interrupted_jobs("t10").unwrap().is_empty());
        assert!(
            s.audit_log(Some(b))
                .unwrap()
                .iter()
                .any(|e| e.action == "job-interrupted")
        );
    }
}
