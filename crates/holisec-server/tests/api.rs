//! In-process tests of the real router (`tower::ServiceExt::oneshot`) on a
//! temporary database: the route x role x organisation matrix generated from
//! `ROUTES`, login, logout, session cookies, CSRF, limits and bad input.

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode, header};
use holisec_server::{AppState, Config, ROUTES, SESSION_COOKIE, Verb, accounts};
use holisec_store::{Role, Store};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-04T00:00:00Z";

struct World {
    _dir: tempfile::TempDir,
    db: PathBuf,
    app: Router,
    /// Assessment ids of organisation A and B.
    a: i64,
    b: i64,
    /// Ids of a user of A and of B that no test logs in as.
    user_a: i64,
    user_b: i64,
    /// A scenario upload and a finished job of A and of B.
    upload_a: i64,
    upload_b: i64,
    job_a: i64,
    job_b: i64,
    /// A finished report job of each organisation (with its document).
    report_a: i64,
    report_b: i64,
    /// An incident of A (TLP:AMBER) and of B (TLP:RED, so A never sees it).
    incident_a: i64,
    incident_b: i64,
    /// An alert in A's inbox and one in B's only.
    alert_a: i64,
    alert_b: i64,
    /// An API token of a user of A and of B.
    token_a: i64,
    token_b: i64,
}

/// An object A shared over TAXII (collection `shared`) and a status of A's.
const SHARED_OBJECT: &str = "indicator--6f1a2b3c-0000-4000-8000-000000000001";
const STATUS_A: &str = "5b0a8d2e-0000-4000-8000-000000000001";

/// A report `holisec_api::sharing::IncidentReport` accepts.
const REPORT: &str = r#"{"date": "2026-02-14", "actor": "external", "motive": "Financial",
    "actions": ["malware.Ransomware"], "assets": ["S - Database"], "attributes": ["availability"],
    "discovery": "Int - reported by employee", "narrative": "records server encrypted"}"#;

/// One VERIS record an import stores.
const VERIS_RECORD: &str = r#"{"incident_id": "X1", "action": {"malware": {"variety": ["Ransomware"]}},
    "actor": {"external": {"motive": ["Financial"]}}, "timeline": {"incident": {"year": 2025}}}"#;

/// Both organisations in France; an incident and an alert each.
fn sharing_fixture(s: &mut Store, org_a: i64, org_b: i64) -> (i64, i64, i64, i64) {
    for org in [org_a, org_b] {
        let profile = holisec_store::ProfileUpdate {
            country: Some("FR".into()),
            size_band: None,
            agency_id: None,
            benchmark_opt_in: false,
        };
        s.set_sharing_profile(org, &profile, None, NOW).unwrap();
    }
    let report: Value = serde_json::from_str(REPORT).unwrap();
    let mut incident = |org: i64, tlp: &str, n: u32| {
        s.create_incident(
            &holisec_store::NewIncident {
                organisation_id: org,
                created_by: None,
                tlp,
                stix_id: &format!("report--00000000-0000-4000-8000-00000000000{n}"),
                report: &report,
            },
            NOW,
        )
        .unwrap()
        .id
    };
    let incident_a = incident(org_a, "amber", 1);
    let incident_b = incident(org_b, "red", 2);
    let subject = serde_json::json!([]);
    let mut alert = |to: i64| {
        s.create_alert(
            &holisec_store::NewAlert {
                issued_by_org: None,
                incident_id: None,
                subject: &subject,
                title: "test alert",
                text: "",
                tlp: "green",
                created_by: None,
            },
            &[holisec_store::NewRecipient {
                organisation_id: to,
                priority: "high",
                chain: serde_json::json!([]),
            }],
            NOW,
        )
        .unwrap()
    };
    let alert_a = alert(org_a);
    let alert_b = alert(org_b);
    let indicator = serde_json::json!({"type": "indicator", "spec_version": "2.1",
        "id": SHARED_OBJECT, "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z", "pattern": "[ipv4-addr:value = '192.0.2.1']",
        "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"});
    let shared = holisec_store::NewTaxiiObject {
        stix_id: SHARED_OBJECT,
        stix_type: "indicator",
        version: "2026-01-01T00:00:00.000Z",
        spec_version: "2.1",
        tlp: Some("green"),
        date_added: "2026-01-02T00:00:00.000000Z",
        json: &indicator,
    };
    s.add_taxii_objects(org_a, "shared", &[shared], NOW, None)
        .unwrap();
    s.save_taxii_status(
        org_a,
        STATUS_A,
        &serde_json::json!({"id": STATUS_A,
        "status": "complete", "total_count": 0, "success_count": 0,
        "failure_count": 0, "pending_count": 0}),
        NOW,
    )
    .unwrap();
    (incident_a, incident_b, alert_a, alert_b)
}

fn email(org: &str, role: Role) -> String {
    format!("{role}@{org}.example")
}

fn world() -> World {
    world_with(&Config::default())
}

fn world_with(config: &Config) -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let mut s = Store::open(&db).unwrap();
    accounts::create_org(&mut s, "St Mary", "healthcare-organisation", NOW).unwrap();
    accounts::create_org(&mut s, "CERT", "agency-institution", NOW).unwrap();
    for (org, short) in [("St Mary", "a"), ("CERT", "b")] {
        for role in Role::ALL {
            accounts::create_user(
                &mut s,
                &email(short, *role),
                org,
                role.as_str(),
                PASSWORD,
                NOW,
            )
            .unwrap();
        }
    }
    let mut extra = |email: &str, org: &str| {
        accounts::create_user(&mut s, email, org, "viewer", PASSWORD, NOW)
            .unwrap()
            .id
    };
    let user_a = extra("extra@a.example", "St Mary");
    let user_b = extra("extra@b.example", "CERT");
    let a = s
        .new_assessment("St Mary", "hospital", "1.0", NOW)
        .unwrap()
        .id;
    let b = s.new_assessment("CERT", "hospital", "1.0", NOW).unwrap().id;
    let (upload_a, job_a) = upload_and_job(&mut s, "St Mary", user_a);
    let (upload_b, job_b) = upload_and_job(&mut s, "CERT", user_b);
    let report_a = report_job(&mut s, "St Mary", user_a);
    let report_b = report_job(&mut s, "CERT", user_b);
    let org_a = s.organisation_by_name("St Mary").unwrap().unwrap().id;
    let org_b = s.organisation_by_name("CERT").unwrap().unwrap().id;
    let (incident_a, incident_b, alert_a, alert_b) = sharing_fixture(&mut s, org_a, org_b);
    let mut token = |user: i64, hash: char| {
        s.issue_token(
            &holisec_store::NewToken {
                user_id: user,
                name: "fixture",
                token_sha256: &hash.to_string().repeat(64),
                created_by: None,
            },
            NOW,
        )
        .unwrap()
        .id
    };
    let token_a = token(user_a, 'a');
    let token_b = token(user_b, 'b');
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let app = holisec_server::app(AppState::new(s, eco, q), config);
    World {
        token_a,
        token_b,
        incident_a,
        incident_b,
        alert_a,
        alert_b,
        _dir: dir,
        db,
        app,
        a,
        b,
        user_a,
        user_b,
        upload_a,
        upload_b,
        job_a,
        job_b,
        report_a,
        report_b,
    }
}

