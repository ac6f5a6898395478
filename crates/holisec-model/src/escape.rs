//! The one XML escaper of holisec: every SVG or other XML text that any crate
//! writes (figures, loss exceedance charts, band charts) escapes free text here,
//! so a model or scenario name can never break a document or inject markup.
//! It also defines the bidirectional controls ([`is_bidi_control`]) that no
//! label of any figure may carry: a right-to-left override in a name would
//! make the figure show a different text than the model holds.

/// Escapes text for XML 1.0, valid both as element content and inside an
/// attribute value quoted with `"` or `'`.
///
/// `&`, `<`, `>`, `"` and `'` become the five predefined entities. Control
/// characters are not allowed in XML 1.0 (and tabs or newlines inside an
/// attribute would be normalised to spaces by the parser anyway), so every
/// character below U+0020 becomes a space; the non-characters U+FFFE and U+FFFF,
/// also forbidden, are dropped. Bidirectional controls ([`is_bidi_control`])
/// become [`BIDI_REPLACEMENT`], one visible character in place of one
/// invisible one (layouts measured on the name keep their width).
///
/// ```
/// use holisec_model::escape::xml;
/// assert_eq!(xml(r#"Tom's "A&E" <ward>"#), "Tom&apos;s &quot;A&amp;E&quot; &lt;ward&gt;");
/// assert_eq!(xml("abc\u{202e}def"), "abc\u{fffd}def");
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
            c if is_bidi_control(c) => out.push(BIDI_REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// What a bidirectional control becomes in a figure's label: U+FFFD, the
/// replacement character, visible where the control was.
pub const BIDI_REPLACEMENT: char = '\u{fffd}';

/// Whether `c` is a Unicode bidirectional control that reorders the text
/// around it (the "Trojan Source" characters): the embeddings and overrides
/// U+202A to U+202E, the isolates U+2066 to U+2069, the marks U+200E, U+200F
/// and the Arabic letter mark U+061C.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

#[cfg(test)]
mod tests {
    use super::{is_bidi_control, xml};

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

    #[test]
    fn bidirectional_controls_become_visible() {
        let hostile = "Hospital \u{202e}latipsoH\u{202c} \u{2066}x\u{2069}\u{200e}\u{200f}\u{61c}";
        let escaped = xml(hostile);
        assert!(!escaped.chars().any(is_bidi_control), "{escaped:?}");
        assert_eq!(escaped.chars().count(), hostile.chars().count());
        assert_eq!(escaped.matches('\u{fffd}').count(), 7);
        assert!(!is_bidi_control('a') && !is_bidi_control('\u{2070}'));
        assert!(
            !is_bidi_control('\u{200d}'),
            "joiners are not bidirectional controls"
        );
    }
}
