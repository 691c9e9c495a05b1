//! The engine's answer for one request: what the request is for CORS, what was decided about
//! its origin, and, when an asynchronous origin hook must be asked first, the pending form of
//! that answer.
//!
//! Invariants: deciding allocates nothing for requests without `Origin`, with a disallowed
//! origin, or with an allowed one (an echoed value is the request's own shared bytes or a
//! precomputed one); no input can make it panic.

mod decide;
mod evaluation;
mod lists;
mod refusal;
mod requested_headers;

use std::fmt;

use http::HeaderValue;

use crate::observation::{Outcome, RefusalKind, RequestKind, Summary};

pub(crate) use decide::decide;
pub(crate) use evaluation::{Decided, Pending};
pub use evaluation::{Evaluation, PendingDecision};
pub use refusal::Refusal;
pub(crate) use refusal::{explain, refusal_kind};
pub use requested_headers::MAX_REQUEST_HEADERS_LEN;
pub(crate) use requested_headers::for_each_requested_header;

/// What corsair decided about the request's `Origin`.
///
/// ```
/// use corsair::{Cors, OriginVerdict};
///
/// let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
/// let verdict = |origin: &str| {
///     let mut headers = http::HeaderMap::new();
///     headers.insert("origin", origin.parse().unwrap());
///     cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap().origin()
/// };
/// assert_eq!(verdict("https://app.example"), OriginVerdict::Allowed);
/// assert_eq!(verdict("https://evil.example"), OriginVerdict::Disallowed);
/// assert_eq!(verdict("https://app.example/"), OriginVerdict::Invalid);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginVerdict {
    /// No `Origin` header (same-origin GET, curl, server-to-server).
    Missing,
    /// Several `Origin` lines, or a value that is not a serialized origin.
    Invalid,
    /// A valid origin that the policy does not allow.
    Disallowed,
    /// An allowed origin.
    Allowed,
}

/// The outcome of [`Cors::evaluate`](crate::Cors::evaluate) for one request.
///
/// ```
/// use corsair::{Cors, OriginVerdict, RequestKind};
/// use http::{HeaderMap, Method, Uri};
///
/// let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert("origin", "https://app.example".parse().unwrap());
/// let decision = cors
///     .evaluate(&Method::GET, &Uri::from_static("/items"), &headers)
///     .now()
///     .unwrap();
/// assert_eq!(decision.kind(), RequestKind::Actual);
/// assert_eq!(decision.origin(), OriginVerdict::Allowed);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Decision {
    pub(crate) outcome: Answer<HeaderValue>,
}

/// A decision in the header value type of the framework it is for (`http` 1's for
/// [`Decision`]).
///
/// On the way from the lists to the response head an answer passes through a few small
/// functions by value, and those are inlined (`#[inline(always)]`, each marked "an answer passes
/// through"): a call returns it in memory (56 bytes for `http`'s values), written field by field
/// and copied on in 16-byte loads, which stall until the stores that wrote it retire. Inlined,
/// the answer is built where it is used: about a tenth of an allowed request's time in the
/// criterion benchmarks (bench/notes.md).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Answer<V> {
    pub(crate) kind: RequestKind,
    pub(crate) verdict: OriginVerdict,
    /// `*`, or the request's own `Origin` value.
    pub(crate) allow_origin: Option<V>,
    pub(crate) private_network: bool,
    /// The rules that decided: 0 the default policy, `i + 1` route `i`.
    pub(crate) rules: usize,
    /// What a preflight asks that the rules do not allow (method, headers), whatever the
    /// origin: checked while deciding only when an observer is told, on demand otherwise
    /// ([`Cors::refusal`](crate::Cors::refusal)).
    pub(crate) asks: Asks,
}

/// Whether what a preflight asks for (its method and headers) was checked against the rules.
/// The answer does not depend on it (an allowed origin's preflight always lists the configured
/// methods and headers), so deciding checks it only for an observer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asks {
    /// Not checked (or not a preflight).
    Unchecked,
    /// Checked: what the rules do not allow, if anything.
    Checked(Option<RefusalKind>),
}

impl<V> Answer<V> {
    pub(crate) fn new(kind: RequestKind) -> Self {
        Answer {
            kind,
            verdict: OriginVerdict::Missing,
            allow_origin: None,
            private_network: false,
            rules: 0,
            asks: Asks::Unchecked,
        }
    }

