//! The shipped scenarios, compiled into the library.
//!
//! The texts live in `scenarios/*.toml` at the repository root so they can be
//! read, reviewed and copied as normal files; `include_str!` builds them in (and
//! makes Cargo rebuild this crate when one of them changes), so
//! `holisec simulate --scenario europe-phishing-ransomware` works from any
//! directory. Load one with [`crate::scenario::load_scenario`] against the model
//! it names threats and targets of (the built-in one:
//! `holisec_model::builtin::europe`).

/// One built-in scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinScenario {
    /// Name to ask for: the file name under `scenarios/` without `.toml`.
    pub name: &'static str,
    /// One-line description; starts with the file's `[scenario] name`.
    pub summary: &'static str,
    /// The TOML text, verbatim.
    pub toml: &'static str,
}

/// Every built-in scenario, sorted by name.
pub const SCENARIOS: &[BuiltinScenario] = &[
    BuiltinScenario {
        name: "europe-phishing-ransomware",
        summary: "Europe-wide phishing-led ransomware: one phishing wave a month for a year against hospitals and primary care",
        toml: include_str!("../../../scenarios/europe-phishing-ransomware.toml"),
    },
    BuiltinScenario {
        name: "supplier-compromise",
        summary: "Supplier compromise: the three largest solution providers push malicious updates to their clients from day 10 (Kaseya-like)",
        toml: include_str!("../../../scenarios/supplier-compromise.toml"),
    },
    BuiltinScenario {
        name: "worm-killswitch",
        summary: "Worm with kill switch: a WannaCry-like worm enters unpatched exposed segments on day 0 and stops spreading on day 1",
        toml: include_str!("../../../scenarios/worm-killswitch.toml"),
    },
];

/// The built-in scenario called `name`, ignoring ASCII case and accepting a
/// trailing `.toml` (`"Worm-Killswitch.toml"` finds `worm-killswitch`).
pub fn scenario(name: &str) -> Option<&'static BuiltinScenario> {
    let stem = match name.len().checked_sub(".toml".len()) {
        Some(cut) if name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(".toml") => {
            &name[..cut]
        }
        _ => name,
    };
    SCENARIOS.iter().find(|s| s.name.eq_ignore_ascii_case(stem))
}

/// Names of the built-in scenarios, sorted.
pub fn names() -> impl Iterator<Item = &'static str> {
    SCENARIOS.iter().map(|s| s.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_scenario;

    #[test]
    fn every_builtin_scenario_loads_against_the_builtin_model() {
        let eco = holisec_model::builtin::europe().ecosystem.unwrap();
        for s in SCENARIOS {
            let loaded = load_scenario(s.toml, &eco);
            assert!(
                loaded.diagnostics.is_empty(),
                "{}: {:?}",
                s.name,
                loaded.diagnostics
            );
            let sc = loaded.scenario.expect(s.name);
            sc.check_settings().unwrap();
            assert!(!sc.campaigns.is_empty(), "{} has no campaign", s.name);
            // The summary is consistent with the file: it opens with its name.
            assert!(
                s.summary.starts_with(&format!("{}: ", sc.name)),
                "summary of {} does not start with {:?}",
                s.name,
                sc.name
            );
            assert!(sc.description.is_some(), "{} has no description", s.name);
        }
    }

    #[test]
    fn names_are_sorted_unique_and_well_formed() {
        let names: Vec<_> = names().collect();
        assert_eq!(names.len(), SCENARIOS.len());
        assert!(names.len() >= 3);
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        for (n, s) in names.iter().zip(SCENARIOS) {
            assert_eq!(*n, s.name);
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{n}"
            );
            assert!(!s.summary.is_empty() && !s.summary.contains('\n'), "{n}");
            assert!(s.toml.contains("[scenario]"), "{n}");
        }
        assert!(names.contains(&"europe-phishing-ransomware"));
    }

    #[test]
    fn lookup_accepts_toml_suffix_and_any_case() {
        for s in SCENARIOS {
            assert_eq!(scenario(s.name), Some(s));
            assert_eq!(scenario(&format!("{}.toml", s.name)), Some(s));
            assert_eq!(scenario(&s.name.to_ascii_uppercase()), Some(s));
            assert_eq!(
                scenario(&format!("{}.TOML", s.name.to_ascii_uppercase())),
                Some(s)
            );
        }
    }

    #[test]
    fn unknown_names_are_none() {
        for name in [
            "",
            ".toml",
            "nope",
            "worm",
            "worm-killswitch.toml.toml",
            "worm-killswitch.tom",
            "scenarios/worm-killswitch.toml",
            " worm-killswitch",
            "wörm-killswitch",
            "é.toml",
        ] {
            assert_eq!(scenario(name), None, "{name:?}");
        }
    }
}
