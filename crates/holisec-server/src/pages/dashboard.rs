//! `/`: the organisation, its kind, its assessments and the way to the
//! other pages.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use holisec_store::Assessment;

use super::{Chrome, PageError, html};
use crate::AppState;
use crate::guard::Current;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    kind: String,
    assessments: Vec<Assessment>,
    items: usize,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Html<String>, PageError> {
    let org = user.organisation_id;
    let (kind, assessments) = state
        .with_store(move |s| {
            let kind = s
                .organisation_by_id(org)?
                .map(|o| o.kind)
                .unwrap_or_default();
            Ok((kind, s.assessments_of_org(org)?))
        })
        .await?;
    html(&Dashboard {
        chrome: Chrome::new(&user, "/"),
        kind,
        assessments,
        items: state.q.items.len(),
    })
}
