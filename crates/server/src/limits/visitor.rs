//! The visitor socket's abuse limits (`limits.*` in the settings). Each limited kind of frame
//! passes three token buckets: its connection's, its visitor's (shared by all the visitor's
//! connections, so reconnecting gives no fresh allowance) and its client IP's (`per_ip_factor`
//! times larger). A frame over any of them is refused with `rate_limited`; the connection goes
//! on. New visitor sockets per IP are counted here too ([`SharedLimits::allow_connect`]).

use super::rate::{limiter, quota, scaled};
use crate::config::{Limits, Rate};
use crate::error::{AppError, AppResult};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, RateLimiter};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// The limited kinds of visitor frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Message,
    ChatRequest,
    Typing,
    PageView,
    OfflineMessage,
    /// A file upload (HTTP, counted per visitor and IP only: see [`SharedLimits::allow_frame`]).
    FileUpload,
    /// "Email me this transcript".
    TranscriptEmail,
    /// A `rate` frame.
    Rating,
}

impl FrameKind {
    pub const ALL: [FrameKind; 8] = [
        FrameKind::Message,
        FrameKind::ChatRequest,
        FrameKind::Typing,
        FrameKind::PageView,
        FrameKind::OfflineMessage,
        FrameKind::FileUpload,
        FrameKind::TranscriptEmail,
        FrameKind::Rating,
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
            FrameKind::FileUpload => limits.file_uploads,
            FrameKind::TranscriptEmail => limits.transcript_emails,
            FrameKind::Rating => limits.ratings,
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

    /// Counts one `kind` for `key` alone (no IP): an agent's file uploads, keyed
    /// `agent:ID`, share the bucket size of a visitor's but never a visitor's key.
    pub fn allow_key(&self, kind: FrameKind, key: &str) -> bool {
        self.tick();
        self.per_visitor
            .get(kind.index())
            .is_some_and(|v| v.check_key(&key.to_string()).is_ok())
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

/// Whose shared buckets a connection counts against.
struct Who {
    shared: Arc<SharedLimits>,
    visitor: String,
    ip: IpAddr,
}

/// Every limited kind of visitor frame, for one connection. A connection's own bucket of a kind
/// is made at its first frame of that kind: a visitor who only browses holds none.
pub struct VisitorLimits {
    who: Who,
    rates: [Rate; FrameKind::ALL.len()],
    conn: [OnceLock<Box<DefaultDirectRateLimiter>>; FrameKind::ALL.len()],
}

impl VisitorLimits {
    /// The buckets of a new connection of `visitor` from `ip`.
    pub fn new(
        limits: &Limits,
        shared: &Arc<SharedLimits>,
        visitor: &str,
        ip: IpAddr,
    ) -> VisitorLimits {
        VisitorLimits {
            who: Who {
                shared: shared.clone(),
                visitor: visitor.to_string(),
                ip,
            },
            rates: FrameKind::ALL.map(|k| k.rate(limits)),
            conn: Default::default(),
        }
    }

    /// Counts one frame of `kind`: the connection's bucket first, then the visitor's, then the
    /// IP's (a bucket is only counted against when the narrower ones let the frame through).
    pub fn check(&self, kind: FrameKind) -> AppResult<()> {
        let i = kind.index();
        let conn = self.conn[i].get_or_init(|| Box::new(limiter(self.rates[i])));
        let who = &self.who;
        if conn.check().is_ok() && who.shared.allow_frame(kind, &who.visitor, who.ip) {
            Ok(())
        } else {
            Err(AppError::rate_limited())
        }
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

    #[test]
    fn a_new_connection_gets_no_fresh_visitor_allowance() {
        let limits = Limits {
            visitor_messages: rate(1, 1),
            ..Limits::default()
        };
        let shared = Arc::new(SharedLimits::new(&limits));
        let ip: IpAddr = "203.0.113.1".parse().expect("ip");
        let first = VisitorLimits::new(&limits, &shared, "a", ip);
        let m = FrameKind::Message;
        assert!(first.check(m).is_ok());
        assert!(first.check(m).is_err(), "the connection is over 1");
        let second = VisitorLimits::new(&limits, &shared, "a", ip);
        assert!(second.check(m).is_err(), "the visitor is over 1");
        let other = VisitorLimits::new(&limits, &shared, "b", ip);
        assert!(other.check(m).is_ok(), "another visitor is not");
    }
}
