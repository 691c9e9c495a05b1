//! The page's origin, for a recorded request: from its `Origin` header, else from its
//! preflight's, else from its `Referer`, else from the page it belongs to, else the one the
//! user gave. Blocked requests in Chromium's and Playwright's files keep only provisional
//! headers, without `Origin`, so the later sources matter.

use url::Url;

/// Where the page's origin was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginSource {
    /// The request's own `Origin` header.
    OriginHeader,
    /// The `Origin` header of the preflight recorded for it.
    Preflight,
    /// The request's `Referer` header (the page's URL, or its origin under the default
    /// referrer policy).
    Referer,
    /// The page the entry belongs to (its URL in `log.pages`, or its document's entry).
    Page,
    /// Given to the reader for requests whose recording names none
    /// ([`ReadOptions::origin`](super::ReadOptions::origin)).
    Given,
}

impl OriginSource {
    /// A few words for reports: "its Origin header", ...
    ///
    /// ```
    /// use corsair_browser::har::OriginSource;
    /// assert_eq!(OriginSource::Referer.describe(), "its Referer header");
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            OriginSource::OriginHeader => "its Origin header",
            OriginSource::Preflight => "the Origin header of its preflight",
            OriginSource::Referer => "its Referer header",
            OriginSource::Page => "the page it was recorded on",
            OriginSource::Given => "the origin given for requests whose recording names none",
        }
    }
}

/// The page's origin and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageOrigin {
    /// The serialized origin (`https://app.example`), or `null` for an opaque one.
    pub origin: String,
    /// Where it was found.
    pub source: OriginSource,
}

/// The candidates for a request's page origin, strongest first.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Candidates<'a> {
    pub origin_header: Option<&'a str>,
    pub preflight_origin: Option<&'a str>,
    pub referer: Option<&'a str>,
    pub page_url: Option<&'a str>,
    pub given: Option<&'a str>,
}

/// The first candidate that names an origin.
pub(super) fn page_origin(candidates: Candidates<'_>) -> Option<PageOrigin> {
    let found = |origin: String, source| Some(PageOrigin { origin, source });
    if let Some(origin) = candidates.origin_header.and_then(serialized_origin) {
        return found(origin, OriginSource::OriginHeader);
    }
    if let Some(origin) = candidates.preflight_origin.and_then(serialized_origin) {
        return found(origin, OriginSource::Preflight);
    }
    if let Some(origin) = candidates.referer.and_then(origin_of_url) {
        return found(origin, OriginSource::Referer);
    }
    if let Some(origin) = candidates.page_url.and_then(origin_of_url) {
        return found(origin, OriginSource::Page);
    }
    let given = candidates.given?;
    let origin = if given == "null" {
        given.to_owned()
    } else {
        origin_of_url(given)?
    };
    found(origin, OriginSource::Given)
}

/// The origin of an http(s) URL with a host, serialized (`https://app.example:8443`).
pub(super) fn origin_of_url(text: &str) -> Option<String> {
    let url = Url::parse(text.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// An `Origin` header value as the origin it serializes: `null`, or an http(s) origin written
/// exactly as browsers write it (no path, lowercase, no default port).
fn serialized_origin(value: &str) -> Option<String> {
    let value = value.trim();
    if value == "null" {
        return Some(value.to_owned());
    }
    origin_of_url(value).filter(|origin| origin == value)
}
