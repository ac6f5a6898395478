//! The organisation's jobs: ask for a risk, simulation, costed-plan or report
//! run, list, show (with the stored result once done), follow by server-sent
//! events, cancel, and download a finished report's HTML.
//!
//! A body is read field by field so that every refusal names its field:
//! the options, defaults and checks are those of `holisec risk` and
//! `holisec simulate` through `holisec-api`, and a run too large for the
//! machine is refused before it is queued.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use holisec_store::{Job, JobState, NewJob};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::extract::{AnyJson, now};
use crate::guard::Current;
use crate::jobs::{JobOptions, ProgressView, ScenarioRef, Snapshot, job_model, job_scenario};
use crate::{AppState, ServerError};

/// A job as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct JobView {
    id: i64,
    kind: String,
    state: JobState,
    created_at: String,
    started_at: Option<String>,
    finished_at: Option<String>,
    created_by: Option<i64>,
    model: Option<i64>,
    #[schema(value_type = Object)]
    options: Value,
    engine_version: String,
    progress: Option<ProgressView>,
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    result: Option<Value>,
}

/// The body of `POST /api/v1/jobs`, for the OpenAPI document: the handler
/// reads it field by field (`parse_request`) so each refusal names its field.
/// `docs/server.md` lists each kind's options and their bounds.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct JobRequestDoc {
    /// `risk`, `simulation`, `plan` or `report`.
    kind: String,
    /// Plan: the assessment (of the organisation's) to plan for.
    assessment: Option<i64>,
    /// Plan, report: yearly budget in EUR (of the plan, and of the
    /// report's budgeted choice of support items).
    budget: Option<f64>,
    /// Plan: EUR one euro of expected loss avoided is worth (default 1).
    value_per_euro_avoided: Option<f64>,
    /// An upload id of the organisation's, or null for the built-in model.
    model: Option<i64>,
    /// Simulation, report: a built-in scenario's name or a scenario upload
    /// id (a report's default: `europe-phishing-ransomware`).
    #[schema(value_type = Option<Object>)]
    scenario: Option<Value>,
    /// Report: simulate the scenario (default true); `false` leaves the
    /// simulation out.
    simulation: Option<bool>,
    /// Risk, plan, report: simulated years.
    iterations: Option<u64>,
    /// Simulation: replicates.
    replicates: Option<u32>,
    /// The seed (same inputs and seed give the same result).
    seed: Option<u64>,
    /// Risk: support items to simulate applied together.
    interventions: Option<Vec<String>>,
    /// Risk: also price a portfolio of organisations sharing solution
    /// providers (an insurer's book).
    portfolio: Option<PortfolioDoc>,
}

/// A risk job's `portfolio` (as `holisec risk --portfolio N --providers P
/// --concentration S --portfolio-iterations N`); each field optional.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct PortfolioDoc {
    /// Members, 1 to 100,000 (default 100).
    organisations: Option<u32>,
    /// Solution providers they share, 1 to `organisations`.
    providers: Option<u32>,
    /// Zipf exponent of the providers' market shares, 0 (equal) to 10.
    concentration: Option<f64>,
    /// Simulated years of the portfolio run.
    iterations: Option<u64>,
}

impl JobView {
    fn new(job: Job, live: Option<Snapshot>) -> JobView {
        let progress = live.and_then(|s| s.progress);
        JobView {
            id: job.id,
            kind: job.kind,
            state: job.state,
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
            created_by: job.created_by,
            model: job.model,
            options: serde_json::from_str(&job.options).unwrap_or(Value::Null),
            engine_version: job.engine_version,
            progress,
            error: job.error,
            result: job.result.and_then(|r| serde_json::from_str(&r).ok()),
        }
    }
}

/// A job id from the path: digits only, else 404 (as an unknown id).
fn job_id(raw: &str) -> Result<i64, ServerError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServerError::NotFound(format!("no job {raw}")))
}

fn no_job(id: i64) -> ServerError {
    ServerError::NotFound(format!("no job {id}"))
}

