//! REST: agents (admins only): list, create, update (name, admin rights, sites, password,
//! "Most chats at once")
//! and delete. A change that takes sites away or sets a new password ends the agent's
//! sessions; a change others see is published to the consoles.

use super::{optional_email, required_name};
use crate::error::{AppError, AppResult};
use crate::http::auth::{AdminAgent, end_other_sessions, hash_new_password};
use crate::http::extract::{ApiErrorBody, JsonBody, parse_id};
use crate::services::access;
use crate::services::agents::publish_agent_state;
use crate::services::audit;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::model::{AgentStatus, NewAgent};
use frontdesk_core::routing::Capacity;
use frontdesk_core::{AgentId, SiteId};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use std::collections::BTreeSet;
use utoipa::ToSchema;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/admin/agents", get(list_agents).post(create_agent))
        .route(
            "/api/admin/agents/{id}",
            put(update_agent).delete(delete_agent),
        )
}

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
    /// The sites where the agent has the "Supervisor" role ("All Chats", "Watch", "Join",
    /// "Take over"). Admins supervise every site they belong to whatever this says.
    pub supervises: Vec<SiteId>,
    /// "Most chats at once"; null: unlimited.
    pub max_chats: Option<u32>,
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
    /// "Most chats at once": at least 1; null or absent: unlimited.
    #[serde(default)]
    pub max_chats: Option<i64>,
    /// Sites where the agent is "Supervisor": each must be one of their sites.
    #[serde(default)]
    pub supervises: Vec<SiteId>,
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
    /// "Most chats at once": at least 1; `null`: unlimited; absent leaves it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub max_chats: Option<Option<i64>>,
    /// Exactly the sites where the agent is "Supervisor" (each one of their sites, after
    /// `sites` changed); absent leaves the role as it is. Taking the role away from a site
    /// ends the agent's sessions (their watches end with their sockets); giving it shows
    /// "All Chats" at their console's next connect.
    #[serde(default)]
    pub supervises: Option<Vec<SiteId>>,
}

