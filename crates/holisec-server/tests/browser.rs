//! The pages in a real browser: a real server on `127.0.0.1:0` over a
//! temporary SQLite file with four organisations (two FR hospitals, their
//! supplier and an FR agency), driven by Debian's
//! `chromium` through `playwright-core` (`tests-js/browser-check.mjs`, one
//! browser for the whole file). The script logs in, answers part of an
//! assessment, reloads and finds the answers, clicks a stakeholder on the
//! map, downloads the organisation's report from the dashboard (a `report`
//! job), runs risk when the jobs API is there, and fails to reach the other
//! organisation's assessment; then shares: St Mary reports incidents under
//! AMBER, GREEN and RED naming the supplier, St Luke (the supplier's other
//! client) acknowledges the alert on its dashboard and never sees the RED
//! report, the agency finds the reports counted on `/agency`, and the peer
//! benchmark of St Mary's assessment is not shown below k; St Mary withdraws
//! a report, relabels another and its admin saves the sharing profile. Any console
//! error or CSP violation fails it.
//! Screenshots of every page are written to
//! `target/tmp/browser-screenshots/` (printed).
//!
//! Needs `chromium` and `node` on PATH and `tests-js/node_modules`
//! (`npm ci` in `tests-js`): when one is missing the test fails under
//! `HOLISEC_REQUIRE_TOOLS=1`, and otherwise prints why and returns.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use holisec_server::{AppState, Config, accounts};
use holisec_store::Store;

const TESTS_JS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests-js");
const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-04T00:00:00Z";

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Node, chromium and the script, or `None` (after saying why) when missing.
fn tools() -> Option<(PathBuf, PathBuf, PathBuf)> {
    let script = Path::new(TESTS_JS).join("browser-check.mjs");
    let modules = Path::new(TESTS_JS)
        .join("node_modules")
        .join("playwright-core");
    let found = (on_path("node"), on_path("chromium"));
    let missing = match &found {
        (None, _) => Some("node not found on PATH".to_owned()),
        (_, None) => Some("chromium not found on PATH (apt-get install chromium)".to_owned()),
        _ if !modules.is_dir() => Some(format!(
            "{} missing (run `npm ci` in tests-js)",
            modules.display()
        )),
        _ => None,
    };
    if let Some(why) = missing {
        assert!(
            std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "HOLISEC_REQUIRE_TOOLS=1 but {why}"
        );
        eprintln!("skipped: {why}");
        return None;
    }
    let (Some(node), Some(chromium)) = found else {
        return None;
    };
    Some((node, chromium, script))
}

