//! One log line per request: method, path, status, origin, what corsair decided, duration; and,
//! at debug level, why a CORS request was refused.

use std::time::Duration;

use corsair::{Cors, Decision, OriginVerdict, Refusal, RequestKind};
use http::header::ORIGIN;
use http::{Method, Request, StatusCode};

/// What corsair decided about a request, as logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The path is outside `urls_regex`.
    Bypass,
    /// No `Origin`: not a CORS request.
    NoOrigin,
    /// A preflight that the browser will accept.
    PreflightAllowed,
    /// A preflight that the browser will refuse.
    PreflightRefused,
    /// An actual request from an allowed origin.
    Allowed,
    /// An actual request from an origin that is not allowed (or not valid).
    Refused,
}

impl Verdict {
    /// The word in the log line.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Bypass => "bypass",
            Verdict::NoOrigin => "no-origin",
            Verdict::PreflightAllowed => "preflight-allowed",
            Verdict::PreflightRefused => "preflight-refused",
            Verdict::Allowed => "allowed",
            Verdict::Refused => "refused",
        }
    }
}

/// The request's side of a log line, captured before it is forwarded.
#[derive(Debug)]
pub struct AccessRecord {
    cors_path: bool,
    /// `None` when the access log is off, so that nothing is copied or explained for it.
    line: Option<Line>,
}

#[derive(Debug)]
struct Line {
    method: Method,
    path: String,
    origin: Option<String>,
    verdict: Verdict,
    refusal: Option<Refusal>,
    /// The path of the route whose policy decided, if a route did.
    route: Option<String>,
}

impl AccessRecord {
    /// Records whether the request is on a CORS path, from the `decision` of `cors` (the policy
    /// that answers it), and captures its log line when the access log is on.
    pub fn capture<B>(
        request: &Request<B>,
        cors: &Cors,
        decision: Option<&Decision>,
    ) -> AccessRecord {
        let logged = tracing::enabled!(target: "corsair::access", tracing::Level::INFO);
        let explained = tracing::enabled!(target: "corsair::cors", tracing::Level::DEBUG);
        AccessRecord::capture_with(request, cors, decision, logged, explained)
    }

    /// [`AccessRecord::capture`] with the access log on or off, and the refusals' explanation
    /// (a preflight is decided again to tell which method or header is refused) on or off.
    fn capture_with<B>(
        request: &Request<B>,
        cors: &Cors,
        decision: Option<&Decision>,
        logged: bool,
        explained: bool,
    ) -> AccessRecord {
        let (method, uri, headers) = (request.method(), request.uri(), request.headers());
        let kind_and_origin = decision.map(|d| (d.kind(), d.origin()));
        let cors_path = !matches!(kind_and_origin, None | Some((RequestKind::Bypass, _)));
        if !logged {
            return AccessRecord {
                cors_path,
                line: None,
            };
        }
        let (verdict, refusal) = match kind_and_origin {
            None | Some((RequestKind::Bypass, _)) => (Verdict::Bypass, None),
            Some((_, OriginVerdict::Missing)) => (Verdict::NoOrigin, None),
            Some((RequestKind::Preflight, _)) if decision.and_then(Decision::refusal).is_none() => {
                (Verdict::PreflightAllowed, None)
            }
            Some((RequestKind::Preflight, _)) => {
                let refusal = explained
                    .then(|| cors.explain_preflight(uri, headers))
                    .flatten();
                (Verdict::PreflightRefused, refusal)
            }
            Some((RequestKind::Actual, OriginVerdict::Allowed)) => (Verdict::Allowed, None),
            Some((RequestKind::Actual, OriginVerdict::Invalid)) => {
                (Verdict::Refused, Some(Refusal::InvalidOrigin))
            }
            Some((_, _)) => (Verdict::Refused, Some(Refusal::OriginNotAllowed)),
        };
        let origin = headers
            .get(ORIGIN)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        AccessRecord {
            cors_path,
            line: Some(Line {
                method: method.clone(),
                path: uri.path().to_owned(),
                origin,
                verdict,
                refusal,
                route: decision
                    .and_then(Decision::route)
                    .and_then(|index| cors.routes().nth(index))
                    .map(|route| route.path().to_owned()),
            }),
        }
    }

    /// Whether the request is on a CORS path (inside `urls_regex`).
    pub fn is_cors_path(&self) -> bool {
        self.cors_path
    }

    /// Writes the line (and the refusal's reason at debug level), if the access log is on.
    pub fn log(&self, status: StatusCode, elapsed: Duration) {
        let Some(line) = &self.line else {
            return;
        };
        let origin = line.origin.as_deref().unwrap_or("-");
        let route = line.route.as_deref().unwrap_or("-");
        tracing::info!(
            target: "corsair::access",
            method = %line.method,
            path = %line.path,
            status = status.as_u16(),
            origin,
            cors = line.verdict.as_str(),
            route,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
        );
        if let Some(refusal) = &line.refusal {
            tracing::debug!(
                target: "corsair::cors",
                method = %line.method,
                path = %line.path,
                origin,
                reason = %refusal,
                "CORS request refused",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_policy() {
        let cors = Cors::builder()
            .allowed_origins(["https://app.example"])
            .allow_methods(["GET", "PUT"])
            .urls_regex("^/api/")
            .build()
            .unwrap();
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a [(&'a str, &'a str)],
            Verdict,
            Option<Refusal>,
        );
        let table: [Case<'_>; 7] = [
            (
                "GET",
                "/static/x.js",
                &[("origin", "https://evil.example")],
                Verdict::Bypass,
                None,
            ),
            ("GET", "/api/x", &[], Verdict::NoOrigin, None),
            (
                "GET",
                "/api/x",
                &[("origin", "https://app.example")],
                Verdict::Allowed,
                None,
            ),
            (
                "GET",
                "/api/x",
                &[("origin", "https://evil.example")],
                Verdict::Refused,
                Some(Refusal::OriginNotAllowed),
            ),
            (
                "OPTIONS",
                "/api/x",
                &[
                    ("origin", "https://app.example"),
                    ("access-control-request-method", "PUT"),
                ],
                Verdict::PreflightAllowed,
                None,
            ),
            (
                "OPTIONS",
                "/api/x",
                &[
                    ("origin", "https://app.example"),
                    ("access-control-request-method", "DELETE"),
                ],
                Verdict::PreflightRefused,
                Some(Refusal::MethodNotAllowed("DELETE".into())),
            ),
            (
                "OPTIONS",
                "/api/x",
                &[
                    ("origin", "https://evil.example"),
                    ("access-control-request-method", "PUT"),
                ],
                Verdict::PreflightRefused,
                Some(Refusal::OriginNotAllowed),
            ),
        ];
        for (method, path, headers, verdict, refusal) in table {
            let mut request = Request::builder().method(method).uri(path);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let request = request.body(()).unwrap();
            let decision = cors
                .evaluate(request.method(), request.uri(), request.headers())
                .now();
            let record = AccessRecord::capture_with(&request, &cors, decision.as_ref(), true, true);
            assert_eq!(record.is_cors_path(), verdict != Verdict::Bypass);
            let line = record.line.as_ref().expect("the access log is on");
            assert_eq!(line.verdict, verdict, "{method} {path} {headers:?}");
            assert_eq!(
                line.refusal.as_ref(),
                refusal.as_ref(),
                "{method} {path} {headers:?}"
            );
            let quiet =
                AccessRecord::capture_with(&request, &cors, decision.as_ref(), false, false);
            assert_eq!(quiet.is_cors_path(), record.is_cors_path());
            assert!(quiet.line.is_none());
        }
    }
}
