//! The ecosystem map: the model as a graph for an interactive viewer (the
//! server's `/map` page draws it with cytoscape.js), with the details shown
//! when a stakeholder is selected and the attack paths of one motivation.
//!
//! * [`map`] returns [`EcosystemMap`]: nodes and edges in cytoscape's element
//!   format (`{ "data": {...}, "classes": "..." }`), coloured with the
//!   article's code that `holisec-render` draws the static figure with
//!   (stakeholders green, vulnerability factors orange, threats black italic,
//!   support black bold, first-level relations solid, second-level dashed).
//! * Per stakeholder ([`StakeholderDetail`]): its factors by domain, the
//!   threats that target it or exploit its factors, the support that
//!   mitigates its factors, what it reaches within one and two levels and its
//!   centrality, from `holisec-analysis`.
//! * [`MapFilter`]: keep one domain's factors and one motivation's threats;
//!   with a motivation, its best attack paths as lists of element ids to
//!   highlight.
//!
//! Element ids are prefixed by what they are (`s:` stakeholder, `v:` factor,
//! `t:` threat, `p:` support, `r<n>` relation `n` of the model, `e:` the
//! other edges) so ids of different kinds never collide.

use std::collections::BTreeMap;

use holisec_analysis::AttackPath;
use holisec_model::{
    Domain, Ecosystem, Motivation, RelationLevel, StakeholderIdx, SupportKind, VulnerabilityIdx,
};
use holisec_render::svg::{FACTOR_FILL, FACTOR_STROKE, STAKEHOLDER_FILL, STAKEHOLDER_STROKE};
use serde::Serialize;

use crate::ApiError;

/// Attack paths listed for the selected motivation.
pub const PATHS_SHOWN: usize = 10;
/// Relations an attack path may follow after its entry stakeholder.
pub const PATH_ONWARD_HOPS: usize = 2;

/// What to keep on the map.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapFilter {
    /// Only this domain's factors (and the threats and support linked to them).
    pub domain: Option<Domain>,
    /// Only this motivation's threats; its attack paths are listed.
    pub motivation: Option<Motivation>,
}

impl MapFilter {
    /// The filter from a request's `domain` and `motivation` values (empty
    /// or absent: no filter); an unknown value is an [`ApiError::Option`]
    /// naming the field and the accepted values.
    pub fn parse(domain: Option<&str>, motivation: Option<&str>) -> Result<MapFilter, ApiError> {
        Ok(MapFilter {
            domain: parse_one("domain", domain, Domain::ALL, |d| d.as_str())?,
            motivation: parse_one("motivation", motivation, Motivation::ALL, |m| m.as_str())?,
        })
    }
}

fn parse_one<T: Copy>(
    option: &'static str,
    raw: Option<&str>,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<Option<T>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    all.iter()
        .find(|v| name(**v) == raw)
        .map(|v| Some(*v))
        .ok_or_else(|| ApiError::Option {
            option,
            value: raw.chars().take(60).collect(),
            expected: format!(
                "one of {}",
                all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", ")
            ),
        })
}

/// The map of an ecosystem.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EcosystemMap {
    /// The model's name.
    pub name: String,
    /// The filter applied (`null` fields: none).
    pub filter: FilterView,
    /// Nodes and edges, in cytoscape's element format.
    pub elements: Elements,
    /// Per stakeholder, in model order: what the side panel shows.
    pub stakeholders: Vec<StakeholderDetail>,
    /// With a motivation filter: its best attack paths, best first.
    pub attack_paths: Vec<MapPath>,
    /// The domains and motivations a filter may name.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub domains: Vec<Domain>,
    /// See `domains`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub motivations: Vec<Motivation>,
}

/// [`MapFilter`] as output.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FilterView {
    /// Domain kept, if any.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub domain: Option<Domain>,
    /// Motivation kept, if any.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub motivation: Option<Motivation>,
}

/// Cytoscape's `elements: { nodes, edges }`.
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Elements {
    /// Nodes.
    pub nodes: Vec<Element>,
    /// Edges.
    pub edges: Vec<Element>,
}

/// One cytoscape element: its data and its classes (space separated).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Element {
    /// The element's data.
    pub data: ElementData,
    /// Style classes: `stakeholder`, `factor`, `threat`, `support`,
    /// `relation first|second`, `has`, `exploits`, `targets`, `mitigates`.
    pub classes: String,
}

