//! Progress bars on stderr for long runs: the library API reports phases in
//! the units it counts (simulated years, replicates) and the bar says so.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar on a terminal's stderr, hidden elsewhere or for short runs.
pub struct Bar {
    shown: bool,
    bar: Mutex<ProgressBar>,
}

impl Bar {
    /// A bar, drawn only when `long_enough` and stderr is a terminal.
    pub fn new(long_enough: bool) -> Self {
        Bar {
            shown: long_enough && std::io::stderr().is_terminal(),
            bar: Mutex::new(ProgressBar::hidden()),
        }
    }

    fn with(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(bar) = self.bar.lock() {
            f(&bar);
        }
    }
}

impl holisec_api::Progress for Bar {
    fn start(&self, phase: &str, total: u64, unit: &str) {
        if !self.shown {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{msg}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit}, eta {{eta}}"
        )) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(phase.to_owned());
        if let Ok(mut slot) = self.bar.lock() {
            *slot = bar;
        }
    }

    fn advance(&self, n: u64) {
        self.with(|b| b.inc(n));
    }

    fn finish(&self) {
        self.with(ProgressBar::finish_and_clear);
    }
}
