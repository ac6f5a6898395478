//! The ecosystem as a Mermaid `flowchart LR`: one subgraph per stakeholder.

use std::fmt::Write;

use holisec_model::{Ecosystem, RelationLevel};

use crate::escape::mermaid as esc;
use crate::svg::{FACTOR_FILL, FACTOR_STROKE, STAKEHOLDER_FILL, STAKEHOLDER_STROKE};

/// Renders `eco` as Mermaid.
pub fn render(eco: &Ecosystem) -> String {
    let mut s = String::from("flowchart LR\n");
    let _ = writeln!(
        s,
        "  classDef stakeholder fill:{STAKEHOLDER_FILL},stroke:{STAKEHOLDER_STROKE},stroke-width:2px,color:#000,font-weight:bold"
    );
    let _ = writeln!(
        s,
        "  classDef factor fill:{FACTOR_FILL},stroke:{FACTOR_STROKE},color:#000"
    );
    let _ = writeln!(
        s,
        "  classDef threat fill:#ffffff,stroke:#ffffff,color:#000,font-style:italic"
    );
    let _ = writeln!(
        s,
        "  classDef support fill:#ffffff,stroke:#ffffff,color:#000,font-weight:bold"
    );
    for (i, sh) in eco.stakeholders.iter().enumerate() {
        let _ = writeln!(s, "  subgraph g{i}[\"{}\"]", esc(&sh.name));
        let _ = writeln!(s, "    s{i}[\"{}\"]:::stakeholder", esc(&sh.name));
        for (vi, v) in eco.vulnerabilities.iter().enumerate() {
            if v.stakeholder.index() == i {
                let _ = writeln!(
                    s,
                    "    v{vi}[\"{} ({})\"]:::factor",
                    esc(&v.name),
                    v.domain.as_str()
                );
            }
        }
        let _ = writeln!(s, "  end");
    }
    for r in &eco.relations {
        let arrow = match r.level {
            RelationLevel::First => "-->",
            RelationLevel::Second => "-.->",
        };
        let _ = writeln!(
            s,
            "  s{} {arrow}|\"{}\"| s{}",
            r.from.index(),
            esc(&r.kind.as_str().replace('-', " ")),
            r.to.index()
        );
    }
    for (ti, t) in eco.threats.iter().enumerate() {
        let _ = writeln!(
            s,
            "  t{ti}[\"{} ({})\"]:::threat",
            esc(&t.name),
            t.motivation.as_str()
        );
        for v in &t.exploits {
            let _ = writeln!(s, "  t{ti} -.- v{}", v.index());
        }
    }
    for (pi, p) in eco.supports.iter().enumerate() {
        let _ = writeln!(
            s,
            "  p{pi}[\"{} ({})\"]:::support",
            esc(&p.name),
            p.kind.as_str()
        );
        for v in &p.mitigates {
            let _ = writeln!(s, "  p{pi} -.- v{}", v.index());
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    /// A strict check of the subset of the flowchart grammar we emit.
    fn check_grammar(text: &str, eco: &Ecosystem) {
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("flowchart LR"));
        let mut depth = 0;
        let mut edges = 0;
        for line in lines {
            let l = line.trim();
            // Labels never contain a raw quote, newline or markup character.
            let quoted: Vec<&str> = l.split('"').collect();
            assert!(quoted.len() == 1 || quoted.len() == 3, "quotes in {l}");
            if quoted.len() == 3 {
                // Remove the entity codes and line breaks we emit; nothing special may remain.
                let mut inner = quoted[1].replace("<br>", " ");
                while let Some(start) = inner.find('#') {
                    let end = inner[start..].find(';').expect("entity closed") + start;
                    let code = &inner[start + 1..end];
                    assert!(
                        code == "quot" || code.parse::<u32>().is_ok(),
                        "bad entity {code}"
                    );
                    inner.replace_range(start..=end, "_");
                }
                assert!(
                    !inner.contains(['<', '>', '[', ']', '|', '{', '}', ';', '&', '`']),
                    "{inner}"
                );
            }
            let id_ok = |id: &str| {
                !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            if l.starts_with("classDef ") {
                continue;
            } else if let Some(rest) = l.strip_prefix("subgraph ") {
                depth += 1;
                assert!(id_ok(rest.split('[').next().unwrap()), "{l}");
            } else if l == "end" {
                depth -= 1;
            } else if l.contains("-->") || l.contains("-.->") || l.contains(" -.- ") {
                edges += 1;
                let parts: Vec<&str> = l.split_whitespace().collect();
                assert!(id_ok(parts[0]) && id_ok(parts[parts.len() - 1]), "{l}");
            } else {
                let (id, rest) = l.split_once('[').expect(l);
                assert!(id_ok(id), "{l}");
                assert!(
                    rest.ends_with("\"]:::stakeholder")
                        || rest.ends_with("\"]:::factor")
                        || rest.ends_with("\"]:::threat")
                        || rest.ends_with("\"]:::support"),
                    "{l}"
                );
            }
            assert!(depth == 0 || depth == 1, "{l}");
        }
        assert_eq!(depth, 0);
        let links: usize = eco.relations.len()
            + eco.threats.iter().map(|t| t.exploits.len()).sum::<usize>()
            + eco
                .supports
                .iter()
                .map(|p| p.mitigates.len())
                .sum::<usize>();
        assert_eq!(edges, links);
    }

    #[test]
    fn nasty_labels_follow_the_grammar() {
        let eco = fixtures::nasty();
        let m = render(&eco);
        check_grammar(&m, &eco);
        assert!(m.contains("#quot;Sant Pau#quot;"));
        assert!(m.contains("-.->|"));
        assert!(m.contains("-->|"));
    }

    #[test]
    fn builtin_and_generated_follow_the_grammar() {
        for n in [2, 5, 17] {
            let eco = fixtures::generated(n, n as u64);
            check_grammar(&render(&eco), &eco);
        }
        let eco = holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model is valid");
        assert!(!eco.relations.is_empty());
        let m = render(&eco);
        check_grammar(&m, &eco);
        for s in &eco.stakeholders {
            assert!(m.contains(&esc(&s.name)), "{} missing", s.name);
        }
    }
}
