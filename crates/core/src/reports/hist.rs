//! Sparse histograms of durations in whole seconds, the part of an hourly rollup that lets
//! medians and p90 be merged over any number of hours.
//!
//! Bucket scheme ([`key`]): a duration up to one hour (3 600 s) is kept to the second, so a
//! percentile at or under an hour is exact; up to a day, to the minute below; longer, to the
//! hour below (a percentile there is the start of its bucket, at most 59 s or 59 min short).

/// Durations up to this many seconds are kept exactly.
pub const EXACT_UP_TO_SECS: u64 = 3_600;
const DAY_SECS: u64 = 86_400;

/// The bucket (its smallest duration) that holds `secs`.
pub fn key(secs: u64) -> u64 {
    if secs <= EXACT_UP_TO_SECS {
        secs
    } else if secs <= DAY_SECS {
        secs - secs % 60
    } else {
        secs - secs % 3_600
    }
}

/// Counts of durations by bucket: `(bucket, count)` sorted by bucket, each bucket once, every
/// count above zero. A sorted vector rather than a map: a 30-day report parses and merges
/// thousands of these (720 hours × 3 per site, plus the agents' hours), and merging two sorted
/// lists is one pass without a node allocation per bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hist(Vec<(u64, u64)>);

impl Hist {
    pub fn new() -> Hist {
        Hist::default()
    }

    /// Counts one duration.
    pub fn add(&mut self, secs: u64) {
        self.add_n(key(secs), 1);
    }

