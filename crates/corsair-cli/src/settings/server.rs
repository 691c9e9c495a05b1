//! The `[server]` table: where `corsair serve` listens, where it forwards, and its timeouts and
//! limits. Every default is safe for a server facing the internet.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http::Uri;
use http::uri::{Authority, PathAndQuery, Scheme};

/// The valid values of a numeric `[server]` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bounds {
    /// A duration between `min` and `max` (inclusive).
    Duration {
        /// The shortest accepted.
        min: Duration,
        /// The longest accepted.
        max: Duration,
    },
    /// A whole number between `min` and `max` (inclusive).
    Number {
        /// The smallest accepted.
        min: u64,
        /// The largest accepted.
        max: u64,
    },
}

impl Bounds {
    /// `between 1ms and 24h`.
    pub fn describe(&self) -> String {
        match self {
            Bounds::Duration { min, max } => {
                format!(
                    "between {} and {}",
                    show_duration(*min),
                    show_duration(*max)
                )
            }
            Bounds::Number { min, max } => format!("between {min} and {max}"),
        }
    }

    /// Whether `duration` is in range (a number key never accepts a duration).
    pub fn admits_duration(&self, duration: Duration) -> bool {
        matches!(self, Bounds::Duration { min, max } if (*min..=*max).contains(&duration))
    }

    /// Whether `number` is in range (a duration key never accepts a number).
    pub fn admits_number(&self, number: u64) -> bool {
        matches!(self, Bounds::Number { min, max } if (*min..=*max).contains(&number))
    }
}

/// One `[server]` key: its name, its default as written in the file, and, for numbers and
/// durations, the values it accepts.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// The key's name.
    pub name: &'static str,
    /// The default, as the file would write it (`"60s"`, `4096`); for a key without one
    /// (`tls_cert`), an example.
    pub default: &'static str,
    /// The accepted range of a number or duration.
    pub bounds: Option<Bounds>,
}

const fn duration_key(
    name: &'static str,
    default: &'static str,
    min: Duration,
    max: Duration,
) -> Key {
    Key {
        name,
        default,
        bounds: Some(Bounds::Duration { min, max }),
    }
}

const fn number_key(name: &'static str, default: &'static str, min: u64, max: u64) -> Key {
    Key {
        name,
        default,
        bounds: Some(Bounds::Number { min, max }),
    }
}

const MS: Duration = Duration::from_millis(1);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);
const KIB: u64 = 1024;

/// Every `[server]` key, in the order the sample file documents them, with its range: the one
/// place that says which values a key accepts (the file, the flags and the README follow it).
pub const SERVER_KEYS: [Key; 23] = [
    Key {
        name: "listen",
        default: "\"127.0.0.1:8300\"",
        bounds: None,
    },
    Key {
        name: "upstream",
        default: "\"http://127.0.0.1:8000\"",
        bounds: None,
    },
    Key {
        name: "preserve_host",
        default: "true",
        bounds: None,
    },
    Key {
        name: "tls_cert",
        default: "\"/etc/corsair/fullchain.pem\"",
        bounds: None,
    },
    Key {
        name: "tls_key",
        default: "\"/etc/corsair/privkey.pem\"",
        bounds: None,
    },
    Key {
        name: "upstream_http2",
        default: "false",
        bounds: None,
    },
    duration_key("connect_timeout", "\"5s\"", MS, DAY),
    duration_key("upstream_timeout", "\"60s\"", MS, DAY),
    duration_key("header_read_timeout", "\"10s\"", MS, DAY),
    duration_key("idle_timeout", "\"60s\"", MS, DAY),
    duration_key("tunnel_idle_timeout", "\"5m\"", MS, DAY),
    duration_key("shutdown_grace", "\"10s\"", Duration::ZERO, HOUR),
    number_key("max_header_bytes", "65536", KIB, KIB * KIB),
    number_key("max_request_headers", "256", 1, 10_000),
    number_key("max_response_headers", "256", 1, 10_000),
    number_key("request_buffer_bytes", "1048576", 0, KIB * KIB * KIB),
    number_key("max_buffered_bytes", "268435456", 0, KIB * KIB * KIB * KIB),
    number_key(
        "max_buffered_bytes_per_connection",
        "8388608",
        0,
        KIB * KIB * KIB * KIB,
    ),
    number_key("max_connections", "4096", 1, 1_000_000),
    number_key("max_streams_per_connection", "100", 1, 10_000),
    number_key("max_upstream_requests", "1024", 1, 1_000_000),
    number_key("workers", "2", 1, 1024),
    Key {
        name: "tls_strict",
        default: "false",
        bounds: None,
    },
];

