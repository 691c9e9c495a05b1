//! corsair against tower-http's `CorsLayer` and actix-cors, in one process, on the same ready
//! stub services, with equivalent policies. Each scenario is a criterion group with the
//! subjects `engine/corsair` (the engine alone), `tower/baseline`, `tower/corsair`,
//! `tower/tower-http`, `actix/baseline`, `actix/corsair` and `actix/actix-cors`; requests are
//! built outside the timed section (in batches of [`BATCH`]) and responses dropped outside it.
//!
//! ```text
//! cargo bench -p corsair --features actix --bench cors -- --warm-up-time 1 --measurement-time 2
//! ```
//!
//! `bench/report.sh` runs this and the allocation report and writes `BENCHMARKS.md`.

#[macro_use]
mod harness;

use corsair::RequestKind;
use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};
use harness::{Scenario, Template};
use tower::Layer;

/// Requests per timed batch: few enough that a batch's requests and responses stay in a core's
/// cache, as a request a server has just parsed is. Criterion's `SmallInput` makes batches of a
/// tenth of a sample's iterations, up to hundreds of thousands of requests (megabytes): each
/// timed call then started with cache misses on its request and page faults on the batch's new
/// output vector, an absolute cost every subject paid alike, which pulled each ratio towards 1
/// and moved the baselines by a factor of five between runs.
const BATCH: BatchSize = BatchSize::NumIterations(64);

fn tower_subject<S>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    mut service: S,
    template: &Template,
) where
    S: tower::Service<http::Request<http_body_util::Empty<bytes::Bytes>>>,
    S::Error: std::fmt::Debug,
{
    group.bench_function(id, |b| {
        b.iter_batched(
            || template.request(),
            |request| harness::call_tower(&mut service, request),
            BATCH,
        )
    });
}

fn actix_subject<S>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    service: S,
    template: &Template,
) where
    S: actix_web::dev::Service<actix_http::Request>,
    S::Error: std::fmt::Debug,
{
    group.bench_function(id, |b| {
        b.iter_batched(
            || template.actix_request(),
            |request| harness::call_actix(&service, request),
            BatchSize::PerIteration,
        )
    });
}

/// The engine alone: `evaluate` plus `apply` / `write_preflight_headers` into a response map
/// that already has room, without any framework around it.
fn engine_subject(
    group: &mut BenchmarkGroup<'_, WallTime>,
    scenario: &Scenario,
    template: &Template,
) {
    let cors = harness::corsair_policy(scenario.origins);
    group.bench_function("engine/corsair", |b| {
        b.iter_batched(
            || (template.request(), http::HeaderMap::with_capacity(16)),
            |(request, mut response)| {
                let evaluation = cors.evaluate(request.method(), request.uri(), request.headers());
                if let Some(decision) = evaluation.now() {
                    match decision.kind() {
                        RequestKind::Preflight => {
                            cors.write_preflight_headers(&decision, &mut response)
                        }
                        _ => cors.apply(&decision, &mut response),
                    }
                }
                (request, response)
            },
            BATCH,
        )
    });
}

fn scenario(c: &mut Criterion, scenario: &Scenario) {
    let template = Template::new(scenario);
    let mut group = c.benchmark_group(scenario.name);
    engine_subject(&mut group, scenario, &template);
    if scenario.through_router {
        let router = harness::axum_router();
        tower_subject(&mut group, "tower/baseline", router.clone(), &template);
        let with_corsair = router
            .clone()
            .layer(harness::corsair_policy(scenario.origins));
        tower_subject(&mut group, "tower/corsair", with_corsair, &template);
        let with_peer = router.layer(harness::tower_http_policy(scenario.origins));
        tower_subject(&mut group, "tower/tower-http", with_peer, &template);
        group.finish();
        return;
    }
    let handler = scenario.handler;
    let stub = || harness::tower_stub_for(handler);
    tower_subject(&mut group, "tower/baseline", stub(), &template);
    let corsair = harness::corsair_policy(scenario.origins).layer(stub());
    tower_subject(&mut group, "tower/corsair", corsair, &template);
    let peer = harness::tower_http_policy(scenario.origins).layer(stub());
    tower_subject(&mut group, "tower/tower-http", peer, &template);

    let baseline = actix_app!(handler = handler);
    actix_subject(&mut group, "actix/baseline", baseline, &template);
    let corsair = actix_app!(handler = handler, harness::corsair_policy(scenario.origins));
    actix_subject(&mut group, "actix/corsair", corsair, &template);
    let peer = actix_app!(
        handler = handler,
        harness::actix_cors_policy(scenario.origins)
    );
    actix_subject(&mut group, "actix/actix-cors", peer, &template);
    group.finish();
}

/// The engine alone on a GET of `uri` with the request headers `headers`: `evaluate`, then
/// `apply` into a response map that has room.
fn engine_get(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    cors: &corsair::Cors,
    uri: &http::Uri,
    headers: &http::HeaderMap,
) {
    group.bench_function(id, |b| {
        b.iter_batched(
            || http::HeaderMap::with_capacity(16),
            |mut response| {
                if let Some(decision) = cors.evaluate(&http::Method::GET, uri, headers).now() {
                    cors.apply(&decision, &mut response);
                }
                response
            },
            BATCH,
        )
    });
}

