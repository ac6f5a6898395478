//! `holisec serve`: the multi-organisation web application (first slice: the
//! JSON API under `/api/v1`, accounts, sessions and organisation scoping).
//!
//! * [`ROUTES`] is the route table: the router is built from it (a route
//!   missing from it is unreachable) and the [`authorize`] middleware reads
//!   each route's minimum role from it, so no handler can forget a check.
//! * Every read of an organisation's data takes the organisation from the
//!   session, never from the request; another organisation's object answers
//!   404, as a missing one.
//! * SQLite work runs on `spawn_blocking` under one `Mutex<Store>`.
//! * Sessions: `tower-sessions`, kept in the database's `sessions` table
//!   ([`AppState::persist_sessions`], memory otherwise), cookie `__Host-holisec`
//!   with `HttpOnly`, `Secure`, `SameSite=Strict`, `Path=/`, expiry after
//!   [`Config::idle`] without a request; the id is cycled at login and the
//!   session flushed at logout.
//! * CSRF: `tower_http::csrf::CsrfLayer` (`Sec-Fetch-Site` / `Origin`) on
//!   every request with a state-changing method.
//! * Security headers on every response, a body limit, a timeout, and every
//!   error as JSON `{ "error": ..., "field": ... }`.

pub mod accounts;
mod error;
pub mod throttle;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, MatchedPath, Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use holisec_assess::Questionnaire;
use holisec_model::Ecosystem;
use holisec_store::{Role, Store, User};
use serde::{Deserialize, Serialize};
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::{ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, MemoryStore, Session, SessionManagerLayer};
use tower_sessions_rusqlite_store::RusqliteStore;

pub use error::{ErrorBody, ServerError};

/// The session cookie's name (`__Host-`: Secure, Path=/, no Domain).
pub const SESSION_COOKIE: &str = "__Host-holisec";
/// Largest request body, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The Content-Security-Policy of every response.
pub const CSP: &str = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// Session key holding the user's row id.
const USER_KEY: &str = "user_id";
/// Session key holding the login time (Unix seconds).
const AUTH_AT_KEY: &str = "auth_at";

/// HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// GET (never changes state).
    Get,
    /// POST.
    Post,
    /// PUT (replaces the object at the path).
    Put,
}

impl Verb {
    /// As an `http::Method`.
    pub fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
        }
    }
}

/// One route: method, path (axum syntax), the weakest role allowed (`None`:
/// no login needed) and whether it reads an object of the session's
/// organisation by an id in the path (another organisation's id answers 404).
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    /// Method.
    pub method: Verb,
    /// Path, with `{id}` for an object id.
    pub path: &'static str,
    /// Weakest role allowed; `None` for routes open without a session.
    pub min_role: Option<Role>,
    /// Whether the path names an object of the session's organisation.
    pub org_scoped: bool,
}

const fn route(
    method: Verb,
    path: &'static str,
    min_role: Option<Role>,
    org_scoped: bool,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        min_role,
        org_scoped,
    }
}

/// Every route of the application. The router is built from this table.
pub const ROUTES: &[RouteSpec] = &[
    route(Verb::Get, "/healthz", None, false),
    route(Verb::Post, "/api/v1/login", None, false),
    route(Verb::Post, "/api/v1/logout", Some(Role::Viewer), false),
    route(Verb::Get, "/api/v1/me", Some(Role::Viewer), false),
    route(Verb::Get, "/api/v1/assessments", Some(Role::Viewer), false),
    route(
        Verb::Post,
        "/api/v1/assessments",
        Some(Role::Analyst),
        false,
    ),
    route(
        Verb::Get,
        "/api/v1/assessments/{id}",
        Some(Role::Viewer),
        true,
    ),
    route(
        Verb::Get,
        "/api/v1/assessments/{id}/score",
        Some(Role::Viewer),
        true,
    ),
    route(
        Verb::Put,
        "/api/v1/assessments/{id}/answers/{item}",
        Some(Role::Analyst),
        true,
    ),
    route(Verb::Get, "/api/v1/users", Some(Role::Admin), false),
    route(Verb::Post, "/api/v1/users", Some(Role::Admin), false),
    route(
        Verb::Post,
        "/api/v1/users/{id}/disable",
        Some(Role::Admin),
        true,
    ),
];

