//! The forwarder: sends a request to the upstream and streams its response back (or joins the
//! two connections after an accepted upgrade), or answers `502`/`504` itself when the upstream
//! cannot. Every response it returns (errors included) then gets the CORS headers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, UPGRADE};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use super::idle_body::{BoxError, IdleTimeout};
use super::{forwarded, hop_by_hop, upgrade};
use crate::settings::Upstream;

/// The body of every response corsair serves: the upstream's, streamed, or corsair's own.
pub type ProxyBody = UnsyncBoxBody<Bytes, BoxError>;

/// The pooled client to the upstream (`http`, or `https` with the webpki roots); request bodies
/// are the clients', streamed.
pub type UpstreamClient = Client<HttpsConnector<HttpConnector>, IdleTimeout<Incoming>>;

/// Where and how requests are forwarded; swapped as a whole on reload.
#[derive(Debug, Clone)]
pub struct Route {
    /// The upstream server.
    pub upstream: Upstream,
    /// Forward the client's `Host` (else the upstream's authority is sent).
    pub preserve_host: bool,
}

/// Forwards one request.
pub struct Forwarder<'a> {
    /// The pooled client.
    pub client: &'a UpstreamClient,
    /// Where to forward.
    pub route: &'a Route,
    /// The client's address.
    pub peer: SocketAddr,
    /// How long the upstream may take to send its response head.
    pub upstream_timeout: Duration,
    /// How long either side may pause in the middle of a body.
    pub idle_timeout: Duration,
    /// Whether the request is on a CORS path (`urls_regex`), where corsair owns the
    /// `Access-Control-*` headers; elsewhere the upstream's pass through.
    pub owns_cors: bool,
    /// The client connection's slot of the connection limit (kept by an upgraded connection).
    pub slot: &'a Arc<OwnedSemaphorePermit>,
    /// The worker's count of open tunnels.
    pub tunnels: &'a mpsc::Sender<()>,
}

impl Forwarder<'_> {
    /// Sends `request` to the upstream and returns its response, or corsair's own `502`/`504`.
    pub async fn forward(self, mut request: Request<Incoming>) -> Response<ProxyBody> {
        let protocol = upgrade::requested(request.version(), request.headers());
        let client_upgrade = protocol.is_some().then(|| hyper::upgrade::on(&mut request));
        let (mut parts, body) = request.into_parts();
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let Ok(target) = self.route.upstream.target(&path) else {
            return own_response(
                StatusCode::BAD_REQUEST,
                "corsair: the request target cannot be forwarded\n",
            );
        };
        // HTTP/2 clients send the host as the `:authority` pseudo-header.
        let host = parts.headers.get(HOST).cloned().or_else(|| {
            parts
                .uri
                .authority()
                .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
        });
        hop_by_hop::remove(&mut parts.headers);
        if let Some(protocol) = protocol {
            upgrade::restore(&mut parts.headers, protocol);
        }
        forwarded::add(&mut parts.headers, self.peer.ip(), "http", host.as_ref());
        forwarded::add_via(&mut parts.headers, parts.version);
        match host.filter(|_| self.route.preserve_host) {
            Some(host) => parts.headers.insert(HOST, host),
            // The client writes the upstream's authority.
            None => parts.headers.remove(HOST),
        };
        parts.uri = target;
        parts.version = Version::HTTP_11;

        let upstream = &self.route.upstream;
        let body = IdleTimeout::new(body, self.idle_timeout);
        let sent = self.client.request(Request::from_parts(parts, body));
        let response = match tokio::time::timeout(self.upstream_timeout, sent).await {
            Err(_) => {
                tracing::warn!(%upstream, timeout = ?self.upstream_timeout, "upstream did not answer in time");
                return own_response(
                    StatusCode::GATEWAY_TIMEOUT,
                    "corsair: the upstream server did not answer in time\n",
                );
            }
            Ok(Err(error)) => {
                let cause = error_chain(&error);
                tracing::warn!(%upstream, %cause, "upstream request failed");
                // The details (addresses, causes) go to the log, not to the client.
                return own_response(
                    StatusCode::BAD_GATEWAY,
                    "corsair: the upstream server could not be reached\n",
                );
            }
            Ok(Ok(response)) => response,
        };
        let mut response = response;
        let switched = match client_upgrade {
            Some(client) if response.status() == StatusCode::SWITCHING_PROTOCOLS => {
                let upstream = hyper::upgrade::on(&mut response);
                let hold = upgrade::Hold::new(Arc::clone(self.slot), self.tunnels.clone());
                tokio::spawn(upgrade::tunnel(client, upstream, hold));
                response.headers().get(UPGRADE).cloned()
            }
            _ => None,
        };
        let (mut parts, body) = response.into_parts();
        hop_by_hop::remove(&mut parts.headers);
        if let Some(protocol) = switched {
            upgrade::restore(&mut parts.headers, protocol);
        }
        if self.owns_cors {
            remove_cors_headers(&mut parts.headers);
        }
        let body = IdleTimeout::new(body, self.idle_timeout).boxed_unsync();
        Response::from_parts(parts, body)
    }
}

/// Removes the `Access-Control-*` headers an upstream set: corsair owns CORS, and two values
/// of one of them make the browser fail the request.
pub fn remove_cors_headers(headers: &mut HeaderMap) {
    let names: Vec<_> = headers
        .keys()
        .filter(|name| name.as_str().starts_with("access-control-"))
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
    }
}

/// A plain-text response written by corsair itself.
pub fn own_response(status: StatusCode, text: &'static str) -> Response<ProxyBody> {
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

/// An error and its causes, `a: b: c`.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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
}
