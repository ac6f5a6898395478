//! `holisec export stix` and `holisec import stix`: the model as a STIX 2.1 bundle and back.

use std::path::PathBuf;

use anyhow::Context;
use holisec_exchange::stix::{self, ExportOptions};

use crate::error::{CliResult, invalid};
use crate::{input, terminal};

/// Export the model for threat-intelligence tools.
#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    format: ExportFormat,
}

#[derive(clap::Subcommand)]
enum ExportFormat {
    Stix(StixExportArgs),
}

/// Export the model as a STIX 2.1 bundle (JSON).
///
/// Stakeholders become identities, threats threat-actors, support items
/// courses of action, vulnerability factors a custom object defined by a STIX
/// extension definition; relations, targets, exploits and mitigations become
/// relationships. Ids are deterministic (UUIDv5 of the model ids) and every
/// timestamp is fixed, so re-exports of the same model are identical.
#[derive(clap::Args)]
struct StixExportArgs {
    /// Model file (the built-in European model when absent).
    model: Option<PathBuf>,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// `created`/`modified` of every object (RFC 3339); raise it when publishing a new
    /// version of the model so that consumers update their copies.
    #[arg(long, default_value = stix::DEFAULT_TIMESTAMP)]
    timestamp: String,
}

/// Import a model from threat-intelligence formats.
#[derive(clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    format: ImportFormat,
}

#[derive(clap::Subcommand)]
enum ImportFormat {
    Stix(StixImportArgs),
}

/// Read a STIX 2.1 bundle written by `holisec export stix` back into a model file.
///
/// Objects that are not part of a holisec model (other identities, indicators,
/// malware, markings, ...) are skipped and counted; relationships that point at
/// objects missing from the bundle are skipped with a warning.
#[derive(clap::Args)]
struct StixImportArgs {
    /// The STIX bundle (JSON).
    file: PathBuf,
    /// Write the model (TOML) to this file instead of stdout.
    #[arg(short, long, value_name = "MODEL.toml")]
    output: Option<PathBuf>,
}

/// Runs `holisec export`.
pub fn run_export(args: ExportArgs) -> CliResult {
    let ExportFormat::Stix(args) = args.format;
    crate::paths::check_outputs(
        &[("-o", args.output.as_deref())],
        &[("model", args.model.as_deref())],
    )?;
    let options = ExportOptions::with_timestamp(&args.timestamp)
        .map_err(|e| invalid(format!("--timestamp: {e}")))?;
    let model = input::load_model(args.model.as_deref())?;
    let text = stix::export(&model.file, &options).map_err(invalid)?;
    crate::output::write_text(args.output.as_deref(), &text, "STIX 2.1 bundle")
}

/// Runs `holisec import`.
pub fn run_import(args: ImportArgs) -> CliResult {
    let ImportFormat::Stix(args) = args.format;
    crate::paths::check_outputs(
        &[("-o", args.output.as_deref())],
        &[("STIX bundle", Some(&args.file))],
    )?;
    let bytes = input::read_limited(&args.file, stix::MAX_BUNDLE_BYTES as u64)?;
    let name = args.file.display().to_string();
    let imported = stix::import(&bytes).map_err(|e| {
        let mut lines = vec![format!("`{name}` cannot be imported as a holisec model:")];
        lines.extend(e.0.iter().take(50).map(|i| format!("  {i}")));
        if e.0.len() > 50 {
            lines.push(format!("  … {} more", e.0.len() - 50));
        }
        invalid(lines.join("\n"))
    })?;
    // Names and ids come from the bundle: escaped, and the first few only.
    let shown = if crate::ui::verbose() {
        imported.dangling.len()
    } else {
        crate::ui::WARNINGS_SHOWN
    };
    for d in imported.dangling.iter().take(shown) {
        eprintln!("warning: {}", terminal::prose(&format!("{name}: {d}")));
    }
    if imported.dangling.len() > shown {
        eprintln!(
            "{}",
            input::more(imported.dangling.len() - shown, "warning")
        );
    }
    if !imported.skipped.is_empty() || !imported.dangling.is_empty() {
        let unrelated: usize = imported.skipped.values().sum();
        let kinds: Vec<String> = imported
            .skipped
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        let mut parts = Vec::new();
        if unrelated > 0 {
            parts.push(format!(
                "{unrelated} not part of a holisec model ({})",
                kinds.join(", ")
            ));
        }
        if !imported.dangling.is_empty() {
            parts.push(format!(
                "{} relationship(s) to objects missing from the bundle",
                imported.dangling.len()
            ));
        }
        eprintln!(
            "skipped {} object(s): {}",
            imported.skipped_total(),
            terminal::prose(&parts.join("; "))
        );
    }
    let text = holisec_exchange::model_to_toml(&imported.file)
        .context("cannot write the model as TOML")?;
    let model_name = args
        .output
        .as_ref()
        .map_or("<imported model>".to_owned(), |p| p.display().to_string());
    // The model written must load: a bundle that maps to an invalid model
    // writes nothing.
    match holisec_api::model::load_text(model_name, &text) {
        Ok(checked) => input::show_warnings(&checked.source, &checked.warnings),
        Err(r) => {
            eprintln!(
                "error: the model in `{}` is not valid; nothing written",
                terminal::line(&name)
            );
            return Err(input::rejected(r));
        }
    }
    // A file name may hold a newline: escaped, it cannot end the comment.
    let header = format!(
        "# Imported by `holisec import stix` from {}.\n\n",
        terminal::line(&name)
    );
    crate::output::write_text(
        args.output.as_deref(),
        &format!("{header}{text}"),
        "holisec model",
    )
}
