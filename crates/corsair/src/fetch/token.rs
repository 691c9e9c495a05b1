//! The `token` grammar of RFC 9110 §5.6.2
//! (<https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2>), which the Fetch standard requires
//! of methods and header names.

/// A `tchar`: a byte allowed in a token.
///
/// ```
/// assert!(corsair::fetch::token::is_tchar(b'~'));
/// assert!(!corsair::fetch::token::is_tchar(b','));
/// ```
pub fn is_tchar(byte: u8) -> bool {
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

/// One or more `tchar`s.
///
/// ```
/// use corsair::fetch::token::is_token;
///
/// assert!(is_token(b"x-request-id"));
/// assert!(!is_token(b"x request"));
/// assert!(!is_token(b""));
/// ```
pub fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

#[cfg(test)]
mod tests {
    use super::*;

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
