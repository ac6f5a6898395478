//! The questionnaire file format (TOML) and its loader.
//!
//! A questionnaire is a `[questionnaire]` header and `[[item]]` tables. Loading
//! checks everything at once and returns every problem as a
//! [`holisec_model::Diagnostic`] with a byte span, like the model loader: syntax,
//! unknown keys, duplicate ids, unknown domains, factors that are not
//! vulnerability ids of the model, weights, the five level sentences and the
//! four step costs.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use holisec_model::{Diagnostic, Domain, Ecosystem};
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The questionnaire shipped with holisec (`questionnaires/hospital.toml`).
pub const HOSPITAL_TOML: &str = include_str!("../../../questionnaires/hospital.toml");

/// Name used for the built-in questionnaire in messages.
pub const HOSPITAL_NAME: &str = "<built-in questionnaire hospital.toml>";

/// Highest maturity level.
pub const MAX_LEVEL: u8 = 4;

/// How an item changes risk besides resistance, when it says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lever {
    /// Resistance strength of the factors (always).
    Resistance,
    /// Threat event frequency of the scenarios through the factors.
    Frequency,
    /// Loss magnitude of the scenarios through the factors.
    Loss,
}

/// Framework references of an item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct References {
    /// NIST CSF 2.0 subcategory ids, e.g. `PR.AT-01`.
    #[serde(default)]
    pub nist_csf: Vec<String>,
    /// HHS 405(d) HICP 2023 sub-practice ids, e.g. `1.M.A`.
    #[serde(default)]
    pub hicp: Vec<String>,
    /// ENISA 2020 procurement good practice names.
    #[serde(default)]
    pub enisa: Vec<String>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Id, e.g. `PE-01`.
    pub id: String,
    /// Domain.
    pub domain: Domain,
    /// Short title.
    pub title: String,
    /// The question asked.
    pub question: String,
    /// Model vulnerability ids it bears on.
    pub factors: Vec<String>,
    /// Weight in the domain score (> 0).
    pub weight: f64,
    /// One sentence per level 0..=4.
    pub levels: [String; 5],
    /// Cost per year (EUR) of going from level k to k+1, k = 0..3.
    pub step_cost: [f64; 4],
    /// Extra lever (frequency or loss) with its maximum relative change, when stated.
    pub extra: Option<(Lever, f64)>,
    /// Framework references.
    pub references: References,
}

/// A loaded questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Questionnaire {
    /// Id.
    pub id: String,
    /// Version text.
    pub version: String,
    /// Title.
    pub title: String,
    /// Items in file order.
    pub items: Vec<Item>,
}

