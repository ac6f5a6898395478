//! The event-driven engine: staff, organisation and segment state machines.
//!
//! Work grows with events, not agents:
//! * a phishing wave draws, per (organisation, propensity class), the number
//!   of recipients, clicks and reports from binomials and picks *who* with
//!   Floyd's sampling (cost O(clicks + reports));
//! * inside an organisation, foothold -> lateral movement -> domain control ->
//!   impact, detection, containment and recovery are timed events (a calendar
//!   of slots, each sorted when it becomes current and merged with a heap of
//!   the events filed for it meanwhile),
//!   processed in time order up to each day boundary;
//! * cross-organisation effects (supplier pushes, lures from compromised
//!   mailboxes, dependency disruption, precautionary disconnection, worm
//!   spread over shared networks, CSIRT advisories) are exchanged at day
//!   boundaries (the worm runs in sub-daily tau-leap steps, since worms
//!   spread in hours);
//! * worm patch times are drawn once per segment from the remediation curve.
//!
//! Replicates run in parallel on the caller's rayon pool, each on its own
//! network ([`network`]) unless the scenario fixes one; each organisation
//! has its own random stream per (seed, replicate, organisation), so results
//! are identical for any thread count. With fewer replicates than threads, a
//! phishing wave's per-organisation draws also run in parallel, booked
//! afterwards in organisation order, and so do a day's events, per block of
//! organisations, with what crosses blocks booked afterwards in event order
//! (`slots`).
//!
//! This module holds the run, its calendar and the replicate's state
//! (`Rep`); the methods that handle one kind of work live in `campaigns`
//! (how campaigns reach organisations), `slots` (processing the calendar's
//! slots, for all organisations or per block: `Part`), `intrusion` (one
//! organisation's episode and decisions, on a `Part`), `worm` and `day`
//! (day boundaries).

// Struct-of-arrays: one organisation index addresses several arrays.
#![allow(clippy::needless_range_loop)]

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use holisec_model::Ecosystem;
use rand::RngExt;
use rand_distr::{Beta, Binomial, Distribution, Poisson, StandardNormal};
use rayon::prelude::*;

use crate::rng::{self, SimRng};
use crate::scenario::{Campaign, Parameters, Scenario, Sharing, Vector};
use crate::summary::{self, *};
use crate::synth::{self, OrgKind, Synth, SynthError};

mod campaigns;
mod day;
mod intrusion;
mod slots;
mod worm;

use campaigns::*;
use day::MsgBlock;
use slots::*;

/// Why a run cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// The synthetic ecosystem cannot be generated.
    #[error(transparent)]
    Synth(#[from] SynthError),
    /// A run setting is out of range.
    #[error("{0}")]
    Settings(String),
    /// The caller cancelled the run ([`simulate_cancellable`]).
    #[error("the run was cancelled")]
    Cancelled,
}

/// Organisation states (values index the `org_*` series).
pub mod org {
    /// No attacker present.
    pub const CLEAN: u8 = 0;
    /// Initial access.
    pub const FOOTHOLD: u8 = 1;
    /// Lateral movement / privilege escalation.
    pub const LATERAL: u8 = 2;
    /// Domain (Active Directory) control.
    pub const DOMAIN: u8 = 3;
    /// Encryption and/or data theft.
    pub const IMPACT: u8 = 4;
    /// Detected and contained.
    pub const CONTAINED: u8 = 5;
    /// Restoring systems.
    pub const RECOVERING: u8 = 6;
    /// Recovered (may be infected again).
    pub const RECOVERED: u8 = 7;
    /// Not infected but disrupted: a dependency is down or it disconnected.
    pub const DISRUPTED: u8 = 8;
}

/// Staff states, by priority (values + `STAFF0` index the series).
pub mod staff {
    /// Never clicked nor reported.
    pub const UNAFFECTED: u8 = 0;
    /// Reported a lure, never clicked.
    pub const REPORTED: u8 = 1;
    /// Clicked, no credentials captured.
    pub const CLICKED: u8 = 2;
    /// Credentials captured.
    pub const CREDENTIALS: u8 = 3;
}

const MARK: u8 = 0x80;

/// Calendar slots per day (a power of two, so that slot boundaries are exact).
const SLOTS: usize = 64;

// Organisation flags.
const EVER_INF: u8 = 1;
const EVER_DISR: u8 = 2;
const DISR: u8 = 4;
const ENC: u8 = 8;
const EVER_ENC: u8 = 16;
const HAD_IMPACT: u8 = 32;
/// Disrupted at least once by a switch-off (its own or its national system's).
const SWITCH_HIT: u8 = 64;
/// Its IT is switched off now (national systems and hospitals; not reported).
const SWITCHED: u8 = 128;

// Intervention membership bits (nested across coverage levels).
const IV_TRAINED: u8 = 1;
const IV_MFA: u8 = 2;
const IV_SEG: u8 = 4;
const IV_BACKUP: u8 = 8;
const IV_ADVISED: u8 = 16;

// Event kinds.
const E_INFECT: u8 = 0;
const E_LATERAL: u8 = 1;
const E_DOMAIN: u8 = 2;
const E_IMPACT: u8 = 3;
const E_DETECT: u8 = 4;
const E_CONTAIN: u8 = 5;
const E_RECOVERING: u8 = 6;
const E_RECOVERED: u8 = 7;
const E_RECONNECT: u8 = 8;
/// A switched-off national system's or hospital's own IT is restored.
const E_SWITCH_ON: u8 = 9;
/// An organisation cut off by its national system's switch-off is
/// reconnected (restoration is staged, each at its own time).
const E_RESTORE: u8 = 10;

/// A timed event, packed into its sort key: the bits of its time, then its
/// organisation, kind and epoch (the low 24 bits), most significant first.
///
/// Comparing the packed `u128` orders events exactly as the tuple (time bits,
/// organisation, kind, epoch) did, while sorting a slot and the heap compare
/// one integer and move 16 bytes instead of 24. Epochs count an
/// organisation's episodes (a handful a year), far below 2^24.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Ev(u128);

impl Ev {
    const EPOCH_BITS: u32 = 24;
    const EPOCH_MASK: u32 = (1 << Self::EPOCH_BITS) - 1;

    fn new(t: f64, o: u32, kind: u8, epoch: u32) -> Self {
        debug_assert!(epoch <= Self::EPOCH_MASK);
        Ev((t.to_bits() as u128) << 64
            | (o as u128) << 32
            | (kind as u128) << Self::EPOCH_BITS
            | (epoch & Self::EPOCH_MASK) as u128)
    }

    fn t(self) -> f64 {
        f64::from_bits((self.0 >> 64) as u64)
    }

    fn o(self) -> usize {
        (self.0 >> 32) as u32 as usize
    }

    fn kind(self) -> u8 {
        (self.0 >> Self::EPOCH_BITS) as u8
    }

    /// Whether the event belongs to episode `epoch` (of its organisation).
    fn of_epoch(self, epoch: u32) -> bool {
        self.0 as u32 & Self::EPOCH_MASK == epoch & Self::EPOCH_MASK
    }
}

