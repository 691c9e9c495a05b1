//! Untrusted configuration files: parsing and validation never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = toml::from_str::<corsair::CorsConfig>(text) {
        let _ = corsair::Cors::from_config(&config).map(|cors| cors.to_string());
    }
});
