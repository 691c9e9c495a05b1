//! The request body on its way to the upstream: read into memory up to `request_buffer_bytes`
//! before the upstream is contacted (so that a slow client never holds an upstream worker, and
//! a malformed body is refused before the upstream sees any of it), then sent, the rest
//! streaming after the buffered prefix; and the [`BodyProgress`] of the sending, which tells the
//! forwarder when the request has been sent whole (the upstream's time to answer starts then),
//! whether the upstream stopped reading it, and whether the client was at fault.
//!
//! The buffered bytes are taken from the connection's and the process's budgets
//! ([`super::buffer_budget`]) as they are read, and given back as they leave for the upstream; a
//! body that finds a budget spent is not buffered further ([`Refused::Spent`]).
//!
//! Invariants: the bytes sent are exactly the client's, in order; a body that ends within the
//! buffer limit is sent whole with its exact length; every error of the client's body is
//! recorded as the client's ([`ClientError`]), never taken for an upstream failure.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::time::Instant;

use super::buffer_budget::{Held, Spent};
use super::idle_body::{BoxError, Idle, IdleTimeout};

/// What the client did wrong with its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientError {
    /// The body is not valid HTTP framing (a bad chunk size or line, oversized chunk
    /// extensions or trailers, fewer bytes than announced before the connection closed).
    Malformed,
    /// The client paused for longer than `idle_timeout` within its body.
    Stalled,
}

/// Why a body was not buffered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refused {
    /// The client's body failed.
    Client(ClientError),
    /// A budget of buffered bytes is spent: the request cannot be buffered now.
    Spent(Spent),
}

impl ClientError {
    fn of(error: &BoxError) -> ClientError {
        if error.is::<Idle>() {
            ClientError::Stalled
        } else {
            ClientError::Malformed
        }
    }
}

/// How the sending of one request body goes, shared by the body (which hyper polls) and the
/// forwarder (which waits for the answer, and may abandon the rest of the body).
#[derive(Clone, Default)]
pub(crate) struct BodyProgress(Arc<Shared>);

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// The part of the client's body not buffered; taken away when the exchange is abandoned,
    /// so that the client's connection is released even if hyper never polls the body again
    /// (an upstream that stopped reading).
    rest: Mutex<Option<IdleTimeout<Incoming>>>,
    /// Told when what the forwarder waits for changes (the first poll, the end of a wait for
    /// the client, the body sent whole): each can bring its deadline forward.
    changed: tokio::sync::Notify,
}

#[derive(Debug, Default)]
struct State {
    /// When hyper last asked the body for more (it does when the upstream takes what it has).
    last_poll: Option<Instant>,
    /// Whether the body is waiting for the client.
    waiting_on_client: bool,
    /// When the last byte was handed to the upstream connection.
    sent: Option<Instant>,
    /// The client's fault, if any.
    client_error: Option<ClientError>,
}

impl State {
    /// What kind of wait this is: (sent, polled, waiting on the client).
    fn phase(&self) -> (bool, bool, bool) {
        (
            self.sent.is_some(),
            self.last_poll.is_some(),
            self.waiting_on_client,
        )
    }
}

/// What the forwarder should wait for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Waiting {
    /// The upstream's answer, until this instant (`upstream_timeout` after the request was
    /// sent whole).
    Answer(Instant),
    /// The upstream to read more of the body, until this instant (`idle_timeout` after it
    /// last did).
    UpstreamReading(Instant),
    /// The client or the connection: their own timeouts apply; look again at this instant.
    Other(Instant),
}

impl BodyProgress {
    /// Applies `change`; tells the forwarder when the kind of wait changed.
    fn update(&self, change: impl FnOnce(&mut State)) {
        let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        let before = state.phase();
        change(&mut state);
        if state.phase() != before {
            self.0.changed.notify_one();
        }
    }

    /// Completes when what the forwarder waits for may have changed.
    pub(crate) async fn changed(&self) {
        self.0.changed.notified().await;
    }

    /// Drops what is left of the client's body: the exchange is given up.
    pub(crate) fn abandon(&self) {
        let rest = self
            .0
            .rest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(rest);
    }

    fn mark_sent(&self) {
        self.update(|state| {
            state.sent.get_or_insert_with(Instant::now);
        });
    }

    /// Whether the body was handed to the upstream whole.
    pub(crate) fn is_sent(&self) -> bool {
        self.0
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .sent
            .is_some()
    }

    /// The client's fault, if its body failed.
    pub(crate) fn client_error(&self) -> Option<ClientError> {
        self.0
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .client_error
    }

    /// What the forwarder waits for now.
    pub(crate) fn waiting(&self, upstream_timeout: Duration, idle_timeout: Duration) -> Waiting {
        let state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        match (state.sent, state.last_poll) {
            (Some(sent), _) => Waiting::Answer(sent + upstream_timeout),
            (None, Some(polled)) if !state.waiting_on_client => {
                Waiting::UpstreamReading(polled + idle_timeout)
            }
            _ => Waiting::Other(Instant::now() + idle_timeout),
        }
    }
}

/// The body sent to the upstream: the buffered frames, then the rest of the client's body.
pub(crate) struct Outgoing {
    frames: VecDeque<Frame<Bytes>>,
    buffered_len: u64,
    /// The budgets' bytes the buffered frames hold, given back as they are sent.
    held: Held,
    /// Whether part of the client's body was not buffered (it is in the progress's `rest`).
    streams: bool,
    progress: BodyProgress,
}

