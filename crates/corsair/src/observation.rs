//! What an [`Observer`] is told about each request: the kind of request, how it ended and why
//! it was refused ([`RequestKind`], [`Outcome`], [`RefusalKind`], in a [`Summary`]), the route,
//! and, when a report-only candidate policy is installed, what the candidate would have decided
//! instead.
//!
//! These are the words of a decision, defined below both the compiled policy (which holds the
//! observer) and the decision (which says them and tells the observer).
//!
//! Invariants: without an observer nothing here runs; with one, an [`Observation`] is built on
//! the stack and borrowed by the call: the engine allocates nothing for it.

use std::fmt;
use std::sync::Arc;

use crate::head::HeadView;

/// What a request is, for CORS.
///
/// ```
/// use corsair::{Cors, RequestKind};
/// use http::{HeaderMap, Method};
///
/// let cors = Cors::builder().allow_all_origins(true).build().unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert("origin", "https://a.example".parse().unwrap());
/// let kind = |method: &Method, headers: &HeaderMap| {
///     cors.evaluate(method, &"/".parse().unwrap(), headers).now().unwrap().kind()
/// };
/// assert_eq!(kind(&Method::OPTIONS, &headers), RequestKind::Actual);
/// headers.insert("access-control-request-method", "PUT".parse().unwrap());
/// assert_eq!(kind(&Method::OPTIONS, &headers), RequestKind::Preflight);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestKind {
    /// The path is outside `urls_regex`: the request passes through untouched.
    Bypass,
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`: answered by corsair.
    Preflight,
    /// Any other request on a CORS path: the inner service answers, corsair adds headers.
    Actual,
}

/// Why a CORS request is refused, as a value without details: what
/// [`Cors::refusal`](crate::Cors::refusal) tells of a [`Decision`](crate::Decision) and an
/// [`Observation`] carries, without allocating, for metrics and logs.
///
/// ```
/// use corsair::{Cors, RefusalKind};
///
/// let cors = Cors::builder().allowed_origins(["https://app.example"]).allow_methods(["GET"]).build().unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://app.example".parse().unwrap());
/// headers.insert("access-control-request-method", "DELETE".parse().unwrap());
/// let decision = cors.evaluate(&http::Method::OPTIONS, &"/".parse().unwrap(), &headers).now().unwrap();
/// assert_eq!(cors.refusal(&decision, &headers), Some(RefusalKind::MethodNotAllowed));
/// assert_eq!(RefusalKind::MethodNotAllowed.as_str(), "method_not_allowed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefusalKind {
    /// No `Origin` header (only [`Cors::explain_preflight`](crate::Cors::explain_preflight)
    /// reports it; such a request is not a CORS request).
    MissingOrigin,
    /// The `Origin` value is not a single serialized origin.
    InvalidOrigin,
    /// The origin is not allowed.
    OriginNotAllowed,
    /// A preflight's requested method is not allowed.
    MethodNotAllowed,
    /// A preflight's requested header is not allowed.
    HeaderNotAllowed,
    /// A preflight's `Access-Control-Request-Headers` is too long or malformed.
    MalformedRequestHeaders,
}

impl RefusalKind {
    /// The kind in snake case (`origin_not_allowed`), for metric labels and logs.
    ///
    /// ```
    /// assert_eq!(corsair::RefusalKind::OriginNotAllowed.as_str(), "origin_not_allowed");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            RefusalKind::MissingOrigin => "missing_origin",
            RefusalKind::InvalidOrigin => "invalid_origin",
            RefusalKind::OriginNotAllowed => "origin_not_allowed",
            RefusalKind::MethodNotAllowed => "method_not_allowed",
            RefusalKind::HeaderNotAllowed => "header_not_allowed",
            RefusalKind::MalformedRequestHeaders => "malformed_request_headers",
        }
    }

    /// Every kind, for tables of metrics.
    ///
    /// ```
    /// assert_eq!(corsair::RefusalKind::ALL.len(), 6);
    /// ```
    pub const ALL: [RefusalKind; 6] = [
        RefusalKind::MissingOrigin,
        RefusalKind::InvalidOrigin,
        RefusalKind::OriginNotAllowed,
        RefusalKind::MethodNotAllowed,
        RefusalKind::HeaderNotAllowed,
        RefusalKind::MalformedRequestHeaders,
    ];
}

