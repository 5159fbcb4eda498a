//! A webhook receiver on a loopback port: records every request (headers and body) and
//! answers as told: 200, 500, hang, a redirect, or 10 MB.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Ok = 0,
    Fail = 1,
    Hang = 2,
    Redirect = 3,
    Huge = 4,
}

/// One request received.
#[derive(Debug, Clone)]
pub struct Received {
    pub signature: String,
    pub event: String,
    pub body: String,
    pub json: Value,
}

#[derive(Default)]
struct Shared {
    mode: AtomicU8,
    got: Mutex<Vec<Received>>,
    /// Requests answered 2xx (what a receiver counts as delivered).
    accepted: Mutex<Vec<Received>>,
    arrived: Notify,
}

#[derive(Clone)]
pub struct Receiver {
    shared: Arc<Shared>,
    pub url: String,
    _task: Arc<AbortOnDrop>,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn handle(State(s): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let r = Received {
        signature: header("frontdesk-signature"),
        event: header("frontdesk-event"),
        json: serde_json::from_str(&body).unwrap_or(Value::Null),
        body,
    };
    let mode = s.mode.load(Ordering::SeqCst);
    s.got
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(r.clone());
    if mode == Mode::Ok as u8 || mode == Mode::Huge as u8 {
        s.accepted.lock().unwrap_or_else(|p| p.into_inner()).push(r);
    }
    s.arrived.notify_waiters();
    match mode {
        0 => StatusCode::OK.into_response(),
        1 => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        2 => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK.into_response()
        }
        3 => Response::builder()
            .status(StatusCode::FOUND)
            .header("Location", "/elsewhere")
            .body(Body::empty())
            .unwrap_or_default(),
        _ => Response::new(Body::from(vec![b'x'; 10 * 1024 * 1024])),
    }
}

async fn elsewhere(State(s): State<Arc<Shared>>) -> StatusCode {
    s.got
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Received {
            signature: String::new(),
            event: "redirected".into(),
            body: String::new(),
            json: Value::Null,
        });
    StatusCode::OK
}

impl Receiver {
    pub async fn start(mode: Mode) -> Receiver {
        let shared = Arc::new(Shared::default());
        shared.mode.store(mode as u8, Ordering::SeqCst);
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(handle))
            .route("/elsewhere", axum::routing::post(elsewhere).get(elsewhere))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            shared,
            url: format!("http://{addr}/hook"),
            _task: Arc::new(AbortOnDrop(task)),
        }
    }

    pub fn set(&self, mode: Mode) {
        self.shared.mode.store(mode as u8, Ordering::SeqCst);
    }

    /// Every request so far.
    pub fn got(&self) -> Vec<Received> {
        self.shared
            .got
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Requests answered 2xx so far.
    pub fn accepted(&self) -> Vec<Received> {
        self.shared
            .accepted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Waits (up to 20 s) until `pred` holds of the accepted requests; them.
    pub async fn until(&self, what: &str, pred: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let arrived = self.shared.arrived.notified();
            let got = self.accepted();
            if pred(&got) {
                return got;
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            assert!(!left.is_zero(), "timed out waiting for {what}; got {got:?}");
            let _ = tokio::time::timeout(left.min(Duration::from_millis(200)), arrived).await;
        }
    }

    /// Waits (up to 20 s) until `n` requests of any answer arrived.
    pub async fn until_tried(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let arrived = self.shared.arrived.notified();
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {n} attempts; got {got:?}"
            );
            let _ = tokio::time::timeout(Duration::from_millis(200), arrived).await;
        }
    }
}
