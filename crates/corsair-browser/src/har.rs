//! Reading a browser session recorded as a HAR 1.2 file (Chromium's DevTools "Save all as
//! HAR", Firefox's network monitor, Playwright's `recordHar`): the cross-origin requests its
//! scripts made, in file order, each ready to be judged by the model.
//!
//! [`read`] keeps the `fetch()` and `XMLHttpRequest` requests to another origin (not
//! navigations, images or same-origin requests), folds each recorded preflight into its
//! request, follows recorded redirects back to the request that started them, and recovers
//! what the script asked for: the headers it set, the kind of body, and the credentials mode.
//! A blocked request keeps only provisional headers in Chromium's and Playwright's files (no
//! `Origin`, no `Cookie`, status 0 or -1): the page's origin then comes from the `Referer`, the
//! page the entry belongs to, or the origin the caller gives, and
//! [`RecordedRequest::assumptions`] says what was assumed.
//!
//! Untrusted input: the size is bounded ([`ReadOptions::max_bytes`]), every field is checked,
//! and no input can make the reader panic.
//!
//! ```
//! use corsair_browser::Credentials;
//! use corsair_browser::har::{self, OriginSource, ReadOptions};
//!
//! let file = br#"{"log": {"version": "1.2", "creator": {"name": "Playwright", "version": "1.65"},
//!   "entries": [{
//!     "request": {"method": "PUT", "url": "https://api.example/items/1",
//!       "headers": [{"name": "Referer", "value": "https://app.example/"},
//!                   {"name": "Content-Type", "value": "application/json"}]},
//!     "response": {"status": -1, "headers": [], "_failureText": "net::ERR_FAILED"},
//!     "_resourceType": "fetch"}]}}"#;
//! let recording = har::read(file, &ReadOptions::new())?;
//! let put = &recording.requests[0];
//! let origin = put.page_origin.as_ref().unwrap();
//! assert_eq!((origin.origin.as_str(), origin.source), ("https://app.example", OriginSource::Referer));
//! assert!(put.provisional);
//! let request = put.browser_request(put.credentials.mode)?;
//! assert!(request.needs_preflight());
//! assert_eq!(request.credentials(), Credentials::SameOrigin);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod classify;
mod format;
mod origin;
mod script;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use url::Url;

use crate::options::{Body, Credentials, Initiator, RequestError};
use crate::request::BrowserRequest;
use classify::Kind;
use format::{Document, Entry};
pub use origin::{OriginSource, PageOrigin};
pub use script::{CredentialsGuess, CredentialsReason};

/// The largest file [`read`] accepts unless told otherwise: 128 MiB, room for a long session
/// with response bodies.
pub const DEFAULT_MAX_HAR_BYTES: usize = 128 * 1024 * 1024;

/// How to read a file: the size limit, and the page origin to use when nothing in the file
/// names one.
///
/// ```
/// let options = corsair_browser::har::ReadOptions::new()
///     .max_bytes(1 << 20)
///     .origin("https://app.example");
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ReadOptions {
    max_bytes: usize,
    origin: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: DEFAULT_MAX_HAR_BYTES,
            origin: None,
        }
    }
}

impl ReadOptions {
    /// The defaults: at most [`DEFAULT_MAX_HAR_BYTES`], no fallback origin.
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuses a file longer than `bytes`.
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// The page's origin when neither the request (`Origin`, `Referer`) nor its page names one:
    /// a serialized origin, any URL of the page, or `null`.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }
}

/// What a file recorded: its creator, and the cross-origin requests its scripts made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recording {
    /// `log.creator`: name and version (`WebInspector 537.36`, `Firefox 128.0`, `Playwright 1.65.1`).
    pub creator: String,
    /// How many entries the file has.
    pub entries: usize,
    /// The cross-origin requests made by scripts, in file order.
    pub requests: Vec<RecordedRequest>,
    /// Entries left out that a reader may wonder about (a redirect's later hops, preflights
    /// without a request), one sentence each.
    pub notes: Vec<String>,
}

