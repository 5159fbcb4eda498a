//! Reports (issue 15) through the real API: a fixed set of chats with known answers for every
//! figure (`figures.rs`), the rollups' catch-up after changes the task did not see
//! (`catch_up.rs`), and who may read a report (`access.rs`).

mod access;
mod catch_up;
mod figures;
mod speed;

use crate::helpers::*;
use crate::rest::ok_json;
use frontdesk_core::Timestamp;
use serde_json::Value;

/// An instant given as RFC 3339.
pub(crate) fn ts(s: &str) -> Timestamp {
    let t: jiff::Timestamp = s.parse().expect("test timestamp");
    Timestamp(t.as_millisecond())
}

/// Sets the test clock's wall time.
pub(crate) fn at(app: &TestApp, s: &str) {
    app.clock.set(ts(s));
}

/// `GET /api/reports?{query}` as `who`, expecting 200.
pub(crate) async fn report(who: &AgentClient, query: &str) -> Value {
    ok_json(who.get(&format!("/api/reports?{query}")).await, 200).await
}

/// `GET /api/reports.csv?{query}` as `who`, expecting 200 and CSV.
pub(crate) async fn csv(who: &AgentClient, query: &str) -> String {
    let resp = who.get(&format!("/api/reports.csv?{query}")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    resp.text().await.expect("csv")
}
