//! The dump (`frontdesk export` / `frontdesk import`): a database exported, imported into an
//! empty one and exported again gives the very same file; an import refuses a database that
//! already has data and keeps nothing of a broken file.

use super::*;
use frontdesk_core::{ChatState, EndReason};

#[tokio::test]
async fn export_import_export_gives_the_same_file() {
    let (keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let a = agent(&s, "ann@example.com", Some(vec![site.id])).await;
    let c = chat(&s, site.id, "v1", 10).await;
    s.append_message(text(c.id, "hello", Some("c1")))
        .await
        .unwrap();
    s.create_canned(site.id, Some(a.id), "Hi", "Hello!", None)
        .await
        .unwrap();
    s.secret("key", vec![0, 7, 255]).await.unwrap();
    // A rated chat: the rating travels with its chat.
    let rated = chat(&s, site.id, "v2", 20).await;
    let active = s
        .update_chat_state(
            rated.id,
            rated.version,
            ChatState::Active { agent: a.id },
            Timestamp(21),
        )
        .await
        .unwrap()
        .unwrap();
    s.update_chat_state(
        rated.id,
        active.version,
        ChatState::Ended {
            reason: EndReason::Visitor,
        },
        Timestamp(22),
    )
    .await
    .unwrap()
    .unwrap();
    let rated = s
        .rate_chat(rated.id, 5, Some("Quick"), Timestamp(23), 600_000)
        .await
        .unwrap()
        .unwrap();
    assert!(rated.rating.is_some());
    // The audit log and API tokens (JSON columns, NULLs).
    s.append_audit(frontdesk_core::audit::NewAuditEntry {
        at: Timestamp(24),
        actor_kind: frontdesk_core::audit::ActorKind::Agent,
        actor_id: Some(a.id.0),
        actor_name: Some("Ann".into()),
        action: frontdesk_core::audit::AuditAction::SiteUpdated,
        target: Some("shop".into()),
        site_id: Some(site.id),
        ip: None,
        detail: serde_json::json!({"fields": ["name"]}),
    })
    .await
    .unwrap();
    for (hash, sites) in [("h1", None), ("h2", Some(vec![site.id]))] {
        s.create_token(frontdesk_core::tokens::NewApiToken {
            name: "CRM".into(),
            scopes: vec![frontdesk_core::tokens::Scope::Read],
            token_hash: hash.into(),
            created_by: a.id,
            created_at: Timestamp(25),
            expires_at: None,
            sites,
        })
        .await
        .unwrap();
    }
    drop(s);
    let files = tempfile::tempdir().unwrap();
    let (first, second) = (files.path().join("1.jsonl"), files.path().join("2.jsonl"));
    let rows = dump_export(&keep, &first).await.unwrap();
    assert!(rows >= 7, "{rows} rows");

    let (other, s) = fresh().await;
    drop(s);
    assert_eq!(dump_import(&other, &first).await.unwrap(), rows);
    assert_eq!(dump_export(&other, &second).await.unwrap(), rows);
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        std::fs::read_to_string(&second).unwrap()
    );
    let err = dump_import(&other, &first).await.unwrap_err();
    assert!(matches!(err, DumpError::NotEmpty), "{err:?}");

    // The imported data serves, and new ids continue after the imported ones.
    let s = reopen(&other).await.unwrap();
    assert_eq!(s.messages_after(c.id, Seq(0), 10).await.unwrap().len(), 1);
    assert_eq!(s.chat(rated.id).await.unwrap().rating, rated.rating);
    assert_eq!(s.secret("key", vec![1]).await.unwrap(), vec![0, 7, 255]);
    assert!(self::site(&s, "later").await.id > site.id);
}

#[tokio::test]
async fn a_broken_file_keeps_nothing() {
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("broken.jsonl");
    let site = r#"{"table":"sites","row":{"id":1,"key":"shop","name":"Shop","base_url":"https://shop.example","timezone":"UTC","allowed_origins":[],"email":null,"created_at":1}}"#;
    std::fs::write(
        &file,
        format!(
            "{{\"frontdesk_export\":1,\"schema\":1}}\n{site}\n{{\"table\":\"nope\",\"row\":{{}}}}\n"
        ),
    )
    .unwrap();
    let (keep, s) = fresh().await;
    drop(s);
    let err = dump_import(&keep, &file).await.unwrap_err();
    assert_eq!(err.to_string(), "line 3: unknown table");
    let s = reopen(&keep).await.unwrap();
    assert!(s.list_sites().await.unwrap().is_empty());
}
