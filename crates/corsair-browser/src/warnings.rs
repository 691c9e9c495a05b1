//! Legal but surprising things the model notices on the way: they do not change Chromium's
//! verdict, but they change what users see in other browsers or in production.

use http::HeaderMap;
use http::header::{ACCESS_CONTROL_MAX_AGE, SET_COOKIE};
use url::Url;

use crate::address_space::{AddressSpace, is_loopback, is_secure_context};
use crate::check::combined;
use crate::verdict::Warning;
use corsair::fetch::max_age::capping_engines;

/// `Access-Control-Allow-Headers: *` let `authorization` through: the standard forbids it, every
/// engine allows it today (whatwg/fetch#1919).
pub(crate) fn authorization_by_wildcard() -> Warning {
    Warning {
        id: "authorization-not-covered-by-wildcard",
        message: "Access-Control-Allow-Headers: * let the Authorization header through here. The Fetch standard says `*` never covers `authorization`, yet every engine lets it through today (Chromium, Firefox and Safari, for requests without credentials; whatwg/fetch#1919), and Firefox enforces the standard when its preference network.cors_preflight.authorization_covered_by_wildcard is false: list `authorization` by name.".to_owned(),
    }
}

/// A max-age some browsers shorten.
pub(crate) fn max_age(headers: &HeaderMap) -> Option<Warning> {
    let value = combined(headers, ACCESS_CONTROL_MAX_AGE)?;
    let seconds: u64 = value.trim().parse().ok()?;
    let capped: Vec<String> = capping_engines(seconds)
        .map(|(engine, cap)| format!("{engine} {cap} s"))
        .collect();
    (!capped.is_empty()).then(|| Warning {
        id: "max-age-above-browser-cap",
        message: format!(
            "Access-Control-Max-Age: {seconds} is capped by browsers ({}): a preflight is repeated at least that often.",
            capped.join(", ")
        ),
    })
}

/// Cookies on a credentialed cross-site request.
pub(crate) fn third_party_cookies(
    page: &url::Origin,
    url: &Url,
    headers: &HeaderMap,
) -> Vec<Warning> {
    let Some(page_url) = Url::parse(&page.ascii_serialization()).ok() else {
        return Vec::new();
    };
    if same_site(&page_url, url) {
        return Vec::new();
    }
    let mut warnings = vec![Warning {
        id: "third-party-cookies",
        message: format!(
            "The request carries credentials from `{}` to another site (`{}`): browsers that block third-party cookies (Safari, Firefox strict mode, Chrome incognito, headless Chromium) send and store no cookies here, even though CORS passes. Serve the API under the page's site (e.g. api.{} for app.{}), or use a token in Authorization.",
            page.ascii_serialization(),
            url.origin().ascii_serialization(),
            site(&page_url).unwrap_or("the same domain"),
            site(&page_url).unwrap_or("the same domain")
        ),
    }];
    for cookie in headers.get_all(SET_COOKIE) {
        let text = String::from_utf8_lossy(cookie.as_bytes()).to_ascii_lowercase();
        let attributes: Vec<&str> = text.split(';').map(str::trim).collect();
        let none = attributes
            .iter()
            .any(|a| a.replace(' ', "") == "samesite=none");
        let secure = attributes.contains(&"secure");
        if !(none && secure) {
            let name = text.split('=').next().unwrap_or_default().trim().to_owned();
            warnings.push(Warning {
                id: "cross-site-cookie-dropped",
                message: format!(
                    "Set-Cookie `{name}` lacks `SameSite=None; Secure`: browsers will not store or send it on cross-site requests."
                ),
            });
        }
    }
    warnings
}

