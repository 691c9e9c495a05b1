//! The service each connection runs: the current policy (read once per request, so a reload
//! never changes the rules in the middle of one) layered over the forwarder, and the access log.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use corsair::Cors;
use http::{Request, Response};
use hyper::body::Incoming;
use tower::{Layer, ServiceExt};

use super::access_log::AccessRecord;
use super::forward::{Forwarder, ProxyBody, Route, UpstreamClient};

/// What a reload replaces: the policy and where to forward.
#[derive(Debug, Clone)]
pub struct Active {
    /// The CORS policy.
    pub cors: Cors,
    /// The upstream.
    pub route: Arc<Route>,
}

/// The state shared by every connection of every worker.
pub struct Shared {
    /// The active policy and route; replaced atomically by a reload.
    pub active: ArcSwap<Active>,
    /// How long the upstream may take to send its response head.
    pub upstream_timeout: Duration,
    /// How long either side may pause in the middle of a body.
    pub idle_timeout: Duration,
}

/// What the connections of one worker thread share: the process-wide state, and the worker's
/// own pool of upstream connections (so that a request and its upstream connection are served
/// by the same event loop).
pub struct Worker {
    /// The process-wide state.
    pub shared: Arc<Shared>,
    /// The pooled client to the upstream.
    pub client: UpstreamClient,
}

/// Answers one request of the client at `peer`.
pub async fn handle(
    worker: Arc<Worker>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, Infallible> {
    let started = Instant::now();
    let shared = &worker.shared;
    let active = shared.active.load_full();
    let record = AccessRecord::capture(&request, &active.cors);
    let forwarder = Forwarder {
        client: worker.client.clone(),
        route: Arc::clone(&active.route),
        peer,
        upstream_timeout: shared.upstream_timeout,
        idle_timeout: shared.idle_timeout,
        owns_cors: record.is_cors_path(),
    };
    let response = active.cors.layer(forwarder).oneshot(request).await?;
    record.log(response.status(), started.elapsed());
    Ok(response)
}
