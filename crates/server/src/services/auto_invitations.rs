//! Automatic invitations (the site's "Invitation rules", issue 17): the rules `welcome` carries
//! for the loader to evaluate, and recording the invitation the loader showed.
//!
//! What a visit had (an automatic invitation, a dismissed invitation) is kept on the visit in
//! the database (migration 0012): a visit spans page loads, and so sockets, nodes and server
//! restarts; the presence view only knows the visitors connected now.

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::ErrorCode;
use frontdesk_core::invitation_rules::WireRules;
use frontdesk_core::model::{Site, Visit, Visitor};

/// What `welcome.invitation_rules` carries: the site's enabled rules with the facts the
/// browser cannot know, or `None` (nothing on the wire) when the site has no enabled rule or
/// no automatic invitation may come now: a chat is open, the site is not available, or this
/// visit already had one or a dismissed invitation.
pub async fn for_welcome(
    app: &App,
    site: &Site,
    (visitor, visit): (&Visitor, &Visit),
    chat_open: bool,
    online: bool,
) -> AppResult<Option<WireRules>> {
    let settings = &site.settings.invitation_rules;
    let Some(rules) = settings.wire() else {
        return Ok(None);
    };
    if chat_open || !online || visit.auto_invitation.is_some() || visit.invitation_dismissed {
        return Ok(None);
    }
    let pages = if settings.needs_pages() {
        let n = app.store.count_page_views(visit.id).await?;
        Some(u32::try_from(n).unwrap_or(u32::MAX))
    } else {
        None
    };
    Ok(Some(WireRules {
        rules,
        pages,
        returning: visitor.first_seen < visit.started_at,
    }))
}

/// The loader showed rule `rule`'s invitation: recorded on the visit unless it already had
/// an automatic invitation or a dismissal (then `None`). The rule's name, when recorded.
pub async fn shown(
    app: &App,
    site: &Site,
    visit: &mut Visit,
    rule: u32,
) -> AppResult<Option<String>> {
    let Some(found) = site.settings.invitation_rules.enabled(rule) else {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "No such invitation rule (or it is off).",
        ));
    };
    if !app
        .store
        .mark_auto_invitation(visit.id, &found.name)
        .await?
    {
        return Ok(None);
    }
    visit.auto_invitation = Some(found.name.clone());
    Ok(Some(found.name.clone()))
}

/// The visitor dismissed an invitation: no automatic one comes again in this visit.
pub async fn dismissed(app: &App, visit: &mut Visit) -> AppResult<()> {
    if !visit.invitation_dismissed {
        app.store.mark_invitation_dismissed(visit.id).await?;
        visit.invitation_dismissed = true;
    }
    Ok(())
}
