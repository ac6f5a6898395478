//! Anonymous peer benchmarks of domain scores, with k-anonymity.
//!
//! An organisation compares its maturity per [`Domain`] with its peers':
//! the other opted-in organisations of its country or of the whole community
//! ([`Scope`]), optionally only those of its size band. For each domain the
//! output gives the number of contributors n and, **only when n ≥ k**, the
//! median, the quartiles and the organisation's percentile rank. It never
//! gives a minimum, a maximum, a peer's id or a raw score list: with fewer
//! than k contributors a domain is [`DomainBenchmark::Suppressed`] and says
//! only how many more contributors are needed.
//!
//! * k is at least [`K_MIN`] = 5 and can only be raised ([`KAnonymity`]).
//! * The requesting organisation is never its own peer.
//! * A peer without a (finite) score for a domain does not count for it.
//!
//! **Quantiles** are Hyndman and Fan's type 7 (the default of R and NumPy):
//! for sorted values x₀ ≤ … ≤ xₙ₋₁ and 0 ≤ p ≤ 1, h = (n − 1)·p and
//! Q(p) = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋+1 − x⌊h⌋). The median is Q(0.5), the
//! quartiles Q(0.25) and Q(0.75).
//!
//! **Percentile rank** of the organisation's score s among n peer scores:
//! 100 · (number below s + ½ · number equal to s) / n, so a score in the
//! middle of the peers ranks 50 and ties are split evenly.
//!
//! Limits, stated so the server can guard them: k-anonymity protects a single
//! answer. An organisation that asks with and without the size-band filter,
//! or before and after one peer joins, can difference the answers; the
//! server should rate-limit scope changes and recompute on a schedule rather
//! than on every new assessment. And with n = k the median is one peer's
//! actual score (unnamed).

use std::collections::{BTreeMap, HashSet};

use holisec_model::Domain;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::org::{OrgId, SizeBand};

/// The smallest k allowed: a domain needs at least five contributors.
pub const K_MIN: usize = 5;

/// The k of k-anonymity: at least [`K_MIN`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "usize", into = "usize")]
pub struct KAnonymity(usize);

impl KAnonymity {
    /// `k`, refused below [`K_MIN`].
    pub fn new(k: usize) -> Result<Self, PeerError> {
        if k < K_MIN {
            Err(PeerError::KTooSmall { k })
        } else {
            Ok(KAnonymity(k))
        }
    }

    /// The value.
    pub fn get(self) -> usize {
        self.0
    }
}

impl Default for KAnonymity {
    fn default() -> Self {
        KAnonymity(K_MIN)
    }
}

impl TryFrom<usize> for KAnonymity {
    type Error = PeerError;

    fn try_from(k: usize) -> Result<Self, Self::Error> {
        KAnonymity::new(k)
    }
}

impl From<KAnonymity> for usize {
    fn from(k: KAnonymity) -> Self {
        k.0
    }
}

/// Which organisations are peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The organisations of the same country.
    Country,
    /// Every organisation of the community.
    Community,
}

/// What to compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerQuery {
    /// Country or community.
    pub scope: Scope,
    /// Only peers of the requester's size band.
    pub same_size_band: bool,
    /// Fewest contributors a domain needs to be shown.
    pub k: KAnonymity,
}

/// One organisation's latest domain scores (the requester's, or an opted-in peer's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerScores {
    /// Its id, used only to leave the requester out and count each peer once.
    pub org: OrgId,
    /// ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
    /// Its size band.
    pub size_band: Option<SizeBand>,
    /// Score per domain.
    pub scores: BTreeMap<Domain, f64>,
}

/// The benchmark of one domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum DomainBenchmark {
    /// At least k contributors.
    Shown {
        /// Contributors.
        n: usize,
        /// Q(0.25).
        p25: f64,
        /// Q(0.5).
        median: f64,
        /// Q(0.75).
        p75: f64,
        /// The requester's own score, when it has one.
        own_score: Option<f64>,
        /// The requester's percentile rank among the peers, 0..100.
        percentile_rank: Option<f64>,
    },
    /// Fewer than k contributors: no figures at all.
    Suppressed {
        /// How many more contributors would show this domain.
        contributors_needed: usize,
    },
}

