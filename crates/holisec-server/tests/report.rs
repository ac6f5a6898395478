//! Report jobs on a real server (`127.0.0.1:0`, a temporary SQLite file):
//! an organisation with an answered assessment asks for its report, waits
//! for the job and downloads the HTML, which is byte for byte what
//! `holisec_report::build` and `html` give for the same inputs (so every
//! figure is the library's); another organisation gets 404 for it; an
//! organisation without an assessment gets a report without the
//! self-assessment section; bad fields answer 400 naming the field; a
//! cancelled report answers 409.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::start_server;
use holisec_report::{OrganisationInput, ReportInputs, ReportOptions};
use holisec_server::{SESSION_COOKIE, accounts};
use holisec_store::Store;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-04T00:00:00Z";

/// A status, the header lines and the body of one answer.
struct Answer {
    status: u16,
    headers: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", self.status, self.body))
    }

    /// The value of header `name` (any case).
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// One HTTP/1.1 request over a fresh connection.
fn http(addr: SocketAddr, method: &str, path: &str, cookie: &str, body: Option<&Value>) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (headers, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = headers[9..12].parse().unwrap();
    Answer {
        status,
        headers: headers.to_owned(),
        body: body.to_owned(),
    }
}

fn login(addr: SocketAddr, email: &str) -> String {
    let a = http(
        addr,
        "POST",
        "/api/v1/login",
        "",
        Some(&json!({"email": email, "password": PASSWORD})),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let prefix = format!("{SESSION_COOKIE}=");
    a.headers
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, v)| {
            let v = v.trim();
            v.starts_with(&prefix)
                .then(|| v.split(';').next().unwrap().to_owned())
        })
        .expect("a session cookie")
}

fn start_job(addr: SocketAddr, cookie: &str, body: Value) -> Value {
    let a = http(addr, "POST", "/api/v1/jobs", cookie, Some(&body));
    assert_eq!(a.status, 202, "{}", a.body);
    a.json()
}

