//! The Monte Carlo engine: fixed chunks, one random stream per chunk, streaming
//! statistics merged in chunk order.
//!
//! Iterations (simulated years) are cut into chunks of [`CHUNK_ITERATIONS`].
//! Chunk `k` draws from [`chunk_rng`]`(seed, stream, k)` whatever thread runs
//! it; chunk results are merged in chunk order. The output is therefore
//! bit-identical for any number of threads (the caller picks the rayon pool).
//!
//! Interventions (sets of support items) are simulated on the *same* random
//! numbers as the baseline (common random numbers): in each year and scenario
//! the baseline's loss events are drawn once, each with a loss magnitude and
//! (in scenarios that some support item of the model mitigates) a uniform
//! "keep" number; an intervention whose controls lower the loss event
//! rate from `lambda` to `lambda'` keeps the events whose number is below
//! `lambda' / lambda` (exact Poisson thinning) and scales their magnitudes by
//! its loss factor. The random stream never depends on which interventions run,
//! a zero-effect support reproduces the baseline bit for bit, and a stronger
//! effect can only remove events or shrink losses, year by year.

use holisec_model::{Domain, Ecosystem, Motivation, SupportIdx};
use rand::{Rng, RngExt};

use crate::fair::{Controls, FairSamplers};
use crate::sampling::{
    EngineRng, PertTable, Sampler, SamplerMode, SamplingError, TableCache, UnitBits, chunk_rng,
    poisson, unit_bits,
};
use crate::scenario::{self, ScenarioSet, Selection, SelectionError};
use crate::sketch::{Moments, Stat};

/// Iterations per chunk (the unit of parallel work and of random streams).
pub const CHUNK_ITERATIONS: u64 = 16_384;
/// Largest number of iterations a run accepts.
pub const MAX_ITERATIONS: u64 = 1_000_000_000;
/// Stream number of single-organisation runs.
pub(crate) const STREAM_SINGLE: u64 = 1;

/// Why a run cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RiskError {
    /// Bad scenario or stakeholder selection.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// A distribution that cannot be sampled.
    #[error("scenario `{scenario}`: {error}")]
    Sampling {
        /// Scenario id.
        scenario: String,
        /// Why.
        error: SamplingError,
    },
    /// Iterations out of range.
    #[error("{0} iterations: expected 1 to {MAX_ITERATIONS}")]
    Iterations(u64),
    /// A portfolio option out of range.
    #[error("{0}")]
    Portfolio(String),
    /// Unknown support id.
    #[error("unknown support item `{0}`")]
    UnknownSupport(String),
    /// The caller cancelled the run ([`run_cancellable`]).
    #[error("the run was cancelled")]
    Cancelled,
    /// A mean or a simulated sum that is not a finite number: amounts too large
    /// for 64-bit floating point (validated models bound them; adjusted or
    /// hand-built ecosystems may not).
    #[error(
        "{what} is not a finite number ({value}): the model's losses or frequencies are too large to add up; lower them (a model file allows at most {max_loss:e} per loss event and {max_freq:e} threat events a year)",
        max_loss = holisec_model::dist::MAX_LOSS,
        max_freq = holisec_model::dist::MAX_FREQUENCY
    )]
    NotFinite {
        /// What overflowed, e.g. "the simulated annual loss of scenario `x`".
        what: String,
        /// Its value (`inf` or `NaN`).
        value: f64,
    },
}

/// `Err(NotFinite)` naming `what` when `stat`'s sum or spread is not finite.
pub(crate) fn check_finite(stat: &Stat, what: impl FnOnce() -> String) -> Result<(), RiskError> {
    let (sum, sd) = (stat.moments.sum(), stat.moments.sd());
    if sum.is_finite() && sd.is_finite() {
        return Ok(());
    }
    Err(RiskError::NotFinite {
        what: what(),
        value: if sum.is_finite() { sd } else { sum },
    })
}

/// Seed and length of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOptions {
    /// Simulated years.
    pub iterations: u64,
    /// Run seed.
    pub seed: u64,
}

impl RunOptions {
    pub(crate) fn check(&self) -> Result<(), RiskError> {
        if self.iterations == 0 || self.iterations > MAX_ITERATIONS {
            return Err(RiskError::Iterations(self.iterations));
        }
        Ok(())
    }

    pub(crate) fn chunks(&self) -> u64 {
        self.chunks_of(CHUNK_ITERATIONS)
    }

    pub(crate) fn chunk_len(&self, chunk: u64) -> u64 {
        self.chunk_len_of(chunk, CHUNK_ITERATIONS)
    }

    pub(crate) fn chunks_of(&self, size: u64) -> u64 {
        self.iterations.div_ceil(size)
    }

