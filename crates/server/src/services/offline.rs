//! Offline messages ("Leave a message"): stored, shown to agents, and emailed to the site.

use crate::services::transcript::escape_html;
use crate::state::App;
use frontdesk_core::model::{OfflineMessage, Site};

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