/// Cross-organisation messages, exchanged at the day boundary.
#[derive(Debug, Clone, Copy)]
enum Msg {
    Push(u32),
    DepDown(u32),
    DepUp(u32),
    Mailbox(u32),
    /// An impacted supplier alerts every client in `Synth::clients`: the same
    /// "a supplier's clients" rule as `holisec_share::alerts` (High priority),
    /// applied here as a random disconnection. Kept separate on purpose; the
    /// module documentation of `holisec_share::alerts` says why.
    SupplierAlert(u32),
}

/// Read-only inputs of a replicate: its network and what every replicate shares.
struct Ctx<'a> {
    /// The replicate's network.
    syn: &'a Synth,
    sc: &'a Scenario,
    p: &'a Parameters,
    iv: &'a [u8],
    /// (day, campaign) of every wave, sorted.
    waves: &'a [(u32, usize)],
    worm: Option<usize>,
    /// Segments per country of the replicate's network.
    country_segs: Vec<u64>,
    /// Per campaign, per country of the ecosystem: does the campaign reach it?
    reach: &'a [Vec<bool>],
    /// Per campaign, the one organisation it names.
    target_org: &'a [Option<usize>],
    /// Run a phishing wave's draws in parallel (fewer replicates than threads).
    parallel_waves: bool,
}

impl<'a> Ctx<'a> {
    /// The context of a replicate on `syn` (`shared` built from any network
    /// of the run: organisation kinds and countries do not change).
    fn new(syn: &'a Synth, sc: &'a Scenario, shared: &'a Shared) -> Self {
        let mut country_segs = vec![0u64; syn.countries.len()];
        for o in 0..syn.len() {
            country_segs[syn.country[o] as usize] += syn.segs_of(o).len() as u64;
        }
        Ctx {
            syn,
            sc,
            p: &sc.parameters,
            iv: &shared.iv,
            waves: &shared.waves,
            worm: shared.worm,
            country_segs,
            reach: &shared.reach,
            target_org: &shared.target_org,
            parallel_waves: shared.parallel_waves,
        }
    }

    /// Is supplier `o` the sole provider of a care-critical service to its
    /// clients? As a campaign naming it says (`sole_provider = true` or
    /// `false`, a fact of the incident replayed; `true` if campaigns differ),
    /// else as the network drew it ([`Synth::sole_provider`]).
    fn sole_provider(&self, o: usize) -> bool {
        let said = self
            .sc
            .campaigns
            .iter()
            .zip(self.target_org)
            .filter(|&(_, &t)| t == Some(o))
            .filter_map(|(c, _)| c.sole_provider)
            .reduce(|a, b| a || b);
        said.unwrap_or_else(|| {
            o.checked_sub(self.syn.suppliers.start as usize)
                .and_then(|local| self.syn.sole_provider.get(local))
                .copied()
                .unwrap_or(false)
        })
    }

    /// The organisations the campaigns name, each once, in the order they
    /// are first named.
    fn named(&self) -> Vec<usize> {
        let mut named: Vec<usize> = Vec::new();
        for &o in self.target_org.iter().flatten() {
            if !named.contains(&o) {
                named.push(o);
            }
        }
        named
    }
}

/// What every replicate of a run shares, whatever its network: organisation
/// kinds and countries are the same in every network of a run (only
/// suppliers' home countries, which nothing here reads, differ).
struct Shared {
    iv: Vec<u8>,
    waves: Vec<(u32, usize)>,
    worm: Option<usize>,
    reach: Vec<Vec<bool>>,
    /// Per campaign, the one organisation it names (`organisation = ...`):
    /// ids name the same organisation in every network of a run.
    target_org: Vec<Option<usize>>,
    /// Fewer replicates than worker threads: waves use the idle ones.
    parallel_waves: bool,
}

fn exp(rng: &mut SimRng, mean: f64) -> f64 {
    let u: f64 = rng.random();
    -mean * (1.0 - u).ln()
}

/// Time from domain control to impact: most intrusions follow the
/// ransomware median of days, a share (`dwell_slow_share`) the slower one of
/// other intrusions, so the tail runs to weeks and months as incident
/// responders report.
fn dwell(rng: &mut SimRng, p: &Parameters) -> f64 {
    if rng.random::<f64>() < p.dwell_slow_share {
        lognormal(rng, p.dwell_slow_days, p.dwell_slow_sigma)
    } else {
        lognormal(rng, p.dwell_days, p.dwell_sigma)
    }
}

fn lognormal(rng: &mut SimRng, median: f64, sigma: f64) -> f64 {
    let z: f64 = rng.sample(StandardNormal);
    median * (sigma * z).exp()
}

fn binomial(rng: &mut SimRng, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    Binomial::new(n, p).map_or(0, |b| b.sample(rng))
}

/// Binomial draws with a few fixed probabilities, bit-identical to
/// [`binomial`] but with the `q^n` of the inversion method (`rand_distr`'s
/// BINV, used when `n * min(p, 1 - p) < 10`) looked up instead of recomputed
/// with `powf` on every draw.
#[derive(Debug, Default)]
struct BinomialCache {
    /// (bits of p, `q^n` by n, NaN until computed).
    tables: Vec<(u64, Vec<f64>)>,
}

impl BinomialCache {
    /// Most distinct probabilities kept (others are drawn without the cache).
    const MAX_TABLES: usize = 16;

    fn sample(&mut self, rng: &mut SimRng, n: u64, p: f64) -> u64 {
        if n == 0 || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        // The same branches as `rand_distr::Binomial::new` (0.6).
        let flipped = p > 0.5;
        let pp = if flipped { 1.0 - p } else { p };
        let np = n as f64 * pp;
        let q = 1.0 - pp;
        if np >= 10.0 || np.is_nan() || q == 1.0 {
            return binomial(rng, n, p);
        }
        let bits = p.to_bits();
        let i = match self.tables.iter().position(|t| t.0 == bits) {
            Some(i) => i,
            None if self.tables.len() < Self::MAX_TABLES => {
                // n * pp < 10, so n < 10 / pp.
                let len = (10.0 / pp).ceil().min(65_536.0) as usize + 1;
                self.tables.push((bits, vec![f64::NAN; len]));
                self.tables.len() - 1
            }
            None => return binomial(rng, n, p),
        };
        let table = &mut self.tables[i].1;
        let r0 = match table.get_mut(n as usize) {
            Some(r) => {
                if r.is_nan() {
                    *r = q.powf(n as f64);
                }
                *r
            }
            None => q.powf(n as f64),
        };
        let s = pp / q;
        let a = (n as f64 + 1.0) * s;
        // rand_distr's `binv`, unchanged.
        const BINV_MAX_X: u64 = 110;
        let x = 'outer: loop {
            let mut r = r0;
            let mut u: f64 = rng.random();
            let mut x = 0;
            while u > r {
                u -= r;
                x += 1;
                if x > BINV_MAX_X {
                    continue 'outer;
                }
                r *= a / (x as f64) - s;
            }
            break x;
        };
        if flipped { n - x } else { x }
    }
}

/// Multiplier of an encrypted organisation's recovery time for the share
/// of its estate encrypted: `1 - w + w x share / SHARE`, `w` =
/// `recovery_share_weight`, `SHARE` = [`RECOVERY_REFERENCE_SHARE`]. The
/// recovery time's fit describes victims with Sophos' mean share encrypted,
/// so at that share the multiplier is 1; the part `1 - w` (investigation,
/// rebuilding identity and trust) does not shrink with the share.
pub fn recovery_share_factor(p: &Parameters, share: f64) -> f64 {
    let w = p.recovery_share_weight;
    1.0 - w + w * share / RECOVERY_REFERENCE_SHARE
}