    pub(crate) fn chunk_len_of(&self, chunk: u64, size: u64) -> u64 {
        (self.iterations - chunk * size).min(size)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub fair: FairSamplers,
    pub group: usize,
    pub factor: usize,
    pub stakeholder: usize,
    pub domain: usize,
    pub motivation: usize,
    pub mean_tef: f64,
    pub via_supplier: bool,
    /// Some support item of the model mitigates this scenario's factor: its
    /// loss events carry a "keep" number for interventions.
    pub mitigable: bool,
}

/// The selected scenarios of a model, compiled for sampling.
#[derive(Debug, Clone)]
pub struct RiskModel {
    /// Model name.
    pub name: String,
    /// Currency of every amount.
    pub currency: String,
    /// Every scenario of the model.
    pub set: ScenarioSet,
    /// Positions in `set.scenarios` of the simulated scenarios.
    pub selected: Vec<usize>,
    /// Ids of the targeted stakeholders of the selection (aggregation order).
    pub stakeholders: Vec<String>,
    /// How PERTs are sampled.
    pub mode: SamplerMode,
    pub(crate) groups: Vec<Sampler>,
    pub(crate) compiled: Vec<Compiled>,
    pub(crate) factors: usize,
    pub(crate) layout: Layout,
}

/// A set of support items applied together.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Intervention {
    /// Support ids joined with `+`.
    pub id: String,
    /// The support ids.
    pub supports: Vec<String>,
    /// Sum of their annual costs for one organisation.
    pub annual_cost: f64,
    /// Controls per simulated scenario (same order as [`RiskModel::selected`]).
    #[serde(skip)]
    pub controls: Vec<Controls>,
}

impl RiskModel {
    /// Derives, selects and compiles the scenarios of `eco`.
    pub fn new(
        eco: &Ecosystem,
        selection: &Selection,
        mode: SamplerMode,
    ) -> Result<Self, RiskError> {
        let set = scenario::derive(eco);
        let selected = selection.apply(&set)?;
        let mut group_map: Vec<Option<usize>> = vec![None; set.frequency_groups.len()];
        let mut groups = Vec::new();
        let mut factor_map: Vec<Option<usize>> = vec![None; eco.vulnerabilities.len()];
        let mut factors = 0;
        let mut stakeholders: Vec<String> = Vec::new();
        let mut compiled = Vec::with_capacity(selected.len());
        let mut cache = TableCache::default();
        cache.prepare(selected.iter().flat_map(|&i| {
            let s = &set.scenarios[i];
            [
                Some(&s.inputs.frequency),
                Some(&s.inputs.capability),
                Some(&s.inputs.resistance),
                Some(&s.inputs.primary_loss),
                s.inputs.secondary_loss.as_ref(),
            ]
            .into_iter()
            .flatten()
        }));
        for &i in &selected {
            let s = &set.scenarios[i];
            let err = |error| RiskError::Sampling {
                scenario: s.id.clone(),
                error,
            };
            for (name, d) in [
                ("frequency", Some(&s.inputs.frequency)),
                ("primary loss", Some(&s.inputs.primary_loss)),
                ("secondary loss", s.inputs.secondary_loss.as_ref()),
            ] {
                if let Some(d) = d
                    && !d.mean().is_finite()
                {
                    return Err(RiskError::NotFinite {
                        what: format!("the mean {name} of scenario `{}`", s.id),
                        value: d.mean(),
                    });
                }
            }
            let group = match group_map[s.frequency_group] {
                Some(g) => g,
                None => {
                    groups.push(
                        Sampler::with_tables(
                            &set.frequency_groups[s.frequency_group],
                            mode,
                            &cache,
                        )
                        .map_err(err)?,
                    );
                    group_map[s.frequency_group] = Some(groups.len() - 1);
                    groups.len() - 1
                }
            };
            let factor = *factor_map[s.key.vulnerability.index()].get_or_insert_with(|| {
                factors += 1;
                factors - 1
            });
            let stakeholder = match stakeholders.iter().position(|h| h == &s.stakeholder) {
                Some(p) => p,
                None => {
                    stakeholders.push(s.stakeholder.clone());
                    stakeholders.len() - 1
                }
            };
            let mut fair = FairSamplers::with_tables(&s.inputs, mode, &cache).map_err(err)?;
            // One vulnerability table per distinct (TCap, RS): less to keep in cache.
            if let Some(c) = compiled.iter().zip(&selected).find_map(|(c, &j)| {
                let o: &scenario::Scenario = &set.scenarios[j];
                (o.inputs.capability == s.inputs.capability
                    && o.inputs.resistance == s.inputs.resistance)
                    .then_some(c)
            }) {
                let c: &Compiled = c;
                fair.share_curve(&c.fair);
            }
            compiled.push(Compiled {
                fair,
                group,
                factor,
                stakeholder,
                domain: Domain::ALL.iter().position(|d| *d == s.domain).unwrap_or(0),
                motivation: Motivation::ALL
                    .iter()
                    .position(|m| *m == s.motivation)
                    .unwrap_or(0),
                mean_tef: s.inputs.frequency.mean(),
                via_supplier: s.via_supplier,
                mitigable: eco
                    .supports
                    .iter()
                    .any(|sup| sup.mitigates.contains(&s.key.vulnerability)),
            });
        }
        let layout = Layout::new(&compiled, stakeholders.len());
        Ok(RiskModel {
            layout,
            name: eco.meta.name.clone(),
            currency: eco.meta.currency.clone(),
            set,
            selected,
            stakeholders,
            mode,
            groups,
            compiled,
            factors,
        })
    }

