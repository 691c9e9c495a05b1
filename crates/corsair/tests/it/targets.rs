//! `Cors::evaluate_target` (a target held as text) decides as `Cors::evaluate` (a `Uri`) does
//! for every target that parses as a `Uri`: the same path for the rules and routes, the same
//! query for an origin hook.

use http::{HeaderMap, HeaderValue, Method, Uri};

use corsair::Cors;

fn policy() -> Cors {
    Cors::builder()
        .allowed_origins(["https://app.example"])
        .urls_regex("^/(api|admin|public)/")
        .allow_origin_if(|request| {
            request.query() == Some("embed=1") && request.path().starts_with("/api/")
        })
        .route(
            "^/admin/",
            Cors::builder().allowed_origins(["https://admin.example"]),
        )
        .route("^/public/", Cors::builder().allow_all_origins(true))
        .build()
        .unwrap()
}

/// What a decision tells: its kind, whether it allows, and the headers it writes.
fn outcome(cors: &Cors, decision: &corsair::Decision) -> String {
    let mut headers = HeaderMap::new();
    match decision.kind() {
        corsair::RequestKind::Preflight => cors.write_preflight_headers(decision, &mut headers),
        _ => cors.apply(decision, &mut headers),
    }
    format!(
        "{:?} {} {headers:?}",
        decision.kind(),
        decision.is_allowed()
    )
}

#[test]
fn a_target_as_text_is_decided_as_its_uri_is() {
    let cors = policy();
    let targets = [
        "/",
        "/api/items",
        "/api/items?page=2",
        "/api/items?embed=1",
        "/api/items?",
        "/api?/items",
        "/items?next=/api/",
        "/admin/users",
        "/admin/users?embed=1",
        "/public/feed?a=1&b=2",
        "/api/a%2Fb/?q=%3F",
        "/API/items",
        "/api/items?x=?y",
    ];
    let origins = [
        None,
        Some("https://app.example"),
        Some("https://admin.example"),
        Some("https://other.example"),
        Some("null"),
    ];
    for target in targets {
        let uri: Uri = target.parse().unwrap();
        for origin in origins {
            for method in [Method::GET, Method::OPTIONS] {
                let mut headers = HeaderMap::new();
                if let Some(origin) = origin {
                    headers.insert("origin", HeaderValue::from_static(origin));
                }
                if method == Method::OPTIONS {
                    headers.insert(
                        "access-control-request-method",
                        HeaderValue::from_static("GET"),
                    );
                }
                let by_uri = cors.evaluate(&method, &uri, &headers).now().unwrap();
                let by_target = cors
                    .evaluate_target(&method, target, &headers)
                    .now()
                    .unwrap();
                assert_eq!(
                    outcome(&cors, &by_target),
                    outcome(&cors, &by_uri),
                    "{method} {target} from {origin:?}"
                );
            }
        }
    }
}
