//! A policy read from a file composes with code: the file's origins apply as they are, and an
//! asynchronous origin hook given in code decides the origins the file does not list.

use corsair::{CorsBuilder, CorsConfig};

fn headers(origin: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    headers.insert("origin", origin.parse().unwrap());
    headers
}

#[tokio::test]
async fn a_policy_from_toml_gets_an_asynchronous_origin_hook() {
    let config: CorsConfig = toml::from_str(
        r#"
        allowed_origins = ["https://app.example"]
        allow_credentials = true
        "#,
    )
    .unwrap();
    let cors = CorsBuilder::from(config)
        .allow_origin_if_async(|request| {
            let tenant = request.origin().ends_with(".tenants.example");
            async move {
                tokio::task::yield_now().await;
                tenant
            }
        })
        .build()
        .unwrap();
    let uri: http::Uri = "/api/items".parse().unwrap();

    // The file's origin is decided at once, without the hook.
    let listed = cors.evaluate(&http::Method::GET, &uri, &headers("https://app.example"));
    let decision = listed.now().expect("a listed origin is decided at once");
    assert!(decision.is_allowed());

    // An origin the file does not list is the hook's to decide, asynchronously.
    let table = [
        ("https://acme.tenants.example", true),
        ("https://evil.example", false),
    ];
    for (origin, allowed) in table {
        let evaluation = cors.evaluate(&http::Method::GET, &uri, &headers(origin));
        assert!(evaluation.now().is_none(), "{origin} waits for the hook");
        let decision = cors
            .evaluate(&http::Method::GET, &uri, &headers(origin))
            .await_decision()
            .await;
        assert_eq!(decision.is_allowed(), allowed, "{origin}");
        if allowed {
            assert_eq!(decision.allow_origin().unwrap(), origin);
        }
    }
    // The file's other settings hold for the hook's origins too.
    assert!(cors.config().allow_credentials);
}
