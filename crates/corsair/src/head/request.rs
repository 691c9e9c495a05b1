//! The request head as the engine reads it, and its `http` 1 implementation.

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderValue, Method, Uri};

use super::Value;
use super::names::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK;

/// The `Origin` lines of a request.
pub(crate) enum OriginLines<'a, V> {
    /// None.
    Missing,
    /// Exactly one.
    One(&'a V),
    /// More than one (never a valid origin).
    Several,
}

/// What any request head offers, whatever its framework: what an origin hook may read.
pub(crate) trait HeadView {
    /// The method, as sent.
    fn method(&self) -> &str;
    /// The path, without the query, as sent.
    fn path(&self) -> &str;
    /// The query, without `?`.
    fn query(&self) -> Option<&str>;
    /// The first value of the header `name` (any case).
    fn header(&self, name: &str) -> Option<&[u8]>;
}

/// The parts of a request head the engine decides on.
pub(crate) trait RequestHead: HeadView {
    type Value: Value;

    /// Whether the method is `OPTIONS`.
    fn is_options(&self) -> bool;
    /// The `Origin` lines.
    fn origin(&self) -> OriginLines<'_, Self::Value>;
    /// The first `Access-Control-Request-Method` value.
    fn request_method(&self) -> Option<&[u8]>;
    /// Calls `visit` with each `Access-Control-Request-Headers` value.
    fn for_each_request_headers(&self, visit: impl FnMut(&[u8]));
    /// The first `Access-Control-Request-Private-Network` value.
    fn request_private_network(&self) -> Option<&[u8]>;
}

/// A request head in `http` 1's types.
pub(crate) struct Http1Head<'a> {
    method: &'a Method,
    target: Target<'a>,
    headers: &'a HeaderMap,
}

/// A request's target: its `Uri` (read only if a rule asks for the path or query), or the
/// path and query of one held as text.
enum Target<'a> {
    Uri(&'a Uri),
    Text {
        path: &'a str,
        query: Option<&'a str>,
    },
}

impl<'a> Http1Head<'a> {
    /// The head of a request for `uri`.
    pub(crate) fn new(method: &'a Method, uri: &'a Uri, headers: &'a HeaderMap) -> Self {
        Http1Head {
            method,
            target: Target::Uri(uri),
            headers,
        }
    }

    /// The head of a request for `target`, in origin form (`/path?query`): its path is what
    /// comes before the first `?`, as `Uri::path` reads it, and its query what follows.
    pub(crate) fn for_target(method: &'a Method, target: &'a str, headers: &'a HeaderMap) -> Self {
        // `?` is ASCII: the split is at a character boundary.
        let (path, query) = match target.bytes().position(|b| b == b'?') {
            Some(at) => (&target[..at], Some(&target[at + 1..])),
            None => (target, None),
        };
        Http1Head {
            method,
            target: Target::Text { path, query },
            headers,
        }
    }
}

impl HeadView for Http1Head<'_> {
    fn method(&self) -> &str {
        self.method.as_str()
    }

    fn path(&self) -> &str {
        match self.target {
            Target::Uri(uri) => uri.path(),
            Target::Text { path, .. } => path,
        }
    }

    fn query(&self) -> Option<&str> {
        match self.target {
            Target::Uri(uri) => uri.query(),
            Target::Text { query, .. } => query,
        }
    }

    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.get(name).map(HeaderValue::as_bytes)
    }
}

impl RequestHead for Http1Head<'_> {
    type Value = HeaderValue;

    fn is_options(&self) -> bool {
        *self.method == Method::OPTIONS
    }

    fn origin(&self) -> OriginLines<'_, HeaderValue> {
        let mut lines = self.headers.get_all(&ORIGIN).iter();
        match (lines.next(), lines.next()) {
            (None, _) => OriginLines::Missing,
            (Some(one), None) => OriginLines::One(one),
            (Some(_), Some(_)) => OriginLines::Several,
        }
    }

    fn request_method(&self) -> Option<&[u8]> {
        self.headers
            .get(&ACCESS_CONTROL_REQUEST_METHOD)
            .map(HeaderValue::as_bytes)
    }

    fn for_each_request_headers(&self, mut visit: impl FnMut(&[u8])) {
        for value in self.headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS) {
            visit(value.as_bytes());
        }
    }

    fn request_private_network(&self) -> Option<&[u8]> {
        self.headers
            .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
            .map(HeaderValue::as_bytes)
    }
}
