//! The forwarder: buffers the request body (up to `request_buffer_bytes`), waits for a slot of
//! `max_upstream_requests`, sends the request to the upstream (its `cookie` fields joined into one
//! for HTTP/1.1) and streams its response back, trailers cleaned like the head (or joins the two
//! connections after an accepted upgrade), or answers itself: `400`/`408` when the
//! client's body is malformed or stalls before anything was forwarded, `502`/`504` when the
//! upstream fails, is too slow to answer once the request was sent whole (`upstream_timeout`),
//! or stops reading the request body (`idle_timeout`). Every response it returns (errors
//! included) goes back to the handler (the proxy adds the CORS headers); a client that stalls
//! after part of its body was forwarded gets no answer ([`Aborted`]). Each upstream failure is
//! reported by its kind (connect, timeout, protocol) to [`UpstreamErrors`], also when it cuts a
//! response short after its head.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, TE, UPGRADE};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
use hyper::body::{Frame, Incoming};
use tokio::sync::{Semaphore, mpsc};

use super::buffer_budget::{Budget, Held, Spent};
use super::idle_body::{BoxError, Idle, IdleTimeout};
use super::listener::Connection;
use super::request_body::{self, BodyProgress, ClientError, Refused, Waiting};
use super::upstream_client::UpstreamClient;
use super::upstream_error::{UpstreamError, UpstreamErrors};
use super::{cookies, forwarded, hop_by_hop, upgrade};
use crate::net::error_chain;
use crate::settings::{ServerSettings, Upstream};

/// The exchange was abandoned without an answer: the client stalled after part of its body had
/// been forwarded (the upstream has half a request; the connection is closed).
#[derive(Debug)]
pub(crate) struct Aborted;

impl std::fmt::Display for Aborted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the client stalled in the middle of its request body")
    }
}

impl std::error::Error for Aborted {}

/// The body of every response corsair serves: the upstream's, streamed, or corsair's own.
pub(crate) type ProxyBody = UnsyncBoxBody<Bytes, BoxError>;

/// Where and how requests are forwarded; swapped as a whole on reload.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    /// The upstream server.
    pub upstream: Upstream,
    /// Forward the client's `Host` (else the upstream's authority is sent).
    pub preserve_host: bool,
}

impl Route {
    /// The route `server` sets (`upstream`, `preserve_host`).
    pub(crate) fn new(server: &ServerSettings) -> Route {
        Route {
            upstream: server.upstream.clone(),
            preserve_host: server.preserves_host(),
        }
    }
}

/// How every request is forwarded: the forwarding settings of `[server]`, the process-wide
/// limits they size, and where upstream failures are reported. Built once at start from
/// [`ServerSettings`] (a reload changes none of them: they only change on restart), held by the
/// proxy's shared state and borrowed by each [`Forwarder`].
pub(crate) struct Forwarding {
    /// How long connecting to the upstream may take (`connect_timeout`; the general path's
    /// client has it too).
    pub connect_timeout: Duration,
    /// How long the upstream may take to send its response head once the request was sent
    /// whole (`upstream_timeout`).
    pub upstream_timeout: Duration,
    /// How long either side may pause in the middle of a body (`idle_timeout`).
    pub idle_timeout: Duration,
    /// How much of a request body is read before the upstream is contacted
    /// (`request_buffer_bytes`).
    pub request_buffer_bytes: usize,
    /// The bytes all buffered request bodies of the process may hold together
    /// (`max_buffered_bytes`).
    pub buffers: Arc<Budget>,
    /// How long an upgraded connection may go without a byte either way
    /// (`tunnel_idle_timeout`).
    pub tunnel_idle_timeout: Duration,
    /// The slots of `max_upstream_requests`: requests in flight to the upstream, over every
    /// worker.
    pub upstream_slots: Arc<Semaphore>,
    /// The scheme the clients use: `https` when corsair speaks TLS to them, else `http` (for
    /// `X-Forwarded-Proto`).
    pub client_scheme: &'static str,
    /// Whether requests go to the upstream over HTTP/2 (`upstream_http2`).
    pub upstream_http2: bool,
    /// Where each upstream failure is reported (the metrics count them).
    pub errors: Arc<dyn UpstreamErrors>,
}

impl Forwarding {
    /// The forwarding `server` sets, for clients that speak `client_scheme`, reporting upstream
    /// failures to `errors`.
    pub(crate) fn new(
        server: &ServerSettings,
        client_scheme: &'static str,
        errors: Arc<dyn UpstreamErrors>,
    ) -> Forwarding {
        Forwarding {
            connect_timeout: server.connect_timeout,
            upstream_timeout: server.upstream_timeout,
            idle_timeout: server.idle_timeout,
            request_buffer_bytes: server.request_buffer_bytes,
            buffers: Budget::new(server.max_buffered_bytes),
            tunnel_idle_timeout: server.tunnel_idle_timeout,
            upstream_slots: Arc::new(Semaphore::new(server.max_upstream_requests)),
            client_scheme,
            upstream_http2: server.upstream_http2,
            errors,
        }
    }
}

