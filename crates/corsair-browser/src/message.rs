//! [`Failure`]: why the browser refused a response, one variant per Chromium error code, and
//! Chromium's console messages for them, word for word.
//!
//! The texts were compared with what headless Chromium 156 prints. Where Chromium's text is
//! odd (the empty location of [`Failure::RedirectContainsCredentials`]), it is reproduced, not
//! corrected.

use std::fmt;

use crate::options::Initiator;

/// Why the browser blocked a request: Chromium's CORS error codes, plus the network errors
/// that end a CORS fetch.
///
/// `preflight` is `true` when the failing response answered a preflight; Chromium then reports
/// the `Preflight…` flavour of the code.
///
/// ```
/// use corsair_browser::Failure;
///
/// let failure = Failure::MissingAllowOrigin { preflight: true };
/// assert_eq!(failure.code(), "PreflightMissingAllowOriginHeader");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// No `Access-Control-Allow-Origin`.
    MissingAllowOrigin {
        /// Whether a preflight response failed.
        preflight: bool,
    },
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardOriginNotAllowed {
        /// Whether a preflight response failed.
        preflight: bool,
    },
    /// `Access-Control-Allow-Origin` with a space or comma (several lines, or a list).
    MultipleAllowOriginValues {
        /// Whether a preflight response failed.
        preflight: bool,
        /// The combined header value.
        value: String,
    },
    /// `Access-Control-Allow-Origin` that is not a URL.
    InvalidAllowOriginValue {
        /// Whether a preflight response failed.
        preflight: bool,
        /// The header value.
        value: String,
    },
    /// `Access-Control-Allow-Origin` naming another origin (or `null`).
    AllowOriginMismatch {
        /// Whether a preflight response failed.
        preflight: bool,
        /// The header value.
        value: String,
    },
    /// A credentialed request without `Access-Control-Allow-Credentials: true` exactly.
    InvalidAllowCredentials {
        /// Whether a preflight response failed.
        preflight: bool,
        /// The header value (empty when absent).
        value: String,
    },
    /// The preflight's status is not 2xx.
    PreflightInvalidStatus {
        /// The status received.
        status: u16,
    },
    /// The preflight was answered with a redirect.
    PreflightDisallowedRedirect,
    /// An `Access-Control-Allow-Methods` element is not a token.
    InvalidAllowMethods,
    /// An `Access-Control-Allow-Headers` element is not a token.
    InvalidAllowHeaders,
    /// The method is not in `Access-Control-Allow-Methods`.
    MethodDisallowed {
        /// The method, as sent.
        method: String,
    },
    /// A request header is not in `Access-Control-Allow-Headers`.
    HeaderDisallowed {
        /// The lowercased header name.
        name: String,
    },
    /// A redirect's `Location` carries a user name or password.
    RedirectContainsCredentials {
        /// The location.
        location: String,
    },
    /// The URL (or a redirect's location) is not `http:` or `https:`.
    UnsupportedScheme {
        /// The URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// A redirect to a scheme other than `http:` or `https:` on a CORS request.
    CorsDisabledScheme,
    /// More than 20 redirects.
    TooManyRedirects,
    /// A redirect whose `Location` does not parse.
    InvalidRedirect,
    /// The URL (or a redirect's location) is on a port Chromium never connects to
    /// ([`UNSAFE_PORTS`](crate::UNSAFE_PORTS)): nothing is sent.
    UnsafePort {
        /// The port.
        port: u16,
    },
}

