//! REST: departments of a site (admins only): list, create, update (name, URL prefixes,
//! agents), delete; and the departments of one agent. Rules for names and prefixes are the
//! core's (`frontdesk_core::departments`).

use crate::error::{AppError, AppResult};
use crate::http::auth::{AdminAgent, AuthAgent};
use crate::http::extract::{ApiErrorBody, JsonBody, parse_id};
use crate::services::audit;
use crate::services::departments::announce;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::departments::{self, Department, DepartmentError};
use frontdesk_core::store::StoreError;
use frontdesk_core::{AgentId, DepartmentId, ErrorCode, SiteId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/api/admin/sites/{id}/departments",
            get(list_departments).post(create_department),
        )
        .route(
            "/api/admin/departments/{id}",
            put(update_department).delete(delete_department),
        )
        .route(
            "/api/admin/agents/{id}/departments",
            put(set_agent_departments),
        )
}

/// A department with its agents.
#[derive(Serialize, ToSchema)]
pub struct AdminDepartment {
    #[serde(flatten)]
    pub department: Department,
    /// The department's agents, by id.
    pub agents: Vec<AgentId>,
}

/// A new department. Names: one line, 1 to 80 characters, unique per site whatever the case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartmentInput {
    pub name: String,
    /// Absolute http(s) URLs: a page whose URL starts with one asks for this department.
    #[serde(default)]
    pub url_prefixes: Vec<String>,
    /// The department's agents (any number; an agent may be in several departments).
    #[serde(default)]
    pub agents: Vec<AgentId>,
}

/// Only the fields given change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentChanges {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url_prefixes: Option<Vec<String>>,
    #[serde(default)]
    pub agents: Option<Vec<AgentId>>,
}

/// Exactly these departments for the agent.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentDepartmentsInput {
    pub departments: Vec<DepartmentId>,
}

fn invalid(e: DepartmentError) -> AppError {
    AppError::new(e.code(), e.to_string())
}

fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::new(
            ErrorCode::Conflict,
            "This site already has a department of that name.",
        ),
        e => e.into(),
    }
}

/// An unknown agent or department in a list is the caller's mistake: `bad_request`.
fn unknown_in_list(e: StoreError, what: &str) -> AppError {
    match e {
        StoreError::NotFound => AppError::bad_request(format!("Unknown {what} in the list.")),
        e => e.into(),
    }
}

async fn view(app: &App, department: Department) -> AppResult<AdminDepartment> {
    Ok(AdminDepartment {
        agents: app.store.agents_of_department(department.id).await?,
        department,
    })
}

