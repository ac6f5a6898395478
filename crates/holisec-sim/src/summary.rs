//! Results: daily series of every state, per-organisation outcomes, summaries
//! over replicates, CSV text, and the memory estimate of a run.
//!
//! Everything here is a value: serde-serialisable for `--json`, CSV returned as
//! `String`s. Bands are the 5th and 95th percentiles over replicates (nearest
//! rank). The JSON carries no timing, so identical runs give identical bytes.

use std::fmt::Display;

use holisec_model::Ecosystem;
use serde::Serialize;

use crate::scenario::{Interventions, Scenario, Sharing, Vector};
use crate::synth::{self, OrgKind};

/// Names of the daily series, in column order. `org_*` partition the
/// organisations, `staff_*` the staff, `seg_*` the segments (each sums to its
/// population every day); `emails` .. `new_detections` are flows of the day;
/// `disrupted` counts organisations disrupted for any reason.
pub const SERIES: &[&str] = &[
    "org_clean",
    "org_foothold",
    "org_lateral",
    "org_domain",
    "org_impact",
    "org_contained",
    "org_recovering",
    "org_recovered",
    "org_disrupted_no_infection",
    "disrupted",
    "hospitals_disrupted",
    "staff_unaffected",
    "staff_reported",
    "staff_clicked",
    "staff_credentials",
    "seg_susceptible",
    "seg_infected",
    "seg_patched",
    "emails",
    "clicks",
    "credentials_captured",
    "reports",
    "new_footholds",
    "new_impacts",
    "new_detections",
    "ever_infected",
];
/// Number of series.
pub const NS: usize = SERIES.len();
/// First organisation-state series.
pub const ORG0: usize = 0;
/// Organisation states.
pub const ORG_STATES: usize = 9;
/// `disrupted`.
pub const DISRUPTED: usize = 9;
/// `hospitals_disrupted`.
pub const HOSP_DISRUPTED: usize = 10;
/// First staff-state series.
pub const STAFF0: usize = 11;
/// First segment-state series.
pub const SEG0: usize = 15;
/// `emails`.
pub const EMAILS: usize = 18;
/// `clicks`.
pub const CLICKS: usize = 19;
/// `credentials_captured`.
pub const CREDS: usize = 20;
/// `reports`.
pub const REPORTS: usize = 21;
/// `new_footholds`.
pub const FOOTHOLDS: usize = 22;
/// `new_impacts`.
pub const IMPACTS: usize = 23;
/// `new_detections`.
pub const DETECTIONS: usize = 24;
/// `ever_infected`.
pub const EVER: usize = 25;

/// Mean and 5-95% band over replicates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Mean.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median. Kept out of the JSON of `holisec simulate`, which predates
    /// it; `holisec serve`'s job results carry it.
    #[serde(skip_serializing)]
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Band {
    /// Band of `values` (NaN values ignored; all-NaN gives zeros).
    pub fn of(values: &[f64]) -> Band {
        Band::of_sorted(&sorted_numbers(values))
    }

    /// Band of values sorted ascending, without NaN (zeros when empty).
    fn of_sorted(v: &[f64]) -> Band {
        if v.is_empty() {
            return Band {
                mean: 0.0,
                p5: 0.0,
                p50: 0.0,
                p95: 0.0,
            };
        }
        let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        Band {
            mean: v.iter().sum::<f64>() / v.len() as f64,
            p5: rank(0.05),
            p50: rank(0.5),
            p95: rank(0.95),
        }
    }
}

