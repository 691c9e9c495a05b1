//! Shared by the `serve_*` tests: the real `corsair` binary as a child process, in-process
//! upstream servers that record what they receive, and a small HTTP client.

use std::convert::Infallible;
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full, combinators::BoxBody};
use hyper::body::{Body, Frame, Incoming};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

use crate::wait;

/// The allowed origin of the test policies.
pub const APP: &str = "http://localhost:8080";

/// A running `corsair serve`; killed when dropped.
pub struct Corsair {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Corsair {
    /// Starts `corsair serve ARGS --listen 127.0.0.1:0` in `dir` and waits for its start line
    /// (`listening on http://…`, or `https://…`).
    pub fn start(dir: &Path, args: &[&str]) -> Corsair {
        Corsair::start_with_env(dir, args, &[])
    }

    /// Same, with extra environment variables.
    pub fn start_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Corsair {
        let mut child = corsair_command(dir, args, env)
            .args(["--listen", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .spawn()
            .expect("the corsair binary starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line
                    .split("listening on http")
                    .nth(1)
                    .and_then(|rest| rest.trim_start_matches('s').strip_prefix("://"))
                    .map(|rest| {
                        rest.split(|c: char| !(c.is_ascii_hexdigit() || ".:[]".contains(c)))
                            .next()
                            .unwrap_or_default()
                    })
                    .and_then(|a| a.parse::<SocketAddr>().ok())
                {
                    let _ = tx.send(addr);
                }
                lines.lock().unwrap().push(line);
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!("corsair did not start: {:#?}", log.lock().unwrap());
            }
        };
        Corsair { child, addr, log }
    }

    /// `http://ADDR/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal (`HUP`, `TERM`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Every log line so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until a log line contains `needle` (at most [`wait::DEADLINE`]), and returns it.
    pub async fn wait_for_log(&self, needle: &str) -> String {
        self.log_line_within(wait::DEADLINE, needle)
            .await
            .unwrap_or_else(|| panic!("no log line contains {needle:?}: {:#?}", self.log()))
    }

    /// The first log line that contains `needle`, waited for at most `within`.
    pub async fn log_line_within(&self, within: Duration, needle: &str) -> Option<String> {
        let mut line = None;
        wait::until_within(within, async || {
            line = self.log().into_iter().find(|l| l.contains(needle));
            line.is_some()
        })
        .await;
        line
    }

    /// Waits for the process to exit.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "corsair did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The peak resident memory of the process (`VmHWM`), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status");
        kib * 1024
    }
}

impl Drop for Corsair {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `corsair serve ARGS` in `dir`, with a clean `CORS_*` environment plus `env`.
pub fn corsair_command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_corsair"));
    command.current_dir(dir).arg("serve").args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("CORS_") {
            command.env_remove(key);
        }
    }
    command.env_remove("RUST_LOG");
    command.envs(env.iter().copied());
    command
}

/// Writes `corsair.toml` in `dir` forwarding to `upstream`, with extra `[server]` lines and the
/// `[cors]` table.
pub fn write_config(dir: &Path, upstream: SocketAddr, server: &str, cors: &str) -> PathBuf {
    let path = dir.join("corsair.toml");
    std::fs::write(
        &path,
        format!("[server]\nupstream = \"http://{upstream}\"\n{server}\n[cors]\n{cors}\n"),
    )
    .unwrap();
    path
}

