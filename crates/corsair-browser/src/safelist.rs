//! [CORS-safelisted request-headers](https://fetch.spec.whatwg.org/#cors-safelisted-request-header),
//! on raw bytes: the headers a script may set without causing a preflight, each with its value
//! rule. (The forbidden request-headers, which scripts cannot set at all, are
//! [`corsair::fetch::forbidden_request_header`].)
//!
//! Invariants: every function here takes untrusted bytes, never allocates more than the input's
//! size, and never panics.

use corsair::fetch::token::is_token;
use corsair::fetch::trim_http_whitespace;

/// The longest value a CORS-safelisted request header may have, in bytes.
pub const MAX_SAFELISTED_VALUE_LEN: usize = 128;

/// The most bytes the values of all safelisted headers of one request may add up to; above it,
/// they all count as unsafe.
pub const MAX_SAFELISTED_TOTAL_LEN: usize = 1024;

/// Whether a script's `(name, value)` header is CORS-safelisted on its own (without the
/// 1024-byte total rule, see [`MAX_SAFELISTED_TOTAL_LEN`]).
///
/// Only `accept`, `accept-language`, `content-language`, `content-type` and `range` can be, each
/// with its value rule; any value longer than [`MAX_SAFELISTED_VALUE_LEN`] is not.
///
/// ```
/// use corsair_browser::is_cors_safelisted_request_header as safelisted;
///
/// assert!(safelisted(b"Content-Type", b"text/plain; charset=utf-8"));
/// assert!(!safelisted(b"Content-Type", b"application/json"));
/// assert!(safelisted(b"Range", b"bytes=0-499"));
/// assert!(!safelisted(b"Range", b"bytes=-500"));
/// assert!(!safelisted(b"Accept-Language", b"en_US"));
/// assert!(!safelisted(b"Authorization", b"Bearer t"));
/// ```
pub fn is_cors_safelisted_request_header(name: &[u8], value: &[u8]) -> bool {
    if value.len() > MAX_SAFELISTED_VALUE_LEN {
        return false;
    }
    if name.eq_ignore_ascii_case(b"accept") {
        !value
            .iter()
            .copied()
            .any(is_cors_unsafe_request_header_byte)
    } else if name.eq_ignore_ascii_case(b"accept-language")
        || name.eq_ignore_ascii_case(b"content-language")
    {
        value.iter().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
        })
    } else if name.eq_ignore_ascii_case(b"content-type") {
        !value
            .iter()
            .copied()
            .any(is_cors_unsafe_request_header_byte)
            && mime_essence(value).is_some_and(|essence| {
                [
                    &b"application/x-www-form-urlencoded"[..],
                    b"multipart/form-data",
                    b"text/plain",
                ]
                .iter()
                .any(|safe| essence.eq_ignore_ascii_case(safe))
            })
    } else if name.eq_ignore_ascii_case(b"range") {
        is_simple_range(value)
    } else {
        false
    }
}

/// A CORS-unsafe request-header byte: a control byte other than TAB, DEL, or one of
/// `" ( ) : < > ? @ [ \ ] { }`.
///
/// ```
/// assert!(corsair_browser::is_cors_unsafe_request_header_byte(b'@'));
/// assert!(!corsair_browser::is_cors_unsafe_request_header_byte(b'\t'));
/// ```
pub fn is_cors_unsafe_request_header_byte(byte: u8) -> bool {
    (byte < 0x20 && byte != b'\t')
        || byte == 0x7f
        || matches!(
            byte,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
        )
}

/// The essence (`type/subtype`) of a MIME type, as the Fetch standard's strict MIME type parser
/// reads it, or `None` if the value is not a MIME type. Parameters are not validated: the parser
/// skips malformed ones.
///
/// ```
/// use corsair_browser::mime_essence;
///
/// assert_eq!(mime_essence(b" Text/Plain ;charset=utf-8"), Some(&b"Text/Plain"[..]));
/// assert_eq!(mime_essence(b"text/plain, application/json"), None);
/// assert_eq!(mime_essence(b"text"), None);
/// ```
pub fn mime_essence(value: &[u8]) -> Option<&[u8]> {
    let value = trim_http_whitespace(value);
    let slash = value.iter().position(|b| *b == b'/')?;
    let kind = &value[..slash];
    let rest = &value[slash + 1..];
    let end = rest.iter().position(|b| *b == b';').unwrap_or(rest.len());
    let subtype = trim_http_whitespace(&rest[..end]);
    if !is_token(kind) || !is_token(subtype) {
        return None;
    }
    Some(&value[..slash + 1 + subtype.len()])
}

/// A `Range` value browsers let through without a preflight: `bytes=N-` or `bytes=N-M` with
/// `N <= M`, no whitespace, one range only.
fn is_simple_range(value: &[u8]) -> bool {
    let Some(prefix) = value.get(..6) else {
        return false;
    };
    if !prefix.eq_ignore_ascii_case(b"bytes=") {
        return false;
    }
    let spec = &value[6..];
    let Some(dash) = spec.iter().position(|b| *b == b'-') else {
        return false;
    };
    let (start, end) = (&spec[..dash], &spec[dash + 1..]);
    let Some(start) = parse_decimal(start) else {
        return false;
    };
    if end.is_empty() {
        return true;
    }
    parse_decimal(end).is_some_and(|end| start <= end)
}

