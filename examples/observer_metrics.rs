//! The library API: an observer (`CorsBuilder::observer`) that counts every CORS decision of an
//! axum app with `prometheus-client`, and a `/metrics` route that serves the counts in the
//! Prometheus text format.
//!
//! ```text
//! cargo run -p corsair-cli --example observer_metrics          # listens on 127.0.0.1:8000
//! curl -H 'Origin: https://evil.example' http://127.0.0.1:8000/api/items
//! curl http://127.0.0.1:8000/metrics
//! ```
//!
//! The labels are those of `corsair serve`'s `corsair_requests_total`: the kind of request, the
//! outcome, and the reason of a refusal. None carries the origin or the path, so the number of
//! series stays small whatever the traffic. The observer is called once per request; the
//! engine allocates nothing for it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use corsair::{Cors, Observation, RefusalKind, RequestKind};
use prometheus_client::encoding::{EncodeLabelSet, prometheus_text};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

/// The labels of one series of `cors_decisions_total`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Decided {
    /// `preflight`, `actual` or `bypass`.
    pub kind: &'static str,
    /// `allowed`, `refused` or `not_cors`.
    pub outcome: &'static str,
    /// The refusal's kind (`origin_not_allowed`, ...), empty unless refused.
    pub reason: &'static str,
}

impl Decided {
    /// The labels of what the policy decided about one request.
    pub fn of(seen: &Observation<'_>) -> Decided {
        Decided {
            kind: match seen.kind() {
                RequestKind::Preflight => "preflight",
                RequestKind::Bypass => "bypass",
                _ => "actual",
            },
            outcome: seen.outcome().as_str(),
            reason: seen.refusal().map_or("", RefusalKind::as_str),
        }
    }
}

/// A registry with the decisions' counter family in it.
pub fn metrics() -> (Registry, Family<Decided, Counter>) {
    let mut registry = Registry::default();
    let decisions = Family::<Decided, Counter>::default();
    registry.register(
        "cors_decisions",
        "CORS decisions by kind, outcome and reason",
        decisions.clone(),
    );
    (registry, decisions)
}

/// The policy: the frontend `http://localhost:8080` may call `/api/`, and every decision is
/// counted in `decisions`.
pub fn policy(decisions: Family<Decided, Counter>) -> Result<Cors, corsair::ConfigError> {
    Cors::builder()
        .allowed_origins(["http://localhost:8080"])
        .allow_methods(["GET", "POST"])
        .urls_regex("^/api/")
        .observer(move |seen: &Observation<'_>| {
            decisions.get_or_create(&Decided::of(seen)).inc();
        })
        .build()
}

/// The application: `/api/items` and `/static/app.js` behind the CORS layer, and `/metrics`
/// outside it.
pub fn app(cors: Cors, registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/api/items", get(|| async { "[]" }).post(|| async { "{}" }))
        .route("/static/app.js", get(|| async { "// app" }))
        .layer(cors)
        .route(
            "/metrics",
            get(move || {
                let registry = Arc::clone(&registry);
                async move {
                    let mut text = String::new();
                    match prometheus_text::encode(&mut text, &registry) {
                        Ok(()) => (
                            [(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
                            text,
                        )
                            .into_response(),
                        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                    }
                }
            }),
        )
}

#[tokio::main]
async fn main() {
    let (registry, decisions) = metrics();
    let cors = match policy(decisions) {
        Ok(cors) => cors,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(2);
        }
    };
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
    println!("listening on http://{addr} (metrics on /metrics) with CORS policy: {cors}");
    axum::serve(listener, app(cors, Arc::new(registry)))
        .await
        .expect("server error");
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn send(app: &Router, method: &str, path: &str, headers: &[(&str, &str)]) -> u16 {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        response.status().as_u16()
    }

    #[tokio::test]
    async fn every_decision_is_counted_by_kind_outcome_and_reason() {
        let (registry, decisions) = metrics();
        let app = app(policy(decisions.clone()).unwrap(), Arc::new(registry));
        let app_origin = ("origin", "http://localhost:8080");
        let evil = ("origin", "https://evil.example");
        for _ in 0..3 {
            assert_eq!(send(&app, "GET", "/api/items", &[app_origin]).await, 200);
        }
        assert_eq!(send(&app, "GET", "/api/items", &[evil]).await, 200);
        assert_eq!(send(&app, "GET", "/api/items", &[]).await, 200);
        assert_eq!(send(&app, "GET", "/static/app.js", &[evil]).await, 200);
        let preflight = |method| {
            [
                ("origin", "http://localhost:8080"),
                ("access-control-request-method", method),
            ]
        };
        assert_eq!(
            send(&app, "OPTIONS", "/api/items", &preflight("POST")).await,
            204
        );
        assert_eq!(
            send(&app, "OPTIONS", "/api/items", &preflight("DELETE")).await,
            204
        );

        let count = |kind, outcome, reason| {
            decisions
                .get_or_create(&Decided {
                    kind,
                    outcome,
                    reason,
                })
                .get()
        };
        assert_eq!(count("actual", "allowed", ""), 3);
        assert_eq!(count("actual", "refused", "origin_not_allowed"), 1);
        assert_eq!(count("actual", "not_cors", ""), 1);
        assert_eq!(count("bypass", "not_cors", ""), 1);
        assert_eq!(count("preflight", "allowed", ""), 1);
        assert_eq!(count("preflight", "refused", "method_not_allowed"), 1);

        // `/metrics` is outside the CORS layer: serving it decides nothing.
        let response = app
            .clone()
            .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            prometheus_text::CONTENT_TYPE
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(body.to_vec()).unwrap();
        let value = text
            .lines()
            .find_map(|l| {
                l.strip_prefix(
                    r#"cors_decisions_total{kind="actual",outcome="allowed",reason=""} "#,
                )
            })
            .and_then(|v| v.parse::<u64>().ok());
        assert_eq!(value, Some(3), "{text}");
        let series = text
            .lines()
            .filter(|l| l.starts_with("cors_decisions_total{"))
            .count();
        assert_eq!(series, 6, "one series per decision seen: {text}");
    }
}