/// The names of the `[server]` keys.
pub fn server_key_names() -> impl Iterator<Item = &'static str> + Clone {
    SERVER_KEYS.iter().map(|k| k.name)
}

/// The `[server]` key called `name`.
pub fn server_key(name: &str) -> Option<&'static Key> {
    SERVER_KEYS.iter().find(|k| k.name == name)
}

/// Checks `number` against the range of `key`; the error is a message and a fix.
pub fn check_number(key: &str, shown: &str, number: u64) -> Result<u64, (String, String)> {
    check(key, shown, |b| b.admits_number(number)).map(|()| number)
}

/// Checks `duration` against the range of `key`; the error is a message and a fix.
pub fn check_duration(
    key: &str,
    shown: &str,
    duration: Duration,
) -> Result<Duration, (String, String)> {
    check(key, shown, |b| b.admits_duration(duration)).map(|()| duration)
}

fn check(key: &str, shown: &str, admits: impl Fn(&Bounds) -> bool) -> Result<(), (String, String)> {
    let Some(spec) = server_key(key) else {
        return Ok(());
    };
    match spec.bounds {
        Some(bounds) if !admits(&bounds) => Err(out_of_range(spec, &bounds, shown)),
        _ => Ok(()),
    }
}

/// `server.idle_timeout = "18446744073709551615s": must be between 1ms and 24h`, and the fix.
pub fn out_of_range(spec: &Key, bounds: &Bounds, shown: &str) -> (String, String) {
    (
        format!(
            "server.{} = {shown}: must be {}",
            spec.name,
            bounds.describe()
        ),
        format!("write `{} = {}`", spec.name, spec.default),
    )
}

