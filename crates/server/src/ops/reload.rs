//! Logging set up so its filter can change while the server runs, and what SIGHUP does: the
//! configuration file is read again, then the log filter and the TLS certificate are
//! replaced. Nothing else is re-read (listen address, database, limits need a restart); open
//! connections are not touched.

use crate::config::Settings;
use crate::tls::CertStore;
use std::sync::Arc;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, reload};

/// Changes the process's log filter.
#[derive(Clone)]
pub struct LogHandle(reload::Handle<EnvFilter, Registry>);

/// Installs the global subscriber on stderr: JSON lines when `FRONTDESK_LOG_FORMAT=json`, text
/// otherwise; filter from `FRONTDESK_LOG`, else `info` (until [`LogHandle::apply`]).
pub fn init_logging() -> LogHandle {
    let filter = env_filter().unwrap_or_else(|| EnvFilter::new("info"));
    let (filter, handle) = reload::Layer::new(filter);
    let json = std::env::var("FRONTDESK_LOG_FORMAT").as_deref() == Ok("json");
    let json_layer = json.then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
    });
    let text_layer = (!json).then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    tracing_subscriber::registry()
        .with(filter)
        .with(json_layer)
        .with(text_layer)
        .init();
    LogHandle(handle)
}

fn env_filter() -> Option<EnvFilter> {
    EnvFilter::try_from_env("FRONTDESK_LOG").ok()
}

impl LogHandle {
    /// The filter the settings ask for: `FRONTDESK_LOG` if set, else `log` from the file, else
    /// `info`. A filter that does not parse keeps the current one (the error is logged).
    pub fn apply(&self, settings: &Settings) {
        let filter = match (env_filter(), &settings.log) {
            (Some(f), _) => f,
            (None, Some(text)) => match EnvFilter::try_new(text) {
                Ok(f) => f,
                Err(e) => {
                    tracing::error!(log = %text, error = %e, "log filter not understood; the current one stays");
                    return;
                }
            },
            (None, None) => EnvFilter::new("info"),
        };
        if let Err(e) = self.0.reload(filter) {
            tracing::error!(error = %e, "cannot change the log filter");
        }
    }
}

/// SIGHUP: `settings` (the file read again) replaces the log filter and the certificate. A
/// certificate that does not load leaves the one in use, and the error is logged.
pub fn on_reload(settings: &Settings, log: &LogHandle, tls: Option<&Arc<CertStore>>) {
    log.apply(settings);
    match (tls, &settings.tls_cert, &settings.tls_key) {
        (Some(store), Some(cert), Some(key)) => match store.reload(cert, key) {
            Ok(()) => tracing::info!(cert = %cert.display(), "TLS certificate reloaded"),
            Err(e) => {
                tracing::error!(error = %e, "TLS certificate NOT reloaded; the previous one stays in use")
            }
        },
        (Some(_), _, _) => tracing::error!(
            "tls_cert and tls_key are no longer both set; TLS stays on with the previous certificate (restart to turn it off)"
        ),
        (None, Some(_), _) | (None, _, Some(_)) => {
            tracing::warn!("TLS settings changed on a plain-HTTP server: restart to turn TLS on")
        }
        (None, None, None) => {}
    }
    tracing::info!("configuration reloaded (SIGHUP)");
}
