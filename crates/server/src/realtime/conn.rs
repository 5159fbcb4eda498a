//! What both sockets share: the writer task (the only place that writes to a socket:
//! queued frames, replays from storage, heartbeats). The per-IP socket count is in `crate::limits`.

use super::hub::{ConnReceiver, Outbound};
use super::replay::replay;
use crate::state::App;
use axum::extract::ws::{Message, WebSocket};
use frontdesk_core::{ChatId, Seq};
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// Which kind of client a writer serves (replays differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Visitor,
    Agent,
}

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

/// Which messages of one chat this connection has already sent: every seq up to `upto`, plus
/// `above` (sent out of order: live delivery may overtake a replay, and two messages committed
/// at once may be published in either order). A message is never sent twice, and none is
/// skipped because a later one went first.
#[derive(Default)]
pub(super) struct SentSeqs {
    upto: Seq,
    above: std::collections::BTreeSet<Seq>,
}

impl SentSeqs {
    const MAX_ABOVE: usize = 1024;

    /// True if `s` is new (and records it as sent).
    pub(super) fn mark(&mut self, s: Seq) -> bool {
        if s <= self.upto || !self.above.insert(s) {
            return false;
        }
        while self.above.remove(&self.upto.next()) {
            self.upto = self.upto.next();
        }
        if self.above.len() > Self::MAX_ABOVE {
            // A gap that never fills (e.g. an agent who never synced the start of a chat):
            // forget the oldest; the console dedupes by seq as well.
            if let Some(first) = self.above.pop_first() {
                self.upto = first;
            }
        }
        true
    }

    /// The client said it has everything up to `s`.
    pub(super) fn has_upto(&mut self, s: Seq) {
        if s > self.upto {
            self.upto = s;
            self.above = self.above.split_off(&s.next());
        }
        while self.above.remove(&self.upto.next()) {
            self.upto = self.upto.next();
        }
    }
}

/// The socket's sending half. A send that cannot finish (the peer stopped reading and the
/// kernel buffers are full) gives up as soon as the connection is told to close.
pub(super) struct Out {
    sink: SplitSink<WebSocket, Message>,
    kill: Arc<tokio::sync::Notify>,
    killed: bool,
}

impl Out {
    pub(super) async fn send(&mut self, msg: Message) -> bool {
        if self.killed {
            return false;
        }
        tokio::select! {
            r = self.sink.send(msg) => r.is_ok(),
            _ = self.kill.notified() => {
                self.killed = true;
                false
            }
        }
    }
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
                let ok = match item {
                    Outbound::Frame { text, seq } => {
                        if let Some((chat, s)) = seq
                            && !sent.entry(chat).or_default().mark(s)
                        {
                            continue; // already sent (replay and live overlapped)
                        }
                        out.send(Message::Text(text)).await
                    }
                    Outbound::Close => break,
                    Outbound::Replay { chat_id, after, reference } => {
                        replay(&app, &mut out, side, chat_id, after, reference, &mut sent).await
                    }
                };
                if !ok {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_seqs_never_repeat_and_never_skip() {
        let mut s = SentSeqs::default();
        assert!(s.mark(Seq(9)), "live message overtakes the replay");
        s.has_upto(Seq(2));
        let replayed: Vec<i64> = (3..=9).filter(|&n| s.mark(Seq(n))).collect();
        assert_eq!(
            replayed,
            vec![3, 4, 5, 6, 7, 8],
            "9 not twice, 3..8 not skipped"
        );
        assert!(!s.mark(Seq(9)));
        assert!(s.mark(Seq(11)), "published before 10");
        assert!(s.mark(Seq(10)), "10 still goes out");
        assert!(!s.mark(Seq(10)) && !s.mark(Seq(11)));
        assert_eq!(s.upto, Seq(11));
        assert!(s.above.is_empty());
    }
}
