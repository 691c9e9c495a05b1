//! Per request: classify (not CORS, preflight, actual), decide on the origin, and write the
//! headers.
//!
//! Invariants: nothing here allocates for requests without `Origin`, with a disallowed origin, or
//! with an allowed one (echoed values are the request's own shared bytes or a precomputed value);
//! the only allocation is merging `origin` into a `Vary` value the inner service set itself. No
//! input can make this code panic.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, Uri};

use crate::head::{CorsHeader, Http1Head, OriginLines, RequestHead, ResponseHeaders, Value};
use crate::hook::{HookFuture, HookOutcome, HookRequest};
use crate::origin::RequestOrigin;
use crate::path;
use crate::policy::{Cors, HeaderValues};
use crate::token::is_token;

/// `Access-Control-Request-Private-Network`.
///
/// ```
/// assert_eq!(corsair::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK.as_str(), "access-control-request-private-network");
/// ```
pub const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
/// `Access-Control-Allow-Private-Network`.
///
/// ```
/// assert_eq!(corsair::ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK.as_str(), "access-control-allow-private-network");
/// ```
pub const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// The longest `Access-Control-Request-Headers` value corsair reads when explaining a refusal;
/// longer lists are refused without being scanned.
///
/// ```
/// use corsair::{Cors, Refusal, MAX_REQUEST_HEADERS_LEN};
///
/// let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://app.example".parse().unwrap());
/// headers.insert("access-control-request-method", "PUT".parse().unwrap());
/// let huge = "x-a,".repeat(MAX_REQUEST_HEADERS_LEN);
/// headers.insert("access-control-request-headers", huge.parse().unwrap());
/// assert_eq!(cors.explain_preflight(&"/".parse().unwrap(), &headers), Some(Refusal::MalformedRequestHeaders));
/// ```
pub const MAX_REQUEST_HEADERS_LEN: usize = 4096;

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
pub enum RequestKind {
    /// The path is outside `urls_regex`: the request passes through untouched.
    Bypass,
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`: answered by corsair.
    Preflight,
    /// Any other request on a CORS path: the inner service answers, corsair adds headers.
    Actual,
}

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

/// The outcome of [`Cors::evaluate`] for one request.
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
    outcome: Outcome<HeaderValue>,
}

/// A decision in the header value type of the framework it is for (`http` 1's for
/// [`Decision`]).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Outcome<V> {
    pub(crate) kind: RequestKind,
    pub(crate) verdict: OriginVerdict,
    /// `*`, or the request's own `Origin` value.
    pub(crate) allow_origin: Option<V>,
    pub(crate) private_network: bool,
}

impl<V> Outcome<V> {
    fn new(kind: RequestKind) -> Self {
        Outcome {
            kind,
            verdict: OriginVerdict::Missing,
            allow_origin: None,
            private_network: false,
        }
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

    /// The lists' refusal of another framework's outcome, in `http` 1's types (a refused origin
    /// has no `Access-Control-Allow-Origin` value to convert).
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn refused<V>(outcome: &Outcome<V>) -> Decision {
        Decision {
            outcome: Outcome {
                kind: outcome.kind,
                verdict: outcome.verdict,
                allow_origin: None,
                private_network: outcome.private_network,
            },
        }
    }

    /// The decision as the engine's writers take it.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn outcome(&self) -> &Outcome<HeaderValue> {
        &self.outcome
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

/// [`Cors::evaluate`]'s answer: decided now, or waiting for an asynchronous origin hook.
///
/// ```
/// use corsair::{Cors, Evaluation};
///
/// let cors = Cors::builder().allow_all_origins(true).build().unwrap();
/// match cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &http::HeaderMap::new()) {
///     Evaluation::Decided(decision) => assert!(!decision.is_allowed()),
///     Evaluation::Pending(_) => unreachable!("only async hooks are pending"),
/// }
/// ```
#[must_use]
pub enum Evaluation {
    /// The decision is made.
    Decided(Decision),
    /// An asynchronous hook is deciding; await this to get the decision.
    Pending(PendingDecision),
}

impl Evaluation {
    /// The decision if it is already made (always, unless an async hook is installed).
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allow_all_origins(true).build().unwrap();
    /// let evaluation = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &http::HeaderMap::new());
    /// assert!(evaluation.now().is_some());
    /// ```
    pub fn now(self) -> Option<Decision> {
        match self {
            Evaluation::Decided(decision) => Some(decision),
            Evaluation::Pending(_) => None,
        }
    }

