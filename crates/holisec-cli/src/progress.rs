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

/// A duration for people: `40 s`, `3 min`, `1.5 h`.
pub fn duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{:.0} s", seconds.max(1.0))
    } else if seconds < 90.0 * 60.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(0.2), "1 s");
        assert_eq!(duration(40.0), "40 s");
        assert_eq!(duration(600.0), "10 min");
        assert_eq!(duration(5400.0), "1.5 h");
    }
}
