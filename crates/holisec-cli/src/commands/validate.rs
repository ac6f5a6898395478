//! `holisec validate`: check a model file and report every problem.

use std::path::PathBuf;

use serde::Serialize;

use crate::error::{CliError, CliResult};
use crate::input;
use holisec_api::count;

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
    diagnostics: Vec<holisec_api::source::LocatedDiagnostic<'a>>,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    let loaded = match args.model.as_deref() {
        None => Ok(holisec_api::model::builtin()),
        Some(path) => {
            let bytes = input::read_limited(path, holisec_model::load::MAX_MODEL_BYTES as u64)?;
            holisec_api::model::load(path.display().to_string(), &bytes)
        }
    };
    let (source, diagnostics, model) = match loaded {
        Ok(c) => (c.source, c.warnings, Some(c.value.ecosystem)),
        Err(r) => (r.source, r.diagnostics, None),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    if args.json {
        crate::output::print_json(&Report {
            file: &source.name,
            valid: !failed,
            errors,
            warnings,
            diagnostics: source.located(&diagnostics),
        })?;
    } else {
        eprint!(
            "{}",
            holisec_api::diagnostics::validation(
                &source,
                &diagnostics,
                crate::ui::verbose(),
                args.deny_warnings,
                crate::ui::color()
            )
        );
        if let (false, Some(e)) = (failed, &model) {
            crate::output::print_report(&format!(
                "`{}` is valid: {} stakeholders, {} vulnerability factors, {} relations, {} threats, {} support items, {} countries ({})\n",
                source.name,
                e.stakeholders.len(),
                e.vulnerabilities.len(),
                e.relations.len(),
                e.threats.len(),
                e.supports.len(),
                e.countries.len(),
                count(warnings, "warning"),
            ))?;
        }
    }
    if failed {
        Err(CliError::Reported(2))
    } else {
        Ok(())
    }
}
