//! Connection upgrades (RFC 9110 §7.8), WebSocket above all: the client's `Upgrade` request is
//! forwarded with its `Upgrade` and `Connection: upgrade` headers, and when the upstream answers
//! `101 Switching Protocols`, the two connections are joined and bytes flow both ways until
//! either side closes, or until no byte moved in either direction for `tunnel_idle_timeout`
//! (then both sides are closed and the connection's slot is freed).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::{CONNECTION, UPGRADE};
use http::{HeaderMap, HeaderValue, Version};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::time::Instant;

const UPGRADE_TOKEN: HeaderValue = HeaderValue::from_static("upgrade");

/// The protocol an HTTP/1.1 request asks to switch to (its `Upgrade` value), when its
/// `Connection` header lists `upgrade`.
///
/// ```ignore
/// let mut headers = http::HeaderMap::new();
/// headers.insert("connection", "keep-alive, Upgrade".parse().unwrap());
/// headers.insert("upgrade", "websocket".parse().unwrap());
/// assert_eq!(requested(http::Version::HTTP_11, &headers).unwrap(), "websocket");
/// ```
pub(super) fn requested(version: Version, headers: &HeaderMap) -> Option<HeaderValue> {
    if version != Version::HTTP_11 {
        return None;
    }
    let listed = headers
        .get_all(CONNECTION)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b','))
        .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"upgrade"));
    listed.then(|| headers.get(UPGRADE).cloned()).flatten()
}

/// Puts the upgrade headers back after the hop-by-hop ones were removed.
pub(super) fn restore(headers: &mut HeaderMap, protocol: HeaderValue) {
    headers.insert(UPGRADE, protocol);
    headers.insert(CONNECTION, UPGRADE_TOKEN);
}

/// What a joined connection keeps while it lives: the client connection's slot of the
/// `max_connections` limit (an upgraded connection is still a connection), and a sender whose
/// closing the worker waits for, up to the grace period, when it stops.
pub(super) struct Hold {
    _slot: Arc<OwnedSemaphorePermit>,
    _open: mpsc::Sender<()>,
}

impl Hold {
    /// Holds `slot` and a clone of `tunnels` until dropped.
    pub(super) fn new(slot: Arc<OwnedSemaphorePermit>, tunnels: mpsc::Sender<()>) -> Hold {
        Hold {
            _slot: slot,
            _open: tunnels,
        }
    }
}

/// Joins the client's and the upstream's upgraded connections until either side closes, or no
/// byte moved either way for `idle_timeout`.
pub(super) async fn tunnel(
    client: OnUpgrade,
    upstream: OnUpgrade,
    hold: Hold,
    idle_timeout: Duration,
) {
    let _hold = hold;
    let (client, upstream) = match tokio::join!(client, upstream) {
        (Ok(client), Ok(upstream)) => (client, upstream),
        (Err(error), _) | (_, Err(error)) => {
            tracing::debug!(%error, "a connection upgrade did not complete");
            return;
        }
    };
    let activity = Activity::new();
    let mut client = Watched::new(TokioIo::new(client), &activity);
    let mut upstream = Watched::new(TokioIo::new(upstream), &activity);
    let copy = tokio::io::copy_bidirectional(&mut client, &mut upstream);
    tokio::pin!(copy);
    loop {
        let deadline = activity.last() + idle_timeout;
        tokio::select! {
            copied = &mut copy => {
                match copied {
                    Ok((sent, received)) => {
                        tracing::debug!(sent, received, "upgraded connection closed");
                    }
                    Err(error) => tracing::debug!(%error, "upgraded connection ended with an error"),
                }
                return;
            }
            () = tokio::time::sleep_until(deadline) => {
                if activity.last() + idle_timeout <= Instant::now() {
                    // Dropping both ends closes them.
                    tracing::debug!(timeout = ?idle_timeout, "upgraded connection idle: closed");
                    return;
                }
            }
        }
    }
}

/// When a byte last moved through a tunnel, in either direction.
#[derive(Clone)]
struct Activity {
    start: Instant,
    /// Milliseconds after `start`.
    last: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last: Arc::new(AtomicU64::new(0)),
        }
    }

    fn touch(&self) {
        let elapsed = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(elapsed, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.start + Duration::from_millis(self.last.load(Ordering::Relaxed))
    }
}

/// A connection that records each byte read from or written to it in an [`Activity`].
struct Watched<T> {
    inner: T,
    activity: Activity,
}

impl<T> Watched<T> {
    fn new(inner: T, activity: &Activity) -> Watched<T> {
        Watched {
            inner,
            activity: activity.clone(),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request's version and headers, and the protocol it asks for.
    type Case<'a> = (Version, &'a [(&'a str, &'a str)], Option<&'a str>);

    #[test]
    fn upgrade_requests_are_recognised() {
        let table: &[Case<'_>] = &[
            (
                Version::HTTP_11,
                &[("connection", "Upgrade"), ("upgrade", "websocket")],
                Some("websocket"),
            ),
            (
                Version::HTTP_11,
                &[("connection", "keep-alive, upgrade"), ("upgrade", "h2c")],
                Some("h2c"),
            ),
            (Version::HTTP_11, &[("upgrade", "websocket")], None),
            (Version::HTTP_11, &[("connection", "upgrade")], None),
            (
                Version::HTTP_11,
                &[("connection", "upgraded"), ("upgrade", "websocket")],
                None,
            ),
            (
                Version::HTTP_2,
                &[("connection", "upgrade"), ("upgrade", "websocket")],
                None,
            ),
        ];
        for (version, pairs, expected) in table {
            let headers: HeaderMap = pairs
                .iter()
                .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
                .collect();
            let found = requested(*version, &headers);
            assert_eq!(
                found.as_ref().map(|v| v.to_str().unwrap()),
                *expected,
                "{pairs:?}"
            );
        }
    }
}
