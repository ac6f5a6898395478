//! Centrality: degree, betweenness (Brandes) and an influence score (weighted PageRank).

use holisec_model::Ecosystem;
use petgraph::graph::UnGraph;
use serde::Serialize;

use crate::weighted_adjacency;

/// Damping factor of the influence score (the usual PageRank value).
pub const DAMPING: f64 = 0.85;

/// Centrality figures of one stakeholder.
#[derive(Debug, Clone, Serialize)]
pub struct StakeholderCentrality {
    /// Stakeholder id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Relations leaving it.
    pub out_degree: usize,
    /// Relations arriving at it.
    pub in_degree: usize,
    /// Sum of the weights of its relations (first level: strength; second: half).
    pub weighted_degree: f64,
    /// Share of shortest paths between other stakeholders that pass through it,
    /// normalised to 0..1 on the undirected relation graph.
    pub betweenness: f64,
    /// Weighted PageRank on the undirected relation graph; sums to 1 over stakeholders.
    pub influence: f64,
}

/// Centrality of every stakeholder, sorted by influence (highest first, ties by id).
pub fn centrality(eco: &Ecosystem) -> Vec<StakeholderCentrality> {
    let n = eco.stakeholders.len();
    let adjacency = weighted_adjacency(eco);
    let betweenness = betweenness(&adjacency);
    let influence = weighted_pagerank(&adjacency, DAMPING);
    let mut out: Vec<_> = (0..n)
        .map(|i| StakeholderCentrality {
            id: eco.stakeholders[i].id.clone(),
            name: eco.stakeholders[i].name.clone(),
            out_degree: eco.relations.iter().filter(|r| r.from.index() == i).count(),
            in_degree: eco.relations.iter().filter(|r| r.to.index() == i).count(),
            weighted_degree: adjacency[i].iter().map(|(_, w)| w).sum(),
            betweenness: betweenness[i],
            influence: influence[i],
        })
        .collect();
    out.sort_by(|a, b| {
        b.influence
            .total_cmp(&a.influence)
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

/// Brandes' algorithm on the unweighted undirected graph, normalised by
/// (n-1)(n-2)/2 so a star's centre scores 1.
pub(crate) fn betweenness(adjacency: &[Vec<(usize, f64)>]) -> Vec<f64> {
    let n = adjacency.len();
    let mut centrality = vec![0.0; n];
    let mut stack = Vec::with_capacity(n);
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut sigma = vec![0.0f64; n];
    let mut distance = vec![-1i64; n];
    let mut delta = vec![0.0f64; n];
    let mut queue = std::collections::VecDeque::with_capacity(n);
    for s in 0..n {
        stack.clear();
        predecessors.iter_mut().for_each(Vec::clear);
        sigma.iter_mut().for_each(|x| *x = 0.0);
        distance.iter_mut().for_each(|x| *x = -1);
        delta.iter_mut().for_each(|x| *x = 0.0);
        sigma[s] = 1.0;
        distance[s] = 0;
        queue.push_back(s);
        while let Some(v) = queue.pop_front() {
            stack.push(v);
            for &(w, _) in &adjacency[v] {
                if distance[w] < 0 {
                    distance[w] = distance[v] + 1;
                    queue.push_back(w);
                }
                if distance[w] == distance[v] + 1 {
                    sigma[w] += sigma[v];
                    predecessors[w].push(v);
                }
            }
        }
        while let Some(w) = stack.pop() {
            for &v in &predecessors[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                centrality[w] += delta[w];
            }
        }
    }
    // Each undirected pair was counted from both ends.
    let pairs = if n > 2 {
        ((n - 1) * (n - 2)) as f64
    } else {
        1.0
    };
    centrality.iter().map(|c| c / pairs).collect()
}

/// Weighted PageRank by power iteration; dangling stakeholders spread evenly.
pub(crate) fn weighted_pagerank(adjacency: &[Vec<(usize, f64)>], damping: f64) -> Vec<f64> {
    let n = adjacency.len();
    if n == 0 {
        return Vec::new();
    }
    let out_weight: Vec<f64> = adjacency
        .iter()
        .map(|a| a.iter().map(|(_, w)| w).sum())
        .collect();
    let mut rank = vec![1.0 / n as f64; n];
    for _ in 0..1000 {
        let dangling: f64 = (0..n)
            .filter(|&i| out_weight[i] <= 0.0)
            .map(|i| rank[i])
            .sum();
        let base = (1.0 - damping) / n as f64 + damping * dangling / n as f64;
        let mut next = vec![base; n];
        for (i, edges) in adjacency.iter().enumerate() {
            if out_weight[i] > 0.0 {
                for &(j, w) in edges {
                    next[j] += damping * rank[i] * w / out_weight[i];
                }
            }
        }
        let change: f64 = next.iter().zip(&rank).map(|(a, b)| (a - b).abs()).sum();
        rank = next;
        if change < 1e-13 {
            break;
        }
    }
    rank
}

/// Stakeholders whose removal splits the relation graph (single points of failure).
pub(crate) fn articulation_points(eco: &Ecosystem) -> Vec<String> {
    let mut graph =
        UnGraph::<usize, ()>::with_capacity(eco.stakeholders.len(), eco.relations.len());
    let nodes: Vec<_> = (0..eco.stakeholders.len())
        .map(|i| graph.add_node(i))
        .collect();
    for r in &eco.relations {
        graph.update_edge(nodes[r.from.index()], nodes[r.to.index()], ());
    }
    let mut points: Vec<String> = petgraph::algo::articulation_points::articulation_points(&graph)
        .into_iter()
        .map(|node| eco.stakeholders[graph[node]].id.clone())
        .collect();
    points.sort();
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::chain;

    fn star(leaves: usize) -> Vec<Vec<(usize, f64)>> {
        let mut adj = vec![Vec::new(); leaves + 1];
        for leaf in 1..=leaves {
            adj[0].push((leaf, 1.0));
            adj[leaf].push((0, 1.0));
        }
        adj
    }

    #[test]
    fn star_centre_has_betweenness_one_and_leaves_zero() {
        let b = betweenness(&star(5));
        assert!((b[0] - 1.0).abs() < 1e-12);
        assert!(b[1..].iter().all(|&x| x == 0.0));
    }

    #[test]
    fn path_graph_betweenness_matches_hand_count() {
        // 0 - 1 - 2 - 3: node 1 lies on paths (0,2), (0,3): 2 of 3 pairs of others.
        let adj = vec![
            vec![(1, 1.0)],
            vec![(0, 1.0), (2, 1.0)],
            vec![(1, 1.0), (3, 1.0)],
            vec![(2, 1.0)],
        ];
        let b = betweenness(&adj);
        assert!((b[1] - 2.0 / 3.0).abs() < 1e-12);
        assert!((b[2] - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(b[0], 0.0);
    }

    #[test]
    fn pagerank_sums_to_one_and_is_symmetric_on_a_star() {
        let r = weighted_pagerank(&star(4), DAMPING);
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // Closed form for an undirected star with k leaves: centre = (1 - d)/n + d * k * leaf,
        // leaf = (1 - d)/n + d * centre / k.
        let (d, n, k) = (DAMPING, 5.0, 4.0);
        let centre = ((1.0 - d) / n + d * k * (1.0 - d) / n) / (1.0 - d * d);
        assert!((r[0] - centre).abs() < 1e-9, "{} vs {}", r[0], centre);
        assert!(r[1..].windows(2).all(|w| (w[0] - w[1]).abs() < 1e-12));
    }

    #[test]
    fn chain_centrality_ranks_the_hub_first() {
        let c = centrality(&chain());
        assert_eq!(c[0].id, "b");
        let b = c.iter().find(|s| s.id == "b").unwrap();
        assert_eq!((b.out_degree, b.in_degree), (2, 1));
        assert!((b.weighted_degree - (1.0 + 1.0 + 0.4 * 0.5)).abs() < 1e-12);
    }

    #[test]
    fn articulation_points_of_the_chain() {
        assert_eq!(
            articulation_points(&chain()),
            vec!["b".to_owned(), "c".to_owned()]
        );
    }
}