/// Forwards one request: the process's [`Forwarding`], and what is the request's own.
pub(crate) struct Forwarder<'a> {
    /// How every request is forwarded.
    pub forwarding: &'a Forwarding,
    /// The worker's pooled client.
    pub client: &'a UpstreamClient,
    /// Where to forward: the route active when the request arrived.
    pub route: &'a Route,
    /// The client connection the request arrived on.
    pub connection: &'a Connection,
    /// The worker's count of open tunnels.
    pub tunnels: &'a mpsc::Sender<()>,
    /// Whether corsair owns CORS on the request's path: then the upstream's `Access-Control-*`
    /// headers (and trailers) are removed; elsewhere they pass through.
    pub owns_cors: bool,
}

impl Forwarder<'_> {
    /// Sends `request` to the upstream and returns its response, or corsair's own answer.
    pub(crate) async fn forward(
        self,
        mut request: Request<Incoming>,
    ) -> Result<Response<ProxyBody>, Aborted> {
        let protocol = upgrade::requested(request.version(), request.headers());
        if protocol.is_some() && self.forwarding.upstream_http2 {
            tracing::warn!(peer = %self.connection.peer, "an upgrade (WebSocket) cannot be forwarded over HTTP/2: upstream_http2 is on");
            return Ok(own_response(
                StatusCode::NOT_IMPLEMENTED,
                "corsair: upgrades (WebSocket) are not forwarded to an HTTP/2 upstream\n",
            ));
        }
        let client_upgrade = protocol.is_some().then(|| hyper::upgrade::on(&mut request));
        let (mut parts, body) = request.into_parts();
        // Nothing reaches the upstream before the body is buffered (or the limit reached).
        let held = Held::new(&self.connection.buffers, &self.forwarding.buffers);
        let buffered = request_body::buffer(
            body,
            self.forwarding.request_buffer_bytes,
            self.forwarding.idle_timeout,
            held,
        )
        .await;
        let body = match buffered {
            Ok(body) => body,
            Err(Refused::Client(fault)) => return Ok(self.client_fault(fault, false)),
            Err(Refused::Spent(spent)) => return Ok(self.no_room(spent)),
        };
        let Ok(target) = self.route.upstream.target(parts.uri.path_and_query()) else {
            return Ok(own_response(
                StatusCode::BAD_REQUEST,
                "corsair: the request target cannot be forwarded\n",
            ));
        };
        // HTTP/2 clients send the host as the `:authority` pseudo-header.
        let host = parts.headers.get(HOST).cloned().or_else(|| {
            parts
                .uri
                .authority()
                .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
        });
        // gRPC asks for trailers with `TE: trailers`, the one TE that HTTP/2 carries.
        let trailers =
            self.forwarding.upstream_http2 && hop_by_hop::asks_for_trailers(&parts.headers);
        hop_by_hop::remove(&mut parts.headers);
        if !self.forwarding.upstream_http2 {
            // HTTP/1.1 has one Cookie line; HTTP/2 clients may send one field per cookie.
            cookies::join(&mut parts.headers);
        }
        if trailers {
            parts
                .headers
                .insert(TE, HeaderValue::from_static("trailers"));
        }
        if let Some(protocol) = protocol {
            upgrade::restore(&mut parts.headers, protocol);
        }
        forwarded::add(
            &mut parts.headers,
            self.connection.peer.ip(),
            self.forwarding.client_scheme,
            host.as_ref(),
        );
        forwarded::add_via(&mut parts.headers, parts.version);
        match host.filter(|_| self.route.preserve_host) {
            Some(host) => parts.headers.insert(HOST, host),
            // The client writes the upstream's authority.
            None => parts.headers.remove(HOST),
        };
        parts.uri = target;
        parts.version = if self.forwarding.upstream_http2 {
            Version::HTTP_2
        } else {
            Version::HTTP_11
        };

        let upstream = &self.route.upstream;
        // Held until the response body ends: the request is in flight until then.
        let Ok(slot) = Arc::clone(&self.forwarding.upstream_slots)
            .acquire_owned()
            .await
        else {
            return Ok(own_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "corsair: the server is stopping\n",
            ));
        };
        let progress = body.progress();
        let sent = self.client.request(Request::from_parts(parts, body));
        let response = match self.wait(sent, &progress).await {
            UpstreamWait::Answered(Ok(response)) => response,
            UpstreamWait::Answered(Err(error)) => {
                if let Some(fault) = progress.client_error() {
                    return match fault {
                        ClientError::Malformed => Ok(self.client_fault(fault, true)),
                        ClientError::Stalled => {
                            tracing::info!(peer = %self.connection.peer, timeout = ?self.forwarding.idle_timeout, "client stalled in the middle of its request body: aborted");
                            Err(Aborted)
                        }
                    };
                }
                let cause = error_chain(&error);
                tracing::warn!(%upstream, %cause, "upstream request failed");
                self.forwarding
                    .errors
                    .upstream_error(if error.is_connect() {
                        UpstreamError::Connect
                    } else {
                        UpstreamError::Protocol
                    });
                // The details (addresses, causes) go to the log, not to the client.
                return Ok(own_response(
                    StatusCode::BAD_GATEWAY,
                    "corsair: the upstream server could not be reached\n",
                ));
            }
            UpstreamWait::NoAnswer => {
                progress.abandon();
                self.forwarding
                    .errors
                    .upstream_error(UpstreamError::Timeout);
                tracing::warn!(%upstream, timeout = ?self.forwarding.upstream_timeout, "upstream did not answer in time");
                return Ok(own_response(
                    StatusCode::GATEWAY_TIMEOUT,
                    "corsair: the upstream server did not answer in time\n",
                ));
            }
            UpstreamWait::NotReading => {
                progress.abandon();
                self.forwarding
                    .errors
                    .upstream_error(UpstreamError::Timeout);
                tracing::warn!(%upstream, timeout = ?self.forwarding.idle_timeout, "upstream stopped reading the request body");
                return Ok(closing(own_response(
                    StatusCode::GATEWAY_TIMEOUT,
                    "corsair: the upstream server stopped reading the request\n",
                )));
            }
        };
        let mut response = response;
        let switched = match client_upgrade {
            Some(client) if response.status() == StatusCode::SWITCHING_PROTOCOLS => {
                let upstream = hyper::upgrade::on(&mut response);
                let hold =
                    upgrade::Hold::new(Arc::clone(&self.connection.slot), self.tunnels.clone());
                tokio::spawn(upgrade::tunnel(
                    client,
                    upstream,
                    hold,
                    self.forwarding.tunnel_idle_timeout,
                ));
                response.headers().get(UPGRADE).cloned()
            }
            _ => None,
        };
        let (mut parts, body) = response.into_parts();
        hop_by_hop::remove(&mut parts.headers);
        if !progress.is_sent() {
            // The upstream answered before the whole request body was sent (it may stream
            // both ways, or never read the rest): the connection carries no further request.
            parts
                .headers
                .insert(http::header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(protocol) = switched {
            upgrade::restore(&mut parts.headers, protocol);
        }
        if self.owns_cors {
            remove_cors_headers(&mut parts.headers);
        }
        let errors = Arc::clone(&self.forwarding.errors);
        let owns_cors = self.owns_cors;
        let body = IdleTimeout::new(body, self.forwarding.idle_timeout)
            // Trailers (an HTTP/2 upstream's) follow the rules of the head.
            .map_frame(move |frame| clean_trailers(frame, owns_cors))
            // The closure owns the slot: it is released when the body is dropped.
            .map_err(move |error| {
                let _in_flight = &slot;
                errors.upstream_error(if error.is::<Idle>() {
                    UpstreamError::Timeout
                } else {
                    UpstreamError::Protocol
                });
                error
            })
            .boxed_unsync();
        Ok(Response::from_parts(parts, body))
    }

    /// Waits for the upstream's answer to `sent`: `upstream_timeout` counts from the moment
    /// the request was sent whole, `idle_timeout` bounds each wait for the upstream to read
    /// more of the body; the client's pauses are its body's own business.
    async fn wait<F>(&self, sent: F, progress: &BodyProgress) -> UpstreamWait
    where
        F: Future<Output = Result<Response<Incoming>, hyper_util::client::legacy::Error>>,
    {
        tokio::pin!(sent);
        loop {
            let waiting = progress.waiting(
                self.forwarding.upstream_timeout,
                self.forwarding.idle_timeout,
            );
            let (Waiting::Answer(deadline)
            | Waiting::UpstreamReading(deadline)
            | Waiting::Other(deadline)) = waiting;
            tokio::select! {
                answered = &mut sent => return UpstreamWait::Answered(answered),
                () = tokio::time::sleep_until(deadline) => {}
                () = progress.changed() => continue,
            }
            // Look again: the body may have moved on while we slept.
            let now = tokio::time::Instant::now();
            match progress.waiting(
                self.forwarding.upstream_timeout,
                self.forwarding.idle_timeout,
            ) {
                Waiting::Answer(deadline) if deadline <= now => return UpstreamWait::NoAnswer,
                Waiting::UpstreamReading(deadline) if deadline <= now => {
                    return UpstreamWait::NotReading;
                }
                _ => {}
            }
        }
    }

    /// corsair's answer when a budget of buffered bytes has no room for this request's body:
    /// `503` with `Retry-After`, nothing forwarded (the rest of the body is never read).
    fn no_room(&self, spent: Spent) -> Response<ProxyBody> {
        let budget = match spent {
            Spent::Connection => &self.connection.buffers,
            Spent::Process => &self.forwarding.buffers,
        };
        tracing::info!(
            peer = %self.connection.peer,
            setting = spent.setting(),
            limit = budget.limit(),
            used = budget.used(),
            "request refused: buffered request bodies hold all the bytes allowed"
        );
        let mut response = closing(own_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "corsair: too many request bodies are being received; try again\n",
        ));
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, HeaderValue::from_static("1"));
        response
    }

    /// corsair's answer to a client whose body failed (`forwarded`: part of it had reached
    /// the upstream, which is abandoned).
    fn client_fault(&self, fault: ClientError, forwarded: bool) -> Response<ProxyBody> {
        tracing::info!(peer = %self.connection.peer, ?fault, forwarded, "client error in the request body");
        closing(match fault {
            ClientError::Malformed => own_response(
                StatusCode::BAD_REQUEST,
                "corsair: the request body is malformed\n",
            ),
            ClientError::Stalled => own_response(
                StatusCode::REQUEST_TIMEOUT,
                "corsair: the request body was not received in time\n",
            ),
        })
    }
}

