//! Every build-time rule: turns a [`CorsConfig`] into [`Validated`] settings, or refuses it with
//! every problem found.
//!
//! Nothing here runs per request. Each rule has a stable id (the `id` of its [`Finding`]), a
//! message saying what is wrong and a fix saying what to write instead. One file per kind of
//! value: origins (and their hosts), regexes, method and header lists, the max-age.

mod advice;
mod host;
mod lists;
mod max_age;
mod origins;
mod regexes;
mod routes;

use std::collections::HashSet;

use regex_automata::meta;
use regex_syntax::hir::Hir;

use crate::config::{ConfigError, CorsConfig, Finding, FindingId, Setting};
use crate::origin::CanonicalKey;

pub use max_age::MAX_PREFLIGHT_MAX_AGE;
pub(crate) use origins::{CredentialRules, origin_entry};
use regexes::RegexMemo;
pub(crate) use routes::ValidatedRoute;

/// The port part of a configured origin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum PortSpec {
    /// The default port of the scheme, or the one explicit port (canonical, without default).
    Exact(Option<u16>),
    /// `:*`, any port (and no port).
    Any,
}

/// One validated entry of `allowed_origins`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum OriginEntry {
    /// The opaque origin `null`.
    Null,
    /// A lower-case scheme and host (or parent domain), and a port.
    Tuple {
        scheme: String,
        host: String,
        /// `https://*.host`: any subdomain of `host`, not `host` itself.
        subdomains: bool,
        port: PortSpec,
    },
}

/// The settings after validation: canonical, deduplicated, ready to compile.
#[derive(Debug, Clone)]
pub(crate) struct Validated {
    pub origins: Vec<OriginEntry>,
    /// The patterns, each anchored to the whole origin, in configuration order.
    pub origin_regexes: Vec<Hir>,
    pub enabled: bool,
    pub allow_all_origins: bool,
    /// `None` when every path is a CORS path.
    pub urls_regex: Option<meta::Regex>,
    pub allow_methods: Vec<String>,
    /// Lower case, deduplicated.
    pub allow_headers: Vec<String>,
    /// Lower case, deduplicated.
    pub expose_headers: Vec<String>,
    pub preflight_max_age: u64,
    pub allow_credentials: bool,
    pub allow_insecure_origins_with_credentials: bool,
    pub allow_private_network: bool,
    /// Advice about the valid configuration (legal but risky), for `corsair lint`.
    pub advice: Vec<Finding>,
}

/// Validates `config` and its routes. `runtime_origins` says whether the default policy also
/// allows origins at run time (an origin hook or an origin set: it counts as a way to allow
/// origins); `route_runtime[i]` whether route `i` does (its own or inherited).
///
/// # Errors
///
/// Every finding, errors first, when an error stops the policy from being built.
pub(crate) fn validate_policy(
    config: &CorsConfig,
    runtime_origins: bool,
    route_runtime: &[bool],
) -> Result<(Validated, Vec<ValidatedRoute>, Vec<Finding>), ConfigError> {
    let mut memo = RegexMemo::default();
    let (default, mut findings) = match validate(config, runtime_origins, &mut memo) {
        Ok(ok) => (Some(ok.0), ok.1),
        Err(error) => (None, error.into_findings()),
    };
    let routes = routes::validate_routes(config, route_runtime, &mut memo, &mut findings);
    match default {
        Some(default) if !findings.iter().any(Finding::is_error) => Ok((default, routes, findings)),
        _ => {
            findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
            Err(ConfigError::new(findings))
        }
    }
}

/// Validates one policy, ignoring its routes. `runtime_origins` says whether it also allows
/// origins at run time (an origin hook or an origin set). Origin regexes already judged in
/// `memo` are not judged again; new judgements are added to it.
///
/// # Errors
///
/// Every finding, errors first, when an error stops the policy from being built.
pub(crate) fn validate(
    config: &CorsConfig,
    runtime_origins: bool,
    memo: &mut RegexMemo,
) -> Result<(Validated, Vec<Finding>), ConfigError> {
    let mut findings = Vec::new();
    let creds = config.allow_credentials;

    let mut origins = Vec::new();
    let mut written = Vec::new();
    let mut seen = HashSet::new();
    for raw in &config.allowed_origins {
        if let Some(entry) = origins::origin_entry(raw, CredentialRules::of(config), &mut findings)
        {
            if seen.insert(entry.clone()) {
                written.push(raw.as_str());
                origins.push(entry);
            }
        }
    }
    if config.allow_all_origins && creds {
        findings.push(Finding::error(
            FindingId::CredentialsWithAllowAll,
            Setting::AllowAllOrigins,
            None,
            "allow_all_origins together with allow_credentials lets every website on the internet read your users' data with their cookies",
            "list the origins that may call you in allowed_origins (e.g. `https://app.example.com`), or a pattern such as `https://*.example.com`",
        )
            .with_related(Setting::AllowCredentials));
    }
    let origin_regexes = regexes::origin_regexes(config, memo, &mut findings);
    if config.enabled
        && !config.allow_all_origins
        && config.allowed_origins.is_empty()
        && config.allowed_origin_regexes.is_empty()
        && !runtime_origins
    {
        findings.push(Finding::error(
            FindingId::NoOriginAllowed,
            Setting::AllowedOrigins,
            None,
            "no origin is allowed: allowed_origins and allowed_origin_regexes are empty and allow_all_origins is false",
            "list your frontend's origin, e.g. allowed_origins = [\"http://localhost:8080\"]",
        ));
    }

    let urls_regex = regexes::urls_regex(&config.urls_regex, &mut findings);
    let allow_methods = lists::methods(config, &mut findings);
    let allow_headers = lists::header_list(
        Setting::AllowHeaders,
        &config.allow_headers,
        creds,
        &mut findings,
    );
    let expose_headers = lists::header_list(
        Setting::ExposeHeaders,
        &config.expose_headers,
        creds,
        &mut findings,
    );
    max_age::max_age(config.preflight_max_age, &mut findings);

    if findings.iter().any(Finding::is_error) {
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        return Err(ConfigError::new(findings));
    }
    let with_text: Vec<(&str, &OriginEntry)> = written.iter().copied().zip(&origins).collect();
    let advice = advice::advice(config, &with_text);
    let validated = Validated {
        origins,
        origin_regexes,
        enabled: config.enabled,
        allow_all_origins: config.allow_all_origins,
        urls_regex,
        allow_methods,
        allow_headers,
        expose_headers,
        preflight_max_age: config.preflight_max_age,
        allow_credentials: creds,
        allow_insecure_origins_with_credentials: config.allow_insecure_origins_with_credentials,
        allow_private_network: config.allow_private_network,
        advice,
    };
    Ok((validated, findings))
}

/// The canonical key of a validated exact entry (`scheme://host[:port]`).
pub(crate) fn exact_key(scheme: &str, host: &str, port: Option<u16>) -> String {
    CanonicalKey::new(scheme.as_bytes(), host.as_bytes(), port)
        .map(|k| k.to_text())
        .unwrap_or_default()
}
