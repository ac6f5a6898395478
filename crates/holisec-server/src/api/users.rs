//! An organisation admin's users: list, create, disable (always within the
//! session's organisation).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use holisec_store::{Role, User};
use serde::Deserialize;

use crate::extract::{Body, now};
use crate::guard::Current;
use crate::{AppState, ServerError, accounts};

pub(crate) async fn list_users(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Vec<User>>, ServerError> {
    state
        .with_store(move |s| Ok(Json(s.users_of_org(user.organisation_id)?)))
        .await
}

/// Body of `POST /api/v1/users`: the new user is always of the session's
/// organisation; unknown fields (`organisation_id`, ...) are refused.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUserRequest {
    /// `NAME@DOMAIN` in printable ASCII.
    #[schema(pattern = r"^[!-?A-~]+@[!-?A-~]+$", max_length = 254)]
    email: String,
    #[schema(value_type = Role)]
    role: String,
    /// 8 to 128 characters, no composition rules.
    #[schema(min_length = 8, max_length = 128)]
    password: String,
}

pub(crate) async fn create_user(
    State(state): State<AppState>,
    axum::Extension(Current(admin)): axum::Extension<Current>,
    Body(body): Body<NewUserRequest>,
) -> Result<(StatusCode, Json<User>), ServerError> {
    let role: Role = body
        .role
        .trim()
        .parse()
        .map_err(|e: holisec_store::StoreError| ServerError::invalid("role", e.to_string()))?;
    holisec_store::normalise_email(&body.email)
        .map_err(|e| ServerError::invalid("email", e.to_string()))?;
    let password = body.password;
    // Hashing takes tens of milliseconds: not under the store's lock.
    let hash = tokio::task::spawn_blocking(move || accounts::hash_password(&password))
        .await
        .map_err(|e| ServerError::Internal(format!("hashing failed: {e}")))??;
    state
        .with_store(move |s| {
            let at = now();
            let user = s.create_user(&holisec_store::NewUser {
                email: &body.email,
                organisation_id: admin.organisation_id,
                role,
                password_hash: &hash,
                now: &at,
            })?;
            s.audit(
                &at,
                Some(admin.id),
                Some(admin.organisation_id),
                "create-user",
                &format!("{} ({})", user.email, user.role),
            )?;
            Ok((StatusCode::CREATED, Json(user)))
        })
        .await
}

pub(crate) async fn disable_user(
    State(state): State<AppState>,
    axum::Extension(Current(admin)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<User>, ServerError> {
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServerError::NotFound(format!("no user `{raw}`")))?;
    if id == admin.id {
        return Err(ServerError::Conflict(
            "you cannot disable yourself; ask another admin of your organisation".into(),
        ));
    }
    state
        .with_store(move |s| {
            if !s.set_user_disabled(admin.organisation_id, id, true)? {
                return Err(ServerError::NotFound(format!("no user {id}")));
            }
            s.audit(
                &now(),
                Some(admin.id),
                Some(admin.organisation_id),
                "disable-user",
                &format!("user {id}"),
            )?;
            let user = s
                .user(id)?
                .ok_or_else(|| ServerError::NotFound(format!("no user {id}")))?;
            Ok(Json(user))
        })
        .await
}