/// One request a script made, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// Its index in `log.entries`.
    pub entry: usize,
    /// The method, as recorded.
    pub method: String,
    /// The URL (without fragment).
    pub url: String,
    /// `fetch()` or `XMLHttpRequest` (only changes the wording of Chromium's message).
    pub initiator: Initiator,
    /// The page's origin and where it was found; `None` when nothing names one and no
    /// fallback was given.
    pub page_origin: Option<PageOrigin>,
    /// The headers the script set (lowercased names): the recorded ones, without those the
    /// browser adds itself.
    pub headers: Vec<(String, String)>,
    /// The kind of body, from the recorded `Content-Type`.
    pub body: Body,
    /// The credentials mode judged from the recording, and why.
    pub credentials: CredentialsGuess,
    /// Whether only provisional headers were recorded (no `Origin`): the browser blocked the
    /// request, or it failed before its response.
    pub provisional: bool,
    /// Whether `Pragma`/`Cache-Control: no-cache` were left out as the browser's own (DevTools
    /// adds them when its cache is disabled).
    pub cache_headers_dropped: bool,
    /// The preflight recorded for it, folded in.
    pub preflight: Option<RecordedPreflight>,
    /// What the browser recorded as its outcome.
    pub outcome: RecordedOutcome,
}

/// A preflight entry folded into its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedPreflight {
    /// Its index in `log.entries`.
    pub entry: usize,
    /// Its recorded status (`None` when it failed).
    pub status: Option<u16>,
}

/// What the browser recorded about a request's response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordedOutcome {
    /// A response arrived with this status (CORS may still have hidden it from the script).
    Response {
        /// The status.
        status: u16,
    },
    /// No response: status 0 or -1, blocked by the browser or failed.
    Failed {
        /// The recorder's reason (`net::ERR_FAILED`), if it wrote one.
        error: Option<String>,
    },
}

impl RecordedRequest {
    /// The request as the page made it, for [`Fetch`](crate::Fetch), judged with
    /// `credentials` (usually `self.credentials.mode`).
    ///
    /// # Errors
    ///
    /// A [`RequestError`] when the recorded request is not one a browser could send (a header
    /// value with a line break, a malformed URL), or when no page origin is known.
    pub fn browser_request(
        &self,
        credentials: Credentials,
    ) -> Result<BrowserRequest, RequestError> {
        let origin = self
            .page_origin
            .as_ref()
            .map(|o| o.origin.clone())
            .ok_or_else(|| RequestError::InvalidPageOrigin(String::new()))?;
        let mut builder = BrowserRequest::builder(origin, self.url.as_str())
            .method(self.method.as_str())
            .credentials(credentials)
            .body(self.body.clone())
            .initiator(self.initiator);
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder.build()
    }

