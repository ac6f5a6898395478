//! End-to-end tests of `holisec evidence summary|calibrate`, `holisec export stix`
//! and `holisec import stix`, on the real VCDB healthcare extract and on broken input.
//!
//! The VCDB extract ships with the repository, `data/vcdb/vcdb-healthcare.jsonl`
//! (provenance and licence in `data/vcdb/README.md`); `$HOLISEC_VCDB` points the
//! tests at another copy. A missing file fails the tests that need it.
//!
//! # Independent counts
//!
//! The expected numbers below were computed once, with no holisec code, by these
//! commands run in `data/vcdb/` (Python 3.11; `jsonschema` 4.26 from the project
//! venv for the schema check). Their output is quoted after each command.
//!
//! ```text
//! python3 - <<'EOF'
//! import json, collections as C
//! recs=[json.loads(l) for l in open('vcdb-healthcare.jsonl')]
//! def acts(r): return [a for a in r.get('actor',{}).values() if isinstance(a,dict)]
//! def has_motive(r,m): return any(m in a.get('motive',[]) for a in acts(r))
//! def var(r,c,v): return v in r.get('action',{}).get(c,{}).get('variety',[])
//! print('total',len(recs))
//! print('years',sorted(C.Counter(r['timeline']['incident'].get('year') for r in recs).items()))
//! for y in (2010,2015,2018): print('since',y,sum(r['timeline']['incident'].get('year',0)>=y for r in recs))
//! for m in ['Financial','Espionage','Grudge','Ideology','NA','Fun','Convenience','Fear','Secondary','Other']: print('motive',m,sum(has_motive(r,m) for r in recs))
//! for c,v in [('malware','Ransomware'),('social','Phishing'),('physical','Theft'),('error','Misdelivery'),('misuse','Privilege abuse')]: print('variety',c,v,sum(var(r,c,v) for r in recs))
//! for c in ['malware','hacking','social','misuse','physical','error','environmental','unknown']: print('category',c,sum(c in r.get('action',{}) for r in recs))
//! print('action only unknown',sum(set(r.get('action',{}))=={'unknown'} for r in recs))
//! for a in ['confidentiality','integrity','availability']: print('attribute',a,sum(a in r.get('attribute',{}) for r in recs))
//! print('phidbr',sum(r.get('plus',{}).get('sub_source')=='phidbr' for r in recs))
//! rec18=[r for r in recs if r['timeline']['incident'].get('year',0)>=2018]
//! print('since2018 ransomware',sum(var(r,'malware','Ransomware') for r in rec18),'financial',sum(has_motive(r,'Financial') for r in rec18),'hacking',sum('hacking' in r['action'] for r in rec18))
//! EOF
//! total 2494
//! years [(1994, 1), (2001, 1), (2002, 1), (2003, 4), (2004, 3), (2005, 4), (2006, 4), (2007, 9), (2008, 17), (2009, 27),
//!        (2010, 201), (2011, 162), (2012, 287), (2013, 395), (2014, 310), (2015, 317), (2016, 260), (2017, 208),
//!        (2018, 65), (2019, 96), (2020, 73), (2021, 35), (2022, 14)]
//! since 2010 2423 / since 2015 1068 / since 2018 283
//! motive Financial 954, Espionage 17, Grudge 40, Ideology 6, NA 594, Fun 170, Convenience 43, Fear 1, Secondary 0, Other 20
//! variety malware Ransomware 140, social Phishing 86, physical Theft 666, error Misdelivery 160, misuse Privilege abuse 423
//! category malware 194, hacking 313, social 139, misuse 644, physical 697, error 677, environmental 3, unknown 87
//! action only unknown 59
//! attribute confidentiality 2464, integrity 391, availability 1049
//! phidbr 951
//! since2018 ransomware 75 financial 148 hacking 91
//! ```
//!
//! The motivation classes follow the documented mapping (docs/exchange.md), re-implemented
//! in Python from the documentation alone:
//!
//! ```text
//! python3 - <<'EOF'
//! import json, collections as C
//! recs=[json.loads(l) for l in open('vcdb-healthcare.jsonl')]
//! def classes(r):
//!     out=set()
//!     for role,a in r.get('actor',{}).items():
//!         if not isinstance(a,dict): continue
//!         var=a.get('variety',[]); ext=role=='external'
//!         state=ext and ('Nation-state' in var or 'State-affiliated' in var)
//!         if ext and 'Terrorist' in var: out.add('terrorism')
//!         if ext and 'Activist' in var: out.add('activism')
//!         for m in a.get('motive',[]):
//!             out.add({'Financial':'crime','Espionage':'espionage','Ideology':'warfare' if state else 'activism','Grudge':'warfare' if state else 'activism','NA':'unintentional'}.get(m,'other' if m in ('Fun','Convenience','Secondary','Fear','Other') else None))
//!     out.discard(None)
//!     return out
//! c=C.Counter(); unk=0
//! for r in recs:
//!     s=classes(r)
//!     if not s: unk+=1
//!     c.update(s)
//! print(sorted(c.items()), 'unknown', unk)
//! EOF
//! [('activism', 49), ('crime', 954), ('espionage', 17), ('other', 234), ('unintentional', 594), ('warfare', 1)] unknown 669
//! ```
//!
//! The records that break the VCDB schema, with the official draft-4 validator:
//!
//! ```text
//! .venv/bin/python - <<'EOF'
//! import json, jsonschema
//! v=jsonschema.Draft4Validator(json.load(open('../../crates/holisec-exchange/data/vcdb-merged.json')))
//! for i,l in enumerate(open('vcdb-healthcare.jsonl'),1):
//!     errs=list(v.iter_errors(json.loads(l)))
//!     if errs: print(i, sorted(e.json_path for e in errs))
//! EOF
//! ```
//!
//! Its output is [`SCHEMA_FAILURES`] (17 records, 29 violations).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{holisec, parts, repo_root};
use serde_json::{Value, json};

