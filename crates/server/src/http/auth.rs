//! Signing in and out, the session cookie, and the `AuthAgent` extractor.

use super::extract::ApiErrorBody;
use crate::error::{AppError, AppResult};
use crate::realtime::bus::BusEvent;
use crate::security::{hash_password, random_token, token_hash, verify_password};
use crate::services::audit::{self, Who};
use crate::state::App;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use frontdesk_core::audit::{Actor, AuditAction};
use frontdesk_core::model::{Agent, Session};
use frontdesk_core::tokens::ApiToken;
use frontdesk_core::{AgentId, ErrorCode};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

pub const COOKIE: &str = "fd_session";

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/me/password", post(change_password))
}

/// The signed-in agent of a request: from the session cookie, or from an API token
/// (`Authorization: Bearer`, checked by [`super::bearer::authenticate`]), which acts for the
/// admin who created it.
#[derive(Clone)]
pub struct AuthAgent {
    pub agent: Agent,
    /// The session's hash; empty for a token.
    pub session_hash: String,
    /// The API token of the request, when it came with one instead of a cookie.
    pub token: Option<ApiToken>,
    /// The client's address (after trusted proxies), for the audit log.
    pub ip: Option<String>,
}

impl AuthAgent {
    /// Who acts, for the audit log: the agent, or the token.
    pub fn who(&self) -> Who {
        let actor = match &self.token {
            Some(t) => Actor::Token {
                id: t.id,
                name: t.name.clone(),
                agent: self.agent.id,
            },
            None => Actor::Agent {
                id: self.agent.id,
                name: self.agent.name.clone(),
            },
        };
        Who {
            actor,
            ip: self.ip.clone(),
        }
    }
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The client's address of a request (after trusted proxies).
pub fn request_ip(app: &App, parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| {
            crate::tracking::ip::client_ip(peer.ip(), &parts.headers, &app.settings.trusted_proxies)
                .to_string()
        })
}

impl FromRequestParts<App> for AuthAgent {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let ip = request_ip(app, parts);
        if let Some(super::bearer::BearerToken(token)) = parts.extensions.get().cloned() {
            // The token acts for its creator; a removed creator's tokens stop working.
            let agent = app
                .store
                .agent(token.created_by)
                .await
                .map_err(|_| AppError::unauthorized())?;
            return Ok(AuthAgent {
                agent,
                session_hash: String::new(),
                token: Some(token),
                ip,
            });
        }
        let token = session_cookie(&parts.headers).ok_or_else(AppError::unauthorized)?;
        let hash = token_hash(&token);
        let session = app
            .store
            .session(&hash, app.now())
            .await
            .map_err(|_| AppError::unauthorized())?;
        let agent = app
            .store
            .agent(session.agent_id)
            .await
            .map_err(|_| AppError::unauthorized())?;
        Ok(AuthAgent {
            agent,
            session_hash: hash,
            token: None,
            ip,
        })
    }
}

/// An admin; anyone else gets 403.
pub struct AdminAgent(pub AuthAgent);

impl FromRequestParts<App> for AdminAgent {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let a = AuthAgent::from_request_parts(parts, app).await?;
        if a.agent.is_admin {
            Ok(AdminAgent(a))
        } else {
            Err(AppError::forbidden())
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[schema(as = LoginRequest)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

/// The signed-in agent.
#[derive(Serialize, ToSchema)]
#[schema(as = LoginResponse)]
pub struct AgentBody {
    #[schema(value_type = AgentId)]
    pub agent_id: i64,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
}

/// `Secure` whenever people reach us over HTTPS: TLS in this process (`tls_cert`), or an
/// `https://` public URL (a TLS-terminating proxy in front; the proxy, not a request header,
/// is what the operator vouches for, so `X-Forwarded-Proto` is not consulted).
fn cookie_header(app: &App, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if app.settings.tls_enabled() || app.public_base.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .ok()
}

#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in; sets the `fd_session` cookie", body = AgentBody),
        (status = 401, description = "Wrong email or password (`bad_credentials`)", body = ApiErrorBody),
        (status = 403, description = "Missing or foreign Origin (`origin_refused`)", body = ApiErrorBody),
        (status = 429, description = "Too many attempts (`rate_limited`)", body = ApiErrorBody),
    ))]
