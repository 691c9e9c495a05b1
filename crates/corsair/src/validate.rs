//! Every build-time rule: turns a [`CorsConfig`] into [`Validated`] settings, or refuses it with
//! every problem found.
//!
//! Nothing here runs per request. Each rule has a stable id (the `id` of its [`Finding`]), a
//! message saying what is wrong and a fix saying what to write instead.

use std::collections::HashSet;

use regex_automata::meta;
use regex_syntax::hir::Hir;

use crate::anchored::{self, Anchoring};
use crate::config::CorsConfig;
use crate::finding::{ConfigError, Finding};
use crate::origin::{self, CanonicalKey};
use crate::regex_audit::{self, OriginAudit};
use crate::setting::Setting;

/// The highest `preflight_max_age` accepted (Firefox's cap; no browser caches longer).
///
/// ```
/// let too_long = corsair::MAX_PREFLIGHT_MAX_AGE + 1;
/// let err = corsair::Cors::builder().allow_all_origins(true).preflight_max_age(too_long).build().unwrap_err();
/// assert_eq!(err.findings()[0].id, "max-age-too-large");
/// ```
pub const MAX_PREFLIGHT_MAX_AGE: u64 = 86_400;
/// Chromium's cap on `Access-Control-Max-Age`; anything above is cut to this.
///
/// ```
/// let cors = corsair::Cors::builder()
///     .allow_all_origins(true)
///     .preflight_max_age(corsair::CHROMIUM_MAX_AGE_CAP + 1)
///     .build()
///     .unwrap();
/// assert_eq!(cors.warnings()[0].id, "max-age-above-browser-cap");
/// ```
pub const CHROMIUM_MAX_AGE_CAP: u64 = 7_200;

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
    pub allow_private_network: bool,
}

/// Validates `config`. `has_hook` says whether a runtime origin hook is installed (it counts as a
/// way to allow origins).
pub(crate) fn validate(
    config: &CorsConfig,
    has_hook: bool,
) -> Result<(Validated, Vec<Finding>), ConfigError> {
    let mut findings = Vec::new();
    let creds = config.allow_credentials;

    let mut origins = Vec::new();
    let mut seen = HashSet::new();
    for raw in &config.allowed_origins {
        if let Some(entry) = origin_entry(raw, config, &mut findings) {
            if seen.insert(entry.clone()) {
                origins.push(entry);
            }
        }
    }
    if config.allow_all_origins && creds {
        findings.push(Finding::error(
            "credentials-with-allow-all",
            Setting::AllowAllOrigins,
            None,
            "allow_all_origins together with allow_credentials lets every website on the internet read your users' data with their cookies",
            "list the origins that may call you in allowed_origins (e.g. `https://app.example.com`), or a pattern such as `https://*.example.com`",
        ));
    }
    let origin_regexes = origin_regexes(config, &mut findings);
    if !config.allow_all_origins
        && config.allowed_origins.is_empty()
        && config.allowed_origin_regexes.is_empty()
        && !has_hook
    {
        findings.push(Finding::error(
            "no-origin-allowed",
            Setting::AllowedOrigins,
            None,
            "no origin is allowed: allowed_origins and allowed_origin_regexes are empty and allow_all_origins is false",
            "list your frontend's origin, e.g. allowed_origins = [\"http://localhost:8080\"]",
        ));
    }

    let urls_regex = urls_regex(&config.urls_regex, &mut findings);
    let allow_methods = methods(config, &mut findings);
    let allow_headers = header_list(
        Setting::AllowHeaders,
        &config.allow_headers,
        creds,
        &mut findings,
    );
    let expose_headers = header_list(
        Setting::ExposeHeaders,
        &config.expose_headers,
        creds,
        &mut findings,
    );
    max_age(config.preflight_max_age, &mut findings);

    if findings.iter().any(Finding::is_error) {
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        return Err(ConfigError::new(findings));
    }
    let validated = Validated {
        origins,
        origin_regexes,
        allow_all_origins: config.allow_all_origins,
        urls_regex,
        allow_methods,
        allow_headers,
        expose_headers,
        preflight_max_age: config.preflight_max_age,
        allow_credentials: creds,
        allow_private_network: config.allow_private_network,
    };
    Ok((validated, findings))
}

