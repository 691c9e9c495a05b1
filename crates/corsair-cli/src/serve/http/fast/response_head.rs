//! The upstream's response head, parsed with `httparse` into slots that borrow the upstream
//! buffer, its body's framing (RFC 9112 §6.3), and the head the client gets: the upstream's
//! lines with the hop-by-hop ones removed (RFC 9110 §7.6.1, as `hop_by_hop` does on the general
//! path), the upstream's `Access-Control-*` lines removed where corsair owns CORS, `Vary` and the
//! CORS lines written by the proxy, and the framing of what the fast path sends.
//!
//! Invariants: the client head is built in one buffer, names in lower case as the general path
//! writes them; a head whose framing is ambiguous (two different lengths, a length that is not
//! digits) is malformed, never guessed.

use http::HeaderMap;

use super::Slot;

/// How the upstream's body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body (a response to `HEAD`, `1xx`, `204`, `304`).
    Empty,
    /// `Content-Length` bytes.
    Length(u64),
    /// The chunked coding.
    Chunked,
    /// Until the upstream closes the connection.
    UntilClose,
}

/// An upstream response head.
#[derive(Debug)]
pub(crate) struct ResponseHead<'b> {
    /// The status code.
    pub status: u16,
    /// The reason phrase, as sent.
    pub reason: &'b str,
    /// The header lines.
    pub headers: &'b [httparse::Header<'b>],
    /// The head's length in the buffer.
    pub length: usize,
    /// The body's framing.
    pub framing: Framing,
    /// Whether the connection may carry another request once the body has been read.
    pub reusable: bool,
    /// Whether the upstream sent `Transfer-Encoding` (its `Content-Length` is then dropped).
    transfer_encoding: bool,
    /// Whether the upstream's `Connection` lines name a field that is not removed anyway (a
    /// hop-by-hop one): each line is then checked against them.
    connection_names_more: bool,
}

/// What the upstream's bytes so far make.
#[derive(Debug)]
pub(crate) enum ReadResponse<'b> {
    /// Not a whole head yet.
    Partial,
    /// A head.
    Head(ResponseHead<'b>),
    /// Not an HTTP/1 response head, or an ambiguous one.
    Malformed,
}

/// Reads the response head at the start of `buffer`, the answer to a request whose method
/// was `HEAD` when `to_head`.
pub(crate) fn read<'b>(
    buffer: &'b [u8],
    slots: &'b mut [Slot<'b>],
    to_head: bool,
) -> ReadResponse<'b> {
    let mut response = httparse::Response::new(&mut []);
    let parsed = httparse::ParserConfig::default().parse_response_with_uninit_headers(
        &mut response,
        buffer,
        slots,
    );
    let length = match parsed {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return ReadResponse::Partial,
        Err(_) => return ReadResponse::Malformed,
    };
    let status = response.code.unwrap_or_default();
    let http11 = response.version == Some(1);
    let reason = response.reason.unwrap_or_default();
    let headers: &'b [httparse::Header<'b>] = response.headers;
    let mut content_length: Option<u64> = None;
    let mut chunked = false;
    let mut transfer_encoding = false;
    let mut close = !http11;
    let mut connection_names_more = false;
    for header in headers {
        let name = header.name.as_bytes();
        if name.eq_ignore_ascii_case(b"content-length") {
            for item in list_items(header.value) {
                let Some(length) = digits(item) else {
                    return ReadResponse::Malformed;
                };
                if content_length.is_some_and(|known| known != length) {
                    return ReadResponse::Malformed;
                }
                content_length = Some(length);
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            transfer_encoding = true;
            // The last coding decides (RFC 9112 §6.3): chunked, or read until close.
            chunked = list_items(header.value)
                .last()
                .is_some_and(|coding| coding.eq_ignore_ascii_case(b"chunked"));
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in list_items(header.value) {
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") && !http11 {
                    close = false;
                }
                connection_names_more |= !is_hop_by_hop(token);
            }
        }
    }
    let framing = if to_head || matches!(status, 100..=199 | 204 | 304) {
        Framing::Empty
    } else if transfer_encoding {
        if chunked {
            Framing::Chunked
        } else {
            Framing::UntilClose
        }
    } else {
        content_length.map_or(Framing::UntilClose, Framing::Length)
    };
    ReadResponse::Head(ResponseHead {
        status,
        reason,
        headers,
        length,
        framing,
        reusable: !close && framing != Framing::UntilClose,
        transfer_encoding,
        connection_names_more,
    })
}

