//! How campaigns reach organisations: phishing waves (drawn in parallel over
//! fixed blocks of organisations, booked in organisation order), lures from
//! abused mailboxes, intrusions and supplier compromises.

use super::*;

/// Blocks of organisations a phishing wave's draws are split into (fixed,
/// so the split does not depend on the thread count; results do not depend
/// on it either).
pub(super) const WAVE_CHUNKS: usize = 32;

/// A block of a phishing wave: its first organisation and first staff
/// member, their records and staff, and its own state.
pub(super) type Block<'b> = (usize, usize, &'b mut [Org], &'b mut [u8], &'b mut WaveBlock);

/// A foothold drawn by a lure: its time, whether a report leads to its
/// detection, and the time of that detection.
pub(super) type Foothold = (f64, bool, f64);

/// The state of one block of a phishing wave, drawn in parallel with the
/// other blocks: its binomial cache and scratch, then what its lures did.
#[derive(Default)]
pub(super) struct WaveBlock {
    binom: BinomialCache,
    scratch: Vec<u32>,
    /// The footholds, in organisation order.
    footholds: Vec<(u32, Foothold)>,
    /// The day's lures from abused mailboxes to the block's organisations,
    /// in the order they were sent: their place in that order and target.
    lures: Vec<(u32, u32)>,
    /// What its footholds booked beyond its organisations' state.
    bookings: BlockBookings,
}

/// What a block's footholds book beyond its organisations' state, kept
/// from wave to wave (the buffers keep their capacity).
#[derive(Default)]
pub(super) struct BlockBookings {
    /// Changes of the per-country counts (`cnt`) the block's lures made,
    /// modulo 2^64 as the counts are, so adding them once gives the counts of
    /// booking each lure in turn.
    counts: Vec<u64>,
    /// Events due in the current slot...
    heap: BinaryHeap<Reverse<Ev>>,
    /// ... and later,
    filed: Vec<Ev>,
    /// and order-dependent effects (messages: mailboxes abused), with the
    /// place of their lure in the order sent (a wave's: all 0, in
    /// organisation order).
    log: Vec<(Ev, Ordered)>,
    /// Containments and switch-offs its footholds counted (none so far:
    /// counted all the same, as the whole replicate's part would).
    contain_n: u64,
    switch_offs: u64,
}

impl BlockBookings {
    /// A sink for a new round of bookings: everything but `counts` (which
    /// the wave's draws have already filled, or which the caller resets)
    /// starts empty.
    fn sink(&mut self) -> BlockSink<'_> {
        self.filed.clear();
        self.log.clear();
        self.contain_n = 0;
        self.switch_offs = 0;
        BlockSink {
            counts: &mut self.counts,
            heap: &mut self.heap,
            filed: &mut self.filed,
            log: &mut self.log,
            contain_n: &mut self.contain_n,
            switch_offs: &mut self.switch_offs,
        }
    }
}

/// The block of a phishing wave that holds organisation `o` of `n` (blocks
/// hold organisations `n * i / WAVE_CHUNKS` up to `n * (i + 1) / WAVE_CHUNKS`).
pub(super) fn wave_block_of(o: usize, n: usize) -> usize {
    // The last block whose first organisation is at most `o`: `n * i /
    // WAVE_CHUNKS <= o` exactly when `n * i < (o + 1) * WAVE_CHUNKS`.
    ((o + 1) * WAVE_CHUNKS).div_ceil(n) - 1
}

/// The share of the staff of `o` that a lure from an abused mailbox reaches.
pub(super) fn mailbox_share(c: &Ctx, o: usize) -> f64 {
    let n = c.syn.staff_of(o).len().max(1) as f64;
    (c.p.mailbox_recipients / n).min(1.0)
}

/// A lure's settings.
pub(super) struct Lure {
    d: u32,
    share: f64,
    /// The share is a campaign's, worth caching in [`BinomialCache`].
    cached_share: bool,
}

/// What a lure did to one organisation, drawn from its own stream.
#[derive(Debug, Default)]
pub(super) struct Phished {
    /// Change of the staff counts by state (`staff::*`).
    staff: [i64; 4],
    emails: u64,
    clicks: u64,
    creds: u64,
    reports: u64,
    foothold: Option<Foothold>,
}

