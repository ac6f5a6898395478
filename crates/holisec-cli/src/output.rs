//! Where results go: stdout by default, a file only when the user names one,
//! and every file written announced on stderr in one line.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::error::CliResult;

/// Writes `content` to `path` (announced on stderr as `what`), or to stdout
/// when `path` is `None` or `-`.
pub fn write_text(path: Option<&Path>, content: &str, what: &str) -> CliResult {
    match path {
        Some(p) if p != Path::new("-") => write_file(p, content.as_bytes(), what),
        _ => print(content),
    }
}

/// Writes a file and announces it: `wrote <path> (<what>, <size>)`.
pub fn write_file(path: &Path, bytes: &[u8], what: &str) -> CliResult {
    std::fs::write(path, bytes).with_context(|| format!("cannot write `{}`", path.display()))?;
    announce(path, what, bytes.len());
    Ok(())
}

/// The one line that says a file was written.
pub fn announce(path: &Path, what: &str, bytes: usize) {
    eprintln!(
        "wrote {} ({what}, {})",
        crate::terminal::line(&path.display().to_string()),
        size(bytes)
    );
}

fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 10 * 1024 * 1024 => format!("{} KiB", b / 1024),
        b => format!("{} MiB", b / (1024 * 1024)),
    }
}

/// Writes a report for people to stdout: control and bidirectional
/// characters written visibly ([`crate::terminal::prose`]), long lines
/// wrapped to the width.
pub fn print_report(content: &str) -> CliResult {
    print(&crate::table::fit_lines(&crate::terminal::prose(content)))
}

/// Writes `content` to stdout exactly as it is: documents (SVG, TOML, CSV)
/// and JSON the user asked for on stdout, never text for people (that is
/// [`print_report`]).
pub fn print(content: &str) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(content.as_bytes())
        .context("cannot write to stdout")?;
    stdout.flush().context("cannot write to stdout")?;
    Ok(())
}

/// Pretty JSON of `value` to stdout, followed by a newline.
pub fn print_json<T: serde::Serialize>(value: &T) -> CliResult {
    let mut text = serde_json::to_string_pretty(value).context("cannot serialise output")?;
    text.push('\n');
    print(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_at_a_glance() {
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(10_015), "9 KiB");
        assert_eq!(size(20 * 1024), "20 KiB");
        assert_eq!(size(30 * 1024 * 1024), "30 MiB");
    }
}
