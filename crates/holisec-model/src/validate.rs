//! Semantic checks of a parsed model file, and its conversion to an [`Ecosystem`].
//!
//! Every check runs on every entry: the user sees all problems of a file in one
//! go (the rustsec linter habit). References to entries that failed to parse
//! (`broken_ids`) are not reported again.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, did_you_mean};
use crate::dist::{Distribution, DistributionError, MAX_PERT_SHAPE, Range01OrNonNegative};
use crate::model::*;
use crate::wire::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum IdKind {
    Stakeholder,
    Vulnerability,
    Threat,
    Support,
}

impl IdKind {
    fn noun(self) -> &'static str {
        match self {
            IdKind::Stakeholder => "stakeholder",
            IdKind::Vulnerability => "vulnerability",
            IdKind::Threat => "threat",
            IdKind::Support => "support item",
        }
    }
}

struct Checker<'a> {
    diagnostics: &'a mut Vec<Diagnostic>,
    broken_ids: &'a HashSet<String>,
    ids: HashMap<String, (IdKind, u32, Range<usize>)>,
    ok: bool,
}

impl Checker<'_> {
    fn error(&mut self, diag: Diagnostic) {
        self.ok = false;
        self.diagnostics.push(diag);
    }

    fn warn(&mut self, diag: Diagnostic) {
        self.diagnostics.push(diag);
    }

    fn declare(&mut self, id: &Spanned<String>, kind: IdKind, index: usize) {
        let text = id.get_ref();
        if !valid_id(text) {
            self.error(
                Diagnostic::error(format!("invalid id `{text}`"), Some(id.span())).with_label(
                    "expected letters, digits, `-`, `_` or `.`, starting with a letter or digit",
                ),
            );
        }
        if let Some((other_kind, _, first)) = self.ids.get(text) {
            let first = first.clone();
            let other = other_kind.noun();
            self.error(
                Diagnostic::error(format!("duplicate id `{text}`"), Some(id.span()))
                    .with_label(format!("already used by a {other} at byte {}", first.start))
                    .with_help("ids must be unique across stakeholders, vulnerabilities, threats and support"),
            );
            return;
        }
        self.ids
            .insert(text.clone(), (kind, index as u32, id.span()));
    }

    /// Resolves a reference; reports unknown ids and ids of the wrong kind.
    fn resolve(&mut self, reference: &Spanned<String>, kind: IdKind, field: &str) -> Option<u32> {
        let text = reference.get_ref();
        match self.ids.get(text) {
            Some((k, index, _)) if *k == kind => Some(*index),
            Some((k, _, _)) => {
                let noun = k.noun();
                self.error(
                    Diagnostic::error(
                        format!("`{field}` refers to `{text}`, which is a {noun}"),
                        Some(reference.span()),
                    )
                    .with_label(format!("expected the id of a {}", kind.noun())),
                );
                None
            }
            None if self.broken_ids.contains(text) => {
                self.ok = false;
                None
            }
            None => {
                let candidates: Vec<&str> = self
                    .ids
                    .iter()
                    .filter(|(_, (k, _, _))| *k == kind)
                    .map(|(id, _)| id.as_str())
                    .collect();
                let mut diag = Diagnostic::error(
                    format!("unknown {} `{text}` in `{field}`", kind.noun()),
                    Some(reference.span()),
                )
                .with_label(format!("expected the id of a {}", kind.noun()));
                if let Some(best) = did_you_mean(text, candidates.iter().copied()) {
                    diag = diag.with_help(format!("did you mean `{best}`?"));
                }
                self.error(diag);
                None
            }
        }
    }

    fn distribution(
        &mut self,
        wire: &Spanned<DistributionWire>,
        range: Range01OrNonNegative,
        what: &str,
    ) -> Option<Distribution> {
        match wire.get_ref().to_distribution(range) {
            Ok(d) => Some(d),
            Err(err) => {
                let label = match (&err, range.magnitude()) {
                    (DistributionError::BadShapeParameter(_), _) => {
                        format!("expected a PERT shape above 0 and at most {MAX_PERT_SHAPE}")
                    }
                    (_, Some(m)) => format!("expected values from 0 to {:e} {}", m.max, m.what),
                    (_, None) if range == Range01OrNonNegative::UnitInterval => {
                        "expected a distribution on 0..=1".to_owned()
                    }
                    (_, None) => "expected a distribution of values >= 0".to_owned(),
                };
                let help = match (&err, range.magnitude()) {
                    (DistributionError::TooLarge { .. }, Some(m)) => m.why.to_owned(),
                    _ => "write e.g. `{ pert = [low, mode, high] }`, `{ lognormal_ci90 = [p5, p95] }`, `{ uniform = [a, b] }`, `{ triangular = [low, mode, high] }` or `{ constant = x }`".to_owned(),
                };
                self.error(
                    Diagnostic::error(format!("invalid {what}: {err}"), Some(wire.span()))
                        .with_label(label)
                        .with_help(help),
                );
                None
            }
        }
    }

    fn number(
        &mut self,
        value: &Spanned<f64>,
        range: Range01OrNonNegative,
        what: &str,
    ) -> Option<f64> {
        let v = *value.get_ref();
        let ok = match (range, range.magnitude()) {
            (Range01OrNonNegative::UnitInterval, _) => (0.0..=1.0).contains(&v),
            (_, Some(m)) => v.is_finite() && v >= 0.0 && v <= m.max,
            (_, None) => v.is_finite() && v >= 0.0,
        };
        if ok {
            Some(v)
        } else {
            let expected = match (range, range.magnitude()) {
                (Range01OrNonNegative::UnitInterval, _) => "a number between 0 and 1".to_owned(),
                (_, Some(m)) => format!("a number from 0 to {:e}", m.max),
                (_, None) => "a finite number >= 0".to_owned(),
            };
            let mut diag =
                Diagnostic::error(format!("{what} out of range: `{v}`"), Some(value.span()))
                    .with_label(format!("expected {expected}"));
            if let Some(m) = range.magnitude().filter(|m| v > m.max) {
                diag = diag.with_help(m.why);
            }
            self.error(diag);
            None
        }
    }

    fn provenance(
        &mut self,
        source: &Option<String>,
        rationale: &Option<String>,
        span: Range<usize>,
        what: &str,
    ) -> Provenance {
        let p = Provenance {
            source: source.clone(),
            rationale: rationale.clone(),
        };
        if p.is_empty() {
            self.warn(
                Diagnostic::warning(
                    format!("{what} has numbers without `source` or `rationale`"),
                    Some(span),
                )
                .with_label("add `source = \"...\"` or `rationale = \"...\"`"),
            );
        }
        p
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && id.len() <= 128
}

