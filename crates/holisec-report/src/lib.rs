//! `holisec report`: the whole analysis of a model as one document a board,
//! a ministry or an underwriting committee can read.
//!
//! [`build`] runs the engines through `holisec-api` (the same requests the
//! CLI's `risk`, `simulate`, `evidence` and `assess plan` commands make, so
//! the report's numbers equal their `--json`) and gathers a [`Report`]: plain
//! data, serialisable, with its figures as SVG text. [`html`] writes it as one
//! self-contained HTML file (inline SVG and CSS, no script, no external
//! request), and [`pdf::print`] prints that file with headless Chromium.
//!
//! Front ends (the CLI's `holisec report`, the server's download) only read
//! their inputs, call [`build`] and [`html`], and write the bytes. Apart from
//! [`pdf`], which starts Chromium, nothing here does I/O or reads a clock: a
//! date appears in the document only when the caller passes one, so the same
//! inputs and seed give a byte-identical report.

use holisec_api::{ApiError, Progress};
use holisec_assess::Questionnaire;
use holisec_exchange::veris::Evidence;
use holisec_sim::Scenario;
use holisec_store::Store;
use serde::Serialize;

mod assessment;
mod ecosystem;
mod evidence;
mod format;
mod html;
mod method;
pub mod pdf;
mod risk;
mod simulation;
mod svg;

pub use assessment::{AssessmentSection, OrganisationData, read_organisation};
pub use ecosystem::EcosystemSection;
pub use evidence::EvidenceSection;
pub use html::html;
pub use method::MethodSection;
pub use risk::{RiskSection, SupportRow, ThreatRow};
pub use simulation::{SimulationSection, package as intervention_package};

/// Simulated years of the report's risk runs unless asked otherwise: the
/// same as `holisec risk`, so its figures equal the CLI's.
pub const DEFAULT_ITERATIONS: u64 = holisec_api::risk::DEFAULT_ITERATIONS;
/// Seed of every run unless asked otherwise.
pub const DEFAULT_SEED: u64 = holisec_api::risk::DEFAULT_SEED;
/// Yearly budget (EUR) of the budgeted choice of support items, and of the
/// organisation's costed plan, unless asked otherwise: about one security
/// engineer's cost, the order of what a mid-sized hospital adds in a year.
pub const DEFAULT_BUDGET: f64 = 100_000.0;
/// The built-in scenario the report simulates when none is named.
pub const DEFAULT_SCENARIO: &str = "europe-phishing-ransomware";

/// What to put in the report, besides the model.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// How the model is named in the document (its file name, or the built-in's name).
    pub model_name: String,
    /// Stakeholder id of the reader: the summary's largest risks are this
    /// stakeholder's. Default: the model's first healthcare organisation.
    pub reader: Option<String>,
    /// Simulated years of the risk runs and of the plan.
    pub iterations: u64,
    /// Seed of every run.
    pub seed: u64,
    /// Yearly budget (EUR) of the budgeted choice and the plan.
    pub budget: f64,
    /// A date to print in the document (absent by default: reproducible bytes).
    pub generated_at: Option<String>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            model_name: holisec_api::model::BUILTIN_NAME.to_owned(),
            reader: None,
            iterations: DEFAULT_ITERATIONS,
            seed: DEFAULT_SEED,
            budget: DEFAULT_BUDGET,
            generated_at: None,
        }
    }
}

/// Evidence to summarise and calibrate against: read by the front end.
#[derive(Debug, Clone, Copy)]
pub struct EvidenceInput<'a> {
    /// File names, for provenance.
    pub files: &'a [String],
    /// The incidents read.
    pub evidence: &'a Evidence,
}

/// Where to read the organisation whose self-assessment the report
/// includes ([`read_organisation`]).
#[derive(Clone, Copy)]
pub struct OrganisationInput<'a> {
    /// The database holding its assessments (only read).
    pub store: &'a Store,
    /// The questionnaire its assessments answer.
    pub questionnaire: &'a Questionnaire,
    /// Its name (any case, as `holisec assess` accepts it).
    pub name: &'a str,
}

