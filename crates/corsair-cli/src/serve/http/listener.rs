//! Accepting connections: one acceptor bounds the concurrent connections and hands each one to
//! a worker in turn; each worker serves them on its own event loop, every request head within
//! its limits (the head guard), and stops gracefully. Plain TCP speaks HTTP/1.1 or HTTP/2 with
//! prior knowledge (h2c); with TLS, the handshake (bounded by `header_read_timeout`) comes
//! first, and ALPN decides: `h2` goes straight to HTTP/2, anything else to HTTP/1.1. HTTP/2 is
//! bounded the same way over both: concurrent streams, header list size, and the resets that
//! a rapid-reset flood is made of.
//!
//! What answers the requests is the worker's [`Handler`] (the proxy), given each request with
//! the [`Connection`] it arrived on.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderName, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio_rustls::TlsAcceptor;

use super::buffer_budget::Budget;
use super::fast::{self, FastLimits, Served};
use super::forward::{Aborted, Forwarding, ProxyBody, Route};
use super::head_guard::{Guard, HeadGuard, Limits, Start};
use super::tls;
use crate::settings::ServerSettings;

/// Streams a client may reset before the server has accepted them (the rapid-reset attack,
/// CVE-2023-44487), over the connection's life; one more and it gets `GOAWAY`. h2's own value.
pub(crate) const MAX_PENDING_ACCEPT_RESET_STREAMS: usize = 20;
/// Streams corsair may reset because the client broke the protocol on them (a client making
/// the server reset its streams for it), over the connection's life; one more and it gets
/// `GOAWAY`. h2's own value.
pub(crate) const MAX_LOCAL_ERROR_RESET_STREAMS: usize = 1024;

/// What answers the requests of a worker's connections: whole requests on the general path
/// ([`Handler::handle`]), and on the fast path, where the request is never built, a decision on
/// its head ([`Handler::begin`]), the lines of corsair's own answer ([`Handler::answer`]) or of
/// the upstream's response ([`Handler::respond`]), and its end ([`Handler::end`]).
pub(crate) trait Handler: Send + Sync + 'static {
    /// What the fast path keeps of a request from its decision to its end.
    type Exchange: Send + Sync;

    /// What a fast-path connection's requests are served with (the policy, the route), kept
    /// by the connection between two requests and taken again only when a reload replaced it:
    /// taking it clones reference counts that every worker's connections share, where
    /// checking it only reads them.
    type Snapshot: Send + Sync;

    /// Answers `request`, which arrived on `connection`; [`Aborted`] closes the connection
    /// without an answer.
    fn handle(
        self: Arc<Self>,
        connection: Connection,
        request: Request<Incoming>,
    ) -> impl Future<Output = Result<Response<ProxyBody>, Aborted>> + Send + 'static;

    /// The request headers [`Handler::begin`] reads: the fast path hands it only these. Their
    /// names hold only letters, digits and `-` (the fast path compares them eight bytes at a
    /// time).
    fn reads(&self) -> &'static [HeaderName];

    /// How requests are forwarded.
    fn forwarding(&self) -> &Forwarding;

    /// What requests are served with now: `previous`, when nothing replaced it since.
    fn snapshot(&self, previous: Option<Self::Snapshot>) -> Self::Snapshot;

    /// Where the requests served with `snapshot` go.
    fn route<'s>(&self, snapshot: &'s Self::Snapshot) -> &'s Route;

    /// Decides on a request head the fast path took (`target`: in origin form, as sent;
    /// `host`: its `Host`; `headers`: those of [`Handler::reads`]).
    fn begin(
        &self,
        snapshot: &Self::Snapshot,
        method: &Method,
        target: &str,
        host: &[u8],
        headers: &HeaderMap,
    ) -> Begin<Self::Exchange>;

    /// Writes the header lines of corsair's answer to `exchange` (after [`Begin::Answer`]):
    /// those it has in HTTP/1.1 form onto `lines` (`name: value` and CRLF each), the others
    /// into `headers` (empty), which follow them.
    fn answer(
        &self,
        snapshot: &Self::Snapshot,
        exchange: &Self::Exchange,
        lines: &mut Vec<u8>,
        headers: &mut HeaderMap,
    );

    /// Writes the `Vary` and CORS lines a response to `exchange` gets onto `lines`, in
    /// HTTP/1.1 form (`name: value` and CRLF each): `vary` are the upstream's own `Vary` values
    /// (none for corsair's own answers), which these lines replace.
    fn respond<'v>(
        &self,
        snapshot: &Self::Snapshot,
        exchange: &Self::Exchange,
        vary: impl Iterator<Item = &'v [u8]> + Clone,
        lines: &mut Vec<u8>,
    );

    /// The response to `exchange`, with `status`, has been written (or abandoned).
    fn end(&self, snapshot: &Self::Snapshot, exchange: Self::Exchange, status: StatusCode);
}

