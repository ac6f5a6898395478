//! Authorisation: the middleware that looks each request's route up in
//! [`crate::ROUTES`] and lets it through only with a live session of a user
//! (still existing and enabled, within the session's absolute lifetime)
//! whose role is at least the route's.
//!
//! The common authenticated request writes nothing: the user is read on a
//! read-only connection (so a disabled or deleted user is refused at their
//! next request, with no cache to invalidate), and the session is changed,
//! hence saved, only when its expiry was last pushed forward
//! [`crate::Config::touch`] ago or more.

use axum::Json;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use holisec_store::User;
use tower_sessions::Session;

use crate::extract::unix_now;
use crate::{
    AUTH_AT_KEY, AppState, ErrorBody, ROUTES, STAMP_KEY, ServerError, TOUCHED_AT_KEY, USER_KEY,
    accounts,
};

/// The logged-in user of a request, put there by [`authorize`].
#[derive(Debug, Clone)]
pub(crate) struct Current(pub(crate) User);

/// The stakeholder kind of the user's organisation, put there by
/// [`authorize`] for pages (their menu) and routes limited to one kind.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrgKind(pub(crate) String);

/// Looks the matched route up in [`ROUTES`] and refuses the request unless
/// the session's user (still existing and enabled) has at least its role.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    session: Session,
    matched: MatchedPath,
    mut req: Request,
    next: Next,
) -> Response {
    // HEAD is answered by the GET handler: it needs what GET needs.
    let method = match req.method() {
        m if m == Method::HEAD => Method::GET,
        m => m.clone(),
    };
    let Some(spec) = ROUTES
        .iter()
        .find(|r| r.path == matched.as_str() && r.method.method() == method)
    else {
        // Fail closed: a method the table does not list is not served.
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            Json(ErrorBody {
                error: "method not allowed on this path".into(),
                field: None,
            }),
        )
            .into_response();
    };
    let Some(min_role) = spec.min_role else {
        return next.run(req).await;
    };
    // A TAXII client sends its credentials with each request; a browser its session.
    let user = if spec.taxii && req.headers().contains_key(header::AUTHORIZATION) {
        let address = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        match crate::credentials::user_from_headers(&state, req.headers(), address).await {
            Ok(Some(user)) => user,
            Ok(None) => return refuse(spec, ServerError::Unauthenticated),
            Err(e) => return refuse(spec, e),
        }
    } else {
        match session_user(&state, &session).await {
            Ok(user) => user,
            Err(e) => return refuse(spec, e),
        }
    };
    if user.role < min_role {
        return refuse(spec, ServerError::Forbidden);
    }
    // Pages show the organisation's kind in their menu: read once, here.
    if spec.org_kind.is_some() || spec.page {
        let org = user.organisation_id;
        let kind = match state.read(move |s| Ok(s.organisation_by_id(org)?)).await {
            Ok(o) => o.map(|o| o.kind).unwrap_or_default(),
            Err(e) => return refuse(spec, e),
        };
        if let Some(wanted) = spec.org_kind
            && kind != wanted
        {
            return refuse(
                spec,
                ServerError::Denied(format!(
                    "only an organisation of kind `{wanted}` may do this"
                )),
            );
        }
        req.extensions_mut().insert(OrgKind(kind));
    }
    req.extensions_mut().insert(Current(user));
    next.run(req).await
}

/// The user of the request's session, refreshing its expiry when due; a
/// session past its absolute lifetime, of a disabled user or opened with a
/// password since changed is ended.
async fn session_user(state: &AppState, session: &Session) -> Result<User, ServerError> {
    let user_id: Option<i64> = session
        .get(USER_KEY)
        .await
        .map_err(|e| ServerError::Internal(format!("session: {e}")))?;
    let user_id = user_id.ok_or(ServerError::Unauthenticated)?;
    // The absolute lifetime: a session ends so long after its login, however active.
    let auth_at: Option<i64> = session.get(AUTH_AT_KEY).await.ok().flatten();
    let lifetime = i64::try_from(state.lifetime.as_secs()).unwrap_or(i64::MAX);
    if auth_at.is_none_or(|t| unix_now().saturating_sub(t) >= lifetime) {
        let _ = session.flush().await;
        return Err(ServerError::Unauthenticated);
    }
    let now = unix_now();
    let touched: Option<i64> = session.get(TOUCHED_AT_KEY).await.ok().flatten();
    let touch = i64::try_from(state.touch.as_secs()).unwrap_or(i64::MAX);
    if touched.is_none_or(|t| now.saturating_sub(t) >= touch) {
        // Changing the session saves it, with a new expiry, after the response.
        session
            .insert(TOUCHED_AT_KEY, now)
            .await
            .map_err(|e| ServerError::Internal(format!("session: {e}")))?;
    }
    let stamp: Option<String> = session.get(STAMP_KEY).await.ok().flatten();
    match state.read(move |s| Ok(s.user_with_hash(user_id)?)).await? {
        // A disabled user, or a session opened with a password since changed, ends here.
        Some((u, hash))
            if !u.disabled
                && stamp.as_deref() == Some(accounts::credential_stamp(&hash).as_str()) =>
        {
            Ok(u)
        }
        _ => {
            let _ = session.flush().await;
            Err(ServerError::Unauthenticated)
        }
    }
}

/// The refusal of `spec`: JSON for the API; for a page, anonymous browsers
/// go to `/login` (303) and other refusals are HTML pages.
fn refuse(spec: &crate::RouteSpec, error: ServerError) -> Response {
    if spec.taxii {
        return crate::taxii::refusal(error);
    }
    if !spec.page {
        return error.into_response();
    }
    match error {
        ServerError::Unauthenticated => crate::pages::to_login(),
        other => crate::pages::PageError(other).into_response(),
    }
}
