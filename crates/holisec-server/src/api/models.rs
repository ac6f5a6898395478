//! The organisation's uploaded model and scenario files: upload (checked as
//! `holisec validate` and `holisec simulate --scenario` check them), list,
//! show with text.
//!
//! A refused upload answers 422 with every diagnostic (line, column,
//! message, help) and `rendered`: the text the CLI prints for the same file
//! under the same name, without colour ([`holisec_api::diagnostics`]).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use holisec_api::{Rejected, Source};
use holisec_store::{NewUpload, Upload, UploadKind, UploadSummary};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::extract::{AnyJson, now};
use crate::guard::Current;
use crate::jobs::job_model;
use crate::{AppState, ServerError};

/// Largest body of `POST /api/v1/models` (the built-in model is 66 KB).
pub const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;

fn upload_id(raw: &str) -> Result<i64, ServerError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServerError::NotFound(format!("no upload {raw}")))
}

pub(crate) async fn list_models(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Vec<UploadSummary>>, ServerError> {
    state
        .with_store(move |s| Ok(Json(s.uploads_of_org(user.organisation_id)?)))
        .await
}

pub(crate) async fn show_model(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<Upload>, ServerError> {
    let id = upload_id(&raw)?;
    state
        .with_store(move |s| {
            s.upload_in_org(user.organisation_id, id)?
                .map(Json)
                .ok_or_else(|| ServerError::NotFound(format!("no upload {id}")))
        })
        .await
}

/// The body of `POST /api/v1/models`, for the OpenAPI document (the handler
/// reads it field by field, [`parse`], so each refusal names its field).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct UploadRequestDoc {
    /// The file's name, unique in the organisation.
    name: String,
    /// What the text is.
    kind: UploadKind,
    /// The file's TOML text (at most 2 MiB).
    text: String,
    /// For a scenario: the model upload it runs on (null: the built-in model).
    model: Option<i64>,
}

/// An upload body, read field by field.
struct UploadRequest {
    name: String,
    kind: UploadKind,
    text: String,
    model: Option<i64>,
}

fn parse(body: &Value) -> Result<UploadRequest, ServerError> {
    let bad = |field: &str, message: String| ServerError::Invalid {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        field: Some(field.to_owned()),
        message,
    };
    let obj: &Map<String, Value> = body
        .as_object()
        .ok_or_else(|| bad("name", "the body: expected a JSON object".into()))?;
    const KNOWN: &[&str] = &["name", "kind", "text", "model"];
    if let Some(k) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(bad(
            k,
            format!("unknown field `{k}`: expected one of {}", KNOWN.join(", ")),
        ));
    }
    let text_of = |field: &str, what: &str| match obj.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(bad(field, format!("{field}: expected {what}"))),
    };
    let name = text_of("name", "the file's name, a string")?;
    let kind = match text_of("kind", "\"model\" or \"scenario\"")?.as_str() {
        "model" => UploadKind::Model,
        "scenario" => UploadKind::Scenario,
        other => {
            return Err(bad(
                "kind",
                format!("kind `{other}`: expected \"model\" or \"scenario\""),
            ));
        }
    };
    let text = text_of("text", "the file's TOML text, a string")?;
    let model = match obj.get("model") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if kind == UploadKind::Scenario && n.as_i64().is_some() => {
            n.as_i64()
        }
        Some(v) => {
            return Err(bad(
                "model",
                format!("model {v}: expected null or, for a scenario, a model upload id"),
            ));
        }
    };
    Ok(UploadRequest {
        name,
        kind,
        text,
        model,
    })
}

pub(crate) async fn upload_model(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    AnyJson(body): AnyJson,
) -> Result<Response, ServerError> {
    let request = parse(&body)?;
    let org = user.organisation_id;
    let (store, eco) = (state.store.clone(), state.eco.clone());
    // Checking a model takes a moment: off the runtime, without the store's lock.
    let checked = tokio::task::spawn_blocking(move || {
        let source = Source::new(request.name.clone(), request.text.clone());
        let warnings = match request.kind {
            UploadKind::Model => {
                holisec_api::model::load_text(source.name.clone(), &source.text).map(|c| c.warnings)
            }
            UploadKind::Scenario => {
                let eco = job_model(&store, &eco, org, request.model)?;
                holisec_api::simulate::load(&eco, source.clone()).map(|c| c.warnings)
            }
        };
        Ok::<_, ServerError>((request, source, warnings))
    })
    .await
    .map_err(|e| ServerError::Internal(format!("upload check failed: {e}")))??;
    let (request, source, warnings) = checked;
    let warnings = match warnings {
        Ok(w) => w,
        Err(rejected) => return Ok(refusal(request.kind, &rejected)),
    };
    let located = serde_json::to_value(source.located(&warnings)).unwrap_or(Value::Null);
    let sha256 = hex(&Sha256::digest(request.text.as_bytes()));
    let upload = state
        .with_store(move |s| {
            let new = NewUpload {
                organisation_id: org,
                created_by: user.id,
                name: &request.name,
                kind: request.kind,
                text: &request.text,
                sha256: &sha256,
                warnings: &located,
            };
            Ok(s.create_upload(&new, &now())?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(upload.summary)).into_response())
}

/// The 422 of a refused file: one line, every diagnostic, and the CLI's text.
fn refusal(kind: UploadKind, rejected: &Rejected) -> Response {
    let rendered = match kind {
        // What `holisec validate NAME` prints.
        UploadKind::Model => holisec_api::diagnostics::validation(
            &rejected.source,
            &rejected.diagnostics,
            false,
            false,
            false,
        ),
        // What `holisec simulate --scenario NAME` prints.
        UploadKind::Scenario => holisec_api::diagnostics::rejected(rejected, false, false),
    };
    let body = json!({
        "error": rejected.to_string(),
        "field": "text",
        "diagnostics": rejected.source.located(&rejected.diagnostics),
        "rendered": rendered,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// Lower-case hexadecimal of `bytes` (SHA-256 digests).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
