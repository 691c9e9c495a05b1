//! `corsair serve` reloads (SIGHUP, `--watch`) and stops gracefully (SIGTERM).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::serve_support::*;
use crate::temp_dirs::temp_dir;
use crate::wait;

const OTHER: &str = "https://other.example";

fn policy(origins: &[&str]) -> String {
    let quoted: Vec<String> = origins.iter().map(|o| format!("\"{o}\"")).collect();
    format!("allowed_origins = [{}]", quoted.join(", "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_swaps_the_policy_under_load_without_failing_a_request() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("reload");
    write_config(&dir, upstream.addr, "", &policy(&[APP]));
    let corsair = Corsair::start(&dir, &[]);
    let client = client();

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let (client, stop, done) = (client.clone(), Arc::clone(&stop), Arc::clone(&done));
            let url = corsair.url("/load");
            tokio::spawn(async move {
                let mut failures = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let answer = send(&client, "GET", &url, &[("origin", APP)], "").await;
                    if answer.status != 200
                        || answer.header("access-control-allow-origin") != Some(APP)
                    {
                        failures.push(answer);
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
                failures
            })
        })
        .collect();

    // The reloads come while the load runs, and the load goes on after them.
    let load_runs = async |more: usize| {
        let target = done.load(Ordering::Relaxed) + more;
        let ran = wait::until(async || done.load(Ordering::Relaxed) >= target).await;
        assert!(ran, "the load stalled: {:#?}", corsair.log());
    };
    load_runs(64).await;
    write_config(&dir, upstream.addr, "", &policy(&[APP, OTHER]));
    corsair.signal("HUP");
    corsair.wait_for_log("configuration reloaded").await;
    let other = send(&client, "GET", &corsair.url("/x"), &[("origin", OTHER)], "").await;
    assert_eq!(other.header("access-control-allow-origin"), Some(OTHER));

    // An invalid configuration is refused with its errors; the running policy stays.
    write_config(
        &dir,
        upstream.addr,
        "",
        "allowed_origins = [\"https://broken.example/\"]",
    );
    corsair.signal("HUP");
    let error = corsair.wait_for_log("origin-has-path").await;
    assert!(error.contains("corsair.toml:"), "{error}");
    corsair.wait_for_log("the running policy stays").await;
    let still = send(&client, "GET", &corsair.url("/x"), &[("origin", OTHER)], "").await;
    assert_eq!(still.header("access-control-allow-origin"), Some(OTHER));

    load_runs(64).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        let failures = worker.await.unwrap();
        assert!(failures.is_empty(), "{failures:#?}");
    }
    assert!(done.load(Ordering::Relaxed) > 100, "the load ran");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_reloads_when_the_file_changes() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("watch");
    write_config(&dir, upstream.addr, "", &policy(&[APP]));
    let corsair = Corsair::start(&dir, &["--watch"]);
    let client = client();
    let before = send(&client, "GET", &corsair.url("/x"), &[("origin", OTHER)], "").await;
    assert_eq!(before.header("access-control-allow-origin"), None);

    // The file is written again until corsair sees it change: some file systems keep
    // modification times in whole seconds, and the watcher starts just after the start line.
    let deadline = Instant::now() + wait::DEADLINE;
    loop {
        write_config(&dir, upstream.addr, "", &policy(&[OTHER]));
        let seen = corsair
            .log_line_within(Duration::from_secs(1), "file changed")
            .await;
        if seen.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the change was never seen: {:#?}",
            corsair.log()
        );
    }
    let after = send(&client, "GET", &corsair.url("/x"), &[("origin", OTHER)], "").await;
    assert_eq!(after.header("access-control-allow-origin"), Some(OTHER));
}

