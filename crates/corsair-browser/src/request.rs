//! What the page asks for: [`BrowserRequest`], normalised the way `fetch()` normalises it before
//! anything is sent (method case, forbidden headers dropped, the body's implicit
//! `Content-Type`), and what follows from it: whether CORS applies, whether a preflight is
//! needed, and which header names the preflight announces.
//!
//! Invariant: a built [`BrowserRequest`] is one a browser would send; everything `fetch()` would
//! throw for is a [`RequestError`] from [`BrowserRequestBuilder::build`].

use url::{Origin, Url};

use crate::options::{Body, Credentials, Initiator, RequestError};
use crate::safelist::{MAX_SAFELISTED_TOTAL_LEN, is_cors_safelisted_request_header};
use corsair::fetch::cors_safelisted_method::is_cors_safelisted_method;
use corsair::fetch::forbidden_method::is_forbidden_method;
use corsair::fetch::forbidden_request_header::is_forbidden_request_header;
use corsair::fetch::token::is_token;

/// A cross-origin (or same-origin) request as a page would make it, normalised.
///
/// ```
/// use corsair_browser::{BrowserRequest, Credentials};
///
/// let request = BrowserRequest::builder("https://app.example", "https://api.example/items")
///     .method("patch")
///     .header("X-Token", "abc")
///     .header("Content-Type", "text/plain")
///     .credentials(Credentials::Include)
///     .build()?;
/// assert_eq!(request.method(), "patch"); // only the six standard methods are uppercased
/// assert!(request.is_cross_origin());
/// assert!(request.needs_preflight());
/// assert_eq!(request.unsafe_header_names(), ["x-token"]);
/// # Ok::<(), corsair_browser::RequestError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserRequest {
    pub(crate) origin: Origin,
    pub(crate) url: Url,
    pub(crate) method: String,
    /// Script-set headers, lowercased names, combined per name, sorted by name (as Chromium
    /// hands them to the network stack), forbidden ones removed, implicit Content-Type added.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) dropped: Vec<String>,
    pub(crate) credentials: Credentials,
    pub(crate) body: Body,
    pub(crate) initiator: Initiator,
}

/// Collects a request's parts; [`build`](BrowserRequestBuilder::build) validates them.
///
/// ```
/// use corsair_browser::{Body, BrowserRequest, Initiator};
///
/// let request = BrowserRequest::builder("http://localhost:3000", "http://localhost:8000/api")
///     .method("POST")
///     .body(Body::Blob(Some("application/json".into())))
///     .initiator(Initiator::XmlHttpRequest)
///     .build()
///     .unwrap();
/// assert_eq!(request.unsafe_header_names(), ["content-type"]);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct BrowserRequestBuilder {
    origin: String,
    url: String,
    method: String,
    headers: Vec<(String, String)>,
    credentials: Credentials,
    body: Body,
    initiator: Initiator,
}

