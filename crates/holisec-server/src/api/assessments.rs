//! The organisation's self-assessments: list, create, show, score, and one
//! answer at a time.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::extract::{Body, now, object_id};
use crate::guard::Current;
use crate::{AppState, ServerError};

pub(crate) async fn list_assessments(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Vec<holisec_store::Assessment>>, ServerError> {
    state
        .read(move |s| Ok(Json(s.assessments_of_org(user.organisation_id)?)))
        .await
}

/// Body of `POST /api/v1/assessments`: nothing yet (the organisation is the
/// session's); unknown fields such as `organisation_id` are refused.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAssessment {}

pub(crate) async fn create_assessment(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<holisec_store::Assessment>), ServerError> {
    let body = body.map_err(|r| ServerError::Invalid {
        status: r.status(),
        field: None,
        message: r.body_text(),
    })?;
    // An empty body is `{}`; anything else must be a JSON object of known fields.
    if !body.is_empty() {
        serde_json::from_slice::<NewAssessment>(&body).map_err(|e| ServerError::Invalid {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: None,
            message: format!("invalid body: {e}"),
        })?;
    }
    let q = Arc::clone(&state.q);
    state
        .with_store(move |s| {
            let at = now();
            let a = holisec_api::assess::new_assessment(s, &q, &user.organisation, &at)?;
            if a.organisation_id != user.organisation_id {
                return Err(ServerError::Internal(
                    "assessment created outside the session's organisation".into(),
                ));
            }
            s.audit(
                &at,
                Some(user.id),
                Some(user.organisation_id),
                "create-assessment",
                &format!("assessment {} version {}", a.id, a.version),
            )?;
            Ok((StatusCode::CREATED, Json(a)))
        })
        .await
}

pub(crate) async fn show_assessment(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<holisec_api::assess::AssessmentView>, ServerError> {
    let id = object_id(&raw)?;
    let q = Arc::clone(&state.q);
    state
        .read(move |s| {
            s.assessment_in_org(user.organisation_id, id)?;
            Ok(Json(holisec_api::assess::show(s, &q, id)?))
        })
        .await
}

/// The plan of an assessment computed last, or none yet.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PlanView {
    assessment: i64,
    /// `holisec assess plan --json`'s object with `computed_at` and `stale`
    /// (see docs/assessment.md), or null.
    #[schema(value_type = Option<Object>)]
    latest: Option<holisec_api::assess::LatestPlan>,
}

pub(crate) async fn latest_plan(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<PlanView>, ServerError> {
    let id = object_id(&raw)?;
    let (eco, q) = (Arc::clone(&state.eco), Arc::clone(&state.q));
    state
        .read(move |s| {
            s.assessment_in_org(user.organisation_id, id)?;
            let latest = holisec_api::assess::latest_plan(s, &eco, &q, id)?;
            Ok(Json(PlanView {
                assessment: id,
                latest,
            }))
        })
        .await
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ScoreView {
    assessment: holisec_store::Assessment,
    scores: holisec_assess::scoring::Scores,
}

pub(crate) async fn score_assessment(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<ScoreView>, ServerError> {
    let id = object_id(&raw)?;
    let q = Arc::clone(&state.q);
    state
        .read(move |s| {
            s.assessment_in_org(user.organisation_id, id)?;
            let (assessment, scores) = holisec_api::assess::score(s, &q, id)?;
            Ok(Json(ScoreView { assessment, scores }))
        })
        .await
}

/// Body of `PUT /api/v1/assessments/{id}/answers/{item}`: the level and an
/// optional evidence note. The assessment and item come from the path only.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnswerRequest {
    /// Maturity level, 0 (absent) to 4 (optimised).
    #[schema(maximum = 4)]
    #[serde(deserialize_with = "whole_number")]
    level: u8,
    #[serde(default)]
    evidence: Option<String>,
}

/// A level given as a JSON integer or as a number with no fraction (`2.0`, which
/// JSON Schema counts as an integer); anything else is refused by name.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    let whole = n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
            .map(|f| f as u64)
    });
    whole.and_then(|w| u8::try_from(w).ok()).ok_or_else(|| {
        serde::de::Error::custom(format!("level {n}: expected a whole number 0 to 4"))
    })
}

/// Longest evidence note, in characters.
const MAX_EVIDENCE_CHARS: usize = 4000;

pub(crate) async fn save_answer(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path((raw, item)): Path<(String, String)>,
    Body(body): Body<AnswerRequest>,
) -> Result<Json<holisec_store::Assessment>, ServerError> {
    let id = object_id(&raw)?;
    if let Some(e) = &body.evidence
        && e.chars().count() > MAX_EVIDENCE_CHARS
    {
        return Err(ServerError::invalid(
            "evidence",
            format!("the note has over {MAX_EVIDENCE_CHARS} characters"),
        ));
    }
    let q = Arc::clone(&state.q);
    state
        .with_store(move |s| {
            s.assessment_in_org(user.organisation_id, id)?;
            let at = now();
            holisec_api::assess::store_answer(s, &q, id, &item, body.level, body.evidence, &at)
                .map_err(|e| match e {
                    // The item is part of the path: an unknown one is not found.
                    holisec_api::ApiError::Invalid(m) if m.starts_with("unknown item") => {
                        ServerError::NotFound(m)
                    }
                    other => other.into(),
                })?;
            s.audit(
                &at,
                Some(user.id),
                Some(user.organisation_id),
                "answer",
                &format!("assessment {id} item {item} level {}", body.level),
            )?;
            Ok(Json(s.assessment_in_org(user.organisation_id, id)?))
        })
        .await
}