/// "Most chats at once" as given: at least 1 (0 and negative numbers are refused with the
/// core's message), `None` unlimited.
fn max_chats(given: Option<i64>) -> AppResult<Option<u32>> {
    let Some(n) = given else { return Ok(None) };
    let n = if n < 1 {
        0
    } else {
        u32::try_from(n)
            .map_err(|_| AppError::bad_request("\"Most chats at once\" is too large."))?
    };
    Ok(Some(Capacity::new(n)?.get()))
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

/// The sites the agent has the "Supervisor" role on (the stored role, not the admin's).
async fn supervised_ids(app: &App, agent: AgentId) -> AppResult<Vec<SiteId>> {
    let mut ids: Vec<SiteId> = access::memberships(app, agent)
        .await?
        .iter()
        .filter(|m| m.supervisor)
        .map(|m| m.site_id)
        .collect();
    ids.sort();
    Ok(ids)
}

/// Checks that every site to supervise exists; returns them deduplicated.
async fn to_supervise(app: &App, sites: Vec<SiteId>) -> AppResult<Vec<SiteId>> {
    Ok(known_sites(app, Some(sites)).await?.unwrap_or_default())
}

/// Gives the agent the "Supervisor" role on exactly `sites` (each must be one of their
/// sites: `bad_request` otherwise, nothing changed). True when the role was taken away from
/// any site.
async fn set_supervised(app: &App, agent: AgentId, sites: &[SiteId]) -> AppResult<bool> {
    let memberships = access::memberships(app, agent).await?;
    if let Some(s) = sites
        .iter()
        .find(|s| !memberships.iter().any(|m| m.site_id == **s))
    {
        return Err(AppError::bad_request(format!(
            "The agent can only supervise a site they belong to (site {s})."
        )));
    }
    let mut revoked = false;
    for m in &memberships {
        let want = sites.contains(&m.site_id);
        if want != m.supervisor {
            app.store.set_supervisor(agent, m.site_id, want).await?;
            revoked |= !want;
        }
    }
    Ok(revoked)
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
            supervises: supervised_ids(&app, a.id).await?,
            agent_id: a.id,
            email: a.email,
            name: a.name,
            is_admin: a.is_admin,
            status: a.status,
            max_chats: a.max_chats,
        });
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/admin/agents", tag = "admin", request_body = NewAgentInput,
    responses(
        (status = 201, description = "Created", body = AdminAgentView),
        (status = 400, description = "Bad email, empty name, short password, unknown site, \
         \"Most chats at once\" below 1, a site to supervise that is not one of theirs",
         body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 409, description = "An agent with that email exists (`conflict`)", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn create_agent(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    JsonBody(input): JsonBody<NewAgentInput>,
) -> AppResult<(StatusCode, Json<AdminAgentView>)> {
    let email = optional_email(Some(&input.email))?
        .ok_or_else(|| AppError::bad_request("An email address is required."))?;
    let name = required_name(&input.name)?;
    let sites = known_sites(&app, input.sites).await?;
    let max_chats = max_chats(input.max_chats)?;
    let supervises = to_supervise(&app, input.supervises).await?;
    if let Some(s) = supervises
        .iter()
        .find(|s| sites.as_ref().is_some_and(|sites| !sites.contains(s)))
    {
        return Err(AppError::bad_request(format!(
            "The agent can only supervise a site they belong to (site {s})."
        )));
    }
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
    if max_chats.is_some() {
        app.store.set_max_chats(agent.id, max_chats).await?;
    }
    set_supervised(&app, agent.id, &supervises).await?;
    audit::record(
        &app,
        &admin.who(),
        AuditAction::AgentCreated,
        Some(&agent.email),
        None,
        json!({ "agent_id": agent.id, "is_admin": agent.is_admin }),
    )
    .await;
    let view = AdminAgentView {
        sites: site_ids(&app, agent.id).await?,
        supervises: supervised_ids(&app, agent.id).await?,
        agent_id: agent.id,
        email: agent.email,
        name: agent.name,
        is_admin: agent.is_admin,
        status: agent.status,
        max_chats,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(put, path = "/api/admin/agents/{id}", tag = "admin", request_body = AgentChanges,
    params(("id" = i64, Path, description = "Agent id")),
    responses(
        (status = 204, description = "Saved. A new password or a change of sites ends the \
         agent's sessions and closes their sockets"),
        (status = 400, description = "Empty name, short password, unknown site, \"Most chats at \
         once\" below 1, a site to supervise that is not one of theirs (after `sites`), or an \
         admin removing their own admin rights", body = ApiErrorBody),
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
    let fields: Vec<&str> = [
        ("name", changes.name.is_some()),
        ("is_admin", changes.is_admin.is_some()),
        ("password", changes.password.is_some()),
        ("sites", changes.sites.is_some()),
        ("max_chats", changes.max_chats.is_some()),
        ("supervises", changes.supervises.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, given)| given.then_some(f))
    .collect();
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
    let max_chats = changes.max_chats.map(max_chats).transpose()?;
    let supervises = match changes.supervises {
        Some(s) => Some(to_supervise(&app, s).await?),
        None => None,
    };
    if let Some(supervises) = &supervises {
        // Their sites once `sites` changed (`None`: every site).
        let theirs = match &sites {
            Some(s) => s.clone(),
            None => Some(site_ids(&app, agent.id).await?),
        };
        if let Some(theirs) = theirs
            && let Some(s) = supervises.iter().find(|s| !theirs.contains(s))
        {
            return Err(AppError::bad_request(format!(
                "The agent can only supervise a site they belong to (site {s})."
            )));
        }
    }
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
    if let Some(max_chats) = max_chats.filter(|m| *m != agent.max_chats) {
        app.store.set_max_chats(agent.id, max_chats).await?;
        publish = true; // colleagues see "At capacity" come or go
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
    if let Some(supervises) = supervises
        && set_supervised(&app, agent.id, &supervises).await?
    {
        end_sessions = true; // their watches end with their sockets
    }
    if end_sessions {
        // An admin editing themself keeps the session they are using.
        let keep = (myself && admin.token.is_none()).then(|| admin.session_hash.clone());
        end_other_sessions(&app, agent.id, keep).await?;
    }
    if publish {
        publish_agent_state(&app, agent.id).await?;
    }
    audit::record(
        &app,
        &admin.who(),
        AuditAction::AgentUpdated,
        Some(&agent.email),
        None,
        json!({ "agent_id": agent.id, "fields": fields }),
    )
    .await;
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
    audit::record(
        &app,
        &admin.who(),
        AuditAction::AgentDeleted,
        Some(&agent.email),
        None,
        json!({ "agent_id": agent.id }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
