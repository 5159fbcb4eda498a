//! How a waiting chat reaches agents (issue 12, "Routing modes"): the pop-up for everyone
//! ("Everyone (first to answer)", the default) or one offer at a time ("Assign automatically").
//!
//! Every offer is a conditional update in storage ([`RoutingStore::offer_chat`]): a node that
//! decided on an old version of the chat loses, so two nodes never offer one chat to two agents,
//! and the agent's cap is checked in the same write. Offers end by another conditional update
//! ([`RoutingStore::end_offer`]) when they expire (a sweep on every node, [`spawn_sweep`]), when
//! the agent goes Away or vanishes ([`end_offers_of`]); the chat then moves on to the next
//! eligible agent, and when nobody is left, to everyone.
//!
//! [`RoutingStore::offer_chat`]: frontdesk_core::store::RoutingStore::offer_chat
//! [`RoutingStore::end_offer`]: frontdesk_core::store::RoutingStore::end_offer

use super::{capacity, departments, summary};
use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::audience::Audience;
use frontdesk_core::model::{AgentStatus, Chat, Offer};
use frontdesk_core::protocol::ToAgent;
use frontdesk_core::routing::{Candidate, ChatToRoute, pick_agent};
use frontdesk_core::site_settings::Routing;
use frontdesk_core::{AgentId, ChatState, DepartmentId, SiteId};
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often each node looks for expired offers (real time; the expiry itself is app time).
const SWEEP_EVERY: Duration = Duration::from_millis(250);
/// Expired offers moved per sweep round (the next round takes the rest).
const SWEEP_BATCH: u32 = 200;
/// Attempts to place one chat before giving up to the next event (each lost race re-reads it).
const ROUTE_TRIES: usize = 16;

/// A chat entered the queue (new, closed, holder gone): tell the agents as the site's
/// "Routing" says. `closed_by`: the agent who put it back, not offered it again at once.
pub async fn chat_waiting(app: &App, chat: &Chat, closed_by: Option<AgentId>) -> AppResult<()> {
    let site = app.store.site(chat.site_id).await?;
    match site.settings.routing {
        Routing::Everyone => broadcast(app, chat).await,
        Routing::Assign => {
            // A requeued chat starts a new round: who let it pass before may take it now.
            let chat = if chat.answered_at.is_some() {
                let passed: Vec<AgentId> = closed_by.into_iter().collect();
                let write = app.store.end_offer(chat.id, chat.version, passed);
                match super::hot::write(app, chat.id, write).await? {
                    Some(fresh) => fresh,
                    None => return Ok(()), // changed meanwhile: its own event routes it
                }
            } else {
                chat.clone()
            };
            route(app, chat).await
        }
    }
}