    /// The simulated scenarios, in order.
    pub fn scenarios(&self) -> impl Iterator<Item = &scenario::Scenario> + '_ {
        self.selected.iter().map(|&i| &self.set.scenarios[i])
    }

    /// Number of simulated scenarios.
    pub fn len(&self) -> usize {
        self.selected.len()
    }

    /// True when no scenario is simulated (never, after [`RiskModel::new`]).
    pub fn is_empty(&self) -> bool {
        self.selected.is_empty()
    }

    /// The intervention applying `supports` together.
    pub fn intervention(&self, eco: &Ecosystem, supports: &[SupportIdx]) -> Intervention {
        let ids: Vec<String> = supports
            .iter()
            .map(|&s| eco.support(s).id.clone())
            .collect();
        Intervention {
            id: ids.join("+"),
            annual_cost: supports.iter().map(|&s| eco.support(s).annual_cost).sum(),
            supports: ids,
            controls: self
                .scenarios()
                .map(|s| scenario::controls(eco, s, supports))
                .collect(),
        }
    }

    /// Looks support ids up and builds their intervention.
    pub fn intervention_by_ids(
        &self,
        eco: &Ecosystem,
        ids: &[String],
    ) -> Result<Intervention, RiskError> {
        let idx = ids
            .iter()
            .map(|id| {
                eco.support_by_id(id)
                    .ok_or_else(|| RiskError::UnknownSupport(id.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.intervention(eco, &idx))
    }

    /// Expected annual loss of simulated scenario `i` under `controls`, in closed form.
    pub fn expected_annual_loss(&self, i: usize, controls: &Controls) -> f64 {
        let c = &self.compiled[i];
        c.fair.expected_annual_loss(c.mean_tef, controls)
    }

    /// Expected number of loss events per simulated year over the selection
    /// (closed form): the engine draws every one, so run time grows with it.
    pub fn expected_loss_events_per_year(&self) -> f64 {
        self.expected_loss_events_by_scenario().iter().sum()
    }

    /// Expected number of loss events per simulated year of each simulated
    /// scenario (closed form, [`RiskModel::selected`] order).
    pub fn expected_loss_events_by_scenario(&self) -> Vec<f64> {
        self.compiled
            .iter()
            .map(|c| {
                c.mean_tef * c.fair.frequency_share * c.fair.mean_vulnerability(&Controls::NONE)
            })
            .collect()
    }

    /// Slots recorded every simulated year: one per scenario and one per
    /// distinct aggregate (stakeholder, domain, motivation, total); the
    /// engine's work per year grows with them.
    pub fn recorded_slots(&self) -> usize {
        self.layout.slots
    }

    /// Expected annual loss of every simulated scenario in closed form
    /// (quadrature for the vulnerability), under `controls` (none when `None`).
    pub fn expected_annual_losses(&self, controls: Option<&[Controls]>) -> Vec<f64> {
        self.compiled
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let ctrl = controls.map_or(Controls::NONE, |cs| cs[i]);
                c.fair.expected_annual_loss(c.mean_tef, &ctrl)
            })
            .collect()
    }
}

