//! The Open FAIR taxonomy as code: the nodes, how they combine, and controls.
//!
//! ```text
//! Risk (annual loss) = sum over the year's loss events of LM
//!   LEF  = TEF x Vulnerability            loss events per year (Poisson mean)
//!     TEF  threat events (attempts) per year against one organisation
//!     Vulnerability = P(TCap > RS)        probability a threat event becomes a loss event
//!       TCap  threat capability, 0..1 (drawn per threat event)
//!       RS    resistance strength, 0..1 (drawn once per factor and year)
//!   LM   = primary loss + secondary loss  money per loss event (drawn per loss event)
//! ```
//!
//! In a simulated year the engine draws TEF and RS, computes the year's
//! vulnerability `V = P(TCap > RS)` exactly from the TCap distribution (a
//! TCap drawn independently per threat event turns a Poisson(TEF) stream of
//! threat events into a Poisson(TEF x V) stream of loss events: thinning), draws
//! the number of loss events from Poisson(TEF x V), and one loss magnitude per
//! loss event. Several loss events in a year are possible; so is none.
//!
//! [`Controls`] are what support items change, as FAIR controls do: a lower TEF
//! (`frequency`), a higher RS (`resistance`), a lower LM (`loss`).

use holisec_model::{Distribution, Effect, EffectTarget};
use rand::Rng;

use crate::sampling::{Sampler, SamplerMode, SamplingError, TableCache, UnitBits};

/// The changes a set of support items makes to one scenario's FAIR inputs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Controls {
    /// TEF is multiplied by this (product of `1 - change` of `frequency` effects).
    pub frequency_factor: f64,
    /// RS is raised by this, capped at 1 (sum of `resistance` effects).
    pub resistance_gain: f64,
    /// LM is multiplied by this (product of `1 - change` of `loss` effects).
    pub loss_factor: f64,
}

impl Default for Controls {
    fn default() -> Self {
        Controls::NONE
    }
}

impl Controls {
    /// No change.
    pub const NONE: Controls = Controls {
        frequency_factor: 1.0,
        resistance_gain: 0.0,
        loss_factor: 1.0,
    };

    /// Adds one support effect.
    pub fn apply(&mut self, effect: &Effect) {
        let change = effect.change.clamp(0.0, 1.0);
        match effect.on {
            EffectTarget::Frequency => self.frequency_factor *= 1.0 - change,
            EffectTarget::Resistance => self.resistance_gain += change,
            EffectTarget::Loss => self.loss_factor *= 1.0 - change,
        }
    }

    /// True when nothing changes.
    pub fn is_none(&self) -> bool {
        *self == Controls::NONE
    }

    /// RS after the control, capped at 1.
    #[inline]
    pub fn resistance(&self, rs: f64) -> f64 {
        if self.resistance_gain == 0.0 {
            rs
        } else {
            (rs + self.resistance_gain).min(1.0)
        }
    }
}

/// The FAIR inputs of one scenario, as distributions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FairInputs {
    /// TEF of the whole threat against one organisation (before the split).
    pub frequency: Distribution,
    /// Share of that TEF this scenario receives (1 / number of the threat's
    /// scenarios for this target, or 1 with a frequency override).
    pub frequency_share: f64,
    /// TCap.
    pub capability: Distribution,
    /// RS.
    pub resistance: Distribution,
    /// Primary loss per loss event.
    pub primary_loss: Distribution,
    /// Secondary loss per loss event, when the model gives one.
    pub secondary_loss: Option<Distribution>,
}

/// Vulnerability as a function of the year's RS draw `u` (RS = Q_RS(u)).
#[derive(Debug, Clone)]
enum VulnerabilityCurve {
    /// RS is constant: V is one number.
    Constant(f64),
    /// `V(Q_RS(i / n))` at n + 1 knots, linear in between (both continuous).
    /// (A fixed length: indices from a draw's top bits need no bounds check.)
    Table(std::sync::Arc<[f64; CURVE_INTERVALS + 1]>),
    /// Computed each time (TCap constant: V is a step in RS).
    Direct,
}

/// Knots of the vulnerability curve.
const CURVE_INTERVALS: usize = 4096;
const CURVE_LOG2: u32 = CURVE_INTERVALS.trailing_zeros();
const _: () = assert!(CURVE_INTERVALS == 1 << CURVE_LOG2);

/// The samplers of one scenario's FAIR inputs.
#[derive(Debug, Clone)]
pub struct FairSamplers {
    /// TEF share of this scenario.
    pub frequency_share: f64,
    /// TCap.
    pub capability: Sampler,
    /// RS.
    pub resistance: Sampler,
    /// Primary loss.
    pub primary_loss: Sampler,
    /// Secondary loss.
    pub secondary_loss: Option<Sampler>,
    curve: VulnerabilityCurve,
}

