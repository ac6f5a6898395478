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
//! Hardening (issue 17):
//!
//! * A damaged file is never written: before its first write each [`Store`]
//!   runs `PRAGMA quick_check` and refuses with [`StoreError::Corrupt`].
//! * Several processes may open a new file at once: migrations run in one
//!   `BEGIN IMMEDIATE` transaction that reads `user_version` again inside.
//! * [`Store::open_existing_read_only`] creates nothing and writes nothing, on
//!   a read-only file, directory or mount as well.
//! * [`Store::import_checked`] checks every row of an export ([`Dump::check`])
//!   before it writes any.
//! * Risk-run results are the same `f64`s, bit for bit, after a round trip
//!   through the database and an export (serde_json's `float_roundtrip`).
//! * Errors say each thing once, in words (no `Error code 11`).
//!
//! The caller passes timestamps (RFC 3339 text): this crate reads no clock.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

mod check;
mod error;
mod jobs;
mod pool;
mod seed;
mod sharing;
mod tenancy;
mod uploads;

pub use check::MAX_NAME_CHARS;
pub use error::{RESTORE_HINT, StoreError};
use error::{classify, words};
pub use jobs::{INTERRUPTED, Job, JobState, NewJob};
pub use pool::ReadPool;
pub use seed::{BenchSeed, bench_org_name};
pub use sharing::{
    Alert, ApiToken, InboxEntry, Incident, IncidentEdit, IncidentVersion, NewAlert, NewIncident,
    NewRecipient, NewTaxiiObject, NewToken, PRIORITIES, ProfileUpdate, SharingRecord, TLP_LABELS,
    TaxiiAdded, TaxiiObject,
};
pub use tenancy::{AuditEntry, MAX_EMAIL_CHARS, NewUser, OrgRecord, Role, User, normalise_email};
pub use uploads::{NewUpload, Upload, UploadKind, UploadSummary};

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
    // 3: organisation kinds, user accounts and the audit log (`holisec serve`).
    // Existing organisations were hospitals: they get `healthcare-organisation`.
    "ALTER TABLE organisations ADD COLUMN kind TEXT NOT NULL
        DEFAULT 'healthcare-organisation' CHECK (length(kind) > 0);
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(email) > 0),
        organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
        password_hash TEXT NOT NULL CHECK (substr(password_hash, 1, 1) = '$'),
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
    ) STRICT;
    CREATE INDEX users_by_organisation ON users(organisation_id);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
        action TEXT NOT NULL CHECK (length(action) > 0),
        detail TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_by_organisation ON audit_log(organisation_id, at);",
    // 4: `holisec serve`'s login sessions (the layout tower-sessions-rusqlite-store
    // reads and writes: the session id, its data as MessagePack, expiry as a Unix time).
    "CREATE TABLE sessions (
        id TEXT PRIMARY KEY NOT NULL,
        data BLOB NOT NULL,
        expiry_date INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sessions_by_expiry ON sessions(expiry_date);",
    // 5: `holisec serve`'s jobs (risk and simulation runs off the request path).
    jobs::MIGRATION,
    // 6: model and scenario files uploaded by an organisation.
    uploads::MIGRATION,
    // 7: plan jobs (the jobs table rebuilt with `plan` among its kinds).
    jobs::MIGRATION_PLAN_KIND,
    // 8: sharing between stakeholders (issue 13): organisations' country, size
    // band, agency and benchmark opt-in, their suppliers, incident reports with
    // their versions, alerts and recipients, API tokens, TAXII objects and statuses.
    sharing::MIGRATION,
    // 9: report jobs (the jobs table rebuilt with `report` among its kinds
    // and a `document` column for the report's HTML).
    jobs::MIGRATION_REPORT_KIND,
];

/// The schema version this build writes (number of migrations).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a connection waits for another one's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

