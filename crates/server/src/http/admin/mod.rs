//! REST: administration, one file per resource like the console's `views/admin-*.js`:
//! sites (and their identity secret), blocks, agents, departments, API tokens, webhooks, the
//! audit log and a visitor's data (export, erase). Every route takes [`AdminAgent`](super::auth::AdminAgent): anyone
//! who is not an admin gets 403 `forbidden`.

pub mod agents;
pub mod audit;
pub mod blocks;
pub mod departments;
pub mod identity;
pub mod sites;
pub mod tokens;
pub mod visitors;
pub mod webhooks;

use crate::error::{AppError, AppResult};
use crate::state::App;
use axum::Router;
use frontdesk_core::ErrorCode;
use frontdesk_core::text::clean_line;

const NAME_MAX: usize = 100;

pub fn router() -> Router<App> {
    Router::new()
        .merge(sites::router())
        .merge(identity::router())
        .merge(blocks::router())
        .merge(agents::router())
        .merge(departments::router())
        .merge(audit::router())
        .merge(tokens::router())
        .merge(webhooks::router())
        .merge(visitors::router())
}

/// An optional email address, trimmed; empty is none.
fn optional_email(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(e) => e
            .parse::<lettre::Address>()
            .map(|a| Some(a.to_string()))
            .map_err(|_| AppError::bad_request(format!("Not a valid email address: {e:?}"))),
    }
}

/// A site's or an agent's name: one clean line, not empty.
fn required_name(raw: &str) -> AppResult<String> {
    clean_line(raw, NAME_MAX).ok_or_else(|| AppError::new(ErrorCode::Empty, "The name is empty."))
}
