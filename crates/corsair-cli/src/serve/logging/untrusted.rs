//! Text corsair did not write (a request's path and `Origin`, a store's entries and errors) made
//! safe for a log line: every control character (C0, DEL, C1 such as U+009B, which terminals
//! read as CSI), every line or paragraph separator and every bidirectional override is
//! percent-encoded as its UTF-8 bytes (`%0A`, `%1B`, `%C2%9B`), and a value longer than
//! [`MAX_LOGGED_BYTES`] is cut, saying how much was left out. A log line then stays one line,
//! cannot forge another (`\n` followed by a fake `corsair::access` line), cannot move a
//! terminal's cursor under `tail -f`, and cannot be made huge by one entry, in the text format
//! and in JSON alike (JSON escapes C0 characters but writes C1 characters and DEL as they are).
//!
//! Percent-encoding is the escape these values already use (paths and origins are URL parts),
//! and it contains no backslash, so neither the text format's quoting nor JSON's doubles it.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The most bytes of one untrusted value a log line shows; the rest is counted, not shown.
pub(super) const MAX_LOGGED_BYTES: usize = 1024;

/// `value` as a log line may show it: unchanged (and not copied) when it is short and has
/// nothing to escape, otherwise escaped and cut at [`MAX_LOGGED_BYTES`] of the original.
///
/// ```ignore
/// assert_eq!(loggable("https://a.example"), "https://a.example");
/// assert_eq!(loggable("https://a.example\nforged"), "https://a.example%0Aforged");
/// assert_eq!(loggable("/x\u{9b}2J"), "/x%C2%9B2J");
/// ```
pub(crate) fn loggable(value: &str) -> Cow<'_, str> {
    if value.len() <= MAX_LOGGED_BYTES && !value.chars().any(needs_escape) {
        return Cow::Borrowed(value);
    }
    let mut end = value.len().min(MAX_LOGGED_BYTES);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    let (shown, left_out) = value.split_at(end);
    let mut out = String::with_capacity(shown.len() + 32);
    for c in shown.chars() {
        if needs_escape(c) {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    if !left_out.is_empty() {
        let _ = write!(out, "...(+{} bytes)", left_out.len());
    }
    Cow::Owned(out)
}

/// Whether `c` is escaped: a control character (C0, DEL and C1), a line or paragraph
/// separator, or a bidirectional mark, embedding, override or isolate (which reorder what a
/// terminal shows).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_findings_inputs_are_escaped() {
        let forged = "https://x.example\nINFO corsair::access: method=GET path=/admin status=200 origin=\"https://x.example\" cors=allowed";
        let table: [(&str, &str); 9] = [
            ("https://a.example", "https://a.example"),
            ("/api/ünïcode", "/api/ünïcode"),
            (
                forged,
                "https://x.example%0AINFO corsair::access: method=GET path=/admin status=200 origin=\"https://x.example\" cors=allowed",
            ),
            ("https://x.example\r\nfake", "https://x.example%0D%0Afake"),
            ("\u{1b}]0;TITLE\u{7}\u{1b}[2J", "%1B]0;TITLE%07%1B[2J"),
            ("https://nul\0.example", "https://nul%00.example"),
            ("/x\u{9b}2J", "/x%C2%9B2J"),
            ("del\u{7f}", "del%7F"),
            (
                "bidi\u{202E}txt.exe\u{2028}",
                "bidi%E2%80%AEtxt.exe%E2%80%A8",
            ),
        ];
        for (raw, shown) in table {
            assert_eq!(loggable(raw), shown, "{raw:?}");
        }
        assert!(matches!(loggable("https://a.example"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_long_value_is_cut_and_says_how_much_was_left_out() {
        let mebibyte = format!("https://{}.example", "a".repeat(1 << 20));
        let shown = loggable(&mebibyte);
        assert!(shown.len() < MAX_LOGGED_BYTES + 32, "{}", shown.len());
        assert!(shown.starts_with("https://aaaa"));
        assert!(
            shown.ends_with(&format!(
                "...(+{} bytes)",
                mebibyte.len() - MAX_LOGGED_BYTES
            )),
            "{}",
            &shown[shown.len() - 40..]
        );
        // A cut never splits a character.
        let wide = "é".repeat(MAX_LOGGED_BYTES);
        let shown = loggable(&wide);
        assert!(shown.starts_with("éé") && shown.ends_with("bytes)"));
        assert_eq!(shown.matches('é').count(), MAX_LOGGED_BYTES / 2);
    }

    /// The text and JSON lines written for the findings' values: each stays one line, and
    /// neither has a control character.
    #[test]
    fn text_and_json_lines_have_no_control_character() {
        let values = [
            "https://x.example\nINFO corsair::access: method=GET path=/admin status=200",
            "\u{1b}]0;TITLE\u{7}\u{1b}[2J",
            "https://nul\0.example",
            "/x\u{9b}2J",
        ];
        for value in values {
            let shown = loggable(value);
            for json in [false, true] {
                let line = super::super::tests::one_line(json, || {
                    tracing::info!(target: "corsair::access", origin = shown.as_ref(), path = %shown, "x");
                });
                assert_eq!(line.lines().count(), 1, "{line:?}");
                assert!(!line.trim_end().chars().any(needs_escape), "{line:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn no_escaped_value_has_a_control_character(
            value in prop_oneof![
                any::<String>(),
                "[\\x00-\\x1f\\x7f-\\x9f\\u{2028}\\u{202e}a-z%]{0,64}",
                "[a-z\\x9b]{1000,1100}",
            ]
        ) {
            let shown = loggable(&value);
            prop_assert!(!shown.chars().any(needs_escape), "{:?}", shown);
            prop_assert!(shown.len() <= 3 * 4 * MAX_LOGGED_BYTES + 32);
        }

        #[test]
        fn clean_short_values_are_kept_as_they_are(value in "[ -~é€]{0,200}") {
            prop_assert_eq!(loggable(&value), value.as_str());
        }

        #[test]
        fn escaping_is_reversible_for_values_without_percent(value in "[^%]{0,200}") {
            let shown = loggable(&value);
            // Decoding the escapes gives the value back.
            let mut bytes = Vec::new();
            let raw = shown.as_bytes();
            let mut i = 0;
            while i < raw.len() {
                if raw[i] == b'%' {
                    bytes.push(u8::from_str_radix(&shown[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    bytes.push(raw[i]);
                    i += 1;
                }
            }
            prop_assert_eq!(String::from_utf8(bytes).unwrap(), value);
        }
    }
}
