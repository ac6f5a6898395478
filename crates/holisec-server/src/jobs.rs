//! The job runner: risk, simulation, costed-plan and report runs off the
//! request path.
//!
//! * One runner thread per [`crate::AppState`] takes the oldest queued job of
//!   any organisation, so at most one job computes at a time on the machine
//!   (the engines use every core) and the others wait in the queue. The store
//!   allows one queued or running job per organisation.
//! * The run happens without the store's lock; the result is written in one
//!   transaction with the job's final state ([`holisec_store::Store::finish_job`]).
//! * Each queued or running job has a [`Live`] entry: the cancellation flag
//!   the engines read at chunk boundaries ([`holisec_api::Progress::cancelled`])
//!   and a `watch` channel of its [`Snapshot`] (state and progress) that the
//!   server-sent events of `/api/v1/jobs/{id}/events` follow.
//! * [`fail_interrupted`] marks the jobs a stopped server left queued or
//!   running as failed; `holisec serve` calls it before it starts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use holisec_api::{ApiError, Progress};
use holisec_assess::Questionnaire;
use holisec_model::Ecosystem;
use holisec_store::{Job, JobState, Store, UploadKind};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::ServerError;
use crate::extract::now;

/// How far a running job is: `done` of `total` `unit`s of its `phase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub(crate) struct ProgressView {
    pub(crate) phase: String,
    pub(crate) done: u64,
    pub(crate) total: u64,
    pub(crate) unit: String,
}

/// What the events of a job say: its state, progress and error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Snapshot {
    pub(crate) state: JobState,
    pub(crate) progress: Option<ProgressView>,
    pub(crate) error: Option<String>,
}

/// A queued or running job as the runner and the handlers share it.
pub(crate) struct Live {
    cancel: AtomicBool,
    pub(crate) status: watch::Sender<Snapshot>,
}

impl Live {
    fn new(state: JobState) -> Arc<Live> {
        Arc::new(Live {
            cancel: AtomicBool::new(false),
            status: watch::Sender::new(Snapshot {
                state,
                progress: None,
                error: None,
            }),
        })
    }
}

type LiveMap = Arc<Mutex<HashMap<i64, Arc<Live>>>>;

/// The runner of an [`crate::AppState`]: its live jobs and the bell that
/// wakes its thread. The thread ends when the state is dropped.
pub(crate) struct Runner {
    live: LiveMap,
    wake: Mutex<mpsc::Sender<()>>,
}

/// Where a simulation's scenario comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum ScenarioRef {
    /// An upload of the organisation.
    Upload(i64),
    /// A built-in scenario, by name.
    Builtin(String),
}

/// A job's full resolved options, stored with it: rerunning them on the same
/// model gives the same result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(crate) enum JobOptions {
    /// `holisec risk -n ITERATIONS --seed SEED --with ... --compare`.
    Risk {
        iterations: u64,
        seed: u64,
        interventions: Vec<String>,
        compare: bool,
        /// `--portfolio N --providers P --concentration S`: an insurer's
        /// book of organisations sharing solution providers. Absent from
        /// jobs stored before portfolios existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        portfolio: Option<holisec_api::risk::PortfolioRequest>,
    },
    /// `holisec simulate --scenario ... --replicates --seed --days --scale
    /// [--fixed-network]`.
    Simulation {
        scenario: ScenarioRef,
        replicates: u32,
        seed: u64,
        days: u32,
        scale: f64,
        /// Every replicate on one network. Absent from jobs stored before
        /// networks were redrawn per replicate, which all ran on one.
        #[serde(default = "stored_before_redraw")]
        fixed_network: bool,
    },
    /// `holisec assess plan ASSESSMENT --iterations N --seed SEED --budget
    /// ... --value-per-euro ...`, always on the server's model and
    /// questionnaire (the ones the assessment is answered against).
    Plan {
        assessment: i64,
        iterations: u64,
        seed: u64,
        budget: Option<f64>,
        value_per_euro_avoided: f64,
    },
    /// `holisec report --org ORGANISATION --for READER --iterations N
    /// --seed SEED --budget B [--scenario S | --no-simulation]` on the
    /// server's model and questionnaire: the whole analysis as one HTML
    /// document, with the organisation's latest assessment as it stands
    /// when the job runs (none yet: no self-assessment section).
    Report {
        iterations: u64,
        seed: u64,
        budget: f64,
        /// The scenario simulated; `None`: no simulation.
        scenario: Option<ScenarioRef>,
        /// The scenario's seed (its own unless the request named `seed`).
        scenario_seed: Option<u64>,
        /// Stakeholder id of the reader (the model's first stakeholder of
        /// the organisation's kind that a threat targets); `None`: the
        /// report's default, the model's first healthcare organisation.
        reader: Option<String>,
        /// How the document names the model (`holisec serve --model`'s
        /// file, or the built-in model's name).
        model_name: String,
    },
}

