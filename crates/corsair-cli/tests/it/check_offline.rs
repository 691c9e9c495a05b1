//! `corsair check URL --config FILE`: one request judged offline by corsair's engine with the
//! configuration `corsair serve` would run (the file, then the `CORS_*` environment) and by
//! the browser model; nothing is sent. Its verdict, message, exit status, the rules that
//! decided, `bypassed` for paths corsair leaves alone, and configuration errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::check_support::json_of;
use crate::temp_dirs::temp_dir;

/// A routed policy: the app with credentials under /api/, public data for everyone, webhooks
/// left to the upstream.
const CONFIG: &str = r#"
[server]
upstream = "http://127.0.0.1:8000"

[cors]
allowed_origins = ["https://app.example.com"]
allow_credentials = true
urls_regex = "^/(api|public|hooks)/"

[[cors.routes]]
path = "^/public/"
allow_all_origins = true
allow_credentials = false

[[cors.routes]]
path = "^/hooks/"
enabled = false
"#;

const API: &str = "https://api.example.com";
const APP: &str = "https://app.example.com";

fn config_file(name: &str, text: &str) -> PathBuf {
    let file = temp_dir(name).join("corsair.toml");
    std::fs::write(&file, text).unwrap();
    file
}

/// Runs `corsair check ARGS` with only `env` as `CORS_*` variables.
fn check(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_corsair"));
    command.arg("check").args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("CORS_") {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().copied()).output().unwrap()
}

/// One request of the table and what corsair's engine and the browser make of it.
struct Case {
    origin: &'static str,
    method: &'static str,
    path: &'static str,
    extra: &'static [&'static str],
    verdict: &'static str,
    /// The end of Chromium's message when blocked, or the reason when bypassed.
    says: Option<&'static str>,
    decided_by: Option<&'static str>,
}

#[test]
fn verdicts_come_from_the_engine_and_the_browser_model() {
    let file = config_file("table", CONFIG);
    let config = file.to_str().unwrap();
    let default = Some("the default policy");
    let public = Some("route 0 (path \"^/public/\")");
    let cases = [
        Case {
            origin: APP,
            method: "GET",
            path: "/api/items",
            extra: &["--credentials"],
            verdict: "allowed",
            says: None,
            decided_by: default,
        },
        Case {
            origin: APP,
            method: "PUT",
            path: "/api/items/7",
            extra: &["-H", "Content-Type: application/json", "--credentials"],
            verdict: "allowed",
            says: None,
            decided_by: default,
        },
        Case {
            origin: APP,
            method: "GET",
            path: "/api/items",
            extra: &["-H", "X-Api-Key: k"],
            verdict: "blocked",
            says: Some(
                "Request header field x-api-key is not allowed by Access-Control-Allow-Headers in preflight response.",
            ),
            decided_by: default,
        },
        Case {
            origin: APP,
            method: "REPORT",
            path: "/api/items",
            extra: &[],
            verdict: "blocked",
            says: Some(
                "Method REPORT is not allowed by Access-Control-Allow-Methods in preflight response.",
            ),
            decided_by: default,
        },
        Case {
            origin: "https://evil.example",
            method: "GET",
            path: "/api/items",
            extra: &["--credentials"],
            verdict: "blocked",
            says: Some(
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            ),
            decided_by: default,
        },
        Case {
            origin: "https://evil.example",
            method: "GET",
            path: "/public/feed",
            extra: &[],
            verdict: "allowed",
            says: None,
            decided_by: public,
        },
        Case {
            origin: "https://evil.example",
            method: "GET",
            path: "/public/feed",
            extra: &["--credentials"],
            verdict: "blocked",
            says: Some(
                "must not be the wildcard '*' when the request's credentials mode is 'include'.",
            ),
            decided_by: public,
        },
        Case {
            origin: APP,
            method: "POST",
            path: "/hooks/github",
            extra: &["-H", "Content-Type: application/json"],
            verdict: "bypassed",
            says: Some("route 1 (path \"^/hooks/\") has enabled = false"),
            decided_by: None,
        },
        Case {
            origin: APP,
            method: "GET",
            path: "/static/app.js",
            extra: &[],
            verdict: "bypassed",
            says: Some("the path is outside urls_regex \"^/(api|public|hooks)/\""),
            decided_by: None,
        },
    ];
    for case in cases {
        let url = format!("{API}{}", case.path);
        let mut args = vec![
            url.as_str(),
            "--origin",
            case.origin,
            "-X",
            case.method,
            "--config",
            config,
            "--json",
        ];
        args.extend_from_slice(case.extra);
        let shown = format!(
            "{} {} from {} {:?}",
            case.method, case.path, case.origin, case.extra
        );
        let output = check(&args, &[]);
        let json = json_of(&output);
        assert_eq!(json["verdict"], case.verdict, "{shown}: {json}");
        let expected_status = if case.verdict == "blocked" { 1 } else { 0 };
        assert_eq!(output.status.code(), Some(expected_status), "{shown}");
        match (case.verdict, case.says) {
            ("blocked", Some(reason)) => {
                let message = json["message"].as_str().unwrap();
                assert!(
                    message.starts_with(&format!(
                        "Access to fetch at '{url}' from origin '{}'",
                        case.origin
                    )),
                    "{shown}: {message}"
                );
                assert!(message.ends_with(reason), "{shown}: {message}");
            }
            ("bypassed", Some(reason)) => {
                assert!(
                    json["reason"].as_str().unwrap().starts_with(reason),
                    "{shown}: {json}"
                );
                assert!(json["message"].is_null());
            }
            _ => assert!(json["message"].is_null(), "{shown}"),
        }
        assert_eq!(json["decided_by"].as_str(), case.decided_by, "{shown}");
    }
}

