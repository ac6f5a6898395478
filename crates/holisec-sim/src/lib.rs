//! Propagation simulator for the holisec ecosystem model.
//!
//! Answers: *if a phishing wave, a supplier compromise or a worm hits a
//! European health system, how many organisations are infected and disrupted,
//! for how long, and what do training, MFA, patching, segmentation, backups
//! and information sharing change?*
//!
//! * [`synth`] generates a synthetic ecosystem (countries, hospitals,
//!   primary-care practices, staff, segments, solution providers, national
//!   systems, CSIRTs, insurers) from the model's populations.
//! * [`builtin`] holds the shipped `scenarios/*.toml`, compiled in, by name.
//! * [`scenario`] reads and validates scenario TOML files with spanned,
//!   all-errors-at-once [`holisec_model::Diagnostic`]s.
//! * [`engine`] runs the event-driven state machines (staff, organisation,
//!   segment) replicate by replicate, in parallel, deterministically.
//! * [`summary`] holds the results: daily series, per-organisation outcomes,
//!   summaries over replicates, CSV text, and the memory estimate.
//! * [`fuzz`] is the body of the fuzz target `scenario_loader` (`fuzz/`).
//!
//! The crate does no I/O: scenario text comes in as `&str`, results leave as
//! values and `String`s. Details: `docs/simulation.md`.

pub mod builtin;
pub mod engine;
pub mod estimates;
pub mod fuzz;
pub mod rng;
pub mod scenario;
pub mod summary;
pub mod synth;

pub use engine::{SimError, simulate, simulate_cancellable};
pub use scenario::{LoadedScenario, Scenario, load_scenario};
pub use summary::{SimulationReport, estimate_memory};
pub use synth::{OrgKind, Synth};
