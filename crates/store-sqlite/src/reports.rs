//! Reports (issue 15): raw chat facts through `chats_site_created`, hourly rollups with their
//! dirty marks (set by the triggers of migration 0006), and On-Line spans.

use crate::SqliteStore;
use crate::map::{Db, all};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::reports::hist::Hist;
use frontdesk_core::reports::rollup::{Acc, AgentAcc, ChatFacts};
use frontdesk_core::store::{
    DirtyHour, OnlineSpan, ReportStore, SiteRange, StoreError, StoreResult,
};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

// One row per chat; the message count and first reply come from the chat's own messages
// (clustered by chat), the takers from its events.
const FACTS: &str = "SELECT c.created_at, c.answered_at, c.ended_at, c.missed, c.rating, c.agent_id, \
     (SELECT count(*) FROM messages m WHERE m.chat_id = c.id \
         AND m.author IN ('visitor', 'agent') AND m.kind NOT IN ('event', 'note')), \
     (SELECT m.created_at FROM messages m WHERE m.chat_id = c.id AND m.author = 'agent' \
         AND m.kind IN ('text', 'link', 'file') AND m.created_at >= c.answered_at \
         ORDER BY m.seq LIMIT 1), \
     (SELECT m.agent_id FROM messages m WHERE m.chat_id = c.id AND m.author = 'agent' \
         AND m.kind IN ('text', 'link', 'file') AND m.created_at >= c.answered_at \
         ORDER BY m.seq LIMIT 1), \
     (SELECT group_concat(DISTINCT e.agent_id) FROM chat_events e \
         WHERE e.chat_id = c.id AND e.state = 'active') \
     FROM chats c WHERE c.site_id = ?1 AND c.created_at >= ?2 AND c.created_at < ?3";
const OFFLINE: &str = "SELECT created_at FROM offline_messages WHERE site_id = ?1 AND created_at >= ?2 AND created_at < ?3";
const HOURS: &str = "SELECT hour, chats, missed, offline_messages, messages, ratings, ratings_good, \
     quarters, wait, first_response, duration FROM report_hours \
     WHERE site_id = ?1 AND hour >= ?2 AND hour <= ?3";
const AGENT_HOURS: &str = "SELECT hour, agent_id, chats, ratings, ratings_good, first_response \
     FROM report_agent_hours WHERE site_id = ?1 AND hour >= ?2 AND hour <= ?3";

fn facts_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChatFacts> {
    let reply_at: Option<i64> = r.get(7)?;
    let reply_by: Option<i64> = r.get(8)?;
    let takers: Option<String> = r.get(9)?;
    Ok(ChatFacts {
        created_at: Timestamp(r.get(0)?),
        answered_at: r.get::<_, Option<i64>>(1)?.map(Timestamp),
        ended_at: r.get::<_, Option<i64>>(2)?.map(Timestamp),
        missed: r.get(3)?,
        rating: r.get(4)?,
        holder: r.get::<_, Option<i64>>(5)?.map(AgentId),
        messages: r.get::<_, i64>(6)?.max(0).unsigned_abs(),
        first_reply: reply_at
            .zip(reply_by)
            .map(|(t, a)| (Timestamp(t), AgentId(a))),
        takers: parse_ids(takers.as_deref()),
    })
}

/// `"3,7"` → agents 3 and 7.
pub(crate) fn parse_ids(s: Option<&str>) -> Vec<AgentId> {
    s.unwrap_or_default()
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .map(AgentId)
        .collect()
}

pub(crate) fn hist(s: &str) -> StoreResult<Hist> {
    Hist::decode(s).ok_or_else(|| StoreError::Unavailable(format!("bad histogram {s:?}")))
}

pub(crate) fn quarters_text(q: [u64; 4]) -> String {
    q.map(|n| n.to_string()).join(",")
}

pub(crate) fn parse_quarters(s: &str) -> StoreResult<[u64; 4]> {
    let v: Vec<u64> = s.split(',').filter_map(|p| p.parse().ok()).collect();
    <[u64; 4]>::try_from(v).map_err(|_| StoreError::Unavailable(format!("bad quarters {s:?}")))
}