/// The On-Line agents connected and monitoring `site`, as candidates with their loads; those
/// of `department` (when the chat has one) carry it, so only they are eligible for the offer.
async fn candidates(
    app: &App,
    site: SiteId,
    department: Option<DepartmentId>,
) -> AppResult<Vec<Candidate>> {
    let present: Vec<AgentId> = app
        .presence
        .presence(&HashSet::from([site]))
        .await
        .into_iter()
        .filter(|p| p.connected && p.status == AgentStatus::Online && p.monitoring.contains(&site))
        .map(|p| p.agent_id)
        .collect();
    let members: HashSet<AgentId> = match department {
        Some(d) => app
            .store
            .agents_of_department(d)
            .await?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    let loads = capacity::loads(app, &present).await?;
    Ok(present
        .iter()
        .filter_map(|agent| loads.get(agent))
        .map(|load| Candidate {
            agent: load.agent,
            on_line: true,
            active_chats: load.active_chats.saturating_add(load.offered_chats),
            capacity: capacity::capacity(load),
            last_assigned_at: load.last_assigned_at,
            sites: BTreeSet::from([site]),
            departments: department
                .filter(|_| members.contains(&load.agent))
                .into_iter()
                .collect(),
        })
        .collect())
}

/// `chat.requested` to the On-Line agents of the site (of the chat's department, see
/// `departments::request_audience`) who are not at capacity.
async fn broadcast(app: &App, chat: &Chat) -> AppResult<()> {
    let site = chat.site_id;
    let to = departments::request_audience(app, chat).await?;
    let mut present: Vec<AgentId> = app
        .presence
        .presence(&HashSet::from([site]))
        .await
        .into_iter()
        .filter(|p| p.status == AgentStatus::Online && p.monitoring.contains(&site))
        .map(|p| p.agent_id)
        .collect();
    if let Audience::DepartmentAgents { agents, .. } = &to {
        present.retain(|a| agents.contains(a));
    }
    let loads = capacity::loads(app, &present).await?;
    let full: HashSet<AgentId> = loads
        .values()
        .filter(|l| capacity::is_full(l))
        .map(|l| l.agent)
        .collect();
    let frame = ToAgent::ChatRequested {
        chat: summary::chat_summary(app, chat).await?,
    };
    if full.is_empty() {
        // Nobody to leave out: the one delivery (site-wide unless the chat's department is
        // staffed), exactly as before capacity existed.
        app.publish(to, &frame, None).await;
    } else {
        for agent in present.into_iter().filter(|a| !full.contains(a)) {
            app.publish(Audience::Agent(agent), &frame, None).await;
        }
    }
    Ok(())
}

/// Offer a pending chat without a standing offer to the best eligible agent, or, when nobody
/// is eligible (or the site no longer assigns), to everyone. Lost races re-read the chat and
/// decide again.
pub async fn route(app: &App, mut chat: Chat) -> AppResult<()> {
    let mut refused: BTreeSet<AgentId> = BTreeSet::new();
    for _ in 0..ROUTE_TRIES {
        let now = app.now();
        if chat.state != ChatState::Pending || chat.offer.is_some_and(|o| o.expires_at > now) {
            return Ok(()); // taken, ended, or placed by someone else
        }
        let site = app.store.site(chat.site_id).await?;
        if site.settings.routing == Routing::Everyone {
            // The site stopped assigning while the chat was offered: the pop-up for everyone.
            return broadcast(app, &chat).await;
        }
        let mut passed: BTreeSet<AgentId> = chat.passed.iter().copied().collect();
        passed.extend(&refused);
        // The chat's department while one of its agents is On-Line; else the whole site.
        let department = match departments::request_audience(app, &chat).await? {
            Audience::DepartmentAgents { department, .. } => Some(department),
            _ => None,
        };
        let to_route = ChatToRoute {
            site: chat.site_id,
            department,
            passed,
        };
        let candidates = candidates(app, chat.site_id, department).await?;
        let Some(agent) = pick_agent(&candidates, &to_route) else {
            return broadcast(app, &chat).await;
        };
        let seconds = site.settings.offer_seconds;
        let offer = Offer {
            agent,
            expires_at: now.plus_millis(i64::from(seconds) * 1000),
        };
        let write = app.store.offer_chat(chat.id, chat.version, offer, now);
        match super::hot::write(app, chat.id, write).await? {
            Some(offered) => {
                app.metrics.chat_offers.inc();
                let frame = ToAgent::ChatOffered {
                    chat: summary::chat_summary(app, &offered).await?,
                    expires_at: offer.expires_at,
                    seconds,
                };
                app.publish(Audience::Agent(agent), &frame, None).await;
                return Ok(());
            }
            None => {
                let fresh = app.store.chat(chat.id).await?;
                if fresh.version == chat.version {
                    refused.insert(agent); // filled up meanwhile (another node's offer)
                }
                chat = fresh;
            }
        }
    }
    tracing::warn!(
        chat = chat.id.0,
        "chat could not be placed; the next event retries"
    );
    Ok(())
}

/// End the offer of `chat` (read at its current version): the agent lets it pass, is told,
/// and the chat moves on. `Ok(false)` when the chat changed meanwhile (someone else acted).
/// `expired`: the offer timed out (counted before anyone is told, so a client that heard of
/// it reads the metric already counted).
async fn move_on(app: &App, chat: &Chat, expired: bool) -> AppResult<bool> {
    let Some(offer) = chat.offer else {
        return Ok(false);
    };
    let mut passed = chat.passed.clone();
    if !passed.contains(&offer.agent) {
        passed.push(offer.agent);
    }
    let write = app.store.end_offer(chat.id, chat.version, passed);
    let Some(next) = super::hot::write(app, chat.id, write).await? else {
        return Ok(false);
    };
    if expired {
        app.metrics.chat_offers_expired.inc();
    }
    let frame = ToAgent::ChatOfferEnded { chat_id: chat.id };
    app.publish(Audience::Agent(offer.agent), &frame, None)
        .await;
    route(app, next).await?;
    Ok(true)
}

/// Offers that expired, moved on. Any node may do it: the conditional update decides.
pub async fn sweep(app: &App) -> AppResult<usize> {
    let mut moved = 0;
    for chat in app.store.expired_offers(app.now(), SWEEP_BATCH).await? {
        if move_on(app, &chat, true).await? {
            moved += 1;
        }
    }
    Ok(moved)
}

/// Runs [`sweep`] on this node until the app stops.
pub fn spawn_sweep(app: App) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(SWEEP_EVERY).await;
            if let Err(e) = sweep(&app).await {
                tracing::warn!(error = %e.message, "offer sweep failed");
            }
        }
    })
}

/// The agent went Away or vanished: their standing offers end at once and move on.
pub async fn end_offers_of(app: &App, agent: AgentId) -> AppResult<usize> {
    let mut ended = 0;
    for chat in app.store.offers_of_agent(agent).await? {
        if move_on(app, &chat, false).await? {
            ended += 1;
        }
    }
    Ok(ended)
}

/// The chat left the queue (taken by `by`, or ended): its offered agent, if another, is told.
pub async fn offer_gone(app: &App, before: &Chat, by: Option<AgentId>) {
    if let Some(offer) = before.offer
        && Some(offer.agent) != by
    {
        let frame = ToAgent::ChatOfferEnded { chat_id: before.id };
        app.publish(Audience::Agent(offer.agent), &frame, None)
            .await;
    }
}

/// An agent became available for `chat` (went On-Line, started monitoring). `true` when
/// routing takes care of telling them (so no plain pop-up): under "Assign automatically" a
/// chat with a standing offer stays with it, and one without is routed again unless the agent
/// already let it pass (then it is in the fallback to everyone: a plain pop-up).
pub async fn waiting_for_offer(app: &App, agent: AgentId, chat: &Chat) -> AppResult<bool> {
    let site = app.store.site(chat.site_id).await?;
    if site.settings.routing == Routing::Everyone {
        return Ok(false);
    }
    if chat.offer.is_some_and(|o| o.expires_at > app.now()) {
        return Ok(true);
    }
    if chat.passed.contains(&agent) {
        return Ok(false);
    }
    route(app, chat.clone()).await?;
    Ok(true)
}
