//! The runtime origin hook: a user function that may allow an origin the static lists do not
//! (django-cors-headers' `check_request_enabled` signal), synchronous or asynchronous.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::{HeaderMap, Method, Uri};

/// What a hook sees of the request: its origin and head, borrowed.
///
/// ```
/// use corsair::{Cors, HookRequest};
///
/// let cors = Cors::builder()
///     .allowed_origins(["https://app.example"])
///     // Any origin may read the public API, only the app may call the rest.
///     .allow_origin_if(|req: &HookRequest<'_>| req.uri.path().starts_with("/public/"))
///     .build()
///     .unwrap();
/// # let _ = cors;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HookRequest<'a> {
    /// The request's `Origin` value (syntactically valid, not allowed by the static settings).
    pub origin: &'a str,
    /// The request method (`OPTIONS` for a preflight).
    pub method: &'a Method,
    /// The request target.
    pub uri: &'a Uri,
    /// The request headers.
    pub headers: &'a HeaderMap,
}

/// The future an asynchronous hook returns: `true` allows the origin.
///
/// ```
/// let allow: corsair::HookFuture = Box::pin(async { true });
/// # let _ = allow;
/// ```
pub type HookFuture = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

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
}
