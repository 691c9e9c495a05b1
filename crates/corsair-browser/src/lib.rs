//! A model of the browser's side of CORS (the Fetch standard as Chromium applies it), usable
//! without a network.
//!
//! Describe what the page asks for with a [`BrowserRequest`], then drive a [`Fetch`]: it hands
//! out each request the browser would send (the preflight first when one is needed) and takes
//! back each response's status and headers, until a [`Verdict`]: allowed, or blocked with the
//! failing check, Chromium's console message word for word, and advice. The model follows
//! headless Chromium where it departs from the specification, and says so in a [`Warning`].
//!
//! ```
//! use corsair_browser::{BrowserRequest, Credentials, Fetch, Progress};
//! use http::{HeaderMap, StatusCode};
//!
//! let request = BrowserRequest::builder("http://localhost:3000", "http://localhost:8000/api/me")
//!     .credentials(Credentials::Include)
//!     .build()?;
//! let Progress::Send(fetch) = Fetch::start(request) else { unreachable!() };
//! assert_eq!(fetch.request().headers()["origin"], "http://localhost:3000");
//!
//! // The server answers with a wildcard, which credentialed requests refuse.
//! let mut answer = HeaderMap::new();
//! answer.insert("access-control-allow-origin", "*".parse().unwrap());
//! let Progress::Done(verdict) = fetch.receive(StatusCode::OK, &answer) else { unreachable!() };
//! assert!(verdict.message().unwrap().ends_with(
//!     "The value of the 'Access-Control-Allow-Origin' header in the response must not be \
//!      the wildcard '*' when the request's credentials mode is 'include'."
//! ));
//! # Ok::<(), corsair_browser::RequestError>(())
//! ```
//!
//! [`har`] reads a browser session recorded as a HAR file (Chromium's DevTools, Firefox,
//! Playwright) into the requests its scripts made, ready for the model. With the `tower`
//! feature, [`testing`] runs the model against a tower service.

mod address_space;
mod advice;
mod check;
mod expose;
mod fetch;
pub mod har;
mod message;
mod options;
mod port;
mod request;
mod safelist;
#[cfg(feature = "tower")]
pub mod testing;
mod verdict;
mod warnings;

pub use advice::{Advice, Fix};
pub use check::parse_allow_list;
pub use expose::readable_headers;
pub use fetch::{Fetch, MAX_REDIRECTS, Progress};
pub use message::{Failure, MessageContext, console_message};
pub use options::{Body, Credentials, FORM_DATA_BOUNDARY, Initiator, RequestError};
pub use port::{UNSAFE_PORTS, is_unsafe_port};
pub use request::{BrowserRequest, BrowserRequestBuilder, normalize_method};
pub use safelist::{
    MAX_SAFELISTED_TOTAL_LEN, MAX_SAFELISTED_VALUE_LEN, is_cors_safelisted_request_header,
    is_cors_unsafe_request_header_byte, mime_essence,
};
pub use verdict::{
    Allowed, Blocked, Check, CheckName, Exchange, ExchangeKind, Outcome, Verdict, Warning,
};