    /// Waits for the decision.
    ///
    /// ```
    /// # use corsair::Cors;
    /// # async fn run() {
    /// let cors = Cors::builder()
    ///     .allow_origin_if_async(|_req| Box::pin(async { true }))
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://tenant.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).await;
    /// assert!(decision.is_allowed());
    /// # }
    /// ```
    pub async fn await_decision(self) -> Decision {
        match self {
            Evaluation::Decided(decision) => decision,
            Evaluation::Pending(pending) => pending.await,
        }
    }
}

impl std::future::IntoFuture for Evaluation {
    type Output = Decision;
    type IntoFuture = Pin<Box<dyn Future<Output = Decision> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.await_decision())
    }
}

impl fmt::Debug for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evaluation::Decided(d) => f.debug_tuple("Decided").field(d).finish(),
            Evaluation::Pending(_) => f.write_str("Pending"),
        }
    }
}

/// A decision waiting for an asynchronous origin hook. A future of [`Decision`].
///
/// ```
/// # async fn run() {
/// use corsair::{Cors, Evaluation};
///
/// let cors = Cors::builder()
///     .allow_origin_if_async(|req| {
///         let allowed = req.origin.ends_with(".tenants.example");
///         Box::pin(async move { allowed })
///     })
///     .build()
///     .unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://acme.tenants.example".parse().unwrap());
/// if let Evaluation::Pending(pending) = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers) {
///     assert!(pending.await.is_allowed());
/// }
/// # }
/// ```
pub struct PendingDecision {
    decision: Decision,
    echo: HeaderValue,
    hook: HookFuture,
}

impl PendingDecision {
    /// What the request is (a preflight waits for the hook before it is answered; an actual
    /// request runs the inner service meanwhile).
    ///
    /// ```
    /// # use corsair::{Cors, Evaluation, RequestKind};
    /// let cors = Cors::builder()
    ///     .allow_origin_if_async(|_req| Box::pin(async { false }))
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://a.example".parse().unwrap());
    /// let Evaluation::Pending(pending) = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers) else {
    ///     unreachable!()
    /// };
    /// assert_eq!(pending.kind(), RequestKind::Actual);
    /// ```
    pub fn kind(&self) -> RequestKind {
        self.decision.outcome.kind
    }
}

impl Future for PendingDecision {
    type Output = Decision;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Decision> {
        let allowed = std::task::ready!(self.hook.as_mut().poll(cx));
        let mut decision = self.decision.clone();
        if allowed {
            decision.outcome.verdict = OriginVerdict::Allowed;
            decision.outcome.allow_origin = Some(self.echo.clone());
        }
        Poll::Ready(decision)
    }
}

impl fmt::Debug for PendingDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingDecision")
            .field("decision", &self.decision)
            .finish_non_exhaustive()
    }
}

/// Why a preflight will fail in the browser, for logs and diagnostics.
///
/// ```
/// use corsair::{Cors, Refusal};
///
/// let cors = Cors::builder().allowed_origins(["https://app.example"]).allow_methods(["GET"]).build().unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://app.example".parse().unwrap());
/// headers.insert("access-control-request-method", "DELETE".parse().unwrap());
/// let refusal = cors.explain_preflight(&"/".parse().unwrap(), &headers).unwrap();
/// assert_eq!(refusal, Refusal::MethodNotAllowed("DELETE".into()));
/// assert_eq!(refusal.to_string(), "method DELETE not allowed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `Origin` header.
    MissingOrigin,
    /// The `Origin` value is not a single serialized origin.
    InvalidOrigin,
    /// The origin is not allowed.
    OriginNotAllowed,
    /// The requested method is not in `allow_methods`.
    MethodNotAllowed(String),
    /// A requested header is not in `allow_headers`.
    HeaderNotAllowed(String),
    /// `Access-Control-Request-Headers` is longer than [`MAX_REQUEST_HEADERS_LEN`] or malformed.
    MalformedRequestHeaders,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::MissingOrigin => f.write_str("no Origin header"),
            Refusal::InvalidOrigin => f.write_str("the Origin header is not a valid origin"),
            Refusal::OriginNotAllowed => f.write_str("origin not allowed"),
            Refusal::MethodNotAllowed(m) => write!(f, "method {m} not allowed"),
            Refusal::HeaderNotAllowed(h) => write!(f, "request header {h} not allowed"),
            Refusal::MalformedRequestHeaders => {
                f.write_str("Access-Control-Request-Headers is too long or malformed")
            }
        }
    }
}

