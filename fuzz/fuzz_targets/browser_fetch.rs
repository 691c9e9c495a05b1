//! Untrusted server answers through the browser model (what `corsair check` reads from a live
//! URL): any status, any `Access-Control-*`, `Vary` or `Location` values, any number of
//! redirects. The model never panics, records every answer it took, and explains a refusal in
//! Chromium's words.
#![no_main]

use corsair_browser::{BrowserRequest, Credentials, Fetch, Progress};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use libfuzzer_sys::fuzz_target;

/// The response headers the model reads, chosen by one byte each.
const NAMES: [&str; 10] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
    "access-control-allow-private-network",
    "location",
    "vary",
    "set-cookie",
];

fuzz_target!(|data: &[u8]| {
    // Records separated by 0xFF. The first chooses the request (method, credentials, one
    // header); each later one is a response: two status bytes, then header lines of one name
    // byte and a value, separated by 0xFE.
    let mut records = data.split(|&b| b == 0xFF);
    let setup = records.next().unwrap_or_default();
    let credentials = match setup.first().map(|b| b % 3) {
        Some(0) => Credentials::Omit,
        Some(1) => Credentials::Include,
        _ => Credentials::SameOrigin,
    };
    let method = String::from_utf8_lossy(setup.get(1..setup.len().min(8)).unwrap_or_default());
    let header_value = String::from_utf8_lossy(setup.get(8..).unwrap_or_default());
    let built = BrowserRequest::builder("http://localhost:8080", "http://127.0.0.1:8000/api/items")
        .method(if method.is_empty() { "GET".to_owned() } else { method.into_owned() })
        .header("x-fuzz", header_value.into_owned())
        .credentials(credentials)
        .build();
    let Ok(request) = built else {
        return;
    };
    let mut progress = Fetch::start(request);
    let mut received = 0;
    for record in records {
        let Progress::Send(fetch) = progress else {
            break;
        };
        let status = match record {
            [high, low, ..] => u16::from_be_bytes([*high, *low]) % 600,
            _ => 200,
        };
        let status = StatusCode::from_u16(status.max(100)).unwrap_or(StatusCode::OK);
        let mut headers = HeaderMap::new();
        for line in record.get(2..).unwrap_or_default().split(|&b| b == 0xFE) {
            let Some((&name, value)) = line.split_first() else {
                continue;
            };
            let name = HeaderName::from_static(NAMES[usize::from(name) % NAMES.len()]);
            if let Ok(value) = HeaderValue::from_bytes(value) {
                headers.append(name, value);
            }
        }
        progress = fetch.receive(status, &headers);
        received += 1;
    }
    if let Progress::Done(verdict) = progress {
        // Every answer the model took is on record, and a refusal is explained.
        assert_eq!(verdict.exchanges.len(), received);
        if let (Some(message), Some(failure)) = (verdict.message(), verdict.failure()) {
            let cors_message = message.starts_with("Access to fetch at '");
            assert_eq!(cors_message, failure.is_cors_error(), "{message}");
        }
    }
});
