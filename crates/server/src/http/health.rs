//! `/healthz` (the process answers), `/readyz` (storage answers and, in cluster mode, Redis
//! too: the node is subscribed to the event bus and Redis answers), `/metrics` (Prometheus).

use crate::state::App;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

pub fn router() -> Router<App> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn readyz(State(app): State<App>) -> impl IntoResponse {
    if let Some(problem) = app.store.integrity_problem() {
        tracing::debug!(%problem, "not ready: storage damaged");
        return (StatusCode::SERVICE_UNAVAILABLE, "storage damaged");
    }
    if let Err(e) = app.store.list_sites().await {
        tracing::debug!(error = %e, "not ready: storage");
        return (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable");
    }
    if let Err(e) = app.bus.ready().await {
        tracing::debug!(error = %e, "not ready: event bus");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "event bus (Redis) unavailable",
        );
    }
    (StatusCode::OK, "ready")
}

async fn metrics(State(app): State<App>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
}
