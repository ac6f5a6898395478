//! The sharing pages (docs/sharing.md): `/incidents` (report an incident
//! under a TLP label, the reports the organisation may see), `/agency` (an
//! agency's national view and its alerts) and `/organisation` (the sharing
//! profile). The server renders the forms with their choices (the VERIS
//! vocabularies, the model's factors, the organisations that may be named);
//! `incidents.js`, `agency.js` and `organisation.js` talk to the JSON API.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use holisec_api::sharing::MOTIVES;
use holisec_exchange::veris::ActionCategory;
use holisec_store::SharingRecord;

use super::{Chrome, PageError, html};
use crate::AppState;
use crate::guard::{Current, OrgKind};

/// The TLP 2.0 labels, each with its audience on this server in one line.
pub(crate) const TLPS: [(&str, &str); 5] = [
    ("TLP:CLEAR", "CLEAR: public, anyone may see it"),
    (
        "TLP:GREEN",
        "GREEN: the community, every logged-in organisation",
    ),
    (
        "TLP:AMBER",
        "AMBER: your agency, suppliers, clients and related organisations of your country",
    ),
    ("TLP:AMBER+STRICT", "AMBER+STRICT: your agency only"),
    ("TLP:RED", "RED: your organisation only"),
];

/// Common VERIS action varieties offered per category (`check` accepts any
/// non-empty variety of a known category; these are the usual ones).
const VARIETIES: [(ActionCategory, &[&str]); 8] = [
    (
        ActionCategory::Malware,
        &[
            "Ransomware",
            "Backdoor",
            "C2",
            "Export data",
            "Downloader",
            "Spyware/Keylogger",
            "Worm",
            "Unknown",
        ],
    ),
    (
        ActionCategory::Hacking,
        &[
            "Use of stolen creds",
            "Exploit vuln",
            "Brute force",
            "Use of backdoor or C2",
            "SQLi",
            "DoS",
            "Unknown",
        ],
    ),
    (
        ActionCategory::Social,
        &[
            "Phishing",
            "Pretexting",
            "Bribery",
            "Extortion",
            "Impersonation",
            "Unknown",
        ],
    ),
    (
        ActionCategory::Misuse,
        &[
            "Privilege abuse",
            "Data mishandling",
            "Knowledge abuse",
            "Unapproved software",
            "Unknown",
        ],
    ),
    (
        ActionCategory::Physical,
        &["Theft", "Tampering", "Snooping", "Unknown"],
    ),
    (
        ActionCategory::Error,
        &[
            "Misdelivery",
            "Misconfiguration",
            "Publishing error",
            "Loss",
            "Disposal error",
            "Unknown",
        ],
    ),
    (
        ActionCategory::Environmental,
        &["Power failure", "Fire", "Flood", "Unknown"],
    ),
    (ActionCategory::Unknown, &["Unknown"]),
];

/// The action varieties by category: (category, values `category.Variety`).
fn actions() -> Vec<(&'static str, Vec<String>)> {
    VARIETIES
        .iter()
        .map(|(c, vs)| {
            let values = vs.iter().map(|v| format!("{}.{v}", c.as_str())).collect();
            (c.as_str(), values)
        })
        .collect()
}

/// The model's vulnerability factors: (id, "stakeholder: name").
fn factors(eco: &holisec_model::Ecosystem) -> Vec<(String, String)> {
    eco.vulnerabilities
        .iter()
        .map(|v| {
            let owner = &eco.stakeholder(v.stakeholder).name;
            (v.id.clone(), format!("{owner}: {}", v.name))
        })
        .collect()
}

/// The organisations of `kind`: (id, name).
fn of_kind(records: &[SharingRecord], kind: &str) -> Vec<(i64, String)> {
    records
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| (r.id, r.name.clone()))
        .collect()
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct IncidentsPage {
    chrome: Chrome,
    org_id: i64,
    motives: &'static [&'static str],
    actions: Vec<(&'static str, Vec<String>)>,
    factors: Vec<(String, String)>,
    suppliers: Vec<(i64, String)>,
    tlps: &'static [(&'static str, &'static str)],
}

pub(crate) async fn incidents(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
) -> Result<Html<String>, PageError> {
    let org = user.organisation_id;
    let suppliers: Vec<(i64, String)> = state
        .read(move |s| {
            let records = s.sharing_records()?;
            let mine = records
                .iter()
                .find(|r| r.id == org)
                .map(|r| r.suppliers.clone())
                .unwrap_or_default();
            Ok(records
                .into_iter()
                .filter(|r| mine.contains(&r.id))
                .map(|r| (r.id, r.name))
                .collect())
        })
        .await?;
    html(&IncidentsPage {
        chrome: Chrome::new(&user, &kind, "/incidents"),
        org_id: org,
        motives: &MOTIVES,
        actions: actions(),
        factors: factors(&state.eco),
        suppliers,
        tlps: &TLPS,
    })
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    chrome: Chrome,
    factors: Vec<(String, String)>,
    suppliers: Vec<(i64, String)>,
    tlps: &'static [(&'static str, &'static str)],
}

pub(crate) async fn agency(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
) -> Result<Html<String>, PageError> {
    let suppliers = state
        .read(move |s| Ok(of_kind(&s.sharing_records()?, "solution-provider")))
        .await?;
    html(&AgencyPage {
        chrome: Chrome::new(&user, &kind, "/agency"),
        factors: factors(&state.eco),
        suppliers,
        tlps: &TLPS,
    })
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    chrome: Chrome,
    profile: SharingRecord,
    agencies: Vec<(i64, String)>,
    providers: Vec<(i64, String)>,
    size_bands: [&'static str; 3],
}

impl OrganisationPage {
    /// Whether `band` is the profile's size band.
    fn band_is(&self, band: &str) -> bool {
        self.profile.size_band.as_deref() == Some(band)
    }

    /// Whether organisation `id` is the agency the profile names.
    fn agency_is(&self, id: &i64) -> bool {
        self.profile.agency_id == Some(*id)
    }
}

pub(crate) async fn organisation(
    State(state): State<AppState>,
    axum::Extension(Current(user)): axum::Extension<Current>,
    axum::Extension(kind): axum::Extension<OrgKind>,
) -> Result<Html<String>, PageError> {
    let org = user.organisation_id;
    let (profile, records) = state
        .read(move |s| {
            let profile = holisec_api::sharing::profile(s, org)?.record;
            Ok((profile, s.sharing_records()?))
        })
        .await?;
    let providers = of_kind(&records, "solution-provider")
        .into_iter()
        .filter(|(id, _)| *id != org)
        .collect();
    html(&OrganisationPage {
        chrome: Chrome::new(&user, &kind, "/organisation"),
        agencies: of_kind(&records, crate::routes::AGENCY),
        providers,
        profile,
        size_bands: ["small", "medium", "large"],
    })
}
