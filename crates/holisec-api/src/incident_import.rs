//! Incident reports from a VERIS file (issue 13): the records an
//! organisation already keeps in VERIS JSON (one document, an array, or
//! JSON Lines), read by `holisec-exchange`'s reader with its per-record
//! diagnostics, each valid record reported as [`sharing::report_incident`]
//! would (same checks, same alerts along the model's relations).
//!
//! Nothing invalid is stored: a record that cannot be read (bad JSON, a
//! wrong type), or lacks what a report needs (a year, a known actor, an
//! action), is listed with its line, column or JSON path and skipped; the
//! valid ones are stored. The VCDB schema itself is not applied: its
//! requirements are the dataset's bookkeeping (`summary`, `plus.master_id`,
//! a year no later than the schema's release), which an organisation's own
//! records need not meet.

use holisec_exchange::veris::{
    ActorRole, Location, Problem, ProblemKind, ReadCounts, ReadOptions, VerisReader,
};
use holisec_model::Ecosystem;
use holisec_share::Tlp;
use holisec_store::Store;
use serde::Serialize;

use crate::ApiError;
use crate::sharing::{self, Actor, ActorType, Attribute, IncidentReport, MOTIVES, Reported};

/// Most records one import may hold (each becomes a report and its alerts).
pub const MAX_RECORDS: usize = 1_000;

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The reports stored, in reading order, each with who was alerted.
    pub reported: Vec<Reported>,
    /// Every record not stored, with where it is and why.
    pub problems: Vec<Problem>,
    /// What the reader counted.
    pub counts: ReadCounts,
}

/// Reads `text` as VERIS and reports each valid record under `tlp` for the
/// actor's organisation.
pub fn import_veris(
    store: &mut Store,
    eco: &Ecosystem,
    actor: Actor,
    text: &[u8],
    tlp: Tlp,
    now: &str,
) -> Result<Imported, ApiError> {
    let mut reader = VerisReader::new(ReadOptions {
        drop_invalid: true,
        check_schema: false,
    });
    reader.read_document(0, text);
    let evidence = reader.finish();
    if evidence.counts.records > MAX_RECORDS {
        return Err(ApiError::option(
            "text",
            format!("{} records", evidence.counts.records),
            format!("at most {MAX_RECORDS} records in one import"),
        ));
    }
    let mut problems = evidence.problems;
    let mut reported = Vec::new();
    for incident in &evidence.incidents {
        let report = match essentials(incident) {
            Ok(r) => r,
            Err((path, message)) => {
                problems.push(problem(incident.location, path, message));
                continue;
            }
        };
        match sharing::report_incident(store, eco, actor, &report, tlp, now) {
            Ok(r) => reported.push(r),
            Err(ApiError::Option {
                option,
                value,
                expected,
            }) => problems.push(problem(
                incident.location,
                option,
                format!("{value}: expected {expected}"),
            )),
            Err(e) => return Err(e),
        }
    }
    problems.sort_by_key(|p| p.location);
    Ok(Imported {
        reported,
        problems,
        counts: evidence.counts,
    })
}

