//! Paging "Visitors on Site": the newest visitors first, a page at a time, by a cursor that
//! stays put while visitors arrive and leave. Choosing a page costs what the page costs:
//! the rest of the site is counted and compared by reference, never cloned or sorted.

use super::VisitorOnSite;
use crate::ids::{SiteId, Timestamp, VisitorId};
use serde::Deserialize;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Where a page of the visitors list ends. The list is ordered newest first by
/// (`started_at`, `site_id`, `visitor_id`), all descending; the next page holds the visitors
/// strictly before the cursor in that order, so a visitor who arrives (newer) or leaves
/// between two pages shifts nothing. Its fields are in the order compared (larger is newer),
/// and have the names of [`VisitorOnSite`]'s, so a stored visitor's JSON reads as its cursor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub struct VisitorCursor {
    pub started_at: Timestamp,
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
}

impl VisitorCursor {
    pub fn of(v: &VisitorOnSite) -> VisitorCursor {
        VisitorCursor {
            started_at: v.started_at,
            site_id: v.site_id,
            visitor_id: v.visitor_id.clone(),
        }
    }

    /// The wire form: `STARTED_AT.SITE_ID.VISITOR_ID` (clients treat it as opaque).
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}",
            self.started_at.0, self.site_id.0, self.visitor_id.0
        )
    }

    /// `None` for anything [`VisitorCursor::encode`] did not make.
    pub fn parse(s: &str) -> Option<VisitorCursor> {
        let mut parts = s.splitn(3, '.');
        let started_at = parts.next()?.parse::<i64>().ok()?;
        let site_id = parts.next()?.parse::<i64>().ok()?;
        let visitor_id = parts.next()?;
        if visitor_id.is_empty() || visitor_id.len() > 200 {
            return None;
        }
        Some(VisitorCursor {
            started_at: Timestamp(started_at),
            site_id: SiteId(site_id),
            visitor_id: VisitorId(visitor_id.to_string()),
        })
    }

    fn key(&self) -> Key<'_> {
        Key(self.started_at, self.site_id, &self.visitor_id.0)
    }
}

/// The order of the list, borrowed: larger is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key<'a>(Timestamp, SiteId, &'a str);

fn key(v: &VisitorOnSite) -> Key<'_> {
    Key(v.started_at, v.site_id, &v.visitor_id.0)
}

/// A visitor in the heap, ordered by its key.
struct ByKey<'a>(&'a VisitorOnSite);

impl PartialEq for ByKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        key(self.0) == key(other.0)
    }
}
impl Eq for ByKey<'_> {}
impl PartialOrd for ByKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ByKey<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        key(self.0).cmp(&key(other.0))
    }
}

/// One page of the visitors list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitorsPage {
    /// Newest first.
    pub visitors: Vec<VisitorOnSite>,
    /// Every visitor listed (before any cursor).
    pub total: u64,
    /// More visitors are older than the last of this page.
    pub more: bool,
}

impl VisitorsPage {
    /// The cursor of the next page, when there is one.
    pub fn next(&self) -> Option<String> {
        self.visitors
            .last()
            .filter(|_| self.more)
            .map(|v| VisitorCursor::of(v).encode())
    }
}

/// The newest `n` visitors of `visitors` that come after `before` in the list (all of them
/// when `None`), newest first. One pass with a heap of at most `n` references: only the
/// page's visitors are cloned. `visitors` must not hold the same (site, visitor) twice.
pub fn newest_page<'a>(
    visitors: impl IntoIterator<Item = &'a VisitorOnSite>,
    before: Option<&VisitorCursor>,
    n: usize,
) -> VisitorsPage {
    let bound = before.map(VisitorCursor::key);
    let mut heap: BinaryHeap<Reverse<ByKey<'a>>> = BinaryHeap::with_capacity(n.min(4096) + 1);
    let (mut total, mut eligible) = (0u64, 0u64);
    for v in visitors {
        total += 1;
        if bound.is_some_and(|b| key(v) >= b) {
            continue;
        }
        eligible += 1;
        if heap.len() < n {
            heap.push(Reverse(ByKey(v)));
        } else if let Some(mut oldest) = heap.peek_mut()
            && ByKey(v) > oldest.0
        {
            *oldest = Reverse(ByKey(v));
        }
    }
    // Ascending `Reverse` is descending keys: newest first.
    let visitors: Vec<VisitorOnSite> = heap
        .into_sorted_vec()
        .into_iter()
        .map(|Reverse(ByKey(v))| v.clone())
        .collect();
    let more = eligible > visitors.len() as u64;
    VisitorsPage {
        visitors,
        total,
        more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::VisitId;
    use crate::model::Location;
    use crate::protocol::PageInfo;

    fn v(site: i64, id: &str, at: i64) -> VisitorOnSite {
        VisitorOnSite {
            site_id: SiteId(site),
            visitor_id: VisitorId(id.into()),
            name: None,
            visit_id: VisitId(1),
            page: PageInfo::default(),
            browser: String::new(),
            os: String::new(),
            location: Location::unknown(),
            location_text: String::new(),
            started_at: Timestamp(at),
            chat_id: None,
            auto_invitation: None,
        }
    }

    fn ids(p: &VisitorsPage) -> Vec<&str> {
        p.visitors.iter().map(|v| v.visitor_id.0.as_str()).collect()
    }

    #[test]
    fn pages_newest_first_each_visitor_once_with_ties_broken_by_id() {
        let all = vec![
            v(1, "a", 10),
            v(1, "b", 30),
            v(1, "c", 20),
            v(1, "d", 30),
            v(2, "e", 5),
        ];
        let p1 = newest_page(&all, None, 2);
        assert_eq!(ids(&p1), ["d", "b"]);
        assert_eq!((p1.total, p1.more), (5, true));
        let c1 = VisitorCursor::parse(&p1.next().expect("next")).expect("cursor");
        let p2 = newest_page(&all, Some(&c1), 2);
        assert_eq!(ids(&p2), ["c", "a"]);
        assert!(p2.more);
        let c2 = VisitorCursor::parse(&p2.next().expect("next")).expect("cursor");
        let p3 = newest_page(&all, Some(&c2), 2);
        assert_eq!(ids(&p3), ["e"]);
        assert!(!p3.more);
        assert_eq!(p3.next(), None);
    }

    #[test]
    fn a_visitors_json_reads_as_its_cursor() {
        let x = v(3, "q", 42);
        let json = serde_json::to_string(&x).expect("json");
        let c: VisitorCursor = serde_json::from_str(&json).expect("cursor");
        assert_eq!(c, VisitorCursor::of(&x));
        assert!(VisitorCursor::of(&v(3, "q", 41)) < c);
    }

    #[test]
    fn exactly_a_page_has_no_more_and_cursor_round_trips() {
        let all = vec![v(1, "a", 1), v(1, "b", 2)];
        let p = newest_page(&all, None, 2);
        assert!(!p.more);
        let c = VisitorCursor::of(&v(7, "x.y", -3));
        assert_eq!(VisitorCursor::parse(&c.encode()), Some(c));
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.",
            "a.2.x",
            "1.b.x",
            "9999999999999999999999.1.x",
        ] {
            assert_eq!(VisitorCursor::parse(bad), None, "{bad}");
        }
    }
}
