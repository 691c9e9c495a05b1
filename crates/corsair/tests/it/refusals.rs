//! A decision's refusal kind (what metrics count, without allocating: `Cors::refusal`, checked on
//! demand, and what an observer is told, checked while deciding) always agrees with the detailed
//! explanation (`Cors::explain_preflight`, for logs).

use corsair::{Cors, Refusal, RefusalKind};
use http::{HeaderMap, HeaderValue, Method, Uri};
use proptest::prelude::*;

fn policy(credentials: bool) -> Cors {
    builder(credentials).build().unwrap()
}

/// The same policy, with an observer that keeps the refusal it is told.
fn observed(credentials: bool) -> (Cors, std::sync::Arc<std::sync::Mutex<Option<RefusalKind>>>) {
    let told = std::sync::Arc::new(std::sync::Mutex::new(None));
    let keep = std::sync::Arc::clone(&told);
    let cors = builder(credentials)
        .observer(move |seen: &corsair::Observation<'_>| {
            *keep.lock().unwrap() = seen.refusal();
        })
        .build()
        .unwrap();
    (cors, told)
}

fn builder(credentials: bool) -> corsair::CorsBuilder {
    let builder = Cors::builder()
        .allowed_origins(["https://app.example"])
        .allow_methods(["GET", "PUT", "patch"])
        .allow_headers(["content-type", "x-token"])
        .route(
            "^/open/",
            Cors::builder()
                .allow_all_origins(true)
                .allow_credentials(false)
                .allow_headers(["*"]),
        );
    builder.allow_credentials(credentials)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_refusal_kind_agrees_with_the_explanation(
        credentials in any::<bool>(),
        origin in prop_oneof![Just("https://app.example"), Just("https://evil.example"), Just("https://app.example/"), Just("null")],
        path in prop_oneof![Just("/api/x"), Just("/open/x")],
        method in prop_oneof![Just("GET"), Just("PUT"), Just("DELETE"), Just("patch"), Just("PATCH"), Just("*")],
        requested in proptest::collection::vec(prop_oneof![Just("content-type"), Just("X-Token"), Just("authorization"), Just("x-other"), Just("bad name"), Just("")], 0..4),
    ) {
        let cors = policy(credentials);
        let mut headers = HeaderMap::new();
        headers.insert("origin", HeaderValue::from_static(origin));
        headers.insert("access-control-request-method", HeaderValue::from_static(method));
        if !requested.is_empty() {
            headers.insert("access-control-request-headers", HeaderValue::from_str(&requested.join(",")).unwrap());
        }
        let uri: Uri = path.parse().unwrap();
        let decision = cors.evaluate(&Method::OPTIONS, &uri, &headers).now().unwrap();
        let explained = cors.explain_preflight(&uri, &headers);
        let refusal = cors.refusal(&decision, &headers);
        prop_assert_eq!(refusal, explained.as_ref().map(Refusal::kind), "{:?}", explained);
        if refusal == Some(RefusalKind::OriginNotAllowed) {
            prop_assert!(!decision.is_allowed());
        }
        let (observed, told) = observed(credentials);
        let seen = observed.evaluate(&Method::OPTIONS, &uri, &headers).now().unwrap();
        prop_assert_eq!(*told.lock().unwrap(), refusal);
        prop_assert_eq!(observed.refusal(&seen, &headers), refusal);
    }
}

#[test]
fn explaining_a_preflight_is_not_deciding_it_again() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let observed = Arc::new(AtomicUsize::new(0));
    let hook_calls = Arc::new(AtomicUsize::new(0));
    let (count, calls) = (Arc::clone(&observed), Arc::clone(&hook_calls));
    let cors = Cors::builder()
        .allowed_origins(["https://app.example"])
        .allow_methods(["GET", "PUT"])
        .observer(move |_: &corsair::Observation<'_>| {
            count.fetch_add(1, Ordering::SeqCst);
        })
        .allow_origin_if(move |req: &corsair::HookRequest<'_>| {
            calls.fetch_add(1, Ordering::SeqCst);
            req.origin() == "https://tenant.example"
        })
        .build()
        .unwrap();
    let uri = Uri::from_static("/api");
    // (origin, requested method, the explanation)
    let table = [
        (
            "https://app.example",
            "TRACE",
            Some(Refusal::MethodNotAllowed("TRACE".into())),
        ),
        ("https://app.example", "PUT", None),
        // Only the hook knows this origin: explaining never asks it, and still checks the method.
        (
            "https://tenant.example",
            "TRACE",
            Some(Refusal::MethodNotAllowed("TRACE".into())),
        ),
        ("https://tenant.example", "PUT", None),
        ("not an origin", "PUT", Some(Refusal::InvalidOrigin)),
    ];
    for (origin, method, expected) in table {
        let mut headers = HeaderMap::new();
        headers.insert("origin", HeaderValue::from_str(origin).unwrap());
        headers.insert(
            "access-control-request-method",
            HeaderValue::from_str(method).unwrap(),
        );
        assert_eq!(
            cors.explain_preflight(&uri, &headers),
            expected,
            "{origin} {method}"
        );
    }
    assert_eq!(
        observed.load(Ordering::SeqCst),
        0,
        "the observer heard of an explanation"
    );
    assert_eq!(
        hook_calls.load(Ordering::SeqCst),
        0,
        "the hook was asked for an explanation"
    );
}
