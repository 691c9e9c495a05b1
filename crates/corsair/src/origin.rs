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
    Tuple(TupleOrigin<'a>),
}

/// `scheme://host[:port]` as the request wrote it (ASCII bytes, which the matcher reads without
/// making them a `str`), with the offsets of its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TupleOrigin<'a> {
    text: &'a [u8],
    /// Where `://` starts.
    scheme_end: usize,
    /// Where the host ends (the port, if any, follows).
    host_end: usize,
    port: Option<u16>,
    /// Lower case, no default port, no leading zero in the port: the text is its own canonical
    /// key. Browsers always send origins this way.
    canonical: bool,
}

impl<'a> TupleOrigin<'a> {
    /// The scheme as written.
    pub(crate) fn scheme(&self) -> &'a [u8] {
        &self.text[..self.scheme_end]
    }

    /// The host as written.
    pub(crate) fn host(&self) -> &'a [u8] {
        &self.text[self.scheme_end + 3..self.host_end]
    }

    /// The explicit port, if any.
    pub(crate) fn port(&self) -> Option<u16> {
        self.port
    }

    /// The canonical key without copying, when the request already wrote the origin
    /// canonically.
    pub(crate) fn as_canonical(&self) -> Option<OriginKey<'a>> {
        self.canonical.then_some(OriginKey {
            text: self.text,
            host_start: self.scheme_end + 3,
            host_end: self.host_end,
        })
    }
}

impl<'a> RequestOrigin<'a> {
    /// Reads a serialized origin in one pass, or `None` if the value is not one.
    pub(crate) fn parse(value: &'a [u8]) -> Option<RequestOrigin<'a>> {
        if value.len() > MAX_ORIGIN_LEN {
            return None;
        }
        if value == b"null" {
            return Some(RequestOrigin::Null);
        }
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), at most 32 bytes.
        if !value.first()?.is_ascii_alphabetic() {
            return None;
        }
        let scheme_end = value.iter().position(|&b| class(b) & SCHEME == 0)?;
        if scheme_end > 32 || value.get(scheme_end..scheme_end + 3)? != b"://" {
            return None;
        }
        let mut lower = !value[..scheme_end].iter().any(u8::is_ascii_uppercase);
        let host_start = scheme_end + 3;
        let mut at = host_start;
        if value.get(at) == Some(&b'[') {
            // A bracketed IPv6 literal: hex digits, `:` and `.` (an embedded IPv4 address).
            at += 1;
            let mut colon = false;
            loop {
                match *value.get(at)? {
                    b']' => break,
                    b':' => colon = true,
                    b'A'..=b'F' => lower = false,
                    b'0'..=b'9' | b'a'..=b'f' | b'.' => {}
                    _ => return None,
                }
                at += 1;
            }
            if !colon {
                return None;
            }
            at += 1;
        } else {
            // An ASCII domain or IPv4 address: no empty label before a dot.
            let rest = &value[host_start..];
            let mut previous_dot = true;
            let mut seen = 0;
            let mut len = rest.len();
            for (index, &byte) in rest.iter().enumerate() {
                let class = class(byte);
                if class & HOST == 0 {
                    len = index;
                    break;
                }
                let dot = byte == b'.';
                if dot && previous_dot {
                    return None;
                }
                previous_dot = dot;
                seen |= class;
            }
            if len == 0 {
                return None;
            }
            lower &= seen & UPPER == 0;
            at = host_start + len;
        }
        let host_end = at;
        if host_end - host_start > 255 {
            return None;
        }
        let (port, canonical_port) = match value.get(at) {
            None => (None, true),
            Some(b':') => {
                let digits = &value[at + 1..];
                if digits.is_empty() || digits.len() > 5 {
                    return None;
                }
                let mut port: u32 = 0;
                for &digit in digits {
                    if !digit.is_ascii_digit() {
                        return None;
                    }
                    port = port * 10 + u32::from(digit - b'0');
                }
                let port = u16::try_from(port).ok()?;
                (Some(port), digits[0] != b'0' || digits.len() == 1)
            }
            Some(_) => return None,
        };
        let default = port.is_some() && lower && default_port(&value[..scheme_end]) == port;
        Some(RequestOrigin::Tuple(TupleOrigin {
            text: value,
            scheme_end,
            host_end,
            port,
            canonical: lower && canonical_port && !default,
        }))
    }
}

