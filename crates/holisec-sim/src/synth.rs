//! The synthetic ecosystem: organisations, staff, segments and links, generated
//! from the model's populations.
//!
//! * Countries: the model's `[[country]]` table, as many as it has national
//!   systems (28 in the built-in model, never scaled); hospitals distributed
//!   over them in proportion to each country's `hospitals`.
//! * Hospitals: the model's `healthcare-organisation` population x scale; staff
//!   per hospital lognormal (heavy-tailed), apportioned so that hospital and
//!   primary-care staff sum *exactly* to the model's professionals x scale.
//! * Primary-care organisations: small practices holding `primary_care_share`
//!   of the professionals.
//! * Solution providers linked to hospitals by preferential attachment (a few
//!   serve hundreds of hospitals); one national system, one CSIRT (agency) and
//!   `insurers_per_country` insurers per country.
//! * Segments: network segments per organisation (the unit of worm spread).
//!
//! Layout: organisations are contiguous index ranges, country by country
//! (national system, agency, insurers, hospitals, primary care), suppliers last;
//! staff and segments are contiguous ranges per organisation (CSR offsets), with
//! each organisation's offenders first. Struct-of-arrays with narrow types.

// Struct-of-arrays: one organisation index addresses several arrays.
#![allow(clippy::needless_range_loop)]

use std::ops::Range;

use holisec_model::{Ecosystem, RelationKind, RelationLevel, StakeholderKind};
use rand::RngExt;
use rand_distr::{Beta, Distribution, Open01, StandardNormal};
use serde::Serialize;

use crate::rng::{self, SimRng};
use crate::scenario::Parameters;

/// Staff of organisations that are not care providers (not counted among the
/// model's professionals): national system, agency, insurer, supplier. \[E\]
pub const OTHER_STAFF: [(OrgKind, u32); 4] = [
    (OrgKind::NationalSystem, 500),
    (OrgKind::Agency, 50),
    (OrgKind::Insurer, 200),
    (OrgKind::Supplier, 50),
];

/// What a synthetic organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum OrgKind {
    /// A hospital.
    Hospital,
    /// A primary-care practice or other small care organisation.
    PrimaryCare,
    /// A solution provider (ICT, MSP, medical devices).
    Supplier,
    /// The national health system of a country.
    NationalSystem,
    /// The national CSIRT / agency.
    Agency,
    /// An insurer.
    Insurer,
}

impl OrgKind {
    /// Every kind.
    pub const ALL: [OrgKind; 6] = [
        OrgKind::Hospital,
        OrgKind::PrimaryCare,
        OrgKind::Supplier,
        OrgKind::NationalSystem,
        OrgKind::Agency,
        OrgKind::Insurer,
    ];

    /// Name in output.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Hospital => "hospital",
            OrgKind::PrimaryCare => "primary-care",
            OrgKind::Supplier => "supplier",
            OrgKind::NationalSystem => "national-system",
            OrgKind::Agency => "agency",
            OrgKind::Insurer => "insurer",
        }
    }
}

/// Compressed adjacency (CSR): the neighbours of `i` are `targets[offsets[i]..offsets[i+1]]`.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    /// Offsets, one more than rows.
    pub offsets: Vec<u32>,
    /// Neighbours.
    pub targets: Vec<u32>,
}

impl Csr {
    /// Builds from `(row, target)` pairs over `rows` rows.
    pub fn from_pairs(rows: usize, pairs: &[(u32, u32)]) -> Self {
        let mut offsets = vec![0u32; rows + 1];
        for &(r, _) in pairs {
            offsets[r as usize + 1] += 1;
        }
        for i in 0..rows {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0u32; pairs.len()];
        for &(r, t) in pairs {
            targets[fill[r as usize] as usize] = t;
            fill[r as usize] += 1;
        }
        Csr { offsets, targets }
    }

    /// Neighbours of row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// A country of the synthetic ecosystem.
#[derive(Debug, Clone, Serialize)]
pub struct Country {
    /// ISO code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Organisations of the country (suppliers excluded).
    pub orgs: Range<u32>,
    /// The national system.
    pub national: u32,
    /// The CSIRT.
    pub agency: u32,
    /// Hospitals.
    pub hospitals: Range<u32>,
    /// Primary-care organisations.
    pub primary_care: Range<u32>,
    /// Care staff (professionals) of the country.
    pub staff: u64,
}

/// Strengths of the model's relations used as channels (0 = channel absent).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Channels {
    /// First-level `supplies`, solution provider -> healthcare organisation.
    pub supplies_care: f64,
    /// First-level `supplies`, solution provider -> national system.
    pub supplies_national: f64,
    /// First-level relation national system -> healthcare organisation (dependency, shared network).
    pub national_care: f64,
    /// First-level `shares-information`, agency -> healthcare organisation.
    pub advisory_care: f64,
    /// First-level `shares-information`, agency -> national system.
    pub advisory_national: f64,
    /// Second-level relation agency -> professionals (two hops: agency -> organisation -> staff).
    pub advisory_staff: f64,
}

impl Channels {
    /// Strength of the `supplies` channel from a solution provider to a client of `kind`.
    pub fn supplies(&self, kind: OrgKind) -> f64 {
        if kind == OrgKind::NationalSystem {
            self.supplies_national
        } else {
            self.supplies_care
        }
    }

    /// Reads the strengths from the model (largest strength per stakeholder-kind pair).
    pub fn from_model(eco: &Ecosystem) -> Self {
        use StakeholderKind as K;
        let s = |level: RelationLevel, from: K, to: K, kinds: &[RelationKind]| -> f64 {
            eco.relations
                .iter()
                .filter(|r| r.level == level && (kinds.is_empty() || kinds.contains(&r.kind)))
                .filter(|r| {
                    let (a, b) = (eco.stakeholder(r.from).kind, eco.stakeholder(r.to).kind);
                    (a == from && b == to) || (a == to && b == from)
                })
                .map(|r| r.strength)
                .fold(0.0, f64::max)
        };
        let first = RelationLevel::First;
        let info = [RelationKind::SharesInformation];
        Channels {
            supplies_care: s(
                first,
                K::SolutionProvider,
                K::HealthcareOrganisation,
                &[RelationKind::Supplies],
            ),
            supplies_national: s(
                first,
                K::SolutionProvider,
                K::NationalHealthSystem,
                &[RelationKind::Supplies],
            ),
            national_care: s(
                first,
                K::NationalHealthSystem,
                K::HealthcareOrganisation,
                &[],
            ),
            advisory_care: s(
                first,
                K::AgencyInstitution,
                K::HealthcareOrganisation,
                &info,
            ),
            advisory_national: s(first, K::AgencyInstitution, K::NationalHealthSystem, &info),
            advisory_staff: s(
                RelationLevel::Second,
                K::AgencyInstitution,
                K::HealthcareProfessional,
                &[],
            ),
        }
    }
}

