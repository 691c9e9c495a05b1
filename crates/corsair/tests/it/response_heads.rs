//! A response map without room gets a copy of the policy's preset headers; a map with room is
//! written header by header. Both ways write the same headers, in the same order.

use http::{HeaderMap, HeaderValue, Method, Uri};

use corsair::{Cors, RequestKind};

/// The headers of the decision on a request, written into a fresh map (the preset's copy)
/// and into a map with room (header by header), in order.
fn both_ways(cors: &Cors, method: &Method, request: &[(&str, &str)]) -> [Vec<String>; 2] {
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
    [write(HeaderMap::new()), write(HeaderMap::with_capacity(16))]
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
    for (index, cors) in policies.iter().enumerate() {
        for (method, request) in &requests {
            let [copied, written] = both_ways(cors, method, request);
            assert_eq!(copied, written, "policy {index}, {method} {request:?}");
        }
    }
}