impl FairSamplers {
    /// Compiles the samplers of `inputs` (TEF excepted: it is shared by the
    /// scenarios of one threat and target, and compiled by the caller).
    pub fn new(inputs: &FairInputs, mode: SamplerMode) -> Result<Self, SamplingError> {
        Self::with_tables(inputs, mode, &TableCache::default())
    }

    /// As [`FairSamplers::new`], with PERT tables from `cache`.
    pub fn with_tables(
        inputs: &FairInputs,
        mode: SamplerMode,
        cache: &TableCache,
    ) -> Result<Self, SamplingError> {
        let capability = Sampler::with_tables(&inputs.capability, mode, cache)?;
        let resistance = Sampler::with_tables(&inputs.resistance, mode, cache)?;
        let curve = if resistance.is_constant() {
            VulnerabilityCurve::Constant(capability.exceedance(resistance.quantile(0.5)))
        } else if capability.is_constant() {
            VulnerabilityCurve::Direct
        } else {
            VulnerabilityCurve::Table(std::sync::Arc::new(std::array::from_fn(|i| {
                capability.exceedance(resistance.quantile(i as f64 / CURVE_INTERVALS as f64))
            })))
        };
        Ok(FairSamplers {
            frequency_share: inputs.frequency_share,
            capability,
            resistance,
            primary_loss: Sampler::with_tables(&inputs.primary_loss, mode, cache)?,
            secondary_loss: inputs
                .secondary_loss
                .as_ref()
                .map(|d| Sampler::with_tables(d, mode, cache))
                .transpose()?,
            curve,
        })
    }

    /// Vulnerability for the year whose RS draw is `u` (RS = Q_RS(u)): exact for
    /// a constant RS or TCap, else read from a 4,096-interval table of
    /// P(TCap > Q_RS(u)) (exact at the knots, linear in between).
    #[inline(always)]
    pub fn vulnerability_at(&self, u: f64) -> f64 {
        match &self.curve {
            VulnerabilityCurve::Constant(v) => *v,
            VulnerabilityCurve::Table(t) => {
                let pos = u.clamp(0.0, 1.0) * CURVE_INTERVALS as f64;
                let i = (pos as usize).min(CURVE_INTERVALS - 1);
                let frac = pos - i as f64;
                t[i] + (t[i + 1] - t[i]) * frac
            }
            VulnerabilityCurve::Direct => self.vulnerability(self.resistance.quantile(u)),
        }
    }

    /// Uses `other`'s vulnerability curve (the same TCap and RS distributions
    /// give the same curve): scenarios of one threat and factor share one table.
    pub(crate) fn share_curve(&mut self, other: &FairSamplers) {
        self.curve = other.curve.clone();
    }

    /// [`Self::vulnerability_at`] at the uniform draw `u`: the same number,
    /// read from the table without the clamp and the float-to-index conversion.
    #[inline(always)]
    pub(crate) fn vulnerability_of(&self, u: UnitBits) -> f64 {
        match &self.curve {
            VulnerabilityCurve::Table(t) => {
                let (i, frac) = u.interval(CURVE_LOG2);
                t[i] + (t[i + 1] - t[i]) * frac
            }
            _ => self.vulnerability_at(u.unit()),
        }
    }

    /// [`Self::vulnerability_of`] of every draw of `us` into `out`: the
    /// kind of curve is matched once, not per year.
    pub(crate) fn vulnerabilities_of(&self, us: &[UnitBits], out: &mut [f64]) {
        match &self.curve {
            VulnerabilityCurve::Table(t) => {
                for (&u, v) in us.iter().zip(out.iter_mut()) {
                    let (i, frac) = u.interval(CURVE_LOG2);
                    *v = t[i] + (t[i + 1] - t[i]) * frac;
                }
            }
            VulnerabilityCurve::Constant(c) => out.iter_mut().for_each(|v| *v = *c),
            VulnerabilityCurve::Direct => {
                for (&u, v) in us.iter().zip(out.iter_mut()) {
                    *v = self.vulnerability_at(u.unit());
                }
            }
        }
    }

    /// Vulnerability for a year with resistance `rs`: P(TCap > RS).
    #[inline(always)]
    pub fn vulnerability(&self, rs: f64) -> f64 {
        self.capability.exceedance(rs)
    }

