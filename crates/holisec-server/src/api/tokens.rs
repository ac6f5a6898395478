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
    user: i64,
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
    let secret = new_secret()?;
    let digest = crate::credentials::token_digest(&secret);
    state
        .with_store(move |s| {
            let token =
                taxii::issue_token(s, actor(&admin), body.user, &body.name, &digest, &now())?;
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