/// `values` without NaN, sorted ascending.
fn sorted_numbers(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// A [`Band`] with the spread around it: what a sweep stores per point and
/// output. `mean`, `p5`, `p50` and `p95` are [`Band::of`]'s (NaN values
/// ignored, nearest rank), so they equal `holisec simulate`'s summary of the
/// same replicates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1 in the denominator); NaN with fewer
    /// than two values.
    pub sd: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Stats {
    /// The statistic names, in the order of [`Stats::values`].
    pub const NAMES: [&'static str; 7] = ["mean", "sd", "p5", "p50", "p95", "min", "max"];

    /// Statistics of `values`, NaN values ignored as by [`Band::of`]; with
    /// none left every statistic is 0 (as the band) except `sd`, NaN.
    pub fn of(values: &[f64]) -> Stats {
        let v = sorted_numbers(values);
        let band = Band::of_sorted(&v);
        let n = v.len();
        let sd = if n < 2 {
            f64::NAN
        } else {
            (v.iter().map(|x| (x - band.mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        };
        Stats {
            mean: band.mean,
            sd,
            p5: band.p5,
            p50: band.p50,
            p95: band.p95,
            min: v.first().copied().unwrap_or(0.0),
            max: v.last().copied().unwrap_or(0.0),
        }
    }

    /// The statistics in the order of [`Stats::NAMES`].
    pub fn values(&self) -> [f64; 7] {
        [
            self.mean, self.sd, self.p5, self.p50, self.p95, self.min, self.max,
        ]
    }

    /// The band these statistics contain.
    pub fn band(&self) -> Band {
        Band {
            mean: self.mean,
            p5: self.p5,
            p50: self.p50,
            p95: self.p95,
        }
    }
}

/// Outcome measures of one replicate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Organisations with at least one foothold or worm infection.
    pub orgs_infected: f64,
    /// Hospitals among them.
    pub hospitals_infected: f64,
    /// Organisations whose systems were encrypted.
    pub orgs_encrypted: f64,
    /// Organisations disrupted at least once (infected or not).
    pub orgs_disrupted: f64,
    /// Sum over days of the hospitals disrupted at the end of the day.
    pub hospital_days_disrupted: f64,
    /// Staff whose credentials were captured (distinct).
    pub credentials_captured: f64,
    /// Staff who clicked at least once (distinct).
    pub staff_clicked: f64,
    /// Mean days from foothold to containment (NaN when nothing was contained).
    pub time_to_containment_days: f64,
    /// Hospitals disrupted at least once (infected or not).
    pub hospitals_disrupted: f64,
    /// Solution providers with at least one foothold: the systemic channel.
    pub suppliers_infected: f64,
    /// Mean over the organisations encrypted of the largest share of their
    /// IT estate encrypted (segments encrypted / segments); NaN when none was.
    pub mean_share_encrypted: f64,
    /// Hospitals that had more than half of their segments encrypted.
    pub hospitals_over_half_encrypted: f64,
    /// IT switch-offs decided (by national systems and hospitals).
    pub switch_offs: f64,
    /// Organisations disrupted at least once by a switch-off (the national
    /// systems and hospitals that switched off and the organisations
    /// depending on those national systems).
    pub orgs_disrupted_by_switch_off: f64,
    /// Organisation-days under a switch-off, until restoration or the horizon.
    pub switch_off_days: f64,
    /// Times a sole provider of a care-critical service lost it (its
    /// encryption reached a care-critical segment), taking it from its
    /// clients ([`crate::synth::Synth::sole_provider`]).
    pub sole_provider_losses: f64,
}

impl Metrics {
    /// The outcome names, in the order of [`Metrics::values`] (the columns of
    /// `replicates.csv`, and what a sweep can measure).
    pub const NAMES: [&'static str; 16] = [
        "orgs_infected",
        "hospitals_infected",
        "orgs_encrypted",
        "orgs_disrupted",
        "hospital_days_disrupted",
        "credentials_captured",
        "staff_clicked",
        "time_to_containment_days",
        "hospitals_disrupted",
        "suppliers_infected",
        "mean_share_encrypted",
        "hospitals_over_half_encrypted",
        "switch_offs",
        "orgs_disrupted_by_switch_off",
        "switch_off_days",
        "sole_provider_losses",
    ];

    /// The outcomes in the order of [`Metrics::NAMES`].
    pub fn values(&self) -> [f64; 16] {
        [
            self.orgs_infected,
            self.hospitals_infected,
            self.orgs_encrypted,
            self.orgs_disrupted,
            self.hospital_days_disrupted,
            self.credentials_captured,
            self.staff_clicked,
            self.time_to_containment_days,
            self.hospitals_disrupted,
            self.suppliers_infected,
            self.mean_share_encrypted,
            self.hospitals_over_half_encrypted,
            self.switch_offs,
            self.orgs_disrupted_by_switch_off,
            self.switch_off_days,
            self.sole_provider_losses,
        ]
    }
}

/// Summary over replicates.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Organisations infected.
    pub orgs_infected: Band,
    /// Hospitals infected.
    pub hospitals_infected: Band,
    /// Organisations encrypted.
    pub orgs_encrypted: Band,
    /// Organisations disrupted.
    pub orgs_disrupted: Band,
    /// Hospital-days disrupted.
    pub hospital_days_disrupted: Band,
    /// Staff credentials captured.
    pub credentials_captured: Band,
    /// Staff who clicked.
    pub staff_clicked: Band,
    /// Time to containment, days (replicates without containment left out).
    pub time_to_containment_days: Band,
    /// Hospitals disrupted at least once.
    pub hospitals_disrupted: Band,
    /// Solution providers infected.
    pub suppliers_infected: Band,
    /// Mean share of the IT estate encrypted of the organisations encrypted
    /// (replicates without encryption left out).
    pub mean_share_encrypted: Band,
    /// Hospitals with more than half of their segments encrypted.
    pub hospitals_over_half_encrypted: Band,
    /// IT switch-offs (national systems and hospitals).
    pub switch_offs: Band,
    /// Organisations disrupted by a switch-off.
    pub orgs_disrupted_by_switch_off: Band,
    /// Organisation-days under a switch-off.
    pub switch_off_days: Band,
    /// Sole providers' losses of their care-critical service.
    pub sole_provider_losses: Band,
}

impl Summary {
    /// Summary of per-replicate metrics.
    pub fn of(m: &[Metrics]) -> Summary {
        let b = |f: fn(&Metrics) -> f64| Band::of(&m.iter().map(f).collect::<Vec<_>>());
        Summary {
            orgs_infected: b(|m| m.orgs_infected),
            hospitals_infected: b(|m| m.hospitals_infected),
            orgs_encrypted: b(|m| m.orgs_encrypted),
            orgs_disrupted: b(|m| m.orgs_disrupted),
            hospital_days_disrupted: b(|m| m.hospital_days_disrupted),
            credentials_captured: b(|m| m.credentials_captured),
            staff_clicked: b(|m| m.staff_clicked),
            time_to_containment_days: b(|m| m.time_to_containment_days),
            hospitals_disrupted: b(|m| m.hospitals_disrupted),
            suppliers_infected: b(|m| m.suppliers_infected),
            mean_share_encrypted: b(|m| m.mean_share_encrypted),
            hospitals_over_half_encrypted: b(|m| m.hospitals_over_half_encrypted),
            switch_offs: b(|m| m.switch_offs),
            orgs_disrupted_by_switch_off: b(|m| m.orgs_disrupted_by_switch_off),
            switch_off_days: b(|m| m.switch_off_days),
            sole_provider_losses: b(|m| m.sole_provider_losses),
        }
    }
}

/// One daily series of the whole ecosystem with its band.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// Name (see [`SERIES`]).
    pub name: String,
    /// Mean per day.
    pub mean: Vec<f64>,
    /// 5th percentile per day.
    pub p5: Vec<f64>,
    /// Median per day (kept out of `holisec simulate`'s JSON, as [`Band::p50`]).
    #[serde(skip_serializing)]
    pub p50: Vec<f64>,
    /// 95th percentile per day.
    pub p95: Vec<f64>,
}

/// A country: its synthetic organisations and its mean daily series.
#[derive(Debug, Clone, Serialize)]
pub struct CountryResult {
    /// ISO code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Hospitals.
    pub hospitals: u32,
    /// Primary-care organisations.
    pub primary_care: u32,
    /// Care staff.
    pub staff: u64,
    /// Mean over replicates of each series per day, in [`SERIES`] order.
    pub mean: Vec<Vec<f64>>,
}

/// Outcome of one organisation over the replicates (CSV only).
#[derive(Debug, Clone, Serialize)]
pub struct OrgOutcome {
    /// Display id.
    pub id: String,
    /// Kind.
    pub kind: OrgKind,
    /// Country code.
    pub country: String,
    /// Staff.
    pub staff: u32,
    /// Suppliers it uses (clients, for a supplier).
    pub links: u32,
    /// Share of replicates in which it was infected.
    pub p_infected: f64,
    /// Share of replicates in which it was disrupted.
    pub p_disrupted: f64,
    /// Mean days disrupted per replicate.
    pub mean_disrupted_days: f64,
    /// Mean over replicates of the largest share of its segments encrypted
    /// (0 in replicates where it was not encrypted).
    pub mean_share_encrypted: f64,
    /// Share of replicates in which a switch-off (its own or its national
    /// system's) disrupted it.
    pub p_switched_off: f64,
}

/// One replicate's outcome for an organisation a campaign names
/// (`organisation = "..."`): what a replay of a single organisation's
/// incident is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NamedRun {
    /// Its staff in this replicate's network (each replicate draws its own
    /// unless the network is fixed).
    pub staff: u32,
    /// Its network segments in this replicate's network.
    pub segments: u32,
    /// It had a foothold or a worm infection.
    pub infected: bool,
    /// Some of its segments were encrypted.
    pub encrypted: bool,
    /// Largest share of its segments encrypted at once (0 when not encrypted).
    pub share_encrypted: f32,
    /// It was disrupted (its care or its service stopped), for any reason.
    pub disrupted: bool,
    /// Days disrupted within the simulated days, all episodes together.
    pub days_disrupted: f32,
    /// A switch-off (its own or its national system's) disrupted it.
    pub switched_off: bool,
}

/// What happened to an organisation a campaign names, over the replicates:
/// how often each outcome occurred, and how large it was when it did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedOutcome {
    /// Display id, as the campaign names it.
    pub id: String,
    /// Kind.
    pub kind: OrgKind,
    /// Country code.
    pub country: String,
    /// Replicates in which it was infected.
    pub infected: u32,
    /// Replicates in which it was encrypted.
    pub encrypted: u32,
    /// Replicates in which it was disrupted.
    pub disrupted: u32,
    /// Replicates in which a switch-off disrupted it.
    pub switched_off: u32,
    /// Largest share of its segments encrypted, over the replicates in
    /// which it was encrypted (zeros when it never was).
    pub share_encrypted: Stats,
    /// Days disrupted, over the replicates in which it was disrupted (zeros
    /// when it never was).
    pub days_disrupted: Stats,
    /// Replicate by replicate, in replicate order.
    pub runs: Vec<NamedRun>,
}

