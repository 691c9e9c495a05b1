//! What the benchmarks and the allocation report share: the scenarios, equivalent policies for
//! corsair, tower-http and actix-cors, the ready stub services, and request templates whose
//! header values live in one shared buffer (the way hyper and actix-web's parser hand them over)
//! or each in its own allocation (a hand-built request, a test, a tonic client in process).
//!
//! Every subject is driven by polling its future once with a no-op waker: the stubs are always
//! ready, so no runtime is involved and only the middleware's own work differs from the baseline.

#![allow(dead_code)]

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, Uri};
use http_body_util::Empty;

/// The origin every allowed request comes from (for the origin-count scenarios: the last one
/// listed, the worst case of a linear scan).
pub const APP_ORIGIN: &str = "https://app.example";
pub const ALLOW_METHODS: [&str; 6] = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];
pub const ALLOW_HEADERS: [&str; 6] = [
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];
pub const EXPOSE_HEADERS: [&str; 1] = ["x-request-id"];
pub const MAX_AGE: u64 = 600;
pub const REGEX: &str = r"https://pr-\d+\.preview\.example";
pub const SUBDOMAIN_PARENT: &str = ".example.com";

/// Which origins a policy allows.
#[derive(Debug, Clone, Copy)]
pub enum Origins {
    /// `count` exact origins, [`APP_ORIGIN`] last.
    List(usize),
    /// `https://*.example.com`.
    Subdomains,
    /// [`REGEX`].
    Regex,
}

/// One benchmark scenario: a policy and a request.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: &'static str,
    pub origins: Origins,
    pub method: Method,
    pub headers: Vec<(&'static str, String)>,
    /// Also run through an axum `Router` (tower family only).
    pub through_router: bool,
    /// Where the request's header values live.
    pub values: Values,
    /// What the handler behind the middleware answers.
    pub handler: Handler,
}

/// Where a request's header values live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Slices of one buffer, as a server's parser hands them over: a clone is a reference
    /// count.
    Shared,
    /// Each value built on its own (`HeaderValue::from_str`), as in a hand-built request: the
    /// first clone of such a value allocates its shared header.
    Owned,
}

/// What the stub handler answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    /// A response without any header yet: the middleware's first insert allocates the map's
    /// table.
    NoHeaders,
    /// A response with `content-type` and `content-length` already set, as most handlers'.
    WithHeaders,
}

fn preflight(origin: &str, requested_headers: &str) -> Vec<(&'static str, String)> {
    vec![
        ("origin", origin.to_owned()),
        ("access-control-request-method", "PUT".to_owned()),
        (
            "access-control-request-headers",
            requested_headers.to_owned(),
        ),
    ]
}

fn actual(origin: &str) -> Vec<(&'static str, String)> {
    vec![
        ("origin", origin.to_owned()),
        ("accept", "application/json".to_owned()),
    ]
}

/// An `Access-Control-Request-Headers` value of 1 MiB.
pub fn hostile_request_headers() -> String {
    let mut value = String::with_capacity(1 << 20);
    let mut i = 0;
    while value.len() < (1 << 20) {
        if !value.is_empty() {
            value.push_str(", ");
        }
        value.push_str(&format!("x-header-{i:07}"));
        i += 1;
    }
    value
}

