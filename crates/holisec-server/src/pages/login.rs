//! `/login`: the login form. Its script posts to the JSON login
//! (`POST /api/v1/login`), so the same throttling, audit and session cycling
//! apply, and the CSRF layer sees a same-origin `fetch`.

use askama::Template;
use axum::response::Html;

use super::{PageError, assets, html};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    assets: &'static str,
}

pub(crate) async fn page() -> Result<Html<String>, PageError> {
    html(&LoginPage {
        assets: assets::prefix(),
    })
}