impl NamedOutcome {
    /// The outcome of `runs`, one per replicate.
    pub fn of(id: String, kind: OrgKind, country: String, runs: Vec<NamedRun>) -> NamedOutcome {
        let count = |pick: fn(&NamedRun) -> bool| runs.iter().filter(|r| pick(r)).count() as u32;
        let when = |pick: fn(&NamedRun) -> bool, value: fn(&NamedRun) -> f32| {
            let values: Vec<f64> = runs
                .iter()
                .filter(|r| pick(r))
                .map(|r| f64::from(value(r)))
                .collect();
            Stats::of(&values)
        };
        NamedOutcome {
            id,
            kind,
            country,
            infected: count(|r| r.infected),
            encrypted: count(|r| r.encrypted),
            disrupted: count(|r| r.disrupted),
            switched_off: count(|r| r.switched_off),
            share_encrypted: when(|r| r.encrypted, |r| r.share_encrypted),
            days_disrupted: when(|r| r.disrupted, |r| r.days_disrupted),
            runs,
        }
    }
}

/// Size of the synthetic ecosystem.
#[derive(Debug, Clone, Serialize)]
pub struct EcosystemSize {
    /// Organisations per kind.
    pub kinds: Vec<(OrgKind, u64)>,
    /// Segments.
    pub segments: u64,
    /// Clients of the largest supplier.
    pub largest_supplier_clients: u64,
    /// Suppliers that are the sole provider of a care-critical service to
    /// their clients.
    pub sole_providers: u64,
    /// Care staff (the model's professionals x scale).
    pub professionals: u64,
}

