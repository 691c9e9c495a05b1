//! Tests of `origin`.

use super::*;

/// The canonical key of a request origin, checking that the no-copy path, when taken,
/// agrees with the built key.
fn key(origin: &str) -> Option<String> {
    match RequestOrigin::parse(origin.as_bytes())? {
        RequestOrigin::Null => Some("null".into()),
        RequestOrigin::Tuple(tuple) => {
            let built = CanonicalKey::new(tuple.scheme(), tuple.host(), tuple.port())?;
            if let Some(borrowed) = tuple.as_canonical() {
                assert_eq!(borrowed.as_str(), built.as_str(), "{origin}");
                assert_eq!(borrowed.host(), built.key().host(), "{origin}");
                assert_eq!(borrowed.as_str(), origin, "only canonical text is borrowed");
            }
            Some(built.as_str().to_owned())
        }
    }
}

#[test]
fn canonical_text_is_borrowed() {
    let table = [
        ("https://app.example", true),
        ("http://localhost:8080", true),
        ("http://[::1]:8000", true),
        ("https://app.example:0", true),
        ("HTTPS://app.example", false),
        ("https://App.example", false),
        ("http://[::ABCD]", false),
        ("https://app.example:443", false),
        ("http://app.example:80", false),
        ("https://app.example:0080", false),
    ];
    for (origin, canonical) in table {
        let Some(RequestOrigin::Tuple(tuple)) = RequestOrigin::parse(origin.as_bytes()) else {
            panic!("{origin} parses");
        };
        assert_eq!(tuple.as_canonical().is_some(), canonical, "{origin}");
    }
}

#[test]
fn request_origins_table() {
    let table: &[(&str, Option<&str>)] = &[
        ("https://app.example", Some("https://app.example")),
        ("http://localhost:8080", Some("http://localhost:8080")),
        ("HTTPS://App.Example", Some("https://app.example")),
        ("https://app.example:443", Some("https://app.example")),
        ("http://app.example:80", Some("http://app.example")),
        ("http://app.example:443", Some("http://app.example:443")),
        ("https://app.example:0080", Some("https://app.example:80")),
        ("http://[::1]:8000", Some("http://[::1]:8000")),
        ("http://127.0.0.1:8000", Some("http://127.0.0.1:8000")),
        (
            "chrome-extension://abcdef",
            Some("chrome-extension://abcdef"),
        ),
        ("null", Some("null")),
        ("NULL", None),
        ("", None),
        ("app.example", None),
        ("https://", None),
        ("https://app.example/", None),
        ("https://app.example/path", None),
        ("https://app.example?q", None),
        ("https://app.example#f", None),
        ("https://user@app.example", None),
        ("https://app.example:", None),
        ("https://app.example:65536", None),
        ("https://app.example:123456", None),
        ("https://app.example:-1", None),
        ("https://app .example", None),
        ("https://app.example ", None),
        (" https://app.example", None),
        ("https://[::1", None),
        ("https://::1]", None),
        ("https://[]", None),
        ("https://.app.example", None),
        ("https://app..example", None),
        ("1https://app.example", None),
        ("https://bücher.example", None),
        ("https://app.example,https://b.example", None),
    ];
    for (input, expected) in table {
        assert_eq!(key(input).as_deref(), *expected, "{input:?}");
    }
}

#[test]
fn over_long_origins_are_refused() {
    let host = "a".repeat(MAX_ORIGIN_LEN);
    assert_eq!(key(&format!("https://{host}")), None);
    let host = "a".repeat(250);
    assert!(key(&format!("https://{host}:65535")).is_some());
}

#[test]
fn key_parts() {
    let built = CanonicalKey::new("HTTPS", "Api.App.Example", Some(8443)).unwrap();
    let k = built.key();
    assert_eq!(k.as_str(), "https://api.app.example:8443");
    assert_eq!(k.scheme(), "https");
    assert_eq!(k.host(), "api.app.example");
    assert_eq!(k.without_port(), "https://api.app.example");
    assert_eq!(k.host_and_port_from(4), "app.example:8443");
}

#[test]
fn loopback_hosts() {
    for host in [
        "localhost",
        "app.localhost",
        "127.0.0.1",
        "127.9.9.9",
        "[::1]",
    ] {
        assert!(is_loopback_host(host), "{host}");
    }
    for host in ["localhost.example", "128.0.0.1", "example.com", "[::2]"] {
        assert!(!is_loopback_host(host), "{host}");
    }
}
