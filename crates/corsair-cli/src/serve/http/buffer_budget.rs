//! The memory that buffered request bodies may hold: each request buffers up to
//! `request_buffer_bytes` before the upstream is contacted, and all of them together at most
//! `max_buffered_bytes` over the process and `max_buffered_bytes_per_connection` on one client
//! connection (an HTTP/2 connection carries up to `max_streams_per_connection` bodies at once).
//! A request takes its bytes from both budgets before it keeps them ([`Held::take`]) and gives
//! them back as they are handed to the upstream, or when it ends ([`Held`] is dropped); a
//! request that finds either budget spent is refused (`503`) instead of growing the process.
//!
//! Invariants: a budget's count is the sum of what its live [`Held`]s hold, never above its
//! limit; taking and giving are lock-free.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A number of bytes that buffered bodies may hold together.
///
/// ```ignore
/// let budget = Budget::new(10);
/// assert!(budget.try_take(8));
/// assert!(!budget.try_take(3));
/// budget.give(8);
/// assert_eq!(budget.used(), 0);
/// ```
#[derive(Debug)]
pub(crate) struct Budget {
    used: AtomicUsize,
    limit: usize,
}

impl Budget {
    /// A budget of `limit` bytes, none of them used.
    pub(crate) fn new(limit: usize) -> Arc<Budget> {
        Arc::new(Budget {
            used: AtomicUsize::new(0),
            limit,
        })
    }

    /// The most bytes it lets buffered bodies hold.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// The bytes held now.
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// Takes `bytes` if they fit under the limit.
    fn try_take(&self, bytes: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&total| total <= self.limit)
            })
            .is_ok()
    }

    fn give(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// Which budget was spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Spent {
    /// The client connection's (`max_buffered_bytes_per_connection`).
    Connection,
    /// The process's (`max_buffered_bytes`).
    Process,
}

impl Spent {
    /// The setting that bounds it.
    pub(super) fn setting(self) -> &'static str {
        match self {
            Spent::Connection => "max_buffered_bytes_per_connection",
            Spent::Process => "max_buffered_bytes",
        }
    }
}

/// The bytes one request holds of its connection's budget and of the process's.
#[derive(Debug)]
pub(super) struct Held {
    connection: Arc<Budget>,
    process: Arc<Budget>,
    bytes: usize,
}

impl Held {
    /// Holds nothing yet.
    pub(super) fn new(connection: &Arc<Budget>, process: &Arc<Budget>) -> Held {
        Held {
            connection: Arc::clone(connection),
            process: Arc::clone(process),
            bytes: 0,
        }
    }

    /// The most one request may buffer: what it is allowed, and no more than either budget.
    pub(super) fn cap(&self, request_buffer_bytes: usize) -> usize {
        request_buffer_bytes
            .min(self.connection.limit)
            .min(self.process.limit)
    }

    /// Takes `bytes` more from both budgets, or nothing.
    ///
    /// # Errors
    ///
    /// [`Spent`] names the budget that has not `bytes` left.
    pub(super) fn take(&mut self, bytes: usize) -> Result<(), Spent> {
        if !self.connection.try_take(bytes) {
            return Err(Spent::Connection);
        }
        if !self.process.try_take(bytes) {
            self.connection.give(bytes);
            return Err(Spent::Process);
        }
        self.bytes += bytes;
        Ok(())
    }

    /// Gives back up to `bytes` (those that left for the upstream).
    pub(super) fn give(&mut self, bytes: usize) {
        let bytes = bytes.min(self.bytes);
        self.connection.give(bytes);
        self.process.give(bytes);
        self.bytes -= bytes;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.give(self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_request_takes_from_both_budgets_and_gives_back_when_dropped() {
        let connection = Budget::new(10);
        let process = Budget::new(12);
        let mut first = Held::new(&connection, &process);
        assert_eq!(first.take(6), Ok(()));
        assert_eq!(first.take(5), Err(Spent::Connection));
        assert_eq!((connection.used(), process.used()), (6, 6));
        let other_connection = Budget::new(10);
        let mut second = Held::new(&other_connection, &process);
        // The connection's share is given back when the process has none left.
        assert_eq!(second.take(7), Err(Spent::Process));
        assert_eq!((other_connection.used(), process.used()), (0, 6));
        assert_eq!(second.take(6), Ok(()));
        assert_eq!((other_connection.used(), process.used()), (6, 12));
        first.give(100);
        assert_eq!((connection.used(), process.used()), (0, 6));
        drop(second);
        assert_eq!((other_connection.used(), process.used()), (0, 0));
        assert_eq!(first.cap(1 << 20), 10);
        assert_eq!(first.cap(3), 3);
        assert_eq!(Spent::Process.setting(), "max_buffered_bytes");
    }

    proptest! {
        /// The reference model: plain counters. Whatever requests take and give, the budgets
        /// count what they hold, and never exceed their limits.
        #[test]
        fn budgets_count_what_requests_hold(
            steps in proptest::collection::vec((0..4usize, 0..2usize, 0..40usize), 0..60),
        ) {
            let connections = [Budget::new(50), Budget::new(50)];
            let process = Budget::new(80);
            let mut held: Vec<Held> = (0..4)
                .map(|i| Held::new(&connections[i % 2], &process))
                .collect();
            let mut model = [0usize; 4];
            for (request, action, bytes) in steps {
                let connection_used: usize =
                    (0..4).filter(|i| i % 2 == request % 2).map(|i| model[i]).sum();
                let process_used: usize = model.iter().sum();
                if action == 0 {
                    let fits = connection_used + bytes <= 50 && process_used + bytes <= 80;
                    prop_assert_eq!(held[request].take(bytes).is_ok(), fits);
                    if fits {
                        model[request] += bytes;
                    }
                } else {
                    held[request].give(bytes);
                    model[request] -= bytes.min(model[request]);
                }
                prop_assert_eq!(process.used(), model.iter().sum::<usize>());
                prop_assert!(process.used() <= 80);
                for (c, budget) in connections.iter().enumerate() {
                    let expected: usize = (0..4).filter(|i| i % 2 == c).map(|i| model[i]).sum();
                    prop_assert_eq!(budget.used(), expected);
                }
            }
            held.clear();
            prop_assert_eq!(process.used(), 0);
        }
    }
}