    fn add_n(&mut self, k: u64, n: u64) {
        match self.0.binary_search_by_key(&k, |e| e.0) {
            Ok(i) => self.0[i].1 += n,
            Err(i) => self.0.insert(i, (k, n)),
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Hist) {
        if other.0.is_empty() {
            return;
        }
        if self.0.is_empty() {
            self.0.clone_from(&other.0);
            return;
        }
        // In place when every bucket of `other` is already here (the usual case once a
        // report's accumulator has grown); else one merge of the two sorted lists.
        let mut i = 0;
        let all_here = other.0.iter().all(|(k, _)| {
            while i < self.0.len() && self.0[i].0 < *k {
                i += 1;
            }
            i < self.0.len() && self.0[i].0 == *k
        });
        if all_here {
            let mut i = 0;
            for (k, n) in &other.0 {
                while self.0[i].0 < *k {
                    i += 1;
                }
                self.0[i].1 += n;
            }
            return;
        }
        let mut out = Vec::with_capacity(self.0.len() + other.0.len());
        let (mut a, mut b) = (self.0.iter().peekable(), other.0.iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    out.push((x.0, x.1 + y.1));
                    a.next();
                    b.next();
                }
                (Some(x), Some(y)) if x.0 < y.0 => {
                    out.push(**x);
                    a.next();
                }
                (_, Some(y)) => {
                    out.push(**y);
                    b.next();
                }
                (Some(x), None) => {
                    out.push(**x);
                    a.next();
                }
                (None, None) => break,
            }
        }
        self.0 = out;
    }

    /// How many durations were counted.
    pub fn count(&self) -> u64 {
        self.0.iter().map(|e| e.1).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The nearest-rank percentile (`p` in (0, 1]): the value at rank ⌈p·n⌉. `None` when empty.
    pub fn percentile(&self, p: f64) -> Option<u64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        // ⌈p·n⌉ computed in integers for the percentiles reports use (per mille).
        let per_mille = (p * 1000.0).round().clamp(1.0, 1000.0) as u64;
        let rank = (per_mille * n).div_ceil(1000).max(1);
        let mut seen = 0;
        for (k, c) in &self.0 {
            seen += c;
            if seen >= rank {
                return Some(*k);
            }
        }
        self.0.last().map(|e| e.0)
    }

    pub fn median(&self) -> Option<u64> {
        self.percentile(0.5)
    }

    /// `secs:count` pairs joined by commas, ascending (`""` when empty).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (k, n) in &self.0 {
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(&k.to_string());
            out.push(':');
            out.push_str(&n.to_string());
        }
        out
    }

    /// The inverse of [`Hist::encode`]; `None` on anything else. Pairs out of order or
    /// repeated are accepted and summed (a hand-edited or older row still reads).
    pub fn decode(s: &str) -> Option<Hist> {
        let mut h = Hist::new();
        if s.is_empty() {
            return Some(h);
        }
        for pair in s.split(',') {
            let (k, n) = pair.split_once(':')?;
            let k: u64 = k.parse().ok()?;
            let n: u64 = n.parse().ok()?;
            if n == 0 {
                continue;
            }
            match h.0.last_mut() {
                Some(last) if last.0 == k => last.1 += n,
                Some(last) if last.0 > k => h.add_n(k, n),
                _ => h.0.push((k, n)),
            }
        }
        Some(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn of(values: &[u64]) -> Hist {
        let mut h = Hist::new();
        for v in values {
            h.add(*v);
        }
        h
    }

    #[test]
    fn nearest_rank() {
        assert_eq!(Hist::new().median(), None);
        assert_eq!(of(&[7]).median(), Some(7));
        // n = 4: median rank 2, p90 rank 4.
        let h = of(&[40, 10, 30, 20]);
        assert_eq!(h.median(), Some(20));
        assert_eq!(h.percentile(0.9), Some(40));
        // n = 10: p90 rank 9.
        let h = of(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(h.percentile(0.9), Some(9));
        assert_eq!(h.median(), Some(5));
        assert_eq!(of(&[5, 5, 9]).median(), Some(5));
    }

    #[test]
    fn buckets_are_exact_up_to_an_hour() {
        assert_eq!(key(0), 0);
        assert_eq!(key(3_600), 3_600);
        assert_eq!(key(3_601), 3_600);
        assert_eq!(key(3_659), 3_600);
        assert_eq!(key(3_660), 3_660);
        assert_eq!(key(86_400), 86_400);
        assert_eq!(key(86_401 + 3_600), 90_000);
    }

    #[test]
    fn decode_refuses_garbage() {
        assert_eq!(Hist::decode(""), Some(Hist::new()));
        assert_eq!(Hist::decode("3:2,1:1"), Some(of(&[1, 3, 3])));
        assert_eq!(Hist::decode("x"), None);
        assert_eq!(Hist::decode("1:"), None);
        assert_eq!(Hist::decode("1:2,"), None);
    }

    fn sorted_rank(v: &[u64], p: f64) -> Option<u64> {
        if v.is_empty() {
            return None;
        }
        let mut v = v.to_vec();
        v.sort_unstable();
        let rank = ((p * v.len() as f64).ceil() as usize).max(1);
        Some(v[rank - 1])
    }

    #[test]
    fn decode_sums_pairs_out_of_order_and_repeated() {
        assert_eq!(
            Hist::decode("5:1,3:2,5:2,1:1,3:1"),
            Some(of(&[1, 3, 3, 3, 5, 5, 5]))
        );
        assert_eq!(Hist::decode("2:0,4:1"), Some(of(&[4])));
    }

    proptest! {
        /// Merging many histograms (in place when the buckets exist, else by a merge of the
        /// two lists) counts exactly what one map of all the durations counts.
        #[test]
        fn merging_counts_what_a_map_counts(
            parts in proptest::collection::vec(
                proptest::collection::vec(0u64..5_000, 0..30), 0..12),
        ) {
            let mut merged = Hist::new();
            let mut map = std::collections::BTreeMap::new();
            for p in &parts {
                merged.merge(&of(p));
                // Merging a part whose buckets are all present takes the in-place path.
                merged.merge(&of(p));
                for v in p {
                    *map.entry(key(*v)).or_insert(0u64) += 2;
                }
            }
            let expect: Vec<(u64, u64)> = map.into_iter().collect();
            prop_assert_eq!(&merged.0, &expect);
            prop_assert_eq!(Hist::decode(&merged.encode()), Some(merged.clone()));
        }

        #[test]
        fn merged_parts_give_the_exact_percentiles(
            a in proptest::collection::vec(0u64..=3_600, 0..40),
            b in proptest::collection::vec(0u64..=3_600, 0..40),
        ) {
            let mut h = of(&a);
            h.merge(&of(&b));
            let all: Vec<u64> = a.iter().chain(&b).copied().collect();
            prop_assert_eq!(h.median(), sorted_rank(&all, 0.5));
            prop_assert_eq!(h.percentile(0.9), sorted_rank(&all, 0.9));
            prop_assert_eq!(Hist::decode(&h.encode()), Some(h.clone()));
        }

        #[test]
        fn long_durations_are_the_start_of_their_bucket(v in proptest::collection::vec(0u64..1_000_000, 1..30)) {
            let h = of(&v);
            let exact = sorted_rank(&v, 0.5).unwrap_or(0);
            let got = h.median().unwrap_or(0);
            prop_assert_eq!(got, key(exact));
        }
    }
}
