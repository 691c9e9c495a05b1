//! [Forbidden methods](https://fetch.spec.whatwg.org/#forbidden-method): `fetch()` and
//! `XMLHttpRequest` throw before sending them.

/// `CONNECT`, `TRACE` and `TRACK`, compared ignoring ASCII case.
///
/// ```
/// assert!(corsair::fetch::forbidden_method::FORBIDDEN_METHODS.contains(&"TRACE"));
/// ```
pub const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// Whether a script can never send `method`.
///
/// ```
/// use corsair::fetch::forbidden_method::is_forbidden_method;
///
/// assert!(is_forbidden_method(b"trace"));
/// assert!(is_forbidden_method(b"Connect"));
/// assert!(!is_forbidden_method(b"PATCH"));
/// ```
pub fn is_forbidden_method(method: &[u8]) -> bool {
    FORBIDDEN_METHODS
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m.as_bytes()))
}
