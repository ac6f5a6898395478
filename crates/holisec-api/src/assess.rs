//! A hospital's self-assessment on a [`Store`]: the questionnaire, answers
//! read from files with spanned diagnostics, scores, the costed plan (stored
//! and reused while its inputs are unchanged), and the history of an
//! organisation.
//!
//! Organisation names are matched without regard to case, so `St Mary` and
//! `st mary` are one organisation, spelt as it was first written; an unknown
//! name gets a "did you mean". Timestamps come in as RFC 3339 text from the
//! front end (which owns the clock).

use holisec_assess::answers::{AnswerFormat, AnswerRow, parse_answers};
use holisec_assess::plan::{self, Plan, PlanOptions};
use holisec_assess::questionnaire::{self, HOSPITAL_NAME, HOSPITAL_TOML, MAX_LEVEL};
use holisec_assess::scoring::{self, Scores};
use holisec_assess::{Questionnaire, levels_from_answers};
use holisec_model::{Diagnostic, Ecosystem};
use holisec_store::{Answer, Assessment, RiskRun, Store};
use serde::Serialize;

use crate::source::{Checked, Rejected, Source, checked};
use crate::{ApiError, Progress};

/// Largest questionnaire accepted, in bytes.
pub const MAX_QUESTIONNAIRE_BYTES: usize = 16 * 1024 * 1024;

/// The built-in hospital questionnaire, checked against `eco`.
pub fn builtin_questionnaire(eco: &Ecosystem) -> Result<Checked<Questionnaire>, Rejected> {
    load_questionnaire(eco, Source::new(HOSPITAL_NAME, HOSPITAL_TOML))
}

/// Reads and checks a questionnaire against the model (its factors must exist).
pub fn load_questionnaire(
    eco: &Ecosystem,
    source: Source,
) -> Result<Checked<Questionnaire>, Rejected> {
    if source.text.len() > MAX_QUESTIONNAIRE_BYTES {
        let n = source.text.len();
        return Err(Rejected::one(
            source,
            "questionnaire",
            Diagnostic::error(format!("the file is {n} bytes"), None).with_label(format!(
                "a questionnaire of at most {MAX_QUESTIONNAIRE_BYTES} bytes"
            )),
        ));
    }
    let (q, diagnostics) = questionnaire::load(&source.text, eco);
    checked(q, source, "questionnaire", diagnostics)
}

/// An answer file to fill in: every item, its question and levels, blank.
pub fn answer_template(q: &Questionnaire) -> String {
    holisec_assess::template::answer_template(q)
}

/// Starts a new assessment of `organisation` (created when new; an existing
/// name in another case is the same organisation).
pub fn new_assessment(
    store: &mut Store,
    q: &Questionnaire,
    organisation: &str,
    now: &str,
) -> Result<Assessment, ApiError> {
    let name = organisation.trim();
    if name.is_empty() {
        return Err(ApiError::option("org", "\"\"", "an organisation name"));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::option(
            "org",
            name,
            "a name of at most 200 characters without control characters",
        ));
    }
    let existing = store.organisations()?;
    let spelt = existing
        .iter()
        .find(|o| o.name.to_lowercase() == name.to_lowercase())
        .map_or(name, |o| o.name.as_str());
    Ok(store.new_assessment(spelt, &q.id, &q.version, now)?)
}

/// An existing organisation whose name is close to `name` but not the same
/// (whatever the case): a likely typo when starting a new assessment.
pub fn similar_organisation(store: &Store, name: &str) -> Result<Option<String>, ApiError> {
    let lower = name.trim().to_lowercase();
    let all = store.organisations()?;
    if all.iter().any(|o| o.name.to_lowercase() == lower) {
        return Ok(None);
    }
    let names: Vec<String> = all.iter().map(|o| o.name.to_lowercase()).collect();
    Ok(
        holisec_model::diag::did_you_mean(&lower, names.iter().map(String::as_str))
            .and_then(|l| all.iter().find(|o| o.name.to_lowercase() == l))
            .map(|o| o.name.clone()),
    )
}

