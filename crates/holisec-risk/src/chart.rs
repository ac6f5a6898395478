//! Loss exceedance curves as an SVG chart and as CSV.
//!
//! The chart plots P(annual loss > x) against x with both axes logarithmic
//! (a loss axis in decades of the currency; a probability axis from 100% down
//! to the rarest probability the run can resolve), with return-period guides
//! ("1 in 10 years", "1 in 100 years"), the baseline and each intervention in a
//! colour-blind-safe palette (Okabe-Ito) with distinct dash patterns, a legend
//! with each curve's ALE, labelled axes, a title and the run parameters.

use std::fmt::Write;

use holisec_model::escape::xml;

use crate::report::RiskReport;
use crate::sketch::LecPoint;

/// One curve.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    /// Legend label.
    pub label: String,
    /// Points, loss ascending.
    pub points: &'a [LecPoint],
    /// ALE shown in the legend.
    pub ale: f64,
}

const PALETTE: [&str; 7] = [
    "#1b2a41", "#e69f00", "#0072b2", "#009e73", "#cc79a7", "#d55e00", "#56b4e9",
];
const DASHES: [&str; 7] = ["", "8 4", "2 3", "10 3 2 3", "6 2", "1 2", "12 4"];

/// A money amount in short form: `€1.2M`, `€350k`, `USD 12k`.
pub fn money(currency: &str, x: f64) -> String {
    let symbol = match currency {
        "EUR" => "€".to_string(),
        "USD" => "$".to_string(),
        "GBP" => "£".to_string(),
        other => format!("{other} "),
    };
    let (v, unit) = if x.abs() >= 1e9 {
        (x / 1e9, "bn")
    } else if x.abs() >= 1e6 {
        (x / 1e6, "M")
    } else if x.abs() >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let digits = if v.abs() >= 100.0 || v == v.trunc() {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{v:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{symbol}{text}{unit}")
}

fn percent(p: f64) -> String {
    if p >= 0.01 {
        format!("{:.0}%", p * 100.0)
    } else {
        let s = format!("{:.4}", p * 100.0);
        format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// Draws loss exceedance curves (see the module docs).
pub fn lec_svg(
    title: &str,
    subtitle: &str,
    currency: &str,
    min_probability: f64,
    series: &[Series],
) -> String {
    let (w, h) = (960.0, 600.0);
    let (left, right, top, bottom) = (96.0, 36.0, 84.0, 78.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let positive: Vec<&LecPoint> = series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| p.probability > 0.0 && p.loss > 0.0)
        .collect();
    let y_lo = min_probability.clamp(1e-4, 0.1).log10().floor();
    let y_hi = 0.0f64;
    let (mut x_lo, mut x_hi) = (3.0f64, 7.0f64);
    if !positive.is_empty() {
        // From one decade below where the first curve leaves its plateau to the
        // largest loss still above the chart's smallest probability.
        let mut knee = f64::INFINITY;
        for ser in series {
            let p_max = ser.points.iter().map(|p| p.probability).fold(0.0, f64::max);
            if let Some(p) = ser
                .points
                .iter()
                .find(|p| p.loss > 0.0 && p.probability < 0.95 * p_max)
            {
                knee = knee.min(p.loss.log10());
            }
        }
        let smallest = positive
            .iter()
            .map(|p| p.loss.log10())
            .fold(f64::INFINITY, f64::min);
        x_lo = if knee.is_finite() {
            (knee.floor() - 1.0).max(smallest.floor())
        } else {
            smallest.floor()
        };
        x_hi = positive
            .iter()
            .filter(|p| p.probability.log10() >= y_lo)
            .map(|p| p.loss.log10())
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil();
        if !x_hi.is_finite() || x_hi <= x_lo {
            x_hi = x_lo + 1.0;
        }
    }
    let sx = |loss: f64| left + (loss.log10().max(x_lo) - x_lo) / (x_hi - x_lo) * pw;
    let sy = |p: f64| top + (y_hi - p.max(10f64.powf(y_lo)).log10()) / (y_hi - y_lo) * ph;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif" role="img" aria-labelledby="lec-title">"#
    );
    let _ = writeln!(s, r#"<title id="lec-title">{}</title>"#, xml(title));
    let _ = writeln!(s, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="34" font-size="20" font-weight="bold" fill="#1b2a41">{}</text>"##,
        xml(title)
    );
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="58" font-size="13" fill="#5b6474">{}</text>"##,
        xml(subtitle)
    );
    let _ = writeln!(
        s,
        r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fbfcfd" stroke="#c9ced6"/>"##
    );
    // Grid and ticks: x decades with minor 2 and 5.
    let mut d = x_lo as i32;
    while d as f64 <= x_hi {
        let base = 10f64.powi(d);
        let x = sx(base);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#dfe3e8"/>"##,
            top + ph
        );
        let _ = writeln!(
            s,
            r##"<text x="{x:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#374151">{}</text>"##,
            top + ph + 18.0,
            xml(&money(currency, base))
        );
        for m in [2.0, 5.0] {
            let v = base * m;
            if v.log10() < x_hi {
                let x = sx(v);
                let _ = writeln!(
                    s,
                    r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#eef0f3"/>"##,
                    top + ph
                );
            }
        }
        d += 1;
    }
    let mut e = y_lo as i32;
    while e <= 0 {
        let p = 10f64.powi(e);
        let y = sy(p);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#dfe3e8"/>"##,
            left + pw
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#374151">{}</text>"##,
            left - 8.0,
            y + 4.0,
            percent(p)
        );
        e += 1;
    }
    // Return-period guides.
    for (p, label) in [
        (0.1f64, "1 in 10 years"),
        (0.01, "1 in 100 years"),
        (0.005, "1 in 200 years"),
    ] {
        if p.log10() < y_lo {
            continue;
        }
        let y = sy(p);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#9aa3af" stroke-dasharray="3 4"/>"##,
            left + pw
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#6b7280">{label}</text>"##,
            left + 6.0,
            y - 4.0
        );
    }
    // Curves.
    for (i, ser) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let dash = DASHES[i % DASHES.len()];
        let pts: Vec<String> = ser
            .points
            .iter()
            .filter(|p| p.probability > 0.0 && p.loss > 0.0 && p.probability.log10() >= y_lo)
            .map(|p| format!("{:.1},{:.1}", sx(p.loss), sy(p.probability)))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let width = if i == 0 { 3.0 } else { 2.2 };
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="{width}" stroke-linejoin="round"{dash_attr} points="{}"/>"#,
            pts.join(" ")
        );
    }
    // Legend, bottom left (below the curves' plateau, left of their tails).
    let labels: Vec<String> = series
        .iter()
        .map(|ser| {
            let mut label = ser.label.clone();
            if label.chars().count() > 44 {
                label = label.chars().take(43).collect::<String>() + "…";
            }
            label
        })
        .collect();
    let longest = series
        .iter()
        .zip(&labels)
        .map(|(ser, l)| l.chars().count() + money(currency, ser.ale).chars().count() + 7)
        .max()
        .unwrap_or(20);
    let row = 20.0;
    let legend_w = 62.0 + longest as f64 * 6.6;
    let legend_h = series.len() as f64 * row + 12.0;
    let lx = left + 12.0;
    let ly = top + ph - legend_h - 12.0;
    let _ = writeln!(
        s,
        r##"<rect x="{lx:.1}" y="{ly:.1}" width="{legend_w:.1}" height="{legend_h:.1}" fill="#ffffff" fill-opacity="0.94" stroke="#c9ced6" rx="4"/>"##
    );
    for (i, (ser, label)) in series.iter().zip(&labels).enumerate() {
        let y = ly + 16.0 + i as f64 * row;
        let colour = PALETTE[i % PALETTE.len()];
        let dash = DASHES[i % DASHES.len()];
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = writeln!(
            s,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="{}"{dash_attr}/>"#,
            lx + 10.0,
            lx + 42.0,
            if i == 0 { 3.0 } else { 2.2 }
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#1f2937">{} <tspan fill="#6b7280">(ALE {})</tspan></text>"##,
            lx + 50.0,
            y + 4.0,
            xml(label),
            xml(&money(currency, ser.ale))
        );
    }
    // Axis titles.
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle" fill="#1b2a41">Annual loss ({}, log scale)</text>"##,
        left + pw / 2.0,
        h - 24.0,
        xml(currency)
    );
    let _ = writeln!(
        s,
        r##"<text transform="translate(24 {:.1}) rotate(-90)" font-size="14" text-anchor="middle" fill="#1b2a41">Probability the annual loss is exceeded (log scale)</text>"##,
        top + ph / 2.0
    );
    s.push_str("</svg>\n");
    s
}

