//! A response map without room gets a copy of the policy's preset headers; a map with room is
//! written header by header. Both ways write the same headers, in the same order, and so do a
//! preflight's preset lines in HTTP/1.1 form where the policy has them.

use http::{HeaderMap, HeaderValue, Method, Uri};

use corsair::{Cors, RequestKind};

/// The headers of the decision on a request, written into a fresh map (the preset's copy)
/// and into a map with room (header by header), in order; and the preflight's preset lines,
/// when it has them.
fn every_way(
    cors: &Cors,
    method: &Method,
    request: &[(&str, &str)],
) -> ([Vec<String>; 2], Option<Vec<String>>) {
    let mut headers = HeaderMap::new();
    for (name, value) in request {
        headers.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let uri = Uri::from_static("/api/items");
    let decision = cors.evaluate(method, &uri, &headers).now().unwrap();
    let write = |mut response: HeaderMap| {
        match decision.kind() {
            RequestKind::Preflight => cors.write_preflight_headers(&decision, &mut response),
            _ => cors.apply(&decision, &mut response),
        }
        response
            .iter()
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
            .collect::<Vec<_>>()
    };
    let mut lines = Vec::new();
    let preset = cors.write_preflight_lines(&decision, &mut lines);
    assert!(
        preset || lines.is_empty(),
        "nothing is written without a preset"
    );
    let lines = preset.then(|| {
        let text = String::from_utf8(lines).unwrap();
        let text = text.strip_suffix("\r\n").expect("lines end with CRLF");
        text.split("\r\n").map(str::to_owned).collect()
    });
    (
        [write(HeaderMap::new()), write(HeaderMap::with_capacity(16))],
        lines,
    )
}

#[test]
fn a_preset_copy_writes_what_writing_header_by_header_writes() {
    let policies = [
        Cors::builder()
            .allowed_origins(["https://app.example"])
            .allow_credentials(true)
            .allow_methods(["GET", "PUT"])
            .allow_headers(["content-type"])
            .expose_headers(["x-request-id"])
            .preflight_max_age(600)
            .build()
            .unwrap(),
        Cors::builder().allow_all_origins(true).build().unwrap(),
        Cors::builder()
            .allowed_origins(["https://app.example"])
            .allow_private_network(true)
            .route("^/api/", Cors::builder().allow_all_origins(true))
            .build()
            .unwrap(),
    ];
    let requests: [(Method, &[(&str, &str)]); 6] = [
        (Method::GET, &[("origin", "https://app.example")]),
        (Method::GET, &[("origin", "https://evil.example")]),
        (Method::GET, &[]),
        (
            Method::OPTIONS,
            &[
                ("origin", "https://app.example"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        (
            Method::OPTIONS,
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        (
            Method::OPTIONS,
            &[
                ("origin", "https://app.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-private-network", "true"),
            ],
        ),
    ];
    let mut preset_lines = 0;
    for (index, cors) in policies.iter().enumerate() {
        for (method, request) in &requests {
            let ([copied, written], lines) = every_way(cors, method, request);
            assert_eq!(copied, written, "policy {index}, {method} {request:?}");
            if let Some(lines) = lines {
                assert_eq!(lines, written, "lines of policy {index}, {request:?}");
                preset_lines += 1;
            }
        }
    }
    // The preflights of allowed origins: one on the first policy, three on the others.
    assert_eq!(preset_lines, 7);
}

/// An actual response's headers written as lines (`Cors::write_actual_lines`, for a server that
/// writes heads as bytes) are those `Cors::apply` writes into the response's map, `Vary`
/// included, whatever `Vary` the response had.
#[test]
fn actual_response_lines_write_what_apply_writes_into_a_map() {
    let policies = [
        Cors::builder()
            .allowed_origins(["https://app.example"])
            .allow_credentials(true)
            .expose_headers(["x-request-id"])
            .build()
            .unwrap(),
        Cors::builder().allow_all_origins(true).build().unwrap(),
        Cors::builder()
            .allowed_origins(["https://app.example"])
            .urls_regex("^/api/")
            .build()
            .unwrap(),
    ];
    let origins = [
        Some("https://app.example"),
        Some("https://evil.example"),
        Some("not an origin"),
        None,
    ];
    let varies: [&[&str]; 7] = [
        &[],
        &["accept-encoding"],
        &["Origin"],
        &["accept-encoding, origin"],
        &["*"],
        &["accept", "cookie"],
        &["accept", "origin"],
    ];
    let mut compared = 0;
    for (index, cors) in policies.iter().enumerate() {
        for path in ["/api/items", "/other"] {
            for origin in origins {
                let mut request = HeaderMap::new();
                if let Some(origin) = origin {
                    request.insert("origin", HeaderValue::from_str(origin).unwrap());
                }
                let uri = Uri::from_static(if path == "/other" {
                    "/other"
                } else {
                    "/api/items"
                });
                let decision = cors.evaluate(&Method::GET, &uri, &request).now().unwrap();
                for vary in varies {
                    let mut map = HeaderMap::new();
                    for value in vary {
                        map.append(http::header::VARY, HeaderValue::from_static(value));
                    }
                    cors.apply(&decision, &mut map);
                    let from_map: Vec<String> = map
                        .iter()
                        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
                        .collect();
                    let mut lines = Vec::new();
                    cors.write_actual_lines(
                        &decision,
                        vary.iter().map(|value| value.as_bytes()),
                        &mut lines,
                    );
                    let text = String::from_utf8(lines).unwrap();
                    let from_lines: Vec<String> =
                        text.split_terminator("\r\n").map(str::to_owned).collect();
                    let case = format!("policy {index}, {path}, {origin:?}, vary {vary:?}");
                    assert_eq!(from_lines, from_map, "{case}");
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 3 * 2 * 4 * 7);
}
