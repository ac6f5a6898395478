//! Epidemic curves as an SVG band chart.
//!
//! A [`BandChart`] holds daily time series (x = day index `0..len`); each
//! [`BandSeries`] is drawn as a mean line over a translucent band (typically the
//! 5–95% range over replicates). The chart is meant to be readable on a slide:
//! a bold title, a subtitle explaining line and band, axis ticks in 1-2-5 steps,
//! labelled axes, a legend to the right of the plot area (never over the data)
//! and the colour-blind-safe Okabe–Ito palette with distinct dash patterns.
//!
//! Rendering never panics: empty series, NaN and infinite values (left as gaps),
//! constant or one-day series and `mean`/`low`/`high` of different lengths are
//! all accepted. The output is a standalone, deterministic SVG document.

use std::fmt::Write;

/// A chart of daily time series, each with an uncertainty band.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BandChart {
    /// Title shown above the plot.
    pub title: String,
    /// Label of the horizontal (day) axis, with its unit.
    pub x_label: String,
    /// Label of the vertical axis, with its unit.
    pub y_label: String,
    /// The curves, drawn in order (later ones on top).
    pub series: Vec<BandSeries>,
}

/// One curve: a mean line and a band from `low` to `high`, indexed by day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BandSeries {
    /// Legend label.
    pub label: String,
    /// Central value per day (drawn as a line).
    pub mean: Vec<f64>,
    /// Lower edge of the band per day (e.g. the 5th percentile).
    pub low: Vec<f64>,
    /// Upper edge of the band per day (e.g. the 95th percentile).
    pub high: Vec<f64>,
}

/// Okabe–Ito colours, ordered so the first curves have the strongest contrast on
/// white (the yellow comes last).
const PALETTE: [&str; 8] = [
    "#0072b2", "#d55e00", "#009e73", "#e69f00", "#cc79a7", "#56b4e9", "#000000", "#f0e442",
];
/// Dash patterns, cycled with a different period so colour and dash together stay distinct.
const DASHES: [&str; 5] = ["", "8 4", "2 3", "10 3 2 3", "6 2"];

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 600.0;
const LEFT: f64 = 96.0;
const RIGHT: f64 = 236.0;
const TOP: f64 = 84.0;
const BOTTOM: f64 = 78.0;
/// Largest magnitude plotted; larger finite values are clamped so spans stay finite.
const MAX_ABS: f64 = 1e300;
/// Legend labels longer than this are shortened with an ellipsis (full text in a tooltip).
const LEGEND_CHARS: usize = 28;

/// Text safe for XML content and attributes.
fn text(s: &str) -> String {
    crate::escape::xml(s)
}

fn value(v: Option<&f64>) -> Option<f64> {
    v.copied()
        .filter(|x| x.is_finite())
        .map(|x| x.clamp(-MAX_ABS, MAX_ABS))
}

/// A "nice" step (1, 2 or 5 times a power of ten) close to `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let exp = raw.log10().floor();
    let base = 10f64.powf(exp);
    let frac = raw / base;
    // Nearest of 1, 2, 5, 10 on a log scale.
    let m = if frac < 1.5 {
        1.0
    } else if frac < 3.0 {
        2.0
    } else if frac < 7.0 {
        5.0
    } else {
        10.0
    };
    m * base
}

/// Axis ticks: a 1-2-5 step giving about `target` intervals, and an axis range
/// `[lo', hi']` rounded outwards to multiples of the step. Returns (step, ticks).
///
/// `lo < hi` and both finite are expected; other input gives the ticks of `[0, 1]`.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize, min_step: f64) -> (f64, Vec<f64>) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && lo < hi {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let step = nice_step((hi - lo) / target.max(1) as f64).max(min_step);
    let first = (lo / step).floor();
    let last = (hi / step).ceil();
    let count = ((last - first) as usize).clamp(1, 100);
    let ticks = (0..=count).map(|i| (first + i as f64) * step).collect();
    (step, ticks)
}

