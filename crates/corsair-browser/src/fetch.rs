//! [`Fetch`]: the browser's side of one `fetch()`, as a state machine without I/O.
//!
//! The caller sends each request the machine asks for (however it likes: a socket, a tower
//! service, a canned answer) and feeds back the response's status and headers, until a
//! [`Verdict`]. The machine sends a preflight first when the browser would, follows redirects
//! (checking every hop, tainting the origin to `null` after a cross-origin hop, rewriting the
//! method on 301/302/303), and stops at the first failing check, as Chromium does.
//!
//! The preflight cache is not modelled: every request is checked as if the cache were empty
//! (as in a fresh browser profile, or with DevTools' cache disabled).
//!
//! This file is longer than the others on purpose: it is the one place where the steps of the
//! Fetch standard's main fetch, CORS-preflight fetch and HTTP-redirect fetch follow each other,
//! in the standard's order; the checks themselves, the messages and the advice live in their
//! own modules.

use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use url::Url;

use crate::advice::{Advice, Answered, Fix, Redirected, advise};
use crate::check::{self, Context, PreflightAsk, is_redirect};
use crate::expose::readable_headers;
use crate::message::{Failure, MessageContext, console_message};
use crate::options::{Body, Credentials};
use crate::port::is_unsafe_port;
use crate::request::{BrowserRequest, needs_preflight, unsafe_header_names};
use crate::verdict::{
    Allowed, Blocked, Check, CheckName, Exchange, ExchangeKind, Outcome, Verdict, Warning,
};
use crate::warnings;

/// The most redirects a fetch follows.
pub const MAX_REDIRECTS: usize = 20;

/// Request headers whose values describe the body; dropped when a redirect drops the body.
const BODY_HEADERS: [&str; 4] = [
    "content-encoding",
    "content-language",
    "content-location",
    "content-type",
];

/// What the machine wants next.
#[derive(Debug)]
pub enum Progress {
    /// Send [`Fetch::request`] and pass the response to [`Fetch::receive`].
    Send(Box<Fetch>),
    /// Finished.
    Done(Verdict),
}

/// One `fetch()` in progress, waiting for the response to [`Fetch::request`].
///
/// ```
/// use corsair_browser::{BrowserRequest, Fetch, Progress};
/// use http::{HeaderMap, StatusCode};
///
/// let request = BrowserRequest::builder("https://app.example", "https://api.example/items/1")
///     .method("DELETE")
///     .build()?;
/// let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
/// assert_eq!(fetch.request().method(), "OPTIONS");
/// assert_eq!(fetch.request().headers()["access-control-request-method"], "DELETE");
///
/// let mut preflight = HeaderMap::new();
/// preflight.insert("access-control-allow-origin", "https://app.example".parse().unwrap());
/// preflight.insert("access-control-allow-methods", "GET, POST".parse().unwrap());
/// let Progress::Done(verdict) = fetch.receive(StatusCode::NO_CONTENT, &preflight) else {
///     unreachable!()
/// };
/// assert_eq!(
///     verdict.message().unwrap(),
///     "Access to fetch at 'https://api.example/items/1' from origin 'https://app.example' has been \
///      blocked by CORS policy: Method DELETE is not allowed by Access-Control-Allow-Methods in \
///      preflight response."
/// );
/// # Ok::<(), corsair_browser::RequestError>(())
/// ```
#[derive(Debug)]
pub struct Fetch {
    request: BrowserRequest,
    url: Url,
    url_list: Vec<Url>,
    method: String,
    headers: Vec<(String, String)>,
    body: Body,
    tainted: bool,
    stage: Stage,
    preflighted: bool,
    exchanges: Vec<Exchange>,
    warnings: Vec<Warning>,
    outgoing: Request<()>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Preflight,
    Main,
}

