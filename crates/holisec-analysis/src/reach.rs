//! Reach: what a compromise of one stakeholder exposes within one and two levels.

use holisec_model::{Ecosystem, RelationLevel};
use serde::Serialize;

/// Most ids listed per stakeholder and level; the counts are complete (see
/// [`Reach::two_levels_exact`]). A hub with 100,000 partners would otherwise
/// put every one of them in the list of each partner (10^10 ids).
pub const MAX_REACH_LISTED: usize = 1_000;

/// Most ids listed over all stakeholders, about: large models list fewer per
/// stakeholder ([`reach_list_limit`]), at least 10.
pub const MAX_REACH_IDS: usize = 2_000_000;

/// Most stakeholders visited to count two-level reach over the whole model.
/// Past it, a stakeholder whose partners have many partners gets a lower
/// bound ([`Reach::two_levels_exact`] false).
pub const MAX_REACH_VISITS: u64 = 200_000_000;

/// Ids listed per stakeholder and level for a model of `n` stakeholders.
pub fn reach_list_limit(n: usize) -> usize {
    (MAX_REACH_IDS / n.max(1)).clamp(10, MAX_REACH_LISTED)
}

/// What one stakeholder reaches.
#[derive(Debug, Clone, Serialize)]
pub struct Reach {
    /// Stakeholder id.
    pub id: String,
    /// Stakeholders joined to it by a first-level relation (either direction),
    /// in model order; the first [`reach_list_limit`] of them.
    pub within_one_level: Vec<String>,
    /// Stakeholders within two levels: the first-level ones, those joined by a
    /// second-level relation, and the first-level partners of first-level
    /// partners; in model order, the first [`reach_list_limit`] of them.
    pub within_two_levels: Vec<String>,
    /// How many stakeholders are within one level.
    pub one_level_count: usize,
    /// How many stakeholders are within two levels (a lower bound when
    /// `two_levels_exact` is false).
    pub two_levels_count: usize,
    /// False when counting stopped at [`MAX_REACH_VISITS`] over the model.
    pub two_levels_exact: bool,
}

/// Reach of every stakeholder, in model order. Lists follow model order too.
///
/// Linear in the size of the answer, with a visit stamp instead of an n x n
/// matrix (two of those took 20 GB at 100,000 stakeholders), and bounded: a
/// stakeholder with one partner reaches that partner's partners (counted
/// without visiting them, so a star of 100,000 costs nothing), the others
/// visit their partners' partners within [`MAX_REACH_VISITS`] in all.
pub fn reach(eco: &Ecosystem) -> Vec<Reach> {
    reach_within(eco, MAX_REACH_VISITS)
}

