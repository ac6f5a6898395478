//! `/healthz`, login, logout and who is logged in.

use axum::Json;
use axum::extract::State;
use holisec_store::User;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::extract::{Body, ClientAddr, now, unix_now};
use crate::guard::Current;
use crate::{AUTH_AT_KEY, AppState, ServerError, USER_KEY, accounts};

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Status {
    status: &'static str,
}

pub(crate) async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    email: String,
    password: String,
}

/// Who is logged in.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Me {
    user: User,
    organisation_kind: String,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(address): ClientAddr,
    Body(body): Body<LoginRequest>,
) -> Result<Json<Me>, ServerError> {
    let key = body.email.trim().to_lowercase();
    state
        .throttle
        .check(&key, address)
        .map_err(ServerError::Throttled)?;
    // Read the row under the store's lock, verify on a blocking thread
    // without it (Argon2 takes tens of milliseconds), then audit.
    let email = key.clone();
    let row = state
        .with_store(move |s| Ok(s.user_for_login(&email)?))
        .await?;
    let password = body.password;
    let (row, matches) = tokio::task::spawn_blocking(move || {
        // An unknown email costs one verification too.
        let hash = row
            .as_ref()
            .map_or(accounts::dummy_hash(), |(_, h)| h.as_str());
        let matches = accounts::verify_password(&password, hash);
        (row.map(|(u, _)| u), matches)
    })
    .await
    .map_err(|e| ServerError::Internal(format!("password check failed: {e}")))?;
    let email = key.clone();
    let found = state
        .with_store(move |s| {
            let at = now();
            match row {
                Some(user) if matches && !user.disabled => {
                    let kind = s
                        .organisation_by_id(user.organisation_id)?
                        .map(|o| o.kind)
                        .unwrap_or_default();
                    s.audit(&at, Some(user.id), Some(user.organisation_id), "login", "")?;
                    Ok(Some(Me {
                        user,
                        organisation_kind: kind,
                    }))
                }
                Some(user) => {
                    let why = if user.disabled {
                        "user disabled"
                    } else {
                        "wrong password"
                    };
                    s.audit(
                        &at,
                        Some(user.id),
                        Some(user.organisation_id),
                        "login-failed",
                        why,
                    )?;
                    Ok(None)
                }
                None => {
                    let shown: String = email.chars().take(100).collect();
                    s.audit(
                        &at,
                        None,
                        None,
                        "login-failed",
                        &format!("unknown email {shown:?}"),
                    )?;
                    Ok(None)
                }
            }
        })
        .await?;
    let Some(me) = found else {
        state.throttle.failed(&key, address);
        return Err(ServerError::BadCredentials);
    };
    state.throttle.succeeded(&key);
    session
        .cycle_id()
        .await
        .map_err(|e| ServerError::Internal(format!("session: {e}")))?;
    session
        .insert(USER_KEY, me.user.id)
        .await
        .map_err(|e| ServerError::Internal(format!("session: {e}")))?;
    session
        .insert(AUTH_AT_KEY, unix_now())
        .await
        .map_err(|e| ServerError::Internal(format!("session: {e}")))?;
    Ok(Json(me))
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    session: Session,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Status>, ServerError> {
    session
        .flush()
        .await
        .map_err(|e| ServerError::Internal(format!("session: {e}")))?;
    state
        .with_store(move |s| {
            Ok(s.audit(
                &now(),
                Some(user.id),
                Some(user.organisation_id),
                "logout",
                "",
            )?)
        })
        .await?;
    Ok(Json(Status {
        status: "logged out",
    }))
}

pub(crate) async fn me(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Me>, ServerError> {
    state
        .with_store(move |s| {
            let kind = s
                .organisation_by_id(user.organisation_id)?
                .map(|o| o.kind)
                .unwrap_or_default();
            Ok(Json(Me {
                user,
                organisation_kind: kind,
            }))
        })
        .await
}

/// The OpenAPI document of this API ([`crate::openapi`]), to logged-in users
/// only (ASVS 13.4.5: the API's map is not public).
pub(crate) async fn openapi() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}
