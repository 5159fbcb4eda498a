//! "Tags" and the "Wrap-up note" of a chat (issue 13): who may set them, checked by the core
//! rule, stored, and told to the chat's agents (`chat.updated`). Tags may change on ended chats
//! too (from Chat History); the wrap-up note is written with "End Chat".

use crate::error::AppResult;
use crate::services::{access, chats, summary};
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::model::{Author, Chat};
use frontdesk_core::protocol::ToAgent;
use frontdesk_core::tags::{SiteTag, check_tags, check_wrap_up, in_chat, told_of_change};
use frontdesk_core::{AgentId, ChatId, Seq, SiteId};

/// Messages read per page when looking for an agent's own words in an ended chat.
const PAGE: u32 = 1000;

/// The chat, if `agent` may change its tags: an agent of its site who is in it (owner,
/// colleague, the agent who ended it, or one who wrote in it once it ended), or who
/// supervises the site. Another site's chat is `not_found`; a chat of their site they are
/// not in is `not_your_chat`.
pub async fn chat_to_tag(app: &App, agent: AgentId, chat_id: ChatId) -> AppResult<Chat> {
    let chat = access::chat_for_agent(app, agent, chat_id).await?;
    if in_chat(&chat, agent) || access::supervises(app, agent, chat.site_id).await? {
        return Ok(chat);
    }
    if !chat.state.is_open() && wrote_in(app, &chat, agent).await? {
        return Ok(chat);
    }
    Err(frontdesk_core::ChatError::NotYourChat.into())
}

/// Whether `agent` wrote a message in the chat (an ended chat keeps no owner when the visitor
/// ended it; the agents who answered it are found by their messages).
async fn wrote_in(app: &App, chat: &Chat, agent: AgentId) -> AppResult<bool> {
    let mut after = Seq(0);
    loop {
        let page = app.store.messages_after(chat.id, after, PAGE).await?;
        if page.iter().any(|m| m.author == Author::Agent { agent }) {
            return Ok(true);
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = last.seq,
            _ => return Ok(false),
        }
    }
}

/// Replace the chat's tags (checked: typed `empty` / `too_long` / `bad_request` otherwise,
/// nothing stored), then tell the chat's agents.
pub async fn set_tags(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    tags: &[String],
) -> AppResult<Chat> {
    // Who may first: another site's chat is `not_found` whatever the tags.
    let chat = chat_to_tag(app, agent, chat_id).await?;
    let tags = check_tags(tags, app.settings.limits.tags())?;
    let updated = app.store.set_chat_tags(chat.id, &tags).await?;
    announce(app, &updated, agent).await?;
    Ok(updated)
}

/// Set the chat's wrap-up note outside "End Chat" (a correction from Chat History).
pub async fn set_wrap_up(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    wrap_up: Option<&str>,
) -> AppResult<Chat> {
    let chat = chat_to_tag(app, agent, chat_id).await?;
    let note = check_wrap_up(wrap_up, app.settings.message_max_chars)?;
    let updated = app.store.set_wrap_up(chat.id, note.as_deref()).await?;
    announce(app, &updated, agent).await?;
    Ok(updated)
}

/// "End Chat" with an optional wrap-up note. The note is checked BEFORE the chat ends (a
/// too-long one is refused with `too_long` and the chat stays as it was); once the chat has
/// ended, the note is stored (a second write: should it fail, the end stands and the answer is
/// the storage error) and the chat's agents get `chat.updated`.
pub async fn end_with_wrap_up(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    wrap_up: Option<&str>,
) -> AppResult<Chat> {
    if wrap_up.is_some() {
        // Another site's chat is `not_found` whatever the note.
        access::chat_for_agent(app, agent, chat_id).await?;
    }
    let note = check_wrap_up(wrap_up, app.settings.message_max_chars)?;
    let ended = chats::end_by_agent(app, agent, chat_id).await?;
    let Some(note) = note else {
        return Ok(ended);
    };
    let updated = app.store.set_wrap_up(ended.id, Some(&note)).await?;
    announce(app, &updated, agent).await?;
    Ok(updated)
}

/// The site's tags, most used first, for suggestions (an agent of the site only).
pub async fn site_tags(app: &App, agent: AgentId, site: SiteId) -> AppResult<Vec<SiteTag>> {
    access::require_site(app, agent, site).await?;
    Ok(app
        .store
        .site_tags(site, app.settings.limits.tag_suggestions)
        .await?)
}

/// `chat.updated` to the chat's agents (and watchers) and to the one who changed it.
async fn announce(app: &App, chat: &Chat, by: AgentId) -> AppResult<()> {
    let summary = summary::chat_summary(app, chat).await?;
    app.publish(
        Audience::ChatAgents {
            chat: chat.id,
            agents: told_of_change(chat, by),
        },
        &ToAgent::ChatUpdated { chat: summary },
        None,
    )
    .await;
    Ok(())
}
