//! The built-in scenarios are exactly the files of `scenarios/`, verbatim.

use holisec_sim::builtin;

#[test]
fn every_scenario_file_is_built_in_verbatim() {
    let dir = format!("{}/../../scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_str().unwrap().to_owned();
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        builtin::names().collect::<Vec<_>>(),
        "scenarios/*.toml and holisec_sim::builtin::SCENARIOS differ: add the new file to builtin.rs"
    );
    for (name, text) in &files {
        let s = builtin::scenario(name).unwrap();
        assert_eq!(s.toml, text, "{name}");
        assert_eq!(builtin::scenario(&format!("{name}.toml")), Some(s));
    }
}
