//! Section 3, risk in euros: one organisation of each targeted stakeholder,
//! the breakdowns by domain and motivation, the reader's largest risks, its
//! loss exceedance curve, the support items ranked per euro and the choice
//! within the budget.
//!
//! Two runs, the very requests of the CLI: `holisec risk` (the whole model)
//! and `holisec risk --stakeholder READER --compare --budget B` (the reader),
//! both with the report's iterations and seed.

use holisec_api::Progress;
use holisec_api::risk::{self, RiskOutcome, RiskRequest};
use holisec_model::{Ecosystem, StakeholderKind};
use holisec_risk::report::{InterventionResult, Summary as LossSummary};
use serde::Serialize;

use crate::{ReportError, ReportOptions};

/// Annual loss of one group (a stakeholder's organisation, a domain, a motivation).
#[derive(Debug, Clone, Serialize)]
pub struct LossRow {
    /// Id of the group.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Expected annual loss.
    pub ale: f64,
    /// Probability of at least one loss event in a year.
    pub probability_of_loss_event: f64,
    /// 95th percentile of the annual loss (1 year in 20 is worse).
    pub p95: f64,
    /// 99th percentile (1 year in 100).
    pub p99: f64,
}

impl LossRow {
    fn new(id: &str, name: &str, s: &LossSummary) -> Self {
        LossRow {
            id: id.to_owned(),
            name: name.to_owned(),
            ale: s.ale,
            probability_of_loss_event: s.probability_of_loss_event,
            p95: s.percentiles.p95,
            p99: s.percentiles.p99,
        }
    }
}

/// One risk of the reader: a threat exploiting one vulnerability factor.
#[derive(Debug, Clone, Serialize)]
pub struct ThreatRow {
    /// Scenario id (`threat/factor/stakeholder`), as in `holisec risk --json`.
    pub scenario: String,
    /// The threat, in words.
    pub threat: String,
    /// The factor exploited, in words.
    pub factor: String,
    /// Domain of the factor.
    pub domain: String,
    /// Motivation of the threat.
    pub motivation: String,
    /// The factor is a solution provider's.
    pub via_supplier: bool,
    /// Expected annual loss.
    pub ale: f64,
    /// 95th percentile of the annual loss.
    pub p95: f64,
    /// Probability of at least one loss event of this kind in a year.
    pub probability_of_loss_event: f64,
}

/// One support item (or the budgeted set) and what it buys.
#[derive(Debug, Clone, Serialize)]
pub struct SupportRow {
    /// Support id (ids joined with `+` for a set).
    pub id: String,
    /// Names for people.
    pub name: String,
    /// Annual cost for one organisation.
    pub annual_cost: f64,
    /// Expected annual loss avoided.
    pub delta_ale: f64,
    /// Reduction of the 95th percentile of the annual loss.
    pub delta_p95: f64,
    /// Expected loss avoided per euro spent (none for a free item).
    pub per_euro: Option<f64>,
}

/// Section 3.
#[derive(Debug, Clone, Serialize)]
pub struct RiskSection {
    /// The reader's stakeholder id.
    pub reader: String,
    /// Its name.
    pub reader_name: String,
    /// Expected annual loss of one organisation of the reader's stakeholder.
    pub reader_ale: f64,
    /// Its 95th percentile.
    pub reader_p95: f64,
    /// Its 99th percentile.
    pub reader_p99: f64,
    /// Its probability of at least one loss event in a year.
    pub reader_probability_of_loss_event: f64,
    /// The reader's risks, largest expected annual loss first.
    pub reader_threats: Vec<ThreatRow>,
    /// Support items, most loss avoided per euro first.
    pub support: Vec<SupportRow>,
    /// Yearly budget of the choice.
    pub budget: f64,
    /// The set of support items within the budget that avoids the most loss.
    pub budget_choice: Option<SupportRow>,
    /// Every support item together.
    pub all_support: Option<SupportRow>,
    /// One organisation of each targeted stakeholder (hospitals first).
    pub per_organisation: Vec<LossRow>,
    /// The whole model by domain of the exploited factor.
    pub by_domain: Vec<LossRow>,
    /// The whole model by motivation of the threat.
    pub by_motivation: Vec<LossRow>,
    /// What the whole model's total adds up.
    pub total_scope: String,
    /// The whole model's total.
    pub total: LossRow,
    /// Closed-form expected annual loss of the whole model (a check on the simulation).
    pub analytic_ale: f64,
    /// The reader's loss exceedance curves, baseline and with support (SVG).
    #[serde(skip)]
    pub reader_lec_svg: String,
    /// Scenarios simulated in the whole-model run.
    pub scenarios: usize,
    /// Simulated years and seed of both runs.
    pub iterations: u64,
    /// Seed of both runs.
    pub seed: u64,
    /// `holisec-risk`'s name and version.
    pub engine: String,
}

