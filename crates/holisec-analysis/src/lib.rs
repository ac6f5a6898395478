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

pub use centrality::{
    BETWEENNESS_PIVOTS, BetweennessAccuracy, EXACT_BETWEENNESS_MAX, StakeholderCentrality,
    centrality, centrality_with_accuracy,
};
pub use paths::{
    AttackPath, DomainExposure, MAX_PATHS_COUNTED, MAX_PATHS_LISTED, MotivationPaths, PathAccuracy,
    PathStep, attack_paths, domain_exposure, summarise,
};
pub use reach::{
    MAX_REACH_IDS, MAX_REACH_LISTED, MAX_REACH_VISITS, Reach, reach, reach_list_limit,
};

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
    /// Where figures are estimates or bounds rather than exact (large models).
    pub accuracy: Accuracy,
}

/// How exact the figures of an [`Analysis`] are. Small models get exact
/// figures; large ones are bounded so an analysis of 100,000 stakeholders
/// takes seconds, and this says where.
#[derive(Debug, Clone, Serialize)]
pub struct Accuracy {
    /// Betweenness: exact Brandes up to [`EXACT_BETWEENNESS_MAX`]
    /// stakeholders, else sampled from [`BETWEENNESS_PIVOTS`] sources with a
    /// stated error (also per stakeholder: `betweenness_error`).
    pub betweenness: BetweennessAccuracy,
    /// Attack path counts: complete unless more than [`MAX_PATHS_COUNTED`] paths exist.
    pub paths: PathAccuracy,
    /// Reach lists hold at most this many ids each ([`reach_list_limit`]).
    pub reach_listed_at_most: usize,
    /// True when some reach list was cut to `reach_listed_at_most`.
    pub reach_lists_cut: bool,
    /// False when some two-level count is a lower bound (see [`MAX_REACH_VISITS`]).
    pub reach_counts_exact: bool,
    /// The same, in words (empty when every figure is exact).
    pub notes: Vec<String>,
}

/// Runs every analysis.
pub fn analyze(eco: &Ecosystem, options: AnalysisOptions) -> Analysis {
    let (centrality, betweenness) = centrality_with_accuracy(eco);
    let reach = reach(eco);
    let (attack_paths, domains, paths) = summarise(
        eco,
        options.max_onward_hops,
        options.paths_per_motivation,
        MAX_PATHS_COUNTED,
    );
    let reach_lists_cut = reach.iter().any(|r| {
        r.one_level_count > r.within_one_level.len()
            || r.two_levels_count > r.within_two_levels.len()
    });
    let reach_counts_exact = reach.iter().all(|r| r.two_levels_exact);
    let listed = reach_list_limit(eco.stakeholders.len());
    let mut notes = Vec::new();
    if !betweenness.exact {
        notes.push(format!(
            "betweenness is estimated from {} of {} stakeholders as sources (Brandes-Pich sampling): each figure within its `betweenness_error` with 95% confidence, and all within {:.3} at once",
            betweenness.sources, betweenness.stakeholders, betweenness.max_error_95
        ));
    }
    if !paths.complete {
        notes.push(format!(
            "attack paths were counted up to {} paths: path totals and domain figures are lower bounds",
            paths.limit
        ));
    }
    if !paths.listed_in_full {
        notes.push(format!(
            "fewer attack paths are listed than asked (at most {MAX_PATHS_LISTED} per motivation, ranked within {} candidates); they are the best ones, in order",
            paths.limit
        ));
    }
    if reach_lists_cut {
        notes.push(format!(
            "reach lists show at most {listed} ids each (see the counts)"
        ));
    }
    if !reach_counts_exact {
        notes.push(format!(
            "two-level reach was counted within {MAX_REACH_VISITS} visits: where `two_levels_exact` is false the count is a lower bound"
        ));
    }
    Analysis {
        centrality,
        articulation_points: centrality::articulation_points(eco),
        reach,
        domains,
        attack_paths,
        accuracy: Accuracy {
            betweenness,
            paths,
            reach_listed_at_most: listed,
            reach_lists_cut,
            reach_counts_exact,
            notes,
        },
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
    use std::fmt::Write;

    /// A random valid model of `n` stakeholders with many ties: strengths,
    /// frequencies and resistances from small sets (zero included), parallel
    /// relations of both levels, threats of every motivation, repeated exploits.
    pub fn generated(n: usize, seed: u64) -> Ecosystem {
        let mut state = seed;
        let mut next = move |m: usize| -> usize {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % m.max(1) as u64) as usize
        };
        let kinds = [
            "healthcare-organisation",
            "solution-provider",
            "insurance-group",
        ];
        let rels = ["supplies", "advises", "funds"];
        let motivations = ["warfare", "terrorism", "espionage", "crime", "activism"];
        let domains = ["people", "process", "technology", "data", "governance"];
        let mut t = String::from("[ecosystem]\nname = \"g\"\nregion = \"t\"\ncurrency = \"EUR\"\n");
        for i in 0..n {
            let _ = write!(
                t,
                "[[stakeholder]]\nid = \"s{i}\"\nname = \"S{i}\"\nkind = \"{}\"\n",
                kinds[i % 3]
            );
        }
        // A spanning chain (every stakeholder related), then random extra relations.
        let extra = next(2 * n + 1);
        for k in 0..n - 1 + extra {
            let (a, b) = if k < n - 1 {
                (k, k + 1)
            } else {
                (next(n), next(n))
            };
            if a == b {
                continue;
            }
            let level = if next(3) == 0 { "second" } else { "first" };
            let strength = [0.0, 0.5, 1.0, 0.25][next(4)];
            let _ = write!(
                t,
                "[[relation]]\nfrom = \"s{a}\"\nto = \"s{b}\"\nlevel = \"{level}\"\nkind = \"{}\"\nstrength = {strength}\nrationale = \"g\"\n",
                rels[next(3)]
            );
        }
        let factors = 1 + next(n);
        for v in 0..factors {
            let _ = write!(
                t,
                "[[vulnerability]]\nid = \"v{v}\"\nstakeholder = \"s{}\"\ndomain = \"{}\"\nname = \"V\"\nresistance = {{ constant = {}, rationale = \"g\" }}\n",
                next(n),
                domains[next(5)],
                [0.0, 0.5, 1.0][next(3)]
            );
        }
        for h in 0..1 + next(6) {
            let exploits: Vec<String> = (0..1 + next(3))
                .map(|_| format!("\"v{}\"", next(factors)))
                .collect();
            let _ = write!(
                t,
                "[[threat]]\nid = \"t{h}\"\nmotivation = \"{}\"\nname = \"T\"\ntargets = [\"s{}\"]\nexploits = [{}]\nfrequency = {{ constant = {}, rationale = \"g\" }}\ncapability = {{ constant = 0.5, rationale = \"g\" }}\nprimary_loss = {{ constant = 1.0, rationale = \"g\" }}\n",
                motivations[next(5)],
                next(n),
                exploits.join(", "),
                [0.0, 1.0, 2.0][next(3)]
            );
        }
        let loaded = holisec_model::load_str(&t);
        assert!(!loaded.has_errors(), "{:?}\n{t}", loaded.diagnostics);
        loaded.ecosystem.expect("generated model is valid")
    }

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
