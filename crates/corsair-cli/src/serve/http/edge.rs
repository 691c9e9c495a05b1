//! What corsair refuses at the edge, before any CORS decision or forwarding: request targets
//! that could leave the upstream's path prefix (dot segments, also percent-encoded; the
//! asterisk-form for any method but `OPTIONS`), a missing, repeated or malformed `Host` (or an
//! HTTP/2 `:authority` that is malformed or disagrees with `Host`), and `CONNECT`, which a
//! reverse proxy never tunnels. `OPTIONS *` asks about the server itself and is answered here.
//!
//! Invariants: [`check`] looks only at the request head, allocates nothing, and a request it
//! lets through has a target whose path, once `%2e`, `%2f` and `%3b` are decoded, has no `.` or
//! `..` segment, even with path parameters (`..;x`, which servlet containers resolve as `..`),
//! and at most one valid host, so that whatever the upstream does with the path and the host is
//! what the client could have asked for directly. Browsers never send a dot segment (their URL
//! parser removes them), and no page has a reason to write `..;`, so no legitimate request is
//! turned away.
//!
//! HTTP/2 requests that RFC 9113 calls malformed are refused too: one with neither `:authority`
//! nor `Host` (§8.3.1), one with a header value that starts or ends with a space or tab (§8.2.1).

use crate::authority::is_valid_host;
use http::header::HOST;
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Version};

/// The methods corsair forwards, as `Allow` lists them in the answer to `CONNECT`.
pub(crate) const ALLOWED_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/// An answer corsair gives itself instead of forwarding the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejection {
    /// The status of the answer.
    pub status: StatusCode,
    /// The plain-text body (`corsair: ...\n`; empty for `204`).
    pub body: &'static str,
    /// Why, for the access log.
    pub reason: &'static str,
    /// Whether the answer carries `Allow` ([`ALLOWED_METHODS`]).
    pub allow: bool,
}

impl Rejection {
    const fn bad_request(body: &'static str, reason: &'static str) -> Rejection {
        Rejection {
            status: StatusCode::BAD_REQUEST,
            body,
            reason,
            allow: false,
        }
    }
}

const DOT_SEGMENT: Rejection = Rejection::bad_request(
    "corsair: the request path has a dot segment (. or ..)\n",
    "dot segment in the request path",
);
const ASTERISK: Rejection = Rejection::bad_request(
    "corsair: the request target * is only valid with OPTIONS\n",
    "asterisk-form request target without OPTIONS",
);
const NO_HOST: Rejection = Rejection::bad_request(
    "corsair: an HTTP/1.1 request needs a Host header\n",
    "no Host header",
);
const TWO_HOSTS: Rejection = Rejection::bad_request(
    "corsair: the request has more than one Host header\n",
    "several Host headers",
);
const BAD_HOST: Rejection = Rejection::bad_request(
    "corsair: the Host header is not a valid host[:port]\n",
    "invalid Host header",
);
const BAD_AUTHORITY: Rejection = Rejection::bad_request(
    "corsair: the request target's authority is not a valid host[:port]\n",
    "invalid authority in the request target",
);
const NO_AUTHORITY: Rejection = Rejection::bad_request(
    "corsair: an HTTP/2 request needs :authority or a Host header\n",
    "HTTP/2 request without :authority or Host",
);
const PADDED_VALUE: Rejection = Rejection::bad_request(
    "corsair: an HTTP/2 header value starts or ends with a space or tab\n",
    "HTTP/2 header value with leading or trailing whitespace",
);
const HOST_MISMATCH: Rejection = Rejection::bad_request(
    "corsair: the Host header and the request target name different hosts\n",
    "Host and the request target's authority disagree",
);
const CONNECT: Rejection = Rejection {
    status: StatusCode::METHOD_NOT_ALLOWED,
    body: "corsair: CONNECT is not supported by this server\n",
    reason: "CONNECT is never forwarded",
    allow: true,
};
const OPTIONS_SERVER: Rejection = Rejection {
    status: StatusCode::NO_CONTENT,
    body: "",
    reason: "OPTIONS * answered by corsair",
    allow: false,
};

/// Checks a request head; `Err` is the answer to give instead of forwarding it.
pub(crate) fn check<B>(request: &Request<B>) -> Result<(), Rejection> {
    check_head(
        request.method(),
        request.version(),
        request.uri(),
        request.headers(),
    )
}

fn check_head(
    method: &Method,
    version: Version,
    uri: &http::Uri,
    headers: &HeaderMap,
) -> Result<(), Rejection> {
    if method == Method::CONNECT {
        return Err(CONNECT);
    }
    check_host(version, uri, headers)?;
    check_http2_values(version, headers)?;
    let path = uri.path();
    if path == "*" {
        return Err(if method == Method::OPTIONS {
            OPTIONS_SERVER
        } else {
            ASTERISK
        });
    }
    if has_dot_segment(path) {
        return Err(DOT_SEGMENT);
    }
    Ok(())
}

