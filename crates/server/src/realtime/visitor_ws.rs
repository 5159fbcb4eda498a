//! `/ws/visitor?site=SITE_KEY`: the widget's socket. Tracking (hello, page views), chatting,
//! offline messages. Only the site's own origins may open it.

use super::hub::{Departure, Flush, VisitorUpdate};
use super::outbound::ConnHandle;
use super::replay::Side;
use super::socket::{self, Socket};
use crate::error::{AppError, AppResult};
use crate::limits::sockets::SocketSlot;
use crate::limits::visitor::VisitorLimits;
use crate::services::unanswered;
use crate::services::visits::{self, Arrival};
use crate::state::App;
use crate::tracking::ip::client_ip;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use frontdesk_core::audience::Audience;
use frontdesk_core::link::origin_of;
use frontdesk_core::model::{Chat, Site};
use frontdesk_core::protocol::{PageInfo, ToAgent, ToVisitor, VisitorFrame, VisitorOnSite};
use frontdesk_core::unanswered::ends_when_visitor_leaves;
use frontdesk_core::{ErrorCode, SiteKey, VisitorId};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

mod frames;
mod pipeline;
mod welcome;

use welcome::{chat_view, welcome};

#[derive(Deserialize)]
pub struct VisitorQuery {
    site: String,
}

/// Whether `origin` may use the site's key: the base URL's origin or an allowed extra.
pub fn origin_allowed(site: &Site, origin: &str) -> bool {
    let origin = origin.trim_end_matches('/');
    origin_of(&site.base_url).as_deref() == Some(origin)
        || site
            .allowed_origins
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin))
}

#[utoipa::path(get, path = "/ws/visitor", tag = "websocket", operation_id = "visitor_socket",
    description = "The visitor widget's WebSocket. The `Origin` must be the site's base URL's \
    origin or one of its allowed origins. JSON text frames as described in docs/protocol.md.",
    params(("site" = String, Query, description = "The site key (from the embed snippet)")),
    responses(
        (status = 101, description = "Switching Protocols: frames per docs/protocol.md"),
        (status = 403, description = "Origin not allowed for this site (`origin_refused`)", body = crate::http::extract::ApiErrorBody),
        (status = 404, description = "Unknown site key", body = crate::http::extract::ApiErrorBody),
        (status = 429, description = "Too many sockets from this address", body = crate::http::extract::ApiErrorBody),
    ))]
pub async fn handler(
    ws: WebSocketUpgrade,
    State(app): State<App>,
    Query(q): Query<VisitorQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let site = match app.store.site_by_key(&SiteKey(q.site)).await {
        Ok(site) => site,
        Err(e) => return AppError::from(e).into_response(),
    };
    let origin = headers
        .get("origin")
        .and_then(|o| o.to_str().ok())
        .unwrap_or("");
    if !origin_allowed(&site, origin) {
        return AppError::new(
            ErrorCode::OriginRefused,
            "This page's origin may not use this site key.",
        )
        .into_response();
    }
    let ip = client_ip(peer.ip(), &headers, &app.settings.trusted_proxies);
    if !app.shared_limits.allow_connect(ip) {
        app.metrics.refused("visitor_connect");
        return AppError::rate_limited().into_response();
    }
    let max = app.settings.limits.visitor_sockets_per_ip;
    let Some(slot) = SocketSlot::acquire(&app.ip_sockets, ip, max) else {
        app.metrics.refused("visitor_sockets_per_ip");
        return AppError::rate_limited().into_response();
    };
    let user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let to_run = app.clone();
    let arriving = Box::new(Arriving {
        site,
        ip,
        user_agent,
    });
    socket::upgrade(ws, &app, move |socket| async move {
        let _slot = slot;
        run(to_run, arriving, socket).await;
    })
}

fn frame<T: serde::Serialize>(handle: &ConnHandle, f: &T) {
    socket::send(handle, f);
}

fn error(app: &App, handle: &ConnHandle, e: &AppError, reference: Option<String>) {
    app.metrics.client_error(e.code, "visitor_frames");
    frame(handle, &ToVisitor::Error(e.frame(reference, None)));
}

