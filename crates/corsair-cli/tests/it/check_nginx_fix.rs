//! The doctor's nginx advice, applied to a real nginx: for a server without CORS, `corsair check
//! --json` says what to add; pasted into the location, it turns the verdict into "allowed".
//!
//! Needs `nginx` (see [`crate::nginx`]).

use std::process::{Command, Output};

use serde_json::Value;

use crate::nginx::Nginx;

const PAGE: &str = "http://localhost:8080";

fn check(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsair"))
        .args(["check", url, "--origin", PAGE, "--json"])
        .args(args)
        .output()
        .unwrap()
}

fn verdict(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn the_nginx_fix_makes_the_request_pass_in_real_nginx() {
    let requests: [(&str, &[&str]); 4] = [
        ("get", &[]),
        ("get-credentials", &["--credentials"]),
        (
            "put-json",
            &["--method", "PUT", "-H", "Content-Type: application/json"],
        ),
        (
            "delete-token-credentials",
            &["--method", "DELETE", "-H", "X-Token: 1", "--credentials"],
        ),
    ];
    let bare = Nginx::json_api("nginx-fix-bare", "");
    for (name, args) in requests {
        let before = check(&bare.url("/api/items"), args);
        assert_eq!(
            before.status.code(),
            Some(1),
            "{name}: blocked without CORS"
        );
        let before = verdict(&before);
        let snippet = before["advice"][0]["nginx"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no nginx advice in {before:#}"));
        let fixed = Nginx::json_api(&format!("nginx-fix-{name}"), snippet);
        let after = check(&fixed.url("/api/items"), args);
        let after_json = verdict(&after);
        assert_eq!(
            after.status.code(),
            Some(0),
            "{name}: still blocked with\n{snippet}\n{after_json:#}"
        );
        assert_eq!(after_json["verdict"], "allowed", "{name}");
        assert_eq!(
            after_json["warnings"].as_array().map(Vec::len),
            Some(usize::from(args.contains(&"--credentials"))),
            "{name}: the fix brings no warning of its own (credentials across sites always get one): {after_json:#}"
        );
    }
}