/// What the handler makes of a request head on the fast path.
pub(crate) enum Begin<E> {
    /// corsair answers it (a preflight) with this status, without a body, and the lines of
    /// [`Handler::answer`]: nothing is forwarded.
    Answer(E, StatusCode),
    /// It is forwarded; `true`: the upstream's `Access-Control-*` lines are removed.
    Forward(E, bool),
    /// The general path takes it, with every byte read: corsair refuses it there (a rare
    /// answer, with a body and an access-log line of its own, that the fast path does not
    /// write).
    HandOver,
}

/// The client connection a request arrived on: what forwarding the request needs of it.
#[derive(Clone)]
pub(crate) struct Connection {
    /// The client's address.
    pub peer: SocketAddr,
    /// The connection's slot of `max_connections` (kept by an upgraded connection until its
    /// tunnel closes).
    pub slot: Arc<OwnedSemaphorePermit>,
    /// The bytes that the connection's buffered request bodies may hold together
    /// (`max_buffered_bytes_per_connection`).
    pub buffers: Arc<Budget>,
}

/// An accepted connection on its way to a worker, with its slot of the connection limit.
pub(crate) struct Accepted {
    stream: std::net::TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
}

/// Accepts connections until `stop` completes, at most `max_connections` open at once (further
/// clients wait in the listen queue), and hands them to the workers in turn. Dropping the
/// senders on return tells the workers to finish.
pub(crate) async fn accept(
    listener: TcpListener,
    workers: Vec<mpsc::UnboundedSender<Accepted>>,
    max_connections: usize,
    stop: impl Future<Output = ()>,
) {
    let limit = Arc::new(Semaphore::new(max_connections));
    tokio::pin!(stop);
    let mut next = 0;
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&limit).acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was accepted.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // The worker registers the socket with its own event loop.
        let Ok(stream) = stream.into_std() else {
            continue;
        };
        let mut connection = Accepted {
            stream,
            peer,
            permit,
        };
        // A worker that is gone (it could not start) is skipped.
        let mut delivered = false;
        for _ in 0..workers.len() {
            let worker = &workers[next % workers.len()];
            next = next.wrapping_add(1);
            match worker.send(connection) {
                Ok(()) => {
                    delivered = true;
                    break;
                }
                Err(returned) => connection = returned.0,
            }
        }
        if !delivered {
            tracing::error!(%peer, "no worker is running: closing the connection");
        }
    }
}

/// How a worker serves its connections: the HTTP settings for each way a connection can start,
/// and the TLS acceptor when corsair speaks HTTPS.
struct Protocols {
    /// Plain TCP: HTTP/1.1, or HTTP/2 with prior knowledge.
    detect: auto::Builder<TokioExecutor>,
    /// TLS without ALPN `h2`.
    http1: auto::Builder<TokioExecutor>,
    /// TLS with ALPN `h2`.
    http2: auto::Builder<TokioExecutor>,
    tls: Option<TlsAcceptor>,
}

