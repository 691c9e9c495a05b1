//! What each request goes through: the edge checks (a refused request is answered, logged and
//! counted without any CORS decision or forwarding); then the current policy (read once per
//! request, so a reload never changes the rules in the middle of one) decides once, and its
//! observer counts the decision; a preflight is answered here, anything else is forwarded and
//! its response gets the CORS headers; then the access log, and the request's duration.
//!
//! Each worker is the [`Handler`] of its connections: the CORS side of `corsair serve`, on top
//! of the HTTP plumbing of [`super::http`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use arc_swap::ArcSwap;
use corsair::{Cors, Decision, ReloadableCors, RequestKind};
use http::header::{
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderName, ORIGIN,
};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use tokio::sync::mpsc;

use super::access_log::AccessRecord;
use super::guard::{self, Guard};
use super::http::edge::{self, Rejection};
use super::http::fast;
use super::http::forward::{Aborted, Forwarder, Forwarding, ProxyBody, Route, own_response};
use super::http::listener::{Begin, Connection, Handler};
use super::http::upstream_client::UpstreamClient;
use super::metrics::Metrics;
use super::origin_stores::SourceStatus;
use super::policy_info::PolicyInfo;
use crate::settings::ServerSettings;

/// What a reload replaces beside the policy: where to forward, and what `/policy` says.
#[derive(Debug, Clone)]
pub(super) struct Active {
    /// The upstream.
    pub route: Arc<Route>,
    /// The policy as `/policy` shows it.
    pub info: Arc<PolicyInfo>,
    /// `allowed_hosts` and `refuse_disallowed_origins`.
    pub guard: Guard,
}

impl Active {
    /// The route `server` sets, and `info`, the policy loaded with it (at start, and by each
    /// reload).
    pub(super) fn new(server: &ServerSettings, info: Arc<PolicyInfo>) -> Active {
        Active {
            route: Arc::new(Route::new(server)),
            info,
            guard: Guard::new(server),
        }
    }
}

/// The state shared by every connection of every worker.
pub(super) struct Shared {
    /// The CORS policy; a reload replaces it with `active` ([`Shared::replace`]).
    pub policy: ReloadableCors,
    /// The active route and policy description; a reload replaces it with `policy`.
    pub active: ArcSwap<Active>,
    /// How every request is forwarded (built at start; a reload leaves it).
    pub forwarding: Forwarding,
    /// The process's metrics (the same registry across reloads).
    pub metrics: Arc<Metrics>,
    /// The state of each origins source (bound at start).
    pub sources: Vec<Arc<SourceStatus>>,
    /// How many times [`Shared::replace`] has replaced the policy and `active`: a connection
    /// that kept both from an earlier request takes them again only when this has moved.
    replaced: AtomicU64,
}

impl Shared {
    /// The state of a process that starts with `policy` and `active`.
    pub(super) fn new(
        policy: Cors,
        active: Active,
        forwarding: Forwarding,
        metrics: Arc<Metrics>,
        sources: Vec<Arc<SourceStatus>>,
    ) -> Shared {
        Shared {
            policy: Cors::reloadable(policy),
            active: ArcSwap::from_pointee(active),
            forwarding,
            metrics,
            sources,
            replaced: AtomicU64::new(0),
        }
    }

    /// Replaces the policy and `active` (a reload): requests that begin from now on use them.
    pub(super) fn replace(&self, policy: Cors, active: Active) {
        self.policy.handle().store(policy);
        self.active.store(Arc::new(active));
        // After both stores: whoever reads the new count takes the new values.
        self.replaced.fetch_add(1, Ordering::Release);
    }
}

/// What the connections of one worker thread share: the process-wide state, and the worker's
/// own pool of upstream connections (so that a request and its upstream connection are served
/// by the same event loop).
pub(super) struct Worker {
    /// The process-wide state.
    pub shared: Arc<Shared>,
    /// The pooled client to the upstream.
    pub client: UpstreamClient,
    /// Cloned into each tunnel of an upgraded connection; the worker waits for all clones to
    /// be dropped when it stops.
    pub tunnels: mpsc::Sender<()>,
}

/// What the fast path keeps of a request from its decision to its end: the decision and its
/// log line (the policy that decided is the connection's [`Snapshot`], which a reload in
/// between does not change).
pub(super) struct FastExchange {
    /// When it began, if anyone reads how long it took.
    started: Option<Instant>,
    decision: Option<Decision>,
    record: AccessRecord,
}

/// What a fast-path connection serves its requests with: the policy, and the route and guard
/// loaded with it.
pub(super) struct Snapshot {
    cors: Cors,
    active: Arc<Active>,
    /// `Shared::replaced` when they were taken.
    taken_at: u64,
}

