//! The pooled keep-alive client to the upstream, one per worker (so that a request and its
//! upstream connection are served by the same event loop): HTTP/1.1, or with `upstream_http2`
//! HTTP/2 over every connection (h2c for `http`, ALPN `h2` for `https`); `https` upstreams are
//! verified against the webpki roots (Mozilla's list), like a browser would.

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::request_body::Outgoing;
use crate::settings::ServerSettings;

/// The pooled client to the upstream (`http`, or `https` with the webpki roots); request bodies
/// are the clients', buffered up to a limit, then streamed.
pub(crate) type UpstreamClient = Client<HttpsConnector<HttpConnector>, Outgoing>;

/// The largest header list of an HTTP/2 upstream's response (a larger one is a `502`).
const UPSTREAM_HTTP2_MAX_HEADER_LIST_SIZE: u32 = 256 * 1024;

/// A client with the connection, pool and header limits that `server` sets.
pub(crate) fn build(server: &ServerSettings) -> UpstreamClient {
    let connector = crate::net::connector_for(server.connect_timeout, server.upstream_http2);
    Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(server.idle_timeout)
        // An upstream response with more header lines than this is a 502.
        .http1_max_headers(server.max_response_headers)
        .http2_only(server.upstream_http2)
        .timer(TokioTimer::new())
        .http2_max_header_list_size(UPSTREAM_HTTP2_MAX_HEADER_LIST_SIZE)
        .build(connector)
}
