//! The VERIS reader, summary and calibration on the real VCDB healthcare extract.
//!
//! The file ships with the repository, `data/vcdb/vcdb-healthcare.jsonl` (provenance
//! and licence in `data/vcdb/README.md`); `$HOLISEC_VCDB` points the tests at another
//! copy. A missing file fails the tests: it is part of every checkout.
//!
//! The expected counts were computed once, independently of this crate, with
//! this Python 3 script run in `data/vcdb/` (output on the last lines):
//!
//! ```text
//! python3 - <<'EOF'
//! import json, collections as C
//! recs=[json.loads(l) for l in open('vcdb-healthcare.jsonl')]
//! n=len(recs)
//! fin=sum(any('Financial' in a.get('motive',[]) for a in r['actor'].values() if isinstance(a,dict)) for r in recs)
//! esp=sum(any('Espionage' in a.get('motive',[]) for a in r['actor'].values() if isinstance(a,dict)) for r in recs)
//! na=sum(any('NA' in a.get('motive',[]) for a in r['actor'].values() if isinstance(a,dict)) for r in recs)
//! ran=sum('Ransomware' in r['action'].get('malware',{}).get('variety',[]) for r in recs)
//! phi=sum('Phishing' in r['action'].get('social',{}).get('variety',[]) for r in recs)
//! theft=sum('Theft' in r['action'].get('physical',{}).get('variety',[]) for r in recs)
//! only_unknown=sum(set(r['action'])=={'unknown'} for r in recs)
//! avail=sum('availability' in r['attribute'] for r in recs)
//! conf=sum('confidentiality' in r['attribute'] for r in recs)
//! us=sum('US' in r['victim'].get('country',[]) for r in recs)
//! since18=sum(r['timeline']['incident']['year']>=2018 for r in recs)
//! y=C.Counter(r['timeline']['incident']['year'] for r in recs)
//! assets=C.Counter()
//! for r in recs:
//!     for p in {a['variety'].split(' - ')[0] for a in r['asset'].get('assets',[]) if 'variety' in a}: assets[p]+=1
//! phidbr=sum(r['plus'].get('sub_source')=='phidbr' for r in recs)
//! print(n, 'fin',fin,'esp',esp,'na',na,'ransom',ran,'phish',phi,'theft',theft,'only_unknown',only_unknown,'avail',avail,'conf',conf,'US',us,'since2018',since18, 'y2013',y[2013], 'phidbr', phidbr)
//! print(assets)
//! EOF
//! 2494 fin 954 esp 17 na 594 ransom 140 phish 86 theft 666 only_unknown 59 avail 1049 conf 2464 US 2023 since2018 283 y2013 395 phidbr 951
//! Counter({'S': 987, 'M': 779, 'U': 614, 'P': 161, 'Unknown': 152, 'N': 11, 'Other': 10, 'T': 4, 'E': 2})
//! ```
//!
//! Action categories (incidents with the key; same script, `C.Counter(k for r in
//! recs for k in r['action'])`): physical 697, error 677, misuse 644, hacking 313,
//! malware 194, social 139, unknown 87, environmental 3. The 17 schema failures
//! come from `jsonschema.Draft4Validator(vcdb-merged.json)` (Python `jsonschema`
//! 4.26), listed in `tests/data/README.md`.

use std::path::PathBuf;

use holisec_exchange::calibrate::{self, CalibrateOptions};
use holisec_exchange::summary::{self, Filter};
use holisec_exchange::veris::{Evidence, ProblemKind, ReadOptions, VerisReader};

/// Lines of the 17 records that break the VCDB schema.
const INVALID_LINES: [usize; 17] = [
    1233, 1277, 1558, 1897, 1900, 1956, 1967, 2007, 2100, 2103, 2150, 2177, 2181, 2185, 2190, 2203,
    2233,
];

