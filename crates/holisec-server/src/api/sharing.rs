//! Sharing between organisations (issue 13): the organisation's sharing
//! profile, incident reports under TLP 2.0, the alert inbox, agency alerts
//! and the agency's national view, and anonymous peer benchmarks. Each
//! handler is glue over `holisec_api::sharing`: the acting organisation is
//! always the session's ([`actor`]), and what another organisation may see
//! is decided there, by the rules of `holisec-share`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use holisec_api::sharing::{self, Actor, IncidentReport, ProfileRequest};
use holisec_share::Tlp;
use holisec_share::peers::{KAnonymity, PeerQuery, Scope};
use serde::Deserialize;
use serde_json::Value;

use crate::extract::{Body, now, object_id};
use crate::guard::Current;
use crate::{AppState, ServerError};

fn actor(user: &holisec_store::User) -> Actor {
    Actor {
        org: user.organisation_id,
        user: Some(user.id),
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Json<Value>, ServerError> {
    serde_json::to_value(v)
        .map(Json)
        .map_err(|e| ServerError::Internal(e.to_string()))
}

pub(crate) async fn show_profile(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Value>, ServerError> {
    state
        .read(move |s| to_value(&sharing::profile(s, user.organisation_id)?))
        .await
}

pub(crate) async fn update_profile(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Body(request): Body<ProfileRequest>,
) -> Result<Json<Value>, ServerError> {
    state
        .with_store(move |s| to_value(&sharing::update_profile(s, actor(&user), &request, &now())?))
        .await
}

/// Body of `POST /api/v1/incidents`: the report and its label.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewIncidentBody {
    /// The VERIS essentials (see docs/sharing.md).
    report: IncidentReport,
    /// `TLP:CLEAR`, `TLP:GREEN`, `TLP:AMBER`, `TLP:AMBER+STRICT` or `TLP:RED`.
    #[schema(value_type = holisec_api::sharing::TlpLabel)]
    tlp: Tlp,
}

pub(crate) async fn list_incidents(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Value>, ServerError> {
    let eco = Arc::clone(&state.eco);
    state
        .read(move |s| to_value(&sharing::visible_incidents(s, &eco, user.organisation_id)?))
        .await
}

pub(crate) async fn create_incident(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Body(body): Body<NewIncidentBody>,
) -> Result<(StatusCode, Json<Value>), ServerError> {
    let eco = Arc::clone(&state.eco);
    state
        .with_store(move |s| {
            let reported =
                sharing::report_incident(s, &eco, actor(&user), &body.report, body.tlp, &now())?;
            Ok((StatusCode::CREATED, to_value(&reported)?))
        })
        .await
}

pub(crate) async fn show_incident(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ServerError> {
    let id = incident_id(&raw)?;
    let eco = Arc::clone(&state.eco);
    state
        .read(move |s| {
            to_value(&sharing::visible_incident(
                s,
                &eco,
                user.organisation_id,
                id,
            )?)
        })
        .await
}

pub(crate) async fn edit_incident(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
    Body(report): Body<IncidentReport>,
) -> Result<Json<Value>, ServerError> {
    let id = incident_id(&raw)?;
    let eco = Arc::clone(&state.eco);
    state
        .with_store(move |s| {
            to_value(&sharing::edit_incident(
                s,
                &eco,
                actor(&user),
                id,
                &report,
                &now(),
            )?)
        })
        .await
}

/// Body of `PUT /api/v1/incidents/{id}/tlp`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TlpBody {
    /// The new label.
    #[schema(value_type = holisec_api::sharing::TlpLabel)]
    tlp: Tlp,
}

pub(crate) async fn relabel_incident(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
    Body(body): Body<TlpBody>,
) -> Result<Json<Value>, ServerError> {
    let id = incident_id(&raw)?;
    let eco = Arc::clone(&state.eco);
    state
        .with_store(move |s| {
            to_value(&sharing::change_tlp(
                s,
                &eco,
                actor(&user),
                id,
                body.tlp,
                &now(),
            )?)
        })
        .await
}

pub(crate) async fn withdraw_incident(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ServerError> {
    let id = incident_id(&raw)?;
    state
        .with_store(move |s| {
            sharing::withdraw_incident(s, actor(&user), id, &now())?;
            Ok(Json(serde_json::json!({"id": id, "withdrawn": true})))
        })
        .await
}

pub(crate) async fn incident_history(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ServerError> {
    let id = incident_id(&raw)?;
    state
        .read(move |s| to_value(&sharing::incident_history(s, actor(&user), id)?))
        .await
}

/// Body of `POST /api/v1/incidents/import`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportBody {
    /// `veris` (one VERIS JSON document, an array of records, or JSON
    /// Lines) or `stix` (a STIX 2.1 bundle).
    format: ImportFormat,
    /// The file's text.
    text: String,
    /// The label of every report it makes.
    #[schema(value_type = holisec_api::sharing::TlpLabel)]
    tlp: Tlp,
}

/// What an import reads.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ImportFormat {
    /// VERIS 1.3 records.
    Veris,
    /// A STIX 2.1 bundle (or TAXII envelope) whose `report`/`incident`
    /// objects carry the VERIS essentials in `x_holisec_veris`.
    Stix,
}

/// Largest import body: 2 MiB (about 400 VCDB records).
pub(crate) const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

pub(crate) async fn import_incidents(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Body(body): Body<ImportBody>,
) -> Result<(StatusCode, Json<Value>), ServerError> {
    let eco = Arc::clone(&state.eco);
    state
        .with_store(move |s| {
            let import = match body.format {
                ImportFormat::Veris => holisec_api::incident_import::import_veris,
                ImportFormat::Stix => holisec_api::incident_import::import_stix,
            };
            let out = import(
                s,
                &eco,
                actor(&user),
                body.text.as_bytes(),
                body.tlp,
                &now(),
            )?;
            // Nothing stored out of a file with problems: the file is at fault,
            // and the refusal (an error body) lists every record's problem.
            if out.reported.is_empty() && !out.problems.is_empty() {
                let body = serde_json::json!({
                    "error": format!(
                        "none of the {} records could be stored; `problems` says why, record by record",
                        out.counts.records
                    ),
                    "field": "text",
                    "problems": out.problems,
                    "counts": out.counts,
                });
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)));
            }
            Ok((StatusCode::OK, to_value(&out)?))
        })
        .await
}

