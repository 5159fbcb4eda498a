//! [`TestApp`]: a running server on an ephemeral port with its own data directory (or cluster
//! database), its manual clock, and the fixtures tests build on it: sites, agents, visitors.

use super::{AgentClient, PASSWORD, START, VisitorClient, Ws, accept, unique};
use crate::backend::{self, Backend, ClusterEnv};
use frontdesk::clock::{Clock, ManualClock};
use frontdesk::config::Settings;
use frontdesk::startup::{self, Running};
use frontdesk_core::model::{NewAgent, NewSite, Site};
use frontdesk_core::{SiteId, SiteKey, Timestamp};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

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
        TestApp::running(running, dir, settings, clock, None)
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
        TestApp::running(running, dir, settings, clock, cluster)
    }

    /// The `TestApp` of a server that has started on `settings.listen`.
    fn running(
        running: Running,
        dir: tempfile::TempDir,
        settings: Settings,
        clock: ManualClock,
        cluster: Option<Arc<ClusterEnv>>,
    ) -> TestApp {
        let addr = settings.listen;
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

    /// The server's OpenAPI document (`GET /api/openapi.json`, 200), as JSON.
    pub async fn openapi_document(&self) -> serde_json::Value {
        let resp = reqwest::get(format!("{}/api/openapi.json", self.base))
            .await
            .expect("GET /api/openapi.json");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("JSON")
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

    /// A chat on `site` that visitor "Ann" requested and On-Line agent "Alice" accepted (the
    /// visitor has seen `chat.accepted`): Alice, her socket, the visitor, and the chat id.
    pub async fn accepted_chat(&self, site: &Site) -> (AgentClient, Ws, VisitorClient, i64) {
        let (alice, mut a) = self.online_agent("Alice").await;
        let mut visitor = self.visitor(site).await;
        let chat = visitor.request_chat(Some("Ann")).await;
        accept(&mut a, chat).await;
        visitor.ws.expect("chat.accepted").await;
        (alice, a, visitor, chat)
    }

    /// The requeue grace period (30 s), counted from the moment the owner's last connection
    /// went: 29 s on, `chat` is not announced to `watcher`; 2 s more, it is announced again as
    /// pending and `visitor` is told it is queued.
    pub async fn requeues_after_grace(
        &self,
        watcher: &mut Ws,
        visitor: &mut VisitorClient,
        chat: i64,
    ) {
        self.clock.advance(Duration::from_secs(29));
        watcher.assert_none("chat.requested").await;
        self.clock.advance(Duration::from_secs(2));
        let f = watcher.requested(chat).await;
        assert_eq!(f["chat"]["state"], "pending");
        visitor
            .ws
            .wait_for("queued again", |f| f["type"] == "chat.queued")
            .await;
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
