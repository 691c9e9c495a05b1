//! `corsair check` against real servers over real sockets: the requests it sends, its exit
//! status, its `--json` contract and its trace. Expected messages are the ones headless
//! Chromium 156 prints for the same server behaviour.

use std::process::{Command, Output};

use serde_json::Value;

use crate::check_support::{RecordingServer, json_of};

const PAGE: &str = "http://localhost:3000";

/// How the test server answers: status and headers, by method and path. `{port}` in a header
/// value is replaced by the server's port.
type Answer = fn(&str, &str) -> (u16, Vec<(&'static str, &'static str)>);

/// The test server, answering as `answer` says.
fn server(answer: Answer) -> RecordingServer {
    RecordingServer::start(move |seen, port| {
        let (status, headers) = answer(&seen.method, &seen.path);
        let port = port.to_string();
        let headers = headers
            .into_iter()
            .map(|(name, value)| (name, value.replace("{port}", &port)))
            .collect();
        (status, headers)
    })
}

fn corsair(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsair"))
        .arg("check")
        .args(args)
        .output()
        .unwrap()
}

/// Runs `corsair check URL --origin PAGE ARGS --json` and returns (exit status, JSON).
fn check_json(url: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec![url, "--origin", PAGE, "--json"];
    all.extend_from_slice(args);
    let output = corsair(&all);
    (output.status.code().unwrap_or(-1), json_of(&output))
}

fn head(url: &str) -> String {
    format!("Access to fetch at '{url}' from origin '{PAGE}' has been blocked by CORS policy: ")
}

const PREFLIGHT: &str = "Response to preflight request doesn't pass access control check: ";

