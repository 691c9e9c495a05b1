//! A client's request head, parsed with `httparse` into slots that borrow the connection's
//! buffer, and the one question the fast path asks of it: can it forward this request exactly
//! as the general path would, or does the request go to the general path (hyper) with every
//! byte read so far?
//!
//! The fast path takes only what it can forward without interpretation: HTTP/1.1, one of the
//! methods corsair forwards, an origin-form target of URI characters ([`TARGET`]) without dot
//! segments (the edge's rule),
//! exactly one valid `Host`, at most one `Content-Length` of plain digits and no
//! `Transfer-Encoding`, and no header that changes what the connection carries (`Upgrade`,
//! `Expect`, `TE`, `Trailer`, `Keep-Alive`, `Proxy-*`, `HTTP2-Settings`, or a `Connection` other
//! than `keep-alive` or `close`). Everything else, refusals included, is the general path's: it
//! answers them with the same words as on any other connection. So the fast path never decides
//! differently from the general path; it only does the common case with less machinery.
//!
//! Invariants: [`read`] never allocates; what it takes, the general path would have forwarded
//! (the differential fuzz target `fuzz_targets/fast_path.rs` holds it to that).

use http::Method;

use super::super::edge::has_dot_segment;
use super::Slot;
use crate::authority::is_valid_host;

/// A head the fast path forwards.
#[derive(Debug)]
pub(crate) struct RequestHead<'b> {
    /// The head's length in the buffer (what follows is the body or the next request).
    pub length: usize,
    /// The method, one of those corsair forwards.
    pub method: Method,
    /// The target, in origin form (`/path?query`), as sent: the general path's `Uri` would
    /// hold the same path and query.
    pub target: &'b str,
    /// The header lines, as sent (names in the client's case).
    pub headers: &'b [httparse::Header<'b>],
    /// The body's length (`Content-Length`; 0 without one).
    pub body_length: u64,
    /// The client asked to close the connection after this exchange (`Connection: close`).
    pub close: bool,
    /// The `Host` value.
    pub host: &'b [u8],
}

