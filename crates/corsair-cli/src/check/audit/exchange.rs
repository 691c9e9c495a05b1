//! Sends one step of the plan as Chromium would, through check's one client: the browser model
//! ([`corsair_browser::Fetch`]) makes each request (its `Origin`, preflight and `Sec-Fetch-*`
//! headers), the response is fed back to it, and the same responses are judged twice, with
//! `credentials: 'include'` and with `'omit'`. A request the other mode needs that was not
//! sent yet is sent then. A redirect to another host is not followed; the budget
//! (`--max-requests`) and the delay between requests are kept here.

use std::time::Duration;

use corsair_browser::{BrowserRequest, Credentials, Fetch, Progress, Verdict};
use http::{HeaderMap, HeaderName, HeaderValue};

use super::super::client::{self, Sender};
use super::plan::StepKind;

/// The cookie sent in place of the user's on credentialed requests, when `-H` gives none: a
/// made-up value, so that servers which answer a request with a cookie differently (Starlette
/// echoes the origin only then) are judged on what a browser with a session sends.
pub(in crate::check) const PLACEHOLDER_COOKIE: &str = "corsair_audit=1";

/// The method the "any method" preflight asks for: a token no API needs.
pub(in crate::check) const ANY_METHOD: &str = "CORSAIRPROBE";

/// The header the "any header" preflight asks for.
pub(in crate::check) const ANY_HEADER: &str = "x-corsair-probe";

/// One request sent and its response's head.
#[derive(Debug, Clone)]
pub(in crate::check) struct Sent {
    /// Whether it was a preflight.
    pub preflight: bool,
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// The request headers sent (lowercase names), in order.
    pub request_headers: Vec<(String, String)>,
    /// The status.
    pub status: u16,
    /// The response headers (lowercase names), in order.
    pub response_headers: HeaderMap,
}

