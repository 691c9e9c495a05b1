//! One log line per request: method, path, status, origin, what corsair decided, duration; and,
//! at debug level, why a CORS request was refused. The path and the origin are the client's
//! text: they are logged through [`loggable`] (control characters escaped, long values cut).

use std::time::Duration;

use corsair::{Cors, Decision, OriginVerdict, Refusal, RequestKind};
use http::header::ORIGIN;
use http::{HeaderMap, Method, Request, StatusCode, Uri};

use super::logging::loggable;

/// What corsair decided about a request, as logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AccessVerdict {
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

impl AccessVerdict {
    /// The word in the log line.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            AccessVerdict::Bypass => "bypass",
            AccessVerdict::NoOrigin => "no-origin",
            AccessVerdict::PreflightAllowed => "preflight-allowed",
            AccessVerdict::PreflightRefused => "preflight-refused",
            AccessVerdict::Allowed => "allowed",
            AccessVerdict::Refused => "refused",
        }
    }
}

/// The request's side of a log line, captured before it is forwarded.
#[derive(Debug)]
pub(super) struct AccessRecord {
    /// `None` when the access log is off, so that nothing is copied or explained for it.
    line: Option<Line>,
}

#[derive(Debug)]
struct Line {
    method: Method,
    path: String,
    origin: Option<String>,
    verdict: AccessVerdict,
    refusal: Option<Refusal>,
    /// The path of the route whose policy decided, if a route did.
    route: Option<String>,
}

impl AccessRecord {
    /// Captures the log line of a request and of the `decision` of `cors` (the policy that
    /// answers it), when the access log is on.
    pub(super) fn capture<B>(
        request: &Request<B>,
        cors: &Cors,
        decision: Option<&Decision>,
    ) -> AccessRecord {
        AccessRecord::capture_head(
            request.method(),
            request.uri().path(),
            request.headers(),
            cors,
            decision,
        )
    }

    /// Whether requests are written to the access log (its level is on).
    pub(super) fn logs_requests() -> bool {
        tracing::enabled!(target: "corsair::access", tracing::Level::INFO)
    }

    /// [`AccessRecord::capture`] of a request head given by its parts (the fast path's; its
    /// `headers` hold at least `Origin` and the `Access-Control-Request-*` lines). `target` is
    /// the request's path, or its origin-form target, whose query is not logged.
    pub(super) fn capture_head(
        method: &Method,
        target: &str,
        headers: &HeaderMap,
        cors: &Cors,
        decision: Option<&Decision>,
    ) -> AccessRecord {
        let logged = AccessRecord::logs_requests();
        let explained = tracing::enabled!(target: "corsair::cors", tracing::Level::DEBUG);
        AccessRecord::capture_with(method, target, headers, cors, decision, logged, explained)
    }

