//! The API root, its collections, their objects, manifests and versions,
//! POSTs of objects and status resources: glue over
//! `holisec_api::taxii` (what the user may read and add) and
//! `holisec_exchange::taxii` (query, media types, the POST body).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use holisec_api::sharing::Actor;
use holisec_api::taxii::{self as lib, CollectionKind, MAX_OBJECTS_PER_POST, View};
use holisec_exchange::taxii::{IntakeError, Kind, Query, Timestamp, content_type_ok, intake};

use super::{Taxii, resource};
use crate::guard::Current;
use crate::{AppState, ServerError};

type Me = axum::Extension<Current>;

/// `GET /taxii2/api/`.
pub(crate) async fn api_root(headers: HeaderMap) -> Taxii {
    Taxii(resource(&headers, &lib::api_root()))
}

/// `GET /taxii2/api/collections/`.
pub(crate) async fn collections(headers: HeaderMap, axum::Extension(Current(user)): Me) -> Taxii {
    Taxii(resource(&headers, &lib::collections(user.role)))
}

/// `GET /taxii2/api/collections/{collection}/`.
pub(crate) async fn collection(
    headers: HeaderMap,
    axum::Extension(Current(user)): Me,
    Path(id): Path<String>,
) -> Taxii {
    Taxii(
        CollectionKind::find(&id)
            .map_err(ServerError::from)
            .and_then(|k| resource(&headers, &k.resource(user.role))),
    )
}

/// A GET of a collection's objects, one object, its versions or the manifest.
async fn read(
    state: AppState,
    headers: HeaderMap,
    user: holisec_store::User,
    uri: Uri,
    collection: String,
    object: Option<String>,
    view: fn(&str) -> View<'_>,
) -> Taxii {
    let result = async {
        let kind = CollectionKind::find(&collection)?;
        let query = Query::parse(uri.query().unwrap_or(""))
            .map_err(|e| ServerError::invalid(e.param(), e.to_string()))?;
        let eco = Arc::clone(&state.eco);
        let org = user.organisation_id;
        let answer = state
            .read(move |s| {
                let object = object.unwrap_or_default();
                Ok(lib::read(s, &eco, org, kind, &query, view(&object))?)
            })
            .await?;
        let mut response = resource(&headers, &answer.body)?;
        for (name, value) in answer.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(lower(name)), v);
            }
        }
        Ok(response)
    };
    Taxii(result.await)
}

/// The two `X-TAXII-Date-Added-*` header names in lower case (`HeaderName` wants it).
fn lower(name: &str) -> &'static str {
    if name.ends_with("First") {
        "x-taxii-date-added-first"
    } else {
        "x-taxii-date-added-last"
    }
}

/// `GET .../collections/{collection}/objects/`.
pub(crate) async fn objects(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Extension(Current(user)): Me,
    uri: Uri,
    Path(collection): Path<String>,
) -> Taxii {
    read(state, headers, user, uri, collection, None, |_| {
        View::Objects
    })
    .await
}

/// `GET .../collections/{collection}/manifest/`.
pub(crate) async fn manifest(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Extension(Current(user)): Me,
    uri: Uri,
    Path(collection): Path<String>,
) -> Taxii {
    read(state, headers, user, uri, collection, None, |_| {
        View::Manifest
    })
    .await
}

/// `GET .../collections/{collection}/objects/{object}/`.
pub(crate) async fn object(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Extension(Current(user)): Me,
    uri: Uri,
    Path((collection, object)): Path<(String, String)>,
) -> Taxii {
    read(state, headers, user, uri, collection, Some(object), |o| {
        View::Object(o)
    })
    .await
}

/// `GET .../collections/{collection}/objects/{object}/versions/`.
pub(crate) async fn versions(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Extension(Current(user)): Me,
    uri: Uri,
    Path((collection, object)): Path<(String, String)>,
) -> Taxii {
    read(state, headers, user, uri, collection, Some(object), |o| {
        View::Versions(o)
    })
    .await
}

fn payload_too_large(message: String) -> ServerError {
    ServerError::Invalid {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        field: None,
        message,
    }
}

/// `POST .../collections/{collection}/objects/`: 202 with the status resource.
pub(crate) async fn add_objects(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Extension(Current(user)): Me,
    Path(collection): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Taxii {
    let result = async {
        let kind = CollectionKind::find(&collection)?;
        if !kind.can_write(user.role) {
            return Err(ServerError::Denied(format!(
                "you may not add objects to collection `{}`",
                kind.alias()
            )));
        }
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        content_type_ok(content_type, Kind::Taxii).map_err(|e| ServerError::Invalid {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            field: Some("Content-Type".into()),
            message: e.to_string(),
        })?;
        let body = body.map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(format!(
                "the body is over {} bytes (the API root's max_content_length)",
                lib::MAX_CONTENT_LENGTH
            )),
            status => ServerError::Invalid {
                status,
                field: None,
                message: e.body_text(),
            },
        })?;
        let taken = intake(&body, MAX_OBJECTS_PER_POST).map_err(|e| match e {
            IntakeError::TooManyObjects { .. } => payload_too_large(e.to_string()),
            other => ServerError::invalid("objects", other.to_string()),
        })?;
        let status_id = new_status_id()?;
        let now = Timestamp::from_offset_date_time(time::OffsetDateTime::now_utc())
            .ok_or_else(|| ServerError::Internal("the clock is out of range".into()))?;
        let actor = Actor {
            org: user.organisation_id,
            user: Some(user.id),
        };
        let status = state
            .with_store(move |s| Ok(lib::add_objects(s, actor, kind, &taken, now, &status_id)?))
            .await?;
        let mut response = resource(&headers, &status)?;
        *response.status_mut() = StatusCode::ACCEPTED;
        Ok(response)
    };
    Taxii(result.await)
}

/// A random UUID (version 4) for a status resource.
fn new_status_id() -> Result<String, ServerError> {
    let mut b = [0_u8; 16];
    getrandom::fill(&mut b).map_err(|e| ServerError::Internal(format!("random bytes: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// `GET /taxii2/api/status/{status}/`.
pub(crate) async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Extension(Current(user)): Me,
    Path(id): Path<String>,
) -> Taxii {
    let org = user.organisation_id;
    let result = state
        .read(move |s| Ok(lib::status(s, org, &id)?))
        .await
        .and_then(|body| resource(&headers, &body));
    Taxii(result)
}
