//! The adversarial suite: each test sends the exact bytes (or writes the exact configuration)
//! of one finding of the security review of `corsair serve` against the real binary, and states
//! what must hold. Future changes must keep every test passing.

mod serve_support;

use std::time::{Duration, Instant};

use serve_support::*;

/// Runs `corsair serve ARGS` in `dir` (it must exit), returning its status and whole stderr.
fn run_to_exit(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let output = corsair_command(dir, args, &[])
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

// Finding 14: every number and duration of [server] is range-checked; nothing panics.
#[test]
fn out_of_range_server_values_exit_2_naming_the_key_the_range_and_the_fix() {
    let dir = temp_dir("adv-ranges");
    let origin = ["--allow-origin", "https://app.example.com"];
    // (file line or flag, expected message, expected fix)
    let table: [(&str, &[&str], &str, &str); 5] = [
        (
            "max_connections = 9223372036854775807",
            &[],
            "server.max_connections = 9223372036854775807: must be between 1 and 1000000",
            "write `max_connections = 4096`",
        ),
        (
            "idle_timeout = \"18446744073709551615s\"",
            &[],
            "server.idle_timeout = \"18446744073709551615s\": must be between 1ms and 24h",
            "write `idle_timeout = \"60s\"`",
        ),
        (
            "",
            &["--upstream", "http://127.0.0.1:99999"],
            "the port `99999` of `http://127.0.0.1:99999` must be between 1 and 65535",
            "write `--upstream http://127.0.0.1:8000`",
        ),
        (
            "request_buffer_bytes = 2000000000",
            &[],
            "server.request_buffer_bytes = 2000000000: must be between 0 and 1073741824",
            "write `request_buffer_bytes = 1048576`",
        ),
        (
            "shutdown_grace = \"2h\"",
            &[],
            "server.shutdown_grace = \"2h\": must be between 0s and 1h",
            "write `shutdown_grace = \"10s\"`",
        ),
    ];
    for (line, flags, message, fix) in table {
        std::fs::write(dir.join("corsair.toml"), format!("[server]\n{line}\n")).unwrap();
        let mut args = origin.to_vec();
        args.extend_from_slice(flags);
        let (code, stderr) = run_to_exit(&dir, &args);
        assert_eq!(code, Some(2), "{line} {flags:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{message} missing from:\n{stderr}"
        );
        assert!(stderr.contains(fix), "{fix} missing from:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

// Finding 15: credentials in the upstream URL are refused and never printed.
#[test]
fn an_upstream_url_with_credentials_is_refused_and_its_password_never_printed() {
    let dir = temp_dir("adv-userinfo");
    let url = "http://user:secret@127.0.0.1:8000";
    std::fs::write(dir.join("corsair.toml"), "").unwrap();
    let (code, stderr) = run_to_exit(
        &dir,
        &[
            "--upstream",
            url,
            "--allow-origin",
            "https://app.example.com",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("http://user:***@127.0.0.1:8000"),
        "{stderr}"
    );
    assert!(
        stderr.contains("have the upstream accept another credential"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"), "{stderr}");

    std::fs::write(
        dir.join("corsair.toml"),
        format!("[server]\nupstream = \"{url}\"\n[cors]\nallowed_origins = [\"https://app.example.com\"]\n"),
    )
    .unwrap();
    let (code, stderr) = run_to_exit(&dir, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("user:***@"), "{stderr}");
    assert!(!stderr.contains("secret"), "{stderr}");
}

// Finding 13: locating 100k list elements is linear.
#[test]
fn a_hundred_thousand_origins_lint_in_linear_time() {
    let dir = temp_dir("adv-lint-100k");
    let mut text = String::from("[cors]\nallowed_origins = [\n");
    for i in 0..100_000 {
        text.push_str(&format!("  \"https://o{i}.example.com\",\n"));
    }
    text.push_str("]\n");
    let path = dir.join("big.toml");
    std::fs::write(&path, text).unwrap();
    let started = Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_corsair"))
        .current_dir(&dir)
        .args(["lint", path.to_str().unwrap()])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    println!("lint of 100000 origins: {elapsed:?}");
    assert!(
        output.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // A generous guard against the quadratic case (99 s), not a benchmark.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

/// The user's configuration: `corsair serve --upstream URL --allow-origin https://app.example.com`
/// plus `extra` flags.
fn user_corsair(name: &str, upstream: &str, extra: &[&str]) -> Corsair {
    let dir = temp_dir(name);
    let mut args = vec![
        "--upstream",
        upstream,
        "--allow-origin",
        "https://app.example.com",
    ];
    args.extend_from_slice(extra);
    Corsair::start(&dir, &args)
}

// Finding 3: nothing leaves the upstream's path prefix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dot_segments_and_the_asterisk_form_never_leave_the_upstream_prefix() {
    let upstream = Upstream::start().await;
    let corsair = user_corsair(
        "adv-prefix",
        &format!("http://{}/public", upstream.addr),
        &[],
    );
    let probes: [&[u8]; 9] = [
        b"GET /../admin HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /%2e%2e/admin HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /%2E%2E/admin HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /..%2fadmin HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /./../admin HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET http://x/../admin HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST * HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        b"GET /a/%2e HTTP/1.1\r\nHost: x\r\n\r\n",
    ];
    for probe in probes {
        let answer = raw_exchange(corsair.addr, probe).await;
        let shown = String::from_utf8_lossy(probe);
        assert_eq!(answer.status, 400, "{shown}: {answer:?}");
        assert!(answer.body.starts_with("corsair: "), "{shown}: {answer:?}");
    }
    let options = raw_exchange(corsair.addr, b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(options.status, 204, "{options:?}");
    assert!(
        upstream.received().is_empty(),
        "forwarded: {:?}",
        upstream.received()
    );
    // What stays inside the prefix is forwarded under it.
    let inside = raw_exchange(corsair.addr, b"GET /a/...b HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(inside.status, 200, "{inside:?}");
    let targets: Vec<String> = upstream.received().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["/public/a/...b"]);
    let line = corsair.wait_for_log("refused at the edge").await;
    assert!(line.contains("status=400"), "{line}");
}

// Finding 7: Host is validated (RFC 9112 §3.2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_repeated_or_malformed_host_gets_400_and_is_never_forwarded() {
    let upstream = Upstream::start().await;
    let corsair = user_corsair("adv-host", &format!("http://{}", upstream.addr), &[]);
    let probes: [&[u8]; 5] = [
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a b@c/../d\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: user@a.example\r\n\r\n",
        b"GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n",
    ];
    for probe in probes {
        let answer = raw_exchange(corsair.addr, probe).await;
        assert_eq!(
            answer.status,
            400,
            "{}: {answer:?}",
            String::from_utf8_lossy(probe)
        );
    }
    assert!(upstream.received().is_empty(), "{:?}", upstream.received());
    // HTTP/1.0 needs no Host; a valid one is forwarded as given.
    let old = raw_exchange(corsair.addr, b"GET /old HTTP/1.0\r\n\r\n").await;
    assert_eq!(old.status, 200, "{old:?}");
    let ok = raw_exchange(
        corsair.addr,
        b"GET /new HTTP/1.1\r\nHost: [::1]:8300\r\n\r\n",
    )
    .await;
    assert_eq!(ok.status, 200, "{ok:?}");
    let received = upstream.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].headers["x-forwarded-host"], "[::1]:8300");
}

// Finding 18: CONNECT is answered by corsair.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_is_answered_405_with_allow_and_never_forwarded() {
    let upstream = Upstream::start().await;
    let corsair = user_corsair("adv-connect", &format!("http://{}", upstream.addr), &[]);
    let answer = raw_exchange(
        corsair.addr,
        b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n",
    )
    .await;
    assert_eq!(answer.status, 405, "{answer:?}");
    let allow = answer
        .head
        .lines()
        .find_map(|l| l.strip_prefix("allow: "))
        .unwrap_or_else(|| panic!("no Allow: {answer:?}"));
    assert!(
        allow.contains("GET") && allow.contains("OPTIONS"),
        "{allow}"
    );
    assert!(upstream.received().is_empty(), "{:?}", upstream.received());
    let line = corsair.wait_for_log("CONNECT is never forwarded").await;
    assert!(line.contains("status=405"), "{line}");
}

// Finding 8: Transfer-Encoding wins over Content-Length, and the stale length is not forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_upstream_response_with_a_content_length_is_forwarded_whole() {
    let upstream = SerialUpstream::start(|_| {
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
          b\r\nhello world\r\n0\r\n\r\n"
            .to_vec()
    })
    .await;
    let corsair = user_corsair("adv-te-cl", &format!("http://{}", upstream.addr), &[]);
    let answer = raw_exchange(
        corsair.addr,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let head = answer.head.to_ascii_lowercase();
    assert!(!head.contains("content-length: 3"), "{head}");
    let body = if head.contains("transfer-encoding: chunked") {
        // b\r\nhello world\r\n0\r\n\r\n, or any other chunking of the same bytes.
        dechunk(&answer.body)
    } else {
        answer.body.clone()
    };
    assert_eq!(body, "hello world", "{answer:?}");

    // The request direction: a client's chunked body with a stale Content-Length is not sent
    // with that length either (hyper refuses such a request outright, which is as good).
    let request = raw_exchange(
        corsair.addr,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nb\r\nhello world\r\n0\r\n\r\n",
    )
    .await;
    let forwarded = upstream.requests();
    if request.status == 200 {
        let last = String::from_utf8_lossy(forwarded.last().unwrap()).to_ascii_lowercase();
        assert!(!last.contains("content-length: 3"), "{last}");
        assert!(last.contains("hello world"), "{last}");
    } else {
        assert_eq!(request.status, 400, "{request:?}");
        assert_eq!(forwarded.len(), 1, "the refused request was not forwarded");
    }
}

/// The data of a chunked body.
fn dechunk(mut text: &str) -> String {
    let mut data = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        data.push_str(&rest[..size]);
        text = &rest[size + 2..];
    }
    data
}

// Finding 17: header-count caps are settings, above hyper's defaults.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_header_lines_pass_up_to_the_configured_caps() {
    let upstream = SerialUpstream::start(|_| {
        let mut answer =
            String::from("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n");
        for i in 0..150 {
            answer.push_str(&format!("x-upstream-{i}: {i}\r\n"));
        }
        answer.push_str("\r\nok");
        answer.into_bytes()
    })
    .await;
    let corsair = user_corsair("adv-headers", &format!("http://{}", upstream.addr), &[]);
    let request_with = |lines: usize| {
        let mut request = String::from("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        for i in 0..lines {
            request.push_str(&format!("x-client-{i}: {i}\r\n"));
        }
        request.push_str("\r\n");
        request
    };
    let answer = raw_exchange(corsair.addr, request_with(150).as_bytes()).await;
    assert_eq!(answer.status, 200, "{}", answer.head);
    assert!(
        answer.head.contains("x-upstream-149: 149"),
        "{}",
        answer.head
    );
    let forwarded = String::from_utf8_lossy(&upstream.requests()[0]).into_owned();
    assert!(forwarded.contains("x-client-149: 149"), "{forwarded}");
    // Beyond max_request_headers (256): 431.
    let refused = raw_exchange(corsair.addr, request_with(300).as_bytes()).await;
    assert_eq!(refused.status, 431, "{}", refused.head);
    // `corsair check` reads such a response as the browser does: a verdict, not a network
    // error (exit 2).
    let url = format!("http://{}/", upstream.addr);
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_corsair"))
            .args(["check", &url, "--origin", "https://app.example.com"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{printed}");
}
