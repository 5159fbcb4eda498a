//! What a visitor's frames do after `hello`: page views, chat requests, messages, typing,
//! ending a chat, offline messages. Each frame is rate-limited first (see `crate::limits::visitor`).

use super::{Visitor, chat_view, error, frame};
use crate::error::{AppError, AppResult};
use crate::limits::visitor::{FrameKind, VisitorLimits as Limits};
use crate::services::auto_invitations;
use crate::services::chats::{self, ChatRequest};
use crate::services::messages;
use crate::services::visits;
use frontdesk_core::audience::Audience;
use frontdesk_core::protocol::{ToAgent, ToVisitor, VisitorFrame};
use frontdesk_core::text::clean_line;
use frontdesk_core::{ErrorCode, Party};

impl Visitor {
    pub(super) async fn on_frame(&mut self, f: VisitorFrame, limits: &mut Limits) {
        let reference = match &f {
            VisitorFrame::ChatRequest { reference, .. }
            | VisitorFrame::ChatEnd { reference }
            | VisitorFrame::Rate { reference, .. }
            | VisitorFrame::EmailTranscript { reference, .. }
            | VisitorFrame::OfflineMessage { reference, .. }
            | VisitorFrame::InvitationAuto { reference, .. } => reference.clone(),
            VisitorFrame::Message { client_id, .. } => Some(client_id.clone()),
            _ => None,
        };
        if let Err(e) = self.handle_frame(f, limits).await {
            error(&self.app, &self.handle, &e, reference);
        }
    }

