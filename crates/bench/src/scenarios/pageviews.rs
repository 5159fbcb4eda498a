//! Page-view ingest: visitors report page views (batches of 10, then a ping whose pong
//! proves the server has handled them); the server's own counter
//! `frontdesk_page_views_total` says how many were recorded.

use super::Ctx;
use crate::clients;
use crate::report::Better;
use anyhow::Result;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);
const BATCH: u64 = 10;
pub const COUNTER: &str = "frontdesk_page_views_total";

pub async fn run(ctx: &mut Ctx<'_>) -> Result<()> {
    let t = ctx.t;
    let mut visitors = Vec::new();
    for i in 0..ctx.plan.pv_visitors {
        let site = &t.chat_site;
        let src = Some(clients::source(i, 8));
        let (ws, _) = clients::visitor(
            t.visitor_addr(i),
            &site.key,
            &site.origin,
            src,
            None,
            "/",
            WAIT,
        )
        .await?;
        visitors.push(ws);
    }
    let before = t.metric(COUNTER).await?;
    let start = Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(ctx.plan.pv_secs);
    let mut loops = Vec::new();
    for (i, mut ws) in visitors.into_iter().enumerate() {
        let origin = t.chat_site.origin.clone();
        loops.push(tokio::spawn(async move {
            let mut sent = 0u64;
            while tokio::time::Instant::now() < deadline {
                for k in 0..BATCH {
                    let frame = serde_json::json!({
                        "type": "page_view",
                        "page": {"url": format!("{origin}/catalog/{i}/{}", sent + k), "title": "Catalog page"},
                    });
                    clients::send(&mut ws, frame.to_string()).await?;
                }
                sent += BATCH;
                clients::send(&mut ws, r#"{"type":"ping"}"#.into()).await?;
                clients::wait_for(&mut ws, "pong", WAIT, |f| f.kind == "pong").await?;
            }
            Ok::<_, anyhow::Error>((sent, ws))
        }));
    }
    let (mut sent, mut keep) = (0u64, Vec::new());
    for l in loops {
        let (n, ws) = l.await??;
        sent += n;
        keep.push(ws);
    }
    let secs = start.elapsed().as_secs_f64();
    let recorded = t.metric(COUNTER).await? - before;
    drop(keep);
    ctx.ops(recorded, "page view recorded");
    ctx.fig.add(
        "pv.rate",
        "page views recorded",
        "views/s",
        Better::Higher,
        recorded / secs,
    );
    ctx.note(format!(
        "page views: {sent} sent by {} visitors, {recorded} recorded in {secs:.2} s",
        ctx.plan.pv_visitors
    ));
    if recorded as u64 != sent {
        ctx.fail(format!("page views: {sent} sent, {recorded} recorded"));
    }
    Ok(())
}