impl Fetch {
    /// Starts the fetch: usually the first request to send, or a verdict right away when the
    /// URL's scheme cannot be fetched.
    ///
    /// ```
    /// use corsair_browser::{BrowserRequest, Fetch, Progress};
    ///
    /// let request = BrowserRequest::builder("https://app.example", "ftp://files.example/a").build()?;
    /// let Progress::Done(verdict) = Fetch::start(request) else { unreachable!() };
    /// assert_eq!(verdict.message(), Some("Fetch API cannot load ftp://files.example/a. URL scheme \"ftp\" is not supported."));
    /// # Ok::<(), corsair_browser::RequestError>(())
    /// ```
    pub fn start(request: BrowserRequest) -> Progress {
        let url = request.url.clone();
        let mut warnings = Vec::new();
        warnings.extend(warnings::dropped_headers(&request.dropped));
        if request.body == Body::Stream {
            warnings.push(warnings::stream_body());
        }
        warnings.extend(warnings::local_network_access(&request.origin, &url));
        let fetch = Fetch {
            url_list: vec![url.clone()],
            url,
            method: request.method.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
            request,
            tainted: false,
            stage: Stage::Main,
            preflighted: false,
            exchanges: Vec::new(),
            warnings,
            outgoing: Request::new(()),
        };
        if !matches!(fetch.url.scheme(), "http" | "https") {
            let failure = Failure::UnsupportedScheme {
                url: fetch.url.to_string(),
                scheme: fetch.url.scheme().to_owned(),
            };
            return fetch.blocked(failure, None);
        }
        // Fetch: "should request be blocked due to a bad port", before anything is sent
        // (https://fetch.spec.whatwg.org/#main-fetch; again at every redirect).
        if let Some(port) = fetch
            .url
            .port_or_known_default()
            .filter(|&p| is_unsafe_port(p))
        {
            return fetch.blocked(Failure::UnsafePort { port }, None);
        }
        fetch.begin_hop()
    }

    /// The request to send now.
    ///
    /// It carries what the browser would send: `Host`, `Origin`, the script's headers, the
    /// `Sec-Fetch-*` metadata, and for a preflight `Access-Control-Request-Method` and
    /// `-Headers`. The body is not part of it; send the body matching
    /// [`BrowserRequest::body`] (or none) with requests other than preflights.
    ///
    /// ```
    /// use corsair_browser::{BrowserRequest, Fetch, Progress};
    ///
    /// let request = BrowserRequest::builder("https://app.example", "https://api.example/a")
    ///     .header("X-B", "1").header("X-A", "2")
    ///     .build()?;
    /// let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
    /// assert_eq!(fetch.request().headers()["access-control-request-headers"], "x-a,x-b");
    /// # Ok::<(), corsair_browser::RequestError>(())
    /// ```
    pub fn request(&self) -> &Request<()> {
        &self.outgoing
    }

    /// The warnings noticed so far (the ones about the request itself are known from the
    /// start: forbidden headers dropped, Local Network Access, a stream body).
    ///
    /// ```
    /// # use corsair_browser::{BrowserRequest, Fetch, Progress};
    /// let request = BrowserRequest::builder("https://app.example", "http://localhost:8000/api").build()?;
    /// let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
    /// assert_eq!(fetch.warnings()[0].id, "local-network-access");
    /// # Ok::<(), corsair_browser::RequestError>(())
    /// ```
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Whether [`Fetch::request`] is a preflight.
    ///
    /// ```
    /// # use corsair_browser::{BrowserRequest, Fetch, Progress};
    /// let request = BrowserRequest::builder("https://app.example", "https://api.example/a").build()?;
    /// let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
    /// assert!(!fetch.is_preflight());
    /// # Ok::<(), corsair_browser::RequestError>(())
    /// ```
    pub fn is_preflight(&self) -> bool {
        self.stage == Stage::Preflight
    }

    /// Whether the request to send carries a body (the script's body, on the main request).
    ///
    /// ```
    /// # use corsair_browser::{Body, BrowserRequest, Fetch, Progress};
    /// let request = BrowserRequest::builder("https://app.example", "https://api.example/a")
    ///     .method("POST").body(Body::Text).build()?;
    /// let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
    /// assert!(fetch.sends_body());
    /// # Ok::<(), corsair_browser::RequestError>(())
    /// ```
    pub fn sends_body(&self) -> bool {
        self.stage == Stage::Main && self.body.is_present()
    }

    /// The body kind of the request to send ([`Body::None`] for a preflight).
    ///
    /// ```
    /// # use corsair_browser::{Body, BrowserRequest, Fetch, Progress};
    /// let request = BrowserRequest::builder("https://app.example", "https://api.example/a")
    ///     .method("POST").body(Body::FormData).build()?;
    /// let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
    /// assert_eq!(*fetch.body(), Body::FormData);
    /// # Ok::<(), corsair_browser::RequestError>(())
    /// ```
    pub fn body(&self) -> &Body {
        match self.stage {
            Stage::Preflight => &Body::None,
            Stage::Main => &self.body,
        }
    }