/// The report's chart: the total annual loss of the baseline and of `interventions`.
pub fn report_svg(
    report: &RiskReport,
    interventions: &[&crate::report::InterventionResult],
) -> String {
    let mut series = vec![Series {
        label: "Baseline (no additional support)".into(),
        points: &report.total.lec,
        ale: report.total.ale,
    }];
    for iv in interventions {
        series.push(Series {
            label: format!("With {}", iv.id),
            points: &iv.total.lec,
            ale: iv.total.ale,
        });
    }
    let scope = match &report.stakeholder {
        Some(h) => format!("one organisation of `{h}`"),
        None => "one organisation of each targeted stakeholder".to_string(),
    };
    lec_svg(
        &format!("Loss exceedance curve: {}", report.model),
        &format!(
            "{} scenarios, {}; {} simulated years, seed {}",
            report.scenarios_simulated,
            scope,
            holisec_model::number::thousands(report.engine.iterations as f64),
            report.engine.seed
        ),
        &report.currency,
        1.0 / report.engine.iterations as f64,
        &series,
    )
}

/// Every loss exceedance curve of the report as CSV: `series,loss,exceedance_probability`,
/// written with the `csv` crate (series names quoted when they hold a comma, a quote
/// or a line break; numbers in `Display` form).
pub fn lec_csv(report: &RiskReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["series", "loss", "exceedance_probability"])
        .expect("CSV into memory");
    let mut add = |name: &str, pts: &[LecPoint]| {
        for p in pts {
            w.write_record([name, &p.loss.to_string(), &p.probability.to_string()])
                .expect("CSV into memory");
        }
    };
    add("total", &report.total.lec);
    for i in &report.interventions {
        add(&format!("intervention:{}", i.id), &i.total.lec);
    }
    for s in &report.by_stakeholder {
        add(&format!("stakeholder:{}", s.id), &s.lec);
    }
    for s in &report.by_domain {
        add(&format!("domain:{}", s.id), &s.lec);
    }
    for s in &report.by_motivation {
        add(&format!("motivation:{}", s.id), &s.lec);
    }
    for s in &report.scenarios {
        add(&format!("scenario:{}", s.summary.id), &s.summary.lec);
    }
    if let Some(p) = &report.portfolio {
        add("portfolio:independent", &p.independent.lec);
        add("portfolio:shared-suppliers", &p.shared_suppliers.lec);
    }
    let bytes = w.into_inner().expect("CSV into memory");
    String::from_utf8(bytes).expect("CSV of UTF-8 fields")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_short_and_readable() {
        assert_eq!(money("EUR", 1_000_000.0), "€1M");
        assert_eq!(money("EUR", 1_250_000.0), "€1.25M");
        assert_eq!(money("EUR", 10_000.0), "€10k");
        assert_eq!(money("CHF", 500.0), "CHF 500");
    }

    #[test]
    fn svg_is_well_formed_and_escaped() {
        let pts = [
            LecPoint {
                loss: 1e4,
                probability: 0.5,
            },
            LecPoint {
                loss: 1e6,
                probability: 0.01,
            },
        ];
        let svg = lec_svg(
            "A <b> & c",
            "sub",
            "EUR",
            1e-4,
            &[Series {
                label: "x\"y".into(),
                points: &pts,
                ale: 5.0,
            }],
        );
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("A &lt;b&gt; &amp; c") && svg.contains("x&quot;y"));
        assert!(svg.contains("Annual loss (EUR, log scale)") && svg.contains("1 in 100 years"));
        assert_eq!(svg.matches("<polyline").count(), 1);
    }

    #[test]
    fn lec_csv_reads_back_to_every_curve() {
        use crate::engine::{self, RiskModel, RunOptions};
        use crate::sampling::SamplerMode;
        use crate::scenario::Selection;
        let eco = holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model is valid");
        let m = RiskModel::new(&eco, &Selection::default(), SamplerMode::Table).unwrap();
        let options = RunOptions {
            iterations: 2_000,
            seed: 7,
        };
        let run = engine::run(&m, &[], &options, &|_| {}).unwrap();
        let mut report = crate::report::build(&m, &run, &[], None);
        // A name that needs quoting survives the round trip.
        report.by_stakeholder[0].id = "a, \"b\"".into();
        let text = lec_csv(&report);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.headers().unwrap(),
            vec!["series", "loss", "exceedance_probability"]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let curves = 1
            + report.by_stakeholder.len()
            + report.by_domain.len()
            + report.by_motivation.len()
            + report.scenarios.len();
        let points: usize = report.total.lec.len()
            + report
                .by_stakeholder
                .iter()
                .map(|s| s.lec.len())
                .sum::<usize>()
            + report.by_domain.iter().map(|s| s.lec.len()).sum::<usize>()
            + report
                .by_motivation
                .iter()
                .map(|s| s.lec.len())
                .sum::<usize>()
            + report
                .scenarios
                .iter()
                .map(|s| s.summary.lec.len())
                .sum::<usize>();
        assert!(points > curves, "{points} points for {curves} curves");
        assert_eq!(rows.len(), points);
        assert_eq!(&rows[0][0], "total");
        let first = &report.total.lec[0];
        assert_eq!(rows[0][1].parse::<f64>().unwrap(), first.loss);
        assert_eq!(rows[0][2].parse::<f64>().unwrap(), first.probability);
        let quoted = format!("stakeholder:{}", report.by_stakeholder[0].id);
        assert_eq!(
            rows.iter().filter(|r| r[0] == quoted).count(),
            report.by_stakeholder[0].lec.len()
        );
        assert!(text.contains("\n\"stakeholder:a, \"\"b\"\"\","));
    }
}
