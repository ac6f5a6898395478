//! STIX 2.1 export and import: determinism, round trip, the OASIS validator, bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use holisec_exchange::stix::{self, ExportOptions};
use holisec_model::wire::ModelFile;
use serde_json::{Value, json};

const SMALL: &str = include_str!("data/small-model.toml");

fn model_file(text: &str) -> ModelFile {
    let loaded = holisec_model::load_str(text);
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(loaded.ecosystem.is_some());
    loaded.file.unwrap()
}

fn builtin_file() -> ModelFile {
    let loaded = holisec_model::builtin::europe();
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| &d.message)
        .collect();
    assert!(
        errors.is_empty(),
        "the built-in model does not load: {errors:?}"
    );
    loaded.file.unwrap()
}

fn export(file: &ModelFile) -> String {
    stix::export(file, &ExportOptions::default()).unwrap()
}

fn round_trip(file: &ModelFile) {
    let first = export(file);
    let imported = stix::import(first.as_bytes()).unwrap();
    assert_eq!(
        imported.skipped_total(),
        0,
        "{:?} {:?}",
        imported.skipped,
        imported.dangling
    );
    let second = export(&imported.file);
    assert_eq!(
        first, second,
        "export -> import -> export changed the bundle"
    );
    // Through TOML as well: the imported model is a valid model file.
    let toml_text = holisec_exchange::model_to_toml(&imported.file).unwrap();
    let reloaded = holisec_model::load_str(&toml_text);
    assert!(
        !reloaded.has_errors(),
        "{:?}\n{toml_text}",
        reloaded.diagnostics
    );
    assert_eq!(export(&reloaded.file.unwrap()), first);
}

#[test]
fn export_import_export_is_byte_identical() {
    round_trip(&model_file(SMALL));
}

#[test]
fn builtin_model_round_trips() {
    round_trip(&builtin_file());
}

#[test]
fn export_is_deterministic_and_maps_the_model() {
    let file = model_file(SMALL);
    let text = export(&file);
    assert_eq!(text, export(&file));
    let bundle: Value = serde_json::from_str(&text).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    let of_type = |t: &str| {
        objects
            .iter()
            .filter(|o| o["type"] == t)
            .collect::<Vec<_>>()
    };
    // 1 creator + 4 stakeholders; 2 extension definitions; 1 grouping; 5 factors; 4 threats; 2 supports.
    assert_eq!(of_type("identity").len(), 5);
    assert_eq!(of_type("extension-definition").len(), 2);
    assert_eq!(of_type("grouping").len(), 1);
    assert_eq!(of_type(stix::FACTOR_TYPE).len(), 5);
    assert_eq!(of_type("threat-actor").len(), 4);
    assert_eq!(of_type("course-of-action").len(), 2);
    // 4 relations + (2 + 1 + 1 + 1 targets) + (4 + 2 + 2 + 1 exploits) + (1 + 2 mitigates).
    assert_eq!(of_type("relationship").len(), 4 + 5 + 9 + 3);
    for o in objects {
        assert_eq!(o["created"], stix::DEFAULT_TIMESTAMP);
        let id = o["id"].as_str().unwrap();
        let (prefix, uuid) = id.split_once("--").unwrap();
        assert_eq!(prefix, o["type"]);
        assert_eq!(uuid::Uuid::parse_str(uuid).unwrap().get_version_num(), 5);
    }
    let hospitals = objects.iter().find(|o| o["name"] == "Hospitals").unwrap();
    assert_eq!(hospitals["sectors"], json!(["healthcare"]));
    assert_eq!(hospitals["identity_class"], "class");
    let crime = objects
        .iter()
        .find(|o| o["name"] == "Ransomware and extortion")
        .unwrap();
    assert_eq!(crime["primary_motivation"], "personal-gain");
    let war = objects
        .iter()
        .find(|o| o["name"] == "State sabotage")
        .unwrap();
    assert_eq!(war["primary_motivation"], "dominance");
    let factor_ext = of_type("extension-definition")[0];
    assert_eq!(factor_ext["extension_types"], json!(["new-sdo"]));
    let factor = of_type(stix::FACTOR_TYPE)[0];
    assert_eq!(
        factor["extensions"][factor_ext["id"].as_str().unwrap()]["extension_type"],
        "new-sdo"
    );
    // Another timestamp changes every created/modified and nothing else.
    let later = stix::export(
        &file,
        &ExportOptions::with_timestamp("2027-05-01T10:00:00Z").unwrap(),
    )
    .unwrap();
    assert_eq!(
        later.replace("2027-05-01T10:00:00.000Z", stix::DEFAULT_TIMESTAMP),
        text
    );
}