/// A byte that may follow a scheme's first letter: `A-Z a-z 0-9 + - .`.
const SCHEME: u8 = 1;
/// A byte of a domain or IPv4 host: `A-Z a-z 0-9 - _ .`.
const HOST: u8 = 2;
/// `A-Z`.
const UPPER: u8 = 4;

/// The classes of every byte, for [`RequestOrigin::parse`]: one load per byte instead of a
/// chain of range comparisons.
static CLASSES: [u8; 256] = {
    let mut classes = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        let alphanumeric = b.is_ascii_alphanumeric();
        let mut class = 0;
        if alphanumeric || b == b'+' || b == b'-' || b == b'.' {
            class |= SCHEME;
        }
        if alphanumeric || b == b'-' || b == b'_' || b == b'.' {
            class |= HOST;
        }
        if b.is_ascii_uppercase() {
            class |= UPPER;
        }
        classes[byte] = class;
        byte += 1;
    }
    classes
};

fn class(byte: u8) -> u8 {
    CLASSES[usize::from(byte)]
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

/// The port a scheme (lower case) uses when none is written, for the schemes that have one.
pub(crate) fn default_port(scheme: &[u8]) -> Option<u16> {
    match scheme {
        b"http" | b"ws" => Some(80),
        b"https" | b"wss" => Some(443),
        b"ftp" => Some(21),
        _ => None,
    }
}

/// A canonical origin, `scheme://host[:port]` in lower case without a default port (ASCII
/// bytes), with the offsets of its parts, so that `scheme://host` (for any-port patterns) and
/// the host's parent domains (for subdomain patterns) are slices of it too.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OriginKey<'k> {
    text: &'k [u8],
    /// Where the host starts (just after `://`).
    host_start: usize,
    /// Where the host ends (the port, if any, follows).
    host_end: usize,
}

impl<'k> OriginKey<'k> {
    /// The whole key, `scheme://host[:port]`.
    pub(crate) fn bytes(&self) -> &'k [u8] {
        self.text
    }

    /// `scheme` alone.
    pub(crate) fn scheme(&self) -> &'k [u8] {
        &self.text[..self.host_start - 3]
    }

    /// `scheme://host`, without the port.
    pub(crate) fn without_port(&self) -> &'k [u8] {
        &self.text[..self.host_end]
    }

    /// The host, lower case.
    pub(crate) fn host(&self) -> &'k [u8] {
        &self.text[self.host_start..self.host_end]
    }

    /// `host[:port]` from byte `from` of the host on (for parent-domain lookups).
    pub(crate) fn host_and_port_from(&self, from: usize) -> &'k [u8] {
        &self.text[self.host_start + from..]
    }
}

/// The canonical form of a tuple origin that was not written canonically, built into a fixed
/// buffer without allocating.
pub(crate) struct CanonicalKey {
    buf: [u8; MAX_ORIGIN_LEN + 8],
    len: usize,
    host_start: usize,
    host_end: usize,
}

impl CanonicalKey {
    /// Builds the key of a tuple origin. `None` if it does not fit (it always fits for parsed
    /// request origins).
    pub(crate) fn new(scheme: &[u8], host: &[u8], port: Option<u16>) -> Option<CanonicalKey> {
        let mut key = CanonicalKey {
            buf: [0; MAX_ORIGIN_LEN + 8],
            len: 0,
            host_start: 0,
            host_end: 0,
        };
        key.push_lower(scheme)?;
        key.push_lower(b"://")?;
        key.host_start = key.len;
        key.push_lower(host)?;
        key.host_end = key.len;
        let default = default_port(&key.buf[..scheme.len()]);
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

    /// The key, borrowed.
    pub(crate) fn key(&self) -> OriginKey<'_> {
        OriginKey {
            text: &self.buf[..self.len],
            host_start: self.host_start,
            host_end: self.host_end,
        }
    }

    /// The whole key, `scheme://host[:port]` (the scheme and host it was made from are text,
    /// so it is too).
    pub(crate) fn to_text(&self) -> String {
        String::from_utf8_lossy(self.key().bytes()).into_owned()
    }
}

impl fmt::Debug for CanonicalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CanonicalKey")
            .field(&self.to_text())
            .finish()
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
mod tests;
