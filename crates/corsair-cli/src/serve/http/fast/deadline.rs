//! Bounding a connection's waits in time with one timer per connection instead of one per wait.
//! Registering a timer and removing it again for every read of every request is work on each
//! request; here the timer is registered once and moved only when a wait needs it earlier than it
//! is set. A timer that fires before the wait's own deadline (which has moved on since) is set
//! again to that deadline, and the wait goes on. A wait whose future is ready at once (a write to
//! a socket with room, a read of bytes already there) touches no timer and reads no clock.
//!
//! Invariants: a wait never ends for its deadline before that deadline has passed, and never
//! waits past it for longer than the timer driver's resolution.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::Duration;

use tokio::time::{Instant, Sleep};

/// The one timer of a connection.
pub(crate) struct Deadline {
    sleep: Pin<Box<Sleep>>,
}

impl Deadline {
    /// A timer set to `at` (the first wait's deadline, or later).
    pub(crate) fn new(at: Instant) -> Deadline {
        Deadline {
            sleep: Box::pin(tokio::time::sleep_until(at)),
        }
    }

    /// `future`'s output, or `None` when `at` passes first.
    pub(crate) async fn wait<F: Future>(&mut self, at: Instant, future: F) -> Option<F::Output> {
        self.wait_until(|| at, future).await
    }

    /// [`Deadline::wait`] for `limit` from the moment `future` is first found not ready.
    pub(crate) async fn wait_for<F: Future>(
        &mut self,
        limit: Duration,
        future: F,
    ) -> Option<F::Output> {
        self.wait_until(|| Instant::now() + limit, future).await
    }

    /// `future`'s output, or `None` when the deadline `at` gives passes first; `at` is called
    /// once, when `future` is first found not ready (a future ready at once costs no clock).
    async fn wait_until<F: Future>(
        &mut self,
        at: impl FnOnce() -> Instant,
        future: F,
    ) -> Option<F::Output> {
        let mut future = pin!(future);
        let mut at = Some(at);
        let mut deadline = None;
        poll_fn(|context| {
            if let Poll::Ready(output) = future.as_mut().poll(context) {
                return Poll::Ready(Some(output));
            }
            let deadline = *deadline.get_or_insert_with(|| {
                let at = at.take().expect("the deadline is read once")();
                if self.sleep.deadline() > at {
                    self.sleep.as_mut().reset(at);
                }
                at
            });
            while self.sleep.as_mut().poll(context).is_ready() {
                if Instant::now() >= deadline {
                    return Poll::Ready(None);
                }
                // Set for an earlier wait: this one goes on.
                self.sleep.as_mut().reset(deadline);
            }
            Poll::Pending
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A future that is never ready and counts its polls.
    fn never(polls: &AtomicUsize) -> impl Future<Output = ()> + '_ {
        poll_fn(move |_| {
            polls.fetch_add(1, Ordering::Relaxed);
            Poll::Pending
        })
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_ends_at_its_own_deadline_whatever_the_timer_was_set_to() {
        // (the timer's setting, when the wait begins, the wait's deadline), in milliseconds from
        // the start: a timer set later than the deadline, earlier (firing during the wait, or
        // before it began), or to the deadline itself.
        let table = [
            (10_000, 0, 3_000),
            (1_000, 500, 3_000),
            (1_000, 2_000, 3_000),
            (3_000, 0, 3_000),
        ];
        for (set, begins, wait) in table {
            let start = Instant::now();
            let mut deadline = Deadline::new(start + Duration::from_millis(set));
            tokio::time::sleep(Duration::from_millis(begins)).await;
            let at = start + Duration::from_millis(wait);
            let waited = deadline.wait(at, std::future::pending::<()>()).await;
            assert_eq!(
                waited, None,
                "timer at {set}ms, wait from {begins}ms until {wait}ms"
            );
            assert_eq!(
                Instant::now(),
                at,
                "timer at {set}ms, wait from {begins}ms until {wait}ms"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_one_after_another_each_end_at_their_own_deadline() {
        // Deadlines that move later and earlier again on one timer, as a connection's reads,
        // writes and upstream waits do.
        let start = Instant::now();
        let mut deadline = Deadline::new(start + Duration::from_secs(60));
        let mut at = start;
        for limit in [5, 60, 1, 30, 2, 2, 90, 1] {
            let waited = deadline
                .wait_for(Duration::from_secs(limit), std::future::pending::<()>())
                .await;
            at += Duration::from_secs(limit);
            assert_eq!(waited, None, "a wait of {limit}s");
            assert_eq!(
                Instant::now(),
                at,
                "a wait of {limit}s ends at its deadline"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_does_not_end_before_its_deadline_when_an_earlier_setting_fires() {
        let start = Instant::now();
        let mut deadline = Deadline::new(start + Duration::from_secs(1));
        let polls = AtomicUsize::new(0);
        let finished = Arc::new(AtomicUsize::new(0));
        let at = start + Duration::from_secs(4);
        let wait = deadline.wait(at, never(&polls));
        let watcher = {
            let finished = Arc::clone(&finished);
            async move {
                // Still waiting just before the deadline, after the timer's first setting fired.
                tokio::time::sleep_until(at - Duration::from_millis(1)).await;
                finished.load(Ordering::Relaxed)
            }
        };
        let (waited, seen) = tokio::join!(
            async {
                let waited = wait.await;
                finished.fetch_add(1, Ordering::Relaxed);
                waited
            },
            watcher
        );
        assert_eq!(seen, 0, "the wait was still going 1ms before its deadline");
        assert_eq!(waited, None);
        assert_eq!(Instant::now(), at);
        assert!(
            polls.load(Ordering::Relaxed) >= 2,
            "polled again as the early timer fired"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_ready_future_wins_and_a_later_one_before_the_deadline_too() {
        let start = Instant::now();
        let mut deadline = Deadline::new(start + Duration::from_secs(1));
        assert_eq!(
            deadline.wait_for(Duration::ZERO, async { 7 }).await,
            Some(7)
        );
        let later = tokio::time::sleep(Duration::from_secs(2));
        let waited = deadline
            .wait(start + Duration::from_secs(5), async {
                later.await;
                8
            })
            .await;
        assert_eq!(waited, Some(8));
        assert_eq!(Instant::now(), start + Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_future_ready_at_once_leaves_the_timer_as_it_was() {
        let start = Instant::now();
        let set = start + Duration::from_secs(30);
        let mut deadline = Deadline::new(set);
        assert_eq!(deadline.wait(start, async { 1 }).await, Some(1));
        assert_eq!(deadline.sleep.deadline(), set);
        // A wait that has to wait, for less than the setting, moves it earlier.
        let waited = deadline
            .wait_for(Duration::from_secs(3), std::future::pending::<()>())
            .await;
        assert_eq!(waited, None);
        assert_eq!(deadline.sleep.deadline(), start + Duration::from_secs(3));
    }
}