/// The extract in the repository, or `$HOLISEC_VCDB`.
fn vcdb_path() -> PathBuf {
    let path = match std::env::var_os("HOLISEC_VCDB") {
        Some(p) => PathBuf::from(p),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/vcdb/vcdb-healthcare.jsonl")
        }
    };
    assert!(
        path.is_file(),
        "the VCDB extract is missing at {} (it ships in data/vcdb/; HOLISEC_VCDB overrides)",
        path.display()
    );
    path
}

fn read(options: ReadOptions) -> Evidence {
    let bytes = std::fs::read(vcdb_path()).unwrap();
    let mut reader = VerisReader::new(options);
    reader.read_jsonl(0, &bytes);
    reader.finish()
}

#[test]
fn totals_and_the_17_invalid_records() {
    let e = read(ReadOptions::default());
    assert_eq!(e.counts.records, 2494);
    assert_eq!(e.counts.incidents, 2494);
    assert_eq!(e.counts.unreadable, 0);
    assert_eq!(e.counts.invalid, 17);
    let mut lines: Vec<usize> = e
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Invalid)
        .map(|p| p.location.line)
        .collect();
    lines.dedup();
    assert_eq!(lines, INVALID_LINES);
    // Each failure is one of the three kinds the data README describes.
    for p in &e.problems {
        let path = p.path.as_deref().unwrap();
        assert!(
            path.starts_with("plus.attack_difficulty_") && p.message.contains("\"Not Applicable\"")
                || path == "action.physical.vector[0]"
                    && p.message.contains("\"Privileged access\"")
                || path == "action.physical.vector" && p.message.contains("non-unique"),
            "{p:?}"
        );
    }
    let dropped = read(ReadOptions {
        drop_invalid: true,
        check_schema: true,
    });
    assert_eq!(dropped.counts.incidents, 2477);
    assert_eq!(dropped.counts.dropped_invalid, 17);
}

#[test]
fn summary_matches_independent_counts() {
    let e = read(ReadOptions::default());
    let s = summary::summarise(&e, Filter::default());
    assert_eq!(s.incidents, 2494);
    assert_eq!((s.first_year, s.last_year), (Some(1994), Some(2022)));
    assert_eq!(s.year.count("2013"), 395);
    for (year, n) in [
        ("2018", 65),
        ("2019", 96),
        ("2020", 73),
        ("2021", 35),
        ("2022", 14),
    ] {
        assert_eq!(s.year.count(year), n, "{year}");
    }
    assert_eq!(s.motivation.count("crime"), 954);
    assert_eq!(s.motivation.count("espionage"), 17);
    assert_eq!(s.motivation.count("unintentional"), 594);
    assert_eq!(s.veris_motive.count("Financial"), 954);
    assert_eq!(s.action_variety.count("malware.Ransomware"), 140);
    assert_eq!(s.action_variety.count("social.Phishing"), 86);
    assert_eq!(s.action_variety.count("physical.Theft"), 666);
    for (category, n) in [
        ("physical", 697),
        ("error", 677),
        ("misuse", 644),
        ("hacking", 313),
        ("malware", 194),
        ("social", 139),
        ("environmental", 3),
    ] {
        assert_eq!(s.action_category.count(category), n, "{category}");
    }
    assert_eq!(s.action_category.unknown, 59);
    assert_eq!(
        s.domain.unknown, 59,
        "only `action.unknown` leaves the domain unknown"
    );
    for (class, n) in [
        ("server", 987),
        ("media", 779),
        ("user-device", 614),
        ("person", 161),
        ("network", 11),
    ] {
        assert_eq!(s.asset.count(class), n, "{class}");
    }
    assert_eq!(s.attribute.count("availability"), 1049);
    assert_eq!(s.attribute.count("confidentiality"), 2464);
    assert_eq!(s.country.count("US"), 2023);
    assert_eq!(s.sub_source.count("phidbr"), 951);
    // Unknown motives are kept apart: every incident is either classified or unknown.
    assert!(s.motivation.unknown > 0);
    assert!(s.motivation.rows.iter().all(|r| r.key != "unknown"));

    let recent = summary::summarise(&e, Filter { since: Some(2018) });
    assert_eq!(recent.incidents, 283);
    assert_eq!(recent.filtered_out, 2494 - 283);
    assert_eq!(recent.first_year, Some(2018));
}

