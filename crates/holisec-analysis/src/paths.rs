//! Attack paths: threat -> exploited factor -> its stakeholder -> relations onward.
//!
//! Score of a path (stated in `analyze` output and docs):
//! `mean TEF x mean TCap x (1 - mean RS) x product of the weights of the
//! relations followed` (first level: strength; second level: half of it).
//! The first three factors approximate how often the threat turns into a loss
//! event at the entry point; the product discounts each step onward. It ranks
//! paths; it is not a probability (the risk engine computes those).

use holisec_model::{Domain, Ecosystem, Motivation, RelationKind, RelationLevel, StakeholderIdx};
use serde::Serialize;

use crate::SECOND_LEVEL_WEIGHT;

/// One stakeholder along a path and the relation that led to it.
#[derive(Debug, Clone, Serialize)]
pub struct PathStep {
    /// Stakeholder id.
    pub stakeholder: String,
    /// The relation followed to get here (`None` for the entry point).
    pub via: Option<RelationKind>,
    /// Its level.
    pub level: Option<RelationLevel>,
}

/// One attack path.
#[derive(Debug, Clone, Serialize)]
pub struct AttackPath {
    /// The threat's motivation.
    pub motivation: Motivation,
    /// Threat id.
    pub threat: String,
    /// Exploited factor id.
    pub vulnerability: String,
    /// Its domain.
    pub domain: Domain,
    /// Entry stakeholder (owner of the factor) then the stakeholders reached onward.
    pub steps: Vec<PathStep>,
    /// Whether the path passes through a stakeholder the threat targets.
    pub reaches_target: bool,
    /// Ranking score (see module docs).
    pub score: f64,
}

/// The best paths of one motivation.
#[derive(Debug, Clone, Serialize)]
pub struct MotivationPaths {
    /// The motivation.
    pub motivation: Motivation,
    /// How many paths exist in total.
    pub total_paths: usize,
    /// The best ones, highest score first.
    pub paths: Vec<AttackPath>,
}

/// How exposed one domain is.
#[derive(Debug, Clone, Serialize)]
pub struct DomainExposure {
    /// The domain.
    pub domain: Domain,
    /// Attack paths whose exploited factor is in this domain.
    pub paths: usize,
    /// Sum of their scores.
    pub total_score: f64,
    /// Distinct factors of this domain exploited by some threat.
    pub exploited_factors: usize,
}

/// Every simple path with up to `max_onward_hops` relations after the entry point
/// (the reference the streaming [`summarise`] is tested against).
#[cfg(test)]
pub(crate) fn enumerate_paths(eco: &Ecosystem, max_onward_hops: usize) -> Vec<AttackPath> {
    let n = eco.stakeholders.len();
    // Undirected edges with their relation, in model order, for deterministic output.
    let mut edges: Vec<Vec<(usize, RelationKind, RelationLevel, f64)>> = vec![Vec::new(); n];
    for r in &eco.relations {
        let w = match r.level {
            RelationLevel::First => r.strength,
            RelationLevel::Second => r.strength * SECOND_LEVEL_WEIGHT,
        };
        edges[r.from.index()].push((r.to.index(), r.kind, r.level, w));
        edges[r.to.index()].push((r.from.index(), r.kind, r.level, w));
    }
    let mut out = Vec::new();
    for threat in &eco.threats {
        let base_threat = threat.frequency.mean() * threat.capability.mean();
        for &v in &threat.exploits {
            let factor = eco.vulnerability(v);
            let base = base_threat * (1.0 - factor.resistance.mean());
            let entry = factor.stakeholder;
            let mut stack = vec![(
                vec![PathStep {
                    stakeholder: eco.stakeholder(entry).id.clone(),
                    via: None,
                    level: None,
                }],
                vec![entry.index()],
                base,
            )];
            while let Some((steps, visited, score)) = stack.pop() {
                let reaches_target = visited
                    .iter()
                    .any(|&i| threat.targets.contains(&StakeholderIdx(i as u32)));
                let last = *visited.last().unwrap_or(&entry.index());
                if visited.len() <= max_onward_hops {
                    for &(next, kind, level, w) in edges[last].iter().rev() {
                        if visited.contains(&next) {
                            continue;
                        }
                        let mut steps = steps.clone();
                        steps.push(PathStep {
                            stakeholder: eco.stakeholders[next].id.clone(),
                            via: Some(kind),
                            level: Some(level),
                        });
                        let mut visited = visited.clone();
                        visited.push(next);
                        stack.push((steps, visited, score * w));
                    }
                }
                out.push(AttackPath {
                    motivation: threat.motivation,
                    threat: threat.id.clone(),
                    vulnerability: factor.id.clone(),
                    domain: factor.domain,
                    steps,
                    reaches_target,
                    score,
                });
            }
        }
    }
    out
}