/// Data of a node or an edge (`source`/`target` on edges only).
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ElementData {
    /// Element id (see the module docs for the prefixes).
    pub id: String,
    /// Text drawn on the element.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Edge source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Edge target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Fill colour (the article's code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fill: Option<&'static str>,
    /// Border colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stroke: Option<&'static str>,
    /// A factor's domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub domain: Option<Domain>,
    /// A threat's motivation.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub motivation: Option<Motivation>,
    /// The stakeholder a factor belongs to, or a support item's provider (`s:` id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// A stakeholder's ring in the concentric layout (0 = centre, most influential).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ring: Option<usize>,
}

/// What the side panel shows for one stakeholder.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StakeholderDetail {
    /// Element id (`s:` + model id).
    pub element: String,
    /// Model id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind, as spelt in model files.
    pub kind: &'static str,
    /// Its vulnerability factors by domain (domains in model order, empty ones left out).
    pub factors: Vec<DomainFactors>,
    /// Threats that name it as a target or exploit one of its factors.
    pub threats: Vec<Named>,
    /// Support that mitigates one of its factors.
    pub support: Vec<Named>,
    /// Names of the stakeholders within one level.
    pub within_one_level: Vec<String>,
    /// Names of the stakeholders within two levels.
    pub within_two_levels: Vec<String>,
    /// How many within one level (the lists may be cut on large models).
    pub one_level_count: usize,
    /// How many within two levels.
    pub two_levels_count: usize,
    /// Share of shortest paths through it (0..1).
    pub betweenness: f64,
    /// Weighted PageRank (sums to 1 over stakeholders).
    pub influence: f64,
    /// Relations leaving plus arriving.
    pub degree: usize,
}

/// The factors of one domain.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainFactors {
    /// The domain.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub domain: Domain,
    /// Its factors.
    pub factors: Vec<Named>,
}

/// An object's id and name, with a tag (a threat's motivation, a support's kind).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Named {
    /// Model id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Motivation of a threat, kind of a support item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<&'static str>,
}

/// One attack path, with the map's element ids to highlight.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapPath {
    /// The path as the analysis gives it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub path: AttackPath,
    /// Threat, factor, stakeholders and the edges between them.
    pub elements: Vec<String>,
}

fn sid(eco: &Ecosystem, s: StakeholderIdx) -> String {
    format!("s:{}", eco.stakeholder(s).id)
}

fn vid(eco: &Ecosystem, v: VulnerabilityIdx) -> String {
    format!("v:{}", eco.vulnerability(v).id)
}

/// The map of `eco` under `filter`.
pub fn map(eco: &Ecosystem, filter: MapFilter) -> EcosystemMap {
    let analysis = holisec_analysis::analyze(
        eco,
        holisec_analysis::AnalysisOptions {
            paths_per_motivation: PATHS_SHOWN,
            max_onward_hops: PATH_ONWARD_HOPS,
        },
    );
    let centrality: BTreeMap<&str, &holisec_analysis::StakeholderCentrality> = analysis
        .centrality
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let elements = elements(eco, filter, &analysis.centrality);
    let stakeholders = eco
        .stakeholder_indices()
        .map(|s| detail(eco, s, &analysis, &centrality))
        .collect();
    let attack_paths = match filter.motivation {
        Some(m) => analysis
            .attack_paths
            .iter()
            .filter(|mp| mp.motivation == m)
            .flat_map(|mp| mp.paths.iter())
            .filter(|p| filter.domain.is_none_or(|d| p.domain == d))
            .map(|p| MapPath {
                elements: path_elements(eco, p),
                path: p.clone(),
            })
            .collect(),
        None => Vec::new(),
    };
    EcosystemMap {
        name: eco.meta.name.clone(),
        filter: FilterView {
            domain: filter.domain,
            motivation: filter.motivation,
        },
        elements,
        stakeholders,
        attack_paths,
        domains: Domain::ALL.to_vec(),
        motivations: Motivation::ALL.to_vec(),
    }
}

/// Concentric rings by influence: the most influential stakeholder alone in
/// the centre, then rings of 10, 20, 30, ... (room for labels grows with the
/// circumference), so the centre is never crowded.
fn rings(centrality: &[holisec_analysis::StakeholderCentrality]) -> BTreeMap<&str, usize> {
    let mut out = BTreeMap::new();
    let (mut ring, mut room, mut used) = (0, 1, 0);
    for c in centrality {
        if used == room {
            ring += 1;
            room = 10 * ring;
            used = 0;
        }
        out.insert(c.id.as_str(), ring);
        used += 1;
    }
    out
}

