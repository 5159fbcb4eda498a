use super::*;
use frontdesk_core::{AgentId, ChatState, EndReason, Party, Timestamp};

fn chat(id: i64, state: ChatState, version: i64) -> Chat {
    Chat {
        id: ChatId(id),
        version,
        ..Chat::fixture(state, &[], Timestamp(0))
    }
}

const A: ChatState = ChatState::Active { agent: AgentId(7) };

fn version_of(hot: &HotChats, id: i64) -> Option<i64> {
    hot.get(ChatId(id)).map(|c| c.version)
}

#[test]
fn a_finished_write_leaves_what_it_wrote() {
    let hot = HotChats::new(true);
    hot.created(&chat(1, ChatState::Pending, 1));
    assert_eq!(version_of(&hot, 1), Some(1));
    let w = hot.begin(ChatId(1));
    assert_eq!(
        version_of(&hot, 1),
        None,
        "no copy while a write is in flight"
    );
    w.finish(Ok(Some(&chat(1, A, 2))));
    assert_eq!(hot.get(ChatId(1)).map(|c| c.state), Some(A));
}

#[test]
fn a_dropped_or_failed_write_leaves_no_copy() {
    let hot = HotChats::new(true);
    hot.created(&chat(1, ChatState::Pending, 1));
    drop(hot.begin(ChatId(1)));
    assert_eq!(version_of(&hot, 1), None);
    hot.created(&chat(2, ChatState::Pending, 1));
    hot.begin(ChatId(2)).finish(Err(()));
    assert_eq!(version_of(&hot, 2), None);
}

#[test]
fn overlapping_writes_keep_the_newest_and_only_when_all_ended() {
    let hot = HotChats::new(true);
    let (w1, w2) = (hot.begin(ChatId(1)), hot.begin(ChatId(1)));
    w2.finish(Ok(Some(&chat(1, A, 3))));
    assert_eq!(version_of(&hot, 1), None, "one still in flight");
    w1.finish(Ok(Some(&chat(1, ChatState::Pending, 2))));
    assert_eq!(version_of(&hot, 1), Some(3));
    // One of them unknown: nothing kept.
    let (w1, w2) = (hot.begin(ChatId(1)), hot.begin(ChatId(1)));
    w1.finish(Ok(Some(&chat(1, A, 4))));
    drop(w2);
    assert_eq!(version_of(&hot, 1), None);
}

#[test]
fn a_read_overlapped_by_a_write_does_not_fill() {
    let hot = HotChats::new(true);
    let before = hot.stamp(ChatId(1));
    hot.begin(ChatId(1)).finish(Ok(None));
    hot.fill(before, &chat(1, ChatState::Pending, 1));
    assert_eq!(version_of(&hot, 1), None, "the read may predate the write");
    // A write in flight refuses a fill even with a fresh stamp.
    let w = hot.begin(ChatId(1));
    hot.fill(hot.stamp(ChatId(1)), &chat(1, ChatState::Pending, 1));
    assert_eq!(version_of(&hot, 1), None);
    w.finish(Ok(None));
    hot.fill(hot.stamp(ChatId(1)), &chat(1, ChatState::Pending, 1));
    assert_eq!(version_of(&hot, 1), Some(1));
    // Another stripe's write does not matter.
    let stamp = hot.stamp(ChatId(2));
    hot.begin(ChatId(3)).finish(Ok(None));
    hot.fill(stamp, &chat(2, ChatState::Pending, 1));
    assert_eq!(version_of(&hot, 2), Some(1));
}

const ENDED: ChatState = ChatState::Ended {
    reason: EndReason::Visitor,
};