pub(crate) async fn list_jobs(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Vec<JobView>>, ServerError> {
    let jobs = state
        .with_store(move |s| Ok(s.jobs_of_org(user.organisation_id)?))
        .await?;
    Ok(Json(
        jobs.into_iter()
            .map(|j| {
                let live = state.runner.snapshot(j.id);
                JobView::new(j, live)
            })
            .collect(),
    ))
}

pub(crate) async fn show_job(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<JobView>, ServerError> {
    let id = job_id(&raw)?;
    let job = state
        .with_store(move |s| s.job_in_org(user.organisation_id, id)?.ok_or(no_job(id)))
        .await?;
    let live = state.runner.snapshot(id);
    Ok(Json(JobView::new(job, live)))
}

/// `GET /api/v1/jobs/{id}/report.html`: a finished report job's document
/// as a download. Another organisation's job answers 404 as a missing one;
/// a job of another kind 404 (it has no report); a report job not done (yet)
/// 409 with its state.
pub(crate) async fn report_html(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Response, ServerError> {
    let id = job_id(&raw)?;
    let org = user.organisation_id;
    let (job, document, organisation) = state
        .read(move |s| {
            let (job, document) = s.job_document_in_org(org, id)?.ok_or(no_job(id))?;
            let name = s
                .organisation_by_id(org)?
                .map(|o| o.name)
                .unwrap_or_default();
            Ok((job, document, name))
        })
        .await?;
    if job.kind != "report" {
        return Err(ServerError::NotFound(format!(
            "job {id} is a {} job: only a report job has a report.html",
            job.kind
        )));
    }
    let Some(document) = document.filter(|_| job.state == JobState::Done) else {
        let why = match job.error {
            Some(e) => format!("report job {id} is {}: {e}", job.state.as_str()),
            None if job.state.is_final() => format!("report job {id} is {}", job.state.as_str()),
            None => format!(
                "report job {id} is {}: download it once it is done",
                job.state.as_str()
            ),
        };
        return Err(ServerError::Conflict(why));
    };
    let disposition = format!(
        "attachment; filename=\"{}\"",
        crate::report::file_name(&organisation, id)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        document,
    )
        .into_response())
}

pub(crate) async fn cancel_job(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<JobView>, ServerError> {
    let id = job_id(&raw)?;
    let job = state
        .with_store(move |s| {
            s.cancel_job(user.organisation_id, id, user.id, &now())?
                .ok_or(no_job(id))
        })
        .await?;
    if job.state == JobState::Cancelled {
        state.runner.cancelled(id);
    }
    Ok(Json(JobView::new(job, None)))
}

pub(crate) async fn create_job(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    AnyJson(body): AnyJson,
) -> Result<(StatusCode, Json<JobView>), ServerError> {
    let request = parse_request(&body)?;
    let org = user.organisation_id;
    // Loading a model and checking a scenario take a moment: off the runtime.
    let (store, eco) = (Arc::clone(&state.store), Arc::clone(&state.eco));
    let model_name = Arc::clone(&state.model_name);
    let options =
        tokio::task::spawn_blocking(move || resolve(&store, &eco, org, &model_name, request))
            .await
            .map_err(|e| ServerError::Internal(format!("job check failed: {e}")))??;
    let (model, options) = options;
    let text = serde_json::to_string(&options)
        .map_err(|e| ServerError::Internal(format!("job options: {e}")))?;
    let runner = Arc::clone(&state.runner);
    let job = state
        .with_store(move |s| {
            let new = NewJob {
                organisation_id: org,
                created_by: user.id,
                kind: options.kind(),
                model,
                options: &text,
                engine_version: holisec_api::ENGINE_VERSION,
            };
            let job = s.create_job(&new, &now()).map_err(|e| match e {
                holisec_store::StoreError::Conflict(m) => ServerError::Busy(m),
                other => other.into(),
            })?;
            runner.register(job.id);
            Ok(job)
        })
        .await?;
    state.runner.wake();
    let live = state.runner.snapshot(job.id);
    Ok((StatusCode::ACCEPTED, Json(JobView::new(job, live))))
}

pub(crate) async fn job_events(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ServerError> {
    let id = job_id(&raw)?;
    let job = state
        .with_store(move |s| s.job_in_org(user.organisation_id, id)?.ok_or(no_job(id)))
        .await?;
    // Subscribe before deciding: a job finishing now still sends its final state.
    let rx = state.runner.live(id).map(|l| l.status.subscribe());
    let first = Snapshot {
        state: job.state,
        progress: None,
        error: job.error,
    };
    let stream = match rx {
        Some(rx) if !job.state.is_final() => Events::Live { rx, last: None },
        _ => Events::Once(Some(first)),
    };
    Ok(Sse::new(stream::unfold(stream, next_event)).keep_alive(KeepAlive::default()))
}

/// Where an event stream is.
enum Events {
    /// A finished (or no longer followed) job: one final state.
    Once(Option<Snapshot>),
    /// Following a queued or running job; `last` is what was sent.
    Live {
        rx: tokio::sync::watch::Receiver<Snapshot>,
        last: Option<Snapshot>,
    },
    /// Sent the final state.
    Ended,
}

async fn next_event(events: Events) -> Option<(Result<Event, Infallible>, Events)> {
    match events {
        Events::Ended | Events::Once(None) => None,
        Events::Once(Some(s)) => Some((Ok(state_event(&s)), Events::Ended)),
        Events::Live { mut rx, last } => loop {
            let now = rx.borrow_and_update().clone();
            let before = last.as_ref();
            if now.state.is_final() {
                return Some((Ok(state_event(&now)), Events::Ended));
            }
            if before.is_none_or(|b| b.state != now.state) {
                let event = state_event(&now);
                return Some((
                    Ok(event),
                    Events::Live {
                        rx,
                        last: Some(now),
                    },
                ));
            }
            if now.progress.is_some() && before.is_none_or(|b| b.progress != now.progress) {
                let event = Event::default()
                    .event("progress")
                    .json_data(&now.progress)
                    .unwrap_or_default();
                return Some((
                    Ok(event),
                    Events::Live {
                        rx,
                        last: Some(now),
                    },
                ));
            }
            if rx.changed().await.is_err() {
                // The runner forgot the job without a final state: say where it is.
                return Some((Ok(state_event(&now)), Events::Ended));
            }
        },
    }
}

fn state_event(s: &Snapshot) -> Event {
    Event::default()
        .event("state")
        .json_data(serde_json::json!({ "state": s.state, "error": s.error }))
        .unwrap_or_default()
}

/// A job body, read and typed but not yet checked against a model.
#[derive(Debug)]
pub(crate) enum JobRequest {
    Risk {
        model: Option<i64>,
        iterations: Option<u64>,
        seed: Option<u64>,
        interventions: Vec<String>,
        portfolio: Option<holisec_api::risk::PortfolioRequest>,
    },
    Simulation {
        model: Option<i64>,
        scenario: ScenarioRef,
        replicates: Option<u32>,
        seed: Option<u64>,
        days: Option<u32>,
        scale: Option<f64>,
        fixed_network: Option<bool>,
    },
    Plan {
        assessment: i64,
        iterations: Option<u64>,
        seed: Option<u64>,
        budget: Option<f64>,
        value_per_euro_avoided: Option<f64>,
    },
    Report {
        iterations: Option<u64>,
        seed: Option<u64>,
        budget: Option<f64>,
        scenario: Option<ScenarioRef>,
        simulation: bool,
    },
}

const KINDS: &str = "\"risk\", \"simulation\", \"plan\" or \"report\"";

fn parse_request(body: &Value) -> Result<JobRequest, ServerError> {
    let obj = body
        .as_object()
        .ok_or_else(|| unprocessable("kind", "the body: expected a JSON object with a `kind`"))?;
    let kind = match obj.get("kind") {
        Some(Value::String(k)) => k.as_str(),
        _ => {
            return Err(unprocessable("kind", format!("kind: expected {KINDS}")));
        }
    };
    match kind {
        "risk" => {
            only(
                obj,
                &[
                    "kind",
                    "model",
                    "iterations",
                    "seed",
                    "interventions",
                    "portfolio",
                ],
            )?;
            Ok(JobRequest::Risk {
                model: id_field(obj, "model")?,
                iterations: uint(obj, "iterations", "a whole number of simulated years")?,
                seed: uint(obj, "seed", "a whole number from 0 to 2^64 - 1")?,
                interventions: strings(obj, "interventions")?,
                portfolio: portfolio(obj)?,
            })
        }
        "simulation" => {
            only(
                obj,
                &[
                    "kind",
                    "model",
                    "scenario",
                    "replicates",
                    "seed",
                    "days",
                    "scale",
                    "fixed_network",
                ],
            )?;
            let Some(scenario) = scenario_field(obj)? else {
                return Err(unprocessable(
                    "scenario",
                    "scenario: expected a built-in scenario name or a scenario upload id",
                ));
            };
            let small = |field: &str, what: &str| -> Result<Option<u32>, ServerError> {
                uint(obj, field, what)?
                    .map(|n| {
                        u32::try_from(n).map_err(|_| {
                            ServerError::invalid(field, format!("{field} {n}: expected {what}"))
                        })
                    })
                    .transpose()
            };
            let scale = match obj.get("scale") {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) => n.as_f64(),
                Some(_) => {
                    return Err(unprocessable(
                        "scale",
                        "scale: expected a number more than 0 and at most 10",
                    ));
                }
            };
            Ok(JobRequest::Simulation {
                model: id_field(obj, "model")?,
                scenario,
                replicates: small("replicates", "1 to 100,000 replicates")?,
                seed: uint(obj, "seed", "a whole number from 0 to 2^64 - 1")?,
                days: small("days", "1 to 3,650 days")?,
                scale,
                fixed_network: match obj.get("fixed_network") {
                    None | Some(Value::Null) => None,
                    Some(Value::Bool(b)) => Some(*b),
                    Some(v) => {
                        return Err(unprocessable(
                            "fixed_network",
                            format!("fixed_network {v}: expected true or false"),
                        ));
                    }
                },
            })
        }
        "plan" => {
            only(
                obj,
                &[
                    "kind",
                    "assessment",
                    "iterations",
                    "seed",
                    "budget",
                    "value_per_euro_avoided",
                ],
            )?;
            let assessment = match obj.get("assessment") {
                Some(Value::Number(n)) if n.as_i64().is_some_and(|i| i > 0) => {
                    n.as_i64().unwrap_or_default()
                }
                _ => {
                    return Err(unprocessable(
                        "assessment",
                        "assessment: expected the id of one of your organisation's assessments",
                    ));
                }
            };
            Ok(JobRequest::Plan {
                assessment,
                iterations: uint(obj, "iterations", "a whole number of simulated years")?,
                seed: uint(obj, "seed", "a whole number from 0 to 2^64 - 1")?,
                budget: number(obj, "budget", "an amount of 0 or more EUR a year")?,
                value_per_euro_avoided: number(
                    obj,
                    "value_per_euro_avoided",
                    "a number of 0 or more",
                )?,
            })
        }
        "report" => {
            only(
                obj,
                &[
                    "kind",
                    "iterations",
                    "seed",
                    "budget",
                    "scenario",
                    "simulation",
                ],
            )?;
            let simulation = match obj.get("simulation") {
                None | Some(Value::Null) => true,
                Some(Value::Bool(b)) => *b,
                Some(v) => {
                    return Err(unprocessable(
                        "simulation",
                        format!("simulation {v}: expected true or false"),
                    ));
                }
            };
            Ok(JobRequest::Report {
                iterations: uint(obj, "iterations", "a whole number of simulated years")?,
                seed: uint(obj, "seed", "a whole number from 0 to 2^64 - 1")?,
                budget: number(obj, "budget", "an amount of 0 or more EUR a year")?,
                scenario: scenario_field(obj)?,
                simulation,
            })
        }
        other => Err(unprocessable(
            "kind",
            format!("kind `{other}`: expected {KINDS}"),
        )),
    }
}

/// The `scenario` field: a built-in scenario's name or a scenario upload
/// id; `None` when absent or null.
fn scenario_field(obj: &Map<String, Value>) -> Result<Option<ScenarioRef>, ServerError> {
    match obj.get("scenario") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(ScenarioRef::Builtin(s.clone()))),
        Some(Value::Number(n)) if n.as_i64().is_some_and(|i| i > 0) => {
            Ok(n.as_i64().map(ScenarioRef::Upload))
        }
        Some(v) => Err(unprocessable(
            "scenario",
            format!("scenario {v}: expected a built-in scenario name or a scenario upload id"),
        )),
    }
}

fn unprocessable(field: &str, message: impl Into<String>) -> ServerError {
    ServerError::Invalid {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        field: Some(field.to_owned()),
        message: message.into(),
    }
}

/// Refuses fields the kind does not know (mass assignment, typos).
fn only(obj: &Map<String, Value>, known: &[&str]) -> Result<(), ServerError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(unprocessable(
            k,
            format!("unknown field `{k}`: expected one of {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn uint(obj: &Map<String, Value>, field: &str, what: &str) -> Result<Option<u64>, ServerError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
        Some(v) => Err(unprocessable(
            field,
            format!("{field} {v}: expected {what}"),
        )),
    }
}

fn number(obj: &Map<String, Value>, field: &str, what: &str) -> Result<Option<f64>, ServerError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(v) => Err(unprocessable(
            field,
            format!("{field} {v}: expected {what}"),
        )),
    }
}

