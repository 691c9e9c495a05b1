//! `corsair check --har FILE`: every cross-origin fetch and XMLHttpRequest of a recorded
//! session, judged offline (`--config`) or live. The fixtures in `tests/data/har/` are shaped
//! as Chromium's DevTools, Firefox and Playwright write them: provisional headers of blocked
//! requests, preflight entries to fold in, navigations, images and same-origin requests to
//! leave out.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::check_support::{RecordingServer, json_of};
use crate::temp_dirs::temp_dir;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/har")
        .join(name)
}

/// Runs `corsair check ARGS` without the caller's `CORS_*` variables.
fn check(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_corsair"));
    command.arg("check").args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("CORS_") {
            command.env_remove(key);
        }
    }
    command.output().unwrap()
}

/// What one request of a fixture must come to offline.
struct Expected {
    entry: u64,
    method: &'static str,
    url: &'static str,
    origin: &'static str,
    verdict: &'static str,
    credentials: &'static str,
    /// Said in its assumptions.
    assumed: &'static [&'static str],
    /// The end of Chromium's message, when blocked.
    reason: Option<&'static str>,
}

const PREFLIGHT_HEADER: &str =
    "is not allowed by Access-Control-Allow-Headers in preflight response.";

fn fixtures() -> Vec<(&'static str, Vec<Expected>)> {
    let app = "https://app.example.com";
    let shop = "http://localhost:3000";
    vec![
        (
            "devtools.har",
            vec![
                Expected {
                    entry: 3,
                    method: "PUT",
                    url: "https://api.example.com/api/items/7",
                    origin: app,
                    verdict: "allowed",
                    credentials: "include",
                    assumed: &[
                        "from its Origin header",
                        "Cookie header",
                        "Pragma/Cache-Control: no-cache left out",
                        "its preflight, log.entries[2], is folded in",
                    ],
                    reason: None,
                },
                Expected {
                    entry: 4,
                    method: "GET",
                    url: "https://api.example.com/api/me",
                    origin: app,
                    verdict: "allowed",
                    credentials: "include",
                    assumed: &["Cookie header"],
                    reason: None,
                },
                Expected {
                    entry: 5,
                    method: "GET",
                    url: "https://api.example.com/api/search?q=lamp",
                    origin: app,
                    verdict: "blocked",
                    credentials: "same-origin",
                    assumed: &[
                        "only provisional headers",
                        "from the Origin header of its preflight",
                        "its preflight, log.entries[6], is folded in",
                    ],
                    reason: Some(
                        "Request header field x-api-key is not allowed by Access-Control-Allow-Headers in preflight response.",
                    ),
                },
                Expected {
                    entry: 9,
                    method: "GET",
                    url: "https://api.example.com/static/config.json",
                    origin: app,
                    verdict: "bypassed",
                    credentials: "same-origin",
                    assumed: &["the browser's default"],
                    reason: None,
                },
            ],
        ),
        (
            "firefox.har",
            vec![
                Expected {
                    entry: 2,
                    method: "DELETE",
                    url: "https://api.example.com/api/orders/3",
                    origin: app,
                    verdict: "allowed",
                    credentials: "include",
                    assumed: &["its preflight, log.entries[1], is folded in"],
                    reason: None,
                },
                Expected {
                    entry: 3,
                    method: "POST",
                    url: "https://api.example.com/api/uploads",
                    origin: app,
                    verdict: "allowed",
                    credentials: "same-origin",
                    assumed: &["from its Origin header"],
                    reason: None,
                },
                Expected {
                    entry: 5,
                    method: "GET",
                    url: "https://api.example.com/api/orders?status=open",
                    origin: app,
                    verdict: "blocked",
                    credentials: "same-origin",
                    assumed: &["its preflight, log.entries[4], is folded in"],
                    reason: Some(
                        "Request header field x-trace-id is not allowed by Access-Control-Allow-Headers in preflight response.",
                    ),
                },
                Expected {
                    entry: 7,
                    method: "GET",
                    url: "https://api.example.com/api/legacy/summary",
                    origin: app,
                    verdict: "allowed",
                    credentials: "same-origin",
                    assumed: &[],
                    reason: None,
                },
            ],
        ),
        (
            "playwright.har",
            vec![
                Expected {
                    entry: 1,
                    method: "GET",
                    url: "http://127.0.0.1:8000/api/items",
                    origin: shop,
                    verdict: "allowed",
                    credentials: "same-origin",
                    assumed: &["from its Origin header"],
                    reason: None,
                },
                Expected {
                    entry: 2,
                    method: "PUT",
                    url: "http://127.0.0.1:8000/api/items/1",
                    origin: shop,
                    verdict: "allowed",
                    credentials: "same-origin",
                    assumed: &[],
                    reason: None,
                },
                Expected {
                    entry: 3,
                    method: "GET",
                    url: "http://127.0.0.1:8000/api/items?fields=all",
                    origin: shop,
                    verdict: "blocked",
                    credentials: "same-origin",
                    assumed: &["only provisional headers", "from its Referer header"],
                    reason: Some(
                        "Request header field x-token is not allowed by Access-Control-Allow-Headers in preflight response.",
                    ),
                },
                Expected {
                    entry: 4,
                    method: "PROPFIND",
                    url: "http://127.0.0.1:8000/api/items/1",
                    origin: shop,
                    verdict: "blocked",
                    credentials: "same-origin",
                    assumed: &["from its Referer header"],
                    reason: Some(
                        "Method PROPFIND is not allowed by Access-Control-Allow-Methods in preflight response.",
                    ),
                },
                Expected {
                    entry: 5,
                    method: "GET",
                    url: "http://127.0.0.1:8000/static/app.json",
                    origin: shop,
                    verdict: "bypassed",
                    credentials: "same-origin",
                    assumed: &["from its Referer header"],
                    reason: None,
                },
                // A Bearer token says nothing about the credentials mode.
                Expected {
                    entry: 6,
                    method: "GET",
                    url: "http://127.0.0.1:8000/api/cart",
                    origin: shop,
                    verdict: "allowed",
                    credentials: "same-origin",
                    assumed: &[],
                    reason: None,
                },
            ],
        ),
    ]
}