impl Phished {
    /// Adds the staff changes and flows of the lure to the per-country
    /// counts `cnt`, at `ci` (the organisation's country's row).
    pub(super) fn count_into(&self, cnt: &mut [u64], ci: usize) {
        for (i, &delta) in self.staff.iter().enumerate() {
            let c = &mut cnt[ci + STAFF0 + i];
            *c = c.wrapping_add_signed(delta);
        }
        for (series, n) in [
            (EMAILS, self.emails),
            (CLICKS, self.clicks),
            (CREDS, self.creds),
            (REPORTS, self.reports),
        ] {
            cnt[ci + series] = cnt[ci + series].wrapping_add(n);
        }
    }
}

/// The click-odds multiplier of a lure to `o` on day `d` (training, a
/// CSIRT advisory in force) and whether `o` has MFA.
pub(super) fn lure_odds(
    c: &Ctx,
    advisory_day: &[f64],
    o: usize,
    d: u32,
    odds_mult: f64,
) -> (f64, bool) {
    let mut mult = odds_mult;
    if c.iv[o] & IV_TRAINED != 0 {
        mult *= c.sc.interventions.training_odds_ratio;
    }
    if c.iv[o] & IV_ADVISED != 0 && advisory_day[c.syn.country[o] as usize] <= d as f64 {
        mult *= 1.0 - c.p.advisory_click_reduction * c.syn.channels.advisory_staff;
    }
    (mult, c.iv[o] & IV_MFA != 0)
}

/// The draws of one lure to the staff of `o` (`staff`: its range, offenders
/// first): recipients, clicks and reports per propensity class, who (marked
/// in `staff`), and whether a foothold follows. Touches nothing but `o`'s
/// stream and staff.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_phish(
    c: &Ctx,
    o: usize,
    lure: &Lure,
    mult: f64,
    mfa: bool,
    rng: &mut SimRng,
    staff: &mut [u8],
    binom: &mut BinomialCache,
    scratch: &mut Vec<u32>,
) -> Phished {
    let syn = c.syn;
    let p = c.p;
    let mut out = Phished::default();
    if staff.is_empty() {
        return out;
    }
    let off = syn.offenders[o] as usize;
    let (mut attempts, mut reports) = (0u64, 0u64);
    let classes = [
        (0, off, syn.p_offender[o] as f64),
        (off, staff.len(), syn.p_normal[o] as f64),
    ];
    for (lo, hi, pc) in classes {
        let n = (hi - lo) as u64;
        if n == 0 {
            continue;
        }
        let odds = pc / (1.0 - pc).max(1e-12) * mult;
        let pk = if pc >= 1.0 { 1.0 } else { odds / (1.0 + odds) };
        let recv = if lure.cached_share {
            binom.sample(rng, n, lure.share)
        } else {
            binomial(rng, n, lure.share)
        };
        let k = binomial(rng, recv, pk);
        let r = binom.sample(rng, recv - k, p.report_rate);
        reports += r;
        let m = (k + r) as usize;
        // Floyd's algorithm: m distinct staff of the class, marked in place.
        scratch.clear();
        let nn = n as usize;
        for j in nn - m..nn {
            let t = rng.random_range(0..=j);
            let pick = if staff[lo + t] & MARK != 0 { j } else { t };
            staff[lo + pick] |= MARK;
            scratch.push((lo + pick) as u32);
        }
        // Clickers: a uniform k-subset of the picks (partial Fisher-Yates).
        for i in 0..k as usize {
            let j = rng.random_range(i..m);
            scratch.swap(i, j);
        }
        // Counts among the clickers from binomials; the clickers are in random
        // order, so the first `creds` of them are the ones who typed credentials.
        let creds = binom.sample(rng, k, p.credential_rate);
        attempts += binom.sample(rng, k, p.payload_rate);
        reports += binom.sample(rng, k, p.clicker_report_rate);
        attempts += if mfa {
            binom.sample(rng, creds, 1.0 - p.mfa_block)
        } else {
            creds
        };
        for (i, &s) in scratch.iter().enumerate() {
            let s = s as usize;
            staff[s] &= !MARK;
            let old = staff[s];
            let new = if (i as u64) < creds {
                staff::CREDENTIALS
            } else if (i as u64) < k {
                staff::CLICKED
            } else {
                staff::REPORTED
            };
            if new > old {
                staff[s] = new;
                out.staff[old as usize] -= 1;
                out.staff[new as usize] += 1;
            }
        }
        out.emails += recv;
        out.clicks += k;
        out.creds += creds;
    }
    out.reports = reports;
    if attempts > 0 {
        let q = 1.0 - (1.0 - p.foothold_success).powi(attempts.min(i32::MAX as u64) as i32);
        if rng.random::<f64>() < q {
            let t = lure.d as f64 + rng.random::<f64>();
            let report_det = reports > 0 && rng.random::<f64>() < p.report_detection;
            let det_at = t + rng.random::<f64>();
            out.foothold = Some((t, report_det, det_at));
        }
    }
    out
}

