//! Archive search and reports on the big history (issue 15): through the REST API with an
//! agent's cookie (the observer: an admin of both sites), p50 and p99 of
//! - search for a rare word, a common word, a phrase and a prefix (first page);
//! - the archive's first page with each filter, and the result count;
//! - the 30-day report for one site and for all sites.
//!
//! With `--quick` it also checks the answers against what the generator put in the history
//! (`frontdesk_core::bulk`): the chats holding the rare word and the phrase, the counts of
//! the common word, the prefix and every filter, the report's chats and missed chats.

use super::Ctx;
use super::history::History;
use crate::clients::now_us;
use crate::report::{Better, Goal, hist, ms};
use anyhow::{Context, Result};
use frontdesk_core::bulk::{self, BulkChat, BulkEnd};
use frontdesk_core::search::words;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Longest one query is sampled (fewer samples when it is slow).
const BUDGET: Duration = Duration::from_secs(30);
const DAY_MS: i64 = 86_400_000;

struct Api {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Api {
    async fn get(&self, path: &str) -> Result<(u16, Value)> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
            .send()
            .await?;
        let status = r.status().as_u16();
        let body = r.bytes().await?;
        Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }

    async fn ok(&self, path: &str) -> Result<Value> {
        let (status, v) = self.get(path).await?;
        anyhow::ensure!(status == 200, "GET {path}: {status} {v}");
        Ok(v)
    }
}

/// `q` for a URL.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The queries timed: key, label, path.
fn queries(h: &History) -> Vec<(String, String, String)> {
    let (site, agent) = (h.fx.chat_site.id, h.spec.agents.first().map_or(0, |a| a.0));
    let (from, to) = (h.end() - 30 * DAY_MS, h.end());
    let mut q = Vec::new();
    let mut add = |key: &str, label: &str, path: String| {
        q.push((key.to_string(), label.to_string(), path));
    };
    for (key, label, text) in [
        (
            "rare",
            "search a rare word (1 message in 100k)",
            bulk::RARE_WORD.to_string(),
        ),
        (
            "common",
            "search a common word (1 message in 10)",
            bulk::COMMON_WORD.to_string(),
        ),
        (
            "phrase",
            "search a phrase",
            format!("\"{}\"", bulk::PHRASE.join(" ")),
        ),
        (
            "prefix",
            "search a prefix (1 message in 50)",
            format!("{}*", bulk::PREFIX),
        ),
    ] {
        add(key, label, format!("/api/archive?q={}", enc(&text)));
    }
    add(
        "page",
        "archive first page, no filter",
        "/api/archive".into(),
    );
    add(
        "site",
        "archive first page, site",
        format!("/api/archive?site={site}"),
    );
    add(
        "agent",
        "archive first page, agent",
        format!("/api/archive?agent={agent}"),
    );
    add(
        "window",
        "archive first page, from/to (30 days)",
        format!("/api/archive?from={from}&to={to}"),
    );
    for st in ["ended", "missed", "blocked", "open"] {
        add(
            &format!("state_{st}"),
            &format!("archive first page, state {st}"),
            format!("/api/archive?state={st}"),
        );
    }
    add(
        "tag",
        "archive first page, tag",
        format!("/api/archive?tag={}", bulk::TAGS[3]),
    );
    add(
        "rating",
        "archive first page, rating 5",
        "/api/archive?rating=5".into(),
    );
    add(
        "count",
        "archive count, no filter",
        "/api/archive/count".into(),
    );
    add(
        "count_common",
        "archive count, common word",
        format!("/api/archive/count?q={}", bulk::COMMON_WORD),
    );
    add(
        "report_site",
        "30-day report, one site",
        format!("/api/reports?site={site}&period=30d&granularity=day"),
    );
    add(
        "report_all",
        "30-day report, all sites",
        "/api/reports?period=30d&granularity=day".into(),
    );
    q
}

