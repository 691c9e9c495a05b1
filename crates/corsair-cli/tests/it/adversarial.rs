//! The adversarial suite: each test sends the exact bytes (or writes the exact configuration)
//! of one finding of the security review of `corsair serve` against the real binary, and states
//! what must hold. Future changes must keep every test passing.

use std::time::{Duration, Instant};

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;
use crate::wait;

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
    // A guard against the quadratic case (99 s), not a benchmark: linear lint takes about a
    // second here, and several when a build shares the machine's two cores, so the bound only
    // has to stay well below the quadratic case.
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
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

/// The review's routes configuration: the app with credentials by default, and routes for
/// public data, a partner, the admin UI, and webhooks left to the upstream.
const ROUTES: &str = r#"
allowed_origins = ["https://app.example.com"]
allow_credentials = true

[[cors.routes]]
path = "^/public/"
allow_all_origins = true
allow_credentials = false

[[cors.routes]]
path = "^/partner/"
allowed_origins = ["https://partner.example.org"]

[[cors.routes]]
path = "^/admin/"
allowed_origins = ["https://admin.example.com"]

[[cors.routes]]
path = "^/webhooks/"
enabled = false
"#;

// Round 2, N2: `..;` is a dot segment to servlet containers (they cut `;` parameters first), so
// it never leaves the upstream's path prefix either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dot_segments_with_path_parameters_never_leave_the_upstream_prefix() {
    let upstream = Upstream::start().await;
    let corsair = user_corsair(
        "adv-prefix-params",
        &format!("http://{}/public", upstream.addr),
        &[],
    );
    let probes: [&[u8]; 6] = [
        b"GET /..;/admin/users HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /%2e%2e;/admin/users HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /x/..;/..;/admin/users HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /..;jsessionid=1/admin/users HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /..%3b/admin/users HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /.;/admin/users HTTP/1.1\r\nHost: x\r\n\r\n",
    ];
    for probe in probes {
        let answer = raw_exchange(corsair.addr, probe).await;
        let shown = String::from_utf8_lossy(probe);
        assert_eq!(answer.status, 400, "{shown}: {answer:?}");
        assert!(answer.body.contains("dot segment"), "{shown}: {answer:?}");
    }
    assert!(
        upstream.received().is_empty(),
        "forwarded: {:?}",
        upstream.received()
    );
    // Parameters on an ordinary segment are forwarded as written.
    let inside = raw_exchange(
        corsair.addr,
        b"GET /items;jsessionid=1/7 HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    assert_eq!(inside.status, 200, "{inside:?}");
    let targets: Vec<String> = upstream.received().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["/public/items;jsessionid=1/7"]);
}

// Round 2, N1: routes are chosen on the path a servlet container serves (each segment's `;`
// parameters cut), and what could climb from one route into another is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_parameters_never_choose_another_route_than_the_upstream_serves() {
    let upstream = reflecting_upstream().await;
    let dir = temp_dir("adv-route-params");
    write_config(&dir, upstream, "", ROUTES);
    let corsair = Corsair::start(&dir, &[]);
    let partner = "https://partner.example.org";
    let admin = "https://admin.example.com";
    let app = "https://app.example.com";
    // (target, origin, expected Access-Control-Allow-Origin)
    let table: [(&str, &str, Option<&str>); 8] = [
        // Tomcat serves /admin/acao: the admin route's policy, whatever the parameters say.
        ("/admin;x/acao", partner, None),
        ("/admin;x/acao", app, None),
        ("/admin;x/acao", admin, Some(admin)),
        ("/admin/acao;jsessionid=1", partner, None),
        // The webhooks route is left to the upstream only for webhook paths.
        ("/webhooks;x/hook", partner, Some(partner)),
        ("/partner;v=2/orders", partner, Some(partner)),
        ("/partner;v=2/orders", app, None),
        // An encoded `;` is part of the segment's name (Tomcat decodes after cutting).
        ("/admin%3bx/acao", app, Some(app)),
    ];
    for (target, origin, expected) in table {
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\n\r\n");
        let answer = raw_exchange(corsair.addr, request.as_bytes()).await;
        assert_eq!(answer.status, 200, "{target} {origin}: {answer:?}");
        let head = answer.head.to_ascii_lowercase();
        let allowed = expected.map(|o| format!("access-control-allow-origin: {o}\r\n"));
        match allowed {
            Some(line) => assert!(head.contains(&line), "{target} {origin}: {answer:?}"),
            None => assert!(
                !head.contains("access-control-allow-origin"),
                "{target} {origin}: {answer:?}"
            ),
        }
    }
    // Climbing out of a route with `..;` is refused before any route is chosen.
    for target in [
        "/partner/..;/admin/acao",
        "/webhooks/..;/admin/users",
        "/public/..;x/admin/acao",
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\nOrigin: {partner}\r\n\r\n");
        let answer = raw_exchange(corsair.addr, request.as_bytes()).await;
        assert_eq!(answer.status, 400, "{target}: {answer:?}");
        assert!(
            !answer
                .head
                .to_ascii_lowercase()
                .contains("access-control-allow"),
            "{target}: {answer:?}"
        );
    }
}

