//! Section 6, an organisation's self-assessment: its latest assessment's
//! maturity per domain, its own risk in euros and its loss exceedance
//! curve, its costed plan (`holisec assess plan` with the report's years,
//! seed and budget) and its history. The database is only read: a plan
//! stored with the same inputs is reused, a new one is computed and not
//! stored.

use holisec_api::Progress;
use holisec_api::assess::{self, HistoryRow};
use holisec_assess::plan::{Decision, PlanOptions};
use holisec_model::Ecosystem;
use holisec_risk::chart::{Series, lec_svg};
use serde::Serialize;

use crate::{OrganisationInput, ReportError, ReportOptions};

/// Maturity of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct DomainRow {
    /// Domain (`overall` for the whole questionnaire).
    pub domain: String,
    /// Weighted maturity, 0 to 4.
    pub score: f64,
    /// Items answered of the domain's items.
    pub answered: usize,
    /// Items of the domain.
    pub items: usize,
}

/// One step of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct StepRow {
    /// Questionnaire item.
    pub item: String,
    /// Its title.
    pub title: String,
    /// Level now.
    pub from: u8,
    /// Level after the step.
    pub to: u8,
    /// Cost, EUR a year.
    pub cost: f64,
    /// Expected annual loss avoided.
    pub delta_expected: f64,
    /// Expected loss avoided per euro.
    pub per_euro: f64,
    /// What the plan does with it, in words.
    pub decision: String,
}

/// One assessment of the organisation's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// 1, 2, 3, ...
    pub version: i64,
    /// When it was created.
    pub created_at: String,
    /// Items answered.
    pub answered: i64,
    /// Overall maturity, 0 to 4.
    pub overall: f64,
    /// Closed-form expected annual loss.
    pub expected_ale: f64,
}

/// Section 6.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentSection {
    /// The organisation, as stored.
    pub organisation: String,
    /// Latest assessment id.
    pub assessment: i64,
    /// Its version.
    pub version: i64,
    /// When it was created.
    pub created_at: String,
    /// Questionnaire and version.
    pub questionnaire: String,
    /// Maturity per domain, then overall.
    pub domains: Vec<DomainRow>,
    /// Expected annual loss of the organisation (Monte Carlo).
    pub ale: f64,
    /// Its 95th percentile.
    pub p95: f64,
    /// Its 99th percentile.
    pub p99: f64,
    /// Closed-form expected annual loss.
    pub expected: f64,
    /// Steps, best net benefit first.
    pub steps: Vec<StepRow>,
    /// Steps that pay for themselves within the budget.
    pub recommended: usize,
    /// Steps selected (those and the ones taken to use the rest of the budget).
    pub selected: usize,
    /// Their cost, EUR a year.
    pub selected_cost: f64,
    /// Expected loss they avoid, EUR a year.
    pub selected_delta: f64,
    /// Budget of the plan.
    pub budget: Option<f64>,
    /// Whether the plan was a stored one (same inputs).
    pub reused: bool,
    /// Every assessment, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The organisation's loss exceedance curve (SVG).
    #[serde(skip)]
    pub lec_svg: String,
}

/// What the report needs of an organisation's assessments, read from the
/// database before the engines run (a `Store` stays on its thread).
#[derive(Debug, Clone)]
pub struct OrganisationData {
    name: String,
    history: Vec<HistoryRow>,
    assessment: holisec_store::Assessment,
    scores: holisec_assess::scoring::Scores,
    plan_inputs: assess::PlanInputs,
    plan_options: PlanOptions,
}

