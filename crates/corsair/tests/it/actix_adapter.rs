//! The rules table through the actix-web middleware, plus what is specific to actix-web: errors
//! from handlers, extractors and inner middleware get the CORS headers; preflights never reach
//! the application; actix's own values are read and echoed intact.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderName as AxName, HeaderValue as AxValue};
use actix_web::{App as ActixApp, HttpResponse, error, test as actix_test, web};
use corsair::{Cors, HookRequest};
use http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};

use crate::common::{self, App, Observed};

/// Sends an `http` 1 request through `cors` to an application that answers as `app` says.
async fn send(cors: Cors, request: Request<()>, app: App) -> Observed {
    let called = Rc::new(Cell::new(false));
    let flag = Rc::clone(&called);
    let service =
        actix_test::init_service(ActixApp::new().wrap(cors).default_service(web::to(move || {
            flag.set(true);
            let app = app.clone();
            async move {
                let mut response = HttpResponse::build(
                    actix_web::http::StatusCode::from_u16(app.status.as_u16()).unwrap(),
                );
                for (name, value) in app.headers {
                    response.append_header((name, value));
                }
                response.body("application body")
            }
        })))
        .await;
    let response = actix_test::call_service(&service, to_actix(request).to_request()).await;
    observe(response, called.get()).await
}

fn to_actix(request: Request<()>) -> actix_test::TestRequest {
    let method = actix_web::http::Method::from_bytes(request.method().as_str().as_bytes()).unwrap();
    let mut actix = actix_test::TestRequest::default()
        .method(method)
        .uri(&request.uri().to_string());
    for (name, value) in request.headers() {
        actix = actix.append_header((
            AxName::from_bytes(name.as_str().as_bytes()).unwrap(),
            AxValue::from_bytes(value.as_bytes()).unwrap(),
        ));
    }
    actix
}

