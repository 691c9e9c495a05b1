//! The fast path: HTTP/1.1 from the client (plain or TLS) to an HTTP/1.1 `http://` upstream,
//! forwarded on the bytes, the way nginx and HAProxy work. Each request head is parsed with
//! `httparse` into slots that borrow the connection's buffer ([`request_head`]); the proxy
//! decides on it through the [`Handler`]; a preflight is answered by writing its head; anything
//! else is written to an upstream connection that this task owns, taken from the worker's own
//! list of idle ones ([`pool`]), as one buffer: the head with the general path's edits
//! ([`upstream_head`]) and the body. The response head is parsed the same way and its lines
//! edited as bytes ([`response_head`]); the body is relayed by its framing (a length, or
//! [`chunked`], checked as it passes) with the general path's timeouts.
//!
//! What the fast path does not take goes to the general path (hyper) with every byte read so
//! far ([`rewind`]), for the rest of the connection: HTTP/1.0, HTTP/2's preface, upgrades,
//! `Expect`, chunked or large request bodies, anything `httparse` or the edge would refuse, a
//! budget of buffered bytes that is spent. The choice is made on a complete head, before
//! anything is written or forwarded, so the general path sees the connection as it arrived.
//!
//! Head limits are the head guard's: `header_read_timeout` from a head's first byte (`408`),
//! `max_header_bytes` (`431`), `idle_timeout` between requests (closed quietly; the first
//! request: `header_read_timeout`).

mod chunked;
mod deadline;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod differential;
mod pool;
pub(crate) mod request_head;
mod response_head;
mod rewind;
mod stopped;
mod upstream_head;

use std::io;
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::time::Duration;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, StatusCode};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;

use self::chunked::{Decoder, Step};
use self::deadline::Deadline;
use self::request_head::{HostCheck, Parsed, RequestHead};
pub(crate) use self::response_head::write_vary_lines;
use self::response_head::{ClientHead, Framing, ReadResponse, write_own_head};
pub(crate) use self::rewind::Rewind;
use self::stopped::Stopped;
use self::upstream_head::ClientAddress;
use super::buffer_budget::Held;
use super::forward::Forwarding;
use super::head_guard::{Limits, REQUEST_TIMEOUT, TOO_LARGE, scan_head};
use super::listener::{Begin, Connection, Handler};
use super::upstream_error::UpstreamError;

/// Header slots of a request head on the stack; a head with more lines goes to the general
/// path (which applies `max_request_headers`).
const REQUEST_SLOTS: usize = 128;
/// Header slots of a response head on the stack (`max_response_headers` up to this many; a
/// larger setting takes them from the heap).
const RESPONSE_SLOTS: usize = 256;
/// The most bytes of an upstream response head (hyper's own limit on the general path).
const MAX_RESPONSE_HEAD: usize = 8192 + 4096 * 100;
/// How much is read at once.
const READ_CHUNK: usize = 16 * 1024;

/// A header slot httparse fills: left uninitialized until it does, so that a head costs the
/// stores of the lines it has rather than of every slot (128 slots of a request head are 4 KiB).
type Slot<'b> = MaybeUninit<httparse::Header<'b>>;

/// `N` header slots, none written yet.
fn header_slots<'b, const N: usize>() -> [Slot<'b>; N] {
    [const { MaybeUninit::uninit() }; N]
}

/// The limits the fast path applies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FastLimits {
    /// The request heads' (the head guard's).
    pub head: Limits,
    /// `max_request_headers`.
    pub max_request_headers: usize,
    /// `max_response_headers`.
    pub max_response_headers: usize,
}

/// How a connection left the fast path.
pub(crate) enum Served<S> {
    /// Closed.
    Closed,
    /// The general path serves the rest, starting with the bytes read so far.
    HandOver(Rewind<S>),
}

/// What comes after one exchange.
enum Next {
    KeepAlive,
    /// The buffer does not hold a whole head yet (nothing was done with it): wait for it.
    Incomplete,
    Close,
    HandOver,
}

/// A connection's buffers, kept from one request to the next, and its timer.
struct Buffers {
    /// What bounds each wait of the connection in time.
    deadline: Deadline,
    /// The client's bytes: the current head, then what follows it.
    client: Vec<u8>,
    /// What goes to the upstream: the request head and body.
    to_upstream: Vec<u8>,
    /// The upstream's bytes.
    upstream: Vec<u8>,
    /// What goes to the client.
    to_client: Vec<u8>,
    /// The names of the request headers the handler reads (`Handler::reads`), as bytes.
    read_names: Vec<&'static [u8]>,
    /// The request headers the handler reads.
    handler_headers: HeaderMap,
    /// What `handler_headers` was made from, and what the current head's would be made from
    /// (see `read_lines`).
    handler_lines: Vec<u8>,
    head_lines: Vec<u8>,
    /// `Vary` and the CORS lines of a response, in HTTP/1.1 form.
    proxy_lines: Vec<u8>,
    /// The header lines of corsair's own answer, in HTTP/1.1 form, and those the handler wrote
    /// into a map instead.
    answer_lines: Vec<u8>,
    answer_headers: HeaderMap,
    /// The last valid `Host` of the connection's heads.
    hosts: HostCheck,
}

