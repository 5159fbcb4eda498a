//! REST: administration (sites, agents, blocks). Every route takes [`AdminAgent`]: anyone
//! who is not an admin gets 403 `forbidden`.

use super::auth::{AdminAgent, end_other_sessions, hash_new_password};
use super::openapi::{ApiErrorBody, JsonBody, parse_id};
use crate::error::{AppError, AppResult};
use crate::services::access;
use crate::services::agents::publish_agent_state;
use crate::services::transcript::escape_html;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use frontdesk_core::model::{AgentStatus, Block, NewAgent, NewSite, Site};
use frontdesk_core::text::clean_line;
use frontdesk_core::{AgentId, BlockId, ErrorCode, SiteId, SiteKey, day};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;

const NAME_MAX: usize = 100;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/admin/sites", get(list_sites).post(create_site))
        .route("/api/admin/sites/{id}", put(update_site))
        .route("/api/admin/sites/{id}/blocks", get(list_blocks))
        .route("/api/admin/blocks/{id}", delete(lift_block))
        .route("/api/admin/agents", get(list_agents).post(create_agent))
        .route(
            "/api/admin/agents/{id}",
            put(update_agent).delete(delete_agent),
        )
}

// ───────────────────────────────── sites ─────────────────────────────────

/// A site and the snippet that embeds its widget.
#[derive(Serialize, ToSchema)]
pub struct AdminSite {
    #[serde(flatten)]
    pub site: Site,
    /// `<script src=".../widget.js" data-site="KEY" async></script>`
    pub snippet: String,
}

#[derive(Deserialize, ToSchema)]
pub struct SiteInput {
    pub name: String,
    /// http(s) URL of the site; its origin may embed the widget.
    pub base_url: String,
    /// IANA time zone (default `UTC`).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Extra origins (`https://www.shop.example`) allowed to use the site key.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Where offline messages are emailed (empty or null: nowhere).
    #[serde(default)]
    pub email: Option<String>,
}

fn with_snippet(app: &App, site: Site) -> AdminSite {
    let snippet = format!(
        "<script src=\"{}/widget.js\" data-site=\"{}\" async></script>",
        escape_html(&app.public_base),
        escape_html(&site.key.0)
    );
    AdminSite { site, snippet }
}

fn http_url(raw: &str, what: &str) -> AppResult<url::Url> {
    url::Url::parse(raw.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| AppError::bad_request(format!("{what} must be an http(s) URL: {raw:?}")))
}

fn optional_email(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(e) => e
            .parse::<lettre::Address>()
            .map(|a| Some(a.to_string()))
            .map_err(|_| AppError::bad_request(format!("Not a valid email address: {e:?}"))),
    }
}

fn required_name(raw: &str) -> AppResult<String> {
    clean_line(raw, NAME_MAX).ok_or_else(|| AppError::new(ErrorCode::Empty, "The name is empty."))
}

/// The validated fields of a site (everything but its key).
fn site_fields(input: SiteInput) -> AppResult<NewSite> {
    let name = required_name(&input.name)?;
    let base_url = http_url(&input.base_url, "The base URL")?;
    let timezone = input
        .timezone
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "UTC".to_string());
    day::validate_timezone(&timezone).map_err(|e| AppError::bad_request(e.to_string()))?;
    let mut origins = Vec::new();
    for o in &input.allowed_origins {
        let origin = http_url(o, "An allowed origin")?
            .origin()
            .ascii_serialization();
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(NewSite {
        key: SiteKey(String::new()),
        name,
        base_url: if base_url.path() == "/" && base_url.query().is_none() {
            base_url.origin().ascii_serialization()
        } else {
            base_url.to_string()
        },
        timezone,
        allowed_origins: origins,
        email: optional_email(input.email.as_deref())?,
    })
}

