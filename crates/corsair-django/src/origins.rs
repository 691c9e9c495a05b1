//! `CORS_ALLOWED_ORIGINS` as django-cors-headers compares it: each entry split like Python's
//! `urlsplit`, and allowed when the request's scheme and `host[:port]` equal the entry's, as
//! strings (the scheme in lower case, the host as written). So a path, query or fragment is
//! ignored (a warning here, where corsair refuses it), `*` is a literal character (never a
//! pattern), and `file://` is a special value.
//!
//! What is left for the engine's rules (credentials, hosts, ports, `null`) is the entry without
//! what Django ignores; [`Origins::original`] maps the engine's text back to the entry written.

use std::collections::HashMap;

use super::finding::DjangoFinding;
use super::input::kind;

/// The entries handed to the engine, and where each came from.
#[derive(Debug, Default)]
pub(crate) struct Origins {
    pub for_engine: Vec<String>,
    original: HashMap<String, String>,
}

impl Origins {
    /// The entry as written in the settings for an entry handed to the engine.
    pub fn original<'a>(&'a self, engine_text: &'a str) -> &'a str {
        self.original
            .get(engine_text)
            .map_or(engine_text, String::as_str)
    }
}

/// Judges the entries (`setting` is the name the project uses), returning what the engine
/// judges next and the findings only Django's comparison explains.
pub(crate) fn judge(
    entries: &[String],
    setting: &str,
    credentials: bool,
) -> (Origins, Vec<DjangoFinding>) {
    let mut origins = Origins::default();
    let mut findings = Vec::new();
    for raw in entries {
        let finding = |name: &str, message: String, fix: String| DjangoFinding {
            kind: kind(name),
            setting: setting.to_owned(),
            value: Some(serde_json::Value::String(raw.clone())),
            message,
            fix,
        };
        if raw
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case("file:"))
        {
            let mut message = "django-cors-headers allows the `file://` origin that Chrome on Android sends for local files, so any local HTML file can call you".to_owned();
            if credentials {
                message.push_str(", and read your users' data with their cookies");
            }
            findings.push(finding(
                "file-origin",
                message,
                "serve the page over http (e.g. `http://localhost:8080`) and allow that origin instead".to_owned(),
            ));
            continue;
        }
        let Some((scheme, after)) = raw.split_once("://") else {
            origins.push(raw, raw);
            continue;
        };
        let netloc_end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (netloc, tail) = after.split_at(netloc_end);
        if netloc.contains('*') {
            findings.push(finding(
                "origin-pattern-not-supported",
                "django-cors-headers has no origin patterns: it compares `host:port` as written, so the `*` never matches anything".to_owned(),
                format!(
                    "move it to CORS_ALLOWED_ORIGIN_REGEXES as r'{}'",
                    pattern_as_regex(scheme, netloc)
                ),
            ));
            continue;
        }
        let stripped = format!("{scheme}://{netloc}");
        if let Some(first) = tail.bytes().next() {
            let (name, what) = match first {
                b'/' if tail == "/" => ("origin-has-path", "a trailing `/`"),
                b'/' => ("origin-has-path", "a path"),
                b'?' => ("origin-has-query", "a query"),
                _ => ("origin-has-fragment", "a fragment"),
            };
            findings.push(finding(
                name,
                format!(
                    "the origin has {what}: django-cors-headers ignores it and still matches `{stripped}`, but browsers never send it and corsheaders.E014 reports it"
                ),
                format!("write `{stripped}`"),
            ));
        }
        origins.push(&stripped, raw);
    }
    (origins, findings)
}

impl Origins {
    fn push(&mut self, for_engine: &str, raw: &str) {
        self.original
            .entry(for_engine.to_owned())
            .or_insert_with(|| raw.to_owned());
        self.for_engine.push(for_engine.to_owned());
    }
}

/// corsair's patterns (`https://*.example.com`, `http://localhost:*`) as the regex Django needs.
fn pattern_as_regex(scheme: &str, netloc: &str) -> String {
    let (host, port) = match netloc.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (netloc, None),
    };
    let host = match host.strip_prefix("*.") {
        Some(parent) => format!(r"([a-z0-9-]+\.)+{}", escape_stars(parent)),
        None => escape_stars(host),
    };
    let port = match port {
        Some("*") => r"(:\d+)?".to_owned(),
        Some(port) => format!(":{}", escape_stars(port)),
        None => String::new(),
    };
    format!("^{}://{host}{port}$", regex_syntax::escape(scheme))
}

/// Escapes a host or port, with any other `*` standing for one label's characters.
fn escape_stars(text: &str) -> String {
    text.split('*')
        .map(regex_syntax::escape)
        .collect::<Vec<_>>()
        .join("[a-z0-9-]*")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(entries: &[&str]) -> (Vec<String>, Vec<&'static str>) {
        let entries: Vec<String> = entries.iter().map(|e| (*e).to_owned()).collect();
        let (origins, findings) = judge(&entries, "CORS_ALLOWED_ORIGINS", false);
        (
            origins.for_engine,
            findings.iter().map(|f| f.kind.name).collect(),
        )
    }

    #[test]
    fn what_django_ignores_is_a_warning_and_the_rest_goes_to_the_engine() {
        let (engine, found) = kinds(&[
            "https://example.com/",
            "https://example.com/app?x#y",
            "https://a.example?q",
            "https://b.example#f",
            "null",
            "localhost:8000",
        ]);
        assert_eq!(
            engine,
            [
                "https://example.com",
                "https://example.com",
                "https://a.example",
                "https://b.example",
                "null",
                "localhost:8000"
            ]
        );
        assert_eq!(
            found,
            [
                "origin-has-path",
                "origin-has-path",
                "origin-has-query",
                "origin-has-fragment"
            ]
        );
    }

    #[test]
    fn patterns_and_file_are_djangos_own() {
        let (engine, found) = kinds(&["https://*.example.com", "http://localhost:*", "file://"]);
        assert!(engine.is_empty());
        assert_eq!(
            found,
            [
                "origin-pattern-not-supported",
                "origin-pattern-not-supported",
                "file-origin"
            ]
        );
        assert_eq!(
            pattern_as_regex("https", "*.example.com"),
            r"^https://([a-z0-9-]+\.)+example\.com$"
        );
        assert_eq!(
            pattern_as_regex("http", "localhost:*"),
            r"^http://localhost(:\d+)?$"
        );
    }

    #[test]
    fn the_engine_text_maps_back_to_the_entry() {
        let entries = vec!["https://example.com/".to_owned()];
        let (origins, _) = judge(&entries, "CORS_ALLOWED_ORIGINS", true);
        assert_eq!(
            origins.original("https://example.com"),
            "https://example.com/"
        );
        assert_eq!(origins.original("https://other"), "https://other");
    }
}
