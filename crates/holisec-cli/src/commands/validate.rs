//! `holisec validate`: check a model file and report every problem.

use std::path::PathBuf;

use serde::Serialize;

use crate::error::{CliError, CliResult};
use crate::input::{self, count};

/// Check a model file: syntax, unknown keys, references, ranges, provenance.
///
/// Reports every problem at once with file, line, column and what was expected.
/// Exit status 2 when there is an error (or a warning, with --deny-warnings).
#[derive(clap::Args)]
pub struct Args {
    /// Model file (the built-in European model when absent).
    model: Option<PathBuf>,
    /// Treat warnings (e.g. numbers without a source) as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Print the diagnostics as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    file: &'a str,
    valid: bool,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<input::JsonDiagnostic<'a>>,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    let source = input::read_model(args.model.as_deref())?;
    let errors = source
        .loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .count();
    let warnings = source.loaded.diagnostics.len() - errors;
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    if args.json {
        crate::output::print_json(&Report {
            file: &source.name,
            valid: !failed,
            errors,
            warnings,
            diagnostics: input::json_diagnostics(&source),
        })?;
    } else {
        input::print_diagnostics(&source, true);
        if failed {
            eprintln!(
                "error: `{}` is not valid: {}, {}",
                source.name,
                count(errors, "error"),
                count(warnings, "warning")
            );
        } else if let Some(e) = &source.loaded.ecosystem {
            println!(
                "`{}` is valid: {} stakeholders, {} vulnerability factors, {} relations, {} threats, {} support items ({})",
                source.name,
                e.stakeholders.len(),
                e.vulnerabilities.len(),
                e.relations.len(),
                e.threats.len(),
                e.supports.len(),
                count(warnings, "warning"),
            );
        }
    }
    if failed {
        Err(CliError::Reported(2))
    } else {
        Ok(())
    }
}