/// What an upstream received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// An in-process upstream server that records what it receives.
///
/// Routes: `/echo` streams the request body back; `/own-cors` sets its own CORS headers and
/// `Vary: Cookie`; `/slow` answers after 3 s; `/hop` answers with hop-by-hop headers;
/// `/truncated` closes the connection in the middle of its body, `/crash` before its head,
/// `/stall` stops sending in the middle of its body;
/// anything
/// else answers `200 upstream ok`, recording the request (body included).
pub struct Upstream {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Upstream {
    /// Starts it on a free port of the current runtime.
    pub async fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        upstream_route(Arc::clone(&log), request)
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Upstream { addr, received }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until a request for `target` has arrived (at most [`wait::DEADLINE`]).
    pub async fn wait_for_request(&self, target: &str) {
        let arrived =
            wait::until(async || self.received().iter().any(|r| r.target == target)).await;
        assert!(
            arrived,
            "no request for {target} reached the upstream: {:#?}",
            self.received()
        );
    }
}

async fn upstream_route(
    log: Arc<Mutex<Vec<Received>>>,
    request: Request<Incoming>,
) -> Result<Response<BoxBody<Bytes, BoxError>>, Infallible> {
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let record = |body: Bytes| Received {
        method: parts.method.to_string(),
        target: target.clone(),
        headers: parts.headers.clone(),
        body,
    };
    if parts.uri.path() == "/echo" {
        log.lock().unwrap().push(record(Bytes::new()));
        return Ok(Response::new(body.map_err(BoxError::from).boxed()));
    }
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    log.lock().unwrap().push(record(body));
    let mut response = Response::builder();
    match parts.uri.path() {
        "/own-cors" => {
            response = response
                .header("access-control-allow-origin", "*")
                .header("access-control-allow-methods", "GET")
                .header("access-control-allow-credentials", "true")
                .header("vary", "Cookie");
        }
        "/slow" => tokio::time::sleep(Duration::from_secs(3)).await,
        // Announces more than it sends: the connection closes mid-body.
        "/truncated" | "/crash" | "/stall" => {
            // `/crash` fails before its head is sent, `/truncated` in the middle of its body,
            // `/stall` goes quiet in the middle of its body.
            let delay = match parts.uri.path() {
                "/crash" => 0,
                "/truncated" => 300,
                _ => 3_600_000,
            };
            let body = Truncated::after(Duration::from_millis(delay)).boxed();
            return Ok(response
                .header("content-length", "100000")
                .body(body)
                .unwrap());
        }
        "/hop" => {
            response = response
                .header("connection", "x-upstream-hop")
                .header("x-upstream-hop", "1")
                .header("keep-alive", "timeout=5")
                .header("x-end-to-end", "kept");
        }
        _ => {}
    }
    Ok(response
        .body(full("upstream ok").map_err(BoxError::from).boxed())
        .expect("valid upstream response"))
}

/// Any error, for upstream bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A body that sends a few bytes and then fails after `delay`, as a crashing upstream does.
struct Truncated {
    sent: bool,
    delay: Pin<Box<tokio::time::Sleep>>,
}

impl Truncated {
    fn after(delay: Duration) -> Truncated {
        Truncated {
            sent: false,
            delay: Box::pin(tokio::time::sleep(delay)),
        }
    }
}

impl Body for Truncated {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if !self.sent {
            self.sent = true;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"partial")))));
        }
        std::task::ready!(self.delay.as_mut().poll(cx));
        Poll::Ready(Some(Err("the upstream crashed".into())))
    }
}

/// A body from a string.
pub fn full(text: &str) -> BoxBody<Bytes, hyper::Error> {
    Full::new(Bytes::from(text.to_owned()))
        .map_err(|never| match never {})
        .boxed()
}

/// An empty body.
pub fn empty() -> BoxBody<Bytes, hyper::Error> {
    Empty::new().map_err(|never| match never {}).boxed()
}

/// An HTTP/1.1 client.
pub type HttpClient = Client<HttpConnector, BoxBody<Bytes, hyper::Error>>;

/// A pooled HTTP/1.1 client.
pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new())
}

/// An HTTP/2 client (prior knowledge, no TLS).
pub fn h2c_client() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build(HttpConnector::new())
}

/// A response, read whole.
#[derive(Debug)]
pub struct Answer {
    pub version: http::Version,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// A header's value, if present once; panics when it is present several times.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.get_all(name).iter();
        let first = values.next()?;
        assert!(values.next().is_none(), "{name} appears several times");
        Some(first.to_str().unwrap())
    }
}

/// Sends `method url` with `headers` and `body`, and reads the whole answer (with any client:
/// plain, h2c or HTTPS).
pub async fn send<C>(
    client: &Client<C, BoxBody<Bytes, hyper::Error>>,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let mut request = Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(full(body)).unwrap())
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        version: parts.version,
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A body of `chunks` deterministic 64 KiB pseudo-random chunks, generated as it is sent.
pub struct Generated {
    block: Bytes,
    sent: u64,
    chunks: u64,
}

/// The size of one generated chunk.
pub const CHUNK: usize = 64 * 1024;

impl Generated {
    /// A body of `chunks` chunks.
    pub fn new(chunks: u64) -> Generated {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut block = Vec::with_capacity(CHUNK);
        while block.len() < CHUNK {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            block.extend_from_slice(&state.to_le_bytes());
        }
        Generated {
            block: Bytes::from(block),
            sent: 0,
            chunks,
        }
    }

    /// Chunk `i`: the block with its first eight bytes replaced by `i`.
    pub fn chunk(&self, i: u64) -> Bytes {
        let mut chunk = self.block.to_vec();
        chunk[..8].copy_from_slice(&i.to_le_bytes());
        Bytes::from(chunk)
    }
}

