//! The corpus of bad model files: each file under `tests/bad-models/` states the
//! diagnostics it must produce in `# expect: LINE:COL message` comments (or
//! `# expect-warning:`), and must produce no other error.
//! Inputs that cannot carry comments (binary, non-UTF-8, huge, deeply nested)
//! are generated in code below.

use std::path::Path;

use holisec_model::{LineIndex, Severity, load_bytes};

struct Expectation {
    severity: Severity,
    line: usize,
    column: usize,
    message: String,
}

fn expectations(text: &str) -> Vec<Expectation> {
    text.lines()
        .filter_map(|l| {
            let (severity, rest) = if let Some(rest) = l.strip_prefix("# expect: ") {
                (Severity::Error, rest)
            } else if let Some(rest) = l.strip_prefix("# expect-warning: ") {
                (Severity::Warning, rest)
            } else {
                return None;
            };
            let (place, message) = rest.split_once(' ')?;
            let (line, column) = place.split_once(':')?;
            Some(Expectation {
                severity,
                line: line.parse().ok()?,
                column: column.parse().ok()?,
                message: message.to_owned(),
            })
        })
        .collect()
}

#[test]
fn every_bad_model_reports_exactly_its_expected_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-models");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 15,
        "the corpus shrank: {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let expected = expectations(&text);
        assert!(
            !expected.is_empty(),
            "{} has no `# expect:` line",
            path.display()
        );
        let loaded = load_bytes(&bytes);
        let index = LineIndex::new(&loaded.text);
        let actual: Vec<(Severity, usize, usize, String)> = loaded
            .diagnostics
            .iter()
            .map(|d| {
                let (line, column) = d
                    .span
                    .as_ref()
                    .map_or((0, 0), |s| index.line_col(&loaded.text, s.start));
                (d.severity, line, column, d.message.clone())
            })
            .collect();
        let describe = || {
            actual
                .iter()
                .map(|(s, l, c, m)| format!("    {s:?} {l}:{c} {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        for e in &expected {
            let found = actual.iter().any(|(s, l, c, m)| {
                *s == e.severity && *l == e.line && *c == e.column && m.contains(&e.message)
            });
            if !found {
                failures.push(format!(
                    "{}: missing {:?} {}:{} `{}`; got:\n{}",
                    path.display(),
                    e.severity,
                    e.line,
                    e.column,
                    e.message,
                    describe()
                ));
            }
        }
        let expected_errors = expected
            .iter()
            .filter(|e| e.severity == Severity::Error)
            .count();
        let actual_errors = actual.iter().filter(|a| a.0 == Severity::Error).count();
        if expected_errors != actual_errors {
            failures.push(format!(
                "{}: expected {expected_errors} errors, got {actual_errors}:\n{}",
                path.display(),
                describe()
            ));
        }
        if loaded.ecosystem.is_some() != (expected_errors == 0) {
            failures.push(format!(
                "{}: a model must be produced exactly when there is no error",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn single_error(bytes: &[u8]) -> String {
    let loaded = load_bytes(bytes);
    assert!(loaded.ecosystem.is_none());
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(!errors.is_empty());
    errors[0].message.clone()
}

#[test]
fn empty_file_is_reported() {
    assert_eq!(single_error(b""), "model file is empty");
    assert_eq!(single_error(b"  \n\t\n"), "model file is empty");
}

#[test]
fn binary_file_is_reported() {
    let mut bytes = b"[ecosystem]\nname = \"x\"\n".to_vec();
    bytes.extend_from_slice(&[0, 159, 146, 150, 0, 1, 2]);
    assert!(single_error(&bytes).contains("looks binary: NUL byte at byte 23"));
}

#[test]
fn non_utf8_file_is_reported_with_its_place() {
    let bytes = b"[ecosystem]\nname = \"caf\xe9\"\n";
    let loaded = load_bytes(bytes);
    let d = &loaded.diagnostics[0];
    assert!(d.message.contains("not valid UTF-8"), "{}", d.message);
    let index = LineIndex::new(&loaded.text);
    assert_eq!(
        index.line_col(&loaded.text, d.span.clone().unwrap().start),
        (2, 12)
    );
}

#[test]
fn huge_file_is_refused_without_parsing() {
    let bytes = vec![b'#'; holisec_model::load::MAX_MODEL_BYTES + 1];
    assert!(single_error(&bytes).contains("larger than the 16 MiB limit"));
}

#[test]
fn deeply_nested_arrays_are_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let text = format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let message = single_error(text.as_bytes());
    assert!(!message.is_empty());
    let inline = format!("x = {}1{}\n", "{a = ".repeat(5000), "}".repeat(5000));
    assert!(!single_error(inline.as_bytes()).is_empty());
}

#[test]
fn garbage_never_panics() {
    // A few hand-picked nasty inputs; the fuzz target explores further.
    for text in [
        "[[stakeholder]]\n[[stakeholder]]\n",
        "stakeholder = 3\n",
        "stakeholder = [1, 2]\n",
        "ecosystem = \"x\"\n",
        "[ecosystem]\n[ecosystem]\n",
        "[[relation]]\nfrom = \"a\"\nto = \"a\"\n",
        "[x.y.z]\nq = 1979-05-27T07:32:00Z\n",
        "a = \"\\u{0}\"\n",
        "\u{feff}[ecosystem]\n",
    ] {
        let loaded = holisec_model::load_str(text);
        assert!(loaded.has_errors(), "{text:?} was accepted");
    }
}

/// The size message states the file's real size and the limit, never the
/// size of the part a front end read (a 48 MB model said "16.0 MiB").
#[test]
fn the_size_message_states_the_real_size_and_the_limit() {
    use holisec_model::load::{MAX_MODEL_BYTES, too_large};
    let message = too_large(48 * 1024 * 1024).message;
    assert_eq!(
        message,
        "model file is 48.0 MiB (50,331,648 bytes), larger than the 16 MiB limit (16,777,216 bytes)"
    );
    // One byte over the limit does not read as the limit itself.
    let message = too_large(MAX_MODEL_BYTES as u64 + 1).message;
    assert!(
        message.starts_with("model file is over 16.0 MiB (16,777,217 bytes)"),
        "{message}"
    );
    // Bytes cut at the limit + 1 (what the CLI reads) claim no size.
    let message = single_error(&vec![b'#'; MAX_MODEL_BYTES + 1]);
    assert!(!message.contains("16.0 MiB"), "{message}");
    assert!(
        message.contains("larger than the 16 MiB limit"),
        "{message}"
    );
    // All the bytes of a larger file: their size.
    let message = single_error(&vec![b'#'; 20 * 1024 * 1024]);
    assert!(
        message.starts_with("model file is 20.0 MiB (20,971,520 bytes)"),
        "{message}"
    );
}
