//! Serialized origins: the fast, allocation-free reader used on every request, and the canonical
//! key both sides are compared by.
//!
//! Invariants:
//! - [`RequestOrigin::parse`] accepts exactly the serialized-origin syntax browsers send (`null`,
//!   or `scheme://host[:port]`), in at most [`MAX_ORIGIN_LEN`] bytes, and never allocates.
//! - [`CanonicalKey`] lowercases the scheme and host and drops a default port, so that
//!   `HTTPS://App.Example:443` and `https://app.example` have the same key. Configured origins are
//!   stored under the same key, so matching is a hash lookup.

use std::fmt;

/// The longest `Origin` value corsair reads: a scheme, `://`, a 253-byte host name and a port fit
/// with room to spare. Longer values are treated as not allowed.
///
/// ```
/// let cors = corsair::Cors::builder().allowed_origin_regexes([r"https://[a-z.]+"]).build().unwrap();
/// let long = format!("https://{}.example", "a".repeat(corsair::MAX_ORIGIN_LEN));
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", long.parse().unwrap());
/// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap();
/// assert!(!decision.is_allowed());
/// ```
pub const MAX_ORIGIN_LEN: usize = 330;

/// A syntactically valid `Origin` request header value, borrowed from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestOrigin<'a> {
    /// The opaque origin `null`.
    Null,
    /// A tuple origin.
    Tuple {
        scheme: &'a str,
        host: &'a str,
        /// The explicit port, if any (`None` for a default or missing port after normalisation
        /// is decided by [`CanonicalKey`]).
        port: Option<u16>,
    },
}

impl<'a> RequestOrigin<'a> {
    /// Reads a serialized origin, or `None` if the value is not one.
    pub(crate) fn parse(value: &'a [u8]) -> Option<RequestOrigin<'a>> {
        if value.len() > MAX_ORIGIN_LEN {
            return None;
        }
        if value == b"null" {
            return Some(RequestOrigin::Null);
        }
        let text = std::str::from_utf8(value).ok()?;
        let sep = text.find("://")?;
        let scheme = &text[..sep];
        if !is_scheme(scheme) {
            return None;
        }
        let rest = &text[sep + 3..];
        let (host, port) = split_host_port(rest)?;
        if !is_host(host) {
            return None;
        }
        let port = match port {
            None => None,
            Some(digits) => Some(parse_port(digits)?),
        };
        Some(RequestOrigin::Tuple { scheme, host, port })
    }
}

/// Splits `host[:port]`, where host may be a bracketed IPv6 literal.
pub(crate) fn split_host_port(rest: &str) -> Option<(&str, Option<&str>)> {
    if rest.starts_with('[') {
        let close = rest.find(']')?;
        let host = &rest[..=close];
        match &rest[close + 1..] {
            "" => Some((host, None)),
            tail => Some((host, Some(tail.strip_prefix(':')?))),
        }
    } else {
        match rest.rfind(':') {
            Some(colon) => Some((&rest[..colon], Some(&rest[colon + 1..]))),
            None => Some((rest, None)),
        }
    }
}

/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`, at most 32 bytes.
pub(crate) fn is_scheme(scheme: &str) -> bool {
    let bytes = scheme.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 32
        && bytes[0].is_ascii_alphabetic()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// A host as browsers serialize it: an ASCII domain or IPv4 address, or a bracketed IPv6 literal.
pub(crate) fn is_host(host: &str) -> bool {
    let bytes = host.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 {
        return false;
    }
    if let Some(inner) = host.strip_prefix('[') {
        let Some(inner) = inner.strip_suffix(']') else {
            return false;
        };
        return !inner.is_empty()
            && inner.contains(':')
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
    }
    bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        && !host.starts_with('.')
        && !host.contains("..")
}

/// 1 to 5 digits, at most 65535.
pub(crate) fn parse_port(digits: &str) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The port a scheme uses when none is written, for the schemes that have one.
pub(crate) fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// The canonical form of a tuple origin, written into a fixed buffer without allocating:
/// `scheme://host[:port]`, lower case, default port omitted.
///
/// The key keeps the offsets of its parts, so that `scheme://host` (for any-port patterns) and the
/// host's parent domains (for subdomain patterns) are slices of it too.
pub(crate) struct CanonicalKey {
    buf: [u8; MAX_ORIGIN_LEN + 8],
    len: usize,
    /// Where the host starts (just after `://`).
    host_start: usize,
    /// Where the host ends (the port, if any, follows).
    host_end: usize,
}

impl CanonicalKey {
    /// Builds the key of a tuple origin. `None` if it does not fit (it always fits for parsed
    /// request origins).
    pub(crate) fn new(scheme: &str, host: &str, port: Option<u16>) -> Option<CanonicalKey> {
        let mut key = CanonicalKey {
            buf: [0; MAX_ORIGIN_LEN + 8],
            len: 0,
            host_start: 0,
            host_end: 0,
        };
        key.push_lower(scheme.as_bytes())?;
        key.push_lower(b"://")?;
        key.host_start = key.len;
        key.push_lower(host.as_bytes())?;
        key.host_end = key.len;
        let scheme_lower = &key.buf[..scheme.len()];
        let default = std::str::from_utf8(scheme_lower)
            .ok()
            .and_then(default_port);
        if let Some(port) = port.filter(|p| Some(*p) != default) {
            key.push_lower(b":")?;
            let mut digits = [0u8; 5];
            let mut n = port;
            let mut i = digits.len();
            loop {
                i -= 1;
                digits[i] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            key.push_lower(&digits[i..])?;
        }
        Some(key)
    }

    fn push_lower(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len())?;
        let dest = self.buf.get_mut(self.len..end)?;
        for (d, s) in dest.iter_mut().zip(bytes) {
            *d = s.to_ascii_lowercase();
        }
        self.len = end;
        Some(())
    }

