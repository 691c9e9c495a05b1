//! [`Refusal`]: why the browser will refuse a preflight, explained for logs and diagnostics.

use std::fmt;

use http::{HeaderMap, Method, Uri};

use super::decide::by_lists;
use super::{OriginVerdict, for_each_requested_header};
use crate::compiled::{Policy, Rules};
use crate::fetch::cors_safelisted_method::is_cors_safelisted_method;
use crate::head::{Http1Head, RequestHead};

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

/// Why a CORS request is refused, as a value without details: what a
/// [`Decision`](crate::Decision) knows without allocating, for metrics and logs.
///
/// ```
/// use corsair::{Cors, RefusalKind};
///
/// let cors = Cors::builder().allowed_origins(["https://app.example"]).allow_methods(["GET"]).build().unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://app.example".parse().unwrap());
/// headers.insert("access-control-request-method", "DELETE".parse().unwrap());
/// let decision = cors.evaluate(&http::Method::OPTIONS, &"/".parse().unwrap(), &headers).now().unwrap();
/// assert_eq!(decision.refusal(), Some(RefusalKind::MethodNotAllowed));
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

/// What a preflight asks that `rules` do not allow, in the browser's order (the method, then
/// each requested header): `on_method` and `on_header` see the offending bytes.
/// `requested_method` is the head's `Access-Control-Request-Method`, which the caller has read
/// already. Allocates nothing.
pub(crate) fn preflight_refusal<H: RequestHead>(
    rules: &Rules,
    head: &H,
    requested_method: Option<&[u8]>,
    on_method: impl FnOnce(&[u8]),
    mut on_header: impl FnMut(&[u8]),
) -> Option<RefusalKind> {
    if let Some(method) = requested_method {
        let text = std::str::from_utf8(method).unwrap_or_default();
        let simple = is_cors_safelisted_method(text);
        let listed = rules.any_method || rules.allow_methods.iter().any(|m| m.as_bytes() == method);
        if !simple && !listed {
            on_method(method);
            return Some(RefusalKind::MethodNotAllowed);
        }
    }
    let mut refusal = None;
    head.for_each_request_headers(|value| {
        if refusal.is_some() {
            return;
        }
        let mut refused = false;
        let well_formed = for_each_requested_header(value, |name| {
            let listed = rules
                .allow_headers
                .iter()
                .any(|h| h.as_bytes().eq_ignore_ascii_case(name));
            let covered = rules.any_header && !name.eq_ignore_ascii_case(b"authorization");
            if listed || covered {
                true
            } else {
                on_header(name);
                refused = true;
                false
            }
        });
        if refused {
            refusal = Some(RefusalKind::HeaderNotAllowed);
        } else if !well_formed {
            refusal = Some(RefusalKind::MalformedRequestHeaders);
        }
    });
    refusal
}

/// Why the browser will refuse a preflight, or `None` if it will pass (see
/// [`Cors::explain_preflight`](crate::Cors::explain_preflight)).
pub(crate) fn explain(policy: &Policy, uri: &Uri, headers: &HeaderMap) -> Option<Refusal> {
    let head = Http1Head {
        method: &Method::OPTIONS,
        uri,
        headers,
    };
    // The lists alone: explaining is not deciding again, so neither the origin hook nor the
    // observer hears of it. An origin the lists refuse and the hook would be asked about is
    // unknown here; what the preflight asks for is still checked.
    let (answer, ask) = by_lists(policy, &head, &policy.values);
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
