//! Reloading the configuration without a restart: on SIGHUP, and with `--watch` when the file's
//! modification time changes. The new policy replaces the old one atomically; requests in flight
//! finish with the policy they started with. With HTTPS, the certificate and key are read again
//! too (the files may have been renewed under the same names): new handshakes get the new pair,
//! open connections keep theirs. An invalid configuration, or a certificate and key that cannot
//! be read or do not belong together, is refused and logged as a whole, and the running policy
//! and certificate stay. A certificate browsers would refuse (expired, not yet valid, or no
//! longer valid for a name the running one covers) is logged as a warning, or, with
//! `tls_strict`, refused the same way. Loading runs on a blocking thread, never on the event loop that accepts
//! connections, so a large file or a slow disk does not stop corsair from accepting.
//!
//! Origins sources only start with the process; each policy loaded consults the set of the
//! source it declares, found by the source's identity (store, URL, key or query), so a reload
//! that reorders routes never hands one route's tenants to another.
//!
//! The new policy gets the observer of the first one, so the metrics go on counting in the
//! same registry; each reload is counted (`ok` or `refused`), and `/policy` and the origins
//! gauge follow the policy swapped in.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::signal::unix::{Signal, SignalKind, signal};

use super::logging;
use super::metrics::ReloadResult;
use super::policy_info::{self, PolicyInfo};
use super::proxy::{Active, Shared};
use super::tls::Tls;
use crate::settings::origins_source::OriginsSource;
use crate::settings::{self, AdminSettings, Layers, Observing, OriginSets, ServerSettings};

/// What a reload reads again, and the TLS configuration it updates.
pub(super) struct Reloading {
    /// The file, environment and flags, as at start.
    pub layers: Layers,
    /// The observer of the policies loaded (it feeds the metrics), and whether every decision
    /// is read (the running admin listener).
    pub observing: Observing,
    /// The running TLS configuration (`None`: plain HTTP, which a reload does not change).
    pub tls: Option<Arc<Tls>>,
    /// The file `--watch` looks at.
    pub watched: Option<PathBuf>,
    /// The running admin listener's settings (a restart changes them).
    pub admin: AdminSettings,
    /// The sets the running origins sources fill: every policy loaded consults them.
    pub origin_sets: OriginSets,
    /// The running origins sources (a restart changes them).
    pub origins_sources: Vec<OriginsSource>,
}

/// How often `--watch` looks at the file.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

/// SIGHUP, caught from now on (before corsair says it is listening, so that a SIGHUP sent
/// right after never stops the process); `None`, with a warning, when it cannot be.
pub(super) fn hangups() -> Option<Signal> {
    match signal(SignalKind::hangup()) {
        Ok(hangups) => Some(hangups),
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGHUP: reload is disabled");
            None
        }
    }
}

/// Reloads on each of `hangups` (and file changes when `reloading.watched` is a file) until
/// the process ends.
pub(super) async fn run(
    reloading: Reloading,
    mut hangups: Signal,
    shared: Arc<Shared>,
    running: ServerSettings,
) {
    let watched = reloading.watched.clone();
    let mut ticker = tokio::time::interval(WATCH_INTERVAL);
    let mut last_seen = watched.as_deref().and_then(stamp);
    loop {
        let cause = tokio::select! {
            _ = hangups.recv() => "SIGHUP",
            _ = ticker.tick(), if watched.is_some() => {
                let now = watched.as_deref().and_then(stamp);
                if now == last_seen {
                    continue;
                }
                last_seen = now;
                "file changed"
            }
        };
        reload(&reloading, &shared, &running, cause).await;
    }
}

/// What tells one version of the watched file from another: the file the path leads to (its
/// device and inode, so that a symlink swapped to another file counts, as when Kubernetes
/// updates a ConfigMap mounted as a volume, even if the new file has the old time), its
/// modification time and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    modified: Option<SystemTime>,
    size: u64,
}

fn stamp(path: &std::path::Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).ok()?;
    Some(Stamp {
        device: metadata.dev(),
        inode: metadata.ino(),
        modified: metadata.modified().ok(),
        size: metadata.len(),
    })
}