/// A function told what was decided about each request: feed your metrics and logs from it.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use corsair::{Cors, Observation, Outcome};
///
/// let refused = Arc::new(AtomicUsize::new(0));
/// let counter = Arc::clone(&refused);
/// let cors = Cors::builder()
///     .allowed_origins(["https://app.example"])
///     .observer(move |seen: &Observation<'_>| {
///         if seen.outcome() == Outcome::Refused {
///             counter.fetch_add(1, Ordering::Relaxed);
///         }
///     })
///     .build()
///     .unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://evil.example".parse().unwrap());
/// let _ = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers);
/// assert_eq!(refused.load(Ordering::Relaxed), 1);
/// ```
pub trait Observer: Send + Sync + 'static {
    /// Called once per request, when the decision is made (for an asynchronous origin hook,
    /// when the hook has answered).
    fn observe(&self, observation: &Observation<'_>);
}

impl<F> Observer for F
where
    F: Fn(&Observation<'_>) + Send + Sync + 'static,
{
    fn observe(&self, observation: &Observation<'_>) {
        self(observation)
    }
}

/// An installed observer.
pub(crate) type SharedObserver = Arc<dyn Observer>;

/// How a request ended, for CORS: the `outcome` label of corsair's metrics.
///
/// ```
/// assert_eq!(corsair::Outcome::NotCors.as_str(), "not_cors");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// A CORS request the browser will accept.
    Allowed,
    /// A CORS request the browser will refuse (see [`Observation::refusal`]).
    Refused,
    /// No `Origin`, or a path CORS does not apply to: not a CORS request.
    NotCors,
}

impl Outcome {
    /// The outcome in snake case: `allowed`, `refused`, `not_cors`.
    ///
    /// ```
    /// assert_eq!(corsair::Outcome::Refused.as_str(), "refused");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Refused => "refused",
            Outcome::NotCors => "not_cors",
        }
    }

    /// Every outcome.
    ///
    /// ```
    /// assert_eq!(corsair::Outcome::ALL.len(), 3);
    /// ```
    pub const ALL: [Outcome; 3] = [Outcome::Allowed, Outcome::Refused, Outcome::NotCors];
}

/// What one policy decided, in a few words: for comparing the enforced policy with a
/// report-only candidate.
///
/// ```
/// use corsair::{Cors, Outcome, RefusalKind, RequestKind};
///
/// let cors = Cors::builder()
///     .allow_all_origins(true)
///     .report_only(Cors::builder().allowed_origins(["https://app.example"]))
///     .observer(|seen: &corsair::Observation<'_>| {
///         let candidate = seen.candidate().expect("the candidate refuses what `*` allows");
///         assert_eq!(candidate.outcome, Outcome::Refused);
///         assert_eq!(candidate.refusal, Some(RefusalKind::OriginNotAllowed));
///     })
///     .build()
///     .unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://partner.example".parse().unwrap());
/// assert!(cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap().is_allowed());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// What the request is.
    pub kind: RequestKind,
    /// How it ended.
    pub outcome: Outcome,
    /// Why it was refused.
    pub refusal: Option<RefusalKind>,
    /// The route whose policy decided (its index in `[[cors.routes]]`).
    pub route: Option<usize>,
}

impl fmt::Display for Summary {
    /// `preflight refused (method_not_allowed)`, `actual allowed`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            RequestKind::Preflight => "preflight",
            RequestKind::Actual => "actual",
            RequestKind::Bypass => "bypass",
        };
        write!(f, "{kind} {}", self.outcome.as_str())?;
        if let Some(refusal) = self.refusal {
            write!(f, " ({})", refusal.as_str())?;
        }
        Ok(())
    }
}

/// What the policy decided about one request, as an [`Observer`] sees it.
#[derive(Clone, Copy)]
pub struct Observation<'a> {
    pub(crate) decided: Summary,
    pub(crate) candidate: Option<Summary>,
    pub(crate) route_path: Option<&'a str>,
    pub(crate) head: Option<&'a dyn HeadView>,
    pub(crate) origin: Option<&'a [u8]>,
}

impl<'a> Observation<'a> {
    /// What the request is (`preflight`, `actual`, `bypass`).
    ///
    /// ```
    /// # use corsair::{Cors, RequestKind};
    /// let cors = Cors::builder().allow_all_origins(true).urls_regex("^/api/")
    ///     .observer(|seen: &corsair::Observation<'_>| assert_eq!(seen.kind(), RequestKind::Bypass))
    ///     .build().unwrap();
    /// let _ = cors.evaluate(&http::Method::GET, &"/static/x".parse().unwrap(), &http::HeaderMap::new());
    /// ```
    pub fn kind(&self) -> RequestKind {
        self.decided.kind
    }

