//! The one XML escaper of holisec: every SVG or other XML text that any crate
//! writes (figures, loss exceedance charts, band charts) escapes free text here,
//! so a model or scenario name can never break a document or inject markup.

/// Escapes text for XML 1.0, valid both as element content and inside an
/// attribute value quoted with `"` or `'`.
///
/// `&`, `<`, `>`, `"` and `'` become the five predefined entities. Control
/// characters are not allowed in XML 1.0 (and tabs or newlines inside an
/// attribute would be normalised to spaces by the parser anyway), so every
/// character below U+0020 becomes a space; the non-characters U+FFFE and U+FFFF,
/// also forbidden, are dropped.
///
/// ```
/// use holisec_model::escape::xml;
/// assert_eq!(xml(r#"Tom's "A&E" <ward>"#), "Tom&apos;s &quot;A&amp;E&quot; &lt;ward&gt;");
/// ```
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 => out.push(' '),
            '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn escapes_the_five_markup_characters() {
        assert_eq!(xml(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(
            xml("&amp;"),
            "&amp;amp;",
            "entities in the input are text, escaped again"
        );
        assert_eq!(xml("Hôpital Sant Pau €"), "Hôpital Sant Pau €");
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(xml("x\ny\u{1}\tz\r"), "x y  z ");
        assert_eq!(xml("a\u{fffe}b\u{ffff}c"), "abc");
    }
}
