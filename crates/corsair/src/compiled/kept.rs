//! The header values a policy sends, kept for the life of the process, so that putting one in a
//! response copies a pointer (a static `Bytes`) instead of taking and later releasing an atomic
//! reference count, per value and per response.
//!
//! Keeping is bounded: each distinct text is kept once, however many policies (or reloads of one)
//! send it, and once [`BUDGET`] bytes are kept, further values are reference-counted buffers, as
//! every value was before. No configuration, however often it is rebuilt with new values, makes
//! the process keep more than the budget.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex, PoisonError};

use bytes::Bytes;
use http::HeaderValue;

/// How many bytes of distinct header values are kept at most (a policy's values are tens of
/// bytes: a list of methods, of headers, a max age).
const BUDGET: usize = 64 * 1024;

/// The values kept so far.
static KEPT: LazyLock<Mutex<Kept>> = LazyLock::new(|| Mutex::new(Kept::new(BUDGET)));

/// A header value of `text`, which the caller has validated (visible ASCII and spaces): a kept,
/// static one while the budget lasts, a reference-counted one after.
pub(crate) fn header_value(text: &str) -> HeaderValue {
    static_header_value(text).unwrap_or_else(|| shared_header_value(text))
}

/// A kept, static header value of `text` (validated by the caller); `None` once the budget is
/// spent.
pub(crate) fn static_header_value(text: &str) -> Option<HeaderValue> {
    let kept = KEPT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .keep(text);
    kept.map(HeaderValue::from_static)
}

/// A header value of `text` (validated by the caller) whose clones share one buffer.
fn shared_header_value(text: &str) -> HeaderValue {
    HeaderValue::from_maybe_shared(Bytes::from_owner(text.as_bytes().to_vec()))
        .expect("validated header value")
}

/// Distinct texts kept, and how many bytes they take of a budget.
struct Kept {
    texts: HashSet<&'static str>,
    bytes: usize,
    budget: usize,
}

impl Kept {
    fn new(budget: usize) -> Self {
        Kept {
            texts: HashSet::new(),
            bytes: 0,
            budget,
        }
    }

    /// `text`, kept: the copy kept earlier, a new one if the budget has room, else `None`.
    fn keep(&mut self, text: &str) -> Option<&'static str> {
        if let Some(kept) = self.texts.get(text) {
            return Some(kept);
        }
        let bytes = self.bytes.checked_add(text.len())?;
        if bytes > self.budget {
            return None;
        }
        let kept: &'static str = Box::leak(text.into());
        self.bytes = bytes;
        self.texts.insert(kept);
        Some(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_kept_once_however_often_it_is_asked_for() {
        let mut kept = Kept::new(100);
        let first = kept.keep("GET, POST").expect("room");
        let again = kept.keep(&String::from("GET, POST")).expect("kept");
        assert_eq!(first.as_ptr(), again.as_ptr());
        assert_eq!(kept.bytes, "GET, POST".len());
    }

    #[test]
    fn past_the_budget_nothing_more_is_kept() {
        let mut kept = Kept::new(10);
        assert!(kept.keep("0123456789").is_some());
        assert_eq!(kept.keep("x"), None);
        // What is kept stays available.
        assert_eq!(kept.keep("0123456789"), Some("0123456789"));
        assert_eq!(kept.bytes, 10);
    }

    #[test]
    fn header_values_of_one_text_share_the_kept_bytes() {
        let a = header_value("accept, x-kept-test");
        let b = header_value("accept, x-kept-test");
        assert_eq!(a, "accept, x-kept-test");
        assert_eq!(a.as_bytes().as_ptr(), b.as_bytes().as_ptr());
    }
}
