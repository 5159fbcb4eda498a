//! A connection's writer task: the only place that writes to a socket (queued frames,
//! replays from storage, heartbeats), and the one that notices a silent peer.

use super::outbound::{ConnReceiver, Outbound};
use super::replay::{FrameSink, SentSeqs, Side, replay};
use crate::state::App;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use frontdesk_core::ChatId;
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// When the peer was last heard from (any frame, including pongs), in ms since `start`.
pub struct Liveness {
    start: Instant,
    last: AtomicI64,
}

impl Liveness {
    pub fn new() -> Arc<Liveness> {
        Arc::new(Liveness {
            start: Instant::now(),
            last: AtomicI64::new(0),
        })
    }
    pub fn heard(&self) {
        self.last
            .store(self.start.elapsed().as_millis() as i64, Ordering::Relaxed);
    }
    fn silent_for(&self) -> Duration {
        let now = self.start.elapsed().as_millis() as i64;
        Duration::from_millis((now - self.last.load(Ordering::Relaxed)).max(0) as u64)
    }
}

/// The socket's sending half. A send that cannot finish (the peer stopped reading and the
/// kernel buffers are full) gives up as soon as the connection is told to close.
struct Out {
    sink: SplitSink<WebSocket, Message>,
    kill: Arc<tokio::sync::Notify>,
    killed: bool,
}

impl Out {
    /// Runs `op` on the sink unless the connection is told to close first (then, and from
    /// then on, false).
    async fn guarded<'a, F>(
        &'a mut self,
        op: impl FnOnce(&'a mut SplitSink<WebSocket, Message>) -> F,
    ) -> bool
    where
        F: Future<Output = Result<(), axum::Error>> + 'a,
    {
        let Out { sink, kill, killed } = self;
        if *killed {
            return false;
        }
        tokio::select! {
            r = op(sink) => r.is_ok(),
            _ = kill.notified() => {
                *killed = true;
                false
            }
        }
    }

    async fn send(&mut self, msg: Message) -> bool {
        self.guarded(|sink| sink.send(msg)).await
    }

    /// Buffers `msg` without writing it out (unless the buffer is full): see [`Out::flush`].
    async fn feed(&mut self, msg: Message) -> bool {
        self.guarded(|sink| sink.feed(msg)).await
    }

    /// Writes out every buffered frame: one socket write for all of them.
    async fn flush(&mut self) -> bool {
        self.guarded(|sink| sink.flush()).await
    }
}

/// Most queued frames written out together (one socket write); then the writer flushes and
/// looks at its heartbeat and kill signal again.
const COALESCE: usize = 64;

impl FrameSink for Out {
    async fn send_text(&mut self, text: Utf8Bytes) -> bool {
        self.send(Message::Text(text)).await
    }
}

/// Writes `first` and the items queued behind it (up to [`COALESCE`] frames), in order: the
/// frames are buffered and written out with one flush. False when the writer must stop (a
/// close, a failed write).
async fn write_queued(
    app: &App,
    out: &mut Out,
    recv: &mut ConnReceiver,
    side: Side,
    sent: &mut HashMap<ChatId, SentSeqs>,
    first: Outbound,
) -> bool {
    let mut next = Some(first);
    let mut fed = 0;
    while let Some(item) = next.take() {
        let ok = match item {
            Outbound::Frame { text, seq } => {
                if let Some((chat, s)) = seq
                    && !sent.entry(chat).or_default().mark(s)
                {
                    true // already sent (replay and live overlapped)
                } else {
                    fed += 1;
                    out.feed(Message::Text(text)).await
                }
            }
            Outbound::Close => {
                if fed > 0 {
                    out.flush().await;
                }
                return false;
            }
            Outbound::Replay {
                chat_id,
                after,
                reference,
            } => {
                // What was buffered goes first; the replay writes its own frames.
                let flushed = fed == 0 || out.flush().await;
                fed = 0;
                // Boxed: allocated while it runs, not kept in every writer's task.
                flushed && Box::pin(replay(app, out, side, chat_id, after, reference, sent)).await
            }
        };
        if !ok {
            return false;
        }
        if fed < COALESCE {
            next = recv.rx.try_recv().ok();
        }
    }
    fed == 0 || out.flush().await
}

/// Runs until the connection is told to close, the peer goes silent for two heartbeats, or
/// the socket fails.
pub async fn run_writer(
    app: App,
    sink: SplitSink<WebSocket, Message>,
    mut recv: ConnReceiver,
    side: Side,
    liveness: Arc<Liveness>,
) {
    let mut out = Out {
        sink,
        kill: recv.kill.clone(),
        killed: false,
    };
    let heartbeat = Duration::from_secs(app.settings.heartbeat_secs.max(1));
    let mut ticker = tokio::time::interval(heartbeat);
    ticker.tick().await;
    let mut sent: HashMap<ChatId, SentSeqs> = HashMap::new();
    loop {
        tokio::select! {
            item = recv.rx.recv() => {
                let Some(item) = item else { break };
                if !write_queued(&app, &mut out, &mut recv, side, &mut sent, item).await {
                    break;
                }
            }
            _ = ticker.tick() => {
                if liveness.silent_for() > heartbeat * 2 {
                    tracing::debug!("peer silent for two heartbeats; closing");
                    break;
                }
                if !out.send(Message::Ping(Default::default())).await {
                    break;
                }
            }
            _ = recv.kill.notified() => break,
        }
    }
    if recv.slow.load(std::sync::atomic::Ordering::Relaxed) {
        app.metrics.slow_consumers.inc();
    }
    if !out.killed {
        // Bounded: a peer that does not read gets no polite goodbye.
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            let _ = out.sink.send(Message::Close(None)).await;
            let _ = out.sink.close().await;
        })
        .await;
    }
}
