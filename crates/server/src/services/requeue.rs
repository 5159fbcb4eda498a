//! Back to the queue when an agent vanishes: once all of an agent's connections, on every
//! node, have been gone for the grace period (by the injectable clock), their active chats
//! are requeued. The grace period is elapsed time (monotonic), so jumps of the wall clock
//! neither shorten nor lengthen it. (In cluster mode, the presence sweep also covers agents whose node died
//! before its timer fired.)

use crate::state::App;
use frontdesk_core::AgentId;
use std::time::Duration;

/// Called when an agent's last connection on this node closed. Waits out the grace period;
/// requeues unless the agent came back (on any node) in the meantime.
pub fn start_grace_timer(app: App, agent: AgentId) {
    tokio::spawn(async move {
        let Ok((conns, generation)) = app.presence.agent_connections(agent).await else {
            // Shared presence unreadable: the cluster's sweep takes care of it.
            return;
        };
        if conns > 0 {
            return; // still connected elsewhere
        }
        // Elapsed time, not a wall-clock deadline: a clock set back must not hold the chats
        // for hours, nor one set forward take them from an agent who is reconnecting.
        app.clock
            .sleep(Duration::from_secs(app.settings.requeue_grace_secs))
            .await;
        let mut tries = 0;
        let (conns, now_generation) = loop {
            match app.presence.agent_connections(agent).await {
                Ok(c) => break c,
                Err(e) if tries < 5 => {
                    tries += 1;
                    tracing::warn!(agent = agent.0, error = %e, "presence unreadable; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(_) => return, // the cluster's sweep takes over
            }
        };
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