/// Serves `stream` on the fast path until it closes, `stop` turns true between two requests,
/// or a request goes to the general path.
pub(crate) async fn serve<H: Handler, S>(
    handler: &H,
    connection: &Connection,
    mut stream: S,
    limits: FastLimits,
    stop: watch::Receiver<bool>,
) -> Served<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buffers = Buffers {
        deadline: Deadline::new(Instant::now() + limits.head.header_read_timeout),
        client: Vec::new(),
        to_upstream: Vec::new(),
        upstream: Vec::new(),
        to_client: Vec::new(),
        read_names: handler
            .reads()
            .iter()
            .map(|name| name.as_str().as_bytes())
            .collect(),
        handler_headers: HeaderMap::new(),
        handler_lines: Vec::new(),
        head_lines: Vec::new(),
        proxy_lines: Vec::new(),
        answer_lines: Vec::new(),
        answer_headers: HeaderMap::new(),
        hosts: HostCheck::default(),
    };
    // Waits for the worker to stop, registered once for the connection's life.
    let mut stopped = Stopped::new(stop);
    let client = ClientAddress::new(connection.peer.ip());
    let mut first = true;
    // Kept between two requests (see `Handler::Snapshot`).
    let mut kept = None;
    // Whether the current head is waited for by scanning for its end (see `read_head`).
    let mut scan = false;
    loop {
        let head_end = match read_head(
            &mut stream,
            &mut buffers.client,
            &mut buffers.deadline,
            &limits.head,
            first,
            scan,
            &mut stopped,
        )
        .await
        {
            HeadWait::Complete(end) => end,
            HeadWait::Closed => return Served::Closed,
            HeadWait::Refuse(answer) => {
                let _ = stream.write_all(answer).await;
                let _ = stream.shutdown().await;
                return Served::Closed;
            }
        };
        first = false;
        let stopping = stopped.stopping();
        let snapshot = handler.snapshot(kept.take());
        let exchange = Exchange {
            handler,
            snapshot: &snapshot,
            connection,
            client: &client,
            limits: &limits,
            stopping,
        };
        let next = exchange.run(&mut stream, &mut buffers, head_end).await;
        kept = Some(snapshot);
        match next {
            Next::KeepAlive => scan = false,
            Next::Incomplete => scan = true,
            Next::Close => {
                let _ = stream.shutdown().await;
                return Served::Closed;
            }
            Next::HandOver => {
                return Served::HandOver(Rewind::new(std::mem::take(&mut buffers.client), stream));
            }
        }
    }
}

/// Writes into `lines` the lines of `headers` that the handler reads (`reads`), in their order:
/// each as the index of its name in `reads`, its value's length and its value. The handler's
/// header map is a function of exactly these, so a head whose lines are those of the previous
/// head of the connection (a client sends the same `Origin`, and often the same preflight
/// questions, on every request) reuses the map made for that one: comparing these bytes costs a
/// fraction of checking, copying and hashing each value into the map again.
fn read_lines(reads: &[&[u8]], headers: &[httparse::Header<'_>], lines: &mut Vec<u8>) {
    lines.clear();
    for header in headers {
        if let Some(index) = read_index(reads, header.name) {
            lines.extend_from_slice(&index.to_le_bytes());
            lines.extend_from_slice(&header.value.len().to_le_bytes());
            lines.extend_from_slice(header.value);
        }
    }
}

/// Where `name` is in `reads` (lower-case names of letters, digits and `-`), in any case.
fn read_index(reads: &[&[u8]], name: &str) -> Option<usize> {
    let name = name.as_bytes();
    reads
        .iter()
        .position(|read| request_head::is_name(name, read))
}

/// Empties `map` for the next request. `HeaderMap::clear` resets every slot of the map's index
/// even when it holds nothing, as the lines of most preflight answers leave it.
fn clear(map: &mut HeaderMap) {
    if !map.is_empty() {
        map.clear();
    }
}

/// How waiting for a request head ended.
enum HeadWait {
    /// A head ends at this offset of the buffer (`Some`, found by scanning), or the buffer has
    /// bytes that may hold a whole head, which parsing tells (`None`).
    Complete(Option<usize>),
    /// The client closed, went idle too long, or the worker is stopping.
    Closed,
    /// corsair answers this and closes (`408`, `431`).
    Refuse(&'static [u8]),
}

/// Reads until `buffer` holds a whole head, within the head guard's limits.
///
/// Without `scan`, it returns as soon as `buffer` has any bytes: a head almost always comes
/// whole in one read, and `request_head::read` then finds its end and parses it in one pass
/// over the bytes (scanning for the end first and parsing after read every byte twice). When
/// that parse finds the head partial (or longer than `max_header_bytes`), the exchange asks
/// again with `scan`: this waits, as the head guard does, until a scan of the bytes as they
/// come finds the end, so a head that trickles in is scanned once and parsed once more, never
/// parsed again on every read.
async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
    timer: &mut Deadline,
    limits: &Limits,
    first: bool,
    scan: bool,
    stopped: &mut Stopped,
) -> HeadWait {
    let idle = if first {
        limits.header_read_timeout
    } else {
        limits.idle_timeout
    };
    let mut head_deadline = None;
    let (mut last, mut started, mut scanned) = ([0u8; 2], false, 0);
    loop {
        if !scan && !buffer.is_empty() {
            return HeadWait::Complete(None);
        }
        if scanned < buffer.len() {
            head_deadline.get_or_insert_with(|| Instant::now() + limits.header_read_timeout);
            if let Some(end) = scan_head(&buffer[scanned..], &mut last, &mut started) {
                let end = scanned + end;
                if end > limits.max_header_bytes {
                    return HeadWait::Refuse(TOO_LARGE);
                }
                return HeadWait::Complete(Some(end));
            }
            scanned = buffer.len();
            if scanned > limits.max_header_bytes {
                return HeadWait::Refuse(TOO_LARGE);
            }
        }
        if head_deadline.is_none() && stopped.stopping() {
            return HeadWait::Closed;
        }
        let between_heads = head_deadline.is_none();
        let reading = async {
            tokio::select! {
                biased;
                read = read_some(stream, buffer) => Some(read),
                () = stopped.wait(), if between_heads => None,
            }
        };
        // Between heads, the wait is the only one (bytes start a head): `idle` from when it
        // has to wait, and a next request already there reads no clock.
        let read = match head_deadline {
            Some(deadline) => timer.wait(deadline, reading).await,
            None => timer.wait_for(idle, reading).await,
        };
        match read {
            None if head_deadline.is_some() => return HeadWait::Refuse(REQUEST_TIMEOUT),
            None | Some(None | Some(Ok(0) | Err(_))) => return HeadWait::Closed,
            Some(Some(Ok(_))) => {}
        }
    }
}

/// Reads what is there (at least one byte, or 0 at the end) onto the end of `buffer`.
async fn read_some<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
) -> io::Result<usize> {
    buffer.reserve(READ_CHUNK);
    stream.read_buf(buffer).await
}

