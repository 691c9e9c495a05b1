//! The admin listener: a small HTTP/1.1 server of its own (hyper, on the main thread's event
//! loop, apart from the proxy's listener, workers and limits) that answers operators and their
//! tools: `GET /metrics` (Prometheus text format), `GET /healthz` (200 while the process
//! serves), `GET /readyz` (200 while the proxy accepts connections, 503 from the moment
//! shutdown begins, so a load balancer stops sending before the grace period ends), and
//! `GET /policy` (the running policy, as JSON). Anything else is a 404. It keeps answering
//! during the grace period, until the process exits.

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
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::metrics;
use super::proxy::Shared;

/// Admin connections served at once; more wait to be accepted.
const MAX_CONNECTIONS: usize = 64;
/// How long a client may take to send a request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether the proxy is ready for traffic: what `/readyz` answers.
#[derive(Debug, Default)]
pub struct Readiness(AtomicU8);

const STARTING: u8 = 0;
const READY: u8 = 1;
const STOPPING: u8 = 2;

impl Readiness {
    /// The policy is loaded and the proxy's listener accepts.
    pub fn accepting(&self) {
        let _ = self
            .0
            .compare_exchange(STARTING, READY, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Shutdown has begun: no new connections; requests in flight finish.
    pub fn stopping(&self) {
        self.0.store(STOPPING, Ordering::SeqCst);
    }

    fn state(&self) -> u8 {
        self.0.load(Ordering::SeqCst)
    }
}

/// What the admin endpoints read.
pub struct Admin {
    /// The running policy (and its `/policy` document), and the metrics.
    pub shared: Arc<Shared>,
    /// What `/readyz` answers.
    pub readiness: Arc<Readiness>,
}

/// Serves the admin endpoints on `listener` until the process ends.
pub async fn serve(listener: TcpListener, admin: Arc<Admin>) {
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = Arc::clone(&limit).acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "admin listener: accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let admin = Arc::clone(&admin);
        tokio::spawn(async move {
            let _permit = permit;
            let service = service_fn(move |request| {
                let admin = Arc::clone(&admin);
                async move { Ok::<_, Infallible>(answer(&admin, &request).await) }
            });
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(error) = served {
                tracing::debug!(%peer, %error, "admin connection ended with an error");
            }
        });
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
pub async fn bind(address: SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(address)
        .await
        .map_err(|error| format!("cannot listen on {address} for the admin endpoints: {error}"))
}