pub async fn login(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<LoginBody>,
) -> AppResult<Response> {
    let ip = crate::tracking::ip::client_ip(peer.ip(), &headers, &app.settings.trusted_proxies);
    if !app
        .login_limits
        .allow(&app.settings.limits, ip, &body.email)
    {
        app.metrics.refused("login");
        return Err(AppError::new(
            ErrorCode::RateLimited,
            "Too many sign-in attempts; wait a minute.",
        ));
    }
    let found = app.store.agent_by_email(body.email.trim()).await.ok();
    let hash = found
        .as_ref()
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| app.dummy_hash.clone());
    let password = body.password.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let Some((agent, _)) = found.filter(|_| ok) else {
        let who = Who {
            actor: Actor::Anonymous,
            ip: Some(ip.to_string()),
        };
        audit::record(
            &app,
            &who,
            AuditAction::SignInFailed,
            Some(body.email.trim()),
            None,
            serde_json::json!({}),
        )
        .await;
        return Err(AppError::new(
            ErrorCode::BadCredentials,
            "Wrong email or password.",
        ));
    };
    // A new session id at every sign-in.
    let token = random_token();
    let now = app.now();
    app.store
        .create_session(Session {
            token_hash: token_hash(&token),
            agent_id: agent.id,
            created_at: now,
            expires_at: now.plus_millis(app.settings.session_hours as i64 * 3_600_000),
        })
        .await?;
    let who = Who {
        actor: Actor::Agent {
            id: agent.id,
            name: agent.name.clone(),
        },
        ip: Some(ip.to_string()),
    };
    audit::record(
        &app,
        &who,
        AuditAction::SignIn,
        Some(&agent.email),
        None,
        serde_json::json!({}),
    )
    .await;
    let mut resp = Json(AgentBody {
        agent_id: agent.id.0,
        name: agent.name.clone(),
        email: agent.email.clone(),
        is_admin: agent.is_admin,
    })
    .into_response();
    if let Some(c) = cookie_header(&app, &token, app.settings.session_hours as i64 * 3600) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(resp)
}

#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out: the session and its sockets end"),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn logout(State(app): State<App>, auth: AuthAgent) -> AppResult<Response> {
    app.store.delete_session(&auth.session_hash).await?;
    audit::record(
        &app,
        &auth.who(),
        AuditAction::SignOut,
        Some(&auth.agent.email),
        None,
        serde_json::json!({}),
    )
    .await;
    app.bus
        .publish(BusEvent::EndSessions {
            agent: auth.agent.id,
            session: Some(auth.session_hash.clone()),
            except: None,
        })
        .await;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Some(c) = cookie_header(&app, "", 0) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(resp)
}

#[derive(Serialize, ToSchema)]
#[schema(as = MeResponse)]
pub struct MeBody {
    #[schema(value_type = AgentId)]
    agent_id: i64,
    name: String,
    email: String,
    is_admin: bool,
    status: frontdesk_core::model::AgentStatus,
    sites: Vec<frontdesk_core::protocol::SiteMembershipView>,
}

#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses(
        (status = 200, description = "The signed-in agent and their sites", body = MeBody),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn me(State(app): State<App>, auth: AuthAgent) -> AppResult<Json<MeBody>> {
    let memberships = crate::services::access::memberships(&app, auth.agent.id).await?;
    let mut sites = Vec::new();
    for m in memberships {
        let s = app.store.site(m.site_id).await?;
        sites.push(frontdesk_core::protocol::SiteMembershipView {
            site_id: s.id,
            name: s.name,
            base_url: s.base_url,
            monitoring: m.monitoring,
            supervisor: auth.agent.is_admin || m.supervisor,
            files_off: !s.settings.files.enabled,
        });
    }
    Ok(Json(MeBody {
        agent_id: auth.agent.id.0,
        name: auth.agent.name,
        email: auth.agent.email,
        is_admin: auth.agent.is_admin,
        status: auth.agent.status,
        sites,
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = PasswordChange)]
pub struct PasswordBody {
    current_password: String,
    /// At least 8 characters.
    new_password: String,
}

/// Minimum password length for agents.
pub const MIN_PASSWORD: usize = 8;

pub async fn hash_new_password(password: String) -> AppResult<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::bad_request(format!(
            "A password needs at least {MIN_PASSWORD} characters."
        )));
    }
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(AppError::internal)
}

#[utoipa::path(post, path = "/api/me/password", tag = "auth", request_body = PasswordBody,
    responses(
        (status = 204, description = "Changed; every other session of the agent ends"),
        (status = 400, description = "New password too short (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "Current password wrong (`bad_credentials`)", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn change_password(
    State(app): State<App>,
    auth: AuthAgent,
    Json(body): Json<PasswordBody>,
) -> AppResult<StatusCode> {
    let (_, hash) = app.store.agent_by_email(&auth.agent.email).await?;
    let current = body.current_password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, &hash))
        .await
        .unwrap_or(false);
    if !ok {
        return Err(AppError::new(
            ErrorCode::BadCredentials,
            "The current password is wrong.",
        ));
    }
    let new_hash = hash_new_password(body.new_password).await?;
    app.store.set_password(auth.agent.id, &new_hash).await?;
    end_other_sessions(&app, auth.agent.id, Some(auth.session_hash.clone())).await?;
    audit::record(
        &app,
        &auth.who(),
        AuditAction::PasswordChanged,
        Some(&auth.agent.email),
        None,
        serde_json::json!({}),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the agent except `keep` (and closes their sockets at once).
pub async fn end_other_sessions(
    app: &App,
    agent: frontdesk_core::AgentId,
    keep: Option<String>,
) -> AppResult<()> {
    app.store.delete_sessions_of(agent).await?;
    if let Some(keep) = &keep {
        // Re-create the kept session: delete_sessions_of removed it too.
        let now = app.now();
        app.store
            .create_session(Session {
                token_hash: keep.clone(),
                agent_id: agent,
                created_at: now,
                expires_at: now.plus_millis(app.settings.session_hours as i64 * 3_600_000),
            })
            .await?;
    }
    app.bus
        .publish(BusEvent::EndSessions {
            agent,
            session: None,
            except: keep,
        })
        .await;
    Ok(())
}
