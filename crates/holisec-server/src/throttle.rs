//! Login throttling (ASVS 6.3.1): an exponential back-off per email after a
//! few consecutive failures, and a cap on failures per client address in a
//! window. It slows guessing without locking anyone out for good: the wait
//! is at most [`ThrottlePolicy::max_delay`], and a success clears the email's
//! count. The key is the email as typed (lower case), known or not, so a 429
//! tells nothing about which accounts exist. Kept in memory: a restart
//! forgets it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How failures are slowed down.
#[derive(Debug, Clone)]
pub struct ThrottlePolicy {
    /// Consecutive failures of one email allowed before waits begin.
    pub free_failures: u32,
    /// The first wait; each further failure doubles it.
    pub base_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
    /// Failures from one address allowed per [`ThrottlePolicy::window`].
    pub per_address: u32,
    /// The window of the per-address count.
    pub window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            free_failures: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(300),
            per_address: 50,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Most keys remembered; past it, entries whose wait is over are dropped.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    /// No attempt before this.
    until: Instant,
    /// Start of the per-address window.
    since: Instant,
}

/// The throttle's state.
#[derive(Debug, Default)]
pub struct Throttle {
    policy: ThrottlePolicy,
    emails: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

impl Throttle {
    /// A throttle applying `policy`.
    pub fn new(policy: ThrottlePolicy) -> Throttle {
        Throttle {
            policy,
            ..Throttle::default()
        }
    }

    /// `Err(wait)` when an attempt for `email` from `address` must wait.
    pub fn check(&self, email: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        if let Some(f) = lock(&self.emails).get(email)
            && f.until > now
        {
            return Err(f.until - now);
        }
        if let Some(ip) = address
            && let Some(f) = lock(&self.addresses).get(&ip)
            && f.until > now
        {
            return Err(f.until - now);
        }
        Ok(())
    }

    /// Records a failed attempt.
    pub fn failed(&self, email: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let p = &self.policy;
        {
            let mut emails = lock(&self.emails);
            prune(&mut emails, now);
            let f = emails.entry(email.to_owned()).or_insert(Failures {
                count: 0,
                until: now,
                since: now,
            });
            f.count = f.count.saturating_add(1);
            if f.count > p.free_failures {
                let doublings = (f.count - p.free_failures - 1).min(20);
                let wait = p.base_delay.saturating_mul(1 << doublings).min(p.max_delay);
                f.until = now + wait;
            }
        }
        if let Some(ip) = address {
            let mut addresses = lock(&self.addresses);
            prune(&mut addresses, now);
            let f = addresses.entry(ip).or_insert(Failures {
                count: 0,
                until: now,
                since: now,
            });
            if now.duration_since(f.since) > p.window {
                *f = Failures {
                    count: 0,
                    until: now,
                    since: now,
                };
            }
            f.count = f.count.saturating_add(1);
            if f.count >= p.per_address {
                f.until = f.since + p.window;
            }
        }
    }

    /// Records a success: the email's failures are forgotten.
    pub fn succeeded(&self, email: &str) {
        lock(&self.emails).remove(email);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn prune<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Failures>, now: Instant) {
    if map.len() >= MAX_KEYS {
        map.retain(|_, f| f.until > now);
        if map.len() >= MAX_KEYS {
            map.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_failures_and_end() {
        let t = Throttle::new(ThrottlePolicy {
            free_failures: 2,
            base_delay: Duration::from_millis(40),
            max_delay: Duration::from_millis(100),
            per_address: 1000,
            window: Duration::from_secs(60),
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..2 {
            assert!(t.check("a@x", Some(ip)).is_ok());
            t.failed("a@x", Some(ip));
        }
        assert!(t.check("a@x", Some(ip)).is_ok());
        t.failed("a@x", Some(ip));
        let wait = t.check("a@x", Some(ip)).unwrap_err();
        assert!(wait <= Duration::from_millis(40), "{wait:?}");
        // Another email is not slowed by it.
        assert!(t.check("b@x", Some(ip)).is_ok());
        t.failed("a@x", None);
        t.failed("a@x", None);
        t.failed("a@x", None);
        assert!(t.check("a@x", None).unwrap_err() <= Duration::from_millis(100));
        std::thread::sleep(Duration::from_millis(110));
        assert!(t.check("a@x", None).is_ok());
        t.succeeded("a@x");
        t.failed("a@x", None);
        assert!(t.check("a@x", None).is_ok(), "a success clears the count");
    }

    #[test]
    fn one_address_is_capped_per_window() {
        let t = Throttle::new(ThrottlePolicy {
            per_address: 3,
            ..ThrottlePolicy::default()
        });
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        for k in 0..3 {
            assert!(t.check(&format!("u{k}@x"), Some(ip)).is_ok());
            t.failed(&format!("u{k}@x"), Some(ip));
        }
        assert!(t.check("new@x", Some(ip)).is_err());
        assert!(t.check("new@x", Some("192.0.2.8".parse().unwrap())).is_ok());
    }
}
