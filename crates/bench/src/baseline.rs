//! The bare baseline: a minimal relay on the same stack (axum WebSockets, tokio, serde_json)
//! with no storage and no rules beyond routing. It speaks just enough of Frontdesk's protocol
//! for the same generator to drive it: hello → welcome, chat_request → ack + `chat.requested`
//! to every On-Line agent, accept → first one wins, messages acked with a per-chat seq and
//! relayed to the other side (and echoed), page views counted, ping → pong. Each connection
//! has a bounded queue and a writer task with a heartbeat ping, like Frontdesk's.

use anyhow::Result;
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::serve::ListenerExt;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// A connection's bounded queue, and the switch that cuts it off when the queue is full
/// (as Frontdesk does with slow readers).
#[derive(Clone)]
struct Tx {
    queue: mpsc::Sender<Utf8Bytes>,
    kill: Arc<Notify>,
}

struct Chat {
    visitor: Tx,
    agent: Option<Tx>,
    seq: i64,
}

#[derive(Default)]
struct Relay {
    next: AtomicI64,
    agents: Mutex<HashMap<i64, Tx>>,
    chats: Mutex<HashMap<i64, Chat>>,
    page_views: AtomicU64,
    messages: AtomicU64,
}

type Shared = Arc<Relay>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(rename = "ref", default, borrow)]
    reference: Option<Cow<'a, str>>,
    #[serde(default)]
    chat_id: Option<i64>,
    #[serde(default, borrow)]
    client_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    body: Option<Cow<'a, str>>,
}

pub async fn serve(listen: SocketAddr) -> Result<()> {
    let relay: Shared = Arc::default();
    let app = Router::new()
        .route("/ws/visitor", get(visitor))
        .route("/ws/agent", get(agent))
        .route("/readyz", get(|| async { "ready" }))
        .route("/metrics", get(metrics))
        .with_state(relay);
    // TCP_NODELAY on every accepted socket: small frames go out at once (no Nagle delay).
    let listener = tokio::net::TcpListener::bind(listen).await?.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await?;
    Ok(())
}

async fn metrics(State(r): State<Shared>) -> impl IntoResponse {
    format!(
        "frontdesk_page_views_total {}\nfrontdesk_messages_total {}\n",
        r.page_views.load(Ordering::Relaxed),
        r.messages.load(Ordering::Relaxed)
    )
}

/// tungstenite's read buffer (axum's default: 128 KiB, zero-filled on the first read, so
/// resident). `FRONTDESK_BENCH_RELAY_READ_BUFFER` overrides it, to measure what a smaller
/// one saves; the baseline keeps the stack's default otherwise.
fn tuned(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    let ws = ws.max_message_size(64 * 1024);
    match std::env::var("FRONTDESK_BENCH_RELAY_READ_BUFFER")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => ws.read_buffer_size(n).write_buffer_size(0),
        None => ws,
    }
}

async fn visitor(ws: WebSocketUpgrade, State(r): State<Shared>) -> impl IntoResponse {
    tuned(ws).on_upgrade(move |s| run(r, s, false))
}

async fn agent(ws: WebSocketUpgrade, State(r): State<Shared>) -> impl IntoResponse {
    tuned(ws).on_upgrade(move |s| run(r, s, true))
}

