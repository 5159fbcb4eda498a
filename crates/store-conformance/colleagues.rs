//! Colleagues in a chat (issue 13): a join is one conditional write (active chat, not the
//! owner, not twice, below the cap), so concurrent joins never overfill a chat; a leave
//! removes one colleague; a hand-over gives the chat to the first who joined (compare-and-set
//! on the version); the state update empties `joined` on requeue, drops the new owner from it,
//! and keeps it when the chat ends.

use super::*;
use frontdesk_core::{ChatState, EndReason};
use std::sync::Arc;

/// A site, four agents (the first holds a new active chat), and that chat.
async fn active_chat(s: &Store) -> (Chat, [AgentId; 4]) {
    let site = site(s, "shop").await;
    let mut ids = [AgentId(0); 4];
    for (i, id) in ids.iter_mut().enumerate() {
        *id = agent(s, &format!("a{i}@x.example"), None).await.id;
    }
    let c = chat(s, site.id, "v1", 10).await;
    let c = s
        .update_chat_state(
            c.id,
            c.version,
            ChatState::Active { agent: ids[0] },
            Timestamp(20),
        )
        .await
        .unwrap()
        .unwrap();
    (c, ids)
}

#[tokio::test]
async fn join_appends_in_order_once_below_the_cap() {
    let (_keep, s) = fresh().await;
    let (c, [ann, bob, cid, dan]) = active_chat(&s).await;
    let j = s.join_chat(c.id, bob, 2).await.unwrap().unwrap();
    assert_eq!(j.joined, vec![bob]);
    assert!(j.version > c.version, "a join bumps the version");
    assert_eq!(j.state, ChatState::Active { agent: ann });
    assert_eq!(s.join_chat(c.id, bob, 2).await.unwrap(), None, "twice");
    assert_eq!(s.join_chat(c.id, ann, 2).await.unwrap(), None, "the owner");
    let j = s.join_chat(c.id, cid, 2).await.unwrap().unwrap();
    assert_eq!(j.joined, vec![bob, cid], "in the order they joined");
    assert_eq!(s.join_chat(c.id, dan, 2).await.unwrap(), None, "the cap");
    assert_eq!(s.chat(c.id).await.unwrap().joined, vec![bob, cid]);
    assert_eq!(
        s.join_chat(ChatId(9999), bob, 2).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn only_an_active_chat_is_joined() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let bob = agent(&s, "bob@x.example", None).await.id;
    let c = chat(&s, site.id, "v1", 10).await;
    assert_eq!(s.join_chat(c.id, bob, 4).await.unwrap(), None, "pending");
    let ended = s
        .update_chat_state(
            c.id,
            c.version,
            ChatState::Ended {
                reason: EndReason::Visitor,
            },
            Timestamp(30),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.join_chat(ended.id, bob, 4).await.unwrap(), None, "ended");
}

#[tokio::test]
async fn concurrent_joins_never_overfill_a_chat() {
    let (_keep, s) = fresh().await;
    let s = Arc::new(s);
    let (c, [_, b, cc, d]) = active_chat(&s).await;
    let mut agents = vec![b, cc, d];
    for i in 0..5 {
        agents.push(agent(&s, &format!("more{i}@x.example"), None).await.id);
    }
    let mut tasks = Vec::new();
    for a in agents {
        let s = Arc::clone(&s);
        tasks.push(tokio::spawn(async move {
            s.join_chat(c.id, a, 3).await.unwrap().map(|_| a)
        }));
    }
    let mut won = Vec::new();
    for t in tasks {
        if let Some(a) = t.await.unwrap() {
            won.push(a);
        }
    }
    assert_eq!(won.len(), 3, "exactly the cap joined: {won:?}");
    let stored = s.chat(c.id).await.unwrap();
    let mut joined = stored.joined.clone();
    joined.sort();
    won.sort();
    assert_eq!(joined, won);
}

#[tokio::test]
async fn leave_removes_one_colleague() {
    let (_keep, s) = fresh().await;
    let (c, [ann, bob, cid, dan]) = active_chat(&s).await;
    s.join_chat(c.id, bob, 4).await.unwrap().unwrap();
    s.join_chat(c.id, cid, 4).await.unwrap().unwrap();
    s.join_chat(c.id, dan, 4).await.unwrap().unwrap();
    let left = s.leave_chat(c.id, cid).await.unwrap().unwrap();
    assert_eq!(left.joined, vec![bob, dan], "the others keep their order");
    assert_eq!(left.state, ChatState::Active { agent: ann });
    assert_eq!(s.leave_chat(c.id, cid).await.unwrap(), None, "not in it");
    assert_eq!(s.leave_chat(c.id, ann).await.unwrap(), None, "the owner");
    assert_eq!(
        s.leave_chat(ChatId(9999), bob).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn hand_over_gives_the_chat_to_the_first_who_joined() {
    let (_keep, s) = fresh().await;
    let (c, [ann, bob, cid, _]) = active_chat(&s).await;
    assert_eq!(
        s.hand_over_chat(c.id, c.version).await.unwrap(),
        None,
        "nobody to hand it to"
    );
    s.join_chat(c.id, bob, 4).await.unwrap().unwrap();
    let j = s.join_chat(c.id, cid, 4).await.unwrap().unwrap();
    assert_eq!(
        s.hand_over_chat(c.id, j.version - 1).await.unwrap(),
        None,
        "a stale version loses"
    );
    let h = s.hand_over_chat(c.id, j.version).await.unwrap().unwrap();
    assert_eq!(h.state, ChatState::Active { agent: bob });
    assert_eq!(h.joined, vec![cid]);
    assert!(h.version > j.version);
    assert!(!h.joined.contains(&ann), "the old owner is out");
    assert_eq!(s.chat(c.id).await.unwrap(), h);
    assert_eq!(
        s.hand_over_chat(ChatId(9999), 1).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn requeue_drops_colleagues_a_new_owner_leaves_them_and_the_end_keeps_them() {
    let (_keep, s) = fresh().await;
    let (c, [ann, bob, cid, _]) = active_chat(&s).await;
    s.join_chat(c.id, bob, 4).await.unwrap().unwrap();
    let j = s.join_chat(c.id, cid, 4).await.unwrap().unwrap();
    // Transferred to a colleague: they hold it and are no longer a colleague.
    let t = s
        .update_chat_state(
            c.id,
            j.version,
            ChatState::Active { agent: bob },
            Timestamp(40),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.joined, vec![cid]);
    // Ended: the colleagues stay (they read it in history).
    let e = s
        .update_chat_state(
            c.id,
            t.version,
            ChatState::Ended {
                reason: EndReason::Agent { agent: bob },
            },
            Timestamp(50),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.joined, vec![cid]);
    // Another chat, back in the queue: no colleagues.
    let c2 = chat(&s, c.site_id, "v2", 60).await;
    let a2 = s
        .update_chat_state(
            c2.id,
            c2.version,
            ChatState::Active { agent: ann },
            Timestamp(61),
        )
        .await
        .unwrap()
        .unwrap();
    let j2 = s.join_chat(a2.id, bob, 4).await.unwrap().unwrap();
    assert_eq!(j2.joined, vec![bob]);
    let q = s
        .update_chat_state(c2.id, j2.version, ChatState::Pending, Timestamp(62))
        .await
        .unwrap()
        .unwrap();
    assert!(q.joined.is_empty(), "a requeued chat drops its colleagues");
}