/// Merges entry-level and distribution-level provenance: a distribution's own
/// source wins over the entry's.
fn dist_provenance(wire: &DistributionWire, entry: &Provenance) -> Provenance {
    if wire.source.is_some() || wire.rationale.is_some() {
        Provenance {
            source: wire.source.clone(),
            rationale: wire.rationale.clone(),
        }
    } else {
        entry.clone()
    }
}

fn dist_has_provenance(wire: &Spanned<DistributionWire>) -> bool {
    wire.get_ref().source.is_some() || wire.get_ref().rationale.is_some()
}

/// Marker in `broken_ids`: the `[ecosystem]` table failed to parse (not a valid id, so no clash).
pub(crate) const BROKEN_ECOSYSTEM: &str = "[ecosystem]";
/// Marker in `broken_ids`: at least one `[[stakeholder]]` failed to parse.
pub(crate) const BROKEN_STAKEHOLDER: &str = "[stakeholder]";
/// Prefix in `broken_ids` of the `from`/`to` of a relation that failed to parse.
pub(crate) const BROKEN_RELATION_END: &str = "[relation]";

/// Validates `file` and builds the ecosystem. Returns `None` when any error was found.
pub fn validate(
    file: &ModelFile,
    broken_ids: &HashSet<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Ecosystem> {
    let mut c = Checker {
        diagnostics,
        broken_ids,
        ids: HashMap::new(),
        ok: true,
    };
    use Range01OrNonNegative::{Frequency, Loss, UnitInterval};

    let meta = match &file.ecosystem {
        Some(e) => {
            let currency = e.currency.get_ref();
            if !(currency.len() == 3 && currency.chars().all(|ch| ch.is_ascii_uppercase())) {
                c.error(
                    Diagnostic::error(
                        format!("invalid currency `{currency}`"),
                        Some(e.currency.span()),
                    )
                    .with_label("expected an ISO 4217 code such as `EUR`"),
                );
            }
            Some(EcosystemMeta {
                name: e.name.clone(),
                region: e.region.clone(),
                currency: e.currency.get_ref().clone(),
                description: e.description.clone(),
                sources: e.sources.clone(),
            })
        }
        None => {
            if !broken_ids.contains(BROKEN_ECOSYSTEM) {
                c.error(
                    Diagnostic::error("missing `[ecosystem]` table", Some(0..0))
                        .with_label("expected `[ecosystem]` with `name`, `region` and `currency`"),
                );
            }
            None
        }
    };
    if file.stakeholders.is_empty() && !broken_ids.contains(BROKEN_STAKEHOLDER) {
        c.error(
            Diagnostic::error("the model has no stakeholder", Some(0..0))
                .with_label("expected at least one `[[stakeholder]]`"),
        );
    }

    for (i, s) in file.stakeholders.iter().enumerate() {
        c.declare(&s.id, IdKind::Stakeholder, i);
    }
    for (i, v) in file.vulnerabilities.iter().enumerate() {
        c.declare(&v.id, IdKind::Vulnerability, i);
    }
    for (i, t) in file.threats.iter().enumerate() {
        c.declare(&t.id, IdKind::Threat, i);
    }
    for (i, s) in file.supports.iter().enumerate() {
        c.declare(&s.id, IdKind::Support, i);
    }

    let mut stakeholders = Vec::with_capacity(file.stakeholders.len());
    for s in &file.stakeholders {
        let population = s.population.as_ref().and_then(|p| {
            let span = p.span();
            let p = p.get_ref();
            let value = *p.value.get_ref();
            if !(value.is_finite() && value > 0.0) {
                c.error(
                    Diagnostic::error(
                        format!("population out of range: `{value}`"),
                        Some(p.value.span()),
                    )
                    .with_label("expected a finite number > 0"),
                );
                return None;
            }
            let provenance = c.provenance(
                &p.source,
                &p.rationale,
                span,
                &format!("population of `{}`", s.id.get_ref()),
            );
            Some(Population {
                value,
                unit: p.unit.clone(),
                at_least: p.at_least,
                provenance,
            })
        });
        stakeholders.push(Stakeholder {
            id: s.id.get_ref().clone(),
            name: s.name.clone(),
            kind: *s.kind.get_ref(),
            description: s.description.clone(),
            examples: s.examples.clone(),
            population,
        });
    }

    let mut vulnerabilities = Vec::with_capacity(file.vulnerabilities.len());
    for v in &file.vulnerabilities {
        let owner = c.resolve(&v.stakeholder, IdKind::Stakeholder, "stakeholder");
        let resistance = c.distribution(&v.resistance, UnitInterval, "resistance");
        let provenance = if dist_has_provenance(&v.resistance) {
            Provenance {
                source: v.source.clone(),
                rationale: v.rationale.clone(),
            }
        } else {
            c.provenance(
                &v.source,
                &v.rationale,
                v.id.span(),
                &format!("vulnerability `{}`", v.id.get_ref()),
            )
        };
        if let (Some(owner), Some(resistance)) = (owner, resistance) {
            let provenance = dist_provenance(v.resistance.get_ref(), &provenance);
            vulnerabilities.push(Vulnerability {
                id: v.id.get_ref().clone(),
                stakeholder: StakeholderIdx(owner),
                domain: *v.domain.get_ref(),
                name: v.name.clone(),
                description: v.description.clone(),
                resistance,
                provenance,
            });
        }
    }

    let mut relations = Vec::with_capacity(file.relations.len());
    let mut seen_relations: HashMap<(String, String, RelationLevel, RelationKind), Range<usize>> =
        HashMap::new();
    let mut related: HashSet<u32> = HashSet::new();
    for r in &file.relations {
        let from = c.resolve(&r.from, IdKind::Stakeholder, "from");
        let to = c.resolve(&r.to, IdKind::Stakeholder, "to");
        let strength = c.number(&r.strength, UnitInterval, "relation strength");
        if let Some(f) = from {
            related.insert(f);
        }
        if let Some(t) = to {
            related.insert(t);
        }
        if r.from.get_ref() == r.to.get_ref() {
            c.error(
                Diagnostic::error(
                    format!("relation from `{}` to itself", r.from.get_ref()),
                    Some(r.to.span()),
                )
                .with_label("expected a different stakeholder than `from`"),
            );
            continue;
        }
        let key = (
            r.from.get_ref().clone(),
            r.to.get_ref().clone(),
            *r.level.get_ref(),
            *r.kind.get_ref(),
        );
        if seen_relations.insert(key, r.from.span()).is_some() {
            c.warn(
                Diagnostic::warning(
                    format!(
                        "duplicate relation `{}` -> `{}` ({} level, {})",
                        r.from.get_ref(),
                        r.to.get_ref(),
                        r.level.get_ref(),
                        r.kind.get_ref()
                    ),
                    Some(r.from.span()),
                )
                .with_label("the same arrow is already defined"),
            );
        }
        let provenance = c.provenance(
            &r.source,
            &r.rationale,
            r.strength.span(),
            &format!("relation `{}` -> `{}`", r.from.get_ref(), r.to.get_ref()),
        );
        if let (Some(from), Some(to), Some(strength)) = (from, to, strength) {
            relations.push(Relation {
                from: StakeholderIdx(from),
                to: StakeholderIdx(to),
                level: *r.level.get_ref(),
                kind: *r.kind.get_ref(),
                strength,
                description: r.description.clone(),
                provenance,
            });
        }
    }
    for s in &file.stakeholders {
        if let Some((_, idx, _)) = c.ids.get(s.id.get_ref()) {
            let broken = c
                .broken_ids
                .contains(&format!("{BROKEN_RELATION_END}{}", s.id.get_ref()));
            if !related.contains(idx) && !broken {
                let id = s.id.get_ref().clone();
                c.error(
                    Diagnostic::error(format!("stakeholder `{id}` has no relation"), Some(s.id.span()))
                        .with_label("expected at least one `[[relation]]` from or to it")
                        .with_help(format!(
                            "every stakeholder of the ecosystem interacts with another; add e.g. `[[relation]] from = \"{id}\" to = \"...\" level = \"first\" kind = \"...\" strength = 0.5`"
                        )),
                );
            }
        }
    }

    let mut threats = Vec::with_capacity(file.threats.len());
    for t in &file.threats {
        let what = format!("threat `{}`", t.id.get_ref());
        if t.targets.is_empty() {
            c.error(
                Diagnostic::error(format!("{what} targets no stakeholder"), Some(t.id.span()))
                    .with_label("expected `targets = [\"stakeholder-id\", ...]`"),
            );
        }
        if t.exploits.is_empty() {
            c.error(
                Diagnostic::error(
                    format!("{what} exploits no vulnerability"),
                    Some(t.id.span()),
                )
                .with_label("expected `exploits = [\"vulnerability-id\", ...]`"),
            );
        }
        let targets: Vec<_> = t
            .targets
            .iter()
            .filter_map(|r| c.resolve(r, IdKind::Stakeholder, "targets"))
            .map(StakeholderIdx)
            .collect();
        let exploits: Vec<_> = t
            .exploits
            .iter()
            .filter_map(|r| c.resolve(r, IdKind::Vulnerability, "exploits"))
            .map(VulnerabilityIdx)
            .collect();
        warn_duplicates(&mut c, &t.targets, "targets");
        warn_duplicates(&mut c, &t.exploits, "exploits");
        let frequency = c.distribution(&t.frequency, Frequency, "frequency");
        let capability = c.distribution(&t.capability, UnitInterval, "capability");
        let primary_loss = c.distribution(&t.primary_loss, Loss, "primary loss");
        let secondary_loss = t
            .secondary_loss
            .as_ref()
            .map(|d| c.distribution(d, Loss, "secondary loss"));
        let all_dists_sourced = dist_has_provenance(&t.frequency)
            && dist_has_provenance(&t.capability)
            && dist_has_provenance(&t.primary_loss)
            && t.secondary_loss.as_ref().is_none_or(dist_has_provenance);
        let provenance = if all_dists_sourced {
            Provenance {
                source: t.source.clone(),
                rationale: t.rationale.clone(),
            }
        } else {
            c.provenance(&t.source, &t.rationale, t.id.span(), &what)
        };
        if let (Some(frequency), Some(capability), Some(primary_loss)) =
            (frequency, capability, primary_loss)
        {
            let secondary_loss = match secondary_loss {
                Some(Some(d)) => Some(d),
                Some(None) => continue,
                None => None,
            };
            let numbers = ThreatNumbersProvenance {
                frequency: dist_provenance(t.frequency.get_ref(), &provenance),
                capability: dist_provenance(t.capability.get_ref(), &provenance),
                primary_loss: dist_provenance(t.primary_loss.get_ref(), &provenance),
                secondary_loss: t
                    .secondary_loss
                    .as_ref()
                    .map(|d| dist_provenance(d.get_ref(), &provenance)),
            };
            threats.push(Threat {
                id: t.id.get_ref().clone(),
                motivation: *t.motivation.get_ref(),
                name: t.name.clone(),
                description: t.description.clone(),
                actors: t.actors.clone(),
                targets,
                exploits,
                frequency,
                capability,
                primary_loss,
                secondary_loss,
                provenance,
                numbers,
            });
        }
    }

    let mut supports = Vec::with_capacity(file.supports.len());
    for s in &file.supports {
        let what = format!("support `{}`", s.id.get_ref());
        let provider = c.resolve(&s.provider, IdKind::Stakeholder, "provider");
        if s.mitigates.is_empty() {
            c.error(
                Diagnostic::error(
                    format!("{what} mitigates no vulnerability"),
                    Some(s.id.span()),
                )
                .with_label("expected `mitigates = [\"vulnerability-id\", ...]`"),
            );
        }
        let mitigates: Vec<_> = s
            .mitigates
            .iter()
            .filter_map(|r| c.resolve(r, IdKind::Vulnerability, "mitigates"))
            .map(VulnerabilityIdx)
            .collect();
        warn_duplicates(&mut c, &s.mitigates, "mitigates");
        let change = c.number(&s.effect.get_ref().change, UnitInterval, "effect change");
        let cost = c.number(&s.annual_cost, Loss, "annual cost");
        let effect_wire = s.effect.get_ref();
        // The entry's own `source`/`rationale` backs the annual cost; the effect may carry
        // its own, and falls back to the entry's when it does not.
        let provenance = c.provenance(&s.source, &s.rationale, s.annual_cost.span(), &what);
        let effect_provenance = if effect_wire.source.is_some() || effect_wire.rationale.is_some() {
            Provenance {
                source: effect_wire.source.clone(),
                rationale: effect_wire.rationale.clone(),
            }
        } else {
            provenance.clone()
        };
        if let (Some(provider), Some(change), Some(annual_cost)) = (provider, change, cost) {
            supports.push(Support {
                id: s.id.get_ref().clone(),
                kind: *s.kind.get_ref(),
                name: s.name.clone(),
                description: s.description.clone(),
                provider: StakeholderIdx(provider),
                mitigates,
                effect: Effect {
                    on: effect_wire.on,
                    change,
                },
                annual_cost,
                provenance,
                effect_provenance,
            });
        }
    }

    let countries = countries(&mut c, &file.countries, &stakeholders);

    let (Some(meta), true) = (meta, c.ok) else {
        // Scenario overrides need every threat resolved; still check their references.
        for o in &file.scenarios {
            c.resolve(&o.threat, IdKind::Threat, "threat");
            c.resolve(&o.vulnerability, IdKind::Vulnerability, "vulnerability");
            c.resolve(&o.stakeholder, IdKind::Stakeholder, "stakeholder");
        }
        return None;
    };
    let mut ecosystem = Ecosystem {
        meta,
        stakeholders,
        vulnerabilities,
        relations,
        threats,
        supports,
        scenario_overrides: Vec::new(),
        countries,
    };

    // A threat whose exploited factors reach none of its targets produces no scenario.
    let scenarios = ecosystem.scenarios();
    for (t, wire) in ecosystem.threats.iter().enumerate().zip(&file.threats) {
        let (t, threat) = t;
        for (&v, reference) in threat.exploits.iter().zip(&wire.exploits) {
            let reaches = scenarios
                .iter()
                .any(|k| k.threat.index() == t && k.vulnerability == v);
            if !reaches {
                c.warn(
                    Diagnostic::warning(
                        format!(
                            "threat `{}` exploits `{}`, which belongs to none of its targets nor to a first-level partner of one",
                            threat.id,
                            ecosystem.vulnerability(v).id
                        ),
                        Some(reference.span()),
                    )
                    .with_label("this exploit produces no risk scenario"),
                );
            }
        }
    }

    let mut overrides = Vec::new();
    let mut seen = HashSet::new();
    for o in &file.scenarios {
        let threat = c.resolve(&o.threat, IdKind::Threat, "threat");
        let vulnerability = c.resolve(&o.vulnerability, IdKind::Vulnerability, "vulnerability");
        let stakeholder = c.resolve(&o.stakeholder, IdKind::Stakeholder, "stakeholder");
        let (Some(threat), Some(vulnerability), Some(stakeholder)) =
            (threat, vulnerability, stakeholder)
        else {
            continue;
        };
        let key = ScenarioKey {
            threat: ThreatIdx(threat),
            vulnerability: VulnerabilityIdx(vulnerability),
            stakeholder: StakeholderIdx(stakeholder),
        };
        if !scenarios.contains(&key) {
            c.error(
                Diagnostic::error(
                    format!(
                        "no scenario (`{}`, `{}`, `{}`) to override",
                        o.threat.get_ref(),
                        o.vulnerability.get_ref(),
                        o.stakeholder.get_ref()
                    ),
                    Some(o.threat.span()),
                )
                .with_label("expected a threat that targets this stakeholder and exploits this vulnerability")
                .with_help("a threat reaches a target through a factor of the target itself or of a first-level partner"),
            );
            continue;
        }
        if !seen.insert(key) {
            c.error(
                Diagnostic::error("duplicate scenario override", Some(o.threat.span()))
                    .with_label("this (threat, vulnerability, stakeholder) is already overridden"),
            );
            continue;
        }
        let dist = |c: &mut Checker<'_>, d: &Option<Spanned<DistributionWire>>, r, what| {
            d.as_ref().map(|d| c.distribution(d, r, what))
        };
        let frequency = dist(&mut c, &o.frequency, Frequency, "frequency");
        let capability = dist(&mut c, &o.capability, UnitInterval, "capability");
        let resistance = dist(&mut c, &o.resistance, UnitInterval, "resistance");
        let primary_loss = dist(&mut c, &o.primary_loss, Loss, "primary loss");
        let secondary_loss = dist(&mut c, &o.secondary_loss, Loss, "secondary loss");
        let provenance = c.provenance(
            &o.source,
            &o.rationale,
            o.threat.span(),
            "scenario override",
        );
        let flat = |d: Option<Option<Distribution>>| d.flatten();
        overrides.push(ScenarioOverride {
            threat: key.threat,
            vulnerability: key.vulnerability,
            stakeholder: key.stakeholder,
            frequency: flat(frequency),
            capability: flat(capability),
            resistance: flat(resistance),
            primary_loss: flat(primary_loss),
            secondary_loss: flat(secondary_loss),
            provenance,
        });
    }
    ecosystem.scenario_overrides = overrides;
    if c.ok { Some(ecosystem) } else { None }
}