/// The OASIS validator from `$HOLISEC_VENV/bin`, `./.venv/bin` or PATH.
fn stix2_validator() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(venv) = std::env::var_os("HOLISEC_VENV") {
        candidates.push(PathBuf::from(venv).join("bin/stix2_validator"));
    }
    candidates.push(root.join(".venv/bin/stix2_validator"));
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|p| p.join("stix2_validator")));
    }
    if let Some(found) = candidates.into_iter().find(|p| p.is_file()) {
        return Some(found);
    }
    if std::env::var("HOLISEC_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("stix2_validator not found (pip install stix2-validator into $HOLISEC_VENV)");
    }
    eprintln!(
        "skipped: stix2_validator not found; install it with `python3 -m venv .venv && .venv/bin/pip install stix2-validator`"
    );
    None
}

fn validate(validator: &Path, name: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let out = Command::new(validator).arg(&path).output().unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "stix2_validator rejected {name}:\n{report}"
    );
    assert!(report.contains("STIX JSON: Valid"), "{report}");
    assert!(!report.contains("[X]"), "{report}");
}

#[test]
fn the_oasis_validator_accepts_the_exports() {
    let Some(validator) = stix2_validator() else {
        return;
    };
    validate(&validator, "europe.json", &export(&builtin_file()));
    validate(&validator, "small.json", &export(&model_file(SMALL)));
}

