//! Connection upgrades (RFC 9110 §7.8), WebSocket above all: the client's `Upgrade` request is
//! forwarded with its `Upgrade` and `Connection: upgrade` headers, and when the upstream answers
//! `101 Switching Protocols`, the two connections are joined and bytes flow both ways until
//! either side closes.

use std::sync::Arc;

use http::header::{CONNECTION, UPGRADE};
use http::{HeaderMap, HeaderValue, Version};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

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
pub fn requested(version: Version, headers: &HeaderMap) -> Option<HeaderValue> {
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
pub fn restore(headers: &mut HeaderMap, protocol: HeaderValue) {
    headers.insert(UPGRADE, protocol);
    headers.insert(CONNECTION, UPGRADE_TOKEN);
}

/// What a joined connection keeps while it lives: the client connection's slot of the
/// `max_connections` limit (an upgraded connection is still a connection), and a sender whose
/// closing the worker waits for, up to the grace period, when it stops.
pub struct Hold {
    _slot: Arc<OwnedSemaphorePermit>,
    _open: mpsc::Sender<()>,
}

impl Hold {
    /// Holds `slot` and a clone of `tunnels` until dropped.
    pub fn new(slot: Arc<OwnedSemaphorePermit>, tunnels: mpsc::Sender<()>) -> Hold {
        Hold {
            _slot: slot,
            _open: tunnels,
        }
    }
}

/// Joins the client's and the upstream's upgraded connections until either side closes.
pub async fn tunnel(client: OnUpgrade, upstream: OnUpgrade, hold: Hold) {
    let _hold = hold;
    let (client, upstream) = match tokio::join!(client, upstream) {
        (Ok(client), Ok(upstream)) => (client, upstream),
        (Err(error), _) | (_, Err(error)) => {
            tracing::debug!(%error, "a connection upgrade did not complete");
            return;
        }
    };
    let mut client = TokioIo::new(client);
    let mut upstream = TokioIo::new(upstream);
    match tokio::io::copy_bidirectional(&mut client, &mut upstream).await {
        Ok((sent, received)) => {
            tracing::debug!(sent, received, "upgraded connection closed");
        }
        Err(error) => tracing::debug!(%error, "upgraded connection ended with an error"),
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