/// The synthetic ecosystem (shared, read-only, by every replicate).
#[derive(Debug, Clone)]
pub struct Synth {
    /// Countries.
    pub countries: Vec<Country>,
    /// Kind per organisation.
    pub kind: Vec<OrgKind>,
    /// Country per organisation (suppliers: home country).
    pub country: Vec<u8>,
    /// Staff offsets (len = organisations + 1).
    pub staff_start: Vec<u32>,
    /// Offenders per organisation (the first staff of its range).
    pub offenders: Vec<u32>,
    /// Segment offsets (len = organisations + 1).
    pub seg_start: Vec<u32>,
    /// Organisation of each segment.
    pub seg_org: Vec<u32>,
    /// Per-organisation click probability of the normal class.
    pub p_normal: Vec<f32>,
    /// Per-organisation click probability of the offender class.
    pub p_offender: Vec<f32>,
    /// Border segment is internet-facing.
    pub exposed: Vec<bool>,
    /// Suppliers.
    pub suppliers: Range<u32>,
    /// Supplier (local index) -> client organisations.
    pub clients: Csr,
    /// Organisation -> its suppliers.
    pub suppliers_of: Csr,
    /// Per supplier (local index): the sole provider of a care-critical
    /// service to its clients (`sole_provider_share`), whose clients have
    /// nowhere else to go when it loses that service.
    pub sole_provider: Vec<bool>,
    /// Channel strengths from the model.
    pub channels: Channels,
    /// Care staff (professionals) in total.
    pub professionals: u64,
    /// The seed this network was drawn from: what else belongs to the
    /// network but is drawn where it is used (the care organisations that a
    /// national system's switch-off cuts off) is drawn from it too, so it
    /// varies with the network from replicate to replicate.
    pub seed: u64,
}

impl Synth {
    /// Organisations.
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// True when there is no organisation.
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    /// Staff (all organisations).
    pub fn staff(&self) -> u64 {
        *self.staff_start.last().unwrap_or(&0) as u64
    }

    /// Segments.
    pub fn segments(&self) -> u64 {
        *self.seg_start.last().unwrap_or(&0) as u64
    }

    /// Staff range of organisation `o`.
    #[inline]
    pub fn staff_of(&self, o: usize) -> Range<usize> {
        self.staff_start[o] as usize..self.staff_start[o + 1] as usize
    }

    /// Segment range of organisation `o`.
    #[inline]
    pub fn segs_of(&self, o: usize) -> Range<usize> {
        self.seg_start[o] as usize..self.seg_start[o + 1] as usize
    }

    /// Organisations of one kind.
    pub fn count(&self, kind: OrgKind) -> usize {
        self.kind.iter().filter(|k| **k == kind).count()
    }

    /// Stable display id of organisation `o`, e.g. `hospital-DE-0042`.
    pub fn org_id(&self, o: usize) -> String {
        let kind = self.kind[o];
        let c = &self.countries[self.country[o] as usize];
        let local = match kind {
            OrgKind::Hospital => o as u32 - c.hospitals.start,
            OrgKind::PrimaryCare => o as u32 - c.primary_care.start,
            OrgKind::Supplier => o as u32 - self.suppliers.start,
            OrgKind::Insurer => o as u32 - c.agency - 1,
            _ => 0,
        };
        match kind {
            OrgKind::Supplier => format!("supplier-{local:04}"),
            OrgKind::NationalSystem | OrgKind::Agency => format!("{}-{}", kind.as_str(), c.code),
            _ => format!("{}-{}-{local:04}", kind.as_str(), c.code),
        }
    }
}

impl Synth {
    /// The organisation whose [`Synth::org_id`] is `id` (the number may have
    /// fewer or more leading zeros), if it exists at this scale.
    pub fn org_by_id(&self, id: &str) -> Option<usize> {
        let r = parse_org_id(id).ok()?;
        let range = if r.kind == OrgKind::Supplier {
            self.suppliers.clone()
        } else {
            let c = self
                .countries
                .iter()
                .find(|c| Some(c.code.as_str()) == r.country.as_deref())?;
            match r.kind {
                OrgKind::Hospital => c.hospitals.clone(),
                OrgKind::PrimaryCare => c.primary_care.clone(),
                OrgKind::NationalSystem => c.national..c.national + 1,
                OrgKind::Agency => c.agency..c.agency + 1,
                OrgKind::Insurer => c.agency + 1..c.hospitals.start,
                OrgKind::Supplier => unreachable!("handled above"),
            }
        };
        let o = range.start.checked_add(r.number)?;
        (o < range.end).then_some(o as usize)
    }

    /// Organisations of `kind` in the country `code` (suppliers: all of them).
    pub fn count_in(&self, kind: OrgKind, code: Option<&str>) -> usize {
        (0..self.len())
            .filter(|&o| {
                self.kind[o] == kind
                    && (kind == OrgKind::Supplier
                        || Some(self.countries[self.country[o] as usize].code.as_str()) == code)
            })
            .count()
    }
}

/// An organisation id of [`Synth::org_id`], taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    /// Kind.
    pub kind: OrgKind,
    /// Country code as written (none for a supplier).
    pub country: Option<String>,
    /// Number within its kind and country (0 for a national system or an agency).
    pub number: u32,
}

impl OrgRef {
    /// The id in [`Synth::org_id`]'s form.
    pub fn id(&self) -> String {
        let k = self.kind.as_str();
        let n = self.number;
        match (&self.country, self.kind) {
            (None, _) => format!("{k}-{n:04}"),
            (Some(c), OrgKind::NationalSystem | OrgKind::Agency) => format!("{k}-{c}"),
            (Some(c), _) => format!("{k}-{c}-{n:04}"),
        }
    }
}

/// Tag of the draw that makes a supplier a sole provider ([`Synth::sole_provider`]).
const SOLE_PROVIDER_TAG: u64 = 12;

