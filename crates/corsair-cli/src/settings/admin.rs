//! The `[admin]` table: where `corsair serve` answers its operators (`/metrics`, `/healthz`,
//! `/readyz`, `/policy`) on an address of its own. Off unless `listen` is set, and never on the
//! proxy's own address: a load balancer or a browser must never reach the admin endpoints
//! through the proxy's port, nor the proxy through the admin's.

use std::net::{IpAddr, SocketAddr};

use super::diagnostic::Diagnostic;
use super::source::Source;

/// One `[admin]` key: its name, and its default as the file would write it (for a key without
/// one, an example).
#[derive(Debug, Clone, Copy)]
pub(super) struct AdminKey {
    /// The key's name.
    pub name: &'static str,
    /// The default, or an example, as the file would write it.
    pub written: &'static str,
}

/// Every `[admin]` key, in the order the sample file documents them: the one place that says
/// which keys the table has (the file reader and the README follow it).
pub(super) const ADMIN_KEYS: &[AdminKey] = &[AdminKey {
    name: "listen",
    written: "\"127.0.0.1:9300\"",
}];

/// The `[admin]` key called `name`.
pub(super) fn admin_key(name: &str) -> Option<&'static AdminKey> {
    ADMIN_KEYS.iter().find(|k| k.name == name)
}

/// The names of the `[admin]` keys.
pub(super) fn admin_key_names() -> impl Iterator<Item = &'static str> + Clone {
    ADMIN_KEYS.iter().map(|k| k.name)
}

/// The admin listener's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AdminSettings {
    /// Where the admin endpoints are served (`None`: nowhere, the default).
    pub listen: Option<SocketAddr>,
}

/// Whether an admin listener on `admin` would take the proxy's address `proxy`, or overlap it:
/// the same port on the same IP, or on an unspecified IP (`0.0.0.0`, `::`) on either side. Port
/// 0 asks the system for a free port, which is never the other listener's.
pub(super) fn shares_address(proxy: SocketAddr, admin: SocketAddr) -> bool {
    if proxy.port() == 0 || admin.port() == 0 || proxy.port() != admin.port() {
        return false;
    }
    let canonical = |ip: IpAddr| ip.to_canonical();
    let (proxy_ip, admin_ip) = (canonical(proxy.ip()), canonical(admin.ip()));
    proxy_ip == admin_ip || proxy_ip.is_unspecified() || admin_ip.is_unspecified()
}

/// The problem of an admin address that [shares](shares_address) the proxy's, pointing at both
/// settings, with an address to write instead.
pub(super) fn shared_address_problem(
    proxy: SocketAddr,
    proxy_source: Source,
    admin: SocketAddr,
    admin_source: Source,
) -> Diagnostic {
    let port = if proxy.port() == 9300 { 9301 } else { 9300 };
    let suggested = SocketAddr::new(
        if admin.ip().is_unspecified() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            admin.ip()
        },
        port,
    );
    let mut problem = Diagnostic::error(
        "admin-shares-proxy-address",
        "admin.listen",
        admin_source,
        Some(admin.to_string()),
        format!(
            "the admin listener must have an address of its own, and {admin} takes the port of \
             the proxy's listen address {proxy}"
        ),
        format!(
            "give it another port: write `listen = \"{suggested}\"` under [admin] (or \
             --admin-listen {suggested})"
        ),
    );
    problem.related = Some(Box::new(("server.listen".to_owned(), proxy_source)));
    problem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_address_is_never_shared() {
        let table = [
            ("127.0.0.1:8300", "127.0.0.1:8300", true),
            ("127.0.0.1:8300", "0.0.0.0:8300", true),
            ("0.0.0.0:8300", "10.0.0.1:8300", true),
            ("[::]:8300", "127.0.0.1:8300", true),
            ("[::ffff:127.0.0.1]:8300", "127.0.0.1:8300", true),
            ("127.0.0.1:8300", "127.0.0.2:8300", false),
            ("127.0.0.1:8300", "127.0.0.1:9300", false),
            ("0.0.0.0:8300", "0.0.0.0:9300", false),
            ("127.0.0.1:0", "127.0.0.1:0", false),
        ];
        for (proxy, admin, shared) in table {
            let (proxy, admin) = (proxy.parse().unwrap(), admin.parse().unwrap());
            assert_eq!(shares_address(proxy, admin), shared, "{proxy} {admin}");
        }
    }

    #[test]
    fn the_problem_names_both_addresses_and_suggests_another_port() {
        let problem = shared_address_problem(
            "127.0.0.1:9300".parse().unwrap(),
            Source::Flag("--listen"),
            "0.0.0.0:9300".parse().unwrap(),
            Source::Flag("--admin-listen"),
        );
        assert_eq!(problem.subject, "admin.listen");
        assert!(problem.message.contains("127.0.0.1:9300"), "{problem}");
        assert!(
            problem.fix.contains("listen = \"127.0.0.1:9301\""),
            "{problem}"
        );
        assert_eq!(
            problem.related.as_deref(),
            Some(&("server.listen".to_owned(), Source::Flag("--listen")))
        );
    }

    #[test]
    fn the_readme_and_the_sample_file_document_every_key() {
        let readme = include_str!("../../../../README.md");
        let sample = include_str!("../../../../corsair.toml");
        let table = readme
            .split("### The `[admin]` table")
            .nth(1)
            .expect("the README has a section on the [admin] table");
        let section = sample
            .split("[admin]")
            .nth(1)
            .expect("corsair.toml documents the [admin] table");
        for key in ADMIN_KEYS {
            let row = table
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", key.name)))
                .unwrap_or_else(|| {
                    panic!("the README's [admin] table has no row for {}", key.name)
                });
            assert!(
                row.contains(key.written.trim_matches('"')),
                "README row of admin.{}: {row}",
                key.name
            );
            assert!(
                section.contains(&format!("{} = {}", key.name, key.written)),
                "corsair.toml does not document admin.{}",
                key.name
            );
        }
    }
}
