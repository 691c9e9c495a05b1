//! What the engine reads of a request head and writes into a response head, independent of the
//! `http` crate version a framework is built on.
//!
//! The engine decides on a [`RequestHead`] and writes into [`ResponseHeaders`]; this module
//! implements both for `http` 1 (tower, hyper, axum), and the actix adapter implements them for
//! actix-web's `http` 0.2 types, so no request or response is ever translated from one crate's
//! types to the other's.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

use crate::decision::{
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
};

/// The `Origin` lines of a request.
pub(crate) enum OriginLines<'a, V> {
    /// None.
    Missing,
    /// Exactly one.
    One(&'a V),
    /// More than one (never a valid origin).
    Several,
}

/// A header value of either `http` version: its bytes, cheaply cloned.
pub(crate) trait Value: Clone {
    fn bytes(&self) -> &[u8];
}

/// The parts of a request head the engine reads without an origin hook.
pub(crate) trait RequestHead {
    type Value: Value;

    /// Whether the method is `OPTIONS`.
    fn is_options(&self) -> bool;
    /// The path, without the query.
    fn path(&self) -> &str;
    /// The `Origin` lines.
    fn origin(&self) -> OriginLines<'_, Self::Value>;
    /// Whether `Access-Control-Request-Method` is present.
    fn has_request_method(&self) -> bool;
    /// The first `Access-Control-Request-Private-Network` value.
    fn request_private_network(&self) -> Option<&[u8]>;
}

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

impl Value for HeaderValue {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// A request head in `http` 1's types.
pub(crate) struct Http1Head<'a> {
    pub(crate) method: &'a Method,
    pub(crate) uri: &'a Uri,
    pub(crate) headers: &'a HeaderMap,
}

impl RequestHead for Http1Head<'_> {
    type Value = HeaderValue;

    fn is_options(&self) -> bool {
        *self.method == Method::OPTIONS
    }

    fn path(&self) -> &str {
        self.uri.path()
    }

    fn origin(&self) -> OriginLines<'_, HeaderValue> {
        let mut lines = self.headers.get_all(ORIGIN).iter();
        match (lines.next(), lines.next()) {
            (None, _) => OriginLines::Missing,
            (Some(one), None) => OriginLines::One(one),
            (Some(_), Some(_)) => OriginLines::Several,
        }
    }

    fn has_request_method(&self) -> bool {
        self.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
    }

    fn request_private_network(&self) -> Option<&[u8]> {
        self.headers
            .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
            .map(HeaderValue::as_bytes)
    }
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
