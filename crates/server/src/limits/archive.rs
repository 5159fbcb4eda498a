//! Archive searches per agent (`limits.archive_searches`): a full-text search is the costliest
//! read an agent can ask for, so each agent has its own token bucket (per node, in memory).
//! Filter-only pages and counts are index walks with a LIMIT and are not counted.

use super::rate::quota;
use crate::config::Rate;
use frontdesk_core::AgentId;
use governor::{DefaultKeyedRateLimiter, RateLimiter};
use std::sync::atomic::{AtomicU64, Ordering};

/// Forget full buckets every this many checks.
const SWEEP_EVERY: u64 = 1024;

pub struct ArchiveLimiter {
    per_agent: DefaultKeyedRateLimiter<i64>,
    checks: AtomicU64,
}

impl ArchiveLimiter {
    pub fn new(rate: Rate) -> ArchiveLimiter {
        ArchiveLimiter {
            per_agent: RateLimiter::keyed(quota(rate)),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one search by `agent`; false when over the limit.
    pub fn allow(&self, agent: AgentId) -> bool {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.per_agent.retain_recent();
            self.per_agent.shrink_to_fit();
        }
        self.per_agent.check_key(&agent.0).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_agent_has_its_own_bucket() {
        let l = ArchiveLimiter::new(Rate {
            per_minute: 1,
            burst: 2,
        });
        assert!(l.allow(AgentId(1)) && l.allow(AgentId(1)));
        assert!(!l.allow(AgentId(1)));
        assert!(l.allow(AgentId(2)));
    }
}
