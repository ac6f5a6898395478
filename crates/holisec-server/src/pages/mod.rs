//! The HTML pages: server-rendered askama templates (auto-escaped) that load
//! their scripts and styles from `/assets/<version>/` only, so the strict
//! Content-Security-Policy ([`crate::CSP`], no inline script or style) holds.
//! One module per page; the data comes from the same library calls and
//! store queries as the JSON API, scoped by the session's organisation.
//!
//! Refusals on page routes are pages too: an anonymous browser is sent to
//! `/login` ([`to_login`]); 403 and 404 are HTML ([`PageError`]).

pub(crate) mod assessments;
pub(crate) mod assets;
pub(crate) mod dashboard;
pub(crate) mod login;
pub(crate) mod map;
pub(crate) mod models;
pub(crate) mod runs;
pub(crate) mod sharing;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use holisec_store::{Role, User};

use crate::ServerError;
use crate::guard::OrgKind;

/// What every page's frame shows: who is logged in, and where the assets are.
pub(crate) struct Chrome {
    /// The user's email.
    pub(crate) email: String,
    /// Their organisation's name.
    pub(crate) organisation: String,
    /// Their role.
    pub(crate) role: &'static str,
    /// Whether they may change data (analyst or admin).
    pub(crate) can_edit: bool,
    /// Whether they administer their organisation (its sharing profile).
    pub(crate) can_admin: bool,
    /// The stakeholder kind of their organisation.
    pub(crate) org_kind: String,
    /// `/assets/<version>`.
    pub(crate) assets: &'static str,
    /// Which menu entry is the current page.
    pub(crate) current: &'static str,
}

impl Chrome {
    pub(crate) fn new(user: &User, kind: &OrgKind, current: &'static str) -> Chrome {
        Chrome {
            email: user.email.clone(),
            organisation: user.organisation.clone(),
            role: user.role.as_str(),
            can_edit: user.role >= Role::Analyst,
            can_admin: user.role >= Role::Admin,
            org_kind: kind.0.clone(),
            assets: assets::prefix(),
            current,
        }
    }

    /// Whether the organisation is an agency (the national view, alerts).
    pub(crate) fn is_agency(&self) -> bool {
        self.org_kind == crate::routes::AGENCY
    }

    /// The menu: (path, label, whether it is the current page); "Agency"
    /// for agency-institution organisations only.
    pub(crate) fn menu(&self) -> Vec<(&'static str, &'static str, bool)> {
        [
            ("/", "Dashboard"),
            ("/map", "Ecosystem map"),
            ("/assessments", "Assessments"),
            ("/risk", "Risk"),
            ("/simulation", "Simulation"),
            ("/models", "Models"),
            ("/incidents", "Incidents"),
            ("/agency", "Agency"),
            ("/organisation", "Organisation"),
        ]
        .into_iter()
        .filter(|(path, _)| *path != "/agency" || self.is_agency())
        .map(|(path, label)| (path, label, path == self.current))
        .collect()
    }
}

/// A rendered page, or the error page if the template fails.
pub(crate) fn html(page: &impl Template) -> Result<Html<String>, PageError> {
    page.render()
        .map(Html)
        .map_err(|e| PageError(ServerError::Internal(format!("template: {e}"))))
}

/// Where an anonymous browser is sent.
pub(crate) fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

/// A refusal or failure shown as an HTML page with the error's status.
#[derive(Debug)]
pub(crate) struct PageError(pub(crate) ServerError);

impl From<ServerError> for PageError {
    fn from(e: ServerError) -> Self {
        PageError(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: String,
    assets: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let message = match &self.0 {
            ServerError::Internal(detail) => {
                eprintln!("holisec serve: internal error: {detail}");
                "internal error; the server log has the details".to_owned()
            }
            ServerError::NotFound(_) => "There is no such page or object here.".to_owned(),
            other => other.to_string(),
        };
        let page = ErrorPage {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("error"),
            message,
            assets: assets::prefix(),
        };
        let body = page.render().unwrap_or_else(|_| status.to_string());
        let mut response = (status, Html(body)).into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        response
    }
}
