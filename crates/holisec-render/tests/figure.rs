//! Snapshot of the README figure: the built-in model rendered as SVG.
//!
//! `HOLISEC_BLESS=1 cargo test -p holisec-render --test figure` rewrites the file.

const FIGURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ecosystem.svg");

#[test]
fn builtin_figure_matches_docs_snapshot() {
    let eco = holisec_model::builtin::europe()
        .ecosystem
        .expect("the built-in model is valid");
    let svg = holisec_render::svg(&eco);
    if std::env::var("HOLISEC_BLESS").as_deref() == Ok("1") {
        std::fs::write(FIGURE, &svg).expect("write docs/ecosystem.svg");
        return;
    }
    let stored = std::fs::read_to_string(FIGURE)
        .expect("docs/ecosystem.svg missing: run with HOLISEC_BLESS=1 to create it");
    assert!(
        stored == svg,
        "docs/ecosystem.svg is out of date: rerun with HOLISEC_BLESS=1 and review the figure"
    );
}
