//! Large models: the SVG figure refuses what it cannot lay out quickly and
//! says what to use instead; DOT and Mermaid still come out.

use std::fmt::Write;

/// `n` stakeholders in a chain of relations (the smallest valid model of that size).
fn chain(n: usize) -> holisec_model::Ecosystem {
    let mut t =
        String::from("[ecosystem]\nname = \"Chain\"\nregion = \"Test\"\ncurrency = \"EUR\"\n");
    for i in 0..n {
        let _ = writeln!(
            t,
            "[[stakeholder]]\nid = \"s{i}\"\nname = \"S{i}\"\nkind = \"healthcare-organisation\""
        );
    }
    for i in 1..n {
        let _ = writeln!(
            t,
            "[[relation]]\nfrom = \"s{}\"\nto = \"s{i}\"\nlevel = \"first\"\nkind = \"supplies\"\nstrength = 0.5\nrationale = \"t\"",
            i - 1
        );
    }
    let loaded = holisec_model::load_str(&t);
    loaded.ecosystem.expect("the chain is valid")
}

#[test]
fn too_many_stakeholders_are_refused_pointing_to_dot() {
    let eco = chain(holisec_render::MAX_SVG_STAKEHOLDERS + 1);
    let err = holisec_render::try_svg(&eco).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("at most 5,000 stakeholders")
            && text.contains("this model has 5,001 stakeholders and 5,000 relations")
            && text.contains("--format dot"),
        "{text}"
    );
    // `svg` draws the refusal instead of laying out for minutes: valid XML
    // that says the same.
    let svg = holisec_render::svg(&eco);
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let shown: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .map(|n| n.text().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        shown.contains("Figure not drawn") && shown.contains("--format dot"),
        "{shown}"
    );
    // The text formats have no such limit.
    assert!(holisec_render::dot(&eco).contains("s5000"));
    assert!(holisec_render::mermaid(&eco).contains("s5000"));
}

#[test]
fn the_limit_counts_relations_too_and_small_models_are_drawn() {
    let eco = chain(300);
    assert!(holisec_render::try_svg(&eco).is_ok());
    // 300 stakeholders but as many relations as 25,000,000 / 300 allows, plus one.
    let mut big = eco.clone();
    let extra = holisec_render::MAX_SVG_WORK / 300 + 1 - big.relations.len();
    let template = big.relations[0].clone();
    big.relations.extend(std::iter::repeat_n(template, extra));
    assert!(matches!(
        holisec_render::try_svg(&big),
        Err(holisec_render::RenderError::TooLarge {
            stakeholders: 300,
            ..
        })
    ));
}
