//! `/models`: upload a model or scenario file and see the diagnostics of a
//! refused one exactly as the CLI renders them; list the uploads. The page
//! is a frame; `models.js` talks to `/api/v1/models`.

use askama::Template;
use axum::response::Html;

use super::{Chrome, PageError, html};
use crate::guard::{Current, OrgKind};

#[derive(Template)]
#[template(path = "models.html")]
struct ModelsPage {
    chrome: Chrome,
}

pub(crate) async fn page(
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
) -> Result<Html<String>, PageError> {
    html(&ModelsPage {
        chrome: Chrome::new(&user, &kind, "/models"),
    })
}
