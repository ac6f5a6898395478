//! The worm: tau-leap steps of spread over exposed segments, shared
//! networks and the internet, and which segments are disconnected.

use super::*;

impl Rep<'_> {
    pub(super) fn try_infect_segment(&mut self, s: usize, t: f64) -> bool {
        if self.seg_state[s] != 0 || self.seg_patch[s] as f64 <= t {
            return false;
        }
        self.seg_state[s] = 1;
        self.infected.push(s as u32);
        let o = self.c.syn.seg_org[s] as usize;
        let ci = self.ci(o);
        self.cnt[ci + SEG0 + 1] += 1;
        let mut part = self.part();
        part.worm_hit(o, t);
        // A worm encrypts each segment it infects.
        let before = part.imp.enc_segs[o];
        part.imp.enc_segs[o] = before.saturating_add(1);
        part.encrypted_share_changed(o, t, before);
        true
    }

    pub(super) fn disconnected(&self, o: usize, t: f64) -> bool {
        self.orgs[o].disconnect_until as f64 > t
    }

    /// The worm during day `d`: `worm_steps_per_day` tau-leap steps over the
    /// infected segments (sub-daily, because worms spread in hours).
    pub(super) fn worm_step(&mut self, d: u32) {
        let Some(w) = self.c.worm else { return };
        let camp = &self.c.sc.campaigns[w];
        if d < camp.start_day {
            return;
        }
        let p = self.c.p;
        let syn = self.c.syn;
        let steps = p.worm_steps_per_day.round().max(1.0) as u32;
        let rate = p.worm_contacts_per_day / steps as f64;
        let poisson = Poisson::new(rate).ok();
        let kill = camp.kill_switch_day.map_or(f64::INFINITY, f64::from);
        let mut targets: Vec<u32> = Vec::new();
        for k in 0..steps {
            let start = d as f64 + k as f64 / steps as f64;
            let end = d as f64 + (k + 1) as f64 / steps as f64;
            let spreading = start < kill && rate > 0.0;
            let current = std::mem::take(&mut self.infected);
            let mut keep = Vec::with_capacity(current.len());
            targets.clear();
            for &s in &current {
                let s = s as usize;
                if self.seg_state[s] != 1 {
                    continue;
                }
                let o = syn.seg_org[s] as usize;
                if self.seg_patch[s] as f64 <= end {
                    // Patched / removed: counted through the patch buckets.
                    self.seg_state[s] = 2;
                    let ci = self.ci(o);
                    self.cnt[ci + SEG0 + 1] -= 1;
                    continue;
                }
                keep.push(s as u32);
                if !spreading {
                    continue;
                }
                let contacts = poisson
                    .as_ref()
                    .map_or(0.0, |x| x.sample(&mut self.orgs[o].rng))
                    as u64;
                let country = &syn.countries[syn.country[o] as usize];
                for _ in 0..contacts {
                    let rng = &mut self.orgs[o].rng;
                    let u: f64 = rng.random();
                    let target = if u < p.worm_local_share {
                        let r = syn.segs_of(o);
                        if self.c.iv[o] & IV_SEG != 0 && rng.random::<f64>() < p.segmentation_block
                        {
                            continue;
                        }
                        rng.random_range(r)
                    } else if u < p.worm_local_share + p.worm_national_share {
                        if syn.channels.national_care <= 0.0 || country.orgs.is_empty() {
                            continue;
                        }
                        let t = rng.random_range(country.orgs.clone()) as usize;
                        if self.disconnected(o, start) || self.disconnected(t, start) {
                            continue;
                        }
                        syn.seg_start[t] as usize
                    } else {
                        let t = rng.random_range(0..syn.len());
                        if !syn.exposed[t] || self.disconnected(t, start) {
                            continue;
                        }
                        syn.seg_start[t] as usize
                    };
                    targets.push(target as u32);
                }
            }
            self.infected = keep;
            for i in 0..targets.len() {
                self.try_infect_segment(targets[i] as usize, end);
            }
        }
    }
}
