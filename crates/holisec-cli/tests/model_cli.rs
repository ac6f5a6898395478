//! End-to-end tests of the model commands: init, validate, show, render, analyze, schema.

mod common;

use common::{holisec, parts, repo_root, tool};

#[test]
fn builtin_model_is_valid() {
    let (code, stdout, stderr) = parts(&holisec(&["validate"], None));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("is valid: 11 stakeholders"), "{stdout}");
    assert!(stdout.contains("(0 warnings)"), "{stdout}");
}

#[test]
fn bad_model_exits_2_with_file_line_column_and_expectation() {
    let path = repo_root().join("crates/holisec-model/tests/bad-models/several-errors.toml");
    let path = path.to_str().unwrap();
    let (code, stdout, stderr) = parts(&holisec(&["validate", path], None));
    assert_eq!(code, 2, "{stdout}{stderr}");
    // miette prints `[file:line:col]` above each snippet.
    for place in [":15:8]", ":24:15]", ":27:14]", ":34:12]", ":37:3]"] {
        assert!(stderr.contains(place), "missing {place} in\n{stderr}");
    }
    assert!(stderr.contains("unknown variant `hospital`"), "{stderr}");
    assert!(stderr.contains("did you mean `hospitals`?"), "{stderr}");
    assert!(stderr.contains("is not valid: 5 errors"), "{stderr}");
}

#[test]
fn validate_json_reports_every_diagnostic_with_line_and_column() {
    let path = repo_root().join("crates/holisec-model/tests/bad-models/unknown-references.toml");
    let out = holisec(&["validate", "--json", path.to_str().unwrap()], None);
    let (code, stdout, _) = parts(&out);
    assert_eq!(code, 2);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"], 3);
    let first = &report["diagnostics"][0];
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(43), Some(12))
    );
    assert_eq!(first["expected"], "expected the id of a stakeholder");
    assert_eq!(first["help"], "did you mean `hospitals`?");
}

#[test]
fn missing_or_unreadable_model_file_is_invalid_input() {
    let (code, _, stderr) = parts(&holisec(&["validate", "/nonexistent/model.toml"], None));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read `/nonexistent/model.toml`"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = parts(&holisec(&["show", dir.path().to_str().unwrap()], None));
    assert_eq!(code, 2);
    assert!(stderr.contains("is a directory"), "{stderr}");
}

#[test]
fn binary_and_empty_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("model.toml");
    std::fs::write(&binary, [0x7f, b'E', b'L', b'F', 0, 0, 1, 2]).unwrap();
    let (code, _, stderr) = parts(&holisec(&["analyze", binary.to_str().unwrap()], None));
    assert_eq!(code, 2);
    assert!(stderr.contains("looks binary"), "{stderr}");
    std::fs::write(&binary, "").unwrap();
    let (code, _, stderr) = parts(&holisec(&["render", binary.to_str().unwrap()], None));
    assert_eq!(code, 2);
    assert!(stderr.contains("model file is empty"), "{stderr}");
}

#[test]
fn warnings_pass_unless_denied() {
    let path = repo_root().join("crates/holisec-model/tests/bad-models/missing-provenance.toml");
    let path = path.to_str().unwrap();
    let (code, stdout, stderr) = parts(&holisec(&["validate", "--wide", path], None));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("(1 warning)"));
    assert!(stderr.contains("without `source` or `rationale`"));
    let (code, _, _) = parts(&holisec(&["validate", "--deny-warnings", path], None));
    assert_eq!(code, 2);
}

#[test]
fn init_writes_the_builtin_model_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = parts(&holisec(&["init", "model.toml"], Some(dir.path())));
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read_to_string(dir.path().join("model.toml")).unwrap();
    assert_eq!(written, holisec_model_text());
    let (code, _, stderr) = parts(&holisec(&["init", "model.toml"], Some(dir.path())));
    assert_eq!(code, 2);
    assert!(stderr.contains("--force"), "{stderr}");
    let (code, _, _) = parts(&holisec(
        &["init", "model.toml", "--force"],
        Some(dir.path()),
    ));
    assert_eq!(code, 0);
    let (code, stdout, _) = parts(&holisec(&["validate", "model.toml"], Some(dir.path())));
    assert_eq!(code, 0);
    assert!(stdout.contains("`model.toml` is valid"));
    // Nothing but the requested file was written.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn holisec_model_text() -> String {
    std::fs::read_to_string(repo_root().join("models/europe.toml")).unwrap()
}

