//! `corsair serve` over HTTPS: HTTP/2 and HTTP/1.1 chosen by ALPN, with the same CORS answers;
//! the request-head limits and a handshake deadline over TLS; a certificate renewed by SIGHUP
//! under load; key mismatches refused at start and on reload; HTTP/2 to an h2c upstream; and
//! rapid-reset and CONTINUATION floods cut off with bounded memory. Every certificate is made
//! here, by a test authority (rcgen).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;
use crate::wait;

/// A certificate authority of the tests.
struct Authority {
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

/// A leaf certificate for `localhost` and `127.0.0.1`, and its private key.
struct Leaf {
    /// PEM: the leaf, then the authority.
    chain: String,
    /// PEM (PKCS#8).
    key: String,
    /// The leaf, as a client sees it.
    der: CertificateDer<'static>,
}

impl Leaf {
    /// Writes `cert.pem` and `key.pem` in `dir` (replacing them), and returns their paths.
    fn write(&self, dir: &Path) -> (PathBuf, PathBuf) {
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        std::fs::write(&cert, &self.chain).unwrap();
        std::fs::write(&key, &self.key).unwrap();
        (cert, key)
    }
}

impl Authority {
    fn new() -> Authority {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "corsair test authority");
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let key = rcgen::KeyPair::generate().unwrap();
        Authority {
            issuer: rcgen::CertifiedIssuer::self_signed(params, key).unwrap(),
        }
    }

    /// A leaf certificate named `name`, with serial number `serial`.
    fn issue(&self, name: &str, serial: u64) -> Leaf {
        self.issue_for(name, serial, &["localhost", "127.0.0.1"], None)
    }

    /// A leaf certificate named `name`, with serial number `serial`, for the DNS names and IP
    /// addresses `names`, valid from and to the days `valid` counts from today (rcgen's long
    /// default validity without).
    fn issue_for(
        &self,
        name: &str,
        serial: u64,
        names: &[&str],
        valid: Option<(i64, i64)>,
    ) -> Leaf {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        if let Some((from, to)) = valid {
            let day = |offset: i64| {
                let days = Duration::from_secs(offset.unsigned_abs() * 86_400);
                let now = std::time::SystemTime::now();
                if offset < 0 { now - days } else { now + days }
            };
            params.not_before = day(from).into();
            params.not_after = day(to).into();
        }
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.serial_number = Some(rcgen::SerialNumber::from(serial));
        let key = rcgen::KeyPair::generate().unwrap();
        let issuer: &rcgen::Issuer<'_, rcgen::KeyPair> = &self.issuer;
        let cert = params.signed_by(&key, issuer).unwrap();
        Leaf {
            chain: format!("{}{}", cert.pem(), self.issuer.pem()),
            key: key.serialize_pem(),
            der: cert.der().clone(),
        }
    }

    /// A client trusting this authority only, offering `alpn`.
    fn client_config(&self, alpn: &[&[u8]]) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.issuer.der().clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Arc::new(config)
    }

    /// A pooled HTTPS client trusting this authority, speaking HTTP/2 or HTTP/1.1 (by ALPN).
    fn client(&self, http2: bool) -> HttpsClient {
        let config = (*self.client_config(&[])).clone();
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_only();
        let connector = if http2 {
            builder.enable_http2().build()
        } else {
            builder.enable_http1().build()
        };
        Client::builder(TokioExecutor::new()).build(connector)
    }
}

type HttpsClient =
    Client<hyper_rustls::HttpsConnector<HttpConnector>, BoxBody<Bytes, hyper::Error>>;

/// `https://ADDR/path`.
fn https_url(corsair: &Corsair, path: &str) -> String {
    format!("https://{}{path}", corsair.addr)
}

/// A TLS connection to `addr`, verified for `127.0.0.1`.
async fn tls_connect(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from("127.0.0.1").unwrap();
    TlsConnector::from(config).connect(name, tcp).await
}

/// The certificate the server presented on `stream`.
fn presented(stream: &TlsStream<TcpStream>) -> CertificateDer<'static> {
    stream.get_ref().1.peer_certificates().unwrap()[0]
        .clone()
        .into_owned()
}