/// An incident id from the path: digits only, else 404 (as an unknown id).
fn incident_id(raw: &str) -> Result<i64, ServerError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServerError::NotFound(format!("no incident {raw}")))
}

pub(crate) async fn inbox(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Value>, ServerError> {
    state
        .read(move |s| to_value(&sharing::inbox(s, user.organisation_id)?))
        .await
}

pub(crate) async fn acknowledge_alert(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ServerError> {
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServerError::NotFound(format!("no alert {raw}")))?;
    state
        .with_store(move |s| {
            sharing::acknowledge(s, actor(&user), id, &now())?;
            Ok(Json(serde_json::json!({"id": id, "acknowledged": true})))
        })
        .await
}

pub(crate) async fn issue_alert(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Body(alert): Body<sharing::AgencyAlert>,
) -> Result<(StatusCode, Json<Value>), ServerError> {
    let eco = Arc::clone(&state.eco);
    state
        .with_store(move |s| {
            let issued = sharing::issue_alert(s, &eco, actor(&user), &alert, &now())?;
            Ok((StatusCode::CREATED, to_value(&issued)?))
        })
        .await
}

pub(crate) async fn agency_view(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
) -> Result<Json<Value>, ServerError> {
    let eco = Arc::clone(&state.eco);
    state
        .read(move |s| to_value(&sharing::agency_view(s, &eco, user.organisation_id)?))
        .await
}

/// One entry of the community directory.
#[derive(serde::Serialize)]
pub(crate) struct DirectoryEntry {
    id: i64,
    name: String,
    kind: String,
}

/// The community directory: id, name and stakeholder kind of every
/// organisation, and nothing else (no country, profile or suppliers), so
/// that a user can name its suppliers and its agency.
pub(crate) fn directory_entries(
    s: &holisec_store::Store,
) -> Result<Vec<DirectoryEntry>, ServerError> {
    Ok(s.sharing_records()?
        .into_iter()
        .map(|r| DirectoryEntry {
            id: r.id,
            name: r.name,
            kind: r.kind,
        })
        .collect())
}

pub(crate) async fn directory(State(state): State<AppState>) -> Result<Json<Value>, ServerError> {
    state.read(move |s| to_value(&directory_entries(s)?)).await
}

/// Query of `GET /api/v1/assessments/{id}/benchmark`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BenchmarkQuery {
    /// `country` (default) or `community`.
    #[serde(default)]
    scope: Option<String>,
    /// Only peers of the organisation's size band.
    #[serde(default)]
    same_size_band: Option<bool>,
    /// Fewest contributors shown, 5 or more.
    #[serde(default)]
    k: Option<usize>,
}

pub(crate) async fn benchmark(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    Path(raw): Path<String>,
    query: Result<Query<BenchmarkQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ServerError> {
    let id = object_id(&raw)?;
    let Query(query) = query.map_err(|e| ServerError::invalid("query", e.body_text()))?;
    let scope = match query.scope.as_deref() {
        None | Some("country") => Scope::Country,
        Some("community") => Scope::Community,
        Some(other) => {
            return Err(ServerError::invalid(
                "scope",
                format!("scope `{other}`: expected `country` or `community`"),
            ));
        }
    };
    let k = KAnonymity::new(query.k.unwrap_or(holisec_share::peers::K_MIN))
        .map_err(|e| ServerError::invalid("k", e.to_string()))?;
    let peer_query = PeerQuery {
        scope,
        same_size_band: query.same_size_band.unwrap_or(false),
        k,
    };
    let q = Arc::clone(&state.q);
    state
        .read(move |s| {
            // The path's assessment must be the organisation's (404 otherwise);
            // the benchmark compares the organisation's latest scores.
            s.assessment_in_org(user.organisation_id, id)?;
            to_value(&sharing::peer_benchmark(
                s,
                &q,
                user.organisation_id,
                &peer_query,
            )?)
        })
        .await
}
