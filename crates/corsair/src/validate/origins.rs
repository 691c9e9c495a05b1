//! `allowed_origins`: each entry read as browsers serialize origins (`scheme://host[:port]`,
//! lower case, no default port), with the patterns `https://*.example.com` and
//! `http://localhost:*`, and the rules that only apply with credentials.

use super::host::canonical_host;
use super::{OriginEntry, PortSpec};
use crate::config::{CorsConfig, Finding, FindingId, Setting};
use crate::origin;
use crate::public_suffix;

/// The settings the rules for one origin depend on: some only apply with credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CredentialRules {
    /// `allow_credentials`.
    pub(crate) credentials: bool,
    /// `allow_insecure_origins_with_credentials`.
    pub(crate) allow_insecure: bool,
}

impl CredentialRules {
    /// The rules of a policy's settings.
    pub(crate) fn of(config: &CorsConfig) -> Self {
        CredentialRules {
            credentials: config.allow_credentials,
            allow_insecure: config.allow_insecure_origins_with_credentials,
        }
    }
}

/// Validates one `allowed_origins` entry, pushing its findings. `None` when it is refused.
pub(crate) fn origin_entry(
    raw: &str,
    rules: CredentialRules,
    findings: &mut Vec<Finding>,
) -> Option<OriginEntry> {
    let errors_before = findings.iter().filter(|f| f.is_error()).count();
    if let Some(special) = special_value(raw, rules, findings) {
        return special;
    }
    let (scheme_raw, after) = split_scheme(raw, findings)?;
    let scheme = scheme_raw.to_ascii_lowercase();
    let (host_raw, port_raw) = split_authority(raw, &scheme, after, findings)?;
    let port = port_spec(raw, &scheme, host_raw, port_raw, findings)?;
    let (subdomains, host_text) = match host_raw.strip_prefix("*.") {
        Some(parent) => (true, parent),
        None => (false, host_raw),
    };
    let host = pattern_host(raw, &scheme, subdomains, host_text, findings)?;
    if findings.iter().filter(|f| f.is_error()).count() > errors_before {
        return None;
    }
    if scheme_raw != scheme || host_text != host {
        let written = written(&scheme, subdomains, &host, &port);
        findings.push(Finding::warning(
            FindingId::OriginNotCanonical,
            Setting::AllowedOrigins,
            Some(raw),
            format!("browsers send origins in lower case; corsair matches `{written}`"),
            format!("write `{written}`"),
        ));
    }
    credentials_rules(raw, &scheme, &host, subdomains, rules, findings);
    Some(OriginEntry::Tuple {
        scheme,
        host,
        subdomains,
        port,
    })
}

fn error(findings: &mut Vec<Finding>, raw: &str, id: FindingId, message: String, fix: String) {
    findings.push(Finding::error(
        id,
        Setting::AllowedOrigins,
        Some(raw),
        message,
        fix,
    ));
}

/// The entries that are not `scheme://...`: `*`, the empty string, `null`, and anything with
/// whitespace. `None` when `raw` is none of them.
fn special_value(
    raw: &str,
    rules: CredentialRules,
    findings: &mut Vec<Finding>,
) -> Option<Option<OriginEntry>> {
    if raw == "*" {
        error(
            findings,
            raw,
            FindingId::WildcardInAllowedOrigins,
            "`*` is not an origin".into(),
            "set allow_all_origins = true instead (and leave allowed_origins empty)".into(),
        );
        return Some(None);
    }
    if raw.is_empty() {
        error(
            findings,
            raw,
            FindingId::EmptyOrigin,
            "an empty string is not an origin".into(),
            "remove it".into(),
        );
        return Some(None);
    }
    if raw == "null" {
        return Some(Some(null_entry(raw, rules, findings)));
    }
    if raw.trim() != raw || raw.chars().any(char::is_whitespace) {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        error(
            findings,
            raw,
            FindingId::OriginHasWhitespace,
            "an origin contains no whitespace; browsers never send it".into(),
            format!("write `{compact}`"),
        );
        return Some(None);
    }
    None
}

