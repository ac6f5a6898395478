//! Plain-text tables and prose for people: aligned columns, numbers
//! right-aligned, fitted to the terminal's width.
//!
//! A table wider than the width first hides its optional columns (rightmost
//! first), then shortens its text columns (widest first, with `…`), and says
//! so under the table; `--wide` shows everything.
//!
//! Cells are text from users' files and the database: control and
//! bidirectional characters in them are written visibly
//! ([`crate::terminal::line`]), so a cell is always one line that cannot
//! drive the terminal.

use std::fmt::Write;

pub use holisec_api::{percent, signed_thousands, thousands};

/// Narrowest a text column is shortened to.
const MIN_TEXT_WIDTH: usize = 12;

/// A table being built.
pub struct Table {
    headers: Vec<String>,
    right_aligned: Vec<bool>,
    optional: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers. A header starting with `>` is
    /// right-aligned; with `?` (before any `>`) the column is optional: hidden
    /// first when the table does not fit.
    pub fn new(headers: &[&str]) -> Self {
        let optional: Vec<bool> = headers.iter().map(|h| h.starts_with('?')).collect();
        let headers: Vec<&str> = headers.iter().map(|h| h.trim_start_matches('?')).collect();
        Table {
            right_aligned: headers.iter().map(|h| h.starts_with('>')).collect(),
            headers: headers
                .iter()
                .map(|h| crate::terminal::line(h.trim_start_matches('>')).into_owned())
                .collect(),
            optional,
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are empty); control characters in cells are escaped.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|cell| match crate::terminal::line(&cell) {
                    std::borrow::Cow::Borrowed(_) => cell,
                    std::borrow::Cow::Owned(escaped) => escaped,
                })
                .collect(),
        );
    }

    /// Renders fitted to the width the user's terminal (or `--wide`) allows.
    pub fn render(&self) -> String {
        self.render_within(crate::ui::width())
    }

    /// Renders with two spaces between columns and a rule under the header,
    /// fitted within `width` columns when given.
    pub fn render_within(&self, width: Option<usize>) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut shown = vec![true; columns];
        let total = |widths: &[usize], shown: &[bool]| {
            let n = shown.iter().filter(|&&s| s).count();
            widths
                .iter()
                .zip(shown)
                .filter(|(_, s)| **s)
                .map(|(w, _)| w)
                .sum::<usize>()
                + 2 * n.saturating_sub(1)
        };
        let mut hidden = 0;
        let mut shortened = false;
        if let Some(limit) = width {
            for i in (0..columns).rev() {
                if total(&widths, &shown) <= limit {
                    break;
                }
                if self.optional[i] {
                    shown[i] = false;
                    hidden += 1;
                }
            }
            while total(&widths, &shown) > limit {
                let widest = (0..columns)
                    .filter(|&i| shown[i] && !self.right_aligned[i] && widths[i] > MIN_TEXT_WIDTH)
                    .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
                let Some(i) = widest else { break };
                let excess = total(&widths, &shown) - limit;
                // The excess may exceed the column when numbers alone overflow.
                widths[i] = widths[i].saturating_sub(excess).max(MIN_TEXT_WIDTH);
                shortened = true;
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, cells: &[String]| {
            let mut text = String::new();
            let mut first = true;
            for (i, width) in widths.iter().enumerate() {
                if !shown[i] {
                    continue;
                }
                let cell = fit(cells.get(i).map(String::as_str).unwrap_or(""), *width);
                let pad = width.saturating_sub(cell.chars().count());
                if !first {
                    text.push_str("  ");
                }
                first = false;
                if self.right_aligned[i] {
                    text.push_str(&" ".repeat(pad));
                    text.push_str(&cell);
                } else {
                    text.push_str(&cell);
                    text.push_str(&" ".repeat(pad));
                }
            }
            let _ = writeln!(out, "{}", text.trim_end());
        };
        line(&mut out, &self.headers);
        let _ = writeln!(out, "{}", "-".repeat(total(&widths, &shown)));
        for row in &self.rows {
            line(&mut out, row);
        }
        if hidden > 0 || shortened {
            let columns = |n: usize| {
                if n == 1 {
                    "1 column hidden".to_owned()
                } else {
                    format!("{n} columns hidden")
                }
            };
            let what = match (hidden, shortened) {
                (0, _) => "text cut".to_owned(),
                (n, false) => columns(n),
                (n, true) => format!("{}, text cut", columns(n)),
            };
            let _ = writeln!(out, "({what}; --wide shows all)");
        }
        out
    }
}

/// `text` cut to `width` characters, ending in `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Prose wrapped at word boundaries to the user's width (continuation lines
/// indented by `indent` spaces).
pub fn wrap(text: &str, indent: usize) -> String {
    wrap_within(text, indent, crate::ui::width())
}

/// [`wrap`] within `width` columns (`None`: one line).
pub fn wrap_within(text: &str, indent: usize, width: Option<usize>) -> String {
    let Some(width) = width else {
        return text.to_owned();
    };
    let mut out = String::new();
    let mut column = 0;
    for word in text.split(' ') {
        let len = word.chars().count();
        if column > indent && column + 1 + len > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            column = indent;
        } else if !out.is_empty() {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += len;
    }
    out
}

