//! The calendar's slots and who processes their events: [`Part`], the
//! organisations' state an event reads and writes (all organisations', or
//! one block's) and where its effects on the rest of the replicate go.
//!
//! An event touches only its own organisation's state, except for the
//! effects that reach further: the per-country counts (sums), the day's
//! messages and the running sums of containment times and switch-off days
//! (both order-dependent), and a national system's switch-off, which cuts
//! off the care organisations of its country. So when replicates leave
//! threads idle, a large slot without national systems' events that may
//! switch them off is processed per block of organisations in parallel:
//! each block in key order, its counts summed and its order-dependent
//! effects logged with their event's key, then booked in key order, which
//! is the order of one loop.

use std::ops::{Index, IndexMut};

use super::*;

/// Blocks of organisations a slot's events are split into (fixed, like
/// the phishing wave's, so that nothing depends on the thread count).
pub(super) const EVENT_BLOCKS: usize = 16;

/// Fewest events in a slot worth processing per block (a few in the unit
/// tests, so that their small runs take this path too).
const BLOCKS_MIN: usize = if cfg!(test) { 8 } else { 512 };

/// Whether an event of kind `kind` may lead its national system to switch
/// off, itself or through an event it files for later the same day. The
/// kinds that end a disruption (a precautionary disconnection's end, the
/// system's own IT switched back on, an organisation reconnected) only
/// update their organisation's disruption and file nothing, so a day whose
/// national systems' events are all of those kinds can run per block. (The
/// 51 days of the stress year that ran slot by slot before, about 795,000
/// events, had no national system's event but the end of a precautionary
/// disconnection.)
fn may_switch_off(kind: u8) -> bool {
    !matches!(kind, E_RECONNECT | E_SWITCH_ON | E_RESTORE)
}

/// A window of a per-organisation array: organisations `lo..lo + len`,
/// indexed by organisation.
pub(super) struct Window<'p, T> {
    lo: usize,
    s: &'p mut [T],
}

impl<'p, T> Window<'p, T> {
    pub(super) fn new(lo: usize, s: &'p mut [T]) -> Self {
        Window { lo, s }
    }
}

impl<T> Index<usize> for Window<'_, T> {
    type Output = T;
    #[inline]
    fn index(&self, o: usize) -> &T {
        &self.s[o - self.lo]
    }
}

impl<T> IndexMut<usize> for Window<'_, T> {
    #[inline]
    fn index_mut(&mut self, o: usize) -> &mut T {
        &mut self.s[o - self.lo]
    }
}

/// Splits `s` (one entry per organisation, `n` of them) into the windows of
/// the [`EVENT_BLOCKS`] blocks.
pub(super) fn windows<T>(s: &mut [T], n: usize) -> Vec<Window<'_, T>> {
    windows_of(s, n, EVENT_BLOCKS)
}

/// Splits `s` (one entry per organisation, `n` of them) into the windows of
/// `k` blocks (organisations `n * i / k` up to `n * (i + 1) / k`).
pub(super) fn windows_of<T>(mut s: &mut [T], n: usize, k: usize) -> Vec<Window<'_, T>> {
    let mut out = Vec::with_capacity(k);
    for i in 0..k {
        let (lo, hi) = (n * i / k, n * (i + 1) / k);
        let (w, rest) = std::mem::take(&mut s).split_at_mut(hi - lo);
        s = rest;
        out.push(Window::new(lo, w));
    }
    out
}

/// The block of [`EVENT_BLOCKS`] that holds organisation `o` of `n`.
pub(super) fn event_block_of(o: usize, n: usize) -> usize {
    // As `wave_block_of`: the last block whose first organisation is at most `o`.
    ((o + 1) * EVENT_BLOCKS).div_ceil(n) - 1
}