/// Runs `work(k)` for every chunk `k` on the current rayon pool and hands the
/// results to `merge` strictly in chunk order, whatever thread finished first.
///
/// Workers take the next chunk number from a shared counter, so chunks finish
/// roughly in order and only a few finished chunks wait for their turn.
///
/// `stop` is asked before each chunk is taken: once it says `true` no further
/// chunk starts (chunks under way finish), and the function returns `false`.
pub(crate) fn for_each_chunk_in_order<A: Send>(
    chunks: u64,
    work: impl Fn(u64) -> A + Sync,
    merge: impl FnMut(A) + Send,
    stop: &(dyn Fn() -> bool + Sync),
) -> bool {
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};
    struct Merger<A, M> {
        next: u64,
        waiting: BTreeMap<u64, A>,
        merge: M,
    }
    let counter = AtomicU64::new(0);
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let merger = Mutex::new(Merger {
        next: 0,
        waiting: BTreeMap::new(),
        merge,
    });
    let workers = (rayon::current_num_threads() as u64).clamp(1, chunks.max(1));
    rayon::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                loop {
                    if stop() {
                        stopped.store(true, Ordering::Relaxed);
                        break;
                    }
                    let k = counter.fetch_add(1, Ordering::Relaxed);
                    if k >= chunks {
                        break;
                    }
                    let part = work(k);
                    let mut m = merger.lock().unwrap_or_else(|e| e.into_inner());
                    m.waiting.insert(k, part);
                    loop {
                        let next = m.next;
                        let Some(ready) = m.waiting.remove(&next) else {
                            break;
                        };
                        (m.merge)(ready);
                        m.next += 1;
                    }
                }
            });
        }
    });
    !stopped.load(Ordering::Relaxed)
}

/// Everything the engine keeps about one run of one variant in full detail.
#[derive(Debug, Clone)]
pub struct Breakdown {
    /// Total annual loss over the simulated scenarios.
    pub total: Stat,
    /// Per simulated scenario.
    pub scenarios: Vec<Stat>,
    /// Per targeted stakeholder ([`RiskModel::stakeholders`] order).
    pub stakeholders: Vec<Stat>,
    /// Per domain ([`Domain::ALL`] order).
    pub domains: Vec<Stat>,
    /// Per motivation ([`Motivation::ALL`] order).
    pub motivations: Vec<Stat>,
    /// Per scenario: sum over years of the year's vulnerability P(TCap > RS).
    pub vulnerability_sum: Vec<f64>,
    /// Per scenario: sum over years of the scenario's TEF.
    pub frequency_sum: Vec<f64>,
}

impl Breakdown {
    fn from_slots(model: &RiskModel, acc: &ChunkAcc) -> Self {
        let l = &model.layout;
        let get = |slot: Option<usize>| slot.map_or_else(Stat::new, |k| acc.slots[k].clone());
        Breakdown {
            total: get(Some(l.total)),
            scenarios: l.scenario.iter().map(|&k| get(Some(k))).collect(),
            stakeholders: l.stakeholder.iter().map(|&k| get(Some(k))).collect(),
            domains: l.domain.iter().map(|&k| get(k)).collect(),
            motivations: l.motivation.iter().map(|&k| get(k)).collect(),
            vulnerability_sum: acc.vulnerability_sum.clone(),
            frequency_sum: acc.frequency_sum.clone(),
        }
    }
}

/// Where each reported quantity is accumulated: quantities made of the same
/// scenarios (e.g. the total of a one-scenario run, or a stakeholder targeted by
/// one scenario) share one slot, so each distinct sum is recorded once a year.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    slots: usize,
    scenario: Vec<usize>,
    stakeholder: Vec<usize>,
    domain: Vec<Option<usize>>,
    motivation: Vec<Option<usize>>,
    total: usize,
    /// Per scenario: the aggregate slots (other than its own) it adds to.
    member_of: Vec<Vec<usize>>,
}

impl Layout {
    fn new(compiled: &[Compiled], stakeholders: usize) -> Self {
        let n = compiled.len();
        let mut sets: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        let slot_of = |members: Vec<usize>, sets: &mut Vec<Vec<usize>>| -> Option<usize> {
            if members.is_empty() {
                return None;
            }
            Some(match sets.iter().position(|m| *m == members) {
                Some(k) => k,
                None => {
                    sets.push(members);
                    sets.len() - 1
                }
            })
        };
        let members = |f: &dyn Fn(&Compiled) -> bool| -> Vec<usize> {
            compiled
                .iter()
                .enumerate()
                .filter(|(_, c)| f(c))
                .map(|(i, _)| i)
                .collect()
        };
        let stakeholder = (0..stakeholders)
            .map(|h| slot_of(members(&|c| c.stakeholder == h), &mut sets).unwrap_or(0))
            .collect();
        let domain = (0..Domain::ALL.len())
            .map(|d| slot_of(members(&|c| c.domain == d), &mut sets))
            .collect();
        let motivation = (0..Motivation::ALL.len())
            .map(|m| slot_of(members(&|c| c.motivation == m), &mut sets))
            .collect();
        let total = slot_of((0..n).collect(), &mut sets).unwrap_or(0);
        let aggregates: Vec<usize> = (n..sets.len()).collect();
        let member_of = (0..n)
            .map(|i| {
                aggregates
                    .iter()
                    .copied()
                    .filter(|&k| sets[k].contains(&i))
                    .collect()
            })
            .collect();
        Layout {
            slots: sets.len(),
            scenario: (0..n).collect(),
            stakeholder,
            domain,
            motivation,
            total,
            member_of,
        }
    }
}