/// The organisation's name as stored, matched without regard to case.
pub fn organisation(store: &Store, name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    let all = store.organisations()?;
    if let Some(o) = all
        .iter()
        .find(|o| o.name.to_lowercase() == name.to_lowercase())
    {
        return Ok(o.name.clone());
    }
    let lower: Vec<String> = all.iter().map(|o| o.name.to_lowercase()).collect();
    let hint =
        holisec_model::diag::did_you_mean(&name.to_lowercase(), lower.iter().map(String::as_str))
            .and_then(|l| all.iter().find(|o| o.name.to_lowercase() == l))
            .map(|o| o.name.as_str());
    Err(ApiError::Invalid(format!(
        "no organisation `{name}` in the database{}",
        match hint {
            Some(h) => format!("; did you mean `{h}`?"),
            None if all.is_empty() => "; it holds no assessment yet".to_owned(),
            None => format!(
                "; it holds: {}",
                all.iter()
                    .map(|o| o.name.as_str())
                    .take(10)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    )))
}

/// Reads and checks an answer file (TOML, or CSV when its name ends in
/// `.csv`): every problem at once with its place; blank items are allowed.
pub fn read_answers(q: &Questionnaire, source: Source) -> Result<Checked<ParsedFile>, Rejected> {
    let format = AnswerFormat::from_file_name(&source.name);
    let parsed = parse_answers(&source.text, format, q);
    let value = ParsedFile {
        answers: parsed.answers,
        blank: parsed.blank,
    };
    let has_errors = parsed.diagnostics.iter().any(Diagnostic::is_error);
    checked(
        (!has_errors).then_some(value),
        source,
        "answer file",
        parsed.diagnostics,
    )
}

/// The answers of a file, checked.
#[derive(Debug, Clone, Serialize)]
pub struct ParsedFile {
    /// Items with a level.
    pub answers: Vec<AnswerRow>,
    /// Items listed without a level (left blank in a template).
    pub blank: Vec<String>,
}

/// What storing answers did.
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    /// Answers stored now.
    pub stored: usize,
    /// Items left blank in the file (not stored).
    pub blank: usize,
    /// Items of the assessment answered so far.
    pub answered: usize,
    /// Items of the questionnaire.
    pub items: usize,
}

/// Stores `answers` in assessment `id`, all or nothing.
pub fn store_answers(
    store: &mut Store,
    q: &Questionnaire,
    id: i64,
    file: &ParsedFile,
    now: &str,
) -> Result<Stored, ApiError> {
    store.assessment(id)?;
    if file.answers.is_empty() {
        return Err(ApiError::Invalid(format!(
            "the file gives no level ({} items left blank); nothing was stored",
            file.blank.len()
        )));
    }
    let rows: Vec<Answer> = file
        .answers
        .iter()
        .map(|a| Answer {
            item: a.item.clone(),
            level: a.level,
            evidence: a.evidence.clone(),
            answered_at: Some(now.to_owned()),
        })
        .collect();
    store.save_answers(id, &rows)?;
    Ok(Stored {
        stored: rows.len(),
        blank: file.blank.len(),
        answered: store.answers(id)?.len(),
        items: q.items.len(),
    })
}

/// Stores one answer given interactively (checked like a file's).
pub fn store_answer(
    store: &mut Store,
    q: &Questionnaire,
    id: i64,
    item: &str,
    level: u8,
    evidence: Option<String>,
    now: &str,
) -> Result<(), ApiError> {
    if q.item(item).is_none() {
        return Err(ApiError::Invalid(format!(
            "unknown item `{item}`{}",
            crate::did_you_mean(item, q.items.iter().map(|i| i.id.as_str()))
        )));
    }
    if level > MAX_LEVEL {
        return Err(ApiError::option("level", level, "0, 1, 2, 3 or 4"));
    }
    store.save_answers(
        id,
        &[Answer {
            item: item.to_owned(),
            level,
            evidence,
            answered_at: Some(now.to_owned()),
        }],
    )?;
    Ok(())
}

/// One answer as shown to people: the item's domain, title and what the level means.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerView {
    /// The stored answer.
    #[serde(flatten)]
    pub answer: Answer,
    /// Domain of the item (`None` when the questionnaire no longer has it).
    pub domain: Option<String>,
    /// Title of the item.
    pub title: Option<String>,
    /// What the level means for this item.
    pub meaning: Option<String>,
}

