//! The request path at scale: an authenticated GET writes nothing to the
//! database (the session's expiry is pushed forward once per
//! `Config::touch`, not on every request), so reads run side by side on the
//! read-only connections.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use holisec_server::{AppState, Config, SESSION_COOKIE, accounts};
use holisec_store::Store;
use http_body_util::BodyExt;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-04T00:00:00Z";

/// Status and `Set-Cookie` session cookie (name=value) of a request.
async fn send(
    app: &Router,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    body: Option<String>,
) -> (StatusCode, Option<String>, Option<String>) {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    let req = match body {
        Some(b) => r
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    };
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let set = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
        .map(str::to_owned);
    let cookie = set
        .as_deref()
        .map(|v| v.split(';').next().unwrap().to_owned());
    let _ = res.into_body().collect().await.unwrap();
    (status, cookie, set)
}

#[tokio::test]
async fn an_authenticated_get_writes_nothing_between_session_touches() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let mut s = Store::open(&db).unwrap();
    accounts::create_org(&mut s, "St Mary", "healthcare-organisation", NOW).unwrap();
    accounts::create_user(&mut s, "v@a.example", "St Mary", "viewer", PASSWORD, NOW).unwrap();
    let id = s
        .new_assessment("St Mary", "hospital", "1.0", NOW)
        .unwrap()
        .id;
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let config = Config {
        // Whole seconds: the reads below take well under one, the sleep over three.
        touch: std::time::Duration::from_secs(2),
        ..Config::default()
    };
    let state = AppState::new(s, eco, q)
        .persist_sessions(&db)
        .await
        .unwrap();
    let app = holisec_server::app(state, &config);
    let login = serde_json::json!({ "email": "v@a.example", "password": PASSWORD }).to_string();
    let (status, cookie, _) = send(&app, Method::POST, "/api/v1/login", None, Some(login)).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookie.expect("a session cookie");

    // A watcher connection: `data_version` moves when anyone else commits.
    let watcher = Store::open(&db).unwrap();
    let before = watcher.data_version().unwrap();
    let reads = [
        "/api/v1/me".to_owned(),
        "/api/v1/assessments".to_owned(),
        format!("/api/v1/assessments/{id}"),
        format!("/api/v1/assessments/{id}/score"),
    ];
    for path in &reads {
        let (status, set, _) = send(&app, Method::GET, path, Some(&cookie), None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(set, None, "{path} saved the session");
    }
    assert_eq!(
        watcher.data_version().unwrap(),
        before,
        "a GET wrote to the database"
    );

    // Once `touch` has passed, the next request pushes the expiry forward:
    // one write, the same session id, a fresh Max-Age; the next one writes nothing.
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let (status, set, attrs) = send(&app, Method::GET, "/api/v1/me", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(set.as_deref(), Some(cookie.as_str()), "same session id");
    assert!(attrs.unwrap().contains("Max-Age=1800"));
    let after_touch = watcher.data_version().unwrap();
    assert_ne!(after_touch, before, "the touch was saved");
    let (_, set, _) = send(&app, Method::GET, "/api/v1/me", Some(&cookie), None).await;
    assert_eq!(set, None);
    assert_eq!(watcher.data_version().unwrap(), after_touch);
}
