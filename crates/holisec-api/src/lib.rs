//! The one library API of holisec.
//!
//! Every front end (the `holisec` CLI, the coming server and Python package)
//! calls these functions, so they cannot disagree on what an input means, which
//! option values are valid, or what a run returns. A front end's job is only to
//! get bytes and option values from its user (files and flags, a request, Python
//! arguments), call one function here, and present the result.
//!
//! ```
//! use holisec_api::{model, risk};
//!
//! let model = model::builtin().value;
//! let request = risk::RiskRequest { iterations: 2_000, ..Default::default() };
//! let outcome = risk::run(&model.ecosystem, &request, &holisec_api::NoProgress)
//!     .expect("valid options");
//! let hospital = &outcome.per_organisation[0];
//! assert!(hospital.summary.ale > 0.0);
//! ```
//!
//! * [`source`]: named input text, and the [`Checked`]/[`Rejected`] result of
//!   reading it with diagnostics (model files, scenario files, questionnaires,
//!   answer files all go through it).
//! * [`model`]: load or check a model file, or the built-in European model.
//! * [`risk`]: the Open FAIR run with its presets and limits, interventions,
//!   portfolio, and the loss exceedance charts.
//! * [`simulate`]: scenario by built-in name or file, overrides, checks, run,
//!   epidemic-curve chart.
//! * [`map`]: the ecosystem as a graph for an interactive viewer, with
//!   per-stakeholder details and the attack paths of one motivation.
//! * [`assess`]: questionnaire, answers, scores, the costed plan (stored and
//!   reused), history, on a [`holisec_store::Store`] the front end opens.
//! * [`sharing`]: incident reports with TLP 2.0 labels, alerts along the
//!   model's relations, an agency's view and peer benchmarks (issue 13).
//! * [`taxii`]: the TAXII 2.1 collections of `holisec serve` (incident
//!   reports, alerts, shared objects under TLP) and API tokens.
//!
//! No function here reads a file, prints, or reads the clock: timestamps and
//! bytes come in as arguments. The only I/O is through the `Store` handed in.

pub mod assess;
pub mod diagnostics;
pub mod incident_import;
pub mod map;
pub mod model;
pub mod risk;
pub mod sharing;
pub mod simulate;
pub mod source;
pub mod sweep;
pub mod taxii;
pub mod terminal;

pub use source::{Checked, Rejected, Source};

/// Why an API call refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// An input file (model, scenario, questionnaire, answers) has errors; each
    /// is a spanned diagnostic of `Rejected::source`.
    #[error("{0}")]
    Rejected(Box<Rejected>),
    /// An option (a flag on the CLI, a field of a request) is out of range.
    #[error("{option} {value}: expected {expected}")]
    Option {
        /// The option's name, in snake case (`iterations`, `portfolio_iterations`).
        option: &'static str,
        /// The value given, as the user wrote it.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// The input is valid on its own but not usable for this request (an
    /// unknown scenario id, a run that would take hours, an unknown organisation).
    #[error("{0}")]
    Invalid(String),
    /// The object named does not exist or is not the caller's to see (the
    /// two answer alike, HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] holisec_store::StoreError),
    /// The request is understood but the sharing rules do not allow it (only
    /// a report's owner may change its label; only an agency issues alerts).
    #[error("not allowed: {0}")]
    Refused(String),
    /// Something outside the input failed.
    #[error("{0}")]
    Failed(String),
    /// The run stopped because its [`Progress::cancelled`] said so.
    #[error("the run was cancelled")]
    Cancelled,
}

impl ApiError {
    /// Whether the caller's input is at fault (CLI exit status 2, HTTP 4xx),
    /// rather than the environment (exit status 1, HTTP 5xx).
    pub fn is_invalid_input(&self) -> bool {
        match self {
            ApiError::Rejected(_)
            | ApiError::Option { .. }
            | ApiError::Invalid(_)
            | ApiError::NotFound(_)
            | ApiError::Refused(_) => true,
            ApiError::Store(e) => e.is_invalid_input(),
            ApiError::Failed(_) | ApiError::Cancelled => false,
        }
    }

    /// An option error.
    pub fn option(option: &'static str, value: impl ToString, expected: impl Into<String>) -> Self {
        ApiError::Option {
            option,
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}

impl From<Rejected> for ApiError {
    fn from(r: Rejected) -> Self {
        ApiError::Rejected(Box::new(r))
    }
}

/// Progress of a long run, reported from worker threads: each phase starts
/// with its total in `unit`s (simulated years, replicates), advances by the
/// units done, and finishes. A front end draws a bar (CLI) or updates a job
/// (server); [`NoProgress`] ignores it.
pub trait Progress: Sync {
    /// A phase of `total` units starts.
    fn start(&self, phase: &str, total: u64, unit: &str);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The phase is done.
    fn finish(&self);
    /// Whether the run should stop: risk and simulation runs ask at each
    /// chunk boundary and end with [`ApiError::Cancelled`] once it is `true`
    /// (a server's job cancelled by its user). Never, by default.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Version of the engines a run used, stored with every job result so a
/// result can be traced to the code that computed it.
pub const ENGINE_VERSION: &str = concat!("holisec ", env!("CARGO_PKG_VERSION"));

/// Progress nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _phase: &str, _total: u64, _unit: &str) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

pub use holisec_model::number::{percent, signed_thousands, thousands};

/// `"; did you mean `x`?"` when a candidate is close to `got`, else nothing.
pub fn did_you_mean<'a>(got: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    holisec_model::diag::did_you_mean(got, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// "1 error", "3 errors": the one plural helper for messages.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