/// What the fast path makes of the bytes a connection has sent so far.
#[derive(Debug)]
pub(crate) enum Parsed<'b> {
    /// The head is not complete yet.
    Partial,
    /// A head the fast path forwards.
    Take(RequestHead<'b>),
    /// The general path takes the connection from here, with every byte read (`why`: for the
    /// debug log).
    HandOver(&'static str),
}

/// The methods the fast path forwards (those corsair forwards, `edge::ALLOWED_METHODS`).
const METHODS: [(&str, Method); 7] = [
    ("GET", Method::GET),
    ("HEAD", Method::HEAD),
    ("POST", Method::POST),
    ("PUT", Method::PUT),
    ("PATCH", Method::PATCH),
    ("DELETE", Method::DELETE),
    ("OPTIONS", Method::OPTIONS),
];

/// The last `Host` value a connection's head had that was valid. The clients of a connection
/// send the same `Host` on every request, and checking it (the `uri-host [":" port]` grammar) is
/// among the larger costs of reading a head; comparing the bytes with the last valid value
/// gives the same answer for a fraction of that. Only a value found valid is kept.
#[derive(Debug, Default)]
pub(crate) struct HostCheck {
    last_valid: Vec<u8>,
}

impl HostCheck {
    /// Whether `value` is a valid `Host` (`authority::is_valid_host`).
    fn is_valid(&mut self, value: &[u8]) -> bool {
        if !self.last_valid.is_empty() && self.last_valid == value {
            return true;
        }
        if !is_valid_host(value) {
            return false;
        }
        self.last_valid.clear();
        self.last_valid.extend_from_slice(value);
        true
    }
}

/// Reads the head at the start of `buffer` into `slots`; `buffer` may hold more than the head
/// (its body, pipelined requests), and the head ends where `httparse` says it does, as on the
/// general path (hyper parses with `httparse` too). One pass over the bytes both finds the end
/// and parses: a head that is not whole yet is [`Parsed::Partial`]. More header lines than
/// `slots` hold hand the request over (the general path applies `max_request_headers`).
/// `hosts` is the connection's (see [`HostCheck`]).
pub(crate) fn read<'b>(
    buffer: &'b [u8],
    slots: &'b mut [Slot<'b>],
    hosts: &mut HostCheck,
) -> Parsed<'b> {
    let mut request = httparse::Request::new(&mut []);
    let length = match request.parse_with_uninit_headers(buffer, slots) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(_) => return Parsed::HandOver("a head httparse refuses"),
    };
    if request.version != Some(1) {
        return Parsed::HandOver("not HTTP/1.1");
    }
    let method = request.method.unwrap_or_default();
    let Some((_, method)) = METHODS.iter().find(|(name, _)| *name == method) else {
        return Parsed::HandOver("a method the fast path leaves to the general path");
    };
    let target = request.path.unwrap_or_default();
    let Some(scanned) = scan_target(target.as_bytes()) else {
        return Parsed::HandOver("a target that is not origin-form of URI characters");
    };
    if scanned & DOT_OR_PERCENT != 0 {
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        if has_dot_segment(path) {
            return Parsed::HandOver("a dot segment");
        }
    }
    let headers: &'b [httparse::Header<'b>] = request.headers;
    let mut host: Option<&[u8]> = None;
    let mut content_length: Option<u64> = None;
    let mut close = false;
    let mut connection_seen = false;
    for header in headers {
        let name = header.name.as_bytes();
        let value = header.value;
        match Field::of(name) {
            Field::Host => {
                if host.replace(value).is_some() || !hosts.is_valid(value) {
                    return Parsed::HandOver("no single valid Host");
                }
            }
            Field::ContentLength => {
                let Some(length) = plain_length(value) else {
                    return Parsed::HandOver("a Content-Length that is not plain digits");
                };
                if content_length.replace(length).is_some() {
                    return Parsed::HandOver("several Content-Length lines");
                }
            }
            Field::Connection => {
                if std::mem::replace(&mut connection_seen, true) {
                    return Parsed::HandOver("several Connection lines");
                }
                if value.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if !value.eq_ignore_ascii_case(b"keep-alive") {
                    return Parsed::HandOver("a Connection header naming other fields");
                }
            }
            Field::ChangesTheConnection => {
                return Parsed::HandOver("a header that changes the connection or the framing");
            }
            Field::Other => {}
        }
    }
    let Some(host) = host else {
        return Parsed::HandOver("no single valid Host");
    };
    Parsed::Take(RequestHead {
        length,
        method: method.clone(),
        target,
        headers,
        body_length: content_length.unwrap_or(0),
        close,
        host,
    })
}

/// The longest target the general path's `Uri` reads (`http`'s limit); a longer one is refused
/// there, so the fast path leaves it to that.
const MAX_TARGET: usize = u16::MAX as usize - 1;

/// A byte of a target the fast path takes (its class in [`TARGET`]).
const URI: u8 = 1;
/// `.` or `%`: the path may have a dot segment, plain or percent-encoded.
const DOT_OR_PERCENT: u8 = 2;

/// The bytes of a target the fast path takes: RFC 3986's unreserved characters and sub-delims,
/// `:`, `@`, `/`, `%` and `?` ([RFC 3986 §3.3–3.4](https://www.rfc-editor.org/rfc/rfc3986#section-3.3)).
/// `http`'s `Uri`, which reads the target on the general path, keeps each of them as it is in
/// a path and in a query (a unit test holds it to that, byte by byte), and the first `?` ends
/// the path; any other byte (`#`, which `Uri` cuts the target at, quotes and braces it lets
/// through, bytes past ASCII) sends the request to the general path.
static TARGET: [u8; 256] = {
    let mut classes = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        let sub_delim = matches!(
            b,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        );
        if unreserved || sub_delim || matches!(b, b':' | b'@' | b'/' | b'%' | b'?') {
            classes[byte] = URI;
        }
        if matches!(b, b'.' | b'%') {
            classes[byte] |= DOT_OR_PERCENT;
        }
        byte += 1;
    }
    classes
};