fn n(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn u(v: i64) -> u64 {
    v.max(0).unsigned_abs()
}

fn rollups_of(c: &Connection, site: SiteId, first: i64, last: i64) -> StoreResult<Vec<(i64, Acc)>> {
    type Raw = (i64, [i64; 6], String, String, String, String);
    let rows: Vec<Raw> = all(c
        .prepare_cached(HOURS)
        .db()?
        .query_map(params![site.0, first, last], |r| {
            Ok((
                r.get(0)?,
                [
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ],
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
            ))
        })
        .db()?)?;
    let mut out: BTreeMap<i64, Acc> = BTreeMap::new();
    for (hour, k, q, w, f, d) in rows {
        out.insert(
            hour,
            Acc {
                chats: u(k[0]),
                missed: u(k[1]),
                offline_messages: u(k[2]),
                messages: u(k[3]),
                ratings: u(k[4]),
                ratings_good: u(k[5]),
                quarters: parse_quarters(&q)?,
                wait: hist(&w)?,
                first_response: hist(&f)?,
                duration: hist(&d)?,
                agents: BTreeMap::new(),
            },
        );
    }
    let agents: Vec<(i64, i64, [i64; 3], String)> = all(c
        .prepare_cached(AGENT_HOURS)
        .db()?
        .query_map(params![site.0, first, last], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                [r.get(2)?, r.get(3)?, r.get(4)?],
                r.get(5)?,
            ))
        })
        .db()?)?;
    for (hour, agent, k, f) in agents {
        if let Some(acc) = out.get_mut(&hour) {
            acc.agents.insert(
                AgentId(agent),
                AgentAcc {
                    chats: u(k[0]),
                    ratings: u(k[1]),
                    ratings_good: u(k[2]),
                    first_response: hist(&f)?,
                },
            );
        }
    }
    Ok(out.into_iter().collect())
}

