//! Text from users' files and the database made safe to print on a terminal.
//!
//! A name in a model, an organisation in the database or a file name can hold
//! any character. Printed raw, ESC starts a terminal escape sequence (colours,
//! cursor moves, window titles, clipboard writes), BEL rings, a carriage
//! return overwrites the line, and a right-to-left override makes the line
//! read differently from what the file says. Every such character is written
//! visibly instead, as `\u{1b}`: C0 controls (except newline and tab in
//! prose), DEL, C1 controls and the bidirectional controls of
//! [`holisec_model::escape::is_bidi_control`].
//!
//! The CLI escapes centrally (table cells, reports, errors) and diagnostics
//! are rendered through [`crate::diagnostics`], which the CLI and the server
//! share. JSON and files written stay exact.

use std::borrow::Cow;

use holisec_model::escape::is_bidi_control;

/// Whether `c` is written as `\u{..}` (newline and tab are, too, in [`line`]).
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// How many characters `c` takes once escaped (by [`line`]).
pub fn escaped_len(c: char) -> usize {
    if is_unsafe(c) {
        // `\u{` + hex digits + `}`
        4 + format!("{:x}", c as u32).len()
    } else {
        1
    }
}

fn escape_with(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        push_escaped(&mut out, c, &keep);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char, keep: impl Fn(char) -> bool) {
    if is_unsafe(c) && !keep(c) {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    } else {
        out.push(c);
    }
}

/// Prose: every unsafe character escaped except newlines and tabs.
///
/// A `\r\n` line ending stays (terminals end the line the same way).
pub fn prose(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return escape_with(text, |c| c == '\n' || c == '\t');
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else {
            push_escaped(&mut out, c, |c| c == '\n' || c == '\t');
        }
    }
    Cow::Owned(out)
}

/// One line (a table cell, a name in a message): every unsafe character
/// escaped, newlines and tabs included.
pub fn line(text: &str) -> Cow<'_, str> {
    escape_with(text, |_| false)
}

/// `text` shortened to about `max` characters (`… (N more characters)`), for
/// messages that quote a file's content.
pub fn cap(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            Cow::Owned(format!(
                "{}… ({} more characters)",
                &text[..cut],
                holisec_model::number::thousands(rest as f64)
            ))
        }
    }
}

/// A line of a snippet longer than this (in escaped characters) is cut.
pub const SNIPPET_LINE: usize = 200;
/// Characters shown of a cut line: a window around the span's start...
const WINDOW: usize = 160;
/// ...of which at most this many before it.
const WINDOW_BEFORE: usize = 60;
/// Lines a span may cover and still be shown whole (else only its first line).
const SPAN_LINES: usize = 12;

/// The part of a source a diagnostic shows: the span's lines and one line of
/// context on each side, escaped ([`line`]) and each cut to a window of
/// [`WINDOW`] characters (`…` where cut) when longer than [`SNIPPET_LINE`],
/// so a binary file or a 200 KB line prints a few hundred bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The lines shown, joined by `\n`.
    pub text: String,
    /// The span within [`Snippet::text`]: byte offset and length.
    pub start: usize,
    /// Length of the span within [`Snippet::text`].
    pub len: usize,
    /// Line number (0-based) in the source of the first line of `text`.
    pub first_line: usize,
    /// Line (0-based) of the span's start in the source.
    pub line: usize,
    /// Byte column (0-based) of the span's start in the source.
    pub column: usize,
}

fn floor_boundary(text: &str, mut p: usize) -> usize {
    p = p.min(text.len());
    while !text.is_char_boundary(p) {
        p -= 1;
    }
    p
}

