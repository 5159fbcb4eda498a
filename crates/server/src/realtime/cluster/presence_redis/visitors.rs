//! The visitors on sites as every live node's presence entries say (`P:vis:{site}:{node}`):
//! the whole list (REST "Visitors on Site") and one page of it (the agent snapshot,
//! `visitors.more`).

use super::{RedisPresence, run};
use frontdesk_core::SiteId;
use frontdesk_core::protocol::{VisitorCursor, VisitorOnSite, VisitorsPage};
use std::collections::HashSet;

impl RedisPresence {
    /// Every visitor entry (JSON) of live nodes on `sites`, one list per (site, node): two
    /// round trips (the live nodes, then one `HVALS` per pair, pipelined).
    async fn entries(&self, sites: &HashSet<SiteId>) -> Result<Vec<Vec<String>>, String> {
        let live = self.live_nodes().await?;
        let mut pipe = redis::pipe();
        for site in sites {
            for node in &live {
                pipe.hvals(self.vis_key(*site, node));
            }
        }
        run(&self.conn, &pipe).await
    }

    /// Visitors of live nodes on `sites` (two round trips).
    pub(super) async fn visitors(
        &self,
        sites: &HashSet<SiteId>,
    ) -> Result<Vec<VisitorOnSite>, String> {
        let lists = self.entries(sites).await?;
        let mut seen = HashSet::new();
        let mut out: Vec<VisitorOnSite> = lists
            .iter()
            .flatten()
            .filter_map(|json| serde_json::from_str::<VisitorOnSite>(json).ok())
            .filter(|v| seen.insert((v.site_id, v.visitor_id.clone())))
            .collect();
        out.sort_by_key(|v| v.started_at);
        Ok(out)
    }

    /// A page of the sites' visitors on every live node. Redis keeps them as one hash per
    /// (site, node) with no order, so every entry is still read (`HVALS`); but only its
    /// cursor fields are parsed for all of them (to drop duplicates across nodes, count and
    /// choose the page), and only the page's entries are parsed whole.
    pub(super) async fn visitors_paged(
        &self,
        sites: &HashSet<SiteId>,
        before: Option<&VisitorCursor>,
        n: usize,
    ) -> Result<VisitorsPage, String> {
        let lists = self.entries(sites).await?;
        let mut seen = HashSet::new();
        let mut rows: Vec<(VisitorCursor, &str)> = lists
            .iter()
            .flatten()
            .filter_map(|json| {
                serde_json::from_str::<VisitorCursor>(json)
                    .ok()
                    .map(|k| (k, json.as_str()))
            })
            .filter(|(k, _)| seen.insert((k.site_id, k.visitor_id.clone())))
            .collect();
        let total = rows.len() as u64;
        if let Some(b) = before {
            rows.retain(|(k, _)| k < b);
        }
        let newest_first = |a: &(VisitorCursor, &str), b: &(VisitorCursor, &str)| b.0.cmp(&a.0);
        let more = rows.len() > n;
        if more {
            rows.select_nth_unstable_by(n, newest_first);
            rows.truncate(n);
        }
        rows.sort_unstable_by(newest_first);
        let visitors = rows
            .iter()
            .filter_map(|(_, json)| serde_json::from_str::<VisitorOnSite>(json).ok())
            .collect();
        Ok(VisitorsPage {
            visitors,
            total,
            more,
        })
    }
}
