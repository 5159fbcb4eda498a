//! The Archive (issue 15): filters, cursor paging, counts, and full-text search with the same
//! semantics on both engines (docs/archive.md "Search").

use super::*;
use frontdesk_core::archive::{ArchiveCursor, ArchiveQuery, ArchiveState, MatchedIn, Snippet};
use frontdesk_core::search::SearchQuery;
use frontdesk_core::{ChatState, EndReason};

fn query(sites: &[SiteId]) -> ArchiveQuery {
    ArchiveQuery {
        sites: sites.to_vec(),
        agent: None,
        from: None,
        to: None,
        state: None,
        tag: None,
        rating: None,
        search: None,
        cursor: None,
        limit: 25,
    }
}

fn searching(sites: &[SiteId], text: &str) -> ArchiveQuery {
    ArchiveQuery {
        search: Some(SearchQuery::parse(text).unwrap()),
        ..query(sites)
    }
}

async fn ids(s: &Store, q: &ArchiveQuery) -> Vec<i64> {
    let (rows, _) = s.archive_page(q).await.unwrap();
    rows.iter().map(|(c, _)| c.id.0).collect()
}

async fn say(s: &Store, chat: ChatId, body: &str) {
    s.append_message(text(chat, body, None)).await.unwrap();
}

async fn end(s: &Store, c: &Chat, reason: EndReason) -> Chat {
    let now = Timestamp(c.created_at.0 + 10);
    s.update_chat_state(c.id, c.version, ChatState::Ended { reason }, now)
        .await
        .unwrap()
        .unwrap()
}

/// The highlighted parts of a snippet (its UTF-16 ranges cut out as JavaScript would).
fn marked(s: &Snippet) -> Vec<String> {
    let units: Vec<u16> = s.text.encode_utf16().collect();
    s.highlights
        .iter()
        .map(|[a, b]| String::from_utf16(&units[*a as usize..*b as usize]).unwrap())
        .collect()
}

#[tokio::test]
async fn filters_page_newest_first_and_count() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let other = site(&s, "other").await;
    let agent_a = AgentId(7);
    // c1 ended by the agent, rated 5, tagged; c2 missed; c3 blocked; c4 open (active).
    let c1 = chat(&s, shop.id, "v1", 100).await;
    let c1 = s
        .update_chat_state(
            c1.id,
            c1.version,
            ChatState::Active { agent: agent_a },
            Timestamp(101),
        )
        .await
        .unwrap()
        .unwrap();
    end(&s, &c1, EndReason::Agent { agent: agent_a }).await;
    s.set_chat_tags(c1.id, &["VIP".to_string()]).await.unwrap();
    s.rate_chat(c1.id, 5, None, Timestamp(200), 1_000_000)
        .await
        .unwrap()
        .unwrap();
    let c2 = chat(&s, shop.id, "v2", 200).await;
    end(&s, &c2, EndReason::Visitor).await;
    let c3 = chat(&s, shop.id, "v3", 300).await;
    let c3 = s
        .update_chat_state(
            c3.id,
            c3.version,
            ChatState::Active { agent: agent_a },
            Timestamp(301),
        )
        .await
        .unwrap()
        .unwrap();
    end(&s, &c3, EndReason::Blocked { agent: agent_a }).await;
    let c4 = chat(&s, shop.id, "v4", 400).await;
    let foreign = chat(&s, other.id, "v9", 500).await;

    let all = query(&[shop.id]);
    assert_eq!(ids(&s, &all).await, [c4.id.0, c3.id.0, c2.id.0, c1.id.0]);
    assert!(!ids(&s, &all).await.contains(&foreign.id.0), "other site");
    let with = |f: &dyn Fn(&mut ArchiveQuery)| {
        let mut q = query(&[shop.id]);
        f(&mut q);
        q
    };
    let by_state = |st| with(&|q| q.state = Some(st));
    assert_eq!(ids(&s, &by_state(ArchiveState::Ended)).await, [c1.id.0]);
    assert_eq!(ids(&s, &by_state(ArchiveState::Missed)).await, [c2.id.0]);
    assert_eq!(ids(&s, &by_state(ArchiveState::Blocked)).await, [c3.id.0]);
    assert_eq!(ids(&s, &by_state(ArchiveState::Open)).await, [c4.id.0]);
    let q = with(&|q| q.agent = Some(agent_a));
    assert_eq!(ids(&s, &q).await, [c3.id.0, c1.id.0]);
    let q = with(&|q| {
        q.from = Some(Timestamp(200));
        q.to = Some(Timestamp(400));
    });
    assert_eq!(ids(&s, &q).await, [c3.id.0, c2.id.0], "[from, to)");
    let q = with(&|q| q.tag = Some("vip".into()));
    assert_eq!(ids(&s, &q).await, [c1.id.0], "tag ignoring case");
    let q = with(&|q| q.rating = Some(5));
    assert_eq!(ids(&s, &q).await, [c1.id.0]);
    let q = with(&|q| q.rating = Some(1));
    assert!(ids(&s, &q).await.is_empty());

    // Paging: two per page; a chat arriving meanwhile never shifts page 2.
    let mut q = with(&|q| q.limit = 2);
    let (page1, next) = s.archive_page(&q).await.unwrap();
    assert_eq!(page1.len(), 2);
    let next = next.unwrap();
    assert_eq!(
        next,
        ArchiveCursor {
            before: c3.id,
            key: 0
        }
    );
    chat(&s, shop.id, "v5", 600).await;
    q.cursor = Some(next);
    let (page2, last) = s.archive_page(&q).await.unwrap();
    let page2: Vec<i64> = page2.iter().map(|(c, _)| c.id.0).collect();
    assert_eq!(page2, [c2.id.0, c1.id.0]);
    assert_eq!(last, None, "nothing older");

    let count = s.archive_count(&all, 10).await.unwrap();
    assert_eq!((count.count, count.more), (5, false));
    let count = s.archive_count(&all, 3).await.unwrap();
    assert_eq!((count.count, count.more), (3, true), "stops at the cap");
    let both = query(&[shop.id, other.id]);
    assert_eq!(s.archive_count(&both, 100).await.unwrap().count, 6);
}

