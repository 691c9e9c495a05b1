//! The `[server]` table: where `corsair serve` listens, where it forwards, and its timeouts and
//! limits. Every default is safe for a server facing the internet.

use std::net::SocketAddr;
use std::time::Duration;

use http::Uri;
use http::uri::{Authority, Scheme};

/// The `[server]` keys, in the order the sample file documents them.
pub const SERVER_KEYS: [&str; 11] = [
    "listen",
    "upstream",
    "preserve_host",
    "connect_timeout",
    "upstream_timeout",
    "header_read_timeout",
    "idle_timeout",
    "shutdown_grace",
    "max_header_bytes",
    "max_connections",
    "workers",
];

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
    /// The largest request head accepted; a larger one gets a `431`.
    pub max_header_bytes: usize,
    /// The most client connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// How many threads serve connections, each with its own event loop and upstream
    /// connection pool (`None`: one per CPU core).
    pub workers: Option<usize>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8300)),
            upstream: Upstream::parse("http://127.0.0.1:8000").expect("valid default upstream"),
            preserve_host: None,
            connect_timeout: Duration::from_secs(5),
            upstream_timeout: Duration::from_secs(60),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(10),
            max_header_bytes: 64 * 1024,
            max_connections: 4096,
            workers: None,
        }
    }
}

impl ServerSettings {
    /// How many worker threads serve connections (see [`ServerSettings::workers`]).
    pub fn worker_count(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
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
        let uri: Uri = raw
            .parse()
            .map_err(|e| format!("`{raw}` is not a URL ({e})"))?;
        let scheme = match uri.scheme_str() {
            Some("http") => Scheme::HTTP,
            Some("https") => Scheme::HTTPS,
            Some(other) => return Err(format!("the scheme `{other}` is not http or https")),
            None => return Err(format!("`{raw}` has no scheme: write `http://{raw}`")),
        };
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| format!("`{raw}` has no host"))?;
        if uri.query().is_some() {
            return Err(format!(
                "`{raw}` has a query, which an upstream cannot have"
            ));
        }
        Ok(Upstream {
            scheme,
            authority,
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// The URI a request for `path_and_query` goes to.
    pub fn target(&self, path_and_query: &str) -> Result<Uri, http::Error> {
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(format!("{}{path_and_query}", self.prefix))
            .build()
    }
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

/// Parses a duration: whole seconds (`30`), or a number with a unit (`500ms`, `30s`, `2m`).
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
        other => Err(format!("unknown unit `{other}` in `{raw}`: use ms, s or m")),
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
            assert_eq!(upstream.target(path).unwrap().to_string(), target);
        }
        let refused = [
            ("127.0.0.1:8000", "no scheme"),
            ("ftp://a.example", "not http or https"),
            ("http://a.example/?q=1", "query"),
            ("http://", "not a URL"),
        ];
        for (raw, reason) in refused {
            let err = Upstream::parse(raw).unwrap_err();
            assert!(err.contains(reason), "{raw}: {err}");
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
            ("2h", None),
            ("fast", None),
            ("-1s", None),
        ];
        for (raw, expected) in table {
            assert_eq!(parse_duration(raw).ok(), expected, "{raw}");
        }
    }
}
