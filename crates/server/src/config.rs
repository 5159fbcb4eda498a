//! Settings: defaults in code, then an optional TOML file, then environment and flags
//! (clap reads `FRONTDESK_*` variables for every flag). See `docs/configuration.md`.

use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// Everything `frontdesk serve` can be told. Field names are the TOML keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Where the SQLite database (`frontdesk.db`) lives.
    pub data_dir: PathBuf,
    /// The URL people use to reach this server (`https://chat.example.com`). Used in the embed
    /// snippet, in links in emails, and as the only Origin allowed for the console. When unset,
    /// `http://<listen>` is used.
    pub public_url: Option<String>,
    /// Create a demo site and agent when the database is empty, and serve `/demo`.
    pub demo: bool,
    /// Longest message, in characters.
    pub message_max_chars: usize,
    /// How long an agent's connections may all be gone before their chats return to the queue.
    pub requeue_grace_secs: u64,
    /// A visitor whose connections to a site have all been gone this long has left: a chat of
    /// theirs that no agent answered ends "Missed".
    pub visitor_leave_grace_secs: u64,
    /// How often each node looks for chats waiting too long (escalation), in milliseconds.
    pub waiting_sweep_ms: u64,
    /// How often each node recomputes the report rollups of hours changed since (and
    /// refreshes the On-Line time of the agents connected to it), in milliseconds.
    pub reports_rollup_ms: u64,
    /// A visit ends after this long without activity.
    pub visit_timeout_secs: u64,
    /// Server → client ping interval on WebSockets; a peer silent for two intervals is dropped.
    pub heartbeat_secs: u64,
    /// Largest WebSocket frame accepted, in bytes (refused before it is read whole).
    pub max_frame_bytes: usize,
    /// Outbound frames queued per connection before a slow reader is cut off.
    pub outbound_queue: usize,
    /// MaxMind-format GeoIP database (`GeoLite2-City.mmdb` or DB-IP Lite); none: "Unknown".
    pub geoip_db: Option<PathBuf>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Session lifetime.
    pub session_hours: u64,
    /// Audit log entries older than this many days are deleted (`0`: kept forever).
    pub audit_keep_days: u32,
    /// The privacy retention task deletes at most this many chats (or visits, or offline
    /// messages) per write, then lets other writes through (docs/privacy.md). At least 1.
    pub retention_batch: u32,
    pub smtp: Option<SmtpSettings>,
    pub limits: Limits,
    /// `[search]`: the Archive's full-text index.
    pub search: SearchSettings,
    /// `[webhooks]`: how deliveries reach receivers (docs/configuration.md "Webhooks").
    pub webhooks: WebhookSettings,
    /// Cluster mode: PostgreSQL holds the state (`postgres://user@host:5432/frontdesk`).
    /// Unset: the embedded SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Most PostgreSQL connections this node opens.
    pub database_pool_size: usize,
    /// Cluster mode: Redis carries events between nodes and shared presence
    /// (`redis://127.0.0.1:6379`). Unset: events stay in this process. Needs `database_url`.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key and channel (several clusters may share one Redis).
    pub redis_prefix: String,
    /// Cluster mode: how often a node refreshes its presence entries in Redis; a node silent
    /// for three intervals counts as gone (its agents and visitors expire).
    pub presence_heartbeat_ms: u64,
    /// TLS: the certificate chain (PEM, leaf first). With `tls_key`, the server speaks HTTPS
    /// and WSS itself; unset: plain HTTP (put a TLS-terminating proxy in front).
    pub tls_cert: Option<PathBuf>,
    /// TLS: the private key of `tls_cert` (PEM: PKCS#8, PKCS#1 or SEC1).
    pub tls_key: Option<PathBuf>,
    /// Embedded SQLite: check the whole database file (`PRAGMA quick_check`) before listening.
    /// Off (default): the check holds up start-up for at most 100 ms and a large file is checked
    /// on in the background (damage found then makes `/readyz` answer 503).
    pub database_full_check: bool,
    /// BROKEN ON PURPOSE, tests only: acknowledge messages before they are committed (the crash
    /// test shows it catches the loss this causes). Never set it in a deployment.
    pub unsafe_ack_before_commit: bool,
    /// Log filter (`info`, `debug`, `warn,frontdesk=debug`: tracing's `EnvFilter` syntax),
    /// re-read from the file on SIGHUP. `FRONTDESK_LOG` in the environment overrides it.
    pub log: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `From:` address of emails Frontdesk sends.
    pub from: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// `none` (plain, for a local relay), `starttls` or `tls`.
    #[serde(default = "default_smtp_security")]
    pub security: String,
}

