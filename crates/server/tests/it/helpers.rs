//! `TestApp`: a running server and typed clients for agents and visitors. The server runs on
//! the backend `FRONTDESK_TEST_BACKEND` names (see `backend.rs`): the same tests cover both.

#![allow(dead_code)]

use crate::backend::{self, Backend, ClusterEnv};
use frontdesk::clock::{Clock, ManualClock};
use frontdesk::config::Settings;
use frontdesk::startup::{self, Running};
use frontdesk_core::model::{NewAgent, NewSite, Site};
use frontdesk_core::{AgentId, SiteId, SiteKey, Timestamp};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Message, protocol::WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Long enough never to fire on a healthy run; a failing test ends instead of hanging.
pub const WAIT: Duration = Duration::from_secs(20);

/// 2026-11-25T12:00:00Z.
pub const START: Timestamp = Timestamp(1_795_608_000_000);

pub const PASSWORD: &str = "correct horse battery";

static SEQ: AtomicU64 = AtomicU64::new(1);

pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", SEQ.fetch_add(1, Ordering::Relaxed))
}

pub struct TestApp {
    pub running: Option<Running>,
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub clock: ManualClock,
    pub dir: tempfile::TempDir,
    pub settings: Settings,
    /// Cluster backend: the database and Redis prefix this server (and its restarts) use.
    pub cluster: Option<Arc<ClusterEnv>>,
}

/// Every test client comes from 127.0.0.1, like a large office: the per-IP limits are raised
/// (a test of them sets its own after this).
fn shared_ip(settings: &mut Settings) {
    settings.limits.per_ip_factor = 1000;
    settings.limits.visitor_connects_per_ip = frontdesk::config::Rate {
        per_minute: 100_000,
        burst: 100_000,
    };
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        shared_ip(&mut settings);
        let cluster = match backend::chosen() {
            Backend::Sqlite => None,
            Backend::Cluster => Some(Arc::new(ClusterEnv::create().await)),
        };
        if let Some(c) = &cluster {
            c.apply(&mut settings);
        }
        configure(&mut settings);
        TestApp::start_in(dir, settings, ManualClock::new(START), cluster).await
    }

    /// One more node of the cluster `env` (cluster tests), on the shared `clock`.
    pub async fn node(
        env: &Arc<ClusterEnv>,
        clock: &ManualClock,
        configure: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        shared_ip(&mut settings);
        env.apply(&mut settings);
        configure(&mut settings);
        TestApp::start_in(dir, settings, clock.clone(), Some(env.clone())).await
    }

    /// A server on a store the test opened itself in `dir` (fault tests keep a handle on the
    /// store to break it). Always the embedded backend.
    pub async fn on_store(
        dir: tempfile::TempDir,
        store: Arc<dyn frontdesk_core::store::Store>,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let settings = Settings {
            data_dir: dir.path().to_path_buf(),
            listen: addr,
            ..Settings::default()
        };
        let clock = ManualClock::new(START);
        let running =
            startup::start_with_store(settings.clone(), listener, Arc::new(clock.clone()), store)
                .await
                .expect("server starts");
        TestApp {
            base: format!("http://{addr}"),
            addr,
            running: Some(running),
            clock,
            dir,
            settings,
            cluster: None,
        }
    }

    /// The arguments that point the `frontdesk` command at this server's database.
    pub fn store_args(&self) -> Vec<String> {
        match &self.settings.database_url {
            Some(url) => vec!["--database-url".into(), url.clone()],
            None => vec!["--data-dir".into(), self.dir.path().display().to_string()],
        }
    }

    async fn start_in(
        dir: tempfile::TempDir,
        mut settings: Settings,
        clock: ManualClock,
        cluster: Option<Arc<ClusterEnv>>,
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        settings.listen = addr;
        let running = startup::start(settings.clone(), listener, Arc::new(clock.clone()))
            .await
            .expect("server starts");
        TestApp {
            base: format!("http://{addr}"),
            addr,
            running: Some(running),
            clock,
            dir,
            settings,
            cluster,
        }
    }

    /// Stops the server and starts a new one on the same data directory (a restart).
    pub async fn restart(mut self) -> TestApp {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        let TestApp {
            dir,
            settings,
            clock,
            cluster,
            ..
        } = self;
        TestApp::start_in(dir, settings, clock, cluster).await
    }

    pub fn app(&self) -> &frontdesk::state::App {
        &self.running.as_ref().expect("running").app
    }

    pub fn store(&self) -> &dyn frontdesk_core::store::Store {
        &*self.app().store
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A site whose base URL is `base_url` (its origin may open visitor sockets).
    pub async fn site_at(&self, name: &str, base_url: &str, tz: &str) -> Site {
        self.store()
            .create_site(
                NewSite {
                    key: SiteKey(unique("key")),
                    name: name.to_string(),
                    base_url: base_url.to_string(),
                    timezone: tz.to_string(),
                    allowed_origins: vec![],
                    email: None,
                },
                self.now(),
            )
            .await
            .expect("site")
    }

    pub async fn site(&self) -> Site {
        let n = unique("shop");
        self.site_at(&n, &format!("https://{n}.example"), "UTC")
            .await
    }

    /// An agent (signed in over REST). `sites: None` = every site.
    pub async fn agent_with(
        &self,
        name: &str,
        admin: bool,
        sites: Option<Vec<SiteId>>,
    ) -> AgentClient {
        let email = format!("{}@agents.example", unique(&name.to_lowercase()));
        let hash = hash();
        let agent = self
            .store()
            .create_agent(
                NewAgent {
                    email: email.clone(),
                    name: name.to_string(),
                    is_admin: admin,
                    password_hash: hash,
                    sites,
                },
                self.now(),
            )
            .await
            .expect("agent");
        AgentClient::sign_in(self, agent.id, &email, name).await
    }

    pub async fn agent(&self, name: &str) -> AgentClient {
        self.agent_with(name, false, None).await
    }

    /// A connected, On-Line agent socket.
    pub async fn online_agent(&self, name: &str) -> (AgentClient, Ws) {
        let a = self.agent(name).await;
        let mut ws = a.connect(self).await;
        ws.request(json!({"type":"status","status":"online"})).await;
        (a, ws)
    }

    /// A visitor socket on `site` that has said hello (with a fresh or given token).
    pub async fn visitor(&self, site: &Site) -> VisitorClient {
        VisitorClient::connect(self, site, None, None, "/").await
    }
}

