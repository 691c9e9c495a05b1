//! The guard of local and internal servers: `allowed_hosts` refuses a request that names a host
//! this server does not answer for (`421`, before any decision), and
//! `refuse_disallowed_origins` refuses one whose `Origin` the policy does not allow and that is
//! not the server's own (`403`, after the decision, never forwarded). Together they keep a page
//! on another site, and a page whose name was rebound to this server's address (DNS
//! rebinding), from reaching the upstream at all.
//!
//! Why `421 Misdirected Request` for a host: RFC 9110 §15.5.20
//! (<https://www.rfc-editor.org/rfc/rfc9110#section-15.5.20>) gives it to a request "directed
//! at a server that is unable or unwilling to produce an authoritative response for the target
//! URI", which is what a host outside the list is; and a browser that sent the request on an
//! HTTP/2 connection it shares between names retries it on a connection of its own instead of
//! failing, where a `403` would be final.

use corsair::{Decision, OriginVerdict, RequestKind};
use http::header::{HOST, ORIGIN};
use http::{HeaderMap, StatusCode, Uri};

use super::http::edge::Rejection;
use crate::authority;
use crate::settings::{AllowedHosts, ServerSettings};

const MISDIRECTED: Rejection = Rejection {
    status: StatusCode::MISDIRECTED_REQUEST,
    body: "corsair: this server does not answer for the host named in the request\n",
    reason: "host not in allowed_hosts",
    allow: false,
};

const FORBIDDEN_ORIGIN: Rejection = Rejection {
    status: StatusCode::FORBIDDEN,
    body: "corsair: requests from this origin are refused\n",
    reason: "origin not allowed (refuse_disallowed_origins)",
    allow: false,
};

/// The guard's settings, as a reload leaves them for the requests after it.
#[derive(Debug, Clone, Default)]
pub(super) struct Guard {
    hosts: AllowedHosts,
    refuse_disallowed_origins: bool,
}

impl Guard {
    /// The guard `server` sets.
    pub(super) fn new(server: &ServerSettings) -> Guard {
        Guard {
            hosts: server.allowed_hosts.clone(),
            refuse_disallowed_origins: server.refuse_disallowed_origins,
        }
    }

    /// `allowed_hosts`: `Err` for a request whose host (`Host`, or the target's authority;
    /// `None`: neither) is not listed, on a connection whose scheme is `scheme`.
    pub(super) fn check_host(&self, host: Option<&[u8]>, scheme: &str) -> Result<(), Rejection> {
        if !self.hosts.is_set() {
            return Ok(());
        }
        match host {
            Some(host) if self.hosts.admits(host, default_port(scheme)) => Ok(()),
            _ => Err(MISDIRECTED),
        }
    }

    /// `refuse_disallowed_origins`: `Err` for a request on a CORS path whose `Origin` (in
    /// `headers`) the policy refused (`decision`) and that is not the origin the request
    /// itself addresses (`scheme` and `host`): a same-origin request, which browsers send
    /// with an `Origin` too, goes on.
    pub(super) fn check_origin(
        &self,
        decision: Option<&Decision>,
        headers: &HeaderMap,
        scheme: &str,
        host: Option<&[u8]>,
    ) -> Result<(), Rejection> {
        let Some(decision) = decision.filter(|_| self.refuse_disallowed_origins) else {
            return Ok(());
        };
        if decision.kind() == RequestKind::Bypass
            || matches!(
                decision.origin(),
                OriginVerdict::Missing | OriginVerdict::Allowed
            )
        {
            return Ok(());
        }
        let mut origins = headers.get_all(ORIGIN).iter();
        let own = match (origins.next(), origins.next(), host) {
            (Some(origin), None, Some(host)) => is_same_origin(origin.as_bytes(), scheme, host),
            _ => false,
        };
        if own { Ok(()) } else { Err(FORBIDDEN_ORIGIN) }
    }
}

/// The host a request names: its `Host`, or (HTTP/2) the target's authority. The edge checks
/// have made sure there is at most one, valid, and that the two agree.
pub(super) fn request_host<'a>(uri: &'a Uri, headers: &'a HeaderMap) -> Option<&'a [u8]> {
    headers.get(HOST).map(|host| host.as_bytes()).or_else(|| {
        uri.authority()
            .map(|authority| authority.as_str().as_bytes())
    })
}

/// The port a `Host` without one means on a connection of `scheme`.
fn default_port(scheme: &str) -> u16 {
    if scheme == "https" { 443 } else { 80 }
}

/// Whether the serialized origin `origin` is the one a request for `host` over `scheme`
/// addresses (the Fetch standard's "same origin": scheme, host and port; a missing port is
/// the scheme's default).
fn is_same_origin(origin: &[u8], scheme: &str, host: &[u8]) -> bool {
    let Some(rest) = origin
        .strip_prefix(scheme.as_bytes())
        .and_then(|rest| rest.strip_prefix(b"://"))
    else {
        return false;
    };
    let (Some(origin), Some(host)) = (authority::split(rest), authority::split(host)) else {
        return false;
    };
    let name = |authority: &authority::Authority<'_>| {
        let host = authority.host;
        host.strip_suffix(b".").unwrap_or(host).to_ascii_lowercase()
    };
    let port = default_port(scheme);
    name(&origin) == name(&host) && origin.port_or(port) == host.port_or(port)
}

