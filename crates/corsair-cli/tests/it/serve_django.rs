//! `corsair serve` in front of the real Django test API (tests/django_app, no
//! django-cors-headers): the seed scenario, a Django API and a frontend on another origin.
//!
//! Needs the virtual environment at `.venv` with Django installed; without it the test fails
//! and says how to create it.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;

/// `runserver` on a free port; killed when dropped.
pub(crate) struct Django {
    child: Child,
    pub(crate) addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Django {
    pub(crate) fn start() -> Django {
        let root = repo_root();
        let python = root.join(".venv/bin/python");
        assert!(
            python.is_file(),
            "{} is missing: create it with `python3 -m venv .venv && .venv/bin/pip install django` at the repository root",
            python.display()
        );
        let addr = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap()
        };
        let mut child = Command::new(&python)
            .current_dir(&root)
            .args([
                "tests/django_app/manage.py",
                "runserver",
                "--noreload",
                &addr.to_string(),
            ])
            .env("PYTHONUNBUFFERED", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(addr).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("Django exited with {status}: {:#?}", log.lock().unwrap());
            }
            assert!(
                Instant::now() < deadline,
                "Django did not start: {:#?}",
                log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Django { child, addr, log }
    }

    fn requests(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("HTTP/1.1\""))
            .cloned()
            .collect()
    }
}

impl Drop for Django {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_django_api_gets_correct_cors_from_one_command() {
    let django = Django::start();
    let dir = temp_dir("django");
    write_config(
        &dir,
        django.addr,
        "",
        "allowed_origins = [\"http://localhost:8080\"]\nallow_credentials = true",
    );
    let corsair = Corsair::start(&dir, &[]);
    let client = client();
    let origin = ("origin", APP);

    let hello = send(&client, "GET", &corsair.url("/api/hello"), &[origin], "").await;
    assert_eq!(hello.status, 200);
    assert!(hello.body.contains("hello from django"), "{}", hello.body);
    assert_eq!(hello.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        hello.header("access-control-allow-credentials"),
        Some("true")
    );

    let preflight = [
        origin,
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "content-type"),
    ];
    let answer = send(
        &client,
        "OPTIONS",
        &corsair.url("/api/echo"),
        &preflight,
        "",
    )
    .await;
    assert_eq!(answer.status, 204);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));

    let echo = send(
        &client,
        "POST",
        &corsair.url("/api/echo"),
        &[
            origin,
            ("content-type", "application/json"),
            ("cookie", "session=s3cret"),
        ],
        "{\"n\": 42}",
    )
    .await;
    assert_eq!(echo.status, 200);
    let body: serde_json::Value = serde_json::from_str(&echo.body).unwrap();
    assert_eq!(body["body"]["n"], 42);
    assert_eq!(body["session"], "s3cret");
    assert_eq!(echo.header("access-control-allow-origin"), Some(APP));

    let own = send(
        &client,
        "GET",
        &corsair.url("/api/with-cors-headers"),
        &[origin],
        "",
    )
    .await;
    assert_eq!(
        own.header("access-control-allow-origin"),
        Some(APP),
        "Django's `*` is replaced"
    );
    assert_eq!(own.header("access-control-allow-methods"), None);
    assert_eq!(own.header("vary"), Some("Cookie, origin"));

    let forbidden = send(
        &client,
        "GET",
        &corsair.url("/api/forbidden"),
        &[origin],
        "",
    )
    .await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        forbidden.header("access-control-allow-origin"),
        Some(APP),
        "errors are readable"
    );

    let redirect = send(
        &client,
        "GET",
        &corsair.url("/api/redirect?to=https://accounts.example/authorize"),
        &[origin],
        "",
    )
    .await;
    assert_eq!(redirect.status, 302);
    assert_eq!(
        redirect.header("location"),
        Some("https://accounts.example/authorize")
    );
    assert_eq!(redirect.header("access-control-allow-origin"), Some(APP));

    let requests = django.requests();
    assert!(
        requests.iter().any(|l| l.contains("POST /api/echo")),
        "{requests:#?}"
    );
    assert!(
        !requests.iter().any(|l| l.contains("OPTIONS")),
        "{requests:#?}"
    );
}

// RFC 9113 §8.2.3: a browser's HTTP/2 request carries each cookie in its own `cookie` field;
// Django behind corsair (over HTTP/1.1) must read them as the browser's separate cookies, not
// as one cookie folded with `,` that loses the session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browsers_http2_cookies_reach_django_as_separate_cookies() {
    let django = Django::start();
    let dir = temp_dir("django-h2-cookies");
    write_config(
        &dir,
        django.addr,
        "",
        "allowed_origins = [\"http://localhost:8080\"]\nallow_credentials = true",
    );
    let corsair = Corsair::start(&dir, &[]);
    // What Chromium sends for `fetch(url, {credentials: "include"})` over HTTP/2.
    let headers = [
        ("origin", APP),
        ("accept", "*/*"),
        ("sec-fetch-mode", "cors"),
        ("sec-fetch-site", "cross-site"),
        ("cookie", "csrftoken=T0K3N"),
        ("cookie", "sessionid=S3SS10N"),
        ("cookie", "theme=dark"),
    ];
    let answer = send(
        &h2c_client(),
        "GET",
        &corsair.url("/api/cookies"),
        &headers,
        "",
    )
    .await;
    assert_eq!(answer.version, http::Version::HTTP_2);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(
        body["cookies"],
        serde_json::json!({"csrftoken": "T0K3N", "sessionid": "S3SS10N", "theme": "dark"}),
    );
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
}
