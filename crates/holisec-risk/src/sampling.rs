//! Samplers for the model's [`Distribution`]s, and the random streams of the engine.
//!
//! Every model distribution becomes a [`Sampler`] that can
//! * draw a value from a random generator ([`Sampler::sample`]),
//! * map a uniform number to a value ([`Sampler::quantile`], used where several
//!   scenarios must share one draw, e.g. the resistance of one factor in a year),
//! * give `P(X > x)` ([`Sampler::exceedance`], used for vulnerability = P(TCap > RS)).
//!
//! Lognormal, triangular and uniform draws come from `rand_distr` / `rand`.
//! Beta-PERT has two modes ([`SamplerMode`]): `Exact` draws with `rand_distr::Pert`
//! (a Beta sampler, about 85 ns a draw); `Table` (the default) inverts a
//! 4,096-interval quantile table computed once from the PERT density. The table
//! is exact at its knots (to 1e-5 in probability, tested) and linear in between, so the sampled
//! distribution is within Kolmogorov distance `1/4096 + 1e-5` (0.025%) of the true
//! PERT while a draw costs a few nanoseconds.
//!
//! [`chunk_rng`] gives the random stream of one chunk of iterations: a
//! `Xoshiro256PlusPlus` seeded from `(seed, stream, chunk)` through SplitMix64,
//! never from the worker thread, so results do not depend on the thread count.

use std::sync::Arc;

use holisec_model::Distribution;
use holisec_model::dist::lognormal_params;
use rand::distr::Distribution as RandDistribution;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Intervals of a PERT quantile table.
pub const TABLE_INTERVALS: usize = 4096;
/// Cells of the numerical integration of the PERT density that builds the table.
const INTEGRATION_CELLS: usize = 4096;

/// The random generator of the engine.
pub type EngineRng = Xoshiro256PlusPlus;

/// A uniform draw in `[0, 1)` kept as the 53-bit integer `v` it is made of:
/// `rand`'s `StandardUniform` for `f64` returns `v x 2^-53` with `v` the top
/// 53 bits of one `u64`, so [`unit_bits`] consumes the stream exactly as
/// `rng.random::<f64>()` does and [`UnitBits::unit`] is that same number.
///
/// Why: a table of `2^k` intervals read at `u x 2^k` needs `floor` and the
/// fraction, which a float-to-integer conversion makes slow (saturating
/// casts); from the integer they are a shift and a mask, and bit for bit
/// the same numbers since every step is exact in binary floating point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct UnitBits(pub u64);

/// Bits of a [`UnitBits`] draw.
const UNIT_BITS: u32 = 53;

impl UnitBits {
    /// The draw as a float in `[0, 1)`, equal to `rng.random::<f64>()`'s.
    #[inline(always)]
    pub fn unit(self) -> f64 {
        // Through i64: one instruction, and exact, since the value is below 2^53.
        self.0 as i64 as f64 * (1.0 / (1u64 << UNIT_BITS) as f64)
    }

    /// The draw made of one word of the stream (its top 53 bits).
    #[inline(always)]
    pub fn of_word(word: u64) -> Self {
        UnitBits(word >> (64 - UNIT_BITS))
    }

    /// Interval `i` and fraction `frac` of the draw in a table of
    /// `2^log2_intervals` intervals: `u x 2^k = i + frac`, exactly.
    #[inline(always)]
    pub fn interval(self, log2_intervals: u32) -> (usize, f64) {
        let shift = UNIT_BITS - log2_intervals;
        // The mask changes nothing (the draw has 53 bits) but tells the
        // compiler that the index is in the table: no bounds check.
        let i = (self.0 >> shift) as usize & ((1 << log2_intervals) - 1);
        let frac = (self.0 & ((1u64 << shift) - 1)) as i64 as f64 * (1.0 / (1u64 << shift) as f64);
        (i, frac)
    }
}

/// One uniform draw as [`UnitBits`] (one `u64` of the stream).
#[inline(always)]
pub(crate) fn unit_bits<R: Rng + ?Sized>(rng: &mut R) -> UnitBits {
    UnitBits::of_word(rng.next_u64())
}

/// log2 of [`TABLE_INTERVALS`].
const TABLE_LOG2: u32 = TABLE_INTERVALS.trailing_zeros();
const _: () = assert!(TABLE_INTERVALS == 1 << TABLE_LOG2);

/// How Beta-PERT distributions are sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamplerMode {
    /// Inverse of a 4,096-interval quantile table (fast; Kolmogorov distance <= 1/4096).
    #[default]
    Table,
    /// `rand_distr::Pert` (Beta sampler) for every draw.
    Exact,
}

