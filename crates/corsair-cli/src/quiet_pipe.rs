//! A report whose reader goes away ends the command quietly: `corsair lint FILE | head` stops
//! when `head` has read enough, as Unix tools do, instead of panicking on the closed pipe.

/// Restores the default action of SIGPIPE, which ends the process without a word when the
/// reader of its output goes away, for the commands that print a report (`check`, `lint`).
///
/// Rust starts programs with SIGPIPE ignored (and Python, whose console script runs this
/// library, does the same), which turns a closed pipe into an error that `println!` panics
/// on. `serve` keeps it ignored: a client that goes away must never end the proxy. Sockets are
/// not concerned either way: the standard library and tokio write to them with `MSG_NOSIGNAL`.
pub(crate) fn end_quietly_when_the_reader_goes() {
    // SAFETY: signal(2) with SIG_DFL installs no handler, so no code runs in signal context;
    // it is called before the command starts any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
