//! The counters behind the rate limits: fixed windows per (budget, token or address).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::config::limits::Budget;

/// One request counted: the budget's quota and window, and what is left of it.
pub struct Hit {
    pub budget: Budget,
    pub quota: u32,
    pub window: u64,
    pub remaining: u32,
    pub reset: u64,
    pub allowed: bool,
}
/// A counter's key: the budget, whether it counts a token (else an address), and the key.
type CounterKey = (Budget, bool, String);

/// How many counters the limiter holds; keys come from unverified bearer strings and forwarded
/// addresses, so a caller can mint new ones at will.
const MAX_COUNTERS: usize = 100_000;

/// Fixed-window counters: (the second its window ends, requests in it).
#[derive(Default)]
pub struct RateLimiter {
    counters: Mutex<Counters>,
}

#[derive(Default)]
struct Counters {
    map: HashMap<CounterKey, (u64, u32)>,
    /// The second of the last sweep: a full table is swept at most once a second, so a flood
    /// of fresh keys costs one pass a second, not one per request.
    swept_at: u64,
}

impl RateLimiter {
    pub fn hit(&self, budget: Budget, (quota, window): (u32, u64), by_token: bool, key: String, now: u64) -> Hit {
        let slot = now / window;
        let reset = (slot + 1) * window - now;
        let allow = Hit { budget, quota, window, remaining: quota, reset, allowed: true };
        let Ok(mut counters) = self.counters.lock() else {
            // A poisoned lock means a panic elsewhere; do not turn it into refusals.
            return allow;
        };
        let key = (budget, by_token, key);
        if counters.map.len() >= MAX_COUNTERS && !counters.map.contains_key(&key) {
            if counters.swept_at != now {
                counters.swept_at = now;
                // A counter whose window has ended holds nothing.
                counters.map.retain(|_, (ends_at, _)| *ends_at > now);
            }
            if counters.map.len() >= MAX_COUNTERS {
                // Still full of live keys: count nothing new rather than grow without bound;
                // the other budget (token or address) of the same request still applies.
                return allow;
            }
        }
        let ends_at = (slot + 1) * window;
        let entry = counters.map.entry(key).or_insert((ends_at, 0));
        if entry.0 != ends_at {
            *entry = (ends_at, 0);
        }
        let allowed = entry.1 < quota;
        if allowed {
            entry.1 += 1;
        }
        Hit { budget, quota, window, remaining: quota - entry.1.min(quota), reset, allowed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_refuses_past_its_quota_and_resets() {
        let limiter = RateLimiter::default();
        let hit = |now| limiter.hit(Budget::Writes, (2, 60), true, "k".into(), now);
        assert!(hit(120).allowed);
        let second = hit(130);
        assert!(second.allowed && second.remaining == 0);
        let third = hit(150);
        assert!(!third.allowed);
        assert_eq!(third.reset, 30);
        assert!(hit(180).allowed, "a new window");
    }

    #[test]
    fn a_flood_of_fresh_keys_cannot_grow_the_table_without_bound() {
        let limiter = RateLimiter::default();
        for i in 0..MAX_COUNTERS + 10 {
            limiter.hit(Budget::Reads, (1, 60), true, format!("fresh-{i}"), 120);
        }
        assert_eq!(limiter.counters.lock().unwrap().map.len(), MAX_COUNTERS);
        // A known key is still counted; once the window has ended the sweep makes room again.
        assert!(!limiter.hit(Budget::Reads, (1, 60), true, "fresh-0".into(), 121).allowed);
        assert!(limiter.hit(Budget::Reads, (1, 60), true, "later".into(), 180).allowed);
        assert_eq!(limiter.counters.lock().unwrap().map.len(), 1);
    }
}
