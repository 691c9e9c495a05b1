//! `corsair lint`: exit 0 when clean, 1 with warnings only, 2 with errors; every finding names
//! its id, setting, source and fix.

use std::path::Path;
use std::process::Command;

use crate::temp_dirs::temp_dir;

/// Runs `corsair lint ARGS` in `dir` with only `env` as `CORS_*` variables.
fn lint(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_corsair"));
    command.current_dir(dir).arg("lint").args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("CORS_") {
            command.env_remove(key);
        }
    }
    let output = command.envs(env.iter().copied()).output().unwrap();
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code().expect("exited"), text)
}

/// The block of output about finding `id`.
fn block<'a>(output: &'a str, id: &str) -> &'a str {
    output
        .split("\n\n")
        .find(|b| b.contains(&format!("[{id}]")))
        .unwrap_or_else(|| panic!("no [{id}] in:\n{output}"))
}

#[test]
fn exit_status_says_clean_warnings_or_errors() {
    let dir = temp_dir("exit");
    let table = [
        (
            "clean",
            "[cors]\nallowed_origins = [\"https://app.example\"]\n",
            0,
        ),
        (
            "warning",
            "[cors]\nallowed_origins = [\"https://App.Example\"]\n",
            1,
        ),
        ("advice", "[cors]\nallow_all_origins = true\n", 1),
        ("error", "[cors]\nallowed_origins = [\"app.example\"]\n", 2),
        ("syntax", "[cors\nallowed_origins = 1\n", 2),
    ];
    for (name, text, expected) in table {
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        let (code, output) = lint(&dir, &[file.to_str().unwrap()], &[]);
        assert_eq!(code, expected, "{name}:\n{output}");
    }
}

#[test]
fn findings_name_the_setting_the_line_and_the_fix() {
    let dir = temp_dir("findings");
    std::fs::write(
        dir.join("corsair.toml"),
        concat!(
            "[server]\n",
            "upstream = \"http://127.0.0.1:8000\"\n",
            "\n",
            "[cors]\n",
            "allowed_origins = [\n",
            "  \"https://app.example\",\n",
            "  \"https://app.example:443\",\n",
            "]\n",
            "allowed_origin_regexes = ['https://.*example\\.com']\n",
            "allow_credentials = false\n",
            "allow_methods = [\"get\"]\n",
        ),
    )
    .unwrap();
    // No FILE: ./corsair.toml is audited.
    let (code, output) = lint(&dir, &[], &[]);
    assert_eq!(code, 1, "warnings only: {output}");
    assert!(output.starts_with("corsair lint: corsair.toml"), "{output}");
    let expectations = [
        (
            "origin-default-port",
            "allowed_origins",
            "corsair.toml:7",
            "https://app.example`",
        ),
        (
            "broad-regex",
            "allowed_origin_regexes",
            "corsair.toml:9",
            "example\\.com",
        ),
        (
            "method-not-normalised",
            "allow_methods",
            "corsair.toml:11",
            "GET",
        ),
    ];
    for (id, setting, source, fix) in expectations {
        let text = block(&output, id);
        for needle in [setting, source, fix] {
            assert!(text.contains(needle), "{needle} missing from:\n{text}");
        }
        assert!(text.contains("fix:"), "{text}");
    }
}

#[test]
fn the_environment_is_audited_with_variable_names_as_sources() {
    let dir = temp_dir("env");
    let env = [
        ("CORS_ORIGIN_WHITELIST", "https://app.example,null"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ];
    // Even with ./corsair.toml present, --env audits the variables.
    std::fs::write(
        dir.join("corsair.toml"),
        "[cors]\nallow_all_origins = true\n",
    )
    .unwrap();
    let (code, output) = lint(&dir, &["--env"], &env);
    assert_eq!(code, 2, "{output}");
    assert!(output.contains("CORS_* environment"), "{output}");
    let null = block(&output, "null-with-credentials");
    assert!(
        null.contains("environment variable CORS_ORIGIN_WHITELIST"),
        "{null}"
    );
    let legacy = block(&output, "deprecated-setting-name");
    assert!(legacy.contains("CORS_ALLOWED_ORIGINS"), "{legacy}");

    // Without a file and without --env, the environment is audited too.
    let empty = temp_dir("env-default");
    let (code, output) = lint(
        &empty,
        &[],
        &[("CORS_ALLOWED_ORIGINS", "https://app.example")],
    );
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("no problems found"), "{output}");
}

#[test]
fn json_output_is_one_object_with_every_finding() {
    let dir = temp_dir("json");
    let file = dir.join("c.toml");
    std::fs::write(
        &file,
        "[cors]\nallowed_origins = [\"http://localhost:3000\"]\nallow_credentials = true\nallow_credential = true\n",
    )
    .unwrap();
    let (code, output) = lint(&dir, &["--json", file.to_str().unwrap()], &[]);
    assert_eq!(code, 2);
    let report: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(report["errors"], 1);
    assert!(
        report["policy"].is_null(),
        "no policy is built from an invalid file"
    );
    let findings = report["findings"].as_array().unwrap();
    let unknown = findings.iter().find(|f| f["id"] == "unknown-key").unwrap();
    assert_eq!(unknown["severity"], "error");
    assert_eq!(unknown["fix"], "did you mean `allow_credentials`?");
    assert!(unknown["source"].as_str().unwrap().ends_with("c.toml:4"));
}

#[test]
fn a_file_and_env_together_is_a_usage_error() {
    let dir = temp_dir("usage");
    let (code, output) = lint(&dir, &["x.toml", "--env"], &[]);
    assert_eq!(code, 2);
    assert!(output.contains("cannot be used with"), "{output}");
}