/// Inputs besides the options: the model and what the front end read.
#[derive(Clone, Copy)]
pub struct ReportInputs<'a> {
    /// The validated model.
    pub model: &'a holisec_api::model::Model,
    /// The scenario to simulate (checked against the model); `None` leaves
    /// the simulation out.
    pub scenario: Option<&'a Scenario>,
    /// Incident evidence, when given.
    pub evidence: Option<EvidenceInput<'a>>,
    /// The organisation's self-assessment ([`read_organisation`]) and the
    /// questionnaire it answers, when asked for.
    pub organisation: Option<(&'a OrganisationData, &'a Questionnaire)>,
}

/// The whole report as data: what [`html`] lays out and `--json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Document title.
    pub title: String,
    /// Model name as given in the options.
    pub model: String,
    /// Date printed in the document, if asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<String>,
    /// Currency of every amount.
    pub currency: String,
    /// The reader's stakeholder (id).
    pub reader: String,
    /// The reader's stakeholder (name).
    pub reader_name: String,
    /// 1. The one-page summary.
    pub summary: Summary,
    /// 2. The ecosystem.
    pub ecosystem: EcosystemSection,
    /// 3. Risk in euros.
    pub risk: RiskSection,
    /// 4. The simulation, when a scenario was run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<SimulationSection>,
    /// 5. The evidence, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceSection>,
    /// 6. The organisation's self-assessment, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<AssessmentSection>,
    /// 7. Method and provenance.
    pub method: MethodSection,
}

/// The one-page summary's figures (each also in its section).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The ecosystem in one paragraph.
    pub ecosystem: String,
    /// Expected annual loss of one organisation of the reader's stakeholder.
    pub reader_ale: f64,
    /// 95th percentile of that organisation's annual loss.
    pub reader_p95: f64,
    /// The three largest risks of the reader, by expected annual loss.
    pub largest_risks: Vec<ThreatRow>,
    /// The two support items that avoid the most expected loss per euro.
    pub best_support: Vec<SupportRow>,
    /// What the simulated campaign does to the system, in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<String>,
}

/// Why a report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An engine or an input refused (an unknown reader, options out of
    /// range, an unknown organisation, ...).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The model has nothing a report could price (no scenario at all).
    #[error("{0}")]
    Invalid(String),
}

impl ReportError {
    /// Whether the user's input is at fault (exit status 2, HTTP 4xx).
    pub fn is_invalid_input(&self) -> bool {
        match self {
            ReportError::Api(e) => e.is_invalid_input(),
            ReportError::Invalid(_) => true,
        }
    }
}

/// Runs every engine the report needs and gathers the [`Report`].
pub fn build(
    inputs: &ReportInputs<'_>,
    options: &ReportOptions,
    threads: usize,
    progress: &dyn Progress,
) -> Result<Report, ReportError> {
    let eco = &inputs.model.ecosystem;
    let risk = risk::section(eco, options, progress)?;
    let ecosystem = ecosystem::section(eco);
    let simulation = match inputs.scenario {
        Some(scenario) => Some(simulation::section(eco, scenario, threads, progress)?),
        None => None,
    };
    let evidence = match inputs.evidence {
        Some(e) => Some(evidence::section(inputs.model, e)?),
        None => None,
    };
    let assessment = match inputs.organisation {
        Some((data, questionnaire)) => {
            Some(assessment::section(eco, questionnaire, data, progress)?)
        }
        None => None,
    };
    let method = method::section(eco, options, &risk, simulation.as_ref(), inputs.scenario);
    let summary = Summary {
        ecosystem: ecosystem.paragraph.clone(),
        reader_ale: risk.reader_ale,
        reader_p95: risk.reader_p95,
        largest_risks: risk.reader_threats.iter().take(3).cloned().collect(),
        best_support: risk.support.iter().take(2).cloned().collect(),
        simulation: simulation.as_ref().map(|s| s.headline.clone()),
    };
    Ok(Report {
        title: format!("Healthcare cybersecurity report: {}", eco.meta.name),
        model: options.model_name.clone(),
        generated_at: options.generated_at.clone(),
        currency: eco.meta.currency.clone(),
        reader: risk.reader.clone(),
        reader_name: risk.reader_name.clone(),
        summary,
        ecosystem,
        risk,
        simulation,
        evidence,
        assessment,
        method,
    })
}
