//! Agents as the rest of the product sees them (their presence: `presence.rs`): telling
//! every node and the co-agents when an agent's status, sites or monitoring change, the
//! snapshot a console gets when it connects, the chats waiting for an agent who becomes
//! available, and inviting a visitor to chat.

use super::presence::{agent_info, publish_presence};
use super::{access, capacity, routing, summary};
use crate::error::{AppError, AppResult};
use crate::realtime::bus::BusEvent;
use crate::realtime::hub::AgentInfo;
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::model::{Agent, AgentStatus};
use frontdesk_core::protocol::{
    SiteMembershipView, ToAgent, ToVisitor, VisitorCursor, VisitorsPage,
};
use frontdesk_core::text::clean_line;
use frontdesk_core::{AgentId, ChatId, ChatState, ErrorCode, SiteId, VisitorId, day};
use std::collections::{HashMap, HashSet};

/// Tell every node that an agent's status, sites or monitoring changed, and their co-agents.
pub async fn publish_agent_state(app: &App, agent: AgentId) -> AppResult<()> {
    let a = app.store.agent(agent).await?;
    let info = agent_info(app, &a).await?;
    app.bus
        .publish(BusEvent::AgentState {
            agent,
            name: info.name.clone(),
            status: info.status,
            sites: info.sites.iter().copied().collect(),
            monitoring: info.monitoring.iter().copied().collect(),
        })
        .await;
    app.presence.agent_info_changed(agent, &info).await;
    publish_presence(app, agent, &info.sites).await;
    Ok(())
}

/// A page of "Visitors on Site" for the agent: the newest visitors of the sites they monitor
/// now, older than `before` (a cursor of an earlier page; `None`: the first page). The page
/// size is `limits.visitors_page`; the rest of the site is neither cloned nor sent.
pub async fn visitors_page(
    app: &App,
    monitoring: &HashSet<SiteId>,
    before: Option<&str>,
) -> AppResult<VisitorsPage> {
    let cursor = match before {
        None => None,
        Some(s) => Some(VisitorCursor::parse(s).ok_or_else(|| {
            AppError::new(
                ErrorCode::BadRequest,
                "That visitors cursor is not one this server gave.",
            )
        })?),
    };
    Ok(app
        .presence
        .visitors_page(
            monitoring,
            cursor.as_ref(),
            app.settings.limits.visitors_page(),
        )
        .await)
}

/// What a console gets when it connects: the agent, their sites, the open chats they watch,
/// hold or joined, the co-agents' presence and the visitors on their monitored sites.
pub async fn snapshot(app: &App, agent: &Agent, info: &AgentInfo) -> AppResult<ToAgent> {
    let watched: Vec<SiteId> = info.monitoring.iter().copied().collect();
    // Chats the agent joined as a colleague on sites they do not monitor (those of monitored
    // sites are listed already), so that a reload restores their windows.
    let unwatched: Vec<SiteId> = info
        .sites
        .iter()
        .copied()
        .filter(|s| !watched.contains(s))
        .collect();
    // The reads do not depend on each other: they are waited for together, so a connect
    // while the store is busy (a crowd leaving, say) queues once, not once per read.
    let (sites, memberships, mut open, mine, other, departments, agents) = tokio::try_join!(
        async { Ok::<_, AppError>(app.store.list_sites().await?) },
        access::memberships(app, agent.id),
        async { Ok(app.store.open_chats(&watched).await?) },
        async { Ok(app.store.chats_of_agent(agent.id).await?) },
        async {
            if unwatched.is_empty() {
                return Ok(Vec::new());
            }
            Ok(app.store.open_chats(&unwatched).await?)
        },
        super::departments::views(app, info.sites.iter().copied()),
        async { Ok(capacity::decorate(app, app.presence.presence(&info.sites).await).await) },
    )?;
    let site_views: Vec<SiteMembershipView> = memberships
        .iter()
        .filter_map(|m| {
            sites
                .iter()
                .find(|s| s.id == m.site_id)
                .map(|s| SiteMembershipView {
                    site_id: s.id,
                    name: s.name.clone(),
                    base_url: s.base_url.clone(),
                    monitoring: m.monitoring,
                    supervisor: agent.is_admin || m.supervisor,
                    files_off: !s.settings.files.enabled,
                })
        })
        .collect();
    let mut listed: HashSet<ChatId> = open.iter().map(|c| c.id).collect();
    for c in mine {
        if listed.insert(c.id) {
            open.push(c);
        }
    }
    for c in other {
        if c.joined.contains(&agent.id) && listed.insert(c.id) {
            open.push(c);
        }
    }
    // Today's "Missed" chats of the watched sites (the rest of each site's day).
    open.extend(missed_today(app, &sites, &watched).await?);
    let site_names: HashMap<SiteId, &str> = sites.iter().map(|s| (s.id, s.name.as_str())).collect();
    let mut summaries = Vec::with_capacity(open.len());
    for chat in &open {
        // The site from the list above: no read per chat (a snapshot may list thousands).
        summaries.push(match site_names.get(&chat.site_id) {
            Some(name) => summary::summary_on_site(app, chat, name.to_string()).await?,
            None => summary::chat_summary(app, chat).await?,
        });
    }
    let page = visitors_page(app, &info.monitoring, None).await?;
    let visitors_next = page.next();
    Ok(ToAgent::Snapshot {
        agent_id: agent.id,
        name: agent.name.clone(),
        is_admin: agent.is_admin,
        status: agent.status,
        sites: site_views,
        chats: summaries,
        agents,
        visitors: page.visitors,
        visitors_total: page.total,
        visitors_next,
        epoch: app.epoch.clone(),
        departments,
    })
}