    /// One loss event's magnitude: primary plus secondary loss.
    #[inline(always)]
    pub fn loss_magnitude<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let primary = self.primary_loss.sample(rng);
        match &self.secondary_loss {
            Some(s) => primary + s.sample(rng),
            None => primary,
        }
    }

    /// Mean loss magnitude (closed form).
    pub fn mean_loss_magnitude(&self) -> f64 {
        self.primary_loss.mean() + self.secondary_loss.as_ref().map_or(0.0, Sampler::mean)
    }

    /// E[P(TCap > min(RS + gain, 1))] over the RS distribution, by the midpoint
    /// rule on 4,096 quantiles of RS.
    pub fn mean_vulnerability(&self, controls: &Controls) -> f64 {
        const N: usize = 4096;
        if self.resistance.is_constant() {
            return self.vulnerability(controls.resistance(self.resistance.quantile(0.5)));
        }
        (0..N)
            .map(|i| {
                let u = (i as f64 + 0.5) / N as f64;
                self.vulnerability(controls.resistance(self.resistance.quantile(u)))
            })
            .sum::<f64>()
            / N as f64
    }

    /// Expected annual loss in closed form (quadrature for the vulnerability):
    /// E[TEF] x share x frequency factor x E[V] x E[LM] x loss factor.
    pub fn expected_annual_loss(&self, mean_tef: f64, controls: &Controls) -> f64 {
        mean_tef
            * self.frequency_share
            * controls.frequency_factor
            * self.mean_vulnerability(controls)
            * self.mean_loss_magnitude()
            * controls.loss_factor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vulnerability_of_unit_bits_equals_the_float_path() {
        use crate::sampling::{UnitBits, chunk_rng, unit_bits};
        let pert = |a: f64, m: f64, b: f64| Distribution::Pert {
            low: a,
            mode: m,
            high: b,
            shape: 4.0,
        };
        let inputs = FairInputs {
            frequency: pert(0.5, 2.0, 10.0),
            frequency_share: 1.0,
            capability: pert(0.2, 0.5, 0.9),
            resistance: pert(0.4, 0.6, 0.8),
            primary_loss: pert(1.0, 2.0, 3.0),
            secondary_loss: None,
        };
        let f = FairSamplers::new(&inputs, SamplerMode::Table).unwrap();
        let mut rng = chunk_rng(3, 0, 0);
        for _ in 0..100_000 {
            let u = unit_bits(&mut rng);
            assert_eq!(
                f.vulnerability_of(u).to_bits(),
                f.vulnerability_at(u.unit()).to_bits()
            );
        }
        let top = UnitBits((1u64 << 53) - 1);
        assert_eq!(
            f.vulnerability_of(top).to_bits(),
            f.vulnerability_at(top.unit()).to_bits()
        );
        // A block of draws at once gives the same numbers.
        let us: Vec<UnitBits> = (0..10_000)
            .map(|_| unit_bits(&mut rng))
            .chain([top])
            .collect();
        let mut block = vec![0.0; us.len()];
        f.vulnerabilities_of(&us, &mut block);
        for (&u, v) in us.iter().zip(&block) {
            assert_eq!(v.to_bits(), f.vulnerability_of(u).to_bits());
        }
    }

    #[test]
    fn controls_combine_as_documented() {
        let mut c = Controls::NONE;
        c.apply(&Effect {
            on: EffectTarget::Frequency,
            change: 0.2,
        });
        c.apply(&Effect {
            on: EffectTarget::Frequency,
            change: 0.5,
        });
        c.apply(&Effect {
            on: EffectTarget::Resistance,
            change: 0.3,
        });
        c.apply(&Effect {
            on: EffectTarget::Resistance,
            change: 0.9,
        });
        c.apply(&Effect {
            on: EffectTarget::Loss,
            change: 0.25,
        });
        assert!((c.frequency_factor - 0.4).abs() < 1e-15);
        assert!((c.loss_factor - 0.75).abs() < 1e-15);
        assert_eq!(c.resistance(0.5), 1.0);
        assert_eq!(Controls::NONE.resistance(0.37), 0.37);
    }

    #[test]
    fn vulnerability_is_probability_tcap_exceeds_rs() {
        let inputs = FairInputs {
            frequency: Distribution::Constant { value: 1.0 },
            frequency_share: 1.0,
            capability: Distribution::Uniform {
                low: 0.0,
                high: 1.0,
            },
            resistance: Distribution::Uniform {
                low: 0.2,
                high: 0.6,
            },
            primary_loss: Distribution::Constant { value: 1.0 },
            secondary_loss: None,
        };
        let s = FairSamplers::new(&inputs, SamplerMode::Table).unwrap();
        assert!((s.vulnerability(0.3) - 0.7).abs() < 1e-12);
        // E[1 - RS] with RS ~ U(0.2, 0.6) = 0.6.
        assert!((s.mean_vulnerability(&Controls::NONE) - 0.6).abs() < 1e-9);
        let gain = Controls {
            resistance_gain: 0.5,
            ..Controls::NONE
        };
        // RS + 0.5 capped at 1: E[1 - min(RS + .5, 1)] = E[max(0.5 - RS, 0)] = (0.3^2 / 2) / 0.4.
        assert!((s.mean_vulnerability(&gain) - 0.045 / 0.4).abs() < 1e-6);
    }
}