#[utoipa::path(get, path = "/api/admin/sites", tag = "admin",
    responses(
        (status = 200, description = "Every site, with its embed snippet", body = [AdminSite]),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn list_sites(
    State(app): State<App>,
    _admin: AdminAgent,
) -> AppResult<Json<Vec<AdminSite>>> {
    let sites = app.store.list_sites().await?;
    Ok(Json(
        sites.into_iter().map(|s| with_snippet(&app, s)).collect(),
    ))
}

#[utoipa::path(post, path = "/api/admin/sites", tag = "admin", request_body = SiteInput,
    responses(
        (status = 201, description = "Created; the snippet embeds the widget", body = AdminSite),
        (status = 400, description = "Bad URL, time zone, origin or email", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn create_site(
    State(app): State<App>,
    _admin: AdminAgent,
    JsonBody(input): JsonBody<SiteInput>,
) -> AppResult<(StatusCode, Json<AdminSite>)> {
    let new = NewSite {
        key: SiteKey(crate::cli::new_site_key()),
        ..site_fields(input)?
    };
    let site = app.store.create_site(new, app.now()).await?;
    // Agents of every site (present and future) belong to this one now: tell the hubs, so
    // their open consoles hear its chat requests without reconnecting.
    for agent in app.store.list_agents().await? {
        let member = access::memberships(&app, agent.id)
            .await?
            .iter()
            .any(|m| m.site_id == site.id);
        if member {
            publish_agent_state(&app, agent.id).await?;
        }
    }
    Ok((StatusCode::CREATED, Json(with_snippet(&app, site))))
}

#[utoipa::path(put, path = "/api/admin/sites/{id}", tag = "admin", request_body = SiteInput,
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "Saved (the key never changes)", body = AdminSite),
        (status = 400, description = "Bad URL, time zone, origin or email", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such site", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn update_site(
    State(app): State<App>,
    _admin: AdminAgent,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<SiteInput>,
) -> AppResult<Json<AdminSite>> {
    let site = app.store.site(SiteId(parse_id(&id)?)).await?;
    let f = site_fields(input)?;
    let updated = Site {
        name: f.name,
        base_url: f.base_url,
        timezone: f.timezone,
        allowed_origins: f.allowed_origins,
        email: f.email,
        ..site
    };
    app.store.update_site(&updated).await?;
    Ok(Json(with_snippet(&app, updated)))
}

// ──────────────────────────────── blocks ─────────────────────────────────

#[utoipa::path(get, path = "/api/admin/sites/{id}/blocks", tag = "admin",
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "Blocks in force now", body = [Block]),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
        (status = 404, description = "No such site, or not one of yours", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn list_blocks(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Block>>> {
    let site = SiteId(parse_id(&id)?);
    access::require_site(&app, admin.agent.id, site).await?;
    Ok(Json(app.store.blocks_of_site(site, app.now()).await?))
}

#[utoipa::path(delete, path = "/api/admin/blocks/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Block id")),
    responses(
        (status = 204, description = "Lifted: the visitor may chat again"),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such block, or not of a site of yours", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn lift_block(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let block = app.store.block(BlockId(parse_id(&id)?)).await?;
    access::require_site(&app, admin.agent.id, block.site_id).await?;
    app.store.lift_block(block.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ──────────────────────────────── agents ─────────────────────────────────

/// An agent as admins see them. (Whether an agent was given "every site, present and
/// future" is not told by storage; `sites` lists the sites they belong to now.)
#[derive(Serialize, ToSchema)]
pub struct AdminAgentView {
    pub agent_id: AgentId,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub status: AgentStatus,
    pub sites: Vec<SiteId>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewAgentInput {
    pub email: String,
    pub name: String,
    /// At least 8 characters.
    pub password: String,
    #[serde(default)]
    pub is_admin: bool,
    /// null or absent: every site, present and future.
    #[serde(default)]
    pub sites: Option<Vec<SiteId>>,
}

/// Only the fields given change. `sites: null` means every site; absent leaves them.
#[derive(Deserialize, ToSchema)]
pub struct AgentChanges {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub is_admin: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<SiteId>>)]
    pub sites: Option<Option<Vec<SiteId>>>,
    #[serde(default)]
    pub password: Option<String>,
}

/// A field that is present (even as null) deserializes to `Some(value)`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Checks that every site exists; returns them deduplicated.
async fn known_sites(app: &App, sites: Option<Vec<SiteId>>) -> AppResult<Option<Vec<SiteId>>> {
    let Some(sites) = sites else { return Ok(None) };
    let existing = app.store.list_sites().await?;
    let mut out = Vec::new();
    for s in sites {
        if !existing.iter().any(|e| e.id == s) {
            return Err(AppError::bad_request(format!("There is no site {s}.")));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(Some(out))
}

async fn site_ids(app: &App, agent: AgentId) -> AppResult<Vec<SiteId>> {
    let mut ids: Vec<SiteId> = access::memberships(app, agent)
        .await?
        .iter()
        .map(|m| m.site_id)
        .collect();
    ids.sort();
    Ok(ids)
}

#[utoipa::path(get, path = "/api/admin/agents", tag = "admin",
    responses(
        (status = 200, description = "Every agent", body = [AdminAgentView]),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn list_agents(
    State(app): State<App>,
    _admin: AdminAgent,
) -> AppResult<Json<Vec<AdminAgentView>>> {
    let mut out = Vec::new();
    for a in app.store.list_agents().await? {
        out.push(AdminAgentView {
            sites: site_ids(&app, a.id).await?,
            agent_id: a.id,
            email: a.email,
            name: a.name,
            is_admin: a.is_admin,
            status: a.status,
        });
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/admin/agents", tag = "admin", request_body = NewAgentInput,
    responses(
        (status = 201, description = "Created", body = AdminAgentView),
        (status = 400, description = "Bad email, empty name, short password, unknown site",
         body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 409, description = "An agent with that email exists (`conflict`)", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn create_agent(
    State(app): State<App>,
    _admin: AdminAgent,
    JsonBody(input): JsonBody<NewAgentInput>,
) -> AppResult<(StatusCode, Json<AdminAgentView>)> {
    let email = optional_email(Some(&input.email))?
        .ok_or_else(|| AppError::bad_request("An email address is required."))?;
    let name = required_name(&input.name)?;
    let sites = known_sites(&app, input.sites).await?;
    let password_hash = hash_new_password(input.password).await?;
    let agent = app
        .store
        .create_agent(
            NewAgent {
                email,
                name,
                is_admin: input.is_admin,
                password_hash,
                sites,
            },
            app.now(),
        )
        .await?;
    let view = AdminAgentView {
        sites: site_ids(&app, agent.id).await?,
        agent_id: agent.id,
        email: agent.email,
        name: agent.name,
        is_admin: agent.is_admin,
        status: agent.status,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(put, path = "/api/admin/agents/{id}", tag = "admin", request_body = AgentChanges,
    params(("id" = i64, Path, description = "Agent id")),
    responses(
        (status = 204, description = "Saved. A new password or a change of sites ends the \
         agent's sessions and closes their sockets"),
        (status = 400, description = "Empty name, short password, unknown site, or an admin \
         removing their own admin rights", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such agent", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn update_agent(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
    JsonBody(changes): JsonBody<AgentChanges>,
) -> AppResult<StatusCode> {
    let agent = app.store.agent(AgentId(parse_id(&id)?)).await?;
    let myself = agent.id == admin.agent.id;
    // Validate everything before changing anything.
    let name = changes.name.as_deref().map(required_name).transpose()?;
    if myself && changes.is_admin == Some(false) {
        return Err(AppError::bad_request(
            "You cannot remove your own admin rights.",
        ));
    }
    let sites = match changes.sites {
        Some(s) => Some(known_sites(&app, s).await?),
        None => None,
    };
    let password_hash = match changes.password {
        Some(p) => Some(hash_new_password(p).await?),
        None => None,
    };

    let mut publish = false;
    if let Some(name) = name.filter(|n| *n != agent.name) {
        app.store.set_name(agent.id, &name).await?;
        publish = true;
    }
    if let Some(is_admin) = changes.is_admin.filter(|a| *a != agent.is_admin) {
        app.store.set_admin(agent.id, is_admin).await?;
    }
    let mut end_sessions = false;
    if let Some(hash) = password_hash {
        app.store.set_password(agent.id, &hash).await?;
        end_sessions = true;
    }
    if let Some(sites) = sites {
        let before: BTreeSet<SiteId> = site_ids(&app, agent.id).await?.into_iter().collect();
        // The same list as now changes nothing: an agent of every site (present and future)
        // stays one when a form sends back the sites they see today.
        let same = sites
            .as_ref()
            .is_some_and(|s| s.iter().copied().collect::<BTreeSet<_>>() == before);
        if !same {
            app.store.set_sites(agent.id, sites).await?;
        }
        let after: BTreeSet<SiteId> = site_ids(&app, agent.id).await?.into_iter().collect();
        if before != after {
            end_sessions = true;
            publish = true;
        }
    }
    if end_sessions {
        // An admin editing themself keeps the session they are using.
        let keep = myself.then(|| admin.session_hash.clone());
        end_other_sessions(&app, agent.id, keep).await?;
    }
    if publish {
        publish_agent_state(&app, agent.id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/admin/agents/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Agent id")),
    responses(
        (status = 204, description = "Deleted; their sessions ended and sockets closed first"),
        (status = 400, description = "An admin cannot delete themself", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such agent", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn delete_agent(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let agent = app.store.agent(AgentId(parse_id(&id)?)).await?;
    if agent.id == admin.agent.id {
        return Err(AppError::bad_request("You cannot delete your own account."));
    }
    end_other_sessions(&app, agent.id, None).await?;
    app.store.delete_agent(agent.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