/// Everything a run produces.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationReport {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Every replicate ran on the one network drawn from the seed (else each
    /// on its own; the ecosystem described here is replicate 0's).
    pub fixed_network: bool,
    /// Scale.
    pub scale: f64,
    /// Simulated days.
    pub days: u32,
    /// Replicates.
    pub replicates: u32,
    /// Organisations in the synthetic ecosystem.
    pub organisations: u64,
    /// Staff (care professionals plus the staff of other organisations).
    pub staff: u64,
    /// Breakdown of the synthetic ecosystem.
    pub ecosystem: EcosystemSize,
    /// Campaign names and vectors.
    pub campaigns: Vec<(String, Vector)>,
    /// Interventions.
    pub interventions: Interventions,
    /// Information sharing.
    pub sharing: Sharing,
    /// Summary over replicates.
    pub summary: Summary,
    /// Per-replicate metrics, in replicate order.
    pub per_replicate: Vec<Metrics>,
    /// Ecosystem daily series.
    pub series: Vec<Series>,
    /// Per-country daily means.
    pub countries: Vec<CountryResult>,
    /// What happened to each organisation a campaign names, in the order
    /// the campaigns first name them (empty when none does).
    pub named: Vec<NamedOutcome>,
    /// Per-organisation outcomes (CSV only: large).
    #[serde(skip)]
    pub organisation_outcomes: Vec<OrgOutcome>,
}