/// One server behaviour, the request, and what Chromium does.
struct Case {
    name: &'static str,
    answer: Answer,
    args: &'static [&'static str],
    preflight: bool,
    /// The reason part of Chromium's message, or `None` when allowed.
    reason: Option<&'static str>,
    /// Whether the message carries the preflight prefix.
    preflight_prefix: bool,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "missing allow-origin",
            answer: |_, _| (200, vec![]),
            args: &[],
            preflight: false,
            reason: Some(
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            ),
            preflight_prefix: false,
        },
        Case {
            name: "wildcard allows a request without credentials",
            answer: |_, _| (200, vec![("access-control-allow-origin", "*")]),
            args: &[],
            preflight: false,
            reason: None,
            preflight_prefix: false,
        },
        Case {
            name: "wildcard with credentials",
            answer: |_, _| (200, vec![("access-control-allow-origin", "*")]),
            args: &["--credentials"],
            preflight: false,
            reason: Some(
                "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
            ),
            preflight_prefix: false,
        },
        Case {
            name: "credentials with Allow-Credentials True",
            answer: |_, _| {
                (
                    200,
                    vec![
                        ("access-control-allow-origin", PAGE),
                        ("access-control-allow-credentials", "True"),
                    ],
                )
            },
            args: &["--credentials"],
            preflight: false,
            reason: Some(
                "The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'.",
            ),
            preflight_prefix: false,
        },
        Case {
            name: "two allow-origin lines",
            answer: |_, _| {
                (
                    200,
                    vec![
                        ("access-control-allow-origin", PAGE),
                        ("access-control-allow-origin", PAGE),
                    ],
                )
            },
            args: &[],
            preflight: false,
            reason: Some(
                "The 'Access-Control-Allow-Origin' header contains multiple values 'http://localhost:3000, http://localhost:3000', but only one is allowed. Have the server send the header with a valid value.",
            ),
            preflight_prefix: false,
        },
        Case {
            name: "trailing slash",
            answer: |_, _| {
                (
                    200,
                    vec![("access-control-allow-origin", "http://localhost:3000/")],
                )
            },
            args: &[],
            preflight: false,
            reason: Some(
                "The 'Access-Control-Allow-Origin' header has a value 'http://localhost:3000/' that is not equal to the supplied origin. Have the server send the header with a valid value.",
            ),
            preflight_prefix: false,
        },
        Case {
            name: "404 preflight without headers",
            answer: |method, _| match method {
                "OPTIONS" => (404, vec![]),
                _ => (200, vec![("access-control-allow-origin", "*")]),
            },
            args: &["-X", "PUT"],
            preflight: true,
            reason: Some(
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            ),
            preflight_prefix: true,
        },
        Case {
            name: "404 preflight with allow-origin",
            answer: |method, _| match method {
                "OPTIONS" => (404, vec![("access-control-allow-origin", "*")]),
                _ => (200, vec![("access-control-allow-origin", "*")]),
            },
            args: &["-X", "PUT"],
            preflight: true,
            reason: Some("It does not have HTTP ok status."),
            preflight_prefix: true,
        },
        Case {
            name: "redirected preflight",
            answer: |_, _| {
                (
                    302,
                    vec![
                        ("access-control-allow-origin", "*"),
                        ("location", "/elsewhere"),
                    ],
                )
            },
            args: &["-X", "DELETE"],
            preflight: true,
            reason: Some("Redirect is not allowed for a preflight request."),
            preflight_prefix: true,
        },
        Case {
            name: "method case",
            answer: |_, _| {
                (
                    204,
                    vec![
                        ("access-control-allow-origin", "*"),
                        ("access-control-allow-methods", "PATCH"),
                    ],
                )
            },
            args: &["-X", "patch"],
            preflight: true,
            reason: Some(
                "Method patch is not allowed by Access-Control-Allow-Methods in preflight response.",
            ),
            preflight_prefix: false,
        },
        Case {
            name: "header not allowed",
            answer: |_, _| {
                (
                    204,
                    vec![
                        ("access-control-allow-origin", "*"),
                        ("access-control-allow-headers", "x-a"),
                    ],
                )
            },
            args: &["-H", "X-Token: 1"],
            preflight: true,
            reason: Some(
                "Request header field x-token is not allowed by Access-Control-Allow-Headers in preflight response.",
            ),
            preflight_prefix: false,
        },
        Case {
            name: "json body needs content-type allowed",
            answer: |_, _| {
                (
                    204,
                    vec![
                        ("access-control-allow-origin", "*"),
                        ("access-control-allow-headers", "x-a"),
                    ],
                )
            },
            args: &["-X", "POST", "--body-type", "json"],
            preflight: true,
            reason: Some(
                "Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response.",
            ),
            preflight_prefix: false,
        },
        Case {
            name: "text body is simple",
            answer: |_, _| (200, vec![("access-control-allow-origin", "*")]),
            args: &["-X", "POST", "--body-type", "text"],
            preflight: false,
            reason: None,
            preflight_prefix: false,
        },
        Case {
            name: "allowed preflighted PUT with credentials",
            answer: |_, _| {
                (
                    204,
                    vec![
                        ("access-control-allow-origin", PAGE),
                        ("access-control-allow-credentials", "true"),
                        ("access-control-allow-methods", "GET, PUT"),
                        (
                            "access-control-allow-headers",
                            "authorization, content-type",
                        ),
                    ],
                )
            },
            args: &[
                "-X",
                "put",
                "--credentials",
                "-H",
                "Authorization: Bearer t",
                "--body-type",
                "json",
            ],
            preflight: true,
            reason: None,
            preflight_prefix: false,
        },
    ]
}

#[test]
fn verdicts_and_messages_match_chromium() {
    for case in cases() {
        let server = server(case.answer);
        let url = server.url("/api/items");
        let (code, json) = check_json(&url, case.args);
        let expected_message = case.reason.map(|reason| {
            let prefix = if case.preflight_prefix { PREFLIGHT } else { "" };
            format!("{}{prefix}{reason}", head(&url))
        });
        assert_eq!(
            json["message"].as_str(),
            expected_message.as_deref(),
            "{}",
            case.name
        );
        let verdict = if case.reason.is_some() {
            "blocked"
        } else {
            "allowed"
        };
        assert_eq!(json["verdict"], verdict, "{}", case.name);
        assert_eq!(
            code,
            if case.reason.is_some() { 1 } else { 0 },
            "{}",
            case.name
        );
        assert_eq!(json["preflight"], case.preflight, "{}", case.name);
        let options_seen = server.seen().iter().any(|s| s.method == "OPTIONS");
        assert_eq!(options_seen, case.preflight, "{}: OPTIONS sent", case.name);
    }
}

