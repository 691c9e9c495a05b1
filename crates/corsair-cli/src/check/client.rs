//! Sends the requests the browser model asks for, over real sockets, with hyper-util's client
//! (https with rustls and the webpki root certificates, as the browser would verify them).

use std::time::{Duration, Instant};

use bytes::Bytes;
use corsair_browser::{Body, BrowserRequest, FORM_DATA_BOUNDARY, Fetch, Progress, Verdict};
use http::Request;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::net::{self, error_chain};

/// The most header lines of a response `check` reads, well above what any browser refuses
/// in practice (Chromium has no count limit, only a size limit).
const MAX_RESPONSE_HEADERS: usize = 1000;

/// When a live check must be over: `--deadline` seconds after it started.
#[derive(Debug, Clone, Copy)]
pub(super) struct Deadline {
    at: Instant,
    seconds: u64,
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
    fn left(&self) -> Duration {
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
    let connector = net::connector(timeout);
    // hyper's default (100 header lines) fails responses that browsers load.
    let client = Client::builder(TokioExecutor::new())
        .http1_max_headers(MAX_RESPONSE_HEADERS)
        .build::<_, Full<Bytes>>(connector);
    let mut preflighted = false;
    let mut progress = Fetch::start(request);
    loop {
        let fetch = match progress {
            Progress::Done(verdict) => return Ok(verdict),
            Progress::Send(fetch) => fetch,
        };
        preflighted |= fetch.is_preflight();
        let outgoing = fetch.request();
        let line = format!("{} {}", outgoing.method(), outgoing.uri());
        let mut request = Request::new(Full::new(placeholder_body(fetch.body())));
        *request.method_mut() = outgoing.method().clone();
        *request.uri_mut() = outgoing.uri().clone();
        *request.headers_mut() = outgoing.headers().clone();
        let failure = |message: String| NetworkFailure {
            message,
            preflighted,
        };
        let left = deadline.left();
        if left.is_zero() {
            return Err(failure(format!(
                "{line}: not sent: the check's --deadline of {} s has passed",
                deadline.seconds
            )));
        }
        let wait = timeout.min(left);
        let response = tokio::time::timeout(wait, client.request(request))
            .await
            .map_err(|_| {
                failure(if wait < timeout {
                    format!(
                        "{line}: no response before the check's --deadline of {} s",
                        deadline.seconds
                    )
                } else {
                    format!("{line}: no response within {} s", timeout.as_secs())
                })
            })?
            .map_err(|e| failure(format!("{line}: {}", error_chain(&e))))?;
        progress = fetch.receive(response.status(), response.headers());
    }
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
