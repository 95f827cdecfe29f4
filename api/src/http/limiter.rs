//! The counters behind the rate limits: GCRA (the generic cell rate algorithm, `governor`) per
//! (budget, token or address). A quota of q requests per w seconds lets a burst of q through
//! and then one request every w/q seconds: unlike a fixed window, no edge lets 2q through.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter as Gcra};

use crate::config::limits::{Budget, RateLimits};

/// One request counted: the budget's quota and window, and what is left of it.
pub struct Hit {
    pub budget: Budget,
    pub quota: u32,
    pub window: u64,
    /// Requests that could go now.
    pub remaining: u32,
    /// Seconds until the next request may go (refused) or the burst is whole again (allowed).
    pub reset: u64,
    pub allowed: bool,
}

/// How many keys one budget holds; keys come from unverified bearer strings and forwarded
/// addresses, so a caller can mint new ones at will.
const MAX_KEYS: usize = 100_000;

type Keyed<C> = Gcra<String, HashMapStateStore<String>, C, StateInformationMiddleware>;

struct Counter<C: Clock> {
    quota: u32,
    window: u64,
    cells: Keyed<C>,
}

/// The limiters of every configured budget, for tokens and for addresses.
pub struct RateLimiter<C: Clock = DefaultClock> {
    counters: HashMap<(Budget, bool), Counter<C>>,
    /// The second of the last sweep: a full table is swept at most once a second, so a flood
    /// of fresh keys costs one pass a second, not one per request.
    swept_at: AtomicU64,
    clock: C,
    started: C::Instant,
}

impl RateLimiter {
    pub fn new(limits: &RateLimits) -> Self {
        RateLimiter::with_clock(limits, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    pub fn with_clock(limits: &RateLimits, clock: C) -> Self {
        let mut counters = HashMap::new();
        for (by_token, quotas) in [(true, &limits.per_token), (false, &limits.per_address)] {
            for (&budget, &(quota, window)) in &quotas.0 {
                let (Some(burst), true) = (NonZeroU32::new(quota), window > 0) else { continue };
                let period = Duration::from_secs(window) / quota;
                let Some(gcra) = Quota::with_period(period).map(|q| q.allow_burst(burst)) else { continue };
                let cells: Keyed<C> = Gcra::<_, _, _, governor::middleware::NoOpMiddleware<C::Instant>>::new(
                    gcra,
                    HashMapStateStore::default(),
                    clock.clone(),
                )
                .with_middleware::<StateInformationMiddleware>();
                counters.insert((budget, by_token), Counter { quota, window, cells });
            }
        }
        let started = clock.now();
        RateLimiter { counters, swept_at: AtomicU64::new(u64::MAX), clock, started }
    }

    /// Counts one request of `budget` by `key` (a token's digest, or an address); `None` when
    /// no quota applies.
    pub fn hit(&self, budget: Budget, by_token: bool, key: String) -> Option<Hit> {
        let counter = self.counters.get(&(budget, by_token))?;
        let (quota, window) = (counter.quota, counter.window);
        let allow = Hit { budget, quota, window, remaining: quota, reset: 0, allowed: true };
        if counter.cells.len() >= MAX_KEYS {
            let second = Duration::from(self.clock.now().duration_since(self.started)).as_secs();
            if self.swept_at.swap(second, Ordering::Relaxed) != second {
                // A key whose cells are all back is no different from a fresh one.
                counter.cells.retain_recent();
            }
            if counter.cells.len() >= MAX_KEYS {
                // Still full of live keys: count nothing rather than grow without bound; the
                // other budget (token or address) of the same request still applies.
                return Some(allow);
            }
        }
        let cell = Duration::from_secs(window) / quota;
        Some(match counter.cells.check_key(&key) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                let refill = cell * (quota - remaining.min(quota));
                Hit { remaining, reset: refill.as_secs_f64().ceil() as u64, ..allow }
            }
            Err(refused) => {
                let wait = refused.wait_time_from(self.clock.now());
                Hit { remaining: 0, reset: wait.as_secs_f64().ceil().max(1.0) as u64, allowed: false, ..allow }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use governor::clock::FakeRelativeClock;

    use super::*;
    use crate::config::limits::Quotas;

    fn limiter(spec: &str, clock: &FakeRelativeClock) -> RateLimiter<FakeRelativeClock> {
        let limits = RateLimits {
            per_token: Quotas::parse(spec).unwrap(),
            per_address: Quotas::default(),
            refusal_delay: Duration::ZERO,
        };
        RateLimiter::with_clock(&limits, clock.clone())
    }

    #[test]
    fn a_burst_of_the_quota_passes_then_one_request_per_share_of_the_window() {
        let clock = FakeRelativeClock::default();
        let limiter = limiter("writes=2/60", &clock);
        let hit = || limiter.hit(Budget::Writes, true, "k".into()).unwrap();
        assert!(hit().allowed);
        let second = hit();
        assert!(second.allowed && second.remaining == 0);
        let third = hit();
        assert!(!third.allowed);
        assert_eq!(third.reset, 30, "one request every 30 s");
        clock.advance(Duration::from_secs(30));
        assert!(hit().allowed);
        assert!(!hit().allowed);
        assert!(limiter.hit(Budget::Reads, true, "k".into()).is_none(), "no quota for reads");
    }

    #[test]
    fn no_window_edge_lets_twice_the_quota_through() {
        // A fixed window let q requests at the end of one window and q more at the start of
        // the next: 2q within a second. GCRA lets q, then one per w/q.
        let clock = FakeRelativeClock::default();
        let limiter = limiter("exports=20/60", &clock);
        clock.advance(Duration::from_secs(59));
        let first: usize = (0..40).filter(|_| limiter.hit(Budget::Exports, true, "k".into()).unwrap().allowed).count();
        clock.advance(Duration::from_secs(2));
        let second: usize = (0..40).filter(|_| limiter.hit(Budget::Exports, true, "k".into()).unwrap().allowed).count();
        assert_eq!(first, 20);
        assert!(second <= 1, "{second} more within two seconds");
    }

    #[test]
    fn a_flood_of_fresh_keys_cannot_grow_the_table_without_bound() {
        let clock = FakeRelativeClock::default();
        let limiter = limiter("reads=1/60", &clock);
        for i in 0..MAX_KEYS + 10 {
            limiter.hit(Budget::Reads, true, format!("fresh-{i}"));
        }
        let counter = &limiter.counters[&(Budget::Reads, true)];
        assert!(counter.cells.len() <= MAX_KEYS);
        // Once their cells are back (governor keeps a key one more cell's time) the sweep makes
        // room again.
        clock.advance(Duration::from_secs(121));
        assert!(limiter.hit(Budget::Reads, true, "later".into()).unwrap().allowed);
        assert!(counter.cells.len() < MAX_KEYS);
    }
}
