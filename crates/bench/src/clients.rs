//! Real WebSocket clients (tokio-tungstenite, the same tungstenite as axum): connecting from
//! a chosen loopback source address, the frames both servers speak, and a clock shared by
//! every client so that a receiver can time a message sent by another task.

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Message, protocol::WebSocketConfig};

pub type Ws = WebSocketStream<TcpStream>;

/// Microseconds since the bench started (one clock for every task).
pub fn now_us() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// Source address `i` of `n` (127.0.0.2 .. 127.0.0.n+1): each has its own ephemeral ports.
pub fn source(i: usize, n: usize) -> Ipv4Addr {
    let k = (i % n.max(1)) as u32 + 2;
    Ipv4Addr::from(0x7f00_0000 | k)
}

/// Small buffers: the generator holds up to 100k sockets in one process.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
}

/// Opens `ws://addr{path}` with `Origin` (and a session cookie), from `src` if given.
pub async fn open(
    addr: SocketAddr,
    path: &str,
    origin: &str,
    cookie: Option<&str>,
    src: Option<Ipv4Addr>,
) -> Result<Ws> {
    let mut req = format!("ws://{addr}{path}").into_client_request()?;
    req.headers_mut()
        .insert("Origin", HeaderValue::from_str(origin)?);
    if let Some(c) = cookie {
        req.headers_mut()
            .insert("Cookie", HeaderValue::from_str(c)?);
    }
    req.headers_mut().insert(
        "User-Agent",
        HeaderValue::from_static(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
        ),
    );
    let socket = TcpSocket::new_v4()?;
    if let Some(ip) = src {
        socket
            .bind(SocketAddr::new(IpAddr::V4(ip), 0))
            .with_context(|| format!("bind {ip}"))?;
    }
    let stream = socket.connect(addr).await.context("connect")?;
    stream.set_nodelay(true)?;
    let (ws, _) = tokio_tungstenite::client_async_with_config(req, stream, Some(config()))
        .await
        .context("upgrade")?;
    Ok(ws)
}

/// A frame either server sends, with only the fields the generator reads.
#[derive(Debug, Deserialize)]
pub struct In<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(rename = "ref", default, borrow)]
    pub reference: Option<Cow<'a, str>>,
    #[serde(default)]
    pub chat_id: Option<i64>,
    #[serde(default)]
    pub seq: Option<i64>,
    #[serde(default, borrow)]
    pub from: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub body: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub token: Option<Cow<'a, str>>,
    /// An `error` frame's code (`rate_limited`, …).
    #[serde(default, borrow)]
    pub code: Option<Cow<'a, str>>,
    #[serde(default)]
    pub chat: Option<ChatRef>,
}

#[derive(Debug, Deserialize)]
pub struct ChatRef {
    pub chat_id: i64,
}

pub fn parse(text: &str) -> Result<In<'_>> {
    serde_json::from_str(text).with_context(|| format!("bad frame {}", short(text)))
}

fn short(t: &str) -> String {
    t.chars().take(200).collect()
}

pub async fn send(ws: &mut Ws, text: String) -> Result<()> {
    ws.send(Message::Text(text.into())).await.context("send")
}

/// The next text frame (pings are answered by tungstenite while reading); None at close.
pub async fn recv(ws: &mut Ws) -> Result<Option<String>> {
    loop {
        match ws.next().await {
            None => return Ok(None),
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(Message::Text(t))) => return Ok(Some(t.as_str().to_string())),
            Some(Ok(Message::Close(_))) => return Ok(None),
            Some(Ok(_)) => continue,
        }
    }
}

/// Reads until a frame satisfies `pred` (frames before it are dropped); error on timeout.
pub async fn wait_for(
    ws: &mut Ws,
    what: &str,
    wait: Duration,
    mut pred: impl FnMut(&In<'_>) -> bool,
) -> Result<String> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let text = match tokio::time::timeout_at(deadline, recv(ws)).await {
            Err(_) => bail!("timed out waiting for {what}"),
            Ok(r) => r?.with_context(|| format!("closed while waiting for {what}"))?,
        };
        let f = parse(&text)?;
        if f.kind == "error" && what != "error" {
            bail!("error while waiting for {what}: {}", short(&text));
        }
        if pred(&f) {
            return Ok(text);
        }
    }
}