/// `1ms`, `10s`, `5m`, `24h`: the largest unit that shows `duration` exactly.
pub fn show_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms == 0 {
        return "0s".to_owned();
    }
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1000)] {
        if ms % size == 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

/// Settings of the proxy itself (everything that is not CORS).
///
/// ```ignore
/// let server = ServerSettings::default();
/// assert_eq!(server.listen.to_string(), "127.0.0.1:8300");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// The address to listen on (`127.0.0.1:8300`; port 0 picks a free port).
    pub listen: SocketAddr,
    /// The server requests are forwarded to.
    pub upstream: Upstream,
    /// Forward the client's `Host` header (`true`), or send the upstream's own authority
    /// (`false`). Unset: `true` for `http` upstreams, `false` for `https` ones (a vendor API
    /// answers only to its own name).
    pub preserve_host: Option<bool>,
    /// The certificate chain served to clients (PEM, the server's own certificate first).
    /// Together with `tls_key`, corsair speaks HTTPS (HTTP/2 and HTTP/1.1, chosen by ALPN);
    /// without either, plain HTTP. One without the other is refused.
    pub tls_cert: Option<PathBuf>,
    /// The private key of `tls_cert` (PEM: PKCS#8, PKCS#1 or SEC1). Only its path is kept
    /// here; the key itself is read by `serve` and never shown.
    pub tls_key: Option<PathBuf>,
    /// Speak HTTP/2 to the upstream (h2c, prior knowledge, for `http://`; ALPN `h2` for
    /// `https://`), as gRPC backends need; else HTTP/1.1.
    pub upstream_http2: bool,
    /// How long connecting to the upstream may take before the client gets a `502`.
    pub connect_timeout: Duration,
    /// How long the upstream may take to send its response head before the client gets a `504`.
    pub upstream_timeout: Duration,
    /// How long a client may take to send a request head before it gets a `408`.
    pub header_read_timeout: Duration,
    /// How long an idle keep-alive connection (client or upstream) is kept open, and how long
    /// either side may pause in the middle of a body before the exchange is aborted.
    pub idle_timeout: Duration,
    /// How long in-flight requests may take to finish after SIGINT/SIGTERM.
    pub shutdown_grace: Duration,
    /// How long an upgraded connection (a WebSocket) may go without a byte in either direction
    /// before both sides are closed.
    pub tunnel_idle_timeout: Duration,
    /// The largest request head accepted; a larger one gets a `431`.
    pub max_header_bytes: usize,
    /// The most header lines of a request; more get a `431`.
    pub max_request_headers: usize,
    /// The most header lines of an upstream response; more get the client a `502`.
    pub max_response_headers: usize,
    /// How much of a request body is read before the upstream is connected to: a body that
    /// ends within it is sent whole, so a slow client never holds an upstream worker (`0`:
    /// stream every body as it arrives).
    pub request_buffer_bytes: usize,
    /// The most bytes that buffered request bodies hold at once over the process; a request
    /// that finds them all taken gets a `503` (`0`: nothing is buffered, every body streams).
    pub max_buffered_bytes: usize,
    /// The most bytes that the buffered request bodies of one client connection (the streams
    /// of an HTTP/2 connection) hold at once; beyond, a `503` (`0`: every body streams).
    pub max_buffered_bytes_per_connection: usize,
    /// The most client connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// The most concurrent requests (streams) one HTTP/2 client connection may have.
    pub max_streams_per_connection: u32,
    /// The most requests in flight to the upstream at once, over every worker; more wait for
    /// a free slot.
    pub max_upstream_requests: usize,
    /// How many threads serve connections, each with its own event loop and upstream
    /// connection pool (`None`: one per CPU core).
    pub workers: Option<usize>,
    /// Refuse a certificate that browsers would refuse or that drops names: expired or not
    /// yet valid (at start and at reload), or no longer valid for a name the running one
    /// covers (at reload). Without it these are warnings, and the certificate is served.
    pub tls_strict: bool,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8300)),
            upstream: Upstream::parse("http://127.0.0.1:8000").expect("valid default upstream"),
            preserve_host: None,
            tls_cert: None,
            tls_key: None,
            upstream_http2: false,
            connect_timeout: Duration::from_secs(5),
            upstream_timeout: Duration::from_secs(60),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            tunnel_idle_timeout: Duration::from_secs(300),
            shutdown_grace: Duration::from_secs(10),
            max_header_bytes: 64 * 1024,
            max_request_headers: 256,
            max_response_headers: 256,
            request_buffer_bytes: 1024 * 1024,
            max_buffered_bytes: 256 * 1024 * 1024,
            max_buffered_bytes_per_connection: 8 * 1024 * 1024,
            max_connections: 4096,
            max_streams_per_connection: 100,
            max_upstream_requests: 1024,
            workers: None,
            tls_strict: false,
        }
    }
}

impl ServerSettings {
    /// How many worker threads serve connections (see [`ServerSettings::workers`]).
    pub fn worker_count(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(1024))
        })
    }

    /// The certificate chain and key files when both are set: corsair then speaks HTTPS.
    pub fn tls_files(&self) -> Option<(&Path, &Path)> {
        Some((self.tls_cert.as_deref()?, self.tls_key.as_deref()?))
    }

    /// Whether the client's `Host` is forwarded (see [`ServerSettings::preserve_host`]).
    pub fn preserves_host(&self) -> bool {
        self.preserve_host
            .unwrap_or(self.upstream.scheme != Scheme::HTTPS)
    }
}

