//! The tower layer in a tonic server: gRPC calls pass through with their trailers, a
//! gRPC-web preflight is answered, and calls from an allowed origin get the CORS headers.

use std::time::Duration;

use corsair::Cors;
use tonic::transport::{Channel, Server};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const APP: &str = "https://app.example";

#[tokio::test]
async fn a_tonic_server_wrapped_in_corsair() {
    let cors = Cors::builder()
        .allowed_origins([APP])
        .allow_headers(["content-type", "x-grpc-web", "x-user-agent"])
        .expose_headers(["grpc-status", "grpc-message"])
        .build()
        .unwrap();
    let (_reporter, health) = tonic_health::server::health_reporter();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tokio::spawn(
        Server::builder()
            .accept_http1(true)
            .layer(cors)
            .add_service(health)
            .serve_with_incoming(incoming),
    );

    // A gRPC call without Origin: untouched, status from the trailers.
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap();
    let mut client = HealthClient::new(channel);
    let answer = client
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap();
    assert_eq!(answer.get_ref().status, ServingStatus::Serving as i32);
    assert!(
        answer
            .metadata()
            .get("access-control-allow-origin")
            .is_none()
    );

    // The same call from an allowed page's origin gets the CORS headers.
    let mut request = tonic::Request::new(HealthCheckRequest {
        service: String::new(),
    });
    request
        .metadata_mut()
        .insert("origin", APP.parse().unwrap());
    let answer = client.check(request).await.unwrap();
    let metadata = answer.metadata();
    assert_eq!(metadata.get("access-control-allow-origin").unwrap(), APP);
    assert_eq!(
        metadata.get("access-control-expose-headers").unwrap(),
        "grpc-status, grpc-message"
    );
    assert_eq!(metadata.get("vary").unwrap(), "origin");

    // The preflight a browser sends before a gRPC-web call, over HTTP/1.1.
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let preflight = http::Request::builder()
        .method("OPTIONS")
        .uri("/grpc.health.v1.Health/Check")
        .header("host", addr.to_string())
        .header("origin", APP)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,x-grpc-web")
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let answer = sender.send_request(preflight).await.unwrap();
    assert_eq!(answer.status(), 204);
    assert_eq!(answer.headers()["access-control-allow-origin"], APP);
    assert_eq!(
        answer.headers()["access-control-allow-headers"],
        "content-type, x-grpc-web, x-user-agent"
    );
}
