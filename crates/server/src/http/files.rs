//! Files in chats over HTTP. FOUNDATION: the files work fills this in:
//! - `POST /api/chats/{id}/files` (agent upload), `GET /api/files/{id}` and
//!   `GET /api/files/{id}/thumb` (agents who may see the chat), under the CSRF check;
//! - `POST /api/visitor/files` (visitor upload, multipart with the site key and the visitor's
//!   token; CORS for the site's origins) and `GET /files/{id}[/thumb]?token=…` (the chat's
//!   visitor), in [`visitor_router`], outside the CSRF check (the widget is cross-origin).

use crate::state::App;
use axum::Router;

/// The agents' routes (cookie session, same origin).
pub fn router() -> Router<App> {
    Router::new()
}

/// The visitor's routes (token, cross-origin).
pub fn visitor_router() -> Router<App> {
    Router::new()
}
