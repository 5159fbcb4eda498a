//! `/ws/agent`: the console's socket (session cookie, same origin only). The connection's
//! life is here (register, snapshot, frames, leave); what each frame does is in `frames.rs`;
//! the use cases it calls are in `services` (`agents`, `chats`, `messages`).

use super::replay::Side;
use super::socket::{self, Socket};
use crate::error::AppError;
use crate::http::auth::AuthAgent;
use crate::http::csrf::same_origin;
use crate::limits::rate::limiter;
use crate::services::agents::snapshot;
use crate::services::presence::{agent_info, publish_presence};
use crate::state::App;
use axum::extract::State;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use frontdesk_core::ErrorCode;
use frontdesk_core::protocol::{AgentFrame, ToAgent};

mod frames;

#[utoipa::path(get, path = "/ws/agent", tag = "websocket", operation_id = "agent_socket",
    description = "The agent console's WebSocket (session cookie; `Origin` must be this \
    server's origin). JSON text frames as described in docs/protocol.md.",
    responses(
        (status = 101, description = "Switching Protocols: frames per docs/protocol.md"),
        (status = 401, description = "Not signed in", body = crate::http::extract::ApiErrorBody),
        (status = 403, description = "Foreign Origin (`origin_refused`)", body = crate::http::extract::ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn handler(
    ws: WebSocketUpgrade,
    State(app): State<App>,
    headers: HeaderMap,
    auth: AuthAgent,
) -> Response {
    if !same_origin(&app, &headers) {
        return AppError::new(
            ErrorCode::OriginRefused,
            "Cross-origin agent sockets are refused.",
        )
        .into_response();
    }
    let to_run = app.clone();
    socket::upgrade(ws, &app, move |socket| run(to_run, auth, socket))
}

async fn run(app: App, auth: AuthAgent, socket: WebSocket) {
    let mut socket = Socket::start(&app, socket, Side::Agent);
    let handle = socket.handle.clone();
    let agent = auth.agent.clone();
    let info = match agent_info(&app, &agent).await {
        Ok(i) => i,
        Err(e) => {
            socket::send(&handle, &ToAgent::Error(e.frame(None, None)));
            socket.close().await;
            return;
        }
    };
    app.hub.register_agent(
        agent.id,
        info.clone(),
        auth.session_hash.clone(),
        handle.clone(),
    );
    app.presence.agent_connected(agent.id, &info).await;
    let connected_at = app.clock.now();
    app.metrics.agent_connections.inc();
    match snapshot(&app, &agent, &info).await {
        Ok(frame) => socket::send(&handle, &frame),
        Err(e) => socket::send(&handle, &ToAgent::Error(e.frame(None, None))),
    }
    // A write (an On-Line span for Reports, from the moment of connecting): after the
    // snapshot, so that the snapshot does not wait for the writer's queue.
    crate::services::reports::agent_connected(&app, agent.id, info.status, connected_at).await;
    publish_presence(&app, agent.id, &info.sites).await;

    let limit = limiter(app.settings.limits.agent_frames);
    while let Some(frame) = socket.next::<AgentFrame>().await {
        let result = match frame {
            Ok(f) => {
                let about = (f.reference().map(str::to_string), f.chat_id());
                let r = if limit.check().is_err() {
                    Err(AppError::rate_limited())
                } else {
                    frames::on_frame(&app, (agent.id, auth.ip.as_deref()), &handle, f).await
                };
                r.map_err(|e| (e, about))
            }
            Err(e) => Err((e, (None, None))),
        };
        if let Err((e, (reference, chat_id))) = result {
            app.metrics.client_error(e.code, "agent_frames");
            socket::send(&handle, &ToAgent::Error(e.frame(reference, chat_id)));
        }
    }
    socket.close().await;
    app.metrics.agent_connections.dec();
    app.hub.stop_watching_all(agent.id, handle.id);
    let last = app.hub.unregister_agent(agent.id, handle.id).is_some();
    app.presence
        .agent_disconnected(agent.id, &info.sites, last)
        .await;
    if last {
        crate::services::requeue::start_grace_timer(app.clone(), agent.id);
        crate::services::reports::agent_gone(&app, agent.id).await;
        publish_presence(&app, agent.id, &info.sites).await;
    }
}