fn hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| frontdesk::security::hash_password(PASSWORD).expect("hash"))
        .clone()
}

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
        let resp = http
            .post(format!("{}/api/auth/login", app.base))
            .header("Origin", &app.base)
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
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

/// A WebSocket client that keeps frames it skipped, so later waits still see them.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub backlog: VecDeque<Value>,
    next_ref: u64,
}

impl Ws {
    pub async fn open(
        url: &str,
        origin: &str,
        cookie: Option<&str>,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        Ws::open_with(url, origin, cookie, &[]).await
    }

    /// [`Ws::open`] with extra request headers (e.g. `X-Forwarded-For`).
    pub async fn open_with(
        url: &str,
        origin: &str,
        cookie: Option<&str>,
        headers: &[(&'static str, &str)],
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let mut req = url.into_client_request()?;
        for (name, value) in headers {
            req.headers_mut()
                .insert(*name, HeaderValue::from_str(value).expect("header"));
        }
        if !origin.is_empty() {
            req.headers_mut()
                .insert("Origin", HeaderValue::from_str(origin).expect("origin"));
        }
        if let Some(c) = cookie {
            req.headers_mut()
                .insert("Cookie", HeaderValue::from_str(c).expect("cookie"));
        }
        let (stream, _) = tokio_tungstenite::connect_async_with_config(
            req,
            Some(WebSocketConfig::default()),
            false,
        )
        .await?;
        Ok(Ws {
            stream,
            backlog: VecDeque::new(),
            next_ref: 1,
        })
    }

    pub async fn send(&mut self, v: Value) {
        self.stream
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.stream
            .send(Message::Text(text.to_string().into()))
            .await
            .expect("send");
    }

    /// The next frame from the socket (not the backlog); None when closed.
    pub async fn read(&mut self) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a frame within the wait limit")?;
            match msg {
                Ok(Message::Text(t)) => {
                    return Some(serde_json::from_str(t.as_str()).expect("JSON frame"));
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// Waits for a frame matching `pred` (searching skipped frames first).
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i).expect("index");
        }
        loop {
            let Some(v) = self.read().await else {
                panic!(
                    "socket closed while waiting for {what}; skipped: {:?}",
                    self.backlog
                )
            };
            if pred(&v) {
                return v;
            }
            self.backlog.push_back(v);
        }
    }

    pub async fn expect(&mut self, kind: &str) -> Value {
        let k = kind.to_string();
        self.wait_for(kind, move |v| v["type"] == k).await
    }

    /// Sends `frame` with a fresh `ref` and returns the answer (ack, error, or chat.history).
    pub async fn request(&mut self, mut frame: Value) -> Value {
        let r = format!("r{}", self.next_ref);
        self.next_ref += 1;
        frame["ref"] = json!(r);
        self.send(frame).await;
        self.wait_for("answer", move |v| v["ref"] == json!(r)).await
    }

    /// Everything the server had queued for this socket before now: sends a ping and
    /// collects frames up to the pong. (Delivery is FIFO per connection.)
    pub async fn drain(&mut self) -> Vec<Value> {
        self.send(json!({"type":"ping"})).await;
        let mut out: Vec<Value> = self.backlog.drain(..).collect();
        loop {
            let v = self.read().await.expect("pong before close");
            if v["type"] == "pong" {
                return out;
            }
            out.push(v);
        }
    }

    /// Asserts no frame of `kind` is queued for this socket now.
    pub async fn assert_none(&mut self, kind: &str) {
        let frames = self.drain().await;
        let found: Vec<&Value> = frames.iter().filter(|v| v["type"] == kind).collect();
        assert!(found.is_empty(), "unexpected {kind}: {found:?}");
        self.backlog.extend(frames);
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
        // Read until the server's close so the server has seen it.
        while let Ok(Some(Ok(_))) = tokio::time::timeout(WAIT, self.stream.next()).await {}
    }

    /// Whether the server closed the socket (reads until close, dropping frames).
    pub async fn closed_by_server(&mut self) -> bool {
        loop {
            match tokio::time::timeout(WAIT, self.stream.next()).await {
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
                Err(_) => return false,
            }
        }
    }
}

pub struct VisitorClient {
    pub ws: Ws,
    pub token: String,
    pub visitor_id: String,
    pub welcome: Value,
    pub site_key: String,
    pub origin: String,
}

impl VisitorClient {
    /// Opens `/ws/visitor` from the site's origin and says hello on `path`.
    pub async fn connect(
        app: &TestApp,
        site: &Site,
        token: Option<&str>,
        last_seq: Option<i64>,
        path: &str,
    ) -> VisitorClient {
        let origin = frontdesk_core::link::origin_of(&site.base_url).expect("origin");
        VisitorClient::connect_from(app, site, &origin, token, last_seq, path).await
    }

