//! Sensitivity indices from a design's outputs, with bootstrap intervals.
//!
//! * Morris: the elementary effect of each step of a trajectory on the unit
//!   scale, `(y(x + delta e_i) - y(x)) / delta`; per factor `mu*` (mean absolute
//!   effect: how much the output moves over the factor's range), `mu` and
//!   `sigma` (interaction or non-linearity), after Campolongo et al. (2007).
//! * Sobol: Saltelli et al. (2010)'s estimator of the first-order index and
//!   Jansen's of the total index, from the A, B, AB_i blocks.
//!
//! Intervals are the 2.5 and 97.5 percentiles over bootstrap resamples of
//! trajectories (Morris) or samples (Sobol), drawn from a given seed.

use holisec_sim::rng::{SimRng, stream};
use rand::RngExt;
use serde::Serialize;

use crate::design::Design;

/// Bootstrap resamples for the intervals.
pub const BOOTSTRAP: usize = 1000;
const TAG_BOOTSTRAP: u64 = 0x424f_4f54; // "BOOT"

/// Morris indices of one factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MorrisIndex {
    /// The parameter.
    pub parameter: String,
    /// Mean absolute elementary effect (output units per full range).
    pub mu_star: f64,
    /// 95% bootstrap interval of `mu_star`.
    pub mu_star_ci: [f64; 2],
    /// Mean elementary effect (its sign says the direction).
    pub mu: f64,
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
}

/// Sobol indices of one factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SobolIndex {
    /// The parameter.
    pub parameter: String,
    /// First-order index: the share of the output's variance the factor explains alone.
    pub first: f64,
    /// 95% bootstrap interval.
    pub first_ci: [f64; 2],
    /// Total index: its share with all its interactions.
    pub total: f64,
    /// 95% bootstrap interval.
    pub total_ci: [f64; 2],
}

/// Why indices cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// The design is not of the kind the analysis reads.
    #[error("a {0} analysis needs a {0} design")]
    WrongDesign(&'static str),
    /// Outputs missing or extra.
    #[error("{got} outputs for a design of {points} points")]
    Length {
        /// Outputs given.
        got: usize,
        /// Points of the design.
        points: usize,
    },
    /// An output is NaN or infinite.
    #[error("output of point {0} is not a finite number")]
    NotFinite(usize),
}

fn check(design: &Design, y: &[f64]) -> Result<(), AnalysisError> {
    if y.len() != design.points.len() {
        return Err(AnalysisError::Length {
            got: y.len(),
            points: design.points.len(),
        });
    }
    match y.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(AnalysisError::NotFinite(i)),
        None => Ok(()),
    }
}

fn interval(mut samples: Vec<f64>) -> [f64; 2] {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    [at(0.025), at(0.975)]
}

/// Morris indices of every factor; `y` holds one output per point.
pub fn morris(design: &Design, y: &[f64], seed: u64) -> Result<Vec<MorrisIndex>, AnalysisError> {
    if design.morris_order.is_empty() {
        return Err(AnalysisError::WrongDesign("morris"));
    }
    check(design, y)?;
    let k = design.factors.len();
    let r = design.morris_order.len();
    // effects[t][f]: the effect of factor f in trajectory t.
    let mut effects = vec![vec![0.0; k]; r];
    for (t, order) in design.morris_order.iter().enumerate() {
        for (step, &f) in order.iter().enumerate() {
            let at = t * (k + 1) + step;
            effects[t][f] = (y[at + 1] - y[at]) / design.morris_delta;
        }
    }
    let mut rng: SimRng = stream(seed, TAG_BOOTSTRAP, 0);
    let resamples: Vec<Vec<usize>> = (0..BOOTSTRAP)
        .map(|_| (0..r).map(|_| rng.random_range(0..r)).collect())
        .collect();
    let mean_abs = |f: usize, rows: &mut dyn Iterator<Item = usize>| {
        let (mut s, mut n) = (0.0, 0usize);
        for t in rows {
            s += effects[t][f].abs();
            n += 1;
        }
        s / n as f64
    };
    Ok(design
        .factors
        .iter()
        .enumerate()
        .map(|(f, factor)| {
            let e: Vec<f64> = effects.iter().map(|row| row[f]).collect();
            let mu = e.iter().sum::<f64>() / r as f64;
            let var = e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (r.max(2) - 1) as f64;
            let boot = resamples
                .iter()
                .map(|rows| mean_abs(f, &mut rows.iter().copied()))
                .collect();
            MorrisIndex {
                parameter: factor.parameter.clone(),
                mu_star: mean_abs(f, &mut (0..r)),
                mu_star_ci: interval(boot),
                mu,
                sigma: var.sqrt(),
            }
        })
        .collect())
}

