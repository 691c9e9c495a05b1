//! The axum example, served on a real socket and driven by a real HTTP client.

#[path = "../../../../examples/axum.rs"]
#[allow(dead_code)]
mod example;

use std::net::SocketAddr;

use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

const FRONTEND: &str = "http://localhost:8080";

async fn serve() -> SocketAddr {
    let cors = corsair::Cors::builder()
        .allowed_origins([FRONTEND])
        .allow_credentials(true)
        .expose_headers(["x-request-id"])
        .preflight_max_age(600)
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, example::app(cors)).await.unwrap() });
    addr
}

async fn send(addr: SocketAddr, request: Request<Full<Bytes>>) -> (http::response::Parts, Bytes) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let response = sender.send_request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts, body.collect().await.unwrap().to_bytes())
}

fn request(
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Request<Full<Bytes>> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

#[tokio::test]
async fn preflight_then_put_from_the_frontend() {
    let addr = serve().await;
    let (preflight, body) = send(
        addr,
        request(
            Method::OPTIONS,
            "/api/items/7",
            &[
                ("origin", FRONTEND),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type"),
            ],
            "",
        ),
    )
    .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert!(body.is_empty());
    assert_eq!(preflight.headers["access-control-allow-origin"], FRONTEND);
    assert_eq!(
        preflight.headers["access-control-allow-credentials"],
        "true"
    );
    assert_eq!(preflight.headers["access-control-max-age"], "600");
    assert!(
        preflight.headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("PUT")
    );

    let (put, body) = send(
        addr,
        request(
            Method::PUT,
            "/api/items/7",
            &[("origin", FRONTEND), ("content-type", "application/json")],
            r#"{"name":"rope"}"#,
        ),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(put.headers["access-control-allow-origin"], FRONTEND);
    assert_eq!(put.headers["access-control-expose-headers"], "x-request-id");
    assert_eq!(put.headers["vary"], "origin");
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["id"], 7);
    assert_eq!(json["body"]["name"], "rope");
}

#[tokio::test]
async fn errors_are_readable_and_strangers_get_nothing() {
    let addr = serve().await;
    let (error, _) = send(
        addr,
        request(Method::GET, "/api/error", &[("origin", FRONTEND)], ""),
    )
    .await;
    assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error.headers["access-control-allow-origin"], FRONTEND);

    let (stranger, body) = send(
        addr,
        request(
            Method::GET,
            "/api/items",
            &[("origin", "http://localhost:8081")],
            "",
        ),
    )
    .await;
    assert_eq!(stranger.status, StatusCode::OK);
    assert!(
        stranger
            .headers
            .get("access-control-allow-origin")
            .is_none()
    );
    assert!(
        stranger
            .headers
            .get("access-control-allow-credentials")
            .is_none()
    );
    assert_eq!(stranger.headers["vary"], "origin");
    assert!(!body.is_empty());

    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let unknown = sender
        .send_request(
            Request::builder()
                .method(Method::OPTIONS)
                .uri("/no/such/route")
                .header("host", "127.0.0.1")
                .header("origin", FRONTEND)
                .header("access-control-request-method", "DELETE")
                .body(Empty::<Bytes>::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NO_CONTENT);
    assert_eq!(unknown.headers()["access-control-allow-origin"], FRONTEND);
}
