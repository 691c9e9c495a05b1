//! `corsair serve` configuration: an invalid configuration never starts (exit 2, every problem
//! with its source and fix); a valid one says at start what it uses.

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;

/// Runs `corsair serve ARGS` (which must exit), returning its status and stderr.
fn run(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let output = corsair_command(dir, args, env)
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_invalid_configuration_exits_2_naming_every_problem_and_its_source() {
    let dir = temp_dir("invalid");
    std::fs::write(
        dir.join("corsair.toml"),
        concat!(
            "[server]\n",
            "upstream = \"http://127.0.0.1:8000\"\n",
            "[cors]\n",
            "allowed_origins = [\n",
            "  \"http://localhost:8080\",\n",
            "  \"https://app.example/\",\n",
            "]\n",
        ),
    )
    .unwrap();
    let (code, stderr) = run(
        &dir,
        &["--allow-all-origins"],
        &[("CORS_ALLOW_CREDENTIALS", "true")],
    );
    assert_eq!(code, Some(2), "{stderr}");
    let expected = [
        // id, setting, source, fix
        (
            "error[origin-has-path]",
            "allowed_origins",
            "corsair.toml:6",
            "write `https://app.example`",
        ),
        (
            "error[credentials-with-allow-all]",
            "allow_all_origins",
            "command-line flag --allow-all-origins",
            "list the origins",
        ),
    ];
    for (id, setting, source, fix) in expected {
        let block = stderr
            .split("\n\n")
            .find(|b| b.contains(id))
            .unwrap_or_else(|| panic!("{id} missing from:\n{stderr}"));
        for needle in [setting, source, fix] {
            assert!(block.contains(needle), "{needle} missing from:\n{block}");
        }
    }
    assert!(stderr.contains("not starting"), "{stderr}");
}

#[test]
fn environment_and_flag_errors_name_the_variable_and_the_flag() {
    let dir = temp_dir("env-errors");
    let (code, stderr) = run(
        &dir,
        &["--upstream", "localhost:8000"],
        &[
            ("CORS_ALLOWED_ORIGINS", "http://localhost:8080"),
            ("CORS_PREFLIGHT_MAX_AGE", "a day"),
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    for needle in [
        "environment variable CORS_PREFLIGHT_MAX_AGE",
        "command-line flag --upstream",
        "http://localhost:8000",
    ] {
        assert!(stderr.contains(needle), "{needle} missing from:\n{stderr}");
    }

    let (code, stderr) = run(&dir, &["--config", "missing.toml"], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("config-file-unreadable"), "{stderr}");
}

#[test]
fn without_any_origin_corsair_refuses_to_start_and_says_what_to_write() {
    let dir = temp_dir("no-origin");
    let (code, stderr) = run(&dir, &[], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no-origin-allowed"), "{stderr}");
    assert!(stderr.contains("http://localhost:8080"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_line_names_the_file_the_upstream_and_the_policy_and_warnings_print_once() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("start-line");
    write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"http://localhost:8080\", \"null\"]\npreflight_max_age = 600",
    );
    // No --config: ./corsair.toml of the working directory is used.
    let corsair = Corsair::start_with_env(
        &dir,
        &["--expose-headers", "x-request-id", "--workers", "2"],
        &[],
    );
    let start = corsair.wait_for_log("listening on").await;
    for needle in [
        "config=\"corsair.toml\"",
        &format!("upstream=http://{}", upstream.addr),
        "workers=2",
        "origins=[http://localhost:8080, null]",
        "expose=[x-request-id]",
        "max_age=600",
    ] {
        assert!(start.contains(needle), "{needle} missing from: {start}");
    }
    let warning = corsair.wait_for_log("null-origin-allowed").await;
    assert!(warning.contains("corsair.toml:"), "{warning}");
    let answer = send(&client(), "GET", &corsair.url("/"), &[("origin", APP)], "").await;
    assert_eq!(answer.status, 200);
    let count = corsair
        .log()
        .iter()
        .filter(|l| l.contains("null-origin-allowed"))
        .count();
    assert_eq!(count, 1, "warnings print once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("json");
    write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"http://localhost:8080\"]",
    );
    let corsair = Corsair::start(&dir, &["--log-format", "json"]);
    send(
        &client(),
        "GET",
        &corsair.url("/api/x?secret=1"),
        &[("origin", APP)],
        "",
    )
    .await;
    let line = corsair.wait_for_log("corsair::access").await;
    let entry: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["method"], "GET");
    assert_eq!(entry["path"], "/api/x", "the query is not logged");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["origin"], APP);
    assert_eq!(entry["cors"], "allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_debug_level_each_refusal_says_why() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("debug");
    write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"http://localhost:8080\"]\nallow_methods = [\"GET\", \"POST\"]",
    );
    let corsair = Corsair::start_with_env(&dir, &[], &[("RUST_LOG", "corsair=debug")]);
    let client = client();
    let cases = [
        (APP, "DELETE", "method DELETE not allowed"),
        ("https://evil.example", "POST", "origin not allowed"),
    ];
    for (origin, method, reason) in cases {
        let preflight = [
            ("origin", origin),
            ("access-control-request-method", method),
        ];
        send(&client, "OPTIONS", &corsair.url("/api/x"), &preflight, "").await;
        let line = corsair.wait_for_log(reason).await;
        assert!(line.contains("CORS request refused"), "{line}");
        assert!(line.contains(origin), "{line}");
    }
    let headers = [
        ("origin", APP),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "x-api-key"),
    ];
    send(&client, "OPTIONS", &corsair.url("/api/x"), &headers, "").await;
    corsair
        .wait_for_log("request header x-api-key not allowed")
        .await;
}
