//! `holisec schema`: print the JSON Schema of the model file format.

use std::path::PathBuf;

use crate::error::CliResult;

/// Print the JSON Schema of model files, for editors that check TOML against a schema.
#[derive(clap::Args)]
pub struct Args {
    /// Write the schema to this file instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    let mut schema = holisec_model::schema::json_schema();
    schema.push('\n');
    crate::output::write_text(args.output.as_deref(), &schema, "JSON Schema")
}
