//! The engine's view of actix-web's request and response heads (`http` 0.2 types).
//!
//! The engine reads the method, the path, `Origin`, `Access-Control-Request-Method` and
//! `Access-Control-Request-Private-Network` straight from actix's request (and an origin hook
//! reads it through the same view), echoes actix's own `Origin` value, and writes the policy's
//! values converted once per worker: nothing is copied per request.

use actix_web::http::header as ax;
use actix_web::http::{Method as ActixMethod, Uri as ActixUri};
use bytes::Bytes;
use http::HeaderValue;

use crate::compiled::HeaderValues;
use crate::head::{CorsHeader, HeadView, OriginLines, RequestHead, ResponseHeaders, Value};

const ACTIX_ALLOW_PRIVATE_NETWORK: ax::HeaderName =
    ax::HeaderName::from_static("access-control-allow-private-network");
const ACTIX_REQUEST_PRIVATE_NETWORK: ax::HeaderName =
    ax::HeaderName::from_static("access-control-request-private-network");

impl Value for ax::HeaderValue {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }

    /// Converting would check the value's bytes again per request: actix's own `Origin` value
    /// is echoed instead.
    fn from_policy(_: &HeaderValue) -> Option<Self> {
        None
    }
}

/// An actix request head, as the engine reads it.
pub(super) struct ActixHead<'a> {
    pub(super) method: &'a ActixMethod,
    pub(super) uri: &'a ActixUri,
    pub(super) headers: &'a ax::HeaderMap,
}

impl HeadView for ActixHead<'_> {
    fn method(&self) -> &str {
        self.method.as_str()
    }

    fn path(&self) -> &str {
        self.uri.path()
    }

    fn query(&self) -> Option<&str> {
        self.uri.query()
    }

    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.get(name).map(ax::HeaderValue::as_bytes)
    }
}

impl RequestHead for ActixHead<'_> {
    type Value = ax::HeaderValue;

    fn is_options(&self) -> bool {
        *self.method == ActixMethod::OPTIONS
    }

    fn origin(&self) -> OriginLines<'_, ax::HeaderValue> {
        let mut lines = self.headers.get_all(ax::ORIGIN);
        match (lines.next(), lines.next()) {
            (None, _) => OriginLines::Missing,
            (Some(one), None) => OriginLines::One(one),
            (Some(_), Some(_)) => OriginLines::Several,
        }
    }

    fn request_method(&self) -> Option<&[u8]> {
        self.headers
            .get(ax::ACCESS_CONTROL_REQUEST_METHOD)
            .map(ax::HeaderValue::as_bytes)
    }

    fn for_each_request_headers(&self, mut visit: impl FnMut(&[u8])) {
        for value in self.headers.get_all(ax::ACCESS_CONTROL_REQUEST_HEADERS) {
            visit(value.as_bytes());
        }
    }

    fn request_private_network(&self) -> Option<&[u8]> {
        self.headers
            .get(ACTIX_REQUEST_PRIVATE_NETWORK)
            .map(ax::HeaderValue::as_bytes)
    }
}

/// actix's name for a header the engine writes.
fn actix_name(name: CorsHeader) -> ax::HeaderName {
    match name {
        CorsHeader::Vary => ax::VARY,
        CorsHeader::AllowOrigin => ax::ACCESS_CONTROL_ALLOW_ORIGIN,
        CorsHeader::AllowCredentials => ax::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        CorsHeader::AllowMethods => ax::ACCESS_CONTROL_ALLOW_METHODS,
        CorsHeader::AllowHeaders => ax::ACCESS_CONTROL_ALLOW_HEADERS,
        CorsHeader::MaxAge => ax::ACCESS_CONTROL_MAX_AGE,
        CorsHeader::ExposeHeaders => ax::ACCESS_CONTROL_EXPOSE_HEADERS,
        CorsHeader::AllowPrivateNetwork => ACTIX_ALLOW_PRIVATE_NETWORK,
    }
}

impl ResponseHeaders for ax::HeaderMap {
    type Value = ax::HeaderValue;

    fn set(&mut self, name: CorsHeader, value: ax::HeaderValue) {
        self.insert(actix_name(name), value);
    }

    fn for_each_vary(&self, mut visit: impl FnMut(&[u8])) {
        for value in self.get_all(ax::VARY) {
            visit(value.as_bytes());
        }
    }

    fn has_vary(&self) -> bool {
        self.contains_key(ax::VARY)
    }

    fn value_of(bytes: &[u8]) -> Option<ax::HeaderValue> {
        ax::HeaderValue::from_bytes(bytes).ok()
    }
}

/// A header value of `http` 1 in actix's type (the two crates accept the same bytes).
fn actix_value(value: &HeaderValue) -> Option<ax::HeaderValue> {
    ax::HeaderValue::from_maybe_shared(Bytes::copy_from_slice(value.as_bytes())).ok()
}

/// The policy's values (each of its rules') in actix's type, converted once per worker.
pub(super) fn actix_values(values: &[HeaderValues]) -> Option<Vec<HeaderValues<ax::HeaderValue>>> {
    values
        .iter()
        .map(|values| values.convert(actix_value))
        .collect()
}