// Round 2, N9: an upstream that routes without regard to case (Express's default) serves
// `/ADMIN/users` from its `/admin/users` handler. By default such a path is granted only what
// both readings grant; `case_insensitive_paths = true` reads paths as such an upstream does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_in_another_case_never_escape_their_route() {
    let upstream = reflecting_upstream().await;
    let admin = "https://admin.example.com";
    let app = "https://app.example.com";
    let partner = "https://partner.example.org";
    let allowed = |answer: &RawAnswer| {
        let head = answer.head.to_ascii_lowercase();
        head.lines()
            .find_map(|line| line.strip_prefix("access-control-allow-origin: "))
            .map(str::to_owned)
    };
    let get = |addr, target: &'static str, origin: &'static str| async move {
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\n\r\n");
        raw_exchange(addr, request.as_bytes()).await
    };
    let dir = temp_dir("adv-route-case");
    write_config(&dir, upstream, "", ROUTES);
    let corsair = Corsair::start(&dir, &[]);
    for (target, origin) in [
        ("/ADMIN/users", app),
        ("/ADMIN/users", admin),
        ("/Admin/users", partner),
        ("/WEBHOOKS/hook", app),
        ("/Partner/orders", app),
    ] {
        let answer = get(corsair.addr, target, origin).await;
        assert_eq!(answer.status, 200, "{target} {origin}: {answer:?}");
        assert_eq!(allowed(&answer), None, "{target} {origin}: {answer:?}");
    }
    // What does not depend on case is unchanged.
    let answer = get(corsair.addr, "/api/ME", app).await;
    assert_eq!(allowed(&answer).as_deref(), Some(app), "{answer:?}");
    let answer = get(corsair.addr, "/admin/users", admin).await;
    assert_eq!(allowed(&answer).as_deref(), Some(admin), "{answer:?}");
    drop(corsair);

    let dir = temp_dir("adv-route-case-insensitive");
    write_config(
        &dir,
        upstream,
        "",
        &format!("case_insensitive_paths = true\n{ROUTES}"),
    );
    let corsair = Corsair::start(&dir, &[]);
    let answer = get(corsair.addr, "/ADMIN/users", admin).await;
    assert_eq!(allowed(&answer).as_deref(), Some(admin), "{answer:?}");
    let answer = get(corsair.addr, "/ADMIN/users", app).await;
    assert_eq!(allowed(&answer), None, "{answer:?}");
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

/// `corsair serve` with the user's flags and a `corsair.toml` holding the `[server]` lines.
fn configured_corsair(name: &str, upstream: &str, server: &str) -> Corsair {
    let dir = temp_dir(name);
    std::fs::write(dir.join("corsair.toml"), format!("[server]\n{server}\n")).unwrap();
    user_corsair_in(&dir, upstream)
}

fn user_corsair_in(dir: &std::path::Path, upstream: &str) -> Corsair {
    Corsair::start(
        dir,
        &[
            "--upstream",
            upstream,
            "--allow-origin",
            "https://app.example.com",
        ],
    )
}

// Finding 9: a malformed chunked body is the client's error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_chunked_body_gets_400_and_the_upstream_receives_nothing() {
    let upstream = Upstream::start().await;
    let corsair = user_corsair("adv-chunked", &format!("http://{}", upstream.addr), &[]);
    let head = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    let long_extension = format!("5;{}\r\nhello\r\n0\r\n\r\n", "a".repeat(100_000));
    let long_trailers = format!(
        "5\r\nhello\r\n0\r\n{}\r\n",
        format!("x-trailer: {}\r\n", "t".repeat(1000)).repeat(160)
    );
    let bodies: [&str; 7] = [
        "ffffffffffffffff1\r\nhello\r\n0\r\n\r\n",
        "0x5\r\nhello\r\n0\r\n\r\n",
        "-1\r\nhello\r\n0\r\n\r\n",
        "5\nhello\n0\n\n",
        "5\r\nhelloXX0\r\n\r\n",
        &long_extension,
        &long_trailers,
    ];
    for body in bodies {
        let answer = raw_exchange(corsair.addr, format!("{head}{body}").as_bytes()).await;
        let shown: String = body.chars().take(40).collect();
        assert_eq!(answer.status, 400, "{shown:?}: {answer:?}");
        assert_eq!(
            answer.body, "corsair: the request body is malformed\n",
            "{shown:?}"
        );
    }
    assert!(upstream.received().is_empty(), "{:?}", upstream.received());
    let log = corsair.log();
    assert!(
        !log.iter().any(|l| l.contains("upstream request failed")),
        "logged as an upstream failure: {log:#?}"
    );
    assert!(
        log.iter()
            .any(|l| l.contains("client error in the request body")),
        "{log:#?}"
    );
}

/// Sends `POST` with a 20 KiB body in 1 KiB pieces `pause` apart; returns the status.
async fn trickle_upload(addr: std::net::SocketAddr, pieces: usize, pause: Duration) -> RawAnswer {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        pieces * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..pieces {
        tokio::time::sleep(pause).await;
        stream.write_all(&[b'u'; 1024]).await.unwrap();
    }
    read_raw_response(&mut stream).await
}

