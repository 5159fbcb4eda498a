//! The visitor socket's `welcome`: after `hello`, the visit recorded, the open chat (if any)
//! read and replayed, and everything the widget needs to start (availability, departments,
//! features, appearance, invitation rules).

use super::{Visitor, frame};
use crate::error::AppResult;
use crate::realtime::outbound::{ConnHandle, Outbound};
use crate::services::chats;
use crate::services::visits::{self, Arrival};
use crate::state::App;
use frontdesk_core::model::{Chat, Site};
use frontdesk_core::protocol::{PageInfo, ToVisitor, VisitorChatView};
use frontdesk_core::unanswered::may_end_when_visitor_leaves;
use frontdesk_core::{ChatState, VisitorId};
use std::net::IpAddr;

#[allow(clippy::too_many_arguments)]
pub(super) async fn welcome(
    app: &App,
    site_owned: Site,
    (ip, user_agent, language): (IpAddr, &str, &'static str),
    handle: &ConnHandle,
    (mut id, claim): (VisitorId, Option<serde_json::Value>),
    page: PageInfo,
    (last_seq, last_chat): (frontdesk_core::Seq, Option<frontdesk_core::ChatId>),
) -> AppResult<Visitor> {
    let site = &site_owned;
    let mut identity = None;
    if let Some(claim) = &claim {
        let found = crate::services::identity::identify(app, site, id, claim).await?;
        id = found.visitor;
        identity = Some(found.outcome);
    }
    // One write: visitor, visit, first page view; the open chat is read in the same job.
    let arrival = Arrival::new(
        app,
        (site.id, id.clone()),
        ip,
        user_agent,
        language,
        &site.settings.privacy,
    );
    let requests_seen = app.hub.chat_requests_seen();
    let (record, loaded) = visits::hello(app, &arrival, &page).await?;
    let (visit, open) = (loaded.visit, loaded.open_chat);
    // The opening hours as read now, before this visitor hears availability changes.
    crate::services::hours::refresh(app, site);
    // A chat request that finished since the read began may have made a chat it missed. A
    // chat already answered can never end at a leave: its leaves read nothing.
    let may_have_chat = open.as_ref().is_some_and(may_end_when_visitor_leaves)
        || app.hub.chat_requests_seen() != requests_seen;
    app.hub
        .register_visitor(site.id, &id, handle.clone(), may_have_chat);
    let chat_view = match &open {
        Some(chat) => Some(chat_view(app, chat).await?),
        None => None,
    };
    let agents = app.presence.site_available(site.id).await;
    let (online, opens_at) = app.hub.availability_with(site.id, agents);
    let invitation_rules = crate::services::auto_invitations::for_welcome(
        app,
        site,
        (&record, &visit),
        open.is_some(),
        online,
    )
    .await?;
    frame(
        handle,
        &ToVisitor::Welcome {
            visitor_id: id.clone(),
            token: app.tokens.issue(site.id, &id),
            online,
            chat: chat_view,
            epoch: app.epoch.clone(),
            opens_at,
            departments: crate::services::departments::choices(app, site).await?,
            features: frontdesk_core::protocol::WidgetFeatures::of(
                &site.settings,
                app.settings.limits.file_max_bytes,
            ),
            language: site.settings.language.clone(),
            identity: identity.map(str::to_string),
            appearance: site.settings.appearance.for_widget(),
            invitation_rules,
        },
    );
    if let Some(chat) = &open {
        // A seq held of another chat says nothing about this one: replay it from the start.
        let after = match last_chat {
            Some(c) if c != chat.id => frontdesk_core::Seq(0),
            _ => last_seq,
        };
        handle
            .send(Outbound::Replay {
                chat_id: chat.id,
                after,
                reference: None,
            })
            .await;
    }
    let mut v = Visitor {
        app: app.clone(),
        site: site_owned,
        id,
        ip,
        arrival,
        handle: handle.clone(),
        visit,
        verified_name: record.name.clone().filter(|_| identity == Some("verified")),
        name: record.name,
        page,
        update_wait: None,
    };
    v.announce(open.as_ref().map(|c| c.id), false).await;
    Ok(v)
}

pub(super) async fn chat_view(app: &App, chat: &Chat) -> AppResult<VisitorChatView> {
    let (agent_name, position) = match chat.state {
        ChatState::Active { agent } => (
            Some(crate::services::agent_names::for_visitor(app, chat.site_id, agent).await?),
            None,
        ),
        _ => (None, Some(chats::queue_position(app, chat).await?)),
    };
    Ok(VisitorChatView {
        chat_id: chat.id,
        state: chat.state.name().to_string(),
        agent_name,
        position,
        last_seq: chat.last_seq,
        waiting_long: chat.state == ChatState::Pending && chat.escalated_at.is_some(),
    })
}