    /// The whole key, `scheme://host[:port]`.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII bytes of valid UTF-8 input were written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    /// `scheme` alone.
    pub(crate) fn scheme(&self) -> &str {
        &self.as_str()[..self.host_start - 3]
    }

    /// `scheme://host`, without the port.
    pub(crate) fn without_port(&self) -> &str {
        &self.as_str()[..self.host_end]
    }

    /// The host, lower case.
    pub(crate) fn host(&self) -> &str {
        &self.as_str()[self.host_start..self.host_end]
    }

    /// `host[:port]` from byte `from` of the host on (for parent-domain lookups).
    pub(crate) fn host_and_port_from(&self, from: usize) -> &str {
        &self.as_str()[self.host_start + from..]
    }
}

impl fmt::Debug for CanonicalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CanonicalKey").field(&self.as_str()).finish()
    }
}

/// Whether a lower-case host is a loopback name or address (`localhost`, `*.localhost`,
/// `127.0.0.0/8`, `[::1]`), where plain `http` is as private as it gets.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(origin: &str) -> Option<String> {
        match RequestOrigin::parse(origin.as_bytes())? {
            RequestOrigin::Null => Some("null".into()),
            RequestOrigin::Tuple { scheme, host, port } => {
                Some(CanonicalKey::new(scheme, host, port)?.as_str().to_owned())
            }
        }
    }

    #[test]
    fn request_origins_table() {
        let table: &[(&str, Option<&str>)] = &[
            ("https://app.example", Some("https://app.example")),
            ("http://localhost:8080", Some("http://localhost:8080")),
            ("HTTPS://App.Example", Some("https://app.example")),
            ("https://app.example:443", Some("https://app.example")),
            ("http://app.example:80", Some("http://app.example")),
            ("http://app.example:443", Some("http://app.example:443")),
            ("https://app.example:0080", Some("https://app.example:80")),
            ("http://[::1]:8000", Some("http://[::1]:8000")),
            ("http://127.0.0.1:8000", Some("http://127.0.0.1:8000")),
            (
                "chrome-extension://abcdef",
                Some("chrome-extension://abcdef"),
            ),
            ("null", Some("null")),
            ("NULL", None),
            ("", None),
            ("app.example", None),
            ("https://", None),
            ("https://app.example/", None),
            ("https://app.example/path", None),
            ("https://app.example?q", None),
            ("https://app.example#f", None),
            ("https://user@app.example", None),
            ("https://app.example:", None),
            ("https://app.example:65536", None),
            ("https://app.example:123456", None),
            ("https://app.example:-1", None),
            ("https://app .example", None),
            ("https://app.example ", None),
            (" https://app.example", None),
            ("https://[::1", None),
            ("https://::1]", None),
            ("https://[]", None),
            ("https://.app.example", None),
            ("https://app..example", None),
            ("1https://app.example", None),
            ("https://bücher.example", None),
            ("https://app.example,https://b.example", None),
        ];
        for (input, expected) in table {
            assert_eq!(key(input).as_deref(), *expected, "{input:?}");
        }
    }

    #[test]
    fn over_long_origins_are_refused() {
        let host = "a".repeat(MAX_ORIGIN_LEN);
        assert_eq!(key(&format!("https://{host}")), None);
        let host = "a".repeat(250);
        assert!(key(&format!("https://{host}:65535")).is_some());
    }

    #[test]
    fn key_parts() {
        let k = CanonicalKey::new("HTTPS", "Api.App.Example", Some(8443)).unwrap();
        assert_eq!(k.as_str(), "https://api.app.example:8443");
        assert_eq!(k.scheme(), "https");
        assert_eq!(k.host(), "api.app.example");
        assert_eq!(k.without_port(), "https://api.app.example");
        assert_eq!(k.host_and_port_from(4), "app.example:8443");
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "app.localhost",
            "127.0.0.1",
            "127.9.9.9",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["localhost.example", "128.0.0.1", "example.com", "[::2]"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