/// The per-organisation arrays of the encrypted share ([`ImpactArrays`]).
pub(super) struct ImpactWindow<'p> {
    pub(super) reach_t: Window<'p, f32>,
    pub(super) enc_segs: Window<'p, u16>,
    pub(super) reachable: Window<'p, u16>,
    pub(super) first_critical: Window<'p, u16>,
    pub(super) peak: Window<'p, f32>,
}

impl ImpactArrays {
    /// All organisations' arrays as one window.
    pub(super) fn window(&mut self) -> ImpactWindow<'_> {
        ImpactWindow {
            reach_t: Window::new(0, &mut self.reach_t),
            enc_segs: Window::new(0, &mut self.enc_segs),
            reachable: Window::new(0, &mut self.reachable),
            first_critical: Window::new(0, &mut self.first_critical),
            peak: Window::new(0, &mut self.peak),
        }
    }

    /// The arrays of `k` blocks of the `n` organisations (as [`windows_of`]).
    pub(super) fn windows(&mut self, n: usize, k: usize) -> Vec<ImpactWindow<'_>> {
        let mut reach_t = windows_of(&mut self.reach_t, n, k).into_iter();
        let mut enc_segs = windows_of(&mut self.enc_segs, n, k).into_iter();
        let mut reachable = windows_of(&mut self.reachable, n, k).into_iter();
        let mut first_critical = windows_of(&mut self.first_critical, n, k).into_iter();
        let mut peak = windows_of(&mut self.peak, n, k).into_iter();
        let mut out = Vec::with_capacity(k);
        while let (
            Some(reach_t),
            Some(enc_segs),
            Some(reachable),
            Some(first_critical),
            Some(peak),
        ) = (
            reach_t.next(),
            enc_segs.next(),
            reachable.next(),
            first_critical.next(),
            peak.next(),
        ) {
            out.push(ImpactWindow {
                reach_t,
                enc_segs,
                reachable,
                first_critical,
                peak,
            });
        }
        out
    }
}

/// Where events due later than the current slot go.
pub(super) enum Later<'p> {
    /// Straight into their calendar slot.
    Calendar(&'p mut [Vec<Ev>]),
    /// A block's: into its own slots of the run of slots it processes
    /// (`first` onwards), later ones into its list `filed`, filed in the
    /// calendar afterwards (a slot's order does not depend on the order its
    /// events were filed in).
    Block {
        first: usize,
        slots: &'p mut [Vec<Ev>],
        filed: &'p mut Vec<Ev>,
    },
}

/// An effect whose result depends on its order among all events'.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ordered {
    /// A message for the day boundary.
    Msg(Msg),
    /// A time to containment, added to their sum.
    Contained(f64),
    /// Organisation-days under a switch-off, added to their sum.
    SwitchOffDays(f64),
}

/// Where order-dependent effects go.
pub(super) enum Effects<'p> {
    /// Applied at once (one loop over all organisations).
    Direct {
        pending: &'p mut Vec<Msg>,
        contain_sum: &'p mut f64,
        switch_off_days: &'p mut f64,
    },
    /// Logged with the key of the event being processed, booked later.
    Logged {
        key: Ev,
        log: &'p mut Vec<(Ev, Ordered)>,
    },
}

/// Where an event's effects beyond its organisation's state go.
pub(super) struct Out<'p> {
    /// Per-country counts (a block's: changes modulo 2^64, as the counts are).
    pub(super) cnt: &'p mut [u64],
    /// Per-country detections (a block's: changes).
    pub(super) detections: &'p mut [u64],
    pub(super) contain_n: &'p mut u64,
    pub(super) switch_offs: &'p mut u64,
    /// Events due in the current slot (or earlier), in key order.
    pub(super) heap: &'p mut BinaryHeap<Reverse<Ev>>,
    /// The current slot.
    pub(super) slot: usize,
    pub(super) later: Later<'p>,
    pub(super) effects: Effects<'p>,
}

/// The worm's segment state, written when an organisation recovers.
pub(super) struct Segs<'p> {
    pub(super) state: &'p mut [u8],
    pub(super) patch: &'p mut [f32],
    pub(super) bucket: &'p mut [u32],
}