impl JobOptions {
    /// `risk`, `simulation`, `plan` or `report`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            JobOptions::Risk { .. } => "risk",
            JobOptions::Simulation { .. } => "simulation",
            JobOptions::Plan { .. } => "plan",
            JobOptions::Report { .. } => "report",
        }
    }

    /// The plan options these options stand for.
    pub(crate) fn plan_options(&self) -> Option<holisec_assess::plan::PlanOptions> {
        match self {
            JobOptions::Plan {
                iterations,
                seed,
                budget,
                value_per_euro_avoided,
                ..
            } => Some(holisec_assess::plan::PlanOptions {
                run: holisec_risk::engine::RunOptions {
                    iterations: *iterations,
                    seed: *seed,
                },
                budget: *budget,
                value_per_euro_avoided: *value_per_euro_avoided,
            }),
            _ => None,
        }
    }

    /// The risk request these options stand for.
    pub(crate) fn risk_request(&self) -> Option<holisec_api::risk::RiskRequest> {
        match self {
            JobOptions::Risk {
                iterations,
                seed,
                interventions,
                compare,
                portfolio,
            } => Some(holisec_api::risk::RiskRequest {
                iterations: *iterations,
                seed: *seed,
                with: interventions.clone(),
                compare: *compare,
                portfolio: portfolio.clone(),
                ..Default::default()
            }),
            JobOptions::Simulation { .. } | JobOptions::Plan { .. } | JobOptions::Report { .. } => {
                None
            }
        }
    }
}

/// `fixed_network` of a simulation job stored before the option existed.
fn stored_before_redraw() -> bool {
    true
}

impl Runner {
    /// A runner over `store`, computing with `eco` when a job names no model.
    pub(crate) fn start(
        store: Arc<Mutex<Store>>,
        eco: Arc<Ecosystem>,
        q: Arc<Questionnaire>,
    ) -> Runner {
        let (tx, rx) = mpsc::channel();
        let live: LiveMap = Arc::default();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(rayon_threads())
            .thread_name(|k| format!("holisec-job-{k}"))
            .build()
            .ok();
        let worker = Worker {
            store,
            eco,
            q,
            live: Arc::clone(&live),
            pool,
        };
        let spawned = std::thread::Builder::new()
            .name("holisec-jobs".into())
            .spawn(move || worker.run(&rx));
        if let Err(e) = spawned {
            eprintln!("holisec serve: the job runner did not start: {e}");
        }
        Runner {
            live,
            wake: Mutex::new(tx),
        }
    }

    /// Registers a new queued job. Called under the store's lock right after
    /// the job's insert, so the runner (which needs that lock to find the
    /// job) always finds this entry, and a finished job never gets a new one.
    pub(crate) fn register(&self, id: i64) {
        lock(&self.live)
            .entry(id)
            .or_insert_with(|| Live::new(JobState::Queued));
    }

    /// Wakes the runner: a job was queued.
    pub(crate) fn wake(&self) {
        if let Ok(tx) = self.wake.lock() {
            let _ = tx.send(());
        }
    }

    /// The live entry of a queued or running job.
    pub(crate) fn live(&self, id: i64) -> Option<Arc<Live>> {
        lock(&self.live).get(&id).cloned()
    }

