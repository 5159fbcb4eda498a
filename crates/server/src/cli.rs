//! The command line: `serve`, `site add|list`, `agent add|list|passwd`, `migrate`, `export`,
//! `import`, `backup`, `restore`, `doctor`, `search rebuild|check`, `completions`, `man`. Every flag can also come from the environment (`FRONTDESK_*`) or the TOML file
//! given by `--config`.

use crate::config::{Settings, SmtpSettings};
use clap::{Args, Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "frontdesk",
    version,
    about = "Self-hosted live chat for websites, in one binary."
)]
pub struct Cli {
    /// TOML settings file (keys as in docs/configuration.md); flags and environment override it.
    #[arg(long, global = true, env = "FRONTDESK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory holding the SQLite database (frontdesk.db). Default: ./data
    #[arg(long, global = true, env = "FRONTDESK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The URL people use to reach this server, e.g. https://chat.example.com (used in the
    /// embed snippet and as the console's only allowed origin).
    #[arg(long, global = true, env = "FRONTDESK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Cluster mode: PostgreSQL instead of the SQLite file, e.g.
    /// postgres://frontdesk@db.internal:5432/frontdesk
    #[arg(long, global = true, env = "FRONTDESK_DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start: the size of the `serve` variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage sites (customer websites).
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage agents (people who answer chats).
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Apply pending schema migrations to the PostgreSQL database (--database-url), then exit.
    Migrate,
    /// Write every table of the database (SQLite or PostgreSQL) as JSON lines.
    Export {
        /// The file to write ("-": standard output).
        #[arg(long)]
        out: PathBuf,
    },
    /// Load an export into the database (SQLite or PostgreSQL), which must be empty.
    Import {
        /// The file written by `frontdesk export` ("-": standard input).
        #[arg(long = "in")]
        input: PathBuf,
    },
    /// Write a consistent, checked, compressed copy of the SQLite database to a file (safe
    /// while the server runs; stored files are inside the database).
    Backup {
        /// The backup file to write (replaced atomically if it exists).
        #[arg(long)]
        to: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Check the configuration and the data directory (the settings `serve` would use, so
    /// the same flags apply) and print what to fix; exit status 1 when something fails.
    Doctor {
        #[command(flatten)]
        serve: ServeArgs,
        #[arg(long)]
        json: bool,
    },
    /// Print the shell completion script for bash, zsh or fish.
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff) of frontdesk; with --dir, write one page per command there
    /// (frontdesk.1, frontdesk-serve.1, …).
    Man {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The Archive's full-text search index: rebuild it from the stored text, or check it
    /// (SQLite: on a stopped data directory; PostgreSQL: --database-url).
    #[command(subcommand)]
    Search(SearchCommand),
    /// Restore a backup into an empty (or missing) data directory given by --data-dir.
    Restore {
        /// The file written by `frontdesk backup`.
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum SearchCommand {
    /// Refill the index from every message and chat; prints how many documents.
    Rebuild,
    /// Check that the index holds exactly what the text makes; exit status 1 when not.
    Check,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Tests only, broken on purpose: acknowledge before committing (shows the crash test works).
    #[arg(long, hide = true, env = "FRONTDESK_UNSAFE_ACK_BEFORE_COMMIT")]
    pub unsafe_ack_before_commit: bool,
    /// Address and port to listen on. Default: 127.0.0.1:8080
    #[arg(long, env = "FRONTDESK_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Create a demo site and agent if the database is empty, and serve the demo page at /demo.
    #[arg(long, env = "FRONTDESK_DEMO")]
    pub demo: bool,
    /// MaxMind-format GeoIP database (GeoLite2-City.mmdb or compatible). Without one,
    /// locations read "Unknown".
    #[arg(long, env = "FRONTDESK_GEOIP_DB")]
    pub geoip_db: Option<PathBuf>,
    /// A reverse proxy whose X-Forwarded-For is believed (repeatable).
    #[arg(
        long = "trusted-proxy",
        env = "FRONTDESK_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// Longest chat message, in characters. Default: 4000
    #[arg(long, env = "FRONTDESK_MESSAGE_MAX_CHARS")]
    pub message_max_chars: Option<usize>,
    /// Seconds an agent's connections may all be gone before their chats return to the queue.
    /// Default: 30
    #[arg(long, env = "FRONTDESK_REQUEUE_GRACE_SECS")]
    pub requeue_grace_secs: Option<u64>,
    /// Minutes without activity that end a visit. Default: 30
    #[arg(long, env = "FRONTDESK_VISIT_TIMEOUT_MINS")]
    pub visit_timeout_mins: Option<u64>,
    /// WebSocket heartbeat interval in seconds (a peer silent for two is dropped). Default: 25
    #[arg(long, env = "FRONTDESK_HEARTBEAT_SECS")]
    pub heartbeat_secs: Option<u64>,
    /// SMTP server for emailing transcripts and offline messages.
    #[arg(long, env = "FRONTDESK_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port. Default: 25
    #[arg(long, env = "FRONTDESK_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// From: address of emails. Default: frontdesk@localhost
    #[arg(long, env = "FRONTDESK_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// none, starttls or tls. Default: none
    #[arg(long, env = "FRONTDESK_SMTP_SECURITY")]
    pub smtp_security: Option<String>,
    /// SMTP user name (the password comes from FRONTDESK_SMTP_PASSWORD only).
    #[arg(long, env = "FRONTDESK_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// Cluster mode: Redis for events between nodes and shared presence, e.g.
    /// redis://127.0.0.1:6379 (needs --database-url).
    #[arg(long, env = "FRONTDESK_REDIS_URL")]
    pub redis_url: Option<String>,
    /// Serve HTTPS and WSS with this certificate chain (PEM, leaf first); needs --tls-key.
    #[arg(long, env = "FRONTDESK_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, env = "FRONTDESK_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Milliseconds a connection has to finish its TLS handshake and request headers (slow
    /// or stalled clients are cut off). Default: 10000
    #[arg(long, env = "FRONTDESK_HEADER_READ_TIMEOUT_MS")]
    pub header_read_timeout_ms: Option<u64>,
    /// Keep the Archive's full-text search index (true or false). Default: true
    #[arg(long, env = "FRONTDESK_SEARCH_INDEX")]
    pub search_index: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Register a site; prints its key and the embed snippet.
    Add {
        #[arg(long)]
        name: String,
        /// The site's base URL (its origin may embed the widget; relative links resolve here).
        #[arg(long)]
        url: String,
        /// IANA time zone; blocks last until the end of the day here. Default: UTC
        #[arg(long, default_value = "UTC")]
        timezone: String,
        /// Where offline messages are emailed.
        #[arg(long)]
        email: Option<String>,
        /// Another origin allowed to use the site key (repeatable).
        #[arg(long = "allow-origin")]
        allow_origins: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List sites.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Create an agent; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin: bool,
        /// Restrict the agent to this site (repeatable); default: every site.
        #[arg(long = "site")]
        sites: Vec<String>,
        /// Read the password from standard input (required: passwords never go in arguments).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// List agents.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set an agent's password (read from standard input); ends their sessions.
    Passwd {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// A new random site key: 20 lowercase letters and digits.
pub fn new_site_key() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Settings from defaults, the TOML file, then flags/environment.
pub fn settings(cli: &Cli, serve: Option<&ServeArgs>) -> Result<Settings, String> {
    let mut s = match &cli.config {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Settings::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Settings::default(),
    };
    if let Some(d) = &cli.data_dir {
        s.data_dir = d.clone();
    }
    if let Some(u) = &cli.public_url {
        s.public_url = Some(u.clone());
    }
    if let Some(u) = &cli.database_url {
        s.database_url = Some(u.clone());
    }
    if let Some(a) = serve {
        if let Some(l) = a.listen {
            s.listen = l;
        }
        s.demo |= a.demo;
        s.unsafe_ack_before_commit |= a.unsafe_ack_before_commit;
        if a.geoip_db.is_some() {
            s.geoip_db = a.geoip_db.clone();
        }
        if !a.trusted_proxies.is_empty() {
            s.trusted_proxies = a.trusted_proxies.clone();
        }
        if let Some(v) = a.message_max_chars {
            s.message_max_chars = v;
        }
        if let Some(v) = a.requeue_grace_secs {
            s.requeue_grace_secs = v;
        }
        if let Some(v) = a.visit_timeout_mins {
            s.visit_timeout_secs = v * 60;
        }
        if let Some(v) = a.heartbeat_secs {
            s.heartbeat_secs = v;
        }
        if let Some(u) = &a.redis_url {
            s.redis_url = Some(u.clone());
        }
        if let Some(p) = &a.tls_cert {
            s.tls_cert = Some(p.clone());
        }
        if let Some(p) = &a.tls_key {
            s.tls_key = Some(p.clone());
        }
        if let Some(v) = a.header_read_timeout_ms {
            s.limits.header_read_timeout_ms = v;
        }
        if let Some(v) = a.search_index {
            s.search.index = v;
        }
        if let Some(host) = &a.smtp_host {
            s.smtp = Some(SmtpSettings {
                host: host.clone(),
                port: a.smtp_port.unwrap_or(25),
                from: a
                    .smtp_from
                    .clone()
                    .unwrap_or_else(|| "frontdesk@localhost".into()),
                username: a.smtp_username.clone(),
                password: std::env::var("FRONTDESK_SMTP_PASSWORD").ok(),
                security: a.smtp_security.clone().unwrap_or_else(|| "none".into()),
            });
        }
    }
    if s.tls_cert.is_some() != s.tls_key.is_some() {
        return Err("tls_cert and tls_key go together: set both or neither".into());
    }
    Ok(s)
}
