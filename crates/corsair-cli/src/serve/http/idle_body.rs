//! A body that fails when its sender goes quiet: an upstream that stops in the middle of a
//! response, or a client that stops in the middle of an upload, cannot hold a connection (and
//! the other side's) forever.
//!
//! Only time spent waiting for the sender counts: a slow reader does not make the body fail.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// Any body error, boxed.
pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error of a body whose sender sent nothing for the whole timeout.
#[derive(Debug)]
pub(super) struct Idle(Duration);

impl fmt::Display for Idle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the body stalled: nothing received for {:?}", self.0)
    }
}

impl std::error::Error for Idle {}

/// `inner`, failing with [`Idle`] after `timeout` without a frame.
pub(super) struct IdleTimeout<B> {
    inner: B,
    timeout: Duration,
    /// Made the first time the sender keeps the body waiting (most bodies never do).
    deadline: Option<Pin<Box<Sleep>>>,
    waiting: bool,
}

impl<B> IdleTimeout<B> {
    /// Wraps `inner`.
    pub(super) fn new(inner: B, timeout: Duration) -> IdleTimeout<B> {
        IdleTimeout {
            inner,
            timeout,
            deadline: None,
            waiting: false,
        }
    }
}

impl<B> Body for IdleTimeout<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            self.waiting = false;
            return Poll::Ready(frame.map(|result| result.map_err(Into::into)));
        }
        // The sender keeps us waiting: the clock starts now, unless it already runs.
        let this = &mut *self;
        let deadline = Instant::now() + this.timeout;
        let sleep = match &mut this.deadline {
            Some(sleep) => {
                if !this.waiting {
                    sleep.as_mut().reset(deadline);
                }
                sleep
            }
            None => this
                .deadline
                .insert(Box::pin(tokio::time::sleep_until(deadline))),
        };
        this.waiting = true;
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(Idle(this.timeout))))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full};

    /// Sends one frame, then nothing ever again.
    struct OneThenSilence {
        sent: bool,
    }

    impl Body for OneThenSilence {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            if self.sent {
                return Poll::Pending;
            }
            self.sent = true;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"first")))))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_sender_fails_and_a_steady_one_does_not() {
        let timeout = Duration::from_secs(1);
        let steady = IdleTimeout::new(Full::new(Bytes::from_static(b"all of it")), timeout);
        assert_eq!(steady.collect().await.unwrap().to_bytes(), "all of it");

        let mut quiet = IdleTimeout::new(OneThenSilence { sent: false }, timeout);
        // A slow reader: time passes between frames without counting against the sender.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let first = quiet.frame().await.unwrap().unwrap();
        assert_eq!(first.into_data().unwrap(), "first");
        tokio::time::sleep(Duration::from_secs(5)).await;
        let started = Instant::now();
        let error = quiet.frame().await.unwrap().unwrap_err();
        assert!(error.is::<Idle>(), "{error}");
        assert_eq!(started.elapsed(), timeout);
    }
}