/// Validates one `allowed_origins` entry, pushing its findings. `None` when it is refused.
fn origin_entry(
    raw: &str,
    config: &CorsConfig,
    findings: &mut Vec<Finding>,
) -> Option<OriginEntry> {
    let setting = Setting::AllowedOrigins;
    let errors_before = findings.iter().filter(|f| f.is_error()).count();
    let mut error = |id: &'static str, message: String, fix: String| {
        findings.push(Finding::error(id, setting, Some(raw), message, fix));
    };

    if raw == "*" {
        error(
            "wildcard-in-allowed-origins",
            "`*` is not an origin".into(),
            "set allow_all_origins = true instead (and leave allowed_origins empty)".into(),
        );
        return None;
    }
    if raw.is_empty() {
        error(
            "empty-origin",
            "an empty string is not an origin".into(),
            "remove it".into(),
        );
        return None;
    }
    if raw == "null" {
        return Some(null_entry(raw, config, findings));
    }
    if raw.trim() != raw || raw.chars().any(char::is_whitespace) {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        error(
            "origin-has-whitespace",
            "an origin contains no whitespace; browsers never send it".into(),
            format!("write `{compact}`"),
        );
        return None;
    }
    let Some(sep) = raw.find("://") else {
        if raw.to_ascii_lowercase().starts_with("file:") {
            error(
                "file-origin",
                "`file:` pages have an opaque origin: browsers send `Origin: null` for them".into(),
                "serve the page over http (e.g. `http://localhost:8080`) and allow that origin"
                    .into(),
            );
        } else {
            let host = raw.split(['/', '?', '#']).next().unwrap_or(raw);
            error(
                "origin-missing-scheme",
                "an origin starts with its scheme".into(),
                format!("write `https://{host}` (or `http://{host}` for a plain-http page)"),
            );
        }
        return None;
    };
    let scheme_raw = &raw[..sep];
    let scheme = scheme_raw.to_ascii_lowercase();
    if scheme == "file" {
        error(
            "file-origin",
            "`file://` pages have an opaque origin: browsers send `Origin: null` for them".into(),
            "serve the page over http (e.g. `http://localhost:8080`) and allow that origin".into(),
        );
        return None;
    }
    if !origin::is_scheme(scheme_raw) {
        error(
            "origin-invalid-scheme",
            format!("`{scheme_raw}` is not a URL scheme"),
            "write `https://host` or `http://host`".into(),
        );
        return None;
    }
    let after = &raw[sep + 3..];
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, tail) = after.split_at(authority_end);
    let userinfo_end = authority.rfind('@').map(|i| i + 1).unwrap_or(0);
    let host_port = &authority[userinfo_end..];
    let suggestion = format!("{scheme}://{host_port}");
    if !tail.is_empty() {
        let (id, what) = match tail.as_bytes()[0] {
            b'/' if tail == "/" => ("origin-has-path", "a trailing `/`"),
            b'/' => ("origin-has-path", "a path"),
            b'?' => ("origin-has-query", "a query"),
            _ => ("origin-has-fragment", "a fragment"),
        };
        error(
            id,
            format!(
                "an origin is only `scheme://host[:port]`; this one has {what}, so it never equals the `Origin` a browser sends"
            ),
            format!("write `{suggestion}`"),
        );
    }
    if userinfo_end > 0 {
        error(
            "origin-has-userinfo",
            "an origin has no user name or password".into(),
            format!("write `{suggestion}`"),
        );
    }
    if host_port.is_empty() {
        error(
            "origin-missing-host",
            "the origin has no host".into(),
            format!("write `{scheme}://app.example.com`"),
        );
        return None;
    }
    let Some((host_raw, port_raw)) = origin::split_host_port(host_port) else {
        error(
            "origin-invalid-host",
            format!("`{host_port}` is not a valid host"),
            "write a host name or an IP address, with an optional port: `https://app.example.com:8443`".into(),
        );
        return None;
    };

    let port = match port_raw {
        None => PortSpec::Exact(None),
        Some("*") => PortSpec::Any,
        Some(digits) => match origin::parse_port(digits) {
            Some(port) => {
                if origin::default_port(&scheme) == Some(port) {
                    findings.push(Finding::warning(
                        "origin-default-port",
                        setting,
                        Some(raw),
                        format!("browsers never send the default port {port} of {scheme}; corsair matches `{scheme}://{host_raw}`"),
                        format!("write `{scheme}://{host_raw}`"),
                    ));
                    PortSpec::Exact(None)
                } else {
                    PortSpec::Exact(Some(port))
                }
            }
            None => {
                let out_of_range = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                findings.push(Finding::error(
                    if out_of_range { "origin-port-out-of-range" } else { "origin-invalid-port" },
                    setting,
                    Some(raw),
                    format!("`{digits}` is not a port (1 to 65535)"),
                    format!("write `{scheme}://{host_raw}:8080` with your real port, `{scheme}://{host_raw}:*` for any port, or no port for the default"),
                ));
                return None;
            }
        },
    };

    let (subdomains, host_text) = match host_raw.strip_prefix("*.") {
        Some(parent) => (true, parent),
        None => (false, host_raw),
    };
    if host_text.contains('*') {
        findings.push(Finding::error(
            "origin-invalid-pattern",
            setting,
            Some(raw),
            "`*` may only stand for the whole subdomain part (`https://*.example.com`) or the port (`http://localhost:*`)",
            format!("write `{scheme}://*.{}` or use allowed_origin_regexes", host_text.trim_start_matches(['*', '.'])),
        ));
        return None;
    }
    let host = canonical_host(raw, &scheme, host_text, findings)?;
    if subdomains && (host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok()) {
        findings.push(Finding::error(
            "origin-invalid-pattern",
            setting,
            Some(raw),
            "an IP address has no subdomains",
            format!("write `{scheme}://{host}`"),
        ));
        return None;
    }
    if findings.iter().filter(|f| f.is_error()).count() > errors_before {
        return None;
    }

    let written = match &port {
        PortSpec::Exact(Some(p)) => format!(
            "{scheme}://{}{host}:{p}",
            if subdomains { "*." } else { "" }
        ),
        PortSpec::Exact(None) => format!("{scheme}://{}{host}", if subdomains { "*." } else { "" }),
        PortSpec::Any => format!("{scheme}://{}{host}:*", if subdomains { "*." } else { "" }),
    };
    if scheme_raw != scheme || host_text != host {
        findings.push(Finding::warning(
            "origin-not-canonical",
            setting,
            Some(raw),
            format!("browsers send origins in lower case; corsair matches `{written}`"),
            format!("write `{written}`"),
        ));
    }
    credentials_rules(raw, &scheme, &host, subdomains, config, findings);
    Some(OriginEntry::Tuple {
        scheme,
        host,
        subdomains,
        port,
    })
}

