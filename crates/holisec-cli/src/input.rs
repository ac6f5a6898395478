//! Reading what the user hands the CLI (files, the built-in model) through
//! the library API, and the one place diagnostics and API errors are printed.
//!
//! Diagnostics are rendered by [`holisec_api::diagnostics`] (miette: file,
//! line, column, a snippet, what was expected, and a hint), the rendering
//! `holisec serve` returns for a refused upload. Errors past the first few
//! and warnings past the first three are summarised as a count (`--verbose`
//! shows all).

use std::path::Path;

use holisec_api::model::Model;
use holisec_api::{ApiError, Checked, Rejected, Source};
use holisec_model::Diagnostic;

pub use holisec_api::diagnostics::more;

use crate::error::{CliError, CliResult, invalid};
use crate::{terminal, ui};

/// Reads a file, refusing (without reading it all) one larger than `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> CliResult<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::Invalid(anyhow::anyhow!("cannot read `{}`: {e}", path.display())))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(invalid(format!(
            "`{}` is a directory, expected a file",
            path.display()
        )));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Invalid(anyhow::anyhow!("cannot read `{}`: {e}", path.display())))?;
    Ok(bytes)
}

/// Reads a text file as a [`Source`] (`what` names it in messages).
pub fn read_source(path: &Path, limit: usize, what: &'static str) -> CliResult<Source> {
    let bytes = read_limited(path, limit as u64)?;
    Source::from_bytes(path.display().to_string(), bytes, what).map_err(rejected)
}

/// Loads the model at `path`, or the built-in model: warnings summarised, and
/// on errors every error printed and exit status 2.
pub fn load_model(path: Option<&Path>) -> CliResult<Model> {
    let loaded = match path {
        None => Ok(holisec_api::model::builtin()),
        Some(path) => {
            let bytes = read_limited(path, holisec_model::load::MAX_MODEL_BYTES as u64)?;
            holisec_api::model::load(path.display().to_string(), &bytes)
        }
    };
    loaded.map(usable).map_err(rejected)
}

/// The value of a checked input, after showing its warnings.
pub fn usable<T>(checked: Checked<T>) -> T {
    show_warnings(&checked.source, &checked.warnings);
    checked.value
}

/// Shows warnings: the first few and a count, all with `--verbose`.
pub fn show_warnings(source: &Source, warnings: &[Diagnostic]) {
    if warnings.is_empty() || std::env::var_os("HOLISEC_QUIET").is_some() {
        return;
    }
    let shown = if ui::verbose() {
        warnings.len()
    } else {
        ui::WARNINGS_SHOWN
    };
    print_diagnostics(source, warnings.iter().take(shown));
    if warnings.len() > shown {
        eprintln!(
            "{} in `{}`",
            more(warnings.len() - shown, "warning"),
            terminal::line(&source.name)
        );
    }
}

/// Prints every error of a rejected input (the first
/// [`holisec_api::diagnostics::ERRORS_SHOWN`]
/// unless `--verbose`), then one summary line; exit status 2.
pub fn rejected(r: Rejected) -> CliError {
    eprint!(
        "{}",
        holisec_api::diagnostics::rejected(&r, ui::verbose(), ui::color())
    );
    CliError::Reported(2)
}

/// An API error as the CLI reports it: options by their flag, exit status 2
/// for the user's input, 1 for the environment.
pub fn api_error(e: ApiError) -> CliError {
    match e {
        ApiError::Rejected(r) => rejected(*r),
        ApiError::Option {
            option,
            value,
            expected,
        } => invalid(format!("--{} {value}: expected {expected}", flag(option))),
        other if other.is_invalid_input() => CliError::Invalid(other.into()),
        other => CliError::Failed(other.into()),
    }
}

/// The CLI flag of an API option: its name in kebab case, except where the
/// flag is shorter than the field.
fn flag(option: &str) -> String {
    match option {
        "value_per_euro_avoided" => "value-per-euro".to_owned(),
        other => other.replace('_', "-"),
    }
}

/// Prints diagnostics of `source` to stderr.
pub fn print_diagnostics<'a>(source: &Source, diagnostics: impl Iterator<Item = &'a Diagnostic>) {
    eprint!(
        "{}",
        holisec_api::diagnostics::render_all(source, diagnostics, ui::color())
    );
}