    pub async fn connect_from(
        app: &TestApp,
        site: &Site,
        origin: &str,
        token: Option<&str>,
        last_seq: Option<i64>,
        path: &str,
    ) -> VisitorClient {
        let mut ws = Ws::open(
            &format!("ws://{}/ws/visitor?site={}", app.addr, site.key),
            origin,
            None,
        )
        .await
        .expect("visitor socket opens");
        ws.send(json!({
            "type": "hello",
            "token": token,
            "page": {"url": format!("{}{}", site.base_url, path), "title": format!("Page {path}"), "referrer": "https://search.example/?q=shoes"},
            "last_seq": last_seq,
        }))
        .await;
        VisitorClient::after_hello(ws, site, origin.to_string()).await
    }

    /// The visitor of a socket that has just sent `hello`: waits for the `welcome`.
    pub async fn after_hello(mut ws: Ws, site: &Site, origin: String) -> VisitorClient {
        let welcome = ws.expect("welcome").await;
        VisitorClient {
            token: welcome["token"].as_str().expect("token").to_string(),
            visitor_id: welcome["visitor_id"].as_str().expect("id").to_string(),
            welcome,
            ws,
            site_key: site.key.0.clone(),
            origin,
        }
    }

    /// Requests a chat; returns its id.
    pub async fn request_chat(&mut self, name: Option<&str>) -> i64 {
        let ack = self
            .ws
            .request(json!({"type":"chat_request","name": name}))
            .await;
        assert_eq!(ack["type"], "ack", "chat request answered: {ack}");
        ack["chat_id"].as_i64().expect("chat id")
    }

    /// Sends a message frame and returns the answer (ack or error; `ref` is the client id).
    pub async fn message(&mut self, client_id: &str, body: &str) -> Value {
        self.ws
            .send(json!({"type":"message","client_id": client_id, "body": body}))
            .await;
        let cid = client_id.to_string();
        self.ws
            .wait_for("message answer", move |v| v["ref"] == json!(cid))
            .await
    }

    /// Sends a message and waits for its acknowledgement; returns the seq.
    pub async fn say(&mut self, body: &str) -> i64 {
        let client_id = unique("v");
        self.ws
            .send(json!({"type":"message","client_id": client_id, "body": body}))
            .await;
        let cid = client_id.clone();
        let ack = self
            .ws
            .wait_for("message ack", move |v| v["ref"] == json!(cid))
            .await;
        assert_eq!(ack["type"], "ack", "message acknowledged: {ack}");
        ack["seq"].as_i64().expect("seq")
    }
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
