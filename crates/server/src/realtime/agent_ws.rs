//! `/ws/agent`: the console's socket (session cookie, same origin only).

use super::bus::BusEvent;
use super::hub::{AgentInfo, ConnHandle, Outbound};
use super::replay::Side;
use super::writer::{Liveness, run_writer};
use crate::error::{AppError, AppResult};
use crate::http::auth::AuthAgent;
use crate::http::csrf::same_origin;
use crate::limits::rate::limiter;
use crate::services::{access, chats, messages};
use crate::state::App;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use frontdesk_core::audience::Audience;
use frontdesk_core::model::Agent;
use frontdesk_core::protocol::{AgentFrame, SiteMembershipView, ToAgent, ToVisitor};
use frontdesk_core::text::clean_line;
use frontdesk_core::{AgentId, ErrorCode, SiteId};
use futures_util::StreamExt;
use std::collections::HashSet;

#[utoipa::path(get, path = "/ws/agent", tag = "websocket", operation_id = "agent_socket",
    description = "The agent console's WebSocket (session cookie; `Origin` must be this \
    server's origin). JSON text frames as described in docs/protocol.md.",
    responses(
        (status = 101, description = "Switching Protocols: frames per docs/protocol.md"),
        (status = 401, description = "Not signed in", body = crate::http::extract::ApiErrorBody),
        (status = 403, description = "Foreign Origin (`origin_refused`)", body = crate::http::extract::ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn handler(
    ws: WebSocketUpgrade,
    State(app): State<App>,
    headers: HeaderMap,
    auth: AuthAgent,
) -> Response {
    if !same_origin(&app, &headers) {
        return AppError::new(
            ErrorCode::OriginRefused,
            "Cross-origin agent sockets are refused.",
        )
        .into_response();
    }
    let max = app.settings.max_frame_bytes;
    // An 8 KiB read buffer instead of tungstenite's 128 KiB (a held visitor costs far less).
    // (4 KiB was tried once, but the accept-race stall then seen was a bench client bug.)
    ws.read_buffer_size(8 * 1024)
        .max_frame_size(max)
        .max_message_size(max)
        .on_upgrade(move |socket| run(app, auth, socket))
}

fn send<T: serde::Serialize>(handle: &ConnHandle, f: &T) {
    if let Ok(text) = serde_json::to_string(f) {
        handle.frame(text);
    }
}

/// The hub's view of an agent, from storage.
pub async fn agent_info(app: &App, agent: &Agent) -> AppResult<AgentInfo> {
    let memberships = access::memberships(app, agent.id).await?;
    Ok(AgentInfo {
        name: agent.name.clone(),
        status: agent.status,
        sites: memberships.iter().map(|m| m.site_id).collect(),
        monitoring: memberships
            .iter()
            .filter(|m| m.monitoring)
            .map(|m| m.site_id)
            .collect(),
    })
}

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

/// Tell the agents of `sites` how `agent` is now (connected on any node, status, monitoring).
pub async fn publish_presence(app: &App, agent: AgentId, sites: &HashSet<SiteId>) {
    let Some(presence) = app.presence.agent_presence(agent).await else {
        return;
    };
    for site in sites {
        app.publish(
            Audience::SiteAgents {
                site: *site,
                online_only: false,
                also: None,
            },
            &ToAgent::AgentPresence(presence.clone()),
            None,
        )
        .await;
    }
}

async fn run(app: App, auth: AuthAgent, socket: WebSocket) {
    let (sink, mut stream) = socket.split();
    let (handle, recv) = app.hub.new_conn(app.settings.outbound_queue);
    let liveness = Liveness::new();
    liveness.heard();
    let mut writer = tokio::spawn(run_writer(
        app.clone(),
        sink,
        recv,
        Side::Agent,
        liveness.clone(),
    ));
    let agent = auth.agent.clone();
    let info = match agent_info(&app, &agent).await {
        Ok(i) => i,
        Err(e) => {
            send(&handle, &ToAgent::Error(e.frame(None, None)));
            return;
        }
    };
    app.hub.register_agent(
        agent.id,
        info.clone(),
        auth.session_hash.clone(),
        handle.clone(),
    );
    app.presence.agent_connected(agent.id, &info).await;
    app.metrics.agent_connections.inc();
    if let Err(e) = snapshot(&app, &agent, &info, &handle).await {
        send(&handle, &ToAgent::Error(e.frame(None, None)));
    }
    publish_presence(&app, agent.id, &info.sites).await;

    let limit = limiter(app.settings.limits.agent_frames);
    loop {
        tokio::select! {
            msg = stream.next() => {
                let Some(Ok(msg)) = msg else { break };
                liveness.heard();
                let frame = match msg {
                    Message::Text(t) => crate::realtime::decode::decode::<AgentFrame>(t.as_str()),
                    Message::Binary(_) => Err(AppError::bad_request("Frames are JSON text.")),
                    Message::Close(_) => break,
                    Message::Ping(_) | Message::Pong(_) => continue,
                };
                let result = match frame {
                    Ok(f) => {
                        let about = (f.reference().map(str::to_string), f.chat_id());
                        let r = if limit.check().is_err() {
                            Err(AppError::rate_limited())
                        } else {
                            on_frame(&app, agent.id, &handle, f).await
                        };
                        r.map_err(|e| (e, about))
                    }
                    Err(e) => Err((e, (None, None))),
                };
                if let Err((e, (reference, chat_id))) = result {
                    app.metrics.errors.inc();
                    send(&handle, &ToAgent::Error(e.frame(reference, chat_id)));
                }
            }
            _ = &mut writer => break,
        }
    }
    // Let the writer flush what is queued and answer the peer's Close, briefly.
    if !writer.is_finished() {
        handle.deliver(super::hub::Outbound::Close);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), &mut writer).await;
    }
    writer.abort();
    app.metrics.agent_connections.dec();
    let last = app.hub.unregister_agent(agent.id, handle.id).is_some();
    app.presence
        .agent_disconnected(agent.id, &info.sites, last)
        .await;
    if last {
        crate::services::requeue::start_grace_timer(app.clone(), agent.id);
        publish_presence(&app, agent.id, &info.sites).await;
    }
}