/// Every scenario of the issue, in report order.
pub fn scenarios() -> Vec<Scenario> {
    let get = |name, origins, headers| Scenario {
        name,
        origins,
        method: Method::GET,
        headers,
        through_router: false,
        values: Values::Shared,
        handler: Handler::NoHeaders,
    };
    let options = |name, origins, headers| Scenario {
        name,
        origins,
        method: Method::OPTIONS,
        headers,
        through_router: false,
        values: Values::Shared,
        handler: Handler::NoHeaders,
    };
    vec![
        get("actual/allowed", Origins::List(1), actual(APP_ORIGIN)),
        get(
            "actual/disallowed",
            Origins::List(1),
            actual("https://evil.example"),
        ),
        get(
            "actual/no-origin",
            Origins::List(1),
            vec![("accept", "application/json".to_owned())],
        ),
        options(
            "preflight/allowed",
            Origins::List(1),
            preflight(APP_ORIGIN, "content-type, authorization"),
        ),
        options(
            "preflight/disallowed-origin",
            Origins::List(1),
            preflight("https://evil.example", "content-type"),
        ),
        options(
            "preflight/disallowed-header",
            Origins::List(1),
            preflight(APP_ORIGIN, "content-type, x-not-allowed"),
        ),
        options(
            "preflight/hostile-1MiB-headers",
            Origins::List(1),
            preflight(APP_ORIGIN, &hostile_request_headers()),
        ),
        get("origins/1", Origins::List(1), actual(APP_ORIGIN)),
        get("origins/100", Origins::List(100), actual(APP_ORIGIN)),
        get("origins/10000", Origins::List(10_000), actual(APP_ORIGIN)),
        get(
            "subdomain-pattern",
            Origins::Subdomains,
            actual("https://eu.shop.example.com"),
        ),
        get(
            "regex",
            Origins::Regex,
            actual("https://pr-4711.preview.example"),
        ),
        Scenario {
            through_router: true,
            ..get("axum-router/allowed", Origins::List(1), actual(APP_ORIGIN))
        },
        Scenario {
            handler: Handler::WithHeaders,
            ..get(
                "handler-headers/allowed",
                Origins::List(1),
                actual(APP_ORIGIN),
            )
        },
        Scenario {
            values: Values::Owned,
            ..get("owned-values/allowed", Origins::List(1), actual(APP_ORIGIN))
        },
        Scenario {
            values: Values::Owned,
            ..options(
                "owned-values/preflight",
                Origins::List(1),
                preflight(APP_ORIGIN, "content-type, authorization"),
            )
        },
    ]
}

/// The exact origins of `Origins::List(count)`.
pub fn origin_list(count: usize) -> Vec<String> {
    let mut origins: Vec<String> = (1..count)
        .map(|i| format!("https://app-{i}.example"))
        .collect();
    origins.push(APP_ORIGIN.to_owned());
    origins
}

/// The predicate the peers get for [`Origins::Subdomains`].
pub fn subdomain_predicate(origin: &[u8]) -> bool {
    origin
        .strip_prefix(b"https://")
        .and_then(|host| host.strip_suffix(SUBDOMAIN_PARENT.as_bytes()))
        .is_some_and(|label| !label.is_empty())
}

/// The predicate the peers get for [`Origins::Regex`] (anchored, like corsair's).
pub fn regex_predicate() -> impl Fn(&[u8]) -> bool + Clone + Send + Sync + 'static {
    let regex = regex::bytes::Regex::new(&format!("^(?:{REGEX})$")).expect("valid regex");
    move |origin| regex.is_match(origin)
}

// ---- Policies -----------------------------------------------------------------------------

/// corsair's policy for a scenario.
pub fn corsair_policy(origins: Origins) -> corsair::Cors {
    corsair_builder(origins)
        .build()
        .expect("valid benchmark policy")
}

/// The builder of [`corsair_policy`], for a variation of it.
pub fn corsair_builder(origins: Origins) -> corsair::CorsBuilder {
    let builder = corsair::Cors::builder()
        .allow_methods(ALLOW_METHODS)
        .allow_headers(ALLOW_HEADERS)
        .expose_headers(EXPOSE_HEADERS)
        .preflight_max_age(MAX_AGE)
        .allow_credentials(true);
    match origins {
        Origins::List(count) => builder.allowed_origins(origin_list(count)),
        Origins::Subdomains => builder.allowed_origins([format!("https://*{SUBDOMAIN_PARENT}")]),
        Origins::Regex => builder.allowed_origin_regexes([REGEX]),
    }
}

/// tower-http's equivalent of [`corsair_policy`].
pub fn tower_http_policy(origins: Origins) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let allow_origin = match origins {
        Origins::List(count) => AllowOrigin::list(
            origin_list(count)
                .iter()
                .map(|o| HeaderValue::from_str(o).expect("valid origin")),
        ),
        Origins::Subdomains => {
            AllowOrigin::predicate(|origin, _| subdomain_predicate(origin.as_bytes()))
        }
        Origins::Regex => {
            let matches = regex_predicate();
            AllowOrigin::predicate(move |origin, _| matches(origin.as_bytes()))
        }
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods(ALLOW_METHODS.map(|m| Method::from_bytes(m.as_bytes()).expect("method")))
        .allow_headers(ALLOW_HEADERS.map(HeaderName::from_static))
        .expose_headers(EXPOSE_HEADERS.map(HeaderName::from_static))
        .max_age(Duration::from_secs(MAX_AGE))
        .allow_credentials(true)
}