/// Total annual loss of one intervention, on the baseline's random numbers.
#[derive(Debug, Clone)]
pub struct InterventionStat {
    /// Total annual loss with the intervention.
    pub total: Stat,
    /// Year-by-year reduction of the total annual loss (baseline minus intervention).
    pub reduction: Moments,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Options of the run.
    pub options: RunOptions,
    /// Baseline (no support), in full detail.
    pub baseline: Breakdown,
    /// One per intervention, in the order given.
    pub interventions: Vec<InterventionStat>,
}

#[derive(Debug, Clone)]
struct ChunkAcc {
    slots: Vec<Stat>,
    vulnerability_sum: Vec<f64>,
    frequency_sum: Vec<f64>,
    interventions: Vec<InterventionStat>,
}

impl ChunkAcc {
    fn new(model: &RiskModel, interventions: usize) -> Self {
        let n = model.compiled.len();
        ChunkAcc {
            slots: (0..model.layout.slots).map(|_| Stat::new()).collect(),
            vulnerability_sum: vec![0.0; n],
            frequency_sum: vec![0.0; n],
            interventions: (0..interventions)
                .map(|_| InterventionStat {
                    total: Stat::new(),
                    reduction: Moments::default(),
                })
                .collect(),
        }
    }

    fn merge(&mut self, o: &ChunkAcc) {
        self.slots
            .iter_mut()
            .zip(&o.slots)
            .for_each(|(a, b)| a.merge(b));
        self.vulnerability_sum
            .iter_mut()
            .zip(&o.vulnerability_sum)
            .for_each(|(a, b)| *a += b);
        self.frequency_sum
            .iter_mut()
            .zip(&o.frequency_sum)
            .for_each(|(a, b)| *a += b);
        for (a, b) in self.interventions.iter_mut().zip(&o.interventions) {
            a.total.merge(&b.total);
            a.reduction.merge(&b.reduction);
        }
    }
}

