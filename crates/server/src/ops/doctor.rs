//! `frontdesk doctor`: checks a configuration and a data directory and says what to fix.
//!
//! Each check ends `ok`, `warn` (works, but should be fixed) or `fail` (the server will not
//! start or will not work as configured); the command exits 1 when any check failed. Nothing
//! is written except a probe file in the data directory (removed at once), and the database is
//! opened read-only, so it is safe beside a running server.

use crate::config::Settings;
use frontdesk_store_sqlite::{backup as snap, inspect};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Below this much free space on the data directory's filesystem: a warning.
const LOW_DISK_BYTES: u64 = 1024 * 1024 * 1024;
/// Below this: a failure (SQLite may not be able to write or checkpoint).
const FULL_DISK_BYTES: u64 = 100 * 1024 * 1024;
/// How long the SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(5);
/// The newest stored timestamp may be this far ahead of the clock before it counts as a jump.
const CLOCK_SLACK_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub detail: String,
    /// What to do about it (empty when ok).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fix: String,
}

fn ok(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        status: Status::Ok,
        detail: detail.into(),
        fix: String::new(),
    }
}

fn warn(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        name,
        status: Status::Warn,
        detail: detail.into(),
        fix: fix.into(),
    }
}

fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        name,
        status: Status::Fail,
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// Runs every check that applies to `s`.
pub async fn run(s: &Settings) -> Vec<Check> {
    let mut checks = Vec::new();
    if s.database_url.is_none() {
        let dir_ok = data_dir(s, &mut checks);
        if dir_ok {
            disk(&s.data_dir, &mut checks);
            let db = s.database_path();
            let s2 = s.clone();
            let found = tokio::task::spawn_blocking(move || database(&db, &s2)).await;
            match found {
                Ok(mut found) => checks.append(&mut found),
                Err(e) => checks.push(fail("database", e.to_string(), "")),
            }
        }
    } else {
        checks.push(ok(
            "database",
            "cluster mode (PostgreSQL): check it with the database's own tools; \
             `frontdesk migrate` reports its schema version",
        ));
    }
    if s.unsafe_ack_before_commit {
        checks.push(fail(
            "durability",
            "unsafe_ack_before_commit is on: messages are acknowledged before they are stored",
            "remove FRONTDESK_UNSAFE_ACK_BEFORE_COMMIT / --unsafe-ack-before-commit (tests only)",
        ));
    }
    public_url(s, &mut checks);
    tls(s, &mut checks);
    geoip(s, &mut checks);
    smtp(s, &mut checks).await;
    checks
}

fn data_dir(s: &Settings, checks: &mut Vec<Check>) -> bool {
    const NAME: &str = "data directory";
    let dir = &s.data_dir;
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        Err(e) => {
            checks.push(fail(
                NAME,
                format!("{}: {e}", dir.display()),
                "create it (mkdir -p, owned by the user the server runs as, mode 700) or set \
                 data_dir / --data-dir to the right place",
            ));
            return false;
        }
    };
    if !meta.is_dir() {
        checks.push(fail(
            NAME,
            format!("{} is not a directory", dir.display()),
            "point data_dir at a directory",
        ));
        return false;
    }
    let probe = dir.join(format!(".doctor-probe-{}", std::process::id()));
    if let Err(e) = std::fs::write(&probe, b"probe") {
        checks.push(fail(
            NAME,
            format!("{} is not writable: {e}", dir.display()),
            "give the server's user write access (chown it to that user, chmod 700)",
        ));
        return false;
    }
    let _ = std::fs::remove_file(&probe);
    checks.push(permissions(dir, &meta));
    true
}

#[cfg(unix)]
fn permissions(dir: &Path, meta: &std::fs::Metadata) -> Check {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o007 != 0 {
        warn(
            "data directory",
            format!(
                "{} is writable, but open to every user (mode {mode:o}): the database holds \
                 password hashes, session and signing keys",
                dir.display()
            ),
            format!("chmod 700 {}", dir.display()),
        )
    } else {
        ok(
            "data directory",
            format!("{} is writable (mode {mode:o})", dir.display()),
        )
    }
}

#[cfg(not(unix))]
fn permissions(dir: &Path, _meta: &std::fs::Metadata) -> Check {
    ok("data directory", format!("{} is writable", dir.display()))
}

