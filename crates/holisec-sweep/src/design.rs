//! Designs: which parameter values each point of a sweep runs, and its seed.
//!
//! Everything is drawn from the sweep's seed alone, so the design (and hence
//! any single point) is the same on every machine and whatever the order in
//! which points run. Values are drawn on the unit cube and mapped linearly to
//! each factor's range.

use holisec_sim::rng::{SimRng, hash3, stream};
use rand::RngExt;
use serde::Serialize;

use crate::file::{DesignKind, Factor, Sweep};

/// Tags that keep the design's random streams apart from each other.
const TAG_DESIGN: u64 = 0x5357_4545_5044_4553; // "SWEEPDES"
const TAG_POINT_SEED: u64 = 0x5357_4545_5053_4544; // "SWEEPSED"

/// One point: its index, its seed and the value of every factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// Position in the design, from 0.
    pub index: u64,
    /// Seed of the point's simulation (its replicates derive from it); shared
    /// within a Morris trajectory or a Sobol sample ([`seed_group`]).
    pub seed: u64,
    /// Factor values in their units, in the order of [`Design::factors`].
    pub values: Vec<f64>,
}

/// A sweep's points and what the analysis needs to read them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Design {
    /// The design's kind.
    pub kind: DesignKind,
    /// Varied parameters.
    pub factors: Vec<Factor>,
    /// The points, by index.
    pub points: Vec<Point>,
    /// Morris: for each trajectory, the factor changed at each step.
    pub morris_order: Vec<Vec<usize>>,
    /// Morris: the step on the unit scale (the elementary effect's denominator).
    pub morris_delta: f64,
    /// Sobol: base samples N (points come in blocks of k + 2: A, B, AB_1..AB_k).
    pub sobol_samples: u64,
}

/// The seed of the points of `group` of a sweep seeded `seed`.
pub fn point_seed(seed: u64, group: u64) -> u64 {
    hash3(seed, TAG_POINT_SEED, group)
}

/// The group whose seed point `index` shares: common random numbers where
/// the analysis compares points. A Morris trajectory's points share one seed
/// (an elementary effect is then the parameter's effect, not the difference of
/// two random draws), as do a Sobol sample's A, B and AB_i points; grid and
/// Latin hypercube points each have their own.
pub fn seed_group(kind: DesignKind, factors: usize, index: u64) -> u64 {
    match kind {
        DesignKind::Morris => index / (factors as u64 + 1),
        DesignKind::Sobol => index / (factors as u64 + 2),
        DesignKind::Grid | DesignKind::Lhs => index,
    }
}

/// The design of a checked sweep.
pub fn design(sweep: &Sweep) -> Design {
    let k = sweep.factors.len();
    let mut rng: SimRng = stream(sweep.seed, TAG_DESIGN, 0);
    let mut morris_order = Vec::new();
    let mut morris_delta = 0.0;
    let unit: Vec<Vec<f64>> = match sweep.design {
        DesignKind::Grid => grid(k, sweep.levels),
        DesignKind::Lhs => latin_hypercube(k, sweep.points, &mut rng),
        DesignKind::Morris => {
            let (points, order, delta) = morris(k, sweep.trajectories, sweep.levels, &mut rng);
            morris_order = order;
            morris_delta = delta;
            points
        }
        DesignKind::Sobol => saltelli(k, sweep.points, &mut rng),
    };
    let points = unit
        .into_iter()
        .enumerate()
        .map(|(i, u)| Point {
            index: i as u64,
            seed: point_seed(sweep.seed, seed_group(sweep.design, k, i as u64)),
            values: u
                .iter()
                .zip(&sweep.factors)
                .map(|(u, f)| f.low + u * (f.high - f.low))
                .collect(),
        })
        .collect();
    Design {
        kind: sweep.design,
        factors: sweep.factors.clone(),
        points,
        morris_order,
        morris_delta,
        sobol_samples: if sweep.design == DesignKind::Sobol {
            sweep.points
        } else {
            0
        },
    }
}

/// Every combination of `levels` evenly spaced values from 0 to 1, the last
/// factor varying fastest.
fn grid(k: usize, levels: u64) -> Vec<Vec<f64>> {
    let n = levels.pow(k as u32);
    let step = 1.0 / (levels - 1) as f64;
    (0..n)
        .map(|mut i| {
            let mut u = vec![0.0; k];
            for slot in u.iter_mut().rev() {
                *slot = (i % levels) as f64 * step;
                i /= levels;
            }
            u
        })
        .collect()
}