/// A Kubernetes ConfigMap mounted as a volume: `corsair.toml -> ..data/corsair.toml`, `..data`
/// a symlink to a timestamped directory. An update writes a new directory and swaps `..data`
/// to it with one rename; the old directory goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_follows_a_configmap_symlink_swap() {
    use std::os::unix::fs::symlink;
    let upstream = Upstream::start().await;
    let dir = temp_dir("configmap");
    let first = dir.join("..2026_12_01_10_00_00.000000001");
    std::fs::create_dir(&first).unwrap();
    write_config(&first, upstream.addr, "", &policy(&[APP]));
    symlink(first.file_name().unwrap(), dir.join("..data")).unwrap();
    symlink("..data/corsair.toml", dir.join("corsair.toml")).unwrap();
    let corsair = Corsair::start(&dir, &["--watch"]);
    let client = client();
    let before = send(&client, "GET", &corsair.url("/x"), &[("origin", OTHER)], "").await;
    assert_eq!(before.header("access-control-allow-origin"), None);

    let second = dir.join("..2026_12_01_10_05_00.000000002");
    std::fs::create_dir(&second).unwrap();
    write_config(&second, upstream.addr, "", &policy(&[OTHER]));
    // The same modification time and size as the old file: only the swap tells them apart.
    let status = std::process::Command::new("touch")
        .arg("-r")
        .arg(first.join("corsair.toml"))
        .arg(second.join("corsair.toml"))
        .status()
        .unwrap();
    assert!(status.success());
    symlink(second.file_name().unwrap(), dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    std::fs::remove_dir_all(&first).unwrap();

    corsair.wait_for_log("file changed").await;
    let after = send(&client, "GET", &corsair.url("/x"), &[("origin", OTHER)], "").await;
    assert_eq!(after.header("access-control-allow-origin"), Some(OTHER));
    let old = send(&client, "GET", &corsair.url("/x"), &[("origin", APP)], "").await;
    assert_eq!(old.header("access-control-allow-origin"), None);
    assert!(
        !corsair
            .log()
            .iter()
            .any(|l| l.contains("invalid") || l.contains("cannot read")),
        "{:#?}",
        corsair.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_requests_in_flight_finish() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("shutdown");
    write_config(&dir, upstream.addr, "", &policy(&[APP]));
    let mut corsair = Corsair::start(&dir, &[]);
    let client = client();
    let url = corsair.url("/slow");
    let in_flight =
        tokio::spawn(async move { send(&client, "GET", &url, &[("origin", APP)], "").await });
    upstream.wait_for_request("/slow").await;
    corsair.signal("TERM");
    corsair.wait_for_log("stopping").await;
    assert!(
        std::net::TcpStream::connect(corsair.addr).is_err(),
        "no new connections are accepted"
    );
    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert!(corsair.wait(Duration::from_secs(5)).success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grace_period_bounds_the_wait_for_requests_in_flight() {
    let upstream = Upstream::start().await;
    let dir = temp_dir("grace");
    write_config(
        &dir,
        upstream.addr,
        "shutdown_grace = \"300ms\"",
        &policy(&[APP]),
    );
    let mut corsair = Corsair::start(&dir, &[]);
    let client = client();
    let url = corsair.url("/slow");
    let in_flight = tokio::spawn(async move {
        let request = http::Request::get(url).body(empty()).unwrap();
        client.request(request).await
    });
    upstream.wait_for_request("/slow").await;
    let signalled = Instant::now();
    corsair.signal("TERM");
    assert!(corsair.wait(Duration::from_secs(5)).success());
    assert!(
        signalled.elapsed() < Duration::from_secs(2),
        "exited after {:?}, not after the 3 s upstream",
        signalled.elapsed()
    );
    corsair.wait_for_log("grace period over").await;
    assert!(
        in_flight.await.unwrap().is_err(),
        "the unfinished request was cut"
    );
}

/// A keep-alive connection keeps what it serves requests with between two requests; a reload
/// in between replaces it for the next request on the same connection (the fast path's, and
/// the general path's), as it does for new connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_reaches_the_next_request_of_a_kept_connection() {
    use tokio::io::AsyncWriteExt;
    let upstream = Upstream::start().await;
    for fast_path in [true, false] {
        let dir = temp_dir("reload-kept");
        let server = format!("fast_path = {fast_path}");
        write_config(&dir, upstream.addr, &server, &policy(&[APP]));
        let corsair = Corsair::start(&dir, &[]);
        let mut stream = tokio::net::TcpStream::connect(corsair.addr).await.unwrap();
        let ask = |origin: &str| {
            format!("GET /kept HTTP/1.1\r\nHost: localhost\r\nOrigin: {origin}\r\n\r\n")
        };
        let allowed = |answer: &RawAnswer, origin: &str| {
            answer
                .head
                .to_ascii_lowercase()
                .contains(&format!("access-control-allow-origin: {origin}"))
        };
        stream.write_all(ask(OTHER).as_bytes()).await.unwrap();
        let before = read_raw_response(&mut stream).await;
        assert_eq!(before.status, 200, "{before:?}");
        assert!(!allowed(&before, OTHER), "{before:?}");

        write_config(&dir, upstream.addr, &server, &policy(&[APP, OTHER]));
        corsair.signal("HUP");
        corsair.wait_for_log("configuration reloaded").await;
        stream.write_all(ask(OTHER).as_bytes()).await.unwrap();
        let after = read_raw_response(&mut stream).await;
        assert_eq!(after.status, 200, "fast_path = {fast_path}: {after:?}");
        assert!(allowed(&after, OTHER), "fast_path = {fast_path}: {after:?}");
    }
}
