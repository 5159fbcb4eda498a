//! Canned responses' shortcuts: stored and read back, unique among a site's site-wide
//! responses and among one agent's own on a site (an own one may reuse a site-wide one),
//! compared without regard to case.

use super::*;

fn conflict<T: std::fmt::Debug>(r: StoreResult<T>) -> bool {
    matches!(r, Err(StoreError::Conflict(_)))
}

#[tokio::test]
async fn shortcuts_round_trip() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "a").await;
    let ann = agent(&s, "ann@example.com", None).await;
    let hours = s
        .create_canned(a.id, None, "Hours", "9 to 5", Some("hours"))
        .await
        .unwrap();
    assert_eq!(hours.shortcut.as_deref(), Some("hours"));
    assert_eq!(s.canned(hours.id).await.unwrap(), hours);
    let plain = s
        .create_canned(a.id, Some(ann.id), "Plain", "No shortcut", None)
        .await
        .unwrap();
    assert_eq!(plain.shortcut, None);
    let listed = s.canned_for(a.id, ann.id).await.unwrap();
    assert_eq!(listed, vec![hours.clone(), plain.clone()]);

    s.update_canned(hours.id, "Hours", "8 to 6", Some("open"))
        .await
        .unwrap();
    assert_eq!(
        s.canned(hours.id).await.unwrap().shortcut.as_deref(),
        Some("open")
    );
    s.update_canned(hours.id, "Hours", "8 to 6", None)
        .await
        .unwrap();
    assert_eq!(s.canned(hours.id).await.unwrap().shortcut, None);
    // Freed: another one may take it now.
    s.create_canned(a.id, None, "Open", "Yes", Some("open"))
        .await
        .unwrap();
}

#[tokio::test]
async fn shortcuts_are_unique_among_site_wide_and_among_ones_own() {
    let (_keep, s) = fresh().await;
    let (a, b) = (site(&s, "a").await, site(&s, "b").await);
    let ann = agent(&s, "ann@example.com", None).await;
    let bob = agent(&s, "bob@example.com", None).await;
    s.create_canned(a.id, None, "Hours", "9 to 5", Some("hours"))
        .await
        .unwrap();

    // Site-wide: one per site, whatever the case.
    assert!(conflict(
        s.create_canned(a.id, None, "Again", "x", Some("hours"))
            .await
    ));
    assert!(conflict(
        s.create_canned(a.id, None, "Again", "x", Some("HOURS"))
            .await
    ));
    s.create_canned(b.id, None, "Hours on b", "x", Some("hours"))
        .await
        .unwrap();

    // An agent's own may reuse a site-wide shortcut (it shadows it for them), once per site.
    let anns = s
        .create_canned(a.id, Some(ann.id), "My hours", "x", Some("hours"))
        .await
        .unwrap();
    assert!(conflict(
        s.create_canned(a.id, Some(ann.id), "Again", "x", Some("Hours"))
            .await
    ));
    s.create_canned(a.id, Some(bob.id), "Bob's hours", "x", Some("hours"))
        .await
        .unwrap();
    s.create_canned(b.id, Some(ann.id), "Ann's on b", "x", Some("hours"))
        .await
        .unwrap();

    // An update into a taken shortcut conflicts and changes nothing.
    let other = s
        .create_canned(a.id, Some(ann.id), "Other", "y", Some("other"))
        .await
        .unwrap();
    assert!(conflict(
        s.update_canned(other.id, "Other", "changed", Some("hours"))
            .await
    ));
    assert_eq!(s.canned(other.id).await.unwrap(), other);
    // Keeping its own shortcut is no conflict.
    s.update_canned(anns.id, "My hours", "y", Some("hours"))
        .await
        .unwrap();

    // Any number without a shortcut.
    for title in ["One", "Two"] {
        s.create_canned(a.id, None, title, "x", None).await.unwrap();
        s.create_canned(a.id, Some(ann.id), title, "x", None)
            .await
            .unwrap();
    }
    let ann_sees = s.canned_for(a.id, ann.id).await.unwrap();
    let with_hours = ann_sees
        .iter()
        .filter(|c| c.shortcut.as_deref() == Some("hours"))
        .count();
    assert_eq!(
        with_hours, 2,
        "the site-wide one and Ann's own: {ann_sees:?}"
    );
}
