//! The limits of every request head of a client connection: an IO wrapper that hyper reads the
//! connection through, and a small state machine shared with the service, so that each head
//! (the first and every later one of a keep-alive connection) gets `408 Request Timeout` when it
//! has started and is not complete within `header_read_timeout`, and `431 Request Header Fields
//! Too Large` when it exceeds `max_header_bytes`; and a connection idle between requests is
//! closed quietly after `idle_timeout` (the first request: `header_read_timeout`).
//!
//! The phases of an HTTP/1 connection: [`Phase::BetweenRequests`] (idle timer) → the first byte
//! of a head is read → [`Phase::InHead`] (head timer; the head's bytes are counted up to its end,
//! found by scanning only the new bytes, carrying the last two, for `\n\n` and `\n\r\n`, which
//! also ends `\r\n\r\n`: hyper accepts bare-LF heads) → head complete, or the service called →
//! [`Phase::InRequest`] (no limits: the body and the upstream have their own timeouts) → the
//! response finished (its body ended or was dropped) → `BetweenRequests`.
//!
//! A head's bytes are held until the head is complete and then handed to hyper at once, so that
//! hyper parses each head once, however finely it was split (a head sent one byte per segment
//! costs a linear scan, not one parse per byte).
//!
//! The wrapper reads any byte stream: plain TCP, or TLS after its handshake. How a connection
//! starts ([`Start`]) says which protocol it speaks: found out from its first bytes (plain TCP:
//! the HTTP/2 preface, or HTTP/1), or known from ALPN (TLS: `h2` starts in the HTTP/2 phase,
//! anything else is HTTP/1 and never looks for the preface).
//!
//! Invariants: bytes pass through unchanged and in order (pipelined requests keep working);
//! corsair writes its own `408`/`431` only in `InHead`, when no response is pending, and then
//! closes (flushed and shut down, so that a TLS stream sends it whole); an HTTP/2 connection is
//! passed through (HTTP/2 has its own limits), and closed when it has had no stream in flight
//! for `idle_timeout`; after a `101 Switching Protocols` the wrapper is fully transparent (the
//! tunnel has its own timeout).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::BytesMut;
use http::header::CONNECTION;
use http::{Response, StatusCode};
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

pub(super) const REQUEST_TIMEOUT: &[u8] =
    b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
pub(super) const TOO_LARGE: &[u8] =
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";

/// The HTTP/2 connection preface of a prior-knowledge client (RFC 9113 §3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The limits of request heads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// How long a started head may take.
    pub header_read_timeout: Duration,
    /// The most bytes of a head.
    pub max_header_bytes: usize,
    /// How long a connection may wait for the next request.
    pub idle_timeout: Duration,
}

/// What a connection is known to speak when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    /// Plain TCP: HTTP/2 if its first bytes are the preface (prior knowledge), else HTTP/1.
    Detect,
    /// HTTP/1 (TLS without ALPN `h2`): the preface is not looked for.
    Http1,
    /// HTTP/2 (TLS with ALPN `h2`): no request head is ever limited here.
    Http2,
}

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Waiting for the first byte of a request head, until `deadline` (then closed quietly).
    BetweenRequests {
        /// When the wait ends.
        deadline: Instant,
    },
    /// A head has started.
    InHead {
        /// When the head must be complete.
        deadline: Instant,
        /// Its bytes so far.
        count: usize,
        /// The last two bytes (`0` for none), to find an end split across reads.
        last: [u8; 2],
        /// Whether a byte other than CR or LF was seen (empty lines before a request line are
        /// not its end).
        started: bool,
    },
    /// A request is being served: no head limits.
    InRequest,
    /// HTTP/2: `in_flight` streams are being served; with none, idle since `idle_since`.
    Http2 {
        /// Streams in flight.
        in_flight: usize,
        /// When the last stream finished (or the connection started).
        idle_since: Instant,
    },
    /// Upgraded, or closing after a response with `Connection: close`: bytes only.
    Transparent,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// How many bytes of the HTTP/2 preface the connection's first bytes matched; `None` once
    /// it is known that it did not start with it.
    preface: Option<usize>,
    /// The reader to wake when the phase changes (its timer may have to be armed).
    reader: Option<Waker>,
}