/// The request headers a decision reads (`corsair serve` installs no origin hook, which could
/// read others).
static DECISION_READS: [HeaderName; 4] = [
    ORIGIN,
    ACCESS_CONTROL_REQUEST_METHOD,
    ACCESS_CONTROL_REQUEST_HEADERS,
    corsair::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
];

impl Handler for Worker {
    type Exchange = FastExchange;
    type Snapshot = Snapshot;

    fn reads(&self) -> &'static [HeaderName] {
        &DECISION_READS
    }

    fn forwarding(&self) -> &Forwarding {
        &self.shared.forwarding
    }

    fn snapshot(&self, previous: Option<Snapshot>) -> Snapshot {
        // Read before the values: a replacement under way is seen by the next request.
        let replaced = self.shared.replaced.load(Ordering::Acquire);
        match previous {
            Some(previous) if previous.taken_at == replaced => previous,
            _ => Snapshot {
                cors: self.shared.policy.current(),
                active: self.shared.active.load_full(),
                taken_at: replaced,
            },
        }
    }

    fn route<'s>(&self, snapshot: &'s Snapshot) -> &'s Route {
        &snapshot.active.route
    }

    fn begin(
        &self,
        snapshot: &Snapshot,
        method: &Method,
        target: &str,
        host: &[u8],
        headers: &HeaderMap,
    ) -> Begin<FastExchange> {
        // The clock is read only when someone reads the duration (the access log, the
        // metrics): twice per request, it was about 400 instructions of a preflight's 9,000.
        let started = (AccessRecord::logs_requests() || self.shared.metrics.counts_requests())
            .then(Instant::now);
        let active = &snapshot.active;
        let scheme = self.shared.forwarding.client_scheme;
        if active.guard.check_host(Some(host), scheme).is_err() {
            return Begin::HandOver;
        }
        let cors = &snapshot.cors;
        // `corsair serve` installs no asynchronous origin hook: the decision is made now.
        let decision = cors.evaluate_target(method, target, headers).now();
        if active
            .guard
            .check_origin(decision.as_ref(), headers, scheme, Some(host))
            .is_err()
        {
            return Begin::HandOver;
        }
        let record = AccessRecord::capture_head(method, target, headers, cors, decision.as_ref());
        // A preflight's answer, as `Cors::preflight_response` makes it.
        let answer = match &decision {
            Some(decision) if decision.kind() == RequestKind::Preflight => {
                Some(StatusCode::NO_CONTENT)
            }
            _ => None,
        };
        let owns_cors = owns_cors(decision.as_ref());
        let exchange = FastExchange {
            started,
            decision,
            record,
        };
        match answer {
            Some(answer) => Begin::Answer(exchange, answer),
            None => Begin::Forward(exchange, owns_cors),
        }
    }

    fn answer(
        &self,
        snapshot: &Snapshot,
        exchange: &FastExchange,
        lines: &mut Vec<u8>,
        headers: &mut HeaderMap,
    ) {
        if let Some(decision) = &exchange.decision {
            if !snapshot.cors.write_preflight_lines(decision, lines) {
                snapshot.cors.write_preflight_headers(decision, headers);
            }
        }
    }

    fn respond<'v>(
        &self,
        snapshot: &Snapshot,
        exchange: &FastExchange,
        vary: impl Iterator<Item = &'v [u8]> + Clone,
        lines: &mut Vec<u8>,
    ) {
        match &exchange.decision {
            Some(decision) => snapshot.cors.write_actual_lines(decision, vary, lines),
            None => fast::write_vary_lines(lines, vary),
        }
    }

    fn end(&self, _: &Snapshot, exchange: FastExchange, status: StatusCode) {
        // Nobody reads it when the request was not timed.
        let elapsed = exchange
            .started
            .map(|started| started.elapsed())
            .unwrap_or_default();
        exchange.record.log(status, elapsed);
        if let Some(decision) = &exchange.decision {
            self.shared
                .metrics
                .request_answered(decision.kind(), elapsed);
        }
    }

    fn handle(
        self: Arc<Self>,
        connection: Connection,
        request: Request<Incoming>,
    ) -> impl Future<Output = Result<Response<ProxyBody>, Aborted>> + Send + 'static {
        handle(self, connection, request)
    }
}