/// Most paths [`summarise`] counts (and most candidate paths it ranks) before
/// it stops: about a second of work. Above it, path counts and domain totals
/// are lower bounds ([`PathAccuracy::complete`] is false); the listed paths are
/// still the best ones in order, possibly fewer than asked.
pub const MAX_PATHS_COUNTED: u64 = 50_000_000;

/// Most paths listed per motivation, whatever `keep` asks.
pub const MAX_PATHS_LISTED: usize = 10_000;

/// Whether the path counts are complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PathAccuracy {
    /// Paths counted (every simple path up to the hop limit, when complete).
    pub counted: u64,
    /// False when counting stopped at [`MAX_PATHS_COUNTED`]: `total_paths`
    /// and the domain figures are then lower bounds.
    pub complete: bool,
    /// The counting limit.
    pub limit: u64,
    /// False when the ranking stopped at the limit too, or `keep` was above
    /// [`MAX_PATHS_LISTED`]: fewer paths are listed than asked (still the best ones).
    pub listed_in_full: bool,
}

/// One relation end: (next stakeholder, kind, level, weight).
type End = (usize, RelationKind, RelationLevel, f64);

/// Undirected relation ends per stakeholder, in model order.
fn ends(eco: &Ecosystem) -> Vec<Vec<End>> {
    let mut edges: Vec<Vec<End>> = vec![Vec::new(); eco.stakeholders.len()];
    for r in &eco.relations {
        let w = match r.level {
            RelationLevel::First => r.strength,
            RelationLevel::Second => r.strength * SECOND_LEVEL_WEIGHT,
        };
        edges[r.from.index()].push((r.to.index(), r.kind, r.level, w));
        edges[r.to.index()].push((r.from.index(), r.kind, r.level, w));
    }
    edges
}

/// The best `keep` paths per motivation, every motivation's path count and the
/// domains ranked by the paths crossing them, without holding the paths.
///
/// Same results as ranking every enumerated path (tested), in time linear in
/// the number of paths (capped at `limit`) for the counts, and in
/// `keep` x the degrees along the best paths for the ranking: scores never
/// grow along a path (weights are at most 1), so a best-first search pops
/// the paths in ranking order.
pub fn summarise(
    eco: &Ecosystem,
    max_onward_hops: usize,
    keep: usize,
    limit: u64,
) -> (Vec<MotivationPaths>, Vec<DomainExposure>, PathAccuracy) {
    let edges = ends(eco);
    let (totals, domains, mut accuracy) = count_paths(eco, &edges, max_onward_hops, limit);
    let mut ranked = Vec::with_capacity(Motivation::ALL.len());
    let mut work = 0u64;
    accuracy.listed_in_full = keep <= MAX_PATHS_LISTED;
    let keep = keep.min(MAX_PATHS_LISTED);
    for (mi, &motivation) in Motivation::ALL.iter().enumerate() {
        let paths = best_paths(
            eco,
            &edges,
            motivation,
            max_onward_hops,
            keep,
            limit,
            &mut work,
        );
        if work > limit {
            accuracy.listed_in_full = false;
        }
        ranked.push(MotivationPaths {
            motivation,
            total_paths: totals[mi] as usize,
            paths,
        });
    }
    (ranked, domains, accuracy)
}

