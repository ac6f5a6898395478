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

/// Most stakeholders the SVG figure draws. The figure is a ring of
/// stakeholder boxes: at 5,000 it is already about 400,000 px around and takes
/// about 4 s to lay out (release build, 2 cores); Graphviz lays out larger
/// graphs from [`dot`].
pub const MAX_SVG_STAKEHOLDERS: usize = 5_000;

/// Most stakeholders x relations the SVG figure draws: routing an arrow
/// costs in proportion to the ring's size, so time grows with their product
/// (5,000 x 5,000 takes about 4 s; 10,000 x 10,000 would take a minute).
pub const MAX_SVG_WORK: usize = 25_000_000;

/// Why a figure is not drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// Too many stakeholders or relations for the SVG layout.
    TooLarge {
        /// Stakeholders of the model.
        stakeholders: usize,
        /// Relations of the model.
        relations: usize,
    },
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |v: usize| holisec_model::number::thousands(v as f64);
        match *self {
            RenderError::TooLarge {
                stakeholders,
                relations,
            } => write!(
                f,
                "the SVG figure draws at most {} stakeholders and {} stakeholders x relations; this model has {} stakeholders and {} relations: render it with `--format dot` (Graphviz's `sfdp` or `neato` lay out large graphs) or `--format mermaid`",
                n(MAX_SVG_STAKEHOLDERS),
                n(MAX_SVG_WORK),
                n(stakeholders),
                n(relations)
            ),
        }
    }
}

impl std::error::Error for RenderError {}

/// The holistic overview as a standalone SVG document, or why it is not drawn
/// (more than [`MAX_SVG_STAKEHOLDERS`] stakeholders or [`MAX_SVG_WORK`]
/// stakeholders x relations).
pub fn try_svg(eco: &Ecosystem) -> Result<String, RenderError> {
    let (stakeholders, relations) = (eco.stakeholders.len(), eco.relations.len());
    if stakeholders > MAX_SVG_STAKEHOLDERS || stakeholders.saturating_mul(relations) > MAX_SVG_WORK
    {
        return Err(RenderError::TooLarge {
            stakeholders,
            relations,
        });
    }
    Ok(svg::render(eco))
}

/// The holistic overview as a standalone SVG document.
///
/// A model too large for the figure ([`try_svg`]'s error) gets a small SVG
/// that states the refusal and points to `--format dot`, instead of a layout
/// that would run for minutes; front ends that can report errors call
/// [`try_svg`].
pub fn svg(eco: &Ecosystem) -> String {
    try_svg(eco).unwrap_or_else(|e| svg::refusal(&e.to_string()))
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
