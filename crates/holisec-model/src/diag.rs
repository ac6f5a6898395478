//! Diagnostics: what went wrong in a model file, where, and what was expected.
//!
//! The model crate never prints. Loading returns a list of [`Diagnostic`]s with
//! byte spans into the source text; the CLI turns them into rich reports with
//! snippets, and `--json` callers get line and column from [`LineIndex`].

use serde::Serialize;
use std::ops::Range;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file is still usable; something looks wrong or is missing provenance.
    Warning,
    /// The file cannot be used as a model.
    Error,
}

/// One problem found in a model file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, lower case, no trailing period, offending value in backticks.
    pub message: String,
    /// Byte range in the source the problem points at, when there is one.
    pub span: Option<Range<usize>>,
    /// Short text shown under the snippet: usually what was expected.
    pub label: Option<String>,
    /// Extra advice (a "did you mean", the allowed values).
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error pointing at `span`.
    pub fn error(message: impl Into<String>, span: Option<Range<usize>>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            help: None,
        }
    }

    /// A warning pointing at `span`.
    pub fn warning(message: impl Into<String>, span: Option<Range<usize>>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message, span)
        }
    }

    /// Sets the label shown under the snippet.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// What is wrong with the span as a place in `text` (the text the
    /// diagnostic was made for): ends outside it or splits a character.
    /// `None` when it fits or there is no span. The fuzz targets of every
    /// loader assert it, since a report would slice the text there.
    pub fn misplaced_span(&self, text: &str) -> Option<String> {
        let span = self.span.as_ref()?;
        if span.start > span.end || span.end > text.len() {
            Some(format!(
                "span {span:?} outside a text of {} bytes: {}",
                text.len(),
                self.message
            ))
        } else if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
            Some(format!(
                "span {span:?} splits a character: {}",
                self.message
            ))
        } else {
            None
        }
    }
}

/// Maps byte offsets to 1-based line and column (columns count characters).
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// 1-based (line, column) of byte `offset` in `text` (the text given to [`LineIndex::new`]).
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line + 1, column)
    }
}

/// Suggests the closest candidate to `got`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    got: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // The first of equally close candidates (candidates come in file order,
    // so `PE-0l` suggests `PE-01`, not `PE-09`).
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(got, c);
        if score > 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_must_lie_inside_the_text_on_character_boundaries() {
        let text = "name = \"Hôpital\"";
        let at = |span: Range<usize>| Diagnostic::error("x", Some(span)).misplaced_span(text);
        assert_eq!(at(8..16), None);
        assert_eq!(at(0..text.len()), None);
        assert_eq!(Diagnostic::error("x", None).misplaced_span(text), None);
        assert!(at(8..40).unwrap().contains("outside a text of 17 bytes"));
        assert!(at(Range { start: 9, end: 5 }).unwrap().contains("outside"));
        // "ô" is bytes 9 and 10.
        assert!(at(10..12).unwrap().contains("splits a character"));
    }

    #[test]
    fn equally_close_candidates_suggest_the_first() {
        let ids = ["PE-01", "PE-02", "PE-09"];
        assert_eq!(did_you_mean("PE-0l", ids), Some("PE-01"));
        assert_eq!(did_you_mean("zzzz", ids), None);
    }

    #[test]
    fn line_col_counts_from_one_and_in_characters() {
        let text = "ab\nçd = 1\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 3), (2, 1));
        // `ç` is two bytes but one column.
        assert_eq!(index.line_col(text, 5), (2, 2));
        assert_eq!(index.line_col(text, text.len()), (3, 1));
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let ids = ["hospitals", "professionals", "agencies"];
        assert_eq!(did_you_mean("hospitls", ids), Some("hospitals"));
        assert_eq!(did_you_mean("zzz", ids), None);
    }
}