/// The export of the small model with extra objects from a real-looking feed.
fn with_foreign_objects() -> (String, Value) {
    let text = export(&model_file(SMALL));
    let mut bundle: Value = serde_json::from_str(&text).unwrap();
    let threat = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type"] == "threat-actor")
        .unwrap()["id"]
        .clone();
    let extra = json!([
        {"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:WHITE", "definition": {"tlp": "white"}},
        {"type": "malware", "spec_version": "2.1", "id": "malware--11111111-1111-4111-8111-111111111111", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "LockBit", "is_family": true},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--22222222-2222-4222-8222-222222222222", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "pattern": "[file:name = 'x']", "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"},
        {"type": "x-vendor-thing", "id": "x-vendor-thing--33333333-3333-4333-8333-333333333333"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--44444444-4444-4444-8444-444444444444", "relationship_type": "indicates", "source_ref": "indicator--22222222-2222-4222-8222-222222222222", "target_ref": "malware--11111111-1111-4111-8111-111111111111"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--55555555-5555-4555-8555-555555555555", "relationship_type": "uses", "source_ref": threat, "target_ref": "malware--11111111-1111-4111-8111-111111111111"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--66666666-6666-4666-8666-666666666666", "relationship_type": "targets", "source_ref": threat, "target_ref": "identity--77777777-7777-4777-8777-777777777777"},
        17,
        {"no": "type"}
    ]);
    bundle["objects"]
        .as_array_mut()
        .unwrap()
        .extend(extra.as_array().unwrap().iter().cloned());
    (text, bundle)
}

#[test]
fn unrelated_objects_are_skipped_and_counted() {
    let (original, bundle) = with_foreign_objects();
    let imported = stix::import(bundle.to_string().as_bytes()).unwrap();
    assert_eq!(imported.skipped["marking-definition"], 1);
    assert_eq!(imported.skipped["malware"], 1);
    assert_eq!(imported.skipped["indicator"], 1);
    assert_eq!(imported.skipped["x-vendor-thing"], 1);
    assert_eq!(
        imported.skipped["relationship"], 2,
        "indicates, and uses -> a skipped malware"
    );
    assert_eq!(imported.skipped["(not an object)"], 1);
    assert_eq!(imported.skipped["(no type or id)"], 1);
    // The `targets` relationship to an identity missing from the bundle: skipped with a warning.
    assert_eq!(imported.dangling.len(), 1);
    assert!(
        imported.dangling[0].message.contains("identity--77777777"),
        "{}",
        imported.dangling[0]
    );
    assert_eq!(imported.skipped_total(), 9);
    assert_eq!(export(&imported.file), original);
}

fn import_error(bundle: &Value) -> String {
    stix::import(bundle.to_string().as_bytes())
        .unwrap_err()
        .to_string()
}

fn small_bundle() -> Value {
    serde_json::from_str(&export(&model_file(SMALL))).unwrap()
}

fn find_mut(bundle: &mut Value, pred: impl Fn(&Value) -> bool) -> &mut Value {
    bundle["objects"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| pred(o))
        .unwrap()
}

#[test]
fn references_to_missing_objects_are_clear_errors() {
    let mut bundle = small_bundle();
    let factor = find_mut(&mut bundle, |o| o["type"] == stix::FACTOR_TYPE);
    factor["stakeholder_ref"] = json!("identity--00000000-0000-4000-8000-000000000000");
    let err = import_error(&bundle);
    assert!(
        err.contains("at `stakeholder_ref`") && err.contains("not in the bundle"),
        "{err}"
    );

    // A stakeholder removed: its factor and its relations now point nowhere.
    let mut bundle = small_bundle();
    let objects = bundle["objects"].as_array_mut().unwrap();
    let staff = objects
        .iter()
        .position(|o| o["name"] == "Healthcare professionals")
        .unwrap();
    objects.remove(staff);
    let err = import_error(&bundle);
    assert!(err.contains("refers to stakeholder"), "{err}");
}

#[test]
fn wrong_types_name_the_object_and_path() {
    let mut bundle = small_bundle();
    let threat = find_mut(&mut bundle, |o| o["type"] == "threat-actor");
    let ext = threat["extensions"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .unwrap();
    ext["frequency"] = json!("often");
    let err = import_error(&bundle);
    assert!(
        err.contains(".frequency`") && err.contains("invalid type: string \"often\""),
        "{err}"
    );

    let mut bundle = small_bundle();
    let identity = find_mut(&mut bundle, |o| o["name"] == "Hospitals");
    let ext = identity["extensions"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .unwrap();
    ext["kind"] = json!("hospital");
    let err = import_error(&bundle);
    assert!(
        err.contains(".kind`") && err.contains("unknown variant `hospital`"),
        "{err}"
    );

    let mut bundle = small_bundle();
    let objects = bundle["objects"].as_array_mut().unwrap();
    let dup = objects
        .iter()
        .find(|o| o["type"] == "threat-actor")
        .unwrap()
        .clone();
    objects.push(dup);
    assert!(import_error(&bundle).contains("duplicate id"));
}

#[test]
fn broken_bytes_never_panic() {
    let text = export(&model_file(SMALL));
    for cut in [1, text.len() / 3, text.len() / 2, text.len() - 2] {
        let err = stix::import(&text.as_bytes()[..cut])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("truncated JSON") || err.contains("invalid JSON"),
            "{err}"
        );
    }
    let deep = format!(
        "{{\"type\":\"bundle\",\"objects\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = stix::import(deep.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("recursion limit"), "{err}");
    let mut bad_utf8 = text.clone().into_bytes();
    let at = text.find("Hospitals").unwrap();
    bad_utf8[at] = 0xff;
    let err = stix::import(&bad_utf8).unwrap_err().to_string();
    assert!(err.contains("invalid JSON"), "{err}");
    let big = vec![b' '; stix::MAX_BUNDLE_BYTES + 1];
    assert!(
        stix::import(&big)
            .unwrap_err()
            .to_string()
            .contains("larger than the 64 MiB limit")
    );
}
