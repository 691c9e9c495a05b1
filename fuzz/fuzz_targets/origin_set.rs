//! Untrusted entries from a store (a Redis set, a table) through an origin set: validation never
//! panics, and the set stays a set: an entry it accepts is in it, one it removes is not, and its
//! length is the number of its entries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let entries: Vec<&str> = text.split('\n').collect();
    let (loaded, changes) = entries.split_at(entries.len() / 2);
    let set = corsair::OriginSet::new();
    let _ = set.replace(loaded);
    for (i, entry) in changes.iter().enumerate() {
        if i % 2 == 0 {
            if set.insert(entry).is_ok() {
                assert!(set.contains(entry), "{entry:?} was accepted but is not in the set");
            }
        } else {
            let _ = set.remove(entry);
            assert!(!set.contains(entry), "{entry:?} was removed but is still in the set");
        }
    }
    assert_eq!(set.len(), set.origins().len());
    // A policy consulting the set decides on any request origin without panicking.
    let cors = corsair::Cors::builder()
        .allowed_origins_from(set.clone())
        .allow_credentials(entries.len() % 2 == 0)
        .build()
        .expect("a set is a way to allow origins");
    for entry in &entries {
        let Ok(value) = http::HeaderValue::from_str(entry) else {
            continue;
        };
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::ORIGIN, value);
        let _ = cors.evaluate(&http::Method::GET, &http::Uri::from_static("/"), &headers);
    }
});
