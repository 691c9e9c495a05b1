//! The response head as the engine writes it, and its `http` 1 implementation.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue};

use super::Value;
use super::names::ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK;

/// A response header the engine writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CorsHeader {
    Vary,
    AllowOrigin,
    AllowCredentials,
    AllowMethods,
    AllowHeaders,
    MaxAge,
    ExposeHeaders,
    AllowPrivateNetwork,
}

/// A response head the engine writes into.
pub(crate) trait ResponseHeaders {
    type Value: Value;

    /// Replaces every value of `name` with `value`.
    fn set(&mut self, name: CorsHeader, value: Self::Value);
    /// Calls `visit` with each `Vary` value the response has.
    fn for_each_vary(&self, visit: impl FnMut(&[u8]));
    /// Whether the response has a `Vary` header.
    fn has_vary(&self) -> bool;
    /// A value made of `bytes` (which come from valid values of this type), if it is one.
    fn value_of(bytes: &[u8]) -> Option<Self::Value>;
}

impl CorsHeader {
    /// The name in `http` 1's types.
    fn http1_name(self) -> HeaderName {
        match self {
            CorsHeader::Vary => VARY,
            CorsHeader::AllowOrigin => ACCESS_CONTROL_ALLOW_ORIGIN,
            CorsHeader::AllowCredentials => ACCESS_CONTROL_ALLOW_CREDENTIALS,
            CorsHeader::AllowMethods => ACCESS_CONTROL_ALLOW_METHODS,
            CorsHeader::AllowHeaders => ACCESS_CONTROL_ALLOW_HEADERS,
            CorsHeader::MaxAge => ACCESS_CONTROL_MAX_AGE,
            CorsHeader::ExposeHeaders => ACCESS_CONTROL_EXPOSE_HEADERS,
            CorsHeader::AllowPrivateNetwork => ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
        }
    }
}

impl ResponseHeaders for HeaderMap {
    type Value = HeaderValue;

    fn set(&mut self, name: CorsHeader, value: HeaderValue) {
        self.insert(name.http1_name(), value);
    }

    fn for_each_vary(&self, mut visit: impl FnMut(&[u8])) {
        for value in self.get_all(VARY) {
            visit(value.as_bytes());
        }
    }

    fn has_vary(&self) -> bool {
        self.contains_key(VARY)
    }

    fn value_of(bytes: &[u8]) -> Option<HeaderValue> {
        HeaderValue::from_bytes(bytes).ok()
    }
}

/// A response head being written as HTTP/1.1 lines (`name: value` and CRLF each, names in lower
/// case) onto `out`, for a server that writes heads as bytes; the response's own `Vary` values
/// are read from `vary`, and a `Vary` the engine sets replaces them (`vary_written`).
pub(crate) struct Http1Lines<'o, I> {
    pub(crate) out: &'o mut Vec<u8>,
    pub(crate) vary: I,
    pub(crate) vary_written: bool,
}

impl<'v, I> ResponseHeaders for Http1Lines<'_, I>
where
    I: Iterator<Item = &'v [u8]> + Clone,
{
    type Value = HeaderValue;

    /// Appends the line: the engine sets each header once per response.
    fn set(&mut self, name: CorsHeader, value: HeaderValue) {
        self.vary_written |= name == CorsHeader::Vary;
        self.out
            .extend_from_slice(name.http1_name().as_str().as_bytes());
        self.out.extend_from_slice(b": ");
        self.out.extend_from_slice(value.as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    fn for_each_vary(&self, visit: impl FnMut(&[u8])) {
        self.vary.clone().for_each(visit);
    }

    fn has_vary(&self) -> bool {
        self.vary.clone().next().is_some()
    }

    fn value_of(bytes: &[u8]) -> Option<HeaderValue> {
        HeaderValue::from_bytes(bytes).ok()
    }
}