/// How waiting for the upstream ended.
enum UpstreamWait {
    /// hyper's result.
    Answered(Result<Response<Incoming>, hyper_util::client::legacy::Error>),
    /// Sent whole, not answered within `upstream_timeout`.
    NoAnswer,
    /// The upstream stopped reading the request body for `idle_timeout`.
    NotReading,
}

/// Removes the `Access-Control-*` headers an upstream set: corsair owns CORS, and two values
/// of one of them make the browser fail the request.
pub(crate) fn remove_cors_headers(headers: &mut HeaderMap) {
    let names: Vec<_> = headers
        .keys()
        .filter(|name| name.as_str().starts_with("access-control-"))
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
    }
}

/// `frame`, with the rules of the response head applied if it is trailers: hop-by-hop fields
/// removed, and the `Access-Control-*` ones when corsair owns CORS on the path. Browsers ignore
/// trailers, but another client or proxy may not.
fn clean_trailers(frame: Frame<Bytes>, owns_cors: bool) -> Frame<Bytes> {
    match frame.into_trailers() {
        Ok(mut trailers) => {
            hop_by_hop::remove(&mut trailers);
            if owns_cors {
                remove_cors_headers(&mut trailers);
            }
            Frame::trailers(trailers)
        }
        Err(frame) => frame,
    }
}

