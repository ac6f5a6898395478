//! Snapshot of the epidemic band chart on a fixed, hand-made data set.
//!
//! `HOLISEC_BLESS=1 cargo test -p holisec-render --test band_chart` rewrites the file;
//! review `tests/snapshots/band_chart.svg` in a browser before committing it.

use holisec_render::{BandChart, BandSeries, render_band_chart};

const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/snapshots/band_chart.svg"
);

fn chart() -> BandChart {
    // Logistic-growth-then-recovery curves: deterministic, no RNG.
    let days = 120;
    let curve = |peak: f64, at: f64, width: f64| -> Vec<f64> {
        (0..days)
            .map(|d| {
                let x = (d as f64 - at) / width;
                (peak * (-x * x).exp()).round()
            })
            .collect()
    };
    let make = |label: &str, peak: f64, at: f64, spread: f64| {
        let mean = curve(peak, at, 14.0);
        BandSeries {
            label: label.to_string(),
            low: mean.iter().map(|m| (m * (1.0 - spread)).floor()).collect(),
            high: mean.iter().map(|m| (m * (1.0 + spread)).ceil()).collect(),
            mean,
        }
    };
    BandChart {
        title: "Hospitals infected: phishing-led ransomware wave".into(),
        x_label: "Day of simulation (days)".into(),
        y_label: "Hospitals infected (count)".into(),
        series: vec![
            make("Baseline", 1350.0, 35.0, 0.25),
            make("Training (OR 0.5)", 900.0, 40.0, 0.3),
            make("Training + MFA + sharing", 260.0, 30.0, 0.45),
        ],
    }
}

#[test]
fn band_chart_matches_snapshot() {
    let svg = render_band_chart(&chart());
    if std::env::var("HOLISEC_BLESS").as_deref() == Ok("1") {
        std::fs::write(SNAPSHOT, &svg).expect("write tests/snapshots/band_chart.svg");
        return;
    }
    let stored = std::fs::read_to_string(SNAPSHOT)
        .expect("tests/snapshots/band_chart.svg missing: run with HOLISEC_BLESS=1 to create it");
    assert!(
        stored == svg,
        "tests/snapshots/band_chart.svg is out of date: rerun with HOLISEC_BLESS=1 and review the figure"
    );
}
