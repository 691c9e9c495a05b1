//! The Fetch standard's tables, one module per table and named after the standard's term, each
//! linking the section it implements.
//!
//! They are the single source for every part of corsair that needs them: the engine, the
//! validation of a configuration (`corsair lint`) and the browser model (`corsair check`), so
//! that the two tools can never disagree about a header or a method.
//!
//! ```
//! use corsair::fetch::{forbidden_request_header, cors_safelisted_method};
//!
//! assert!(forbidden_request_header::is_forbidden_name(b"Cookie"));
//! assert!(cors_safelisted_method::is_cors_safelisted_method("POST"));
//! ```

pub mod cors_safelisted_method;
pub mod cors_safelisted_response_header_name;
pub mod forbidden_method;
pub mod forbidden_request_header;
pub mod max_age;
pub mod token;

/// Whether `bytes` starts with `prefix`, ignoring ASCII case.
fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Strips leading and trailing HTTP whitespace (space, tab, CR, LF), as Fetch's
/// [HTTP whitespace](https://fetch.spec.whatwg.org/#http-whitespace) is defined.
///
/// ```
/// assert_eq!(corsair::fetch::trim_http_whitespace(b" \tGET\r\n"), b"GET");
/// assert_eq!(corsair::fetch::trim_http_whitespace(b"  "), b"");
/// ```
pub fn trim_http_whitespace(bytes: &[u8]) -> &[u8] {
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = bytes.iter().position(|b| !is_ws(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ws(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}
