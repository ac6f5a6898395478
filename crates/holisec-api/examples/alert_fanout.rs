//! How long the recipients of an alert take for a supplier with many
//! clients (issue 13's number: 10,000 clients within a second), on the
//! built-in model: the pure rule (`holisec_share::alerts::recipients`) and
//! the whole report through the library API on a real SQLite file (the
//! community's profiles read, the TLP rule applied to every recipient, the
//! incident, the alert and one recipient row per client written in one
//! transaction).
//!
//! ```sh
//! cargo run --release -p holisec-api --example alert_fanout -- 10000
//! ```

use std::time::Instant;

use holisec_api::sharing::{self, Actor, IncidentReport};
use holisec_share::alerts::{Subject, recipients};
use holisec_share::{OrgProfile, Tlp};
use holisec_store::{ProfileUpdate, Store};

fn main() {
    let clients: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let eco = holisec_api::model::builtin().value.ecosystem;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut store = Store::open(&dir.path().join("fanout.db")).expect("a database");
    let supplier = org(&mut store, "MedSoft", "solution-provider");
    org(&mut store, "CERT", "agency-institution");
    let started = Instant::now();
    for i in 0..clients {
        let id = org(
            &mut store,
            &format!("hospital-{i:05}"),
            "healthcare-organisation",
        );
        store
            .set_suppliers(id, &[supplier], None, "2026-12-05T00:00:00Z")
            .expect("suppliers");
    }
    eprintln!(
        "set-up: {clients} client organisations in {:.1} s (not timed below)",
        started.elapsed().as_secs_f64()
    );

    let profiles: Vec<OrgProfile> = store
        .sharing_records()
        .expect("records")
        .iter()
        .map(|r| sharing::org_profile(&store, r.id).expect("a profile"))
        .collect();
    let mut pure = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let found = recipients(&eco, &profiles, &Subject::Supplier(supplier), Some("FR"))
            .expect("recipients");
        pure.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(found.len() >= clients);
    }
    let report: IncidentReport = serde_json::from_str(
        r#"{"date": "2026-11-30", "actor": "external", "motive": "Financial",
            "actions": ["malware.Ransomware"], "discovery": "Int - reported by employee"}"#,
    )
    .expect("a report");
    let actor = Actor {
        org: supplier,
        user: None,
    };
    let mut whole = Vec::new();
    for round in 0..5 {
        let t = Instant::now();
        let out = sharing::report_incident(
            &mut store,
            &eco,
            actor,
            &report,
            Tlp::Amber,
            &format!("2026-12-05T00:00:{round:02}Z"),
        )
        .expect("reported");
        whole.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(out.recipients.len() >= clients);
    }
    println!("clients: {clients}");
    println!("recipients (pure rule, 20 runs): {}", summary(&mut pure));
    println!(
        "report_incident on SQLite (5 runs): {}",
        summary(&mut whole)
    );
}

fn org(store: &mut Store, name: &str, kind: &str) -> i64 {
    let id = store
        .create_organisation(name, kind, "2026-12-05T00:00:00Z")
        .expect("an organisation")
        .id;
    let profile = ProfileUpdate {
        country: Some("FR".into()),
        size_band: None,
        agency_id: None,
        benchmark_opt_in: false,
    };
    store
        .set_sharing_profile(id, &profile, None, "2026-12-05T00:00:00Z")
        .expect("a profile");
    id
}

fn summary(ms: &mut [f64]) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "min {:.1} ms, median {:.1} ms, max {:.1} ms",
        ms[0],
        ms[ms.len() / 2],
        ms[ms.len() - 1]
    )
}
