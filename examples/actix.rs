//! A small JSON API behind corsair's actix-web middleware: the same routes, policy and
//! behaviour as `examples/axum.rs`.
//!
//! ```text
//! cargo run -p corsair --example actix --features actix,config       # listens on 127.0.0.1:8000
//! PORT=9000 CORS_ALLOWED_ORIGINS=http://localhost:8080 cargo run -p corsair --example actix --features actix,config
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

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use corsair::Cors;
use serde_json::{Value, json};

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

/// A JSON answer with a header the frontend may read and one it may not.
fn with_request_id(body: Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-request-id", "req-42"))
        .insert_header(("x-internal", "secret"))
        .json(body)
}

async fn list_items() -> HttpResponse {
    with_request_id(json!([{"id": 1, "name": "anchor"}]))
}

async fn put_item(
    id: web::Path<u32>,
    request: HttpRequest,
    body: web::Json<Value>,
) -> HttpResponse {
    let version = request
        .headers()
        .get("x-client-version")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    with_request_id(json!({"id": *id, "body": body.into_inner(), "client_version": version}))
}

async fn me(request: HttpRequest) -> HttpResponse {
    let session = request
        .headers()
        .get_all("cookie")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix("session="))
        .next()
        .map(str::to_owned);
    with_request_id(json!({ "session": session }))
}

async fn error() -> HttpResponse {
    HttpResponse::build(StatusCode::INTERNAL_SERVER_ERROR).json(json!({"error": "something broke"}))
}

/// The application's routes, as the integration tests use them.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/api/items", web::get().to(list_items))
        .route("/api/items/{id}", web::put().to(put_item))
        .route("/api/me", web::get().to(me))
        .route("/api/error", web::get().to(error));
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
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
    println!("listening on http://{addr} with CORS policy: {cors}");
    HttpServer::new(move || App::new().wrap(cors.clone()).configure(routes))
        .workers(2)
        .bind(addr)?
        .run()
        .await
}
