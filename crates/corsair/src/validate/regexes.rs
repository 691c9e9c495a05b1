//! The regex settings: each pattern parsed on its own and anchored by its syntax tree
//! ([`anchored`]), then judged by what it matches ([`regex_audit`]).

use std::collections::HashMap;

use regex_automata::meta;
use regex_syntax::hir::Hir;

use crate::anchored::{self, Anchoring};
use crate::config::{CorsConfig, Finding, FindingId, Setting};
use crate::regex_audit::{self, OriginAudit};

/// `(regex, allow_credentials, allow_insecure_origins_with_credentials)`: what a regex's
/// findings depend on.
type Judged = (String, bool, bool);

/// A regex anchored to the whole origin (`None` when refused), and its findings.
type Judgement = (Option<Hir>, Vec<Finding>);

/// The judgements of origin regexes already made while validating one configuration: routes
/// inherit the default policy's regexes, and each is judged once, not once per route.
#[derive(Debug, Default)]
pub(crate) struct RegexMemo {
    judged: HashMap<Judged, Judgement>,
}

/// Each `allowed_origin_regexes` entry anchored to the whole origin, and its findings.
pub(super) fn origin_regexes(
    config: &CorsConfig,
    memo: &mut RegexMemo,
    findings: &mut Vec<Finding>,
) -> Vec<Hir> {
    let mut anchored = Vec::new();
    for raw in &config.allowed_origin_regexes {
        let key = (
            raw.clone(),
            config.allow_credentials,
            config.allow_insecure_origins_with_credentials,
        );
        let (whole, found) = memo.judged.entry(key).or_insert_with(|| {
            let mut found = Vec::new();
            let whole = origin_regex(raw, config, &mut found);
            (whole, found)
        });
        findings.extend(found.iter().cloned());
        anchored.extend(whole.clone());
    }
    anchored
}

/// One origin regex anchored to the whole origin, or `None` when it is refused.
fn origin_regex(raw: &str, config: &CorsConfig, findings: &mut Vec<Finding>) -> Option<Hir> {
    let setting = Setting::AllowedOriginRegexes;
    let hir = match anchored::parse(raw) {
        Ok(hir) => hir,
        Err(message) => {
            findings.push(Finding::error(
                FindingId::InvalidRegex,
                setting,
                Some(raw),
                format!("the regex does not compile on its own: {message}"),
                "fix the syntax (Rust `regex` crate syntax; no look-around or back-references)",
            ));
            return None;
        }
    };
    let dot = unescaped_dot(raw);
    if let Some(position) = dot {
        findings.push(Finding::warning(
            FindingId::RegexUnescapedDot,
            setting,
            Some(raw),
            format!("the `.` at byte {position} matches any character, so the regex allows more hosts than it seems to (`examplexcom` for `example.com`)"),
            format!("write `{}`", escape_dots(raw)),
        ));
    }
    let whole = anchored::anchor(hir.clone(), Anchoring::Whole);
    let compiled = match anchored::compile(std::slice::from_ref(&whole)) {
        Ok(compiled) => compiled,
        Err(message) => {
            findings.push(Finding::error(
                FindingId::InvalidRegex,
                setting,
                Some(raw),
                format!("the regex does not compile: {message}"),
                "make it smaller, or use patterns such as `https://*.example.com`",
            ));
            return None;
        }
    };
    let audit = regex_audit::audit_origin_regex(&hir, &compiled);
    let escaped = dot.and_then(|_| escaped_fix(raw, &audit));
    audit_findings(raw, audit, escaped, config, findings);
    Some(whole)
}

/// The regex with its unescaped dots escaped, when that alone keeps out the foreign origin the
/// audit found.
fn escaped_fix(raw: &str, audit: &OriginAudit) -> Option<String> {
    let OriginAudit::Analysed {
        foreign: Some(foreign),
        ..
    } = audit
    else {
        return None;
    };
    let escaped = escape_dots(raw);
    let hir = anchored::parse(&escaped).ok()?;
    let compiled = anchored::compile(&[anchored::anchor(hir, Anchoring::Whole)]).ok()?;
    (!compiled.is_match(foreign)).then_some(escaped)
}