impl Cors {
    /// Classifies a request and decides on its origin. Allocation-free unless an asynchronous
    /// hook runs.
    ///
    /// This is the framework-agnostic entry point the adapters use: answer a
    /// [`RequestKind::Preflight`] with [`Cors::preflight_response`], let the application answer
    /// the others and pass its response headers to [`Cors::apply`].
    ///
    /// ```
    /// use corsair::{Cors, RequestKind};
    /// use http::{HeaderMap, Method, Uri};
    ///
    /// let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("origin", "https://app.example".parse().unwrap());
    /// headers.insert("access-control-request-method", "PUT".parse().unwrap());
    /// let decision = cors
    ///     .evaluate(&Method::OPTIONS, &Uri::from_static("/items/1"), &headers)
    ///     .now()
    ///     .unwrap();
    /// assert_eq!(decision.kind(), RequestKind::Preflight);
    /// let response: http::Response<()> = cors.preflight_response(&decision);
    /// assert_eq!(response.status(), 204);
    /// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example");
    /// ```
    pub fn evaluate(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Evaluation {
        let head = Http1Head {
            method,
            uri,
            headers,
        };
        let (outcome, ask_hook) = self.decide(&head, &self.policy.values);
        let decision = Decision { outcome };
        match ask_hook {
            Some(origin) => self.ask_hook(decision, origin, method, uri, headers),
            None => Evaluation::Decided(decision),
        }
    }

    /// Asks the origin hook about an origin the lists refused (`decision`), and allows `origin`
    /// if it says yes.
    pub(crate) fn ask_hook(
        &self,
        mut decision: Decision,
        origin: &HeaderValue,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Evaluation {
        let Some(hook) = &self.policy.hook else {
            return Evaluation::Decided(decision);
        };
        let request = HookRequest {
            origin: origin.to_str().unwrap_or_default(),
            method,
            uri,
            headers,
        };
        match hook.call(&request) {
            HookOutcome::Ready(true) => {
                decision.outcome.verdict = OriginVerdict::Allowed;
                decision.outcome.allow_origin = Some(origin.clone());
                Evaluation::Decided(decision)
            }
            HookOutcome::Ready(false) => Evaluation::Decided(decision),
            HookOutcome::Pending(hook) => Evaluation::Pending(PendingDecision {
                decision,
                echo: origin.clone(),
                hook,
            }),
        }
    }

    /// Classifies a request head and decides on its origin by the policy's lists, in the
    /// header value type of the framework (`values` is the policy's values in that type). Also
    /// returns the `Origin` value when the origin is valid, not allowed by the lists, and an
    /// origin hook is installed to ask.
    pub(crate) fn decide<'h, H: RequestHead>(
        &self,
        head: &'h H,
        values: &HeaderValues<H::Value>,
    ) -> (Outcome<H::Value>, Option<&'h H::Value>) {
        let policy = &*self.policy;
        if let Some(urls) = &policy.urls_regex {
            if !urls.is_match(&*path::normalize(head.path().as_bytes())) {
                return (Outcome::new(RequestKind::Bypass), None);
            }
        }
        let origin = head.origin();
        let kind = if !matches!(origin, OriginLines::Missing)
            && head.is_options()
            && head.has_request_method()
        {
            RequestKind::Preflight
        } else {
            RequestKind::Actual
        };
        let mut outcome = Outcome::new(kind);
        let value = match origin {
            OriginLines::Missing => return (outcome, None),
            OriginLines::Several => None,
            OriginLines::One(value) => Some(value),
        };
        let Some((value, parsed)) = value.and_then(|v| Some((v, RequestOrigin::parse(v.bytes())?)))
        else {
            outcome.verdict = OriginVerdict::Invalid;
            return (outcome, None);
        };
        outcome.private_network = kind == RequestKind::Preflight
            && policy.private_network
            && head.request_private_network() == Some(b"true");
        if policy.allow_all_origins {
            outcome.verdict = OriginVerdict::Allowed;
            outcome.allow_origin = Some(values.wildcard.clone());
            return (outcome, None);
        }
        if policy.matcher.allows(parsed) {
            outcome.verdict = OriginVerdict::Allowed;
            outcome.allow_origin = Some(value.clone());
            return (outcome, None);
        }
        outcome.verdict = OriginVerdict::Disallowed;
        (outcome, policy.hook.is_some().then_some(value))
    }

    /// Writes the preflight answer's headers into `headers` (Vary always; the CORS headers when
    /// the origin is allowed).
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// # let mut req = http::HeaderMap::new();
    /// # req.insert("origin", "https://evil.example".parse().unwrap());
    /// # req.insert("access-control-request-method", "PUT".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::OPTIONS, &"/".parse().unwrap(), &req).now().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// cors.write_preflight_headers(&decision, &mut headers);
    /// assert!(headers.get("access-control-allow-origin").is_none());
    /// assert!(headers["vary"].to_str().unwrap().starts_with("origin"));
    /// ```
    pub fn write_preflight_headers(&self, decision: &Decision, headers: &mut HeaderMap) {
        self.write_preflight(&self.policy.values, &decision.outcome, headers);
    }

    /// [`Cors::write_preflight_headers`] for any framework's response headers.
    pub(crate) fn write_preflight<R: ResponseHeaders>(
        &self,
        values: &HeaderValues<R::Value>,
        outcome: &Outcome<R::Value>,
        headers: &mut R,
    ) {
        headers.set(CorsHeader::Vary, values.preflight_vary.clone());
        let Some(allow_origin) = &outcome.allow_origin else {
            return;
        };
        headers.set(CorsHeader::AllowOrigin, allow_origin.clone());
        if self.policy.credentials {
            headers.set(CorsHeader::AllowCredentials, values.true_value.clone());
        }
        if let Some(v) = &values.allow_methods {
            headers.set(CorsHeader::AllowMethods, v.clone());
        }
        if let Some(v) = &values.allow_headers {
            headers.set(CorsHeader::AllowHeaders, v.clone());
        }
        if let Some(v) = &values.max_age {
            headers.set(CorsHeader::MaxAge, v.clone());
        }
        if outcome.private_network {
            headers.set(CorsHeader::AllowPrivateNetwork, values.true_value.clone());
        }
    }

    /// The complete answer to a preflight: `204 No Content`, an empty body, and the headers of
    /// [`Cors::write_preflight_headers`].
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allow_all_origins(true).build().unwrap();
    /// # let mut req = http::HeaderMap::new();
    /// # req.insert("origin", "https://a.example".parse().unwrap());
    /// # req.insert("access-control-request-method", "DELETE".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::OPTIONS, &"/".parse().unwrap(), &req).now().unwrap();
    /// let response: http::Response<String> = cors.preflight_response(&decision);
    /// assert_eq!(response.status(), http::StatusCode::NO_CONTENT);
    /// assert!(response.body().is_empty());
    /// ```
    pub fn preflight_response<B: Default>(&self, decision: &Decision) -> Response<B> {
        let mut response = Response::new(B::default());
        *response.status_mut() = StatusCode::NO_CONTENT;
        self.write_preflight_headers(decision, response.headers_mut());
        response
    }

    /// Adds the CORS headers of an actual request to the application's response headers:
    /// `Vary: origin` merged, and for an allowed origin `Access-Control-Allow-Origin`,
    /// `-Allow-Credentials` and `-Expose-Headers`. Does nothing for [`RequestKind::Bypass`].
    ///
    /// ```
    /// # use corsair::Cors;
    /// # let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// # let mut req = http::HeaderMap::new();
    /// # req.insert("origin", "https://app.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &req).now().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("vary", "accept-encoding".parse().unwrap());
    /// cors.apply(&decision, &mut headers);
    /// assert_eq!(headers["vary"], "accept-encoding, origin");
    /// assert_eq!(headers["access-control-allow-origin"], "https://app.example");
    /// ```
    pub fn apply(&self, decision: &Decision, headers: &mut HeaderMap) {
        self.apply_outcome(&self.policy.values, &decision.outcome, headers);
    }

    /// [`Cors::apply`] for any framework's response headers.
    pub(crate) fn apply_outcome<R: ResponseHeaders>(
        &self,
        values: &HeaderValues<R::Value>,
        outcome: &Outcome<R::Value>,
        headers: &mut R,
    ) {
        match outcome.kind {
            RequestKind::Bypass => return,
            RequestKind::Preflight => return self.write_preflight(values, outcome, headers),
            RequestKind::Actual => {}
        }
        merge_vary_origin(headers, &values.vary_origin);
        let Some(allow_origin) = &outcome.allow_origin else {
            return;
        };
        headers.set(CorsHeader::AllowOrigin, allow_origin.clone());
        if self.policy.credentials {
            headers.set(CorsHeader::AllowCredentials, values.true_value.clone());
        }
        if let Some(v) = &values.expose_headers {
            headers.set(CorsHeader::ExposeHeaders, v.clone());
        }
    }

    /// Explains why the browser will refuse this preflight, or `None` if it will pass. For logs
    /// and diagnostics: it allocates, and the answer corsair sends does not depend on it (a
    /// preflight from an allowed origin always lists the configured methods and headers, so that
    /// the browser names exactly what is missing).
    ///
    /// ```
    /// use corsair::{Cors, Refusal};
    ///
    /// let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://app.example".parse().unwrap());
    /// headers.insert("access-control-request-method", "PUT".parse().unwrap());
    /// headers.insert("access-control-request-headers", "content-type,x-token".parse().unwrap());
    /// assert_eq!(
    ///     cors.explain_preflight(&"/".parse().unwrap(), &headers),
    ///     Some(Refusal::HeaderNotAllowed("x-token".into()))
    /// );
    /// ```
    pub fn explain_preflight(&self, uri: &Uri, headers: &HeaderMap) -> Option<Refusal> {
        let decision = self.evaluate(&Method::OPTIONS, uri, headers).now();
        match decision.as_ref().map(Decision::origin) {
            Some(OriginVerdict::Missing) => return Some(Refusal::MissingOrigin),
            Some(OriginVerdict::Invalid) => return Some(Refusal::InvalidOrigin),
            Some(OriginVerdict::Disallowed) => return Some(Refusal::OriginNotAllowed),
            Some(OriginVerdict::Allowed) | None => {}
        }
        let policy = &*self.policy;
        let wildcard_allowed = !policy.credentials;
        if let Some(method) = headers.get(ACCESS_CONTROL_REQUEST_METHOD) {
            let method = method.to_str().unwrap_or_default();
            let simple = matches!(method, "GET" | "HEAD" | "POST");
            let listed = policy.allow_methods.iter().any(|m| m == method)
                || (wildcard_allowed && policy.allow_methods.iter().any(|m| m == "*"));
            if !simple && !listed {
                return Some(Refusal::MethodNotAllowed(method.to_owned()));
            }
        }
        let mut refusal = None;
        let headers_wildcard = wildcard_allowed && policy.allow_headers.iter().any(|h| h == "*");
        for value in headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS) {
            let ok = for_each_requested_header(value.as_bytes(), |name| {
                let listed = policy
                    .allow_headers
                    .iter()
                    .any(|h| h.as_bytes().eq_ignore_ascii_case(name));
                let covered = headers_wildcard && !name.eq_ignore_ascii_case(b"authorization");
                if listed || covered {
                    true
                } else {
                    refusal = Some(Refusal::HeaderNotAllowed(
                        String::from_utf8_lossy(name).to_ascii_lowercase(),
                    ));
                    false
                }
            });
            if refusal.is_some() {
                return refusal;
            }
            if !ok {
                return Some(Refusal::MalformedRequestHeaders);
            }
        }
        None
    }
}

