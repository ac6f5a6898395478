//! Weighted maturity per domain.
//!
//! For a domain d with items i (weight w_i, level m_i in 0..=4, unanswered = 0):
//! `score_d = sum(w_i * m_i) / sum(w_i)`, on the 0..4 scale, and
//! `percent_d = 100 * score_d / 4`. The overall score uses every item the same way.

use holisec_model::Domain;
use serde::Serialize;

use crate::questionnaire::{MAX_LEVEL, Questionnaire};

/// Score of one domain (or of the whole questionnaire when `domain` is `None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainScore {
    /// The domain; `None` for the overall score.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub domain: Option<Domain>,
    /// Weighted mean maturity, 0..4.
    pub score: f64,
    /// `100 * score / 4`.
    pub percent: f64,
    /// Items in the domain.
    pub items: usize,
    /// Items answered.
    pub answered: usize,
}

/// Scores of a set of answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scores {
    /// One per domain, in the order people, process, technology, data, governance.
    pub domains: Vec<DomainScore>,
    /// Over all items.
    pub overall: DomainScore,
}

/// Scores `levels` (in item order) with `answered[i]` telling whether item i was answered.
pub fn score(q: &Questionnaire, levels: &[u8], answered: &[bool]) -> Scores {
    let one = |domain: Option<Domain>| {
        let (mut wm, mut w, mut n, mut a) = (0.0, 0.0, 0, 0);
        for (i, item) in q.items.iter().enumerate() {
            if domain.is_some_and(|d| d != item.domain) {
                continue;
            }
            let level = levels.get(i).copied().unwrap_or(0).min(MAX_LEVEL);
            wm += item.weight * f64::from(level);
            w += item.weight;
            n += 1;
            if answered.get(i).copied().unwrap_or(false) {
                a += 1;
            }
        }
        let score = if w > 0.0 { wm / w } else { 0.0 };
        DomainScore {
            domain,
            score,
            percent: 100.0 * score / f64::from(MAX_LEVEL),
            items: n,
            answered: a,
        }
    };
    Scores {
        domains: Domain::ALL.iter().map(|d| one(Some(*d))).collect(),
        overall: one(None),
    }
}