/// `(line, JSON paths)` of every record that breaks the VCDB schema, from `jsonschema`.
const SCHEMA_FAILURES: [(usize, &[&str]); 17] = [
    (1233, &["action.physical.vector[0]"]),
    (1277, &["action.physical.vector[0]"]),
    (
        1558,
        &[
            "plus.attack_difficulty_initial",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (
        1897,
        &[
            "plus.attack_difficulty_initial",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (1900, &["action.physical.vector[0]"]),
    (
        1956,
        &[
            "plus.attack_difficulty_legacy",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (1967, &["action.physical.vector"]),
    (2007, &["action.physical.vector[0]"]),
    (
        2100,
        &[
            "plus.attack_difficulty_initial",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (
        2103,
        &[
            "plus.attack_difficulty_initial",
            "plus.attack_difficulty_legacy",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (
        2150,
        &[
            "plus.attack_difficulty_initial",
            "plus.attack_difficulty_legacy",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (2177, &["action.physical.vector[0]"]),
    (
        2181,
        &[
            "plus.attack_difficulty_initial",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (
        2185,
        &[
            "plus.attack_difficulty_initial",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (
        2190,
        &[
            "plus.attack_difficulty_initial",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (
        2203,
        &[
            "plus.attack_difficulty_initial",
            "plus.attack_difficulty_subsequent",
        ],
    ),
    (2233, &["action.physical.vector[0]"]),
];

/// The small test model of holisec-exchange (every part of the model format).
fn small_model() -> PathBuf {
    repo_root().join("crates/holisec-exchange/tests/data/small-model.toml")
}

/// The VCDB extract in the repository, or `$HOLISEC_VCDB`.
fn vcdb() -> PathBuf {
    let path = match std::env::var_os("HOLISEC_VCDB") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("data/vcdb/vcdb-healthcare.jsonl"),
    };
    assert!(
        path.is_file(),
        "the VCDB extract is missing at {} (it ships in data/vcdb/; HOLISEC_VCDB overrides)",
        path.display()
    );
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs holisec; asserts it did not panic and exited with `code`; returns stdout and stderr.
fn run(args: &[&str], dir: Option<&Path>, code: i32) -> (String, String) {
    let (got, stdout, stderr) = parts(&holisec(args, dir));
    assert!(
        !stderr.contains("panicked"),
        "holisec {args:?} panicked:\n{stderr}"
    );
    assert_eq!(
        got, code,
        "holisec {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// Files in `dir`, by name.
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The count in row `key` of the table titled `title` of the human summary.
fn table_count(text: &str, title: &str, key: &str) -> usize {
    let mut lines = text.lines();
    lines
        .by_ref()
        .find(|l| l.split("  ").next() == Some(title))
        .unwrap_or_else(|| panic!("no table `{title}` in\n{text}"));
    for line in lines.take_while(|l| !l.trim().is_empty()) {
        // `key   count   share`, where the key may hold single spaces.
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() >= 3 && words[..words.len() - 2].join(" ") == key {
            return words[words.len() - 2].parse().unwrap();
        }
    }
    panic!("no row `{key}` in table `{title}` of\n{text}")
}

fn json_count(summary: &Value, table: &str, key: &str) -> u64 {
    summary[table]["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no table {table}"))
        .iter()
        .find(|r| r["key"] == key)
        .map_or(0, |r| r["count"].as_u64().unwrap())
}

#[test]
fn summary_table_of_the_real_file_matches_independent_counts() {
    let data = vcdb();
    // By default: the first three problems and a count of the rest.
    let (_, brief) = run(&["evidence", "summary", s(&data)], None, 0);
    let shown = brief.lines().filter(|l| l.starts_with("warning: ")).count();
    assert_eq!(shown, 4, "three problems and the count line:\n{brief}");
    assert!(
        brief.contains("warning: 26 more problems in 15 records (--verbose shows all"),
        "{brief}"
    );
    let (out, err) = run(
        &["evidence", "summary", s(&data), "--verbose", "--wide"],
        None,
        0,
    );
    assert!(
        out.starts_with("2494 incidents (filter: none, 0 left out), incident years 1994-2022\n"),
        "{out}"
    );
    for (year, n) in [
        ("1994", 1),
        ("2009", 27),
        ("2010", 201),
        ("2013", 395),
        ("2017", 208),
        ("2018", 65),
        ("2019", 96),
        ("2020", 73),
        ("2021", 35),
        ("2022", 14),
    ] {
        assert_eq!(table_count(&out, "year", year), n, "year {year}");
    }
    assert_eq!(table_count(&out, "year", "unknown"), 0);
    for (class, n) in [
        ("crime", 954),
        ("unintentional", 594),
        ("other", 234),
        ("activism", 49),
        ("espionage", 17),
        ("warfare", 1),
        ("terrorism", 0),
        ("unknown", 669),
    ] {
        assert_eq!(
            table_count(&out, "motivation", class),
            n,
            "motivation {class}"
        );
    }
    for (motive, n) in [
        ("Financial", 954),
        ("NA", 594),
        ("Fun", 170),
        ("Convenience", 43),
        ("Grudge", 40),
        ("Espionage", 17),
        ("Ideology", 6),
    ] {
        assert_eq!(table_count(&out, "VERIS motive", motive), n, "{motive}");
    }
    for (category, n) in [
        ("physical", 697),
        ("error", 677),
        ("misuse", 644),
        ("hacking", 313),
        ("malware", 194),
        ("social", 139),
        ("environmental", 3),
        ("unknown", 59),
    ] {
        assert_eq!(
            table_count(&out, "action category", category),
            n,
            "{category}"
        );
    }
    assert_eq!(table_count(&out, "domain", "unknown"), 59);
    for (variety, n) in [
        ("physical.Theft", 666),
        ("misuse.Privilege abuse", 423),
        ("error.Misdelivery", 160),
        ("malware.Ransomware", 140),
        ("social.Phishing", 86),
    ] {
        assert_eq!(table_count(&out, "action variety", variety), n, "{variety}");
    }
    for (attribute, n) in [
        ("confidentiality", 2464),
        ("availability", 1049),
        ("integrity", 391),
        ("unknown", 0),
    ] {
        assert_eq!(table_count(&out, "attribute", attribute), n, "{attribute}");
    }
    assert_eq!(table_count(&out, "sub-source", "phidbr"), 951);

    // Every record that breaks the schema is reported with its line and JSON path,
    // the import goes on, and the count comes at the end.
    let name = s(&data);
    for (line, paths) in SCHEMA_FAILURES {
        for path in paths {
            let needle = format!("warning: {name}:{line}: breaks the VCDB schema: at `{path}`: ");
            assert!(err.contains(&needle), "missing `{needle}` in\n{err}");
        }
    }
    let warnings = err.lines().filter(|l| l.starts_with("warning: ")).count();
    assert_eq!(warnings, 29, "{err}");
    assert_eq!(
        err.lines().last().unwrap(),
        "read 2494 records from 1 file: 2494 incidents, 0 unreadable (skipped), 17 break the VCDB schema (kept)"
    );
}

#[test]
fn summary_json_and_since_match_independent_counts() {
    let data = vcdb();
    let (out, err) = run(&["evidence", "summary", s(&data), "--json"], None, 0);
    assert!(
        !err.contains("warning:"),
        "--json lists problems in the JSON: {err}"
    );
    assert!(err.contains("17 break the VCDB schema"), "{err}");
    let all: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        all["read"],
        json!({"records": 2494, "incidents": 2494, "unreadable": 0, "invalid": 17, "dropped_invalid": 0})
    );
    assert_eq!(all["incidents"], 2494);
    assert_eq!(json_count(&all, "veris_motive", "Financial"), 954);
    assert_eq!(json_count(&all, "motivation", "crime"), 954);
    assert_eq!(all["motivation"]["unknown"], 669);
    assert_eq!(
        json_count(&all, "action_variety", "malware.Ransomware"),
        140
    );
    assert_eq!(json_count(&all, "attribute", "integrity"), 391);
    assert_eq!(json_count(&all, "sub_source", "phidbr"), 951);
    // Every schema violation, and nothing else, with its line and path.
    let got: BTreeSet<(u64, String)> = all["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["kind"], "invalid");
            assert_eq!(p["file"], s(&data));
            (
                p["location"]["line"].as_u64().unwrap(),
                p["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(u64, String)> = SCHEMA_FAILURES
        .iter()
        .flat_map(|(line, paths)| paths.iter().map(|p| (*line as u64, p.to_string())))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(all["problems"].as_array().unwrap().len(), 29);

    let (out, _) = run(
        &["evidence", "summary", s(&data), "--json", "--since", "2018"],
        None,
        0,
    );
    let recent: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(recent["incidents"], 283);
    assert_eq!(recent["filtered_out"], 2494 - 283);
    assert_eq!(recent["filter"], "incident year >= 2018");
    assert_eq!(
        (recent["first_year"].clone(), recent["last_year"].clone()),
        (json!(2018), json!(2022))
    );
    assert_eq!(
        json_count(&recent, "action_variety", "malware.Ransomware"),
        75
    );
    assert_eq!(json_count(&recent, "veris_motive", "Financial"), 148);
    assert_eq!(json_count(&recent, "action_category", "hacking"), 91);
    assert_eq!(json_count(&recent, "year", "2017"), 0);

    let (out, _) = run(
        &["evidence", "summary", s(&data), "--since", "2015"],
        None,
        0,
    );
    assert!(
        out.starts_with("1068 incidents (filter: incident year >= 2015, 1426 left out), incident years 2015-2022\n"),
        "{out}"
    );

    let (out, err) = run(
        &["evidence", "summary", s(&data), "--json", "--drop-invalid"],
        None,
        0,
    );
    let dropped: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(dropped["incidents"], 2494 - 17);
    assert!(err.contains("17 break the VCDB schema (skipped)"), "{err}");
}

/// The first `n` lines of the VCDB file.
fn vcdb_lines(data: &Path, n: usize) -> Vec<String> {
    std::fs::read_to_string(data)
        .unwrap()
        .lines()
        .take(n)
        .map(str::to_owned)
        .collect()
}

/// The tables of a `--json` summary, without the parts that name the input.
fn tables(summary: &Value) -> Value {
    let mut v = summary.clone();
    let map = v.as_object_mut().unwrap();
    map.remove("files");
    map.remove("problems");
    v
}

#[test]
fn directories_and_single_json_files_read_like_json_lines() {
    let data = vcdb();
    let lines = vcdb_lines(&data, 6);
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("six.jsonl");
    std::fs::write(&jsonl, lines.join("\n") + "\n").unwrap();
    let (out, _) = run(&["evidence", "summary", s(&jsonl), "--json"], None, 0);
    let reference: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(reference["incidents"], 6);

    // A directory as in the VCDB repository: one pretty-printed incident per .json file,
    // and a README that is not JSON (skipped because of its name).
    let validated = dir.path().join("validated");
    std::fs::create_dir(&validated).unwrap();
    for (i, line) in lines.iter().enumerate() {
        let value: Value = serde_json::from_str(line).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        std::fs::write(validated.join(format!("incident-{i}.json")), pretty).unwrap();
    }
    std::fs::write(validated.join("README"), "not JSON").unwrap();
    let (out, err) = run(&["evidence", "summary", s(&validated), "--json"], None, 0);
    let from_dir: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(from_dir["files"].as_array().unwrap().len(), 6, "{err}");
    assert_eq!(tables(&from_dir), tables(&reference));

    // One .json file holding an array of incidents, and one holding a single incident.
    let array = dir.path().join("array.json");
    let values: Vec<Value> = lines[..5]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    std::fs::write(&array, serde_json::to_string_pretty(&values).unwrap()).unwrap();
    let single = dir.path().join("single.json");
    std::fs::write(&single, &lines[5]).unwrap();
    let (out, _) = run(
        &["evidence", "summary", s(&array), s(&single), "--json"],
        None,
        0,
    );
    let from_files: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(from_files["read"]["records"], 6);
    assert_eq!(tables(&from_files), tables(&reference));

    // A broken file in a directory is reported by name, line and column; the rest is read.
    std::fs::write(validated.join("incident-9.json"), "{\n  \"action\": {\n").unwrap();
    let (out, err) = run(&["evidence", "summary", s(&validated)], None, 0);
    assert!(out.starts_with("6 incidents"), "{out}");
    let broken = validated.join("incident-9.json");
    assert!(
        err.contains(&format!(
            "{}:3:1: unreadable, skipped: truncated JSON",
            s(&broken)
        )),
        "{err}"
    );
    assert!(
        err.contains("read 7 records from 7 files: 6 incidents, 1 unreadable"),
        "{err}"
    );

    // An empty directory is an error.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (_, err) = run(&["evidence", "summary", s(&empty)], None, 2);
    assert!(err.contains("has no .json or .jsonl files"), "{err}");
}

#[test]
fn calibrate_writes_a_valid_model_with_its_provenance_and_nothing_else() {
    let data = vcdb();
    let dir = tempfile::tempdir().unwrap();
    // The built-in model, recent incidents only.
    let (out, err) = run(
        &[
            "evidence",
            "calibrate",
            s(&data),
            "-o",
            "calibrated.toml",
            "--since",
            "2010",
        ],
        Some(dir.path()),
        0,
    );
    assert_eq!(
        listing(dir.path()),
        names(&["calibrated.toml"]),
        "-o writes only its file"
    );
    assert!(out.contains("calibrated from 2423 incidents"), "{out}");
    assert!(
        err.contains("wrote calibrated.toml (calibrated model, "),
        "{err}"
    );
    assert!(err.contains("17 break the VCDB schema (kept)"), "{err}");
    let text = std::fs::read_to_string(dir.path().join("calibrated.toml")).unwrap();
    let provenance = "vcdb-healthcare.jsonl; 2494 records read, 2423 incidents used, filter: incident year >= 2010, incident years 2010-2022";
    assert!(text.contains(provenance), "{text}");
    // The provenance is on the changed distributions, not only in the bibliography.
    let sources = text
        .lines()
        .filter(|l| l.contains(provenance) && !l.starts_with("sources"))
        .count();
    assert!(sources > 10, "{sources} source fields");
    let (out, err) = run(&["validate", "calibrated.toml"], Some(dir.path()), 0);
    assert!(out.contains("is valid"), "{out}{err}");

    // A model file, all years, JSON report.
    let (out, _) = run(
        &[
            "evidence",
            "calibrate",
            s(&small_model()),
            s(&data),
            "--output",
            "small.toml",
            "--json",
        ],
        Some(dir.path()),
        0,
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["incidents"], 2494);
    assert!(
        report["source"].as_str().unwrap().contains(
            "2494 records read, 2494 incidents used, filter: none, incident years 1994-2022"
        ),
        "{report}"
    );
    let hospitals = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["stakeholder"] == "hospitals")
        .unwrap();
    assert_eq!(hospitals["calibrated"], true);
    assert_eq!(
        listing(dir.path()),
        names(&["calibrated.toml", "small.toml"])
    );
    run(&["validate", "small.toml"], Some(dir.path()), 0);

    // Usage errors: no output path, no evidence after the model, no incident passing the filter.
    run(&["evidence", "calibrate", s(&data)], Some(dir.path()), 2);
    let (_, err) = run(
        &["evidence", "calibrate", s(&small_model()), "-o", "x.toml"],
        Some(dir.path()),
        2,
    );
    assert!(err.contains("no VERIS file given"), "{err}");
    let (_, err) = run(
        &[
            "evidence",
            "calibrate",
            s(&data),
            "-o",
            "x.toml",
            "--since",
            "2030",
        ],
        Some(dir.path()),
        2,
    );
    assert!(
        err.contains("no incident passes the filter (incident year >= 2030)"),
        "{err}"
    );
    assert_eq!(
        listing(dir.path()),
        names(&["calibrated.toml", "small.toml"]),
        "failed runs write nothing"
    );
}

/// The motivation shares the calibration gives the built-in model's healthcare
/// organisations, against the formula of docs/exchange.md computed independently:
/// `p(m) = (W_m + 0.5) / (sum of W + 5 x 0.5)`, where `W_m` sums `1/n` over the
/// incidents since 2010 with a victim in NAICS 62 (not 624) and `n` known model
/// motivations, `m` among them. Python (the `classes` function of the module doc):
///
/// ```text
/// W={m:0.0 for m in known}; n=0
/// for r in recs:
///     if r['timeline']['incident'].get('year',0) < 2010: continue
///     vs=r.get('victim',[]); vs=vs if isinstance(vs,list) else [vs]
///     if not any(str(v.get('industry','')).startswith('62') and not str(v.get('industry','')).startswith('624') for v in vs): continue
///     ms=classes(r)&known
///     if not ms: continue
///     n+=1
///     for m in ms: W[m]+=1/len(ms)
/// tot=sum(W.values())+0.5*5
/// print(n, {m:(W[m]+0.5)/tot for m in sorted(W)})
/// 956 {'activism': 0.04381846635367762, 'crime': 0.9379238393322901, 'espionage': 0.01617110067814293,
///      'terrorism': 0.0005216484089723526, 'warfare': 0.001564945226917058}
/// ```
#[test]
fn calibrated_shares_match_the_documented_formula() {
    let data = vcdb();
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = run(
        &[
            "evidence",
            "calibrate",
            s(&data),
            "-o",
            "europe.toml",
            "--since",
            "2010",
            "--json",
        ],
        Some(dir.path()),
        0,
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let target = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["stakeholder"] == "healthcare-organisations")
        .unwrap();
    assert_eq!(target["incidents"], 956);
    for (m, p) in [
        ("activism", 0.04381846635367762),
        ("crime", 0.9379238393322901),
        ("espionage", 0.01617110067814293),
        ("terrorism", 0.0005216484089723526),
        ("warfare", 0.001564945226917058),
    ] {
        let share = target["shares"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["motivation"] == m)
            .unwrap();
        let after = share["after"].as_f64().unwrap();
        assert!((after - p).abs() < 1e-9, "{m}: {after} vs {p}");
    }
    // Stakeholder kinds with fewer than 20 incidents keep their mix.
    let agencies = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["stakeholder"] == "agencies-institutions")
        .unwrap();
    assert_eq!(agencies["calibrated"], false);
    assert_eq!(listing(dir.path()), names(&["europe.toml"]));
}

#[test]
fn export_import_export_is_byte_identical_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = Some(dir.path());
    let (stdout, _) = run(&["export", "stix"], d, 0);
    assert!(listing(dir.path()).is_empty(), "stdout by default");
    run(&["export", "stix", "-o", "first.json"], d, 0);
    let first = std::fs::read(dir.path().join("first.json")).unwrap();
    assert_eq!(first, stdout.as_bytes());
    let (_, err) = run(&["import", "stix", "first.json", "-o", "model.toml"], d, 0);
    assert!(!err.contains("skipped"), "{err}");
    run(&["validate", "model.toml"], d, 0);
    run(
        &["export", "stix", "model.toml", "--output", "second.json"],
        d,
        0,
    );
    let second = std::fs::read(dir.path().join("second.json")).unwrap();
    assert!(first == second, "export -> import -> export differs");
    assert_eq!(
        listing(dir.path()),
        names(&["first.json", "model.toml", "second.json"])
    );
    // Import to stdout gives the same model text.
    let (model, _) = run(&["import", "stix", "first.json"], d, 0);
    assert_eq!(
        model,
        std::fs::read_to_string(dir.path().join("model.toml")).unwrap()
    );

    // The small model, which uses every part of the format (populations, overrides, ...).
    let small = small_model();
    run(&["export", "stix", s(&small), "-o", "small-1.json"], d, 0);
    run(
        &["import", "stix", "small-1.json", "-o", "small.toml"],
        d,
        0,
    );
    run(
        &["export", "stix", "small.toml", "-o", "small-2.json"],
        d,
        0,
    );
    assert!(
        std::fs::read(dir.path().join("small-1.json")).unwrap()
            == std::fs::read(dir.path().join("small-2.json")).unwrap()
    );

    // Re-exports are deterministic, and --timestamp changes only the timestamps.
    let (again, _) = run(&["export", "stix"], d, 0);
    assert_eq!(again, stdout);
    let (later, _) = run(
        &["export", "stix", "--timestamp", "2027-02-03T04:05:06Z"],
        d,
        0,
    );
    assert_eq!(
        later.replace("2027-02-03T04:05:06.000Z", "2026-01-01T00:00:00.000Z"),
        stdout
    );
    let (_, err) = run(&["export", "stix", "--timestamp", "soon"], d, 2);
    assert!(err.contains("RFC 3339"), "{err}");
}

/// Ids computed independently with Python's `uuid` module (RFC 4122 UUIDv5):
///
/// ```text
/// python3 -c "
/// import uuid
/// ns=uuid.uuid5(uuid.NAMESPACE_URL,'https://example.invalid/holisec/stix/2.1'); print(ns)
/// for t,n in [('identity','holisec'),('identity','stakeholder:healthcare-organisations'),('threat-actor','ransomware'),('extension-definition','holisec-vulnerability-factor'),('extension-definition','holisec-model-properties'),('grouping','ecosystem')]:
///   print(t+'--'+str(uuid.uuid5(ns, t+':'+n)))"
/// ```
#[test]
fn export_maps_every_model_object_with_uuidv5_ids() {
    let (bundle, _) = run(&["export", "stix"], None, 0);
    let bundle: Value = serde_json::from_str(&bundle).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    let ids: BTreeSet<&str> = objects.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), objects.len(), "ids are unique");
    for id in [
        "identity--f74d2530-a699-5b8d-94cd-7a5f33eed51c",
        "identity--1f8462ef-892b-56a7-b010-404025c98fa8",
        "threat-actor--e369c855-d51a-5d4d-b699-02436480eb3c",
        "extension-definition--14dfd309-ef3e-57e3-8c0d-4c2a9963dcd1",
        "extension-definition--a1fac2f3-dafa-58bd-b878-553a6fc1f922",
        "grouping--8e4655bd-b8a7-55b5-ae35-3c97d5e527c0",
    ] {
        assert!(ids.contains(id), "{id}");
    }
    // One object per model entry: compare with what `holisec validate` counts.
    let (out, _) = run(&["validate", "--wide"], None, 0);
    let count = |noun: &str| -> usize {
        let before = out.split(&format!(" {noun}")).next().unwrap();
        before.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let of_type = |t: &str| objects.iter().filter(|o| o["type"] == t).count();
    let relationships = |t: &str| {
        objects
            .iter()
            .filter(|o| o["type"] == "relationship" && o["relationship_type"] == t)
            .count()
    };
    assert_eq!(
        of_type("identity"),
        count("stakeholders") + 1,
        "plus the creator"
    );
    assert_eq!(
        of_type("holisec-vulnerability-factor"),
        count("vulnerability factors")
    );
    assert_eq!(of_type("threat-actor"), count("threats"));
    assert_eq!(of_type("course-of-action"), count("support items"));
    assert_eq!(relationships("related-to"), count("relations"));
    assert_eq!(of_type("grouping"), 1);
    assert_eq!(of_type("extension-definition"), 2);
    assert!(relationships("targets") > count("threats"));
    assert!(relationships("mitigates") >= count("support items"));
    let healthcare = objects
        .iter()
        .find(|o| o["id"] == "identity--1f8462ef-892b-56a7-b010-404025c98fa8")
        .unwrap();
    assert_eq!(healthcare["sectors"], json!(["healthcare"]));
    let ransomware = objects
        .iter()
        .find(|o| o["id"] == "threat-actor--e369c855-d51a-5d4d-b699-02436480eb3c")
        .unwrap();
    assert_eq!(ransomware["primary_motivation"], "personal-gain");
}

#[test]
fn exported_bundle_of_the_builtin_model_passes_the_oasis_validator() {
    let Some(validator) = common::tool("stix2_validator") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    run(
        &["export", "stix", "-o", "europe.json"],
        Some(dir.path()),
        0,
    );
    let out = std::process::Command::new(&validator)
        .arg(dir.path().join("europe.json"))
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stix2_validator failed:\n{report}");
    assert!(report.contains("STIX JSON: Valid"), "{report}");
    assert!(!report.contains("[X]"), "errors:\n{report}");
}

/// The export of the small model with objects a real feed (OpenCTI, MISP) would carry.
fn feed_bundle(dir: &Path) -> (Vec<u8>, Value) {
    run(
        &["export", "stix", s(&small_model()), "-o", "export.json"],
        Some(dir),
        0,
    );
    let original = std::fs::read(dir.join("export.json")).unwrap();
    let mut bundle: Value = serde_json::from_slice(&original).unwrap();
    let threat = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type"] == "threat-actor")
        .unwrap()["id"]
        .clone();
    let extra = json!([
        {"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:WHITE", "definition": {"tlp": "white"}},
        {"type": "identity", "spec_version": "2.1", "id": "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "CERT-EU", "identity_class": "organization"},
        {"type": "malware", "spec_version": "2.1", "id": "malware--11111111-1111-4111-8111-111111111111", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "LockBit", "is_family": true},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--22222222-2222-4222-8222-222222222222", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "pattern": "[file:hashes.'SHA-256' = 'aa']", "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"},
        {"type": "x-opencti-incident-response", "id": "x-opencti-incident-response--33333333-3333-4333-8333-333333333333"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--44444444-4444-4444-8444-444444444444", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "relationship_type": "indicates", "source_ref": "indicator--22222222-2222-4222-8222-222222222222", "target_ref": "malware--11111111-1111-4111-8111-111111111111"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--55555555-5555-4555-8555-555555555555", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "relationship_type": "uses", "source_ref": threat, "target_ref": "malware--11111111-1111-4111-8111-111111111111"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--66666666-6666-4666-8666-666666666666", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "relationship_type": "targets", "source_ref": threat, "target_ref": "identity--77777777-7777-4777-8777-777777777777"}
    ]);
    bundle["objects"]
        .as_array_mut()
        .unwrap()
        .extend(extra.as_array().unwrap().iter().cloned());
    (original, bundle)
}

#[test]
fn unrelated_stix_objects_are_skipped_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let d = Some(dir.path());
    let (original, bundle) = feed_bundle(dir.path());
    std::fs::write(
        dir.path().join("feed.json"),
        serde_json::to_string_pretty(&bundle).unwrap(),
    )
    .unwrap();
    let (_, err) = run(&["import", "stix", "feed.json", "-o", "model.toml"], d, 0);
    assert!(
        err.contains(
            "skipped 8 object(s): 7 not part of a holisec model (1 identity, 1 indicator, 1 malware, 1 marking-definition, 2 relationship, 1 x-opencti-incident-response); 1 relationship(s) to objects missing from the bundle"
        ),
        "{err}"
    );
    assert!(
        err.contains("warning: feed.json: objects[")
            && err.contains("refers to `identity--77777777-7777-4777-8777-777777777777`"),
        "{err}"
    );
    run(&["export", "stix", "model.toml", "-o", "again.json"], d, 0);
    assert!(
        std::fs::read(dir.path().join("again.json")).unwrap() == original,
        "the foreign objects leave the model unchanged"
    );
}

/// Writes `bytes` as `name` in `dir` and returns the path.
fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A minimal readable VERIS incident.
const INCIDENT: &str = r#"{"incident_id":"t","timeline":{"incident":{"year":2019}},"actor":{"external":{"motive":["Financial"]}},"action":{"malware":{"variety":["Ransomware"]}},"victim":{"industry":"622110"}}"#;

#[test]
fn broken_veris_input_is_a_counted_skip_or_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let deep = format!(
        "{{\"action\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let mut bytes = Vec::new();
    for line in [
        INCIDENT,
        r#"{"action":{"malware":{"variety":["Ransomware"]"#,
        r#"{"timeline":{"incident":{"year":"2015"}}}"#,
        r#"{"victim":[{"industry":62}]}"#,
        deep.as_str(),
        "[1,2,3]",
    ] {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b"{\"summary\":\"caf\xe9\"}\n");
    bytes.extend_from_slice(INCIDENT.as_bytes());
    let mixed = put(d, "mixed.jsonl", &bytes);
    let (out, err) = run(
        &["evidence", "summary", s(&mixed), "--verbose", "--wide"],
        None,
        0,
    );
    assert!(out.starts_with("2 incidents"), "{out}");
    let name = s(&mixed);
    for needle in [
        format!("{name}:2:46: unreadable, skipped: truncated JSON"),
        format!(
            "{name}:3: unreadable, skipped: at `timeline.incident.year`: invalid type: string \"2015\""
        ),
        format!(
            "{name}:4: unreadable, skipped: at `victim[0].industry`: invalid type: integer `62`"
        ),
        format!("{name}:5:"),
        "recursion limit exceeded".to_owned(),
        format!("{name}:6: unreadable, skipped: expected a VERIS incident object, found an array"),
        format!("{name}:7:"),
        "invalid unicode code point".to_owned(),
        "read 8 records from 1 file: 2 incidents, 6 unreadable (skipped)".to_owned(),
    ] {
        assert!(err.contains(&needle), "missing `{needle}` in\n{err}");
    }
    let (out, _) = run(&["evidence", "summary", s(&mixed), "--json"], None, 0);
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["read"]["unreadable"], 6);
    assert_eq!(json_count(&summary, "motivation", "crime"), 2);

    // A 40 MiB line (over the 16 MiB record limit, under the 64 MiB line limit)
    // is skipped without being held in memory; the lines around it are read.
    let mut big = Vec::with_capacity(40 * 1024 * 1024 + 1024);
    big.extend_from_slice(INCIDENT.as_bytes());
    big.extend_from_slice(b"\n{\"summary\":\"");
    big.resize(big.len() + 40 * 1024 * 1024, b'x');
    big.extend_from_slice(b"\"}\n");
    big.extend_from_slice(INCIDENT.as_bytes());
    big.push(b'\n');
    let huge = put(d, "huge.jsonl", &big);
    drop(big);
    let (out, err) = run(&["evidence", "summary", s(&huge), "--json"], None, 0);
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["read"]["records"], 3);
    assert_eq!(summary["incidents"], 2);
    let problem = summary["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "unreadable")
        .unwrap();
    assert_eq!(problem["location"]["line"], 2);
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("record is 40.0 MiB, larger than the 16 MiB limit; skipped"),
        "{problem}"
    );
    assert!(err.contains("1 unreadable (skipped)"), "{err}");
    std::fs::remove_file(&huge).unwrap();

    // A line still without a break after 64 MiB is not JSON Lines (or an
    // endless stream): the read stops there with an error.
    let mut endless = Vec::with_capacity(65 * 1024 * 1024);
    endless.resize(65 * 1024 * 1024, b'x');
    let endless_file = put(d, "endless.jsonl", &endless);
    drop(endless);
    let (_, err) = run(&["evidence", "summary", s(&endless_file)], None, 2);
    assert!(err.contains("without a line break"), "{err}");
    std::fs::remove_file(&endless_file).unwrap();

    // Nothing readable at all: a clear error naming the file and the first problem.
    let broken = put(
        d,
        "broken.json",
        b"{\"incident_id\": \"x\",\n  \"action\": [",
    );
    let (_, err) = run(&["evidence", "summary", s(&broken)], None, 2);
    assert!(
        err.contains(&format!(
            "error: no VERIS incident could be read from {} (1 records, 1 unreadable, 0 skipped as invalid); first problem: {}:2:",
            s(&broken),
            s(&broken)
        )) && err.contains("truncated JSON"),
        "{err}"
    );
    let stix = put(d, "bundle.json", br#"{"type":"bundle","objects":[]}"#);
    let (_, err) = run(&["evidence", "summary", s(&stix)], None, 2);
    assert!(err.contains("no VERIS incident could be read"), "{err}");
    let (_, err) = run(
        &["evidence", "summary", s(&d.join("missing.jsonl"))],
        None,
        2,
    );
    assert!(err.contains("cannot read"), "{err}");
    let (_, err) = run(
        &[
            "evidence",
            "calibrate",
            s(&broken),
            "-o",
            s(&d.join("out.toml")),
        ],
        None,
        2,
    );
    assert!(err.contains("no VERIS incident could be read"), "{err}");
    assert!(!d.join("out.toml").exists());
}

#[test]
fn broken_stix_input_is_a_clear_error_or_a_counted_skip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (original, _) = feed_bundle(d);
    let text = String::from_utf8(original.clone()).unwrap();
    let bundle: Value = serde_json::from_str(&text).unwrap();
    let import = |name: &str, bytes: &[u8]| -> String {
        put(d, name, bytes);
        let (_, err) = run(&["import", "stix", name, "-o", "out.toml"], Some(d), 2);
        assert!(!d.join("out.toml").exists(), "{name}: nothing written");
        assert!(
            err.contains(&format!(
                "error: `{name}` cannot be imported as a holisec model:"
            )),
            "{name}: {err}"
        );
        err
    };

    let err = import("truncated.json", &original[..original.len() / 2]);
    assert!(
        err.contains("truncated JSON") && err.contains(" at line "),
        "{err}"
    );

    let mut wrong = bundle.clone();
    let threat = wrong["objects"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["type"] == "threat-actor")
        .unwrap();
    let id = threat["id"].as_str().unwrap().to_owned();
    for ext in threat["extensions"].as_object_mut().unwrap().values_mut() {
        ext["frequency"] = json!("often");
    }
    let err = import("wrong-types.json", wrong.to_string().as_bytes());
    assert!(
        err.contains(&format!("({id}) at `extensions."))
            && err.contains(".frequency`: invalid type: string \"often\""),
        "{err}"
    );

    let mut missing = bundle.clone();
    let factor = missing["objects"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["type"] == "holisec-vulnerability-factor")
        .unwrap();
    factor["stakeholder_ref"] = json!("identity--00000000-0000-4000-8000-000000000000");
    let err = import("missing-ref.json", missing.to_string().as_bytes());
    assert!(
        err.contains("at `stakeholder_ref`: refers to stakeholder `identity--00000000-0000-4000-8000-000000000000`, which is not in the bundle"),
        "{err}"
    );

    let deep = format!(
        "{{\"type\":\"bundle\",\"objects\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let err = import("deep.json", deep.as_bytes());
    assert!(err.contains("recursion limit exceeded"), "{err}");

    let mut utf8 = original.clone();
    let at = text.find("Hospitals").unwrap();
    utf8[at + 2] = 0xff;
    let err = import("utf8.json", &utf8);
    assert!(
        err.contains("invalid JSON") && err.contains("line"),
        "{err}"
    );

    let err = import(
        "foreign-only.json",
        br#"{"type":"bundle","id":"bundle--1","objects":[{"type":"x-custom","id":"x-custom--1"},{"type":"malware","id":"malware--1","name":"m"}]}"#,
    );
    assert!(
        err.contains("the bundle holds no holisec model") && err.contains("1 malware, 1 x-custom"),
        "{err}"
    );

    let err = import("array.json", b"[]");
    assert!(err.contains("expected a STIX bundle"), "{err}");

    let mut big = Vec::with_capacity(100 * 1024 * 1024 + 64);
    big.extend_from_slice(br#"{"type":"bundle","objects":[],"x":""#);
    big.resize(big.len() + 100 * 1024 * 1024, b'x');
    big.extend_from_slice(b"\"}");
    let err = import("huge.json", &big);
    drop(big);
    std::fs::remove_file(d.join("huge.json")).unwrap();
    assert!(err.contains("larger than the 64 MiB limit"), "{err}");

    let (_, err) = run(&["import", "stix", "nowhere.json"], Some(d), 2);
    assert!(err.contains("cannot read `nowhere.json`"), "{err}");
    // A model that does not load is not exported.
    put(d, "bad.toml", b"[ecosystem]\nname = 5\n");
    let (out, _) = run(&["export", "stix", "bad.toml"], Some(d), 2);
    assert!(out.is_empty());
}