/// The upstream server: `http://host:port` or `https://host`, optionally with a path prefix that
/// every forwarded path is appended to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// `host:port`.
    pub authority: Authority,
    /// The path prefix without its trailing `/` (empty for none).
    pub prefix: String,
}

impl Upstream {
    /// Parses an upstream URL; the error says what to write instead.
    pub fn parse(raw: &str) -> Result<Upstream, String> {
        // Every message shows the URL without its password.
        let shown = redact_userinfo(raw);
        let uri: Uri = raw
            .parse()
            .map_err(|e| format!("`{shown}` is not a URL ({e})"))?;
        let scheme = match uri.scheme_str() {
            Some("http") => Scheme::HTTP,
            Some("https") => Scheme::HTTPS,
            Some(other) => return Err(format!("the scheme `{other}` is not http or https")),
            None => return Err(format!("`{shown}` has no scheme: write `http://{shown}`")),
        };
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| format!("`{shown}` has no host"))?;
        // Credentials are refused wherever a client would end them: a password holding `/`
        // ends the authority early for `http::Uri`, leaving the `@` in the path.
        if authority.as_str().contains('@') || super::userinfo::userinfo(raw).is_some() {
            return Err(format!(
                "`{shown}` has credentials, which corsair does not send (a proxy passes the \
                 client's own Authorization): have the upstream accept another credential, or \
                 set the header on the upstream's side (an `@` of the path is written %40)"
            ));
        }
        if let Some(port) = port_text(authority.as_str()) {
            if !port.parse::<u16>().is_ok_and(|p| p > 0) {
                return Err(format!(
                    "the port `{port}` of `{shown}` must be between 1 and 65535"
                ));
            }
        }
        if uri.query().is_some() {
            return Err(format!(
                "`{shown}` has a query, which an upstream cannot have"
            ));
        }
        Ok(Upstream {
            scheme,
            authority,
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// The URI a request for `path_and_query` (`None`: `/`) goes to. Without a path prefix,
    /// the request's own path and query are reused as they are, without a copy.
    pub fn target(&self, path_and_query: Option<&PathAndQuery>) -> Result<Uri, http::Error> {
        let path_and_query = match path_and_query {
            Some(path_and_query) if self.prefix.is_empty() => path_and_query.clone(),
            _ => {
                let path = path_and_query.map_or("/", PathAndQuery::as_str);
                PathAndQuery::try_from(format!("{}{path}", self.prefix))?
            }
        };
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
    }
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

/// The port of `host[:port]` as written (`None` without one; IPv6 literals are bracketed).
fn port_text(authority: &str) -> Option<&str> {
    let after_host = match authority.rfind(']') {
        Some(end) => &authority[end + 1..],
        None => authority,
    };
    after_host.rsplit_once(':').map(|(_, port)| port)
}

/// `raw` with the password of a URL's userinfo hidden, by the rule of every client (see
/// [`super::userinfo`]).
pub use super::userinfo::redact_userinfo;

/// A URL as the user wrote it, whose `Debug` and `Display` never show a password.
#[derive(Clone, PartialEq, Eq)]
pub struct UrlArg(pub String);

impl std::str::FromStr for UrlArg {
    type Err = std::convert::Infallible;

    fn from_str(raw: &str) -> Result<UrlArg, Self::Err> {
        Ok(UrlArg(raw.to_owned()))
    }
}

impl std::fmt::Debug for UrlArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", redact_userinfo(&self.0))
    }
}

impl std::fmt::Display for UrlArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_userinfo(&self.0))
    }
}

