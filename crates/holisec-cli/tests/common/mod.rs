//! Helpers shared by the CLI integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `holisec` binary with `args` in `dir` (or the crate directory).
pub fn holisec(args: &[&str], dir: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_holisec"));
    // The width tables fit is the user's terminal: pin it so outputs do not
    // depend on where the tests run.
    cmd.args(args).env("NO_COLOR", "1").env("COLUMNS", "100");
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.output().expect("holisec runs")
}

/// Exit status, stdout and stderr as text.
pub fn parts(out: &Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Root of the repository.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Finds an external tool on PATH or in the project venv. Returns `None` (and
/// prints why) when it is missing and tools are not required; panics when
/// `HOLISEC_REQUIRE_TOOLS=1`.
pub fn tool(name: &str) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(venv) = std::env::var_os("HOLISEC_VENV") {
        candidates.push(PathBuf::from(venv).join("bin").join(name));
    }
    candidates.push(repo_root().join(".venv/bin").join(name));
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|p| p.join(name)));
    }
    if let Some(found) = candidates.into_iter().find(|p| p.is_file()) {
        return Some(found);
    }
    if std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!(
            "`{name}` is required (HOLISEC_REQUIRE_TOOLS=1) but was not found; run scripts/test.sh"
        );
    }
    eprintln!("skipping: `{name}` not found (scripts/test.sh installs it)");
    None
}
