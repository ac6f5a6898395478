//! Report jobs: the whole analysis of the server's model as one HTML document
//! (`holisec report`, from the `holisec-report` library), for the session's
//! organisation, downloaded from `GET /api/v1/jobs/{id}/report.html`.
//!
//! The runner does what `holisec report --org NAME` does: it reads the
//! organisation's latest assessment under the store's lock (a `Store` is not
//! `Sync`), builds the report without it (the engines honour cancellation
//! through [`holisec_api::Progress`]), and stores the HTML as the job's
//! document with a small JSON summary as its result.

use std::sync::{Arc, Mutex};

use holisec_assess::Questionnaire;
use holisec_model::Ecosystem;
use holisec_report::{
    OrganisationData, OrganisationInput, ReportError, ReportInputs, ReportOptions,
};
use holisec_store::{Job, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ServerError;
use crate::jobs::{
    Failure, JobOptions, JobProgress, Output, job_scenario, lock, rayon_threads, run_error,
};

/// The reader of an organisation's report: the model's first stakeholder of
/// the organisation's kind (`organisations.kind` is a stakeholder kind, see
/// [`crate::accounts::parse_kind`]) that a threat targets, since the risk
/// section prices one organisation of the reader's stakeholder. `None` when
/// the model has none: the report's default reader then (its first
/// healthcare organisation).
pub(crate) fn reader(eco: &Ecosystem, org_kind: &str) -> Option<String> {
    let kind = crate::accounts::parse_kind(org_kind).ok()?;
    eco.stakeholder_indices()
        .find(|&i| {
            eco.stakeholder(i).kind == kind && eco.threats.iter().any(|t| t.targets.contains(&i))
        })
        .map(|i| eco.stakeholder(i).id.clone())
}

/// The options of the report a job's options stand for; the document is
/// dated with the job's creation time.
pub(crate) fn options(job: &Job, options: &JobOptions) -> Option<ReportOptions> {
    match options {
        JobOptions::Report {
            iterations,
            seed,
            budget,
            reader,
            model_name,
            ..
        } => Some(ReportOptions {
            model_name: model_name.clone(),
            reader: reader.clone(),
            iterations: *iterations,
            seed: *seed,
            budget: *budget,
            generated_at: Some(job.created_at.clone()),
        }),
        _ => None,
    }
}

/// What the report needs of organisation `org`'s assessments, read as
/// `holisec report --org` reads them; `None` when it has no assessment yet
/// (the report then has no self-assessment section, rather than failing).
pub(crate) fn organisation_data(
    store: &Store,
    eco: &Ecosystem,
    q: &Questionnaire,
    org: i64,
    options: &ReportOptions,
) -> Result<Option<OrganisationData>, ServerError> {
    let Some(record) = store.organisation_by_id(org)? else {
        return Err(ServerError::Internal(format!("organisation {org} is gone")));
    };
    if store.assessments_of_org(org)?.is_empty() {
        return Ok(None);
    }
    let input = OrganisationInput {
        store,
        questionnaire: q,
        name: &record.name,
    };
    holisec_report::read_organisation(eco, input, options)
        .map(Some)
        .map_err(|e| match report_error(e) {
            Failure::Error(e) => e,
            Failure::Cancelled => ServerError::Internal("cancelled while reading".into()),
        })
}

/// Runs a report job: reads, builds, writes the HTML and its summary.
pub(crate) fn compute(
    store: &Mutex<Store>,
    eco: &Arc<Ecosystem>,
    q: &Questionnaire,
    job: &Job,
    job_options: &JobOptions,
    progress: &JobProgress<'_>,
) -> Result<Output, Failure> {
    let (
        Some(options),
        JobOptions::Report {
            scenario,
            scenario_seed,
            ..
        },
    ) = (options(job, job_options), job_options)
    else {
        return Err(ServerError::Internal(format!("job {} is not a report", job.id)).into());
    };
    let org = job.organisation_id;
    let organisation = organisation_data(&lock(store), eco, q, org, &options)?;
    let scenario = match scenario {
        None => None,
        Some(r) => {
            let mut sc = job_scenario(store, eco, org, r)?;
            let seed = holisec_api::simulate::Overrides {
                seed: *scenario_seed,
                ..Default::default()
            };
            holisec_api::simulate::apply(&mut sc, &seed).map_err(run_error)?;
            Some(sc)
        }
    };
    // The report reads the model file (beside the ecosystem) only to
    // calibrate it against incident evidence, which a server report does
    // not take: the server keeps the validated ecosystem alone.
    let model = holisec_api::model::Model {
        ecosystem: Ecosystem::clone(eco),
        file: holisec_model::wire::ModelFile::default(),
    };
    let inputs = ReportInputs {
        model: &model,
        scenario: scenario.as_ref(),
        evidence: None,
        organisation: organisation.as_ref().map(|data| (data, q)),
    };
    let report = holisec_report::build(&inputs, &options, rayon_threads(), progress)
        .map_err(report_error)?;
    let html = holisec_report::html(&report);
    let result = serde_json::to_string(&ReportResult::new(&report, &html, job.id))
        .map_err(|e| ServerError::Internal(format!("job {} result: {e}", job.id)))?;
    Ok(Output {
        result,
        document: Some(html),
    })
}

fn report_error(e: ReportError) -> Failure {
    match e {
        ReportError::Api(e) => run_error(e),
        ReportError::Invalid(message) => Failure::Error(ServerError::Invalid {
            status: axum::http::StatusCode::BAD_REQUEST,
            field: None,
            message,
        }),
    }
}

/// A report job's `result`: the headline figures and where the document
/// is. The HTML itself (about 220 KB) is the job's document, so the job's
/// JSON stays small.
#[derive(Debug, Serialize)]
struct ReportResult<'a> {
    title: &'a str,
    model: &'a str,
    generated_at: Option<&'a str>,
    currency: &'a str,
    reader: &'a str,
    reader_name: &'a str,
    /// The one-page summary's figures.
    summary: &'a holisec_report::Summary,
    /// The self-assessment the report includes; `None` when the
    /// organisation had no assessment.
    assessment: Option<AssessmentHeadline<'a>>,
    /// The scenario simulated; `None`: no simulation.
    scenario: Option<&'a str>,
    /// The document: its path, size and SHA-256.
    download: String,
    bytes: usize,
    sha256: String,
}

