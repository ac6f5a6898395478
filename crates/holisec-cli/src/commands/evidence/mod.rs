//! `holisec evidence`: read VERIS incidents, summarise them, calibrate a model's threat mix.
//!
//! * [`read`]: the files (JSON, JSON Lines, directories) into the VERIS
//!   reader, and the problems it found, summarised on stderr.
//! * [`summary`]: `holisec evidence summary`'s tables.
//! * [`calibrate`]: `holisec evidence calibrate`.

mod calibrate;
pub(crate) mod read;
mod summary;

use std::path::PathBuf;

use crate::error::CliResult;

/// Real incident data (VERIS JSON) as evidence for the model.
///
/// FILE may be a `.json` file (one incident or an array of incidents), a
/// directory of `.json` files (as in the VCDB repository), or a `.jsonl` file
/// (one incident per line). Broken records are reported with their line and
/// JSON path and skipped; records that break the VCDB schema are reported and
/// kept (use --drop-invalid to skip them).
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Summary(SummaryArgs),
    Calibrate(CalibrateArgs),
}

/// Options shared by both subcommands.
#[derive(clap::Args)]
pub(crate) struct ReadArgs {
    /// Use only incidents whose year (timeline.incident.year) is YEAR or later.
    #[arg(long, value_name = "YEAR")]
    pub(crate) since: Option<i32>,
    /// Skip records that break the VCDB schema instead of keeping them.
    #[arg(long)]
    pub(crate) drop_invalid: bool,
}

/// Count incidents by year, motivation, domain, action variety, asset,
/// attribute and stakeholder, with the unknown share of each.
#[derive(clap::Args)]
pub(crate) struct SummaryArgs {
    /// VERIS files: .json, .jsonl, or directories of .json files.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) read: ReadArgs,
    /// Print the summary (with every count and problem) as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Rows shown per table in the text output (all in --json).
    #[arg(long, default_value_t = 12)]
    pub(crate) top: usize,
}

/// Write a model whose threat mix (the share of each motivation against each
/// stakeholder and domain) comes from the evidence, keeping the model's total
/// threat event frequency per stakeholder. The evidence used is recorded in
/// the `source` fields.
///
/// The first argument is the model when it ends in `.toml` (the built-in
/// European model otherwise).
#[derive(clap::Args)]
pub(crate) struct CalibrateArgs {
    /// [MODEL.toml] followed by VERIS files (.json, .jsonl, or directories of .json files).
    #[arg(required = true, value_name = "[MODEL] FILE")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Where to write the calibrated model (TOML).
    #[arg(short, long, value_name = "OUT.toml")]
    pub(crate) output: PathBuf,
    #[command(flatten)]
    pub(crate) read: ReadArgs,
    /// Pseudo-incidents added to each motivation and domain present in the model.
    #[arg(long, default_value_t = 0.5)]
    pub(crate) prior: f64,
    /// Fewest incidents with a known motivation needed to recalibrate a stakeholder kind.
    #[arg(long, default_value_t = 20)]
    pub(crate) min_incidents: usize,
    /// Print the calibration report as JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    match args.command {
        Command::Summary(a) => summary::run(a),
        Command::Calibrate(a) => calibrate::run(a),
    }
}
