//! One delivery attempt over HTTP(S), on guard against the receiver:
//! - the host is resolved once; every address is checked against the SSRF rule
//!   (`frontdesk_core::webhooks::address`, unless `allow_private_addresses`), and the socket
//!   is connected to a checked address (no second lookup a DNS rebinding could change);
//! - connect (TCP and TLS) and the whole attempt have their own time limits;
//! - the answer's body is read up to `max_response_bytes`, then left unread;
//! - a redirect is an answer like any other (3xx: not delivered), never followed.
//!
//! hyper's HTTP/1 client on a socket of our own rather than a client library: it is already
//! in the build, and owning the connect step is what makes the address check hold.

use crate::config::WebhookSettings;
use frontdesk_core::webhooks::address;
use frontdesk_core::webhooks::outbox::Outcome;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls;

/// The request to make.
pub struct Request<'a> {
    pub url: &'a str,
    pub body: String,
    /// Extra headers (signature, event, delivery id).
    pub headers: Vec<(&'static str, String)>,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Makes delivery attempts with one configuration (cheap to share).
pub struct Sender {
    limits: WebhookSettings,
    tls: TlsConnector,
}

impl Sender {
    pub fn new(limits: WebhookSettings) -> Sender {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|b| b.with_root_certificates(roots).with_no_client_auth())
            .unwrap_or_else(|e| {
                // The ring provider supports the default versions; this cannot happen.
                tracing::error!(error = %e, "webhook TLS configuration failed");
                rustls::ClientConfig::builder()
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth()
            });
        Sender {
            limits,
            tls: TlsConnector::from(Arc::new(config)),
        }
    }

    /// Makes the attempt: how it went.
    pub async fn send(&self, req: Request<'_>) -> Outcome {
        let total = Duration::from_millis(self.limits.timeout_ms);
        match tokio::time::timeout(total, self.attempt(req)).await {
            Ok(outcome) => outcome,
            Err(_) => Outcome::NoAnswer {
                error: format!("no answer within {} ms", self.limits.timeout_ms),
            },
        }
    }

    async fn attempt(&self, req: Request<'_>) -> Outcome {
        let no = |error: String| Outcome::NoAnswer { error };
        let url = match url::Url::parse(req.url) {
            Ok(u) => u,
            Err(e) => return no(format!("bad URL: {e}")),
        };
        let Some(host) = url.host_str().map(str::to_owned) else {
            return no("the URL has no host".into());
        };
        let https = url.scheme() == "https";
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let addrs = match self.resolve(&url, port).await {
            Ok(a) => a,
            Err(e) => return no(e),
        };
        let stream = match self.connect(&addrs).await {
            Ok(s) => s,
            Err(e) => return no(e),
        };
        let io: Box<dyn Io> = if https {
            let name = match url.host() {
                Some(url::Host::Ipv4(ip)) => rustls::pki_types::ServerName::from(IpAddr::V4(ip)),
                Some(url::Host::Ipv6(ip)) => rustls::pki_types::ServerName::from(IpAddr::V6(ip)),
                _ => match rustls::pki_types::ServerName::try_from(host.clone()) {
                    Ok(n) => n,
                    Err(e) => return no(format!("bad host name: {e}")),
                },
            };
            let connect = Duration::from_millis(self.limits.connect_timeout_ms);
            match tokio::time::timeout(connect, self.tls.connect(name, stream)).await {
                Ok(Ok(tls)) => Box::new(tls),
                Ok(Err(e)) => return no(format!("TLS: {e}")),
                Err(_) => return no("TLS handshake timed out".into()),
            }
        } else {
            Box::new(stream)
        };
        let (mut sender, conn) = match hyper::client::conn::http1::handshake(TokioIo::new(io)).await
        {
            Ok(pair) => pair,
            Err(e) => return no(format!("HTTP: {e}")),
        };
        // The connection's task ends with the attempt (it is dropped with `_conn`).
        let _conn = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let host_header = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let mut builder = hyper::Request::post(path)
            .header(hyper::header::HOST, host_header)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(
                hyper::header::USER_AGENT,
                concat!("Frontdesk-Webhooks/", env!("CARGO_PKG_VERSION")),
            );
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        let request = match builder.body(Full::new(Bytes::from(req.body))) {
            Ok(r) => r,
            Err(e) => return no(format!("request: {e}")),
        };
        let response = match sender.send_request(request).await {
            Ok(r) => r,
            Err(e) => return no(format!("HTTP: {e}")),
        };
        let code = response.status().as_u16();
        // Read (and drop) at most `max_response_bytes` of the answer.
        let mut body = response.into_body();
        let mut read = 0usize;
        while read < self.limits.max_response_bytes {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        read += data.len();
                    }
                }
                _ => break,
            }
        }
        Outcome::Answered { code }
    }

    /// The addresses to connect to: `url`'s host resolved once, each address checked.
    async fn resolve(&self, url: &url::Url, port: u16) -> Result<Vec<SocketAddr>, String> {
        let found: Vec<SocketAddr> = match url.host() {
            Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Some(url::Host::Domain(name)) => {
                let wait = Duration::from_millis(self.limits.connect_timeout_ms);
                match tokio::time::timeout(wait, tokio::net::lookup_host((name, port))).await {
                    Ok(Ok(addrs)) => addrs.collect(),
                    Ok(Err(e)) => return Err(format!("DNS: {e}")),
                    Err(_) => return Err("DNS timed out".into()),
                }
            }
            None => return Err("the URL has no host".into()),
        };
        if found.is_empty() {
            return Err("DNS: no address".into());
        }
        if self.limits.allow_private_addresses {
            return Ok(found);
        }
        let mut refused = None;
        let allowed: Vec<SocketAddr> = found
            .into_iter()
            .filter(|a| match address::check(a.ip()) {
                Ok(()) => true,
                Err(why) => {
                    refused = Some((a.ip(), why));
                    false
                }
            })
            .collect();
        match (allowed.is_empty(), refused) {
            (true, Some((ip, why))) => Err(format!(
                "refused: {ip} is a {} (webhooks.allow_private_addresses is off)",
                why.as_str()
            )),
            _ => Ok(allowed),
        }
    }

    async fn connect(&self, addrs: &[SocketAddr]) -> Result<TcpStream, String> {
        let wait = Duration::from_millis(self.limits.connect_timeout_ms);
        let mut last = String::from("no address");
        for addr in addrs {
            match tokio::time::timeout(wait, TcpStream::connect(addr)).await {
                Ok(Ok(s)) => {
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Ok(Err(e)) => last = format!("connect {addr}: {e}"),
                Err(_) => last = format!("connect {addr}: timed out"),
            }
        }
        Err(last)
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