fn node(id: String, label: &str, classes: &str) -> Element {
    Element {
        data: ElementData {
            id,
            label: label.to_owned(),
            ..ElementData::default()
        },
        classes: classes.to_owned(),
    }
}

fn edge(id: String, source: String, target: String, classes: &str) -> Element {
    Element {
        data: ElementData {
            id,
            source: Some(source),
            target: Some(target),
            ..ElementData::default()
        },
        classes: classes.to_owned(),
    }
}

fn elements(
    eco: &Ecosystem,
    filter: MapFilter,
    centrality: &[holisec_analysis::StakeholderCentrality],
) -> Elements {
    let rings = rings(centrality);
    let mut out = Elements::default();
    for (i, s) in eco.stakeholders.iter().enumerate() {
        let mut n = node(format!("s:{}", s.id), &s.name, "stakeholder");
        n.data.fill = Some(STAKEHOLDER_FILL);
        n.data.stroke = Some(STAKEHOLDER_STROKE);
        n.data.ring = rings.get(s.id.as_str()).copied().or(Some(i));
        out.nodes.push(n);
    }
    for (i, r) in eco.relations.iter().enumerate() {
        let level = match r.level {
            RelationLevel::First => "first",
            RelationLevel::Second => "second",
        };
        let mut e = edge(
            format!("r{i}"),
            sid(eco, r.from),
            sid(eco, r.to),
            &format!("relation {level}"),
        );
        e.data.label = r.kind.as_str().to_owned();
        out.edges.push(e);
    }
    let kept_factor = |v: VulnerabilityIdx| {
        filter
            .domain
            .is_none_or(|d| eco.vulnerability(v).domain == d)
    };
    for (i, v) in eco.vulnerabilities.iter().enumerate() {
        if !kept_factor(VulnerabilityIdx(i as u32)) {
            continue;
        }
        let mut n = node(format!("v:{}", v.id), &v.name, "factor");
        n.data.fill = Some(FACTOR_FILL);
        n.data.stroke = Some(FACTOR_STROKE);
        n.data.domain = Some(v.domain);
        n.data.owner = Some(sid(eco, v.stakeholder));
        out.nodes.push(n);
        out.edges.push(edge(
            format!("e:has:{}", v.id),
            n_id(&out.nodes),
            sid(eco, v.stakeholder),
            "has",
        ));
    }
    for t in &eco.threats {
        if filter.motivation.is_some_and(|m| t.motivation != m) {
            continue;
        }
        let exploits: Vec<_> = t
            .exploits
            .iter()
            .copied()
            .filter(|v| kept_factor(*v))
            .collect();
        if exploits.is_empty() && filter.domain.is_some() {
            continue;
        }
        let mut n = node(format!("t:{}", t.id), &t.name, "threat");
        n.data.motivation = Some(t.motivation);
        out.nodes.push(n);
        for v in exploits {
            out.edges.push(edge(
                format!("e:exploits:{}:{}", t.id, eco.vulnerability(v).id),
                format!("t:{}", t.id),
                vid(eco, v),
                "exploits",
            ));
        }
        for s in &t.targets {
            out.edges.push(edge(
                format!("e:targets:{}:{}", t.id, eco.stakeholder(*s).id),
                format!("t:{}", t.id),
                sid(eco, *s),
                "targets",
            ));
        }
    }
    for p in &eco.supports {
        let mitigates: Vec<_> = p
            .mitigates
            .iter()
            .copied()
            .filter(|v| kept_factor(*v))
            .collect();
        if mitigates.is_empty() && filter.domain.is_some() {
            continue;
        }
        let mut n = node(format!("p:{}", p.id), &p.name, "support");
        n.data.owner = Some(sid(eco, p.provider));
        out.nodes.push(n);
        for v in mitigates {
            out.edges.push(edge(
                format!("e:mitigates:{}:{}", p.id, eco.vulnerability(v).id),
                format!("p:{}", p.id),
                vid(eco, v),
                "mitigates",
            ));
        }
    }
    out
}

fn n_id(nodes: &[Element]) -> String {
    nodes.last().map(|n| n.data.id.clone()).unwrap_or_default()
}

