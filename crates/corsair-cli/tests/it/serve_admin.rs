//! The admin listener of the real `corsair serve`: `/metrics` read with Prometheus's own parser
//! (the Python `prometheus_client`, from the virtual environment at `.venv`), `/healthz` and
//! `/readyz` around a graceful stop, `/policy` across reloads, the report-only candidate, and the
//! admin address that may not be the proxy's.
//!
//! Needs `.venv` with `prometheus-client` installed (`tests/django_requirements.txt`, which
//! `scripts/test-all` installs); without it the tests that parse metrics fail and say how to
//! create it.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;
use crate::wait;

const EVIL: &str = "https://evil.example";
const PARTNER: &str = "https://partner.example";
const OTHER: &str = "https://other.example";

/// A running `corsair serve --admin-listen 127.0.0.1:0`, and where its admin endpoints are.
struct Served {
    corsair: Corsair,
    admin: SocketAddr,
}

impl Served {
    async fn start(dir: &Path, env: &[(&str, &str)]) -> Served {
        let corsair = Corsair::start_with_env(dir, &["--admin-listen", "127.0.0.1:0"], env);
        let line = corsair.wait_for_log("admin endpoints").await;
        let admin = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no admin address in {line:?}"));
        Served { corsair, admin }
    }

    fn admin_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.admin)
    }

    async fn admin_get(&self, path: &str) -> Answer {
        send(&client(), "GET", &self.admin_url(path), &[], "").await
    }

    /// `/metrics`, checked for its content type and parsed with Prometheus's parser.
    async fn metrics(&self) -> Exposition {
        let answer = self.admin_get("/metrics").await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(
            answer.header("content-type"),
            Some("text/plain; version=0.0.4; charset=utf-8")
        );
        Exposition::parse(&answer.body)
    }

    async fn policy(&self) -> serde_json::Value {
        let answer = self.admin_get("/policy").await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.header("content-type"), Some("application/json"));
        serde_json::from_str(&answer.body).unwrap()
    }
}

/// One sample of an exposition.
#[derive(Debug, Clone, serde::Deserialize)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// One metric family, as Prometheus's parser reads it.
#[derive(Debug, Clone, serde::Deserialize)]
struct MetricFamily {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    samples: Vec<Sample>,
}

/// An exposition, parsed by `prometheus_client.parser.text_string_to_metric_families`.
#[derive(Debug)]
struct Exposition {
    text: String,
    families: Vec<MetricFamily>,
}

const PARSER: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
families = [
    {"name": f.name, "type": f.type,
     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
    for f in text_string_to_metric_families(sys.stdin.read())
]
print(json.dumps(families))
"#;

fn python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let ready = Command::new(&python)
        .args(["-c", "import prometheus_client"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ready,
        "{} with prometheus-client is missing: ./scripts/test-all creates it, or run \
         `python3 -m venv .venv && .venv/bin/pip install -r tests/django_requirements.txt` at \
         the repository root",
        python.display()
    );
    python
}

impl Exposition {
    fn parse(text: &str) -> Exposition {
        let mut child = Command::new(python())
            .args(["-c", PARSER])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "Prometheus's parser refused the exposition: {}\n{text}",
            String::from_utf8_lossy(&output.stderr)
        );
        Exposition {
            text: text.to_owned(),
            families: serde_json::from_slice(&output.stdout).unwrap(),
        }
    }

    fn family(&self, name: &str) -> &MetricFamily {
        self.families
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no family {name} in\n{}", self.text))
    }

    /// The samples of family `family` named `sample`, by their labels.
    fn series(&self, family: &str, sample: &str) -> BTreeMap<Vec<(String, String)>, f64> {
        self.family(family)
            .samples
            .iter()
            .filter(|s| s.name == sample)
            .map(|s| (s.labels.clone().into_iter().collect(), s.value))
            .collect()
    }

    /// The value of one sample, 0 when it is absent.
    fn value(&self, family: &str, sample: &str, labels: &[(&str, &str)]) -> f64 {
        self.series(family, sample)
            .get(&labelled(labels))
            .copied()
            .unwrap_or_else(|| panic!("no sample {sample}{labels:?} in\n{}", self.text))
    }
}

/// A request's headers.
type Headers<'a> = &'a [(&'a str, &'a str)];

/// A series' labels, sorted.
type Labels = Vec<(String, String)>;

