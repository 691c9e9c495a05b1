//! Findings from the responses: for each attacker's origin, whether Chromium lets its page read
//! the body (with the user's cookies, or without) because the API named that origin; then the
//! answers that are wrong whoever asks (`*` with credentials, a missing `Vary: Origin`, a
//! credentialed preflight that allows any method or header). A finding that another one
//! explains is left out: an API that echoes any origin also echoes the prefixed ones.

use std::collections::BTreeMap;

use corsair_browser::{Outcome, Verdict};

use super::super::redact;
use super::exchange::{ANY_HEADER, ANY_METHOD, Sent, StepResult};
use super::finding::{Chromium, Finding, Kind, Severity};
use super::plan::StepKind;
use super::probes::{Probe, ProbeClass};
use crate::check::snippets;

/// The response headers shown as evidence.
const EVIDENCE_HEADERS: [&str; 6] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "vary",
    "location",
];

/// The request headers shown as evidence.
const EVIDENCE_REQUEST_HEADERS: [&str; 5] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "cookie",
    "authorization",
];

/// The findings of an audit of an API trusting `trusted`, from the `results` of its steps.
pub(in crate::check) fn classify(
    trusted: &[String],
    probes: &[Probe],
    results: &[StepResult],
) -> Vec<Finding> {
    let mut findings = origin_findings(trusted, probes, results);
    findings.extend(wildcard_with_credentials(trusted, results));
    findings.extend(missing_vary(trusted, results));
    findings.extend(any_preflight(trusted, results));
    findings.sort_by_key(|f| (std::cmp::Reverse(f.severity), f.kind));
    findings
}

/// The kind of finding an allowed probe of `class` is, if any.
fn kind_of(class: ProbeClass) -> Option<Kind> {
    Some(match class {
        ProbeClass::Unrelated => Kind::ReflectsAnyOrigin,
        ProbeClass::Null => Kind::TrustsNull,
        ProbeClass::Prefix => Kind::PrefixMatch,
        ProbeClass::Suffix => Kind::SuffixMatch,
        ProbeClass::UnescapedDot => Kind::UnescapedDot,
        ProbeClass::SpecialCharacter => Kind::SpecialCharacters,
        ProbeClass::HttpTwin => Kind::TrustsHttpOrigin,
        ProbeClass::DeeperSubdomain => Kind::AnySubdomain,
        // The same server under another name: nothing an attacker can serve.
        ProbeClass::Trusted | ProbeClass::TrailingDot => return None,
    })
}

/// What an attacker's page at one origin could do, and the step that shows it.
struct Reach<'r> {
    with_cookies: bool,
    reads_body: bool,
    proof: &'r StepResult,
}

/// Whether a verdict let the page read a response that named its origin (not `*`).
fn read_by_name(verdict: Option<&Verdict>, origin: &str) -> bool {
    let Some(verdict) = verdict else {
        return false;
    };
    let Outcome::Allowed(allowed) = &verdict.outcome else {
        return false;
    };
    allowed.cors
        && verdict.exchanges.last().is_some_and(|e| {
            e.response_headers
                .iter()
                .any(|(n, v)| n == "access-control-allow-origin" && v.trim() == origin)
        })
}

/// How far each probe origin got.
fn reach<'r>(origin: &str, results: &'r [StepResult]) -> Option<Reach<'r>> {
    let steps = results.iter().filter(|r| {
        r.origin == origin && matches!(r.kind, StepKind::Simple | StepKind::Preflighted)
    });
    let mut best: Option<Reach<'r>> = None;
    for step in steps {
        let with_cookies = read_by_name(step.include.as_ref(), origin);
        let reads_body = with_cookies || read_by_name(step.omit.as_ref(), origin);
        let better = match &best {
            None => reads_body,
            Some(b) => with_cookies && !b.with_cookies,
        };
        if better {
            best = Some(Reach {
                with_cookies,
                reads_body,
                proof: step,
            });
        }
    }
    best
}