fn named_threat(t: &holisec_model::Threat) -> Named {
    Named {
        id: t.id.clone(),
        name: t.name.clone(),
        tag: Some(t.motivation.as_str()),
    }
}

fn support_tag(kind: SupportKind) -> &'static str {
    kind.as_str()
}

fn detail(
    eco: &Ecosystem,
    s: StakeholderIdx,
    analysis: &holisec_analysis::Analysis,
    centrality: &BTreeMap<&str, &holisec_analysis::StakeholderCentrality>,
) -> StakeholderDetail {
    let st = eco.stakeholder(s);
    let own: Vec<VulnerabilityIdx> = (0..eco.vulnerabilities.len())
        .map(|i| VulnerabilityIdx(i as u32))
        .filter(|v| eco.vulnerability(*v).stakeholder == s)
        .collect();
    let factors = Domain::ALL
        .iter()
        .map(|d| DomainFactors {
            domain: *d,
            factors: own
                .iter()
                .map(|v| eco.vulnerability(*v))
                .filter(|v| v.domain == *d)
                .map(|v| Named {
                    id: v.id.clone(),
                    name: v.name.clone(),
                    tag: None,
                })
                .collect(),
        })
        .filter(|d| !d.factors.is_empty())
        .collect();
    let threats = eco
        .threats
        .iter()
        .filter(|t| t.targets.contains(&s) || t.exploits.iter().any(|v| own.contains(v)))
        .map(named_threat)
        .collect();
    let support = eco
        .supports
        .iter()
        .filter(|p| p.mitigates.iter().any(|v| own.contains(v)))
        .map(|p| Named {
            id: p.id.clone(),
            name: p.name.clone(),
            tag: Some(support_tag(p.kind)),
        })
        .collect();
    let name_of = |id: &String| {
        eco.stakeholder_by_id(id)
            .map_or_else(|| id.clone(), |i| eco.stakeholder(i).name.clone())
    };
    let reach = &analysis.reach[s.index()];
    let c = centrality.get(st.id.as_str());
    StakeholderDetail {
        element: sid(eco, s),
        id: st.id.clone(),
        name: st.name.clone(),
        kind: st.kind.as_str(),
        factors,
        threats,
        support,
        within_one_level: reach.within_one_level.iter().map(name_of).collect(),
        within_two_levels: reach.within_two_levels.iter().map(name_of).collect(),
        one_level_count: reach.one_level_count,
        two_levels_count: reach.two_levels_count,
        betweenness: c.map_or(0.0, |c| c.betweenness),
        influence: c.map_or(0.0, |c| c.influence),
        degree: c.map_or(0, |c| c.in_degree + c.out_degree),
    }
}

