//! `/assessments` (the organisation's assessments, "new" for analysts) and
//! `/assessments/{id}`: the questionnaire as a form by domain, filled with
//! the stored answers (so a reload resumes), the score per domain and the
//! history. `assessment.js` saves each answer as it is given with
//! `PUT /api/v1/assessments/{id}/answers/{item}`: one item per request, so
//! several people answering at once never overwrite each other's items.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use holisec_assess::scoring::Scores;
use holisec_store::Assessment;

use super::{Chrome, PageError, html};
use crate::extract::object_id;
use crate::guard::{Current, OrgKind};
use crate::{AppState, ServerError};

#[derive(Template)]
#[template(path = "assessments.html")]
struct ListPage {
    chrome: Chrome,
    assessments: Vec<Assessment>,
    items: usize,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
) -> Result<Html<String>, PageError> {
    let org = user.organisation_id;
    let assessments = state
        .with_store(move |s| Ok(s.assessments_of_org(org)?))
        .await?;
    html(&ListPage {
        chrome: Chrome::new(&user, &kind, "/assessments"),
        assessments,
        items: state.q.items.len(),
    })
}

/// One question of the form, with its stored answer.
struct Question {
    id: String,
    title: String,
    question: String,
    /// (level, what it means, whether it is the stored answer).
    levels: Vec<(u8, String, bool)>,
    evidence: String,
    answered: bool,
}

/// The questions of one domain.
struct Section {
    domain: &'static str,
    questions: Vec<Question>,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct ShowPage {
    chrome: Chrome,
    assessment: Assessment,
    items: usize,
    sections: Vec<Section>,
    scores: Scores,
    history: Vec<Assessment>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
    Path(raw): Path<String>,
) -> Result<Html<String>, PageError> {
    let id = object_id(&raw)?;
    let q = Arc::clone(&state.q);
    let org = user.organisation_id;
    let (view, scores, history) = state
        .with_store(move |s| {
            // Another organisation's id is refused here, as a missing one.
            s.assessment_in_org(org, id)?;
            let view = holisec_api::assess::show(s, &q, id)?;
            let (_, scores) = holisec_api::assess::score(s, &q, id)?;
            Ok((view, scores, s.assessments_of_org(org)?))
        })
        .await?;
    let sections = sections(&state.q, &view);
    html(&ShowPage {
        chrome: Chrome::new(&user, &kind, "/assessments"),
        assessment: view.assessment,
        items: view.items,
        sections,
        scores,
        history,
    })
}

/// The questionnaire by domain (domains in model order), each question with
/// its stored answer.
fn sections(
    q: &holisec_assess::Questionnaire,
    view: &holisec_api::assess::AssessmentView,
) -> Vec<Section> {
    holisec_model::Domain::ALL
        .iter()
        .map(|d| Section {
            domain: d.as_str(),
            questions: q
                .items
                .iter()
                .filter(|i| i.domain == *d)
                .map(|i| {
                    let stored = view.answers.iter().find(|a| a.answer.item == i.id);
                    let level = stored.map(|a| a.answer.level);
                    Question {
                        id: i.id.clone(),
                        title: i.title.clone(),
                        question: i.question.clone(),
                        levels: (0u8..)
                            .zip(i.levels.iter())
                            .map(|(n, m)| (n, m.clone(), level == Some(n)))
                            .collect(),
                        evidence: stored
                            .and_then(|a| a.answer.evidence.clone())
                            .unwrap_or_default(),
                        answered: stored.is_some(),
                    }
                })
                .collect(),
        })
        .filter(|s| !s.questions.is_empty())
        .collect()
}

impl From<holisec_api::ApiError> for PageError {
    fn from(e: holisec_api::ApiError) -> Self {
        PageError(ServerError::from(e))
    }
}
