//! Automatic assignment (issue 12): an offer is a conditional update that also respects the
//! agent's capacity; offers end with the passed list stored; expired offers and an agent's
//! offers are listed; loads count active chats and standing offers; `max_chats` is stored.

use super::*;
use frontdesk_core::ChatState;
use std::sync::Arc;

fn offer(agent: AgentId, expires_at: i64) -> Offer {
    Offer {
        agent,
        expires_at: Timestamp(expires_at),
    }
}

#[tokio::test]
async fn offer_is_compare_and_set_and_sets_last_assigned() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let (ann, bob) = (
        agent(&s, "ann@x.example", None).await.id,
        agent(&s, "bob@x.example", None).await.id,
    );
    let c = chat(&s, site.id, "v1", 50).await;
    let offered = s
        .offer_chat(c.id, c.version, offer(ann, 1_100), Timestamp(100))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(offered.offer, Some(offer(ann, 1_100)));
    assert_eq!((offered.state, offered.version), (ChatState::Pending, 2));
    // A second node with the old version loses: the chat is never offered to two agents.
    assert_eq!(
        s.offer_chat(c.id, c.version, offer(bob, 1_100), Timestamp(100))
            .await,
        Ok(None)
    );
    assert_eq!(s.chat(c.id).await.unwrap(), offered);
    let loads = s.agent_loads(&[ann, bob], Timestamp(100)).await.unwrap();
    let of = |a: AgentId| loads.iter().find(|l| l.agent == a).unwrap().clone();
    assert_eq!(of(ann).last_assigned_at, Some(Timestamp(100)));
    assert_eq!((of(ann).offered_chats, of(ann).active_chats), (1, 0));
    assert_eq!((of(bob).last_assigned_at, of(bob).offered_chats), (None, 0));
    assert_eq!(s.offers_of_agent(ann).await.unwrap(), vec![offered.clone()]);
    assert!(s.offers_of_agent(bob).await.unwrap().is_empty());
    // Unknown chat or agent.
    assert_eq!(
        s.offer_chat(ChatId(999), 1, offer(ann, 1), Timestamp(1))
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.offer_chat(c.id, 2, offer(AgentId(999), 1), Timestamp(1))
            .await,
        Err(StoreError::NotFound)
    );
    // Accepting ends the offer.
    let active = s
        .update_chat_state(c.id, 2, ChatState::Active { agent: ann }, Timestamp(200))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(active.offer, None);
    assert!(s.offers_of_agent(ann).await.unwrap().is_empty());
    // Only a pending chat can be offered.
    assert_eq!(
        s.offer_chat(c.id, active.version, offer(bob, 1_100), Timestamp(300))
            .await,
        Ok(None)
    );
    s.set_last_assigned_at(bob, Timestamp(400)).await.unwrap();
    let loads = s.agent_loads(&[bob], Timestamp(400)).await.unwrap();
    assert_eq!(loads[0].last_assigned_at, Some(Timestamp(400)));
    assert_eq!(
        s.set_last_assigned_at(AgentId(999), Timestamp(1)).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn offer_respects_capacity_counting_active_and_standing_offers() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let ann = agent(&s, "ann@x.example", None).await.id;
    s.set_max_chats(ann, Some(2)).await.unwrap();
    assert_eq!(s.agent(ann).await.unwrap().max_chats, Some(2));
    let c1 = chat(&s, site.id, "v1", 50).await;
    let c2 = chat(&s, site.id, "v2", 51).await;
    let c3 = chat(&s, site.id, "v3", 52).await;
    // One active chat and one standing offer: full.
    s.update_chat_state(c1.id, 1, ChatState::Active { agent: ann }, Timestamp(60))
        .await
        .unwrap()
        .unwrap();
    let o2 = s
        .offer_chat(c2.id, 1, offer(ann, 1_000), Timestamp(100))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.offer_chat(c3.id, 1, offer(ann, 1_000), Timestamp(100))
            .await,
        Ok(None)
    );
    assert_eq!(s.chat(c3.id).await.unwrap().version, 1, "nothing written");
    // Re-offering the same chat to the same agent does not count its own offer.
    assert!(
        s.offer_chat(c2.id, o2.version, offer(ann, 2_000), Timestamp(100))
            .await
            .unwrap()
            .is_some()
    );
    // Once the offer has expired it no longer counts.
    assert!(
        s.offer_chat(c3.id, 1, offer(ann, 3_000), Timestamp(2_000))
            .await
            .unwrap()
            .is_some()
    );
    let loads = s.agent_loads(&[ann], Timestamp(2_000)).await.unwrap();
    assert_eq!(
        (
            loads[0].active_chats,
            loads[0].offered_chats,
            loads[0].max_chats
        ),
        (1, 1, Some(2))
    );
    // Unlimited again.
    s.set_max_chats(ann, None).await.unwrap();
    assert_eq!(s.agent(ann).await.unwrap().max_chats, None);
    assert_eq!(
        s.set_max_chats(AgentId(999), Some(1)).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn ending_an_offer_stores_passed_and_expired_offers_are_listed() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let (ann, bob) = (
        agent(&s, "ann@x.example", None).await.id,
        agent(&s, "bob@x.example", None).await.id,
    );
    let c1 = chat(&s, site.id, "v1", 50).await;
    let c2 = chat(&s, site.id, "v2", 51).await;
    let o1 = s
        .offer_chat(c1.id, 1, offer(ann, 500), Timestamp(100))
        .await
        .unwrap()
        .unwrap();
    s.offer_chat(c2.id, 1, offer(bob, 400), Timestamp(100))
        .await
        .unwrap()
        .unwrap();
    assert!(
        s.expired_offers(Timestamp(399), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let expired = s.expired_offers(Timestamp(500), 10).await.unwrap();
    let ids: Vec<ChatId> = expired.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![c2.id, c1.id], "soonest expired first");
    assert_eq!(s.expired_offers(Timestamp(500), 1).await.unwrap().len(), 1);
    let ended = s
        .end_offer(c1.id, o1.version, vec![ann])
        .await
        .unwrap()
        .unwrap();
    assert_eq!((ended.offer, ended.passed.clone()), (None, vec![ann]));
    assert_eq!(ended.version, o1.version + 1);
    assert_eq!(s.chat(c1.id).await.unwrap(), ended);
    // Stale version: nothing written.
    assert_eq!(s.end_offer(c1.id, o1.version, vec![]).await, Ok(None));
    assert_eq!(
        s.end_offer(ChatId(999), 1, vec![]).await,
        Err(StoreError::NotFound)
    );
    let ids: Vec<ChatId> = s
        .expired_offers(Timestamp(500), 10)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, vec![c2.id]);
    // The passed list survives a later offer and a requeue keeps the queue time.
    let again = s
        .offer_chat(c1.id, ended.version, offer(bob, 900), Timestamp(600))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.passed, vec![ann]);
    assert!(s.agent_loads(&[], Timestamp(1)).await.unwrap().is_empty());
}

