//! The body of the fuzz target `scenario_loader` in `fuzz/` (repository
//! root), kept here so that stable `cargo test` runs the same code over the
//! committed seed corpus (`fuzz/seeds/scenario_loader/`, see
//! `tests/fuzz_seeds.rs`). Scenario files come from outside: `holisec
//! simulate --scenario FILE` and the server's uploads.
//!
//! [`scenario_loader`] takes arbitrary bytes and must never panic except on
//! a broken invariant, which it asserts: the bytes (lossily as UTF-8, as the
//! front ends read them) load as a scenario with every diagnostic span
//! inside the text on character boundaries; a scenario is built exactly
//! when there is no error; a scenario that loads runs (one replicate, at
//! most 30 days, at a small scale, so that each input stays fast) to a
//! report or to a settings error, never a panic.

use std::sync::OnceLock;

use holisec_model::Ecosystem;

use crate::scenario::load_scenario;

/// The built-in model's ecosystem, built once.
fn ecosystem() -> &'static Ecosystem {
    static ECO: OnceLock<Ecosystem> = OnceLock::new();
    ECO.get_or_init(|| {
        holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model is valid")
    })
}

/// Scale of the runs: 15 hospitals, 10,000 professionals.
const FUZZ_SCALE: f64 = 0.001;

/// How far an input of [`scenario_loader`] went (for the seeds' test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    /// The loader reported errors.
    Refused,
    /// It loaded; the run refused its settings (a campaign after the last
    /// day, an organisation missing at the fuzzing scale, ...).
    SettingsRefused,
    /// It loaded and ran to a report.
    Ran,
}

/// Fuzz target `scenario_loader`: the scenario loader, then the engine, on
/// arbitrary bytes.
pub fn scenario_loader(data: &[u8]) -> Reached {
    let text = String::from_utf8_lossy(data);
    let eco = ecosystem();
    let loaded = load_scenario(&text, eco);
    for d in &loaded.diagnostics {
        if let Some(problem) = d.misplaced_span(&loaded.text) {
            panic!("{problem}");
        }
    }
    assert_eq!(
        loaded.scenario.is_some(),
        !loaded.has_errors(),
        "a scenario is built exactly when there is no error"
    );
    let Some(mut scenario) = loaded.scenario else {
        return Reached::Refused;
    };
    scenario.scale = FUZZ_SCALE;
    scenario.days = scenario.days.min(30);
    scenario.replicates = 1;
    // A campaign after the last day, or an organisation missing at this
    // scale, is a settings error: fine, as long as it is an error.
    match crate::simulate(eco, &scenario, &|_| {}) {
        Ok(report) => {
            assert_eq!(report.per_replicate.len(), 1);
            assert!(report.named.len() <= scenario.campaigns.len());
            Reached::Ran
        }
        Err(_) => Reached::SettingsRefused,
    }
}
