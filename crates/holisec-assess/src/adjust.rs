//! From maturity to the hospital's own model: the documented, monotone mapping.
//!
//! The built-in model describes a *typical* hospital, which we read as maturity 2
//! ("defined") on every item. For each model factor f, the items bearing on it give
//! a weighted maturity fraction
//!
//! `M_f = sum_i(w_i * m_i) / (4 * sum_i w_i)` in [0, 1], and `d_f = 2 * M_f - 1` in [-1, 1].
//!
//! Every parameter x of f's resistance distribution (low, mode, high, constant...,
//! all on the 0..1 scale) is then mapped by
//!
//! * `x' = x + A * d_f * (1 - x)` when `d_f >= 0` (towards 1), and
//! * `x' = x * (1 + A * d_f)` when `d_f < 0` (towards 0),
//!
//! with `A` = [`RESISTANCE_SPAN`] = 0.6. For a fixed `d_f` the map is affine and
//! increasing in x, so the whole distribution moves (every quantile is mapped the
//! same way), stays in [0, 1] and keeps its order; for a fixed x it is continuous
//! and increasing in `d_f`, hence in every answer: raising an answer never lowers a
//! resistance. A maturity-2 hospital gets the model unchanged.
//!
//! An item may also state `effect = { on = "frequency" | "loss", max_change = c }`:
//! the threat event frequency (or the primary and secondary loss) of every scenario
//! exploiting its factors against the hospital is multiplied by
//! `1 - c * (m / 2 - 1)` (1 + c at level 0, 1 at level 2, 1 - c at level 4); several
//! such items on one factor multiply. Those changes go into `[[scenario]]`
//! overrides, with the frequency share the engine would have used (1/n of the
//! threat's frequency for n scenarios of that threat and target).

use std::collections::BTreeMap;

use holisec_model::{
    Distribution, Ecosystem, Provenance, ScenarioOverride, StakeholderIdx, StakeholderKind,
    VulnerabilityIdx,
};

use crate::questionnaire::{Lever, MAX_LEVEL, Questionnaire};

/// How far full maturity (or none) moves a resistance towards 1 (or 0).
pub const RESISTANCE_SPAN: f64 = 0.6;

/// Why a model cannot be adjusted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdjustError {
    /// The model has no healthcare-organisation stakeholder.
    #[error("the model has no stakeholder of kind `healthcare-organisation` to assess")]
    NoHospital,
}

/// The stakeholder a hospital assessment applies to: the first of kind
/// `healthcare-organisation`.
pub fn hospital(eco: &Ecosystem) -> Result<StakeholderIdx, AdjustError> {
    eco.stakeholder_indices()
        .find(|&s| eco.stakeholder(s).kind == StakeholderKind::HealthcareOrganisation)
        .ok_or(AdjustError::NoHospital)
}

/// Per factor: weighted maturity fraction `M_f` (only factors some item bears on).
pub fn factor_maturity(q: &Questionnaire, levels: &[u8]) -> BTreeMap<String, f64> {
    let mut acc: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (i, item) in q.items.iter().enumerate() {
        let m = f64::from(levels.get(i).copied().unwrap_or(0).min(MAX_LEVEL));
        for f in &item.factors {
            let e = acc.entry(f.clone()).or_default();
            e.0 += item.weight * m;
            e.1 += item.weight;
        }
    }
    acc.into_iter()
        .map(|(f, (wm, w))| (f, wm / (f64::from(MAX_LEVEL) * w)))
        .collect()
}

/// The resistance map for one parameter `x` at maturity fraction `m`.
pub fn shift_resistance(x: f64, m: f64) -> f64 {
    let d = (2.0 * m.clamp(0.0, 1.0) - 1.0) * RESISTANCE_SPAN;
    let y = if d >= 0.0 {
        x + d * (1.0 - x)
    } else {
        x * (1.0 + d)
    };
    y.clamp(0.0, 1.0)
}

/// Multiplier of frequency or loss for one item at `level` with maximum change `c`.
pub fn lever_factor(level: u8, c: f64) -> f64 {
    1.0 - c * (f64::from(level.min(MAX_LEVEL)) / 2.0 - 1.0)
}

fn map_dist(d: &Distribution, f: impl Fn(f64) -> f64) -> Distribution {
    match *d {
        Distribution::Pert {
            low,
            mode,
            high,
            shape,
        } => Distribution::Pert {
            low: f(low),
            mode: f(mode),
            high: f(high),
            shape,
        },
        Distribution::LognormalCi90 { low, high } => Distribution::LognormalCi90 {
            low: f(low),
            high: f(high),
        },
        Distribution::Uniform { low, high } => Distribution::Uniform {
            low: f(low),
            high: f(high),
        },
        Distribution::Triangular { low, mode, high } => Distribution::Triangular {
            low: f(low),
            mode: f(mode),
            high: f(high),
        },
        Distribution::Constant { value } => Distribution::Constant { value: f(value) },
    }
}