/// One request on the fast path.
struct Exchange<'a, H: Handler> {
    handler: &'a H,
    /// What the connection serves this request with.
    snapshot: &'a H::Snapshot,
    connection: &'a Connection,
    /// The client's address, as the upstream is told it.
    client: &'a ClientAddress,
    limits: &'a FastLimits,
    /// The worker is stopping: the connection closes after this exchange.
    stopping: bool,
}

/// What the request asked for, once its head is no longer borrowed.
struct Asked {
    is_head: bool,
    /// The method is idempotent (RFC 9110 §9.2.2): it may be sent again when a connection
    /// closed after it was written, before any answer.
    idempotent: bool,
    close: bool,
    body_length: usize,
}

impl<H: Handler> Exchange<'_, H> {
    async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        stream: &mut S,
        buffers: &mut Buffers,
        head_end: Option<usize>,
    ) -> Next {
        let forwarding = self.handler.forwarding();
        let route = self.handler.route(self.snapshot);
        let mut slots = header_slots::<REQUEST_SLOTS>();
        // A head with more lines than `max_request_headers` goes to the general path, which
        // refuses it: as many slots as the setting allows make httparse hand it over.
        let slots = &mut slots[..self.limits.max_request_headers.min(REQUEST_SLOTS)];
        let bytes = match head_end {
            Some(end) => &buffers.client[..end],
            None => &buffers.client[..],
        };
        let head: RequestHead<'_> = match request_head::read(bytes, slots, &mut buffers.hosts) {
            // Not whole yet, or too long: wait by scanning, which also refuses a head that is
            // too long (`431`), as before any parse.
            Parsed::Take(head)
                if head_end.is_none() && head.length > self.limits.head.max_header_bytes =>
            {
                return Next::Incomplete;
            }
            Parsed::Partial if head_end.is_none() => return Next::Incomplete,
            Parsed::Take(head) => head,
            // A scan found the end, httparse did not: the general path's to tell.
            Parsed::Partial => return Next::HandOver,
            Parsed::HandOver(why) => {
                tracing::trace!(peer = %self.connection.peer, why, "request handed to the general path");
                return Next::HandOver;
            }
        };
        if route.upstream.scheme != http::uri::Scheme::HTTP {
            return Next::HandOver;
        }
        let Ok(body_length) = usize::try_from(head.body_length) else {
            return Next::HandOver;
        };
        if body_length > forwarding.request_buffer_bytes {
            return Next::HandOver;
        }
        // The body's bytes, from both budgets (a request without a body takes none).
        let held = if body_length == 0 {
            None
        } else {
            let mut held = Held::new(&self.connection.buffers, &forwarding.buffers);
            if held.take(body_length).is_err() {
                // The general path answers `503` with `Retry-After`.
                return Next::HandOver;
            }
            Some(held)
        };
        let head_end = head.length;
        let asked = Asked {
            is_head: head.method == http::Method::HEAD,
            idempotent: head.method.is_idempotent(),
            close: head.close || self.stopping,
            body_length,
        };
        read_lines(&buffers.read_names, head.headers, &mut buffers.head_lines);
        if buffers.head_lines != buffers.handler_lines {
            clear(&mut buffers.handler_headers);
            let reads = self.handler.reads();
            for header in head.headers {
                if let Some(index) = read_index(&buffers.read_names, header.name) {
                    if let Ok(value) = HeaderValue::from_bytes(header.value) {
                        buffers.handler_headers.append(reads[index].clone(), value);
                    }
                }
            }
            std::mem::swap(&mut buffers.head_lines, &mut buffers.handler_lines);
        }
        let begun = self.handler.begin(
            self.snapshot,
            &head.method,
            head.target,
            head.host,
            &buffers.handler_headers,
        );
        let (exchange, owns_cors) = match begun {
            Begin::Answer(exchange, status) => {
                drop(head);
                // A body that is not read leaves the connection unusable.
                let close = asked.close || asked.body_length > 0;
                buffers.answer_lines.clear();
                clear(&mut buffers.answer_headers);
                self.handler.answer(
                    self.snapshot,
                    &exchange,
                    &mut buffers.answer_lines,
                    &mut buffers.answer_headers,
                );
                buffers.to_client.clear();
                let date = date::line();
                write_own_head(
                    &mut buffers.to_client,
                    status,
                    (&buffers.answer_lines, &buffers.answer_headers),
                    0,
                    &client_head(false, &[], close, &date),
                );
                let written = stream.write_all(&buffers.to_client).await;
                self.handler.end(self.snapshot, exchange, status);
                buffers.client.drain(..head_end);
                return if close || written.is_err() {
                    Next::Close
                } else {
                    Next::KeepAlive
                };
            }
            Begin::Forward(exchange, owns_cors) => (exchange, owns_cors),
            Begin::HandOver => return Next::HandOver,
        };
        buffers.to_upstream.clear();
        upstream_head::write(
            &mut buffers.to_upstream,
            &head,
            &upstream_head::Edits {
                route,
                client: self.client,
                client_scheme: forwarding.client_scheme,
            },
        );
        drop(head);
        buffers.client.drain(..head_end);
        let mut forward = Forward {
            exchange: self,
            forwarding,
            route,
            asked,
            owns_cors,
            handler_exchange: Some(exchange),
        };
        let next = forward.run(stream, buffers).await;
        drop(held);
        next
    }
}