/// Each fixture, judged offline against `tests/data/har/corsair.toml`: exactly the expected
/// requests, in file order, each with its origin, credentials, assumptions and verdict.
#[test]
fn recorded_sessions_are_judged_offline_request_by_request() {
    let config = data("corsair.toml");
    for (fixture, expected) in fixtures() {
        let file = data(fixture);
        let output = check(&[
            "--har",
            file.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{fixture}: one request is blocked"
        );
        let json = json_of(&output);
        let requests = json["requests"].as_array().unwrap();
        let got: Vec<(u64, &str, &str)> = requests
            .iter()
            .map(|r| {
                (
                    r["entry"].as_u64().unwrap(),
                    r["method"].as_str().unwrap(),
                    r["url"].as_str().unwrap(),
                )
            })
            .collect();
        let want: Vec<(u64, &str, &str)> = expected
            .iter()
            .map(|e| (e.entry, e.method, e.url))
            .collect();
        assert_eq!(got, want, "{fixture}");
        for (request, expected) in requests.iter().zip(&expected) {
            let shown = format!("{fixture} log.entries[{}]", expected.entry);
            assert_eq!(request["origin"], expected.origin, "{shown}");
            assert_eq!(request["verdict"], expected.verdict, "{shown}: {request}");
            assert_eq!(request["credentials"], expected.credentials, "{shown}");
            let assumptions: Vec<&str> = request["assumptions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            for needle in expected.assumed {
                assert!(
                    assumptions.iter().any(|a| a.contains(needle)),
                    "{shown}: `{needle}` not in {assumptions:#?}"
                );
            }
            match expected.reason {
                Some(reason) => {
                    let message = request["message"].as_str().unwrap();
                    assert!(message.starts_with(&format!("Access to fetch at '{}' from origin '{}' has been blocked by CORS policy: ", expected.url, expected.origin)) || message.starts_with(&format!("Access to XMLHttpRequest at '{}'", expected.url)), "{shown}: {message}");
                    assert!(message.ends_with(reason), "{shown}: {message}");
                    assert!(
                        !request["fix"].as_array().unwrap().is_empty(),
                        "{shown}: a blocked request has a fix"
                    );
                }
                None => {
                    assert!(request["message"].is_null(), "{shown}");
                    assert_eq!(request["fix"], json!([]), "{shown}");
                }
            }
            if expected.verdict == "bypassed" {
                assert!(
                    request["reason"]
                        .as_str()
                        .unwrap()
                        .contains("outside urls_regex"),
                    "{shown}"
                );
            }
        }
    }
}

/// The text report: one line per request with ✓/✗/↷ and the first sentence of Chromium's
/// message, the tally, then the full report of each blocked request.
#[test]
fn the_report_has_one_line_per_request_and_the_full_report_of_each_blocked_one() {
    let file = data("playwright.har");
    let config = data("corsair.toml");
    let output = check(&[
        "--har",
        file.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = report.lines().collect();
    let tally = lines.iter().position(|l| l.ends_with("bypassed")).unwrap();
    let summary: Vec<&str> = lines[..tally]
        .iter()
        .copied()
        .filter(|l| l.starts_with(['✓', '✗', '↷']))
        .collect();
    assert_eq!(
        summary,
        [
            "✓ GET http://127.0.0.1:8000/api/items",
            "✓ PUT http://127.0.0.1:8000/api/items/1",
            &format!(
                "✗ GET http://127.0.0.1:8000/api/items?fields=all — Access to fetch at 'http://127.0.0.1:8000/api/items?fields=all' from origin 'http://localhost:3000' has been blocked by CORS policy: Request header field x-token {PREFLIGHT_HEADER}"
            )[..],
            "✗ PROPFIND http://127.0.0.1:8000/api/items/1 — Access to fetch at 'http://127.0.0.1:8000/api/items/1' from origin 'http://localhost:3000' has been blocked by CORS policy: Method PROPFIND is not allowed by Access-Control-Allow-Methods in preflight response.",
            "↷ GET http://127.0.0.1:8000/static/app.json — bypassed: the path is outside urls_regex \"^/api/\"",
            "✓ GET http://127.0.0.1:8000/api/cart",
        ],
        "{report}"
    );
    for needle in [
        "playwright.har: 6 cross-origin request(s) by scripts among 7 entries, recorded by Playwright 1.65.1",
        "judged offline, by corsair's engine with",
        "3 allowed, 2 blocked, 1 bypassed",
        "── log.entries[3]: GET http://127.0.0.1:8000/api/items?fields=all: blocked",
        "recorded: no response (net::ERR_FAILED)",
        "assumed: page origin http://localhost:3000: from its Referer header",
        "allow_headers = [",
        "── log.entries[4]: PROPFIND",
    ] {
        assert!(report.contains(needle), "missing `{needle}` in:\n{report}");
    }
    // Allowed and bypassed requests get their line only.
    assert!(!report.contains("── log.entries[1]"), "{report}");
    assert!(!report.contains("── log.entries[5]"), "{report}");
}

/// `--credentials` judges every request with credentials, and says so.
#[test]
fn credentials_can_be_forced() {
    let file = data("playwright.har");
    let config = data("corsair.toml");
    let json = json_of(&check(&[
        "--har",
        file.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--credentials",
        "--json",
    ]));
    for request in json["requests"].as_array().unwrap() {
        assert_eq!(request["credentials"], "include", "{request}");
        let assumptions = request["assumptions"].to_string();
        assert!(
            assumptions.contains("credentials include: --credentials"),
            "{assumptions}"
        );
    }
}

/// Files that cannot be checked exit 2 with a message saying what to do.
#[test]
fn unreadable_files_and_usage_errors_exit_2() {
    let dir = temp_dir("errors");
    let write = |name: &str, text: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let not_json = write("page.har", b"<html>not a har</html>");
    let empty = write("empty.har", br#"{"log": {"entries": [{"request": {"method": "GET", "url": "https://app.example.com/"}, "_resourceType": "document"}]}}"#);
    let anonymous = write("anonymous.har", br#"{"log": {"entries": [{"request": {"method": "GET", "url": "https://api.example.com/x"}, "_resourceType": "fetch"}]}}"#);
    let big = write("big.har", &vec![b' '; 2 * 1024 * 1024]);
    let fixture = data("playwright.har");
    let fixture = fixture.to_str().unwrap();
    let table: [(&[&str], &str); 9] = [
        (
            &["--har", "/nonexistent.har"],
            "cannot read /nonexistent.har",
        ),
        (
            &["--har", &dir.to_string_lossy()],
            "corsair reads only regular files",
        ),
        (
            &["--har", &not_json],
            "not a HAR file: expected value at line 1 column 1",
        ),
        (
            &["--har", &empty],
            "no cross-origin fetch() or XMLHttpRequest request to check",
        ),
        (
            &["--har", &anonymous],
            "log.entries[0]: no Origin or Referer header and no page URL tells the page's origin: give it with --origin",
        ),
        (
            &["--har", &big, "--max-har-mib", "1"],
            "is larger than 1 MiB: export it without response bodies, or raise the limit with --max-har-mib",
        ),
        (
            &["--har", fixture, "--origin", "not an origin"],
            "--origin: `not an origin` is not an origin",
        ),
        (
            &["--har", fixture, "https://api.example.com/"],
            "cannot be used with",
        ),
        (
            &[
                "--max-har-mib",
                "5",
                "https://api.example.com/",
                "--origin",
                "https://app.example.com",
            ],
            "--har",
        ),
    ];
    for (args, expected) in table {
        let output = check(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // With --json, the error is one object too.
    let json = json_of(&check(&["--har", &not_json, "--json"]));
    assert!(json["error"].as_str().unwrap().contains("not a HAR file"));
    assert_eq!(json["requests"], json!([]));
    // A request without any origin is judged with --origin.
    let json = json_of(&check(&[
        "--har",
        &anonymous,
        "--origin",
        "https://app.example.com",
        "--config",
        data("corsair.toml").to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(json["requests"][0]["origin"], "https://app.example.com");
    assert!(
        json["requests"][0]["assumptions"]
            .to_string()
            .contains("the page's origin is --origin")
    );
}

/// A server for live replays, answering like a misconfigured API: preflights from the page are
/// allowed, `/api/` answers carry CORS headers, `/api/private` and everything else do not.
fn api() -> RecordingServer {
    RecordingServer::start(|seen, _port| {
        let page = || ("access-control-allow-origin", PAGE.to_owned());
        if seen.method == "OPTIONS" {
            let headers = vec![
                page(),
                ("access-control-allow-methods", "GET, PUT".to_owned()),
                (
                    "access-control-allow-headers",
                    "content-type, authorization".to_owned(),
                ),
            ];
            (204, headers)
        } else if seen.path.starts_with("/api/") && seen.path != "/api/private" {
            (200, vec![page()])
        } else {
            (200, Vec::new())
        }
    })
}

const PAGE: &str = "http://localhost:3000";

/// A Playwright-shaped entry: full headers with Origin when `origin` is set, else provisional
/// ones (the Referer only).
fn playwright_entry(method: &str, url: &str, headers: &[(&str, &str)], origin: bool) -> Value {
    let mut all: Vec<Value> = headers
        .iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    all.push(json!({"name": "Referer", "value": format!("{PAGE}/")}));
    if origin {
        all.push(json!({"name": "Origin", "value": PAGE}));
    }
    let status = if origin { 200 } else { -1 };
    json!({
        "pageref": "page@1",
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "cookies": [], "headers": all, "queryString": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [], "headers": [], "content": {"size": -1, "mimeType": "x-unknown"}, "headersSize": -1, "bodySize": -1, "redirectURL": ""},
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
        "_resourceType": "fetch",
    })
}

/// Without --config each recorded request is sent again, as `corsair check URL` sends it; the
/// recorded token reaches the server but never the report.
#[test]
fn recorded_requests_are_replayed_live_and_secrets_stay_out_of_the_report() {
    let api = api();
    const TOKEN: &str = "Bearer s3cr3t-t0ken";
    let entries = vec![
        playwright_entry("GET", &api.url("/api/items"), &[], true),
        playwright_entry(
            "PUT",
            &api.url("/api/items/1"),
            &[("Content-Type", "application/json")],
            true,
        ),
        playwright_entry(
            "GET",
            &api.url("/api/private"),
            &[("Authorization", TOKEN)],
            false,
        ),
        playwright_entry("GET", &api.url("/static/app.json"), &[], false),
        playwright_entry("GET", &api.url("/api/items?x"), &[("X-Token", "t")], false),
    ];
    let file = temp_dir("live").join("session.har");
    let har = json!({"log": {"version": "1.2", "creator": {"name": "Playwright", "version": "1.65.1"}, "pages": [{"id": "page@1", "title": "Shop"}], "entries": entries}});
    std::fs::write(&file, serde_json::to_vec(&har).unwrap()).unwrap();
    let file = file.to_str().unwrap();

    let output = check(&["--har", file, "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let json = json_of(&output);
    let verdicts: Vec<&str> = json["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        ["allowed", "allowed", "blocked", "blocked", "blocked"]
    );
    assert!(json["judged"].as_str().unwrap().starts_with("live"));
    let private = &json["requests"][2]["message"];
    assert!(
        private.as_str().unwrap().ends_with(
            "No 'Access-Control-Allow-Origin' header is present on the requested resource."
        ),
        "{private}"
    );
    // The server got every request the browser would send, the recorded token included.
    // What the API received: method, path and `Authorization`.
    let seen: Vec<(String, String, Option<String>)> = api
        .seen()
        .into_iter()
        .map(|s| {
            let authorization = s.headers.get("authorization").cloned();
            (s.method, s.path, authorization)
        })
        .collect();
    assert!(
        seen.contains(&("OPTIONS".into(), "/api/items/1".into(), None)),
        "{seen:?}"
    );
    assert!(
        seen.contains(&("GET".into(), "/api/private".into(), Some(TOKEN.into()))),
        "{seen:?}"
    );
    // A request refused at its preflight is never sent: only the first GET of /api/items is.
    let sent = |method: &str, path: &str| {
        seen.iter()
            .filter(|(m, p, _)| m == method && p == path)
            .count()
    };
    assert_eq!(sent("GET", "/api/items"), 1, "{seen:?}");
    assert_eq!(sent("OPTIONS", "/api/items"), 1, "{seen:?}");

    let output = check(&["--har", file]);
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        report.contains("judged live: each request is sent to its URL"),
        "{report}"
    );
    assert!(
        report.contains("authorization: Bearer [redacted]"),
        "{report}"
    );
    for text in [&report, &stdout] {
        assert!(!text.contains("s3cr3t"), "the token is printed:\n{text}");
    }

    // A server that is gone: the request could not be judged, and the check does not pass.
    let gone = format!("http://127.0.0.1:{}/api/items", unused_port());
    let har = json!({"log": {"entries": [playwright_entry("GET", &gone, &[], true)]}});
    let file = temp_dir("gone").join("session.har");
    std::fs::write(&file, serde_json::to_vec(&har).unwrap()).unwrap();
    let output = check(&["--har", file.to_str().unwrap(), "--json", "--timeout", "2"]);
    assert_eq!(output.status.code(), Some(2));
    let json = json_of(&output);
    assert_eq!(json["requests"][0]["verdict"], "error");
    assert!(
        json["requests"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("network error")
    );
}

/// A server that accepts every connection and never answers, until dropped.
struct Hanging {
    port: u16,
    _listener: std::thread::JoinHandle<()>,
}

fn hanging() -> Hanging {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    Hanging {
        port,
        _listener: thread,
    }
}

fn write_har(name: &str, entries: Vec<Value>) -> PathBuf {
    let file = temp_dir(name).join("session.har");
    let har = json!({"log": {"version": "1.2", "creator": {"name": "Playwright", "version": "1.65.1"}, "pages": [{"id": "page@1", "title": "Shop"}], "entries": entries}});
    std::fs::write(&file, serde_json::to_vec(&har).unwrap()).unwrap();
    file
}

/// Six recorded requests to a server that never answers took six `--timeout`s; the whole
/// replay is now bounded by `--deadline`, and what was not judged by then says so.
#[test]
fn a_replay_of_hanging_requests_ends_at_the_deadline() {
    let server = hanging();
    let entries = (0..6)
        .map(|i| {
            let url = format!("http://127.0.0.1:{}/api/slow/{i}", server.port);
            playwright_entry("GET", &url, &[], true)
        })
        .collect();
    let file = write_har("hanging", entries);
    let started = std::time::Instant::now();
    let output = check(&[
        "--har",
        file.to_str().unwrap(),
        "--json",
        "--timeout",
        "1",
        "--deadline",
        "2",
    ]);
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_millis(4500),
        "took {took:?}"
    );
    assert_eq!(output.status.code(), Some(2));
    let json = json_of(&output);
    let reasons: Vec<&str> = json["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["verdict"], "error", "{r}");
            r["reason"].as_str().unwrap()
        })
        .collect();
    assert_eq!(reasons.len(), 6);
    assert!(reasons[0].contains("no response within 1 s"), "{reasons:?}");
    assert!(
        reasons[5].contains("not sent: the check's --deadline of 2 s has passed"),
        "{reasons:?}"
    );
}

/// A recording may name any host and port; Chromium's unsafe ports are never connected
/// to, and recorded cookies are never sent anywhere (the README says so).
#[test]
fn a_replay_sends_no_recorded_cookie_and_never_connects_to_an_unsafe_port() {
    let api = api();
    let mut with_cookies = playwright_entry(
        "GET",
        &api.url("/api/items"),
        &[("Cookie", "sessionid=S3SS10N")],
        true,
    );
    with_cookies["request"]["cookies"] = json!([{"name": "sessionid", "value": "S3SS10N"}]);
    let entries = vec![
        with_cookies,
        playwright_entry("GET", "http://127.0.0.1:22/api/items", &[], true),
        playwright_entry("POST", "http://127.0.0.1:6667/api/items", &[], true),
    ];
    let file = write_har("cookies-ports", entries);
    let output = check(&["--har", file.to_str().unwrap(), "--json", "--timeout", "1"]);
    assert_eq!(output.status.code(), Some(1));
    let json = json_of(&output);
    let requests = json["requests"].as_array().unwrap();
    // The test API sends no Access-Control-Allow-Credentials: judged with credentials, the
    // request is blocked, and it was sent without the recorded cookie.
    assert_eq!(requests[0]["verdict"], "blocked", "{}", requests[0]);
    assert_eq!(
        requests[0]["credentials"], "include",
        "judged with credentials"
    );
    for request in &requests[1..] {
        assert_eq!(request["verdict"], "blocked", "{request}");
        assert_eq!(
            request["message"],
            "Failed to load resource: net::ERR_UNSAFE_PORT"
        );
    }
    let seen = api.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].headers.get("cookie"), None, "{seen:?}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("S3SS10N"));
}

fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A public page calling loopback is explained once, whatever the verdict.
#[test]
fn local_network_access_is_explained_once_per_page_and_target() {
    let entries: Vec<Value> = ["/api/a", "/api/b", "/static/c"]
        .iter()
        .map(|path| {
            let mut entry =
                playwright_entry("GET", &format!("http://localhost:8000{path}"), &[], true);
            entry["request"]["headers"] =
                json!([{"name": "Origin", "value": "https://app.example.com"}]);
            entry
        })
        .collect();
    let file = temp_dir("lna").join("session.har");
    std::fs::write(
        &file,
        serde_json::to_vec(&json!({"log": {"entries": entries}})).unwrap(),
    )
    .unwrap();
    let output = check(&[
        "--har",
        file.to_str().unwrap(),
        "--config",
        data("corsair.toml").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "allowed and bypassed");
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        report.matches("[local-network-access]").count(),
        1,
        "{report}"
    );
    assert!(
        report.contains(
            "Permission was denied for this request to access the `loopback` address space."
        ),
        "{report}"
    );
}
