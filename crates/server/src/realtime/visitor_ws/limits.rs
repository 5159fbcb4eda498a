//! The visitor socket's abuse limits: a token bucket per connection for each kind of frame
//! (`limits.*` in the settings). A frame over its limit is refused with `rate_limited`.

use crate::error::{AppError, AppResult};
use crate::realtime::limit::limiter;
use crate::state::App;

/// Every limited kind of visitor frame, counted per connection.
pub(super) struct Limits {
    pub(super) messages: governor::DefaultDirectRateLimiter,
    pub(super) requests: governor::DefaultDirectRateLimiter,
    pub(super) typing: governor::DefaultDirectRateLimiter,
    pub(super) pages: governor::DefaultDirectRateLimiter,
    pub(super) offline: governor::DefaultDirectRateLimiter,
}

impl Limits {
    pub(super) fn new(app: &App) -> Limits {
        let l = &app.settings.limits;
        Limits {
            messages: limiter(l.visitor_messages),
            requests: limiter(l.chat_requests),
            typing: limiter(l.typing),
            pages: limiter(l.page_views),
            offline: limiter(l.offline_messages),
        }
    }
}

pub(super) fn check(l: &governor::DefaultDirectRateLimiter) -> AppResult<()> {
    l.check().map_err(|_| AppError::rate_limited())
}
