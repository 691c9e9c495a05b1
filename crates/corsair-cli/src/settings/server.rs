//! The `[server]` table: where `corsair serve` listens, where it forwards, and its timeouts and
//! limits. Every default is safe for a server facing the internet.
//!
//! Each entry of the table below is everything corsair knows about one key: its field in
//! [`ServerSettings`] and its default, the default as the file writes it, its range, its reader
//! (which refuses a bad value with a message and a fix), its `corsair serve` flag, its
//! environment variable, and whether only a restart applies it. The file, the environment, the
//! flags, `--help`, `lint` and reload all follow it (see [`table`]), so a new key is one entry
//! here plus its use in `serve`.

mod allowed_hosts;
mod read;
mod table;
mod upstream;

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http::uri::Scheme;

pub(crate) use allowed_hosts::AllowedHosts;
pub(super) use read::{Raw, parse_duration};
pub(super) use table::{Flag, Key};
pub(crate) use upstream::Upstream;

use table::{durations, numbers, optional, server_table, table_of};

const MS: Duration = Duration::from_millis(1);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);
const KIB: u64 = 1024;

server_table! {
    /// The address to listen on (`127.0.0.1:8300`; port 0 picks a free port).
    listen: SocketAddr {
        default: SocketAddr::from(([127, 0, 0, 1], 8300)),
        written: "\"127.0.0.1:8300\"",
        read: read::address,
        restart_only: true,
        flag: {
            long: "--listen",
            value_name: "ADDR",
            checked_as: SocketAddr,
            help: "The address to listen on [default: 127.0.0.1:8300]",
        },
    }
    /// The server requests are forwarded to.
    upstream: Upstream {
        default: Upstream::parse("http://127.0.0.1:8000").expect("valid default upstream"),
        written: "\"http://127.0.0.1:8000\"",
        read: read::upstream,
        restart_only: false,
        flag: {
            long: "--upstream",
            value_name: "URL",
            checked_as: String,
            help: "The server to forward to [default: http://127.0.0.1:8000]",
        },
    }
    /// Forward the client's `Host` header (`true`), or send the upstream's own authority
    /// (`false`). Unset: `true` for `http` upstreams, `false` for `https` ones (a vendor API
    /// answers only to its own name).
    preserve_host: Option<bool> {
        default: None,
        written: "true",
        read: |key, raw| read::switch(key, raw).map(Some),
        restart_only: false,
    }
    /// The certificate chain served to clients (PEM, the server's own certificate first).
    /// Together with `tls_key`, corsair speaks HTTPS (HTTP/2 and HTTP/1.1, chosen by ALPN);
    /// without either, plain HTTP. One without the other is refused.
    tls_cert: Option<PathBuf> {
        default: None,
        written: "\"/etc/corsair/fullchain.pem\"",
        read: |key, raw| read::pem_file(key, raw, "the certificate chain").map(Some),
        restart_only: false,
        flag: {
            long: "--tls-cert",
            value_name: "FILE",
            checked_as: PathBuf,
            help: "Serve HTTPS with this certificate chain (PEM, the server's own certificate first); needs --tls-key",
        },
    }
    /// The private key of `tls_cert` (PEM: PKCS#8, PKCS#1 or SEC1). Only its path is kept
    /// here; the key itself is read by `serve` and never shown.
    tls_key: Option<PathBuf> {
        default: None,
        written: "\"/etc/corsair/privkey.pem\"",
        read: |key, raw| read::pem_file(key, raw, "the private key").map(Some),
        restart_only: false,
        flag: {
            long: "--tls-key",
            value_name: "FILE",
            checked_as: PathBuf,
            help: "The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1)",
        },
    }
    /// Speak HTTP/2 to the upstream (h2c, prior knowledge, for `http://`; ALPN `h2` for
    /// `https://`), as gRPC backends need; else HTTP/1.1.
    upstream_http2: bool {
        default: false,
        written: "false",
        read: read::switch,
        restart_only: true,
    }
    /// Forward HTTP/1.1 requests to an HTTP/1.1 `http://` upstream through the byte-level fast
    /// path (the rest always take the general path); `false` sends every request through the
    /// general path.
    fast_path: bool {
        default: true,
        written: "true",
        read: read::switch,
        restart_only: true,
        env: "CORSAIR_FAST_PATH",
    }
    /// How long connecting to the upstream may take before the client gets a `502`.
    connect_timeout: Duration {
        default: Duration::from_secs(5),
        written: "\"5s\"",
        range: durations(MS, DAY),
        read: read::duration,
        restart_only: true,
    }
    /// How long the upstream may take to send its response head before the client gets a `504`.
    upstream_timeout: Duration {
        default: Duration::from_secs(60),
        written: "\"60s\"",
        range: durations(MS, DAY),
        read: read::duration,
        restart_only: true,
    }
    /// How long a client may take to send a request head before it gets a `408`.
    header_read_timeout: Duration {
        default: Duration::from_secs(10),
        written: "\"10s\"",
        range: durations(MS, DAY),
        read: read::duration,
        restart_only: true,
    }
    /// How long an idle keep-alive connection (client or upstream) is kept open, and how long
    /// either side may pause in the middle of a body before the exchange is aborted.
    idle_timeout: Duration {
        default: Duration::from_secs(60),
        written: "\"60s\"",
        range: durations(MS, DAY),
        read: read::duration,
        restart_only: true,
    }
    /// How long an upgraded connection (a WebSocket) may go without a byte in either direction
    /// before both sides are closed.
    tunnel_idle_timeout: Duration {
        default: Duration::from_secs(300),
        written: "\"5m\"",
        range: durations(MS, DAY),
        read: read::duration,
        restart_only: true,
    }
    /// How long corsair goes on accepting and serving after SIGINT/SIGTERM, while `/readyz`
    /// already answers `503`, before it stops accepting: the time a load balancer (or
    /// Kubernetes, removing the pod from its endpoints) takes to stop sending.
    shutdown_delay: Duration {
        default: Duration::ZERO,
        written: "\"0s\"",
        range: durations(Duration::ZERO, HOUR),
        read: read::duration,
        restart_only: true,
        flag: {
            long: "--shutdown-delay",
            value_name: "DURATION",
            checked_as: String,
            help: "After SIGTERM, go on accepting for this long while /readyz answers 503 (e.g. 5s) [default: 0s]",
        },
    }
    /// How long in-flight requests may take to finish after SIGINT/SIGTERM.
    shutdown_grace: Duration {
        default: Duration::from_secs(10),
        written: "\"10s\"",
        range: durations(Duration::ZERO, HOUR),
        read: read::duration,
        restart_only: true,
    }
    /// The largest request head accepted; a larger one gets a `431`.
    max_header_bytes: usize {
        default: 64 * 1024,
        written: "65536",
        range: numbers(KIB, KIB * KIB),
        read: read::number,
        restart_only: true,
    }
    /// The most header lines of a request; more get a `431`.
    max_request_headers: usize {
        default: 256,
        written: "256",
        range: numbers(1, 10_000),
        read: read::number,
        restart_only: true,
    }
    /// The most header lines of an upstream response; more get the client a `502`.
    max_response_headers: usize {
        default: 256,
        written: "256",
        range: numbers(1, 10_000),
        read: read::number,
        restart_only: true,
    }
    /// How much of a request body is read before the upstream is connected to: a body that
    /// ends within it is sent whole, so a slow client never holds an upstream worker (`0`:
    /// stream every body as it arrives).
    request_buffer_bytes: usize {
        default: 1024 * 1024,
        written: "1048576",
        range: numbers(0, KIB * KIB * KIB),
        read: read::number,
        restart_only: true,
    }
    /// The most bytes that buffered request bodies hold at once over the process; a request
    /// that finds them all taken gets a `503` (`0`: nothing is buffered, every body streams).
    max_buffered_bytes: usize {
        default: 256 * 1024 * 1024,
        written: "268435456",
        range: numbers(0, KIB * KIB * KIB * KIB),
        read: read::number,
        restart_only: true,
    }
    /// The most bytes that the buffered request bodies of one client connection (the streams
    /// of an HTTP/2 connection) hold at once; beyond, a `503` (`0`: every body streams).
    max_buffered_bytes_per_connection: usize {
        default: 8 * 1024 * 1024,
        written: "8388608",
        range: numbers(0, KIB * KIB * KIB * KIB),
        read: read::number,
        restart_only: true,
    }
    /// The most client connections served at once; more wait to be accepted.
    max_connections: usize {
        default: 4096,
        written: "4096",
        range: numbers(1, 1_000_000),
        read: read::number,
        restart_only: true,
    }
    /// The most concurrent requests (streams) one HTTP/2 client connection may have.
    max_streams_per_connection: u32 {
        default: 100,
        written: "100",
        range: numbers(1, 10_000),
        read: read::number,
        restart_only: true,
    }
    /// The most requests in flight to the upstream at once, over every worker; more wait for
    /// a free slot.
    max_upstream_requests: usize {
        default: 1024,
        written: "1024",
        range: numbers(1, 1_000_000),
        read: read::number,
        restart_only: true,
    }
    /// How many threads serve connections, each with its own event loop and upstream
    /// connection pool (`None`: one per CPU core).
    workers: Option<usize> {
        default: None,
        written: "2",
        range: numbers(1, 1024),
        read: |key, raw| read::number(key, raw).map(Some),
        restart_only: true,
        flag: {
            long: "--workers",
            value_name: "N",
            checked_as: NonZeroUsize,
            help: "Threads serving connections, each with its own event loop and upstream connection pool [default: one per CPU core]",
        },
    }
    /// The names clients may address corsair by, in `Host` (or HTTP/2's `:authority`):
    /// `host[:port]`, or `.example.com` for a domain and its subdomains. A request naming
    /// another host is answered `421 Misdirected Request` and never forwarded, so a page
    /// whose name was rebound to this server's address (DNS rebinding) reads nothing. Unset:
    /// every host.
    allowed_hosts: AllowedHosts {
        default: AllowedHosts::default(),
        written: "[\"localhost:8300\", \"127.0.0.1:8300\"]",
        read: read::allowed_hosts,
        restart_only: false,
        flag: {
            long: "--allowed-hosts",
            value_name: "HOSTS",
            checked_as: String,
            help: "The hosts clients may address corsair by, comma-separated (localhost:8300,.example.com); others get 421 [default: every host]",
        },
        env: "CORSAIR_ALLOWED_HOSTS",
    }
    /// Written under `[cors]`: answer `403` to a request whose `Origin` is neither allowed by
    /// the policy nor the server's own (the request's scheme and `Host`), instead of
    /// forwarding it without CORS headers. A path outside `urls_regex` is left alone.
    refuse_disallowed_origins: bool {
        default: false,
        written: "false",
        read: read::switch,
        restart_only: false,
        env: "CORSAIR_REFUSE_DISALLOWED_ORIGINS",
        table: "cors",
    }
    /// Refuse a certificate that browsers would refuse or that drops names: expired or not
    /// yet valid (at start and at reload), or no longer valid for a name the running one
    /// covers (at reload). Without it these are warnings, and the certificate is served.
    tls_strict: bool {
        default: false,
        written: "false",
        read: read::switch,
        restart_only: false,
    }
}

