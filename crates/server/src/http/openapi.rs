//! The REST contract: `GET /api/openapi.json` (generated from the handlers' annotations with
//! `utoipa`), the error body every failure carries, and the extractors that keep every
//! failure in that shape (a malformed JSON body or id never answers with axum's own text).

use crate::error::{AppError, AppResult};
use crate::state::App;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use frontdesk_core::model::AgentStatus;
use frontdesk_core::protocol::SiteMembershipView;
use frontdesk_core::{AgentId, ErrorCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub fn router() -> Router<App> {
    Router::new().route("/api/openapi.json", get(openapi_json))
}

// ───────────────────────────── shared pieces ─────────────────────────────

/// Every error answer: HTTP status plus a machine code and a human message.
#[derive(Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// Machine-readable code (the same list as on the WebSockets).
    pub code: ErrorCode,
    /// Human-readable text, safe to show.
    pub message: String,
}

/// A path id: a positive decimal integer. Anything else is "no such object" (404), exactly
/// like an id that does not exist, so the type of the id is never revealed.
pub fn parse_id(raw: &str) -> AppResult<i64> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::not_found());
    }
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(AppError::not_found)
}

/// `Json<T>` whose rejection is a `bad_request` error body.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| JsonBody(v))
            .map_err(|e| AppError::bad_request(e.body_text()))
    }
}

/// `Query<T>` whose rejection is a `bad_request` error body.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| QueryParams(v))
            .map_err(|e| AppError::bad_request(e.body_text()))
    }
}

// ──────────────────────────────── the document ────────────────────────────────

/// The OpenAPI document (built once), with this server's base URL as its server.
async fn openapi_json(State(app): State<App>) -> Json<serde_json::Value> {
    static DOC: LazyLock<serde_json::Value> = LazyLock::new(document);
    let mut doc = DOC.clone();
    doc["servers"] = json!([{ "url": app.public_base }]);
    Json(doc)
}

/// The document as JSON, its error-code table filled in from the `ErrorCode` schema.
pub fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let codes: Vec<String> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut table = String::from("\n\n| code | HTTP status |\n|---|---|\n");
    for code in &codes {
        if let Ok(c) = serde_json::from_value::<ErrorCode>(json!(code)) {
            let status = AppError::new(c, "").status();
            table.push_str(&format!("| `{code}` | {} |\n", status.as_u16()));
        }
    }
    if let Some(desc) = doc["info"]["description"].as_str() {
        doc["info"]["description"] = json!(format!("{desc}{table}"));
    }
    doc
}

const DESCRIPTION: &str = "Frontdesk's REST API. Agents sign in with `POST /api/auth/login`, \
which sets the `fd_session` cookie (HttpOnly, SameSite=Strict). Every POST, PUT and DELETE \
under `/api` must carry an `Origin` header equal to this server's origin, else it is refused \
with 403 `origin_refused`. Every error answers with an HTTP status and the body \
`{\"code\": ..., \"message\": ...}` (schema `ApiErrorBody`). An object the caller may not \
see answers 404 `not_found`, exactly like a missing one, and so does an id that is not a \
positive integer. Live chat runs over the two WebSockets (`/ws/visitor`, `/ws/agent`), \
whose frames are described in docs/protocol.md. Error codes and their HTTP statuses:";

#[derive(OpenApi)]
#[openapi(
    info(title = "Frontdesk", description = DESCRIPTION, license(name = "MIT OR Apache-2.0")),
    paths(
        login, logout, me, change_password,
        super::chats::get_chat, super::chats::transcript_txt, super::chats::transcript_html,
        super::chats::transcript_eml, super::chats::mailto, super::chats::email,
        super::visitors::on_site, super::visitors::detail,
        super::canned::list, super::canned::create, super::canned::update, super::canned::remove,
        super::offline::list,
        super::admin::list_sites, super::admin::create_site, super::admin::update_site,
        super::admin::list_blocks, super::admin::lift_block,
        super::admin::list_agents, super::admin::create_agent, super::admin::update_agent,
        super::admin::delete_agent,
        healthz, readyz, metrics, openapi_doc, visitor_socket, agent_socket,
    ),
    components(schemas(ApiErrorBody, ErrorCode)),
    modifiers(&SessionCookie),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "chats", description = "A chat, its transcripts, and sending them"),
        (name = "visitors", description = "Visit Detail and who is on a site"),
        (name = "canned", description = "Canned responses"),
        (name = "offline", description = "Messages left while no agent was On-Line"),
        (name = "admin", description = "Sites, agents and blocks (admins only)"),
        (name = "ops", description = "Health, readiness, metrics, this document"),
        (name = "websocket", description = "Live chat sockets: frames in docs/protocol.md"),
    )
)]
pub struct ApiDoc;

/// The `session` security scheme: the `fd_session` cookie.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                super::auth::COOKIE,
                "Session cookie set by POST /api/auth/login",
            ))),
        );
    }
}

// The handlers below live in other modules (auth, health, the sockets); these functions only
// carry their documentation.

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LoginRequest {
    email: String,
    password: String,
}

