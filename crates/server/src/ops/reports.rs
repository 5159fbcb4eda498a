//! `frontdesk reports rebuild`: recompute every hourly rollup of the reports from the raw rows
//! (the same recompute the reports task runs; safe while the server runs, since each hour is
//! saved only while its dirty mark is unchanged).

use crate::cli::{Cli, ReportsCommand, settings};
use anyhow::Result;
use std::time::Instant;

pub async fn run(cli: &Cli, cmd: &ReportsCommand) -> Result<()> {
    let ReportsCommand::Rebuild { json } = cmd;
    let s = settings(cli, None).map_err(anyhow::Error::msg)?;
    let store = crate::startup::open_store(&s).await?;
    let started = Instant::now();
    let hours = crate::services::reports::rebuild(store.as_ref())
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let ms = started.elapsed().as_millis();
    if *json {
        println!("{}", serde_json::json!({"hours": hours, "ms": ms}));
    } else {
        println!("Rebuilt the report rollups of {hours} hours in {ms} ms.");
    }
    Ok(())
}
