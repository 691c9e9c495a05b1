//! The admin listener: a small HTTP/1.1 server of its own (hyper, on the main thread's event
//! loop, apart from the proxy's listener, workers and limits) that answers operators and their
//! tools: `GET /metrics` (Prometheus text format), `GET /healthz` (200 while the process
//! serves), `GET /readyz` (200 while the proxy accepts connections, 503 from the moment
//! shutdown begins, so a load balancer stops sending before the grace period ends), and
//! `GET /policy` (the running policy, as JSON). Anything else is a 404. It keeps answering
//! during the grace period, until the process exits.
//!
//! Health answers stay available under connection pressure: a connection must send its request
//! head within a few seconds (the first, and each next one on a keep-alive connection), and
//! once every connection slot is taken, a new connection takes the slot of the oldest one that
//! is not answering a request ([`slots`]). Idle or slow sockets, however many, never keep a
//! probe waiting.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};

use super::metrics;
use super::proxy::Shared;
use slots::{Slot, Slots};

mod slots;

/// Admin connections open at once; a new one beyond takes the slot of the oldest idle one.
const MAX_CONNECTIONS: usize = 64;
/// How long a client may take to send a request head, the first or the next on a keep-alive
/// connection (so also how long an idle connection stays open): probes and scrapers send
/// their requests at once.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an evicted connection may take to finish what it is doing before it is dropped.
const EVICTED_GRACE: Duration = Duration::from_secs(1);
/// The least time between two connections that each close an idle one to take its slot. A
/// connection is the newest when accepted and the oldest idle one only after every other slot
/// has changed hands, so while sockets are opened and closed as fast as they can be, this pace
/// gives each new connection `MAX_CONNECTIONS` times it (about 60 ms) to have its request head
/// read before it can be closed; the reopened sockets meanwhile wait in the listen queue.
const DISPLACEMENT_PACE: Duration = Duration::from_millis(1);

/// Whether the proxy is ready for traffic: what `/readyz` answers.
#[derive(Debug, Default)]
pub(super) struct Readiness(AtomicU8);

const STARTING: u8 = 0;
const READY: u8 = 1;
const STOPPING: u8 = 2;

impl Readiness {
    /// The policy is loaded and the proxy's listener accepts.
    pub(super) fn accepting(&self) {
        let _ = self
            .0
            .compare_exchange(STARTING, READY, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Shutdown has begun: no new connections; requests in flight finish.
    pub(super) fn stopping(&self) {
        self.0.store(STOPPING, Ordering::SeqCst);
    }

    fn state(&self) -> u8 {
        self.0.load(Ordering::SeqCst)
    }
}

/// What the admin endpoints read.
pub(super) struct Admin {
    /// The running policy (and its `/policy` document), and the metrics.
    pub shared: Arc<Shared>,
    /// What `/readyz` answers.
    pub readiness: Arc<Readiness>,
}

/// Serves the admin endpoints on `listener` until the process ends.
///
/// Every connection is accepted at once and given a [slot](slots::Slots): idle and slow
/// connections can take at most the slots of the oldest, so `/healthz` and `/readyz` keep
/// answering however many sockets are left open against the listener. Connections that take an
/// idle one's slot are accepted one per [`DISPLACEMENT_PACE`] at most, so sockets reopened as
/// fast as they are closed cannot close a probe before its request has arrived.
pub(super) async fn serve(listener: TcpListener, admin: Arc<Admin>) {
    let slots = Slots::new(MAX_CONNECTIONS);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "admin listener: accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(slot) = slots.admit() else {
            tracing::debug!(%peer, "admin connection refused: every connection is answering a request");
            continue;
        };
        let displaced = slot.displaced_another();
        tokio::spawn(connection(stream, peer, Arc::new(slot), Arc::clone(&admin)));
        // Lets every connection read what it was sent before the next one is accepted: a probe
        // whose request has arrived is answering it (so never evicted) before a stream of
        // reconnecting sockets could make it the oldest.
        tokio::task::yield_now().await;
        // A request that is still on its way (its client sent it a moment after connecting)
        // needs time too: connections that close others are paced, so a flood of reconnecting
        // sockets cannot turn every slot over before it arrives.
        if displaced {
            tokio::time::sleep(DISPLACEMENT_PACE).await;
        }
    }
}

/// Serves one admin connection until it ends, or until another connection takes its slot.
async fn connection(stream: TcpStream, peer: SocketAddr, slot: Arc<Slot>, admin: Arc<Admin>) {
    let serving = Arc::clone(&slot);
    let service = service_fn(move |request| {
        let admin = Arc::clone(&admin);
        // Kept from being evicted while it answers (if it was already, it is closing anyway).
        let guard = serving.serving();
        async move {
            let response = answer(&admin, &request).await;
            drop(guard);
            Ok::<_, Infallible>(response)
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let served = tokio::select! {
        served = connection.as_mut() => served,
        () = slot.evicted() => {
            tracing::debug!(%peer, "admin connection closed: a newer one took its slot");
            // Closes at once unless a request is under way; a head still arriving has a
            // moment to finish.
            connection.as_mut().graceful_shutdown();
            match tokio::time::timeout(EVICTED_GRACE, connection.as_mut()).await {
                Ok(served) => served,
                Err(_) => return,
            }
        }
    };
    if let Err(error) = served {
        tracing::debug!(%peer, %error, "admin connection ended with an error");
    }
}

/// The answer to one admin request.
async fn answer(admin: &Admin, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return text(StatusCode::NOT_FOUND, "not found\n");
    }
    match request.uri().path() {
        "/metrics" => match admin.shared.metrics.encode() {
            Ok(body) => respond(StatusCode::OK, metrics::CONTENT_TYPE, body.into()),
            Err(_) => text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the metrics could not be encoded\n",
            ),
        },
        "/healthz" => text(StatusCode::OK, "ok\n"),
        "/readyz" => match admin.readiness.state() {
            READY => text(StatusCode::OK, "ready\n"),
            STOPPING => text(StatusCode::SERVICE_UNAVAILABLE, "stopping\n"),
            _ => text(StatusCode::SERVICE_UNAVAILABLE, "starting\n"),
        },
        "/policy" => {
            // The document of a large policy takes a while to make the first time: not on
            // the event loop that accepts the proxy's connections.
            let info = Arc::clone(&admin.shared.active.load().info);
            let sources = admin.shared.sources.clone();
            match tokio::task::spawn_blocking(move || info.body(&sources)).await {
                Ok(body) => respond(StatusCode::OK, "application/json", body),
                Err(_) => text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the policy could not be described\n",
                ),
            }
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    respond(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(body.as_bytes()),
    )
}

fn respond(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Binds the admin listener; the error names the address.
pub(super) async fn bind(address: SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(address)
        .await
        .map_err(|error| format!("cannot listen on {address} for the admin endpoints: {error}"))
}