impl SimulationReport {
    /// The ecosystem series called `name`.
    pub fn series(&self, name: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.name == name)
    }

    /// `day,series,mean,p5,p95`.
    pub fn series_csv(&self) -> String {
        let mut out = Csv::new(&["day", "series", "mean", "p5", "p95"]);
        for d in 0..self.days as usize {
            for s in &self.series {
                out.row(&[&d, &s.name, &s.mean[d], &s.p5[d], &s.p95[d]]);
            }
        }
        out.finish()
    }

    /// `day,country,series,mean`.
    pub fn countries_csv(&self) -> String {
        let mut out = Csv::new(&["day", "country", "series", "mean"]);
        for d in 0..self.days as usize {
            for c in &self.countries {
                for (i, name) in SERIES.iter().enumerate() {
                    out.row(&[&d, &c.code, name, &c.mean[i][d]]);
                }
            }
        }
        out.finish()
    }

    /// `replicate,` then every metric; an empty `time_to_containment_days` when
    /// the run never contained the outbreak.
    pub fn replicates_csv(&self) -> String {
        let mut header = vec!["replicate"];
        header.extend(Metrics::NAMES);
        let mut out = Csv::new(&header);
        for (i, m) in self.per_replicate.iter().enumerate() {
            let cells: Vec<String> = m
                .values()
                .iter()
                .map(|x| {
                    if x.is_nan() {
                        String::new()
                    } else {
                        x.to_string()
                    }
                })
                .collect();
            let mut row: Vec<&dyn Display> = vec![&i];
            row.extend(cells.iter().map(|c| c as &dyn Display));
            out.row(&row);
        }
        out.finish()
    }

    /// `id,kind,country,staff,links,p_infected,p_disrupted,mean_disrupted_days,mean_share_encrypted,p_switched_off`.
    pub fn organisations_csv(&self) -> String {
        let mut out = Csv::new(&[
            "id",
            "kind",
            "country",
            "staff",
            "links",
            "p_infected",
            "p_disrupted",
            "mean_disrupted_days",
            "mean_share_encrypted",
            "p_switched_off",
        ]);
        for o in &self.organisation_outcomes {
            out.row(&[
                &o.id,
                &o.kind.as_str(),
                &o.country,
                &o.staff,
                &o.links,
                &o.p_infected,
                &o.p_disrupted,
                &o.mean_disrupted_days,
                &o.mean_share_encrypted,
                &o.p_switched_off,
            ]);
        }
        out.finish()
    }

    /// `organisation,replicate,staff,segments,infected,encrypted,share_encrypted,disrupted,days_disrupted,switched_off`:
    /// the organisations campaigns name, replicate by replicate (the header
    /// alone when none is named).
    pub fn named_csv(&self) -> String {
        let mut out = Csv::new(&[
            "organisation",
            "replicate",
            "staff",
            "segments",
            "infected",
            "encrypted",
            "share_encrypted",
            "disrupted",
            "days_disrupted",
            "switched_off",
        ]);
        for o in &self.named {
            for (i, r) in o.runs.iter().enumerate() {
                out.row(&[
                    &o.id,
                    &i,
                    &r.staff,
                    &r.segments,
                    &r.infected,
                    &r.encrypted,
                    &r.share_encrypted,
                    &r.disrupted,
                    &r.days_disrupted,
                    &r.switched_off,
                ]);
            }
        }
        out.finish()
    }
}