    /// What was assumed to judge it, one sentence each: where the page's origin comes from,
    /// the credentials mode, provisional headers, a folded preflight.
    pub fn assumptions(&self) -> Vec<String> {
        let mut said = Vec::new();
        if self.provisional {
            said.push("only provisional headers were recorded (the browser blocked the request or it failed before its response): no Origin, and a Cookie would not show".to_owned());
        }
        if let Some(page) = &self.page_origin {
            said.push(format!(
                "page origin {}: from {}",
                page.origin,
                page.source.describe()
            ));
        }
        said.push(format!("credentials {}", self.credentials.describe()));
        if self.cache_headers_dropped {
            said.push("Pragma/Cache-Control: no-cache left out: DevTools adds them itself when its cache is disabled".to_owned());
        }
        if let Some(preflight) = self.preflight {
            said.push(format!(
                "its preflight, log.entries[{}], is folded in",
                preflight.entry
            ));
        }
        said
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HarError {
    /// Longer than the limit.
    TooLarge {
        /// The file's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Not UTF-8 text.
    NotUtf8 {
        /// The offset of the first invalid byte.
        offset: usize,
    },
    /// Not JSON, or not `{"log": {"entries": [...]}}`.
    NotHar {
        /// What is wrong, with its line and column.
        message: String,
    },
    /// An entry that is not a HAR entry (no request method or URL, a field of the wrong type).
    InvalidEntry {
        /// Its index in `log.entries`.
        index: usize,
        /// What is wrong, with its line and column in the file.
        message: String,
    },
    /// The fallback origin of [`ReadOptions::origin`] is not an origin.
    InvalidOrigin(String),
}

impl fmt::Display for HarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HarError::TooLarge { size, limit } => write!(
                f,
                "the file has {size} bytes, more than the limit of {limit} bytes: export the HAR without response bodies, or raise the limit"
            ),
            HarError::NotUtf8 { offset } => write!(
                f,
                "not UTF-8 text (invalid byte at offset {offset}): a HAR file is JSON, exported by the browser's network panel"
            ),
            HarError::NotHar { message } => write!(
                f,
                "not a HAR file: {message} (a HAR file is one JSON object, {{\"log\": {{\"entries\": [...]}}}}, exported by the browser's network panel)"
            ),
            HarError::InvalidEntry { index, message } => {
                write!(f, "log.entries[{index}] is not a HAR entry: {message}")
            }
            HarError::InvalidOrigin(origin) => write!(
                f,
                "`{origin}` is not an origin: write it as scheme://host[:port], e.g. `https://app.example`"
            ),
        }
    }
}

impl std::error::Error for HarError {}

/// Reads a HAR file: the cross-origin requests its scripts made, in file order.
///
/// # Errors
///
/// A [`HarError`] for a file over the size limit, text that is not UTF-8 JSON, a JSON value
/// that is not a HAR log, an entry without a request method or URL, or an invalid fallback
/// origin.
pub fn read(har: &[u8], options: &ReadOptions) -> Result<Recording, HarError> {
    if har.len() > options.max_bytes {
        return Err(HarError::TooLarge {
            size: har.len(),
            limit: options.max_bytes,
        });
    }
    let given = match options.origin.as_deref().map(str::trim) {
        Some("null") => Some("null".to_owned()),
        Some(origin) => Some(
            origin::origin_of_url(origin)
                .ok_or_else(|| HarError::InvalidOrigin(origin.to_owned()))?,
        ),
        None => None,
    };
    let text =
        std::str::from_utf8(har.strip_prefix(b"\xef\xbb\xbf").unwrap_or(har)).map_err(|e| {
            HarError::NotUtf8 {
                offset: e.valid_up_to(),
            }
        })?;
    let document: Document<'_> = serde_json::from_str(text).map_err(|e| HarError::NotHar {
        message: e.to_string(),
    })?;
    let log = document.log;
    let mut entries = Vec::with_capacity(log.entries.len());
    for (index, raw) in log.entries.iter().enumerate() {
        let entry: Entry = serde_json::from_str(raw.get()).map_err(|e| HarError::InvalidEntry {
            index,
            message: located(text, raw.get(), &e),
        })?;
        entries.push(entry);
    }
    let kinds: Vec<Kind> = entries.iter().map(classify::classify).collect();
    let pages = page_urls(&log.pages, &entries, &kinds);
    let creator = format!("{} {}", log.creator.name, log.creator.version)
        .trim()
        .to_owned();
    let mut reader = Reader {
        entries: &entries,
        kinds: &kinds,
        pages: &pages,
        given: given.as_deref(),
        preflights: preflights(&entries, &kinds),
        hops: HashMap::new(),
        notes: Vec::new(),
    };
    let requests = reader.requests();
    let mut notes = reader.notes;
    let mut unclaimed: Vec<usize> = reader.preflights.into_values().flatten().collect();
    unclaimed.sort_unstable();
    for index in unclaimed {
        notes.push(format!(
            "log.entries[{index}] is a preflight without a recorded request to fold into: left out"
        ));
    }
    Ok(Recording {
        creator,
        entries: entries.len(),
        requests,
        notes,
    })
}

