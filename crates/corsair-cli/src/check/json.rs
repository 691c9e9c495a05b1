//! `--json`: for one request, one object on stdout with the keys `verdict` (`allowed`,
//! `blocked`, `bypassed` or `error`), `message`, `preflight`, `steps`, `advice` and `warnings`
//! (a contract scripts and the browser suite rely on), plus `decided_by` (and `reason` when
//! bypassed) when judged offline; for a recorded session, `{"requests": [...]}` with one
//! object per request (`method`, `url`, `origin`, `verdict`, `message`, `fix`, ...).

use corsair_browser::{BrowserRequest, Exchange, Outcome, Verdict, Warning};
use serde_json::{Value, json};

use super::judgement::Judgement;
use super::redact;
use super::session::{Checked, Session};
use super::snippets;

/// The object for one judged request.
pub(super) fn judgement(request: &BrowserRequest, judgement: &Judgement) -> Value {
    match judgement {
        Judgement::Verdict {
            verdict: v,
            decided_by,
        } => {
            let mut object = verdict(v);
            if let Some(rules) = decided_by {
                object["decided_by"] = json!(rules);
            }
            object
        }
        Judgement::Bypassed { reason, warnings } => json!({
            "verdict": "bypassed",
            "message": null,
            "preflight": request.is_cross_origin() && request.needs_preflight(),
            "steps": [],
            "advice": [],
            "warnings": warnings_of(warnings),
            "decided_by": null,
            "reason": reason,
        }),
    }
}

/// The object for a recorded session: each request with its verdict, Chromium's message and
/// the fix, and what was assumed to judge it.
pub(super) fn session(session: &Session) -> Value {
    json!({
        "file": session.file,
        "judged": session.judged,
        "entries": session.entries,
        "notes": session.notes,
        "requests": session.requests.iter().map(checked).collect::<Vec<_>>(),
    })
}

fn checked(checked: &Checked) -> Value {
    let recorded = &checked.recorded;
    let origin = recorded.page_origin.as_ref().map(|p| p.origin.as_str());
    let (message, fix, warnings, decided_by, error) = match &checked.outcome {
        Ok(Judgement::Verdict {
            verdict,
            decided_by,
        }) => (
            verdict.message().map(str::to_owned),
            fixes(verdict),
            warnings_of(&verdict.warnings),
            decided_by.clone(),
            None,
        ),
        Ok(Judgement::Bypassed { reason, warnings }) => (
            None,
            Vec::new(),
            warnings_of(warnings),
            None,
            Some(reason.clone()),
        ),
        Err(error) => (None, Vec::new(), Vec::new(), None, Some(error.clone())),
    };
    json!({
        "entry": recorded.entry,
        "method": recorded.method,
        "url": recorded.url,
        "origin": origin,
        "verdict": checked.verdict_name(),
        "message": message,
        "fix": fix,
        "credentials": checked.credentials.as_str(),
        "assumptions": checked.assumptions(),
        "warnings": warnings,
        "decided_by": decided_by,
        "reason": error,
    })
}

/// The advice of a blocked verdict, each with its configuration snippets.
fn fixes(verdict: &Verdict) -> Vec<Value> {
    let Outcome::Blocked(blocked) = &verdict.outcome else {
        return Vec::new();
    };
    let preflight = snippets::PreflightAsk::of(verdict);
    blocked
        .advice
        .iter()
        .map(|a| advice(a, preflight.as_ref()))
        .collect()
}

fn warnings_of(warnings: &[Warning]) -> Vec<Value> {
    warnings
        .iter()
        .map(|w| json!({ "id": w.id, "message": w.message }))
        .collect()
}

/// The object for a verdict.
fn verdict(verdict: &Verdict) -> Value {
    let name = if verdict.is_allowed() {
        "allowed"
    } else {
        "blocked"
    };
    let advice = fixes(verdict);
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
        "warnings": warnings_of(&verdict.warnings),
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
        headers
            .iter()
            .map(|(n, v)| json!([n, redact::header_value(n, v)]))
            .collect()
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
        "starlette": snippets.as_ref().map(|s| &s.starlette),
        "nginx": snippets.as_ref().map(|s| &s.nginx),
    })
}
