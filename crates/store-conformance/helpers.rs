//! Builders both store test binaries use: a site, an agent, a chat, a visitor's text message.
//! They work on the binary's `Store` (its backend's store type).

use super::*;

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

pub async fn site(s: &Store, key: &str) -> Site {
    s.create_site(new_site(key), Timestamp(1_000))
        .await
        .unwrap()
}

pub async fn agent(s: &Store, email: &str, sites: Option<Vec<SiteId>>) -> Agent {
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
        department_id: None,
        created_at: Timestamp(at),
    }
}

pub async fn chat(s: &Store, site: SiteId, visitor: &str, at: i64) -> Chat {
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
        file: None,
    }
}