#[test]
fn the_trace_says_how_it_was_judged_and_which_route_decided() {
    let file = config_file("trace", CONFIG);
    let url = format!("{API}/public/feed");
    let output = check(
        &[
            &url,
            "--origin",
            "https://evil.example",
            "--credentials",
            "--config",
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    let trace = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "judged offline, by corsair's engine with",
        "decided by route 0 (path \"^/public/\") of the configuration",
        "1. request: GET https://api.example.com/public/feed",
        "access-control-allow-origin: *",
        "✗ blocked: Chromium's console says",
        "fix:",
    ] {
        assert!(trace.contains(needle), "missing `{needle}` in:\n{trace}");
    }
    let url = format!("{API}/hooks/github");
    let output = check(
        &[&url, "--origin", APP, "--config", file.to_str().unwrap()],
        &[],
    );
    assert_eq!(output.status.code(), Some(0));
    let trace = String::from_utf8_lossy(&output.stdout);
    assert!(trace.contains("↷ bypassed: route 1 (path \"^/hooks/\") has enabled = false: corsair passes the request to the upstream untouched"), "{trace}");
}

/// The environment's CORS_* variables apply over the file, as for `corsair serve`.
#[test]
fn the_environment_applies_over_the_file() {
    let file = config_file(
        "env",
        "[cors]\nallowed_origins = [\"https://app.example.com\"]\n",
    );
    let file = file.to_str().unwrap();
    let url = format!("{API}/api/items");
    let verdict = |origin: &str, env: &[(&str, &str)]| {
        json_of(&check(
            &[&url, "--origin", origin, "--config", file, "--json"],
            env,
        ))["verdict"]
            .clone()
    };
    assert_eq!(verdict(APP, &[]), "allowed");
    assert_eq!(verdict("https://next.example.com", &[]), "blocked");
    let env = [("CORS_ALLOWED_ORIGINS", "https://next.example.com")];
    assert_eq!(verdict("https://next.example.com", &env), "allowed");
    assert_eq!(verdict(APP, &env), "blocked");
}

/// A configuration that does not build is an error (exit 2) naming the line to edit; one with
/// warnings is judged, and the warnings are pointed at.
#[test]
fn configuration_problems_are_reported() {
    let broken = config_file(
        "broken",
        "[cors]\nallowed_origins = [\"app.example.com\"]\n",
    );
    let url = format!("{API}/api/items");
    let output = check(
        &[&url, "--origin", APP, "--config", broken.to_str().unwrap()],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("configuration error"), "{stderr}");
    assert!(stderr.contains("corsair.toml:2"), "{stderr}");
    let json = json_of(&check(
        &[
            &url,
            "--origin",
            APP,
            "--config",
            broken.to_str().unwrap(),
            "--json",
        ],
        &[],
    ));
    assert_eq!(json["verdict"], "error");

    let missing = Path::new("/nonexistent/corsair.toml");
    let output = check(
        &[&url, "--origin", APP, "--config", missing.to_str().unwrap()],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read the configuration file"));

    let warned = config_file(
        "warned",
        "[cors]\nallowed_origins = [\"https://App.Example.com\"]\n",
    );
    let output = check(
        &[&url, "--origin", APP, "--config", warned.to_str().unwrap()],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "normalised and allowed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("1 warning: run `corsair lint"), "{stderr}");
}

/// Local Network Access is explained whatever the verdict, offline too.
#[test]
fn local_network_access_is_explained_whatever_the_verdict() {
    let file = config_file(
        "lna",
        "[cors]\nallowed_origins = [\"https://app.example.com\", \"http://app.example.com\"]\nurls_regex = \"^/api/\"\n",
    );
    let file = file.to_str().unwrap();
    let table = [
        (
            "https://app.example.com",
            "http://localhost:8000/api/items",
            "allowed",
            "Permission was denied for this request to access the `loopback` address space.",
        ),
        (
            "http://app.example.com",
            "http://127.0.0.1:8000/api/items",
            "allowed",
            "The request client is not a secure context and the resource is in more-private address space `loopback`.",
        ),
        (
            "https://other.example.com",
            "http://192.168.1.20/api/items",
            "blocked",
            "mixed content",
        ),
        (
            "https://app.example.com",
            "http://localhost:8000/static/app.js",
            "bypassed",
            "`loopback` address space",
        ),
    ];
    for (origin, url, verdict, says) in table {
        let json = json_of(&check(
            &[url, "--origin", origin, "--config", file, "--json"],
            &[],
        ));
        assert_eq!(json["verdict"], verdict, "{origin} → {url}");
        let warning = json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == "local-network-access")
            .unwrap_or_else(|| panic!("{origin} → {url}: no LNA warning in {json}"));
        assert!(
            warning["message"].as_str().unwrap().contains(says),
            "{origin} → {url}: {warning}"
        );
    }
}

/// Origins a store adds at run time are not read offline, and the report says so.
#[test]
fn origins_from_a_store_are_said_to_be_unknown_offline() {
    let file = config_file(
        "store",
        "[cors]\nallowed_origins = [\"https://app.example.com\"]\n\n[cors.origins_source]\nredis = \"redis://127.0.0.1:1/0\"\nkey = \"corsair:origins\"\n",
    );
    let url = format!("{API}/api/items");
    let output = check(
        &[
            &url,
            "--origin",
            "https://tenant.example.com",
            "--config",
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "an origin only the store allows is unlisted offline"
    );
    let trace = String::from_utf8_lossy(&output.stdout);
    assert!(
        trace
            .contains("the origins cors.origins_source would add at run time are not read offline"),
        "{trace}"
    );
}
