//! The TAXII 2.1 API in process (`tower::ServiceExt::oneshot`): every route
//! with HTTP Basic, a Bearer API token or a session; TAXII refusals (401
//! with the Basic challenge, 403, 404, 406, 413, 415); paging by `next` and
//! by `added_after`; TLP isolation between organisations. The real-client
//! interop run is `tests/taxii_interop.rs`.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64ct::{Base64, Encoding};
use holisec_server::{AppState, Config, SESSION_COOKIE, accounts};
use holisec_store::{ProfileUpdate, Store};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-04T00:00:00Z";
const TAXII: &str = "application/taxii+json;version=2.1";
const ROOT: &str = "/taxii2/api/";
const SHARED: &str = "/taxii2/api/collections/shared/";

const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
const AMBER_STRICT: &str = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";

struct World {
    _dir: tempfile::TempDir,
    app: Router,
}

/// Two hospitals (A in France, B in Germany) and a French agency (C), each
/// with a viewer, an analyst and an admin.
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("h.db")).unwrap();
    for (org, kind, short, country) in [
        ("St Mary", "healthcare-organisation", "a", "FR"),
        ("St John", "healthcare-organisation", "b", "DE"),
        ("CERT", "agency-institution", "c", "FR"),
    ] {
        let o = accounts::create_org(&mut s, org, kind, NOW).unwrap();
        let profile = ProfileUpdate {
            country: Some(country.into()),
            size_band: None,
            agency_id: None,
            benchmark_opt_in: false,
        };
        s.set_sharing_profile(o.id, &profile, None, NOW).unwrap();
        for role in ["viewer", "analyst", "admin"] {
            let email = format!("{role}@{short}.example");
            accounts::create_user(&mut s, &email, org, role, PASSWORD, NOW).unwrap();
        }
    }
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let app = holisec_server::app(AppState::new(s, eco, q), &Config::default());
    World { _dir: dir, app }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: Value,
}

/// How a request authenticates.
#[derive(Clone)]
enum Auth {
    None,
    Basic(String),
    Bearer(String),
    Cookie(String),
}

fn basic(who: &str) -> Auth {
    Auth::Basic(format!("{who}.example"))
}

async fn call(
    w: &World,
    method: Method,
    path: &str,
    auth: &Auth,
    body: Option<(&str, String)>,
) -> Reply {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::ACCEPT, TAXII);
    r = match auth {
        Auth::None => r,
        Auth::Basic(email) => {
            let pair = Base64::encode_string(format!("{email}:{PASSWORD}").as_bytes());
            r.header(header::AUTHORIZATION, format!("Basic {pair}"))
        }
        Auth::Bearer(t) => r.header(header::AUTHORIZATION, format!("Bearer {t}")),
        Auth::Cookie(c) => r
            .header(header::COOKIE, c)
            .header("sec-fetch-site", "same-origin"),
    };
    let req = match body {
        Some((content_type, b)) => r
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(b))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    };
    let res = w.app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        json,
    }
}

async fn get(w: &World, path: &str, auth: &Auth) -> Reply {
    call(w, Method::GET, path, auth, None).await
}

async fn post_objects(w: &World, auth: &Auth, objects: &[Value]) -> Reply {
    let body = json!({ "objects": objects }).to_string();
    call(
        w,
        Method::POST,
        &format!("{SHARED}objects/"),
        auth,
        Some((TAXII, body)),
    )
    .await
}

