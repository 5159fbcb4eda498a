//! Time, injectable: production uses the system clock; tests use [`ManualClock`] and move
//! time forward explicitly (no sleeping and hoping).

use frontdesk_core::Timestamp;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// A source of "now" (the wall clock: it may jump, e.g. when NTP or an admin sets it), and
/// ways to wait: until a wall-clock moment, or for a span of elapsed time that jumps of the
/// wall clock neither shorten nor lengthen.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
    /// Resolves once `now() >= deadline` (a wall-clock deadline: it moves with jumps).
    fn sleep_until(
        &self,
        deadline: Timestamp,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>;
    /// Resolves once `span` has elapsed, measured on a monotonic clock.
    fn sleep(
        &self,
        span: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>;
}

pub type SharedClock = Arc<dyn Clock>;

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp(ms)
    }

    fn sleep_until(
        &self,
        deadline: Timestamp,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            loop {
                let left = deadline.millis_since(self.now());
                if left <= 0 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(left as u64)).await;
            }
        })
    }

    fn sleep(
        &self,
        span: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(span))
    }
}

/// A clock that only moves when told to. [`ManualClock::advance`] moves the wall clock and
/// elapsed time together; [`ManualClock::set`] and [`ManualClock::jump`] move only the wall
/// clock (a clock being set), so `sleep` is not affected by them.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<watch::Sender<Times>>,
}

#[derive(Debug, Clone, Copy)]
struct Times {
    wall: Timestamp,
    /// Monotonic milliseconds since the clock was made.
    elapsed: i64,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> ManualClock {
        let (tx, _) = watch::channel(Times {
            wall: start,
            elapsed: 0,
        });
        ManualClock { now: Arc::new(tx) }
    }

    /// Time passes: the wall clock and elapsed time move forward by `by`.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.now.send_modify(|t| {
            t.wall = t.wall.plus_millis(ms);
            t.elapsed = t.elapsed.saturating_add(ms);
        });
    }

    /// The wall clock is set to `to` (no time passes).
    pub fn set(&self, to: Timestamp) {
        self.now.send_modify(|t| t.wall = to);
    }

    /// The wall clock jumps by `ms` (negative: backwards); no time passes.
    pub fn jump(&self, ms: i64) {
        self.now.send_modify(|t| t.wall = t.wall.plus_millis(ms));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.now.borrow().wall
    }

    fn sleep_until(
        &self,
        deadline: Timestamp,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            // `wait_for` returns Err only if the sender is gone; the clock owns it.
            let _ = rx.wait_for(|t| t.wall >= deadline).await;
        })
    }

    fn sleep(
        &self,
        span: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        let mut rx = self.now.subscribe();
        let end = self
            .now
            .borrow()
            .elapsed
            .saturating_add(i64::try_from(span.as_millis()).unwrap_or(i64::MAX));
        Box::pin(async move {
            let _ = rx.wait_for(|t| t.elapsed >= end).await;
        })
    }
}
