//! Portfolios: N organisations of one stakeholder kind that share solution providers.
//!
//! An insurer's book of hospitals, a national system's hospitals: each member
//! organisation runs the same scenarios as one organisation of the stakeholder
//! (own factors, and factors of its solution providers). The sharing structure:
//!
//! * `providers` solution providers share the market with Zipf weights
//!   `1 / k^concentration` (`concentration = 0`: equal shares; 1: the largest of
//!   10 providers serves 34% of the members). Members are assigned to providers
//!   in contiguous blocks sized by largest remainder; each member is the client
//!   of exactly one provider, which supplies every factor a solution provider
//!   owns in the model.
//! * **Independent** (what the usual FAIR tools compute): every member draws
//!   every scenario on its own.
//! * **Shared suppliers**: scenarios on a member's own factors are the same
//!   draws as in the independent case (common random numbers); scenarios on a
//!   provider's factors are drawn once per provider and year (its TEF, its RS, its
//!   number of compromises) and every compromise is a loss event at *every*
//!   client in that year, each with its own loss magnitude.
//!
//! Each member's own loss distribution is the same in both cases (same rate,
//! same magnitudes); only the dependence differs, so the difference in the
//! portfolio's tail (p99, p99.5) is the accumulation through shared suppliers.

use rand::RngExt;
use serde::Serialize;

use crate::engine::{RiskError, RiskModel, RunOptions};
use crate::report::Summary;
use crate::sampling::{chunk_rng, poisson};
use crate::sketch::Stat;

/// Largest portfolio accepted.
pub const MAX_ORGANISATIONS: u32 = 100_000;
/// Stream number of portfolio runs.
const STREAM_PORTFOLIO: u64 = 2;

/// Iterations per chunk of a portfolio of `organisations` members: about
/// 65,536 member-years per chunk (fixed by the portfolio size, never by threads).
pub fn chunk_iterations(organisations: u32) -> u64 {
    (65_536 / u64::from(organisations.max(1))).clamp(8, crate::engine::CHUNK_ITERATIONS)
}

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PortfolioOptions {
    /// Member organisations.
    pub organisations: u32,
    /// Solution providers sharing the members.
    pub providers: u32,
    /// Zipf exponent of the providers' market shares (0 = equal).
    pub concentration: f64,
}

/// One provider's clients.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderShare {
    /// `provider-1` is the largest.
    pub provider: String,
    /// Number of member organisations it supplies.
    pub clients: u32,
}

/// Number of members with at least one loss event in a year.
#[derive(Debug, Clone, Serialize)]
pub struct MembersHit {
    /// Mean.
    pub mean: f64,
    /// 99th percentile.
    pub p99: u32,
    /// Largest seen.
    pub max: u32,
}

/// Results of a portfolio run.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioReport {
    /// Stakeholder id of the members.
    pub stakeholder: String,
    /// Number of members.
    pub organisations: u32,
    /// Zipf exponent of the market shares.
    pub concentration: f64,
    /// Providers and their clients.
    pub providers: Vec<ProviderShare>,
    /// The sharing structure in words.
    pub sharing_structure: String,
    /// Scenarios on the members' own factors (independent between members).
    pub own_scenarios: Vec<String>,
    /// Scenarios on solution-provider factors (shared in the correlated case).
    pub shared_supplier_scenarios: Vec<String>,
    /// Simulated years.
    pub iterations: u64,
    /// Seed.
    pub seed: u64,
    /// Portfolio annual loss with members drawn independently.
    pub independent: Summary,
    /// Portfolio annual loss with shared-supplier compromises hitting every client.
    pub shared_suppliers: Summary,
    /// Members hit per year, independent.
    pub members_hit_independent: MembersHit,
    /// Members hit per year, shared suppliers.
    pub members_hit_shared: MembersHit,
    /// p99 with sharing / p99 independent.
    pub p99_ratio: f64,
    /// p99.5 with sharing / p99.5 independent.
    pub p99_5_ratio: f64,
}

/// Number of clients of each provider: Zipf shares, largest remainder.
pub fn client_counts(organisations: u32, providers: u32, concentration: f64) -> Vec<u32> {
    let k = providers.max(1) as usize;
    let w: Vec<f64> = (1..=k)
        .map(|i| 1.0 / (i as f64).powf(concentration))
        .collect();
    let total: f64 = w.iter().sum();
    let exact: Vec<f64> = w.iter().map(|x| x / total * organisations as f64).collect();
    let mut counts: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut left = organisations - counts.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    counts
}

