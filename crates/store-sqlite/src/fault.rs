//! Fault injection for tests: make the write connection fail the way a full disk or a
//! read-only database does, with SQLite's own error codes, and heal it again.
//!
//! - [`WriteFault::DiskFull`]: `PRAGMA max_page_count` is lowered to the current page count, so
//!   the next write that needs one more page fails with `SQLITE_FULL` ("database or disk is
//!   full") from SQLite's pager, exactly the code an `ENOSPC` from the file system produces.
//! - [`WriteFault::ReadOnly`]: `PRAGMA query_only` makes every write fail with
//!   `SQLITE_READONLY` ("attempt to write a readonly database"), the code SQLite returns for a
//!   database it could only open read-only. (A file the OS refuses to write is not something
//!   a test can make for root without mounting a file system; see docs/security.md.)
//!
//! Only the write connection is affected; reads go on. Not for deployments.

use crate::{SqliteStore, map};
use frontdesk_core::store::StoreResult;

/// See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteFault {
    DiskFull,
    ReadOnly,
}

/// SQLite's default (and largest) `max_page_count`.
const NO_PAGE_LIMIT: i64 = 4_294_967_294;

impl SqliteStore {
    /// Tests only: start failing writes as `fault` says (`None`: heal). Applied between two
    /// write batches.
    #[doc(hidden)]
    pub async fn inject_write_fault(&self, fault: Option<WriteFault>) -> StoreResult<()> {
        self.inner
            .writer
            .exclusive(move |conn| {
                let result = match fault {
                    Some(WriteFault::DiskFull) => conn
                        .query_row("PRAGMA page_count", [], |r| r.get::<_, i64>(0))
                        .and_then(|pages| {
                            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                                r.get::<_, i64>(0)
                            })
                        })
                        .map(drop),
                    Some(WriteFault::ReadOnly) => conn.pragma_update(None, "query_only", true),
                    None => conn
                        .pragma_update(None, "query_only", false)
                        .and_then(|()| {
                            conn.query_row(
                                &format!("PRAGMA max_page_count = {NO_PAGE_LIMIT}"),
                                [],
                                |r| r.get::<_, i64>(0),
                            )
                        })
                        .map(drop),
                };
                result.map_err(map::store_error)
            })
            .await
    }
}
