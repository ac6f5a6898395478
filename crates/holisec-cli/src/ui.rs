//! What the user asked of the terminal output, set once from the global flags:
//! `--verbose` (every warning, not a summary) and `--wide` (tables never
//! narrowed), and the width tables fit in.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// Width used when stdout is not a terminal and `COLUMNS` is not set.
pub const DEFAULT_WIDTH: usize = 100;
/// Warnings shown before the rest are summarised as a count.
pub const WARNINGS_SHOWN: usize = 3;

#[derive(Debug, Clone, Copy)]
struct Ui {
    verbose: bool,
    wide: bool,
}

static UI: OnceLock<Ui> = OnceLock::new();

/// Records the global flags (first call wins).
pub fn set(verbose: bool, wide: bool) {
    let _already_set = UI.set(Ui { verbose, wide });
}

fn ui() -> Ui {
    *UI.get_or_init(|| Ui {
        verbose: false,
        wide: false,
    })
}

/// Whether every warning is shown.
pub fn verbose() -> bool {
    ui().verbose
}

/// The width tables and prose fit in, `None` with `--wide`.
pub fn width() -> Option<usize> {
    if ui().wide {
        return None;
    }
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&n| n >= 40)
    {
        return Some(n);
    }
    if std::io::stdout().is_terminal()
        && let Some((_, cols)) = console::Term::stdout().size_checked()
    {
        return Some(usize::from(cols).max(40));
    }
    Some(DEFAULT_WIDTH)
}

/// Whether stderr is a terminal that takes colour.
pub fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}