/// The care-critical segments of an organisation with `n` segments:
/// `critical_segment_share` of them, rounded, and at least one (an
/// organisation's only segment runs its care).
pub fn critical_segments(p: &Parameters, n: usize) -> usize {
    let n = n.max(1);
    ((p.critical_segment_share * n as f64).round() as usize).clamp(1, n)
}

/// Draws, for an estate of `n` segments of which `m` are care-critical and
/// which the attacker encrypts in random order, how many are encrypted when
/// the first critical one is: `J` with `P(J > j) = prod_{i<j} (n-m-i)/(n-i)`
/// (`E[J] = (n+1)/(m+1)`), by inversion of one uniform draw; 1 without a
/// draw when every segment is critical.
pub fn first_critical_segment(rng: &mut SimRng, n: usize, m: usize) -> u16 {
    if m >= n {
        return 1;
    }
    let u: f64 = rng.random();
    let mut beyond = 1.0; // P(J > j)
    let mut j = 0;
    loop {
        let next = beyond * (n - m - j) as f64 / (n - j) as f64;
        if u >= next {
            return (j + 1).min(u16::MAX as usize) as u16;
        }
        beyond = next;
        j += 1;
    }
}

/// Mean share of computers encrypted in healthcare ransomware attacks that
/// encrypted: Sophos, *The State of Ransomware in Healthcare 2024* (58%),
/// the population `recovery_median_days` was fitted to.
pub const RECOVERY_REFERENCE_SHARE: f64 = 0.58;

/// Days after disclosure at which the remediation curve reaches `u`: piecewise
/// linear in log-time against logit(u) through the 25/50/75% points, extended
/// with the end slopes.
pub fn remediation_days(p: &Parameters, u: f64) -> f64 {
    let u = u.clamp(1e-9, 1.0 - 1e-9);
    let z = (u / (1.0 - u)).ln();
    let k = 3f64.ln();
    let (l25, l50, l75) = (
        p.remediation_d25.max(1e-3).ln(),
        p.remediation_d50.max(1e-3).ln(),
        p.remediation_d75.max(1e-3).ln(),
    );
    let l = if z < 0.0 {
        l50 + z * (l50 - l25) / k
    } else {
        l50 + z * (l75 - l50) / k
    };
    l.exp()
}

/// Share of segments remediated `days` after disclosure: the inverse of
/// [`remediation_days`] (0 before disclosure).
pub fn remediated_share(p: &Parameters, days: f64) -> f64 {
    if days <= 0.0 {
        return 0.0;
    }
    let k = 3f64.ln();
    let (l25, l50, l75) = (
        p.remediation_d25.max(1e-3).ln(),
        p.remediation_d50.max(1e-3).ln(),
        p.remediation_d75.max(1e-3).ln(),
    );
    let l = days.ln();
    let z = if l < l50 {
        (l - l50) * k / (l50 - l25)
    } else {
        (l - l50) * k / (l75 - l50)
    };
    1.0 / (1.0 + (-z).exp())
}

/// The per-organisation state that events read and write, packed into one
/// cache line.
///
/// Events hit organisations in random order, so at full scale nearly every
/// event misses the cache: keeping everything an event touches (its random
/// stream, episode and intrusion clocks, state and flags, disconnection and
/// dependency counters) in a single 64-byte line costs one miss per event
/// instead of one per field array.
#[derive(Debug, Clone)]
#[repr(C, align(64))]
struct Org {
    /// The organisation's random stream.
    rng: SimRng,
    /// Earliest detection time of the current intrusion not yet queued.
    det: f64,
    /// Time of the queued next step of the current intrusion (lateral
    /// movement, domain control or impact), infinite if none.
    chain: f64,
    /// Episode number: events of earlier episodes are ignored.
    epoch: u32,
    /// End of a precautionary disconnection (negative infinity if none).
    disconnect_until: f32,
    /// Time of the current episode's foothold.
    foothold_t: f32,
    /// Number of its dependencies that are down.
    dep_down: u16,
    /// Organisation state (`org::*`).
    state: u8,
    /// Organisation flags (`EVER_INF`, `DISR`, ...).
    flags: u8,
}

const _: () = assert!(std::mem::size_of::<Org>() == 64);

impl Org {
    fn new(rng: SimRng) -> Self {
        Org {
            rng,
            det: f64::INFINITY,
            chain: f64::INFINITY,
            epoch: 0,
            disconnect_until: f32::NEG_INFINITY,
            foothold_t: 0.0,
            dep_down: 0,
            state: org::CLEAN,
            flags: 0,
        }
    }
}

struct Rep<'a> {
    c: &'a Ctx<'a>,
    /// Hot per-organisation state, one cache line each.
    orgs: Vec<Org>,
    grng: SimRng,
    disr_since: Vec<f32>,
    disr_days: Vec<f32>,
    staff: Vec<u8>,
    seg_state: Vec<u8>,
    seg_patch: Vec<f32>,
    infected: Vec<u32>,
    bucket: Vec<u32>,
    patched_cum: Vec<u64>,
    /// Events filed for the current slot (or an earlier one) while it is
    /// being processed, in time order; merged with the slot's sorted events.
    heap: BinaryHeap<Reverse<Ev>>,
    /// Calendar of future events: `SLOTS` slots a day, each unordered until
    /// it becomes current and is sorted.
    slots: Vec<Vec<Ev>>,
    /// The current slot (`day * SLOTS` at the start of a day).
    slot: usize,
    /// Per block of a slot processed per block of organisations: its
    /// events, buffers and what they did (see `slots`).
    slot_blocks: Vec<SlotBlock>,
    /// Per block of senders, the day's messages and their draws (see `day`).
    msg_blocks: Vec<MsgBlock>,
    /// Cached `q^n` of the binomials with fixed probabilities.
    binom: BinomialCache,
    cnt: Vec<u64>,
    pending: Vec<Msg>,
    /// The day's lures from abused mailboxes: their targets, in the order
    /// they were sent.
    lures: Vec<u32>,
    /// The wave blocks' order-dependent effects, gathered to be booked in
    /// key order (kept for its buffer).
    wave_log: Vec<(Ev, Ordered)>,
    dependants: HashMap<u32, Vec<u32>>,
    advisory_day: Vec<f64>,
    advisory_done: Vec<bool>,
    /// Per country, the worm's severity (0..1) its advised organisations
    /// have already answered by disconnecting ([`Rep::precaution`]).
    precaution_level: Vec<f64>,
    detections: Vec<u64>,
    daily: Vec<u32>,
    scratch: Vec<u32>,
    /// Per block of a phishing wave: its caches and what it drew (kept from
    /// wave to wave, so their buffers are allocated once).
    wave_blocks: Vec<WaveBlock>,
    contain_sum: f64,
    contain_n: u64,
    /// Sole providers' losses of their care-critical service so far.
    sole_provider_losses: u64,
    day: u32,
    /// Encrypted share (impact and decisions): see [`Impact`].
    imp: Impact,
}

/// Per-replicate state of the encrypted share of each organisation's IT
/// estate and of IT switch-offs (kept out of [`Org`], whose cache
/// line is full).
struct Impact {
    /// The per-organisation arrays, lent to blocks as [`ImpactWindow`]s.
    arrays: ImpactArrays,
    /// Switch-off decisions.
    switch_offs: u64,
    /// Organisation-days under a switch-off (until restoration or the horizon).
    switch_off_days: f64,
}

