//! What the visitor has read, and the email of unread replies to a visitor who left.
//!
//! - **Read marks**: the widget sends `read {chat_id, seq}` when it shows a message with its
//!   panel open and the tab visible; the chat's `visitor_read_seq` only rises ([`mark_read`]).
//! - **Unread replies**: agent replies (text, link or file; never a note, never a system
//!   event) after both `visitor_read_seq` and `replies_emailed_seq`. The store keeps, per
//!   chat, when the oldest of them was sent (a partial index), so [`sweep`] reads only chats
//!   that have some.
//! - **The email**: every node sweeps every `waiting_sweep_ms` (real time, reading the
//!   injectable clock's "now"). A chat whose oldest unread reply is at least the site's
//!   "Email unread replies after" (`unread_email_seconds`) old, whose visitor left (no
//!   connection to the site on any node: the presence check "Missed" uses; and no page seen
//!   for `visitor_leave_grace_secs`, so a visitor between two pages has not left), and who
//!   has an address (the chat's `visitor_email`, else the one known for the visitor: offline
//!   form, "Email me this transcript") gets ONE email with those replies and a link back to the
//!   chat's page (`page_url`; the site's address when the chat has none). The node first
//!   raises `replies_emailed_seq` to the last reply it emails by a compare-and-set: only the
//!   node that wins sends, so each reply is emailed once, and only newer replies make another
//!   email. A mail server that fails then loses that email (logged), never doubles it.
//! - **Passed over** (`replies_emailed_seq` raised, nothing sent): replies on a site whose
//!   setting is 0 ("never"), and replies to a visitor who left with no address at all, or
//!   while the server has no SMTP settings. A visitor who comes back sees them in the widget.

use crate::error::{AppError, AppResult};
use crate::services::transcript::{escape_html, visitor_view};
use crate::state::App;
use frontdesk_core::model::{Author, Chat, Message, MessageKind, Site};
use frontdesk_core::site_settings::UNREAD_EMAIL_SECONDS;
use frontdesk_core::store::StoreError;
use frontdesk_core::{ChatId, Seq, SiteId, VisitorId};
use std::collections::HashMap;
use tokio::task::JoinHandle;

/// Most chats one sweep looks at (the oldest unread reply first).
const SWEEP_BATCH: u32 = 1000;
/// Most replies one email carries (more: the rest in the next sweep's email).
const REPLIES_PER_EMAIL: u32 = 200;

/// A `read` frame: `visitor` has seen their chat up to `seq` (only their own chat on this
/// site: `not_found` otherwise). Never lowers the mark; never past the chat's last message.
pub async fn mark_read(
    app: &App,
    site: SiteId,
    visitor: &VisitorId,
    chat: ChatId,
    seq: Seq,
) -> AppResult<()> {
    match app.store.chat(chat).await {
        Ok(c) if c.site_id == site && &c.visitor_id == visitor => {
            if seq > c.visitor_read_seq {
                app.store.mark_read(chat, seq).await?;
            }
            Ok(())
        }
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::not_found()),
        Err(e) => Err(e.into()),
    }
}

/// Starts this node's unread-reply sweep.
pub fn spawn_sweep(app: App) -> JoinHandle<()> {
    super::sweeps::spawn(app, "unread-reply", |app| async move { sweep(&app).await })
}

/// One sweep (see the module doc). Returns how many emails this node sent.
pub async fn sweep(app: &App) -> AppResult<usize> {
    let now = app.now();
    // No site's setting is shorter than the smallest allowed one.
    let shortest = i64::from(*UNREAD_EMAIL_SECONDS.start()) * 1000;
    let candidates = app
        .store
        .unread_reply_chats(now.plus_millis(-shortest), SWEEP_BATCH)
        .await?;
    let mut sites: HashMap<SiteId, Site> = HashMap::new();
    let mut sent = 0;
    for chat in candidates {
        let site = match sites.get(&chat.site_id) {
            Some(s) => s.clone(),
            None => {
                let s = app.store.site(chat.site_id).await?;
                sites.insert(chat.site_id, s.clone());
                s
            }
        };
        match consider(app, &site, &chat).await {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(chat = chat.id.0, error = %e, "unread replies not emailed"),
        }
    }
    Ok(sent)
}

