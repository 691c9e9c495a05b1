//! Accepting connections: HTTP/1.1 and HTTP/2 (prior knowledge) on one port, a limit on
//! concurrent connections, the first-head timeout, and a graceful stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::first_head::{self, FirstHead, Prefixed};
use super::proxy::{self, Shared};
use crate::settings::ServerSettings;

/// Serves connections until `stop` completes, then lets in-flight requests finish for up to
/// `server.shutdown_grace`.
pub async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    server: &ServerSettings,
    stop: impl Future<Output = ()>,
) {
    let builder = Arc::new(connection_builder(server));
    let limit = Arc::new(Semaphore::new(server.max_connections));
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
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let _permit = permit;
            let Some(io) = first_request(stream, peer, head_timeout, max_head).await else {
                return;
            };
            let service =
                service_fn(move |request| proxy::handle(Arc::clone(&shared), peer, request));
            let connection = builder.serve_connection(TokioIo::new(io), service);
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%peer, error = %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let grace = server.shutdown_grace;
    tracing::info!(in_flight = graceful.count(), grace = ?grace, "stopping: no new connections, finishing requests in flight");
    match tokio::time::timeout(grace, graceful.shutdown()).await {
        Ok(()) => tracing::info!("stopped"),
        Err(_) => tracing::warn!("grace period over: closing the remaining connections"),
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
