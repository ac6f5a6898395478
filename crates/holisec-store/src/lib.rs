//! SQLite storage of hospital self-assessments.
//!
//! One file holds organisations, their assessments (a version number per
//! organisation and a timestamp), the answers (item, maturity level, optional
//! evidence note) and the risk runs computed from them (hash of the inputs and
//! the results as JSON). The schema is created and upgraded by embedded
//! migrations applied on open; the database runs in WAL mode with foreign keys
//! on and a busy timeout, every write happens in one transaction, every table is
//! `STRICT`, and every value goes through SQL parameters.
//!
//! The caller passes timestamps (RFC 3339 text): this crate reads no clock.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use rusqlite_migration::{M, Migrations};
use serde::{Deserialize, Serialize};

/// The embedded migrations, oldest first. `PRAGMA user_version` counts those applied.
pub const MIGRATIONS: &[&str] = &[
    // 1: organisations, assessments, answers.
    "CREATE TABLE organisations (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        version INTEGER NOT NULL CHECK (version >= 1),
        questionnaire TEXT NOT NULL,
        questionnaire_version TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (organisation_id, version)
    ) STRICT;
    CREATE TABLE answers (
        assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        item TEXT NOT NULL,
        level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 4),
        PRIMARY KEY (assessment_id, item)
    ) STRICT;",
    // 2: evidence notes and answer times; risk runs.
    "ALTER TABLE answers ADD COLUMN evidence TEXT;
    ALTER TABLE answers ADD COLUMN answered_at TEXT;
    CREATE TABLE risk_runs (
        id INTEGER PRIMARY KEY,
        assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        input_hash TEXT NOT NULL,
        seed INTEGER NOT NULL,
        iterations INTEGER NOT NULL CHECK (iterations > 0),
        created_at TEXT NOT NULL,
        results TEXT NOT NULL CHECK (json_valid(results)),
        UNIQUE (assessment_id, input_hash)
    ) STRICT;
    CREATE INDEX assessments_by_organisation ON assessments(organisation_id);",
];

/// The schema version this build writes (number of migrations).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not an SQLite database.
    #[error("`{0}` is not a holisec database (not an SQLite file)")]
    NotADatabase(PathBuf),
    /// The database was written by a newer holisec.
    #[error(
        "`{path}` has schema version {found}, newer than the {supported} this holisec supports; upgrade holisec"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// [`SCHEMA_VERSION`].
        supported: i64,
    },
    /// The file or its directory cannot be written.
    #[error("`{0}` is read-only: cannot write to it")]
    ReadOnly(PathBuf),
    /// The disk is full.
    #[error("disk full while writing `{0}`; nothing of this write was stored")]
    Full(PathBuf),
    /// No assessment has this id.
    #[error("no assessment with id {0}; `holisec assess list` shows them")]
    UnknownAssessment(i64),
    /// Import refused.
    #[error("{0}")]
    Import(String),
    /// Applying the migrations failed.
    #[error("cannot migrate `{path}`: {message}")]
    Migration {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// Any other SQLite failure.
    #[error("database `{path}`: {source}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
}

impl StoreError {
    /// True when the user's input (the file they named, an id) is at fault: exit status 2.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            StoreError::NotADatabase(_)
                | StoreError::NewerSchema { .. }
                | StoreError::UnknownAssessment(_)
                | StoreError::Import(_)
        )
    }
}

/// An organisation (a hospital).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

/// One assessment of an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Row id (the `ID` of the CLI).
    pub id: i64,
    /// Organisation row id.
    pub organisation_id: i64,
    /// Organisation name.
    pub organisation: String,
    /// 1 for the organisation's first assessment, then 2, 3, ...
    pub version: i64,
    /// Questionnaire id.
    pub questionnaire: String,
    /// Questionnaire version.
    pub questionnaire_version: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// Number of answers stored.
    pub answered: i64,
}