fn id_field(obj: &Map<String, Value>, field: &str) -> Result<Option<i64>, ServerError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_i64().is_some_and(|i| i > 0) => Ok(n.as_i64()),
        Some(v) => Err(unprocessable(
            field,
            format!("{field} {v}: expected null (the built-in model) or an upload id"),
        )),
    }
}

/// The `portfolio` object of a risk job: `organisations`, `providers`,
/// `concentration` and `iterations`, each optional (as `holisec risk
/// --portfolio`'s defaults); serde names an unknown or mistyped field.
fn portfolio(
    obj: &Map<String, Value>,
) -> Result<Option<holisec_api::risk::PortfolioRequest>, ServerError> {
    match obj.get("portfolio") {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| unprocessable("portfolio", format!("portfolio: {e}"))),
        Some(v) => Err(unprocessable(
            "portfolio",
            format!(
                "portfolio {v}: expected an object with organisations, providers, concentration and iterations"
            ),
        )),
    }
}

fn strings(obj: &Map<String, Value>, field: &str) -> Result<Vec<String>, ServerError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(unprocessable(
                    field,
                    format!("{field}: {other} is not a support item id"),
                )),
            })
            .collect(),
        Some(v) => Err(unprocessable(
            field,
            format!("{field} {v}: expected a list of support item ids"),
        )),
    }
}