/// The self-assessment section's headline figures.
#[derive(Debug, Serialize)]
struct AssessmentHeadline<'a> {
    organisation: &'a str,
    assessment: i64,
    version: i64,
    ale: f64,
    p95: f64,
    p99: f64,
    expected: f64,
    selected: usize,
    selected_cost: f64,
    selected_delta: f64,
}

impl<'a> ReportResult<'a> {
    fn new(r: &'a holisec_report::Report, html: &str, id: i64) -> Self {
        ReportResult {
            title: &r.title,
            model: &r.model,
            generated_at: r.generated_at.as_deref(),
            currency: &r.currency,
            reader: &r.reader,
            reader_name: &r.reader_name,
            summary: &r.summary,
            assessment: r.assessment.as_ref().map(|a| AssessmentHeadline {
                organisation: &a.organisation,
                assessment: a.assessment,
                version: a.version,
                ale: a.ale,
                p95: a.p95,
                p99: a.p99,
                expected: a.expected,
                selected: a.selected,
                selected_cost: a.selected_cost,
                selected_delta: a.selected_delta,
            }),
            scenario: r.simulation.as_ref().map(|s| s.scenario.as_str()),
            download: format!("/api/v1/jobs/{id}/report.html"),
            bytes: html.len(),
            sha256: crate::api::models::hex(&Sha256::digest(html.as_bytes())),
        }
    }
}

/// The download's file name: `holisec-report-<organisation>-<job>.html`,
/// the organisation's name in lower-case ASCII letters and digits joined by
/// `-` (a header-safe name; `organisation` when nothing is left).
pub(crate) fn file_name(organisation: &str, job: i64) -> String {
    let mut slug = String::new();
    for c in organisation.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() {
        "organisation"
    } else {
        slug
    };
    format!("holisec-report-{slug}-{job}.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_header_safe_slugs() {
        assert_eq!(file_name("St Mary", 7), "holisec-report-st-mary-7.html");
        assert_eq!(
            file_name("  Hôpital \"Nord\"; x=1 ", 12),
            "holisec-report-h-pital-nord-x-1-12.html"
        );
        assert_eq!(file_name("Ωμέγα", 3), "holisec-report-organisation-3.html");
    }

    #[test]
    fn the_reader_is_the_first_targeted_stakeholder_of_the_organisations_kind() {
        let eco = holisec_api::model::builtin().value.ecosystem;
        assert_eq!(
            reader(&eco, "healthcare-organisation").as_deref(),
            Some("healthcare-organisations")
        );
        assert_eq!(
            reader(&eco, "insurance-group").as_deref(),
            Some("insurance-groups")
        );
        // No threat targets the model's umbrella organisations: the default.
        assert_eq!(reader(&eco, "umbrella-organisation"), None);
        assert_eq!(reader(&eco, "no-such-kind"), None);
    }
}
