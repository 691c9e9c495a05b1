//! The human-readable reports: for one request, each request sent with the headers that
//! matter, each response with ✓/✗ per check, the verdict, Chromium's message, the fix and the
//! warnings; for a recorded session, one line per request and the full report of each blocked
//! one.

use std::collections::BTreeSet;
use std::fmt::Write;

use corsair_browser::{BrowserRequest, Exchange, ExchangeKind, Outcome, Verdict, Warning};

use super::judgement::Judgement;
use super::redact;
use super::session::{Checked, Session};
use super::snippets;

/// Request headers not worth showing (the browser adds them to every request).
const ROUTINE_REQUEST_HEADERS: [&str; 4] =
    ["host", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest"];

/// The whole report on one request; `notes` are shown under its first line (how it was
/// judged, what was assumed).
pub(super) fn trace(request: &BrowserRequest, judgement: &Judgement, notes: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} from a page at {} (credentials: {})",
        request.method(),
        request.url(),
        request.origin(),
        request.credentials().as_str()
    );
    for note in notes {
        let _ = writeln!(out, "  {note}");
    }
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
    match judgement {
        Judgement::Verdict {
            verdict,
            decided_by,
        } => {
            if let Some(rules) = decided_by {
                let _ = writeln!(out, "  decided by {rules} of the configuration");
            }
            verdict_lines(&mut out, verdict);
        }
        Judgement::Bypassed { reason, warnings } => {
            let _ = writeln!(out, "\n↷ bypassed: {reason}");
            warning_lines(&mut out, warnings);
        }
    }
    out
}

/// The exchanges, the outcome and the warnings of a verdict.
fn verdict_lines(out: &mut String, verdict: &Verdict) {
    for (i, exchange) in verdict.exchanges.iter().enumerate() {
        out.push('\n');
        exchange_lines(out, i + 1, exchange);
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
                        ("Starlette (CORSMiddleware)", &snippets.starlette),
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
    warning_lines(out, &verdict.warnings);
}

fn warning_lines(out: &mut String, warnings: &[Warning]) {
    if !warnings.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
        for warning in warnings {
            let _ = writeln!(out, "  ! {} [{}]", warning.message, warning.id);
        }
    }
}

/// The report on a recorded session: one line per request, the tally, the notes, then the
/// full report of each request that is blocked or could not be judged.
pub(super) fn session(session: &Session) -> String {
    let mut out = String::new();
    let creator = if session.creator.is_empty() {
        String::new()
    } else {
        format!(", recorded by {}", session.creator)
    };
    let _ = writeln!(
        out,
        "{}: {} cross-origin request(s) by scripts among {} entries{creator}",
        session.file,
        session.requests.len(),
        session.entries
    );
    let _ = writeln!(out, "judged {}\n", session.judged);
    // Local Network Access is explained once per page and target, whatever the verdict.
    let mut explained = BTreeSet::new();
    for checked in &session.requests {
        let _ = writeln!(out, "{}", summary_line(checked));
        let warnings = checked
            .outcome
            .as_ref()
            .map_or(&[][..], Judgement::warnings);
        let pair = checked.request.as_ref().map(|request| {
            (
                request.origin(),
                request.url().origin().ascii_serialization(),
            )
        });
        for warning in warnings.iter().filter(|w| w.id == "local-network-access") {
            if explained.insert(pair.clone()) {
                let _ = writeln!(out, "    ! {} [{}]", warning.message, warning.id);
            }
        }
    }
    let count = |name: &str| {
        session
            .requests
            .iter()
            .filter(|c| c.verdict_name() == name)
            .count()
    };
    let _ = write!(
        out,
        "\n{} allowed, {} blocked, {} bypassed",
        count("allowed"),
        count("blocked"),
        count("bypassed")
    );
    let errors = count("error");
    if errors > 0 {
        let _ = write!(out, ", {errors} not judged");
    }
    out.push('\n');
    if !session.notes.is_empty() {
        let _ = writeln!(out, "\nnotes:");
        for note in &session.notes {
            let _ = writeln!(out, "  {note}");
        }
    }
    for checked in &session.requests {
        let name = checked.verdict_name();
        if name != "blocked" && name != "error" {
            continue;
        }
        let recorded = &checked.recorded;
        let _ = writeln!(
            out,
            "\n── log.entries[{}]: {} {}: {name}",
            recorded.entry, recorded.method, recorded.url
        );
        let _ = writeln!(out, "recorded: {}", recorded_outcome(checked));
        let assumed: Vec<String> = checked
            .assumptions()
            .into_iter()
            .map(|a| format!("assumed: {a}"))
            .collect();
        match (&checked.request, &checked.outcome) {
            (Some(request), Ok(judgement)) => out.push_str(&trace(request, judgement, &assumed)),
            (_, Err(error)) => {
                for line in &assumed {
                    let _ = writeln!(out, "  {line}");
                }
                let _ = writeln!(out, "! not judged: {error}");
            }
            (None, Ok(_)) => {}
        }
    }
    out
}

/// `✓ GET URL`, `✗ PUT URL — <the first sentence of Chromium's message>`, ...
fn summary_line(checked: &Checked) -> String {
    let recorded = &checked.recorded;
    let what = format!("{} {}", recorded.method, recorded.url);
    match &checked.outcome {
        Ok(Judgement::Verdict { verdict, .. }) => match verdict.message() {
            None => format!("✓ {what}"),
            Some(message) => format!("✗ {what} — {}", first_sentence(message)),
        },
        Ok(Judgement::Bypassed { reason, .. }) => format!(
            "↷ {what} — bypassed: {}",
            reason.split(':').next().unwrap_or(reason)
        ),
        Err(error) => format!("! {what} — not judged: {error}"),
    }
}

/// What the recording says happened.
fn recorded_outcome(checked: &Checked) -> String {
    use corsair_browser::har::RecordedOutcome;
    let recorded = &checked.recorded;
    let mut text = match &recorded.outcome {
        RecordedOutcome::Response { status } => format!("status {status}"),
        RecordedOutcome::Failed { error } => format!(
            "no response ({})",
            error.as_deref().unwrap_or("blocked or failed")
        ),
        _ => "unknown".to_owned(),
    };
    if let Some(preflight) = recorded.preflight {
        let status = preflight
            .status
            .map_or_else(|| "no response".to_owned(), |s| s.to_string());
        text.push_str(&format!(
            "; preflight log.entries[{}]: {status}",
            preflight.entry
        ));
    }
    text
}

/// The message up to the end of its first sentence (URLs and origins in it hold no `. `).
pub(super) fn first_sentence(message: &str) -> &str {
    match message.find(". ") {
        Some(end) => &message[..=end],
        None => message,
    }
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
            let _ = writeln!(out, "     {name}: {}", redact::header_value(name, value));
        }
    }
    let _ = writeln!(out, "   ← {}", status_line(exchange.status));
    if exchange.response_headers.is_empty() {
        let _ = writeln!(out, "     (no CORS headers)");
    }
    for (name, value) in &exchange.response_headers {
        let _ = writeln!(out, "     {name}: {}", redact::header_value(name, value));
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
