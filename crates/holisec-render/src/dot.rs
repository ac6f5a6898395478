//! The ecosystem as a Graphviz `digraph`: one cluster per stakeholder.

use std::fmt::Write;

use holisec_model::{Ecosystem, RelationLevel};

use crate::escape::{dot_html, dot_string};
use crate::svg::{FACTOR_FILL, FACTOR_STROKE, STAKEHOLDER_FILL, STAKEHOLDER_STROKE};

fn st(i: usize) -> String {
    format!("s{i}")
}
fn vu(i: usize) -> String {
    format!("v{i}")
}

/// Renders `eco` as DOT.
pub fn render(eco: &Ecosystem) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph ecosystem {{");
    let _ = writeln!(
        s,
        "  graph [label=\"{}\", labelloc=t, fontsize=20, fontname=\"Helvetica-Bold\", rankdir=LR, compound=true, newrank=true, nodesep=0.25, ranksep=0.9];",
        dot_string(&eco.meta.name)
    );
    let _ = writeln!(
        s,
        "  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\"];"
    );
    let _ = writeln!(s, "  edge [fontname=\"Helvetica\", fontsize=10];");
    for (i, sh) in eco.stakeholders.iter().enumerate() {
        let _ = writeln!(s, "  subgraph cluster_{i} {{");
        let _ = writeln!(s, "    label=\"\"; style=\"rounded\"; color=\"#cfd8c8\";");
        let _ = writeln!(
            s,
            "    {} [label=\"{}\", fillcolor=\"{STAKEHOLDER_FILL}\", color=\"{STAKEHOLDER_STROKE}\", fontname=\"Helvetica-Bold\", fontsize=13];",
            st(i),
            dot_string(&sh.name)
        );
        for (vi, v) in eco.vulnerabilities.iter().enumerate() {
            if v.stakeholder.index() == i {
                let _ = writeln!(
                    s,
                    "    {} [label=<<FONT POINT-SIZE=\"9\" COLOR=\"#9a4d00\">{}</FONT><BR/>{}>, fillcolor=\"{FACTOR_FILL}\", color=\"{FACTOR_STROKE}\"];",
                    vu(vi),
                    v.domain.as_str(),
                    dot_html(&v.name)
                );
                let _ = writeln!(s, "    {} -> {} [style=invis];", st(i), vu(vi));
            }
        }
        let _ = writeln!(s, "  }}");
    }
    for r in &eco.relations {
        let style = match r.level {
            RelationLevel::First => "solid",
            RelationLevel::Second => "dashed",
        };
        let _ = writeln!(
            s,
            "  {} -> {} [style={style}, label=\"{}\", penwidth={:.1}];",
            st(r.from.index()),
            st(r.to.index()),
            dot_string(&r.kind.as_str().replace('-', " ")),
            1.0 + r.strength
        );
    }
    for (ti, t) in eco.threats.iter().enumerate() {
        let _ = writeln!(
            s,
            "  t{ti} [label=<<I>{}</I><BR/><FONT POINT-SIZE=\"9\">{}</FONT>>, shape=plaintext, style=\"\"];",
            dot_html(&t.name),
            t.motivation.as_str()
        );
        for v in &t.exploits {
            let _ = writeln!(
                s,
                "  t{ti} -> {} [color=\"#9e9e9e\", arrowsize=0.6];",
                vu(v.index())
            );
        }
    }
    for (pi, p) in eco.supports.iter().enumerate() {
        let _ = writeln!(
            s,
            "  p{pi} [label=<<B>{}</B><BR/><FONT POINT-SIZE=\"9\">{}</FONT>>, shape=plaintext, style=\"\"];",
            dot_html(&p.name),
            p.kind.as_str()
        );
        for v in &p.mitigates {
            let _ = writeln!(
                s,
                "  p{pi} -> {} [color=\"#9e9e9e\", style=dotted, arrowhead=tee, arrowsize=0.6];",
                vu(v.index())
            );
        }
    }
    let _ = writeln!(s, "  subgraph cluster_legend {{");
    let _ = writeln!(
        s,
        "    label=\"Legend\"; fontname=\"Helvetica-Bold\"; style=\"rounded\"; color=\"#bbbbbb\";"
    );
    let _ = writeln!(
        s,
        "    legend_s [label=\"Stakeholder\", fillcolor=\"{STAKEHOLDER_FILL}\", color=\"{STAKEHOLDER_STROKE}\"];"
    );
    let _ = writeln!(
        s,
        "    legend_v [label=\"Vulnerability factor\", fillcolor=\"{FACTOR_FILL}\", color=\"{FACTOR_STROKE}\"];"
    );
    let _ = writeln!(
        s,
        "    legend_t [label=<<I>Motivation / threat</I>>, shape=plaintext, style=\"\"];"
    );
    let _ = writeln!(
        s,
        "    legend_p [label=<<B>Support</B>>, shape=plaintext, style=\"\"];"
    );
    let _ = writeln!(s, "    legend_s -> legend_v [label=\"first level\"];");
    let _ = writeln!(
        s,
        "    legend_v -> legend_t [style=dashed, label=\"second level\"];"
    );
    let _ = writeln!(s, "    legend_t -> legend_p [style=invis];");
    let _ = writeln!(s, "  }}");
    let _ = writeln!(s, "}}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    fn find_dot() -> Option<std::path::PathBuf> {
        let mut dirs: Vec<std::path::PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        if let Some(v) = std::env::var_os("HOLISEC_VENV") {
            dirs.push(std::path::PathBuf::from(v).join("bin"));
        }
        dirs.into_iter()
            .map(|d| d.join("dot"))
            .find(|p| p.is_file())
    }

    fn graphviz_accepts(text: &str) {
        let Some(dot) = find_dot() else {
            assert!(
                std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() != Ok("1"),
                "Graphviz `dot` not found and HOLISEC_REQUIRE_TOOLS=1"
            );
            eprintln!("skipped: Graphviz `dot` not on PATH");
            return;
        };
        let mut child = Command::new(dot)
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run dot");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "dot failed: {stderr}\n{text}");
        assert!(!stderr.contains("rror"), "dot complained: {stderr}");
        let svg = String::from_utf8(out.stdout).unwrap();
        assert!(svg.contains("<svg"));
    }

    #[test]
    fn nasty_labels_are_escaped() {
        let eco = fixtures::nasty();
        let d = render(&eco);
        assert!(d.starts_with("digraph"));
        assert!(d.contains("style=dashed"));
        assert!(d.contains("<I>Ransom&quot;ware&quot; &lt;script&gt;"));
        assert!(d.contains("Hospital \\\"Sant Pau\\\""));
        graphviz_accepts(&d);
    }

    #[test]
    fn generated_models_are_accepted() {
        graphviz_accepts(&render(&fixtures::generated(12, 3)));
    }

    #[test]
    fn builtin_model_is_accepted() {
        let eco = holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model is valid");
        assert!(!eco.stakeholders.is_empty());
        let d = render(&eco);
        assert_eq!(
            d.matches("subgraph cluster_").count(),
            eco.stakeholders.len() + 1
        );
        for s in &eco.stakeholders {
            assert!(d.contains(&dot_string(&s.name)), "{} missing", s.name);
        }
        graphviz_accepts(&d);
    }
}
