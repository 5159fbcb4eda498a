//! Integration tests of the PostgreSQL store through the core storage traits: the SQLite
//! store's test-suite (same semantics), plus what only a server database has (reconnects,
//! concurrent migrations, an unreachable server). Each test runs on a fresh database
//! `fd_<random>` made on the server of `FRONTDESK_TEST_PG_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`) and dropped afterwards.

#![allow(clippy::unwrap_used)]

mod chats;
mod lifecycle;
// Shared with the other store: the same tests, word for word (see crates/store-conformance).
#[path = "../../../store-conformance/page_loads.rs"]
mod page_loads;
mod people;
#[path = "../../../store-conformance/visitor_messages.rs"]
mod visitor_messages;
mod visitors;

use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::store::*;
use frontdesk_store_postgres::scratch::ScratchDb;
use frontdesk_store_postgres::{PgOptions, PgStore};

pub fn admin_url() -> String {
    std::env::var("FRONTDESK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A fresh, migrated store on a fresh database (keep the database alive while using it).
pub async fn fresh() -> (ScratchDb, PgStore) {
    let db = ScratchDb::create(&admin_url())
        .await
        .expect("PostgreSQL answers on FRONTDESK_TEST_PG_URL");
    let store = PgStore::connect(db.url(), PgOptions::default())
        .await
        .unwrap();
    (db, store)
}

pub fn new_site(key: &str) -> NewSite {
    NewSite {
        key: SiteKey(key.into()),
        name: format!("Site {key}"),
        base_url: format!("https://{key}.example"),
        timezone: "Europe/Berlin".into(),
        allowed_origins: vec![format!("https://www.{key}.example")],
        email: Some(format!("owner@{key}.example")),
    }
}

pub async fn site(s: &PgStore, key: &str) -> Site {
    s.create_site(new_site(key), Timestamp(1_000))
        .await
        .unwrap()
}

pub async fn agent(s: &PgStore, email: &str, sites: Option<Vec<SiteId>>) -> Agent {
    let new = NewAgent {
        email: email.into(),
        name: email.split('@').next().unwrap_or(email).into(),
        is_admin: false,
        password_hash: format!("hash-of-{email}"),
        sites,
    };
    s.create_agent(new, Timestamp(2_000)).await.unwrap()
}

pub fn new_chat(site: SiteId, visitor: &str, at: i64) -> NewChat {
    NewChat {
        site_id: site,
        visitor_id: VisitorId(visitor.into()),
        visit_id: None,
        visitor_name: Some("Vera".into()),
        visitor_email: None,
        page_url: Some("https://shop.example/cart".into()),
        created_at: Timestamp(at),
    }
}

pub async fn chat(s: &PgStore, site: SiteId, visitor: &str, at: i64) -> Chat {
    s.create_chat(new_chat(site, visitor, at)).await.unwrap()
}

pub fn text(chat: ChatId, body: &str, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        chat_id: chat,
        author: Author::Visitor,
        author_name: Some("Vera".into()),
        kind: MessageKind::Text,
        body: body.into(),
        client_id: client_id.map(str::to_owned),
        created_at: Timestamp(5_000),
    }
}
