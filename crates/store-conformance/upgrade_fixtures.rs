//! What a database written at an older schema version must still hold after today's code has
//! migrated it (fixtures: `crates/store-sqlite/tests/fixtures/make.sh`, rows in `data.sql`
//! there), and that it takes new writes. Shared, word for word, by both stores' upgrade tests.

use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::*;
use frontdesk_core::{ChatState, EndReason};

pub const FIXTURE_VISITOR: &str = "a0f1c3e2-0000-4000-8000-000000000001";

pub async fn check_upgraded<S: Store>(s: &S, version: i64) {
    let at = |what: &str| format!("schema v{version}: {what}");
    let site = s
        .site_by_key(&SiteKey("fixturesitekey00001".into()))
        .await
        .expect("the site survived");
    assert_eq!(site.name, "Fixture Shop", "{}", at("site name"));
    assert_eq!(site.timezone, "Europe/Berlin");
    assert_eq!(
        site.allowed_origins,
        vec!["https://www.shop.example".to_string()]
    );
    assert_eq!(site.email.as_deref(), Some("owner@shop.example"));

    let (alice, hash) = s.agent_by_email("alice@shop.example").await.expect("alice");
    assert!(alice.is_admin, "{}", at("admin flag"));
    assert!(hash.starts_with("$argon2id$"), "{}", at("password hash"));
    let (bob, _) = s
        .agent_by_email("BOB@shop.example")
        .await
        .expect("bob, any case");
    assert!(!bob.is_admin);
    let session = s
        .session(
            "5e55104f1e7ad5e55104f1e7ad5e55104f1e7ad5e55104f1e7ad5e55104f1e7a",
            Timestamp(1_800_000_000_000),
        )
        .await
        .expect("the session survived");
    assert_eq!(session.agent_id, alice.id);

    let ended = s.chat(ChatId(1)).await.expect("the ended chat");
    assert_eq!(
        ended.state,
        ChatState::Ended {
            reason: EndReason::Agent { agent: AgentId(1) }
        },
        "{}",
        at("ended chat")
    );
    let open = s.open_chats(&[site.id]).await.expect("open chats");
    assert_eq!(open.len(), 1, "{}", at("one open chat"));
    assert_eq!(open[0].id, ChatId(2));
    assert_eq!(open[0].state, ChatState::Active { agent: AgentId(1) });
    let bodies = |ms: Vec<Message>| -> Vec<(i64, String)> {
        ms.into_iter().map(|m| (m.seq.0, m.body)).collect()
    };
    let first = s
        .messages_after(ChatId(1), Seq(0), 100)
        .await
        .expect("messages");
    assert_eq!(
        bodies(first.clone()),
        vec![
            (1, "Hello, is the pro plan monthly?".to_string()),
            (2, "Yes, and you can cancel any time.".to_string()),
            (3, "Alice ended the chat".to_string()),
        ],
        "{}",
        at("transcript")
    );
    // The migration indexed the old messages for the Archive's search (issue 15).
    let search = frontdesk_core::archive::ArchiveQuery {
        sites: vec![site.id],
        agent: None,
        from: None,
        to: None,
        state: None,
        tag: None,
        rating: None,
        search: frontdesk_core::search::SearchQuery::parse("monthly plan").ok(),
        cursor: None,
        limit: 10,
    };
    let (found, _) = s.archive_page(&search).await.expect("search");
    let found: Vec<ChatId> = found.iter().map(|(c, _)| c.id).collect();
    assert_eq!(found, vec![ChatId(1)], "{}", at("old messages searchable"));
    assert_eq!(first[0].author, Author::Visitor);
    assert_eq!(first[1].author, Author::Agent { agent: alice.id });
    assert_eq!(first[2].author, Author::System);
    let second = s
        .messages_after(ChatId(2), Seq(0), 100)
        .await
        .expect("messages");
    assert_eq!(second[1].kind, MessageKind::Link);
    assert_eq!(
        s.canned_for(site.id, alice.id).await.expect("canned").len(),
        2
    );

    // New writes: the visitor's next message continues the open chat's numbering, and a
    // resend of an old client id is not stored twice.
    let post = |body: &str, cid: &str| VisitorMessage {
        site: site.id,
        visitor: VisitorId(FIXTURE_VISITOR.into()),
        kind: MessageKind::Text,
        body: body.into(),
        client_id: Some(cid.into()),
        created_at: Timestamp(1_700_000_100_000),
        file: None,
    };
    let posted = s
        .append_visitor_message(post("after the upgrade", "c-3"))
        .await
        .expect("a new message")
        .expect("the chat is open");
    assert_eq!(posted.appended.message.seq, Seq(3), "{}", at("next seq"));
    let again = s
        .append_visitor_message(post("One more question <b>please</b>", "c-2"))
        .await
        .expect("a resend")
        .expect("the chat is open");
    assert!(
        again.appended.duplicate,
        "{}",
        at("client ids still unique")
    );
    assert_eq!(again.appended.message.seq, Seq(1));
    // And a new site gets a fresh id (sequences moved past the fixture's rows).
    let other = s
        .create_site(
            NewSite {
                key: SiteKey("fixturesitekey00002".into()),
                name: "Second".into(),
                base_url: "https://second.example".into(),
                timezone: "UTC".into(),
                allowed_origins: vec![],
                email: None,
            },
            Timestamp(1_700_000_200_000),
        )
        .await
        .expect("a new site");
    assert_ne!(other.id, site.id);
}
