//! REST: one chat, read by an agent of its site: the chat and its messages, transcripts as
//! files (text, HTML, `.eml` draft), a `mailto:` link, and the transcript sent by email.
//!
//! A chat of a site the agent does not belong to answers exactly like a missing one (404), and
//! so does an id that is not a positive integer.
//!
//! Internal notes: the chat view and the Save downloads (`.txt`, `.html`) are the agent's and
//! show them (marked); the `.eml` draft and the `mailto:` link never carry them; an email only
//! when asked for with `include_notes`, and never to the chat's visitor address
//! (`frontdesk_core::notes::email_with_notes`). Every route here needs an agent's session: a
//! visitor has none (401).

use super::auth::AuthAgent;
use super::extract::{ApiErrorBody, JsonBody, QueryParams, parse_id};
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::services::{access, summary, transcript};
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use frontdesk_core::model::Chat;
use frontdesk_core::notes::email_with_notes;
use frontdesk_core::protocol::{AgentMessageView, ChatSummary};
use frontdesk_core::{ChatId, ErrorCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/chats/{chat_id}", get(get_chat))
        .route("/api/chats/{chat_id}/transcript.txt", get(transcript_txt))
        .route("/api/chats/{chat_id}/transcript.html", get(transcript_html))
        .route("/api/chats/{chat_id}/transcript.eml", get(transcript_eml))
        .route("/api/chats/{chat_id}/mailto", get(mailto))
        .route("/api/chats/{chat_id}/email", post(email))
}

/// A chat and every message in it, in order.
#[derive(Serialize, ToSchema)]
pub struct ChatWithMessages {
    pub chat: ChatSummary,
    pub messages: Vec<AgentMessageView>,
}

/// An optional recipient address.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ToParam {
    /// Recipient email address.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MailtoLink {
    /// `mailto:ADDR?subject=...&body=...` (the body is the plain-text transcript, cut short).
    pub href: String,
}

#[derive(Deserialize, ToSchema)]
pub struct EmailRequest {
    /// Recipient email address.
    pub to: String,
    /// "Include internal notes": the transcript carries the chat's notes, marked. Refused
    /// (400 `bad_request`) when `to` is the email the visitor gave. Default false.
    #[serde(default)]
    pub include_notes: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EmailSent {
    pub sent: bool,
}

/// The chat, if the id parses and the agent belongs to its site.
async fn load(app: &App, auth: &AuthAgent, raw_id: &str) -> AppResult<Chat> {
    let id = ChatId(parse_id(raw_id)?);
    access::chat_for_agent(app, auth.agent.id, id).await
}

/// Checks an email address; `None` for an empty one.
fn address(raw: &str) -> AppResult<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<lettre::Address>()
        .map(|a| Some(a.to_string()))
        .map_err(|_| AppError::bad_request("That is not a valid email address."))
}