/// The sharing world around St Mary and CERT, all in FR: a supplier,
/// MedSoft, used by St Mary and by a second hospital, St Luke (with an
/// analyst); St Mary takes part in peer benchmarks (alone, so below k).
fn sharing_world(s: &mut Store) {
    accounts::create_org(s, "MedSoft", "solution-provider", NOW).unwrap();
    accounts::create_org(s, "St Luke", "healthcare-organisation", NOW).unwrap();
    accounts::create_user(
        s,
        "ciso@stluke.example",
        "St Luke",
        "analyst",
        PASSWORD,
        NOW,
    )
    .unwrap();
    accounts::create_user(s, "admin@stmary.example", "St Mary", "admin", PASSWORD, NOW).unwrap();
    let id = |s: &Store, name: &str| s.organisation_by_name(name).unwrap().unwrap().id;
    let medsoft = id(s, "MedSoft");
    // The supplier is French too: alerts about it go through the FR agency.
    for (name, opt_in) in [
        ("St Mary", true),
        ("St Luke", false),
        ("CERT", false),
        ("MedSoft", false),
    ] {
        let org = id(s, name);
        let profile = holisec_store::ProfileUpdate {
            country: Some("FR".into()),
            size_band: Some("medium".into()),
            agency_id: None,
            benchmark_opt_in: opt_in,
        };
        s.set_sharing_profile(org, &profile, None, NOW).unwrap();
        if name.starts_with("St ") {
            s.set_suppliers(org, &[medsoft], None, NOW).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_organisations_use_the_pages_in_chromium() {
    let Some((node, chromium, script)) = tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let mut s = Store::open(&db).unwrap();
    accounts::create_org(&mut s, "St Mary", "healthcare-organisation", NOW).unwrap();
    accounts::create_org(&mut s, "CERT", "agency-institution", NOW).unwrap();
    accounts::create_user(
        &mut s,
        "ciso@stmary.example",
        "St Mary",
        "analyst",
        PASSWORD,
        NOW,
    )
    .unwrap();
    accounts::create_user(
        &mut s,
        "analyst@cert.example",
        "CERT",
        "analyst",
        PASSWORD,
        NOW,
    )
    .unwrap();
    let assessment = s
        .new_assessment("St Mary", "hospital", "1.0", NOW)
        .unwrap()
        .id;
    sharing_world(&mut s);
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let config = Config {
        session_db: Some(db.clone()),
        ..Config::default()
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let state = AppState::new(s, eco, q);
    tokio::spawn(holisec_server::serve(
        state,
        config,
        "127.0.0.1:0".parse().unwrap(),
        move |addr| {
            let _ = tx.send(addr);
        },
    ));
    let addr = rx.await.expect("the server started");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    eprintln!("screenshots in {}", shots.display());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(node)
            .arg(script)
            .current_dir(TESTS_JS)
            .env("HOLISEC_URL", format!("http://{addr}"))
            .env("HOLISEC_CHROMIUM", chromium)
            .env("HOLISEC_SHOTS", &shots)
            .env("HOLISEC_USER_A", "ciso@stmary.example")
            .env("HOLISEC_USER_B", "analyst@cert.example")
            .env("HOLISEC_PASSWORD", PASSWORD)
            .env("HOLISEC_ASSESSMENT_A", assessment.to_string())
            .env("HOLISEC_USER_C", "ciso@stluke.example")
            .env("HOLISEC_ADMIN_A", "admin@stmary.example")
            .env("HOLISEC_SUPPLIER", "MedSoft")
            .output()
            .expect("run node")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the browser check failed:\n{stdout}");
    assert!(stdout.contains("ok: organisation B gets the 404 page"));
    assert!(stdout.contains("ok: computed the hospital's risk and plan"));
    assert!(stdout.contains("ok: downloaded the organisation's report from the dashboard"));
    assert!(stdout.contains("ok: the insurer's portfolio drew its two curves"));
    assert!(stdout.contains("ok: the supplier's other client acknowledged the alert"));
    assert!(stdout.contains("ok: the RED report is absent from St Luke's incidents"));
    assert!(stdout.contains("ok: the agency counts the reports it may see"));
    assert!(stdout.contains("ok: the peer benchmark is not shown below k"));
    assert!(stdout.contains("ok: St Mary's admin saved the profile"));
    assert!(stdout.contains("ok: a withdrawn report leaves the list"));
    assert!(stdout.contains("ok: the owner relabels its report AMBER+STRICT"));
    assert!(stdout.contains("ok: the owner edits its report: a new version, 3 in its history"));
    let s = Store::open(&db).unwrap();
    let mary = s.organisation_by_name("St Mary").unwrap().unwrap().id;
    let profile = s.sharing_record(mary).unwrap().unwrap();
    assert_eq!(profile.size_band.as_deref(), Some("large"));
    assert!(profile.benchmark_opt_in && profile.suppliers.len() == 1);
    drop(s);
    // What the browser saved is in the database: three answers, the plan
    // computed with them, then a fourth answer.
    let s = Store::open(&db).unwrap();
    let answers = s.answers(assessment).unwrap();
    assert_eq!(answers.len(), 4, "{answers:?}");
    let plan = s.latest_risk_run(assessment).unwrap().expect("the plan");
    assert_eq!(plan.iterations, 2000);
    assert_eq!(plan.results["budget"], 40000.0);
    assert!(answers.iter().any(|a| {
        a.evidence
            .as_deref()
            .is_some_and(|e| e.contains("<b>not bold</b>"))
    }));
}
