//! Renders the holisec ecosystem model as a figure.
//!
//! Three outputs of the same [`Ecosystem`], after the article's Figure 1
//! (green stakeholders, orange vulnerability factors, black italic motivations,
//! black bold support, solid first-level and dashed second-level arrows):
//!
//! - [`svg`]: a self-contained, laid-out SVG figure (no external tool needed);
//! - [`dot`]: Graphviz DOT, for `dot -Tsvg` / `-Tpdf`;
//! - [`mermaid`]: a Mermaid `flowchart LR`, for Markdown renderers.
//!
//! Every function is pure and deterministic: the same model gives the same bytes.

use holisec_model::Ecosystem;

pub mod dot;
pub mod escape;
pub mod layout;
pub mod mermaid;
pub mod svg;
pub mod timeseries;

pub use timeseries::{BandChart, BandSeries, render_band_chart};

/// The holistic overview as a standalone SVG document.
pub fn svg(eco: &Ecosystem) -> String {
    svg::render(eco)
}

/// The ecosystem as a Graphviz `digraph`.
pub fn dot(eco: &Ecosystem) -> String {
    dot::render(eco)
}

/// The ecosystem as a Mermaid `flowchart LR`.
pub fn mermaid(eco: &Ecosystem) -> String {
    mermaid::render(eco)
}

#[cfg(test)]
pub(crate) mod fixtures;
