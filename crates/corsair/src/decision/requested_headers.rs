//! Reading `Access-Control-Request-Headers` in one bounded pass, without allocating.

use crate::fetch::token::is_tchar;

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
///
/// Each byte is looked at once (splitting on commas, trimming and checking the token in three
/// passes cost several times as much on every preflight); an element is visited when its comma
/// or the end is reached, so the names before a malformed element are visited first, as
/// elements are read in order.
pub(crate) fn for_each_requested_header(
    value: &[u8],
    mut visit: impl FnMut(&[u8]) -> bool,
) -> bool {
    if value.len() > MAX_REQUEST_HEADERS_LEN {
        return false;
    }
    // The current element's name: where it starts and ends (empty before its first byte), and
    // whether white space has followed it (a name byte after that is malformed).
    let (mut start, mut end, mut closed) = (0, 0, false);
    for (index, &byte) in value.iter().enumerate() {
        if is_tchar(byte) {
            if closed {
                return false;
            }
            if start == end {
                start = index;
            }
            end = index + 1;
        } else if byte == b',' {
            if start != end && !visit(&value[start..end]) {
                return true;
            }
            (start, end, closed) = (0, 0, false);
        } else if byte.is_ascii_whitespace() {
            closed = start != end;
        } else {
            return false;
        }
    }
    if start != end {
        visit(&value[start..end]);
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
        assert!(!collect("a\u{7f}").0);
        assert_eq!(
            collect("a , b\t,c"),
            (true, vec!["a".into(), "b".into(), "c".into()])
        );
    }

    /// The reading as written in the Fetch standard's terms: split on commas, trim, check the
    /// token; the one-pass reading must agree with it on every value, visits included.
    fn model(value: &[u8], mut visit: impl FnMut(&[u8]) -> bool) -> bool {
        if value.len() > MAX_REQUEST_HEADERS_LEN {
            return false;
        }
        for element in value.split(|&b| b == b',') {
            let name = element.trim_ascii();
            if name.is_empty() {
                continue;
            }
            if !crate::fetch::token::is_token(name) {
                return false;
            }
            if !visit(name) {
                return true;
            }
        }
        true
    }

    /// A reading of a value: the one pass or the model.
    type Reading = dyn Fn(&[u8], &mut dyn FnMut(&[u8]) -> bool) -> bool;

    proptest::proptest! {
        #[test]
        fn one_pass_reads_as_the_model(
            value in proptest::collection::vec(
                proptest::sample::select(b"ab-Z, \t\r\n\x0c;\x00\x7f\"/".to_vec()),
                0..24,
            ),
            stop_after in 0usize..6,
        ) {
            let run = |read: &Reading| {
                let mut names = Vec::new();
                let ok = read(&value, &mut |name| {
                    names.push(name.to_vec());
                    names.len() <= stop_after
                });
                (ok, names)
            };
            let one_pass = run(&|v, visit| for_each_requested_header(v, visit));
            let modelled = run(&|v, visit| model(v, visit));
            proptest::prop_assert_eq!(one_pass, modelled);
        }
    }
}
