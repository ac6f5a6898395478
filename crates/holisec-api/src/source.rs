//! Named input text and the result of checking it.
//!
//! Every input a user hands holisec (a model, a scenario, a questionnaire, an
//! answer file) arrives as a [`Source`]: the name to show in messages and its
//! text. Checking it gives either [`Checked`] (the value and any warnings) or
//! [`Rejected`] (every diagnostic, errors first in file order). Front ends
//! render diagnostics with line and column from [`Source::line_col`]; the
//! server returns them as JSON with the same fields.

use holisec_model::{Diagnostic, LineIndex, Severity};
use serde::Serialize;

/// Largest input text accepted from a byte source (models, scenarios and
/// answer files have their own, smaller limits checked by their parsers).
pub const MAX_SOURCE_BYTES: usize = 64 * 1024 * 1024;

/// An input's name (a file path, `<built-in ...>`, a form field) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// What to call it in messages.
    pub name: String,
    /// Its text.
    pub text: String,
}

impl Source {
    /// A source from text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// A source from bytes that must be UTF-8 text; `what` names the kind of
    /// input for the message ("model", "answer file").
    pub fn from_bytes(
        name: impl Into<String>,
        bytes: Vec<u8>,
        what: &'static str,
    ) -> Result<Self, Rejected> {
        let name = name.into();
        if bytes.len() > MAX_SOURCE_BYTES {
            return Err(Rejected::one(
                Source::new(name, String::new()),
                what,
                Diagnostic::error(format!("the file is {} bytes", bytes.len()), None)
                    .with_label(format!("a {what} of at most {MAX_SOURCE_BYTES} bytes")),
            ));
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source { name, text }),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                Err(Rejected::one(
                    Source { name, text },
                    what,
                    Diagnostic::error("the file is not UTF-8 text", Some(at..at + 1))
                        .with_label(format!("a {what} in UTF-8")),
                ))
            }
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        LineIndex::new(&self.text).line_col(&self.text, offset.min(self.text.len()))
    }

    /// The diagnostics of this source in machine-readable form.
    pub fn located<'a>(&'a self, diagnostics: &'a [Diagnostic]) -> Vec<LocatedDiagnostic<'a>> {
        let index = LineIndex::new(&self.text);
        diagnostics
            .iter()
            .map(|d| {
                let place = d
                    .span
                    .as_ref()
                    .map(|s| index.line_col(&self.text, s.start.min(self.text.len())));
                LocatedDiagnostic {
                    file: &self.name,
                    line: place.map(|p| p.0),
                    column: place.map(|p| p.1),
                    severity: d.severity,
                    message: &d.message,
                    expected: d.label.as_deref(),
                    help: d.help.as_deref(),
                }
            })
            .collect()
    }
}

/// A diagnostic with its file, line and column, for JSON output.
#[derive(Debug, Serialize)]
pub struct LocatedDiagnostic<'a> {
    /// Source name.
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

/// A usable input: its value, where it came from, and its warnings.
#[derive(Debug, Clone)]
pub struct Checked<T> {
    /// The checked value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
    /// Warnings (never errors).
    pub warnings: Vec<Diagnostic>,
}

/// An unusable input and every diagnostic found in it.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// Where the diagnostics point.
    pub source: Source,
    /// What kind of input it was ("model", "scenario", "questionnaire", "answer file").
    pub what: &'static str,
    /// Every diagnostic, errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Rejected {
    pub(crate) fn one(source: Source, what: &'static str, d: Diagnostic) -> Self {
        Rejected {
            source,
            what,
            diagnostics: vec![d],
        }
    }

    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a valid {} ({})",
            self.source.name,
            self.what,
            crate::count(self.errors(), "error")
        )
    }
}

/// Splits diagnostics into a `Checked` value or a `Rejected` input: any error
/// rejects, whatever the value.
pub fn checked<T>(
    value: Option<T>,
    source: Source,
    what: &'static str,
    diagnostics: Vec<Diagnostic>,
) -> Result<Checked<T>, Rejected> {
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    match value {
        Some(value) if !has_errors => Ok(Checked {
            value,
            source,
            warnings: diagnostics,
        }),
        _ => {
            let mut diagnostics = diagnostics;
            if !diagnostics.iter().any(Diagnostic::is_error) {
                diagnostics.push(Diagnostic::error(format!("not a usable {what}"), None));
            }
            Err(Rejected {
                source,
                what,
                diagnostics,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_bytes_are_rejected_at_their_offset() {
        let r = Source::from_bytes("m.toml", b"ab\n\xffc".to_vec(), "model").unwrap_err();
        assert_eq!(r.errors(), 1);
        let span = r.diagnostics[0].span.clone().expect("a place");
        assert_eq!(r.source.line_col(span.start), (2, 1));
        assert_eq!(r.to_string(), "`m.toml` is not a valid model (1 error)");
    }

    #[test]
    fn warnings_alone_do_not_reject() {
        let w = Diagnostic::warning("no source", None);
        let c = checked(Some(1), Source::new("x", ""), "model", vec![w.clone()]).expect("usable");
        assert_eq!(c.warnings, vec![w]);
        let e = Diagnostic::error("bad", Some(0..1));
        let r = checked(Some(1), Source::new("x", "a"), "model", vec![e]).unwrap_err();
        assert_eq!(r.errors(), 1);
    }

    #[test]
    fn a_missing_value_without_errors_still_rejects() {
        let r = checked::<u8>(None, Source::new("x", ""), "scenario", vec![]).unwrap_err();
        assert_eq!(r.errors(), 1);
    }

    #[test]
    fn located_diagnostics_carry_line_and_column() {
        let s = Source::new("a.toml", "x = 1\ny = é2\n");
        let d = [Diagnostic::error("bad", Some(12..13)).with_label("a number")];
        let l = s.located(&d);
        assert_eq!((l[0].line, l[0].column), (Some(2), Some(6)));
        assert_eq!(l[0].expected, Some("a number"));
    }
}
