//! How long browsers keep a preflight's answer (`Access-Control-Max-Age`).

/// The longest each engine caches a preflight, in seconds: Chromium 2 h, Firefox 24 h, WebKit
/// (Safari) 10 min.
///
/// ```
/// let chromium = corsair::browser::MAX_AGE_CAPS.iter().find(|(engine, _)| *engine == "Chromium");
/// assert_eq!(chromium.unwrap().1, 7200);
/// ```
pub const MAX_AGE_CAPS: [(&str, u64); 3] =
    [("Chromium", 7200), ("Firefox", 86_400), ("Safari", 600)];

/// The cache lifetime when `Access-Control-Max-Age` is absent or unparseable, in seconds.
pub const DEFAULT_MAX_AGE: u64 = 5;

/// The seconds Chromium caches a preflight for, given the `Access-Control-Max-Age` value:
/// absent or unparseable means 5, negative means 0 (no caching), and the value is capped at
/// 7200.
///
/// ```
/// use corsair::browser::chromium_max_age;
///
/// assert_eq!(chromium_max_age(None), 5);
/// assert_eq!(chromium_max_age(Some("600")), 600);
/// assert_eq!(chromium_max_age(Some("86400")), 7200);
/// assert_eq!(chromium_max_age(Some("-1")), 0);
/// assert_eq!(chromium_max_age(Some("ten")), 5);
/// ```
pub fn chromium_max_age(value: Option<&str>) -> u64 {
    match value.map(|v| v.trim().parse::<i64>()) {
        Some(Ok(seconds)) if seconds < 0 => 0,
        Some(Ok(seconds)) => seconds.unsigned_abs().min(7200),
        _ => DEFAULT_MAX_AGE,
    }
}