// Finding 5: upstream_timeout starts once the request was sent whole; a client's pause is
// bounded by idle_timeout, an upstream that stops reading too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_timeout_starts_when_the_request_was_sent_whole() {
    let upstream = Upstream::start().await;
    let url = format!("http://{}", upstream.addr);
    // Buffered (the default) and streamed: the upload takes 5 s, the timeout is 2 s.
    let buffered = configured_corsair("adv-upload-buffered", &url, "upstream_timeout = \"2s\"");
    let streamed = configured_corsair(
        "adv-upload-streamed",
        &url,
        "upstream_timeout = \"2s\"\nrequest_buffer_bytes = 0",
    );
    let pause = Duration::from_millis(250);
    let (a, b) = tokio::join!(
        trickle_upload(buffered.addr, 20, pause),
        trickle_upload(streamed.addr, 20, pause)
    );
    assert_eq!(a.status, 200, "buffered: {a:?}");
    assert_eq!(b.status, 200, "streamed: {b:?}");
    let received = upstream.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|r| r.body.len() == 20 * 1024));

    // A client that pauses longer than idle_timeout before anything was forwarded: 408.
    let stalling = configured_corsair("adv-upload-stall", &url, "idle_timeout = \"1s\"");
    let started = Instant::now();
    let answer = raw_exchange(
        stalling.addr,
        b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\nonly a few bytes",
    )
    .await;
    assert_eq!(answer.status, 408, "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(upstream.received().len(), 2, "nothing was forwarded");

    // Once part of the body was forwarded (no buffering), the stalled exchange is cut: the
    // connection closes without an answer.
    let cut = configured_corsair(
        "adv-upload-cut",
        &url,
        "idle_timeout = \"1s\"\nrequest_buffer_bytes = 0",
    );
    let started = Instant::now();
    let answer = raw_exchange(
        cut.addr,
        b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\nonly a few bytes",
    )
    .await;
    assert_eq!(answer.status, 0, "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    cut.wait_for_log("client stalled in the middle of its request body")
        .await;
}

// Finding 5, the other side: an upstream that stops reading the request body gets a 504.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_stops_reading_the_body_gets_a_504_after_the_idle_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // Reads the head, then nothing.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = [0u8; 512];
            let _ = stream.read(&mut head).await;
            held.push(stream);
        }
    });
    let corsair = configured_corsair(
        "adv-not-reading",
        &format!("http://{addr}"),
        "idle_timeout = \"1s\"\nupstream_timeout = \"60s\"\nrequest_buffer_bytes = 0",
    );
    let stream = tokio::net::TcpStream::connect(corsair.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let total: usize = 256 * 1024 * 1024;
    let head = format!("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {total}\r\n\r\n");
    let upload = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let block = vec![b'x'; 64 * 1024];
        for _ in 0..total / block.len() {
            writer.write_all(&block).await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), reader.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 504"), "{answer}");
    assert!(answer.contains("stopped reading"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    upload.abort();
}

// Finding 6: with request buffering, a slow client does not pin a one-worker upstream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_does_not_hold_a_one_connection_upstream() {
    use tokio::io::AsyncWriteExt;
    let upstream = SerialUpstream::start(|_| ok_answer("served")).await;
    let corsair = user_corsair("adv-buffering", &format!("http://{}", upstream.addr), &[]);
    let mut slow = tokio::net::TcpStream::connect(corsair.addr).await.unwrap();
    slow.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\na")
        .await
        .unwrap();
    // Time for corsair to take the slow request first, which nothing outside shows: were it
    // forwarded before its body is whole, it would hold the upstream's only connection.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let other = tokio::time::timeout(
        Duration::from_secs(1),
        raw_exchange(
            corsair.addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ),
    )
    .await
    .expect("answered within a second");
    assert_eq!(other.status, 200, "{other:?}");
    assert_eq!(other.body, "served");
    println!("the other client was answered in {:?}", started.elapsed());
    // The slow body, once complete, is forwarded whole with its exact length.
    slow.write_all(b"bcdefghij").await.unwrap();
    let answer = read_raw_response(&mut slow).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let forwarded = upstream.requests();
    let last = String::from_utf8_lossy(forwarded.last().unwrap()).to_ascii_lowercase();
    assert!(last.contains("content-length: 10"), "{last}");
    assert!(last.ends_with("\r\n\r\nabcdefghij"), "{last}");
}

/// An upstream that answers every upgrade to `echo` with `101` and then echoes every byte.
async fn echo_upstream() -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = read_raw_request(&mut stream).await;
                let switched = b"HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\n\r\n";
                if stream.write_all(switched).await.is_err() {
                    return;
                }
                let mut buffer = [0u8; 1024];
                while let Ok(n) = stream.read(&mut buffer).await {
                    if n == 0 || stream.write_all(&buffer[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// Opens an `echo` tunnel through corsair and checks one echo.
async fn open_echo_tunnel(addr: std::net::SocketAddr) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
    client
        .write_all(
            b"GET /socket HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n",
        )
        .await
        .unwrap();
    let answer = read_raw_response(&mut client).await;
    assert_eq!(answer.status, 101, "{answer:?}");
    client.write_all(b"ping").await.unwrap();
    let mut echoed = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(5), client.read_exact(&mut echoed))
        .await
        .expect("echoed")
        .unwrap();
    assert_eq!(&echoed, b"ping");
    client
}

// Finding 10: an idle tunnel is closed and frees its connection slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_tunnel_is_closed_after_the_tunnel_idle_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let upstream = echo_upstream().await;
    let corsair = configured_corsair(
        "adv-tunnel",
        &format!("http://{upstream}"),
        "tunnel_idle_timeout = \"1s\"\nmax_connections = 1",
    );
    let mut tunnel = open_echo_tunnel(corsair.addr).await;
    // Traffic keeps it open past the timeout.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        tunnel.write_all(b"beat").await.unwrap();
        let mut echoed = [0u8; 4];
        tunnel.read_exact(&mut echoed).await.unwrap();
    }
    // Then silence: closed.
    let started = Instant::now();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), tunnel.read_to_end(&mut rest))
        .await
        .expect("the idle tunnel is closed")
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    // The only connection slot is free again.
    let next = tokio::time::timeout(Duration::from_secs(5), open_echo_tunnel(corsair.addr)).await;
    assert!(next.is_ok(), "the slot was not freed");
}