/// A plain-text response written by corsair itself.
pub(crate) fn own_response(status: StatusCode, text: &'static str) -> Response<ProxyBody> {
    let body = Full::new(Bytes::from_static(text.as_bytes()))
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// `response` with `Connection: close`: the rest of the request body is never read, so the
/// connection cannot carry another request.
fn closing(mut response: Response<ProxyBody>) -> Response<ProxyBody> {
    response
        .headers_mut()
        .insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_access_control_headers_are_removed() {
        let mut headers: HeaderMap = [
            ("access-control-allow-origin", "*"),
            ("access-control-allow-credentials", "true"),
            ("access-control-expose-headers", "x"),
            ("vary", "Cookie"),
            ("content-type", "application/json"),
        ]
        .into_iter()
        .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
        .collect();
        remove_cors_headers(&mut headers);
        let mut names: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["content-type", "vary"]);
    }

    #[test]
    fn trailers_lose_cors_and_hop_by_hop_fields_and_data_passes() {
        let trailers: HeaderMap = [
            ("access-control-allow-origin", "*"),
            ("access-control-allow-credentials", "true"),
            ("grpc-status", "0"),
            ("connection", "x-trace"),
            ("x-trace", "1"),
            ("keep-alive", "timeout=5"),
        ]
        .into_iter()
        .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
        .collect();
        // (corsair owns CORS on the path, the trailers kept)
        let table: [(bool, &[&str]); 2] = [
            (true, &["grpc-status"]),
            (
                false,
                &[
                    "access-control-allow-credentials",
                    "access-control-allow-origin",
                    "grpc-status",
                ],
            ),
        ];
        for (owns_cors, kept) in table {
            let frame = clean_trailers(Frame::trailers(trailers.clone()), owns_cors);
            let cleaned = frame.into_trailers().unwrap();
            let mut names: Vec<&str> = cleaned.keys().map(|k| k.as_str()).collect();
            names.sort_unstable();
            assert_eq!(names, kept, "owns_cors {owns_cors}");
        }
        let data = clean_trailers(Frame::data(Bytes::from_static(b"x")), true);
        assert_eq!(data.into_data().unwrap(), "x");
    }
}
