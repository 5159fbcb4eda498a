//! Files in a chat: checked (type from the content, size, count per chat, pixels), stored
//! with their message in one commit, delivered as a `file` message, served only to the
//! chat's visitor and to agents who may see the chat.
//!
//! The upload's answer (201) is the acknowledgement: it is sent after the storage commit
//! that holds both the file and its message, so an acknowledged file is durable and an
//! unacknowledged one left nothing behind (no file without its message, see the stores).

use super::blocked::refuse_if_blocked;
use super::{access, messages};
use crate::error::{AppError, AppResult};
use crate::limits::visitor::FrameKind;
use crate::state::App;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use frontdesk_core::file_serving::visitor_link_open;
use frontdesk_core::files::{self, FileId, FileRef, FileRefusal, NewFile};
use frontdesk_core::model::{Author, Chat, MessageKind, NewMessage, Site};
use frontdesk_core::store::{Appended, Posted, StoredFile, VisitorMessage};
use frontdesk_core::text::truncate;
use frontdesk_core::{AgentId, ChatId, ChatState, ErrorCode, Party, VisitorId};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// An uploaded file as the request carried it.
pub struct Upload {
    /// The name the browser claimed (cleaned before it is stored).
    pub name: String,
    pub bytes: Vec<u8>,
    /// The sender's idempotency key (optional): a resend answers the stored message.
    pub client_id: String,
}

/// A new file id: 128 random bits, base64url (22 characters).
pub fn new_file_id() -> FileId {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    FileId(URL_SAFE_NO_PAD.encode(bytes))
}

/// Counts a refused upload under its error code (`frontdesk_file_uploads_refused_total`).
pub fn count_refusal(app: &App, e: &AppError) {
    app.metrics
        .file_uploads_refused
        .get_or_create(&vec![("code".to_string(), e.code.as_str().to_string())])
        .inc();
}

/// Images decoded at once on this node (each may hold up to the decoder's memory cap).
static IMAGE_DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The checks every upload passes, in order: the site's policy (on, not empty, not too
/// large, a type on the allow-list decided from the content), the files per chat, and for
/// a raster image its pixel size (decoded within limits, re-encoded as the thumbnail).
async fn prepare(app: &App, site: &Site, chat: ChatId, upload: Upload) -> AppResult<NewFile> {
    let policy = &site.settings.files;
    let sniffed = files::check(&upload.bytes, policy, app.settings.limits.file_max_bytes)?;
    if app.store.files_in_chat(chat).await? >= policy.per_chat {
        return Err(FileRefusal::TooManyFiles {
            max: policy.per_chat,
        }
        .into());
    }
    // Decoding an image is CPU work (up to a second for the largest photo) and memory (up to
    // the decoder's 256 MiB cap): off the runtime, and at most IMAGE_DECODES at once.
    let _decoding = IMAGE_DECODES
        .acquire()
        .await
        .map_err(|e| AppError::internal(format!("image check: {e}")))?;
    let (mime, bytes) = (sniffed.mime, upload.bytes);
    let (bytes, image) = tokio::task::spawn_blocking(move || {
        let image = crate::files::image::inspect(&bytes, mime);
        (bytes, image)
    })
    .await
    .map_err(|e| AppError::internal(format!("image check: {e}")))?;
    let image = image?;
    let name = files::download_name(&upload.name, &sniffed);
    Ok(NewFile {
        meta: FileRef {
            id: new_file_id(),
            name,
            mime: sniffed.mime.to_string(),
            size: bytes.len() as u64,
            width: image.as_ref().map(|i| i.width),
            height: image.as_ref().map(|i| i.height),
        },
        sha256: hex::encode(Sha256::digest(&bytes)),
        thumb: image.map(|i| i.thumb),
        data: bytes,
    })
}

fn stored(app: &App, file: &FileRef) {
    app.metrics.files_uploaded.inc();
    app.metrics.file_bytes_uploaded.inc_by(file.size);
}