/// A finished report job of organisation `org`, its document a stand-in.
fn report_job(s: &mut Store, org: &str, user: i64) -> i64 {
    let org_id = s.organisation_by_name(org).unwrap().unwrap().id;
    let job = s
        .create_job(
            &holisec_store::NewJob {
                organisation_id: org_id,
                created_by: user,
                kind: "report",
                model: None,
                options: r#"{"kind":"report","iterations":1000,"seed":1,"budget":1000.0,"scenario":null,"scenario_seed":null,"reader":null,"model_name":"built-in"}"#,
                engine_version: "test",
            },
            NOW,
        )
        .unwrap();
    s.start_job(job.id, NOW).unwrap();
    let document = format!("<!DOCTYPE html><title>report of {org}</title>");
    s.finish_job_with_document(job.id, "{}", &document, NOW)
        .unwrap();
    job.id
}

/// A scenario upload and a finished job of organisation `org`.
fn upload_and_job(s: &mut Store, org: &str, user: i64) -> (i64, i64) {
    let org_id = s.organisation_by_name(org).unwrap().unwrap().id;
    let warnings = serde_json::json!([]);
    let upload = s
        .create_upload(
            &holisec_store::NewUpload {
                organisation_id: org_id,
                created_by: user,
                name: "stored scenario",
                kind: holisec_store::UploadKind::Scenario,
                text: "name = \"x\"\n",
                sha256: &"0".repeat(64),
                warnings: &warnings,
            },
            NOW,
        )
        .unwrap();
    let job = s
        .create_job(
            &holisec_store::NewJob {
                organisation_id: org_id,
                created_by: user,
                kind: "risk",
                model: None,
                options: r#"{"kind":"risk","iterations":1000,"seed":1,"interventions":[],"compare":true}"#,
                engine_version: "test",
            },
            NOW,
        )
        .unwrap();
    s.start_job(job.id, NOW).unwrap();
    s.finish_job(job.id, holisec_store::JobState::Done, None, Some("{}"), NOW)
        .unwrap();
    (upload.summary.id, job.id)
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    /// The body as JSON (`Null` when empty, or for a page or an asset).
    json: Value,
    /// The body as text.
    text: String,
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res: Response<Body> = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let events = content_type.starts_with("text/event-stream");
    let not_json = content_type.starts_with("text/") && !events;
    let json = if bytes.is_empty() || not_json {
        Value::Null
    } else if events {
        // Server-sent events: the stream's text.
        Value::String(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {bytes:?}"))
    };
    Reply {
        status,
        headers,
        json,
        text,
    }
}

fn request(method: Method, path: &str, cookie: Option<&str>, body: Option<&str>) -> Request<Body> {
    let mut r = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::HOST, "localhost");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    // TAXII clients send TAXII bodies.
    let content_type = if path.starts_with("/taxii2/") {
        "application/taxii+json;version=2.1"
    } else {
        "application/json"
    };
    if method == Method::POST || method == Method::PUT {
        // What a browser sends from the application's own page.
        r = r.header("sec-fetch-site", "same-origin");
    }
    match body {
        Some(b) => r
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(b.to_owned()))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    }
}