#[test]
fn routes_are_audited_and_each_effective_policy_printed() {
    let dir = temp_dir("routes");
    std::fs::write(
        dir.join("corsair.toml"),
        concat!(
            "[cors]\n",
            "allowed_origins = [\"https://app.example.com\"]\n",
            "allow_credentials = true\n",
            "[[cors.routes]]\n",
            "path = \"^/public/\"\n",
            "allow_all_origins = true\n",
            "allow_credentials = false\n",
            "[[cors.routes]]\n",
            "path = \"^/public/private/\"\n",
            "allowed_origins = [\"https://partner.example.org\"]\n",
            "[[cors.routes]]\n",
            "path = \"^/same/\"\n",
            "allow_credentials = true\n",
        ),
    )
    .unwrap();
    let (code, output) = lint(&dir, &[], &[]);
    assert_eq!(code, 1, "warnings only: {output}");
    for needle in [
        r#"route cors.routes[0] (path "^/public/"): origins=* credentials=false"#,
        r#"route cors.routes[1] (path "^/public/private/"): origins=[https://partner.example.org] credentials=true"#,
    ] {
        assert!(output.contains(needle), "{needle} missing from:\n{output}");
    }
    let shadowed = block(&output, "route-never-matches");
    assert!(shadowed.contains("corsair.toml:9"), "{shadowed}");
    assert!(shadowed.contains("cors.routes[0]"), "{shadowed}");
    assert!(
        shadowed.contains("move the more specific route"),
        "{shadowed}"
    );
    let same = block(&output, "route-same-as-default");
    assert!(same.contains("corsair.toml:12"), "{same}");
    let (_, json) = lint(&dir, &["--json"], &[]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["routes"].as_array().unwrap().len(), 3, "{json}");
}

#[test]
fn allow_private_network_is_said_to_have_no_effect_in_current_browsers() {
    let dir = temp_dir("private-network");
    let table = [
        (
            "file",
            "[cors]\nallowed_origins = [\"https://app.example\"]\nallow_private_network = true\n",
            &[][..],
            "corsair.toml:3",
        ),
        (
            "environment",
            "[cors]\nallowed_origins = [\"https://app.example\"]\n",
            &[("CORS_ALLOW_PRIVATE_NETWORK", "true")][..],
            "CORS_ALLOW_PRIVATE_NETWORK",
        ),
    ];
    for (name, text, env, source) in table {
        std::fs::write(dir.join("corsair.toml"), text).unwrap();
        // lint reads the environment only without a file: audit it with --env.
        let args: &[&str] = if env.is_empty() { &[] } else { &["--env"] };
        let env: Vec<(&str, &str)> = env
            .iter()
            .copied()
            .chain([("CORS_ALLOWED_ORIGINS", "https://app.example")])
            .collect();
        let (code, output) = lint(&dir, args, &env);
        assert_eq!(code, 1, "{name}: advice only:\n{output}");
        let text = block(&output, "allow-private-network-has-no-effect");
        for needle in ["Local Network Access", "django-cors-headers", source] {
            assert!(
                text.contains(needle),
                "{name}: {needle} missing from:\n{text}"
            );
        }
    }
}

#[test]
fn origins_sources_are_checked_and_shown_without_their_password() {
    let dir = temp_dir("sources");
    let file = dir.join("corsair.toml");
    std::fs::write(
        &file,
        "[cors]\nallowed_origins = [\"https://app.example\"]\n\n[cors.origins_source]\nredis = \"redis://:s3cret@cache:6379/0\"\nkey = \"corsair:origins\"\n",
    )
    .unwrap();
    let (code, output) = lint(&dir, &[file.to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("origins also from cors.origins_source: redis://cache:6379/0 key corsair:origins, refresh 30s"),
        "{output}"
    );
    assert!(!output.contains("s3cret"), "{output}");
    let (_, json) = lint(&dir, &[file.to_str().unwrap(), "--json"], &[]);
    assert!(json.contains("\"origins_sources\""), "{json}");
    assert!(!json.contains("s3cret"), "{json}");

    // The table is checked like any other: every problem, with its line.
    std::fs::write(
        &file,
        "[cors]\nallowed_origins = [\"https://app.example\"]\n\n[cors.origins_source]\npostgres = \"postgresql://db/app\"\nrefersh = \"1s\"\n",
    )
    .unwrap();
    let (code, output) = lint(&dir, &[file.to_str().unwrap()], &[]);
    assert_eq!(code, 2, "{output}");
    assert!(
        block(&output, "unknown-key").contains("did you mean `refresh`?"),
        "{output}"
    );
    assert!(
        block(&output, "unknown-key").contains("corsair.toml:6"),
        "{output}"
    );
}

/// `corsair lint FILE | head`: a reader that goes away ends the report quietly (SIGPIPE, as Unix
/// tools end), never with a panic about a broken pipe.
#[test]
fn a_reader_that_goes_away_ends_the_report_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;

    let dir = temp_dir("closed-pipe");
    let file = dir.join("corsair.toml");
    std::fs::write(
        &file,
        "[cors]\nallowed_origins = [\"https://App.Example\"]\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsair"))
        .current_dir(&dir)
        .args(["lint", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader is gone before the report is written.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr, "", "nothing is said about the pipe");
    assert_eq!(
        output.status.signal(),
        Some(libc_sigpipe()),
        "{:?}",
        output.status
    );
}

/// SIGPIPE's number on Linux.
fn libc_sigpipe() -> i32 {
    13
}