/// Runs `iterations` simulated years of the baseline and of every intervention.
///
/// Uses the current rayon pool; `progress` is called with the number of
/// iterations each finished chunk covered.
pub fn run(
    model: &RiskModel,
    interventions: &[Intervention],
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, RiskError> {
    run_cancellable(model, interventions, options, progress, &|| false)
}

/// [`run`] that stops at the next chunk boundary once `cancelled` says `true`
/// ([`RiskError::Cancelled`]); a run never cancelled gives [`run`]'s numbers.
pub fn run_cancellable(
    model: &RiskModel,
    interventions: &[Intervention],
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<RunResult, RiskError> {
    options.check()?;
    // Per scenario: the interventions that change it.
    let mut touching: Vec<Vec<(usize, Controls)>> = vec![Vec::new(); model.compiled.len()];
    for (v, iv) in interventions.iter().enumerate() {
        for (s, c) in iv.controls.iter().enumerate() {
            if !c.is_none() {
                touching[s].push((v, *c));
            }
        }
    }
    let mut acc = ChunkAcc::new(model, interventions.len());
    let finished = for_each_chunk_in_order(
        options.chunks(),
        |k| {
            let part = run_chunk(model, interventions.len(), &touching, options, k);
            progress(options.chunk_len(k));
            part
        },
        |part| acc.merge(&part),
        cancelled,
    );
    if !finished {
        return Err(RiskError::Cancelled);
    }
    let baseline = Breakdown::from_slots(model, &acc);
    // A scenario's sum overflows before (or with) every total it adds to.
    for (s, stat) in model.scenarios().zip(&baseline.scenarios) {
        check_finite(stat, || {
            format!("the simulated annual loss of scenario `{}`", s.id)
        })?;
    }
    check_finite(&baseline.total, || "the simulated total annual loss".into())?;
    for (iv, stat) in interventions.iter().zip(&acc.interventions) {
        check_finite(&stat.total, || {
            format!("the simulated annual loss with `{}`", iv.id)
        })?;
    }
    Ok(RunResult {
        options: *options,
        baseline,
        interventions: acc.interventions,
    })
}

/// Simulated years drawn together in [`run_chunk`]: their TEF and RS draws,
/// a few hundred KiB, stay in cache while every scenario's vulnerability
/// table is read for all of them in turn.
const BLOCK_YEARS: usize = 4096;

/// The loss events of one scenario in one year of a block.
#[derive(Debug, Clone, Copy, Default)]
struct Hit {
    year: u32,
    scenario: u32,
    events: u64,
}

/// A scenario's loss events in one year of the baseline: each event's keep
/// number and magnitude, their sum and their number.
struct YearEvents<'a> {
    events: &'a [(f64, f64)],
    loss: f64,
    count: u64,
}

/// Adds to `delta` and `delta_events` what each intervention touching the
/// scenario changes in its year: an intervention lowering the loss event rate
/// from `lambda` to `lambda'` keeps the events whose keep number is below
/// `lambda' / lambda` (Poisson thinning) and scales their magnitudes by its
/// loss factor.
fn thin(
    c: &Compiled,
    touching: &[(usize, Controls)],
    u_bits: UnitBits,
    tef_s: f64,
    baseline: &YearEvents,
    delta: &mut [f64],
    delta_events: &mut [i64],
) {
    let vul = c.fair.vulnerability_of(u_bits);
    let lambda = tef_s * vul;
    let rs = c.fair.resistance.quantile(u_bits.unit());
    for &(v, ctrl) in touching {
        let vul_v = if ctrl.resistance_gain == 0.0 {
            vul
        } else {
            c.fair.vulnerability(ctrl.resistance(rs))
        };
        let lambda_v = tef_s * ctrl.frequency_factor * vul_v;
        let ratio = lambda_v / lambda;
        let (mut kept_loss, mut kept) = (0.0f64, 0i64);
        for &(k, x) in baseline.events {
            if k < ratio {
                kept_loss += x * ctrl.loss_factor;
                kept += 1;
            }
        }
        delta[v] += kept_loss - baseline.loss;
        delta_events[v] += kept - baseline.count as i64;
    }
}

/// A unit-rate exponential draw (`rand_distr`'s ziggurat), inlined into the
/// engine's loops: called through `RngExt::sample` it was not, and the call
/// cost as much as the draw.
#[inline(always)]
fn exp1(rng: &mut EngineRng) -> f64 {
    rand_distr::Distribution::<f64>::sample(&rand_distr::Exp1, rng)
}

/// `hits` (found scenario by scenario) by year into `by_year`, scenarios in
/// order within a year: a counting sort, `year_start` being one longer than
/// the block.
fn sort_by_year(hits: &[Hit], by_year: &mut Vec<Hit>, year_start: &mut [u32]) {
    year_start.fill(0);
    for h in hits {
        year_start[h.year as usize + 1] += 1;
    }
    for y in 1..year_start.len() {
        year_start[y] += year_start[y - 1];
    }
    by_year.clear();
    by_year.resize(hits.len(), Hit::default());
    for h in hits {
        let slot = &mut year_start[h.year as usize];
        by_year[*slot as usize] = *h;
        *slot += 1;
    }
}

/// One chunk of years, drawn in blocks of [`BLOCK_YEARS`] from the chunk's
/// stream:
///
/// 1. per year, in year order: the TEF of every frequency group, the RS
///    uniform of every factor, and the first arrival `T` of a unit-rate
///    Poisson process (an exponential draw);
/// 2. per scenario, in scenario order, over the block's years:
///    `lambda = TEF x share x V`, where the year's scenarios lie end to end on
///    that process's time axis, each over an interval of length `lambda`. The
///    arrivals in a scenario's interval are its loss events (superposition
///    of independent Poisson processes: exactly Poisson(lambda) per scenario,
///    independent across scenarios given the year's draws). This pass has no
///    branch: it lists the years whose first arrival falls in the interval,
///    and only those draw further arrivals, until one falls beyond it. A
///    `lambda` of 30 or more gets its count from [`poisson`] and a fresh
///    arrival after its interval (independent increments);
/// 3. per year with events, in year then scenario order: each loss event's
///    keep number (mitigable scenarios) and magnitude, the interventions'
///    thinning, and the records of the slots touched. Slots not touched in a
///    year record a zero; zeros are counted, and added once per chunk.
fn run_chunk(
    model: &RiskModel,
    n_interventions: usize,
    touching: &[Vec<(usize, Controls)>],
    options: &RunOptions,
    chunk: u64,
) -> ChunkAcc {
    let mut rng = chunk_rng(options.seed, STREAM_SINGLE, chunk);
    let mut acc = ChunkAcc::new(model, n_interventions);
    let layout = &model.layout;
    let (n_groups, n_factors) = (model.groups.len(), model.factors);
    // Block arrays, group- or factor-major: tef[g * B + y], u_rs[f * B + y].
    let mut tef = vec![0.0f64; n_groups * BLOCK_YEARS];
    let mut u_rs = vec![UnitBits::default(); n_factors * BLOCK_YEARS];
    // Scenarios whose loss magnitude is one PERT table read (no secondary
    // loss): read directly, without the samplers' dispatch (same numbers).
    let loss_tables: Vec<Option<&PertTable>> = model
        .compiled
        .iter()
        .map(|c| match c.fair.secondary_loss {
            None => c.fair.primary_loss.one_word_table(),
            Some(_) => None,
        })
        .collect();
    // The groups' PERT tables when every group draws one word from one.
    let table_groups: Option<Vec<&PertTable>> =
        model.groups.iter().map(Sampler::one_word_table).collect();
    let mut words = vec![
        0u64;
        if table_groups.is_some() {
            n_groups * BLOCK_YEARS
        } else {
            0
        }
    ];
    let mut arrival = vec![0.0f64; BLOCK_YEARS];
    let mut elapsed = vec![0.0f64; BLOCK_YEARS];
    let mut vulnerability = vec![0.0f64; BLOCK_YEARS];
    let mut lambdas = vec![0.0f64; BLOCK_YEARS];
    let mut candidates = vec![0u32; BLOCK_YEARS];
    let mut hits: Vec<Hit> = Vec::new();
    let mut by_year: Vec<Hit> = Vec::new();
    let mut year_start = vec![0u32; BLOCK_YEARS + 1];
    let mut events_buf: Vec<(f64, f64)> = Vec::new();
    let mut delta = vec![0.0f64; n_interventions];
    let mut delta_events = vec![0i64; n_interventions];
    let mut sums = vec![(0.0f64, 0u64); layout.slots];
    let mut touched_flag = vec![false; layout.slots];
    let mut touched: Vec<usize> = Vec::new();
    // Records per slot (the rest of the chunk's years are zeros).
    let mut recorded = vec![0u64; layout.slots];
    let mut iv_recorded = 0u64;
    let years = options.chunk_len(chunk) as usize;
    let mut done = 0usize;
    while done < years {
        let b = (years - done).min(BLOCK_YEARS);
        // Per year, in year order: every group's TEF, every factor's RS, the
        // first arrival. Groups sampled from tables keep the word they read,
        // turned into TEF afterwards in one pass per group (same numbers).
        for y in 0..b {
            match &table_groups {
                Some(_) => {
                    for g in 0..n_groups {
                        words[g * BLOCK_YEARS + y] = rng.next_u64();
                    }
                }
                None => {
                    for (g, s) in model.groups.iter().enumerate() {
                        tef[g * BLOCK_YEARS + y] = s.sample(&mut rng);
                    }
                }
            }
            for f in 0..n_factors {
                u_rs[f * BLOCK_YEARS + y] = unit_bits(&mut rng);
            }
            arrival[y] = exp1(&mut rng);
        }
        if let Some(tables) = &table_groups {
            for (g, table) in tables.iter().enumerate() {
                let at = g * BLOCK_YEARS..g * BLOCK_YEARS + b;
                table.quantiles_of_words(&words[at.clone()], &mut tef[at]);
            }
        }
        elapsed[..b].fill(0.0);
        hits.clear();
        for (i, c) in model.compiled.iter().enumerate() {
            let tefs = &tef[c.group * BLOCK_YEARS..c.group * BLOCK_YEARS + b];
            let us = &u_rs[c.factor * BLOCK_YEARS..c.factor * BLOCK_YEARS + b];
            c.fair.vulnerabilities_of(us, &mut vulnerability[..b]);
            let share = c.fair.frequency_share;
            let (mut vul_sum, mut freq_sum) = (0.0f64, 0.0f64);
            let mut listed = 0usize;
            for y in 0..b {
                let vul = vulnerability[y];
                let tef_s = tefs[y] * share;
                vul_sum += vul;
                freq_sum += tef_s;
                // A rate of zero or NaN has no event: its interval is empty
                // (the first arrival never lies before the elapsed time).
                let lambda = tef_s * vul;
                let lambda = if lambda > 0.0 { lambda } else { 0.0 };
                let end = elapsed[y] + lambda;
                elapsed[y] = end;
                lambdas[y] = lambda;
                candidates[listed] = y as u32;
                listed += usize::from(arrival[y] < end);
            }
            acc.vulnerability_sum[i] += vul_sum;
            acc.frequency_sum[i] += freq_sum;
            for &y in &candidates[..listed] {
                let y = y as usize;
                let (end, lambda) = (elapsed[y], lambdas[y]);
                let n = if lambda >= 30.0 {
                    let n = poisson(lambda, &mut rng);
                    arrival[y] = end + exp1(&mut rng);
                    n
                } else {
                    let mut n = 0u64;
                    while arrival[y] < end {
                        n += 1;
                        arrival[y] += exp1(&mut rng);
                    }
                    n
                };
                if n > 0 {
                    hits.push(Hit {
                        year: y as u32,
                        scenario: i as u32,
                        events: n,
                    });
                }
            }
        }
        if model.compiled.len() == 1 {
            // One scenario: its hits are already in year order.
            std::mem::swap(&mut hits, &mut by_year);
        } else {
            sort_by_year(&hits, &mut by_year, &mut year_start[..b + 1]);
        }
        let mut h = 0;
        while h < by_year.len() {
            let year = by_year[h].year as usize;
            delta.iter_mut().for_each(|d| *d = 0.0);
            delta_events.iter_mut().for_each(|d| *d = 0);
            let (mut total, mut total_events) = (0.0f64, 0u64);
            while h < by_year.len() && by_year[h].year as usize == year {
                let Hit {
                    scenario: i,
                    events: n,
                    ..
                } = by_year[h];
                h += 1;
                let i = i as usize;
                let c = &model.compiled[i];
                let mut loss = 0.0;
                events_buf.clear();
                let record = !touching[i].is_empty();
                for _ in 0..n {
                    // The keep number is drawn for every scenario some support item
                    // of the model could change, whether or not an intervention
                    // reads it: the stream depends on the model, never on the
                    // interventions run.
                    let keep: f64 = if c.mitigable { rng.random() } else { 1.0 };
                    let x = match loss_tables[i] {
                        Some(table) => table.quantile_of(unit_bits(&mut rng)),
                        None => c.fair.loss_magnitude(&mut rng),
                    };
                    loss += x;
                    if record {
                        events_buf.push((keep, x));
                    }
                }
                if record {
                    let u_bits = u_rs[c.factor * BLOCK_YEARS + year];
                    let tef_s = tef[c.group * BLOCK_YEARS + year] * c.fair.frequency_share;
                    let baseline = YearEvents {
                        events: &events_buf,
                        loss,
                        count: n,
                    };
                    thin(
                        c,
                        &touching[i],
                        u_bits,
                        tef_s,
                        &baseline,
                        &mut delta,
                        &mut delta_events,
                    );
                }
                let own = layout.scenario[i];
                acc.slots[own].record(loss, n);
                recorded[own] += 1;
                for &k in &layout.member_of[i] {
                    if !touched_flag[k] {
                        touched_flag[k] = true;
                        touched.push(k);
                    }
                    sums[k].0 += loss;
                    sums[k].1 += n;
                }
                total += loss;
                total_events += n;
            }
            // Aggregates in slot order, as the scenarios' own slots.
            touched.sort_unstable();
            for &k in &touched {
                acc.slots[k].record(sums[k].0, sums[k].1);
                recorded[k] += 1;
                sums[k] = (0.0, 0);
                touched_flag[k] = false;
            }
            touched.clear();
            for (v, iv) in acc.interventions.iter_mut().enumerate() {
                let with = (total + delta[v]).max(0.0);
                let events = (total_events as i64 + delta_events[v]).max(0) as u64;
                iv.total.record(with, events);
                iv.reduction.push(total - with);
            }
            iv_recorded += 1;
        }
        done += b;
    }
    let years = years as u64;
    for (stat, &r) in acc.slots.iter_mut().zip(&recorded) {
        stat.record_zeros(years - r);
    }
    for iv in &mut acc.interventions {
        iv.total.record_zeros(years - iv_recorded);
        iv.reduction.push_zeros(years - iv_recorded);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_found_scenario_by_scenario_come_out_by_year_then_scenario() {
        let hit = |scenario, year| Hit {
            year,
            scenario,
            events: u64::from(10 * scenario + year),
        };
        // As the engine finds them: scenario 0's years, then scenario 1's, ...
        let hits = [
            hit(0, 3),
            hit(0, 5),
            hit(1, 0),
            hit(1, 5),
            hit(2, 3),
            hit(2, 6),
        ];
        let (mut by_year, mut year_start) = (Vec::new(), vec![0u32; 8]);
        sort_by_year(&hits, &mut by_year, &mut year_start);
        let order: Vec<(u32, u32)> = by_year.iter().map(|h| (h.year, h.scenario)).collect();
        assert_eq!(order, [(0, 1), (3, 0), (3, 2), (5, 0), (5, 1), (6, 2)]);
        assert!(
            by_year
                .iter()
                .all(|h| h.events == u64::from(10 * h.scenario + h.year))
        );
        // Reused buffers give the same answer.
        sort_by_year(&hits, &mut by_year, &mut year_start);
        assert_eq!(by_year.len(), hits.len());
        assert_eq!((by_year[0].year, by_year[0].scenario), (0, 1));
    }
}
