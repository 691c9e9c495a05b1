//! Untrusted HAR files through the reader (what `corsair check --har` reads): any bytes, any
//! JSON. The reader never panics, keeps only requests that are entries of the file, and every
//! request it keeps can be handed to the browser model.
#![no_main]

use corsair_browser::har::{self, ReadOptions};
use corsair_browser::{Fetch, Progress};
use http::{HeaderMap, StatusCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions::new().max_bytes(1 << 20).origin("https://app.example");
    let Ok(recording) = har::read(data, &options) else {
        return;
    };
    for request in &recording.requests {
        assert!(request.entry < recording.entries);
        let _ = request.assumptions();
        let Ok(built) = request.browser_request(request.credentials.mode) else {
            continue;
        };
        // One empty answer: the model reaches a verdict or asks for the next request.
        if let Progress::Send(fetch) = Fetch::start(built) {
            let _ = fetch.receive(StatusCode::OK, &HeaderMap::new());
        }
    }
});
