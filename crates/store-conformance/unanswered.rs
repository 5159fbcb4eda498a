//! Chats nobody answered: `missed` set by the state update itself (the visitor ends a chat no
//! agent ever answered), escalation as a conditional update (once, only while pending), and
//! the site's missed chats since a moment.

use super::*;
use frontdesk_core::{ChatState, EndReason};

const ENDED_BY_VISITOR: ChatState = ChatState::Ended {
    reason: EndReason::Visitor,
};

#[tokio::test]
async fn ending_an_unanswered_chat_by_the_visitor_marks_it_missed() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let waiting = chat(&s, site.id, "v1", 50).await;
    let ended = s
        .update_chat_state(waiting.id, waiting.version, ENDED_BY_VISITOR, Timestamp(90))
        .await
        .unwrap()
        .unwrap();
    assert!(ended.missed && ended.answered_at.is_none());
    assert_eq!(s.chat(waiting.id).await.unwrap(), ended);

    // Answered, back in the queue, then ended by the visitor: not missed.
    let c = chat(&s, site.id, "v2", 50).await;
    let active = ChatState::Active { agent: AgentId(7) };
    let c = s
        .update_chat_state(c.id, c.version, active, Timestamp(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.answered_at, Some(Timestamp(60)));
    let c = s
        .update_chat_state(c.id, c.version, ChatState::Pending, Timestamp(70))
        .await
        .unwrap()
        .unwrap();
    let c = s
        .update_chat_state(c.id, c.version, ENDED_BY_VISITOR, Timestamp(80))
        .await
        .unwrap()
        .unwrap();
    assert!(!c.missed);

    // Ended by an agent (after answering): not missed.
    let c = chat(&s, site.id, "v3", 50).await;
    let c = s
        .update_chat_state(c.id, c.version, active, Timestamp(60))
        .await
        .unwrap()
        .unwrap();
    let by_agent = ChatState::Ended {
        reason: EndReason::Agent { agent: AgentId(7) },
    };
    let c = s
        .update_chat_state(c.id, c.version, by_agent, Timestamp(80))
        .await
        .unwrap()
        .unwrap();
    assert!(!c.missed);

    // A stale end marks nothing.
    let c = chat(&s, site.id, "v4", 50).await;
    s.update_chat_state(c.id, c.version, active, Timestamp(60))
        .await
        .unwrap()
        .unwrap();
    let lost = s
        .update_chat_state(c.id, c.version, ENDED_BY_VISITOR, Timestamp(61))
        .await
        .unwrap();
    assert_eq!(lost, None);
    assert!(!s.chat(c.id).await.unwrap().missed);
}

#[tokio::test]
async fn escalation_is_once_and_only_while_pending() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let c = chat(&s, site.id, "v1", 50).await;
    let first = s
        .escalate_chat(c.id, Timestamp(200))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.escalated_at, Some(Timestamp(200)));
    assert_eq!(
        first.version, c.version,
        "escalation does not move the version"
    );
    assert_eq!(first.state, ChatState::Pending);
    assert_eq!(s.escalate_chat(c.id, Timestamp(300)).await.unwrap(), None);
    assert_eq!(
        s.chat(c.id).await.unwrap().escalated_at,
        Some(Timestamp(200))
    );

    // Not a chat an agent holds, nor an ended one, nor one that does not exist.
    let held = chat(&s, site.id, "v2", 50).await;
    s.update_chat_state(
        held.id,
        held.version,
        ChatState::Active { agent: AgentId(7) },
        Timestamp(60),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        s.escalate_chat(held.id, Timestamp(200)).await.unwrap(),
        None
    );
    let gone = chat(&s, site.id, "v3", 50).await;
    s.update_chat_state(gone.id, gone.version, ENDED_BY_VISITOR, Timestamp(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.escalate_chat(gone.id, Timestamp(200)).await.unwrap(),
        None
    );
    assert_eq!(
        s.escalate_chat(ChatId(999), Timestamp(200)).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn unescalated_waiting_chats_are_the_old_enough_pending_ones() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "a").await;
    let b = site(&s, "b").await;
    let old_a = chat(&s, a.id, "v1", 100).await;
    let old_b = chat(&s, b.id, "v2", 110).await;
    let escalated = chat(&s, a.id, "v3", 105).await;
    s.escalate_chat(escalated.id, Timestamp(500)).await.unwrap();
    let held = chat(&s, b.id, "v4", 90).await;
    s.update_chat_state(
        held.id,
        held.version,
        ChatState::Active { agent: AgentId(7) },
        Timestamp(95),
    )
    .await
    .unwrap();
    let young = chat(&s, a.id, "v5", 300).await;

    let ids = |v: Vec<Chat>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let due = s
        .unescalated_waiting_chats(Timestamp(200), 100)
        .await
        .unwrap();
    assert_eq!(
        ids(due),
        vec![old_a.id, old_b.id],
        "oldest first, every site"
    );
    let one = s
        .unescalated_waiting_chats(Timestamp(200), 1)
        .await
        .unwrap();
    assert_eq!(ids(one), vec![old_a.id]);
    let all = s
        .unescalated_waiting_chats(Timestamp(300), 100)
        .await
        .unwrap();
    assert_eq!(
        ids(all),
        vec![old_a.id, old_b.id, young.id],
        "at the bound too"
    );
}

#[tokio::test]
async fn missed_chats_since_a_moment_newest_first() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "a").await;
    let b = site(&s, "b").await;
    let mut missed = Vec::new();
    for (i, at) in [(1, 1_000), (2, 2_000), (3, 3_000)] {
        let c = chat(&s, a.id, &format!("v{i}"), 500).await;
        let c = s
            .update_chat_state(c.id, c.version, ENDED_BY_VISITOR, Timestamp(at))
            .await
            .unwrap()
            .unwrap();
        missed.push(c.id);
    }
    let other_site = chat(&s, b.id, "w", 500).await;
    s.update_chat_state(other_site.id, 1, ENDED_BY_VISITOR, Timestamp(2_500))
        .await
        .unwrap()
        .unwrap();
    let _waiting = chat(&s, a.id, "still-waiting", 500).await;

    let ids = |v: Vec<Chat>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let since = s
        .missed_chats_since(a.id, Timestamp(2_000), 10)
        .await
        .unwrap();
    assert_eq!(ids(since), vec![missed[2], missed[1]]);
    let limited = s.missed_chats_since(a.id, Timestamp(0), 1).await.unwrap();
    assert_eq!(ids(limited), vec![missed[2]]);
    let listed = s.missed_chats_since(a.id, Timestamp(0), 10).await.unwrap();
    assert!(listed.iter().all(|c| c.missed && c.site_id == a.id));
    assert_eq!(listed.len(), 3);
}