/// A tick label: thousands as `k`, millions as `M`, with only the decimals the step needs.
fn tick_label(v: f64, step: f64, max_abs: f64) -> String {
    if max_abs >= 1e15 || (max_abs > 0.0 && max_abs < 1e-3) {
        let s = format!("{v:.2e}");
        return s;
    }
    let (unit, suffix) = if max_abs >= 1e9 {
        (1e9, "bn")
    } else if max_abs >= 1e6 {
        (1e6, "M")
    } else if max_abs >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let scaled_step = step / unit;
    let decimals = if scaled_step >= 1.0 {
        0
    } else {
        ((-scaled_step.log10()).ceil() as usize).min(6)
    };
    let x = v / unit;
    let x = if x == 0.0 { 0.0 } else { x }; // no "-0"
    let mut s = format!("{x:.decimals$}");
    if decimals == 0 && unit == 1.0 && x.abs() >= 1000.0 {
        s = holisec_model::number::thousands(x); // 2500 -> 2,500
    }
    format!("{s}{suffix}")
}

/// Splits index positions with a value into runs of consecutive days.
fn runs(points: &[(usize, f64, f64)]) -> Vec<&[(usize, f64, f64)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=points.len() {
        if i == points.len() || points[i].0 != points[i - 1].0 + 1 {
            if start < i {
                out.push(&points[start..i]);
            }
            start = i;
        }
    }
    out
}

