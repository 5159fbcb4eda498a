//! Visitors, visits, page views, canned responses, blocks, offline messages.

use super::*;

fn new_visit(site: SiteId, visitor: &str, at: i64) -> NewVisit {
    NewVisit {
        site_id: site,
        visitor_id: VisitorId(visitor.into()),
        ip: "203.0.113.9".into(),
        user_agent: "Mozilla/5.0".into(),
        browser: "Firefox 140".into(),
        os: "Linux".into(),
        referrer: Some("https://search.example/?q=shoes".into()),
        location: Location {
            country: Some("Germany".into()),
            country_code: Some("DE".into()),
            region: None,
            city: Some("Berlin".into()),
        },
        started_at: Timestamp(at),
        language: Some("de".into()),
    }
}

#[tokio::test]
async fn touch_visitor_upserts() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let v = VisitorId("v1".into());
    let first = s.touch_visitor(site.id, &v, Timestamp(10)).await.unwrap();
    assert_eq!(
        (first.first_seen, first.last_seen),
        (Timestamp(10), Timestamp(10))
    );
    let later = s.touch_visitor(site.id, &v, Timestamp(20)).await.unwrap();
    assert_eq!(
        (later.first_seen, later.last_seen),
        (Timestamp(10), Timestamp(20))
    );
    // A late, out-of-order touch does not move last_seen back.
    let late = s.touch_visitor(site.id, &v, Timestamp(15)).await.unwrap();
    assert_eq!(late.last_seen, Timestamp(20));
    assert_eq!(s.visitor(site.id, &v).await.unwrap(), late);
    assert_eq!(
        s.visitor(site.id, &VisitorId("v2".into())).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.touch_visitor(SiteId(999), &v, Timestamp(1)).await,
        Err(StoreError::NotFound)
    );

    s.set_visitor_identity(site.id, &v, Some("Vera"), None)
        .await
        .unwrap();
    s.set_visitor_identity(site.id, &v, None, Some("vera@example.com"))
        .await
        .unwrap();
    let named = s.visitor(site.id, &v).await.unwrap();
    assert_eq!(named.name.as_deref(), Some("Vera"));
    assert_eq!(named.email.as_deref(), Some("vera@example.com"));
    assert_eq!(
        s.set_visitor_identity(site.id, &VisitorId("nobody".into()), Some("x"), None)
            .await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn visits_and_page_views() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let v = VisitorId("v1".into());
    assert_eq!(s.latest_visit(site.id, &v).await.unwrap(), None);
    let v1 = s.create_visit(new_visit(site.id, "v1", 100)).await.unwrap();
    assert_eq!(v1.last_seen, Timestamp(100));
    assert_eq!(v1.location.city.as_deref(), Some("Berlin"));
    assert_eq!(v1.language.as_deref(), Some("de"), "the widget's language");
    assert_eq!(
        s.visit(v1.id).await.unwrap().language.as_deref(),
        Some("de")
    );
    let v2 = s.create_visit(new_visit(site.id, "v1", 200)).await.unwrap();
    let v3 = s.create_visit(new_visit(site.id, "v1", 200)).await.unwrap();
    s.create_visit(new_visit(site.id, "other", 300))
        .await
        .unwrap();
    assert_eq!(s.latest_visit(site.id, &v).await.unwrap(), Some(v3.clone()));
    let ids: Vec<VisitId> = s
        .visits_of(site.id, &v, 10)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(ids, vec![v3.id, v2.id, v1.id], "newest first");
    assert_eq!(s.visits_of(site.id, &v, 2).await.unwrap().len(), 2);

    s.touch_visit(v1.id, Timestamp(150)).await.unwrap();
    s.touch_visit(v1.id, Timestamp(140)).await.unwrap();
    assert_eq!(s.visit(v1.id).await.unwrap().last_seen, Timestamp(150));
    assert_eq!(
        s.touch_visit(VisitId(999), Timestamp(1)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(s.visit(VisitId(999)).await, Err(StoreError::NotFound));

    let view = |url: &str, at: i64| PageView {
        visit_id: v1.id,
        url: url.into(),
        title: format!("Title of {url}"),
        viewed_at: Timestamp(at),
    };
    s.add_page_view(view("/b", 120)).await.unwrap();
    s.add_page_view(view("/a", 110)).await.unwrap();
    s.add_page_view(view("/c", 120)).await.unwrap();
    let urls: Vec<String> = s
        .page_views(v1.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.url)
        .collect();
    assert_eq!(urls, vec!["/a", "/b", "/c"]);
    assert!(s.page_views(v2.id).await.unwrap().is_empty());
    let orphan = PageView {
        visit_id: VisitId(999),
        ..view("/x", 1)
    };
    assert_eq!(s.add_page_view(orphan).await, Err(StoreError::NotFound));
}

#[tokio::test]
async fn canned_responses_site_wide_plus_own() {
    let (_keep, s) = fresh().await;
    let (a, b) = (site(&s, "a").await, site(&s, "b").await);
    let ann = agent(&s, "ann@example.com", None).await;
    let bob = agent(&s, "bob@example.com", None).await;
    let shared = s
        .create_canned(a.id, None, "Hello", "Hi, how can I help?", None)
        .await
        .unwrap();
    let mine = s
        .create_canned(a.id, Some(ann.id), "bye", "Bye!", None)
        .await
        .unwrap();
    s.create_canned(a.id, Some(bob.id), "Bob's", "...", None)
        .await
        .unwrap();
    s.create_canned(b.id, None, "Other site", "...", None)
        .await
        .unwrap();
    s.create_canned(b.id, Some(ann.id), "Mine elsewhere", "...", None)
        .await
        .unwrap();
    let ids: Vec<CannedId> = s
        .canned_for(a.id, ann.id)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, vec![mine.id, shared.id], "by title, case-insensitive");
    assert_eq!(s.canned(shared.id).await.unwrap(), shared);
    s.update_canned(shared.id, "Hello!", "Hi there", None)
        .await
        .unwrap();
    let updated = s.canned(shared.id).await.unwrap();
    assert_eq!(
        (updated.title.as_str(), updated.body.as_str()),
        ("Hello!", "Hi there")
    );
    s.delete_canned(mine.id).await.unwrap();
    assert_eq!(s.canned(mine.id).await, Err(StoreError::NotFound));
    assert_eq!(s.delete_canned(mine.id).await, Err(StoreError::NotFound));
    assert_eq!(
        s.update_canned(mine.id, "x", "y", None).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.create_canned(SiteId(999), None, "x", "y", None).await,
        Err(StoreError::NotFound)
    );
}

fn new_block(site: SiteId, visitor: &str, ip: Option<&str>, until: i64) -> NewBlock {
    NewBlock {
        site_id: site,
        visitor_id: VisitorId(visitor.into()),
        ip: ip.map(str::to_owned),
        chat_id: Some(ChatId(1)),
        blocked_by: AgentId(7),
        created_at: Timestamp(until - 100),
        until: Timestamp(until),
    }
}

#[tokio::test]
async fn active_block_by_visitor_or_ip() {
    let (_keep, s) = fresh().await;
    let (a, b) = (site(&s, "a").await, site(&s, "b").await);
    let v1 = VisitorId("v1".into());
    let blk = s
        .create_block(new_block(a.id, "v1", Some("198.51.100.1"), 1_000))
        .await
        .unwrap();
    assert_eq!(s.block(blk.id).await.unwrap(), blk);
    assert!(!blk.lifted);

    let found = |site: SiteId, visitor: &str, ip: Option<&'static str>, now: i64| {
        let s = s.clone();
        let visitor = VisitorId(visitor.into());
        async move {
            s.active_block(site, &visitor, ip, Timestamp(now))
                .await
                .unwrap()
                .map(|b| b.id)
        }
    };
    assert_eq!(
        found(a.id, "v1", None, 500).await,
        Some(blk.id),
        "by visitor"
    );
    assert_eq!(
        found(a.id, "v2", Some("198.51.100.1"), 500).await,
        Some(blk.id),
        "by IP"
    );
    assert_eq!(found(a.id, "v2", Some("198.51.100.2"), 500).await, None);
    assert_eq!(found(a.id, "v2", None, 500).await, None);
    assert_eq!(
        found(a.id, "v1", None, 1_000).await,
        None,
        "expired at `until`"
    );
    assert_eq!(
        found(b.id, "v1", Some("198.51.100.1"), 500).await,
        None,
        "other site"
    );

    // A visitor-only block does not match other visitors without an IP.
    let no_ip = s
        .create_block(new_block(a.id, "v3", None, 2_000))
        .await
        .unwrap();
    assert_eq!(
        found(a.id, "v3", Some("192.0.2.1"), 500).await,
        Some(no_ip.id)
    );
    assert_eq!(found(a.id, "v4", None, 500).await, None);

    let listed: Vec<BlockId> = s
        .blocks_of_site(a.id, Timestamp(500))
        .await
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(listed, vec![no_ip.id, blk.id], "newest first");
    assert_eq!(
        s.blocks_of_site(a.id, Timestamp(1_500))
            .await
            .unwrap()
            .len(),
        1
    );

    s.lift_block(blk.id).await.unwrap();
    assert!(s.block(blk.id).await.unwrap().lifted);
    assert_eq!(
        s.active_block(a.id, &v1, None, Timestamp(500))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.blocks_of_site(a.id, Timestamp(500)).await.unwrap().len(),
        1
    );
    assert_eq!(s.lift_block(BlockId(999)).await, Err(StoreError::NotFound));
    assert_eq!(s.block(BlockId(999)).await, Err(StoreError::NotFound));
}

