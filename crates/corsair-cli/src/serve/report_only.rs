//! The report-only candidate's differences: each request that the `[report_only]` policy would
//! decide differently from the enforced one is logged once, at warn level with the target
//! `corsair::report_only` (origin, method, path, route, both decisions, the reason), and
//! counted by `corsair_report_only_differences_total{reason}`. Answers always follow the
//! enforced policy; the engine decides the candidate beside it.

use corsair::{Observation, Outcome, RefusalKind, Summary};

use super::logging::loggable;

/// Every `reason` of a difference: what the candidate would decide. A refusal's kind when it
/// would refuse (where the enforced policy allows, or refuses for another reason); `allowed`
/// when it would allow what the enforced policy refuses (or leaves alone); `not_cors` when it
/// would not apply CORS where the enforced policy does (its `urls_regex`, or `enabled = false`).
pub(super) const REASONS: [&str; 7] = [
    "origin_not_allowed",
    "method_not_allowed",
    "header_not_allowed",
    "invalid_origin",
    "malformed_request_headers",
    "allowed",
    "not_cors",
];

/// The `reason` label of a difference, from what the candidate would decide.
pub(super) fn reason(candidate: &Summary) -> &'static str {
    match (candidate.outcome, candidate.refusal) {
        (Outcome::Refused, Some(refusal)) => refusal.as_str(),
        (Outcome::NotCors, _) => "not_cors",
        (Outcome::Allowed, _) => "allowed",
        // A refusal without a kind, or an outcome added to the engine later.
        (outcome, refusal) => refusal.map_or(outcome.as_str(), RefusalKind::as_str),
    }
}

/// Logs one difference.
pub(super) fn log(seen: &Observation<'_>, candidate: &Summary, reason: &str) {
    // The client's text, escaped and cut as every untrusted value logged.
    let origin = seen.origin().map(String::from_utf8_lossy);
    let origin = loggable(origin.as_deref().unwrap_or("-"));
    let method = loggable(seen.method().unwrap_or("-"));
    let path = loggable(seen.path().unwrap_or("-"));
    let route = seen.route().map_or("-", |(_, path)| path);
    let candidate_route = candidate.route.map_or_else(
        || "-".to_owned(),
        |index| format!("report_only.routes[{index}]"),
    );
    tracing::warn!(
        target: "corsair::report_only",
        origin = origin.as_ref(),
        method = method.as_ref(),
        path = path.as_ref(),
        route,
        enforced = %seen.decided(),
        candidate = %candidate,
        candidate_route,
        reason,
        "the report-only policy would decide differently",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn the_reason_is_what_the_candidate_would_decide() {
        let reasons = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&reasons);
        let cors = corsair::Cors::builder()
            .allowed_origins(["https://app.example", "https://old.example"])
            .allow_methods(["GET", "PUT"])
            .report_only(
                corsair::Cors::builder()
                    .allowed_origins(["https://app.example", "https://new.example"])
                    .allow_methods(["GET"])
                    .urls_regex("^/api/"),
            )
            .observer(move |o: &Observation<'_>| {
                if let Some(candidate) = o.candidate() {
                    seen.lock().unwrap().push(reason(&candidate));
                }
            })
            .build()
            .unwrap();
        let ask = |method: &str, path: &str, origin: &str, request_method: Option<&str>| {
            let mut headers = http::HeaderMap::new();
            headers.insert("origin", origin.parse().unwrap());
            if let Some(m) = request_method {
                headers.insert("access-control-request-method", m.parse().unwrap());
            }
            let _ = cors.evaluate(&method.parse().unwrap(), &path.parse().unwrap(), &headers);
        };
        ask("GET", "/api/x", "https://app.example", None);
        ask("GET", "/api/x", "https://old.example", None);
        ask("GET", "/api/x", "https://new.example", None);
        ask("OPTIONS", "/api/x", "https://app.example", Some("PUT"));
        ask("GET", "/static/x", "https://app.example", None);
        assert_eq!(
            *reasons.lock().unwrap(),
            [
                "origin_not_allowed",
                "allowed",
                "method_not_allowed",
                "not_cors"
            ]
        );
        for reason in reasons.lock().unwrap().iter() {
            assert!(REASONS.contains(reason), "{reason}");
        }
    }
}
