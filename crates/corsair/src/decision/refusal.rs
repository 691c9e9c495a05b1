//! [`Refusal`]: why the browser will refuse a preflight, explained for logs and diagnostics.

use std::fmt;

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD};
use http::{HeaderMap, Method, Uri};

use super::decide::decide;
use super::{Decided, OriginVerdict, for_each_requested_header};
use crate::compiled::Policy;
use crate::fetch::cors_safelisted_method::is_cors_safelisted_method;
use crate::head::Http1Head;

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

/// Why the browser will refuse a preflight, or `None` if it will pass (see
/// [`Cors::explain_preflight`](crate::Cors::explain_preflight)).
pub(crate) fn explain(policy: &Policy, uri: &Uri, headers: &HeaderMap) -> Option<Refusal> {
    let head = Http1Head {
        method: &Method::OPTIONS,
        uri,
        headers,
    };
    let (verdict, rules) = match decide(policy, &head, &policy.values) {
        Decided::Ready(outcome) => (Some(outcome.verdict), outcome.rules),
        Decided::Pending(pending) => (None, pending.rules()),
    };
    let policy = policy.rules.get(rules)?;
    match verdict {
        Some(OriginVerdict::Missing) => return Some(Refusal::MissingOrigin),
        Some(OriginVerdict::Invalid) => return Some(Refusal::InvalidOrigin),
        Some(OriginVerdict::Disallowed) => return Some(Refusal::OriginNotAllowed),
        Some(OriginVerdict::Allowed) | None => {}
    }
    let wildcard_allowed = !policy.credentials;
    if let Some(method) = headers.get(ACCESS_CONTROL_REQUEST_METHOD) {
        let method = method.to_str().unwrap_or_default();
        let simple = is_cors_safelisted_method(method);
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
