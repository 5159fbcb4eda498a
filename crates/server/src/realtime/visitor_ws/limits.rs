//! The visitor socket's abuse limits (`limits.*` in the settings). Each limited kind of frame
//! passes three token buckets: its connection's, its visitor's (shared by all the visitor's
//! connections, so reconnecting gives no fresh allowance) and its client IP's (`per_ip_factor`
//! times larger). A frame over any of them is refused with `rate_limited`; the connection goes on.

use crate::error::{AppError, AppResult};
use crate::realtime::limit::{FrameKind, limiter};
use crate::state::App;
use frontdesk_core::VisitorId;
use std::net::IpAddr;

/// One kind of frame's buckets, as seen from one connection.
pub(super) struct Bucket {
    kind: FrameKind,
    conn: governor::DefaultDirectRateLimiter,
    who: Who,
}

/// Whose shared buckets a connection counts against.
#[derive(Clone)]
struct Who {
    app: App,
    visitor: String,
    ip: IpAddr,
}

/// Every limited kind of visitor frame.
pub(super) struct Limits {
    pub(super) messages: Bucket,
    pub(super) requests: Bucket,
    pub(super) typing: Bucket,
    pub(super) pages: Bucket,
    pub(super) offline: Bucket,
}

impl Limits {
    pub(super) fn new(app: &App, visitor: &VisitorId, ip: IpAddr) -> Limits {
        let who = Who {
            app: app.clone(),
            visitor: visitor.0.clone(),
            ip,
        };
        let bucket = |kind: FrameKind| Bucket {
            kind,
            conn: limiter(kind.rate(&app.settings.limits)),
            who: who.clone(),
        };
        Limits {
            messages: bucket(FrameKind::Message),
            requests: bucket(FrameKind::ChatRequest),
            typing: bucket(FrameKind::Typing),
            pages: bucket(FrameKind::PageView),
            offline: bucket(FrameKind::OfflineMessage),
        }
    }
}

/// Counts one frame: the connection's bucket first, then the visitor's, then the IP's (a bucket
/// is only counted against when the narrower ones let the frame through).
pub(super) fn check(b: &Bucket) -> AppResult<()> {
    let ok = b.conn.check().is_ok()
        && b.who
            .app
            .shared_limits
            .allow_frame(b.kind, &b.who.visitor, b.who.ip);
    if ok {
        Ok(())
    } else {
        Err(AppError::rate_limited())
    }
}
