//! The OpenAPI document against the real server: a server on `127.0.0.1:0`
//! with a temporary database, one logged-in organisation admin, and
//! `schemathesis` (PyPI, in the project venv that `scripts/test.sh` makes)
//! generating requests from `GET /api/v1/openapi.json` with every check:
//! no 5xx, statuses, content types and bodies as documented, schema-valid
//! input accepted, schema-invalid input refused, no request without the
//! session cookie accepted.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Command;

use common::start_server;
use holisec_server::{SESSION_COOKIE, accounts};
use holisec_store::Store;

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-04T00:00:00Z";

/// `schemathesis` from `HOLISEC_VENV`, the repository's `.venv`, or PATH;
/// `None` when missing and tools are not required.
fn schemathesis() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(venv) = std::env::var_os("HOLISEC_VENV") {
        candidates.push(PathBuf::from(venv).join("bin/schemathesis"));
    }
    candidates.push(root.join(".venv/bin/schemathesis"));
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|p| p.join("schemathesis")));
    }
    if let Some(found) = candidates.into_iter().find(|p| p.is_file()) {
        return Some(found);
    }
    assert!(
        std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() != Ok("1"),
        "`schemathesis` is required (HOLISEC_REQUIRE_TOOLS=1) but was not found; run scripts/test.sh"
    );
    eprintln!("skipping: `schemathesis` not found (scripts/test.sh installs it)");
    None
}

/// One HTTP/1.1 request over a fresh connection; the status line, headers
/// and body of the answer.
fn http(addr: SocketAddr, head: &str, body: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "{head}\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (headers, body) = answer.split_once("\r\n\r\n").unwrap();
    (headers.to_owned(), body.to_owned())
}

