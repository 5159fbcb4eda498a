//! Who may see what: an agent reads and acts only on chats of sites they belong to.
//! A refusal reads exactly like a missing object.

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::model::{Chat, Membership};
use frontdesk_core::{AgentId, ChatId, SiteId};

/// The agent's memberships.
pub async fn memberships(app: &App, agent: AgentId) -> AppResult<Vec<Membership>> {
    Ok(app.store.memberships(agent).await?)
}

/// Ok if the agent belongs to the site, else NotFound.
pub async fn require_site(app: &App, agent: AgentId, site: SiteId) -> AppResult<()> {
    // Connected here: the hub's copy of their memberships, kept current by the agent-state
    // events every membership change publishes (no storage read per message).
    if let Some(member) = app.hub.agent_belongs_to(agent, site) {
        return if member {
            Ok(())
        } else {
            Err(AppError::not_found())
        };
    }
    if memberships(app, agent)
        .await?
        .iter()
        .any(|m| m.site_id == site)
    {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

/// The chat, if the agent belongs to its site; NotFound otherwise.
pub async fn chat_for_agent(app: &App, agent: AgentId, chat: ChatId) -> AppResult<Chat> {
    let chat = app.store.chat(chat).await?;
    require_site(app, agent, chat.site_id).await?;
    Ok(chat)
}

/// Whether the agent supervises the site: an admin who belongs to it, or a member marked
/// "Supervisor" of it. (Not a refusal: callers that need one answer NotFound or Forbidden as
/// the action requires.)
pub async fn supervises(app: &App, agent: AgentId, site: SiteId) -> AppResult<bool> {
    let a = app.store.agent(agent).await?;
    let memberships = memberships(app, agent).await?;
    Ok(memberships
        .iter()
        .any(|m| m.site_id == site && (a.is_admin || m.supervisor)))
}