fn save(tx: &Connection, d: DirtyHour, acc: &Acc, clear: bool) -> StoreResult<bool> {
    let mark: Option<i64> = tx
        .prepare_cached("SELECT mark FROM report_dirty WHERE site_id = ?1 AND hour = ?2")
        .db()?
        .query_row(params![d.site.0, d.hour], |r| r.get(0))
        .optional()
        .db()?;
    if mark != Some(d.mark) {
        return Ok(false);
    }
    tx.prepare_cached("DELETE FROM report_agent_hours WHERE site_id = ?1 AND hour = ?2")
        .db()?
        .execute(params![d.site.0, d.hour])
        .db()?;
    if acc.is_empty() {
        tx.prepare_cached("DELETE FROM report_hours WHERE site_id = ?1 AND hour = ?2")
            .db()?
            .execute(params![d.site.0, d.hour])
            .db()?;
    } else {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO report_hours (site_id, hour, chats, missed, offline_messages, \
             messages, ratings, ratings_good, quarters, wait, first_response, duration) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .db()?
        .execute(params![
            d.site.0,
            d.hour,
            n(acc.chats),
            n(acc.missed),
            n(acc.offline_messages),
            n(acc.messages),
            n(acc.ratings),
            n(acc.ratings_good),
            quarters_text(acc.quarters),
            acc.wait.encode(),
            acc.first_response.encode(),
            acc.duration.encode()
        ])
        .db()?;
        let mut ins = tx
            .prepare_cached(
                "INSERT INTO report_agent_hours (site_id, hour, agent_id, chats, ratings, \
                 ratings_good, first_response) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .db()?;
        for (agent, a) in &acc.agents {
            ins.execute(params![
                d.site.0,
                d.hour,
                agent.0,
                n(a.chats),
                n(a.ratings),
                n(a.ratings_good),
                a.first_response.encode()
            ])
            .db()?;
        }
    }
    if clear {
        tx.prepare_cached(
            "DELETE FROM report_dirty WHERE site_id = ?1 AND hour = ?2 AND mark = ?3",
        )
        .db()?
        .execute(params![d.site.0, d.hour, d.mark])
        .db()?;
    }
    Ok(true)
}

#[async_trait]
impl ReportStore for SqliteStore {
    async fn chat_facts(&self, ranges: &[SiteRange]) -> StoreResult<Vec<ChatFacts>> {
        let ranges = ranges.to_vec();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(FACTS).db()?;
            let mut out = Vec::new();
            for r in ranges {
                out.extend(all(stmt
                    .query_map(params![r.site.0, r.from.0, r.to.0], facts_row)
                    .db()?)?);
            }
            Ok(out)
        })
        .await
    }

    async fn offline_times(&self, ranges: &[SiteRange]) -> StoreResult<Vec<Timestamp>> {
        let ranges = ranges.to_vec();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(OFFLINE).db()?;
            let mut out = Vec::new();
            for r in ranges {
                out.extend(all(stmt
                    .query_map(params![r.site.0, r.from.0, r.to.0], |row| {
                        Ok(Timestamp(row.get(0)?))
                    })
                    .db()?)?);
            }
            Ok(out)
        })
        .await
    }

    async fn rollups(
        &self,
        sites: &[SiteId],
        first: i64,
        last: i64,
    ) -> StoreResult<Vec<(SiteId, i64, Acc)>> {
        let sites = sites.to_vec();
        self.read(move |c| {
            let mut out = Vec::new();
            for s in sites {
                out.extend(
                    rollups_of(c, s, first, last)?
                        .into_iter()
                        .map(|(h, a)| (s, h, a)),
                );
            }
            Ok(out)
        })
        .await
    }

    async fn dirty_hours(
        &self,
        sites: Option<&[SiteId]>,
        first: i64,
        last: i64,
        limit: u32,
    ) -> StoreResult<Vec<DirtyHour>> {
        let sites = sites.map(|s| crate::map::json_ids(s.iter().map(|s| s.0)));
        self.read(move |c| {
            let row = |r: &rusqlite::Row<'_>| {
                Ok(DirtyHour {
                    site: SiteId(r.get(0)?),
                    hour: r.get(1)?,
                    mark: r.get(2)?,
                })
            };
            match sites {
                Some(ids) => all(c
                    .prepare_cached(
                        "SELECT site_id, hour, mark FROM report_dirty \
                         WHERE site_id IN (SELECT value FROM json_each(?1)) \
                         AND hour >= ?2 AND hour <= ?3 ORDER BY hour, site_id LIMIT ?4",
                    )
                    .db()?
                    .query_map(params![ids, first, last, limit], row)
                    .db()?),
                None => all(c
                    .prepare_cached(
                        "SELECT site_id, hour, mark FROM report_dirty \
                         WHERE hour >= ?1 AND hour <= ?2 ORDER BY hour, site_id LIMIT ?3",
                    )
                    .db()?
                    .query_map(params![first, last, limit], row)
                    .db()?),
            }
        })
        .await
    }

    async fn save_rollups(&self, rollups: Vec<(DirtyHour, Acc, bool)>) -> StoreResult<u64> {
        self.write(move |tx| {
            let mut written = 0;
            for (dirty, acc, clear) in &rollups {
                written += u64::from(save(tx, *dirty, acc, *clear)?);
            }
            Ok(written)
        })
        .await
    }

    async fn mark_all_dirty(&self) -> StoreResult<u64> {
        self.write(|tx| {
            for sql in [
                "SELECT site_id, created_at / 3600000 FROM chats",
                "SELECT site_id, created_at / 3600000 FROM offline_messages",
                "SELECT site_id, hour FROM report_hours",
            ] {
                tx.execute(
                    &format!(
                        "INSERT INTO report_dirty (site_id, hour) SELECT DISTINCT * FROM ({sql}) \
                         WHERE true ON CONFLICT (site_id, hour) DO UPDATE SET mark = mark + 1"
                    ),
                    [],
                )
                .db()?;
            }
            tx.query_row("SELECT count(*) FROM report_dirty", [], |r| {
                r.get::<_, i64>(0)
            })
            .db()
            .map(u)
        })
        .await
    }

    async fn online_seen(&self, agent: AgentId, now: Timestamp, gap_ms: i64) -> StoreResult<()> {
        self.write(move |tx| {
            let extended = tx
                .prepare_cached(
                    "UPDATE agent_online SET last_seen = max(last_seen, ?2) \
                     WHERE agent_id = ?1 AND closed = 0 AND last_seen >= ?2 - ?3",
                )
                .db()?
                .execute(params![agent.0, now.0, gap_ms])
                .db()?;
            if extended == 0 {
                tx.prepare_cached("UPDATE agent_online SET closed = 1 WHERE agent_id = ?1 AND closed = 0")
                    .db()?
                    .execute([agent.0])
                    .db()?;
                tx.prepare_cached(
                    "INSERT INTO agent_online (agent_id, started_at, last_seen) VALUES (?1, ?2, ?2) \
                     ON CONFLICT (agent_id, started_at) DO UPDATE SET closed = 0",
                )
                .db()?
                .execute(params![agent.0, now.0])
                .db()?;
            }
            Ok(())
        })
        .await
    }

    async fn online_ended(&self, agent: AgentId, now: Timestamp, gap_ms: i64) -> StoreResult<()> {
        self.write(move |tx| {
            tx.prepare_cached(
                "UPDATE agent_online SET closed = 1, last_seen = CASE \
                 WHEN last_seen >= ?2 - ?3 THEN max(last_seen, ?2) ELSE last_seen END \
                 WHERE agent_id = ?1 AND closed = 0",
            )
            .db()?
            .execute(params![agent.0, now.0, gap_ms])
            .db()?;
            Ok(())
        })
        .await
    }

    async fn online_spans(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<OnlineSpan>> {
        self.read(move |c| {
            all(c
                .prepare_cached(
                    "SELECT agent_id, started_at, last_seen FROM agent_online \
                     WHERE started_at < ?2 AND last_seen > ?1",
                )
                .db()?
                .query_map(params![from.0, to.0], |r| {
                    Ok(OnlineSpan {
                        agent: AgentId(r.get(0)?),
                        start: Timestamp(r.get(1)?),
                        end: Timestamp(r.get(2)?),
                    })
                })
                .db()?)
        })
        .await
    }
}