/// What an organisation id looks like (for error messages).
pub const ORG_ID_FORMS: &str = "`national-system-IE`, `agency-IE`, `hospital-DE-0042`, `primary-care-FR-0007`, `insurer-IE-0001` or `supplier-0012`";

/// Takes an organisation id apart; the error says what was expected.
pub fn parse_org_id(id: &str) -> Result<OrgRef, String> {
    // Longest names first: `primary-care` and `national-system` contain hyphens.
    let mut kinds = OrgKind::ALL;
    kinds.sort_by_key(|k| std::cmp::Reverse(k.as_str().len()));
    let Some((kind, rest)) = kinds.iter().find_map(|&k| {
        id.strip_prefix(k.as_str())?
            .strip_prefix('-')
            .map(|r| (k, r))
    }) else {
        return Err(format!(
            "expected an organisation id starting with its kind ({})",
            OrgKind::ALL.map(OrgKind::as_str).join(", ")
        ));
    };
    let number = |text: &str| -> Result<u32, String> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse::<u32>()
                .map_err(|_| format!("expected a number after `{}-`", kind.as_str()))
        } else {
            Err(format!(
                "expected a number after the country code, e.g. `{}`",
                match kind {
                    OrgKind::Supplier => "supplier-0012",
                    OrgKind::Hospital => "hospital-DE-0042",
                    OrgKind::PrimaryCare => "primary-care-FR-0007",
                    _ => "insurer-IE-0001",
                }
            ))
        }
    };
    match kind {
        OrgKind::Supplier => Ok(OrgRef {
            kind,
            country: None,
            number: number(rest)?,
        }),
        OrgKind::NationalSystem | OrgKind::Agency => {
            if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_alphabetic()) {
                Ok(OrgRef {
                    kind,
                    country: Some(rest.to_owned()),
                    number: 0,
                })
            } else {
                Err(format!(
                    "expected `{}-` and a two-letter country code, e.g. `{}-IE`",
                    kind.as_str(),
                    kind.as_str()
                ))
            }
        }
        _ => {
            let Some((code, n)) = rest.split_once('-') else {
                return Err(format!(
                    "expected `{}-`, a country code, `-` and a number",
                    kind.as_str()
                ));
            };
            Ok(OrgRef {
                kind,
                country: Some(code.to_owned()),
                number: number(n)?,
            })
        }
    }
}

/// Why a synthetic ecosystem cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SynthError {
    /// The model lacks a population the generator needs.
    #[error("the model has no population for a `{0}` stakeholder; the simulator needs it")]
    MissingPopulation(&'static str),
    /// The model has no `[[country]]` table to place organisations in.
    #[error(
        "the model has no `[[country]]` table; the simulator needs one (code, name, hospitals) to place organisations: copy it from the built-in model (`holisec init`)"
    )]
    NoCountries,
    /// More countries than the generator's one-byte country index holds.
    #[error("the model has {0} `[[country]]` entries; the simulator handles at most 255")]
    TooManyCountries(usize),
    /// The ecosystem would not fit u32 indices.
    #[error("the synthetic ecosystem would have {0} staff, more than 4,000,000,000")]
    TooLarge(u64),
}

/// Population of the first stakeholder of `kind`, if any.
pub fn population(eco: &Ecosystem, kind: StakeholderKind) -> Option<f64> {
    eco.stakeholders
        .iter()
        .filter(|s| s.kind == kind)
        .find_map(|s| s.population.as_ref().map(|p| p.value))
}

/// Counts at `scale` before generation: (countries, hospitals, professionals).
pub fn sizes(eco: &Ecosystem, scale: f64) -> Result<(usize, u64, u64), SynthError> {
    let hospitals = population(eco, StakeholderKind::HealthcareOrganisation)
        .ok_or(SynthError::MissingPopulation("healthcare-organisation"))?;
    let staff = population(eco, StakeholderKind::HealthcareProfessional)
        .ok_or(SynthError::MissingPopulation("healthcare-professional"))?;
    let listed = eco.countries.len();
    if listed == 0 {
        return Err(SynthError::NoCountries);
    }
    if listed > usize::from(u8::MAX) {
        return Err(SynthError::TooManyCountries(listed));
    }
    let countries = population(eco, StakeholderKind::NationalHealthSystem)
        .map_or(listed, |n| (n.round() as usize).clamp(1, listed));
    let h = ((hospitals * scale).round() as u64).max(1);
    let s = ((staff * scale).round() as u64).max(h);
    if s > 4_000_000_000 {
        return Err(SynthError::TooLarge(s));
    }
    Ok((countries, h, s))
}

/// Largest-remainder apportionment of `total` in proportion to `weights`.
///
/// The units left after the floors go to the largest remainders, ties to
/// the lower index (one more round over that order if, by rounding, more
/// units are left than weights). Linear time: the receivers are selected,
/// not sorted.
pub fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let mut out: Vec<u64> = Vec::with_capacity(weights.len());
    let mut rem: Vec<(f64, u32)> = Vec::with_capacity(weights.len());
    let mut given = 0u64;
    for (i, w) in weights.iter().enumerate() {
        let q = w / sum * total as f64;
        let f = q.floor();
        out.push(f as u64);
        given += f as u64;
        rem.push((q - f, i as u32));
    }
    let left = total.saturating_sub(given) as usize;
    if left == 0 {
        return out;
    }
    // Largest remainder first, then lowest index: a total order.
    let by = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let n = weights.len();
    let (rounds, part) = (left / n, left % n);
    if rounds > 0 {
        for x in &mut out {
            *x += rounds as u64;
        }
    }
    if part > 0 {
        if part < n {
            rem.select_nth_unstable_by(part - 1, by);
        }
        for &(_, i) in &rem[..part] {
            out[i as usize] += 1;
        }
    }
    out
}

