//! "Reports" (issue 15): a report is the hourly rollups of clean hours plus a live
//! computation of every other part of the period (hours still marked dirty, hours cut by the
//! period or by a bucket), so it is always exact and never lags. The rollups are kept in step
//! by [`spawn`]: every `reports_rollup_ms` each node recomputes the dirty hours from the raw
//! rows ([`catch_up`]); a crash loses nothing, since the marks are written in the same
//! transaction as the change that moved a figure. See docs/reports.md.

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::ErrorCode;
use frontdesk_core::model::AgentStatus;
use frontdesk_core::reports::assemble::{Parts, Plan};
use frontdesk_core::reports::rollup::{ChatFacts, hour_of, hour_start, rollup_hour};
use frontdesk_core::reports::{Granularity, Report};
use frontdesk_core::store::{DirtyHour, SiteRange, Store};
use frontdesk_core::{AgentId, SiteId, Timestamp};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;
use tokio::task::JoinHandle;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// The longest period of a report.
pub const MAX_PERIOD_DAYS: i64 = 366;
/// The longest period of a report by the hour.
pub const MAX_HOURLY_DAYS: i64 = 31;
/// Dirty hours recomputed per batch (one store transaction).
const BATCH: u32 = 500;
/// "Never too long ago": an agent seen by a node that watched them all along.
const ALWAYS: i64 = i64::MAX / 4;

/// What a caller asks for, checked.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    /// `None`: every site the caller may report on.
    pub site: Option<SiteId>,
    pub from: Timestamp,
    pub to: Timestamp,
    pub granularity: Granularity,
    pub tz: String,
}

/// The sites `agent` may report on: those they belong to as an admin or a supervisor.
pub async fn reportable_sites(app: &App, agent: AgentId) -> AppResult<Vec<SiteId>> {
    let a = app.store.agent(agent).await?;
    let m = super::access::memberships(app, agent).await?;
    Ok(m.into_iter()
        .filter(|m| a.is_admin || m.supervisor)
        .map(|m| m.site_id)
        .collect())
}

/// Refuses periods over the caps.
pub fn check_period(from: Timestamp, to: Timestamp, g: Granularity) -> AppResult<()> {
    if to <= from {
        return Err(AppError::bad_request("The period ends before it starts."));
    }
    if to.0 - from.0 > MAX_PERIOD_DAYS * DAY_MS + 2 * HOUR_MS {
        return Err(AppError::new(
            ErrorCode::TooLong,
            format!("A report covers at most {MAX_PERIOD_DAYS} days."),
        ));
    }
    if g == Granularity::Hour && to.0 - from.0 > MAX_HOURLY_DAYS * DAY_MS + 2 * HOUR_MS {
        return Err(AppError::new(
            ErrorCode::TooLong,
            format!("A report by the hour covers at most {MAX_HOURLY_DAYS} days."),
        ));
    }
    Ok(())
}

/// The report of `sites` (already allowed) for `q`.
pub async fn build(store: &dyn Store, sites: &[SiteId], q: &ReportQuery) -> AppResult<Report> {
    let plan = Plan::new(q.from, q.to, q.granularity, &q.tz)
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let (first, last) = plan.hours();
    let rollups = store.rollups(sites, first, last).await?;
    let dirty: HashSet<(SiteId, i64)> = store
        .dirty_hours(Some(sites), first, last, u32::MAX)
        .await?
        .into_iter()
        .map(|d| (d.site, d.hour))
        .collect();
    let mut parts = Parts::default();
    let mut live: BTreeSet<(SiteId, i64)> = dirty.iter().copied().collect();
    for (site, hour, acc) in rollups {
        if dirty.contains(&(site, hour)) {
            continue;
        }
        if plan.rollup_usable(hour) {
            parts.hours.push((hour, acc));
        } else {
            live.insert((site, hour));
        }
    }
    let ranges = merge_ranges(&plan, live);
    parts.chats = store.chat_facts(&ranges).await?;
    parts.offline = store.offline_times(&ranges).await?;
    let agents = store.list_agents().await?;
    parts.names = agents.iter().map(|a| (a.id, a.name.clone())).collect();
    let site_set: HashSet<SiteId> = sites.iter().copied().collect();
    let spans = store.online_spans(q.from, q.to).await?;
    let mut members: BTreeMap<AgentId, bool> = BTreeMap::new();
    for s in spans {
        let member = match members.get(&s.agent) {
            Some(m) => *m,
            None => {
                let m = store
                    .memberships(s.agent)
                    .await
                    .map(|ms| ms.iter().any(|m| site_set.contains(&m.site_id)))
                    .unwrap_or(false);
                members.insert(s.agent, m);
                m
            }
        };
        if member {
            parts.online.push((s.agent, s.start, s.end));
        }
    }
    Ok(plan.assemble(q.site, parts))
}

/// The live hours as ranges per site, adjacent hours joined, each cut to the period.
fn merge_ranges(plan: &Plan, live: BTreeSet<(SiteId, i64)>) -> Vec<SiteRange> {
    let mut out: Vec<SiteRange> = Vec::new();
    for (site, hour) in live {
        let Some((from, to)) = plan.clip(hour) else {
            continue;
        };
        match out.last_mut() {
            Some(r) if r.site == site && r.to == from => r.to = to,
            _ => out.push(SiteRange { site, from, to }),
        }
    }
    out
}