/// RFC 9112 §3.2: an HTTP/1.1 request has exactly one `Host`, HTTP/1.0 at most one; an HTTP/2
/// request has `:authority` or `Host` (RFC 9113 §8.3.1: without either it is malformed); every
/// host given (the header, the target's authority, HTTP/2's `:authority`) is a valid
/// `uri-host [":" port]`, and the header and the authority agree.
fn check_host(version: Version, uri: &http::Uri, headers: &HeaderMap) -> Result<(), Rejection> {
    let mut hosts = headers.get_all(HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Err(TWO_HOSTS);
    }
    if let Some(host) = host {
        if !is_valid_host(host.as_bytes()) {
            return Err(BAD_HOST);
        }
    }
    let authority = uri.authority().map(|a| a.as_str());
    if let Some(authority) = authority {
        if !is_valid_host(authority.as_bytes()) {
            return Err(BAD_AUTHORITY);
        }
    }
    match (host, authority) {
        (None, None) if version == Version::HTTP_11 => Err(NO_HOST),
        (None, None) if version == Version::HTTP_2 => Err(NO_AUTHORITY),
        // HTTP/1.1 in absolute-form still sends Host (RFC 9112 §3.2); HTTP/2 sends :authority.
        (None, Some(_)) if version == Version::HTTP_11 => Err(NO_HOST),
        (Some(host), Some(authority)) if !same_host(host, authority) => Err(HOST_MISMATCH),
        _ => Ok(()),
    }
}

/// RFC 9113 §8.2.1 (<https://www.rfc-editor.org/rfc/rfc9113#section-8.2.1>): an HTTP/2 field
/// value that starts or ends with SP or HTAB makes the request malformed. (HTTP/1's parser
/// removes such whitespace around a value; HTTP/2 carries it as it is, and an upstream may
/// read `" admin"` otherwise than corsair does.)
fn check_http2_values(version: Version, headers: &HeaderMap) -> Result<(), Rejection> {
    let padded = |value: &HeaderValue| {
        let bytes = value.as_bytes();
        let blank = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
        blank(bytes.first()) || blank(bytes.last())
    };
    if version == Version::HTTP_2 && headers.values().any(padded) {
        return Err(PADDED_VALUE);
    }
    Ok(())
}

fn same_host(host: &HeaderValue, authority: &str) -> bool {
    host.as_bytes().eq_ignore_ascii_case(authority.as_bytes())
}