#[derive(Clone)]
struct Acc {
    independent: Stat,
    shared: Stat,
    hit_independent: Vec<u64>,
    hit_shared: Vec<u64>,
}

impl Acc {
    fn new(n: usize) -> Self {
        Acc {
            independent: Stat::new(),
            shared: Stat::new(),
            hit_independent: vec![0; n + 1],
            hit_shared: vec![0; n + 1],
        }
    }
    fn merge(&mut self, o: &Acc) {
        self.independent.merge(&o.independent);
        self.shared.merge(&o.shared);
        self.hit_independent
            .iter_mut()
            .zip(&o.hit_independent)
            .for_each(|(a, b)| *a += b);
        self.hit_shared
            .iter_mut()
            .zip(&o.hit_shared)
            .for_each(|(a, b)| *a += b);
    }
}

fn members_hit(h: &[u64]) -> MembersHit {
    let n: u64 = h.iter().sum();
    let mean = h
        .iter()
        .enumerate()
        .map(|(k, &c)| k as f64 * c as f64)
        .sum::<f64>()
        / n.max(1) as f64;
    let rank = ((0.99 * n as f64).ceil() as u64).max(1);
    let mut seen = 0;
    let mut p99 = 0;
    for (k, &c) in h.iter().enumerate() {
        seen += c;
        if seen >= rank {
            p99 = k as u32;
            break;
        }
    }
    let max = h.iter().rposition(|&c| c > 0).unwrap_or(0) as u32;
    MembersHit { mean, p99, max }
}

