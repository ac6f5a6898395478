//! `holisec render`: draw the holistic overview (the article's Figure 1).

use std::path::PathBuf;

use clap::ValueEnum;

use crate::error::CliResult;
use crate::input::load_model;

/// Draw the ecosystem: stakeholders (green), vulnerability factors (orange),
/// motivations (italic), support (bold), first-level (solid) and second-level
/// (dashed) relations.
#[derive(clap::Args)]
pub struct Args {
    /// Model file (the built-in European model when absent).
    model: Option<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Svg)]
    format: Format,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Output formats.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A standalone SVG figure.
    Svg,
    /// Graphviz DOT (render with `dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    crate::paths::check_outputs(
        &[("-o", args.output.as_deref())],
        &[("model", args.model.as_deref())],
    )?;
    let eco = load_model(args.model.as_deref())?.ecosystem;
    let (text, what) = match args.format {
        // Too large a model is refused (exit 2) with a pointer to DOT.
        Format::Svg => (
            holisec_render::try_svg(&eco).map_err(crate::error::invalid)?,
            "SVG figure",
        ),
        Format::Dot => (holisec_render::dot(&eco), "Graphviz DOT"),
        Format::Mermaid => (holisec_render::mermaid(&eco), "Mermaid flowchart"),
    };
    crate::output::write_text(args.output.as_deref(), &text, what)
}
