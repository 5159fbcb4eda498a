//! The running application's shared state, handed to every handler.

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::error::AppResult;
use crate::limits::login::LoginLimiter;
use crate::limits::sockets::SocketCounter;
use crate::limits::visitor::SharedLimits;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::realtime::bus::{Bus, BusEvent};
use crate::realtime::hub::Hub;
use crate::realtime::presence::Presence;
use crate::security::VisitorTokens;
use crate::tracking::{geo::GeoLookup, ua::UaParser};
use frontdesk_core::audience::Audience;
use frontdesk_core::store::Store;
use frontdesk_core::{AgentId, ChatId, Seq, Timestamp};
use serde::Serialize;
use std::ops::Deref;
use std::sync::Arc;

pub struct AppInner {
    pub settings: Settings,
    /// `http(s)://host:port` people use to reach this server (no trailing slash).
    pub public_base: String,
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    /// The open chats this node knows (single node only; see `services::hot`).
    pub hot: crate::hot_chats::HotChats,
    pub bus: Arc<dyn Bus>,
    /// Who is connected, on every node (the hub knows this node only).
    pub presence: Arc<dyn Presence>,
    pub clock: SharedClock,
    pub tokens: VisitorTokens,
    pub geo: GeoLookup,
    pub ua: UaParser,
    pub mailer: Option<Mailer>,
    pub metrics: Metrics,
    /// Changes at every start: clients notice a restart by it.
    pub epoch: String,
    /// Verified against when an email is unknown, so sign-in timing tells nothing.
    pub dummy_hash: String,
    pub login_limits: LoginLimiter,
    /// Open visitor sockets per IP.
    pub ip_sockets: Arc<SocketCounter>,
    /// Visitor frame limits per visitor and per IP, and new visitor sockets per IP.
    pub shared_limits: Arc<SharedLimits>,
    /// Archive searches per agent.
    pub archive_limits: crate::limits::archive::ArchiveLimiter,
    /// Requests per API token, and when each token's last use was written.
    pub token_limits: crate::limits::tokens::TokenLimiter,
    /// The demo site's key, when serving `/demo`.
    pub demo_site_key: Option<String>,
}

/// Cheap to clone; everything inside is shared.
#[derive(Clone)]
pub struct App(pub Arc<AppInner>);

impl Deref for App {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

impl App {
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Serialize `frame` once and send it to `to` on every node.
    pub async fn publish<F: Serialize>(&self, to: Audience, frame: &F, seq: Option<(ChatId, Seq)>) {
        match serde_json::to_string(frame) {
            Ok(frame) => self.bus.publish(BusEvent::Deliver { to, frame, seq }).await,
            Err(e) => tracing::error!(error = %e, "frame did not serialize"),
        }
    }

    /// An agent's display name (from this node's hub, else storage).
    pub async fn agent_name(&self, agent: AgentId) -> AppResult<String> {
        if let Some(p) = self.hub.agent_presence(agent) {
            return Ok(p.name);
        }
        match self.store.agent(agent).await {
            Ok(a) => Ok(a.name),
            // Transcripts outlive agents: a removed agent is still shown, by a label.
            Err(frontdesk_core::store::StoreError::NotFound) => Ok("Former agent".to_string()),
            Err(e) => Err(e.into()),
        }
    }
}
