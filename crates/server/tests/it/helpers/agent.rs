//! [`AgentClient`]: an agent signed in over REST (cookie session, `Origin` set for the CSRF
//! check), and the agent's moves on its socket ([`accept`], [`agent_say`]).

use super::{PASSWORD, TestApp, Ws, unique};
use frontdesk_core::AgentId;
use serde_json::{Value, json};

pub struct AgentClient {
    pub id: AgentId,
    pub email: String,
    pub name: String,
    pub cookie: String,
    pub http: reqwest::Client,
    pub base: String,
}

impl AgentClient {
    pub async fn sign_in(app: &TestApp, id: AgentId, email: &str, name: &str) -> AgentClient {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let resp = login(&http, app, email, PASSWORD).await;
        assert_eq!(resp.status(), 200, "login as {email}");
        let cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.split(';').next().filter(|c| c.starts_with("fd_session=")))
            .expect("session cookie")
            .to_string();
        AgentClient {
            id,
            email: email.to_string(),
            name: name.to_string(),
            cookie,
            http,
            base: app.base.clone(),
        }
    }

    pub async fn connect(&self, app: &TestApp) -> Ws {
        let mut ws = Ws::open(
            &format!("ws://{}/ws/agent", app.addr),
            &app.base,
            Some(&self.cookie),
        )
        .await
        .expect("agent socket opens");
        ws.expect("snapshot").await;
        ws
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("Origin", &self.base)
            .json(&body)
            .send()
            .await
            .expect("POST")
    }
}

/// Posts a sign-in (`/api/auth/login`, from the server's own origin) with `http`.
pub async fn login(
    http: &reqwest::Client,
    app: &TestApp,
    email: &str,
    password: &str,
) -> reqwest::Response {
    http.post(format!("{}/api/auth/login", app.base))
        .header("Origin", &app.base)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login")
}

/// Accepts `chat` as the agent on `ws`; returns the answer frame.
pub async fn accept(ws: &mut Ws, chat: i64) -> Value {
    ws.request(json!({"type":"accept","chat_id": chat})).await
}

/// Agent says `body` in `chat`; returns the ack.
pub async fn agent_say(ws: &mut Ws, chat: i64, body: &str) -> Value {
    ws.request(json!({"type":"message","chat_id": chat,"client_id": unique("a"),"body": body}))
        .await
}