/// `(scheme as written, what follows "://")`, or `None` with an error (no scheme, `file:`, not a
/// scheme).
fn split_scheme<'a>(raw: &'a str, findings: &mut Vec<Finding>) -> Option<(&'a str, &'a str)> {
    let file_origin = |findings: &mut Vec<Finding>, what: &str| {
        error(
            findings,
            raw,
            FindingId::FileOrigin,
            format!("`{what}` pages have an opaque origin: browsers send `Origin: null` for them"),
            "serve the page over http (e.g. `http://localhost:8080`) and allow that origin".into(),
        );
    };
    let Some(sep) = raw.find("://") else {
        if raw.to_ascii_lowercase().starts_with("file:") {
            file_origin(findings, "file:");
        } else {
            let host = raw.split(['/', '?', '#']).next().unwrap_or(raw);
            error(
                findings,
                raw,
                FindingId::OriginMissingScheme,
                "an origin starts with its scheme".into(),
                format!("write `https://{host}` (or `http://{host}` for a plain-http page)"),
            );
        }
        return None;
    };
    let scheme_raw = &raw[..sep];
    if scheme_raw.eq_ignore_ascii_case("file") {
        file_origin(findings, "file://");
        return None;
    }
    if !origin::is_scheme(scheme_raw) {
        error(
            findings,
            raw,
            FindingId::OriginInvalidScheme,
            format!("`{scheme_raw}` is not a URL scheme"),
            "write `https://host` or `http://host`".into(),
        );
        return None;
    }
    Some((scheme_raw, &raw[sep + 3..]))
}

/// `(host, port)` of the authority after `scheme://`. A path, query, fragment or userinfo is an
/// error (the host and port are still returned, so that further problems are found too); no
/// host, or one that cannot be split from its port, is `None`.
fn split_authority<'a>(
    raw: &str,
    scheme: &str,
    after: &'a str,
    findings: &mut Vec<Finding>,
) -> Option<(&'a str, Option<&'a str>)> {
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, tail) = after.split_at(authority_end);
    let userinfo_end = authority.rfind('@').map(|i| i + 1).unwrap_or(0);
    let host_port = &authority[userinfo_end..];
    let suggestion = format!("{scheme}://{host_port}");
    if !tail.is_empty() {
        let (id, what) = match tail.as_bytes()[0] {
            b'/' if tail == "/" => (FindingId::OriginHasPath, "a trailing `/`"),
            b'/' => (FindingId::OriginHasPath, "a path"),
            b'?' => (FindingId::OriginHasQuery, "a query"),
            _ => (FindingId::OriginHasFragment, "a fragment"),
        };
        error(
            findings,
            raw,
            id,
            format!(
                "an origin is only `scheme://host[:port]`; this one has {what}, so it never equals the `Origin` a browser sends"
            ),
            format!("write `{suggestion}`"),
        );
    }
    if userinfo_end > 0 {
        error(
            findings,
            raw,
            FindingId::OriginHasUserinfo,
            "an origin has no user name or password".into(),
            format!("write `{suggestion}`"),
        );
    }
    if host_port.is_empty() {
        error(
            findings,
            raw,
            FindingId::OriginMissingHost,
            "the origin has no host".into(),
            format!("write `{scheme}://app.example.com`"),
        );
        return None;
    }
    let Some(split) = origin::split_host_port(host_port) else {
        error(
            findings,
            raw,
            FindingId::OriginInvalidHost,
            format!("`{host_port}` is not a valid host"),
            "write a host name or an IP address, with an optional port: `https://app.example.com:8443`".into(),
        );
        return None;
    };
    Some(split)
}

/// The port: none (the default), `*` (any), or 1 to 65535; the scheme's default port is
/// dropped with a warning.
fn port_spec(
    raw: &str,
    scheme: &str,
    host_raw: &str,
    port_raw: Option<&str>,
    findings: &mut Vec<Finding>,
) -> Option<PortSpec> {
    let digits = match port_raw {
        None => return Some(PortSpec::Exact(None)),
        Some("*") => return Some(PortSpec::Any),
        Some(digits) => digits,
    };
    let Some(port) = origin::parse_port(digits) else {
        let out_of_range = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        error(
            findings,
            raw,
            if out_of_range {
                FindingId::OriginPortOutOfRange
            } else {
                FindingId::OriginInvalidPort
            },
            format!("`{digits}` is not a port (1 to 65535)"),
            format!(
                "write `{scheme}://{host_raw}:8080` with your real port, `{scheme}://{host_raw}:*` for any port, or no port for the default"
            ),
        );
        return None;
    };
    if origin::default_port(scheme.as_bytes()) == Some(port) {
        findings.push(Finding::warning(
            FindingId::OriginDefaultPort,
            Setting::AllowedOrigins,
            Some(raw),
            format!("browsers never send the default port {port} of {scheme}; corsair matches `{scheme}://{host_raw}`"),
            format!("write `{scheme}://{host_raw}`"),
        ));
        return Some(PortSpec::Exact(None));
    }
    Some(PortSpec::Exact(Some(port)))
}