fn labelled(labels: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut labels: Vec<(String, String)> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    labels.sort();
    labels
}

fn requests(kind: &str, outcome: &str, reason: &str) -> Vec<(String, String)> {
    labelled(&[("kind", kind), ("outcome", outcome), ("reason", reason)])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counters_equal_the_requests_sent_and_carry_no_request_value() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("admin-metrics");
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!(
            "allowed_origins = [\"{APP}\"]\nallow_methods = [\"GET\", \"PUT\"]\nurls_regex = \"^/api/\""
        ),
    );
    let served = Served::start(&dir, &[]).await;
    let client = client();
    let url = served.corsair.url("/api/items");
    let mut sent: BTreeMap<Vec<(String, String)>, f64> = BTreeMap::new();
    let mut count = |labels: Vec<(String, String)>| *sent.entry(labels).or_default() += 1.0;

    for _ in 0..3 {
        let answer = send(&client, "GET", &url, &[("origin", APP)], "").await;
        assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
        count(requests("actual", "allowed", ""));
    }
    for _ in 0..2 {
        send(&client, "GET", &url, &[("origin", EVIL)], "").await;
        count(requests("actual", "refused", "origin_not_allowed"));
    }
    send(
        &client,
        "GET",
        &url,
        &[("origin", "http://localhost:8080/")],
        "",
    )
    .await;
    count(requests("actual", "refused", "invalid_origin"));
    for _ in 0..2 {
        send(&client, "GET", &url, &[], "").await;
        count(requests("actual", "not_cors", ""));
    }
    let bypass = served.corsair.url("/static/app.js");
    send(&client, "GET", &bypass, &[("origin", EVIL)], "").await;
    count(requests("bypass", "not_cors", ""));
    let put = ("access-control-request-method", "PUT");
    let cases: [(Headers<'_>, Labels); 4] = [
        (
            &[("origin", APP), put],
            requests("preflight", "allowed", ""),
        ),
        (
            &[("origin", APP), ("access-control-request-method", "DELETE")],
            requests("preflight", "refused", "method_not_allowed"),
        ),
        (
            &[
                ("origin", APP),
                put,
                ("access-control-request-headers", "x-secret"),
            ],
            requests("preflight", "refused", "header_not_allowed"),
        ),
        (
            &[("origin", EVIL), put],
            requests("preflight", "refused", "origin_not_allowed"),
        ),
    ];
    for (headers, labels) in cases {
        let answer = send(&client, "OPTIONS", &url, headers, "").await;
        assert_eq!(answer.status, 204, "{headers:?}");
        count(labels);
    }
    // Refused at the edge: not a CORS decision.
    let edge = raw_exchange(
        served.corsair.addr,
        b"GET /../api/items HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:8080\r\n\r\n",
    )
    .await;
    assert_eq!(edge.status, 400);

    let metrics = served.metrics().await;
    let family = metrics.family("corsair_requests");
    assert_eq!(family.kind, "counter");
    let counted = metrics.series("corsair_requests", "corsair_requests_total");
    for (labels, value) in &counted {
        let expected = sent.get(labels).copied().unwrap_or(0.0);
        assert_eq!(*value, expected, "{labels:?} in\n{}", metrics.text);
    }
    for labels in sent.keys() {
        assert!(
            counted.contains_key(labels),
            "{labels:?} in\n{}",
            metrics.text
        );
    }
    assert_eq!(
        metrics.value(
            "corsair_edge_answers",
            "corsair_edge_answers_total",
            &[("status", "400")]
        ),
        1.0
    );

    // No label carries an origin, a path or a header value.
    for family in &metrics.families {
        for sample in &family.samples {
            for value in sample.labels.values() {
                for request_value in ["localhost", "example", "/", "x-secret", "DELETE", "PUT"] {
                    assert!(
                        !value.contains(request_value),
                        "{} has the label value {value:?}",
                        sample.name
                    );
                }
            }
        }
    }
    for origin in ["localhost:8080", "evil.example", "/api/items", "x-secret"] {
        assert!(
            !metrics.text.contains(origin),
            "{origin} in\n{}",
            metrics.text
        );
    }

    // The histogram: buckets, sum and count, by kind.
    let histogram = metrics.family("corsair_request_duration_seconds");
    assert_eq!(histogram.kind, "histogram");
    for (kind, expected) in [("preflight", 4.0), ("actual", 8.0), ("bypass", 1.0)] {
        let mut buckets: Vec<(f64, f64)> = histogram
            .samples
            .iter()
            .filter(|s| s.name == "corsair_request_duration_seconds_bucket")
            .filter(|s| s.labels.get("kind").map(String::as_str) == Some(kind))
            .map(|s| (s.labels["le"].parse::<f64>().unwrap(), s.value))
            .collect();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(buckets.len() > 10, "{kind}: {buckets:?}");
        assert!(
            buckets.windows(2).all(|w| w[0].1 <= w[1].1),
            "cumulative: {buckets:?}"
        );
        let (last_bound, last_count) = *buckets.last().unwrap();
        assert!(last_bound.is_infinite());
        let kind_label = [("kind", kind)];
        let count = metrics.value(
            "corsair_request_duration_seconds",
            "corsair_request_duration_seconds_count",
            &kind_label,
        );
        let sum = metrics.value(
            "corsair_request_duration_seconds",
            "corsair_request_duration_seconds_sum",
            &kind_label,
        );
        assert_eq!(count, expected, "{kind}");
        assert_eq!(last_count, count, "{kind}: +Inf is the count");
        assert!(sum > 0.0 && sum < 10.0, "{kind}: {sum}");
    }

    // Anything else is a 404.
    for (method, path) in [("GET", "/"), ("GET", "/metrics/x"), ("POST", "/metrics")] {
        let answer = send(&client, method, &served.admin_url(path), &[], "").await;
        assert_eq!(answer.status, 404, "{method} {path}");
    }
}