/// The handler of a route of [`ROUTES`].
fn handler(spec: &RouteSpec) -> MethodRouter<AppState> {
    match (spec.method, spec.path) {
        (Verb::Get, "/healthz") => get(healthz),
        (Verb::Post, "/api/v1/login") => post(login),
        (Verb::Post, "/api/v1/logout") => post(logout),
        (Verb::Get, "/api/v1/me") => get(me),
        (Verb::Get, "/api/v1/assessments") => get(list_assessments),
        (Verb::Post, "/api/v1/assessments") => post(create_assessment),
        (Verb::Get, "/api/v1/assessments/{id}") => get(show_assessment),
        (Verb::Get, "/api/v1/assessments/{id}/score") => get(score_assessment),
        (Verb::Put, "/api/v1/assessments/{id}/answers/{item}") => put(save_answer),
        (Verb::Get, "/api/v1/users") => get(list_users),
        (Verb::Post, "/api/v1/users") => post(create_user),
        (Verb::Post, "/api/v1/users/{id}/disable") => post(disable_user),
        (m, p) => unreachable!("route {m:?} {p} has no handler"),
    }
}

/// Settings of the application.
#[derive(Debug, Clone)]
pub struct Config {
    /// A session expires after this long without a request.
    pub idle: Duration,
    /// A request taking longer is answered 408.
    pub timeout: Duration,
    /// How failed logins are slowed down.
    pub throttle: throttle::ThrottlePolicy,
    /// A session ends this long after its login, active or not (ASVS 7.3.2).
    pub lifetime: Duration,
    /// How often expired sessions are deleted from the database.
    pub session_sweep: Duration,
    /// [`serve`] keeps sessions in this database ([`AppState::persist_sessions`]);
    /// `None`: in memory.
    pub session_db: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            idle: Duration::from_secs(30 * 60),
            timeout: Duration::from_secs(30),
            throttle: throttle::ThrottlePolicy::default(),
            lifetime: Duration::from_secs(12 * 3600),
            session_sweep: Duration::from_secs(60),
            session_db: None,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    #[allow(dead_code)]
    eco: Arc<Ecosystem>,
    q: Arc<Questionnaire>,
    throttle: Arc<throttle::Throttle>,
    /// Sessions in the database (`None`: in memory, lost at restart).
    sessions: Option<RusqliteStore>,
    /// [`Config::lifetime`].
    lifetime: Duration,
}

impl AppState {
    /// State over an open store, the model and the questionnaire checked against it.
    pub fn new(store: Store, eco: Ecosystem, q: Questionnaire) -> AppState {
        AppState {
            store: Arc::new(Mutex::new(store)),
            eco: Arc::new(eco),
            q: Arc::new(q),
            throttle: Arc::new(throttle::Throttle::default()),
            sessions: None,
            lifetime: Config::default().lifetime,
        }
    }

    /// Keeps sessions in the `sessions` table of the database at `db` (its
    /// own connection), so they survive a restart; without it they are in
    /// memory. The table comes from the store's migrations.
    pub async fn persist_sessions(mut self, db: &std::path::Path) -> Result<AppState, ServerError> {
        let conn = tower_sessions_rusqlite_store::tokio_rusqlite::Connection::open(db)
            .await
            .map_err(|e| ServerError::Internal(format!("session store: {e}")))?;
        conn.call(|c| c.busy_timeout(holisec_store::BUSY_TIMEOUT))
            .await
            .map_err(|e| ServerError::Internal(format!("session store: {e}")))?;
        let store = RusqliteStore::new(conn)
            .with_table_name("sessions")
            .map_err(ServerError::Internal)?;
        self.sessions = Some(store);
        Ok(self)
    }

