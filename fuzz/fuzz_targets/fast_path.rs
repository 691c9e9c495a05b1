//! The fast path of `corsair serve` against its general path: the same client bytes, read by
//! the fast path's head reader and written by its upstream writer, and read by hyper with the
//! general path's edge rules and edits, must reach the upstream as the same requests, or the
//! fast path must leave them to the general path. The first byte chooses the route (the
//! client's `Host` kept or not, a path prefix or not).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    corsair_cli::fuzzing::fast_path(data);
});
