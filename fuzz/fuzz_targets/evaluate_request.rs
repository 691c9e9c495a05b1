//! Untrusted request heads through the engine: classification, origin matching, header writing
//! and the preflight explanation never panic, and only the request's own origin (or `*`) is ever
//! allowed.
#![no_main]

use std::sync::OnceLock;

use corsair::Cors;
use http::{HeaderMap, HeaderValue, Method, Uri};
use libfuzzer_sys::fuzz_target;

fn policy() -> &'static Cors {
    static POLICY: OnceLock<Cors> = OnceLock::new();
    POLICY.get_or_init(|| {
        Cors::builder()
            .allowed_origins([
                "https://app.example",
                "https://*.example.com",
                "http://localhost:*",
                "null",
            ])
            .allowed_origin_regexes([r"https://pr-\d+\.preview\.example"])
            .expose_headers(["x-request-id"])
            .allow_private_network(true)
            .urls_regex("^/(api|v[0-9])/")
            .build()
            .expect("valid policy")
    })
}

fuzz_target!(|data: &[u8]| {
    // Fields separated by 0xFF: origin, method, path, requested headers, private network.
    let mut fields = data.split(|&b| b == 0xFF);
    let origin = fields.next().unwrap_or_default();
    let method = Method::from_bytes(fields.next().unwrap_or(b"GET")).unwrap_or(Method::GET);
    let uri = Uri::try_from(fields.next().unwrap_or(b"/api/x")).unwrap_or_else(|_| Uri::from_static("/api/x"));
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(origin) {
        headers.append("origin", value);
    }
    for name in ["access-control-request-headers", "access-control-request-private-network"] {
        if let Some(Ok(value)) = fields.next().map(HeaderValue::from_bytes) {
            headers.append(name, value);
        }
    }
    if method == Method::OPTIONS {
        headers.insert("access-control-request-method", HeaderValue::from_static("PUT"));
    }
    let cors = policy();
    let Some(decision) = cors.evaluate(&method, &uri, &headers).now() else {
        return;
    };
    if let Some(allowed) = decision.allow_origin() {
        assert!(allowed == "*" || allowed.as_bytes() == origin);
    }
    let mut response = HeaderMap::new();
    cors.apply(&decision, &mut response);
    let _ = cors.explain_preflight(&uri, &headers);
});
