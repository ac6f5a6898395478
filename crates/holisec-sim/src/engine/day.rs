//! Day boundaries: cross-organisation messages (supplier pushes, mailbox
//! lures, dependency disruption; their senders' draws in parallel per block
//! of senders when replicates leave threads idle, booked in the order
//! sent), CSIRT advisories, precautionary disconnection and the daily
//! snapshot of the counts.

use super::*;

/// A block of organisations' share of the day's messages: the ones they
/// sent, and what their senders drew for them (kept from day to day, so
/// that the buffers are allocated once).
#[derive(Default)]
pub(super) struct MsgBlock {
    /// The messages its organisations sent, in the order sent.
    msgs: Vec<Msg>,
    /// What each drew (targets, and times of pushes), one after another...
    drawn: Vec<(u32, f64)>,
    /// ... ending at these offsets, one per message.
    ends: Vec<usize>,
}

/// The organisation that sent `m` (whose stream its draws come from).
fn sender(m: Msg) -> u32 {
    match m {
        Msg::Push(o)
        | Msg::DepDown(o)
        | Msg::DepUp(o)
        | Msg::Mailbox(o)
        | Msg::SupplierAlert(o) => o,
    }
}

/// The draws of message `m` from its sender's stream `rng`, into `drawn`:
/// the clients a push reaches (with its time), the dependants a dependency
/// disruption hits, the targets of an abused mailbox's lures, the clients an
/// alert disconnects. They read nothing that booking messages changes.
fn draw_message(c: &Ctx, m: Msg, next: f64, rng: &mut SimRng, drawn: &mut Vec<(u32, f64)>) {
    let syn = c.syn;
    let p = c.p;
    match m {
        Msg::Push(s) => {
            let local = s as usize - syn.suppliers.start as usize;
            for &c in syn.clients.row(local) {
                let strength = syn.channels.supplies(syn.kind[c as usize]);
                if rng.random::<f64>() < p.supplier_push_success * strength {
                    let t = next + rng.random::<f64>();
                    drawn.push((c, t));
                }
            }
        }
        Msg::DepDown(o) => {
            let o = o as usize;
            match syn.kind[o] {
                OrgKind::Supplier => {
                    let local = o - syn.suppliers.start as usize;
                    // A sole provider's clients in its home country have
                    // nowhere else to go: the relation's strength alone. A
                    // clinical service (a laboratory, software tied to the
                    // national health system) is provided country by country,
                    // so abroad it is one supplier among several. The same
                    // draws either way.
                    let sole = c.sole_provider(o);
                    let home = syn.country[o];
                    for &client in syn.clients.row(local) {
                        let rate = if sole && syn.country[client as usize] == home {
                            1.0
                        } else {
                            p.dependency_disruption
                        };
                        let strength = syn.channels.supplies(syn.kind[client as usize]);
                        if rng.random::<f64>() < rate * strength {
                            drawn.push((client, 0.0));
                        }
                    }
                }
                OrgKind::NationalSystem => {
                    let c = &syn.countries[syn.country[o] as usize];
                    for t in c.hospitals.start..c.primary_care.end {
                        if rng.random::<f64>()
                            < p.dependency_disruption * syn.channels.national_care
                        {
                            drawn.push((t, 0.0));
                        }
                    }
                }
                _ => {}
            }
        }
        Msg::DepUp(_) => {}
        Msg::Mailbox(o) => {
            // Lures follow who writes to whom: a supplier's abused mailbox
            // reaches its clients (vendor email compromise); a care
            // organisation's mostly reaches care organisations of its
            // country (referrals, shared patients) and sometimes a supplier.
            let o = o as usize;
            let kind = syn.kind[o];
            let care = matches!(kind, OrgKind::Hospital | OrgKind::PrimaryCare);
            let suppliers = syn.suppliers_of.row(o);
            let clients: &[u32] = if kind == OrgKind::Supplier {
                syn.clients.row(o - syn.suppliers.start as usize)
            } else {
                &[]
            };
            let country = &syn.countries[syn.country[o] as usize];
            let peers = country.hospitals.start..country.primary_care.end;
            for _ in 0..p.mailbox_partners.round() as usize {
                let target = if care {
                    if !suppliers.is_empty() && rng.random::<f64>() < p.mailbox_supplier_share {
                        Some(suppliers[rng.random_range(0..suppliers.len())])
                    } else if peers.len() > 1 {
                        let t = rng.random_range(peers.clone());
                        (t as usize != o).then_some(t)
                    } else {
                        None
                    }
                } else {
                    let n = suppliers.len() + clients.len();
                    (n > 0).then(|| {
                        let i = rng.random_range(0..n);
                        if i < suppliers.len() {
                            suppliers[i]
                        } else {
                            clients[i - suppliers.len()]
                        }
                    })
                };
                if let Some(t) = target
                    && rng.random::<f64>() < syn.channels.supplies_care
                {
                    drawn.push((t, 0.0));
                }
            }
        }
        Msg::SupplierAlert(s) => {
            if c.sc.sharing == Sharing::None {
                return;
            }
            let local = s as usize - syn.suppliers.start as usize;
            for &c in syn.clients.row(local) {
                let strength = syn.channels.supplies(syn.kind[c as usize]);
                if rng.random::<f64>() < p.disconnect_rate * strength {
                    drawn.push((c, 0.0));
                }
            }
        }
    }
}

