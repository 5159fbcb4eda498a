//! Rate limits (governor), built from the configured [`Rate`]s: per connection (direct
//! limiters), and the visitor frame limits shared by every connection of a visitor and of a
//! client IP (keyed limiters, held in the app state, see [`SharedLimits`]); and the count of
//! open sockets per IP ([`SocketCounter`]).

use crate::config::{Limits, Rate};
use dashmap::DashMap;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

fn quota(rate: Rate) -> Quota {
    let per_minute = NonZeroU32::new(rate.per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(rate.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

pub fn limiter(rate: Rate) -> DefaultDirectRateLimiter {
    RateLimiter::direct(quota(rate))
}

/// `rate` times `factor` (per minute and burst), for an IP address standing for many visitors.
pub fn scaled(rate: Rate, factor: u32) -> Rate {
    let factor = factor.max(1);
    Rate {
        per_minute: rate.per_minute.saturating_mul(factor),
        burst: rate.burst.saturating_mul(factor),
    }
}

/// The limited kinds of visitor frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Message,
    ChatRequest,
    Typing,
    PageView,
    OfflineMessage,
}

impl FrameKind {
    pub const ALL: [FrameKind; 5] = [
        FrameKind::Message,
        FrameKind::ChatRequest,
        FrameKind::Typing,
        FrameKind::PageView,
        FrameKind::OfflineMessage,
    ];

    fn index(self) -> usize {
        self as usize
    }

    pub fn rate(self, limits: &Limits) -> Rate {
        match self {
            FrameKind::Message => limits.visitor_messages,
            FrameKind::ChatRequest => limits.chat_requests,
            FrameKind::Typing => limits.typing,
            FrameKind::PageView => limits.page_views,
            FrameKind::OfflineMessage => limits.offline_messages,
        }
    }
}

/// A keyed limiter forgets keys whose bucket is full again only when swept; sweep every this
/// many checks (and after each sweep, give the memory back).
const SWEEP_EVERY: u64 = 4096;

/// The visitor limits that outlive a connection: per visitor id and per client IP, for each
/// [`FrameKind`], and new visitor sockets per IP. Kept in memory, so per node.
pub struct SharedLimits {
    per_visitor: Vec<DefaultKeyedRateLimiter<String>>,
    per_ip: Vec<DefaultKeyedRateLimiter<IpAddr>>,
    connects: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

impl SharedLimits {
    pub fn new(limits: &Limits) -> SharedLimits {
        SharedLimits {
            per_visitor: FrameKind::ALL
                .iter()
                .map(|k| RateLimiter::keyed(quota(k.rate(limits))))
                .collect(),
            per_ip: FrameKind::ALL
                .iter()
                .map(|k| RateLimiter::keyed(quota(scaled(k.rate(limits), limits.per_ip_factor))))
                .collect(),
            connects: RateLimiter::keyed(quota(limits.visitor_connects_per_ip)),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one frame of `kind` against the visitor's bucket, then (only if it passed) the
    /// IP's: a visitor already over its own limit does not use up its neighbours' allowance.
    pub fn allow_frame(&self, kind: FrameKind, visitor: &str, ip: IpAddr) -> bool {
        self.tick();
        let i = kind.index();
        let (Some(v), Some(p)) = (self.per_visitor.get(i), self.per_ip.get(i)) else {
            return false;
        };
        v.check_key(&visitor.to_string()).is_ok() && p.check_key(&ip).is_ok()
    }

    /// Counts one new visitor socket from `ip`.
    pub fn allow_connect(&self, ip: IpAddr) -> bool {
        self.tick();
        self.connects.check_key(&ip).is_ok()
    }

    fn tick(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
    }

    /// Forgets every key whose bucket is full again (it would start full anyway).
    pub fn sweep(&self) {
        for l in &self.per_visitor {
            l.retain_recent();
            l.shrink_to_fit();
        }
        for l in &self.per_ip {
            l.retain_recent();
            l.shrink_to_fit();
        }
        self.connects.retain_recent();
        self.connects.shrink_to_fit();
    }

    /// Keys currently remembered (all limiters together).
    pub fn len(&self) -> usize {
        self.per_visitor.iter().map(|l| l.len()).sum::<usize>()
            + self.per_ip.iter().map(|l| l.len()).sum::<usize>()
            + self.connects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Open sockets per IP address, with a cap.
#[derive(Default)]
pub struct SocketCounter {
    counts: DashMap<IpAddr, usize>,
}

/// Holds one socket's place; gives it back on drop.
pub struct SocketSlot {
    counter: Arc<SocketCounter>,
    ip: IpAddr,
}

impl SocketCounter {
    fn acquire(&self, ip: IpAddr, max: usize) -> bool {
        let mut n = self.counts.entry(ip).or_insert(0);
        if *n >= max {
            return false;
        }
        *n += 1;
        true
    }
    fn release(&self, ip: IpAddr) {
        if let Some(mut n) = self.counts.get_mut(&ip) {
            *n = n.saturating_sub(1);
        }
        self.counts.remove_if(&ip, |_, n| *n == 0);
    }
}

impl SocketSlot {
    /// A slot for a new socket from `ip`, or None when the IP has `max` already.
    pub fn acquire(counter: &Arc<SocketCounter>, ip: IpAddr, max: usize) -> Option<SocketSlot> {
        counter.acquire(ip, max).then(|| SocketSlot {
            counter: counter.clone(),
            ip,
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        self.counter.release(self.ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(per_minute: u32, burst: u32) -> Rate {
        Rate { per_minute, burst }
    }

    #[test]
    fn visitor_and_ip_buckets_are_shared_and_scaled() {
        let limits = Limits {
            visitor_messages: rate(1, 2),
            per_ip_factor: 2,
            ..Limits::default()
        };
        let shared = SharedLimits::new(&limits);
        let ip: IpAddr = "203.0.113.1".parse().expect("ip");
        let other: IpAddr = "203.0.113.2".parse().expect("ip");
        let m = FrameKind::Message;
        assert!(shared.allow_frame(m, "a", ip) && shared.allow_frame(m, "a", ip));
        assert!(!shared.allow_frame(m, "a", ip), "visitor a is over 2");
        assert!(shared.allow_frame(m, "b", ip) && shared.allow_frame(m, "b", ip));
        assert!(!shared.allow_frame(m, "c", ip), "the IP is over 2 × 2");
        assert!(shared.allow_frame(m, "c", other), "another IP is not");
        assert!(
            shared.allow_frame(FrameKind::Typing, "a", ip),
            "kinds are apart"
        );
        shared.sweep();
        assert!(!shared.is_empty(), "buckets in use are kept");
    }
}