/// [`Impact`]'s arrays, one entry per organisation.
struct ImpactArrays {
    /// Time up to which the attacker's reach over the segments has been
    /// drawn (domain control, then detonation); infinite when not reaching.
    reach_t: Vec<f32>,
    /// Segments encrypted in the current episode.
    enc_segs: Vec<u16>,
    /// Segments the attacker can reach from domain control in the current
    /// episode (drawn at domain control; `u16::MAX` before, meaning all).
    reachable: Vec<u16>,
    /// In the current episode, the number of segments encrypted at which a
    /// care-critical one is among them (drawn at the first encryption,
    /// [`first_critical_segment`]): encryption disrupts care from then on.
    first_critical: Vec<u16>,
    /// Largest share encrypted in the replicate.
    peak: Vec<f32>,
}

/// Result of one replicate.
struct RepOut {
    daily: Vec<u32>,
    metrics: Metrics,
    flags: Vec<u8>,
    disr_days: Vec<f32>,
    /// Largest share encrypted per organisation.
    enc_peak: Vec<f32>,
    /// The organisations the campaigns name ([`Ctx::named`] order).
    named: Vec<NamedRun>,
}

impl<'a> Rep<'a> {
    fn new(c: &'a Ctx<'a>, replicate: u64) -> Self {
        let syn = c.syn;
        let n = syn.len();
        let nc = syn.countries.len();
        let seed = c.sc.seed;
        let mut rngs: Vec<SimRng> = (0..n as u64)
            .map(|o| rng::stream(seed, replicate, o))
            .collect();
        let mut cnt = vec![0u64; nc * NS];
        for o in 0..n {
            let cc = syn.country[o] as usize;
            cnt[cc * NS + ORG0] += 1;
            cnt[cc * NS + STAFF0] += (syn.staff_start[o + 1] - syn.staff_start[o]) as u64;
        }
        let days = c.sc.days as usize;
        let segs = syn.segments() as usize;
        let mut seg_patch = Vec::new();
        let mut bucket = Vec::new();
        let mut patched_cum = vec![0u64; nc];
        if let Some(w) = c.worm {
            let disclosure = c.sc.campaigns[w].disclosure_day;
            let speed = c.sc.interventions.patch_speed;
            seg_patch = vec![f32::INFINITY; segs];
            bucket = vec![0u32; nc * days];
            for o in 0..n {
                let cc = syn.country[o] as usize;
                for s in syn.segs_of(o) {
                    let u: f64 = rngs[o].random();
                    let t = disclosure + remediation_days(c.p, u) * speed;
                    seg_patch[s] = t as f32;
                    if t < 0.0 {
                        patched_cum[cc] += 1;
                    } else if t < days as f64 {
                        bucket[cc * days + t as usize] += 1;
                    }
                }
            }
        }
        Rep {
            c,
            orgs: rngs.into_iter().map(Org::new).collect(),
            grng: rng::stream(seed, replicate, u64::MAX - 1),
            disr_since: vec![0.0; n],
            disr_days: vec![0.0; n],
            staff: vec![staff::UNAFFECTED; syn.staff() as usize],
            seg_state: if c.worm.is_some() {
                vec![0; segs]
            } else {
                Vec::new()
            },
            seg_patch,
            infected: Vec::new(),
            bucket,
            patched_cum,
            heap: BinaryHeap::new(),
            slots: vec![Vec::new(); days * SLOTS],
            slot: 0,
            slot_blocks: Vec::new(),
            msg_blocks: Vec::new(),
            binom: BinomialCache::default(),
            cnt,
            pending: Vec::new(),
            lures: Vec::new(),
            wave_log: Vec::new(),
            dependants: HashMap::new(),
            advisory_day: vec![f64::INFINITY; nc],
            advisory_done: vec![false; nc],
            precaution_level: vec![0.0; nc],
            detections: vec![0; nc],
            daily: vec![0; days * nc * NS],
            scratch: Vec::new(),
            wave_blocks: Vec::new(),
            contain_sum: 0.0,
            contain_n: 0,
            sole_provider_losses: 0,
            day: 0,
            imp: Impact {
                arrays: ImpactArrays {
                    reach_t: vec![f32::INFINITY; n],
                    enc_segs: vec![0; n],
                    reachable: vec![u16::MAX; n],
                    first_critical: vec![1; n],
                    peak: vec![0.0; n],
                },
                switch_offs: 0,
                switch_off_days: 0.0,
            },
        }
    }

    #[inline]
    fn ci(&self, o: usize) -> usize {
        self.c.syn.country[o] as usize * NS
    }

    fn run(mut self) -> RepOut {
        let days = self.c.sc.days;
        let mut wi = 0;
        for d in 0..days {
            self.day = d;
            self.slot = d as usize * SLOTS;
            self.advisories(d);
            while wi < self.c.waves.len() && self.c.waves[wi].0 == d {
                let ci = self.c.waves[wi].1;
                self.wave(ci, d);
                wi += 1;
            }
            self.mailbox_lures(d);
            self.run_day_slots(d);
            self.boundary(d);
            self.snapshot(d);
        }
        let syn = self.c.syn;
        let end = days as f64;
        let mut m = Metrics::default();
        for o in 0..syn.len() {
            if self.orgs[o].flags & DISR != 0 {
                self.disr_days[o] += (end as f32 - self.disr_since[o]).max(0.0);
            }
            let f = self.orgs[o].flags;
            if f & EVER_INF != 0 {
                m.orgs_infected += 1.0;
                match syn.kind[o] {
                    OrgKind::Hospital => m.hospitals_infected += 1.0,
                    OrgKind::Supplier => m.suppliers_infected += 1.0,
                    _ => {}
                }
            }
            if f & EVER_ENC != 0 {
                m.orgs_encrypted += 1.0;
            }
            if f & EVER_DISR != 0 {
                m.orgs_disrupted += 1.0;
                if syn.kind[o] == OrgKind::Hospital {
                    m.hospitals_disrupted += 1.0;
                }
            }
        }
        let nc = syn.countries.len();
        for d in 0..days as usize {
            for c in 0..nc {
                let row = &self.daily[(d * nc + c) * NS..];
                m.hospital_days_disrupted += row[HOSP_DISRUPTED] as f64;
            }
        }
        let last = (days as usize - 1) * nc;
        for c in 0..nc {
            let row = &self.daily[(last + c) * NS..];
            m.credentials_captured += row[STAFF0 + 3] as f64;
            m.staff_clicked += (row[STAFF0 + 2] + row[STAFF0 + 3]) as f64;
        }
        m.time_to_containment_days = if self.contain_n > 0 {
            self.contain_sum / self.contain_n as f64
        } else {
            f64::NAN
        };
        let (mut share_sum, mut share_n) = (0.0, 0u64);
        for o in 0..syn.len() {
            let f = self.orgs[o].flags;
            let peak = self.imp.arrays.peak[o] as f64;
            if f & EVER_ENC != 0 && peak > 0.0 {
                share_sum += peak;
                share_n += 1;
            }
            if syn.kind[o] == OrgKind::Hospital && peak > 0.5 {
                m.hospitals_over_half_encrypted += 1.0;
            }
            if f & SWITCH_HIT != 0 {
                m.orgs_disrupted_by_switch_off += 1.0;
            }
        }
        m.mean_share_encrypted = if share_n > 0 {
            share_sum / share_n as f64
        } else {
            f64::NAN
        };
        m.switch_offs = self.imp.switch_offs as f64;
        m.switch_off_days = self.imp.switch_off_days;
        m.sole_provider_losses = self.sole_provider_losses as f64;
        let named = self
            .c
            .named()
            .into_iter()
            .map(|o| {
                let f = self.orgs[o].flags;
                NamedRun {
                    staff: syn.staff_of(o).len() as u32,
                    segments: syn.segs_of(o).len() as u32,
                    infected: f & EVER_INF != 0,
                    encrypted: f & EVER_ENC != 0,
                    share_encrypted: self.imp.arrays.peak[o],
                    disrupted: f & EVER_DISR != 0,
                    days_disrupted: self.disr_days[o],
                    switched_off: f & SWITCH_HIT != 0,
                }
            })
            .collect();
        RepOut {
            named,
            daily: self.daily,
            metrics: m,
            flags: self.orgs.iter().map(|x| x.flags & !SWITCHED).collect(),
            disr_days: self.disr_days,
            enc_peak: self.imp.arrays.peak,
        }
    }
}