/// An assessment and its answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentView {
    /// The assessment.
    pub assessment: Assessment,
    /// Items of the questionnaire.
    pub items: usize,
    /// Its answers, by item id.
    pub answers: Vec<AnswerView>,
}

/// The assessment `id` with its answers explained.
pub fn show(store: &Store, q: &Questionnaire, id: i64) -> Result<AssessmentView, ApiError> {
    let assessment = store.assessment(id)?;
    let answers = store
        .answers(id)?
        .into_iter()
        .map(|answer| {
            let item = q.item(&answer.item);
            AnswerView {
                domain: item.map(|i| i.domain.as_str().to_owned()),
                title: item.map(|i| i.title.clone()),
                meaning: item.map(|i| i.levels[usize::from(answer.level.min(MAX_LEVEL))].clone()),
                answer,
            }
        })
        .collect();
    Ok(AssessmentView {
        assessment,
        items: q.items.len(),
        answers,
    })
}

fn levels_and_scores(q: &Questionnaire, answers: &[Answer]) -> (Vec<u8>, Scores) {
    let levels = levels_from_answers(q, answers.iter().map(|a| (a.item.as_str(), a.level)));
    let answered: Vec<bool> = q
        .items
        .iter()
        .map(|i| answers.iter().any(|a| a.item == i.id))
        .collect();
    let scores = scoring::score(q, &levels, &answered);
    (levels, scores)
}

/// Weighted maturity per domain (0..4) of a checked answer file, without a
/// database (the Python package's `score`; `holisec assess score` reads the
/// same answers from the store and gives the same scores).
pub fn score_file(q: &Questionnaire, parsed: &ParsedFile) -> Scores {
    let levels = levels_from_answers(q, parsed.answers.iter().map(|a| (a.item.as_str(), a.level)));
    let answered: Vec<bool> = q
        .items
        .iter()
        .map(|i| parsed.answers.iter().any(|a| a.item == i.id))
        .collect();
    scoring::score(q, &levels, &answered)
}

/// Weighted maturity per domain (0..4) of assessment `id`.
pub fn score(store: &Store, q: &Questionnaire, id: i64) -> Result<(Assessment, Scores), ApiError> {
    let a = store.assessment(id)?;
    let answers = store.answers(id)?;
    Ok((a, levels_and_scores(q, &answers).1))
}

/// The plan of an assessment, and whether it was a stored run's.
#[derive(Debug, Clone, Serialize)]
pub struct PlanOutcome {
    /// Assessment id.
    pub assessment: i64,
    /// Organisation name.
    pub organisation: String,
    /// Hash of every input (model, questionnaire, answers, options).
    pub input_hash: String,
    /// Whether a stored run with the same inputs was reused.
    pub reused: bool,
    /// The plan.
    #[serde(flatten)]
    pub plan: Plan,
}

/// Checks a plan's options, naming the first one out of range.
pub fn check_plan_options(options: &PlanOptions) -> Result<(), ApiError> {
    if options.run.iterations == 0 || options.run.iterations > holisec_risk::engine::MAX_ITERATIONS
    {
        return Err(ApiError::option(
            "iterations",
            options.run.iterations,
            format!(
                "1 to {} simulated years",
                crate::thousands(holisec_risk::engine::MAX_ITERATIONS as f64)
            ),
        ));
    }
    if let Some(b) = options.budget
        && !(b.is_finite() && b >= 0.0)
    {
        return Err(ApiError::option(
            "budget",
            b,
            "an amount of 0 or more EUR a year",
        ));
    }
    let v = options.value_per_euro_avoided;
    if !(v.is_finite() && v >= 0.0) {
        return Err(ApiError::option(
            "value_per_euro_avoided",
            v,
            "a number of 0 or more (EUR that one euro of expected loss avoided is worth)",
        ));
    }
    Ok(())
}

