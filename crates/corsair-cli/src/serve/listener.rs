//! Accepting connections: one listening socket per worker on the same port, HTTP/1.1 and
//! HTTP/2 (prior knowledge), a limit on concurrent connections, the first-head timeout, and a
//! graceful stop.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, Socket, Type};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::first_head::{self, FirstHead, Prefixed};
use super::proxy::{self, Worker};
use crate::settings::ServerSettings;

/// Binds `count` listening sockets to `address`, all on the same port (the kernel spreads new
/// connections over them), so that each worker accepts on its own. With port 0, the first
/// socket picks the port and the others join it.
pub fn bind(address: SocketAddr, count: usize) -> io::Result<Vec<std::net::TcpListener>> {
    let mut listeners: Vec<std::net::TcpListener> = Vec::with_capacity(count);
    for _ in 0..count.max(1) {
        let address = match listeners.first() {
            Some(first) => first.local_addr()?,
            None => address,
        };
        let socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        if count > 1 {
            socket.set_reuse_port(true)?;
        }
        socket.set_nonblocking(true)?;
        socket.bind(&address.into())?;
        socket.listen(1024)?;
        listeners.push(socket.into());
    }
    Ok(listeners)
}

/// Serves connections until `stop` completes, then lets in-flight requests finish for up to
/// `server.shutdown_grace`. `limit` bounds this worker's connections: no connection is
/// accepted while it has no free permit.
pub async fn serve(
    listener: TcpListener,
    worker: Arc<Worker>,
    server: &ServerSettings,
    limit: Arc<Semaphore>,
    stop: impl Future<Output = ()>,
) {
    let builder = Arc::new(connection_builder(server));
    let graceful = GracefulShutdown::new();
    let head_timeout = server.header_read_timeout;
    let max_head = server.max_header_bytes;
    tokio::pin!(stop);
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
        let watcher = graceful.watcher();
        let builder = Arc::clone(&builder);
        let worker = Arc::clone(&worker);
        tokio::spawn(async move {
            let _permit = permit;
            let Some(io) = first_request(stream, peer, head_timeout, max_head).await else {
                return;
            };
            let service =
                service_fn(move |request| proxy::handle(Arc::clone(&worker), peer, request));
            let connection = builder.serve_connection(TokioIo::new(io), service);
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%peer, error = %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let grace = server.shutdown_grace;
    tracing::debug!(
        in_flight = graceful.count(),
        "worker finishing its requests in flight"
    );
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(grace = ?grace, "grace period over: closing the remaining connections");
    }
}

/// Waits for the connection's first request head; `None` when there is nothing to serve.
async fn first_request(
    mut stream: TcpStream,
    peer: SocketAddr,
    timeout: Duration,
    max_head: usize,
) -> Option<Prefixed> {
    let _ = stream.set_nodelay(true);
    match first_head::read(&mut stream, timeout, max_head).await {
        Ok(FirstHead::Received(head)) => Some(Prefixed::new(head, stream)),
        Ok(FirstHead::Nothing) => None,
        Ok(FirstHead::TimedOut) => {
            tracing::info!(target: "corsair::access", %peer, status = 408, "request head not received in time");
            None
        }
        Err(error) => {
            tracing::debug!(%peer, %error, "reading the request head failed");
            None
        }
    }
}

/// The HTTP/1.1 + HTTP/2 connection settings.
fn connection_builder(server: &ServerSettings) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        // Later requests of a keep-alive connection: idle time plus head time.
        .header_read_timeout(server.idle_timeout)
        // hyper answers 431 when a head does not fit (it needs at least 8 KiB).
        .max_buf_size(server.max_header_bytes.max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(server.max_header_bytes).unwrap_or(u32::MAX));
    builder
}