/// An upstream that counts the requests it is serving at once (each takes 50 ms).
async fn counting_upstream() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let current = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&peak);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (current, peak) = (Arc::clone(&current), Arc::clone(&peak));
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |_request| {
                    let (current, peak) = (Arc::clone(&current), Arc::clone(&peak));
                    async move {
                        let now = current.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        current.fetch_sub(1, Ordering::SeqCst);
                        Ok::<_, std::convert::Infallible>(http::Response::new(full("counted")))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, seen)
}

// Finding 19: one h2c connection cannot fan out beyond the stream and upstream limits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_http2_connection_cannot_exceed_the_stream_and_upstream_limits() {
    use std::sync::atomic::Ordering;
    // (server lines, the most concurrent upstream requests allowed)
    let table = [
        ("max_upstream_requests = 10", 10),
        ("max_streams_per_connection = 20", 20),
    ];
    for (lines, limit) in table {
        let (upstream, peak) = counting_upstream().await;
        let corsair = configured_corsair("adv-h2-fanout", &format!("http://{upstream}"), lines);
        let client = h2c_client();
        let url = corsair.url("/count");
        // One request first: the connection is then open and the client knows the server's
        // SETTINGS (its stream limit), so the 300 below queue instead of being refused.
        assert_eq!(send(&client, "GET", &url, &[], "").await.status, 200);
        let requests = (0..300).map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { send(&client, "GET", &url, &[], "").await.status })
        });
        for request in requests.collect::<Vec<_>>() {
            assert_eq!(request.await.unwrap(), 200, "{lines}");
        }
        let peak = peak.load(Ordering::SeqCst);
        println!("{lines}: at most {peak} concurrent upstream requests");
        assert!(
            peak <= limit,
            "{lines}: {peak} concurrent upstream requests"
        );
        assert!(peak > 1, "{lines}: the requests were not concurrent at all");
    }
}

// Finding 16: a bare-LF request is answered at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_lf_request_is_answered_at_once() {
    let upstream = Upstream::start().await;
    let corsair = user_corsair("adv-bare-lf", &format!("http://{}", upstream.addr), &[]);
    let started = Instant::now();
    let answer = raw_exchange(corsair.addr, b"GET / HTTP/1.1\nHost: x\n\n").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(upstream.received().len(), 1);
}

/// Sends one whole request on `stream` and reads its answer.
async fn exchange_on(stream: &mut tokio::net::TcpStream, request: &[u8]) -> RawAnswer {
    use tokio::io::AsyncWriteExt;
    stream.write_all(request).await.unwrap();
    read_raw_response(stream).await
}

// Finding 12: every head of a keep-alive connection gets the limits of the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_head_of_a_connection_gets_the_head_limits() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let upstream = Upstream::start().await;
    let corsair = configured_corsair(
        "adv-later-heads",
        &format!("http://{}", upstream.addr),
        "header_read_timeout = \"1s\"\nidle_timeout = \"2s\"\nmax_header_bytes = 16384",
    );
    let first: &[u8] = b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n";

    // A later head that trickles: 408 after header_read_timeout.
    let mut slow = tokio::net::TcpStream::connect(corsair.addr).await.unwrap();
    assert_eq!(exchange_on(&mut slow, first).await.status, 200);
    slow.write_all(b"GET /second HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), slow.read_to_string(&mut answer))
        .await
        .expect("answered and closed")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(2),
        "{waited:?}"
    );

    // A later head larger than max_header_bytes: 431.
    let mut large = tokio::net::TcpStream::connect(corsair.addr).await.unwrap();
    assert_eq!(exchange_on(&mut large, first).await.status, 200);
    let big = format!(
        "GET /big HTTP/1.1\r\nHost: x\r\nx-big: {}\r\n\r\n",
        "b".repeat(20_000)
    );
    let _ = large.write_all(big.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), large.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    // An idle keep-alive connection is closed quietly after idle_timeout.
    let mut idle = tokio::net::TcpStream::connect(corsair.addr).await.unwrap();
    assert_eq!(exchange_on(&mut idle, first).await.status, 200);
    let started = Instant::now();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(6), idle.read_to_end(&mut rest))
        .await
        .expect("closed")
        .unwrap();
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );

    // Pipelined requests are all answered, in order.
    let mut pipelined = tokio::net::TcpStream::connect(corsair.addr).await.unwrap();
    pipelined
        .write_all(b"GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\n\r\nGET /p3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answers = String::new();
    tokio::time::timeout(
        Duration::from_secs(5),
        pipelined.read_to_string(&mut answers),
    )
    .await
    .expect("all answered")
    .unwrap();
    assert_eq!(answers.matches("HTTP/1.1 200").count(), 3, "{answers}");
    let targets: Vec<String> = upstream.received().into_iter().map(|r| r.target).collect();
    assert!(
        targets.ends_with(&["/p1".into(), "/p2".into(), "/p3".into()]),
        "{targets:?}"
    );
    assert!(!targets.contains(&"/second".to_owned()) && !targets.contains(&"/big".to_owned()));

    // An HTTP/2 connection (prior knowledge) passes through, and is closed when it has had no
    // stream for idle_timeout.
    let mut h2 = tokio::net::TcpStream::connect(corsair.addr).await.unwrap();
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let started = Instant::now();
    let mut frames = Vec::new();
    tokio::time::timeout(Duration::from_secs(6), h2.read_to_end(&mut frames))
        .await
        .expect("the idle HTTP/2 connection is closed")
        .unwrap();
    // The server's SETTINGS frame (type 4) came first: it was served as HTTP/2.
    assert_eq!(frames.get(3), Some(&4), "{frames:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
}

/// The CPU time (user + system) the process `pid` has used so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

// Finding 11: a head sent one byte per segment is read with a linear scan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_sent_one_byte_per_segment_is_answered() {
    use tokio::io::AsyncWriteExt;
    let upstream = Upstream::start().await;
    let corsair = user_corsair("adv-bytewise", &format!("http://{}", upstream.addr), &[]);
    let head = format!(
        "GET /bytewise HTTP/1.1\r\nHost: x\r\nx-filler: {}\r\nConnection: close\r\n\r\n",
        "f".repeat(60_000)
    );
    let mut stream = tokio::net::TcpStream::connect(corsair.addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let before = cpu_time(corsair.pid());
    for byte in head.as_bytes() {
        stream.write_all(std::slice::from_ref(byte)).await.unwrap();
    }
    let answer = read_raw_response(&mut stream).await;
    let used = cpu_time(corsair.pid()) - before;
    println!(
        "corsair used {used:?} of CPU for a {} byte head sent bytewise",
        head.len()
    );
    assert_eq!(answer.status, 200, "{}", answer.head);
    let received = upstream.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].headers["x-filler"].len(), 60_000);
}