/// `[[country]]` entries: two-letter codes, each once, at least one hospital
/// each, and as many as the model has national health systems.
fn countries(
    c: &mut Checker<'_>,
    wire: &[CountryWire],
    stakeholders: &[Stakeholder],
) -> Vec<Country> {
    let mut out: Vec<Country> = Vec::with_capacity(wire.len());
    let mut seen: HashSet<&str> = HashSet::new();
    for w in wire {
        let code = w.code.get_ref();
        let mut ok = true;
        if !(code.len() == 2 && code.chars().all(|ch| ch.is_ascii_uppercase())) {
            c.error(
                Diagnostic::error(
                    format!("invalid country code `{code}`"),
                    Some(w.code.span()),
                )
                .with_label("expected two capital letters, e.g. `IE`"),
            );
            ok = false;
        } else if !seen.insert(code.as_str()) {
            c.error(
                Diagnostic::error(
                    format!("country `{code}` is listed twice"),
                    Some(w.code.span()),
                )
                .with_label("expected each country once"),
            );
            ok = false;
        }
        let hospitals = *w.hospitals.get_ref();
        if hospitals == 0 {
            c.error(
                Diagnostic::error(
                    format!("country `{code}` has no hospital"),
                    Some(w.hospitals.span()),
                )
                .with_label("expected at least 1 hospital")
                .with_help("leave the country out of the model instead"),
            );
            ok = false;
        }
        let provenance = c.provenance(
            &w.source,
            &w.rationale,
            w.hospitals.span(),
            &format!("country `{code}`"),
        );
        if ok {
            out.push(Country {
                code: code.clone(),
                name: w.name.clone(),
                hospitals,
                definition: w.definition.clone(),
                provenance,
            });
        }
    }
    let systems = stakeholders
        .iter()
        .filter(|s| s.kind == StakeholderKind::NationalHealthSystem)
        .find_map(|s| s.population.as_ref().map(|p| p.value.round() as usize));
    if let (Some(systems), Some(first)) = (systems, wire.first())
        && systems != wire.len()
    {
        c.warn(
            Diagnostic::warning(
                format!(
                    "the model has {systems} national health systems but {} `[[country]]` entries",
                    wire.len()
                ),
                Some(first.code.span()),
            )
            .with_label(format!(
                "the simulator places organisations in the first {} countries listed",
                systems.clamp(1, wire.len())
            ))
            .with_help("give one `[[country]]` per national health system"),
        );
    }
    out
}

fn warn_duplicates(c: &mut Checker<'_>, list: &[Spanned<String>], field: &str) {
    let mut seen = HashSet::new();
    for r in list {
        if !seen.insert(r.get_ref()) {
            c.warn(
                Diagnostic::warning(
                    format!("`{}` appears twice in `{field}`", r.get_ref()),
                    Some(r.span()),
                )
                .with_label("duplicate entry is ignored"),
            );
        }
    }
}
