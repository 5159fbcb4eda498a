//! Internal notes ("Note"): messages of kind `note` in a chat, for its agents only (issue 13).
//! Who may write one is the core's rule ([`frontdesk_core::notes::may_note`]: the owner or a
//! colleague who joined, while the chat is open); the length limit, the idempotency by
//! `client_id` and the delivery are a message's ([`messages::append`]). Delivery goes to the
//! chat's agents and watchers only: [`messages::deliver`] asks
//! [`VisitorMessageView::of`](frontdesk_core::protocol::VisitorMessageView::of), which has no
//! visitor view of a note.

use super::{access, messages};
use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::model::MessageKind;
use frontdesk_core::notes::may_note;
use frontdesk_core::store::Appended;
use frontdesk_core::{AgentId, ChatId, Party};

/// An agent's note in a chat they are in. Another site's chat: `not_found`; an agent of the
/// site who is not in the chat (a watcher, anyone else): `not_your_chat`; an ended chat:
/// `chat_ended`.
pub async fn post_note(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    client_id: &str,
    body: &str,
) -> AppResult<Appended> {
    let chat = access::chat_for_agent(app, agent, chat_id).await?;
    may_note(chat.state, &chat.joined, agent)?;
    messages::append(
        app,
        &chat,
        Party::Agent(agent),
        client_id,
        body,
        MessageKind::Note,
    )
    .await
}
