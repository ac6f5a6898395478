//! Centrality: degree, betweenness (Brandes, sampled on large graphs) and an
//! influence score (weighted PageRank).

use holisec_model::Ecosystem;
use petgraph::graph::UnGraph;
use serde::Serialize;

use crate::weighted_adjacency;

/// Damping factor of the influence score (the usual PageRank value).
pub const DAMPING: f64 = 0.85;

/// Betweenness is exact (Brandes from every stakeholder) up to this many
/// stakeholders; above, it is estimated from [`BETWEENNESS_PIVOTS`] sources.
pub const EXACT_BETWEENNESS_MAX: usize = 5_000;

/// Sources (pivots) of the sampled betweenness: Brandes from this many
/// stakeholders drawn without replacement, scaled by n / k (Brandes and Pich
/// 2007). One breadth-first search each, so the cost is k x relations.
pub const BETWEENNESS_PIVOTS: usize = 1_000;

/// Seed of the pivot draw (the analysis is deterministic).
const PIVOT_SEED: u64 = 0x4845_4c49_5345_4321;

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
    /// normalised to 0..1 on the undirected relation graph (an estimate when
    /// [`BetweennessAccuracy::exact`] is false).
    pub betweenness: f64,
    /// Half-width of a 95% confidence interval of `betweenness` (the
    /// empirical Bernstein bound over the sampled sources); 0 when exact.
    pub betweenness_error: f64,
    /// Weighted PageRank on the undirected relation graph; sums to 1 over stakeholders.
    pub influence: f64,
}

/// How betweenness was computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BetweennessAccuracy {
    /// True when every stakeholder was a source (exact Brandes).
    pub exact: bool,
    /// Sources used.
    pub sources: usize,
    /// Stakeholders.
    pub stakeholders: usize,
    /// A bound that holds for every stakeholder at once with 95% probability
    /// (Hoeffding, each source's share in 0..1, union over stakeholders):
    /// |estimate - exact| <= this. 0 when exact.
    pub max_error_95: f64,
}

/// Centrality of every stakeholder, sorted by influence (highest first, ties by id).
pub fn centrality(eco: &Ecosystem) -> Vec<StakeholderCentrality> {
    centrality_with_accuracy(eco).0
}

/// [`centrality`], and how betweenness was computed.
pub fn centrality_with_accuracy(
    eco: &Ecosystem,
) -> (Vec<StakeholderCentrality>, BetweennessAccuracy) {
    let n = eco.stakeholders.len();
    let adjacency = weighted_adjacency(eco);
    let sources = if n <= EXACT_BETWEENNESS_MAX {
        n
    } else {
        BETWEENNESS_PIVOTS
    };
    let (betweenness, error, accuracy) = betweenness_sampled(&adjacency, sources);
    let influence = weighted_pagerank(&adjacency, DAMPING);
    let (mut out_degree, mut in_degree) = (vec![0usize; n], vec![0usize; n]);
    for r in &eco.relations {
        out_degree[r.from.index()] += 1;
        in_degree[r.to.index()] += 1;
    }
    let mut out: Vec<_> = (0..n)
        .map(|i| StakeholderCentrality {
            id: eco.stakeholders[i].id.clone(),
            name: eco.stakeholders[i].name.clone(),
            out_degree: out_degree[i],
            in_degree: in_degree[i],
            weighted_degree: adjacency[i].iter().map(|(_, w)| w).sum(),
            betweenness: betweenness[i],
            betweenness_error: error[i],
            influence: influence[i],
        })
        .collect();
    out.sort_by(|a, b| {
        b.influence
            .total_cmp(&a.influence)
            .then_with(|| a.id.cmp(&b.id))
    });
    (out, accuracy)
}

/// Brandes' algorithm on the unweighted undirected graph, normalised by
/// (n-1)(n-2)/2 so a star's centre scores 1.
#[cfg(test)]
pub(crate) fn betweenness(adjacency: &[Vec<(usize, f64)>]) -> Vec<f64> {
    betweenness_sampled(adjacency, adjacency.len()).0
}

/// SplitMix64 step (the pivot draw needs no random number crate).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `k` distinct indices of `0..n` (all of them, in order, when `k >= n`).
fn pivots(n: usize, k: usize) -> Vec<usize> {
    if k >= n {
        return (0..n).collect();
    }
    // Partial Fisher-Yates over 0..n.
    let mut all: Vec<usize> = (0..n).collect();
    let mut state = PIVOT_SEED;
    for i in 0..k {
        let j = i + (splitmix64(&mut state) % (n - i) as u64) as usize;
        all.swap(i, j);
    }
    all.truncate(k);
    all.sort_unstable();
    all
}

