//! Local Network Access's address spaces (`loopback`, `local`, `public`), judged from a URL's
//! host, and the secure-context rule that goes with them.
//!
//! The judgement is by name or IP literal only: a public name that resolves to a private
//! address is not detected (the browser judges the address it connects to).

use std::net::IpAddr;

use url::{Host, Url};

/// An IP address space, from the most to the least private (so `Loopback < Local < Public`,
/// and a request "to a more private space" goes to a smaller one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum AddressSpace {
    /// The machine itself: `localhost`, `127.0.0.0/8`, `::1`.
    Loopback,
    /// A private network: RFC 1918 and link-local addresses, unique local IPv6, `.local`
    /// names and single-label names.
    Local,
    /// Everything else.
    Public,
}

impl AddressSpace {
    /// The space of `url`'s host, or `None` for a URL without a host.
    pub(crate) fn of(url: &Url) -> Option<AddressSpace> {
        let ip = match url.host()? {
            Host::Ipv4(ip) => IpAddr::V4(ip),
            Host::Ipv6(ip) => IpAddr::V6(ip),
            Host::Domain(name) => {
                let name = name.to_ascii_lowercase();
                return Some(if is_localhost(&name) {
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
                if (v6.segments()[0] & 0xfe00) == 0xfc00
                    || (v6.segments()[0] & 0xffc0) == 0xfe80 =>
            {
                AddressSpace::Local
            }
            _ => AddressSpace::Public,
        })
    }

    /// Chromium's name for the space, as its console messages write it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            AddressSpace::Loopback => "loopback",
            AddressSpace::Local => "local",
            AddressSpace::Public => "public",
        }
    }
}

/// Whether a page at `url` is a secure context: https, or a loopback host (which browsers
/// trust over plain http).
pub(crate) fn is_secure_context(url: &Url) -> bool {
    url.scheme() == "https" || is_loopback(url)
}

/// Whether `url`'s host is the machine itself.
pub(crate) fn is_loopback(url: &Url) -> bool {
    AddressSpace::of(url) == Some(AddressSpace::Loopback)
}

fn is_localhost(name: &str) -> bool {
    name == "localhost" || name.ends_with(".localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_secure_contexts() {
        let table = [
            ("http://localhost:8000/", AddressSpace::Loopback, true),
            ("http://app.localhost/", AddressSpace::Loopback, true),
            ("http://127.0.0.2/", AddressSpace::Loopback, true),
            ("http://[::1]:8000/", AddressSpace::Loopback, true),
            ("http://192.168.1.10/", AddressSpace::Local, false),
            ("http://10.0.0.1/", AddressSpace::Local, false),
            ("http://169.254.1.1/", AddressSpace::Local, false),
            ("http://[fd00::1]/", AddressSpace::Local, false),
            ("http://printer.local/", AddressSpace::Local, false),
            ("http://intranet/", AddressSpace::Local, false),
            ("http://app.example/", AddressSpace::Public, false),
            ("https://app.example/", AddressSpace::Public, true),
            ("http://8.8.8.8/", AddressSpace::Public, false),
        ];
        for (url, space, secure) in table {
            let url = Url::parse(url).unwrap();
            assert_eq!(AddressSpace::of(&url), Some(space), "{url}");
            assert_eq!(is_secure_context(&url), secure, "{url}");
        }
        assert!(AddressSpace::Loopback < AddressSpace::Local);
        assert!(AddressSpace::Local < AddressSpace::Public);
    }
}
