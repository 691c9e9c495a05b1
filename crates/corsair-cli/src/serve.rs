//! `corsair serve`: a reverse proxy that gives any HTTP backend the engine's CORS.
//!
//! Preflights are answered by the engine and never forwarded; every other request is forwarded
//! with its method, target, headers and body, and the response (the upstream's, or corsair's own
//! `502`/`504`) comes back with the CORS headers. Bodies stream in both directions. Clients
//! speak plain HTTP, or HTTPS when `tls_cert` and `tls_key` are set (HTTP/2 or HTTP/1.1 by
//! ALPN); the upstream is spoken to over HTTP/1.1, or HTTP/2 with `upstream_http2`. With
//! `[admin] listen`, a listener of its own serves metrics, health and the running policy.

mod access_log;
mod admin;
mod guard;
mod http;
mod logging;
mod metrics;
mod origin_stores;
mod policy_info;
mod proxy;
mod reload;
mod report_only;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::settings::{self, ConfigFile, Diagnostic, Layers, Loaded, ServerSettings};
use admin::{Admin, Readiness};
use http::forward::Forwarding;
use http::listener::{self, Accepted};
use http::{tls, upstream_client};
use logging::LogFormat;
use metrics::Metrics;
use policy_info::PolicyInfo;
use proxy::{Active, Shared, Worker};

/// Arguments of `corsair serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The configuration file (default: ./corsair.toml if it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    flags: settings::Flags,
    /// Reload when the configuration file changes (SIGHUP always reloads).
    #[arg(long)]
    watch: bool,
    /// The log format. RUST_LOG sets the level (`RUST_LOG=debug` explains each refused
    /// CORS request).
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// Runs `corsair serve`: exit 0 after a graceful stop, 2 when the configuration is invalid or the
/// address cannot be bound.
pub(crate) fn run(args: Args) -> ExitCode {
    let layers = Layers {
        file: args
            .config
            .clone()
            .map_or(ConfigFile::DefaultIfPresent, ConfigFile::Named),
        env: Some(settings::process_environment()),
        flags: args.flags.clone(),
    };
    let invalid = |problems: &[Diagnostic]| {
        eprint!("{}", settings::render_all(problems));
        eprintln!("\ncorsair serve: the configuration is invalid, not starting");
        ExitCode::from(2)
    };
    // One registry for the process's life: every policy loaded gets the same observer, where
    // its answers are read.
    let metrics = Arc::new(Metrics::new());
    let observing = settings::Observing {
        observer: metrics.observer(),
        every_decision: None,
    };
    // One set per origins source for the process's life: every policy loaded consults them.
    let origin_sets = settings::OriginSets::default();
    let mut loaded = match settings::load_observed(&layers, Some(&observing), &origin_sets) {
        Ok(loaded) => loaded,
        Err(problems) => return invalid(&problems),
    };
    let tls = match load_tls(&mut loaded) {
        Ok(tls) => tls.map(Arc::new),
        Err(problems) => return invalid(&problems),
    };
    // Reloads read the file that was found at start, and say so when it can no longer be read.
    let mut layers = layers;
    if let (ConfigFile::DefaultIfPresent, Some(found)) = (&layers.file, &loaded.file) {
        layers.file = ConfigFile::Named(found.clone());
    }
    logging::init(args.log_format);
    // The main thread accepts, and waits for signals and reloads; workers serve connections.
    let Some(runtime) = event_loop("the main thread") else {
        return ExitCode::FAILURE;
    };
    let watched = if args.watch {
        loaded.file.clone()
    } else {
        None
    };
    if args.watch && watched.is_none() {
        tracing::warn!("--watch needs a configuration file; only SIGHUP reloads");
    }
    let reloading = reload::Reloading {
        layers,
        // From now on the running admin listener (a restart changes it) says whether every
        // decision is read.
        observing: settings::Observing {
            every_decision: Some(loaded.admin.listen.is_some()),
            ..observing
        },
        tls: tls.clone(),
        watched,
        admin: loaded.admin.clone(),
        origin_sets,
        origins_sources: loaded.origins_sources.clone(),
    };
    runtime.block_on(start(loaded, reloading, tls, metrics))
}

/// The certificate and key of `loaded`, when it has them, checked and ready for handshakes;
/// the error is the problem with the file to fix.
fn load_tls(loaded: &mut Loaded) -> Result<Option<tls::Tls>, settings::Problems> {
    let Some(identity) = tls::load_identity(loaded, None)? else {
        return Ok(None);
    };
    let handshake_timeout = loaded.server.header_read_timeout;
    let refused = |message: String| {
        vec![Diagnostic::error(
            "tls-unavailable",
            "server.tls_cert",
            settings::server_source(&loaded.server_sources, "tls_cert"),
            None,
            message,
            "report this: rustls refused the TLS settings corsair builds",
        )]
    };
    tls::Tls::new(identity, handshake_timeout)
        .map(Some)
        .map_err(refused)
}

