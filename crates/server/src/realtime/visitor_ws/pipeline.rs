//! Page views in flight (issue 16): a connection's `page_view` frames do not wait for their
//! commit before the next frame is read. Up to [`MAX_IN_FLIGHT`] are queued to storage at once
//! (so they share group commits; only on a store that writes them in the order they were
//! queued, SQLite: on PostgreSQL one at a time, as before), and applied in the order they came (the visit, the page, the
//! coalesced `visitor.update`) as their writes complete. Any other frame first waits for every
//! page view in flight: a `chat_request` sees the latest page, and a `ping`'s `pong` still
//! comes after every earlier page view was recorded. Nothing is acknowledged earlier than
//! before: a page view has no `ack`, and a failed one still answers `error`.

use super::{Visitor, error};
use crate::error::AppResult;
use crate::limits::visitor::{FrameKind, VisitorLimits as Limits};
use crate::services::visits;
use frontdesk_core::protocol::PageInfo;
use frontdesk_core::store::PageLoaded;
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use std::future::Future;
use std::pin::Pin;

/// Page views of one connection that may be in flight at once, when the store writes them in
/// the order they were started (`VisitorStore::page_loads_in_order`: SQLite); else one.
pub const MAX_IN_FLIGHT: usize = 16;

/// How many page views of one connection may be in flight at once on this store.
pub fn max_in_flight(store: &dyn frontdesk_core::store::Store) -> usize {
    if store.page_loads_in_order() {
        MAX_IN_FLIGHT
    } else {
        1
    }
}

type Write = Pin<Box<dyn Future<Output = (PageInfo, AppResult<PageLoaded>)> + Send>>;

/// A connection's page views whose writes have not completed yet, in arrival order. Kept by
/// the connection's loop beside the [`Visitor`] (it is `Send`, not `Sync`).
/// Made at the connection's first page view in flight (a held visitor keeps no queue).
#[derive(Default)]
pub struct InFlight {
    writes: Option<FuturesOrdered<Write>>,
}

impl InFlight {
    pub fn len(&self) -> usize {
        self.writes.as_ref().map_or(0, FuturesOrdered::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next write to complete, in arrival order (pending forever when none is in flight).
    pub async fn next(&mut self) -> (PageInfo, AppResult<PageLoaded>) {
        match self.writes.as_mut() {
            Some(writes) => match writes.next().await {
                Some(done) => done,
                None => std::future::pending().await,
            },
            None => std::future::pending().await,
        }
    }

    fn push(&mut self, write: Write) {
        self.writes
            .get_or_insert_with(FuturesOrdered::new)
            .push_back(write);
    }
}

impl Visitor {
    /// A `page_view` frame: rate-limited now, its write queued (not awaited).
    pub(super) fn start_page_view(
        &self,
        in_flight: &mut InFlight,
        page: PageInfo,
        limits: &mut Limits,
    ) {
        if let Err(e) = limits.check(FrameKind::PageView) {
            error(&self.app, &self.handle, &e, None);
            return;
        }
        let write = visits::page_view_write(&self.app, &self.arrival, &page);
        in_flight.push(Box::pin(async move { (page, write.await) }));
    }

    /// A page view's write completed: the visit and page as they are now, and the agents told.
    pub(super) async fn page_view_done(&mut self, (page, done): (PageInfo, AppResult<PageLoaded>)) {
        match done {
            Ok(loaded) => {
                self.visit = loaded.visit;
                self.page = page;
                self.announce(loaded.open_chat.map(|c| c.id), true).await;
            }
            Err(e) => error(&self.app, &self.handle, &e, None),
        }
    }

    /// Waits for every page view in flight (before any other frame, and at the end).
    pub(super) async fn settle(&mut self, in_flight: &mut InFlight) {
        while !in_flight.is_empty() {
            let done = in_flight.next().await;
            self.page_view_done(done).await;
        }
    }
}