impl BrowserRequestBuilder {
    /// The method as the script writes it (default `GET`).
    ///
    /// ```
    /// let b = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example/")
    ///     .method("delete");
    /// assert_eq!(b.build().unwrap().method(), "DELETE");
    /// ```
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = method.into();
        self
    }

    /// Appends a header the script sets (`Headers.append`): a repeated name is combined with
    /// `, `, a forbidden one is dropped as the browser drops it.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example/")
    ///     .header("Cookie", "a=1")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(r.dropped_headers(), ["cookie"]);
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The credentials mode (default [`Credentials::SameOrigin`], as in `fetch()`).
    ///
    /// ```
    /// use corsair_browser::{BrowserRequest, Credentials};
    /// let r = BrowserRequest::builder("https://a.example", "https://b.example/")
    ///     .credentials(Credentials::Include)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(r.credentials(), Credentials::Include);
    /// ```
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// The body kind (default none).
    ///
    /// ```
    /// use corsair_browser::{Body, BrowserRequest};
    /// let r = BrowserRequest::builder("https://a.example", "https://b.example/")
    ///     .method("POST")
    ///     .body(Body::Stream)
    ///     .build()
    ///     .unwrap();
    /// assert!(r.needs_preflight());
    /// ```
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// What starts the request (default `fetch()`).
    ///
    /// ```
    /// use corsair_browser::{BrowserRequest, Initiator};
    /// let r = BrowserRequest::builder("https://a.example", "https://b.example/")
    ///     .initiator(Initiator::XmlHttpRequest)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(r.initiator(), Initiator::XmlHttpRequest);
    /// ```
    pub fn initiator(mut self, initiator: Initiator) -> Self {
        self.initiator = initiator;
        self
    }

    /// Validates and normalises the request, or says why `fetch()` would throw.
    ///
    /// ```
    /// use corsair_browser::{BrowserRequest, RequestError};
    /// let err = BrowserRequest::builder("https://a.example", "https://b.example/")
    ///     .method("TRACE")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err, RequestError::ForbiddenMethod("TRACE".into()));
    /// ```
    pub fn build(self) -> Result<BrowserRequest, RequestError> {
        let origin = parse_page_origin(&self.origin)?;
        let mut url =
            Url::parse(self.url.trim()).map_err(|_| RequestError::InvalidUrl(self.url.clone()))?;
        // The fragment never leaves the browser.
        url.set_fragment(None);
        if http::Uri::try_from(url.as_str()).is_err() {
            return Err(RequestError::InvalidUrl(self.url.clone()));
        }
        let method = normalize_method(&self.method)?;
        if self.body.is_present() && (method == "GET" || method == "HEAD") {
            return Err(RequestError::BodyWithGetOrHead);
        }
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut dropped = Vec::new();
        for (name, value) in &self.headers {
            let name = name.trim();
            if !is_token(name.as_bytes()) {
                return Err(RequestError::InvalidHeaderName(name.to_owned()));
            }
            let value = value.trim_matches([' ', '\t', '\r', '\n']).to_owned();
            if value
                .chars()
                .any(|c| (c < ' ' && c != '\t') || c == '\u{7f}')
            {
                return Err(RequestError::InvalidHeaderValue(name.to_owned()));
            }
            let lower = name.to_ascii_lowercase();
            if is_forbidden_request_header(lower.as_bytes(), value.as_bytes()) {
                if !dropped.contains(&lower) {
                    dropped.push(lower);
                }
                continue;
            }
            match headers.iter_mut().find(|(n, _)| *n == lower) {
                Some((_, existing)) => {
                    existing.push_str(", ");
                    existing.push_str(&value);
                }
                None => headers.push((lower, value)),
            }
        }
        if !headers.iter().any(|(n, _)| n == "content-type")
            && let Some(content_type) = self.body.implicit_content_type()
        {
            headers.push(("content-type".to_owned(), content_type));
        }
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(BrowserRequest {
            origin,
            url,
            method,
            headers,
            dropped,
            credentials: self.credentials,
            body: self.body,
            initiator: self.initiator,
        })
    }
}

impl BrowserRequest {
    /// Starts a request from a page at `page_origin` (a serialized origin such as
    /// `https://app.example`, any URL of the page, or `null` for an opaque origin) to `url`.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://app.example/login", "https://api.example/me")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(r.origin(), "https://app.example");
    /// ```
    pub fn builder(
        page_origin: impl Into<String>,
        url: impl Into<String>,
    ) -> BrowserRequestBuilder {
        BrowserRequestBuilder {
            origin: page_origin.into(),
            url: url.into(),
            method: "GET".to_owned(),
            headers: Vec::new(),
            credentials: Credentials::default(),
            body: Body::None,
            initiator: Initiator::default(),
        }
    }

    /// The page's serialized origin (`null` if opaque).
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("null", "https://api.example/").build().unwrap();
    /// assert_eq!(r.origin(), "null");
    /// ```
    pub fn origin(&self) -> String {
        self.origin.ascii_serialization()
    }

