//! The syntax of a `Host` value, `uri-host [":" port]` (RFC 3986 §3.2.2,
//! <https://www.rfc-editor.org/rfc/rfc3986#section-3.2.2>): the one place that reads it, for
//! the proxy's edge checks, its fast path and the `allowed_hosts` setting.

/// A valid `uri-host [":" port]`, split: the host as written (an IP literal keeps its
/// brackets) and the port's digits, if any.
///
/// ```ignore
/// let authority = split(b"[::1]:8300").unwrap();
/// assert_eq!((authority.host, authority.port), (&b"[::1]"[..], Some(&b"8300"[..])));
/// assert!(split(b"user@host").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Authority<'a> {
    /// The host: a reg-name (which covers IPv4 addresses) or a bracketed IP literal.
    pub host: &'a [u8],
    /// The port's digits (1 to 5, at most 65535), when a port is given.
    pub port: Option<&'a [u8]>,
}

impl Authority<'_> {
    /// The port as a number, or `default` when none is given.
    pub(crate) fn port_or(&self, default: u16) -> u16 {
        self.port
            .and_then(|digits| std::str::from_utf8(digits).ok()?.parse().ok())
            .unwrap_or(default)
    }
}

/// Splits `value` when it is a valid `uri-host [":" port]`: an IP literal in brackets, or a
/// reg-name, not empty, without userinfo; the port 1 to 5 digits up to 65535.
pub(crate) fn split(value: &[u8]) -> Option<Authority<'_>> {
    let (host, port) = if value.first() == Some(&b'[') {
        let end = value.iter().position(|&b| b == b']')?;
        let (literal, rest) = value.split_at(end + 1);
        if !is_ip_literal(&literal[1..literal.len() - 1]) {
            return None;
        }
        match rest {
            [] => (literal, None),
            [b':', port @ ..] => (literal, Some(port)),
            _ => return None,
        }
    } else {
        match value.iter().rposition(|&b| b == b':') {
            Some(colon) => (&value[..colon], Some(&value[colon + 1..])),
            None => (value, None),
        }
    };
    if host.is_empty() || (host[0] != b'[' && !is_reg_name(host)) {
        return None;
    }
    if !port.is_none_or(is_port) {
        return None;
    }
    Some(Authority { host, port })
}

/// Whether `value` is a valid `uri-host [":" port]` (see [`split`]).
pub(crate) fn is_valid_host(value: &[u8]) -> bool {
    split(value).is_some()
}

fn is_port(digits: &[u8]) -> bool {
    (1..=5).contains(&digits.len())
        && digits.iter().all(u8::is_ascii_digit)
        && std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse::<u32>().ok())
            .is_some_and(|port| port <= 65535)
}

/// `*( unreserved / pct-encoded / sub-delims )`, not empty.
fn is_reg_name(name: &[u8]) -> bool {
    let mut i = 0;
    while i < name.len() {
        match name[i] {
            b'%' => {
                let hex = name.get(i + 1..i + 3);
                if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                    return false;
                }
                i += 3;
                continue;
            }
            b if b.is_ascii_alphanumeric() => {}
            b'-' | b'.' | b'_' | b'~' => {}
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => {}
            _ => return false,
        }
        i += 1;
    }
    !name.is_empty()
}

/// An IPv6 address, or `IPvFuture` (`v` HEXDIG+ `.` (unreserved / sub-delims / `:`)+).
fn is_ip_literal(inside: &[u8]) -> bool {
    if let [b'v' | b'V', rest @ ..] = inside {
        let Some(dot) = rest.iter().position(|&b| b == b'.') else {
            return false;
        };
        let (version, tail) = (&rest[..dot], &rest[dot + 1..]);
        return !version.is_empty()
            && version.iter().all(u8::is_ascii_hexdigit)
            && !tail.is_empty()
            && tail
                .iter()
                .all(|&b| b == b':' || (b != b'%' && is_reg_name(&[b])));
    }
    std::str::from_utf8(inside)
        .ok()
        .and_then(|text| text.parse::<std::net::Ipv6Addr>().ok())
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_split_into_host_and_port() {
        /// A host and its port, as text.
        type Split<'a> = (&'a str, Option<&'a str>);
        // (value, host and port when valid)
        let table: [(&str, Option<Split<'_>>); 14] = [
            ("localhost", Some(("localhost", None))),
            ("localhost:8300", Some(("localhost", Some("8300")))),
            ("127.0.0.1:80", Some(("127.0.0.1", Some("80")))),
            ("[::1]", Some(("[::1]", None))),
            ("[::1]:8300", Some(("[::1]", Some("8300")))),
            ("Example.COM.", Some(("Example.COM.", None))),
            ("", None),
            (":80", None),
            ("host:", None),
            ("host:65536", None),
            ("user@host", None),
            ("[::1", None),
            ("[::1]x", None),
            ("host/path", None),
        ];
        for (value, expected) in table {
            let split = split(value.as_bytes()).map(|a| {
                (
                    std::str::from_utf8(a.host).unwrap(),
                    a.port.map(|p| std::str::from_utf8(p).unwrap()),
                )
            });
            assert_eq!(split, expected, "{value}");
            assert_eq!(
                is_valid_host(value.as_bytes()),
                expected.is_some(),
                "{value}"
            );
        }
    }

    #[test]
    fn a_missing_port_is_the_default() {
        assert_eq!(split(b"a.example").unwrap().port_or(443), 443);
        assert_eq!(split(b"a.example:8443").unwrap().port_or(443), 8443);
    }
}
