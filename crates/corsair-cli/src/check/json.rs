//! `--json`: one object on stdout with exactly the keys `verdict`, `message`, `preflight`,
//! `steps`, `advice` and `warnings` (a contract scripts and the browser suite rely on).

use corsair_browser::{Exchange, Outcome, Verdict};
use serde_json::{Value, json};

use super::snippets;

/// The object for a verdict.
pub(super) fn verdict(verdict: &Verdict) -> Value {
    let (name, advice) = match &verdict.outcome {
        Outcome::Allowed(_) => ("allowed", Vec::new()),
        Outcome::Blocked(blocked) => {
            let preflight = snippets::PreflightAsk::of(verdict);
            let advice = blocked
                .advice
                .iter()
                .map(|a| advice(a, preflight.as_ref()))
                .collect();
            ("blocked", advice)
        }
    };
    let failing = match &verdict.outcome {
        Outcome::Blocked(blocked) => blocked.exchange.zip(Some(blocked.failure.code())),
        Outcome::Allowed(_) => None,
    };
    let steps: Vec<Value> = verdict
        .exchanges
        .iter()
        .enumerate()
        .map(|(i, e)| step(e, failing.filter(|(at, _)| *at == i).map(|(_, code)| code)))
        .collect();
    json!({
        "verdict": name,
        "message": verdict.message(),
        "preflight": verdict.preflighted,
        "steps": steps,
        "advice": advice,
        "warnings": verdict
            .warnings
            .iter()
            .map(|w| json!({ "id": w.id, "message": w.message }))
            .collect::<Vec<_>>(),
    })
}

/// The object for an error (no verdict could be reached). Chromium prints no CORS message for
/// a network error, so `message` is null; the error is the only step.
pub(super) fn error(description: &str, preflighted: bool) -> Value {
    json!({
        "verdict": "error",
        "message": null,
        "preflight": preflighted,
        "steps": [{ "error": description }],
        "advice": [],
        "warnings": [],
    })
}

fn step(exchange: &Exchange, failure_code: Option<&str>) -> Value {
    let pairs = |headers: &[(String, String)]| -> Vec<Value> {
        headers.iter().map(|(n, v)| json!([n, v])).collect()
    };
    json!({
        "kind": exchange.kind.as_str(),
        "method": exchange.method,
        "url": exchange.url,
        "request_headers": pairs(&exchange.request_headers),
        "status": exchange.status,
        "response_headers": pairs(&exchange.response_headers),
        "checks": exchange.checks.iter().map(|c| json!({
            "check": c.name.label(),
            "ok": c.passed,
            "detail": c.detail,
        })).collect::<Vec<_>>(),
        "failure": failure_code,
    })
}

fn advice(advice: &corsair_browser::Advice, preflight: Option<&snippets::PreflightAsk>) -> Value {
    let snippets = advice
        .fix
        .as_ref()
        .and_then(|fix| snippets::for_fix(fix, preflight));
    json!({
        "summary": advice.summary,
        "corsair": snippets.as_ref().map(|s| &s.corsair),
        "django": snippets.as_ref().map(|s| &s.django),
        "nginx": snippets.as_ref().map(|s| &s.nginx),
    })
}
