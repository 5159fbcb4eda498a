//! The skeleton both sockets share: the upgrade's frame limits, starting the writer, reading
//! decoded frames, queueing answers, and flush-and-close at the end. The visitor and agent
//! sockets (`visitor_ws`, `agent_ws`) only add what a frame means on their side.

use super::decode::decode;
use super::outbound::{ConnHandle, Outbound};
use super::replay::Side;
use super::writer::{Liveness, run_writer};
use crate::error::{AppError, AppResult};
use crate::state::App;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::StreamExt;
use futures_util::stream::SplitStream;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Bytes a connection's reads take from the socket at most; its read buffer's size.
const READ_BUFFER: usize = 4 * 1024;

/// Accepts the upgrade with the configured frame size limit, then runs `run` on the socket.
pub fn upgrade<F, Fut>(ws: WebSocketUpgrade, app: &App, run: F) -> Response
where
    F: FnOnce(WebSocket) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let max = app.settings.max_frame_bytes;
    // The socket's task keeps the request's span (`conn_id`, `req_id`): one span per
    // connection, so every line it logs says which connection.
    let span = tracing::info_span!("ws");
    // A 4 KiB read buffer instead of tungstenite's 128 KiB: every connection keeps it for as
    // long as it is open (a held visitor costs far less). A bigger frame still fits (it is
    // read in full, up to `max`); 4 KiB is only how much one read takes from the socket.
    ws.read_buffer_size(READ_BUFFER)
        .max_frame_size(max)
        .max_message_size(max)
        .on_upgrade(move |ws| {
            use tracing::Instrument;
            async move {
                tracing::debug!("WebSocket open");
                run(ws).await;
                tracing::debug!("WebSocket closed");
            }
            .instrument(span)
        })
}

/// Serializes `frame` and queues it on the connection.
pub fn send<T: Serialize>(handle: &ConnHandle, frame: &T) {
    if let Ok(text) = serde_json::to_string(frame) {
        handle.frame(text);
    }
}

/// One open socket: its reading half here, its writing half in the writer task.
pub struct Socket {
    stream: SplitStream<WebSocket>,
    /// Where this connection's frames are queued (the hub holds clones of it).
    pub handle: ConnHandle,
    liveness: Arc<Liveness>,
    writer: JoinHandle<()>,
}

impl Socket {
    /// Splits the socket and starts its writer, with an outbound queue of the configured size.
    pub fn start(app: &App, socket: WebSocket, side: Side) -> Socket {
        let (sink, stream) = socket.split();
        let (handle, recv) = app.hub.new_conn(app.settings.outbound_queue);
        let liveness = Liveness::new();
        liveness.heard();
        let writer = tokio::spawn(run_writer(app.clone(), sink, recv, side, liveness.clone()));
        Socket {
            stream,
            handle,
            liveness,
            writer,
        }
    }

    /// The next decoded frame; `None` when the socket is closed or failed. Pings and pongs
    /// only count as signs of life.
    pub async fn read<T: DeserializeOwned>(&mut self) -> Option<AppResult<T>> {
        read_frame(&mut self.stream, &self.liveness).await
    }

    /// Like [`Socket::read`], and `None` as well when the writer ended (the connection was
    /// told to close, the peer went silent, or sending failed). After a `None`, only
    /// [`Socket::close`] is left to call.
    pub async fn next<T: DeserializeOwned>(&mut self) -> Option<AppResult<T>> {
        tokio::select! {
            f = read_frame(&mut self.stream, &self.liveness) => f,
            _ = &mut self.writer => None,
        }
    }

    /// Lets the writer flush what is queued and answer the peer's Close, briefly; then stops it.
    pub async fn close(mut self) {
        if !self.writer.is_finished() {
            self.handle.deliver(Outbound::Close);
            let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.writer).await;
        }
        self.writer.abort();
    }
}

async fn read_frame<T: DeserializeOwned>(
    stream: &mut SplitStream<WebSocket>,
    liveness: &Liveness,
) -> Option<AppResult<T>> {
    loop {
        let msg = match stream.next().await? {
            Ok(m) => m,
            Err(_) => return None,
        };
        liveness.heard();
        match msg {
            Message::Text(t) => return Some(decode(t.as_str())),
            Message::Binary(_) => return Some(Err(AppError::bad_request("Frames are JSON text."))),
            Message::Close(_) => return None,
            Message::Ping(_) | Message::Pong(_) => continue,
        }
    }
}
