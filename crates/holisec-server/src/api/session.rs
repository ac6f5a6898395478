//! `/healthz`, login, logout and who is logged in.

use axum::Json;
use axum::extract::State;
use holisec_store::User;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::extract::{Body, ClientAddr, now, unix_now};
use crate::guard::Current;
use crate::{AUTH_AT_KEY, AppState, STAMP_KEY, ServerError, TOUCHED_AT_KEY, USER_KEY, accounts};

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
    let (row, matches) = accounts::verify_login(row, body.password).await?;
    let email = key.clone();
    let found = state
        .with_store(move |s| {
            let at = now();
            match row {
                Some((user, hash)) if matches && !user.disabled => {
                    let kind = s
                        .organisation_by_id(user.organisation_id)?
                        .map(|o| o.kind)
                        .unwrap_or_default();
                    s.audit(&at, Some(user.id), Some(user.organisation_id), "login", "")?;
                    Ok(Some((
                        Me {
                            user,
                            organisation_kind: kind,
                        },
                        accounts::credential_stamp(&hash),
                    )))
                }
                Some((user, _)) => {
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
    let Some((me, stamp)) = found else {
        state.throttle.failed(&key, address);
        return Err(ServerError::BadCredentials);
    };
    state.throttle.succeeded(&key);
    open_session(&session, me.user.id, &stamp).await?;
    Ok(Json(me))
}

/// Gives the request's session a new id and makes it the session of user
/// `user_id`, opened now with the password whose stamp is `stamp`.
async fn open_session(session: &Session, user_id: i64, stamp: &str) -> Result<(), ServerError> {
    let failed = |e: tower_sessions::session::Error| ServerError::Internal(format!("session: {e}"));
    session.cycle_id().await.map_err(failed)?;
    session.insert(USER_KEY, user_id).await.map_err(failed)?;
    session.insert(STAMP_KEY, stamp).await.map_err(failed)?;
    let at = unix_now();
    for key in [AUTH_AT_KEY, TOUCHED_AT_KEY] {
        session.insert(key, at).await.map_err(failed)?;
    }
    Ok(())
}

/// Body of `POST /api/v1/me/password`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChange {
    /// The password in use (ASVS 6.2.3).
    current_password: String,
    /// 8 to 128 characters, not guessable (as for a new user).
    #[schema(min_length = 8, max_length = 128)]
    new_password: String,
}

/// Changes the session user's password. The current one is verified (and
/// failures are throttled and audited as a login's), the new one checked by
/// the policy with the user's email and organisation as context; the user's
/// other sessions end at their next request, this one continues under a new id.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(address): ClientAddr,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Body(body): Body<PasswordChange>,
) -> Result<Json<Status>, ServerError> {
    let key = user.email.clone();
    state
        .throttle
        .check(&key, address)
        .map_err(ServerError::Throttled)?;
    let id = user.id;
    let (_, hash) = state
        .with_store(move |s| Ok(s.user_with_hash(id)?))
        .await?
        .ok_or(ServerError::Unauthenticated)?;
    let context = [user.email.clone(), user.organisation.clone()];
    let checked = tokio::task::spawn_blocking(move || {
        if !accounts::verify_password(&body.current_password, &hash) {
            return Ok(None);
        }
        accounts::hash_password(&body.new_password, &[&context[0], &context[1]])
            .map_err(|e| match e {
                ServerError::Invalid { message, .. } => {
                    ServerError::invalid("new_password", message)
                }
                other => other,
            })
            .map(Some)
    })
    .await
    .map_err(|e| ServerError::Internal(format!("password check failed: {e}")))??;
    let Some(new_hash) = checked else {
        state.throttle.failed(&key, address);
        let org = user.organisation_id;
        state
            .with_store(move |s| {
                Ok(s.audit(
                    &now(),
                    Some(id),
                    Some(org),
                    "change-password-failed",
                    "wrong current password",
                )?)
            })
            .await?;
        return Err(ServerError::invalid(
            "current_password",
            "the current password is wrong",
        ));
    };
    state.throttle.succeeded(&key);
    let stamp = accounts::credential_stamp(&new_hash);
    let org = user.organisation_id;
    state
        .with_store(move |s| {
            if !s.set_password_hash(id, &new_hash)? {
                return Err(ServerError::Unauthenticated);
            }
            Ok(s.audit(&now(), Some(id), Some(org), "change-password", "")?)
        })
        .await?;
    open_session(&session, id, &stamp).await?;
    Ok(Json(Status {
        status: "password changed; your other sessions have ended",
    }))
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
        .read(move |s| {
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
