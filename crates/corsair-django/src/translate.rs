//! The engine's findings in Django's terms: the kind (and so the id and severity) Django's
//! behaviour calls for, the setting by the name the project uses, the value as written (not as
//! it was handed to the engine), and a message and fix that speak of django-cors-headers.
//!
//! Where django-cors-headers behaves as corsair does, the engine's words are kept with the
//! setting names replaced; where it differs (a default port never matches, `re.match` anchors
//! only the start, there are no origin patterns), the words are Django's own.

use corsair::{CorsConfig, Finding, Setting, SettingValue, Severity};
use serde_json::Value;

use super::engine;
use super::finding::DjangoFinding;
use super::input::{DjangoSettings, kind};
use super::kinds;
use super::origins::Origins;
use super::regexes::Regexes;

/// What translating needs to know about the settings.
pub(crate) struct Context<'a> {
    pub settings: &'a DjangoSettings,
    pub origins: &'a Origins,
    pub regexes: &'a Regexes,
    /// The config the engine judged (the end-anchor suggestion is judged with its credentials).
    pub config: &'a CorsConfig,
}

/// `finding` in Django's terms, or `None` when Django's behaviour makes it moot.
pub(crate) fn translate(finding: &Finding, cx: &Context<'_>) -> Option<DjangoFinding> {
    let setting = cx.settings.name(finding.setting);
    let value = original_value(finding, cx);
    let credentials = cx.config.allow_credentials;
    let (kind, message, fix) = match finding.id {
        // Legacy names are Django's own finding (`input`).
        "deprecated-setting-name" => return None,
        "origin-not-canonical" => {
            let written = value.as_ref().and_then(Value::as_str).unwrap_or_default();
            let netloc = written.split_once("://").map_or(written, |(_, rest)| rest);
            if !netloc.chars().any(|c| c.is_ascii_uppercase()) {
                // django-cors-headers lower-cases the scheme too.
                return None;
            }
            (
                kind("origin-not-canonical"),
                "browsers send the host in lower case and django-cors-headers compares it case-sensitively, so this entry never matches".to_owned(),
                lower_case_host(written),
            )
        }
        "origin-default-port" => (
            kind("origin-default-port"),
            "browsers never send the default port, and django-cors-headers compares `host:port` as written, so this entry never matches".to_owned(),
            finding.fix.clone(),
        ),
        "origin-invalid-pattern" | "pattern-on-public-suffix" => (
            kind("origin-pattern-not-supported"),
            "django-cors-headers has no origin patterns: it compares `host:port` as written".to_owned(),
            "list the origins, or write a regex in CORS_ALLOWED_ORIGIN_REGEXES".to_owned(),
        ),
        "broad-regex" | "broad-regex-with-credentials" => broad_regex(finding, value.as_ref(), cx),
        "null-origin-allowed" | "null-with-credentials" => (
            kind(finding.id),
            format!(
                "{}; django-cors-headers also echoes any `Origin` without a scheme (`garbage`) when `null` is listed",
                in_django_words(&finding.message, cx)
            ),
            in_django_words(&finding.fix, cx),
        ),
        "regex-not-analysed" | "invalid-regex" | "regex-set-too-large"
            if finding.setting == Setting::AllowedOriginRegexes =>
        {
            let name = if credentials {
                "regex-not-analysed-with-credentials"
            } else {
                "regex-not-analysed"
            };
            let mut message = "the regex is too complex for corsair to tell which origins it matches".to_owned();
            if credentials {
                message.push_str("; with CORS_ALLOW_CREDENTIALS every origin it matches may read your users' data");
            }
            (
                kind(name),
                message,
                "simplify it (e.g. `^https://([a-z0-9-]+\\.)*example\\.com$`), or list the origins in CORS_ALLOWED_ORIGINS".to_owned(),
            )
        }
        "invalid-regex" => (
            kind("regex-not-rust-syntax"),
            format!("corsair cannot read the regex, so it did not judge it: {}", finding.message),
            "write it in the syntax Python and Rust share (no look-around or back-references)".to_owned(),
        ),
        "regex-never-matches" => (
            kind("regex-never-matches"),
            "the regex matches no origin a browser sends: browsers send `scheme://host[:port]` in lower case, without a default port, a path or a trailing `/`".to_owned(),
            "write it for that form, e.g. `^https://[a-z0-9-]+\\.example\\.com$`".to_owned(),
        ),
        "credentials-with-allow-all" => (
            kind("credentials-with-allow-all"),
            format!(
                "together with {} = True, django-cors-headers answers every origin by echoing it with `Access-Control-Allow-Credentials: true`, so every website on the internet can read your users' data with their cookies",
                cx.settings.name(Setting::AllowCredentials)
            ),
            format!(
                "set {setting} = False and list your frontends in {} (e.g. `https://app.example.com`), or match them with a regex in {} (e.g. r'^https://[a-z0-9-]+\\.example\\.com$')",
                cx.settings.name(Setting::AllowedOrigins),
                cx.settings.name(Setting::AllowedOriginRegexes)
            ),
        ),
        "wildcard-in-allowed-origins" => (
            kind("wildcard-in-allowed-origins"),
            "`*` is not an origin: django-cors-headers compares it literally, so it never matches".to_owned(),
            format!(
                "set {} = True instead, and remove `*` from {setting}",
                cx.settings.name(Setting::AllowAllOrigins)
            ),
        ),
        "no-origin-allowed" => (
            kind("no-origin-allowed"),
            format!(
                "no origin is allowed: {}, {} and {} are not set, and no receiver of the check_request_enabled signal is connected, so django-cors-headers adds CORS headers to no response",
                cx.settings.name(Setting::AllowedOrigins),
                cx.settings.name(Setting::AllowedOriginRegexes),
                cx.settings.name(Setting::AllowAllOrigins)
            ),
            format!(
                "list your frontend's origin, e.g. {} = ['http://localhost:8080']",
                cx.settings.name(Setting::AllowedOrigins)
            ),
        ),
        "max-age-too-large" => (
            kind("max-age-too-large"),
            "no browser caches a preflight longer than 86400 seconds (Firefox), and Chromium stops at 7200, so the rest of it is never used".to_owned(),
            format!("write {setting} = 7200"),
        ),
        "response-header-in-allow-headers" => (
            kind("response-header-in-allow-headers"),
            "this is a response header django-cors-headers sets itself; CORS_ALLOW_HEADERS lists the request headers your frontend sends, so it changes nothing".to_owned(),
            "remove it".to_owned(),
        ),
        "forbidden-method" => (
            kind("forbidden-method"),
            format!("{}, so listing it changes nothing", finding.message),
            "remove it".to_owned(),
        ),
        id => match kinds::named(id) {
            Some(known) => (known, in_django_words(&finding.message, cx), in_django_words(&finding.fix, cx)),
            None => (
                kinds::unnumbered(finding.severity),
                format!("[{id}] {}", in_django_words(&finding.message, cx)),
                in_django_words(&finding.fix, cx),
            ),
        },
    };
    Some(DjangoFinding {
        kind,
        setting: setting.to_owned(),
        value,
        message,
        fix,
    })
}

