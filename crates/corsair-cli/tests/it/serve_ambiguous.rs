//! Inputs that HTTP/1 parsers are known to read differently (bare LF line ends, padded and
//! non-ASCII values, leading empty lines, repeated `Cookie` lines, pipelined requests after a
//! body, `Content-Length` together with `Transfer-Encoding`), sent on a raw socket through
//! `corsair serve` to real upstreams, nginx and Django: each upstream must see exactly the
//! requests corsair read, with the same bodies, never one request inside another. The suite
//! runs on the fast path (the default) and, with `CORSAIR_FAST_PATH=false`, on the general path.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::nginx::Nginx;
use crate::serve_django::Django;
use crate::serve_support::*;
use crate::temp_dirs::temp_dir;

/// The body of nginx's location: one line describing what it parsed of each request.
const ECHO: &str = "      default_type text/plain;\n      return 200 \"ECHO $request_method $request_uri len=$content_length cookie=$http_cookie probe=$http_x_probe\\n\";";

/// Sends `bytes` on one connection and reads everything until corsair closes it.
async fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut received = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut received),
    )
    .await;
    assert!(
        read.is_ok(),
        "corsair did not close the connection: {:?}",
        String::from_utf8_lossy(&received)
    );
    String::from_utf8_lossy(&received).into_owned()
}

/// The lines nginx echoed, in order.
fn echoes(received: &str) -> Vec<&str> {
    received
        .lines()
        .filter_map(|line| line.strip_prefix("ECHO "))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_sees_exactly_the_requests_corsair_read() {
    let nginx = Nginx::start("ambiguous-nginx", ECHO);
    let dir = temp_dir("ambiguous-nginx-corsair");
    write_config(
        &dir,
        nginx.addr,
        "",
        "allowed_origins = [\"https://app.example\"]",
    );
    let corsair = Corsair::start(&dir, &[]);
    // (what the client sends, what nginx must have parsed, request by request)
    let table: [(&[u8], &[&str]); 7] = [
        (
            b"GET /a HTTP/1.1\nHost: api.example\nX-Probe: v1 \t\n\nGET /b?x=1 HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n",
            &["GET /a len= cookie= probe=v1", "GET /b?x=1 len= cookie= probe="],
        ),
        (
            b"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            &["POST /p len=5 cookie= probe=", "GET /after len= cookie= probe="],
        ),
        (
            b"GET /c HTTP/1.1\r\nHost: a\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n",
            &["GET /c len= cookie=a=1; b=2 probe="],
        ),
        (
            "GET /o HTTP/1.1\r\nHost: a\r\nX-Probe: caf\u{e9}\r\nConnection: close\r\n\r\n".as_bytes(),
            &["GET /o len= cookie= probe=caf\u{e9}"],
        ),
        (
            b"\r\n\r\nGET /lead HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            &["GET /lead len= cookie= probe="],
        ),
        (
            b"GET /zero HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            &["GET /zero len=0 cookie= probe=", "GET /next len= cookie= probe="],
        ),
        (
            b"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcPOST /q HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nde",
            &["POST /p len=3 cookie= probe=", "POST /q len=2 cookie= probe="],
        ),
    ];
    for (bytes, expected) in table {
        let received = exchange(corsair.addr, bytes).await;
        assert_eq!(
            echoes(&received),
            expected,
            "{}",
            String::from_utf8_lossy(bytes)
        );
    }
    // A body framed both by a length and by chunks: the chunks win (RFC 9112 §6.3), the length
    // never reaches nginx, and the connection closes after the answer, so the bytes after the
    // chunked body are never read as a request, nor as part of a body.
    let smuggling = b"POST /s HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    let received = exchange(corsair.addr, smuggling).await;
    assert_eq!(
        echoes(&received),
        ["POST /s len= cookie= probe="],
        "{received}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_sees_exactly_the_requests_corsair_read() {
    let django = Django::start();
    let dir = temp_dir("ambiguous-django-corsair");
    write_config(
        &dir,
        django.addr,
        "",
        "allowed_origins = [\"https://app.example\"]",
    );
    let corsair = Corsair::start(&dir, &[]);
    // A JSON body, then a request pipelined right after it.
    let received = exchange(
        corsair.addr,
        b"POST /api/echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"k\": 12}GET /api/hello HTTP/1.1\nHost: a\nConnection: close\n\n",
    )
    .await;
    let echoed = received.find("\"body\": {\"k\": 12}").expect(&received);
    let hello = received.find("hello from django").expect(&received);
    assert!(echoed < hello, "{received}");
    assert_eq!(received.matches("HTTP/1.1 200").count(), 2, "{received}");
    // Two Cookie lines are one cookie header for Django (a WSGI server would join them with `,`).
    let received = exchange(
        corsair.addr,
        b"GET /api/cookies HTTP/1.1\r\nHost: a\r\nCookie: a=1\r\nCookie: b=2 \r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        received.contains("{\"cookies\": {\"a\": \"1\", \"b\": \"2\"}}"),
        "{received}"
    );
}
