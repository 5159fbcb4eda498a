//! Issue 12, "Routing modes" and "Capacity", on the server: both backends.
//!
//! * `assign.rs`: "Assign automatically": one offer at a time, timeouts moving to the next
//!   agent and then to everyone, offers withdrawn on Away and on vanishing, `offered_to_other`,
//!   fair spread across five capped agents;
//! * `capacity.rs`: "Most chats at once": no pop-ups and no offers at the cap, accepting on
//!   purpose, `at_capacity` transfers, presence, the admin REST field;
//! * `queue.rs`: requeued chats keep their place and tell the visitor; the default mode shows
//!   no new frames;
//! * `three_nodes.rs`: 200 chats at once on three nodes, none offered twice or lost.

mod assign;
mod capacity;
mod queue;
mod three_nodes;

use crate::helpers::*;
use frontdesk_core::model::Site;
use frontdesk_core::site_settings::Routing;
use serde_json::Value;

/// Sets the site's "Routing" and "Seconds to answer" (as the admin settings form would).
pub async fn set_routing(app: &TestApp, site: &Site, routing: Routing, offer_seconds: u32) -> Site {
    let mut site = app.store().site(site.id).await.expect("site");
    site.settings.routing = routing;
    site.settings.offer_seconds = offer_seconds;
    app.store()
        .update_site(&site)
        .await
        .expect("settings saved");
    site
}

/// Sets an agent's "Most chats at once" in storage.
pub async fn set_cap(app: &TestApp, agent: &AgentClient, max_chats: Option<u32>) {
    app.store()
        .set_max_chats(agent.id, max_chats)
        .await
        .expect("cap saved");
}

/// Waits for `chat.offered` of `chat` on `ws`.
pub async fn offered(ws: &mut Ws, chat: i64) -> Value {
    ws.wait_for("chat.offered", move |f| {
        f["type"] == "chat.offered" && f["chat"]["chat_id"] == chat
    })
    .await
}

/// Waits for `chat.offer_ended` of `chat` on `ws`.
pub async fn offer_ended(ws: &mut Ws, chat: i64) -> Value {
    ws.wait_for("chat.offer_ended", move |f| {
        f["type"] == "chat.offer_ended" && f["chat_id"] == chat
    })
    .await
}

/// Which of `sockets` got the offer of `chat` (polls them in turn: each `drain` is a round
/// trip, so the offer has time to arrive through the bus). Panics if none did, or two.
pub async fn offered_among(sockets: &mut [Ws], chat: i64) -> usize {
    let is_offer = move |f: &Value| f["type"] == "chat.offered" && f["chat"]["chat_id"] == chat;
    for _ in 0..200 {
        let mut found = Vec::new();
        for (i, ws) in sockets.iter_mut().enumerate() {
            let frames = ws.drain().await;
            if frames.iter().any(is_offer) {
                found.push(i);
            }
            ws.backlog
                .extend(frames.into_iter().filter(|f| !is_offer(f)));
        }
        assert!(
            found.len() <= 1,
            "chat {chat} offered to several: {found:?}"
        );
        if let Some(&i) = found.first() {
            return i;
        }
    }
    panic!("chat {chat} was offered to nobody");
}
