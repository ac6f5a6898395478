//! Sharing between organisations through the real router (issue 13, "How
//! it will be checked"): three hospitals of one country, their agency, a
//! supplier two of them use and an insurer abroad. An AMBER incident at the
//! supplier alerts its clients with the chain of relations; the agency's view
//! counts it; a RED report reaches nobody else by any route; every TLP level
//! is checked against every kind of viewer; peer benchmarks are suppressed
//! at k - 1 contributors and shown at k, without any peer's raw answers.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use holisec_server::{AppState, Config, accounts};
use holisec_store::{Answer, ProfileUpdate, Store};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-05T00:00:00Z";

const REPORT: &str = r#"{"date": "2026-11-30", "actor": "external", "motive": "Financial",
    "actions": ["malware.Ransomware", "hacking.Use of stolen creds"], "assets": ["S - Database"],
    "attributes": ["availability"], "discovery": "Int - reported by employee",
    "narrative": "the remote maintenance gateway was used to deploy ransomware"}"#;

/// The organisations of the scenario: (name, kind, country, short name of its users).
const ORGS: &[(&str, &str, &str, &str)] = &[
    ("Hopital Nord", "healthcare-organisation", "FR", "nord"),
    ("Hopital Sud", "healthcare-organisation", "FR", "sud"),
    ("Hopital Est", "healthcare-organisation", "FR", "est"),
    ("CERT Sante", "agency-institution", "FR", "cert"),
    ("MedSoft", "solution-provider", "FR", "medsoft"),
    ("Rhein Versicherung", "insurance-group", "DE", "insurer"),
    ("Hopital Ouest", "healthcare-organisation", "FR", "ouest"),
    ("Hopital Centre", "healthcare-organisation", "FR", "centre"),
    ("Hopital Loire", "healthcare-organisation", "FR", "loire"),
];

struct World {
    _dir: tempfile::TempDir,
    app: Router,
    /// Organisation ids in the order of [`ORGS`].
    ids: Vec<i64>,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("h.db")).unwrap();
    let mut ids = Vec::new();
    for (name, kind, country, short) in ORGS {
        accounts::create_org(&mut s, name, kind, NOW).unwrap();
        for role in ["admin", "analyst", "viewer"] {
            accounts::create_user(
                &mut s,
                &format!("{role}@{short}.example"),
                name,
                role,
                PASSWORD,
                NOW,
            )
            .unwrap();
        }
        let id = s.organisation_by_name(name).unwrap().unwrap().id;
        let profile = ProfileUpdate {
            country: Some((*country).into()),
            size_band: None,
            agency_id: None,
            benchmark_opt_in: false,
        };
        s.set_sharing_profile(id, &profile, None, NOW).unwrap();
        ids.push(id);
    }
    // Nord and Sud use MedSoft; Est does not.
    for client in [ids[0], ids[1]] {
        s.set_suppliers(client, &[ids[4]], None, NOW).unwrap();
    }
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    // Every hospital has an answered assessment (the peers' scores).
    for (i, (name, kind, ..)) in ORGS.iter().enumerate() {
        if *kind != "healthcare-organisation" {
            continue;
        }
        let a = s.new_assessment(name, &q.id, &q.version, NOW).unwrap().id;
        let answers: Vec<Answer> = q
            .items
            .iter()
            .enumerate()
            .map(|(k, item)| Answer {
                item: item.id.clone(),
                level: ((i + k) % 5) as u8,
                evidence: None,
                answered_at: Some(NOW.into()),
            })
            .collect();
        s.save_answers(a, &answers).unwrap();
    }
    let app = holisec_server::app(AppState::new(s, eco, q), &Config::default());
    World {
        _dir: dir,
        app,
        ids,
    }
}

struct Reply {
    status: StatusCode,
    json: Value,
}

async fn call(app: &Router, method: Method, path: &str, cookie: &str, body: Option<&str>) -> Reply {
    let mut r = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, cookie);
    if method != Method::GET {
        r = r.header("sec-fetch-site", "same-origin");
    }
    let req = match body {
        Some(b) => r
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_owned()))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    };
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{status}: {e}: {bytes:?}"))
    };
    Reply { status, json }
}

async fn login(app: &Router, role: &str, short: &str) -> String {
    let body =
        json!({"email": format!("{role}@{short}.example"), "password": PASSWORD}).to_string();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/login")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(holisec_server::SESSION_COOKIE))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("a session cookie")
}

