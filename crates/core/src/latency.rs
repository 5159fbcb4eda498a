//! A latency histogram made of atomic counters: cheap to record from any thread (the SQLite
//! writer thread, PostgreSQL tasks), read at scrape time. The stores keep one each for their
//! commits (`frontdesk_store_commit_seconds` in `/metrics`). No I/O, no clock: callers measure.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the buckets, in seconds (`+Inf` is implied).
pub const BOUNDS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Counts per bucket (not cumulative), the total count and the sum in microseconds.
pub struct LatencyHistogram {
    buckets: [AtomicU64; BOUNDS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// What [`LatencyHistogram::snapshot`] reads: cumulative counts per bound (Prometheus
/// `le`), the count and the sum in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub cumulative: Vec<(f64, u64)>,
    pub count: u64,
    pub sum_seconds: f64,
}

impl LatencyHistogram {
    #[allow(clippy::declare_interior_mutable_const)]
    const ZERO: AtomicU64 = AtomicU64::new(0);

    pub const fn new() -> LatencyHistogram {
        LatencyHistogram {
            buckets: [Self::ZERO; BOUNDS.len()],
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        if let Some(i) = BOUNDS.iter().position(|&b| secs <= b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        let mut total = 0;
        let cumulative = BOUNDS
            .iter()
            .zip(&self.buckets)
            .map(|(&bound, n)| {
                total += n.load(Ordering::Relaxed);
                (bound, total)
            })
            .collect();
        Snapshot {
            cumulative,
            count: self.count.load(Ordering::Relaxed),
            sum_seconds: self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

impl Default for LatencyHistogram {
    fn default() -> LatencyHistogram {
        LatencyHistogram::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_the_sum_adds_up() {
        let h = LatencyHistogram::new();
        h.observe(Duration::from_micros(300)); // ≤ 0.5 ms
        h.observe(Duration::from_millis(3)); // ≤ 5 ms
        h.observe(Duration::from_millis(3)); // ≤ 5 ms
        h.observe(Duration::from_secs(10)); // beyond the last bound: only in count (+Inf)
        let s = h.snapshot();
        assert_eq!(s.count, 4);
        assert_eq!(s.cumulative[0], (0.0005, 1));
        assert_eq!(s.cumulative[2], (0.0025, 1));
        assert_eq!(s.cumulative[3], (0.005, 3));
        assert_eq!(s.cumulative.last(), Some(&(2.5, 3)));
        assert!((s.sum_seconds - 10.0063).abs() < 1e-9, "{}", s.sum_seconds);
    }
}
