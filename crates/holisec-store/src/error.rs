//! [`StoreError`]: what went wrong, said once, in words.
//!
//! SQLite errors reach the user through [`classify`], which turns the codes a
//! user can act on (damaged file, not a database, read-only, full disk) into
//! their own variants. No variant has a `source()`: rusqlite's error repeats
//! its message in its source ("malformed: malformed: Error code 11"), so the
//! words are taken once, here, and the chain stops.

use std::path::{Path, PathBuf};

/// How to recover a damaged database, said by [`StoreError::Corrupt`].
pub const RESTORE_HINT: &str = "restore your latest backup into a new file \
     (`holisec db import BACKUP.json --db NEW.db`; backups are written by `holisec db export`)";

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not an SQLite database.
    #[error("`{0}` is not a holisec database (not an SQLite file)")]
    NotADatabase(PathBuf),
    /// The file is an SQLite database whose pages are damaged (a disk or copy
    /// error, a file overwritten in part). Nothing is written to it.
    #[error("`{}` is damaged ({detail}); nothing was written. To recover, {RESTORE_HINT}", .path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What SQLite found, in its words (`SQLite: database disk image is malformed`).
        detail: String,
    },
    /// No database file at this path (and none was created).
    #[error("no database at `{0}`; `holisec assess new` creates one")]
    Missing(PathBuf),
    /// The database was written by a newer holisec.
    #[error(
        "`{path}` has schema version {found}, newer than the {supported} this holisec supports; upgrade holisec"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// [`crate::SCHEMA_VERSION`].
        supported: i64,
    },
    /// The database needs migrations but was opened read-only.
    #[error(
        "`{path}` has schema version {found}, older than the {supported} this holisec reads, \
         and was opened read-only; a command that writes (such as `holisec assess new`) upgrades it"
    )]
    OlderSchema {
        /// The file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// [`crate::SCHEMA_VERSION`].
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
    /// No organisation has this name (the message says which exist or which is close).
    #[error("{0}")]
    UnknownOrganisation(String),
    /// A name or email that must be unique is taken already.
    #[error("{0}")]
    Conflict(String),
    /// A value refused before it was written (an empty name, an unknown role).
    #[error("{0}")]
    InvalidValue(String),
    /// Import refused.
    #[error("{0}")]
    Import(String),
    /// Import refused: rows of the export are invalid (each named by its
    /// place, `assessments[3].answers[7].level: 9, expected 0 to 4`). Nothing
    /// was written.
    #[error("{}", invalid_dump_message(.problems))]
    InvalidDump {
        /// Every problem found, in the order of the export.
        problems: Vec<String>,
    },
    /// Applying the migrations failed.
    #[error("cannot migrate `{path}`: {message}")]
    Migration {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// Any other SQLite failure.
    #[error("database `{}`: {}", .path.display(), words_about(.path, .error))]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// The cause (its words are in this error's message; it is not a `source()`).
        error: rusqlite::Error,
    },
}

impl StoreError {
    /// True when the user's input (the file they named, an id) is at fault: exit status 2.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            StoreError::NotADatabase(_)
                | StoreError::Corrupt { .. }
                | StoreError::Missing(_)
                | StoreError::NewerSchema { .. }
                | StoreError::OlderSchema { .. }
                | StoreError::UnknownAssessment(_)
                | StoreError::UnknownOrganisation(_)
                | StoreError::Conflict(_)
                | StoreError::InvalidValue(_)
                | StoreError::Import(_)
                | StoreError::InvalidDump { .. }
        )
    }
}

/// At most this many problems are listed in an [`StoreError::InvalidDump`] message.
const LISTED_PROBLEMS: usize = 20;

fn invalid_dump_message(problems: &[String]) -> String {
    let mut out = match problems.len() {
        1 => "the export is invalid; nothing was imported:".to_owned(),
        n => format!("the export has {n} invalid values; nothing was imported:"),
    };
    for p in problems.iter().take(LISTED_PROBLEMS) {
        out.push_str("\n  ");
        out.push_str(p);
    }
    if problems.len() > LISTED_PROBLEMS {
        out.push_str(&format!(
            "\n  … and {} more",
            problems.len() - LISTED_PROBLEMS
        ));
    }
    out
}

/// An SQLite error in words, once: SQLite's message when it has one, else the
/// text of its code (`database is locked`), never `Error code N`.
pub(crate) fn words(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) => {
            let generic = rusqlite::ffi::code_to_str(f.extended_code);
            match msg {
                Some(m) if !m.is_empty() => m.clone(),
                _ => generic.to_owned(),
            }
        }
        other => other.to_string(),
    }
}

/// [`words`] without the file name SQLite appends to some messages
/// (`unable to open database file: x.db`): the error names the file already.
fn words_about(path: &Path, e: &rusqlite::Error) -> String {
    let text = words(e);
    let suffix = format!(": {}", path.display());
    match text.strip_suffix(&suffix) {
        Some(shorter) if !shorter.is_empty() => shorter.to_owned(),
        _ => text,
    }
}

/// Turns an SQLite error into the storage error a user understands.
pub(crate) fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        match f.code {
            ErrorCode::NotADatabase => return StoreError::NotADatabase(path.to_path_buf()),
            ErrorCode::DatabaseCorrupt => {
                return StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail: format!("SQLite: {}", words(&e)),
                };
            }
            ErrorCode::ReadOnly => return StoreError::ReadOnly(path.to_path_buf()),
            ErrorCode::CannotOpen if path_is_readonly(path) => {
                return StoreError::ReadOnly(path.to_path_buf());
            }
            ErrorCode::DiskFull => return StoreError::Full(path.to_path_buf()),
            _ => {}
        }
    }
    StoreError::Sqlite {
        path: path.to_path_buf(),
        error: e,
    }
}

fn path_is_readonly(path: &Path) -> bool {
    // Metadata only; no write is attempted.
    std::fs::metadata(path)
        .map(|m| m.permissions().readonly())
        .unwrap_or(false)
}
