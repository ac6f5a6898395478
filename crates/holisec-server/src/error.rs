//! [`ServerError`]: every refusal as a status and a JSON body
//! `{ "error": ..., "field": ... }`; internal failures are logged and answered
//! with a generic message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use holisec_api::ApiError;
use holisec_store::StoreError;
use serde::Serialize;

/// Why a request or an account operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The input is invalid (400, or the status given).
    #[error("{message}")]
    Invalid {
        /// HTTP status (400, 413, 415, 422).
        status: StatusCode,
        /// The field at fault, when one is.
        field: Option<String>,
        /// What is wrong, in words.
        message: String,
    },
    /// No session, or a session of a user that no longer may log in (401).
    #[error("log in first")]
    Unauthenticated,
    /// Wrong email or password: one message for both (401).
    #[error("email or password is wrong")]
    BadCredentials,
    /// The session's role is too weak for this route (403).
    #[error("your role may not do this")]
    Forbidden,
    /// The organisation may not do this, whatever the role (403): a rule
    /// of sharing (only the owner relabels a report) or of the route (only
    /// an agency issues alerts).
    #[error("{0}")]
    Denied(String),
    /// Not found, or not in the session's organisation (404).
    #[error("{0}")]
    NotFound(String),
    /// Too many failed logins: wait this long (429 with `Retry-After`).
    #[error("too many failed logins; try again in {} s", retry_after(*.0))]
    Throttled(std::time::Duration),
    /// A unique name or email is taken (409).
    #[error("{0}")]
    Conflict(String),
    /// The organisation has a job queued or running already (429).
    #[error("{0}")]
    Busy(String),
    /// Anything else (500); the detail is logged, never sent.
    #[error("{0}")]
    Internal(String),
}

impl ServerError {
    /// A 400 about `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> ServerError {
        ServerError::Invalid {
            status: StatusCode::BAD_REQUEST,
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// Whether the caller's input is at fault (CLI exit status 2).
    pub fn is_invalid_input(&self) -> bool {
        !matches!(self, ServerError::Internal(_))
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::Invalid { status, .. } => *status,
            ServerError::Unauthenticated | ServerError::BadCredentials => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden | ServerError::Denied(_) => StatusCode::FORBIDDEN,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Conflict(_) => StatusCode::CONFLICT,
            ServerError::Throttled(_) | ServerError::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
            ServerError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ServerError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownAssessment(id) => {
                ServerError::NotFound(format!("no assessment {id}"))
            }
            StoreError::Conflict(m) => ServerError::Conflict(m),
            StoreError::UnknownOrganisation(m) => ServerError::NotFound(m),
            StoreError::InvalidValue(m) => ServerError::Invalid {
                status: StatusCode::BAD_REQUEST,
                field: None,
                message: m,
            },
            other => ServerError::Internal(other.to_string()),
        }
    }
}

impl From<ApiError> for ServerError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Store(s) => s.into(),
            ApiError::Refused(m) => ServerError::Denied(m),
            ApiError::NotFound(m) => ServerError::NotFound(m),
            ApiError::Option {
                option,
                value,
                expected,
            } => ServerError::invalid(option, format!("{value}: expected {expected}")),
            e if e.is_invalid_input() => ServerError::Invalid {
                status: StatusCode::BAD_REQUEST,
                field: None,
                message: e.to_string(),
            },
            e => ServerError::Internal(e.to_string()),
        }
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, in words.
    pub error: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = self.status();
        let wait = match &self {
            ServerError::Throttled(d) => Some(retry_after(*d)),
            _ => None,
        };
        let (error, field) = match self {
            ServerError::Internal(detail) => {
                eprintln!("holisec serve: internal error: {detail}");
                (
                    "internal error; the server log has the details".to_owned(),
                    None,
                )
            }
            ServerError::Invalid { field, message, .. } => (message, field),
            other => (other.to_string(), None),
        };
        let mut response = (status, Json(ErrorBody { error, field })).into_response();
        if let Some(secs) = wait {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

/// Whole seconds to wait, at least 1.
fn retry_after(d: std::time::Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}