    /// Why the request is refused, if it is a CORS request that is: by its origin, else by what
    /// a preflight asks for (`check_asks` checks it when deciding did not).
    pub(crate) fn refusal(
        &self,
        check_asks: impl FnOnce() -> Option<RefusalKind>,
    ) -> Option<RefusalKind> {
        match self.verdict {
            OriginVerdict::Missing => None,
            OriginVerdict::Invalid => Some(RefusalKind::InvalidOrigin),
            OriginVerdict::Disallowed => Some(RefusalKind::OriginNotAllowed),
            OriginVerdict::Allowed => match self.asks {
                Asks::Checked(refusal) => refusal,
                Asks::Unchecked if self.kind == RequestKind::Preflight => check_asks(),
                Asks::Unchecked => None,
            },
        }
    }

    /// What was decided, in a few words (for the observer: deciding checked what a preflight
    /// asks for, since someone is told).
    pub(crate) fn summary(&self) -> Summary {
        let refusal = self.refusal(|| None);
        let outcome = match (self.kind, self.verdict) {
            (RequestKind::Bypass, _) | (_, OriginVerdict::Missing) => Outcome::NotCors,
            _ if refusal.is_some() => Outcome::Refused,
            _ => Outcome::Allowed,
        };
        Summary {
            kind: self.kind,
            outcome,
            refusal,
            route: self.rules.checked_sub(1),
        }
    }

    /// The outcome, decided by `rules`.
    pub(crate) fn by(mut self, rules: usize) -> Self {
        self.rules = rules;
        self
    }

    /// Allows the origin, answering with `allow_origin` (`*` or the request's own `Origin`).
    pub(crate) fn allow(&mut self, allow_origin: V) {
        self.verdict = OriginVerdict::Allowed;
        self.allow_origin = Some(allow_origin);
    }
}

impl Decision {
    /// What the request is.
    ///
    /// ```
    /// # use corsair::{Cors, RequestKind};
    /// # let cors = Cors::builder().allow_all_origins(true).urls_regex("^/api/").build().unwrap();
    /// let d = cors.evaluate(&http::Method::GET, &"/static/app.js".parse().unwrap(), &http::HeaderMap::new());
    /// assert_eq!(d.now().unwrap().kind(), RequestKind::Bypass);
    /// ```
    pub fn kind(&self) -> RequestKind {
        self.outcome.kind
    }

    /// What was decided about the origin.
    ///
    /// ```
    /// # use corsair::{Cors, OriginVerdict};
    /// # let cors = Cors::builder().allow_all_origins(true).build().unwrap();
    /// let d = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &http::HeaderMap::new());
    /// assert_eq!(d.now().unwrap().origin(), OriginVerdict::Missing);
    /// ```
    pub fn origin(&self) -> OriginVerdict {
        self.outcome.verdict
    }

    /// The route of the policy that decided (its index in `[[cors.routes]]`), or `None` for
    /// the default policy.
    ///
    /// ```
    /// use corsair::Cors;
    ///
    /// let cors = Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .route("^/public/", Cors::builder().allow_all_origins(true))
    ///     .build()
    ///     .unwrap();
    /// let route = |path: &str| {
    ///     cors.evaluate(&http::Method::GET, &path.parse().unwrap(), &http::HeaderMap::new())
    ///         .now()
    ///         .unwrap()
    ///         .route()
    /// };
    /// assert_eq!(route("/public/feed"), Some(0));
    /// assert_eq!(route("/api/me"), None);
    /// ```
    pub fn route(&self) -> Option<usize> {
        self.outcome.rules.checked_sub(1)
    }

    /// Whether the response carries `Access-Control-Allow-Origin`.
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allow_all_origins(true).build().unwrap();
    /// let d = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &http::HeaderMap::new());
    /// assert!(!d.now().unwrap().is_allowed());
    /// ```
    pub fn is_allowed(&self) -> bool {
        self.outcome.allow_origin.is_some()
    }

    /// The `Access-Control-Allow-Origin` value the response gets, if any.
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allow_all_origins(true).build().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://a.example".parse().unwrap());
    /// let d = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap();
    /// assert_eq!(d.allow_origin().unwrap(), "*");
    /// ```
    pub fn allow_origin(&self) -> Option<&HeaderValue> {
        self.outcome.allow_origin.as_ref()
    }
}

impl fmt::Debug for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decision")
            .field("kind", &self.outcome.kind)
            .field("origin", &self.outcome.verdict)
            .field("allow_origin", &self.outcome.allow_origin)
            .field("private_network", &self.outcome.private_network)
            .finish()
    }
}