/// Where a response goes out: the client head's additions.
fn client_head<'a>(
    owns_cors: bool,
    proxy_lines: &'a [u8],
    close: bool,
    date_line: &'a [u8],
) -> ClientHead<'a> {
    ClientHead {
        owns_cors,
        proxy_lines,
        chunked: false,
        close,
        date_line,
    }
}

/// The forwarding of one request taken by the fast path.
struct Forward<'a, 'e, H: Handler> {
    exchange: &'e Exchange<'a, H>,
    forwarding: &'e Forwarding,
    route: &'e super::forward::Route,
    asked: Asked,
    owns_cors: bool,
    handler_exchange: Option<H::Exchange>,
}

/// How reaching the upstream failed.
enum Failure {
    /// No connection (`502`, counted as a connect error).
    Connect,
    /// No response head in time (`504`).
    NoAnswer,
    /// The upstream stopped reading the request (`504`, connection closed).
    NotReading,
    /// Not a usable response (`502`).
    Protocol,
    /// The client's body stalled or ended before it was whole (`408` or closed).
    ClientStalled,
    ClientGone,
}

impl<H: Handler> Forward<'_, '_, H> {
    async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        buffers: &mut Buffers,
    ) -> Next {
        // The body, from what was read with the head and then from the client.
        let idle_timeout = self.forwarding.idle_timeout;
        let length = self.asked.body_length;
        let from_buffer = length.min(buffers.client.len());
        buffers
            .to_upstream
            .extend_from_slice(&buffers.client[..from_buffer]);
        buffers.client.drain(..from_buffer);
        let mut missing = length - from_buffer;
        while missing > 0 {
            let before = buffers.to_upstream.len();
            buffers.to_upstream.reserve(missing.min(READ_CHUNK));
            let read = buffers
                .deadline
                .wait_for(idle_timeout, stream.read_buf(&mut buffers.to_upstream))
                .await;
            match read {
                Some(Ok(0) | Err(_)) => {
                    return self.fail(stream, buffers, Failure::ClientGone).await;
                }
                None => return self.fail(stream, buffers, Failure::ClientStalled).await,
                Some(Ok(_)) => {}
            }
            let got = buffers.to_upstream.len() - before;
            if got > missing {
                // Pipelined bytes: the next request's.
                let extra = buffers.to_upstream.split_off(before + missing);
                buffers.client.extend_from_slice(&extra);
                missing = 0;
            } else {
                missing -= got;
            }
        }
        let Ok(_slot) = Arc::clone(&self.forwarding.upstream_slots)
            .acquire_owned()
            .await
        else {
            return self
                .own(
                    stream,
                    buffers,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "corsair: the server is stopping\n",
                    true,
                )
                .await;
        };
        let (upstream, head) = match self.exchange_with_upstream(buffers).await {
            Ok(answered) => answered,
            Err(failure) => return self.fail(stream, buffers, failure).await,
        };
        self.relay(stream, buffers, upstream, head).await
    }

    /// Sends the request (on an idle connection, or a new one; again on a new one when an idle
    /// connection turns out closed before any answer), reads the response head into
    /// `buffers.upstream` and writes the client's head into `buffers.to_client`.
    async fn exchange_with_upstream(
        &self,
        buffers: &mut Buffers,
    ) -> Result<(TcpStream, Answered), Failure> {
        let idle = pool::take(&self.route.upstream.authority, self.forwarding.idle_timeout);
        let reused = idle.is_some();
        let mut upstream = match idle {
            Some(upstream) => upstream,
            None => self.connect().await?,
        };
        match self.send_and_wait(&mut upstream, buffers).await {
            Ok(head) => Ok((upstream, head)),
            // The upstream closed the idle connection as the request was sent: once more on a
            // new one, when the request cannot have been acted on (not written whole) or may be
            // repeated.
            Err(Attempt::Closed { written }) if reused && (!written || self.asked.idempotent) => {
                let mut upstream = self.connect().await?;
                match self.send_and_wait(&mut upstream, buffers).await {
                    Ok(head) => Ok((upstream, head)),
                    Err(Attempt::Closed { .. }) => Err(Failure::Protocol),
                    Err(Attempt::Failed(failure)) => Err(failure),
                }
            }
            Err(Attempt::Closed { .. }) => Err(Failure::Protocol),
            Err(Attempt::Failed(failure)) => Err(failure),
        }
    }

    async fn connect(&self) -> Result<TcpStream, Failure> {
        let authority = &self.route.upstream.authority;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = authority.port_u16().unwrap_or(80);
        let connected = tokio::time::timeout(
            self.forwarding.connect_timeout,
            TcpStream::connect((host, port)),
        )
        .await;
        match connected {
            Ok(Ok(upstream)) => {
                let _ = upstream.set_nodelay(true);
                Ok(upstream)
            }
            Ok(Err(error)) => {
                tracing::warn!(upstream = %self.route.upstream, %error, "upstream request failed");
                Err(Failure::Connect)
            }
            Err(_) => {
                tracing::warn!(upstream = %self.route.upstream, "upstream request failed: connect timed out");
                Err(Failure::Connect)
            }
        }
    }

    /// Writes the request, reads a final response head (`1xx` heads are dropped) and writes the
    /// head the client gets into `buffers.to_client`: the response head is parsed once.
    async fn send_and_wait(
        &self,
        upstream: &mut TcpStream,
        buffers: &mut Buffers,
    ) -> Result<Answered, Attempt> {
        let idle_timeout = self.forwarding.idle_timeout;
        let written = buffers
            .deadline
            .wait_for(idle_timeout, upstream.write_all(&buffers.to_upstream))
            .await;
        match written {
            Some(Ok(())) => {}
            Some(Err(_)) => return Err(Attempt::Closed { written: false }),
            None => return Err(Attempt::Failed(Failure::NotReading)),
        }
        buffers.upstream.clear();
        let deadline = Instant::now() + self.forwarding.upstream_timeout;
        let max_headers = self.exchange.limits.max_response_headers;
        loop {
            let read = buffers
                .deadline
                .wait(deadline, read_some(upstream, &mut buffers.upstream))
                .await;
            match read {
                None => return Err(Attempt::Failed(Failure::NoAnswer)),
                Some(Ok(0) | Err(_)) if buffers.upstream.is_empty() => {
                    return Err(Attempt::Closed { written: true });
                }
                Some(Ok(0) | Err(_)) => return Err(Attempt::Failed(Failure::Protocol)),
                Some(Ok(_)) => {}
            }
            loop {
                let informational = {
                    let mut stack = header_slots::<RESPONSE_SLOTS>();
                    let mut heap = Vec::new();
                    let slots = response_slots(&mut stack, &mut heap, max_headers);
                    match response_head::read(&buffers.upstream, slots, self.asked.is_head) {
                        ReadResponse::Partial => break,
                        ReadResponse::Malformed => return Err(Attempt::Failed(Failure::Protocol)),
                        ReadResponse::Head(head) => match head.status {
                            101 => return Err(Attempt::Failed(Failure::Protocol)),
                            100..=199 => head.length,
                            _ => {
                                return Ok(self.write_client_head(
                                    &head,
                                    &mut buffers.proxy_lines,
                                    &mut buffers.to_client,
                                ));
                            }
                        },
                    }
                };
                buffers.upstream.drain(..informational);
            }
            if buffers.upstream.len() > MAX_RESPONSE_HEAD {
                return Err(Attempt::Failed(Failure::Protocol));
            }
        }
    }

    /// Writes the head the client gets for the upstream's `head` into `to_client`, with the
    /// upstream's `Vary` and the CORS lines gathered in `proxy_lines`.
    fn write_client_head(
        &self,
        head: &response_head::ResponseHead<'_>,
        proxy_lines: &mut Vec<u8>,
        to_client: &mut Vec<u8>,
    ) -> Answered {
        proxy_lines.clear();
        match &self.handler_exchange {
            Some(exchange) => {
                self.exchange.handler.respond(
                    self.exchange.snapshot,
                    exchange,
                    head.vary_values(),
                    proxy_lines,
                );
            }
            None => write_vary_lines(proxy_lines, head.vary_values()),
        }
        to_client.clear();
        let date = date::line();
        head.write_client_head(
            to_client,
            &ClientHead {
                owns_cors: self.owns_cors,
                proxy_lines,
                chunked: matches!(head.framing, Framing::Chunked | Framing::UntilClose),
                close: self.asked.close,
                date_line: &date,
            },
        );
        Answered {
            status: head.status,
            framing: head.framing,
            reusable: head.reusable,
            head_length: head.length,
        }
    }

    /// Relays the body after the client's head (in `buffers.to_client`).
    async fn relay<S: AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        buffers: &mut Buffers,
        mut upstream: TcpStream,
        head: Answered,
    ) -> Next {
        let close = self.asked.close;
        let exchange = self
            .handler_exchange
            .take()
            .expect("one response per exchange");
        let Answered {
            status,
            framing,
            reusable,
            head_length,
        } = head;
        buffers.upstream.drain(..head_length);
        let relayed = Relay {
            idle_timeout: self.forwarding.idle_timeout,
        }
        .body(stream, &mut upstream, buffers, framing)
        .await;
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
        self.exchange
            .handler
            .end(self.exchange.snapshot, exchange, status);
        match relayed {
            Ok(()) => {
                if reusable && buffers.upstream.is_empty() {
                    pool::give(&self.route.upstream.authority, upstream);
                }
                if close { Next::Close } else { Next::KeepAlive }
            }
            Err(side) => {
                if let Side::Upstream(kind) = side {
                    self.forwarding.errors.upstream_error(kind);
                    tracing::warn!(upstream = %self.route.upstream, "upstream response cut short");
                }
                Next::Close
            }
        }
    }

    /// corsair's answer when the exchange failed before a response head.
    async fn fail<S: AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        buffers: &mut Buffers,
        failure: Failure,
    ) -> Next {
        let errors = &self.forwarding.errors;
        let upstream = &self.route.upstream;
        let (status, text, close) = match failure {
            Failure::Connect => {
                errors.upstream_error(UpstreamError::Connect);
                (
                    StatusCode::BAD_GATEWAY,
                    "corsair: the upstream server could not be reached\n",
                    false,
                )
            }
            Failure::Protocol => {
                errors.upstream_error(UpstreamError::Protocol);
                tracing::warn!(%upstream, "upstream request failed: not a usable HTTP/1.1 response");
                (
                    StatusCode::BAD_GATEWAY,
                    "corsair: the upstream server could not be reached\n",
                    false,
                )
            }
            Failure::NoAnswer => {
                errors.upstream_error(UpstreamError::Timeout);
                tracing::warn!(%upstream, timeout = ?self.forwarding.upstream_timeout, "upstream did not answer in time");
                (
                    StatusCode::GATEWAY_TIMEOUT,
                    "corsair: the upstream server did not answer in time\n",
                    false,
                )
            }
            Failure::NotReading => {
                errors.upstream_error(UpstreamError::Timeout);
                tracing::warn!(%upstream, timeout = ?self.forwarding.idle_timeout, "upstream stopped reading the request body");
                (
                    StatusCode::GATEWAY_TIMEOUT,
                    "corsair: the upstream server stopped reading the request\n",
                    true,
                )
            }
            Failure::ClientStalled => {
                tracing::info!(peer = %self.exchange.connection.peer, "client error in the request body: stalled");
                (
                    StatusCode::REQUEST_TIMEOUT,
                    "corsair: the request body was not received in time\n",
                    true,
                )
            }
            Failure::ClientGone => {
                if let Some(exchange) = self.handler_exchange.take() {
                    self.exchange.handler.end(
                        self.exchange.snapshot,
                        exchange,
                        StatusCode::BAD_REQUEST,
                    );
                }
                return Next::Close;
            }
        };
        self.own(stream, buffers, status, text, close).await
    }

    /// Writes corsair's own plain-text answer, with the CORS lines.
    async fn own<S: AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        buffers: &mut Buffers,
        status: StatusCode,
        text: &'static str,
        close: bool,
    ) -> Next {
        let close = close || self.asked.close;
        buffers.proxy_lines.clear();
        let exchange = self
            .handler_exchange
            .take()
            .expect("one response per exchange");
        self.exchange.handler.respond(
            self.exchange.snapshot,
            &exchange,
            std::iter::empty(),
            &mut buffers.proxy_lines,
        );
        let mut extra = HeaderMap::with_capacity(1);
        extra.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        buffers.to_client.clear();
        let date = date::line();
        let head = client_head(self.owns_cors, &buffers.proxy_lines, close, &date);
        write_own_head(
            &mut buffers.to_client,
            status,
            (&[], &extra),
            text.len(),
            &head,
        );
        if !self.asked.is_head {
            buffers.to_client.extend_from_slice(text.as_bytes());
        }
        let written = stream.write_all(&buffers.to_client).await;
        self.exchange
            .handler
            .end(self.exchange.snapshot, exchange, status);
        if close || written.is_err() {
            Next::Close
        } else {
            Next::KeepAlive
        }
    }
}

