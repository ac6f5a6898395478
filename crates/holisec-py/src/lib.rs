//! The native module of the `holisec` Python package (`holisec._native`).
//!
//! A thin shell over `holisec-api`, as the CLI and the server are: every
//! function takes the same requests and returns the same JSON as the CLI's
//! `--json` (and the same CSV as its `--csv`/`--lec-csv`), so the three front
//! ends cannot disagree. The Python layer (`python/holisec/__init__.py`) turns
//! the JSON into dicts and the CSV into `pyarrow` tables.
//!
//! Every engine run releases the GIL (`Python::detach`) and runs on its own
//! rayon pool of the requested size; results do not depend on that size.

use std::sync::Arc;

use holisec_api::risk::{self as risk_api, RiskRequest};
use holisec_api::simulate::{self as sim_api, Overrides};
use holisec_api::{ApiError, NoProgress, Rejected, Source};
use holisec_model::Ecosystem;
use holisec_sim::summary::Stats;
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// The Rust side of the module allocates with mimalloc, not the process's
/// malloc. Why: Dask's worker processes set `MALLOC_TRIM_THRESHOLD_`, which
/// turns off glibc's adaptive mmap threshold, so every large vector of a
/// simulation (the network of each replicate, tens of MB) was mapped and
/// unmapped again and its pages faulted in afresh: the engine ran 14-19%
/// slower in a Dask worker than in the driver (docs/benchmarks.md, "Sweeps").
/// mimalloc keeps freed memory for reuse whatever the environment says, and
/// Python's own objects keep Python's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(
    _native,
    InputError,
    PyValueError,
    "An input (model, scenario, questionnaire, answer file) has errors: args are (report, diagnostics as JSON)."
);

/// A checked model: the built-in one or a file's.
#[pyclass(frozen, module = "holisec._native")]
struct Model {
    ecosystem: Arc<Ecosystem>,
    name: String,
    warnings: String,
}

#[pymethods]
impl Model {
    /// The name diagnostics use (the path, or `<built-in europe.toml>`).
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The validated model as JSON (stakeholders, factors, relations, threats,
    /// support, countries).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(self.ecosystem.as_ref()).map_err(failed)
    }

    /// Warnings of the file as JSON: a list of located diagnostics.
    fn warnings_json(&self) -> &str {
        &self.warnings
    }
}

fn failed(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

/// The CLI's rendering of every diagnostic (file:line:column, what was
/// expected) and the same diagnostics as JSON.
fn rejected(r: &Rejected) -> PyErr {
    let text = holisec_api::diagnostics::rejected(r, true, false);
    let json = serde_json::to_string(&r.source.located(&r.diagnostics)).unwrap_or_default();
    InputError::new_err((text, json))
}

fn api_error(e: ApiError) -> PyErr {
    match e {
        ApiError::Rejected(r) => rejected(&r),
        e if e.is_invalid_input() => PyValueError::new_err(e.to_string()),
        e => PyRuntimeError::new_err(e.to_string()),
    }
}

fn pool(threads: Option<usize>) -> PyResult<rayon::ThreadPool> {
    if let Some(t) = threads
        && (t == 0 || t > 1024)
    {
        return Err(PyValueError::new_err(format!(
            "threads {t}: expected 1 to 1024"
        )));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(failed)
}

/// Loads and validates a model: `data` is the file's bytes, `None` for the
/// built-in European model. Raises `InputError` naming line and column.
#[pyfunction]
#[pyo3(signature = (name, data=None))]
fn load_model(name: &str, data: Option<Vec<u8>>) -> PyResult<Model> {
    let checked = match data {
        None => holisec_api::model::builtin(),
        Some(bytes) => holisec_api::model::load(name, &bytes).map_err(|r| rejected(&r))?,
    };
    let warnings =
        serde_json::to_string(&checked.source.located(&checked.warnings)).map_err(failed)?;
    Ok(Model {
        ecosystem: Arc::new(checked.value.ecosystem),
        name: checked.source.name.clone(),
        warnings,
    })
}

/// Runs the risk engine: `request` is a JSON `RiskRequest` (the server's
/// field names). Returns (the CLI's `risk --json`, its `--lec-csv`).
#[pyfunction]
#[pyo3(signature = (model, request, threads=None))]
fn risk(
    py: Python<'_>,
    model: &Model,
    request: &str,
    threads: Option<usize>,
) -> PyResult<(String, String)> {
    let request: RiskRequest = serde_json::from_str(request)
        .map_err(|e| PyValueError::new_err(format!("risk request: {e}")))?;
    request.check().map_err(api_error)?;
    let pool = pool(threads)?;
    let eco = Arc::clone(&model.ecosystem);
    let outcome = py
        .detach(|| pool.install(|| risk_api::run(&eco, &request, &NoProgress)))
        .map_err(api_error)?;
    let json = serde_json::to_string(&outcome).map_err(failed)?;
    Ok((json, risk_api::lec_csv(&outcome)))
}

/// The built-in scenarios as JSON (name and summary).
#[pyfunction]
fn builtin_scenarios() -> PyResult<String> {
    serde_json::to_string(&sim_api::builtin_scenarios()).map_err(failed)
}

/// Runs the propagation simulator on a built-in scenario (`text` = `None`)
/// or a scenario file's text. Returns (the CLI's `simulate --json`, and its
/// four `--csv` tables: daily series, countries, replicates, organisations).
#[pyfunction]
#[pyo3(signature = (model, scenario, text=None, replicates=None, seed=None, days=None, scale=None, threads=None, fixed_network=None))]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    model: &Model,
    scenario: &str,
    text: Option<String>,
    replicates: Option<u32>,
    seed: Option<u64>,
    days: Option<u32>,
    scale: Option<f64>,
    threads: Option<usize>,
    fixed_network: Option<bool>,
) -> PyResult<(String, [String; 5])> {
    let source = match text {
        Some(text) => Source::new(scenario, text),
        None => sim_api::builtin_source(scenario).map_err(api_error)?,
    };
    let eco = Arc::clone(&model.ecosystem);
    let mut sc = sim_api::load(&eco, source).map_err(|r| rejected(&r))?.value;
    sim_api::apply(
        &mut sc,
        &Overrides {
            replicates,
            seed,
            days,
            scale,
            fixed_network,
        },
    )
    .map_err(api_error)?;
    let pool = pool(threads)?;
    let n = pool.current_num_threads();
    sim_api::check_memory(&eco, &sc, n).map_err(api_error)?;
    let report = py
        .detach(|| pool.install(|| sim_api::run(&eco, &sc, n, &NoProgress)))
        .map_err(api_error)?;
    let json = serde_json::to_string(&report).map_err(failed)?;
    let tables = [
        report.series_csv(),
        report.countries_csv(),
        report.replicates_csv(),
        report.organisations_csv(),
        report.named_csv(),
    ];
    Ok((json, tables))
}

/// Scores an answer file (TOML, or CSV when its name ends in `.csv`)
/// against the built-in questionnaire or a questionnaire file's text:
/// weighted maturity per domain, as JSON.
#[pyfunction]
#[pyo3(signature = (model, answers_name, answers_text, questionnaire=None))]
fn score(
    model: &Model,
    answers_name: &str,
    answers_text: String,
    questionnaire: Option<(String, String)>,
) -> PyResult<String> {
    use holisec_api::assess;
    let q = match questionnaire {
        None => assess::builtin_questionnaire(&model.ecosystem),
        Some((name, text)) => assess::load_questionnaire(&model.ecosystem, Source::new(name, text)),
    }
    .map_err(|r| rejected(&r))?
    .value;
    let parsed = assess::read_answers(&q, Source::new(answers_name, answers_text))
        .map_err(|r| rejected(&r))?
        .value;
    serde_json::to_string(&assess::score_file(&q, &parsed)).map_err(failed)
}

/// A checked sweep file and its design.
#[pyclass(frozen, module = "holisec._native")]
struct Sweep {
    sweep: holisec_sweep::Sweep,
    design: holisec_sweep::Design,
}

#[pymethods]
impl Sweep {
    /// The checked sweep as JSON.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.sweep).map_err(failed)
    }

    /// The design as JSON: factors and every point with its seed and values.
    fn design_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.design).map_err(failed)
    }

    /// Points of the design.
    fn point_count(&self) -> usize {
        self.design.points.len()
    }
}

