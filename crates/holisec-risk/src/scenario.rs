//! Scenarios derived from the model, and support items turned into FAIR controls.
//!
//! One scenario per (threat, exploited factor, targeted stakeholder) that
//! [`Ecosystem::scenarios`] connects. Every number comes from the model:
//!
//! * TEF: the threat's `frequency` is the attempts per year against ONE
//!   organisation of a target. It is split equally among that threat's scenarios
//!   for that target (`frequency_share = 1 / n`, n counted over the whole model
//!   whatever `--scenario` selects), and drawn once per (threat, target) and
//!   year, so the split scenarios share the year's threat climate. A
//!   `[[scenario]]` override with a `frequency` replaces the share: that scenario
//!   gets the override's TEF in full, drawn on its own.
//! * TCap: the threat's `capability` (or the override's).
//! * RS: the factor's `resistance` (or the override's), drawn once per factor
//!   and year and shared by every scenario exploiting that factor.
//! * LM: the threat's `primary_loss` + `secondary_loss` (or the override's).
//!
//! A support item applies to the scenarios whose factor it `mitigates`, through
//! its one `effect` ([`Controls`]).

use holisec_model::{Domain, Ecosystem, Motivation, ScenarioKey, StakeholderKind, SupportIdx};
use serde::Serialize;

use crate::fair::{Controls, FairInputs};

/// One Open FAIR scenario as derived from the model.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    /// `threat/vulnerability/stakeholder`.
    pub id: String,
    /// Model indices.
    #[serde(skip)]
    pub key: ScenarioKey,
    /// Threat id.
    pub threat: String,
    /// Factor id.
    pub vulnerability: String,
    /// Targeted stakeholder id.
    pub stakeholder: String,
    /// Kind of the targeted stakeholder.
    pub stakeholder_kind: StakeholderKind,
    /// The threat's motivation.
    pub motivation: Motivation,
    /// The factor's domain.
    pub domain: Domain,
    /// Id of the stakeholder owning the factor.
    pub factor_owner: String,
    /// True when the factor belongs to a solution provider other than the
    /// target: the shared-supplier scenarios of a portfolio.
    pub via_supplier: bool,
    /// FAIR inputs.
    pub inputs: FairInputs,
    /// Which inputs a `[[scenario]]` override replaced.
    pub overridden: Vec<&'static str>,
    /// Index of the TEF draw this scenario uses (see [`ScenarioSet::frequency_groups`]).
    #[serde(skip)]
    pub frequency_group: usize,
}

/// The scenarios of a model and the TEF draws they share.
#[derive(Debug, Clone)]
pub struct ScenarioSet {
    /// Every scenario, in [`Ecosystem::scenarios`] order.
    pub scenarios: Vec<Scenario>,
    /// One TEF distribution per (threat, target), plus one per frequency override.
    pub frequency_groups: Vec<holisec_model::Distribution>,
}

/// The id of a scenario: `threat/vulnerability/stakeholder`.
pub fn scenario_id(eco: &Ecosystem, key: ScenarioKey) -> String {
    format!(
        "{}/{}/{}",
        eco.threat(key.threat).id,
        eco.vulnerability(key.vulnerability).id,
        eco.stakeholder(key.stakeholder).id
    )
}

/// Derives every scenario of `eco`.
pub fn derive(eco: &Ecosystem) -> ScenarioSet {
    let keys = eco.scenarios();
    let mut groups: Vec<((u32, u32), usize)> = Vec::new();
    let mut frequency_groups = Vec::new();
    let mut scenarios = Vec::with_capacity(keys.len());
    for &key in &keys {
        let threat = eco.threat(key.threat);
        let factor = eco.vulnerability(key.vulnerability);
        let owner = eco.stakeholder(factor.stakeholder);
        let ov = eco.scenario_override(key);
        let siblings = keys
            .iter()
            .filter(|k| k.threat == key.threat && k.stakeholder == key.stakeholder)
            .count();
        let mut overridden = Vec::new();
        let (frequency, frequency_share, frequency_group) =
            match ov.and_then(|o| o.frequency.clone()) {
                Some(f) => {
                    overridden.push("frequency");
                    frequency_groups.push(f.clone());
                    (f, 1.0, frequency_groups.len() - 1)
                }
                None => {
                    let gk = (key.threat.0, key.stakeholder.0);
                    let g = match groups.iter().find(|(k, _)| *k == gk) {
                        Some((_, g)) => *g,
                        None => {
                            frequency_groups.push(threat.frequency.clone());
                            groups.push((gk, frequency_groups.len() - 1));
                            frequency_groups.len() - 1
                        }
                    };
                    (threat.frequency.clone(), 1.0 / siblings as f64, g)
                }
            };
        let mut pick = |name: &'static str,
                        o: Option<&holisec_model::Distribution>,
                        base: &holisec_model::Distribution| {
            match o {
                Some(d) => {
                    overridden.push(name);
                    d.clone()
                }
                None => base.clone(),
            }
        };
        let capability = pick(
            "capability",
            ov.and_then(|o| o.capability.as_ref()),
            &threat.capability,
        );
        let resistance = pick(
            "resistance",
            ov.and_then(|o| o.resistance.as_ref()),
            &factor.resistance,
        );
        let primary_loss = pick(
            "primary_loss",
            ov.and_then(|o| o.primary_loss.as_ref()),
            &threat.primary_loss,
        );
        let secondary_loss = match ov.and_then(|o| o.secondary_loss.clone()) {
            Some(d) => {
                overridden.push("secondary_loss");
                Some(d)
            }
            None => threat.secondary_loss.clone(),
        };
        scenarios.push(Scenario {
            id: scenario_id(eco, key),
            key,
            threat: threat.id.clone(),
            vulnerability: factor.id.clone(),
            stakeholder: eco.stakeholder(key.stakeholder).id.clone(),
            stakeholder_kind: eco.stakeholder(key.stakeholder).kind,
            motivation: threat.motivation,
            domain: factor.domain,
            factor_owner: owner.id.clone(),
            via_supplier: owner.kind == StakeholderKind::SolutionProvider
                && factor.stakeholder != key.stakeholder,
            inputs: FairInputs {
                frequency,
                frequency_share,
                capability,
                resistance,
                primary_loss,
                secondary_loss,
            },
            overridden,
            frequency_group,
        });
    }
    ScenarioSet {
        scenarios,
        frequency_groups,
    }
}

