//! Catching a client up after a (re)connect: the messages of one chat after the `seq` it
//! holds, if the gap is within the replay window (`limits.replay_max_messages`,
//! `limits.replay_max_age_secs`); beyond it, one `chat.resync` frame with the latest
//! [`RESYNC_PAGE`] messages, which the client puts in place of its view. Never a silent gap.

use crate::config::Limits;
use crate::services::{agent_names, summary};
use crate::state::App;
use axum::extract::ws::Utf8Bytes;
use frontdesk_core::model::Chat;
use frontdesk_core::protocol::{ChatSummary, ToAgent, ToVisitor, VisitorMessageView};
use frontdesk_core::{ChatId, Seq, Timestamp};
use std::collections::HashMap;

/// Which kind of client a writer serves (replays differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Visitor,
    Agent,
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

/// Where a replay's frames go: the connection's socket, through its writer.
pub(super) trait FrameSink {
    /// False when the socket is gone.
    async fn send_text(&mut self, text: Utf8Bytes) -> bool;
}

/// Messages per `chat.history` frame (and per read while replaying to a visitor).
pub const REPLAY_PAGE: u32 = 500;
/// Messages in a `chat.resync` frame: the latest ones of the chat.
pub const RESYNC_PAGE: u32 = 200;

/// Whether a client holding every message up to `after` of a chat whose last message is
/// `last_seq` may be sent the missing ones by count: not when it claims more than the chat
/// has (another chat's seq, or a database that was reset), nor when the gap is too big.
pub fn gap_replayable(limits: &Limits, last_seq: Seq, after: Seq) -> bool {
    after <= last_seq && last_seq.0 - after.0 <= i64::from(limits.replay_max_messages)
}

/// Whether the oldest missing message, written at `created_at`, is too old to replay. Ages
/// come from the wall clock: one set back makes messages look younger (a replay, exact all
/// the same); one set forward makes them look older (a resync: explicit, never a gap).
pub fn too_old(limits: &Limits, now: Timestamp, created_at: Timestamp) -> bool {
    let max = i64::try_from(limits.replay_max_age_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    now.millis_since(created_at) > max
}

fn text_of<T: serde::Serialize>(frame: &T) -> Option<Utf8Bytes> {
    serde_json::to_string(frame).ok().map(Utf8Bytes::from)
}

/// Sends a chat's stored messages after `after`, in order, in pages; or `chat.resync` when
/// the gap is beyond the window. False when the connection should end (storage or socket
/// failed: the client reconnects and asks again).
pub(super) async fn replay(
    app: &App,
    sink: &mut impl FrameSink,
    side: Side,
    chat_id: ChatId,
    after: Seq,
    reference: Option<String>,
    sent: &mut HashMap<ChatId, SentSeqs>,
) -> bool {
    let chat = match app.store.chat(chat_id).await {
        Ok(chat) => chat,
        Err(e) => {
            tracing::warn!(error = %e, "replay: chat unreadable");
            return false;
        }
    };
    let summary = if side == Side::Agent {
        match summary::chat_summary(app, &chat).await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "replay: chat summary unreadable");
                return false;
            }
        }
    } else {
        None
    };
    let limits = &app.settings.limits;
    if !gap_replayable(limits, chat.last_seq, after) {
        return resync(app, sink, &chat, summary, reference, sent).await;
    }
    let mut after = after;
    let mut first = true;
    loop {
        let page = match app.store.messages_after(chat_id, after, REPLAY_PAGE).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "replay failed");
                return false;
            }
        };
        // The age rule bounds a gap in what a client holds; a client that holds nothing of
        // the chat (`after` 0: opening an old chat from Chat History) has no gap to bound.
        if first
            && after.0 > 0
            && let Some(oldest) = page.first()
            && too_old(limits, app.now(), oldest.created_at)
        {
            return resync(app, sink, &chat, summary, reference, sent).await;
        }
        let more = page.len() as u32 == REPLAY_PAGE;
        let seen = sent.entry(chat_id).or_default();
        if first {
            seen.has_upto(after);
        }
        // Visitors never get a message twice; an agent's explicit sync gets all it asked for.
        let fresh: Vec<bool> = page.iter().map(|m| seen.mark(m.seq)).collect();
        if let Some(last) = page.last() {
            after = last.seq;
        }
        let text = match &summary {
            None => {
                // "Show all agents' names": this node's copy, read only if a colleague's
                // reply is in the page.
                let names = agent_names::for_messages(app, &chat, &page).await;
                for (m, _) in page.iter().zip(&fresh).filter(|(_, new)| **new) {
                    // A note is marked as sent (no gap waits for it) but never leaves.
                    let Some(view) = VisitorMessageView::of(m, chat.state.owner(), names) else {
                        continue;
                    };
                    let Some(text) = text_of(&ToVisitor::Message(view)) else {
                        continue;
                    };
                    if !sink.send_text(text).await {
                        return false;
                    }
                }
                None
            }
            Some(chat) => text_of(&ToAgent::ChatHistory {
                reference: if first { reference.clone() } else { None },
                chat: chat.clone(),
                messages: page.iter().map(Into::into).collect(),
                more,
            }),
        };
        if let Some(text) = text
            && !sink.send_text(text).await
        {
            return false;
        }
        first = false;
        if !more {
            return true;
        }
    }
}

