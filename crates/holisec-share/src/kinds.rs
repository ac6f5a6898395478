//! What the model says about a pair of stakeholder kinds.
//!
//! Organisations on the server have a [`StakeholderKind`]; the model's
//! relations join stakeholders, and each stakeholder has a kind. The sharing
//! rules therefore read the model at the level of kinds: "is there a
//! first-level relation between a hospital and an insurer?" A relation counts
//! in either direction, because information flows both ways along it (the
//! hospital reports to the CSIRT that alerts it).
//!
//! When several relations join the same pair, the strongest is reported (the
//! earliest in the model file on a tie), so explanations are deterministic.

use holisec_model::{Ecosystem, RelationKind, RelationLevel, StakeholderKind};
use serde::{Deserialize, Serialize};

/// One relation of the model, named by the kinds of its two ends.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KindRelation {
    /// The kind of the relation's start, as written in the model.
    pub from: StakeholderKind,
    /// The kind of the relation's end.
    pub to: StakeholderKind,
    /// What it carries.
    pub kind: RelationKind,
    /// First (direct) or second (indirect) level.
    pub level: RelationLevel,
    /// The model's strength, 0..1.
    pub strength: f64,
}

impl KindRelation {
    /// "`shares-information` relation agency-institution → healthcare-organisation, first level".
    pub fn describe(&self) -> String {
        format!(
            "the model's `{}` relation {} → {} ({} level)",
            self.kind, self.from, self.to, self.level
        )
    }
}

/// Every relation of `level` joining kinds `a` and `b`, either direction, in model order.
pub fn relations_between(
    eco: &Ecosystem,
    a: StakeholderKind,
    b: StakeholderKind,
    level: RelationLevel,
) -> impl Iterator<Item = KindRelation> + '_ {
    eco.relations
        .iter()
        .filter(move |r| r.level == level)
        .map(|r| KindRelation {
            from: eco.stakeholder(r.from).kind,
            to: eco.stakeholder(r.to).kind,
            kind: r.kind,
            level: r.level,
            strength: r.strength,
        })
        .filter(move |r| (r.from == a && r.to == b) || (r.from == b && r.to == a))
}

/// The strongest relation of `level` joining `a` and `b` (either direction), if any.
pub fn strongest_between(
    eco: &Ecosystem,
    a: StakeholderKind,
    b: StakeholderKind,
    level: RelationLevel,
) -> Option<KindRelation> {
    strongest(relations_between(eco, a, b, level))
}

/// The strongest of `relations`, the first one on a tie.
pub fn strongest(relations: impl Iterator<Item = KindRelation>) -> Option<KindRelation> {
    relations.fold(None, |best: Option<KindRelation>, r| match best {
        Some(b) if b.strength >= r.strength => Some(b),
        _ => Some(r),
    })
}

/// The kinds joined to `kind` by a relation of `level`, each with its strongest relation, in kind order.
pub fn neighbours(
    eco: &Ecosystem,
    kind: StakeholderKind,
    level: RelationLevel,
) -> Vec<(StakeholderKind, KindRelation)> {
    StakeholderKind::ALL
        .iter()
        .filter_map(|&other| strongest_between(eco, kind, other, level).map(|r| (other, r)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use StakeholderKind as K;

    fn eco() -> Ecosystem {
        holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model is valid")
    }

    #[test]
    fn relations_count_in_either_direction() {
        let eco = eco();
        let forward = strongest_between(
            &eco,
            K::SolutionProvider,
            K::HealthcareOrganisation,
            RelationLevel::First,
        );
        let backward = strongest_between(
            &eco,
            K::HealthcareOrganisation,
            K::SolutionProvider,
            RelationLevel::First,
        );
        let forward = forward.expect("the built-in model has providers supplying hospitals");
        assert_eq!(Some(forward), backward);
        assert_eq!(forward.kind, RelationKind::Supplies);
        assert_eq!(forward.from, K::SolutionProvider);
    }

    #[test]
    fn the_strongest_relation_wins_and_absent_pairs_give_none() {
        let eco = eco();
        let all: Vec<_> = relations_between(
            &eco,
            K::AgencyInstitution,
            K::HealthcareOrganisation,
            RelationLevel::First,
        )
        .collect();
        assert!(all.len() >= 2, "regulates and shares-information");
        let best = strongest(all.iter().copied()).expect("non-empty");
        assert!(all.iter().all(|r| r.strength <= best.strength));
        assert_eq!(
            strongest_between(
                &eco,
                K::HealthcareAssociation,
                K::HealthcareOrganisation,
                RelationLevel::First
            ),
            None
        );
    }

    #[test]
    fn neighbours_are_in_kind_order() {
        let eco = eco();
        let n = neighbours(&eco, K::HealthcareOrganisation, RelationLevel::First);
        let kinds: Vec<K> = n.iter().map(|(k, _)| *k).collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        assert_eq!(kinds, sorted);
        assert!(kinds.contains(&K::InsuranceGroup));
        assert!(!kinds.contains(&K::HealthcareAssociation));
    }
}
