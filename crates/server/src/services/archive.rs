//! The "Archive": a page of an agent's chats, or how many match, for checked filters. The
//! membership rule is applied here, before the store sees the query: `ArchiveQuery::sites`
//! is exactly the agent's sites (narrowed to the "Site" filter, which must be one of them:
//! otherwise NotFound, like any other site of someone else's), the same memberships every
//! other REST call checks (`access`). Searches are counted per agent
//! (`limits.archive_searches`), and answered `search_off` while the server keeps no index
//! (`[search] index = false`).

use super::{access, summary};
use crate::error::{AppError, AppResult};
use crate::http::archive::params::Filters;
use crate::state::App;
use frontdesk_core::archive::{
    ArchiveCount, ArchiveHit, ArchivePage, ArchiveQuery, ArchiveState, COUNT_CAP,
};
use frontdesk_core::{AgentId, ErrorCode};

/// The store query for `agent`, or `None` when the agent belongs to no site (nothing to find).
async fn query(app: &App, agent: AgentId, f: Filters) -> AppResult<Option<ArchiveQuery>> {
    let mine: Vec<_> = access::memberships(app, agent)
        .await?
        .into_iter()
        .map(|m| m.site_id)
        .collect();
    let sites = match f.site {
        Some(site) if mine.contains(&site) => vec![site],
        Some(_) => return Err(AppError::not_found()),
        None => mine,
    };
    if f.search.is_some() {
        if !app.settings.search.index {
            return Err(AppError::new(
                ErrorCode::SearchOff,
                "Search is turned off on this server.",
            ));
        }
        if !app.archive_limits.allow(agent) {
            return Err(AppError::rate_limited());
        }
    }
    if sites.is_empty() {
        return Ok(None);
    }
    Ok(Some(ArchiveQuery {
        sites,
        agent: f.agent,
        from: f.from,
        to: f.to,
        state: f.state,
        tag: f.tag,
        rating: f.rating,
        search: f.search,
        cursor: f.cursor,
        limit: f.limit,
    }))
}

/// One page, newest first, each chat summarised as lists summarise it.
pub async fn page(app: &App, agent: AgentId, f: Filters) -> AppResult<ArchivePage> {
    let Some(q) = query(app, agent, f).await? else {
        return Ok(ArchivePage {
            chats: vec![],
            next_cursor: None,
        });
    };
    let (found, next) = app.store.archive_page(&q).await?;
    let mut chats = Vec::with_capacity(found.len());
    for (chat, snippet) in found {
        chats.push(ArchiveHit {
            chat: summary::chat_summary(app, &chat).await?,
            ended_at: chat.ended_at,
            archive_state: ArchiveState::of(&chat),
            snippet,
        });
    }
    Ok(ArchivePage {
        chats,
        next_cursor: next.map(|c| c.encode()),
    })
}

/// How many chats match, up to [`COUNT_CAP`] (the cursor and limit play no part).
pub async fn count(app: &App, agent: AgentId, mut f: Filters) -> AppResult<ArchiveCount> {
    f.cursor = None;
    let Some(q) = query(app, agent, f).await? else {
        return Ok(ArchiveCount {
            count: 0,
            more: false,
        });
    };
    Ok(app.store.archive_count(&q, COUNT_CAP).await?)
}