/// Betweenness from `k` sources (exact Brandes when `k >= n`): estimates,
/// per-stakeholder 95% half-widths, and the accuracy summary.
///
/// The estimate of stakeholder v is the mean over the sources s of
/// `Y_s = n delta_s(v) / ((n-1)(n-2))`, where `delta_s(v)` is Brandes'
/// dependency of s on v; over all n sources it is the exact normalised
/// betweenness (each unordered pair counted from both ends).
pub(crate) fn betweenness_sampled(
    adjacency: &[Vec<(usize, f64)>],
    k: usize,
) -> (Vec<f64>, Vec<f64>, BetweennessAccuracy) {
    let n = adjacency.len();
    let sources = pivots(n, k);
    let k = sources.len();
    let exact = k == n;
    // A breadth-first search over 100,000 stakeholders is bound by memory
    // traffic, not arithmetic: compressed rows of u32, and stakeholders
    // renumbered in breadth-first order so neighbours sit close in memory.
    // Each row keeps its order, so every sum adds up in the same order.
    let mut renumber = vec![u32::MAX; n];
    let mut order: Vec<usize> = Vec::with_capacity(n);
    for root in 0..n {
        if renumber[root] != u32::MAX {
            continue;
        }
        renumber[root] = order.len() as u32;
        order.push(root);
        let mut head = order.len() - 1;
        while head < order.len() {
            let v = order[head];
            head += 1;
            for &(w, _) in &adjacency[v] {
                if renumber[w] == u32::MAX {
                    renumber[w] = order.len() as u32;
                    order.push(w);
                }
            }
        }
    }
    let mut start = Vec::with_capacity(n + 1);
    let mut to: Vec<u32> = Vec::new();
    start.push(0usize);
    for &v in &order {
        to.extend(adjacency[v].iter().map(|&(w, _)| renumber[w]));
        start.push(to.len());
    }
    let row = |v: usize| &to[start[v]..start[v + 1]];
    let mut sum = vec![0.0f64; n];
    let mut sum_sq = vec![0.0f64; n];
    let mut stack: Vec<u32> = Vec::with_capacity(n);
    let mut sigma = vec![0.0f64; n];
    let mut distance = vec![-1i32; n];
    let mut delta = vec![0.0f64; n];
    for s in sources.iter().map(|&s| renumber[s] as usize) {
        // Only the stakeholders the last search reached need resetting.
        for &v in &stack {
            let v = v as usize;
            sigma[v] = 0.0;
            distance[v] = -1;
            delta[v] = 0.0;
        }
        stack.clear();
        sigma[s] = 1.0;
        distance[s] = 0;
        stack.push(s as u32);
        // The stack doubles as the queue: stakeholders in order of discovery.
        let mut head = 0;
        while head < stack.len() {
            let v = stack[head] as usize;
            head += 1;
            let (dv, sv) = (distance[v], sigma[v]);
            for &w in row(v) {
                let w = w as usize;
                if distance[w] < 0 {
                    distance[w] = dv + 1;
                    stack.push(w as u32);
                }
                if distance[w] == dv + 1 {
                    sigma[w] += sv;
                }
            }
        }
        // Dependencies in reverse order of discovery; the predecessors of w
        // are its neighbours one step closer to s.
        for &w in stack.iter().rev() {
            let w = w as usize;
            let (dw, coeff) = (distance[w], (1.0 + delta[w]) / sigma[w]);
            for &v in row(w) {
                let v = v as usize;
                if distance[v] == dw - 1 {
                    delta[v] += sigma[v] * coeff;
                }
            }
            if w != s {
                sum[w] += delta[w];
                if !exact {
                    sum_sq[w] += delta[w] * delta[w];
                }
            }
        }
    }
    // Back to model order.
    let sum: Vec<f64> = renumber.iter().map(|&r| sum[r as usize]).collect();
    let sum_sq: Vec<f64> = renumber.iter().map(|&r| sum_sq[r as usize]).collect();
    // Each undirected pair was counted from both ends.
    let pairs = if n > 2 {
        ((n - 1) * (n - 2)) as f64
    } else {
        1.0
    };
    if exact {
        let b = sum.iter().map(|c| c / pairs).collect();
        let accuracy = BetweennessAccuracy {
            exact: true,
            sources: k,
            stakeholders: n,
            max_error_95: 0.0,
        };
        return (b, vec![0.0; n], accuracy);
    }
    let (nf, kf) = (n as f64, k as f64);
    let scale = nf / pairs;
    let estimate: Vec<f64> = sum.iter().map(|s| s / kf * scale).collect();
    // Y_s lies in [0, n / (n - 1)]. Per stakeholder: the empirical Bernstein
    // bound (Maurer and Pontil 2009), two-sided at 95%; it holds for rare
    // contributions too, where a normal interval from the sample variance
    // would claim 0 error for a stakeholder no sampled source passed through.
    let range = nf / (nf - 1.0);
    let log_term = (4.0 / 0.05f64).ln();
    let error = sum
        .iter()
        .zip(&sum_sq)
        .map(|(&s1, &s2)| {
            let (m1, m2) = (s1 / kf * scale, s2 / kf * scale * scale);
            let var = ((m2 - m1 * m1) * kf / (kf - 1.0)).max(0.0);
            (2.0 * var * log_term / kf).sqrt() + 7.0 * range * log_term / (3.0 * (kf - 1.0))
        })
        .collect();
    // Hoeffding, union bound over the n stakeholders.
    let max_error_95 = range * ((2.0 * nf / 0.05).ln() / (2.0 * kf)).sqrt();
    let accuracy = BetweennessAccuracy {
        exact: false,
        sources: k,
        stakeholders: n,
        max_error_95,
    };
    (estimate, error, accuracy)
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
    // One edge per related pair (`update_edge` searched a hub's edges on every insert).
    let mut pairs: Vec<(usize, usize)> = eco
        .relations
        .iter()
        .map(|r| {
            let (a, b) = (r.from.index(), r.to.index());
            (a.min(b), a.max(b))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    for (a, b) in pairs {
        graph.add_edge(nodes[a], nodes[b], ());
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

    /// Betweenness by definition: for every pair (s, t) of others, the share of
    /// shortest s-t paths through v (shortest-path counts from BFS), normalised.
    fn naive_betweenness(adj: &[Vec<(usize, f64)>]) -> Vec<f64> {
        let n = adj.len();
        let bfs = |s: usize| -> (Vec<i64>, Vec<f64>) {
            let (mut d, mut sigma) = (vec![-1i64; n], vec![0.0; n]);
            d[s] = 0;
            sigma[s] = 1.0;
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(v) = queue.pop_front() {
                for &(w, _) in &adj[v] {
                    if d[w] < 0 {
                        d[w] = d[v] + 1;
                        queue.push_back(w);
                    }
                    if d[w] == d[v] + 1 {
                        sigma[w] += sigma[v];
                    }
                }
            }
            (d, sigma)
        };
        let all: Vec<_> = (0..n).map(bfs).collect();
        let mut b = vec![0.0; n];
        for s in 0..n {
            for t in s + 1..n {
                let (ds, ss) = &all[s];
                if ds[t] < 0 {
                    continue;
                }
                for v in (0..n).filter(|&v| v != s && v != t) {
                    let (dv, sv) = &all[v];
                    if ds[v] >= 0 && ds[v] + dv[t] == ds[t] {
                        b[v] += ss[v] * sv[t] / ss[t];
                    }
                }
            }
        }
        let pairs = if n > 2 {
            ((n - 1) * (n - 2)) as f64 / 2.0
        } else {
            1.0
        };
        b.iter().map(|x| x / pairs).collect()
    }

    #[test]
    fn brandes_from_every_source_equals_the_definition() {
        for seed in 0..20 {
            let eco = crate::fixtures::generated(3 + seed as usize % 12, seed);
            let adj = weighted_adjacency(&eco);
            let naive = naive_betweenness(&adj);
            // k >= n: every stakeholder is a source, no sampling, no error.
            for k in [adj.len(), adj.len() + 5, usize::MAX] {
                let (b, err, acc) = betweenness_sampled(&adj, k);
                assert!(acc.exact && acc.max_error_95 == 0.0 && err.iter().all(|&e| e == 0.0));
                for (x, y) in b.iter().zip(&naive) {
                    assert!((x - y).abs() < 1e-12, "seed {seed}: {b:?} vs {naive:?}");
                }
            }
        }
    }

    #[test]
    fn sampled_betweenness_stays_within_its_stated_error() {
        // A preferential-attachment graph of 400 stakeholders, 100 sources.
        let n = 400;
        let mut adj = vec![Vec::new(); n];
        let mut ends: Vec<usize> = vec![0];
        let mut state = 7u64;
        for v in 1..n {
            for _ in 0..2 {
                let u = ends[(splitmix64(&mut state) % ends.len() as u64) as usize];
                if u != v && !adj[v].iter().any(|&(x, _)| x == u) {
                    adj[v].push((u, 1.0));
                    adj[u].push((v, 1.0));
                    ends.extend([u, v]);
                }
            }
        }
        for list in &mut adj {
            list.sort_by_key(|&(x, _)| x);
        }
        let (exact, _, _) = betweenness_sampled(&adj, n);
        let (est, err, acc) = betweenness_sampled(&adj, 100);
        assert!(!acc.exact && acc.sources == 100 && acc.stakeholders == n);
        let within_each = (0..n)
            .filter(|&v| (est[v] - exact[v]).abs() <= err[v] + 1e-15)
            .count();
        assert!(
            within_each as f64 >= 0.95 * n as f64,
            "{within_each} of {n} within their 95% intervals"
        );
        for v in 0..n {
            assert!((est[v] - exact[v]).abs() <= acc.max_error_95, "{v}");
        }
        // The hub's estimate is close in relative terms too.
        let hub = (0..n)
            .max_by(|&a, &b| exact[a].total_cmp(&exact[b]))
            .unwrap();
        assert!(
            (est[hub] / exact[hub] - 1.0).abs() < 0.25,
            "{} vs {}",
            est[hub],
            exact[hub]
        );
    }

    #[test]
    fn pivots_are_distinct_sorted_and_all_of_them_when_k_is_large() {
        let p = pivots(1000, 100);
        assert_eq!(p.len(), 100);
        assert!(p.windows(2).all(|w| w[0] < w[1]) && p[99] < 1000);
        assert_eq!(pivots(5, 9), vec![0, 1, 2, 3, 4]);
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