/// Whether `path` has a `.` or `..` segment once `%2e`/`%2E` are read as `.` and `%2f`/`%2F`
/// as `/` (what an upstream that decodes its path would see), a segment's name ending at its
/// first `;` (or `%3b`/`%3B`): servlet containers cut path parameters before they resolve dot
/// segments, so `/..;/admin` climbs a level there (RFC 3986 §3.3). One pass, no allocation; a
/// path without `.` or `%` (most of them) has none, which one vectorized search tells.
pub(crate) fn has_dot_segment(path: &str) -> bool {
    let bytes = path.as_bytes();
    if memchr::memchr2(b'.', b'%', bytes).is_none() {
        return false;
    }
    // The current segment's name (up to its parameters): its length and how many of its bytes
    // are dots, in decoded bytes.
    let (mut length, mut dots, mut in_parameters) = (0usize, 0usize, false);
    let is_dot_segment = |length: usize, dots: usize| dots == length && (1..=2).contains(&length);
    let mut i = 0;
    while i < bytes.len() {
        let (decoded, width) = match bytes[i..] {
            [b'%', b'2', b'e' | b'E', ..] => (b'.', 3),
            [b'%', b'2', b'f' | b'F', ..] => (b'/', 3),
            [b'%', b'3', b'b' | b'B', ..] => (b';', 3),
            [byte, ..] => (byte, 1),
            [] => unreachable!("i < len"),
        };
        i += width;
        match decoded {
            b'/' => {
                if is_dot_segment(length, dots) {
                    return true;
                }
                (length, dots, in_parameters) = (0, 0, false);
            }
            b';' => in_parameters = true,
            _ if in_parameters => {}
            _ => {
                length += 1;
                dots += usize::from(decoded == b'.');
            }
        }
    }
    is_dot_segment(length, dots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds the head of `method target version` with `headers`, as hyper would hand it over.
    fn head(
        method: &str,
        target: &str,
        version: Version,
        headers: &[(&str, &[u8])],
    ) -> Request<()> {
        let mut request = Request::builder()
            .method(method)
            .uri(target)
            .version(version);
        for (name, value) in headers {
            request = request.header(*name, HeaderValue::from_bytes(value).unwrap());
        }
        request.body(()).unwrap()
    }

    const H11: Version = Version::HTTP_11;

    /// Header lines of a test request.
    type Headers<'a> = &'a [(&'a str, &'a [u8])];
    const HOST_X: &[(&str, &[u8])] = &[("host", b"x")];

    #[test]
    fn request_targets_that_could_leave_the_prefix_are_refused() {
        // (method, target, expected)
        let table: [(&str, &str, Result<(), Rejection>); 34] = [
            ("GET", "/../admin", Err(DOT_SEGMENT)),
            ("GET", "/%2e%2e/admin", Err(DOT_SEGMENT)),
            ("GET", "/%2E%2E/admin", Err(DOT_SEGMENT)),
            ("GET", "/.%2e/admin", Err(DOT_SEGMENT)),
            ("GET", "/..%2fadmin", Err(DOT_SEGMENT)),
            ("GET", "/..%2Fadmin", Err(DOT_SEGMENT)),
            ("GET", "/a%2f..%2fadmin", Err(DOT_SEGMENT)),
            ("GET", "/./../admin", Err(DOT_SEGMENT)),
            ("GET", "/./admin", Err(DOT_SEGMENT)),
            ("GET", "/a/.", Err(DOT_SEGMENT)),
            ("GET", "/a/..", Err(DOT_SEGMENT)),
            ("GET", "/a/..?x=1", Err(DOT_SEGMENT)),
            ("GET", "http://x/../admin", Err(DOT_SEGMENT)),
            // Dot segments with path parameters, resolved by servlet containers.
            ("GET", "/..;/admin/users", Err(DOT_SEGMENT)),
            ("GET", "/%2e%2e;/admin/users", Err(DOT_SEGMENT)),
            ("GET", "/x/..;/..;/admin/users", Err(DOT_SEGMENT)),
            ("GET", "/partner/..;/admin/acao", Err(DOT_SEGMENT)),
            ("GET", "/webhooks/..;x=1/admin/acao", Err(DOT_SEGMENT)),
            ("GET", "/a/.;x/b", Err(DOT_SEGMENT)),
            ("GET", "/a/..%3b/b", Err(DOT_SEGMENT)),
            ("GET", "/a/..%3B", Err(DOT_SEGMENT)),
            ("GET", "/a/..;", Err(DOT_SEGMENT)),
            ("GET", "/admin;x/acao", Ok(())),
            ("GET", "/a/b;..", Ok(())),
            ("GET", "/a/;../b", Ok(())),
            ("GET", "*", Err(ASTERISK)),
            ("POST", "*", Err(ASTERISK)),
            ("OPTIONS", "*", Err(OPTIONS_SERVER)),
            ("GET", "/a/...", Ok(())),
            ("GET", "/a/.b/c..", Ok(())),
            ("GET", "/a/%2e%2e%2e", Ok(())),
            ("GET", "/a/%252e%252e/b", Ok(())),
            ("GET", "/a/b?path=../../etc", Ok(())),
            ("GET", "/", Ok(())),
        ];
        for (method, target, expected) in table {
            assert_eq!(
                check(&head(method, target, H11, HOST_X)),
                expected,
                "{method} {target}"
            );
        }
    }

    #[test]
    fn host_headers_must_be_one_valid_host_and_port() {
        type Case<'a> = (
            Version,
            &'a str,
            &'a [(&'a str, &'a [u8])],
            Result<(), Rejection>,
        );
        let table: [Case<'_>; 25] = [
            (H11, "/", &[], Err(NO_HOST)),
            (H11, "/", &[("host", b"a"), ("host", b"b")], Err(TWO_HOSTS)),
            (H11, "/", &[("host", b"a"), ("host", b"a")], Err(TWO_HOSTS)),
            (H11, "/", &[("host", b"a b@c/../d")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"user@a.example")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"a.example:")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"a.example:65536")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"a.example:123456")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"a.example:8a")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"a.example/x")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"[::1")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"[::g]")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"[::1]x")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"a%zz")], Err(BAD_HOST)),
            (H11, "/", &[("host", b"a.example:65535")], Ok(())),
            (H11, "/", &[("host", b"127.0.0.1:8300")], Ok(())),
            (H11, "/", &[("host", b"[::1]:8300")], Ok(())),
            (H11, "/", &[("host", b"[v1.fe80::a+en1]")], Ok(())),
            (H11, "/", &[("host", b"xn--bcher-kva.example")], Ok(())),
            (Version::HTTP_10, "/", &[], Ok(())),
            (H11, "http://a.example/", &[], Err(NO_HOST)),
            (
                H11,
                "http://a.example/",
                &[("host", b"b.example")],
                Err(HOST_MISMATCH),
            ),
            (H11, "http://A.example/", &[("host", b"a.EXAMPLE")], Ok(())),
            (
                H11,
                "http://u@a.example/",
                &[("host", b"a.example")],
                Err(BAD_AUTHORITY),
            ),
        ];
        for (version, target, headers, expected) in table {
            assert_eq!(
                check(&head("GET", target, version, headers)),
                expected,
                "{version:?} {target} {headers:?}"
            );
        }
    }

    #[test]
    fn http2_authority_is_validated_and_must_agree_with_host() {
        let h2 = Version::HTTP_2;
        let table: [(&str, Headers<'_>, Result<(), Rejection>); 7] = [
            ("http://a.example/x", &[], Ok(())),
            ("/x", &[], Err(NO_AUTHORITY)),
            ("/x", &[("host", b"a.example:8300")], Ok(())),
            ("http://a.example/x", &[("host", b"a.example")], Ok(())),
            (
                "http://a.example/x",
                &[("host", b"b.example")],
                Err(HOST_MISMATCH),
            ),
            ("http://a.example:99999/x", &[], Err(BAD_AUTHORITY)),
            ("/x", &[("host", b"a.example")], Ok(())),
        ];
        for (target, headers, expected) in table {
            assert_eq!(
                check(&head("GET", target, h2, headers)),
                expected,
                "{target}"
            );
        }
    }

    #[test]
    fn http2_values_with_leading_or_trailing_whitespace_are_refused() {
        // (version, value of `x-role`, expected)
        let table: [(Version, &[u8], Result<(), Rejection>); 9] = [
            (Version::HTTP_2, b" admin", Err(PADDED_VALUE)),
            (Version::HTTP_2, b"admin ", Err(PADDED_VALUE)),
            (Version::HTTP_2, b"\tadmin", Err(PADDED_VALUE)),
            (Version::HTTP_2, b"admin\t", Err(PADDED_VALUE)),
            (Version::HTTP_2, b" ", Err(PADDED_VALUE)),
            (Version::HTTP_2, b"ad min", Ok(())),
            (Version::HTTP_2, b"ad\tmin", Ok(())),
            (Version::HTTP_2, b"", Ok(())),
            // HTTP/1's parser strips it; a value built otherwise is not HTTP/2's business.
            (H11, b" admin ", Ok(())),
        ];
        for (version, value, expected) in table {
            let headers: Headers<'_> = &[("host", b"a.example"), ("x-role", value)];
            assert_eq!(
                check(&head("GET", "/x", version, headers)),
                expected,
                "{version:?} {value:?}"
            );
        }
    }

    #[test]
    fn connect_is_answered_405_with_allow_and_never_forwarded() {
        let request = Request::builder()
            .method("CONNECT")
            .uri("127.0.0.1:8000")
            .header("host", "127.0.0.1:8000")
            .body(())
            .unwrap();
        let rejection = check(&request).unwrap_err();
        assert_eq!(rejection.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(rejection.allow);
        for rejection in [
            DOT_SEGMENT,
            ASTERISK,
            NO_HOST,
            TWO_HOSTS,
            BAD_HOST,
            BAD_AUTHORITY,
            NO_AUTHORITY,
            PADDED_VALUE,
            HOST_MISMATCH,
            CONNECT,
        ] {
            assert!(rejection.body.starts_with("corsair: "), "{rejection:?}");
            assert!(rejection.body.ends_with('\n'), "{rejection:?}");
        }
    }

    /// The reference model: decode, split, cut each segment's parameters, compare.
    fn dot_segment_model(path: &str) -> bool {
        let decoded = path
            .replace("%2e", ".")
            .replace("%2E", ".")
            .replace("%2f", "/")
            .replace("%2F", "/")
            .replace("%3b", ";")
            .replace("%3B", ";");
        decoded
            .split('/')
            .map(|segment| segment.split(';').next().unwrap_or_default())
            .any(|name| name == "." || name == "..")
    }

    proptest! {
        #[test]
        fn dot_segment_detection_agrees_with_the_model(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("/"), Just("."), Just(".."), Just("%2e"), Just("%2E"), Just("%2f"),
                    Just("%2F"), Just("%2"), Just("%"), Just("a"), Just("e"), Just("f"),
                    Just("2"), Just("%25"), Just(";"), Just("%3b"), Just("%3B"), Just("3"),
                    Just("b"),
                ],
                0..12,
            )
        ) {
            let path: String = pieces.concat();
            prop_assert_eq!(has_dot_segment(&path), dot_segment_model(&path), "{}", path);
        }
    }
}