/// CSV text written with the `csv` crate: a header line, then one line per row,
/// fields quoted only when they hold a comma, a quote or a line break. Numbers are
/// written with `Display` (`0.25`, `12`), as everywhere in holisec's CSV.
struct Csv(csv::Writer<Vec<u8>>);

impl Csv {
    fn new(header: &[&str]) -> Self {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(header).expect("CSV into memory");
        Csv(w)
    }

    fn row(&mut self, fields: &[&dyn Display]) {
        for f in fields {
            self.0.write_field(f.to_string()).expect("CSV into memory");
        }
        self.0.write_record(None::<&[u8]>).expect("CSV into memory");
    }

    fn finish(self) -> String {
        let bytes = self.0.into_inner().expect("CSV into memory");
        String::from_utf8(bytes).expect("CSV of UTF-8 fields")
    }
}

/// Estimated peak memory of a run, in bytes, with `threads` replicates in flight.
///
/// Counts the synthetic ecosystem (per organisation ~70 B, per staff member
/// 4 B offsets-free plus 1 B state per replicate in flight, per segment 13 B),
/// per-replicate state (~90 B per organisation), the networks of the
/// replicates in flight unless the network is fixed, and the retained series
/// (replicates x days x series x 4 B, countries x days x series x 8 B).
pub fn estimate_memory(
    eco: &Ecosystem,
    scenario: &Scenario,
    threads: usize,
) -> Result<u64, synth::SynthError> {
    let (countries, hospitals, staff) = synth::sizes(eco, scenario.scale)?;
    let p = &scenario.parameters;
    let pc = (staff as f64 * p.primary_care_share / p.primary_care_staff).max(0.0);
    let orgs = hospitals as f64 * (1.0 + p.suppliers_per_hospital) + pc + countries as f64 * 4.0;
    let segments = hospitals as f64
        * (staff as f64 / hospitals as f64 / p.staff_per_segment).clamp(2.0, 64.0)
        + pc
        + orgs * 0.2;
    let links = hospitals as f64 * p.hospital_supplier_links + pc * p.primary_care_supplier_links;
    let in_flight = threads.clamp(1, 8).min(scenario.replicates as usize) as f64;
    let days = scenario.days as f64;
    let synth = orgs * 70.0 + segments * 8.0 + links * 16.0;
    let per_rep = staff as f64
        + orgs * 100.0
        + segments * 9.0
        + days * countries as f64 * NS as f64 * 4.0 * 2.0
        // The event calendar: 64 empty slot vectors a day.
        + days * 64.0 * 24.0;
    let kept = scenario.replicates as f64 * days * NS as f64 * 4.0
        + countries as f64 * days * NS as f64 * 8.0
        + orgs * (24.0 + 64.0)
        + in_flight * 8.0 * (orgs * 8.0);
    // Redrawn networks: replicate 0's, kept for the report, and one per
    // replicate in flight.
    let networks = if scenario.fixed_network {
        1.0
    } else {
        1.0 + in_flight
    };
    Ok((networks * synth + in_flight * 2.0 * per_rep + kept) as u64 + 32 * 1024 * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_organisations_sizes_count_only_the_runs_where_it_happened() {
        let run = |share: f32, days: f32, switched_off: bool| NamedRun {
            staff: 100,
            segments: 4,
            infected: share > 0.0 || switched_off,
            encrypted: share > 0.0,
            share_encrypted: share,
            disrupted: days > 0.0,
            days_disrupted: days,
            switched_off,
        };
        let runs = vec![
            run(0.25, 0.0, false),
            run(0.75, 10.0, false),
            run(0.0, 2.0, true),
            run(0.0, 0.0, false),
            run(1.0, 30.0, false),
        ];
        let o = NamedOutcome::of("h".into(), OrgKind::Hospital, "DE".into(), runs);
        assert_eq!(
            (o.infected, o.encrypted, o.disrupted, o.switched_off),
            (4, 3, 3, 1)
        );
        // Over the three encryptions: 0.25, 0.75, 1.
        assert!((o.share_encrypted.mean - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(o.share_encrypted.p50, 0.75);
        // Over the three disruptions: 2, 10, 30.
        assert_eq!(o.days_disrupted.mean, 14.0);
        assert_eq!(o.days_disrupted.p50, 10.0);
        assert_eq!((o.days_disrupted.min, o.days_disrupted.max), (2.0, 30.0));
        let never = NamedOutcome::of(
            "s".into(),
            OrgKind::Supplier,
            "FR".into(),
            vec![run(0.0, 0.0, false)],
        );
        assert_eq!((never.encrypted, never.share_encrypted.mean), (0, 0.0));
    }

    #[test]
    fn band_uses_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let b = Band::of(&v);
        assert_eq!(b.p5, 5.0);
        assert_eq!(b.p95, 95.0);
        assert_eq!(b.mean, 50.5);
        assert_eq!(Band::of(&[f64::NAN]).mean, 0.0);
    }

    #[test]
    fn stats_of_a_hand_computed_example() {
        // Sorted: 2 4 4 4 5 5 7 9; NaN ignored. Mean 40 / 8 = 5; squared
        // deviations 9 1 1 1 0 0 4 16 = 32, so sd = sqrt(32 / 7). Nearest rank
        // of 8 values: p5 the 1st (ceil 0.4), p50 the 4th, p95 the 8th (ceil 7.6).
        let s = Stats::of(&[5.0, 4.0, f64::NAN, 9.0, 2.0, 4.0, 7.0, 4.0, 5.0]);
        assert_eq!(s.mean, 5.0);
        assert_eq!(s.sd, (32.0_f64 / 7.0).sqrt());
        assert_eq!((s.p5, s.p50, s.p95), (2.0, 4.0, 9.0));
        assert_eq!((s.min, s.max), (2.0, 9.0));
        assert_eq!(
            s.values(),
            [5.0, (32.0_f64 / 7.0).sqrt(), 2.0, 4.0, 9.0, 2.0, 9.0]
        );
        // The band is Band::of's, the one of `holisec simulate`'s summary.
        let values = [3.0, 1.0, 2.0];
        assert_eq!(Stats::of(&values).band(), Band::of(&values));
        assert_eq!(Stats::of(&values).sd, 1.0);
        // One value: no spread to estimate; none: zeros, as the band.
        let one = Stats::of(&[7.0]);
        assert_eq!(
            (one.mean, one.p5, one.p95, one.min, one.max),
            (7.0, 7.0, 7.0, 7.0, 7.0)
        );
        assert!(one.sd.is_nan());
        let none = Stats::of(&[f64::NAN, f64::NAN]);
        assert_eq!(none.band(), Band::of(&[]));
        assert_eq!((none.min, none.max), (0.0, 0.0));
        assert!(none.sd.is_nan());
    }

    /// Every row of `text`, read back with the `csv` crate; the header first.
    fn read_csv(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn csv_files_read_back_to_the_report() {
        let eco = holisec_model::builtin::europe()
            .ecosystem
            .expect("the built-in model is valid");
        let text = "[scenario]\ndays = 20\nreplicates = 2\nscale = 0.01\nseed = 3\n\
                    [[campaign]]\nthreat = \"ransomware\"\ntarget = \"healthcare-organisations\"\n";
        let loaded = crate::scenario::load_scenario(text, &eco);
        let sc = loaded.scenario.expect("scenario loads");
        let syn = crate::engine::synthesise(&eco, &sc).unwrap();
        let mut report = crate::engine::run_on(&syn, &sc, &|_| {});
        let days = report.days as usize;

        let series = read_csv(&report.series_csv());
        assert_eq!(series[0], ["day", "series", "mean", "p5", "p95"]);
        assert_eq!(series.len(), 1 + days * report.series.len());
        let last = &series[series.len() - 1];
        let s = report.series.last().unwrap();
        assert_eq!(last[0], (days - 1).to_string());
        assert_eq!(last[1], s.name);
        assert_eq!(last[2].parse::<f64>().unwrap(), s.mean[days - 1]);
        assert_eq!(last[4].parse::<f64>().unwrap(), s.p95[days - 1]);

        let countries = read_csv(&report.countries_csv());
        assert_eq!(countries[0], ["day", "country", "series", "mean"]);
        assert_eq!(
            countries.len(),
            1 + days * report.countries.len() * SERIES.len()
        );

        let replicates = read_csv(&report.replicates_csv());
        assert_eq!(replicates.len(), 1 + report.per_replicate.len());
        assert_eq!(replicates[0].len(), 17);
        for (row, m) in replicates[1..].iter().zip(&report.per_replicate) {
            assert_eq!(row.len(), 17);
            assert_eq!(row[16].parse::<f64>().unwrap(), m.sole_provider_losses);
            assert_eq!(row[1].parse::<f64>().unwrap(), m.orgs_infected);
            assert_eq!(row[10].parse::<f64>().unwrap(), m.suppliers_infected);
        }

        // A field with a comma, a quote or a line break is quoted and reads back whole.
        assert!(!report.organisation_outcomes.is_empty());
        report.organisation_outcomes[0].id = "Hospital \"A\", Ward 3\nnorth".into();
        let text = report.organisations_csv();
        let orgs = read_csv(&text);
        assert_eq!(orgs.len(), 1 + report.organisation_outcomes.len());
        assert_eq!(orgs[1][0], "Hospital \"A\", Ward 3\nnorth");
        assert!(text.contains("\n\"Hospital \"\"A\"\", Ward 3\nnorth\","));
        for (row, o) in orgs[1..].iter().zip(&report.organisation_outcomes) {
            assert_eq!(row.len(), 10);
            assert_eq!(row[1], o.kind.as_str());
            assert_eq!(row[3], o.staff.to_string());
            assert_eq!(row[5].parse::<f64>().unwrap(), o.p_infected);
        }
    }
}
