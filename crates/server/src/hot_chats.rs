//! Hot chat state (issue 16), the structure: the open chats this node knows, kept in memory so that an
//! agent's accept and message need no storage read, and so that the losers of an accept race
//! are refused before the database sees them.
//!
//! # When it is used
//!
//! Only on a single node (no Redis: every change of a chat goes through this process). In
//! cluster mode another node's transition could make a copy stale, so nothing is kept and
//! every caller reads storage as before ([`HotChats::new`] with `enabled: false`).
//! Reads and writes through it: `services::hot` (`chat`, `write`).
//!
//! # Exactness
//!
//! Every storage write that changes a chat's state, owner, colleagues, offer, department or
//! version goes through `services::hot::write`: the copy is dropped before the write starts and, once no
//! write of that chat is in flight, replaced by the newest chat the writes returned. A write
//! that failed, or whose task was dropped mid-way (it may have committed), leaves no copy:
//! the next reader reads storage. A read fills the copy only if no write of the chat began or
//! ended while it ran (an epoch per stripe of chat ids). The database's conditional updates
//! still decide every race; the copy only saves the read before them, and refuses what the
//! database would refuse (an accept of a chat that is already taken).
//!
//! # Recently ended chats
//!
//! A chat that a write on this node ended is kept too, among the last [`ENDED_KEPT`] ended
//! here (the oldest goes first): the accepts still on their way when a chat ends at once (50
//! agents raced it, the visitor left) are refused `chat_ended` from the copy, as storage
//! would refuse them, instead of each reading the chat. An ended chat takes no transition,
//! but it may be deleted (retention, a visitor's erasure, "Delete chat"): whoever deletes
//! chats calls [`HotChats::forget_ended`] once the delete is done, so that a reader is not
//! told "ended" about a chat storage no longer has. Ended chats read from storage are not
//! kept (the read may race a delete).
//!
//! Not kept exact (they change without a version bump, and no hot caller reads them):
//! `last_seq`, `escalated_at`, `tags`, `wrap_up`, `rating`, `visitor_read_seq`,
//! `replies_emailed_seq`. Callers that need those read storage ([`crate::services::access::chat_for_agent`]).

use frontdesk_core::ChatId;
use frontdesk_core::model::Chat;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Stripes of chat ids with their own epoch: a read is refused its fill only by writes of
/// chats in its stripe.
const STRIPES: usize = 64;

/// How many chats ended on this node are kept (see "Recently ended chats"): a few hundred
/// bytes each.
pub const ENDED_KEPT: usize = 1024;

pub struct HotChats {
    enabled: bool,
    inner: Mutex<Inner>,
    /// Accepts of one chat run one at a time on this node (see [`HotChats::accept_turn`]).
    gates: Mutex<HashMap<ChatId, Arc<tokio::sync::Mutex<()>>>>,
}

struct Inner {
    chats: HashMap<ChatId, Chat>,
    /// Chats that a write on this node ended (with the number of their keeping), and the
    /// order they were kept in (an entry whose number no longer matches the map's is stale).
    ended: HashMap<ChatId, (u64, Chat)>,
    ended_order: VecDeque<(ChatId, u64)>,
    ended_count: u64,
    writing: HashMap<ChatId, Writing>,
    epochs: [u64; STRIPES],
}

impl Inner {
    fn keep_ended(&mut self, chat: Chat) {
        self.ended_count += 1;
        self.ended_order.push_back((chat.id, self.ended_count));
        self.ended.insert(chat.id, (self.ended_count, chat));
        while self.ended.len() > ENDED_KEPT || self.ended_order.len() > 2 * ENDED_KEPT {
            let Some((oldest, count)) = self.ended_order.pop_front() else {
                break;
            };
            if self.ended.get(&oldest).is_some_and(|(c, _)| *c == count) {
                self.ended.remove(&oldest);
            }
        }
    }
}

/// The writes of one chat in flight, and what they returned so far.
#[derive(Default)]
struct Writing {
    count: u32,
    newest: Option<Chat>,
    /// A write failed or was dropped (it may have committed): keep no copy.
    unknown: bool,
}

/// When a read began ([`HotChats::fill`] refuses a read that a write overlapped).
#[derive(Clone, Copy)]
pub(crate) struct Stamp(u64);

fn stripe(id: ChatId) -> usize {
    usize::try_from(id.0.rem_euclid(STRIPES as i64)).unwrap_or(0)
}