/// The value as the project wrote it: the origin or regex before it was put in the engine's
/// terms, a number for the max-age.
fn original_value(finding: &Finding, cx: &Context<'_>) -> Option<Value> {
    let Some(value) = finding.value.as_deref() else {
        // A finding about a combination names the switch it is about: `CORS_ALLOW_ALL_ORIGINS = True`.
        return match cx.settings.config.get(finding.setting) {
            SettingValue::Bool(on) => Some(Value::Bool(on)),
            _ => None,
        };
    };
    Some(match finding.setting {
        Setting::AllowedOrigins => Value::String(cx.origins.original(value).to_owned()),
        Setting::AllowedOriginRegexes => Value::String(cx.regexes.original(value).to_owned()),
        Setting::PreflightMaxAge => value
            .parse::<u64>()
            .map_or_else(|_| Value::String(value.to_owned()), Value::from),
        _ => Value::String(value.to_owned()),
    })
}

/// The words of a broad regex: the origin it lets in, and the `$` when that is the fix.
fn broad_regex(
    finding: &Finding,
    value: Option<&Value>,
    cx: &Context<'_>,
) -> (&'static kinds::Kind, String, String) {
    let credentials = finding.severity == Severity::Error;
    let name = if credentials {
        "broad-regex-with-credentials"
    } else {
        "broad-regex"
    };
    let pattern = value.and_then(Value::as_str).unwrap_or_default();
    // The engine names the origin it found: keep its words.
    let found = in_django_words(&finding.message, cx);
    match engine::end_anchored(pattern, cx.config) {
        Some(anchored) => (
            kind(name),
            format!(
                "django-cors-headers tests origins with `re.match`, which anchors only the start, so without `$` {found}"
            ),
            format!("end it with `$`: `{anchored}`"),
        ),
        None => (
            kind(name),
            found,
            "match only your own domain, and end the regex with `$`, e.g. `^https://([a-z0-9-]+\\.)*example\\.com$`".to_owned(),
        ),
    }
}

/// `https://App.Example.com:8443` → "write `https://app.example.com:8443`".
fn lower_case_host(written: &str) -> String {
    match written.split_once("://") {
        Some((scheme, rest)) => format!(
            "write `{}://{}`",
            scheme.to_ascii_lowercase(),
            rest.to_ascii_lowercase()
        ),
        None => format!("write `{}`", written.to_ascii_lowercase()),
    }
}

/// The engine's words with corsair's setting names replaced by the Django names the project
/// uses, and its booleans written as Python's.
pub(crate) fn in_django_words(text: &str, cx: &Context<'_>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    'outer: while !rest.is_empty() {
        let at_boundary = out
            .chars()
            .last()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        if at_boundary {
            for &setting in Setting::ALL {
                let name = setting.name();
                if let Some(after) = rest.strip_prefix(name) {
                    let ends = after
                        .chars()
                        .next()
                        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
                    if ends {
                        out.push_str(cx.settings.name(setting));
                        rest = after;
                        continue 'outer;
                    }
                }
            }
        }
        for (from, to) in [("= true", "= True"), ("= false", "= False")] {
            if let Some(after) = rest.strip_prefix(from) {
                out.push_str(to);
                rest = after;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}
