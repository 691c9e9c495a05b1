//! Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a proxy removes them
//! before forwarding a message in either direction; and the framing a removed
//! `Transfer-Encoding` leaves stale: when a message has one, its `Content-Length` (which it
//! overrides, RFC 9112 §6.3) is removed too, so that the next hop frames the body by what it
//! really carries instead of truncating it.

use http::HeaderMap;
use http::header::{
    CONNECTION, CONTENT_LENGTH, HeaderName, TE, TRAILER, TRANSFER_ENCODING, UPGRADE,
};

/// Whether `name` is hop-by-hop whatever `Connection` says: `Connection` itself, `Keep-Alive`,
/// `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade`, or a `Proxy-*` header.
fn always_hop_by_hop(name: &HeaderName) -> bool {
    name == CONNECTION
        || name == TE
        || name == TRAILER
        || name == TRANSFER_ENCODING
        || name == UPGRADE
        || name.as_str() == "keep-alive"
        || name.as_str().starts_with("proxy-")
}

/// Removes `Connection`, every header it names, `Keep-Alive`, `TE`, `Trailer`,
/// `Transfer-Encoding`, `Upgrade` and every `Proxy-*` header; and `Content-Length` when
/// `Transfer-Encoding` was present (Transfer-Encoding wins: the length was never the body's).
///
/// One pass over the names finds what to remove; a message without hop-by-hop headers (most
/// are, once the client's `Connection: keep-alive` is gone) is left untouched, without hashing
/// a name or allocating.
///
/// ```ignore
/// let mut headers = http::HeaderMap::new();
/// headers.insert("connection", "x-trace".parse().unwrap());
/// headers.insert("x-trace", "1".parse().unwrap());
/// remove(&mut headers);
/// assert!(headers.is_empty());
/// ```
pub(super) fn remove(headers: &mut HeaderMap) {
    if !headers.keys().any(always_hop_by_hop) {
        return;
    }
    if headers.contains_key(TRANSFER_ENCODING) {
        headers.remove(CONTENT_LENGTH);
    }
    let mut doomed: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    doomed.extend(
        headers
            .keys()
            .filter(|name| always_hop_by_hop(name))
            .cloned(),
    );
    for name in doomed {
        headers.remove(name);
    }
}

/// Whether the client's `TE` lists `trailers` (RFC 9110 §10.1.4): gRPC sends it, and an
/// HTTP/2 hop may carry it on, as the only `TE` allowed there (RFC 9113 §8.2.2).
pub(super) fn asks_for_trailers(headers: &HeaderMap) -> bool {
    headers
        .get_all(TE)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b','))
        .any(|item| {
            let coding = item.split(|&b| b == b';').next().unwrap_or_default();
            coding.trim_ascii().eq_ignore_ascii_case(b"trailers")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_are_found_among_the_te_codings() {
        let table = [
            (&["trailers"][..], true),
            (&["gzip;q=0.5, Trailers"][..], true),
            (&["gzip", "trailers"][..], true),
            (&["gzip"][..], false),
            (&["trailersx"][..], false),
            (&[][..], false),
        ];
        for (values, expected) in table {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(TE, value.parse().unwrap());
            }
            assert_eq!(asks_for_trailers(&headers), expected, "{values:?}");
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn connection_scoped_headers_are_removed_and_end_to_end_ones_kept() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
        let table: [Case<'_>; 7] = [
            (
                &[
                    ("connection", "keep-alive"),
                    ("keep-alive", "timeout=5"),
                    ("accept", "*/*"),
                ],
                &["accept"],
            ),
            (
                &[
                    ("connection", "X-Trace, close"),
                    ("x-trace", "1"),
                    ("cookie", "a=b"),
                ],
                &["cookie"],
            ),
            (
                &[
                    ("transfer-encoding", "chunked"),
                    ("te", "trailers"),
                    ("trailer", "x"),
                    ("content-length", "3"),
                    ("content-type", "text/plain"),
                ],
                &["content-type"],
            ),
            (
                &[
                    ("Transfer-Encoding", "gzip, chunked"),
                    ("content-length", "3"),
                ],
                &[],
            ),
            (
                &[("content-length", "3"), ("te", "trailers")],
                &["content-length"],
            ),
            (
                &[
                    ("upgrade", "websocket"),
                    ("proxy-authorization", "basic x"),
                    ("proxy-connection", "keep-alive"),
                    ("vary", "origin"),
                ],
                &["vary"],
            ),
            (
                &[("connection", "not a header name!"), ("host", "a.example")],
                &["host"],
            ),
        ];
        for (input, kept) in table {
            let mut map = headers(input);
            remove(&mut map);
            let mut names: Vec<&str> = map.keys().map(HeaderName::as_str).collect();
            names.sort_unstable();
            assert_eq!(names, kept, "{input:?}");
        }
    }
}
