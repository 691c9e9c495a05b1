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