/// Click probabilities of the (normal, offender) classes such that a share
/// `offender_share` with `odds_ratio` times the odds averages to `p`.
///
/// With `x` the normal class's probability, `(1 - s) x + s r x / (1 + (r - 1) x) = p`
/// is the quadratic `(1 - s)(r - 1) x^2 + (1 + (s - p)(r - 1)) x - p = 0`,
/// whose smaller positive root is the one in (0, 1), taken in the form that
/// does not cancel. Bisection is kept for parameters where that fails.
pub fn class_probabilities(p: f64, offender_share: f64, odds_ratio: f64) -> (f64, f64) {
    if p <= 0.0 || p >= 1.0 || offender_share <= 0.0 {
        return (p, p);
    }
    let offender = |pn: f64| {
        let odds = pn / (1.0 - pn) * odds_ratio;
        odds / (1.0 + odds)
    };
    let a = (1.0 - offender_share) * (odds_ratio - 1.0);
    let b = 1.0 + (offender_share - p) * (odds_ratio - 1.0);
    let sq = (b * b + 4.0 * a * p).max(0.0).sqrt();
    let x = if b >= 0.0 {
        2.0 * p / (b + sq)
    } else {
        (sq - b) / (2.0 * a)
    };
    if x > 0.0 && x < 1.0 && x.is_finite() {
        return (x, offender(x));
    }
    let mix = |pn: f64| (1.0 - offender_share) * pn + offender_share * offender(pn);
    let (mut lo, mut hi) = (0.0, p);
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if mix(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let pn = 0.5 * (lo + hi);
    (pn, offender(pn))
}

/// The Beta distribution by Cheng's algorithm BB (both shapes above 1), the
/// algorithm and draws of `rand_distr::Beta`, with the platform's `exp` and
/// `ln` instead of the portable ones `rand_distr` is built with (40% of the
/// generator's time at scale 1 went to them). The two libraries' results may
/// differ in the last bit, so a rate may too; the `f32` class probabilities
/// derived from it, in practice, do not (tested).
#[derive(Debug, Clone, Copy)]
struct ChengBB {
    a: f64,
    b: f64,
    switched: bool,
    alpha: f64,
    beta: f64,
    gamma: f64,
}

impl ChengBB {
    /// `Beta(alpha, beta)` when algorithm BB applies (the smaller shape above 1).
    fn new(alpha: f64, beta: f64) -> Option<Self> {
        let (a, b, switched) = if alpha < beta {
            (alpha, beta, false)
        } else {
            (beta, alpha, true)
        };
        if !(a > 1.0 && b.is_finite()) {
            return None;
        }
        let sum = a + b;
        let bb = ((sum - 2.0) / (2.0 * a * b - sum)).sqrt();
        Some(ChengBB {
            a,
            b,
            switched,
            alpha: sum,
            beta: bb,
            gamma: a + 1.0 / bb,
        })
    }

    // `!(x < t)` as `rand_distr` writes it: a NaN accepts too.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    fn sample(&self, rng: &mut SimRng) -> f64 {
        let mut w;
        loop {
            let u1: f64 = rng.sample(Open01);
            let u2: f64 = rng.sample(Open01);
            let v = self.beta * (u1 / (1.0 - u1)).ln();
            w = self.a * v.exp();
            let z = u1 * u1 * u2;
            let r = self.gamma * v - 4f64.ln();
            let s = self.a + r - w;
            if s + 1.0 + 5f64.ln() >= 5.0 * z {
                break;
            }
            let t = z.ln();
            if s >= t {
                break;
            }
            if !(r + self.alpha * (self.alpha / (self.b + w)).ln() < t) {
                break;
            }
        }
        if !self.switched {
            if w == f64::INFINITY {
                return 1.0;
            }
            w / (self.b + w)
        } else {
            self.b / (self.b + w)
        }
    }
}

/// Network segments of an organisation of `kind` with `staff` staff: a
/// hospital's follow its staff (`staff_per_segment`, 2 to 64), the other
/// kinds have a fixed estate.
pub fn segments_for(kind: OrgKind, staff: u64, p: &Parameters) -> u32 {
    match kind {
        OrgKind::Hospital => ((staff as f64 / p.staff_per_segment).ceil() as u32).clamp(2, 64),
        OrgKind::PrimaryCare => 1,
        OrgKind::Supplier | OrgKind::Insurer => 4,
        OrgKind::NationalSystem => 16,
        OrgKind::Agency => 2,
    }
}

impl Synth {
    /// Gives organisation `o` `staff` staff and `segments` network segments
    /// (`[[organisation]]` of a scenario), each when given; a hospital given
    /// staff but no segments gets [`segments_for`] its new staff. The other
    /// organisations keep their staff, segments, links and click rates; only
    /// the offsets after `o` move.
    pub fn resize(
        &mut self,
        o: usize,
        staff: Option<u64>,
        segments: Option<u32>,
        p: &Parameters,
    ) -> Result<(), SynthError> {
        let old_staff = self.staff_of(o).len() as u64;
        let new_staff = staff.unwrap_or(old_staff);
        let total = self.staff() - old_staff + new_staff;
        if total > 4_000_000_000 {
            return Err(SynthError::TooLarge(total));
        }
        let old_segs = self.segs_of(o).len() as u32;
        let new_segs = match (segments, staff) {
            (Some(k), _) => k,
            (None, Some(_)) => segments_for(self.kind[o], new_staff, p),
            (None, None) => old_segs,
        };
        let shift = |offsets: &mut [u32], old: u64, new: u64| {
            for x in &mut offsets[o + 1..] {
                *x = (u64::from(*x) - old + new) as u32;
            }
        };
        shift(&mut self.staff_start, old_staff, new_staff);
        shift(
            &mut self.seg_start,
            u64::from(old_segs),
            u64::from(new_segs),
        );
        self.offenders[o] = (new_staff as f64 * p.offender_share).round() as u32;
        let first = self.seg_start[o] as usize;
        self.seg_org.splice(
            first..first + old_segs as usize,
            std::iter::repeat_n(o as u32, new_segs as usize),
        );
        if matches!(self.kind[o], OrgKind::Hospital | OrgKind::PrimaryCare) {
            let c = &mut self.countries[self.country[o] as usize];
            c.staff = c.staff - old_staff + new_staff;
        }
        Ok(())
    }