    /// The current snapshot of a live job.
    pub(crate) fn snapshot(&self, id: i64) -> Option<Snapshot> {
        self.live(id).map(|l| l.status.borrow().clone())
    }

    /// After the store cancelled job `id`: stops its run at the next chunk
    /// boundary, or tells its watchers at once when it had not started.
    pub(crate) fn cancelled(&self, id: i64) {
        let Some(live) = self.live(id) else {
            return;
        };
        live.cancel.store(true, Ordering::Relaxed);
        if live.status.borrow().state == JobState::Queued {
            lock(&self.live).remove(&id);
            live.status.send_modify(|s| s.state = JobState::Cancelled);
        }
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The runner thread's side.
struct Worker {
    store: Arc<Mutex<Store>>,
    eco: Arc<Ecosystem>,
    /// The questionnaire the organisations' assessments are answered against.
    q: Arc<Questionnaire>,
    live: LiveMap,
    /// Worker threads of the engines, one per core (`None`: the global pool).
    pool: Option<rayon::ThreadPool>,
}

impl Worker {
    fn run(&self, wake: &mpsc::Receiver<()>) {
        loop {
            let next = lock(&self.store).next_queued_job();
            match next {
                Ok(Some(job)) => self.run_job(job),
                Ok(None) => {
                    if wake.recv().is_err() {
                        return;
                    }
                }
                Err(e) => {
                    eprintln!("holisec serve: the job runner cannot read the queue: {e}");
                    if wake.recv().is_err() {
                        return;
                    }
                }
            }
        }
    }

    fn run_job(&self, job: Job) {
        let live = lock(&self.live)
            .entry(job.id)
            .or_insert_with(|| Live::new(JobState::Queued))
            .clone();
        let started = lock(&self.store).start_job(job.id, &now());
        match started {
            Ok(true) => {}
            Ok(false) => {
                // Cancelled while queued: the store says so already.
                self.publish_final(job.id, &live);
                return;
            }
            Err(e) => {
                eprintln!("holisec serve: job {} cannot start: {e}", job.id);
                self.publish_final(job.id, &live);
                return;
            }
        }
        live.status.send_modify(|s| s.state = JobState::Running);
        let progress = JobProgress(&live);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // The engines' threads are the runner's own, so one server's job
            // never waits for another pool's work (tests run several servers).
            match &self.pool {
                Some(pool) => pool.install(|| self.compute(&job, &progress)),
                None => self.compute(&job, &progress),
            }
        }))
        .unwrap_or_else(|_| {
            Err(Failure::Error(ServerError::Internal(format!(
                "job {} panicked in the engine",
                job.id
            ))))
        });
        let at = now();
        let written = {
            let mut store = lock(&self.store);
            match outcome {
                Ok(Output {
                    result,
                    document: Some(document),
                }) => store.finish_job_with_document(job.id, &result, &document, &at),
                Ok(Output {
                    result,
                    document: None,
                }) => store.finish_job(job.id, JobState::Done, None, Some(&result), &at),
                // The store holds `cancelled` already (written by the cancel route).
                Err(Failure::Cancelled) => Ok(false),
                Err(Failure::Error(e)) => {
                    let message = match e {
                        ServerError::Internal(detail) => {
                            eprintln!("holisec serve: job {} failed: {detail}", job.id);
                            "internal error; the server log has the details".to_owned()
                        }
                        other => other.to_string(),
                    };
                    store.finish_job(job.id, JobState::Failed, Some(&message), None, &at)
                }
            }
        };
        if let Err(e) = written {
            eprintln!("holisec serve: job {} result not stored: {e}", job.id);
        }
        self.publish_final(job.id, &live);
    }

    /// Tells the job's watchers its final state as stored, and forgets it.
    fn publish_final(&self, id: i64, live: &Live) {
        let stored = lock(&self.store).job(id);
        lock(&self.live).remove(&id);
        live.status.send_modify(|s| match stored {
            Ok(Some(job)) => {
                s.state = job.state;
                s.error = job.error;
            }
            _ => {
                s.state = JobState::Failed;
                s.error = Some("the job's state cannot be read".into());
            }
        });
    }
}

