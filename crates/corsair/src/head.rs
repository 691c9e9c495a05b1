//! What the engine reads of a request head and writes into a response head, independent of the
//! `http` crate version a framework is built on.
//!
//! The engine decides on a [`RequestHead`] and writes into [`ResponseHeaders`]; this module
//! implements both for `http` 1 (tower, hyper, axum), and the actix adapter implements them for
//! actix-web's `http` 0.2 types, so no request or response is ever translated from one crate's
//! types to the other's. The origin hook sees any head through [`HeadView`].

mod names;
mod request;
mod response;

pub use names::{ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK};
pub(crate) use request::{HeadView, Http1Head, OriginLines, RequestHead};
pub(crate) use response::{CorsHeader, Http1Lines, ResponseHeaders};

/// A header value of either `http` version: its bytes, cheaply cloned.
pub(crate) trait Value: Clone {
    fn bytes(&self) -> &[u8];

    /// The policy's own value (`http` 1's) in this type, when it costs no more than cloning a
    /// request's value; `None` otherwise (the request's value is echoed then).
    fn from_policy(value: &http::HeaderValue) -> Option<Self>;
}

impl Value for http::HeaderValue {
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }

    fn from_policy(value: &http::HeaderValue) -> Option<Self> {
        Some(value.clone())
    }
}
