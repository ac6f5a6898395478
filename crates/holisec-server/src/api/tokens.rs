//! API tokens for TAXII clients (`/api/v1/tokens`, admins only): a token
//! acts as one user of the admin's organisation, is shown once at issue and
//! stored as its SHA-256 only (`crate::credentials::token_digest`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use holisec_api::sharing::Actor;
use holisec_api::taxii;
use serde::{Deserialize, Serialize};

use crate::extract::{Body, now, object_id};
use crate::guard::Current;
use crate::{AppState, ServerError};

/// Body of `POST /api/v1/tokens`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewTokenRequest {
    /// A name to recognise the token by (1 to 100 characters).
    name: String,
    /// The user (of the admin's organisation) the token acts as.
    #[schema(value_type = i64)]
    user: serde_json::Number,
}

/// The user id of the body: JSON Schema counts `12.0` as an integer, so it
/// is read as 12 (a fraction is refused with 422).
fn user_id(n: &serde_json::Number) -> Result<i64, ServerError> {
    let whole = |x: f64| x.fract() == 0.0 && x.abs() < 9.0e15;
    #[allow(clippy::cast_possible_truncation)]
    let from_float = || n.as_f64().filter(|x| whole(*x)).map(|x| x as i64);
    n.as_i64()
        .or_else(from_float)
        .ok_or_else(|| ServerError::Invalid {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: Some("user".into()),
            message: format!("user: {n}: expected a user id (a whole number)"),
        })
}

/// A new token: shown once, never again.
#[derive(Serialize)]
pub(crate) struct IssuedToken {
    /// The stored token (without its secret).
    #[serde(flatten)]
    token: holisec_store::ApiToken,
    /// The secret, for `Authorization: Bearer`; only its SHA-256 is kept.
    secret: String,
}

fn actor(user: &holisec_store::User) -> Actor {
    Actor {
        org: user.organisation_id,
        user: Some(user.id),
    }
}

/// 32 random bytes as 64 hexadecimal digits.
fn new_secret() -> Result<String, ServerError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServerError::Internal(format!("random bytes: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub(crate) async fn issue_token(
    State(state): State<AppState>,
    axum::Extension(Current(admin)): axum::Extension<Current>,
    Body(body): Body<NewTokenRequest>,
) -> Result<(StatusCode, Json<IssuedToken>), ServerError> {
    let user = user_id(&body.user)?;
    let secret = new_secret()?;
    let digest = crate::credentials::token_digest(&secret);
    state
        .with_store(move |s| {
            let token = taxii::issue_token(s, actor(&admin), user, &body.name, &digest, &now())?;
            Ok((StatusCode::CREATED, Json(IssuedToken { token, secret })))
        })
        .await
}

pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    axum::Extension(Current(admin)): axum::Extension<Current>,
) -> Result<Json<Vec<holisec_store::ApiToken>>, ServerError> {
    let org = admin.organisation_id;
    state.read(move |s| Ok(Json(taxii::tokens(s, org)?))).await
}

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    axum::Extension(Current(admin)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<serde_json::Value>, ServerError> {
    let id = object_id(&raw).map_err(|_| ServerError::NotFound(format!("no token {raw}")))?;
    state
        .with_store(move |s| {
            taxii::revoke_token(s, actor(&admin), id, &now())?;
            Ok(Json(serde_json::json!({"id": id, "revoked": true})))
        })
        .await
}
