//! The pages' scripts, styles and vendored libraries, embedded in the
//! binary (`include_bytes!`) and served from memory under
//! `/assets/<version>/<file>`, where `<version>` is a hash of every asset:
//! a new build with changed assets gets new URLs, so the files can be cached
//! for a year (`immutable`) without a stale script ever being run.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::ServerError;

/// Name, content type and bytes of every asset.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", CSS, include_bytes!("../../assets/app.css")),
    ("app.js", JS, include_bytes!("../../assets/app.js")),
    ("login.js", JS, include_bytes!("../../assets/login.js")),
    ("map.js", JS, include_bytes!("../../assets/map.js")),
    (
        "assessment.js",
        JS,
        include_bytes!("../../assets/assessment.js"),
    ),
    ("charts.js", JS, include_bytes!("../../assets/charts.js")),
    ("risk.js", JS, include_bytes!("../../assets/risk.js")),
    ("plan.js", JS, include_bytes!("../../assets/plan.js")),
    (
        "simulation.js",
        JS,
        include_bytes!("../../assets/simulation.js"),
    ),
    ("models.js", JS, include_bytes!("../../assets/models.js")),
    ("alerts.js", JS, include_bytes!("../../assets/alerts.js")),
    (
        "incidents.js",
        JS,
        include_bytes!("../../assets/incidents.js"),
    ),
    ("agency.js", JS, include_bytes!("../../assets/agency.js")),
    (
        "organisation.js",
        JS,
        include_bytes!("../../assets/organisation.js"),
    ),
    ("peers.js", JS, include_bytes!("../../assets/peers.js")),
    ("report.js", JS, include_bytes!("../../assets/report.js")),
    (
        "favicon.svg",
        SVG,
        include_bytes!("../../assets/favicon.svg"),
    ),
    (
        "cytoscape.min.js",
        JS,
        include_bytes!("../../assets/vendor/cytoscape.min.js"),
    ),
    (
        "uPlot.iife.min.js",
        JS,
        include_bytes!("../../assets/vendor/uPlot.iife.min.js"),
    ),
    (
        "uPlot.min.css",
        CSS,
        include_bytes!("../../assets/vendor/uPlot.min.css"),
    ),
];

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// `/assets/<version>`, computed once.
pub(crate) fn prefix() -> &'static str {
    static PREFIX: OnceLock<String> = OnceLock::new();
    PREFIX.get_or_init(|| format!("/assets/{}", version()))
}

/// FNV-1a (64 bits) over every asset's name and bytes, in hex: it changes
/// whenever an asset does (it is a cache key, not a security measure).
fn version() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, _, bytes) in ASSETS {
        for b in name.as_bytes().iter().chain(*bytes) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// `GET /assets/{version}/{file}`: the file, with a year's cache; an unknown
/// file or another version answers 404.
pub(crate) async fn asset(Path((v, file)): Path<(String, String)>) -> Response {
    let found = ASSETS.iter().find(|(name, _, _)| *name == file);
    match found {
        Some((_, kind, bytes)) if prefix().ends_with(&format!("/{v}")) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            response
        }
        _ => ServerError::NotFound(format!("no asset `{file}`")).into_response(),
    }
}