fn disk(dir: &Path, checks: &mut Vec<Check>) {
    const NAME: &str = "free disk";
    match rustix::fs::statvfs(dir) {
        Ok(st) => {
            let free = st.f_bavail.saturating_mul(st.f_frsize);
            let mib = free / (1024 * 1024);
            let fix = "free space on that filesystem or move data_dir to a larger one";
            checks.push(if free < FULL_DISK_BYTES {
                fail(NAME, format!("{mib} MiB free under {}", dir.display()), fix)
            } else if free < LOW_DISK_BYTES {
                warn(NAME, format!("{mib} MiB free under {}", dir.display()), fix)
            } else {
                ok(NAME, format!("{mib} MiB free"))
            });
        }
        Err(e) => checks.push(warn(NAME, format!("cannot tell: {e}"), "")),
    }
}

fn database(db: &Path, s: &Settings) -> Vec<Check> {
    let mut checks = Vec::new();
    if !db.exists() {
        checks.push(ok(
            "database",
            format!(
                "{} does not exist yet: it is created at the first start",
                db.display()
            ),
        ));
        return checks;
    }
    let known = snap::latest_version();
    match snap::verify(db) {
        Ok(v) if v.schema > known => checks.push(fail(
            "database",
            format!(
                "schema version {} is newer than this binary's ({known})",
                v.schema
            ),
            "run the Frontdesk version that wrote it, or a later one",
        )),
        Ok(v) => {
            let rows: i64 = v.tables.values().sum();
            let pending = if v.schema < known {
                format!(
                    "; migrations {}..{known} run at the next start",
                    v.schema + 1
                )
            } else {
                String::new()
            };
            checks.push(ok(
                "database",
                format!(
                    "integrity ok, schema version {}{pending}, {rows} rows",
                    v.schema
                ),
            ));
            checks.push(clock(db));
            checks.push(site_urls(db, s));
        }
        Err(e) => checks.push(fail(
            "database",
            e.to_string(),
            "restore the latest backup into an empty directory (frontdesk restore), see \
             docs/deploy.md",
        )),
    }
    checks
}

fn clock(db: &Path) -> Check {
    const NAME: &str = "clock";
    let now = jiff::Timestamp::now().as_millisecond();
    match inspect::newest_write_ms(db) {
        Ok(Some(newest)) if newest > now + CLOCK_SLACK_MS => fail(
            NAME,
            format!(
                "the database holds a write from {} minutes in the future",
                (newest - now) / 60_000
            ),
            "set the system clock right (enable NTP: timedatectl set-ntp true)",
        ),
        Ok(_) => ok(NAME, "not behind the newest write in the database"),
        Err(e) => warn(NAME, e.to_string(), ""),
    }
}

fn site_urls(db: &Path, s: &Settings) -> Check {
    const NAME: &str = "site origins";
    let public_https = s
        .public_url
        .as_deref()
        .map_or(s.tls_enabled(), |u| u.starts_with("https://"));
    let sites = match inspect::site_urls(db) {
        Ok(sites) => sites,
        Err(e) => return warn(NAME, e.to_string(), ""),
    };
    let mut problems = Vec::new();
    for site in &sites {
        for u in std::iter::once(&site.base_url).chain(&site.allowed_origins) {
            match url::Url::parse(u) {
                Ok(p) if p.scheme() == "https" && !public_https => problems.push(format!(
                    "{}: {u} is https but the widget is served over http (browsers block it \
                     as mixed content)",
                    site.name
                )),
                Ok(p) if matches!(p.scheme(), "http" | "https") => {}
                _ => problems.push(format!("{}: {u} is not an http(s) origin", site.name)),
            }
        }
    }
    if problems.is_empty() {
        ok(
            NAME,
            format!("{} site(s) consistent with the public URL", sites.len()),
        )
    } else {
        warn(
            NAME,
            problems.join("; "),
            "serve Frontdesk over https (tls_cert/tls_key or a TLS proxy) and set public_url \
             to the https address",
        )
    }
}

fn public_url(s: &Settings, checks: &mut Vec<Check>) {
    const NAME: &str = "public URL";
    let Some(raw) = &s.public_url else {
        checks.push(warn(
            NAME,
            format!(
                "not set: the snippet and the console use http://{}",
                s.listen
            ),
            "set public_url to the address people use, e.g. https://chat.example.com",
        ));
        return;
    };
    match url::Url::parse(raw) {
        Ok(u) if !matches!(u.scheme(), "http" | "https") => checks.push(fail(
            NAME,
            format!("{raw} is not http or https"),
            "use https://your.host",
        )),
        Ok(u) if s.tls_enabled() && u.scheme() != "https" => checks.push(fail(
            NAME,
            format!("{raw} is http, but this server speaks TLS"),
            format!(
                "set public_url to https://{}",
                u.host_str().unwrap_or("your.host")
            ),
        )),
        Ok(u) if u.path() != "/" || u.query().is_some() => checks.push(warn(
            NAME,
            format!("{raw} has a path or query: Frontdesk is served from the root"),
            "use the bare origin, e.g. https://chat.example.com",
        )),
        Ok(u) if u.scheme() == "http" && !is_local(&u) => checks.push(warn(
            NAME,
            format!("{raw} is plain http: logins and chats cross the network unencrypted"),
            "serve over https (tls_cert/tls_key, or a TLS proxy) and set public_url to it",
        )),
        Ok(_) => checks.push(ok(NAME, raw.clone())),
        Err(e) => checks.push(fail(
            NAME,
            format!("{raw}: {e}"),
            "use a full URL, e.g. https://chat.example.com",
        )),
    }
}