/// Polls job `id` until it reaches a final state; its last view.
fn finished(addr: SocketAddr, cookie: &str, id: i64) -> Value {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(300) {
        let job = http(addr, "GET", &format!("/api/v1/jobs/{id}"), cookie, None).json();
        if matches!(job["state"].as_str(), Some("done" | "failed" | "cancelled")) {
            return job;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("job {id} did not finish");
}

fn download(addr: SocketAddr, cookie: &str, id: i64) -> Answer {
    http(
        addr,
        "GET",
        &format!("/api/v1/jobs/{id}/report.html"),
        cookie,
        None,
    )
}

/// St Mary (a hospital with an answered assessment) and CERT (an agency
/// without one), an analyst each; the database's path.
fn world(dir: &std::path::Path) -> (SocketAddr, std::path::PathBuf) {
    let db = dir.join("h.db");
    let mut s = Store::open(&db).unwrap();
    accounts::create_org(&mut s, "St Mary", "healthcare-organisation", NOW).unwrap();
    accounts::create_org(&mut s, "CERT", "agency-institution", NOW).unwrap();
    accounts::create_user(&mut s, "ana@a.example", "St Mary", "analyst", PASSWORD, NOW).unwrap();
    accounts::create_user(&mut s, "bob@b.example", "CERT", "analyst", PASSWORD, NOW).unwrap();
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let a = s.new_assessment("St Mary", &q.id, &q.version, NOW).unwrap();
    let answers: Vec<holisec_store::Answer> = q
        .items
        .iter()
        .enumerate()
        .map(|(k, item)| holisec_store::Answer {
            item: item.id.clone(),
            level: (k % 5) as u8,
            evidence: None,
            answered_at: Some(NOW.into()),
        })
        .collect();
    s.save_answers(a.id, &answers).unwrap();
    (start_server(s), db)
}

#[test]
fn a_report_job_gives_the_librarys_document_to_its_organisation_only() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, db) = world(dir.path());
    let ana = login(addr, "ana@a.example");
    let bob = login(addr, "bob@b.example");

    let body = json!({"kind": "report", "iterations": 20000, "seed": 3, "budget": 50000,
                      "scenario": "supplier-compromise"});
    let job = start_job(addr, &ana, body);
    let id = job["id"].as_i64().unwrap();
    assert_eq!(job["kind"], "report");
    let options = &job["options"];
    assert_eq!(options["reader"], "healthcare-organisations");
    assert_eq!(options["scenario"], "supplier-compromise");
    // The request named a seed: the scenario runs with it too (as --seed).
    assert_eq!(options["scenario_seed"], 3);
    let job = finished(addr, &ana, id);
    assert_eq!(job["state"], "done", "{job}");
    let result = &job["result"];
    assert_eq!(result["download"], format!("/api/v1/jobs/{id}/report.html"));
    // The job's JSON is a summary: the document is downloaded on its own.
    assert!(job.to_string().len() < 8_000, "{}", job.to_string().len());

    let a = download(addr, &ana, id);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(
        a.header("content-disposition"),
        Some(format!("attachment; filename=\"holisec-report-st-mary-{id}.html\"").as_str())
    );
    let html = a.body;
    assert_eq!(result["bytes"], html.len());
    assert!(html.contains("<h2 id=\"assessment-h\">Self-assessment: St Mary</h2>"));
    assert!(html.contains("id=\"simulation-h\""));

    // The same inputs through the library directly: the same bytes.
    let store = Store::open_existing_read_only(&db).unwrap();
    let model = holisec_api::model::builtin().value;
    let q = holisec_api::assess::builtin_questionnaire(&model.ecosystem)
        .unwrap()
        .value;
    let report_options = ReportOptions {
        reader: Some("healthcare-organisations".into()),
        iterations: 20000,
        seed: 3,
        budget: 50000.0,
        generated_at: Some(job["created_at"].as_str().unwrap().to_owned()),
        ..ReportOptions::default()
    };
    let organisation = OrganisationInput {
        store: &store,
        questionnaire: &q,
        name: "St Mary",
    };
    let data =
        holisec_report::read_organisation(&model.ecosystem, organisation, &report_options).unwrap();
    drop(store);
    let source = holisec_api::simulate::builtin_source("supplier-compromise").unwrap();
    let mut scenario = holisec_api::simulate::load(&model.ecosystem, source)
        .unwrap()
        .value;
    let seed = holisec_api::simulate::Overrides {
        seed: Some(3),
        ..Default::default()
    };
    holisec_api::simulate::apply(&mut scenario, &seed).unwrap();
    let inputs = ReportInputs {
        model: &model,
        scenario: Some(&scenario),
        evidence: None,
        organisation: Some((&data, &q)),
    };
    let report =
        holisec_report::build(&inputs, &report_options, 2, &holisec_api::NoProgress).unwrap();
    assert_eq!(
        html,
        holisec_report::html(&report),
        "the server's report differs"
    );
    // The job's summary carries the library's figures, and the document
    // prints them as the library formats amounts.
    let ale = report.summary.reader_ale;
    assert_eq!(result["summary"]["reader_ale"].as_f64(), Some(ale));
    assert!(html.contains(&format!("€{}", holisec_api::thousands(ale))));
    let own = report.assessment.as_ref().unwrap();
    assert_eq!(result["assessment"]["ale"].as_f64(), Some(own.ale));
    assert_eq!(result["assessment"]["organisation"], "St Mary");

    // Another organisation: the same 404 as a job that does not exist.
    let theirs = download(addr, &bob, id);
    assert_eq!(theirs.status, 404, "{}", theirs.body);
    assert_eq!(theirs.json()["error"], format!("no job {id}"));
    let missing = download(addr, &bob, 999_999);
    assert_eq!(missing.status, 404);
    let job_view = http(addr, "GET", &format!("/api/v1/jobs/{id}"), &bob, None);
    assert_eq!(job_view.status, 404);
}

