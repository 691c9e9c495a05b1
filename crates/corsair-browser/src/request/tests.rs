//! Tests of `request`.

use super::*;

fn request(method: &str, headers: &[(&str, &str)], body: Body) -> BrowserRequest {
    let mut b = BrowserRequest::builder("https://app.example", "https://api.example/x")
        .method(method)
        .body(body);
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    b.build().unwrap()
}

#[test]
fn method_normalisation_table() {
    let table: &[(&str, Result<&str, ()>)] = &[
        ("get", Ok("GET")),
        ("Delete", Ok("DELETE")),
        ("head", Ok("HEAD")),
        ("options", Ok("OPTIONS")),
        ("post", Ok("POST")),
        ("pUt", Ok("PUT")),
        ("patch", Ok("patch")),
        ("PATCH", Ok("PATCH")),
        ("propfind", Ok("propfind")),
        ("CONNECT", Err(())),
        ("trace", Err(())),
        ("Track", Err(())),
        ("", Err(())),
        ("GET\r\n", Err(())),
        ("G(ET", Err(())),
    ];
    for (input, expected) in table {
        let got = normalize_method(input);
        assert_eq!(got.as_deref().ok(), expected.ok(), "{input:?}");
    }
}

#[test]
fn preflight_needed_table() {
    type Row = (
        &'static str,
        &'static [(&'static str, &'static str)],
        Body,
        bool,
        &'static [&'static str],
    );
    let table: &[Row] = &[
        ("GET", &[], Body::None, false, &[]),
        ("HEAD", &[], Body::None, false, &[]),
        ("POST", &[], Body::Text, false, &[]),
        ("POST", &[], Body::UrlSearchParams, false, &[]),
        ("POST", &[], Body::FormData, false, &[]),
        (
            "POST",
            &[],
            Body::Blob(Some("application/json".into())),
            true,
            &["content-type"],
        ),
        ("POST", &[], Body::Stream, true, &[]),
        ("GET", &[], Body::None, false, &[]),
        ("put", &[], Body::None, true, &[]),
        ("patch", &[], Body::None, true, &[]),
        ("DELETE", &[], Body::None, true, &[]),
        (
            "GET",
            &[("Accept", "application/json")],
            Body::None,
            false,
            &[],
        ),
        (
            "GET",
            &[("Authorization", "Bearer x")],
            Body::None,
            true,
            &["authorization"],
        ),
        (
            "POST",
            &[("Content-Type", "application/json")],
            Body::Text,
            true,
            &["content-type"],
        ),
        (
            "GET",
            &[("X-B", "1"), ("x-a", "1"), ("X-A", "2")],
            Body::None,
            true,
            &["x-a", "x-b"],
        ),
        // Forbidden headers are dropped, so they never make a request unsafe.
        (
            "GET",
            &[("Cookie", "a=1"), ("Sec-Foo", "1")],
            Body::None,
            false,
            &[],
        ),
        // Two safelisted values combined are judged together.
        (
            "POST",
            &[
                ("Content-Type", "text/plain"),
                ("Content-Type", "text/plain"),
            ],
            Body::None,
            true,
            &["content-type"],
        ),
    ];
    for (method, headers, body, preflight, names) in table {
        let r = request(method, headers, body.clone());
        assert_eq!(
            r.needs_preflight(),
            *preflight,
            "{method} {headers:?} {body:?}"
        );
        assert_eq!(r.unsafe_header_names(), *names, "{method} {headers:?}");
    }
}

#[test]
fn safelisted_values_over_1024_bytes_in_total_become_unsafe() {
    // Combined per name, five safelisted names of at most 128 bytes stay under 1024; the
    // rule bites on the Fetch standard's uncombined header list, which this reads too.
    let entries = |count: usize| -> Vec<(String, String)> {
        (0..count)
            .map(|i| {
                let name = ["accept", "accept-language", "content-language"][i % 3];
                (name.to_owned(), "a".repeat(120))
            })
            .collect()
    };
    assert!(unsafe_header_names(&entries(8)).is_empty()); // 960 bytes
    assert_eq!(
        unsafe_header_names(&entries(9)), // 1080 bytes
        ["accept", "accept-language", "content-language"]
    );
}

#[test]
fn request_errors() {
    let build = |method: &str, header: (&str, &str), body: Body| {
        BrowserRequest::builder("https://app.example", "https://api.example/")
            .method(method)
            .header(header.0, header.1)
            .body(body)
            .build()
    };
    assert_eq!(
        build("GET", ("x", "1"), Body::Text),
        Err(RequestError::BodyWithGetOrHead)
    );
    assert_eq!(
        build("GET", ("x y", "1"), Body::None),
        Err(RequestError::InvalidHeaderName("x y".into()))
    );
    assert_eq!(
        build("GET", ("x", "a\nb"), Body::None),
        Err(RequestError::InvalidHeaderValue("x".into()))
    );
    assert!(matches!(
        BrowserRequest::builder("app.example", "https://api.example/").build(),
        Err(RequestError::InvalidPageOrigin(_))
    ));
    assert!(matches!(
        BrowserRequest::builder("https://app.example", "/relative").build(),
        Err(RequestError::InvalidUrl(_))
    ));
    // Header values are trimmed, not refused, for surrounding whitespace.
    let r = build("GET", ("x-a", "  v \t"), Body::None).unwrap();
    assert_eq!(r.headers()[0].1, "v");
}
