//! The route table: every route of the application with the weakest role
//! allowed and whether its path names an object of the session's
//! organisation. The router is built from [`ROUTES`] and the
//! [`crate::guard::authorize`] middleware reads it, so a route cannot be
//! served without its check, and the test matrix of `tests/api.rs`
//! (route x role x organisation) is generated from it.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};
use holisec_store::Role;

use crate::AppState;
use crate::api::{assessments, jobs, map, models, session, sharing, tokens, users};
use crate::pages;

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
    /// An HTML page: an anonymous browser is sent to `/login` (303) instead
    /// of a JSON 401, and refusals are HTML pages.
    pub page: bool,
    /// Only organisations of this stakeholder kind (e.g. `agency-institution`);
    /// others get 403 whatever the role.
    pub org_kind: Option<&'static str>,
    /// A TAXII 2.1 route: besides a session it takes HTTP Basic or a Bearer
    /// API token (`crate::credentials`), and refusals are TAXII error
    /// resources (`application/taxii+json;version=2.1`, a 401 with
    /// `WWW-Authenticate: Basic`).
    pub taxii: bool,
}

impl RouteSpec {
    /// Only for organisations of `kind`.
    pub const fn only_for(self, kind: &'static str) -> RouteSpec {
        RouteSpec {
            org_kind: Some(kind),
            ..self
        }
    }
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
        page: false,
        org_kind: None,
        taxii: false,
    }
}

/// An HTML page (GET), see [`RouteSpec::page`].
const fn page(path: &'static str, min_role: Option<Role>, org_scoped: bool) -> RouteSpec {
    RouteSpec {
        method: Verb::Get,
        path,
        min_role,
        org_scoped,
        page: true,
        org_kind: None,
        taxii: false,
    }
}

/// A TAXII 2.1 route (GET unless said), see [`RouteSpec::taxii`]; every one
/// needs a user of at least `viewer` (writes check the collection).
const fn taxii(method: Verb, path: &'static str) -> RouteSpec {
    RouteSpec {
        method,
        path,
        min_role: Some(Role::Viewer),
        org_scoped: false,
        page: false,
        org_kind: None,
        taxii: true,
    }
}

/// A TAXII 2.1 route that adds objects: analysts and admins only (a
/// viewer's request is refused as a TAXII error).
const fn taxii_write(method: Verb, path: &'static str) -> RouteSpec {
    RouteSpec {
        min_role: Some(Role::Analyst),
        ..taxii(method, path)
    }
}

/// The stakeholder kind of agencies and CSIRTs (alerts, the national view).
pub const AGENCY: &str = "agency-institution";

