//! `holisec sweep`: the file is checked natively (line and column, exit 2);
//! runs and analyses go through the Python package of `$HOLISEC_VENV`
//! (`HOLISEC_PYTHON`), which `scripts/test.sh` installs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tiny() -> PathBuf {
    repo_root().join("python/tests/data/tiny-morris.toml")
}

fn holisec(args: &[&str], python: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_holisec"));
    c.args(args).env("HOLISEC_QUIET", "1");
    if let Some(p) = python {
        c.env("HOLISEC_PYTHON", p);
    }
    c.output().expect("run holisec")
}

fn venv_python() -> Option<PathBuf> {
    let venv = std::env::var_os("HOLISEC_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv"));
    let python = venv.join("bin/python3");
    let ok = Command::new(&python)
        .args(["-c", "import holisec.sweep"])
        .current_dir(std::env::temp_dir())
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

#[test]
fn check_reports_the_design_or_every_problem_with_its_place() {
    let out = holisec(&["sweep", "check", tiny().to_str().unwrap()], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // The report wraps to the terminal: compare its words.
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("morris design over 3 parameters, 12 points x 2 replicates = 24 simulations"),
        "{stdout}"
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(tiny())
        .unwrap()
        .replace("range = [0.2, 0.8]", "range = [0.8, 0.2]");
    std::fs::write(&bad, text).unwrap();
    let out = holisec(&["sweep", "check", bad.to_str().unwrap()], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.toml:25:9"), "{stderr}");
    assert!(stderr.contains("empty or inverted"), "{stderr}");
    // A bad file is refused before Python is asked anything.
    let out = holisec(
        &[
            "sweep",
            bad.to_str().unwrap(),
            "--out",
            dir.path().join("o").to_str().unwrap(),
        ],
        Some(Path::new("/nonexistent/python3")),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("o").exists());
}

#[test]
fn run_and_analyze_go_through_the_python_package() {
    let required = std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() == Ok("1");
    let Some(python) = venv_python() else {
        assert!(
            !required,
            "the holisec Python package is not installed in the venv (scripts/test.sh)"
        );
        eprintln!("skipping: holisec Python package not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = holisec(
        &[
            "sweep",
            tiny().to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--workers",
            "2",
        ],
        Some(&python),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("12 points run"));
    assert_eq!(
        std::fs::read_dir(&out_dir)
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("point="))
            .count(),
        12
    );
    let out = holisec(
        &["sweep", "analyze", out_dir.to_str().unwrap(), "--json"],
        Some(&python),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outputs"]["orgs_disrupted"]["method"], "morris");
    assert!(out_dir.join("tornado-orgs_disrupted.svg").is_file());
    // A Python without the package: a clear message, exit 1.
    let out = holisec(
        &["sweep", "analyze", out_dir.to_str().unwrap()],
        Some(Path::new("/nonexistent/python3")),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pip install ./python"));
}