fn default_smtp_port() -> u16 {
    25
}
fn default_smtp_security() -> String {
    "none".to_string()
}

/// Rate limits: `per_minute` events, with bursts up to `burst`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

/// Every abuse limit, configurable (`[limits]` in the TOML file).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Messages per visitor connection.
    pub visitor_messages: Rate,
    /// Chat requests per visitor connection.
    pub chat_requests: Rate,
    /// Typing events per connection.
    pub typing: Rate,
    /// Page views per visitor connection.
    pub page_views: Rate,
    /// Offline messages per visitor connection.
    pub offline_messages: Rate,
    /// Frames of any kind per agent connection.
    pub agent_frames: Rate,
    /// Sign-in attempts per IP address.
    pub login_per_ip: Rate,
    /// Sign-in attempts per account.
    pub login_per_account: Rate,
    /// Visitor WebSocket connections per IP address.
    pub visitor_sockets_per_ip: usize,
    /// The visitor frame limits above also count per visitor (across its connections) and per
    /// client IP; an IP may send this many times what one visitor may (shared addresses).
    pub per_ip_factor: u32,
    /// New visitor WebSocket connections (upgrades) per IP address.
    pub visitor_connects_per_ip: Rate,
    /// Replay window, by count: a reconnecting client missing more messages of a chat than
    /// this gets `chat.resync` (the latest messages) instead of the missing ones.
    pub replay_max_messages: u32,
    /// Replay window, by age: when the oldest missing message is older than this many seconds
    /// (by the server's clock), the client gets `chat.resync` instead of a replay.
    pub replay_max_age_secs: u64,
    /// Milliseconds a connection has to finish its TLS handshake and each request's headers
    /// (the WebSocket upgrade included); also how long an idle keep-alive connection is kept.
    /// Slow or stalled clients (slowloris) are cut off after it.
    pub header_read_timeout_ms: u64,
    /// Most colleagues who may join one chat besides its owner ("Invite Agent", a supervisor's
    /// "Join"); `0` turns colleagues off. Beyond it: `at_capacity`.
    pub colleagues_per_chat: u32,
    /// Longest chat tag, in characters ("Tags" in the chat window).
    pub tag_max_chars: usize,
    /// Most tags on one chat.
    pub tags_per_chat: usize,
    /// Most of a site's tags offered as suggestions (most used first).
    pub tag_suggestions: u32,
    /// The server's cap on one file, in bytes, whatever a site's "Largest file" says (also
    /// the request body limit of an upload).
    pub file_max_bytes: u64,
    /// Uploads per visitor (and × `per_ip_factor` per client IP), and per agent.
    pub file_uploads: Rate,
    /// "Email me this transcript" per visitor (and × `per_ip_factor` per client IP).
    pub transcript_emails: Rate,
    /// `rate` frames per visitor connection.
    pub ratings: Rate,
    /// "Search chats" in the Archive (`GET /api/archive` and `/api/archive/count` with `q`),
    /// per agent.
    pub archive_searches: Rate,
    /// REST requests per API token (`Authorization: Bearer fd_...`); beyond it `rate_limited`.
    pub api_token_requests: Rate,
    /// Verified visitor identity (`[limits.identity]`): attributes kept, their lengths, and
    /// the grace period of a rotated identity secret.
    pub identity: frontdesk_core::identity::IdentityLimits,
    /// Unknown, revoked or expired API tokens per client address: past it, that address's
    /// bearer requests are refused `rate_limited` without a database lookup until a unit frees.
    pub api_token_misses_per_ip: Rate,
    /// Visitors per page of the console's "Visitors on Site" (the snapshot's `visitors` and
    /// each `visitors.page`); `0` counts as 1.
    pub visitors_page: usize,
}

impl Limits {
    /// The tag rule's limits.
    pub fn tags(&self) -> frontdesk_core::tags::TagLimits {
        frontdesk_core::tags::TagLimits {
            max_chars: self.tag_max_chars,
            per_chat: self.tags_per_chat,
        }
    }

