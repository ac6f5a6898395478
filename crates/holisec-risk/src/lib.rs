//! Quantitative risk engine of holisec: Open FAIR Monte Carlo over the ecosystem model.
//!
//! * [`fair`]: the Open FAIR taxonomy (TEF, TCap vs RS, vulnerability, LEF, LM) and controls.
//! * [`scenario`]: one scenario per (threat, exploited factor, targeted stakeholder),
//!   every number from the model or its `[[scenario]]` overrides; support items as controls.
//! * [`sampling`]: samplers of the model's distributions and per-chunk random streams.
//! * [`sketch`]: streaming moments and a mergeable log-spaced histogram (0.5% relative error).
//! * [`engine`]: the Monte Carlo run, bit-identical for any thread count, with
//!   interventions on common random numbers.
//! * [`portfolio`]: many organisations sharing solution providers (accumulation risk).
//! * [`compare`]: support items and combinations ranked by risk reduced per euro.
//! * [`report`] and [`chart`]: serialisable results, LEC as SVG and CSV.
//!
//! No I/O: callers pass a validated [`holisec_model::Ecosystem`] and get values back.
//!
//! ```
//! use holisec_risk::{engine, scenario::Selection, sampling::SamplerMode};
//! let text = r#"
//! [ecosystem]
//! name = "Doc"
//! region = "Testland"
//! currency = "EUR"
//! [[stakeholder]]
//! id = "hospital"
//! name = "Hospital"
//! kind = "healthcare-organisation"
//! [[stakeholder]]
//! id = "vendor"
//! name = "Vendor"
//! kind = "solution-provider"
//! [[relation]]
//! from = "vendor"
//! to = "hospital"
//! level = "first"
//! kind = "supplies"
//! strength = 0.5
//! rationale = "doc"
//! [[vulnerability]]
//! id = "phishing"
//! stakeholder = "hospital"
//! domain = "people"
//! name = "Phishing"
//! resistance = { constant = 0.5, rationale = "doc" }
//! [[threat]]
//! id = "ransomware"
//! motivation = "crime"
//! name = "Ransomware"
//! targets = ["hospital"]
//! exploits = ["phishing"]
//! frequency = { constant = 2.0, rationale = "doc" }
//! capability = { uniform = [0.0, 1.0], rationale = "doc" }
//! primary_loss = { constant = 1000.0, rationale = "doc" }
//! "#;
//! let eco = holisec_model::load_str(text).ecosystem.unwrap();
//! let model = engine::RiskModel::new(&eco, &Selection::default(), SamplerMode::Table).unwrap();
//! let run = engine::run(&model, &[], &engine::RunOptions { iterations: 100_000, seed: 1 }, &|_| {}).unwrap();
//! // ALE = TEF x V x LM = 2 x 0.5 x 1000.
//! assert!((run.baseline.total.moments.mean() - 1000.0).abs() < 20.0);
//! ```

pub mod chart;
pub mod compare;
pub mod engine;
pub mod fair;
pub mod portfolio;
pub mod report;
pub mod sampling;
pub mod scenario;
pub mod sketch;

pub use engine::{Intervention, RiskError, RiskModel, RunOptions, RunResult, run};
pub use report::{RiskReport, Summary};