impl ResponseHead<'_> {
    /// The upstream's `Vary` values.
    pub(crate) fn vary_values(&self) -> impl Iterator<Item = &[u8]> + Clone {
        self.headers
            .iter()
            .filter(|header| header.name.eq_ignore_ascii_case("vary"))
            .map(|header| header.value)
    }

    /// Whether the line `name` goes to the client: not hop-by-hop, not a `Content-Length` that
    /// `Transfer-Encoding` overrides, not `Vary` (written from `proxy_lines`), and not an
    /// `Access-Control-*` line where corsair owns CORS.
    fn passes(&self, name: &[u8], owns_cors: bool) -> bool {
        let starts = |prefix: &[u8]| {
            name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix)
        };
        !(is_hop_by_hop(name)
            || starts(b"proxy-")
            || (owns_cors && starts(b"access-control-"))
            || (self.transfer_encoding && name.eq_ignore_ascii_case(b"content-length"))
            || (self.connection_names_more && self.connection_lists(name)))
    }

    /// Whether a `Connection` line names `name`.
    fn connection_lists(&self, name: &[u8]) -> bool {
        self.headers
            .iter()
            .filter(|header| header.name.eq_ignore_ascii_case("connection"))
            .flat_map(|header| list_items(header.value))
            .any(|listed| name.eq_ignore_ascii_case(listed))
    }

    /// Writes the head the client gets into `out`: the status line, the lines that pass,
    /// `proxy_lines` (the `Vary` and CORS lines), `Transfer-Encoding: chunked` when the fast
    /// path sends the body in chunks, `Connection: close` when the connection ends after it, and
    /// `Date` when the upstream sent none.
    pub(crate) fn write_client_head(&self, out: &mut Vec<u8>, client: &ClientHead<'_>) {
        out.extend_from_slice(b"HTTP/1.1 ");
        write_status(out, self.status);
        out.push(b' ');
        out.extend_from_slice(self.reason.as_bytes());
        out.extend_from_slice(b"\r\n");
        let mut dated = false;
        for header in self.headers {
            let name = header.name.as_bytes();
            if !self.passes(name, client.owns_cors) {
                continue;
            }
            dated |= name.eq_ignore_ascii_case(b"date");
            write_line(out, name, header.value);
        }
        write_tail(out, client, dated);
    }
}

/// What the fast path adds to a client head.
#[derive(Debug)]
pub(crate) struct ClientHead<'a> {
    /// Whether the upstream's `Access-Control-*` lines are removed.
    pub owns_cors: bool,
    /// `Vary` and the CORS lines, in HTTP/1.1 form.
    pub proxy_lines: &'a [u8],
    /// Whether the body goes out in chunks.
    pub chunked: bool,
    /// Whether the connection closes after this response.
    pub close: bool,
    /// The `Date` line, `date: <HTTP-date>\r\n` (corsair's own bytes: written as they are).
    pub date_line: &'a [u8],
}

