//! The request head the upstream gets from the fast path, written in one buffer with the edits
//! the general path makes (`forward.rs` with `hop_by_hop`, `cookies` and `forwarded`): the
//! upstream's path prefix before the target, `Connection` removed (the only hop-by-hop field a
//! request on the fast path may carry), the `Cookie` lines joined with `; `, the client appended
//! to `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host` set to what corsair
//! received, `1.1 corsair` appended to `Via`, and `Host` the client's or the upstream's own.
//!
//! Invariants: names are written in lower case, as hyper writes them on the general path; a
//! list header is joined exactly as `forwarded::append` joins it (values trimmed, empty ones
//! skipped, `, ` between); the fast path's request and the general path's reach the upstream as
//! the same request (the differential fuzz target `fast_path` holds it to that).

use std::io::Write;
use std::net::IpAddr;

use super::request_head::RequestHead;
use super::response_head::write_line;
use crate::serve::http::forward::Route;

/// What is written beside the client's own lines.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edits<'a> {
    /// Where the request goes.
    pub route: &'a Route,
    /// The client's address.
    pub client: &'a ClientAddress,
    /// `http` or `https`: how the client reached corsair.
    pub client_scheme: &'static str,
}

/// The client's address as `X-Forwarded-For` gets it, written once for a connection: formatting
/// an address costs as much as the rest of a head's edits together.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddress {
    text: [u8; 48],
    length: usize,
}

impl ClientAddress {
    pub(crate) fn new(address: IpAddr) -> ClientAddress {
        let mut text = [0u8; 48];
        let mut cursor = std::io::Cursor::new(&mut text[..]);
        // Cannot fail: the buffer is larger than any address.
        let _ = write!(cursor, "{address}");
        let length = usize::try_from(cursor.position()).unwrap_or_default();
        ClientAddress { text, length }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.text[..self.length]
    }
}

