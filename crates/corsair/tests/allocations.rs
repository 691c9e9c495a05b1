//! The engine allocates nothing per request: counted with a global allocator that counts the
//! allocations of the current thread while a scenario runs.
//!
//! Request header values are built the way hyper builds them (slices of a shared buffer), since
//! echoing an origin clones the request's value. Header maps are created before counting with
//! room for the headers written, as a server's response map would be; what the engine itself
//! does (evaluate, write headers) is what is counted.
//!
//! A test binary of its own, not a module of `tests/it`: a `#[global_allocator]` is the whole
//! process's, and would count (and slow down) the allocations of every test beside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use corsair::{Cors, Evaluation, OriginSet};
use http::{HeaderMap, HeaderValue, Method, Uri};

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Counts the allocations `f` makes on this thread.
fn allocations_of(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

/// A header value as hyper parses it: a slice of the connection's shared read buffer.
fn wire_value(text: &str) -> HeaderValue {
    let buffer = Bytes::from(format!("GET / HTTP/1.1\r\nx: {text}\r\n"));
    let start = buffer.len() - 2 - text.len();
    HeaderValue::from_maybe_shared(buffer.slice(start..buffer.len() - 2)).unwrap()
}

fn request_headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(8);
    for (name, value) in pairs {
        headers.append(*name, wire_value(value));
    }
    headers
}

/// 10,000 exact origins, both kinds of pattern, a regex, credentials, expose and private network.
fn policy() -> Cors {
    let mut origins: Vec<String> = (0..10_000)
        .map(|i| format!("https://app{i}.example"))
        .collect();
    origins.extend([
        "https://*.example.com".to_owned(),
        "http://localhost:*".to_owned(),
    ]);
    Cors::builder()
        .allowed_origins(origins)
        .allowed_origin_regexes([r"https://pr-\d+\.preview\.example"])
        .allow_credentials(true)
        .expose_headers(["x-request-id"])
        .allow_private_network(true)
        .build()
        .unwrap()
}