/// Generates the synthetic ecosystem of `scenario` from its seed and scale:
/// the network of every replicate under `fixed_network`, and the one
/// [`run_on`] runs on.
pub fn synthesise(eco: &Ecosystem, scenario: &Scenario) -> Result<Synth, SimError> {
    scenario.check_settings().map_err(SimError::Settings)?;
    let mut syn = synth::generate(eco, &scenario.parameters, scenario.scale, scenario.seed)?;
    apply_organisations(&mut syn, scenario)?;
    Ok(syn)
}

/// Tag of the network seeds in [`network_seed`].
const NETWORK_TAG: u64 = 0x006E_6574_776F_726B; // "network"

/// Seed of replicate `replicate`'s network when networks are redrawn: a hash
/// of the run's seed and the replicate, so a replicate's network does not
/// depend on the thread count or on the other replicates.
pub fn network_seed(seed: u64, replicate: u64) -> u64 {
    rng::hash3(seed, replicate, NETWORK_TAG)
}

/// The synthetic ecosystem replicate `replicate` of `scenario` runs on: the
/// scenario's own ([`synthesise`]) under `fixed_network`, else one drawn
/// from [`network_seed`].
pub fn network(eco: &Ecosystem, scenario: &Scenario, replicate: u64) -> Result<Synth, SimError> {
    if scenario.fixed_network {
        return synthesise(eco, scenario);
    }
    scenario.check_settings().map_err(SimError::Settings)?;
    let seed = network_seed(scenario.seed, replicate);
    let mut syn = synth::generate(eco, &scenario.parameters, scenario.scale, seed)?;
    apply_organisations(&mut syn, scenario)?;
    Ok(syn)
}

/// Runs every replicate of `scenario` on the current rayon pool and summarises.
///
/// `progress` is called with the number of replicates finished so far.
pub fn simulate(
    eco: &Ecosystem,
    scenario: &Scenario,
    progress: &(dyn Fn(u32) + Sync),
) -> Result<SimulationReport, SimError> {
    simulate_cancellable(eco, scenario, progress, &|| false)
}

