//! What the script asked for, recovered from what the browser recorded: the headers it set
//! (without the ones the browser adds itself), the kind of body, and the credentials mode.

use super::format::{Entry, Header};
use crate::options::{Body, Credentials};
use corsair::fetch::forbidden_request_header::is_forbidden_request_header;
use corsair::fetch::token::is_token;

/// Headers the browser adds to requests on its own that scripts do not (or cannot) set; the
/// forbidden names and every `Sec-` and `Proxy-` name are left out as well.
const BROWSER_HEADERS: [&str; 3] = ["user-agent", "priority", "upgrade-insecure-requests"];

/// The headers the script set, in the order recorded, and whether the browser's cache-busting
/// headers (`Pragma`/`Cache-Control: no-cache`, which DevTools adds when its cache is
/// disabled) were left out.
///
/// Firefox appends to a request's headers the ones it finds at the start of the body (an
/// upload stream's own `Content-Type`), so a header recorded twice with the same value is kept
/// once, and a "name" that is no HTTP token (no script could set it) is left out.
pub(super) fn script_headers(headers: &[Header]) -> (Vec<(String, String)>, bool) {
    let mut kept: Vec<(String, String)> = Vec::new();
    let mut cache_busting = false;
    for header in headers {
        let name = header.name.trim().to_ascii_lowercase();
        let value = header.value.trim();
        if name.starts_with(':')
            || !is_token(name.as_bytes())
            || BROWSER_HEADERS.contains(&name.as_str())
            || is_forbidden_request_header(name.as_bytes(), value.as_bytes())
            || kept.iter().any(|(n, v)| *n == name && v == value)
        {
            continue;
        }
        if matches!(name.as_str(), "pragma" | "cache-control")
            && value.eq_ignore_ascii_case("no-cache")
        {
            cache_busting = true;
            continue;
        }
        kept.push((name, value.to_owned()));
    }
    (kept, cache_busting)
}

/// The body kind for the model: what the recorded type says, for a method that may have one.
/// A multipart body's own `Content-Type` (with the recorded boundary) is dropped from
/// `headers`, so that the model's boundary and body agree.
pub(super) fn body(entry: &Entry, headers: &mut Vec<(String, String)>) -> Body {
    let method = entry.request.method.to_ascii_uppercase();
    let content_type = headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.clone());
    let recorded = entry
        .request
        .post_data
        .as_ref()
        .map(|p| p.mime_type.clone());
    if method == "GET" || method == "HEAD" || (recorded.is_none() && content_type.is_none()) {
        return Body::None;
    }
    let kind = content_type
        .or(recorded)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let essence = kind.split(';').next().unwrap_or_default().trim().to_owned();
    match essence.as_str() {
        "multipart/form-data" => {
            headers.retain(|(n, _)| n != "content-type");
            Body::FormData
        }
        "application/x-www-form-urlencoded" => Body::UrlSearchParams,
        "text/plain" => Body::Text,
        "" => Body::Blob(None),
        _ => Body::Blob(Some(essence)),
    }
}

/// The credentials mode judged from the recording, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialsGuess {
    /// The mode the request is judged with.
    pub mode: Credentials,
    /// Why.
    pub reason: CredentialsReason,
}

/// Why a recorded request is judged with its credentials mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsReason {
    /// It carried a `Cookie` header: browsers send cookies to another origin only with
    /// `credentials: 'include'`.
    Cookie,
    /// It carried an `Authorization` header of a scheme browsers send themselves for HTTP
    /// authentication (Basic, Digest, Negotiate, NTLM), which they do only with `include`.
    HttpAuthentication,
    /// Nothing recorded says so: the browser's default (`same-origin`).
    Default,
}

impl CredentialsGuess {
    /// A sentence for reports: the mode and why.
    pub fn describe(&self) -> String {
        match self.reason {
            CredentialsReason::Cookie => "include: the recorded request carried a Cookie header (browsers send cookies to another origin only with credentials: 'include')".to_owned(),
            CredentialsReason::HttpAuthentication => "include: the recorded request carried an HTTP authentication Authorization header, which browsers send themselves only with credentials: 'include' (if the script set it itself, the browser used its default and this judgement is stricter than the browser's)".to_owned(),
            CredentialsReason::Default => format!("{}: the browser's default, since no Cookie or HTTP authentication header was recorded", self.mode.as_str()),
        }
    }
}

/// Judges the credentials mode from the recorded request.
pub(super) fn credentials(entry: &Entry) -> CredentialsGuess {
    let guess = |mode, reason| CredentialsGuess { mode, reason };
    let has_cookie = entry
        .request_header("cookie")
        .is_some_and(|c| !c.trim().is_empty())
        || !entry.request.cookies.is_empty();
    if has_cookie {
        return guess(Credentials::Include, CredentialsReason::Cookie);
    }
    // A token set by script (`Bearer ...`) says nothing about the credentials mode; only the
    // schemes of the browser's own HTTP authentication do.
    let scheme = entry
        .request_header("authorization")
        .and_then(|value| value.split_whitespace().next())
        .map(str::to_ascii_lowercase);
    if matches!(
        scheme.as_deref(),
        Some("basic" | "digest" | "negotiate" | "ntlm")
    ) {
        return guess(Credentials::Include, CredentialsReason::HttpAuthentication);
    }
    guess(Credentials::SameOrigin, CredentialsReason::Default)
}
