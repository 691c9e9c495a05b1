//! The HTTP side of `corsair serve`, free of CORS: everything between the client's bytes and the
//! upstream's, and nothing that decides, counts or logs CORS (no module here imports the engine,
//! the metrics, the access log, `/policy` or the origin stores). The proxy plugs in through two
//! seams: it is the [`listener::Handler`] that answers each request, and the
//! [`upstream_error::UpstreamErrors`] that the forwarder reports upstream failures to.
//!
//! What a request goes through: the [`listener`] accepts its connection (within
//! `max_connections`) and hands it to a worker; with HTTPS, [`tls`] makes the handshake and
//! ALPN picks HTTP/2 or HTTP/1.1; hyper reads the connection through the [`head_guard`], which
//! bounds every request head (time and size) and the idle time between requests. The handler
//! gets each request with its [`listener::Connection`] (peer, slot, buffer budget); the proxy
//! refuses what [`edge`] refuses, makes its CORS decision, answers preflights itself and hands
//! anything else to a [`forward::Forwarder`]: the [`request_body`] is buffered within the
//! [`buffer_budget`], a slot of `max_upstream_requests` is taken, the [`hop_by_hop`] headers are
//! removed, the [`cookies`] joined for HTTP/1.1 and the [`forwarded`] headers added, and the
//! request goes out through the worker's [`upstream_client`]. The response streams back, each
//! pause bounded by [`idle_body`], or, after an accepted [`upgrade`], the two connections are
//! joined into a tunnel.
//!
//! Two forwarding cores share that plumbing. The general path is hyper on both sides
//! ([`forward`]). The [`fast`] path takes an HTTP/1.1 connection first (plain, or TLS without
//! ALPN `h2`) when the upstream is `http://` and speaks HTTP/1.1 (`fast_path`, on by default):
//! it forwards the common requests on the bytes, with the same limits, edits and answers, and
//! hands the connection to the general path, with every byte read, at the first request it does
//! not take (HTTP/1.0, upgrades, `Expect`, chunked or large bodies, anything the edge refuses).
//! Both report to the same [`upstream_error::UpstreamErrors`] and the same [`listener::Handler`].

mod buffer_budget;
mod cookies;
pub(super) mod edge;
pub(super) mod fast;
pub(super) mod forward;
mod forwarded;
mod head_guard;
mod hop_by_hop;
mod idle_body;
pub(super) mod listener;
mod request_body;
pub(super) mod tls;
mod upgrade;
pub(super) mod upstream_client;
pub(super) mod upstream_error;
