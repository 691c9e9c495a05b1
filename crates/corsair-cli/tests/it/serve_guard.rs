//! The guard of a local server through `corsair serve`, over real sockets, on both forwarding
//! paths: `allowed_hosts` answers `421` to a request naming another host (a DNS-rebinding
//! page's own name), `refuse_disallowed_origins` answers `403` to a request from an origin the
//! policy refuses; neither reaches the upstream, and everything else does.

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;

const SERVER: &str = r#"allowed_hosts = ["localhost", "127.0.0.1"]"#;
const CORS: &str = r#"allowed_origins = ["http://localhost:8080"]
refuse_disallowed_origins = true
urls_regex = "^/api/"
"#;

/// One raw request: `(what it is, method, Host, Origin, preflight method, expected status,
/// reaches the upstream)`.
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    u16,
    bool,
);

/// The table, with `PORT` standing for corsair's own port in hosts and origins.
const CASES: [Case; 13] = [
    (
        "a local tool, no Origin",
        "GET",
        Some("localhost:PORT"),
        None,
        None,
        200,
        true,
    ),
    (
        "by address",
        "GET",
        Some("127.0.0.1:PORT"),
        None,
        None,
        200,
        true,
    ),
    (
        "the allowed page",
        "GET",
        Some("localhost:PORT"),
        Some("http://localhost:8080"),
        None,
        200,
        true,
    ),
    (
        "the allowed page's preflight",
        "OPTIONS",
        Some("localhost:PORT"),
        Some("http://localhost:8080"),
        Some("PUT"),
        204,
        false,
    ),
    (
        "a same-origin POST",
        "POST",
        Some("localhost:PORT"),
        Some("http://localhost:PORT"),
        None,
        200,
        true,
    ),
    (
        "a rebinding page",
        "GET",
        Some("rebind.attacker.test:PORT"),
        Some("http://rebind.attacker.test:PORT"),
        None,
        421,
        false,
    ),
    (
        "a rebinding page's navigation",
        "GET",
        Some("rebind.attacker.test:PORT"),
        None,
        None,
        421,
        false,
    ),
    (
        "another site",
        "POST",
        Some("localhost:PORT"),
        Some("https://evil.example"),
        None,
        403,
        false,
    ),
    (
        "another site's preflight",
        "OPTIONS",
        Some("localhost:PORT"),
        Some("https://evil.example"),
        Some("PUT"),
        403,
        false,
    ),
    (
        "a sandboxed page",
        "GET",
        Some("localhost:PORT"),
        Some("null"),
        None,
        403,
        false,
    ),
    (
        "the same host over https",
        "GET",
        Some("localhost:PORT"),
        Some("https://localhost:PORT"),
        None,
        403,
        false,
    ),
    ("no Host (HTTP/1.0)", "GET", None, None, None, 421, false),
    // Outside urls_regex the upstream answers for itself; the host is still checked.
    (
        "another site, outside urls_regex",
        "GET",
        Some("localhost:PORT"),
        Some("https://evil.example"),
        None,
        200,
        true,
    ),
];

fn raw_request(index: usize, case: &Case, port: u16) -> (String, Vec<u8>) {
    let (_, method, host, origin, preflight, _, _) = *case;
    let port = port.to_string();
    let with_port = |text: &str| text.replace("PORT", &port);
    let path = if index + 1 == CASES.len() {
        format!("/static/{index}")
    } else {
        format!("/api/{index}")
    };
    let version = if host.is_some() { "1.1" } else { "1.0" };
    let mut request = format!("{method} {path} HTTP/{version}\r\n");
    if let Some(host) = host {
        request.push_str(&format!("Host: {}\r\n", with_port(host)));
    }
    if let Some(origin) = origin {
        request.push_str(&format!("Origin: {}\r\n", with_port(origin)));
    }
    if let Some(preflight) = preflight {
        request.push_str(&format!("Access-Control-Request-Method: {preflight}\r\n"));
    }
    if method == "POST" {
        request.push_str("Content-Length: 2\r\n\r\nhi");
    } else {
        request.push_str("\r\n");
    }
    (path, request.into_bytes())
}

