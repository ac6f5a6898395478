//! Section 5, the evidence: the mix of the incidents given (`holisec
//! evidence summary`) and how they recalibrate the model's threat mix
//! (`holisec evidence calibrate`): each targeted stakeholder's motivation
//! shares before and after.

use holisec_exchange::calibrate::{CalibrateOptions, calibrate};
use holisec_exchange::summary::{Filter, Table, summarise};
use serde::Serialize;

use crate::{EvidenceInput, ReportError};

/// Rows listed per table.
const TOP: usize = 8;

/// One row of an incident-mix table.
#[derive(Debug, Clone, Serialize)]
pub struct MixRow {
    /// The value (a motivation, a domain, an action).
    pub key: String,
    /// Incidents showing it.
    pub incidents: usize,
    /// Share of the incidents where the table's question is known.
    pub share: f64,
}

/// One incident-mix table.
#[derive(Debug, Clone, Serialize)]
pub struct MixTable {
    /// What it counts.
    pub title: String,
    /// The most frequent values.
    pub rows: Vec<MixRow>,
    /// Incidents where nothing is known for this table.
    pub unknown: usize,
}

/// One motivation's share of a stakeholder's threat events, before and after.
#[derive(Debug, Clone, Serialize)]
pub struct ShareRow {
    /// Targeted stakeholder.
    pub stakeholder: String,
    /// Incidents that touch its kind.
    pub incidents: usize,
    /// Motivation.
    pub motivation: String,
    /// Share in the model.
    pub before: f64,
    /// Share after calibration.
    pub after: f64,
}

/// Section 5.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceSection {
    /// The files read.
    pub files: Vec<String>,
    /// Incidents read.
    pub incidents: usize,
    /// First incident year, if known.
    pub first_year: Option<i32>,
    /// Last incident year, if known.
    pub last_year: Option<i32>,
    /// Motivation, domain, action and asset mixes.
    pub tables: Vec<MixTable>,
    /// Motivation shares before and after calibration, calibrated stakeholders only.
    pub shares: Vec<ShareRow>,
    /// Stakeholders kept as they are, with the reason.
    pub kept: Vec<String>,
}

fn table(title: &str, t: &Table) -> MixTable {
    MixTable {
        title: title.to_owned(),
        rows: t
            .rows
            .iter()
            .take(TOP)
            .map(|r| MixRow {
                key: r.key.clone(),
                incidents: r.count,
                share: r.share,
            })
            .collect(),
        unknown: t.unknown,
    }
}

pub(crate) fn section(
    model: &holisec_api::model::Model,
    input: EvidenceInput<'_>,
) -> Result<EvidenceSection, ReportError> {
    let summary = summarise(input.evidence, Filter::default());
    let options = CalibrateOptions {
        sources: input.files.to_vec(),
        ..CalibrateOptions::default()
    };
    let calibration =
        calibrate(&model.file, &model.ecosystem, input.evidence, &options).map_err(|e| {
            ReportError::Invalid(format!("the evidence cannot calibrate the model: {e}"))
        })?;
    let shares = calibration
        .targets
        .iter()
        .filter(|t| t.calibrated)
        .flat_map(|t| {
            t.shares.iter().map(|s| ShareRow {
                stakeholder: t.stakeholder.clone(),
                incidents: t.incidents,
                motivation: s.motivation.as_str().to_owned(),
                before: s.before,
                after: s.after,
            })
        })
        .collect();
    Ok(EvidenceSection {
        files: input.files.to_vec(),
        incidents: summary.incidents,
        first_year: summary.first_year,
        last_year: summary.last_year,
        tables: vec![
            table("Motivation", &summary.motivation),
            table("Domain", &summary.domain),
            table("Action", &summary.action_category),
            table("Action variety", &summary.action_variety),
            table("Asset", &summary.asset),
        ],
        shares,
        kept: calibration
            .targets
            .iter()
            .filter(|t| !t.calibrated)
            .map(|t| match &t.reason {
                Some(r) => format!("{}: {r}", t.stakeholder),
                None => t.stakeholder.clone(),
            })
            .collect(),
    })
}
