//! [`Store::seed_bench`]: fills an empty database with many organisations,
//! assessments and answers, so the server's speed and memory are measured
//! at the scale its users reach (`holisec admin seed-bench`, used by
//! `bench/server/run.sh`), not on an empty file.
//!
//! Everything goes in one transaction through three prepared statements:
//! 1,000 organisations, 10,000 assessments and 100,000 answers take about a
//! second. The content is a fixed function of the counts (no randomness), so
//! two seeded files hold the same rows.

use rusqlite::params;

use crate::error::classify;
use crate::{Store, StoreError};

/// What [`Store::seed_bench`] writes.
#[derive(Debug, Clone)]
pub struct BenchSeed<'a> {
    /// Organisations, named `bench-org-00001`, ... (kind `healthcare-organisation`).
    pub organisations: usize,
    /// Assessments, spread evenly over the organisations (versions 1, 2, ...).
    pub assessments: usize,
    /// Answers, spread evenly over the assessments, each to a different item.
    pub answers: usize,
    /// The questionnaire's id and version, recorded on each assessment.
    pub questionnaire: (&'a str, &'a str),
    /// The item ids answers are given to (the questionnaire's).
    pub items: &'a [&'a str],
    /// Now (RFC 3339): every row's time.
    pub now: &'a str,
}

/// Name of the `k`-th (from 0) organisation made by [`Store::seed_bench`].
pub fn bench_org_name(k: usize) -> String {
    format!("bench-org-{:05}", k + 1)
}

impl Store {
    /// Writes `seed`'s organisations, assessments and answers in one
    /// transaction. Refused ([`StoreError::InvalidValue`]) when the database
    /// holds organisations already, when there are assessments but no
    /// organisation or answers but no assessment, or when an assessment would
    /// need more answers than there are items.
    pub fn seed_bench(&mut self, seed: &BenchSeed<'_>) -> Result<(), StoreError> {
        check_seed(seed)?;
        if !self.organisations()?.is_empty() {
            return Err(StoreError::InvalidValue(format!(
                "`{}` holds organisations already; seed a new database file",
                self.path.display()
            )));
        }
        let path = self.path.clone();
        self.write(|tx| {
            let e = |e| classify(&path, e);
            let mut org = tx
                .prepare(
                    "INSERT INTO organisations (id, name, created_at, kind)
                     VALUES (?1, ?2, ?3, 'healthcare-organisation')",
                )
                .map_err(e)?;
            let mut assessment = tx
                .prepare(
                    "INSERT INTO assessments
                     (id, organisation_id, version, questionnaire, questionnaire_version, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            let mut answer = tx
                .prepare(
                    "INSERT INTO answers (assessment_id, item, level, evidence, answered_at)
                     VALUES (?1, ?2, ?3, NULL, ?4)",
                )
                .map_err(e)?;
            for k in 0..seed.organisations {
                org.execute(params![row_id(k), bench_org_name(k), seed.now])
                    .map_err(e)?;
            }
            let (qid, qversion) = seed.questionnaire;
            for a in 0..seed.assessments {
                // Round robin: organisation a % n gets its (a / n + 1)-th version.
                let o = a % seed.organisations;
                let version = a / seed.organisations + 1;
                assessment
                    .execute(params![
                        row_id(a),
                        row_id(o),
                        int(version),
                        qid,
                        qversion,
                        seed.now
                    ])
                    .map_err(e)?;
            }
            for n in 0..seed.answers {
                let a = n % seed.assessments;
                let item = seed.items[n / seed.assessments];
                let level = (n * 7 + a) % 5;
                answer
                    .execute(params![row_id(a), item, int(level), seed.now])
                    .map_err(e)?;
            }
            Ok(())
        })
    }
}

/// Row id of the `k`-th (from 0) row: `k + 1`.
fn row_id(k: usize) -> i64 {
    int(k).saturating_add(1)
}

fn int(k: usize) -> i64 {
    i64::try_from(k).unwrap_or(i64::MAX)
}

fn check_seed(seed: &BenchSeed<'_>) -> Result<(), StoreError> {
    let refuse = |m: String| Err(StoreError::InvalidValue(m));
    if seed.organisations == 0 && seed.assessments > 0 {
        return refuse("assessments need at least one organisation".into());
    }
    if seed.assessments == 0 && seed.answers > 0 {
        return refuse("answers need at least one assessment".into());
    }
    if seed.assessments > 0 && seed.answers.div_ceil(seed.assessments) > seed.items.len() {
        return refuse(format!(
            "{} answers over {} assessments is {} per assessment, more than the {} items",
            seed.answers,
            seed.assessments,
            seed.answers.div_ceil(seed.assessments),
            seed.items.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed<'a>(
        orgs: usize,
        assessments: usize,
        answers: usize,
        items: &'a [&'a str],
    ) -> BenchSeed<'a> {
        BenchSeed {
            organisations: orgs,
            assessments,
            answers,
            questionnaire: ("hospital", "1.0"),
            items,
            now: "2026-12-04T00:00:00Z",
        }
    }

    #[test]
    fn seeds_the_counts_spread_evenly_and_identically() {
        let items = ["A-01", "A-02", "B-01", "B-02"];
        let dump = || {
            let mut s = Store::open_in_memory().unwrap();
            s.seed_bench(&seed(3, 7, 25, &items)).unwrap();
            s.export().unwrap()
        };
        let d = dump();
        assert_eq!(d.organisations.len(), 3);
        assert_eq!(d.organisations[0].name, "bench-org-00001");
        assert_eq!(d.assessments.len(), 7);
        let answers: usize = d.assessments.iter().map(|a| a.answers.len()).sum();
        assert_eq!(answers, 25);
        // 7 assessments over 3 organisations: 3, 2 and 2, versions 1.. each.
        let of = |org: i64| {
            let mut v: Vec<i64> = d
                .assessments
                .iter()
                .filter(|a| a.assessment.organisation_id == org)
                .map(|a| a.assessment.version)
                .collect();
            v.sort_unstable();
            v
        };
        assert_eq!(
            (of(1), of(2), of(3)),
            (vec![1, 2, 3], vec![1, 2], vec![1, 2])
        );
        // 25 answers over 7 assessments: 4 or 3 each, levels 0 to 4, a valid export.
        assert!(
            d.assessments
                .iter()
                .all(|a| (3..=4).contains(&a.answers.len())
                    && a.assessment.answered == a.answers.len() as i64)
        );
        assert!(
            d.assessments
                .iter()
                .flat_map(|a| &a.answers)
                .all(|x| x.level <= 4)
        );
        d.check(Some(&items)).unwrap();
        assert_eq!(dump(), d);
    }

    #[test]
    fn refuses_a_used_database_and_impossible_counts_writing_nothing() {
        let items = ["A-01", "A-02"];
        let mut s = Store::open_in_memory().unwrap();
        let e = s.seed_bench(&seed(2, 2, 5, &items)).unwrap_err();
        assert!(e.to_string().contains("more than the 2 items"), "{e}");
        assert!(s.seed_bench(&seed(0, 1, 0, &items)).is_err());
        assert!(s.seed_bench(&seed(1, 0, 1, &items)).is_err());
        assert!(s.organisations().unwrap().is_empty());
        s.seed_bench(&seed(1, 1, 2, &items)).unwrap();
        let e = s.seed_bench(&seed(1, 1, 2, &items)).unwrap_err();
        assert!(e.to_string().contains("holds organisations already"), "{e}");
        assert_eq!(s.assessments(None).unwrap().len(), 1);
    }
}
