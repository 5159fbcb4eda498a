//! SIGHUP on the real binary: the TLS certificate and the log filter are replaced while a
//! WebSocket over TLS stays open and keeps working; a broken new certificate is refused (logged)
//! and the previous one stays in use.

use crate::helpers::WAIT;
use crate::helpers::process::add_site;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use tokio::io::AsyncBufReadExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::{TlsConnector, client::TlsStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

fn new_cert() -> rcgen::CertifiedKey<rcgen::KeyPair> {
    rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate")
}

fn write_cert(dir: &Path, c: &rcgen::CertifiedKey<rcgen::KeyPair>) {
    std::fs::write(dir.join("cert.pem"), c.cert.pem()).expect("cert");
    std::fs::write(dir.join("key.pem"), c.signing_key.serialize_pem()).expect("key");
}

fn write_config(dir: &Path, log: &str) {
    let config = format!(
        "tls_cert = {:?}\ntls_key = {:?}\nlog = {log:?}\n",
        dir.join("cert.pem"),
        dir.join("key.pem")
    );
    std::fs::write(dir.join("frontdesk.toml"), config).expect("config");
}

/// Trusts both certificates, so the handshake succeeds with either and the test can see
/// which one the server presented.
fn connector(trusted: &[&CertificateDer<'static>]) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for c in trusted {
        roots.add((*c).clone()).expect("trust");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    // Full handshakes only: a resumed session would show the certificate of the first one.
    config.resumption = rustls::client::Resumption::disabled();
    TlsConnector::from(Arc::new(config))
}

async fn handshake(c: &TlsConnector, addr: &str) -> TlsStream<TcpStream> {
    let tcp = TcpStream::connect(addr).await.expect("tcp");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    c.connect(name, tcp).await.expect("TLS handshake")
}

/// The SHA-256 fingerprint of the leaf certificate a fresh handshake is shown.
async fn presented(c: &TlsConnector, addr: &str) -> String {
    let tls = handshake(c, addr).await;
    fingerprint(
        &tls.get_ref()
            .1
            .peer_certificates()
            .expect("peer certificates")[0],
    )
}

fn fingerprint(der: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(der))
}

/// Waits for a stderr line containing `needle`; returns every line read up to it.
pub(crate) async fn wait_log(
    lines: &mut mpsc::UnboundedReceiver<String>,
    seen: &mut Vec<String>,
    needle: &str,
) {
    loop {
        let line = tokio::time::timeout(WAIT, lines.recv())
            .await
            .unwrap_or_else(|_| panic!("no log line with {needle:?}; saw:\n{}", seen.join("\n")))
            .expect("stderr open");
        seen.push(line.clone());
        if line.contains(needle) {
            return;
        }
    }
}

pub(crate) async fn next_json<S>(ws: &mut tokio_tungstenite::WebSocketStream<S>) -> Value
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame in time")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(t) = msg {
            return serde_json::from_str(t.as_str()).expect("json");
        }
    }
}

/// `frontdesk serve` on `dir` (config `dir/frontdesk.toml`, a free loopback port) with
/// `env`; returns the child (killed on drop), its `host:port` and its stderr lines.
pub(crate) async fn spawn(
    dir: &Path,
    env: &[(&str, &str)],
    scheme: &str,
) -> (
    tokio::process::Child,
    String,
    mpsc::UnboundedReceiver<String>,
) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("--config")
        .arg(dir.join("frontdesk.toml"))
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("FRONTDESK_LOG")
        .env_remove("FRONTDESK_LOG_FORMAT")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve");
    let (tx, logs) = mpsc::unbounded_channel();
    let mut stderr = tokio::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    tokio::spawn(async move {
        while let Ok(Some(line)) = stderr.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = tokio::time::timeout(WAIT, stdout.next_line())
        .await
        .expect("started in time")
        .expect("read")
        .expect("a line");
    let addr = first
        .strip_prefix(&format!("Frontdesk is running at {scheme}://"))
        .expect("address line")
        .to_string();
    (child, addr, logs)
}

fn hup(child: &tokio::process::Child) {
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -HUP {pid}");
}

#[tokio::test]
async fn sighup_reloads_the_certificate_and_the_log_level_keeping_connections() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (new_cert(), new_cert());
    write_cert(dir.path(), &a);
    write_config(dir.path(), "warn");
    let site = add_site(dir.path(), "Shop", "https://shop.example");
    let (mut child, addr, mut logs) = spawn(dir.path(), &[], "https").await;
    let port = addr.rsplit(':').next().expect("port").to_string();

    let tls = connector(&[a.cert.der(), b.cert.der()]);
    assert_eq!(presented(&tls, &addr).await, fingerprint(a.cert.der()));

    // A visitor's WebSocket over TLS, opened with the old certificate.
    let mut req = format!("wss://localhost:{port}/ws/visitor?site={site}")
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("Origin", HeaderValue::from_static("https://shop.example"));
    let (mut ws, _) = tokio_tungstenite::client_async(req, handshake(&tls, &addr).await)
        .await
        .expect("WebSocket over TLS");
    let hello = json!({"type":"hello","page":{"url":"https://shop.example/","title":"Home"}});
    ws.send(Message::Text(hello.to_string().into()))
        .await
        .expect("hello");
    assert_eq!(next_json(&mut ws).await["type"], "welcome");

    // New files, a chattier log filter, SIGHUP.
    write_cert(dir.path(), &b);
    write_config(dir.path(), "debug");
    hup(&child);
    let mut seen = Vec::new();
    wait_log(&mut logs, &mut seen, "configuration reloaded").await;
    // Under `warn` the start-up line (info) was not written; after the reload, info is.
    assert!(
        !seen[..seen.len() - 1]
            .iter()
            .any(|l| l.contains("frontdesk ready")),
        "an info line before the reload, under log = \"warn\":\n{}",
        seen.join("\n")
    );
    assert!(seen.iter().any(|l| l.contains("TLS certificate reloaded")));
    assert_eq!(
        presented(&tls, &addr).await,
        fingerprint(b.cert.der()),
        "a new handshake after SIGHUP sees the new certificate"
    );
    // The debug filter is on: the handshake just made writes debug lines.
    wait_log(&mut logs, &mut seen, "DEBUG").await;

    // The WebSocket opened before the reload still works both ways.
    ws.send(Message::Text(
        json!({"type":"chat_request","name":"Vera"})
            .to_string()
            .into(),
    ))
    .await
    .expect("send on the old socket");
    let ack = loop {
        let v = next_json(&mut ws).await;
        if v["type"] == "ack" || v["type"] == "error" {
            break v;
        }
    };
    assert_eq!(ack["type"], "ack", "{ack}");

    // A broken certificate: refused, logged, the one in use stays.
    std::fs::write(dir.path().join("cert.pem"), "not a certificate").expect("break");
    hup(&child);
    wait_log(&mut logs, &mut seen, "NOT reloaded").await;
    assert_eq!(presented(&tls, &addr).await, fingerprint(b.cert.der()));

    child.kill().await.expect("kill");
}
