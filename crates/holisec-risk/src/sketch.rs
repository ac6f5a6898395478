//! Streaming statistics: memory that does not grow with the number of iterations.
//!
//! * [`Moments`]: count, sum (for the mean) and the sum of squared deviations
//!   (for the variance), mergeable with Chan's formula.
//! * [`LogHistogram`]: a mergeable log-spaced histogram of non-negative values
//!   (the DDSketch construction, with its linearly interpolated mapping).
//!   Positive values fall in buckets whose bounds are equally spaced in
//!   `L(x) = e + m - 1` (for `x = 2^e m`, log2 interpolated linearly within each
//!   octave and read from the float's bits), with spacing `ln g`, where
//!   `g = (1 + a) / (1 - a)` and `a` = [`RELATIVE_ACCURACY`]. Since `L` grows at
//!   least as fast as `ln`, every bucket spans a ratio of at most `g`, and its
//!   representative `2 lo hi / (lo + hi)` is within a relative `a` of every value
//!   in it. Any quantile is therefore returned within 0.5% (relative) of the
//!   exact order statistic of the same rank; zeros are counted exactly. Values
//!   from 1e-6 to 1e18 are bucketed (at most about 8,000 buckets, allocated only
//!   over the range actually seen); smaller positive values count as 1e-6,
//!   larger ones as the largest value seen.
//! * [`Stat`]: both, plus how many iterations had at least one loss event.
//!
//! Merging is integer addition for the histogram, so the only order-dependent
//! floating-point operation is the sum, which the engine performs in chunk order.

use serde::{Deserialize, Serialize};

/// Relative accuracy of every quantile the histogram returns.
pub const RELATIVE_ACCURACY: f64 = 0.005;
const MIN_TRACKED: f64 = 1e-6;
const MAX_TRACKED: f64 = 1e18;

/// 1 / ln(gamma) = 1 / ln(1.005 / 0.995).
const INV_LN_GAMMA: f64 = 1.0 / 0.010_000_083_334_583_179;

/// log2 of a positive normal float, linearly interpolated within each octave.
#[inline]
fn approx_log2(x: f64) -> f64 {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    exponent as f64 + (mantissa - 1.0)
}

#[cfg(test)]
fn gamma() -> f64 {
    (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)
}

/// Running count, mean and variance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moments {
    n: u64,
    sum: f64,
    /// Sum of squared deviations from the mean, for merged data.
    m2: f64,
    /// Shifted sums of the values pushed since the last `seal` (shift = first value).
    shift: f64,
    open_n: u64,
    open_d: f64,
    open_d2: f64,
}

impl Moments {
    /// Adds one value.
    #[inline(always)]
    pub fn push(&mut self, x: f64) {
        if self.open_n == 0 {
            self.shift = x;
        }
        let d = x - self.shift;
        self.open_n += 1;
        self.open_d += d;
        self.open_d2 += d * d;
        self.n += 1;
        self.sum += x;
    }

    /// Folds the shifted sums into the merged variance (called before merging).
    fn seal(&mut self) {
        if self.open_n == 0 {
            return;
        }
        let k = self.open_n as f64;
        let open_mean_d = self.open_d / k;
        let open_m2 = (self.open_d2 - self.open_d * open_mean_d).max(0.0);
        let open_mean = self.shift + open_mean_d;
        let prior_n = (self.n - self.open_n) as f64;
        if prior_n == 0.0 {
            self.m2 = open_m2;
        } else {
            let prior_mean = (self.sum - (self.shift * k + self.open_d)) / prior_n;
            let delta = open_mean - prior_mean;
            self.m2 += open_m2 + delta * delta * prior_n * k / (prior_n + k);
        }
        self.open_n = 0;
        self.open_d = 0.0;
        self.open_d2 = 0.0;
    }

