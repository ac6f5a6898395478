//! Calibration of a model's threat mix from incident evidence.
//!
//! VCDB-like data is a public-disclosure sample: it says which motivations and
//! which domains dominate among *reported* incidents, not how many attempts an
//! organisation faces per year. So calibration keeps the model's absolute level
//! and only redistributes it:
//!
//! 1. For each targeted stakeholder `s` of kind `k`, the **level** is the total
//!    threat event frequency the model gives `s` today: the sum over its
//!    scenarios of the scenario TEF (the threat's mean frequency split equally
//!    among its scenarios for `s`, or the override's mean frequency).
//! 2. The **motivation share** `p(m | k)` is the share of incidents touching `k`
//!    with a known motivation that show `m` (an incident with several
//!    motivations counts `1/n` for each), smoothed with a prior of `alpha`
//!    pseudo-incidents per motivation present at `s` (absence from a
//!    disclosure dataset is not evidence of absence), and renormalised over
//!    the motivations the model has at `s`. Unknown motives are left out.
//! 3. The **domain share** `p(d | m, k)` is computed the same way among the
//!    incidents with motivation `m` and a known domain, over the domains of
//!    the factors the model's `m` threats exploit at `s`.
//! 4. The scenario TEF of each (threat, factor, `s`) becomes
//!    `level * p(m | k) * p(d | m, k)`, split among the scenarios of the same
//!    cell in proportion to their current TEF, and is written as a
//!    `[[scenario]]` override whose distribution is the threat's own shape
//!    rescaled. Each threat's own frequency is rescaled by the ratio of its new
//!    to its old total; scenarios at targets without enough evidence get
//!    overrides that keep their old TEF, so only calibrated targets change.
//!
//! Every changed distribution records in `source` the evidence used (files,
//! record count, filter, date range) and in `rationale` the shares applied.

use std::collections::{BTreeMap, BTreeSet};

use holisec_model::wire::{DistributionWire, ModelFile, ScenarioWire};
use holisec_model::{Domain, Ecosystem, Motivation, ScenarioKey, StakeholderIdx, StakeholderKind};
use serde::Serialize;
use toml::Spanned;

use crate::mapping;
use crate::summary::Filter;
use crate::veris::{Evidence, Incident};

/// Settings of a calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrateOptions {
    /// Which incidents to use.
    pub filter: Filter,
    /// Pseudo-incidents added to every motivation (and domain) present in the model.
    pub prior: f64,
    /// Fewest incidents with a known motivation needed to calibrate a stakeholder kind.
    pub min_incidents: usize,
    /// Names of the evidence files, for provenance.
    pub sources: Vec<String>,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions {
            filter: Filter::default(),
            prior: 0.5,
            min_incidents: 20,
            sources: Vec::new(),
        }
    }
}

/// Why a calibration could not run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CalibrateError {
    /// The prior is negative or not finite.
    #[error("the prior must be a finite number >= 0, found {0}")]
    BadPrior(f64),
    /// No incident passed the filter.
    #[error("no incident passes the filter ({0}); nothing to calibrate from")]
    NoIncidents(String),
    /// The model file does not match the ecosystem.
    #[error("the model file and the validated model disagree: {0}")]
    Mismatch(String),
}

/// Motivation shares at one target, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareChange {
    /// Motivation.
    pub motivation: Motivation,
    /// Share of the target's TEF before.
    pub before: f64,
    /// Share after.
    pub after: f64,
}

/// What happened at one targeted stakeholder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetReport {
    /// Stakeholder id.
    pub stakeholder: String,
    /// Its kind.
    pub kind: StakeholderKind,
    /// Incidents touching that kind with a known motivation.
    pub incidents: usize,
    /// Total TEF kept (events per year against one organisation).
    pub level: f64,
    /// Whether the mix was recalibrated.
    pub calibrated: bool,
    /// Why not, when not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Motivation shares before and after.
    pub shares: Vec<ShareChange>,
}

/// The result: the new model file and a report.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The calibrated model file.
    pub file: ModelFile,
    /// One entry per targeted stakeholder.
    pub targets: Vec<TargetReport>,
    /// Incidents used (after the filter).
    pub incidents: usize,
    /// The `source` text written into the model.
    pub source: String,
}