/// The answer: every domain, shown or suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerBenchmark {
    /// The query answered.
    pub query: PeerQuery,
    /// Every domain of the model, in domain order.
    pub domains: BTreeMap<Domain, DomainBenchmark>,
}

/// Why a benchmark cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeerError {
    /// k below the minimum.
    #[error("k = {k} is too small: peer benchmarks need at least {K_MIN} contributors per domain")]
    KTooSmall {
        /// The k asked for.
        k: usize,
    },
    /// Country scope, but the requester has no country.
    #[error(
        "a country benchmark needs the organisation's country; set it or compare with the whole community"
    )]
    NoCountry,
    /// Size-band filter, but the requester has no size band.
    #[error(
        "comparing with the same size band needs the organisation's size band; set it or drop the filter"
    )]
    NoSizeBand,
    /// One peer appears twice (the message names no one, since it may reach a user).
    #[error("a peer organisation appears twice in the peer scores; each peer must count once")]
    DuplicatePeer,
}

/// Compares `own` with `peers` (already opted in) under `query`.
pub fn benchmark(
    own: &PeerScores,
    peers: &[PeerScores],
    query: &PeerQuery,
) -> Result<PeerBenchmark, PeerError> {
    let group = peer_group(own, peers, query)?;
    let domains = Domain::ALL
        .iter()
        .map(|&domain| {
            let mut values: Vec<f64> = group
                .iter()
                .filter_map(|peer| peer.scores.get(&domain).copied())
                .filter(|v| v.is_finite())
                .collect();
            values.sort_by(f64::total_cmp);
            let own_score = own.scores.get(&domain).copied().filter(|v| v.is_finite());
            (domain, domain_benchmark(&values, own_score, query.k))
        })
        .collect();
    Ok(PeerBenchmark {
        query: *query,
        domains,
    })
}

/// The peers in scope, without the requester, each once.
fn peer_group<'a>(
    own: &PeerScores,
    peers: &'a [PeerScores],
    query: &PeerQuery,
) -> Result<Vec<&'a PeerScores>, PeerError> {
    let country = match query.scope {
        Scope::Country => Some(own.country.as_deref().ok_or(PeerError::NoCountry)?),
        Scope::Community => None,
    };
    let band = if query.same_size_band {
        Some(own.size_band.ok_or(PeerError::NoSizeBand)?)
    } else {
        None
    };
    let mut seen = HashSet::with_capacity(peers.len());
    let mut group = Vec::with_capacity(peers.len());
    for peer in peers {
        if !seen.insert(peer.org) {
            return Err(PeerError::DuplicatePeer);
        }
        let in_country = country.is_none_or(|c| peer.country.as_deref() == Some(c));
        let in_band = band.is_none_or(|b| peer.size_band == Some(b));
        if peer.org != own.org && in_country && in_band {
            group.push(peer);
        }
    }
    Ok(group)
}

fn domain_benchmark(sorted: &[f64], own_score: Option<f64>, k: KAnonymity) -> DomainBenchmark {
    let n = sorted.len();
    if n < k.get() {
        return DomainBenchmark::Suppressed {
            contributors_needed: k.get() - n,
        };
    }
    match (
        quantile(sorted, 0.25),
        quantile(sorted, 0.5),
        quantile(sorted, 0.75),
    ) {
        (Some(p25), Some(median), Some(p75)) => DomainBenchmark::Shown {
            n,
            p25,
            median,
            p75,
            own_score,
            percentile_rank: own_score.and_then(|s| percentile_rank(sorted, s)),
        },
        // Not reached (n >= k >= 5 values), but an empty answer beats a panic.
        _ => DomainBenchmark::Suppressed {
            contributors_needed: k.get(),
        },
    }
}

/// Type 7 quantile of sorted values (see the module documentation); `None` when empty or `p` is outside 0..=1.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let below = h.floor() as usize;
    let lower = *sorted.get(below)?;
    let upper = sorted.get(below + 1).copied().unwrap_or(lower);
    Some(lower + (h - below as f64) * (upper - lower))
}

