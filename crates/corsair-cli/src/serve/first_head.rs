//! The first request head of a connection, read before hyper takes over, so that a client that
//! is too slow to send it gets `408 Request Timeout` (hyper would close without a word).
//!
//! The bytes read are handed to hyper unchanged through [`Prefixed`]. Later requests on a
//! keep-alive connection are timed by hyper itself.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

const REQUEST_TIMEOUT: &[u8] =
    b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";

/// What the client sent before the deadline.
#[derive(Debug)]
pub enum FirstHead {
    /// A complete head (or more bytes than a head may have, which hyper refuses with `431`).
    Received(BytesMut),
    /// The client closed the connection, or sent nothing and was closed quietly.
    Nothing,
    /// The client started a request and did not finish its head in time; it got a `408`.
    TimedOut,
}

/// Reads until the end of the first head (an empty line; the HTTP/2 preface has one too), the
/// size limit, the end of the stream, or the deadline.
pub async fn read(
    stream: &mut TcpStream,
    timeout: Duration,
    max_len: usize,
) -> io::Result<FirstHead> {
    let mut buffer = BytesMut::with_capacity(4096);
    let read_head = async {
        loop {
            if buffer.windows(4).any(|w| w == b"\r\n\r\n") || buffer.len() >= max_len {
                return Ok::<bool, io::Error>(true);
            }
            if stream.read_buf(&mut buffer).await? == 0 {
                return Ok(false);
            }
        }
    };
    match tokio::time::timeout(timeout, read_head).await {
        Ok(Ok(true)) => Ok(FirstHead::Received(buffer)),
        Ok(Ok(false)) if buffer.is_empty() => Ok(FirstHead::Nothing),
        // A partial head then EOF: let hyper answer the malformed request.
        Ok(Ok(false)) => Ok(FirstHead::Received(buffer)),
        Ok(Err(e)) => Err(e),
        Err(_) if buffer.is_empty() => Ok(FirstHead::Nothing),
        Err(_) => {
            stream.write_all(REQUEST_TIMEOUT).await?;
            stream.shutdown().await?;
            Ok(FirstHead::TimedOut)
        }
    }
}

/// A stream whose first bytes were already read: they are read again before the stream's own.
#[derive(Debug)]
pub struct Prefixed {
    prefix: BytesMut,
    stream: TcpStream,
}

impl Prefixed {
    /// Puts `prefix` back in front of `stream`.
    pub fn new(prefix: BytesMut, stream: TcpStream) -> Prefixed {
        Prefixed { prefix, stream }
    }
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.prefix.has_remaining() {
            let n = self.prefix.len().min(buf.remaining());
            buf.put_slice(&self.prefix[..n]);
            self.prefix.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
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