/// Serves the connections a worker is handed until the acceptor stops, each request answered by
/// `worker`, then lets in-flight requests and upgraded connections finish for up to
/// `server.shutdown_grace`. `tunnels` receives nothing: it ends when the worker and every tunnel
/// have dropped their senders. With `tls`, every connection is HTTPS.
pub(crate) async fn serve<H: Handler>(
    mut incoming: mpsc::UnboundedReceiver<Accepted>,
    worker: Arc<H>,
    mut tunnels: mpsc::Receiver<()>,
    server: &ServerSettings,
    tls: Option<TlsAcceptor>,
) {
    let builder = connection_builder(server);
    let protocols = Arc::new(Protocols {
        http1: builder.clone().http1_only(),
        http2: builder.clone().http2_only(),
        detect: builder,
        tls,
    });
    let graceful = GracefulShutdown::new();
    let limits = Limits {
        header_read_timeout: server.header_read_timeout,
        max_header_bytes: server.max_header_bytes,
        idle_timeout: server.idle_timeout,
    };
    let connection_buffer_bytes = server.max_buffered_bytes_per_connection;
    // HTTP/1.1 connections start on the fast path, unless it is off or the upstream speaks
    // HTTP/2.
    let fast = (server.fast_path && !server.upstream_http2).then_some(FastLimits {
        head: limits,
        max_request_headers: server.max_request_headers,
        max_response_headers: server.max_response_headers,
    });
    // Tells the fast path's connections that the worker is stopping; each holds a receiver.
    let (stopping, stop) = watch::channel(false);
    while let Some(Accepted {
        stream,
        peer,
        permit,
    }) = incoming.recv().await
    {
        let Ok(stream) = TcpStream::from_std(stream) else {
            continue;
        };
        let watcher = graceful.watcher();
        let protocols = Arc::clone(&protocols);
        let worker = Arc::clone(&worker);
        let stop = stop.clone();
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            let client = Client {
                worker,
                connection: Connection {
                    peer,
                    // Shared with a tunnel, if the connection is upgraded.
                    slot: Arc::new(permit),
                    buffers: Budget::new(connection_buffer_bytes),
                },
                limits,
                watcher,
            };
            let Some(acceptor) = &protocols.tls else {
                return client
                    .serve_from(fast, stop, &protocols.detect, stream, Start::Detect)
                    .await;
            };
            let timeout = limits.header_read_timeout;
            let Some(accepted) = tls::accept(acceptor, stream, peer, timeout).await else {
                return;
            };
            if accepted.http2 {
                client
                    .serve(&protocols.http2, accepted.stream, Start::Http2)
                    .await;
            } else {
                client
                    .serve_from(fast, stop, &protocols.http1, accepted.stream, Start::Http1)
                    .await;
            }
        });
    }
    drop(stop);
    let _ = stopping.send(true);
    let grace = server.shutdown_grace;
    tracing::debug!(
        in_flight = graceful.count(),
        "worker finishing its requests in flight"
    );
    // Connections first; then the tunnels, which hold the last senders once the worker's are
    // gone.
    let finished = async {
        stopping.closed().await;
        graceful.shutdown().await;
        drop(worker);
        let _ = tunnels.recv().await;
    };
    if tokio::time::timeout(grace, finished).await.is_err() {
        tracing::warn!(grace = ?grace, "grace period over: closing the remaining connections");
    }
}

/// One client connection, ready to be served once its protocol is known.
struct Client<H> {
    worker: Arc<H>,
    connection: Connection,
    limits: Limits,
    watcher: Watcher,
}

impl<H: Handler> Client<H> {
    /// Serves `stream` on the fast path when `fast` has its limits, and from the first request
    /// it does not take on, with `builder` (which speaks what `start` says).
    async fn serve_from<S>(
        self,
        fast: Option<FastLimits>,
        stop: watch::Receiver<bool>,
        builder: &auto::Builder<TokioExecutor>,
        stream: S,
        start: Start,
    ) where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Some(limits) = fast else {
            return self.serve(builder, stream, start).await;
        };
        match fast::serve(&*self.worker, &self.connection, stream, limits, stop).await {
            Served::Closed => {}
            Served::HandOver(rewound) => self.serve(builder, rewound, start).await,
        }
    }

    /// Serves `stream` with `builder` (which speaks what `start` says) until it closes, or the
    /// worker stops.
    async fn serve<S>(self, builder: &auto::Builder<TokioExecutor>, stream: S, start: Start)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Client {
            worker,
            connection,
            limits,
            watcher,
        } = self;
        let peer = connection.peer;
        let guard = Guard::new(limits, start);
        let io = HeadGuard::new(stream, guard.clone(), peer);
        let service = service_fn(move |request| {
            // The head is complete: its limits end until the response is over.
            let token = guard.request_started();
            let handled = Arc::clone(&worker).handle(connection.clone(), request);
            async move { handled.await.map(|response| token.attach(response)) }
        });
        let serving = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
        if let Err(error) = watcher.watch(serving).await {
            tracing::debug!(%peer, error = %error, "connection ended with an error");
        }
    }
}

/// The HTTP/1.1 + HTTP/2 connection settings.
fn connection_builder(server: &ServerSettings) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        // The head guard times every head (hyper would close without a word).
        .header_read_timeout(None)
        // A backstop behind the head guard's own limit (hyper needs at least 8 KiB).
        .max_buf_size(server.max_header_bytes.max(8192))
        // More header lines than this get a 431.
        .max_headers(server.max_request_headers);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(server.max_streams_per_connection)
        // Also bounds a header block's CONTINUATION frames: h2 refuses a block larger than
        // this, and more frames than it takes (`GOAWAY`).
        .max_header_list_size(u32::try_from(server.max_header_bytes).unwrap_or(u32::MAX))
        .max_pending_accept_reset_streams(MAX_PENDING_ACCEPT_RESET_STREAMS)
        .max_local_error_reset_streams(MAX_LOCAL_ERROR_RESET_STREAMS);
    builder
}
