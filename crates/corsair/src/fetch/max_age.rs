//! How long browsers keep a preflight's answer in the
//! [CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache): the
//! `Access-Control-Max-Age` default, and each engine's cap.

/// Chromium's cap, in seconds (2 hours); anything above is cut to this.
///
/// ```
/// assert_eq!(corsair::fetch::max_age::CHROMIUM_MAX_AGE_CAP, 2 * 60 * 60);
/// ```
pub const CHROMIUM_MAX_AGE_CAP: u64 = 7_200;

/// Firefox's cap, in seconds (24 hours): no browser caches a preflight longer.
///
/// ```
/// assert_eq!(corsair::fetch::max_age::FIREFOX_MAX_AGE_CAP, 24 * 60 * 60);
/// ```
pub const FIREFOX_MAX_AGE_CAP: u64 = 86_400;

/// WebKit's (Safari's) cap, in seconds (10 minutes).
///
/// ```
/// assert_eq!(corsair::fetch::max_age::SAFARI_MAX_AGE_CAP, 600);
/// ```
pub const SAFARI_MAX_AGE_CAP: u64 = 600;

/// Each engine and its cap, shortest-lived last.
///
/// ```
/// let chromium = corsair::fetch::max_age::MAX_AGE_CAPS.iter().find(|(engine, _)| *engine == "Chromium");
/// assert_eq!(chromium.unwrap().1, 7200);
/// ```
pub const MAX_AGE_CAPS: [(&str, u64); 3] = [
    ("Chromium", CHROMIUM_MAX_AGE_CAP),
    ("Firefox", FIREFOX_MAX_AGE_CAP),
    ("Safari", SAFARI_MAX_AGE_CAP),
];

/// The engines that cache a preflight for less than `seconds`, with their caps, in
/// [`MAX_AGE_CAPS`]'s order.
///
/// ```
/// use corsair::fetch::max_age::capping_engines;
///
/// let capping: Vec<_> = capping_engines(3600).collect();
/// assert_eq!(capping, [("Safari", 600)]);
/// assert_eq!(capping_engines(600).count(), 0);
/// ```
pub fn capping_engines(seconds: u64) -> impl Iterator<Item = (&'static str, u64)> {
    MAX_AGE_CAPS
        .iter()
        .copied()
        .filter(move |(_, cap)| seconds > *cap)
}

/// The cache lifetime when `Access-Control-Max-Age` is absent or unparseable, in seconds (the
/// same in every engine).
///
/// ```
/// assert_eq!(corsair::fetch::max_age::DEFAULT_MAX_AGE, 5);
/// ```
pub const DEFAULT_MAX_AGE: u64 = 5;

/// The seconds Chromium caches a preflight for, given its `Access-Control-Max-Age` value:
/// absent or unparseable means [`DEFAULT_MAX_AGE`], negative means 0 (no caching), and the
/// value is capped at [`CHROMIUM_MAX_AGE_CAP`].
///
/// ```
/// use corsair::fetch::max_age::chromium_max_age;
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
        Some(Ok(seconds)) => seconds.unsigned_abs().min(CHROMIUM_MAX_AGE_CAP),
        _ => DEFAULT_MAX_AGE,
    }
}