async fn report(app: &Router, cookie: &str, tlp: &str, extra: Value) -> Reply {
    let mut report: Value = serde_json::from_str(REPORT).unwrap();
    for (k, v) in extra.as_object().unwrap() {
        report[k] = v.clone();
    }
    let body = json!({"report": report, "tlp": tlp}).to_string();
    call(app, Method::POST, "/api/v1/incidents", cookie, Some(&body)).await
}

/// The alert inbox of `short`'s organisation.
async fn inbox(app: &Router, short: &str) -> Vec<Value> {
    let cookie = login(app, "viewer", short).await;
    let r = call(app, Method::GET, "/api/v1/alerts", &cookie, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json.as_array().unwrap().clone()
}

#[tokio::test]
async fn an_amber_incident_at_a_supplier_alerts_its_clients_with_the_reason() {
    let w = world();
    let medsoft = login(&w.app, "analyst", "medsoft").await;
    let r = report(&w.app, &medsoft, "TLP:AMBER", json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let id = r.json["incident"]["id"].as_i64().unwrap();
    assert_eq!(r.json["incident"]["tlp"], "amber");

    // Its two clients: high priority, the chain names the supplier relation.
    for client in ["nord", "sud"] {
        let alerts = inbox(&w.app, client).await;
        assert_eq!(alerts.len(), 1, "{client}: {alerts:?}");
        let a = &alerts[0];
        assert_eq!(a["priority"], "high", "{client}: {a}");
        assert_eq!(a["alert"]["incident_id"], id);
        let chain = a["chain"].to_string();
        assert!(chain.contains("supplies"), "{client}: {chain}");
    }
    // Est does not use MedSoft: no high-priority alert.
    for a in inbox(&w.app, "est").await {
        assert_ne!(a["priority"], "high", "est: {a}");
    }
    // The agency of the clients' country counts it; acknowledging is per organisation.
    let cert = login(&w.app, "viewer", "cert").await;
    let view = call(&w.app, Method::GET, "/api/v1/agency", &cert, None).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.json);
    assert!(
        view.json["incidents"].as_u64().unwrap() >= 1,
        "{}",
        view.json
    );
    let nord = login(&w.app, "analyst", "nord").await;
    let alert_id = inbox(&w.app, "nord").await[0]["alert"]["id"]
        .as_i64()
        .unwrap();
    let ack = format!("/api/v1/alerts/{alert_id}/acknowledge");
    let r = call(&w.app, Method::POST, &ack, &nord, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert!(inbox(&w.app, "nord").await[0]["acknowledged_at"].is_string());
    assert!(inbox(&w.app, "sud").await[0]["acknowledged_at"].is_null());
    // An organisation that was not alerted cannot acknowledge it.
    let est = login(&w.app, "analyst", "est").await;
    if !inbox(&w.app, "est")
        .await
        .iter()
        .any(|a| a["alert"]["id"] == alert_id)
    {
        let r = call(&w.app, Method::POST, &ack, &est, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    }
}

/// Who sees a report of Nord labelled `tlp`, by role of the viewer in the scenario.
#[tokio::test]
async fn every_tlp_level_reaches_exactly_its_audience_through_the_api() {
    let w = world();
    let nord = login(&w.app, "analyst", "nord").await;
    // (viewer, sees CLEAR, GREEN, AMBER, AMBER+STRICT, RED)
    let expected: &[(&str, [bool; 5])] = &[
        ("nord", [true; 5]),
        ("cert", [true, true, true, true, false]),
        ("medsoft", [true, true, true, false, false]),
        ("sud", [true, true, false, false, false]),
        ("insurer", [true, true, false, false, false]),
    ];
    let levels = [
        "TLP:CLEAR",
        "TLP:GREEN",
        "TLP:AMBER",
        "TLP:AMBER+STRICT",
        "TLP:RED",
    ];
    let mut ids = Vec::new();
    for tlp in levels {
        let r = report(&w.app, &nord, tlp, json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{tlp}: {}", r.json);
        ids.push(r.json["incident"]["id"].as_i64().unwrap());
    }
    for (viewer, sees) in expected {
        let cookie = login(&w.app, "viewer", viewer).await;
        let list = call(&w.app, Method::GET, "/api/v1/incidents", &cookie, None).await;
        let listed: Vec<i64> = list
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["incident"]["id"].as_i64().unwrap())
            .collect();
        for ((tlp, id), visible) in levels.iter().zip(&ids).zip(sees) {
            assert_eq!(listed.contains(id), *visible, "{viewer} list {tlp}");
            let one = call(
                &w.app,
                Method::GET,
                &format!("/api/v1/incidents/{id}"),
                &cookie,
                None,
            )
            .await;
            let status = if *visible {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(one.status, status, "{viewer} GET {tlp}: {}", one.json);
            if *visible && *viewer != "nord" {
                // Each shared report says on what grounds the viewer sees it.
                assert!(one.json["decision"]["reason"].is_string(), "{}", one.json);
            }
        }
    }
}

#[tokio::test]
async fn only_the_owner_edits_relabels_and_withdraws_and_history_is_kept() {
    let w = world();
    let nord = login(&w.app, "analyst", "nord").await;
    let r = report(&w.app, &nord, "TLP:GREEN", json!({})).await;
    let id = r.json["incident"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/incidents/{id}");
    // Sud sees it (GREEN) but may neither relabel nor edit nor withdraw it.
    let sud = login(&w.app, "analyst", "sud").await;
    let tlp = r#"{"tlp": "TLP:CLEAR"}"#;
    let r = call(&w.app, Method::PUT, &format!("{path}/tlp"), &sud, Some(tlp)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);
    let r = call(&w.app, Method::PUT, &path, &sud, Some(REPORT)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    let r = call(
        &w.app,
        Method::POST,
        &format!("{path}/withdraw"),
        &sud,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    // The owner edits (a new version) and raises the label to RED: Sud loses it.
    let mut edited: Value = serde_json::from_str(REPORT).unwrap();
    edited["narrative"] = json!("contained in 6 hours");
    let r = call(&w.app, Method::PUT, &path, &nord, Some(&edited.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let r = call(
        &w.app,
        Method::PUT,
        &format!("{path}/tlp"),
        &nord,
        Some(r#"{"tlp": "red"}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let r = call(&w.app, Method::GET, &path, &sud, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let history = call(&w.app, Method::GET, &format!("{path}/history"), &nord, None).await;
    let versions = history.json.as_array().unwrap();
    assert_eq!(versions.len(), 3, "{}", history.json);
    assert_eq!(versions[0]["tlp"], "green");
    assert_eq!(versions[2]["tlp"], "red");
    assert_eq!(versions[1]["report"]["narrative"], "contained in 6 hours");
    // Withdrawn: kept in the history, shared no more, withdrawing again is the same.
    for _ in 0..2 {
        let r = call(
            &w.app,
            Method::POST,
            &format!("{path}/withdraw"),
            &nord,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    }
    let cert = login(&w.app, "viewer", "cert").await;
    let list = call(&w.app, Method::GET, "/api/v1/incidents", &cert, None).await;
    assert!(!list.json.to_string().contains(&format!("\"id\":{id},")));
    // A bad label names the field and what it expects.
    let r = call(
        &w.app,
        Method::PUT,
        &format!("{path}/tlp"),
        &nord,
        Some(r#"{"tlp": "WHITE"}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert_eq!(r.json["field"], "tlp");
    assert!(
        r.json["error"].as_str().unwrap().contains("CLEAR"),
        "{}",
        r.json
    );
}

#[tokio::test]
async fn only_an_agency_issues_alerts_and_they_reach_the_exposed_organisations() {
    let w = world();
    let body = json!({"title": "Patch the maintenance gateway", "text": "Exploited in FR",
        "tlp": "TLP:GREEN", "suppliers": [w.ids[4]]})
    .to_string();
    let nord = login(&w.app, "analyst", "nord").await;
    let r = call(&w.app, Method::POST, "/api/v1/alerts", &nord, Some(&body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);
    assert!(
        r.json["error"]
            .as_str()
            .unwrap()
            .contains("agency-institution")
    );
    let cert = login(&w.app, "analyst", "cert").await;
    let r = call(&w.app, Method::POST, "/api/v1/alerts", &cert, Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let recipients: Vec<i64> = r.json["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["priority"] == "high")
        .map(|x| x["org"].as_i64().unwrap())
        .collect();
    assert_eq!(recipients, vec![w.ids[0], w.ids[1]], "{}", r.json);
    assert_eq!(inbox(&w.app, "sud").await.len(), 1);
}

#[tokio::test]
async fn peer_benchmarks_show_nothing_below_k_and_no_peers_raw_answers() {
    let w = world();
    // Nord compares itself with the hospitals of France that opted in.
    let nord = login(&w.app, "analyst", "nord").await;
    let assessment = call(&w.app, Method::GET, "/api/v1/assessments", &nord, None).await;
    let a = assessment.json[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/assessments/{a}/benchmark?scope=country");
    let peers = ["sud", "est", "ouest", "centre", "loire"];
    let mut seen_suppressed = false;
    for (n, peer) in peers.iter().enumerate() {
        opt_in(&w, peer).await;
        let r = call(&w.app, Method::GET, &path, &nord, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let domains = r.json["domains"].as_object().unwrap();
        assert!(!domains.is_empty());
        for (domain, d) in domains {
            if n + 1 < 5 {
                // k - 1 or fewer contributors: no figure at all.
                assert_eq!(d["status"], "suppressed", "{n} {domain}: {d}");
                assert_eq!(d["contributors_needed"], 5 - (n + 1));
                assert!(d.get("median").is_none() && d.get("p25").is_none());
                seen_suppressed = true;
            } else {
                assert_eq!(d["status"], "shown", "{domain}: {d}");
                assert_eq!(d["n"], 5);
                assert!(d["median"].is_number() && d["own_score"].is_number());
                assert!(d.get("min").is_none() && d.get("max").is_none());
            }
        }
        // Nothing names a peer.
        let text = r.json.to_string();
        for (name, _, _, short) in ORGS {
            assert!(!text.contains(name) && !text.contains(short), "{text}");
        }
    }
    assert!(seen_suppressed);
    // k may be raised, never lowered below 5.
    let r = call(&w.app, Method::GET, &format!("{path}&k=4"), &nord, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    assert_eq!(r.json["field"], "k");
    let r = call(&w.app, Method::GET, &format!("{path}&k=6"), &nord, None).await;
    assert_eq!(
        r.json["domains"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()["status"],
        "suppressed"
    );
}

/// `short`'s organisation joins the benchmarks: its admin sets the profile
/// (an analyst may not).
async fn opt_in(w: &World, short: &str) {
    let body = json!({"country": "FR", "benchmark_opt_in": true}).to_string();
    let analyst = login(&w.app, "analyst", short).await;
    let r = call(
        &w.app,
        Method::PUT,
        "/api/v1/organisation/sharing",
        &analyst,
        Some(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);
    let admin = login(&w.app, "admin", short).await;
    let r = call(
        &w.app,
        Method::PUT,
        "/api/v1/organisation/sharing",
        &admin,
        Some(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["benchmark_opt_in"], true);
}

#[tokio::test]
async fn a_veris_file_is_imported_record_by_record() {
    let w = world();
    let nord = login(&w.app, "analyst", "nord").await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/vcdb/vcdb-healthcare.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let head: String = text.lines().take(30).map(|l| format!("{l}\n")).collect();
    let body = json!({"format": "veris", "tlp": "TLP:GREEN", "text": head}).to_string();
    let r = call(
        &w.app,
        Method::POST,
        "/api/v1/incidents/import",
        &nord,
        Some(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let stored = r.json["reported"].as_array().unwrap().len();
    assert!(stored > 0);
    assert_eq!(r.json["counts"]["records"], 30);
    // The community sees them (GREEN).
    let sud = login(&w.app, "viewer", "sud").await;
    let list = call(&w.app, Method::GET, "/api/v1/incidents", &sud, None).await;
    assert_eq!(list.json.as_array().unwrap().len(), stored);
    // A file with nothing valid: 422, each record's problem with its line.
    let body = json!({"format": "veris", "tlp": "TLP:GREEN", "text": "{\"actor\": 1}\n{oops\n"})
        .to_string();
    let r = call(
        &w.app,
        Method::POST,
        "/api/v1/incidents/import",
        &nord,
        Some(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert_eq!(r.json["field"], "text");
    let lines: Vec<u64> = r.json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 2], "{}", r.json);
    let list = call(&w.app, Method::GET, "/api/v1/incidents", &sud, None).await;
    assert_eq!(
        list.json.as_array().unwrap().len(),
        stored,
        "nothing more stored"
    );
    // Another format is refused by name.
    let body = json!({"format": "csv", "tlp": "TLP:GREEN", "text": ""}).to_string();
    let r = call(
        &w.app,
        Method::POST,
        "/api/v1/incidents/import",
        &nord,
        Some(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json["field"], "format", "{}", r.json);
}
