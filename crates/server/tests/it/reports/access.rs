//! Who may read a report: admins and supervisors of the site; an agent who is neither gets
//! 403 `forbidden`, a supervisor of site A cannot report on B; periods over the caps are
//! refused with `too_long`.

use super::report;
use crate::helpers::*;
use crate::rest::assert_error;

#[tokio::test]
async fn only_admins_and_supervisors_of_the_site_read_its_report() {
    let app = TestApp::spawn().await;
    let a = app.site().await;
    let b = app.site().await;
    let agent = app.agent("Carl").await;
    assert_error(
        agent.get(&format!("/api/reports?site={}", a.id.0)).await,
        403,
        "forbidden",
    )
    .await;
    assert_error(agent.get("/api/reports").await, 403, "forbidden").await;
    assert_error(
        agent
            .get(&format!("/api/reports.csv?site={}&chart=volume", a.id.0))
            .await,
        403,
        "forbidden",
    )
    .await;

    let sup = app.agent_with("Sue", false, Some(vec![a.id, b.id])).await;
    app.store()
        .set_supervisor(sup.id, a.id, true)
        .await
        .expect("supervisor");
    let r = report(&sup, &format!("site={}", a.id.0)).await;
    assert_eq!(r["site_id"], a.id.0);
    assert_eq!(
        r["series"].as_array().map(Vec::len),
        Some(7),
        "7 days by default"
    );
    assert_error(
        sup.get(&format!("/api/reports?site={}", b.id.0)).await,
        403,
        "forbidden",
    )
    .await;
    // "All sites" for her is site A only.
    let all = report(&sup, "period=30d").await;
    assert!(all.get("site_id").is_none());
    assert_eq!(all["series"].as_array().map(Vec::len), Some(30));

    let admin = app.agent_with("Ada", true, None).await;
    report(&admin, &format!("site={}&period=today", b.id.0)).await;
    for (q, status, code) in [
        ("from=2025-01-01&to=2026-12-31", 400, "too_long"),
        (
            "from=2026-01-01&to=2026-03-01&granularity=hour",
            400,
            "too_long",
        ),
        ("from=2026-03-01&to=2026-01-01", 400, "bad_request"),
        ("period=forever", 400, "bad_request"),
        ("from=yesterday&to=2026-01-01", 400, "bad_request"),
        ("tz=Mars/Olympus", 400, "bad_request"),
        ("site=x", 400, "bad_request"),
    ] {
        assert_error(admin.get(&format!("/api/reports?{q}")).await, status, code).await;
    }
    assert_error(
        admin.get("/api/reports.csv?chart=pie").await,
        400,
        "bad_request",
    )
    .await;
    assert_error(admin.get("/api/reports.csv").await, 400, "bad_request").await;
}
