//! [CORS-safelisted response-header names](https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name):
//! the response headers a script can always read, whatever `Access-Control-Expose-Headers`
//! says.

/// The names, in lower case.
///
/// ```
/// use corsair::fetch::cors_safelisted_response_header_name::CORS_SAFELISTED_RESPONSE_HEADER_NAMES;
///
/// assert!(CORS_SAFELISTED_RESPONSE_HEADER_NAMES.contains(&"content-type"));
/// assert!(!CORS_SAFELISTED_RESPONSE_HEADER_NAMES.contains(&"x-request-id"));
/// ```
pub const CORS_SAFELISTED_RESPONSE_HEADER_NAMES: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Whether a script can always read the response header `name` (any case).
///
/// ```
/// use corsair::fetch::cors_safelisted_response_header_name::is_cors_safelisted_response_header_name as safelisted;
///
/// assert!(safelisted(b"Content-Type"));
/// assert!(!safelisted(b"Set-Cookie"));
/// ```
pub fn is_cors_safelisted_response_header_name(name: &[u8]) -> bool {
    CORS_SAFELISTED_RESPONSE_HEADER_NAMES
        .iter()
        .any(|safe| name.eq_ignore_ascii_case(safe.as_bytes()))
}
