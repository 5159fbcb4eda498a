//! Who may see what: an agent reads and acts only on chats of sites they belong to.
//! A refusal reads exactly like a missing object.
//!
//! A request made with an API token runs inside [`with_token_sites`]: the token acts for its
//! creator, narrowed to the token's sites, and every check here (hence every service that asks
//! these) sees only those of the creator's memberships. The narrowing is a task-local of the
//! request's own task: a check made from a task the request spawned would not see it, so
//! access checks stay in the request's task (as they all are).

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::model::{Chat, Membership};
use frontdesk_core::{AgentId, ChatId, SiteId};

tokio::task_local! {
    /// The sites of the API token of the request being served (`None`: every site).
    static TOKEN_SITES: Option<Vec<SiteId>>;
}

/// Runs `work` (a request made with an API token) narrowed to the token's `sites`.
pub async fn with_token_sites<F: std::future::Future>(
    sites: Option<Vec<SiteId>>,
    work: F,
) -> F::Output {
    TOKEN_SITES.scope(sites, work).await
}

/// False when the request's API token is not for `site` (always true without a token).
fn token_allows(site: SiteId) -> bool {
    TOKEN_SITES
        .try_with(|sites| frontdesk_core::tokens::site_allowed(sites.as_deref(), site))
        .unwrap_or(true)
}

/// The agent's memberships (narrowed to the sites of the request's API token, if any).
pub async fn memberships(app: &App, agent: AgentId) -> AppResult<Vec<Membership>> {
    let mut m = app.store.memberships(agent).await?;
    m.retain(|m| token_allows(m.site_id));
    Ok(m)
}

/// Ok if the agent belongs to the site, else NotFound.
pub async fn require_site(app: &App, agent: AgentId, site: SiteId) -> AppResult<()> {
    if !token_allows(site) {
        return Err(AppError::not_found());
    }
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

/// [`chat_for_agent`] from this node's hot copy when it has one (no storage read): exact in
/// the chat's state, owner, colleagues, offer, site and visitor, not in its `last_seq`, tags
/// and the other fields [`super::hot`] lists. For the accept and the agent's message path.
pub async fn hot_chat_for_agent(app: &App, agent: AgentId, chat: ChatId) -> AppResult<Chat> {
    let chat = super::hot::chat(app, chat).await?;
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
