//! Counts over imported incidents: by year, motivation, domain, action,
//! asset, attribute and stakeholder, each with its unknown share.
//!
//! Every table counts *incidents*: an incident with two motivations counts
//! once under each, so the shares of a table can add up to more than 100%.
//! The `unknown` row of a table counts the incidents for which that table has
//! nothing known; it is kept apart from the known rows and never assigned.

use std::collections::BTreeMap;

use holisec_model::Domain;
use serde::Serialize;

use crate::mapping::{self, MotivationClass};
use crate::veris::{Evidence, Incident, ReadCounts};

/// Which incidents a summary or a calibration uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// Keep incidents whose `timeline.incident.year` is this year or later
    /// (incidents without a year are then left out).
    pub since: Option<i32>,
}

impl Filter {
    /// True when `incident` passes.
    pub fn keeps(&self, incident: &Incident) -> bool {
        match self.since {
            None => true,
            Some(since) => incident.year.is_some_and(|y| y >= since),
        }
    }

    /// A human description, e.g. `incident year >= 2015` or `none`.
    pub fn describe(&self) -> String {
        match self.since {
            None => "none".to_owned(),
            Some(y) => format!("incident year >= {y}"),
        }
    }
}

/// One row of a table (the motivation, domain and attribute tables list
/// every category, with 0 when no incident falls in it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Category.
    pub key: String,
    /// Incidents in it.
    pub count: usize,
    /// `count` / incidents summarised.
    pub share: f64,
}

/// A table of counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Known categories, most frequent first (years in year order).
    pub rows: Vec<Row>,
    /// Incidents with nothing known for this table.
    pub unknown: usize,
    /// `unknown` / incidents summarised.
    pub unknown_share: f64,
}

/// The whole summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// What the reader saw.
    pub read: ReadCounts,
    /// Filter applied.
    pub filter: String,
    /// Incidents left out by the filter.
    pub filtered_out: usize,
    /// Incidents summarised.
    pub incidents: usize,
    /// Earliest incident year among them.
    pub first_year: Option<i32>,
    /// Latest incident year among them.
    pub last_year: Option<i32>,
    /// By `timeline.incident.year`.
    pub year: Table,
    /// By model motivation (and the classes kept apart: unintentional, other).
    pub motivation: Table,
    /// By raw VERIS `actor.*.motive`.
    pub veris_motive: Table,
    /// By vulnerability domain.
    pub domain: Table,
    /// By VERIS action category.
    pub action_category: Table,
    /// By `category.variety`, e.g. `social.Phishing`, `malware.Ransomware`.
    pub action_variety: Table,
    /// By asset class (`S -` server, `U -` user device, ...).
    pub asset: Table,
    /// By security attribute.
    pub attribute: Table,
    /// By model stakeholder kind.
    pub stakeholder: Table,
    /// By victim country.
    pub country: Table,
    /// By `plus.sub_source` (selection channel; unknown = none given).
    pub sub_source: Table,
}

struct Counter {
    counts: BTreeMap<String, usize>,
    unknown: usize,
}

impl Counter {
    fn new() -> Self {
        Counter {
            counts: BTreeMap::new(),
            unknown: 0,
        }
    }

    /// A counter whose table lists `keys` even when no incident falls in them.
    fn with_rows<I: IntoIterator<Item = String>>(keys: I) -> Self {
        Counter {
            counts: keys.into_iter().map(|k| (k, 0)).collect(),
            unknown: 0,
        }
    }

    /// Counts each distinct key once for this incident; unknown when there are none.
    fn add<I: IntoIterator<Item = String>>(&mut self, keys: I) {
        let mut keys: Vec<String> = keys.into_iter().collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            self.unknown += 1;
        }
        for k in keys {
            *self.counts.entry(k).or_default() += 1;
        }
    }

    fn table(self, total: usize, by_key: bool) -> Table {
        let share = |n: usize| {
            if total == 0 {
                0.0
            } else {
                n as f64 / total as f64
            }
        };
        let mut rows: Vec<Row> = self
            .counts
            .into_iter()
            .map(|(key, count)| Row {
                share: share(count),
                key,
                count,
            })
            .collect();
        if !by_key {
            rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        }
        Table {
            rows,
            unknown: self.unknown,
            unknown_share: share(self.unknown),
        }
    }
}

