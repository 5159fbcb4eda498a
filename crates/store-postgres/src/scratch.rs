//! Throw-away databases for tests: [`ScratchDb::create`] makes `fd_<random>` on the server of
//! an administrative URL (e.g. `postgres://postgres@127.0.0.1:5432/test`), and dropping the
//! value drops the database again (closing any connection still open to it).

use rand::Rng;
use std::fmt;
use tokio_postgres::NoTls;

/// Why a scratch database could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ScratchError {
    #[error("cannot connect to {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("cannot create database {name}: {source}")]
    Create {
        name: String,
        #[source]
        source: tokio_postgres::Error,
    },
}

/// A database that exists while this value lives.
pub struct ScratchDb {
    name: String,
    url: String,
    admin_url: String,
    keep: bool,
}

impl fmt::Debug for ScratchDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScratchDb")
            .field("name", &self.name)
            .finish()
    }
}

/// `url` with its database name replaced by `db` (URL or `key=value` form).
pub fn with_database(url: &str, db: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return format!("{url} dbname={db}");
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let authority = before_query.split_once('/').map_or(before_query, |p| p.0);
    match query {
        Some(q) => format!("{scheme}://{authority}/{db}?{q}"),
        None => format!("{scheme}://{authority}/{db}"),
    }
}

async fn admin(url: &str) -> Result<tokio_postgres::Client, ScratchError> {
    let (client, conn) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|source| ScratchError::Connect {
            url: url.to_string(),
            source,
        })?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "scratch admin connection ended");
        }
    });
    Ok(client)
}

impl ScratchDb {
    /// Creates a fresh, empty database next to the one `admin_url` names.
    pub async fn create(admin_url: &str) -> Result<ScratchDb, ScratchError> {
        let client = admin(admin_url).await?;
        let name = format!("fd_{:016x}", rand::rng().random::<u64>());
        // The name is ours (hex digits), safe to splice into the statement.
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .map_err(|source| ScratchError::Create {
                name: name.clone(),
                source,
            })?;
        Ok(ScratchDb {
            url: with_database(admin_url, &name),
            name,
            admin_url: admin_url.to_string(),
            keep: false,
        })
    }

    /// The URL of the scratch database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name (`fd_...`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Keep the database after this value is dropped (to look at it after a failed test).
    pub fn keep(&mut self) {
        self.keep = true;
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Dropping may happen inside a runtime (which must not be blocked on): use a thread
        // with its own small runtime, and wait for it so the database is gone on return.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let client = admin(&admin_url).await.map_err(|e| e.to_string())?;
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .map_err(|e| e.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(db = %self.name, error = %e, "scratch database kept"),
            Err(_) => tracing::warn!(db = %self.name, "scratch database drop panicked"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "fd_1"),
            "postgres://postgres@127.0.0.1:5432/fd_1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "fd_1"),
            "postgres://u:p@h/fd_1?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://h", "x"), "postgresql://h/x");
        assert_eq!(
            with_database("host=h user=u", "x"),
            "host=h user=u dbname=x"
        );
    }
}