/// `n` points; in every dimension each of the `n` equal strata holds one point.
fn latin_hypercube(k: usize, n: u64, rng: &mut SimRng) -> Vec<Vec<f64>> {
    let n = n as usize;
    let mut points = vec![vec![0.0; k]; n];
    for d in 0..k {
        let mut strata: Vec<usize> = (0..n).collect();
        shuffle(&mut strata, rng);
        for (p, s) in points.iter_mut().zip(strata) {
            p[d] = (s as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    points
}

/// Morris (1991) trajectories on a `levels`-level grid: a base point whose
/// coordinates leave room for one step of `delta = levels / (2 (levels - 1))`,
/// then each factor in random order moved up by `delta`.
fn morris(
    k: usize,
    trajectories: u64,
    levels: u64,
    rng: &mut SimRng,
) -> (Vec<Vec<f64>>, Vec<Vec<usize>>, f64) {
    let p = levels as f64;
    let delta = p / (2.0 * (p - 1.0));
    // Base levels j / (p - 1) with j / (p - 1) + delta <= 1.
    let base_levels = (0..levels)
        .filter(|&j| j as f64 / (p - 1.0) + delta <= 1.0 + 1e-12)
        .count() as u64;
    let mut points = Vec::new();
    let mut orders = Vec::new();
    for _ in 0..trajectories {
        let mut x: Vec<f64> = (0..k)
            .map(|_| rng.random_range(0..base_levels.max(1)) as f64 / (p - 1.0))
            .collect();
        let mut order: Vec<usize> = (0..k).collect();
        shuffle(&mut order, rng);
        points.push(x.clone());
        for &f in &order {
            x[f] = (x[f] + delta).min(1.0);
            points.push(x.clone());
        }
        orders.push(order);
    }
    (points, orders, delta)
}

/// Saltelli (2010)'s scheme with Monte Carlo matrices A and B: for each of
/// `n` samples the block A, B, AB_1, ..., AB_k (AB_i = A with column i of B).
fn saltelli(k: usize, n: u64, rng: &mut SimRng) -> Vec<Vec<f64>> {
    let mut points = Vec::with_capacity(n as usize * (k + 2));
    for _ in 0..n {
        let a: Vec<f64> = (0..k).map(|_| rng.random::<f64>()).collect();
        let b: Vec<f64> = (0..k).map(|_| rng.random::<f64>()).collect();
        points.push(a.clone());
        points.push(b.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(ab);
        }
    }
    points
}

/// Fisher-Yates with the design's stream.
pub(crate) fn shuffle<T>(v: &mut [T], rng: &mut SimRng) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(kind: DesignKind, k: usize) -> Sweep {
        Sweep {
            name: "t".into(),
            scenario: "worm-killswitch".into(),
            model: None,
            design: kind,
            points: 50,
            trajectories: 7,
            levels: 4,
            replicates: 1,
            seed: 3,
            scale: None,
            days: None,
            factors: (0..k)
                .map(|i| Factor {
                    parameter: format!("f{i}"),
                    low: i as f64,
                    high: i as f64 + 2.0,
                })
                .collect(),
            outputs: vec!["hospitals_infected".into()],
        }
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        let d = design(&sweep(DesignKind::Lhs, 3));
        assert_eq!(d.points.len(), 50);
        for (f, factor) in d.factors.iter().enumerate() {
            let mut strata: Vec<usize> = d
                .points
                .iter()
                .map(|p| ((p.values[f] - factor.low) / 2.0 * 50.0).floor() as usize)
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..50).collect::<Vec<_>>());
        }
    }

    #[test]
    fn grid_is_every_combination() {
        let d = design(&sweep(DesignKind::Grid, 2));
        assert_eq!(d.points.len(), 16);
        assert_eq!(d.points[0].values, vec![0.0, 1.0]);
        assert_eq!(d.points[15].values, vec![2.0, 3.0]);
    }

    #[test]
    fn morris_trajectories_move_one_factor_per_step() {
        let d = design(&sweep(DesignKind::Morris, 5));
        assert_eq!(d.points.len(), 7 * 6);
        assert!((d.morris_delta - 2.0 / 3.0).abs() < 1e-12);
        for (t, order) in d.morris_order.iter().enumerate() {
            for (step, &f) in order.iter().enumerate() {
                let a = &d.points[t * 6 + step].values;
                let b = &d.points[t * 6 + step + 1].values;
                for i in 0..5 {
                    let moved = (b[i] - a[i]).abs();
                    if i == f {
                        // delta on the unit scale is 2/3 of a range of 2.
                        assert!((moved - 4.0 / 3.0).abs() < 1e-9, "{moved}");
                    } else {
                        assert_eq!(moved, 0.0);
                    }
                }
            }
        }
    }

    #[test]
    fn seeds_and_values_depend_on_the_sweep_seed_only() {
        let s = sweep(DesignKind::Sobol, 4);
        let a = design(&s);
        assert_eq!(a, design(&s));
        assert_eq!(a.points.len(), 50 * 6);
        // Sobol blocks of k + 2 = 6 points share a seed (common random numbers).
        assert_eq!(a.points[7].seed, point_seed(3, 1));
        assert_eq!(a.points[6].seed, a.points[11].seed);
        assert_ne!(a.points[5].seed, a.points[6].seed);
        let mut other = s.clone();
        other.seed = 4;
        assert_ne!(design(&other).points[0].values, a.points[0].values);
        let seeds: std::collections::HashSet<u64> = a.points.iter().map(|p| p.seed).collect();
        assert_eq!(seeds.len(), 50);
        let lhs = design(&sweep(DesignKind::Lhs, 4));
        let seeds: std::collections::HashSet<u64> = lhs.points.iter().map(|p| p.seed).collect();
        assert_eq!(seeds.len(), lhs.points.len());
        let morris = design(&sweep(DesignKind::Morris, 4));
        assert!(
            morris.points[..5]
                .iter()
                .all(|p| p.seed == morris.points[0].seed)
        );
        assert_ne!(morris.points[5].seed, morris.points[0].seed);
    }
}
