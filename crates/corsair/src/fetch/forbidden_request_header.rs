//! [Forbidden request-headers](https://fetch.spec.whatwg.org/#forbidden-request-header): the
//! headers a script cannot set. Browsers drop them silently, so allowing one in
//! `Access-Control-Allow-Headers` has no effect.

use super::forbidden_method::is_forbidden_method;
use super::{starts_with_ignore_case, trim_http_whitespace};

/// The fixed names of the Fetch standard, in lower case, and
/// `access-control-request-private-network`, which Chromium adds for Private Network Access
/// (<https://wicg.github.io/private-network-access/>).
///
/// ```
/// use corsair::fetch::forbidden_request_header::FORBIDDEN_REQUEST_HEADER_NAMES;
///
/// assert!(FORBIDDEN_REQUEST_HEADER_NAMES.contains(&"via"));
/// assert!(FORBIDDEN_REQUEST_HEADER_NAMES.contains(&"access-control-request-private-network"));
/// ```
pub const FORBIDDEN_REQUEST_HEADER_NAMES: [&str; 22] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "access-control-request-private-network",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Every name starting with one of these is forbidden too.
///
/// ```
/// assert_eq!(corsair::fetch::forbidden_request_header::FORBIDDEN_PREFIXES, ["proxy-", "sec-"]);
/// ```
pub const FORBIDDEN_PREFIXES: [&str; 2] = ["proxy-", "sec-"];

/// The method-override headers, forbidden when one of their values is a forbidden method.
///
/// ```
/// use corsair::fetch::forbidden_request_header::METHOD_OVERRIDE_NAMES;
///
/// assert!(METHOD_OVERRIDE_NAMES.contains(&"x-http-method-override"));
/// ```
pub const METHOD_OVERRIDE_NAMES: [&str; 3] = [
    "x-http-method",
    "x-http-method-override",
    "x-method-override",
];

/// Whether a header with this name is forbidden whatever its value: a fixed name or a
/// forbidden prefix (any case).
///
/// ```
/// use corsair::fetch::forbidden_request_header::is_forbidden_name;
///
/// assert!(is_forbidden_name(b"Cookie"));
/// assert!(is_forbidden_name(b"Sec-Fetch-Mode"));
/// assert!(is_forbidden_name(b"proxy-authorization"));
/// assert!(!is_forbidden_name(b"Authorization"));
/// ```
pub fn is_forbidden_name(name: &[u8]) -> bool {
    FORBIDDEN_REQUEST_HEADER_NAMES
        .iter()
        .any(|forbidden| name.eq_ignore_ascii_case(forbidden.as_bytes()))
        || FORBIDDEN_PREFIXES
            .iter()
            .any(|prefix| starts_with_ignore_case(name, prefix.as_bytes()))
}

/// Whether a script's `(name, value)` header is forbidden, i.e. dropped by the browser: a
/// forbidden name, or a method-override header one of whose comma-separated values is a
/// forbidden method.
///
/// ```
/// use corsair::fetch::forbidden_request_header::is_forbidden_request_header;
///
/// assert!(is_forbidden_request_header(b"Cookie", b"a=1"));
/// assert!(is_forbidden_request_header(b"X-HTTP-Method-Override", b"get, TRACE"));
/// assert!(!is_forbidden_request_header(b"X-HTTP-Method-Override", b"PATCH"));
/// assert!(!is_forbidden_request_header(b"Authorization", b"Bearer t"));
/// ```
pub fn is_forbidden_request_header(name: &[u8], value: &[u8]) -> bool {
    if is_forbidden_name(name) {
        return true;
    }
    let overrides_method = METHOD_OVERRIDE_NAMES
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n.as_bytes()));
    overrides_method
        && value
            .split(|b| *b == b',')
            .map(trim_http_whitespace)
            .any(is_forbidden_method)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_headers_table() {
        let table: &[(&str, &str, bool)] = &[
            ("Cookie", "a=b", true),
            ("HOST", "x", true),
            ("origin", "https://evil.example", true),
            ("Referer", "x", true),
            ("via", "1.1 proxy", true),
            ("Proxy-Authorization", "x", true),
            ("Sec-CH-UA", "x", true),
            ("Access-Control-Request-Headers", "x", true),
            ("X-HTTP-Method-Override", "CONNECT", true),
            ("x-method-override", "PUT, track", true),
            ("x-http-method", "DELETE", false),
            ("Authorization", "x", false),
            ("User-Agent", "x", false),
            ("Content-Type", "text/plain", false),
            ("secret", "x", false),
        ];
        for (name, value, expected) in table {
            assert_eq!(
                is_forbidden_request_header(name.as_bytes(), value.as_bytes()),
                *expected,
                "{name}: {value}"
            );
        }
    }
}
