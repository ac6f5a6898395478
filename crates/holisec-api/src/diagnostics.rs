//! The one text rendering of diagnostics: what the `holisec` CLI prints on
//! standard error for a rejected input, and what `holisec serve` returns as
//! `rendered` for an upload it refuses, so the two say exactly the same.
//!
//! Diagnostics are drawn with miette: file, line, column, a snippet, what was
//! expected, and a hint. Errors past the first [`ERRORS_SHOWN`] are
//! summarised as a count unless `verbose`. Nothing of the file reaches the
//! text raw (see [`crate::terminal`]).

use std::fmt;

use holisec_model::{Diagnostic, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};

use crate::source::{Rejected, Source};

/// Errors of one input shown before the rest become a count.
pub const ERRORS_SHOWN: usize = 10;

/// "… and 3 more errors (--verbose shows all)".
pub fn more(n: usize, noun: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("… and {n} more {noun}{plural} (--verbose shows all)")
}

/// Every diagnostic of `source` rendered, one after the other.
pub fn render_all<'a>(
    source: &Source,
    diagnostics: impl Iterator<Item = &'a Diagnostic>,
    color: bool,
) -> String {
    diagnostics
        .map(|d| render_diagnostic(&source.name, &source.text, d, color))
        .collect()
}

/// What the CLI prints for a rejected input (`holisec simulate --scenario
/// FILE`, `holisec risk FILE`, ...): its errors (the first [`ERRORS_SHOWN`]
/// unless `verbose`), a count of the rest, and one summary line.
pub fn rejected(r: &Rejected, verbose: bool, color: bool) -> String {
    let errors: Vec<&Diagnostic> = r.diagnostics.iter().filter(|d| d.is_error()).collect();
    let shown = if verbose { errors.len() } else { ERRORS_SHOWN };
    let mut out = render_all(&r.source, errors.iter().copied().take(shown), color);
    if errors.len() > shown {
        out.push_str(&more(errors.len() - shown, "error"));
        out.push('\n');
    }
    out.push_str(&format!(
        "error: {}\n",
        crate::terminal::prose(&r.to_string())
    ));
    out
}

/// What `holisec validate FILE` prints on standard error: every warning,
/// the errors (the first [`ERRORS_SHOWN`] unless `verbose`), a count of the
/// rest, and, when the file fails (an error, or a warning with
/// `deny_warnings`), the summary line.
pub fn validation(
    source: &Source,
    diagnostics: &[Diagnostic],
    verbose: bool,
    deny_warnings: bool,
    color: bool,
) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    // Validating is about diagnostics: every warning, errors past the first
    // few summarised (a file that is not a model at all has hundreds).
    let shown = if verbose {
        diagnostics.len()
    } else {
        ERRORS_SHOWN
    };
    let mut out = render_all(source, diagnostics.iter().filter(|d| !d.is_error()), color);
    out.push_str(&render_all(
        source,
        diagnostics.iter().filter(|d| d.is_error()).take(shown),
        color,
    ));
    if errors > shown {
        out.push_str(&more(errors - shown, "error"));
        out.push('\n');
    }
    if errors > 0 || (deny_warnings && warnings > 0) {
        out.push_str(&format!(
            "error: `{}` is not valid: {}, {}\n",
            crate::terminal::line(&source.name),
            crate::count(errors, "error"),
            crate::count(warnings, "warning")
        ));
    }
    out
}

/// Longest message, hint or label printed of a diagnostic, in characters
/// (they may quote a file's content).
const MESSAGE_CHARS: usize = 1_000;

/// Renders one diagnostic with its snippet, as miette draws it.
///
/// Nothing of the file reaches the terminal raw: the snippet is the span's
/// lines, escaped and cut around the span when long
/// ([`crate::crate::terminal::snippet`]); messages are escaped and capped.
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
    snippet: crate::terminal::Snippet,
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
    crate::terminal::prose(&crate::terminal::cap(text, MESSAGE_CHARS)).into_owned()
}

impl SpannedReport {
    fn new(name: &str, text: &str, d: &Diagnostic) -> Self {
        let name = crate::terminal::line(name).into_owned();
        let (snippet, labels) = match &d.span {
            Some(span) => {
                let snippet = crate::terminal::snippet(text, span.start, span.end);
                let label = d.label.as_deref().map(|l| {
                    crate::terminal::line(&crate::terminal::cap(l, MESSAGE_CHARS)).into_owned()
                });
                let labels = vec![LabeledSpan::new(label, snippet.start, snippet.len)];
                (snippet, labels)
            }
            None => (crate::terminal::snippet("", 0, 0), Vec::new()),
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
