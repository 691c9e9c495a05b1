//! The actix-web example, served on a real socket and driven over plain HTTP/1.1.

#[path = "../../../../examples/actix.rs"]
#[allow(dead_code)]
mod example;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use actix_web::{App, HttpServer};

const FRONTEND: &str = "http://localhost:8080";

/// Starts the example's application with the example's default policy on a free port, in a
/// thread of its own that ends with the test process.
fn serve() -> SocketAddr {
    let cors = corsair::Cors::builder()
        .allowed_origins([FRONTEND])
        .allow_credentials(true)
        .expose_headers(["x-request-id"])
        .allow_headers([
            "accept",
            "authorization",
            "content-type",
            "user-agent",
            "x-csrftoken",
            "x-requested-with",
            "x-client-version",
        ])
        .preflight_max_age(600)
        .build()
        .unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server =
                HttpServer::new(move || App::new().wrap(cors.clone()).configure(example::routes))
                    .workers(1)
                    .bind(("127.0.0.1", 0))
                    .unwrap();
            sender.send(server.addrs()[0]).unwrap();
            server.run().await.unwrap();
        });
    });
    receiver.recv().unwrap()
}

/// What came back: the status code, the header lines (names in lower case) and the body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.iter().filter(|(n, _)| n == name);
        let first = values.next().map(|(_, v)| v.as_str());
        assert!(values.next().is_none(), "{name} sent twice");
        first
    }
}

fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

#[test]
fn the_frontend_preflights_then_puts_and_reads_what_it_may() {
    let addr = serve();
    let preflight = send(
        addr,
        "OPTIONS",
        "/api/items/7",
        &[
            ("origin", FRONTEND),
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                "content-type, x-client-version",
            ),
        ],
        "",
    );
    assert_eq!(preflight.status, 204);
    assert!(preflight.body.is_empty());
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(FRONTEND)
    );
    assert_eq!(
        preflight.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(preflight.header("access-control-max-age"), Some("600"));
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("x-client-version")
    );

    let put = send(
        addr,
        "PUT",
        "/api/items/7",
        &[
            ("origin", FRONTEND),
            ("content-type", "application/json"),
            ("x-client-version", "2.1"),
        ],
        r#"{"name":"anchor"}"#,
    );
    assert_eq!(put.status, 200);
    assert_eq!(put.header("access-control-allow-origin"), Some(FRONTEND));
    assert_eq!(
        put.header("access-control-expose-headers"),
        Some("x-request-id")
    );
    assert_eq!(put.header("vary"), Some("origin"));
    let body: serde_json::Value = serde_json::from_str(&put.body).unwrap();
    assert_eq!(body["id"], 7);
    assert_eq!(body["client_version"], "2.1");
}

#[test]
fn errors_carry_the_headers_and_strangers_get_none() {
    let addr = serve();
    let table = [
        // (path, origin, status, allowed)
        ("/api/error", FRONTEND, 500, true),
        ("/api/items/not-a-number", FRONTEND, 404, true),
        ("/api/items", "https://evil.example", 200, false),
        ("/api/error", "https://evil.example", 500, false),
    ];
    for (path, origin, status, allowed) in table {
        let method = if path.starts_with("/api/items/") {
            "PUT"
        } else {
            "GET"
        };
        let answer = send(addr, method, path, &[("origin", origin)], "");
        assert_eq!(answer.status, status, "{path} from {origin}");
        assert_eq!(
            answer.header("access-control-allow-origin"),
            allowed.then_some(FRONTEND),
            "{path} from {origin}"
        );
        assert_eq!(
            answer.header("vary"),
            Some("origin"),
            "{path} from {origin}"
        );
    }
}

#[test]
fn the_session_cookie_reaches_the_api() {
    let addr = serve();
    let me = send(
        addr,
        "GET",
        "/api/me",
        &[
            ("origin", FRONTEND),
            ("cookie", "theme=dark; session=abc123"),
        ],
        "",
    );
    assert_eq!(me.status, 200);
    assert_eq!(me.header("access-control-allow-credentials"), Some("true"));
    assert!(me.body.contains("abc123"), "{}", me.body);
}
