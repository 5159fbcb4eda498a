//! The accept loop: plain TCP or TLS (rustls), HTTP/1.1 with upgrades (WebSockets), a deadline
//! on each request's headers, and a graceful stop.
//!
//! Written against hyper directly rather than `axum::serve` because that one sets no timer, so
//! a client that opens a socket and dribbles (or never finishes) its request headers would hold
//! the connection forever (slowloris). Here every connection must finish its TLS handshake and
//! each request's headers within `header_read_timeout`, or it is closed.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;
use tracing::Instrument;

pub use crate::tls::TlsError;

/// A TLS acceptor from PEM files: the certificate chain (leaf first) and its private key
/// (PKCS#8, PKCS#1 or SEC1). HTTP/1.1 only (ALPN `http/1.1`): WebSockets need it. The
/// certificate can be replaced later through [`crate::tls::acceptor`]'s handle.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    crate::tls::acceptor(cert, key).map(|(acceptor, _)| acceptor)
}

/// Ids for connections and requests (one sequence per process: unique in its logs).
fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// How connections are served.
#[derive(Clone)]
pub struct Serving {
    pub tls: Option<TlsAcceptor>,
    /// Deadline for the TLS handshake and for each request's headers (also the longest an idle
    /// keep-alive connection waits for its next request).
    pub header_read_timeout: Duration,
}

/// Serves `router` on `listener` until `stop` fires; then stops accepting, asks every open
/// HTTP connection to finish its request and close, and returns once they have. (Upgraded
/// WebSockets are not waited for here: the hub closes them.)
pub async fn serve(
    listener: TcpListener,
    router: Router,
    serving: Serving,
    stop: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    // Every connection task holds a receiver; `closed()` resolves when all are gone.
    let (signal_tx, signal_rx) = watch::channel(false);
    let mut stop = pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        // Small frames must not wait for the peer's delayed ACK (Nagle): chat is latency-bound.
        let _ = tcp.set_nodelay(true);
        let router = router.clone();
        let serving = serving.clone();
        let signal = signal_rx.clone();
        // Every line logged for this connection (and its requests, WebSocket) carries conn_id.
        let span = tracing::info_span!("conn", conn_id = next_id(), %peer);
        tokio::spawn(
            async move {
                tracing::debug!("connection accepted");
                connection(tcp, peer, router, serving, signal).await;
            }
            .instrument(span),
        );
    }
    drop(listener);
    drop(signal_rx);
    let _ = signal_tx.send(true);
    signal_tx.closed().await;
    Ok(())
}

/// Accept errors: the peer's own failures are skipped; others (out of file descriptors) are
/// logged and the loop pauses briefly instead of spinning.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_millis(200)).await;
}

async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    router: Router,
    serving: Serving,
    signal: watch::Receiver<bool>,
) {
    match &serving.tls {
        None => http(tcp, peer, router, &serving, signal).await,
        Some(acceptor) => {
            let handshake = tokio::time::timeout(serving.header_read_timeout, acceptor.accept(tcp));
            match handshake.await {
                Ok(Ok(tls)) => http(tls, peer, router, &serving, signal).await,
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
}

async fn http<I>(
    io: I,
    peer: SocketAddr,
    router: Router,
    serving: &Serving,
    mut signal: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // The handlers read the peer address through `ConnectInfo`, as with `axum::serve`.
    // Each request gets a span with its own id (`req_id`), inside the connection's span.
    let service = tower::service_fn(move |mut req: axum::http::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let span = tracing::info_span!(
            "request",
            req_id = next_id(),
            method = %req.method(),
            path = %req.uri().path()
        );
        let response = router.clone().oneshot(req);
        async move {
            let response = response.await;
            if let Ok(r) = &response {
                tracing::debug!(status = r.status().as_u16(), "request done");
            }
            response
        }
        .instrument(span)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(serving.header_read_timeout);
    let conn = builder
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
        .with_upgrades();
    let mut conn = pin!(conn);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                break;
            }
            changed = signal.changed(), if !stopping => {
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
                stopping = true;
            }
        }
    }
}