/// One or more ASCII digits, saturating instead of overflowing (the comparison of two huge
/// values is then unreliable, which only matters beyond 2^64 bytes).
fn parse_decimal(digits: &[u8]) -> Option<u128> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0u128, |n, d| {
        n.saturating_mul(10).saturating_add(u128::from(d - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use corsair::fetch::forbidden_request_header::is_forbidden_request_header;
    use proptest::prelude::*;

    #[test]
    fn safelisted_headers_table() {
        let long_accept = format!("text/{}", "a".repeat(123));
        let too_long_accept = format!("text/{}", "a".repeat(124));
        let table: &[(&str, &str, bool)] = &[
            ("accept", "application/json", true),
            ("Accept", "*/*", true),
            ("accept", "text/html; q=\"0.9\"", false),
            ("accept", "a@b", false),
            ("accept", &long_accept, true),
            ("accept", &too_long_accept, false),
            ("accept-language", "en-US,en;q=0.9", true),
            ("accept-language", "*", true),
            ("accept-language", "en_US", false),
            ("accept-language", "fr\tFR", false),
            ("content-language", "de-DE", true),
            ("content-language", "dé", false),
            ("content-type", "text/plain", true),
            ("content-type", "TEXT/PLAIN", true),
            ("content-type", "text/plain;charset=UTF-8", true),
            ("content-type", "  text/plain ; charset=utf-8", true),
            ("content-type", "application/x-www-form-urlencoded", true),
            ("content-type", "multipart/form-data; boundary=xyz", true),
            ("content-type", "application/json", false),
            ("content-type", "text/plain, application/json", false),
            ("content-type", "text/plain; charset=\"utf-8\"", false),
            ("content-type", "text /plain", false),
            ("content-type", "text/", false),
            ("content-type", "text", false),
            ("content-type", "text/html", false),
            ("range", "bytes=0-", true),
            ("range", "bytes=0-499", true),
            ("range", "Bytes=10-10", true),
            ("range", "bytes=10-9", false),
            ("range", "bytes=-500", false),
            ("range", "bytes=0-1,5-6", false),
            ("range", "bytes = 0-1", false),
            ("range", "bytes=a-1", false),
            ("range", "items=0-1", false),
            ("authorization", "Bearer x", false),
            ("x-requested-with", "XMLHttpRequest", false),
            ("cache-control", "no-cache", false),
            ("if-none-match", "\"abc\"", false),
            ("content-encoding", "gzip", false),
        ];
        for (name, value, expected) in table {
            assert_eq!(
                is_cors_safelisted_request_header(name.as_bytes(), value.as_bytes()),
                *expected,
                "{name}: {value}"
            );
        }
    }

    /// A deliberately naive restatement of the `Range` rule, to compare against.
    fn reference_range(value: &str) -> bool {
        let lower = value.to_ascii_lowercase();
        let Some(spec) = lower.strip_prefix("bytes=") else {
            return false;
        };
        let mut parts = spec.splitn(2, '-');
        let (Some(start), Some(end)) = (parts.next(), parts.next()) else {
            return false;
        };
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !digits(start) {
            return false;
        }
        if end.is_empty() {
            return true;
        }
        digits(end) && start.parse::<u128>().ok() <= end.parse::<u128>().ok()
    }

    proptest! {
        #[test]
        fn range_matches_reference(value in "(bytes|BYTES|byte)=[0-9 -]{0,8}(-[0-9]{0,4})?") {
            prop_assert_eq!(is_simple_range(value.as_bytes()), reference_range(&value));
        }

        #[test]
        fn language_headers_match_reference(value in "[ -~]{0,12}") {
            let reference = value.bytes().all(|b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b));
            prop_assert_eq!(is_cors_safelisted_request_header(b"content-language", value.as_bytes()), reference);
        }

        #[test]
        fn long_values_are_never_safelisted(extra in 1usize..64) {
            let value = "a".repeat(MAX_SAFELISTED_VALUE_LEN + extra);
            prop_assert!(!is_cors_safelisted_request_header(b"accept", value.as_bytes()));
        }

        #[test]
        fn content_type_matches_reference(kind in "[a-zA-Z ]{0,6}", sub in "[a-zA-Z-]{0,8} ?", params in "(;[a-z=]{0,5})?") {
            let value = format!("{kind}/{sub}{params}");
            let kind = kind.trim_start();
            let essence = format!("{kind}/{}", sub.trim()).to_ascii_lowercase();
            let valid = !kind.is_empty() && !kind.contains(' ') && !sub.trim().is_empty();
            let reference = valid && ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"].contains(&essence.as_str());
            prop_assert_eq!(is_cors_safelisted_request_header(b"content-type", value.as_bytes()), reference);
        }

        #[test]
        fn arbitrary_bytes_never_panic(name in proptest::collection::vec(any::<u8>(), 0..16), value in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = is_cors_safelisted_request_header(&name, &value);
            let _ = is_forbidden_request_header(&name, &value);
            let _ = mime_essence(&value);
        }
    }
}
