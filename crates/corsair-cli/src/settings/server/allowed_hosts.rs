//! `allowed_hosts`: the names clients may address `corsair serve` by, so that a page whose
//! name was made to point at this server (DNS rebinding) is refused before anything else
//! happens. An entry is a host with an optional port (`localhost:8300`, `[::1]:8300`,
//! `api.example.com`), or a domain and its subdomains written with a leading dot
//! (`.example.com`, as Django's `ALLOWED_HOSTS` writes it).

use crate::authority;

/// The hosts a request may name in `Host` (or HTTP/2's `:authority`); empty: every host.
///
/// ```ignore
/// let hosts = AllowedHosts::parse(&["localhost:8300".into(), ".example.com".into()]).unwrap();
/// assert!(hosts.admits(b"LOCALHOST:8300", 80));
/// assert!(!hosts.admits(b"localhost:9000", 80));
/// assert!(hosts.admits(b"api.example.com", 443));
/// assert!(!hosts.admits(b"rebind.attacker.test:8300", 80));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AllowedHosts {
    entries: Vec<Entry>,
}

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// The host in lower case, without a trailing dot.
    name: String,
    /// A leading dot was written: the name and every subdomain of it.
    subdomains: bool,
    /// The port written, if any (without one, every port).
    port: Option<u16>,
}

