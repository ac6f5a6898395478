//! Reach: what a compromise of one stakeholder exposes within one and two levels.

use holisec_model::{Ecosystem, RelationLevel};
use serde::Serialize;

/// What one stakeholder reaches.
#[derive(Debug, Clone, Serialize)]
pub struct Reach {
    /// Stakeholder id.
    pub id: String,
    /// Stakeholders joined to it by a first-level relation (either direction).
    pub within_one_level: Vec<String>,
    /// Stakeholders within two levels: the first-level ones, those joined by a
    /// second-level relation, and the first-level partners of first-level partners.
    pub within_two_levels: Vec<String>,
}

/// Reach of every stakeholder, in model order. Lists follow model order too.
pub fn reach(eco: &Ecosystem) -> Vec<Reach> {
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
            let one: Vec<usize> = (0..n).filter(|&j| first[s][j]).collect();
            let mut two = vec![false; n];
            for &j in &one {
                two[j] = true;
                for k in 0..n {
                    if first[j][k] {
                        two[k] = true;
                    }
                }
            }
            for (j, reached) in two.iter_mut().enumerate() {
                if second[s][j] {
                    *reached = true;
                }
            }
            two[s] = false;
            let ids = |idx: &mut dyn Iterator<Item = usize>| -> Vec<String> {
                idx.map(|i| eco.stakeholders[i].id.clone()).collect()
            };
            Reach {
                id: eco.stakeholders[s].id.clone(),
                within_one_level: ids(&mut one.iter().copied()),
                within_two_levels: ids(&mut (0..n).filter(|&j| two[j])),
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
    fn two_levels_always_contain_one_level() {
        for r in reach(&chain()) {
            for id in &r.within_one_level {
                assert!(r.within_two_levels.contains(id));
            }
            assert!(!r.within_two_levels.contains(&r.id));
        }
    }
}