/// Evidence weights per stakeholder kind.
#[derive(Default)]
struct KindWeights {
    known: usize,
    motivation: BTreeMap<Motivation, f64>,
    domain: BTreeMap<(Motivation, Domain), f64>,
}

fn weights(incidents: &[&Incident]) -> BTreeMap<StakeholderKind, KindWeights> {
    let mut out: BTreeMap<StakeholderKind, KindWeights> = BTreeMap::new();
    for i in incidents {
        let motivations = mapping::known_motivations(i);
        if motivations.is_empty() {
            continue;
        }
        let domains = mapping::incident_domains(i);
        let wm = 1.0 / motivations.len() as f64;
        for kind in mapping::incident_stakeholders(i) {
            let w = out.entry(kind).or_default();
            w.known += 1;
            for &m in &motivations {
                *w.motivation.entry(m).or_default() += wm;
                let wd = wm / domains.len().max(1) as f64;
                for &d in &domains {
                    *w.domain.entry((m, d)).or_default() += wd;
                }
            }
        }
    }
    out
}

/// Rounds to 6 significant digits, so written files stay readable.
fn round6(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.5e}").parse().unwrap_or(x)
}

/// `wire` with every value multiplied by `factor` (a constant `mean` when the shape has mean 0).
fn scaled(wire: &DistributionWire, factor: f64, target_mean: f64) -> DistributionWire {
    let mut out = DistributionWire {
        shape: wire.shape,
        ..DistributionWire::default()
    };
    let s = |v: &Vec<f64>| v.iter().map(|x| round6(x * factor)).collect::<Vec<f64>>();
    if !factor.is_finite() || target_mean == 0.0 {
        out.shape = None;
        out.constant = Some(round6(target_mean));
        return out;
    }
    out.pert = wire.pert.as_ref().map(s);
    out.lognormal_ci90 = wire.lognormal_ci90.as_ref().map(s);
    out.uniform = wire.uniform.as_ref().map(s);
    out.triangular = wire.triangular.as_ref().map(s);
    out.constant = wire.constant.map(|c| round6(c * factor));
    out
}