/// actix-cors's equivalent of [`corsair_policy`].
pub fn actix_cors_policy(origins: Origins) -> actix_cors::Cors {
    let cors = actix_cors::Cors::default()
        .allowed_methods(ALLOW_METHODS)
        .allowed_headers(ALLOW_HEADERS)
        .expose_headers(EXPOSE_HEADERS)
        .max_age(MAX_AGE as usize)
        .supports_credentials();
    match origins {
        Origins::List(count) => origin_list(count)
            .iter()
            .fold(cors, |cors, origin| cors.allowed_origin(origin)),
        Origins::Subdomains => {
            cors.allowed_origin_fn(|origin, _| subdomain_predicate(origin.as_bytes()))
        }
        Origins::Regex => {
            let matches = regex_predicate();
            cors.allowed_origin_fn(move |origin, _| matches(origin.as_bytes()))
        }
    }
}

// ---- Requests -----------------------------------------------------------------------------

/// A request head whose header values are slices of one shared buffer, as a server's parser
/// makes them: cloning a value (what corsair does to echo `Origin`) never allocates.
pub struct Template {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    /// Whether each request gets values of its own ([`Values::Owned`]).
    owned: bool,
    actix_headers: Vec<(
        actix_web::http::header::HeaderName,
        actix_web::http::header::HeaderValue,
    )>,
}

impl Template {
    pub fn new(scenario: &Scenario) -> Template {
        if scenario.values == Values::Owned {
            return Template::owned(scenario);
        }
        let total: usize = scenario.headers.iter().map(|(_, v)| v.len()).sum();
        let mut buffer = BytesMut::with_capacity(total);
        for (_, value) in &scenario.headers {
            buffer.extend_from_slice(value.as_bytes());
        }
        // Split off each value from the frozen buffer, like hyper's header parsing does.
        let mut shared: Bytes = buffer.freeze();
        let mut headers = HeaderMap::new();
        let mut actix_headers = Vec::new();
        for (name, value) in &scenario.headers {
            let bytes = shared.split_to(value.len());
            headers.append(
                HeaderName::from_static(name),
                HeaderValue::from_maybe_shared(bytes.clone()).expect("valid value"),
            );
            actix_headers.push((
                actix_web::http::header::HeaderName::from_static(name),
                actix_web::http::header::HeaderValue::from_maybe_shared(bytes)
                    .expect("valid value"),
            ));
        }
        Template {
            method: scenario.method.clone(),
            uri: Uri::from_static("/items"),
            headers,
            owned: scenario.values == Values::Owned,
            actix_headers,
        }
    }

    /// A request head whose header values are each built on their own.
    fn owned(scenario: &Scenario) -> Template {
        let mut headers = HeaderMap::new();
        let mut actix_headers = Vec::new();
        for (name, value) in &scenario.headers {
            headers.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).expect("valid value"),
            );
            actix_headers.push((
                actix_web::http::header::HeaderName::from_static(name),
                actix_web::http::header::HeaderValue::from_str(value).expect("valid value"),
            ));
        }
        Template {
            method: scenario.method.clone(),
            uri: Uri::from_static("/items"),
            headers,
            owned: scenario.values == Values::Owned,
            actix_headers,
        }
    }

    /// An `http` 1 request (tower, axum). Cloning the template's map would share an owned
    /// value's bytes with every earlier request, so owned values are rebuilt each time.
    pub fn request(&self) -> Request<Empty<Bytes>> {
        let mut request = self.shared_request();
        if self.owned {
            for value in request.headers_mut().values_mut() {
                *value = HeaderValue::from_bytes(value.as_bytes()).expect("valid value");
            }
        }
        request
    }

    /// An `http` 1 request (tower, axum), sharing the template's values.
    fn shared_request(&self) -> Request<Empty<Bytes>> {
        let mut request = Request::new(Empty::new());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }

    /// An actix-web request, as the server hands it to the application.
    pub fn actix_request(&self) -> actix_http::Request {
        let method = actix_web::http::Method::from_bytes(self.method.as_str().as_bytes())
            .expect("valid method");
        let mut request = actix_web::test::TestRequest::default()
            .method(method)
            .uri("/items");
        for (name, value) in &self.actix_headers {
            let value = if self.owned {
                actix_web::http::header::HeaderValue::from_bytes(value.as_bytes())
                    .expect("valid value")
            } else {
                value.clone()
            };
            request = request.append_header((name.clone(), value));
        }
        request.to_request()
    }
}