fn origin_findings(trusted: &[String], probes: &[Probe], results: &[StepResult]) -> Vec<Finding> {
    let mut by_kind: BTreeMap<Kind, (Reach<'_>, Vec<String>)> = BTreeMap::new();
    for probe in probes {
        let Some(kind) = kind_of(probe.class) else {
            continue;
        };
        let Some(found) = reach(&probe.origin, results) else {
            continue;
        };
        if kind == Kind::AnySubdomain && !found.with_cookies {
            continue;
        }
        match by_kind.get_mut(&kind) {
            Some((first, origins)) => {
                origins.push(probe.origin.clone());
                if found.with_cookies && !first.with_cookies {
                    *first = found;
                }
            }
            None => {
                by_kind.insert(kind, (found, vec![probe.origin.clone()]));
            }
        }
    }
    // An API that echoes any origin echoes every probe: the one finding says it all (`null`
    // stays: its fix is of its own). A prefix match explains the special characters.
    if by_kind.contains_key(&Kind::ReflectsAnyOrigin) {
        by_kind.retain(|k, _| matches!(k, Kind::ReflectsAnyOrigin | Kind::TrustsNull));
    }
    if by_kind.contains_key(&Kind::PrefixMatch) {
        by_kind.remove(&Kind::SpecialCharacters);
    }
    by_kind
        .into_iter()
        .map(|(kind, (found, origins))| {
            let severity = match (kind, found.with_cookies) {
                (Kind::AnySubdomain, _) => Severity::Low,
                (_, true) => Severity::High,
                (_, false) => Severity::Medium,
            };
            let page = found.proof.origin.clone();
            let reads = if found.with_cookies {
                "reads responses with the user's cookies"
            } else {
                "reads responses (without the user's cookies)"
            };
            let summary = match kind {
                Kind::ReflectsAnyOrigin => format!(
                    "the API echoes any Origin: a page on any site ({page}) {reads}"
                ),
                Kind::TrustsNull => format!(
                    "the API allows the origin `null`, which any site can take (a sandboxed iframe): its page {reads}"
                ),
                Kind::AnySubdomain => format!(
                    "the API allows any subdomain with credentials ({page}): a subdomain taken over or with an XSS flaw {reads}"
                ),
                _ => format!(
                    "the API allows {} ({page}), a site an attacker can register: its page {reads}",
                    probe_class_of(kind).map_or("an untrusted origin", ProbeClass::describe)
                ),
            };
            Finding {
                kind,
                severity,
                summary,
                origins,
                evidence: evidence(&found.proof.sent, found.proof.sent.len()),
                chromium: Some(chromium(found.proof, found.reads_body, found.with_cookies)),
                fix: snippets::for_audit(kind, trusted, found.with_cookies),
            }
        })
        .collect()
}

/// The probe class a kind of finding comes from.
fn probe_class_of(kind: Kind) -> Option<ProbeClass> {
    ProbeClass::ALL
        .into_iter()
        .find(|c| kind_of(*c) == Some(kind))
}

/// Chromium's verdict for the page of `step`.
fn chromium(step: &StepResult, reads_body: bool, with_cookies: bool) -> Chromium {
    Chromium {
        page: step.origin.clone(),
        reads_body,
        with_cookies,
        message: step
            .include
            .as_ref()
            .and_then(|v| v.message())
            .map(str::to_owned),
    }
}

/// `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`.
fn wildcard_with_credentials(trusted: &[String], results: &[StepResult]) -> Option<Finding> {
    let (step, at) = results.iter().find_map(|step| {
        step.sent
            .iter()
            .position(|s| {
                s.response("access-control-allow-origin").as_deref() == Some("*")
                    && s.response("access-control-allow-credentials")
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
            })
            .map(|at| (step, at))
    })?;
    Some(Finding {
        kind: Kind::WildcardWithCredentials,
        severity: Severity::Low,
        summary: "the API answers `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`: browsers refuse that pair, so every credentialed call fails (the API is broken for them, not open)".to_owned(),
        origins: vec![step.origin.clone()],
        evidence: evidence(&step.sent, at + 1),
        chromium: Some(Chromium {
            page: step.origin.clone(),
            reads_body: step.omit.as_ref().is_some_and(Verdict::is_allowed),
            with_cookies: step.include.as_ref().is_some_and(Verdict::is_allowed),
            message: step
                .include
                .as_ref()
                .and_then(|v| v.message())
                .map(str::to_owned),
        }),
        fix: snippets::for_audit(Kind::WildcardWithCredentials, trusted, true),
    })
}

/// An `Access-Control-Allow-Origin` that depends on the origin, on a response without
/// `Vary: Origin` (GET responses only: shared caches do not store preflights).
fn missing_vary(trusted: &[String], results: &[StepResult]) -> Option<Finding> {
    let answers: Vec<(&StepResult, &Sent)> = results
        .iter()
        // The same kind of request each time (with the cookie), so that only the origin differs.
        .filter(|r| r.kind == StepKind::Simple)
        .filter_map(|r| r.sent.iter().find(|s| !s.preflight).map(|s| (r, s)))
        .collect();
    let value = |s: &Sent| s.response("access-control-allow-origin");
    let mut values: Vec<Option<String>> = answers.iter().map(|(_, s)| value(s)).collect();
    values.sort();
    values.dedup();
    if values.len() < 2 {
        return None;
    }
    let varies = |s: &Sent| {
        s.response("vary").is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("origin") || t.trim() == "*")
        })
    };
    // A response that names an origin without Vary is the clearest proof; one without the
    // header is stored and served to a trusted page just the same.
    let named = answers
        .iter()
        .find(|(_, s)| value(s).is_some_and(|v| v != "*") && !varies(s));
    let (step, sent) = named.or_else(|| answers.iter().find(|(_, s)| !varies(s)))?;
    let other = answers
        .iter()
        .find(|(_, s)| value(s) != value(sent))
        .map(|(_, s)| *s);
    let mut lines = evidence(std::slice::from_ref(*sent), 1);
    if let Some(other) = other {
        lines.extend(evidence(std::slice::from_ref(other), 1));
    }
    Some(Finding {
        kind: Kind::MissingVary,
        severity: Severity::Medium,
        summary: format!(
            "Access-Control-Allow-Origin depends on the Origin, but the response to {} has no `Vary: Origin`: a shared cache (a CDN, a proxy) can serve one origin's answer to another",
            step.origin
        ),
        origins: vec![step.origin.clone()],
        evidence: lines,
        chromium: None,
        fix: snippets::for_audit(Kind::MissingVary, trusted, false),
    })
}