/// A `[cors]` table allowing `count` generated origins and `https://app.example.com`.
fn many_origins(count: usize) -> String {
    let mut text = String::from("allowed_origins = [\n  \"https://app.example.com\",\n");
    for i in 0..count {
        text.push_str(&format!("  \"https://o{i}.example.com\",\n"));
    }
    text.push(']');
    text
}

// Finding 13: a reload runs off the accept path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_accepted_while_a_large_configuration_reloads() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("adv-big-reload");
    write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"https://app.example.com\"]",
    );
    let corsair = Corsair::start(&dir, &[]);
    write_config(&dir, upstream.addr, "", &many_origins(200_000));
    corsair.signal("HUP");
    let started = Instant::now();
    let mut during = 0;
    let mut slowest = Duration::ZERO;
    while !corsair
        .log()
        .iter()
        .any(|l| l.contains("configuration reloaded"))
    {
        assert!(started.elapsed() < Duration::from_secs(60), "no reload");
        let sent = Instant::now();
        let answer = raw_exchange(
            corsair.addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        slowest = slowest.max(sent.elapsed());
        during += 1;
    }
    println!(
        "reload of 200000 origins took {:?}; {during} requests answered meanwhile, the slowest in {slowest:?}",
        started.elapsed()
    );
    assert!(during > 1, "no request was answered during the reload");
    assert!(slowest < Duration::from_secs(1), "{slowest:?}");
}

// Finding 13: --watch and a FIFO swapped in for the file: refused, nothing blocks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_swapped_in_for_a_watched_file_is_refused_without_blocking() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("adv-fifo");
    let path = write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"https://app.example.com\"]",
    );
    let corsair = Corsair::start(&dir, &["--watch"]);
    // The watcher starts just after the start line: an edit it sees shows it is watching.
    let deadline = Instant::now() + wait::DEADLINE;
    loop {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut file, b"# edited\n").unwrap();
        let seen = corsair
            .log_line_within(Duration::from_secs(1), "file changed")
            .await;
        if seen.is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "{:#?}", corsair.log());
    }
    std::fs::remove_file(&path).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let line = corsair.wait_for_log("is a FIFO").await;
    assert!(line.contains("corsair.toml"), "{line}");
    corsair
        .wait_for_log("the new configuration is invalid: the running policy stays")
        .await;
    // Still accepting, with the running policy.
    for _ in 0..3 {
        let answer = raw_exchange(
            corsair.addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(
            answer
                .head
                .contains("access-control-allow-origin: https://app.example.com"),
            "{}",
            answer.head
        );
    }
}

// Finding 7, HTTP/2: `:authority` is validated like Host, and must agree with a Host header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_authority_that_disagrees_with_host_gets_400() {
    let upstream = Upstream::start().await;
    let corsair = user_corsair("adv-h2-host", &format!("http://{}", upstream.addr), &[]);
    let client = h2c_client();
    let url = corsair.url("/h2");
    let agreeing = corsair.addr.to_string();
    let table = [
        (None, 200),
        (Some(agreeing.as_str()), 200),
        (Some("evil.example"), 400),
    ];
    for (host, status) in table {
        let headers: Vec<(&str, &str)> = host.map(|h| ("host", h)).into_iter().collect();
        let answer = send(&client, "GET", &url, &headers, "").await;
        assert_eq!(answer.status, status, "host {host:?}: {}", answer.body);
    }
    assert_eq!(upstream.received().len(), 2);
}