/// The proxy's key called `name` (a `[server]` key, or one of those written under `[cors]`).
pub(super) fn server_key(name: &str) -> Option<&'static Key> {
    SERVER_KEYS.iter().find(|k| k.name == name)
}

/// The names of the keys written under `[server]`.
pub(super) fn server_key_names() -> impl Iterator<Item = &'static str> + Clone {
    SERVER_KEYS
        .iter()
        .filter(|k| k.table == "server")
        .map(|k| k.name)
}

/// The proxy's key called `name` that is written under `[cors]` (`refuse_disallowed_origins`).
pub(super) fn cors_table_key(name: &str) -> Option<&'static Key> {
    SERVER_KEYS
        .iter()
        .find(|k| k.table == "cors" && k.name == name)
}

impl ServerSettings {
    /// How many worker threads serve connections (see [`ServerSettings::workers`]).
    pub(crate) fn worker_count(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(1024))
        })
    }

    /// The certificate chain and key files when both are set: corsair then speaks HTTPS.
    pub(crate) fn tls_files(&self) -> Option<(&Path, &Path)> {
        Some((self.tls_cert.as_deref()?, self.tls_key.as_deref()?))
    }

    /// Whether the client's `Host` is forwarded (see [`ServerSettings::preserve_host`]).
    pub(crate) fn preserves_host(&self) -> bool {
        self.preserve_host
            .unwrap_or(self.upstream.scheme != Scheme::HTTPS)
    }

    /// The keys that only a restart applies whose value differs in `new`: a reload keeps the
    /// running ones.
    pub(crate) fn restart_only_changes<'a>(
        &'a self,
        new: &'a ServerSettings,
    ) -> impl Iterator<Item = &'static str> + 'a {
        SERVER_KEYS
            .iter()
            .filter(move |key| key.restart_only && !(key.same)(self, new))
            .map(|key| key.name)
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use toml::de::DeTable;

    use super::read::{Refusal, show_duration};
    use super::table::Bounds;
    use super::*;

    /// `name = text` read from a TOML file over `server`.
    fn read_toml(
        name: &str,
        text: &str,
        mut server: ServerSettings,
    ) -> Result<ServerSettings, Refusal> {
        let key = server_key(name).unwrap_or_else(|| panic!("no key {name}"));
        let document = format!("value = {text}");
        let table = DeTable::parse(&document).expect("valid TOML").into_inner();
        let (_, value) = table.iter().next().expect("one value");
        (key.read)(
            key,
            &Raw::Toml {
                value,
                written: text,
            },
            &mut server,
        )?;
        Ok(server)
    }

    /// `name`'s value `text`, given by a flag or a variable, read over the defaults.
    fn read_text(key: &Key, text: &str) -> Result<ServerSettings, Refusal> {
        let mut server = ServerSettings::default();
        (key.read)(key, &Raw::Text(OsStr::new(text)), &mut server)?;
        Ok(server)
    }

    #[test]
    fn every_key_reads_its_written_default_which_is_its_fields_default() {
        let defaults = ServerSettings::default();
        let mut examples = Vec::new();
        for key in SERVER_KEYS {
            let read = read_toml(key.name, key.written, defaults.clone())
                .unwrap_or_else(|refused| panic!("{}: {refused:?}", key.name));
            if !(key.same)(&read, &defaults) {
                examples.push(key.name);
            }
            // A range admits the default (read above) and never the largest number.
            match key.bounds {
                Some(Bounds::Number { .. }) => {
                    assert!(
                        read_text(key, &u64::MAX.to_string()).is_err(),
                        "{}",
                        key.name
                    );
                }
                Some(Bounds::Duration { .. }) => {
                    assert!(
                        read_text(key, &format!("{}s", u64::MAX)).is_err(),
                        "{}",
                        key.name
                    );
                }
                None => {}
            }
        }
        // The keys that have no default write an example instead.
        assert_eq!(
            examples,
            [
                "preserve_host",
                "tls_cert",
                "tls_key",
                "workers",
                "allowed_hosts"
            ]
        );
    }

    #[test]
    fn the_keys_with_a_flag_are_the_proxys_essentials() {
        let flagged: Vec<(&str, &str)> = SERVER_KEYS
            .iter()
            .filter_map(|key| Some((key.name, key.flag?.long)))
            .collect();
        assert_eq!(
            flagged,
            [
                ("listen", "--listen"),
                ("upstream", "--upstream"),
                ("tls_cert", "--tls-cert"),
                ("tls_key", "--tls-key"),
                ("shutdown_delay", "--shutdown-delay"),
                ("workers", "--workers"),
                ("allowed_hosts", "--allowed-hosts"),
            ]
        );
    }

    /// A reload applies the upstream (its route is swapped), the certificate pair (read again)
    /// and `tls_strict` (which vets it), and the guard (`allowed_hosts`,
    /// `refuse_disallowed_origins`); everything else is bound at start.
    #[test]
    fn a_reload_warns_about_exactly_the_restart_only_keys_it_does_not_apply() {
        let applied: Vec<&str> = SERVER_KEYS
            .iter()
            .filter(|key| !key.restart_only)
            .map(|key| key.name)
            .collect();
        assert_eq!(
            applied,
            [
                "upstream",
                "preserve_host",
                "tls_cert",
                "tls_key",
                "allowed_hosts",
                "refuse_disallowed_origins",
                "tls_strict"
            ]
        );
        let running = ServerSettings::default();
        for key in SERVER_KEYS {
            // A value of the key other than the default.
            let bounds = match key.bounds {
                Some(Bounds::Number { min, max }) => [min.to_string(), max.to_string()],
                Some(Bounds::Duration { min, max }) => [show_duration(min), show_duration(max)],
                None => Default::default(),
            };
            let candidates = [
                key.written.trim_matches('"'),
                "true",
                "false",
                "127.0.0.1:1",
            ]
            .into_iter()
            .chain(["http://127.0.0.1:1"])
            .chain(bounds.iter().map(String::as_str));
            let changed = candidates
                .filter_map(|text| read_text(key, text).ok())
                .find(|changed| !(key.same)(changed, &running))
                .unwrap_or_else(|| panic!("no other value of {} to try", key.name));
            let warned: Vec<&str> = running.restart_only_changes(&changed).collect();
            let expected: &[&str] = if key.restart_only { &[key.name] } else { &[] };
            assert_eq!(warned, expected, "{}", key.name);
        }
    }

    #[test]
    fn values_outside_the_range_name_the_key_the_range_and_the_fix() {
        let defaults = ServerSettings::default;
        let (message, fix) =
            read_toml("idle_timeout", "\"18446744073709551615s\"", defaults()).unwrap_err();
        assert_eq!(
            message,
            "server.idle_timeout = \"18446744073709551615s\": must be between 1ms and 24h"
        );
        assert_eq!(fix, "write `idle_timeout = \"60s\"`");
        let (message, _) =
            read_toml("max_connections", "9223372036854775807", defaults()).unwrap_err();
        assert!(
            message.ends_with("must be between 1 and 1000000"),
            "{message}"
        );
        assert!(read_toml("request_buffer_bytes", "0", defaults()).is_ok());
        assert!(read_toml("shutdown_grace", "0", defaults()).is_ok());
        assert!(read_toml("idle_timeout", "0", defaults()).is_err());
    }

    #[test]
    fn wrong_types_say_what_to_write() {
        let table = [
            ("listen", "8300", "listen must be an IP address and a port"),
            ("preserve_host", "\"yes\"", "write `preserve_host = false`"),
            ("upstream_http2", "1", "write `upstream_http2 = true`"),
            (
                "tls_key",
                "\" \"",
                "write `tls_key = \"/etc/corsair/privkey.pem\"`",
            ),
            (
                "connect_timeout",
                "-1",
                "connect_timeout must not be negative",
            ),
            (
                "connect_timeout",
                "true",
                "connect_timeout must be a duration",
            ),
            (
                "max_connections",
                "1.5",
                "write for example `max_connections = 4096`",
            ),
        ];
        for (key, text, said) in table {
            let (message, fix) = read_toml(key, text, ServerSettings::default()).unwrap_err();
            assert!(
                message.contains(said) || fix.contains(said),
                "{key} = {text}: {message} / {fix}"
            );
        }
    }

    #[test]
    fn the_readme_and_the_sample_file_document_every_key_with_its_range() {
        let readme = include_str!("../../../../README.md");
        let sample = include_str!("../../../../corsair.toml");
        for key in SERVER_KEYS {
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", key.name)))
                .unwrap_or_else(|| panic!("README has no row for {}", key.name));
            if let Some(bounds) = key.bounds {
                let range = bounds.describe();
                let range = range.trim_start_matches("between ").replace(" and ", "..=");
                assert!(
                    row.contains(&range),
                    "README row of {}: {row} (wants {range})",
                    key.name
                );
            }
            assert!(
                sample.contains(&format!("{} =", key.name)),
                "corsair.toml does not document {}",
                key.name
            );
        }
    }

    #[test]
    fn host_is_preserved_for_http_upstreams_unless_configured() {
        let table = [
            ("http://127.0.0.1:8000", None, true),
            ("https://api.vendor.example", None, false),
            ("http://127.0.0.1:8000", Some(false), false),
            ("https://api.vendor.example", Some(true), true),
        ];
        for (upstream, configured, preserved) in table {
            let server = ServerSettings {
                upstream: Upstream::parse(upstream).unwrap(),
                preserve_host: configured,
                ..ServerSettings::default()
            };
            assert_eq!(
                server.preserves_host(),
                preserved,
                "{upstream} {configured:?}"
            );
        }
    }
}
