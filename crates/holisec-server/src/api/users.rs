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

/// What an admin changes about a user of their organisation.
#[derive(Debug, Clone, Copy)]
enum Change {
    Disable,
    Enable,
    Role(Role),
}

impl Change {
    /// The audit log's action.
    fn action(self) -> &'static str {
        match self {
            Change::Disable => "disable-user",
            Change::Enable => "enable-user",
            Change::Role(_) => "set-role",
        }
    }
}

/// Applies `change` to user `raw` of the admin's own organisation (another
/// organisation's user answers 404, as a missing one). An admin cannot
/// disable themselves nor change their own role: another admin must, so an
/// organisation always keeps an admin who can act.
async fn change_user(
    state: AppState,
    admin: User,
    raw: String,
    change: Change,
) -> Result<Json<User>, ServerError> {
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServerError::NotFound(format!("no user `{raw}`")))?;
    if id == admin.id && !matches!(change, Change::Enable) {
        let what = match change {
            Change::Role(_) => "change your own role",
            _ => "disable yourself",
        };
        return Err(ServerError::Conflict(format!(
            "you cannot {what}; ask another admin of your organisation"
        )));
    }
    state
        .with_store(move |s| {
            let org = admin.organisation_id;
            let found = match change {
                Change::Disable => s.set_user_disabled(org, id, true)?,
                Change::Enable => s.set_user_disabled(org, id, false)?,
                Change::Role(role) => s.set_user_role(org, id, role)?,
            };
            if !found {
                return Err(ServerError::NotFound(format!("no user {id}")));
            }
            let detail = match change {
                Change::Role(role) => format!("user {id} role {role}"),
                _ => format!("user {id}"),
            };
            s.audit(&now(), Some(admin.id), Some(org), change.action(), &detail)?;
            let user = s
                .user(id)?
                .ok_or_else(|| ServerError::NotFound(format!("no user {id}")))?;
            Ok(Json(user))
        })
        .await
}

/// Disables a user; their sessions stop working at their next request.
pub(crate) async fn disable_user(
    State(state): State<AppState>,
    axum::Extension(Current(admin)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<User>, ServerError> {
    change_user(state, admin, raw, Change::Disable).await
}

/// Enables a disabled user again (they log in anew).
pub(crate) async fn enable_user(
    State(state): State<AppState>,
    axum::Extension(Current(admin)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<User>, ServerError> {
    change_user(state, admin, raw, Change::Enable).await
}

/// Body of `PUT /api/v1/users/{id}/role`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleRequest {
    #[schema(value_type = Role)]
    role: String,
}

/// Sets a user's role within the organisation (`admin`, `analyst`, `viewer`:
/// none reaches past the organisation).
pub(crate) async fn set_role(
    State(state): State<AppState>,
    axum::Extension(Current(admin)): axum::Extension<Current>,
    Path(raw): Path<String>,
    Body(body): Body<RoleRequest>,
) -> Result<Json<User>, ServerError> {
    let role: Role = body
        .role
        .trim()
        .parse()
        .map_err(|e: holisec_store::StoreError| ServerError::invalid("role", e.to_string()))?;
    change_user(state, admin, raw, Change::Role(role)).await
}