/// A file download: content type and `Content-Disposition: attachment`.
fn attachment(content_type: &'static str, file_name: String, body: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let mut resp = body.into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The `From:` of drafts: the SMTP sender, else `frontdesk@<public host>`.
fn draft_from(app: &App) -> String {
    if let Some(smtp) = &app.settings.smtp {
        return smtp.from.clone();
    }
    let host = url::Url::parse(&app.public_base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "localhost".to_string());
    format!("frontdesk@{host}")
}

#[utoipa::path(
    get,
    path = "/api/chats/{chat_id}",
    tag = "chats",
    params(("chat_id" = i64, Path, description = "Chat id")),
    responses(
        (status = 200, description = "The chat and all its messages", body = ChatWithMessages),
        (status = 401, description = "Not signed in", body = ApiErrorBody),
        (status = 404, description = "No such chat, or not of a site of yours", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn get_chat(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
) -> AppResult<Json<ChatWithMessages>> {
    let chat = load(&app, &auth, &chat_id).await?;
    let chat_summary = summary::chat_summary(&app, &chat).await?;
    let t = transcript::load(&app, chat).await?;
    Ok(Json(ChatWithMessages {
        chat: chat_summary,
        messages: t.messages.iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/api/chats/{chat_id}/transcript.txt",
    tag = "chats",
    params(("chat_id" = i64, Path, description = "Chat id")),
    responses(
        (status = 200, description = "Plain-text transcript (attachment chat-ID.txt)",
         content_type = "text/plain", body = String),
        (status = 404, description = "No such chat", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn transcript_txt(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
) -> AppResult<Response> {
    let chat = load(&app, &auth, &chat_id).await?;
    let t = transcript::load(&app, chat).await?;
    let name = format!("{}.txt", transcript::file_stem(t.chat.id));
    Ok(attachment(
        "text/plain; charset=utf-8",
        name,
        transcript::to_text(&t).into_bytes(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/chats/{chat_id}/transcript.html",
    tag = "chats",
    params(("chat_id" = i64, Path, description = "Chat id")),
    responses(
        (status = 200, description = "HTML transcript, every stored string escaped \
         (attachment chat-ID.html)", content_type = "text/html", body = String),
        (status = 404, description = "No such chat", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn transcript_html(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
) -> AppResult<Response> {
    let chat = load(&app, &auth, &chat_id).await?;
    let t = transcript::load(&app, chat).await?;
    let name = format!("{}.html", transcript::file_stem(t.chat.id));
    let mut resp = attachment(
        "text/html; charset=utf-8",
        name,
        transcript::to_html(&t).into_bytes(),
    );
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    Ok(resp)
}

#[utoipa::path(
    get,
    path = "/api/chats/{chat_id}/transcript.eml",
    tag = "chats",
    params(("chat_id" = i64, Path, description = "Chat id"), ToParam),
    responses(
        (status = 200, description = "An unsent email draft (`X-Unsent: 1`) with the transcript \
         as text and HTML (attachment chat-ID.eml), never with internal notes",
         content_type = "message/rfc822", body = String),
        (status = 400, description = "`to` is not a valid address", body = ApiErrorBody),
        (status = 404, description = "No such chat", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn transcript_eml(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
    QueryParams(q): QueryParams<ToParam>,
) -> AppResult<Response> {
    let chat = load(&app, &auth, &chat_id).await?;
    let to = address(q.to.as_deref().unwrap_or_default())?;
    // A draft goes wherever the agent's mail program sends it: never with notes.
    let t = transcript::load(&app, chat).await?.without_notes();
    let draft = mail::eml_draft(
        &draft_from(&app),
        to.as_deref(),
        &transcript::subject(&t),
        transcript::to_text(&t),
        transcript::to_html(&t),
    )
    .map_err(|e| match e {
        mail::MailError::Address(_) => AppError::bad_request(e.to_string()),
        _ => AppError::internal(e.to_string()),
    })?;
    let name = format!("{}.eml", transcript::file_stem(t.chat.id));
    Ok(attachment("message/rfc822", name, draft))
}

#[utoipa::path(
    get,
    operation_id = "transcript_mailto",
    path = "/api/chats/{chat_id}/mailto",
    tag = "chats",
    params(("chat_id" = i64, Path, description = "Chat id"), ToParam),
    responses(
        (status = 200, description = "A mailto: link with the transcript (never with internal \
         notes)", body = MailtoLink),
        (status = 400, description = "`to` is not a valid address", body = ApiErrorBody),
        (status = 404, description = "No such chat", body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn mailto(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
    QueryParams(q): QueryParams<ToParam>,
) -> AppResult<Json<MailtoLink>> {
    let chat = load(&app, &auth, &chat_id).await?;
    let to = address(q.to.as_deref().unwrap_or_default())?.unwrap_or_default();
    let t = transcript::load(&app, chat).await?.without_notes();
    Ok(Json(MailtoLink {
        href: transcript::mailto(&t, &to),
    }))
}

#[utoipa::path(
    post,
    operation_id = "email_transcript",
    path = "/api/chats/{chat_id}/email",
    tag = "chats",
    params(("chat_id" = i64, Path, description = "Chat id")),
    request_body = EmailRequest,
    responses(
        (status = 202, description = "Handed to the mail server", body = EmailSent),
        (status = 400, description = "Not a valid address, or `include_notes` to the visitor's \
         own address (`bad_request`)", body = ApiErrorBody),
        (status = 403, description = "Missing or foreign Origin (`origin_refused`)", body = ApiErrorBody),
        (status = 404, description = "No such chat", body = ApiErrorBody),
        (status = 503, description = "No SMTP configured, or the mail server failed (`unavailable`)",
         body = ApiErrorBody),
    ),
    security(("session" = []))
)]
pub async fn email(
    State(app): State<App>,
    auth: AuthAgent,
    Path(chat_id): Path<String>,
    JsonBody(body): JsonBody<EmailRequest>,
) -> AppResult<(StatusCode, Json<EmailSent>)> {
    let chat = load(&app, &auth, &chat_id).await?;
    let Some(to) = address(&body.to)? else {
        return Err(AppError::bad_request("An email address is required."));
    };
    let with_notes = email_with_notes(body.include_notes, &to, chat.visitor_email.as_deref())
        .map_err(|e| AppError::new(e.code(), e.to_string()))?;
    let Some(mailer) = app.mailer.clone() else {
        return Err(AppError::new(
            ErrorCode::Unavailable,
            "Email is not configured on this server (no SMTP settings); download the transcript instead.",
        ));
    };
    let t = transcript::load(&app, chat).await?;
    let t = if with_notes { t } else { t.without_notes() };
    let sent = mailer
        .send(
            &to,
            &transcript::subject(&t),
            transcript::to_text(&t),
            transcript::to_html(&t),
        )
        .await;
    match sent {
        Ok(()) => Ok((StatusCode::ACCEPTED, Json(EmailSent { sent: true }))),
        Err(mail::MailError::Address(_)) => {
            Err(AppError::bad_request("That is not a valid email address."))
        }
        Err(e) => {
            tracing::warn!(chat = t.chat.id.0, error = %e, "transcript email failed");
            Err(AppError::new(
                ErrorCode::Unavailable,
                "The mail server could not be reached or refused the message; nothing was sent.",
            ))
        }
    }
}
