//! Chats nobody answered.
//!
//! - **Missed**: a visitor whose connections to the site are all gone (on every node) for
//!   `visitor_leave_grace_secs` of elapsed time has left; their waiting chat that no agent ever
//!   answered ends, by the visitor, "Missed". The store sets `missed` in the same conditional
//!   update that ends the chat (so does a visitor's own `chat_end` before any answer): one node
//!   wins, the others' compare-and-set fails. An agent who answers during the grace period
//!   keeps the chat.
//! - **Escalation**: every node sweeps every `waiting_sweep_ms` (real time, reading the
//!   injectable clock's "now") for pending chats waiting at least the site's
//!   `waiting_too_long_seconds`. `escalated_at` is set by a conditional update (pending and
//!   never escalated), so exactly one node announces each chat, once: `chat.escalated` to
//!   every agent of the site (Away ones too), `chat.waiting_long` to the visitor.

use super::{chats, summary};
use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::model::Chat;
use frontdesk_core::protocol::{ToAgent, ToVisitor};
use frontdesk_core::site_settings::WAITING_TOO_LONG_SECONDS;
use frontdesk_core::unanswered::{ends_when_visitor_leaves, waiting_too_long};
use frontdesk_core::{ChatCommand, ChatId, ErrorCode, Party, SiteId, VisitorId};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Most chats one sweep looks at (the oldest in the queue first).
const SWEEP_BATCH: u32 = 1000;

/// The visitor's last connection to the site, on every node, closed. Starts the grace timer
/// and returns once its elapsed-time deadline is fixed (so that `visitor.left`, published by
/// the caller afterwards, comes after the timer started).
pub async fn visitor_left(app: &App, site: SiteId, visitor: VisitorId) {
    let (started, ready) = oneshot::channel::<()>();
    let app = app.clone();
    tokio::spawn(async move {
        let grace = app
            .clock
            .sleep(Duration::from_secs(app.settings.visitor_leave_grace_secs));
        let _ = started.send(());
        grace.await;
        if app.presence.visitor_connected(site, &visitor).await {
            return; // came back (another page, another tab, another node)
        }
        let open = match app.store.open_chat_of_visitor(site, &visitor).await {
            Ok(Some(chat)) => chat,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(site = site.0, error = %e, "visitor left: chat unreadable");
                return;
            }
        };
        match end_unanswered(&app, open.id).await {
            Ok(Some(_)) => tracing::info!(chat = open.id.0, "visitor left unanswered: missed"),
            Ok(None) => {}
            Err(e) => tracing::warn!(chat = open.id.0, error = %e, "marking missed failed"),
        }
    });
    let _ = ready.await;
}

/// Ends the chat "Missed" if it is still waiting and no agent ever answered it; `Ok(None)`
/// (nothing changed) otherwise, e.g. an agent took it meanwhile.
pub async fn end_unanswered(app: &App, chat_id: ChatId) -> AppResult<Option<Chat>> {
    for _ in 0..32 {
        let chat = app.store.chat(chat_id).await?;
        if !ends_when_visitor_leaves(&chat) {
            return Ok(None);
        }
        let next = chat.state.apply(ChatCommand::End { by: Party::Visitor })?;
        let write = app
            .store
            .update_chat_state(chat_id, chat.version, next, app.now());
        if let Some(after) = super::hot::write(app, chat_id, write).await? {
            chats::announce_end(app, &chat, &after, "missed").await;
            chats::refresh_queue(app, &chat).await?;
            return Ok(Some(after));
        }
    }
    Err(AppError::new(
        ErrorCode::Unavailable,
        "The chat is changing too fast; try again.",
    ))
}

/// Starts this node's escalation sweep.
pub fn spawn_sweep(app: App) -> JoinHandle<()> {
    super::sweeps::spawn(app, "escalation", |app| async move { sweep(&app).await })
}

/// One sweep: escalate every chat of any site waiting longer than its site's setting.
/// Returns how many this node escalated.
pub async fn sweep(app: &App) -> AppResult<usize> {
    let now = app.now();
    // No site's setting is shorter than the smallest allowed one.
    let shortest = i64::from(*WAITING_TOO_LONG_SECONDS.start()) * 1000;
    let candidates = app
        .store
        .unescalated_waiting_chats(now.plus_millis(-shortest), SWEEP_BATCH)
        .await?;
    let mut thresholds: HashMap<SiteId, u32> = HashMap::new();
    let mut n = 0;
    for chat in candidates {
        let threshold = match thresholds.get(&chat.site_id) {
            Some(t) => *t,
            None => {
                let site = app.store.site(chat.site_id).await?;
                let t = site.settings.waiting_too_long_seconds;
                thresholds.insert(chat.site_id, t);
                t
            }
        };
        if !waiting_too_long(&chat, now, threshold) {
            continue;
        }
        if let Some(escalated) = app.store.escalate_chat(chat.id, now).await? {
            announce(app, &escalated).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// Tells every agent of the site (Away ones too) and the visitor.
async fn announce(app: &App, chat: &Chat) -> AppResult<()> {
    app.metrics.chats_escalated.inc();
    let summary = summary::chat_summary(app, chat).await?;
    app.publish(
        Audience::SiteAgents {
            site: chat.site_id,
            online_only: false,
            also: None,
        },
        &ToAgent::ChatEscalated {
            chat_id: chat.id,
            chat: summary,
        },
        None,
    )
    .await;
    app.publish(
        chats::visitor_of(chat),
        &ToVisitor::ChatWaitingLong { chat_id: chat.id },
        None,
    )
    .await;
    Ok(())
}