fn null_entry(raw: &str, config: &CorsConfig, findings: &mut Vec<Finding>) -> OriginEntry {
    if config.allow_credentials {
        findings.push(Finding::error(
            "null-with-credentials",
            Setting::AllowedOrigins,
            Some(raw),
            "`null` is the origin of sandboxed iframes, `file:` pages and redirected requests: any site can produce it, so allowing it with credentials lets any site read your users' data",
            "remove `null` from allowed_origins, or set allow_credentials = false",
        ));
    } else {
        findings.push(Finding::warning(
            "null-origin-allowed",
            Setting::AllowedOrigins,
            Some(raw),
            "`null` is the origin of sandboxed iframes, `file:` pages and redirected requests: any site can produce it",
            "allow the real origin of the calling page instead",
        ));
    }
    OriginEntry::Null
}

/// The browser's form of a configured host, or `None` (with an error) when it must be rewritten.
fn canonical_host(
    raw: &str,
    scheme: &str,
    host: &str,
    findings: &mut Vec<Finding>,
) -> Option<String> {
    let setting = Setting::AllowedOrigins;
    if !host.is_ascii() {
        let fix = match url::Host::parse(host) {
            Ok(url::Host::Domain(ascii)) => format!("write `{}`", raw.replacen(host, &ascii, 1)),
            _ => "write the host in its ASCII (punycode) form".to_owned(),
        };
        findings.push(Finding::error(
            "origin-non-ascii-host",
            setting,
            Some(raw),
            format!("browsers send internationalised host names in their ASCII (punycode) form, never `{host}`"),
            fix,
        ));
        return None;
    }
    let parsed = url::Host::parse(host);
    let canonical = match parsed {
        Ok(url::Host::Domain(d)) => d,
        Ok(url::Host::Ipv4(ip)) => ip.to_string(),
        Ok(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        Err(_) => {
            findings.push(Finding::error(
                "origin-invalid-host",
                setting,
                Some(raw),
                format!("`{host}` is not a valid host"),
                "write a host name (`app.example.com`) or an IP address (`127.0.0.1`, `[::1]`)"
                    .to_owned(),
            ));
            return None;
        }
    };
    let is_ip = canonical.starts_with('[') || canonical.parse::<std::net::Ipv4Addr>().is_ok();
    if is_ip && canonical != host.to_ascii_lowercase() {
        findings.push(Finding::error(
            "origin-non-canonical-ip",
            setting,
            Some(raw),
            format!("browsers write this address as `{canonical}`, so `{host}` never matches"),
            format!("write `{}`", raw.replacen(host, &canonical, 1)),
        ));
        return None;
    }
    if !origin::is_host(&canonical) || canonical != host.to_ascii_lowercase() {
        findings.push(Finding::error(
            "origin-invalid-host",
            setting,
            Some(raw),
            format!("`{host}` is not a host name browsers send"),
            format!("write `{scheme}://{canonical}`"),
        ));
        return None;
    }
    Some(canonical)
}

/// Rules that only apply with `allow_credentials`.
fn credentials_rules(
    raw: &str,
    scheme: &str,
    host: &str,
    subdomains: bool,
    config: &CorsConfig,
    findings: &mut Vec<Finding>,
) {
    if !config.allow_credentials {
        return;
    }
    let loopback = origin::is_loopback_host(host) || (subdomains && host == "localhost");
    if scheme == "http" && !loopback && !config.allow_insecure_origins_with_credentials {
        findings.push(Finding::error(
            "insecure-origin-with-credentials",
            Setting::AllowedOrigins,
            Some(raw),
            "a plain-http origin can be impersonated by anyone on the network path, who then reads your users' data with their cookies",
            format!(
                "write `{}`, or set allow_insecure_origins_with_credentials = true if you accept the risk",
                raw.replacen("http://", "https://", 1)
            ),
        ));
    }
    if subdomains && is_public_suffix(host) {
        findings.push(Finding::error(
            "pattern-on-public-suffix",
            Setting::AllowedOrigins,
            Some(raw),
            format!("`{host}` is a public suffix: anyone can register a site under it and read your users' data with their cookies"),
            format!("list your own origins (e.g. `{scheme}://yourapp.{host}`)"),
        ));
    }
}

/// Whether `host` is listed in the Public Suffix List (`com`, `co.uk`, `github.io`, ...).
fn is_public_suffix(host: &str) -> bool {
    psl::suffix(host.as_bytes()).is_some_and(|s| s.is_known() && s.as_bytes() == host.as_bytes())
}

fn origin_regexes(config: &CorsConfig, findings: &mut Vec<Finding>) -> Vec<Hir> {
    let setting = Setting::AllowedOriginRegexes;
    let mut anchored = Vec::new();
    for raw in &config.allowed_origin_regexes {
        let hir = match anchored::parse(raw) {
            Ok(hir) => hir,
            Err(message) => {
                findings.push(Finding::error(
                    "invalid-regex",
                    setting,
                    Some(raw),
                    format!("the regex does not compile on its own: {message}"),
                    "fix the syntax (Rust `regex` crate syntax; no look-around or back-references)",
                ));
                continue;
            }
        };
        if let Some(position) = unescaped_dot(raw) {
            findings.push(Finding::warning(
                "regex-unescaped-dot",
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
                    "invalid-regex",
                    setting,
                    Some(raw),
                    format!("the regex does not compile: {message}"),
                    "make it smaller, or use patterns such as `https://*.example.com`",
                ));
                continue;
            }
        };
        audit_findings(
            raw,
            regex_audit::audit_origin_regex(&hir, &compiled),
            config,
            findings,
        );
        anchored.push(whole);
    }
    anchored
}