    /// Adds `k` zeros at once (a block of mean 0 and no spread, merged with
    /// Chan's formula): what `k` calls of `push(0.0)` add, up to rounding.
    pub fn push_zeros(&mut self, k: u64) {
        if k == 0 {
            return;
        }
        self.merge(&Moments {
            n: k,
            ..Moments::default()
        });
    }

    /// Adds `other` (Chan et al.'s parallel formula).
    pub fn merge(&mut self, other: &Moments) {
        self.seal();
        let mut other = other.clone();
        other.seal();
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = other;
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let delta = other.sum / nb - self.sum / na;
        self.m2 += other.m2 + delta * delta * na * nb / (na + nb);
        self.n += other.n;
        self.sum += other.sum;
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Sum of the values.
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// Mean (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }

    /// Sample standard deviation.
    pub fn sd(&self) -> f64 {
        let mut s = self.clone();
        s.seal();
        if s.n < 2 {
            0.0
        } else {
            (s.m2 / (s.n - 1) as f64).max(0.0).sqrt()
        }
    }
}

/// Mergeable log-spaced histogram of non-negative values (see the module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogHistogram {
    zeros: u64,
    count: u64,
    offset: i32,
    counts: Vec<u64>,
    min_positive: f64,
    max: f64,
}

impl LogHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        LogHistogram {
            min_positive: f64::INFINITY,
            ..Default::default()
        }
    }

    /// Bucket of `x`: `ceil(L(x) / ln g)` where `L(x) = e + m - 1` for
    /// `x = 2^e m`, `m` in [1, 2), is log2 linearly interpolated within each
    /// octave (read from the float's bits: no logarithm call). `L` grows at
    /// least as fast as `ln`, so a bucket spans a ratio of at most `g`.
    #[inline]
    fn index(x: f64) -> i32 {
        let v = approx_log2(x.clamp(MIN_TRACKED, MAX_TRACKED)) * INV_LN_GAMMA;
        // ceil without a libm call or a branch: truncation rounds towards zero.
        let t = v as i32;
        t + i32::from((t as f64) < v)
    }

    /// Upper bound of bucket `i`: the inverse of the mapping.
    fn bound(i: i32) -> f64 {
        let l = i as f64 / INV_LN_GAMMA;
        let e = l.floor();
        (1.0 + (l - e)) * 2f64.powi(e as i32)
    }

    /// The value reported for bucket `i`: within a relative `a` of every value in it.
    fn representative(i: i32) -> f64 {
        let (lo, hi) = (Self::bound(i - 1), Self::bound(i));
        2.0 * lo * hi / (lo + hi)
    }

    /// Adds one value (negative values and NaN count as zero).
    #[inline(always)]
    pub fn insert(&mut self, x: f64) {
        self.count += 1;
        if x.is_nan() || x <= 0.0 {
            self.zeros += 1;
            return;
        }
        if x < self.min_positive {
            self.min_positive = x;
        }
        if x > self.max {
            self.max = x;
        }
        let i = Self::index(x);
        self.bump(i, 1);
    }

    #[inline]
    fn bump(&mut self, i: i32, by: u64) {
        if self.counts.is_empty() {
            self.offset = i;
            self.counts.push(0);
        }
        if i < self.offset {
            let grow = (self.offset - i) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = i;
        }
        let pos = (i - self.offset) as usize;
        if pos >= self.counts.len() {
            self.counts.resize(pos + 1, 0);
        }
        self.counts[pos] += by;
    }

    /// Adds `k` zeros.
    #[inline]
    pub fn insert_zeros(&mut self, k: u64) {
        self.count += k;
        self.zeros += k;
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &LogHistogram) {
        self.count += other.count;
        self.zeros += other.zeros;
        self.min_positive = self.min_positive.min(other.min_positive);
        self.max = self.max.max(other.max);
        let Some(last) = other.counts.iter().rposition(|&c| c > 0) else {
            return;
        };
        let first = other.counts.iter().position(|&c| c > 0).unwrap_or(last);
        // Widen once to cover other's occupied buckets, then add slice to slice.
        self.bump(other.offset + first as i32, 0);
        self.bump(other.offset + last as i32, 0);
        let start = (other.offset + first as i32 - self.offset) as usize;
        self.counts[start..=start + (last - first)]
            .iter_mut()
            .zip(&other.counts[first..=last])
            .for_each(|(a, b)| *a += b);
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of zero values.
    pub fn zeros(&self) -> u64 {
        self.zeros
    }

    /// Largest value seen (0 when none is positive).
    pub fn max(&self) -> f64 {
        self.max
    }

    /// Smallest positive value seen.
    pub fn min_positive(&self) -> Option<f64> {
        self.min_positive.is_finite().then_some(self.min_positive)
    }

    /// The `q`-quantile (nearest rank: the value of rank `ceil(q n)`), within
    /// [`RELATIVE_ACCURACY`] of the exact order statistic.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank <= self.zeros {
            return 0.0;
        }
        let mut seen = self.zeros;
        for (k, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let v = Self::representative(self.offset + k as i32);
                return v.clamp(self.min_positive, self.max);
            }
        }
        self.max
    }

    /// The `q`-quantile of [`Self::quantile`] (nearest rank `r = ceil(q n)`) at a
    /// finer resolution than one bucket: the rank-`r` value is placed within its
    /// bucket as if the bucket's `c` values were spread evenly over it, the `j`-th
    /// at `(j - 1/2) / c` of the way from its lower to its upper bound (both
    /// clamped to the smallest and largest value seen). It lies in the same
    /// bucket as the exact order statistic, so within one bucket width (a
    /// relative `2a / (1 - a)`, about 1%) of it, and usually much closer; the
    /// smallest positive and the largest value are exact.
    ///
    /// Unlike [`Self::quantile`], it moves by less than a bucket when a few
    /// values cross it: for two runs on common random numbers the difference of
    /// their quantiles is the share of values that crossed, over the local
    /// density, instead of a whole number of bucket widths. If every value of
    /// one histogram is at most its paired value in another, its quantile is at
    /// most the other's (apart from the bucket of the smallest positive value).
    pub fn quantile_interpolated(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank <= self.zeros {
            return 0.0;
        }
        if rank == self.count {
            return self.max;
        }
        if rank == self.zeros + 1 {
            return self.min_positive;
        }
        let mut seen = self.zeros;
        for (k, &c) in self.counts.iter().enumerate() {
            if seen + c >= rank {
                let i = self.offset + k as i32;
                let lo = Self::bound(i - 1).max(self.min_positive);
                let hi = Self::bound(i).min(self.max).max(lo);
                let t = ((rank - seen) as f64 - 0.5) / c as f64;
                return (lo + t * (hi - lo)).clamp(self.min_positive, self.max);
            }
            seen += c;
        }
        self.max
    }

    /// `P(X > x)`, counting the whole bucket that contains `x` as not exceeding it.
    pub fn exceedance(&self, x: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        if x < 0.0 {
            return 1.0;
        }
        if x == 0.0 {
            return (self.count - self.zeros) as f64 / self.count as f64;
        }
        let i = Self::index(x);
        let above: u64 = self
            .counts
            .iter()
            .enumerate()
            .filter(|(k, _)| self.offset + *k as i32 > i)
            .map(|(_, &c)| c)
            .sum();
        above as f64 / self.count as f64
    }

    /// Loss exceedance curve: `points_per_decade` log-spaced losses from the
    /// decade of the smallest positive value to the largest, with `P(X > loss)`.
    pub fn lec(&self, points_per_decade: usize) -> Vec<LecPoint> {
        let Some(min) = self.min_positive() else {
            return Vec::new();
        };
        let start = min.log10().floor();
        let end = self.max.log10().ceil().max(start + 1.0);
        let steps = ((end - start) * points_per_decade as f64).round() as usize;
        let mut out = Vec::with_capacity(steps + 1);
        // One pass over the buckets: exceedance is a suffix sum.
        let mut suffix = vec![0u64; self.counts.len() + 1];
        for k in (0..self.counts.len()).rev() {
            suffix[k] = suffix[k + 1] + self.counts[k];
        }
        for s in 0..=steps {
            let loss = 10f64.powf(start + s as f64 / points_per_decade as f64);
            let i = Self::index(loss);
            let first_above = (i + 1 - self.offset).clamp(0, self.counts.len() as i32) as usize;
            let p = suffix[first_above] as f64 / self.count as f64;
            out.push(LecPoint {
                loss,
                probability: p,
            });
            if p == 0.0 {
                break;
            }
        }
        out
    }
}