fn scenario(
    cors: &Cors,
    method: Method,
    pairs: &[(&'static str, &str)],
    response_vary: bool,
) -> usize {
    scenario_on(cors, "/api/items?page=2", method, pairs, response_vary)
}

fn scenario_on(
    cors: &Cors,
    uri: &'static str,
    method: Method,
    pairs: &[(&'static str, &str)],
    response_vary: bool,
) -> usize {
    let uri = Uri::from_static(uri);
    let headers = request_headers(pairs);
    let mut response = HeaderMap::with_capacity(16);
    if response_vary {
        response.insert("vary", HeaderValue::from_static("origin"));
    }
    // Warm-up: the regex engine fills its per-thread cache on first use.
    let _ = cors.evaluate(&method, &uri, &headers);
    allocations_of(|| {
        let Evaluation::Decided(decision) = cors.evaluate(&method, &uri, &headers) else {
            panic!("no async hook is installed");
        };
        cors.apply(&decision, &mut response);
        drop(decision);
    })
}

#[test]
fn no_allocation_per_request_in_the_engine() {
    let cors = policy();
    let hostile = format!("x-a,{}", "x-b,".repeat(262_144));
    type Scenario<'a> = (&'a str, Method, Vec<(&'static str, &'a str)>);
    let table: Vec<Scenario<'_>> = vec![
        ("actual, no Origin", Method::GET, vec![]),
        (
            "actual, exact origin among 10,000",
            Method::GET,
            vec![("origin", "https://app9999.example")],
        ),
        (
            "actual, subdomain pattern",
            Method::GET,
            vec![("origin", "https://eu.shop.example.com")],
        ),
        (
            "actual, any-port pattern",
            Method::GET,
            vec![("origin", "http://localhost:5173")],
        ),
        (
            "actual, regex",
            Method::GET,
            vec![("origin", "https://pr-42.preview.example")],
        ),
        (
            "actual, upper-case origin",
            Method::GET,
            vec![("origin", "HTTPS://APP1.EXAMPLE")],
        ),
        (
            "actual, disallowed origin",
            Method::POST,
            vec![("origin", "https://evil.example")],
        ),
        (
            "actual, invalid origin",
            Method::GET,
            vec![("origin", "https://app1.example/")],
        ),
        (
            "preflight, allowed",
            Method::OPTIONS,
            vec![
                ("origin", "https://app1.example"),
                ("access-control-request-method", "PUT"),
                (
                    "access-control-request-headers",
                    "content-type,x-requested-with",
                ),
                ("access-control-request-private-network", "true"),
            ],
        ),
        (
            "preflight, disallowed origin",
            Method::OPTIONS,
            vec![
                ("origin", "https://evil.example"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        (
            "preflight, 1 MiB of requested headers",
            Method::OPTIONS,
            vec![
                ("origin", "https://app1.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", hostile.as_str()),
            ],
        ),
    ];
    let mut report = Vec::new();
    for (name, method, pairs) in &table {
        let count = scenario(&cors, method.clone(), pairs, true);
        report.push(format!("{name}: {count}"));
    }
    let failures: Vec<&String> = report
        .iter()
        .filter(|line| !line.ends_with(": 0"))
        .collect();
    assert!(
        failures.is_empty(),
        "allocations per request:\n{}",
        report.join("\n")
    );
}

#[test]
fn no_allocation_per_request_through_a_reloadable_policy_and_an_origin_set() {
    let tenants = OriginSet::new();
    let findings = tenants.replace(
        (0..10_000)
            .map(|i| format!("https://tenant{i}.example"))
            .chain(["https://*.tenants.example".to_owned()]),
    );
    assert!(findings.is_empty(), "{findings:?}");
    let cors = Cors::reloadable(
        Cors::builder()
            .allowed_origins(["https://app.example"])
            .allowed_origins_from(tenants.clone())
            .allow_credentials(true)
            .build()
            .unwrap(),
    );
    let table = [
        ("an origin of the set", "https://tenant9999.example", true),
        ("a pattern of the set", "https://eu.tenants.example", true),
        ("the static list", "https://app.example", true),
        ("neither", "https://evil.example", false),
    ];
    let uri = Uri::from_static("/api/items");
    let mut report = Vec::new();
    for (name, origin, allowed) in table {
        let headers = request_headers(&[("origin", origin)]);
        let mut response = HeaderMap::with_capacity(16);
        // Warm-up (the first load on a thread registers it with the swap cell), and the
        // scenario is what it says.
        let warm_up = cors.current().evaluate(&Method::GET, &uri, &headers).now();
        assert_eq!(warm_up.unwrap().is_allowed(), allowed, "{name}");
        let count = allocations_of(|| {
            let policy = cors.current();
            let Evaluation::Decided(decision) = policy.evaluate(&Method::GET, &uri, &headers)
            else {
                panic!("no async hook is installed");
            };
            policy.apply(&decision, &mut response);
        });
        report.push(format!("{name}: {count}"));
    }
    assert!(
        report.iter().all(|line| line.ends_with(": 0")),
        "allocations per request:\n{}",
        report.join("\n")
    );
}

/// The policy of [`policy`] under `urls_regex`, with 50 routes in front of it.
fn routed_policy() -> Cors {
    let mut builder = Cors::builder()
        .allowed_origins(["https://app.example"])
        .allow_credentials(true)
        .urls_regex("^/api/");
    for i in 0..49 {
        builder = builder.route(
            format!("^/api/v{i}/"),
            Cors::builder().allowed_origins([format!("https://v{i}.example")]),
        );
    }
    builder
        .route(
            "^/api/public/",
            Cors::builder()
                .allow_all_origins(true)
                .allow_credentials(false),
        )
        .build()
        .unwrap()
}

#[test]
fn no_allocation_per_request_on_a_route() {
    let cors = routed_policy();
    type RouteScenario<'a> = (&'a str, &'static str, Method, Vec<(&'static str, &'a str)>);
    let table: [RouteScenario<'_>; 5] = [
        (
            "the last of 50 routes",
            "/api/public/feed",
            Method::GET,
            vec![("origin", "https://any.example")],
        ),
        (
            "a route's own origin",
            "/api/v7/items",
            Method::GET,
            vec![("origin", "https://v7.example")],
        ),
        (
            "a preflight on a route",
            "/api/v48/items",
            Method::OPTIONS,
            vec![
                ("origin", "https://v48.example"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        (
            "no route: the default policy",
            "/api/me",
            Method::GET,
            vec![("origin", "https://app.example")],
        ),
        (
            "outside urls_regex",
            "/static/app.js",
            Method::GET,
            vec![("origin", "https://app.example")],
        ),
    ];
    let mut report = Vec::new();
    for (name, uri, method, pairs) in &table {
        let count = scenario_on(&cors, uri, method.clone(), pairs, true);
        report.push(format!("{name}: {count}"));
    }
    assert!(
        report.iter().all(|line| line.ends_with(": 0")),
        "allocations per request:\n{}",
        report.join("\n")
    );
}

#[test]
fn no_allocation_per_request_with_an_observer_and_a_report_only_candidate() {
    use std::sync::atomic::AtomicU64;
    let seen = std::sync::Arc::new(AtomicU64::new(0));
    let differences = std::sync::Arc::new(AtomicU64::new(0));
    let (count, diff) = (
        std::sync::Arc::clone(&seen),
        std::sync::Arc::clone(&differences),
    );
    let cors = Cors::builder()
        .allowed_origins(["https://app.example", "https://*.example.com"])
        .allow_credentials(true)
        .route(
            "^/public/",
            Cors::builder()
                .allow_all_origins(true)
                .allow_credentials(false),
        )
        .report_only(
            Cors::builder()
                .allowed_origins(["https://app.example"])
                .allow_credentials(true),
        )
        .observer(move |o: &corsair::Observation<'_>| {
            count.fetch_add(1, Ordering::Relaxed);
            if o.candidate().is_some() {
                diff.fetch_add(1, Ordering::Relaxed);
            }
        })
        .build()
        .unwrap();
    type Request<'a> = (&'static str, Method, Vec<(&'static str, &'a str)>);
    let table: [Request<'_>; 4] = [
        (
            "/api/x",
            Method::GET,
            vec![("origin", "https://eu.example.com")],
        ),
        (
            "/api/x",
            Method::GET,
            vec![("origin", "https://app.example")],
        ),
        (
            "/public/x",
            Method::GET,
            vec![("origin", "https://any.example")],
        ),
        (
            "/api/x",
            Method::OPTIONS,
            vec![
                ("origin", "https://app.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-token"),
            ],
        ),
    ];
    let mut report = Vec::new();
    for (uri, method, pairs) in &table {
        let count = scenario_on(&cors, uri, method.clone(), pairs, true);
        report.push(format!("{uri} {method}: {count}"));
    }
    assert!(
        report.iter().all(|line| line.ends_with(": 0")),
        "allocations per request:\n{}",
        report.join("\n")
    );
    // Each scenario evaluates twice (warm-up, then counted): the observer saw every request,
    // and the candidate differs on the subdomain and the public path, twice each.
    assert_eq!(seen.load(Ordering::Relaxed), 8);
    assert_eq!(differences.load(Ordering::Relaxed), 4);
}

#[test]
fn the_counter_sees_allocations() {
    // The measurement itself must be able to fail: merging `origin` into an application's own
    // Vary value builds a new value, which allocates.
    let cors = policy();
    let headers = request_headers(&[("origin", "https://app1.example")]);
    let mut response = HeaderMap::with_capacity(16);
    response.insert("vary", HeaderValue::from_static("accept-encoding"));
    let uri = Uri::from_static("/");
    let count = allocations_of(|| {
        let decision = cors.evaluate(&Method::GET, &uri, &headers).now().unwrap();
        cors.apply(&decision, &mut response);
    });
    assert!(count > 0);
    assert_eq!(response["vary"], "accept-encoding, origin");
}
