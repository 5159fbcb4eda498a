//! What every backend keeps across a restart: data survives closing and opening again, a
//! newer schema than this build knows is refused, and the smallest pools still serve.

use super::*;

fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}

#[test]
fn store_is_send_sync_clone() {
    assert_send_sync_clone::<Store>();
}

#[tokio::test]
async fn data_survives_close_and_reopen() {
    let (keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    agent(&s, "ann@example.com", None).await;
    let c = chat(&s, site.id, "v1", 10).await;
    for i in 0..5 {
        s.append_message(text(c.id, &format!("m{i}"), None))
            .await
            .unwrap();
    }
    assert_eq!(s.secret("key", vec![7; 32]).await.unwrap(), vec![7; 32]);
    // Closed here (on SQLite: writer thread joined, connections closed).
    drop(s);
    let s = reopen(&keep).await.unwrap();
    assert_eq!(s.site(site.id).await.unwrap().key, SiteKey("shop".into()));
    assert!(s.agent_by_email("ann@example.com").await.is_ok());
    assert_eq!(s.messages_after(c.id, Seq(0), 100).await.unwrap().len(), 5);
    assert_eq!(s.chat(c.id).await.unwrap().last_seq, Seq(5));
    let next = s
        .append_message(text(c.id, "after reopen", None))
        .await
        .unwrap();
    assert_eq!(next.message.seq, Seq(6));
    assert_eq!(s.secret("key", vec![1; 32]).await.unwrap(), vec![7; 32]);
}

#[tokio::test]
async fn newer_schema_is_refused() {
    let (keep, s) = fresh().await;
    drop(s);
    record_schema_version(&keep, 99).await;
    let err = reopen(&keep).await.unwrap_err();
    assert!(
        matches!(
            err,
            OpenError::TooNew {
                found: 99,
                known: 5
            }
        ),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tiny_pools_still_work() {
    let (_keep, s) = fresh_tiny().await;
    let site = site(&s, "shop").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.create_chat(new_chat(site.id, &format!("v{i}"), i))
                .await
                .unwrap();
            s.open_chats(&[site.id]).await.unwrap().len()
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap() >= 1);
    }
}
