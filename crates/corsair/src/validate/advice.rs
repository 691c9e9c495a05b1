//! Security advice about a configuration that is valid: legal, but risky. `corsair lint` shows
//! it; the engine never refuses a policy for it.

use super::{OriginEntry, PortSpec};
use crate::config::{CorsConfig, DEFAULT_URLS_REGEX, Finding, FindingId, Setting};
use crate::origin;

/// More origins than this with credentials is advice-worthy.
const MANY_CREDENTIALED_ORIGINS: usize = 8;

/// The advice about a validated configuration (`origins` are its validated entries, in the
/// order written, with the text each was written as).
pub(super) fn advice(config: &CorsConfig, origins: &[(&str, &OriginEntry)]) -> Vec<Finding> {
    let mut found = Vec::new();
    let creds = config.allow_credentials;
    let trusted = config.allowed_origins.len() + config.allowed_origin_regexes.len();
    if creds && trusted > MANY_CREDENTIALED_ORIGINS {
        found.push(Finding::warning(
            FindingId::CredentialsWithManyOrigins,
            Setting::AllowedOrigins,
            None,
            format!("{trusted} origins may read your users' data with their cookies: a cross-site scripting hole in any one of them exposes every user"),
            "keep only the origins of your own frontends, and serve other callers without allow_credentials",
        ));
    }
    if creds {
        for (raw, entry) in origins {
            if let OriginEntry::Tuple { host, port, .. } = entry {
                let any_port = matches!(port, PortSpec::Any);
                if origin::is_loopback_host(host) || (any_port && host == "localhost") {
                    found.push(Finding::warning(
                        FindingId::LoopbackOriginWithCredentials,
                        Setting::AllowedOrigins,
                        Some(raw),
                        "any program on a user's machine can serve a page from this loopback origin and read their data with their cookies",
                        "keep loopback origins in development configurations only",
                    ));
                }
            }
        }
    }
    if config.allow_all_origins && config.allow_private_network {
        found.push(Finding::warning(
            FindingId::PrivateNetworkWithAllowAll,
            Setting::AllowPrivateNetwork,
            None,
            "every website on the internet may reach this private-network service through its visitors' browsers",
            "list the origins that need private network access in allowed_origins",
        ));
    }
    // Said once, whether the default policy or a route asks for it.
    let private_network = config.allow_private_network || {
        let base = config.settings_only();
        config
            .routes
            .iter()
            .any(|route| route.effective(&base).allow_private_network)
    };
    if private_network {
        found.push(Finding::warning(
            FindingId::AllowPrivateNetworkHasNoEffect,
            Setting::AllowPrivateNetwork,
            None,
            "current browsers send no Private Network Access preflight to answer: Chromium 142 and later ask the user's permission instead (Local Network Access), which no response header grants, and Firefox never sent them",
            "remove allow_private_network, or keep it for configurations shared with django-cors-headers (it is harmless); a public page that calls this service needs HTTPS and the user's permission, which `corsair check` explains",
        ));
    }
    if config.allow_all_origins && config.urls_regex == DEFAULT_URLS_REGEX {
        found.push(Finding::warning(
            FindingId::AllowAllOriginsOnEveryPath,
            Setting::AllowAllOrigins,
            None,
            "every website can read every response, including those of endpoints protected only by network location (intranet, VPN)",
            "limit it to the public paths with urls_regex (e.g. `^/api/public/`), or list origins",
        ));
    }
    found
}