/// Checks a request against its model with `holisec-api`'s checks and
/// returns the model's upload id and the full resolved options.
fn resolve(
    store: &std::sync::Mutex<holisec_store::Store>,
    eco: &Arc<holisec_model::Ecosystem>,
    org: i64,
    model_name: &str,
    request: JobRequest,
) -> Result<(Option<i64>, JobOptions), ServerError> {
    match request {
        JobRequest::Risk {
            model,
            iterations,
            seed,
            interventions,
            portfolio,
        } => {
            let eco = job_model(store, eco, org, model)?;
            let options = JobOptions::Risk {
                iterations: iterations.unwrap_or(holisec_api::risk::DEFAULT_ITERATIONS),
                seed: seed.unwrap_or(holisec_api::risk::DEFAULT_SEED),
                interventions,
                // The result ranks every support item per euro.
                compare: true,
                portfolio,
            };
            let request = options.risk_request().unwrap_or_default();
            request.check().map_err(risk_field)?;
            // As `holisec risk`: ranges, support ids, and runs over 5e9 loss events.
            holisec_api::risk::check_size(&eco, &request).map_err(risk_field)?;
            let seconds = holisec_api::risk::estimate(&eco, &request)
                .map_err(risk_field)?
                .seconds(crate::jobs::rayon_threads());
            too_long("iterations", seconds)?;
            Ok((model, options))
        }
        JobRequest::Simulation {
            model,
            scenario,
            replicates,
            seed,
            days,
            scale,
            fixed_network,
        } => {
            let eco = job_model(store, eco, org, model)?;
            let mut sc = job_scenario(store, &eco, org, &scenario)?;
            let overrides = holisec_api::simulate::Overrides {
                replicates,
                seed,
                days,
                scale,
                fixed_network,
            };
            holisec_api::simulate::apply(&mut sc, &overrides)?;
            let threads = crate::jobs::rayon_threads();
            holisec_api::simulate::check_memory(&eco, &sc, threads)?;
            let seconds = holisec_api::simulate::estimate(&eco, &sc, threads)?.seconds(threads);
            too_long("replicates", seconds)?;
            let options = JobOptions::Simulation {
                scenario,
                replicates: sc.replicates,
                seed: sc.seed,
                days: sc.days,
                scale: sc.scale,
                fixed_network: sc.fixed_network,
            };
            Ok((model, options))
        }
        JobRequest::Plan {
            assessment,
            iterations,
            seed,
            budget,
            value_per_euro_avoided,
        } => {
            crate::jobs::lock(store)
                .assessment_in_org(org, assessment)
                .map_err(|_| ServerError::Invalid {
                    status: StatusCode::NOT_FOUND,
                    field: Some("assessment".into()),
                    message: format!("no assessment {assessment} in your organisation"),
                })?;
            let options = JobOptions::Plan {
                assessment,
                iterations: iterations.unwrap_or(holisec_assess::plan::DEFAULT_ITERATIONS),
                seed: seed.unwrap_or(holisec_assess::plan::DEFAULT_SEED),
                budget,
                value_per_euro_avoided: value_per_euro_avoided
                    .unwrap_or(holisec_assess::plan::DEFAULT_VALUE_PER_EURO_AVOIDED),
            };
            let plan = options.plan_options().unwrap_or_default();
            holisec_api::assess::check_plan_options(&plan).map_err(risk_field)?;
            if plan.run.iterations > MAX_PLAN_ITERATIONS {
                return Err(ServerError::invalid(
                    "iterations",
                    format!(
                        "iterations {}: expected 1 to {MAX_PLAN_ITERATIONS} simulated years for a plan job (one run priced for every questionnaire step: about a second on this server)",
                        plan.run.iterations
                    ),
                ));
            }
            // Always the server's model: the one the questionnaire is checked against.
            Ok((None, options))
        }
        JobRequest::Report {
            iterations,
            seed,
            budget,
            scenario,
            simulation,
        } => resolve_report(
            store,
            eco,
            org,
            model_name,
            ReportRequest {
                iterations,
                seed,
                budget,
                scenario,
                simulation,
            },
        ),
    }
}