/// Answers one request that arrived on `connection`: a preflight on a CORS path here, anything
/// else by forwarding it, with the CORS headers added to the upstream's response.
async fn handle(
    worker: Arc<Worker>,
    connection: Connection,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, Aborted> {
    let started = Instant::now();
    let shared = &worker.shared;
    if let Err(rejection) = edge::check(&request) {
        shared.metrics.edge_answer(rejection.status);
        return Ok(unread_body_closes(
            &request,
            refuse(&request, &rejection, started),
        ));
    }
    let active = shared.active.load_full();
    let scheme = shared.forwarding.client_scheme;
    let host = guard::request_host(request.uri(), request.headers());
    if let Err(rejection) = active.guard.check_host(host, scheme) {
        shared.metrics.edge_answer(rejection.status);
        return Ok(unread_body_closes(
            &request,
            refuse(&request, &rejection, started),
        ));
    }
    let cors = &shared.policy.current();
    // `corsair serve` installs no asynchronous origin hook, so the decision is always made now.
    let decision = cors
        .evaluate(request.method(), request.uri(), request.headers())
        .now();
    if let Err(rejection) =
        active
            .guard
            .check_origin(decision.as_ref(), request.headers(), scheme, host)
    {
        shared.metrics.edge_answer(rejection.status);
        return Ok(unread_body_closes(
            &request,
            refuse(&request, &rejection, started),
        ));
    }
    let record = AccessRecord::capture(&request, cors, decision.as_ref());
    let response = match &decision {
        Some(decision) if decision.kind() == RequestKind::Preflight => {
            unread_body_closes(&request, cors.preflight_response(decision))
        }
        _ => {
            let forwarder = Forwarder {
                forwarding: &shared.forwarding,
                client: &worker.client,
                route: &active.route,
                connection: &connection,
                tunnels: &worker.tunnels,
                owns_cors: owns_cors(decision.as_ref()),
            };
            let mut response = match forwarder.forward(request).await {
                Ok(response) => response,
                Err(aborted) => {
                    record.log(StatusCode::REQUEST_TIMEOUT, started.elapsed());
                    return Err(aborted);
                }
            };
            if let Some(decision) = &decision {
                cors.apply(decision, response.headers_mut());
            }
            response
        }
    };
    let elapsed = started.elapsed();
    record.log(response.status(), elapsed);
    if let Some(decision) = &decision {
        shared.metrics.request_answered(decision.kind(), elapsed);
    }
    Ok(response)
}

/// Whether corsair owns CORS on the request's path, from the engine's `decision`: there is one,
/// and it does not leave the path to the upstream ([`RequestKind::Bypass`]: outside
/// `urls_regex`). There the upstream's `Access-Control-*` headers are removed; elsewhere they
/// pass through.
fn owns_cors(decision: Option<&Decision>) -> bool {
    decision.is_some_and(|decision| decision.kind() != RequestKind::Bypass)
}

/// corsair's own answer to a request refused at the edge, logged with its status and reason.
fn refuse<B>(request: &Request<B>, rejection: &Rejection, started: Instant) -> Response<ProxyBody> {
    tracing::info!(
        target: "corsair::access",
        method = %request.method(),
        path = %super::logging::loggable(request.uri().path()),
        status = rejection.status.as_u16(),
        reason = rejection.reason,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "refused at the edge",
    );
    let mut response = own_response(rejection.status, rejection.body);
    if rejection.body.is_empty() {
        response.headers_mut().remove(http::header::CONTENT_TYPE);
    }
    if rejection.allow {
        response.headers_mut().insert(
            http::header::ALLOW,
            http::HeaderValue::from_static(edge::ALLOWED_METHODS),
        );
    }
    response
}

/// `response`, with `Connection: close` when the request has a body that is not read: the
/// connection cannot carry another request after it.
fn unread_body_closes<B: hyper::body::Body>(
    request: &Request<B>,
    mut response: Response<ProxyBody>,
) -> Response<ProxyBody> {
    if !request.body().is_end_stream() {
        response.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corsair_owns_cors_on_every_path_it_does_not_bypass() {
        let cors = Cors::builder()
            .allowed_origins(["https://app.example"])
            .allow_methods(["GET", "PUT"])
            .urls_regex("^/api/")
            .build()
            .unwrap();
        /// (method, path, headers, owned)
        type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], bool);
        let table: [Case<'_>; 6] = [
            (
                "GET",
                "/static/x.js",
                &[("origin", "https://app.example")],
                false,
            ),
            ("GET", "/static/x.js", &[], false),
            ("GET", "/api/x", &[], true),
            ("GET", "/api/x", &[("origin", "https://app.example")], true),
            ("GET", "/api/x", &[("origin", "https://evil.example")], true),
            (
                "OPTIONS",
                "/api/x",
                &[
                    ("origin", "https://evil.example"),
                    ("access-control-request-method", "PUT"),
                ],
                true,
            ),
        ];
        for (method, path, headers, owned) in table {
            let mut request = Request::builder().method(method).uri(path);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let request = request.body(()).unwrap();
            let decision = cors
                .evaluate(request.method(), request.uri(), request.headers())
                .now();
            assert_eq!(
                owns_cors(decision.as_ref()),
                owned,
                "{method} {path} {headers:?}"
            );
        }
        assert!(!owns_cors(None));
    }
}
