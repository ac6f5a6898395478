//! Distributions as risk analysts write them, checked and ready for sampling.
//!
//! This module only holds parameters and closed-form properties (mean, bounds);
//! sampling lives in the risk engine so the model crate stays free of random
//! number generators.

use serde::Serialize;

use crate::model::Provenance;
use crate::wire::DistributionWire;

/// The default PERT shape (lambda): the classic PERT weighting of the mode.
pub const DEFAULT_PERT_SHAPE: f64 = 4.0;

/// Standard normal quantile at 0.95, used to read a 90% interval.
pub const Z_95: f64 = 1.644_853_626_951_472_2;

/// Largest PERT shape (lambda) accepted.
///
/// The risk engine samples a PERT by inverting a 4,096-interval quantile
/// table whose Kolmogorov distance to the true distribution is at most
/// 1/4,096 + 1e-5; a shape above 40, with the mode a few table cells from a
/// bound, breaks that bound (measured: 2.4e-4 at 40, 6.8e-4 at 100, 1e-2 at
/// 1,000). Such a PERT is a near-constant anyway: write `constant = mode`,
/// or a narrower `[low, high]` with a smaller shape.
pub const MAX_PERT_SHAPE: f64 = 40.0;

/// Largest loss of one loss event, in the model's currency (1e15: ten times
/// the world's yearly output). Larger amounts are typos, and they overflow the
/// engine's sums of billions of draws (an ALE of `inf`).
pub const MAX_LOSS: f64 = 1e15;

/// Largest threat event frequency, per year against one organisation (one
/// attempt every 30 seconds). More counts packets or log lines, not Open
/// FAIR threat events, and the risk engine draws every loss event.
pub const MAX_FREQUENCY: f64 = 1e6;

/// A validated distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Distribution {
    /// Beta-PERT on `[low, high]` with most likely value `mode` and shape `lambda`.
    Pert {
        /// Minimum.
        low: f64,
        /// Most likely.
        mode: f64,
        /// Maximum.
        high: f64,
        /// Shape (4 by default).
        shape: f64,
    },
    /// Lognormal whose 5th and 95th percentiles are `low` and `high`.
    LognormalCi90 {
        /// 5th percentile.
        low: f64,
        /// 95th percentile.
        high: f64,
    },
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Triangular on `[low, high]` with mode `mode`.
    Triangular {
        /// Minimum.
        low: f64,
        /// Most likely.
        mode: f64,
        /// Maximum.
        high: f64,
    },
    /// Always `value`.
    Constant {
        /// The value.
        value: f64,
    },
}

/// Allowed range of a distribution's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range01OrNonNegative {
    /// Probabilities and 0..1 scales.
    UnitInterval,
    /// Any value of 0 or more.
    NonNegative,
    /// Threat event frequencies: 0 to [`MAX_FREQUENCY`] a year (for a
    /// lognormal, its 95th percentile and its mean).
    Frequency,
    /// Losses of one loss event: 0 to [`MAX_LOSS`] (for a lognormal, its 95th
    /// percentile and its mean).
    Loss,
}

impl Range01OrNonNegative {
    /// The largest value allowed, with what it bounds and why (`None`: unbounded or 0..=1).
    pub fn magnitude(self) -> Option<Magnitude> {
        match self {
            Range01OrNonNegative::UnitInterval | Range01OrNonNegative::NonNegative => None,
            Range01OrNonNegative::Frequency => Some(Magnitude {
                max: MAX_FREQUENCY,
                what: "threat events a year",
                why: "more than a million attempts a year against one organisation counts packets or log lines, not threat events; the risk engine draws every loss event",
            }),
            Range01OrNonNegative::Loss => Some(Magnitude {
                max: MAX_LOSS,
                what: "per loss event",
                why: "1e15 is ten times the world's yearly output: a larger amount is a typo, and it overflows the risk engine's sums",
            }),
        }
    }
}

/// An upper bound of a distribution's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Magnitude {
    /// Largest value.
    pub max: f64,
    /// Unit, e.g. "per loss event".
    pub what: &'static str,
    /// Why the bound.
    pub why: &'static str,
}