/// A report job's fields as the body gave them.
struct ReportRequest {
    iterations: Option<u64>,
    seed: Option<u64>,
    budget: Option<f64>,
    scenario: Option<ScenarioRef>,
    simulation: bool,
}

/// Checks a report job with the checks of the runs it makes (`holisec
/// report`: two risk runs of `iterations` years, whole model and reader;
/// the organisation's plan on the same years; the scenario twice, without
/// and with a package of interventions) and resolves its options: the
/// reader from the organisation's kind, the scenario's seed.
fn resolve_report(
    store: &std::sync::Mutex<holisec_store::Store>,
    eco: &Arc<holisec_model::Ecosystem>,
    org: i64,
    model_name: &str,
    request: ReportRequest,
) -> Result<(Option<i64>, JobOptions), ServerError> {
    let iterations = request
        .iterations
        .unwrap_or(holisec_report::DEFAULT_ITERATIONS);
    let seed = request.seed.unwrap_or(holisec_report::DEFAULT_SEED);
    let budget = request.budget.unwrap_or(holisec_report::DEFAULT_BUDGET);
    let kind = crate::jobs::lock(store)
        .organisation_by_id(org)?
        .map(|o| o.kind)
        .unwrap_or_default();
    let reader = crate::report::reader(eco, &kind);
    // The reader's run (with the ranking of support items within the
    // budget) and the whole model's, as `holisec_report::build` asks them.
    let of_reader = holisec_api::risk::RiskRequest {
        iterations,
        seed,
        stakeholder: reader.clone(),
        compare: true,
        budget: Some(budget),
        ..Default::default()
    };
    let whole = holisec_api::risk::RiskRequest {
        iterations,
        seed,
        ..Default::default()
    };
    // Ranges first (iterations 0, a negative budget), each naming its field.
    of_reader.check().map_err(risk_field)?;
    if iterations > MAX_REPORT_ITERATIONS {
        return Err(ServerError::invalid(
            "iterations",
            format!(
                "iterations {iterations}: expected 1 to {} simulated years for a report job (two risk runs and the organisation's costed plan on the same years: seconds on this server)",
                holisec_api::thousands(MAX_REPORT_ITERATIONS as f64)
            ),
        ));
    }
    let threads = crate::jobs::rayon_threads();
    let mut risk_seconds = 0.0;
    for request in [&of_reader, &whole] {
        holisec_api::risk::check_size(eco, request).map_err(risk_field)?;
        risk_seconds += holisec_api::risk::estimate(eco, request)
            .map_err(risk_field)?
            .seconds(threads);
    }
    let scenario =
        match (request.simulation, request.scenario) {
            (false, Some(_)) => {
                return Err(ServerError::invalid(
                    "scenario",
                    "a scenario with \"simulation\": false: leave one of them out",
                ));
            }
            (false, None) => None,
            (true, scenario) => Some(scenario.unwrap_or_else(|| {
                ScenarioRef::Builtin(holisec_report::DEFAULT_SCENARIO.to_owned())
            })),
        };
    let (scenario_seed, simulation_seconds) = match &scenario {
        None => (None, 0.0),
        Some(r) => {
            let mut sc = job_scenario(store, eco, org, r)?;
            // As `holisec report --seed`: the scenario keeps its own seed
            // unless the request names one.
            let overrides = holisec_api::simulate::Overrides {
                seed: request.seed,
                ..Default::default()
            };
            holisec_api::simulate::apply(&mut sc, &overrides)?;
            holisec_api::simulate::check_memory(eco, &sc, threads)?;
            let once = holisec_api::simulate::estimate(eco, &sc, threads)?.seconds(threads);
            // Run twice: as it is, and with the package of interventions.
            (Some(sc.seed), 2.0 * once)
        }
    };
    let field = if simulation_seconds > risk_seconds {
        "scenario"
    } else {
        "iterations"
    };
    too_long(field, risk_seconds + simulation_seconds)?;
    let options = JobOptions::Report {
        iterations,
        seed,
        budget,
        scenario,
        scenario_seed,
        reader,
        model_name: model_name.to_owned(),
    };
    // Always the server's model: the one the questionnaire is checked against.
    Ok((None, options))
}