#[test]
fn the_json_object_has_exactly_the_contract_keys() {
    let server = server(|_, _| (200, vec![]));
    let (_, json) = check_json(&server.url("/"), &[]);
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "advice",
            "message",
            "preflight",
            "steps",
            "verdict",
            "warnings"
        ]
    );
    assert_eq!(json["steps"][0]["kind"], "request");
    assert_eq!(json["steps"][0]["failure"], "MissingAllowOriginHeader");
    assert!(
        json["advice"][0]["django"]
            .as_str()
            .unwrap()
            .contains("CORS_ALLOWED_ORIGINS")
    );
}

#[test]
fn the_requests_sent_are_the_browsers() {
    let server = server(|_, _| {
        (
            204,
            vec![
                ("access-control-allow-origin", "*"),
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "x-b, x-a"),
            ],
        )
    });
    let (code, _) = check_json(
        &server.url("/items?id=1"),
        &[
            "-X",
            "put",
            "-H",
            "X-B: 1",
            "-H",
            "x-a: 2",
            "-H",
            "Cookie: dropped",
        ],
    );
    assert_eq!(code, 0);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let (preflight, actual) = (&seen[0], &seen[1]);
    assert_eq!(
        (preflight.method.as_str(), preflight.path.as_str()),
        ("OPTIONS", "/items")
    );
    assert_eq!(preflight.headers["access-control-request-method"], "PUT");
    assert_eq!(
        preflight.headers["access-control-request-headers"],
        "x-a,x-b"
    );
    assert_eq!(preflight.headers["origin"], PAGE);
    assert!(!preflight.headers.contains_key("x-a"));
    assert_eq!(actual.method, "PUT");
    assert_eq!(actual.headers["x-a"], "2");
    assert_eq!(actual.headers["origin"], PAGE);
    assert!(!actual.headers.contains_key("cookie"));
    assert!(!actual.headers.contains_key("access-control-request-method"));
}

#[test]
fn a_redirect_to_another_origin_is_followed_and_checked_with_a_null_origin() {
    // 127.0.0.1 redirects to localhost on the same port: another origin.
    let server = server(|_, path| match path {
        "/login" => (
            302,
            vec![
                ("access-control-allow-origin", "*"),
                ("location", "http://localhost:{port}/authorize"),
            ],
        ),
        _ => (200, vec![("access-control-allow-origin", PAGE)]),
    });
    let url = server.url("/login");
    let (code, json) = check_json(&url, &[]);
    assert_eq!(code, 1);
    let port = server.port();
    assert_eq!(
        json["message"],
        format!(
            "Access to fetch at 'http://localhost:{port}/authorize' (redirected from '{url}') from origin '{PAGE}' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '{PAGE}' that is not equal to the supplied origin. Have the server send the header with a valid value."
        )
    );
    let seen = server.seen();
    assert_eq!(seen[1].headers["origin"], "null");
    let ids: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"cross-origin-redirect"), "{ids:?}");
    // The advice leads with navigating (a sign-in redirect) and never allows `null`.
    let advice = json["advice"].as_array().unwrap();
    let first = advice[0]["summary"].as_str().unwrap();
    assert!(first.contains("navigate the window"), "{first}");
    assert!(first.contains("directly"), "{first}");
    for a in advice {
        assert!(a["corsair"].is_null(), "no configuration allows null: {a}");
        assert!(
            !a["summary"].as_str().unwrap().contains("origin `null` on"),
            "{a}"
        );
    }
}