/// The state of one reading.
struct Reader<'r> {
    entries: &'r [Entry],
    kinds: &'r [Kind],
    /// The URL of each page (`pageref` → URL).
    pages: &'r HashMap<&'r str, String>,
    given: Option<&'r str>,
    /// The preflights not yet folded into a request, by URL and requested method, in file
    /// order.
    preflights: HashMap<(String, String), Vec<usize>>,
    /// The URLs recorded redirects lead to (with the page they happen on, and how many times):
    /// their entries are hops of an earlier request, not requests of their own.
    hops: HashMap<(Option<&'r str>, String), usize>,
    notes: Vec<String>,
}

impl<'r> Reader<'r> {
    fn requests(&mut self) -> Vec<RecordedRequest> {
        let mut requests = Vec::new();
        for (index, (entry, kind)) in self.entries.iter().zip(self.kinds).enumerate() {
            let Kind::Script(initiator) = *kind else {
                continue;
            };
            if let Some(request) = self.request(index, entry, initiator) {
                requests.push(request);
            }
        }
        requests
    }

    /// The request entry `index` records, if it is a cross-origin one of its own.
    fn request(
        &mut self,
        index: usize,
        entry: &'r Entry,
        initiator: Initiator,
    ) -> Option<RecordedRequest> {
        let mut url = Url::parse(entry.request.url.trim()).ok()?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        url.set_fragment(None);
        let pageref = entry.pageref.as_deref();
        let redirect_target = redirect_target(entry, &url);
        if self.take_hop(pageref, url.as_str()) {
            if let Some(next) = &redirect_target {
                self.add_hop(pageref, next.to_string());
            }
            self.notes.push(format!(
                "log.entries[{index}] ({url}) is a redirect hop, judged with the request that started it"
            ));
            return None;
        }
        let preflight = self.claim_preflight(index, &url, &entry.request.method);
        let preflight_origin = preflight.and_then(|p| self.entries[p].request_header("origin"));
        let page_origin = origin::page_origin(origin::Candidates {
            origin_header: entry.request_header("origin"),
            preflight_origin,
            referer: entry.request_header("referer"),
            page_url: pageref.and_then(|p| self.pages.get(p)).map(String::as_str),
            given: self.given,
        });
        let same_origin = page_origin
            .as_ref()
            .is_some_and(|page| page.origin == url.origin().ascii_serialization());
        let leaves_origin = redirect_target
            .as_ref()
            .is_some_and(|next| next.origin() != url.origin());
        if same_origin && !leaves_origin {
            if let Some(p) = preflight {
                self.unclaim_preflight(p, &url, &entry.request.method);
            }
            return None;
        }
        if let Some(next) = redirect_target {
            self.add_hop(pageref, next.to_string());
        }
        let (mut headers, cache_headers_dropped) = script::script_headers(&entry.request.headers);
        let body = script::body(entry, &mut headers);
        Some(RecordedRequest {
            entry: index,
            method: entry.request.method.clone(),
            url: url.to_string(),
            initiator,
            page_origin,
            headers,
            body,
            credentials: script::credentials(entry),
            provisional: entry.request_header("origin").is_none(),
            cache_headers_dropped,
            preflight: preflight.map(|p| RecordedPreflight {
                entry: p,
                status: self.entries[p].status(),
            }),
            outcome: match entry.status() {
                Some(status) => RecordedOutcome::Response { status },
                None => RecordedOutcome::Failed {
                    error: entry.failure(),
                },
            },
        })
    }

    /// Claims the preflight recorded for the request at `index`: an unclaimed preflight for the
    /// same URL and method, the nearest before it, else the nearest after it.
    fn claim_preflight(&mut self, index: usize, url: &Url, method: &str) -> Option<usize> {
        let candidates = self
            .preflights
            .get_mut(&(url.to_string(), method.to_owned()))?;
        let after = candidates.partition_point(|&i| i < index);
        let at = if after > 0 { after - 1 } else { after };
        (at < candidates.len()).then(|| candidates.remove(at))
    }