/// Most simulated years of a report job: [`MAX_PLAN_ITERATIONS`], the
/// report's default. A report prices the organisation's costed plan on the
/// same years as its risk runs, and a plan keeps every simulated year's
/// loss for each questionnaire step (23 MB and 0.85 s per million years,
/// docs/benchmarks.md "Costed plan"), which the risk estimator does not
/// model; the risk runs and the simulation are also held to
/// [`MAX_JOB_SECONDS`] by the estimators.
pub(crate) const MAX_REPORT_ITERATIONS: u64 = MAX_PLAN_ITERATIONS;

/// Most simulated years of a plan job. A plan runs the hospital's scenarios
/// once and prices every questionnaire step on the same simulated years, so
/// its time grows with the years alone: 0.85 s and 23 MB for 1,000,000
/// years on the 2-core reference machine (docs/benchmarks.md, "Costed plan"),
/// 50 times the CLI's default of 20,000. The risk estimator does not model
/// plans, so instead of a time estimate this cap keeps every plan job to
/// about a second and the queue free for the other organisations.
pub(crate) const MAX_PLAN_ITERATIONS: u64 = 1_000_000;

/// Longest estimated run a job may be: one job computes at a time, and a
/// run of hours would hold every other organisation's job in the queue.
pub(crate) const MAX_JOB_SECONDS: f64 = 15.0 * 60.0;