/// Per motivation and per domain: paths and score sums, by depth-first search
/// in the enumeration order (so sums add up in the same order), at most `limit` paths.
fn count_paths(
    eco: &Ecosystem,
    edges: &[Vec<End>],
    hops: usize,
    limit: u64,
) -> (Vec<u64>, Vec<DomainExposure>, PathAccuracy) {
    let mut totals = vec![0u64; Motivation::ALL.len()];
    let mut paths = vec![0usize; Domain::ALL.len()];
    // -0.0: the neutral element of `Iterator::sum`, so sums match the reference bit for bit.
    let mut scores = vec![-0.0f64; Domain::ALL.len()];
    let mut counted = 0u64;
    let mut complete = true;
    // The path being extended: stakeholders, their scores, the next edge to try.
    let mut nodes: Vec<usize> = Vec::with_capacity(hops + 1);
    let mut score: Vec<f64> = Vec::with_capacity(hops + 1);
    let mut next: Vec<usize> = Vec::with_capacity(hops + 1);
    'all: for threat in &eco.threats {
        let mi = Motivation::ALL
            .iter()
            .position(|m| *m == threat.motivation)
            .unwrap_or(0);
        let base_threat = threat.frequency.mean() * threat.capability.mean();
        for &v in &threat.exploits {
            let factor = eco.vulnerability(v);
            let di = Domain::ALL
                .iter()
                .position(|d| *d == factor.domain)
                .unwrap_or(0);
            let base = base_threat * (1.0 - factor.resistance.mean());
            nodes.clear();
            score.clear();
            next.clear();
            nodes.push(factor.stakeholder.index());
            score.push(base);
            next.push(0);
            let mut fresh = true;
            loop {
                // Count each path once, when it is first on top of the stack.
                if fresh {
                    if counted >= limit {
                        complete = false;
                        break 'all;
                    }
                    counted += 1;
                    totals[mi] += 1;
                    paths[di] += 1;
                    scores[di] += score[score.len() - 1];
                }
                let top = nodes.len() - 1;
                let last = nodes[top];
                fresh = false;
                if nodes.len() <= hops {
                    while next[top] < edges[last].len() {
                        let (to, _, _, w) = edges[last][next[top]];
                        next[top] += 1;
                        if nodes.contains(&to) {
                            continue;
                        }
                        let s = score[top] * w;
                        nodes.push(to);
                        score.push(s);
                        next.push(0);
                        fresh = true;
                        break;
                    }
                }
                if !fresh {
                    nodes.pop();
                    score.pop();
                    next.pop();
                    if nodes.is_empty() {
                        break;
                    }
                }
            }
        }
    }
    let domains = rank_domains(eco, &paths, &scores);
    (
        totals,
        domains,
        PathAccuracy {
            counted,
            complete,
            limit,
            listed_in_full: true,
        },
    )
}
/// The best `keep` paths per motivation (motivations in their canonical order).
pub fn attack_paths(all: &[AttackPath], keep: usize) -> Vec<MotivationPaths> {
    Motivation::ALL
        .iter()
        .map(|&motivation| {
            let mut paths: Vec<AttackPath> = all
                .iter()
                .filter(|p| p.motivation == motivation)
                .cloned()
                .collect();
            let total_paths = paths.len();
            paths.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then_with(|| a.steps.len().cmp(&b.steps.len()))
                    .then_with(|| a.threat.cmp(&b.threat))
                    .then_with(|| a.vulnerability.cmp(&b.vulnerability))
            });
            paths.truncate(keep);
            MotivationPaths {
                motivation,
                total_paths,
                paths,
            }
        })
        .collect()
}

/// Domains ranked by the number of attack paths crossing them (then by score).
pub fn domain_exposure(eco: &Ecosystem, all: &[AttackPath]) -> Vec<DomainExposure> {
    let (paths, scores): (Vec<usize>, Vec<f64>) = Domain::ALL
        .iter()
        .map(|&domain| {
            let crossing = all.iter().filter(|p| p.domain == domain);
            (
                crossing.clone().count(),
                crossing.map(|p| p.score).sum::<f64>(),
            )
        })
        .unzip();
    rank_domains(eco, &paths, &scores)
}

/// The domains' exposure from their path counts and score sums ([`Domain::ALL`] order).
fn rank_domains(eco: &Ecosystem, paths: &[usize], scores: &[f64]) -> Vec<DomainExposure> {
    let mut factors: Vec<Vec<&str>> = vec![Vec::new(); Domain::ALL.len()];
    for v in eco.threats.iter().flat_map(|t| t.exploits.iter()) {
        let v = eco.vulnerability(*v);
        if let Some(d) = Domain::ALL.iter().position(|d| *d == v.domain) {
            factors[d].push(v.id.as_str());
        }
    }
    let mut out: Vec<DomainExposure> = Domain::ALL
        .iter()
        .enumerate()
        .map(|(d, &domain)| {
            factors[d].sort_unstable();
            factors[d].dedup();
            DomainExposure {
                domain,
                paths: paths[d],
                total_score: scores[d],
                exploited_factors: factors[d].len(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.paths
            .cmp(&a.paths)
            .then_with(|| b.total_score.total_cmp(&a.total_score))
    });
    out
}

/// A path in the best-first search: ordered so the best one is the greatest.
struct Candidate<'a> {
    score: f64,
    threat_id: &'a str,
    vulnerability_id: &'a str,
    threat: usize,
    exploit: usize,
    /// Stakeholders along the path, entry first.
    nodes: Vec<usize>,
    /// Positions, in each stakeholder's relation ends, of the relations followed.
    edges: Vec<usize>,
}

impl Candidate<'_> {
    /// The ranking of [`attack_paths`] (score, fewer steps, threat id, factor
    /// id), then the enumeration order: threat and exploit in model order,
    /// then depth-first in relation order, i.e. relation positions compared
    /// lexicographically.
    fn ranking(&self, other: &Self) -> std::cmp::Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.nodes.len().cmp(&self.nodes.len()))
            .then_with(|| other.threat_id.cmp(self.threat_id))
            .then_with(|| other.vulnerability_id.cmp(self.vulnerability_id))
            .then_with(|| other.threat.cmp(&self.threat))
            .then_with(|| other.exploit.cmp(&self.exploit))
            .then_with(|| other.edges.cmp(&self.edges))
    }
}