/// The element ids along `path`: threat, exploit edge, factor, its edge to
/// the entry stakeholder, then each stakeholder and the relation followed to
/// it (either direction, matching kind and level).
fn path_elements(eco: &Ecosystem, path: &AttackPath) -> Vec<String> {
    let mut out = vec![
        format!("t:{}", path.threat),
        format!("e:exploits:{}:{}", path.threat, path.vulnerability),
        format!("v:{}", path.vulnerability),
        format!("e:has:{}", path.vulnerability),
    ];
    let mut previous: Option<&str> = None;
    for step in &path.steps {
        out.push(format!("s:{}", step.stakeholder));
        if let (Some(from), Some(kind), Some(level)) = (previous, step.via, step.level) {
            let found = eco.relations.iter().position(|r| {
                let ends = (
                    eco.stakeholder(r.from).id.as_str(),
                    eco.stakeholder(r.to).id.as_str(),
                );
                r.kind == kind
                    && r.level == level
                    && (ends == (from, step.stakeholder.as_str())
                        || ends == (step.stakeholder.as_str(), from))
            });
            if let Some(i) = found {
                out.push(format!("r{i}"));
            }
        }
        previous = Some(&step.stakeholder);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eco() -> Ecosystem {
        crate::model::builtin().value.ecosystem
    }

    #[test]
    fn every_edge_joins_two_nodes_and_ids_are_unique() {
        let eco = eco();
        for filter in [
            MapFilter::default(),
            MapFilter::parse(Some("technology"), Some("crime")).unwrap(),
        ] {
            let m = map(&eco, filter);
            let ids: std::collections::BTreeSet<_> = m
                .elements
                .nodes
                .iter()
                .map(|n| n.data.id.as_str())
                .collect();
            assert_eq!(ids.len(), m.elements.nodes.len());
            for e in &m.elements.edges {
                assert!(ids.contains(e.data.source.as_deref().unwrap()), "{e:?}");
                assert!(ids.contains(e.data.target.as_deref().unwrap()), "{e:?}");
            }
        }
    }

    #[test]
    fn colours_and_levels_follow_the_article() {
        let eco = eco();
        let m = map(&eco, MapFilter::default());
        let s = m
            .elements
            .nodes
            .iter()
            .find(|n| n.classes == "stakeholder")
            .unwrap();
        assert_eq!(s.data.fill, Some(STAKEHOLDER_FILL));
        let f = m
            .elements
            .nodes
            .iter()
            .find(|n| n.classes == "factor")
            .unwrap();
        assert_eq!(f.data.fill, Some(FACTOR_FILL));
        let first = m
            .elements
            .edges
            .iter()
            .filter(|e| e.classes == "relation first")
            .count();
        let second = m
            .elements
            .edges
            .iter()
            .filter(|e| e.classes == "relation second")
            .count();
        let model_second = eco
            .relations
            .iter()
            .filter(|r| r.level == RelationLevel::Second)
            .count();
        assert_eq!(second, model_second);
        assert_eq!(first + second, eco.relations.len());
        assert_eq!(m.stakeholders.len(), eco.stakeholders.len());
        // One stakeholder alone in the centre.
        let centre = m
            .elements
            .nodes
            .iter()
            .filter(|n| n.data.ring == Some(0))
            .count();
        assert_eq!(centre, 1);
    }

    #[test]
    fn filters_keep_one_domain_and_one_motivation() {
        let eco = eco();
        let m = map(
            &eco,
            MapFilter::parse(Some("people"), Some("crime")).unwrap(),
        );
        assert!(
            m.elements
                .nodes
                .iter()
                .filter(|n| n.classes == "factor")
                .all(|n| n.data.domain == Some(Domain::People))
        );
        let threats: Vec<_> = m
            .elements
            .nodes
            .iter()
            .filter(|n| n.classes == "threat")
            .collect();
        assert!(!threats.is_empty());
        assert!(
            threats
                .iter()
                .all(|n| n.data.motivation == Some(Motivation::Crime))
        );
        let all = map(&eco, MapFilter::default());
        assert!(m.elements.nodes.len() < all.elements.nodes.len());
        assert!(all.attack_paths.is_empty());
    }

    #[test]
    fn attack_paths_of_a_motivation_name_elements_of_the_map() {
        let eco = eco();
        let m = map(&eco, MapFilter::parse(None, Some("crime")).unwrap());
        assert!(!m.attack_paths.is_empty());
        let ids: std::collections::BTreeSet<_> = m
            .elements
            .nodes
            .iter()
            .chain(&m.elements.edges)
            .map(|n| n.data.id.as_str())
            .collect();
        for p in &m.attack_paths {
            assert_eq!(p.path.motivation, Motivation::Crime);
            for id in &p.elements {
                assert!(ids.contains(id.as_str()), "{id} not on the map");
            }
            // Every onward step found its relation edge.
            let relations = p.elements.iter().filter(|e| e.starts_with('r')).count();
            assert_eq!(relations, p.path.steps.len() - 1, "{:?}", p.path);
        }
    }

    #[test]
    fn the_panel_lists_factors_threats_support_and_reach() {
        let eco = eco();
        let m = map(&eco, MapFilter::default());
        let h = m
            .stakeholders
            .iter()
            .find(|s| s.id == "healthcare-organisations")
            .unwrap();
        assert!(!h.factors.is_empty());
        assert!(!h.threats.is_empty());
        assert!(!h.support.is_empty());
        assert!(h.one_level_count > 0 && h.two_levels_count >= h.one_level_count);
        assert!(h.influence > 0.0);
    }

    #[test]
    fn unknown_filter_values_name_the_field() {
        let e = MapFilter::parse(Some("physics"), None).unwrap_err();
        assert!(
            matches!(
                e,
                ApiError::Option {
                    option: "domain",
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("people"));
        let e = MapFilter::parse(None, Some("greed")).unwrap_err();
        assert!(matches!(
            e,
            ApiError::Option {
                option: "motivation",
                ..
            }
        ));
        assert_eq!(
            MapFilter::parse(Some(""), None).unwrap(),
            MapFilter::default()
        );
    }
}
