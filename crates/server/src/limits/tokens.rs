//! API tokens (`limits.api_token_requests`): each token has its own token bucket, and the
//! moment this node last wrote its "last used" (written at most once a minute per token, not
//! once per request). Per node, in memory.

use super::rate::quota;
use crate::config::Rate;
use dashmap::DashMap;
use frontdesk_core::{Timestamp, TokenId};
use governor::{DefaultKeyedRateLimiter, RateLimiter};
use std::sync::atomic::{AtomicU64, Ordering};

/// Forget full buckets every this many checks.
const SWEEP_EVERY: u64 = 1024;

pub struct TokenLimiter {
    per_token: DefaultKeyedRateLimiter<i64>,
    checks: AtomicU64,
    touched: DashMap<i64, Timestamp>,
}

impl TokenLimiter {
    pub fn new(rate: Rate) -> TokenLimiter {
        TokenLimiter {
            per_token: RateLimiter::keyed(quota(rate)),
            checks: AtomicU64::new(0),
            touched: DashMap::new(),
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
        let l = TokenLimiter::new(Rate {
            per_minute: 1,
            burst: 2,
        });
        assert!(l.allow(TokenId(1)) && l.allow(TokenId(1)));
        assert!(!l.allow(TokenId(1)));
        assert!(l.allow(TokenId(2)));
        assert!(l.touch_due(TokenId(1), Timestamp(0)));
        assert!(!l.touch_due(TokenId(1), Timestamp(59_999)));
        assert!(l.touch_due(TokenId(1), Timestamp(60_000)));
        assert!(l.touch_due(TokenId(2), Timestamp(1)));
    }
}