/// Why a distribution cannot be sampled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SamplingError {
    /// A parameter the sampler refuses (only reachable with unvalidated input).
    #[error("cannot sample {what}: {why}")]
    Invalid {
        /// The distribution, as written.
        what: String,
        /// Why.
        why: String,
    },
}

/// A ready-to-draw distribution.
#[derive(Debug, Clone)]
pub struct Sampler {
    kind: Kind,
    mean: f64,
}

#[derive(Debug, Clone)]
enum Kind {
    Constant(f64),
    Uniform {
        low: f64,
        high: f64,
        dist: rand::distr::Uniform<f64>,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
        dist: rand_distr::Triangular<f64>,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
        dist: rand_distr::LogNormal<f64>,
    },
    Pert {
        table: Arc<PertTable>,
        exact: Option<rand_distr::Pert<f64>>,
    },
}

/// The quantile and distribution function of one Beta-PERT, tabulated.
#[derive(Debug)]
pub struct PertTable {
    low: f64,
    high: f64,
    /// Beta exponents: the end intervals follow the density's power law.
    alpha: f64,
    beta: f64,
    /// `quantile[i]` = Q(i / TABLE_INTERVALS), `TABLE_INTERVALS + 1` values.
    quantile: Box<[f64; TABLE_INTERVALS + 1]>,
    /// `cdf[j]` = F(low + j (high - low) / INTEGRATION_CELLS).
    cdf: Vec<f64>,
    /// INTEGRATION_CELLS / (high - low).
    cdf_scale: f64,
}

