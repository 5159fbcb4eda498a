//! The chat as agents see it in lists, pop-ups and offers ([`ChatSummary`]): a low-level
//! piece every use case that tells agents about a chat calls (it reads storage only).

use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::model::Chat;
use frontdesk_core::protocol::{ChatColleague, ChatSummary};
use frontdesk_core::store::StoreError;
use frontdesk_core::{ChatState, DepartmentId, EndReason};

/// A name agents can read: the visitor's own, or "Visitor" and the start of their id.
pub fn visitor_label(chat: &Chat) -> String {
    match &chat.visitor_name {
        Some(n) if !n.is_empty() => n.clone(),
        _ => format!(
            "Visitor {}",
            chat.visitor_id.0.chars().take(6).collect::<String>()
        ),
    }
}

/// The chat as agents see it in lists and pop-ups.
pub async fn chat_summary(app: &App, chat: &Chat) -> AppResult<ChatSummary> {
    let site = app.store.site(chat.site_id).await?;
    summary_on_site(app, chat, site.name).await
}

/// [`chat_summary`] with the name of the chat's site already known (the snapshot lists the
/// sites once instead of reading the site again for each of its chats).
pub async fn summary_on_site(app: &App, chat: &Chat, site_name: String) -> AppResult<ChatSummary> {
    let (agent_id, agent_name) = match chat.state {
        ChatState::Active { agent } => (Some(agent), Some(app.agent_name(agent).await?)),
        ChatState::Ended {
            reason: EndReason::Agent { agent } | EndReason::Blocked { agent },
        } => (Some(agent), Some(app.agent_name(agent).await?)),
        _ => (None, None),
    };
    let (department_id, department_name) = department_label(app, chat).await?;
    let mut joined = Vec::with_capacity(chat.joined.len());
    for &agent_id in &chat.joined {
        joined.push(ChatColleague {
            agent_id,
            name: app.agent_name(agent_id).await?,
        });
    }
    let now = app.now();
    let offer = chat
        .offer
        .filter(|o| chat.state == ChatState::Pending && o.expires_at > now);
    Ok(ChatSummary {
        chat_id: chat.id,
        site_id: chat.site_id,
        site_name,
        visitor_id: chat.visitor_id.clone(),
        visitor_name: visitor_label(chat),
        visitor_email: chat.visitor_email.clone(),
        state: chat.state.name().to_string(),
        agent_id,
        agent_name,
        page_url: chat.page_url.clone(),
        created_at: chat.created_at,
        queued_at: chat.queued_at,
        last_seq: chat.last_seq,
        missed: chat.missed,
        escalated_at: chat.escalated_at,
        offered_to: offer.map(|o| o.agent),
        offer_expires_at: offer.map(|o| o.expires_at),
        department_id,
        department_name,
        joined,
        tags: chat.tags.clone(),
        wrap_up: chat.wrap_up.clone(),
        rating: chat.rating.clone(),
    })
}

/// The chat's department and its name, for the summaries agents see; none when the chat
/// has none or its department was deleted.
async fn department_label(
    app: &App,
    chat: &Chat,
) -> AppResult<(Option<DepartmentId>, Option<String>)> {
    let Some(id) = chat.department_id else {
        return Ok((None, None));
    };
    match app.store.department(id).await {
        Ok(d) => Ok((Some(d.id), Some(d.name))),
        Err(StoreError::NotFound) => Ok((None, None)),
        Err(e) => Err(e.into()),
    }
}
