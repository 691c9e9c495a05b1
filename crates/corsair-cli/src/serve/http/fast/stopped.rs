//! The worker's stop signal as one wait for a connection's life. A new wait for each read would
//! register a waiter and remove it again each time; polling one registered wait again takes its
//! lock each time. Here the wait is registered once, on the first read that has to wait, and
//! polled again only when the stop value has changed since (an atomic load otherwise).

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

use tokio::sync::watch;

/// A connection's view of its worker stopping.
pub(crate) struct Stopped {
    /// Completes when the worker stops (or is gone).
    signal: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// The signal has been polled once: this task is woken when it completes.
    registered: bool,
    /// The signal has completed: it is not polled again.
    stopped: bool,
    /// The value when the connection began.
    at_start: bool,
    /// For a look at the current value, and whether it has changed.
    current: watch::Receiver<bool>,
}

impl Stopped {
    pub(crate) fn new(mut stop: watch::Receiver<bool>) -> Stopped {
        let mut current = stop.clone();
        // Marked seen: `stopping` reads the value again only after a change.
        let at_start = *current.borrow_and_update();
        Stopped {
            signal: Box::pin(async move {
                let _ = stop.wait_for(|stopping| *stopping).await;
            }),
            registered: false,
            stopped: false,
            at_start,
            current,
        }
    }

    /// Whether the worker is stopping now: the value is read (under the channel's lock) only
    /// when it has changed since the connection began (an atomic load otherwise).
    pub(crate) fn stopping(&self) -> bool {
        self.stopped
            || self.at_start
            || self.current.has_changed().unwrap_or(true) && *self.current.borrow()
    }

    /// Completes when the worker stops (or is gone). Always polled from the connection's one
    /// task, whose waker the first poll registers.
    pub(crate) async fn wait(&mut self) {
        poll_fn(|context| {
            if self.stopped {
                return Poll::Ready(());
            }
            // Unchanged since the waker was registered: the signal cannot have completed.
            if self.registered && !self.current.has_changed().unwrap_or(true) {
                return Poll::Pending;
            }
            self.registered = true;
            let polled = self.signal.as_mut().poll(context);
            self.stopped = polled.is_ready();
            polled
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_registered_wait_ends_when_the_worker_stops() {
        let (stop, receiver) = watch::channel(false);
        let mut stopped = Stopped::new(receiver);
        assert!(!stopped.stopping());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            stop.send_replace(true);
            // Kept until the test ends: the wait ends on the value, not on the sender's drop.
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(stop);
        });
        let start = tokio::time::Instant::now();
        // Polled many times while nothing changes, as reads that wait are.
        for _ in 0..3 {
            let waited = tokio::time::timeout(Duration::from_millis(100), stopped.wait()).await;
            assert!(waited.is_err(), "not stopped yet");
        }
        stopped.wait().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        assert!(stopped.stopping());
        stopped.wait().await;
    }

    #[tokio::test]
    async fn a_wait_ends_when_the_worker_is_gone() {
        let (stop, receiver) = watch::channel(false);
        let mut stopped = Stopped::new(receiver);
        let waiting = tokio::spawn(async move {
            stopped.wait().await;
        });
        tokio::task::yield_now().await;
        drop(stop);
        waiting.await.unwrap();
    }

    #[tokio::test]
    async fn a_worker_stopping_before_the_first_wait_ends_it_at_once() {
        let (stop, receiver) = watch::channel(false);
        let mut stopped = Stopped::new(receiver);
        stop.send_replace(true);
        assert!(stopped.stopping());
        stopped.wait().await;
    }

    #[test]
    fn stopping_reads_the_value_at_start_and_every_change_after() {
        // A connection that begins while its worker stops.
        let (stop, receiver) = watch::channel(true);
        assert!(Stopped::new(receiver).stopping());
        // A value changed and changed back: what counts is the value now.
        let receiver = stop.subscribe();
        stop.send_replace(false);
        let stopped = Stopped::new(receiver);
        assert!(!stopped.stopping());
        stop.send_replace(true);
        assert!(stopped.stopping());
        stop.send_replace(false);
        assert!(!stopped.stopping());
        // The worker gone without stopping.
        drop(stop);
        assert!(!stopped.stopping());
    }
}