/// [`reach`] with a visit budget.
pub(crate) fn reach_within(eco: &Ecosystem, visits: u64) -> Vec<Reach> {
    let n = eco.stakeholders.len();
    let cap = reach_list_limit(n);
    let mut first: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut second: Vec<Vec<usize>> = vec![Vec::new(); n];
    for r in &eco.relations {
        let (a, b) = (r.from.index(), r.to.index());
        let m = match r.level {
            RelationLevel::First => &mut first,
            RelationLevel::Second => &mut second,
        };
        m[a].push(b);
        m[b].push(a);
    }
    for list in first.iter_mut().chain(second.iter_mut()) {
        list.sort_unstable();
        list.dedup();
    }
    // stamp[j] == s + 1: j already counted for stakeholder s.
    let mut stamp = vec![0usize; n];
    let mut budget = visits;
    let mut two: Vec<usize> = Vec::new();
    let ids = |idx: &[usize]| -> Vec<String> {
        idx.iter()
            .take(cap)
            .map(|&i| eco.stakeholders[i].id.clone())
            .collect()
    };
    (0..n)
        .map(|s| {
            let mark = s + 1;
            stamp[s] = mark;
            two.clear();
            let mut exact = true;
            let count = if let ([j], []) = (first[s].as_slice(), second[s].as_slice()) {
                // One partner j: j and its partners other than s (s is one of them).
                let j = *j;
                two.extend(first[j].iter().copied().filter(|&k| k != s).take(cap + 1));
                two.push(j);
                two.sort_unstable();
                first[j].len()
            } else {
                let upper: u64 = first[s]
                    .iter()
                    .map(|&j| 1 + first[j].len() as u64)
                    .sum::<u64>()
                    + second[s].len() as u64;
                // Past the budget, visit a little of each stakeholder's reach.
                let mut allowed = if upper <= budget {
                    budget -= upper;
                    u64::MAX
                } else {
                    exact = false;
                    budget = 0;
                    10 * cap as u64
                };
                let neighbours = first[s]
                    .iter()
                    .flat_map(|&j| std::iter::once(j).chain(first[j].iter().copied()))
                    .chain(second[s].iter().copied());
                for k in neighbours {
                    if allowed == 0 {
                        break;
                    }
                    allowed -= 1;
                    if stamp[k] != mark {
                        stamp[k] = mark;
                        two.push(k);
                    }
                }
                two.sort_unstable();
                two.len()
            };
            Reach {
                id: eco.stakeholders[s].id.clone(),
                within_one_level: ids(&first[s]),
                within_two_levels: ids(&two),
                one_level_count: first[s].len(),
                two_levels_count: count,
                two_levels_exact: exact,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::chain;

    #[test]
    fn chain_reach_by_hand() {
        let r = reach(&chain());
        let get = |id: &str| r.iter().find(|x| x.id == id).unwrap().clone();
        assert_eq!(get("a").within_one_level, ["b"]);
        assert_eq!(get("a").within_two_levels, ["b", "c"]);
        // e only has a second-level relation to b: nothing at one level, b at two.
        assert!(get("e").within_one_level.is_empty());
        assert_eq!(get("e").within_two_levels, ["b"]);
        assert_eq!(get("b").within_one_level, ["a", "c"]);
        assert_eq!(get("b").within_two_levels, ["a", "c", "d", "e"]);
    }

    #[test]
    fn counts_are_complete_and_lists_capped_around_a_hub() {
        // A star: the centre reaches every leaf at one level, each leaf every
        // other leaf at two.
        let leaves = MAX_REACH_LISTED + 50;
        assert_eq!(reach_list_limit(leaves + 1), MAX_REACH_LISTED);
        let mut text = String::from(
            "[ecosystem]\nname = \"star\"\nregion = \"t\"\ncurrency = \"EUR\"\n[[stakeholder]]\nid = \"hub\"\nname = \"Hub\"\nkind = \"solution-provider\"\n",
        );
        for i in 0..leaves {
            text.push_str(&format!(
                "[[stakeholder]]\nid = \"l{i}\"\nname = \"L\"\nkind = \"healthcare-organisation\"\n[[relation]]\nfrom = \"hub\"\nto = \"l{i}\"\nlevel = \"first\"\nkind = \"supplies\"\nstrength = 0.5\nrationale = \"t\"\n"
            ));
        }
        let loaded = holisec_model::load_str(&text);
        let eco = loaded.ecosystem.expect("valid star");
        let r = reach(&eco);
        assert_eq!(r[0].one_level_count, leaves);
        assert_eq!(r[0].two_levels_count, leaves);
        assert_eq!(r[0].within_one_level.len(), MAX_REACH_LISTED);
        assert_eq!(r[1].one_level_count, 1);
        assert_eq!(r[1].two_levels_count, leaves);
        assert_eq!(r[1].within_two_levels.len(), MAX_REACH_LISTED);
        assert_eq!(r[1].within_two_levels[0], "hub");
        assert!(!r[1].within_two_levels.contains(&"l0".to_owned()));
    }

    /// The definition, with n x n matrices (the former implementation).
    fn reference(eco: &Ecosystem) -> Vec<(Vec<String>, Vec<String>)> {
        let n = eco.stakeholders.len();
        let mut first = vec![vec![false; n]; n];
        let mut second = vec![vec![false; n]; n];
        for r in &eco.relations {
            let (a, b) = (r.from.index(), r.to.index());
            let m = match r.level {
                RelationLevel::First => &mut first,
                RelationLevel::Second => &mut second,
            };
            m[a][b] = true;
            m[b][a] = true;
        }
        (0..n)
            .map(|s| {
                let mut two = vec![false; n];
                for j in (0..n).filter(|&j| first[s][j]) {
                    two[j] = true;
                    for k in (0..n).filter(|&k| first[j][k]) {
                        two[k] = true;
                    }
                }
                for j in (0..n).filter(|&j| second[s][j]) {
                    two[j] = true;
                }
                two[s] = false;
                let ids = |f: &dyn Fn(usize) -> bool| {
                    (0..n)
                        .filter(|&j| f(j))
                        .map(|j| eco.stakeholders[j].id.clone())
                        .collect::<Vec<_>>()
                };
                (ids(&|j| first[s][j]), ids(&|j| two[j]))
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn reach_equals_the_definition(n in 2usize..30, seed in proptest::prelude::any::<u64>()) {
            let eco = crate::fixtures::generated(n, seed);
            let got = reach(&eco);
            for (r, (one, two)) in got.iter().zip(reference(&eco)) {
                assert!(r.two_levels_exact);
                assert_eq!(r.within_one_level, one);
                assert_eq!(r.within_two_levels, two);
                assert_eq!((r.one_level_count, r.two_levels_count), (one.len(), two.len()));
            }
        }
    }

    #[test]
    fn past_the_visit_budget_counts_are_lower_bounds_and_flagged() {
        let eco = crate::fixtures::generated(40, 3);
        let exact = reach(&eco);
        let bounded = reach_within(&eco, 5);
        assert!(bounded.iter().any(|r| !r.two_levels_exact));
        for (b, e) in bounded.iter().zip(&exact) {
            assert!(b.two_levels_count <= e.two_levels_count);
            if b.two_levels_exact {
                assert_eq!(b.within_two_levels, e.within_two_levels);
            }
            assert_eq!(b.one_level_count, e.one_level_count);
        }
    }

    #[test]
    fn two_levels_always_contain_one_level() {
        for r in reach(&chain()) {
            assert_eq!(r.one_level_count, r.within_one_level.len());
            assert_eq!(r.two_levels_count, r.within_two_levels.len());
            for id in &r.within_one_level {
                assert!(r.within_two_levels.contains(id));
            }
            assert!(!r.within_two_levels.contains(&r.id));
        }
    }
}
