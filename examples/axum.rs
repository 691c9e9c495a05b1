//! A small JSON API behind corsair's tower layer.
//!
//! ```text
//! cargo run -p corsair --features config --example axum                   # listens on 127.0.0.1:8000
//! PORT=9000 CORS_ALLOWED_ORIGINS=http://localhost:8080 cargo run -p corsair --features config --example axum
//! ```
//!
//! The policy is read from the `CORS_*` environment variables (django-cors-headers names) over
//! this example's defaults: the frontend `http://localhost:8080` may call with credentials, and
//! read the `x-request-id` response header (but not `x-internal`).
//!
//! Routes:
//! - `GET /api/items`: a JSON list;
//! - `PUT /api/items/{id}`: echoes the JSON body, and the `x-client-version` request header;
//! - `GET /api/me`: the `session` cookie the browser sent;
//! - `GET /api/error`: a 500 that the frontend can still read.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Json, Path};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, put};
use corsair::Cors;

fn policy() -> Result<Cors, corsair::ConfigError> {
    let mut allow_headers = corsair::DEFAULT_ALLOW_HEADERS.to_vec();
    allow_headers.push("x-client-version");
    let cors = Cors::builder()
        .allowed_origins(["http://localhost:8080"])
        .allow_credentials(true)
        .expose_headers(["x-request-id"])
        .preflight_max_age(600)
        .allow_headers(allow_headers)
        // The CORS_* variables (django-cors-headers' names) override the settings above.
        .apply_env_vars(std::env::vars())?
        .build()?;
    for warning in cors.warnings() {
        eprintln!("{warning}");
    }
    Ok(cors)
}

fn with_request_id(body: impl IntoResponse) -> impl IntoResponse {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert("x-request-id", HeaderValue::from_static("req-42"));
    headers.insert("x-internal", HeaderValue::from_static("secret"));
    response
}

async fn list_items() -> impl IntoResponse {
    with_request_id(Json(serde_json::json!([{"id": 1, "name": "anchor"}])))
}

async fn put_item(
    Path(id): Path<u32>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> impl IntoResponse {
    let version = headers
        .get("x-client-version")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    with_request_id(Json(
        serde_json::json!({"id": id, "body": body, "client_version": version}),
    ))
}

async fn me(headers: HeaderMap) -> impl IntoResponse {
    let session = headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix("session="))
        .next()
        .map(str::to_owned);
    with_request_id(Json(serde_json::json!({ "session": session })))
}

async fn error() -> impl IntoResponse {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(serde_json::json!({"error": "something broke"})),
    )
}

/// The application with the CORS layer, as the integration tests use it.
pub fn app(cors: Cors) -> Router {
    Router::new()
        .route("/api/items", get(list_items))
        .route("/api/items/{id}", put(put_item))
        .route("/api/me", get(me))
        .route("/api/error", get(error))
        .layer(cors)
}

#[tokio::main]
async fn main() {
    let cors = match policy() {
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
    println!("listening on http://{addr} with CORS policy: {cors}");
    axum::serve(listener, app(cors))
        .await
        .expect("server error");
}