/// A policy with `count` routes, the last of which covers `/api/public/`.
fn routed(count: usize) -> corsair::Cors {
    let mut builder = corsair::Cors::builder()
        .allowed_origins(["https://app.example"])
        .allow_credentials(true);
    for i in 0..count.saturating_sub(1) {
        builder = builder.route(
            format!("^/api/v{i}/"),
            corsair::Cors::builder().allowed_origins([format!("https://v{i}.example")]),
        );
    }
    builder
        .route(
            "^/api/public/",
            corsair::Cors::builder()
                .allow_all_origins(true)
                .allow_credentials(false),
        )
        .build()
        .expect("valid policy")
}

/// Route selection: the engine on one request with 1 route and with 50 (the matching route
/// last), and off every route of 50.
fn routes(c: &mut Criterion) {
    let mut group = c.benchmark_group("routes");
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "origin",
        http::HeaderValue::from_static("https://any.example"),
    );
    let cases = [
        ("1 route/on it", 1, "/api/public/feed"),
        ("50 routes/on the last", 50, "/api/public/feed"),
        ("50 routes/on none", 50, "/api/me"),
    ];
    for (id, count, path) in cases {
        let uri: http::Uri = path.parse().expect("valid path");
        engine_get(&mut group, id, &routed(count), &uri, &headers);
    }
    group.finish();
}

/// The same 100,000 tenant origins as a static list and as an origin set; a fixed policy
/// and a reloadable one through the tower layer; and what replacing a set of 100,000 costs.
fn runtime_origins(c: &mut Criterion) {
    let tenants: Vec<String> = (0..100_000)
        .map(|i| format!("https://tenant{i}.example"))
        .collect();
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "origin",
        http::HeaderValue::from_static("https://tenant99999.example"),
    );
    let uri: http::Uri = "/api/items".parse().expect("valid path");
    let fixed = corsair::Cors::builder()
        .allowed_origins(tenants.iter().cloned())
        .build()
        .expect("valid policy");
    let set = corsair::OriginSet::new();
    set.replace(&tenants);
    let with_set = corsair::Cors::builder()
        .allowed_origins_from(set.clone())
        .build()
        .expect("valid policy");

    let mut group = c.benchmark_group("runtime-origins");
    for (id, cors) in [
        ("engine/static list of 100,000", &fixed),
        ("engine/origin set of 100,000", &with_set),
    ] {
        engine_get(&mut group, id, cors, &uri, &headers);
    }
    let allowed = harness::scenarios()
        .into_iter()
        .find(|s| s.name == "actual/allowed")
        .expect("the actual/allowed scenario");
    let template = Template::new(&allowed);
    let stub = harness::tower_stub;
    tower_subject(
        &mut group,
        "tower/fixed policy",
        harness::corsair_policy(allowed.origins).layer(stub()),
        &template,
    );
    let reloadable = corsair::Cors::reloadable(harness::corsair_policy(allowed.origins));
    tower_subject(
        &mut group,
        "tower/reloadable policy",
        reloadable.layer(stub()),
        &template,
    );
    group.finish();

    let mut group = c.benchmark_group("origin-set-reload");
    group.sample_size(10);
    group.bench_function("replace 100,000", |b| {
        b.iter(|| set.replace(&tenants).len())
    });
    group.finish();
}

/// What an observer costs: the tower layer on an allowed and a refused request, without an
/// observer and with one that counts outcomes (what a metrics exporter does).
fn observer(c: &mut Criterion) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    let mut group = c.benchmark_group("observer");
    let all = harness::scenarios();
    for name in ["actual/allowed", "actual/disallowed"] {
        let scenario = all
            .iter()
            .find(|s| s.name == name)
            .expect("a listed scenario");
        let template = Template::new(scenario);
        let unobserved = harness::corsair_policy(scenario.origins).layer(harness::tower_stub());
        tower_subject(
            &mut group,
            &format!("{name}/no observer"),
            unobserved,
            &template,
        );
        let counts: Arc<[AtomicU64; 3]> = Arc::new(Default::default());
        let observed = harness::corsair_builder(scenario.origins)
            .observer(move |seen: &corsair::Observation<'_>| {
                counts[seen.outcome() as usize].fetch_add(1, Ordering::Relaxed);
            })
            .build()
            .expect("valid benchmark policy")
            .layer(harness::tower_stub());
        tower_subject(
            &mut group,
            &format!("{name}/counting observer"),
            observed,
            &template,
        );
    }
    group.finish();
}

fn all(c: &mut Criterion) {
    for s in harness::scenarios() {
        scenario(c, &s);
    }
    routes(c);
    runtime_origins(c);
    observer(c);
}

criterion_group!(benches, all);
criterion_main!(benches);
