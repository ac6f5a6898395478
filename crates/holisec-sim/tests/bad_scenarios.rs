//! The bad-scenario corpus: each file in `tests/bad-scenarios/` starts with
//! `# expect: LINE:COL message` lines, one per expected error, all reported at once.

use holisec_model::LineIndex;
use holisec_sim::scenario::load_scenario;

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

fn fmt(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') { s } else { format!("{s}.0") }
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
        for cut in (0..text.len())
            .filter(|i| text.is_char_boundary(*i))
            .step_by(3)
        {
            let _ = load_scenario(&text[..cut], &eco);
            let mangled = format!("{}= ]{}", &text[..cut], &text[cut..]);
            let _ = load_scenario(&mangled, &eco);
        }
    }
}
