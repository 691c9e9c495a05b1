//! Untrusted environments (`NAME=value` lines): loading and validation never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let vars = text.lines().filter_map(|line| line.split_once('='));
    if let Ok(loaded) = corsair::CorsConfig::from_env_vars(vars) {
        let _ = corsair::Cors::from_config(&loaded.config);
    }
});