impl HotChats {
    pub fn new(enabled: bool) -> Self {
        HotChats {
            enabled,
            inner: Mutex::new(Inner {
                chats: HashMap::new(),
                ended: HashMap::new(),
                ended_order: VecDeque::new(),
                ended_count: 0,
                writing: HashMap::new(),
                epochs: [0; STRIPES],
            }),
            gates: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// This node's exact copy of the chat, if it has one: open, or recently ended here.
    pub fn get(&self, id: ChatId) -> Option<Chat> {
        if !self.enabled {
            return None;
        }
        let inner = self.lock();
        inner
            .chats
            .get(&id)
            .or_else(|| inner.ended.get(&id).map(|(_, chat)| chat))
            .cloned()
    }

    /// Chats were deleted: forget every ended chat kept (see "Recently ended chats").
    pub fn forget_ended(&self) {
        let mut inner = self.lock();
        inner.ended.clear();
        inner.ended_order.clear();
    }

    /// How many open chats are kept (recently ended ones not counted).
    pub fn len(&self) -> usize {
        self.lock().chats.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn stamp(&self, id: ChatId) -> Stamp {
        Stamp(self.lock().epochs[stripe(id)])
    }

    /// Keep `chat` as read from storage, unless a write of its stripe began or ended since
    /// `stamp` (the read may predate it) or one is in flight.
    pub(crate) fn fill(&self, stamp: Stamp, chat: &Chat) {
        if !self.enabled || !chat.state.is_open() {
            return;
        }
        let mut inner = self.lock();
        if inner.epochs[stripe(chat.id)] == stamp.0 && !inner.writing.contains_key(&chat.id) {
            inner.chats.entry(chat.id).or_insert_with(|| chat.clone());
        }
    }

    /// A chat just created (its id is new: nobody else can have read or written it).
    pub fn created(&self, chat: &Chat) {
        if self.enabled && chat.state.is_open() {
            self.lock().chats.insert(chat.id, chat.clone());
        }
    }

    pub(crate) fn begin(&self, id: ChatId) -> Writer<'_> {
        if self.enabled {
            let mut inner = self.lock();
            inner.chats.remove(&id);
            inner.ended.remove(&id);
            inner.epochs[stripe(id)] += 1;
            inner.writing.entry(id).or_default().count += 1;
        }
        Writer {
            hot: self,
            id,
            finished: false,
        }
    }

    /// One write of `id` ended: `Ok(Some)` wrote this chat, `Ok(None)` wrote nothing,
    /// `Err(())` unknown.
    fn end(&self, id: ChatId, outcome: Result<Option<&Chat>, ()>) {
        if !self.enabled {
            return;
        }
        let mut inner = self.lock();
        inner.epochs[stripe(id)] += 1;
        let Some(w) = inner.writing.get_mut(&id) else {
            return;
        };
        match outcome {
            Err(()) => w.unknown = true,
            Ok(None) => {}
            Ok(Some(chat)) => match &w.newest {
                Some(n) if n.version > chat.version => {}
                // Two writes that left the same version (none bumps it twice): which is last
                // is not known here.
                Some(n) if n.version == chat.version => w.unknown = true,
                _ => w.newest = Some(chat.clone()),
            },
        }
        w.count = w.count.saturating_sub(1);
        if w.count == 0
            && let Some(w) = inner.writing.remove(&id)
            && !w.unknown
            && let Some(chat) = w.newest
        {
            if chat.state.is_open() {
                inner.chats.insert(id, chat);
            } else {
                inner.keep_ended(chat);
            }
        }
    }

    /// Waits for this node's turn to accept chat `id` (single node only; `None` in cluster
    /// mode): while one accept of the chat is deciding, the others wait here instead of
    /// racing it to the database, then decide on the copy it left (a loser is refused
    /// `chat_taken` with no storage read or write).
    pub async fn accept_turn(&self, id: ChatId) -> Option<AcceptTurn<'_>> {
        if !self.enabled {
            return None;
        }
        let gate = {
            let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
            gates.entry(id).or_default().clone()
        };
        let held = gate.lock_owned().await;
        Some(AcceptTurn {
            hot: self,
            id,
            held: Some(held),
        })
    }
}

/// One write of a chat in flight; dropped unfinished, it leaves no copy of the chat.
pub(crate) struct Writer<'a> {
    hot: &'a HotChats,
    id: ChatId,
    finished: bool,
}

impl Writer<'_> {
    pub(crate) fn finish(mut self, outcome: Result<Option<&Chat>, ()>) {
        self.finished = true;
        self.hot.end(self.id, outcome);
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.hot.end(self.id, Err(()));
        }
    }
}

/// This node's turn to accept one chat; the next waiting accept goes on when it is dropped.
pub struct AcceptTurn<'a> {
    hot: &'a HotChats,
    id: ChatId,
    held: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for AcceptTurn<'_> {
    fn drop(&mut self) {
        let mut gates = self
            .hot
            .gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        drop(self.held.take());
        // Nobody waits (only the map holds the gate): forget it.
        if gates
            .get(&self.id)
            .is_some_and(|g| Arc::strong_count(g) == 1)
        {
            gates.remove(&self.id);
        }
    }
}

#[cfg(test)]
#[path = "hot_chats_tests.rs"]
mod tests;