async fn observe<B: actix_web::body::MessageBody>(
    response: ServiceResponse<B>,
    app_called: bool,
) -> Observed {
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    let mut headers = HeaderMap::new();
    for (name, value) in response.headers() {
        headers.append(
            HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .unwrap_or_default()
        .to_vec();
    Observed {
        status,
        headers,
        app_called,
        body,
    }
}

#[test]
fn every_rule_holds_through_the_actix_middleware() {
    let system = actix_web::rt::System::new();
    common::run_table(|cors, request, app| system.block_on(send(cors, request, app)));
}

#[test]
fn every_rule_holds_through_a_reloaded_policy() {
    // One service, made from another policy; each case's policy is stored into it before its
    // request: every worker's middleware must follow the stored one exactly.
    actix_web::rt::System::new().block_on(async {
        let reloadable = Cors::reloadable(
            Cors::builder()
                .allow_all_origins(true)
                .allow_methods(["GET"])
                .build()
                .unwrap(),
        );
        let app = Rc::new(std::cell::RefCell::new(App::ok()));
        let called = Rc::new(Cell::new(false));
        let (current_app, flag) = (Rc::clone(&app), Rc::clone(&called));
        let service =
            actix_test::init_service(ActixApp::new().wrap(reloadable.clone()).default_service(
                web::to(move || {
                    flag.set(true);
                    let app = current_app.borrow().clone();
                    async move {
                        let mut response = HttpResponse::build(
                            actix_web::http::StatusCode::from_u16(app.status.as_u16()).unwrap(),
                        );
                        for (name, value) in app.headers {
                            response.append_header((name, value));
                        }
                        response.body("application body")
                    }
                }),
            ))
            .await;
        let mut failures = Vec::new();
        let cases = common::cases();
        for case in &cases {
            reloadable.handle().store((case.policy)().build().unwrap());
            *app.borrow_mut() = case.app.clone();
            called.set(false);
            let request = to_actix(common::request(case)).to_request();
            let response = actix_test::call_service(&service, request).await;
            let observed = observe(response, called.get()).await;
            failures.extend(
                common::compare(case, &observed)
                    .into_iter()
                    .map(|p| format!("{}: {p}", case.name)),
            );
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(cases.len() >= 50, "the table shrank to {}", cases.len());
    });
}

#[test]
fn a_request_in_flight_keeps_the_policy_it_arrived_under() {
    actix_web::rt::System::new().block_on(async {
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
        let first = Rc::new(std::cell::RefCell::new(Some((started, released))));
        let service = Rc::new(
            actix_test::init_service(ActixApp::new().wrap(cors).default_service(web::to(
                move || {
                    let first = first.borrow_mut().take();
                    async move {
                        if let Some((started, released)) = first {
                            started.send(()).unwrap();
                            released.await.unwrap();
                        }
                        HttpResponse::Ok().body("body")
                    }
                },
            )))
            .await,
        );
        let request = |origin: &str| {
            actix_test::TestRequest::get()
                .uri("/")
                .insert_header(("origin", origin))
                .to_request()
        };
        let in_flight = actix_web::rt::spawn({
            let service = Rc::clone(&service);
            let request = request("https://old.example");
            async move { service.call(request).await.unwrap() }
        });
        has_started.await.unwrap();
        handle.store(new);
        release.send(()).unwrap();
        let first = in_flight.await.unwrap();
        assert_eq!(
            value(first.headers(), "access-control-allow-origin"),
            "https://old.example"
        );
        let next = service.call(request("https://new.example")).await.unwrap();
        assert_eq!(
            value(next.headers(), "access-control-allow-origin"),
            "https://new.example"
        );
        let old_origin = service.call(request("https://old.example")).await.unwrap();
        assert_eq!(
            value(old_origin.headers(), "access-control-allow-origin"),
            ""
        );
    });
}

const APP_ORIGIN: &str = "https://app.example";

fn app_policy() -> Cors {
    Cors::builder()
        .allowed_origins([APP_ORIGIN])
        .allow_credentials(true)
        .expose_headers(["x-request-id"])
        .build()
        .unwrap()
}

/// The single value of a response header, as text ("" when absent).
fn value<'a>(headers: &'a actix_web::http::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map_or("", |v| v.to_str().unwrap_or("<non-ascii>"))
}

/// What the client receives: the response, or the response actix-web makes of an error.
fn as_sent<B: actix_web::body::MessageBody + 'static>(
    result: Result<ServiceResponse<B>, actix_web::Error>,
) -> HttpResponse {
    match result {
        Ok(response) => response.into_parts().1.map_into_boxed_body(),
        Err(error) => error.error_response(),
    }
}

fn assert_cors_headers(response: &HttpResponse, what: &str) {
    let headers = response.headers();
    assert_eq!(
        headers
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some(APP_ORIGIN),
        "{what}: {headers:?}"
    );
    assert_eq!(
        value(headers, "access-control-allow-credentials"),
        "true",
        "{what}"
    );
    assert_eq!(
        value(headers, "access-control-expose-headers"),
        "x-request-id",
        "{what}"
    );
    assert_eq!(value(headers, "vary"), "origin", "{what}");
}

#[actix_web::test]
async fn errors_from_handlers_extractors_and_inner_middleware_get_the_headers() {
    async fn failing() -> Result<&'static str, actix_web::Error> {
        Err(error::ErrorUnauthorized("log in first"))
    }
    async fn json(body: web::Json<serde_json::Value>) -> String {
        body.to_string()
    }
    async fn typed(id: web::Path<u32>) -> String {
        id.to_string()
    }
    let app = actix_test::init_service(
        ActixApp::new()
            .service(
                web::scope("/guarded")
                    .wrap_fn(|_req, _srv| async {
                        Err::<ServiceResponse, _>(error::ErrorForbidden("inner middleware"))
                    })
                    .route("", web::get().to(|| async { "unreachable" })),
            )
            .route("/failing", web::get().to(failing))
            .route("/json", web::post().to(json))
            .route("/typed/{id}", web::get().to(typed))
            .wrap(app_policy()),
    )
    .await;
    let table = [
        (
            "handler Err",
            actix_test::TestRequest::get().uri("/failing"),
            401,
        ),
        (
            "Json extractor rejects the body",
            actix_test::TestRequest::post()
                .uri("/json")
                .insert_header(("content-type", "application/json"))
                .set_payload("{not json"),
            400,
        ),
        (
            "Path extractor rejects the segment",
            actix_test::TestRequest::get().uri("/typed/abc"),
            404,
        ),
        (
            "no route",
            actix_test::TestRequest::get().uri("/missing"),
            404,
        ),
        (
            "inner middleware Err",
            actix_test::TestRequest::get().uri("/guarded"),
            403,
        ),
    ];
    for (what, request, status) in table {
        let request = request.insert_header(("origin", APP_ORIGIN)).to_request();
        let response = as_sent(actix_test::try_call_service(&app, request).await);
        assert_eq!(response.status().as_u16(), status, "{what}");
        assert_cors_headers(&response, what);
    }
}

