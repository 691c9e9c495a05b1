//! A policy's exact origins as a browser sends them. A request whose `Origin` is one of them
//! byte for byte is valid and allowed without being parsed, and, for a short list, its answer
//! carries the policy's own static value (see `kept.rs`) rather than another reference to the
//! request's.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use http::HeaderValue;

use super::kept;
use crate::matcher::FEW_KEYS;

/// Up to this many origins, each is kept with a static echo (`kept.rs`). A longer list's
/// origins are echoed with the request's own value: a copy the policy shared would be one
/// reference count that every thread writes per response, where the request's value is its
/// own thread's; and one long list should not spend the process's budget.
const ECHOED_AT_MOST: usize = 16;

/// The exact origins a request may send verbatim, with their static echoes where kept.
#[derive(Debug, Default)]
pub(crate) struct VerbatimOrigins {
    origins: HashMap<Box<[u8]>, Option<HeaderValue>, RandomState>,
}

/// An origin a request sent verbatim: valid and allowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verbatim<'p> {
    /// The policy's static value to echo it with, when it keeps one (otherwise the request's
    /// own value is echoed).
    pub(crate) echo: Option<&'p HeaderValue>,
}

impl VerbatimOrigins {
    /// The table of `origins`, each a canonical origin a request can send as written (the
    /// caller has checked this; an origin that is not a valid header value is left out, and is
    /// then decided by parsing, as any other).
    pub(crate) fn new<'a>(origins: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let echoed = origins.len() <= ECHOED_AT_MOST;
        let origins = origins
            .filter(|origin| HeaderValue::from_str(origin).is_ok())
            .map(|origin| {
                let echo = echoed.then(|| kept::static_header_value(origin)).flatten();
                (Box::from(origin.as_bytes()), echo)
            })
            .collect();
        VerbatimOrigins { origins }
    }

    /// `value`, when it is byte for byte one of the origins.
    pub(crate) fn find(&self, value: &[u8]) -> Option<Verbatim<'_>> {
        let echo = if self.origins.len() <= FEW_KEYS {
            self.origins
                .iter()
                .find_map(|(origin, echo)| (**origin == *value).then_some(echo))
        } else {
            self.origins.get(value)
        };
        echo.map(|echo| Verbatim {
            echo: echo.as_ref(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Short lists are searched in turn, long ones hashed: both find exactly their origins; a
    /// short list's are echoed with their own bytes, a long list's with the request's.
    #[test]
    fn origins_are_found_byte_for_byte_in_short_and_long_lists() {
        for count in [
            1,
            FEW_KEYS,
            FEW_KEYS + 1,
            ECHOED_AT_MOST,
            ECHOED_AT_MOST + 1,
            100,
        ] {
            let origins: Vec<String> = (0..count)
                .map(|i| format!("https://a{i}.example"))
                .collect();
            let table = VerbatimOrigins::new(origins.iter().map(String::as_str));
            for origin in &origins {
                let found = table.find(origin.as_bytes()).expect("found");
                match found.echo {
                    Some(echo) => assert_eq!(echo, origin.as_str()),
                    None => assert!(count > ECHOED_AT_MOST, "{count}: {origin}"),
                }
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
                assert!(table.find(other.as_bytes()).is_none(), "{count}: {other}");
            }
        }
    }

    #[test]
    fn a_short_lists_echoes_are_static_and_shared_by_every_table() {
        let origins = ["https://verbatim-kept.example"];
        let a = VerbatimOrigins::new(origins.into_iter());
        let b = VerbatimOrigins::new(origins.into_iter());
        let echo = |table: &VerbatimOrigins| {
            let echo = table.find(origins[0].as_bytes()).and_then(|v| v.echo);
            echo.expect("a short list's origins are echoed")
                .as_bytes()
                .as_ptr()
        };
        assert_eq!(echo(&a), echo(&b));
    }
}
