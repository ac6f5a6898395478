//! The holistic overview as SVG, drawn from the geometry of [`crate::layout`].

use std::fmt::Write;

use holisec_model::{Ecosystem, RelationLevel};

use crate::escape::xml;
use crate::layout::{Block, BlockKind, Layout, Style, Swatch, layout, line_height};

/// Fill of stakeholder boxes (green).
pub const STAKEHOLDER_FILL: &str = "#b7e1a1";
/// Border of stakeholder boxes.
pub const STAKEHOLDER_STROKE: &str = "#2e7d32";
/// Fill of vulnerability factor boxes (orange).
pub const FACTOR_FILL: &str = "#ffd199";
/// Border of vulnerability factor boxes.
pub const FACTOR_STROKE: &str = "#e67e00";
/// Dash pattern of second-level arrows.
pub const SECOND_LEVEL_DASH: &str = "7 5";

const FIRST_COLOUR: &str = "#333333";
const SECOND_COLOUR: &str = "#6b6b6b";

/// Renders `eco` as a standalone SVG document.
pub fn render(eco: &Ecosystem) -> String {
    draw(&layout(eco), &eco.meta.name)
}

/// A small SVG document that says why the figure is not drawn (wrapped text).
pub fn refusal(message: &str) -> String {
    let lines = crate::layout::wrap(message, 90);
    let height = 60 + 20 * lines.len();
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="900" height="{height}" viewBox="0 0 900 {height}" font-family="Helvetica, Arial, sans-serif">
<title>Figure not drawn</title>
<rect x="0" y="0" width="900" height="{height}" fill="white"/>
<text x="30" y="36" font-size="18" font-weight="bold" fill="#000">Figure not drawn</text>
"##
    );
    for (i, line) in lines.iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<text x="30" y="{}" font-size="14" fill="#111">{}</text>"##,
            62 + 20 * i,
            xml(line)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn text_attrs(style: Style) -> &'static str {
    match style {
        Style::Plain => r##"fill="#111""##,
        Style::Bold => r##"fill="#000" font-weight="bold""##,
        Style::Italic => r##"fill="#000" font-style="italic""##,
        Style::BoldItalic => r##"fill="#000" font-weight="bold" font-style="italic""##,
        Style::Note => r##"fill="#555""##,
        Style::Tag => r##"fill="#9a4d00" letter-spacing="0.3""##,
    }
}

fn draw_lines(s: &mut String, b: &Block, x_text: f64) {
    let total: f64 = b.lines.iter().map(|l| line_height(l.size)).sum();
    let mut y = b.rect.y + (b.rect.h - total) / 2.0;
    let (x, anchor) = if b.centred {
        (b.rect.x + b.rect.w / 2.0, "middle")
    } else {
        (x_text, "start")
    };
    for l in &b.lines {
        let lh = line_height(l.size);
        // Baseline a little below the middle of the line box.
        let base = y + lh / 2.0 + l.size * 0.35;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" {}>{}</text>"#,
            fmt(x),
            fmt(base),
            fmt(l.size),
            text_attrs(l.style),
            xml(&l.text)
        );
        y += lh;
    }
}

fn rect(s: &mut String, r: &crate::layout::Rect, attrs: &str) {
    let _ = writeln!(
        s,
        r#"<rect x="{}" y="{}" width="{}" height="{}" {attrs}/>"#,
        fmt(r.x),
        fmt(r.y),
        fmt(r.w),
        fmt(r.h)
    );
}

