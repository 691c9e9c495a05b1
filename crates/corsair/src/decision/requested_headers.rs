//! Reading `Access-Control-Request-Headers` in one bounded pass, without allocating.

use crate::fetch::token::is_token;

/// The longest `Access-Control-Request-Headers` value corsair reads when explaining a refusal;
/// longer lists are refused without being scanned.
///
/// ```
/// use corsair::{Cors, Refusal, MAX_REQUEST_HEADERS_LEN};
///
/// let cors = Cors::builder().allowed_origins(["https://app.example"]).build().unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("origin", "https://app.example".parse().unwrap());
/// headers.insert("access-control-request-method", "PUT".parse().unwrap());
/// let huge = "x-a,".repeat(MAX_REQUEST_HEADERS_LEN);
/// headers.insert("access-control-request-headers", huge.parse().unwrap());
/// assert_eq!(cors.explain_preflight(&"/".parse().unwrap(), &headers), Some(Refusal::MalformedRequestHeaders));
/// ```
pub const MAX_REQUEST_HEADERS_LEN: usize = 4096;

/// Calls `visit` with each name of an `Access-Control-Request-Headers` value, in one bounded
/// pass without allocating. Stops when `visit` returns `false`. Returns `false` when the value is
/// longer than [`MAX_REQUEST_HEADERS_LEN`] or an element is not a header-name token.
pub(crate) fn for_each_requested_header(
    value: &[u8],
    mut visit: impl FnMut(&[u8]) -> bool,
) -> bool {
    if value.len() > MAX_REQUEST_HEADERS_LEN {
        return false;
    }
    for element in value.split(|&b| b == b',') {
        let name = element.trim_ascii();
        if name.is_empty() {
            continue;
        }
        if !is_token(name) {
            return false;
        }
        if !visit(name) {
            return true;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_header_parsing() {
        let collect = |v: &str| {
            let mut names = Vec::new();
            let ok = for_each_requested_header(v.as_bytes(), |n| {
                names.push(String::from_utf8(n.to_vec()).unwrap());
                true
            });
            (ok, names)
        };
        assert_eq!(collect("a,b"), (true, vec!["a".into(), "b".into()]));
        assert_eq!(collect(" a , ,b "), (true, vec!["a".into(), "b".into()]));
        assert_eq!(collect(""), (true, vec![]));
        assert!(!collect("a b").0);
        assert!(!collect(&"a,".repeat(MAX_REQUEST_HEADERS_LEN)).0);
    }
}
