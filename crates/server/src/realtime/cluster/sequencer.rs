//! Cluster mode: a chat's messages reach a visitor in sequence order.
//!
//! Two nodes may store messages 5 and 6 of one chat a moment apart and publish them in the
//! opposite order. A connection sends each seq at most once and skips anything at or below
//! what it already sent, so 6-before-5 would lose 5 for that visitor. Every node therefore
//! passes the visitor-bound message events of each chat through a [`Sequencer`]: an event
//! that skips ahead is held until the missing ones arrive. If they have not come within
//! `hold`, they were lost between nodes (a publisher died after storing, Redis went away):
//! the held events are dropped and the visitor's connections here are closed, so that the
//! visitor reconnects and gets everything after the last seq it has from storage, in order.

use crate::realtime::bus::BusEvent;
use crate::realtime::hub::Hub;
use frontdesk_core::audience::Audience;
use frontdesk_core::{ChatId, Seq};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Streams idle this long are forgotten (the next event starts a new one).
const IDLE: Duration = Duration::from_secs(600);
/// How many events between sweeps of idle streams.
const SWEEP_EVERY: u64 = 4096;

struct Stream {
    /// Highest seq dispatched without a gap.
    delivered: Seq,
    held: BTreeMap<Seq, Vec<BusEvent>>,
    touched: Instant,
    timer: bool,
}

#[derive(Default)]
struct State {
    streams: HashMap<ChatId, Stream>,
    pushed: u64,
}

/// Puts each chat's visitor-bound messages in order before they reach the hub.
pub struct Sequencer {
    hub: Arc<Hub>,
    hold: Duration,
    state: Mutex<State>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The chat and seq of a visitor-bound message event, or of a seq the visitor never gets
/// (a note: it passes in its turn and sends nothing).
fn visitor_message(event: &BusEvent) -> Option<(ChatId, Seq)> {
    match event {
        BusEvent::Deliver {
            to: Audience::Visitor { .. },
            seq,
            ..
        } => *seq,
        BusEvent::Withheld { chat, seq } => Some((*chat, *seq)),
        _ => None,
    }
}

impl Sequencer {
    pub fn new(hub: Arc<Hub>, hold: Duration) -> Arc<Sequencer> {
        Arc::new(Sequencer {
            hub,
            hold,
            state: Mutex::default(),
        })
    }

    /// Dispatches `event` to the hub now, or later in sequence order.
    pub fn push(self: &Arc<Self>, event: BusEvent) {
        let Some((chat, seq)) = visitor_message(&event) else {
            crate::realtime::bus::dispatch(&self.hub, event);
            return;
        };
        let mut state = lock(&self.state);
        state.pushed += 1;
        if state.pushed.is_multiple_of(SWEEP_EVERY) {
            state
                .streams
                .retain(|_, s| s.timer || s.touched.elapsed() < IDLE);
        }
        let stream = state.streams.entry(chat).or_insert_with(|| Stream {
            delivered: Seq(seq.0 - 1),
            held: BTreeMap::new(),
            touched: Instant::now(),
            timer: false,
        });
        stream.touched = Instant::now();
        if seq > stream.delivered.next() {
            stream.held.entry(seq).or_default().push(event);
            if !stream.timer {
                stream.timer = true;
                let (me, hold) = (self.clone(), self.hold);
                tokio::spawn(async move {
                    tokio::time::sleep(hold).await;
                    me.flush(chat);
                });
            }
            return;
        }
        // Dispatch under the lock: two events of one chat never overtake each other here.
        crate::realtime::bus::dispatch(&self.hub, event);
        if seq == stream.delivered.next() {
            stream.delivered = seq;
            self.release(stream);
        }
    }

    /// Dispatches held events that are next in line.
    fn release(&self, stream: &mut Stream) {
        while let Some(events) = stream.held.remove(&stream.delivered.next()) {
            stream.delivered = stream.delivered.next();
            for e in events {
                crate::realtime::bus::dispatch(&self.hub, e);
            }
        }
    }

    /// Gives up waiting: the visitor resyncs from storage (see the module documentation).
    fn flush(&self, chat: ChatId) {
        let mut state = lock(&self.state);
        let Some(stream) = state.streams.get_mut(&chat) else {
            return;
        };
        stream.timer = false;
        if stream.held.is_empty() {
            return;
        }
        tracing::info!(
            chat = chat.0,
            missing = stream.delivered.next().0,
            "a message event never arrived; the visitor resyncs"
        );
        let held = std::mem::take(&mut stream.held);
        state.streams.remove(&chat);
        for event in held.into_values().flatten() {
            if let BusEvent::Deliver {
                to: Audience::Visitor { site, visitor },
                ..
            } = event
            {
                self.hub.close_visitor(site, &visitor);
            }
        }
    }
}