impl AllowedHosts {
    /// Reads the entries; the error names the first one that is not a host, and why.
    pub(crate) fn parse<S: AsRef<str>>(entries: &[S]) -> Result<AllowedHosts, String> {
        if entries.is_empty() {
            return Err(
                "an empty list would refuse every request: list the hosts clients use, or remove the key to accept every host"
                    .to_owned(),
            );
        }
        let entries = entries
            .iter()
            .map(|entry| Entry::parse(entry.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(AllowedHosts { entries })
    }

    /// Whether the list is set (an unset list admits every host).
    pub(crate) fn is_set(&self) -> bool {
        !self.entries.is_empty()
    }

    /// Whether a request whose `Host` is `value` is admitted; `default_port` is the port of
    /// the connection's scheme (80 for http, 443 for https), which a `Host` without a port
    /// means. A value that is not a valid `host[:port]` is never admitted by a set list.
    pub(crate) fn admits(&self, value: &[u8], default_port: u16) -> bool {
        if !self.is_set() {
            return true;
        }
        let Some(authority) = authority::split(value) else {
            return false;
        };
        let host = authority.host.strip_suffix(b".").unwrap_or(authority.host);
        let port = authority.port_or(default_port);
        self.entries.iter().any(|entry| entry.admits(host, port))
    }
}

impl Entry {
    fn parse(written: &str) -> Result<Entry, String> {
        let refuse = |why: &str| {
            Err(format!(
                "`{written}` is not a host: {why}; write a host with an optional port (`localhost:8300`, `[::1]:8300`) or a domain with a leading dot (`.example.com`)"
            ))
        };
        if written == "*" {
            return refuse(
                "`*` would admit every host, which leaving allowed_hosts unset already does",
            );
        }
        if written.contains("://") {
            return refuse("a host has no scheme");
        }
        let (subdomains, rest) = match written.strip_prefix('.') {
            Some(rest) => (true, rest),
            None => (false, written),
        };
        let Some(authority) = authority::split(rest.as_bytes()) else {
            return refuse("not a valid host[:port] (no path, no user, a port up to 65535)");
        };
        if authority.host.contains(&b'%') || authority.host.contains(&b'*') {
            return refuse("no wildcards or percent-encoding");
        }
        if subdomains && authority.host.first() == Some(&b'[') {
            return refuse("an IP address has no subdomains");
        }
        let host = authority.host.strip_suffix(b".").unwrap_or(authority.host);
        if host.is_empty() || host.starts_with(b".") {
            return refuse("an empty name");
        }
        Ok(Entry {
            name: String::from_utf8_lossy(host).to_ascii_lowercase(),
            subdomains,
            port: authority.port.map(|_| authority.port_or(0)),
        })
    }

    fn admits(&self, host: &[u8], port: u16) -> bool {
        if self.port.is_some_and(|own| own != port) {
            return false;
        }
        let name = self.name.as_bytes();
        if host.eq_ignore_ascii_case(name) {
            return true;
        }
        self.subdomains
            && host.len() > name.len()
            && host[host.len() - name.len() - 1] == b'.'
            && host[host.len() - name.len()..].eq_ignore_ascii_case(name)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn hosts(entries: &[&str]) -> AllowedHosts {
        AllowedHosts::parse(entries).unwrap()
    }

    #[test]
    fn hosts_are_admitted_by_name_and_port() {
        let list = hosts(&[
            "localhost:8300",
            "127.0.0.1:8300",
            "[::1]:8300",
            ".example.com",
            "api.test",
        ]);
        // (Host value, default port of the scheme, admitted)
        let table: [(&str, u16, bool); 22] = [
            ("localhost:8300", 80, true),
            ("LocalHost:8300", 80, true),
            ("localhost.:8300", 80, true),
            ("localhost:8301", 80, false),
            ("localhost", 80, false),
            ("127.0.0.1:8300", 80, true),
            ("127.0.0.2:8300", 80, false),
            ("[::1]:8300", 80, true),
            ("[::2]:8300", 80, false),
            ("example.com", 443, true),
            ("example.com:8443", 443, true),
            ("api.example.com", 443, true),
            ("a.b.example.com", 443, true),
            ("evilexample.com", 443, false),
            ("example.com.evil.test", 443, false),
            ("api.test", 80, true),
            ("api.test:9", 80, true),
            ("x.api.test", 80, false),
            ("rebind.attacker.test:8300", 80, false),
            ("localhost:8300@evil", 80, false),
            ("", 80, false),
            ("localhost:8300 ", 80, false),
        ];
        for (value, default_port, admitted) in table {
            assert_eq!(
                list.admits(value.as_bytes(), default_port),
                admitted,
                "{value}"
            );
        }
    }

    #[test]
    fn a_port_written_matches_a_host_without_one_on_the_default_port() {
        let list = hosts(&["localhost:80", "secure.test:443"]);
        assert!(list.admits(b"localhost", 80));
        assert!(!list.admits(b"localhost", 443));
        assert!(list.admits(b"secure.test", 443));
    }

    #[test]
    fn an_unset_list_admits_every_host() {
        let list = AllowedHosts::default();
        assert!(!list.is_set());
        assert!(list.admits(b"anything.test", 80));
    }

    #[test]
    fn entries_that_are_not_hosts_are_refused_with_the_reason() {
        let table = [
            ("*", "would admit every host"),
            ("http://localhost:8300", "no scheme"),
            ("localhost/api", "not a valid host"),
            ("localhost:99999", "not a valid host"),
            ("user@localhost", "not a valid host"),
            ("*.example.com", "no wildcards"),
            ("%41.test", "percent-encoding"),
            (".[::1]", "no subdomains"),
            ("..example.com", "an empty name"),
            ("", "not a valid host"),
        ];
        for (entry, why) in table {
            let error = AllowedHosts::parse(&[entry]).unwrap_err();
            assert!(error.contains(why), "{entry}: {error}");
            assert!(error.contains(&format!("`{entry}`")), "{entry}: {error}");
        }
        assert!(
            AllowedHosts::parse::<&str>(&[])
                .unwrap_err()
                .contains("empty list")
        );
    }

    /// The reference: a host is admitted when it equals an entry's name (ignoring case and a
    /// trailing dot) or, for a dotted entry, ends with `.` and the name, on the entry's port.
    fn model(entries: &[(String, bool, Option<u16>)], host: &str, port: u16) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        entries.iter().any(|(name, subdomains, own)| {
            own.is_none_or(|own| own == port)
                && (host == *name || (*subdomains && host.ends_with(&format!(".{name}"))))
        })
    }

    proptest! {
        #[test]
        fn admission_agrees_with_the_model(
            entries in prop::collection::vec(("[a-c]{1,2}(\\.[a-c]{1,2}){0,2}", any::<bool>(), prop::option::of(prop::sample::select(vec![80u16, 443, 8300]))), 1..4),
            host in "[a-cA-C]{1,2}(\\.[a-c]{1,2}){0,3}\\.?",
            port in prop::option::of(prop::sample::select(vec![80u16, 443, 8300])),
            default_port in prop::sample::select(vec![80u16, 443]),
        ) {
            let written: Vec<String> = entries
                .iter()
                .map(|(name, subdomains, port)| {
                    let dot = if *subdomains { "." } else { "" };
                    match port {
                        Some(port) => format!("{dot}{name}:{port}"),
                        None => format!("{dot}{name}"),
                    }
                })
                .collect();
            let list = AllowedHosts::parse(&written).unwrap();
            let value = match port {
                Some(port) => format!("{host}:{port}"),
                None => host.clone(),
            };
            prop_assert_eq!(
                list.admits(value.as_bytes(), default_port),
                model(&entries, &host, port.unwrap_or(default_port)),
                "{:?} {}", written, value
            );
        }
    }
}
