//! The bad-scenario corpus: each file in `tests/bad-scenarios/` starts with
//! `# expect: LINE:COL message` lines, one per expected error, all reported at once.

use holisec_model::LineIndex;
use holisec_sim::scenario::{LoadedScenario, load_scenario};

#[test]
fn every_bad_scenario_reports_its_errors_with_positions() {
    let eco = holisec_model::builtin::europe().ecosystem.unwrap();
    let dir = format!("{}/tests/bad-scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let expected: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .map(str::to_owned)
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no expectations",
            path.display()
        );
        let loaded = load_scenario(&text, &eco);
        assert!(loaded.scenario.is_none(), "{} loads", path.display());
        let index = LineIndex::new(&text);
        let got: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| {
                let (l, c) = d
                    .span
                    .as_ref()
                    .map_or((0, 0), |s| index.line_col(&text, s.start));
                format!("{l}:{c} {}", d.message)
            })
            .collect();
        if got != expected {
            failures.push(format!(
                "{}:\n  got      {got:?}\n  expected {expected:?}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_parameter_is_documented() {
    let doc = std::fs::read_to_string(format!(
        "{}/../../docs/simulation.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for spec in holisec_sim::scenario::PARAMETERS
        .iter()
        .chain(holisec_sim::scenario::INTERVENTIONS)
    {
        assert!(
            doc.contains(&format!("| `{}` | {} |", spec.key, fmt(spec.default))),
            "docs/simulation.md lacks `{}` with default {}",
            spec.key,
            spec.default
        );
    }
}

#[test]
fn every_estimate_range_is_documented() {
    let doc = std::fs::read_to_string(format!(
        "{}/../../docs/simulation.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for r in holisec_sim::estimates::ESTIMATE_RANGES {
        let row = format!(
            "| `{}` | {} to {} | {} |",
            r.key,
            fmt(r.low),
            fmt(r.high),
            r.why
        );
        assert!(doc.contains(&row), "docs/simulation.md lacks the row {row}");
    }
}

fn fmt(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// What any load must give: a scenario exactly when there is no error, and
/// diagnostics with a message and a span inside the text (so they can be shown).
fn check_outcome(loaded: &LoadedScenario, text: &str, what: &str) {
    assert_eq!(
        loaded.scenario.is_some(),
        !loaded.has_errors(),
        "{what}: a scenario must come exactly when there is no error: {:?}",
        loaded.diagnostics
    );
    for d in &loaded.diagnostics {
        assert!(!d.message.trim().is_empty(), "{what}: empty message {d:?}");
        if let Some(span) = &d.span {
            assert!(
                span.start <= span.end
                    && span.end <= text.len()
                    && text.is_char_boundary(span.start)
                    && text.is_char_boundary(span.end),
                "{what}: span {span:?} outside the {}-byte text: {d:?}",
                text.len()
            );
        }
    }
}

#[test]
fn truncated_and_mangled_scenarios_never_panic() {
    let eco = holisec_model::builtin::europe().ecosystem.unwrap();
    for name in ["europe-phishing-ransomware.toml", "worm-killswitch.toml"] {
        let text = std::fs::read_to_string(format!(
            "{}/../../scenarios/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let whole = load_scenario(&text, &eco);
        assert!(
            whole.scenario.is_some() && whole.diagnostics.is_empty(),
            "{name}: {:?}",
            whole.diagnostics
        );
        let line_start = |i: usize| i == 0 || text.as_bytes()[i - 1] == b'\n';
        let mut mangled_lines = 0;
        // Every third byte, and every line start.
        for cut in
            (0..text.len()).filter(|&i| text.is_char_boundary(i) && (i % 3 == 0 || line_start(i)))
        {
            let truncated = &text[..cut];
            check_outcome(
                &load_scenario(truncated, &eco),
                truncated,
                &format!("{name} cut at {cut}"),
            );
            let mangled = format!("{}= ]{}", &text[..cut], &text[cut..]);
            let what = format!("{name} with `= ]` at {cut}");
            let loaded = load_scenario(&mangled, &eco);
            check_outcome(&loaded, &mangled, &what);
            // At the start of a line (never inside a string or a comment: the shipped
            // scenarios have no multi-line strings), `= ]` is a syntax error on that line.
            if line_start(cut) {
                mangled_lines += 1;
                let index = LineIndex::new(&mangled);
                let line = index.line_col(&mangled, cut).0;
                assert!(
                    loaded.diagnostics.iter().any(|d| d.is_error()
                        && d.span
                            .as_ref()
                            .is_some_and(|s| index.line_col(&mangled, s.start).0 == line)),
                    "{what}: no error on line {line}: {:?}",
                    loaded.diagnostics
                );
            }
        }
        assert_eq!(mangled_lines, text.lines().count(), "{name}");
    }
}

/// An integer above its range states the range, not only its lower end
/// (`replicates = 1000000000` used to say "expected at least 1 replicate").
#[test]
fn integers_out_of_range_state_the_whole_range() {
    let eco = holisec_model::builtin::europe().ecosystem.unwrap();
    let text = r#"
[scenario]
replicates = 1000000000
[[campaign]]
threat = "ransomware"
target = "healthcare-organisations"
waves = 1000000
suppliers = 0
initial_infections = 20000000
"#;
    let loaded = load_scenario(text, &eco);
    assert!(loaded.scenario.is_none());
    let labels: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.message, d.label.clone().unwrap_or_default()))
        .collect();
    for expected in [
        "`replicates` is 1000000000: expected 1 to 100,000 replicates",
        "`waves` is 1000000: expected 1 to 100,000 waves",
        "`suppliers` is 0: expected 1 to 1,000,000 suppliers",
        "`initial_infections` is 20000000: expected 1 to 10,000,000 segments",
    ] {
        assert!(
            labels.iter().any(|l| l == expected),
            "{expected}: {labels:#?}"
        );
    }
    assert_eq!(holisec_sim::scenario::MAX_REPLICATES, 100_000);
}
