//! Chats: compare-and-set state changes, gap-free idempotent appends, listings.

use super::*;
use frontdesk_core::{ChatState, EndReason};
use std::collections::HashMap;

#[tokio::test]
async fn new_chat_is_pending_and_queued() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let c = chat(&s, site.id, "v1", 50).await;
    assert_eq!(c.state, ChatState::Pending);
    assert_eq!((c.version, c.last_seq), (1, Seq(0)));
    assert_eq!(
        (c.created_at, c.queued_at, c.ended_at),
        (Timestamp(50), Timestamp(50), None)
    );
    assert_eq!(c.page_url.as_deref(), Some("https://shop.example/cart"));
    assert_eq!(s.chat(c.id).await.unwrap(), c);
    assert_eq!(s.chat(ChatId(999)).await, Err(StoreError::NotFound));
    assert_eq!(
        s.create_chat(new_chat(SiteId(999), "v", 1)).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn update_chat_state_is_compare_and_set() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let (ann, bob) = (AgentId(7), AgentId(8));
    let c = chat(&s, site.id, "v1", 50).await;

    let active = ChatState::Active { agent: ann };
    let c2 = s
        .update_chat_state(c.id, c.version, active, Timestamp(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (c2.state, c2.version, c2.queued_at),
        (active, 2, Timestamp(50))
    );
    // Stale version: someone else won.
    let lost = s.update_chat_state(
        c.id,
        c.version,
        ChatState::Active { agent: bob },
        Timestamp(61),
    );
    assert_eq!(lost.await, Ok(None));
    assert_eq!(s.chat(c.id).await.unwrap(), c2);
    // No such chat.
    assert_eq!(
        s.update_chat_state(ChatId(999), 1, active, Timestamp(1))
            .await,
        Err(StoreError::NotFound)
    );
    // Back to the queue: no agent, keeping its original place in the queue (issue 12).
    let c3 = s
        .update_chat_state(c.id, 2, ChatState::Pending, Timestamp(70))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (c3.state, c3.version, c3.queued_at),
        (ChatState::Pending, 3, Timestamp(50))
    );
    assert_eq!(raw_chat(&s, c.id).await.0, None);
    // Taken again, then ended by the agent: the holder is kept.
    let bob_active = ChatState::Active { agent: bob };
    s.update_chat_state(c.id, 3, bob_active, Timestamp(80))
        .await
        .unwrap()
        .unwrap();
    let ended = ChatState::Ended {
        reason: EndReason::Agent { agent: bob },
    };
    let c5 = s
        .update_chat_state(c.id, 4, ended, Timestamp(90))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (c5.state, c5.version, c5.ended_at),
        (ended, 5, Some(Timestamp(90)))
    );
    assert_eq!(
        raw_chat(&s, c.id).await,
        (Some(bob.0), Some("agent".into()), Some(bob.0))
    );
    assert_eq!(s.chat(c.id).await.unwrap(), c5);
}

#[tokio::test]
async fn end_reasons_round_trip() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let ann = AgentId(7);
    let pending = chat(&s, site.id, "v1", 1).await;
    let by_visitor = ChatState::Ended {
        reason: EndReason::Visitor,
    };
    let e = s
        .update_chat_state(pending.id, 1, by_visitor, Timestamp(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.state, by_visitor);
    assert_eq!(
        raw_chat(&s, e.id).await,
        (None, Some("visitor".into()), None)
    );

    let c = chat(&s, site.id, "v2", 2).await;
    s.update_chat_state(c.id, 1, ChatState::Active { agent: ann }, Timestamp(3))
        .await
        .unwrap();
    let blocked = ChatState::Ended {
        reason: EndReason::Blocked { agent: ann },
    };
    let b = s
        .update_chat_state(c.id, 2, blocked, Timestamp(4))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.chat(c.id).await.unwrap().state, blocked);
    assert_eq!(b.ended_at, Some(Timestamp(4)));
    assert_eq!(
        raw_chat(&s, c.id).await,
        (Some(ann.0), Some("blocked".into()), Some(ann.0))
    );
}

