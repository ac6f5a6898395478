//! Open FAIR risk in euros: one request, checked once, run once, for every
//! front end.
//!
//! A [`RiskRequest`] holds what a user can choose (simulated years, seed,
//! scenario and stakeholder selection, support items to try, a budget, a
//! portfolio) with the presets the README documents. [`run`] checks it,
//! refuses runs that would take hours, runs the engine and the optional
//! portfolio, and returns the engine's [`RiskReport`] with what a reader needs
//! first: the annual loss of ONE organisation of each targeted stakeholder,
//! healthcare organisations (hospitals) first ([`RiskOutcome::per_organisation`]).

use holisec_model::{Ecosystem, StakeholderKind, SupportIdx};
use holisec_risk::chart;
use holisec_risk::compare;
use holisec_risk::engine::{self, Intervention, MAX_ITERATIONS, RiskError, RiskModel, RunOptions};
use holisec_risk::portfolio::{self, MAX_ORGANISATIONS, PortfolioOptions};
use holisec_risk::report::{self, InterventionResult, RiskReport, Summary};
use holisec_risk::sampling::SamplerMode;
use holisec_risk::scenario::Selection;
use serde::{Deserialize, Serialize};

use crate::{ApiError, Progress};

/// Simulated years of a run unless the user says otherwise.
pub const DEFAULT_ITERATIONS: u64 = 1_000_000;
/// Seed unless the user says otherwise.
pub const DEFAULT_SEED: u64 = 1;
/// Simulated years of a portfolio run (each year simulates every member).
pub const DEFAULT_PORTFOLIO_ITERATIONS: u64 = 10_000;
/// Solution providers a portfolio's members share unless the user says otherwise.
pub const DEFAULT_PROVIDERS: u32 = 10;
/// Zipf exponent of the providers' market shares unless the user says otherwise.
pub const DEFAULT_CONCENTRATION: f64 = 1.0;
/// Largest number of loss events (and, for a portfolio, scenario draws) a run
/// may make: about a minute on 2 cores. Larger runs are refused, not started.
pub const MAX_LOSS_EVENTS: f64 = 5e9;
/// Id of the intervention that applies every support item of the model at once.
pub const ALL_SUPPORT: &str = "all-support";
/// Most interventions drawn on the loss exceedance chart besides the baseline.
pub const CHART_INTERVENTIONS: usize = 5;

/// What a user asks of the risk engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskRequest {
    /// Simulated years, 1 to 1,000,000,000.
    pub iterations: u64,
    /// Seed of the random streams.
    pub seed: u64,
    /// Only these scenarios (`threat/vulnerability/stakeholder`,
    /// `threat/vulnerability` or `threat`); all when empty.
    pub scenarios: Vec<String>,
    /// Only scenarios targeting this stakeholder id (one organisation's view).
    pub stakeholder: Option<String>,
    /// Support items to simulate applied together.
    pub with: Vec<String>,
    /// Rank every support item by risk reduced per euro.
    pub compare: bool,
    /// Annual budget for combinations of support items (implies `compare`).
    pub budget: Option<f64>,
    /// Sample Beta-PERT exactly instead of from quantile tables.
    pub exact_pert: bool,
    /// Also simulate a portfolio of organisations sharing solution providers.
    pub portfolio: Option<PortfolioRequest>,
}

impl Default for RiskRequest {
    fn default() -> Self {
        RiskRequest {
            iterations: DEFAULT_ITERATIONS,
            seed: DEFAULT_SEED,
            scenarios: Vec::new(),
            stakeholder: None,
            with: Vec::new(),
            compare: false,
            budget: None,
            exact_pert: false,
            portfolio: None,
        }
    }
}

/// A portfolio of organisations of one stakeholder sharing solution providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortfolioRequest {
    /// Members, 1 to 100,000.
    pub organisations: u32,
    /// Solution providers they share, 1 to `organisations`.
    pub providers: u32,
    /// Zipf exponent of the providers' market shares (0 = equal shares), 0 to 10.
    pub concentration: f64,
    /// Simulated years (default [`DEFAULT_PORTFOLIO_ITERATIONS`]).
    pub iterations: Option<u64>,
}

impl Default for PortfolioRequest {
    fn default() -> Self {
        PortfolioRequest {
            organisations: 100,
            providers: DEFAULT_PROVIDERS,
            concentration: DEFAULT_CONCENTRATION,
            iterations: None,
        }
    }
}

/// One organisation's figure for a targeted stakeholder: the headline.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationFigure {
    /// Stakeholder id.
    pub stakeholder: String,
    /// Stakeholder name.
    pub name: String,
    /// Stakeholder kind.
    pub kind: StakeholderKind,
    /// Annual loss of one organisation of that stakeholder.
    pub summary: Summary,
}

/// What a risk run returns.
#[derive(Debug, Clone, Serialize)]
pub struct RiskOutcome {
    /// Everything the engine measured (its fields at the top level of the JSON).
    #[serde(flatten)]
    pub report: RiskReport,
    /// One organisation of each targeted stakeholder, healthcare organisations
    /// first, then by annual loss.
    pub per_organisation: Vec<OrganisationFigure>,
    /// What `report.total` adds up, in words.
    pub total_scope: String,
    /// Index in `report.interventions` of the `with` set, when asked.
    pub with_index: Option<usize>,
}