/// What the plan of an assessment is computed from, as read from the store:
/// the levels answered, the hash of every input, and the stored plan with
/// that hash when there is one. Reading it is quick; computing the plan is
/// not, so a server reads the inputs under its store's lock and computes
/// without it ([`compute_plan`], then [`save_plan`]).
#[derive(Debug, Clone)]
pub struct PlanInputs {
    /// Assessment id.
    pub assessment: i64,
    /// Organisation name.
    pub organisation: String,
    /// Level per questionnaire item (item order; unanswered items are 0).
    pub levels: Vec<u8>,
    /// Hash of every input (model, questionnaire, answers, options).
    pub input_hash: String,
    /// The stored plan with the same inputs, when there is one.
    pub stored: Option<Plan>,
}

/// Reads what the plan of assessment `id` under `options` is computed from.
pub fn plan_inputs(
    store: &Store,
    eco: &Ecosystem,
    q: &Questionnaire,
    id: i64,
    options: &PlanOptions,
) -> Result<PlanInputs, ApiError> {
    check_plan_options(options)?;
    let a = store.assessment(id)?;
    let answers = store.answers(id)?;
    let (levels, _) = levels_and_scores(q, &answers);
    let input_hash = plan_hash(eco, q, &levels, options)?;
    let stored = store
        .risk_run(id, &input_hash)?
        .and_then(|run| serde_json::from_value::<Plan>(run.results).ok());
    Ok(PlanInputs {
        assessment: id,
        organisation: a.organisation,
        levels,
        input_hash,
        stored,
    })
}

fn plan_hash(
    eco: &Ecosystem,
    q: &Questionnaire,
    levels: &[u8],
    options: &PlanOptions,
) -> Result<String, ApiError> {
    Ok(plan::input_hash(&[
        json(eco)?.as_bytes(),
        json(q)?.as_bytes(),
        levels,
        json(options)?.as_bytes(),
    ]))
}