/// Reads and checks a sweep file's text; raises `InputError` naming line and column.
#[pyfunction]
fn load_sweep(name: &str, text: String) -> PyResult<Sweep> {
    let sweep = holisec_api::sweep::load(Source::new(name, text))
        .map_err(|r| rejected(&r))?
        .value;
    let design = holisec_api::sweep::design(&sweep);
    Ok(Sweep { sweep, design })
}

/// A point's seed, outputs per replicate and summary per output.
type PointResult = (u64, Vec<Vec<f64>>, Vec<[f64; 7]>);

/// Runs point `index` of a sweep on a built-in scenario (`text` = `None`) or
/// a scenario file's text. Returns (the point's seed, outputs per replicate,
/// and per output its statistics over the replicates in the order of
/// `SUMMARY_STATISTICS`: mean, sd, p5, p50, p95, min, max).
#[pyfunction]
#[pyo3(signature = (model, sweep, index, scenario, text=None, threads=None))]
fn run_point(
    py: Python<'_>,
    model: &Model,
    sweep: &Sweep,
    index: u64,
    scenario: &str,
    text: Option<String>,
    threads: Option<usize>,
) -> PyResult<PointResult> {
    let source = match text {
        Some(text) => Source::new(scenario, text),
        None => sim_api::builtin_source(scenario).map_err(api_error)?,
    };
    let eco = Arc::clone(&model.ecosystem);
    let sc = sim_api::load(&eco, source).map_err(|r| rejected(&r))?.value;
    let pool = pool(threads)?;
    let n = pool.current_num_threads();
    let run = py
        .detach(|| {
            pool.install(|| {
                holisec_api::sweep::run_point(
                    &eco,
                    &sc,
                    &sweep.sweep,
                    &sweep.design,
                    index,
                    n,
                    &NoProgress,
                )
            })
        })
        .map_err(api_error)?;
    let summary = run.summary.iter().map(Stats::values).collect();
    Ok((run.seed, run.rows, summary))
}

/// Sensitivity indices of `output` from its mean per point: (JSON, tornado SVG).
#[pyfunction]
fn analyze(sweep: &Sweep, output: &str, y: Vec<f64>) -> PyResult<(String, String)> {
    let indices =
        holisec_api::sweep::analyze(&sweep.sweep, &sweep.design, output, &y).map_err(api_error)?;
    let json = serde_json::to_string(&indices).map_err(failed)?;
    Ok((json, holisec_api::sweep::tornado_svg(&indices)))
}

/// The `holisec._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("ENGINE_VERSION", holisec_api::ENGINE_VERSION)?;
    m.add("SUMMARY_STATISTICS", Stats::NAMES.to_vec())?;
    m.add_class::<Model>()?;
    m.add_function(wrap_pyfunction!(load_model, m)?)?;
    m.add_function(wrap_pyfunction!(risk, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_class::<Sweep>()?;
    m.add_function(wrap_pyfunction!(load_sweep, m)?)?;
    m.add_function(wrap_pyfunction!(run_point, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    Ok(())
}
