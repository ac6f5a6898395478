//! Parameter sweeps: reading a sweep file, its design, one point's run, and
//! sensitivity indices. The Python package (`holisec.sweep`) drives these on
//! one machine or a Dask cluster and stores the results as Parquet.

use holisec_model::Ecosystem;
use holisec_sim::Scenario;
use holisec_sim::summary::Stats;
use holisec_sweep::analysis::{self, MorrisIndex, SobolIndex};
use holisec_sweep::design::{self as sweep_design, Design};
use holisec_sweep::{DesignKind, Sweep};
use serde::Serialize;

use crate::source::checked;
use crate::{ApiError, Checked, Progress, Rejected, Source};

/// Largest sweep file read.
pub const MAX_SWEEP_BYTES: usize = 1024 * 1024;

/// Reads and checks a sweep file: every problem with its line and column.
pub fn load(source: Source) -> Result<Checked<Sweep>, Rejected> {
    if source.text.len() > MAX_SWEEP_BYTES {
        let n = source.text.len();
        return checked(
            None,
            source,
            "sweep file",
            vec![
                holisec_model::Diagnostic::error(format!("the file is {n} bytes"), None)
                    .with_label(format!("a sweep file of at most {MAX_SWEEP_BYTES} bytes")),
            ],
        );
    }
    let (value, diagnostics) = match holisec_sweep::load_sweep(&source.text) {
        Ok(s) => (Some(s), Vec::new()),
        Err(d) => (None, d),
    };
    checked(value, source, "sweep file", diagnostics)
}

/// The sweep's points, each with its seed.
pub fn design(sweep: &Sweep) -> Design {
    sweep_design::design(sweep)
}

/// The outputs of one run of a point: one row per replicate and one summary
/// per output, both in the order of [`Sweep::outputs`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointRun {
    /// The point's index.
    pub index: u64,
    /// Its seed.
    pub seed: u64,
    /// Outputs per replicate.
    pub rows: Vec<Vec<f64>>,
    /// Each output over the replicates ([`Stats::of`]): its mean, p5, p50
    /// and p95 are those `holisec simulate` reports for the same scenario,
    /// parameter values and seed.
    pub summary: Vec<Stats>,
}

/// Runs point `index` of `design`: the scenario with the point's parameter
/// values, seed and the sweep's replicates, scale and days.
pub fn run_point(
    eco: &Ecosystem,
    scenario: &Scenario,
    sweep: &Sweep,
    design: &Design,
    index: u64,
    threads: usize,
    progress: &dyn Progress,
) -> Result<PointRun, ApiError> {
    let point = design.points.get(index as usize).ok_or_else(|| {
        ApiError::option(
            "point",
            index,
            format!("0 to {}", design.points.len().saturating_sub(1)),
        )
    })?;
    let mut sc = scenario.clone();
    let values: Vec<(String, f64)> = design
        .factors
        .iter()
        .zip(&point.values)
        .map(|(f, v)| (f.parameter.clone(), *v))
        .collect();
    crate::simulate::set_parameters(&mut sc, &values)?;
    crate::simulate::apply(
        &mut sc,
        &crate::simulate::Overrides {
            replicates: Some(u32::try_from(sweep.replicates).unwrap_or(u32::MAX)),
            seed: Some(point.seed),
            days: sweep.days.map(|d| d as u32),
            scale: sweep.scale,
            fixed_network: None,
        },
    )?;
    let report = crate::simulate::run(eco, &sc, threads, progress)?;
    let columns: Vec<usize> = sweep
        .outputs
        .iter()
        .map(|o| {
            holisec_sweep::file::OUTPUTS
                .iter()
                .position(|name| name == o)
                .ok_or_else(|| ApiError::Failed(format!("the simulator has no outcome `{o}`")))
        })
        .collect::<Result<_, _>>()?;
    let rows: Vec<Vec<f64>> = report
        .per_replicate
        .iter()
        .map(|m| {
            let values = m.values();
            columns.iter().map(|&c| values[c]).collect()
        })
        .collect();
    let summary = (0..columns.len())
        .map(|j| Stats::of(&rows.iter().map(|r| r[j]).collect::<Vec<_>>()))
        .collect();
    Ok(PointRun {
        index,
        seed: point.seed,
        rows,
        summary,
    })
}

/// Sensitivity indices of one output from its mean per point.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Indices {
    /// Morris elementary effects.
    Morris {
        /// The output.
        output: String,
        /// One per factor, largest `mu_star` first.
        indices: Vec<MorrisIndex>,
    },
    /// Sobol first and total indices.
    Sobol {
        /// The output.
        output: String,
        /// One per factor, largest total first.
        indices: Vec<SobolIndex>,
    },
}

/// Sensitivity indices of `output` (`y`: one mean per point) for the sweep's
/// design: Morris for a Morris design, Sobol for a Sobol design.
pub fn analyze(
    sweep: &Sweep,
    design: &Design,
    output: &str,
    y: &[f64],
) -> Result<Indices, ApiError> {
    let invalid = |e: analysis::AnalysisError| ApiError::Invalid(e.to_string());
    match sweep.design {
        DesignKind::Morris => {
            let mut indices = analysis::morris(design, y, sweep.seed).map_err(invalid)?;
            indices.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star));
            Ok(Indices::Morris {
                output: output.to_owned(),
                indices,
            })
        }
        DesignKind::Sobol => {
            let mut indices = analysis::sobol(design, y, sweep.seed).map_err(invalid)?;
            indices.sort_by(|a, b| b.total.total_cmp(&a.total));
            Ok(Indices::Sobol {
                output: output.to_owned(),
                indices,
            })
        }
        DesignKind::Grid | DesignKind::Lhs => Err(ApiError::Invalid(
            "sensitivity indices need a `morris` or `sobol` design; a grid or Latin hypercube sweep is read as a table".to_owned(),
        )),
    }
}

