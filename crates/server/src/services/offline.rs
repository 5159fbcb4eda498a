//! Offline messages ("Leave a message"): stored, shown to agents, and emailed to the site.

use crate::error::{AppError, AppResult};
use crate::services::blocked::refuse_if_blocked;
use crate::services::transcript::escape_html;
use crate::state::App;
use frontdesk_core::VisitorId;
use frontdesk_core::audience::Audience;
use frontdesk_core::model::NewOfflineMessage;
use frontdesk_core::model::{OfflineMessage, Site};
use frontdesk_core::protocol::ToAgent;
use frontdesk_core::text::{check_message, clean_line};

/// A visitor leaves a message: checked, stored, shown to the site's agents, emailed to the site.
/// Refused with `blocked` (nothing stored, nothing emailed) while the visitor or their IP
/// address is blocked on the site, as a chat request is.
#[allow(clippy::too_many_arguments)]
pub async fn leave(
    app: &App,
    site: &Site,
    visitor: &VisitorId,
    ip: Option<&str>,
    page_url: String,
    name: &str,
    email: &str,
    body: &str,
) -> AppResult<OfflineMessage> {
    refuse_if_blocked(app, site.id, visitor, ip).await?;
    let email = valid_email(email)?;
    let body = check_message(body, app.settings.message_max_chars)?.to_string();
    let name = clean_line(name, 100).unwrap_or_default();
    // Remembered on the visitor: their later chats carry it to the agent (the Email dialog).
    app.store
        .set_visitor_identity(site.id, visitor, None, Some(&email))
        .await?;
    let stored = app
        .store
        .create_offline_message(NewOfflineMessage {
            site_id: site.id,
            visitor_id: Some(visitor.clone()),
            name,
            email,
            body,
            page_url: Some(page_url),
            created_at: app.now(),
        })
        .await?;
    app.publish(
        Audience::SiteAgents {
            site: site.id,
            online_only: false,
            also: None,
        },
        &ToAgent::OfflineMessage {
            site_id: site.id,
            id: stored.id,
            name: stored.name.clone(),
            email: stored.email.clone(),
            body: stored.body.clone(),
            created_at: stored.created_at,
        },
        None,
    )
    .await;
    email_to_site(app, site, &stored);
    Ok(stored)
}

/// The address a visitor typed, trimmed, if it looks like one (the offline form and "Email me
/// this transcript" check it alike); `bad_request` otherwise.
pub fn valid_email(email: &str) -> AppResult<String> {
    let email = email.trim().to_string();
    if email.len() > 254 || !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(AppError::bad_request("Please give a valid email address."));
    }
    Ok(email)
}

/// Emails the message to the site's address in the background, if both SMTP and an address
/// are configured. The message is already stored; a mail failure is logged, not lost.
pub fn email_to_site(app: &App, site: &Site, msg: &OfflineMessage) {
    let (Some(mailer), Some(to)) = (app.mailer.clone(), site.email.clone()) else {
        return;
    };
    let subject = format!("Offline message on {} from {}", site.name, msg.name);
    let text = format!(
        "Name: {}\nEmail: {}\nPage: {}\n\n{}\n",
        msg.name,
        msg.email,
        msg.page_url.clone().unwrap_or_default(),
        msg.body
    );
    let html = format!(
        "<!doctype html><html><body><p>Name: {}<br>Email: {}<br>Page: {}</p><p style=\"white-space:pre-wrap\">{}</p></body></html>",
        escape_html(&msg.name),
        escape_html(&msg.email),
        escape_html(&msg.page_url.clone().unwrap_or_default()),
        escape_html(&msg.body)
    );
    tokio::spawn(async move {
        if let Err(e) = mailer.send(&to, &subject, text, html).await {
            tracing::warn!(error = %e, "offline message email failed");
        }
    });
}