#[test]
fn a_chat_ended_here_is_kept_as_ended() {
    let hot = HotChats::new(true);
    hot.created(&chat(1, A, 1));
    hot.begin(ChatId(1)).finish(Ok(Some(&chat(1, ENDED, 2))));
    let kept = hot.get(ChatId(1)).expect("kept as recently ended");
    assert_eq!((kept.state, kept.version), (ENDED, 2));
    // An accept decided on it is refused as storage would refuse it.
    assert_eq!(
        kept.state
            .apply(frontdesk_core::chat::ChatCommand::Accept { agent: AgentId(8) }),
        Err(frontdesk_core::error::ChatError::ChatEnded)
    );
    assert!(hot.is_empty(), "not counted among the open chats");
    // A later write of it (whatever it leaves) drops the ended copy first.
    let w = hot.begin(ChatId(1));
    assert_eq!(version_of(&hot, 1), None);
    drop(w);
    assert_eq!(version_of(&hot, 1), None, "an unknown write leaves nothing");
}

#[test]
fn ended_chats_read_from_storage_are_not_kept() {
    let hot = HotChats::new(true);
    hot.fill(hot.stamp(ChatId(1)), &chat(1, ENDED, 2));
    assert_eq!(version_of(&hot, 1), None, "the read may race a delete");
    let _ = Party::Visitor;
}

#[test]
fn deleting_chats_forgets_every_ended_copy() {
    let hot = HotChats::new(true);
    hot.created(&chat(1, A, 1));
    hot.created(&chat(2, A, 1));
    hot.begin(ChatId(1)).finish(Ok(Some(&chat(1, ENDED, 2))));
    hot.forget_ended();
    assert_eq!(version_of(&hot, 1), None, "storage may no longer have it");
    assert_eq!(version_of(&hot, 2), Some(1), "open chats stay");
}

#[test]
fn only_the_last_ended_chats_are_kept() {
    let hot = HotChats::new(true);
    let n = i64::try_from(ENDED_KEPT).unwrap_or(i64::MAX) + 10;
    for id in 1..=n {
        hot.begin(ChatId(id)).finish(Ok(Some(&chat(id, ENDED, 2))));
    }
    assert_eq!(version_of(&hot, 10), None, "the oldest went first");
    assert_eq!(version_of(&hot, 11), Some(2));
    assert_eq!(version_of(&hot, n), Some(2));
    // An ended chat written again (a stale place in the order) is not evicted by it early.
    hot.begin(ChatId(11)).finish(Ok(Some(&chat(11, ENDED, 3))));
    hot.begin(ChatId(n + 1))
        .finish(Ok(Some(&chat(n + 1, ENDED, 2))));
    assert_eq!(version_of(&hot, 11), Some(3), "kept at its new place");
    assert_eq!(version_of(&hot, 12), None);
    assert!(hot.lock().ended.len() <= ENDED_KEPT);
}

#[test]
fn disabled_keeps_nothing() {
    let hot = HotChats::new(false);
    hot.created(&chat(1, ChatState::Pending, 1));
    hot.begin(ChatId(2)).finish(Ok(Some(&chat(2, A, 2))));
    hot.fill(hot.stamp(ChatId(3)), &chat(3, A, 2));
    assert!(hot.is_empty());
    assert_eq!(version_of(&hot, 2), None);
}

#[tokio::test]
async fn accepts_of_one_chat_take_turns() {
    let hot = Arc::new(HotChats::new(true));
    let first = hot.accept_turn(ChatId(1)).await;
    assert!(first.is_some());
    let other = tokio::time::timeout(
        std::time::Duration::from_millis(20),
        hot.accept_turn(ChatId(2)),
    )
    .await;
    assert!(other.is_ok(), "another chat's accept does not wait");
    drop(other);
    let h = hot.clone();
    let waiting = tokio::spawn(async move { h.accept_turn(ChatId(1)).await.is_some() });
    tokio::task::yield_now().await;
    assert!(!waiting.is_finished());
    drop(first);
    assert!(waiting.await.unwrap_or(false));
    let gates = hot.gates.lock().map(|g| g.len()).unwrap_or(usize::MAX);
    assert_eq!(gates, 0, "a gate nobody holds or waits for is forgotten");
    assert!(HotChats::new(false).accept_turn(ChatId(1)).await.is_none());
}
