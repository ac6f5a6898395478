//! Where results go: stdout by default, a file only when the user names one.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::error::CliResult;

/// Writes `content` to `path`, or to stdout when `path` is `None` or `-`.
pub fn write_text(path: Option<&Path>, content: &str) -> CliResult {
    match path {
        Some(p) if p != Path::new("-") => {
            std::fs::write(p, content)
                .with_context(|| format!("cannot write `{}`", p.display()))?;
            Ok(())
        }
        _ => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(content.as_bytes())
                .context("cannot write to stdout")?;
            stdout.flush().context("cannot write to stdout")?;
            Ok(())
        }
    }
}

/// Pretty JSON of `value` to stdout, followed by a newline.
pub fn print_json<T: serde::Serialize>(value: &T) -> CliResult {
    let mut text = serde_json::to_string_pretty(value).context("cannot serialise output")?;
    text.push('\n');
    write_text(None, &text)
}