/// The `name=value` of the session cookie set by `reply`.
fn session_cookie(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

async fn login_as(app: &Router, email: &str, password: &str) -> Reply {
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    send(
        app,
        request(Method::POST, "/api/v1/login", None, Some(&body)),
    )
    .await
}

async fn login(app: &Router, org: &str, role: Role) -> String {
    let r = login_as(app, &email(org, role), PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    session_cookie(&r).expect("a session cookie")
}

/// The first item of the built-in questionnaire.
fn first_item() -> String {
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    q.items[0].id.clone()
}

fn path_with(spec_path: &str, id: i64) -> String {
    if spec_path == "/assets/{version}/{file}" {
        return holisec_server::asset_url("app.css");
    }
    spec_path
        .replace("{id}", &id.to_string())
        .replace("{item}", &first_item())
        .replace("{collection}", "shared")
        .replace("{object}", SHARED_OBJECT)
        .replace("{status}", STATUS_A)
}

fn method(v: Verb) -> Method {
    v.method()
}

/// The id in `spec_path` of organisation A's (`own`) or B's object.
fn object_id(w: &World, spec_path: &str, own: bool) -> i64 {
    let (a, b) = if spec_path.starts_with("/api/v1/users/") {
        (w.user_a, w.user_b)
    } else if spec_path.starts_with("/api/v1/models/") {
        (w.upload_a, w.upload_b)
    } else if spec_path.ends_with("/report.html") {
        (w.report_a, w.report_b)
    } else if spec_path.starts_with("/api/v1/jobs/") {
        (w.job_a, w.job_b)
    } else if spec_path.starts_with("/api/v1/incidents/") {
        (w.incident_a, w.incident_b)
    } else if spec_path.starts_with("/api/v1/alerts/") {
        (w.alert_a, w.alert_b)
    } else if spec_path.starts_with("/api/v1/tokens/") {
        (w.token_a, w.token_b)
    } else {
        (w.a, w.b)
    };
    if own { a } else { b }
}

/// Waits until organisation A has no job queued or running (the matrix
/// asks for one job per role, and an organisation may have one at a time).
async fn settle_jobs(w: &World) {
    for _ in 0..6000 {
        let s = Store::open(&w.db).unwrap();
        let org = s.organisation_by_name("St Mary").unwrap().unwrap().id;
        let busy = s
            .jobs_of_org(org)
            .unwrap()
            .iter()
            .any(|j| !j.state.is_final());
        if !busy {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("organisation A's job never finished");
}

/// A body the route accepts (`n` makes new emails unique).
fn sample_body(spec: &holisec_server::RouteSpec, n: usize, user_a: i64) -> Option<String> {
    match (spec.method, spec.path) {
        (Verb::Post, "/api/v1/tokens") => {
            Some(format!(r#"{{"name": "client {n}", "user": {user_a}}}"#))
        }
        (Verb::Post, "/taxii2/api/collections/{collection}/objects/") => Some(format!(
            r#"{{"objects": [{{"type": "indicator", "spec_version": "2.1", "id": "indicator--6f1a2b3c-0000-4000-8000-{n:012}", "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "pattern": "[ipv4-addr:value = '192.0.2.1']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}}]}}"#
        )),
        (Verb::Post, "/api/v1/users") => Some(format!(
            r#"{{"email": "new{n}@a.example", "role": "viewer", "password": "{PASSWORD}"}}"#
        )),
        (Verb::Put, "/api/v1/users/{id}/role") => Some(r#"{"role": "viewer"}"#.to_owned()),
        // The same password again: later logins of the matrix still work.
        (Verb::Post, "/api/v1/me/password") => Some(format!(
            r#"{{"current_password": "{PASSWORD}", "new_password": "{PASSWORD}"}}"#
        )),
        (Verb::Post, "/api/v1/models") => Some(
            serde_json::json!({
                "name": format!("scenario {n}"),
                "kind": "scenario",
                "text": holisec_api::simulate::builtin_source("worm-killswitch").unwrap().text,
            })
            .to_string(),
        ),
        (Verb::Post, "/api/v1/jobs") => Some(r#"{"kind": "risk", "iterations": 1000}"#.to_owned()),
        (Verb::Put, "/api/v1/organisation/sharing") => Some(r#"{"country": "FR"}"#.to_owned()),
        (Verb::Post, "/api/v1/incidents") => {
            Some(format!(r#"{{"report": {REPORT}, "tlp": "TLP:GREEN"}}"#))
        }
        (Verb::Put, "/api/v1/incidents/{id}") => Some(REPORT.to_owned()),
        (Verb::Post, "/api/v1/incidents/import") => Some(
            serde_json::json!({"format": "veris", "tlp": "TLP:RED", "text": VERIS_RECORD})
                .to_string(),
        ),
        (Verb::Put, "/api/v1/incidents/{id}/tlp") => Some(r#"{"tlp": "TLP:AMBER"}"#.to_owned()),
        (Verb::Post, "/api/v1/alerts") => Some(
            r#"{"title": "Patch the VPN", "text": "Exploited since Monday", "tlp": "TLP:GREEN", "factors": ["ho-legacy-endpoints"]}"#
                .to_owned(),
        ),
        (Verb::Put, _) => Some(r#"{"level": 2}"#.to_owned()),
        (Verb::Post, _) => Some("{}".to_owned()),
        (Verb::Get, _) => None,
    }
}

#[tokio::test]
async fn route_role_organisation_matrix_from_the_route_table() {
    let w = world();
    let mut checked = 0;
    let mut n = 0;
    for spec in ROUTES {
        let own_id = object_id(&w, spec.path, true);
        let other_id = object_id(&w, spec.path, false);
        let own = path_with(spec.path, own_id);
        let other = path_with(spec.path, other_id);
        let call = |path: String, cookie: Option<String>, n: usize| {
            let body = sample_body(spec, n, w.user_a);
            request(
                method(spec.method),
                &path,
                cookie.as_deref(),
                body.as_deref(),
            )
        };
        // Anonymous: a page sends the browser to the login page.
        let r = send(&w.app, call(own.clone(), None, 0)).await;
        match spec.min_role {
            Some(_) if spec.page => {
                assert_eq!(r.status, StatusCode::SEE_OTHER, "anonymous {}", spec.path);
                assert_eq!(r.headers[header::LOCATION], "/login");
            }
            Some(_) => assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "anonymous {:?} {}: {}",
                spec.method,
                spec.path,
                r.json
            ),
            None => assert_ne!(r.status, StatusCode::FORBIDDEN, "{}", spec.path),
        }
        let Some(min_role) = spec.min_role else {
            continue;
        };
        if let Some(kind) = spec.org_kind {
            // Another kind of organisation is refused whatever the role.
            n += 1;
            let cookie = login(&w.app, "a", Role::Admin).await;
            let r = send(&w.app, call(own.clone(), Some(cookie), n)).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "hospital admin {}",
                spec.path
            );
            if spec.page {
                // A page refuses with the HTML 403 page, naming the kind.
                assert!(r.text.contains("403 Forbidden"), "{}", r.text);
                assert!(r.text.contains(kind), "{}", r.text);
            } else {
                assert!(
                    r.json["error"].as_str().unwrap().contains(kind),
                    "{}",
                    r.json
                );
            }
            checked += 1;
        }
        for role in Role::ALL {
            n += 1;
            // A new session per request: logout ends the one it is sent with.
            // Routes of one organisation kind are called by B, the agency.
            let me = if spec.org_kind.is_some() { "b" } else { "a" };
            let cookie = login(&w.app, me, *role).await;
            if spec.path == "/api/v1/jobs" && spec.method == Verb::Post {
                settle_jobs(&w).await;
            }
            let r = send(&w.app, call(own.clone(), Some(cookie), n)).await;
            let what = format!("{role} {:?} {}", spec.method, own);
            if *role >= min_role {
                assert!(r.status.is_success(), "{what}: {} {}", r.status, r.json);
            } else if spec.page {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}");
                assert!(r.text.contains("your role may not do this"), "{}", r.text);
            } else if spec.taxii {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.json);
                assert_eq!(r.json["description"], "your role may not do this");
                assert_eq!(r.json["http_status"], "403");
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.json);
                assert_eq!(r.json["error"], "your role may not do this");
            }
            if spec.org_scoped && *role >= min_role {
                n += 1;
                let cookie = login(&w.app, "a", *role).await;
                let r = send(&w.app, call(other.clone(), Some(cookie.clone()), n)).await;
                assert_eq!(
                    r.status,
                    StatusCode::NOT_FOUND,
                    "{role} {other}: {}",
                    r.json
                );
                // Exactly what a missing id answers: nothing tells the two apart.
                let missing = path_with(spec.path, 999_999);
                let m = send(&w.app, call(missing, Some(cookie), n)).await;
                assert_eq!(m.status, StatusCode::NOT_FOUND);
                if spec.page {
                    assert!(r.text.contains("404 Not Found"), "{}", r.text);
                    assert_eq!(r.text, m.text);
                    checked += 1;
                    continue;
                }
                assert_eq!(
                    r.json["error"]
                        .as_str()
                        .unwrap()
                        .replace(&other_id.to_string(), "N"),
                    m.json["error"].as_str().unwrap().replace("999999", "N")
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 27, "{checked}");
}

/// No GET of the route table, called by organisation A (each role, its own
/// ids), carries B's raw answers: B's evidence note, and B's RED report,
/// appear in no answer, even with both organisations in the peer
/// benchmarks (aggregates go through the same scope as single objects).
#[tokio::test]
async fn no_read_carries_another_organisations_raw_answers() {
    const SECRET: &str = "B-ONLY-EVIDENCE-7f3a";
    let w = world();
    {
        let mut s = Store::open(&w.db).unwrap();
        let eco = holisec_api::model::builtin().value.ecosystem;
        let q = holisec_api::assess::builtin_questionnaire(&eco)
            .unwrap()
            .value;
        let answers: Vec<holisec_store::Answer> = q
            .items
            .iter()
            .take(6)
            .map(|item| holisec_store::Answer {
                item: item.id.clone(),
                level: 3,
                evidence: Some(SECRET.into()),
                answered_at: Some(NOW.into()),
            })
            .collect();
        s.save_answers(w.b, &answers).unwrap();
        for org in ["St Mary", "CERT"] {
            let id = s.organisation_by_name(org).unwrap().unwrap().id;
            let profile = holisec_store::ProfileUpdate {
                country: Some("FR".into()),
                size_band: None,
                agency_id: None,
                benchmark_opt_in: true,
            };
            s.set_sharing_profile(id, &profile, None, NOW).unwrap();
        }
    }
    let red_b = {
        let s = Store::open(&w.db).unwrap();
        let org_b = s.organisation_by_name("CERT").unwrap().unwrap().id;
        s.incident_in_org(org_b, w.incident_b)
            .unwrap()
            .unwrap()
            .stix_id
    };
    let mut read = 0;
    for spec in ROUTES
        .iter()
        .filter(|r| r.method == Verb::Get && r.min_role.is_some())
    {
        if spec.org_kind.is_some() || spec.path.ends_with("/events") {
            continue;
        }
        for role in Role::ALL {
            let cookie = login(&w.app, "a", *role).await;
            let path = path_with(spec.path, object_id(&w, spec.path, true));
            let r = send(&w.app, request(Method::GET, &path, Some(&cookie), None)).await;
            assert!(!r.text.contains(SECRET), "{role} {path} shows B's evidence");
            assert!(
                !r.text.contains(&red_b),
                "{role} {path} shows B's RED report"
            );
            read += 1;
        }
    }
    assert!(read >= 40, "{read}");
}

#[tokio::test]
async fn lists_and_creations_stay_in_the_session_organisation() {
    let w = world();
    let cookie = login(&w.app, "a", Role::Analyst).await;
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/assessments", Some(&cookie), None),
    )
    .await;
    let ids: Vec<i64> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![w.a]);
    // The body cannot name another organisation.
    let r = send(
        &w.app,
        request(
            Method::POST,
            "/api/v1/assessments",
            Some(&cookie),
            Some(&format!("{{\"organisation_id\": {}}}", w.b)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(
        r.json["error"].as_str().unwrap().contains("unknown field"),
        "{}",
        r.json
    );
    let r = send(
        &w.app,
        request(Method::POST, "/api/v1/assessments", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["organisation"], "St Mary");
    assert_eq!(r.json["version"], 2);
    let new_id = r.json["id"].as_i64().unwrap();
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/assessments", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.json.as_array().unwrap().len(), 2);
    // Organisation B sees neither, and its own list is unchanged.
    let b = login(&w.app, "b", Role::Admin).await;
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/assessments", Some(&b), None),
    )
    .await;
    let ids: Vec<i64> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![w.b]);
    let r = send(
        &w.app,
        request(
            Method::GET,
            &format!("/api/v1/assessments/{new_id}/score"),
            Some(&b),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Own objects read in full.
    let r = send(
        &w.app,
        request(
            Method::GET,
            &format!("/api/v1/assessments/{}/score", w.a),
            Some(&cookie),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["scores"]["domains"].as_array().unwrap().len(), 5);
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.json["user"]["email"], "analyst@a.example");
    assert_eq!(r.json["organisation_kind"], "healthcare-organisation");
    assert!(r.json["user"].get("password_hash").is_none());
    // Ids that are not numbers are unknown ids.
    for bad in ["abc", "-1", "0", "1e3", "99999999999999999999999"] {
        let r = send(
            &w.app,
            request(
                Method::GET,
                &format!("/api/v1/assessments/{bad}"),
                Some(&cookie),
                None,
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}: {}", r.json);
    }
    // The audit log names who created what.
    let s = Store::open(&w.db).unwrap();
    let log = s.audit_log(None).unwrap();
    assert!(
        log.iter().any(|e| e.action == "create-assessment"
            && e.detail.contains(&format!("assessment {new_id}")))
    );
}

#[tokio::test]
async fn login_refusals_say_the_same_whatever_was_wrong() {
    let w = world();
    let wrong = login_as(&w.app, "admin@a.example", "not the password").await;
    let unknown = login_as(&w.app, "nobody@a.example", PASSWORD).await;
    let empty = login_as(&w.app, "", "").await;
    for r in [&wrong, &unknown, &empty] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            r.json,
            serde_json::json!({ "error": "email or password is wrong" })
        );
        assert!(session_cookie(r).is_none());
    }
    // Case and surrounding spaces of the email do not matter; the password is exact.
    assert_eq!(
        login_as(&w.app, " ADMIN@a.example ", PASSWORD).await.status,
        StatusCode::OK
    );
    let r = login_as(&w.app, "admin@a.example", &format!("{PASSWORD} ")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A disabled user cannot log in, and their live session stops working.
    let cookie = login(&w.app, "a", Role::Viewer).await;
    {
        let mut s = Store::open(&w.db).unwrap();
        let u = s.user_for_login("viewer@a.example").unwrap().unwrap().0;
        assert!(s.set_user_disabled(u.organisation_id, u.id, true).unwrap());
    }
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = login_as(&w.app, "viewer@a.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json["error"], "email or password is wrong");
    // Every attempt is in the audit log, never with a password.
    let s = Store::open(&w.db).unwrap();
    let log = s.audit_log(None).unwrap();
    let failed = log.iter().filter(|e| e.action == "login-failed").count();
    assert_eq!(failed, 5, "{log:?}");
    assert!(
        log.iter()
            .all(|e| !e.detail.contains(PASSWORD) && !e.detail.contains("not the password"))
    );
    assert!(
        log.iter()
            .any(|e| e.action == "login" && e.user_id.is_some())
    );
}

#[tokio::test]
async fn session_cookie_is_strict_cycled_at_login_and_ended_by_logout() {
    let w = world();
    let r = login_as(&w.app, "admin@a.example", PASSWORD).await;
    let set = r
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set.starts_with("__Host-holisec="), "{set}");
    for attr in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=",
    ] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    assert!(!set.contains("Domain"), "{set}");
    let first = session_cookie(&r).unwrap();
    // Logging in with a session already held gives a new id; the old one is dead.
    let body = serde_json::json!({ "email": "viewer@b.example", "password": PASSWORD }).to_string();
    let r = send(
        &w.app,
        request(Method::POST, "/api/v1/login", Some(&first), Some(&body)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let second = session_cookie(&r).unwrap();
    assert_ne!(first, second);
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&first), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.json);
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&second), None),
    )
    .await;
    assert_eq!(r.json["user"]["email"], "viewer@b.example");
    // Logout ends the session on the server: the cookie replayed is refused.
    let r = send(
        &w.app,
        request(Method::POST, "/api/v1/logout", Some(&second), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&second), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A made-up session id is nobody.
    let forged = format!("{SESSION_COOKIE}=AAAAAAAAAAAAAAAAAAAAAA");
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&forged), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cross_origin_state_changes_are_refused() {
    let w = world();
    let cookie = login(&w.app, "a", Role::Admin).await;
    let post = |headers: &[(&str, &str)], path: &str| {
        let mut r = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, "localhost:8080")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json");
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::from("{}")).unwrap()
    };
    for (headers, path) in [
        (
            vec![("sec-fetch-site", "cross-site")],
            "/api/v1/assessments",
        ),
        (vec![("sec-fetch-site", "same-site")], "/api/v1/assessments"),
        (
            vec![("origin", "https://evil.example")],
            "/api/v1/assessments",
        ),
        (vec![("sec-fetch-site", "cross-site")], "/api/v1/logout"),
        (vec![("sec-fetch-site", "cross-site")], "/api/v1/login"),
    ] {
        let r = send(&w.app, post(&headers, path)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?} {path}");
        assert_eq!(r.json["error"], "cross-origin request refused");
    }
    // Nothing was created.
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/assessments", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    // Same origin passes.
    let r = send(
        &w.app,
        post(
            &[("origin", "http://localhost:8080")],
            "/api/v1/assessments",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_json_message() {
    let w = world();
    let cookie = login(&w.app, "a", Role::Analyst).await;
    // Over the body limit.
    let huge = format!(
        "{{\"email\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(100_000)
    );
    let r = send(
        &w.app,
        request(Method::POST, "/api/v1/login", None, Some(&huge)),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.json);
    assert!(r.json["error"].as_str().is_some());
    let r = send(
        &w.app,
        request(
            Method::POST,
            "/api/v1/assessments",
            Some(&cookie),
            Some(&huge),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.json);
    // Malformed JSON, wrong types, missing and unknown fields, wrong content type.
    for (body, status) in [
        ("{\"email\": ", StatusCode::BAD_REQUEST),
        ("not json", StatusCode::BAD_REQUEST),
        (
            "{\"email\": 5, \"password\": \"x\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("{\"email\": \"a@b\"}", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "{\"email\": \"a@b\", \"password\": \"xxxxxxxx\", \"role\": \"admin\"}",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("[]", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = send(
            &w.app,
            request(Method::POST, "/api/v1/login", None, Some(body)),
        )
        .await;
        assert_eq!(r.status, status, "{body}: {}", r.json);
        assert!(!r.json["error"].as_str().unwrap().is_empty(), "{body}");
    }
    let r = send(
        &w.app,
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/login")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.json);
    let r = send(
        &w.app,
        request(
            Method::POST,
            "/api/v1/assessments",
            Some(&cookie),
            Some("{oops"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    // Unknown paths and methods.
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/nothing", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.json["error"].is_string());
    for m in [Method::PUT, Method::DELETE, Method::PATCH, Method::TRACE] {
        let r = send(
            &w.app,
            request(m.clone(), "/api/v1/assessments", Some(&cookie), None),
        )
        .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{m}: {}", r.json);
        assert!(r.json["error"].is_string());
    }
    // HEAD needs what GET needs.
    let r = send(
        &w.app,
        request(Method::HEAD, "/api/v1/assessments", None, None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// `GET /api/v1/jobs/{id}/report.html`: the document as an attachment under
/// the usual security headers, to the job's organisation only; another kind
/// of job 404, a report job that did not finish 409.
#[tokio::test]
async fn a_report_job_downloads_as_an_attachment_of_its_organisation_only() {
    let w = world();
    let viewer = login(&w.app, "a", Role::Viewer).await;
    let path = format!("/api/v1/jobs/{}/report.html", w.report_a);
    let r = send(&w.app, request(Method::GET, &path, Some(&viewer), None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let h = |name: &str| r.headers[name].to_str().unwrap().to_owned();
    assert_eq!(h("content-type"), "text/html; charset=utf-8");
    assert_eq!(
        h("content-disposition"),
        format!(
            "attachment; filename=\"holisec-report-st-mary-{}.html\"",
            w.report_a
        )
    );
    assert_eq!(r.text, "<!DOCTYPE html><title>report of St Mary</title>");
    // The application's headers stay: the browser saves the file, never runs it here.
    assert!(h("content-security-policy").contains("default-src 'self'"));
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("cache-control"), "no-store");
    // Another organisation's report: 404 as a missing job.
    let other = login(&w.app, "b", Role::Admin).await;
    let r = send(&w.app, request(Method::GET, &path, Some(&other), None)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    assert_eq!(r.json["error"], format!("no job {}", w.report_a));
    // A job of another kind has no report.
    let risk = format!("/api/v1/jobs/{}/report.html", w.job_a);
    let r = send(&w.app, request(Method::GET, &risk, Some(&viewer), None)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    assert_eq!(
        r.json["error"],
        format!(
            "job {} is a risk job: only a report job has a report.html",
            w.job_a
        )
    );
    // A report job that did not finish: 409 with its state.
    let cancelled = {
        let mut s = Store::open(&w.db).unwrap();
        let org = s.organisation_by_name("St Mary").unwrap().unwrap().id;
        let job = s
            .create_job(
                &holisec_store::NewJob {
                    organisation_id: org,
                    created_by: w.user_a,
                    kind: "report",
                    model: None,
                    options: "{}",
                    engine_version: "test",
                },
                NOW,
            )
            .unwrap();
        s.cancel_job(org, job.id, w.user_a, NOW).unwrap();
        job.id
    };
    let path = format!("/api/v1/jobs/{cancelled}/report.html");
    let r = send(&w.app, request(Method::GET, &path, Some(&viewer), None)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    assert_eq!(
        r.json["error"],
        format!("report job {cancelled} is cancelled")
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let w = world();
    let cookie = login(&w.app, "a", Role::Viewer).await;
    let replies = [
        send(&w.app, request(Method::GET, "/healthz", None, None)).await,
        send(&w.app, request(Method::GET, "/api/v1/me", None, None)).await,
        send(
            &w.app,
            request(Method::GET, "/api/v1/me", Some(&cookie), None),
        )
        .await,
        send(&w.app, request(Method::GET, "/nowhere", None, None)).await,
        send(
            &w.app,
            request(
                Method::POST,
                "/api/v1/assessments",
                Some(&cookie),
                Some("{}"),
            ),
        )
        .await,
    ];
    for r in &replies {
        let h = |name: &str| {
            r.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        assert!(
            h("content-security-policy").contains("default-src 'self'"),
            "{}",
            r.status
        );
        assert!(h("content-security-policy").contains("frame-ancestors 'none'"));
        assert!(!h("content-security-policy").contains("unsafe"));
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert_eq!(h("referrer-policy"), "no-referrer");
        assert_eq!(h("cache-control"), "no-store");
        assert!(
            h("content-type").starts_with("application/json"),
            "{}",
            r.status
        );
        assert!(r.headers.get("access-control-allow-origin").is_none());
    }
}

#[test]
fn route_table_has_no_duplicates_and_only_known_methods() {
    let mut seen = std::collections::HashSet::new();
    for r in ROUTES {
        assert!(seen.insert((r.path, r.method.method())), "{} twice", r.path);
        assert!(
            r.path == "/healthz"
                || r.path.starts_with("/api/v1/")
                || r.path.starts_with("/assets/")
                || (r.taxii && r.path.starts_with("/taxii2/"))
                || (r.page && r.method == Verb::Get),
            "{}",
            r.path
        );
        assert_eq!(r.org_scoped, r.path.contains("{id}"), "{}", r.path);
    }
    // Building the app checks that each entry has a handler.
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("x.db")).unwrap();
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let _ = holisec_server::app(AppState::new(s, eco, q), &Config::default());
}

#[tokio::test]
async fn failed_logins_are_slowed_down_then_allowed_again() {
    let w = world_with(&Config {
        throttle: holisec_server::throttle::ThrottlePolicy {
            free_failures: 3,
            base_delay: std::time::Duration::from_millis(300),
            max_delay: std::time::Duration::from_millis(300),
            ..Default::default()
        },
        ..Config::default()
    });
    for _ in 0..3 {
        let r = login_as(&w.app, "admin@a.example", "guess guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login_as(&w.app, "admin@a.example", "guess guess").await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the 4th failure starts the wait"
    );
    // During the wait even the right password is answered 429, with Retry-After.
    let r = login_as(&w.app, "ADMIN@a.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.json);
    assert_eq!(r.headers.get(header::RETRY_AFTER).unwrap(), "1");
    assert!(
        r.json["error"]
            .as_str()
            .unwrap()
            .contains("too many failed logins")
    );
    // An unknown email is throttled alike: a 429 does not tell which accounts exist.
    for _ in 0..4 {
        login_as(&w.app, "ghost@a.example", "guess guess").await;
    }
    let r = login_as(&w.app, "ghost@a.example", "guess guess").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are not slowed down.
    assert_eq!(
        login_as(&w.app, "viewer@a.example", PASSWORD).await.status,
        StatusCode::OK
    );
    // After the wait the right password works (no lasting lockout).
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    assert_eq!(
        login_as(&w.app, "admin@a.example", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn answers_are_saved_one_by_one_in_the_session_organisation_only() {
    let w = world();
    let item = first_item();
    let cookie = login(&w.app, "a", Role::Analyst).await;
    let put = |id: i64, item: &str, body: &str| {
        request(
            Method::PUT,
            &format!("/api/v1/assessments/{id}/answers/{item}"),
            Some(&cookie),
            Some(body),
        )
    };
    let r = send(
        &w.app,
        put(w.a, &item, r#"{"level": 3, "evidence": "2025 audit"}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["answered"], 1);
    // Answering again replaces the answer.
    let r = send(&w.app, put(w.a, &item, r#"{"level": 4}"#)).await;
    assert_eq!(r.json["answered"], 1);
    let r = send(
        &w.app,
        request(
            Method::GET,
            &format!("/api/v1/assessments/{}", w.a),
            Some(&cookie),
            None,
        ),
    )
    .await;
    assert_eq!(r.json["answers"][0]["item"], item.as_str());
    assert_eq!(r.json["answers"][0]["level"], 4);
    assert!(r.json["answers"][0]["meaning"].is_string());
    // Bad values are 4xx naming the field.
    let r = send(&w.app, put(w.a, &item, r#"{"level": 7}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    assert_eq!(r.json["field"], "level");
    // The item is part of the path: an unknown one is not found.
    let r = send(&w.app, put(w.a, "NO-SUCH", r#"{"level": 1}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    assert!(r.json["error"].as_str().unwrap().contains("unknown item"));
    // `4.0` is a whole number (JSON Schema counts it an integer); `2.5` is not.
    let r = send(&w.app, put(w.a, &item, r#"{"level": 4.0}"#)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let r = send(&w.app, put(w.a, &item, r#"{"level": 2.5}"#)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(
        r.json["error"]
            .as_str()
            .unwrap()
            .contains("expected a whole number")
    );
    let r = send(&w.app, put(w.a, &item, r#"{"level": 300}"#)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let long = format!(r#"{{"level": 1, "evidence": "{}"}}"#, "x".repeat(4001));
    let r = send(&w.app, put(w.a, &item, &long)).await;
    assert_eq!(r.json["field"], "evidence");
    // The body cannot name another assessment than the path's.
    let r = send(
        &w.app,
        put(
            w.a,
            &item,
            &format!(r#"{{"level": 1, "assessment_id": {}}}"#, w.b),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A cross-site PUT is refused like a POST.
    let mut cross = put(w.a, &item, r#"{"level": 0}"#);
    cross
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let r = send(&w.app, cross).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another organisation's assessment: 404, and nothing is written there.
    let r = send(&w.app, put(w.b, &item, r#"{"level": 1}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let s = Store::open(&w.db).unwrap();
    assert!(s.answers(w.b).unwrap().is_empty());
    assert_eq!(s.answers(w.a).unwrap()[0].level, 4);
    assert_eq!(
        s.audit_log(None)
            .unwrap()
            .iter()
            .filter(|e| e.action == "answer")
            .count(),
        3,
        "the two answers and the `4.0` one are audited, no refused one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_users_answering_at_once_lose_no_answer() {
    let w = world();
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let items: Vec<String> = q.items.iter().map(|i| i.id.clone()).collect();
    let admin = login(&w.app, "a", Role::Admin).await;
    let analyst = login(&w.app, "a", Role::Analyst).await;
    let mut tasks = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let cookie = if k % 2 == 0 {
            admin.clone()
        } else {
            analyst.clone()
        };
        let app = w.app.clone();
        let path = format!("/api/v1/assessments/{}/answers/{item}", w.a);
        tasks.push(tokio::spawn(async move {
            let body = format!(r#"{{"level": {}}}"#, k % 5);
            send(
                &app,
                request(Method::PUT, &path, Some(&cookie), Some(&body)),
            )
            .await
            .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let s = Store::open(&w.db).unwrap();
    assert_eq!(s.answers(w.a).unwrap().len(), items.len());
}

#[tokio::test]
async fn an_organisation_admin_manages_only_their_own_organisation() {
    let w = world();
    let admin = login(&w.app, "a", Role::Admin).await;
    let post = |path: &str, body: &str| request(Method::POST, path, Some(&admin), Some(body));
    // The list holds the organisation's users only.
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/users", Some(&admin), None),
    )
    .await;
    let emails: Vec<&str> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.len(), 4, "{emails:?}");
    assert!(
        emails.iter().all(|e| e.ends_with("@a.example")),
        "{emails:?}"
    );
    assert!(!r.json.to_string().contains("argon2"));
    // A new user lands in the admin's organisation, whatever the body tries.
    let body =
        format!(r#"{{"email": "n@a.example", "role": "analyst", "password": "{PASSWORD}"}}"#);
    let r = send(&w.app, post("/api/v1/users", &body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["organisation"], "St Mary");
    for (body, status, field) in [
        (
            format!(
                r#"{{"email": "x@a.example", "role": "viewer", "password": "{PASSWORD}", "organisation_id": 2}}"#
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        (
            format!(
                r#"{{"email": "x@a.example", "role": "site-admin", "password": "{PASSWORD}"}}"#
            ),
            StatusCode::BAD_REQUEST,
            Some("role"),
        ),
        (
            r#"{"email": "x@a.example", "role": "viewer", "password": "short"}"#.to_owned(),
            StatusCode::BAD_REQUEST,
            Some("password"),
        ),
        (
            format!(r#"{{"email": "no at sign", "role": "viewer", "password": "{PASSWORD}"}}"#),
            StatusCode::BAD_REQUEST,
            Some("email"),
        ),
        (
            format!(
                r#"{{"email": "ADMIN@b.example", "role": "viewer", "password": "{PASSWORD}"}}"#
            ),
            StatusCode::CONFLICT,
            None,
        ),
    ] {
        let r = send(&w.app, post("/api/v1/users", &body)).await;
        assert_eq!(r.status, status, "{body}: {}", r.json);
        if let Some(f) = field {
            assert_eq!(r.json["field"], f, "{body}");
        }
    }
    // B's admin is untouched by A's conflict: still logs in, still admin of B.
    let b = login_as(&w.app, "admin@b.example", PASSWORD).await;
    assert_eq!(b.json["user"]["organisation"], "CERT");
    assert_eq!(b.json["user"]["role"], "admin");
    // Disabling: another organisation's user is 404 and stays enabled; oneself is refused.
    let r = send(
        &w.app,
        post(&format!("/api/v1/users/{}/disable", w.user_b), ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        login_as(&w.app, "extra@b.example", PASSWORD).await.status,
        StatusCode::OK
    );
    let me = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&admin), None),
    )
    .await;
    let my_id = me.json["user"]["id"].as_i64().unwrap();
    let r = send(&w.app, post(&format!("/api/v1/users/{my_id}/disable"), "")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    assert!(
        r.json["error"]
            .as_str()
            .unwrap()
            .contains("cannot disable yourself")
    );
    let r = send(
        &w.app,
        post(&format!("/api/v1/users/{}/disable", w.user_a), ""),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["disabled"], true);
    assert_eq!(
        login_as(&w.app, "extra@a.example", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    let s = Store::open(&w.db).unwrap();
    let log = s.audit_log(None).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "disable-user" && e.user_id == Some(my_id))
    );
    assert!(
        log.iter()
            .any(|e| e.action == "create-user" && e.user_id == Some(my_id))
    );
}

#[tokio::test]
async fn persisted_sessions_survive_a_restart_and_logout_deletes_them() {
    let w = world();
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let app = |eco: holisec_model::Ecosystem, q| {
        let db = w.db.clone();
        async move {
            let state = AppState::new(Store::open(&db).unwrap(), eco, q)
                .persist_sessions(&db)
                .await
                .unwrap();
            holisec_server::app(state, &Config::default())
        }
    };
    let first = app(eco.clone(), q.clone()).await;
    let cookie = login(&first, "a", Role::Viewer).await;
    drop(first);
    // A new application over the same file knows the session.
    let second = app(eco, q).await;
    let r = send(
        &second,
        request(Method::GET, "/api/v1/me", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let rows = |db: &std::path::Path| Store::open(db).unwrap().session_count().unwrap();
    assert_eq!(rows(&w.db), 1);
    let r = send(
        &second,
        request(Method::POST, "/api/v1/logout", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(rows(&w.db), 0, "logout deletes the session row");
    let r = send(
        &second,
        request(Method::GET, "/api/v1/me", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_active() {
    let w = world_with(&Config {
        lifetime: std::time::Duration::from_secs(1),
        ..Config::default()
    });
    let cookie = login(&w.app, "a", Role::Viewer).await;
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // Active all along, yet over the lifetime (whole seconds: wait past the next one).
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.json);
    // A new login starts a new lifetime.
    let cookie = login(&w.app, "a", Role::Viewer).await;
    let r = send(
        &w.app,
        request(Method::GET, "/api/v1/me", Some(&cookie), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_sets_roles_and_enables_users_of_their_organisation_only() {
    let w = world();
    let admin = login(&w.app, "a", Role::Admin).await;
    let call = |method: Method, path: String, body: Option<&str>| {
        request(method, &path, Some(&admin), body)
    };
    let role =
        |id: i64, body: &str| call(Method::PUT, format!("/api/v1/users/{id}/role"), Some(body));
    // The extra viewer of A becomes an analyst, and may at once do what analysts do.
    let viewer = login_as(&w.app, "extra@a.example", PASSWORD).await;
    let viewer = session_cookie(&viewer).unwrap();
    let create = || {
        request(
            Method::POST,
            "/api/v1/assessments",
            Some(&viewer),
            Some("{}"),
        )
    };
    assert_eq!(send(&w.app, create()).await.status, StatusCode::FORBIDDEN);
    let r = send(&w.app, role(w.user_a, r#"{"role": "analyst"}"#)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["role"], "analyst");
    assert_eq!(send(&w.app, create()).await.status, StatusCode::CREATED);
    // Refusals: another organisation's user (404, unchanged), a role beyond
    // the organisation (400 naming the field), one's own role (409), fields
    // that try to name another organisation (422).
    let r = send(&w.app, role(w.user_b, r#"{"role": "admin"}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    let b = login_as(&w.app, "extra@b.example", PASSWORD).await;
    assert_eq!(b.json["user"]["role"], "viewer");
    for name in ["site-admin", "superuser", ""] {
        let r = send(&w.app, role(w.user_a, &format!(r#"{{"role": "{name}"}}"#))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.json);
        assert_eq!(r.json["field"], "role");
    }
    let me = send(&w.app, call(Method::GET, "/api/v1/me".into(), None)).await;
    let my_id = me.json["user"]["id"].as_i64().unwrap();
    let r = send(&w.app, role(my_id, r#"{"role": "viewer"}"#)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    assert!(r.json["error"].as_str().unwrap().contains("own role"));
    let r = send(
        &w.app,
        role(w.user_a, r#"{"role": "admin", "organisation_id": 2}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    // Disable then enable: the user's live session ends, a new login works.
    let path = |what: &str| format!("/api/v1/users/{}/{what}", w.user_a);
    let r = send(&w.app, call(Method::POST, path("disable"), None)).await;
    assert_eq!(r.json["disabled"], true);
    let me_viewer = || request(Method::GET, "/api/v1/me", Some(&viewer), None);
    assert_eq!(
        send(&w.app, me_viewer()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = send(&w.app, call(Method::POST, path("enable"), None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["disabled"], false);
    assert_eq!(
        login_as(&w.app, "extra@a.example", PASSWORD).await.status,
        StatusCode::OK
    );
    let r = send(
        &w.app,
        call(
            Method::POST,
            format!("/api/v1/users/{}/enable", w.user_b),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let log = Store::open(&w.db).unwrap().audit_log(Some(1)).unwrap();
    for action in ["set-role", "disable-user", "enable-user"] {
        assert!(
            log.iter()
                .any(|e| e.action == action && e.user_id == Some(my_id)),
            "{action}"
        );
    }
    assert!(
        Store::open(&w.db)
            .unwrap()
            .audit_log(Some(2))
            .unwrap()
            .iter()
            // The set-up (at NOW) creates users, an upload and a job there.
            .all(|e| e.at == NOW || e.action.starts_with("login")),
        "nothing changed in the other organisation: {:?}",
        Store::open(&w.db).unwrap().audit_log(Some(2)).unwrap()
    );
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_ends_the_other_sessions() {
    let w = world();
    let here = login(&w.app, "a", Role::Viewer).await;
    let elsewhere = login(&w.app, "a", Role::Viewer).await;
    let change = |body: &str| request(Method::POST, "/api/v1/me/password", Some(&here), Some(body));
    let me = |cookie: &str| request(Method::GET, "/api/v1/me", Some(cookie), None);
    const NEW: &str = "quiet lanterns over the harbour";
    // Refusals change nothing: a wrong current password, a guessable new one.
    let r = send(
        &w.app,
        change(&format!(
            r#"{{"current_password": "wrong one!", "new_password": "{NEW}"}}"#
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    assert_eq!(r.json["field"], "current_password");
    let r = send(
        &w.app,
        change(&format!(
            r#"{{"current_password": "{PASSWORD}", "new_password": "password123"}}"#
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    assert_eq!(r.json["field"], "new_password");
    assert!(
        r.json["error"]
            .as_str()
            .unwrap()
            .contains("too easy to guess")
    );
    assert_eq!(send(&w.app, me(&elsewhere)).await.status, StatusCode::OK);
    // The change: this session goes on (under a new id), the other one ends.
    let r = send(
        &w.app,
        change(&format!(
            r#"{{"current_password": "{PASSWORD}", "new_password": "{NEW}"}}"#
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let renewed = session_cookie(&r).expect("a new session id");
    assert_ne!(renewed, here);
    assert_eq!(send(&w.app, me(&renewed)).await.status, StatusCode::OK);
    assert_eq!(
        send(&w.app, me(&elsewhere)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&w.app, me(&here)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Only the new password logs in.
    let email = email("a", Role::Viewer);
    assert_eq!(
        login_as(&w.app, &email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login_as(&w.app, &email, NEW).await.status, StatusCode::OK);
    let log = Store::open(&w.db).unwrap().audit_log(Some(1)).unwrap();
    assert!(log.iter().any(|e| e.action == "change-password"));
    assert!(log.iter().any(|e| e.action == "change-password-failed"));
}
