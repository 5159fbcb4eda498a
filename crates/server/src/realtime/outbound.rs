//! One connection's outbound queue: what its writer is asked to do ([`Outbound`]), the
//! sending side every deliverer holds ([`ConnHandle`]) and the receiving side the writer owns
//! ([`ConnReceiver`]). Delivery never waits: a full queue marks a slow reader and cuts it off.

use axum::extract::ws::Utf8Bytes;
use frontdesk_core::{ChatId, Seq};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{Notify, mpsc};

/// What a connection's writer is asked to do.
#[derive(Debug)]
pub enum Outbound {
    /// Send this text frame (unless `seq` shows the message was already sent).
    Frame {
        text: Utf8Bytes,
        seq: Option<(ChatId, Seq)>,
    },
    /// Close the connection after everything queued before it was sent.
    Close,
    /// Send the chat's messages after `after` from storage (replay / open a chat window).
    Replay {
        chat_id: ChatId,
        after: Seq,
        reference: Option<String>,
    },
}

/// The sending side of one connection.
#[derive(Debug, Clone)]
pub struct ConnHandle {
    pub id: u64,
    tx: mpsc::Sender<Outbound>,
    kill: Arc<Notify>,
    slow: Arc<AtomicBool>,
}

impl ConnHandle {
    /// Queue an item without waiting. A full queue cuts the connection off.
    pub fn deliver(&self, item: Outbound) -> bool {
        match self.tx.try_send(item) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                if !self.slow.swap(true, Ordering::Relaxed) {
                    tracing::info!(conn = self.id, "slow reader: outbound queue full, closing");
                }
                self.kill.notify_one();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Queue an item, waiting for room (for answers to the connection's own requests).
    pub async fn send(&self, item: Outbound) -> bool {
        self.tx.send(item).await.is_ok()
    }

    pub fn frame(&self, text: impl Into<Utf8Bytes>) -> bool {
        self.deliver(Outbound::Frame {
            text: text.into(),
            seq: None,
        })
    }

    pub fn close(&self) {
        self.kill.notify_one();
    }
}

/// The receiving side, owned by the connection's writer.
pub struct ConnReceiver {
    pub rx: mpsc::Receiver<Outbound>,
    pub kill: Arc<Notify>,
    /// Set when the connection was cut off for not reading.
    pub slow: Arc<AtomicBool>,
}

/// A new connection's queue, bounded to `queue` items (at least 8).
pub fn channel(id: u64, queue: usize) -> (ConnHandle, ConnReceiver) {
    let (tx, rx) = mpsc::channel(queue.max(8));
    let kill = Arc::new(Notify::new());
    let slow = Arc::new(AtomicBool::new(false));
    (
        ConnHandle {
            id,
            tx,
            kill: kill.clone(),
            slow: slow.clone(),
        },
        ConnReceiver { rx, kill, slow },
    )
}