/// Reads `text` as a STIX 2.1 bundle (or a TAXII envelope) and reports
/// each incident in it for the actor's organisation: a `report` or
/// `incident` object carrying the VERIS essentials in `x_holisec_veris`
/// (what holisec's TAXII API writes). Its label is the stricter of its own
/// TLP marking and `tlp`. Other objects (identities, marking definitions,
/// indicators) are not incidents and are passed over; an `incident` or
/// `report` without the essentials, or with a bad field, is named with its
/// index and JSON path.
pub fn import_stix(
    store: &mut Store,
    eco: &Ecosystem,
    actor: Actor,
    text: &[u8],
    tlp: Tlp,
    now: &str,
) -> Result<Imported, ApiError> {
    use holisec_exchange::taxii::{IntakeError, intake};
    let bundle = match intake(text, MAX_RECORDS) {
        Ok(b) => b,
        Err(IntakeError::Json {
            line,
            column,
            message,
        }) => {
            let counts = ReadCounts {
                records: 1,
                unreadable: 1,
                ..ReadCounts::default()
            };
            return Ok(Imported {
                reported: Vec::new(),
                problems: vec![Problem {
                    location: Location {
                        source: 0,
                        line,
                        index: None,
                    },
                    column: Some(column),
                    kind: ProblemKind::Unreadable,
                    path: None,
                    message,
                }],
                counts,
            });
        }
        Err(e) => return Err(ApiError::option("text", "the body", e.to_string())),
    };
    let at = |index: usize| Location {
        source: 0,
        line: 1,
        index: Some(index),
    };
    let mut problems: Vec<Problem> = bundle
        .refused
        .iter()
        .map(|r| Problem {
            location: at(r.index),
            column: None,
            kind: ProblemKind::Unreadable,
            path: Some(format!("objects[{}]", r.index)),
            message: r.message.clone(),
        })
        .collect();
    let mut counts = ReadCounts {
        unreadable: problems.len(),
        records: problems.len(),
        ..ReadCounts::default()
    };
    let mut reported = Vec::new();
    for object in &bundle.accepted {
        if !matches!(object.stix_type.as_str(), "report" | "incident") {
            continue;
        }
        counts.records += 1;
        let path = |field: &str| format!("objects[{}].{field}", object.index);
        let Some(essentials) = object.json.get("x_holisec_veris") else {
            counts.invalid += 1;
            problems.push(Problem {
                location: at(object.index),
                column: None,
                kind: ProblemKind::Invalid,
                path: Some(path("x_holisec_veris")),
                message: format!(
                    "`{}` carries no VERIS essentials (`x_holisec_veris`): a report needs the date, actor, motive and actions",
                    object.id
                ),
            });
            continue;
        };
        match import_object(store, eco, actor, object, essentials, tlp, now)? {
            Ok(r) => {
                counts.incidents += 1;
                reported.push(r);
            }
            Err((p, message)) => {
                counts.invalid += 1;
                problems.push(Problem {
                    location: at(object.index),
                    column: None,
                    kind: ProblemKind::Invalid,
                    path: Some(path(&p)),
                    message,
                });
            }
        }
    }
    Ok(Imported {
        reported,
        problems,
        counts,
    })
}

/// One STIX object's report: stored, or the field at fault (relative to the
/// object) and why. Failures of the store are the caller's error.
fn import_object(
    store: &mut Store,
    eco: &Ecosystem,
    actor: Actor,
    object: &holisec_exchange::taxii::intake::Accepted,
    essentials: &serde_json::Value,
    tlp: Tlp,
    now: &str,
) -> Result<Result<Reported, (String, String)>, ApiError> {
    let report: IncidentReport = match serde_path_to_error::deserialize(essentials.clone()) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Err((
                format!("x_holisec_veris.{}", e.path()),
                e.inner().to_string(),
            )));
        }
    };
    let own = match holisec_exchange::taxii::read_tlp2(&object.json) {
        Ok(level) => level.and_then(|l| l.as_str().parse::<Tlp>().ok()),
        Err(e) => return Ok(Err(("object_marking_refs".into(), e.to_string()))),
    };
    // The importer may make a report stricter than its marking, never looser.
    let label = own.map_or(tlp, |own| own.max(tlp));
    match sharing::report_incident(store, eco, actor, &report, label, now) {
        Ok(r) => Ok(Ok(r)),
        Err(ApiError::Option {
            option,
            value,
            expected,
        }) => Ok(Err((
            format!("x_holisec_veris.{option}"),
            format!("{value}: expected {expected}"),
        ))),
        Err(e) => Err(e),
    }
}

fn problem(location: Location, path: &str, message: String) -> Problem {
    Problem {
        location,
        column: None,
        kind: ProblemKind::Invalid,
        path: Some(path.to_owned()),
        message,
    }
}