impl Distribution {
    /// The mean, in closed form.
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Pert {
                low,
                mode,
                high,
                shape,
            } => (low + shape * mode + high) / (shape + 2.0),
            Distribution::LognormalCi90 { low, high } => {
                let (mu, sigma) = lognormal_params(low, high);
                (mu + sigma * sigma / 2.0).exp()
            }
            Distribution::Uniform { low, high } => (low + high) / 2.0,
            Distribution::Triangular { low, mode, high } => (low + mode + high) / 3.0,
            Distribution::Constant { value } => value,
        }
    }

    /// Smallest and largest value the distribution can take (`f64::INFINITY` for lognormal).
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Distribution::Pert { low, high, .. }
            | Distribution::Uniform { low, high }
            | Distribution::Triangular { low, high, .. } => (low, high),
            Distribution::LognormalCi90 { .. } => (0.0, f64::INFINITY),
            Distribution::Constant { value } => (value, value),
        }
    }

    /// A short human form, e.g. `pert(0.2, 0.4, 0.7)`.
    pub fn describe(&self) -> String {
        match *self {
            Distribution::Pert {
                low,
                mode,
                high,
                shape,
            } if shape == DEFAULT_PERT_SHAPE => {
                format!("pert({low}, {mode}, {high})")
            }
            Distribution::Pert {
                low,
                mode,
                high,
                shape,
            } => {
                format!("pert({low}, {mode}, {high}; shape {shape})")
            }
            Distribution::LognormalCi90 { low, high } => format!("lognormal 90% [{low}, {high}]"),
            Distribution::Uniform { low, high } => format!("uniform({low}, {high})"),
            Distribution::Triangular { low, mode, high } => {
                format!("triangular({low}, {mode}, {high})")
            }
            Distribution::Constant { value } => format!("{value}"),
        }
    }

    /// Converts back to the file form.
    pub fn to_wire(&self, provenance: &Provenance) -> DistributionWire {
        let mut wire = DistributionWire {
            source: provenance.source.clone(),
            rationale: provenance.rationale.clone(),
            ..DistributionWire::default()
        };
        match *self {
            Distribution::Pert {
                low,
                mode,
                high,
                shape,
            } => {
                wire.pert = Some(vec![low, mode, high]);
                if shape != DEFAULT_PERT_SHAPE {
                    wire.shape = Some(shape);
                }
            }
            Distribution::LognormalCi90 { low, high } => {
                wire.lognormal_ci90 = Some(vec![low, high])
            }
            Distribution::Uniform { low, high } => wire.uniform = Some(vec![low, high]),
            Distribution::Triangular { low, mode, high } => {
                wire.triangular = Some(vec![low, mode, high])
            }
            Distribution::Constant { value } => wire.constant = Some(value),
        }
        wire
    }
}

/// (mu, sigma) of the lognormal whose 5th and 95th percentiles are `low` and `high`.
pub fn lognormal_params(low: f64, high: f64) -> (f64, f64) {
    let (ln_low, ln_high) = (low.ln(), high.ln());
    ((ln_low + ln_high) / 2.0, (ln_high - ln_low) / (2.0 * Z_95))
}

/// Why a written distribution is not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistributionError {
    /// None of the shape keys.
    #[error(
        "a distribution needs one of `pert`, `lognormal_ci90`, `uniform`, `triangular`, `constant`"
    )]
    NoShape,
    /// Several shape keys.
    #[error(
        "a distribution takes exactly one of `pert`, `lognormal_ci90`, `uniform`, `triangular`, `constant`, found {0}"
    )]
    SeveralShapes(String),
    /// Wrong number of parameters.
    #[error("`{shape}` takes {expected} numbers, found {found}")]
    Arity {
        /// The shape key.
        shape: &'static str,
        /// How many it takes.
        expected: usize,
        /// How many were written.
        found: usize,
    },
    /// NaN or infinite.
    #[error("`{shape}` has a value that is not a finite number")]
    NotFinite {
        /// The shape key.
        shape: &'static str,
    },
    /// low > mode or mode > high, or low >= high.
    #[error("`{shape}` needs {rule}, found {found}")]
    Order {
        /// The shape key.
        shape: &'static str,
        /// The rule broken.
        rule: &'static str,
        /// What was written.
        found: String,
    },
    /// Outside the allowed range.
    #[error("values must lie in {expected}, found {found}")]
    OutOfRange {
        /// The allowed range.
        expected: &'static str,
        /// The offending value.
        found: f64,
    },
    /// `shape` given for something other than PERT, or not positive.
    #[error("`shape` {0}")]
    BadShapeParameter(&'static str),
    /// A value or the mean above the largest allowed magnitude.
    #[error("{which} is {found:e}, more than {max:e} {unit}")]
    TooLarge {
        /// What is too large: "a value", "the 95th percentile", "the mean".
        which: &'static str,
        /// The largest value allowed.
        max: f64,
        /// Its unit.
        unit: &'static str,
        /// The offending value.
        found: f64,
    },
}

