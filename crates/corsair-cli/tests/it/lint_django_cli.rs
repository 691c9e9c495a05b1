//! `corsair lint --django` as a command: settings from stdin or a file, text or `--json`, exit
//! status 0 clean, 1 warnings only, 2 errors or unreadable input.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::temp_dirs::temp_dir;

/// Runs `corsair lint --django ARGS` with `stdin`; (exit status, stdout, stderr).
fn lint_django(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsair"))
        .args(["lint", "--django"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().expect("exited"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn exit_status_says_clean_warnings_or_errors() {
    let table = [
        (
            r#"{"CORS_ALLOWED_ORIGINS": ["https://app.example.com"]}"#,
            0,
        ),
        (
            r#"{"CORS_ALLOWED_ORIGINS": ["https://app.example.com/"]}"#,
            1,
        ),
        (
            r#"{"CORS_ALLOW_ALL_ORIGINS": true, "CORS_ALLOW_CREDENTIALS": true}"#,
            2,
        ),
    ];
    for (settings, expected) in table {
        let (code, stdout, stderr) = lint_django(&[], settings);
        assert_eq!(code, expected, "{settings}:\n{stdout}{stderr}");
    }
}

#[test]
fn text_names_the_id_the_setting_the_value_and_the_fix() {
    let (code, stdout, _) = lint_django(
        &["-"],
        r#"{"CORS_ALLOWED_ORIGIN_REGEXES": ["^https://\\w+\\.example\\.com"]}"#,
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("warning[corsair.W001 broad-regex] CORS_ALLOWED_ORIGIN_REGEXES"),
        "{stdout}"
    );
    assert!(
        stdout.contains(r"= value: r'^https://\w+\.example\.com'"),
        "{stdout}"
    );
    assert!(
        stdout.contains(".example.com.corsairprobe.com`"),
        "{stdout}"
    );
    assert!(
        stdout.contains(r"= fix:   end it with `$`: `^https://\w+\.example\.com$`"),
        "{stdout}"
    );
    assert!(stdout.ends_with("1 warning\n"), "{stdout}");
}

#[test]
fn json_is_one_object_with_every_finding() {
    let (code, stdout, _) = lint_django(
        &["--json"],
        r#"{"CORS_ORIGIN_ALLOW_ALL": true, "CORS_ALLOW_CREDENTIALS": true, "CORS_URLS_REGEX": "^/api/"}"#,
    );
    assert_eq!(code, 2);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["mode"], "django");
    assert_eq!(report["errors"], 1);
    let findings = report["findings"].as_array().unwrap();
    let error = &findings[0];
    assert_eq!(error["id"], "corsair.E003");
    assert_eq!(error["kind"], "credentials-with-allow-all");
    assert_eq!(error["severity"], "error");
    assert_eq!(error["setting"], "CORS_ORIGIN_ALLOW_ALL");
    assert_eq!(error["value"], true);
    assert!(
        error["check_message"].as_str().unwrap().starts_with(
            "CORS_ORIGIN_ALLOW_ALL = True: together with CORS_ALLOW_CREDENTIALS = True"
        ),
        "{error}"
    );
    assert!(findings.iter().any(|f| f["id"] == "corsair.W025"));
}

#[test]
fn a_file_is_read_like_stdin() {
    let dir = temp_dir("lint-django");
    let file = dir.join("settings.json");
    std::fs::write(&file, r#"{"CORS_ALLOWED_ORIGINS": ["null"]}"#).unwrap();
    let (code, stdout, _) = lint_django(&[file.to_str().unwrap()], "");
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("corsair.W002"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_input_is_a_usage_error() {
    for (input, says) in [
        ("CORS_ALLOWED_ORIGINS = []", "not JSON"),
        ("[]", "JSON object"),
        (r#"{"debug": true}"#, "unknown key `debug`"),
    ] {
        let (code, stdout, stderr) = lint_django(&["--json"], input);
        assert_eq!(code, 2, "{input}");
        assert!(stdout.is_empty(), "{input}: {stdout}");
        assert!(
            stderr.starts_with("corsair lint --django: ") && stderr.contains(says),
            "{input}: {stderr}"
        );
    }
    let (code, _, stderr) = lint_django(&["/nonexistent/settings.json"], "");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read /nonexistent/settings.json"),
        "{stderr}"
    );
}