/// A visitor connection after `hello`.
struct Visitor {
    app: App,
    site: Site,
    id: VisitorId,
    ip: IpAddr,
    arrival: Arrival,
    handle: ConnHandle,
    visit: frontdesk_core::model::Visit,
    name: Option<String>,
    /// The name of a verified identity (`services::identity`): a chat request without a
    /// typed name is made under it.
    verified_name: Option<String>,
    page: PageInfo,
    /// A coalesced `visitor.update` to flush after this long (a page view within a second of
    /// the last update; see `realtime::hub::visitor_updates`): the loop in [`run`] waits.
    update_wait: Option<Duration>,
}

/// A wait on the app's clock (injectable: tests move it).
type Due = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// What the connection's loop does next.
enum Next {
    Frame(Option<AppResult<VisitorFrame>>),
    PageViewDone(Box<(PageInfo, AppResult<frontdesk_core::store::PageLoaded>)>),
    FlushUpdate,
}

/// What the upgrade hands to the connection. Boxed: a connection's task keeps a pointer to it
/// until `hello`, not the site's settings inline for as long as the visitor stays.
struct Arriving {
    site: Site,
    ip: IpAddr,
    user_agent: String,
}

// A connection's task is as big as the biggest future it awaits inline, for as long as the
// visitor stays (a held visitor mostly waits). So `hello`, each frame's handling and the
// leave run as boxed futures, allocated only while they run, and the `Visitor` is boxed: the
// task keeps only the loop's state.
async fn run(app: App, arriving: Box<Arriving>, socket: WebSocket) {
    let mut socket = Socket::start(&app, socket, Side::Visitor);
    let handle = socket.handle.clone();
    app.metrics.visitor_connections.inc();
    let visitor = Box::pin(hello(&app, arriving, &mut socket, &handle)).await;
    if let Some(v) = visitor {
        serve(&app, v, &mut socket, &handle).await;
    }
    socket.close().await;
    app.metrics.visitor_connections.dec();
}

/// The first frame must be `hello`, soon: the visitor it makes, or `None` (answered `error`).
async fn hello(
    app: &App,
    arriving: Box<Arriving>,
    socket: &mut Socket,
    handle: &ConnHandle,
) -> Option<Box<Visitor>> {
    let Arriving {
        site,
        ip,
        user_agent,
    } = *arriving;
    let hello = tokio::time::timeout(Duration::from_secs(15), socket.read::<VisitorFrame>()).await;
    match hello {
        Ok(Some(Ok(VisitorFrame::Hello {
            token,
            page,
            last_seq,
            chat_id,
            lang,
            browser_key,
            identity,
        }))) => {
            let held = (last_seq.unwrap_or_default(), chat_id);
            let language = frontdesk_core::widget_language::visit_language(
                lang.as_deref(),
                &site.settings.language,
            );
            let arrive = (ip, user_agent.as_str(), language);
            let id = visits::visitor_of(app, &site, token.as_deref(), browser_key.as_deref());
            // The site moves into the connection's `Visitor` (one copy per connection).
            match welcome(app, site, arrive, handle, (id, identity), page, held).await {
                Ok(v) => Some(Box::new(v)),
                Err(e) => {
                    error(app, handle, &e, None);
                    None
                }
            }
        }
        Ok(Some(Ok(_))) => {
            error(
                app,
                handle,
                &AppError::bad_request("The first frame must be hello."),
                None,
            );
            None
        }
        Ok(Some(Err(e))) => {
            error(app, handle, &e, None);
            None
        }
        _ => None,
    }
}

/// The connection after `hello`, until it closes; then the visitor leaves.
async fn serve(app: &App, mut v: Box<Visitor>, socket: &mut Socket, handle: &ConnHandle) {
    let mut limits = Box::new(VisitorLimits::new(
        &app.settings.limits,
        &app.shared_limits,
        &v.id.0,
        v.ip,
    ));
    let mut due: Option<Due> = None;
    let mut in_flight = pipeline::InFlight::default();
    let max_in_flight = pipeline::max_in_flight(app.store.as_ref());
    loop {
        if let Some(wait) = v.update_wait.take()
            && due.is_none()
        {
            let clock = app.clock.clone();
            due = Some(Box::pin(async move { clock.sleep(wait).await }));
        }
        let room = in_flight.len() < max_in_flight;
        let flush = async {
            match due.as_mut() {
                Some(due) => due.await,
                None => std::future::pending().await,
            }
        };
        let next = tokio::select! {
            f = socket.next(), if room => Next::Frame(f),
            done = in_flight.next(), if !in_flight.is_empty() => Next::PageViewDone(Box::new(done)),
            () = flush => Next::FlushUpdate,
        };
        match next {
            Next::FlushUpdate => {
                due = None;
                Box::pin(v.flush_update(false)).await;
            }
            Next::PageViewDone(done) => Box::pin(v.page_view_done(*done)).await,
            Next::Frame(None) => break,
            Next::Frame(Some(Ok(VisitorFrame::PageView { page }))) => {
                v.start_page_view(&mut in_flight, page, &mut limits)
            }
            Next::Frame(Some(Ok(f))) => {
                // Every other frame comes after the page views before it.
                Box::pin(async {
                    v.settle(&mut in_flight).await;
                    v.on_frame(f, &mut limits).await
                })
                .await
            }
            Next::Frame(Some(Err(e))) => error(app, handle, &e, None),
        }
    }
    // The page views still in flight are recorded (and told) before the visitor leaves.
    let waiting = due.is_some();
    drop(due);
    Box::pin(async {
        v.settle(&mut in_flight).await;
        let flush_due = waiting || v.update_wait.is_some();
        v.leave(flush_due).await;
    })
    .await
}

