//! How commands open the assessment database: read-only commands never create
//! a file or directory and work on a read-only file; a refused import leaves
//! nothing behind.

mod common;

use common::{holisec, parts};

#[test]
fn reading_commands_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sub/dir/new.db");
    let db = db.to_str().unwrap();
    for args in [
        &["assess", "list", "--db", db][..],
        &["assess", "show", "1", "--db", db],
        &["assess", "score", "1", "--db", db],
        &["assess", "history", "--org", "x", "--db", db],
        &["assess", "answer", "1", "--file", "a.toml", "--db", db],
        &["db", "export", "--db", db],
        &["db", "path", "--db", db],
    ] {
        let (code, stdout, stderr) = parts(&holisec(args, Some(dir.path())));
        if args[1] == "path" {
            assert_eq!(code, 0, "{stderr}");
            assert!(stdout.contains("new.db"), "{stdout}");
        } else {
            assert_eq!(code, 2, "{args:?}: {stderr}");
            assert!(stderr.contains("no database"), "{args:?}: {stderr}");
        }
        assert!(
            !dir.path().join("sub").exists(),
            "{args:?} created a directory"
        );
    }
}

#[test]
fn a_read_only_database_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let db_s = db.to_str().unwrap();
    let (code, _, stderr) = parts(&holisec(
        &["assess", "new", "--org", "H", "--db", db_s],
        None,
    ));
    assert_eq!(code, 0, "{stderr}");
    let before = std::fs::read(&db).unwrap();
    let mut perms = std::fs::metadata(&db).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&db, perms).unwrap();
    let (code, stdout, stderr) = parts(&holisec(&["assess", "list", "--db", db_s], None));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(" H "), "{stdout}");
    let (code, stdout, stderr) = parts(&holisec(&["db", "export", "--db", db_s], None));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("\"format\": \"holisec-db\""), "{stdout}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "reads leave the file as it was"
    );
}

#[test]
fn a_refused_import_leaves_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let db_s = db.to_str().unwrap();
    let (code, _, stderr) = parts(&holisec(
        &["assess", "new", "--org", "H", "--db", db_s],
        None,
    ));
    assert_eq!(code, 0, "{stderr}");
    let (code, json, stderr) = parts(&holisec(&["db", "export", "--db", db_s], None));
    assert_eq!(code, 0, "{stderr}");
    let mut dump: serde_json::Value = serde_json::from_str(&json).unwrap();
    dump["assessments"][0]["answers"] = serde_json::json!([
        {"item": "ZZ-99", "level": 2, "evidence": null, "answered_at": "2026-12-04T10:00:00Z"}
    ]);
    dump["assessments"][0]["answered"] = serde_json::json!(1);
    let file = dir.path().join("dump.json");
    std::fs::write(&file, serde_json::to_string(&dump).unwrap()).unwrap();
    let new_db = dir.path().join("restored.db");
    let (code, _, stderr) = parts(&holisec(
        &[
            "db",
            "import",
            file.to_str().unwrap(),
            "--db",
            new_db.to_str().unwrap(),
        ],
        None,
    ));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("ZZ-99"), "{stderr}");
    assert!(!new_db.exists(), "a refused import creates no database");
}