/// The hospital's adjusted model: a clone of `eco` with resistances (and stated
/// frequencies or losses) changed by the answers `levels` (item order).
pub fn adjust(eco: &Ecosystem, q: &Questionnaire, levels: &[u8]) -> Result<Ecosystem, AdjustError> {
    let target = hospital(eco)?;
    let mut out = eco.clone();
    let maturity = factor_maturity(q, levels);
    for (fid, m) in &maturity {
        let Some(v) = eco.vulnerability_by_id(fid) else {
            continue;
        };
        let vul = &mut out.vulnerabilities[v.index()];
        vul.resistance = map_dist(&vul.resistance, |x| shift_resistance(x, *m));
        for o in out.scenario_overrides.iter_mut() {
            if o.vulnerability == v
                && let Some(r) = &o.resistance
            {
                o.resistance = Some(map_dist(r, |x| shift_resistance(x, *m)));
            }
        }
    }
    // Frequency and loss levers, per factor (always written for every factor an
    // item with a lever bears on, so the scenario structure does not depend on answers).
    let mut freq: BTreeMap<VulnerabilityIdx, f64> = BTreeMap::new();
    let mut loss: BTreeMap<VulnerabilityIdx, f64> = BTreeMap::new();
    for (i, item) in q.items.iter().enumerate() {
        let Some((lever, c)) = item.extra else {
            continue;
        };
        let k = lever_factor(levels.get(i).copied().unwrap_or(0), c);
        for f in &item.factors {
            if let Some(v) = eco.vulnerability_by_id(f) {
                let map = if lever == Lever::Frequency {
                    &mut freq
                } else {
                    &mut loss
                };
                *map.entry(v).or_insert(1.0) *= k;
            }
        }
    }
    if freq.is_empty() && loss.is_empty() {
        return Ok(out);
    }
    let keys = eco.scenarios();
    for key in &keys {
        if key.stakeholder != target {
            continue;
        }
        let (fk, lk) = (freq.get(&key.vulnerability), loss.get(&key.vulnerability));
        if fk.is_none() && lk.is_none() {
            continue;
        }
        let threat = eco.threat(key.threat);
        let pos = out.scenario_overrides.iter().position(|o| {
            o.threat == key.threat
                && o.vulnerability == key.vulnerability
                && o.stakeholder == key.stakeholder
        });
        let pos = pos.unwrap_or_else(|| {
            out.scenario_overrides.push(ScenarioOverride {
                threat: key.threat,
                vulnerability: key.vulnerability,
                stakeholder: key.stakeholder,
                frequency: None,
                capability: None,
                resistance: None,
                primary_loss: None,
                secondary_loss: None,
                provenance: Provenance {
                    source: None,
                    rationale: Some("holisec assess: hospital maturity adjustment".to_owned()),
                },
            });
            out.scenario_overrides.len() - 1
        });
        let o = &mut out.scenario_overrides[pos];
        if let Some(&k) = fk {
            let base = match &o.frequency {
                Some(f) => f.clone(),
                None => {
                    let n = keys
                        .iter()
                        .filter(|s| s.threat == key.threat && s.stakeholder == key.stakeholder)
                        .count()
                        .max(1);
                    let share = 1.0 / n as f64;
                    map_dist(&threat.frequency, |x| x * share)
                }
            };
            o.frequency = Some(map_dist(&base, |x| x * k));
        }
        if let Some(&k) = lk {
            let primary = o
                .primary_loss
                .clone()
                .unwrap_or_else(|| threat.primary_loss.clone());
            o.primary_loss = Some(map_dist(&primary, |x| x * k));
            let secondary = o
                .secondary_loss
                .clone()
                .or_else(|| threat.secondary_loss.clone());
            o.secondary_loss = secondary.map(|s| map_dist(&s, |x| x * k));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resistance_map_is_monotone_and_neutral_at_two() {
        for &x in &[0.0, 0.1, 0.5, 0.9, 1.0] {
            assert!((shift_resistance(x, 0.5) - x).abs() < 1e-12);
            let mut prev = -1.0;
            for k in 0..=40 {
                let y = shift_resistance(x, f64::from(k) / 40.0);
                assert!(y >= prev && (0.0..=1.0).contains(&y));
                prev = y;
            }
        }
        // Hand-computed: x = 0.5, M = 1 -> 0.5 + 0.6 * 0.5 = 0.8; M = 0 -> 0.5 * 0.4 = 0.2.
        assert!((shift_resistance(0.5, 1.0) - 0.8).abs() < 1e-12);
        assert!((shift_resistance(0.5, 0.0) - 0.2).abs() < 1e-12);
        assert!((lever_factor(0, 0.3) - 1.3).abs() < 1e-12);
        assert!((lever_factor(2, 0.3) - 1.0).abs() < 1e-12);
        assert!((lever_factor(4, 0.3) - 0.7).abs() < 1e-12);
    }
}
