//! Reloading the configuration without a restart: on SIGHUP, and with `--watch` when the file's
//! modification time changes. The new policy replaces the old one atomically; requests in flight
//! finish with the policy they started with. An invalid configuration is refused and logged, and
//! the running policy stays. Loading runs on a blocking thread, never on the event loop that
//! accepts connections, so a large file or a slow disk does not stop corsair from accepting.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::signal::unix::{SignalKind, signal};

use super::logging;
use super::proxy::{Active, Shared};
use crate::serve::forward::Route;
use crate::settings::{self, Layers, ServerSettings};

/// How often `--watch` looks at the file.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

/// Reloads on SIGHUP (and file changes when `watched` is a file) until the process ends.
pub async fn run(
    layers: Layers,
    shared: Arc<Shared>,
    running: ServerSettings,
    watched: Option<PathBuf>,
) {
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(hangups) => hangups,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGHUP: reload is disabled");
            return;
        }
    };
    let mut ticker = tokio::time::interval(WATCH_INTERVAL);
    let mut last_modified = watched.as_deref().and_then(modified);
    loop {
        let cause = tokio::select! {
            _ = hangups.recv() => "SIGHUP",
            _ = ticker.tick(), if watched.is_some() => {
                let now = watched.as_deref().and_then(modified);
                if now == last_modified {
                    continue;
                }
                last_modified = now;
                "file changed"
            }
        };
        reload(&layers, &shared, &running, cause).await;
    }
}

fn modified(path: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Loads the configuration again (off the event loop) and swaps it in, or keeps the running
/// one.
pub async fn reload(layers: &Layers, shared: &Shared, running: &ServerSettings, cause: &str) {
    let loading = layers.clone();
    let Ok(loaded) = tokio::task::spawn_blocking(move || settings::load(&loading)).await else {
        tracing::error!(
            cause,
            "loading the configuration failed: the running policy stays"
        );
        return;
    };
    match loaded {
        Ok(loaded) => {
            logging::log_warnings(&loaded.warnings);
            warn_about_restart_only_settings(running, &loaded.server);
            let active = Active {
                cors: loaded.cors,
                route: Arc::new(Route {
                    preserve_host: loaded.server.preserves_host(),
                    upstream: loaded.server.upstream,
                }),
            };
            tracing::info!(cause, upstream = %active.route.upstream, policy = %active.cors, "configuration reloaded");
            shared.active.store(Arc::new(active));
        }
        Err(problems) => {
            logging::log_problems(&problems);
            tracing::error!(
                cause,
                "the new configuration is invalid: the running policy stays"
            );
        }
    }
}

/// Listener settings are bound at start; say so when a reload changes them.
fn warn_about_restart_only_settings(running: &ServerSettings, new: &ServerSettings) {
    let comparable = |s: &ServerSettings| {
        (
            s.listen,
            s.connect_timeout,
            s.upstream_timeout,
            s.header_read_timeout,
            s.idle_timeout,
            s.tunnel_idle_timeout,
            s.shutdown_grace,
            (
                s.max_header_bytes,
                s.max_request_headers,
                s.max_response_headers,
                s.request_buffer_bytes,
            ),
            (
                s.max_connections,
                s.max_streams_per_connection,
                s.max_upstream_requests,
            ),
            s.workers,
        )
    };
    if comparable(running) != comparable(new) {
        tracing::warn!(
            "[server] listen, timeouts, limits and workers only change on restart; the new CORS policy and upstream are applied"
        );
    }
}
