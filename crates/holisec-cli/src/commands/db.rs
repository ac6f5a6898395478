//! `holisec db`: where the assessment database lives, and its JSON backup.

use std::path::{Path, PathBuf};

use anyhow::Context;
use holisec_store::{Dump, Store, StoreError};

use crate::error::{CliError, CliResult};

/// The assessment database: export to JSON for backup, import into a new database.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DbCommand,
    /// Database file (default: $HOLISEC_DB, else $XDG_DATA_HOME/holisec/holisec.db,
    /// else ~/.local/share/holisec/holisec.db).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum DbCommand {
    /// Write the whole database as JSON (organisations, assessments, answers, risk runs).
    Export {
        /// Output file (`-` or absent: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Restore a JSON export into a database that holds no organisation yet.
    Import {
        /// The JSON file written by `holisec db export`.
        file: PathBuf,
    },
    /// Print the path of the database in use.
    Path,
}

/// The database path: `--db`, else `HOLISEC_DB`, else the user's data directory.
pub fn db_path(flag: Option<&Path>) -> CliResult<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("HOLISEC_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|p| !p.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => match std::env::var_os("HOME").filter(|p| !p.is_empty()) {
            Some(h) => PathBuf::from(h).join(".local").join("share"),
            None => {
                return Err(CliError::Failed(anyhow::anyhow!(
                    "no database path: set HOME, XDG_DATA_HOME or HOLISEC_DB, or pass --db"
                )));
            }
        },
    };
    Ok(base.join("holisec").join("holisec.db"))
}

/// Maps a storage error to the exit status: the user's file or id -> 2, the environment -> 1.
pub fn store_error(e: StoreError) -> CliError {
    if e.is_invalid_input() {
        CliError::Invalid(e.into())
    } else {
        CliError::Failed(e.into())
    }
}

/// What a command does with the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// May create it (and its directory): `assess new`, `db import`.
    Create,
    /// Writes to an existing database: `assess answer`, `assess plan`.
    Write,
    /// Only reads: never creates a file or directory, works on a read-only file.
    Read,
}

/// Opens the database named by `flag` (or the default) for `access`; a
/// database of an older schema is migrated only by a command that writes.
pub fn open(flag: Option<&Path>, access: Access) -> CliResult<Store> {
    let path = db_path(flag)?;
    if path.is_dir() {
        return Err(crate::error::invalid(format!(
            "`{}` is a directory, expected a database file",
            path.display()
        )));
    }
    match access {
        Access::Create => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create `{}`", dir.display()))?;
            }
            Store::open(&path)
        }
        Access::Write => Store::open_existing(&path),
        Access::Read => match Store::open_existing_read_only(&path) {
            // Reads still work after an upgrade: migrate, as the next write would.
            Err(StoreError::OlderSchema { .. }) => Store::open_existing(&path),
            other => other,
        },
    }
    .map_err(store_error)
}

/// Item ids of the built-in questionnaire: what an imported answer may name.
fn questionnaire_items() -> CliResult<Vec<String>> {
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco).map_err(crate::input::rejected)?;
    Ok(q.value.items.iter().map(|i| i.id.clone()).collect())
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    match args.command {
        DbCommand::Path => {
            println!("{}", db_path(args.db.as_deref())?.display());
            Ok(())
        }
        DbCommand::Export { output } => {
            let db = db_path(args.db.as_deref())?;
            let db_files = crate::paths::database_files(&db);
            let inputs: Vec<(&str, Option<&Path>)> = db_files
                .iter()
                .map(|f| ("database", Some(f.as_path())))
                .collect();
            crate::paths::check_outputs(&[("-o", output.as_deref())], &inputs)?;
            let mut store = open(args.db.as_deref(), Access::Read)?;
            let dump = store.export().map_err(store_error)?;
            let mut text = serde_json::to_string_pretty(&dump).context("cannot serialise")?;
            text.push('\n');
            crate::output::write_text(output.as_deref(), &text, "database dump")?;
            if output.as_deref().is_some_and(|p| p != Path::new("-")) {
                eprintln!(
                    "exported {}, {}, {}",
                    holisec_api::count(dump.organisations.len(), "organisation"),
                    holisec_api::count(dump.assessments.len(), "assessment"),
                    holisec_api::count(dump.risk_runs.len(), "risk run")
                );
            }
            Ok(())
        }
        DbCommand::Import { file } => {
            let bytes = crate::input::read_limited(&file, 512 * 1024 * 1024)?;
            let dump: Dump = serde_json::from_slice(&bytes).map_err(|e| {
                crate::error::invalid(format!(
                    "`{}` line {} column {}: not a holisec database export: {e}",
                    file.display(),
                    e.line(),
                    e.column()
                ))
            })?;
            // Every row is checked before the database is opened: a refused
            // import leaves no empty database behind.
            let items = questionnaire_items()?;
            let ids: Vec<&str> = items.iter().map(String::as_str).collect();
            dump.check(Some(&ids)).map_err(store_error)?;
            let mut store = open(args.db.as_deref(), Access::Create)?;
            store
                .import_checked(&dump, Some(&ids))
                .map_err(store_error)?;
            eprintln!(
                "imported {}, {}, {} into `{}`",
                holisec_api::count(dump.organisations.len(), "organisation"),
                holisec_api::count(dump.assessments.len(), "assessment"),
                holisec_api::count(dump.risk_runs.len(), "risk run"),
                crate::terminal::line(&store.path().display().to_string())
            );
            Ok(())
        }
    }
}
