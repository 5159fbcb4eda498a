//! The visitor's rating of a chat ("How was this chat?"): the rule
//! ([`frontdesk_core::rating::check`]), one conditional write, then `chat.updated` to the
//! agents, and the site's ratings per day for the REST API.
//!
//! `/metrics` counts each chat's rating once, when it is first given
//! (`frontdesk_ratings_total{rating="good"|"bad"}`, good = score 4 or more); a change within
//! the window is counted in `frontdesk_rating_changes_total` only, so the totals add up to
//! the number of rated chats.

use crate::error::{AppError, AppResult};
use crate::services::chats::site_agents;
use crate::services::{access, summary};
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::model::Chat;
use frontdesk_core::protocol::ToAgent;
use frontdesk_core::rating::days::{RangeError, RatingDay, day_range, per_day};
use frontdesk_core::rating::{self, CHANGE_WINDOW_MS, RatingRefusal};
use frontdesk_core::store::{RatedChat, StoreError};
use frontdesk_core::{AgentId, ChatId, ChatState, EndReason, ErrorCode, SiteId, VisitorId};

impl From<RatingRefusal> for AppError {
    fn from(e: RatingRefusal) -> AppError {
        let code = match e {
            RatingRefusal::Off | RatingRefusal::BadScore => ErrorCode::BadRequest,
            RatingRefusal::ChatOpen => ErrorCode::ChatOpen,
            RatingRefusal::Closed => ErrorCode::RatingClosed,
        };
        AppError::new(code, e.to_string())
    }
}

/// A `rate` frame from `visitor` on `site` for one of their chats: refused `not_found` for
/// a chat that is not theirs on that site, `chat_open` while the chat is open,
/// `rating_closed` after the window, `bad_request` for a score off the site's scale or a
/// site that asks for no rating.
pub async fn rate_by_visitor(
    app: &App,
    site: SiteId,
    visitor: &VisitorId,
    chat_id: ChatId,
    score: u8,
    comment: Option<String>,
) -> AppResult<Chat> {
    let chat = match app.store.chat(chat_id).await {
        Ok(c) if c.site_id == site && &c.visitor_id == visitor => c,
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::not_found()),
        Err(e) => return Err(e.into()),
    };
    let scale = app.store.site(site).await?.settings.rating;
    let now = app.now();
    let checked = rating::check(
        scale,
        !chat.state.is_open(),
        chat.rating.as_ref(),
        score,
        comment.as_deref(),
        now,
    )?;
    let Some(rated) = app
        .store
        .rate_chat(
            chat.id,
            checked.score,
            checked.comment.as_deref(),
            now,
            CHANGE_WINDOW_MS,
        )
        .await?
    else {
        // Another tab rated first and the window closed in between (an ended chat stays
        // ended, so this is the window).
        return Err(RatingRefusal::Closed.into());
    };
    count(app, &rated, checked.first, now);
    announce(app, &rated).await?;
    Ok(rated)
}

/// `/metrics`: a first rating by good/bad, a change apart. "First" is the write that set
/// `rated_at` (the one whose `now` it holds), so two tabs racing count once.
fn count(app: &App, rated: &Chat, first: bool, now: frontdesk_core::Timestamp) {
    let Some(r) = &rated.rating else { return };
    if first && r.rated_at == now {
        let label = if r.is_good() { "good" } else { "bad" };
        app.metrics
            .ratings
            .get_or_create(&[("rating", label)])
            .inc();
    } else {
        app.metrics.rating_changes.inc();
    }
}

/// `chat.updated` (with the rating) to whoever heard the chat end: the site's agents, the
/// agent who ended it, the colleagues who joined and the connections watching it.
async fn announce(app: &App, chat: &Chat) -> AppResult<()> {
    let summary = summary::chat_summary(app, chat).await?;
    let frame = ToAgent::ChatUpdated { chat: summary };
    let ended_by = match chat.state {
        ChatState::Ended {
            reason: EndReason::Agent { agent } | EndReason::Blocked { agent },
        } => Some(agent),
        _ => None,
    };
    app.publish(site_agents(chat, ended_by), &frame, None).await;
    app.publish(
        Audience::ChatAgents {
            chat: chat.id,
            agents: chat.joined.clone(),
        },
        &frame,
        None,
    )
    .await;
    Ok(())
}

/// Most individual ratings one request reads.
pub const LIST_MAX: u32 = 10_000;

/// A site's ratings over a range of days.
pub struct SiteRatings {
    /// Per day in the site's time zone, of `rated`.
    pub days: Vec<RatingDay>,
    /// Oldest first, at most [`LIST_MAX`].
    pub rated: Vec<RatedChat>,
    /// The site's time zone.
    pub timezone: String,
    /// More than [`LIST_MAX`] were given in the range: `days` and `rated` cover the oldest.
    pub truncated: bool,
}

/// A site's ratings over the days `from..=to` (`YYYY-MM-DD` in the site's time zone), for
/// an agent of the site (another site is `not_found`).
pub async fn site_ratings(
    app: &App,
    agent: AgentId,
    site: SiteId,
    from: &str,
    to: &str,
) -> AppResult<SiteRatings> {
    access::require_site(app, agent, site).await?;
    let site = app.store.site(site).await?;
    let (start, end) = day_range(from, to, &site.timezone).map_err(|e| match e {
        RangeError::Day(d) => AppError::new(ErrorCode::Internal, d.to_string()),
        other => AppError::bad_request(other.to_string()),
    })?;
    let mut rated = app.store.ratings(site.id, start, end, LIST_MAX + 1).await?;
    let truncated = rated.len() > LIST_MAX as usize;
    rated.truncate(LIST_MAX as usize);
    let days = per_day(rated.iter().map(|r| &r.rating), &site.timezone)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(SiteRatings {
        days,
        rated,
        timezone: site.timezone,
        truncated,
    })
}
