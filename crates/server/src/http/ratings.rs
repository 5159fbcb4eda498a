//! Ratings over HTTP: `GET /api/sites/{id}/ratings` (per site and day). FOUNDATION: the
//! ratings work fills this in.

use crate::state::App;
use axum::Router;

pub fn router() -> Router<App> {
    Router::new()
}