/// Every route of the application. The router is built from this table.
pub const ROUTES: &[RouteSpec] = &[
    route(Verb::Get, "/healthz", None, false),
    route(Verb::Post, "/api/v1/login", None, false),
    route(Verb::Post, "/api/v1/logout", Some(Role::Viewer), false),
    route(Verb::Get, "/api/v1/me", Some(Role::Viewer), false),
    route(Verb::Post, "/api/v1/me/password", Some(Role::Viewer), false),
    route(Verb::Get, "/api/v1/openapi.json", Some(Role::Viewer), false),
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
        Verb::Get,
        "/api/v1/assessments/{id}/plan",
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
    route(
        Verb::Post,
        "/api/v1/users/{id}/enable",
        Some(Role::Admin),
        true,
    ),
    route(
        Verb::Put,
        "/api/v1/users/{id}/role",
        Some(Role::Admin),
        true,
    ),
    route(Verb::Get, "/api/v1/models", Some(Role::Viewer), false),
    route(Verb::Post, "/api/v1/models", Some(Role::Analyst), false),
    route(Verb::Get, "/api/v1/models/{id}", Some(Role::Viewer), true),
    route(Verb::Get, "/api/v1/jobs", Some(Role::Viewer), false),
    route(Verb::Post, "/api/v1/jobs", Some(Role::Analyst), false),
    route(Verb::Get, "/api/v1/jobs/{id}", Some(Role::Viewer), true),
    route(
        Verb::Get,
        "/api/v1/jobs/{id}/events",
        Some(Role::Viewer),
        true,
    ),
    route(
        Verb::Post,
        "/api/v1/jobs/{id}/cancel",
        Some(Role::Analyst),
        true,
    ),
    route(
        Verb::Get,
        "/api/v1/jobs/{id}/report.html",
        Some(Role::Viewer),
        true,
    ),
    route(Verb::Get, "/api/v1/map", Some(Role::Viewer), false),
    // Sharing between organisations (docs/sharing.md).
    route(
        Verb::Get,
        "/api/v1/organisation/sharing",
        Some(Role::Viewer),
        false,
    ),
    route(
        Verb::Put,
        "/api/v1/organisation/sharing",
        Some(Role::Admin),
        false,
    ),
    route(Verb::Get, "/api/v1/incidents", Some(Role::Viewer), false),
    route(Verb::Post, "/api/v1/incidents", Some(Role::Analyst), false),
    route(
        Verb::Post,
        "/api/v1/incidents/import",
        Some(Role::Analyst),
        false,
    ),
    route(
        Verb::Get,
        "/api/v1/incidents/{id}",
        Some(Role::Viewer),
        true,
    ),
    route(
        Verb::Put,
        "/api/v1/incidents/{id}",
        Some(Role::Analyst),
        true,
    ),
    route(
        Verb::Put,
        "/api/v1/incidents/{id}/tlp",
        Some(Role::Analyst),
        true,
    ),
    route(
        Verb::Get,
        "/api/v1/incidents/{id}/history",
        Some(Role::Viewer),
        true,
    ),
    route(
        Verb::Post,
        "/api/v1/incidents/{id}/withdraw",
        Some(Role::Analyst),
        true,
    ),
    route(Verb::Get, "/api/v1/alerts", Some(Role::Viewer), false),
    route(Verb::Post, "/api/v1/alerts", Some(Role::Analyst), false).only_for(AGENCY),
    route(
        Verb::Post,
        "/api/v1/alerts/{id}/acknowledge",
        Some(Role::Analyst),
        true,
    ),
    route(Verb::Get, "/api/v1/agency", Some(Role::Viewer), false).only_for(AGENCY),
    route(
        Verb::Get,
        "/api/v1/organisations/directory",
        Some(Role::Viewer),
        false,
    ),
    route(
        Verb::Get,
        "/api/v1/assessments/{id}/benchmark",
        Some(Role::Viewer),
        true,
    ),
    // API tokens of TAXII clients (docs/taxii.md, "Server").
    route(Verb::Get, "/api/v1/tokens", Some(Role::Admin), false),
    route(Verb::Post, "/api/v1/tokens", Some(Role::Admin), false),
    route(
        Verb::Post,
        "/api/v1/tokens/{id}/revoke",
        Some(Role::Admin),
        true,
    ),
    // TAXII 2.1 (docs/taxii.md): HTTP Basic or an API token, or a session.
    taxii(Verb::Get, "/taxii2/"),
    taxii(Verb::Get, "/taxii2/api/"),
    taxii(Verb::Get, "/taxii2/api/collections/"),
    taxii(Verb::Get, "/taxii2/api/collections/{collection}/"),
    taxii(Verb::Get, "/taxii2/api/collections/{collection}/objects/"),
    taxii_write(Verb::Post, "/taxii2/api/collections/{collection}/objects/"),
    taxii(
        Verb::Get,
        "/taxii2/api/collections/{collection}/objects/{object}/",
    ),
    taxii(
        Verb::Get,
        "/taxii2/api/collections/{collection}/objects/{object}/versions/",
    ),
    taxii(Verb::Get, "/taxii2/api/collections/{collection}/manifest/"),
    taxii(Verb::Get, "/taxii2/api/status/{status}/"),
    route(Verb::Get, "/assets/{version}/{file}", None, false),
    page("/login", None, false),
    page("/", Some(Role::Viewer), false),
    page("/map", Some(Role::Viewer), false),
    page("/assessments", Some(Role::Viewer), false),
    page("/assessments/{id}", Some(Role::Viewer), true),
    page("/risk", Some(Role::Viewer), false),
    page("/simulation", Some(Role::Viewer), false),
    page("/models", Some(Role::Viewer), false),
    page("/incidents", Some(Role::Viewer), false),
    page("/agency", Some(Role::Viewer), false).only_for(AGENCY),
    page("/organisation", Some(Role::Viewer), false),
];