// Finding 1: a regex that matches other sites' origins (or `null`) is refused with credentials,
// decided from what it matches, exactly like `allow_all_origins` with credentials.
#[test]
fn a_match_everything_origin_regex_with_credentials_is_refused() {
    let dir = temp_dir("adv-broad-regex");
    for regex in [
        ".*",
        "https://.*",
        "https://[^/]+",
        r"https://[a-z]+\.com",
        "null|https://a\\.example\\.com",
    ] {
        let (code, stderr) = run_to_exit(
            &dir,
            &[
                "--upstream",
                "http://127.0.0.1:9",
                "--allow-origin-regex",
                regex,
                "--allow-credentials",
            ],
        );
        assert_eq!(code, Some(2), "{regex}: {stderr}");
        assert!(
            stderr.contains("broad-regex-with-credentials"),
            "{regex}: {stderr}"
        );
    }
    // Without credentials it is a warning, and an origin on a lookalike domain is named.
    let lint = std::process::Command::new(env!("CARGO_BIN_EXE_corsair"))
        .current_dir(&dir)
        .args(["lint", "--env"])
        .env(
            "CORS_ALLOWED_ORIGIN_REGEXES",
            r#"["https://.*example\\.com"]"#,
        )
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&lint.stdout);
    assert_eq!(lint.status.code(), Some(1), "{text}");
    assert!(text.contains("warning[broad-regex]"), "{text}");
    assert!(text.contains("https://corsairprobeexample.com"), "{text}");
}

// Finding 2: a pattern cannot undo its anchors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origin_regex_cannot_close_its_own_anchoring_group() {
    let dir = temp_dir("adv-anchoring");
    let (code, stderr) = run_to_exit(
        &dir,
        &[
            "--upstream",
            "http://127.0.0.1:9",
            "--allow-origin-regex",
            r"https://app\.example\.com)|(https://app\.example\.com",
            "--allow-credentials",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("invalid-regex"), "{stderr}");

    let upstream = Upstream::start().await;
    let corsair = Corsair::start(
        &dir,
        &[
            "--upstream",
            &format!("http://{}", upstream.addr),
            "--allow-origin-regex",
            r"https://app\.example\.com|https://b\.example\.com",
            "--allow-credentials",
        ],
    );
    let probes: [(&[u8], Option<&str>); 3] = [
        (
            b"GET /x HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com.evil.net\r\n\r\n",
            None,
        ),
        (
            b"GET /x HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.net.b.example.com\r\n\r\n",
            None,
        ),
        (
            b"GET /x HTTP/1.1\r\nHost: x\r\nOrigin: https://b.example.com\r\n\r\n",
            Some("https://b.example.com"),
        ),
    ];
    for (probe, allowed) in probes {
        let answer = raw_exchange(corsair.addr, probe).await;
        let head = answer.head.to_ascii_lowercase();
        match allowed {
            Some(origin) => assert!(
                head.contains(&format!("access-control-allow-origin: {origin}")),
                "{answer:?}"
            ),
            None => assert!(!head.contains("access-control-allow"), "{answer:?}"),
        }
    }
}

// Finding 4: `urls_regex` is matched against the path the upstream routes on, so an upstream's
// own reflecting CORS headers never reach a disallowed origin through an encoded path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_regex_sees_the_normalized_path_and_upstream_cors_never_leaks() {
    let upstream = reflecting_upstream().await;
    let corsair = user_corsair(
        "adv-urls-regex",
        &format!("http://{upstream}"),
        &["--urls-regex", "^/api/", "--allow-credentials"],
    );
    for path in ["/api/x", "/%61pi/x", "//api/x", "/%61%70%69/x", "/api%2Fx"] {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n\r\n");
        let answer = raw_exchange(corsair.addr, request.as_bytes()).await;
        let head = answer.head.to_ascii_lowercase();
        assert_eq!(answer.status, 200, "{path}: {answer:?}");
        assert!(
            !head.contains("access-control-allow-origin"),
            "{path}: {answer:?}"
        );
        assert!(
            !head.contains("access-control-allow-credentials"),
            "{path}: {answer:?}"
        );
        assert!(head.contains("vary: origin"), "{path}: {answer:?}");
    }
    // Dot segments never reach the upstream at all.
    for path in ["/./api/x", "/api/../x", "/api/..%2fadmin"] {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n\r\n");
        let answer = raw_exchange(corsair.addr, request.as_bytes()).await;
        assert_eq!(answer.status, 400, "{path}: {answer:?}");
    }
    // Off the CORS paths, the upstream's own CORS headers are its business.
    let answer = raw_exchange(
        corsair.addr,
        b"GET /public/x HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n\r\n",
    )
    .await;
    assert!(
        answer
            .head
            .to_ascii_lowercase()
            .contains("access-control-allow-origin: https://evil.example"),
        "{answer:?}"
    );
}