/// Draws a computed layout; `title` becomes the document's accessible title.
pub fn draw(l: &Layout, title: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif" role="img" aria-labelledby="fig-title">"#,
        w = fmt(l.width),
        h = fmt(l.height)
    );
    let _ = writeln!(s, r#"<title id="fig-title">{}</title>"#, xml(title));
    let _ = writeln!(
        s,
        r#"<defs>
<marker id="arrow-first" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{FIRST_COLOUR}"/></marker>
<marker id="arrow-second" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{SECOND_COLOUR}"/></marker>
</defs>"#
    );
    rect(
        &mut s,
        &crate::layout::Rect {
            x: 0.0,
            y: 0.0,
            w: l.width,
            h: l.height,
        },
        r##"fill="#ffffff""##,
    );

    // Cluster frames and side panels behind everything.
    s.push_str("<g id=\"frames\">\n");
    for c in &l.clusters {
        rect(
            &mut s,
            c,
            r##"rx="10" fill="#f6faf3" stroke="#cfd8c8" stroke-width="1""##,
        );
    }
    for p in &l.panels {
        rect(
            &mut s,
            &p.rect,
            r##"rx="8" fill="#f7f7f7" stroke="#d0d0d0" stroke-width="1""##,
        );
    }
    s.push_str("</g>\n");

    // Arrows below the boxes.
    s.push_str("<g id=\"relations\" fill=\"none\">\n");
    for e in &l.edges {
        let (colour, marker, dash, width) = match e.level {
            RelationLevel::First => (FIRST_COLOUR, "arrow-first", String::new(), "1.6"),
            RelationLevel::Second => (
                SECOND_COLOUR,
                "arrow-second",
                format!(r#" stroke-dasharray="{SECOND_LEVEL_DASH}""#),
                "1.4",
            ),
        };
        match e.via {
            None => {
                let _ = writeln!(
                    s,
                    r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="{width}"{dash} marker-end="url(#{marker})"><title>{}</title></line>"#,
                    fmt(e.from.0),
                    fmt(e.from.1),
                    fmt(e.to.0),
                    fmt(e.to.1),
                    xml(&e.tooltip)
                );
            }
            Some(c) => {
                let _ = writeln!(
                    s,
                    r#"<path d="M{},{} Q{},{} {},{}" stroke="{colour}" stroke-width="{width}"{dash} marker-end="url(#{marker})"><title>{}</title></path>"#,
                    fmt(e.from.0),
                    fmt(e.from.1),
                    fmt(c.0),
                    fmt(c.1),
                    fmt(e.to.0),
                    fmt(e.to.1),
                    xml(&e.tooltip)
                );
            }
        }
    }
    s.push_str("</g>\n");

    for b in &l.blocks {
        match b.kind {
            BlockKind::Stakeholder => {
                rect(
                    &mut s,
                    &b.rect,
                    &format!(
                        r#"rx="6" fill="{STAKEHOLDER_FILL}" stroke="{STAKEHOLDER_STROKE}" stroke-width="1.6""#
                    ),
                );
                draw_lines(&mut s, b, b.rect.x);
            }
            BlockKind::Factor => {
                rect(
                    &mut s,
                    &b.rect,
                    &format!(
                        r#"rx="4" fill="{FACTOR_FILL}" stroke="{FACTOR_STROKE}" stroke-width="1.2""#
                    ),
                );
                draw_lines(&mut s, b, b.rect.x);
            }
            BlockKind::EdgeLabel => {
                rect(
                    &mut s,
                    &b.rect,
                    r##"rx="3" fill="#ffffff" fill-opacity="0.9""##,
                );
                draw_lines(&mut s, b, b.rect.x);
            }
            BlockKind::Legend => {
                let sw = b.swatch.unwrap_or(Swatch::None);
                let (cy, x0) = (b.rect.y + b.rect.h / 2.0, b.rect.x + 6.0);
                match sw {
                    Swatch::Stakeholder | Swatch::Factor => {
                        let (fill, stroke) = if sw == Swatch::Stakeholder {
                            (STAKEHOLDER_FILL, STAKEHOLDER_STROKE)
                        } else {
                            (FACTOR_FILL, FACTOR_STROKE)
                        };
                        let r = crate::layout::Rect {
                            x: x0,
                            y: cy - 8.0,
                            w: 30.0,
                            h: 16.0,
                        };
                        rect(
                            &mut s,
                            &r,
                            &format!(
                                r#"rx="3" fill="{fill}" stroke="{stroke}" stroke-width="1.4""#
                            ),
                        );
                    }
                    Swatch::FirstLevel | Swatch::SecondLevel => {
                        let (colour, marker, dash) = if sw == Swatch::FirstLevel {
                            (FIRST_COLOUR, "arrow-first", String::new())
                        } else {
                            (
                                SECOND_COLOUR,
                                "arrow-second",
                                format!(r#" stroke-dasharray="{SECOND_LEVEL_DASH}""#),
                            )
                        };
                        let _ = writeln!(
                            s,
                            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="1.6"{dash} marker-end="url(#{marker})"/>"#,
                            fmt(x0),
                            fmt(x0 + 32.0),
                            y = fmt(cy)
                        );
                    }
                    Swatch::None => {}
                }
                let x_text = if sw == Swatch::None {
                    b.rect.x + 10.0
                } else {
                    b.rect.x + 54.0
                };
                draw_lines(&mut s, b, x_text);
            }
            _ => draw_lines(&mut s, b, b.rect.x + 10.0),
        }
    }
    rect(
        &mut s,
        &l.legend,
        r##"rx="6" fill="none" stroke="#bbbbbb" stroke-width="1""##,
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn check(svg: &str) {
        let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        assert!(svg.contains(STAKEHOLDER_FILL));
        assert!(svg.contains(FACTOR_FILL));
        assert!(svg.contains("font-style=\"italic\""));
        assert!(svg.contains("font-weight=\"bold\""));
        assert!(svg.contains("<marker id=\"arrow-first\""));
        // Every text is at least 11px.
        for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
            let size: f64 = n.attribute("font-size").unwrap().parse().unwrap();
            assert!(size >= 11.0, "{size}");
        }
    }

    #[test]
    fn nasty_labels_give_well_formed_svg() {
        let eco = fixtures::nasty();
        let svg = render(&eco);
        check(&svg);
        assert!(svg.contains(&format!("stroke-dasharray=\"{SECOND_LEVEL_DASH}\"")));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains("<script"));
        assert!(svg.contains("医療"));
        // Solid and dashed arrows, one per relation.
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let arrows: Vec<_> = doc
            .descendants()
            .filter(|n| {
                (n.has_tag_name("line") || n.has_tag_name("path"))
                    && n.attribute("marker-end").is_some()
            })
            .collect();
        // Two legend arrows plus the relations.
        assert_eq!(arrows.len(), eco.relations.len() + 2);
        let dashed = arrows
            .iter()
            .filter(|n| n.attribute("stroke-dasharray").is_some())
            .count();
        assert_eq!(dashed, 1 + 2);
    }

    #[test]
    fn output_is_deterministic() {
        let eco = fixtures::generated(9, 42);
        assert_eq!(render(&eco), render(&eco));
        check(&render(&eco));
    }

    #[test]
    fn builtin_model_svg_is_well_formed() {
        let eco = holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model is valid");
        assert!(!eco.stakeholders.is_empty());
        let svg = render(&eco);
        check(&svg);
        for s in &eco.stakeholders {
            assert!(svg.contains(&xml(s.name.split_whitespace().next().unwrap())));
        }
    }
}
