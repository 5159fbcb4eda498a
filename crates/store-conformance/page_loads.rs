//! A visitor's hello and page views, each one write: visit continued or started, page view
//! added, open chat read in the same transaction.

use super::*;
use frontdesk_core::{ChatState, EndReason};

fn load(site: SiteId, visitor: &str, at: i64, url: &str) -> PageLoad {
    PageLoad {
        visit: NewVisit {
            site_id: site,
            visitor_id: VisitorId(visitor.into()),
            ip: "198.51.100.7".into(),
            user_agent: "Mozilla/5.0".into(),
            browser: "Firefox 140".into(),
            os: "Linux".into(),
            referrer: Some("https://search.example/".into()),
            location: Location {
                country: None,
                country_code: None,
                region: None,
                city: None,
            },
            started_at: Timestamp(at),
            language: Some("pt".into()),
        },
        visit_timeout_ms: 1_000,
        url: url.into(),
        title: format!("Title of {url}"),
    }
}

#[tokio::test]
async fn hello_records_visitor_visit_and_page_in_one_write() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let v = VisitorId("v1".into());
    let (visitor, loaded) = s
        .visitor_hello(load(site.id, "v1", 10_000, "https://shop.example/"))
        .await
        .unwrap();
    assert_eq!(
        (visitor.id.clone(), visitor.first_seen, visitor.last_seen),
        (v.clone(), Timestamp(10_000), Timestamp(10_000))
    );
    assert_eq!(loaded.open_chat, None);
    let visit = loaded.visit;
    assert_eq!(
        (visit.started_at, visit.last_seen),
        (Timestamp(10_000), Timestamp(10_000))
    );
    assert_eq!(visit.referrer.as_deref(), Some("https://search.example/"));
    assert_eq!(
        visit.language.as_deref(),
        Some("pt"),
        "the widget's language"
    );
    assert_eq!(s.visitor(site.id, &v).await.unwrap(), visitor);
    assert_eq!(
        s.latest_visit(site.id, &v).await.unwrap(),
        Some(visit.clone())
    );
    let pages = s.page_views(visit.id).await.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].url, "https://shop.example/");
    assert_eq!(pages[0].title, "Title of https://shop.example/");

    // A known visitor saying hello again within the timeout continues the visit.
    let (again, loaded) = s
        .visitor_hello(load(site.id, "v1", 10_500, "https://shop.example/a"))
        .await
        .unwrap();
    assert_eq!(
        (again.first_seen, again.last_seen),
        (Timestamp(10_000), Timestamp(10_500))
    );
    assert_eq!(loaded.visit.id, visit.id);
    assert_eq!(loaded.visit.last_seen, Timestamp(10_500));

    assert_eq!(
        s.visitor_hello(load(SiteId(999), "v1", 1, "https://x.example/"))
            .await
            .map(|_| ()),
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn page_load_continues_the_visit_until_the_timeout() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let v = VisitorId("v1".into());
    let (_, first) = s
        .visitor_hello(load(site.id, "v1", 10_000, "https://shop.example/1"))
        .await
        .unwrap();
    // Within the timeout (1 s after the last page): same visit, last_seen moves on.
    let second = s
        .record_page_load(load(site.id, "v1", 11_000, "https://shop.example/2"))
        .await
        .unwrap();
    assert_eq!(second.visit.id, first.visit.id);
    assert_eq!(second.visit.last_seen, Timestamp(11_000));
    assert_eq!(s.visit(first.visit.id).await.unwrap(), second.visit);
    // Idle longer than the timeout: a new visit, with this page's referrer.
    let mut late = load(site.id, "v1", 12_001, "https://shop.example/3");
    late.visit.referrer = None;
    let third = s.record_page_load(late).await.unwrap();
    assert_ne!(third.visit.id, first.visit.id);
    assert_eq!(
        (third.visit.started_at, third.visit.referrer.clone()),
        (Timestamp(12_001), None)
    );
    let urls = |pages: Vec<PageView>| pages.into_iter().map(|p| p.url).collect::<Vec<_>>();
    assert_eq!(
        urls(s.page_views(first.visit.id).await.unwrap()),
        vec!["https://shop.example/1", "https://shop.example/2"]
    );
    assert_eq!(
        urls(s.page_views(third.visit.id).await.unwrap()),
        vec!["https://shop.example/3"]
    );
    // "Pages viewed" counts a visit's page views (none for an unknown visit).
    assert_eq!(s.count_page_views(first.visit.id).await.unwrap(), 2);
    assert_eq!(s.count_page_views(third.visit.id).await.unwrap(), 1);
    assert_eq!(s.count_page_views(VisitId(999_999)).await.unwrap(), 0);
    let visits = s.visits_of(site.id, &v, 10).await.unwrap();
    assert_eq!(visits.len(), 2);
    assert_eq!(visits[0].id, third.visit.id);
    assert_eq!(
        s.record_page_load(load(SiteId(999), "v1", 1, "https://x.example/"))
            .await
            .map(|_| ()),
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn page_load_returns_the_open_chat_only_while_it_is_open() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    s.visitor_hello(load(site.id, "v1", 10_000, "https://shop.example/"))
        .await
        .unwrap();
    let c = chat(&s, site.id, "v1", 10_100).await;
    let _other = chat(&s, site.id, "v2", 10_100).await;
    let loaded = s
        .record_page_load(load(site.id, "v1", 10_200, "https://shop.example/b"))
        .await
        .unwrap();
    assert_eq!(loaded.open_chat, Some(c.clone()));
    let (_, hello) = s
        .visitor_hello(load(site.id, "v1", 10_300, "https://shop.example/c"))
        .await
        .unwrap();
    assert_eq!(hello.open_chat, Some(c.clone()));
    let ended = ChatState::Ended {
        reason: EndReason::Visitor,
    };
    s.update_chat_state(c.id, c.version, ended, Timestamp(10_400))
        .await
        .unwrap()
        .unwrap();
    let loaded = s
        .record_page_load(load(site.id, "v1", 10_500, "https://shop.example/d"))
        .await
        .unwrap();
    assert_eq!(loaded.open_chat, None);
}

/// Many page loads at once (the SQLite store runs those of one group commit together, with one
/// multi-row insert): every page view is recorded in its visit, each load gets its own visit
/// back, and one failing load (an unknown site) costs no other its page view.
#[tokio::test]
async fn page_loads_at_once_are_all_recorded() {
    let (_keep, s) = fresh().await;
    let site = site(&s, "shop").await;
    let mut first = Vec::new();
    for v in 0..8 {
        let (_, loaded) = s
            .visitor_hello(load(
                site.id,
                &format!("v{v}"),
                10_000,
                "https://shop.example/",
            ))
            .await
            .unwrap();
        first.push(loaded.visit.id);
    }
    let s = std::sync::Arc::new(s);
    let mut tasks = Vec::new();
    for v in 0..8 {
        for p in 0..12 {
            let s = s.clone();
            let url = format!("https://shop.example/{v}/{p}");
            let at = 10_100 + p;
            tasks.push(tokio::spawn(async move {
                s.record_page_load(load(site.id, &format!("v{v}"), at, &url))
                    .await
            }));
        }
    }
    let bad = {
        let s = s.clone();
        tokio::spawn(async move {
            s.record_page_load(load(SiteId(999), "v0", 10_100, "https://x.example/"))
                .await
        })
    };
    for (i, t) in tasks.into_iter().enumerate() {
        let loaded = t.await.unwrap().unwrap();
        assert_eq!(
            loaded.visit.id,
            first[i / 12],
            "load {i} continued its visit"
        );
        assert_eq!(loaded.open_chat, None);
    }
    assert_eq!(bad.await.unwrap().map(|_| ()), Err(StoreError::NotFound));
    for (v, visit) in first.iter().enumerate() {
        let mut urls: Vec<String> = s
            .page_views(*visit)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.url)
            .collect();
        urls.sort();
        let mut want: Vec<String> = (0..12)
            .map(|p| format!("https://shop.example/{v}/{p}"))
            .chain(["https://shop.example/".to_string()])
            .collect();
        want.sort();
        assert_eq!(urls, want, "visitor v{v}");
        assert_eq!(
            s.visit(*visit).await.unwrap().last_seen,
            Timestamp(10_111),
            "the latest page's time"
        );
    }
}
