//! The audit log and API tokens (issue 18): entries appended and paged newest first with each
//! filter and the cursor, retention deletes only what is older and in bounded batches; tokens
//! found by hash only, unique hashes, revocation kept at its first time, last use only raised.

use super::*;
use frontdesk_core::audit::{ActorKind, AuditAction, AuditFilter, NewAuditEntry};
use frontdesk_core::tokens::{NewApiToken, Scope};
use frontdesk_core::{AuditId, TokenId};

fn entry(at: i64, action: AuditAction, site: Option<SiteId>) -> NewAuditEntry {
    NewAuditEntry {
        at: Timestamp(at),
        actor_kind: ActorKind::Agent,
        actor_id: Some(7),
        actor_name: Some("Ada".into()),
        action,
        target: Some("ann@example.com".into()),
        site_id: site,
        ip: Some("203.0.113.9".into()),
        detail: serde_json::json!({"fields": ["name"]}),
    }
}

fn filter(limit: u32) -> AuditFilter {
    AuditFilter {
        limit,
        ..Default::default()
    }
}

#[tokio::test]
async fn audit_entries_page_newest_first_with_filters_and_prune_oldest() {
    let (_keep, s) = fresh().await;
    let stored = s
        .append_audit(entry(10, AuditAction::SignIn, None))
        .await
        .unwrap();
    assert_eq!(stored.detail, serde_json::json!({"fields": ["name"]}));
    assert_eq!(stored.ip.as_deref(), Some("203.0.113.9"));
    s.append_audit(entry(20, AuditAction::AgentCreated, Some(SiteId(3))))
        .await
        .unwrap();
    let mut anon = entry(30, AuditAction::SignInFailed, None);
    anon.actor_kind = ActorKind::Anonymous;
    anon.actor_id = None;
    anon.actor_name = None;
    s.append_audit(anon).await.unwrap();

    let all = s.audit_page(&filter(10)).await.unwrap();
    let ats: Vec<i64> = all.iter().map(|e| e.at.0).collect();
    assert_eq!(ats, [30, 20, 10]);
    assert_eq!(all[2], stored);
    let page = |f: AuditFilter| {
        let s = &s;
        async move {
            s.audit_page(&f)
                .await
                .unwrap()
                .iter()
                .map(|e| e.at.0)
                .collect::<Vec<_>>()
        }
    };
    let one = |mut f: AuditFilter| {
        f.limit = 10;
        f
    };
    assert_eq!(
        page(one(AuditFilter {
            action: Some(AuditAction::AgentCreated),
            ..Default::default()
        }))
        .await,
        [20]
    );
    assert_eq!(
        page(one(AuditFilter {
            actor_kind: Some(ActorKind::Anonymous),
            ..Default::default()
        }))
        .await,
        [30]
    );
    assert_eq!(
        page(one(AuditFilter {
            actor_id: Some(7),
            site_id: Some(SiteId(3)),
            ..Default::default()
        }))
        .await,
        [20]
    );
    assert_eq!(
        page(one(AuditFilter {
            since: Some(Timestamp(20)),
            until: Some(Timestamp(30)),
            ..Default::default()
        }))
        .await,
        [20]
    );
    assert_eq!(page(filter(2)).await, [30, 20]);
    let cursor = AuditFilter {
        before: Some(all[1].id),
        ..filter(2)
    };
    assert_eq!(page(cursor).await, [10]);
    assert_eq!(
        page(AuditFilter {
            before: Some(AuditId(1)),
            ..filter(2)
        })
        .await,
        Vec::<i64>::new()
    );

    // Retention: strictly older than the cutoff, oldest first, at most `limit` per call.
    assert_eq!(s.prune_audit(Timestamp(10), 10).await.unwrap(), 0);
    assert_eq!(s.prune_audit(Timestamp(31), 1).await.unwrap(), 1);
    assert_eq!(page(filter(10)).await, [30, 20]);
    assert_eq!(s.prune_audit(Timestamp(30), 10).await.unwrap(), 1);
    assert_eq!(page(filter(10)).await, [30]);
}

fn new_token(hash: &str, sites: Option<Vec<SiteId>>) -> NewApiToken {
    NewApiToken {
        name: "CRM".into(),
        scopes: vec![Scope::Read, Scope::Write],
        token_hash: hash.into(),
        created_by: AgentId(4),
        created_at: Timestamp(100),
        expires_at: Some(Timestamp(5_000)),
        sites,
    }
}

#[tokio::test]
async fn tokens_are_found_by_hash_revoked_once_and_touched_upwards() {
    let (_keep, s) = fresh().await;
    let t = s
        .create_token(new_token("aa11", Some(vec![SiteId(2), SiteId(5)])))
        .await
        .unwrap();
    assert_eq!(
        (t.scopes.clone(), t.sites.clone(), t.expires_at),
        (
            vec![Scope::Read, Scope::Write],
            Some(vec![SiteId(2), SiteId(5)]),
            Some(Timestamp(5_000))
        )
    );
    assert_eq!((t.last_used_at, t.revoked_at), (None, None));
    assert_eq!(s.token_by_hash("aa11").await.unwrap(), t);
    assert_eq!(s.token(t.id).await.unwrap(), t);
    assert_eq!(s.token_by_hash("bb22").await, Err(StoreError::NotFound));
    assert!(matches!(
        s.create_token(new_token("aa11", None)).await,
        Err(StoreError::Conflict(_))
    ));
    let all_sites = s.create_token(new_token("cc33", None)).await.unwrap();
    assert_eq!(all_sites.sites, None);
    let listed: Vec<TokenId> = s.tokens().await.unwrap().iter().map(|t| t.id).collect();
    assert_eq!(listed, [all_sites.id, t.id]);

    s.touch_token(t.id, Timestamp(200)).await.unwrap();
    s.touch_token(t.id, Timestamp(150)).await.unwrap();
    assert_eq!(
        s.token(t.id).await.unwrap().last_used_at,
        Some(Timestamp(200))
    );
    s.revoke_token(t.id, Timestamp(300)).await.unwrap();
    s.revoke_token(t.id, Timestamp(400)).await.unwrap();
    assert_eq!(
        s.token(t.id).await.unwrap().revoked_at,
        Some(Timestamp(300))
    );
    assert_eq!(
        s.revoke_token(TokenId(999_999), Timestamp(1)).await,
        Err(StoreError::NotFound)
    );
}