fn is_local(u: &url::Url) -> bool {
    matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

fn tls(s: &Settings, checks: &mut Vec<Check>) {
    let (Some(cert), Some(key)) = (&s.tls_cert, &s.tls_key) else {
        return;
    };
    checks.push(match crate::listen::tls_acceptor(cert, key) {
        Ok(_) => ok(
            "TLS",
            format!("{} and its key load and match", cert.display()),
        ),
        Err(e) => fail(
            "TLS",
            e.to_string(),
            "point tls_cert at the PEM chain (leaf first) and tls_key at its own private key, \
             both readable by the server's user",
        ),
    });
}

fn geoip(s: &Settings, checks: &mut Vec<Check>) {
    let Some(path) = &s.geoip_db else {
        return;
    };
    checks.push(match maxminddb::Reader::open_readfile(path) {
        Ok(r) => ok(
            "GeoIP",
            format!("{} ({})", path.display(), r.metadata.database_type),
        ),
        Err(e) => fail(
            "GeoIP",
            format!("{}: {e}", path.display()),
            "download GeoLite2-City.mmdb (or DB-IP Lite) there, readable by the server's user, \
             or unset geoip_db",
        ),
    });
}

async fn smtp(s: &Settings, checks: &mut Vec<Check>) {
    let Some(m) = &s.smtp else {
        return;
    };
    let addr = format!("{}:{}", m.host, m.port);
    let fix = "check smtp.host and smtp.port, and that this machine may reach it (firewall)";
    let talk = async {
        let stream = tokio::net::TcpStream::connect(&addr).await?;
        if m.security == "tls" {
            // Implicit TLS: the greeting comes inside TLS; reaching the port is what we check.
            return Ok::<_, std::io::Error>(format!("{addr} accepts connections (implicit TLS)"));
        }
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let greeting = reply(&mut lines).await?;
        if !greeting.starts_with("220") {
            return Err(std::io::Error::other(format!("greeting: {greeting}")));
        }
        write.write_all(b"EHLO frontdesk-doctor\r\n").await?;
        let ehlo = reply(&mut lines).await?;
        let _ = write.write_all(b"QUIT\r\n").await;
        if !ehlo.starts_with("250") {
            return Err(std::io::Error::other(format!("EHLO: {ehlo}")));
        }
        Ok(format!("{addr} answers EHLO"))
    };
    checks.push(match tokio::time::timeout(SMTP_TIMEOUT, talk).await {
        Ok(Ok(detail)) => ok("SMTP", detail),
        Ok(Err(e)) => fail("SMTP", format!("{addr}: {e}"), fix),
        Err(_) => fail(
            "SMTP",
            format!("{addr}: no answer within {}s", SMTP_TIMEOUT.as_secs()),
            fix,
        ),
    });
}

/// One SMTP reply (the last line of a multi-line one: `250-…` lines continue).
async fn reply<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut tokio::io::Lines<R>,
) -> std::io::Result<String> {
    loop {
        let Some(line) = lines.next_line().await? else {
            return Err(std::io::Error::other("the server closed the connection"));
        };
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            return Ok(line);
        }
    }
}

/// Prints the checks as a table (or JSON); true when none failed.
pub fn print(checks: &[Check], json: bool) -> bool {
    let healthy = checks.iter().all(|c| c.status != Status::Fail);
    if json {
        println!("{}", serde_json::json!({"ok": healthy, "checks": checks}));
        return healthy;
    }
    for c in checks {
        let mark = match c.status {
            Status::Ok => "ok  ",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        };
        println!("{mark}  {:<15} {}", c.name, c.detail);
        if !c.fix.is_empty() {
            println!("      {:<15} fix: {}", "", c.fix);
        }
    }
    println!(
        "{}",
        if healthy {
            "No problems that stop Frontdesk."
        } else {
            "Fix the FAIL lines above."
        }
    );
    healthy
}