    /// Runs `f` on the store on a blocking thread.
    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ServerError> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            let mut guard = store
                .lock()
                .map_err(|_| ServerError::Internal("the store's lock is poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| ServerError::Internal(format!("store task failed: {e}")))?
    }
}

/// The application: [`ROUTES`] with authorisation, sessions, CSRF
/// protection, security headers, body limit and timeout.
pub fn app(mut state: AppState, config: &Config) -> Router {
    state.throttle = Arc::new(throttle::Throttle::new(config.throttle.clone()));
    state.lifetime = config.lifetime;
    let mut router = Router::new();
    for spec in ROUTES {
        router = router.route(spec.path, handler(spec));
    }
    let persisted = state.sessions.clone();
    let header = |name, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    let router = router
        .route_layer(middleware::from_fn_with_state(state.clone(), authorize))
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
        .layer(header(header::CACHE_CONTROL, "no-store"))
}

/// The session cookie: `__Host-holisec`, HttpOnly, Secure, SameSite=Strict,
/// Path=/, expiring after `idle` without a request.
fn session_layer<S: SessionStore + Clone>(store: S, idle: Duration) -> SessionManagerLayer<S> {
    let idle = tower_sessions::cookie::time::Duration::try_from(idle)
        .unwrap_or(tower_sessions::cookie::time::Duration::minutes(30));
    SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_secure(true)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_path("/")
        .with_always_save(true)
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
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
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

/// The logged-in user of a request, put there by [`authorize`].
#[derive(Debug, Clone)]
struct Current(User);

/// Looks the matched route up in [`ROUTES`] and refuses the request unless
/// the session's user (still existing and enabled) has at least its role.
async fn authorize(
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
    let user_id: Option<i64> = match session.get(USER_KEY).await {
        Ok(id) => id,
        Err(e) => return ServerError::Internal(format!("session: {e}")).into_response(),
    };
    let Some(user_id) = user_id else {
        return ServerError::Unauthenticated.into_response();
    };
    // The absolute lifetime: a session ends so long after its login, however active.
    let auth_at: Option<i64> = session.get(AUTH_AT_KEY).await.ok().flatten();
    let lifetime = i64::try_from(state.lifetime.as_secs()).unwrap_or(i64::MAX);
    if auth_at.is_none_or(|t| unix_now().saturating_sub(t) >= lifetime) {
        let _ = session.flush().await;
        return ServerError::Unauthenticated.into_response();
    }
    let user = match state.with_store(move |s| Ok(s.user(user_id)?)).await {
        Ok(Some(u)) if !u.disabled => u,
        Ok(_) => {
            let _ = session.flush().await;
            return ServerError::Unauthenticated.into_response();
        }
        Err(e) => return e.into_response(),
    };
    if user.role < min_role {
        return ServerError::Forbidden.into_response();
    }
    req.extensions_mut().insert(Current(user));
    next.run(req).await
}

/// A JSON body whose rejections (syntax, types, unknown fields, size,
/// content type) are [`ServerError`]s.
struct Body<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ServerError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ServerError {
    ServerError::Invalid {
        status: r.status(),
        field: None,
        message: r.body_text(),
    }
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// An object id from the path: digits only, else 404 (as an unknown id).
fn object_id(raw: &str) -> Result<i64, ServerError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServerError::NotFound(format!("no assessment `{raw}`")))
}

#[derive(Serialize)]
struct Status {
    status: &'static str,
}

async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    email: String,
    password: String,
}

/// Who is logged in.
#[derive(Serialize)]
struct Me {
    user: User,
    organisation_kind: String,
}

/// The client's address, when the server knows it (not in in-process tests).
struct ClientAddr(Option<std::net::IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

async fn login(
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

async fn logout(
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

async fn me(
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

async fn list_assessments(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Vec<holisec_store::Assessment>>, ServerError> {
    state
        .with_store(move |s| Ok(Json(s.assessments_of_org(user.organisation_id)?)))
        .await
}

/// Body of `POST /api/v1/assessments`: nothing yet (the organisation is the
/// session's); unknown fields such as `organisation_id` are refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAssessment {}

async fn create_assessment(
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

async fn show_assessment(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<holisec_api::assess::AssessmentView>, ServerError> {
    let id = object_id(&raw)?;
    let q = Arc::clone(&state.q);
    state
        .with_store(move |s| {
            s.assessment_in_org(user.organisation_id, id)?;
            Ok(Json(holisec_api::assess::show(s, &q, id)?))
        })
        .await
}

#[derive(Serialize)]
struct ScoreView {
    assessment: holisec_store::Assessment,
    scores: holisec_assess::scoring::Scores,
}

async fn score_assessment(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<ScoreView>, ServerError> {
    let id = object_id(&raw)?;
    let q = Arc::clone(&state.q);
    state
        .with_store(move |s| {
            s.assessment_in_org(user.organisation_id, id)?;
            let (assessment, scores) = holisec_api::assess::score(s, &q, id)?;
            Ok(Json(ScoreView { assessment, scores }))
        })
        .await
}

/// Body of `PUT /api/v1/assessments/{id}/answers/{item}`: the level and an
/// optional evidence note. The assessment and item come from the path only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerRequest {
    level: u8,
    #[serde(default)]
    evidence: Option<String>,
}

/// Longest evidence note, in characters.
const MAX_EVIDENCE_CHARS: usize = 4000;

async fn save_answer(
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
                    holisec_api::ApiError::Invalid(m) if m.starts_with("unknown item") => {
                        ServerError::invalid("item", m)
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

async fn list_users(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Vec<User>>, ServerError> {
    state
        .with_store(move |s| Ok(Json(s.users_of_org(user.organisation_id)?)))
        .await
}

/// Body of `POST /api/v1/users`: the new user is always of the session's
/// organisation; unknown fields (`organisation_id`, ...) are refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserRequest {
    email: String,
    role: String,
    password: String,
}

async fn create_user(
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

async fn disable_user(
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
        return Err(ServerError::invalid(
            "id",
            "you cannot disable yourself; ask another admin of your organisation",
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