#[actix_web::test]
async fn preflights_never_reach_the_application() {
    let calls = Rc::new(Cell::new(0));
    let counter = Rc::clone(&calls);
    let app = actix_test::init_service(ActixApp::new().wrap(app_policy()).default_service(
        web::to(move || {
            counter.set(counter.get() + 1);
            async { HttpResponse::Ok().finish() }
        }),
    ))
    .await;
    let table = [
        // (origin, path, allowed)
        (APP_ORIGIN, "/api/items/1", true),
        (APP_ORIGIN, "/no/such/route", true),
        ("https://evil.example", "/api/items/1", false),
        ("not an origin", "/api/items/1", false),
    ];
    for (origin, path, allowed) in table {
        let request = actix_test::TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri(path)
            .insert_header(("origin", origin))
            .insert_header(("access-control-request-method", "PUT"))
            .insert_header(("access-control-request-headers", "x-token"))
            .to_request();
        let response = actix_test::call_service(&app, request).await;
        assert_eq!(response.status().as_u16(), 204, "{origin} {path}");
        assert_eq!(
            response
                .headers()
                .contains_key("access-control-allow-origin"),
            allowed,
            "{origin} {path}"
        );
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        assert!(body.is_empty());
    }
    assert_eq!(calls.get(), 0);
    // OPTIONS without Access-Control-Request-Method is an actual request: the application runs.
    let request = actix_test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/api/items")
        .insert_header(("origin", APP_ORIGIN))
        .to_request();
    let response = actix_test::call_service(&app, request).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(calls.get(), 1);
}

#[actix_web::test]
async fn many_distinct_origins_are_each_echoed_exactly() {
    let cors = Cors::builder()
        .allowed_origins(["https://*.example.com"])
        .build()
        .unwrap();
    let app = actix_test::init_service(
        ActixApp::new()
            .wrap(cors)
            .default_service(web::to(|| async { HttpResponse::Ok().finish() })),
    )
    .await;
    // Three rounds over 40 origins: no answer leaks from one request into another.
    for round in 0..3 {
        for i in 0..40 {
            let origin = format!("https://tenant-{i}.example.com");
            let request = actix_test::TestRequest::get()
                .uri("/")
                .insert_header(("origin", origin.as_str()))
                .to_request();
            let response = actix_test::call_service(&app, request).await;
            assert_eq!(
                value(response.headers(), "access-control-allow-origin"),
                origin.as_str(),
                "round {round}"
            );
        }
    }
}

#[actix_web::test]
async fn urls_regex_reads_actix_path() {
    let cors = Cors::builder()
        .allowed_origins([APP_ORIGIN])
        .urls_regex("^/api/")
        .build()
        .unwrap();
    let app = actix_test::init_service(
        ActixApp::new()
            .wrap(cors)
            .default_service(web::to(|| async { HttpResponse::Ok().finish() })),
    )
    .await;
    for (path, cors_applies) in [("/api/items?page=2", true), ("/static/app.js", false)] {
        let request = actix_test::TestRequest::get()
            .uri(path)
            .insert_header(("origin", APP_ORIGIN))
            .to_request();
        let response = actix_test::call_service(&app, request).await;
        assert_eq!(
            response
                .headers()
                .contains_key("access-control-allow-origin"),
            cors_applies,
            "{path}"
        );
        assert_eq!(
            response.headers().contains_key("vary"),
            cors_applies,
            "{path}"
        );
    }
}

#[actix_web::test]
async fn the_application_vary_is_merged_and_its_other_headers_are_kept() {
    let app = actix_test::init_service(ActixApp::new().wrap(app_policy()).default_service(
        web::to(|| async {
            HttpResponse::Ok()
                .append_header(("vary", "accept-encoding"))
                .append_header(("x-request-id", "req-1"))
                .append_header(("set-cookie", "a=1"))
                .append_header(("set-cookie", "b=2"))
                .finish()
        }),
    ))
    .await;
    let request = actix_test::TestRequest::get()
        .uri("/")
        .insert_header(("origin", APP_ORIGIN))
        .to_request();
    let response = actix_test::call_service(&app, request).await;
    let headers = response.headers();
    assert_eq!(value(headers, "vary"), "accept-encoding, origin");
    assert_eq!(headers.get_all("vary").count(), 1);
    assert_eq!(value(headers, "x-request-id"), "req-1");
    assert_eq!(headers.get_all("set-cookie").count(), 2);
}

