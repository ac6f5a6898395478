//! `holisec serve`: the multi-organisation web application: HTML pages, the
//! JSON API under `/api/v1` with its OpenAPI document, accounts, sessions,
//! organisation scoping, uploads and background jobs ([`jobs`]).
//!
//! * [`ROUTES`] is the route table: the router is built from it (a route
//!   missing from it is unreachable) and the `guard::authorize` middleware reads
//!   each route's minimum role from it, so no handler can forget a check.
//! * Every read of an organisation's data takes the organisation from the
//!   session, never from the request; another organisation's object answers
//!   404, as a missing one.
//! * SQLite work runs on `spawn_blocking`: writes under one `Mutex<Store>`,
//!   reads (GET) on a pool of read-only WAL connections, side by side.
//! * Sessions: `tower-sessions`, kept in the database's `sessions` table
//!   ([`AppState::persist_sessions`], memory otherwise), cookie `__Host-holisec`
//!   with `HttpOnly`, `Secure`, `SameSite=Strict`, `Path=/`, expiry after
//!   [`Config::idle`] without a request (pushed forward at most once per
//!   [`Config::touch`], so most requests write nothing); the id is cycled at
//!   login and the session flushed at logout.
//! * CSRF: `tower_http::csrf::CsrfLayer` (`Sec-Fetch-Site` / `Origin`) on
//!   every request with a state-changing method.
//! * Security headers on every response, a body limit, a timeout, and every
//!   API error as JSON `{ "error": ..., "field": ... }`.
//! * HTML pages ([`pages`], askama templates) and their scripts and styles
//!   (`/assets/<version>/...`, embedded): page routes are marked in
//!   [`ROUTES`]; an anonymous browser is sent to `/login`.

pub mod accounts;
mod api;
mod credentials;
mod error;
mod extract;
mod guard;
pub mod jobs;
pub mod openapi;
mod pages;
mod report;
mod routes;
mod state;
mod taxii;
pub mod throttle;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::{ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, MemoryStore, SessionManagerLayer};

pub use error::{ErrorBody, ServerError};
pub use routes::{ROUTES, RouteSpec, Verb};
pub use state::{AppState, Config};

/// The session cookie's name (`__Host-`: Secure, Path=/, no Domain).
pub const SESSION_COOKIE: &str = "__Host-holisec";
/// Largest request body, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The Content-Security-Policy of every response.
pub const CSP: &str = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// The URL of the embedded asset `file` (`/assets/<version>/<file>`).
pub fn asset_url(file: &str) -> String {
    format!("{}/{file}", pages::assets::prefix())
}

/// Session key holding the user's row id.
pub(crate) const USER_KEY: &str = "user_id";
/// Session key holding the login time (Unix seconds).
pub(crate) const AUTH_AT_KEY: &str = "auth_at";
/// Session key holding when the session's expiry was last pushed forward (Unix seconds).
pub(crate) const TOUCHED_AT_KEY: &str = "touched_at";
/// Session key holding [`accounts::credential_stamp`] of the password it was opened with.
pub(crate) const STAMP_KEY: &str = "credential_stamp";

/// The application: [`ROUTES`] with authorisation, sessions, CSRF
/// protection, security headers, body limit and timeout.
pub fn app(mut state: AppState, config: &Config) -> Router {
    state.throttle = Arc::new(throttle::Throttle::new(config.throttle.clone()));
    state.lifetime = config.lifetime;
    state.touch = config.touch.min(config.idle / 2);
    let mut router = Router::new();
    for spec in ROUTES {
        router = router.route(spec.path, routes::handler(spec));
    }
    let persisted = state.sessions.clone();
    let header = |name, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    // Assets set their own long cache; everything else is never cached.
    let default_header = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let router = router
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            guard::authorize,
        ))
        .fallback(not_found)
        .with_state(state);
    let router = match persisted {
        Some(store) => router.layer(session_layer(store, config.idle)),
        None => router.layer(session_layer(MemoryStore::default(), config.idle)),
    };
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CsrfLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.timeout,
        ))
        .layer(middleware::map_response(json_errors))
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(default_header(header::CACHE_CONTROL, "no-store"))
}

/// The session cookie: `__Host-holisec`, HttpOnly, Secure, SameSite=Strict,
/// Path=/, expiring after `idle` without a request. A session is saved
/// (and its cookie sent again) only when a request changed it: the
/// [`guard::authorize`] middleware changes it once per [`Config::touch`].
fn session_layer<S: SessionStore + Clone>(store: S, idle: Duration) -> SessionManagerLayer<S> {
    let idle = tower_sessions::cookie::time::Duration::try_from(idle)
        .unwrap_or(tower_sessions::cookie::time::Duration::minutes(30));
    SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_secure(true)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

/// Serves `app` on `addr` until Ctrl-C; `ready` gets the bound address.
/// With persisted sessions, expired ones are deleted every
/// [`Config::session_sweep`].
pub async fn serve(
    mut state: AppState,
    config: Config,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    if let Some(db) = &config.session_db {
        state = state
            .persist_sessions(db)
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    if let Some(store) = state.sessions.clone() {
        let period = config.session_sweep;
        tokio::spawn(async move {
            if let Err(e) = store.continuously_delete_expired(period).await {
                eprintln!("holisec serve: expired sessions are no longer deleted: {e}");
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    axum::serve(
        listener,
        app(state, &config).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// [`serve`] on a new multi-threaded tokio runtime, for callers without one
/// (the CLI).
pub fn serve_blocking(
    state: AppState,
    config: Config,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(state, config, addr, ready))
}

/// Any error response made by a layer (CSRF 403, 405, 408, 413) gets the JSON body.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    // JSON errors and the pages' own HTML error pages are left as they are.
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"application/json")
                || v.as_bytes().starts_with(b"application/taxii+json")
                || v.as_bytes().starts_with(b"text/html")
        });
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let error = match status {
        StatusCode::FORBIDDEN => "cross-origin request refused".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this path".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => format!("request body over {MAX_BODY_BYTES} bytes"),
        StatusCode::REQUEST_TIMEOUT => "the request took too long".to_owned(),
        s => s.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut out = (status, Json(ErrorBody { error, field: None })).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

async fn not_found() -> ServerError {
    ServerError::NotFound("no such path".into())
}