/// Starts corsair in `dir` forwarding to `upstream`, with HTTPS from `cert.pem` and `key.pem`
/// named in the file, and extra `[server]` lines.
fn start_https(dir: &Path, upstream: SocketAddr, server: &str) -> Corsair {
    write_config(
        dir,
        upstream,
        &format!("tls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n{server}"),
        &format!("allowed_origins = [\"{APP}\"]\nallow_credentials = true"),
    );
    Corsair::start(dir, &[])
}

/// Everything read from `stream` until it closes (or `timeout` passes with nothing new), and
/// whether it closed.
async fn read_until_close<S: AsyncRead + Unpin>(
    stream: &mut S,
    timeout: Duration,
) -> (Vec<u8>, bool) {
    let mut received = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match tokio::time::timeout(timeout, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (received, true),
            Ok(Ok(n)) => received.extend_from_slice(&chunk[..n]),
            Err(_) => return (received, false),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_answers_the_same_cors_over_http2_and_http1() {
    let upstream = Upstream::start().await;
    let authority = Authority::new();
    let dir = temp_dir("tls-alpn");
    let leaf = authority.issue("corsair one", 1);
    leaf.write(&dir);
    let corsair = start_https(&dir, upstream.addr, "");
    let start = corsair.wait_for_log("listening on https://").await;
    assert!(start.contains("serial 01"), "{start}");

    let preflight = [
        ("origin", APP),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "content-type"),
    ];
    let mut answers = Vec::new();
    for (http2, version, via) in [
        (true, Version::HTTP_2, "2 corsair"),
        (false, Version::HTTP_11, "1.1 corsair"),
    ] {
        let client = authority.client(http2);
        let simple = send(
            &client,
            "GET",
            &https_url(&corsair, "/api"),
            &[("origin", APP)],
            "",
        )
        .await;
        assert_eq!(simple.version, version);
        assert_eq!(simple.status, 200);
        assert_eq!(simple.body, "upstream ok");
        let forwarded = upstream.received().pop().unwrap();
        assert_eq!(
            forwarded.headers["x-forwarded-proto"], "https",
            "{version:?}"
        );
        assert_eq!(forwarded.headers["via"], via);
        let options = send(
            &client,
            "OPTIONS",
            &https_url(&corsair, "/api"),
            &preflight,
            "",
        )
        .await;
        assert_eq!(options.version, version);
        assert_eq!(options.status, 204);
        let cors = |answer: &Answer| {
            let mut headers: Vec<(String, String)> = answer
                .headers
                .iter()
                .filter(|(name, _)| {
                    name.as_str().starts_with("access-control-") || name.as_str() == "vary"
                })
                .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
                .collect();
            headers.sort();
            headers
        };
        answers.push((cors(&simple), cors(&options)));
    }
    let (h2, h1) = (&answers[0], &answers[1]);
    assert_eq!(h2, h1, "the same CORS headers over HTTP/2 and HTTP/1.1");
    assert!(
        h2.0.contains(&("access-control-allow-origin".to_owned(), APP.to_owned())),
        "{h2:?}"
    );
    assert!(
        h2.1.iter()
            .any(|(name, value)| name == "access-control-allow-methods" && value.contains("PUT")),
        "{h2:?}"
    );

    // A client offering no ALPN at all gets HTTP/1.1.
    let mut stream = tls_connect(corsair.addr, authority.client_config(&[]))
        .await
        .unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), None);
    stream
        .write_all(b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost:8080\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (bytes, _) = read_until_close(&mut stream, Duration::from_secs(10)).await;
    let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
    assert!(text.starts_with("http/1.1 200"), "{text}");
    assert!(
        text.contains("access-control-allow-origin: http://localhost:8080"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_every_head_is_limited_and_a_handshake_has_a_deadline() {
    let upstream = Upstream::start().await;
    let authority = Authority::new();
    let dir = temp_dir("tls-limits");
    authority.issue("corsair", 7).write(&dir);
    let corsair = start_https(
        &dir,
        upstream.addr,
        "header_read_timeout = \"500ms\"\nmax_header_bytes = 1024",
    );
    let http1 = authority.client_config(&[b"http/1.1"]);

    // A head that does not complete in time: 408, written whole through TLS, then closed.
    let mut slow = tls_connect(corsair.addr, Arc::clone(&http1)).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (bytes, closed) = read_until_close(&mut slow, Duration::from_secs(5)).await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{text:?}"
    );
    assert!(closed && started.elapsed() < Duration::from_secs(3));

    // A head larger than max_header_bytes: 431.
    let mut large = tls_connect(corsair.addr, Arc::clone(&http1)).await.unwrap();
    let head = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(2000)
    );
    large.write_all(head.as_bytes()).await.unwrap();
    let (bytes, _) = read_until_close(&mut large, Duration::from_secs(5)).await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("HTTP/1.1 431 "), "{text:?}");

    // A handshake that never completes is dropped after header_read_timeout.
    for opening in [&b""[..], &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01][..]] {
        let mut silent = TcpStream::connect(corsair.addr).await.unwrap();
        silent.write_all(opening).await.unwrap();
        let started = Instant::now();
        let (bytes, closed) = read_until_close(&mut silent, Duration::from_secs(5)).await;
        assert!(closed, "the handshake {opening:?} was not dropped");
        assert!(bytes.is_empty(), "{bytes:?}");
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(400) && waited < Duration::from_secs(3),
            "dropped after {waited:?}"
        );
    }

    // Plain HTTP on the HTTPS port is not answered in plain text.
    let mut plain = TcpStream::connect(corsair.addr).await.unwrap();
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let (bytes, closed) = read_until_close(&mut plain, Duration::from_secs(5)).await;
    assert!(closed && !bytes.starts_with(b"HTTP/"), "{bytes:?}");

    // And corsair still serves.
    let answer = send(
        &authority.client(true),
        "GET",
        &https_url(&corsair, "/"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
}

/// One request on a new HTTP/1.1 connection: the certificate the server presented, and the
/// answer's status and `Access-Control-Allow-Origin`.
async fn on_a_new_connection(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
) -> Result<(CertificateDer<'static>, StatusCode, Option<String>), String> {
    let stream = tls_connect(addr, config)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let certificate = presented(&stream);
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let request = Request::get("/renew")
        .header("host", "127.0.0.1")
        .header("origin", APP)
        .body(empty())
        .unwrap();
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let allowed = response
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned());
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok((certificate, status, allowed))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_renews_the_certificate_under_load_without_failing_a_request() {
    let upstream = Upstream::start().await;
    let authority = Authority::new();
    let dir = temp_dir("tls-renew");
    let (one, two) = (
        authority.issue("corsair one", 1),
        authority.issue("corsair two", 2),
    );
    let (cert, key) = one.write(&dir);
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    // The files are named by flags, which a reload applies again.
    let corsair = Corsair::start(
        &dir,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let addr = corsair.addr;

    // One HTTP/2 connection made before the renewal, used all along.
    let stream = tls_connect(addr, authority.client_config(&[b"h2"]))
        .await
        .unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    assert_eq!(presented(&stream), one.der);
    let (sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);

    let stop = Arc::new(AtomicBool::new(false));
    let renewed = Arc::new(AtomicBool::new(false));
    // Requests answered on the open connection after the renewal; new connections made before
    // and after it.
    let kept_after_renewal = Arc::new(AtomicUsize::new(0));
    let connections = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let kept = {
        let (stop, renewed) = (Arc::clone(&stop), Arc::clone(&renewed));
        let after_renewal = Arc::clone(&kept_after_renewal);
        let url = https_url(&corsair, "/kept");
        tokio::spawn(async move {
            let mut failures = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let mut sender = sender.clone();
                let request = Request::get(&url)
                    .header("origin", APP)
                    .body(empty())
                    .unwrap();
                match sender.send_request(request).await {
                    Ok(response) if response.status() == 200 => {
                        let _ = response.into_body().collect().await;
                        if renewed.load(Ordering::Relaxed) {
                            after_renewal.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    other => failures.push(format!("{other:?}")),
                }
            }
            failures
        })
    };
    // New connections, one request each, recording the certificate each one got.
    let loops: Vec<_> = (0..3)
        .map(|_| {
            let (stop, renewed) = (Arc::clone(&stop), Arc::clone(&renewed));
            let connections = Arc::clone(&connections);
            let config = authority.client_config(&[b"http/1.1"]);
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let after = renewed.load(Ordering::Relaxed);
                    seen.push((after, on_a_new_connection(addr, Arc::clone(&config)).await));
                    connections[usize::from(after)].fetch_add(1, Ordering::Relaxed);
                }
                seen
            })
        })
        .collect();

    let loaded = wait::until(async || connections[0].load(Ordering::Relaxed) >= 3).await;
    assert!(loaded, "no connections before the renewal");
    two.write(&dir);
    corsair.signal("HUP");
    let line = corsair.wait_for_log("certificate reloaded").await;
    assert!(line.contains("serial 02"), "{line}");
    renewed.store(true, Ordering::Relaxed);
    let used = wait::until(async || {
        connections[1].load(Ordering::Relaxed) >= 3
            && kept_after_renewal.load(Ordering::Relaxed) > 0
    })
    .await;
    stop.store(true, Ordering::Relaxed);

    let failures = kept.await.unwrap();
    assert!(
        failures.is_empty(),
        "the open HTTP/2 connection failed: {failures:#?}"
    );
    assert!(
        used,
        "the open connection and new ones were used after the renewal"
    );
    let mut counts = [[0usize; 2]; 2];
    for seen in loops {
        for (after, result) in seen.await.unwrap() {
            let (certificate, status, allowed) =
                result.unwrap_or_else(|e| panic!("a request failed during the renewal: {e}"));
            assert_eq!(status, 200);
            assert_eq!(allowed.as_deref(), Some(APP));
            let which = if certificate == one.der {
                0
            } else {
                assert_eq!(certificate, two.der, "neither certificate");
                1
            };
            counts[usize::from(after)][which] += 1;
        }
    }
    eprintln!("[before, after] renewal × [one, two] connections: {counts:?}");
    assert!(
        counts[0][0] > 0,
        "connections before the renewal: {counts:?}"
    );
    assert_eq!(
        counts[1][0], 0,
        "a connection made after the renewal got the old certificate"
    );
    assert!(
        counts[1][1] > 0,
        "connections after the renewal: {counts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_does_not_match_is_refused_at_start_and_on_reload() {
    let upstream = Upstream::start().await;
    let authority = Authority::new();
    let dir = temp_dir("tls-mismatch");
    let (one, other) = (
        authority.issue("corsair one", 1),
        authority.issue("other", 3),
    );
    let (cert, key) = one.write(&dir);
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!("allowed_origins = [\"{APP}\"]"),
    );

    // At start: exit 2, naming the key file and the problem, never a panic.
    let wrong_key = dir.join("other-key.pem");
    std::fs::write(&wrong_key, &other.key).unwrap();
    let refused = |args: &[&str]| {
        let output = corsair_command(&dir, args, &[])
            .args(["--listen", "127.0.0.1:0"])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = refused(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        wrong_key.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    for needle in [
        "error[tls-file-invalid] server.tls_key",
        "command-line flag --tls-key",
        &format!(
            "{}: this private key does not belong to the certificate in {}",
            wrong_key.display(),
            cert.display()
        ),
        "not starting",
    ] {
        assert!(stderr.contains(needle), "{needle} missing from:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    let secret = other.key.lines().nth(1).unwrap();
    assert!(!stderr.contains(secret), "the key was printed:\n{stderr}");

    // One without the other, and a file that is not there.
    let (code, stderr) = refused(&["--tls-cert", cert.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("error[tls-pair-incomplete] server.tls_cert"),
        "{stderr}"
    );
    let missing = dir.join("missing.pem");
    let (code, stderr) = refused(&[
        "--tls-cert",
        missing.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: cannot be read", missing.display())),
        "{stderr}"
    );

    // On reload: refused, logged with the file and the problem; the old certificate stays.
    let corsair = start_https(&dir, upstream.addr, "");
    std::fs::write(&key, &other.key).unwrap();
    corsair.signal("HUP");
    let error = corsair
        .wait_for_log("does not belong to the certificate")
        .await;
    // The file as the configuration names it.
    assert!(error.contains("key.pem: this private key"), "{error}");
    assert!(!error.contains(secret), "{error}");
    corsair
        .wait_for_log("the running policy stays, and so does the certificate")
        .await;
    let config = authority.client_config(&[b"http/1.1"]);
    let (certificate, status, _) = on_a_new_connection(corsair.addr, Arc::clone(&config))
        .await
        .unwrap();
    assert_eq!((certificate, status), (one.der.clone(), StatusCode::OK));
    assert!(
        corsair
            .log()
            .iter()
            .all(|l| !l.contains("certificate reloaded"))
    );

    // A matching pair is taken at the next reload.
    other.write(&dir);
    corsair.signal("HUP");
    corsair.wait_for_log("certificate reloaded").await;
    let (certificate, _, _) = on_a_new_connection(corsair.addr, config).await.unwrap();
    assert_eq!(certificate, other.der);
}

/// Waits until `count` log lines contain `needle`, and returns the last of them.
async fn wait_for_lines(corsair: &Corsair, needle: &str, count: usize) -> String {
    let lines = || -> Vec<String> {
        corsair
            .log()
            .into_iter()
            .filter(|l| l.contains(needle))
            .collect()
    };
    let enough = wait::until(async || lines().len() >= count).await;
    assert!(
        enough,
        "fewer than {count} log lines contain {needle:?}: {:#?}",
        corsair.log()
    );
    lines().swap_remove(count - 1)
}

/// A reload used to swap in an expired certificate, or one for other names, and log only
/// "certificate reloaded". Both are now loud warnings naming what changed (and served), and
/// with `tls_strict = true` they refuse the reload: the running certificate stays. At start,
/// an expired certificate is a warning, or with `tls_strict` exit 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_browsers_would_refuse_is_warned_about_or_refused_with_tls_strict() {
    let upstream = Upstream::start().await;
    let authority = Authority::new();
    let valid = authority.issue("corsair one", 1);
    let expired = authority.issue_for("stale", 2, &["localhost", "127.0.0.1"], Some((-90, -1)));
    let future = authority.issue_for("early", 3, &["localhost", "127.0.0.1"], Some((2, 90)));
    let elsewhere = authority.issue_for("elsewhere", 4, &["other.example"], Some((-1, 90)));
    let renewed = authority.issue_for(
        "renewed",
        5,
        &["*.localhost", "localhost", "127.0.0.1"],
        None,
    );

    // Warned about, and served.
    let dir = temp_dir("tls-review-warn");
    valid.write(&dir);
    let corsair = start_https(&dir, upstream.addr, "");
    expired.write(&dir);
    corsair.signal("HUP");
    let warning = corsair.wait_for_log("tls-certificate-not-valid-now").await;
    assert!(warning.contains("WARN"), "{warning}");
    for needle in ["serial 02", "expired on", "tls_strict = true refuses it"] {
        assert!(warning.contains(needle), "{needle}: {warning}");
    }
    wait_for_lines(&corsair, "certificate reloaded", 1).await;
    future.write(&dir);
    corsair.signal("HUP");
    let warning = wait_for_lines(&corsair, "tls-certificate-not-valid-now", 2).await;
    assert!(warning.contains("is not valid before"), "{warning}");
    wait_for_lines(&corsair, "certificate reloaded", 2).await;
    elsewhere.write(&dir);
    corsair.signal("HUP");
    let warning = corsair.wait_for_log("tls-certificate-drops-names").await;
    assert!(
        warning
            .contains("it is not valid for localhost, 127.0.0.1, which the running certificate is"),
        "{warning}"
    );
    wait_for_lines(&corsair, "certificate reloaded", 3).await;
    drop(corsair);

    // With tls_strict: refused at start, and on reload the running certificate stays.
    let dir = temp_dir("tls-review-strict");
    expired.write(&dir);
    write_config(
        &dir,
        upstream.addr,
        "tls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\ntls_strict = true\n",
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    let output = corsair_command(&dir, &[], &[])
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error[tls-certificate-not-valid-now] server.tls_cert"),
        "{stderr}"
    );
    assert!(stderr.contains("expired on"), "{stderr}");

    valid.write(&dir);
    let corsair = start_https(&dir, upstream.addr, "tls_strict = true\n");
    let config = authority.client_config(&[b"http/1.1"]);
    for (refused, count) in [(&expired, 1), (&future, 2), (&elsewhere, 3)] {
        refused.write(&dir);
        corsair.signal("HUP");
        wait_for_lines(
            &corsair,
            "the running policy stays, and so does the certificate",
            count,
        )
        .await;
        let (certificate, status, _) = on_a_new_connection(corsair.addr, Arc::clone(&config))
            .await
            .unwrap();
        assert_eq!((certificate, status), (valid.der.clone(), StatusCode::OK));
    }
    let log = corsair.log().join("\n");
    assert!(log.contains("ERROR"), "{log}");
    assert!(!log.contains("certificate reloaded"), "{log}");
    assert!(log.contains("tls-certificate-drops-names"), "{log}");

    // A renewal for the same names (a wildcard may cover more) is taken.
    renewed.write(&dir);
    corsair.signal("HUP");
    corsair.wait_for_log("certificate reloaded").await;
    let (certificate, _, _) = on_a_new_connection(corsair.addr, config).await.unwrap();
    assert_eq!(certificate, renewed.der);
}

/// What an upstream saw of each request: its version and its `TE`.
type Seen = Arc<Mutex<Vec<(Version, Option<String>)>>>;

/// An upstream speaking HTTP/1.1 and HTTP/2 (h2c), recording the version of each request and
/// answering `grpc` with the trailer `grpc-status: 0`.
async fn recording_upstream() -> (SocketAddr, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            let service =
                hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                    let te = request
                        .headers()
                        .get("te")
                        .map(|v| v.to_str().unwrap().to_owned());
                    log.lock().unwrap().push((request.version(), te));
                    async move {
                        let mut trailers = HeaderMap::new();
                        trailers.insert("grpc-status", "0".parse().unwrap());
                        let body = Full::new(Bytes::from_static(b"grpc"))
                            .with_trailers(async move { Some(Ok::<_, Infallible>(trailers)) });
                        Ok::<_, Infallible>(Response::new(body))
                    }
                });
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_http2_speaks_h2c_to_the_upstream_with_its_trailers() {
    let (upstream, seen) = recording_upstream().await;
    let cors = format!("allowed_origins = [\"{APP}\"]");
    let dir = temp_dir("upstream-h2");

    // Default: HTTP/1.1.
    write_config(&dir, upstream, "", &cors);
    let plain = Corsair::start(&dir, &[]);
    let answer = send(&client(), "GET", &plain.url("/v"), &[("origin", APP)], "").await;
    assert_eq!(answer.body, "grpc");
    assert_eq!(seen.lock().unwrap().pop(), Some((Version::HTTP_11, None)));
    drop(plain);

    write_config(&dir, upstream, "upstream_http2 = true", &cors);
    let corsair = Corsair::start(&dir, &[]);
    corsair.wait_for_log("upstream_http2=true").await;
    // An HTTP/1.1 client and an HTTP/2 one: the upstream sees HTTP/2 with `TE: trailers`.
    for client in [client(), h2c_client()] {
        let request = Request::post(corsair.url("/pkg.Service/Method"))
            .header("origin", APP)
            .header("te", "trailers")
            .header("content-type", "application/grpc")
            .body(full("call"))
            .unwrap();
        let response = client.request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["access-control-allow-origin"], APP);
        let version = response.version();
        let body = response.into_body().collect().await.unwrap();
        if version == Version::HTTP_2 {
            let trailers = body.trailers().expect("trailers reach an HTTP/2 client");
            assert_eq!(trailers["grpc-status"], "0");
        }
        assert_eq!(body.to_bytes(), "grpc");
        assert_eq!(
            seen.lock().unwrap().pop(),
            Some((Version::HTTP_2, Some("trailers".to_owned())))
        );
    }
    // An upgrade cannot travel over HTTP/2.
    let upgrade = raw_exchange(
        corsair.addr,
        b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
    )
    .await;
    assert_eq!(upgrade.status, 501, "{upgrade:?}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "the upgrade was not forwarded"
    );
}

/// HTTP/2 frames, written by hand (RFC 9113 §4.1, §6).
mod frames {
    pub const HEADERS: u8 = 0x1;
    pub const RST_STREAM: u8 = 0x3;
    pub const SETTINGS: u8 = 0x4;
    pub const GOAWAY: u8 = 0x7;
    pub const CONTINUATION: u8 = 0x9;
    pub const END_STREAM: u8 = 0x1;
    pub const END_HEADERS: u8 = 0x4;
    /// `CANCEL`, the code of a rapid reset.
    pub const CANCEL: u32 = 0x8;
    pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    /// One frame.
    pub fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let length = u32::try_from(payload.len()).unwrap();
        let mut frame = Vec::with_capacity(9 + payload.len());
        frame.extend_from_slice(&length.to_be_bytes()[1..]);
        frame.extend_from_slice(&[kind, flags]);
        frame.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
        frame.extend_from_slice(payload);
        frame
    }

    /// The client preface and an empty SETTINGS frame.
    pub fn opening() -> Vec<u8> {
        let mut bytes = PREFACE.to_vec();
        bytes.extend(frame(SETTINGS, 0, 0, &[]));
        bytes
    }

    /// `GET /` as HPACK: `:method GET`, `:scheme`, `:path /` from the static table, and
    /// `:authority` as a literal without indexing.
    pub fn get(https: bool) -> Vec<u8> {
        let mut block = vec![0x82, if https { 0x87 } else { 0x86 }, 0x84, 0x01, 9];
        block.extend_from_slice(b"127.0.0.1");
        block
    }

    /// The error code of the first GOAWAY among `bytes` (frames as received).
    pub fn goaway(mut bytes: &[u8]) -> Option<u32> {
        while bytes.len() >= 9 {
            let length =
                usize::from(bytes[0]) << 16 | usize::from(bytes[1]) << 8 | usize::from(bytes[2]);
            let kind = bytes[3];
            let payload = bytes.get(9..9 + length)?;
            if kind == GOAWAY && payload.len() >= 8 {
                return Some(u32::from_be_bytes(payload[4..8].try_into().unwrap()));
            }
            bytes = &bytes[9 + length..];
        }
        None
    }
}

/// How a flood ended.
#[derive(Debug)]
struct Flooded {
    /// Batches written before the connection was closed (or all of them).
    batches: usize,
    /// The GOAWAY's error code.
    goaway: Option<u32>,
    /// Whether the server closed the connection.
    closed: bool,
}

/// Writes `opening`, then the batches `next` makes (until it returns `None`, or the server
/// closes the connection), reading everything the server sends meanwhile.
async fn flood<S>(
    stream: S,
    opening: Vec<u8>,
    mut next: impl FnMut(usize) -> Option<Vec<u8>>,
) -> Flooded
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let closed = Arc::new(AtomicBool::new(false));
    let reading = tokio::spawn({
        let closed = Arc::clone(&closed);
        async move {
            let read = read_until_close(&mut reader, Duration::from_secs(20)).await;
            closed.store(true, Ordering::Relaxed);
            read
        }
    });
    let mut batches = 0;
    if writer.write_all(&opening).await.is_ok() {
        while !closed.load(Ordering::Relaxed) {
            let Some(bytes) = next(batches) else { break };
            if writer.write_all(&bytes).await.is_err() {
                break;
            }
            batches += 1;
        }
    }
    let (received, closed) = reading.await.unwrap();
    Flooded {
        batches,
        goaway: frames::goaway(&received),
        closed,
    }
}

const ENHANCE_YOUR_CALM: u32 = 0xb;
const MIB: u64 = 1024 * 1024;

/// `pairs` HEADERS + RST_STREAM pairs, per batch of 1000.
fn rapid_resets(https: bool, pairs: usize) -> impl FnMut(usize) -> Option<Vec<u8>> {
    use frames::*;
    let block = get(https);
    move |batch| {
        let first = batch * 1000;
        if first >= pairs {
            return None;
        }
        let mut bytes = Vec::new();
        for i in first..(first + 1000).min(pairs) {
            let stream = u32::try_from(2 * i + 1).unwrap();
            bytes.extend(frame(HEADERS, END_HEADERS | END_STREAM, stream, &block));
            bytes.extend(frame(RST_STREAM, 0, stream, &CANCEL.to_be_bytes()));
        }
        Some(bytes)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rapid_reset_flood_gets_goaway_and_memory_stays_bounded() {
    let upstream = Upstream::start().await;
    let authority = Authority::new();
    let dir = temp_dir("tls-rapid-reset");
    authority.issue("corsair", 1).write(&dir);
    let corsair = start_https(&dir, upstream.addr, "");
    let tls_client = authority.client(true);
    let warm = send(
        &tls_client,
        "GET",
        &https_url(&corsair, "/"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(warm.status, 200);
    let before = corsair.peak_rss();

    // Over TLS (ALPN h2): 100,000 pairs, in batches of 1000.
    let stream = tls_connect(corsair.addr, authority.client_config(&[b"h2"]))
        .await
        .unwrap();
    let over_tls = flood(stream, frames::opening(), rapid_resets(true, 100_000)).await;
    // Over h2c, on a plain-HTTP corsair.
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    let plain = Corsair::start(&dir, &[]);
    let plain_before = plain.peak_rss();
    let stream = TcpStream::connect(plain.addr).await.unwrap();
    let over_h2c = flood(stream, frames::opening(), rapid_resets(false, 100_000)).await;

    let forwarded = upstream.received().len();
    let (after, plain_after) = (corsair.peak_rss(), plain.peak_rss());
    eprintln!(
        "rapid reset: TLS {over_tls:?}, peak RSS {} -> {} KiB; h2c {over_h2c:?}, peak RSS {} -> {} KiB; {forwarded} requests reached the upstream",
        before / 1024,
        after / 1024,
        plain_before / 1024,
        plain_after / 1024,
    );
    for flooded in [&over_tls, &over_h2c] {
        assert!(flooded.closed, "{flooded:?}");
        assert_eq!(flooded.goaway, Some(ENHANCE_YOUR_CALM), "{flooded:?}");
        assert!(
            flooded.batches < 100,
            "the flood was cut short: {flooded:?}"
        );
    }
    assert!(after < before + 32 * MIB, "TLS: {before} -> {after} bytes");
    assert!(
        plain_after < plain_before + 32 * MIB,
        "h2c: {plain_before} -> {plain_after} bytes"
    );
    assert!(
        forwarded < 1000,
        "{forwarded} requests of the flood were forwarded"
    );

    // Both still serve.
    let answer = send(
        &tls_client,
        "GET",
        &https_url(&corsair, "/"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    let answer = send(
        &h2c_client(),
        "GET",
        &plain.url("/"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
}

/// A HEADERS frame without END_HEADERS, then `count` CONTINUATION frames of `size` bytes of
/// header fields (`a: b`, again and again), per batch of 100.
fn continuations(
    https: bool,
    size: usize,
    count: usize,
) -> (Vec<u8>, impl FnMut(usize) -> Option<Vec<u8>>) {
    use frames::*;
    let mut opening = opening();
    opening.extend(frame(HEADERS, END_STREAM, 1, &get(https)));
    let fields: Vec<u8> = [0x00, 0x01, b'a', 0x01, b'b'].repeat(size / 5);
    let next = move |batch: usize| {
        let first = batch * 100;
        (first < count).then(|| {
            let one = frame(CONTINUATION, 0, 1, &fields);
            one.repeat((count - first).min(100))
        })
    };
    (opening, next)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuation_flood_gets_goaway_and_memory_stays_bounded() {
    let upstream = Upstream::start().await;
    let authority = Authority::new();
    let dir = temp_dir("tls-continuation");
    authority.issue("corsair", 1).write(&dir);
    let corsair = start_https(&dir, upstream.addr, "");
    let warm = send(
        &authority.client(true),
        "GET",
        &https_url(&corsair, "/"),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(warm.status, 200);
    let before = corsair.peak_rss();
    let requests_before = upstream.received().len();

    // Empty frames (bounded by their number) and full 16 KiB frames (by their bytes), 100,000
    // of each at most (1.6 GB of header block), over TLS and over h2c.
    let mut results = Vec::new();
    for size in [0, 16_380] {
        let (opening, next) = continuations(true, size, 100_000);
        let stream = tls_connect(corsair.addr, authority.client_config(&[b"h2"]))
            .await
            .unwrap();
        results.push(("TLS", size, flood(stream, opening, next).await));
    }
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    let plain = Corsair::start(&dir, &[]);
    let plain_before = plain.peak_rss();
    for size in [0, 16_380] {
        let (opening, next) = continuations(false, size, 100_000);
        let stream = TcpStream::connect(plain.addr).await.unwrap();
        results.push(("h2c", size, flood(stream, opening, next).await));
    }
    let (after, plain_after) = (corsair.peak_rss(), plain.peak_rss());
    eprintln!(
        "CONTINUATION flood: {results:?}; peak RSS TLS {} -> {} KiB, h2c {} -> {} KiB",
        before / 1024,
        after / 1024,
        plain_before / 1024,
        plain_after / 1024,
    );
    for (over, size, flooded) in &results {
        assert!(flooded.closed, "{over} {size}: {flooded:?}");
        assert!(flooded.goaway.is_some(), "{over} {size}: {flooded:?}");
        // Empty frames are 9 bytes each: the socket buffers may take them all before the
        // GOAWAY arrives.
        if *size > 0 {
            assert!(
                flooded.batches < 10,
                "{over} {size}: not cut short: {flooded:?}"
            );
        }
    }
    assert!(after < before + 32 * MIB, "TLS: {before} -> {after} bytes");
    assert!(
        plain_after < plain_before + 32 * MIB,
        "h2c: {plain_before} -> {plain_after} bytes"
    );
    assert_eq!(
        upstream.received().len(),
        requests_before,
        "no flood request was forwarded"
    );
}