/// Reads the latest assessment of `org` (any case) with its scores, history
/// and what its plan is computed from, with the report's years, seed and budget.
pub fn read_organisation(
    eco: &Ecosystem,
    org: OrganisationInput<'_>,
    options: &ReportOptions,
) -> Result<OrganisationData, ReportError> {
    let (name, history) = assess::history(org.store, eco, org.questionnaire, org.name)?;
    let Some(latest) = history.last() else {
        return Err(ReportError::Invalid(format!(
            "`{name}` has no assessment yet: start one with `holisec assess new --org \"{name}\"`"
        )));
    };
    let (assessment, scores) = assess::score(org.store, org.questionnaire, latest.id)?;
    let plan_options = PlanOptions {
        run: holisec_risk::engine::RunOptions {
            iterations: options.iterations,
            seed: options.seed,
        },
        budget: Some(options.budget),
        ..PlanOptions::default()
    };
    let plan_inputs =
        assess::plan_inputs(org.store, eco, org.questionnaire, latest.id, &plan_options)?;
    Ok(OrganisationData {
        name,
        history,
        assessment,
        scores,
        plan_inputs,
        plan_options,
    })
}

pub(crate) fn section(
    eco: &Ecosystem,
    questionnaire: &holisec_assess::Questionnaire,
    data: &OrganisationData,
    progress: &dyn Progress,
) -> Result<AssessmentSection, ReportError> {
    let OrganisationData {
        name,
        history,
        assessment,
        scores,
        plan_inputs,
        plan_options,
    } = data;
    let name = name.clone();
    let outcome = assess::compute_plan(eco, questionnaire, plan_inputs, plan_options, progress)?;
    let plan = &outcome.plan;
    let domains = scores
        .domains
        .iter()
        .chain(std::iter::once(&scores.overall))
        .map(|d| DomainRow {
            domain: d.domain.map_or("overall", |d| d.as_str()).to_owned(),
            score: d.score,
            answered: d.answered,
            items: d.items,
        })
        .collect();
    let steps = plan
        .actions
        .iter()
        .map(|a| StepRow {
            item: a.item.clone(),
            title: a.title.clone(),
            from: a.from,
            to: a.to,
            cost: a.cost,
            delta_expected: a.delta_expected,
            per_euro: a.per_euro,
            decision: decision(a.decision).to_owned(),
        })
        .collect();
    let lec_svg = crate::svg::inline(
        &lec_svg(
            &format!("Loss exceedance curve: {name}"),
            &format!(
                "assessment {} (version {}), {} simulated years, seed {}",
                assessment.id,
                assessment.version,
                holisec_model::number::thousands(plan.iterations as f64),
                plan.seed
            ),
            &eco.meta.currency,
            1.0 / plan.iterations.max(1) as f64,
            &[Series {
                label: "As assessed".to_owned(),
                points: &plan.lec,
                ale: plan.baseline.ale,
            }],
        ),
        "orglec",
    );
    Ok(AssessmentSection {
        organisation: name,
        assessment: assessment.id,
        version: assessment.version,
        created_at: assessment.created_at.clone(),
        questionnaire: format!(
            "{} {}",
            assessment.questionnaire, assessment.questionnaire_version
        ),
        domains,
        ale: plan.baseline.ale,
        p95: plan.baseline.p95,
        p99: plan.baseline.p99,
        expected: plan.baseline.expected,
        steps,
        recommended: plan.recommended,
        selected: plan.actions.iter().filter(|a| a.selected).count(),
        selected_cost: plan.selected_cost,
        selected_delta: plan.selected_delta_ale,
        budget: plan.budget,
        reused: outcome.reused,
        history: history.iter().map(history_entry).collect(),
        lec_svg,
    })
}

fn history_entry(h: &HistoryRow) -> HistoryEntry {
    HistoryEntry {
        version: h.version,
        created_at: h.created_at.clone(),
        answered: h.answered,
        overall: h.scores.overall.score,
        expected_ale: h.expected_ale,
    }
}

fn decision(d: Decision) -> &'static str {
    match d {
        Decision::Recommended => "recommended",
        Decision::BudgetFill => "taken to use the budget",
        Decision::OverBudget => "pays, over the budget",
        Decision::NotWorthIt => "does not pay",
    }
}
