//! [`Refusal`]: why the browser will refuse a preflight, explained for logs and diagnostics.

use std::fmt;

use http::{HeaderMap, Method, Uri};

use super::lists::{by_lists, preflight_refusal};
use super::{Answer, OriginVerdict};
use crate::compiled::Policy;
use crate::head::{Http1Head, RequestHead};
use crate::observation::RefusalKind;

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
#[non_exhaustive]
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
    /// `Access-Control-Request-Headers` is longer than [`MAX_REQUEST_HEADERS_LEN`](crate::MAX_REQUEST_HEADERS_LEN) or malformed.
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

impl Refusal {
    /// The kind of the refusal, without its details.
    ///
    /// ```
    /// use corsair::{Refusal, RefusalKind};
    /// assert_eq!(Refusal::MethodNotAllowed("PUT".into()).kind(), RefusalKind::MethodNotAllowed);
    /// ```
    pub fn kind(&self) -> RefusalKind {
        match self {
            Refusal::MissingOrigin => RefusalKind::MissingOrigin,
            Refusal::InvalidOrigin => RefusalKind::InvalidOrigin,
            Refusal::OriginNotAllowed => RefusalKind::OriginNotAllowed,
            Refusal::MethodNotAllowed(_) => RefusalKind::MethodNotAllowed,
            Refusal::HeaderNotAllowed(_) => RefusalKind::HeaderNotAllowed,
            Refusal::MalformedRequestHeaders => RefusalKind::MalformedRequestHeaders,
        }
    }
}

/// Why the browser will refuse a preflight, or `None` if it will pass (see
/// [`Cors::explain_preflight`](crate::Cors::explain_preflight)).
pub(crate) fn explain(policy: &Policy, uri: &Uri, headers: &HeaderMap) -> Option<Refusal> {
    let head = Http1Head::new(&Method::OPTIONS, uri, headers);
    // The lists alone: explaining is not deciding again, so neither the origin hook nor the
    // observer hears of it. An origin the lists refuse and the hook would be asked about is
    // unknown here; what the preflight asks for is still checked.
    let (answer, ask) = by_lists(policy, &head, &policy.values, false);
    let verdict = ask.is_none().then_some(answer.verdict);
    let rules = policy.rules.get(answer.rules)?;
    match verdict {
        Some(OriginVerdict::Missing) => return Some(Refusal::MissingOrigin),
        Some(OriginVerdict::Invalid) => return Some(Refusal::InvalidOrigin),
        Some(OriginVerdict::Disallowed) => return Some(Refusal::OriginNotAllowed),
        Some(OriginVerdict::Allowed) | None => {}
    }
    let mut method = None;
    let mut header = None;
    let kind = preflight_refusal(
        rules,
        &head,
        head.request_method(),
        |m| method = Some(String::from_utf8_lossy(m).into_owned()),
        |h| header = Some(String::from_utf8_lossy(h).to_ascii_lowercase()),
    )?;
    Some(match kind {
        RefusalKind::MethodNotAllowed => Refusal::MethodNotAllowed(method.unwrap_or_default()),
        RefusalKind::HeaderNotAllowed => Refusal::HeaderNotAllowed(header.unwrap_or_default()),
        // The only other kind a preflight's asks can be refused for.
        _ => Refusal::MalformedRequestHeaders,
    })
}

/// Why the browser will refuse the request `answer` was decided on (see
/// [`Cors::refusal`](crate::Cors::refusal)): what deciding knows, and what a preflight asks for,
/// checked now against the rules that decided if deciding did not. Allocates nothing.
pub(crate) fn refusal_kind(
    policy: &Policy,
    answer: &Answer<http::HeaderValue>,
    headers: &HeaderMap,
) -> Option<RefusalKind> {
    answer.refusal(|| {
        let rules = policy.rules.get(answer.rules)?;
        let head = Http1Head::for_target(&Method::OPTIONS, "/", headers);
        preflight_refusal(rules, &head, head.request_method(), |_| {}, |_| {})
    })
}