#[test]
fn the_trace_shows_each_check_the_message_and_the_fix() {
    let server = server(|_, _| {
        (
            204,
            vec![
                ("access-control-allow-origin", "*"),
                ("access-control-allow-methods", "GET, POST"),
                ("access-control-max-age", "86400"),
            ],
        )
    });
    let url = server.url("/items/1");
    let output = corsair(&[&url, "--origin", PAGE, "-X", "DELETE"]);
    assert_eq!(output.status.code(), Some(1));
    let trace = String::from_utf8_lossy(&output.stdout);
    for expected in [
        &format!("1. preflight: OPTIONS {url}")[..],
        "access-control-request-method: DELETE",
        "← 204 No Content",
        "✓ Access-Control-Allow-Origin",
        "✗ Access-Control-Allow-Methods: DELETE not allowed",
        "Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.",
        "corsair (TOML):",
        "allow_methods = [\"DELETE\", \"GET\", \"OPTIONS\", \"PATCH\", \"POST\", \"PUT\"]",
        "CORS_ALLOW_METHODS = (*default_methods, \"DELETE\")",
        "add_header Access-Control-Allow-Methods",
    ] {
        assert!(
            trace.contains(expected),
            "missing `{expected}` in:\n{trace}"
        );
    }
}

#[test]
fn warnings_name_what_other_browsers_do() {
    let server = server(|_, _| {
        (
            204,
            vec![
                ("access-control-allow-origin", "*"),
                ("access-control-allow-headers", "*"),
                ("access-control-max-age", "86400"),
            ],
        )
    });
    let (code, json) = check_json(&server.url("/"), &["-H", "Authorization: Bearer t"]);
    assert_eq!(code, 0, "{json}");
    let ids: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "authorization-not-covered-by-wildcard",
            "max-age-above-browser-cap"
        ]
    );
}

#[test]
fn no_server_is_a_network_error() {
    // Bind and drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let (code, json) = check_json(&url, &[]);
    assert_eq!(code, 2);
    assert_eq!(json["verdict"], "error");
    assert_eq!(json["message"], Value::Null);
    let error = json["steps"][0]["error"].as_str().unwrap();
    assert!(error.starts_with("network error: GET"), "{error}");
    let text = corsair(&[&url, "--origin", PAGE]);
    assert_eq!(text.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&text.stderr).contains("network error"));
}

#[test]
fn a_silent_server_times_out_as_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (code, json) = check_json(&url, &["--timeout", "1"]);
    assert_eq!(code, 2);
    let error = json["steps"][0]["error"].as_str().unwrap();
    assert!(error.contains("no response within 1 s"), "{error}");
    drop(listener);
}