/// The classes of a target's bytes, or-ed, when it is in origin form (`/` first, at most
/// [`MAX_TARGET`] bytes) and every byte is in [`TARGET`].
fn scan_target(target: &[u8]) -> Option<u8> {
    if target.first() != Some(&b'/') || target.len() > MAX_TARGET {
        return None;
    }
    let mut seen = URI;
    for &byte in target {
        let class = TARGET[usize::from(byte)];
        if class == 0 {
            return None;
        }
        seen |= class;
    }
    Some(seen)
}

/// The header fields the fast path looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Host,
    ContentLength,
    Connection,
    /// Framing, upgrades, hop-by-hop fields that name more: the general path's.
    ChangesTheConnection,
    Other,
}

impl Field {
    /// The field `name` is, in any case; the known names are told apart by their length
    /// first, as a head's other lines (`Origin`, `Accept`, ...) are most of them.
    fn of(name: &[u8]) -> Field {
        let is = |known: &[u8]| is_name(name, known);
        match name.len() {
            4 if is(b"host") => Field::Host,
            10 if is(b"connection") => Field::Connection,
            14 if is(b"content-length") => Field::ContentLength,
            2 if is(b"te") => Field::ChangesTheConnection,
            6 if is(b"expect") => Field::ChangesTheConnection,
            7 if is(b"upgrade") || is(b"trailer") => Field::ChangesTheConnection,
            10 if is(b"keep-alive") => Field::ChangesTheConnection,
            14 if is(b"http2-settings") => Field::ChangesTheConnection,
            17 if is(b"transfer-encoding") => Field::ChangesTheConnection,
            _ if name.len() >= 6 && is_name(&name[..6], b"proxy-") => Field::ChangesTheConnection,
            _ => Field::Other,
        }
    }
}

/// Whether the header name `name`, a token as `httparse` reads names (RFC 9110 §5.6.2), is
/// `lower` in any case, where `lower` holds only lower-case letters, digits and `-` (the names
/// corsair looks for). Eight bytes are compared at a time: setting bit 5 of each byte of `name`
/// makes an upper-case letter lower-case, and turns no other token byte into a byte of `lower`
/// (only control bytes, which no token has, become digits or `-` with it).
pub(super) fn is_name(name: &[u8], lower: &[u8]) -> bool {
    const CASE: u64 = u64::from_ne_bytes([0x20; 8]);
    debug_assert!(
        lower
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
    );
    if name.len() != lower.len() {
        return false;
    }
    let (mut name, mut lower) = (name, lower);
    while let (Some((n, name_rest)), Some((l, lower_rest))) = (
        name.split_first_chunk::<8>(),
        lower.split_first_chunk::<8>(),
    ) {
        if u64::from_ne_bytes(*n) | CASE != u64::from_ne_bytes(*l) {
            return false;
        }
        (name, lower) = (name_rest, lower_rest);
    }
    name.iter().zip(lower).all(|(n, l)| n | 0x20 == *l)
}

