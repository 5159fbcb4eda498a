//! REST: openapi.

use crate::state::App;
use axum::Router;

pub fn router() -> Router<App> {
    Router::new()
}