impl PertTable {
    /// Tabulates PERT(`low`, `mode`, `high`) with shape `shape` (needs `low < high`, `shape > 0`).
    pub fn new(low: f64, mode: f64, high: f64, shape: f64) -> Self {
        let range = high - low;
        // shape x (mode - low) may overflow where shape x its share of the range does not.
        let exponent = |part: f64| {
            let e = 1.0 + shape * part / range;
            if e.is_finite() {
                e
            } else {
                1.0 + shape * (part / range)
            }
        };
        let alpha = exponent(mode - low);
        let beta = exponent(high - mode);
        // Beta density on [0, 1] (alpha, beta >= 1, so it is bounded), times
        // 1 / B(alpha, beta). Once alpha + beta passes about 1,000, 1 / B
        // overflows while x^(alpha-1) (1-x)^(beta-1) underflows (a PERT shape
        // of 2,000 made 0 x inf = NaN); the density is then computed in
        // logarithms. Below that the plain product is kept, bit for bit.
        let ln_beta = statrs::function::beta::checked_ln_beta(alpha, beta)
            .ok()
            .filter(|l| l.is_finite());
        let plain_norm = ln_beta.map_or(f64::NAN, |l| (-l).exp());
        let in_logs = !plain_norm.is_finite();
        let norm = if in_logs { 1.0 } else { plain_norm };
        let ln_norm = ln_beta.map_or(0.0, |l| -l);
        let density = |x: f64| {
            let x = x.clamp(0.0, 1.0);
            let d = if in_logs {
                (ln_norm + xlogy(alpha - 1.0, x) + xlogy(beta - 1.0, 1.0 - x)).exp()
            } else {
                x.powf(alpha - 1.0) * (1.0 - x).powf(beta - 1.0)
            };
            if d.is_finite() { d } else { 0.0 }
        };
        // F at the cell boundaries: the regularised incomplete beta function
        // (statrs) near both ends, where the density may have an infinite slope,
        // Simpson's rule on the smooth middle.
        let m = INTEGRATION_CELLS;
        let h = 1.0 / m as f64;
        const EDGE: usize = 64;
        let exact = |j: usize| {
            statrs::function::beta::checked_beta_reg(alpha, beta, (j as f64 * h).min(1.0)).ok()
        };
        let mut cdf = Vec::with_capacity(m + 1);
        let mut left = density(0.0);
        let mut acc = 0.0f64;
        for j in 0..=m {
            let value = if j <= EDGE || j >= m - EDGE {
                exact(j)
            } else {
                None
            };
            let x0 = (j as f64 - 1.0) * h;
            if j > 0 {
                let mid = density(x0 + h / 2.0);
                let right = density(x0 + h);
                acc += h / 6.0 * (left + 4.0 * mid + right) * norm;
                left = right;
            }
            let v = match value {
                Some(v) if v.is_finite() => {
                    acc = v;
                    v
                }
                _ => acc,
            };
            let prev = cdf.last().copied().unwrap_or(0.0f64);
            // max/min (not clamp): a NaN from statrs never reaches the table.
            cdf.push(v.max(prev).min(1.0));
        }
        if cdf[m] <= 0.0 {
            // Fallback (not reached for a validated PERT): a uniform table.
            cdf.iter_mut()
                .enumerate()
                .for_each(|(j, c)| *c = j as f64 / m as f64);
        }
        cdf[0] = 0.0;
        cdf[m] = 1.0;
        let k = TABLE_INTERVALS;
        let mut quantile = Vec::with_capacity(k + 1);
        let mut cell = 0usize;
        for i in 0..=k {
            let u = i as f64 / k as f64;
            while cell < m - 1 && cdf[cell + 1] < u {
                cell += 1;
            }
            let (c0, c1) = (cdf[cell], cdf[cell + 1]);
            let frac = if c1 > c0 {
                ((u - c0) / (c1 - c0)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let x = (cell as f64 + frac) * h;
            quantile.push(low + range * x);
        }
        quantile[0] = low;
        quantile[k] = high;
        // A fixed length lets the compiler see that an index taken from the
        // top bits of a draw is in range: no bounds checks in the engine.
        let quantile: Box<[f64; TABLE_INTERVALS + 1]> = quantile
            .into_boxed_slice()
            .try_into()
            .expect("TABLE_INTERVALS + 1 knots");
        PertTable {
            low,
            high,
            alpha,
            beta,
            quantile,
            cdf,
            cdf_scale: INTEGRATION_CELLS as f64 / range,
        }
    }

    /// Q(u): linear interpolation between the knots, except in the first and
    /// last intervals, which follow the density's power law at the bounds
    /// (F(x) ~ (x - low)^alpha, 1 - F(x) ~ (high - x)^beta).
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        let pos = u.clamp(0.0, 1.0) * TABLE_INTERVALS as f64;
        let i = (pos as usize).min(TABLE_INTERVALS - 1);
        let frac = pos - i as f64;
        let (a, b) = (self.quantile[i], self.quantile[i + 1]);
        if i == 0 {
            return a + (b - a) * frac.powf(1.0 / self.alpha);
        }
        if i == TABLE_INTERVALS - 1 {
            return b - (b - a) * (1.0 - frac).powf(1.0 / self.beta);
        }
        a + (b - a) * frac
    }

    /// [`Self::quantile_of`] of each word's draw ([`UnitBits::of_word`]): the interior
    /// intervals in one pass without branches (it vectorises), then the rare
    /// draws in the two end intervals (2 in 4,096) redone with their power law.
    pub(crate) fn quantiles_of_words(&self, words: &[u64], out: &mut [f64]) {
        let shift = 64 - TABLE_LOG2;
        let frac_bits = UNIT_BITS - TABLE_LOG2;
        let scale = 1.0 / (1u64 << frac_bits) as f64;
        for (&w, x) in words.iter().zip(out.iter_mut()) {
            let i = (w >> shift) as usize;
            let frac = ((w >> (64 - UNIT_BITS)) & ((1 << frac_bits) - 1)) as i64 as f64 * scale;
            let (a, b) = (self.quantile[i], self.quantile[i + 1]);
            *x = a + (b - a) * frac;
        }
        for (&w, x) in words.iter().zip(out.iter_mut()) {
            let i = (w >> shift) as usize;
            if i == 0 || i == TABLE_INTERVALS - 1 {
                *x = self.quantile_of(UnitBits::of_word(w));
            }
        }
    }

    /// [`Self::quantile`] at the uniform draw `u`: the same number, without
    /// the float-to-index conversion.
    #[inline(always)]
    pub(crate) fn quantile_of(&self, u: UnitBits) -> f64 {
        let (i, frac) = u.interval(TABLE_LOG2);
        let (a, b) = (self.quantile[i], self.quantile[i + 1]);
        if i == 0 {
            return a + (b - a) * frac.powf(1.0 / self.alpha);
        }
        if i == TABLE_INTERVALS - 1 {
            return b - (b - a) * (1.0 - frac).powf(1.0 / self.beta);
        }
        a + (b - a) * frac
    }

    /// F(x) by linear interpolation of the integrated density.
    #[inline]
    pub fn cdf(&self, x: f64) -> f64 {
        if x <= self.low {
            return 0.0;
        }
        if x >= self.high {
            return 1.0;
        }
        let pos = (x - self.low) * self.cdf_scale;
        let j = (pos as usize).min(INTEGRATION_CELLS - 1);
        let frac = pos - j as f64;
        let (a, b) = (self.cdf[j], self.cdf[j + 1]);
        a + (b - a) * frac
    }

    /// Mean of the tabulated distribution (integral of its quantile function).
    pub fn mean(&self) -> f64 {
        let k = TABLE_INTERVALS;
        let q = &self.quantile;
        let inner: f64 = q[1..k].windows(2).map(|w| (w[0] + w[1]) / 2.0).sum();
        // Power-law ends: the mean of t^(1/a) over [0, 1] is a / (a + 1).
        let first = q[0] + (q[1] - q[0]) * (self.alpha / (self.alpha + 1.0));
        let last = q[k] - (q[k] - q[k - 1]) * (self.beta / (self.beta + 1.0));
        (inner + first + last) / k as f64
    }
}

/// `a ln(x)`, with `0 ln(0) = 0` (the density's exponent is 0 when alpha or beta is 1).
#[inline]
fn xlogy(a: f64, x: f64) -> f64 {
    if a == 0.0 { 0.0 } else { a * x.ln() }
}

/// PERT tables computed once per distinct (low, mode, high, shape), in parallel.
#[derive(Debug, Default, Clone)]
pub struct TableCache {
    tables: std::collections::HashMap<[u64; 4], Arc<PertTable>>,
}

impl TableCache {
    fn key(low: f64, mode: f64, high: f64, shape: f64) -> [u64; 4] {
        [
            low.to_bits(),
            mode.to_bits(),
            high.to_bits(),
            shape.to_bits(),
        ]
    }