impl RiskRequest {
    /// Checks every option, naming the first one out of range.
    pub fn check(&self) -> Result<(), ApiError> {
        check_iterations("iterations", self.iterations)?;
        if let Some(b) = self.budget
            && !(b.is_finite() && b >= 0.0)
        {
            return Err(ApiError::option("budget", b, "an amount of 0 or more"));
        }
        if let Some(p) = &self.portfolio {
            p.check()?;
        }
        Ok(())
    }

    fn sampler(&self) -> SamplerMode {
        if self.exact_pert {
            SamplerMode::Exact
        } else {
            SamplerMode::Table
        }
    }
}

impl PortfolioRequest {
    /// Checks the portfolio's options.
    pub fn check(&self) -> Result<(), ApiError> {
        if let Some(n) = self.iterations {
            check_iterations("portfolio_iterations", n)?;
        }
        let n = self.organisations;
        if n == 0 || n > MAX_ORGANISATIONS {
            return Err(ApiError::option(
                "portfolio",
                n,
                format!(
                    "1 to {} organisations",
                    crate::thousands(MAX_ORGANISATIONS as f64)
                ),
            ));
        }
        if self.providers == 0 || self.providers > n {
            return Err(ApiError::option(
                "providers",
                self.providers,
                format!("1 to {n} (the portfolio's size)"),
            ));
        }
        if !(self.concentration.is_finite() && (0.0..=10.0).contains(&self.concentration)) {
            return Err(ApiError::option(
                "concentration",
                self.concentration,
                "a Zipf exponent from 0 to 10",
            ));
        }
        Ok(())
    }
}

fn check_iterations(option: &'static str, n: u64) -> Result<(), ApiError> {
    if n == 0 || n > MAX_ITERATIONS {
        return Err(ApiError::option(
            option,
            n,
            format!(
                "1 to {} simulated years",
                crate::thousands(MAX_ITERATIONS as f64)
            ),
        ));
    }
    Ok(())
}