/// The canonical host (or parent domain of a `*.` pattern): `*` only as the whole subdomain
/// part, and no subdomains of an IP address.
fn pattern_host(
    raw: &str,
    scheme: &str,
    subdomains: bool,
    host_text: &str,
    findings: &mut Vec<Finding>,
) -> Option<String> {
    if host_text.contains('*') {
        error(
            findings,
            raw,
            FindingId::OriginInvalidPattern,
            "`*` may only stand for the whole subdomain part (`https://*.example.com`) or the port (`http://localhost:*`)".into(),
            format!("write `{scheme}://*.{}` or use allowed_origin_regexes", host_text.trim_start_matches(['*', '.'])),
        );
        return None;
    }
    let host = canonical_host(raw, scheme, host_text, findings)?;
    if subdomains && (host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok()) {
        error(
            findings,
            raw,
            FindingId::OriginInvalidPattern,
            "an IP address has no subdomains".into(),
            format!("write `{scheme}://{host}`"),
        );
        return None;
    }
    Some(host)
}

/// The entry as corsair reads it, for the fix of a non-canonical one.
fn written(scheme: &str, subdomains: bool, host: &str, port: &PortSpec) -> String {
    let pattern = if subdomains { "*." } else { "" };
    match port {
        PortSpec::Exact(Some(p)) => format!("{scheme}://{pattern}{host}:{p}"),
        PortSpec::Exact(None) => format!("{scheme}://{pattern}{host}"),
        PortSpec::Any => format!("{scheme}://{pattern}{host}:*"),
    }
}

fn null_entry(raw: &str, rules: CredentialRules, findings: &mut Vec<Finding>) -> OriginEntry {
    if rules.credentials {
        findings.push(Finding::error(
            FindingId::NullWithCredentials,
            Setting::AllowedOrigins,
            Some(raw),
            "`null` is the origin of sandboxed iframes, `file:` pages and redirected requests: any site can produce it, so allowing it with credentials lets any site read your users' data",
            "remove `null` from allowed_origins, or set allow_credentials = false",
        )
            .with_related(Setting::AllowCredentials));
    } else {
        findings.push(Finding::warning(
            FindingId::NullOriginAllowed,
            Setting::AllowedOrigins,
            Some(raw),
            "`null` is the origin of sandboxed iframes, `file:` pages and redirected requests: any site can produce it",
            "allow the real origin of the calling page instead",
        ));
    }
    OriginEntry::Null
}

/// Rules that only apply with `allow_credentials`.
fn credentials_rules(
    raw: &str,
    scheme: &str,
    host: &str,
    subdomains: bool,
    rules: CredentialRules,
    findings: &mut Vec<Finding>,
) {
    if !rules.credentials {
        return;
    }
    let loopback = origin::is_loopback_host(host) || (subdomains && host == "localhost");
    if scheme == "http" && !loopback && !rules.allow_insecure {
        findings.push(Finding::error(
            FindingId::InsecureOriginWithCredentials,
            Setting::AllowedOrigins,
            Some(raw),
            "a plain-http origin can be impersonated by anyone on the network path, who then reads your users' data with their cookies",
            format!(
                "write `{}`, or set allow_insecure_origins_with_credentials = true if you accept the risk",
                raw.replacen("http://", "https://", 1)
            ),
        )
            .with_related(Setting::AllowCredentials));
    }
    if subdomains && public_suffix::others_register_below(host) {
        // https://publicsuffix.org/list/: `name`, `*.name` and `!name` rules all count.
        let (what, fix) = if public_suffix::is_listed_suffix(host) {
            (
                format!("`{host}` is a public suffix"),
                format!("list your own origins (e.g. `{scheme}://yourapp.{host}`)"),
            )
        } else {
            (
                format!(
                    "`{host}` has public suffixes below it (the Public Suffix List has `*.{host}` or a `name.{host}` rule)"
                ),
                format!(
                    "list each origin you own in full (e.g. `{scheme}://app.yourname.{host}`), not every name under `{host}`"
                ),
            )
        };
        findings.push(Finding::error(
            FindingId::PatternOnPublicSuffix,
            Setting::AllowedOrigins,
            Some(raw),
            format!("{what}: anyone can register a site under it and read your users' data with their cookies"),
            fix,
        )
            .with_related(Setting::AllowCredentials));
    }
}