/// At most this many "Missed" chats per site in a snapshot (the newest).
const SNAPSHOT_MISSED: u32 = 200;

/// The "Missed" chats of `watched` sites that ended since the start of each site's day.
async fn missed_today(
    app: &App,
    sites: &[frontdesk_core::model::Site],
    watched: &[SiteId],
) -> AppResult<Vec<frontdesk_core::model::Chat>> {
    let now = app.now();
    // One read per site, waited for together.
    let reads = sites
        .iter()
        .filter(|s| watched.contains(&s.id))
        .map(|site| async move {
            let since = day::start_of_day(now, &site.timezone)
                .map_err(|e| AppError::internal(format!("site time zone: {e}")))?;
            Ok::<_, AppError>(
                app.store
                    .missed_chats_since(site.id, since, SNAPSHOT_MISSED)
                    .await?,
            )
        });
    Ok(futures_util::future::try_join_all(reads)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// An agent who goes On-Line or starts monitoring a site gets a pop-up for every chat already
/// waiting there (they were not told when those chats arrived); none while at capacity. Under
/// "Assign automatically" a chat without a standing offer is routed again (it may be offered
/// to this agent), and one offered to someone else gets no pop-up.
pub async fn announce_waiting(app: &App, agent: AgentId, only: Option<SiteId>) -> AppResult<()> {
    let a = app.store.agent(agent).await?;
    if a.status != AgentStatus::Online {
        return Ok(());
    }
    let sites: Vec<SiteId> = access::memberships(app, agent)
        .await?
        .into_iter()
        .filter(|m| m.monitoring && only.is_none_or(|s| s == m.site_id))
        .map(|m| m.site_id)
        .collect();
    if let Some(load) = capacity::loads(app, &[agent]).await?.get(&agent)
        && capacity::is_full(load)
    {
        return Ok(()); // at capacity: no pop-ups
    }
    for chat in app.store.open_chats(&sites).await? {
        if chat.state == ChatState::Pending {
            // A department's chat: only for its agents, unless none of them is On-Line.
            let to = super::departments::request_audience(app, &chat).await?;
            if let Audience::DepartmentAgents { agents, .. } = &to
                && !agents.contains(&agent)
            {
                continue;
            }
            if routing::waiting_for_offer(app, agent, &chat).await? {
                continue; // routing tells them (an offer), or the chat stays with its offer
            }
            let summary = summary::chat_summary(app, &chat).await?;
            app.publish(
                Audience::Agent(agent),
                &ToAgent::ChatRequested { chat: summary },
                None,
            )
            .await;
        }
    }
    Ok(())
}

/// An agent invites a visitor on one of their sites to chat, with a greeting (a default one
/// if theirs is empty once cleaned).
pub async fn invite(
    app: &App,
    agent: AgentId,
    site: SiteId,
    visitor: VisitorId,
    greeting: &str,
) -> AppResult<()> {
    access::require_site(app, agent, site).await?;
    if !app.presence.visitor_connected(site, &visitor).await {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "That visitor is no longer on the site.",
        ));
    }
    let greeting =
        clean_line(greeting, 500).unwrap_or_else(|| "Hello! Can I help you?".to_string());
    let agent_name = crate::services::agent_names::for_visitor(app, site, agent).await?;
    app.publish(
        Audience::Visitor { site, visitor },
        &ToVisitor::Invitation {
            agent_name,
            greeting,
        },
        None,
    )
    .await;
    Ok(())
}