/// The handler of a route of [`ROUTES`].
pub(crate) fn handler(spec: &RouteSpec) -> MethodRouter<AppState> {
    match (spec.method, spec.path) {
        (Verb::Get, "/healthz") => get(session::healthz),
        (Verb::Post, "/api/v1/login") => post(session::login),
        (Verb::Post, "/api/v1/logout") => post(session::logout),
        (Verb::Get, "/api/v1/me") => get(session::me),
        (Verb::Post, "/api/v1/me/password") => post(session::change_password),
        (Verb::Get, "/api/v1/openapi.json") => get(session::openapi),
        (Verb::Get, "/api/v1/assessments") => get(assessments::list_assessments),
        (Verb::Post, "/api/v1/assessments") => post(assessments::create_assessment),
        (Verb::Get, "/api/v1/assessments/{id}") => get(assessments::show_assessment),
        (Verb::Get, "/api/v1/assessments/{id}/score") => get(assessments::score_assessment),
        (Verb::Get, "/api/v1/assessments/{id}/plan") => get(assessments::latest_plan),
        (Verb::Put, "/api/v1/assessments/{id}/answers/{item}") => put(assessments::save_answer),
        (Verb::Get, "/api/v1/users") => get(users::list_users),
        (Verb::Post, "/api/v1/users") => post(users::create_user),
        (Verb::Post, "/api/v1/users/{id}/disable") => post(users::disable_user),
        (Verb::Post, "/api/v1/users/{id}/enable") => post(users::enable_user),
        (Verb::Put, "/api/v1/users/{id}/role") => put(users::set_role),
        (Verb::Get, "/api/v1/models") => get(models::list_models),
        // Model files are larger than any other body: 2 MiB here only.
        (Verb::Post, "/api/v1/models") => post(models::upload_model).layer(
            axum::extract::DefaultBodyLimit::max(models::MAX_UPLOAD_BYTES),
        ),
        (Verb::Get, "/api/v1/models/{id}") => get(models::show_model),
        (Verb::Get, "/api/v1/jobs") => get(jobs::list_jobs),
        (Verb::Post, "/api/v1/jobs") => post(jobs::create_job),
        (Verb::Get, "/api/v1/jobs/{id}") => get(jobs::show_job),
        (Verb::Get, "/api/v1/jobs/{id}/events") => get(jobs::job_events),
        (Verb::Post, "/api/v1/jobs/{id}/cancel") => post(jobs::cancel_job),
        (Verb::Get, "/api/v1/jobs/{id}/report.html") => get(jobs::report_html),
        (Verb::Get, "/api/v1/map") => get(map::ecosystem_map),
        (Verb::Get, "/api/v1/organisation/sharing") => get(sharing::show_profile),
        (Verb::Put, "/api/v1/organisation/sharing") => put(sharing::update_profile),
        (Verb::Get, "/api/v1/incidents") => get(sharing::list_incidents),
        (Verb::Post, "/api/v1/incidents") => post(sharing::create_incident),
        // VERIS files are larger than any other body but models: 2 MiB here.
        (Verb::Post, "/api/v1/incidents/import") => post(sharing::import_incidents).layer(
            axum::extract::DefaultBodyLimit::max(sharing::MAX_IMPORT_BYTES),
        ),
        (Verb::Get, "/api/v1/incidents/{id}") => get(sharing::show_incident),
        (Verb::Put, "/api/v1/incidents/{id}") => put(sharing::edit_incident),
        (Verb::Put, "/api/v1/incidents/{id}/tlp") => put(sharing::relabel_incident),
        (Verb::Get, "/api/v1/incidents/{id}/history") => get(sharing::incident_history),
        (Verb::Post, "/api/v1/incidents/{id}/withdraw") => post(sharing::withdraw_incident),
        (Verb::Get, "/api/v1/alerts") => get(sharing::inbox),
        (Verb::Post, "/api/v1/alerts") => post(sharing::issue_alert),
        (Verb::Post, "/api/v1/alerts/{id}/acknowledge") => post(sharing::acknowledge_alert),
        (Verb::Get, "/api/v1/agency") => get(sharing::agency_view),
        (Verb::Get, "/api/v1/organisations/directory") => get(sharing::directory),
        (Verb::Get, "/api/v1/assessments/{id}/benchmark") => get(sharing::benchmark),
        (Verb::Get, "/api/v1/tokens") => get(tokens::list_tokens),
        (Verb::Post, "/api/v1/tokens") => post(tokens::issue_token),
        (Verb::Post, "/api/v1/tokens/{id}/revoke") => post(tokens::revoke_token),
        (Verb::Get, "/taxii2/") => get(crate::taxii::discovery),
        _ if spec.taxii => crate::taxii::handler(spec),
        (Verb::Get, "/assets/{version}/{file}") => get(pages::assets::asset),
        (Verb::Get, "/login") => get(pages::login::page),
        (Verb::Get, "/") => get(pages::dashboard::page),
        (Verb::Get, "/map") => get(pages::map::page),
        (Verb::Get, "/assessments") => get(pages::assessments::list),
        (Verb::Get, "/assessments/{id}") => get(pages::assessments::show),
        (Verb::Get, "/risk") => get(pages::runs::risk),
        (Verb::Get, "/simulation") => get(pages::runs::simulation),
        (Verb::Get, "/models") => get(pages::models::page),
        (Verb::Get, "/incidents") => get(pages::sharing::incidents),
        (Verb::Get, "/agency") => get(pages::sharing::agency),
        (Verb::Get, "/organisation") => get(pages::sharing::organisation),
        (m, p) => unreachable!("route {m:?} {p} has no handler"),
    }
}