/// A lure to `o` (record `org`) drawn inside its block of a phishing wave,
/// whose staff `block_staff` starts at staff member `base`.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_in_block(
    c: &Ctx,
    advisory_day: &[f64],
    o: usize,
    lure: &Lure,
    odds_mult: f64,
    org: &mut Org,
    block_staff: &mut [u8],
    base: usize,
    block: &mut WaveBlock,
) -> Phished {
    let (mult, mfa) = lure_odds(c, advisory_day, o, lure.d, odds_mult);
    let r = c.syn.staff_of(o);
    draw_phish(
        c,
        o,
        lure,
        mult,
        mfa,
        &mut org.rng,
        &mut block_staff[r.start - base..r.end - base],
        &mut block.binom,
        &mut block.scratch,
    )
}

/// Splits the organisations (their records and staff) into the
/// [`WAVE_CHUNKS`] fixed blocks of a phishing wave, each with its own
/// [`WaveBlock`].
pub(super) fn wave_blocks<'b>(
    syn: &Synth,
    mut orgs: &'b mut [Org],
    mut staff: &'b mut [u8],
    mut states: &'b mut [WaveBlock],
) -> Vec<Block<'b>> {
    let n = syn.len();
    let mut blocks = Vec::with_capacity(WAVE_CHUNKS);
    let mut base = 0usize;
    for i in 0..WAVE_CHUNKS {
        let (lo, hi) = (n * i / WAVE_CHUNKS, n * (i + 1) / WAVE_CHUNKS);
        let (block_orgs, rest) = std::mem::take(&mut orgs).split_at_mut(hi - lo);
        orgs = rest;
        let end = syn.staff_start[hi] as usize;
        let (block_staff, rest) = std::mem::take(&mut staff).split_at_mut(end - base);
        staff = rest;
        let Some((state, rest)) = std::mem::take(&mut states).split_first_mut() else {
            unreachable!("one state per block")
        };
        states = rest;
        blocks.push((lo, base, block_orgs, block_staff, state));
        base = end;
    }
    blocks
}

/// A block's windows of the per-organisation arrays a foothold writes
/// besides its records: disrupted since, days disrupted, encrypted share.
pub(super) type BlockWindows<'p> = ((Window<'p, f32>, Window<'p, f32>), ImpactWindow<'p>);

/// The [`WAVE_CHUNKS`] blocks' [`BlockWindows`].
pub(super) fn block_windows<'p>(
    n: usize,
    disr_since: &'p mut [f32],
    disr_days: &'p mut [f32],
    imp: &'p mut ImpactArrays,
) -> Vec<BlockWindows<'p>> {
    let k = WAVE_CHUNKS;
    windows_of(disr_since, n, k)
        .into_iter()
        .zip(windows_of(disr_days, n, k))
        .zip(imp.windows(n, k))
        .collect()
}

/// Where a block of a wave or of the day's lures puts what its footholds
/// book beyond its organisations' state.
pub(super) struct BlockSink<'p> {
    pub(super) counts: &'p mut Vec<u64>,
    pub(super) heap: &'p mut BinaryHeap<Reverse<Ev>>,
    pub(super) filed: &'p mut Vec<Ev>,
    pub(super) log: &'p mut Vec<(Ev, Ordered)>,
    pub(super) contain_n: &'p mut u64,
    pub(super) switch_offs: &'p mut u64,
}

/// The [`Part`] of a block of organisations from `lo` (records
/// `block_orgs`) in current slot `slot`: its effects on the rest of the
/// replicate go to `sink`, order-dependent ones logged (key 0 until set).
pub(super) fn block_part<'p>(
    c: &'p Ctx<'p>,
    advisory_day: &'p [f64],
    slot: usize,
    lo: usize,
    block_orgs: &'p mut [Org],
    ((disr_since, disr_days), imp): BlockWindows<'p>,
    sink: BlockSink<'p>,
) -> Part<'p> {
    Part {
        c,
        advisory_day,
        orgs: Window::new(lo, block_orgs),
        disr_since,
        disr_days,
        imp,
        segs: None,
        out: Out {
            cnt: sink.counts,
            detections: &mut [],
            contain_n: sink.contain_n,
            switch_offs: sink.switch_offs,
            heap: sink.heap,
            slot,
            later: Later::Block {
                first: slot + 1,
                slots: &mut [],
                filed: sink.filed,
            },
            effects: Effects::Logged {
                key: Ev(0),
                log: sink.log,
            },
        },
    }
}