#[utoipa::path(get, path = "/api/admin/sites/{id}/departments", tag = "admin",
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, description = "The site's departments, by name", body = [AdminDepartment]),
        (status = 403, description = "Not an admin", body = ApiErrorBody),
        (status = 404, description = "No such site", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn list_departments(
    State(app): State<App>,
    _admin: AdminAgent,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<AdminDepartment>>> {
    let site = app.store.site(SiteId(parse_id(&id)?)).await?;
    let mut out = Vec::new();
    for d in app.store.departments_of_site(site.id).await? {
        out.push(view(&app, d).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/admin/sites/{id}/departments", tag = "admin",
    request_body = NewDepartmentInput,
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 201, description = "Created", body = AdminDepartment),
        (status = 400, description = "Empty or too long name (`empty`, `too_long`), a URL prefix \
         that is not an http(s) URL, an unknown agent", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such site", body = ApiErrorBody),
        (status = 409, description = "The site has a department of that name (`conflict`)",
         body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn create_department(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<NewDepartmentInput>,
) -> AppResult<(StatusCode, Json<AdminDepartment>)> {
    let site = app.store.site(SiteId(parse_id(&id)?)).await?;
    let name = departments::department_name(&input.name).map_err(invalid)?;
    let prefixes = departments::url_prefixes(&input.url_prefixes).map_err(invalid)?;
    let created = app
        .store
        .create_department(site.id, &name, &prefixes, app.now())
        .await
        .map_err(name_taken)?;
    if !input.agents.is_empty() {
        let set = app
            .store
            .set_department_agents(created.id, &input.agents)
            .await;
        if let Err(e) = set {
            // Nothing half-made: the department goes again.
            app.store.delete_department(created.id).await?;
            return Err(unknown_in_list(e, "agent"));
        }
    }
    announce(&app, site.id).await?;
    record(
        &app,
        &admin,
        AuditAction::DepartmentCreated,
        &created,
        json!({}),
    )
    .await;
    Ok((StatusCode::CREATED, Json(view(&app, created).await?)))
}

#[utoipa::path(put, path = "/api/admin/departments/{id}", tag = "admin",
    request_body = DepartmentChanges,
    params(("id" = i64, Path, description = "Department id")),
    responses(
        (status = 200, description = "Saved", body = AdminDepartment),
        (status = 400, description = "Empty or too long name, a bad URL prefix, an unknown agent",
         body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such department", body = ApiErrorBody),
        (status = 409, description = "The site has a department of that name (`conflict`)",
         body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn update_department(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
    JsonBody(changes): JsonBody<DepartmentChanges>,
) -> AppResult<Json<AdminDepartment>> {
    let id = DepartmentId(parse_id(&id)?);
    let site = app.store.department(id).await?.site_id;
    // Validate everything before changing anything.
    let name = match &changes.name {
        Some(n) => Some(departments::department_name(n).map_err(invalid)?),
        None => None,
    };
    let prefixes = match &changes.url_prefixes {
        Some(p) => Some(departments::url_prefixes(p).map_err(invalid)?),
        None => None,
    };
    if let Some(name) = name {
        app.store
            .rename_department(id, &name)
            .await
            .map_err(name_taken)?;
    }
    if let Some(prefixes) = prefixes {
        app.store.set_url_prefixes(id, &prefixes).await?;
    }
    if let Some(agents) = &changes.agents {
        app.store
            .set_department_agents(id, agents)
            .await
            .map_err(|e| unknown_in_list(e, "agent"))?;
    }
    let department = app.store.department(id).await?;
    announce(&app, site).await?;
    let fields: Vec<&str> = [
        ("name", changes.name.is_some()),
        ("url_prefixes", changes.url_prefixes.is_some()),
        ("agents", changes.agents.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, given)| given.then_some(f))
    .collect();
    let detail = json!({ "fields": fields });
    record(
        &app,
        &admin,
        AuditAction::DepartmentUpdated,
        &department,
        detail,
    )
    .await;
    Ok(Json(view(&app, department).await?))
}

#[utoipa::path(delete, path = "/api/admin/departments/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Department id")),
    responses(
        (status = 204, description = "Deleted; its chats keep their history"),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such department", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn delete_department(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = DepartmentId(parse_id(&id)?);
    let department = app.store.department(id).await?;
    let site = department.site_id;
    app.store.delete_department(id).await?;
    announce(&app, site).await?;
    record(
        &app,
        &admin,
        AuditAction::DepartmentDeleted,
        &department,
        json!({}),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/admin/agents/{id}/departments", tag = "admin",
    request_body = AgentDepartmentsInput,
    params(("id" = i64, Path, description = "Agent id")),
    responses(
        (status = 204, description = "Saved: exactly these departments"),
        (status = 400, description = "An unknown department", body = ApiErrorBody),
        (status = 403, description = "Not an admin, or bad Origin", body = ApiErrorBody),
        (status = 404, description = "No such agent", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn set_agent_departments(
    State(app): State<App>,
    AdminAgent(admin): AdminAgent,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<AgentDepartmentsInput>,
) -> AppResult<StatusCode> {
    let agent = app.store.agent(AgentId(parse_id(&id)?)).await?;
    let before = app.store.departments_of_agent(agent.id).await?;
    app.store
        .set_agent_departments(agent.id, &input.departments)
        .await
        .map_err(|e| unknown_in_list(e, "department"))?;
    let mut sites: Vec<SiteId> = Vec::new();
    for d in before.iter().chain(&input.departments) {
        if let Ok(d) = app.store.department(*d).await
            && !sites.contains(&d.site_id)
        {
            sites.push(d.site_id);
        }
    }
    for site in sites {
        announce(&app, site).await?;
    }
    let mut after = input.departments.clone();
    after.sort_by_key(|d| d.0);
    after.dedup();
    if before != after {
        audit::record(
            &app,
            &admin.who(),
            AuditAction::AgentUpdated,
            Some(&agent.email),
            None,
            json!({ "departments": after, "before": before }),
        )
        .await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The audit entry of a department change: its name as the target, its site, its id in the
/// detail (with what else `detail` holds).
async fn record(
    app: &App,
    admin: &AuthAgent,
    action: AuditAction,
    department: &Department,
    mut detail: serde_json::Value,
) {
    detail["department_id"] = json!(department.id);
    let target = Some(department.name.as_str());
    audit::record(
        app,
        &admin.who(),
        action,
        target,
        Some(department.site_id),
        detail,
    )
    .await;
}
