//! The report as one self-contained HTML file: the askama template
//! `templates/report.html` with the stylesheet `assets/report.css` inlined
//! and the figures inline as SVG. No script, no external request: it reads
//! offline, as an e-mail attachment, and prints (A4, page numbers, each
//! section on a new page).

use askama::Template;

use crate::{Report, format};

const CSS: &str = include_str!("../assets/report.css");

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    r: &'a Report,
    css: &'a str,
}

impl Page<'_> {
    fn money(&self, x: &f64) -> String {
        format::money(&self.r.currency, *x)
    }
    fn pct(&self, x: &f64) -> String {
        format::percent(*x)
    }
    fn count(&self, x: &f64) -> String {
        format::count(*x)
    }
    fn ratio(&self, x: &f64) -> String {
        format::ratio(*x)
    }
    fn opt_ratio(&self, x: &Option<f64>) -> String {
        x.map_or_else(|| "free".to_owned(), format::ratio)
    }
    /// A maturity score, one decimal.
    fn score(&self, x: &f64) -> String {
        format!("{x:.1}")
    }
    /// A mean count that may be small: one decimal below 100.
    fn fixed(&self, x: &f64) -> String {
        if x.abs() < 100.0 {
            format!("{x:.1}")
        } else {
            format::count(*x)
        }
    }
}

/// The report as HTML.
pub fn html(report: &Report) -> String {
    Page {
        r: report,
        css: CSS,
    }
    .render()
    .expect("the report template renders any report (it has no fallible filter)")
}