impl Outgoing {
    /// The progress of this body's sending.
    pub(crate) fn progress(&self) -> BodyProgress {
        self.progress.clone()
    }

    fn ended(&self) -> bool {
        self.frames.is_empty()
            && (!self.streams || self.with_rest(|rest| rest.is_none_or(|r| r.is_end_stream())))
    }

    fn with_rest<T>(&self, f: impl FnOnce(Option<&mut IdleTimeout<Incoming>>) -> T) -> T {
        f(self
            .progress
            .0
            .rest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut())
    }
}

/// Reads `body` until it ends or `limit` bytes are buffered (no more than either budget of
/// `held` allows one request), each pause of the client limited to `idle_timeout`; the bytes
/// within the limit are taken from the budgets as they are read. (The frame that crosses the
/// limit is kept whole; its bytes beyond the limit are not counted, at most one frame's.)
///
/// # Errors
///
/// [`Refused::Client`] when the client's body failed before anything was forwarded;
/// [`Refused::Spent`] when a budget has no room for the next frame (the bytes read so far are
/// given back).
pub(super) async fn buffer(
    body: Incoming,
    limit: usize,
    idle_timeout: Duration,
    mut held: Held,
) -> Result<Outgoing, Refused> {
    let mut body = IdleTimeout::new(body, idle_timeout);
    let mut frames = VecDeque::new();
    let mut buffered_len = 0u64;
    let limit = held.cap(limit) as u64;
    let mut ended = body.is_end_stream();
    while !ended && buffered_len < limit {
        match body.frame().await {
            None => ended = true,
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    let within = (data.len() as u64).min(limit - buffered_len);
                    held.take(usize::try_from(within).unwrap_or(usize::MAX))
                        .map_err(Refused::Spent)?;
                    buffered_len += data.len() as u64;
                }
                frames.push_back(frame);
                ended = body.is_end_stream();
            }
            Some(Err(error)) => return Err(Refused::Client(ClientError::of(&error))),
        }
    }
    let progress = BodyProgress::default();
    if !ended {
        *progress
            .0
            .rest
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(body);
    }
    Ok(Outgoing {
        frames,
        buffered_len,
        held,
        streams: !ended,
        progress,
    })
}

impl Body for Outgoing {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        this.progress
            .update(|state| state.last_poll = Some(Instant::now()));
        if let Some(frame) = this.frames.pop_front() {
            if let Some(data) = frame.data_ref() {
                this.held.give(data.len());
            }
            if this.ended() {
                this.progress.mark_sent();
            }
            return Poll::Ready(Some(Ok(frame)));
        }
        if !this.streams {
            this.progress.mark_sent();
            return Poll::Ready(None);
        }
        let Some(polled) = this.with_rest(|rest| rest.map(|rest| Pin::new(rest).poll_frame(cx)))
        else {
            return Poll::Ready(Some(Err("the exchange was abandoned".into())));
        };
        this.progress
            .update(|state| state.waiting_on_client = polled.is_pending());
        match polled {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.progress.mark_sent();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Ok(frame))) => {
                if this.ended() {
                    this.progress.mark_sent();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => {
                let fault = ClientError::of(&error);
                this.progress
                    .update(|state| state.client_error = Some(fault));
                Poll::Ready(Some(Err(error)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        // hyper asks this instead of polling a body it knows is over.
        let ended = self.ended();
        if ended {
            self.progress.mark_sent();
        }
        ended
    }

    fn size_hint(&self) -> SizeHint {
        let buffered = self.buffered_len;
        match self.with_rest(|rest| rest.map(|r| r.size_hint())) {
            None => SizeHint::with_exact(buffered),
            Some(hint) => {
                let mut sum = SizeHint::new();
                sum.set_lower(hint.lower().saturating_add(buffered));
                if let Some(upper) = hint.upper() {
                    sum.set_upper(upper.saturating_add(buffered));
                }
                sum
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_forwarder_waits_for_the_upstream_reading_then_for_its_answer() {
        let (upstream, idle) = (Duration::from_secs(60), Duration::from_secs(5));
        let progress = BodyProgress::default();
        let now = Instant::now();
        // Not polled yet: connecting, bounded by its own timeout.
        assert_eq!(progress.waiting(upstream, idle), Waiting::Other(now + idle));
        progress.update(|s| s.last_poll = Some(now));
        assert_eq!(
            progress.waiting(upstream, idle),
            Waiting::UpstreamReading(now + idle)
        );
        progress.update(|s| s.waiting_on_client = true);
        assert!(matches!(
            progress.waiting(upstream, idle),
            Waiting::Other(_)
        ));
        tokio::time::advance(Duration::from_secs(2)).await;
        progress.mark_sent();
        let sent = Instant::now();
        assert_eq!(
            progress.waiting(upstream, idle),
            Waiting::Answer(sent + upstream)
        );
        // Sent is sent: a later mark changes nothing.
        tokio::time::advance(Duration::from_secs(2)).await;
        progress.mark_sent();
        assert_eq!(
            progress.waiting(upstream, idle),
            Waiting::Answer(sent + upstream)
        );
    }
}
