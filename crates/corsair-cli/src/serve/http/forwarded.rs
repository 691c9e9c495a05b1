//! The headers that tell the upstream a request was forwarded: `X-Forwarded-*` (who the client
//! is and what it asked for) and `Via` (RFC 9110 §7.6.3: which intermediaries it crossed).

use std::io::Write;
use std::net::IpAddr;

use http::header::VIA;
use http::{HeaderMap, HeaderName, HeaderValue, Version};

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// Appends the client's address to `X-Forwarded-For` (keeping the chain of earlier proxies),
/// and sets `X-Forwarded-Proto` and `X-Forwarded-Host` to what this proxy received (a client
/// cannot make the upstream believe another host or scheme was used).
pub(super) fn add(
    headers: &mut HeaderMap,
    client: IpAddr,
    proto: &'static str,
    host: Option<&HeaderValue>,
) {
    // An address is at most 39 bytes (IPv6, eight groups of four digits).
    let mut text = [0u8; 48];
    let length = {
        let mut cursor = std::io::Cursor::new(&mut text[..]);
        // Cannot fail: the buffer is larger than any address.
        let _ = write!(cursor, "{client}");
        usize::try_from(cursor.position()).unwrap_or_default()
    };
    append(headers, X_FORWARDED_FOR, &text[..length]);
    headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(proto));
    match host {
        Some(host) => headers.insert(X_FORWARDED_HOST, host.clone()),
        None => headers.remove(X_FORWARDED_HOST),
    };
}

/// Appends `1.1 corsair` (or `2 corsair`: the protocol the request arrived with) to `Via`.
pub(super) fn add_via(headers: &mut HeaderMap, received: Version) {
    let item = if received == Version::HTTP_2 {
        "2 corsair"
    } else {
        "1.1 corsair"
    };
    if headers.contains_key(VIA) {
        append(headers, VIA, item.as_bytes());
    } else {
        // The usual case: no earlier intermediary, and nothing to copy.
        headers.insert(VIA, HeaderValue::from_static(item));
    }
}

/// Appends `item` to the comma-separated list in `name`, joining the header's lines into one.
fn append(headers: &mut HeaderMap, name: HeaderName, item: &[u8]) {
    let mut values = headers.get_all(&name).iter();
    let Some(first) = values.next() else {
        if let Ok(value) = HeaderValue::from_bytes(item) {
            headers.insert(name, value);
        }
        return;
    };
    let mut list: Vec<u8> = Vec::with_capacity(first.len() + 2 + item.len());
    for value in std::iter::once(first).chain(values) {
        let value = value.as_bytes().trim_ascii();
        if !value.is_empty() {
            list.extend_from_slice(value);
            list.extend_from_slice(b", ");
        }
    }
    list.extend_from_slice(item);
    if let Ok(value) = HeaderValue::from_bytes(&list) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_appended_and_scheme_and_host_are_set() {
        let table = [
            (None, None, "203.0.113.7", Some("proxy.example")),
            (
                Some("198.51.100.1"),
                Some("evil.example"),
                "198.51.100.1, 203.0.113.7",
                Some("proxy.example"),
            ),
            (None, Some("evil.example"), "203.0.113.7", None),
        ];
        for (earlier, spoofed_host, chain, host) in table {
            let mut headers = HeaderMap::new();
            if let Some(earlier) = earlier {
                headers.insert(X_FORWARDED_FOR, earlier.parse().unwrap());
            }
            if let Some(spoofed) = spoofed_host {
                headers.insert(X_FORWARDED_HOST, spoofed.parse().unwrap());
            }
            headers.insert(X_FORWARDED_PROTO, "https".parse().unwrap());
            let host_value = host.map(HeaderValue::from_static);
            add(
                &mut headers,
                "203.0.113.7".parse().unwrap(),
                "http",
                host_value.as_ref(),
            );
            assert_eq!(headers[&X_FORWARDED_FOR], chain);
            assert_eq!(headers[&X_FORWARDED_PROTO], "http");
            assert_eq!(
                headers.get(&X_FORWARDED_HOST).map(|v| v.to_str().unwrap()),
                host
            );
        }
    }

    #[test]
    fn via_names_the_protocol_received_after_earlier_intermediaries() {
        let table = [
            (None, Version::HTTP_11, "1.1 corsair"),
            (None, Version::HTTP_2, "2 corsair"),
            (Some("1.1 cdn"), Version::HTTP_11, "1.1 cdn, 1.1 corsair"),
        ];
        for (earlier, version, expected) in table {
            let mut headers = HeaderMap::new();
            if let Some(earlier) = earlier {
                headers.insert(VIA, earlier.parse().unwrap());
            }
            add_via(&mut headers, version);
            assert_eq!(headers[VIA], expected);
        }
    }
}
