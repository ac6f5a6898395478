//! The Mermaid output checked by Mermaid itself.
//!
//! Each model is rendered with [`holisec_render::mermaid`] and fed to
//! `node tests-js/mermaid-check.mjs`, which runs the real `mermaid` npm package's
//! parser (`mermaid.parse`) and exits 0 only for a valid flowchart. A deliberately
//! broken flowchart must be rejected, so the test proves the checker can fail.
//!
//! Needs `node` (on PATH or in `$HOLISEC_VENV/bin`) and `tests-js/node_modules`
//! (`npm ci` in `tests-js`). When either is missing the test fails if
//! `HOLISEC_REQUIRE_TOOLS=1`, and otherwise prints a skip message and passes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "../src/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

const TESTS_JS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests-js");

fn find_node() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(venv) = std::env::var_os("HOLISEC_VENV") {
        dirs.push(Path::new(&venv).join("bin"));
    }
    dirs.into_iter()
        .map(|d| d.join("node"))
        .find(|p| p.is_file())
}

/// The node binary and the checker script, or `None` (after the skip message) when missing.
fn checker() -> Option<(PathBuf, PathBuf)> {
    let script = Path::new(TESTS_JS).join("mermaid-check.mjs");
    let modules = Path::new(TESTS_JS).join("node_modules").join("mermaid");
    let missing = match find_node() {
        None => Some("node not found on PATH or in $HOLISEC_VENV/bin".to_string()),
        Some(_) if !script.is_file() => Some(format!("{} missing", script.display())),
        Some(_) if !modules.is_dir() => Some(format!(
            "{} missing (run `npm ci` in tests-js)",
            modules.display()
        )),
        Some(_) => None,
    };
    if let Some(why) = missing {
        assert!(
            std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "HOLISEC_REQUIRE_TOOLS=1 but {why}"
        );
        eprintln!("skipped: {why}");
        return None;
    }
    Some((find_node()?, script))
}

/// Runs the checker on `text`; returns (accepted, parser message).
fn mermaid_accepts(node: &Path, script: &Path, text: &str) -> (bool, String) {
    let mut child = Command::new(node)
        .arg(script)
        .current_dir(TESTS_JS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to node");
    let out = child.wait_with_output().expect("run node");
    let msg = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => (true, msg),
        Some(1) => (false, msg),
        other => panic!("mermaid-check.mjs failed to run ({other:?}): {msg}"),
    }
}

fn assert_valid(node: &Path, script: &Path, what: &str, text: &str) {
    let (ok, msg) = mermaid_accepts(node, script, text);
    assert!(
        ok,
        "Mermaid rejects the {what} flowchart:\n{msg}\n--- input ---\n{text}"
    );
}

#[test]
fn checker_rejects_broken_flowcharts() {
    let Some((node, script)) = checker() else {
        return;
    };
    // A well-formed control, then broken ones: an unclosed subgraph, an unterminated
    // label, unescaped brackets in a label and a raw quote in an edge label (what a
    // missing escape would produce), and a dangling arrow.
    assert_valid(
        &node,
        &script,
        "control",
        "flowchart LR\n  a[\"A\"] --> b[\"B\"]\n",
    );
    for broken in [
        "flowchart LR\n  subgraph g0[\"G\"]\n    a[\"A\"]\n  a --> b\n",
        "flowchart LR\n  a[\"A --> b[\"B\"]\n",
        "flowchart LR\n  a[Hospital [main] x] --> b\n",
        "flowchart LR\n  a[\"x\"] -->|\"a\"b\"| b\n",
        "flowchart LR\n  a[\"A\"] -->\n",
    ] {
        let (ok, msg) = mermaid_accepts(&node, &script, broken);
        assert!(!ok, "the checker accepted a broken flowchart:\n{broken}");
        assert!(msg.contains("rejected"), "no parser message: {msg}");
    }
    // Valid Mermaid that is not a flowchart is rejected too.
    let (ok, _) = mermaid_accepts(&node, &script, "sequenceDiagram\n  A->>B: hi\n");
    assert!(!ok, "a sequence diagram passed as a flowchart");
}

#[test]
fn builtin_model_is_a_valid_mermaid_flowchart() {
    let Some((node, script)) = checker() else {
        return;
    };
    let eco = holisec_model::builtin::europe()
        .ecosystem
        .expect("the built-in model is valid");
    assert_valid(&node, &script, "built-in", &holisec_render::mermaid(&eco));
}

#[test]
fn fixtures_are_valid_mermaid_flowcharts() {
    let Some((node, script)) = checker() else {
        return;
    };
    let nasty = holisec_render::mermaid(&fixtures::nasty());
    assert_valid(&node, &script, "nasty-label fixture", &nasty);
    for (n, seed) in [(2, 2), (5, 5), (17, 17), (25, 4242)] {
        let text = holisec_render::mermaid(&fixtures::generated(n, seed));
        assert_valid(&node, &script, &format!("generated({n}, {seed})"), &text);
    }
}
