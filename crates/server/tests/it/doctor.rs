//! `frontdesk doctor`, run as a real process: a good setup passes every check (exit 0); a
//! broken one fails each check that can be provoked here (exit 1), saying what is wrong.
//! Not provoked: an unwritable data directory (the suite runs as root) and a full disk.

use frontdesk_core::model::NewSite;
use frontdesk_core::store::SiteStore;
use frontdesk_core::{SiteKey, Timestamp};
use serde_json::Value;
use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A one-connection-at-a-time SMTP server answering with `greeting`; returns its port.
async fn smtp_server(greeting: &'static str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            let _ = write.write_all(greeting.as_bytes()).await;
            while let Ok(Some(line)) = lines.next_line().await {
                let answer: &[u8] = if line.starts_with("EHLO") {
                    b"250-doctor.test\r\n250 SIZE 1000000\r\n"
                } else {
                    b"221 bye\r\n"
                };
                if write.write_all(answer).await.is_err() || line.starts_with("QUIT") {
                    break;
                }
            }
        }
    });
    port
}

fn cert_pair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let certified = rcgen::generate_simple_self_signed(vec!["chat.example.com".to_string()])
        .expect("certificate");
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, certified.cert.pem()).expect("cert");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("key");
    (cert, key)
}

fn geoip_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e/fixtures/GeoLite2-City-Test.mmdb")
}

/// A data directory with one site created at `created_at`.
async fn data_dir(dir: &Path, base_url: &str, created_at: Timestamp) {
    let store = frontdesk_store_sqlite::SqliteStore::open(
        &dir.join("frontdesk.db"),
        frontdesk_store_sqlite::SqliteOptions::default(),
    )
    .await
    .expect("open");
    store
        .create_site(
            NewSite {
                key: SiteKey("doctorsitekey".into()),
                name: "Shop".into(),
                base_url: base_url.into(),
                timezone: "UTC".into(),
                allowed_origins: vec![],
                email: None,
            },
            created_at,
        )
        .await
        .expect("site");
}

fn config(path: &Path, lines: &[String]) -> String {
    std::fs::write(path, lines.join("\n")).expect("config");
    path.to_str().expect("path").to_string()
}

/// Runs doctor; returns (success, check name → (status, detail)).
fn doctor(config: &str) -> (bool, HashMap<String, (String, String)>) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["--config", config, "doctor", "--json"])
        .env("FRONTDESK_LOG", "warn")
        .output()
        .expect("doctor runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let checks = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_string(),
                (
                    c["status"].as_str().expect("status").to_string(),
                    c["detail"].as_str().expect("detail").to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(v["ok"].as_bool(), Some(out.status.success()));
    (out.status.success(), checks)
}

fn status<'a>(checks: &'a HashMap<String, (String, String)>, name: &str) -> &'a str {
    &checks
        .get(name)
        .unwrap_or_else(|| panic!("no {name} check in {checks:?}"))
        .0
}

#[tokio::test]
async fn a_good_setup_passes_every_check() {
    let root = tempfile::tempdir().expect("dir");
    let data = root.path().join("data");
    data_dir(
        &data,
        "https://shop.example",
        Timestamp(jiff::Timestamp::now().as_millisecond()),
    )
    .await;
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let (cert, key) = cert_pair(root.path(), "good");
    let port = smtp_server("220 doctor.test ESMTP\r\n").await;
    let file = config(
        &root.path().join("good.toml"),
        &[
            format!("data_dir = {:?}", data.to_str().expect("path")),
            "public_url = \"https://chat.example.com\"".into(),
            format!("tls_cert = {:?}", cert.to_str().expect("path")),
            format!("tls_key = {:?}", key.to_str().expect("path")),
            format!("geoip_db = {:?}", geoip_fixture().to_str().expect("path")),
            "[smtp]".into(),
            "host = \"127.0.0.1\"".into(),
            format!("port = {port}"),
            "from = \"frontdesk@example.com\"".into(),
        ],
    );
    let (healthy, checks) = tokio::task::spawn_blocking(move || doctor(&file))
        .await
        .expect("doctor");
    assert!(healthy, "{checks:?}");
    for name in [
        "data directory",
        "database",
        "clock",
        "site origins",
        "public URL",
        "TLS",
        "GeoIP",
        "SMTP",
    ] {
        assert_eq!(status(&checks, name), "ok", "{name}: {checks:?}");
    }
    // The free space depends on the machine; it is reported either way.
    assert_ne!(status(&checks, "free disk"), "fail", "{checks:?}");
}

#[tokio::test]
async fn a_broken_setup_fails_each_check_and_says_why() {
    let root = tempfile::tempdir().expect("dir");
    let data = root.path().join("data");
    // A site written by a clock a day ahead of this one.
    let ahead = jiff::Timestamp::now().as_millisecond() + 24 * 3600 * 1000;
    data_dir(&data, "https://shop.example", Timestamp(ahead)).await;
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let (cert, _) = cert_pair(root.path(), "one");
    let (_, other_key) = cert_pair(root.path(), "two");
    let port = smtp_server("554 no service here\r\n").await;
    let file = config(
        &root.path().join("broken.toml"),
        &[
            format!("data_dir = {:?}", data.to_str().expect("path")),
            "public_url = \"http://chat.example.com\"".into(),
            format!("tls_cert = {:?}", cert.to_str().expect("path")),
            format!("tls_key = {:?}", other_key.to_str().expect("path")),
            format!("geoip_db = {:?}", cert.to_str().expect("path")),
            "[smtp]".into(),
            "host = \"127.0.0.1\"".into(),
            format!("port = {port}"),
            "from = \"frontdesk@example.com\"".into(),
        ],
    );
    std::fs::write(
        &file,
        format!(
            "unsafe_ack_before_commit = true\n{}",
            std::fs::read_to_string(&file).expect("config")
        ),
    )
    .expect("config");
    let f = file.clone();
    let (healthy, checks) = tokio::task::spawn_blocking(move || doctor(&f))
        .await
        .expect("doctor");
    assert!(!healthy);
    let expect = [
        ("data directory", "warn", "open to every user"),
        ("clock", "fail", "in the future"),
        ("public URL", "fail", "is http, but this server speaks TLS"),
        ("TLS", "fail", "do not make a TLS configuration"),
        ("GeoIP", "fail", "one.crt"),
        ("SMTP", "fail", "554"),
        ("durability", "fail", "acknowledged before they are stored"),
    ];
    for (name, want, says) in expect {
        let (got, detail) = checks
            .get(name)
            .unwrap_or_else(|| panic!("{name}: {checks:?}"));
        assert_eq!(got, want, "{name}: {detail}");
        assert!(detail.contains(says), "{name}: {detail}");
    }

    // A damaged database file, and an SMTP server nobody listens on.
    for side in ["frontdesk.db-wal", "frontdesk.db-shm"] {
        let _ = std::fs::remove_file(data.join(side));
    }
    std::fs::write(data.join("frontdesk.db"), vec![0x5a; 64 * 1024]).expect("damage");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let text = std::fs::read_to_string(&file)
        .expect("config")
        .replace(&format!("port = {port}"), &format!("port = {closed}"));
    std::fs::write(&file, text).expect("config");
    let (healthy, checks) = tokio::task::spawn_blocking(move || doctor(&file))
        .await
        .expect("doctor");
    assert!(!healthy);
    assert_eq!(status(&checks, "database"), "fail", "{checks:?}");
    assert_eq!(status(&checks, "SMTP"), "fail", "{checks:?}");
    assert!(
        checks["SMTP"].1.contains(&format!("127.0.0.1:{closed}")),
        "{checks:?}"
    );
}
