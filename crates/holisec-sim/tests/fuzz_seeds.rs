//! Stable regression test for the fuzz target `scenario_loader`: every file
//! of the committed seed corpus `fuzz/seeds/scenario_loader/` goes through
//! the function the libFuzzer target calls (`holisec_sim::fuzz`), so `cargo
//! test` checks the tricky inputs (invalid UTF-8, a BOM and CRLF line ends,
//! arrays nested thousands deep, NUL bytes, truncated files, extreme values)
//! without nightly Rust. Inputs that libFuzzer finds later belong there too.

use std::path::{Path, PathBuf};

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/scenario_loader")
}

#[test]
fn scenario_loader_seeds() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(seed_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 8, "only {} seeds", files.len());
    let mut failed = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| {
            holisec_sim::fuzz::scenario_loader(&bytes);
        })
        .is_err()
        {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "scenario_loader panicked on: {failed:?}");
}

/// The seeds reach what they are named after: the valid ones load, the one
/// naming organisations that exist at the fuzzing scale runs to a report,
/// the broken ones are refused with errors.
#[test]
fn scenario_seeds_reach_their_code_paths() {
    use holisec_sim::fuzz::{Reached, scenario_loader};
    let bytes = std::fs::read(seed_dir().join("run-small-ids.toml")).unwrap();
    assert_eq!(scenario_loader(&bytes), Reached::Ran);
    let bytes = std::fs::read(seed_dir().join("replay-supplier-clients.toml")).unwrap();
    // supplier-0050 does not exist at the fuzzing scale.
    assert_eq!(scenario_loader(&bytes), Reached::SettingsRefused);
    let eco = holisec_model::builtin::europe().ecosystem.unwrap();
    let load = |name: &str| {
        let bytes = std::fs::read(seed_dir().join(name)).unwrap();
        holisec_sim::load_scenario(&String::from_utf8_lossy(&bytes), &eco)
    };
    for valid in [
        "replay-supplier-clients.toml",
        "replay-one-hospital.toml",
        "worm.toml",
        "bom-crlf.toml",
        "extreme-values.toml",
        "run-small-ids.toml",
    ] {
        let loaded = load(valid);
        assert!(!loaded.has_errors(), "{valid}: {:?}", loaded.diagnostics);
    }
    let clients = load("replay-supplier-clients.toml").scenario.unwrap();
    assert!(clients.organisations[0].clients.is_some());
    let extreme = load("extreme-values.toml").scenario.unwrap();
    assert_eq!((extreme.days, extreme.organisations.len()), (3650, 2));
    for broken in [
        "bad-organisation-clients.toml",
        "bad-unknown-keys.toml",
        "deep-arrays.toml",
        "invalid-utf8.toml",
        "multibyte-errors.toml",
        "nul-byte.toml",
        "truncated.toml",
    ] {
        assert!(load(broken).has_errors(), "{broken} loads");
    }
}