    /// Gives back a preflight claimed by a request that turned out to be no CORS request.
    fn unclaim_preflight(&mut self, preflight: usize, url: &Url, method: &str) {
        let candidates = self
            .preflights
            .entry((url.to_string(), method.to_owned()))
            .or_default();
        let at = candidates.partition_point(|&i| i < preflight);
        candidates.insert(at, preflight);
    }

    fn add_hop(&mut self, page: Option<&'r str>, url: String) {
        *self.hops.entry((page, url)).or_default() += 1;
    }

    /// Whether a recorded redirect leads to `url` on `page`, forgetting it if so.
    fn take_hop(&mut self, page: Option<&'r str>, url: &str) -> bool {
        let key = (page, url.to_owned());
        match self.hops.get_mut(&key) {
            Some(count) if *count > 1 => {
                *count -= 1;
                true
            }
            Some(_) => {
                self.hops.remove(&key);
                true
            }
            None => false,
        }
    }
}

/// The preflight entries, by URL (without fragment) and requested method, in file order.
fn preflights(entries: &[Entry], kinds: &[Kind]) -> HashMap<(String, String), Vec<usize>> {
    let mut found: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (index, (entry, kind)) in entries.iter().zip(kinds).enumerate() {
        if *kind != Kind::Preflight {
            continue;
        }
        let (Ok(mut url), Some(method)) = (
            Url::parse(entry.request.url.trim()),
            entry.request_header("access-control-request-method"),
        ) else {
            continue;
        };
        url.set_fragment(None);
        found
            .entry((url.to_string(), method.trim().to_owned()))
            .or_default()
            .push(index);
    }
    found
}

/// Where a recorded redirect leads, resolved against the request's URL.
fn redirect_target(entry: &Entry, url: &Url) -> Option<Url> {
    let status = entry.status()?;
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = Some(entry.response.redirect_url.as_str())
        .filter(|l| !l.is_empty())
        .or_else(|| format::header(&entry.response.headers, "location"))?;
    let mut next = url.join(location.trim()).ok()?;
    next.set_fragment(None);
    Some(next)
}

/// Each page's URL: its title when that is a URL (DevTools, Firefox), else the URL of its
/// first navigation entry (Playwright titles pages with the document's title).
fn page_urls<'e>(
    pages: &'e [format::Page],
    entries: &'e [Entry],
    kinds: &[Kind],
) -> HashMap<&'e str, String> {
    let mut urls = HashMap::new();
    for page in pages {
        if origin::origin_of_url(&page.title).is_some() {
            urls.insert(page.id.as_str(), page.title.clone());
        }
    }
    for (entry, kind) in entries.iter().zip(kinds) {
        if let (Kind::Navigation, Some(page)) = (kind, entry.pageref.as_deref()) {
            urls.entry(page)
                .or_insert_with(|| entry.request.url.clone());
        }
    }
    urls
}

/// A JSON error inside an entry, with its line and column in the whole file.
fn located(file: &str, entry: &str, error: &serde_json::Error) -> String {
    // The entry is a slice of the file; its offset gives the line it starts on.
    let offset = (entry.as_ptr() as usize).saturating_sub(file.as_ptr() as usize);
    let before = file.get(..offset).unwrap_or_default();
    let start_line = before.matches('\n').count() + 1;
    let start_column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    let line = start_line + error.line().saturating_sub(1);
    let column = if error.line() <= 1 {
        start_column + error.column().saturating_sub(1)
    } else {
        error.column()
    };
    let mut message = error.to_string();
    // serde_json appends its own (entry-relative) position.
    if let Some(at) = message.rfind(" at line ") {
        message.truncate(at);
    }
    format!("{message} at line {line} column {column}")
}