#[tokio::test]
async fn search_operators_match_within_one_document() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let other = site(&s, "other").await;
    let refund = chat(&s, shop.id, "v1", 100).await;
    say(&s, refund.id, "I want a refund for order number 42").await;
    let shipping = chat(&s, shop.id, "v2", 200).await;
    say(&s, shipping.id, "Shipping took forever, number unknown").await;
    let split = chat(&s, shop.id, "v3", 300).await;
    say(&s, split.id, "where is my order").await;
    say(&s, split.id, "refund please").await;
    let cafe = chat(&s, shop.id, "v4", 400).await;
    say(&s, cafe.id, "Le CAFÉ était froid 😀 refunds").await;
    let foreign = chat(&s, other.id, "v9", 500).await;
    say(&s, foreign.id, "refund refund refund").await;
    let site = [shop.id];
    let find = |t: &str| searching(&site, t);

    assert_eq!(
        ids(&s, &find("refund")).await,
        [cafe.id.0, split.id.0, refund.id.0]
    );
    // Stemming: "refunds" finds "refund" and the other way round.
    assert_eq!(
        ids(&s, &find("refunds")).await,
        [cafe.id.0, split.id.0, refund.id.0]
    );
    // Every required word in ONE document: "order refund" is split over two messages in `split`.
    assert_eq!(ids(&s, &find("order refund")).await, [refund.id.0]);
    assert_eq!(ids(&s, &find("\"order number\"")).await, [refund.id.0]);
    assert!(ids(&s, &find("\"number order\"")).await.is_empty());
    assert_eq!(ids(&s, &find("ship*")).await, [shipping.id.0]);
    assert_eq!(ids(&s, &find("number -refund")).await, [shipping.id.0]);
    assert_eq!(
        ids(&s, &find("refund -\"order number\"")).await,
        [cafe.id.0, split.id.0]
    );
    // Case and diacritics.
    assert_eq!(ids(&s, &find("cafe")).await, [cafe.id.0]);
    assert_eq!(ids(&s, &find("Café")).await, [cafe.id.0]);
    // Engine syntax typed by a user is text: no error, no operator.
    for typed in [
        "a\" OR \"b",
        "NEAR(refund",
        "refund*:",
        "refund & | !x",
        ":",
        "refund^",
    ] {
        let q = SearchQuery::parse(typed);
        if let Ok(q) = q {
            let q = ArchiveQuery {
                search: Some(q),
                ..query(&site)
            };
            s.archive_page(&q).await.unwrap();
            s.archive_count(&q, 10).await.unwrap();
        }
    }
    assert!(
        ids(&s, &find("zz\" OR \"refund")).await.is_empty(),
        "OR is a word here"
    );
    // The other site's chat is never returned.
    assert!(!ids(&s, &find("refund")).await.contains(&foreign.id.0));
    let count = s.archive_count(&find("refund"), 10).await.unwrap();
    assert_eq!((count.count, count.more), (3, false));
    let count = s.archive_count(&find("refund"), 2).await.unwrap();
    assert_eq!((count.count, count.more), (2, true));

    // Snippets: the stored text, the matches marked in UTF-16 units (after an emoji too).
    let (rows, _) = s.archive_page(&find("cafe refunds")).await.unwrap();
    let snip = rows[0].1.clone().unwrap();
    assert_eq!(snip.matched_in, MatchedIn::Message);
    assert_eq!(snip.seq, Some(Seq(1)));
    assert_eq!(snip.text, "Le CAFÉ était froid 😀 refunds");
    assert_eq!(marked(&snip), ["CAFÉ", "refunds"]);
}