/// The state of some organisations that their events read and write, and
/// where their other effects go (see the module documentation).
pub(super) struct Part<'p> {
    pub(super) c: &'p Ctx<'p>,
    /// Per country, the day its advisory is in force from (fixed while
    /// slots are processed).
    pub(super) advisory_day: &'p [f64],
    pub(super) orgs: Window<'p, Org>,
    pub(super) disr_since: Window<'p, f32>,
    pub(super) disr_days: Window<'p, f32>,
    pub(super) imp: ImpactWindow<'p>,
    /// The worm's segments (all organisations' parts only, with a worm).
    pub(super) segs: Option<Segs<'p>>,
    pub(super) out: Out<'p>,
}

impl Part<'_> {
    #[inline]
    pub(super) fn ci(&self, o: usize) -> usize {
        self.c.syn.country[o] as usize * NS
    }

    pub(super) fn set_state(&mut self, o: usize, s: u8) {
        let ci = self.ci(o);
        let old = &mut self.out.cnt[ci + self.orgs[o].state as usize];
        *old = old.wrapping_sub(1);
        let new = &mut self.out.cnt[ci + s as usize];
        *new = new.wrapping_add(1);
        self.orgs[o].state = s;
    }

    pub(super) fn flow(&mut self, o: usize, series: usize, n: u64) {
        let ci = self.ci(o);
        self.count(ci + series, n);
    }

    /// Adds `n` to count `i` (row and series).
    pub(super) fn count(&mut self, i: usize, n: u64) {
        let c = &mut self.out.cnt[i];
        *c = c.wrapping_add(n);
    }

    /// Takes one from count `i` (row and series).
    pub(super) fn uncount(&mut self, i: usize) {
        let c = &mut self.out.cnt[i];
        *c = c.wrapping_sub(1);
    }

    /// Adds a detection in `o`'s country.
    pub(super) fn detected(&mut self, o: usize) {
        let d = &mut self.out.detections[self.c.syn.country[o] as usize];
        *d = d.wrapping_add(1);
    }

    /// Files an event: the current slot's (or an earlier one's) in the heap,
    /// later slots' in their calendar slot, events after the horizon dropped.
    ///
    /// Slots partition time in increasing order and no event is filed in a
    /// slot once it is current (those go to the heap), so merging the sorted
    /// slot with the heap processes events in exactly the order of one global
    /// priority queue.
    pub(super) fn schedule(&mut self, ev: Ev) {
        let day = ev.t().floor();
        if day >= self.c.sc.days as f64 || day.is_nan() {
            return;
        }
        // `SLOTS` is a power of two: `t * SLOTS` is exact, so the slot lies in
        // the event's day.
        let slot = (ev.t() * SLOTS as f64) as usize;
        if slot <= self.out.slot {
            self.out.heap.push(Reverse(ev));
        } else {
            match &mut self.out.later {
                Later::Calendar(slots) => slots[slot].push(ev),
                Later::Block {
                    first,
                    slots,
                    filed,
                } => match slots.get_mut(slot - *first) {
                    Some(own) => own.push(ev),
                    None => filed.push(ev),
                },
            }
        }
    }

    pub(super) fn push(&mut self, t: f64, o: usize, kind: u8) {
        self.schedule(Ev::new(t, o as u32, kind, self.orgs[o].epoch));
    }

    pub(super) fn advised(&self, o: usize, t: f64) -> bool {
        self.c.iv[o] & IV_ADVISED != 0 && self.advisory_day[self.c.syn.country[o] as usize] <= t
    }

    /// An order-dependent effect: applied now, or logged with its event.
    pub(super) fn ordered(&mut self, e: Ordered) {
        match &mut self.out.effects {
            Effects::Direct {
                pending,
                contain_sum,
                switch_off_days,
                ..
            } => match e {
                Ordered::Msg(m) => pending.push(m),
                Ordered::Contained(x) => **contain_sum += x,
                Ordered::SwitchOffDays(x) => **switch_off_days += x,
            },
            Effects::Logged { key, log } => log.push((*key, e)),
        }
    }

    /// Touches the organisations of `evs` in one pass of independent loads,
    /// so that their cache misses overlap instead of stalling the events one
    /// by one (no effect on results).
    fn warm_up(&self, evs: &[Ev]) {
        let mut acc = 0u64;
        for ev in evs {
            let o = ev.o();
            // `Org` is one cache line; the rest are dense read-only arrays.
            acc = acc
                .wrapping_add(self.orgs[o].epoch as u64)
                .wrapping_add(self.c.syn.country[o] as u64)
                .wrapping_add(self.c.syn.kind[o] as u64)
                .wrapping_add(self.c.iv[o] as u64);
        }
        std::hint::black_box(acc);
    }

    /// Processes the current slot's events of these organisations: `due`
    /// (sorted) merged with the heap of events filed for the slot meanwhile,
    /// in key order.
    ///
    /// Keys are total and identify an event, so the merge pops events in
    /// exactly the order of a single priority queue (equal keys are equal
    /// events). Knowing the order ahead lets the slot's organisations be
    /// warmed up `WARM` events in advance, close enough to their use that
    /// they are still in cache (a slot can hold more than the cache).
    pub(super) fn run_slot(&mut self, due: &[Ev]) {
        /// Events warmed up per batch (and ahead of the one processed).
        const WARM: usize = 64;
        let (mut i, mut warmed) = (0, 0);
        loop {
            if warmed < due.len() && warmed < i + WARM {
                let end = (warmed + WARM).min(due.len());
                self.warm_up(&due[warmed..end]);
                warmed = end;
            }
            let ev = match (due.get(i), self.out.heap.peek()) {
                (Some(a), Some(Reverse(b))) if b < a => self.out.heap.pop().map(|r| r.0),
                (Some(&a), _) => {
                    i += 1;
                    Some(a)
                }
                (None, Some(_)) => self.out.heap.pop().map(|r| r.0),
                (None, None) => None,
            };
            let Some(ev) = ev else { break };
            if let Effects::Logged { key, .. } = &mut self.out.effects {
                *key = ev;
            }
            self.event(ev);
        }
    }
}