/// Percentile rank of `score` among sorted values (see the module documentation); `None` when empty.
pub fn percentile_rank(sorted: &[f64], score: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let below = sorted.partition_point(|&v| v < score);
    let equal = sorted[below..].partition_point(|&v| v <= score);
    Some(100.0 * (below as f64 + 0.5 * equal as f64) / sorted.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scores(org: OrgId, country: &str, band: SizeBand, people: f64) -> PeerScores {
        PeerScores {
            org,
            country: Some(country.to_owned()),
            size_band: Some(band),
            scores: BTreeMap::from([(Domain::People, people)]),
        }
    }

    fn community_query(k: usize) -> PeerQuery {
        PeerQuery {
            scope: Scope::Community,
            same_size_band: false,
            k: KAnonymity::new(k).expect("k >= 5"),
        }
    }

    fn own() -> PeerScores {
        scores(1, "FR", SizeBand::Medium, 3.5)
    }

    /// `count` peers with ids from 7_000_001 and scores 1, 2, 3, ...
    fn peers(count: usize) -> Vec<PeerScores> {
        (0..count)
            .map(|i| {
                scores(
                    7_000_001 + i as OrgId,
                    "FR",
                    SizeBand::Medium,
                    i as f64 + 1.0,
                )
            })
            .collect()
    }

    #[test]
    fn k_minus_one_contributors_are_suppressed_and_k_are_shown() {
        let k = K_MIN;
        let below = benchmark(&own(), &peers(k - 1), &community_query(k)).expect("valid query");
        assert_eq!(
            below.domains[&Domain::People],
            DomainBenchmark::Suppressed {
                contributors_needed: 1
            }
        );
        assert_eq!(
            below.domains[&Domain::Data],
            DomainBenchmark::Suppressed {
                contributors_needed: k
            }
        );
        let at = benchmark(&own(), &peers(k), &community_query(k)).expect("valid query");
        // Scores 1..=5: Q(.25) = 2, Q(.5) = 3, Q(.75) = 4; own 3.5 is above 3 of 5 → 60.
        assert_eq!(
            at.domains[&Domain::People],
            DomainBenchmark::Shown {
                n: 5,
                p25: 2.0,
                median: 3.0,
                p75: 4.0,
                own_score: Some(3.5),
                percentile_rank: Some(60.0)
            }
        );
    }

    #[test]
    fn a_larger_k_suppresses_more() {
        let out = benchmark(&own(), &peers(6), &community_query(7)).expect("valid query");
        assert_eq!(
            out.domains[&Domain::People],
            DomainBenchmark::Suppressed {
                contributors_needed: 1
            }
        );
    }

    #[test]
    fn k_below_five_is_refused() {
        assert_eq!(KAnonymity::new(4), Err(PeerError::KTooSmall { k: 4 }));
        assert_eq!(KAnonymity::default().get(), K_MIN);
        assert!(serde_json::from_str::<KAnonymity>("3").is_err());
        assert_eq!(
            serde_json::from_str::<KAnonymity>("8")
                .ok()
                .map(KAnonymity::get),
            Some(8)
        );
        let err = KAnonymity::new(0).expect_err("too small").to_string();
        assert!(err.contains("at least 5"), "{err}");
    }

    #[test]
    fn the_requester_is_not_its_own_peer() {
        let mut group = peers(4);
        group.push(own());
        let out = benchmark(&own(), &group, &community_query(5)).expect("valid query");
        assert_eq!(
            out.domains[&Domain::People],
            DomainBenchmark::Suppressed {
                contributors_needed: 1
            }
        );
    }

    #[test]
    fn the_output_names_no_peer_and_no_extreme() {
        let group = peers(9);
        let out = benchmark(&own(), &group, &community_query(5)).expect("valid query");
        let json = serde_json::to_string(&out).expect("serialises");
        for peer in &group {
            assert!(!json.contains(&peer.org.to_string()), "peer id in {json}");
        }
        for word in ["min", "max", "org", "scores", "9.0", "1.0"] {
            assert!(!json.contains(word), "`{word}` in {json}");
        }
        assert!(
            json.contains(r#""people":{"status":"shown","n":9"#),
            "{json}"
        );
        assert!(
            json.contains(r#""data":{"status":"suppressed","contributors_needed":5}"#),
            "{json}"
        );
    }

    #[test]
    fn quantiles_match_hand_computed_type_7_values() {
        let six = [1.0, 2.0, 3.0, 4.0, 5.0, 10.0];
        // h = 5p: Q(.25) = x1 + .25 (x2 - x1) = 2.25; Q(.5) = 3.5; Q(.75) = x3 + .75 (x4 - x3) = 4.75.
        assert_eq!(quantile(&six, 0.25), Some(2.25));
        assert_eq!(quantile(&six, 0.5), Some(3.5));
        assert_eq!(quantile(&six, 0.75), Some(4.75));
        assert_eq!(quantile(&six, 0.0), Some(1.0));
        assert_eq!(quantile(&six, 1.0), Some(10.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&six, 1.5), None);
        assert_eq!(quantile(&six, f64::NAN), None);
        // 4 equals one value and is above three: (3 + 0.5) / 6.
        assert_eq!(percentile_rank(&six, 4.0), Some(100.0 * 3.5 / 6.0));
        assert_eq!(percentile_rank(&[2.0, 2.0, 2.0, 2.0, 2.0], 2.0), Some(50.0));
        assert_eq!(percentile_rank(&six, 0.0), Some(0.0));
        assert_eq!(percentile_rank(&six, 11.0), Some(100.0));
    }

    #[test]
    fn scope_and_size_band_filter_the_peers() {
        let mut group = peers(5);
        group.push(scores(8_000_001, "DE", SizeBand::Medium, 9.0));
        group.push(scores(8_000_002, "FR", SizeBand::Large, 9.0));
        let country = PeerQuery {
            scope: Scope::Country,
            ..community_query(5)
        };
        let out = benchmark(&own(), &group, &country).expect("valid query");
        assert!(
            matches!(
                out.domains[&Domain::People],
                DomainBenchmark::Shown { n: 6, .. }
            ),
            "FR only"
        );
        let banded = PeerQuery {
            same_size_band: true,
            ..country
        };
        let out = benchmark(&own(), &group, &banded).expect("valid query");
        assert!(
            matches!(
                out.domains[&Domain::People],
                DomainBenchmark::Shown { n: 5, .. }
            ),
            "FR and medium only"
        );
        let stateless = PeerScores {
            country: None,
            size_band: None,
            ..own()
        };
        assert_eq!(
            benchmark(&stateless, &group, &country),
            Err(PeerError::NoCountry)
        );
        let community_banded = PeerQuery {
            same_size_band: true,
            ..community_query(5)
        };
        assert_eq!(
            benchmark(&stateless, &group, &community_banded),
            Err(PeerError::NoSizeBand)
        );
    }

    #[test]
    fn non_finite_scores_do_not_count_and_duplicates_are_refused() {
        let mut group = peers(4);
        group.push(scores(9_000_001, "FR", SizeBand::Medium, f64::NAN));
        let out = benchmark(&own(), &group, &community_query(5)).expect("valid query");
        assert_eq!(
            out.domains[&Domain::People],
            DomainBenchmark::Suppressed {
                contributors_needed: 1
            }
        );
        group.push(group[0].clone());
        let err = benchmark(&own(), &group, &community_query(5)).expect_err("duplicate");
        assert_eq!(err, PeerError::DuplicatePeer);
        assert!(
            !err.to_string().contains("7000001"),
            "the error names no peer"
        );
    }

    proptest! {
        #[test]
        fn shown_figures_are_ordered_and_within_the_scores(values in prop::collection::vec(-1e6..1e6f64, 0..40), own_score in -1e6..1e6f64) {
            let group: Vec<PeerScores> = values.iter().enumerate().map(|(i, &v)| scores(i as OrgId + 10, "FR", SizeBand::Small, v)).collect();
            let me = scores(1, "FR", SizeBand::Small, own_score);
            let out = benchmark(&me, &group, &community_query(5)).expect("valid query");
            match &out.domains[&Domain::People] {
                DomainBenchmark::Shown { n, p25, median, p75, percentile_rank, .. } => {
                    prop_assert_eq!(*n, values.len());
                    prop_assert!(*n >= K_MIN);
                    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    prop_assert!(lo <= *p25 && p25 <= median && median <= p75 && *p75 <= hi);
                    prop_assert!(percentile_rank.is_some_and(|r| (0.0..=100.0).contains(&r)));
                }
                DomainBenchmark::Suppressed { contributors_needed } => {
                    prop_assert_eq!(*contributors_needed, K_MIN - values.len());
                }
            }
        }
    }
}