impl PartialEq for Candidate<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.ranking(other).is_eq()
    }
}

impl Eq for Candidate<'_> {}

impl PartialOrd for Candidate<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.ranking(other)
    }
}

/// The best `keep` paths of `motivation`, best first: a best-first search
/// from every entry point of its threats. A path never scores more than its
/// prefix (weights are at most 1) and comes after it in the ranking, so the
/// paths leave the heap in ranking order. `work` counts candidates across
/// calls; past `limit` the search stops with the paths found so far.
fn best_paths(
    eco: &Ecosystem,
    edges: &[Vec<End>],
    motivation: Motivation,
    hops: usize,
    keep: usize,
    limit: u64,
    work: &mut u64,
) -> Vec<AttackPath> {
    let mut heap = std::collections::BinaryHeap::new();
    for (t, threat) in eco.threats.iter().enumerate() {
        if threat.motivation != motivation {
            continue;
        }
        let base_threat = threat.frequency.mean() * threat.capability.mean();
        for (e, &v) in threat.exploits.iter().enumerate() {
            let factor = eco.vulnerability(v);
            heap.push(Candidate {
                score: base_threat * (1.0 - factor.resistance.mean()),
                threat_id: &threat.id,
                vulnerability_id: &factor.id,
                threat: t,
                exploit: e,
                nodes: vec![factor.stakeholder.index()],
                edges: Vec::new(),
            });
            *work += 1;
        }
    }
    let mut out = Vec::new();
    while out.len() < keep && *work <= limit {
        let Some(best) = heap.pop() else { break };
        if best.nodes.len() <= hops {
            let last = best.nodes[best.nodes.len() - 1];
            for (i, &(to, _, _, w)) in edges[last].iter().enumerate() {
                if best.nodes.contains(&to) {
                    continue;
                }
                let mut nodes = best.nodes.clone();
                nodes.push(to);
                let mut followed = best.edges.clone();
                followed.push(i);
                heap.push(Candidate {
                    score: best.score * w,
                    nodes,
                    edges: followed,
                    ..best
                });
                *work += 1;
            }
        }
        out.push(materialise(eco, edges, &best));
    }
    out
}