/// The upstream's final response head, once the client's head is written.
struct Answered {
    status: u16,
    framing: Framing,
    /// The upstream connection may carry another request once the body has been read.
    reusable: bool,
    /// The head's length in the upstream buffer.
    head_length: usize,
}

/// How sending a request on one connection went.
enum Attempt {
    /// The connection was closed before any byte of an answer (`written`: after the request
    /// was written whole): another one may be tried.
    Closed {
        written: bool,
    },
    Failed(Failure),
}

/// Which side broke a body relay.
enum Side {
    Client,
    Upstream(UpstreamError),
}

/// A response body on its way from the upstream to the client, each pause on either side
/// bounded by `idle_timeout`.
struct Relay {
    idle_timeout: Duration,
}

impl Relay {
    /// Writes `buffers.to_client` (the head) and the body framed by `framing`, read from what
    /// `buffers.upstream` holds and then from `upstream`. Bytes past the body's end stay in
    /// `buffers.upstream`.
    async fn body<S: AsyncWrite + Unpin>(
        &self,
        client: &mut S,
        upstream: &mut TcpStream,
        buffers: &mut Buffers,
        framing: Framing,
    ) -> Result<(), Side> {
        match framing {
            Framing::Empty => {}
            Framing::Length(length) => {
                let mut left = length;
                loop {
                    let available = usize::try_from(left).map_or(buffers.upstream.len(), |left| {
                        left.min(buffers.upstream.len())
                    });
                    buffers
                        .to_client
                        .extend_from_slice(&buffers.upstream[..available]);
                    buffers.upstream.drain(..available);
                    left -= available as u64;
                    if left == 0 {
                        break;
                    }
                    self.pass_on(client, upstream, buffers).await?;
                }
            }
            Framing::Chunked => {
                let mut decoder = Decoder::new();
                loop {
                    let mut at = 0;
                    let mut done = false;
                    while at < buffers.upstream.len() {
                        match decoder.step(&buffers.upstream[at..]) {
                            Ok(Step::Read { consumed, data }) => {
                                let data = at + data.start..at + data.end;
                                write_chunk(&mut buffers.to_client, &buffers.upstream[data]);
                                at += consumed;
                            }
                            Ok(Step::Done { consumed }) => {
                                at += consumed;
                                done = true;
                                break;
                            }
                            Err(_) => return Err(Side::Upstream(UpstreamError::Protocol)),
                        }
                    }
                    buffers.upstream.drain(..at);
                    if done {
                        buffers.to_client.extend_from_slice(b"0\r\n\r\n");
                        break;
                    }
                    self.pass_on(client, upstream, buffers).await?;
                }
            }
            Framing::UntilClose => loop {
                write_chunk(&mut buffers.to_client, &buffers.upstream);
                buffers.upstream.clear();
                self.flush(client, &mut buffers.to_client, &mut buffers.deadline)
                    .await?;
                if !self
                    .fill(upstream, &mut buffers.upstream, &mut buffers.deadline, true)
                    .await?
                {
                    buffers.to_client.extend_from_slice(b"0\r\n\r\n");
                    break;
                }
            },
        }
        self.flush(client, &mut buffers.to_client, &mut buffers.deadline)
            .await
    }

