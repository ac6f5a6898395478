//! The TAXII 2.1 API against real clients: a server on `127.0.0.1:0` with a
//! temporary database and two organisations, and the interop suite of
//! `tests-py/taxii_interop` (raw `requests`, the OASIS `taxii2-client` and
//! `stix2`) run with `TAXII_STRICT=1` and a second organisation's user for
//! the isolation check. Every check must pass.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::start_server;
use holisec_server::accounts;
use holisec_store::{ProfileUpdate, Store};

const PASSWORD: &str = "correct horse battery";
const NOW: &str = "2026-12-04T00:00:00Z";

/// A Python with `taxii2client`, `stix2` and `requests`: from `HOLISEC_VENV`
/// or the repository's `.venv`; `None` when missing and tools are not required.
fn python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(venv) = std::env::var_os("HOLISEC_VENV") {
        candidates.push(PathBuf::from(venv).join("bin/python"));
    }
    candidates.push(root.join(".venv/bin/python"));
    let usable = |p: &PathBuf| {
        p.is_file()
            && Command::new(p)
                .args(["-c", "import taxii2client, stix2, requests"])
                .status()
                .is_ok_and(|s| s.success())
    };
    if let Some(found) = candidates.into_iter().find(usable) {
        return Some(found);
    }
    assert!(
        std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() != Ok("1"),
        "a Python with taxii2-client and stix2 is required (HOLISEC_REQUIRE_TOOLS=1) but was not found; run scripts/test.sh"
    );
    eprintln!("skipping: no Python with taxii2-client and stix2 (scripts/test.sh installs them)");
    None
}

/// Two hospitals in different countries, an analyst in each.
fn store(path: &std::path::Path) -> Store {
    let mut s = Store::open(path).unwrap();
    for (org, short, country) in [("St Mary", "a", "FR"), ("St John", "b", "DE")] {
        let o = accounts::create_org(&mut s, org, "healthcare-organisation", NOW).unwrap();
        let profile = ProfileUpdate {
            country: Some(country.into()),
            size_band: None,
            agency_id: None,
            benchmark_opt_in: false,
        };
        s.set_sharing_profile(o.id, &profile, None, NOW).unwrap();
        let email = format!("analyst@{short}.example");
        accounts::create_user(&mut s, &email, org, "analyst", PASSWORD, NOW).unwrap();
    }
    s
}

#[test]
fn two_clients_use_the_taxii_api() {
    let Some(python) = python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(store(&dir.path().join("h.db")));
    let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests-py");
    let shared = holisec_api::taxii::CollectionKind::Shared.id();
    let out = Command::new(python)
        .args(["-m", "taxii_interop"])
        .current_dir(&suite)
        .env("TAXII_DISCOVERY_URL", format!("http://{addr}/taxii2/"))
        .env("TAXII_USER", "analyst@a.example")
        .env("TAXII_PASSWORD", PASSWORD)
        .env("TAXII_WRITE_COLLECTION", &shared)
        .env("TAXII_OTHER_USER", "analyst@b.example")
        .env("TAXII_OTHER_PASSWORD", PASSWORD)
        .env("TAXII_STRICT", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the interop suite failed:\n{text}");
    // Every check ran (strict mode and the other user skip none) and passed.
    let refused = |l: &&str| l.starts_with("FAIL") || l.starts_with("skipped");
    assert!(!text.lines().any(|l| refused(&l)), "{text}");
    assert!(text.contains(" ok, 0 failed, 0 skipped"), "{text}");
}