/// At most this many visitors in a snapshot (the newest arrivals); the console asks for the
/// rest over REST. A busy site's full list would be megabytes at every console connect.
const SNAPSHOT_VISITORS: usize = 500;

fn newest(
    mut visitors: Vec<frontdesk_core::protocol::VisitorOnSite>,
    n: usize,
) -> Vec<frontdesk_core::protocol::VisitorOnSite> {
    if visitors.len() > n {
        visitors.sort_by_key(|v| std::cmp::Reverse(v.started_at));
        visitors.truncate(n);
    }
    visitors
}

async fn snapshot(
    app: &App,
    agent: &Agent,
    info: &AgentInfo,
    handle: &ConnHandle,
) -> AppResult<()> {
    let sites = app.store.list_sites().await?;
    let memberships = access::memberships(app, agent.id).await?;
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
                })
        })
        .collect();
    let watched: Vec<SiteId> = info.monitoring.iter().copied().collect();
    let mut open = app.store.open_chats(&watched).await?;
    for mine in app.store.chats_of_agent(agent.id).await? {
        if !open.iter().any(|c| c.id == mine.id) {
            open.push(mine);
        }
    }
    let mut summaries = Vec::with_capacity(open.len());
    for chat in &open {
        summaries.push(chats::summary(app, chat).await?);
    }
    let watched_set: HashSet<SiteId> = info.monitoring.clone();
    send(
        handle,
        &ToAgent::Snapshot {
            agent_id: agent.id,
            name: agent.name.clone(),
            is_admin: agent.is_admin,
            status: agent.status,
            sites: site_views,
            chats: summaries,
            agents: app.presence.presence(&info.sites).await,
            visitors: newest(
                app.presence.visitors_on(&watched_set).await,
                SNAPSHOT_VISITORS,
            ),
            epoch: app.epoch.clone(),
        },
    );
    Ok(())
}

fn ack(
    handle: &ConnHandle,
    reference: Option<String>,
    chat_id: Option<frontdesk_core::ChatId>,
    seq: Option<frontdesk_core::Seq>,
) {
    send(
        handle,
        &ToAgent::Ack {
            reference,
            chat_id,
            seq,
        },
    );
}