/// A tornado chart of the indices (SVG, self-contained): one bar per factor,
/// largest first, with its 95% interval as a whisker. Morris bars are `mu*`
/// (output units over the factor's range), Sobol bars the total index.
pub fn tornado_svg(indices: &Indices) -> String {
    use holisec_model::escape::xml;
    let (title, rows): (String, Vec<(String, f64, [f64; 2])>) = match indices {
        Indices::Morris { output, indices } => (
            format!(
                "Morris screening of {output}: mean absolute effect over each range (mu*), 95% interval"
            ),
            indices
                .iter()
                .map(|i| (i.parameter.clone(), i.mu_star, i.mu_star_ci))
                .collect(),
        ),
        Indices::Sobol { output, indices } => (
            format!("Sobol total-order indices of {output}, 95% interval"),
            indices
                .iter()
                .map(|i| (i.parameter.clone(), i.total, i.total_ci))
                .collect(),
        ),
    };
    let (label_w, bar_w, row_h, top) = (230.0, 420.0, 18.0, 40.0);
    let max = rows
        .iter()
        .map(|r| r.2[1].max(r.1))
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let height = top + row_h * rows.len() as f64 + 30.0;
    let width = label_w + bar_w + 90.0;
    let x = |v: f64| label_w + bar_w * (v.max(0.0) / max);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n<title>{}</title>\n<text x=\"10\" y=\"20\" font-weight=\"bold\">{}</text>\n",
        xml(&title),
        xml(&title)
    );
    for (i, (name, value, ci)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n<rect x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#4a7ab5\"><title>{}: {value:.4} [{:.4}, {:.4}]</title></rect>\n<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#222\"/>\n<text x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
            label_w - 6.0,
            y + 12.0,
            xml(name),
            y + 3.0,
            x(*value) - label_w,
            row_h - 6.0,
            xml(name),
            ci[0],
            ci[1],
            x(ci[0]),
            x(ci[1]),
            y + row_h / 2.0,
            y + row_h / 2.0,
            x(ci[1].max(*value)) + 4.0,
            y + 12.0,
            significant(*value)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// Three significant figures, thousands separated above 1,000.
fn significant(v: f64) -> String {
    if v.abs() >= 1000.0 {
        holisec_model::number::thousands(v.round())
    } else if v == 0.0 {
        "0".to_owned()
    } else {
        let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.digits$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use crate::simulate::{self, Overrides};

    const SWEEP: &str = "[sweep]\nname = \"t\"\nscenario = \"worm-killswitch\"\ndesign = \"grid\"\n\
        levels = 2\nreplicates = 5\nseed = 9\nscale = 0.005\ndays = 20\n\
        outputs = [\"orgs_disrupted\", \"hospitals_infected\", \"time_to_containment_days\"]\n\
        [[vary]]\nparameter = \"exposed_share\"\nrange = [0.05, 0.25]\n";

    #[test]
    fn a_points_summary_is_its_replicates_and_simulates_summary() {
        let eco = crate::model::builtin().value.ecosystem;
        let sweep = holisec_sweep::load_sweep(SWEEP).expect("valid sweep");
        let design = design(&sweep);
        let scenario = simulate::load(&eco, simulate::builtin_source("worm-killswitch").unwrap())
            .unwrap()
            .value;
        let index = 1;
        let run = run_point(&eco, &scenario, &sweep, &design, index, 1, &NoProgress).unwrap();
        assert_eq!(run.rows.len(), 5);
        assert_eq!(run.summary.len(), sweep.outputs.len());
        for (j, stats) in run.summary.iter().enumerate() {
            let column: Vec<f64> = run.rows.iter().map(|r| r[j]).collect();
            // Bit for bit (a NaN sd equals itself).
            let bits = |s: &Stats| s.values().map(f64::to_bits);
            assert_eq!(bits(stats), bits(&Stats::of(&column)));
        }

        // `holisec simulate` of the same scenario, parameter values and seed.
        let point = &design.points[index as usize];
        let mut sc = scenario.clone();
        simulate::set_parameters(&mut sc, &[("exposed_share".to_owned(), point.values[0])])
            .unwrap();
        simulate::apply(
            &mut sc,
            &Overrides {
                replicates: Some(5),
                seed: Some(point.seed),
                days: Some(20),
                scale: Some(0.005),
                fixed_network: None,
            },
        )
        .unwrap();
        let report = simulate::run(&eco, &sc, 1, &NoProgress).unwrap();
        let json = serde_json::to_value(&report.summary).unwrap();
        for (name, stats) in sweep.outputs.iter().zip(&run.summary) {
            for (key, value) in [("mean", stats.mean), ("p5", stats.p5), ("p95", stats.p95)] {
                assert_eq!(json[name][key].as_f64(), Some(value), "{name} {key}");
            }
        }
    }
}
