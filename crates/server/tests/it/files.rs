//! Files in chats (issue 14), on both backends: uploads by the visitor and the agent, the
//! other side's `message` frame, downloads byte for byte with the headers that keep them
//! inert, hostile files, who may fetch what, limits, deleting a chat, and a kill -9 during
//! uploads. Helpers for the uploads and downloads are here; the tests in `files/`.

mod access;
mod cluster_crash;
mod crash;
mod flow;
mod hostile;

use crate::helpers::*;
use frontdesk_core::model::Site;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const PNG: &[u8] = include_bytes!("files/fixtures/shot.png");
pub const BOMB: &[u8] = include_bytes!("files/fixtures/bomb.zip");

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn form(name: &str, bytes: &[u8], client_id: Option<&str>) -> Form {
    let form = Form::new().part(
        "file",
        Part::bytes(bytes.to_vec()).file_name(name.to_string()),
    );
    match client_id {
        Some(c) => form.text("client_id", c.to_string()),
        None => form,
    }
}

/// An upload's answer: status and JSON body (`Value::Null` when there is none).
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        body,
        headers,
    }
}

/// The visitor uploads `bytes` named `name` from `origin` (the widget's page).
pub async fn visitor_upload_from(
    app: &TestApp,
    v: &VisitorClient,
    origin: &str,
    name: &str,
    bytes: &[u8],
    client_id: Option<&str>,
) -> Answer {
    let form = form(name, bytes, client_id)
        .text("site", v.site_key.clone())
        .text("token", v.token.clone());
    let resp = reqwest::Client::new()
        .post(format!("{}/api/visitor/files", app.base))
        .header("Origin", origin)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    answer(resp).await
}

/// The visitor uploads from their page's origin.
pub async fn visitor_upload(app: &TestApp, v: &VisitorClient, name: &str, bytes: &[u8]) -> Answer {
    visitor_upload_from(app, v, &v.origin.clone(), name, bytes, None).await
}

/// The agent uploads `bytes` named `name` into `chat`.
pub async fn agent_upload(
    agent: &AgentClient,
    chat: i64,
    name: &str,
    bytes: &[u8],
    client_id: Option<&str>,
) -> Answer {
    let resp = agent
        .http
        .post(format!("{}/api/chats/{chat}/files", agent.base))
        .header("Origin", &agent.base)
        .multipart(form(name, bytes, client_id))
        .send()
        .await
        .expect("upload");
    answer(resp).await
}

/// A download: status, headers, bytes.
pub struct Download {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Download {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn download(resp: reqwest::Response) -> Download {
    Download {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        bytes: resp.bytes().await.expect("body").to_vec(),
    }
}

/// An agent fetches `path` (`/api/files/ID` or `/api/files/ID/thumb`).
pub async fn agent_get(agent: &AgentClient, path: &str) -> Download {
    download(agent.get(path).await).await
}

/// Anyone fetches `/files/ID[/thumb]?token=TOKEN`.
pub async fn visitor_get(app: &TestApp, id: &str, thumb: bool, token: &str) -> Download {
    let suffix = if thumb { "/thumb" } else { "" };
    let resp = reqwest::Client::new()
        .get(format!("{}/files/{id}{suffix}?token={token}", app.base))
        .send()
        .await
        .expect("GET");
    download(resp).await
}

/// A site, an accepted chat on it: the agent, their socket, the visitor, the chat id.
pub async fn chatting(app: &TestApp) -> (Site, AgentClient, Ws, VisitorClient, i64) {
    let site = app.site().await;
    let (alice, a, v, chat) = app.accepted_chat(&site).await;
    (site, alice, a, v, chat)
}

/// The file id of an upload's answer.
pub fn file_id(a: &Answer) -> String {
    assert_eq!(a.status, 201, "uploaded: {}", a.body);
    a.body["file"]["id"].as_str().expect("file id").to_string()
}