/// Writes the head of a response corsair answers itself: `status` (with its canonical reason),
/// the `extra` lines (those already in HTTP/1.1 form, without `Date`, then the map's),
/// `Content-Length` (when the status allows a body), the tail (`proxy_lines` first).
pub(crate) fn write_own_head(
    out: &mut Vec<u8>,
    status: http::StatusCode,
    (extra_lines, extra): (&[u8], &HeaderMap),
    body_length: usize,
    client: &ClientHead<'_>,
) {
    out.extend_from_slice(b"HTTP/1.1 ");
    write_status(out, status.as_u16());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(extra_lines);
    for (name, value) in extra {
        write_line(out, name.as_str().as_bytes(), value.as_bytes());
    }
    if !matches!(status.as_u16(), 100..=199 | 204 | 304) {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(itoa::Buffer::new().format(body_length).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    write_tail(out, client, extra.contains_key(http::header::DATE));
}

fn write_tail(out: &mut Vec<u8>, client: &ClientHead<'_>, dated: bool) {
    out.extend_from_slice(client.proxy_lines);
    if client.chunked {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    if client.close {
        out.extend_from_slice(b"connection: close\r\n");
    }
    if !dated {
        out.extend_from_slice(client.date_line);
    }
    out.extend_from_slice(b"\r\n");
}

/// Whether `name` is one of the fields never passed on: the hop-by-hop ones, and `Vary`, which
/// the proxy writes itself (the upstream's values merged with its own).
fn is_hop_by_hop(name: &[u8]) -> bool {
    const HOP_BY_HOP: [&[u8]; 7] = [
        b"connection",
        b"keep-alive",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"vary",
    ];
    HOP_BY_HOP.iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// An upstream's `Vary` values as they are, one line each, for a response corsair adds no
/// `Vary` to.
pub(crate) fn write_vary_lines<'v>(out: &mut Vec<u8>, values: impl Iterator<Item = &'v [u8]>) {
    for value in values {
        write_line(out, b"vary", value);
    }
}

/// `name: value` and CRLF, the name in lower case.
pub(crate) fn write_line(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    let start = out.len();
    out.extend_from_slice(name);
    out[start..].make_ascii_lowercase();
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

fn write_status(out: &mut Vec<u8>, status: u16) {
    out.extend_from_slice(itoa::Buffer::new().format(status).as_bytes());
}

/// The items of a comma-separated list, trimmed, empty ones skipped.
fn list_items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .filter(|item| !item.is_empty())
}

/// 1 to 18 ASCII digits.
fn digits(value: &[u8]) -> Option<u64> {
    if !(1..=18).contains(&value.len()) || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        value
            .iter()
            .fold(0u64, |n, digit| n * 10 + u64::from(digit - b'0')),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::http::fast::header_slots;

    fn framing(bytes: &[u8], to_head: bool) -> Option<(Framing, bool)> {
        let mut slots = header_slots::<16>();
        match read(bytes, &mut slots, to_head) {
            ReadResponse::Head(head) => Some((head.framing, head.reusable)),
            _ => None,
        }
    }

    #[test]
    fn framing_follows_rfc_9112_section_6_3() {
        /// (the upstream's head, whether it answers `HEAD`, the framing and reuse expected)
        type Case = (&'static [u8], bool, Option<(Framing, bool)>);
        let table: [Case; 12] = [
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                false,
                Some((Framing::Length(5), true)),
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                true,
                Some((Framing::Empty, true)),
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n",
                false,
                Some((Framing::Length(5), true)),
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                false,
                None,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
                false,
                None,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n",
                false,
                Some((Framing::Chunked, true)),
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                false,
                Some((Framing::UntilClose, false)),
            ),
            (
                b"HTTP/1.1 200 OK\r\n\r\n",
                false,
                Some((Framing::UntilClose, false)),
            ),
            (
                b"HTTP/1.1 204 No Content\r\n\r\n",
                false,
                Some((Framing::Empty, true)),
            ),
            (
                b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                false,
                Some((Framing::Length(0), false)),
            ),
            (
                b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
                false,
                Some((Framing::Length(0), false)),
            ),
            (
                b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
                false,
                Some((Framing::Length(0), true)),
            ),
        ];
        for (bytes, to_head, expected) in table {
            assert_eq!(
                framing(bytes, to_head),
                expected,
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn the_client_head_loses_hop_by_hop_and_upstream_cors_lines() {
        let upstream = b"HTTP/1.1 200 Fine\r\nContent-Type: text/plain\r\nConnection: x-trace, keep-alive\r\nX-Trace: 1\r\nKeep-Alive: timeout=5\r\nAccess-Control-Allow-Origin: *\r\nVary: Accept-Encoding\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\nDate: Mon, 07 Dec 2026 04:00:00 GMT\r\n\r\n";
        let mut slots = header_slots::<16>();
        let ReadResponse::Head(head) = read(upstream, &mut slots, false) else {
            panic!("a head");
        };
        let proxy_lines =
            b"vary: accept-encoding, origin\r\naccess-control-allow-origin: https://app.example\r\n";
        for owns_cors in [true, false] {
            let mut out = Vec::new();
            head.write_client_head(
                &mut out,
                &ClientHead {
                    owns_cors,
                    proxy_lines,
                    chunked: true,
                    close: false,
                    date_line: b"date: unused\r\n",
                },
            );
            let upstream_cors = if owns_cors {
                ""
            } else {
                "access-control-allow-origin: *\r\n"
            };
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!(
                    "HTTP/1.1 200 Fine\r\ncontent-type: text/plain\r\n{upstream_cors}date: Mon, 07 Dec 2026 04:00:00 GMT\r\nvary: accept-encoding, origin\r\naccess-control-allow-origin: https://app.example\r\ntransfer-encoding: chunked\r\n\r\n"
                )
            );
        }
    }

    /// A `Connection` line that names only fields removed anyway (as most upstreams send it)
    /// and one that names another field remove the same lines, besides that field.
    #[test]
    fn connection_lines_remove_the_fields_they_name() {
        for (connection, removed) in [
            ("keep-alive", &[][..]),
            ("Keep-Alive, TE", &[][..]),
            ("keep-alive, X-Trace", &["x-trace"][..]),
            ("close, x-trace", &["x-trace"][..]),
        ] {
            let upstream = format!(
                "HTTP/1.1 200 OK\r\nConnection: {connection}\r\nKeep-Alive: timeout=5\r\nX-Trace: 1\r\nX-Other: 2\r\nContent-Length: 0\r\n\r\n"
            );
            let mut slots = header_slots::<16>();
            let ReadResponse::Head(head) = read(upstream.as_bytes(), &mut slots, false) else {
                panic!("a head");
            };
            let mut out = Vec::new();
            head.write_client_head(
                &mut out,
                &ClientHead {
                    owns_cors: true,
                    proxy_lines: &[],
                    chunked: false,
                    close: false,
                    date_line: b"date: now\r\n",
                },
            );
            let out = String::from_utf8(out).unwrap();
            assert!(
                !out.contains("keep-alive") && !out.contains("connection"),
                "{out}"
            );
            assert!(out.contains("x-other: 2\r\n"), "{out}");
            assert_eq!(
                !out.contains("x-trace"),
                removed.contains(&"x-trace"),
                "{out}"
            );
        }
    }
}
