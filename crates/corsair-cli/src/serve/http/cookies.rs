//! The `Cookie` header on its way to an HTTP/1.1 upstream. Over HTTP/2 a client may send each
//! cookie as its own `cookie` field (browsers do, for better header compression); HTTP/1.1 has
//! one `Cookie` line (RFC 6265 §5.4), and a server that folds repeated lines with `,`, as every
//! WSGI server does, reads `a=1,b=2` as one cookie named `a`. So before a request is forwarded
//! over HTTP/1.1, its `cookie` fields are joined into one, separated by `; `
//! (RFC 9113 §8.2.3, <https://www.rfc-editor.org/rfc/rfc9113#section-8.2.3>).
//!
//! Invariants: the cookies keep their order and bytes; a request with at most one `cookie`
//! field is left untouched, without allocating.

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};

/// Joins the `cookie` fields of `headers` into one, separated by `; ` (empty fields dropped).
/// The joined value is marked sensitive when any of the fields was.
///
/// ```ignore
/// let mut headers = http::HeaderMap::new();
/// headers.append("cookie", "sessionid=S".parse().unwrap());
/// headers.append("cookie", "csrftoken=T".parse().unwrap());
/// join(&mut headers);
/// assert_eq!(headers["cookie"], "sessionid=S; csrftoken=T");
/// ```
pub(super) fn join(headers: &mut HeaderMap) {
    let mut fields = headers.get_all(COOKIE).iter();
    if fields.next().is_none() || fields.next().is_none() {
        return;
    }
    let fields = headers.get_all(COOKIE);
    let length: usize = fields.iter().map(|value| value.len() + 2).sum();
    let mut joined = Vec::with_capacity(length);
    let mut sensitive = false;
    for value in fields {
        sensitive |= value.is_sensitive();
        if value.is_empty() {
            continue;
        }
        if !joined.is_empty() {
            joined.extend_from_slice(b"; ");
        }
        joined.extend_from_slice(value.as_bytes());
    }
    // Valid values joined by `; ` are a valid value; were it not so, the fields stay as they are.
    if let Ok(mut value) = HeaderValue::from_bytes(&joined) {
        value.set_sensitive(sensitive);
        headers.insert(COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_fields_are_joined_in_order_with_semicolon_space() {
        // (fields received, the one forwarded; None: no Cookie)
        let table: [(&[&str], Option<&str>); 6] = [
            (&[], None),
            (&["a=1"], Some("a=1")),
            (&["a=1; b=2"], Some("a=1; b=2")),
            (
                &["csrftoken=T0K3N", "sessionid=S3SS10N", "theme=dark"],
                Some("csrftoken=T0K3N; sessionid=S3SS10N; theme=dark"),
            ),
            (&["a=1; b=2", "c=3"], Some("a=1; b=2; c=3")),
            (&["", "a=1", ""], Some("a=1")),
        ];
        for (fields, expected) in table {
            let mut headers = HeaderMap::new();
            headers.insert("accept", HeaderValue::from_static("*/*"));
            for field in fields {
                headers.append(COOKIE, HeaderValue::from_str(field).unwrap());
            }
            join(&mut headers);
            let forwarded: Vec<&str> = headers
                .get_all(COOKIE)
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect();
            assert_eq!(
                forwarded,
                expected.into_iter().collect::<Vec<_>>(),
                "{fields:?}"
            );
            assert_eq!(headers["accept"], "*/*");
        }
    }

    #[test]
    fn the_joined_cookie_stays_sensitive() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1"));
        let mut secret = HeaderValue::from_static("session=s3cret");
        secret.set_sensitive(true);
        headers.append(COOKIE, secret);
        join(&mut headers);
        assert!(headers[COOKIE].is_sensitive());
    }
}
