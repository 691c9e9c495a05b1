//! The `token` grammar of RFC 9110 §5.6.2
//! (<https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2>), which the Fetch standard requires
//! of methods and header names.

/// A `tchar`: a byte allowed in a token.
///
/// ```
/// assert!(corsair::fetch::token::is_tchar(b'~'));
/// assert!(!corsair::fetch::token::is_tchar(b','));
/// ```
#[inline]
pub fn is_tchar(byte: u8) -> bool {
    TCHAR[usize::from(byte)]
}

/// The rule of `tchar`, one byte at a time: `ALPHA`, `DIGIT`, or one of ``!#$%&'*+-.^_`|~``.
const fn tchar_rule(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// [`tchar_rule`] for every byte, computed at compile time: a token is checked with one table
/// load per byte (request header names are checked on every preflight).
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = tchar_rule(byte as u8);
        byte += 1;
    }
    table
};

/// One or more `tchar`s.
///
/// ```
/// use corsair::fetch::token::is_token;
///
/// assert!(is_token(b"x-request-id"));
/// assert!(!is_token(b"x request"));
/// assert!(!is_token(b""));
/// ```
#[inline]
pub fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_rfc_9110s_tchar_for_every_byte() {
        // RFC 9110 §5.6.2, as written there.
        let specials = b"!#$%&'*+-.^_`|~";
        for byte in 0..=u8::MAX {
            let expected = byte.is_ascii_alphanumeric() || specials.contains(&byte);
            assert_eq!(is_tchar(byte), expected, "byte {byte:#04x}");
        }
    }

    #[test]
    fn tokens() {
        for token in ["GET", "x-custom_header", "!#$%&'*+-.^_`|~09azAZ"] {
            assert!(is_token(token.as_bytes()), "{token}");
        }
        for not_token in ["", "GET PUT", "a,b", "a:b", "\"q\"", "é", "a\tb"] {
            assert!(!is_token(not_token.as_bytes()), "{not_token:?}");
        }
    }
}
