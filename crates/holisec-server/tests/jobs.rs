//! Jobs and uploads through the real router (`tower::ServiceExt::oneshot`)
//! on a temporary database: uploads checked as the CLI checks files, the job
//! lifecycle with stored and reproducible results, cancellation, server-sent
//! events, one job per organisation, bad bodies naming their field, and
//! another organisation's ids answering 404.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use holisec_server::{AppState, Config, SESSION_COOKIE, accounts};
use holisec_store::Store;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-04T00:00:00Z";
/// A risk run that takes about a minute: long enough to be caught running.
const LONG: u64 = 50_000_000;

struct World {
    _dir: tempfile::TempDir,
    app: Router,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let mut s = Store::open(&db).unwrap();
    accounts::create_org(&mut s, "St Mary", "healthcare-organisation", NOW).unwrap();
    accounts::create_org(&mut s, "CERT", "agency-institution", NOW).unwrap();
    for (email, org, role) in [
        ("ana@a.example", "St Mary", "analyst"),
        ("val@a.example", "St Mary", "viewer"),
        ("bob@b.example", "CERT", "analyst"),
    ] {
        accounts::create_user(&mut s, email, org, role, PASSWORD, NOW).unwrap();
    }
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let app = holisec_server::app(AppState::new(s, eco, q), &Config::default());
    World { _dir: dir, app }
}

fn request(method: Method, path: &str, cookie: &str, body: Option<&Value>) -> Request<Body> {
    let mut r = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, cookie);
    if method == Method::POST {
        r = r.header("sec-fetch-site", "same-origin");
    }
    match body {
        Some(b) => r
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    }
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {bytes:?}"));
    (status, json)
}

async fn get(app: &Router, path: &str, cookie: &str) -> (StatusCode, Value) {
    send(app, request(Method::GET, path, cookie, None)).await
}

async fn post(app: &Router, path: &str, cookie: &str, body: Value) -> (StatusCode, Value) {
    send(app, request(Method::POST, path, cookie, Some(&body))).await
}

