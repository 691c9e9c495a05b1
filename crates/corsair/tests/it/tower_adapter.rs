//! The rules table through the tower adapter, plus what is specific to it (hooks, body types).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use corsair::{Cors, HookRequest};
use http::{HeaderName, HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full};
use tower::util::BoxCloneService;
use tower::{Layer, ServiceExt};

use crate::common::{self, App, Observed};

type Body = Full<bytes::Bytes>;

/// The application of a case: answers with its status and headers, and records that it ran.
fn application(
    app: App,
    called: Arc<AtomicBool>,
) -> BoxCloneService<Request<()>, Response<Body>, Infallible> {
    BoxCloneService::new(tower::service_fn(move |_req: Request<()>| {
        called.store(true, Ordering::SeqCst);
        let app = app.clone();
        async move {
            let mut response = Response::new(Body::from("application body"));
            *response.status_mut() = app.status;
            for (name, value) in app.headers {
                response.headers_mut().append(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            Ok::<_, Infallible>(response)
        }
    }))
}

/// Sends `request` through `cors` around the case's app.
async fn send(cors: Cors, request: Request<()>, app: App) -> Observed {
    let called = Arc::new(AtomicBool::new(false));
    let service = cors.layer(application(app, called.clone()));
    let response = service.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    Observed {
        status: parts.status,
        headers: parts.headers,
        app_called: called.load(Ordering::SeqCst),
        body: body.collect().await.unwrap().to_bytes().to_vec(),
    }
}

#[tokio::test]
async fn every_rule_holds_through_the_tower_layer() {
    let mut results = Vec::new();
    for case in common::cases() {
        let cors = (case.policy)().build().unwrap();
        results.push((
            send(cors, common::request(&case), case.app.clone()).await,
            case,
        ));
    }
    let failures: Vec<String> = results
        .iter()
        .flat_map(|(observed, case)| {
            common::compare(case, observed)
                .into_iter()
                .map(move |p| format!("{}: {p}", case.name))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(results.len() >= 50, "the table shrank to {}", results.len());
}

#[tokio::test]
async fn every_rule_holds_through_a_reloaded_policy() {
    // One layered service, made from another policy; each case's policy is stored into it
    // before its request: the service must follow the stored one exactly.
    let initial = Cors::builder()
        .allow_all_origins(true)
        .allow_methods(["GET"])
        .build()
        .unwrap();
    let reloadable = Cors::reloadable(initial);
    let app = Arc::new(std::sync::Mutex::new(App::ok()));
    let called = Arc::new(AtomicBool::new(false));
    let current_app = Arc::clone(&app);
    let flag = Arc::clone(&called);
    let service = reloadable.layer(BoxCloneService::new(tower::service_fn(
        move |request: Request<()>| {
            let app = current_app.lock().unwrap().clone();
            application(app, Arc::clone(&flag)).oneshot(request)
        },
    )));
    let mut failures = Vec::new();
    let cases = common::cases();
    for case in &cases {
        reloadable.handle().store((case.policy)().build().unwrap());
        *app.lock().unwrap() = case.app.clone();
        called.store(false, Ordering::SeqCst);
        let response = service
            .clone()
            .oneshot(common::request(case))
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let observed = Observed {
            status: parts.status,
            headers: parts.headers,
            app_called: called.load(Ordering::SeqCst),
            body: body.collect().await.unwrap().to_bytes().to_vec(),
        };
        failures.extend(
            common::compare(case, &observed)
                .into_iter()
                .map(|p| format!("{}: {p}", case.name)),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(cases.len() >= 50, "the table shrank to {}", cases.len());
}

#[tokio::test]
async fn a_stored_policy_applies_to_the_next_request_and_not_to_one_in_flight() {
    let old = Cors::builder()
        .allowed_origins(["https://old.example"])
        .build()
        .unwrap();
    let new = Cors::builder()
        .allowed_origins(["https://new.example"])
        .build()
        .unwrap();
    let cors = Cors::reloadable(old);
    let handle = cors.handle();
    let (started, has_started) = tokio::sync::oneshot::channel::<()>();
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let first_request = Arc::new(std::sync::Mutex::new(Some((started, released))));
    let service = cors.layer(tower::service_fn(move |_req: Request<()>| {
        let first = first_request.lock().unwrap().take();
        async move {
            // The first request waits, decided already, until the test has stored the new
            // policy.
            if let Some((started, released)) = first {
                started.send(()).unwrap();
                released.await.unwrap();
            }
            Ok::<_, Infallible>(Response::new(Body::from("body")))
        }
    }));
    let request = |origin: &str| {
        Request::builder()
            .uri("/")
            .header("origin", origin)
            .body(())
            .unwrap()
    };
    let in_flight = tokio::spawn(service.clone().oneshot(request("https://old.example")));
    has_started.await.unwrap();
    handle.store(new);
    release.send(()).unwrap();
    let first = in_flight.await.unwrap().unwrap();
    assert_eq!(
        first.headers()["access-control-allow-origin"],
        "https://old.example",
        "a request is answered by the policy it arrived under"
    );
    let next = service
        .clone()
        .oneshot(request("https://new.example"))
        .await
        .unwrap();
    assert_eq!(
        next.headers()["access-control-allow-origin"],
        "https://new.example"
    );
    let old_origin = service
        .oneshot(request("https://old.example"))
        .await
        .unwrap();
    assert!(
        old_origin
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

fn counting_hook(
    allowed: &'static str,
    calls: Arc<AtomicUsize>,
) -> impl Fn(&HookRequest<'_>) -> bool {
    move |req: &HookRequest<'_>| {
        calls.fetch_add(1, Ordering::SeqCst);
        req.origin() == allowed
    }
}

fn origin_request(method: http::Method, origin: &str, preflight: bool) -> Request<()> {
    let mut builder = Request::builder()
        .method(method)
        .uri("/tenant/data")
        .header("origin", origin);
    if preflight {
        builder = builder.header("access-control-request-method", "PUT");
    }
    builder.body(()).unwrap()
}

#[tokio::test]
async fn sync_hook_allows_origins_and_runs_at_most_once_per_request() {
    let calls = Arc::new(AtomicUsize::new(0));
    let cors = Cors::builder()
        .allowed_origins(["https://app.example"])
        .allow_origin_if(counting_hook("https://tenant.example", calls.clone()))
        .build()
        .unwrap();

    let table = [
        // (origin, preflight, allowed, hook calls for this request)
        ("https://tenant.example", false, true, 1),
        ("https://tenant.example", true, true, 1),
        ("https://other.example", false, false, 1),
        ("https://app.example", false, true, 0),
        ("not an origin", false, false, 0),
    ];
    for (origin, preflight, allowed, expected_calls) in table {
        let before = calls.load(Ordering::SeqCst);
        let method = if preflight {
            http::Method::OPTIONS
        } else {
            http::Method::GET
        };
        let observed = send(
            cors.clone(),
            origin_request(method, origin, preflight),
            App::ok(),
        )
        .await;
        let acao = observed.headers.get("access-control-allow-origin");
        assert_eq!(acao.is_some(), allowed, "{origin} preflight={preflight}");
        if allowed {
            assert_eq!(acao.unwrap(), origin);
        }
        assert_eq!(
            calls.load(Ordering::SeqCst) - before,
            expected_calls,
            "{origin}"
        );
    }
    let observed = send(cors.clone(), Request::new(()), App::ok()).await;
    assert!(
        observed
            .headers
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "no Origin must not call the hook"
    );
}

#[tokio::test]
async fn async_hook_decides_preflights_and_actual_requests() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let cors = Cors::builder()
        .allow_origin_if_async(move |req: &HookRequest<'_>| {
            counter.fetch_add(1, Ordering::SeqCst);
            let allowed = req.origin().ends_with(".tenants.example");
            async move {
                tokio::task::yield_now().await;
                allowed
            }
        })
        .build()
        .unwrap();
    let table = [
        ("https://acme.tenants.example", true, true),
        ("https://acme.tenants.example", false, true),
        ("https://evil.example", true, false),
        ("https://evil.example", false, false),
    ];
    for (origin, preflight, allowed) in table {
        let method = if preflight {
            http::Method::OPTIONS
        } else {
            http::Method::GET
        };
        let observed = send(
            cors.clone(),
            origin_request(method, origin, preflight),
            App::ok(),
        )
        .await;
        assert_eq!(observed.app_called, !preflight, "{origin}");
        assert_eq!(observed.status, if preflight { 204 } else { 200 });
        assert_eq!(
            observed
                .headers
                .get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap()),
            allowed.then_some(origin),
            "{origin} preflight={preflight}"
        );
        assert!(observed.headers.get("vary").is_some());
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn the_layer_works_in_an_axum_router_with_its_body_type() {
    use axum::{Router, routing::get};
    let cors = Cors::builder()
        .allowed_origins(["https://app.example"])
        .build()
        .unwrap();
    let app = Router::new()
        .route("/", get(|| async { "hello" }))
        .layer(cors);
    let response = app
        .oneshot(
            Request::builder()
                .uri("/")
                .header("origin", "https://app.example")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"hello");
}

#[tokio::test]
async fn the_observer_is_told_once_when_an_async_hook_answers() {
    use std::sync::Mutex;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let cors = Cors::builder()
        .allow_origin_if_async(|req: &HookRequest<'_>| {
            let allowed = req.origin().ends_with(".tenants.example");
            async move {
                tokio::task::yield_now().await;
                allowed
            }
        })
        .observer(move |o: &corsair::Observation<'_>| {
            log.lock().unwrap().push((
                o.decided().to_string(),
                o.origin().map(|v| String::from_utf8_lossy(v).into_owned()),
                o.method().is_some(),
            ));
        })
        .build()
        .unwrap();
    for origin in ["https://acme.tenants.example", "https://evil.example"] {
        let mut headers = http::HeaderMap::new();
        headers.insert("origin", origin.parse().unwrap());
        let _ = cors
            .evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers)
            .await;
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (
                "actual allowed".to_owned(),
                Some("https://acme.tenants.example".to_owned()),
                false
            ),
            (
                "actual refused (origin_not_allowed)".to_owned(),
                Some("https://evil.example".to_owned()),
                false
            ),
        ],
        "told once per request, after the hook, without the request head"
    );
}