    /// Sends the client what is written for it, then reads more of a framed body from the
    /// upstream (whose end before the body's is an error).
    async fn pass_on<S: AsyncWrite + Unpin>(
        &self,
        client: &mut S,
        upstream: &mut TcpStream,
        buffers: &mut Buffers,
    ) -> Result<(), Side> {
        self.flush(client, &mut buffers.to_client, &mut buffers.deadline)
            .await?;
        self.fill(
            upstream,
            &mut buffers.upstream,
            &mut buffers.deadline,
            false,
        )
        .await?;
        Ok(())
    }

    /// Writes what `out` holds to the client.
    async fn flush<S: AsyncWrite + Unpin>(
        &self,
        client: &mut S,
        out: &mut Vec<u8>,
        timer: &mut Deadline,
    ) -> Result<(), Side> {
        if out.is_empty() {
            return Ok(());
        }
        match timer
            .wait_for(self.idle_timeout, client.write_all(out))
            .await
        {
            Some(Ok(())) => {
                out.clear();
                Ok(())
            }
            _ => Err(Side::Client),
        }
    }

    /// Reads more of the upstream's body; `false` at its end when `end_allowed` (an end
    /// elsewhere cuts the body short).
    async fn fill(
        &self,
        upstream: &mut TcpStream,
        buffer: &mut Vec<u8>,
        timer: &mut Deadline,
        end_allowed: bool,
    ) -> Result<bool, Side> {
        match timer
            .wait_for(self.idle_timeout, read_some(upstream, buffer))
            .await
        {
            Some(Ok(0)) if end_allowed => Ok(false),
            Some(Ok(0) | Err(_)) => Err(Side::Upstream(UpstreamError::Protocol)),
            Some(Ok(_)) => Ok(true),
            None => Err(Side::Upstream(UpstreamError::Timeout)),
        }
    }
}