/// Starts corsair in front of `upstream` with `server` lines, sends `GET path`, and returns the
/// status and the upstream errors counted, by kind.
async fn upstream_failure(
    name: &str,
    upstream: SocketAddr,
    server: &str,
    path: &str,
) -> (u16, BTreeMap<String, f64>) {
    let dir = temp_dir(name);
    write_config(
        &dir,
        upstream,
        server,
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    let served = Served::start(&dir, &[]).await;
    let answer = send(
        &client(),
        "GET",
        &served.corsair.url(path),
        &[("origin", APP)],
        "",
    )
    .await;
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some(APP),
        "corsair's own answer gets the CORS headers"
    );
    let metrics = served.metrics().await;
    let counted = metrics
        .series("corsair_upstream_errors", "corsair_upstream_errors_total")
        .into_iter()
        .map(|(labels, value)| (labels[0].1.clone(), value))
        .collect();
    (answer.status.as_u16(), counted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_failures_are_counted_by_kind() {
    let counted = |connect: f64, timeout: f64, protocol: f64| {
        BTreeMap::from([
            ("connect".to_owned(), connect),
            ("protocol".to_owned(), protocol),
            ("timeout".to_owned(), timeout),
        ])
    };

    // A dead upstream: nothing listens on the port.
    let dead = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let (status, errors) = upstream_failure("admin-dead", dead, "", "/x").await;
    assert_eq!(status, 502);
    assert_eq!(errors, counted(1.0, 0.0, 0.0));

    // An upstream that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let (status, errors) = upstream_failure(
        "admin-silent",
        silent_addr,
        "upstream_timeout = \"300ms\"",
        "/x",
    )
    .await;
    holder.abort();
    assert_eq!(status, 504);
    assert_eq!(errors, counted(0.0, 1.0, 0.0));

    // An upstream that answers something that is not HTTP.
    let garbage = SerialUpstream::start(|_| b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec()).await;
    let (status, errors) = upstream_failure("admin-garbage", garbage.addr, "", "/x").await;
    assert_eq!(status, 502);
    assert_eq!(errors, counted(0.0, 0.0, 1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_turns_503_when_shutdown_begins_while_a_slow_request_finishes() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("admin-ready");
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    let mut served = Served::start(&dir, &[]).await;
    assert_eq!(served.admin_get("/readyz").await.status, 200);
    assert_eq!(served.admin_get("/healthz").await.status, 200);

    let url = served.corsair.url("/slow");
    let in_flight =
        tokio::spawn(async move { send(&client(), "GET", &url, &[("origin", APP)], "").await });
    upstream.wait_for_request("/slow").await;
    served.corsair.signal("TERM");
    served.corsair.wait_for_log("stopping").await;
    assert!(
        !in_flight.is_finished(),
        "the slow request is still in flight"
    );
    let ready = served.admin_get("/readyz").await;
    assert_eq!(ready.status, 503, "{ready:?}");
    assert_eq!(ready.body, "stopping\n");
    assert_eq!(served.admin_get("/healthz").await.status, 200);
    assert_eq!(served.admin_get("/metrics").await.status, 200);

    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status, 200, "the request in flight completes");
    assert_eq!(answer.body, "upstream ok");
    assert!(served.corsair.wait(Duration::from_secs(5)).success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_shutdown_delay_no_request_sent_across_sigterm_fails() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("admin-delay");
    write_config(
        &dir,
        upstream.addr,
        "shutdown_delay = \"1500ms\"",
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    let mut served = Served::start(&dir, &[]).await;
    // Requests sent one after another, each on a connection of its own, across the signal.
    let url = served.corsair.url("/");
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let load = tokio::spawn({
        let (stop, sent) = (Arc::clone(&stop), Arc::clone(&sent));
        async move {
            let mut statuses = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                statuses.push(
                    send(&client(), "GET", &url, &[("origin", APP)], "")
                        .await
                        .status,
                );
                sent.fetch_add(1, Ordering::SeqCst);
            }
            statuses
        }
    });
    wait::until(async || sent.load(Ordering::SeqCst) >= 5).await;
    served.corsair.signal("TERM");
    served
        .corsair
        .wait_for_log("still accepting through shutdown_delay")
        .await;
    let ready = served.admin_get("/readyz").await;
    assert_eq!(ready.status, 503, "{ready:?}");
    // The load goes on through the delay: more requests, every one answered.
    let at_signal = sent.load(Ordering::SeqCst);
    wait::until(async || sent.load(Ordering::SeqCst) >= at_signal + 20).await;
    stop.store(true, Ordering::SeqCst);
    let statuses = load.await.expect("no request failed");
    assert!(statuses.iter().all(|&status| status == 200), "{statuses:?}");
    // Then the listener stops, and the process exits cleanly.
    served
        .corsair
        .wait_for_log("stopping: no new connections")
        .await;
    assert!(served.corsair.wait(Duration::from_secs(10)).success());
    let log = served.corsair.log();
    let position = |needle: &str| log.iter().position(|l| l.contains(needle)).unwrap();
    assert!(position("still accepting") < position("stopping: no new connections"));
}

/// One socket held open against the admin listener, reopened whenever it is closed, until
/// `stop`: `Idle` sends nothing, `Slow` trickles a request head that never ends, `KeptAlive`
/// asks for `/healthz` once and then stays silent on the open connection.
#[derive(Clone, Copy)]
enum Holder {
    Idle,
    Slow,
    KeptAlive,
}

async fn hold(admin: SocketAddr, kind: Holder, stop: Arc<AtomicBool>, opened: Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    while !stop.load(Ordering::SeqCst) {
        let Ok(mut stream) = tokio::net::TcpStream::connect(admin).await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        opened.fetch_add(1, Ordering::SeqCst);
        match kind {
            Holder::Idle => {}
            Holder::Slow => {
                let _ = stream
                    .write_all(b"GET /healthz HTTP/1.1\r\nHost: a\r\n")
                    .await;
            }
            Holder::KeptAlive => {
                let _ = stream
                    .write_all(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
                    .await;
            }
        }
        let mut buffer = [0u8; 1024];
        loop {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            if let Holder::Slow = kind {
                let _ = stream.write_all(b"X-Slow: 1\r\n").await;
            }
            // Reads whatever comes (a response, or the close) for a while.
            let read =
                tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buffer)).await;
            if let Ok(Ok(0) | Err(_)) = read {
                break;
            }
        }
    }
}

/// 64 idle TCP connections used to take every admin connection, and each `/healthz` probe
/// with a 1 s timeout failed, enough for Kubernetes to kill a healthy pod. With 70 idle
/// sockets, 5 that trickle a request head and 10 idle keep-alive connections, all reopened as
/// soon as they are closed, every probe over several seconds gets its `200`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_probes_answer_while_idle_and_slow_sockets_crowd_the_admin_listener() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("admin-crowded");
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    let served = Served::start(&dir, &[]).await;
    let stop = Arc::new(AtomicBool::new(false));
    let opened = Arc::new(AtomicUsize::new(0));
    let kinds = std::iter::repeat_n(Holder::Idle, 70)
        .chain(std::iter::repeat_n(Holder::Slow, 5))
        .chain(std::iter::repeat_n(Holder::KeptAlive, 10));
    let holders: Vec<_> = kinds
        .map(|kind| {
            tokio::spawn(hold(
                served.admin,
                kind,
                Arc::clone(&stop),
                Arc::clone(&opened),
            ))
        })
        .collect();
    let crowded = wait::until(async || opened.load(Ordering::SeqCst) >= 85).await;
    assert!(crowded, "the sockets are open");

    for probe in 0..10 {
        for path in ["/healthz", "/readyz"] {
            let request = format!("GET {path} HTTP/1.1\r\nHost: k8s\r\nConnection: close\r\n\r\n");
            let answer = tokio::time::timeout(
                Duration::from_secs(1),
                raw_exchange(served.admin, request.as_bytes()),
            )
            .await
            .unwrap_or_else(|_| panic!("probe {probe} of {path}: no answer within 1 s"));
            assert_eq!(answer.status, 200, "probe {probe} of {path}: {answer:?}");
        }
        // The probes are spread over seconds, while the holders close and reopen sockets.
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for holder in holders {
        let _ = holder.await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_shows_the_enforced_origins_and_reloads_change_its_version_and_counts() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("admin-policy");
    let routes =
        format!("\n[[cors.routes]]\npath = \"^/partner/\"\nallowed_origins = [\"{PARTNER}\"]");
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!("allowed_origins = [\"{APP}\"]{routes}"),
    );
    let served = Served::start(&dir, &[("CORS_PREFLIGHT_MAX_AGE", "600")]).await;
    let client = client();
    let url = served.corsair.url("/x");
    let request = || send(&client, "GET", &url, &[("origin", APP)], "");

    let before = served.policy().await;
    let version = before["version"].as_str().unwrap().to_owned();
    assert!(version.starts_with("sha256:"), "{before:#}");
    assert_eq!(
        before["policy"]["default"]["allowed_origins"],
        serde_json::json!([APP])
    );
    assert_eq!(before["policy"]["default"]["preflight_max_age"], 600);
    let route = &before["policy"]["routes"][0];
    assert_eq!(route["path"], "^/partner/");
    assert_eq!(
        route["effective"]["allowed_origins"],
        serde_json::json!([PARTNER])
    );
    assert_eq!(route["effective"]["preflight_max_age"], 600, "inherited");
    assert_eq!(before["loaded_by"], "start");
    assert!(
        before["loaded_from"]["file"]
            .as_str()
            .unwrap()
            .ends_with("corsair.toml")
    );
    assert_eq!(
        before["loaded_from"]["environment"],
        serde_json::json!(["CORS_PREFLIGHT_MAX_AGE"])
    );
    assert_eq!(before["origin_sources"], serde_json::json!([]));
    assert!(before["report_only"].is_null());
    let loaded_at = before["loaded_at"].as_str().unwrap();
    assert!(
        loaded_at.len() == 24 && loaded_at.ends_with('Z') && loaded_at.as_bytes()[10] == b'T',
        "{loaded_at}"
    );
    let metrics = served.metrics().await;
    assert_eq!(
        metrics.value("corsair_policy_origins", "corsair_policy_origins", &[]),
        2.0
    );
    request().await;

    // A new policy: a new version, and the counters go on.
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!("allowed_origins = [\"{APP}\", \"{OTHER}\"]{routes}"),
    );
    served.corsair.signal("HUP");
    served.corsair.wait_for_log("configuration reloaded").await;
    let after = served.policy().await;
    assert_ne!(after["version"], before["version"], "{after:#}");
    assert_eq!(
        after["policy"]["default"]["allowed_origins"],
        serde_json::json!([APP, OTHER])
    );
    assert_eq!(after["loaded_by"], "SIGHUP");
    request().await;

    // An invalid one is refused: the version stays.
    write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"https://broken.example/\"]",
    );
    served.corsair.signal("HUP");
    served
        .corsair
        .wait_for_log("the running policy stays")
        .await;
    assert_eq!(served.policy().await["version"], after["version"]);

    let metrics = served.metrics().await;
    let reloads = |result| {
        metrics.value(
            "corsair_policy_reloads",
            "corsair_policy_reloads_total",
            &[("result", result)],
        )
    };
    assert_eq!((reloads("ok"), reloads("refused")), (1.0, 1.0));
    assert_eq!(
        metrics.value("corsair_policy_origins", "corsair_policy_origins", &[]),
        3.0
    );
    assert_eq!(
        metrics.value(
            "corsair_requests",
            "corsair_requests_total",
            &[("kind", "actual"), ("outcome", "allowed"), ("reason", "")]
        ),
        2.0,
        "one request before the reload and one after, in the same counter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_only_differences_are_logged_and_counted_while_answers_follow_the_enforced_policy() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("admin-report-only");
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!(
            "allow_all_origins = true\n\n[report_only]\nallowed_origins = [\"{APP}\"]\n\n\
             [[report_only.routes]]\npath = \"^/public/\"\nallow_all_origins = true"
        ),
    );
    let served = Served::start(&dir, &[]).await;
    let client = client();
    let url = |path: &str| served.corsair.url(path);
    let cases: [(&str, String, Headers<'_>, Option<&str>); 5] = [
        ("GET", url("/api/x"), &[("origin", APP)], Some("*")),
        ("GET", url("/api/x"), &[("origin", PARTNER)], Some("*")),
        (
            "OPTIONS",
            url("/api/x"),
            &[
                ("origin", PARTNER),
                ("access-control-request-method", "PUT"),
            ],
            Some("*"),
        ),
        (
            "GET",
            url("/public/feed"),
            &[("origin", PARTNER)],
            Some("*"),
        ),
        ("GET", url("/api/x"), &[], None),
    ];
    for (method, url, headers, allow_origin) in &cases {
        let answer = send(&client, method, url, headers, "").await;
        assert_eq!(
            answer.header("access-control-allow-origin"),
            *allow_origin,
            "{method} {url} {headers:?}: the enforced policy answers"
        );
    }

    let metrics = served.metrics().await;
    let differences = metrics.series(
        "corsair_report_only_differences",
        "corsair_report_only_differences_total",
    );
    for (labels, value) in &differences {
        let expected = if labels[0].1 == "origin_not_allowed" {
            2.0
        } else {
            0.0
        };
        assert_eq!(*value, expected, "{labels:?}");
    }
    let lines: Vec<String> = served
        .corsair
        .log()
        .into_iter()
        .filter(|l| l.contains("corsair::report_only"))
        .collect();
    assert_eq!(lines.len(), 2, "one line per difference: {lines:#?}");
    for (line, method) in lines.iter().zip(["GET", "OPTIONS"]) {
        assert!(line.contains("WARN"), "{line}");
        for needle in [
            PARTNER,
            &format!("method=\"{method}\""),
            "path=\"/api/x\"",
            "route=\"-\"",
            "reason=\"origin_not_allowed\"",
            "refused (origin_not_allowed)",
            " allowed",
        ] {
            assert!(line.contains(needle), "{needle} missing from {line}");
        }
    }
    let policy = served.policy().await;
    assert_eq!(
        policy["report_only"]["default"]["allowed_origins"],
        serde_json::json!([APP])
    );
    assert_eq!(
        policy["report_only"]["routes"][0]["effective"]["allow_all_origins"],
        true
    );
}

#[tokio::test]
async fn the_admin_listener_refuses_to_share_the_proxys_address() {
    let dir = temp_dir("admin-shared");
    let upstream: SocketAddr = "127.0.0.1:9".parse().unwrap();
    write_config(
        &dir,
        upstream,
        "",
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    let output = corsair_command(
        &dir,
        &[
            "--listen",
            "127.0.0.1:18391",
            "--admin-listen",
            "0.0.0.0:18391",
        ],
        &[],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for needle in [
        "error[admin-shares-proxy-address] admin.listen",
        "command-line flag --admin-listen",
        "command-line flag --listen (server.listen)",
        "listen = \"127.0.0.1:9300\"",
    ] {
        assert!(stderr.contains(needle), "{needle} missing from {stderr}");
    }

    // The same in the file, pointing at both lines.
    write_config(
        &dir,
        upstream,
        "listen = \"127.0.0.1:18391\"\n[admin]\nlisten = \"127.0.0.1:18391\"",
        &format!("allowed_origins = [\"{APP}\"]"),
    );
    let output = corsair_command(&dir, &[], &[]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("corsair.toml:5"), "{stderr}");
    assert!(
        stderr.contains("corsair.toml:3 (server.listen)"),
        "{stderr}"
    );
}
