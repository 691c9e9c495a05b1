//! [CORS-safelisted methods](https://fetch.spec.whatwg.org/#cors-safelisted-method): a request
//! with one of them needs no preflight for its method, and a preflight never has to allow them.

/// `GET`, `HEAD` and `POST`.
///
/// ```
/// assert_eq!(corsair::fetch::cors_safelisted_method::CORS_SAFELISTED_METHODS, ["GET", "HEAD", "POST"]);
/// ```
pub const CORS_SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

/// Whether `method` is CORS-safelisted: byte for byte, as the method is after `fetch()`
/// normalized it (`post` becomes `POST`; `patch` stays `patch`).
///
/// ```
/// use corsair::fetch::cors_safelisted_method::is_cors_safelisted_method;
///
/// assert!(is_cors_safelisted_method("POST"));
/// assert!(!is_cors_safelisted_method("post"));
/// assert!(!is_cors_safelisted_method("PUT"));
/// ```
pub fn is_cors_safelisted_method(method: &str) -> bool {
    CORS_SAFELISTED_METHODS.contains(&method)
}