#[tokio::test]
async fn search_finds_notes_headers_and_pages_while_chats_arrive() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let c = chat(&s, shop.id, "v1", 100).await;
    let note = NewMessage {
        author: Author::Agent { agent: AgentId(7) },
        author_name: Some("Ann".into()),
        kind: MessageKind::Note,
        ..text(c.id, "<b>escalate</b> to billing", None)
    };
    s.append_message(note).await.unwrap();
    let event = NewMessage {
        author: Author::System,
        author_name: None,
        kind: MessageKind::Event,
        ..text(c.id, "zebra joined", None)
    };
    s.append_message(event).await.unwrap();
    let site = [shop.id];
    let (rows, _) = s.archive_page(&searching(&site, "escalate")).await.unwrap();
    let snip = rows[0].1.clone().unwrap();
    assert_eq!(snip.matched_in, MatchedIn::Note);
    assert_eq!(
        snip.text, "<b>escalate</b> to billing",
        "the stored text, as text"
    );
    assert_eq!(marked(&snip), ["escalate"]);
    assert!(
        ids(&s, &searching(&site, "zebra")).await.is_empty(),
        "events are not searched"
    );

    // The header: visitor name, tags and wrap-up note.
    let (rows, _) = s.archive_page(&searching(&site, "vera")).await.unwrap();
    assert_eq!(
        rows[0].1.clone().unwrap().matched_in,
        MatchedIn::VisitorName
    );
    s.set_chat_tags(c.id, &["Wholesale".to_string()])
        .await
        .unwrap();
    let (rows, _) = s
        .archive_page(&searching(&site, "wholesale"))
        .await
        .unwrap();
    assert_eq!(rows[0].1.clone().unwrap().matched_in, MatchedIn::Tag);
    s.set_chat_tags(c.id, &[]).await.unwrap();
    assert!(
        ids(&s, &searching(&site, "wholesale")).await.is_empty(),
        "tag removed"
    );
    s.set_wrap_up(c.id, Some("Sent a voucher")).await.unwrap();
    let (rows, _) = s.archive_page(&searching(&site, "voucher")).await.unwrap();
    assert_eq!(rows[0].1.clone().unwrap().matched_in, MatchedIn::WrapUp);

    // Paging a search while newer chats and messages arrive.
    let mut older = Vec::new();
    for at in [200, 300, 400] {
        let c = chat(&s, shop.id, &format!("v{at}"), at).await;
        say(&s, c.id, "parcel lost").await;
        say(&s, c.id, "parcel found").await;
        older.push(c.id.0);
    }
    let mut q = ArchiveQuery {
        limit: 2,
        ..searching(&site, "parcel")
    };
    let (page1, next) = s.archive_page(&q).await.unwrap();
    let page1: Vec<i64> = page1.iter().map(|(c, _)| c.id.0).collect();
    assert_eq!(page1, [older[2], older[1]]);
    let newer = chat(&s, shop.id, "v500", 500).await;
    say(&s, newer.id, "parcel again").await;
    say(&s, ChatId(older[0]), "parcel once more").await;
    q.cursor = next;
    let (page2, last) = s.archive_page(&q).await.unwrap();
    let page2: Vec<i64> = page2.iter().map(|(c, _)| c.id.0).collect();
    assert_eq!(page2, [older[0]]);
    assert_eq!(last, None);
}

#[tokio::test]
async fn a_damaged_search_index_is_found_and_rebuilt() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let c = chat(&s, shop.id, "v1", 100).await;
    say(&s, c.id, "invoice missing").await;
    s.check_search_index().await.unwrap();
    damage_search_index(&s).await;
    assert!(matches!(
        s.check_search_index().await,
        Err(StoreError::Conflict(_))
    ));
    assert!(ids(&s, &searching(&[shop.id], "invoice")).await.is_empty());
    // One message and one header.
    assert_eq!(s.rebuild_search_index().await.unwrap(), 2);
    s.check_search_index().await.unwrap();
    assert_eq!(ids(&s, &searching(&[shop.id], "invoice")).await, [c.id.0]);
}
