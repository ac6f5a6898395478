//! `holisec admin` and `holisec serve` as a user runs them.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::parts;

/// Runs `holisec` with `args` on database `db`, `stdin` as standard input.
fn run(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(args)
        .env("HOLISEC_DB", db)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("holisec runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn admin_creates_organisations_and_users_without_default_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");

    // A kind that is not the model's is refused with a suggestion, and no file is made.
    let (code, _, err) = parts(&run(
        &db,
        &[
            "admin",
            "create-org",
            "St Mary",
            "--kind",
            "healthcare-organization",
        ],
        "",
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown organisation kind"), "{err}");
    assert!(
        err.contains("did you mean `healthcare-organisation`"),
        "{err}"
    );
    assert!(!db.exists());

    let (code, out, err) = parts(&run(
        &db,
        &[
            "admin",
            "create-org",
            "St Mary",
            "--kind",
            "healthcare-organisation",
        ],
        "",
    ));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("created organisation `St Mary` (healthcare-organisation"),
        "{out}"
    );
    let (code, _, err) = parts(&run(
        &db,
        &[
            "admin",
            "create-org",
            "st mary",
            "--kind",
            "insurance-group",
        ],
        "",
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exists already"), "{err}");
    let (code, _, err) = parts(&run(
        &db,
        &[
            "admin",
            "create-org",
            "CERT",
            "--kind",
            "agency-institution",
            "--db",
            db.to_str().unwrap(),
        ],
        "",
    ));
    assert_eq!(code, 0, "{err}");

    // The password comes from standard input only; there is no default.
    let (code, _, err) = parts(&run(
        &db,
        &[
            "admin",
            "create-user",
            "ana@mary.org",
            "--org",
            "St Mary",
            "--role",
            "admin",
        ],
        "",
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--password-stdin"), "{err}");
    let create = |email: &str, org: &str, role: &str, password: &str| {
        parts(&run(
            &db,
            &[
                "admin",
                "create-user",
                email,
                "--org",
                org,
                "--role",
                role,
                "--password-stdin",
            ],
            password,
        ))
    };
    let (code, _, err) = create("ana@mary.org", "St Mary", "admin", "");
    assert_eq!(code, 2);
    assert!(err.contains("no password on standard input"), "{err}");
    let (code, _, err) = create("ana@mary.org", "St Mary", "admin", "seven77\n");
    assert_eq!(code, 2);
    assert!(err.contains("at least 8"), "{err}");
    let (code, _, err) = create("ana@mary.org", "St Mary", "admin", &"x".repeat(129));
    assert_eq!(code, 2);
    assert!(err.contains("at most 128"), "{err}");
    let (code, _, err) = create("ana@mary.org", "St Mary", "admin", "StMary2026\n");
    assert_eq!(code, 2);
    assert!(err.contains("too easy to guess"), "{err}");
    let (code, _, err) = create("ana@mary.org", "St Mary", "root", "long enough password\n");
    assert_eq!(code, 2);
    assert!(err.contains("unknown role `root`"), "{err}");
    let (code, _, err) = create(
        "ana@mary.org",
        "St Marry",
        "admin",
        "long enough password\n",
    );
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `St Mary`"), "{err}");
    let (code, _, err) = create("not-an-email", "St Mary", "admin", "long enough password\n");
    assert_eq!(code, 2);
    assert!(err.contains("not an email address"), "{err}");
    let (code, out, err) = create("Ana@Mary.org", "st mary", "admin", "long enough password\n");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("created user ana@mary.org (admin of `St Mary`"),
        "{out}"
    );
    let (code, _, err) = create("ANA@mary.org", "CERT", "viewer", "long enough password\n");
    assert_eq!(code, 2);
    assert!(err.contains("exists already"), "{err}");

    let (code, out, err) = parts(&run(&db, &["admin", "list", "--json"], ""));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["organisations"].as_array().unwrap().len(), 2);
    assert_eq!(v["users"][0]["email"], "ana@mary.org");
    assert_eq!(v["users"][0]["role"], "admin");
    assert!(!out.contains("argon2"), "no hashes listed: {out}");
    let (code, out, _) = parts(&run(&db, &["admin", "list"], ""));
    assert_eq!(code, 0);
    assert!(out.contains("CERT  (agency-institution)"), "{out}");

    // The hash is Argon2id, stored once, with the audit log of both creations.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let hash: String = conn
        .query_row("SELECT password_hash FROM users", [], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let audits: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action IN ('create-org', 'create-user')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audits, 3);
}

/// One HTTP/1.1 request on a new connection; the whole response as text.
fn http(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_answers_on_a_real_socket() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(["serve", "--db", db.to_str().unwrap(), "--bind", &addr])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let health = loop {
        if let Ok(mut s) = TcpStream::connect(&addr) {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            break out;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("{\"status\":\"ok\"}"), "{health}");
    assert!(
        health.contains("x-content-type-options: nosniff"),
        "{health}"
    );
    let me = http(
        &addr,
        "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(me.starts_with("HTTP/1.1 401"), "{me}");
    let body = "{\"email\":\"nobody@x.org\",\"password\":\"whatever1\"}";
    let login = http(
        &addr,
        &format!(
            "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(login.starts_with("HTTP/1.1 401"), "{login}");
    assert!(login.contains("email or password is wrong"), "{login}");
    let _ = child.kill();
    let _ = child.wait();
    // The database was made and migrated by `serve`.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let failed: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'login-failed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failed, 1);
}

/// Starts `holisec serve` on a free port of 127.0.0.1 and waits for `/healthz`.
/// The caller kills and waits for the child it gets.
#[allow(clippy::zombie_processes)]
fn start_server(db: &Path) -> (std::process::Child, String) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_holisec"))
        .args(["serve", "--db", db.to_str().unwrap(), "--bind", &addr])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if TcpStream::connect(&addr).is_ok() {
            let r = http(
                &addr,
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            );
            if r.starts_with("HTTP/1.1 200") {
                return (child, addr);
            }
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("server did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends `method path` with an optional cookie and JSON body; status and the whole response.
fn call(addr: &str, method: &str, path: &str, cookie: &str, body: &str) -> (u16, String) {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if !body.is_empty() {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, out)
}

fn login_cookie(addr: &str, email: &str, password: &str) -> String {
    let body = format!(r#"{{"email":"{email}","password":"{password}"}}"#);
    let (status, out) = call(addr, "POST", "/api/v1/login", "", &body);
    assert_eq!(status, 200, "{out}");
    out.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie:")
                .then(|| l[11..].trim().split(';').next().unwrap().to_owned())
        })
        .expect("a session cookie")
}

#[test]
fn a_killed_server_loses_no_acknowledged_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let ok = |args: &[&str], stdin: &str| {
        let (code, _, err) = parts(&run(&db, args, stdin));
        assert_eq!(code, 0, "{args:?}: {err}");
    };
    ok(
        &[
            "admin",
            "create-org",
            "St Mary",
            "--kind",
            "healthcare-organisation",
        ],
        "",
    );
    ok(
        &[
            "admin",
            "create-user",
            "ana@mary.org",
            "--org",
            "St Mary",
            "--role",
            "analyst",
            "--password-stdin",
        ],
        "long enough password\n",
    );
    let eco = holisec_api::model::builtin().value.ecosystem;
    let q = holisec_api::assess::builtin_questionnaire(&eco)
        .unwrap()
        .value;
    let items: Vec<String> = q.items.iter().map(|i| i.id.clone()).collect();

    let (mut server, addr) = start_server(&db);
    let cookie = login_cookie(&addr, "ana@mary.org", "long enough password");
    let (status, out) = call(&addr, "POST", "/api/v1/assessments", &cookie, "");
    assert_eq!(status, 201, "{out}");
    let id: i64 = {
        let body = &out[out.find("\r\n\r\n").unwrap() + 4..];
        serde_json::from_str::<serde_json::Value>(body).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    // Answers go in one after another while the server is killed (SIGKILL).
    let writer = {
        let (addr, cookie, items) = (addr.clone(), cookie.clone(), items.clone());
        std::thread::spawn(move || {
            let mut acknowledged = Vec::new();
            for round in 0..1000 {
                let item = &items[round % items.len()];
                let level = round % 5;
                let path = format!("/api/v1/assessments/{id}/answers/{item}");
                let Ok(mut s) = TcpStream::connect(&addr) else {
                    break;
                };
                let body = format!(r#"{{"level":{level}}}"#);
                let req = format!(
                    "PUT {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                if s.write_all(req.as_bytes()).is_err() {
                    break;
                }
                let mut out = String::new();
                let _ = s.read_to_string(&mut out);
                if !out.starts_with("HTTP/1.1 200") {
                    break;
                }
                acknowledged.push((item.clone(), level));
            }
            acknowledged
        })
    };
    std::thread::sleep(Duration::from_millis(400));
    server.kill().unwrap();
    server.wait().unwrap();
    let acknowledged = writer.join().unwrap();
    assert!(
        !acknowledged.is_empty(),
        "no answer got through before the kill"
    );

    // Restarted, the server has every acknowledged answer (the last level of each item).
    let (mut server, addr) = start_server(&db);
    // Sessions are in the database: the session of before the kill goes on.
    let (status, out) = call(&addr, "GET", "/api/v1/me", &cookie, "");
    assert_eq!(status, 200, "{out}");
    let (status, out) = call(
        &addr,
        "GET",
        &format!("/api/v1/assessments/{id}"),
        &cookie,
        "",
    );
    assert_eq!(status, 200, "{out}");
    let body = &out[out.find("\r\n\r\n").unwrap() + 4..];
    let view: serde_json::Value = serde_json::from_str(body).unwrap();
    let stored: std::collections::HashMap<String, i64> = view["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["item"].as_str().unwrap().to_owned(),
                a["level"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut last = std::collections::HashMap::new();
    for (item, level) in &acknowledged {
        last.insert(item.clone(), *level as i64);
    }
    // The request in flight at the kill may have committed a newer level unacknowledged.
    let in_flight = &items[acknowledged.len() % items.len()];
    for (item, level) in &last {
        let got = stored.get(item);
        assert!(
            got.is_some(),
            "{item} lost ({} acknowledged)",
            acknowledged.len()
        );
        if item != in_flight {
            assert_eq!(got, Some(level), "{item}");
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// The JSON body of a whole HTTP response.
fn json_body(out: &str) -> serde_json::Value {
    let body = &out[out.find("\r\n\r\n").unwrap() + 4..];
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn a_killed_server_fails_its_running_job_at_restart_and_keeps_committed_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let ok = |args: &[&str], stdin: &str| {
        let (code, _, err) = parts(&run(&db, args, stdin));
        assert_eq!(code, 0, "{args:?}: {err}");
    };
    ok(
        &[
            "admin",
            "create-org",
            "St Mary",
            "--kind",
            "healthcare-organisation",
        ],
        "",
    );
    ok(
        &[
            "admin",
            "create-user",
            "ana@mary.org",
            "--org",
            "St Mary",
            "--role",
            "analyst",
            "--password-stdin",
        ],
        "long enough password\n",
    );
    let (mut server, addr) = start_server(&db);
    let cookie = login_cookie(&addr, "ana@mary.org", "long enough password");
    // Committed data: an assessment and a finished job.
    let (status, out) = call(&addr, "POST", "/api/v1/assessments", &cookie, "");
    assert_eq!(status, 201, "{out}");
    let assessment = json_body(&out)["id"].as_i64().unwrap();
    let (status, out) = call(
        &addr,
        "POST",
        "/api/v1/jobs",
        &cookie,
        r#"{"kind":"risk","iterations":2000,"seed":3}"#,
    );
    assert_eq!(status, 202, "{out}");
    let small = json_body(&out)["id"].as_i64().unwrap();
    let wait = |id: i64, until: &dyn Fn(&str) -> bool| -> serde_json::Value {
        for _ in 0..20_000 {
            let (status, out) = call(&addr, "GET", &format!("/api/v1/jobs/{id}"), &cookie, "");
            assert_eq!(status, 200, "{out}");
            let job = json_body(&out);
            if until(job["state"].as_str().unwrap()) {
                return job;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("job {id} never reached the state awaited");
    };
    let done = wait(small, &|s| s == "done");
    // A long job, killed (SIGKILL) while it runs.
    let (status, out) = call(
        &addr,
        "POST",
        "/api/v1/jobs",
        &cookie,
        r#"{"kind":"risk","iterations":50000000}"#,
    );
    assert_eq!(status, 202, "{out}");
    let long = json_body(&out)["id"].as_i64().unwrap();
    wait(long, &|s| s == "running");
    server.kill().unwrap();
    server.wait().unwrap();

    let (mut server, addr) = start_server(&db);
    let (status, out) = call(&addr, "GET", &format!("/api/v1/jobs/{long}"), &cookie, "");
    assert_eq!(status, 200, "{out}");
    let job = json_body(&out);
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(
        job["error"],
        "the server stopped during the run; start it again"
    );
    // Nothing committed is lost: the finished job's result, the assessment.
    let (_, out) = call(&addr, "GET", &format!("/api/v1/jobs/{small}"), &cookie, "");
    assert_eq!(json_body(&out)["result"], done["result"]);
    let (status, out) = call(
        &addr,
        "GET",
        &format!("/api/v1/assessments/{assessment}"),
        &cookie,
        "",
    );
    assert_eq!(status, 200, "{out}");
    // The organisation may run a job again.
    let (status, out) = call(
        &addr,
        "POST",
        "/api/v1/jobs",
        &cookie,
        r#"{"kind":"risk","iterations":1000}"#,
    );
    assert_eq!(status, 202, "{out}");
    let _ = server.kill();
    let _ = server.wait();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'job-interrupted'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

#[test]
fn validate_and_simulate_print_the_rendering_the_server_returns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    // A model with a misspelt stakeholder kind.
    let bad = holisec_model::builtin::EUROPE_TOML.replacen(
        "kind = \"healthcare-organisation\"",
        "kind = \"healthcare-organization\"",
        1,
    );
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, &bad).unwrap();
    let name = path.display().to_string();
    let (code, _, err) = parts(&run(&db, &["validate", &name], ""));
    assert_eq!(code, 2, "{err}");
    let rejected = holisec_api::model::load_text(name.clone(), &bad).unwrap_err();
    let library = holisec_api::diagnostics::validation(
        &rejected.source,
        &rejected.diagnostics,
        false,
        false,
        false,
    );
    assert_eq!(err, library);
    // A scenario with an unknown key.
    let scenario = holisec_api::simulate::builtin_source("worm-killswitch")
        .unwrap()
        .text
        .replacen("[[campaign]]", "[[campaign]]\nbogus = 1", 1);
    let path = dir.path().join("bad-scenario.toml");
    std::fs::write(&path, &scenario).unwrap();
    let name = path.display().to_string();
    let (code, _, err) = parts(&run(&db, &["simulate", "--scenario", &name], ""));
    assert_eq!(code, 2, "{err}");
    let eco = holisec_api::model::builtin().value.ecosystem;
    let rejected =
        holisec_api::simulate::load(&eco, holisec_api::Source::new(name, scenario)).unwrap_err();
    assert_eq!(
        err,
        holisec_api::diagnostics::rejected(&rejected, false, false)
    );
}