    /// How it ended: allowed, refused, or not a CORS request.
    ///
    /// ```
    /// # use corsair::{Cors, Outcome};
    /// let cors = Cors::builder().allow_all_origins(true)
    ///     .observer(|seen: &corsair::Observation<'_>| assert_eq!(seen.outcome(), Outcome::NotCors))
    ///     .build().unwrap();
    /// let _ = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &http::HeaderMap::new());
    /// ```
    pub fn outcome(&self) -> Outcome {
        self.decided.outcome
    }

    /// Why it was refused, for a refused CORS request.
    ///
    /// ```
    /// # use corsair::{Cors, RefusalKind};
    /// let cors = Cors::builder().allowed_origins(["https://app.example"])
    ///     .observer(|seen: &corsair::Observation<'_>| assert_eq!(seen.refusal(), Some(RefusalKind::InvalidOrigin)))
    ///     .build().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://app.example/".parse().unwrap());
    /// let _ = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers);
    /// ```
    pub fn refusal(&self) -> Option<RefusalKind> {
        self.decided.refusal
    }

    /// The route whose policy decided: its index and `path`.
    ///
    /// ```
    /// # use corsair::Cors;
    /// let cors = Cors::builder().allowed_origins(["https://app.example"])
    ///     .route("^/public/", Cors::builder().allow_all_origins(true))
    ///     .observer(|seen: &corsair::Observation<'_>| assert_eq!(seen.route(), Some((0, "^/public/"))))
    ///     .build().unwrap();
    /// let _ = cors.evaluate(&http::Method::GET, &"/public/x".parse().unwrap(), &http::HeaderMap::new());
    /// ```
    pub fn route(&self) -> Option<(usize, &'a str)> {
        self.decided.route.zip(self.route_path)
    }

    /// Everything decided, in a few words.
    ///
    /// ```
    /// # use corsair::Cors;
    /// let cors = Cors::builder().allow_all_origins(true)
    ///     .observer(|seen: &corsair::Observation<'_>| assert_eq!(seen.decided().to_string(), "actual not_cors"))
    ///     .build().unwrap();
    /// let _ = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &http::HeaderMap::new());
    /// ```
    pub fn decided(&self) -> Summary {
        self.decided
    }

    /// What the report-only candidate ([`CorsBuilder::report_only`](crate::CorsBuilder::report_only))
    /// would have decided, when it differs from what was decided; `None` when it agrees or
    /// there is none.
    ///
    /// ```
    /// # use corsair::Cors;
    /// let cors = Cors::builder().allowed_origins(["https://app.example"])
    ///     .report_only(Cors::builder().allowed_origins(["https://app.example"]).allow_credentials(true))
    ///     .observer(|seen: &corsair::Observation<'_>| assert!(seen.candidate().is_none(), "the same verdict"))
    ///     .build().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://app.example".parse().unwrap());
    /// let _ = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers);
    /// ```
    pub fn candidate(&self) -> Option<Summary> {
        self.candidate
    }

    /// The request's `Origin` value, when it had exactly one.
    ///
    /// ```
    /// # use corsair::Cors;
    /// let cors = Cors::builder().allow_all_origins(true)
    ///     .observer(|seen: &corsair::Observation<'_>| assert_eq!(seen.origin(), Some(&b"https://a.example"[..])))
    ///     .build().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://a.example".parse().unwrap());
    /// let _ = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers);
    /// ```
    pub fn origin(&self) -> Option<&'a [u8]> {
        self.origin
    }

    /// The request method, when the request is still at hand (not after an asynchronous
    /// origin hook).
    ///
    /// ```
    /// # use corsair::Cors;
    /// let cors = Cors::builder().allow_all_origins(true)
    ///     .observer(|seen: &corsair::Observation<'_>| assert_eq!(seen.method(), Some("GET")))
    ///     .build().unwrap();
    /// let _ = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &http::HeaderMap::new());
    /// ```
    pub fn method(&self) -> Option<&'a str> {
        self.head.map(|head| head.method())
    }

    /// The request path (without the query), when the request is still at hand.
    ///
    /// ```
    /// # use corsair::Cors;
    /// let cors = Cors::builder().allow_all_origins(true)
    ///     .observer(|seen: &corsair::Observation<'_>| assert_eq!(seen.path(), Some("/items")))
    ///     .build().unwrap();
    /// let _ = cors.evaluate(&http::Method::GET, &"/items?page=2".parse().unwrap(), &http::HeaderMap::new());
    /// ```
    pub fn path(&self) -> Option<&'a str> {
        self.head.map(|head| head.path())
    }
}

impl fmt::Debug for Observation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observation")
            .field("decided", &self.decided)
            .field("candidate", &self.candidate)
            .finish_non_exhaustive()
    }
}