/// Many writers offer many chats to a few capped agents at once: no chat ends up offered
/// twice (each offer write wins once per version) and no agent is above their cap.
#[tokio::test]
async fn concurrent_offers_never_overshoot_a_cap() {
    let (_keep, s) = fresh().await;
    let s = Arc::new(s);
    let site = site(&s, "shop").await;
    let mut agents = Vec::new();
    for i in 0..3 {
        let a = agent(&s, &format!("a{i}@x.example"), None).await.id;
        s.set_max_chats(a, Some(2)).await.unwrap();
        agents.push(a);
    }
    let mut chats = Vec::new();
    for i in 0..12 {
        chats.push(chat(&s, site.id, &format!("v{i}"), 50 + i).await);
    }
    let mut tasks = Vec::new();
    for c in &chats {
        for a in &agents {
            let (s, c, a) = (Arc::clone(&s), c.clone(), *a);
            tasks.push(tokio::spawn(async move {
                s.offer_chat(c.id, c.version, offer(a, 10_000), Timestamp(100))
                    .await
                    .unwrap()
                    .map(|_| c.id)
            }));
        }
    }
    let mut won = Vec::new();
    for t in tasks {
        if let Some(id) = t.await.unwrap() {
            won.push(id);
        }
    }
    let mut unique = won.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), won.len(), "a chat was offered twice: {won:?}");
    let loads = s.agent_loads(&agents, Timestamp(100)).await.unwrap();
    for l in &loads {
        assert!(l.offered_chats <= 2, "{l:?}");
    }
    assert_eq!(won.len(), 6, "every agent filled to the cap");
}
