//! [`Ws`]: a WebSocket client that keeps the frames a wait skipped, so later waits still see
//! them; requests carry a fresh `ref` and wait for their own answer.

use super::WAIT;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::VecDeque;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Message, protocol::WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A WebSocket client that keeps frames it skipped, so later waits still see them.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub backlog: VecDeque<Value>,
    next_ref: u64,
}

impl Ws {
    pub async fn open(
        url: &str,
        origin: &str,
        cookie: Option<&str>,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        Ws::open_with(url, origin, cookie, &[]).await
    }

    /// [`Ws::open`] with extra request headers (e.g. `X-Forwarded-For`).
    pub async fn open_with(
        url: &str,
        origin: &str,
        cookie: Option<&str>,
        headers: &[(&'static str, &str)],
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let mut req = url.into_client_request()?;
        for (name, value) in headers {
            req.headers_mut()
                .insert(*name, HeaderValue::from_str(value).expect("header"));
        }
        if !origin.is_empty() {
            req.headers_mut()
                .insert("Origin", HeaderValue::from_str(origin).expect("origin"));
        }
        if let Some(c) = cookie {
            req.headers_mut()
                .insert("Cookie", HeaderValue::from_str(c).expect("cookie"));
        }
        let (stream, _) = tokio_tungstenite::connect_async_with_config(
            req,
            Some(WebSocketConfig::default()),
            false,
        )
        .await?;
        Ok(Ws {
            stream,
            backlog: VecDeque::new(),
            next_ref: 1,
        })
    }

    pub async fn send(&mut self, v: Value) {
        self.stream
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.stream
            .send(Message::Text(text.to_string().into()))
            .await
            .expect("send");
    }

    /// The next frame from the socket (not the backlog); None when closed. Fails when no text
    /// frame comes within [`WAIT`] (the server's pings do not count: a socket that only hears
    /// pings must not make a test wait forever).
    pub async fn read(&mut self) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .expect("a frame within the wait limit")?;
            match msg {
                Ok(Message::Text(t)) => {
                    return Some(serde_json::from_str(t.as_str()).expect("JSON frame"));
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// Waits for a frame matching `pred` (searching skipped frames first). Fails after
    /// 3 × [`WAIT`] even while other frames keep coming.
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i).expect("index");
        }
        let deadline = tokio::time::Instant::now() + 3 * WAIT;
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no {what} within {:?}; skipped: {:?}",
                3 * WAIT,
                self.backlog
            );
            let Some(v) = self.read().await else {
                panic!(
                    "socket closed while waiting for {what}; skipped: {:?}",
                    self.backlog
                )
            };
            if pred(&v) {
                return v;
            }
            self.backlog.push_back(v);
        }
    }

    pub async fn expect(&mut self, kind: &str) -> Value {
        let k = kind.to_string();
        self.wait_for(kind, move |v| v["type"] == k).await
    }

    /// Waits for `chat` to be announced (`chat.requested`) on this agent socket.
    pub async fn requested(&mut self, chat: i64) -> Value {
        self.wait_for("chat.requested", move |f| {
            f["type"] == "chat.requested" && f["chat"]["chat_id"] == chat
        })
        .await
    }

    /// Waits for `agent`'s presence to say `connected` (or not) on this agent socket.
    pub async fn presence(&mut self, agent: i64, connected: bool) -> Value {
        self.wait_for("agent.presence", move |f| {
            f["type"] == "agent.presence" && f["agent_id"] == agent && f["connected"] == connected
        })
        .await
    }

    /// Sends `frame` with a fresh `ref` and returns the answer (ack, error, or chat.history).
    pub async fn request(&mut self, mut frame: Value) -> Value {
        let r = format!("r{}", self.next_ref);
        self.next_ref += 1;
        frame["ref"] = json!(r);
        self.send(frame).await;
        self.wait_for("answer", move |v| v["ref"] == json!(r)).await
    }

    /// Everything the server had queued for this socket before now: sends a ping and
    /// collects frames up to the pong. (Delivery is FIFO per connection.)
    pub async fn drain(&mut self) -> Vec<Value> {
        self.send(json!({"type":"ping"})).await;
        let mut out: Vec<Value> = self.backlog.drain(..).collect();
        loop {
            let v = self.read().await.expect("pong before close");
            if v["type"] == "pong" {
                return out;
            }
            out.push(v);
        }
    }

    /// Asserts no frame of `kind` is queued for this socket now.
    pub async fn assert_none(&mut self, kind: &str) {
        let frames = self.drain().await;
        let found: Vec<&Value> = frames.iter().filter(|v| v["type"] == kind).collect();
        assert!(found.is_empty(), "unexpected {kind}: {found:?}");
        self.backlog.extend(frames);
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
        // Read until the server's close so the server has seen it.
        while let Ok(Some(Ok(_))) = tokio::time::timeout(WAIT, self.stream.next()).await {}
    }

    /// Whether the server closed the socket (reads until close, dropping frames).
    pub async fn closed_by_server(&mut self) -> bool {
        loop {
            match tokio::time::timeout(WAIT, self.stream.next()).await {
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
                Err(_) => return false,
            }
        }
    }
}
