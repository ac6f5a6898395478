//! `holisec init`: write the built-in model out as a file to edit.

use std::path::PathBuf;

use crate::error::{CliResult, invalid};

/// Write the built-in European model to a file you can edit.
#[derive(clap::Args)]
pub struct Args {
    /// Where to write the model (`-` for stdout).
    #[arg(default_value = "holisec-model.toml")]
    path: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    force: bool,
}

/// Runs the command.
pub fn run(args: Args) -> CliResult {
    let text = holisec_model::builtin::EUROPE_TOML;
    if args.path.as_os_str() == "-" {
        return crate::output::print(text);
    }
    if args.path.exists() && !args.force {
        return Err(invalid(format!(
            "`{}` already exists; pass --force to overwrite it",
            args.path.display()
        )));
    }
    crate::output::write_file(&args.path, text.as_bytes(), "the built-in European model")
}