impl DistributionWire {
    /// Checks the written distribution and converts it, enforcing `range`.
    pub fn to_distribution(
        &self,
        range: Range01OrNonNegative,
    ) -> Result<Distribution, DistributionError> {
        let mut shapes = Vec::new();
        if self.pert.is_some() {
            shapes.push("pert");
        }
        if self.lognormal_ci90.is_some() {
            shapes.push("lognormal_ci90");
        }
        if self.uniform.is_some() {
            shapes.push("uniform");
        }
        if self.triangular.is_some() {
            shapes.push("triangular");
        }
        if self.constant.is_some() {
            shapes.push("constant");
        }
        match shapes.len() {
            0 => return Err(DistributionError::NoShape),
            1 => {}
            _ => {
                let list = shapes
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(DistributionError::SeveralShapes(list));
            }
        }
        if self.shape.is_some() && self.pert.is_none() {
            return Err(DistributionError::BadShapeParameter(
                "only applies to `pert`",
            ));
        }
        let dist = if let Some(values) = &self.pert {
            let [low, mode, high] = three("pert", values)?;
            ordered3("pert", low, mode, high)?;
            let shape = self.shape.unwrap_or(DEFAULT_PERT_SHAPE);
            if !(shape.is_finite() && shape > 0.0) {
                return Err(DistributionError::BadShapeParameter(
                    "must be a positive number",
                ));
            }
            if shape > MAX_PERT_SHAPE {
                return Err(DistributionError::BadShapeParameter(
                    "must be at most 40: a larger shape makes the PERT so peaked that the risk engine's quantile table loses its stated accuracy (write `constant = mode`, or a narrower `[low, high]` with a smaller shape)",
                ));
            }
            Distribution::Pert {
                low,
                mode,
                high,
                shape,
            }
        } else if let Some(values) = &self.triangular {
            let [low, mode, high] = three("triangular", values)?;
            ordered3("triangular", low, mode, high)?;
            Distribution::Triangular { low, mode, high }
        } else if let Some(values) = &self.uniform {
            let [low, high] = two("uniform", values)?;
            if low > high {
                return Err(DistributionError::Order {
                    shape: "uniform",
                    rule: "low <= high",
                    found: format!("[{low}, {high}]"),
                });
            }
            Distribution::Uniform { low, high }
        } else if let Some(values) = &self.lognormal_ci90 {
            let [low, high] = two("lognormal_ci90", values)?;
            if !(low > 0.0 && low < high) {
                return Err(DistributionError::Order {
                    shape: "lognormal_ci90",
                    rule: "0 < low < high",
                    found: format!("[{low}, {high}]"),
                });
            }
            Distribution::LognormalCi90 { low, high }
        } else {
            let value = self.constant.unwrap_or_default();
            if !value.is_finite() {
                return Err(DistributionError::NotFinite { shape: "constant" });
            }
            Distribution::Constant { value }
        };
        let (low, high) = dist.bounds();
        match range {
            Range01OrNonNegative::UnitInterval => {
                for v in [low, high] {
                    if !(0.0..=1.0).contains(&v) {
                        return Err(DistributionError::OutOfRange {
                            expected: "0..=1",
                            found: v,
                        });
                    }
                }
            }
            Range01OrNonNegative::NonNegative
            | Range01OrNonNegative::Frequency
            | Range01OrNonNegative::Loss => {
                if low < 0.0 {
                    return Err(DistributionError::OutOfRange {
                        expected: "0 or more",
                        found: low,
                    });
                }
            }
        }
        if let Some(m) = range.magnitude() {
            let too_large = |which, found: f64| {
                // An infinite or NaN mean is too large too.
                (found.is_nan() || found > m.max).then_some(DistributionError::TooLarge {
                    which,
                    max: m.max,
                    unit: m.what,
                    found,
                })
            };
            let checks = match dist {
                Distribution::LognormalCi90 { high: p95, .. } => {
                    [("the 95th percentile", p95), ("the mean", dist.mean())]
                }
                _ => [("the largest value", high), ("the mean", dist.mean())],
            };
            if let Some(err) = checks.iter().find_map(|&(w, v)| too_large(w, v)) {
                return Err(err);
            }
        }
        Ok(dist)
    }
}