/// The reader: the one asked for, else the model's first healthcare
/// organisation that threats target, else the first targeted stakeholder.
fn reader(eco: &Ecosystem, asked: Option<&str>) -> Result<String, ReportError> {
    if let Some(id) = asked {
        return Ok(id.to_owned());
    }
    let targeted = |kind: Option<StakeholderKind>| {
        eco.stakeholder_indices().find(|&i| {
            kind.is_none_or(|k| eco.stakeholder(i).kind == k)
                && eco.threats.iter().any(|t| t.targets.contains(&i))
        })
    };
    targeted(Some(StakeholderKind::HealthcareOrganisation))
        .or_else(|| targeted(None))
        .map(|i| eco.stakeholder(i).id.clone())
        .ok_or_else(|| {
            ReportError::Invalid(
                "the model has no threat targeting any stakeholder: there is no risk to report"
                    .to_owned(),
            )
        })
}

/// Runs both risk requests and gathers the section.
pub(crate) fn section(
    eco: &Ecosystem,
    options: &ReportOptions,
    progress: &dyn Progress,
) -> Result<RiskSection, ReportError> {
    let reader = reader(eco, options.reader.as_deref())?;
    let whole = RiskRequest {
        iterations: options.iterations,
        seed: options.seed,
        ..RiskRequest::default()
    };
    let of_reader = RiskRequest {
        stakeholder: Some(reader.clone()),
        compare: true,
        budget: Some(options.budget),
        ..whole.clone()
    };
    let outcome = risk::run(eco, &of_reader, progress)?;
    let model = risk::run(eco, &whole, progress)?;
    let rep = &outcome.report;
    let reader_name = eco
        .stakeholder_by_id(&reader)
        .map_or(reader.clone(), |i| eco.stakeholder(i).name.clone());
    let ranking = rep.comparison.as_ref();
    Ok(RiskSection {
        reader_ale: rep.total.ale,
        reader_p95: rep.total.percentiles.p95,
        reader_p99: rep.total.percentiles.p99,
        reader_probability_of_loss_event: rep.total.probability_of_loss_event,
        reader_threats: threats(eco, &outcome),
        support: ranking.map_or_else(Vec::new, |c| {
            c.single_items
                .iter()
                .map(|r| support_row(eco, &r.result))
                .collect()
        }),
        budget: options.budget,
        budget_choice: ranking
            .and_then(|c| c.combinations.first())
            .map(|r| support_row(eco, &r.result)),
        all_support: rep
            .interventions
            .iter()
            .find(|i| i.id == risk::ALL_SUPPORT)
            .map(|i| support_row(eco, i)),
        per_organisation: model
            .per_organisation
            .iter()
            .map(|o| LossRow::new(&o.stakeholder, &o.name, &o.summary))
            .collect(),
        by_domain: model
            .report
            .by_domain
            .iter()
            .map(|s| LossRow::new(&s.id, &s.id, s))
            .collect(),
        by_motivation: model
            .report
            .by_motivation
            .iter()
            .map(|s| LossRow::new(&s.id, &s.id, s))
            .collect(),
        total_scope: model.total_scope.clone(),
        total: LossRow::new("total", "total", &model.report.total),
        analytic_ale: model.report.analytic_ale,
        reader_lec_svg: crate::svg::inline(&risk::lec_svg(&outcome), "lec"),
        scenarios: model.report.scenarios_simulated,
        iterations: options.iterations,
        seed: options.seed,
        engine: model.report.engine.engine.clone(),
        reader,
        reader_name,
    })
}

fn threats(eco: &Ecosystem, outcome: &RiskOutcome) -> Vec<ThreatRow> {
    let mut rows: Vec<ThreatRow> = outcome
        .report
        .scenarios
        .iter()
        .map(|s| ThreatRow {
            scenario: s.summary.id.clone(),
            threat: eco
                .threat_by_id(&s.threat)
                .map_or(s.threat.clone(), |i| eco.threat(i).name.clone()),
            factor: eco
                .vulnerability_by_id(&s.vulnerability)
                .map_or(s.vulnerability.clone(), |i| {
                    eco.vulnerability(i).name.clone()
                }),
            domain: s.domain.as_str().to_owned(),
            motivation: s.motivation.as_str().to_owned(),
            via_supplier: s.via_supplier,
            ale: s.summary.ale,
            p95: s.summary.percentiles.p95,
            probability_of_loss_event: s.summary.probability_of_loss_event,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.ale
            .total_cmp(&a.ale)
            .then_with(|| a.scenario.cmp(&b.scenario))
    });
    rows
}

fn support_row(eco: &Ecosystem, r: &InterventionResult) -> SupportRow {
    let names: Vec<String> = r
        .supports
        .iter()
        .map(|id| {
            eco.support_by_id(id)
                .map_or(id.clone(), |i| eco.support(i).name.clone())
        })
        .collect();
    SupportRow {
        id: r.id.clone(),
        name: if r.id == risk::ALL_SUPPORT {
            "Every support item of the model".to_owned()
        } else {
            names.join(" + ")
        },
        annual_cost: r.annual_cost,
        delta_ale: r.delta_ale,
        delta_p95: r.delta_p95,
        per_euro: r.delta_ale_per_euro,
    }
}
