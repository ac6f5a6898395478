//! `build` and `html` on the built-in model, without the CLI: the same
//! inputs give the same bytes, the document requests nothing from outside,
//! and an unknown reader is the user's error.

use holisec_api::NoProgress;
use holisec_report::{ReportError, ReportInputs, ReportOptions, build, html};

fn options(seed: u64) -> ReportOptions {
    ReportOptions {
        iterations: 4_000,
        seed,
        ..ReportOptions::default()
    }
}

#[test]
fn same_inputs_same_bytes_and_nothing_external() {
    let model = holisec_api::model::builtin().value;
    let inputs = ReportInputs {
        model: &model,
        scenario: None,
        evidence: None,
        organisation: None,
    };
    let a = html(&build(&inputs, &options(5), 1, &NoProgress).expect("report"));
    let b = html(&build(&inputs, &options(5), 2, &NoProgress).expect("report"));
    assert_eq!(a, b, "thread count changed the document");
    let c = html(&build(&inputs, &options(6), 2, &NoProgress).expect("report"));
    assert_ne!(a, c, "the seed changes the figures");
    // Sources cite web pages as text; nothing is loaded: no `src`, no
    // stylesheet or script element, `url(...)` only for in-page references.
    for forbidden in [" src=", "<script", "<link", "<img", "<iframe", "@import"] {
        assert!(!a.contains(forbidden), "{forbidden}");
    }
    assert_eq!(a.matches("url(").count(), a.matches("url(#").count());
    // Every inline figure has its own ids and a text alternative.
    assert_eq!(a.matches("<svg class=\"figure\"").count(), 2);
    assert!(a.contains(r#"aria-labelledby="eco-fig-title""#));
    assert!(a.contains(r#"<title id="lec-lec-title">"#));
    assert!(!a.contains("Simulation of an attack wave</h2>"));
}

#[test]
fn an_unknown_reader_is_the_users_error() {
    let model = holisec_api::model::builtin().value;
    let inputs = ReportInputs {
        model: &model,
        scenario: None,
        evidence: None,
        organisation: None,
    };
    let err = build(
        &inputs,
        &ReportOptions {
            reader: Some("nobody".into()),
            ..options(1)
        },
        1,
        &NoProgress,
    )
    .expect_err("unknown reader");
    assert!(err.is_invalid_input());
    assert!(matches!(err, ReportError::Api(_)));
    assert!(
        err.to_string().contains("unknown stakeholder `nobody`"),
        "{err}"
    );
}

/// A single hospital's incident (one intrusion, small scale): the summary
/// counts one hospital in the singular, and a band of one value once
/// ("1 hospital is infected on average (1 in 90% of runs)", where it said
/// "1 hospitals are infected on average (1 to 1 in 90% of runs)").
#[test]
fn one_hospitals_incident_reads_in_the_singular() {
    let model = holisec_api::model::builtin().value;
    let scenario = holisec_api::simulate::load(
        &model.ecosystem,
        holisec_api::Source::new(
            "one-hospital.toml",
            r#"
[scenario]
name = "One hospital"
days = 20
replicates = 4
scale = 0.02
[parameters]
mailbox_abuse = 0.0
dwell_days = 2.0
dwell_slow_share = 0.0
detect_days = 3650.0
encrypt_rate = 1.0
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "hospital-DE-0003"
start_day = 0
"#
            .to_owned(),
        ),
    )
    .expect("scenario")
    .value;
    let inputs = ReportInputs {
        model: &model,
        scenario: Some(&scenario),
        evidence: None,
        organisation: None,
    };
    let report = build(&inputs, &options(1), 1, &NoProgress).expect("report");
    // The hospital the campaign names has its own row: intruded in all
    // four replicates, encrypted (the dwell is two days, the run twenty).
    let page = html(&report);
    let row = page
        .split("<tr><td>hospital-DE-0003</td>")
        .nth(1)
        .expect("the named hospital's row");
    assert!(
        row.starts_with(r#"<td class="n">4</td><td class="n">4</td>"#),
        "{row}"
    );
    assert!(page.contains("Organisations the scenario names"));
    let section = report.simulation.as_ref().expect("a simulation");
    assert_eq!(section.named.len(), 1);
    assert_eq!(section.named[0].encrypted, 4);
    let headline = report.summary.simulation.clone().expect("a simulation");
    assert!(
        headline.starts_with(
            "One hospital: over 20 days, 1 hospital is infected on average (1 in 90% of runs),"
        ),
        "{headline}"
    );
    assert!(headline.contains("would be infected"), "{headline}");
    assert!(!headline.contains("1 hospitals"), "{headline}");
}
