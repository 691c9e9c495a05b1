//! The `X-Forwarded-*` headers that tell the upstream who the client is and what it asked for.

use std::net::IpAddr;

use http::{HeaderMap, HeaderName, HeaderValue};

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// Appends the client's address to `X-Forwarded-For` (keeping the chain of earlier proxies),
/// and sets `X-Forwarded-Proto` and `X-Forwarded-Host` to what this proxy received (a client
/// cannot make the upstream believe another host or scheme was used).
pub fn add(
    headers: &mut HeaderMap,
    client: IpAddr,
    proto: &'static str,
    host: Option<&HeaderValue>,
) {
    let mut chain: Vec<u8> = Vec::new();
    for value in headers.get_all(&X_FORWARDED_FOR) {
        let value = value.as_bytes().trim_ascii();
        if !value.is_empty() {
            chain.extend_from_slice(value);
            chain.extend_from_slice(b", ");
        }
    }
    chain.extend_from_slice(client.to_string().as_bytes());
    if let Ok(value) = HeaderValue::from_bytes(&chain) {
        headers.insert(X_FORWARDED_FOR, value);
    }
    headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(proto));
    match host {
        Some(host) => headers.insert(X_FORWARDED_HOST, host.clone()),
        None => headers.remove(X_FORWARDED_HOST),
    };
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
}
