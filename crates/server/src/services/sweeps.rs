//! Background sweeps that every node runs on the `waiting_sweep_ms` interval (real time; each
//! sweep reads "now" from the injectable clock): escalation of chats waiting too long
//! (`unanswered.rs`) and the email of unread replies (`unread.rs`). A failed sweep is logged
//! and the next one tries again.

use crate::error::AppResult;
use crate::state::App;
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Starts `sweep` every `waiting_sweep_ms` (at least 50 ms) on this node.
pub fn spawn<F, Fut>(app: App, what: &'static str, sweep: F) -> JoinHandle<()>
where
    F: Fn(App) -> Fut + Send + 'static,
    Fut: Future<Output = AppResult<usize>> + Send,
{
    tokio::spawn(async move {
        let every = Duration::from_millis(app.settings.waiting_sweep_ms.max(50));
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(e) = sweep(app.clone()).await {
                tracing::warn!(error = %e, "{what} sweep failed");
            }
        }
    })
}
