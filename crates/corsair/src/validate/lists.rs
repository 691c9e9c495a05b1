//! The method and header-name lists: tokens only, `*` only without credentials, and warnings
//! for names that can never have an effect (forbidden request headers, safelisted response
//! headers, `Set-Cookie`).

use crate::config::{CorsConfig, Finding, FindingId, Setting};
use crate::fetch::cors_safelisted_response_header_name::is_cors_safelisted_response_header_name;
use crate::fetch::forbidden_method::is_forbidden_method;
use crate::fetch::forbidden_request_header::is_forbidden_name;
use crate::fetch::token;

/// A method or header-name token (RFC 9110).
fn is_token(s: &str) -> bool {
    token::is_token(s.as_bytes())
}

pub(super) fn methods(config: &CorsConfig, findings: &mut Vec<Finding>) -> Vec<String> {
    let setting = Setting::AllowMethods;
    let mut out: Vec<String> = Vec::new();
    for raw in &config.allow_methods {
        let method = raw.trim();
        if method == "*" {
            if config.allow_credentials {
                findings.push(Finding::error(
                    FindingId::WildcardWithCredentials,
                    setting,
                    Some(raw),
                    "with credentials, browsers read `*` in Access-Control-Allow-Methods as a method literally named `*`",
                    "list the methods: allow_methods = [\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"]",
                )
            .with_related(Setting::AllowCredentials));
                continue;
            }
        } else if !is_token(method) {
            findings.push(Finding::error(
                FindingId::InvalidMethod,
                setting,
                Some(raw),
                format!("`{raw}` is not an HTTP method token"),
                "write one method per entry, e.g. [\"GET\", \"POST\"]",
            ));
            continue;
        } else if is_forbidden_method(method.as_bytes()) {
            findings.push(Finding::error(
                FindingId::ForbiddenMethod,
                setting,
                Some(raw),
                format!(
                    "browsers refuse to send {} from scripts",
                    method.to_ascii_uppercase()
                ),
                "remove it",
            ));
            continue;
        } else if method != method.to_ascii_uppercase()
            && ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]
                .iter()
                .any(|m| m.eq_ignore_ascii_case(method))
        {
            findings.push(Finding::warning(
                FindingId::MethodNotNormalised,
                setting,
                Some(raw),
                format!("browsers upper-case {} before sending it, and compare Access-Control-Allow-Methods case-sensitively", method.to_ascii_uppercase()),
                format!("write `{}`", method.to_ascii_uppercase()),
            ));
        }
        if !out.iter().any(|m| m == method) {
            out.push(method.to_owned());
        }
    }
    out
}

pub(super) fn header_list(
    setting: Setting,
    list: &[String],
    creds: bool,
    findings: &mut Vec<Finding>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in list {
        let name = raw.trim().to_ascii_lowercase();
        if name == "*" {
            if creds {
                findings.push(Finding::error(
                    FindingId::WildcardWithCredentials,
                    setting,
                    Some(raw),
                    format!(
                        "with credentials, browsers read `*` in {} as a header literally named `*`",
                        header_of(setting)
                    ),
                    format!("list the header names in {setting}"),
                )
            .with_related(Setting::AllowCredentials));
                continue;
            }
        } else if !is_token(&name) {
            findings.push(Finding::error(
                FindingId::InvalidHeaderName,
                setting,
                Some(raw),
                format!("`{raw}` is not a header name"),
                "write one header name per entry, e.g. [\"content-type\", \"x-api-key\"]",
            ));
            continue;
        } else if setting == Setting::AllowHeaders {
            if name.starts_with("access-control-allow-")
                || name == "access-control-expose-headers"
                || name == "access-control-max-age"
            {
                findings.push(Finding::error(
                    FindingId::ResponseHeaderInAllowHeaders,
                    setting,
                    Some(raw),
                    format!("`{name}` is a response header that corsair sends itself; allow_headers lists request headers your frontend sends"),
                    "remove it (corsair sets the Access-Control-Allow-* response headers from the other settings)",
                ));
                continue;
            }
            if is_forbidden_name(name.as_bytes()) {
                findings.push(Finding::warning(
                    FindingId::ForbiddenRequestHeader,
                    setting,
                    Some(raw),
                    format!(
                        "browsers never let scripts set `{name}`, so allowing it has no effect"
                    ),
                    "remove it",
                ));
            }
        } else {
            if name == "set-cookie" || name == "set-cookie2" {
                findings.push(Finding::warning(
                    FindingId::SetCookieNeverExposed,
                    setting,
                    Some(raw),
                    "browsers never expose Set-Cookie to scripts, whatever the server says",
                    "remove it; cookies are stored by the browser without the script reading them",
                ));
            } else if is_cors_safelisted_response_header_name(name.as_bytes()) {
                findings.push(Finding::warning(
                    FindingId::SafelistedResponseHeader,
                    setting,
                    Some(raw),
                    format!("`{name}` is always readable by scripts; exposing it changes nothing"),
                    "remove it",
                ));
            }
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    let wildcard = out.iter().any(|h| h == "*");
    if setting == Setting::AllowHeaders && wildcard && !out.iter().any(|h| h == "authorization") {
        findings.push(Finding::warning(
            FindingId::WildcardDoesNotCoverAuthorization,
            setting,
            Some("*"),
            "the Fetch standard says `*` in Access-Control-Allow-Headers does not cover `authorization`; browsers let it through today (whatwg/fetch#1919), but Firefox follows the standard when its preference network.cors_preflight.authorization_covered_by_wildcard is false, and there a request that sends Authorization fails its preflight",
            "if your frontend sends Authorization, list it next to `*`: [\"*\", \"authorization\"]",
        ));
    }
    out
}

fn header_of(setting: Setting) -> &'static str {
    match setting {
        Setting::ExposeHeaders => "Access-Control-Expose-Headers",
        _ => "Access-Control-Allow-Headers",
    }
}
