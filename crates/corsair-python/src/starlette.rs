//! Starlette and FastAPI: the arguments of Starlette's `CORSMiddleware`, with their meaning
//! there, put in the engine's terms and built into a [`Policy`], or refused with
//! [`ConfigError`] naming the argument, the value and the fix.
//!
//! What the arguments mean in Starlette (`starlette/middleware/cors.py`): `"*"` in
//! `allow_origins` allows every origin; `allow_origin_regex` must match the whole origin
//! (`fullmatch`), as corsair's regexes do; `"*"` in `allow_methods` is Starlette's list of every
//! method; the CORS-safelisted request headers (`Accept`, `Accept-Language`, `Content-Language`,
//! `Content-Type`) are always allowed, whatever `allow_headers` says; `"*"` in `allow_headers`
//! allows every header, `Authorization` included (which the `*` of the Fetch standard does not
//! cover, so corsair lists it beside `*`).

use corsair::{CorsBuilder, CorsConfig, Finding, Setting};
use pyo3::prelude::*;

use crate::ConfigError;
use crate::policy::Policy;

/// Starlette's `ALL_METHODS`, what `"*"` in `allow_methods` stands for.
const ALL_METHODS: [&str; 8] = [
    "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY",
];

/// Starlette's `SAFELISTED_HEADERS`, always allowed.
const SAFELISTED_HEADERS: [&str; 4] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
];

/// Builds the policy of Starlette's `CORSMiddleware` arguments (Starlette's defaults are the
/// Python side's).
///
/// Raises `ConfigError` (a `ValueError`) naming each argument corsair refuses, its value and
/// the fix.
#[pyfunction]
#[pyo3(signature = (allow_origins, allow_methods, allow_headers, allow_credentials, allow_origin_regex, allow_private_network, expose_headers, max_age))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn starlette_policy(
    allow_origins: Vec<String>,
    allow_methods: Vec<String>,
    allow_headers: Vec<String>,
    allow_credentials: bool,
    allow_origin_regex: Option<String>,
    allow_private_network: bool,
    expose_headers: Vec<String>,
    max_age: i64,
) -> PyResult<Policy> {
    let mut config = CorsConfig::default();
    config.allow_all_origins = allow_origins.iter().any(|o| o == "*");
    if !config.allow_all_origins {
        config.allowed_origins = allow_origins;
    }
    config.allowed_origin_regexes = allow_origin_regex.into_iter().collect();
    config.allow_methods = if allow_methods.iter().any(|m| m == "*") {
        ALL_METHODS.map(str::to_owned).to_vec()
    } else {
        allow_methods
    };
    let mut headers: Vec<String> = SAFELISTED_HEADERS.map(str::to_owned).to_vec();
    for header in allow_headers {
        if header == "*" {
            headers.push("authorization".to_owned());
        }
        let lower = header.to_ascii_lowercase();
        if !headers.contains(&lower) {
            headers.push(lower);
        }
    }
    config.allow_headers = headers;
    config.expose_headers = expose_headers;
    config.allow_credentials = allow_credentials;
    config.allow_private_network = allow_private_network;
    config.preflight_max_age = u64::try_from(max_age).map_err(|_| {
        ConfigError::new_err((
            format!(
                "CORSMiddleware(max_age={max_age}) is refused: a max-age is a number of seconds, 0 or more (fix: write max_age=600, Starlette's default)"
            ),
            Vec::<String>::new(),
        ))
    })?;
    let builder = CorsBuilder::from(config.clone());
    let builder = if config.allowed_origins.is_empty()
        && config.allowed_origin_regexes.is_empty()
        && !config.allow_all_origins
    {
        // Starlette accepts a middleware that allows no origin; so does corsair, with a warning
        // it has nowhere to print.
        builder.allow_origin_if(|_| false)
    } else {
        builder
    };
    match builder.build() {
        Ok(cors) => Ok(Policy::new(cors, None)),
        Err(error) => Err(refusal(error.findings())),
    }
}

/// The argument of Starlette's constructor a setting comes from.
fn argument(setting: Setting) -> &'static str {
    match setting {
        Setting::AllowedOrigins => "allow_origins",
        Setting::AllowedOriginRegexes => "allow_origin_regex",
        Setting::AllowAllOrigins => "allow_origins=[\"*\"]",
        Setting::AllowMethods => "allow_methods",
        Setting::AllowHeaders => "allow_headers",
        Setting::ExposeHeaders => "expose_headers",
        Setting::PreflightMaxAge => "max_age",
        Setting::AllowCredentials => "allow_credentials",
        Setting::AllowPrivateNetwork => "allow_private_network",
        other => other.name(),
    }
}

/// The engine's words with its setting names replaced by Starlette's arguments.
fn in_starlette_words(text: &str) -> String {
    let mut out = text.to_owned();
    // Longest names first, so that `allow_all_origins` is not read as a part of another.
    let mut settings: Vec<Setting> = Setting::ALL.to_vec();
    settings.sort_by_key(|s| std::cmp::Reverse(s.name().len()));
    for setting in settings {
        let name = setting.name();
        let wanted = argument(setting);
        if name == wanted {
            continue;
        }
        let mut replaced = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(name) {
            let before = rest[..at].chars().last();
            let after = rest[at + name.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            replaced.push_str(&rest[..at]);
            if word(before) || word(after) {
                replaced.push_str(name);
            } else {
                replaced.push_str(wanted);
            }
            rest = &rest[at + name.len()..];
        }
        replaced.push_str(rest);
        out = replaced;
    }
    out.replace("= true", "=True").replace("= false", "=False")
}

fn refusal(findings: &[Finding]) -> PyErr {
    let mut message = String::from("corsair refuses this CORSMiddleware configuration:");
    for finding in findings.iter().filter(|f| f.is_error()) {
        let value = finding
            .value
            .as_ref()
            .map(|v| format!("={v:?}"))
            .unwrap_or_default();
        message.push_str(&format!(
            "\n- {}{value}: {} [{}]\n  fix: {}",
            argument(finding.setting),
            in_starlette_words(&finding.message),
            finding.id,
            in_starlette_words(&finding.fix),
        ));
    }
    ConfigError::new_err((message, Vec::<String>::new()))
}