pub async fn run(ctx: &mut Ctx<'_>, h: &History) -> Result<()> {
    let t = ctx.t;
    let api = Api {
        http: reqwest::Client::new(),
        base: t.base(),
        cookie: t.observer.cookie.clone(),
    };
    // Before the archive and reports land (other branches), say so rather than fail.
    let (archive, _) = api.get("/api/archive?limit=1").await?;
    let (reports, _) = api.get("/api/reports").await?;
    if archive == 404 {
        ctx.note(
            "search: GET /api/archive answers 404 in this build: archive and search not measured"
                .into(),
        );
    }
    if reports == 404 {
        ctx.note("search: GET /api/reports answers 404 in this build: reports not measured".into());
    }
    if ctx.plan.quick {
        if archive != 404 {
            check_archive(ctx, &api, h).await?;
        }
        if reports != 404 {
            check_reports(ctx, &api, h).await?;
        }
    }
    let n = ctx.plan.history_samples;
    for (key, label, path) in queries(h) {
        let is_report = key.starts_with("report");
        if (is_report && reports == 404) || (!is_report && archive == 404) {
            continue;
        }
        let mut hs = hist();
        let started = Instant::now();
        let mut done = 0;
        while done < n && (done < 5 || started.elapsed() < BUDGET) {
            let t0 = now_us();
            api.ok(&path).await?;
            let _ = hs.record(now_us().saturating_sub(t0).max(1));
            done += 1;
            ctx.ops(1.0, "archive or report request");
        }
        if done < n {
            ctx.note(format!(
                "search: {label}: {done} samples only (over {BUDGET:?})"
            ));
        }
        ctx.fig.add(
            &format!("search.{key}.p50"),
            &format!("archive: {label} p50"),
            "ms",
            Better::Lower,
            ms(&hs, 0.5),
        );
        ctx.fig.add_goal(
            &format!("search.{key}.p99"),
            &format!("archive: {label} p99"),
            "ms",
            Better::Lower,
            ms(&hs, 0.99),
            Goal::le(100.0),
        );
    }
    ctx.note(format!(
        "search: {} chats, {n} samples per query, as the observer (admin of both sites)",
        h.spec.chats
    ));
    Ok(())
}

/// Every generated chat, with the words of its messages.
fn generated(h: &History) -> Vec<(BulkChat, Vec<Vec<String>>)> {
    (0..h.spec.chats)
        .map(|i| {
            let c = h.spec.chat(i);
            let ws = h.spec.messages(&c).map(|m| words(&m.body)).collect();
            (c, ws)
        })
        .collect()
}

fn ids_where(
    g: &[(BulkChat, Vec<Vec<String>>)],
    f: impl Fn(&BulkChat, &[Vec<String>]) -> bool,
) -> BTreeSet<i64> {
    g.iter()
        .filter(|(c, ws)| f(c, ws))
        .map(|(c, _)| c.index as i64 + 1)
        .collect()
}