impl Failure {
    /// Chromium's name for the failure: the `corsError` of the DevTools protocol, or the
    /// `net::` error for network errors.
    ///
    /// ```
    /// use corsair_browser::Failure;
    /// assert_eq!(Failure::HeaderDisallowed { name: "x-a".into() }.code(), "HeaderDisallowedByPreflightResponse");
    /// assert_eq!(Failure::TooManyRedirects.code(), "net::ERR_TOO_MANY_REDIRECTS");
    /// ```
    pub fn code(&self) -> &'static str {
        let (plain, preflighted) = match self {
            Failure::MissingAllowOrigin { preflight } => (
                "MissingAllowOriginHeader",
                preflight.then_some("PreflightMissingAllowOriginHeader"),
            ),
            Failure::WildcardOriginNotAllowed { preflight } => (
                "WildcardOriginNotAllowed",
                preflight.then_some("PreflightWildcardOriginNotAllowed"),
            ),
            Failure::MultipleAllowOriginValues { preflight, .. } => (
                "MultipleAllowOriginValues",
                preflight.then_some("PreflightMultipleAllowOriginValues"),
            ),
            Failure::InvalidAllowOriginValue { preflight, .. } => (
                "InvalidAllowOriginValue",
                preflight.then_some("PreflightInvalidAllowOriginValue"),
            ),
            Failure::AllowOriginMismatch { preflight, .. } => (
                "AllowOriginMismatch",
                preflight.then_some("PreflightAllowOriginMismatch"),
            ),
            Failure::InvalidAllowCredentials { preflight, .. } => (
                "InvalidAllowCredentials",
                preflight.then_some("PreflightInvalidAllowCredentials"),
            ),
            Failure::PreflightInvalidStatus { .. } => ("PreflightInvalidStatus", None),
            Failure::PreflightDisallowedRedirect => ("PreflightDisallowedRedirect", None),
            Failure::InvalidAllowMethods => ("InvalidAllowMethodsPreflightResponse", None),
            Failure::InvalidAllowHeaders => ("InvalidAllowHeadersPreflightResponse", None),
            Failure::MethodDisallowed { .. } => ("MethodDisallowedByPreflightResponse", None),
            Failure::HeaderDisallowed { .. } => ("HeaderDisallowedByPreflightResponse", None),
            Failure::RedirectContainsCredentials { .. } => ("RedirectContainsCredentials", None),
            // Chromium refuses these in the Fetch API, before CORS.
            Failure::UnsupportedScheme { .. } => ("FetchAPIUnsupportedScheme", None),
            Failure::CorsDisabledScheme => ("CorsDisabledScheme", None),
            Failure::TooManyRedirects => ("net::ERR_TOO_MANY_REDIRECTS", None),
            Failure::InvalidRedirect => ("net::ERR_INVALID_REDIRECT", None),
            Failure::UnsafePort { .. } => ("net::ERR_UNSAFE_PORT", None),
        };
        preflighted.unwrap_or(plain)
    }

    /// Whether Chromium reports this failure as a CORS error (with the "Access to … has been
    /// blocked by CORS policy" message) rather than as a plain network error.
    ///
    /// ```
    /// use corsair_browser::Failure;
    /// assert!(Failure::InvalidAllowMethods.is_cors_error());
    /// assert!(!Failure::TooManyRedirects.is_cors_error());
    /// ```
    pub fn is_cors_error(&self) -> bool {
        !matches!(
            self,
            Failure::TooManyRedirects
                | Failure::InvalidRedirect
                | Failure::UnsupportedScheme { .. }
                | Failure::UnsafePort { .. }
        )
    }

    /// Whether Chromium prefixes the reason with "Response to preflight request doesn't pass
    /// access control check: ".
    fn has_preflight_prefix(&self) -> bool {
        match self {
            Failure::MissingAllowOrigin { preflight }
            | Failure::WildcardOriginNotAllowed { preflight }
            | Failure::MultipleAllowOriginValues { preflight, .. }
            | Failure::InvalidAllowOriginValue { preflight, .. }
            | Failure::AllowOriginMismatch { preflight, .. }
            | Failure::InvalidAllowCredentials { preflight, .. } => *preflight,
            Failure::PreflightInvalidStatus { .. } | Failure::PreflightDisallowedRedirect => true,
            _ => false,
        }
    }

    /// The reason part of Chromium's console message (after "blocked by CORS policy: ").
    ///
    /// ```
    /// use corsair_browser::{Failure, Initiator};
    /// let reason = Failure::MethodDisallowed { method: "patch".into() }.reason(Initiator::Fetch);
    /// assert_eq!(reason, "Method patch is not allowed by Access-Control-Allow-Methods in preflight response.");
    /// ```
    pub fn reason(&self, initiator: Initiator) -> String {
        const VALID_VALUE_HINT: &str = " Have the server send the header with a valid value.";
        const XHR_CREDENTIALS_HINT: &str = " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.";
        let fetch_hint = match initiator {
            Initiator::Fetch => VALID_VALUE_HINT,
            Initiator::XmlHttpRequest => "",
        };
        let xhr_hint = match initiator {
            Initiator::Fetch => "",
            Initiator::XmlHttpRequest => XHR_CREDENTIALS_HINT,
        };
        match self {
            Failure::MissingAllowOrigin { .. } => {
                "No 'Access-Control-Allow-Origin' header is present on the requested resource."
                    .to_owned()
            }
            Failure::WildcardOriginNotAllowed { .. } => format!(
                "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.{xhr_hint}"
            ),
            Failure::MultipleAllowOriginValues { value, .. } => format!(
                "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only one is allowed.{fetch_hint}"
            ),
            Failure::InvalidAllowOriginValue { value, .. } => format!(
                "The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'.{fetch_hint}"
            ),
            Failure::AllowOriginMismatch { value, .. } => format!(
                "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to the supplied origin.{fetch_hint}"
            ),
            Failure::InvalidAllowCredentials { value, .. } => format!(
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '{value}' which must be 'true' when the request's credentials mode is 'include'.{xhr_hint}"
            ),
            Failure::PreflightInvalidStatus { .. } => "It does not have HTTP ok status.".to_owned(),
            Failure::PreflightDisallowedRedirect => {
                "Redirect is not allowed for a preflight request.".to_owned()
            }
            Failure::InvalidAllowMethods => "Cannot parse Access-Control-Allow-Methods response header field in preflight response.".to_owned(),
            Failure::InvalidAllowHeaders => "Cannot parse Access-Control-Allow-Headers response header field in preflight response.".to_owned(),
            Failure::MethodDisallowed { method } => format!(
                "Method {method} is not allowed by Access-Control-Allow-Methods in preflight response."
            ),
            Failure::HeaderDisallowed { name } => format!(
                "Request header field {name} is not allowed by Access-Control-Allow-Headers in preflight response."
            ),
            // Chromium 156 prints an empty location here; reproduced as observed.
            Failure::RedirectContainsCredentials { .. } => "Redirect location '' contains a username and password, which is disallowed for cross-origin requests.".to_owned(),
            Failure::UnsupportedScheme { url, scheme } => {
                format!("Fetch API cannot load {url}. URL scheme \"{scheme}\" is not supported.")
            }
            Failure::CorsDisabledScheme => {
                "Cross origin requests are only supported for protocol schemes: chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app.".to_owned()
            }
            Failure::TooManyRedirects | Failure::InvalidRedirect | Failure::UnsafePort { .. } => {
                format!("Failed to load resource: {}", self.code())
            }
        }
    }
}