/// Progress of a job's run into its [`Live`] entry.
pub(crate) struct JobProgress<'a>(&'a Live);

impl Progress for JobProgress<'_> {
    fn start(&self, phase: &str, total: u64, unit: &str) {
        self.0.status.send_modify(|s| {
            s.progress = Some(ProgressView {
                phase: phase.to_owned(),
                done: 0,
                total,
                unit: unit.to_owned(),
            });
        });
    }

    fn advance(&self, n: u64) {
        self.0.status.send_modify(|s| {
            if let Some(p) = &mut s.progress {
                p.done = (p.done + n).min(p.total);
            }
        });
    }

    fn finish(&self) {}

    fn cancelled(&self) -> bool {
        self.0.cancel.load(Ordering::Relaxed)
    }
}

/// The model a job runs on: the upload it names, else the server's model.
pub(crate) fn job_model(
    store: &Mutex<Store>,
    eco: &Arc<Ecosystem>,
    org: i64,
    model: Option<i64>,
) -> Result<Arc<Ecosystem>, ServerError> {
    let Some(id) = model else {
        return Ok(Arc::clone(eco));
    };
    let upload = lock(store)
        .upload_in_org(org, id)?
        .filter(|u| u.summary.kind == UploadKind::Model)
        .ok_or_else(|| missing_upload("model", id, "model"))?;
    let checked = holisec_api::model::load_text(upload.summary.name, &upload.text)
        .map_err(|r| ServerError::invalid("model", r.to_string()))?;
    Ok(Arc::new(checked.value.ecosystem))
}

/// The 404 of an upload id in a body: the same for another organisation's
/// upload, a missing one, and one of the wrong kind.
pub(crate) fn missing_upload(field: &str, id: i64, kind: &str) -> ServerError {
    ServerError::Invalid {
        status: axum::http::StatusCode::NOT_FOUND,
        field: Some(field.to_owned()),
        message: format!("no {kind} upload {id} in your organisation"),
    }
}

/// The checked scenario of a simulation's options, on `eco`.
pub(crate) fn job_scenario(
    store: &Mutex<Store>,
    eco: &Ecosystem,
    org: i64,
    scenario: &ScenarioRef,
) -> Result<holisec_sim::Scenario, ServerError> {
    let source = match scenario {
        ScenarioRef::Builtin(name) => holisec_api::simulate::builtin_source(name)
            .map_err(|e| ServerError::invalid("scenario", e.to_string()))?,
        ScenarioRef::Upload(id) => {
            let upload = lock(store)
                .upload_in_org(org, *id)?
                .filter(|u| u.summary.kind == UploadKind::Scenario)
                .ok_or_else(|| missing_upload("scenario", *id, "scenario"))?;
            holisec_api::Source::new(upload.summary.name, upload.text)
        }
    };
    holisec_api::simulate::load(eco, source)
        .map(|c| c.value)
        .map_err(|r| ServerError::invalid("scenario", r.to_string()))
}

/// Why a run gave no result.
pub(crate) enum Failure {
    /// Its user cancelled it.
    Cancelled,
    /// It failed.
    Error(ServerError),
}

impl From<ServerError> for Failure {
    fn from(e: ServerError) -> Self {
        Failure::Error(e)
    }
}

/// What a finished run stores: its result (JSON text) and, for a report,
/// the document.
pub(crate) struct Output {
    pub(crate) result: String,
    pub(crate) document: Option<String>,
}

impl Worker {
    /// Runs a job's options and returns what to store.
    fn compute(&self, job: &Job, progress: &JobProgress<'_>) -> Result<Output, Failure> {
        compute(&self.store, &self.eco, &self.q, job, progress)
    }
}