/// A credentialed preflight asking for any method or any header, passed.
fn any_preflight(trusted: &[String], results: &[StepResult]) -> Vec<Finding> {
    results
        .iter()
        .filter(|r| r.preflight_passed)
        .filter_map(|step| {
            let (kind, what) = match step.kind {
                StepKind::AnyMethod => (
                    Kind::PreflightAllowsAnyMethod,
                    format!("the method {ANY_METHOD}"),
                ),
                StepKind::AnyHeader => (
                    Kind::PreflightAllowsAnyHeader,
                    format!("the header {ANY_HEADER}"),
                ),
                _ => return None,
            };
            let untrusted = !trusted.contains(&step.origin);
            Some(Finding {
                kind,
                severity: if untrusted { Severity::High } else { Severity::Low },
                summary: format!(
                    "a credentialed preflight from {} for {what}, which no API needs, passes: the API allows whatever a page asks for{}",
                    step.origin,
                    if untrusted {
                        ", to an untrusted page, with the user's cookies"
                    } else {
                        ""
                    }
                ),
                origins: vec![step.origin.clone()],
                evidence: evidence(&step.sent, step.sent.len()),
                // The preflight is as far as the audit goes: the method is never sent.
                chromium: None,
                fix: snippets::for_audit(kind, trusted, true),
            })
        })
        .collect()
}

/// The lines that show the first `count` requests of `sent`: `> ` for what was sent, `< ` for
/// what came back, only the headers that matter to CORS, secrets hidden.
pub(in crate::check) fn evidence(sent: &[Sent], count: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for s in sent.iter().take(count) {
        lines.push(format!("> {} {}", s.method, s.url));
        for (name, value) in &s.request_headers {
            if EVIDENCE_REQUEST_HEADERS.contains(&name.as_str()) {
                lines.push(format!("> {name}: {}", redact::header_value(name, value)));
            }
        }
        lines.push(format!("< {}", s.status));
        for name in EVIDENCE_HEADERS {
            for value in s.response_headers.get_all(name) {
                let value = String::from_utf8_lossy(value.as_bytes());
                lines.push(format!("< {name}: {}", redact::header_value(name, &value)));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests;