/// Parses a duration: whole seconds (`30`), or a number with a unit (`500ms`, `30s`, `2m`,
/// `1h`).
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{raw}` is not a duration: write e.g. `30s`, `500ms` or `2m`"))?;
    match unit.trim() {
        "" | "s" => Ok(Duration::from_secs(number)),
        "ms" => Ok(Duration::from_millis(number)),
        "m" => Ok(Duration::from_secs(number.saturating_mul(60))),
        "h" => Ok(Duration::from_secs(number.saturating_mul(3600))),
        other => Err(format!(
            "unknown unit `{other}` in `{raw}`: use ms, s, m or h"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams() {
        let ok = [
            (
                "http://127.0.0.1:8000",
                "http://127.0.0.1:8000",
                "/a?b",
                "http://127.0.0.1:8000/a?b",
            ),
            (
                "https://api.vendor.example",
                "https://api.vendor.example",
                "/x",
                "https://api.vendor.example/x",
            ),
            (
                "http://api.internal/v1/",
                "http://api.internal/v1",
                "/x",
                "http://api.internal/v1/x",
            ),
        ];
        for (raw, shown, path, target) in ok {
            let upstream = Upstream::parse(raw).unwrap();
            assert_eq!(upstream.to_string(), shown);
            let path = PathAndQuery::from_static(path);
            assert_eq!(upstream.target(Some(&path)).unwrap().to_string(), target);
        }
        let refused = [
            ("127.0.0.1:8000", "no scheme"),
            ("ftp://a.example", "not http or https"),
            ("http://a.example/?q=1", "query"),
            ("http://", "not a URL"),
            ("http://127.0.0.1:99999", "between 1 and 65535"),
            ("http://127.0.0.1:0", "between 1 and 65535"),
            ("http://[::1]:70000/x", "between 1 and 65535"),
            ("http://user:secret@a.example", "has credentials"),
            ("http://token@a.example", "has credentials"),
            ("http://user:secret/Pw@a.example", "has credentials"),
            ("http://user:secret?Pw@a.example:8000", "has credentials"),
            ("http://user:secret#Pw@a.example", "has credentials"),
        ];
        for (raw, reason) in refused {
            let err = Upstream::parse(raw).unwrap_err();
            assert!(err.contains(reason), "{raw}: {err}");
            assert!(!err.contains("secret") && !err.contains("token"), "{err}");
        }
        assert_eq!(
            Upstream::parse("http://[::1]:8000").unwrap().to_string(),
            "http://[::1]:8000"
        );
    }

    #[test]
    fn passwords_are_redacted() {
        let table = [
            ("http://user:secret@host", "http://user:***@host"),
            (
                "https://user:secret@host:8443/p?q",
                "https://user:***@host:8443/p?q",
            ),
            // The last `@` ends the userinfo (tokio-postgres reads it across `/`).
            ("http://secret@host/a@b", "http://***@b"),
            ("http://user:S3cr3t/Pw@host", "http://user:***@host"),
            ("60s", "60s"),
        ];
        for (raw, shown) in table {
            assert_eq!(redact_userinfo(raw), shown);
            assert!(!format!("{:?}", UrlArg(raw.to_owned())).contains("secret"));
        }
    }

    #[test]
    fn every_number_and_duration_key_has_a_range_that_admits_its_default() {
        let defaults = ServerSettings::default();
        let table: [(&str, Option<Duration>, Option<u64>); 16] = [
            ("connect_timeout", Some(defaults.connect_timeout), None),
            ("upstream_timeout", Some(defaults.upstream_timeout), None),
            (
                "header_read_timeout",
                Some(defaults.header_read_timeout),
                None,
            ),
            ("idle_timeout", Some(defaults.idle_timeout), None),
            (
                "tunnel_idle_timeout",
                Some(defaults.tunnel_idle_timeout),
                None,
            ),
            ("shutdown_grace", Some(defaults.shutdown_grace), None),
            (
                "max_header_bytes",
                None,
                Some(defaults.max_header_bytes as u64),
            ),
            (
                "max_request_headers",
                None,
                Some(defaults.max_request_headers as u64),
            ),
            (
                "max_response_headers",
                None,
                Some(defaults.max_response_headers as u64),
            ),
            (
                "request_buffer_bytes",
                None,
                Some(defaults.request_buffer_bytes as u64),
            ),
            (
                "max_buffered_bytes",
                None,
                Some(defaults.max_buffered_bytes as u64),
            ),
            (
                "max_buffered_bytes_per_connection",
                None,
                Some(defaults.max_buffered_bytes_per_connection as u64),
            ),
            (
                "max_connections",
                None,
                Some(defaults.max_connections as u64),
            ),
            (
                "max_streams_per_connection",
                None,
                Some(u64::from(defaults.max_streams_per_connection)),
            ),
            (
                "max_upstream_requests",
                None,
                Some(defaults.max_upstream_requests as u64),
            ),
            ("workers", None, Some(2)),
        ];
        for (key, duration, number) in table {
            let bounds = server_key(key).and_then(|k| k.bounds).expect(key);
            match (duration, number) {
                (Some(d), _) => {
                    assert!(bounds.admits_duration(d), "{key}");
                    assert!(
                        !bounds.admits_duration(Duration::from_secs(u64::MAX)),
                        "{key}"
                    );
                }
                (_, Some(n)) => {
                    assert!(bounds.admits_number(n), "{key}");
                    assert!(!bounds.admits_number(u64::MAX), "{key}");
                }
                _ => unreachable!(),
            }
        }
        let ranged = SERVER_KEYS.iter().filter(|k| k.bounds.is_some()).count();
        assert_eq!(ranged, table.len(), "every ranged key is in the table");
    }

    #[test]
    fn out_of_range_values_name_the_key_the_range_and_the_fix() {
        let (message, fix) = check_duration(
            "idle_timeout",
            "\"18446744073709551615s\"",
            Duration::from_secs(u64::MAX),
        )
        .unwrap_err();
        assert_eq!(
            message,
            "server.idle_timeout = \"18446744073709551615s\": must be between 1ms and 24h"
        );
        assert_eq!(fix, "write `idle_timeout = \"60s\"`");
        let (message, _) =
            check_number("max_connections", "9223372036854775807", i64::MAX as u64).unwrap_err();
        assert!(
            message.ends_with("must be between 1 and 1000000"),
            "{message}"
        );
        assert!(check_number("request_buffer_bytes", "0", 0).is_ok());
        assert!(check_duration("shutdown_grace", "0", Duration::ZERO).is_ok());
        assert!(check_duration("idle_timeout", "0", Duration::ZERO).is_err());
    }

    #[test]
    fn durations_are_shown_in_their_largest_exact_unit() {
        let table = [
            (Duration::ZERO, "0s"),
            (MS, "1ms"),
            (Duration::from_millis(1500), "1500ms"),
            (Duration::from_secs(10), "10s"),
            (Duration::from_secs(300), "5m"),
            (DAY, "24h"),
        ];
        for (duration, shown) in table {
            assert_eq!(show_duration(duration), shown);
        }
    }

    #[test]
    fn the_readme_and_the_sample_file_document_every_key_with_its_range() {
        let readme = include_str!("../../../../README.md");
        let sample = include_str!("../../../../corsair.toml");
        for key in &SERVER_KEYS {
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

    #[test]
    fn durations() {
        let table = [
            ("30", Some(Duration::from_secs(30))),
            ("30s", Some(Duration::from_secs(30))),
            ("250ms", Some(Duration::from_millis(250))),
            ("2m", Some(Duration::from_secs(120))),
            ("2h", Some(Duration::from_secs(7200))),
            ("2d", None),
            ("fast", None),
            ("-1s", None),
        ];
        for (raw, expected) in table {
            assert_eq!(parse_duration(raw).ok(), expected, "{raw}");
        }
    }
}