/// A visitor asks for a chat (`chat_request`, ref "req") and waits until it is accepted;
/// returns the chat's id. `chat.accepted` may overtake the request's ack (an agent can answer
/// before the visitor hears its ack), so both are awaited, in either order.
pub async fn request_chat_until_accepted(ws: &mut Ws, wait: Duration) -> Result<i64> {
    send(
        ws,
        r#"{"type":"chat_request","ref":"req","name":"Bench visitor"}"#.to_string(),
    )
    .await?;
    let (mut chat, mut accepted) = (None::<i64>, Vec::<i64>::new());
    loop {
        if let Some(c) = chat.filter(|c| accepted.contains(c)) {
            return Ok(c);
        }
        let text = wait_for(ws, "chat_request ack and chat.accepted", wait, |f| {
            (f.kind == "ack" && f.reference.as_deref() == Some("req")) || f.kind == "chat.accepted"
        })
        .await?;
        let f = parse(&text)?;
        match (f.kind.as_ref(), f.chat_id) {
            ("ack", Some(c)) => chat = Some(c),
            ("chat.accepted", Some(c)) => accepted.push(c),
            _ => bail!("unexpected answer {text}"),
        }
    }
}

/// A visitor socket on `site` that has said hello; returns it and the welcome's token.
#[allow(clippy::too_many_arguments)]
pub async fn visitor(
    addr: SocketAddr,
    key: &str,
    origin: &str,
    src: Option<Ipv4Addr>,
    token: Option<&str>,
    path: &str,
    wait: Duration,
) -> Result<(Ws, String)> {
    let mut ws = open(addr, &format!("/ws/visitor?site={key}"), origin, None, src).await?;
    let hello = serde_json::json!({
        "type": "hello",
        "token": token,
        "page": {"url": format!("{origin}{path}"), "title": "Bench page", "referrer": "https://search.example/?q=chat"},
    });
    send(&mut ws, hello.to_string()).await?;
    let welcome = wait_for(&mut ws, "welcome", wait, |f| f.kind == "welcome").await?;
    let token = parse(&welcome)?
        .token
        .map(|t| t.into_owned())
        .unwrap_or_default();
    Ok((ws, token))
}

/// An agent socket after its snapshot, set On-Line.
pub async fn agent(addr: SocketAddr, cookie: &str, wait: Duration) -> Result<Ws> {
    let origin = format!("http://{addr}");
    let mut ws = open(addr, "/ws/agent", &origin, Some(cookie), None).await?;
    wait_for(&mut ws, "snapshot", wait, |f| f.kind == "snapshot").await?;
    send(
        &mut ws,
        r#"{"type":"status","status":"online","ref":"online"}"#.to_string(),
    )
    .await?;
    wait_for(&mut ws, "status ack", wait, |f| {
        f.kind == "ack" && f.reference.as_deref() == Some("online")
    })
    .await?;
    Ok(ws)
}

/// A visitor asks for a chat; returns its id (from the ack).
pub async fn request_chat(ws: &mut Ws, wait: Duration) -> Result<i64> {
    send(
        ws,
        r#"{"type":"chat_request","ref":"req","name":"Bench visitor"}"#.to_string(),
    )
    .await?;
    let ack = wait_for(ws, "chat_request ack", wait, |f| {
        f.kind == "ack" && f.reference.as_deref() == Some("req")
    })
    .await?;
    parse(&ack)?.chat_id.context("ack without chat_id")
}

/// Body of a timed message: send time first, then padding to a typical chat line.
pub fn timed_body(tag: &str) -> String {
    format!(
        "{} {tag} Hello, I have a question about my order, could you help me?",
        now_us()
    )
}

/// The send time in a timed body.
pub fn sent_at(body: &str) -> Option<u64> {
    body.split(' ').next()?.parse().ok()
}