impl Part<'_> {
    /// A lure's foothold in `o`: an infection, detected through a report
    /// when it says so.
    pub(super) fn foothold(&mut self, o: usize, (t, report_det, det_at): Foothold) {
        if self.infect(o, t) && report_det {
            self.arm_detect(o, det_at);
        }
    }
}

impl Rep<'_> {
    /// One lure to `share` of the staff of `o` on day `d` (`cached_share`: the
    /// share is a campaign's, worth caching).
    pub(super) fn phish(
        &mut self,
        o: usize,
        d: u32,
        share: f64,
        odds_mult: f64,
        cached_share: bool,
    ) {
        let lure = Lure {
            d,
            share,
            cached_share,
        };
        let (mult, mfa) = lure_odds(self.c, &self.advisory_day, o, d, odds_mult);
        let range = self.c.syn.staff_of(o);
        let out = draw_phish(
            self.c,
            o,
            &lure,
            mult,
            mfa,
            &mut self.orgs[o].rng,
            &mut self.staff[range],
            &mut self.binom,
            &mut self.scratch,
        );
        self.apply_phish(o, out);
    }

    /// Books what a lure did to `o`: its staff counts and flows, then its
    /// foothold, if any.
    pub(super) fn apply_phish(&mut self, o: usize, out: Phished) {
        let ci = self.ci(o);
        out.count_into(&mut self.cnt, ci);
        if let Some(foothold) = out.foothold {
            self.book_foothold(o, foothold);
        }
    }

    /// A lure's foothold in `o`: an infection, detected through a report
    /// when it says so.
    pub(super) fn book_foothold(&mut self, o: usize, foothold: Foothold) {
        self.part().foothold(o, foothold);
    }

    /// A phishing wave of campaign `camp` on day `d`: each organisation's
    /// draws (from its own stream, into its own staff) over [`WAVE_CHUNKS`]
    /// fixed blocks of organisations, then booked: each block's count
    /// changes (sums, in any order the same), then its footholds in
    /// organisation order, as one loop would. Nothing a lure draws depends
    /// on another organisation's booking, so the results are those of the
    /// loop, whatever the thread count. When replicates leave threads idle,
    /// the blocks run in parallel and each books its own footholds too (a
    /// foothold touches only its organisation's state): their counts are
    /// summed, the events they file go to the heap or the calendar (whose
    /// order does not matter) and their messages are appended in block
    /// order, which is organisation order.
    pub(super) fn phishing_wave(&mut self, camp: &Campaign, reach: &[bool], d: u32) {
        let c = self.c;
        let syn = c.syn;
        let lure = Lure {
            d,
            share: camp.staff_share,
            cached_share: true,
        };
        let counts_len = self.cnt.len();
        if self.wave_blocks.len() < WAVE_CHUNKS {
            self.wave_blocks
                .resize_with(WAVE_CHUNKS, WaveBlock::default);
        }
        let n = syn.len();
        let slot = self.slot;
        let advisory_day = &self.advisory_day;
        let blocks = wave_blocks(syn, &mut self.orgs, &mut self.staff, &mut self.wave_blocks);
        let rest = block_windows(
            n,
            &mut self.disr_since,
            &mut self.disr_days,
            &mut self.imp.arrays,
        );
        let work: Vec<_> = blocks.into_iter().zip(rest).collect();
        let draw = |((lo, base, block_orgs, block_staff, block), win): (Block, BlockWindows)| {
            block.bookings.counts.clear();
            block.bookings.counts.resize(counts_len, 0);
            block.footholds.clear();
            for (i, org) in block_orgs.iter_mut().enumerate() {
                let o = lo + i;
                if !camp.kinds.contains(&syn.kind[o]) || !reach[syn.country[o] as usize] {
                    continue;
                }
                if org.rng.random::<f64>() >= camp.org_share {
                    continue;
                }
                let ph = draw_in_block(
                    c,
                    advisory_day,
                    o,
                    &lure,
                    camp.lure_odds_ratio,
                    org,
                    block_staff,
                    base,
                    block,
                );
                ph.count_into(&mut block.bookings.counts, syn.country[o] as usize * NS);
                if let Some(foothold) = ph.foothold {
                    block.footholds.push((o as u32, foothold));
                }
            }
            if !c.parallel_waves {
                return;
            }
            let WaveBlock {
                footholds,
                bookings,
                ..
            } = block;
            let sink = bookings.sink();
            let mut part = block_part(c, advisory_day, slot, lo, block_orgs, win, sink);
            for &(o, foothold) in footholds.iter() {
                part.foothold(o as usize, foothold);
            }
        };
        // The same draws either way; in parallel only when replicates leave
        // threads idle. Blocks are handed out one by one (blocks differ in
        // staff, so halves of the list may differ in work).
        if !c.parallel_waves {
            work.into_iter().for_each(draw);
            let wave_blocks = std::mem::take(&mut self.wave_blocks);
            for block in &wave_blocks {
                for (total, &change) in self.cnt.iter_mut().zip(&block.bookings.counts) {
                    *total = total.wrapping_add(change);
                }
                for &(o, foothold) in &block.footholds {
                    self.book_foothold(o as usize, foothold);
                }
            }
            self.wave_blocks = wave_blocks;
            return;
        }
        work.into_par_iter().with_max_len(1).for_each(draw);
        self.book_wave_blocks();
    }

    /// Books what the wave's blocks booked on their own: their counts
    /// (summed), the events they filed (into the heap or the calendar, whose
    /// order does not matter) and their order-dependent effects, in the order
    /// of their keys (blocks' logs are each in key order; a stable sort of
    /// their concatenation in block order keeps a wave's, all keyed 0, in
    /// block order, which is organisation order).
    fn book_wave_blocks(&mut self) {
        let mut wave_blocks = std::mem::take(&mut self.wave_blocks);
        let mut logged = std::mem::take(&mut self.wave_log);
        logged.clear();
        for WaveBlock { bookings: b, .. } in &mut wave_blocks {
            for (total, &change) in self.cnt.iter_mut().zip(&b.counts) {
                *total = total.wrapping_add(change);
            }
            self.heap.extend(b.heap.drain());
            for &ev in &b.filed {
                self.slots[(ev.t() * SLOTS as f64) as usize].push(ev);
            }
            self.contain_n += b.contain_n;
            self.imp.switch_offs += b.switch_offs;
            logged.extend_from_slice(&b.log);
        }
        logged.sort_by_key(|&(key, _)| key);
        for &(_, e) in &logged {
            match e {
                Ordered::Msg(m) => self.pending.push(m),
                Ordered::Contained(x) => self.contain_sum += x,
                Ordered::SwitchOffDays(x) => self.imp.switch_off_days += x,
            }
        }
        self.wave_log = logged;
        self.wave_blocks = wave_blocks;
    }

    /// The day's lures from abused mailboxes, booked in the order they were
    /// sent, as one loop would. When replicates leave threads idle, they are
    /// drawn and booked per block of the phishing wave's, in parallel: a lure
    /// reads and writes only its organisation's stream, staff and state (a
    /// block takes its organisations' lures in the order sent, so a later
    /// lure to one follows the booking of the earlier one, whose foothold
    /// draws from the same stream); its counts are summed, the events it
    /// files go to the heap or the calendar (whose order does not matter),
    /// and its order-dependent effects are logged with its place in the
    /// order sent and booked in that order.
    pub(super) fn mailbox_lures(&mut self, d: u32) {
        let lures = std::mem::take(&mut self.lures);
        let odds_mult = self.c.p.trusted_sender_odds_ratio;
        if !self.c.parallel_waves || lures.is_empty() {
            for &o in &lures {
                let o = o as usize;
                self.phish(o, d, mailbox_share(self.c, o), odds_mult, false);
            }
            self.lures = lures;
            self.lures.clear();
            return;
        }
        let c = self.c;
        let n = c.syn.len();
        if self.wave_blocks.len() < WAVE_CHUNKS {
            self.wave_blocks
                .resize_with(WAVE_CHUNKS, WaveBlock::default);
        }
        for block in &mut self.wave_blocks {
            block.lures.clear();
        }
        for (i, &o) in lures.iter().enumerate() {
            self.wave_blocks[wave_block_of(o as usize, n)]
                .lures
                .push((i as u32, o));
        }
        let counts_len = self.cnt.len();
        let slot = self.slot;
        let advisory_day = &self.advisory_day;
        let blocks = wave_blocks(
            c.syn,
            &mut self.orgs,
            &mut self.staff,
            &mut self.wave_blocks,
        );
        let rest = block_windows(
            n,
            &mut self.disr_since,
            &mut self.disr_days,
            &mut self.imp.arrays,
        );
        let work: Vec<_> = blocks.into_iter().zip(rest).collect();
        work.into_par_iter().with_max_len(1).for_each(
            |((lo, base, block_orgs, block_staff, block), win): (Block, BlockWindows)| {
                let WaveBlock {
                    binom,
                    scratch,
                    lures,
                    bookings,
                    ..
                } = block;
                bookings.counts.clear();
                bookings.counts.resize(counts_len, 0);
                let sink = bookings.sink();
                let mut part = block_part(c, advisory_day, slot, lo, block_orgs, win, sink);
                for &(i, o) in lures.iter() {
                    let o = o as usize;
                    let lure = Lure {
                        d,
                        share: mailbox_share(c, o),
                        cached_share: false,
                    };
                    let (mult, mfa) = lure_odds(c, advisory_day, o, d, odds_mult);
                    let r = c.syn.staff_of(o);
                    let out = draw_phish(
                        c,
                        o,
                        &lure,
                        mult,
                        mfa,
                        &mut part.orgs[o].rng,
                        &mut block_staff[r.start - base..r.end - base],
                        binom,
                        scratch,
                    );
                    out.count_into(part.out.cnt, part.ci(o));
                    if let Some(foothold) = out.foothold {
                        if let Effects::Logged { key, .. } = &mut part.out.effects {
                            *key = Ev(i as u128);
                        }
                        part.foothold(o, foothold);
                    }
                }
            },
        );
        self.book_wave_blocks();
        self.lures = lures;
        self.lures.clear();
    }

    pub(super) fn wave(&mut self, ci: usize, d: u32) {
        let camp = &self.c.sc.campaigns[ci];
        let syn = self.c.syn;
        let n = syn.len();
        if camp.organisation.is_some() {
            if let Some(o) = self.c.target_org[ci] {
                self.wave_one(ci, o, d);
            }
            return;
        }
        match camp.vector {
            Vector::Phishing => self.phishing_wave(camp, &self.c.reach[ci], d),
            Vector::Intrusion => {
                let reach = &self.c.reach[ci];
                for o in 0..n {
                    if !camp.kinds.contains(&syn.kind[o]) || !reach[syn.country[o] as usize] {
                        continue;
                    }
                    if self.orgs[o].rng.random::<f64>() >= camp.org_share {
                        continue;
                    }
                    if self.orgs[o].rng.random::<f64>() < self.c.p.foothold_success {
                        let t = d as f64 + self.orgs[o].rng.random::<f64>();
                        self.part().infect(o, t);
                    }
                }
            }
            Vector::Supplier => {
                // The largest suppliers by clients.
                let reach = &self.c.reach[ci];
                let mut order: Vec<u32> = syn
                    .suppliers
                    .clone()
                    .filter(|&s| reach[syn.country[s as usize] as usize])
                    .collect();
                order.sort_by_key(|&s| {
                    (
                        Reverse(syn.clients.row((s - syn.suppliers.start) as usize).len()),
                        s,
                    )
                });
                for &s in order.iter().take(camp.suppliers as usize) {
                    self.compromise_supplier(s as usize, d);
                }
            }
            Vector::Worm => {
                // Entry points at scale 1, scaled like every population.
                let k = at_scale(camp.initial_infections, self.c.sc.scale);
                let mut placed = 0;
                if camp.countries.is_empty() {
                    let mut tries = 0;
                    while placed < k && tries < 1000 * k.max(1) {
                        tries += 1;
                        let o = self.grng.random_range(0..n);
                        if !camp.kinds.contains(&syn.kind[o]) || !syn.exposed[o] {
                            continue;
                        }
                        let s = syn.seg_start[o] as usize;
                        let t = d as f64 + self.grng.random::<f64>();
                        if self.try_infect_segment(s, t) {
                            placed += 1;
                        }
                    }
                } else {
                    // A few small countries: draw among their exposed targets.
                    let reach = &self.c.reach[ci];
                    let mut candidates: Vec<usize> = (0..n)
                        .filter(|&o| {
                            reach[syn.country[o] as usize]
                                && camp.kinds.contains(&syn.kind[o])
                                && syn.exposed[o]
                        })
                        .collect();
                    while placed < k && !candidates.is_empty() {
                        let i = self.grng.random_range(0..candidates.len());
                        let o = candidates.swap_remove(i);
                        let s = syn.seg_start[o] as usize;
                        let t = d as f64 + self.grng.random::<f64>();
                        if self.try_infect_segment(s, t) {
                            placed += 1;
                        }
                    }
                }
            }
        }
    }

    /// Supplier `s` is compromised on day `d`: the attacker controls its
    /// update channel from the start and pushes to its clients.
    pub(super) fn compromise_supplier(&mut self, s: usize, d: u32) {
        let t = d as f64 + self.orgs[s].rng.random::<f64>();
        let mut part = self.part();
        if part.begin_episode(s, t) {
            part.set_state(s, org::DOMAIN);
            part.take_domain(s, t);
            let when = t + dwell(&mut part.orgs[s].rng, part.c.p);
            let mean = part.c.p.detect_days;
            let det = t + exp(&mut part.orgs[s].rng, mean);
            part.orgs[s].det = det;
            part.chain(s, when, E_IMPACT);
            part.ordered(Ordered::Msg(Msg::Push(s as u32)));
        }
    }

    /// A wave of campaign `ci` against the one organisation `o` it names:
    /// reached with `org_share` (1 unless set), phished, given a foothold
    /// (the named intrusion happened: no `foothold_success` draw), its
    /// update channel taken (supplier), or `initial_infections` of its
    /// segments infected, border first (worm; not scaled).
    pub(super) fn wave_one(&mut self, ci: usize, o: usize, d: u32) {
        let camp = &self.c.sc.campaigns[ci];
        if camp.vector != Vector::Worm && self.orgs[o].rng.random::<f64>() >= camp.org_share {
            return;
        }
        match camp.vector {
            Vector::Phishing => self.phish(o, d, camp.staff_share, camp.lure_odds_ratio, true),
            Vector::Intrusion => {
                let t = d as f64 + self.orgs[o].rng.random::<f64>();
                self.part().infect(o, t);
            }
            Vector::Supplier => self.compromise_supplier(o, d),
            Vector::Worm => {
                let t = d as f64 + self.grng.random::<f64>();
                let segs = self.c.syn.segs_of(o);
                let k = (camp.initial_infections as usize).min(segs.len());
                for s in segs.take(k) {
                    self.try_infect_segment(s, t);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block's count changes, added to the counts at once, give the counts
    /// of booking its lures one by one (staff moving out of a state included).
    #[test]
    fn block_count_changes_add_up_to_the_lures_booked_in_turn() {
        let lures = [
            (0, [-3, 2, 1, 0], 10, 3, 1, 2),
            (NS, [0, -1, 0, 1], 4, 0, 0, 1),
            (0, [-2, -2, 3, 1], 7, 5, 2, 0),
        ];
        let mut in_turn = vec![5u64; 2 * NS];
        let mut block = vec![0u64; 2 * NS];
        for (ci, staff, emails, clicks, creds, reports) in lures {
            let ph = Phished {
                staff,
                emails,
                clicks,
                creds,
                reports,
                foothold: None,
            };
            ph.count_into(&mut in_turn, ci);
            ph.count_into(&mut block, ci);
        }
        let mut at_once = vec![5u64; 2 * NS];
        for (total, change) in at_once.iter_mut().zip(block) {
            *total = total.wrapping_add(change);
        }
        assert_eq!(at_once, in_turn);
        assert_eq!(in_turn[STAFF0], 0);
        assert_eq!(in_turn[NS + EMAILS], 9);
    }

    /// `wave_block_of` finds the block `wave_blocks` puts an organisation in,
    /// for populations smaller and larger than the number of blocks.
    #[test]
    fn an_organisation_lies_in_the_block_of_the_wave_that_holds_it() {
        for n in [1, 2, 31, 32, 33, 100, 391_612] {
            for i in 0..WAVE_CHUNKS {
                for o in n * i / WAVE_CHUNKS..n * (i + 1) / WAVE_CHUNKS {
                    assert_eq!(wave_block_of(o, n), i, "o = {o}, n = {n}");
                }
            }
        }
    }
}
