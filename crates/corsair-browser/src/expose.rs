//! Which response headers a script can read after CORS passed.

use http::HeaderMap;
use http::header::ACCESS_CONTROL_EXPOSE_HEADERS;

use crate::check::{combined, parse_allow_list};
use corsair::fetch::cors_safelisted_response_header_name::is_cors_safelisted_response_header_name;

/// The lowercase names of the response headers a script can read, and whether
/// `Access-Control-Expose-Headers` was present but unparseable (then it exposes nothing extra).
///
/// ```
/// use corsair_browser::readable_headers;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("content-type", "application/json".parse().unwrap());
/// headers.insert("x-total", "3".parse().unwrap());
/// headers.insert("x-secret", "s".parse().unwrap());
/// headers.insert("access-control-expose-headers", "X-Total".parse().unwrap());
/// let (readable, unparseable) = readable_headers(&headers, false);
/// assert_eq!(readable, ["content-type", "x-total"]);
/// assert!(!unparseable);
/// ```
pub fn readable_headers(headers: &HeaderMap, include_credentials: bool) -> (Vec<String>, bool) {
    let exposed = combined(headers, ACCESS_CONTROL_EXPOSE_HEADERS);
    let parsed = exposed.as_deref().map(|v| parse_allow_list(v.as_bytes()));
    let unparseable = matches!(parsed, Some(None));
    let listed: Vec<String> = parsed
        .flatten()
        .unwrap_or_default()
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let everything = !include_credentials && listed.iter().any(|n| n == "*");
    let mut readable: Vec<String> = headers
        .keys()
        .map(|n| n.as_str().to_owned())
        .filter(|n| n != "set-cookie" && n != "set-cookie2")
        .filter(|n| {
            everything
                || is_cors_safelisted_response_header_name(n.as_bytes())
                || listed.contains(n)
        })
        .collect();
    readable.sort();
    readable.dedup();
    (readable, unparseable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(pairs: &[(&str, &str)], include: bool) -> (Vec<String>, bool) {
        let mut map = HeaderMap::new();
        for (n, v) in pairs {
            map.append(
                http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        readable_headers(&map, include)
    }

    #[test]
    fn exposure_table() {
        let base: &[(&str, &str)] = &[("content-length", "2"), ("x-a", "1"), ("set-cookie", "s=1")];
        let with = |aceh: &'static str| {
            let mut v = base.to_vec();
            v.push(("access-control-expose-headers", aceh));
            v
        };
        assert_eq!(names(base, false), (vec!["content-length".into()], false));
        assert_eq!(names(&with("x-a"), false).0, ["content-length", "x-a"]);
        assert_eq!(
            names(&with("*"), false).0,
            ["access-control-expose-headers", "content-length", "x-a"]
        );
        // With credentials `*` is a header literally named `*`.
        assert_eq!(names(&with("*"), true).0, ["content-length"]);
        // Set-Cookie is never readable.
        assert_eq!(
            names(&with("set-cookie, x-a"), false).0,
            ["content-length", "x-a"]
        );
        assert_eq!(
            names(&with("x a"), false),
            (vec!["content-length".into()], true)
        );
    }
}