#[tokio::test]
async fn append_numbers_without_gaps_and_is_idempotent() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let c = chat(&s, site.id, "v1", 1).await;
    let a1 = s
        .append_message(text(c.id, "hello", Some("c-1")))
        .await
        .unwrap();
    assert_eq!((a1.message.seq, a1.duplicate), (Seq(1), false));
    let a2 = s.append_message(text(c.id, "anyone?", None)).await.unwrap();
    assert_eq!(a2.message.seq, Seq(2));
    // Same client id: the stored message comes back, nothing new is written.
    let again = s
        .append_message(text(c.id, "hello (resent)", Some("c-1")))
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.message, a1.message);
    let agent_msg = NewMessage {
        author: Author::Agent { agent: AgentId(3) },
        author_name: Some("Ann".into()),
        kind: MessageKind::Link,
        ..text(c.id, "https://shop.example/help", Some("c-1"))
    };
    // Client ids are per chat... and per chat only: another chat may reuse one.
    let other = chat(&s, site.id, "v2", 2).await;
    let o = s
        .append_message(text(other.id, "hi", Some("c-1")))
        .await
        .unwrap();
    assert_eq!((o.message.seq, o.duplicate), (Seq(1), false));
    let a3 = s
        .append_message(NewMessage {
            client_id: Some("c-2".into()),
            ..agent_msg
        })
        .await;
    let a3 = a3.unwrap();
    assert_eq!(a3.message.seq, Seq(3));
    assert_eq!(s.chat(c.id).await.unwrap().last_seq, Seq(3));
    assert_eq!(
        s.append_message(text(ChatId(999), "x", None)).await,
        Err(StoreError::NotFound)
    );

    let all = s.messages_after(c.id, Seq(0), 100).await.unwrap();
    assert_eq!(
        all,
        vec![a1.message.clone(), a2.message.clone(), a3.message.clone()]
    );
    assert_eq!(all[2].author, Author::Agent { agent: AgentId(3) });
    assert_eq!(all[2].kind, MessageKind::Link);
    let after1 = s.messages_after(c.id, Seq(1), 1).await.unwrap();
    assert_eq!(after1, vec![a2.message]);
    assert!(s.messages_after(c.id, Seq(3), 10).await.unwrap().is_empty());
    assert!(
        s.messages_after(ChatId(999), Seq(0), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Internal notes (issue 13) are messages of their own kind, numbered in the chat's one
/// sequence, read back as notes; a new chat has no colleagues, tags or wrap-up note.
#[tokio::test]
async fn notes_are_stored_with_their_own_kind() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let c = chat(&s, site.id, "v1", 1).await;
    assert!(c.joined.is_empty() && c.tags.is_empty() && c.wrap_up.is_none());
    s.append_message(text(c.id, "hello", None)).await.unwrap();
    let note = s
        .append_message(NewMessage {
            author: Author::Agent { agent: AgentId(3) },
            author_name: Some("Ann".into()),
            kind: MessageKind::Note,
            ..text(c.id, "VIP customer, be nice", Some("n-1"))
        })
        .await
        .unwrap();
    assert_eq!(note.message.seq, Seq(2));
    let all = s.messages_after(c.id, Seq(0), 10).await.unwrap();
    assert_eq!(all[1].kind, MessageKind::Note);
    assert_eq!(all[1].body, "VIP customer, be nice");
}

#[tokio::test]
async fn chat_listings() {
    let (_keep, s) = fresh().await;
    let (a, b, other) = (
        site(&s, "a").await,
        site(&s, "b").await,
        site(&s, "c").await,
    );
    let ann = AgentId(7);
    let ended = chat(&s, a.id, "v1", 1).await;
    let gone = ChatState::Ended {
        reason: EndReason::Visitor,
    };
    s.update_chat_state(ended.id, 1, gone, Timestamp(2))
        .await
        .unwrap()
        .unwrap();
    let c1 = chat(&s, a.id, "v1", 30).await;
    let c2 = chat(&s, b.id, "v2", 10).await;
    let c3 = chat(&s, a.id, "v3", 20).await;
    let _elsewhere = chat(&s, other.id, "v4", 5).await;
    // At most one open chat per visitor and site: a second one is a conflict.
    let second = s
        .create_chat(NewChat {
            site_id: a.id,
            visitor_id: VisitorId("v1".into()),
            visit_id: None,
            visitor_name: None,
            visitor_email: None,
            page_url: None,
            department_id: None,
            created_at: Timestamp(31),
        })
        .await;
    assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
    s.update_chat_state(c3.id, 1, ChatState::Active { agent: ann }, Timestamp(40))
        .await
        .unwrap();

    let open: Vec<ChatId> = s
        .open_chats(&[a.id, b.id])
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(open, vec![c2.id, c3.id, c1.id], "oldest in the queue first");
    assert!(s.open_chats(&[]).await.unwrap().is_empty());

    let mine: Vec<ChatId> = s
        .chats_of_agent(ann)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(mine, vec![c3.id]);
    assert!(s.chats_of_agent(AgentId(8)).await.unwrap().is_empty());

    let v1 = VisitorId("v1".into());
    assert_eq!(
        s.open_chat_of_visitor(a.id, &v1)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(c1.id)
    );
    assert_eq!(s.open_chat_of_visitor(b.id, &v1).await.unwrap(), None);
    let history: Vec<ChatId> = s
        .chats_of_visitor(a.id, &v1, 10)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(history, vec![c1.id, ended.id], "newest first");
    assert_eq!(s.chats_of_visitor(a.id, &v1, 1).await.unwrap().len(), 1);
}

#[tokio::test]
async fn waiting_chats_are_the_queue_of_one_site() {
    let (_keep, s) = fresh().await;
    let (a, b) = (site(&s, "a").await, site(&s, "b").await);
    let late = chat(&s, a.id, "v1", 30).await;
    let early = chat(&s, a.id, "v2", 10).await;
    let taken = chat(&s, a.id, "v3", 5).await;
    let _other_site = chat(&s, b.id, "v4", 1).await;
    let ended = chat(&s, a.id, "v5", 2).await;
    s.update_chat_state(
        taken.id,
        1,
        ChatState::Active { agent: AgentId(7) },
        Timestamp(40),
    )
    .await
    .unwrap()
    .unwrap();
    let gone = ChatState::Ended {
        reason: EndReason::Visitor,
    };
    s.update_chat_state(ended.id, 1, gone, Timestamp(41))
        .await
        .unwrap()
        .unwrap();
    let waiting: Vec<ChatId> = s
        .waiting_chats(a.id)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        waiting,
        vec![early.id, late.id],
        "pending only, oldest first"
    );
    assert!(s.waiting_chats(SiteId(999)).await.unwrap().is_empty());
}

