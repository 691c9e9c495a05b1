//! Legal but surprising things the model notices on the way: they do not change Chromium's
//! verdict, but they change what users see in other browsers or in production.

use http::HeaderMap;
use http::header::{ACCESS_CONTROL_MAX_AGE, SET_COOKIE};
use url::Url;

use crate::check::combined;
use crate::verdict::Warning;
use corsair::fetch::max_age::capping_engines;

/// `Access-Control-Allow-Headers: *` let `authorization` through.
pub(crate) fn authorization_by_wildcard() -> Warning {
    Warning {
        id: "authorization-not-covered-by-wildcard",
        message: "Access-Control-Allow-Headers: * let the Authorization header through here (Chromium does, for requests without credentials), but the Fetch standard, Firefox and Safari do not: list `authorization` by name.".to_owned(),
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

/// A public page calling a local or loopback address: Chrome 142 and later ask the user's
/// permission first (Local Network Access), which no header can replace.
pub(crate) fn local_network_access(page: &url::Origin, url: &Url) -> Option<Warning> {
    let page_url = Url::parse(&page.ascii_serialization()).ok()?;
    let (from, to) = (address_space(&page_url)?, address_space(url)?);
    (to < from).then(|| Warning {
        id: "local-network-access",
        message: format!(
            "A page on a {} address calls a {} address ({}): Chrome 142 and later first ask the user to allow access to the local network (Local Network Access), only for secure (https) pages, and no CORS header replaces that permission. This check cannot show the prompt.",
            from.name(),
            to.name(),
            url.host_str().unwrap_or_default()
        ),
    })
}

/// Local Network Access's address spaces, from most to least private.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum AddressSpace {
    Loopback,
    Local,
    Public,
}

impl AddressSpace {
    fn name(self) -> &'static str {
        match self {
            AddressSpace::Loopback => "loopback",
            AddressSpace::Local => "local-network",
            AddressSpace::Public => "public",
        }
    }
}

/// The address space a URL's host is in, judged by its name or IP literal (a public name
/// that resolves to a private address is not detected).
fn address_space(url: &Url) -> Option<AddressSpace> {
    use std::net::IpAddr;
    let ip = match url.host()? {
        url::Host::Ipv4(ip) => IpAddr::V4(ip),
        url::Host::Ipv6(ip) => IpAddr::V6(ip),
        url::Host::Domain(name) => {
            let name = name.to_ascii_lowercase();
            return Some(if name == "localhost" || name.ends_with(".localhost") {
                AddressSpace::Loopback
            } else if name.ends_with(".local") || !name.contains('.') {
                AddressSpace::Local
            } else {
                AddressSpace::Public
            });
        }
    };
    Some(match ip {
        _ if ip.is_loopback() => AddressSpace::Loopback,
        IpAddr::V4(v4) if v4.is_private() || v4.is_link_local() => AddressSpace::Local,
        IpAddr::V6(v6)
            if (v6.segments()[0] & 0xfe00) == 0xfc00 || (v6.segments()[0] & 0xffc0) == 0xfe80 =>
        {
            AddressSpace::Local
        }
        _ => AddressSpace::Public,
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