async fn login(app: &Router, email: &str) -> String {
    let body = json!({ "email": email, "password": PASSWORD });
    let res = app
        .clone()
        .oneshot(request(Method::POST, "/api/v1/login", "", Some(&body)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("a session cookie")
}

/// Polls the job until `done(state)`; the job's last view.
async fn wait_for(app: &Router, cookie: &str, id: i64, done: impl Fn(&str) -> bool) -> Value {
    for _ in 0..30_000 {
        let (status, job) = get(app, &format!("/api/v1/jobs/{id}"), cookie).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if done(job["state"].as_str().unwrap()) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {id} never reached the state awaited");
}

async fn finished(app: &Router, cookie: &str, id: i64) -> Value {
    wait_for(app, cookie, id, |s| {
        matches!(s, "done" | "failed" | "cancelled")
    })
    .await
}

async fn start_job(app: &Router, cookie: &str, body: Value) -> i64 {
    let (status, job) = post(app, "/api/v1/jobs", cookie, body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    job["id"].as_i64().unwrap()
}

fn bad_model() -> String {
    // Line 3 names a stakeholder kind that does not exist.
    holisec_model::builtin::EUROPE_TOML.replacen(
        "kind = \"healthcare-organisation\"",
        "kind = \"healthcare-organization\"",
        1,
    )
}

#[tokio::test]
async fn uploads_are_checked_as_the_cli_checks_files() {
    let w = world();
    let ana = login(&w.app, "ana@a.example").await;
    // A valid model (66 KB, over the 64 KiB limit of other routes).
    let text = holisec_model::builtin::EUROPE_TOML;
    let (status, up) = post(
        &w.app,
        "/api/v1/models",
        &ana,
        json!({"name": "europe copy.toml", "kind": "model", "text": text}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{up}");
    let model_id = up["id"].as_i64().unwrap();
    assert_eq!(up["kind"], "model");
    assert_eq!(up["warnings"], json!([]));
    assert_eq!(up["sha256"].as_str().unwrap().len(), 64);
    assert!(up["created_by"].as_i64().is_some() && up["created_at"].is_string());
    // The same name again, whatever its case: 409.
    let (status, err) = post(
        &w.app,
        "/api/v1/models",
        &ana,
        json!({"name": "EUROPE COPY.toml", "kind": "model", "text": text}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");

    // An invalid model: 422 with line, column and the CLI's text.
    let bad = bad_model();
    let (status, err) = post(
        &w.app,
        "/api/v1/models",
        &ana,
        json!({"name": "bad.toml", "kind": "model", "text": bad}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["field"], "text");
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .starts_with("`bad.toml` is not a valid model"),
        "{err}"
    );
    let d = &err["diagnostics"][0];
    assert!(d["line"].as_u64().unwrap() > 1 && d["column"].as_u64().unwrap() >= 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("healthcare-organization"),
        "{d}"
    );
    let rejected = holisec_api::model::load_text("bad.toml", &bad).unwrap_err();
    let cli = holisec_api::diagnostics::validation(
        &rejected.source,
        &rejected.diagnostics,
        false,
        false,
        false,
    );
    assert_eq!(err["rendered"], cli);
    assert!(cli.contains("bad.toml:"), "{cli}");

    // A scenario, checked against the uploaded model.
    let scenario = holisec_api::simulate::builtin_source("worm-killswitch")
        .unwrap()
        .text;
    let (status, sc) = post(
        &w.app,
        "/api/v1/models",
        &ana,
        json!({"name": "worm", "kind": "scenario", "text": scenario, "model": model_id}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sc}");
    // An invalid scenario: what `holisec simulate --scenario worm2` prints.
    let broken = scenario.replacen("[[campaign]]", "[[campaign]]\nbogus = 1", 1);
    let (status, err) = post(
        &w.app,
        "/api/v1/models",
        &ana,
        json!({"name": "worm2", "kind": "scenario", "text": broken}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let eco = holisec_api::model::builtin().value.ecosystem;
    let rejected =
        holisec_api::simulate::load(&eco, holisec_api::Source::new("worm2", broken.clone()))
            .unwrap_err();
    assert_eq!(
        err["rendered"],
        holisec_api::diagnostics::rejected(&rejected, false, false)
    );
    assert!(err["diagnostics"][0]["line"].as_u64().is_some(), "{err}");

    // Lists carry no text; one upload does.
    let (_, list) = get(&w.app, "/api/v1/models", &ana).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|u| u.get("text").is_none()));
    let (status, one) = get(&w.app, &format!("/api/v1/models/{model_id}"), &ana).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["text"], text);

    // Another organisation sees none of it, by list, by id or in a body.
    let bob = login(&w.app, "bob@b.example").await;
    let (_, list) = get(&w.app, "/api/v1/models", &bob).await;
    assert_eq!(list, json!([]));
    let (status, err) = get(&w.app, &format!("/api/v1/models/{model_id}"), &bob).await;
    let (_, missing) = get(&w.app, "/api/v1/models/999999", &bob).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        err["error"]
            .as_str()
            .unwrap()
            .replace(&model_id.to_string(), "N"),
        missing["error"].as_str().unwrap().replace("999999", "N")
    );
    let (status, err) = post(
        &w.app,
        "/api/v1/jobs",
        &bob,
        json!({"kind": "risk", "model": model_id, "iterations": 1000}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    assert_eq!(err["field"], "model");
    // A viewer may read but not upload.
    let val = login(&w.app, "val@a.example").await;
    let (status, _) = post(
        &w.app,
        "/api/v1/models",
        &val,
        json!({"name": "v", "kind": "model", "text": text}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_risk_job_runs_stores_its_result_and_reproduces_it() {
    let w = world();
    let ana = login(&w.app, "ana@a.example").await;
    let body = json!({"kind": "risk", "iterations": 20000, "seed": 7});
    let (status, job) = post(&w.app, "/api/v1/jobs", &ana, body.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert!(matches!(job["state"].as_str(), Some("queued" | "running")));
    assert_eq!(job["kind"], "risk");
    assert_eq!(job["model"], Value::Null);
    assert_eq!(job["options"]["iterations"], 20000);
    assert_eq!(job["options"]["seed"], 7);
    assert_eq!(job["options"]["compare"], true);
    assert!(
        job["engine_version"]
            .as_str()
            .unwrap()
            .starts_with("holisec ")
    );
    let id = job["id"].as_i64().unwrap();
    let done = finished(&w.app, &ana, id).await;
    assert_eq!(done["state"], "done", "{done}");
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());
    assert_eq!(done["error"], Value::Null);
    let result = &done["result"];
    assert_eq!(result["engine"]["iterations"], 20000);
    assert!(
        result["per_organisation"][0]["summary"]["ale"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(!result["by_domain"].as_array().unwrap().is_empty());
    assert!(!result["by_motivation"].as_array().unwrap().is_empty());
    let total = &result["lec"]["series"][0];
    assert_eq!(total["name"], "total");
    assert_eq!(
        total["loss"].as_array().unwrap().len(),
        total["probability"].as_array().unwrap().len()
    );
    assert!(
        !result["ranking"]["single_items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The list is newest first and carries no result.
    let (_, list) = get(&w.app, "/api/v1/jobs", &ana).await;
    assert_eq!(list[0]["id"], id);
    assert!(list[0].get("result").is_none());

    // Reopened: the stored result. Rerun with the same options: the same result.
    let (_, again) = get(&w.app, &format!("/api/v1/jobs/{id}"), &ana).await;
    assert_eq!(again["result"], done["result"]);
    let rerun = start_job(&w.app, &ana, body).await;
    let second = finished(&w.app, &ana, rerun).await;
    assert_eq!(second["state"], "done");
    assert_eq!(second["result"].to_string(), done["result"].to_string());
    // Another seed gives other numbers.
    let other = start_job(
        &w.app,
        &ana,
        json!({"kind": "risk", "iterations": 20000, "seed": 8}),
    )
    .await;
    let third = finished(&w.app, &ana, other).await;
    assert_ne!(third["result"]["total"], done["result"]["total"]);
}

#[tokio::test]
async fn a_risk_job_prices_an_insurers_portfolio() {
    let w = world();
    let ana = login(&w.app, "ana@a.example").await;
    let portfolio =
        json!({"organisations": 30, "providers": 3, "concentration": 1.0, "iterations": 3000});
    let id = start_job(
        &w.app,
        &ana,
        json!({"kind": "risk", "iterations": 2000, "seed": 5, "portfolio": portfolio}),
    )
    .await;
    let job = finished(&w.app, &ana, id).await;
    assert_eq!(job["state"], "done", "{job}");
    // The options are stored whole, so the run can be reproduced.
    assert_eq!(job["options"]["portfolio"], portfolio);
    let p = &job["result"]["portfolio"];
    assert_eq!(p["organisations"], 30);
    assert_eq!(p["iterations"], 3000);
    assert_eq!(p["seed"], 5);
    let clients: u64 = p["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["clients"].as_u64().unwrap())
        .sum();
    assert_eq!(clients, 30);
    for side in ["independent", "shared_suppliers"] {
        assert!(!p[side]["lec"].as_array().unwrap().is_empty(), "{side}");
    }
    // Shared suppliers move whole groups of members at once: the mean stays,
    // the tail grows (the same members and scenarios, drawn together).
    let mean = |side: &str| p[side]["ale"].as_f64().unwrap();
    let rel = (mean("shared_suppliers") - mean("independent")).abs() / mean("independent");
    assert!(rel < 0.2, "means {rel}");
    assert!(p["p99_ratio"].as_f64().unwrap() >= 1.0, "{p}");
}

#[tokio::test]
async fn a_simulation_job_gives_bands_and_countries() {
    let w = world();
    let ana = login(&w.app, "ana@a.example").await;
    let id = start_job(
        &w.app,
        &ana,
        json!({"kind": "simulation", "scenario": "worm-killswitch", "replicates": 3, "scale": 0.01, "days": 20, "seed": 3}),
    )
    .await;
    let job = finished(&w.app, &ana, id).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["options"]["scenario"], "worm-killswitch");
    assert_eq!(job["options"]["replicates"], 3);
    // Networks are redrawn per replicate unless the request fixes them.
    assert_eq!(job["options"]["fixed_network"], false);
    let r = &job["result"];
    assert_eq!(r["day"].as_array().unwrap().len(), 20);
    let s = &r["series"][0];
    for band in ["median", "low", "high"] {
        assert_eq!(s[band].as_array().unwrap().len(), 20, "{band}");
    }
    assert!(!r["countries"].as_array().unwrap().is_empty());
    // A worm seeded by country names no organisation.
    assert_eq!(r["named"], json!([]));
}

/// An uploaded scenario naming one hospital: the job's result says what
/// happened to it, as `holisec simulate` does.
#[tokio::test]
async fn a_simulation_job_reports_the_organisation_its_scenario_names() {
    let w = world();
    let ana = login(&w.app, "ana@a.example").await;
    let text = r#"
[scenario]
days = 20
replicates = 3
scale = 0.02
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "hospital-DE-0003"
"#;
    let (status, upload) = post(
        &w.app,
        "/api/v1/models",
        &ana,
        json!({"name": "one hospital", "kind": "scenario", "text": text}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{upload}");
    let upload_id = upload["id"].as_i64().unwrap();
    let id = start_job(
        &w.app,
        &ana,
        json!({"kind": "simulation", "scenario": upload_id, "seed": 5}),
    )
    .await;
    let job = finished(&w.app, &ana, id).await;
    assert_eq!(job["state"], "done", "{job}");
    let named = job["result"]["named"].as_array().unwrap();
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0]["id"], "hospital-DE-0003");
    assert_eq!(named[0]["kind"], "hospital");
    assert_eq!(named[0]["country"], "DE");
    // Intruded on day 0 in each of the three replicates.
    assert_eq!(named[0]["infected"], 3);
    for field in ["encrypted", "disrupted", "switched_off"] {
        assert!(named[0][field].as_u64().unwrap() <= 3, "{field}");
    }
}

#[tokio::test]
async fn a_long_job_is_cancelled_and_blocks_a_second_one_until_then() {
    let w = world();
    let ana = login(&w.app, "ana@a.example").await;
    let id = start_job(&w.app, &ana, json!({"kind": "risk", "iterations": LONG})).await;
    wait_for(&w.app, &ana, id, |s| s == "running").await;
    // One queued or running job per organisation.
    let (status, err) = post(
        &w.app,
        "/api/v1/jobs",
        &ana,
        json!({"kind": "risk", "iterations": 1000}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{err}");
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .contains(&format!("job {id}"))
    );
    // Another organisation queues meanwhile (one job runs at a time).
    let bob = login(&w.app, "bob@b.example").await;
    let queued = start_job(&w.app, &bob, json!({"kind": "risk", "iterations": 1000})).await;
    // Another organisation cannot cancel it.
    let (status, _) = post(
        &w.app,
        &format!("/api/v1/jobs/{id}/cancel"),
        &bob,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, job) = post(
        &w.app,
        &format!("/api/v1/jobs/{id}/cancel"),
        &ana,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_eq!(job["state"], "cancelled");
    // The runner stops it and goes on to the next organisation's job.
    let next = finished(&w.app, &bob, queued).await;
    assert_eq!(next["state"], "done", "{next}");
    let job = finished(&w.app, &ana, id).await;
    assert_eq!(job["state"], "cancelled");
    assert_eq!(job.get("result"), None);
    assert!(job["finished_at"].is_string());
    // Cancelled is final: cancelling again changes nothing, and a new job may start.
    let (status, again) = post(
        &w.app,
        &format!("/api/v1/jobs/{id}/cancel"),
        &ana,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["finished_at"], job["finished_at"]);
    start_job(&w.app, &ana, json!({"kind": "risk", "iterations": 1000})).await;
}

#[tokio::test]
async fn events_send_progress_then_the_final_state() {
    let w = world();
    let ana = login(&w.app, "ana@a.example").await;
    let bob = login(&w.app, "bob@b.example").await;
    // B's long job holds the runner, so A's job waits in the queue.
    let blocker = start_job(&w.app, &bob, json!({"kind": "risk", "iterations": LONG})).await;
    wait_for(&w.app, &bob, blocker, |s| s == "running").await;
    let id = start_job(&w.app, &ana, json!({"kind": "risk", "iterations": 300_000})).await;
    // Another organisation's job's events: 404.
    let res = w
        .app
        .clone()
        .oneshot(request(
            Method::GET,
            &format!("/api/v1/jobs/{id}/events"),
            &bob,
            None,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = w
        .app
        .clone()
        .oneshot(request(
            Method::GET,
            &format!("/api/v1/jobs/{id}/events"),
            &ana,
            None,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = res.into_body();
    // The first event says where the job is: the stream is following it.
    let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
    let first = String::from_utf8_lossy(&first).into_owned();
    assert!(
        first.contains("event: state") && first.contains("\"queued\""),
        "{first}"
    );
    post(
        &w.app,
        &format!("/api/v1/jobs/{blocker}/cancel"),
        &bob,
        json!({}),
    )
    .await;
    let rest = body.collect().await.unwrap().to_bytes();
    let text = first + &String::from_utf8_lossy(&rest);
    let progress = text.find("event: progress").expect("a progress event");
    let done = text.find("\"state\":\"done\"").expect("the final state");
    assert!(progress < done, "{text}");
    assert!(text.contains("\"unit\":\"simulated years\""), "{text}");
    assert!(text.contains("\"total\":300000"), "{text}");
    assert!(
        text.trim_end().ends_with('}'),
        "the stream ends at the final state: {text}"
    );
    // A finished job's events: its final state at once.
    let res = w
        .app
        .clone()
        .oneshot(request(
            Method::GET,
            &format!("/api/v1/jobs/{id}/events"),
            &ana,
            None,
        ))
        .await
        .unwrap();
    let text = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&text);
    assert_eq!(text.matches("event:").count(), 1, "{text}");
    assert!(text.contains("\"state\":\"done\""), "{text}");
}

#[tokio::test]
async fn bad_job_bodies_name_their_field() {
    let w = world();
    let ana = login(&w.app, "ana@a.example").await;
    let cases = [
        (json!({"kind": "portfolio"}), 422, "kind"),
        (json!({"iterations": 10}), 422, "kind"),
        (json!([1, 2]), 422, "kind"),
        (
            json!({"kind": "risk", "iterations": "many"}),
            422,
            "iterations",
        ),
        (json!({"kind": "risk", "iterations": -5}), 422, "iterations"),
        (json!({"kind": "risk", "iterations": 0}), 400, "iterations"),
        (
            json!({"kind": "risk", "iterations": 1_000_000_000_000u64}),
            400,
            "iterations",
        ),
        // Over the 5e9 loss events a run may draw (as `holisec risk` refuses).
        (
            json!({"kind": "risk", "iterations": 1_000_000_000}),
            400,
            "iterations",
        ),
        (json!({"kind": "risk", "seed": 1.5}), 422, "seed"),
        (json!({"kind": "risk", "portfolio": 5}), 422, "portfolio"),
        (
            json!({"kind": "risk", "portfolio": {"members": 5}}),
            422,
            "portfolio",
        ),
        (
            json!({"kind": "risk", "portfolio": {"organisations": "many"}}),
            422,
            "portfolio",
        ),
        (
            json!({"kind": "risk", "portfolio": {"organisations": 0}}),
            400,
            "portfolio.organisations",
        ),
        (
            json!({"kind": "risk", "portfolio": {"organisations": 5, "providers": 6}}),
            400,
            "portfolio.providers",
        ),
        (
            json!({"kind": "risk", "portfolio": {"concentration": 11.0}}),
            400,
            "portfolio.concentration",
        ),
        (
            json!({"kind": "risk", "interventions": "mfa"}),
            422,
            "interventions",
        ),
        (
            json!({"kind": "risk", "interventions": ["no-such-support"]}),
            400,
            "interventions",
        ),
        (
            json!({"kind": "risk", "organisation_id": 2}),
            422,
            "organisation_id",
        ),
        (json!({"kind": "risk", "model": "mine"}), 422, "model"),
        (json!({"kind": "risk", "model": 424242}), 404, "model"),
        (json!({"kind": "simulation"}), 422, "scenario"),
        (
            json!({"kind": "simulation", "scenario": "europe-phishing-ransomwar"}),
            400,
            "scenario",
        ),
        (
            json!({"kind": "simulation", "scenario": 424242}),
            404,
            "scenario",
        ),
        (
            json!({"kind": "simulation", "scenario": "worm-killswitch", "replicates": 0}),
            400,
            "replicates",
        ),
        (
            json!({"kind": "simulation", "scenario": "worm-killswitch", "replicates": 5_000_000_000u64}),
            400,
            "replicates",
        ),
        (
            json!({"kind": "simulation", "scenario": "worm-killswitch", "scale": 11}),
            400,
            "scale",
        ),
        (
            json!({"kind": "simulation", "scenario": "worm-killswitch", "scale": "big"}),
            422,
            "scale",
        ),
        (
            json!({"kind": "simulation", "scenario": "worm-killswitch", "days": 0}),
            400,
            "days",
        ),
        (
            json!({"kind": "simulation", "scenario": "worm-killswitch", "fixed_network": "yes"}),
            422,
            "fixed_network",
        ),
        (
            json!({"kind": "simulation", "scenario": "worm-killswitch", "iterations": 5}),
            422,
            "iterations",
        ),
    ];
    for (body, status, field) in cases {
        let (got, err) = post(&w.app, "/api/v1/jobs", &ana, body.clone()).await;
        assert_eq!(got.as_u16(), status, "{body}: {err}");
        assert_eq!(err["field"], field, "{body}: {err}");
        assert!(!err["error"].as_str().unwrap().is_empty());
    }
    // Malformed JSON and a missing body: 4xx, nothing queued.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/jobs")
        .header(header::HOST, "localhost")
        .header(header::COOKIE, &ana)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"kind\": \"risk\""))
        .unwrap();
    let (status, _) = send(&w.app, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, list) = get(&w.app, "/api/v1/jobs", &ana).await;
    assert_eq!(list, json!([]));
    // Unknown job ids: 404 on every job route.
    for path in [
        "/api/v1/jobs/77",
        "/api/v1/jobs/x",
        "/api/v1/jobs/77/events",
    ] {
        let res = w
            .app
            .clone()
            .oneshot(request(Method::GET, path, &ana, None))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = post(&w.app, "/api/v1/jobs/77/cancel", &ana, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_plan_job_puts_the_hospitals_risk_and_plan_on_its_assessment() {
    let w = world();
    let ana = login(&w.app, "ana@a.example").await;
    let (status, a) = post(&w.app, "/api/v1/assessments", &ana, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let id = a["id"].as_i64().unwrap();
    let answer = |item: &str, level: u8| {
        request(
            Method::PUT,
            &format!("/api/v1/assessments/{id}/answers/{item}"),
            &ana,
            Some(&json!({ "level": level })),
        )
    };
    let (status, body) = send(&w.app, answer("PE-01", 1)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Before any plan: 200 with nothing to show.
    let (status, view) = get(&w.app, &format!("/api/v1/assessments/{id}/plan"), &ana).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert!(view["latest"].is_null(), "{view}");

    let body =
        json!({"kind": "plan", "assessment": id, "iterations": 4000, "seed": 7, "budget": 30000});
    let job = start_job(&w.app, &ana, body.clone()).await;
    let done = finished(&w.app, &ana, job).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["kind"], "plan");
    assert_eq!(done["options"]["assessment"], id);
    assert_eq!(done["options"]["value_per_euro_avoided"], 1.0);
    let result = &done["result"];
    assert_eq!(result["assessment"], id);
    assert_eq!(result["iterations"], 4000);
    assert_eq!(result["budget"], 30000.0);
    assert!(result["selected_cost"].as_f64().unwrap() <= 30000.0);
    // The hospital's loss exceedance curve: losses up, probabilities down.
    let lec = result["lec"].as_array().unwrap();
    assert!(lec.len() > 5, "{} points", lec.len());
    for pair in lec.windows(2) {
        assert!(pair[0]["loss"].as_f64() < pair[1]["loss"].as_f64());
        assert!(pair[0]["probability"].as_f64() >= pair[1]["probability"].as_f64());
    }

    // The assessment shows it, current; the same request is reused, not rerun.
    let (_, view) = get(&w.app, &format!("/api/v1/assessments/{id}/plan"), &ana).await;
    let latest = &view["latest"];
    assert_eq!(latest["stale"], false, "{view}");
    assert_eq!(latest["baseline"], result["baseline"]);
    assert_eq!(latest["input_hash"], result["input_hash"]);
    let again = finished(&w.app, &ana, start_job(&w.app, &ana, body).await).await;
    assert_eq!(again["result"]["reused"], true, "{again}");
    assert_eq!(again["result"]["actions"], result["actions"]);

    // A new answer makes the stored plan stale; a viewer reads it too.
    let (status, _) = send(&w.app, answer("PE-01", 3)).await;
    assert_eq!(status, StatusCode::OK);
    let val = login(&w.app, "val@a.example").await;
    let (_, view) = get(&w.app, &format!("/api/v1/assessments/{id}/plan"), &val).await;
    assert_eq!(view["latest"]["stale"], true, "{view}");

    // Another organisation's analyst can neither read it nor plan for it.
    let bob = login(&w.app, "bob@b.example").await;
    let (status, _) = get(&w.app, &format!("/api/v1/assessments/{id}/plan"), &bob).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = post(
        &w.app,
        "/api/v1/jobs",
        &bob,
        json!({"kind": "plan", "assessment": id}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    assert_eq!(err["field"], "assessment");
    assert_eq!(
        err["error"],
        format!("no assessment {id} in your organisation")
    );

    // Bad plan options name their field.
    for (body, code, field) in [
        (json!({"kind": "plan"}), 422, "assessment"),
        (
            json!({"kind": "plan", "assessment": "mine"}),
            422,
            "assessment",
        ),
        (
            json!({"kind": "plan", "assessment": id, "budget": -1}),
            400,
            "budget",
        ),
        (
            json!({"kind": "plan", "assessment": id, "budget": "lots"}),
            422,
            "budget",
        ),
        (
            json!({"kind": "plan", "assessment": id, "value_per_euro_avoided": -2}),
            400,
            "value_per_euro_avoided",
        ),
        (
            json!({"kind": "plan", "assessment": id, "iterations": 0}),
            400,
            "iterations",
        ),
        (
            json!({"kind": "plan", "assessment": id, "iterations": 5_000_000}),
            400,
            "iterations",
        ),
        (
            json!({"kind": "plan", "assessment": id, "model": 1}),
            422,
            "model",
        ),
    ] {
        let (status, err) = post(&w.app, "/api/v1/jobs", &ana, body.clone()).await;
        assert_eq!(status.as_u16(), code, "{body}: {err}");
        assert_eq!(err["field"], field, "{body}: {err}");
    }
}
