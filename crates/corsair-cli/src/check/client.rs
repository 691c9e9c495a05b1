//! Sends the requests the browser model asks for, over real sockets, with hyper-util's client
//! (https with rustls and the webpki root certificates, as the browser would verify them).

use std::time::{Duration, Instant};

use bytes::Bytes;
use corsair_browser::{Body, BrowserRequest, FORM_DATA_BOUNDARY, Fetch, Progress, Verdict};
use http::{HeaderName, HeaderValue, Request};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::net::{self, error_chain};

/// The most header lines of a response `check` reads, well above what any browser refuses
/// in practice (Chromium has no count limit, only a size limit).
const MAX_RESPONSE_HEADERS: usize = 1000;

/// When a live check must be over: `--deadline` seconds after it started.
#[derive(Debug, Clone, Copy)]
pub(super) struct Deadline {
    at: Instant,
    /// The `--deadline` it came from, for messages.
    pub(super) seconds: u64,
}

impl Deadline {
    /// `seconds` from now.
    pub(super) fn after(seconds: u64) -> Deadline {
        let now = Instant::now();
        Deadline {
            at: now
                .checked_add(Duration::from_secs(seconds))
                .unwrap_or(now + Duration::from_secs(86_400 * 365)),
            seconds,
        }
    }

    /// What is left of it (zero once passed).
    pub(super) fn left(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }
}

/// The server could not be reached, or did not answer in time.
#[derive(Debug)]
pub(super) struct NetworkFailure {
    /// Which request failed and why.
    pub message: String,
    /// Whether a preflight had been sent before the failure.
    pub preflighted: bool,
}

/// The one HTTP client of a live check: hyper-util's, waiting `timeout` for each response and
/// sending nothing once the check's [`Deadline`] has passed.
pub(super) struct Sender {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
    deadline: Deadline,
}

impl Sender {
    /// A client for one check.
    pub(super) fn new(timeout: Duration, deadline: Deadline) -> Sender {
        // hyper's default (100 header lines) fails responses that browsers load.
        let client = Client::builder(TokioExecutor::new())
            .http1_max_headers(MAX_RESPONSE_HEADERS)
            .build::<_, Full<Bytes>>(net::connector(timeout));
        Sender {
            client,
            timeout,
            deadline,
        }
    }

    /// Sends `request` and returns its response's head (the body is not read: it does not
    /// matter to CORS).
    ///
    /// # Errors
    ///
    /// What went wrong, starting with the request line: not sent because the deadline has
    /// passed, no response in time, or a connection or protocol error.
    pub(super) async fn send(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<http::response::Parts, String> {
        let line = format!("{} {}", request.method(), request.uri());
        let left = self.deadline.left();
        if left.is_zero() {
            return Err(format!(
                "{line}: not sent: the check's --deadline of {} s has passed",
                self.deadline.seconds
            ));
        }
        let wait = self.timeout.min(left);
        let response = tokio::time::timeout(wait, self.client.request(request))
            .await
            .map_err(|_| {
                if wait < self.timeout {
                    format!(
                        "{line}: no response before the check's --deadline of {} s",
                        self.deadline.seconds
                    )
                } else {
                    format!("{line}: no response within {} s", self.timeout.as_secs())
                }
            })?
            .map_err(|e| format!("{line}: {}", error_chain(&e)))?;
        Ok(response.into_parts().0)
    }
}

/// Drives the browser model to a verdict, sending each request it asks for.
///
/// # Errors
///
/// A request could not be sent or was not answered within `timeout`, or `deadline` passed.
pub(super) async fn run(
    request: BrowserRequest,
    timeout: Duration,
    deadline: Deadline,
) -> Result<Verdict, NetworkFailure> {
    let sender = Sender::new(timeout, deadline);
    let mut preflighted = false;
    let mut progress = Fetch::start(request);
    loop {
        let fetch = match progress {
            Progress::Done(verdict) => return Ok(verdict),
            Progress::Send(fetch) => fetch,
        };
        preflighted |= fetch.is_preflight();
        let response = sender
            .send(outgoing(&fetch, &[]))
            .await
            .map_err(|message| NetworkFailure {
                message,
                preflighted,
            })?;
        progress = fetch.receive(response.status, &response.headers);
    }
}

/// The request `fetch` asks for, as hyper sends it: its method, URL and headers, `extra`
/// headers added, and a placeholder body of the script's kind.
pub(super) fn outgoing(fetch: &Fetch, extra: &[(HeaderName, HeaderValue)]) -> Request<Full<Bytes>> {
    let wanted = fetch.request();
    let mut request = Request::new(Full::new(placeholder_body(fetch.body())));
    *request.method_mut() = wanted.method().clone();
    *request.uri_mut() = wanted.uri().clone();
    *request.headers_mut() = wanted.headers().clone();
    for (name, value) in extra {
        request.headers_mut().append(name.clone(), value.clone());
    }
    request
}

/// A small body of the kind the script sends (its content does not matter to CORS).
fn placeholder_body(body: &Body) -> Bytes {
    match body {
        Body::None => Bytes::new(),
        Body::Text | Body::Stream => Bytes::from_static(b"corsair check"),
        Body::UrlSearchParams => Bytes::from_static(b"corsair=check"),
        Body::Blob(Some(kind)) if kind.contains("json") => Bytes::from_static(b"{}"),
        Body::Blob(_) => Bytes::new(),
        Body::FormData => Bytes::from(format!(
            "--{FORM_DATA_BOUNDARY}\r\nContent-Disposition: form-data; name=\"corsair\"\r\n\r\ncheck\r\n--{FORM_DATA_BOUNDARY}--\r\n"
        )),
    }
}
