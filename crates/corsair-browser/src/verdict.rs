//! [`Verdict`]: what the browser decided, and the transcript that shows why.

use std::borrow::Cow;
use std::fmt;

use corsair::{Problem, Severity};

use crate::advice::Advice;
use crate::message::Failure;

/// The outcome of a modelled fetch, with every exchange and check on the way.
///
/// ```
/// use corsair_browser::{BrowserRequest, Fetch, Progress};
///
/// let request = BrowserRequest::builder("https://app.example", "https://api.example/items")
///     .build()?;
/// let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
/// let mut headers = http::HeaderMap::new();
/// headers.insert("access-control-allow-origin", "*".parse().unwrap());
/// let Progress::Done(verdict) = fetch.receive(http::StatusCode::OK, &headers) else { unreachable!() };
/// assert!(verdict.is_allowed());
/// assert!(!verdict.preflighted);
/// assert_eq!(verdict.message(), None);
/// # Ok::<(), corsair_browser::RequestError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verdict {
    /// Allowed or blocked.
    pub outcome: Outcome,
    /// Whether a preflight was sent (at any hop).
    pub preflighted: bool,
    /// Each request sent and its response, in order.
    pub exchanges: Vec<Exchange>,
    /// Legal but surprising things noticed on the way.
    pub warnings: Vec<Warning>,
}

impl Verdict {
    /// Whether the script gets the response.
    ///
    /// ```
    /// # use corsair_browser::*;
    /// # let request = BrowserRequest::builder("https://a.example", "https://b.example/").build().unwrap();
    /// # let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
    /// let Progress::Done(verdict) = fetch.receive(http::StatusCode::OK, &http::HeaderMap::new()) else { unreachable!() };
    /// assert!(!verdict.is_allowed());
    /// ```
    pub fn is_allowed(&self) -> bool {
        matches!(self.outcome, Outcome::Allowed(_))
    }

    /// Chromium's console message, when blocked.
    ///
    /// ```
    /// # use corsair_browser::*;
    /// # let request = BrowserRequest::builder("https://a.example", "https://b.example/").build().unwrap();
    /// # let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
    /// let Progress::Done(verdict) = fetch.receive(http::StatusCode::OK, &http::HeaderMap::new()) else { unreachable!() };
    /// assert!(verdict.message().unwrap().starts_with("Access to fetch at 'https://b.example/'"));
    /// ```
    pub fn message(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Allowed(_) => None,
            Outcome::Blocked(blocked) => Some(&blocked.message),
        }
    }

    /// Why it was blocked, if it was.
    ///
    /// ```
    /// # use corsair_browser::*;
    /// # let request = BrowserRequest::builder("https://a.example", "https://b.example/").build().unwrap();
    /// # let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
    /// let Progress::Done(verdict) = fetch.receive(http::StatusCode::OK, &http::HeaderMap::new()) else { unreachable!() };
    /// assert_eq!(verdict.failure(), Some(&Failure::MissingAllowOrigin { preflight: false }));
    /// ```
    pub fn failure(&self) -> Option<&Failure> {
        match &self.outcome {
            Outcome::Allowed(_) => None,
            Outcome::Blocked(blocked) => Some(&blocked.failure),
        }
    }
}

/// Allowed or blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The script gets the response.
    Allowed(Allowed),
    /// `fetch()` rejects with a `TypeError`; the console shows the message.
    Blocked(Blocked),
}

/// What the script gets when allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Allowed {
    /// The final response's status (a 4xx or 5xx is readable too when CORS passes).
    pub status: u16,
    /// The final URL (after redirects).
    pub url: String,
    /// Whether CORS applied at all (`false` for a same-origin request without a cross-origin
    /// redirect).
    pub cors: bool,
    /// The response header names the script can read (lowercase).
    pub readable_headers: Vec<String>,
}

/// Why and where the browser blocked the request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Blocked {
    /// The failing check.
    pub failure: Failure,
    /// Chromium's console message, word for word.
    pub message: String,
    /// The index in [`Verdict::exchanges`] of the failing exchange (`None` if nothing was sent).
    pub exchange: Option<usize>,
    /// What to change on the server, in plain words.
    pub advice: Vec<Advice>,
}

/// One request the browser sent and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exchange {
    /// A preflight or the request itself.
    pub kind: ExchangeKind,
    /// The method sent.
    pub method: String,
    /// The URL requested.
    pub url: String,
    /// The headers sent (names lowercase).
    pub request_headers: Vec<(String, String)>,
    /// The status received.
    pub status: u16,
    /// The response headers that matter to CORS (`access-control-*`, `location`, `vary`,
    /// `set-cookie`), names lowercase.
    pub response_headers: Vec<(String, String)>,
    /// The checks run on the response, in the browser's order; the first failing one ends the
    /// fetch.
    pub checks: Vec<Check>,
}

/// What a request was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeKind {
    /// The `OPTIONS` preflight.
    Preflight,
    /// The request the script asked for (or a hop of it after a redirect).
    Main,
}

impl ExchangeKind {
    /// `preflight` or `request`.
    ///
    /// ```
    /// assert_eq!(corsair_browser::ExchangeKind::Preflight.as_str(), "preflight");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeKind::Preflight => "preflight",
            ExchangeKind::Main => "request",
        }
    }
}

/// One check on one response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Check {
    /// What was checked.
    pub name: CheckName,
    /// Whether it passed.
    pub passed: bool,
    /// What was found, in a few words.
    pub detail: String,
}

/// The checks the browser runs, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckName {
    /// A preflight must not be redirected.
    NoRedirect,
    /// `Access-Control-Allow-Origin`.
    AllowOrigin,
    /// `Access-Control-Allow-Credentials`.
    AllowCredentials,
    /// A preflight's status must be 2xx.
    Status,
    /// `Access-Control-Allow-Methods` must parse and allow the method.
    AllowMethods,
    /// `Access-Control-Allow-Headers` must parse and allow each request header.
    AllowHeaders,
    /// A redirect's `Location`: parseable, HTTP(S), no credentials, within the redirect limit.
    RedirectLocation,
}

impl CheckName {
    /// A short label for traces.
    ///
    /// ```
    /// assert_eq!(corsair_browser::CheckName::AllowOrigin.label(), "Access-Control-Allow-Origin");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            CheckName::NoRedirect => "not a redirect",
            CheckName::AllowOrigin => "Access-Control-Allow-Origin",
            CheckName::AllowCredentials => "Access-Control-Allow-Credentials",
            CheckName::Status => "ok status",
            CheckName::AllowMethods => "Access-Control-Allow-Methods",
            CheckName::AllowHeaders => "Access-Control-Allow-Headers",
            CheckName::RedirectLocation => "redirect location",
        }
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Something legal that is likely to surprise (it works here but not in every browser, or it
/// works only in part).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    /// A stable, kebab-case identifier.
    pub id: &'static str,
    /// What was noticed and what to do about it.
    pub message: String,
}

/// A warning is a [`Problem`] about the exchange as a whole, whose message says what to do.
impl Problem for Warning {
    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn id(&self) -> &str {
        self.id
    }

    fn subject(&self) -> Cow<'_, str> {
        Cow::Borrowed("")
    }

    fn value(&self) -> Option<Cow<'_, str>> {
        None
    }

    fn message(&self) -> &str {
        &self.message
    }

    fn fix(&self) -> &str {
        ""
    }
}