#[tokio::test]
async fn offline_messages_newest_first() {
    let (_keep, s) = fresh().await;
    let (a, b) = (site(&s, "a").await, site(&s, "b").await);
    let msg = |site: SiteId, at: i64| NewOfflineMessage {
        site_id: site,
        visitor_id: Some(VisitorId("v1".into())),
        name: "Vera".into(),
        email: "vera@example.com".into(),
        body: format!("left at {at}"),
        page_url: None,
        created_at: Timestamp(at),
    };
    let m1 = s.create_offline_message(msg(a.id, 10)).await.unwrap();
    let m2 = s.create_offline_message(msg(a.id, 20)).await.unwrap();
    s.create_offline_message(msg(b.id, 30)).await.unwrap();
    assert_eq!(
        s.offline_messages(a.id, 10).await.unwrap(),
        vec![m2.clone(), m1]
    );
    assert_eq!(s.offline_messages(a.id, 1).await.unwrap(), vec![m2]);
    assert_eq!(
        s.create_offline_message(msg(SiteId(999), 1)).await,
        Err(StoreError::NotFound)
    );
}

/// "Invitation rules" (migration 0012): one automatic invitation per visit, none after a
/// dismissal; a new visit starts clean.
#[tokio::test]
async fn a_visit_records_one_automatic_invitation_and_a_dismissal() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let visit = s.create_visit(new_visit(site.id, "v1", 10)).await.unwrap();
    assert_eq!(visit.auto_invitation, None);
    assert!(!visit.invitation_dismissed);
    assert_eq!(
        s.mark_auto_invitation(visit.id, "Checkout help").await,
        Ok(true)
    );
    assert_eq!(s.mark_auto_invitation(visit.id, "Other").await, Ok(false));
    let read = s.visit(visit.id).await.unwrap();
    assert_eq!(read.auto_invitation.as_deref(), Some("Checkout help"));
    assert!(!read.invitation_dismissed);

    let other = s.create_visit(new_visit(site.id, "v2", 20)).await.unwrap();
    s.mark_invitation_dismissed(other.id).await.unwrap();
    s.mark_invitation_dismissed(other.id).await.unwrap();
    assert_eq!(
        s.mark_auto_invitation(other.id, "Checkout help").await,
        Ok(false)
    );
    let read = s.visit(other.id).await.unwrap();
    assert!(read.invitation_dismissed);
    assert_eq!(read.auto_invitation, None);
    let latest = s
        .latest_visit(site.id, &VisitorId("v2".into()))
        .await
        .unwrap()
        .unwrap();
    assert!(latest.invitation_dismissed);

    let next = s.create_visit(new_visit(site.id, "v2", 30)).await.unwrap();
    assert!(!next.invitation_dismissed);
    assert_eq!(
        s.mark_auto_invitation(VisitId(999_999), "x").await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.mark_invitation_dismissed(VisitId(999_999)).await,
        Err(StoreError::NotFound)
    );
}
