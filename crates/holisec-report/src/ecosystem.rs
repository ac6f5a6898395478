//! Section 2, the ecosystem: the figure (`holisec render`), the stakeholders
//! with their populations and sources, the most central stakeholders with
//! their reach, and the attack paths of each motivation (`holisec analyze`).

use holisec_analysis::{AnalysisOptions, analyze};
use holisec_model::{Ecosystem, RelationLevel, number};
use serde::Serialize;

/// Most central stakeholders listed.
const CENTRAL: usize = 5;
/// Attack paths listed per motivation.
const PATHS_PER_MOTIVATION: usize = 3;

/// One stakeholder of the model.
#[derive(Debug, Clone, Serialize)]
pub struct StakeholderRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Population in words (`15,000 hospitals`), if the model gives one.
    pub population: Option<String>,
    /// Where the population comes from (source, else rationale).
    pub source: Option<String>,
    /// Vulnerability factors of the stakeholder.
    pub factors: usize,
}

/// A central stakeholder and how far it reaches.
#[derive(Debug, Clone, Serialize)]
pub struct CentralRow {
    /// Name.
    pub name: String,
    /// Weighted PageRank (influence), 0..1.
    pub influence: f64,
    /// Betweenness (shortest paths through it).
    pub betweenness: f64,
    /// Stakeholders reached in one relation.
    pub reach_one_level: usize,
    /// Stakeholders reached in two relations.
    pub reach_two_levels: usize,
}

/// The best-scored attack paths of one motivation.
#[derive(Debug, Clone, Serialize)]
pub struct MotivationPathsRow {
    /// Motivation.
    pub motivation: String,
    /// Paths found in all.
    pub total_paths: usize,
    /// The first few, each as `threat → factor (domain) → stakeholder → ...`.
    pub paths: Vec<String>,
}

/// Section 2.
#[derive(Debug, Clone, Serialize)]
pub struct EcosystemSection {
    /// The ecosystem in one paragraph (counts).
    pub paragraph: String,
    /// The model's own description.
    pub description: Option<String>,
    /// The model's figure (SVG).
    #[serde(skip)]
    pub figure_svg: String,
    /// Every stakeholder.
    pub stakeholders: Vec<StakeholderRow>,
    /// The most influential stakeholders.
    pub central: Vec<CentralRow>,
    /// Articulation points: stakeholders whose loss splits the ecosystem.
    pub articulation_points: Vec<String>,
    /// Attack paths per motivation.
    pub attack_paths: Vec<MotivationPathsRow>,
}

pub(crate) fn section(eco: &Ecosystem) -> EcosystemSection {
    let analysis = analyze(
        eco,
        AnalysisOptions {
            paths_per_motivation: PATHS_PER_MOTIVATION,
            ..AnalysisOptions::default()
        },
    );
    let name_of = |id: &str| {
        eco.stakeholder_by_id(id)
            .map_or(id.to_owned(), |i| eco.stakeholder(i).name.clone())
    };
    let mut central = analysis.centrality.clone();
    central.sort_by(|a, b| b.influence.total_cmp(&a.influence).then(a.id.cmp(&b.id)));
    let central = central
        .iter()
        .take(CENTRAL)
        .map(|c| {
            let reach = analysis.reach.iter().find(|r| r.id == c.id);
            CentralRow {
                name: c.name.clone(),
                influence: c.influence,
                betweenness: c.betweenness,
                reach_one_level: reach.map_or(0, |r| r.one_level_count),
                reach_two_levels: reach.map_or(0, |r| r.two_levels_count),
            }
        })
        .collect();
    let attack_paths = analysis
        .attack_paths
        .iter()
        .map(|m| MotivationPathsRow {
            motivation: m.motivation.as_str().to_owned(),
            total_paths: m.total_paths,
            paths: m
                .paths
                .iter()
                .map(|p| {
                    let threat = eco
                        .threat_by_id(&p.threat)
                        .map_or(p.threat.clone(), |i| eco.threat(i).name.clone());
                    let factor = eco
                        .vulnerability_by_id(&p.vulnerability)
                        .map_or(p.vulnerability.clone(), |i| {
                            eco.vulnerability(i).name.clone()
                        });
                    let mut text = format!("{threat} → {factor} ({})", p.domain);
                    for step in &p.steps {
                        text.push_str(" → ");
                        text.push_str(&name_of(&step.stakeholder));
                    }
                    text
                })
                .collect(),
        })
        .collect();
    EcosystemSection {
        paragraph: paragraph(eco),
        description: eco.meta.description.as_ref().map(|d| d.trim().to_owned()),
        figure_svg: crate::svg::inline(&holisec_render::svg(eco), "eco"),
        stakeholders: stakeholders(eco),
        central,
        articulation_points: analysis
            .articulation_points
            .iter()
            .map(|id| name_of(id))
            .collect(),
        attack_paths,
    }
}

fn stakeholders(eco: &Ecosystem) -> Vec<StakeholderRow> {
    eco.stakeholder_indices()
        .map(|i| {
            let s = eco.stakeholder(i);
            StakeholderRow {
                id: s.id.clone(),
                name: s.name.clone(),
                kind: s.kind.as_str().to_owned(),
                population: s.population.as_ref().map(|p| {
                    format!(
                        "{}{} {}",
                        if p.at_least { "more than " } else { "" },
                        number::thousands(p.value),
                        p.unit
                    )
                }),
                source: s.population.as_ref().and_then(|p| {
                    p.provenance
                        .source
                        .clone()
                        .or_else(|| p.provenance.rationale.clone())
                }),
                factors: eco
                    .vulnerabilities
                    .iter()
                    .filter(|v| v.stakeholder == i)
                    .count(),
            }
        })
        .collect()
}

/// The ecosystem in one paragraph: what the model holds, in counts.
fn paragraph(eco: &Ecosystem) -> String {
    let first = eco
        .relations
        .iter()
        .filter(|r| r.level == RelationLevel::First)
        .count();
    let mut motivations: Vec<&str> = eco.threats.iter().map(|t| t.motivation.as_str()).collect();
    motivations.sort_unstable();
    motivations.dedup();
    let region = if eco.meta.name.contains(&eco.meta.region) {
        String::new()
    } else {
        format!(" ({})", eco.meta.region)
    };
    format!(
        "{}{region} links {} stakeholders by {} relations ({} first-level, direct; {} second-level, indirect). \
         They carry {} vulnerability factors in people, process, technology, data and governance; \
         {} threats with {} motivations ({}) exploit them, and {} support items (protection and training) answer them.",
        eco.meta.name,
        eco.stakeholders.len(),
        eco.relations.len(),
        first,
        eco.relations.len() - first,
        eco.vulnerabilities.len(),
        eco.threats.len(),
        motivations.len(),
        motivations.join(", "),
        eco.supports.len(),
    )
}
