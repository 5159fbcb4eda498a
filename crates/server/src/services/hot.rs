//! Hot chat state (issue 16) as the services use it: a chat from this node's copy (else
//! storage), and every storage write that changes a chat, through the copy's bookkeeping. The
//! structure and its exactness rules: [`crate::hot_chats`].

use crate::state::App;
use frontdesk_core::ChatId;
use frontdesk_core::model::Chat;
use frontdesk_core::store::StoreResult;
use std::future::Future;

/// The chat: this node's copy, else read from storage (and kept, see the module doc).
pub async fn chat(app: &App, id: ChatId) -> StoreResult<Chat> {
    if let Some(chat) = app.hot.get(id) {
        return Ok(chat);
    }
    let stamp = app.hot.stamp(id);
    let chat = app.store.chat(id).await?;
    app.hot.fill(stamp, &chat);
    Ok(chat)
}

/// Runs `write`, a storage write that may change chat `id` (its state, owner, colleagues,
/// offer, department, version) and returns the chat as written (`None`: nothing written).
/// Every such write goes through here (see the module doc).
pub async fn write<F>(app: &App, id: ChatId, write: F) -> StoreResult<Option<Chat>>
where
    F: Future<Output = StoreResult<Option<Chat>>>,
{
    let writer = app.hot.begin(id);
    let result = write.await;
    writer.finish(match &result {
        Ok(chat) => Ok(chat.as_ref()),
        Err(_) => Err(()),
    });
    result
}