impl Dump {
    /// Checks the export before anything is written: the format marker, the
    /// schema version, then every row as strictly as the CLI's own writes
    /// (RFC 3339 times, levels 0 to 4, organisation names non-empty, without
    /// surrounding spaces or control characters and unique whatever their
    /// case, ids unique, each assessment's organisation and name matching,
    /// versions unique per organisation, `answered` equal to the answers
    /// given, items answered once, risk runs of existing assessments with
    /// their results). `valid_items`, when given, are the only item ids
    /// accepted; without it item ids are checked for their shape only.
    pub fn check(&self, valid_items: Option<&[&str]>) -> Result<(), StoreError> {
        if self.format != "holisec-db" {
            return Err(StoreError::Import(format!(
                "not a holisec database export: `format` is `{}`, expected `holisec-db`",
                self.format
            )));
        }
        if self.schema_version > SCHEMA_VERSION {
            return Err(StoreError::Import(format!(
                "export has schema version {}, newer than the {SCHEMA_VERSION} this holisec supports",
                self.schema_version
            )));
        }
        let problems = check::problems(self, valid_items);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::InvalidDump { problems })
        }
    }
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened with [`Store::open_existing_read_only`]: every write is refused.
    read_only: bool,
    /// `PRAGMA quick_check` passed on this connection: writes may go ahead.
    sound: Cell<bool>,
}

