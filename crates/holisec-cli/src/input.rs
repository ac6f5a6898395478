//! Reading what the user hands the CLI (files, the built-in model) through
//! the library API, and the one place diagnostics and API errors become text.
//!
//! Diagnostics are rendered with miette: file, line, column, a snippet, what
//! was expected, and a hint. Errors past the first few and warnings past the
//! first three are summarised as a count (`--verbose` shows all).

use std::fmt;
use std::path::Path;

use holisec_api::model::Model;
use holisec_api::{ApiError, Checked, Rejected, Source};
use holisec_model::{Diagnostic, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};

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

/// "… and 3 more errors (--verbose shows all)".
pub fn more(n: usize, noun: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("… and {n} more {noun}{plural} (--verbose shows all)")
}

/// Prints every error of a rejected input (the first [`ui::ERRORS_SHOWN`]
/// unless `--verbose`), then one summary line; exit status 2.
pub fn rejected(r: Rejected) -> CliError {
    let errors: Vec<&Diagnostic> = r.diagnostics.iter().filter(|d| d.is_error()).collect();
    let shown = if ui::verbose() {
        errors.len()
    } else {
        ui::ERRORS_SHOWN
    };
    print_diagnostics(&r.source, errors.iter().copied().take(shown));
    if errors.len() > shown {
        eprintln!("{}", more(errors.len() - shown, "error"));
    }
    eprintln!("error: {}", terminal::prose(&r.to_string()));
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
    let color = ui::color();
    for d in diagnostics {
        eprint!(
            "{}",
            render_diagnostic(&source.name, &source.text, d, color)
        );
    }
}

/// Longest message, hint or label printed of a diagnostic, in characters
/// (they may quote a file's content).
const MESSAGE_CHARS: usize = 1_000;

/// Renders one diagnostic with its snippet, as miette draws it.
///
/// Nothing of the file reaches the terminal raw: the snippet is the span's
/// lines, escaped and cut around the span when long
/// ([`crate::terminal::snippet`]); messages are escaped and capped.
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
        out = format!("{}: {}\n", report.source.name, report.message);
    }
    out
}

/// The part of a source a diagnostic shows, read by miette as if it were the
/// whole file: line numbers and the column of the span are the source's.
#[derive(Debug)]
struct Excerpt {
    name: String,
    snippet: terminal::Snippet,
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.snippet.text.read_span(span, before, after)?;
        // miette reads the label alone (no context) for the `[file:line:column]` header.
        let column = if before == 0 && span.offset() == self.snippet.start {
            self.snippet.column
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.snippet.first_line,
            column,
            inner.line_count(),
        )))
    }
}

#[derive(Debug)]
struct SpannedReport {
    message: String,
    severity: miette::Severity,
    source: Excerpt,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

/// `text` escaped for the terminal and capped.
fn quoted(text: &str) -> String {
    terminal::prose(&terminal::cap(text, MESSAGE_CHARS)).into_owned()
}

impl SpannedReport {
    fn new(name: &str, text: &str, d: &Diagnostic) -> Self {
        let name = terminal::line(name).into_owned();
        let (snippet, labels) = match &d.span {
            Some(span) => {
                let snippet = terminal::snippet(text, span.start, span.end);
                let label = d
                    .label
                    .as_deref()
                    .map(|l| terminal::line(&terminal::cap(l, MESSAGE_CHARS)).into_owned());
                let labels = vec![LabeledSpan::new(label, snippet.start, snippet.len)];
                (snippet, labels)
            }
            None => (terminal::snippet("", 0, 0), Vec::new()),
        };
        let mut help = d.help.as_deref().map(quoted);
        if d.span.is_none() {
            // Without a snippet the label would be lost; fold it into the help line.
            help = match (d.label.as_deref().map(quoted), help) {
                (Some(label), Some(h)) => Some(format!("{label}; {h}")),
                (Some(label), None) => Some(label),
                (None, h) => h,
            };
        }
        SpannedReport {
            message: if d.span.is_none() {
                format!("{name}: {}", quoted(&d.message))
            } else {
                quoted(&d.message)
            },
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            source: Excerpt { name, snippet },
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