    /// [`AccessRecord::capture`] with the access log on or off, and the refusals' explanation
    /// (a preflight is decided again to tell which method or header is refused) on or off.
    fn capture_with(
        method: &Method,
        target: &str,
        headers: &HeaderMap,
        cors: &Cors,
        decision: Option<&Decision>,
        logged: bool,
        explained: bool,
    ) -> AccessRecord {
        if !logged {
            return AccessRecord { line: None };
        }
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        let kind_and_origin = decision.map(|d| (d.kind(), d.origin()));
        let (verdict, refusal) = match kind_and_origin {
            None | Some((RequestKind::Bypass, _)) => (AccessVerdict::Bypass, None),
            Some((_, OriginVerdict::Missing)) => (AccessVerdict::NoOrigin, None),
            Some((RequestKind::Preflight, _))
                if decision.and_then(|d| cors.refusal(d, headers)).is_none() =>
            {
                (AccessVerdict::PreflightAllowed, None)
            }
            Some((RequestKind::Preflight, _)) => {
                // The path of a request's `Uri`, or of a target the fast path took: a `Uri`.
                let refusal = explained
                    .then(|| path.parse::<Uri>().ok())
                    .flatten()
                    .and_then(|uri| cors.explain_preflight(&uri, headers));
                (AccessVerdict::PreflightRefused, refusal)
            }
            Some((RequestKind::Actual, OriginVerdict::Allowed)) => (AccessVerdict::Allowed, None),
            Some((RequestKind::Actual, OriginVerdict::Invalid)) => {
                (AccessVerdict::Refused, Some(Refusal::InvalidOrigin))
            }
            Some((_, _)) => (AccessVerdict::Refused, Some(Refusal::OriginNotAllowed)),
        };
        let origin = headers
            .get(ORIGIN)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        AccessRecord {
            line: Some(Line {
                method: method.clone(),
                path: path.to_owned(),
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

    /// Writes the line (and the refusal's reason at debug level), if the access log is on.
    pub(super) fn log(&self, status: StatusCode, elapsed: Duration) {
        let Some(line) = &self.line else {
            return;
        };
        let origin = loggable(line.origin.as_deref().unwrap_or("-"));
        let origin = origin.as_ref();
        let path = loggable(&line.path);
        let route = line.route.as_deref().unwrap_or("-");
        tracing::info!(
            target: "corsair::access",
            method = %line.method,
            path = %path,
            status = status.as_u16(),
            origin,
            cors = line.verdict.as_str(),
            route,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
        );
        if let Some(refusal) = &line.refusal {
            // It names the requested method or header, which are the client's text too.
            let reason = refusal.to_string();
            let reason = loggable(&reason);
            tracing::debug!(
                target: "corsair::cors",
                method = %line.method,
                path = %path,
                origin,
                reason = %reason,
                "CORS request refused",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::logging::tests::one_line;
    use super::*;

    /// Finding N18: a raw C1 control character (U+009B) in what the client sends reached the
    /// access log unescaped. Every byte a header value may hold that is not plain text, in the
    /// text and the JSON line.
    #[test]
    fn the_clients_text_is_logged_escaped_in_text_and_json() {
        let cors = Cors::builder()
            .allowed_origins(["https://app.example"])
            .build()
            .unwrap();
        let long = format!("https://{}.example", "a".repeat(8000));
        let table: [(&[u8], &str); 5] = [
            (
                b"https://app.example\xc2\x9b[2J",
                "https://app.example%C2%9B[2J",
            ),
            (b"https://app.example\t1", "https://app.example%091"),
            (
                b"https://app.example\xe2\x80\xae",
                "https://app.example%E2%80%AE",
            ),
            (b"https://app.example\x9b", "https://app.example\u{fffd}"),
            (long.as_bytes(), "...(+6992 bytes)"),
        ];
        for (origin, shown) in table {
            let request = Request::builder()
                .uri("/api/x")
                .header(ORIGIN, http::HeaderValue::from_bytes(origin).unwrap())
                .body(())
                .unwrap();
            let decision = cors
                .evaluate(request.method(), request.uri(), request.headers())
                .now();
            let record = AccessRecord::capture_with(
                request.method(),
                request.uri().path(),
                request.headers(),
                &cors,
                decision.as_ref(),
                true,
                true,
            );
            for json in [false, true] {
                let line = one_line(json, || record.log(StatusCode::OK, Duration::ZERO));
                // The access line, and the refusal's at debug level.
                assert!(line.contains(shown), "{json} {line:?}");
                assert_eq!(line.lines().count(), 2, "{line:?}");
                for line in line.lines() {
                    assert!(line.contains("corsair::"), "{line:?}");
                    assert!(!line.chars().any(char::is_control), "{line:?}");
                    assert!(line.len() < 2048, "{}", line.len());
                }
            }
        }
    }

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
            AccessVerdict,
            Option<Refusal>,
        );
        let table: [Case<'_>; 7] = [
            (
                "GET",
                "/static/x.js",
                &[("origin", "https://evil.example")],
                AccessVerdict::Bypass,
                None,
            ),
            ("GET", "/api/x", &[], AccessVerdict::NoOrigin, None),
            (
                "GET",
                "/api/x",
                &[("origin", "https://app.example")],
                AccessVerdict::Allowed,
                None,
            ),
            (
                "GET",
                "/api/x",
                &[("origin", "https://evil.example")],
                AccessVerdict::Refused,
                Some(Refusal::OriginNotAllowed),
            ),
            (
                "OPTIONS",
                "/api/x",
                &[
                    ("origin", "https://app.example"),
                    ("access-control-request-method", "PUT"),
                ],
                AccessVerdict::PreflightAllowed,
                None,
            ),
            (
                "OPTIONS",
                "/api/x?token=s3cret",
                &[
                    ("origin", "https://app.example"),
                    ("access-control-request-method", "DELETE"),
                ],
                AccessVerdict::PreflightRefused,
                Some(Refusal::MethodNotAllowed("DELETE".into())),
            ),
            (
                "OPTIONS",
                "/api/x",
                &[
                    ("origin", "https://evil.example"),
                    ("access-control-request-method", "PUT"),
                ],
                AccessVerdict::PreflightRefused,
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
            let record = AccessRecord::capture_with(
                request.method(),
                request.uri().path(),
                request.headers(),
                &cors,
                decision.as_ref(),
                true,
                true,
            );
            let line = record.line.as_ref().expect("the access log is on");
            assert_eq!(line.verdict, verdict, "{method} {path} {headers:?}");
            assert_eq!(
                line.refusal.as_ref(),
                refusal.as_ref(),
                "{method} {path} {headers:?}"
            );
            // The fast path's way in: the whole target, whose query is not logged.
            let target = request.uri().path_and_query().unwrap().as_str();
            let by_target = AccessRecord::capture_with(
                request.method(),
                target,
                request.headers(),
                &cors,
                decision.as_ref(),
                true,
                true,
            );
            let by_target = by_target.line.expect("the access log is on");
            assert_eq!(by_target.path, request.uri().path(), "{target}");
            assert_eq!(
                (by_target.verdict, by_target.refusal.as_ref()),
                (line.verdict, line.refusal.as_ref()),
                "{target}"
            );
            let quiet = AccessRecord::capture_with(
                request.method(),
                request.uri().path(),
                request.headers(),
                &cors,
                decision.as_ref(),
                false,
                false,
            );
            assert!(quiet.line.is_none());
        }
    }
}