impl Sent {
    /// The response's header `name`, its lines joined with `, `.
    pub(in crate::check) fn response(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .response_headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// What one step came to.
#[derive(Debug, Clone)]
pub(in crate::check) struct StepResult {
    /// The origin it was sent from.
    pub origin: String,
    /// What it sent.
    pub kind: StepKind,
    /// Every request sent, in order.
    pub sent: Vec<Sent>,
    /// Chromium's verdict with `credentials: 'include'`; for the "any" preflights, `None`
    /// when the preflight passed (the request itself is never sent).
    pub include: Option<Verdict>,
    /// Chromium's verdict with `credentials: 'omit'`.
    pub omit: Option<Verdict>,
    /// For the "any" preflights: whether the credentialed preflight passed.
    pub preflight_passed: bool,
    /// Why the step could not be judged (a network error, the budget, a redirect elsewhere).
    pub error: Option<String>,
}

/// The headers of `-H`, sorted into the ones a browser sends only with credentials and the
/// rest.
#[derive(Debug, Clone, Default)]
pub(in crate::check) struct ExtraHeaders {
    /// `Cookie` (sent only on credentialed requests, never on a preflight).
    pub cookie: Option<HeaderValue>,
    /// `Authorization` (never on a preflight, as browsers send it).
    pub authorization: Option<HeaderValue>,
    /// The others, on every request.
    pub other: Vec<(HeaderName, HeaderValue)>,
}

/// Sends requests within the budget, waiting `delay` between them.
pub(in crate::check) struct Budget {
    /// Requests left.
    pub left: usize,
    /// Requests sent so far.
    pub sent: usize,
    /// Between two requests.
    pub delay: Duration,
}

/// What one step needs to know.
pub(in crate::check) struct Target<'a> {
    /// The URL audited.
    pub url: &'a str,
    /// Its host (redirects elsewhere are not followed).
    pub host: &'a str,
    /// The headers of `-H`.
    pub extra: &'a ExtraHeaders,
}

/// Sends `kind` from `origin` and judges it.
pub(in crate::check) async fn run_step(
    sender: &Sender,
    budget: &mut Budget,
    target: &Target<'_>,
    origin: &str,
    kind: StepKind,
) -> StepResult {
    let mut result = StepResult {
        origin: origin.to_owned(),
        kind,
        sent: Vec::new(),
        include: None,
        omit: None,
        preflight_passed: false,
        error: None,
    };
    // The mode whose requests are sent first; the other is judged on the same responses.
    let modes: &[Credentials] = match kind {
        StepKind::SimpleWithoutCookie => &[Credentials::Omit, Credentials::Include],
        StepKind::AnyMethod | StepKind::AnyHeader => &[Credentials::Include],
        StepKind::Simple | StepKind::Preflighted => &[Credentials::Include, Credentials::Omit],
    };
    for &mode in modes {
        let request = match browser_request(origin, target.url, kind, mode) {
            Ok(request) => request,
            Err(error) => {
                result.error = Some(error);
                return result;
            }
        };
        let cookie = kind != StepKind::SimpleWithoutCookie && mode == Credentials::Include;
        match drive(
            sender,
            budget,
            target,
            request,
            kind,
            cookie,
            &mut result.sent,
        )
        .await
        {
            Ok(Driven::Verdict(verdict)) => match mode {
                Credentials::Include => result.include = Some(verdict),
                _ => result.omit = Some(verdict),
            },
            Ok(Driven::PreflightPassed) => result.preflight_passed = true,
            Err(error) => {
                result.error = Some(format!("{origin}, {}: {error}", kind.describe()));
                return result;
            }
        }
    }
    result
}

/// The browser request of a step.
fn browser_request(
    origin: &str,
    url: &str,
    kind: StepKind,
    credentials: Credentials,
) -> Result<BrowserRequest, String> {
    let mut builder = BrowserRequest::builder(origin, url).credentials(credentials);
    builder = match kind {
        StepKind::Simple | StepKind::SimpleWithoutCookie => builder,
        StepKind::Preflighted => builder.header("Content-Type", "application/json"),
        StepKind::AnyMethod => builder.method(ANY_METHOD),
        StepKind::AnyHeader => builder.header(ANY_HEADER, "1"),
    };
    builder
        .build()
        .map_err(|e| format!("{origin}: not a request a page can make: {e}"))
}

/// How a fetch ended.
enum Driven {
    /// With a verdict.
    Verdict(Verdict),
    /// An "any" preflight passed; its request is not sent.
    PreflightPassed,
}

/// Drives one fetch to its end, reusing the responses of `sent` for the requests already made.
async fn drive(
    sender: &Sender,
    budget: &mut Budget,
    target: &Target<'_>,
    request: BrowserRequest,
    kind: StepKind,
    cookie: bool,
    sent: &mut Vec<Sent>,
) -> Result<Driven, String> {
    let mut progress = Fetch::start(request);
    loop {
        let fetch = match progress {
            Progress::Done(verdict) => return Ok(Driven::Verdict(verdict)),
            Progress::Send(fetch) => fetch,
        };
        let preflight = fetch.is_preflight();
        if matches!(kind, StepKind::AnyMethod | StepKind::AnyHeader) && !preflight {
            return Ok(Driven::PreflightPassed);
        }
        let wanted = fetch.request();
        let (method, uri) = (wanted.method().to_string(), wanted.uri().to_string());
        if wanted.uri().host() != Some(target.host) {
            return Err(format!(
                "{method} {uri}: a redirect to another host, not followed"
            ));
        }
        let known = sent
            .iter()
            .position(|s| s.preflight == preflight && s.method == method && s.url == uri);
        let index = match known {
            Some(index) => index,
            None => {
                let extra = extras(target.extra, preflight, cookie);
                let outgoing = client::outgoing(&fetch, &extra);
                if budget.left == 0 {
                    return Err(format!(
                        "{method} {uri}: not sent: --max-requests was reached"
                    ));
                }
                if budget.sent > 0 && !budget.delay.is_zero() {
                    tokio::time::sleep(budget.delay).await;
                }
                budget.left -= 1;
                budget.sent += 1;
                let request_headers = outgoing
                    .headers()
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                let response = sender.send(outgoing).await?;
                sent.push(Sent {
                    preflight,
                    method,
                    url: uri,
                    request_headers,
                    status: response.status.as_u16(),
                    response_headers: response.headers,
                });
                sent.len() - 1
            }
        };
        let answer = &sent[index];
        let status = http::StatusCode::from_u16(answer.status).unwrap_or(http::StatusCode::OK);
        progress = fetch.receive(status, &answer.response_headers);
    }
}

/// The headers added to the request the model makes: none of the user's credentials on a
/// preflight (browsers send none), the cookie (the user's, or the placeholder) on credentialed
/// requests only, the other `-H` headers always.
fn extras(extra: &ExtraHeaders, preflight: bool, cookie: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = extra.other.clone();
    if !preflight {
        if let Some(value) = &extra.authorization {
            headers.push((http::header::AUTHORIZATION, value.clone()));
        }
        if cookie {
            let value = extra
                .cookie
                .clone()
                .unwrap_or_else(|| HeaderValue::from_static(PLACEHOLDER_COOKIE));
            headers.push((http::header::COOKIE, value));
        }
    }
    headers
}