/// `chat.resync`: the latest [`RESYNC_PAGE`] messages up to the chat's `last_seq` as read.
/// The client replaces what it holds up to that seq (later ones may already have come live).
async fn resync(
    app: &App,
    sink: &mut impl FrameSink,
    chat: &Chat,
    summary: Option<ChatSummary>,
    reference: Option<String>,
    sent: &mut HashMap<ChatId, SentSeqs>,
) -> bool {
    let from = Seq((chat.last_seq.0 - i64::from(RESYNC_PAGE)).max(0));
    let page = match app.store.messages_after(chat.id, from, RESYNC_PAGE).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "resync failed");
            return false;
        }
    };
    sent.entry(chat.id).or_default().has_upto(chat.last_seq);
    app.metrics.resyncs.inc();
    let complete = from == Seq(0);
    let names = if summary.is_none() {
        agent_names::for_messages(app, chat, &page).await
    } else {
        true
    };
    let text = match summary {
        None => text_of(&ToVisitor::ChatResync {
            // Notes never: the gate has no visitor view of them.
            chat_id: chat.id,
            last_seq: chat.last_seq,
            messages: page
                .iter()
                .filter_map(|m| VisitorMessageView::of(m, chat.state.owner(), names))
                .collect(),
            complete,
        }),
        Some(summary) => text_of(&ToAgent::ChatResync {
            reference,
            chat: summary,
            messages: page.iter().map(Into::into).collect(),
            complete,
        }),
    };
    match text {
        Some(text) => sink.send_text(text).await,
        None => true,
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

    fn limits(messages: u32, age_secs: u64) -> Limits {
        Limits {
            replay_max_messages: messages,
            replay_max_age_secs: age_secs,
            ..Limits::default()
        }
    }

    #[test]
    fn the_window_bounds_count_and_refuses_a_client_ahead() {
        let l = limits(10, 60);
        assert!(gap_replayable(&l, Seq(15), Seq(5)), "10 missing: replay");
        assert!(!gap_replayable(&l, Seq(16), Seq(5)), "11 missing: resync");
        assert!(gap_replayable(&l, Seq(5), Seq(5)), "nothing missing");
        assert!(!gap_replayable(&l, Seq(5), Seq(6)), "client ahead: resync");
        assert!(
            !gap_replayable(&limits(0, 60), Seq(1), Seq(0)),
            "0: always resync"
        );
    }

    #[test]
    fn age_follows_the_wall_clock_and_a_clock_set_back_is_not_old() {
        let l = limits(10, 60);
        let t = Timestamp(1_000_000);
        assert!(!too_old(&l, t.plus_millis(60_000), t));
        assert!(too_old(&l, t.plus_millis(60_001), t));
        assert!(!too_old(&l, t.plus_millis(-3_600_000), t), "clock set back");
        assert!(!too_old(
            &limits(10, u64::MAX),
            t.plus_millis(i64::MAX / 2),
            t
        ));
    }
}