    /// The request URL.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://a.example", "https://B.example").build().unwrap();
    /// assert_eq!(r.url().as_str(), "https://b.example/");
    /// ```
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The normalised method: the six standard methods uppercased, any other kept as written.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example")
    ///     .method("put").build().unwrap();
    /// assert_eq!(r.method(), "PUT");
    /// ```
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The headers the script set that the browser keeps (lowercased names, combined per name,
    /// sorted), with the body's implicit `Content-Type`.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example")
    ///     .header("X-B", "1").header("x-a", "2").header("x-a", "3").build().unwrap();
    /// assert_eq!(r.headers()[0], ("x-a".to_string(), "2, 3".to_string()));
    /// ```
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The lowercased names of forbidden headers the script set, which the browser drops.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example")
    ///     .header("Origin", "https://b.example").build().unwrap();
    /// assert_eq!(r.dropped_headers(), ["origin"]);
    /// ```
    pub fn dropped_headers(&self) -> &[String] {
        &self.dropped
    }

    /// The credentials mode.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example").build().unwrap();
    /// assert_eq!(r.credentials(), corsair_browser::Credentials::SameOrigin);
    /// ```
    pub fn credentials(&self) -> Credentials {
        self.credentials
    }

    /// The body kind.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example").build().unwrap();
    /// assert_eq!(*r.body(), corsair_browser::Body::None);
    /// ```
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// What started the request.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example").build().unwrap();
    /// assert_eq!(r.initiator(), corsair_browser::Initiator::Fetch);
    /// ```
    pub fn initiator(&self) -> Initiator {
        self.initiator
    }

    /// Whether the URL's origin differs from the page's (so CORS applies from the start).
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("http://localhost:3000", "http://localhost:8000/")
    ///     .build().unwrap();
    /// assert!(r.is_cross_origin()); // another port is another origin
    /// ```
    pub fn is_cross_origin(&self) -> bool {
        self.url.origin() != self.origin
    }

    /// The CORS-unsafe request-header names: lowercased, unique, sorted. Exactly the value of
    /// the preflight's `Access-Control-Request-Headers`, split on commas.
    ///
    /// ```
    /// let r = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example")
    ///     .header("Authorization", "Bearer t")
    ///     .header("Accept", "application/json")
    ///     .header("X-Requested-With", "XMLHttpRequest")
    ///     .build().unwrap();
    /// assert_eq!(r.unsafe_header_names(), ["authorization", "x-requested-with"]);
    /// ```
    pub fn unsafe_header_names(&self) -> Vec<String> {
        unsafe_header_names(&self.headers)
    }

    /// Whether the use-CORS-preflight flag is set (a stream body).
    pub(crate) fn forces_preflight(&self) -> bool {
        self.body == Body::Stream
    }

    /// Whether a cross-origin request with this method, these headers and this body is
    /// preflighted.
    ///
    /// ```
    /// let simple = corsair_browser::BrowserRequest::builder("https://a.example", "https://b.example")
    ///     .method("POST").header("Content-Type", "application/x-www-form-urlencoded")
    ///     .build().unwrap();
    /// assert!(!simple.needs_preflight());
    /// ```
    pub fn needs_preflight(&self) -> bool {
        needs_preflight(&self.method, &self.headers, self.forces_preflight())
    }
}

/// Whether `method`, `headers` and the use-CORS-preflight flag call for a preflight.
pub(crate) fn needs_preflight(method: &str, headers: &[(String, String)], forced: bool) -> bool {
    forced || !is_cors_safelisted_method(method) || !unsafe_header_names(headers).is_empty()
}

/// Normalises a method as `fetch()` does: the six standard methods (`DELETE`, `GET`, `HEAD`,
/// `OPTIONS`, `POST`, `PUT`) are uppercased, any other token is kept exactly.
///
/// ```
/// use corsair_browser::normalize_method;
///
/// assert_eq!(normalize_method("options").unwrap(), "OPTIONS");
/// assert_eq!(normalize_method("patch").unwrap(), "patch");
/// assert!(normalize_method("track").is_err());
/// assert!(normalize_method("GE T").is_err());
/// ```
pub fn normalize_method(method: &str) -> Result<String, RequestError> {
    if !is_token(method.as_bytes()) {
        return Err(RequestError::InvalidMethod(method.to_owned()));
    }
    if is_forbidden_method(method.as_bytes()) {
        return Err(RequestError::ForbiddenMethod(method.to_owned()));
    }
    const STANDARD: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    Ok(STANDARD
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), |m| (*m).to_owned()))
}

/// The CORS-unsafe names among normalised headers (lowercase names, one entry per name).
pub(crate) fn unsafe_header_names(headers: &[(String, String)]) -> Vec<String> {
    let mut unsafe_names = Vec::new();
    let mut safelisted = Vec::new();
    let mut safelisted_len = 0usize;
    for (name, value) in headers {
        if is_cors_safelisted_request_header(name.as_bytes(), value.as_bytes()) {
            safelisted.push(name.clone());
            safelisted_len = safelisted_len.saturating_add(value.len());
        } else {
            unsafe_names.push(name.clone());
        }
    }
    if safelisted_len > MAX_SAFELISTED_TOTAL_LEN {
        unsafe_names.append(&mut safelisted);
    }
    unsafe_names.sort();
    unsafe_names.dedup();
    unsafe_names
}

fn parse_page_origin(text: &str) -> Result<Origin, RequestError> {
    let text = text.trim();
    if text == "null" {
        return Ok(Origin::new_opaque());
    }
    let url = Url::parse(text).map_err(|_| RequestError::InvalidPageOrigin(text.to_owned()))?;
    if !url.has_host() {
        return Err(RequestError::InvalidPageOrigin(text.to_owned()));
    }
    Ok(url.origin())
}

#[cfg(test)]
mod tests;
