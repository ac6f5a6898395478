//! Loading the model every command works on, and reporting its diagnostics.
//!
//! Every engine takes an optional model path and falls back to the built-in
//! European model. Diagnostics are rendered here, once, with miette: file,
//! line, column, a snippet, what was expected, and a hint.

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use holisec_model::{Diagnostic, Ecosystem, LineIndex, Loaded, Severity, builtin};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Serialize;

use crate::error::{CliError, CliResult};

/// A model as loaded from the command line, with its name for messages.
pub struct ModelSource {
    /// File name shown in diagnostics.
    pub name: String,
    /// What loading produced.
    pub loaded: Loaded,
}

/// Reads and checks the model at `path`, or the built-in model when `path` is `None`.
pub fn read_model(path: Option<&Path>) -> CliResult<ModelSource> {
    match path {
        None => Ok(ModelSource {
            name: builtin::BUILTIN_NAME.to_owned(),
            loaded: builtin::europe(),
        }),
        Some(path) => {
            let bytes = read_limited(path, holisec_model::load::MAX_MODEL_BYTES as u64)?;
            Ok(ModelSource {
                name: path.display().to_string(),
                loaded: holisec_model::load_bytes(&bytes),
            })
        }
    }
}

/// Reads a file, refusing (without reading it all) one larger than `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> CliResult<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::Invalid(anyhow::anyhow!("cannot read `{}`: {e}", path.display())))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(crate::error::invalid(format!(
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

/// Loads the model for an engine: prints warnings, and on errors prints them all
/// and stops with exit status 2.
pub fn load_model(path: Option<&PathBuf>) -> CliResult<Ecosystem> {
    let source = read_model(path.map(PathBuf::as_path))?;
    let errors = source
        .loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .count();
    print_diagnostics(
        &source,
        errors > 0 || std::env::var_os("HOLISEC_QUIET").is_none(),
    );
    match source.loaded.ecosystem {
        Some(ecosystem) if errors == 0 => Ok(ecosystem),
        _ => {
            eprintln!(
                "error: `{}` is not a valid model ({})",
                source.name,
                count(errors, "error")
            );
            Err(CliError::Reported(2))
        }
    }
}

/// "1 error", "3 errors".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Prints the diagnostics of `source` to stderr (warnings only when `warnings`).
pub fn print_diagnostics(source: &ModelSource, warnings: bool) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for diagnostic in &source.loaded.diagnostics {
        if diagnostic.severity == Severity::Warning && !warnings {
            continue;
        }
        eprint!(
            "{}",
            render_diagnostic(&source.name, &source.loaded.text, diagnostic, color)
        );
    }
}

/// Renders one diagnostic with its snippet, as miette draws it.
pub fn render_diagnostic(name: &str, text: &str, diagnostic: &Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let report = SpannedReport::new(name, text, diagnostic);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", name, diagnostic.message);
    }
    out
}

/// A diagnostic in machine-readable form, for `--json`.
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    /// File name.
    pub file: &'a str,
    /// 1-based line, when the problem has a place.
    pub line: Option<usize>,
    /// 1-based column in characters.
    pub column: Option<usize>,
    /// `error` or `warning`.
    pub severity: Severity,
    /// What is wrong.
    pub message: &'a str,
    /// What was expected.
    pub expected: Option<&'a str>,
    /// Advice.
    pub help: Option<&'a str>,
}

/// Converts the diagnostics of `source` for JSON output.
pub fn json_diagnostics(source: &ModelSource) -> Vec<JsonDiagnostic<'_>> {
    let index = LineIndex::new(&source.loaded.text);
    source
        .loaded
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column) = match &d.span {
                Some(span) => {
                    let (l, c) = index.line_col(&source.loaded.text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            JsonDiagnostic {
                file: &source.name,
                line,
                column,
                severity: d.severity,
                message: &d.message,
                expected: d.label.as_deref(),
                help: d.help.as_deref(),
            }
        })
        .collect()
}

#[derive(Debug)]
struct SpannedReport {
    message: String,
    severity: miette::Severity,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl SpannedReport {
    fn new(name: &str, text: &str, d: &Diagnostic) -> Self {
        let labels = d
            .span
            .as_ref()
            .map(|span| {
                let start = span.start.min(text.len());
                let len = span.end.saturating_sub(span.start).min(text.len() - start);
                vec![LabeledSpan::new(d.label.clone(), start, len)]
            })
            .unwrap_or_default();
        let mut help = d.help.clone();
        if d.span.is_none() {
            // Without a snippet the label would be lost; fold it into the help line.
            help = match (&d.label, help) {
                (Some(label), Some(h)) => Some(format!("{label}; {h}")),
                (Some(label), None) => Some(label.clone()),
                (None, h) => h,
            };
        }
        SpannedReport {
            message: if d.span.is_none() {
                format!("{name}: {}", d.message)
            } else {
                d.message.clone()
            },
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            source: NamedSource::new(name, text.to_owned()),
            labels,
            help,
        }
    }
}

impl fmt::Display for SpannedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SpannedReport {}

impl miette::Diagnostic for SpannedReport {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        if self.labels.is_empty() {
            None
        } else {
            Some(&self.source)
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}