/// Calls `visit` with each name of an `Access-Control-Request-Headers` value, in one bounded
/// pass without allocating. Stops when `visit` returns `false`. Returns `false` when the value is
/// longer than [`MAX_REQUEST_HEADERS_LEN`] or an element is not a header-name token.
pub(crate) fn for_each_requested_header(
    value: &[u8],
    mut visit: impl FnMut(&[u8]) -> bool,
) -> bool {
    if value.len() > MAX_REQUEST_HEADERS_LEN {
        return false;
    }
    for element in value.split(|&b| b == b',') {
        let name = element.trim_ascii();
        if name.is_empty() {
            continue;
        }
        if !is_token(name) {
            return false;
        }
        if !visit(name) {
            return true;
        }
    }
    true
}

/// Adds `origin` to the response's `Vary`: inserted when absent; left alone when a value already
/// lists `origin` or `*`; otherwise appended to the existing value(s), which are joined into one.
pub(crate) fn merge_vary_origin<R: ResponseHeaders>(headers: &mut R, vary_origin: &R::Value) {
    if !headers.has_vary() {
        headers.set(CorsHeader::Vary, vary_origin.clone());
        return;
    }
    let mut covered = false;
    headers.for_each_vary(|value| {
        for token in value.split(|&b| b == b',') {
            let token = token.trim_ascii();
            if token == b"*" || token.eq_ignore_ascii_case(b"origin") {
                covered = true;
            }
        }
    });
    if covered {
        return;
    }
    let mut merged = Vec::with_capacity(64);
    headers.for_each_vary(|value| {
        let value = value.trim_ascii();
        if value.is_empty() {
            return;
        }
        if !merged.is_empty() {
            merged.extend_from_slice(b", ");
        }
        merged.extend_from_slice(value);
    });
    if !merged.is_empty() {
        merged.extend_from_slice(b", ");
    }
    merged.extend_from_slice(b"origin");
    // The existing values were valid header values; joining them with ", " keeps them valid.
    if let Some(value) = R::value_of(&merged) {
        headers.set(CorsHeader::Vary, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::VARY;

    fn vary_after(existing: &[&str]) -> Vec<String> {
        let mut headers = HeaderMap::new();
        for v in existing {
            headers.append(VARY, HeaderValue::from_str(v).unwrap());
        }
        merge_vary_origin(&mut headers, &HeaderValue::from_static("origin"));
        headers
            .get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn vary_merging() {
        let table: &[(&[&str], &[&str])] = &[
            (&[], &["origin"]),
            (&["accept-encoding"], &["accept-encoding, origin"]),
            (&["Origin"], &["Origin"]),
            (&["accept-encoding, ORIGIN"], &["accept-encoding, ORIGIN"]),
            (&["*"], &["*"]),
            (&["cookie, *"], &["cookie, *"]),
            (&["accept", "cookie"], &["accept, cookie, origin"]),
            (&["accept", "origin"], &["accept", "origin"]),
            (&[""], &["origin"]),
            (&["originator"], &["originator, origin"]),
        ];
        for (existing, expected) in table {
            assert_eq!(vary_after(existing), *expected, "{existing:?}");
        }
    }

    #[test]
    fn requested_header_parsing() {
        let collect = |v: &str| {
            let mut names = Vec::new();
            let ok = for_each_requested_header(v.as_bytes(), |n| {
                names.push(String::from_utf8(n.to_vec()).unwrap());
                true
            });
            (ok, names)
        };
        assert_eq!(collect("a,b"), (true, vec!["a".into(), "b".into()]));
        assert_eq!(collect(" a , ,b "), (true, vec!["a".into(), "b".into()]));
        assert_eq!(collect(""), (true, vec![]));
        assert!(!collect("a b").0);
        assert!(!collect(&"a,".repeat(MAX_REQUEST_HEADERS_LEN)).0);
    }
}
