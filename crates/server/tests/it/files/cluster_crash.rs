//! kill -9 of a cluster node (a real `frontdesk serve` process on PostgreSQL + Redis) during
//! uploads: every acknowledged file is in PostgreSQL with its bytes and its message, and no
//! file row is left without its message (the row, the bytes and the message are one
//! transaction). Runs in both passes of the suite: it makes its own cluster.

use super::crash::{every_acknowledged_file_is_there, uploads_killed_midway};
use crate::backend::ClusterEnv;
use crate::cluster_kill::{Node, provision_in};
use frontdesk_core::store::ChatStore;
use frontdesk_store_postgres::{PgOptions, PgStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_a_cluster_node_during_uploads_loses_no_acknowledged_file() {
    let env = ClusterEnv::create().await;
    let store = PgStore::connect(env.db.url(), PgOptions::default())
        .await
        .expect("database");
    let (site, _) = provision_in(&store, &[]).await;
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("frontdesk.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nredis_prefix = {:?}\n\n[limits]\n\
             file_uploads = {{ per_minute = 1000000, burst = 100000 }}\n",
            dir.path().display().to_string(),
            env.prefix
        ),
    )
    .expect("config");
    let node = Node::spawn(&env, &config).await;
    let addr = node.addr.to_string();
    let acked = uploads_killed_midway(&addr, &site.key.0, &site.base_url, node.kill9()).await;
    let chat = store.open_chats(&[site.id]).await.expect("chats")[0].id;
    every_acknowledged_file_is_there(&store, chat, &acked).await;
}
