//! "Email me this transcript": the chat's transcript for its visitor, as the widget showed it
//! (never an internal note: [`Transcript::for_visitor`]), sent through the configured SMTP
//! server while the visitor waits for the `ack`.
//!
//! Refused with `not_found` for a chat that is not the visitor's on this site, `forbidden`
//! when the site turned "Email me this transcript" off, `bad_request` for an address that is
//! not one, `unavailable` when the server has no SMTP settings or the mail server refused.
//! Rate-limited per visitor and per IP before it gets here (`limits.transcript_emails`).
//!
//! The address is remembered on the visitor when they had none (like the offline form's): the
//! email of unread replies ([`super::unread`]) and the agent's "Email" dialog use it. A chat's
//! own `visitor_email` (the pre-chat form's) is left as the visitor gave it.

use crate::error::{AppError, AppResult};
use crate::services::offline::valid_email;
use crate::services::transcript::{self, Transcript};
use crate::state::App;
use frontdesk_core::store::StoreError;
use frontdesk_core::{ChatId, ErrorCode, SiteId, VisitorId};

/// An `email_transcript` frame from `visitor` for one of their chats (open or ended).
pub async fn email_to_visitor(
    app: &App,
    site: SiteId,
    visitor: &VisitorId,
    chat: ChatId,
    email: &str,
) -> AppResult<()> {
    let chat = match app.store.chat(chat).await {
        Ok(c) if c.site_id == site && &c.visitor_id == visitor => c,
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::not_found()),
        Err(e) => return Err(e.into()),
    };
    let site_row = app.store.site(site).await?;
    if !site_row.settings.visitor_transcripts {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "Transcripts by email are turned off on this site.",
        ));
    }
    let Some(mailer) = app.mailer.clone() else {
        return Err(AppError::new(
            ErrorCode::Unavailable,
            "Email is not set up on this server; the transcript cannot be sent.",
        ));
    };
    let email = valid_email(email)?;
    remember_email(app, site, visitor, &email).await;
    let t: Transcript = transcript::load(app, chat).await?.for_visitor(app).await;
    mailer
        .send(
            &email,
            &transcript::subject(&t),
            transcript::to_text(&t),
            transcript::to_html(&t),
        )
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "visitor transcript email failed");
            AppError::new(
                ErrorCode::Unavailable,
                "The transcript could not be sent; try again later.",
            )
        })
}

/// Keeps the address on the visitor when they had none (a failure is logged: the transcript
/// is sent anyway).
async fn remember_email(app: &App, site: SiteId, visitor: &VisitorId, email: &str) {
    match app.store.visitor(site, visitor).await {
        Ok(v) if v.email.is_none() => {
            if let Err(e) = app
                .store
                .set_visitor_identity(site, visitor, None, Some(email))
                .await
            {
                tracing::warn!(error = %e, "remembering the visitor's email failed");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "visitor unreadable"),
    }
}