/// Runs a portfolio of `opts.organisations` members of the (single) stakeholder `model` targets.
pub fn run(
    model: &RiskModel,
    opts: &PortfolioOptions,
    run: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<PortfolioReport, RiskError> {
    run_cancellable(model, opts, run, progress, &|| false)
}

/// [`run`], stopping with [`RiskError::Cancelled`] at the first chunk
/// boundary after `cancelled` answers true (a server's job).
pub fn run_cancellable(
    model: &RiskModel,
    opts: &PortfolioOptions,
    run: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<PortfolioReport, RiskError> {
    run.check()?;
    if opts.organisations == 0 || opts.organisations > MAX_ORGANISATIONS {
        return Err(RiskError::Portfolio(format!(
            "a portfolio of {} organisations: expected 1 to {MAX_ORGANISATIONS}",
            opts.organisations
        )));
    }
    if opts.providers == 0 || opts.providers > opts.organisations.max(1) {
        return Err(RiskError::Portfolio(format!(
            "{} solution providers for {} organisations: expected 1 to {}",
            opts.providers, opts.organisations, opts.organisations
        )));
    }
    if !(opts.concentration.is_finite() && (0.0..=10.0).contains(&opts.concentration)) {
        return Err(RiskError::Portfolio(format!(
            "market concentration {}: expected a Zipf exponent from 0 to 10",
            opts.concentration
        )));
    }
    if model.stakeholders.len() != 1 {
        return Err(RiskError::Portfolio(format!(
            "a portfolio is made of organisations of one stakeholder, but the selection targets {}: choose one with --stakeholder",
            model.stakeholders.join(", ")
        )));
    }
    let counts = client_counts(opts.organisations, opts.providers, opts.concentration);
    let mut clients: Vec<std::ops::Range<usize>> = Vec::new();
    let mut next = 0usize;
    for &c in &counts {
        clients.push(next..next + c as usize);
        next += c as usize;
    }
    let n = opts.organisations as usize;
    let size = chunk_iterations(opts.organisations);
    let chunks = run.chunks_of(size);
    let mut acc = Acc::new(n);
    let finished = crate::engine::for_each_chunk_in_order(
        chunks,
        |k| {
            let part = chunk(model, run, k, size, n, &clients);
            progress(run.chunk_len_of(k, size));
            part
        },
        |part| acc.merge(&part),
        cancelled,
    );
    if !finished {
        return Err(RiskError::Cancelled);
    }
    crate::engine::check_finite(&acc.independent, || {
        "the simulated annual loss of the portfolio".into()
    })?;
    crate::engine::check_finite(&acc.shared, || {
        "the simulated annual loss of the portfolio".into()
    })?;
    let independent = Summary::new("independent", &acc.independent);
    let shared = Summary::new("shared-suppliers", &acc.shared);
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 1.0 };
    let (own, shared_ids): (Vec<_>, Vec<_>) = model.scenarios().partition(|s| !s.via_supplier);
    Ok(PortfolioReport {
        stakeholder: model.stakeholders[0].clone(),
        organisations: opts.organisations,
        concentration: opts.concentration,
        providers: counts
            .iter()
            .enumerate()
            .map(|(i, &c)| ProviderShare {
                provider: format!("provider-{}", i + 1),
                clients: c,
            })
            .collect(),
        sharing_structure: format!(
            "{} members of `{}`, each the client of one of {} solution providers (Zipf market shares, exponent {}); a provider's compromise in a year is a loss event at every one of its clients that year",
            opts.organisations, model.stakeholders[0], opts.providers, opts.concentration
        ),
        own_scenarios: own.iter().map(|s| s.id.clone()).collect(),
        shared_supplier_scenarios: shared_ids.iter().map(|s| s.id.clone()).collect(),
        iterations: run.iterations,
        seed: run.seed,
        p99_ratio: ratio(shared.percentiles.p99, independent.percentiles.p99),
        p99_5_ratio: ratio(shared.percentiles.p99_5, independent.percentiles.p99_5),
        members_hit_independent: members_hit(&acc.hit_independent),
        members_hit_shared: members_hit(&acc.hit_shared),
        independent,
        shared_suppliers: shared,
    })
}

fn chunk(
    model: &RiskModel,
    run: &RunOptions,
    k: u64,
    size: u64,
    n: usize,
    clients: &[std::ops::Range<usize>],
) -> Acc {
    let mut rng = chunk_rng(run.seed, STREAM_PORTFOLIO, k);
    let mut acc = Acc::new(n);
    let mut tef = vec![0.0; model.groups.len()];
    let mut u_rs = vec![0.0; model.factors];
    let mut own_loss = vec![0.0f64; n];
    let mut own_events = vec![0u64; n];
    for _ in 0..run.chunk_len_of(k, size) {
        let (mut total_ind, mut events_ind, mut hit_ind) = (0.0f64, 0u64, 0usize);
        for m in 0..n {
            for (t, g) in tef.iter_mut().zip(&model.groups) {
                *t = g.sample(&mut rng);
            }
            for u in u_rs.iter_mut() {
                *u = rng.random::<f64>();
            }
            let (mut own, mut own_n, mut sup, mut sup_n) = (0.0f64, 0u64, 0.0f64, 0u64);
            for c in &model.compiled {
                let lambda =
                    tef[c.group] * c.fair.frequency_share * c.fair.vulnerability_at(u_rs[c.factor]);
                let events = poisson(lambda, &mut rng);
                let mut loss = 0.0;
                for _ in 0..events {
                    loss += c.fair.loss_magnitude(&mut rng);
                }
                if c.via_supplier {
                    sup += loss;
                    sup_n += events;
                } else {
                    own += loss;
                    own_n += events;
                }
            }
            own_loss[m] = own;
            own_events[m] = own_n;
            total_ind += own + sup;
            events_ind += own_n + sup_n;
            hit_ind += usize::from(own_n + sup_n > 0);
        }
        acc.independent.record(total_ind, events_ind);
        acc.hit_independent[hit_ind] += 1;
        // Shared suppliers: one draw per provider, every compromise hits every client.
        for range in clients {
            if range.is_empty() {
                continue;
            }
            for (t, g) in tef.iter_mut().zip(&model.groups) {
                *t = g.sample(&mut rng);
            }
            for u in u_rs.iter_mut() {
                *u = rng.random::<f64>();
            }
            for c in model.compiled.iter().filter(|c| c.via_supplier) {
                let lambda =
                    tef[c.group] * c.fair.frequency_share * c.fair.vulnerability_at(u_rs[c.factor]);
                let events = poisson(lambda, &mut rng);
                for _ in 0..events {
                    for m in range.clone() {
                        own_loss[m] += c.fair.loss_magnitude(&mut rng);
                        own_events[m] += 1;
                    }
                }
            }
        }
        let total_shared: f64 = own_loss.iter().sum();
        let events_shared: u64 = own_events.iter().sum();
        let hit_shared = own_events.iter().filter(|&&e| e > 0).count();
        acc.shared.record(total_shared, events_shared);
        acc.hit_shared[hit_shared] += 1;
    }
    acc
}
