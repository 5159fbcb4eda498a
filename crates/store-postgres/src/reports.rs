//! Reports (issue 15): raw chat facts, hourly rollups with their dirty marks (set by the
//! triggers of migration 0006), and On-Line spans. The SQLite twin has the same queries.

use crate::PgStore;
use crate::map::{Db, get};
use async_trait::async_trait;
use frontdesk_core::ids::*;
use frontdesk_core::reports::hist::Hist;
use frontdesk_core::reports::rollup::{Acc, AgentAcc, ChatFacts};
use frontdesk_core::store::{
    DirtyHour, OnlineSpan, ReportStore, SiteRange, StoreError, StoreResult,
};
use std::collections::BTreeMap;
use tokio_postgres::Row;

const FACTS: &str = "SELECT c.created_at, c.answered_at, c.ended_at, c.missed, c.rating, c.agent_id, \
     (SELECT count(*) FROM messages m WHERE m.chat_id = c.id \
         AND m.author IN ('visitor', 'agent') AND m.kind NOT IN ('event', 'note')), \
     r.created_at, r.agent_id, \
     (SELECT string_agg(DISTINCT e.agent_id::text, ',') FROM chat_events e \
         WHERE e.chat_id = c.id AND e.state = 'active') \
     FROM chats c LEFT JOIN LATERAL (SELECT m.created_at, m.agent_id FROM messages m \
         WHERE m.chat_id = c.id AND m.author = 'agent' AND m.kind IN ('text', 'link', 'file') \
         AND m.created_at >= c.answered_at ORDER BY m.seq LIMIT 1) r ON true \
     WHERE c.site_id = $1 AND c.created_at >= $2 AND c.created_at < $3";
const OFFLINE: &str = "SELECT created_at FROM offline_messages \
     WHERE site_id = $1 AND created_at >= $2 AND created_at < $3";
const HOURS: &str = "SELECT site_id, hour, chats, missed, offline_messages, messages, ratings, \
     ratings_good, quarters, wait, first_response, duration FROM report_hours \
     WHERE site_id = ANY($1) AND hour >= $2 AND hour <= $3";
const AGENT_HOURS: &str = "SELECT site_id, hour, agent_id, chats, ratings, ratings_good, \
     first_response FROM report_agent_hours WHERE site_id = ANY($1) AND hour >= $2 AND hour <= $3";

fn u(v: i64) -> u64 {
    v.max(0).unsigned_abs()
}