/// A `Content-Length` value of 1 to 18 ASCII digits (no sign, no space, no list).
fn plain_length(value: &[u8]) -> Option<u64> {
    if !(1..=18).contains(&value.len()) || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        value
            .iter()
            .fold(0u64, |length, digit| length * 10 + u64::from(digit - b'0')),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::http::fast::header_slots;
    use proptest::prelude::*;

    fn outcome(bytes: &[u8]) -> Result<(String, u64, bool), &'static str> {
        let mut slots = header_slots::<16>();
        match read(bytes, &mut slots, &mut HostCheck::default()) {
            Parsed::Take(head) => Ok((head.target.to_owned(), head.body_length, head.close)),
            Parsed::Partial => Err("partial"),
            Parsed::HandOver(_) => Err("general path"),
        }
    }

    #[test]
    fn the_common_requests_are_taken_and_the_rest_handed_over() {
        /// (the bytes, the target, body length and close taken, or why not)
        type Case = (
            &'static [u8],
            Result<(&'static str, u64, bool), &'static str>,
        );
        let table: [Case; 22] = [
            (
                b"GET /a?b=c HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n\r\n",
                Ok(("/a?b=c", 0, false)),
            ),
            (
                b"POST /p HTTP/1.1\r\nhost: x:8\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc",
                Ok(("/p", 3, true)),
            ),
            (b"GET / HTTP/1.1\nHost: x\nConnection: Keep-Alive\n\n", Ok(("/", 0, false))),
            (b"GET / HTTP/1.1\r\nHost: x\r\n", Err("partial")),
            (b"GET / HTTP/1.0\r\nHost: x\r\n\r\n", Err("general path")),
            (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Err("general path")),
            (b"CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n", Err("general path")),
            (b"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", Err("general path")),
            (b"get / HTTP/1.1\r\nHost: x\r\n\r\n", Err("general path")),
            (b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", Err("general path")),
            (b"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", Err("general path")),
            (b"GET /a/../b HTTP/1.1\r\nHost: x\r\n\r\n", Err("general path")),
            (b"GET /a/%2e%2E/b HTTP/1.1\r\nHost: x\r\n\r\n", Err("general path")),
            (b"GET / HTTP/1.1\r\n\r\n", Err("general path")),
            (b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", Err("general path")),
            (b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", Err("general path")),
            (
                b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                Err("general path"),
            ),
            (
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
                Err("general path"),
            ),
            (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n", Err("general path")),
            (
                b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
                Err("general path"),
            ),
            (b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", Err("general path")),
            (b"GET / HTTP/1.1\r\nHost: x\r\nProxy-Authorization: y\r\n\r\n", Err("general path")),
        ];
        for (bytes, expected) in table {
            let expected = expected.map(|(uri, length, close)| (uri.to_owned(), length, close));
            assert_eq!(
                outcome(bytes),
                expected,
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn a_host_is_checked_again_when_it_changes() {
        let mut hosts = HostCheck::default();
        let mut take = |bytes: &[u8]| {
            let mut slots = header_slots::<16>();
            matches!(read(bytes, &mut slots, &mut hosts), Parsed::Take(_))
        };
        assert!(take(b"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"));
        assert!(take(b"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"));
        assert!(!take(b"GET / HTTP/1.1\r\nHost: a.example:x\r\n\r\n"));
        assert!(!take(b"GET / HTTP/1.1\r\nHost: \r\n\r\n"));
        assert!(take(b"GET / HTTP/1.1\r\nHost: b.example:8\r\n\r\n"));
        assert!(!take(b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n"));
    }

    proptest! {
        /// A connection's check, whatever values came before, answers as the grammar does.
        #[test]
        fn the_connection_check_agrees_with_the_grammar(
            values in proptest::collection::vec(
                prop_oneof![
                    Just(b"a.example".to_vec()),
                    Just(b"a.example:80".to_vec()),
                    proptest::collection::vec(any::<u8>(), 0..12),
                ],
                0..8,
            )
        ) {
            let mut hosts = HostCheck::default();
            for value in values {
                prop_assert_eq!(hosts.is_valid(&value), is_valid_host(&value));
            }
        }
    }

    /// Each byte the fast path takes in a target, in a path and in a query, is kept as it is
    /// by `http`'s `Uri` (the general path's reader), with the first `?` ending the path; no
    /// byte outside the set is taken.
    #[test]
    fn target_bytes_are_those_uri_keeps_as_they_are() {
        let mut taken = 0;
        for byte in 0..=255u8 {
            let target = [b"/a".as_slice(), &[byte], b"b?c", &[byte], b"d"].concat();
            let Some(scanned) = scan_target(&target) else {
                continue;
            };
            taken += 1;
            let text = std::str::from_utf8(&target).unwrap();
            let uri = http::Uri::try_from(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            let (path, query) = text.split_once('?').unwrap();
            assert_eq!((uri.path(), uri.query()), (path, Some(query)), "{text:?}");
            assert_eq!(
                scanned & DOT_OR_PERCENT != 0,
                matches!(byte, b'.' | b'%'),
                "{text:?}"
            );
        }
        // ALPHA, DIGIT, `-._~`, `!$&'()*+,;=`, `:@/%?`.
        assert_eq!(taken, 52 + 10 + 4 + 11 + 5);
        for target in ["", "*", "a/b", "http://x/", "/a#b", "/a b", "/\"{}\"", "/é"] {
            assert_eq!(scan_target(target.as_bytes()), None, "{target:?}");
        }
        let longest = format!("/{}", "a".repeat(MAX_TARGET - 1));
        assert!(scan_target(longest.as_bytes()).is_some());
        assert!(http::Uri::try_from(longest.as_str()).is_ok());
        let longer = format!("{longest}a");
        assert_eq!(scan_target(longer.as_bytes()), None);
        assert!(http::Uri::try_from(longer.as_str()).is_err());
    }

    /// What `Field::of` tells, the plain way: each known name compared in turn.
    fn field_model(name: &[u8]) -> Field {
        const GENERAL_PATH: [&[u8]; 7] = [
            b"transfer-encoding",
            b"upgrade",
            b"expect",
            b"te",
            b"trailer",
            b"keep-alive",
            b"http2-settings",
        ];
        let lower = name.to_ascii_lowercase();
        match &lower[..] {
            b"host" => Field::Host,
            b"content-length" => Field::ContentLength,
            b"connection" => Field::Connection,
            known if GENERAL_PATH.contains(&known) || known.starts_with(b"proxy-") => {
                Field::ChangesTheConnection
            }
            _ => Field::Other,
        }
    }

    /// Names near the known ones: each known name in any case, cut short, with a byte more,
    /// or with one byte changed.
    fn name_like() -> impl Strategy<Value = Vec<u8>> {
        let known = prop::sample::select(vec![
            "host",
            "connection",
            "content-length",
            "te",
            "expect",
            "upgrade",
            "trailer",
            "keep-alive",
            "http2-settings",
            "transfer-encoding",
            "proxy-",
            "proxy-connection",
            "origin",
            "accept",
        ]);
        (known, any::<u64>(), 0usize..4, any::<u8>(), any::<usize>()).prop_map(
            |(known, cases, edit, byte, at)| {
                let mut name: Vec<u8> = known
                    .bytes()
                    .enumerate()
                    .map(|(i, b)| {
                        if cases >> (i % 64) & 1 == 1 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        }
                    })
                    .collect();
                let at = at % name.len();
                match edit {
                    0 => {}
                    1 => name.truncate(at),
                    2 => name.insert(at, byte),
                    _ => name[at] = byte,
                }
                name
            },
        )
    }

    /// A header name as `httparse` reads them: a token (RFC 9110 §5.6.2).
    fn token() -> impl Strategy<Value = Vec<u8>> {
        let tchar = prop::sample::select(
            b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                .to_vec(),
        );
        proptest::collection::vec(tchar, 1..40)
    }

    proptest! {
        #[test]
        fn fields_are_told_as_the_model_tells_them(name in name_like()) {
            prop_assert_eq!(Field::of(&name), field_model(&name));
        }

        #[test]
        fn names_are_compared_as_eq_ignore_ascii_case_compares_them(
            name in prop_oneof![token(), name_like().prop_filter("a token", |n| {
                !n.is_empty() && httparse::parse_headers(&[&n[..], b": x\r\n\r\n"].concat(), &mut [httparse::EMPTY_HEADER; 1]).is_ok()
            })],
            lower in prop_oneof![
                Just("access-control-request-method".to_owned()),
                Just("http2-settings".to_owned()),
                Just("origin".to_owned()),
                "[a-z0-9-]{1,40}",
            ],
        ) {
            prop_assert_eq!(is_name(&name, lower.as_bytes()), name.eq_ignore_ascii_case(lower.as_bytes()));
            // The name itself, in another case.
            let same = lower.to_ascii_uppercase();
            prop_assert!(is_name(same.as_bytes(), lower.as_bytes()));
        }
    }

    #[test]
    fn more_header_lines_than_slots_go_to_the_general_path() {
        let mut head = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
        for i in 0..16 {
            head.extend_from_slice(format!("x-{i}: y\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        assert_eq!(outcome(&head), Err("general path"));
    }

    /// The reference: a `Content-Length` the fast path takes is what `str::parse` reads of a
    /// string of ASCII digits.
    fn length_model(value: &[u8]) -> Option<u64> {
        let text = std::str::from_utf8(value).ok()?;
        if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }

    #[test]
    fn a_head_ends_where_httparse_ends_it_whatever_follows() {
        let head = b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n";
        let mut bytes = head.to_vec();
        bytes.extend_from_slice(b"abcGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut slots = header_slots::<16>();
        match read(&bytes, &mut slots, &mut HostCheck::default()) {
            Parsed::Take(taken) => assert_eq!(taken.length, head.len()),
            other => panic!("{other:?}"),
        }
        assert_eq!(outcome(&bytes[..head.len() - 1]), Err("partial"));
    }

    /// Heads made of request-line and header-line pieces, line ends of every kind, and bytes
    /// that may follow them.
    fn head_like() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"\r\n".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"Host: x".to_vec()),
            Just(b"Content-Length: 2".to_vec()),
            Just(b"a: b".to_vec()),
            Just(b" c".to_vec()),
            Just(b"GET / HTTP/1.1".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..4),
        ];
        (
            prop_oneof![Just(&b""[..]), Just(&b"\r\n"[..]), Just(&b"\n"[..])],
            proptest::collection::vec(piece, 0..12),
        )
            .prop_map(|(lead, pieces)| {
                let mut bytes = lead.to_vec();
                bytes.extend_from_slice(b"GET / HTTP/1.1\r\nHost: x\r\n");
                bytes.extend(pieces.concat());
                bytes
            })
    }

    proptest! {
        /// The connection finds a head's end two ways: one parse of what it has read, or (for a
        /// head that comes in pieces) a scan for the end and a parse of the head alone. Both
        /// take the same heads with the same length.
        #[test]
        fn one_pass_and_scan_then_parse_agree(bytes in head_like()) {
            let mut slots = header_slots::<16>();
            let one_pass = match read(&bytes, &mut slots, &mut HostCheck::default()) {
                Parsed::Take(head) => Some(head.length),
                _ => None,
            };
            let (mut last, mut started) = ([0u8; 2], false);
            let scanned = crate::serve::http::head_guard::scan_head(&bytes, &mut last, &mut started);
            let mut slots = header_slots::<16>();
            let scan_then_parse = scanned.and_then(|end| match read(&bytes[..end], &mut slots, &mut HostCheck::default()) {
                Parsed::Take(head) => Some(head.length),
                _ => None,
            });
            if let Some(length) = one_pass {
                prop_assert_eq!(scanned, Some(length));
            }
            prop_assert_eq!(one_pass, scan_then_parse);
        }

        #[test]
        fn plain_lengths_agree_with_the_model(value in proptest::collection::vec(any::<u8>(), 0..24)) {
            prop_assert_eq!(plain_length(&value), length_model(&value));
        }

        #[test]
        fn digit_strings_are_read_as_numbers(n in 0u64..1_000_000_000_000_000_000) {
            prop_assert_eq!(plain_length(n.to_string().as_bytes()), Some(n));
        }

        /// Whatever the bytes, reading them never panics, and a head that is taken has an
        /// origin-form target.
        #[test]
        fn any_bytes_are_read_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let mut slots = header_slots::<8>();
            if let Parsed::Take(head) = read(&bytes, &mut slots, &mut HostCheck::default()) {
                prop_assert!(head.target.starts_with('/'));
            }
        }
    }
}
