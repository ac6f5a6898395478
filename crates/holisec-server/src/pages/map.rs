//! `/map`: the ecosystem map. The page is a frame; `map.js` draws the graph
//! from `GET /api/v1/map` with cytoscape.js.

use askama::Template;
use axum::response::Html;
use holisec_model::{Domain, Motivation};

use super::{Chrome, PageError, html};
use crate::guard::{Current, OrgKind};

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    chrome: Chrome,
    domains: &'static [Domain],
    motivations: &'static [Motivation],
}

pub(crate) async fn page(
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
) -> Result<Html<String>, PageError> {
    html(&MapPage {
        chrome: Chrome::new(&user, &kind, "/map"),
        domains: Domain::ALL,
        motivations: Motivation::ALL,
    })
}