/// Starts serving `loaded`, serves until SIGINT or SIGTERM, and stops gracefully: exit 0, or 2
/// when an address cannot be bound or a required origins source cannot be read, or 1 when a
/// worker cannot start or did not stop cleanly.
async fn start(
    loaded: Loaded,
    reloading: reload::Reloading,
    tls: Option<Arc<tls::Tls>>,
    metrics: Arc<Metrics>,
) -> ExitCode {
    let Some(bound) = bind(&loaded).await else {
        return ExitCode::from(2);
    };
    if bound.admin.is_none() {
        // Nobody can read per-request metrics, and an admin listener only starts on a restart.
        metrics.without_reader();
    }
    let Some(sources) = start_sources(&loaded, &metrics).await else {
        return ExitCode::from(2);
    };
    let server = loaded.server.clone();
    // Caught before corsair says it listens: a SIGHUP sent right after never stops it.
    let hangups = reload::hangups();
    let shared = shared_state(loaded, bound.address, tls.as_deref(), metrics, sources);
    let readiness = Arc::new(Readiness::default());
    let admin_address = bound
        .admin
        .and_then(|admin| spawn_admin(admin, &shared, &readiness));
    let reloads = hangups.map(|hangups| {
        tokio::spawn(reload::run(
            reloading,
            hangups,
            Arc::clone(&shared),
            server.clone(),
        ))
    });
    let Some(workers) = spawn_workers(&shared, &server, tls.as_deref()) else {
        return ExitCode::FAILURE;
    };
    readiness.accepting();
    if let Some(admin) = admin_address {
        tracing::info!("admin endpoints (/metrics, /healthz, /readyz, /policy) at http://{admin}");
    }
    serve_until_stopped(bound.listener, workers, &server, &readiness, reloads).await
}

/// The listeners, bound before anything else starts.
struct Bound {
    /// The proxy's.
    listener: TcpListener,
    /// The proxy's address (the port the system chose, for `:0`).
    address: SocketAddr,
    /// The admin endpoints', with `[admin] listen`.
    admin: Option<TcpListener>,
}

/// Binds the proxy's address and the admin one; `None`, logged, when either cannot be bound.
async fn bind(loaded: &Loaded) -> Option<Bound> {
    let listen = loaded.server.listen;
    let listener = match TcpListener::bind(listen).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%listen, %error, "cannot listen");
            return None;
        }
    };
    let address = listener.local_addr().unwrap_or(listen);
    let admin = match loaded.admin.listen {
        Some(admin) => match admin::bind(admin).await {
            Ok(bound) => Some(bound),
            Err(error) => {
                let source = settings::server_source(&loaded.admin_sources, "listen");
                tracing::error!(listen = %admin, %source, "{error}");
                return None;
            }
        },
        None => None,
    };
    Some(Bound {
        listener,
        address,
        admin,
    })
}

/// Starts the origins sources. The tenant origins are loaded before corsair says it listens (a
/// required source that cannot be read stops it here: `None`, logged); the sources then keep
/// them up to date.
async fn start_sources(
    loaded: &Loaded,
    metrics: &Metrics,
) -> Option<Vec<Arc<origin_stores::SourceStatus>>> {
    let mut sources = Vec::new();
    for source in &loaded.origins_sources {
        let set = loaded.origin_sets.get(&source.store);
        let source_metrics = metrics.source(&source.subject);
        match origin_stores::start(source.clone(), set, source_metrics).await {
            Ok(status) => sources.push(status),
            Err(down) => {
                tracing::error!("{down}");
                return None;
            }
        }
    }
    Some(sources)
}

/// The state every connection shares, built from `loaded` (once the policy it carries is
/// announced).
fn shared_state(
    loaded: Loaded,
    address: SocketAddr,
    tls: Option<&tls::Tls>,
    metrics: Arc<Metrics>,
    sources: Vec<Arc<origin_stores::SourceStatus>>,
) -> Arc<Shared> {
    let info = Arc::new(PolicyInfo::new(&loaded, "start"));
    metrics.set_policy_origins(policy_info::origin_count(&loaded.cors));
    announce(&loaded, address, tls, &info);
    let scheme = client_scheme(tls);
    let server = &loaded.server;
    let forwarding = Forwarding::new(server, scheme, Arc::clone(&metrics) as _);
    Arc::new(Shared::new(
        loaded.cors,
        Active::new(server, info),
        forwarding,
        metrics,
        sources,
    ))
}

/// Says that corsair listens on `address`, with which file, upstream, workers, certificate and
/// policy; then the configuration's warnings.
fn announce(loaded: &Loaded, address: SocketAddr, tls: Option<&tls::Tls>, info: &PolicyInfo) {
    let server = &loaded.server;
    let config = loaded
        .file
        .as_ref()
        .map_or_else(|| "none".to_owned(), |f| f.display().to_string());
    let scheme = client_scheme(tls);
    let certificate = tls.map_or_else(|| "none".to_owned(), |tls| tls.current().describe());
    tracing::info!(
        config,
        upstream = %server.upstream,
        upstream_http2 = server.upstream_http2,
        workers = server.worker_count(),
        certificate,
        policy = %loaded.cors,
        version = %info.version,
        "corsair serve is listening on {scheme}://{address}"
    );
    logging::log_warnings(&loaded.warnings);
}

