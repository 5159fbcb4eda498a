//! The visitor's rating of a chat (issue 14): one conditional update (ended chats only; the
//! first rating sets `rated_at`; a change only inside the window), and a site's ratings by
//! when they were first given.

use super::*;
use frontdesk_core::rating::Rating;
use frontdesk_core::{ChatState, EndReason};

const WINDOW: i64 = 600_000;

/// A chat of `visitor` that `agent` answered and the visitor ended at `at`.
async fn ended(s: &Store, site: SiteId, agent: AgentId, visitor: &str, at: i64) -> Chat {
    let c = chat(s, site, visitor, at).await;
    let active = s
        .update_chat_state(c.id, c.version, ChatState::Active { agent }, Timestamp(at))
        .await
        .unwrap()
        .unwrap();
    s.update_chat_state(
        c.id,
        active.version,
        ChatState::Ended {
            reason: EndReason::Visitor,
        },
        Timestamp(at),
    )
    .await
    .unwrap()
    .unwrap()
}

fn rating(score: u8, comment: Option<&str>, at: i64) -> Option<Rating> {
    Some(Rating {
        score,
        comment: comment.map(str::to_owned),
        rated_at: Timestamp(at),
    })
}

#[tokio::test]
async fn the_first_rating_sets_rated_at_and_a_change_keeps_it_inside_the_window() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let a = agent(&s, "ann@shop.example", None).await;
    let c = ended(&s, site.id, a.id, "v1", 10).await;
    assert_eq!(c.rating, None);

    let first = s
        .rate_chat(c.id, 1, Some("Slow"), Timestamp(1_000), WINDOW)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.rating, rating(1, Some("Slow"), 1_000));
    // Not a state change: the version stays, so no compare-and-set loses to it.
    assert_eq!(first.version, c.version);
    assert_eq!(s.chat(c.id).await.unwrap().rating, first.rating);

    // Changed just before the window closes: score and comment change, rated_at stays.
    let changed = s
        .rate_chat(c.id, 5, None, Timestamp(1_000 + WINDOW - 1), WINDOW)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.rating, rating(5, None, 1_000));

    // At the window's end: nothing written.
    assert_eq!(
        s.rate_chat(c.id, 1, Some("late"), Timestamp(1_000 + WINDOW), WINDOW)
            .await
            .unwrap(),
        None
    );
    assert_eq!(s.chat(c.id).await.unwrap().rating, rating(5, None, 1_000));
}

#[tokio::test]
async fn an_open_chat_is_not_rated_and_a_missing_one_is_not_found() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let a = agent(&s, "ann@shop.example", None).await;
    let pending = chat(&s, site.id, "v1", 1).await;
    assert_eq!(
        s.rate_chat(pending.id, 5, None, Timestamp(5), WINDOW)
            .await
            .unwrap(),
        None
    );
    let active = s
        .update_chat_state(
            pending.id,
            pending.version,
            ChatState::Active { agent: a.id },
            Timestamp(2),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.rate_chat(active.id, 5, None, Timestamp(5), WINDOW)
            .await
            .unwrap(),
        None
    );
    assert_eq!(s.chat(active.id).await.unwrap().rating, None);
    assert_eq!(
        s.rate_chat(ChatId(999), 5, None, Timestamp(5), WINDOW)
            .await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn a_sites_ratings_by_when_first_given_in_range_oldest_first() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let other = site(&s, "other").await;
    let a = agent(&s, "ann@shop.example", None).await;
    let c1 = ended(&s, shop.id, a.id, "v1", 1).await;
    let c2 = ended(&s, shop.id, a.id, "v2", 2).await;
    let c3 = ended(&s, shop.id, a.id, "v3", 3).await;
    let unrated = ended(&s, shop.id, a.id, "v4", 4).await;
    let o = ended(&s, other.id, a.id, "w", 5).await;
    s.rate_chat(c2.id, 5, Some("Great"), Timestamp(2_000), WINDOW)
        .await
        .unwrap();
    s.rate_chat(c1.id, 1, None, Timestamp(3_000), WINDOW)
        .await
        .unwrap();
    s.rate_chat(c3.id, 4, None, Timestamp(9_000), WINDOW)
        .await
        .unwrap();
    s.rate_chat(o.id, 5, None, Timestamp(2_500), WINDOW)
        .await
        .unwrap();
    // A change does not move a rating to a later day.
    s.rate_chat(c2.id, 4, Some("Good"), Timestamp(8_000), WINDOW)
        .await
        .unwrap();

    let got = s
        .ratings(shop.id, Timestamp(2_000), Timestamp(9_000), 10)
        .await
        .unwrap();
    assert_eq!(
        got,
        vec![
            RatedChat {
                chat_id: c2.id,
                site_id: shop.id,
                agent_id: Some(a.id),
                rating: rating(4, Some("Good"), 2_000).unwrap(),
            },
            RatedChat {
                chat_id: c1.id,
                site_id: shop.id,
                agent_id: Some(a.id),
                rating: rating(1, None, 3_000).unwrap(),
            },
        ],
        "from inclusive, to exclusive; another site's and unrated chats left out"
    );
    let all = s
        .ratings(shop.id, Timestamp(0), Timestamp(i64::MAX), 10)
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|r| r.chat_id).collect::<Vec<_>>(),
        vec![c2.id, c1.id, c3.id]
    );
    assert!(!all.iter().any(|r| r.chat_id == unrated.id));
    let first = s
        .ratings(shop.id, Timestamp(0), Timestamp(i64::MAX), 1)
        .await
        .unwrap();
    assert_eq!(first.len(), 1, "at most `limit`");
    assert_eq!(first[0].chat_id, c2.id);
}