// Finding 20: a urls_regex no path can match is refused, with the rooted pattern as the fix.
#[test]
fn a_urls_regex_that_can_never_match_is_refused() {
    let dir = temp_dir("adv-urls-never");
    let (code, stderr) = run_to_exit(
        &dir,
        &[
            "--upstream",
            "http://127.0.0.1:9",
            "--allow-origin",
            "https://app.example.com",
            "--urls-regex",
            "api/",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("urls-regex-never-matches"), "{stderr}");
    assert!(
        stderr.contains(r#"write urls_regex = "^/api/""#),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// Hardening, round 2: HTTP/2 requests and bodies (N4, N17, N18).

/// An HTTP/2 connection (prior knowledge) to `addr`, driven in the background, ready to open
/// streams: the h2 crate's client, which sends what it is given (no `:authority` for a
/// relative URI of an HTTP/1.1-shaped request, values as they are).
async fn raw_h2(addr: std::net::SocketAddr) -> h2::client::SendRequest<bytes::Bytes> {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client.ready().await.unwrap()
}

/// Sends a GET without a body on `client`, returning the status.
async fn h2_get(client: &h2::client::SendRequest<bytes::Bytes>, request: http::Request<()>) -> u16 {
    let mut client = client.clone().ready().await.unwrap();
    let (response, _) = client.send_request(request, true).unwrap();
    response.await.unwrap().status().as_u16()
}

// N17: an HTTP/2 request with neither `:authority` nor `Host` is malformed (RFC 9113 §8.3.1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_request_without_authority_or_host_gets_400_and_is_never_forwarded() {
    let upstream = Upstream::start().await;
    let corsair = user_corsair(
        "adv2-h2-authority",
        &format!("http://{}", upstream.addr),
        &[],
    );
    let client = raw_h2(corsair.addr).await;
    let host = corsair.addr.to_string();
    // (target, Host header, expected status): a relative target sends no `:authority`.
    let table: [(String, Option<&str>, u16); 3] = [
        ("/no-host".to_owned(), None, 400),
        ("/with-host".to_owned(), Some(host.as_str()), 200),
        (corsair.url("/with-authority"), None, 200),
    ];
    for (target, host, status) in table {
        let mut request = http::Request::get(target.as_str());
        if target.starts_with('/') {
            // The h2 client omits `:authority` for a relative URI only in this shape.
            request = request.version(http::Version::HTTP_11);
        }
        if let Some(host) = host {
            request = request.header("host", host);
        }
        let got = h2_get(&client, request.body(()).unwrap()).await;
        assert_eq!(got, status, "{target} host {host:?}");
    }
    let targets: Vec<String> = upstream.received().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["/with-host", "/with-authority"]);
}

// N17: an HTTP/2 header value with leading or trailing whitespace is malformed
// (RFC 9113 §8.2.1); it is refused, not forwarded as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_header_value_with_leading_or_trailing_whitespace_gets_400() {
    let upstream = Upstream::start().await;
    let corsair = user_corsair("adv2-h2-padded", &format!("http://{}", upstream.addr), &[]);
    let client = raw_h2(corsair.addr).await;
    let table: [(&str, &[u8], u16); 6] = [
        ("x-role", b" admin", 400),
        ("x-role", b"admin ", 400),
        ("x-role", b"\tadmin", 400),
        ("origin", b"https://app.example.com ", 400),
        ("x-role", b"ad min", 200),
        ("x-role", b"admin", 200),
    ];
    for (name, value, status) in table {
        let request = http::Request::get(corsair.url("/padded"))
            .header(name, http::HeaderValue::from_bytes(value).unwrap())
            .body(())
            .unwrap();
        assert_eq!(h2_get(&client, request).await, status, "{name}: {value:?}");
    }
    let forwarded: Vec<String> = upstream
        .received()
        .iter()
        .map(|r| r.headers["x-role"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(forwarded, ["ad min", "admin"]);
}

/// A body made of the given frames (data, then trailers).
struct Frames(std::collections::VecDeque<hyper::body::Frame<bytes::Bytes>>);

impl hyper::body::Body for Frames {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.0.pop_front().map(Ok))
    }
}

/// An h2c upstream (as a gRPC server is) whose every response ends with trailers that carry
/// its own CORS headers.
async fn trailers_upstream() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|_request| async {
                    let mut trailers = http::HeaderMap::new();
                    for (name, value) in [
                        ("access-control-allow-origin", "*"),
                        ("access-control-allow-credentials", "true"),
                        ("access-control-expose-headers", "grpc-status"),
                        ("grpc-status", "0"),
                    ] {
                        trailers.insert(name, value.parse().unwrap());
                    }
                    let frames = [
                        hyper::body::Frame::data(bytes::Bytes::from_static(b"payload")),
                        hyper::body::Frame::trailers(trailers),
                    ];
                    let response = http::Response::builder()
                        .header("content-type", "application/grpc")
                        .body(Frames(frames.into_iter().collect()))
                        .unwrap();
                    Ok::<_, std::convert::Infallible>(response)
                });
                let _ =
                    hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
            });
        }
    });
    addr
}

// N18: an HTTP/2 upstream's trailers get the rules of its head: its CORS headers are removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_upstreams_trailers_lose_their_cors_headers() {
    use http_body_util::BodyExt;
    let upstream = trailers_upstream().await;
    let corsair = configured_corsair(
        "adv2-trailers",
        &format!("http://{upstream}"),
        "upstream_http2 = true",
    );
    let client = h2c_client();
    let request = http::Request::post(corsair.url("/pkg.Service/Call"))
        .header("origin", "https://app.example.com")
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(full("call"))
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let collected = response.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned().expect("the trailers arrive");
    assert_eq!(collected.to_bytes(), "payload");
    let mut names: Vec<&str> = trailers.keys().map(http::HeaderName::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["grpc-status"], "{trailers:?}");
}