/// A redirect from one origin to another.
pub(crate) fn cross_origin_redirect(from: &Url, to: &Url) -> Warning {
    Warning {
        id: "cross-origin-redirect",
        message: format!(
            "{} redirects to another origin ({}). If this is a login or OAuth flow, do not fetch it: navigate the window (`window.location.href = url`) so the provider's page can run; a fetch cannot follow such a redirect usefully, and after it the request's origin becomes `null`.",
            from.as_str(),
            to.origin().ascii_serialization()
        ),
    }
}

/// Forbidden headers the script set.
pub(crate) fn dropped_headers(names: &[String]) -> Option<Warning> {
    (!names.is_empty()).then(|| Warning {
        id: "forbidden-header-dropped",
        message: format!(
            "Browsers do not let scripts set {}: the browser drops it silently, so it was not sent.",
            names.join(", ")
        ),
    })
}

/// A stream body over HTTP/1.1.
pub(crate) fn stream_body() -> Warning {
    Warning {
        id: "stream-body-needs-http2",
        message: "Chromium sends streaming request bodies only over HTTP/2 or HTTP/3 (so only to https URLs); over HTTP/1.1 the request fails with net::ERR_H2_OR_QUIC_REQUIRED after the preflight.".to_owned(),
    }
}

/// An `Access-Control-Expose-Headers` that does not parse.
pub(crate) fn unparseable_expose_headers() -> Warning {
    Warning {
        id: "expose-headers-unparseable",
        message: "Access-Control-Expose-Headers does not parse as a comma-separated list of header names, so browsers expose nothing beyond the safelisted headers.".to_owned(),
    }
}

/// A page calling a more private address space (a public page calling a local or loopback
/// address, a local page calling loopback): Chrome 142 and later treat it as Local Network
/// Access, which the user grants (secure pages only) and no response header replaces. The
/// quoted console messages are the ones Chromium 156 prints.
pub(crate) fn local_network_access(page: &url::Origin, url: &Url) -> Option<Warning> {
    let page_url = Url::parse(&page.ascii_serialization()).ok()?;
    let (from, to) = (AddressSpace::of(&page_url)?, AddressSpace::of(url)?);
    if to >= from {
        return None;
    }
    let blocked = |reason: String| {
        format!(
            "`Access to fetch at '{url}' from origin '{}' has been blocked by CORS policy: {reason}`",
            page.ascii_serialization()
        )
    };
    let space = to.name();
    let mut message = format!(
        "A page on a {} address calls a {space} address ({}): Chrome 142 and later treat this as Local Network Access. No response header grants it (no preflight is sent, and Access-Control-Allow-Private-Network is ignored).",
        from.name(),
        url.host_str().unwrap_or_default()
    );
    if !is_secure_context(&page_url) {
        message.push_str(&format!(
            " This page is not a secure context (plain http), so Chromium blocks the request whatever the server answers: {}. Serve the page over https.",
            blocked(format!(
                "The request client is not a secure context and the resource is in more-private address space `{space}`."
            ))
        ));
    } else {
        message.push_str(&format!(
            " Chromium first asks the user to allow this site to reach devices on the local network; if the user refuses (or an automated browser has no such permission), it blocks the request: {}. The verdict of this check is the one after the user allows it.",
            blocked(format!(
                "Permission was denied for this request to access the `{space}` address space."
            ))
        ));
        if url.scheme() == "http" && !is_loopback(url) {
            message.push_str(" The page is https and the target plain http: that is mixed content, which Chromium lets through only for a local target the user allowed (a private IP literal or a `.local` name), or when the script calls fetch(url, { targetAddressSpace: 'local' }).");
        }
    }
    Some(Warning {
        id: "local-network-access",
        message,
    })
}

/// Same scheme and registrable domain (or same host for IP addresses and single labels).
fn same_site(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && site(a).is_some() && site(a) == site(b)
}