/// One point of a loss exceedance curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LecPoint {
    /// Annual loss.
    pub loss: f64,
    /// Probability that the annual loss exceeds it.
    pub probability: f64,
}

/// Everything kept about one simulated quantity (e.g. the total annual loss).
#[derive(Debug, Clone, Default)]
pub struct Stat {
    /// Mean and variance.
    pub moments: Moments,
    /// Distribution.
    pub histogram: LogHistogram,
    /// Iterations with at least one loss event.
    pub with_event: u64,
    /// Sum of loss events over iterations.
    pub events: u64,
}

impl Stat {
    /// An empty statistic.
    pub fn new() -> Self {
        Stat {
            histogram: LogHistogram::new(),
            ..Default::default()
        }
    }

    /// Records one iteration's value and its number of loss events.
    #[inline(always)]
    pub fn record(&mut self, value: f64, events: u64) {
        self.moments.push(value);
        self.histogram.insert(value);
        self.with_event += u64::from(events > 0);
        self.events += events;
    }

    /// Records `k` iterations without a loss event and with a zero value.
    #[inline]
    pub fn record_zeros(&mut self, k: u64) {
        self.moments.push_zeros(k);
        self.histogram.insert_zeros(k);
    }

    /// Adds `other`.
    pub fn merge(&mut self, other: &Stat) {
        self.moments.merge(&other.moments);
        self.histogram.merge(&other.histogram);
        self.with_event += other.with_event;
        self.events += other.events;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::{Sampler, SamplerMode, chunk_rng};
    use holisec_model::Distribution;

    #[test]
    fn quantiles_within_one_percent_of_an_exact_sort_at_a_million_samples() {
        // A compound annual-loss-like sample: many zeros, a heavy right tail.
        let lm = Sampler::new(
            &Distribution::LognormalCi90 {
                low: 1e4,
                high: 5e6,
            },
            SamplerMode::Table,
        )
        .unwrap();
        let mut rng = chunk_rng(3, 0, 0);
        let n = 1_000_000;
        let mut xs = Vec::with_capacity(n);
        let mut h = LogHistogram::new();
        let mut parts = [
            LogHistogram::new(),
            LogHistogram::new(),
            LogHistogram::new(),
        ];
        for i in 0..n {
            let events = crate::sampling::poisson(1.2, &mut rng);
            let x: f64 = (0..events).map(|_| lm.sample(&mut rng)).sum();
            xs.push(x);
            h.insert(x);
            parts[i % 3].insert(x);
        }
        xs.sort_by(f64::total_cmp);
        let mut merged = LogHistogram::new();
        for p in &parts {
            merged.merge(p);
        }
        assert_eq!(merged.quantile(0.99), h.quantile(0.99));
        for q in [0.5, 0.9, 0.95, 0.99, 0.999] {
            let exact = xs[((q * n as f64).ceil() as usize).max(1) - 1];
            let got = h.quantile(q);
            let err = (got - exact).abs() / exact;
            assert!(
                err <= 0.01,
                "q={q}: sketch {got} vs exact {exact} ({:.4}%)",
                err * 100.0
            );
            assert!(
                err <= RELATIVE_ACCURACY + 1e-12,
                "q={q}: error {err} above the stated bound"
            );
            let fine = h.quantile_interpolated(q);
            let bound = 2.0 * RELATIVE_ACCURACY / (1.0 - RELATIVE_ACCURACY);
            assert!(
                (fine - exact).abs() / exact <= bound + 1e-12,
                "q={q}: interpolated {fine} vs exact {exact}"
            );
        }
        // Exceedance at the exact p90 is about 10%.
        let p90 = xs[n * 9 / 10 - 1];
        assert!((h.exceedance(p90) - 0.1).abs() < 0.01);
    }

    #[test]
    fn buckets_span_at_most_gamma_and_contain_their_values() {
        assert!((INV_LN_GAMMA * gamma().ln() - 1.0).abs() < 1e-14);
        let g = gamma();
        for i in -1500..4200 {
            let (lo, hi) = (LogHistogram::bound(i - 1), LogHistogram::bound(i));
            assert!(
                hi > lo && hi / lo <= g * (1.0 + 1e-12),
                "bucket {i}: {lo}..{hi}"
            );
            let r = LogHistogram::representative(i);
            assert!(
                (r - lo) / lo <= RELATIVE_ACCURACY + 1e-12
                    && (hi - r) / hi <= RELATIVE_ACCURACY + 1e-12
            );
        }
        for x in [1e-3, 0.5, 1.0, 1.0001, 1.999, 2.0, 7.0, 123_456.0, 9.9e17] {
            let i = LogHistogram::index(x);
            assert!(
                LogHistogram::bound(i - 1) < x * (1.0 + 1e-12)
                    && x <= LogHistogram::bound(i) * (1.0 + 1e-12),
                "{x} in bucket {i}"
            );
        }
    }

    #[test]
    fn interpolated_quantiles_resolve_within_a_bucket() {
        // 1..=100,000 once each: about 650 values per bucket near 95,000, where
        // the bucket representative can be 300 off but the interpolation is not.
        let mut h = LogHistogram::new();
        let mut xs = Vec::new();
        for v in 1..=100_000u32 {
            h.insert(f64::from(v));
            xs.push(f64::from(v));
        }
        for q in [0.5, 0.9, 0.95, 0.99, 0.999] {
            let exact = xs[(q * 1e5_f64).ceil() as usize - 1];
            let got = h.quantile_interpolated(q);
            assert!((got - exact).abs() <= 1.0, "q={q}: {got} vs {exact}");
            let coarse = h.quantile(q);
            assert!((got - coarse).abs() <= 2.0 * RELATIVE_ACCURACY * exact);
        }
        assert_eq!(h.quantile_interpolated(1.0), 100_000.0);
        assert_eq!(h.quantile_interpolated(0.0), 1.0);
        // Zeros stay exact, and a constant is itself.
        let mut z = LogHistogram::new();
        for _ in 0..70 {
            z.insert(0.0);
        }
        for _ in 0..30 {
            z.insert(250.0);
        }
        assert_eq!(z.quantile_interpolated(0.7), 0.0);
        assert_eq!(z.quantile_interpolated(0.71), 250.0);
        assert_eq!(z.quantile_interpolated(0.99), 250.0);
        assert_eq!(LogHistogram::new().quantile_interpolated(0.5), 0.0);
        // Lowering a few values moves the quantile by a fraction of a bucket.
        let mut lower = LogHistogram::new();
        for v in 1..=100_000u32 {
            lower.insert(if v > 99_000 && v % 100 == 0 {
                10.0
            } else {
                f64::from(v)
            });
        }
        let (a, b) = (
            h.quantile_interpolated(0.95),
            lower.quantile_interpolated(0.95),
        );
        // Ten values from above moved below: rank 95,000 is now the value 94,990.
        assert!(b < a && (a - b - 10.0).abs() <= 1.0, "{a} -> {b}");
        assert_eq!(
            h.quantile(0.95),
            lower.quantile(0.95),
            "one bucket hides it"
        );
    }

    #[test]
    fn zeros_and_constants_are_exact() {
        let mut h = LogHistogram::new();
        for _ in 0..70 {
            h.insert(0.0);
        }
        for _ in 0..30 {
            h.insert(250.0);
        }
        assert_eq!(h.quantile(0.5), 0.0);
        assert_eq!(h.quantile(0.7), 0.0);
        assert_eq!(h.quantile(0.71), 250.0);
        assert_eq!(h.exceedance(0.0), 0.3);
        let mut m = Moments::default();
        for _ in 0..1000 {
            m.push(7.25);
        }
        assert_eq!(m.mean(), 7.25);
        assert_eq!(m.sd(), 0.0);
    }

    #[test]
    fn counted_zeros_equal_inserted_zeros() {
        // The engine records only the years with a loss event and adds the
        // others as a count of zeros.
        let xs = [0.0, 3.5, 0.0, 0.0, 120.0, 7.0, 0.0, 0.0, 0.0, 1e6];
        let mut one = Stat::new();
        xs.iter().for_each(|&x| one.record(x, u64::from(x > 0.0)));
        let mut sparse = Stat::new();
        xs.iter()
            .filter(|&&x| x > 0.0)
            .for_each(|&x| sparse.record(x, 1));
        sparse.record_zeros(6);
        assert_eq!(one.histogram, sparse.histogram);
        assert_eq!(
            (one.with_event, one.events),
            (sparse.with_event, sparse.events)
        );
        assert_eq!(one.moments.count(), sparse.moments.count());
        assert!((one.moments.mean() - sparse.moments.mean()).abs() < 1e-9);
        assert!((one.moments.sd() / sparse.moments.sd() - 1.0).abs() < 1e-12);
        let mut all_zero = Moments::default();
        all_zero.push_zeros(5);
        all_zero.push_zeros(0);
        assert_eq!(
            (all_zero.count(), all_zero.mean(), all_zero.sd()),
            (5, 0.0, 0.0)
        );
    }

    #[test]
    fn histogram_merge_equals_inserting_everything() {
        let (mut a, mut b, mut whole) = (
            LogHistogram::new(),
            LogHistogram::new(),
            LogHistogram::new(),
        );
        for (k, x) in [5.0, 1e9, 0.0, 3.0, 1e-3, 42.0, 7e4]
            .into_iter()
            .enumerate()
        {
            if k % 2 == 0 {
                a.insert(x)
            } else {
                b.insert(x)
            }
            whole.insert(x);
        }
        let mut merged = LogHistogram::new();
        merged.merge(&b);
        merged.merge(&a);
        merged.merge(&LogHistogram::new());
        for q in [0.1, 0.3, 0.5, 0.7, 0.9, 1.0] {
            assert_eq!(merged.quantile(q), whole.quantile(q));
        }
        assert_eq!(
            (merged.count(), merged.zeros()),
            (whole.count(), whole.zeros())
        );
        assert_eq!(merged.exceedance(10.0), whole.exceedance(10.0));
    }

    #[test]
    fn merged_moments_match_one_pass() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 37) % 101) as f64 * 1.5 + 1e6)
            .collect();
        let mut whole = Moments::default();
        xs.iter().for_each(|&x| whole.push(x));
        let mut merged = Moments::default();
        for part in xs.chunks(77) {
            let mut m = Moments::default();
            part.iter().for_each(|&x| m.push(x));
            merged.merge(&m);
        }
        let mean = xs.iter().sum::<f64>() / 1000.0;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 999.0;
        assert!((whole.sd() - var.sqrt()).abs() < 1e-9 * var.sqrt());
        assert!((merged.sd() - var.sqrt()).abs() < 1e-9 * var.sqrt());
        assert!((merged.mean() - mean).abs() < 1e-9);
    }
}