/// Refuses a run estimated (at the engines' measured rates) to take longer
/// than [`MAX_JOB_SECONDS`], naming the field that sizes it.
fn too_long(field: &str, seconds: f64) -> Result<(), ServerError> {
    if seconds > MAX_JOB_SECONDS {
        return Err(ServerError::invalid(
            field,
            format!(
                "this run would take about {:.0} minutes on this server; a job may take at most {:.0}: ask for fewer {field}",
                seconds / 60.0,
                MAX_JOB_SECONDS / 60.0
            ),
        ));
    }
    Ok(())
}

/// A risk option error, named as the request's field (`with` is `interventions`).
fn risk_field(e: holisec_api::ApiError) -> ServerError {
    match e {
        holisec_api::ApiError::Option {
            option,
            value,
            expected,
        } => {
            let field = match option {
                "with" => "interventions",
                // The portfolio's options, as the body nests them.
                "portfolio" => "portfolio.organisations",
                "providers" => "portfolio.providers",
                "concentration" => "portfolio.concentration",
                "portfolio_iterations" => "portfolio.iterations",
                other => other,
            };
            ServerError::invalid(field, format!("{field} {value}: expected {expected}"))
        }
        // Even one simulated year of the model draws too many loss events.
        holisec_api::ApiError::Invalid(m) => ServerError::invalid("model", m),
        other => other.into(),
    }
}