/// One chat with unread replies: emailed (`true`), passed over, or left for a later sweep.
async fn consider(app: &App, site: &Site, chat: &Chat) -> AppResult<bool> {
    let from = chat.replies_emailed_seq;
    let after = from.max(chat.visitor_read_seq);
    let replies: Vec<Message> = app
        .store
        .messages_after(chat.id, after, REPLIES_PER_EMAIL)
        .await?
        .into_iter()
        .filter(is_reply)
        .collect();
    let (Some(oldest), Some(last)) = (replies.first(), replies.last()) else {
        return Ok(false); // read or emailed meanwhile
    };
    let last = last.seq;
    let delay = site.settings.unread_email_seconds;
    if delay == 0 {
        app.store.mark_replies_emailed(chat.id, from, last).await?;
        return Ok(false);
    }
    if app.now() < oldest.created_at.plus_millis(i64::from(delay) * 1000) {
        return Ok(false);
    }
    if !has_left(app, chat).await? {
        return Ok(false); // still here: the widget shows them (badge, title, sound)
    }
    let to = match &chat.visitor_email {
        Some(e) => Some(e.clone()),
        None => match app.store.visitor(chat.site_id, &chat.visitor_id).await {
            Ok(v) => v.email,
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let (Some(to), Some(mailer)) = (to, app.mailer.clone()) else {
        app.store.mark_replies_emailed(chat.id, from, last).await?;
        return Ok(false);
    };
    // Claim the replies first: only the node whose compare-and-set wins sends.
    if !app.store.mark_replies_emailed(chat.id, from, last).await? {
        return Ok(false);
    }
    let replies = visitor_view(app, chat, replies).await;
    let (subject, text, html) = email(site, chat, &replies);
    match mailer.send(&to, &subject, text, html).await {
        Ok(()) => {
            app.metrics.unread_reply_emails.inc();
            Ok(true)
        }
        Err(e) => {
            tracing::warn!(chat = chat.id.0, error = %e, "unread-reply email failed");
            Ok(false)
        }
    }
}

/// The visitor left: no connection to the site on any node (as for "Missed"), and no page
/// seen for `visitor_leave_grace_secs` (a visitor between two pages of the site, whose socket
/// is closed for a moment, has not left).
async fn has_left(app: &App, chat: &Chat) -> AppResult<bool> {
    if app
        .presence
        .visitor_connected(chat.site_id, &chat.visitor_id)
        .await
    {
        return Ok(false);
    }
    let grace = i64::try_from(app.settings.visitor_leave_grace_secs)
        .unwrap_or(i64::MAX)
        .saturating_mul(1000);
    Ok(
        match app
            .store
            .latest_visit(chat.site_id, &chat.visitor_id)
            .await?
        {
            Some(v) => app.now().millis_since(v.last_seen) >= grace,
            None => true,
        },
    )
}

/// An agent's reply the visitor may read (text, link or file; never a note or an event).
fn is_reply(m: &Message) -> bool {
    matches!(m.author, Author::Agent { .. })
        && matches!(
            m.kind,
            MessageKind::Text | MessageKind::Link | MessageKind::File
        )
}

/// Where the email leads back to: the chat's page, else the site.
fn link_back(site: &Site, chat: &Chat) -> String {
    chat.page_url
        .clone()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .unwrap_or_else(|| site.base_url.clone())
}

/// Subject, plain text and HTML (every stored string escaped) of the email.
fn email(site: &Site, chat: &Chat, replies: &[Message]) -> (String, String, String) {
    let subject = match replies.len() {
        1 => format!("A new reply from {}", site.name),
        n => format!("{n} new replies from {}", site.name),
    };
    let link = link_back(site, chat);
    let name = |m: &Message| m.author_name.clone().unwrap_or_else(|| "Agent".into());
    let body = |m: &Message| match m.kind {
        MessageKind::File => format!("sent a file: {}", m.body),
        _ => m.body.clone(),
    };
    let mut text = format!("You have unread replies in your chat on {}:\n\n", site.name);
    let mut html = format!(
        "<!doctype html><html><body><p>You have unread replies in your chat on {}:</p>",
        escape_html(&site.name)
    );
    for m in replies {
        text.push_str(&format!("{}: {}\n", name(m), body(m)));
        html.push_str(&format!(
            "<p><strong>{}</strong>: <span style=\"white-space:pre-wrap\">{}</span></p>",
            escape_html(&name(m)),
            escape_html(&body(m))
        ));
    }
    text.push_str(&format!("\nContinue the chat: {link}\n"));
    html.push_str(&format!(
        "<p><a href=\"{0}\">Continue the chat</a> ({0})</p></body></html>",
        escape_html(&link)
    ));
    (subject, text, html)
}
