//! Slow upgrade requests (slowloris): a client that opens a socket and dribbles, or never
//! finishes, its request headers is cut off after `limits.header_read_timeout_ms`, and a crowd
//! of such sockets does not keep anyone else out.

use crate::helpers::{TestApp, WAIT};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT_MS: u64 = 400;

/// Reads until the server closes the socket; returns how long that took.
async fn until_closed(mut s: TcpStream, since: Instant) -> Duration {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(WAIT, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return since.elapsed(),
            Ok(Ok(_)) => continue, // a 408 or similar before the close is fine
            Err(_) => panic!("the server kept a stalled socket open for {WAIT:?}"),
        }
    }
}

#[tokio::test]
async fn stalled_headers_are_cut_off_and_do_not_keep_others_out() {
    let app = TestApp::spawn_with(|s| s.limits.header_read_timeout_ms = TIMEOUT_MS).await;
    let started = Instant::now();
    let mut stalled = Vec::new();
    // Half a request line, half a WebSocket upgrade, and nothing at all.
    let partials: [&[u8]; 3] = [
        b"GET /healthz HT",
        b"GET /ws/visitor?site=x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgr",
        b"",
    ];
    for i in 0..150 {
        let mut s = TcpStream::connect(app.addr).await.expect("connect");
        s.write_all(partials[i % partials.len()])
            .await
            .expect("write");
        stalled.push(s);
    }

    // While they all hang, a normal client is served.
    let resp = reqwest::get(format!("{}/healthz", app.base))
        .await
        .expect("a normal request gets through");
    assert_eq!(resp.status(), 200);

    // Every stalled socket is closed by the server, none long after the deadline.
    let closes = stalled
        .into_iter()
        .map(|s| tokio::spawn(until_closed(s, started)));
    for c in closes {
        let took = c.await.expect("task");
        assert!(
            took >= Duration::from_millis(TIMEOUT_MS - 50),
            "closed before the deadline: {took:?}"
        );
        assert!(took < Duration::from_secs(10), "closed only after {took:?}");
    }
}

#[tokio::test]
async fn a_dribbling_client_is_cut_off_at_the_deadline() {
    let app = TestApp::spawn_with(|s| s.limits.header_read_timeout_ms = TIMEOUT_MS).await;
    let mut s = TcpStream::connect(app.addr).await.expect("connect");
    let started = Instant::now();
    let request = b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: 1\r\n\r\n";
    // One byte every 50 ms: the whole request would take ~2.3 s, far past the deadline.
    let mut closed = false;
    for b in request.iter() {
        if s.write_all(&[*b]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        if started.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    let took = if closed {
        started.elapsed()
    } else {
        until_closed(s, started).await
    };
    assert!(
        took < Duration::from_millis(request.len() as u64 * 50),
        "the dribbling client was served to the end ({took:?})"
    );
}