fn n(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn hist(s: &str) -> StoreResult<Hist> {
    Hist::decode(s).ok_or_else(|| StoreError::Unavailable(format!("bad histogram {s:?}")))
}

fn facts_row(r: &Row) -> StoreResult<ChatFacts> {
    let reply_at: Option<i64> = get(r, 7)?;
    let reply_by: Option<i64> = get(r, 8)?;
    let takers: Option<String> = get(r, 9)?;
    let rating: Option<i16> = get(r, 4)?;
    Ok(ChatFacts {
        created_at: Timestamp(get(r, 0)?),
        answered_at: get::<Option<i64>>(r, 1)?.map(Timestamp),
        ended_at: get::<Option<i64>>(r, 2)?.map(Timestamp),
        missed: get(r, 3)?,
        rating: rating.and_then(|s| u8::try_from(s).ok()),
        holder: get::<Option<i64>>(r, 5)?.map(AgentId),
        messages: u(get(r, 6)?),
        first_reply: reply_at
            .zip(reply_by)
            .map(|(t, a)| (Timestamp(t), AgentId(a))),
        takers: takers
            .unwrap_or_default()
            .split(',')
            .filter_map(|p| p.parse().ok())
            .map(AgentId)
            .collect(),
    })
}

fn parse_quarters(s: &str) -> StoreResult<[u64; 4]> {
    let v: Vec<u64> = s.split(',').filter_map(|p| p.parse().ok()).collect();
    <[u64; 4]>::try_from(v).map_err(|_| StoreError::Unavailable(format!("bad quarters {s:?}")))
}

fn hour_row(r: &Row) -> StoreResult<((i64, i64), Acc)> {
    let q: String = get(r, 8)?;
    let w: String = get(r, 9)?;
    let f: String = get(r, 10)?;
    let d: String = get(r, 11)?;
    Ok((
        (get(r, 0)?, get(r, 1)?),
        Acc {
            chats: u(get(r, 2)?),
            missed: u(get(r, 3)?),
            offline_messages: u(get(r, 4)?),
            messages: u(get(r, 5)?),
            ratings: u(get(r, 6)?),
            ratings_good: u(get(r, 7)?),
            quarters: parse_quarters(&q)?,
            wait: hist(&w)?,
            first_response: hist(&f)?,
            duration: hist(&d)?,
            agents: BTreeMap::new(),
        },
    ))
}

/// One hour of [`ReportStore::save_rollups`], in its transaction.
async fn save(
    tx: &tokio_postgres::Transaction<'_>,
    d: DirtyHour,
    acc: &Acc,
    clear: bool,
) -> StoreResult<bool> {
    // The row lock orders this against a trigger bumping the mark meanwhile.
    let mark: Option<i64> = tx
        .query_opt(
            "SELECT mark FROM report_dirty WHERE site_id = $1 AND hour = $2 FOR UPDATE",
            &[&d.site.0, &d.hour],
        )
        .await
        .db()?
        .map(|r| get(&r, 0))
        .transpose()?;
    if mark != Some(d.mark) {
        return Ok(false);
    }
    tx.execute(
        "DELETE FROM report_agent_hours WHERE site_id = $1 AND hour = $2",
        &[&d.site.0, &d.hour],
    )
    .await
    .db()?;
    if acc.is_empty() {
        tx.execute(
            "DELETE FROM report_hours WHERE site_id = $1 AND hour = $2",
            &[&d.site.0, &d.hour],
        )
        .await
        .db()?;
    } else {
        let q = acc.quarters.map(|n| n.to_string()).join(",");
        tx.execute(
            "INSERT INTO report_hours (site_id, hour, chats, missed, offline_messages, \
             messages, ratings, ratings_good, quarters, wait, first_response, duration) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (site_id, hour) DO UPDATE SET chats = EXCLUDED.chats, \
             missed = EXCLUDED.missed, offline_messages = EXCLUDED.offline_messages, \
             messages = EXCLUDED.messages, ratings = EXCLUDED.ratings, \
             ratings_good = EXCLUDED.ratings_good, quarters = EXCLUDED.quarters, \
             wait = EXCLUDED.wait, first_response = EXCLUDED.first_response, \
             duration = EXCLUDED.duration",
            &[
                &d.site.0,
                &d.hour,
                &n(acc.chats),
                &n(acc.missed),
                &n(acc.offline_messages),
                &n(acc.messages),
                &n(acc.ratings),
                &n(acc.ratings_good),
                &q,
                &acc.wait.encode(),
                &acc.first_response.encode(),
                &acc.duration.encode(),
            ],
        )
        .await
        .db()?;
        for (agent, a) in &acc.agents {
            tx.execute(
                "INSERT INTO report_agent_hours (site_id, hour, agent_id, chats, ratings, \
                 ratings_good, first_response) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &d.site.0,
                    &d.hour,
                    &agent.0,
                    &n(a.chats),
                    &n(a.ratings),
                    &n(a.ratings_good),
                    &a.first_response.encode(),
                ],
            )
            .await
            .db()?;
        }
    }
    if clear {
        tx.execute(
            "DELETE FROM report_dirty WHERE site_id = $1 AND hour = $2 AND mark = $3",
            &[&d.site.0, &d.hour, &d.mark],
        )
        .await
        .db()?;
    }
    Ok(true)
}