impl Rep<'_> {
    /// The day's messages, effective at `next` (the next day's start), in
    /// the order sent. When replicates leave threads idle and there are
    /// many, the senders' draws are made first, in parallel per block of
    /// senders (a sender's messages in the order sent), and the messages
    /// booked afterwards in the order sent: the same results as one loop,
    /// since the draws come from the senders' own streams, which booking
    /// never reads.
    fn messages(&mut self, next: f64) {
        /// Fewest messages worth drawing in parallel (a few in the unit
        /// tests, so that their small runs take this path too).
        const MSGS_MIN: usize = if cfg!(test) { 4 } else { 64 };
        let msgs = std::mem::take(&mut self.pending);
        let c = self.c;
        let n = c.syn.len();
        if !c.parallel_waves || msgs.len() < MSGS_MIN {
            let mut drawn = Vec::new();
            for m in msgs {
                drawn.clear();
                let rng = &mut self.orgs[sender(m) as usize].rng;
                draw_message(c, m, next, rng, &mut drawn);
                self.book_message(m, &drawn, next);
            }
            return;
        }
        if self.msg_blocks.len() < EVENT_BLOCKS {
            self.msg_blocks.resize_with(EVENT_BLOCKS, MsgBlock::default);
        }
        for b in &mut self.msg_blocks {
            b.msgs.clear();
            b.drawn.clear();
            b.ends.clear();
        }
        for &m in &msgs {
            self.msg_blocks[event_block_of(sender(m) as usize, n)]
                .msgs
                .push(m);
        }
        windows(&mut self.orgs, n)
            .into_iter()
            .zip(self.msg_blocks.iter_mut())
            .collect::<Vec<_>>()
            .into_par_iter()
            .with_max_len(1)
            .for_each(|(mut orgs, b)| {
                for &m in &b.msgs {
                    let rng = &mut orgs[sender(m) as usize].rng;
                    draw_message(c, m, next, rng, &mut b.drawn);
                    b.ends.push(b.drawn.len());
                }
            });
        let blocks = std::mem::take(&mut self.msg_blocks);
        let mut booked = [0usize; EVENT_BLOCKS];
        for m in msgs {
            let i = event_block_of(sender(m) as usize, n);
            let (b, k) = (&blocks[i], booked[i]);
            let start = if k == 0 { 0 } else { b.ends[k - 1] };
            booked[i] += 1;
            self.book_message(m, &b.drawn[start..b.ends[k]], next);
        }
        self.msg_blocks = blocks;
    }

    /// Books message `m`, whose sender drew `drawn` ([`draw_message`]).
    fn book_message(&mut self, m: Msg, drawn: &[(u32, f64)], next: f64) {
        match m {
            Msg::Push(_) => {
                for &(c, t) in drawn {
                    self.part().schedule(Ev::new(t, c, E_INFECT, 0));
                }
            }
            Msg::DepDown(o) => {
                if self.c.sole_provider(o as usize) {
                    self.sole_provider_losses += 1;
                }
                for &(t, _) in drawn {
                    self.orgs[t as usize].dep_down += 1;
                    self.part().update_disrupted(t as usize, next);
                }
                // An empty list would be removed unused by `DepUp`: most
                // impacted organisations have no dependants to keep.
                if !drawn.is_empty() {
                    self.dependants
                        .entry(o)
                        .or_default()
                        .extend(drawn.iter().map(|&(t, _)| t));
                }
            }
            Msg::DepUp(o) => {
                if let Some(list) = self.dependants.remove(&o) {
                    for t in list {
                        self.orgs[t as usize].dep_down -= 1;
                        self.part().update_disrupted(t as usize, next);
                    }
                }
            }
            Msg::Mailbox(_) => self.lures.extend(drawn.iter().map(|&(t, _)| t)),
            Msg::SupplierAlert(_) => {
                for &(c, _) in drawn {
                    self.disconnect(c as usize, next);
                }
            }
        }
    }

    pub(super) fn boundary(&mut self, d: u32) {
        let syn = self.c.syn;
        let p = self.c.p;
        self.messages(d as f64 + 1.0);
        self.worm_step(d);
        // Advisories.
        if self.c.sc.sharing != Sharing::None {
            let nc = syn.countries.len();
            for c in 0..nc {
                if self.detections[c] as f64 >= p.advisory_threshold
                    && self.advisory_day[c].is_infinite()
                {
                    let at = (d + 1) as f64 + p.advisory_delay_days.ceil();
                    self.advisory_day[c] = at;
                    if self.c.sc.sharing == Sharing::European {
                        let other = at + p.cross_border_delay_days.ceil();
                        for c2 in 0..nc {
                            if self.advisory_day[c2] > other {
                                self.advisory_day[c2] = other;
                            }
                        }
                    }
                }
            }
        }
    }

    pub(super) fn disconnect(&mut self, o: usize, t: f64) {
        let until = t + self.c.p.disconnect_days;
        if (self.orgs[o].disconnect_until as f64) < until {
            self.orgs[o].disconnect_until = until as f32;
            let mut part = self.part();
            part.schedule(Ev::new(until, o as u32, E_RECONNECT, 0));
            part.update_disrupted(o, t);
        }
    }

    /// Applies advisories that become active on day `d`, and, while a worm
    /// spreads, the precautionary disconnections they lead to.
    pub(super) fn advisories(&mut self, d: u32) {
        let syn = self.c.syn;
        let p = self.c.p;
        let days = self.c.sc.days as usize;
        // Defenders answer what the advisory reports, the organisations a
        // worm has hit at home, not whether it still spreads (after
        // WannaCry's kill switch, trusts stayed disconnected for days).
        let worm_started = self
            .c
            .worm
            .is_some_and(|w| d >= self.c.sc.campaigns[w].start_day);
        for c in 0..syn.countries.len() {
            if self.advisory_day[c] > d as f64 {
                continue;
            }
            if worm_started {
                self.precaution(c, d as f64);
            }
            if self.advisory_done[c] {
                continue;
            }
            self.advisory_done[c] = true;
            let a = d as f64;
            let orgs = syn.countries[c].orgs.clone();
            for o in orgs.start as usize..orgs.end as usize {
                if self.c.iv[o] & IV_ADVISED == 0 {
                    continue;
                }
                let s = self.orgs[o].state;
                if s == org::FOOTHOLD || s == org::LATERAL || s == org::DOMAIN {
                    let when = a + exp(&mut self.orgs[o].rng, p.advised_detect_days);
                    self.part().arm_detect(o, when);
                }
                if self.c.worm.is_some() {
                    for sg in syn.segs_of(o) {
                        let old = self.seg_patch[sg] as f64;
                        if old > a {
                            let new = a + (old - a) * p.precaution_patch_factor;
                            if old < days as f64 {
                                self.bucket[c * days + old as usize] -= 1;
                            }
                            if new < days as f64 {
                                self.bucket[c * days + new as usize] += 1;
                            }
                            self.seg_patch[sg] = new as f32;
                        }
                    }
                }
            }
        }
    }

    /// Precautionary disconnection in country `c` under an advisory, as the
    /// worm's severity at home grows: the share of the country's
    /// organisations hit so far over `disconnect_prevalence` (at most 1).
    /// An advised organisation disconnects with `disconnect_rate` x severity
    /// in all; when the severity has doubled since the last decision (or
    /// reached 1), each one not yet impacted decides again with the
    /// conditional probability that keeps that total. A few infections in a
    /// large country move few organisations; a spreading outbreak moves more.
    pub(super) fn precaution(&mut self, c: usize, t: f64) {
        let p = self.c.p;
        let row = c * NS;
        let organisations = self.cnt[row + ORG0].max(1) as f64;
        let hit = self.cnt[row + EVER] as f64;
        let severity = (hit / organisations / p.disconnect_prevalence).min(1.0);
        let before = self.precaution_level[c];
        let grew = severity >= 2.0 * before || (severity >= 1.0 && before < 1.0);
        if severity <= 0.0 || severity <= before || !grew {
            return;
        }
        self.precaution_level[c] = severity;
        let (target, done) = (p.disconnect_rate * severity, p.disconnect_rate * before);
        let q = if done >= 1.0 {
            0.0
        } else {
            (target - done) / (1.0 - done)
        };
        if q <= 0.0 {
            return;
        }
        let orgs = self.c.syn.countries[c].orgs.clone();
        for o in orgs.start as usize..orgs.end as usize {
            if self.c.iv[o] & IV_ADVISED == 0 || self.orgs[o].state == org::IMPACT {
                continue;
            }
            if self.orgs[o].rng.random::<f64>() < q {
                self.disconnect(o, t);
            }
        }
    }

    pub(super) fn snapshot(&mut self, d: u32) {
        let syn = self.c.syn;
        let nc = syn.countries.len();
        let days = self.c.sc.days as usize;
        for c in 0..nc {
            let row = &mut self.cnt[c * NS..(c + 1) * NS];
            if self.c.worm.is_some() {
                self.patched_cum[c] += self.bucket[c * days + d as usize] as u64;
                let total = self.c.country_segs[c];
                row[SEG0 + 2] = self.patched_cum[c];
                row[SEG0] = total - row[SEG0 + 1] - self.patched_cum[c];
            } else {
                row[SEG0] = self.c.country_segs[c];
            }
            let out = &mut self.daily[(d as usize * nc + c) * NS..(d as usize * nc + c + 1) * NS];
            for i in 0..NS {
                out[i] = row[i].min(u32::MAX as u64) as u32;
            }
            for i in EMAILS..=DETECTIONS {
                row[i] = 0;
            }
        }
    }
}
