//! The upstream server: where `corsair serve` forwards, checked when it is read (an `http` or
//! `https` URL, without credentials or query), and the URI each request goes to.

use http::Uri;
use http::uri::{Authority, PathAndQuery, Scheme};

use crate::settings::userinfo::{redact_userinfo, userinfo};

/// The upstream server: `http://host:port` or `https://host`, optionally with a path prefix that
/// every forwarded path is appended to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upstream {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// `host:port`.
    pub authority: Authority,
    /// The path prefix without its trailing `/` (empty for none).
    pub prefix: String,
}

impl Upstream {
    /// Parses an upstream URL; the error says what to write instead.
    pub(crate) fn parse(raw: &str) -> Result<Upstream, String> {
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
        if authority.as_str().contains('@') || userinfo(raw).is_some() {
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
    pub(crate) fn target(&self, path_and_query: Option<&PathAndQuery>) -> Result<Uri, http::Error> {
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
}
