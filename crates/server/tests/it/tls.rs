//! TLS in the binary (`--tls-cert/--tls-key`): HTTPS and WSS with a self-signed certificate
//! made here by rcgen, a client that trusts exactly that certificate, the session cookie
//! marked `Secure`, and a plain-HTTP client on the TLS port refused without harm.

use crate::helpers::{PASSWORD, TestApp, WAIT};
use frontdesk_core::SiteKey;
use frontdesk_core::model::{NewAgent, NewSite};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::{TlsConnector, client::TlsStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

struct Tls {
    app: TestApp,
    connector: TlsConnector,
    base: String,
    _certs: tempfile::TempDir,
}

/// A server with a fresh self-signed certificate for `localhost`/127.0.0.1.
async fn tls_app() -> Tls {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("self-signed certificate");
    let dir = tempfile::tempdir().expect("temp dir");
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, certified.cert.pem()).expect("write cert");
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).expect("write key");
    let app = TestApp::spawn_with(|s| {
        s.tls_cert = Some(cert_path.clone());
        s.tls_key = Some(key_path.clone());
    })
    .await;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(certified.cert.der().clone())
        .expect("trust the certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let base = app.app().public_base.clone();
    Tls {
        connector: TlsConnector::from(Arc::new(config)),
        base,
        app,
        _certs: dir,
    }
}

impl Tls {
    async fn connect(&self) -> TlsStream<TcpStream> {
        let tcp = TcpStream::connect(self.app.addr).await.expect("tcp");
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
        self.connector
            .connect(name, tcp)
            .await
            .expect("TLS handshake with the trusted certificate")
    }

    /// One HTTP/1.1 request over TLS; returns the status line, the headers and the body.
    async fn request(&self, method: &str, path: &str, body: Option<&Value>) -> (String, String) {
        let mut tls = self.connect().await;
        let body = body.map(Value::to_string).unwrap_or_default();
        let host = self.base.trim_start_matches("https://");
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.base,
            body.len()
        );
        tls.write_all(req.as_bytes()).await.expect("write");
        let mut out = Vec::new();
        let _ = tokio::time::timeout(WAIT, tls.read_to_end(&mut out))
            .await
            .expect("response in time");
        let text = String::from_utf8_lossy(&out).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        (head.to_string(), body.to_string())
    }

    /// A WebSocket over TLS (`wss://`).
    async fn wss(
        &self,
        path: &str,
        origin: &str,
        cookie: Option<&str>,
    ) -> tokio_tungstenite::WebSocketStream<TlsStream<TcpStream>> {
        let url = format!("wss://localhost:{}{path}", self.app.addr.port());
        let mut req = url.into_client_request().expect("request");
        req.headers_mut()
            .insert("Origin", HeaderValue::from_str(origin).expect("origin"));
        if let Some(c) = cookie {
            req.headers_mut()
                .insert("Cookie", HeaderValue::from_str(c).expect("cookie"));
        }
        let tls = self.connect().await;
        let (ws, _) = tokio_tungstenite::client_async(req, tls)
            .await
            .expect("WebSocket over TLS");
        ws
    }
}

async fn next_json<S>(ws: &mut tokio_tungstenite::WebSocketStream<S>) -> Value
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

#[tokio::test]
async fn https_and_wss_with_a_secure_cookie() {
    let t = tls_app().await;
    assert!(t.base.starts_with("https://"), "public base {}", t.base);

    let (head, body) = t.request("GET", "/healthz", None).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");

    // Sign in over HTTPS: the session cookie is HttpOnly, SameSite=Strict and Secure.
    let email = "tls-agent@agents.example";
    let store = t.app.store();
    store
        .create_agent(
            NewAgent {
                email: email.into(),
                name: "Tess".into(),
                is_admin: false,
                password_hash: frontdesk::security::hash_password(PASSWORD).expect("hash"),
                sites: None,
            },
            t.app.now(),
        )
        .await
        .expect("agent");
    let (head, body) = t
        .request(
            "POST",
            "/api/auth/login",
            Some(&json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    let set_cookie = head
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: fd_session=")
        })
        .expect("session cookie")
        .to_string();
    for flag in ["Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(set_cookie.contains(flag), "{flag} missing: {set_cookie}");
    }
    let cookie = set_cookie["set-cookie: ".len()..]
        .split(';')
        .next()
        .expect("cookie value")
        .to_string();

    // The agent socket over WSS (Origin: our https base).
    let mut agent = t.wss("/ws/agent", &t.base, Some(&cookie)).await;
    assert_eq!(next_json(&mut agent).await["type"], "snapshot");

    // A visitor socket over WSS from the site's own origin.
    let site = store
        .create_site(
            NewSite {
                key: SiteKey("tls-site-key".into()),
                name: "Shop".into(),
                base_url: "https://shop.example".into(),
                timezone: "UTC".into(),
                allowed_origins: vec![],
                email: None,
            },
            t.app.now(),
        )
        .await
        .expect("site");
    let mut visitor = t
        .wss(
            &format!("/ws/visitor?site={}", site.key),
            "https://shop.example",
            None,
        )
        .await;
    visitor
        .send(Message::Text(
            json!({"type":"hello","page":{"url":"https://shop.example/","title":"Home"}})
                .to_string()
                .into(),
        ))
        .await
        .expect("hello");
    let welcome = next_json(&mut visitor).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
}

#[tokio::test]
async fn plain_http_to_the_tls_port_is_refused_without_harm() {
    let t = tls_app().await;
    let mut plain = TcpStream::connect(t.app.addr).await.expect("tcp");
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    // The handshake fails: the server closes (perhaps after a TLS alert), never answers HTTP.
    let mut out = Vec::new();
    let _ = tokio::time::timeout(WAIT, plain.read_to_end(&mut out))
        .await
        .expect("closed in time");
    assert!(!out.starts_with(b"HTTP/"), "answered plain HTTP: {out:?}");

    // The server is still there for a proper client.
    let (head, _) = t.request("GET", "/healthz", None).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}
