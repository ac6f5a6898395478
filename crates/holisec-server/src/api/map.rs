//! `GET /api/v1/map`: the ecosystem map of the server's model
//! ([`holisec_api::map`]), filtered by `?domain=` and `?motivation=`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::{AppState, ServerError};

/// Query of `GET /api/v1/map`; unknown parameters are refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MapQuery {
    domain: Option<String>,
    motivation: Option<String>,
}

pub(crate) async fn ecosystem_map(
    State(state): State<AppState>,
    query: Result<Query<MapQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<holisec_api::map::EcosystemMap>, ServerError> {
    let Query(q) = query.map_err(|r| ServerError::Invalid {
        status: axum::http::StatusCode::BAD_REQUEST,
        field: None,
        message: r.body_text(),
    })?;
    let filter = holisec_api::map::MapFilter::parse(q.domain.as_deref(), q.motivation.as_deref())?;
    let eco = Arc::clone(&state.eco);
    // The analysis behind it is pure CPU work: off the async threads.
    tokio::task::spawn_blocking(move || Json(holisec_api::map::map(&eco, filter)))
        .await
        .map_err(|e| ServerError::Internal(format!("map task failed: {e}")))
}