fn engine_error(err: RiskError, eco: &Ecosystem) -> ApiError {
    match err {
        RiskError::UnknownSupport(id) => {
            let hint = crate::did_you_mean(&id, eco.supports.iter().map(|s| s.id.as_str()));
            ApiError::Option {
                option: "with",
                expected: format!(
                    "one of the model's support items{hint}: {}",
                    eco.supports
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                value: id,
            }
        }
        RiskError::Cancelled => ApiError::Cancelled,
        RiskError::Iterations(n) => ApiError::option(
            "iterations",
            n,
            format!("1 to {}", crate::thousands(MAX_ITERATIONS as f64)),
        ),
        other => ApiError::Invalid(other.to_string()),
    }
}

/// The stakeholder a portfolio is made of when the user names none: the first
/// healthcare organisation a selected scenario targets, else the first
/// targeted stakeholder.
pub fn default_member(eco: &Ecosystem, model: &RiskModel) -> Option<String> {
    eco.stakeholders
        .iter()
        .filter(|s| s.kind == StakeholderKind::HealthcareOrganisation)
        .map(|s| s.id.clone())
        .find(|id| model.set.scenarios.iter().any(|s| &s.stakeholder == id))
        .or_else(|| model.set.scenarios.first().map(|s| s.stakeholder.clone()))
}

/// The scenarios drawing the most loss events a year, as "`id` (N a year)", at most `k`.
fn dominant_scenarios(model: &RiskModel, k: usize) -> Vec<(String, f64)> {
    let mut by: Vec<(String, f64)> = model
        .scenarios()
        .map(|s| s.id.clone())
        .zip(model.expected_loss_events_by_scenario())
        .collect();
    by.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by.truncate(k);
    by
}

fn listed(dominant: &[(String, f64)]) -> String {
    dominant
        .iter()
        .map(|(id, n)| format!("`{id}` ({} a year)", crate::thousands(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Refuses a run that would draw more than [`MAX_LOSS_EVENTS`] loss events.
/// Refuses, before anything runs, what [`run`] would refuse: options out of
/// range, unknown support items, and runs drawing more than
/// [`MAX_LOSS_EVENTS`] loss events (naming `iterations`, or the model when
/// one simulated year is too many). A server checks a job with it before
/// queueing it.
pub fn check_size(eco: &Ecosystem, request: &RiskRequest) -> Result<(), ApiError> {
    request.check()?;
    let selection = Selection {
        scenarios: request.scenarios.clone(),
        stakeholder: request.stakeholder.clone(),
    };
    let model =
        RiskModel::new(eco, &selection, request.sampler()).map_err(|e| engine_error(e, eco))?;
    check_work(&model, request.iterations)?;
    interventions(&model, eco, request).map(drop)
}

fn check_work(model: &RiskModel, iterations: u64) -> Result<(), ApiError> {
    let per_year = model.expected_loss_events_per_year();
    let events = per_year * iterations as f64;
    if per_year > MAX_LOSS_EVENTS {
        // Not even one simulated year fits: fewer iterations cannot help.
        return Err(ApiError::Invalid(format!(
            "the model itself draws too many loss events: {per_year:.1e} a year on average, more than a whole run may draw ({MAX_LOSS_EVENTS:.0e}, about a minute on 2 cores); the scenarios drawing the most: {}; lower their frequencies (or select other scenarios with --scenario)",
            listed(&dominant_scenarios(model, 3))
        )));
    }
    if events > MAX_LOSS_EVENTS {
        return Err(ApiError::option(
            "iterations",
            iterations,
            format!(
                "at most {} simulated years for this model: it draws {} loss events a year on average, {events:.1e} in all, and a run is limited to {MAX_LOSS_EVENTS:.0e} (about a minute on 2 cores)",
                crate::thousands((MAX_LOSS_EVENTS / per_year).floor().max(1.0)),
                crate::thousands(per_year),
            ),
        ));
    }
    Ok(())
}

/// Seconds per recorded slot (scenario or aggregate) and simulated year, for
/// models of up to 100 slots (measured: the built-in model, 90 scenarios and
/// 108 slots, 1,000,000 years in 3.2 s on one thread of the development
/// machine, a 2-core cloud VM, release build). Larger models pay more per
/// slot, as their statistics leave the caches: [`SECONDS_PER_SLOT_DOUBLING`].
pub const SECONDS_PER_SCENARIO_YEAR: f64 = 28e-9;
/// Extra seconds per slot-year each time the recorded slots double past
/// 100 (fit to 300, 1,000 and 3,000 scenarios: 71, 104 and 129 ns measured).
pub const SECONDS_PER_SLOT_DOUBLING: f64 = 25e-9;
/// Seconds per loss event drawn (measured: one scenario, 1e8 events in 1.75 s).
pub const SECONDS_PER_LOSS_EVENT: f64 = 17.5e-9;
/// Seconds per loss event and intervention that changes its scenario
/// (measured: four interventions added 1.1 s to 1e8 events).
pub const SECONDS_PER_EVENT_INTERVENTION: f64 = 2.75e-9;
/// Seconds per intervention and simulated year (measured: 4 interventions x
/// 1e7 years in 0.17 s).
pub const SECONDS_PER_INTERVENTION_YEAR: f64 = 4.25e-9;
/// Seconds per portfolio draw (a member's scenario or loss event in a year;
/// measured: 1,000 members x 1,000 years of the built-in model's hospitals in 0.57 s).
pub const SECONDS_PER_PORTFOLIO_DRAW: f64 = 12.5e-9;

/// What a risk run will cost, known before it starts ([`estimate`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkEstimate {
    /// Simulated years of the main run.
    pub iterations: u64,
    /// Simulated scenarios.
    pub scenarios: usize,
    /// Statistics recorded each simulated year (scenarios and aggregates).
    pub recorded_slots: usize,
    /// Interventions simulated alongside the baseline.
    pub interventions: usize,
    /// Expected loss events a simulated year.
    pub loss_events_per_year: f64,
    /// Expected loss events of the whole main run.
    pub loss_events: f64,
    /// The scenarios drawing the most loss events a year (id, events a year), at most three.
    pub dominant_scenarios: Vec<(String, f64)>,
    /// Scenario and loss-event draws of the portfolio run (0 without one).
    pub portfolio_draws: f64,
    /// Work units: chunks of [`holisec_risk::engine::CHUNK_ITERATIONS`] years
    /// (main run) that threads share; a run never uses more threads than this.
    pub chunks: u64,
    /// Estimated seconds on one core (main run and portfolio).
    pub seconds_per_core: f64,
    /// True when [`run`] would refuse the request (over [`MAX_LOSS_EVENTS`]).
    pub refused: bool,
}

impl WorkEstimate {
    /// Estimated wall-clock seconds on `threads` worker threads.
    pub fn seconds(&self, threads: usize) -> f64 {
        let parallel = (threads.max(1) as u64).min(self.chunks.max(1));
        self.seconds_per_core / parallel as f64
    }
}

/// Estimates the run time of `request` without running it: the selected
/// scenarios, their closed-form loss events a year and the interventions the
/// request simulates, priced at the `SECONDS_PER_*` rates measured on the
/// development machine (within about 40% of measured runs there, from one
/// scenario to 3,000 and 1e8 loss events; scale by a machine's relative
/// speed). Errors are [`run`]'s errors for the same request.
pub fn estimate(eco: &Ecosystem, request: &RiskRequest) -> Result<WorkEstimate, ApiError> {
    request.check()?;
    let selection = Selection {
        scenarios: request.scenarios.clone(),
        stakeholder: request.stakeholder.clone(),
    };
    let model =
        RiskModel::new(eco, &selection, request.sampler()).map_err(|e| engine_error(e, eco))?;
    let (_, interventions, _) = interventions(&model, eco, request)?;
    let events = model.expected_loss_events_by_scenario();
    let per_year: f64 = events.iter().sum();
    let years = request.iterations as f64;
    // Loss events weighed by the interventions that change their scenario.
    let touched: f64 = events
        .iter()
        .enumerate()
        .map(|(s, e)| {
            e * interventions
                .iter()
                .filter(|iv| !iv.controls[s].is_none())
                .count() as f64
        })
        .sum();
    let slots = model.recorded_slots();
    let per_slot = SECONDS_PER_SCENARIO_YEAR
        + SECONDS_PER_SLOT_DOUBLING * (slots.max(100) as f64 / 100.0).log2();
    let mut seconds = years
        * (slots as f64 * per_slot
            + interventions.len() as f64 * SECONDS_PER_INTERVENTION_YEAR
            + per_year * SECONDS_PER_LOSS_EVENT
            + touched * SECONDS_PER_EVENT_INTERVENTION);
    let mut portfolio_draws = 0.0;
    let mut refused = per_year * years > MAX_LOSS_EVENTS;
    if let Some(p) = &request.portfolio
        && let Some(member) = request
            .stakeholder
            .clone()
            .or_else(|| default_member(eco, &model))
    {
        let pmodel = RiskModel::new(
            eco,
            &Selection {
                scenarios: request.scenarios.clone(),
                stakeholder: Some(member),
            },
            request.sampler(),
        )
        .map_err(|e| engine_error(e, eco))?;
        portfolio_draws = (pmodel.expected_loss_events_per_year() + pmodel.len() as f64)
            * f64::from(p.organisations)
            * p.iterations.unwrap_or(DEFAULT_PORTFOLIO_ITERATIONS) as f64;
        seconds += portfolio_draws * SECONDS_PER_PORTFOLIO_DRAW;
        refused |= portfolio_draws > MAX_LOSS_EVENTS;
    }
    Ok(WorkEstimate {
        iterations: request.iterations,
        scenarios: model.len(),
        recorded_slots: slots,
        interventions: interventions.len(),
        loss_events_per_year: per_year,
        loss_events: per_year * years,
        dominant_scenarios: dominant_scenarios(&model, 3),
        portfolio_draws,
        chunks: request
            .iterations
            .div_ceil(holisec_risk::engine::CHUNK_ITERATIONS),
        seconds_per_core: seconds,
        refused,
    })
}

/// The interventions of a request: every single support item (and
/// combinations within the budget), all items together, then the `with` set.
fn interventions(
    model: &RiskModel,
    eco: &Ecosystem,
    request: &RiskRequest,
) -> Result<(compare::ComparePlan, Vec<Intervention>, Option<usize>), ApiError> {
    let plan = compare::plan(model, eco, request.budget);
    let mut all = plan.interventions.clone();
    if eco.supports.len() > 1 {
        let every: Vec<_> = (0..eco.supports.len() as u32).map(SupportIdx).collect();
        let mut iv = model.intervention(eco, &every);
        iv.id = ALL_SUPPORT.into();
        all.push(iv);
    }
    let with_index = if request.with.is_empty() {
        None
    } else {
        let iv = model
            .intervention_by_ids(eco, &request.with)
            .map_err(|e| engine_error(e, eco))?;
        all.push(iv);
        Some(all.len() - 1)
    };
    Ok((plan, all, with_index))
}

/// Checks `request`, runs the engine (and the portfolio, when asked) and
/// returns the report. Same request = same numbers, whatever the thread count.
pub fn run(
    eco: &Ecosystem,
    request: &RiskRequest,
    progress: &dyn Progress,
) -> Result<RiskOutcome, ApiError> {
    request.check()?;
    let selection = Selection {
        scenarios: request.scenarios.clone(),
        stakeholder: request.stakeholder.clone(),
    };
    let model =
        RiskModel::new(eco, &selection, request.sampler()).map_err(|e| engine_error(e, eco))?;
    check_work(&model, request.iterations)?;
    let (plan, interventions, with_index) = interventions(&model, eco, request)?;
    let options = RunOptions {
        iterations: request.iterations,
        seed: request.seed,
    };
    progress.start("risk", request.iterations, "simulated years");
    let result = engine::run_cancellable(
        &model,
        &interventions,
        &options,
        &|n| progress.advance(n),
        &|| progress.cancelled(),
    )
    .map_err(|e| engine_error(e, eco))?;
    progress.finish();
    let mut report = report::build(&model, &result, &interventions, request.stakeholder.clone());
    if request.compare || request.budget.is_some() {
        report.comparison = Some(compare::rank(
            &plan,
            &report.interventions[..plan.interventions.len()],
        ));
    }
    if let Some(p) = &request.portfolio {
        report.portfolio = Some(run_portfolio(eco, &model, request, p, progress)?);
    }
    Ok(RiskOutcome {
        per_organisation: per_organisation(eco, &report),
        total_scope: total_scope(&report),
        report,
        with_index,
    })
}

fn run_portfolio(
    eco: &Ecosystem,
    model: &RiskModel,
    request: &RiskRequest,
    p: &PortfolioRequest,
    progress: &dyn Progress,
) -> Result<portfolio::PortfolioReport, ApiError> {
    let member = match &request.stakeholder {
        Some(h) => h.clone(),
        None => default_member(eco, model)
            .ok_or_else(|| ApiError::Invalid("no stakeholder to build a portfolio of".into()))?,
    };
    let pmodel = RiskModel::new(
        eco,
        &Selection {
            scenarios: request.scenarios.clone(),
            stakeholder: Some(member),
        },
        request.sampler(),
    )
    .map_err(|e| engine_error(e, eco))?;
    let options = RunOptions {
        iterations: p.iterations.unwrap_or(DEFAULT_PORTFOLIO_ITERATIONS),
        seed: request.seed,
    };
    // Work: every member draws every scenario and every loss event each year.
    let draws = (pmodel.expected_loss_events_per_year() + pmodel.len() as f64)
        * f64::from(p.organisations)
        * options.iterations as f64;
    if draws > MAX_LOSS_EVENTS {
        return Err(ApiError::option(
            "portfolio_iterations",
            options.iterations,
            format!(
                "fewer simulated years or a smaller portfolio: {} organisations over {} years would make about {draws:.1e} scenario and loss-event draws (the limit is {MAX_LOSS_EVENTS:.0e})",
                p.organisations,
                crate::thousands(options.iterations as f64)
            ),
        ));
    }
    progress.start("portfolio", options.iterations, "simulated years");
    let report = portfolio::run_cancellable(
        &pmodel,
        &PortfolioOptions {
            organisations: p.organisations,
            providers: p.providers,
            concentration: p.concentration,
        },
        &options,
        &|n| progress.advance(n),
        &|| progress.cancelled(),
    )
    .map_err(|e| engine_error(e, eco))?;
    progress.finish();
    Ok(report)
}

/// One organisation of each targeted stakeholder, healthcare organisations
/// first, then by annual loss (largest first).
pub fn per_organisation(eco: &Ecosystem, report: &RiskReport) -> Vec<OrganisationFigure> {
    let mut rows: Vec<OrganisationFigure> = report
        .by_stakeholder
        .iter()
        .filter_map(|s| {
            let st = eco.stakeholder(eco.stakeholder_by_id(&s.id)?);
            Some(OrganisationFigure {
                stakeholder: st.id.clone(),
                name: st.name.clone(),
                kind: st.kind,
                summary: s.clone(),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        let hospital = |r: &OrganisationFigure| r.kind != StakeholderKind::HealthcareOrganisation;
        hospital(a)
            .cmp(&hospital(b))
            .then(b.summary.ale.total_cmp(&a.summary.ale))
            .then_with(|| a.stakeholder.cmp(&b.stakeholder))
    });
    rows
}

/// What the report's total adds up, in words.
pub fn total_scope(report: &RiskReport) -> String {
    let only = match report.by_stakeholder.as_slice() {
        [one] => Some(&one.id),
        _ => None,
    };
    match report.stakeholder.as_ref().or(only) {
        Some(h) => format!("one organisation of `{h}`"),
        None => format!(
            "the sum over the {} targeted stakeholders of one organisation each (not a sector-wide figure)",
            report.by_stakeholder.len()
        ),
    }
}

/// The interventions drawn on the loss exceedance chart: the `with` set, all
/// support together, the best combination, then the best single items that
/// reduce the loss, at most [`CHART_INTERVENTIONS`].
pub fn chart_interventions(outcome: &RiskOutcome) -> Vec<&InterventionResult> {
    let rep = &outcome.report;
    let mut drawn: Vec<&InterventionResult> = Vec::new();
    if let Some(i) = outcome.with_index {
        drawn.push(&rep.interventions[i]);
    }
    if let Some(all) = rep.interventions.iter().find(|i| i.id == ALL_SUPPORT) {
        drawn.push(all);
    }
    let ranking = rep.comparison.as_ref();
    if let Some(best) = ranking.and_then(|c| c.combinations.first()) {
        drawn.push(&best.result);
    }
    let singles: Vec<&InterventionResult> = match ranking {
        Some(c) => c.single_items.iter().map(|r| &r.result).collect(),
        None => {
            let mut v: Vec<&InterventionResult> = rep
                .interventions
                .iter()
                .filter(|i| i.supports.len() == 1 && i.id != ALL_SUPPORT)
                .collect();
            v.sort_by(|a, b| {
                b.delta_ale
                    .total_cmp(&a.delta_ale)
                    .then_with(|| a.id.cmp(&b.id))
            });
            v
        }
    };
    for r in singles {
        if drawn.len() >= CHART_INTERVENTIONS {
            break;
        }
        if r.delta_ale > 0.0 && !drawn.iter().any(|d| d.id == r.id) {
            drawn.push(r);
        }
    }
    drawn.truncate(CHART_INTERVENTIONS);
    drawn
}

/// The loss exceedance chart (SVG) of the total: baseline and the
/// [`chart_interventions`].
pub fn lec_svg(outcome: &RiskOutcome) -> String {
    chart::report_svg(&outcome.report, &chart_interventions(outcome))
}

/// Every loss exceedance curve as CSV (`series,loss,exceedance_probability`).
pub fn lec_csv(outcome: &RiskOutcome) -> String {
    chart::lec_csv(&outcome.report)
}

/// One loss exceedance curve as two arrays of equal length, ready for a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LecSeries {
    /// `total`, `intervention:<id>` or `stakeholder:<id>` (as in [`lec_csv`]).
    pub name: String,
    /// Annual loss, euros, increasing.
    pub loss: Vec<f64>,
    /// Probability that a year's loss exceeds it.
    pub probability: Vec<f64>,
}

/// The loss exceedance curves a page draws: the total, the
/// [`chart_interventions`] and one per targeted stakeholder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LecChart {
    /// The curves, total first.
    pub series: Vec<LecSeries>,
}

/// What a risk job keeps of a run (`holisec serve`): the figures of
/// `holisec risk --json` per organisation, domain and motivation, the loss
/// exceedance curves as arrays, and the support items ranked per euro.
#[derive(Debug, Clone, Serialize)]
pub struct RiskResult {
    /// Model name.
    pub model: String,
    /// Currency of every amount.
    pub currency: String,
    /// Engine, iterations, seed and accuracy.
    pub engine: report::EngineInfo,
    /// The total annual loss.
    pub total: Summary,
    /// What the total adds up, in words.
    pub total_scope: String,
    /// One organisation of each targeted stakeholder, hospitals first.
    pub per_organisation: Vec<OrganisationFigure>,
    /// Per domain.
    pub by_domain: Vec<Summary>,
    /// Per motivation.
    pub by_motivation: Vec<Summary>,
    /// Loss exceedance curves.
    pub lec: LecChart,
    /// Support items (and combinations) ranked by loss avoided per euro, when
    /// the request compared them.
    pub ranking: Option<compare::Comparison>,
    /// The portfolio run (an insurer's book), when the request asked for one.
    pub portfolio: Option<portfolio::PortfolioReport>,
}

/// The [`RiskResult`] of a run.
pub fn result(outcome: &RiskOutcome) -> RiskResult {
    let rep = &outcome.report;
    let curve = |name: String, s: &Summary| LecSeries {
        name,
        loss: s.lec.iter().map(|p| p.loss).collect(),
        probability: s.lec.iter().map(|p| p.probability).collect(),
    };
    let mut series = vec![curve("total".into(), &rep.total)];
    for iv in chart_interventions(outcome) {
        series.push(curve(format!("intervention:{}", iv.id), &iv.total));
    }
    for s in &rep.by_stakeholder {
        series.push(curve(format!("stakeholder:{}", s.id), s));
    }
    RiskResult {
        model: rep.model.clone(),
        currency: rep.currency.clone(),
        engine: rep.engine.clone(),
        total: rep.total.clone(),
        total_scope: outcome.total_scope.clone(),
        per_organisation: outcome.per_organisation.clone(),
        by_domain: rep.by_domain.clone(),
        by_motivation: rep.by_motivation.clone(),
        lec: LecChart { series },
        ranking: rep.comparison.clone(),
        portfolio: rep.portfolio.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;

    fn small() -> RiskRequest {
        RiskRequest {
            iterations: 2_000,
            ..Default::default()
        }
    }

    /// Cancelled once the first chunk is done.
    struct CancelAfterFirst(std::sync::atomic::AtomicU64);

    impl Progress for CancelAfterFirst {
        fn start(&self, _: &str, _: u64, _: &str) {}
        fn advance(&self, n: u64) {
            self.0.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
        fn finish(&self) {}
        fn cancelled(&self) -> bool {
            self.0.load(std::sync::atomic::Ordering::Relaxed) > 0
        }
    }

    #[test]
    fn a_cancelled_run_stops_at_a_chunk_boundary() {
        let m = crate::model::builtin();
        let req = RiskRequest {
            iterations: 100 * holisec_risk::engine::CHUNK_ITERATIONS,
            ..Default::default()
        };
        let p = CancelAfterFirst(Default::default());
        let err = run(&m.value.ecosystem, &req, &p).unwrap_err();
        assert!(matches!(err, ApiError::Cancelled), "{err}");
        assert!(!err.is_invalid_input());
        let done = p.0.load(std::sync::atomic::Ordering::Relaxed);
        assert!(done < req.iterations / 2, "{done} years ran");
    }

    #[test]
    fn the_result_has_chart_ready_curves_and_the_ranking() {
        let m = crate::model::builtin();
        let req = RiskRequest {
            compare: true,
            ..small()
        };
        let out = run(&m.value.ecosystem, &req, &NoProgress).expect("runs");
        let r = result(&out);
        assert_eq!(r.lec.series[0].name, "total");
        assert!(r.lec.series.len() > 2);
        for s in &r.lec.series {
            assert_eq!(s.loss.len(), s.probability.len(), "{}", s.name);
            assert!(s.loss.windows(2).all(|w| w[0] <= w[1]), "{}", s.name);
        }
        assert!(!r.ranking.expect("compared").single_items.is_empty());
        assert_eq!(r.per_organisation.len(), out.per_organisation.len());
        assert!(!r.by_domain.is_empty() && !r.by_motivation.is_empty());
    }

    /// Cancelled as soon as the portfolio phase starts.
    #[derive(Default)]
    struct CancelInPortfolio(std::sync::atomic::AtomicBool);

    impl Progress for CancelInPortfolio {
        fn start(&self, phase: &str, _: u64, _: &str) {
            if phase == "portfolio" {
                self.0.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        fn advance(&self, _: u64) {}
        fn finish(&self) {}
        fn cancelled(&self) -> bool {
            self.0.load(std::sync::atomic::Ordering::Relaxed)
        }
    }

    #[test]
    fn a_portfolio_is_in_the_result_and_cancellable() {
        let m = crate::model::builtin();
        let req = RiskRequest {
            portfolio: Some(PortfolioRequest {
                organisations: 20,
                providers: 4,
                iterations: Some(4 * holisec_risk::engine::CHUNK_ITERATIONS),
                ..Default::default()
            }),
            ..small()
        };
        let out = run(&m.value.ecosystem, &req, &NoProgress).expect("runs");
        let p = result(&out).portfolio.expect("the portfolio is kept");
        assert_eq!(p.organisations, 20);
        assert_eq!(p.providers.iter().map(|s| s.clients).sum::<u32>(), 20);
        assert!(!p.shared_suppliers.lec.is_empty() && !p.independent.lec.is_empty());
        let err = run(&m.value.ecosystem, &req, &CancelInPortfolio::default()).unwrap_err();
        assert!(matches!(err, ApiError::Cancelled), "{err}");
    }

    #[test]
    fn hospitals_come_first_and_the_total_is_explained() {
        let m = crate::model::builtin();
        let out = run(&m.value.ecosystem, &small(), &NoProgress).expect("runs");
        let first = &out.per_organisation[0];
        assert_eq!(first.kind, StakeholderKind::HealthcareOrganisation);
        assert_eq!(out.per_organisation.len(), out.report.by_stakeholder.len());
        let sum: f64 = out.per_organisation.iter().map(|r| r.summary.ale).sum();
        let rel = (sum - out.report.total.ale).abs() / out.report.total.ale;
        assert!(
            rel < 1e-9,
            "the total is the sum of one organisation each: {rel}"
        );
        assert!(
            out.total_scope.contains("one organisation each"),
            "{}",
            out.total_scope
        );
    }

    #[test]
    fn options_out_of_range_name_the_option() {
        let eco = &crate::model::builtin().value.ecosystem;
        for (req, option) in [
            (
                RiskRequest {
                    iterations: 0,
                    ..small()
                },
                "iterations",
            ),
            (
                RiskRequest {
                    budget: Some(-1.0),
                    ..small()
                },
                "budget",
            ),
            (
                RiskRequest {
                    portfolio: Some(PortfolioRequest {
                        organisations: 5,
                        providers: 6,
                        ..Default::default()
                    }),
                    ..small()
                },
                "providers",
            ),
            (
                RiskRequest {
                    portfolio: Some(PortfolioRequest {
                        concentration: f64::NAN,
                        ..Default::default()
                    }),
                    ..small()
                },
                "concentration",
            ),
        ] {
            match run(eco, &req, &NoProgress) {
                Err(ApiError::Option { option: o, .. }) => assert_eq!(o, option),
                other => panic!("{option}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_unknown_support_item_suggests_the_closest() {
        let eco = &crate::model::builtin().value.ecosystem;
        let id = &eco.supports[0].id;
        let typo = format!("{}x", id);
        let req = RiskRequest {
            with: vec![typo],
            ..small()
        };
        let err = run(eco, &req, &NoProgress).unwrap_err();
        assert!(err.is_invalid_input());
        assert!(
            err.to_string().contains(&format!("did you mean `{id}`")),
            "{err}"
        );
    }

    #[test]
    fn runs_that_would_take_hours_are_refused_before_starting() {
        let eco = &crate::model::builtin().value.ecosystem;
        let model = RiskModel::new(eco, &Selection::default(), SamplerMode::Table).expect("model");
        let per_year = model.expected_loss_events_per_year();
        let limit = (MAX_LOSS_EVENTS / per_year).floor() as u64;
        assert!(check_work(&model, limit).is_ok());
        let err = check_work(&model, limit + 1).unwrap_err().to_string();
        assert!(
            err.contains("loss events") && err.contains("at most"),
            "{err}"
        );
        assert!(matches!(
            check_work(&model, limit + 1),
            Err(ApiError::Option {
                option: "iterations",
                ..
            })
        ));
        // A portfolio too large is refused after the (small) main run, before its own.
        let req = RiskRequest {
            portfolio: Some(PortfolioRequest {
                organisations: MAX_ORGANISATIONS,
                providers: 10,
                iterations: Some(MAX_ITERATIONS),
                ..Default::default()
            }),
            ..small()
        };
        let err = run(eco, &req, &NoProgress).unwrap_err().to_string();
        assert!(err.contains("draws"), "{err}");
    }

    #[test]
    fn a_model_that_draws_too_much_in_one_year_is_named_not_the_iterations() {
        // Validation keeps frequencies at most 1e6 a year; an ecosystem built
        // in code may not. `-n 1` cannot help here, so the message says so.
        let mut eco = crate::model::builtin().value.ecosystem;
        let busiest = eco.threats[0].id.clone();
        eco.threats[0].frequency = holisec_model::Distribution::Constant { value: 1e12 };
        let err = run(
            &eco,
            &RiskRequest {
                iterations: 1,
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, ApiError::Invalid(_)), "{err:?}");
        assert!(
            text.contains("the model itself draws too many loss events")
                && text.contains(&format!("`{busiest}/"))
                && !text.contains("--iterations"),
            "{text}"
        );
        let est = estimate(
            &eco,
            &RiskRequest {
                iterations: 1,
                ..Default::default()
            },
        )
        .expect("estimated");
        assert!(est.refused && est.dominant_scenarios[0].0.starts_with(&busiest));
    }

    #[test]
    fn the_estimate_counts_what_the_run_draws() {
        let eco = &crate::model::builtin().value.ecosystem;
        let req = RiskRequest::default();
        let est = estimate(eco, &req).expect("estimated");
        let model = RiskModel::new(eco, &Selection::default(), SamplerMode::Table).expect("model");
        assert_eq!(est.scenarios, model.len());
        assert_eq!(est.iterations, DEFAULT_ITERATIONS);
        assert!((est.loss_events_per_year - model.expected_loss_events_per_year()).abs() < 1e-9);
        assert!((est.loss_events - est.loss_events_per_year * 1e6).abs() < 1e-3);
        assert!(!est.refused && est.portfolio_draws == 0.0);
        assert!(est.interventions >= eco.supports.len());
        assert!(est.recorded_slots >= est.scenarios);
        // Sorted by events a year.
        assert!(est.dominant_scenarios.windows(2).all(|w| w[0].1 >= w[1].1));
        // Time: proportional to the years, shared by threads up to the chunks.
        let ten = estimate(
            eco,
            &RiskRequest {
                iterations: 10 * DEFAULT_ITERATIONS,
                ..req.clone()
            },
        )
        .expect("estimated");
        assert!((ten.seconds_per_core / est.seconds_per_core - 10.0).abs() < 1e-9);
        assert!((est.seconds(2) - est.seconds_per_core / 2.0).abs() < 1e-12);
        let one_chunk = estimate(
            eco,
            &RiskRequest {
                iterations: 1_000,
                ..req.clone()
            },
        )
        .expect("estimated");
        assert_eq!(one_chunk.chunks, 1);
        assert_eq!(one_chunk.seconds(8), one_chunk.seconds_per_core);
        // A portfolio adds its draws; the same refusals as `run`.
        let with = estimate(
            eco,
            &RiskRequest {
                portfolio: Some(PortfolioRequest::default()),
                ..req.clone()
            },
        )
        .expect("estimated");
        assert!(with.portfolio_draws > 0.0 && with.seconds_per_core > est.seconds_per_core);
        assert!(matches!(
            estimate(
                eco,
                &RiskRequest {
                    iterations: 0,
                    ..req
                }
            ),
            Err(ApiError::Option {
                option: "iterations",
                ..
            })
        ));
    }

    #[test]
    fn the_portfolio_defaults_to_a_healthcare_organisation_and_counts_years() {
        use std::sync::atomic::{AtomicU64, Ordering};
        struct Count(AtomicU64, std::sync::Mutex<Vec<(String, u64)>>);
        impl Progress for Count {
            fn start(&self, phase: &str, total: u64, _unit: &str) {
                self.1.lock().expect("lock").push((phase.to_owned(), total));
                self.0.store(0, Ordering::SeqCst);
            }
            fn advance(&self, n: u64) {
                self.0.fetch_add(n, Ordering::SeqCst);
            }
            fn finish(&self) {
                let phases = self.1.lock().expect("lock");
                let total = phases.last().expect("started").1;
                assert_eq!(
                    self.0.load(Ordering::SeqCst),
                    total,
                    "progress counts what it says"
                );
            }
        }
        let eco = &crate::model::builtin().value.ecosystem;
        let req = RiskRequest {
            portfolio: Some(PortfolioRequest {
                organisations: 20,
                providers: 3,
                iterations: Some(500),
                ..Default::default()
            }),
            ..small()
        };
        let counter = Count(AtomicU64::new(0), std::sync::Mutex::new(Vec::new()));
        let out = run(eco, &req, &counter).expect("runs");
        let p = out.report.portfolio.expect("portfolio");
        let kind = eco
            .stakeholder(eco.stakeholder_by_id(&p.stakeholder).expect("known"))
            .kind;
        assert_eq!(kind, StakeholderKind::HealthcareOrganisation);
        let phases = counter.1.lock().expect("lock").clone();
        assert_eq!(
            phases,
            vec![("risk".to_owned(), 2_000), ("portfolio".to_owned(), 500)]
        );
    }

    #[test]
    fn tail_changes_are_not_whole_histogram_buckets() {
        let eco = &crate::model::builtin().value.ecosystem;
        let req = RiskRequest {
            iterations: 20_000,
            compare: true,
            ..Default::default()
        };
        let out = run(eco, &req, &NoProgress).expect("runs");
        let c = out.report.comparison.expect("compared");
        let mut deltas: Vec<f64> = c
            .single_items
            .iter()
            .map(|r| r.result.delta_p95)
            .filter(|&d| d > 0.0)
            .collect();
        assert!(deltas.len() >= 5, "{deltas:?}");
        assert!(deltas.iter().all(|d| d.is_finite() && *d >= 0.0));
        let n = deltas.len();
        deltas.sort_by(f64::total_cmp);
        deltas.dedup_by(|a, b| (*a - *b).abs() < 1.0);
        // Before interpolation, nine items shared four values (41,944, 83,888, ...).
        assert_eq!(deltas.len(), n, "repeated tail changes: {deltas:?}");
    }

    #[test]
    fn the_chart_draws_at_most_five_interventions_and_the_with_set_first() {
        let eco = &crate::model::builtin().value.ecosystem;
        let req = RiskRequest {
            with: vec![eco.supports[1].id.clone()],
            compare: true,
            ..small()
        };
        let out = run(eco, &req, &NoProgress).expect("runs");
        let drawn = chart_interventions(&out);
        assert!(drawn.len() <= CHART_INTERVENTIONS && !drawn.is_empty());
        assert_eq!(drawn[0].supports, vec![eco.supports[1].id.clone()]);
        assert!(lec_svg(&out).starts_with("<svg"));
    }
}
