//! Graph analysis of the ecosystem: who is central, what a compromise reaches,
//! and the attack paths each motivation can take.
//!
//! The relation graph is read as *undirected* for exposure: an arrow says who
//! supplies or employs whom, but a compromise travels both ways along a
//! relation (a phished employee exposes the hospital that employs them; a
//! hospital's breach exposes its supplier's remote access). First-level
//! relations weigh their full strength, second-level ones half of it, because
//! they act through an intermediary.
//!
//! Everything here is a pure function of an [`Ecosystem`]; results derive
//! `Serialize` because they are an output format on purpose (`analyze --json`).

mod centrality;
mod paths;
mod reach;

pub use centrality::{StakeholderCentrality, centrality};
pub use paths::{
    AttackPath, DomainExposure, MotivationPaths, PathStep, attack_paths, domain_exposure,
};
pub use reach::{Reach, reach};

use holisec_model::{Ecosystem, RelationLevel};
use serde::Serialize;

/// Weight of a second-level relation relative to its strength.
pub const SECOND_LEVEL_WEIGHT: f64 = 0.5;

/// Options of a full analysis.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisOptions {
    /// How many attack paths to keep per motivation.
    pub paths_per_motivation: usize,
    /// How many relations a path may follow after reaching the first stakeholder.
    pub max_onward_hops: usize,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            paths_per_motivation: 10,
            max_onward_hops: 2,
        }
    }
}

/// Everything `holisec analyze` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Per stakeholder: degree, betweenness, influence; sorted by influence, highest first.
    pub centrality: Vec<StakeholderCentrality>,
    /// Ids of stakeholders whose removal disconnects the relation graph.
    pub articulation_points: Vec<String>,
    /// Per stakeholder, in model order: what it reaches within one and two levels.
    pub reach: Vec<Reach>,
    /// Per motivation, the best-scored attack paths.
    pub attack_paths: Vec<MotivationPaths>,
    /// Domains ranked by how many attack paths cross them.
    pub domains: Vec<DomainExposure>,
}

/// Runs every analysis.
pub fn analyze(eco: &Ecosystem, options: AnalysisOptions) -> Analysis {
    let all_paths = paths::enumerate_paths(eco, options.max_onward_hops);
    Analysis {
        centrality: centrality(eco),
        articulation_points: centrality::articulation_points(eco),
        reach: reach(eco),
        domains: domain_exposure(eco, &all_paths),
        attack_paths: attack_paths(&all_paths, options.paths_per_motivation),
    }
}

/// Undirected weighted adjacency of the relation graph: `adjacency[i]` lists
/// `(j, weight)`, parallel relations summed, sorted by `j`.
pub(crate) fn weighted_adjacency(eco: &Ecosystem) -> Vec<Vec<(usize, f64)>> {
    let n = eco.stakeholders.len();
    let mut weights = vec![std::collections::BTreeMap::<usize, f64>::new(); n];
    for r in &eco.relations {
        let w = match r.level {
            RelationLevel::First => r.strength,
            RelationLevel::Second => r.strength * SECOND_LEVEL_WEIGHT,
        };
        let (a, b) = (r.from.index(), r.to.index());
        *weights[a].entry(b).or_default() += w;
        *weights[b].entry(a).or_default() += w;
    }
    weights
        .into_iter()
        .map(|m| m.into_iter().collect())
        .collect()
}

#[cfg(test)]
pub(crate) mod fixtures {
    use holisec_model::Ecosystem;

    /// A five-stakeholder chain a - b - c - d plus e hanging off b by a second-level relation.
    pub fn chain() -> Ecosystem {
        let text = r#"
[ecosystem]
name = "chain"
region = "test"
currency = "EUR"

[[stakeholder]]
id = "a"
name = "A"
kind = "healthcare-organisation"
[[stakeholder]]
id = "b"
name = "B"
kind = "solution-provider"
[[stakeholder]]
id = "c"
name = "C"
kind = "healthcare-professional"
[[stakeholder]]
id = "d"
name = "D"
kind = "insurance-group"
[[stakeholder]]
id = "e"
name = "E"
kind = "advocacy-group"

[[vulnerability]]
id = "va"
stakeholder = "a"
domain = "technology"
name = "legacy systems"
resistance = { constant = 0.2, rationale = "test" }
[[vulnerability]]
id = "vc"
stakeholder = "c"
domain = "people"
name = "phishing"
resistance = { constant = 0.5, rationale = "test" }

[[relation]]
from = "b"
to = "a"
level = "first"
kind = "supplies"
strength = 1.0
rationale = "test"
[[relation]]
from = "b"
to = "c"
level = "first"
kind = "trains"
strength = 1.0
rationale = "test"
[[relation]]
from = "c"
to = "d"
level = "first"
kind = "advises"
strength = 0.5
rationale = "test"
[[relation]]
from = "e"
to = "b"
level = "second"
kind = "advises"
strength = 0.4
rationale = "test"

[[threat]]
id = "ransom"
motivation = "crime"
name = "Ransomware"
targets = ["a"]
exploits = ["va"]
frequency = { constant = 2.0, rationale = "test" }
capability = { constant = 0.6, rationale = "test" }
primary_loss = { constant = 1000.0, rationale = "test" }
[[threat]]
id = "spy"
motivation = "espionage"
name = "Espionage"
targets = ["c", "b"]
exploits = ["vc"]
frequency = { constant = 1.0, rationale = "test" }
capability = { constant = 0.9, rationale = "test" }
primary_loss = { constant = 10.0, rationale = "test" }
"#;
        let loaded = holisec_model::load_str(text);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        loaded.ecosystem.expect("fixture is valid")
    }
}