    /// Visitors per page of "Visitors on Site" (at least 1).
    pub fn visitors_page(&self) -> usize {
        self.visitors_page.max(1)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            visitor_messages: Rate {
                per_minute: 60,
                burst: 20,
            },
            chat_requests: Rate {
                per_minute: 10,
                burst: 10,
            },
            typing: Rate {
                per_minute: 120,
                burst: 30,
            },
            page_views: Rate {
                per_minute: 60,
                burst: 20,
            },
            offline_messages: Rate {
                per_minute: 3,
                burst: 2,
            },
            agent_frames: Rate {
                per_minute: 1200,
                burst: 200,
            },
            login_per_ip: Rate {
                per_minute: 10,
                burst: 10,
            },
            login_per_account: Rate {
                per_minute: 5,
                burst: 5,
            },
            visitor_sockets_per_ip: 50,
            per_ip_factor: 10,
            visitor_connects_per_ip: Rate {
                per_minute: 60,
                burst: 20,
            },
            replay_max_messages: 1000,
            replay_max_age_secs: 24 * 3600,
            header_read_timeout_ms: 10_000,
            tag_max_chars: 40,
            tags_per_chat: 20,
            tag_suggestions: 200,
            file_max_bytes: 10 * 1024 * 1024,
            file_uploads: Rate {
                per_minute: 10,
                burst: 5,
            },
            transcript_emails: Rate {
                per_minute: 2,
                burst: 2,
            },
            ratings: Rate {
                per_minute: 10,
                burst: 5,
            },
            archive_searches: Rate {
                per_minute: 60,
                burst: 20,
            },
            api_token_requests: Rate {
                per_minute: 600,
                burst: 100,
            },
            api_token_misses_per_ip: Rate {
                per_minute: 30,
                burst: 10,
            },
            colleagues_per_chat: frontdesk_core::colleagues::DEFAULT_CAP,
            identity: frontdesk_core::identity::IdentityLimits::default(),
            visitors_page: 500,
        }
    }
}

/// `[search]` (docs/configuration.md "Search").
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchSettings {
    /// Keep the full-text index of messages and chats, written with each message (default
    /// true). Off: nothing is indexed and a search is answered `search_off`; turning it back
    /// on needs `frontdesk search rebuild`.
    pub index: bool,
}

impl Default for SearchSettings {
    fn default() -> SearchSettings {
        SearchSettings { index: true }
    }
}

/// `[webhooks]` (docs/configuration.md "Webhooks"): limits that keep a slow or hostile
/// receiver from costing more than its own deliveries.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    /// Deliver to private, loopback, link-local and unique-local addresses too (default
    /// false: such addresses are refused after DNS resolution, against SSRF). For receivers
    /// inside your own network, and tests.
    pub allow_private_addresses: bool,
    /// Deliveries in flight at once on this node.
    pub concurrency: usize,
    /// Longest wait for the TCP (and TLS) connection, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Longest time one delivery may take in all (connect, send, answer), in milliseconds.
    pub timeout_ms: u64,
    /// Most bytes of a receiver's answer read (the rest is not read; the attempt still counts).
    pub max_response_bytes: usize,
    /// How often each node looks for due deliveries besides being woken by a new event, in
    /// milliseconds (retries, other nodes' events).
    pub poll_ms: u64,
    /// Delivered and failed deliveries are kept this many days in the deliveries log.
    pub keep_deliveries_days: u32,
}

impl Default for WebhookSettings {
    fn default() -> WebhookSettings {
        WebhookSettings {
            allow_private_addresses: false,
            concurrency: 8,
            connect_timeout_ms: 5_000,
            timeout_ms: 10_000,
            max_response_bytes: 64 * 1024,
            poll_ms: 1_000,
            keep_deliveries_days: 7,
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            public_url: None,
            demo: false,
            message_max_chars: 4000,
            requeue_grace_secs: 30,
            visitor_leave_grace_secs: 30,
            waiting_sweep_ms: 2_000,
            reports_rollup_ms: 10_000,
            visit_timeout_secs: 30 * 60,
            heartbeat_secs: 25,
            max_frame_bytes: 64 * 1024,
            outbound_queue: 1024,
            geoip_db: None,
            trusted_proxies: Vec::new(),
            session_hours: 12,
            audit_keep_days: 365,
            retention_batch: 200,
            smtp: None,
            limits: Limits::default(),
            search: SearchSettings::default(),
            webhooks: WebhookSettings::default(),
            database_full_check: false,
            unsafe_ack_before_commit: false,
            database_url: None,
            database_pool_size: 16,
            redis_url: None,
            redis_prefix: "frontdesk".to_string(),
            presence_heartbeat_ms: 5_000,
            tls_cert: None,
            tls_key: None,
            log: None,
        }
    }
}

impl Settings {
    /// Reads a TOML file over the defaults.
    pub fn from_toml(text: &str) -> Result<Settings, toml::de::Error> {
        toml::from_str(text)
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("frontdesk.db")
    }

    /// Whether the server terminates TLS itself (`tls_cert` and `tls_key` both set).
    pub fn tls_enabled(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    /// The public base URL without a trailing slash.
    pub fn public_base(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None if self.tls_enabled() => format!("https://{bound}"),
            None => format!("http://{bound}"),
        }
    }
}
