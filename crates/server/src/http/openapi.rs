//! The REST contract: `GET /api/openapi.json`, assembled here from the annotations
//! (`#[utoipa::path]`) on the handlers themselves, REST, health and the two sockets alike.
//! The error body and the extractors that keep every failure in its shape are in `extract`.

use super::extract::ApiErrorBody;
use crate::error::AppError;
use crate::state::App;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use frontdesk_core::ErrorCode;
use serde_json::json;
use std::sync::LazyLock;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

pub fn router() -> Router<App> {
    Router::new().route("/api/openapi.json", get(openapi_json))
}

// ──────────────────────────────── the document ────────────────────────────────

// The OpenAPI document (built once), with this server's base URL as its server.
#[utoipa::path(get, path = "/api/openapi.json", tag = "ops", operation_id = "openapi_doc",
    responses((status = 200, description = "This document", body = Object)))]
pub async fn openapi_json(State(app): State<App>) -> Json<serde_json::Value> {
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
whose frames are described in docs/protocol.md. Scripts use an API token instead of the \
cookie (security scheme `bearer`: `Authorization: Bearer fd_...`, made by an admin on the \
\"API tokens\" page or `POST /api/admin/tokens`): no cookie and no Origin header needed; its \
scopes decide what it reaches (`read`: GET of every non-admin resource; `write`: their other \
methods; `admin`: everything under `/api/admin` except tokens themselves), and it acts for the \
admin who made it, narrowed to its sites. Signing in and out, changing a password and \
managing tokens take the cookie only. A refused token answers 401 `unauthorized` (unknown, \
revoked, expired), 403 `forbidden` (scope) or 429 `rate_limited` (`limits.api_token_requests`; \
and, before any lookup, from an address that sent too many unknown tokens: \
`limits.api_token_misses_per_ip`). \
Error codes and their HTTP statuses:";

#[derive(OpenApi)]
#[openapi(
    info(title = "Frontdesk", description = DESCRIPTION, license(name = "MIT OR Apache-2.0")),
    paths(
        super::auth::login, super::auth::logout, super::auth::me, super::auth::change_password,
        super::chats::get_chat, super::chats::transcript_txt, super::chats::transcript_html,
        super::chats::transcript_eml, super::chats::mailto, super::chats::email,
        super::visitors::on_site, super::visitors::detail,
        super::canned::list, super::canned::create, super::canned::update, super::canned::remove,
        super::offline::list,
        super::tags::put_tags, super::tags::put_wrap_up, super::tags::site_tags,
        super::ratings::site_ratings,
        super::reports::report, super::reports::report_csv,
        super::supervision::all_chats,
        super::archive::archive_page, super::archive::archive_count,
        super::files::agent_upload, super::files::visitor_upload, super::files::delete_chat,
        super::files::download::agent_file, super::files::download::agent_thumb,
        super::files::download::visitor_file, super::files::download::visitor_thumb,
        super::admin::sites::list_sites, super::admin::sites::create_site,
        super::admin::sites::update_site,
        super::admin::sites::update_settings,
        super::admin::identity::rotate_identity_secret,
        super::admin::blocks::list_blocks, super::admin::blocks::lift_block,
        super::admin::agents::list_agents, super::admin::agents::create_agent,
        super::admin::agents::update_agent, super::admin::agents::delete_agent,
        super::admin::departments::list_departments,
        super::admin::departments::create_department,
        super::admin::departments::update_department,
        super::admin::departments::delete_department,
        super::admin::departments::set_agent_departments,
        super::admin::tokens::list_tokens, super::admin::tokens::create_token,
        super::admin::tokens::revoke_token, super::admin::audit::audit_page,
        super::admin::webhooks::list_webhooks, super::admin::webhooks::create_webhook,
        super::admin::webhooks::update_webhook, super::admin::webhooks::delete_webhook,
        super::admin::webhooks::test_webhook, super::admin::webhooks::list_deliveries,
        super::admin::visitors::export_visitor, super::admin::visitors::erase_visitor,
        super::health::healthz, super::health::readyz, super::health::metrics, openapi_json,
        crate::realtime::visitor_ws::handler, crate::realtime::agent_ws::handler,
        crate::http::page_views::record,
    ),
    components(schemas(ApiErrorBody, ErrorCode)),
    modifiers(&SessionCookie),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "chats", description = "A chat, its transcripts, and sending them"),
        (name = "visitors", description = "Visit Detail and who is on a site"),
        (name = "canned", description = "Canned responses"),
        (name = "offline", description = "Messages left while no agent was On-Line"),
        (name = "supervision", description = "Supervisors: \"All Chats\""),
        (name = "reports", description = "Reports: how the team is doing, and their CSV"),
        (name = "archive", description = "The \"Archive\": every chat of your sites, filtered and searched"),
        (name = "files", description = "Files in chats: uploads, downloads, \"Delete chat\""),
        (name = "admin", description = "Sites, agents, departments, blocks, API tokens, webhooks, the audit log and a visitor's data (admins only)"),
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
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("fd_...")
                    .description(Some(
                        "An API token (admin page \"API tokens\"); its scopes decide what it reaches",
                    ))
                    .build(),
            ),
        );
        // Every operation a session reaches, a token with the right scope reaches too
        // (except signing in and out, the password and tokens: `frontdesk_core::tokens`).
        for (path, item) in openapi.paths.paths.iter_mut() {
            let cookie_only = frontdesk_core::tokens::required("GET", path)
                == frontdesk_core::tokens::Need::CookieOnly;
            if cookie_only {
                continue;
            }
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let has_session = op.security.as_ref().is_some_and(|s| {
                    serde_json::to_value(s)
                        .map(|v| v.to_string().contains("\"session\""))
                        .unwrap_or(false)
                });
                let has_bearer = op.security.as_ref().is_some_and(|s| {
                    serde_json::to_value(s)
                        .map(|v| v.to_string().contains("\"bearer\""))
                        .unwrap_or(false)
                });
                if has_session && !has_bearer {
                    op.security
                        .get_or_insert_with(Vec::new)
                        .push(SecurityRequirement::new("bearer", Vec::<String>::new()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::document;

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

    /// Every `.route(path, method(..))` written in `src/http` (static files aside): the
    /// router's routes as (path, method), read from the source, since axum cannot list them.
    fn routes_in_source() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
        let mut files = vec![root];
        let mut routes = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                let entries = std::fs::read_dir(&path).expect("read src/http");
                files.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
                continue;
            }
            if path.file_name().is_some_and(|n| n == "assets.rs") {
                continue; // the widget's and the console's files, not the API
            }
            let text = std::fs::read_to_string(&path).expect("read a source file");
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (at, _) in text.match_indices(".route(") {
                let args = &text[at + ".route(".len()..];
                let mut depth = 1;
                let end = args
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += match c {
                            '(' => 1,
                            ')' => -1,
                            _ => 0,
                        };
                        depth == 0
                    })
                    .map(|(i, _)| i)
                    .expect("balanced .route(...)");
                let args = &args[..end];
                let route = args.split('"').nth(1).expect("a literal path").to_string();
                for method in ["get", "post", "put", "delete", "patch"] {
                    let called = args.match_indices(&format!("{method}(")).any(|(i, _)| {
                        !args[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                    });
                    if called {
                        routes.push((route.clone(), method.to_string()));
                    }
                }
            }
        }
        routes.sort();
        routes
    }

    #[test]
    fn every_route_of_the_router_is_in_the_document_and_back() {
        let doc = document();
        let routes = routes_in_source();
        assert!(routes.len() >= 30, "{routes:?}");
        for (path, method) in &routes {
            assert!(
                doc["paths"][path][method].is_object(),
                "{} {path} is routed but not documented",
                method.to_uppercase()
            );
        }
        let documented: Vec<(String, String)> = doc["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(path, item)| {
                let methods = item.as_object().into_iter().flat_map(|m| m.keys());
                methods.map(move |m| (path.clone(), m.clone()))
            })
            .collect();
        for (path, method) in &documented {
            assert!(
                routes.contains(&(path.clone(), method.clone())),
                "{} {path} is documented but not routed",
                method.to_uppercase()
            );
        }
    }
}
