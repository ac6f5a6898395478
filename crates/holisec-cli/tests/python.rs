//! The Python package (`python/`, native module `crates/holisec-py`) against
//! this CLI: runs `python/tests` with pytest, `HOLISEC_BIN` set to the CLI
//! built for these tests, so every comparison is with the same code.
//!
//! The package must be installed in `$HOLISEC_VENV` (or `./.venv`):
//! `scripts/test.sh` (re)installs it before `cargo test`, because maturin's
//! build cannot run inside `cargo test` (which holds the build directory's
//! lock). Without it the test skips, and fails under `HOLISEC_REQUIRE_TOOLS=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn venv_bin(tool: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("HOLISEC_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv"));
    Some(venv.join("bin").join(tool)).filter(|p| p.is_file())
}

#[test]
fn python_package_gives_the_clis_numbers() {
    let required = std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() == Ok("1");
    let Some(pytest) = venv_bin("pytest") else {
        assert!(
            !required,
            "pytest not found in $HOLISEC_VENV/bin (scripts/test.sh installs it)"
        );
        eprintln!("skipping: no pytest in the venv (scripts/test.sh installs it)");
        return;
    };
    let python = venv_bin("python3").expect("a venv with pytest has python3");
    let import = Command::new(&python)
        .args(["-c", "import holisec, pyarrow"])
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run python");
    if !import.status.success() {
        let stderr = String::from_utf8_lossy(&import.stderr);
        assert!(
            !required,
            "the holisec package is not installed in the venv (scripts/test.sh installs it): {stderr}"
        );
        eprintln!("skipping: holisec not installed in the venv: {stderr}");
        return;
    }
    let out = Command::new(pytest)
        .args(["-q", "-p", "no:cacheprovider"])
        .arg(repo_root().join("python/tests"))
        .env("HOLISEC_BIN", env!("CARGO_BIN_EXE_holisec"))
        .env_remove("HOLISEC_DB")
        .current_dir(repo_root())
        .output()
        .expect("run pytest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pytest failed:\n{stdout}\n{stderr}");
    // pytest's summary: "10 passed in 4.01s"; nothing skipped or deselected.
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.contains(" passed") && !summary.contains("skipped") && !summary.contains("failed"),
        "{stdout}"
    );
}
