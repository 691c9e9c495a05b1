//! `corsair serve` as a proxy: the real binary between a real client and in-process upstreams,
//! over real sockets.

use std::time::Duration;

use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;

const POLICY: &str =
    "allowed_origins = [\"http://localhost:8080\"]\nexpose_headers = [\"x-end-to-end\"]";

async fn proxy(name: &str, server: &str) -> (Upstream, Corsair) {
    let upstream = Upstream::start().await;
    let dir = temp_dir(name);
    write_config(&dir, upstream.addr, server, POLICY);
    let corsair = Corsair::start(&dir, &[]);
    (upstream, corsair)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflights_are_answered_by_corsair_and_never_forwarded() {
    let (upstream, corsair) = proxy("preflight", "").await;
    let client = client();
    let preflight = [
        ("origin", APP),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "content-type"),
    ];
    let answer = send(&client, "OPTIONS", &corsair.url("/items/1"), &preflight, "").await;
    assert_eq!(answer.status, 204);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert!(
        answer
            .header("access-control-allow-methods")
            .unwrap()
            .contains("PUT")
    );
    let refused = send(
        &client,
        "OPTIONS",
        &corsair.url("/items/1"),
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
        "",
    )
    .await;
    assert_eq!(refused.header("access-control-allow-origin"), None);
    assert!(upstream.received().is_empty(), "{:?}", upstream.received());

    // An OPTIONS that is not a preflight belongs to the application.
    let plain = send(
        &client,
        "OPTIONS",
        &corsair.url("/items/1"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(plain.body, "upstream ok");
    assert_eq!(upstream.received().len(), 1);
    let log = corsair.wait_for_log("preflight-refused").await;
    assert!(log.contains("origin=\"https://evil.example\""), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_forwarded_intact_and_answers_get_cors_headers() {
    let (upstream, corsair) = proxy("forward", "").await;
    let client = client();
    let answer = send(
        &client,
        "PATCH",
        &corsair.url("/api/items/7?fields=a,b&x=%20"),
        &[
            ("origin", APP),
            ("x-custom", "kept"),
            ("cookie", "session=abc"),
            ("connection", "x-private-hop"),
            ("x-private-hop", "must not travel"),
            ("x-forwarded-for", "198.51.100.9"),
            ("x-forwarded-host", "spoofed.example"),
        ],
        "{\"name\":\"corsair\"}",
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "upstream ok");
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(answer.header("vary"), Some("origin"));

    let received = upstream.received().remove(0);
    assert_eq!(received.method, "PATCH");
    assert_eq!(received.target, "/api/items/7?fields=a,b&x=%20");
    assert_eq!(received.body, "{\"name\":\"corsair\"}");
    let header = |name: &str| received.headers.get(name).map(|v| v.to_str().unwrap());
    assert_eq!(header("x-custom"), Some("kept"));
    assert_eq!(header("cookie"), Some("session=abc"));
    assert_eq!(header("origin"), Some(APP));
    assert_eq!(header("x-private-hop"), None);
    assert_eq!(header("connection"), None);
    assert_eq!(header("x-forwarded-for"), Some("198.51.100.9, 127.0.0.1"));
    assert_eq!(header("x-forwarded-proto"), Some("http"));
    assert_eq!(header("via"), Some("1.1 corsair"));
    let proxy_host = corsair.addr.to_string();
    assert_eq!(header("x-forwarded-host"), Some(proxy_host.as_str()));
    assert_eq!(
        header("host"),
        Some(proxy_host.as_str()),
        "Host is passed through"
    );

    let hop = send(&client, "GET", &corsair.url("/hop"), &[("origin", APP)], "").await;
    assert_eq!(hop.header("x-upstream-hop"), None);
    assert_eq!(hop.header("keep-alive"), None);
    assert_eq!(hop.header("x-end-to-end"), Some("kept"));
    assert_eq!(
        hop.header("access-control-expose-headers"),
        Some("x-end-to-end")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upstreams_own_cors_headers_are_replaced_and_vary_is_merged() {
    let (_upstream, corsair) = proxy("own-cors", "").await;
    let client = client();
    let allowed = send(
        &client,
        "GET",
        &corsair.url("/own-cors"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(allowed.header("access-control-allow-origin"), Some(APP));
    assert_eq!(allowed.header("access-control-allow-methods"), None);
    assert_eq!(allowed.header("access-control-allow-credentials"), None);
    assert_eq!(allowed.header("vary"), Some("Cookie, origin"));

    let foreign = [("origin", "https://evil.example")];
    let refused = send(&client, "GET", &corsair.url("/own-cors"), &foreign, "").await;
    assert_eq!(refused.status, 200);
    assert_eq!(
        refused.header("access-control-allow-origin"),
        None,
        "the upstream's `*` is gone"
    );
    assert_eq!(refused.header("vary"), Some("Cookie, origin"));

    // Outside urls_regex corsair does not own CORS: the upstream's headers pass through.
    let upstream = Upstream::start().await;
    let dir = temp_dir("own-cors-bypass");
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!("{POLICY}\nurls_regex = \"^/api/\""),
    );
    let scoped = Corsair::start(&dir, &[]);
    let outside = send(
        &client,
        "GET",
        &scoped.url("/own-cors"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(outside.header("access-control-allow-origin"), Some("*"));
    assert_eq!(outside.header("vary"), Some("Cookie"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_failures_are_answered_with_cors_headers() {
    // Nothing listens on the upstream's port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap();
    drop(closed);
    let dir = temp_dir("down");
    write_config(&dir, port, "", POLICY);
    let corsair = Corsair::start(&dir, &[]);
    let client = client();
    for _ in 0..2 {
        let answer = send(&client, "GET", &corsair.url("/api"), &[("origin", APP)], "").await;
        assert_eq!(answer.status, 502);
        assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
        assert!(answer.body.contains("upstream"), "{}", answer.body);
    }

    let (_upstream, slow) = proxy("slow", "upstream_timeout = \"500ms\"").await;
    let answer = send(&client, "GET", &slow.url("/slow"), &[("origin", APP)], "").await;
    assert_eq!(answer.status, 504);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    let after = send(&client, "GET", &slow.url("/fast"), &[("origin", APP)], "").await;
    assert_eq!(after.status, 200, "corsair keeps serving");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_prior_knowledge_is_served() {
    let (upstream, corsair) = proxy("h2c", "").await;
    let answer = send(
        &h2c_client(),
        "GET",
        &corsair.url("/h2"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    let received = upstream.received().remove(0);
    assert_eq!(received.target, "/h2");
    let host = corsair.addr.to_string();
    assert_eq!(
        received.headers["host"],
        host.as_str(),
        ":authority becomes Host"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_oversized_request_heads_get_408_and_431() {
    let (upstream, corsair) = proxy(
        "limits",
        "header_read_timeout = \"300ms\"\nmax_header_bytes = 16384",
    )
    .await;
    let mut slow = TcpStream::connect(corsair.addr).await.unwrap();
    slow.write_all(b"GET /api HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), slow.read_to_string(&mut answer))
        .await
        .expect("corsair answers and closes")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");

    let mut large = TcpStream::connect(corsair.addr).await.unwrap();
    let big = "a".repeat(32 * 1024);
    let request = format!("GET /api HTTP/1.1\r\nhost: x\r\nx-big: {big}\r\n\r\n");
    let _ = large.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), large.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert!(upstream.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_are_all_answered() {
    // Three workers accept on the same port; every one of them must answer correctly.
    let (upstream, corsair) = proxy("concurrent", "workers = 3").await;
    assert!(
        corsair
            .wait_for_log("is listening")
            .await
            .contains("workers=3")
    );
    let client = client();
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let client = client.clone();
            let url = corsair.url(&format!("/n/{i}"));
            tokio::spawn(async move { send(&client, "GET", &url, &[("origin", APP)], "").await })
        })
        .collect();
    for task in tasks {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    }
    assert_eq!(upstream.received().len(), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mib_body_streams_both_ways_in_bounded_memory() {
    const CHUNKS: u64 = 1600; // 1600 × 64 KiB = 100 MiB
    let (_upstream, corsair) = proxy("stream", "").await;
    let generated = Generated::new(CHUNKS);
    let mut expected = Checksum::default();
    for i in 0..CHUNKS {
        expected.update(&generated.chunk(i));
    }
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Generated>();
    let request = http::Request::post(corsair.url("/echo"))
        .header("origin", APP)
        .body(generated)
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], APP);
    let mut body = response.into_body();
    let mut received = Checksum::default();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            received.update(&data);
        }
    }
    assert_eq!(received.len, CHUNKS * CHUNK as u64);
    assert_eq!(
        received.finish(),
        expected.finish(),
        "the body came back unchanged"
    );
    let peak = corsair.peak_rss();
    eprintln!(
        "corsair peak RSS after 100 MiB each way: {:.1} MiB",
        peak as f64 / 1048576.0
    );
    assert!(
        peak < 64 * 1024 * 1024,
        "peak RSS {} MiB",
        peak / (1024 * 1024)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_crashing_mid_body_aborts_that_response_only() {
    let (_upstream, corsair) = proxy("truncated", "").await;
    let client = client();
    let request = http::Request::get(corsair.url("/truncated"))
        .header("origin", APP)
        .body(empty())
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 200, "the head was already on its way");
    assert_eq!(response.headers()["access-control-allow-origin"], APP);
    let body = tokio::time::timeout(Duration::from_secs(5), response.into_body().collect())
        .await
        .expect("the client is not left waiting");
    assert!(
        body.is_err(),
        "the client sees the body cut short, not a complete body"
    );
    let after = send(
        &client,
        "GET",
        &corsair.url("/fine"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(after.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    // The limit holds for all workers together.
    let (_upstream, corsair) = proxy("limit", "max_connections = 1\nworkers = 4").await;
    // The first connection stays open (keep-alive) after its request.
    let mut first = TcpStream::connect(corsair.addr).await.unwrap();
    first
        .write_all(b"GET /one HTTP/1.1\r\nhost: x\r\norigin: http://localhost:8080\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    first.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");

    let client = client();
    let url = corsair.url("/two");
    let second =
        tokio::spawn(async move { send(&client, "GET", &url, &[("origin", APP)], "").await });
    // A connection waiting for its slot shows nothing: this is the time the second request has
    // to be answered, were the limit not held.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !second.is_finished(),
        "the second connection waits while the first is open"
    );
    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .expect("served once the first connection closed")
        .unwrap();
    assert_eq!(answer.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upstreams_own_host_can_replace_the_clients() {
    let (upstream, corsair) = proxy("host", "preserve_host = false").await;
    send(&client(), "GET", &corsair.url("/h"), &[("origin", APP)], "").await;
    let received = upstream.received().remove(0);
    let upstream_host = upstream.addr.to_string();
    assert_eq!(received.headers["host"], upstream_host.as_str());
    let proxy_host = corsair.addr.to_string();
    assert_eq!(received.headers["x-forwarded-host"], proxy_host.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_upstream_is_reached_over_tls_and_a_failed_handshake_is_a_502() {
    // A plain-http server where the configuration says https: the handshake fails.
    let upstream = Upstream::start().await;
    let dir = temp_dir("https");
    std::fs::write(
        dir.join("corsair.toml"),
        format!(
            "[server]\nupstream = \"https://{}\"\n[cors]\n{POLICY}\n",
            upstream.addr
        ),
    )
    .unwrap();
    let corsair = Corsair::start(&dir, &[]);
    let answer = send(
        &client(),
        "GET",
        &corsair.url("/v1/x"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert!(
        upstream.received().is_empty(),
        "nothing was sent in clear text"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_stalls_mid_body_is_cut_off_after_the_idle_timeout() {
    let (_upstream, corsair) = proxy("stall", "idle_timeout = \"500ms\"").await;
    let request = http::Request::get(corsair.url("/stall"))
        .header("origin", APP)
        .body(empty())
        .unwrap();
    let response = client().request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let started = std::time::Instant::now();
    let body = tokio::time::timeout(Duration::from_secs(5), response.into_body().collect())
        .await
        .expect("the stalled response is cut off");
    assert!(body.is_err());
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

/// Reads a message head (up to the blank line) from `stream`.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "closed mid-head");
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

/// Opens an upgraded `echo` connection through corsair at `addr` and checks one echo.
async fn open_tunnel(addr: std::net::SocketAddr) -> TcpStream {
    let mut client = TcpStream::connect(addr).await.unwrap();
    client
        .write_all(
            b"GET /socket HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: echo\r\n\r\n",
        )
        .await
        .unwrap();
    let head = read_head(&mut client).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert_echo(&mut client, b"open").await;
    client
}

/// Writes `message` and reads it back.
async fn assert_echo(client: &mut TcpStream, message: &[u8]) {
    client.write_all(message).await.unwrap();
    let mut echoed = vec![0u8; message.len()];
    tokio::time::timeout(Duration::from_secs(5), client.read_exact(&mut echoed))
        .await
        .expect("echoed in time")
        .unwrap();
    assert_eq!(echoed, message);
}

/// An upstream that accepts one upgrade to the `echo` protocol and then echoes every byte;
/// returns its address and the request head it received.
async fn upgrading_upstream() -> (std::net::SocketAddr, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let head = read_head(&mut stream).await;
        stream
            .write_all(
                b"HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\n\r\n",
            )
            .await
            .unwrap();
        let mut buffer = [0u8; 1024];
        loop {
            let n = stream.read(&mut buffer).await.unwrap();
            if n == 0 {
                break;
            }
            stream.write_all(&buffer[..n]).await.unwrap();
        }
        head
    });
    (addr, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgraded_connections_are_joined_both_ways() {
    let (upstream, received) = upgrading_upstream().await;
    let dir = temp_dir("upgrade");
    write_config(&dir, upstream, "", POLICY);
    let corsair = Corsair::start(&dir, &[]);
    let mut client = TcpStream::connect(corsair.addr).await.unwrap();
    client
        .write_all(
            b"GET /socket HTTP/1.1\r\nhost: x\r\norigin: http://localhost:8080\r\nconnection: Upgrade\r\nupgrade: echo\r\n\r\n",
        )
        .await
        .unwrap();
    let head = read_head(&mut client).await.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(head.contains("upgrade: echo"), "{head}");
    assert!(head.contains("connection: upgrade"), "{head}");
    for message in [&b"hello"[..], b"second message", &[0u8, 255, 13, 10][..]] {
        assert_echo(&mut client, message).await;
    }
    drop(client);
    let forwarded = tokio::time::timeout(Duration::from_secs(5), received)
        .await
        .expect("the upstream sees the client close")
        .unwrap()
        .to_ascii_lowercase();
    assert!(forwarded.contains("upgrade: echo"), "{forwarded}");
    assert!(forwarded.contains("connection: upgrade"), "{forwarded}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_upgrade_is_an_ordinary_response() {
    let (upstream, corsair) = proxy("no-upgrade", "").await;
    let mut client = TcpStream::connect(corsair.addr).await.unwrap();
    client
        .write_all(b"GET /plain HTTP/1.1\r\nhost: x\r\norigin: http://localhost:8080\r\nconnection: upgrade\r\nupgrade: echo\r\n\r\n")
        .await
        .unwrap();
    let head = read_head(&mut client).await.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("access-control-allow-origin: http://localhost:8080"),
        "{head}"
    );
    assert_eq!(upstream.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgraded_connection_keeps_its_slot_and_is_waited_for_at_shutdown() {
    let (upstream, _received) = upgrading_upstream().await;
    let dir = temp_dir("upgrade-slot");
    write_config(
        &dir,
        upstream,
        "max_connections = 1\nshutdown_grace = \"20s\"",
        POLICY,
    );
    let mut corsair = Corsair::start(&dir, &[]);
    let mut tunnel = open_tunnel(corsair.addr).await;

    // The tunnel is the one connection allowed: another client waits to be accepted.
    let mut second = TcpStream::connect(corsair.addr).await.unwrap();
    second
        .write_all(b"GET /x HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut byte = [0u8; 1];
    let waited = tokio::time::timeout(Duration::from_millis(500), second.read(&mut byte)).await;
    assert!(
        waited.is_err(),
        "the second connection is not served while the tunnel is open"
    );

    // Stopping: the tunnel keeps working until its client closes it, then corsair exits.
    corsair.signal("TERM");
    corsair.wait_for_log("stopping").await;
    assert_echo(&mut tunnel, b"still joined").await;
    drop(tunnel);
    assert!(corsair.wait(Duration::from_secs(10)).success());
    assert!(
        !corsair
            .log()
            .iter()
            .any(|l| l.contains("grace period over")),
        "{:#?}",
        corsair.log()
    );
}
