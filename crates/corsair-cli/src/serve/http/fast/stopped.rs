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
    /// For a look at the current value, and whether it has changed.
    current: watch::Receiver<bool>,
}

impl Stopped {
    pub(crate) fn new(mut stop: watch::Receiver<bool>) -> Stopped {
        let current = stop.clone();
        Stopped {
            signal: Box::pin(async move {
                let _ = stop.wait_for(|stopping| *stopping).await;
            }),
            registered: false,
            stopped: false,
            current,
        }
    }

    /// Whether the worker is stopping now.
    pub(crate) fn stopping(&self) -> bool {
        self.stopped || *self.current.borrow()
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
}