/// The byte range of line `[a, b)` of `source` shown in a snippet: all of it,
/// or a window around `anchor` when it is too long.
fn window(source: &str, a: usize, b: usize, anchor: usize) -> (usize, usize) {
    let mut total = 0;
    if source[a..b].chars().all(|c| {
        total += escaped_len(c);
        total <= SNIPPET_LINE
    }) {
        return (a, b);
    }
    let anchor = if (a..=b).contains(&anchor) { anchor } else { a };
    let mut wa = anchor;
    let mut before = 0;
    for (i, c) in source[a..anchor].char_indices().rev() {
        before += escaped_len(c);
        if before > WINDOW_BEFORE {
            break;
        }
        wa = a + i;
    }
    let mut wb = wa;
    let mut shown = 0;
    for (i, c) in source[wa..b].char_indices() {
        shown += escaped_len(c);
        if shown > WINDOW {
            break;
        }
        wb = wa + i + c.len_utf8();
    }
    (wa, wb)
}

/// The snippet of `source` around the byte span `start..end`.
pub fn snippet(source: &str, start: usize, end: usize) -> Snippet {
    let start = floor_boundary(source, start);
    let mut end = floor_boundary(source, end.max(start));
    let line_start = |p: usize| source[..p].rfind('\n').map_or(0, |i| i + 1);
    let line_end = |p: usize| source[p..].find('\n').map_or(source.len(), |i| p + i);
    let first = line_start(start);
    let line = source.as_bytes()[..first]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    let mut last = line_start(floor_boundary(source, end.saturating_sub(1)).max(start));
    if source.as_bytes()[first..last]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        >= SPAN_LINES
    {
        last = first;
        end = end.min(line_end(start));
    }
    // The lines shown, as byte ranges without their newline.
    let mut lines = Vec::new();
    let mut first_line = line;
    if first > 0 {
        lines.push((line_start(first - 1), first - 1));
        first_line -= 1;
    }
    let mut a = first;
    loop {
        let b = line_end(a);
        lines.push((a, b));
        if a >= last || b == source.len() {
            break;
        }
        a = b + 1;
    }
    let after = lines.last().map_or(source.len(), |&(_, b)| b);
    if after + 1 < source.len() {
        lines.push((after + 1, line_end(after + 1)));
    }
    // Escaped text, and marks (source byte, text byte) to map the span.
    let mut text = String::new();
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for (k, &(a, b)) in lines.iter().enumerate() {
        if k > 0 {
            marks.push((a - 1, text.len()));
            text.push('\n');
        }
        let b_shown = if b > a && source.as_bytes()[b - 1] == b'\r' {
            b - 1
        } else {
            b
        };
        let (wa, wb) = window(source, a, b_shown, start);
        if wa > a {
            text.push('…');
        }
        marks.push((a, text.len()));
        for (i, c) in source[wa..wb].char_indices() {
            marks.push((wa + i, text.len()));
            push_escaped(&mut text, c, |_| false);
        }
        marks.push((wb, text.len()));
        if wb < b_shown {
            text.push('…');
        }
        marks.push((b_shown, text.len()));
    }
    let map = |p: usize| {
        let k = marks.partition_point(|m| m.0 <= p);
        marks[k.saturating_sub(1)].1
    };
    let (s, e) = (map(start), map(end));
    Snippet {
        text,
        start: s,
        len: e.saturating_sub(s),
        first_line,
        line,
        column: start - first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_written_visibly() {
        assert_eq!(
            line("a\u{1b}[31mred\u{7}\u{7f}\u{9b}\u{0}"),
            "a\\u{1b}[31mred\\u{7}\\u{7f}\\u{9b}\\u{0}"
        );
        assert_eq!(line("x\ny\tz\r"), "x\\u{a}y\\u{9}z\\u{d}");
        assert_eq!(prose("x\ny\tz\r"), "x\ny\tz\\u{d}");
        assert_eq!(prose("dos\r\nline\r\n"), "dos\r\nline\r\n");
        assert_eq!(
            prose("Hospital \u{202e}latipsoH\u{2066}\u{200f}\u{61c}"),
            "Hospital \\u{202e}latipsoH\\u{2066}\\u{200f}\\u{61c}"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for text in ["Hôpital Sant Pau €", "名前", "a\\u{1b} already escaped", ""] {
            assert!(matches!(line(text), Cow::Borrowed(t) if t == text));
            assert!(matches!(prose(text), Cow::Borrowed(t) if t == text));
        }
        assert_eq!(
            line(&line("\u{1b}")),
            line("\u{1b}"),
            "escaping twice changes nothing"
        );
    }

    #[test]
    fn escaped_lengths_match() {
        for c in ['a', '\u{1b}', '\u{0}', '\u{202e}', '\u{9f}', 'é'] {
            assert_eq!(
                escaped_len(c),
                line(&c.to_string()).chars().count(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn long_quotes_are_capped() {
        assert_eq!(cap("short", 10), "short");
        assert_eq!(cap(&"x".repeat(12), 10), "xxxxxxxxxx… (2 more characters)");
        assert_eq!(cap(&"é".repeat(2000), 5), "ééééé… (1,995 more characters)");
    }

    #[test]
    fn short_snippets_are_the_lines_around_the_span() {
        let src = "a = 1\nb = \u{1b}[31m\nc = 3\nd = 4\n";
        let s = snippet(src, 11, 12);
        assert_eq!(s.text, "a = 1\nb = \\u{1b}[31m\nc = 3");
        assert_eq!(&s.text[s.start..s.start + s.len], "[");
        assert_eq!((s.first_line, s.line, s.column), (0, 1, 5));
        let esc = snippet(src, 10, 11);
        assert_eq!(&esc.text[esc.start..esc.start + esc.len], "\\u{1b}");
        let s = snippet(src, 0, 1);
        assert_eq!(
            (s.text.as_str(), s.start, s.len),
            ("a = 1\nb = \\u{1b}[31m", 0, 1)
        );
        let end = snippet(src, src.len(), src.len());
        assert_eq!((end.line, end.column), (4, 0));
        assert!(end.text.starts_with("d = 4\n"), "{end:?}");
    }

    #[test]
    fn long_lines_show_a_window_around_the_span() {
        let src = format!("x = {}\nnext\n", "[".repeat(200_000));
        let s = snippet(&src, 100_000, 100_001);
        assert!(s.text.len() < 500, "{}", s.text.len());
        assert!(
            s.text.starts_with('…') && s.text.contains("…\nnext"),
            "{}",
            s.text
        );
        assert_eq!(&s.text[s.start..s.start + s.len], "[");
        assert_eq!((s.line, s.column), (0, 100_000));
        let zeros = "\0".repeat(1_000_000);
        let z = snippet(&zeros, zeros.len(), zeros.len());
        assert!(
            z.text.len() < 400 && z.text.contains("\\u{0}"),
            "{}",
            z.text
        );
        assert_eq!(z.start, z.text.len());
    }

    #[test]
    fn spans_over_many_lines_show_their_first() {
        let src = "[x]\n".repeat(100);
        let s = snippet(&src, 4, 300);
        assert_eq!(s.text, "[x]\n[x]\n[x]");
        assert_eq!(&s.text[s.start..s.start + s.len], "[x]");
        let two = snippet(&src, 4, 12);
        assert_eq!(&two.text[two.start..two.start + two.len], "[x]\n[x]\n");
    }

    #[test]
    fn crlf_lines_and_multibyte_offsets() {
        let src = "é = 1\r\nb = 2\r\n";
        let s = snippet(src, 8, 9);
        assert_eq!(s.text, "é = 1\nb = 2");
        assert_eq!(&s.text[s.start..s.start + s.len], "b");
        let mid = snippet(src, 1, 2); // inside `é`: rounded down to its start
        assert_eq!(&mid.text[mid.start..mid.start + mid.len], "é");
        assert_eq!(mid.column, 0);
    }
}