fn site(url: &Url) -> Option<&str> {
    let host = url.host_str()?;
    match url.host()? {
        url::Host::Domain(_) => Some(psl::domain_str(host).unwrap_or(host)),
        _ => Some(host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(same_site(
            &u("https://app.example.com"),
            &u("https://api.example.com")
        ));
        assert!(!same_site(
            &u("https://app.example.com"),
            &u("http://api.example.com")
        ));
        assert!(!same_site(
            &u("https://a.github.io"),
            &u("https://b.github.io")
        ));
        assert!(!same_site(
            &u("http://localhost:3000"),
            &u("http://127.0.0.1:8000")
        ));
        assert!(same_site(
            &u("http://localhost:3000"),
            &u("http://localhost:8000")
        ));
    }

    #[test]
    fn local_network_access_table() {
        let table = [
            ("https://app.example", "http://localhost:8000/", true),
            ("https://app.example", "http://192.168.1.10/", true),
            ("https://app.example", "http://printer.local/", true),
            ("https://app.example", "http://[::1]:8000/", true),
            ("http://localhost:3000", "http://127.0.0.1:8000/", false),
            ("http://192.168.1.2", "http://127.0.0.1:8000/", true),
            ("http://127.0.0.1:3000", "http://10.0.0.1/", false),
            ("https://app.example", "https://api.example/", false),
        ];
        for (page, url, warned) in table {
            let page = Url::parse(page).unwrap().origin();
            let url = Url::parse(url).unwrap();
            assert_eq!(local_network_access(&page, &url).is_some(), warned, "{url}");
        }
    }

    /// What the warning explains for each kind of page and target: the permission prompt for
    /// a secure page, the block for an insecure one, mixed content for an https page calling
    /// a plain-http local address. The quoted reasons are Chromium 156's.
    #[test]
    fn local_network_access_explains_the_prompt_secure_contexts_and_mixed_content() {
        let prompt =
            "Permission was denied for this request to access the `loopback` address space.";
        let insecure = "The request client is not a secure context and the resource is in more-private address space `loopback`.";
        let insecure_local = "The request client is not a secure context and the resource is in more-private address space `local`.";
        let mixed = "mixed content";
        let table: [(&str, &str, &[&str], &[&str]); 5] = [
            (
                "https://app.example",
                "http://localhost:8000/api",
                &[prompt, "asks the user"],
                &[insecure, mixed],
            ),
            (
                "http://app.example",
                "http://127.0.0.1:8000/api",
                &[insecure, "Serve the page over https"],
                &[prompt],
            ),
            (
                "http://app.example",
                "http://192.168.1.10/api",
                &[insecure_local],
                &[mixed],
            ),
            (
                "https://app.example",
                "http://192.168.1.10/api",
                &["`local` address space", mixed],
                &[insecure_local],
            ),
            (
                "https://app.example",
                "https://printer.local/api",
                &["`local` address space"],
                &[mixed],
            ),
        ];
        for (page, url, present, absent) in table {
            let origin = Url::parse(page).unwrap().origin();
            let target = Url::parse(url).unwrap();
            let warning = local_network_access(&origin, &target).expect("a warning");
            assert_eq!(warning.id, "local-network-access");
            assert!(
                warning.message.contains(&format!("Access to fetch at '{target}' from origin '{page}' has been blocked by CORS policy: ")),
                "{}", warning.message
            );
            for needle in present {
                assert!(
                    warning.message.contains(needle),
                    "{page} → {url}: {needle} missing: {}",
                    warning.message
                );
            }
            for needle in absent {
                assert!(
                    !warning.message.contains(needle),
                    "{page} → {url}: {needle} present: {}",
                    warning.message
                );
            }
        }
    }

    #[test]
    fn max_age_caps() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(ACCESS_CONTROL_MAX_AGE, v.parse().unwrap());
            m
        };
        assert_eq!(max_age(&h("600")), None);
        assert!(max_age(&h("601")).unwrap().message.contains("Safari 600 s"));
        let day = max_age(&h("86400")).unwrap().message;
        assert!(day.contains("Chromium 7200 s") && !day.contains("Firefox"));
    }
}
