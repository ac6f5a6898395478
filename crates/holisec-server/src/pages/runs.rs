//! `/risk` and `/simulation`: start a run as a job, follow its progress
//! (server-sent events), cancel it, and draw its result with uPlot. The
//! pages are frames; `risk.js` and `simulation.js` talk to `/api/v1/jobs`.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use holisec_api::simulate::ScenarioInfo;
use holisec_store::{UploadKind, UploadSummary};

use super::{Chrome, PageError, html};
use crate::AppState;
use crate::guard::{Current, OrgKind};

#[derive(Template)]
#[template(path = "risk.html")]
struct RiskPage {
    chrome: Chrome,
}

#[derive(Template)]
#[template(path = "simulation.html")]
struct SimulationPage {
    chrome: Chrome,
    scenarios: Vec<ScenarioInfo>,
    /// The organisation's uploaded scenarios (a replay of an incident, say).
    uploads: Vec<UploadSummary>,
}

pub(crate) async fn risk(
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
) -> Result<Html<String>, PageError> {
    html(&RiskPage {
        chrome: Chrome::new(&user, &kind, "/risk"),
    })
}

pub(crate) async fn simulation(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
) -> Result<Html<String>, PageError> {
    let org = user.organisation_id;
    let uploads = state
        .with_store(move |s| Ok(s.uploads_of_org(org)?))
        .await?
        .into_iter()
        .filter(|u| u.kind == UploadKind::Scenario)
        .collect();
    html(&SimulationPage {
        chrome: Chrome::new(&user, &kind, "/simulation"),
        scenarios: holisec_api::simulate::builtin_scenarios(),
        uploads,
    })
}
