//! Escaping of free text for the three output languages (XML, DOT, Mermaid).

/// Escapes text for XML content and attribute values: the one escaper of the
/// workspace, [`holisec_model::escape::xml`], used by every SVG writer.
pub use holisec_model::escape::xml;
use holisec_model::escape::{BIDI_REPLACEMENT, is_bidi_control};

/// Escapes text for a double-quoted DOT string (`"..."`).
///
/// Quotes and backslashes are escaped; newlines become DOT's centred line break `\n`;
/// other control characters become spaces and bidirectional controls
/// [`BIDI_REPLACEMENT`], as in [`xml`].
pub fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push(' '),
            c if is_bidi_control(c) => out.push(BIDI_REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a DOT HTML-like label (`<...>`), newlines becoming `<BR/>`.
///
/// Graphviz reads HTML-like labels as XML, so each line is escaped by [`xml`].
pub fn dot_html(text: &str) -> String {
    text.split('\n').map(xml).collect::<Vec<_>>().join("<BR/>")
}

/// Escapes text for a double-quoted Mermaid label, using Mermaid's `#code;` entities.
///
/// Characters with a meaning in Mermaid's grammar or in the HTML it renders to
/// (`"`, `#`, `<`, `>`, `&`, backticks, brackets, pipes, braces, semicolons) become
/// numeric entities; newlines become `<br>`; other control characters become
/// spaces and bidirectional controls [`BIDI_REPLACEMENT`], as in [`xml`].
pub fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '\n' => out.push_str("<br>"),
            '#' | '<' | '>' | '&' | '`' | '[' | ']' | '(' | ')' | '{' | '}' | '|' | ';' | '\\' => {
                out.push_str(&format!("#{};", c as u32))
            }
            c if (c as u32) < 0x20 => out.push(' '),
            c if is_bidi_control(c) => out.push(BIDI_REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid/DOT-safe identifier: ASCII letters, digits and `_`, prefixed to be unique.
pub fn ident(prefix: &str, index: usize, id: &str) -> String {
    let mut out = format!("{prefix}{index}_");
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup() {
        assert_eq!(xml(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\ny\u{1}"), "x y ");
    }

    #[test]
    fn dot_escapes_quotes_and_backslashes() {
        assert_eq!(dot_string("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(dot_html("<i>&"), "&lt;i&gt;&amp;");
        assert_eq!(dot_html("a\"b'\nc\u{1}"), "a&quot;b&apos;<BR/>c ");
    }

    #[test]
    fn mermaid_uses_entity_codes() {
        assert_eq!(mermaid("say \"hi\" #1"), "say #quot;hi#quot; #35;1");
        assert_eq!(ident("s", 3, "a-b.c"), "s3_a_b_c");
    }

    #[test]
    fn no_label_carries_a_bidirectional_control() {
        let hostile = "Hospital \u{202e}latipsoH\u{202c}\n\u{2067}x\u{2069}\u{200f}\u{61c}";
        for escaped in [
            xml(hostile),
            dot_string(hostile),
            dot_html(hostile),
            mermaid(hostile),
        ] {
            assert!(
                !escaped.chars().any(is_bidi_control),
                "{escaped:?} still reorders text"
            );
            assert_eq!(escaped.matches(BIDI_REPLACEMENT).count(), 6, "{escaped:?}");
        }
    }
}
