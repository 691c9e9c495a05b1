//! A request as the engine reads it, made from the strings a Python framework holds: the method,
//! the path (Django's `path_info`, already percent-decoded) and the four CORS request headers.
//!
//! The path is percent-encoded back into a request target (every byte outside RFC 3986's
//! `pchar` and `/`, `%` included), so that the engine's normalisation decodes it to exactly
//! the path the framework routes on. A header value that is not a valid field value (a
//! control character) stands for an invalid value, never for an absent one.

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderValue, Method, Uri};

/// The CORS request headers, each absent or its value.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CorsHeaders<'a> {
    pub origin: Option<&'a str>,
    pub request_method: Option<&'a str>,
    pub request_headers: Option<&'a str>,
    pub request_private_network: Option<&'a str>,
}

/// The head the engine decides on; `None` when the method is not a method token.
pub(crate) fn head(
    method: &str,
    path: &str,
    cors: &CorsHeaders<'_>,
) -> Option<(Method, Uri, HeaderMap)> {
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    let uri = target(path);
    let mut headers = HeaderMap::with_capacity(4);
    for (name, value) in [
        (ORIGIN, cors.origin),
        (ACCESS_CONTROL_REQUEST_METHOD, cors.request_method),
        (ACCESS_CONTROL_REQUEST_HEADERS, cors.request_headers),
        (
            corsair::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
            cors.request_private_network,
        ),
    ] {
        if let Some(value) = value {
            headers.insert(name, value_of(value));
        }
    }
    Some((method, uri, headers))
}

/// A value no rule accepts (`\xff`, not ASCII), standing for one that cannot be a header value.
pub(crate) fn invalid() -> HeaderValue {
    HeaderValue::from_bytes(b"\xff").unwrap_or(HeaderValue::from_static(""))
}

/// `value` as a header value; one that cannot be (a control character) becomes a value no rule
/// accepts (`\xff`, not ASCII), so it stays present and invalid.
fn value_of(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| invalid())
}

/// The request target of a decoded path.
fn target(path: &str) -> Uri {
    let mut encoded = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        encoded.push('/');
    }
    for &byte in path.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded.parse().unwrap_or_else(|_| Uri::from_static("/"))
}