impl Visitor {
    /// Tells the site's agents the visitor's state (presence and `visitor.update`). A page
    /// view (`coalesce`) within a second of the last update waits for the second to be over.
    async fn announce(&mut self, chat: Option<frontdesk_core::ChatId>, coalesce: bool) {
        let info = visits::on_site(&self.visit, self.name.clone(), &self.page, chat);
        match self.app.hub.visitor_update(info, self.app.now(), coalesce) {
            // It carries the latest state (a flush still due finds nothing new).
            VisitorUpdate::Now(info) => self.tell_agents(*info).await,
            VisitorUpdate::Later(wait) => {
                self.update_wait.get_or_insert(wait);
            }
        }
    }

    /// The coalesced update is due: the visitor's latest state, unless it already went out.
    /// `force` (the tab is closing): now, even within the second.
    async fn flush_update(&mut self, force: bool) {
        let now = self.app.now();
        match self
            .app
            .hub
            .flush_visitor_update(self.site.id, &self.id, now, force)
        {
            Flush::Now(info) => self.tell_agents(*info).await,
            Flush::Later(wait) => self.update_wait = Some(wait),
            Flush::Nothing => {}
        }
    }

    async fn tell_agents(&self, info: VisitorOnSite) {
        self.app
            .presence
            .visitor_changed(self.site.id, &self.id)
            .await;
        self.tell_site_agents(&ToAgent::VisitorUpdate(info)).await;
    }

    /// Every agent of the site, Away ones too (the visitors list is everyone's).
    async fn tell_site_agents(&self, frame: &ToAgent) {
        let agents = Audience::SiteAgents {
            site: self.site.id,
            online_only: false,
            also: None,
        };
        self.app.publish(agents, frame, None).await;
    }

    /// The connection closed; `flush_due`: a coalesced update of it has not gone out yet.
    async fn leave(&mut self, flush_due: bool) {
        let app = &self.app;
        let may_have_chat = match app
            .hub
            .unregister_visitor(self.site.id, &self.id, self.handle.id)
        {
            Departure::Stays => {
                // Another tab stays: the state this one left waiting goes out now.
                if flush_due {
                    self.flush_update(true).await;
                }
                return;
            }
            Departure::Last { may_have_chat } => may_have_chat,
        };
        app.presence.visitor_changed(self.site.id, &self.id).await;
        if app.presence.visitor_connected(self.site.id, &self.id).await {
            return; // still on the site, through another node
        }
        // A waiting chat nobody answered ends "Missed" unless they come back in time. No
        // read when the visitor cannot have one (`hub/visitor_chats.rs`).
        let open = match may_have_chat {
            true => app.store.open_chat_of_visitor(self.site.id, &self.id).await,
            false => Ok(None),
        };
        match open {
            Ok(Some(chat)) if ends_when_visitor_leaves(&chat) => {
                unanswered::visitor_left(app, self.site.id, self.id.clone()).await
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "visitor left: open chat unreadable"),
        }
        self.tell_site_agents(&ToAgent::VisitorLeft {
            site_id: self.site.id,
            visitor_id: self.id.clone(),
        })
        .await;
    }

    async fn open_chat(&self) -> AppResult<Chat> {
        self.app
            .store
            .open_chat_of_visitor(self.site.id, &self.id)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, "You have no open chat."))
    }
}
