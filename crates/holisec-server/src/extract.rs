//! What handlers take from a request: a JSON body whose rejections are
//! [`ServerError`]s, the client's address, object ids from the path, and the
//! clock.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};

use crate::ServerError;

/// A JSON body whose rejections (syntax, types, unknown fields, size,
/// content type) are [`ServerError`]s.
pub(crate) struct Body<T>(pub(crate) T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ServerError;

    /// Every body is a JSON object: serde would also fill a struct from an
    /// array (`[null, null]`), which no client means. The field at fault is
    /// named, as a path (`report.supplier`).
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(v)) => v,
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        if !value.is_object() {
            return Err(ServerError::Invalid {
                status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                field: None,
                message: format!("the body: expected a JSON object, found {}", kind(&value)),
            });
        }
        serde_path_to_error::deserialize(value)
            .map(Body)
            .map_err(|e| {
                let path = e.path().to_string();
                ServerError::Invalid {
                    status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    field: (path != ".").then(|| path.clone()),
                    message: format!("invalid body: {e}"),
                }
            })
    }
}

/// Any JSON body, read field by field by its handler (jobs and uploads name
/// each field they refuse, `kind` first).
pub(crate) struct AnyJson(pub(crate) serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for AnyJson {
    type Rejection = ServerError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(v)) => Ok(AnyJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

pub(crate) fn json_rejection(r: JsonRejection) -> ServerError {
    ServerError::Invalid {
        status: r.status(),
        field: None,
        message: r.body_text(),
    }
}

pub(crate) fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// An object id from the path: digits only, else 404 (as an unknown id).
pub(crate) fn object_id(raw: &str) -> Result<i64, ServerError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServerError::NotFound(format!("no assessment `{raw}`")))
}

/// The client's address, when the server knows it (not in in-process tests).
pub(crate) struct ClientAddr(pub(crate) Option<std::net::IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}