    /// Makes `clients` (organisation indices, ascending, none repeated) the
    /// clients of supplier `s` (`clients` of a scenario's
    /// `[[organisation]]`), with its home in `country`. The organisations it
    /// served before keep their other suppliers, in their order; each new
    /// client lists `s` after its own. Every other link is unchanged.
    pub fn set_clients(&mut self, s: usize, clients: &[u32], country: u8) {
        debug_assert!(clients.windows(2).all(|w| w[0] < w[1]));
        let local = s - self.suppliers.start as usize;
        let rows = self.suppliers.len();
        let mut pairs = Vec::with_capacity(self.clients.targets.len() + clients.len());
        for i in 0..rows {
            let row = if i == local {
                clients
            } else {
                self.clients.row(i)
            };
            pairs.extend(row.iter().map(|&c| (i as u32, c)));
        }
        self.clients = Csr::from_pairs(rows, &pairs);
        let n = self.len();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(self.suppliers_of.targets.len() + clients.len());
        offsets.push(0);
        for o in 0..n {
            targets.extend(
                self.suppliers_of
                    .row(o)
                    .iter()
                    .filter(|&&x| x as usize != s),
            );
            if clients.binary_search(&(o as u32)).is_ok() {
                targets.push(s as u32);
            }
            offsets.push(targets.len() as u32);
        }
        self.suppliers_of = Csr { offsets, targets };
        self.country[s] = country;
    }
}