/// Runs a job's options and returns what to store.
fn compute(
    store: &Mutex<Store>,
    eco: &Arc<Ecosystem>,
    q: &Questionnaire,
    job: &Job,
    progress: &JobProgress<'_>,
) -> Result<Output, Failure> {
    let options: JobOptions = serde_json::from_str(&job.options)
        .map_err(|e| ServerError::Internal(format!("job {} options: {e}", job.id)))?;
    let eco = job_model(store, eco, job.organisation_id, job.model)?;
    let json = match &options {
        JobOptions::Risk { .. } => {
            let request = options.risk_request().unwrap_or_default();
            let outcome = holisec_api::risk::run(&eco, &request, progress).map_err(run_error)?;
            serde_json::to_string(&holisec_api::risk::result(&outcome))
        }
        JobOptions::Simulation {
            scenario,
            replicates,
            seed,
            days,
            scale,
            fixed_network,
        } => {
            let mut sc = job_scenario(store, &eco, job.organisation_id, scenario)?;
            let overrides = holisec_api::simulate::Overrides {
                replicates: Some(*replicates),
                seed: Some(*seed),
                days: Some(*days),
                scale: Some(*scale),
                fixed_network: Some(*fixed_network),
            };
            holisec_api::simulate::apply(&mut sc, &overrides).map_err(run_error)?;
            let threads = rayon_threads();
            let report =
                holisec_api::simulate::run(&eco, &sc, threads, progress).map_err(run_error)?;
            serde_json::to_string(&holisec_api::simulate::result(&report))
        }
        JobOptions::Plan { assessment, .. } => {
            let plan = options.plan_options().unwrap_or_default();
            let outcome = compute_plan(
                store,
                &eco,
                q,
                job.organisation_id,
                *assessment,
                &plan,
                progress,
            )?;
            serde_json::to_string(&outcome)
        }
        JobOptions::Report { .. } => {
            return crate::report::compute(store, &eco, q, job, &options, progress);
        }
    };
    let result = json.map_err(|e| {
        Failure::Error(ServerError::Internal(format!("job {} result: {e}", job.id)))
    })?;
    Ok(Output {
        result,
        document: None,
    })
}

/// A plan job: its inputs read under the store's lock, computed without it,
/// then stored where `holisec assess plan` and the assessment page find it.
fn compute_plan(
    store: &Mutex<Store>,
    eco: &Ecosystem,
    q: &Questionnaire,
    org: i64,
    assessment: i64,
    options: &holisec_assess::plan::PlanOptions,
    progress: &JobProgress<'_>,
) -> Result<holisec_api::assess::PlanOutcome, Failure> {
    let inputs = {
        let s = lock(store);
        // The assessment may have gone (or never been this organisation's).
        s.assessment_in_org(org, assessment)
            .map_err(ServerError::from)?;
        holisec_api::assess::plan_inputs(&s, eco, q, assessment, options).map_err(run_error)?
    };
    let outcome =
        holisec_api::assess::compute_plan(eco, q, &inputs, options, progress).map_err(run_error)?;
    holisec_api::assess::save_plan(&mut lock(store), &outcome, &now()).map_err(run_error)?;
    Ok(outcome)
}

pub(crate) fn run_error(e: ApiError) -> Failure {
    match e {
        ApiError::Cancelled => Failure::Cancelled,
        other => Failure::Error(other.into()),
    }
}

/// Worker threads the engines use (the global pool: every core).
pub(crate) fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Marks every job a previous server process left queued or running as
/// failed ([`holisec_store::INTERRUPTED`]), with an audit entry each; returns
/// their ids. `holisec serve` calls it before it starts serving.
pub fn fail_interrupted(store: &mut Store) -> Result<Vec<i64>, ServerError> {
    Ok(store.fail_interrupted_jobs(&now())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A simulation job stored before networks were redrawn per replicate
    /// ran on one network: it reads back with `fixed_network` set.
    #[test]
    fn simulation_jobs_stored_before_redraw_keep_one_network() {
        let old = r#"{"kind":"simulation","scenario":"worm-killswitch","replicates":3,"seed":1,"days":20,"scale":0.01}"#;
        let options: JobOptions = serde_json::from_str(old).unwrap();
        assert!(matches!(
            options,
            JobOptions::Simulation {
                fixed_network: true,
                ..
            }
        ));
    }
}
