//! What a recorded entry is: a request a script made (`fetch()` or `XMLHttpRequest`), a CORS
//! preflight, a navigation, or anything else (images, scripts, styles, the favicon).
//!
//! Chromium's DevTools and Playwright say it (`_resourceType`, `_initiator.type`); Firefox does
//! not, so its entries are told apart by the request's own headers: `Sec-Fetch-Mode` and
//! `Sec-Fetch-Dest` when present, else the `Origin` a cross-origin script request always
//! carries.

use super::format::Entry;
use crate::options::Initiator;

/// The kind of a recorded entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A request made by script, with the API that made it.
    Script(Initiator),
    /// The browser's `OPTIONS` preflight for a script request.
    Preflight,
    /// A page or frame loaded.
    Navigation,
    /// Anything else.
    Other,
}

/// Classifies `entry`.
pub(super) fn classify(entry: &Entry) -> Kind {
    if entry.initiator_type().as_deref() == Some("preflight") {
        return Kind::Preflight;
    }
    match entry.resource_type().as_deref() {
        Some("preflight") => return Kind::Preflight,
        Some("fetch") => return Kind::Script(Initiator::Fetch),
        Some("xhr") => return Kind::Script(Initiator::XmlHttpRequest),
        Some("document") => return Kind::Navigation,
        Some(other) if !other.is_empty() => return Kind::Other,
        _ => {}
    }
    by_headers(entry)
}

/// Classifies an entry without a resource type (Firefox, hand-made files) by its headers.
fn by_headers(entry: &Entry) -> Kind {
    let lower = |name: &str| entry.request_header(name).map(str::to_ascii_lowercase);
    if entry.request.method.eq_ignore_ascii_case("OPTIONS")
        && entry
            .request_header("access-control-request-method")
            .is_some()
    {
        return Kind::Preflight;
    }
    let xhr = lower("x-requested-with").as_deref() == Some("xmlhttprequest");
    let script = Kind::Script(if xhr {
        Initiator::XmlHttpRequest
    } else {
        Initiator::Fetch
    });
    match (
        lower("sec-fetch-mode").as_deref(),
        lower("sec-fetch-dest").as_deref(),
    ) {
        (Some("navigate"), _) | (_, Some("document" | "iframe" | "frame")) => {
            return Kind::Navigation;
        }
        (_, Some("empty")) => return script,
        (_, Some(_)) => return Kind::Other,
        _ => {}
    }
    // No fetch metadata: a cross-origin fetch or XHR always carries Origin; a form posted to
    // another origin does too, but asks for HTML.
    let asks_html = lower("accept").is_some_and(|a| a.starts_with("text/html"));
    if entry.request_header("origin").is_some() && !asks_html {
        script
    } else if asks_html {
        Kind::Navigation
    } else {
        Kind::Other
    }
}