/// A report's text with every line wider than the user's width wrapped at
/// spaces (continuations indented two more than the line); tables, already
/// fitted, pass unchanged.
pub fn fit_lines(text: &str) -> String {
    fit_lines_within(text, crate::ui::width())
}

/// [`fit_lines`] within `width` columns.
pub fn fit_lines_within(text: &str, width: Option<usize>) -> String {
    let Some(limit) = width else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        if body.chars().count() <= limit {
            out.push_str(line);
            continue;
        }
        let indent = body.len() - body.trim_start().len();
        let mut column = 0;
        for (k, word) in body.trim_start().split(' ').enumerate() {
            let len = word.chars().count();
            if k == 0 {
                out.push_str(&" ".repeat(indent));
                column = indent;
            } else if column + 1 + len > limit && column > indent + 2 {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
                column = indent + 2;
            } else {
                out.push(' ');
                column += 1;
            }
            out.push_str(word);
            column += len;
        }
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let mut t = Table::new(&["name", ">n"]);
        t.row(vec!["a".into(), "1".into()]);
        t.row(vec!["long".into(), "100".into()]);
        assert_eq!(
            t.render_within(None),
            "name    n\n---------\na       1\nlong  100\n"
        );
    }

    fn wide_table() -> Table {
        let mut t = Table::new(&["id", "title", ">cost", "?>p99.5", "?note"]);
        t.row(vec![
            "x1".into(),
            "a rather long title that does not fit in a narrow terminal".into(),
            "1,000".into(),
            "12,345,678".into(),
            "something optional".into(),
        ]);
        t
    }

    #[test]
    fn a_wide_table_hides_optional_columns_then_shortens_text() {
        let t = wide_table();
        let full = t.render_within(None);
        assert!(full.lines().next().expect("header").contains("note"));
        let fitted = t.render_within(Some(60));
        let lines: Vec<&str> = fitted.lines().collect();
        assert!(lines.iter().all(|l| l.chars().count() <= 60), "{fitted}");
        assert!(!lines[0].contains("note"), "{fitted}");
        assert_eq!(
            lines.last(),
            Some(&"(2 columns hidden, text cut; --wide shows all)"),
            "{fitted}"
        );
        let narrow = t.render_within(Some(40));
        let rows = narrow.lines().filter(|l| !l.starts_with('('));
        assert!(
            rows.clone().count() == 3 && rows.clone().all(|l| l.chars().count() <= 40),
            "{narrow}"
        );
        assert!(narrow.contains('…'), "{narrow}");
        assert!(narrow.contains("1,000"), "numbers are never cut: {narrow}");
    }

    /// Numbers wider than the terminal on their own: the text column is cut
    /// to its minimum, the numbers are kept whole, and nothing panics (the
    /// text column used to be shrunk by more than its width).
    #[test]
    fn numbers_wider_than_the_terminal_keep_the_text_at_its_minimum() {
        let mut t = Table::new(&[
            "country",
            ">hospitals",
            ">orgs infected",
            ">org-days disrupted",
        ]);
        t.row(vec![
            "United Kingdom".into(),
            "2,097".into(),
            "865".into(),
            "58,979".into(),
        ]);
        let out = t.render_within(Some(30));
        let row = out.lines().nth(2).expect("a row");
        assert!(row.starts_with("United King…"), "{out}");
        assert!(row.ends_with("58,979"), "{out}");
        assert_eq!(out.lines().last(), Some("(text cut; --wide shows all)"));
    }

    #[test]
    fn cells_cannot_drive_the_terminal() {
        let mut t = Table::new(&["name", ">n"]);
        t.row(vec!["\u{1b}]0;pwned\u{7}x\u{202e}y\nz".into(), "1".into()]);
        let out = t.render_within(Some(100));
        assert!(!out.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{out:?}");
        assert!(
            out.contains("\\u{1b}]0;pwned\\u{7}x\\u{202e}y\\u{a}z"),
            "{out}"
        );
        assert_eq!(out.lines().count(), 3, "{out}");
        let widths: Vec<usize> = out.lines().map(|l| l.chars().count()).collect();
        assert_eq!(
            widths[1], widths[2],
            "the rule is as wide as the escaped row: {out}"
        );
    }

    #[test]
    fn wrapping_keeps_words_and_indents() {
        let text = "ecosystem: 15,000 hospitals, 200,000 practices, 10,000,000 staff and more";
        let wrapped = wrap_within(text, 2, Some(30));
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 30),
            "{wrapped}"
        );
        assert!(
            wrapped.lines().skip(1).all(|l| l.starts_with("  ")),
            "{wrapped}"
        );
        assert_eq!(
            wrapped.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
        assert_eq!(wrap_within(text, 2, None), text);
    }

    #[test]
    fn long_report_lines_wrap_and_short_ones_stay() {
        let text =
            "short line\n  a long indented line that will certainly not fit in thirty columns\nend";
        let fitted = fit_lines_within(text, Some(30));
        assert!(fitted.lines().all(|l| l.chars().count() <= 30), "{fitted}");
        assert!(fitted.starts_with("short line\n  a long"), "{fitted}");
        assert!(fitted.ends_with("\nend"), "{fitted}");
        assert!(
            fitted
                .lines()
                .nth(2)
                .expect("continued")
                .starts_with("    "),
            "{fitted}"
        );
    }
}
