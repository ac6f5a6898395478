//! `holisec serve`: the web application (JSON API under `/api/v1`).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::commands::db::{Access, open};
use crate::error::CliResult;
use crate::input;

/// Serve the multi-organisation web application (JSON API under /api/v1).
///
/// Uses the same database as `holisec assess`; create the first organisation
/// and user with `holisec admin`. Stops on Ctrl-C. The session cookie is
/// `Secure`: browsers send it over HTTPS or to localhost only, so put the
/// server behind a TLS proxy for anything but local use.
#[derive(clap::Args)]
pub struct Args {
    /// Database file (default: $HOLISEC_DB, else $XDG_DATA_HOME/holisec/holisec.db,
    /// else ~/.local/share/holisec/holisec.db).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Model file (the built-in European model when absent).
    #[arg(long)]
    model: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    let eco = input::load_model(args.model.as_deref())?.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco).map_err(input::rejected)?;
    let q = input::usable(q);
    let mut store = open(args.db.as_deref(), Access::Create)?;
    let db = store.path().display().to_string();
    // No job of a previous process is still computing: say so in the store.
    let stuck = holisec_server::jobs::fail_interrupted(&mut store).map_err(|e| {
        crate::error::CliError::Failed(anyhow::anyhow!("cannot read the jobs of `{db}`: {e}"))
    })?;
    if !stuck.is_empty() {
        eprintln!(
            "holisec serve: {} left unfinished by a stopped server marked failed ({})",
            holisec_api::count(stuck.len(), "job"),
            stuck
                .iter()
                .map(|id| format!("job {id}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let config = holisec_server::Config {
        // Sessions live in the same file and survive a restart.
        session_db: Some(store.path().to_path_buf()),
        ..holisec_server::Config::default()
    };
    let model_name = args.model.as_ref().map_or_else(
        || holisec_api::model::BUILTIN_NAME.to_owned(),
        |p| p.display().to_string(),
    );
    let state = holisec_server::AppState::new(store, eco, q).with_model_name(model_name);
    holisec_server::serve_blocking(state, config, args.bind, |addr| {
        eprintln!("holisec serve: listening on http://{addr} (database `{db}`); Ctrl-C stops");
    })
    .map_err(|e| {
        crate::error::CliError::Failed(anyhow::anyhow!("cannot serve on {}: {e}", args.bind))
    })
}