/// An agent's file in a chat they may write in (owner or colleague who joined), counted
/// per agent (`limits.file_uploads`); delivered like any message unless it is a resend.
pub async fn upload_by_agent(
    app: &App,
    agent: AgentId,
    chat_id: ChatId,
    upload: Upload,
) -> AppResult<Appended> {
    let chat = access::chat_for_agent(app, agent, chat_id).await?;
    frontdesk_core::colleagues::may_post(&chat, Party::Agent(agent))?;
    if !app
        .shared_limits
        .allow_key(FrameKind::FileUpload, &format!("agent:{}", agent.0))
    {
        app.metrics.refused("file_upload");
        return Err(AppError::rate_limited());
    }
    let site = app.store.site(chat.site_id).await?;
    let client_id = truncate(&upload.client_id, 64);
    let author_name = Some(app.agent_name(agent).await?);
    let file = prepare(app, &site, chat.id, upload).await?;
    let appended = app
        .store
        .append_message(NewMessage {
            chat_id: chat.id,
            author: Author::Agent { agent },
            author_name,
            kind: MessageKind::File,
            body: file.meta.name.clone(),
            client_id: (!client_id.is_empty()).then_some(client_id),
            created_at: app.now(),
            file: Some(file),
        })
        .await?;
    if !appended.duplicate {
        if let Some(f) = &appended.message.file {
            stored(app, f);
        }
        messages::deliver(app, &chat, &appended.message).await;
    }
    Ok(appended)
}

/// A visitor's file in their open chat on `site`: refused while blocked, counted per
/// visitor and per IP; the open chat is found again and appended to in one storage write.
pub async fn upload_by_visitor(
    app: &App,
    site: &Site,
    visitor: &VisitorId,
    ip: IpAddr,
    upload: Upload,
) -> AppResult<Posted> {
    refuse_if_blocked(app, site.id, visitor, Some(&ip.to_string())).await?;
    if !app
        .shared_limits
        .allow_frame(FrameKind::FileUpload, &visitor.0, ip)
    {
        app.metrics.refused("file_upload");
        return Err(AppError::rate_limited());
    }
    let no_chat = || AppError::new(ErrorCode::NotFound, "You have no open chat.");
    let chat = app
        .store
        .open_chat_of_visitor(site.id, visitor)
        .await?
        .ok_or_else(no_chat)?;
    let client_id = truncate(&upload.client_id, 64);
    let file = prepare(app, site, chat.id, upload).await?;
    let posted = app
        .store
        .append_visitor_message(VisitorMessage {
            site: site.id,
            visitor: visitor.clone(),
            kind: MessageKind::File,
            body: file.meta.name.clone(),
            client_id: (!client_id.is_empty()).then_some(client_id),
            created_at: app.now(),
            file: Some(file),
        })
        .await?
        .ok_or_else(no_chat)?;
    if !posted.appended.duplicate {
        if let Some(f) = &posted.appended.message.file {
            stored(app, f);
        }
        messages::deliver(app, &posted.chat, &posted.appended.message).await;
    }
    Ok(posted)
}

/// The file, for an agent who may see its chat (the rule of reading the chat's history);
/// anything else, a malformed id included, is `not_found`.
pub async fn for_agent(app: &App, agent: AgentId, raw_id: &str) -> AppResult<StoredFile> {
    let id = FileId::parse(raw_id).ok_or_else(AppError::not_found)?;
    let file = app.store.file(&id).await?;
    access::chat_for_agent(app, agent, file.chat_id).await?;
    Ok(file)
}

/// The file, for the chat's own visitor (by the token `welcome` gave them) while the chat
/// is open and until a day after it ended; anything else is `not_found`.
pub async fn for_visitor(app: &App, raw_id: &str, token: &str) -> AppResult<StoredFile> {
    let id = FileId::parse(raw_id).ok_or_else(AppError::not_found)?;
    let file = app.store.file(&id).await?;
    let visitor = app
        .tokens
        .verify(file.site_id, token)
        .ok_or_else(AppError::not_found)?;
    let chat = app.store.chat(file.chat_id).await?;
    if chat.visitor_id != visitor || !visitor_link_open(chat.ended_at, app.now()) {
        return Err(AppError::not_found());
    }
    Ok(file)
}

/// The file's bytes, or its thumbnail's (`not_found` when it has none).
pub async fn content(app: &App, file: &StoredFile, thumb: bool) -> AppResult<Vec<u8>> {
    Ok(app.store.file_data(&file.meta.id, thumb).await?)
}

/// "Delete chat" (admins of the chat's site): the chat, its messages and its files are
/// gone from storage. An open chat is refused (`chat_open`: end it first); nobody is told
/// (an ended chat has no live audience).
pub async fn delete_chat(app: &App, agent: AgentId, chat_id: ChatId) -> AppResult<()> {
    let chat: Chat = access::chat_for_agent(app, agent, chat_id).await?;
    if !app.store.agent(agent).await?.is_admin {
        return Err(AppError::forbidden());
    }
    if !matches!(chat.state, ChatState::Ended { .. }) {
        return Err(AppError::new(
            ErrorCode::ChatOpen,
            "End the chat before deleting it.",
        ));
    }
    app.store.delete_chat(chat.id).await?;
    // This node may keep it as recently ended (`hot_chats`): storage no longer has it.
    app.hot.forget_ended();
    Ok(())
}
