//! `frontdesk search rebuild` and `frontdesk search check`: the Archive's full-text index
//! (docs/archive.md). On SQLite they open the data directory's database (stop the server
//! first: the rebuild is one long write); on PostgreSQL (`--database-url`) they run beside
//! the nodes.

use crate::cli::{Cli, SearchCommand, settings};
use crate::startup::open_store;
use anyhow::{Result, bail};
use frontdesk_core::store::StoreError;

pub async fn run(cli: &Cli, cmd: SearchCommand) -> Result<()> {
    let settings = settings(cli, None).map_err(anyhow::Error::msg)?;
    let store = open_store(&settings)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match cmd {
        SearchCommand::Rebuild => {
            let started = std::time::Instant::now();
            let docs = store
                .rebuild_search_index()
                .await
                .map_err(|e| anyhow::anyhow!("rebuild failed: {e}"))?;
            eprintln!(
                "Search index rebuilt: {docs} documents in {:.1} s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        SearchCommand::Check => match store.check_search_index().await {
            Ok(()) => {
                eprintln!("Search index OK.");
                Ok(())
            }
            Err(StoreError::Conflict(what)) => {
                bail!("{what}; run `frontdesk search rebuild`")
            }
            Err(e) => bail!("cannot check the search index: {e}"),
        },
    }
}