/// One stored answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// Questionnaire item id.
    pub item: String,
    /// Maturity level 0..=4.
    pub level: u8,
    /// Optional evidence note.
    pub evidence: Option<String>,
    /// When it was given (RFC 3339), when known.
    pub answered_at: Option<String>,
}

/// One stored risk run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskRun {
    /// Row id.
    pub id: i64,
    /// Assessment row id.
    pub assessment_id: i64,
    /// Hash of every input (model, questionnaire, answers, options).
    pub input_hash: String,
    /// Seed of the run.
    pub seed: i64,
    /// Iterations of the run.
    pub iterations: i64,
    /// When it was computed (RFC 3339).
    pub created_at: String,
    /// The results as JSON.
    pub results: serde_json::Value,
}

/// A whole database as JSON, for `holisec db export/import`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dump {
    /// Format marker, always `holisec-db`.
    pub format: String,
    /// Schema version of the exporting database.
    pub schema_version: i64,
    /// Organisations.
    pub organisations: Vec<Organisation>,
    /// Assessments with their answers.
    pub assessments: Vec<DumpAssessment>,
    /// Risk runs.
    pub risk_runs: Vec<RiskRun>,
}

/// An assessment and its answers in a [`Dump`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DumpAssessment {
    /// The assessment.
    #[serde(flatten)]
    pub assessment: Assessment,
    /// Its answers.
    pub answers: Vec<Answer>,
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        Store::init(conn, path.to_path_buf())
    }

    /// Opens a database up to the given schema version only (tests of migrations).
    pub fn open_at_version(path: &Path, version: usize) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|e| classify(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.pragmas()?;
        migrations()
            .to_version(&mut store.conn, version)
            .map_err(|e| StoreError::Migration {
                path: store.path.clone(),
                message: e.to_string(),
            })?;
        Ok(store)
    }

    /// An in-memory database (tests).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| classify(Path::new(":memory:"), e))?;
        Store::init(conn, PathBuf::from(":memory:"))
    }

    fn pragmas(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let c = &self.conn;
        c.busy_timeout(Duration::from_secs(10))
            .map_err(|e| classify(&path, e))?;
        // The first read of the file: a non-SQLite file fails here.
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| classify(&path, e))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        c.pragma_update(None, "foreign_keys", true)
            .map_err(|e| classify(&path, e))?;
        if path != Path::new(":memory:") {
            // A read-only file stays readable: WAL is set when the file can be written,
            // and a write to a read-only file fails later as `StoreError::ReadOnly`.
            if !c.is_readonly("main").unwrap_or(false) {
                let _mode: String = c
                    .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                    .map_err(|e| classify(&path, e))?;
            }
            c.pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| classify(&path, e))?;
        }
        Ok(())
    }

    fn init(conn: Connection, path: PathBuf) -> Result<Store, StoreError> {
        let mut store = Store { conn, path };
        store.pragmas()?;
        let current: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| classify(&store.path, e))?;
        if current < SCHEMA_VERSION {
            if store.conn.is_readonly("main").unwrap_or(false) {
                return Err(StoreError::ReadOnly(store.path.clone()));
            }
            migrations()
                .to_latest(&mut store.conn)
                .map_err(|e| match e {
                    rusqlite_migration::Error::RusqliteError { err, .. } => {
                        classify(&store.path, err)
                    }
                    other => StoreError::Migration {
                        path: store.path.clone(),
                        message: other.to_string(),
                    },
                })?;
        }
        Ok(store)
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e)
    }

    fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| classify(&path, e))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| classify(&path, e))?;
        Ok(out)
    }

    /// Creates an assessment (version = previous version of the organisation + 1),
    /// creating the organisation when it does not exist yet.
    pub fn new_assessment(
        &mut self,
        organisation: &str,
        questionnaire: &str,
        questionnaire_version: &str,
        now: &str,
    ) -> Result<Assessment, StoreError> {
        let path = self.path.clone();
        let id = self.write(|tx| {
            let e = |e| classify(&path, e);
            tx.execute(
                "INSERT INTO organisations (name, created_at) VALUES (?1, ?2)
                 ON CONFLICT (name) DO NOTHING",
                params![organisation, now],
            )
            .map_err(e)?;
            let org: i64 = tx
                .query_row(
                    "SELECT id FROM organisations WHERE name = ?1",
                    [organisation],
                    |r| r.get(0),
                )
                .map_err(e)?;
            tx.execute(
                "INSERT INTO assessments (organisation_id, version, questionnaire, questionnaire_version, created_at)
                 VALUES (?1, (SELECT coalesce(max(version), 0) + 1 FROM assessments WHERE organisation_id = ?1), ?2, ?3, ?4)",
                params![org, questionnaire, questionnaire_version, now],
            )
            .map_err(e)?;
            Ok(tx.last_insert_rowid())
        })?;
        self.assessment(id)
    }

    /// The assessment `id`.
    pub fn assessment(&self, id: i64) -> Result<Assessment, StoreError> {
        self.conn
            .query_row(
                &format!("{ASSESSMENT_SELECT} WHERE a.id = ?1"),
                [id],
                assessment_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or(StoreError::UnknownAssessment(id))
    }

    /// Every assessment (of `organisation` when given), oldest first.
    pub fn assessments(&self, organisation: Option<&str>) -> Result<Vec<Assessment>, StoreError> {
        let sql = format!(
            "{ASSESSMENT_SELECT} WHERE (?1 IS NULL OR o.name = ?1) ORDER BY o.name, a.version"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([organisation], assessment_row)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Every organisation, by name.
    pub fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, created_at FROM organisations ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Organisation {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    created_at: r.get(2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Stores `answers` for assessment `id` in ONE transaction (all or nothing);
    /// an item answered before gets the new level and note.
    pub fn save_answers(&mut self, id: i64, answers: &[Answer]) -> Result<(), StoreError> {
        self.assessment(id)?;
        let path = self.path.clone();
        self.write(|tx| {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO answers (assessment_id, item, level, evidence, answered_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (assessment_id, item) DO UPDATE SET
                       level = excluded.level, evidence = excluded.evidence,
                       answered_at = excluded.answered_at",
                )
                .map_err(|e| classify(&path, e))?;
            for a in answers {
                stmt.execute(params![id, a.item, a.level, a.evidence, a.answered_at])
                    .map_err(|e| classify(&path, e))?;
            }
            Ok(())
        })
    }

    /// The answers of assessment `id`, by item id.
    pub fn answers(&self, id: i64) -> Result<Vec<Answer>, StoreError> {
        self.assessment(id)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT item, level, evidence, answered_at FROM answers
                 WHERE assessment_id = ?1 ORDER BY item",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(Answer {
                    item: r.get(0)?,
                    level: r.get(1)?,
                    evidence: r.get(2)?,
                    answered_at: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The stored run of assessment `id` with inputs hashing to `input_hash`.
    pub fn risk_run(&self, id: i64, input_hash: &str) -> Result<Option<RiskRun>, StoreError> {
        self.conn
            .query_row(
                "SELECT id, assessment_id, input_hash, seed, iterations, created_at, results
                 FROM risk_runs WHERE assessment_id = ?1 AND input_hash = ?2",
                params![id, input_hash],
                risk_run_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Stores a risk run (replacing one with the same assessment and hash).
    pub fn save_risk_run(&mut self, run: &RiskRun) -> Result<i64, StoreError> {
        self.assessment(run.assessment_id)?;
        let path = self.path.clone();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO risk_runs (assessment_id, input_hash, seed, iterations, created_at, results)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (assessment_id, input_hash) DO UPDATE SET
                   seed = excluded.seed, iterations = excluded.iterations,
                   created_at = excluded.created_at, results = excluded.results",
                params![
                    run.assessment_id,
                    run.input_hash,
                    run.seed,
                    run.iterations,
                    run.created_at,
                    run.results.to_string()
                ],
            )
            .map_err(|e| classify(&path, e))?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Every risk run, oldest first.
    pub fn risk_runs(&self) -> Result<Vec<RiskRun>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, assessment_id, input_hash, seed, iterations, created_at, results
                 FROM risk_runs ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], risk_run_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// The whole database as a [`Dump`] (read in one transaction: a consistent snapshot).
    pub fn export(&mut self) -> Result<Dump, StoreError> {
        // One read transaction: a consistent snapshot even while another process writes.
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| self.err(e))?;
        let dump = self.export_inner();
        let end = if dump.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn.execute_batch(end).map_err(|e| self.err(e))?;
        dump
    }

    fn export_inner(&self) -> Result<Dump, StoreError> {
        let organisations = self.organisations()?;
        let mut assessments = Vec::new();
        for a in self.assessments(None)? {
            let answers = self.answers(a.id)?;
            assessments.push(DumpAssessment {
                assessment: a,
                answers,
            });
        }
        Ok(Dump {
            format: "holisec-db".to_owned(),
            schema_version: SCHEMA_VERSION,
            organisations,
            assessments,
            risk_runs: self.risk_runs()?,
        })
    }

    /// Restores a [`Dump`] into this database, which must hold no organisation yet.
    /// All or nothing: one transaction.
    pub fn import(&mut self, dump: &Dump) -> Result<(), StoreError> {
        if dump.format != "holisec-db" {
            return Err(StoreError::Import(format!(
                "not a holisec database export: `format` is `{}`, expected `holisec-db`",
                dump.format
            )));
        }
        if dump.schema_version > SCHEMA_VERSION {
            return Err(StoreError::Import(format!(
                "export has schema version {}, newer than the {SCHEMA_VERSION} this holisec supports",
                dump.schema_version
            )));
        }
        if !self.organisations()?.is_empty() {
            return Err(StoreError::Import(format!(
                "`{}` already holds organisations; import into a new database (`--db NEW.db`)",
                self.path.display()
            )));
        }
        let path = self.path.clone();
        self.write(|tx| {
            let e = |e| classify(&path, e);
            for o in &dump.organisations {
                tx.execute(
                    "INSERT INTO organisations (id, name, created_at) VALUES (?1, ?2, ?3)",
                    params![o.id, o.name, o.created_at],
                )
                .map_err(e)?;
            }
            for d in &dump.assessments {
                let a = &d.assessment;
                tx.execute(
                    "INSERT INTO assessments (id, organisation_id, version, questionnaire, questionnaire_version, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![a.id, a.organisation_id, a.version, a.questionnaire, a.questionnaire_version, a.created_at],
                )
                .map_err(|err| import_err(&path, err, &format!("assessment {}", a.id)))?;
                for ans in &d.answers {
                    tx.execute(
                        "INSERT INTO answers (assessment_id, item, level, evidence, answered_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![a.id, ans.item, ans.level, ans.evidence, ans.answered_at],
                    )
                    .map_err(|err| import_err(&path, err, &format!("answer `{}` of assessment {}", ans.item, a.id)))?;
                }
            }
            for r in &dump.risk_runs {
                tx.execute(
                    "INSERT INTO risk_runs (id, assessment_id, input_hash, seed, iterations, created_at, results)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![r.id, r.assessment_id, r.input_hash, r.seed, r.iterations, r.created_at, r.results.to_string()],
                )
                .map_err(|err| import_err(&path, err, &format!("risk run {}", r.id)))?;
            }
            Ok(())
        })
    }

    /// `PRAGMA integrity_check` result (`ok` when sound).
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

fn import_err(path: &Path, err: rusqlite::Error, what: &str) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &err
        && f.code == rusqlite::ErrorCode::ConstraintViolation
    {
        return StoreError::Import(format!(
            "export is inconsistent at {what}: {}",
            msg.clone().unwrap_or_default()
        ));
    }
    classify(path, err)
}

const ASSESSMENT_SELECT: &str =
    "SELECT a.id, a.organisation_id, o.name, a.version, a.questionnaire,
    a.questionnaire_version, a.created_at,
    (SELECT count(*) FROM answers n WHERE n.assessment_id = a.id)
    FROM assessments a JOIN organisations o ON o.id = a.organisation_id";

fn assessment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Assessment> {
    Ok(Assessment {
        id: r.get(0)?,
        organisation_id: r.get(1)?,
        organisation: r.get(2)?,
        version: r.get(3)?,
        questionnaire: r.get(4)?,
        questionnaire_version: r.get(5)?,
        created_at: r.get(6)?,
        answered: r.get(7)?,
    })
}

fn risk_run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RiskRun> {
    let text: String = r.get(6)?;
    Ok(RiskRun {
        id: r.get(0)?,
        assessment_id: r.get(1)?,
        input_hash: r.get(2)?,
        seed: r.get(3)?,
        iterations: r.get(4)?,
        created_at: r.get(5)?,
        results: serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
        })?,
    })
}

/// Turns an SQLite error into the storage error a user understands.
fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        match f.code {
            ErrorCode::NotADatabase => return StoreError::NotADatabase(path.to_path_buf()),
            ErrorCode::ReadOnly | ErrorCode::CannotOpen if path_is_readonly(path) => {
                return StoreError::ReadOnly(path.to_path_buf());
            }
            ErrorCode::ReadOnly => return StoreError::ReadOnly(path.to_path_buf()),
            ErrorCode::DiskFull => return StoreError::Full(path.to_path_buf()),
            _ => {}
        }
    }
    StoreError::Sqlite {
        path: path.to_path_buf(),
        source: e,
    }
}

fn path_is_readonly(path: &Path) -> bool {
    // Metadata only; no write is attempted.
    std::fs::metadata(path)
        .map(|m| m.permissions().readonly())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn migrates_from_empty_file_and_previous_version() {
        let dir = tempfile::tempdir().unwrap();
        // An empty (zero-byte) file is a valid empty SQLite database.
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        let s = Store::open(&empty).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);

        // A database at version 1 with data keeps it through migration 2.
        let old = dir.path().join("old.db");
        {
            let s = Store::open_at_version(&old, 1).unwrap();
            assert_eq!(s.schema_version().unwrap(), 1);
            s.conn
                .execute_batch(
                    "INSERT INTO organisations VALUES (1, 'St Mary', '2026-01-01T00:00:00Z');
                     INSERT INTO assessments VALUES (1, 1, 1, 'hospital', '1', '2026-01-01T00:00:00Z');
                     INSERT INTO answers VALUES (1, 'PE-01', 3);",
                )
                .unwrap();
        }
        let s = Store::open(&old).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let answers = s.answers(1).unwrap();
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0].level, 3);
        assert_eq!(answers[0].evidence, None);
        let journal: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
        let fk: i64 = s
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn newer_schema_and_non_sqlite_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let newer = dir.path().join("newer.db");
        {
            let s = Store::open(&newer).unwrap();
            s.conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = Store::open(&newer).err().unwrap();
        assert!(
            matches!(err, StoreError::NewerSchema { found: 99, .. }),
            "{err}"
        );
        assert!(err.is_invalid_input());

        let text = dir.path().join("notes.txt");
        std::fs::write(
            &text,
            "this is not a database, just some text\n".repeat(100),
        )
        .unwrap();
        let err = Store::open(&text).err().unwrap();
        assert!(matches!(err, StoreError::NotADatabase(_)), "{err}");
        // The file is untouched.
        assert!(
            std::fs::read_to_string(&text)
                .unwrap()
                .starts_with("this is not")
        );
    }

    #[test]
    fn readers_see_only_committed_batches_while_a_writer_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let id = {
            let mut s = Store::open(&path).unwrap();
            s.new_assessment("Busy", "hospital", "1", "t").unwrap().id
        };
        let wpath = path.clone();
        let writer = std::thread::spawn(move || {
            let mut s = Store::open(&wpath).unwrap();
            for b in 0..50 {
                // Batches of 4 answers, each batch one transaction.
                let batch: Vec<Answer> = (0..4)
                    .map(|k| Answer {
                        item: format!("I-{b:02}-{k}"),
                        level: (k % 5) as u8,
                        evidence: None,
                        answered_at: None,
                    })
                    .collect();
                s.save_answers(id, &batch).unwrap();
            }
        });
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let rpath = path.clone();
                std::thread::spawn(move || {
                    let s = Store::open(&rpath).unwrap();
                    let mut last = 0;
                    for _ in 0..200 {
                        let n = s.answers(id).unwrap().len();
                        assert_eq!(n % 4, 0, "a reader saw half a transaction: {n}");
                        assert!(n >= last);
                        last = n;
                    }
                })
            })
            .collect();
        writer.join().unwrap();
        for r in readers {
            r.join().unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.answers(id).unwrap().len(), 200);
        assert_eq!(s.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn full_disk_is_a_clear_error_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("full.db");
        let mut s = Store::open(&path).unwrap();
        let a = s.new_assessment("Full", "hospital", "1", "t").unwrap();
        let first = vec![Answer {
            item: "PE-01".into(),
            level: 2,
            evidence: None,
            answered_at: None,
        }];
        s.save_answers(a.id, &first).unwrap();
        // Simulate a full disk: the file may not grow any more.
        let pages: i64 = s
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        s.conn
            .pragma_update(None, "max_page_count", pages + 1)
            .unwrap();
        let big: Vec<Answer> = (0..2000)
            .map(|k| Answer {
                item: format!("X-{k}"),
                level: 1,
                evidence: Some("x".repeat(500)),
                answered_at: None,
            })
            .collect();
        let err = s.save_answers(a.id, &big).unwrap_err();
        assert!(matches!(err, StoreError::Full(_)), "{err}");
        assert!(!err.is_invalid_input());
        assert_eq!(s.answers(a.id).unwrap(), first);
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.answers(a.id).unwrap(), first);
        assert_eq!(s.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn answers_round_trip_and_export_import() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s
            .new_assessment("St Mary", "hospital", "1", "2026-01-01T00:00:00Z")
            .unwrap();
        assert_eq!(a.version, 1);
        let b = s
            .new_assessment("St Mary", "hospital", "1", "2026-02-01T00:00:00Z")
            .unwrap();
        assert_eq!(b.version, 2);
        let ans = vec![
            Answer {
                item: "PE-01".into(),
                level: 2,
                evidence: Some("2025 campaign".into()),
                answered_at: None,
            },
            Answer {
                item: "TE-01".into(),
                level: 4,
                evidence: None,
                answered_at: None,
            },
        ];
        s.save_answers(a.id, &ans).unwrap();
        assert_eq!(s.answers(a.id).unwrap(), ans);
        // A level outside 0..=4 is refused by the CHECK and nothing is stored.
        let bad = vec![
            Answer {
                item: "X".into(),
                level: 1,
                evidence: None,
                answered_at: None,
            },
            Answer {
                item: "Y".into(),
                level: 9,
                evidence: None,
                answered_at: None,
            },
        ];
        assert!(s.save_answers(b.id, &bad).is_err());
        assert!(s.answers(b.id).unwrap().is_empty());
        s.save_risk_run(&RiskRun {
            id: 0,
            assessment_id: a.id,
            input_hash: "abc".into(),
            seed: 1,
            iterations: 10,
            created_at: "2026-01-01T00:00:00Z".into(),
            results: serde_json::json!({"ale": 1.0}),
        })
        .unwrap();
        let dump = s.export().unwrap();
        let mut t = Store::open_in_memory().unwrap();
        t.import(&dump).unwrap();
        assert_eq!(t.export().unwrap(), dump);
        // Importing twice is refused and changes nothing.
        assert!(matches!(t.import(&dump), Err(StoreError::Import(_))));
        assert_eq!(t.export().unwrap(), dump);
    }
}