    async fn handle_frame(&mut self, f: VisitorFrame, limits: &mut Limits) -> AppResult<()> {
        let app = self.app.clone();
        match f {
            VisitorFrame::Hello { .. } => Err(AppError::bad_request("Already said hello.")),
            VisitorFrame::Ping {} => {
                frame(&self.handle, &ToVisitor::Pong {});
                Ok(())
            }
            VisitorFrame::PageView { page } => {
                limits.check(FrameKind::PageView)?;
                // One write; the open chat comes back from the same job.
                let loaded = visits::record_page_view(&app, &self.arrival, &page).await?;
                self.visit = loaded.visit;
                self.page = page;
                self.announce(loaded.open_chat.map(|c| c.id), true).await;
                Ok(())
            }
            VisitorFrame::ChatRequest {
                reference,
                name,
                email,
                department_id,
                department,
            } => {
                limits.check(FrameKind::ChatRequest)?;
                let name = name
                    .as_deref()
                    .and_then(|n| clean_line(n, 100))
                    .or_else(|| self.verified_name.clone());
                let email = email.as_deref().and_then(|e| clean_line(e, 254));
                if name.is_some() {
                    self.name = name.clone();
                }
                // From here the visitor's leave reads their open chat (even if this fails).
                let _mark = app.hub.chat_request_mark(self.site.id, &self.id);
                let (chat, new) = chats::request(
                    &app,
                    ChatRequest {
                        site: self.site.id,
                        visitor: self.id.clone(),
                        visit: Some(self.visit.id),
                        ip: Some(self.ip.to_string()),
                        name,
                        email,
                        page_url: Some(visits::clean_page(&self.page).url),
                        department_choice: department_id,
                        department_name: department.as_deref().and_then(|d| clean_line(d, 200)),
                    },
                )
                .await?;
                // "Visitors on Site" knows the chat before the visitor hears the ack (a REST
                // read after the ack sees it).
                self.announce(Some(chat.id), false).await;
                ack(&self.handle, reference, Some(chat.id));
                // A new chat: the visitor heard its place before any agent heard of it (see
                // `chats::request`); telling it again here could come after an agent's accept.
                if new {
                    return Ok(());
                }
                // An already-open chat: tell this tab where it stands.
                let view = chat_view(&app, &chat).await?;
                match (view.agent_name, view.position) {
                    (Some(agent_name), _) => frame(
                        &self.handle,
                        &ToVisitor::ChatAccepted {
                            chat_id: chat.id,
                            agent_name,
                        },
                    ),
                    (None, Some(position)) => frame(
                        &self.handle,
                        &ToVisitor::ChatQueued {
                            chat_id: chat.id,
                            position,
                            requeued: false,
                        },
                    ),
                    _ => {}
                }
                Ok(())
            }
            VisitorFrame::Message { client_id, body } => {
                limits.check(FrameKind::Message)?;
                let posted =
                    messages::post_by_visitor(&app, self.site.id, &self.id, &client_id, &body)
                        .await?;
                frame(
                    &self.handle,
                    &ToVisitor::Ack {
                        reference: Some(client_id),
                        chat_id: Some(posted.chat.id),
                        seq: Some(posted.appended.message.seq),
                    },
                );
                Ok(())
            }
            VisitorFrame::Typing { typing } => {
                limits.check(FrameKind::Typing)?;
                let chat = self.open_chat().await?;
                // The chat's agents and whoever watches it.
                app.publish(
                    Audience::ChatAgents {
                        chat: chat.id,
                        agents: chat.agents(),
                    },
                    &ToAgent::Typing {
                        chat_id: chat.id,
                        typing,
                    },
                    None,
                )
                .await;
                Ok(())
            }
            VisitorFrame::ChatEnd { reference } => {
                let chat = self.open_chat().await?;
                chats::end(&app, Party::Visitor, chat.id).await?;
                ack(&self.handle, reference, Some(chat.id));
                Ok(())
            }
            VisitorFrame::InvitationDismiss {} => {
                // Counted with page views: a visitor repeating it cannot flood the agents.
                limits.check(FrameKind::PageView)?;
                // No automatic invitation again in this visit.
                auto_invitations::dismissed(&app, &mut self.visit).await?;
                let (site, visitor) = (self.site.id, self.id.clone());
                app.publish(
                    Audience::SiteAgents {
                        site,
                        online_only: false,
                        also: None,
                    },
                    &ToAgent::VisitorInvitationDismissed {
                        site_id: site,
                        visitor_id: visitor,
                    },
                    None,
                )
                .await;
                Ok(())
            }
            VisitorFrame::InvitationAuto { reference, rule } => {
                limits.check(FrameKind::PageView)?;
                // Never while a chat is open; at most one per visit (the store decides, so of
                // two tabs firing at once only one shows it).
                let chat = app
                    .store
                    .open_chat_of_visitor(self.site.id, &self.id)
                    .await?;
                let recorded = match chat {
                    Some(_) => None,
                    None => {
                        auto_invitations::shown(&app, &self.site, &mut self.visit, rule).await?
                    }
                };
                if recorded.is_none() {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "No automatic invitation now: this visit had one or a dismissed one, or a chat is open.",
                    ));
                }
                // "Visitors on Site" shows "Invited automatically (rule name)".
                self.announce(None, false).await;
                ack(&self.handle, reference, None);
                Ok(())
            }
            VisitorFrame::Rate {
                reference,
                chat_id,
                score,
                comment,
            } => {
                limits.check(FrameKind::Rating)?;
                crate::services::ratings::rate_by_visitor(
                    &app,
                    self.site.id,
                    &self.id,
                    chat_id,
                    score,
                    comment,
                )
                .await?;
                self.ack(reference, chat_id);
                Ok(())
            }
            VisitorFrame::Read { chat_id, seq } => {
                // Counted like page views: a widget sends at most one per message it shows.
                limits.check(FrameKind::PageView)?;
                crate::services::unread::mark_read(&app, self.site.id, &self.id, chat_id, seq).await
            }
            VisitorFrame::EmailTranscript {
                reference,
                chat_id,
                email,
            } => {
                limits.check(FrameKind::TranscriptEmail)?;
                crate::services::visitor_transcript::email_to_visitor(
                    &app,
                    self.site.id,
                    &self.id,
                    chat_id,
                    &email,
                )
                .await?;
                self.ack(reference, chat_id);
                Ok(())
            }
            VisitorFrame::OfflineMessage {
                reference,
                name,
                email,
                body,
            } => {
                limits.check(FrameKind::OfflineMessage)?;
                self.offline_message(reference, name, email, body).await
            }
        }
    }

    fn ack(&self, reference: Option<String>, chat_id: frontdesk_core::ChatId) {
        ack(&self.handle, reference, Some(chat_id));
    }

    async fn offline_message(
        &self,
        reference: Option<String>,
        name: String,
        email: String,
        body: String,
    ) -> AppResult<()> {
        crate::services::offline::leave(
            &self.app,
            &self.site,
            &self.id,
            Some(&self.ip.to_string()),
            visits::clean_page(&self.page).url,
            &name,
            &email,
            &body,
        )
        .await?;
        ack(&self.handle, reference, None);
        Ok(())
    }
}

/// `ack` of a frame that carried `ref` (and the chat it was about); a message's ack, with its
/// seq, is written out where it is sent.
fn ack(
    handle: &super::ConnHandle,
    reference: Option<String>,
    chat_id: Option<frontdesk_core::ChatId>,
) {
    frame(
        handle,
        &ToVisitor::Ack {
            reference,
            chat_id,
            seq: None,
        },
    );
}
