//! Policies per route through `corsair serve`: the routes issue's configuration in a file, in
//! front of a real upstream that sets its own reflecting CORS headers, over real sockets.

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;

const CONFIG: &str = r#"
allowed_origins = ["https://app.example.com"]
allow_credentials = true
expose_headers = ["x-request-id"]

[[cors.routes]]
path = "^/public/"
allow_all_origins = true
allow_credentials = false

[[cors.routes]]
path = "^/partner/"
allowed_origins = ["https://partner.example.org"]

[[cors.routes]]
path = "^/webhooks/"
enabled = false
"#;

/// `(method, path, origin, preflight method)` and the expected `Access-Control-Allow-Origin`,
/// `Access-Control-Allow-Credentials`, and whether the upstream answered.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    bool,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_route_answers_with_its_own_policy() {
    let upstream = reflecting_upstream().await;
    let dir = temp_dir("routes");
    write_config(&dir, upstream, "", CONFIG);
    let corsair = Corsair::start(&dir, &[]);
    let client = client();
    let app = "https://app.example.com";
    let partner = "https://partner.example.org";
    let stranger = "https://stranger.example";
    let table: [Case; 9] = [
        // The default policy: the app, with credentials.
        ("GET", "/api/me", app, None, Some(app), Some("true"), true),
        ("GET", "/api/me", partner, None, None, None, true),
        // Public: any origin, without credentials (the upstream's reflection is replaced).
        ("GET", "/public/feed", stranger, None, Some("*"), None, true),
        (
            "OPTIONS",
            "/public/feed",
            stranger,
            Some("PUT"),
            Some("*"),
            None,
            false,
        ),
        // Partner: its own list replaces the app's; credentials inherited.
        (
            "GET",
            "/partner/orders",
            partner,
            None,
            Some(partner),
            Some("true"),
            true,
        ),
        ("GET", "/partner/orders", app, None, None, None, true),
        (
            "OPTIONS",
            "/partner/orders",
            partner,
            Some("DELETE"),
            Some(partner),
            Some("true"),
            false,
        ),
        // Webhooks: no CORS at all; the upstream's own headers pass, a preflight is forwarded.
        (
            "GET",
            "/webhooks/stripe",
            stranger,
            None,
            Some(stranger),
            Some("true"),
            true,
        ),
        (
            "OPTIONS",
            "/webhooks/stripe",
            stranger,
            Some("POST"),
            Some(stranger),
            Some("true"),
            true,
        ),
    ];
    for (method, path, origin, preflight, allow_origin, credentials, forwarded) in table {
        let mut headers = vec![("origin", origin)];
        if let Some(requested) = preflight {
            headers.push(("access-control-request-method", requested));
        }
        let answer = send(&client, method, &corsair.url(path), &headers, "").await;
        let shown = format!("{method} {path} from {origin}");
        assert_eq!(
            answer.header("access-control-allow-origin"),
            allow_origin,
            "{shown}"
        );
        assert_eq!(
            answer.header("access-control-allow-credentials"),
            credentials,
            "{shown}"
        );
        assert_eq!(
            answer.body == "secret",
            forwarded,
            "{shown}: {}",
            answer.body
        );
        if path.starts_with("/webhooks/") {
            assert_eq!(answer.header("vary"), None, "{shown}: no CORS, no Vary");
        } else {
            assert!(
                answer.header("vary").unwrap_or_default().contains("origin"),
                "{shown}"
            );
        }
    }
}

#[test]
fn a_route_error_names_the_route_and_both_lines() {
    let dir = temp_dir("routes-error");
    std::fs::write(
        dir.join("corsair.toml"),
        concat!(
            "[cors]\n",
            "allowed_origins = [\"https://app.example.com\"]\n",
            "allow_credentials = true\n",
            "\n",
            "[[cors.routes]]\n",
            "path = \"^/public/\"\n",
            "allow_all_origins = true\n",
        ),
    )
    .unwrap();
    let output = corsair_command(&dir, &["--listen", "127.0.0.1:0"], &[])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for needle in [
        r#"error[credentials-with-allow-all] cors.routes[0] (path "^/public/") allow_all_origins"#,
        "corsair.toml:7",
        "corsair.toml:3 (allow_credentials, inherited from [cors])",
    ] {
        assert!(stderr.contains(needle), "{needle} missing from:\n{stderr}");
    }
}