fn finite(shape: &'static str, values: &[f64]) -> Result<(), DistributionError> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(DistributionError::NotFinite { shape })
    }
}

fn three(shape: &'static str, values: &[f64]) -> Result<[f64; 3], DistributionError> {
    finite(shape, values)?;
    <[f64; 3]>::try_from(values).map_err(|_| DistributionError::Arity {
        shape,
        expected: 3,
        found: values.len(),
    })
}

fn two(shape: &'static str, values: &[f64]) -> Result<[f64; 2], DistributionError> {
    finite(shape, values)?;
    <[f64; 2]>::try_from(values).map_err(|_| DistributionError::Arity {
        shape,
        expected: 2,
        found: values.len(),
    })
}

fn ordered3(shape: &'static str, low: f64, mode: f64, high: f64) -> Result<(), DistributionError> {
    if low <= mode && mode <= high && low < high {
        Ok(())
    } else {
        Err(DistributionError::Order {
            shape,
            rule: "low <= mode <= high and low < high",
            found: format!("[{low}, {mode}, {high}]"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pert(values: &[f64]) -> DistributionWire {
        DistributionWire {
            pert: Some(values.to_vec()),
            ..Default::default()
        }
    }

    #[test]
    fn pert_mean_is_the_classic_formula() {
        let d = pert(&[1.0, 4.0, 13.0])
            .to_distribution(Range01OrNonNegative::NonNegative)
            .unwrap();
        assert!((d.mean() - (1.0 + 4.0 * 4.0 + 13.0) / 6.0).abs() < 1e-12);
    }

    #[test]
    fn lognormal_mean_matches_closed_form() {
        let d = Distribution::LognormalCi90 {
            low: 10.0,
            high: 1000.0,
        };
        // Median is the geometric mean of the bounds: 100; ln(1000/10) = 2 * Z_95 * sigma.
        let sigma = (100.0f64).ln() / (2.0 * Z_95);
        assert!((d.mean() - 100.0 * (sigma * sigma / 2.0).exp()).abs() < 1e-9);
    }

    #[test]
    fn bad_orders_and_ranges_are_rejected() {
        use Range01OrNonNegative::*;
        assert!(matches!(
            pert(&[0.5, 0.2, 0.9]).to_distribution(UnitInterval),
            Err(DistributionError::Order { .. })
        ));
        assert!(matches!(
            pert(&[0.5, 0.6, 1.2]).to_distribution(UnitInterval),
            Err(DistributionError::OutOfRange { .. })
        ));
        assert!(matches!(
            pert(&[0.1, 0.2]).to_distribution(UnitInterval),
            Err(DistributionError::Arity {
                expected: 3,
                found: 2,
                ..
            })
        ));
        assert!(matches!(
            pert(&[f64::NAN, 0.2, 0.3]).to_distribution(UnitInterval),
            Err(DistributionError::NotFinite { .. })
        ));
        let both = DistributionWire {
            constant: Some(1.0),
            ..pert(&[0.0, 0.5, 1.0])
        };
        assert!(matches!(
            both.to_distribution(UnitInterval),
            Err(DistributionError::SeveralShapes(_))
        ));
        assert!(matches!(
            DistributionWire::default().to_distribution(UnitInterval),
            Err(DistributionError::NoShape)
        ));
        let negative = DistributionWire {
            uniform: Some(vec![-1.0, 2.0]),
            ..Default::default()
        };
        assert!(matches!(
            negative.to_distribution(NonNegative),
            Err(DistributionError::OutOfRange { .. })
        ));
    }

    #[test]
    fn wire_round_trip_keeps_the_distribution() {
        for d in [
            Distribution::Pert {
                low: 0.1,
                mode: 0.2,
                high: 0.5,
                shape: 4.0,
            },
            Distribution::Pert {
                low: 0.1,
                mode: 0.2,
                high: 0.5,
                shape: 6.0,
            },
            Distribution::LognormalCi90 {
                low: 1e3,
                high: 1e6,
            },
            Distribution::Uniform {
                low: 0.0,
                high: 1.0,
            },
            Distribution::Triangular {
                low: 0.0,
                mode: 0.3,
                high: 1.0,
            },
            Distribution::Constant { value: 0.25 },
        ] {
            let back = d
                .to_wire(&Provenance::default())
                .to_distribution(Range01OrNonNegative::NonNegative)
                .unwrap();
            assert_eq!(back, d);
        }
    }
}
