//! Instructions per request, per scenario, for the tower subjects (baseline, corsair,
//! tower-http) and the engine alone, counted by callgrind: deterministic where wall-clock time
//! on a shared machine is not. Each subject handles `N` prepared requests inside one function,
//! `measure`, the only one callgrind counts; responses are dropped outside it, as criterion does.
//!
//! ```text
//! cargo bench -p corsair --features actix --bench instructions --no-run
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='instructions::measure*' \
//!     target/release/deps/instructions-* <scenario> [requests] [baseline|corsair|tower-http|engine]
//! ```
//!
//! Without valgrind it only runs the requests (a smoke test). `bench/instructions.sh` runs every
//! subject and prints the instructions per request.

#[macro_use]
mod harness;

use corsair::RequestKind;
use harness::{Scenario, Template};
use tower::Layer;

type TowerRequest = http::Request<http_body_util::Empty<bytes::Bytes>>;

/// Handles every request of `requests` with `handle`; the one function callgrind counts.
#[inline(never)]
fn measure<R, O>(requests: Vec<R>, mut handle: impl FnMut(R) -> O) -> Vec<O> {
    let mut outputs = Vec::with_capacity(requests.len());
    for request in requests {
        outputs.push(handle(request));
    }
    outputs
}

fn tower<S>(mut service: S, template: &Template, count: usize)
where
    S: tower::Service<TowerRequest>,
    S::Error: std::fmt::Debug,
{
    // Warm-up, as a running server would be.
    drop(harness::call_tower(&mut service, template.request()));
    let requests = (0..count).map(|_| template.request()).collect();
    let responses = measure(requests, |request| {
        harness::call_tower(&mut service, request)
    });
    drop(responses);
}

fn engine(scenario: &Scenario, template: &Template, count: usize) {
    let cors = harness::corsair_policy(scenario.origins);
    let requests: Vec<_> = (0..count)
        .map(|_| (template.request(), http::HeaderMap::with_capacity(16)))
        .collect();
    let outputs = measure(requests, |(request, mut response)| {
        let evaluation = cors.evaluate(request.method(), request.uri(), request.headers());
        if let Some(decision) = evaluation.now() {
            match decision.kind() {
                RequestKind::Preflight => cors.write_preflight_headers(&decision, &mut response),
                _ => cors.apply(&decision, &mut response),
            }
        }
        (request, response)
    });
    drop(outputs);
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let filter = args.next().unwrap_or_default();
    if filter == "--list" {
        for scenario in harness::scenarios().iter().filter(|s| !s.through_router) {
            println!("{}", scenario.name);
        }
        return;
    }
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let subject = args.next().unwrap_or_default();
    for scenario in harness::scenarios() {
        if scenario.through_router || scenario.name != filter {
            continue;
        }
        let template = Template::new(&scenario);
        let stub = || harness::tower_stub_for(scenario.handler);
        match subject.as_str() {
            "baseline" => tower(stub(), &template, count),
            "corsair" => tower(
                harness::corsair_policy(scenario.origins).layer(stub()),
                &template,
                count,
            ),
            "tower-http" => tower(
                harness::tower_http_policy(scenario.origins).layer(stub()),
                &template,
                count,
            ),
            "engine" => engine(&scenario, &template, count),
            _ => {
                tower(stub(), &template, count);
                engine(&scenario, &template, count);
            }
        }
    }
}