fn content_type(r: &Reply) -> &str {
    r.headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn session(w: &World, email: &str) -> Auth {
    let body = json!({"email": email, "password": PASSWORD}).to_string();
    let r = call(
        w,
        Method::POST,
        "/api/v1/login",
        &Auth::None,
        Some(("application/json", body)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{SESSION_COOKIE}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .unwrap();
    Auth::Cookie(cookie)
}

fn indicator(n: usize, marking: Option<&str>) -> Value {
    let mut o = json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--6f1a2b3c-0000-4000-8000-{n:012}"),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": format!("indicator {n}"),
        "pattern": "[ipv4-addr:value = '192.0.2.1']", "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    });
    if let Some(m) = marking {
        o["object_marking_refs"] = json!([m]);
    }
    o
}

fn ids(r: &Reply, key: &str) -> Vec<String> {
    r.json[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// POSTs `body` as `content_type` to `path`.
async fn post(w: &World, path: &str, auth: &Auth, content_type: &str, body: String) -> Reply {
    call(w, Method::POST, path, auth, Some((content_type, body))).await
}

/// The id of user `email` as organisation admin `admin` lists it.
async fn user_id(w: &World, admin: &Auth, email: &str) -> i64 {
    let users = get(w, "/api/v1/users", admin).await;
    let found = users
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email);
    found.unwrap()["id"].as_i64().unwrap()
}

/// Issues a token acting as `user`.
async fn issue(w: &World, admin: &Auth, user: i64) -> Reply {
    let body = json!({"name": "misp", "user": user}).to_string();
    post(w, "/api/v1/tokens", admin, "application/json", body).await
}

#[tokio::test]
async fn discovery_api_root_and_collections_with_basic_and_a_bearer_token() {
    let w = world();
    let admin = session(&w, "admin@a.example").await;
    let viewer = user_id(&w, &admin, "viewer@a.example").await;
    let issued = issue(&w, &admin, viewer).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.json);
    let secret = issued.json["secret"].as_str().unwrap().to_owned();
    for auth in [basic("viewer@a"), Auth::Bearer(secret)] {
        let d = get(&w, "/taxii2/", &auth).await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(content_type(&d), TAXII);
        assert_eq!(d.json["api_roots"][0], ROOT);
        let root = get(&w, ROOT, &auth).await;
        assert_eq!(root.json["max_content_length"], 16 * 1024 * 1024);
        assert_eq!(root.json["versions"][0], TAXII);
        let list = get(&w, &format!("{ROOT}collections/"), &auth).await;
        let all = list.json["collections"].as_array().unwrap();
        assert_eq!(all.len(), 3);
        let read_only = |c: &Value| c["can_read"] == true && c["can_write"] == false;
        assert!(all.iter().all(read_only), "{}", list.json);
        let id = all[2]["id"].as_str().unwrap();
        let one = get(&w, &format!("{ROOT}collections/{id}/"), &auth).await;
        assert_eq!(one.json["alias"], "shared");
        let none = get(&w, &format!("{ROOT}collections/nope/"), &auth).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
        assert_eq!(content_type(&none), TAXII);
        assert_eq!(none.json["http_status"], "404");
    }
    let shared = format!("{ROOT}collections/shared/");
    let analyst = get(&w, &shared, &basic("analyst@a")).await;
    assert_eq!(analyst.json["can_write"], true);
}

#[tokio::test]
async fn api_tokens_are_shown_once_listed_without_secrets_and_revoked() {
    let w = world();
    let admin = session(&w, "admin@a.example").await;
    let viewer = user_id(&w, &admin, "viewer@a.example").await;
    let issued = issue(&w, &admin, viewer).await;
    let secret = issued.json["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    let listed = get(&w, "/api/v1/tokens", &admin).await;
    assert_eq!(listed.json.as_array().unwrap().len(), 1);
    assert!(!listed.json.to_string().contains(&secret));
    // Another organisation's admin: no token for our user, no revoking ours.
    let other = session(&w, "admin@b.example").await;
    assert_eq!(
        issue(&w, &other, viewer).await.status,
        StatusCode::NOT_FOUND
    );
    let id = issued.json["id"].as_i64().unwrap();
    let path = format!("/api/v1/tokens/{id}/revoke");
    let refused = call(&w, Method::POST, &path, &other, None).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let bearer = Auth::Bearer(secret);
    assert_eq!(get(&w, "/taxii2/", &bearer).await.status, StatusCode::OK);
    let revoked = call(&w, Method::POST, &path, &admin, None).await;
    assert_eq!(revoked.status, StatusCode::OK);
    let after = get(&w, "/taxii2/", &bearer).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(content_type(&after), TAXII);
}

#[tokio::test]
async fn unauthenticated_and_unacceptable_requests_are_taxii_errors() {
    let w = world();
    for path in ["/taxii2/", ROOT, &format!("{SHARED}objects/")] {
        let r = get(&w, path, &Auth::None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        let challenge = r.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
        assert!(challenge.starts_with("Basic "), "{challenge}");
        assert_eq!(content_type(&r), TAXII);
    }
    let wrong = Auth::Basic("viewer@a.example:nope".into());
    assert_eq!(get(&w, ROOT, &wrong).await.status, StatusCode::UNAUTHORIZED);
    let pair = Base64::encode_string(format!("analyst@a.example:{PASSWORD}").as_bytes());
    let req = Request::builder()
        .uri(ROOT)
        .header(header::ACCEPT, "application/taxii+json;version=2.0")
        .header(header::AUTHORIZATION, format!("Basic {pair}"))
        .body(Body::empty())
        .unwrap();
    let res = w.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_ACCEPTABLE);
    // Another organisation's status resource is not found, as an unknown one.
    let posted = post_objects(&w, &basic("analyst@a"), &[indicator(2, None)]).await;
    let status = format!("{ROOT}status/{}/", posted.json["id"].as_str().unwrap());
    let own = get(&w, &status, &basic("viewer@a")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json["success_count"], 1);
    let other = get(&w, &status, &basic("viewer@b")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let unknown = get(&w, &format!("{ROOT}status/nope/"), &basic("viewer@b")).await;
    assert_eq!(
        unknown.json["description"]
            .as_str()
            .map(|d| d.replace("nope", "N")),
        other.json["description"]
            .as_str()
            .map(|d| d.replace(posted.json["id"].as_str().unwrap(), "N"))
    );
}

#[tokio::test]
async fn refused_posts_are_taxii_errors() {
    let w = world();
    let analyst = basic("analyst@a");
    let objects = format!("{SHARED}objects/");
    let body = json!({"objects": [indicator(1, None)]}).to_string();
    let r = post(&w, &objects, &analyst, "application/json", body.clone()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.json);
    assert_eq!(r.json["http_status"], "415");
    let r = post(&w, &objects, &basic("viewer@a"), TAXII, body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(content_type(&r), TAXII);
    let incidents = "/taxii2/api/collections/incidents/objects/";
    let r = post(&w, incidents, &analyst, TAXII, body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);
    let many = json!({"objects": vec![json!({}); 10_001]}).to_string();
    let r = post(&w, &objects, &analyst, TAXII, many).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.json);
    let description = r.json["description"].as_str().unwrap();
    assert!(description.contains("10000"), "{description}");
    let r = post(&w, &objects, &analyst, TAXII, "{".into()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(content_type(&r), TAXII);
    // Over max_content_length (16 MiB): 413 naming the limit.
    let huge = format!(r#"{{"objects": [], "pad": "{}"}}"#, "x".repeat(17 << 20));
    let r = post(&w, &objects, &analyst, TAXII, huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.json);
    let description = r.json["description"].as_str().unwrap();
    assert!(description.contains("max_content_length"), "{description}");
}

/// Follows `next` (or `added_after` from `X-TAXII-Date-Added-Last`) at `limit=2`.
async fn page_all(w: &World, path: &str, key: &str, by_next: bool) -> Vec<String> {
    let auth = basic("viewer@a");
    let mut seen = Vec::new();
    let mut url = format!("{path}?limit=2");
    for _ in 0..100 {
        let r = get(w, &url, &auth).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.json);
        let page = ids(&r, key);
        assert!(page.len() <= 2);
        seen.extend(page);
        if r.json["more"] != true {
            return seen;
        }
        url = if by_next {
            format!("{path}?limit=2&next={}", r.json["next"].as_str().unwrap())
        } else {
            let last = r.headers["x-taxii-date-added-last"].to_str().unwrap();
            format!("{path}?limit=2&added_after={last}")
        };
    }
    panic!("paging never ended");
}

#[tokio::test]
async fn posted_objects_page_exactly_once_by_next_and_by_added_after() {
    let w = world();
    let analyst = basic("analyst@a");
    let objects: Vec<Value> = (0..7).map(|n| indicator(n, Some(GREEN))).collect();
    let r = post_objects(&w, &analyst, &objects).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    assert_eq!(content_type(&r), TAXII);
    assert_eq!(
        (
            r.json["total_count"].as_u64(),
            r.json["success_count"].as_u64()
        ),
        (Some(7), Some(7))
    );
    let expected: Vec<String> = objects
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    for by_next in [true, false] {
        let seen = page_all(&w, &format!("{SHARED}objects/"), "objects", by_next).await;
        assert_eq!(seen, expected, "objects, by next: {by_next}");
        let seen = page_all(&w, &format!("{SHARED}manifest/"), "objects", by_next).await;
        assert_eq!(seen, expected, "manifest, by next: {by_next}");
    }
    // date_added is unique, with 6 fractional digits.
    let m = get(&w, &format!("{SHARED}manifest/"), &analyst).await;
    let dates: Vec<&str> = m.json["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["date_added"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|d| d[0] < d[1]), "{dates:?}");
    // A next of other filters is refused.
    let first = get(&w, &format!("{SHARED}objects/?limit=2"), &analyst).await;
    let next = first.json["next"].as_str().unwrap();
    let r = get(
        &w,
        &format!("{SHARED}objects/?limit=2&match[type]=indicator&next={next}"),
        &analyst,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    assert_eq!(content_type(&r), TAXII);
    // One object, its versions.
    let one = format!("{SHARED}objects/{}/", expected[3]);
    assert_eq!(
        ids(&get(&w, &one, &analyst).await, "objects"),
        [expected[3].clone()]
    );
    let v = get(&w, &format!("{one}versions/"), &analyst).await;
    assert_eq!(v.json["versions"], json!(["2026-01-01T00:00:00.000Z"]));
}

#[tokio::test]
async fn red_and_amber_strict_objects_stay_with_their_organisation() {
    let w = world();
    let a = basic("analyst@a");
    let posted = post_objects(
        &w,
        &a,
        &[
            indicator(1, Some(RED)),
            indicator(2, Some(AMBER_STRICT)),
            indicator(3, Some(GREEN)),
            indicator(4, None),
        ],
    )
    .await;
    assert_eq!(posted.status, StatusCode::ACCEPTED);
    // Conflicting markings refuse that object only.
    let mut conflict = indicator(5, None);
    conflict["object_marking_refs"] = json!([RED, GREEN]);
    let r = post_objects(&w, &a, &[conflict]).await;
    assert_eq!(r.json["failure_count"], 1, "{}", r.json);
    assert!(
        r.json["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("conflicting")
    );
    let id = |n: usize| indicator(n, None)["id"].as_str().unwrap().to_owned();
    let b = basic("viewer@b");
    for listing in ["objects/", "manifest/"] {
        let seen = ids(&get(&w, &format!("{SHARED}{listing}"), &b).await, "objects");
        assert!(seen.contains(&id(3)), "{seen:?}");
        assert!(!seen.contains(&id(1)) && !seen.contains(&id(2)), "{seen:?}");
    }
    for n in [1, 2] {
        let one = format!("{SHARED}objects/{}/", id(n));
        assert_eq!(get(&w, &one, &b).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            get(&w, &format!("{one}versions/"), &b).await.status,
            StatusCode::NOT_FOUND
        );
        let by_id = get(&w, &format!("{SHARED}objects/?match[id]={}", id(n)), &b).await;
        assert!(ids(&by_id, "objects").is_empty());
        // The owner reads them.
        assert_eq!(
            get(&w, &one, &basic("viewer@a")).await.status,
            StatusCode::OK
        );
    }
    // The French agency reads A's AMBER+STRICT object and the unmarked one
    // (TLP:AMBER), never the RED one.
    let c = ids(
        &get(&w, &format!("{SHARED}objects/"), &basic("viewer@c")).await,
        "objects",
    );
    assert_eq!(c, [id(2), id(3), id(4)]);
}

#[tokio::test]
async fn incidents_and_alerts_are_stix_reports_for_allowed_organisations_only() {
    let w = world();
    let a = session(&w, "analyst@a.example").await;
    let report = json!({"date": "2026-02-14", "actor": "external", "motive": "Financial",
        "actions": ["malware.Ransomware"], "discovery": "Int - reported by employee",
        "narrative": "records server encrypted"});
    let mut made = Vec::new();
    for tlp in ["TLP:GREEN", "TLP:RED"] {
        let body = json!({"report": report, "tlp": tlp}).to_string();
        let r = call(
            &w,
            Method::POST,
            "/api/v1/incidents",
            &a,
            Some(("application/json", body)),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        made.push(r.json["incident"]["stix_id"].as_str().unwrap().to_owned());
    }
    let path = "/taxii2/api/collections/incidents/objects/";
    let own = get(&w, path, &basic("viewer@a")).await;
    assert_eq!(ids(&own, "objects"), made);
    let green = &own.json["objects"][0];
    assert_eq!(green["type"], "report");
    assert_eq!(green["report_types"], json!(["incident"]));
    assert_eq!(green["object_marking_refs"], json!([GREEN]));
    assert_eq!(green["description"], "records server encrypted");
    assert_eq!(green["x_holisec_veris"]["motive"], "Financial");
    assert_eq!(green["object_refs"][0], green["created_by_ref"]);
    let other = get(&w, path, &basic("viewer@b")).await;
    assert_eq!(ids(&other, "objects"), [made[0].clone()]);
    let single = format!("{path}{}/", made[1]);
    assert_eq!(
        get(&w, &single, &basic("viewer@b")).await.status,
        StatusCode::NOT_FOUND
    );
    // Alerts: reports of the inbox, with the alert's TLP.
    let alerts = get(
        &w,
        "/taxii2/api/collections/alerts/objects/",
        &basic("viewer@a"),
    )
    .await;
    assert_eq!(alerts.status, StatusCode::OK);
    for o in alerts.json["objects"].as_array().into_iter().flatten() {
        assert_eq!(o["report_types"], json!(["threat-report"]));
    }
}
