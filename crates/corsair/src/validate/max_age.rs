//! The `preflight_max_age` rule: refused beyond what any browser caches, warned about beyond
//! Chromium's cap ([`fetch::max_age`]).

use crate::config::{Finding, FindingId, Setting};
use crate::fetch::{
    self,
    max_age::{CHROMIUM_MAX_AGE_CAP, capping_engines},
};

/// The highest `preflight_max_age` accepted: Firefox's cap, since no browser caches a preflight
/// longer ([`fetch::max_age`]).
///
/// ```
/// let too_long = corsair::MAX_PREFLIGHT_MAX_AGE + 1;
/// let err = corsair::Cors::builder().allow_all_origins(true).preflight_max_age(too_long).build().unwrap_err();
/// assert_eq!(err.findings()[0].id, "max-age-too-large");
/// ```
pub const MAX_PREFLIGHT_MAX_AGE: u64 = fetch::max_age::FIREFOX_MAX_AGE_CAP;

pub(super) fn max_age(seconds: u64, findings: &mut Vec<Finding>) {
    let setting = Setting::PreflightMaxAge;
    let value = seconds.to_string();
    if seconds > MAX_PREFLIGHT_MAX_AGE {
        findings.push(Finding::error(
            FindingId::MaxAgeTooLarge,
            setting,
            Some(&value),
            format!("no browser caches a preflight longer than {MAX_PREFLIGHT_MAX_AGE} seconds (Firefox); Chromium stops at {CHROMIUM_MAX_AGE_CAP}"),
            format!("write preflight_max_age = {CHROMIUM_MAX_AGE_CAP}"),
        ));
    } else if seconds > CHROMIUM_MAX_AGE_CAP && seconds != crate::config::DEFAULT_PREFLIGHT_MAX_AGE
    {
        // The default mirrors django-cors-headers; browsers cap it silently, so it is not worth a
        // warning on every policy. A value chosen by hand is.
        findings.push(Finding::warning(
            FindingId::MaxAgeAboveBrowserCap,
            setting,
            Some(&value),
            format!(
                "browsers cap how long they cache a preflight ({}), so a preflight is repeated at least that often; only Firefox honours more",
                capping_engines(seconds)
                    .map(|(engine, cap)| format!("{engine} {cap} s"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("write preflight_max_age = {CHROMIUM_MAX_AGE_CAP} to say what browsers will do"),
        ));
    }
}