    /// Computes the tables of every valid PERT among `dists` (on the current rayon pool).
    pub fn prepare<'a>(&mut self, dists: impl IntoIterator<Item = &'a Distribution>) {
        use rayon::prelude::*;
        let mut todo: Vec<[f64; 4]> = Vec::new();
        for d in dists {
            if let Distribution::Pert {
                low,
                mode,
                high,
                shape,
            } = *d
            {
                let ok = [low, mode, high, shape].iter().all(|v| v.is_finite())
                    && low <= mode
                    && mode <= high
                    && low < high
                    && shape > 0.0;
                let key = Self::key(low, mode, high, shape);
                if ok
                    && !self.tables.contains_key(&key)
                    && !todo
                        .iter()
                        .any(|t| Self::key(t[0], t[1], t[2], t[3]) == key)
                {
                    todo.push([low, mode, high, shape]);
                }
            }
        }
        let built: Vec<([u64; 4], Arc<PertTable>)> = todo
            .par_iter()
            .map(|t| {
                (
                    Self::key(t[0], t[1], t[2], t[3]),
                    Arc::new(PertTable::new(t[0], t[1], t[2], t[3])),
                )
            })
            .collect();
        self.tables.extend(built);
    }

    /// The table of PERT(low, mode, high; shape), computed now if not prepared.
    pub fn get(&self, low: f64, mode: f64, high: f64, shape: f64) -> Arc<PertTable> {
        match self.tables.get(&Self::key(low, mode, high, shape)) {
            Some(t) => Arc::clone(t),
            None => Arc::new(PertTable::new(low, mode, high, shape)),
        }
    }
}

fn invalid(d: &Distribution, why: impl ToString) -> SamplingError {
    SamplingError::Invalid {
        what: d.describe(),
        why: why.to_string(),
    }
}

impl Sampler {
    /// Builds the sampler of `d`.
    pub fn new(d: &Distribution, mode: SamplerMode) -> Result<Self, SamplingError> {
        Self::with_tables(d, mode, &TableCache::default())
    }