/// The report a VERIS record stands for, or the JSON path and reason it cannot.
fn essentials(
    incident: &holisec_exchange::veris::Incident,
) -> Result<IncidentReport, (&'static str, String)> {
    // VERIS often knows the year only: the report's date is its first day.
    let year = incident.year.ok_or((
        "timeline.incident.year",
        "missing: a report needs the year of the incident".to_owned(),
    ))?;
    let known = incident
        .actors
        .iter()
        .find(|a| a.role != ActorRole::Unknown)
        .ok_or((
            "actor",
            "only `actor.unknown`: a report needs an external, internal or partner actor"
                .to_owned(),
        ))?;
    let actor = match known.role {
        ActorRole::Internal => ActorType::Internal,
        ActorRole::Partner => ActorType::Partner,
        _ => ActorType::External,
    };
    let motive = known
        .motives
        .iter()
        .find(|m| MOTIVES.contains(&m.as_str()))
        .cloned()
        .unwrap_or_else(|| "Unknown".to_owned());
    let actions: Vec<String> = incident
        .actions
        .iter()
        .flat_map(|a| {
            a.varieties
                .iter()
                .map(|v| format!("{}.{v}", a.category.as_str()))
        })
        .collect();
    if actions.is_empty() {
        return Err(("action", "no action variety: a report needs one".to_owned()));
    }
    let flags = &incident.attributes;
    let attributes = [
        (flags.confidentiality, Attribute::Confidentiality),
        (flags.integrity, Attribute::Integrity),
        (flags.availability, Attribute::Availability),
    ]
    .into_iter()
    .filter_map(|(on, a)| on.then_some(a))
    .collect();
    Ok(IncidentReport {
        date: format!("{year:04}-01-01"),
        actor,
        motive,
        actions,
        assets: incident.assets.clone(),
        attributes,
        discovery: "Unknown".to_owned(),
        impact_eur: None,
        narrative: incident
            .incident_id
            .as_ref()
            .map(|id| format!("imported from VERIS incident {id}")),
        supplier: None,
        factors: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid VCDB healthcare record, a record with only an unknown actor,
    /// one that breaks the schema and a line that is no JSON.
    const LINES: &str = concat!(
        r#"{"schema_version":"1.3.7","incident_id":"A1","security_incident":"Confirmed","action":{"malware":{"variety":["Ransomware"],"vector":["Email attachment"]}},"actor":{"external":{"variety":["Organized crime"],"motive":["Financial"]}},"asset":{"assets":[{"variety":"S - Database"}]},"attribute":{"availability":{"variety":["Obscuration"]}},"timeline":{"incident":{"year":2024}},"victim":{"industry":"622110","country":["FR"]},"discovery_method":{"internal":{"variety":["Unknown"]}},"impact":{"overall_rating":"Unknown"},"plus":{"analysis_status":"Finalized"}}"#,
        "\n",
        r#"{"schema_version":"1.3.7","incident_id":"A2","security_incident":"Confirmed","action":{"error":{"variety":["Misdelivery"],"vector":["Carelessness"]}},"actor":{"unknown":{}},"asset":{"assets":[{"variety":"M - Documents"}]},"attribute":{"confidentiality":{"data_disclosure":"Yes"}},"timeline":{"incident":{"year":2023}},"victim":{"industry":"622110","country":["FR"]},"discovery_method":{"unknown":true},"impact":{"overall_rating":"Unknown"},"plus":{"analysis_status":"Finalized"}}"#,
        "\n",
        r#"{"schema_version":"1.3.7","incident_id":"A3","action":{"malware":{"variety":["Not a variety"]}},"actor":{"external":{"motive":["Financial"]}},"timeline":{"incident":{"year":"soon"}}}"#,
        "\n",
        "{not json\n",
    );

    fn hospital(store: &mut Store) -> Actor {
        store
            .create_organisation("Nord", "healthcare-organisation", "t")
            .unwrap();
        let org = store.organisation_by_name("Nord").unwrap().unwrap().id;
        Actor { org, user: None }
    }

    #[test]
    fn valid_records_are_reported_and_the_others_named() {
        let mut store = Store::open_in_memory().unwrap();
        let actor = hospital(&mut store);
        let eco = crate::model::builtin().value.ecosystem;
        let out = import_veris(&mut store, &eco, actor, LINES.as_bytes(), Tlp::Green, "t").unwrap();
        assert_eq!(out.reported.len(), 1, "{:?}", out.problems);
        let report = &out.reported[0].incident.report;
        assert_eq!(report["date"], "2024-01-01");
        assert_eq!(report["actions"][0], "malware.Ransomware");
        assert_eq!(report["motive"], "Financial");
        assert_eq!(store.incidents_of_org(actor.org).unwrap().len(), 1);
        let lines: Vec<usize> = out.problems.iter().map(|p| p.location.line).collect();
        assert_eq!(lines, [2, 3, 4], "{:?}", out.problems);
        let wrong_type = out.problems.iter().find(|p| p.location.line == 3).unwrap();
        assert_eq!(wrong_type.path.as_deref(), Some("timeline.incident.year"));
        let unknown = out.problems.iter().find(|p| p.location.line == 2).unwrap();
        assert_eq!(unknown.path.as_deref(), Some("actor"));
        let broken = out.problems.iter().find(|p| p.location.line == 4).unwrap();
        assert_eq!(broken.kind, ProblemKind::Unreadable);
        assert!(broken.column.is_some());
    }

    /// Real records: the first 200 healthcare incidents of VCDB (data/vcdb).
    #[test]
    fn real_vcdb_records_are_reported_or_each_named_with_a_reason() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/vcdb/vcdb-healthcare.jsonl"
        );
        let text = std::fs::read_to_string(path).expect("the repository's VCDB extract");
        let head: String = text.lines().take(200).map(|l| format!("{l}\n")).collect();
        let mut store = Store::open_in_memory().unwrap();
        let actor = hospital(&mut store);
        let eco = crate::model::builtin().value.ecosystem;
        let out = import_veris(&mut store, &eco, actor, head.as_bytes(), Tlp::Amber, "t").unwrap();
        assert_eq!(out.counts.records, 200);
        // Each record is stored or named once (a record has at most one reason here).
        let named: std::collections::BTreeSet<usize> =
            out.problems.iter().map(|p| p.location.line).collect();
        assert_eq!(out.reported.len() + named.len(), 200, "{:?}", out.problems);
        assert!(out.reported.len() >= 100, "{} reported", out.reported.len());
        assert!(
            out.problems
                .iter()
                .all(|p| p.path.is_some() && !p.message.is_empty())
        );
        assert_eq!(
            store.incidents_of_org(actor.org).unwrap().len(),
            out.reported.len()
        );
    }

    #[test]
    fn a_stix_bundle_gives_its_incidents_and_names_the_rest() {
        use holisec_exchange::taxii::{TlpLevel, tlp2_marking_ref};
        let mut store = Store::open_in_memory().unwrap();
        let actor = hospital(&mut store);
        let eco = crate::model::builtin().value.ecosystem;
        let veris = serde_json::json!({"date": "2026-10-01", "actor": "external",
            "motive": "Financial", "actions": ["malware.Ransomware"], "discovery": "Unknown"});
        let mut bad = veris.clone();
        bad["motive"] = serde_json::json!("Boredom");
        let object = |id: &str, extra: serde_json::Value| {
            let mut o = serde_json::json!({"type": "report", "spec_version": "2.1",
                "id": id, "created": "2026-10-02T00:00:00.000Z",
                "modified": "2026-10-02T00:00:00.000Z", "name": "x", "published": "2026-10-02T00:00:00Z",
                "object_refs": ["identity--8cd4a9f8-8b9e-4a77-9f2a-3b63f6c1a7a1"]});
            for (k, v) in extra.as_object().unwrap() {
                o[k] = v.clone();
            }
            o
        };
        let bundle = serde_json::json!({"type": "bundle", "id": "bundle--1c0b6b7e-5bd5-4b7e-9f5e-3f3f0ab5b0d1", "objects": [
            {"type": "identity", "spec_version": "2.1", "id": "identity--8cd4a9f8-8b9e-4a77-9f2a-3b63f6c1a7a1",
             "created": "2026-10-02T00:00:00.000Z", "modified": "2026-10-02T00:00:00.000Z", "name": "Nord"},
            object("report--5a4a4f6e-8f0e-4c6a-9b8e-1f0b0e7e2a11", serde_json::json!({
                "x_holisec_veris": veris, "object_marking_refs": [tlp2_marking_ref(TlpLevel::Amber)]})),
            object("report--6b5b5f7f-9f1f-4d7b-8c9f-2a1c1f8f3b22", serde_json::json!({})),
            object("report--7c6c6a8a-0a2a-4e8c-9dab-3b2d2a9a4c33", serde_json::json!({"x_holisec_veris": bad})),
            {"type": "report", "spec_version": "2.1"},
        ]});
        let text = bundle.to_string();
        let out = import_stix(&mut store, &eco, actor, text.as_bytes(), Tlp::Green, "t").unwrap();
        assert_eq!(out.reported.len(), 1, "{:?}", out.problems);
        // Its own marking (AMBER) is stricter than the import's GREEN: it stays AMBER.
        assert_eq!(out.reported[0].incident.tlp, "amber");
        let paths: Vec<&str> = out
            .problems
            .iter()
            .filter_map(|p| p.path.as_deref())
            .collect();
        assert!(paths.contains(&"objects[2].x_holisec_veris"), "{paths:?}");
        assert!(
            paths.contains(&"objects[3].x_holisec_veris.motive"),
            "{paths:?}"
        );
        assert!(paths.contains(&"objects[4]"), "{paths:?}");
        assert_eq!(store.incidents_of_org(actor.org).unwrap().len(), 1);
        // Not JSON: one problem with line and column, nothing stored.
        let out = import_stix(&mut store, &eco, actor, b"{\n  oops", Tlp::Green, "t").unwrap();
        assert_eq!(out.problems[0].location.line, 2);
        assert!(out.problems[0].column.is_some());
        assert_eq!(store.incidents_of_org(actor.org).unwrap().len(), 1);
    }

    #[test]
    fn an_import_of_nothing_valid_stores_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let actor = hospital(&mut store);
        let eco = crate::model::builtin().value.ecosystem;
        let out = import_veris(&mut store, &eco, actor, b"[1, 2]", Tlp::Red, "t").unwrap();
        assert!(out.reported.is_empty());
        assert_eq!(out.problems.len(), 2);
        assert!(store.incidents_of_org(actor.org).unwrap().is_empty());
    }
}