/// The scheme clients use: `https` when corsair speaks TLS to them.
fn client_scheme(tls: Option<&tls::Tls>) -> &'static str {
    if tls.is_some() { "https" } else { "http" }
}

/// Serves the admin endpoints on `listener`; the address they are at, when it can be read.
fn spawn_admin(
    listener: TcpListener,
    shared: &Arc<Shared>,
    readiness: &Arc<Readiness>,
) -> Option<SocketAddr> {
    let address = listener.local_addr().ok();
    let admin = Arc::new(Admin {
        shared: Arc::clone(shared),
        readiness: Arc::clone(readiness),
    });
    tokio::spawn(admin::serve(listener, admin));
    address
}

/// The worker threads, and how the acceptor hands each one its connections.
struct Workers {
    senders: Vec<mpsc::UnboundedSender<Accepted>>,
    threads: Vec<std::thread::JoinHandle<bool>>,
}

/// Starts `server.workers` worker threads; `None`, logged, when one cannot be started.
fn spawn_workers(
    shared: &Arc<Shared>,
    server: &ServerSettings,
    tls: Option<&tls::Tls>,
) -> Option<Workers> {
    let count = server.worker_count();
    let mut workers = Workers {
        senders: Vec::with_capacity(count),
        threads: Vec::with_capacity(count),
    };
    for index in 0..count {
        let (sender, incoming) = mpsc::unbounded_channel();
        let worker = WorkerStart {
            incoming,
            shared: Arc::clone(shared),
            server: server.clone(),
            tls: tls.map(tls::Tls::acceptor),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("corsair-worker-{index}"))
            .spawn(move || worker.run());
        match spawned {
            Ok(thread) => {
                workers.senders.push(sender);
                workers.threads.push(thread);
            }
            Err(error) => {
                tracing::error!(%error, "cannot start a worker thread");
                return None;
            }
        }
    }
    Some(workers)
}

/// Accepts connections for the workers until SIGINT or SIGTERM (from then on `/readyz` says
/// so) and `shutdown_delay` after it, then stops reloading and waits for the workers to finish: exit 0, or 1 when one did
/// not stop cleanly.
async fn serve_until_stopped(
    listener: TcpListener,
    workers: Workers,
    server: &ServerSettings,
    readiness: &Readiness,
    reloads: Option<tokio::task::JoinHandle<()>>,
) -> ExitCode {
    let Workers { senders, threads } = workers;
    let stop = async {
        stop_requested().await;
        // From now on a load balancer is told to stop sending.
        readiness.stopping();
        // Until it has stopped, new connections are still accepted and served.
        let delay = server.shutdown_delay;
        if !delay.is_zero() {
            tracing::info!(
                ?delay,
                "still accepting through shutdown_delay; /readyz answers 503"
            );
            tokio::time::sleep(delay).await;
        }
    };
    listener::accept(listener, senders, server.max_connections, stop).await;
    tracing::info!(grace = ?server.shutdown_grace, "stopping: no new connections, finishing requests in flight");
    if let Some(reloads) = reloads {
        reloads.abort();
    }
    let joined = tokio::task::spawn_blocking(move || {
        threads
            .into_iter()
            .all(|thread| thread.join().is_ok_and(|served| served))
    })
    .await;
    if joined.unwrap_or(false) {
        tracing::info!("stopped");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What a worker thread starts with.
struct WorkerStart {
    incoming: mpsc::UnboundedReceiver<Accepted>,
    shared: Arc<Shared>,
    server: ServerSettings,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl WorkerStart {
    /// Serves the connections it is handed on this thread's own event loop until the acceptor
    /// stops; `false` when the worker could not start.
    fn run(self) -> bool {
        let Some(runtime) = event_loop("a worker") else {
            return false;
        };
        let WorkerStart {
            incoming,
            shared,
            server,
            tls,
        } = self;
        runtime.block_on(async move {
            let (tunnels, open_tunnels) = mpsc::channel(1);
            let worker = Arc::new(Worker {
                shared,
                client: upstream_client::build(&server),
                tunnels,
            });
            listener::serve(incoming, worker, open_tunnels, &server, tls).await;
            true
        })
    }
}

/// A single-threaded event loop for the calling thread (`whose`, for the error message).
fn event_loop(whose: &str) -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => Some(runtime),
        Err(error) => {
            tracing::error!(%error, "cannot start the event loop of {whose}");
            None
        }
    }
}

/// Completes on SIGINT or SIGTERM.
async fn stop_requested() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
        Some(_) = async { terminate.as_mut()?.recv().await } => tracing::info!("SIGTERM received"),
    }
}

/// The fast path's differential check against the general path (the cargo-fuzz target
/// `fast_path`): panics when the same client bytes would reach the upstream otherwise.
#[cfg(feature = "fuzzing")]
pub(crate) fn fast_path_differential(input: &[u8]) {
    let _compared = http::fast::differential::check(input);
}