#[test]
fn the_invalid_fixtures_are_reported_and_kept() {
    let bytes = include_bytes!("data/vcdb-invalid.jsonl");
    let mut reader = VerisReader::default();
    reader.read_jsonl(0, bytes);
    let e = reader.finish();
    assert_eq!(e.counts.records, 17);
    assert_eq!(e.counts.invalid, 17);
    assert_eq!(e.counts.incidents, 17);
    let first = &e.problems[0];
    assert_eq!(first.location.line, 1);
    assert_eq!(first.path.as_deref(), Some("action.physical.vector[0]"));
    let dup = e.problems.iter().find(|p| p.location.line == 7).unwrap();
    assert_eq!(dup.path.as_deref(), Some("action.physical.vector"));
    assert!(
        dup.message.contains("\"Victim work area\" is repeated"),
        "{}",
        dup.message
    );
    let legacy = e
        .problems
        .iter()
        .filter(|p| p.path.as_deref() == Some("plus.attack_difficulty_legacy"))
        .count();
    assert_eq!(legacy, 3);
}

const SMALL: &str = include_str!("data/small-model.toml");

#[test]
fn calibrated_model_validates_keeps_levels_and_records_provenance() {
    let e = read(ReadOptions::default());
    let loaded = holisec_model::load_str(SMALL);
    let eco = loaded.ecosystem.unwrap();
    let file = loaded.file.unwrap();
    let options = CalibrateOptions {
        filter: Filter { since: Some(2010) },
        sources: vec!["vcdb-healthcare.jsonl".into()],
        ..CalibrateOptions::default()
    };
    let result = calibrate::calibrate(&file, &eco, &e, &options).unwrap();
    let text = holisec_exchange::model_to_toml(&result.file).unwrap();
    let back = holisec_model::load_str(&text);
    let errors: Vec<_> = back.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    let new = back.ecosystem.unwrap();
    assert!(text.contains("filter: incident year >= 2010"));
    assert!(text.contains("incident years 2010-2022"));
    assert!(text.contains("vcdb-healthcare.jsonl; 2494 records read"));

    // Total TEF per target is kept (to the 6 significant digits written).
    let level = |eco: &holisec_model::Ecosystem, s: &str| -> f64 {
        let s = eco.stakeholder_by_id(s).unwrap();
        let scenarios = eco.scenarios();
        scenarios
            .iter()
            .filter(|k| k.stakeholder == s)
            .map(
                |k| match eco.scenario_override(*k).and_then(|o| o.frequency.as_ref()) {
                    Some(f) => f.mean(),
                    None => {
                        let n = scenarios
                            .iter()
                            .filter(|j| j.threat == k.threat && j.stakeholder == s)
                            .count();
                        eco.threat(k.threat).frequency.mean() / n as f64
                    }
                },
            )
            .sum()
    };
    for s in ["hospitals", "vendors", "agency"] {
        let (before, after) = (level(&eco, s), level(&new, s));
        assert!(
            (before - after).abs() <= 1e-4 * before,
            "{s}: {before} -> {after}"
        );
    }
    // Hospitals: crime dominates the evidence (954 incidents against 17 espionage, 49 activism).
    let hospitals = result
        .targets
        .iter()
        .find(|t| t.stakeholder == "hospitals")
        .unwrap();
    assert!(hospitals.calibrated);
    let crime = hospitals
        .shares
        .iter()
        .find(|s| s.motivation == holisec_model::Motivation::Crime)
        .unwrap();
    assert!(
        crime.after > 0.85 && crime.after > crime.before,
        "{crime:?}"
    );
    // The agency has too little evidence: kept, and its scenario keeps its TEF exactly.
    let agency = result
        .targets
        .iter()
        .find(|t| t.stakeholder == "agency")
        .unwrap();
    assert!(!agency.calibrated);
    assert!((level(&eco, "agency") - level(&new, "agency")).abs() < 1e-12);
}
