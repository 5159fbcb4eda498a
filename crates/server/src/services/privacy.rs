//! A visitor's data (issue 18, docs/privacy.md): "Export visitor data" (everything held about
//! them, as JSON) and "Erase visitor" (everything held about them deleted: their chats whole,
//! with every message, agents' included, files and search entries; visits and page views;
//! offline messages; blocks; the visitor's row). Admins of the visitor's site only; both are
//! audited.

use super::audit::{self, Who};
use crate::error::{AppError, AppResult};
use crate::realtime::bus::BusEvent;
use crate::state::App;
use frontdesk_core::audit::AuditAction;
use frontdesk_core::model::{Block, Chat, Message, OfflineMessage, PageView, Visit, Visitor};
use frontdesk_core::{ErrorCode, Seq, SiteId, Timestamp, VisitorId};
use serde::Serialize;
use utoipa::ToSchema;

/// Messages read per query while exporting a chat.
const PAGE: u32 = 500;

/// A visit with its page views.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedVisit {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub visit: Visit,
    pub page_views: Vec<PageView>,
}

/// A chat (its rating, tags and wrap-up note included) with every message (internal notes
/// included; a file message carries its file's name, type and size).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedChat {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub chat: Chat,
    #[schema(value_type = Vec<Object>)]
    pub messages: Vec<Message>,
}

/// "Export visitor data": everything held about one visitor of a site.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitorExport {
    pub exported_at: Timestamp,
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    /// Name, email, first and last seen.
    #[schema(value_type = Object)]
    pub visitor: Visitor,
    /// Newest first, each with its page views.
    pub visits: Vec<ExportedVisit>,
    /// Newest first.
    pub chats: Vec<ExportedChat>,
    pub offline_messages: Vec<OfflineMessage>,
    #[schema(value_type = Vec<Object>)]
    pub blocks: Vec<Block>,
}

/// What "Erase visitor" deleted.
#[derive(Debug, Serialize, ToSchema)]
pub struct Erased {
    /// Chats deleted whole (with their messages, files and search entries).
    pub chats: u64,
    /// Other rows deleted: visits, page views, offline messages, blocks, the visitor.
    pub rows: u64,
}

/// Everything held about the visitor (`NotFound` when the site has no such visitor).
pub async fn export(
    app: &App,
    who: &Who,
    site: SiteId,
    visitor_id: &VisitorId,
) -> AppResult<VisitorExport> {
    let store = &app.store;
    let visitor = store.visitor(site, visitor_id).await?;
    let mut visits = Vec::new();
    for visit in store.visits_of(site, visitor_id, u32::MAX).await? {
        let page_views = store.page_views(visit.id).await?;
        visits.push(ExportedVisit { visit, page_views });
    }
    let mut chats = Vec::new();
    for chat in store.chats_of_visitor(site, visitor_id, u32::MAX).await? {
        let mut messages: Vec<Message> = Vec::new();
        loop {
            let after = messages.last().map_or(Seq(0), |m| m.seq);
            let page = store.messages_after(chat.id, after, PAGE).await?;
            let done = page.len() < PAGE as usize;
            messages.extend(page);
            if done {
                break;
            }
        }
        chats.push(ExportedChat { chat, messages });
    }
    let export = VisitorExport {
        exported_at: app.now(),
        site_id: site,
        visitor_id: visitor_id.clone(),
        visitor,
        visits,
        chats,
        offline_messages: store.offline_messages_of(site, visitor_id).await?,
        blocks: store.blocks_of_visitor(site, visitor_id).await?,
    };
    audit::record(
        app,
        who,
        AuditAction::VisitorExported,
        Some(&visitor_id.0),
        Some(site),
        serde_json::json!({}),
    )
    .await;
    Ok(export)
}

/// Deletes everything held about the visitor. Refused (`chat_open`) while the visitor has an
/// open chat: it is ended first, by an agent or by the visitor leaving. A visitor on the site
/// is disconnected (on every node). `NotFound` when the site has no such visitor.
pub async fn erase(
    app: &App,
    who: &Who,
    site: SiteId,
    visitor_id: &VisitorId,
) -> AppResult<Erased> {
    let store = &app.store;
    store.visitor(site, visitor_id).await?;
    if store
        .open_chat_of_visitor(site, visitor_id)
        .await?
        .is_some()
    {
        return Err(AppError::new(
            ErrorCode::ChatOpen,
            "End the visitor's chat before erasing them.",
        ));
    }
    app.bus
        .publish(BusEvent::CloseVisitor {
            site,
            visitor: visitor_id.clone(),
        })
        .await;
    let batch = app.settings.retention_batch.max(1);
    let deleted = async {
        let mut chats = 0;
        loop {
            let n = store
                .delete_chats_of_visitor(site, visitor_id, batch)
                .await?;
            chats += n;
            if n < u64::from(batch) {
                return Ok::<u64, frontdesk_core::store::StoreError>(chats);
            }
        }
    }
    .await;
    // This node may keep some as recently ended (`hot_chats`): storage no longer has them
    // (also when a later batch failed: the earlier ones are gone).
    app.hot.forget_ended();
    let chats = deleted?;
    let rows = store.erase_visitor_rows(site, visitor_id).await?;
    audit::record(
        app,
        who,
        AuditAction::VisitorErased,
        Some(&visitor_id.0),
        Some(site),
        serde_json::json!({ "chats": chats, "rows": rows }),
    )
    .await;
    Ok(Erased { chats, rows })
}