/// The plan of `inputs`: the stored one when there is one (`reused`), else
/// computed with `progress` (which may cancel it: [`ApiError::Cancelled`]).
/// Touches no store.
pub fn compute_plan(
    eco: &Ecosystem,
    q: &Questionnaire,
    inputs: &PlanInputs,
    options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<PlanOutcome, ApiError> {
    let outcome = |plan: Plan, reused: bool| PlanOutcome {
        assessment: inputs.assessment,
        organisation: inputs.organisation.clone(),
        input_hash: inputs.input_hash.clone(),
        reused,
        plan,
    };
    if let Some(stored) = &inputs.stored {
        return Ok(outcome(stored.clone(), true));
    }
    progress.start("plan", options.run.iterations, "simulated years");
    let result = plan::plan_cancellable(
        eco,
        q,
        &inputs.levels,
        options,
        &|n| progress.advance(n),
        &|| progress.cancelled(),
    )
    .map_err(|e| match e {
        plan::PlanError::Cancelled => ApiError::Cancelled,
        other => ApiError::Failed(other.to_string()),
    })?;
    progress.finish();
    Ok(outcome(result, false))
}

/// Stores a plan just computed, so the next same request reuses it (a
/// reused plan is stored already).
pub fn save_plan(store: &mut Store, outcome: &PlanOutcome, now: &str) -> Result<(), ApiError> {
    if outcome.reused {
        return Ok(());
    }
    store.save_risk_run(&RiskRun {
        id: 0,
        assessment_id: outcome.assessment,
        input_hash: outcome.input_hash.clone(),
        seed: outcome.plan.seed as i64,
        iterations: outcome.plan.iterations as i64,
        created_at: now.to_owned(),
        results: serde_json::to_value(&outcome.plan)
            .map_err(|e| ApiError::Failed(e.to_string()))?,
    })?;
    Ok(())
}

/// The costed plan of assessment `id`: reused from the store when every input
/// is unchanged, else computed and stored.
pub fn plan(
    store: &mut Store,
    eco: &Ecosystem,
    q: &Questionnaire,
    id: i64,
    options: &PlanOptions,
    now: &str,
    progress: &dyn Progress,
) -> Result<PlanOutcome, ApiError> {
    let inputs = plan_inputs(store, eco, q, id, options)?;
    let outcome = compute_plan(eco, q, &inputs, options, progress)?;
    save_plan(store, &outcome, now)?;
    Ok(outcome)
}

/// The latest stored plan of an assessment, and whether it is out of date.
#[derive(Debug, Clone, Serialize)]
pub struct LatestPlan {
    /// When it was computed.
    pub computed_at: String,
    /// Whether the answers (or the model or questionnaire) changed since: the
    /// same options today would give another plan.
    pub stale: bool,
    /// The plan.
    #[serde(flatten)]
    pub outcome: PlanOutcome,
}

/// The plan of assessment `id` computed last (by any front end), if any.
pub fn latest_plan(
    store: &Store,
    eco: &Ecosystem,
    q: &Questionnaire,
    id: i64,
) -> Result<Option<LatestPlan>, ApiError> {
    let a = store.assessment(id)?;
    let Some(run) = store.latest_risk_run(id)? else {
        return Ok(None);
    };
    // A run whose results do not read as a plan (an older format) counts as none.
    let Ok(plan) = serde_json::from_value::<Plan>(run.results) else {
        return Ok(None);
    };
    let options = PlanOptions {
        run: holisec_risk::RunOptions {
            iterations: plan.iterations,
            seed: plan.seed,
        },
        budget: plan.budget,
        value_per_euro_avoided: plan.value_per_euro_avoided,
    };
    let (levels, _) = levels_and_scores(q, &store.answers(id)?);
    let now_hash = plan_hash(eco, q, &levels, &options)?;
    Ok(Some(LatestPlan {
        computed_at: run.created_at,
        stale: now_hash != run.input_hash,
        outcome: PlanOutcome {
            assessment: id,
            organisation: a.organisation,
            input_hash: run.input_hash,
            reused: true,
            plan,
        },
    }))
}

/// One input of the plan's hash, serialised.
fn json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Failed(e.to_string()))
}

/// One assessment of an organisation's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    /// Assessment id.
    pub id: i64,
    /// 1, 2, 3, ...
    pub version: i64,
    /// When it was created.
    pub created_at: String,
    /// Items answered.
    pub answered: i64,
    /// Maturity.
    pub scores: Scores,
    /// Closed-form expected annual loss of the hospital, EUR.
    pub expected_ale: f64,
}

