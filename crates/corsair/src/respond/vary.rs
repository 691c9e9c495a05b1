//! Merging `origin` into the response's `Vary` (RFC 9110 §12.5.5): the application's own values
//! are kept, never duplicated, and `*` stands.

use crate::head::{CorsHeader, ResponseHeaders};

/// Adds `origin` to the response's `Vary`: inserted when absent; left alone when a value already
/// lists `origin` or `*`; otherwise appended to the existing value(s), which are joined into one.
pub(crate) fn merge_vary_origin<R: ResponseHeaders>(headers: &mut R, vary_origin: &R::Value) {
    if !headers.has_vary() {
        headers.set(CorsHeader::Vary, vary_origin.clone());
        return;
    }
    let mut covered = false;
    headers.for_each_vary(|value| {
        for token in value.split(|&b| b == b',') {
            let token = token.trim_ascii();
            if token == b"*" || token.eq_ignore_ascii_case(b"origin") {
                covered = true;
            }
        }
    });
    if covered {
        return;
    }
    let mut merged = Vec::with_capacity(64);
    headers.for_each_vary(|value| {
        let value = value.trim_ascii();
        if value.is_empty() {
            return;
        }
        if !merged.is_empty() {
            merged.extend_from_slice(b", ");
        }
        merged.extend_from_slice(value);
    });
    if !merged.is_empty() {
        merged.extend_from_slice(b", ");
    }
    merged.extend_from_slice(b"origin");
    // The existing values were valid header values; joining them with ", " keeps them valid.
    if let Some(value) = R::value_of(&merged) {
        headers.set(CorsHeader::Vary, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::VARY;
    use http::{HeaderMap, HeaderValue};

    fn vary_after(existing: &[&str]) -> Vec<String> {
        let mut headers = HeaderMap::new();
        for v in existing {
            headers.append(VARY, HeaderValue::from_str(v).unwrap());
        }
        merge_vary_origin(&mut headers, &HeaderValue::from_static("origin"));
        headers
            .get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn vary_merging() {
        let table: &[(&[&str], &[&str])] = &[
            (&[], &["origin"]),
            (&["accept-encoding"], &["accept-encoding, origin"]),
            (&["Origin"], &["Origin"]),
            (&["accept-encoding, ORIGIN"], &["accept-encoding, ORIGIN"]),
            (&["*"], &["*"]),
            (&["cookie, *"], &["cookie, *"]),
            (&["accept", "cookie"], &["accept, cookie, origin"]),
            (&["accept", "origin"], &["accept", "origin"]),
            (&[""], &["origin"]),
            (&["originator"], &["originator, origin"]),
        ];
        for (existing, expected) in table {
            assert_eq!(vary_after(existing), *expected, "{existing:?}");
        }
    }
}
