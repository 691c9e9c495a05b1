//! Origin sets through the public API: a set allows origins in every policy and route it is
//! given to, follows changes at once, is inherited by routes like the origin hook, and is
//! consulted under each policy's own credential rules.

use corsair::{Cors, CorsBuilder, OriginSet};
use http::{HeaderMap, Method};

fn allowed(cors: &Cors, path: &str, origin: &str) -> bool {
    let mut headers = HeaderMap::new();
    headers.insert("origin", origin.parse().unwrap());
    let decision = cors
        .evaluate(&Method::GET, &path.parse().unwrap(), &headers)
        .now()
        .expect("no async hook");
    decision.is_allowed()
}

#[test]
fn a_set_counts_as_a_way_to_allow_origins() {
    let refused = Cors::builder().build().unwrap_err();
    assert_eq!(refused.findings()[0].id, "no-origin-allowed");
    let cors = Cors::builder()
        .allowed_origins_from(OriginSet::new())
        .build()
        .expect("an empty set is filled later");
    assert!(!allowed(&cors, "/", "https://a.example"));
}

#[test]
fn changes_reach_every_policy_sharing_the_set_at_once() {
    let tenants = OriginSet::new();
    let with_credentials = Cors::builder()
        .allowed_origins_from(tenants.clone())
        .allow_credentials(true)
        .build()
        .unwrap();
    let without = Cors::builder()
        .allowed_origins_from(tenants.clone())
        .build()
        .unwrap();
    tenants.insert("https://acme.example").unwrap();
    assert!(allowed(&with_credentials, "/", "https://acme.example"));
    assert!(allowed(&without, "/", "https://acme.example"));
    assert!(tenants.remove("https://acme.example"));
    assert!(!allowed(&with_credentials, "/", "https://acme.example"));
    assert!(!allowed(&without, "/", "https://acme.example"));
}

#[test]
fn each_policy_applies_its_own_credential_rules_to_the_set() {
    let tenants = OriginSet::new();
    let findings = tenants.replace(["http://plain.example", "null", "https://*.github.io"]);
    let ids: Vec<&str> = findings.iter().map(|f| f.id).collect();
    assert!(ids.contains(&"origin-set-entry-insecure"), "{ids:?}");
    let policy = |builder: CorsBuilder| {
        builder
            .allowed_origins_from(tenants.clone())
            .build()
            .unwrap()
    };
    let without = policy(Cors::builder());
    let credentials = policy(Cors::builder().allow_credentials(true));
    let insecure_accepted = policy(
        Cors::builder()
            .allow_credentials(true)
            .allow_insecure_origins_with_credentials(true),
    );
    // (origin, without credentials, with, with insecure origins accepted)
    let table = [
        ("http://plain.example", true, false, true),
        ("null", true, false, false),
        ("https://someone.github.io", true, false, false),
    ];
    for (origin, expected_without, expected_with, expected_insecure) in table {
        assert_eq!(allowed(&without, "/", origin), expected_without, "{origin}");
        assert_eq!(
            allowed(&credentials, "/", origin),
            expected_with,
            "{origin}"
        );
        assert_eq!(
            allowed(&insecure_accepted, "/", origin),
            expected_insecure,
            "{origin}"
        );
    }
}

#[test]
fn routes_inherit_the_sets_unless_they_name_their_origins() {
    let tenants = OriginSet::new();
    tenants.replace(["https://tenant.example"]);
    let partners = OriginSet::new();
    partners.replace(["https://partner.example"]);
    let cors = Cors::builder()
        .allowed_origins(["https://app.example"])
        .allowed_origins_from(tenants.clone())
        .route("^/cached/", Cors::builder().preflight_max_age(60))
        .route(
            "^/internal/",
            Cors::builder().allowed_origins(["https://admin.example"]),
        )
        .route(
            "^/partner/",
            Cors::builder().allowed_origins_from(partners.clone()),
        )
        .build()
        .unwrap();
    // (path, origin, allowed)
    let table = [
        ("/api", "https://tenant.example", true),
        ("/cached/x", "https://tenant.example", true),
        ("/cached/x", "https://app.example", true),
        ("/internal/x", "https://tenant.example", false),
        ("/internal/x", "https://admin.example", true),
        ("/partner/x", "https://partner.example", true),
        ("/partner/x", "https://tenant.example", false),
        ("/partner/x", "https://app.example", true),
        ("/api", "https://partner.example", false),
    ];
    for (path, origin, expected) in table {
        assert_eq!(allowed(&cors, path, origin), expected, "{path} {origin}");
    }
}

#[test]
fn a_route_with_only_a_set_needs_no_allowed_origins() {
    let partners = OriginSet::new();
    let cors = Cors::builder()
        .allow_all_origins(true)
        .route(
            "^/partner/",
            Cors::builder()
                .allow_all_origins(false)
                .allowed_origins_from(partners.clone()),
        )
        .build()
        .expect("the route allows origins through its set");
    partners.insert("https://partner.example").unwrap();
    assert!(allowed(&cors, "/partner/x", "https://partner.example"));
    assert!(!allowed(&cors, "/partner/x", "https://other.example"));
}