/// [`simulate`] that stops between batches of replicates once `cancelled`
/// says `true` ([`SimError::Cancelled`]); a run never cancelled gives
/// [`simulate`]'s numbers.
pub fn simulate_cancellable(
    eco: &Ecosystem,
    scenario: &Scenario,
    progress: &(dyn Fn(u32) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<SimulationReport, SimError> {
    if cancelled() {
        return Err(SimError::Cancelled);
    }
    // Replicate 0's network: it describes the ecosystem in the report.
    let syn = network(eco, scenario, 0)?;
    check_countries(&syn, scenario)?;
    let redraw = |r: u64| network(eco, scenario, r);
    let redraw: Option<&Redraw> = (!scenario.fixed_network).then_some(&redraw);
    run_on_until(&syn, redraw, scenario, progress, cancelled)
}

/// The care organisations that depend on national system `national`'s IT
/// and are cut off when it switches its IT off, drawn with the network
/// (from `syn.seed`: they change from replicate to replicate as the network
/// is redrawn, and stay with `--fixed-network`): each hospital of its
/// country with the strength of the first-level relation national system ->
/// healthcare organisation (`Channels::national_care`), each primary-care
/// organisation with that strength times `switch_off_primary_care`, since
/// most primary care (GP practices) runs its own systems and loses only the
/// national services (`dependency_disruption`), not its IT.
pub fn switch_off_dependants(syn: &Synth, p: &Parameters, national: usize) -> Vec<u32> {
    let c = &syn.countries[syn.country[national] as usize];
    let strength = syn.channels.national_care;
    let hospitals = c.hospitals.clone().map(|o| (o, strength));
    let primary = (c.primary_care.clone()).map(|o| (o, strength * p.switch_off_primary_care));
    hospitals
        .chain(primary)
        .filter(|&(o, q)| rng::unit_hash(syn.seed, o as u64, 106) < q)
        .map(|(o, _)| o)
        .collect()
}

/// Draws replicate `r`'s network.
type Redraw<'a> = dyn Fn(u64) -> Result<Synth, SimError> + Sync + 'a;

/// Why organisation `id`, well formed, is not in `syn`: what exists of its
/// kind and country at `scale` instead.
fn not_at_this_scale(syn: &Synth, id: &str, scale: f64) -> Result<String, SimError> {
    let r = synth::parse_org_id(id).map_err(SimError::Settings)?;
    let count = syn.count_in(r.kind, r.country.as_deref());
    let place = r
        .country
        .as_deref()
        .map_or(String::new(), |code| format!(" in {code}"));
    let first = synth::OrgRef {
        number: 0,
        ..r.clone()
    }
    .id();
    let last = synth::OrgRef {
        number: count.saturating_sub(1) as u32,
        ..r.clone()
    }
    .id();
    let kind = r.kind.as_str();
    let has = match count {
        0 => format!("no {kind} organisation{place}"),
        1 => format!("one {kind} organisation{place}: {first}"),
        _ => format!("{count} {kind} organisations{place}: {first} to {last}"),
    };
    Ok(format!(
        "organisation `{id}` is not in the synthetic ecosystem at scale {scale}, which has {has}"
    ))
}

/// Gives the organisations of the scenario's `[[organisation]]` entries
/// what the entries say of them in the network (clients drawn from its
/// seed, `Synth::seed`): sizes
/// (staff at scale 1 times the scale, at least 1; segments as given) and a
/// supplier's clients ([`draw_clients`]).
fn apply_organisations(syn: &mut Synth, scenario: &Scenario) -> Result<(), SimError> {
    let seed = syn.seed;
    for entry in &scenario.organisations {
        let Some(o) = syn.org_by_id(&entry.id) else {
            return Err(SimError::Settings(format!(
                "`[[organisation]]`: {}",
                not_at_this_scale(syn, &entry.id, scenario.scale)?
            )));
        };
        if entry.staff.is_some() || entry.segments.is_some() {
            let staff = entry.staff.map(|x| at_scale(x, scenario.scale) as u64);
            syn.resize(o, staff, entry.segments, &scenario.parameters)?;
        }
        if let Some(clients) = &entry.clients {
            let (country, drawn) = draw_clients(syn, &entry.id, clients, scenario.scale, seed)?;
            syn.set_clients(o, &drawn, country);
        }
    }
    Ok(())
}

/// A count a scenario gives at scale 1 (staff, clients, a worm's entry
/// points) in a run at `scale`: rounded, at least 1.
pub(crate) fn at_scale(count: u32, scale: f64) -> usize {
    ((f64::from(count) * scale).round() as usize).max(1)
}

/// Tag of the draws of a supplier's given clients ([`draw_clients`]).
const CLIENTS_TAG: u64 = 0x0063_6C69_656E_7473; // "clients"

/// The clients `clients` gives supplier `id` in the network drawn from
/// `seed`, ascending, and the index of their country: of each kind, the
/// count at scale 1 times `scale` (at least 1 unless 0) organisations of
/// the country with the smallest hashes of (`seed`, organisation), so that
/// a larger count keeps the clients of a smaller one. Refused when the
/// country is not in the network or has fewer organisations of a kind.
fn draw_clients(
    syn: &Synth,
    id: &str,
    clients: &crate::scenario::Clients,
    scale: f64,
    seed: u64,
) -> Result<(u8, Vec<u32>), SimError> {
    let Some(ci) = syn.countries.iter().position(|c| c.code == clients.country) else {
        return Err(SimError::Settings(format!(
            "`[[organisation]]` `{id}`: its clients' country `{}` is not in the synthetic ecosystem, which has the model's {} national health systems",
            clients.country,
            syn.countries.len()
        )));
    };
    let c = &syn.countries[ci];
    let mut drawn = Vec::new();
    for (count, orgs, kind) in [
        (clients.hospitals, c.hospitals.clone(), "hospitals"),
        (
            clients.primary_care,
            c.primary_care.clone(),
            "primary-care organisations",
        ),
    ] {
        if count == 0 {
            continue;
        }
        let k = at_scale(count, scale);
        if k > orgs.len() {
            return Err(SimError::Settings(format!(
                "`[[organisation]]` `{id}`: {k} client {kind} in {} at scale {scale} ({count} at scale 1), where the synthetic ecosystem has {}",
                clients.country,
                orgs.len()
            )));
        }
        let mut by_hash: Vec<(u64, u32)> = orgs
            .map(|o| (rng::hash3(seed, u64::from(o), CLIENTS_TAG), o))
            .collect();
        by_hash.select_nth_unstable(k - 1);
        drawn.extend(by_hash[..k].iter().map(|&(_, o)| o));
    }
    drawn.sort_unstable();
    Ok((ci as u8, drawn))
}

/// Every country a campaign names exists in the synthetic ecosystem (a model
/// with fewer national health systems has fewer countries), and so does every
/// organisation a campaign names (their numbers depend on the scale).
pub fn check_countries(syn: &Synth, scenario: &Scenario) -> Result<(), SimError> {
    for c in &scenario.campaigns {
        if let Some(id) = &c.organisation
            && syn.org_by_id(id).is_none()
        {
            return Err(SimError::Settings(format!(
                "campaign `{}`: {}",
                c.name,
                not_at_this_scale(syn, id, scenario.scale)?
            )));
        }
        for code in &c.countries {
            if !syn.countries.iter().any(|k| &k.code == code) {
                return Err(SimError::Settings(format!(
                    "campaign `{}`: country `{code}` is not in the synthetic ecosystem, which has the model's {} national health systems ({})",
                    c.name,
                    syn.countries.len(),
                    syn.countries
                        .iter()
                        .map(|k| k.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// Runs every replicate of `scenario` on one already generated ecosystem
/// (as under `fixed_network`, whatever the scenario says).
pub fn run_on(
    syn: &Synth,
    scenario: &Scenario,
    progress: &(dyn Fn(u32) + Sync),
) -> SimulationReport {
    match run_on_until(syn, None, scenario, progress, &|| false) {
        Ok(report) => report,
        Err(e) => unreachable!("a run on one network that is never cancelled finishes: {e}"),
    }
}

/// Runs the replicates: replicate 0 on `syn`, each other one on `redraw`'s
/// network for it (dropped once the replicate is done), or on `syn` too when
/// `redraw` is `None`. Checks `cancelled` before each batch of replicates.
/// The report describes the ecosystem (sizes, countries' staff, each
/// organisation's staff and links) by `syn`.
fn run_on_until(
    syn: &Synth,
    redraw: Option<&Redraw>,
    scenario: &Scenario,
    progress: &(dyn Fn(u32) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<SimulationReport, SimError> {
    let n = syn.len();
    let seed = scenario.seed;
    let ivs = &scenario.interventions;
    let iv: Vec<u8> = (0..n as u64)
        .map(|o| {
            let mut b = 0;
            let u = |tag| rng::unit_hash(seed, o, tag);
            if u(101) < ivs.training_coverage {
                b |= IV_TRAINED;
            }
            if u(102) < ivs.mfa_coverage {
                b |= IV_MFA;
            }
            if u(103) < ivs.segmentation_coverage {
                b |= IV_SEG;
            }
            if u(104) < ivs.backup_coverage {
                b |= IV_BACKUP;
            }
            let reach = match syn.kind[o as usize] {
                OrgKind::NationalSystem => syn.channels.advisory_national,
                OrgKind::Agency => 1.0,
                _ => syn.channels.advisory_care,
            };
            if u(105) < reach {
                b |= IV_ADVISED;
            }
            b
        })
        .collect();
    let mut waves: Vec<(u32, usize)> = Vec::new();
    for (i, c) in scenario.campaigns.iter().enumerate() {
        let count = if c.vector == Vector::Phishing || c.vector == Vector::Intrusion {
            c.waves
        } else {
            1
        };
        for w in 0..count {
            let day = c.start_day as u64 + w as u64 * c.period_days as u64;
            if day < scenario.days as u64 {
                waves.push((day as u32, i));
            }
        }
    }
    waves.sort();
    let worm = scenario
        .campaigns
        .iter()
        .position(|c| c.vector == Vector::Worm);
    let reach = scenario
        .campaigns
        .iter()
        .map(|c| {
            syn.countries
                .iter()
                .map(|k| c.countries.is_empty() || c.countries.contains(&k.code))
                .collect()
        })
        .collect();
    let target_org = scenario
        .campaigns
        .iter()
        .map(|c| c.organisation.as_deref().and_then(|id| syn.org_by_id(id)))
        .collect();
    let shared = Shared {
        iv,
        waves,
        worm,
        reach,
        target_org,
        parallel_waves: (scenario.replicates as usize) < rayon::current_num_threads(),
    };
    let ctx = Ctx::new(syn, scenario, &shared);

    let days = scenario.days as usize;
    let nc = syn.countries.len();
    let reps = scenario.replicates as u64;
    let mut eco_daily: Vec<Vec<u32>> = Vec::with_capacity(reps as usize);
    let mut country_sum = vec![0f64; days * nc * NS];
    let mut infected = vec![0u32; n];
    let mut disrupted = vec![0u32; n];
    let mut disr_days = vec![0f64; n];
    let mut enc_share = vec![0f64; n];
    let mut switch_hit = vec![0u32; n];
    let named = ctx.named();
    let mut named_runs: Vec<Vec<NamedRun>> = vec![Vec::with_capacity(reps as usize); named.len()];
    let mut metrics = Vec::with_capacity(reps as usize);
    let chunk = rayon::current_num_threads().clamp(1, 8) as u64;
    let mut done = 0u64;
    while done < reps {
        if cancelled() {
            return Err(SimError::Cancelled);
        }
        let upto = (done + chunk).min(reps);
        let outs: Vec<RepOut> = (done..upto)
            .into_par_iter()
            .map(|r| match redraw {
                Some(draw) if r > 0 => {
                    let own = draw(r)?;
                    Ok(Rep::new(&Ctx::new(&own, scenario, &shared), r).run())
                }
                _ => Ok(Rep::new(&ctx, r).run()),
            })
            .collect::<Result<_, SimError>>()?;
        for out in outs {
            let mut e = vec![0u32; days * NS];
            for d in 0..days {
                for c in 0..nc {
                    let row = &out.daily[(d * nc + c) * NS..(d * nc + c + 1) * NS];
                    for i in 0..NS {
                        e[d * NS + i] += row[i];
                        country_sum[(d * nc + c) * NS + i] += row[i] as f64;
                    }
                }
            }
            eco_daily.push(e);
            for o in 0..n {
                if out.flags[o] & EVER_INF != 0 {
                    infected[o] += 1;
                }
                if out.flags[o] & EVER_DISR != 0 {
                    disrupted[o] += 1;
                }
                disr_days[o] += out.disr_days[o] as f64;
                enc_share[o] += out.enc_peak[o] as f64;
                if out.flags[o] & SWITCH_HIT != 0 {
                    switch_hit[o] += 1;
                }
            }
            for (runs, run) in named_runs.iter_mut().zip(out.named) {
                runs.push(run);
            }
            metrics.push(out.metrics);
        }
        done = upto;
        progress(done as u32);
    }
    let r = reps as f64;
    let mut series = Vec::with_capacity(NS);
    let mut column = vec![0f64; reps as usize];
    for (i, name) in summary::SERIES.iter().enumerate() {
        let mut s = Series {
            name: (*name).to_owned(),
            mean: Vec::with_capacity(days),
            p5: Vec::with_capacity(days),
            p50: Vec::with_capacity(days),
            p95: Vec::with_capacity(days),
        };
        for d in 0..days {
            for (k, e) in eco_daily.iter().enumerate() {
                column[k] = e[d * NS + i] as f64;
            }
            let b = Band::of(&column);
            s.mean.push(b.mean);
            s.p5.push(b.p5);
            s.p50.push(b.p50);
            s.p95.push(b.p95);
        }
        series.push(s);
    }
    let countries = syn
        .countries
        .iter()
        .enumerate()
        .map(|(c, info)| CountryResult {
            code: info.code.clone(),
            name: info.name.clone(),
            hospitals: info.hospitals.len() as u32,
            primary_care: info.primary_care.len() as u32,
            staff: info.staff,
            mean: (0..NS)
                .map(|i| {
                    (0..days)
                        .map(|d| country_sum[(d * nc + c) * NS + i] / r)
                        .collect()
                })
                .collect(),
        })
        .collect();
    // In parallel (in order): hundreds of thousands of ids to format at scale 1.
    let organisation_outcomes = (0..n)
        .into_par_iter()
        .map(|o| OrgOutcome {
            id: syn.org_id(o),
            kind: syn.kind[o],
            country: syn.countries[syn.country[o] as usize].code.clone(),
            staff: syn.staff_of(o).len() as u32,
            links: if syn.kind[o] == OrgKind::Supplier {
                syn.clients.row(o - syn.suppliers.start as usize).len() as u32
            } else {
                syn.suppliers_of.row(o).len() as u32
            },
            p_infected: infected[o] as f64 / r,
            p_disrupted: disrupted[o] as f64 / r,
            mean_disrupted_days: disr_days[o] / r,
            mean_share_encrypted: enc_share[o] / r,
            p_switched_off: switch_hit[o] as f64 / r,
        })
        .collect();
    let kinds = OrgKind::ALL
        .iter()
        .map(|&k| (k, syn.count(k) as u64))
        .collect();
    let largest = (0..syn.suppliers.len())
        .map(|i| syn.clients.row(i).len() as u64)
        .max()
        .unwrap_or(0);
    Ok(SimulationReport {
        scenario: scenario.name.clone(),
        seed,
        fixed_network: redraw.is_none(),
        scale: scenario.scale,
        days: scenario.days,
        replicates: scenario.replicates,
        organisations: n as u64,
        staff: syn.staff(),
        ecosystem: EcosystemSize {
            kinds,
            segments: syn.segments(),
            largest_supplier_clients: largest,
            sole_providers: syn.sole_provider.iter().filter(|&&s| s).count() as u64,
            professionals: syn.professionals,
        },
        campaigns: scenario
            .campaigns
            .iter()
            .map(|c| (c.name.clone(), c.vector))
            .collect(),
        interventions: scenario.interventions.clone(),
        sharing: scenario.sharing,
        summary: Summary::of(&metrics),
        per_replicate: metrics,
        series,
        countries,
        named: named
            .into_iter()
            .zip(named_runs)
            .map(|(o, runs)| {
                NamedOutcome::of(
                    syn.org_id(o),
                    syn.kind[o],
                    syn.countries[syn.country[o] as usize].code.clone(),
                    runs,
                )
            })
            .collect(),
        organisation_outcomes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The position of the first of m critical segments among n encrypted
    /// in random order: `P(J = 1) = m / n`, `E[J] = (n + 1) / (m + 1)`,
    /// never beyond `n - m + 1`; with every segment critical, 1 without a
    /// draw.
    #[test]
    fn first_critical_segment_follows_the_closed_form() {
        let mut rng = rng::stream(3, 0, 0);
        let draws = 200_000;
        for (n, m) in [(16, 4), (10, 1), (5, 4), (2, 1)] {
            let js: Vec<u16> = (0..draws)
                .map(|_| first_critical_segment(&mut rng, n, m))
                .collect();
            assert!(js.iter().all(|&j| (1..=(n - m + 1) as u16).contains(&j)));
            let first = js.iter().filter(|&&j| j == 1).count() as f64 / draws as f64;
            let q = m as f64 / n as f64;
            assert!((first - q).abs() < 5.0 * (q * (1.0 - q) / draws as f64).sqrt());
            let mean = js.iter().map(|&j| j as f64).sum::<f64>() / draws as f64;
            let expected = (n + 1) as f64 / (m + 1) as f64;
            // Var[J] <= E[J^2] <= (n - m + 1)^2 bounds the standard error.
            let se = (n - m + 1) as f64 / (draws as f64).sqrt();
            assert!(
                (mean - expected).abs() < 5.0 * se,
                "n {n} m {m}: {mean} vs {expected}"
            );
        }
        let before = rng.clone();
        assert_eq!(first_critical_segment(&mut rng, 3, 3), 1);
        assert_eq!(rng, before, "no draw when every segment is critical");
    }

    #[test]
    fn remediated_share_inverts_the_remediation_curve() {
        let p = Parameters::default();
        for u in [0.01, 0.25, 0.4, 0.5, 0.75, 0.9, 0.99] {
            let days = remediation_days(&p, u);
            assert!((remediated_share(&p, days) - u).abs() < 1e-9, "{u}");
        }
        assert!((remediated_share(&p, p.remediation_d50) - 0.5).abs() < 1e-12);
        assert_eq!(remediated_share(&p, 0.0), 0.0);
        assert_eq!(remediated_share(&p, -3.0), 0.0);
    }

    #[test]
    fn critical_segments_round_the_share_and_keep_at_least_one() {
        let mut p = Parameters {
            critical_segment_share: 0.25,
            ..Parameters::default()
        };
        assert_eq!(critical_segments(&p, 1), 1);
        assert_eq!(critical_segments(&p, 16), 4);
        assert_eq!(critical_segments(&p, 3), 1);
        p.critical_segment_share = 0.0;
        assert_eq!(critical_segments(&p, 16), 1);
        p.critical_segment_share = 1.0;
        assert_eq!(critical_segments(&p, 16), 16);
    }

    /// The time from domain control to impact is the two-lognormal mixture
    /// the parameters describe: its share beyond a few points equals the
    /// closed form 1 - sum(w_i * Phi(ln(x / m_i) / s_i)) within sampling error,
    /// and its tail runs to months.
    #[test]
    fn dwell_times_follow_the_documented_mixture() {
        let p = Parameters::default();
        let mut rng = rng::stream(9, 0, 0);
        let n = 200_000;
        let mut xs: Vec<f64> = (0..n).map(|_| dwell(&mut rng, &p)).collect();
        xs.sort_by(f64::total_cmp);
        let phi = |z: f64| 0.5 * erfc(-z / std::f64::consts::SQRT_2);
        for x in [2.0, 5.0, 14.0, 30.0, 60.0, 180.0] {
            let expected = p.dwell_slow_share
                * (1.0 - phi((x / p.dwell_slow_days).ln() / p.dwell_slow_sigma))
                + (1.0 - p.dwell_slow_share) * (1.0 - phi((x / p.dwell_days).ln() / p.dwell_sigma));
            let seen = xs.iter().filter(|&&v| v > x).count() as f64 / n as f64;
            let se = (expected * (1.0 - expected) / n as f64).sqrt();
            assert!(
                (seen - expected).abs() < 5.0 * se + 1e-9,
                "P(dwell > {x}) = {seen}, expected {expected}"
            );
        }
        let p99 = xs[n * 99 / 100];
        assert!(
            p99 > 120.0,
            "99th percentile {p99} days: the tail must reach months"
        );
        let median = xs[n / 2];
        assert!((4.0..10.0).contains(&median), "median {median} days");
    }

    /// erfc by the Numerical Recipes Chebyshev fit (relative error < 1.2e-7),
    /// enough for a sampling check.
    fn erfc(x: f64) -> f64 {
        let z = x.abs();
        let t = 1.0 / (1.0 + 0.5 * z);
        let r = t
            * (-z * z - 1.26551223
                + t * (1.00002368
                    + t * (0.37409196
                        + t * (0.09678418
                            + t * (-0.18628806
                                + t * (0.27886807
                                    + t * (-1.13520398
                                        + t * (1.48851587
                                            + t * (-0.82215223 + t * 0.17087277)))))))))
                .exp();
        if x >= 0.0 { r } else { 2.0 - r }
    }

    /// The cache must be a pure speed-up: the same draws, in the same stream
    /// positions, as `rand_distr`'s binomial for every (n, p) the engine uses.
    #[test]
    fn binomial_cache_draws_exactly_what_rand_distr_draws() {
        let mut cache = BinomialCache::default();
        let ps = [
            0.0, 1e-4, 0.02, 0.05, 0.11, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0,
        ];
        let ns = [0u64, 1, 2, 7, 10, 50, 99, 100, 499, 500, 5_000, 200_000];
        for (k, &p) in ps.iter().enumerate() {
            for (j, &n) in ns.iter().enumerate() {
                let mut a = rng::stream(7, k as u64, j as u64);
                let mut b = a.clone();
                for _ in 0..200 {
                    let x = cache.sample(&mut a, n, p);
                    let y = binomial(&mut b, n, p);
                    assert_eq!(x, y, "n = {n}, p = {p}");
                }
                // Same number of uniforms consumed.
                assert_eq!(a.random::<u64>(), b.random::<u64>(), "n = {n}, p = {p}");
            }
        }
    }

    /// A packed event orders as the tuple (time bits, organisation, kind,
    /// epoch) it packs, and gives its fields back.
    #[test]
    fn packed_events_order_as_their_fields() {
        let mut rng = rng::stream(3, 0, 0);
        let times: [f64; 7] = [0.0, 0.25, 1.0 / 64.0, 3.5, 3.5 + 1e-12, 100.75, 364.999];
        let mut evs = Vec::new();
        for _ in 0..2_000 {
            let t = times[rng.random_range(0..times.len())];
            let o = rng.random_range(0..4u32) * 1_000_000;
            let kind = rng.random_range(0..10u8);
            let epoch = rng.random_range(0..3u32) * 1_000;
            evs.push(((t.to_bits(), o, kind, epoch), Ev::new(t, o, kind, epoch)));
        }
        for &((t, o, kind, epoch), ev) in &evs {
            assert_eq!(ev.t().to_bits(), t);
            assert_eq!(ev.o(), o as usize);
            assert_eq!(ev.kind(), kind);
            assert!(ev.of_epoch(epoch) && !ev.of_epoch(epoch + 1));
        }
        for (a, b) in evs.iter().zip(evs.iter().skip(1)) {
            assert_eq!(a.0.cmp(&b.0), a.1.cmp(&b.1), "{a:?} vs {b:?}");
        }
    }

    /// One replicate phishing everyone, whose waves, first lures, events and
    /// messages' draws run on other threads when there are some: the same
    /// report at 1 (where none of it does), 2 and 4 threads. Without its national systems
    /// phished, most days' events are processed per block at once; with them
    /// phished weekly, most days slot by slot (with some slots holding a
    /// national system's events), and switch-offs happen. (At this scale,
    /// booking the blocks' messages or containment times in any other order
    /// than their events', or drawing a sender's messages in any other order
    /// than sent, changes the report.)
    #[test]
    fn work_shared_inside_a_replicate_does_not_change_its_report() {
        let eco = holisec_model::builtin::europe()
            .ecosystem
            .expect("built-in model");
        let care = r#"
[scenario]
days = 60
replicates = 1
scale = 0.1
seed = 4
[[campaign]]
threat = "ransomware"
target = "healthcare-organisations"
period_days = 20
waves = 3
org_share = 1.0
staff_share = 1.0
"#;
        let national = r#"
[[campaign]]
threat = "ransomware"
target = "national-health-systems"
period_days = 7
waves = 8
org_share = 1.0
staff_share = 1.0
"#;
        for text in [care.to_owned(), format!("{care}{national}")] {
            let sc = crate::scenario::load_scenario(&text, &eco)
                .scenario
                .unwrap();
            let syn = synthesise(&eco, &sc).unwrap();
            let report = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| run_on(&syn, &sc, &|_| {}))
            };
            let first = report(1);
            let m = &first.per_replicate[0];
            assert!(m.switch_offs > 0.0, "no switch-off: {m:?}");
            let one = format!("{first:?}");
            let report = |threads| format!("{:?}", report(threads));
            assert_eq!(one, report(2));
            assert_eq!(one, report(4));
        }
    }
}
