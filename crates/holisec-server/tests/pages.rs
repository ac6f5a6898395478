//! In-process tests of the HTML pages and their assets on the real router:
//! every page answers HTML with the strict CSP for a logged-in user and sends
//! an anonymous browser to `/login`; names and notes containing markup are
//! escaped; assets have their content types and a long cache under a
//! versioned URL; the map API filters and refuses unknown values by field.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use holisec_server::{AppState, CSP, Config, ROUTES, SESSION_COOKIE, accounts};
use holisec_store::Store;
use http_body_util::BodyExt;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-04T00:00:00Z";
const EVIL: &str = "<script>alert(1)</script> Clinic";

struct World {
    _dir: tempfile::TempDir,
    app: Router,
    assessment: i64,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("h.db")).unwrap();
    accounts::create_org(&mut s, EVIL, "healthcare-organisation", NOW).unwrap();
    accounts::create_user(
        &mut s,
        "analyst@evil.example",
        EVIL,
        "analyst",
        PASSWORD,
        NOW,
    )
    .unwrap();
    accounts::create_user(&mut s, "viewer@evil.example", EVIL, "viewer", PASSWORD, NOW).unwrap();
    // An agency, for the pages of agency-institution organisations only.
    accounts::create_org(&mut s, "CERT", "agency-institution", NOW).unwrap();
    accounts::create_user(
        &mut s,
        "viewer@cert.example",
        "CERT",
        "viewer",
        PASSWORD,
        NOW,
    )
    .unwrap();
    let assessment = s.new_assessment(EVIL, "hospital", "1.0", NOW).unwrap().id;
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    World {
        _dir: dir,
        app: holisec_server::app(AppState::new(s, eco, q), &Config::default()),
        assessment,
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn call(
    app: &Router,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    body: Option<&str>,
) -> Reply {
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
            .body(Body::from(b.to_owned()))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    };
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn login(app: &Router, email: &str) -> String {
    let body = serde_json::json!({ "email": email, "password": PASSWORD }).to_string();
    let r = call(app, Method::POST, "/api/v1/login", None, Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("a session cookie")
}

/// Every page's path, and whether only some kind of organisation may open it.
fn page_paths(w: &World) -> Vec<(String, bool)> {
    ROUTES
        .iter()
        .filter(|r| r.page)
        .map(|r| {
            let path = r.path.replace("{id}", &w.assessment.to_string());
            (path, r.org_kind.is_some())
        })
        .collect()
}

#[tokio::test]
async fn every_page_is_html_under_the_strict_csp_and_anonymous_browsers_go_to_login() {
    let w = world();
    let hospital = login(&w.app, "viewer@evil.example").await;
    let agency = login(&w.app, "viewer@cert.example").await;
    let paths = page_paths(&w);
    assert!(paths.len() >= 11, "{paths:?}");
    for (path, agency_only) in &paths {
        let cookie = if *agency_only { &agency } else { &hospital };
        let r = call(&w.app, Method::GET, path, Some(cookie), None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert_eq!(r.headers[header::CONTENT_SECURITY_POLICY], CSP);
        assert!(!CSP.contains("unsafe"));
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
        // Nothing inline for the CSP to refuse: scripts are files under /assets/.
        assert!(!r.body.contains(" style=\""), "{path}: inline style");
        assert!(!r.body.contains("<style"), "{path}: <style>");
        for (i, chunk) in r.body.split("<script").enumerate().skip(1) {
            assert!(
                chunk.starts_with(" src=\"/assets/") && chunk.contains("></script>"),
                "{path}: script {i} is not a file under /assets/: {chunk:.60}"
            );
        }
        assert!(!r.body.contains(" onclick="), "{path}: inline handler");
        if path != "/login" {
            assert!(r.body.contains("id=\"logout\""), "{path}: no logout button");
        }
        let anonymous = call(&w.app, Method::GET, path, None, None).await;
        if path == "/login" {
            assert_eq!(anonymous.status, StatusCode::OK);
        } else {
            assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(anonymous.headers[header::LOCATION], "/login");
        }
    }
}

#[tokio::test]
async fn names_and_notes_with_markup_are_escaped() {
    let w = world();
    let cookie = login(&w.app, "analyst@evil.example").await;
    let item = {
        let eco = holisec_api::model::builtin().value.ecosystem;
        holisec_api::assess::builtin_questionnaire(&eco)
            .unwrap()
            .value
            .items[0]
            .id
            .clone()
    };
    let note = r#"</textarea><script>alert("note")</script>"#;
    let body = serde_json::json!({ "level": 2, "evidence": note }).to_string();
    let path = format!("/api/v1/assessments/{}/answers/{item}", w.assessment);
    let r = call(&w.app, Method::PUT, &path, Some(&cookie), Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for path in [
        "/".to_owned(),
        "/assessments".to_owned(),
        format!("/assessments/{}", w.assessment),
    ] {
        let r = call(&w.app, Method::GET, &path, Some(&cookie), None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.body.contains("<script>alert"),
            "{path}: unescaped markup"
        );
        assert!(
            r.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62; Clinic"),
            "{path}: {}",
            &r.body[r.body.find("alert(1)").map_or(0, |i| i.saturating_sub(40))..][..120]
        );
    }
    let r = call(
        &w.app,
        Method::GET,
        &format!("/assessments/{}", w.assessment),
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        r.body
            .contains("&#60;/textarea&#62;&#60;script&#62;alert(&#34;note&#34;)"),
        "{}",
        r.body
    );
    // The stored answer is shown as given: level 2 checked.
    assert!(
        r.body
            .contains(&format!("name=\"{item}\" value=\"2\" checked"))
    );
}

#[tokio::test]
async fn other_and_missing_assessments_get_the_same_html_404() {
    let w = world();
    let cookie = login(&w.app, "viewer@evil.example").await;
    let missing = call(
        &w.app,
        Method::GET,
        "/assessments/999999",
        Some(&cookie),
        None,
    )
    .await;
    let junk = call(&w.app, Method::GET, "/assessments/abc", Some(&cookie), None).await;
    for r in [&missing, &junk] {
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(r.body.contains("404 Not Found"));
        assert_eq!(r.headers[header::CONTENT_SECURITY_POLICY], CSP);
    }
    assert_eq!(missing.body, junk.body);
    // The JSON API keeps its JSON refusals.
    let r = call(
        &w.app,
        Method::GET,
        "/api/v1/assessments/999999",
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let r = call(&w.app, Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn assets_are_served_from_memory_with_types_and_a_long_cache() {
    let w = world();
    for (file, kind) in [
        ("app.css", "text/css"),
        ("map.js", "text/javascript"),
        ("cytoscape.min.js", "text/javascript"),
        ("uPlot.iife.min.js", "text/javascript"),
        ("uPlot.min.css", "text/css"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let url = holisec_server::asset_url(file);
        let r = call(&w.app, Method::GET, &url, None, None).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(kind),
            "{url}"
        );
        assert_eq!(
            r.headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(!r.body.is_empty());
    }
    // The version is part of the URL: another one, or an unknown file, is 404.
    let stale = call(
        &w.app,
        Method::GET,
        "/assets/0000000000000000/app.css",
        None,
        None,
    )
    .await;
    assert_eq!(stale.status, StatusCode::NOT_FOUND);
    assert_eq!(stale.headers[header::CACHE_CONTROL], "no-store");
    let url = holisec_server::asset_url("../Cargo.toml");
    let r = call(&w.app, Method::GET, &url, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(
        &w.app,
        Method::GET,
        &holisec_server::asset_url("nope.js"),
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Pages link the current version.
    let login = call(&w.app, Method::GET, "/login", None, None).await;
    assert!(login.body.contains(&holisec_server::asset_url("login.js")));
}

#[tokio::test]
async fn the_map_api_filters_and_names_the_field_of_a_bad_value() {
    let w = world();
    let cookie = login(&w.app, "viewer@evil.example").await;
    let all = call(&w.app, Method::GET, "/api/v1/map", Some(&cookie), None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let all: serde_json::Value = serde_json::from_str(&all.body).unwrap();
    assert_eq!(all["stakeholders"].as_array().unwrap().len(), 11);
    let r = call(
        &w.app,
        Method::GET,
        "/api/v1/map?domain=people&motivation=crime",
        Some(&cookie),
        None,
    )
    .await;
    let some: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let nodes = some["elements"]["nodes"].as_array().unwrap();
    assert!(nodes.len() < all["elements"]["nodes"].as_array().unwrap().len());
    assert!(
        nodes
            .iter()
            .filter(|n| n["classes"] == "factor")
            .all(|n| n["data"]["domain"] == "people")
    );
    assert!(!some["attack_paths"].as_array().unwrap().is_empty());
    for (query, field) in [
        ("domain=physics", "domain"),
        ("motivation=greed", "motivation"),
    ] {
        let r = call(
            &w.app,
            Method::GET,
            &format!("/api/v1/map?{query}"),
            Some(&cookie),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(json["field"], field, "{}", r.body);
    }
    let r = call(
        &w.app,
        Method::GET,
        "/api/v1/map?colour=red",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = call(&w.app, Method::GET, "/api/v1/map", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_agency_page_and_menu_entry_are_for_agencies_only() {
    let w = world();
    let hospital = login(&w.app, "viewer@evil.example").await;
    let agency = login(&w.app, "viewer@cert.example").await;
    let r = call(&w.app, Method::GET, "/agency", Some(&hospital), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("403 Forbidden"), "{}", r.body);
    assert!(r.body.contains("agency-institution"), "{}", r.body);
    for path in ["/", "/incidents", "/organisation"] {
        let h = call(&w.app, Method::GET, path, Some(&hospital), None).await;
        assert_eq!(h.status, StatusCode::OK, "{path}");
        assert!(
            !h.body.contains("href=\"/agency\""),
            "{path}: hospital sees Agency"
        );
        assert!(h.body.contains("href=\"/incidents\""), "{path}");
        assert!(h.body.contains("href=\"/organisation\""), "{path}");
        let a = call(&w.app, Method::GET, path, Some(&agency), None).await;
        assert!(
            a.body.contains("href=\"/agency\""),
            "{path}: agency misses Agency"
        );
    }
    // The directory names organisations, escaped where pages show them.
    let r = call(&w.app, Method::GET, "/organisation", Some(&hospital), None).await;
    assert!(!r.body.contains("<script>alert"), "unescaped name");
    let d = call(
        &w.app,
        Method::GET,
        "/api/v1/organisations/directory",
        Some(&hospital),
        None,
    )
    .await;
    let list: serde_json::Value = serde_json::from_str(&d.body).unwrap();
    let first = list.as_array().unwrap()[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["id", "kind", "name"], "names and kinds only");
}
