//! What an agent's frames do: status and monitoring, catching up on a chat, accepting,
//! messages and links, typing, transfer, close, end, block, invitations. Each answers with
//! an `ack` once its use case succeeded (errors are answered by the socket's loop).

use crate::error::AppResult;
use crate::realtime::outbound::{ConnHandle, Outbound};
use crate::realtime::socket::send;
use crate::services::agents::{announce_waiting, invite, publish_agent_state, visitors_page};
use crate::services::{
    access, chats, colleagues, messages, notes, routing, supervision, tags, transfer,
};
use crate::state::App;
use frontdesk_core::model::AgentStatus;
use frontdesk_core::protocol::{AgentFrame, ToAgent, ToVisitor};
use frontdesk_core::{AgentId, ChatId, Party, Seq};

fn ack(handle: &ConnHandle, reference: Option<String>, chat_id: Option<ChatId>, seq: Option<Seq>) {
    send(
        handle,
        &ToAgent::Ack {
            reference,
            chat_id,
            seq,
        },
    );
}

/// `ip`: the address the agent's socket came from (audit entries of its frames name it).
pub(super) async fn on_frame(
    app: &App,
    (agent, ip): (AgentId, Option<&str>),
    handle: &ConnHandle,
    f: AgentFrame,
) -> AppResult<()> {
    match f {
        AgentFrame::Ping {} => {
            send(handle, &ToAgent::Pong {});
        }
        AgentFrame::Status { reference, status } => {
            app.store.set_status(agent, status).await?;
            crate::services::reports::status_changed(app, agent, status).await;
            publish_agent_state(app, agent).await?;
            ack(handle, reference, None, None);
            if status == AgentStatus::Online {
                announce_waiting(app, agent, None).await?;
            } else {
                routing::end_offers_of(app, agent).await?;
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
            let chat = access::hot_chat_for_agent(app, agent, chat_id).await?;
            // The owner's and each colleague's typing reach the visitor.
            if frontdesk_core::colleagues::may_post(&chat, Party::Agent(agent)).is_ok() {
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
            transfer::to_agent(app, agent, chat_id, to).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::TransferToDepartment {
            reference,
            chat_id,
            department_id,
        } => {
            transfer::to_department(app, agent, chat_id, department_id).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::Close { reference, chat_id } => {
            chats::close(app, agent, chat_id).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::End {
            reference,
            chat_id,
            wrap_up,
        } => {
            tags::end_with_wrap_up(app, agent, chat_id, wrap_up.as_deref()).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::Block { reference, chat_id } => {
            crate::services::blocks::block(app, agent, chat_id, ip).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::Invite {
            reference,
            site_id,
            visitor_id,
            greeting,
        } => {
            invite(app, agent, site_id, visitor_id, &greeting).await?;
            ack(handle, reference, None, None);
        }
        AgentFrame::Note {
            reference,
            chat_id,
            client_id,
            body,
        } => {
            let appended = notes::post_note(app, agent, chat_id, &client_id, &body).await?;
            ack(handle, reference, Some(chat_id), Some(appended.message.seq));
        }
        AgentFrame::InviteAgent {
            reference,
            chat_id,
            agent: to,
        } => {
            colleagues::invite(app, agent, chat_id, to).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::Join { reference, chat_id } => {
            colleagues::join(app, agent, chat_id).await?;
            ack(handle, reference, Some(chat_id), None);
            // The chat so far, as a sync would send it; its frames follow live.
            handle
                .send(Outbound::Replay {
                    chat_id,
                    after: Seq(0),
                    reference: None,
                })
                .await;
        }
        AgentFrame::Leave { reference, chat_id } => {
            colleagues::leave(app, agent, chat_id).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::Watch {
            reference,
            chat_id,
            watching,
        } => {
            if watching {
                supervision::may_watch(app, agent, chat_id).await?;
                app.hub.set_watching(chat_id, agent, handle.id, true);
                // The chat so far, then its frames live (the replay marks what it sent).
                handle
                    .send(Outbound::Replay {
                        chat_id,
                        after: Seq(0),
                        reference,
                    })
                    .await;
            } else {
                app.hub.set_watching(chat_id, agent, handle.id, false);
                ack(handle, reference, Some(chat_id), None);
            }
        }
        AgentFrame::TakeOver { reference, chat_id } => {
            supervision::take_over(app, agent, chat_id).await?;
            ack(handle, reference, Some(chat_id), None);
        }
        AgentFrame::VisitorsMore { reference, before } => {
            // The sites monitored now (this socket's agent is connected here).
            let monitoring = match app.hub.local_agent(agent) {
                Some((_, info)) => info.monitoring,
                None => {
                    let a = app.store.agent(agent).await?;
                    crate::services::presence::agent_info(app, &a)
                        .await?
                        .monitoring
                }
            };
            let page = visitors_page(app, &monitoring, Some(&before)).await?;
            let next = page.next();
            send(
                handle,
                &ToAgent::VisitorsPage {
                    reference,
                    visitors: page.visitors,
                    total: page.total,
                    more: page.more,
                    next,
                },
            );
        }
    }
    Ok(())
}