/// Summarises `evidence` under `filter`.
pub fn summarise(evidence: &Evidence, filter: Filter) -> Summary {
    let kept: Vec<&Incident> = evidence
        .incidents
        .iter()
        .filter(|i| filter.keeps(i))
        .collect();
    let total = kept.len();
    let mut year = Counter::new();
    let mut motivation = Counter::with_rows(
        MotivationClass::all()
            .into_iter()
            .filter(|c| *c != MotivationClass::Unknown)
            .map(|c| c.as_str().to_owned()),
    );
    let mut veris_motive = Counter::new();
    let mut domain = Counter::with_rows(Domain::ALL.iter().map(|d| d.as_str().to_owned()));
    let mut category = Counter::new();
    let mut variety = Counter::new();
    let mut asset = Counter::new();
    let mut attribute = Counter::with_rows(
        ["confidentiality", "integrity", "availability"]
            .into_iter()
            .map(str::to_owned),
    );
    let mut stakeholder = Counter::new();
    let mut country = Counter::new();
    let mut sub_source = Counter::new();
    for i in &kept {
        year.add(i.year.map(|y| y.to_string()));
        motivation.add(
            mapping::incident_motivations(i)
                .into_iter()
                .filter(|c| *c != MotivationClass::Unknown)
                .map(|c| c.as_str().to_owned()),
        );
        veris_motive.add(
            i.actors
                .iter()
                .flat_map(|a| a.motives.iter())
                .filter(|m| *m != "Unknown")
                .cloned(),
        );
        domain.add(
            mapping::incident_domains(i)
                .into_iter()
                .map(|d| d.as_str().to_owned()),
        );
        category.add(
            i.actions
                .iter()
                .filter(|a| a.category != crate::veris::ActionCategory::Unknown)
                .map(|a| a.category.as_str().to_owned()),
        );
        variety.add(i.actions.iter().flat_map(|a| {
            a.varieties
                .iter()
                .filter(|v| *v != "Unknown")
                .map(move |v| format!("{}.{v}", a.category.as_str()))
        }));
        asset.add(
            i.assets
                .iter()
                .filter_map(|a| mapping::asset_class(a))
                .map(str::to_owned),
        );
        attribute.add(
            mapping::incident_attributes(i)
                .into_iter()
                .map(str::to_owned),
        );
        stakeholder.add(
            mapping::incident_stakeholders(i)
                .into_iter()
                .map(|k| k.as_str().to_owned()),
        );
        country.add(
            i.victims
                .iter()
                .flat_map(|v| v.countries.iter())
                .filter(|c| *c != "Unknown")
                .cloned(),
        );
        sub_source.add(i.sub_source.clone());
    }
    let years: Vec<i32> = kept.iter().filter_map(|i| i.year).collect();
    Summary {
        read: evidence.counts,
        filter: filter.describe(),
        filtered_out: evidence.incidents.len() - total,
        incidents: total,
        first_year: years.iter().min().copied(),
        last_year: years.iter().max().copied(),
        year: year.table(total, true),
        motivation: motivation.table(total, false),
        veris_motive: veris_motive.table(total, false),
        domain: domain.table(total, false),
        action_category: category.table(total, false),
        action_variety: variety.table(total, false),
        asset: asset.table(total, false),
        attribute: attribute.table(total, false),
        stakeholder: stakeholder.table(total, false),
        country: country.table(total, false),
        sub_source: sub_source.table(total, false),
    }
}

impl Table {
    /// The count of `key` (0 when absent).
    pub fn count(&self, key: &str) -> usize {
        self.rows
            .iter()
            .find(|r| r.key == key)
            .map_or(0, |r| r.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::veris::VerisReader;

    #[test]
    fn counts_are_per_incident_and_unknowns_are_apart() {
        let mut r = VerisReader::default();
        r.read_jsonl(
            0,
            br#"{"timeline":{"incident":{"year":2016}},"actor":{"external":{"motive":["Financial","Financial"]}},"action":{"malware":{"variety":["Ransomware"]},"hacking":{"variety":["Unknown"]}}}
{"timeline":{"incident":{"year":2012}},"actor":{"internal":{"motive":["Unknown"]}},"action":{"unknown":{}}}
{"actor":{"internal":{"motive":["NA"]}},"action":{"error":{"variety":["Loss"]}}}"#,
        );
        let e = r.finish();
        let s = summarise(&e, Filter::default());
        assert_eq!(s.incidents, 3);
        assert_eq!(s.motivation.count("crime"), 1);
        let terrorism = s.motivation.rows.iter().find(|r| r.key == "terrorism");
        assert_eq!(terrorism.map(|r| r.count), Some(0), "zero rows are listed");
        assert_eq!(s.motivation.count("unintentional"), 1);
        assert_eq!(s.motivation.unknown, 1);
        assert_eq!(s.domain.count("technology"), 1);
        assert_eq!(s.domain.count("process"), 1);
        assert_eq!(s.domain.unknown, 1);
        assert_eq!(s.action_variety.count("malware.Ransomware"), 1);
        assert_eq!(s.action_variety.unknown, 1);
        assert_eq!(
            s.year
                .rows
                .iter()
                .map(|r| r.key.as_str())
                .collect::<Vec<_>>(),
            ["2012", "2016"]
        );
        assert_eq!(s.year.unknown, 1);
        let s = summarise(&e, Filter { since: Some(2013) });
        assert_eq!((s.incidents, s.filtered_out), (1, 2));
        assert_eq!(s.first_year, Some(2016));
    }
}