/// Recomputes up to `limit` dirty hours from the raw rows and stores them, clearing each mark
/// that did not move meanwhile, unless a chat of the hour is still open (its figures may
/// still move: the hour stays dirty and is computed live). Idempotent: nodes may run it at
/// once. Returns (hours looked at, hours whose mark was cleared or is kept for open chats).
pub async fn catch_up(store: &dyn Store, limit: u32) -> AppResult<(usize, u64)> {
    let marks = store.dirty_hours(None, i64::MIN, i64::MAX, limit).await?;
    let seen = marks.len();
    // Consecutive hours of a site are read in one range (at most a day).
    let mut groups: Vec<Vec<DirtyHour>> = Vec::new();
    let mut sorted = marks;
    sorted.sort_by_key(|d| (d.site, d.hour));
    for d in sorted {
        match groups.last_mut() {
            Some(g)
                if g.last()
                    .is_some_and(|l| l.site == d.site && l.hour + 1 == d.hour)
                    && g.len() < 24 =>
            {
                g.push(d)
            }
            _ => groups.push(vec![d]),
        }
    }
    let mut batch = Vec::new();
    for g in groups {
        let (Some(firstm), Some(lastm)) = (g.first(), g.last()) else {
            continue;
        };
        let range = SiteRange {
            site: firstm.site,
            from: hour_start(firstm.hour),
            to: hour_start(lastm.hour + 1),
        };
        let facts = store.chat_facts(&[range]).await?;
        let offline = store.offline_times(&[range]).await?;
        let mut by_hour: BTreeMap<i64, (Vec<ChatFacts>, usize)> = BTreeMap::new();
        for f in facts {
            by_hour.entry(hour_of(f.created_at)).or_default().0.push(f);
        }
        for t in offline {
            by_hour.entry(hour_of(t)).or_default().1 += 1;
        }
        for d in g {
            let (chats, offline) = by_hour.remove(&d.hour).unwrap_or_default();
            let clear = chats.iter().all(|c| !c.open());
            batch.push((d, rollup_hour(&chats, offline), clear));
        }
    }
    let written = if batch.is_empty() {
        0
    } else {
        store.save_rollups(batch).await?
    };
    Ok((seen, written))
}

/// Recomputes every rollup from the raw rows (`frontdesk reports rebuild`): marks every hour
/// dirty, then catches up until only hours with open chats are left. Returns hours computed.
pub async fn rebuild(store: &dyn Store) -> AppResult<u64> {
    store.mark_all_dirty().await?;
    let mut total = 0;
    let mut last_left = usize::MAX;
    loop {
        let (seen, written) = catch_up(store, BATCH * 4).await?;
        total += written;
        let left = store
            .dirty_hours(None, i64::MIN, i64::MAX, u32::MAX)
            .await?
            .len();
        // Done when nothing is left, or only hours with open chats (they do not shrink).
        if seen == 0 || left == 0 || left >= last_left {
            return Ok(total);
        }
        last_left = left;
    }
}

/// Every `reports_rollup_ms` (real time; "now" from the injectable clock): the On-Line
/// heartbeat of the agents connected here, then a catch-up of the dirty hours.
pub fn spawn(app: App) -> JoinHandle<()> {
    tokio::spawn(async move {
        let every = Duration::from_millis(app.settings.reports_rollup_ms.max(50));
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            heartbeat(&app).await;
            if let Err(e) = catch_up(app.store.as_ref(), BATCH).await {
                tracing::warn!(error = %e, "reports catch-up failed");
            }
        }
    })
}

/// Keeps the On-Line spans of the agents connected to this node fresh (a span a crash left
/// open ends at its last heartbeat).
async fn heartbeat(app: &App) {
    let now = app.clock.now();
    for (agent, _, info) in app.hub.local_agents() {
        if info.status == AgentStatus::Online
            && let Err(e) = app.store.online_seen(agent, now, ALWAYS).await
        {
            tracing::warn!(agent = agent.0, error = %e, "on-line heartbeat failed");
        }
    }
}

/// The agent connected (with `status`): a span starts, unless their open span was seen within
/// three heartbeats (a reconnect). A span a crash left open ends where it was last seen.
pub async fn agent_connected(app: &App, agent: AgentId, status: AgentStatus, at: Timestamp) {
    if status == AgentStatus::Online {
        let gap = i64::try_from(app.settings.reports_rollup_ms.max(50))
            .unwrap_or(i64::MAX / 8)
            .saturating_mul(3);
        log(app.store.online_seen(agent, at, gap).await);
    }
}

/// The agent set their status (while connected: they were On-Line until now if they were).
pub async fn status_changed(app: &App, agent: AgentId, status: AgentStatus) {
    let now = app.clock.now();
    log(if status == AgentStatus::Online {
        app.store.online_seen(agent, now, ALWAYS).await
    } else {
        app.store.online_ended(agent, now, ALWAYS).await
    });
}

/// The agent's last connection on this node closed: if none is left anywhere, their span ends.
pub async fn agent_gone(app: &App, agent: AgentId) {
    if let Ok((0, _)) = app.presence.agent_connections(agent).await {
        log(app.store.online_ended(agent, app.clock.now(), ALWAYS).await);
    }
}

fn log(r: Result<(), frontdesk_core::store::StoreError>) {
    if let Err(e) = r {
        tracing::warn!(error = %e, "on-line span not recorded");
    }
}
