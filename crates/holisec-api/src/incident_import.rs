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