async fn guarded_server_answers_the_table(fast_path: &str) {
    let upstream = Upstream::start().await;
    let dir = temp_dir(&format!("guard-{fast_path}"));
    write_config(&dir, upstream.addr, SERVER, CORS);
    let corsair = Corsair::start_with_env(&dir, &[], &[("CORSAIR_FAST_PATH", fast_path)]);
    for (index, case) in CASES.iter().enumerate() {
        let (what, _, _, origin, _, status, reaches) = *case;
        let (path, bytes) = raw_request(index, case, corsair.addr.port());
        let answer = raw_exchange(corsair.addr, &bytes).await;
        assert_eq!(answer.status, status, "{what}: {}", answer.head);
        match status {
            421 => assert_eq!(
                answer.body,
                "corsair: this server does not answer for the host named in the request\n",
                "{what}"
            ),
            403 => assert_eq!(
                answer.body, "corsair: requests from this origin are refused\n",
                "{what}"
            ),
            _ => {}
        }
        if status >= 400 {
            let head = answer.head.to_ascii_lowercase();
            assert!(
                !head.contains("access-control-allow-origin"),
                "{what}: {head}"
            );
        } else if origin == Some(APP) {
            assert!(
                answer
                    .head
                    .to_ascii_lowercase()
                    .contains("access-control-allow-origin: http://localhost:8080"),
                "{what}: {}",
                answer.head
            );
        }
        if reaches {
            upstream.wait_for_request(&path).await;
        }
    }
    // A last request that reaches the upstream: every refused one before it would have too.
    let (_, last) = raw_request(0, &CASES[0], corsair.addr.port());
    assert_eq!(raw_exchange(corsair.addr, &last).await.status, 200);
    upstream.wait_for_request("/api/0").await;
    let received: Vec<String> = upstream.received().into_iter().map(|r| r.target).collect();
    for (index, case) in CASES.iter().enumerate() {
        let (path, _) = raw_request(index, case, corsair.addr.port());
        assert_eq!(
            received.contains(&path),
            case.6,
            "{}: the upstream received {received:?}",
            case.0
        );
    }
    // Each refusal is logged with its reason.
    corsair.wait_for_log("host not in allowed_hosts").await;
    corsair
        .wait_for_log("origin not allowed (refuse_disallowed_origins)")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guarded_server_refuses_other_hosts_and_origins_on_the_fast_path() {
    guarded_server_answers_the_table("true").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guarded_server_refuses_other_hosts_and_origins_on_the_general_path() {
    guarded_server_answers_the_table("false").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hosts_come_from_the_environment_and_a_reload_applies_a_new_list() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("guard-reload");
    write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"http://localhost:8080\"]",
    );
    let corsair = Corsair::start_with_env(
        &dir,
        &[],
        &[("CORSAIR_ALLOWED_HOSTS", "localhost, 127.0.0.1")],
    );
    let client = client();
    let local = send(&client, "GET", &corsair.url("/x"), &[], "").await;
    assert_eq!(local.status, 200);
    let rebound = raw_exchange(
        corsair.addr,
        b"GET /y HTTP/1.1\r\nHost: rebind.attacker.test\r\n\r\n",
    )
    .await;
    assert_eq!(rebound.status, 421);
    drop(corsair);

    // From the file, then changed by a reload.
    let cors = "allowed_origins = [\"http://localhost:8080\"]";
    write_config(
        &dir,
        upstream.addr,
        r#"allowed_hosts = ["localhost"]"#,
        cors,
    );
    let corsair = Corsair::start(&dir, &[]);
    let renamed = format!("localhost:{}", corsair.addr.port());
    let request = |host: &str| format!("GET /z HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes();
    assert_eq!(
        raw_exchange(corsair.addr, &request(&renamed)).await.status,
        200
    );
    write_config(
        &dir,
        upstream.addr,
        r#"allowed_hosts = ["api.example.test"]"#,
        cors,
    );
    corsair.signal("HUP");
    corsair.wait_for_log("configuration reloaded").await;
    assert_eq!(
        raw_exchange(corsair.addr, &request(&renamed)).await.status,
        421
    );
    assert_eq!(
        raw_exchange(corsair.addr, &request("api.example.test"))
            .await
            .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusing_origins_without_a_list_of_hosts_is_warned_about() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("guard-warning");
    write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"http://localhost:8080\"]\nrefuse_disallowed_origins = true",
    );
    let corsair = Corsair::start(&dir, &[]);
    let warning = corsair.wait_for_log("origins-guard-without-hosts").await;
    assert!(warning.contains("DNS rebinding"), "{warning}");
}

#[test]
fn a_list_of_hosts_that_is_not_one_is_refused_at_start() {
    // (the file, and what the error says)
    let table = [
        (
            "[server]\nallowed_hosts = [\"http://localhost:8300\"]",
            "a host has no scheme",
        ),
        (
            "[server]\nallowed_hosts = [\"*\"]",
            "would admit every host",
        ),
        (
            "[server]\nallowed_hosts = []",
            "an empty list would refuse every request",
        ),
        (
            "[server]\nallowed_hosts = \"localhost\"",
            "allowed_hosts must be a list of hosts",
        ),
        (
            "[server]\nrefuse_disallowed_origins = true",
            "`refuse_disallowed_origins` is written under [cors], not [server]",
        ),
        (
            "[cors]\nrefuse_disallowed_origins = \"yes\"",
            "refuse_disallowed_origins must be true or false",
        ),
        (
            "[report_only]\nrefuse_disallowed_origins = true",
            "is read under [cors] only",
        ),
    ];
    for (text, said) in table {
        let dir = temp_dir("guard-invalid");
        std::fs::write(dir.join("corsair.toml"), text).unwrap();
        let output = corsair_command(&dir, &[], &[]).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{text}: {stderr}");
        assert!(stderr.contains(said), "{text}: {stderr}");
    }
}