/// How [`Store::init`] opens the file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Reads and writes; migrations applied up to the given version.
    ReadWrite(usize),
    /// Reads only: nothing is written, not even the journal mode or a migration.
    ReadOnly,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    ///
    /// A `path` beginning with `file:` is an SQLite URI (`file:x.db?mode=ro`).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_read_write(path, OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens the existing database at `path` for reading and writing, applying
    /// pending migrations; never creates the file nor its directory
    /// ([`StoreError::Missing`] when there is no file).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        require_file(path)?;
        Store::open_read_write(path, OpenFlags::empty())
    }

    /// Opens `path` for reading and writing (with `extra` flags: creation or
    /// none) and applies pending migrations.
    fn open_read_write(path: &Path, extra: OpenFlags) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI
            | extra;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        Store::init(
            conn,
            path.to_path_buf(),
            Access::ReadWrite(MIGRATIONS.len()),
        )
    }

    /// Opens the existing database at `path` for reading only: never creates
    /// the file nor its directory ([`StoreError::Missing`] when there is no
    /// file), opens it with `SQLITE_OPEN_READ_ONLY` and writes nothing (no
    /// journal-mode change, no migration), so it works on a read-only file,
    /// directory or mount. Every write method returns [`StoreError::ReadOnly`];
    /// a file that needs a migration is [`StoreError::OlderSchema`].
    ///
    /// A database in WAL mode needs its `-shm` index: when that file cannot be
    /// created (a read-only directory or mount) and no connection has the
    /// database open (no `-wal` nor `-shm` file beside it), it is opened as
    /// immutable. A writer that starts while such a store is open (possible
    /// only for another user who may write in that directory) is not seen,
    /// and a checkpoint it runs meanwhile could show a mix of old and new pages.
    pub fn open_existing_read_only(path: &Path) -> Result<Store, StoreError> {
        require_file(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        // The first read opens the `-shm` index of a WAL database: SQLite says
        // CANTOPEN or READONLY_CANTINIT when it can neither open nor create it.
        if let Err(e) = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)) {
            let cannot_index = matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
            );
            if !(cannot_index && !is_uri(path) && immutable_is_sound(path)) {
                return Err(classify(path, e));
            }
            conn = Connection::open_with_flags(immutable_uri(path), flags)
                .map_err(|e| classify(path, e))?;
        }
        Store::init(conn, path.to_path_buf(), Access::ReadOnly)
    }

    /// Opens a database up to the given schema version only (tests of migrations).
    pub fn open_at_version(path: &Path, version: usize) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|e| classify(path, e))?;
        Store::init(
            conn,
            path.to_path_buf(),
            Access::ReadWrite(version.min(MIGRATIONS.len())),
        )
    }

    /// An in-memory database (tests).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| classify(Path::new(":memory:"), e))?;
        Store::init(
            conn,
            PathBuf::from(":memory:"),
            Access::ReadWrite(MIGRATIONS.len()),
        )
    }

    /// Settings, then the migrations, each step writing only when it must.
    ///
    /// Several processes may open a new file at once: every connection waits
    /// up to [`BUSY_TIMEOUT`] for the others' locks, and the migrations run in
    /// one `BEGIN IMMEDIATE` transaction that reads `user_version` again once
    /// it holds the write lock, so the second opener finds the schema made and
    /// does nothing. Before anything is written to an existing file it passes
    /// [`Store::quick_check`].
    fn init(conn: Connection, path: PathBuf, access: Access) -> Result<Store, StoreError> {
        let mut store = Store {
            conn,
            path,
            read_only: access == Access::ReadOnly,
            sound: Cell::new(false),
        };
        store
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| store.err(e))?;
        // The first read of the file: a non-SQLite file fails here.
        let version = store.schema_version()?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: store.path,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        store
            .conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|e| store.err(e))?;
        let target = match access {
            Access::ReadOnly => {
                if version < SCHEMA_VERSION {
                    return Err(StoreError::OlderSchema {
                        path: store.path,
                        found: version,
                        supported: SCHEMA_VERSION,
                    });
                }
                return Ok(store);
            }
            Access::ReadWrite(target) => target,
        };
        // A read-only file stays readable: WAL is set when the file can be written,
        // and a write to a read-only file fails later as `StoreError::ReadOnly`.
        let writable = !store.conn.is_readonly("main").unwrap_or(false);
        if writable && store.path != Path::new(":memory:") {
            let mode: String = store
                .conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .map_err(|e| store.err(e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                // Changing the journal mode writes the header: not on a damaged file.
                store.ensure_sound()?;
                store.set_wal()?;
            }
            store
                .conn
                .pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| store.err(e))?;
        }
        if version < target as i64 {
            if !writable {
                return Err(StoreError::ReadOnly(store.path));
            }
            store.ensure_sound()?;
            store.migrate(target)?;
        }
        Ok(store)
    }

    /// `PRAGMA journal_mode = WAL`, retried while SQLite answers "database is
    /// locked": when several connections switch a new file at once, one can
    /// get that answer at once, without the busy handler waiting (about one
    /// round in twenty of eight threads opening a new file did before this
    /// retry).
    fn set_wal(&self) -> Result<(), StoreError> {
        let start = std::time::Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            match self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            {
                Ok(_mode) => return Ok(()),
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && start.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(e) => return Err(self.err(e)),
            }
        }
    }

    /// Applies the migrations up to `target` in one `BEGIN IMMEDIATE`
    /// transaction, reading `user_version` once the write lock is held.
    fn migrate(&mut self, target: usize) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |e| classify(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(e)?;
        let current: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(e)?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path,
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        let current = usize::try_from(current).unwrap_or(0);
        if current >= target {
            return Ok(());
        }
        for (k, sql) in MIGRATIONS.iter().enumerate().take(target).skip(current) {
            tx.execute_batch(sql)
                .map_err(|err| match classify(&path, err) {
                    StoreError::Sqlite { error, .. } => StoreError::Migration {
                        path: path.clone(),
                        message: format!("migration {}: {}", k + 1, words(&error)),
                    },
                    other => other,
                })?;
        }
        tx.pragma_update(None, "user_version", target as i64)
            .map_err(e)?;
        tx.commit().map_err(e)
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this store was opened read-only ([`Store::open_existing_read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// SQLite's `PRAGMA data_version` on this connection: it changes when
    /// another connection commits a write to the file (tests use it to show
    /// that a stretch of work wrote nothing).
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Checks the file's structure with `PRAGMA quick_check` (every page read
    /// once; index contents are not compared with their tables):
    /// [`StoreError::Corrupt`] when SQLite finds damage. Every write does this
    /// once per open store before it writes anything (about 75 ms for 100 MB
    /// in the page cache); a check that passed here counts as that one.
    pub fn quick_check(&self) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA quick_check(3)")
            .map_err(|e| self.err(e))?;
        let found = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        if found.len() == 1 && found[0] == "ok" {
            self.sound.set(true);
            return Ok(());
        }
        // One line per finding, without SQLite's "*** in database main ***" heading.
        let findings: Vec<&str> = found
            .iter()
            .flat_map(|f| f.lines())
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("*** in database"))
            .collect();
        Err(StoreError::Corrupt {
            path: self.path.clone(),
            detail: format!("SQLite quick_check: {}", findings.join("; ")),
        })
    }

    /// [`Store::quick_check`] unless it passed on this store already.
    fn ensure_sound(&self) -> Result<(), StoreError> {
        if self.sound.get() {
            Ok(())
        } else {
            self.quick_check()
        }
    }

    /// What every write method checks first: the store is writable and the file sound.
    fn before_write(&mut self) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly(self.path.clone()));
        }
        self.ensure_sound()
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e)
    }

    fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.before_write()?;
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
        self.before_write()?;
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
        // Cached statements: the server reads these on every request.
        self.conn
            .prepare_cached(&format!("{ASSESSMENT_SELECT} WHERE a.id = ?1"))
            .and_then(|mut stmt| stmt.query_row([id], assessment_row))
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
        self.before_write()?;
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
            .prepare_cached(
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

    /// The run of assessment `id` stored last (latest `created_at`, then
    /// highest id), whatever its inputs.
    pub fn latest_risk_run(&self, id: i64) -> Result<Option<RiskRun>, StoreError> {
        self.conn
            .query_row(
                "SELECT id, assessment_id, input_hash, seed, iterations, created_at, results
                 FROM risk_runs WHERE assessment_id = ?1
                 ORDER BY created_at DESC, id DESC LIMIT 1",
                params![id],
                risk_run_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Stores a risk run (replacing one with the same assessment and hash).
    pub fn save_risk_run(&mut self, run: &RiskRun) -> Result<i64, StoreError> {
        self.before_write()?;
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
    /// All or nothing: every row is checked first ([`Dump::check`], item ids
    /// by their shape only), then one transaction writes them.
    pub fn import(&mut self, dump: &Dump) -> Result<(), StoreError> {
        self.import_checked(dump, None)
    }

    /// [`Store::import`], with the answers' item ids checked against
    /// `valid_items` (the item ids of the questionnaire the assessments were
    /// answered with) when given. Nothing is written unless every row passes
    /// [`Dump::check`]; [`StoreError::InvalidDump`] names each bad value.
    pub fn import_checked(
        &mut self,
        dump: &Dump,
        valid_items: Option<&[&str]>,
    ) -> Result<(), StoreError> {
        dump.check(valid_items)?;
        self.before_write()?;
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

/// [`StoreError::Missing`] unless `path` names an existing file (an SQLite
/// `file:` URI is left to SQLite). Nothing is created.
fn require_file(path: &Path) -> Result<(), StoreError> {
    if is_uri(path) {
        return Ok(());
    }
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(StoreError::Missing(path.to_path_buf()))
        }
        Ok(m) if m.is_dir() => Err(StoreError::NotADatabase(path.to_path_buf())),
        // Anything else (a permission problem) is SQLite's to report.
        _ => Ok(()),
    }
}

/// Whether `path` is an SQLite URI (`file:...`), as SQLite reads it with `SQLITE_OPEN_URI`.
fn is_uri(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.starts_with("file:"))
}

/// Whether a read-only open may treat `path` as immutable: it has neither a
/// `-wal` nor a `-shm` file, so no connection has it open now (SQLite removes
/// both when the last one closes).
fn immutable_is_sound(path: &Path) -> bool {
    let beside = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        std::fs::symlink_metadata(PathBuf::from(p)).is_ok()
    };
    !beside("-wal") && !beside("-shm")
}

/// `path` as an SQLite URI opening it read-only and immutable.
fn immutable_uri(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for &b in absolute.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(char::from(b));
            }
            #[cfg(windows)]
            b'\\' => uri.push('/'),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    PathBuf::from(uri)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        use rusqlite_migration::{M, Migrations};
        Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
            .validate()
            .unwrap();
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
