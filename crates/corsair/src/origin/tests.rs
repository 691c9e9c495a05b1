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
                assert_eq!(borrowed.bytes(), built.key().bytes(), "{origin}");
                assert_eq!(borrowed.host(), built.key().host(), "{origin}");
                assert_eq!(
                    borrowed.bytes(),
                    origin.as_bytes(),
                    "only canonical text is borrowed"
                );
            }
            Some(built.to_text())
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
    let built = CanonicalKey::new(b"HTTPS", b"Api.App.Example", Some(8443)).unwrap();
    let k = built.key();
    assert_eq!(built.to_text(), "https://api.app.example:8443");
    assert_eq!(k.bytes(), b"https://api.app.example:8443");
    assert_eq!(k.scheme(), b"https");
    assert_eq!(k.host(), b"api.app.example");
    assert_eq!(k.without_port(), b"https://api.app.example");
    assert_eq!(k.host_and_port_from(4), b"app.example:8443");
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

/// The reader as first written, one range comparison per byte: the model the table-driven
/// reader must agree with.
fn reference(value: &[u8]) -> Option<(usize, usize, Option<u16>, bool)> {
    if value.len() > MAX_ORIGIN_LEN {
        return None;
    }
    if value == b"null" {
        return Some((0, 0, None, true));
    }
    let mut lower = true;
    if !value.first()?.is_ascii_alphabetic() {
        return None;
    }
    let mut at = 0;
    loop {
        match *value.get(at)? {
            b':' => break,
            b'A'..=b'Z' => lower = false,
            b'a'..=b'z' | b'0'..=b'9' | b'+' | b'-' | b'.' => {}
            _ => return None,
        }
        at += 1;
    }
    let scheme_end = at;
    if scheme_end > 32 || value.get(at..at + 3)? != b"://" {
        return None;
    }
    let host_start = at + 3;
    at = host_start;
    if value.get(at) == Some(&b'[') {
        at += 1;
        let mut colon = false;
        loop {
            match *value.get(at)? {
                b']' => break,
                b':' => colon = true,
                b'A'..=b'F' => lower = false,
                b'0'..=b'9' | b'a'..=b'f' | b'.' => {}
                _ => return None,
            }
            at += 1;
        }
        if !colon {
            return None;
        }
        at += 1;
    } else {
        let mut previous = b'.';
        while let Some(&byte) = value.get(at) {
            match byte {
                b':' => break,
                b'.' if previous == b'.' => return None,
                b'A'..=b'Z' => lower = false,
                b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {}
                _ => return None,
            }
            previous = byte;
            at += 1;
        }
        if at == host_start {
            return None;
        }
    }
    let host_end = at;
    if host_end - host_start > 255 {
        return None;
    }
    let (port, canonical_port) = match value.get(at) {
        None => (None, true),
        Some(b':') => {
            let digits = &value[at + 1..];
            if digits.is_empty() || digits.len() > 5 {
                return None;
            }
            let mut port: u32 = 0;
            for &digit in digits {
                if !digit.is_ascii_digit() {
                    return None;
                }
                port = port * 10 + u32::from(digit - b'0');
            }
            let port = u16::try_from(port).ok()?;
            (Some(port), digits[0] != b'0' || digits.len() == 1)
        }
        Some(_) => return None,
    };
    let scheme = std::str::from_utf8(&value[..scheme_end]).ok()?;
    let default = port.is_some() && lower && default_port(scheme.as_bytes()) == port;
    Some((
        scheme_end,
        host_end,
        port,
        lower && canonical_port && !default,
    ))
}

fn parsed(value: &[u8]) -> Option<(usize, usize, Option<u16>, bool)> {
    match RequestOrigin::parse(value)? {
        RequestOrigin::Null => Some((0, 0, None, true)),
        RequestOrigin::Tuple(tuple) => Some((
            tuple.scheme_end,
            tuple.host_end,
            tuple.port,
            tuple.canonical,
        )),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

    /// Origin-like text from a small alphabet, where every rule of the reader is exercised.
    #[test]
    fn the_reader_agrees_with_its_model(
        value in "[a-zA-Z][a-zA-Z0-9+.:/_\\-]{0,8}(://)?[a-zA-Z0-9._\\-\\[\\]:]{0,12}(:[0-9]{0,6})?",
    ) {
        proptest::prop_assert_eq!(parsed(value.as_bytes()), reference(value.as_bytes()), "{}", value);
    }

    /// Any bytes at all.
    #[test]
    fn the_reader_agrees_with_its_model_on_any_bytes(
        value in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
    ) {
        proptest::prop_assert_eq!(parsed(&value), reference(&value));
    }
}

#[test]
fn the_reader_agrees_with_its_model_on_long_hosts() {
    for len in [250, 255, 256, 300, 330] {
        for origin in [
            format!("https://{}", "a".repeat(len)),
            format!("https://{}:8080", "a".repeat(len)),
            format!("https://a.{}", "b".repeat(len)),
        ] {
            assert_eq!(
                parsed(origin.as_bytes()),
                reference(origin.as_bytes()),
                "{len}"
            );
        }
    }
}