/// One block's share of a run of slots processed per block, kept from run
/// to run so that its buffers are allocated once.
#[derive(Default)]
pub(super) struct SlotBlock {
    /// Its organisations' events, per slot of the run.
    slots: Vec<Vec<Ev>>,
    heap: BinaryHeap<Reverse<Ev>>,
    filed: Vec<Ev>,
    log: Vec<(Ev, Ordered)>,
    cnt: Vec<u64>,
    detections: Vec<u64>,
    contain_n: u64,
    switch_offs: u64,
}

impl Part<'_> {
    /// Processes a block's run of slots (`Later::Block`) slot by slot, as
    /// one loop over all organisations would for the block's organisations.
    fn run_block(&mut self) {
        let (first, len) = match &self.out.later {
            Later::Block { first, slots, .. } => (*first, slots.len()),
            Later::Calendar(_) => unreachable!("a block's part"),
        };
        for k in 0..len {
            let Later::Block { slots, .. } = &mut self.out.later else {
                unreachable!("a block's part")
            };
            let mut due = std::mem::take(&mut slots[k]);
            self.out.slot = first + k;
            due.sort_unstable();
            self.run_slot(&due);
            // Nothing is filed into slot `first + k` once it is current (those
            // go to the heap): the buffer goes back, empty, for the next run.
            due.clear();
            let Later::Block { slots, .. } = &mut self.out.later else {
                unreachable!("a block's part")
            };
            slots[k] = due;
        }
    }
}