/// The findings of what one origin regex matches (see [`regex_audit`]).
fn audit_findings(raw: &str, audit: OriginAudit, config: &CorsConfig, findings: &mut Vec<Finding>) {
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
            Finding::error("regex-not-analysed", setting, Some(raw), format!("{message}; with allow_credentials every origin it matches may read your users' data"), fix)
        } else {
            Finding::warning("regex-not-analysed", setting, Some(raw), message, fix)
        });
        return;
    };
    if matches_nothing {
        findings.push(Finding::error(
            "regex-never-matches",
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
        let fix = if matches_null {
            "anchor it to your own domain (e.g. `https://([a-z0-9-]+\\.)*example\\.com`) so that it cannot match `null`"
        } else {
            "anchor it to your own domain, e.g. `https://([a-z0-9-]+\\.)*example\\.com`"
        };
        findings.push(if creds {
            Finding::error(
                "broad-regex-with-credentials",
                setting,
                Some(raw),
                format!("{matched}: with allow_credentials, such a site reads your users' data with their cookies"),
                fix,
            )
        } else {
            Finding::warning("broad-regex", setting, Some(raw), matched, fix)
        });
    }
    if let Some(insecure) =
        insecure.filter(|_| creds && !config.allow_insecure_origins_with_credentials)
    {
        findings.push(Finding::error(
            "insecure-origin-with-credentials",
            setting,
            Some(raw),
            format!("the regex matches `{insecure}`: a plain-http origin can be impersonated by anyone on the network path, who then reads your users' data with their cookies"),
            "match `https://` only (not `https?://` or `.*://`), or set allow_insecure_origins_with_credentials = true if you accept the risk",
        ));
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

fn urls_regex(raw: &str, findings: &mut Vec<Finding>) -> Option<meta::Regex> {
    if raw == crate::config::DEFAULT_URLS_REGEX || raw.is_empty() || raw == "^" || raw == ".*" {
        return None;
    }
    let invalid = |findings: &mut Vec<Finding>, message: String| {
        findings.push(Finding::error(
            "invalid-regex",
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
            "urls-regex-never-matches",
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

/// A method or header-name token (RFC 9110).
fn is_token(s: &str) -> bool {
    crate::token::is_token(s.as_bytes())
}

fn methods(config: &CorsConfig, findings: &mut Vec<Finding>) -> Vec<String> {
    let setting = Setting::AllowMethods;
    let mut out: Vec<String> = Vec::new();
    for raw in &config.allow_methods {
        let method = raw.trim();
        if method == "*" {
            if config.allow_credentials {
                findings.push(Finding::error(
                    "wildcard-with-credentials",
                    setting,
                    Some(raw),
                    "with credentials, browsers read `*` in Access-Control-Allow-Methods as a method literally named `*`",
                    "list the methods: allow_methods = [\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"]",
                ));
                continue;
            }
        } else if !is_token(method) {
            findings.push(Finding::error(
                "invalid-method",
                setting,
                Some(raw),
                format!("`{raw}` is not an HTTP method token"),
                "write one method per entry, e.g. [\"GET\", \"POST\"]",
            ));
            continue;
        } else if ["CONNECT", "TRACE", "TRACK"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method))
        {
            findings.push(Finding::error(
                "forbidden-method",
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
                "method-not-normalised",
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

/// Request headers a script can never set (the Fetch standard's forbidden request-headers).
pub(crate) const FORBIDDEN_REQUEST_HEADERS: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Response headers a script can always read (CORS-safelisted response-header names).
pub(crate) const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

pub(crate) fn is_forbidden_request_header(name: &str) -> bool {
    FORBIDDEN_REQUEST_HEADERS.contains(&name)
        || name.starts_with("proxy-")
        || name.starts_with("sec-")
}

fn header_list(
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
                    "wildcard-with-credentials",
                    setting,
                    Some(raw),
                    format!(
                        "with credentials, browsers read `*` in {} as a header literally named `*`",
                        header_of(setting)
                    ),
                    format!("list the header names in {setting}"),
                ));
                continue;
            }
        } else if !is_token(&name) {
            findings.push(Finding::error(
                "invalid-header-name",
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
                    "response-header-in-allow-headers",
                    setting,
                    Some(raw),
                    format!("`{name}` is a response header that corsair sends itself; allow_headers lists request headers your frontend sends"),
                    "remove it (corsair sets the Access-Control-Allow-* response headers from the other settings)",
                ));
                continue;
            }
            if is_forbidden_request_header(&name) {
                findings.push(Finding::warning(
                    "forbidden-request-header",
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
                    "set-cookie-never-exposed",
                    setting,
                    Some(raw),
                    "browsers never expose Set-Cookie to scripts, whatever the server says",
                    "remove it; cookies are stored by the browser without the script reading them",
                ));
            } else if SAFELISTED_RESPONSE_HEADERS.contains(&name.as_str()) {
                findings.push(Finding::warning(
                    "safelisted-response-header",
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
            "wildcard-does-not-cover-authorization",
            setting,
            Some("*"),
            "browsers never let `*` in Access-Control-Allow-Headers cover `authorization`, so requests that send an Authorization header fail their preflight",
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

fn max_age(seconds: u64, findings: &mut Vec<Finding>) {
    let setting = Setting::PreflightMaxAge;
    let value = seconds.to_string();
    if seconds > MAX_PREFLIGHT_MAX_AGE {
        findings.push(Finding::error(
            "max-age-too-large",
            setting,
            Some(&value),
            format!("no browser caches a preflight longer than {MAX_PREFLIGHT_MAX_AGE} seconds (Firefox); Chromium stops at {CHROMIUM_MAX_AGE_CAP}"),
            format!("write preflight_max_age = {CHROMIUM_MAX_AGE_CAP}"),
        ));
    } else if seconds > CHROMIUM_MAX_AGE_CAP && seconds != crate::config::DEFAULT_PREFLIGHT_MAX_AGE
    {
        // The default mirrors django-cors-headers; browsers cap it silently, so it is not worth a
        // warning on every policy. A value chosen by hand is.
        findings.push(Finding::warning(
            "max-age-above-browser-cap",
            setting,
            Some(&value),
            format!("Chromium caches preflights for at most {CHROMIUM_MAX_AGE_CAP} seconds and Safari for 600; only Firefox honours more"),
            format!("write preflight_max_age = {CHROMIUM_MAX_AGE_CAP} to say what browsers will do"),
        ));
    }
}

/// The canonical key of a validated exact entry (`scheme://host[:port]`).
pub(crate) fn exact_key(scheme: &str, host: &str, port: Option<u16>) -> String {
    CanonicalKey::new(scheme, host, port)
        .map(|k| k.as_str().to_owned())
        .unwrap_or_default()
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

    #[test]
    fn public_suffixes() {
        for host in ["com", "co.uk", "github.io"] {
            assert!(is_public_suffix(host), "{host}");
        }
        for host in [
            "example.com",
            "localhost",
            "corp.internal",
            "example.github.io",
        ] {
            assert!(!is_public_suffix(host), "{host}");
        }
    }
}