    /// Builds the sampler of `d`, taking PERT tables from `cache` when it has them.
    pub fn with_tables(
        d: &Distribution,
        mode: SamplerMode,
        cache: &TableCache,
    ) -> Result<Self, SamplingError> {
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        let kind = match *d {
            Distribution::Constant { value } => {
                if !value.is_finite() {
                    return Err(invalid(d, "value is not finite"));
                }
                Kind::Constant(value)
            }
            Distribution::Uniform { low, high } => {
                if !finite(&[low, high]) || low > high {
                    return Err(invalid(d, "needs finite low <= high"));
                }
                if low == high {
                    Kind::Constant(low)
                } else {
                    let dist = rand::distr::Uniform::new_inclusive(low, high)
                        .map_err(|e| invalid(d, e))?;
                    Kind::Uniform { low, high, dist }
                }
            }
            Distribution::Triangular { low, mode: m, high } => {
                if !(finite(&[low, m, high]) && low <= m && m <= high && low < high) {
                    return Err(invalid(d, "needs finite low <= mode <= high, low < high"));
                }
                let dist = rand_distr::Triangular::new(low, high, m).map_err(|e| invalid(d, e))?;
                Kind::Triangular {
                    low,
                    mode: m,
                    high,
                    dist,
                }
            }
            Distribution::LognormalCi90 { low, high } => {
                if !(finite(&[low, high]) && low > 0.0 && low < high) {
                    return Err(invalid(d, "needs finite 0 < low < high"));
                }
                let (mu, sigma) = lognormal_params(low, high);
                let dist = rand_distr::LogNormal::new(mu, sigma).map_err(|e| invalid(d, e))?;
                Kind::LogNormal { mu, sigma, dist }
            }
            Distribution::Pert {
                low,
                mode: m,
                high,
                shape,
            } => {
                if !(finite(&[low, m, high, shape])
                    && low <= m
                    && m <= high
                    && low < high
                    && shape > 0.0)
                {
                    return Err(invalid(
                        d,
                        "needs finite low <= mode <= high, low < high, shape > 0",
                    ));
                }
                let exact = match mode {
                    SamplerMode::Exact => Some(
                        rand_distr::Pert::new(low, high)
                            .with_shape(shape)
                            .with_mode(m)
                            .map_err(|e| invalid(d, e))?,
                    ),
                    SamplerMode::Table => None,
                };
                Kind::Pert {
                    table: cache.get(low, m, high, shape),
                    exact,
                }
            }
        };
        Ok(Sampler {
            kind,
            mean: d.mean(),
        })
    }

    /// A sampler that always returns `value`.
    pub fn constant(value: f64) -> Self {
        Sampler {
            kind: Kind::Constant(value),
            mean: value,
        }
    }

    /// The closed-form mean of the distribution.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// True for a constant.
    pub fn is_constant(&self) -> bool {
        matches!(self.kind, Kind::Constant(_))
    }

    /// One draw.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.kind {
            Kind::Constant(v) => *v,
            Kind::Uniform { dist, .. } => dist.sample(rng),
            Kind::Triangular { dist, .. } => dist.sample(rng),
            Kind::LogNormal { dist, .. } => dist.sample(rng),
            Kind::Pert { exact: Some(p), .. } => p.sample(rng),
            Kind::Pert { table, exact: None } => table.quantile_of(unit_bits(rng)),
        }
    }

    /// The PERT table this sampler reads one word of the stream for, per
    /// draw (`None` for every other sampler).
    pub(crate) fn one_word_table(&self) -> Option<&PertTable> {
        match &self.kind {
            Kind::Pert { table, exact: None } => Some(table),
            _ => None,
        }
    }

    /// The value at probability `u` in `[0, 1]` (inverse distribution function).
    #[inline(always)]
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match &self.kind {
            Kind::Constant(v) => *v,
            Kind::Uniform { low, high, .. } => low + (high - low) * u,
            Kind::Triangular {
                low, mode, high, ..
            } => {
                let (range, left) = (high - low, mode - low);
                if u * range < left {
                    low + (u * range * left).sqrt()
                } else {
                    high - ((1.0 - u) * range * (high - mode)).sqrt()
                }
            }
            Kind::LogNormal { mu, sigma, .. } => {
                if u <= 0.0 {
                    return 0.0;
                }
                if u >= 1.0 {
                    return f64::INFINITY;
                }
                let z = -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * u);
                (mu + sigma * z).exp()
            }
            Kind::Pert { table, .. } => table.quantile(u),
        }
    }

    /// `P(X > x)`.
    #[inline(always)]
    pub fn exceedance(&self, x: f64) -> f64 {
        match &self.kind {
            Kind::Constant(v) => {
                if *v > x {
                    1.0
                } else {
                    0.0
                }
            }
            Kind::Uniform { low, high, .. } => ((high - x) / (high - low)).clamp(0.0, 1.0),
            Kind::Triangular {
                low, mode, high, ..
            } => {
                if x <= *low {
                    1.0
                } else if x >= *high {
                    0.0
                } else if x <= *mode {
                    1.0 - (x - low) * (x - low) / ((high - low) * (mode - low))
                } else {
                    (high - x) * (high - x) / ((high - low) * (high - mode))
                }
            }
            Kind::LogNormal { mu, sigma, .. } => {
                if x <= 0.0 {
                    return 1.0;
                }
                0.5 * statrs::function::erf::erfc(
                    (x.ln() - mu) / (sigma * std::f64::consts::SQRT_2),
                )
            }
            Kind::Pert { table, .. } => 1.0 - table.cdf(x),
        }
    }
}