impl<'a> Rep<'a> {
    /// The state of all organisations, as one loop over events sees it.
    pub(super) fn part(&mut self) -> Part<'_> {
        let segs = if self.c.worm.is_some() {
            Some(Segs {
                state: &mut self.seg_state,
                patch: &mut self.seg_patch,
                bucket: &mut self.bucket,
            })
        } else {
            None
        };
        Part {
            c: self.c,
            advisory_day: &self.advisory_day,
            orgs: Window::new(0, &mut self.orgs),
            disr_since: Window::new(0, &mut self.disr_since),
            disr_days: Window::new(0, &mut self.disr_days),
            imp: self.imp.arrays.window(),
            segs,
            out: Out {
                cnt: &mut self.cnt,
                detections: &mut self.detections,
                contain_n: &mut self.contain_n,
                switch_offs: &mut self.imp.switch_offs,
                heap: &mut self.heap,
                slot: self.slot,
                later: Later::Calendar(&mut self.slots),
                effects: Effects::Direct {
                    pending: &mut self.pending,
                    contain_sum: &mut self.contain_sum,
                    switch_off_days: &mut self.imp.switch_off_days,
                },
            },
        }
    }

    /// Processes the slots of day `d`. When replicates leave threads idle
    /// and the run has no worm (whose segments are shared by country), the
    /// day's events are processed per block of organisations in parallel
    /// (see the module documentation): all of the day's slots at once when
    /// no national system has an event that day that may switch it off
    /// ([`may_switch_off`]; none can get one during the day: an
    /// organisation's events file events only for itself), else slot by
    /// slot, each large slot without such an event per block and the others
    /// in one loop.
    pub(super) fn run_day_slots(&mut self, d: u32) {
        let first = d as usize * SLOTS;
        let blocks =
            self.c.parallel_waves && self.c.worm.is_none() && self.c.syn.len() >= EVENT_BLOCKS;
        if blocks && self.per_block(first, SLOTS) {
            self.run_in_blocks(first, SLOTS);
            self.slot = first + SLOTS - 1;
            return;
        }
        for slot in first..first + SLOTS {
            self.slot = slot;
            if blocks && self.per_block(slot, 1) {
                self.run_in_blocks(slot, 1);
            } else {
                let mut due = std::mem::take(&mut self.slots[slot]);
                due.sort_unstable();
                self.part().run_slot(&due);
            }
        }
    }

    /// Whether the `len` slots from `first` (the current one first, with
    /// the heap) are worth processing per block and may be: enough events,
    /// none of a national system that may switch it off (which reaches
    /// other blocks, [`may_switch_off`]).
    fn per_block(&self, first: usize, len: usize) -> bool {
        let kind = &self.c.syn.kind;
        let mut count = self.heap.len();
        for slot in &self.slots[first..first + len] {
            count += slot.len();
        }
        count >= BLOCKS_MIN
            && !self.slots[first..first + len]
                .iter()
                .flatten()
                .chain(self.heap.iter().map(|r| &r.0))
                .any(|ev| kind[ev.o()] == OrgKind::NationalSystem && may_switch_off(ev.kind()))
    }

    /// Processes the `len` slots from `first` (the current one first, with
    /// the heap) per block of organisations in parallel, then books what
    /// crosses blocks: the counts, the events for later slots, and the
    /// order-dependent effects in key order (logs merged by key; one
    /// organisation's events, the only ones with equal keys, are in one
    /// block's log in the order they were processed).
    fn run_in_blocks(&mut self, first: usize, len: usize) {
        let c = self.c;
        let n = c.syn.len();
        let counts_len = self.cnt.len();
        let nc = self.detections.len();
        if self.slot_blocks.len() < EVENT_BLOCKS {
            self.slot_blocks
                .resize_with(EVENT_BLOCKS, SlotBlock::default);
        }
        for b in &mut self.slot_blocks {
            b.slots.resize_with(len, Vec::new);
            b.slots.truncate(len);
        }
        for k in 0..len {
            let evs = std::mem::take(&mut self.slots[first + k]);
            for &ev in &evs {
                self.slot_blocks[event_block_of(ev.o(), n)].slots[k].push(ev);
            }
        }
        for Reverse(ev) in self.heap.drain() {
            self.slot_blocks[event_block_of(ev.o(), n)].slots[0].push(ev);
        }
        let advisory_day = &self.advisory_day;
        let orgs = windows(&mut self.orgs, n);
        let disr_since = windows(&mut self.disr_since, n);
        let disr_days = windows(&mut self.disr_days, n);
        let imp = self.imp.arrays.windows(n, EVENT_BLOCKS);
        let parts: Vec<Part> = orgs
            .into_iter()
            .zip(disr_since)
            .zip(disr_days)
            .zip(imp)
            .zip(self.slot_blocks.iter_mut())
            .map(|((((orgs, disr_since), disr_days), imp), b)| {
                b.cnt.clear();
                b.cnt.resize(counts_len, 0);
                b.detections.clear();
                b.detections.resize(nc, 0);
                b.contain_n = 0;
                b.switch_offs = 0;
                b.filed.clear();
                b.log.clear();
                Part {
                    c,
                    advisory_day,
                    orgs,
                    disr_since,
                    disr_days,
                    imp,
                    segs: None,
                    out: Out {
                        cnt: &mut b.cnt,
                        detections: &mut b.detections,
                        contain_n: &mut b.contain_n,
                        switch_offs: &mut b.switch_offs,
                        heap: &mut b.heap,
                        slot: first,
                        later: Later::Block {
                            first,
                            slots: &mut b.slots,
                            filed: &mut b.filed,
                        },
                        effects: Effects::Logged {
                            key: Ev(0),
                            log: &mut b.log,
                        },
                    },
                }
            })
            .collect();
        // One block at a time: blocks differ in events.
        parts
            .into_par_iter()
            .with_max_len(1)
            .for_each(|mut part| part.run_block());
        self.book_blocks();
    }

    /// Books what the blocks of a run of slots did beyond their
    /// organisations (see [`Rep::run_in_blocks`]).
    fn book_blocks(&mut self) {
        let blocks = std::mem::take(&mut self.slot_blocks);
        for b in &blocks {
            for (total, &change) in self.cnt.iter_mut().zip(&b.cnt) {
                *total = total.wrapping_add(change);
            }
            for (total, &change) in self.detections.iter_mut().zip(&b.detections) {
                *total = total.wrapping_add(change);
            }
            self.contain_n += b.contain_n;
            self.imp.switch_offs += b.switch_offs;
            for &ev in &b.filed {
                self.slots[(ev.t() * SLOTS as f64) as usize].push(ev);
            }
        }
        // Each block's log is in the order its events were processed (key
        // order: an event files only later events); merging the logs by
        // their next entry's key gives the order of one loop, and keeps
        // each event's effects in the order it made them.
        let mut heads: BinaryHeap<Reverse<(Ev, usize)>> = BinaryHeap::with_capacity(blocks.len());
        for (i, b) in blocks.iter().enumerate() {
            if let Some(&(key, _)) = b.log.first() {
                heads.push(Reverse((key, i)));
            }
        }
        let mut next = [0usize; EVENT_BLOCKS];
        while let Some(Reverse((_, i))) = heads.pop() {
            let log = &blocks[i].log;
            let key = log[next[i]].0;
            // The block's entries of this event, then the next head.
            while let Some(&(k, e)) = log.get(next[i]) {
                if k != key {
                    heads.push(Reverse((k, i)));
                    break;
                }
                next[i] += 1;
                match e {
                    Ordered::Msg(m) => self.pending.push(m),
                    Ordered::Contained(x) => self.contain_sum += x,
                    Ordered::SwitchOffDays(x) => self.imp.switch_off_days += x,
                }
            }
        }
        self.slot_blocks = blocks;
    }
}
