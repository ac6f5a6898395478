//! Figures made by the engines, made fit to sit inline in one HTML page.
//!
//! Each engine's SVG is a standalone file with its own ids (`fig-title`,
//! `arrow-first`, ...). Two figures of one kind in the same page would repeat
//! them (invalid HTML, and a broken arrow marker), so every id and every
//! reference to one gets a prefix unique to the figure.

/// `svg` with every `id`, `url(#...)`, `href="#..."` and `aria-labelledby`
/// prefixed by `prefix-`, and a `class` for the page's figure style.
pub(crate) fn inline(svg: &str, prefix: &str) -> String {
    let body = svg
        .trim_start_matches(|c: char| c.is_whitespace())
        .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .trim();
    body.replace(" id=\"", &format!(" id=\"{prefix}-"))
        .replace("url(#", &format!("url(#{prefix}-"))
        .replace("href=\"#", &format!("href=\"#{prefix}-"))
        .replace(
            "aria-labelledby=\"",
            &format!("aria-labelledby=\"{prefix}-"),
        )
        .replacen("<svg ", "<svg class=\"figure\" ", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_references_are_prefixed_together() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="t"><title id="t">T</title><marker id="m"/><path marker-end="url(#m)"/><use href="#m"/></svg>"##;
        let out = inline(svg, "lec");
        assert!(out.starts_with("<svg class=\"figure\" "));
        assert!(out.contains(r#"aria-labelledby="lec-t""#));
        assert!(out.contains(r#"<title id="lec-t">"#));
        assert!(out.contains(r#"marker id="lec-m""#));
        assert!(out.contains("url(#lec-m)"));
        assert!(out.contains(r##"href="#lec-m""##));
    }
}
