//! One organisation's intrusion: the episode from foothold to recovery
//! (lateral movement, domain control, impact, detection, containment), the
//! share of its IT estate encrypted, its disruption, and the decision to
//! switch IT off.

use super::*;

impl Part<'_> {
    /// Recomputes the disrupted flag (and the no-infection state) of `o` at `t`.
    pub(super) fn update_disrupted(&mut self, o: usize, t: f64) {
        let noinf = self.orgs[o].dep_down > 0 || self.orgs[o].disconnect_until as f64 > t;
        let s = self.orgs[o].state;
        if noinf && (s == org::CLEAN || s == org::RECOVERED) {
            self.set_state(o, org::DISRUPTED);
        } else if !noinf && s == org::DISRUPTED {
            let back = if self.orgs[o].flags & EVER_INF != 0 {
                org::RECOVERED
            } else {
                org::CLEAN
            };
            self.set_state(o, back);
        }
        let now = noinf || self.care_encrypted(o);
        let was = self.orgs[o].flags & DISR != 0;
        if now == was {
            return;
        }
        let ci = self.ci(o);
        let hosp = self.c.syn.kind[o] == OrgKind::Hospital;
        if now {
            self.orgs[o].flags |= DISR | EVER_DISR;
            self.disr_since[o] = t as f32;
            self.count(ci + DISRUPTED, 1);
            if hosp {
                self.count(ci + HOSP_DISRUPTED, 1);
            }
        } else {
            self.orgs[o].flags &= !DISR;
            self.disr_days[o] += (t as f32 - self.disr_since[o]).max(0.0);
            self.uncount(ci + DISRUPTED);
            if hosp {
                self.uncount(ci + HOSP_DISRUPTED);
            }
        }
    }

    pub(super) fn begin_episode(&mut self, o: usize, t: f64) -> bool {
        let s = self.orgs[o].state;
        if !(s == org::CLEAN || s == org::RECOVERED || s == org::DISRUPTED) {
            return false;
        }
        self.orgs[o].epoch += 1;
        self.orgs[o].det = f64::INFINITY;
        self.orgs[o].chain = f64::INFINITY;
        self.orgs[o].flags &= !HAD_IMPACT;
        self.imp.reach_t[o] = f32::INFINITY;
        self.imp.enc_segs[o] = 0;
        self.imp.reachable[o] = u16::MAX;
        if self.orgs[o].flags & EVER_INF == 0 {
            self.orgs[o].flags |= EVER_INF;
            self.flow(o, EVER, 1);
        }
        self.orgs[o].foothold_t = t as f32;
        self.flow(o, FOOTHOLDS, 1);
        true
    }

    /// A foothold in `o` at `t` (phishing, intrusion, supplier push).
    pub(super) fn infect(&mut self, o: usize, t: f64) -> bool {
        if !self.begin_episode(o, t) {
            return false;
        }
        self.set_state(o, org::FOOTHOLD);
        let p = self.c.p;
        let lat = t + exp(&mut self.orgs[o].rng, p.breakout_hours / 24.0);
        let mean = if self.advised(o, t) {
            p.advised_detect_days
        } else {
            p.detect_days
        };
        let det = t + exp(&mut self.orgs[o].rng, mean);
        self.orgs[o].det = det;
        self.chain(o, lat, E_LATERAL);
        if self.orgs[o].rng.random::<f64>() < p.mailbox_abuse {
            self.ordered(Ordered::Msg(Msg::Mailbox(o as u32)));
        }
        true
    }

    /// Queues the next step of the intrusion in `o` (at `t`, of `kind`), or
    /// its detection instead when that comes first (the step would then find
    /// the intrusion contained and do nothing).
    ///
    /// Detections are only queued when they can still act: an intrusion's
    /// detection clocks are kept in `Org::det` until one falls before the next
    /// queued step. Events that would find nothing to do are never filed, and
    /// the others are processed in the same order with the same draws.
    pub(super) fn chain(&mut self, o: usize, t: f64, kind: u8) {
        let d = self.orgs[o].det;
        if d < t || t.is_nan() {
            self.orgs[o].det = f64::INFINITY;
            self.orgs[o].chain = f64::INFINITY;
            self.push(d, o, E_DETECT);
        } else {
            self.orgs[o].chain = t;
            self.push(t, o, kind);
        }
    }

    /// The intrusion in `o` stalls: its earliest detection is queued.
    pub(super) fn chain_end(&mut self, o: usize) {
        self.orgs[o].chain = f64::INFINITY;
        let d = self.orgs[o].det;
        self.orgs[o].det = f64::INFINITY;
        if d < f64::INFINITY {
            self.push(d, o, E_DETECT);
        }
    }

    /// A detection clock of the intrusion in progress in `o` fires at `t`.
    pub(super) fn arm_detect(&mut self, o: usize, t: f64) {
        if t < self.orgs[o].chain {
            self.push(t, o, E_DETECT);
        } else {
            self.orgs[o].det = self.orgs[o].det.min(t);
        }
    }

    pub(super) fn impact(&mut self, o: usize, t: f64, encrypted: bool) {
        self.orgs[o].det = f64::INFINITY;
        self.orgs[o].chain = f64::INFINITY;
        self.set_state(o, org::IMPACT);
        self.orgs[o].flags |= HAD_IMPACT;
        self.flow(o, IMPACTS, 1);
        self.detected(o);
        if encrypted {
            // Care (and the services dependants get) is disrupted once a
            // care-critical segment is encrypted: the caller records the
            // segments encrypted next ([`Rep::encrypted_share_changed`]).
            self.orgs[o].flags |= ENC | EVER_ENC;
        }
        if self.c.syn.kind[o] == OrgKind::Supplier {
            self.ordered(Ordered::Msg(Msg::SupplierAlert(o as u32)));
        }
        let when = t + exp(&mut self.orgs[o].rng, self.c.p.containment_days);
        self.push(when, o, E_CONTAIN);
    }

    /// The attacker takes domain control of `o` at `t`: from now on it
    /// reaches further segments ([`Rep::reach`]). Which segments it can
    /// reach at all is drawn here: the segment it holds, and each other one
    /// with a probability drawn for this intrusion from a Beta of mean
    /// `segment_reachable` and concentration `segment_reachable_concentration`
    /// (estates differ: some flat, some split into separate domains and
    /// offline networks). With `segment_reachable` 1 nothing is drawn.
    pub(super) fn take_domain(&mut self, o: usize, t: f64) {
        self.imp.reach_t[o] = t as f32;
        let p = self.c.p;
        if p.segment_reachable >= 1.0 {
            return;
        }
        let others = self.c.syn.segs_of(o).len().saturating_sub(1) as u64;
        let rng = &mut self.orgs[o].rng;
        let k = p.segment_reachable_concentration;
        let share = match Beta::new(p.segment_reachable * k, (1.0 - p.segment_reachable) * k) {
            Ok(beta) if k > 0.0 && p.segment_reachable > 0.0 => beta.sample(rng),
            _ => p.segment_reachable,
        };
        let more = binomial(rng, others, share);
        self.imp.reachable[o] = (1 + more).min(u16::MAX as u64 - 1) as u16;
    }

    /// Draws the segments of `o` the attacker reaches from `reach_t` to `t`:
    /// each reachable segment not yet encrypted independently with `1 -
    /// exp(-(t - reach_t) / segment_reach_days)` (exponential reach times per
    /// segment).
    pub(super) fn reach(&mut self, o: usize, t: f64) {
        let from = self.imp.reach_t[o] as f64;
        let n = (self.c.syn.segs_of(o).len() as u64).min(self.imp.reachable[o] as u64);
        let have = (self.imp.enc_segs[o] as u64).min(n);
        if from.is_finite() && have < n {
            let r = self.c.p.segment_reach_days;
            let q = if r <= 0.0 {
                1.0
            } else {
                1.0 - (-(t - from).max(0.0) / r).exp()
            };
            let more = binomial(&mut self.orgs[o].rng, n - have, q);
            self.imp.enc_segs[o] = (have + more) as u16;
        }
        self.imp.reach_t[o] = t as f32;
    }

    /// Share of `o`'s segments encrypted in the current episode.
    pub(super) fn share_encrypted(&self, o: usize) -> f64 {
        let n = self.c.syn.segs_of(o).len().max(1);
        (self.imp.enc_segs[o] as f64 / n as f64).min(1.0)
    }

    /// Whether `o`'s care is down from encryption: it is encrypted and a
    /// care-critical segment is among the segments encrypted.
    fn care_encrypted(&self, o: usize) -> bool {
        self.orgs[o].flags & ENC != 0 && self.imp.enc_segs[o] >= self.imp.first_critical[o]
    }

    /// Records that `o`'s encrypted segments went from `before` to
    /// `enc_segs[o]` at `t`. At the episode's first encryption, when the
    /// first care-critical segment will be reached is drawn
    /// ([`first_critical_segment`]); once it is, `o`'s care is disrupted
    /// and its dependants lose its services. A national system whose share
    /// reaches `switch_off_threshold` switches its IT off.
    pub(super) fn encrypted_share_changed(&mut self, o: usize, t: f64, before: u16) {
        let now = self.imp.enc_segs[o];
        if before == 0 && now > 0 {
            let n = self.c.syn.segs_of(o).len().max(1);
            let m = critical_segments(self.c.p, n);
            self.imp.first_critical[o] = first_critical_segment(&mut self.orgs[o].rng, n, m);
        }
        let first = self.imp.first_critical[o];
        if self.orgs[o].flags & ENC != 0 && before < first && first <= now {
            self.ordered(Ordered::Msg(Msg::DepDown(o as u32)));
            self.update_disrupted(o, t);
        }
        let share = self.share_encrypted(o);
        if share as f32 > self.imp.peak[o] {
            self.imp.peak[o] = share as f32;
        }
        if self.c.syn.kind[o] == OrgKind::NationalSystem
            && share > 0.0
            && share >= self.c.p.switch_off_threshold
            && self.orgs[o].flags & SWITCHED == 0
        {
            self.switch_off(o, t, share);
        }
    }

    /// National system or hospital `o` switches all its IT off at `t` with
    /// `share` of it encrypted: it (and, for a national system, the care
    /// organisations depending on it, [`switch_off_dependants`]) are
    /// disrupted until restoration. Restoration is staged: each of them
    /// comes back at its own time, `switch_off_min_days` + `share` x
    /// lognormal(`restore_median_days`, `restore_sigma`) later, drawn from
    /// `o`'s stream in turn (itself first).
    pub(super) fn switch_off(&mut self, o: usize, t: f64, share: f64) {
        let p = self.c.p;
        let mut cut = vec![o as u32];
        if self.c.syn.kind[o] == OrgKind::NationalSystem {
            cut.extend(switch_off_dependants(self.c.syn, p, o));
        }
        let horizon = self.c.sc.days as f64;
        *self.out.switch_offs += 1;
        let mut days = 0.0;
        for &x in &cut {
            let rebuild = lognormal(
                &mut self.orgs[o].rng,
                p.restore_median_days,
                p.restore_sigma,
            );
            let until = t + p.switch_off_min_days + share * rebuild;
            days += (until.min(horizon) - t).max(0.0);
            let x = x as usize;
            self.orgs[x].dep_down += 1;
            self.orgs[x].flags |= SWITCH_HIT;
            self.update_disrupted(x, t);
            let kind = if x == o { E_SWITCH_ON } else { E_RESTORE };
            self.schedule(Ev::new(until, x as u32, kind, 0));
        }
        self.ordered(Ordered::SwitchOffDays(days));
        self.orgs[o].flags |= SWITCHED;
    }

    /// The IT of switched-off national system or hospital `o` is back at `t`.
    pub(super) fn switch_on(&mut self, o: usize, t: f64) {
        if self.orgs[o].flags & SWITCHED == 0 {
            return;
        }
        self.orgs[o].flags &= !SWITCHED;
        self.restore(o, t);
    }

    /// Organisation `o`, cut off by a switch-off, is reconnected at `t`.
    pub(super) fn restore(&mut self, o: usize, t: f64) {
        self.orgs[o].dep_down -= 1;
        self.update_disrupted(o, t);
    }

    pub(super) fn contained(&mut self, o: usize, t: f64) {
        self.set_state(o, org::CONTAINED);
        let took = t - self.orgs[o].foothold_t as f64;
        self.ordered(Ordered::Contained(took));
        *self.out.contain_n += 1;
    }

    pub(super) fn worm_hit(&mut self, o: usize, t: f64) {
        let s = self.orgs[o].state;
        if s == org::FOOTHOLD || s == org::LATERAL || s == org::DOMAIN || self.begin_episode(o, t) {
            self.impact(o, t, true);
        }
    }

    pub(super) fn event(&mut self, ev: Ev) {
        let o = ev.o();
        let t = ev.t();
        let p = self.c.p;
        if ev.kind() == E_INFECT {
            self.infect(o, t);
            return;
        }
        if ev.kind() == E_RECONNECT {
            self.update_disrupted(o, t);
            return;
        }
        if ev.kind() == E_SWITCH_ON {
            self.switch_on(o, t);
            return;
        }
        if ev.kind() == E_RESTORE {
            self.restore(o, t);
            return;
        }
        if !ev.of_epoch(self.orgs[o].epoch) {
            return;
        }
        let s = self.orgs[o].state;
        match ev.kind() {
            E_LATERAL if s == org::FOOTHOLD => {
                self.set_state(o, org::LATERAL);
                let stalls = self.c.iv[o] & IV_SEG != 0
                    && self.orgs[o].rng.random::<f64>() < p.segmentation_block;
                if stalls {
                    self.chain_end(o);
                } else {
                    let when = t + exp(&mut self.orgs[o].rng, p.domain_hours / 24.0);
                    self.chain(o, when, E_DOMAIN);
                }
            }
            E_DOMAIN if s == org::LATERAL => {
                self.set_state(o, org::DOMAIN);
                self.take_domain(o, t);
                let when = t + dwell(&mut self.orgs[o].rng, p);
                self.chain(o, when, E_IMPACT);
                if self.c.syn.kind[o] == OrgKind::Supplier
                    && self.orgs[o].rng.random::<f64>() < p.supplier_weaponise
                {
                    self.ordered(Ordered::Msg(Msg::Push(o as u32)));
                }
            }
            E_IMPACT if s == org::DOMAIN => {
                let enc = self.orgs[o].rng.random::<f64>() < p.encrypt_rate;
                if enc {
                    // Detonation: every segment reached so far is encrypted.
                    self.imp.enc_segs[o] = 1;
                    self.reach(o, t);
                } else {
                    self.imp.reach_t[o] = f32::INFINITY;
                }
                self.impact(o, t, enc);
                if enc {
                    self.encrypted_share_changed(o, t, 0);
                }
            }
            E_DETECT
                if s == org::DOMAIN
                    && matches!(
                        self.c.syn.kind[o],
                        OrgKind::NationalSystem | OrgKind::Hospital
                    )
                    && self.orgs[o].flags & SWITCHED == 0
                    && self.orgs[o].rng.random::<f64>() < p.switch_off_detect =>
            {
                // Domain-level compromise found before anything is encrypted:
                // the national system or hospital switches its IT off, then
                // is cleaned as below.
                self.switch_off(o, t, 0.0);
                self.event(ev);
            }
            E_DETECT if s == org::FOOTHOLD || s == org::LATERAL || s == org::DOMAIN => {
                self.orgs[o].det = f64::INFINITY;
                self.orgs[o].chain = f64::INFINITY;
                self.contained(o, t);
                self.flow(o, DETECTIONS, 1);
                self.detected(o);
                let when = t + exp(&mut self.orgs[o].rng, p.cleanup_days);
                self.push(when, o, E_RECOVERED);
            }
            E_CONTAIN if s == org::IMPACT => {
                // Encryption goes on over the segments reached until containment.
                if self.imp.reach_t[o].is_finite() {
                    let before = self.imp.enc_segs[o];
                    self.reach(o, t);
                    self.imp.reach_t[o] = f32::INFINITY;
                    self.encrypted_share_changed(o, t, before);
                }
                self.contained(o, t);
                self.flow(o, DETECTIONS, 1);
                let when = t + exp(&mut self.orgs[o].rng, p.forensics_days);
                self.push(when, o, E_RECOVERING);
            }
            E_RECOVERING if s == org::CONTAINED => {
                self.set_state(o, org::RECOVERING);
                let mut d = lognormal(
                    &mut self.orgs[o].rng,
                    p.recovery_median_days,
                    p.recovery_sigma,
                );
                if self.c.iv[o] & IV_BACKUP != 0 {
                    d *= p.backup_recovery_factor;
                }
                if self.orgs[o].flags & ENC == 0 {
                    d = exp(&mut self.orgs[o].rng, p.cleanup_days);
                } else {
                    d *= recovery_share_factor(p, self.share_encrypted(o));
                }
                self.push(t + d, o, E_RECOVERED);
            }
            E_RECOVERED if s == org::CONTAINED || s == org::RECOVERING => {
                self.set_state(o, org::RECOVERED);
                if self.care_encrypted(o) {
                    self.ordered(Ordered::Msg(Msg::DepUp(o as u32)));
                }
                self.orgs[o].flags &= !ENC;
                self.clean_segments(o, t);
                self.update_disrupted(o, t);
            }
            _ => {}
        }
    }

    pub(super) fn clean_segments(&mut self, o: usize, t: f64) {
        if self.c.worm.is_none() {
            return;
        }
        let days = self.c.sc.days as usize;
        let cc = self.c.syn.country[o] as usize;
        let Some(segs) = self.segs.as_mut() else {
            unreachable!("with a worm, events are processed in one loop")
        };
        let mut cleaned = 0;
        for s in self.c.syn.segs_of(o) {
            if segs.state[s] == 1 {
                segs.state[s] = 2;
                cleaned += 1;
                let old = segs.patch[s] as f64;
                if old >= 0.0 && old < days as f64 {
                    segs.bucket[cc * days + old as usize] -= 1;
                }
                segs.patch[s] = t as f32;
                if (t as usize) < days {
                    segs.bucket[cc * days + t as usize] += 1;
                }
            }
        }
        let i = cc * NS + SEG0 + 1;
        self.out.cnt[i] = self.out.cnt[i].wrapping_sub(cleaned);
    }
}