/// The whole live check is bounded by `--deadline`, whatever `--timeout` allows each response.
#[test]
fn a_silent_server_is_given_up_on_at_the_deadline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let started = std::time::Instant::now();
    let (code, json) = check_json(&url, &["--timeout", "30", "--deadline", "1"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(code, 2);
    let error = json["steps"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("no response before the check's --deadline of 1 s"),
        "{error}"
    );
    drop(listener);
}

/// A listener on one of Chromium's unsafe ports, when that port is free here: nothing may
/// connect to it.
fn unsafe_port_listener() -> Option<(u16, std::net::TcpListener)> {
    [6667, 6666, 6668, 6669, 10080]
        .into_iter()
        .find_map(|port| {
            let listener = std::net::TcpListener::bind(("127.0.0.1", port)).ok()?;
            listener.set_nonblocking(true).ok()?;
            Some((port, listener))
        })
}

fn assert_never_connected(listener: Option<(u16, std::net::TcpListener)>) {
    if let Some((port, listener)) = listener {
        let accepted = listener.accept();
        assert!(
            accepted
                .as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
            "something connected to port {port}: {accepted:?}"
        );
    }
}

/// Chromium never connects to its unsafe ports (`net::ERR_UNSAFE_PORT`), at the first URL
/// or at a redirect; neither does `check`, which says what Chromium says.
#[test]
fn unsafe_ports_are_refused_like_chromium_without_connecting() {
    let listening = unsafe_port_listener();
    let port = listening.as_ref().map_or(6667, |(port, _)| *port);
    for url in [
        format!("http://127.0.0.1:{port}/api"),
        "http://127.0.0.1:22/api".to_owned(),
    ] {
        let (code, json) = check_json(&url, &["-X", "PUT", "--timeout", "1"]);
        assert_eq!(code, 1, "{url}: {json}");
        assert_eq!(json["verdict"], "blocked", "{url}");
        assert_eq!(
            json["message"], "Failed to load resource: net::ERR_UNSAFE_PORT",
            "{url}"
        );
        let text = corsair(&[&url, "--origin", PAGE]);
        let report = String::from_utf8_lossy(&text.stdout);
        assert!(report.contains("never connects to port"), "{report}");
    }

    let redirecting = RecordingServer::start(move |_, _| {
        (
            302,
            vec![
                ("location", format!("http://127.0.0.1:{port}/x")),
                ("access-control-allow-origin", "*".to_owned()),
            ],
        )
    });
    let (code, json) = check_json(&redirecting.url("/go"), &["--timeout", "1"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        json["message"],
        "Failed to load resource: net::ERR_UNSAFE_PORT"
    );
    assert_eq!(
        redirecting.seen().len(),
        1,
        "only the redirect was requested"
    );
    assert_never_connected(listening);
}

#[test]
fn usage_errors_exit_2_and_say_what_to_write() {
    let table: &[(&[&str], &str)] = &[
        (&["http://127.0.0.1:1/"], "--origin"),
        (
            &["http://127.0.0.1:1/", "--origin", PAGE, "-H", "X-Token"],
            "'Name: value'",
        ),
        (
            &["http://127.0.0.1:1/", "--origin", PAGE, "-X", "TRACE"],
            "TRACE",
        ),
        (
            &[
                "http://127.0.0.1:1/",
                "--origin",
                PAGE,
                "-X",
                "GET",
                "--body-type",
                "text",
            ],
            "GET/HEAD",
        ),
        (
            &["http://127.0.0.1:1/", "--origin", "app.example"],
            "scheme://host",
        ),
        (&["not a url", "--origin", PAGE], "absolute URL"),
        (
            &[
                "http://127.0.0.1:1/",
                "--origin",
                PAGE,
                "--body-type",
                "xml",
            ],
            "xml",
        ),
    ];
    for (args, expected) in table {
        let output = corsair(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: `{expected}` not in {stderr}"
        );
    }
}

#[test]
fn hostile_input_never_panics() {
    let inputs: &[&[&str]] = &[
        &["http://[::1", "--origin", PAGE],
        &["http://127.0.0.1:1/", "--origin", "null"],
        &["http://127.0.0.1:1/", "--origin", PAGE, "-H", ": v"],
        &["http://127.0.0.1:1/", "--origin", PAGE, "-H", "x:\u{7f}"],
        &["http://127.0.0.1:1/", "--origin", PAGE, "-X", "G\u{e9}T"],
        &["ftp://127.0.0.1/", "--origin", PAGE],
        &["http://127.0.0.1:1/", "--origin", "http://\u{1}x"],
    ];
    for args in inputs {
        let output = corsair(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(output.status.code(), Some(1 | 2)),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_tls_failure_is_a_network_error() {
    // https to a plain-http server: the handshake fails, as it would in the browser.
    let server = server(|_, _| (200, vec![("access-control-allow-origin", "*")]));
    let url = server.url("/").replace("http://", "https://");
    let (code, json) = check_json(&url, &[]);
    assert_eq!(code, 2, "{json}");
    assert_eq!(json["verdict"], "error");
    let error = json["steps"][0]["error"].as_str().unwrap();
    assert!(
        error.starts_with(&format!("network error: GET {url}")),
        "{error}"
    );
}