/// Sobol first and total indices of every factor; `y` holds one output per point.
pub fn sobol(design: &Design, y: &[f64], seed: u64) -> Result<Vec<SobolIndex>, AnalysisError> {
    if design.sobol_samples == 0 {
        return Err(AnalysisError::WrongDesign("sobol"));
    }
    check(design, y)?;
    let k = design.factors.len();
    let n = design.sobol_samples as usize;
    let block = |s: usize| &y[s * (k + 2)..(s + 1) * (k + 2)];
    // Indices of factor i over the samples `rows`.
    let indices = |i: usize, rows: &[usize]| -> (f64, f64) {
        let m = rows.len() as f64;
        let mean = rows.iter().map(|&s| block(s)[0] + block(s)[1]).sum::<f64>() / (2.0 * m);
        let var = rows
            .iter()
            .map(|&s| (block(s)[0] - mean).powi(2) + (block(s)[1] - mean).powi(2))
            .sum::<f64>()
            / (2.0 * m - 1.0);
        if var <= 0.0 {
            return (0.0, 0.0);
        }
        let (mut first, mut total) = (0.0, 0.0);
        for &s in rows {
            let (a, b, ab) = (block(s)[0], block(s)[1], block(s)[2 + i]);
            first += b * (ab - a);
            total += (a - ab).powi(2);
        }
        (first / m / var, total / (2.0 * m) / var)
    };
    let all: Vec<usize> = (0..n).collect();
    let mut rng: SimRng = stream(seed, TAG_BOOTSTRAP, 1);
    let resamples: Vec<Vec<usize>> = (0..BOOTSTRAP)
        .map(|_| (0..n).map(|_| rng.random_range(0..n)).collect())
        .collect();
    Ok(design
        .factors
        .iter()
        .enumerate()
        .map(|(i, factor)| {
            let (first, total) = indices(i, &all);
            let boot: Vec<(f64, f64)> = resamples.iter().map(|rows| indices(i, rows)).collect();
            SobolIndex {
                parameter: factor.parameter.clone(),
                first,
                first_ci: interval(boot.iter().map(|b| b.0).collect()),
                total,
                total_ci: interval(boot.iter().map(|b| b.1).collect()),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::design;
    use crate::file::{DesignKind, Factor, Sweep};

    fn sweep(kind: DesignKind, k: usize, points: u64, trajectories: u64) -> Sweep {
        Sweep {
            name: "t".into(),
            scenario: "s".into(),
            model: None,
            design: kind,
            points,
            trajectories,
            levels: 4,
            replicates: 1,
            seed: 11,
            scale: None,
            days: None,
            factors: (0..k)
                .map(|i| Factor {
                    parameter: format!("x{}", i + 1),
                    low: -std::f64::consts::PI,
                    high: std::f64::consts::PI,
                })
                .collect(),
            outputs: vec!["hospitals_infected".into()],
        }
    }

    #[test]
    fn morris_of_a_linear_function_is_its_coefficients() {
        // y = sum a_i u_i on the unit scale: every elementary effect of i is a_i.
        let a = [3.0, -1.5, 0.0, 0.25];
        let s = sweep(DesignKind::Morris, 4, 0, 12);
        let d = design(&s);
        let y: Vec<f64> = d
            .points
            .iter()
            .map(|p| {
                p.values
                    .iter()
                    .zip(a)
                    .map(|(v, a)| a * (v + std::f64::consts::PI) / (2.0 * std::f64::consts::PI))
                    .sum()
            })
            .collect();
        let m = morris(&d, &y, 1).unwrap();
        for (idx, a) in m.iter().zip(a) {
            assert!((idx.mu_star - a.abs()).abs() < 1e-9, "{idx:?}");
            assert!((idx.mu - a).abs() < 1e-9, "{idx:?}");
            assert!(idx.sigma < 1e-9);
            assert!((idx.mu_star_ci[0] - a.abs()).abs() < 1e-9);
        }
    }

    #[test]
    fn sobol_indices_of_the_ishigami_function() {
        // Ishigami (a = 7, b = 0.1) on [-pi, pi]^3: closed-form indices
        // S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
        let s = sweep(DesignKind::Sobol, 3, 20_000, 0);
        let d = design(&s);
        let y: Vec<f64> = d
            .points
            .iter()
            .map(|p| {
                let x = &p.values;
                x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
            })
            .collect();
        let idx = sobol(&d, &y, 5).unwrap();
        let first = [0.3139, 0.4424, 0.0];
        let total = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!((idx[i].first - first[i]).abs() < 0.03, "{:?}", idx[i]);
            assert!((idx[i].total - total[i]).abs() < 0.03, "{:?}", idx[i]);
            assert!(idx[i].first_ci[0] <= idx[i].first && idx[i].first <= idx[i].first_ci[1]);
            assert!(idx[i].total_ci[0] <= idx[i].total && idx[i].total <= idx[i].total_ci[1]);
        }
    }

    #[test]
    fn wrong_inputs_are_errors_not_panics() {
        let d = design(&sweep(DesignKind::Lhs, 2, 10, 0));
        assert_eq!(
            morris(&d, &[0.0; 10], 1),
            Err(AnalysisError::WrongDesign("morris"))
        );
        let d = design(&sweep(DesignKind::Sobol, 2, 10, 0));
        assert_eq!(
            sobol(&d, &[0.0; 3], 1),
            Err(AnalysisError::Length { got: 3, points: 40 })
        );
        let mut y = vec![1.0; 40];
        y[7] = f64::NAN;
        assert_eq!(sobol(&d, &y, 1), Err(AnalysisError::NotFinite(7)));
        // A constant output has no variance to share: all indices 0.
        let flat = sobol(&d, &[2.0; 40], 1).unwrap();
        assert!(flat.iter().all(|i| i.first == 0.0 && i.total == 0.0));
    }
}