/// Generates the synthetic ecosystem for `scale`, deterministically from `seed`.
pub fn generate(
    eco: &Ecosystem,
    p: &Parameters,
    scale: f64,
    seed: u64,
) -> Result<Synth, SynthError> {
    let (n_countries, h_total, s_total) = sizes(eco, scale)?;
    let mut rng: SimRng = rng::stream(seed, u64::MAX, 0);
    let table = &eco.countries[..n_countries];
    let weights: Vec<f64> = table.iter().map(|c| f64::from(c.hospitals)).collect();
    let hospitals_per = apportion(h_total, &weights);
    let pc_staff_total = (s_total as f64 * p.primary_care_share).round() as u64;
    let hosp_staff_total = s_total - pc_staff_total;
    let pc_total = if pc_staff_total == 0 {
        0
    } else {
        ((pc_staff_total as f64 / p.primary_care_staff).round() as u64).clamp(1, pc_staff_total)
    };
    let pc_per = apportion(pc_total, &weights);

    // Hospital sizes: lognormal weights, apportioned to exactly hosp_staff_total, at least 1 each.
    let sizes_h: Vec<f64> = (0..h_total)
        .map(|_| (p.staff_sigma * rng.sample::<f64, _>(StandardNormal)).exp())
        .collect();
    let spare = hosp_staff_total.saturating_sub(h_total);
    let min_h = if hosp_staff_total >= h_total { 1 } else { 0 };
    let hosp_staff: Vec<u64> =
        apportion(if min_h == 1 { spare } else { hosp_staff_total }, &sizes_h)
            .into_iter()
            .map(|x| x + min_h)
            .collect();
    let sizes_pc: Vec<f64> = (0..pc_total)
        .map(|_| (0.5 * rng.sample::<f64, _>(StandardNormal)).exp())
        .collect();
    let pc_spare = pc_staff_total.saturating_sub(pc_total);
    let pc_staff: Vec<u64> = apportion(pc_spare, &sizes_pc)
        .into_iter()
        .map(|x| x + 1)
        .collect();

    let insurers = p.insurers_per_country.round() as u32;
    let n_suppliers = ((h_total as f64 * p.suppliers_per_hospital).round() as u64).max(1) as u32;

    let mut kind = Vec::new();
    let mut country = Vec::new();
    let mut staff_n: Vec<u64> = Vec::new();
    let mut countries = Vec::with_capacity(n_countries);
    let (mut hi, mut pi) = (0usize, 0usize);
    let other = |k: OrgKind| {
        OTHER_STAFF
            .iter()
            .find(|(x, _)| *x == k)
            .map_or(0, |x| x.1 as u64)
    };
    for (c, entry) in table.iter().enumerate() {
        let start = kind.len() as u32;
        let mut push = |k: OrgKind, s: u64| {
            kind.push(k);
            country.push(c as u8);
            staff_n.push(s);
        };
        push(OrgKind::NationalSystem, other(OrgKind::NationalSystem));
        push(OrgKind::Agency, other(OrgKind::Agency));
        for _ in 0..insurers {
            push(OrgKind::Insurer, other(OrgKind::Insurer));
        }
        let h_start = start + 2 + insurers;
        let mut cstaff = 0;
        for _ in 0..hospitals_per[c] {
            cstaff += hosp_staff[hi];
            push(OrgKind::Hospital, hosp_staff[hi]);
            hi += 1;
        }
        let pc_start = h_start + hospitals_per[c] as u32;
        for _ in 0..pc_per[c] {
            cstaff += pc_staff[pi];
            push(OrgKind::PrimaryCare, pc_staff[pi]);
            pi += 1;
        }
        let end = kind.len() as u32;
        countries.push(Country {
            code: entry.code.clone(),
            name: entry.name.clone(),
            orgs: start..end,
            national: start,
            agency: start + 1,
            hospitals: h_start..pc_start,
            primary_care: pc_start..end,
            staff: cstaff,
        });
    }
    let sup_start = kind.len() as u32;
    for s in 0..n_suppliers {
        kind.push(OrgKind::Supplier);
        // Home country: a hash of the seed and the supplier.
        country.push((rng::hash3(seed, 77, s as u64) % n_countries as u64) as u8);
        staff_n.push(other(OrgKind::Supplier));
    }
    // Sole providers: a hash of the seed and the supplier, so that a larger
    // share keeps a smaller one's and nothing else drawn here moves.
    let sole_provider: Vec<bool> = (0..n_suppliers)
        .map(|s| rng::unit_hash(seed, u64::from(s), SOLE_PROVIDER_TAG) < p.sole_provider_share)
        .collect();
    let n = kind.len();
    let total_staff: u64 = staff_n.iter().sum();
    if total_staff > 4_000_000_000 {
        return Err(SynthError::TooLarge(total_staff));
    }
    let mut staff_start = Vec::with_capacity(n + 1);
    let mut acc = 0u64;
    staff_start.push(0u32);
    for &s in &staff_n {
        acc += s;
        staff_start.push(acc as u32);
    }
    let offenders: Vec<u32> = staff_n
        .iter()
        .map(|&s| (s as f64 * p.offender_share).round() as u32)
        .collect();

    // Segments.
    let mut seg_start = Vec::with_capacity(n + 1);
    seg_start.push(0u32);
    let mut segs = 0u32;
    for o in 0..n {
        let k = segments_for(kind[o], staff_n[o], p);
        segs += k;
        seg_start.push(segs);
    }
    let mut seg_org = Vec::with_capacity(segs as usize);
    for o in 0..n {
        seg_org.extend(std::iter::repeat_n(
            o as u32,
            (seg_start[o + 1] - seg_start[o]) as usize,
        ));
    }

    // Click probabilities per organisation.
    let conc = p.click_rate_concentration;
    let beta = if conc > 0.0 && p.click_rate > 0.0 && p.click_rate < 1.0 {
        Beta::new(p.click_rate * conc, (1.0 - p.click_rate) * conc).ok()
    } else {
        None
    };
    let classes = |rate: f64| {
        let (a, b) = class_probabilities(rate, p.offender_share, p.offender_odds_ratio);
        (a as f32, b as f32)
    };
    let (p_normal, p_offender): (Vec<f32>, Vec<f32>) = match &beta {
        Some(b) => {
            // The rates first (the generator's draws, in order), then the classes.
            let rates: Vec<f64> =
                match ChengBB::new(p.click_rate * conc, (1.0 - p.click_rate) * conc) {
                    Some(bb) => (0..n).map(|_| bb.sample(&mut rng)).collect(),
                    None => (0..n).map(|_| b.sample(&mut rng)).collect(),
                };
            rates.into_iter().map(classes).unzip()
        }
        None => {
            let (a, b) = classes(p.click_rate);
            (vec![a; n], vec![b; n])
        }
    };
    let exposed: Vec<bool> = (0..n)
        .map(|o| rng::unit_hash(seed, o as u64, 11) < p.exposed_share)
        .collect();

    // Supplier links: preferential attachment with a uniform share.
    let hospital_links = p.hospital_supplier_links.round() as usize;
    let mut urn: Vec<u32> = Vec::with_capacity(h_total as usize * hospital_links);
    // (supplier local, client)
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(
        h_total as usize * hospital_links
            + pc_total as usize * p.primary_care_supplier_links.round() as usize
            + 3 * n_countries,
    );
    let links = |k: OrgKind| match k {
        OrgKind::Hospital => p.hospital_supplier_links.round() as usize,
        OrgKind::PrimaryCare => p.primary_care_supplier_links.round() as usize,
        OrgKind::NationalSystem => 3,
        _ => 0,
    };
    let mut chosen: Vec<u32> = Vec::new();
    // Organisation -> its suppliers: rows in organisation order, as the pairs.
    let mut of_offsets: Vec<u32> = Vec::with_capacity(n + 1);
    of_offsets.push(0);
    for o in 0..sup_start as usize {
        let l = links(kind[o]).min(n_suppliers as usize);
        chosen.clear();
        let mut tries = 0;
        while chosen.len() < l && tries < 20 * l {
            tries += 1;
            let s = if urn.is_empty() || rng.random::<f64>() < p.supplier_uniform_share {
                rng.random_range(0..n_suppliers)
            } else {
                urn[rng.random_range(0..urn.len())]
            };
            if !chosen.contains(&s) {
                chosen.push(s);
            }
        }
        for &s in &chosen {
            if kind[o] == OrgKind::Hospital {
                urn.push(s);
            }
            pairs.push((s, o as u32));
        }
        of_offsets.push(pairs.len() as u32);
    }
    let clients = Csr::from_pairs(n_suppliers as usize, &pairs);
    of_offsets.resize(n + 1, pairs.len() as u32);
    let suppliers_of = Csr {
        offsets: of_offsets,
        targets: pairs.iter().map(|&(s, _)| s + sup_start).collect(),
    };

    Ok(Synth {
        countries,
        kind,
        country,
        staff_start,
        offenders,
        seg_start,
        seg_org,
        p_normal,
        p_offender,
        exposed,
        suppliers: sup_start..n as u32,
        clients,
        suppliers_of,
        sole_provider,
        channels: Channels::from_model(eco),
        professionals: s_total,
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eco() -> Ecosystem {
        holisec_model::builtin::europe().ecosystem.unwrap()
    }

    #[test]
    fn hospitals_follow_the_models_country_table() {
        let mut e = eco();
        let p = Parameters::default();
        let before = generate(&e, &p, 0.1, 3).unwrap();
        let ie = |s: &Synth| {
            let c = s.countries.iter().find(|c| c.code == "IE").unwrap();
            c.hospitals.len()
        };
        // 88 of 13,670 hospitals at 1,500 hospitals: 9.66, apportioned to 10.
        assert_eq!(ie(&before), 10);
        let total: u32 = e.countries.iter().map(|c| c.hospitals).sum();
        let irl = e.countries.iter_mut().find(|c| c.code == "IE").unwrap();
        irl.hospitals += total; // now just over half of all hospitals
        let after = generate(&e, &p, 0.1, 3).unwrap();
        let share = ie(&after) as f64 / 1500.0;
        assert!(
            (share - (88.0 + f64::from(total)) / (2.0 * f64::from(total))).abs() < 1e-3,
            "{share}"
        );
        assert_eq!(after.count(OrgKind::Hospital), 1500);
    }

    #[test]
    fn a_model_without_countries_is_refused_by_name() {
        let mut e = eco();
        e.countries.clear();
        let err = generate(&e, &Parameters::default(), 0.01, 1).unwrap_err();
        assert_eq!(err, SynthError::NoCountries);
        assert!(err.to_string().contains("`[[country]]`"), "{err}");
        // Fewer national systems than countries: the first ones are used.
        let mut e = eco();
        for s in &mut e.stakeholders {
            if s.kind == StakeholderKind::NationalHealthSystem {
                s.population.as_mut().unwrap().value = 3.0;
            }
        }
        let s = generate(&e, &Parameters::default(), 0.01, 1).unwrap();
        let codes: Vec<&str> = s.countries.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["FR", "DE", "UK"]);
    }

    #[test]
    fn every_org_id_reads_back_to_its_organisation() {
        let e = eco();
        let syn = generate(&e, &Parameters::default(), 0.01, 1).unwrap();
        for o in 0..syn.len() {
            let id = syn.org_id(o);
            assert_eq!(syn.org_by_id(&id), Some(o), "{id}");
            assert_eq!(parse_org_id(&id).unwrap().id(), id);
        }
        assert_eq!(
            syn.org_by_id("hospital-DE-3"),
            syn.org_by_id("hospital-DE-0003")
        );
        for bad in [
            "hospital-DE-99999",
            "hospital-XX-0001",
            "supplier-",
            "national-system-",
            "clinic-DE-0001",
        ] {
            assert_eq!(syn.org_by_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn apportion_is_exact() {
        let a = apportion(10, &[1.0, 1.0, 1.0]);
        assert_eq!(a.iter().sum::<u64>(), 10);
        assert_eq!(a, vec![4, 3, 3]);
    }

    /// The apportionment the generator used before it selected instead of
    /// sorting: every unit left goes by a full sort of the remainders.
    fn apportion_by_sort(total: u64, weights: &[f64]) -> Vec<u64> {
        let sum: f64 = weights.iter().sum();
        let quotas: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
        let mut out: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
        let given: u64 = out.iter().sum();
        let mut order: Vec<usize> = (0..weights.len()).collect();
        order.sort_by(|&a, &b| {
            let ra = quotas[a] - quotas[a].floor();
            let rb = quotas[b] - quotas[b].floor();
            rb.total_cmp(&ra).then(a.cmp(&b))
        });
        for &i in order.iter().cycle().take((total - given) as usize) {
            out[i] += 1;
        }
        out
    }

    #[test]
    fn apportion_selects_what_sorting_selects() {
        let mut rng = rng::stream(5, 0, 0);
        for (n, total) in [(1, 7), (3, 10), (50, 1000), (1000, 123_457), (5000, 5000)] {
            let mut weights: Vec<f64> = (0..n)
                .map(|_| (rng.sample::<f64, _>(StandardNormal)).exp())
                .collect();
            assert_eq!(
                apportion(total, &weights),
                apportion_by_sort(total, &weights)
            );
            // Ties: equal weights go to the lower indices first.
            weights.iter_mut().for_each(|w| *w = 1.0);
            assert_eq!(
                apportion(total, &weights),
                apportion_by_sort(total, &weights)
            );
        }
    }

    /// Sole providers are drawn per network with their share (a binomial
    /// count), a larger share keeps a smaller one's, and nothing else in
    /// the network moves with the share.
    #[test]
    fn sole_providers_are_drawn_with_their_share_and_move_nothing_else() {
        let e = eco();
        let with = |share: f64, seed: u64| {
            let p = Parameters {
                sole_provider_share: share,
                ..Parameters::default()
            };
            generate(&e, &p, 0.5, seed).unwrap()
        };
        let none = with(0.0, 9);
        let some = with(0.15, 9);
        let more = with(0.3, 9);
        let n = some.sole_provider.len();
        assert_eq!(n, some.suppliers.len());
        assert!(n > 500, "{n} suppliers");
        assert!(none.sole_provider.iter().all(|&s| !s));
        assert!(with(1.0, 9).sole_provider.iter().all(|&s| s));
        let count = some.sole_provider.iter().filter(|&&s| s).count() as f64;
        let sd = (n as f64 * 0.15 * 0.85).sqrt();
        assert!((count - 0.15 * n as f64).abs() < 4.0 * sd, "{count} of {n}");
        assert!(
            some.sole_provider
                .iter()
                .zip(&more.sole_provider)
                .all(|(&a, &b)| !a || b)
        );
        assert_ne!(some.sole_provider, with(0.15, 10).sole_provider);
        assert_eq!(some.clients.targets, none.clients.targets);
        assert_eq!(some.country, none.country);
        assert_eq!(some.p_normal, none.p_normal);
        assert_eq!(some.staff_start, none.staff_start);
    }

    /// Giving a supplier clients links it to exactly those: the
    /// organisations it served before keep their other suppliers, and every
    /// other supplier's clients are unchanged.
    #[test]
    fn giving_a_supplier_clients_keeps_every_other_link() {
        let e = eco();
        let p = Parameters::default();
        let before = generate(&e, &p, 0.02, 5).unwrap();
        let s = before.suppliers.start as usize + 3;
        let old = before.clients.row(3).to_vec();
        assert!(old.len() > 2);
        // One of its old clients, and others it did not serve.
        let ie = before
            .countries
            .iter()
            .position(|c| c.code == "IE")
            .unwrap();
        let mut new: Vec<u32> = before.countries[ie].hospitals.clone().take(2).collect();
        new.push(old[0]);
        new.sort_unstable();
        new.dedup();
        let mut after = before.clone();
        after.set_clients(s, &new, ie as u8);
        assert_eq!(after.clients.row(3), &new[..]);
        assert_eq!(after.country[s] as usize, ie);
        for i in (0..before.suppliers.len()).filter(|&i| i != 3) {
            assert_eq!(after.clients.row(i), before.clients.row(i));
        }
        // Organisation -> suppliers is still supplier -> clients reversed:
        // the old order without `s`, then `s` for a new client.
        for o in 0..before.len() {
            let mut expected: Vec<u32> = before
                .suppliers_of
                .row(o)
                .iter()
                .copied()
                .filter(|&x| x as usize != s)
                .collect();
            if new.contains(&(o as u32)) {
                expected.push(s as u32);
            }
            assert_eq!(after.suppliers_of.row(o), &expected[..], "organisation {o}");
        }
        assert_eq!(
            after.suppliers_of.targets.len(),
            after.clients.targets.len()
        );
    }

    /// Resizing one organisation moves only the offsets after it: every
    /// other organisation keeps its staff and segments, each segment still
    /// belongs to the organisation whose range holds it, and its country's
    /// staff follows.
    #[test]
    fn resizing_one_organisation_keeps_the_others() {
        let e = eco();
        let p = Parameters::default();
        let before = generate(&e, &p, 0.05, 4).unwrap();
        let o = before.org_by_id("hospital-FR-0010").unwrap();
        let c = before.country[o] as usize;
        let check = |after: &Synth, staff: u64, segs: u32| {
            assert_eq!(after.staff_of(o).len() as u64, staff);
            assert_eq!(after.segs_of(o).len() as u32, segs);
            assert_eq!(
                after.offenders[o],
                (staff as f64 * p.offender_share).round() as u32
            );
            for x in (0..after.len()).filter(|&x| x != o) {
                assert_eq!(after.staff_of(x).len(), before.staff_of(x).len());
                assert_eq!(after.segs_of(x).len(), before.segs_of(x).len());
                assert_eq!(after.offenders[x], before.offenders[x]);
            }
            for x in 0..after.len() {
                assert!(
                    after.seg_org[after.segs_of(x)]
                        .iter()
                        .all(|&y| y as usize == x)
                );
            }
            assert_eq!(after.seg_org.len() as u64, after.segments());
            let old = before.staff_of(o).len() as u64;
            assert_eq!(
                after.countries[c].staff,
                before.countries[c].staff - old + staff
            );
            assert_eq!(after.staff(), before.staff() - old + staff);
        };
        // Staff alone: a hospital's segments follow (5,500 / 150 -> 37).
        let mut a = before.clone();
        a.resize(o, Some(5_500), None, &p).unwrap();
        check(&a, 5_500, 37);
        // Segments alone, then both.
        let mut b = before.clone();
        b.resize(o, None, Some(9), &p).unwrap();
        check(&b, before.staff_of(o).len() as u64, 9);
        let mut both = before.clone();
        both.resize(o, Some(20), Some(1), &p).unwrap();
        check(&both, 20, 1);
        // A supplier's estate stays four segments unless given.
        let mut s = before.clone();
        let sup = s.org_by_id("supplier-0003").unwrap();
        s.resize(sup, Some(2_000), None, &p).unwrap();
        assert_eq!(s.segs_of(sup).len(), 4);
        assert_eq!(s.staff_of(sup).len(), 2_000);
    }

    /// The closed form gives the root the earlier 50-step bisection found.
    #[test]
    fn class_probabilities_match_bisection() {
        let bisect = |p: f64, s: f64, r: f64| {
            let mix = |pn: f64| {
                let odds = pn / (1.0 - pn) * r;
                (1.0 - s) * pn + s * odds / (1.0 + odds)
            };
            let (mut lo, mut hi) = (0.0, p);
            for _ in 0..50 {
                let mid = 0.5 * (lo + hi);
                if mix(mid) < p {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            0.5 * (lo + hi)
        };
        for p in [1e-6, 0.01, 0.05, 0.142, 0.3, 0.5, 0.8, 0.99, 0.999_999] {
            for s in [0.001, 0.143, 0.5, 0.9, 1.0] {
                for r in [1.0, 1.5, 3.0, 20.0, 100.0] {
                    let (pn, po) = class_probabilities(p, s, r);
                    let want = bisect(p, s, r);
                    assert!(
                        (pn - want).abs() <= 1e-14,
                        "p {p} s {s} r {r}: {pn} vs {want}"
                    );
                    assert!((pn as f32) == (want as f32) || (pn - want).abs() <= 1e-15);
                    assert!(((1.0 - s) * pn + s * po - p).abs() < 1e-12);
                }
            }
        }
    }

    /// Cheng's BB with the platform's math draws what `rand_distr::Beta`
    /// draws: the same number of uniforms, rates equal to 1e-12, and the same
    /// `f32` class probabilities.
    #[test]
    fn cheng_bb_draws_what_rand_distr_draws() {
        for (alpha, beta) in [(3.408, 20.592), (20.0, 4.0), (1.5, 1.5), (50.0, 950.0)] {
            let ours = ChengBB::new(alpha, beta).unwrap();
            let theirs = Beta::new(alpha, beta).unwrap();
            let mut a = rng::stream(11, 0, 0);
            let mut b = a.clone();
            let mut same_f32 = 0;
            let n = 100_000;
            for _ in 0..n {
                let (x, y) = (ours.sample(&mut a), theirs.sample(&mut b));
                assert!((x - y).abs() <= 1e-12 * y.max(1e-300), "{x} vs {y}");
                let cx = class_probabilities(x, 0.143, 3.0);
                let cy = class_probabilities(y, 0.143, 3.0);
                same_f32 += usize::from(cx.0 as f32 == cy.0 as f32 && cx.1 as f32 == cy.1 as f32);
            }
            assert_eq!(a.random::<u64>(), b.random::<u64>(), "same uniforms used");
            assert!(same_f32 as f64 >= 0.9999 * n as f64, "{same_f32} of {n}");
        }
        assert!(ChengBB::new(0.5, 3.0).is_none());
    }

    #[test]
    fn class_mixture_averages_to_p() {
        let (pn, po) = class_probabilities(0.142, 0.143, 3.0);
        let mean = 0.857 * pn + 0.143 * po;
        assert!((mean - 0.142).abs() < 1e-9);
        let odds = |p: f64| p / (1.0 - p);
        assert!((odds(po) / odds(pn) - 3.0).abs() < 1e-6);
    }

    #[test]
    fn generator_matches_populations_and_is_deterministic() {
        let e = eco();
        let p = Parameters::default();
        let s = generate(&e, &p, 0.1, 3).unwrap();
        assert_eq!(s.count(OrgKind::Hospital), 1500);
        assert_eq!(s.professionals, 1_000_000);
        let care: u64 = s.countries.iter().map(|c| c.staff).sum();
        assert_eq!(care, 1_000_000);
        assert_eq!(s.countries.len(), 28);
        assert_eq!(s.count(OrgKind::Agency), 28);
        let t = generate(&e, &p, 0.1, 3).unwrap();
        assert_eq!(s.staff_start, t.staff_start);
        assert_eq!(s.clients.targets, t.clients.targets);
        // Organisation -> suppliers is the supplier -> clients graph reversed.
        let mut rev = Vec::new();
        for i in 0..s.suppliers.len() {
            for &c in s.clients.row(i) {
                rev.push((c, i as u32 + s.suppliers.start));
            }
        }
        rev.sort_by_key(|&(c, _)| c);
        let of = Csr::from_pairs(s.len(), &rev);
        assert_eq!(s.suppliers_of.offsets, of.offsets);
        let mut a = s.suppliers_of.targets.clone();
        let mut b = of.targets;
        for o in 0..s.len() {
            let r = s.suppliers_of.offsets[o] as usize..s.suppliers_of.offsets[o + 1] as usize;
            a[r.clone()].sort_unstable();
            b[r].sort_unstable();
        }
        assert_eq!(a, b);
        // Every hospital has its suppliers; supplier degrees are heavy-tailed.
        let degrees: Vec<usize> = (0..s.suppliers.len())
            .map(|i| {
                s.clients
                    .row(i)
                    .iter()
                    .filter(|&&c| s.kind[c as usize] == OrgKind::Hospital)
                    .count()
            })
            .collect();
        let max = *degrees.iter().max().unwrap();
        let mean = degrees.iter().sum::<usize>() as f64 / degrees.len() as f64;
        assert!(max as f64 > 3.0 * mean, "max {max} mean {mean}");
    }
}
