//! The audit's reports: as text, a header (target, trusted origins, requests sent), then each
//! finding with its severity and id, the proof (`>` sent, `<` received), Chromium's verdict
//! and the fix for each server, then the tally; as JSON (`--json`), one object with `target`,
//! `trusted`, `requests_sent`, `findings` and `errors`. Secrets are hidden in both (the
//! evidence goes through check's redaction).

use std::fmt::Write;

use serde_json::{Value, json};

use super::Report;
use super::finding::{Finding, Severity};

/// The report as text.
pub(in crate::check) fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "audit of {}", report.target);
    let _ = writeln!(
        out,
        "  trusted (from {}): {}",
        report.trusted_from,
        report.trusted.join(", ")
    );
    let _ = writeln!(
        out,
        "  {} request(s) sent (GET and OPTIONS only), at most {}{}",
        report.requests_sent,
        report.max_requests,
        if report.left_out > 0 {
            format!(
                "; {} planned probe(s) left out: raise --max-requests to send them",
                report.left_out
            )
        } else {
            String::new()
        }
    );
    for finding in &report.findings {
        out.push('\n');
        finding_lines(&mut out, finding);
    }
    if !report.answered {
        let _ = writeln!(out, "\n! the API answered none of the audit's requests");
    } else if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "\n✓ no finding: no untrusted origin was allowed, and every answer was consistent"
        );
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "\nnot judged:");
        for error in &report.errors {
            let _ = writeln!(out, "  ! {error}");
        }
    }
    let _ = writeln!(out, "\n{}", tally(&report.findings));
    out
}

fn finding_lines(out: &mut String, finding: &Finding) {
    let _ = writeln!(
        out,
        "{} [{}] {}",
        finding.severity.as_str().to_ascii_uppercase(),
        finding.kind.id(),
        finding.summary
    );
    if finding.origins.len() > 1 {
        let _ = writeln!(out, "  origins: {}", finding.origins.join(", "));
    }
    for line in &finding.evidence {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(chromium) = &finding.chromium {
        let _ = writeln!(
            out,
            "  Chromium, for a page at {}: script reads the body: {}; with the user's cookies: {}",
            chromium.page,
            yes_no(chromium.reads_body),
            yes_no(chromium.with_cookies)
        );
        if let Some(message) = &chromium.message {
            let _ = writeln!(out, "    {message}");
        }
    }
    let _ = writeln!(out, "  fix:");
    for (server, text) in [
        ("corsair (TOML)", &finding.fix.corsair),
        ("django-cors-headers (settings.py)", &finding.fix.django),
        ("Starlette (CORSMiddleware)", &finding.fix.starlette),
        ("nginx", &finding.fix.nginx),
    ] {
        let _ = writeln!(out, "    {server}:");
        for line in text.lines() {
            let _ = writeln!(out, "      {line}");
        }
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// `1 high, 0 medium, 2 low, 0 info`.
fn tally(findings: &[Finding]) -> String {
    [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .iter()
    .map(|s| {
        format!(
            "{} {}",
            findings.iter().filter(|f| f.severity == *s).count(),
            s.as_str()
        )
    })
    .collect::<Vec<_>>()
    .join(", ")
}

/// The report as one JSON object.
pub(in crate::check) fn json(report: &Report) -> Value {
    json!({
        "target": report.target,
        "trusted": report.trusted,
        "trusted_from": report.trusted_from,
        "requests_sent": report.requests_sent,
        "max_requests": report.max_requests,
        "left_out": report.left_out,
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
        "errors": report.errors,
        "answered": report.answered,
    })
}

fn finding(finding: &Finding) -> Value {
    json!({
        "id": finding.kind.id(),
        "severity": finding.severity.as_str(),
        "summary": finding.summary,
        "origins": finding.origins,
        "evidence": finding.evidence,
        "chromium": finding.chromium.as_ref().map(|c| json!({
            "page": c.page,
            "reads_body": c.reads_body,
            "with_cookies": c.with_cookies,
            "message": c.message,
        })),
        "fix": {
            "corsair": finding.fix.corsair,
            "django": finding.fix.django,
            "starlette": finding.fix.starlette,
            "nginx": finding.fix.nginx,
        },
    })
}