/// Loads the configuration (and the certificate, with HTTPS) again, off the event loop, and
/// swaps it in, or keeps the running one.
pub(super) async fn reload(
    reloading: &Reloading,
    shared: &Shared,
    running: &ServerSettings,
    cause: &str,
) {
    let layers = reloading.layers.clone();
    let observing = Observing {
        observer: Arc::clone(&reloading.observing.observer),
        every_decision: reloading.observing.every_decision,
    };
    let origin_sets = reloading.origin_sets.clone();
    let https = reloading.tls.is_some();
    let running_identity = reloading.tls.as_ref().map(|tls| tls.current());
    let loaded_by = cause.to_owned();
    let loading = move || -> Result<_, settings::Problems> {
        let mut loaded = settings::load_observed(&layers, Some(&observing), &origin_sets)?;
        // Plain HTTP stays plain: the files are only read when HTTPS is running. A certificate
        // browsers would refuse, or one that drops names the running one has: warnings, or
        // (tls_strict) the problems that refuse the reload.
        let identity = if https {
            super::tls::load_identity(&mut loaded, running_identity.as_deref())?
        } else {
            None
        };
        // Describing a large policy takes time too: not on the event loop either.
        let info = PolicyInfo::new(&loaded, &loaded_by);
        let origins = policy_info::origin_count(&loaded.cors);
        Ok((loaded, identity, info, origins))
    };
    let Ok(loaded) = tokio::task::spawn_blocking(loading).await else {
        shared.metrics.reload(ReloadResult::Refused);
        tracing::error!(
            cause,
            "loading the configuration failed: the running policy stays"
        );
        return;
    };
    match loaded {
        Ok((loaded, identity, info, origins)) => {
            logging::log_warnings(&loaded.warnings);
            warn_about_restart_only_settings(running, &loaded.server);
            if loaded.admin != reloading.admin {
                tracing::warn!(
                    "[admin] listen only changes on restart; the admin listener stays where it is"
                );
            }
            warn_about_new_sources(&reloading.origins_sources, &loaded.origins_sources);
            if https != loaded.server.tls_files().is_some() {
                tracing::warn!(
                    "HTTPS is turned on or off (tls_cert, tls_key) only by a restart; the running listener stays as it is"
                );
            }
            if let (Some(tls), Some(identity)) = (&reloading.tls, identity) {
                let certificate = identity.describe();
                tls.replace(identity);
                tracing::info!(
                    cause,
                    certificate,
                    "certificate reloaded: new connections get it"
                );
            }
            shared.metrics.set_policy_origins(origins);
            let policy = loaded.cors;
            let active = Active::new(&loaded.server, Arc::new(info));
            tracing::info!(cause, upstream = %active.route.upstream, %policy, version = %active.info.version, "configuration reloaded");
            shared.replace(policy, active);
            shared.metrics.reload(ReloadResult::Ok);
        }
        Err(problems) => {
            shared.metrics.reload(ReloadResult::Refused);
            logging::log_problems(&problems);
            tracing::error!(
                cause,
                "the new configuration is invalid: the running policy stays{}",
                if https {
                    ", and so does the certificate"
                } else {
                    ""
                }
            );
        }
    }
}

/// Sources start with the process: a reload keeps the running ones, and each policy consults
/// the set of the source it declares, by the source's identity (so a route moved in the file
/// keeps its own tenants). Says so when the sources changed, naming each source the reload
/// declares that is not running, whose route allows none of its origins until a restart.
fn warn_about_new_sources(running: &[OriginsSource], loaded: &[OriginsSource]) {
    if running == loaded {
        return;
    }
    tracing::warn!(
        "origins sources ([cors.origins_source] and the routes') only start on restart; the running sources stay, and each route consults the set of the source it declares"
    );
    for source in loaded {
        if !running.iter().any(|r| r.store == source.store) {
            tracing::warn!(
                source = %source.subject,
                store = %format!("{} {}", source.store.url(), source.store.what()),
                "this origins source is not running: its policy allows none of its origins until a restart"
            );
        }
    }
}

/// Listener settings are bound at start; say so when a reload changes them (the `[server]`
/// table marks which keys only a restart applies).
fn warn_about_restart_only_settings(running: &ServerSettings, new: &ServerSettings) {
    if running.restart_only_changes(new).next().is_some() {
        tracing::warn!(
            "[server] listen, timeouts, limits, workers and upstream_http2 only change on restart; the new CORS policy and upstream are applied"
        );
    }
}
