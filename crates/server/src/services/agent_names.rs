//! "Show all agents' names" (`SiteSettings.show_agent_names`) where it is needed: on the hot
//! path of every message to a visitor, with no storage read per message.
//!
//! # Staleness contract
//!
//! Each node keeps a copy of the setting per site in its hub ([`crate::realtime::hub::CachedNames`]).
//! A copy is used for [`MAX_AGE`] after it was read; the first message after that reads the
//! site again (one read per site per minute per node, at most). Saving the team settings
//! (`PUT /api/admin/sites/{id}/settings`) records the new value on the node that saved it at
//! once ([`saved`]) and publishes `SitesChanged` for the site: the other nodes of a cluster drop
//! their copy when it arrives (`realtime::cluster::bus_redis::Local`), so they follow at once
//! too. A change written by anything else (or an event lost while Redis was away) is followed
//! within [`MAX_AGE`]. A wall clock set back makes a copy stale (read again), never fresh
//! forever.
//!
//! The setting is asked for only when it matters: a visitor view of a reply by an agent who
//! does not own the chat (a colleague's). Visitor messages, the owner's replies and notes
//! never touch it ([`needed`]).
//!
//! # Team name ("Appearance", "Agent names": "Team name")
//!
//! A site that names its agents by the team's name counts as "Show all agents' names" off
//! here (no reply carries its author's name: every one shows under the chat's name), and the
//! chat's name itself is the team name: [`for_visitor`] gives it wherever the server names an
//! agent to a visitor (`welcome.chat.agent_name`, `chat.accepted`, `invitation`, the
//! visitor's transcript and unread-replies email). Those read the site when they happen (not
//! per message), so a change holds at once on every node; replies by colleagues follow the
//! contract above.

use crate::error::AppResult;
use crate::realtime::bus::BusEvent;
use crate::state::App;
use frontdesk_core::model::{Author, Chat, Message, Site};
use frontdesk_core::site_settings::SiteSettings;
use frontdesk_core::store::StoreError;
use frontdesk_core::{AgentId, SiteId};
use std::time::Duration;

/// How long a node uses its copy of a site's setting before reading it again.
pub const MAX_AGE: Duration = Duration::from_secs(60);

fn max_age_ms() -> i64 {
    i64::try_from(MAX_AGE.as_millis()).unwrap_or(i64::MAX)
}

/// Whether the visitor's view of `m` depends on the setting: a reply by an agent other than
/// the chat's owner. (A note never reaches the visitor at all.)
pub fn needed(chat: &Chat, m: &Message) -> bool {
    names_matter(chat.state.owner(), m)
}

fn names_matter(owner: Option<AgentId>, m: &Message) -> bool {
    match m.author {
        Author::Agent { agent } => m.kind.visitor_may_see() && owner != Some(agent),
        Author::Visitor | Author::System => false,
    }
}

/// The site's "Show all agents' names" as this node knows it (see the module doc). Storage
/// failing: the default (on), logged; the next message tries again.
pub async fn show(app: &App, site: SiteId) -> bool {
    let now = app.now();
    if let Some(c) = app.hub.agent_names(site)
        && c.fresh(now, max_age_ms())
    {
        return c.on;
    }
    match app.store.site(site).await {
        Ok(s) => {
            let on = names_shown(&s.settings);
            app.hub.set_agent_names(site, on, now);
            on
        }
        Err(StoreError::NotFound) => {
            app.hub.forget_agent_names(site);
            SiteSettings::default().show_agent_names
        }
        Err(e) => {
            tracing::warn!(site = site.0, error = %e, "show agent names: site not read");
            app.hub
                .agent_names(site)
                .map_or(SiteSettings::default().show_agent_names, |c| c.on)
        }
    }
}

/// The setting for the visitor's view of `m` in `chat`: read only when [`needed`].
pub async fn for_message(app: &App, chat: &Chat, m: &Message) -> bool {
    if needed(chat, m) {
        show(app, chat.site_id).await
    } else {
        SiteSettings::default().show_agent_names
    }
}

/// The setting for a replay of `chat`'s `messages` to its visitor: read once, only if one of
/// them needs it.
pub async fn for_messages(app: &App, chat: &Chat, messages: &[Message]) -> bool {
    if messages.iter().any(|m| needed(chat, m)) {
        show(app, chat.site_id).await
    } else {
        SiteSettings::default().show_agent_names
    }
}

/// The team settings of `site` were saved on this node: its messages follow them at once,
/// and (cluster) the other nodes drop their copy when the bus brings them `SitesChanged`, so
/// theirs follow at once too (the next colleague's reply reads the site again).
pub async fn saved(app: &App, site: &Site) {
    app.hub
        .set_agent_names(site.id, names_shown(&site.settings), app.now());
    app.bus
        .publish(BusEvent::SitesChanged {
            sites: vec![site.id],
        })
        .await;
}

/// Whether a colleague's reply shows under the colleague's own name: "Show all agents' names"
/// on, and the site does not name its agents by the team.
fn names_shown(settings: &SiteSettings) -> bool {
    settings.show_agent_names && settings.appearance.team_name_shown().is_none()
}

/// The site's team name, when it names its agents by the team (read from storage).
pub async fn team_name(app: &App, site: SiteId) -> AppResult<Option<String>> {
    let site = app.store.site(site).await?;
    Ok(site
        .settings
        .appearance
        .team_name_shown()
        .map(str::to_string))
}

/// The name the visitor of `site` sees for `agent`: the agent's own, or the site's team name.
pub async fn for_visitor(app: &App, site: SiteId, agent: AgentId) -> AppResult<String> {
    match team_name(app, site).await? {
        Some(team) => Ok(team),
        None => app.agent_name(agent).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_core::model::MessageKind;
    use frontdesk_core::{ChatId, Seq, Timestamp};

    fn by(author: Author, kind: MessageKind) -> Message {
        Message {
            chat_id: ChatId(1),
            seq: Seq(1),
            author,
            author_name: Some("Bob".into()),
            kind,
            body: "hi".into(),
            client_id: None,
            created_at: Timestamp(0),
            file: None,
        }
    }

    #[test]
    fn the_setting_is_read_only_for_a_colleagues_reply() {
        let (owner, colleague) = (AgentId(1), AgentId(2));
        let reply = |a, k| by(Author::Agent { agent: a }, k);
        assert!(names_matter(
            Some(owner),
            &reply(colleague, MessageKind::Text)
        ));
        assert!(names_matter(
            Some(owner),
            &reply(colleague, MessageKind::Link)
        ));
        assert!(
            names_matter(None, &reply(colleague, MessageKind::Text)),
            "no owner"
        );
        assert!(!names_matter(Some(owner), &reply(owner, MessageKind::Text)));
        assert!(!names_matter(
            Some(owner),
            &reply(colleague, MessageKind::Note)
        ));
        assert!(!names_matter(
            Some(owner),
            &by(Author::Visitor, MessageKind::Text)
        ));
        assert!(!names_matter(
            Some(owner),
            &by(Author::System, MessageKind::Event)
        ));
    }
}
