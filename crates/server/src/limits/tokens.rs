//! API tokens (`limits.api_token_requests`): each token has its own token bucket, and the
//! moment this node last wrote its "last used" (written at most once a minute per token, not
//! once per request). Unknown tokens (`limits.api_token_misses_per_ip`): each client address
//! has a bucket of misses; once it is empty the address is refused before any database lookup
//! until one unit frees, so a flood of random tokens costs one lookup per unit, not one per
//! request. Per node, in memory.

use super::rate::quota;
use crate::config::Rate;
use dashmap::DashMap;
use frontdesk_core::{Timestamp, TokenId};
use governor::{DefaultKeyedRateLimiter, RateLimiter};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Forget full buckets every this many checks.
const SWEEP_EVERY: u64 = 1024;

pub struct TokenLimiter {
    per_token: DefaultKeyedRateLimiter<i64>,
    checks: AtomicU64,
    touched: DashMap<i64, Timestamp>,
    misses: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses whose misses ran out, refused until then.
    refused_until: DashMap<IpAddr, Instant>,
    /// How long one unit of misses takes to come back.
    miss_unit: Duration,
}

impl TokenLimiter {
    pub fn new(rate: Rate, misses: Rate) -> TokenLimiter {
        TokenLimiter {
            per_token: RateLimiter::keyed(quota(rate)),
            checks: AtomicU64::new(0),
            touched: DashMap::new(),
            misses: RateLimiter::keyed(quota(misses)),
            refused_until: DashMap::new(),
            miss_unit: Duration::from_millis(60_000 / u64::from(misses.per_minute.max(1))),
        }
    }

    /// Whether a bearer request from `ip` may be looked up at all (false: its misses ran out).
    pub fn lookup_allowed(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        match self.refused_until.get(&ip).map(|t| *t) {
            Some(until) if now < until => false,
            Some(_) => {
                self.refused_until.remove(&ip);
                true
            }
            None => true,
        }
    }

    /// A bearer request from `ip` named no usable token: counts one miss; when that empties
    /// the address's bucket, the address is refused for one unit.
    pub fn missed(&self, ip: IpAddr) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.misses.retain_recent();
            let now = Instant::now();
            self.refused_until.retain(|_, until| *until > now);
        }
        if self.misses.check_key(&ip).is_err() {
            self.refused_until
                .insert(ip, Instant::now() + self.miss_unit);
        }
    }

    /// Counts one request with `token`; false when over the limit.
    pub fn allow(&self, token: TokenId) -> bool {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.per_token.retain_recent();
            self.per_token.shrink_to_fit();
        }
        self.per_token.check_key(&token.0).is_ok()
    }

    /// Whether this use at `now` should be written (and, if so, notes it as written).
    pub fn touch_due(&self, token: TokenId, now: Timestamp) -> bool {
        let mut due = false;
        self.touched
            .entry(token.0)
            .and_modify(|last| {
                if frontdesk_core::tokens::should_touch(Some(*last), now) {
                    *last = now;
                    due = true;
                }
            })
            .or_insert_with(|| {
                due = true;
                now
            });
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_token_has_its_own_bucket_and_touches_once_a_minute() {
        let l = TokenLimiter::new(
            Rate {
                per_minute: 1,
                burst: 2,
            },
            Rate {
                per_minute: 1,
                burst: 1,
            },
        );
        assert!(l.allow(TokenId(1)) && l.allow(TokenId(1)));
        assert!(!l.allow(TokenId(1)));
        assert!(l.allow(TokenId(2)));
        assert!(l.touch_due(TokenId(1), Timestamp(0)));
        assert!(!l.touch_due(TokenId(1), Timestamp(59_999)));
        assert!(l.touch_due(TokenId(1), Timestamp(60_000)));
        assert!(l.touch_due(TokenId(2), Timestamp(1)));
    }

    #[test]
    fn an_address_out_of_misses_is_refused_before_any_lookup() {
        let l = TokenLimiter::new(
            Rate {
                per_minute: 600,
                burst: 100,
            },
            Rate {
                per_minute: 1,
                burst: 2,
            },
        );
        let (a, b): (IpAddr, IpAddr) = (
            "203.0.113.1".parse().expect("ip"),
            "203.0.113.2".parse().expect("ip"),
        );
        for _ in 0..2 {
            assert!(l.lookup_allowed(a));
            l.missed(a);
        }
        assert!(l.lookup_allowed(a), "two misses spent the burst, not more");
        l.missed(a);
        assert!(!l.lookup_allowed(a));
        assert!(l.lookup_allowed(b), "each address has its own bucket");
    }
}
