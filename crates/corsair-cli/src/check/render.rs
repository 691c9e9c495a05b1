//! The human-readable trace: each request with the headers that matter, each response with
//! ✓/✗ per check, the verdict, Chromium's message, the fix and the warnings.

use std::fmt::Write;

use corsair_browser::{BrowserRequest, Exchange, ExchangeKind, Outcome, Verdict};

use super::snippets;

/// Request headers not worth showing (the browser adds them to every request).
const ROUTINE_REQUEST_HEADERS: [&str; 4] =
    ["host", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest"];

/// The whole report.
pub(super) fn trace(request: &BrowserRequest, verdict: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} from a page at {} (credentials: {})",
        request.method(),
        request.url(),
        request.origin(),
        request.credentials().as_str()
    );
    if !request.is_cross_origin() {
        let _ = writeln!(
            out,
            "  same-origin: CORS does not apply unless a redirect leaves the origin"
        );
    } else if request.needs_preflight() {
        let _ = writeln!(out, "  needs a preflight: {}", preflight_reason(request));
    } else {
        let _ = writeln!(out, "  a simple request: no preflight");
    }
    for (i, exchange) in verdict.exchanges.iter().enumerate() {
        out.push('\n');
        exchange_lines(&mut out, i + 1, exchange);
    }
    out.push('\n');
    match &verdict.outcome {
        Outcome::Allowed(allowed) => {
            let _ = writeln!(
                out,
                "✓ allowed: the script gets the {} response",
                allowed.status
            );
            if allowed.cors {
                let _ = writeln!(
                    out,
                    "  readable response headers: {}",
                    if allowed.readable_headers.is_empty() {
                        "none".to_owned()
                    } else {
                        allowed.readable_headers.join(", ")
                    }
                );
            }
        }
        Outcome::Blocked(blocked) => {
            let _ = writeln!(out, "✗ blocked: Chromium's console says");
            let _ = writeln!(out, "  {}", blocked.message);
            if !blocked.advice.is_empty() {
                let _ = writeln!(out, "\nfix:");
            }
            let preflight = snippets::PreflightAsk::of(verdict);
            for advice in &blocked.advice {
                let _ = writeln!(out, "  - {}", advice.summary);
                let fix = advice.fix.as_ref();
                if let Some(snippets) = fix.and_then(|f| snippets::for_fix(f, preflight.as_ref())) {
                    for (server, text) in [
                        ("corsair (TOML)", &snippets.corsair),
                        ("django-cors-headers (settings.py)", &snippets.django),
                        ("nginx", &snippets.nginx),
                    ] {
                        let _ = writeln!(out, "    {server}:");
                        for line in text.lines() {
                            let _ = writeln!(out, "      {line}");
                        }
                    }
                }
            }
        }
    }
    if !verdict.warnings.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
        for warning in &verdict.warnings {
            let _ = writeln!(out, "  ! {} [{}]", warning.message, warning.id);
        }
    }
    out
}

fn preflight_reason(request: &BrowserRequest) -> String {
    let mut reasons = Vec::new();
    if !corsair::fetch::cors_safelisted_method::is_cors_safelisted_method(request.method()) {
        reasons.push(format!(
            "method {} is not GET, HEAD or POST",
            request.method()
        ));
    }
    let names = request.unsafe_header_names();
    if !names.is_empty() {
        reasons.push(format!(
            "header(s) {} are not CORS-safelisted",
            names.join(", ")
        ));
    }
    if *request.body() == corsair_browser::Body::Stream {
        reasons.push("a stream body always needs one".to_owned());
    }
    reasons.join("; ")
}

fn exchange_lines(out: &mut String, number: usize, exchange: &Exchange) {
    let kind = match exchange.kind {
        ExchangeKind::Preflight => "preflight",
        ExchangeKind::Main => "request",
    };
    let _ = writeln!(
        out,
        "{number}. {kind}: {} {}",
        exchange.method, exchange.url
    );
    for (name, value) in &exchange.request_headers {
        let routine = ROUTINE_REQUEST_HEADERS.contains(&name.as_str())
            || (name == "accept" && value == "*/*");
        if !routine {
            let _ = writeln!(out, "     {name}: {value}");
        }
    }
    let _ = writeln!(out, "   ← {}", status_line(exchange.status));
    if exchange.response_headers.is_empty() {
        let _ = writeln!(out, "     (no CORS headers)");
    }
    for (name, value) in &exchange.response_headers {
        let _ = writeln!(out, "     {name}: {value}");
    }
    for check in &exchange.checks {
        let mark = if check.passed { '✓' } else { '✗' };
        let _ = writeln!(out, "   {mark} {}: {}", check.name.label(), check.detail);
    }
}

fn status_line(status: u16) -> String {
    match http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}