impl Questionnaire {
    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Position of the item with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWire {
    questionnaire: Spanned<HeaderWire>,
    #[serde(default)]
    item: Vec<Spanned<ItemWire>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderWire {
    id: String,
    version: String,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EffectWire {
    on: Spanned<String>,
    max_change: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemWire {
    id: Spanned<String>,
    domain: Spanned<String>,
    title: String,
    question: String,
    factors: Spanned<Vec<Spanned<String>>>,
    weight: Spanned<f64>,
    levels: Spanned<Vec<String>>,
    step_cost: Spanned<Vec<Spanned<f64>>>,
    #[serde(default)]
    effect: Option<EffectWire>,
    #[serde(default)]
    references: References,
}

/// Loads a questionnaire from TOML text, checking factor ids against `model`.
///
/// Returns the questionnaire only when there is no error; the diagnostics hold
/// every problem found.
pub fn load(text: &str, model: &Ecosystem) -> (Option<Questionnaire>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let wire: FileWire = match toml::from_str(text) {
        Ok(w) => w,
        Err(e) => {
            diags.push(
                Diagnostic::error(e.message().to_owned(), e.span()).with_label(
                    "expected a questionnaire: a [questionnaire] table and [[item]] tables",
                ),
            );
            return (None, diags);
        }
    };
    let header = wire.questionnaire.into_inner();
    if wire.item.is_empty() {
        diags.push(Diagnostic::error("questionnaire has no [[item]]", None));
    }
    let mut seen: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut items = Vec::new();
    for item in wire.item {
        let w = item.into_inner();
        let id = w.id.get_ref().trim().to_owned();
        if id.is_empty() {
            diags.push(Diagnostic::error("item id is empty", Some(w.id.span())));
        } else if let Some(first) = seen.get(&id) {
            diags.push(
                Diagnostic::error(format!("duplicate item id `{id}`"), Some(w.id.span()))
                    .with_label("already used")
                    .with_help(format!("first defined at byte {}", first.start)),
            );
        } else {
            seen.insert(id.clone(), w.id.span());
        }
        let domain = match Domain::ALL
            .iter()
            .find(|d| d.as_str() == w.domain.get_ref())
        {
            Some(d) => Some(*d),
            None => {
                let allowed: Vec<&str> = Domain::ALL.iter().map(|d| d.as_str()).collect();
                diags.push(
                    Diagnostic::error(
                        format!("item `{id}`: unknown domain `{}`", w.domain.get_ref()),
                        Some(w.domain.span()),
                    )
                    .with_label("expected a domain")
                    .with_help(format!("one of: {}", allowed.join(", "))),
                );
                None
            }
        };
        let mut factors = Vec::new();
        let mut fseen = HashSet::new();
        if w.factors.get_ref().is_empty() {
            diags.push(
                Diagnostic::error(
                    format!("item `{id}` bears on no factor"),
                    Some(w.factors.span()),
                )
                .with_label("expected at least one vulnerability id of the model"),
            );
        }
        for f in w.factors.get_ref() {
            let fid = f.get_ref();
            match model.vulnerability_by_id(fid) {
                None => {
                    let known: Vec<&str> = model
                        .vulnerabilities
                        .iter()
                        .map(|v| v.id.as_str())
                        .collect();
                    let close = known
                        .iter()
                        .filter(|k| strsim_close(k, fid))
                        .copied()
                        .collect::<Vec<_>>();
                    let mut d = Diagnostic::error(
                        format!("item `{id}`: unknown factor `{fid}`"),
                        Some(f.span()),
                    )
                    .with_label("expected a vulnerability id of the model");
                    if !close.is_empty() {
                        d = d.with_help(format!("did you mean `{}`?", close.join("`, `")));
                    }
                    diags.push(d);
                }
                Some(_) if !fseen.insert(fid.clone()) => diags.push(Diagnostic::error(
                    format!("item `{id}`: factor `{fid}` listed twice"),
                    Some(f.span()),
                )),
                Some(_) => factors.push(fid.clone()),
            }
        }
        let weight = *w.weight.get_ref();
        if !(weight.is_finite() && weight > 0.0 && weight <= 100.0) {
            diags.push(
                Diagnostic::error(
                    format!("item `{id}`: weight {weight} out of range"),
                    Some(w.weight.span()),
                )
                .with_label("expected a number in (0, 100]"),
            );
        }
        let levels = w.levels.get_ref();
        let levels_ok = levels.len() == 5 && levels.iter().all(|l| !l.trim().is_empty());
        if !levels_ok {
            diags.push(
                Diagnostic::error(
                    format!("item `{id}`: {} level sentences", levels.len()),
                    Some(w.levels.span()),
                )
                .with_label("expected 5 non-empty sentences, for levels 0, 1, 2, 3 and 4"),
            );
        }
        let costs = w.step_cost.get_ref();
        if costs.len() != 4 {
            diags.push(
                Diagnostic::error(
                    format!("item `{id}`: {} step costs", costs.len()),
                    Some(w.step_cost.span()),
                )
                .with_label("expected 4 costs (EUR/year) for the steps 0->1, 1->2, 2->3, 3->4"),
            );
        }
        for c in costs {
            if !(c.get_ref().is_finite() && *c.get_ref() >= 0.0) {
                diags.push(
                    Diagnostic::error(
                        format!(
                            "item `{id}`: step cost {} is negative or not finite",
                            c.get_ref()
                        ),
                        Some(c.span()),
                    )
                    .with_label("expected EUR per year >= 0"),
                );
            }
        }
        let extra = match &w.effect {
            None => None,
            Some(e) => {
                let lever = match e.on.get_ref().as_str() {
                    "frequency" => Some(Lever::Frequency),
                    "loss" => Some(Lever::Loss),
                    other => {
                        diags.push(
                            Diagnostic::error(
                                format!("item `{id}`: unknown effect `{other}`"),
                                Some(e.on.span()),
                            )
                            .with_label(
                                "expected `frequency` or `loss` (resistance is always changed)",
                            ),
                        );
                        None
                    }
                };
                let m = *e.max_change.get_ref();
                if !(0.0..1.0).contains(&m) {
                    diags.push(
                        Diagnostic::error(
                            format!("item `{id}`: max_change {m} out of range"),
                            Some(e.max_change.span()),
                        )
                        .with_label("expected a fraction in [0, 1)"),
                    );
                }
                lever.map(|l| (l, m))
            }
        };
        if let (Some(domain), true, 4) = (domain, levels_ok, costs.len()) {
            items.push(Item {
                id,
                domain,
                title: w.title,
                question: w.question,
                factors,
                weight,
                levels: std::array::from_fn(|k| levels[k].clone()),
                step_cost: std::array::from_fn(|k| *costs[k].get_ref()),
                extra,
                references: w.references,
            });
        }
    }
    diags.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    (
        Some(Questionnaire {
            id: header.id,
            version: header.version,
            title: header.title,
            items,
        }),
        diags,
    )
}

fn strsim_close(a: &str, b: &str) -> bool {
    // Cheap closeness: shares a dash-separated word of length >= 4.
    let words: HashSet<&str> = a.split('-').filter(|w| w.len() >= 4).collect();
    b.split('-').any(|w| words.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_questionnaire_loads_against_builtin_model() {
        let eco = holisec_model::builtin::europe().ecosystem.unwrap();
        let (q, diags) = load(HOSPITAL_TOML, &eco);
        assert!(diags.is_empty(), "{diags:#?}");
        let q = q.unwrap();
        assert!(q.items.len() >= 60, "{} items", q.items.len());
        for d in Domain::ALL {
            assert!(
                q.items.iter().filter(|i| i.domain == *d).count() >= 8,
                "{d:?}"
            );
        }
    }

    #[test]
    fn reports_every_error_at_once() {
        let eco = holisec_model::builtin::europe().ecosystem.unwrap();
        let text = r#"
[questionnaire]
id = "t"
version = "1"
title = "T"
[[item]]
id = "A"
domain = "peple"
title = "a"
question = "a?"
factors = ["ho-nope"]
weight = -1
levels = ["0", "1", "2", "3"]
step_cost = [1, 2, 3, 4]
[[item]]
id = "A"
domain = "people"
title = "a"
question = "a?"
factors = ["ho-backups"]
weight = 1
levels = ["0", "1", "2", "3", "4"]
step_cost = [1, 2, 3]
"#;
        let (q, diags) = load(text, &eco);
        assert!(q.is_none());
        let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        for want in [
            "unknown domain `peple`",
            "unknown factor `ho-nope`",
            "weight -1",
            "4 level sentences",
            "duplicate item id `A`",
            "3 step costs",
        ] {
            assert!(
                msgs.iter().any(|m| m.contains(want)),
                "{want} missing in {msgs:#?}"
            );
        }
        assert!(diags.iter().all(|d| d.span.is_some()));
    }
}
