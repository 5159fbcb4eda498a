//! A report from its parts: clean hourly rollups where an hour lies wholly in one bucket, and
//! the raw facts of every other hour (marked dirty, cut by the period, or straddling two
//! buckets of a zone 30 minutes off UTC), so the answer is always exact.

use super::buckets::{BucketError, Span, bucket_of, buckets, weekday_hour};
use super::rollup::{Acc, ChatFacts, hour_start};
use super::{AgentFigures, Bucket, Granularity, Report};
use crate::ids::{AgentId, SiteId, Timestamp};
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

const HOUR_MS: i64 = 3_600_000;
const QUARTER_MS: i64 = 900_000;

/// What a report is made of, as the store read it.
#[derive(Debug, Clone, Default)]
pub struct Parts {
    /// Clean rollup rows `(UTC hour, sums)` of hours that [`Plan::rollup_usable`] accepted.
    pub hours: Vec<(i64, Acc)>,
    /// The chats created in every other part of the period.
    pub chats: Vec<ChatFacts>,
    /// When the offline messages of those parts were received.
    pub offline: Vec<Timestamp>,
    /// On-Line spans `(agent, start, end)`, any overlap with the period.
    pub online: Vec<(AgentId, Timestamp, Timestamp)>,
    /// Names of the agents (an agent missing here is listed as "Agent N").
    pub names: BTreeMap<AgentId, String>,
}

/// The buckets of a period and which hourly rollups can serve it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub from: Timestamp,
    pub to: Timestamp,
    pub granularity: Granularity,
    pub tz: TimeZone,
    pub tz_name: String,
    pub spans: Vec<Span>,
}

impl Plan {
    pub fn new(
        from: Timestamp,
        to: Timestamp,
        granularity: Granularity,
        tz_name: &str,
    ) -> Result<Plan, BucketError> {
        let tz = super::buckets::zone(tz_name)?;
        let spans = buckets(from, to, granularity, &tz)?;
        Ok(Plan {
            from,
            to,
            granularity,
            tz,
            tz_name: tz_name.to_string(),
            spans,
        })
    }

    /// The UTC hours the period touches: `first..=last`.
    pub fn hours(&self) -> (i64, i64) {
        (
            self.from.0.div_euclid(HOUR_MS),
            (self.to.0 - 1).div_euclid(HOUR_MS),
        )
    }

    /// May the rollup row of `hour` be used as a whole? Only when the hour lies inside the
    /// period and inside one bucket.
    pub fn rollup_usable(&self, hour: i64) -> bool {
        let start = hour_start(hour);
        let last = Timestamp(start.0 + HOUR_MS - 1);
        if start < self.from || last >= self.to {
            return false;
        }
        match (bucket_of(&self.spans, start), bucket_of(&self.spans, last)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }

    /// The part of `hour` inside the period, for reading raw facts.
    pub fn clip(&self, hour: i64) -> Option<(Timestamp, Timestamp)> {
        let start = hour_start(hour).max(self.from);
        let end = Timestamp(hour_start(hour).0 + HOUR_MS).min(self.to);
        (start < end).then_some((start, end))
    }

    /// Adds up the parts.
    pub fn assemble(&self, site_id: Option<SiteId>, parts: Parts) -> Report {
        let mut accs: Vec<Acc> = vec![Acc::default(); self.spans.len()];
        let mut heat = vec![[0u64; 24]; 7];
        let mut bump = |t: Timestamp, n: u64| {
            if n > 0
                && let Some((d, h)) = weekday_hour(t, &self.tz)
            {
                heat[d][h] += n;
            }
        };
        for (hour, acc) in &parts.hours {
            let start = hour_start(*hour);
            if let Some(i) = bucket_of(&self.spans, start) {
                accs[i].merge(acc);
                for (q, n) in acc.quarters.iter().enumerate() {
                    bump(Timestamp(start.0 + q as i64 * QUARTER_MS), *n);
                }
            }
        }
        for c in &parts.chats {
            if let Some(i) = bucket_of(&self.spans, c.created_at) {
                accs[i].add_chat(c);
                bump(c.created_at, 1);
            }
        }
        for t in &parts.offline {
            if let Some(i) = bucket_of(&self.spans, *t) {
                accs[i].add_offline();
            }
        }
        let mut total = Acc::default();
        for a in &accs {
            total.merge(a);
        }
        let online = online_secs(&parts.online, self.from, self.to);
        let mut ids: Vec<AgentId> = total.agents.keys().copied().collect();
        ids.extend(online.keys().copied());
        ids.sort_unstable();
        ids.dedup();
        let mut agents: Vec<AgentFigures> = ids
            .into_iter()
            .map(|id| {
                let acc = total.agents.get(&id).cloned().unwrap_or_default();
                AgentFigures {
                    agent_id: id,
                    name: parts
                        .names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| format!("Agent {id}")),
                    chats: acc.chats,
                    first_response_median_secs: acc.first_response.median(),
                    ratings: acc.ratings,
                    ratings_good: acc.ratings_good,
                    online_secs: online.get(&id).copied().unwrap_or(0),
                }
            })
            .collect();
        agents.sort_by(|a, b| a.name.cmp(&b.name).then(a.agent_id.cmp(&b.agent_id)));
        Report {
            site_id,
            from: self.from,
            to: self.to,
            granularity: self.granularity,
            time_zone: self.tz_name.clone(),
            totals: total.figures(),
            series: self
                .spans
                .iter()
                .zip(&accs)
                .map(|(s, a)| Bucket {
                    start: s.start,
                    label: s.label.clone(),
                    figures: a.figures(),
                })
                .collect(),
            agents,
            heat_map: heat,
        }
    }
}

/// Seconds each agent was On-Line within `[from, to)`: the union of their spans (spans that
/// overlap, as two nodes may write, count once).
pub fn online_secs(
    spans: &[(AgentId, Timestamp, Timestamp)],
    from: Timestamp,
    to: Timestamp,
) -> BTreeMap<AgentId, u64> {
    let mut by_agent: BTreeMap<AgentId, Vec<(i64, i64)>> = BTreeMap::new();
    for (a, s, e) in spans {
        let (s, e) = (s.0.max(from.0), e.0.min(to.0));
        if s < e {
            by_agent.entry(*a).or_default().push((s, e));
        }
    }
    by_agent
        .into_iter()
        .map(|(a, mut v)| {
            v.sort_unstable();
            let mut total = 0i64;
            let mut cur: Option<(i64, i64)> = None;
            for (s, e) in v {
                cur = match cur {
                    Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
                    Some((cs, ce)) => {
                        total += ce - cs;
                        Some((s, e))
                    }
                    None => Some((s, e)),
                };
            }
            if let Some((cs, ce)) = cur {
                total += ce - cs;
            }
            (a, u64::try_from(total / 1000).unwrap_or(0))
        })
        .collect()
}

#[cfg(test)]
#[path = "assemble_tests.rs"]
mod tests;