/// The [`AttackPath`] of a candidate.
fn materialise(eco: &Ecosystem, edges: &[Vec<End>], c: &Candidate<'_>) -> AttackPath {
    let threat = &eco.threats[c.threat];
    let factor = eco.vulnerability(threat.exploits[c.exploit]);
    let mut steps = vec![PathStep {
        stakeholder: eco.stakeholders[c.nodes[0]].id.clone(),
        via: None,
        level: None,
    }];
    for (k, &e) in c.edges.iter().enumerate() {
        let (to, kind, level, _) = edges[c.nodes[k]][e];
        steps.push(PathStep {
            stakeholder: eco.stakeholders[to].id.clone(),
            via: Some(kind),
            level: Some(level),
        });
    }
    AttackPath {
        motivation: threat.motivation,
        threat: threat.id.clone(),
        vulnerability: factor.id.clone(),
        domain: factor.domain,
        reaches_target: c
            .nodes
            .iter()
            .any(|&i| threat.targets.contains(&StakeholderIdx(i as u32))),
        steps,
        score: c.score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::chain;

    #[test]
    fn paths_of_the_chain_by_hand() {
        let eco = chain();
        let all = enumerate_paths(&eco, 2);
        // Ransomware enters at a (va): a, a-b, a-b-c, a-b-e = 4 paths.
        let ransom: Vec<_> = all.iter().filter(|p| p.threat == "ransom").collect();
        assert_eq!(ransom.len(), 4);
        // Base score: TEF 2 x TCap 0.6 x (1 - RS 0.2) = 0.96.
        let entry = ransom.iter().find(|p| p.steps.len() == 1).unwrap();
        assert!((entry.score - 0.96).abs() < 1e-12);
        assert!(entry.reaches_target);
        // a -> b (1.0) -> e (second level 0.4, weighted 0.2).
        let to_e = ransom
            .iter()
            .find(|p| p.steps.last().unwrap().stakeholder == "e")
            .unwrap();
        assert!((to_e.score - 0.96 * 1.0 * 0.2).abs() < 1e-12);
        assert_eq!(to_e.steps[2].level, Some(RelationLevel::Second));
    }

    #[test]
    fn paths_are_simple_and_bounded() {
        let eco = chain();
        for hops in 0..4 {
            for p in enumerate_paths(&eco, hops) {
                assert!(p.steps.len() <= hops + 1);
                let mut ids: Vec<_> = p.steps.iter().map(|s| &s.stakeholder).collect();
                ids.sort();
                ids.dedup();
                assert_eq!(ids.len(), p.steps.len(), "path revisits a stakeholder");
            }
        }
    }

    /// The streaming summary against ranking every enumerated path.
    fn assert_same_as_reference(eco: &Ecosystem, hops: usize, keep: usize) {
        let all = enumerate_paths(eco, hops);
        let (ranked, domains, accuracy) = summarise(eco, hops, keep, MAX_PATHS_COUNTED);
        assert!(accuracy.complete && accuracy.listed_in_full);
        assert_eq!(accuracy.counted, all.len() as u64);
        assert_eq!(
            format!("{:?}", attack_paths(&all, keep)),
            format!("{ranked:?}"),
            "hops {hops}, keep {keep}"
        );
        assert_eq!(
            format!("{:?}", domain_exposure(eco, &all)),
            format!("{domains:?}")
        );
    }

    #[test]
    fn the_streaming_summary_equals_the_full_enumeration_on_the_chain() {
        let eco = chain();
        for hops in 0..5 {
            for keep in [0, 1, 2, 3, 10, 100] {
                assert_same_as_reference(&eco, hops, keep);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Random models with many ties (few distinct strengths and frequencies,
        /// zero scores, parallel relations, repeated exploits).
        #[test]
        fn the_streaming_summary_equals_the_full_enumeration(
            n in 2usize..14,
            seed in proptest::prelude::any::<u64>(),
            hops in 0usize..5,
            keep in 0usize..30,
        ) {
            let eco = crate::fixtures::generated(n, seed);
            assert_same_as_reference(&eco, hops, keep);
        }
    }

    #[test]
    fn counting_stops_at_the_limit_and_says_so() {
        let eco = chain();
        let all = enumerate_paths(&eco, 3).len() as u64;
        let (ranked, _, accuracy) = summarise(&eco, 3, 2, all - 1);
        assert!(!accuracy.complete);
        assert_eq!(accuracy.counted, all - 1);
        // The listed paths are still the best ones.
        let (full, _, _) = summarise(&eco, 3, 2, MAX_PATHS_COUNTED);
        for (a, b) in ranked.iter().zip(&full) {
            assert_eq!(format!("{:?}", a.paths), format!("{:?}", b.paths));
        }
        let (_, _, accuracy) = summarise(&eco, 3, MAX_PATHS_LISTED + 1, MAX_PATHS_COUNTED);
        assert!(accuracy.complete && !accuracy.listed_in_full);
    }

    #[test]
    fn ranking_and_domains() {
        let eco = chain();
        let all = enumerate_paths(&eco, 2);
        let ranked = attack_paths(&all, 2);
        assert_eq!(ranked.len(), 5);
        let crime = ranked
            .iter()
            .find(|m| m.motivation == Motivation::Crime)
            .unwrap();
        assert_eq!(crime.total_paths, 4);
        assert_eq!(crime.paths.len(), 2);
        assert!(crime.paths[0].score >= crime.paths[1].score);
        let warfare = ranked
            .iter()
            .find(|m| m.motivation == Motivation::Warfare)
            .unwrap();
        assert_eq!(warfare.total_paths, 0);
        let domains = domain_exposure(&eco, &all);
        assert_eq!(domains.iter().map(|d| d.paths).sum::<usize>(), all.len());
        // Espionage enters at c (people): c, c-b, c-d, c-b-a, c-b-e = 5 paths; crime 4 via technology.
        assert_eq!(domains[0].domain, Domain::People);
        assert_eq!(domains[0].paths, 5);
        assert_eq!(domains[1].domain, Domain::Technology);
        assert_eq!(domains[1].paths, 4);
    }
}
