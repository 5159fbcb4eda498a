//! A chat's tags and wrap-up note (issue 13), and a site's tags for suggestions.

use super::*;
use frontdesk_core::tags::SiteTag;
use frontdesk_core::{ChatState, EndReason};

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn site_tag(tag: &str, chats: u64) -> SiteTag {
    SiteTag {
        tag: tag.into(),
        chats,
    }
}

#[tokio::test]
async fn tags_and_wrap_up_are_stored_without_a_state_change() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let c = chat(&s, site.id, "v1", 1).await;
    let tagged = s
        .set_chat_tags(c.id, &tags(&["VIP", "refund", "été"]))
        .await
        .unwrap();
    assert_eq!(tagged.tags, tags(&["VIP", "refund", "été"]));
    // Not a state change: the version stays, so no compare-and-set loses to it.
    assert_eq!(tagged.version, c.version);
    assert_eq!(s.chat(c.id).await.unwrap().tags, tagged.tags);
    let replaced = s.set_chat_tags(c.id, &tags(&["bug"])).await.unwrap();
    assert_eq!(replaced.tags, tags(&["bug"]));
    assert!(s.set_chat_tags(c.id, &[]).await.unwrap().tags.is_empty());

    let noted = s
        .set_wrap_up(c.id, Some("Refund sent.\nFollow up Monday."))
        .await
        .unwrap();
    assert_eq!(
        noted.wrap_up.as_deref(),
        Some("Refund sent.\nFollow up Monday.")
    );
    assert_eq!(noted.version, c.version);
    assert_eq!(s.chat(c.id).await.unwrap().wrap_up, noted.wrap_up);
    assert_eq!(s.set_wrap_up(c.id, None).await.unwrap().wrap_up, None);

    assert_eq!(
        s.set_chat_tags(ChatId(999), &tags(&["x"])).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.set_wrap_up(ChatId(999), Some("x")).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn a_state_change_keeps_tags_and_wrap_up() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let a = agent(&s, "ann@shop.example", None).await;
    let c = chat(&s, site.id, "v1", 1).await;
    s.set_chat_tags(c.id, &tags(&["vip"])).await.unwrap();
    let c = s.set_wrap_up(c.id, Some("note")).await.unwrap();
    let ended = s
        .update_chat_state(
            c.id,
            c.version,
            ChatState::Ended {
                reason: EndReason::Agent { agent: a.id },
            },
            Timestamp(9),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.tags, tags(&["vip"]));
    assert_eq!(ended.wrap_up.as_deref(), Some("note"));
    // Tags may still change after the end (Chat History).
    let later = s
        .set_chat_tags(c.id, &tags(&["vip", "done"]))
        .await
        .unwrap();
    assert_eq!(later.tags, tags(&["vip", "done"]));
    assert!(matches!(later.state, ChatState::Ended { .. }));
}

#[tokio::test]
async fn site_tags_are_distinct_ignoring_case_most_used_first() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let other = site(&s, "other").await;
    assert!(s.site_tags(shop.id, 10).await.unwrap().is_empty());
    let lists: [&[&str]; 4] = [
        &["vip", "refund"],
        &["Refund", "bug"],
        &["refund", "VIP", "zebra"],
        &[],
    ];
    for (i, list) in lists.iter().enumerate() {
        let c = chat(&s, shop.id, &format!("v{i}"), i as i64).await;
        s.set_chat_tags(c.id, &tags(list)).await.unwrap();
    }
    let o = chat(&s, other.id, "w", 1).await;
    s.set_chat_tags(o.id, &tags(&["secret", "bug", "bug2"]))
        .await
        .unwrap();

    // Tags of one case-insensitive group count once per chat; ties by tag; the spelling
    // is the smallest by code point ("Refund" < "refund", "VIP" < "vip").
    assert_eq!(
        s.site_tags(shop.id, 10).await.unwrap(),
        vec![
            site_tag("Refund", 3),
            site_tag("VIP", 2),
            site_tag("bug", 1),
            site_tag("zebra", 1),
        ]
    );
    assert_eq!(
        s.site_tags(shop.id, 2).await.unwrap(),
        vec![site_tag("Refund", 3), site_tag("VIP", 2)]
    );
    // Another site's tags never show.
    assert_eq!(
        s.site_tags(other.id, 10).await.unwrap(),
        vec![
            site_tag("bug", 1),
            site_tag("bug2", 1),
            site_tag("secret", 1)
        ]
    );
    assert!(s.site_tags(SiteId(999), 10).await.unwrap().is_empty());
}