// ---- Services -----------------------------------------------------------------------------

/// The ready stub behind every tower subject.
pub type TowerStub = tower::util::ServiceFn<
    fn(Request<Empty<Bytes>>) -> Ready<Result<Response<Empty<Bytes>>, Infallible>>,
>;

/// The stub answering without any header.
pub fn tower_stub() -> TowerStub {
    tower_stub_for(Handler::NoHeaders)
}

/// The stub answering as `handler` says.
pub fn tower_stub_for(handler: Handler) -> TowerStub {
    fn bare(_request: Request<Empty<Bytes>>) -> Ready<Result<Response<Empty<Bytes>>, Infallible>> {
        ready(Ok(Response::new(Empty::new())))
    }
    fn with_headers(
        _request: Request<Empty<Bytes>>,
    ) -> Ready<Result<Response<Empty<Bytes>>, Infallible>> {
        let mut response = Response::new(Empty::new());
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("2"));
        ready(Ok(response))
    }
    match handler {
        Handler::NoHeaders => tower::service_fn(bare as fn(_) -> _),
        Handler::WithHeaders => tower::service_fn(with_headers as fn(_) -> _),
    }
}

/// The axum application behind the router subjects.
pub fn axum_router() -> axum::Router {
    axum::Router::new().route("/items", axum::routing::get(|| async { "[]" }))
}

/// The ready stub behind every actix subject: the application's default service.
pub fn actix_stub(
    request: actix_web::dev::ServiceRequest,
) -> Ready<Result<actix_web::dev::ServiceResponse, actix_web::Error>> {
    ready(Ok(
        request.into_response(actix_web::HttpResponse::Ok().finish())
    ))
}

/// The actix stub answering with `content-type` set, as [`Handler::WithHeaders`].
pub fn actix_stub_with_headers(
    request: actix_web::dev::ServiceRequest,
) -> Ready<Result<actix_web::dev::ServiceResponse, actix_web::Error>> {
    ready(Ok(request.into_response(
        actix_web::HttpResponse::Ok()
            .content_type("application/json")
            .finish(),
    )))
}

/// An initialised actix-web `App` whose only service is a stub answering as the given
/// [`Handler`] (`actix_app!(handler = h)`, `actix_app!(handler = h, middleware)`) or as
/// [`actix_stub`] (`actix_app!()`, `actix_app!(middleware)`), optionally wrapped by a middleware.
/// Going through `App` (as every actix-web server does) keeps request objects in the
/// application's pool.
#[macro_export]
macro_rules! actix_app {
    (handler = $handler:expr $(, $middleware:expr)?) => {
        $crate::harness::block_on_ready(actix_web::test::init_service(
            actix_web::App::new()
                $(.wrap($middleware))?
                .default_service(actix_web::dev::fn_service(move |request| {
                    match $handler {
                        $crate::harness::Handler::NoHeaders => $crate::harness::actix_stub(request),
                        $crate::harness::Handler::WithHeaders => {
                            $crate::harness::actix_stub_with_headers(request)
                        }
                    }
                })),
        ))
    };
    () => {
        actix_app!(handler = $crate::harness::Handler::NoHeaders)
    };
    ($middleware:expr) => {
        actix_app!(handler = $crate::harness::Handler::NoHeaders, $middleware)
    };
}

/// Calls a tower service once.
pub fn call_tower<S, R>(service: &mut S, request: R) -> S::Response
where
    S: tower::Service<R>,
    S::Error: std::fmt::Debug,
{
    let mut cx = Context::from_waker(Waker::noop());
    while service.poll_ready(&mut cx).is_pending() {}
    block_on_ready(service.call(request)).expect("service answers")
}

/// Calls an actix application once.
pub fn call_actix<S>(service: &S, request: actix_http::Request) -> S::Response
where
    S: actix_web::dev::Service<actix_http::Request>,
    S::Error: std::fmt::Debug,
{
    block_on_ready(service.call(request)).expect("service answers")
}

/// Drives a future that never waits on I/O (every subject here) to completion.
pub fn block_on_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}