/// Appends `data` as one chunk (nothing for no data: an empty chunk would end the body).
fn write_chunk(out: &mut Vec<u8>, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    let mut size = [0u8; 16];
    let mut n = data.len();
    let mut at = size.len();
    while n > 0 || at == size.len() {
        at -= 1;
        size[at] = b"0123456789abcdef"[n % 16];
        n /= 16;
    }
    out.extend_from_slice(&size[at..]);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// The `Date` value, formatted once a second on each worker thread.
mod date {
    use std::cell::RefCell;
    use std::time::{SystemTime, UNIX_EPOCH};

    /// `date: ` and an HTTP-date (RFC 9110 §5.6.7), which is always 29 bytes long
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`), and `\r\n`.
    const LENGTH: usize = 6 + 29 + 2;

    thread_local! {
        static NOW: RefCell<(u64, [u8; LENGTH])> = const { RefCell::new((u64::MAX, [b' '; LENGTH])) };
    }

    /// The `Date` line of a response written now, formatted once per second and thread.
    pub(super) fn line() -> [u8; LENGTH] {
        let now = SystemTime::now();
        let second = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        NOW.with_borrow_mut(|(cached, line)| {
            if *cached != second {
                *cached = second;
                let formatted = httpdate::fmt_http_date(now);
                if formatted.len() == LENGTH - 8 {
                    line[..6].copy_from_slice(b"date: ");
                    line[6..LENGTH - 2].copy_from_slice(formatted.as_bytes());
                    line[LENGTH - 2..].copy_from_slice(b"\r\n");
                }
            }
            *line
        })
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_line_holds_the_current_date() {
            let line = super::line();
            let text = std::str::from_utf8(&line).unwrap();
            let value = text
                .strip_prefix("date: ")
                .and_then(|rest| rest.strip_suffix("\r\n"))
                .unwrap();
            let date = httpdate::parse_http_date(value).unwrap();
            let now = std::time::SystemTime::now();
            let age = now.duration_since(date).unwrap();
            assert!(age.as_secs() <= 2, "{text:?} is the time now");
        }
    }
}

/// `max` header slots: from `stack` when it has that many, else from `heap`.
fn response_slots<'s, 'b>(
    stack: &'s mut [Slot<'b>; RESPONSE_SLOTS],
    heap: &'s mut Vec<Slot<'b>>,
    max: usize,
) -> &'s mut [Slot<'b>] {
    if max <= RESPONSE_SLOTS {
        &mut stack[..max]
    } else {
        heap.resize_with(max, MaybeUninit::uninit);
        heap
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderName;
    use http::header::{ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};

    use super::read_lines;

    fn lines(headers: &[(&'static str, &'static [u8])]) -> Vec<u8> {
        static NAMES: [HeaderName; 2] = [ORIGIN, ACCESS_CONTROL_REQUEST_METHOD];
        let reads: Vec<&[u8]> = NAMES.iter().map(|n| n.as_str().as_bytes()).collect();
        let headers: Vec<httparse::Header<'_>> = headers
            .iter()
            .map(|&(name, value)| httparse::Header { name, value })
            .collect();
        let mut out = Vec::new();
        read_lines(&reads, &headers, &mut out);
        out
    }

    /// The handler's map is reused only for a head whose read lines are the same, in the same
    /// order; other lines do not count, the names' case does not either.
    #[test]
    fn read_lines_tell_the_heads_whose_map_is_the_same() {
        let first = lines(&[("Host", b"x"), ("Origin", b"https://a"), ("x", b"1")]);
        assert_eq!(first, lines(&[("origin", b"https://a"), ("Host", b"y")]));
        assert_ne!(first, lines(&[("Origin", b"https://b")]));
        assert_ne!(
            first,
            lines(&[("Origin", b"https://a"), ("Origin", b"https://a")])
        );
        assert_ne!(
            first,
            lines(&[("Access-Control-Request-Method", b"https://a")])
        );
        assert_ne!(first, lines(&[]));
        let both = lines(&[("Origin", b"a"), ("Access-Control-Request-Method", b"PUT")]);
        assert_ne!(
            both,
            lines(&[("Access-Control-Request-Method", b"PUT"), ("Origin", b"a")])
        );
        // A value's length is part of the lines: values that run into the next line differ.
        assert_ne!(
            lines(&[("Origin", b"ab"), ("Origin", b"c")]),
            lines(&[("Origin", b"a"), ("Origin", b"bc")])
        );
    }
}
