//! Heap allocations per request, per scenario, for corsair and the peers: a deterministic count
//! made with a counting global allocator (after three warm-up calls, so that per-worker caches
//! and response pools are filled, as on a running server). Prints a Markdown table.
//!
//! ```text
//! cargo bench -p corsair --features actix --bench allocations
//! ```
//!
//! Columns: `engine` is corsair's [`corsair::Cors::evaluate`] plus `apply` /
//! `write_preflight_headers` into a response map that already has room (the engine alone);
//! the other columns are whole calls through each middleware and through the bare stub
//! (`baseline`), so a middleware's own allocations are its column minus its baseline.

#[macro_use]
mod harness;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use corsair::RequestKind;
use harness::{Scenario, Template};
use tower::Layer;

/// Counts every allocation and reallocation.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const WARM_UP_CALLS: usize = 3;

/// Allocations made by `call` on its last run, after warm-up runs. `make` builds the input
/// outside the count; the output is dropped outside it.
fn count<I, O>(mut make: impl FnMut() -> I, mut call: impl FnMut(I) -> O) -> u64 {
    for _ in 0..WARM_UP_CALLS {
        drop(call(make()));
    }
    let input = make();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let output = call(input);
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    drop(output);
    after - before
}

fn engine(scenario: &Scenario, template: &Template) -> u64 {
    let cors = harness::corsair_policy(scenario.origins);
    count(
        || (template.request(), http::HeaderMap::with_capacity(16)),
        |(request, mut response)| {
            let decision = cors
                .evaluate(request.method(), request.uri(), request.headers())
                .now()
                .expect("no async hook");
            match decision.kind() {
                RequestKind::Preflight => cors.write_preflight_headers(&decision, &mut response),
                _ => cors.apply(&decision, &mut response),
            }
            (request, response)
        },
    )
}

fn tower<S>(mut service: S, template: &Template) -> u64
where
    S: tower::Service<http::Request<http_body_util::Empty<bytes::Bytes>>>,
    S::Error: std::fmt::Debug,
{
    count(
        || template.request(),
        |request| harness::call_tower(&mut service, request),
    )
}

fn actix<S>(service: S, template: &Template) -> u64
where
    S: actix_web::dev::Service<actix_http::Request>,
    S::Error: std::fmt::Debug,
{
    count(
        || template.actix_request(),
        |request| harness::call_actix(&service, request),
    )
}

fn main() {
    // `cargo bench` passes `--bench`; nothing here is configurable.
    println!(
        "| scenario | engine | tower/corsair | tower/tower-http | tower/baseline | actix/corsair | actix/actix-cors | actix/baseline |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for scenario in harness::scenarios() {
        let template = Template::new(&scenario);
        let o = scenario.origins;
        let engine = engine(&scenario, &template);
        let row = if scenario.through_router {
            let router = harness::axum_router();
            [
                tower(router.clone().layer(harness::corsair_policy(o)), &template).to_string(),
                tower(
                    router.clone().layer(harness::tower_http_policy(o)),
                    &template,
                )
                .to_string(),
                tower(router, &template).to_string(),
                "–".into(),
                "–".into(),
                "–".into(),
            ]
        } else {
            let handler = scenario.handler;
            let stub = || harness::tower_stub_for(handler);
            [
                tower(harness::corsair_policy(o).layer(stub()), &template).to_string(),
                tower(harness::tower_http_policy(o).layer(stub()), &template).to_string(),
                tower(stub(), &template).to_string(),
                actix(
                    actix_app!(handler = handler, harness::corsair_policy(o)),
                    &template,
                )
                .to_string(),
                actix(
                    actix_app!(handler = handler, harness::actix_cors_policy(o)),
                    &template,
                )
                .to_string(),
                actix(actix_app!(handler = handler), &template).to_string(),
            ]
        };
        println!("| {} | {engine} | {} |", scenario.name, row.join(" | "));
    }
}
