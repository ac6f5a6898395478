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

/// Every simple path with up to `max_onward_hops` relations after the entry point.
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
    let mut out: Vec<DomainExposure> = Domain::ALL
        .iter()
        .map(|&domain| {
            let mut factors: Vec<&str> = eco
                .threats
                .iter()
                .flat_map(|t| t.exploits.iter())
                .map(|&v| eco.vulnerability(v))
                .filter(|v| v.domain == domain)
                .map(|v| v.id.as_str())
                .collect();
            factors.sort_unstable();
            factors.dedup();
            let crossing = all.iter().filter(|p| p.domain == domain);
            DomainExposure {
                domain,
                paths: crossing.clone().count(),
                total_score: crossing.map(|p| p.score).sum(),
                exploited_factors: factors.len(),
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