/// The signed-in agent.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LoginResponse {
    agent_id: AgentId,
    name: String,
    email: String,
    is_admin: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MeResponse {
    agent_id: AgentId,
    name: String,
    email: String,
    is_admin: bool,
    status: AgentStatus,
    sites: Vec<SiteMembershipView>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PasswordChange {
    current_password: String,
    /// At least 8 characters.
    new_password: String,
}

#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; sets the `fd_session` cookie", body = LoginResponse),
        (status = 401, description = "Wrong email or password (`bad_credentials`)", body = ApiErrorBody),
        (status = 403, description = "Missing or foreign Origin (`origin_refused`)", body = ApiErrorBody),
        (status = 429, description = "Too many attempts (`rate_limited`)", body = ApiErrorBody),
    ))]
#[allow(dead_code)]
fn login() {}

#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out: the session and its sockets end"),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
    ),
    security(("session" = [])))]
#[allow(dead_code)]
fn logout() {}

#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses(
        (status = 200, description = "The signed-in agent and their sites", body = MeResponse),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
    ),
    security(("session" = [])))]
#[allow(dead_code)]
fn me() {}

#[utoipa::path(post, path = "/api/me/password", tag = "auth", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; every other session of the agent ends"),
        (status = 400, description = "New password too short (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "Current password wrong (`bad_credentials`)", body = ApiErrorBody),
    ),
    security(("session" = [])))]
#[allow(dead_code)]
fn change_password() {}

#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, description = "The process answers", content_type = "text/plain", body = String)))]
#[allow(dead_code)]
fn healthz() {}

#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses(
        (status = 200, description = "Storage answers (and, in cluster mode, Redis: subscribed, PING answered)", content_type = "text/plain", body = String),
        (status = 503, description = "Storage unavailable, storage damaged (the background check of a large SQLite file found corruption), or (cluster mode) the event bus on Redis unavailable", content_type = "text/plain", body = String),
    ))]
#[allow(dead_code)]
fn readyz() {}

#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus / OpenMetrics text",
        content_type = "application/openmetrics-text", body = String)))]
#[allow(dead_code)]
fn metrics() {}

#[utoipa::path(get, path = "/api/openapi.json", tag = "ops",
    responses((status = 200, description = "This document", body = Object)))]
#[allow(dead_code)]
fn openapi_doc() {}

#[utoipa::path(get, path = "/ws/visitor", tag = "websocket",
    description = "The visitor widget's WebSocket. The `Origin` must be the site's base URL's \
    origin or one of its allowed origins. JSON text frames as described in docs/protocol.md.",
    params(("site" = String, Query, description = "The site key (from the embed snippet)")),
    responses(
        (status = 101, description = "Switching Protocols: frames per docs/protocol.md"),
        (status = 403, description = "Origin not allowed for this site (`origin_refused`)", body = ApiErrorBody),
        (status = 404, description = "Unknown site key", body = ApiErrorBody),
        (status = 429, description = "Too many sockets from this address", body = ApiErrorBody),
    ))]
#[allow(dead_code)]
fn visitor_socket() {}

#[utoipa::path(get, path = "/ws/agent", tag = "websocket",
    description = "The agent console's WebSocket (session cookie; `Origin` must be this \
    server's origin). JSON text frames as described in docs/protocol.md.",
    responses(
        (status = 101, description = "Switching Protocols: frames per docs/protocol.md"),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 403, description = "Foreign Origin (`origin_refused`)", body = ApiErrorBody),
    ),
    security(("session" = [])))]
#[allow(dead_code)]
fn agent_socket() {}

#[cfg(test)]
mod tests {
    use super::{document, parse_id};

    #[test]
    fn the_document_lists_every_route_and_error_code() {
        let doc = document();
        if std::env::var_os("FRONTDESK_DUMP_OPENAPI").is_some() {
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        let paths = doc["paths"].as_object().map(|p| p.len()).unwrap_or(0);
        assert!(paths >= 25, "{paths} paths");
        for path in [
            "/api/chats/{chat_id}",
            "/api/admin/agents/{id}",
            "/api/auth/login",
            "/ws/agent",
        ] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        let desc = doc["info"]["description"].as_str().unwrap_or_default();
        assert!(desc.contains("| `origin_refused` | 403 |"), "{desc}");
        assert!(desc.contains("| `not_found` | 404 |"));
        assert!(doc["components"]["schemas"]["ChatSummary"].is_object());
        let mut ids: Vec<&str> = doc["paths"]
            .as_object()
            .into_iter()
            .flat_map(|p| p.values())
            .filter_map(|item| item.as_object())
            .flat_map(|ops| ops.values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "operation ids are unique");
    }

    #[test]
    fn ids_are_positive_integers_or_not_found() {
        assert_eq!(parse_id("42").ok(), Some(42));
        for bad in [
            "",
            "x",
            "1abc",
            "-1",
            "0",
            "+1",
            " 1",
            "1.0",
            "99999999999999999999",
        ] {
            let err = parse_id(bad).err().map(|e| e.code);
            assert_eq!(err, Some(frontdesk_core::ErrorCode::NotFound), "{bad:?}");
        }
    }
}