/// Eight agents race to accept the same pending chat: exactly one wins, every round.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn first_to_accept_wins() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    for round in 0..100 {
        let c = chat(&s, site.id, &format!("v{round}"), round).await;
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
        let mut tasks = Vec::new();
        for agent in 0..8 {
            let (s, barrier) = (s.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                let state = ChatState::Active {
                    agent: AgentId(agent),
                };
                s.update_chat_state(c.id, c.version, state, Timestamp(round))
                    .await
                    .unwrap()
            }));
        }
        let mut winners = Vec::new();
        for t in tasks {
            if let Some(chat) = t.await.unwrap() {
                winners.push(chat);
            }
        }
        assert_eq!(winners.len(), 1, "round {round}");
        assert_eq!(s.chat(c.id).await.unwrap(), winners[0]);
        assert_eq!(winners[0].version, c.version + 1);
    }
}

/// 2,000 concurrent appends to 20 chats: every chat numbered 1..=n without gaps; resending
/// with the same client id returns the stored seq.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_appends_are_gap_free_and_idempotent() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let mut chats = Vec::new();
    for i in 0..20 {
        chats.push(chat(&s, site.id, &format!("v{i}"), i).await.id);
    }
    let send_all = |s: Store, chats: Vec<ChatId>| async move {
        let mut tasks = Vec::new();
        for i in 0..2_000usize {
            let (s, chat) = (s.clone(), chats[i % 20]);
            tasks.push(tokio::spawn(async move {
                let cid = format!("client-{i}");
                let a = s
                    .append_message(text(chat, &format!("m{i}"), Some(&cid)))
                    .await
                    .unwrap();
                (cid, a)
            }));
        }
        let mut out = HashMap::new();
        for t in tasks {
            let (cid, a) = t.await.unwrap();
            out.insert(cid, a);
        }
        out
    };
    let first = send_all(s.clone(), chats.clone()).await;
    assert!(first.values().all(|a| !a.duplicate));
    for &chat in &chats {
        let msgs = s.messages_after(chat, Seq(0), 1_000).await.unwrap();
        let seqs: Vec<i64> = msgs.iter().map(|m| m.seq.0).collect();
        assert_eq!(seqs, (1..=100).collect::<Vec<_>>(), "chat {chat}");
        assert_eq!(s.chat(chat).await.unwrap().last_seq, Seq(100));
        for m in msgs {
            let acked = &first[m.client_id.as_deref().unwrap()];
            assert_eq!(
                acked.message, m,
                "the acknowledged message is the stored one"
            );
        }
    }
    let again = send_all(s.clone(), chats.clone()).await;
    for (cid, a) in &again {
        assert!(a.duplicate, "{cid}");
        assert_eq!(a.message.seq, first[cid].message.seq, "{cid}");
    }
    for &chat in &chats {
        assert_eq!(
            s.chat(chat).await.unwrap().last_seq,
            Seq(100),
            "resends wrote nothing"
        );
    }
}

/// Throughput of durable appends (run with `--release -- --ignored --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
#[ignore = "benchmark"]
async fn append_throughput() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let mut chats = Vec::new();
    for i in 0..200 {
        chats.push(chat(&s, site.id, &format!("v{i}"), i).await.id);
    }
    let total = 100_000usize;
    let concurrency = 2_000usize;
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let (s, chats) = (s.clone(), chats.clone());
        tasks.push(tokio::spawn(async move {
            for i in (w..total).step_by(concurrency) {
                let cid = format!("c{i}");
                s.append_message(text(chats[i % chats.len()], "hello there", Some(&cid)))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{total} durable appends in {secs:.2}s = {:.0}/s",
        total as f64 / secs
    );
}
