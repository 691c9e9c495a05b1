//! Deciding: classify a request (outside `urls_regex`, preflight, actual), then decide on its
//! origin by the policy's lists and, when they refuse it, by the origin hook.

use http::{HeaderMap, Method, Uri};

use super::{
    Decided, Decision, Evaluation, OriginVerdict, Outcome, Pending, PendingDecision, RequestKind,
};
use crate::head::{Http1Head, OriginLines, RequestHead, Value};
use crate::hook::{HookOutcome, HookRequest};
use crate::origin::RequestOrigin;
use crate::path;
use crate::policy::{Cors, HeaderValues};

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
        match self.decide_with_hook(&head, &self.policy.values) {
            Decided::Ready(outcome) => Evaluation::Decided(Decision { outcome }),
            Decided::Pending(pending) => Evaluation::Pending(PendingDecision::new(pending)),
        }
    }

    /// Decides on a request head of any framework (`values` is the policy's values in its
    /// header type): by the lists, then, if they refuse a valid origin, by the origin hook.
    pub(crate) fn decide_with_hook<H: RequestHead>(
        &self,
        head: &H,
        values: &HeaderValues<H::Value>,
    ) -> Decided<H::Value> {
        let (mut outcome, ask) = self.decide(head, values);
        let (Some(origin), Some(hook)) = (ask, &self.policy.hook) else {
            return Decided::Ready(outcome);
        };
        // A parsed origin is ASCII.
        let text = std::str::from_utf8(origin.bytes()).unwrap_or_default();
        match hook.call(&HookRequest::new(text, head)) {
            HookOutcome::Ready(true) => {
                outcome.allow(origin.clone());
                Decided::Ready(outcome)
            }
            HookOutcome::Ready(false) => Decided::Ready(outcome),
            HookOutcome::Pending(future) => Decided::Pending(Pending {
                outcome: Some(outcome),
                echo: origin.clone(),
                hook: future,
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
            outcome.allow(values.wildcard.clone());
            return (outcome, None);
        }
        if policy.matcher.allows(parsed) {
            outcome.allow(value.clone());
            return (outcome, None);
        }
        outcome.verdict = OriginVerdict::Disallowed;
        (outcome, policy.hook.is_some().then_some(value))
    }
}
