//! `/`: the organisation, its kind, its alert inbox (drawn by `alerts.js`
//! from `GET /api/v1/alerts`), its assessments and the way to the other
//! pages.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use holisec_store::Assessment;

use super::{Chrome, PageError, html};
use crate::AppState;
use crate::guard::{Current, OrgKind};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    assessments: Vec<Assessment>,
    items: usize,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
) -> Result<Html<String>, PageError> {
    let org = user.organisation_id;
    let assessments = state.read(move |s| Ok(s.assessments_of_org(org)?)).await?;
    html(&Dashboard {
        chrome: Chrome::new(&user, &kind, "/"),
        assessments,
        items: state.q.items.len(),
    })
}