/// The findings of what one origin regex matches (see [`regex_audit`]). `escaped` is the
/// regex with its dots escaped, when that is the fix.
fn audit_findings(
    raw: &str,
    audit: OriginAudit,
    escaped: Option<String>,
    config: &CorsConfig,
    findings: &mut Vec<Finding>,
) {
    let setting = Setting::AllowedOriginRegexes;
    let creds = config.allow_credentials;
    let OriginAudit::Analysed {
        matches_nothing,
        matches_null,
        foreign,
        insecure,
    } = audit
    else {
        let message = "the regex is too complex for corsair to tell which origins it matches";
        let fix = "simplify it, or list the origins (patterns such as `https://*.example.com` cover subdomains)";
        findings.push(if creds {
            Finding::error(FindingId::RegexNotAnalysed, setting, Some(raw), format!("{message}; with allow_credentials every origin it matches may read your users' data"), fix)
            .with_related(Setting::AllowCredentials)
        } else {
            Finding::warning(FindingId::RegexNotAnalysed, setting, Some(raw), message, fix)
        });
        return;
    };
    if matches_nothing {
        findings.push(Finding::error(
            FindingId::RegexNeverMatches,
            setting,
            Some(raw),
            "the regex matches no origin a browser sends: origins are matched in their canonical form, `scheme://host[:port]` in lower case, without a default port, a path or a trailing `/`",
            "write it for that form, e.g. `https://[a-z0-9-]+\\.example\\.com`",
        ));
        return;
    }
    let mut examples = Vec::new();
    if let Some(foreign) = &foreign {
        examples.push(format!(
            "`{foreign}`, an origin on a domain anyone can register"
        ));
    }
    if matches_null {
        examples.push("`null`, which any site can send (sandboxed iframes, `file:` pages, redirected requests)".to_owned());
    }
    if !examples.is_empty() {
        let matched = format!("the regex matches {}", examples.join(", and "));
        let fix = match escaped {
            Some(escaped) if !matches_null => format!(
                "escape the dots, which match any character: write `{escaped}`"
            ),
            _ if matches_null => "anchor it to your own domain (e.g. `https://([a-z0-9-]+\\.)*example\\.com`) so that it cannot match `null`".to_owned(),
            _ => "anchor it to your own domain, e.g. `https://([a-z0-9-]+\\.)*example\\.com`".to_owned(),
        };
        findings.push(if creds {
            Finding::error(
                FindingId::BroadRegexWithCredentials,
                setting,
                Some(raw),
                format!("{matched}: with allow_credentials, such a site reads your users' data with their cookies"),
                fix,
            )
            .with_related(Setting::AllowCredentials)
        } else {
            Finding::warning(FindingId::BroadRegex, setting, Some(raw), matched, fix)
        });
    }
    if let Some(insecure) =
        insecure.filter(|_| creds && !config.allow_insecure_origins_with_credentials)
    {
        findings.push(Finding::error(
            FindingId::InsecureOriginWithCredentials,
            setting,
            Some(raw),
            format!("the regex matches `{insecure}`: a plain-http origin can be impersonated by anyone on the network path, who then reads your users' data with their cookies"),
            "match `https://` only (not `https?://` or `.*://`), or set allow_insecure_origins_with_credentials = true if you accept the risk",
        )
            .with_related(Setting::AllowCredentials));
    }
}

/// The byte offset of the first `.` that is neither escaped, inside a class, nor followed by a
/// quantifier (`.*`, `.+` are deliberate wildcards).
fn unescaped_dot(pattern: &str) -> Option<usize> {
    let bytes = pattern.as_bytes();
    let mut in_class = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'.' if !in_class => {
                let next = bytes.get(i + 1).copied();
                if !matches!(next, Some(b'*' | b'+' | b'?' | b'{')) {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn escape_dots(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 4);
    let bytes = pattern.as_bytes();
    let mut in_class = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\\' => {
                out.push('\\');
                if let Some(&n) = bytes.get(i + 1) {
                    out.push(n as char);
                }
                i += 2;
                continue;
            }
            b'[' => in_class = true,
            b']' => in_class = false,
            b'.' if !in_class && !matches!(bytes.get(i + 1), Some(b'*' | b'+' | b'?' | b'{')) => {
                out.push_str("\\.");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(b as char);
        i += 1;
    }
    out
}

pub(super) fn urls_regex(raw: &str, findings: &mut Vec<Finding>) -> Option<meta::Regex> {
    if raw == crate::config::DEFAULT_URLS_REGEX || raw.is_empty() || raw == "^" || raw == ".*" {
        return None;
    }
    let invalid = |findings: &mut Vec<Finding>, message: String| {
        findings.push(Finding::error(
            FindingId::InvalidRegex,
            Setting::UrlsRegex,
            Some(raw),
            format!("the regex does not compile on its own: {message}"),
            "fix the syntax, e.g. urls_regex = \"^/api/\"",
        ));
    };
    let hir = match anchored::parse(raw) {
        Ok(hir) => hir,
        Err(message) => {
            invalid(findings, message);
            return None;
        }
    };
    if regex_audit::matches_some_path(&hir) == Some(false) {
        let rooted = format!("^/{}", raw.strip_prefix('^').unwrap_or(raw));
        let fix = match anchored::parse(&rooted)
            .ok()
            .and_then(|h| regex_audit::matches_some_path(&h))
        {
            Some(true) => format!("write urls_regex = \"{rooted}\""),
            _ => "write a regex for paths, e.g. urls_regex = \"^/api/\"".to_owned(),
        };
        findings.push(Finding::error(
            FindingId::UrlsRegexNeverMatches,
            Setting::UrlsRegex,
            Some(raw),
            "request paths start with `/` and the regex, matched from the start of the path, never matches one: CORS would apply to no request",
            fix,
        ));
        return None;
    }
    match anchored::compile(&[anchored::anchor(hir, Anchoring::Start)]) {
        Ok(regex) => Some(regex),
        Err(message) => {
            invalid(findings, message);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescaped_dots() {
        assert_eq!(unescaped_dot(r"https://example\.com"), None);
        assert_eq!(unescaped_dot(r"https://.*\.example\.com"), None);
        assert_eq!(unescaped_dot(r"https://[a.]\.example\.com"), None);
        assert_eq!(unescaped_dot(r"https://example.com"), Some(15));
        assert_eq!(
            escape_dots(r"https://.+.example.com"),
            r"https://.+\.example\.com"
        );
    }
}