/// The header lines rewritten rather than copied.
fn rewritten(name: &[u8]) -> bool {
    const NAMES: [&[u8]; 7] = [
        b"connection",
        b"host",
        b"cookie",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"via",
    ];
    NAMES.iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// Writes the request line and head of `head` for the upstream into `out` (the body follows).
pub(crate) fn write(out: &mut Vec<u8>, head: &RequestHead<'_>, edits: &Edits<'_>) {
    out.extend_from_slice(head.method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(edits.route.upstream.prefix.as_bytes());
    out.extend_from_slice(head.target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for header in head.headers {
        let name = header.name.as_bytes();
        if !rewritten(name) {
            write_line(out, name, header.value);
        }
    }
    let mut cookies = head
        .headers
        .iter()
        .filter(|header| header.name.eq_ignore_ascii_case("cookie"));
    match (cookies.next(), cookies.next()) {
        (None, _) => {}
        // One line goes as it is (`cookies::join` leaves it).
        (Some(one), None) => write_line(out, b"cookie", one.value),
        // Several are joined, into an empty line if they are all empty (as `cookies::join`).
        (Some(_), Some(_)) => {
            out.extend_from_slice(b"cookie: ");
            write_joined(out, head, b"cookie", b"; ", None);
        }
    }
    write_joined(
        out,
        head,
        b"x-forwarded-for",
        b", ",
        Some(edits.client.as_bytes()),
    );
    write_line(out, b"x-forwarded-proto", edits.client_scheme.as_bytes());
    write_line(out, b"x-forwarded-host", head.host);
    write_joined(out, head, b"via", b", ", Some(b"1.1 corsair"));
    if edits.route.preserve_host {
        write_line(out, b"host", head.host);
    } else {
        write_line(out, b"host", upstream_host(edits.route).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
}

/// Writes one `name` line made of the request's `name` values and `item` after them, joined by
/// `separator`; nothing when there are neither. `Cookie` values are joined as they are (empty
/// ones skipped), after the `cookie: ` the caller wrote; list values are trimmed first.
fn write_joined(
    out: &mut Vec<u8>,
    head: &RequestHead<'_>,
    name: &[u8],
    separator: &[u8],
    item: Option<&[u8]>,
) {
    let is_cookie = item.is_none();
    let is_list = item.is_some();
    let values = head
        .headers
        .iter()
        .filter(|header| header.name.as_bytes().eq_ignore_ascii_case(name))
        .map(|header| {
            if is_list {
                header.value.trim_ascii()
            } else {
                header.value
            }
        })
        .filter(|value| !value.is_empty())
        .chain(item);
    let mut first = true;
    for value in values {
        if !first {
            out.extend_from_slice(separator);
        } else if !is_cookie {
            out.extend_from_slice(name);
            out.extend_from_slice(b": ");
        }
        first = false;
        out.extend_from_slice(value);
    }
    if !first || is_cookie {
        out.extend_from_slice(b"\r\n");
    }
}

/// The `Host` the upstream gets when the client's is not kept: its authority, without the
/// scheme's default port (as hyper's client writes it).
fn upstream_host(route: &Route) -> std::borrow::Cow<'_, str> {
    let authority = &route.upstream.authority;
    let default_port = if route.upstream.scheme == http::uri::Scheme::HTTPS {
        443
    } else {
        80
    };
    match authority.port_u16() {
        Some(port) if port != default_port => authority.as_str().into(),
        _ => authority.host().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::http::fast::header_slots;
    use crate::serve::http::fast::request_head::{HostCheck, Parsed, read};
    use crate::settings::Upstream;

    fn forwarded(request: &[u8], upstream: &str, preserve_host: bool) -> String {
        let mut slots = header_slots::<16>();
        let Parsed::Take(head) = read(request, &mut slots, &mut HostCheck::default()) else {
            panic!("taken: {}", String::from_utf8_lossy(request));
        };
        let route = Route {
            upstream: Upstream::parse(upstream).unwrap(),
            preserve_host,
        };
        let mut out = Vec::new();
        write(
            &mut out,
            &head,
            &Edits {
                route: &route,
                client: &ClientAddress::new("203.0.113.7".parse().unwrap()),
                client_scheme: "https",
            },
        );
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_upstream_gets_the_general_paths_edits() {
        let table: [(&[u8], &str, bool, &str); 3] = [
            (
                b"GET /a?b HTTP/1.1\r\nHost: api.example\r\nConnection: keep-alive\r\nOrigin: https://app.example\r\n\r\n",
                "http://127.0.0.1:8000",
                true,
                "GET /a?b HTTP/1.1\r\norigin: https://app.example\r\nx-forwarded-for: 203.0.113.7\r\nx-forwarded-proto: https\r\nx-forwarded-host: api.example\r\nvia: 1.1 corsair\r\nhost: api.example\r\n\r\n",
            ),
            (
                b"POST /p HTTP/1.1\r\nHost: api.example\r\nCookie: a=1\r\nX-Forwarded-For: 198.51.100.1 \r\nCookie: b=2\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: http\r\nVia: 1.0 edge\r\nContent-Length: 2\r\n\r\nhi",
                "http://backend.internal:80/base/",
                false,
                "POST /base/p HTTP/1.1\r\ncontent-length: 2\r\ncookie: a=1; b=2\r\nx-forwarded-for: 198.51.100.1, 203.0.113.7\r\nx-forwarded-proto: https\r\nx-forwarded-host: api.example\r\nvia: 1.0 edge, 1.1 corsair\r\nhost: backend.internal\r\n\r\n",
            ),
            (
                b"GET / HTTP/1.1\r\nhost: api.example\r\n\r\n",
                "http://127.0.0.1:8000",
                false,
                "GET / HTTP/1.1\r\nx-forwarded-for: 203.0.113.7\r\nx-forwarded-proto: https\r\nx-forwarded-host: api.example\r\nvia: 1.1 corsair\r\nhost: 127.0.0.1:8000\r\n\r\n",
            ),
        ];
        for (request, upstream, preserve_host, expected) in table {
            assert_eq!(forwarded(request, upstream, preserve_host), expected);
        }
    }
}