#[cfg(test)]
mod tests {
    use corsair::Cors;

    use super::*;

    fn guard(hosts: &[&str], refuse: bool) -> Guard {
        Guard {
            hosts: if hosts.is_empty() {
                AllowedHosts::default()
            } else {
                AllowedHosts::parse(hosts).unwrap()
            },
            refuse_disallowed_origins: refuse,
        }
    }

    #[test]
    fn hosts_outside_the_list_are_misdirected() {
        let guard = guard(&["localhost:8300", "127.0.0.1:8300"], false);
        // (host, scheme, refused)
        let table: [(Option<&str>, &str, bool); 6] = [
            (Some("localhost:8300"), "http", false),
            (Some("127.0.0.1:8300"), "http", false),
            (Some("rebind.attacker.test:8300"), "http", true),
            (Some("localhost"), "http", true),
            (Some("localhost:8301"), "https", true),
            (None, "http", true),
        ];
        for (host, scheme, refused) in table {
            let checked = guard.check_host(host.map(str::as_bytes), scheme);
            assert_eq!(checked.err(), refused.then_some(MISDIRECTED), "{host:?}");
        }
        let open = super::tests::guard(&[], false);
        assert_eq!(open.check_host(None, "http"), Ok(()));
        assert_eq!(open.check_host(Some(b"any.test"), "http"), Ok(()));
    }

    #[test]
    fn origins_the_policy_refuses_are_forbidden_unless_they_are_the_servers_own() {
        let cors = Cors::builder()
            .allowed_origins(["http://localhost:8080"])
            .urls_regex("^/api/")
            .build()
            .unwrap();
        // (path, Origin lines, scheme, Host, refused)
        type Case<'a> = (&'a str, &'a [&'a str], &'a str, &'a str, bool);
        let table: [Case<'_>; 15] = [
            (
                "/api/x",
                &["http://localhost:8080"],
                "http",
                "localhost:8300",
                false,
            ),
            ("/api/x", &[], "http", "localhost:8300", false),
            (
                "/api/x",
                &["https://evil.example"],
                "http",
                "localhost:8300",
                true,
            ),
            ("/api/x", &["null"], "http", "localhost:8300", true),
            ("/api/x", &["not an origin"], "http", "localhost:8300", true),
            (
                "/api/x",
                &["http://localhost:8080", "http://localhost:8080"],
                "http",
                "localhost:8300",
                true,
            ),
            // The server's own origin: same scheme, host and port.
            (
                "/api/x",
                &["http://localhost:8300"],
                "http",
                "localhost:8300",
                false,
            ),
            (
                "/api/x",
                &["http://LOCALHOST:8300"],
                "http",
                "localhost:8300",
                false,
            ),
            ("/api/x", &["http://api.test"], "http", "api.test:80", false),
            ("/api/x", &["https://api.test"], "https", "api.test", false),
            (
                "/api/x",
                &["https://api.test:443"],
                "https",
                "api.test",
                false,
            ),
            (
                "/api/x",
                &["https://localhost:8300"],
                "http",
                "localhost:8300",
                true,
            ),
            (
                "/api/x",
                &["http://localhost:8301"],
                "http",
                "localhost:8300",
                true,
            ),
            (
                "/api/x",
                &["http://localhost:8300.evil.test"],
                "http",
                "localhost:8300",
                true,
            ),
            // Outside urls_regex the upstream answers for itself.
            (
                "/static/x",
                &["https://evil.example"],
                "http",
                "localhost:8300",
                false,
            ),
        ];
        for refuse in [true, false] {
            let guard = guard(&[], refuse);
            for (path, origins, scheme, host, refused) in table {
                let mut headers = HeaderMap::new();
                for origin in origins {
                    headers.append(ORIGIN, origin.parse().unwrap());
                }
                let decision = cors
                    .evaluate(&http::Method::GET, &path.parse().unwrap(), &headers)
                    .now();
                let checked =
                    guard.check_origin(decision.as_ref(), &headers, scheme, Some(host.as_bytes()));
                assert_eq!(
                    checked.err(),
                    (refuse && refused).then_some(FORBIDDEN_ORIGIN),
                    "{path} {origins:?} {scheme} {host} (refuse: {refuse})"
                );
            }
        }
    }

    #[test]
    fn the_host_is_the_header_or_the_http2_authority() {
        let mut headers = HeaderMap::new();
        let uri: Uri = "https://api.test:8443/x".parse().unwrap();
        assert_eq!(request_host(&uri, &headers), Some(&b"api.test:8443"[..]));
        headers.insert(HOST, "api.test".parse().unwrap());
        assert_eq!(request_host(&uri, &headers), Some(&b"api.test"[..]));
        assert_eq!(
            request_host(&"/x".parse().unwrap(), &HeaderMap::new()),
            None
        );
    }
}
