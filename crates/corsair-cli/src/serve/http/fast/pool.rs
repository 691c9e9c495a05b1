//! Each worker's idle upstream connections for the fast path: a plain list owned by the
//! worker's thread (no lock, no dispatcher task, no channel), most recently used first. A
//! connection is taken by the request that uses it and given back when its response has been
//! read whole on a connection the upstream keeps open.
//!
//! Invariants: a connection is in the list only between two exchanges, never longer than
//! `idle_timeout` (the general path's pool keeps them as long), and one that the upstream closed
//! or wrote to while idle is dropped, never used; the list holds at most [`MAX_IDLE`].

use std::cell::RefCell;
use std::time::Duration;

use http::uri::Authority;
use tokio::net::TcpStream;
use tokio::time::Instant;

/// The most idle connections a worker keeps.
const MAX_IDLE: usize = 256;

/// An idle connection.
struct Idle {
    /// The upstream's authority (a reload may change the upstream); a clone shares its bytes.
    authority: Authority,
    stream: TcpStream,
    since: Instant,
}

thread_local! {
    /// This worker thread's idle connections. Each worker's event loop runs on one thread, so
    /// every connection here is registered with that thread's reactor.
    static IDLE: RefCell<Vec<Idle>> = const { RefCell::new(Vec::new()) };
}

/// An idle connection to `authority`, if this worker has a live one.
pub(crate) fn take(authority: &Authority, idle_timeout: Duration) -> Option<TcpStream> {
    IDLE.with_borrow_mut(|idle| {
        let now = Instant::now();
        idle.retain(|connection| now.duration_since(connection.since) < idle_timeout);
        while let Some(position) = idle
            .iter()
            .rposition(|connection| connection.authority.as_str() == authority.as_str())
        {
            let connection = idle.remove(position);
            if is_quiet(&connection.stream) {
                return Some(connection.stream);
            }
        }
        None
    })
}

/// Keeps `stream`, whose last exchange with `authority` is complete, for the next request.
pub(crate) fn give(authority: &Authority, stream: TcpStream) {
    IDLE.with_borrow_mut(|idle| {
        if idle.len() == MAX_IDLE {
            idle.remove(0);
        }
        idle.push(Idle {
            authority: authority.clone(),
            stream,
            since: Instant::now(),
        });
    });
}

/// Whether an idle connection has neither been closed nor written to by the upstream (a
/// response nobody asked for would be read as the next request's).
fn is_quiet(stream: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    matches!(stream.try_read(&mut probe), Err(error) if error.kind() == std::io::ErrorKind::WouldBlock)
}
