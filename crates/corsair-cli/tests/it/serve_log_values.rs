//! What a client sends reaches the logs escaped: a raw C1 control character (U+009B, which
//! terminals read as CSI) in the path or the `Origin` of a request is written percent-encoded in
//! the access log, text and JSON, as every untrusted value is.

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;

/// The request of finding N18, byte for byte: U+009B (`C2 9B` in UTF-8) in the path and in the
/// `Origin` header.
const REQUEST: &[u8] =
    b"GET /api/x\xc2\x9b2J HTTP/1.1\r\nHost: a.example\r\nOrigin: https://app.example\xc2\x9b[2J\r\nConnection: close\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_c1_control_character_reaches_the_access_log_escaped_in_text_and_json() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("log-c1");
    write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"https://app.example\"]",
    );
    for format in ["text", "json"] {
        let corsair = Corsair::start(&dir, &["--log-format", format]);
        let answer = raw_exchange(corsair.addr, REQUEST).await;
        assert_ne!(answer.status, 0, "{format}: {answer:?}");
        let line = corsair.wait_for_log("corsair::access").await;
        assert!(
            !line.chars().any(|c| c.is_control()),
            "{format}: a control character in {line:?}"
        );
        assert!(
            line.contains("%C2%9B[2J"),
            "{format}: the origin in {line:?}"
        );
        if answer.status != 400 {
            assert!(
                line.contains("/api/x%C2%9B2J"),
                "{format}: the path in {line:?}"
            );
        }
        if format == "json" {
            let entry: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(entry["origin"], "https://app.example%C2%9B[2J", "{line}");
        }
    }
}