#[async_trait]
impl ReportStore for PgStore {
    async fn chat_facts(&self, ranges: &[SiteRange]) -> StoreResult<Vec<ChatFacts>> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(FACTS).await.db()?;
        let mut out = Vec::new();
        for r in ranges {
            for row in client
                .query(&stmt, &[&r.site.0, &r.from.0, &r.to.0])
                .await
                .db()?
            {
                out.push(facts_row(&row)?);
            }
        }
        Ok(out)
    }

    async fn offline_times(&self, ranges: &[SiteRange]) -> StoreResult<Vec<Timestamp>> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(OFFLINE).await.db()?;
        let mut out = Vec::new();
        for r in ranges {
            for row in client
                .query(&stmt, &[&r.site.0, &r.from.0, &r.to.0])
                .await
                .db()?
            {
                out.push(Timestamp(get(&row, 0)?));
            }
        }
        Ok(out)
    }

    async fn rollups(
        &self,
        sites: &[SiteId],
        first: i64,
        last: i64,
    ) -> StoreResult<Vec<(SiteId, i64, Acc)>> {
        let ids: Vec<i64> = sites.iter().map(|s| s.0).collect();
        let mut out: BTreeMap<(i64, i64), Acc> = BTreeMap::new();
        for row in self.rows(HOURS, &[&ids, &first, &last]).await? {
            let (k, acc) = hour_row(&row)?;
            out.insert(k, acc);
        }
        for r in self.rows(AGENT_HOURS, &[&ids, &first, &last]).await? {
            let k: (i64, i64) = (get(&r, 0)?, get(&r, 1)?);
            let f: String = get(&r, 6)?;
            if let Some(acc) = out.get_mut(&k) {
                acc.agents.insert(
                    AgentId(get(&r, 2)?),
                    AgentAcc {
                        chats: u(get(&r, 3)?),
                        ratings: u(get(&r, 4)?),
                        ratings_good: u(get(&r, 5)?),
                        first_response: hist(&f)?,
                    },
                );
            }
        }
        Ok(out
            .into_iter()
            .map(|((s, h), a)| (SiteId(s), h, a))
            .collect())
    }

    async fn dirty_hours(
        &self,
        sites: Option<&[SiteId]>,
        first: i64,
        last: i64,
        limit: u32,
    ) -> StoreResult<Vec<DirtyHour>> {
        let ids: Option<Vec<i64>> = sites.map(|s| s.iter().map(|s| s.0).collect());
        let rows = self
            .rows(
                "SELECT site_id, hour, mark FROM report_dirty \
                 WHERE ($1::bigint[] IS NULL OR site_id = ANY($1)) AND hour >= $2 AND hour <= $3 \
                 ORDER BY hour, site_id LIMIT $4",
                &[&ids, &first, &last, &i64::from(limit)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DirtyHour {
                    site: SiteId(get(r, 0)?),
                    hour: get(r, 1)?,
                    mark: get(r, 2)?,
                })
            })
            .collect()
    }

    async fn save_rollups(&self, rollups: Vec<(DirtyHour, Acc, bool)>) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        let mut written = 0;
        for (d, acc, clear) in &rollups {
            written += u64::from(save(&tx, *d, acc, *clear).await?);
        }
        tx.commit().await.db()?;
        Ok(written)
    }

    async fn mark_all_dirty(&self) -> StoreResult<u64> {
        for sql in [
            "SELECT site_id, created_at / 3600000 FROM chats",
            "SELECT site_id, created_at / 3600000 FROM offline_messages",
            "SELECT site_id, hour FROM report_hours",
        ] {
            self.exec(
                &format!(
                    "INSERT INTO report_dirty (site_id, hour) SELECT DISTINCT * FROM ({sql}) t \
                     ON CONFLICT (site_id, hour) DO UPDATE SET mark = report_dirty.mark + 1"
                ),
                &[],
            )
            .await?;
        }
        let r = self.one("SELECT count(*) FROM report_dirty", &[]).await?;
        Ok(u(get(&r, 0)?))
    }

    async fn online_seen(&self, agent: AgentId, now: Timestamp, gap_ms: i64) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.db()?;
        // Serializes the nodes that see the same agent at once.
        tx.execute(
            "SELECT pg_advisory_xact_lock(7015, $1::int)",
            &[&(agent.0 as i32)],
        )
        .await
        .db()?;
        let extended = tx
            .execute(
                "UPDATE agent_online SET last_seen = GREATEST(last_seen, $2::bigint) \
                 WHERE agent_id = $1 AND NOT closed AND last_seen >= $2::bigint - $3::bigint",
                &[&agent.0, &now.0, &gap_ms],
            )
            .await
            .db()?;
        if extended == 0 {
            tx.execute(
                "UPDATE agent_online SET closed = true WHERE agent_id = $1 AND NOT closed",
                &[&agent.0],
            )
            .await
            .db()?;
            tx.execute(
                "INSERT INTO agent_online (agent_id, started_at, last_seen) VALUES ($1, $2, $2) \
                 ON CONFLICT (agent_id, started_at) DO UPDATE SET closed = false",
                &[&agent.0, &now.0],
            )
            .await
            .db()?;
        }
        tx.commit().await.db()
    }

    async fn online_ended(&self, agent: AgentId, now: Timestamp, gap_ms: i64) -> StoreResult<()> {
        self.exec(
            "UPDATE agent_online SET closed = true, last_seen = CASE \
             WHEN last_seen >= $2::bigint - $3::bigint THEN GREATEST(last_seen, $2::bigint) ELSE last_seen END \
             WHERE agent_id = $1 AND NOT closed",
            &[&agent.0, &now.0, &gap_ms],
        )
        .await
        .map(|_| ())
    }

    async fn online_spans(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<OnlineSpan>> {
        let rows = self
            .rows(
                "SELECT agent_id, started_at, last_seen FROM agent_online \
                 WHERE started_at < $2 AND last_seen > $1",
                &[&from.0, &to.0],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(OnlineSpan {
                    agent: AgentId(get(r, 0)?),
                    start: Timestamp(get(r, 1)?),
                    end: Timestamp(get(r, 2)?),
                })
            })
            .collect()
    }
}
