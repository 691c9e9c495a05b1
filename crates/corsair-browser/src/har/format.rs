//! The parts of a HAR 1.2 file the reader uses, as `serde` types: the standard's fields, and
//! the extensions Chromium's DevTools (`_resourceType`, `_initiator`, `_error`) and
//! Playwright (`_failureText`) add. Browsers omit fields freely, so everything but an entry's
//! request method and URL has a default; every other field of the file is skipped unread.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::value::RawValue;

/// The whole file: `{"log": {...}}`.
#[derive(Debug, Deserialize)]
pub(super) struct Document<'a> {
    #[serde(borrow)]
    pub log: Log<'a>,
}

/// `log`. The entries are kept as raw JSON and parsed one by one, so that an error names the
/// entry it is in.
#[derive(Debug, Deserialize)]
pub(super) struct Log<'a> {
    #[serde(default)]
    pub creator: Creator,
    #[serde(default)]
    pub pages: Vec<Page>,
    #[serde(borrow)]
    pub entries: Vec<&'a RawValue>,
}

/// `log.creator`: `WebInspector` (Chromium's DevTools), `Firefox`, `Playwright`, ...
#[derive(Debug, Default, Deserialize)]
pub(super) struct Creator {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
}

/// `log.pages[i]`. DevTools and Firefox write the page's URL as its title, Playwright the
/// document's title.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Page {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: String,
}

/// `log.entries[i]`: one request and its response.
#[derive(Debug, Deserialize)]
pub(super) struct Entry {
    #[serde(default)]
    pub pageref: Option<String>,
    pub request: Request,
    #[serde(default)]
    pub response: Response,
    /// Chromium's DevTools and Playwright: `document`, `fetch`, `xhr`, `preflight`, `script`, ...
    #[serde(default, rename = "_resourceType")]
    pub resource_type: Option<Value>,
    /// Chromium's DevTools: `{"type": "script" | "parser" | "preflight" | "other", ...}`.
    #[serde(default, rename = "_initiator")]
    pub initiator: Option<Value>,
}

/// `request`.
#[derive(Debug, Deserialize)]
pub(super) struct Request {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub cookies: Vec<IgnoredAny>,
    #[serde(default, rename = "postData")]
    pub post_data: Option<PostData>,
}

/// `request.postData`: only its type matters here.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PostData {
    #[serde(default, rename = "mimeType")]
    pub mime_type: String,
}

/// `response`. A request the browser blocked or that failed has status 0 (DevTools, Firefox)
/// or -1 (Playwright), and no headers.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Response {
    #[serde(default)]
    pub status: f64,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default, rename = "redirectURL")]
    pub redirect_url: String,
    /// Chromium's DevTools: `net::ERR_FAILED`, ...
    #[serde(default, rename = "_error")]
    pub error: Option<Value>,
    /// Playwright: `net::ERR_FAILED`, ...
    #[serde(default, rename = "_failureText")]
    pub failure_text: Option<Value>,
}

/// One header line.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Header {
    pub name: String,
    pub value: String,
}

impl Entry {
    /// A string extension field, lowercased (`None` when absent or not a string).
    pub fn resource_type(&self) -> Option<String> {
        self.resource_type
            .as_ref()?
            .as_str()
            .map(str::to_ascii_lowercase)
    }

    /// `_initiator.type`, lowercased.
    pub fn initiator_type(&self) -> Option<String> {
        self.initiator
            .as_ref()?
            .get("type")?
            .as_str()
            .map(str::to_ascii_lowercase)
    }

    /// The first value of request header `name` (case-insensitive).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        header(&self.request.headers, name)
    }

    /// The recorded status, when the browser got a response (`None` for 0, -1 or nonsense).
    pub fn status(&self) -> Option<u16> {
        let status = self.response.status;
        (100.0..1000.0).contains(&status).then_some(status as u16)
    }

    /// Why the request failed, as the recorder wrote it.
    pub fn failure(&self) -> Option<String> {
        [&self.response.error, &self.response.failure_text]
            .into_iter()
            .flatten()
            .find_map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
    }
}

/// The first value of header `name` in `headers` (case-insensitive).
pub(super) fn header<'h>(headers: &'h [Header], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}