    /// Feeds the response to [`Fetch::request`] (its status and headers; the body does not
    /// matter to CORS) and advances.
    ///
    /// ```
    /// use corsair_browser::{BrowserRequest, Fetch, Progress};
    /// use http::{HeaderMap, StatusCode};
    ///
    /// let request = BrowserRequest::builder("https://app.example", "https://api.example/login").build()?;
    /// let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
    /// let mut redirect = HeaderMap::new();
    /// redirect.insert("location", "https://sso.example/authorize".parse().unwrap());
    /// redirect.insert("access-control-allow-origin", "*".parse().unwrap());
    /// let Progress::Send(fetch) = fetch.receive(StatusCode::FOUND, &redirect) else { unreachable!() };
    /// // After a cross-origin hop, the origin is `null`.
    /// assert_eq!(fetch.request().headers()["origin"], "null");
    /// # Ok::<(), corsair_browser::RequestError>(())
    /// ```
    pub fn receive(mut self, status: StatusCode, headers: &HeaderMap) -> Progress {
        let outgoing = &self.outgoing;
        self.exchanges.push(Exchange {
            kind: match self.stage {
                Stage::Preflight => ExchangeKind::Preflight,
                Stage::Main => ExchangeKind::Main,
            },
            method: outgoing.method().to_string(),
            url: self.url.to_string(),
            request_headers: outgoing
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), lossy(v)))
                .collect(),
            status: status.as_u16(),
            response_headers: headers
                .iter()
                .filter(|(n, _)| is_relevant_response_header(n))
                .map(|(n, v)| (n.to_string(), lossy(v)))
                .collect(),
            checks: Vec::new(),
        });
        match self.stage {
            Stage::Preflight => self.receive_preflight(status, headers),
            Stage::Main => self.receive_main(status, headers),
        }
    }

    fn receive_preflight(mut self, status: StatusCode, headers: &HeaderMap) -> Progress {
        let origin = self.serialized_origin();
        let unsafe_headers = unsafe_header_names(&self.headers);
        let context = self.context(&origin);
        let ask = PreflightAsk {
            method: &self.method,
            unsafe_headers: &unsafe_headers,
            forced: self.request.forces_preflight(),
        };
        let mut log = Vec::new();
        let result = check::check_preflight(status, headers, context, ask, &mut log);
        self.record(log);
        match result {
            Err(failure) => {
                let missing = match &failure {
                    Failure::HeaderDisallowed { .. } => {
                        missing_headers(headers, context, &unsafe_headers)
                    }
                    _ => Vec::new(),
                };
                let mut progress = self.blocked(failure, Some(status.as_u16()));
                if let (Progress::Done(verdict), true) = (&mut progress, missing.len() > 1)
                    && let Outcome::Blocked(blocked) = &mut verdict.outcome
                {
                    let names = missing.join(", ");
                    blocked.advice = vec![Advice::new(
                        format!(
                            "Allow the request headers {names} in Access-Control-Allow-Headers."
                        ),
                        Some(Fix::AllowHeaders { names: missing }),
                    )];
                }
                progress
            }
            Ok(grant) => {
                if grant.authorization_by_wildcard {
                    self.warnings.push(warnings::authorization_by_wildcard());
                }
                self.warnings.extend(warnings::max_age(headers));
                self.stage = Stage::Main;
                self.outgoing = self.main_request();
                Progress::Send(Box::new(self))
            }
        }
    }

    fn receive_main(mut self, status: StatusCode, headers: &HeaderMap) -> Progress {
        let cors = self.is_cors();
        if is_redirect(status, headers)
            && let Some(next) = headers
                .get(header::LOCATION)
                .and_then(|l| self.url.join(&lossy(l)).ok())
            && next.origin() != self.url.origin()
        {
            self.warnings
                .push(warnings::cross_origin_redirect(&self.url, &next));
        }
        let origin = self.serialized_origin();
        if cors {
            let mut log = Vec::new();
            let result = check::check_access(headers, self.context(&origin), false, &mut log);
            self.record(log);
            if let Err(failure) = result {
                return self.blocked(failure, Some(status.as_u16()));
            }
        }
        if is_redirect(status, headers) {
            return self.follow_redirect(status, headers, cors);
        }
        if cors && self.request.credentials == Credentials::Include {
            let found = warnings::third_party_cookies(&self.request.origin, &self.url, headers);
            self.warnings.extend(found);
        }
        let (readable, unparseable) =
            readable_headers(headers, self.request.credentials == Credentials::Include);
        if cors && unparseable {
            self.warnings.push(warnings::unparseable_expose_headers());
        }
        let readable_headers = if cors {
            readable
        } else {
            let mut all: Vec<String> = headers.keys().map(|n| n.to_string()).collect();
            all.retain(|n| n != "set-cookie" && n != "set-cookie2");
            all.dedup();
            all
        };
        let url = self.url.to_string();
        self.finish(Outcome::Allowed(Allowed {
            status: status.as_u16(),
            url,
            cors,
            readable_headers,
        }))
    }

    fn follow_redirect(mut self, status: StatusCode, headers: &HeaderMap, cors: bool) -> Progress {
        let location = headers.get(header::LOCATION).map(lossy).unwrap_or_default();
        let Ok(mut next) = self.url.join(&location) else {
            return self.redirect_failure(Failure::InvalidRedirect, status, &location);
        };
        next.set_fragment(None);
        if self.url_list.len() > MAX_REDIRECTS {
            return self.redirect_failure(Failure::TooManyRedirects, status, &location);
        }
        if !matches!(next.scheme(), "http" | "https") {
            // Chromium names the refused location as the last URL of the message.
            self.url = next.clone();
            self.url_list.push(next);
            return self.redirect_failure(Failure::CorsDisabledScheme, status, &location);
        }
        if Uri::try_from(next.as_str()).is_err() {
            return self.redirect_failure(Failure::InvalidRedirect, status, &location);
        }
        if let Some(port) = next.port_or_known_default().filter(|&p| is_unsafe_port(p)) {
            return self.redirect_failure(Failure::UnsafePort { port }, status, &location);
        }
        let crosses_page_origin = next.origin() != self.request.origin;
        if (cors || crosses_page_origin)
            && (!next.username().is_empty() || next.password().is_some())
        {
            let failure = Failure::RedirectContainsCredentials {
                location: next.to_string(),
            };
            return self.redirect_failure(failure, status, &location);
        }
        self.record(vec![Check {
            name: CheckName::RedirectLocation,
            passed: true,
            detail: format!("{status} to {next}"),
        }]);
        let code = status.as_u16();
        if ((code == 301 || code == 302) && self.method == "POST")
            || (code == 303 && self.method != "GET" && self.method != "HEAD")
        {
            self.method = "GET".to_owned();
            self.body = Body::None;
            self.headers
                .retain(|(n, _)| !BODY_HEADERS.contains(&n.as_str()));
        }
        if next.origin() != self.url.origin() {
            self.headers.retain(|(n, _)| n != "authorization");
            if self.url.origin() != self.request.origin {
                self.tainted = true;
            }
        }
        self.url = next.clone();
        self.url_list.push(next);
        self.begin_hop()
    }

    fn redirect_failure(
        mut self,
        failure: Failure,
        status: StatusCode,
        location: &str,
    ) -> Progress {
        self.record(vec![Check {
            name: CheckName::RedirectLocation,
            passed: false,
            detail: format!("{status} to `{location}`: {}", failure.code()),
        }]);
        self.blocked(failure, Some(status.as_u16()))
    }

    /// Decides what to send for the current URL.
    fn begin_hop(mut self) -> Progress {
        let preflight = self.is_cors()
            && needs_preflight(&self.method, &self.headers, self.request.forces_preflight());
        if preflight {
            self.stage = Stage::Preflight;
            self.preflighted = true;
            self.outgoing = self.preflight_request();
        } else {
            self.stage = Stage::Main;
            self.outgoing = self.main_request();
        }
        Progress::Send(Box::new(self))
    }

    /// Whether CORS applies to the current hop.
    fn is_cors(&self) -> bool {
        self.tainted || self.url.origin() != self.request.origin
    }

    fn serialized_origin(&self) -> String {
        if self.tainted {
            "null".to_owned()
        } else {
            self.request.origin()
        }
    }

    fn context<'a>(&self, origin: &'a str) -> Context<'a> {
        Context {
            origin,
            include_credentials: self.request.credentials == Credentials::Include,
        }
    }

    fn record(&mut self, checks: Vec<Check>) {
        if let Some(exchange) = self.exchanges.last_mut() {
            exchange.checks.extend(checks);
        }
    }

    fn preflight_request(&self) -> Request<()> {
        let mut headers = vec![
            ("accept".to_owned(), "*/*".to_owned()),
            (
                "access-control-request-method".to_owned(),
                self.method.clone(),
            ),
        ];
        let names = unsafe_header_names(&self.headers);
        if !names.is_empty() {
            headers.push(("access-control-request-headers".to_owned(), names.join(",")));
        }
        headers.push(("origin".to_owned(), self.serialized_origin()));
        headers.extend(self.fetch_metadata());
        self.build_request("OPTIONS", headers)
    }

    fn main_request(&self) -> Request<()> {
        let mut headers = self.headers.clone();
        if !headers.iter().any(|(n, _)| n == "accept") {
            headers.push(("accept".to_owned(), "*/*".to_owned()));
        }
        if self.is_cors() || !matches!(self.method.as_str(), "GET" | "HEAD") {
            headers.push(("origin".to_owned(), self.serialized_origin()));
        }
        headers.extend(self.fetch_metadata());
        self.build_request(&self.method, headers)
    }

    fn fetch_metadata(&self) -> Vec<(String, String)> {
        let site = if self.url.origin() == self.request.origin && !self.tainted {
            "same-origin"
        } else {
            "cross-site"
        };
        vec![
            ("sec-fetch-mode".to_owned(), "cors".to_owned()),
            ("sec-fetch-site".to_owned(), site.to_owned()),
            ("sec-fetch-dest".to_owned(), "empty".to_owned()),
        ]
    }

    fn build_request(&self, method: &str, headers: Vec<(String, String)>) -> Request<()> {
        let mut request = Request::new(());
        // Both were validated when the request was built or the redirect followed, so the
        // fallbacks are never used.
        *request.method_mut() = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        *request.uri_mut() = Uri::try_from(self.url.as_str()).unwrap_or_default();
        let map = request.headers_mut();
        if let Some(host) = self.url.host_str() {
            let host = match self.url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            };
            if let Ok(value) = HeaderValue::from_str(&host) {
                map.insert(header::HOST, value);
            }
        }
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                map.append(name, value);
            }
        }
        request
    }

    fn blocked(self, failure: Failure, status: Option<u16>) -> Progress {
        let initial = self
            .url_list
            .first()
            .map(Url::to_string)
            .unwrap_or_default();
        let last = self.url.to_string();
        let page_origin = self.request.origin();
        let message = console_message(
            &failure,
            &MessageContext {
                initiator: self.request.initiator,
                initial_url: &initial,
                last_url: &last,
                origin: &page_origin,
            },
        );
        let origin = self.serialized_origin();
        let crossed = self
            .url_list
            .windows(2)
            .any(|hop| hop[0].origin() != hop[1].origin());
        let advice = advise(
            &failure,
            Answered {
                origin: &origin,
                credentials: self.request.credentials == Credentials::Include,
                status,
                redirected: crossed.then_some(Redirected {
                    requested: &initial,
                    last: &last,
                }),
            },
        );
        let exchange = self.exchanges.len().checked_sub(1);
        self.finish(Outcome::Blocked(Blocked {
            failure,
            message,
            exchange,
            advice,
        }))
    }

    fn finish(self, outcome: Outcome) -> Progress {
        Progress::Done(Verdict {
            outcome,
            preflighted: self.preflighted,
            exchanges: self.exchanges,
            warnings: self.warnings,
        })
    }
}

/// Every request header the preflight did not allow, sorted.
fn missing_headers(headers: &HeaderMap, context: Context<'_>, names: &[String]) -> Vec<String> {
    let allowed: Vec<String> = check::combined(headers, header::ACCESS_CONTROL_ALLOW_HEADERS)
        .and_then(|v| check::parse_allow_list(v.as_bytes()))
        .unwrap_or_default()
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    if !context.include_credentials && allowed.iter().any(|n| n == "*") {
        return Vec::new();
    }
    names
        .iter()
        .filter(|n| !allowed.contains(n))
        .cloned()
        .collect()
}

fn is_relevant_response_header(name: &HeaderName) -> bool {
    let name = name.as_str();
    name.starts_with("access-control-") || matches!(name, "location" | "vary" | "set-cookie")
}

fn lossy(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}
