//! A policy's exact origins as a browser sends them, each with the header value that echoes it.
//! A request whose `Origin` is one of them byte for byte is valid and allowed without being
//! parsed, and its answer carries the policy's own value (kept static for a short list, see
//! `kept.rs`) rather than another reference to the request's.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use http::HeaderValue;

use super::kept;

/// Up to this many origins, a value is looked for by comparing each origin in turn (cheaper
/// than hashing it), and the echoes are kept static.
const FEW: usize = 4;

/// Up to this many origins, the echoes are kept static (`kept.rs`); a longer list's are
/// shared buffers, so that one long list does not spend the process's budget.
const KEPT_AT_MOST: usize = 16;

/// The exact origins a request may send verbatim, with their echoes.
#[derive(Debug, Default)]
pub(crate) struct VerbatimOrigins {
    echoes: HashMap<Box<[u8]>, HeaderValue, RandomState>,
}

impl VerbatimOrigins {
    /// The table of `origins`, each a canonical origin a request can send as written (the
    /// caller has checked this; an origin that is not a valid header value is left out, and is
    /// then decided by parsing, as any other).
    pub(crate) fn new<'a>(origins: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let keep = origins.len() <= KEPT_AT_MOST;
        let echoes = origins
            .filter(|origin| HeaderValue::from_str(origin).is_ok())
            .map(|origin| {
                let echo = if keep {
                    kept::header_value(origin)
                } else {
                    kept::shared_header_value(origin)
                };
                (Box::from(origin.as_bytes()), echo)
            })
            .collect();
        VerbatimOrigins { echoes }
    }

    /// The echo of `value` when it is, byte for byte, one of the origins.
    pub(crate) fn echo(&self, value: &[u8]) -> Option<&HeaderValue> {
        if self.echoes.len() <= FEW {
            return self
                .echoes
                .iter()
                .find_map(|(origin, echo)| (**origin == *value).then_some(echo));
        }
        self.echoes.get(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Short lists are searched in turn, long ones hashed: both find exactly their origins,
    /// and echo each with its own bytes.
    #[test]
    fn origins_are_found_byte_for_byte_in_short_and_long_lists() {
        for count in [1, FEW, FEW + 1, KEPT_AT_MOST, KEPT_AT_MOST + 1, 100] {
            let origins: Vec<String> = (0..count)
                .map(|i| format!("https://a{i}.example"))
                .collect();
            let table = VerbatimOrigins::new(origins.iter().map(String::as_str));
            for origin in &origins {
                let echo = table.echo(origin.as_bytes());
                assert_eq!(echo.map(HeaderValue::as_bytes), Some(origin.as_bytes()));
            }
            let last = &origins[count - 1];
            for other in [
                format!("{last}:443"),
                last.to_uppercase(),
                last[..last.len() - 1].to_owned(),
                format!("{last}x"),
                format!("https://a{count}.example"),
                String::new(),
            ] {
                assert_eq!(table.echo(other.as_bytes()), None, "{count}: {other}");
            }
        }
    }

    #[test]
    fn a_short_lists_echoes_are_static_and_shared_by_every_table() {
        let origins = ["https://verbatim-kept.example"];
        let a = VerbatimOrigins::new(origins.into_iter());
        let b = VerbatimOrigins::new(origins.into_iter());
        let (a, b) = (a.echo(origins[0].as_bytes()), b.echo(origins[0].as_bytes()));
        assert_eq!(
            a.map(|v| v.as_bytes().as_ptr()),
            b.map(|v| v.as_bytes().as_ptr())
        );
    }
}