#[test]
fn show_json_is_the_whole_model() {
    let (code, stdout, _) = parts(&holisec(&["show", "--json"], None));
    assert_eq!(code, 0);
    let model: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(model["stakeholders"].as_array().unwrap().len(), 11);
    assert_eq!(model["meta"]["currency"], "EUR");
    assert!(model["threats"].as_array().unwrap().len() >= 5);
    let (code, stdout, _) = parts(&holisec(&["show"], None));
    assert_eq!(code, 0);
    assert!(stdout.contains("Stakeholders (11)"));
    assert!(stdout.contains("15,000"), "{stdout}");
}

#[test]
fn analyze_json_has_every_section() {
    let (code, stdout, stderr) = parts(&holisec(&["analyze", "--json", "--paths", "3"], None));
    assert_eq!(code, 0, "{stderr}");
    let a: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(a["centrality"].as_array().unwrap().len(), 11);
    let total: f64 = a["centrality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["influence"].as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-9);
    assert_eq!(a["reach"].as_array().unwrap().len(), 11);
    let motivations = a["attack_paths"].as_array().unwrap();
    assert_eq!(motivations.len(), 5);
    for m in motivations {
        assert!(m["total_paths"].as_u64().unwrap() > 0, "{m}");
        assert!(m["paths"].as_array().unwrap().len() <= 3);
    }
    assert_eq!(a["domains"].as_array().unwrap().len(), 5);
    let (code, _, stderr) = parts(&holisec(&["analyze", "--hops", "9"], None));
    assert_eq!(code, 2);
    assert!(stderr.contains("expected 0 to 4"));
}

#[test]
fn render_writes_only_where_asked_and_dot_is_accepted_by_graphviz() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = parts(&holisec(
        &["render", "--format", "dot", "-o", "fig.dot"],
        Some(dir.path()),
    ));
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    let dot_text = std::fs::read_to_string(dir.path().join("fig.dot")).unwrap();
    assert!(dot_text.starts_with("digraph"));
    let (code, svg, _) = parts(&holisec(&["render"], Some(dir.path())));
    assert_eq!(code, 0);
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"));
    let (code, mermaid, _) = parts(&holisec(&["render", "-f", "mermaid"], None));
    assert_eq!(code, 0);
    assert!(mermaid.starts_with("flowchart"));
    if let Some(dot) = tool("dot") {
        let out = std::process::Command::new(dot)
            .args([
                "-Tsvg",
                "-o",
                "/dev/null",
                dir.path().join("fig.dot").to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "dot rejected the output: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "dot warned: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn schema_is_json_and_accepts_the_builtin_model() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = parts(&holisec(&["schema", "-o", "schema.json"], Some(dir.path())));
    assert_eq!(code, 0);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("schema.json")).unwrap())
            .unwrap();
    assert_eq!(schema["title"], "holisec ecosystem model");
    for key in [
        "ecosystem",
        "stakeholder",
        "vulnerability",
        "relation",
        "threat",
        "support",
        "scenario",
    ] {
        assert!(
            schema["properties"][key].is_object(),
            "schema lacks `{key}`"
        );
    }
    let Some(python) = tool("python3") else {
        return;
    };
    // The venv has `jsonschema`; tomllib is in Python 3.11's standard library.
    let script = r#"
import json, sys, tomllib, jsonschema
schema = json.load(open(sys.argv[1]))
model = tomllib.load(open(sys.argv[2], "rb"))
jsonschema.Draft202012Validator(schema).validate(model)
bad = dict(model); bad["stakeholder"] = [dict(model["stakeholder"][0], colour="green")]
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
assert errors, "schema accepted an unknown key"
print("ok")
"#;
    let venv_python = repo_root().join(".venv/bin/python3");
    let python = std::env::var_os("HOLISEC_VENV")
        .map(|v| std::path::PathBuf::from(v).join("bin/python3"))
        .filter(|p| p.is_file())
        .or_else(|| venv_python.is_file().then_some(venv_python))
        .unwrap_or(python);
    let out = std::process::Command::new(python)
        .args([
            "-c",
            script,
            dir.path().join("schema.json").to_str().unwrap(),
        ])
        .arg(repo_root().join("models/europe.toml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'jsonschema'")
        && std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() != Ok("1")
    {
        eprintln!("skipping: python jsonschema missing (scripts/test.sh installs it)");
        return;
    }
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn every_command_has_help_and_bad_usage_exits_2() {
    for cmd in ["init", "validate", "show", "render", "analyze", "schema"] {
        let (code, stdout, _) = parts(&holisec(&[cmd, "--help"], None));
        assert_eq!(code, 0, "{cmd} --help");
        assert!(stdout.contains("Usage: holisec"), "{cmd}: {stdout}");
    }
    let (code, _, stderr) = parts(&holisec(&["frobnicate"], None));
    assert_eq!(code, 2);
    assert!(stderr.contains("unrecognized subcommand"));
    let (code, _, _) = parts(&holisec(&["render", "--format", "png"], None));
    assert_eq!(code, 2);
}
