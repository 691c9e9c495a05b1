//! The request path as upstream servers route on it: path parameters removed, percent-decoded,
//! with runs of `/` merged and dot segments removed, so that `urls_regex` and the choice of a route
//! decide on the same path the application serves.
//!
//! A browser never sends `/%61pi/x` or `//api/x` for `/api/x`, but an attacker's page can, and
//! servers such as nginx (its decoded `$uri`, `merge_slashes`) and Django (`request.path_info`)
//! treat them as `/api/x`. Matching the raw path would leave such a request outside a
//! `urls_regex = "^/api/"`, passing the application's own CORS headers through untouched.
//!
//! Servlet containers (Tomcat, Jetty, and Spring on them) go further: they cut each segment's
//! path parameters (`;name=value`, RFC 3986 §3.3) before anything else, so `/admin;x/users` is
//! `/admin/users` and `/partner/..;/admin/users` climbs out of `/partner/`. Other servers keep `;`
//! as part of the segment. Cutting the parameters here errs on the side of the servers that cut
//! them: a path a literal server serves as `/admin;x/users` (usually a 404) is judged as
//! `/admin/users`, never as a neighbour's path.
//!
//! The steps: cut every segment's `;` parameters, as they are written (Tomcat's order: an encoded
//! `%3B` is not a separator); decode every `%XX` escape (an invalid escape stays as written);
//! merge each run of `/` into one; remove `.` and `..` segments as RFC 3986 §5.2.4 does
//! (<https://www.rfc-editor.org/rfc/rfc3986#section-5.2.4>), never above the root.
//!
//! Invariants: a path that is already normal (no `;`, no `%`, no `//`, no dot segment: what
//! browsers send) is returned borrowed, without allocating; no input makes this panic.

use std::borrow::Cow;

/// The normal form of `path` (the path of a request target, without the query).
pub(crate) fn normalize(path: &[u8]) -> Cow<'_, [u8]> {
    if is_normal(path) {
        return Cow::Borrowed(path);
    }
    let decoded = percent_decode(&cut_parameters(path));
    let merged = merge_slashes(&decoded);
    Cow::Owned(remove_dot_segments(&merged))
}

/// Whether `path` has nothing to normalize: no `;`, no `%`, no `//`, no `.` or `..` segment.
fn is_normal(path: &[u8]) -> bool {
    if path.contains(&b'%') || path.contains(&b';') || path.windows(2).any(|w| w == b"//") {
        return false;
    }
    !path
        .split(|&b| b == b'/')
        .any(|segment| segment == b"." || segment == b"..")
}

/// Removes each segment's path parameters: from a `;` to the end of its segment (the next `/`).
fn cut_parameters(path: &[u8]) -> Cow<'_, [u8]> {
    if !path.contains(&b';') {
        return Cow::Borrowed(path);
    }
    let mut out = Vec::with_capacity(path.len());
    let mut in_parameters = false;
    for &byte in path {
        match byte {
            b'/' => in_parameters = false,
            b';' => in_parameters = true,
            _ => {}
        }
        if !in_parameters {
            out.push(byte);
        }
    }
    Cow::Owned(out)
}

/// Decodes every `%` followed by two hex digits; other bytes, and `%` not followed by two hex
/// digits, are kept.
fn percent_decode(path: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.len());
    let mut at = 0;
    while at < path.len() {
        if path[at] == b'%' {
            let digits = path.get(at + 1..at + 3);
            if let Some(&[high, low]) = digits {
                if let (Some(high), Some(low)) = (hex_value(high), hex_value(low)) {
                    out.push(high << 4 | low);
                    at += 3;
                    continue;
                }
            }
        }
        out.push(path[at]);
        at += 1;
    }
    out
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Replaces each run of `/` with one `/`.
fn merge_slashes(path: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.len());
    for &byte in path {
        if byte == b'/' && out.last() == Some(&b'/') {
            continue;
        }
        out.push(byte);
    }
    out
}