/// Mixes a 64-bit value (SplitMix64 finaliser).
#[inline]
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of chunk `chunk` of stream `stream` (single organisation,
/// portfolio, ...) for run seed `seed`: independent of threads.
pub fn chunk_rng(seed: u64, stream: u64, chunk: u64) -> EngineRng {
    let mut state = splitmix64(seed ^ splitmix64(stream.wrapping_mul(0xA24B_AED4_963E_E407)));
    state = splitmix64(state ^ splitmix64(chunk.wrapping_add(0x5851_F42D_4C95_7F2D)));
    let mut bytes = [0u8; 32];
    for word in bytes.chunks_exact_mut(8) {
        state = splitmix64(state);
        word.copy_from_slice(&state.to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(bytes)
}

/// Number of events of a Poisson process with mean `lambda` in one year.
///
/// Below a mean of 30: the number of arrivals of a unit-rate Poisson process
/// before time `lambda` (exponential gaps from `rand_distr::Exp1`, a ziggurat
/// sampler); above: `rand_distr::Poisson` (rejection sampling). Both are exact.
#[inline(always)]
pub fn poisson<R: Rng + ?Sized>(lambda: f64, rng: &mut R) -> u64 {
    if lambda <= 0.0 || lambda.is_nan() {
        return 0;
    }
    if lambda < 30.0 {
        // Arrivals of a unit-rate Poisson process before time lambda.
        let mut t: f64 = rand_distr::Exp1.sample(rng);
        let mut k = 0u64;
        while t < lambda {
            k += 1;
            t += RandDistribution::<f64>::sample(&rand_distr::Exp1, rng);
        }
        k
    } else if lambda < 1e15 {
        match rand_distr::Poisson::new(lambda) {
            Ok(d) => d.sample(rng) as u64,
            Err(_) => lambda.round() as u64,
        }
    } else {
        lambda.round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    fn rng() -> EngineRng {
        chunk_rng(7, 0, 0)
    }

    fn mean_of(s: &Sampler, n: usize) -> (f64, f64) {
        let mut r = rng();
        let (mut sum, mut sq) = (0.0, 0.0);
        for _ in 0..n {
            let x = s.sample(&mut r);
            sum += x;
            sq += x * x;
        }
        let mean = sum / n as f64;
        (mean, (sq / n as f64 - mean * mean).max(0.0).sqrt())
    }

    /// The integer path reads the same table cells as the float path, bit for
    /// bit: the engine's output did not change when it switched.
    #[test]
    fn unit_bits_give_the_float_draw_and_its_quantile_exactly() {
        let table = PertTable::new(10_000.0, 100_000.0, 5_000_000.0, 4.0);
        let (mut a, mut b) = (rng(), rng());
        for _ in 0..200_000 {
            let bits = unit_bits(&mut a);
            let float: f64 = b.random();
            assert_eq!(bits.unit().to_bits(), float.to_bits());
            assert_eq!(
                table.quantile_of(bits).to_bits(),
                table.quantile(float).to_bits()
            );
        }
        let top = (1u64 << UNIT_BITS) - 1;
        let step = 1u64 << (UNIT_BITS - TABLE_LOG2);
        for v in [0, 1, step - 1, step, step + 1, top - step, top - 1, top] {
            let bits = UnitBits(v);
            assert_eq!(
                table.quantile_of(bits).to_bits(),
                table.quantile(bits.unit()).to_bits(),
                "v = {v}"
            );
        }
    }

    #[test]
    fn a_block_of_words_gives_the_draws_one_by_one_bit_for_bit() {
        let table = PertTable::new(0.5, 2.0, 10.0, 4.0);
        let mut r = rng();
        let mut words: Vec<u64> = (0..100_000).map(|_| r.next_u64()).collect();
        // Both end intervals (power law) and their neighbours.
        let step = 1u64 << (64 - TABLE_LOG2);
        words.extend([
            0,
            1,
            step - 1,
            step,
            u64::MAX - step,
            u64::MAX - step + 1,
            u64::MAX,
        ]);
        let mut out = vec![0.0; words.len()];
        table.quantiles_of_words(&words, &mut out);
        for (&w, x) in words.iter().zip(&out) {
            let one = table.quantile_of(UnitBits::of_word(w));
            assert_eq!(x.to_bits(), one.to_bits(), "word {w:#x}");
        }
        let pert = Sampler::new(
            &Distribution::Pert {
                low: 0.5,
                mode: 2.0,
                high: 10.0,
                shape: 4.0,
            },
            SamplerMode::Table,
        )
        .unwrap();
        let (mut a, mut b) = (rng(), rng());
        let direct = (0..1000).map(|_| pert.sample(&mut a).to_bits());
        let via_word = (0..1000).map(|_| {
            let table = pert.one_word_table().expect("a PERT table");
            table.quantile_of(unit_bits(&mut b)).to_bits()
        });
        assert!(direct.eq(via_word));
        let uniform = Sampler::new(
            &Distribution::Uniform {
                low: 0.0,
                high: 1.0,
            },
            SamplerMode::Table,
        );
        assert!(uniform.unwrap().one_word_table().is_none());
    }

    #[test]
    fn pert_mean_is_a_plus_4m_plus_b_over_6_in_both_modes() {
        let d = Distribution::Pert {
            low: 10e3,
            mode: 100e3,
            high: 5e6,
            shape: 4.0,
        };
        let closed = (10e3 + 4.0 * 100e3 + 5e6) / 6.0;
        for mode in [SamplerMode::Table, SamplerMode::Exact] {
            let s = Sampler::new(&d, mode).unwrap();
            let n = 400_000;
            let (mean, sd) = mean_of(&s, n);
            // Five standard errors: fails with probability below 1e-6 if the sampler is right.
            let tol = 5.0 * sd / (n as f64).sqrt();
            assert!(
                (mean - closed).abs() < tol,
                "{mode:?}: {mean} vs {closed} (tol {tol})"
            );
        }
        // The table's own mean (no sampling) matches to 1e-5 relative.
        let t = PertTable::new(10e3, 100e3, 5e6, 4.0);
        assert!((t.mean() / closed - 1.0).abs() < 1e-5, "{}", t.mean());
    }

    #[test]
    fn pert_table_quantiles_match_the_beta_distribution() {
        use statrs::distribution::{Beta, ContinuousCDF};
        for (low, mode, high, shape) in [
            (0.0, 0.2, 1.0, 4.0),
            (10.0, 12.0, 50.0, 4.0),
            (0.0, 0.9, 1.0, 6.0),
        ] {
            let t = PertTable::new(low, mode, high, shape);
            let range = high - low;
            let beta = Beta::new(
                1.0 + shape * (mode - low) / range,
                1.0 + shape * (high - mode) / range,
            )
            .unwrap();
            for u in [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
                let x = t.quantile(u);
                let f = beta.cdf((x - low) / range);
                assert!(
                    (f - u).abs() < 1e-5,
                    "PERT({low},{mode},{high}) u={u}: F(Q(u))={f}"
                );
                assert!((t.cdf(x) - u).abs() < 1e-5);
            }
        }
    }

    /// Worst `|F(Q(u)) - u|` of the table of PERT(0, mode, 1; shape) over a grid of `u`.
    fn worst_table_error(mode: f64, shape: f64) -> f64 {
        use statrs::distribution::{Beta, ContinuousCDF};
        let t = PertTable::new(0.0, mode, 1.0, shape);
        let beta = Beta::new(1.0 + shape * mode, 1.0 + shape * (1.0 - mode)).unwrap();
        (1..1000)
            .map(|i| {
                let u = i as f64 / 1000.0;
                (beta.cdf(t.quantile(u)) - u).abs()
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn the_table_keeps_its_accuracy_up_to_the_largest_valid_shape() {
        // The worst modes sit a few table cells from either bound.
        let shape = holisec_model::dist::MAX_PERT_SHAPE;
        let bound = 1.0 / TABLE_INTERVALS as f64 + 1e-5;
        for mode in [
            0.0, 0.002, 0.005, 0.01, 0.1, 0.5, 0.9, 0.99, 0.995, 0.998, 1.0,
        ] {
            let e = worst_table_error(mode, shape);
            assert!(
                e <= bound,
                "shape {shape}, mode {mode}: {e:.2e} > {bound:.2e}"
            );
        }
    }

    #[test]
    fn huge_shapes_give_finite_ordered_tables_instead_of_panicking() {
        // A shape of 2,000 made 1 / B(alpha, beta) overflow while the density
        // underflowed: NaN in the table and a panic in `clamp`.
        for shape in [2_000.0, 1e6, 1e12, 1e300, f64::MAX] {
            for (low, mode, high) in [(0.0, 0.5, 1.0), (0.0, 0.0, 1.0), (1e3, 2e3, 1e9)] {
                let t = PertTable::new(low, mode, high, shape);
                let mut last = low;
                for i in 0..=100 {
                    let x = t.quantile(i as f64 / 100.0);
                    assert!(
                        x.is_finite() && x >= last && x <= high,
                        "{shape} {mode}: {x}"
                    );
                    last = x;
                    let f = t.cdf(x);
                    assert!((0.0..=1.0).contains(&f), "{shape} {mode}: F = {f}");
                }
                assert!(t.mean().is_finite(), "{shape} {mode}: mean {}", t.mean());
            }
        }
        // Still a good approximation of the (very peaked) distribution: the
        // median sits at the mode.
        let t = PertTable::new(0.0, 0.5, 1.0, 2_000.0);
        assert!((t.quantile(0.5) - 0.5).abs() < 1e-3, "{}", t.quantile(0.5));
    }

    #[test]
    fn lognormal_90_percent_interval_is_recovered() {
        let d = Distribution::LognormalCi90 {
            low: 1e5,
            high: 1e7,
        };
        let s = Sampler::new(&d, SamplerMode::Table).unwrap();
        let mut r = rng();
        let n = 200_000;
        let mut xs: Vec<f64> = (0..n).map(|_| s.sample(&mut r)).collect();
        xs.sort_by(f64::total_cmp);
        let p5 = xs[n / 20];
        let p95 = xs[n * 19 / 20];
        // The sample proportion below the true 5th percentile has sd sqrt(.05 .95 / n) = 0.00049;
        // 0.003 in probability is six of those. Check in probability space.
        let below = |x: f64| xs.partition_point(|&v| v < x) as f64 / n as f64;
        assert!(
            (below(1e5) - 0.05).abs() < 0.003,
            "P(X < 1e5) = {}",
            below(1e5)
        );
        assert!(
            (below(1e7) - 0.95).abs() < 0.003,
            "P(X < 1e7) = {}",
            below(1e7)
        );
        assert!(
            p5 > 0.9e5 && p5 < 1.1e5 && p95 > 0.9e7 && p95 < 1.1e7,
            "{p5} {p95}"
        );
        // Quantile and exceedance are consistent with the interval too.
        assert!((s.quantile(0.05) / 1e5 - 1.0).abs() < 1e-9);
        assert!((s.quantile(0.95) / 1e7 - 1.0).abs() < 1e-9);
        assert!((s.exceedance(1e7) - 0.05).abs() < 1e-9);
    }

    #[test]
    fn poisson_zero_event_probability_is_exp_minus_lambda() {
        for lambda in [0.05f64, 0.7, 3.0, 45.0] {
            let mut r = rng();
            let n = 200_000;
            let (mut zeros, mut sum) = (0u64, 0u64);
            for _ in 0..n {
                let k = poisson(lambda, &mut r);
                zeros += u64::from(k == 0);
                sum += k;
            }
            let p0 = (-lambda).exp();
            let got = zeros as f64 / n as f64;
            let tol = 5.0 * (p0 * (1.0 - p0) / n as f64).sqrt() + 1e-12;
            assert!(
                (got - p0).abs() <= tol,
                "lambda {lambda}: P(0) {got} vs {p0}"
            );
            let mean = sum as f64 / n as f64;
            assert!(
                (mean - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
                "lambda {lambda}: mean {mean}"
            );
        }
    }

    #[test]
    fn exceedance_and_quantile_agree_for_every_shape() {
        let dists = [
            Distribution::Uniform {
                low: 0.2,
                high: 0.6,
            },
            Distribution::Triangular {
                low: 0.1,
                mode: 0.3,
                high: 0.9,
            },
            Distribution::Pert {
                low: 0.1,
                mode: 0.5,
                high: 0.8,
                shape: 4.0,
            },
            Distribution::LognormalCi90 {
                low: 1.0,
                high: 100.0,
            },
        ];
        for d in &dists {
            let s = Sampler::new(d, SamplerMode::Table).unwrap();
            for u in [0.1, 0.5, 0.9] {
                let x = s.quantile(u);
                assert!((1.0 - s.exceedance(x) - u).abs() < 1e-4, "{d:?} at {u}");
            }
        }
        let c = Sampler::new(&Distribution::Constant { value: 0.5 }, SamplerMode::Table).unwrap();
        assert_eq!((c.exceedance(0.4), c.exceedance(0.5)), (1.0, 0.0));
    }

    #[test]
    fn chunk_streams_differ_and_repeat() {
        let a: u64 = chunk_rng(1, 0, 0).random();
        let b: u64 = chunk_rng(1, 0, 1).random();
        let c: u64 = chunk_rng(2, 0, 0).random();
        let d: u64 = chunk_rng(1, 1, 0).random();
        assert_eq!(a, chunk_rng(1, 0, 0).random::<u64>());
        assert!(a != b && a != c && a != d && b != c);
    }
}