/// Draws the chart (see the module docs) as a standalone SVG document.
pub fn render_band_chart(chart: &BandChart) -> String {
    let (pw, ph) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let days = chart
        .series
        .iter()
        .map(|s| s.mean.len().max(s.low.len()).max(s.high.len()))
        .max()
        .unwrap_or(0);

    // Vertical range: always includes zero (counts are anchored at 0).
    let (mut y_min, mut y_max) = (0.0f64, 0.0f64);
    for s in &chart.series {
        for v in s.mean.iter().chain(&s.low).chain(&s.high) {
            if let Some(v) = value(Some(v)) {
                y_min = y_min.min(v);
                y_max = y_max.max(v);
            }
        }
    }
    if y_max - y_min < 1e-9 {
        y_max = y_min + 1.0;
    }
    let (y_step, y_ticks) = nice_ticks(y_min, y_max, 5, 0.0);
    let y_lo = y_ticks[0];
    let y_hi = y_ticks[y_ticks.len() - 1];
    let x_hi_data = days.saturating_sub(1).max(1) as f64;
    // The day axis ends with the data (no empty margin after the last day).
    let (x_step, mut x_ticks) = nice_ticks(0.0, x_hi_data, 8, 1.0);
    x_ticks.retain(|&t| t <= x_hi_data);
    let x_hi = x_hi_data;

    let sx = |d: f64| LEFT + d / x_hi * pw;
    let sy = |v: f64| TOP + (y_hi - v) / (y_hi - y_lo) * ph;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Helvetica, Arial, sans-serif" role="img" aria-labelledby="band-title">"#
    );
    let _ = writeln!(
        s,
        r#"<title id="band-title">{}</title>"#,
        text(&chart.title)
    );
    let _ = writeln!(
        s,
        r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
    );
    let (title_size, title_text) = fit_title(&chart.title, WIDTH - LEFT - 16.0);
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="34" font-size="{title_size}" font-weight="bold" fill="#1b2a41">{}</text>"##,
        text(&title_text)
    );
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="58" font-size="13" fill="#5b6474">Lines: mean over replicates. Shaded: 5–95% of replicates.</text>"##
    );
    let _ = writeln!(
        s,
        r##"<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="#fbfcfd" stroke="#c9ced6"/>"##
    );

    // Grid, ticks and tick labels.
    let max_abs = y_lo.abs().max(y_hi.abs());
    let _ = writeln!(s, r#"<g class="y-ticks">"#);
    for &t in &y_ticks {
        let y = sy(t);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#dfe3e8"/>"##,
            LEFT + pw
        );
        let _ = writeln!(
            s,
            r##"<text class="tick" x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#374151">{}</text>"##,
            LEFT - 8.0,
            y + 4.0,
            text(&tick_label(t, y_step, max_abs))
        );
    }
    let _ = writeln!(s, "</g>");
    let _ = writeln!(s, r#"<g class="x-ticks">"#);
    for &t in &x_ticks {
        let x = sx(t);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#dfe3e8"/>"##,
            TOP + ph
        );
        let _ = writeln!(
            s,
            r##"<text class="tick" x="{x:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#374151">{}</text>"##,
            TOP + ph + 18.0,
            text(&tick_label(t, x_step, x_hi))
        );
    }
    let _ = writeln!(s, "</g>");
    if y_lo < 0.0 {
        let y = sy(0.0);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#6b7280"/>"##,
            LEFT + pw
        );
    }

    // Axis labels.
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle" fill="#1b2a41">{}</text>"##,
        LEFT + pw / 2.0,
        HEIGHT - 28.0,
        text(&chart.x_label)
    );
    let (yx, yy) = (28.0, TOP + ph / 2.0);
    let _ = writeln!(
        s,
        r##"<text x="{yx}" y="{yy:.1}" font-size="14" text-anchor="middle" fill="#1b2a41" transform="rotate(-90 {yx} {yy:.1})">{}</text>"##,
        text(&chart.y_label)
    );

    // Bands first (all of them), then lines, so no band hides another series' line.
    let mut bands = String::new();
    let mut lines = String::new();
    for (k, ser) in chart.series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let dash = DASHES[k % DASHES.len()];
        let n = ser.low.len().min(ser.high.len());
        let band_pts: Vec<(usize, f64, f64)> = (0..n)
            .filter_map(|i| Some((i, value(ser.low.get(i))?, value(ser.high.get(i))?)))
            .collect();
        let mut d = String::new();
        for run in runs(&band_pts) {
            if run.len() == 1 {
                let (i, lo, hi) = run[0];
                let x = sx(i as f64);
                let _ = write!(
                    d,
                    "M{:.1},{:.1}H{:.1}V{:.1}H{:.1}Z",
                    x - 3.0,
                    sy(lo),
                    x + 3.0,
                    sy(hi),
                    x - 3.0
                );
                continue;
            }
            for (j, &(i, lo, _)) in run.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{:.1},{:.1}",
                    if j == 0 { 'M' } else { 'L' },
                    sx(i as f64),
                    sy(lo)
                );
            }
            for &(i, _, hi) in run.iter().rev() {
                let _ = write!(d, "L{:.1},{:.1}", sx(i as f64), sy(hi));
            }
            d.push('Z');
        }
        let _ = writeln!(
            bands,
            r#"<path class="band" data-series="{k}" d="{d}" fill="{colour}" fill-opacity="0.18" stroke="none"/>"#
        );

        let mean_pts: Vec<(usize, f64, f64)> = (0..ser.mean.len())
            .filter_map(|i| value(ser.mean.get(i)).map(|v| (i, v, v)))
            .collect();
        let mut d = String::new();
        for run in runs(&mean_pts) {
            for (j, &(i, v, _)) in run.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{:.1},{:.1}",
                    if j == 0 { 'M' } else { 'L' },
                    sx(i as f64),
                    sy(v)
                );
            }
            if run.len() == 1 {
                // A lone day: a zero-length segment, drawn as a dot by the round cap.
                d.push_str("h0");
            }
        }
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = writeln!(
            lines,
            r#"<path class="mean" data-series="{k}" d="{d}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"{dash_attr}/>"#
        );
    }
    let _ = writeln!(
        s,
        r#"<g class="data" clip-path="url(#band-plot)"><clipPath id="band-plot"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/></clipPath>"#,
        LEFT - 4.0,
        TOP - 4.0,
        pw + 8.0,
        ph + 8.0
    );
    s.push_str(&bands);
    s.push_str(&lines);
    let _ = writeln!(s, "</g>");

    // Legend, to the right of the plot area.
    let lx = LEFT + pw + 20.0;
    let _ = writeln!(s, r#"<g class="legend">"#);
    for (k, ser) in chart.series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let dash = DASHES[k % DASHES.len()];
        let y = TOP + 12.0 + 26.0 * k as f64;
        let _ = writeln!(
            s,
            r#"<rect x="{lx:.1}" y="{:.1}" width="30" height="14" fill="{colour}" fill-opacity="0.18"/>"#,
            y - 7.0
        );
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = writeln!(
            s,
            r#"<line x1="{lx:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="2.5"{dash_attr}/>"#,
            lx + 30.0
        );
        let chars: Vec<char> = ser.label.chars().collect();
        let shown: String = if chars.len() > LEGEND_CHARS {
            chars[..LEGEND_CHARS - 1].iter().collect::<String>() + "…"
        } else {
            ser.label.clone()
        };
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="13" fill="#1b2a41"><title>{}</title>{}</text>"##,
            lx + 38.0,
            y + 4.5,
            text(&ser.label),
            text(&shown)
        );
    }
    let _ = writeln!(s, "</g>");
    if chart.series.is_empty() || days == 0 {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="16" text-anchor="middle" fill="#5b6474">No data</text>"##,
            LEFT + pw / 2.0,
            TOP + ph / 2.0
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The title's font size and text so that it fits in `width` px: the size
/// shrinks from 20 to 14 px, then the text is cut at a word with an ellipsis
/// (the whole title stays in the SVG's `<title>`).
fn fit_title(title: &str, width: f64) -> (f64, String) {
    use crate::layout::{Style, text_width};
    for size in [20.0, 18.0, 16.0, 14.0] {
        if text_width(title, size, Style::Bold) <= width {
            return (size, title.to_owned());
        }
    }
    let size = 14.0;
    let mut cut = String::new();
    for word in title.split_whitespace() {
        let candidate = if cut.is_empty() {
            word.to_owned()
        } else {
            format!("{cut} {word}")
        };
        if text_width(&format!("{candidate} …"), size, Style::Bold) > width {
            break;
        }
        cut = candidate;
    }
    if cut.is_empty() {
        // One very long word: cut by characters.
        let max = ((width / (size * 0.63)).floor() as usize).saturating_sub(2);
        cut = title.chars().take(max).collect();
    }
    (size, format!("{cut} …"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn epidemic() -> BandChart {
        let days = 90;
        let curve = |peak: f64, at: f64, width: f64| -> Vec<f64> {
            (0..days)
                .map(|d| peak * (-((d as f64 - at) / width).powi(2)).exp())
                .collect()
        };
        let series = [
            ("Baseline", 420.0, 30.0),
            ("Training + MFA", 250.0, 38.0),
            ("Information sharing", 120.0, 25.0),
        ]
        .iter()
        .map(|&(label, peak, at)| {
            let mean = curve(peak, at, 12.0);
            BandSeries {
                label: label.to_string(),
                low: mean.iter().map(|m| 0.7 * m).collect(),
                high: mean.iter().map(|m| 1.3 * m + 2.0).collect(),
                mean,
            }
        })
        .collect();
        BandChart {
            title: "Hospitals infected <ransomware & worm>".into(),
            x_label: "Day since first campaign (days)".into(),
            y_label: "Hospitals infected (count)".into(),
            series,
        }
    }

    #[test]
    fn long_titles_shrink_then_cut_and_stay_whole_in_the_title_element() {
        use crate::layout::{Style, text_width};
        let width = WIDTH - LEFT - 16.0;
        // Fits at 20 px: unchanged.
        assert_eq!(fit_title("Worm", width), (20.0, "Worm".to_owned()));
        // Too long for 20 px, fits smaller.
        let medium = "Europe-wide phishing-led ransomware: mean and 5-95% band over 8 replicates";
        let (size, shown) = fit_title(medium, width);
        assert!((14.0..20.0).contains(&size), "{size}");
        assert_eq!(shown, medium);
        assert!(text_width(&shown, size, Style::Bold) <= width);
        // Far too long: cut at a word with an ellipsis, within the width.
        let long = "word ".repeat(60);
        let (size, shown) = fit_title(long.trim(), width);
        assert_eq!(size, 14.0);
        assert!(shown.ends_with(" …") && shown.starts_with("word word"));
        assert!(text_width(&shown, size, Style::Bold) <= width, "{shown}");
        // One endless word: cut by characters.
        let (_, shown) = fit_title(&"x".repeat(500), width);
        assert!(text_width(&shown, 14.0, Style::Bold) <= width, "{shown}");

        let mut chart = epidemic();
        chart.title = long.trim().to_owned();
        let svg = render_band_chart(&chart);
        let doc = parse(&svg);
        let title = doc
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .unwrap();
        assert_eq!(title, long.trim());
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).expect("well-formed XML")
    }

    fn paths<'a>(doc: &'a roxmltree::Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
        doc.descendants()
            .filter(|n| n.has_tag_name("path") && n.attribute("class") == Some(class))
            .collect()
    }

    /// No attribute (coordinates, path data, sizes) holds a NaN or infinity.
    fn no_non_finite(svg: &str) {
        let doc = parse(svg);
        for n in doc.descendants() {
            for a in n.attributes() {
                let v = a.value();
                assert!(!v.contains("NaN") && !v.contains("inf"), "{}={v}", a.name());
            }
        }
    }

    #[test]
    fn one_line_and_one_band_per_series_in_well_formed_xml() {
        let chart = epidemic();
        let svg = render_band_chart(&chart);
        let doc = parse(&svg);
        assert_eq!(paths(&doc, "mean").len(), 3);
        assert_eq!(paths(&doc, "band").len(), 3);
        for p in paths(&doc, "mean").iter().chain(&paths(&doc, "band")) {
            assert!(p.attribute("d").unwrap().starts_with('M'));
        }
        // Escaped title; labels present.
        assert!(svg.contains("Hospitals infected &lt;ransomware &amp; worm&gt;"));
        assert!(svg.contains("Training + MFA"));
        assert!(svg.contains("Hospitals infected (count)"));
        no_non_finite(&svg);
        // Distinct colours for the three series.
        let colours: std::collections::BTreeSet<_> = paths(&doc, "mean")
            .iter()
            .map(|p| p.attribute("stroke").unwrap().to_string())
            .collect();
        assert_eq!(colours.len(), 3);
    }

    #[test]
    fn mean_line_maps_values_to_the_y_axis() {
        // One series 0..=100 over 11 days: y ticks 0,20,..,100 so the first point
        // is at the bottom of the plot and the last at the top.
        let mean: Vec<f64> = (0..=10).map(|d| d as f64 * 10.0).collect();
        let chart = BandChart {
            series: vec![BandSeries {
                label: "x".into(),
                low: mean.clone(),
                high: mean.clone(),
                mean,
            }],
            ..Default::default()
        };
        let svg = render_band_chart(&chart);
        let doc = parse(&svg);
        let d = paths(&doc, "mean")[0].attribute("d").unwrap().to_string();
        let first = format!("M{LEFT:.1},{:.1}", TOP + (HEIGHT - TOP - BOTTOM));
        let last = format!("L{:.1},{TOP:.1}", WIDTH - RIGHT);
        assert!(d.starts_with(&first), "{d}");
        assert!(d.ends_with(&last), "{d}");
    }

    #[test]
    fn ticks_are_monotone_1_2_5_and_cover_the_range() {
        for &(lo, hi) in &[
            (0.0, 1.0),
            (0.0, 7.3),
            (0.0, 420.0),
            (-3.0, 12.5),
            (0.0, 15_000.0),
            (0.0, 1e-6),
            (0.0, 1e300),
            (0.0, 89.0),
        ] {
            let (step, ticks) = nice_ticks(lo, hi, 5, 0.0);
            assert!(ticks.windows(2).all(|w| w[0] < w[1]), "{ticks:?}");
            assert!(
                ticks[0] <= lo && *ticks.last().unwrap() >= hi,
                "{lo} {hi} {ticks:?}"
            );
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0, 10.0]
                    .iter()
                    .any(|m| (mantissa - m).abs() < 1e-9),
                "step {step}"
            );
            assert!((2..=12).contains(&(ticks.len() - 1)), "{lo} {hi} {ticks:?}");
        }
        // Integer day steps.
        let (step, ticks) = nice_ticks(0.0, 1.0, 8, 1.0);
        assert_eq!(step, 1.0);
        assert_eq!(ticks, vec![0.0, 1.0]);
        assert_eq!(nice_ticks(0.0, 89.0, 8, 1.0).0, 10.0);
    }

    #[test]
    fn rendered_ticks_increase_along_both_axes() {
        let svg = render_band_chart(&epidemic());
        let doc = parse(&svg);
        let coords = |group: &str, attr: &str| -> Vec<f64> {
            doc.descendants()
                .find(|n| n.attribute("class") == Some(group))
                .unwrap()
                .children()
                .filter(|n| n.has_tag_name("text"))
                .map(|n| n.attribute(attr).unwrap().parse::<f64>().unwrap())
                .collect()
        };
        let xs = coords("x-ticks", "x");
        let ys = coords("y-ticks", "y");
        assert!(
            xs.len() >= 3 && xs.windows(2).all(|w| w[0] < w[1]),
            "{xs:?}"
        );
        // SVG y grows downwards: ascending values have decreasing y.
        assert!(
            ys.len() >= 3 && ys.windows(2).all(|w| w[0] > w[1]),
            "{ys:?}"
        );
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(2500.0, 500.0, 3000.0), "2,500");
        assert_eq!(tick_label(20_000.0, 5000.0, 20_000.0), "20k");
        assert_eq!(tick_label(0.25, 0.05, 1.0), "0.25");
        assert_eq!(tick_label(2.0e6, 5e5, 2e6), "2.0M");
        assert_eq!(tick_label(-0.0, 1.0, 1.0), "0");
    }

    #[test]
    fn degenerate_inputs_render_without_nan() {
        let cases = vec![
            BandChart::default(),
            BandChart {
                series: vec![BandSeries::default()],
                ..Default::default()
            },
            // Constant zero.
            BandChart {
                series: vec![BandSeries {
                    label: "zero".into(),
                    mean: vec![0.0; 30],
                    low: vec![0.0; 30],
                    high: vec![0.0; 30],
                }],
                ..Default::default()
            },
            // One day.
            BandChart {
                series: vec![BandSeries {
                    label: "one".into(),
                    mean: vec![3.0],
                    low: vec![1.0],
                    high: vec![5.0],
                }],
                ..Default::default()
            },
            // Mismatched lengths and non-finite values.
            BandChart {
                series: vec![BandSeries {
                    label: "ragged".into(),
                    mean: vec![1.0, f64::NAN, 3.0, 4.0, f64::INFINITY],
                    low: vec![0.5],
                    high: vec![f64::NEG_INFINITY, 2.0, 3.0, 9.0, 10.0, 11.0, 12.0],
                }],
                ..Default::default()
            },
            // Extreme finite values.
            BandChart {
                series: vec![BandSeries {
                    label: "huge".into(),
                    mean: vec![f64::MAX, -f64::MAX, f64::MIN_POSITIVE],
                    low: vec![-f64::MAX; 3],
                    high: vec![f64::MAX; 3],
                }],
                ..Default::default()
            },
        ];
        for chart in cases {
            let svg = render_band_chart(&chart);
            let doc = parse(&svg);
            assert_eq!(paths(&doc, "mean").len(), chart.series.len());
            assert_eq!(paths(&doc, "band").len(), chart.series.len());
            no_non_finite(&svg);
        }
        // A one-day mean is drawn as a dot, not an empty path.
        let svg = render_band_chart(&BandChart {
            series: vec![BandSeries {
                label: "one".into(),
                mean: vec![3.0],
                low: vec![1.0],
                high: vec![5.0],
            }],
            ..Default::default()
        });
        assert!(svg.contains("h0\""));
    }

    fn any_value() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => -1e6f64..1e6,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
            1 => Just(0.0),
            1 => any::<f64>(),
        ]
    }

    fn any_series() -> impl Strategy<Value = BandSeries> {
        (
            any::<String>(),
            prop::collection::vec(any_value(), 0..40),
            prop::collection::vec(any_value(), 0..40),
            prop::collection::vec(any_value(), 0..40),
        )
            .prop_map(|(label, mean, low, high)| BandSeries {
                label,
                mean,
                low,
                high,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn arbitrary_input_gives_parseable_svg(
            title in any::<String>(),
            x_label in any::<String>(),
            series in prop::collection::vec(any_series(), 0..10),
        ) {
            let chart = BandChart { title, x_label, y_label: "y".into(), series };
            let svg = render_band_chart(&chart);
            let doc = roxmltree::Document::parse(&svg);
            prop_assert!(doc.is_ok(), "{:?}", doc.err());
            let doc = doc.unwrap();
            prop_assert_eq!(paths(&doc, "mean").len(), chart.series.len());
            prop_assert_eq!(paths(&doc, "band").len(), chart.series.len());
            // Numbers in attributes are always finite.
            for n in doc.descendants() {
                for a in n.attributes() {
                    if matches!(a.name(), "x" | "y" | "x1" | "x2" | "y1" | "y2" | "d") {
                        prop_assert!(!a.value().contains("NaN") && !a.value().contains("inf"));
                    }
                }
            }
        }
    }
}