#[actix_web::test]
async fn hooks_see_the_request_and_run_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let sync = Cors::builder()
        .allow_origin_if(move |req: &HookRequest<'_>| {
            counter.fetch_add(1, Ordering::SeqCst);
            req.path() == "/tenant/data"
                && req.query() == Some("x=1")
                && req.header("x-tenant") == Some(&b"acme"[..])
        })
        .build()
        .unwrap();
    let asynchronous = Cors::builder()
        .allow_origin_if_async(|req: &HookRequest<'_>| {
            let allowed = req.origin().ends_with(".tenants.example");
            async move { allowed }
        })
        .build()
        .unwrap();
    let origin = "https://acme.tenants.example";
    for (name, cors) in [("sync", sync), ("async", asynchronous)] {
        let app = actix_test::init_service(
            ActixApp::new()
                .wrap(cors)
                .default_service(web::to(|| async { HttpResponse::Ok().finish() })),
        )
        .await;
        for preflight in [false, true] {
            let mut request = actix_test::TestRequest::default()
                .uri("/tenant/data?x=1")
                .insert_header(("origin", origin))
                .insert_header(("x-tenant", "acme"));
            if preflight {
                request = request
                    .method(actix_web::http::Method::OPTIONS)
                    .insert_header(("access-control-request-method", "PUT"));
            }
            let response = app.call(request.to_request()).await.unwrap();
            assert_eq!(
                response.status().as_u16(),
                if preflight { 204 } else { 200 }
            );
            assert_eq!(
                value(response.headers(), "access-control-allow-origin"),
                origin,
                "{name} preflight={preflight}"
            );
        }
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn answers_stay_the_same_whatever_the_response_holds() {
    let cors = Cors::builder()
        .allowed_origins([APP_ORIGIN, "https://*.example.com"])
        .allow_credentials(true)
        .expose_headers(["x-request-id"])
        .build()
        .unwrap();
    // The application's response depends on the query: plain, with its own Vary, or with its
    // own Access-Control-Allow-Origin.
    let app = actix_test::init_service(ActixApp::new().wrap(cors).default_service(web::to(
        |request: actix_web::HttpRequest| async move {
            let mut response = HttpResponse::Ok();
            match request.query_string() {
                "vary" => {
                    response.append_header(("vary", "accept-encoding"));
                }
                "acao" => {
                    response.append_header(("access-control-allow-origin", "*"));
                }
                _ => {}
            }
            response.finish()
        },
    )))
    .await;
    let table = [
        // (origin, query, Access-Control-Allow-Origin, Vary)
        (APP_ORIGIN, "", Some(APP_ORIGIN), "origin"),
        (
            APP_ORIGIN,
            "vary",
            Some(APP_ORIGIN),
            "accept-encoding, origin",
        ),
        (APP_ORIGIN, "acao", Some(APP_ORIGIN), "origin"),
        (
            "https://a.example.com",
            "",
            Some("https://a.example.com"),
            "origin",
        ),
        ("https://evil.example", "", None, "origin"),
        ("https://evil.example", "acao", Some("*"), "origin"),
        (
            "https://evil.example",
            "vary",
            None,
            "accept-encoding, origin",
        ),
    ];
    // Repeated passes: the answer depends on the decision and the response, never on history.
    for pass in 0..3 {
        for (origin, query, allow_origin, vary) in table {
            let request = actix_test::TestRequest::get()
                .uri(&format!("/items?{query}"))
                .insert_header(("origin", origin))
                .to_request();
            let response = actix_test::call_service(&app, request).await;
            let headers = response.headers();
            let what = format!("pass {pass}: {origin} ?{query}");
            assert_eq!(
                headers
                    .get("access-control-allow-origin")
                    .map(|v| v.to_str().unwrap()),
                allow_origin,
                "{what}"
            );
            assert!(
                headers.get_all("access-control-allow-origin").count() <= 1,
                "{what}"
            );
            assert_eq!(value(headers, "vary"), vary, "{what}");
            assert_eq!(headers.get_all("vary").count(), 1, "{what}");
            let credentials = allow_origin.is_some_and(|o| o != "*");
            assert_eq!(
                headers.contains_key("access-control-allow-credentials"),
                credentials,
                "{what}"
            );
            assert_eq!(
                headers.contains_key("access-control-expose-headers"),
                credentials,
                "{what}"
            );
        }
    }
}
