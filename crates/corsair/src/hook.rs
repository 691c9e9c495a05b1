//! The runtime origin hook: a user function that may allow an origin the static lists do not
//! (django-cors-headers' `check_request_enabled` signal), synchronous or asynchronous.
//!
//! The hook sees the request through [`HookRequest`], whatever the framework (tower's `http` 1
//! types or actix-web's), so asking it never copies the request head.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::head::HeadView;

/// What a hook sees of the request: its origin and head, borrowed.
///
/// ```
/// use corsair::{Cors, HookRequest};
///
/// let cors = Cors::builder()
///     .allowed_origins(["https://app.example"])
///     // Any origin may read the public API, only the app may call the rest.
///     .allow_origin_if(|req: &HookRequest<'_>| req.path().starts_with("/public/"))
///     .build()
///     .unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://other.example".parse().unwrap());
/// let on = |path: &str| cors.evaluate(&http::Method::GET, &path.parse().unwrap(), &headers).now().unwrap();
/// assert!(on("/public/feed").is_allowed());
/// assert!(!on("/account").is_allowed());
/// ```
#[derive(Clone, Copy)]
pub struct HookRequest<'a> {
    origin: &'a str,
    head: &'a dyn HeadView,
}

impl<'a> HookRequest<'a> {
    pub(crate) fn new(origin: &'a str, head: &'a dyn HeadView) -> HookRequest<'a> {
        HookRequest { origin, head }
    }

    /// The request's `Origin` value: a valid serialized origin that the static settings do not
    /// allow.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_origin_if(|req| req.origin() == "https://tenant.example")
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://tenant.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap();
    /// assert!(decision.is_allowed());
    /// ```
    pub fn origin(&self) -> &'a str {
        self.origin
    }

    /// The request method as sent (`OPTIONS` for a preflight).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_origin_if(|req| req.method() == "GET")
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://reader.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap();
    /// assert!(decision.is_allowed());
    /// ```
    pub fn method(&self) -> &'a str {
        self.head.method()
    }

    /// The request path, without the query, as sent.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_origin_if(|req| req.path() == "/feed")
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://reader.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/feed?page=2".parse().unwrap(), &headers).now().unwrap();
    /// assert!(decision.is_allowed());
    /// ```
    pub fn path(&self) -> &'a str {
        self.head.path()
    }

    /// The request's query, without the `?`.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_origin_if(|req| req.query() == Some("embed=1"))
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://reader.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/x?embed=1".parse().unwrap(), &headers).now().unwrap();
    /// assert!(decision.is_allowed());
    /// ```
    pub fn query(&self) -> Option<&'a str> {
        self.head.query()
    }

    /// The first value of a request header (the name in any case).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_origin_if(|req| req.header("X-Tenant") == Some(&b"acme"[..]))
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://acme.example".parse().unwrap());
    /// headers.insert("x-tenant", "acme".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap();
    /// assert!(decision.is_allowed());
    /// ```
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.head.header(name)
    }
}

impl fmt::Debug for HookRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HookRequest")
            .field("origin", &self.origin)
            .field("method", &self.method())
            .field("path", &self.path())
            .finish_non_exhaustive()
    }
}

/// The future an asynchronous hook returns, boxed by the builder: `true` allows the origin.
pub(crate) type HookFuture = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

type SyncHook = dyn Fn(&HookRequest<'_>) -> bool + Send + Sync;
type AsyncHook = dyn Fn(&HookRequest<'_>) -> HookFuture + Send + Sync;

/// An installed hook.
#[derive(Clone)]
pub(crate) enum OriginHook {
    Sync(Arc<SyncHook>),
    Async(Arc<AsyncHook>),
}

impl fmt::Debug for OriginHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OriginHook::Sync(_) => "OriginHook::Sync",
            OriginHook::Async(_) => "OriginHook::Async",
        })
    }
}

/// What calling a hook gave.
pub(crate) enum HookOutcome {
    Ready(bool),
    Pending(HookFuture),
}

impl OriginHook {
    pub(crate) fn call(&self, request: &HookRequest<'_>) -> HookOutcome {
        match self {
            OriginHook::Sync(hook) => HookOutcome::Ready(hook(request)),
            OriginHook::Async(hook) => HookOutcome::Pending(hook(request)),
        }
    }

    /// Calls a synchronous hook; an asynchronous one is not called, and answers `false`.
    pub(crate) fn call_sync_only(&self, request: &HookRequest<'_>) -> HookOutcome {
        match self {
            OriginHook::Sync(hook) => HookOutcome::Ready(hook(request)),
            OriginHook::Async(_) => HookOutcome::Ready(false),
        }
    }
}