impl Body for Generated {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        if self.sent == self.chunks {
            return Poll::Ready(None);
        }
        let chunk = self.chunk(self.sent);
        self.sent += 1;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }
}

/// A streaming checksum (SipHash over the concatenated bytes, whatever the chunking).
#[derive(Default)]
pub struct Checksum {
    hasher: std::hash::DefaultHasher,
    pub len: u64,
}

impl Checksum {
    pub fn update(&mut self, bytes: &[u8]) {
        use std::hash::Hasher;
        self.hasher.write(bytes);
        self.len += bytes.len() as u64;
    }

    pub fn finish(&self) -> u64 {
        use std::hash::Hasher;
        self.hasher.finish()
    }
}

/// A response read off a raw socket.
#[derive(Debug)]
pub struct RawAnswer {
    /// The status code (0 when the connection closed without a response).
    pub status: u16,
    /// The head, as received.
    pub head: String,
    /// The body (by `Content-Length`; what came before the close otherwise).
    pub body: String,
}

/// Writes `bytes` on a new connection to `addr` and reads one response (within 10 s).
pub async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> RawAnswer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::AsyncWriteExt;
    stream.write_all(bytes).await.unwrap();
    read_raw_response(&mut stream).await
}

/// Reads one response off `stream` (within 10 s): the head, then a `Content-Length` body, or
/// everything until the connection closes.
pub async fn read_raw_response(stream: &mut tokio::net::TcpStream) -> RawAnswer {
    use tokio::io::AsyncReadExt;
    let mut buffer = Vec::new();
    let read = async {
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
                let bodiless = head
                    .split(' ')
                    .nth(1)
                    .is_some_and(|s| s == "204" || s == "304" || s.starts_with('1'));
                if bodiless {
                    return;
                }
                let length = head.lines().find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                });
                if let Some(length) = length {
                    if buffer.len() >= end + 4 + length {
                        return;
                    }
                }
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), read).await;
    let end = find(&buffer, b"\r\n\r\n").unwrap_or(buffer.len());
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let body = String::from_utf8_lossy(buffer.get(end + 4..).unwrap_or_default()).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    RawAnswer { status, head, body }
}

/// The offset of the first `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An upstream that serves one connection at a time (like a one-worker sync server): it accepts
/// a connection, reads one whole request (by `Content-Length` or chunked), answers with the
/// bytes `answer` makes of it, closes, and only then accepts the next one.
pub struct SerialUpstream {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl SerialUpstream {
    /// Starts it on a free port of the current runtime.
    pub async fn start(answer: fn(&[u8]) -> Vec<u8>) -> SerialUpstream {
        use tokio::io::AsyncWriteExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    continue;
                };
                let request = read_raw_request(&mut stream).await;
                log.lock().unwrap().push(request.clone());
                if !request.is_empty() {
                    let _ = stream.write_all(&answer(&request)).await;
                }
                let _ = stream.shutdown().await;
            }
        });
        SerialUpstream { addr, requests }
    }

    /// The raw bytes of every request received (an empty one: the connection closed first).
    pub fn requests(&self) -> Vec<Vec<u8>> {
        self.requests.lock().unwrap().clone()
    }
}

/// `HTTP/1.1 200 OK` with `body`.
pub fn ok_answer(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads one request (head, then a `Content-Length` or chunked body) within 30 s; what was
/// received when the connection closed or the time ran out.
pub async fn read_raw_request(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut buffer = Vec::new();
    let read = async {
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                let body = &buffer[end + 4..];
                if head.contains("transfer-encoding: chunked") {
                    if find(body, b"0\r\n\r\n").is_some() {
                        return;
                    }
                } else {
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if body.len() >= length {
                        return;
                    }
                }
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(30), read).await;
    buffer
}

/// An upstream that reflects any `Origin` with credentials on every path: the kind of
/// application CORS whose headers must never reach a disallowed origin on a CORS path.
pub async fn reflecting_upstream() -> std::net::SocketAddr {
    use http_body_util::Full;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service =
                    service_fn(|request: http::Request<hyper::body::Incoming>| async move {
                        let origin = request.headers().get("origin").cloned();
                        let mut response =
                            http::Response::new(Full::new(bytes::Bytes::from_static(b"secret")));
                        if let Some(origin) = origin {
                            response
                                .headers_mut()
                                .insert("access-control-allow-origin", origin);
                            response.headers_mut().insert(
                                "access-control-allow-credentials",
                                http::HeaderValue::from_static("true"),
                            );
                        }
                        Ok::<_, std::convert::Infallible>(response)
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}
