//! `frontdesk search check` and `frontdesk search rebuild` as real processes (issue 15): a
//! damaged index is found, rebuilt from the stored text, and searched again. SQLite: on the
//! stopped data directory; cluster backend: on the PostgreSQL database.

use crate::helpers::*;
use frontdesk_core::archive::ArchiveQuery;
use frontdesk_core::ids::*;
use frontdesk_core::model::*;
use frontdesk_core::search::SearchQuery;
use std::process::Command;

fn frontdesk(store: &[String], args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(store)
        .args(args)
        .env("FRONTDESK_LOG", "warn")
        .output()
        .expect("frontdesk runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn search(site: SiteId, text: &str) -> ArchiveQuery {
    ArchiveQuery {
        sites: vec![site],
        agent: None,
        from: None,
        to: None,
        state: None,
        tag: None,
        rating: None,
        search: SearchQuery::parse(text).ok(),
        cursor: None,
        limit: 10,
    }
}

#[tokio::test]
async fn a_damaged_search_index_is_checked_and_rebuilt_by_the_cli() {
    let mut app = TestApp::spawn().await;
    let site = app.site_at("Shop", "https://shop.example", "UTC").await;
    let chat = app
        .store()
        .create_chat(NewChat {
            site_id: site.id,
            visitor_id: VisitorId("v1".into()),
            visit_id: None,
            visitor_name: None,
            visitor_email: None,
            page_url: None,
            department_id: None,
            created_at: app.now(),
        })
        .await
        .expect("chat");
    app.store()
        .append_message(NewMessage {
            chat_id: chat.id,
            author: Author::Visitor,
            author_name: None,
            kind: MessageKind::Text,
            body: "Where is my invoice?".into(),
            client_id: None,
            created_at: app.now(),
            file: None,
        })
        .await
        .expect("message");
    let args = app.store_args();
    let settings = app.settings.clone();
    app.running.take().expect("running").stop().await;

    // Damage the index behind the server's back.
    match &settings.database_url {
        None => {
            rusqlite::Connection::open(settings.database_path())
                .expect("open")
                .execute("INSERT INTO search (search) VALUES ('delete-all')", [])
                .expect("damage");
        }
        Some(url) => {
            let pg = frontdesk_store_postgres::PgStore::connect(url, Default::default())
                .await
                .expect("pg");
            pg.client()
                .await
                .expect("client")
                .execute("UPDATE messages SET search = NULL", &[])
                .await
                .expect("damage");
        }
    }

    let (ok, err) = frontdesk(&args, &["search", "check"]);
    assert!(!ok, "the damage is found: {err}");
    assert!(err.contains("frontdesk search rebuild"), "{err}");
    let (ok, err) = frontdesk(&args, &["search", "rebuild"]);
    assert!(ok, "{err}");
    assert!(err.contains("Search index rebuilt"), "{err}");
    let (ok, err) = frontdesk(&args, &["search", "check"]);
    assert!(ok, "{err}");

    let store = frontdesk::startup::open_store(&settings)
        .await
        .expect("store");
    let (found, _) = store
        .archive_page(&search(site.id, "invoice"))
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0.id, chat.id);
}