/// RFC 3986 §5.2.4 on a path without empty segments: `.` segments vanish, `..` removes the
/// segment before it (none above the root), and a path that ended in a dot segment keeps its
/// trailing `/`.
fn remove_dot_segments(path: &[u8]) -> Vec<u8> {
    let absolute = path.first() == Some(&b'/');
    let segments: Vec<&[u8]> = path.split(|&b| b == b'/').collect();
    let mut kept: Vec<&[u8]> = Vec::with_capacity(segments.len());
    let mut trailing_slash = false;
    for (index, segment) in segments.iter().enumerate() {
        let last = index + 1 == segments.len();
        match *segment {
            b"." => trailing_slash = last,
            b".." => {
                kept.pop();
                trailing_slash = last;
            }
            b"" if index == 0 && absolute => {}
            segment => {
                kept.push(segment);
                trailing_slash = false;
            }
        }
    }
    let mut out = Vec::with_capacity(path.len());
    if absolute {
        out.push(b'/');
    }
    out.extend_from_slice(&kept.join(&b'/'));
    if trailing_slash && out.last() != Some(&b'/') {
        out.push(b'/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(path: &str) -> String {
        String::from_utf8_lossy(&normalize(path.as_bytes())).into_owned()
    }

    #[test]
    fn paths_become_what_upstreams_route_on() {
        let table = [
            ("/api/x", "/api/x"),
            ("/", "/"),
            ("", ""),
            ("*", "*"),
            ("/%61pi/x", "/api/x"),
            ("/%2561pi", "/%61pi"),
            ("//api/x", "/api/x"),
            ("/./api/x", "/api/x"),
            ("/api/../x", "/x"),
            ("/api/..%2fadmin", "/admin"),
            ("/api%2F..%2Fadmin", "/admin"),
            ("/%2e%2e/admin", "/admin"),
            ("/../../admin", "/admin"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("/a//../b", "/b"),
            ("/a/%zz/b", "/a/%zz/b"),
            ("/a/%4", "/a/%4"),
            ("/files/my%20doc", "/files/my doc"),
            ("/a/...", "/a/..."),
            ("/.well-known/x", "/.well-known/x"),
            // Path parameters, cut per segment as servlet containers do (issue N1, N2).
            ("/admin;x/acao", "/admin/acao"),
            ("/partner/..;/admin/acao", "/admin/acao"),
            ("/webhooks/..;/admin/users", "/admin/users"),
            ("/..;/admin/users", "/admin/users"),
            ("/%2e%2e;/admin/users", "/admin/users"),
            ("/x/..;/..;/admin/users", "/admin/users"),
            ("/api/items;jsessionid=1A2B", "/api/items"),
            ("/a;p=1;q=2/b;r/c", "/a/b/c"),
            ("/;x/a", "/a"),
            ("/a%3bx/b", "/a;x/b"),
        ];
        for (raw, expected) in table {
            assert_eq!(normal(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn normal_paths_are_borrowed() {
        for path in ["/", "/api/items/7", "/.well-known/security.txt", "/a/.../b"] {
            assert!(
                matches!(normalize(path.as_bytes()), Cow::Borrowed(_)),
                "{path}"
            );
        }
        for path in ["/a%20b", "//a", "/a/./b", "/a/..", "/a;b"] {
            assert!(
                matches!(normalize(path.as_bytes()), Cow::Owned(_)),
                "{path}"
            );
        }
    }

    /// RFC 3986 §5.2.4 as the RFC writes it: an input buffer consumed from the left.
    fn reference_remove_dot_segments(path: &[u8]) -> Vec<u8> {
        let mut input = path.to_vec();
        let mut output: Vec<u8> = Vec::new();
        while !input.is_empty() {
            if input.starts_with(b"../") {
                input.drain(..3);
            } else if input.starts_with(b"./") || input.starts_with(b"/./") {
                input.drain(..2);
            } else if input == b"/." {
                input = b"/".to_vec();
            } else if input.starts_with(b"/../") {
                input.drain(..3);
                let cut = output.iter().rposition(|&b| b == b'/').unwrap_or(0);
                output.truncate(cut);
            } else if input == b"/.." {
                input = b"/".to_vec();
                let cut = output.iter().rposition(|&b| b == b'/').unwrap_or(0);
                output.truncate(cut);
            } else if input == b"." || input == b".." {
                input.clear();
            } else {
                let start = usize::from(input[0] == b'/');
                let end = input[start..]
                    .iter()
                    .position(|&b| b == b'/')
                    .map_or(input.len(), |p| p + start);
                output.extend(input.drain(..end));
            }
        }
        output
    }

    /// Decoding as nginx does, one byte at a time.
    fn reference_decode(path: &[u8]) -> Vec<u8> {
        let text: Vec<char> = path.iter().map(|&b| b as char).collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if text[i] == '%' && i + 2 < text.len() {
                let hex: String = text[i + 1..i + 3].iter().collect();
                if hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    out.push(u8::from_str_radix(&hex, 16).unwrap());
                    i += 3;
                    continue;
                }
            }
            out.push(path[i]);
            i += 1;
        }
        out
    }

    /// Path parameters cut as a servlet container does: each segment up to its first `;`.
    fn reference_cut_parameters(path: &[u8]) -> Vec<u8> {
        let segments: Vec<&[u8]> = path
            .split(|&b| b == b'/')
            .map(|segment| segment.split(|&b| b == b';').next().unwrap_or_default())
            .collect();
        segments.join(&b'/')
    }

    fn reference(path: &[u8]) -> Vec<u8> {
        let decoded = reference_decode(&reference_cut_parameters(path));
        let mut merged = decoded.clone();
        while let Some(at) = merged.windows(2).position(|w| w == b"//") {
            merged.remove(at);
        }
        reference_remove_dot_segments(&merged)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn normalize_agrees_with_the_rfc_algorithm(
            segments in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("".to_owned()),
                    proptest::strategy::Just(".".to_owned()),
                    proptest::strategy::Just("..".to_owned()),
                    proptest::strategy::Just("%2e".to_owned()),
                    proptest::strategy::Just("%2E%2e".to_owned()),
                    proptest::strategy::Just("%2f".to_owned()),
                    proptest::strategy::Just("%".to_owned()),
                    proptest::strategy::Just("%4".to_owned()),
                    proptest::strategy::Just("..;".to_owned()),
                    proptest::strategy::Just(";x".to_owned()),
                    proptest::strategy::Just("%3b".to_owned()),
                    "[a-z%.;]{1,4}",
                ],
                0..8,
            )
        ) {
            let path = format!("/{}", segments.join("/"));
            let ours = normalize(path.as_bytes()).into_owned();
            proptest::prop_assert_eq!(&ours, &reference(path.as_bytes()), "{}", path);
            // Normalizing twice changes nothing more, unless decoding revealed new escapes or
            // separators.
            if !ours.contains(&b'%') && !ours.contains(&b';') {
                proptest::prop_assert_eq!(normalize(&ours).into_owned(), ours);
            }
        }
    }
}