fn deliver(tx: &Tx, text: impl Into<Utf8Bytes>) {
    if let Err(mpsc::error::TrySendError::Full(_)) = tx.queue.try_send(text.into()) {
        tx.kill.notify_one();
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

async fn run(r: Shared, socket: WebSocket, is_agent: bool) {
    let (mut sink, mut stream) = socket.split();
    let (queue, mut rx) = mpsc::channel::<Utf8Bytes>(1024);
    let kill = Arc::new(Notify::new());
    let tx = Tx {
        queue,
        kill: kill.clone(),
    };
    let writer = tokio::spawn(async move {
        let mut ping = tokio::time::interval(Duration::from_secs(25));
        ping.tick().await;
        loop {
            tokio::select! {
                m = rx.recv() => match m {
                    Some(t) => if sink.send(Message::Text(t)).await.is_err() { break },
                    None => break,
                },
                _ = ping.tick() => if sink.send(Message::Ping(Default::default())).await.is_err() { break },
                _ = kill.notified() => {
                    eprintln!("slow reader: outbound queue full, closing");
                    break;
                }
            }
        }
        let _ = sink.close().await;
    });
    let me = r.next.fetch_add(1, Ordering::Relaxed) + 1;
    if is_agent {
        deliver(
            &tx,
            format!(
                r#"{{"type":"snapshot","agent_id":{me},"name":"Agent","is_admin":false,"status":"away","sites":[],"chats":[],"agents":[],"visitors":[],"epoch":"relay"}}"#
            ),
        );
    }
    let mut my_chat: Option<i64> = None;
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Text(text) = msg else {
            if matches!(msg, Message::Close(_)) {
                break;
            }
            continue;
        };
        let Ok(f) = serde_json::from_str::<Frame>(text.as_str()) else {
            deliver(
                &tx,
                r#"{"type":"error","code":"bad_request","message":"bad frame"}"#,
            );
            continue;
        };
        let rf = f.reference.as_deref().map(json_str);
        let rf = rf.as_deref().unwrap_or("null");
        match (is_agent, f.kind.as_ref()) {
            (_, "ping") => deliver(&tx, r#"{"type":"pong"}"#),
            (false, "hello") => deliver(
                &tx,
                format!(
                    r#"{{"type":"welcome","visitor_id":"v{me}","token":"t{me}","online":true,"chat":null,"epoch":"relay"}}"#
                ),
            ),
            (false, "page_view") => {
                r.page_views.fetch_add(1, Ordering::Relaxed);
            }
            (false, "chat_request") => {
                let id = r.next.fetch_add(1, Ordering::Relaxed) + 1;
                lock(&r.chats).insert(
                    id,
                    Chat {
                        visitor: tx.clone(),
                        agent: None,
                        seq: 0,
                    },
                );
                my_chat = Some(id);
                deliver(
                    &tx,
                    format!(r#"{{"type":"ack","ref":{rf},"chat_id":{id}}}"#),
                );
                let ev: Utf8Bytes = format!(
                    r#"{{"type":"chat.requested","chat":{{"chat_id":{id},"site_id":1,"site_name":"Bench chat","visitor_id":"v{me}","visitor_name":"Bench visitor","state":"pending","agent_id":null,"agent_name":null,"page_url":null,"created_at":0,"queued_at":0,"last_seq":0}}}}"#
                )
                .into();
                for a in lock(&r.agents).values() {
                    deliver(a, ev.clone());
                }
            }
            (false, "chat_end") => {
                if let Some(id) = my_chat.take() {
                    lock(&r.chats).remove(&id);
                    deliver(
                        &tx,
                        format!(r#"{{"type":"ack","ref":{rf},"chat_id":{id}}}"#),
                    );
                    let ev: Utf8Bytes =
                        format!(r#"{{"type":"chat.ended","chat_id":{id},"reason":"visitor"}}"#)
                            .into();
                    for a in lock(&r.agents).values() {
                        deliver(a, ev.clone());
                    }
                    deliver(&tx, format!(r#"{{"type":"chat.ended","chat_id":{id}}}"#));
                }
            }
            (true, "status") => {
                lock(&r.agents).insert(me, tx.clone());
                deliver(&tx, format!(r#"{{"type":"ack","ref":{rf}}}"#));
            }
            (true, "accept") => {
                let id = f.chat_id.unwrap_or_default();
                let won = match lock(&r.chats).get_mut(&id) {
                    Some(c) if c.agent.is_none() => {
                        c.agent = Some(tx.clone());
                        Some(c.visitor.clone())
                    }
                    _ => None,
                };
                match won {
                    Some(v) => {
                        deliver(
                            &tx,
                            format!(r#"{{"type":"ack","ref":{rf},"chat_id":{id}}}"#),
                        );
                        deliver(
                            &v,
                            format!(
                                r#"{{"type":"chat.accepted","chat_id":{id},"agent_name":"Agent"}}"#
                            ),
                        );
                    }
                    None => deliver(
                        &tx,
                        format!(
                            r#"{{"type":"error","ref":{rf},"code":"chat_taken","message":"taken","chat_id":{id}}}"#
                        ),
                    ),
                }
            }
            (true, "sync") => deliver(
                &tx,
                format!(
                    r#"{{"type":"chat.history","ref":{rf},"chat":{{"chat_id":{}}},"messages":[],"more":false}}"#,
                    f.chat_id.unwrap_or_default()
                ),
            ),
            (_, "message") => {
                let id = if is_agent { f.chat_id } else { my_chat };
                let Some(id) = id else { continue };
                let routed = lock(&r.chats).get_mut(&id).map(|c| {
                    c.seq += 1;
                    let other = if is_agent {
                        Some(c.visitor.clone())
                    } else {
                        c.agent.clone()
                    };
                    (c.seq, other)
                });
                let Some((seq, other)) = routed else { continue };
                r.messages.fetch_add(1, Ordering::Relaxed);
                let cid = json_str(f.client_id.as_deref().unwrap_or(""));
                let ack_ref = if is_agent {
                    rf.to_string()
                } else {
                    cid.clone()
                };
                let from = if is_agent { "agent" } else { "visitor" };
                let body = json_str(f.body.as_deref().unwrap_or(""));
                let m: Utf8Bytes = format!(
                    r#"{{"type":"message","chat_id":{id},"seq":{seq},"from":"{from}","kind":"text","body":{body},"client_id":{cid},"created_at":0}}"#
                )
                .into();
                deliver(
                    &tx,
                    format!(r#"{{"type":"ack","ref":{ack_ref},"chat_id":{id},"seq":{seq}}}"#),
                );
                deliver(&tx, m.clone());
                if let Some(o) = other {
                    deliver(&o, m);
                }
            }
            _ => deliver(&tx, format!(r#"{{"type":"ack","ref":{rf}}}"#)),
        }
    }
    if is_agent {
        lock(&r.agents).remove(&me);
    }
    writer.abort();
}
