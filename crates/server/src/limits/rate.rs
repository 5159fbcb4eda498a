//! Token buckets (governor) built from the configured [`Rate`]s.

use crate::config::Rate;
use governor::clock::DefaultClock;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::LazyLock;

/// One clock for every bucket: governor's `RateLimiter::direct` makes a new one per bucket,
/// which reads the CPU's identity (`cpuid`, a trap to the hypervisor on a virtual machine).
/// A reconnect storm made 7 of them per visitor socket: 14% of the server's CPU.
static CLOCK: LazyLock<DefaultClock> = LazyLock::new(DefaultClock::default);

/// The governor quota of `rate` (a rate of 0 counts as 1).
pub fn quota(rate: Rate) -> Quota {
    let per_minute = NonZeroU32::new(rate.per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(rate.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

/// One bucket of `rate` (per connection, per key of a map, ...).
pub fn limiter(rate: Rate) -> DefaultDirectRateLimiter {
    RateLimiter::direct_with_clock(quota(rate), CLOCK.clone())
}

/// `rate` times `factor` (per minute and burst), for an IP address standing for many visitors.
pub fn scaled(rate: Rate, factor: u32) -> Rate {
    let factor = factor.max(1);
    Rate {
        per_minute: rate.per_minute.saturating_mul(factor),
        burst: rate.burst.saturating_mul(factor),
    }
}
