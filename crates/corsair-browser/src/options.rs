//! What a script passes to `fetch()` besides the URL: the credentials mode, the body, and which
//! API made the request; and the errors `fetch()` throws before sending anything.

use std::fmt;

/// The request's credentials mode (`fetch(url, { credentials })`; XHR's `withCredentials = true`
/// is [`Credentials::Include`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Credentials {
    /// Never send cookies.
    Omit,
    /// Send cookies to the page's own origin only (the `fetch()` default).
    #[default]
    SameOrigin,
    /// Send cookies cross-origin too; the server must answer with its exact origin and
    /// `Access-Control-Allow-Credentials: true`.
    Include,
}

impl Credentials {
    /// The mode's name as scripts write it.
    ///
    /// ```
    /// assert_eq!(corsair_browser::Credentials::Include.as_str(), "include");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Credentials::Omit => "omit",
            Credentials::SameOrigin => "same-origin",
            Credentials::Include => "include",
        }
    }
}

/// The kind of body the script passes, which decides the implicit `Content-Type` and whether a
/// preflight is forced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// A string: `Content-Type: text/plain;charset=UTF-8` (no preflight by itself).
    Text,
    /// `URLSearchParams`: `application/x-www-form-urlencoded;charset=UTF-8`.
    UrlSearchParams,
    /// `FormData`: `multipart/form-data; boundary=...`.
    FormData,
    /// A `Blob` with the given `type` (`None` or empty: no implicit `Content-Type`); a JSON blob
    /// is `Blob(Some("application/json".into()))`, which needs a preflight.
    Blob(Option<String>),
    /// A `ReadableStream` (`duplex: 'half'`): always preflighted.
    Stream,
}

impl Body {
    /// The `Content-Type` the browser adds when the script set none.
    ///
    /// ```
    /// use corsair_browser::Body;
    /// assert_eq!(Body::Text.implicit_content_type().as_deref(), Some("text/plain;charset=UTF-8"));
    /// assert_eq!(Body::Stream.implicit_content_type(), None);
    /// ```
    pub fn implicit_content_type(&self) -> Option<String> {
        match self {
            Body::None | Body::Stream => None,
            Body::Text => Some("text/plain;charset=UTF-8".to_owned()),
            Body::UrlSearchParams => {
                Some("application/x-www-form-urlencoded;charset=UTF-8".to_owned())
            }
            Body::FormData => Some(format!(
                "multipart/form-data; boundary={FORM_DATA_BOUNDARY}"
            )),
            Body::Blob(kind) => kind.clone().filter(|k| !k.is_empty()),
        }
    }

    /// Whether there is a body at all.
    ///
    /// ```
    /// assert!(!corsair_browser::Body::None.is_present());
    /// ```
    pub fn is_present(&self) -> bool {
        *self != Body::None
    }
}

/// The multipart boundary used for [`Body::FormData`] (Chromium's style).
pub const FORM_DATA_BOUNDARY: &str = "----WebKitFormBoundarycorsair0000000";

/// What started the request; only changes the wording of Chromium's console messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Initiator {
    /// `fetch()`.
    #[default]
    Fetch,
    /// `XMLHttpRequest`.
    XmlHttpRequest,
}

impl Initiator {
    /// The noun Chromium's console messages use.
    ///
    /// ```
    /// assert_eq!(corsair_browser::Initiator::XmlHttpRequest.noun(), "XMLHttpRequest");
    /// ```
    pub fn noun(self) -> &'static str {
        match self {
            Initiator::Fetch => "fetch",
            Initiator::XmlHttpRequest => "XMLHttpRequest",
        }
    }
}

/// Why a script's request would throw before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    /// The page origin is not a URL or serialized origin.
    InvalidPageOrigin(String),
    /// The request URL does not parse.
    InvalidUrl(String),
    /// The method is not an HTTP token.
    InvalidMethod(String),
    /// `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod(String),
    /// A header name that is not an HTTP token.
    InvalidHeaderName(String),
    /// A header value with NUL, CR or LF, or a byte HTTP cannot carry.
    InvalidHeaderValue(String),
    /// A body on a `GET` or `HEAD` request.
    BodyWithGetOrHead,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::InvalidPageOrigin(o) => write!(
                f,
                "page origin `{o}` is not an origin: write it as scheme://host[:port], e.g. `https://app.example`"
            ),
            RequestError::InvalidUrl(u) => write!(
                f,
                "`{u}` is not an absolute URL: write it as http://host[:port]/path"
            ),
            RequestError::InvalidMethod(m) => write!(
                f,
                "'{m}' is not a valid HTTP method: a method is letters, digits and !#$%&'*+-.^_`|~"
            ),
            RequestError::ForbiddenMethod(m) => write!(
                f,
                "'{m}' HTTP method is unsupported: browsers refuse CONNECT, TRACE and TRACK"
            ),
            RequestError::InvalidHeaderName(n) => write!(
                f,
                "'{n}' is not a valid HTTP header name: a name is letters, digits and !#$%&'*+-.^_`|~"
            ),
            RequestError::InvalidHeaderValue(n) => write!(
                f,
                "the value of header '{n}' is invalid: it must not contain NUL, CR, LF or other control characters"
            ),
            RequestError::BodyWithGetOrHead => {
                f.write_str("Request with GET/HEAD method cannot have body.")
            }
        }
    }
}

impl std::error::Error for RequestError {}
