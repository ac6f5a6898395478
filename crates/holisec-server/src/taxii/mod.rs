//! The TAXII 2.1 API of `holisec serve` (`/taxii2/...`): thin handlers over
//! `holisec_exchange::taxii` (the protocol) and `holisec_api` (what a user
//! may read and write). Refusals are TAXII error resources.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use holisec_exchange::taxii::{TAXII_MEDIA_TYPE, TaxiiError};

use crate::ServerError;

mod collections;

/// The handler of a TAXII route of [`crate::ROUTES`] (besides discovery).
pub(crate) fn handler(spec: &crate::RouteSpec) -> axum::routing::MethodRouter<crate::AppState> {
    use crate::Verb;
    use axum::routing::{get, post};
    match (spec.method, spec.path) {
        (Verb::Get, "/taxii2/api/") => get(collections::api_root),
        (Verb::Get, "/taxii2/api/collections/") => get(collections::collections),
        (Verb::Get, "/taxii2/api/collections/{collection}/") => get(collections::collection),
        (Verb::Get, "/taxii2/api/collections/{collection}/objects/") => get(collections::objects),
        // POSTs of objects are far larger than any other body: 16 MiB here only.
        (Verb::Post, "/taxii2/api/collections/{collection}/objects/") => {
            post(collections::add_objects).layer(axum::extract::DefaultBodyLimit::max(
                holisec_api::taxii::MAX_CONTENT_LENGTH,
            ))
        }
        (Verb::Get, "/taxii2/api/collections/{collection}/objects/{object}/") => {
            get(collections::object)
        }
        (Verb::Get, "/taxii2/api/collections/{collection}/objects/{object}/versions/") => {
            get(collections::versions)
        }
        (Verb::Get, "/taxii2/api/collections/{collection}/manifest/") => get(collections::manifest),
        (Verb::Get, "/taxii2/api/status/{status}/") => get(collections::status),
        (m, p) => unreachable!("TAXII route {m:?} {p} has no handler"),
    }
}

/// The realm of the `WWW-Authenticate` challenge of a 401.
pub(crate) const REALM: &str = r#"Basic realm="holisec TAXII", charset="UTF-8""#;

/// `error` as a TAXII error resource with its status; a 401 carries the
/// Basic challenge TAXII clients answer with their credentials.
pub(crate) fn refusal(error: ServerError) -> Response {
    let status = error.status();
    let description = match &error {
        ServerError::Internal(detail) => {
            eprintln!("holisec serve: internal error: {detail}");
            "internal error; the server log has the details".to_owned()
        }
        ServerError::Unauthenticated => {
            "send HTTP Basic credentials (e-mail and password) or an API token as `Authorization: Bearer`".to_owned()
        }
        other => other.to_string(),
    };
    let title = status.canonical_reason().unwrap_or("error").to_owned();
    let body = TaxiiError::new(status.as_u16(), title, description);
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    if status == axum::http::StatusCode::UNAUTHORIZED {
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
    }
    response
}

/// The path of the one API root.
pub(crate) const API_ROOT: &str = "/taxii2/api/";

/// `body` as a TAXII resource, if the request's `Accept` takes it (406 otherwise).
pub(crate) fn resource<T: serde::Serialize>(
    headers: &axum::http::HeaderMap,
    body: &T,
) -> Result<Response, ServerError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let media = holisec_exchange::taxii::negotiate(accept, holisec_exchange::taxii::Kind::Taxii)
        .map_err(|e| ServerError::Invalid {
            status: axum::http::StatusCode::NOT_ACCEPTABLE,
            field: Some("Accept".into()),
            message: e.to_string(),
        })?;
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    Ok(response)
}

/// A TAXII handler's result: a resource, or a refusal as a TAXII error.
pub(crate) struct Taxii(pub(crate) Result<Response, ServerError>);

impl IntoResponse for Taxii {
    fn into_response(self) -> Response {
        match self.0 {
            Ok(r) => r,
            Err(e) => refusal(e),
        }
    }
}

/// `GET /taxii2/`: the discovery resource.
pub(crate) async fn discovery(headers: axum::http::HeaderMap) -> Taxii {
    let body = holisec_exchange::taxii::Discovery {
        title: "holisec".into(),
        description: Some(
            "Incident reports and alerts shared between the organisations of the healthcare ecosystem, under TLP 2.0"
                .into(),
        ),
        contact: None,
        default: Some(API_ROOT.into()),
        api_roots: Some(vec![API_ROOT.into()]),
    };
    Taxii(resource(&headers, &body))
}