impl fmt::Display for Failure {
    /// The reason as `fetch()` would get it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason(Initiator::Fetch))
    }
}

/// Where a failure happened, for the console message: the first and the last URL of the
/// request's URL list, and the page's origin.
#[derive(Debug, Clone, Copy)]
pub struct MessageContext<'a> {
    /// What started the request.
    pub initiator: Initiator,
    /// The URL the script asked for.
    pub initial_url: &'a str,
    /// The URL whose response failed (differs after redirects).
    pub last_url: &'a str,
    /// The page's serialized origin (never the `null` of a tainted request).
    pub origin: &'a str,
}

/// Chromium's console message for `failure`, word for word.
///
/// ```
/// use corsair_browser::{Failure, Initiator, MessageContext, console_message};
///
/// let context = MessageContext {
///     initiator: Initiator::Fetch,
///     initial_url: "https://api.example/login",
///     last_url: "https://sso.example/authorize",
///     origin: "https://app.example",
/// };
/// assert_eq!(
///     console_message(&Failure::MissingAllowOrigin { preflight: false }, &context),
///     "Access to fetch at 'https://sso.example/authorize' (redirected from \
///      'https://api.example/login') from origin 'https://app.example' has been blocked by \
///      CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
/// );
/// ```
pub fn console_message(failure: &Failure, context: &MessageContext<'_>) -> String {
    if !failure.is_cors_error() {
        return failure.reason(context.initiator);
    }
    let mut message = format!(
        "Access to {} at '{}' ",
        context.initiator.noun(),
        context.last_url
    );
    if context.initial_url != context.last_url {
        message.push_str(&format!("(redirected from '{}') ", context.initial_url));
    }
    message.push_str(&format!(
        "from origin '{}' has been blocked by CORS policy: ",
        context.origin
    ));
    if failure.has_preflight_prefix() {
        message.push_str("Response to preflight request doesn't pass access control check: ");
    }
    message.push_str(&failure.reason(context.initiator));
    message
}

#[cfg(test)]
mod tests;