#[test]
fn an_organisation_without_an_assessment_gets_a_report_without_that_section() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _db) = world(dir.path());
    let bob = login(addr, "bob@b.example");
    // A report of the default size, cancelled at once: nothing to download.
    let job = start_job(addr, &bob, json!({"kind": "report"}));
    let id = job["id"].as_i64().unwrap();
    assert_eq!(job["options"]["scenario"], holisec_report::DEFAULT_SCENARIO);
    assert_eq!(
        job["options"]["iterations"],
        holisec_report::DEFAULT_ITERATIONS
    );
    let c = http(
        addr,
        "POST",
        &format!("/api/v1/jobs/{id}/cancel"),
        &bob,
        None,
    );
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(finished(addr, &bob, id)["state"], "cancelled");
    let refused = download(addr, &bob, id);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(
        refused.json()["error"],
        format!("report job {id} is cancelled")
    );

    // The agency's own kind reads the report; no assessment, no simulation.
    let body = json!({"kind": "report", "iterations": 20000, "simulation": false});
    let job = start_job(addr, &bob, body);
    let id = job["id"].as_i64().unwrap();
    assert_eq!(job["options"]["reader"], "agencies-institutions");
    assert_eq!(job["options"]["scenario"], Value::Null);
    let job = finished(addr, &bob, id);
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["result"]["assessment"], Value::Null);
    assert_eq!(job["result"]["scenario"], Value::Null);
    let a = download(addr, &bob, id);
    assert_eq!(a.status, 200);
    assert!(!a.body.contains("id=\"assessment-h\""));
    assert!(!a.body.contains("id=\"simulation-h\""));
    assert!(a.body.contains("id=\"risk-h\""));
    assert_eq!(job["result"]["reader"], "agencies-institutions");
}

#[test]
fn a_report_job_simulates_an_uploaded_scenario_and_refuses_bad_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _db) = world(dir.path());
    let ana = login(addr, "ana@a.example");
    let bob = login(addr, "bob@b.example");
    // A tiny scenario of the organisation's: a few seconds of CPU less.
    let text = holisec_api::simulate::builtin_source("worm-killswitch")
        .unwrap()
        .text
        .replacen("days = 90", "days = 20", 1)
        .replacen("replicates = 20", "replicates = 2", 1)
        .replacen("scale = 1.0", "scale = 0.01", 1);
    let up = http(
        addr,
        "POST",
        "/api/v1/models",
        &ana,
        Some(&json!({"name": "tiny worm", "kind": "scenario", "text": text})),
    );
    assert_eq!(up.status, 201, "{}", up.body);
    let upload = up.json()["id"].as_i64().unwrap();

    for (body, status, field) in [
        (
            json!({"kind": "report", "iterations": 0}),
            400,
            "iterations",
        ),
        (
            json!({"kind": "report", "iterations": 5_000_000}),
            400,
            "iterations",
        ),
        (
            json!({"kind": "report", "scenario": "europe-phishing-ransomwar"}),
            400,
            "scenario",
        ),
        // CERT's upload id, or none at all: the same 404.
        (
            json!({"kind": "report", "scenario": 424242}),
            404,
            "scenario",
        ),
        (
            json!({"kind": "report", "scenario": "worm-killswitch", "simulation": false}),
            400,
            "scenario",
        ),
        (json!({"kind": "report", "budget": -1}), 400, "budget"),
        (
            json!({"kind": "report", "simulation": "yes"}),
            422,
            "simulation",
        ),
        (json!({"kind": "report", "model": 1}), 422, "model"),
    ] {
        let a = http(addr, "POST", "/api/v1/jobs", &ana, Some(&body));
        assert_eq!(a.status, status, "{body}: {}", a.body);
        assert_eq!(a.json()["field"], field, "{body}: {}", a.body);
    }
    // Another organisation cannot simulate St Mary's upload.
    let a = http(
        addr,
        "POST",
        "/api/v1/jobs",
        &bob,
        Some(&json!({"kind": "report", "scenario": upload})),
    );
    assert_eq!(
        (a.status, a.json()["field"].clone()),
        (404, json!("scenario"))
    );

    let job = start_job(
        addr,
        &ana,
        json!({"kind": "report", "iterations": 20000, "scenario": upload}),
    );
    let id = job["id"].as_i64().unwrap();
    assert_eq!(job["options"]["scenario"], upload);
    let job = finished(addr, &ana, id);
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["result"]["scenario"], "Worm with kill switch");
    let a = download(addr, &ana, id);
    assert_eq!(a.status, 200);
    assert!(a.body.contains("id=\"simulation-h\""));
    assert!(a.body.contains("Self-assessment: St Mary"));
}