/// The state shared by a connection's IO wrapper and its service.
#[derive(Debug, Clone)]
pub(super) struct Guard {
    state: Arc<Mutex<State>>,
    limits: Limits,
}

impl Guard {
    /// A new connection, ready now: its first request must start within
    /// `header_read_timeout` (an HTTP/2 one: a stream within `idle_timeout`).
    pub(super) fn new(limits: Limits, start: Start) -> Guard {
        let now = Instant::now();
        let phase = match start {
            Start::Http2 => Phase::Http2 {
                in_flight: 0,
                idle_since: now,
            },
            Start::Detect | Start::Http1 => Phase::BetweenRequests {
                deadline: now + limits.header_read_timeout,
            },
        };
        Guard {
            state: Arc::new(Mutex::new(State {
                phase,
                preface: (start == Start::Detect).then_some(0),
                reader: None,
            })),
            limits,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The current phase.
    #[cfg(test)]
    fn phase(&self) -> Phase {
        self.with(|state| state.phase)
    }

    /// The service was called: the head is complete (an HTTP/2 stream opened).
    pub(super) fn request_started(&self) -> ResponseToken {
        self.with(|state| match &mut state.phase {
            Phase::Http2 { in_flight, .. } => *in_flight += 1,
            Phase::Transparent => {}
            phase => *phase = Phase::InRequest,
        });
        ResponseToken {
            guard: Some(self.clone()),
            closing: false,
        }
    }

    fn response_finished(&self, closing: bool) {
        let limits = self.limits;
        self.with(|state| {
            match &mut state.phase {
                Phase::Http2 {
                    in_flight,
                    idle_since,
                } => {
                    *in_flight = in_flight.saturating_sub(1);
                    if *in_flight == 0 {
                        *idle_since = Instant::now();
                    }
                }
                Phase::Transparent => {}
                phase if closing => *phase = Phase::Transparent,
                phase => {
                    *phase = Phase::BetweenRequests {
                        deadline: Instant::now() + limits.idle_timeout,
                    }
                }
            }
            if let Some(reader) = state.reader.take() {
                reader.wake();
            }
        });
    }

    fn upgraded(&self) {
        self.with(|state| state.phase = Phase::Transparent);
    }

    /// Takes in `bytes` just read; what corsair must answer itself, if anything.
    fn received(&self, bytes: &[u8]) -> Option<HeadRefusal> {
        let limits = self.limits;
        self.with(|state| {
            if let Some(matched) = state.preface {
                let wanted = &H2_PREFACE[matched..];
                let n = wanted.len().min(bytes.len());
                if bytes[..n] == wanted[..n] {
                    state.preface = Some(matched + n);
                    if matched + n == H2_PREFACE.len() {
                        state.preface = None;
                        state.phase = Phase::Http2 {
                            in_flight: 0,
                            idle_since: Instant::now(),
                        };
                        return None;
                    }
                } else {
                    state.preface = None;
                }
            }
            if let Phase::BetweenRequests { .. } = state.phase {
                state.phase = Phase::InHead {
                    deadline: Instant::now() + limits.header_read_timeout,
                    count: 0,
                    last: [0, 0],
                    started: false,
                };
            }
            let Phase::InHead {
                count,
                last,
                started,
                ..
            } = &mut state.phase
            else {
                return None;
            };
            match scan_head(bytes, last, started) {
                Some(end) if *count + end <= limits.max_header_bytes => {
                    state.phase = Phase::InRequest;
                    None
                }
                Some(_) => Some(HeadRefusal::TooLarge),
                None => {
                    *count += bytes.len();
                    (*count > limits.max_header_bytes).then_some(HeadRefusal::TooLarge)
                }
            }
        })
    }

    /// Whether the connection is between requests or in a head, where head bytes are held.
    fn holds(&self) -> bool {
        self.with(|state| {
            matches!(
                state.phase,
                Phase::BetweenRequests { .. } | Phase::InHead { .. }
            )
        })
    }

    /// When the reader's timer fires, and what happens then.
    fn deadline(&self) -> Option<(Instant, Expiry)> {
        let idle_timeout = self.limits.idle_timeout;
        self.with(|state| match state.phase {
            Phase::BetweenRequests { deadline } => Some((deadline, Expiry::Close)),
            Phase::InHead { deadline, .. } => {
                Some((deadline, Expiry::Refuse(HeadRefusal::Timeout)))
            }
            Phase::Http2 {
                in_flight: 0,
                idle_since,
            } => Some((idle_since + idle_timeout, Expiry::Close)),
            _ => None,
        })
    }
}

/// The end of a head in `bytes` (the offset just past its last byte), scanning for `\n\n` and
/// `\n\r\n` with the two bytes before `bytes` in `last`, which is updated. Only the line feeds
/// are looked at (found with `memchr`), not every byte.
pub(super) fn scan_head(bytes: &[u8], last: &mut [u8; 2], started: &mut bool) -> Option<usize> {
    // The byte `back` (1 or 2) positions before `i`, reaching into `last` at the start.
    let before = |last: &[u8; 2], i: usize, back: usize| {
        if i >= back {
            bytes[i - back]
        } else {
            last[2 - (back - i)]
        }
    };
    let mut from = 0;
    if !*started {
        // Empty lines before the request line do not end it.
        match bytes.iter().position(|&b| b != b'\r' && b != b'\n') {
            Some(first) => {
                *started = true;
                from = first;
            }
            None => {
                keep_last(bytes, last);
                return None;
            }
        }
    }
    let end = memchr::memchr_iter(b'\n', &bytes[from..])
        .map(|i| i + from)
        .find(|&i| {
            let previous = before(last, i, 1);
            previous == b'\n' || (previous == b'\r' && before(last, i, 2) == b'\n')
        });
    match end {
        Some(i) => Some(i + 1),
        None => {
            keep_last(bytes, last);
            None
        }
    }
}

/// Remembers the last two bytes seen, `bytes` being the latest.
fn keep_last(bytes: &[u8], last: &mut [u8; 2]) {
    match bytes {
        [] => {}
        [only] => *last = [last[1], *only],
        [.., a, b] => *last = [*a, *b],
    }
}

/// What corsair answers itself before closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HeadRefusal {
    /// `408`: the head took too long.
    Timeout,
    /// `431`: the head is too large.
    TooLarge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    Close,
    Refuse(HeadRefusal),
}

/// Held by a response until its body ended or was dropped: then the connection's next request
/// may start.
#[derive(Debug)]
pub(super) struct ResponseToken {
    guard: Option<Guard>,
    closing: bool,
}

impl ResponseToken {
    /// Ties the token to `response`: a `101` makes the connection transparent, a
    /// `Connection: close` ends head limits for good, and the end of the body lets the next
    /// request start.
    pub(super) fn attach<B>(mut self, response: Response<B>) -> Response<Tracked<B>> {
        if response.status() == StatusCode::SWITCHING_PROTOCOLS {
            if let Some(guard) = &self.guard {
                guard.upgraded();
            }
        }
        self.closing = response
            .headers()
            .get_all(CONNECTION)
            .iter()
            .any(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        response.map(|inner| Tracked { inner, token: self })
    }

    fn finish(&mut self) {
        if let Some(guard) = self.guard.take() {
            guard.response_finished(self.closing);
        }
    }
}

impl Drop for ResponseToken {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A response body that tells the guard when it ended.
#[derive(Debug)]
pub(super) struct Tracked<B> {
    inner: B,
    token: ResponseToken,
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.token.finish();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The client connection as hyper reads and writes it (`S`: TCP, or TLS over TCP).
pub(super) struct HeadGuard<S> {
    stream: S,
    guard: Guard,
    peer: SocketAddr,
    timer: Option<Pin<Box<Sleep>>>,
    /// corsair's own answer being written, and how much of it is.
    refusing: Option<(HeadRefusal, usize)>,
    /// Bytes read but not yet handed to hyper: a head in progress, then the complete head.
    held: BytesMut,
    closed: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> HeadGuard<S> {
    /// Wraps the connection from `peer`.
    pub(super) fn new(stream: S, guard: Guard, peer: SocketAddr) -> HeadGuard<S> {
        HeadGuard {
            stream,
            guard,
            peer,
            timer: None,
            refusing: None,
            held: BytesMut::new(),
            closed: false,
        }
    }

    /// Writes the refusal, then closes; `Ready` once done (or the client is gone).
    fn poll_refuse(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some((refusal, written)) = &mut self.refusing else {
            return Poll::Ready(());
        };
        let bytes = match refusal {
            HeadRefusal::Timeout => REQUEST_TIMEOUT,
            HeadRefusal::TooLarge => TOO_LARGE,
        };
        while *written < bytes.len() {
            match Pin::new(&mut self.stream).poll_write(cx, &bytes[*written..]) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(n)) if n > 0 => *written += n,
                // The client is gone: nothing more to send.
                Poll::Ready(_) => *written = usize::MAX,
            }
        }
        // Flushes what TLS still holds, then closes (an error: the client is gone).
        if Pin::new(&mut self.stream).poll_shutdown(cx).is_pending() {
            return Poll::Pending;
        }
        let (status, why) = match refusal {
            HeadRefusal::Timeout => (408, "request head not received in time"),
            HeadRefusal::TooLarge => (431, "request head too large"),
        };
        tracing::info!(target: "corsair::access", peer = %self.peer, status, "{why}");
        self.refusing = None;
        self.closed = true;
        Poll::Ready(())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for HeadGuard<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.refusing.is_some() {
                std::task::ready!(this.poll_refuse(cx));
            }
            if this.closed {
                return Poll::Ready(Ok(()));
            }
            // A complete head (and what came with it) goes to hyper in one piece.
            if !this.held.is_empty() && !this.guard.holds() {
                let n = this.held.len().min(buf.remaining());
                buf.put_slice(&this.held.split_to(n));
                return Poll::Ready(Ok(()));
            }
            if !this.guard.holds() {
                // Inside a request, HTTP/2, or upgraded: straight through.
                let before = buf.filled().len();
                let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
                if polled.is_ready() && buf.filled().len() > before {
                    this.guard.received(&buf.filled()[before..]);
                }
                if polled.is_ready() {
                    return polled;
                }
            } else {
                // Between requests or in a head: the head's bytes are held until it is complete,
                // so that hyper parses it once. They are read straight into hyper's buffer, and
                // stay there when they complete the head (the usual case: a whole head in one
                // read), without a copy.
                if buf.remaining() == 0 {
                    return Poll::Ready(Ok(()));
                }
                let before = buf.filled().len();
                match Pin::new(&mut this.stream).poll_read(cx, buf) {
                    Poll::Ready(Ok(())) if buf.filled().len() == before => {
                        if this.held.is_empty() {
                            return Poll::Ready(Ok(()));
                        }
                        // A partial head, then the end of the stream: hyper answers it.
                        this.guard.with(|state| state.phase = Phase::InRequest);
                        continue;
                    }
                    Poll::Ready(Ok(())) => {
                        let new = &buf.filled()[before..];
                        match this.guard.received(new) {
                            Some(refusal) => {
                                this.held.clear();
                                this.refusing = Some((refusal, 0));
                            }
                            // The head is complete in this read, after nothing held.
                            None if this.held.is_empty() && !this.guard.holds() => {
                                return Poll::Ready(Ok(()));
                            }
                            None => this.held.extend_from_slice(new),
                        }
                        buf.set_filled(before);
                        continue;
                    }
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                    Poll::Pending => {}
                }
            }
            return this.poll_timer(cx);
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> HeadGuard<S> {
    /// Nothing to read: arms the phase's timer, and acts when it fired.
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.guard
            .with(|state| state.reader = Some(cx.waker().clone()));
        let Some((deadline, expiry)) = self.guard.deadline() else {
            self.timer = None;
            return Poll::Pending;
        };
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }
        if timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        match expiry {
            Expiry::Close => {
                tracing::debug!(peer = %self.peer, "idle connection closed");
                self.closed = true;
                let _ = Pin::new(&mut self.stream).poll_shutdown(cx);
                Poll::Ready(Ok(()))
            }
            Expiry::Refuse(refusal) => {
                self.held.clear();
                self.refusing = Some((refusal, 0));
                std::task::ready!(self.poll_refuse(cx));
                Poll::Ready(Ok(()))
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for HeadGuard<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.closed || self.refusing.is_some() {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.closed || self.refusing.is_some() {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty response body.
    type Nothing = http_body_util::Empty<bytes::Bytes>;

    const LIMITS: Limits = Limits {
        header_read_timeout: Duration::from_secs(10),
        max_header_bytes: 64,
        idle_timeout: Duration::from_secs(60),
    };

    #[test]
    fn the_end_of_a_head_is_found_across_reads() {
        /// The reads, and the read and offset where the head ends.
        type Case<'a> = (&'a [&'a [u8]], Option<(usize, usize)>);
        let table: [Case<'_>; 9] = [
            (&[b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"], Some((0, 27))),
            (&[b"GET / HTTP/1.1\nHost: x\n\n"], Some((0, 24))),
            (&[b"GET / HTTP/1.1\r\nHost: x\n\r\n"], Some((0, 26))),
            (
                &[b"GET / HTTP/1.1\r\nHost: x\r", b"\n", b"\r", b"\nbody"],
                Some((3, 1)),
            ),
            (&[b"GET / HTTP/1.1\r\nHost: x\r\n\r", b"\n"], Some((1, 1))),
            (&[b"GET / HTTP/1.1\r\nHost: x\r\n"], None),
            (&[b"GET / HTTP/1.1\r\n\rHost: x\r\n"], None),
            // Empty lines before the request line do not end it.
            (&[b"\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n"], Some((1, 18))),
            (&[b"\n\n"], None),
        ];
        for (reads, expected) in table {
            let (mut last, mut started) = ([0, 0], false);
            let found = reads
                .iter()
                .enumerate()
                .find_map(|(i, read)| scan_head(read, &mut last, &mut started).map(|end| (i, end)));
            assert_eq!(found, expected, "{reads:?}");
        }
    }

    /// The reference: the end of a head, one byte at a time, over the whole input at once.
    fn head_end_byte_by_byte(bytes: &[u8]) -> Option<usize> {
        let mut started = false;
        let (mut before, mut previous) = (0u8, 0u8);
        for (i, &byte) in bytes.iter().enumerate() {
            if byte == b'\n'
                && started
                && (previous == b'\n' || (previous == b'\r' && before == b'\n'))
            {
                return Some(i + 1);
            }
            started |= byte != b'\r' && byte != b'\n';
            (before, previous) = (previous, byte);
        }
        None
    }

    proptest::proptest! {
        /// However a stream is cut into reads, the scan finds the end where the reference does.
        #[test]
        fn the_scan_agrees_with_the_byte_by_byte_reference(
            bytes in proptest::collection::vec(proptest::sample::select(vec![b'\r', b'\n', b'a', b':']), 0..64),
            cuts in proptest::collection::vec(0usize..64, 0..6),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut.min(bytes.len())).collect();
            cuts.push(bytes.len());
            cuts.sort_unstable();
            let (mut last, mut started, mut from) = ([0, 0], false, 0);
            let mut found = None;
            for cut in cuts {
                if let Some(end) = scan_head(&bytes[from..cut], &mut last, &mut started) {
                    found = Some(from + end);
                    break;
                }
                from = cut;
            }
            proptest::prop_assert_eq!(found, head_end_byte_by_byte(&bytes), "{:?}", bytes);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn each_request_goes_through_the_phases() {
        let guard = Guard::new(LIMITS, Start::Detect);
        assert!(matches!(guard.phase(), Phase::BetweenRequests { .. }));
        assert_eq!(guard.received(b"GET / HTTP/1.1\r\n"), None);
        assert!(matches!(guard.phase(), Phase::InHead { count: 16, .. }));
        assert_eq!(guard.received(b"Host: x\r\n\r\nPOST"), None);
        assert_eq!(guard.phase(), Phase::InRequest);
        let token = guard.request_started();
        let response = token.attach(Response::new(Nothing::new()));
        drop(response);
        let Phase::BetweenRequests { deadline } = guard.phase() else {
            panic!("{:?}", guard.phase());
        };
        assert_eq!(deadline, Instant::now() + LIMITS.idle_timeout);
        // The next head is limited too.
        assert_eq!(guard.received(&[b'a'; 65]), Some(HeadRefusal::TooLarge));
    }

    #[tokio::test(start_paused = true)]
    async fn http2_and_upgrades_pass_through() {
        let guard = Guard::new(LIMITS, Start::Detect);
        assert_eq!(guard.received(&H2_PREFACE[..10]), None);
        assert_eq!(guard.received(&H2_PREFACE[10..]), None);
        assert!(matches!(guard.phase(), Phase::Http2 { in_flight: 0, .. }));
        // Frames of any size are not heads.
        assert_eq!(guard.received(&[0u8; 1000]), None);
        let token = guard.request_started();
        assert!(guard.deadline().is_none(), "a stream is in flight");
        drop(token);
        assert!(matches!(guard.deadline(), Some((_, Expiry::Close))));

        let guard = Guard::new(LIMITS, Start::Detect);
        guard.received(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\n\r\n");
        let mut switched = Response::new(Nothing::new());
        *switched.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        drop(guard.request_started().attach(switched));
        assert_eq!(guard.phase(), Phase::Transparent);
        assert_eq!(guard.received(&[b'x'; 1000]), None);
        assert!(guard.deadline().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn alpn_decides_the_protocol_of_a_tls_connection() {
        // ALPN h2: HTTP/2 from the first byte, closed after idle_timeout without a stream.
        let guard = Guard::new(LIMITS, Start::Http2);
        assert!(matches!(guard.phase(), Phase::Http2 { in_flight: 0, .. }));
        assert!(!guard.holds());
        assert!(matches!(
            guard.deadline(),
            Some((deadline, Expiry::Close)) if deadline == Instant::now() + LIMITS.idle_timeout
        ));
        assert_eq!(guard.received(&[0u8; 1000]), None);

        // Otherwise HTTP/1: the preface is a head like any other, limited like any other.
        let guard = Guard::new(LIMITS, Start::Http1);
        assert_eq!(guard.received(H2_PREFACE), None);
        assert_eq!(
            guard.phase(),
            Phase::InRequest,
            "PRI * HTTP/2.0 goes to hyper's HTTP/1"
        );
        let guard = Guard::new(LIMITS, Start::Http1);
        assert_eq!(guard.received(&H2_PREFACE[..16]), None);
        assert!(matches!(guard.phase(), Phase::InHead { .. }));
        assert_eq!(guard.received(&[b'a'; 64]), Some(HeadRefusal::TooLarge));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_head_times_out_and_an_idle_connection_closes() {
        let guard = Guard::new(LIMITS, Start::Detect);
        assert!(matches!(
            guard.deadline(),
            Some((deadline, Expiry::Close)) if deadline == Instant::now() + LIMITS.header_read_timeout
        ));
        guard.received(b"GE");
        assert!(matches!(
            guard.deadline(),
            Some((_, Expiry::Refuse(HeadRefusal::Timeout)))
        ));
    }
}