/// Why a selection of scenarios is not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SelectionError {
    /// A `--scenario` id that matches nothing.
    #[error(
        "unknown scenario `{given}`: expected `threat/vulnerability/stakeholder` (or a threat id, or `threat/vulnerability`){hint}"
    )]
    UnknownScenario {
        /// What was given.
        given: String,
        /// ", e.g. ..." with close ids.
        hint: String,
    },
    /// A `--stakeholder` id that is not in the model.
    #[error("unknown stakeholder `{given}`; the model's targeted stakeholders are: {known}")]
    UnknownStakeholder {
        /// What was given.
        given: String,
        /// Ids that would work.
        known: String,
    },
    /// The selection leaves nothing to simulate.
    #[error("no scenario to simulate: {0}")]
    Empty(String),
}

/// Which scenarios to keep: by id patterns and by targeted stakeholder.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Scenario ids, threat ids or `threat/vulnerability` prefixes; all when empty.
    pub scenarios: Vec<String>,
    /// Only scenarios targeting this stakeholder id.
    pub stakeholder: Option<String>,
}

fn matches(pattern: &str, s: &Scenario) -> bool {
    let parts: Vec<&str> = pattern.split('/').collect();
    match parts.as_slice() {
        [t] => *t == s.threat,
        [t, v] => *t == s.threat && *v == s.vulnerability,
        [t, v, h] => *t == s.threat && *v == s.vulnerability && *h == s.stakeholder,
        _ => false,
    }
}

impl Selection {
    /// The positions of the selected scenarios in `set`, in order.
    pub fn apply(&self, set: &ScenarioSet) -> Result<Vec<usize>, SelectionError> {
        if let Some(h) = &self.stakeholder
            && !set.scenarios.iter().any(|s| &s.stakeholder == h)
        {
            let mut known: Vec<&str> = set
                .scenarios
                .iter()
                .map(|s| s.stakeholder.as_str())
                .collect();
            known.sort();
            known.dedup();
            return Err(SelectionError::UnknownStakeholder {
                given: h.clone(),
                known: known.join(", "),
            });
        }
        for p in &self.scenarios {
            if !set.scenarios.iter().any(|s| matches(p, s)) {
                // Suggest ids at the pattern's granularity (threat, threat/vulnerability or full id).
                let segments = p.split('/').count().clamp(1, 3);
                let mut close: Vec<(usize, String)> = set
                    .scenarios
                    .iter()
                    .map(|s| {
                        let id: String =
                            s.id.split('/').take(segments).collect::<Vec<_>>().join("/");
                        (edit_distance(p, &id), id)
                    })
                    .collect();
                close.sort();
                close.dedup();
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; did you mean {}?",
                        close
                            .iter()
                            .take(3)
                            .map(|(_, id)| format!("`{id}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                return Err(SelectionError::UnknownScenario {
                    given: p.clone(),
                    hint,
                });
            }
        }
        let out: Vec<usize> = set
            .scenarios
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                self.stakeholder
                    .as_ref()
                    .is_none_or(|h| &s.stakeholder == h)
            })
            .filter(|(_, s)| {
                self.scenarios.is_empty() || self.scenarios.iter().any(|p| matches(p, s))
            })
            .map(|(i, _)| i)
            .collect();
        if out.is_empty() {
            return Err(SelectionError::Empty(if set.scenarios.is_empty() {
                "the model connects no threat to a target through a factor".into()
            } else {
                "the --scenario ids select no scenario of this --stakeholder".into()
            }));
        }
        Ok(out)
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The controls that `supports` put on `scenario`.
pub fn controls(eco: &Ecosystem, scenario: &Scenario, supports: &[SupportIdx]) -> Controls {
    let mut c = Controls::NONE;
    for &s in supports {
        let support = eco.support(s);
        if support.mitigates.contains(&scenario.key.vulnerability) {
            c.apply(&support.effect);
        }
    }
    c
}