fn spanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// Recalibrates the threat mix of `file` (whose validated form is `eco`) from `evidence`.
pub fn calibrate(
    file: &ModelFile,
    eco: &Ecosystem,
    evidence: &Evidence,
    options: &CalibrateOptions,
) -> Result<Calibration, CalibrateError> {
    if !(options.prior.is_finite() && options.prior >= 0.0) {
        return Err(CalibrateError::BadPrior(options.prior));
    }
    if file.threats.len() != eco.threats.len() {
        return Err(CalibrateError::Mismatch(
            "different numbers of threats".into(),
        ));
    }
    let kept: Vec<&Incident> = evidence
        .incidents
        .iter()
        .filter(|i| options.filter.keeps(i))
        .collect();
    if kept.is_empty() {
        return Err(CalibrateError::NoIncidents(options.filter.describe()));
    }
    let years: Vec<i32> = kept.iter().filter_map(|i| i.year).collect();
    let range = match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) => format!("incident years {a}-{b}"),
        _ => "incident years unknown".to_owned(),
    };
    let files = if options.sources.is_empty() {
        "(unnamed input)".to_owned()
    } else {
        options.sources.join(", ")
    };
    let source = format!(
        "VERIS incidents (VERIS Community Database (VCDB), Verizon RISK team, CC BY-SA 4.0): {files}; {} records read, {} incidents used, filter: {}, {range}; holisec evidence calibrate",
        evidence.counts.records,
        kept.len(),
        options.filter.describe()
    );
    let weights = weights(&kept);
    let alpha = options.prior;

    let scenarios = eco.scenarios();
    let mut per_target: BTreeMap<StakeholderIdx, Vec<ScenarioKey>> = BTreeMap::new();
    for key in &scenarios {
        per_target.entry(key.stakeholder).or_default().push(*key);
    }
    let count_at = |t, s| {
        scenarios
            .iter()
            .filter(|k| k.threat == t && k.stakeholder == s)
            .count()
    };
    let current = |key: &ScenarioKey| -> f64 {
        match eco
            .scenario_override(*key)
            .and_then(|o| o.frequency.as_ref())
        {
            Some(f) => f.mean(),
            None => {
                eco.threat(key.threat).frequency.mean()
                    / count_at(key.threat, key.stakeholder) as f64
            }
        }
    };

    // New TEF per scenario, for calibrated targets.
    let mut new_tef: BTreeMap<ScenarioKey, (f64, String)> = BTreeMap::new();
    let mut uncalibrated: BTreeSet<StakeholderIdx> = BTreeSet::new();
    let mut reports = Vec::new();
    for (&s, keys) in &per_target {
        let stakeholder = eco.stakeholder(s);
        let kind = stakeholder.kind;
        let w = weights.get(&kind);
        let known = w.map_or(0, |w| w.known);
        let old: Vec<f64> = keys.iter().map(current).collect();
        let level: f64 = old.iter().sum();
        let motivation_of = |k: &ScenarioKey| eco.threat(k.threat).motivation;
        let domain_of = |k: &ScenarioKey| eco.vulnerability(k.vulnerability).domain;
        let mut share_before: BTreeMap<Motivation, f64> = BTreeMap::new();
        for (k, c) in keys.iter().zip(&old) {
            *share_before.entry(motivation_of(k)).or_default() += c;
        }
        let reason = if known < options.min_incidents {
            Some(format!(
                "{known} incidents with a known motivation touch {kind}, fewer than {}; mix kept",
                options.min_incidents
            ))
        } else if level <= 0.0 {
            Some(
                "the model gives this stakeholder no threat events; nothing to redistribute"
                    .to_owned(),
            )
        } else {
            None
        };
        let mut share_after = share_before.clone();
        if let (None, Some(w)) = (&reason, w) {
            let present: BTreeSet<Motivation> = keys.iter().map(motivation_of).collect();
            let m_total: f64 = present
                .iter()
                .map(|m| w.motivation.get(m).copied().unwrap_or(0.0) + alpha)
                .sum();
            share_after.clear();
            for &m in &present {
                let pm = if m_total > 0.0 {
                    (w.motivation.get(&m).copied().unwrap_or(0.0) + alpha) / m_total
                } else {
                    1.0 / present.len() as f64
                };
                share_after.insert(m, pm * level);
                let m_keys: Vec<(usize, &ScenarioKey)> = keys
                    .iter()
                    .enumerate()
                    .filter(|(_, k)| motivation_of(k) == m)
                    .collect();
                let domains: BTreeSet<Domain> = m_keys.iter().map(|(_, k)| domain_of(k)).collect();
                let d_total: f64 = domains
                    .iter()
                    .map(|d| w.domain.get(&(m, *d)).copied().unwrap_or(0.0) + alpha)
                    .sum();
                for &d in &domains {
                    let pd = if d_total > 0.0 {
                        (w.domain.get(&(m, d)).copied().unwrap_or(0.0) + alpha) / d_total
                    } else {
                        1.0 / domains.len() as f64
                    };
                    let cell: Vec<(usize, &ScenarioKey)> = m_keys
                        .iter()
                        .copied()
                        .filter(|(_, k)| domain_of(k) == d)
                        .collect();
                    let cell_old: f64 = cell.iter().map(|(i, _)| old[*i]).sum();
                    let cell_new = level * pm * pd;
                    for (i, k) in &cell {
                        let part = if cell_old > 0.0 {
                            old[*i] / cell_old
                        } else {
                            1.0 / cell.len() as f64
                        };
                        let rationale = format!(
                            "evidence mix at {} ({kind}, {known} incidents with a known motivation, prior {alpha}): {m} {:.1}% of threat events, {d} {:.1}% of {m}; level kept: {} events/year in all at this stakeholder",
                            stakeholder.id,
                            pm * 100.0,
                            pd * 100.0,
                            round6(level)
                        );
                        new_tef.insert(**k, (cell_new * part, rationale));
                    }
                }
            }
        } else {
            uncalibrated.insert(s);
        }
        let shares = share_before
            .iter()
            .map(|(m, b)| ShareChange {
                motivation: *m,
                before: if level > 0.0 { b / level } else { 0.0 },
                after: if level > 0.0 {
                    share_after.get(m).copied().unwrap_or(0.0) / level
                } else {
                    0.0
                },
            })
            .collect();
        reports.push(TargetReport {
            stakeholder: stakeholder.id.clone(),
            kind,
            incidents: known,
            level,
            calibrated: reason.is_none(),
            reason,
            shares,
        });
    }

    let mut out = file.clone();
    // Threat-level frequencies: the ratio of new to old totals over calibrated scenarios.
    let mut threat_factor: BTreeMap<usize, f64> = BTreeMap::new();
    for (t, threat) in eco.threats.iter().enumerate() {
        let (mut old_sum, mut new_sum) = (0.0, 0.0);
        for (key, (tef, _)) in new_tef.iter().filter(|(k, _)| k.threat.index() == t) {
            old_sum += current(key);
            new_sum += tef;
        }
        if old_sum <= 0.0 || (new_sum - old_sum).abs() <= 1e-12 * old_sum {
            continue;
        }
        let factor = new_sum / old_sum;
        threat_factor.insert(t, factor);
        let wire = out.threats[t].frequency.get_ref().clone();
        let mut new = scaled(&wire, factor, threat.frequency.mean() * factor);
        new.source = Some(source.clone());
        new.rationale = Some(format!(
            "threat frequency rescaled by {} so that its calibrated scenarios add up to the evidence mix; per-target values are in the [[scenario]] overrides",
            round6(factor)
        ));
        out.threats[t].frequency = spanned(new);
    }

    // Scenario overrides.
    for key in &scenarios {
        let threat = eco.threat(key.threat);
        let existing = eco
            .scenario_override(*key)
            .and_then(|o| o.frequency.as_ref())
            .is_some();
        let (tef, rationale, src) = match new_tef.get(key) {
            Some((tef, rationale)) => (*tef, rationale.clone(), source.clone()),
            None if uncalibrated.contains(&key.stakeholder)
                && threat_factor.contains_key(&key.threat.index())
                && !existing =>
            {
                let old = current(key);
                let why = format!(
                    "kept the pre-calibration value ({} events/year): too little evidence for {} to recalibrate it, while the threat's own frequency was rescaled",
                    round6(old),
                    eco.stakeholder(key.stakeholder).kind
                );
                let src = threat
                    .provenance
                    .source
                    .clone()
                    .unwrap_or_else(|| "pre-calibration model".into());
                (old, why, src)
            }
            None => continue,
        };
        let base_wire = match eco
            .scenario_override(*key)
            .and_then(|o| o.frequency.as_ref())
        {
            Some(_) => file
                .scenarios
                .iter()
                .find(|o| same_key(o, eco, key))
                .and_then(|o| o.frequency.as_ref())
                .map(|f| f.get_ref().clone()),
            None => None,
        };
        let (base, base_mean) = match base_wire {
            Some(w) => {
                let mean = current(key);
                (w, mean)
            }
            None => (
                file.threats[key.threat.index()].frequency.get_ref().clone(),
                threat.frequency.mean(),
            ),
        };
        let factor = if base_mean > 0.0 {
            tef / base_mean
        } else {
            f64::NAN
        };
        let mut dist = scaled(&base, factor, tef);
        dist.source = Some(src);
        dist.rationale = Some(rationale);
        match out.scenarios.iter_mut().find(|o| same_key(o, eco, key)) {
            Some(o) => o.frequency = Some(spanned(dist)),
            None => out.scenarios.push(ScenarioWire {
                threat: spanned(threat.id.clone()),
                vulnerability: spanned(eco.vulnerability(key.vulnerability).id.clone()),
                stakeholder: spanned(eco.stakeholder(key.stakeholder).id.clone()),
                frequency: Some(spanned(dist)),
                capability: None,
                resistance: None,
                primary_loss: None,
                secondary_loss: None,
                source: None,
                rationale: Some(
                    "threat event frequency of this scenario set by `holisec evidence calibrate`"
                        .into(),
                ),
            }),
        }
    }
    if let Some(meta) = out.ecosystem.as_mut()
        && !meta.sources.contains(&source)
    {
        meta.sources.push(source.clone());
    }
    Ok(Calibration {
        file: out,
        targets: reports,
        incidents: kept.len(),
        source,
    })
}

fn same_key(o: &ScenarioWire, eco: &Ecosystem, key: &ScenarioKey) -> bool {
    *o.threat.get_ref() == eco.threat(key.threat).id
        && *o.vulnerability.get_ref() == eco.vulnerability(key.vulnerability).id
        && *o.stakeholder.get_ref() == eco.stakeholder(key.stakeholder).id
}
