//! Back to the queue when an agent vanishes: once all of an agent's connections have been
//! gone for the grace period (by the injectable clock), their active chats are requeued.

use crate::state::App;
use frontdesk_core::AgentId;

/// Called when an agent's last connection on this node closed, with the hub generation at
/// that moment. Waits out the grace period; requeues unless the agent came back.
pub fn start_grace_timer(app: App, agent: AgentId, generation: u64) {
    tokio::spawn(async move {
        let deadline = app.now().plus_millis(
            i64::try_from(app.settings.requeue_grace_secs.saturating_mul(1000)).unwrap_or(i64::MAX),
        );
        app.clock.sleep_until(deadline).await;
        let (conns, now_generation) = app.hub.agent_connections(agent);
        if conns > 0 || now_generation != generation {
            return; // came back in time
        }
        match crate::services::chats::agent_gone(&app, agent).await {
            Ok(n) if n > 0 => {
                tracing::info!(agent = agent.0, chats = n, "agent gone: chats requeued")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(agent = agent.0, error = %e, "requeue after grace failed"),
        }
    });
}