#[test]
fn the_api_answers_as_its_openapi_document_says() {
    let Some(schemathesis) = schemathesis() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.db")).unwrap();
    accounts::create_org(&mut store, "St Mary", "healthcare-organisation", NOW).unwrap();
    accounts::create_org(&mut store, "CERT", "agency-institution", NOW).unwrap();
    accounts::create_user(
        &mut store,
        "admin@a.example",
        "St Mary",
        "admin",
        PASSWORD,
        NOW,
    )
    .unwrap();
    accounts::create_user(
        &mut store,
        "viewer@a.example",
        "St Mary",
        "viewer",
        PASSWORD,
        NOW,
    )
    .unwrap();
    accounts::create_user(
        &mut store,
        "admin@b.example",
        "CERT",
        "admin",
        PASSWORD,
        NOW,
    )
    .unwrap();
    store
        .new_assessment("St Mary", "hospital", "1.0", NOW)
        .unwrap();
    store
        .new_assessment("CERT", "hospital", "1.0", NOW)
        .unwrap();
    let addr = start_server(store);

    let (headers, body) = http(
        addr,
        "POST /api/v1/login HTTP/1.1\r\nContent-Type: application/json",
        &format!(r#"{{"email": "admin@a.example", "password": "{PASSWORD}"}}"#),
    );
    assert!(headers.starts_with("HTTP/1.1 200"), "{headers}\n{body}");
    let prefix = format!("set-cookie: {SESSION_COOKIE}=");
    let cookie = headers
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with(&prefix.to_ascii_lowercase())
                .then(|| l[prefix.len()..].split(';').next().unwrap().to_owned())
        })
        .expect("a session cookie");

    // The document is for logged-in users only: fetch it with the session,
    // then hand schemathesis the file and the server's address.
    let (headers, _) = http(addr, "GET /api/v1/openapi.json HTTP/1.1", "");
    assert!(headers.starts_with("HTTP/1.1 401"), "{headers}");
    let (headers, document) = http(
        addr,
        &format!("GET /api/v1/openapi.json HTTP/1.1\r\nCookie: {SESSION_COOKIE}={cookie}"),
        "",
    );
    assert!(headers.starts_with("HTTP/1.1 200"), "{headers}");
    let parsed: serde_json::Value = serde_json::from_str(&document).unwrap();
    assert_eq!(parsed["openapi"], "3.1.0");
    let schema = dir.path().join("openapi.json");
    std::fs::write(&schema, &document).unwrap();
    // The session cookie as the document's security scheme, so that
    // schemathesis also checks that requests without it are refused.
    let config = dir.path().join("schemathesis.toml");
    std::fs::write(
        &config,
        format!(
            "[auth.openapi.session_cookie]\napi_key = \"{cookie}\"\n\n\
             # A new user's password must also be hard to guess (zxcvbn),\n\
             # which no JSON Schema can say: a schema-valid `00000000` is\n\
             # refused with 400 on purpose (in every phase, stateful included).\n\
             [checks.positive_data_acceptance]\n\
             expected-statuses = [\"2XX\", \"3XX\", 401, 403, 404, 409, 429]\n\
             [[operations]]\ninclude-operation-id = \"post_api_v1_users\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 400, 409]\n\
             # Random text is rarely a valid model: a schema-valid upload is\n\
             # refused with 422 and the file's diagnostics, and a model id that is\n# not the organisation's with 404, on purpose.\n\
             [[operations]]\ninclude-operation-id = \"post_api_v1_models\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 404, 409, 422]\n\
             # Only the real current password changes it: anything else is 400.\n\
             [[operations]]\ninclude-operation-id = \"post_api_v1_me_password\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 400, 429]\n\
             [[operations]]\ninclude-operation-id = \"post_api_v1_incidents\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 400]\n\
             [[operations]]\ninclude-operation-id = \"put_api_v1_incidents_id\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 400, 404, 409]\n\
             [[operations]]\ninclude-operation-id = \"put_api_v1_incidents_id_tlp\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 403, 404, 409]\n\
             [[operations]]\ninclude-operation-id = \"put_api_v1_organisation_sharing\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 400]\n\
             [[operations]]\ninclude-operation-id = \"post_api_v1_incidents_import\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 400, 422]\n\
             [[operations]]\ninclude-operation-id = \"post_api_v1_alerts\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 400, 403, 404]\n\
             [[operations]]\ninclude-operation-id = \"get_api_v1_assessments_id_benchmark\"\n\
             checks.positive_data_acceptance.expected-statuses = [\"2XX\", 400, 404]\n"
        ),
    )
    .unwrap();

    let out = Command::new(schemathesis)
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(&schema)
        .args(["--url", &format!("http://{addr}")])
        .args(["--checks", "all"])
        // Logging out would end the session the rest of the run uses.
        .args(["--exclude-path", "/api/v1/logout"])
        // Starting jobs would compute for minutes in the test's time;
        // tests/jobs.rs drives them.
        .args(["--exclude-operation-id", "post_api_v1_jobs"])
        .args([
            "--max-examples",
            "40",
            "--seed",
            "20261204",
            "--workers",
            "1",
        ])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{stderr}"
    );
    // It really ran the operations (a run that tested nothing also exits 0).
    assert!(stdout.contains("Tested: "), "{stdout}");
    let tested = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("Tested: "))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    assert!(tested >= 11, "only {tested} operations tested:\n{stdout}");
    // And it ran them logged in: writes only an authenticated admin can make
    // are in the audit log (a run refused with 401 everywhere would pass the
    // checks above).
    let log = Store::open(&dir.path().join("h.db"))
        .unwrap()
        .audit_log(None)
        .unwrap();
    let by_admin = |action: &str| {
        log.iter()
            .filter(|e| e.action == action && e.user_id == Some(1))
            .count()
    };
    assert!(by_admin("create-assessment") > 0, "{} entries", log.len());
    assert!(by_admin("create-user") > 0, "{} entries", log.len());
    // Nothing was done in the other organisation after the set-up.
    let elsewhere: Vec<_> = log
        .iter()
        .filter(|e| e.organisation_id == Some(2) && e.user_id.is_some())
        .collect();
    assert!(elsewhere.is_empty(), "{elsewhere:?}");
    let summary = stdout
        .rfind("SUMMARY")
        .map_or(&stdout[..], |at| &stdout[at..]);
    eprintln!("{summary}");
}