/// Every assessment of `organisation` (any case), oldest first.
pub fn history(
    store: &Store,
    eco: &Ecosystem,
    q: &Questionnaire,
    organisation: &str,
) -> Result<(String, Vec<HistoryRow>), ApiError> {
    let name = self::organisation(store, organisation)?;
    let mut rows = Vec::new();
    for a in store.assessments(Some(&name))? {
        let answers = store.answers(a.id)?;
        let (levels, scores) = levels_and_scores(q, &answers);
        let expected_ale =
            plan::expected_ale(eco, q, &levels).map_err(|e| ApiError::Failed(e.to_string()))?;
        rows.push(HistoryRow {
            id: a.id,
            version: a.version,
            created_at: a.created_at,
            answered: a.answered,
            scores,
            expected_ale,
        });
    }
    Ok((name, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-12-04T10:00:00Z";

    fn setup() -> (Store, Ecosystem, Questionnaire) {
        let eco = crate::model::builtin().value.ecosystem;
        let q = builtin_questionnaire(&eco).expect("valid").value;
        (Store::open_in_memory().expect("db"), eco, q)
    }

    #[test]
    fn organisation_names_ignore_case_and_suggest() {
        let (mut store, _, q) = setup();
        let a = new_assessment(&mut store, &q, "St Mary Hospital", NOW).expect("new");
        let b = new_assessment(&mut store, &q, "  st mary hospital ", NOW).expect("new");
        assert_eq!(b.organisation, "St Mary Hospital");
        assert_eq!((a.version, b.version), (1, 2));
        assert_eq!(
            organisation(&store, "ST MARY HOSPITAL").expect("found"),
            "St Mary Hospital"
        );
        let err = organisation(&store, "St Mary Hospitl")
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean `St Mary Hospital`"), "{err}");
        assert_eq!(
            similar_organisation(&store, "St Mary Hospitl")
                .expect("db")
                .as_deref(),
            Some("St Mary Hospital")
        );
        assert_eq!(
            similar_organisation(&store, "st mary hospital").expect("db"),
            None
        );
        assert!(matches!(
            new_assessment(&mut store, &q, "  ", NOW),
            Err(ApiError::Option { option: "org", .. })
        ));
    }

    #[test]
    fn a_bad_answer_file_stores_nothing_and_says_where() {
        let (mut store, _, q) = setup();
        let a = new_assessment(&mut store, &q, "H", NOW).expect("new");
        let item = &q.items[0].id;
        let text = format!(
            "[[answer]]\nitem = \"{item}\"\nlevel = 2\n\n[[answer]]\nitem = \"nope\"\nlevel = 9\n"
        );
        let rejected = read_answers(&q, Source::new("a.toml", text)).unwrap_err();
        assert!(rejected.errors() >= 1);
        let located = rejected.source.located(&rejected.diagnostics);
        assert!(
            located.iter().any(|d| d.line == Some(6)),
            "{:?}",
            rejected.diagnostics
        );
        assert!(store.answers(a.id).expect("answers").is_empty());
    }

    #[test]
    fn answers_are_stored_and_shown_with_their_meaning() {
        let (mut store, _, q) = setup();
        let a = new_assessment(&mut store, &q, "H", NOW).expect("new");
        let item = &q.items[0].id;
        let text = format!("item,level,evidence\n{item},3,\"policy, signed\"\n");
        let file = read_answers(&q, Source::new("a.csv", text))
            .expect("valid")
            .value;
        let stored = store_answers(&mut store, &q, a.id, &file, NOW).expect("stored");
        assert_eq!(
            (stored.stored, stored.answered, stored.items),
            (1, 1, q.items.len())
        );
        let view = show(&store, &q, a.id).expect("show");
        assert_eq!(
            view.answers[0].answer.evidence.as_deref(),
            Some("policy, signed")
        );
        assert_eq!(
            view.answers[0].meaning.as_deref(),
            Some(q.items[0].levels[3].as_str())
        );
        let (_, scores) = score(&store, &q, a.id).expect("score");
        assert_eq!(scores.overall.answered, 1);
    }

    #[test]
    fn the_template_parses_blank_and_stores_nothing() {
        let (mut store, _, q) = setup();
        let a = new_assessment(&mut store, &q, "H", NOW).expect("new");
        let file = read_answers(&q, Source::new("t.toml", answer_template(&q)))
            .expect("valid")
            .value;
        assert_eq!(file.blank.len(), q.items.len());
        assert!(store_answers(&mut store, &q, a.id, &file, NOW).is_err());
    }

    #[test]
    fn a_plan_is_stored_and_reused_and_history_prices_each_version() {
        let (mut store, eco, q) = setup();
        let a = new_assessment(&mut store, &q, "H", NOW).expect("new");
        let options = PlanOptions {
            run: holisec_risk::RunOptions {
                iterations: 500,
                seed: 3,
            },
            ..PlanOptions::default()
        };
        let first = plan(
            &mut store,
            &eco,
            &q,
            a.id,
            &options,
            NOW,
            &crate::NoProgress,
        )
        .expect("plan");
        let again = plan(
            &mut store,
            &eco,
            &q,
            a.id,
            &options,
            NOW,
            &crate::NoProgress,
        )
        .expect("plan");
        assert!(!first.reused && again.reused);
        assert_eq!(first.input_hash, again.input_hash);
        store_answer(&mut store, &q, a.id, &q.items[0].id.clone(), 4, None, NOW).expect("stored");
        let third = plan(
            &mut store,
            &eco,
            &q,
            a.id,
            &options,
            NOW,
            &crate::NoProgress,
        )
        .expect("plan");
        assert!(!third.reused, "new answers change the inputs");
        let (name, rows) = history(&store, &eco, &q, "h").expect("history");
        assert_eq!((name.as_str(), rows.len()), ("H", 1));
        assert!(rows[0].expected_ale > 0.0);
    }

    /// Cancelled at its first progress report.
    struct CancelAtOnce;

    impl Progress for CancelAtOnce {
        fn start(&self, _: &str, _: u64, _: &str) {}
        fn advance(&self, _: u64) {}
        fn finish(&self) {}
        fn cancelled(&self) -> bool {
            true
        }
    }

    #[test]
    fn the_latest_plan_says_when_the_answers_moved_on() {
        let (mut store, eco, q) = setup();
        let a = new_assessment(&mut store, &q, "H", NOW).expect("new");
        assert!(latest_plan(&store, &eco, &q, a.id).expect("read").is_none());
        let options = PlanOptions {
            run: holisec_risk::RunOptions {
                iterations: 500,
                seed: 3,
            },
            budget: Some(10_000.0),
            ..PlanOptions::default()
        };
        // A cancelled computation stores nothing.
        let inputs = plan_inputs(&store, &eco, &q, a.id, &options).expect("inputs");
        assert!(inputs.stored.is_none());
        let err = compute_plan(&eco, &q, &inputs, &options, &CancelAtOnce).unwrap_err();
        assert!(matches!(err, ApiError::Cancelled), "{err}");
        assert!(latest_plan(&store, &eco, &q, a.id).expect("read").is_none());

        let first = plan(
            &mut store,
            &eco,
            &q,
            a.id,
            &options,
            NOW,
            &crate::NoProgress,
        )
        .expect("plan");
        let latest = latest_plan(&store, &eco, &q, a.id)
            .expect("read")
            .expect("a plan");
        assert!(!latest.stale);
        assert_eq!(latest.computed_at, NOW);
        assert_eq!(latest.outcome.plan, first.plan);
        assert_eq!(latest.outcome.input_hash, first.input_hash);
        assert!(!first.plan.lec.is_empty());

        store_answer(&mut store, &q, a.id, &q.items[0].id.clone(), 4, None, NOW).expect("stored");
        let latest = latest_plan(&store, &eco, &q, a.id)
            .expect("read")
            .expect("a plan");
        assert!(latest.stale, "a new answer changes what the plan would be");
        assert_eq!(latest.outcome.plan, first.plan);

        // The split API gives what `plan` gives, and a stored plan is reused.
        let inputs = plan_inputs(&store, &eco, &q, a.id, &options).expect("inputs");
        let fresh = compute_plan(&eco, &q, &inputs, &options, &crate::NoProgress).expect("plan");
        assert!(!fresh.reused);
        save_plan(&mut store, &fresh, "2026-12-04T11:00:00Z").expect("saved");
        let latest = latest_plan(&store, &eco, &q, a.id)
            .expect("read")
            .expect("a plan");
        assert!(!latest.stale);
        assert_eq!(latest.computed_at, "2026-12-04T11:00:00Z");
        let inputs = plan_inputs(&store, &eco, &q, a.id, &options).expect("inputs");
        let reused = compute_plan(&eco, &q, &inputs, &options, &CancelAtOnce).expect("reused");
        assert!(reused.reused, "a stored plan is not computed again");
        assert_eq!(reused.plan, fresh.plan);
    }
}