/// Opens `streams` POST streams on one HTTP/2 connection to `addr`, each announcing
/// `content-length: 2097152` and sending 1 MiB of it, then nothing more; returns the statuses
/// they get (`None`: reset without an answer), once every stream has ended.
async fn stalled_uploads(addr: std::net::SocketAddr, streams: usize) -> Vec<Option<u16>> {
    let client = raw_h2(addr).await;
    let chunk = bytes::Bytes::from(vec![b'x'; 1024 * 1024]);
    let mut answers = Vec::new();
    let mut bodies = Vec::new();
    for i in 0..streams {
        let mut client = client.clone().ready().await.unwrap();
        let request = http::Request::post(format!("http://{addr}/upload/{i}"))
            .header("content-length", "2097152")
            .body(())
            .unwrap();
        let (response, mut body) = client.send_request(request, false).unwrap();
        // Queued by the client, sent as flow control lets it.
        body.send_data(chunk.clone(), false).unwrap();
        bodies.push(body);
        answers.push(tokio::spawn(async move {
            response.await.ok().map(|r| r.status().as_u16())
        }));
    }
    let mut statuses = Vec::new();
    for answer in answers {
        statuses.push(answer.await.unwrap());
    }
    drop(bodies);
    statuses
}

/// The resident memory of `pid` now (`VmRSS`), in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

// N4: one HTTP/2 connection with 100 uploads that stop half way cannot make corsair buffer
// 100 MiB: the bytes buffered are bounded per connection and over the process, the excess
// streams get 503, and other clients are served meanwhile. The upstream is busy (few slots), so
// buffered bodies wait for it, as they do in front of a server with few workers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_http2_uploads_stay_within_the_buffer_budgets() {
    const MIB: u64 = 1024 * 1024;
    // (server lines, connections, the most growth of corsair's peak memory, how another client
    // asks meanwhile: with the process's budget spent, a request with a body would get 503 too)
    let busy = "idle_timeout = \"2s\"\nmax_upstream_requests = 4";
    let table = [
        (busy.to_owned(), 1, 40 * MIB, ("POST", "hello")),
        (
            format!("{busy}\nmax_buffered_bytes = 4194304"),
            3,
            40 * MIB,
            ("GET", ""),
        ),
    ];
    for (lines, connections, growth, (method, body)) in table {
        let upstream = Upstream::start().await;
        let corsair =
            configured_corsair("adv2-budget", &format!("http://{}", upstream.addr), &lines);
        // Warm: one request through every path the attack takes.
        let small = send(&client(), "POST", &corsair.url("/warm"), &[], "x").await;
        assert_eq!(small.status, 200);
        let before = corsair.peak_rss();
        let attacks: Vec<_> = (0..connections)
            .map(|_| tokio::spawn(stalled_uploads(corsair.addr, 100)))
            .collect();
        // Meanwhile, once the uploads have spent a budget, another client is served.
        corsair
            .wait_for_log("request refused: buffered request bodies hold all the bytes allowed")
            .await;
        let other = send(&client(), method, &corsair.url("/other"), &[], body).await;
        assert_eq!(other.status, 200, "{lines}: {}", other.body);
        let mut statuses = Vec::new();
        for attack in attacks {
            statuses.extend(attack.await.unwrap());
        }
        let refused = statuses.iter().filter(|s| **s == Some(503)).count();
        let peak = corsair.peak_rss();
        println!(
            "{lines}: {refused} of {} streams refused, peak memory {} -> {} MiB (now {} MiB)",
            statuses.len(),
            before / MIB,
            peak / MIB,
            rss(corsair.pid()) / MIB
        );
        assert!(
            peak.saturating_sub(before) < growth,
            "{lines}: peak memory grew from {} to {} MiB",
            before / MIB,
            peak / MIB
        );
        // Those that fit waited for the upstream, were forwarded, and (stalled) were cut after
        // idle_timeout; the others were refused.
        assert!(
            refused >= statuses.len() / 2,
            "{lines}: only {refused} streams refused: {statuses:?}"
        );
        assert!(
            corsair
                .log()
                .iter()
                .any(|l| l.contains("max_buffered_bytes")),
            "{lines}: the refusal names the setting"
        );
        // Still serving, the budgets given back.
        let after = send(&client(), "POST", &corsair.url("/after"), &[], "again").await;
        assert_eq!(after.status, 200);
    }
}

// N4: the two budgets are range-checked like every [server] number.
#[test]
fn out_of_range_buffer_budgets_exit_2_naming_the_key_the_range_and_the_fix() {
    let dir = temp_dir("adv2-budget-ranges");
    let table = [
        (
            "max_buffered_bytes = 2199023255552",
            "server.max_buffered_bytes = 2199023255552: must be between 0 and 1099511627776",
            "write `max_buffered_bytes = 268435456`",
        ),
        (
            "max_buffered_bytes_per_connection = -1",
            "max_buffered_bytes_per_connection must be a whole number",
            "`max_buffered_bytes_per_connection = 8388608`",
        ),
    ];
    for (line, message, fix) in table {
        std::fs::write(dir.join("corsair.toml"), format!("[server]\n{line}\n")).unwrap();
        let (code, stderr) = run_to_exit(&dir, &["--allow-origin", "https://app.example.com"]);
        assert_eq!(code, Some(2), "{line}: {stderr}");
        assert!(
            stderr.contains(message),
            "{message} missing from:\n{stderr}"
        );
        assert!(stderr.contains(fix), "{fix} missing from:\n{stderr}");
    }
}