/// An agent who goes On-Line or starts monitoring a site gets a pop-up for every chat already
/// waiting there (they were not told when those chats arrived).
async fn announce_waiting(app: &App, agent: AgentId, only: Option<SiteId>) -> AppResult<()> {
    let a = app.store.agent(agent).await?;
    if a.status != frontdesk_core::model::AgentStatus::Online {
        return Ok(());
    }
    let sites: Vec<SiteId> = access::memberships(app, agent)
        .await?
        .into_iter()
        .filter(|m| m.monitoring && only.is_none_or(|s| s == m.site_id))
        .map(|m| m.site_id)
        .collect();
    for chat in app.store.open_chats(&sites).await? {
        if chat.state == frontdesk_core::ChatState::Pending {
            let summary = chats::summary(app, &chat).await?;
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

async fn on_frame(app: &App, agent: AgentId, handle: &ConnHandle, f: AgentFrame) -> AppResult<()> {
    match f {
        AgentFrame::Ping {} => {
            send(handle, &ToAgent::Pong {});
        }
        AgentFrame::Status { reference, status } => {
            app.store.set_status(agent, status).await?;
            publish_agent_state(app, agent).await?;
            ack(handle, reference, None, None);
            if status == frontdesk_core::model::AgentStatus::Online {
                announce_waiting(app, agent, None).await?;
            }
        }
        AgentFrame::Monitor {
            reference,
            site_id,
            monitoring,
        } => {
            access::require_site(app, agent, site_id).await?;
            app.store.set_monitoring(agent, site_id, monitoring).await?;
            publish_agent_state(app, agent).await?;
            ack(handle, reference, None, None);
            if monitoring {
                announce_waiting(app, agent, Some(site_id)).await?;
            }
        }
        AgentFrame::Sync {
            reference,
            chat_id,
            after,
        } => {
            access::chat_for_agent(app, agent, chat_id).await?;
            handle
                .send(Outbound::Replay {
                    chat_id,
                    after,
                    reference,
                })
                .await;
        }
        AgentFrame::Accept { reference, chat_id } => {
            chats::accept(app, agent, chat_id).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::Message {
            reference,
            chat_id,
            client_id,
            body,
        } => {
            let appended = messages::post_by_agent(app, agent, chat_id, &client_id, &body).await?;
            ack(handle, reference, Some(chat_id), Some(appended.message.seq));
        }
        AgentFrame::Link {
            reference,
            chat_id,
            client_id,
            url,
        } => {
            let appended = messages::send_link(app, agent, chat_id, &client_id, &url).await?;
            ack(handle, reference, Some(chat_id), Some(appended.message.seq));
        }
        AgentFrame::Typing { chat_id, typing } => {
            let chat = access::chat_for_agent(app, agent, chat_id).await?;
            if chat.state.owner() == Some(agent) {
                app.publish(
                    chats::visitor_of(&chat),
                    &ToVisitor::Typing { chat_id, typing },
                    None,
                )
                .await;
            }
        }
        AgentFrame::Transfer {
            reference,
            chat_id,
            to,
        } => {
            chats::transfer(app, agent, chat_id, to).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::Close { reference, chat_id } => {
            chats::close(app, agent, chat_id).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::End { reference, chat_id } => {
            chats::end_by_agent(app, agent, chat_id).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::Block { reference, chat_id } => {
            chats::block(app, agent, chat_id).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::Invite {
            reference,
            site_id,
            visitor_id,
            greeting,
        } => {
            access::require_site(app, agent, site_id).await?;
            if !app.presence.visitor_connected(site_id, &visitor_id).await {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    "That visitor is no longer on the site.",
                ));
            }
            let greeting =
                clean_line(&greeting, 500).unwrap_or_else(|| "Hello! Can I help you?".to_string());
            let agent_name = app.agent_name(agent).await?;
            app.publish(
                Audience::Visitor {
                    site: site_id,
                    visitor: visitor_id,
                },
                &ToVisitor::Invitation {
                    agent_name,
                    greeting,
                },
                None,
            )
            .await;
            ack(handle, reference, None, None);
        }
    }
    Ok(())
}
