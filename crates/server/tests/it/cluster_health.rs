//! `/readyz` of a cluster node follows its Redis as well as its database: a load balancer
//! stops sending clients to a node that cannot exchange events with the others, and sends
//! them again once Redis is back.

use crate::backend::{ClusterEnv, PrivateRedis};
use crate::cluster::nodes;
use crate::helpers::WAIT;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Polls `/readyz` until it answers `status` (within [`WAIT`]); returns the body.
async fn readyz_becomes(base: &str, status: u16) -> String {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await
            && r.status() == status
        {
            return r.text().await.unwrap_or_default();
        }
        assert!(Instant::now() < deadline, "/readyz never answered {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_503_while_redis_is_down() {
    let mut redis = PrivateRedis::start();
    let env = Arc::new(ClusterEnv::with_redis(redis.url()).await);
    let (_clock, n) = nodes(&env, 2, |_| {}).await;
    for node in &n {
        assert_eq!(readyz_becomes(&node.base, 200).await, "ready");
    }
    redis.kill();
    for node in &n {
        let body = readyz_becomes(&node.base, 503).await;
        assert!(body.contains("Redis"), "{body}");
        // The process itself is fine: liveness does not depend on Redis.
        let live = reqwest::get(format!("{}/healthz", node.base))
            .await
            .expect("healthz");
        assert_eq!(live.status(), 200);
    }
    redis.restart();
    for node in &n {
        assert_eq!(readyz_becomes(&node.base, 200).await, "ready");
    }
}
