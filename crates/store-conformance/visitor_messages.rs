//! A visitor's message: open chat found, checked and appended in one write.

use super::*;
use frontdesk_core::{AgentId, ChatState, EndReason};

fn from_visitor(
    site: SiteId,
    visitor: &str,
    body: &str,
    client_id: Option<&str>,
) -> VisitorMessage {
    VisitorMessage {
        site,
        visitor: VisitorId(visitor.into()),
        kind: MessageKind::Text,
        body: body.into(),
        client_id: client_id.map(str::to_owned),
        created_at: Timestamp(5_000),
        file: None,
    }
}

#[tokio::test]
async fn visitor_message_goes_to_the_open_chat_with_its_owner() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let other = site(&s, "other").await;
    let c = chat(&s, shop.id, "v1", 1).await;
    let p = s
        .append_visitor_message(from_visitor(shop.id, "v1", "hello", Some("c-1")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((p.chat.id, p.chat.state), (c.id, ChatState::Pending));
    assert_eq!(
        (p.appended.message.seq, p.appended.duplicate),
        (Seq(1), false)
    );
    assert_eq!(p.appended.message.author, Author::Visitor);
    assert_eq!(p.appended.message.author_name.as_deref(), Some("Vera"));

    // Accepted: the write reports the owner the message is delivered to.
    let agent = ChatState::Active { agent: AgentId(7) };
    s.update_chat_state(c.id, 1, agent, Timestamp(10))
        .await
        .unwrap()
        .unwrap();
    let p2 = s
        .append_visitor_message(from_visitor(shop.id, "v1", "anyone?", None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((p2.chat.state, p2.appended.message.seq), (agent, Seq(2)));
    // A resend answers with the stored message and writes nothing.
    let again = s
        .append_visitor_message(from_visitor(shop.id, "v1", "hello (resent)", Some("c-1")))
        .await
        .unwrap()
        .unwrap();
    assert!(again.appended.duplicate);
    assert_eq!(again.appended.message, p.appended.message);
    assert_eq!(
        s.messages_after(c.id, Seq(0), 10).await.unwrap(),
        vec![p.appended.message, p2.appended.message]
    );
    // Another visitor, or the same visitor id on another site, has no open chat.
    for (site, visitor) in [(shop.id, "v2"), (other.id, "v1")] {
        let none = s
            .append_visitor_message(from_visitor(site, visitor, "x", None))
            .await;
        assert_eq!(none, Ok(None));
    }
}

#[tokio::test]
async fn visitor_message_to_an_ended_chat_is_refused_and_not_stored() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let c = chat(&s, shop.id, "v1", 1).await;
    let ended = ChatState::Ended {
        reason: EndReason::Visitor,
    };
    s.update_chat_state(c.id, 1, ended, Timestamp(10))
        .await
        .unwrap()
        .unwrap();
    let refused = s
        .append_visitor_message(from_visitor(shop.id, "v1", "still there?", None))
        .await;
    assert_eq!(refused, Ok(None));
    let after = s.chat(c.id).await.unwrap();
    assert_eq!(after.last_seq, Seq(0));
    assert!(s.messages_after(c.id, Seq(0), 10).await.unwrap().is_empty());
}
