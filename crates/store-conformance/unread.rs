//! Read marks and unread replies (issue 14): `mark_read` only raises (and never past the last
//! message), `mark_replies_emailed` is a compare-and-set, and the chats with unread agent
//! replies (never notes, never system events) are listed by when the oldest was sent.

use super::*;

fn by_agent(chat: ChatId, kind: MessageKind, at: i64) -> NewMessage {
    NewMessage {
        author: Author::Agent { agent: AgentId(7) },
        author_name: Some("Anna".into()),
        kind,
        created_at: Timestamp(at),
        ..text(chat, "reply", None)
    }
}

fn event(chat: ChatId, at: i64) -> NewMessage {
    NewMessage {
        author: Author::System,
        author_name: None,
        kind: MessageKind::Event,
        created_at: Timestamp(at),
        ..text(chat, "Anna joined", None)
    }
}

async fn listed(s: &Store, before: i64) -> Vec<ChatId> {
    s.unread_reply_chats(Timestamp(before), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect()
}

#[tokio::test]
async fn unread_replies_are_listed_until_read_or_emailed() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let c = chat(&s, site.id, "v1", 50).await;
    // The visitor's own words, a note and a system event are no unread replies.
    s.append_message(text(c.id, "hello", None)).await.unwrap(); // 1
    s.append_message(by_agent(c.id, MessageKind::Note, 100))
        .await
        .unwrap(); // 2
    s.append_message(event(c.id, 110)).await.unwrap(); // 3
    assert!(listed(&s, i64::MAX).await.is_empty());

    s.append_message(by_agent(c.id, MessageKind::Text, 200))
        .await
        .unwrap(); // 4
    s.append_message(by_agent(c.id, MessageKind::Link, 300))
        .await
        .unwrap(); // 5
    assert!(listed(&s, 199).await.is_empty(), "not before the oldest");
    assert_eq!(listed(&s, 200).await, vec![c.id]);

    // Read up to 4: the oldest unread is now the one of 300.
    s.mark_read(c.id, Seq(4)).await.unwrap();
    assert_eq!(s.chat(c.id).await.unwrap().visitor_read_seq, Seq(4));
    assert!(listed(&s, 299).await.is_empty());
    assert_eq!(listed(&s, 300).await, vec![c.id]);
    // Never lowered, never past the last message.
    s.mark_read(c.id, Seq(2)).await.unwrap();
    assert_eq!(s.chat(c.id).await.unwrap().visitor_read_seq, Seq(4));
    s.mark_read(c.id, Seq(99)).await.unwrap();
    assert_eq!(s.chat(c.id).await.unwrap().visitor_read_seq, Seq(5));
    assert!(listed(&s, i64::MAX).await.is_empty());

    // A newer reply, emailed: compare-and-set on the old value, once.
    s.append_message(by_agent(c.id, MessageKind::Text, 400))
        .await
        .unwrap(); // 6
    assert_eq!(listed(&s, 400).await, vec![c.id]);
    assert!(s.mark_replies_emailed(c.id, Seq(0), Seq(6)).await.unwrap());
    assert!(!s.mark_replies_emailed(c.id, Seq(0), Seq(6)).await.unwrap());
    assert!(!s.mark_replies_emailed(c.id, Seq(6), Seq(6)).await.unwrap());
    assert_eq!(s.chat(c.id).await.unwrap().replies_emailed_seq, Seq(6));
    assert!(listed(&s, i64::MAX).await.is_empty());

    // Only newer replies make it a candidate again.
    s.append_message(by_agent(c.id, MessageKind::Text, 500))
        .await
        .unwrap(); // 7
    assert_eq!(listed(&s, 500).await, vec![c.id]);
    assert!(s.mark_replies_emailed(c.id, Seq(6), Seq(7)).await.unwrap());
    assert!(listed(&s, i64::MAX).await.is_empty());
}

#[tokio::test]
async fn unread_chats_are_listed_oldest_first_within_the_limit() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let late = chat(&s, site.id, "v1", 50).await;
    let early = chat(&s, site.id, "v2", 50).await;
    let other = chat(&s, site.id, "v3", 50).await;
    s.append_message(by_agent(late.id, MessageKind::Text, 300))
        .await
        .unwrap();
    s.append_message(by_agent(early.id, MessageKind::Text, 100))
        .await
        .unwrap();
    s.append_message(text(other.id, "only the visitor", None))
        .await
        .unwrap();
    assert_eq!(listed(&s, 1_000).await, vec![early.id, late.id]);
    let one = s.unread_reply_chats(Timestamp(1_000), 1).await.unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].id, early.id);
}

#[tokio::test]
async fn an_import_keeps_read_marks_and_emails_nothing_sent_before_it() {
    let (keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let c = chat(&s, site.id, "v1", 50).await;
    s.append_message(by_agent(c.id, MessageKind::Text, 100))
        .await
        .unwrap(); // 1
    s.mark_read(c.id, Seq(1)).await.unwrap();
    s.append_message(by_agent(c.id, MessageKind::Text, 200))
        .await
        .unwrap(); // 2: unread
    assert_eq!(listed(&s, 1_000).await, vec![c.id]);
    drop(s);
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("dump.jsonl");
    let rows = dump_export(&keep, &path).await.unwrap();
    let (other, s) = fresh().await;
    drop(s);
    assert_eq!(dump_import(&other, &path).await.unwrap(), rows);
    let s = reopen(&other).await.unwrap();
    assert_eq!(s.chat(c.id).await.unwrap().visitor_read_seq, Seq(1));
    assert!(listed(&s, i64::MAX).await.is_empty(), "nothing to email");
    // A reply after the import is unread as usual.
    s.append_message(by_agent(c.id, MessageKind::Text, 300))
        .await
        .unwrap();
    assert_eq!(listed(&s, 300).await, vec![c.id]);
}