/// Every chat id of every page of `path` (at most 50 pages).
async fn all_ids(api: &Api, path: &str) -> Result<BTreeSet<i64>> {
    let mut ids = BTreeSet::new();
    let mut cursor: Option<String> = None;
    let sep = if path.contains('?') { '&' } else { '?' };
    for _ in 0..50 {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=100&cursor={}", enc(c)),
            None => format!("{path}{sep}limit=100"),
        };
        let v = api.ok(&url).await?;
        for c in v["chats"].as_array().context("chats")? {
            ids.insert(c["chat_id"].as_i64().context("chat_id")?);
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    Ok(ids)
}

async fn check_archive(ctx: &mut Ctx<'_>, api: &Api, h: &History) -> Result<()> {
    let g = generated(h);
    fn has(w: &'static str) -> impl Fn(&BulkChat, &[Vec<String>]) -> bool {
        move |_, ws| ws.iter().any(|m| m.iter().any(|x| x == w))
    }
    let rare = ids_where(&g, has(bulk::RARE_WORD));
    let phrase = ids_where(&g, |_, ws| {
        ws.iter().any(|m| m.windows(2).any(|p| p == bulk::PHRASE))
    });
    let common = ids_where(&g, has(bulk::COMMON_WORD));
    let prefix = ids_where(&g, |_, ws| {
        ws.iter()
            .any(|m| m.iter().any(|x| x.starts_with(bulk::PREFIX)))
    });
    for (what, q, want) in [
        ("rare word", bulk::RARE_WORD.to_string(), &rare),
        ("phrase", format!("\"{}\"", bulk::PHRASE.join(" ")), &phrase),
    ] {
        let got = all_ids(api, &format!("/api/archive?q={}", enc(&q))).await?;
        if got != *want || want.is_empty() {
            ctx.fail(format!(
                "search {what}: chats {got:?}, generated in {want:?}"
            ));
        }
    }
    let (from, to) = (h.end() - 30 * DAY_MS, h.end());
    let agent = h.spec.agents.first().copied();
    let site = h.fx.chat_site.id;
    let counts: Vec<(String, String, Vec<usize>)> = vec![
        (
            "common word".into(),
            format!("q={}", bulk::COMMON_WORD),
            vec![common.len()],
        ),
        (
            "prefix".into(),
            format!("q={}", enc(&format!("{}*", bulk::PREFIX))),
            vec![prefix.len()],
        ),
        (
            "site".into(),
            format!("site={site}"),
            vec![ids_where(&g, |c, _| c.site.0 == site).len()],
        ),
        (
            "agent".into(),
            format!("agent={}", agent.map_or(0, |a| a.0)),
            // The owner, or also a colleague who joined: either reading of "held".
            vec![
                ids_where(&g, |c, _| c.agent == agent).len(),
                ids_where(&g, |c, _| c.agent == agent || c.joined == agent).len(),
            ],
        ),
        (
            "from/to".into(),
            format!("from={from}&to={to}"),
            vec![ids_where(&g, |c, _| (from..to).contains(&c.created.0)).len()],
        ),
        (
            "state ended".into(),
            "state=ended".into(),
            vec![
                ids_where(&g, |c, _| {
                    matches!(c.end, BulkEnd::ByAgent | BulkEnd::ByVisitor)
                })
                .len(),
            ],
        ),
        (
            "state missed".into(),
            "state=missed".into(),
            vec![ids_where(&g, |c, _| c.end == BulkEnd::Missed).len()],
        ),
        (
            "state blocked".into(),
            "state=blocked".into(),
            vec![ids_where(&g, |c, _| c.end == BulkEnd::Blocked).len()],
        ),
        (
            "tag".into(),
            format!("tag={}", bulk::TAGS[3]),
            vec![ids_where(&g, |c, _| c.tags.contains(&bulk::TAGS[3])).len()],
        ),
        (
            "rating".into(),
            "rating=5".into(),
            vec![ids_where(&g, |c, _| c.rating == Some(5)).len()],
        ),
    ];
    for (what, query, want) in counts {
        let v = api.ok(&format!("/api/archive/count?{query}")).await?;
        let got = v["count"].as_u64().context("count")? as usize;
        if !want.contains(&got) || want[0] == 0 {
            ctx.fail(format!(
                "archive count with {what} ({query}): {got}, generated {want:?}"
            ));
        }
    }
    // A filtered first page holds only chats that match, newest first.
    let v = api.ok("/api/archive?state=missed&limit=20").await?;
    let ids: Vec<i64> = v["chats"]
        .as_array()
        .context("chats")?
        .iter()
        .filter_map(|c| c["chat_id"].as_i64())
        .collect();
    let missed = ids_where(&g, |c, _| c.end == BulkEnd::Missed);
    let want: Vec<i64> = missed.iter().rev().take(20).copied().collect();
    if ids != want {
        ctx.fail(format!(
            "archive first page, state missed: {ids:?}, generated {want:?}"
        ));
    }
    ctx.note(format!(
        "search checks: rare word in {} chats, phrase {}, common word {}, prefix {}",
        rare.len(),
        phrase.len(),
        common.len(),
        prefix.len()
    ));
    Ok(())
}

async fn check_reports(ctx: &mut Ctx<'_>, api: &Api, h: &History) -> Result<()> {
    let site = h.fx.chat_site.id;
    let all: Vec<BulkChat> = (0..h.spec.chats).map(|i| h.spec.chat(i)).collect();
    for (what, filter) in [
        ("one site", format!("site={site}&")),
        ("all sites", String::new()),
    ] {
        let v = api
            .ok(&format!("/api/reports?{filter}period=30d&granularity=day"))
            .await?;
        // The period the server chose (the last 30 days in the site's time zone).
        let (from, to) = (
            v["from"].as_i64().context("from")?,
            v["to"].as_i64().context("to")?,
        );
        let mine = |c: &&BulkChat| {
            (filter.is_empty() || c.site.0 == site) && (from..to).contains(&c.created.0)
        };
        let chats = all.iter().filter(mine).count() as u64;
        let missed = all
            .iter()
            .filter(mine)
            .filter(|c| c.end == BulkEnd::Missed)
            .count() as u64;
        let got = (
            v["totals"]["chats"].as_u64(),
            v["totals"]["missed"].as_u64(),
        );
        if got != (Some(chats), Some(missed)) || chats == 0 {
            ctx.fail(format!(
                "30-day report, {what}: chats and missed {got:?}, generated ({chats}, {missed})"
            ));
        }
    }
    Ok(())
}
