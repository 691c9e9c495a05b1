//! `[cors.origins_source]` against a real Redis and a real PostgreSQL: instances converge
//! within a second of a `PUBLISH` or `NOTIFY`, invalid entries are skipped with one warning,
//! a store that goes down leaves the last good set serving and is caught up with when it comes
//! back, 100,000 origins load within 2 s under 150 MiB, and a password never reaches the logs.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::serve_support::*;
use crate::stores::{self, Postgres, Redis};
use crate::temp_dirs::temp_dir;
use crate::wait;

const KEY: &str = "corsair:origins";

/// Whether `corsair` answers a request from `origin` on `path` with that origin allowed.
async fn allows_on(corsair: &Corsair, path: &str, origin: &str) -> bool {
    let answer = send(
        &client(),
        "GET",
        &corsair.url(path),
        &[("origin", origin)],
        "",
    )
    .await;
    answer.header("access-control-allow-origin") == Some(origin)
}

async fn allows(corsair: &Corsair, origin: &str) -> bool {
    allows_on(corsair, "/api/items", origin).await
}

/// Waits until every instance allows `origin` (or refuses it); returns how long it took.
async fn converge(
    instances: &[&Corsair],
    origin: &str,
    allowed: bool,
    within: Duration,
) -> Duration {
    let start = Instant::now();
    loop {
        let mut all = true;
        for corsair in instances {
            all &= allows(corsair, origin).await == allowed;
        }
        if all {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "{origin} not {} by every instance within {within:?}; logs: {:#?}",
            if allowed { "allowed" } else { "refused" },
            instances.iter().map(|c| c.log()).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The admin endpoint `path` of a corsair started with `--admin-listen 127.0.0.1:0`.
async fn admin(corsair: &Corsair, path: &str) -> String {
    let line = corsair.wait_for_log("admin endpoints").await;
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no admin address in {line:?}"));
    let answer = send(
        &client(),
        "GET",
        &format!("http://{address}{path}"),
        &[],
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body
}

/// The value of the sample `series` in a Prometheus text exposition.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
}

const UP: &str = r#"corsair_origins_source_up{source="cors.origins_source"}"#;
const ORIGINS: &str = r#"corsair_origins_source_origins{source="cors.origins_source"}"#;

fn count(corsair: &Corsair, needle: &str) -> usize {
    corsair.log().iter().filter(|l| l.contains(needle)).count()
}

async fn redis_command(redis: &Redis, args: &[&str]) {
    let mut connection = redis.connection().await;
    let mut command = ::redis::cmd(args[0]);
    for arg in &args[1..] {
        command.arg(*arg);
    }
    let _: ::redis::Value = command.query_async(&mut connection).await.unwrap();
}

fn redis_config(dir: &Path, upstream: std::net::SocketAddr, url: &str, extra: &str) {
    write_config(
        dir,
        upstream,
        "",
        &format!(
            "allowed_origins = [\"{APP}\"]\n\n[cors.origins_source]\nredis = \"{url}\"\nkey = \"{KEY}\"\nrefresh = \"30s\"\n{extra}"
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_instances_converge_within_a_second_and_skip_invalid_entries() {
    let dir = temp_dir("fleet-redis");
    let redis = Redis::start(&dir);
    let upstream = Upstream::start().await;
    redis_config(&dir, upstream.addr, &redis.url(), "");
    let admin_listen = ["--admin-listen", "127.0.0.1:0"];
    let (a, b) = (
        Corsair::start(&dir, &admin_listen),
        Corsair::start(&dir, &admin_listen),
    );
    for corsair in [&a, &b] {
        corsair.wait_for_log("origins source up").await;
    }
    assert!(allows(&a, APP).await, "the file's origins always apply");

    redis_command(&redis, &["SADD", KEY, "https://t1.example"]).await;
    redis_command(&redis, &["PUBLISH", KEY, "changed"]).await;
    let added = converge(
        &[&a, &b],
        "https://t1.example",
        true,
        Duration::from_secs(5),
    )
    .await;
    assert!(added < Duration::from_secs(1), "added in {added:?}");

    redis_command(&redis, &["SREM", KEY, "https://t1.example"]).await;
    redis_command(&redis, &["PUBLISH", KEY, "changed"]).await;
    let removed = converge(
        &[&a, &b],
        "https://t1.example",
        false,
        Duration::from_secs(5),
    )
    .await;
    assert!(removed < Duration::from_secs(1), "removed in {removed:?}");

    redis_command(
        &redis,
        &[
            "SADD",
            KEY,
            "t2.example",
            "https://t2.example",
            "https://*.t3.example",
        ],
    )
    .await;
    redis_command(&redis, &["PUBLISH", KEY, "changed"]).await;
    converge(
        &[&a, &b],
        "https://t2.example",
        true,
        Duration::from_secs(1),
    )
    .await;
    assert!(
        allows(&a, "https://eu.t3.example").await,
        "patterns are allowed"
    );
    // Loads after the one that warned do not warn again.
    let loads = [metric(&a, LOADS).await, metric(&b, LOADS).await];
    for _ in 0..3 {
        redis_command(&redis, &["PUBLISH", KEY, "changed"]).await;
    }
    for (corsair, before) in [&a, &b].into_iter().zip(loads) {
        let reloaded = wait::until(async || metric(corsair, LOADS).await > before).await;
        assert!(reloaded, "no load after the PUBLISH: {:#?}", corsair.log());
    }
    for corsair in [&a, &b] {
        // The load's warning line may reach the test after its metric.
        corsair.wait_for_log("skipped an invalid origin").await;
        let warnings: Vec<String> = corsair
            .log()
            .into_iter()
            .filter(|l| l.contains("skipped an invalid origin"))
            .collect();
        assert_eq!(warnings.len(), 1, "{warnings:#?}");
        assert!(warnings[0].contains("t2.example") && warnings[0].contains("cors.origins_source"));
        assert!(
            warnings[0].contains("origin-missing-scheme")
                || warnings[0].contains("https://t2.example")
        );
    }
    assert!(allows(&a, APP).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_keyspace_events_reload_without_a_publish() {
    let dir = temp_dir("fleet-keyspace");
    let redis = Redis::start(&dir);
    redis_command(&redis, &["CONFIG", "SET", "notify-keyspace-events", "Ks"]).await;
    let upstream = Upstream::start().await;
    redis_config(&dir, upstream.addr, &redis.url(), "");
    let corsair = Corsair::start(&dir, &[]);
    corsair.wait_for_log("origins source up").await;
    redis_command(&redis, &["SADD", KEY, "https://quiet.example"]).await;
    let took = converge(
        &[&corsair],
        "https://quiet.example",
        true,
        Duration::from_secs(5),
    )
    .await;
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_goes_down_leaves_the_last_good_set_and_is_caught_up_with() {
    let dir = temp_dir("fleet-redis-down");
    let mut redis = Redis::start(&dir);
    let upstream = Upstream::start().await;
    redis_config(&dir, upstream.addr, &redis.url(), "");
    let corsair = Corsair::start(&dir, &["--admin-listen", "127.0.0.1:0"]);
    corsair.wait_for_log("origins source up").await;
    redis_command(&redis, &["SADD", KEY, "https://before.example"]).await;
    redis_command(&redis, &["PUBLISH", KEY, "changed"]).await;
    converge(
        &[&corsair],
        "https://before.example",
        true,
        Duration::from_secs(2),
    )
    .await;
    let metrics = admin(&corsair, "/metrics").await;
    assert_eq!(sample(&metrics, UP), Some(1.0), "{metrics}");
    assert_eq!(sample(&metrics, ORIGINS), Some(1.0), "{metrics}");

    redis.kill();
    corsair.wait_for_log("origins source down").await;
    let metrics = admin(&corsair, "/metrics").await;
    assert_eq!(sample(&metrics, UP), Some(0.0), "{metrics}");
    assert_eq!(
        sample(&metrics, ORIGINS),
        Some(1.0),
        "the last good set: {metrics}"
    );
    let policy: serde_json::Value =
        serde_json::from_str(&admin(&corsair, "/policy").await).unwrap();
    let source = &policy["origin_sources"][0];
    assert_eq!(source["source"], "cors.origins_source", "{policy:#}");
    assert_eq!(source["up"], false, "{policy:#}");
    assert_eq!(source["origins"], 1, "{policy:#}");
    assert!(source["error"].is_string(), "{policy:#}");
    assert_eq!(
        source["store"],
        format!("redis://127.0.0.1:{}/0 key {KEY}", redis.port),
        "{policy:#}"
    );
    // Several reconnection attempts later: still one line, and the last good set serves.
    let failures = metric(&corsair, FAILURES).await;
    let retried = wait::until(async || metric(&corsair, FAILURES).await >= failures + 3).await;
    assert!(retried, "no reconnection attempts: {:#?}", corsair.log());
    assert_eq!(
        count(&corsair, "origins source down"),
        1,
        "{:#?}",
        corsair.log()
    );
    assert!(allows(&corsair, "https://before.example").await);
    assert!(allows(&corsair, APP).await);

    redis.restart();
    redis_command(&redis, &["SADD", KEY, "https://after.example"]).await;
    converge(
        &[&corsair],
        "https://after.example",
        true,
        Duration::from_secs(10),
    )
    .await;
    // The store is the truth: what it no longer holds is no longer allowed.
    assert!(!allows(&corsair, "https://before.example").await);
    assert_eq!(
        count(&corsair, "origins source up"),
        2,
        "{:#?}",
        corsair.log()
    );
    let metrics = admin(&corsair, "/metrics").await;
    assert_eq!(sample(&metrics, UP), Some(1.0), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_down_at_start_is_a_warning_unless_required() {
    let dir = temp_dir("fleet-required");
    let upstream = Upstream::start().await;
    let nobody = format!("redis://127.0.0.1:{}/0", stores::free_port());
    redis_config(&dir, upstream.addr, &nobody, "");
    let corsair = Corsair::start(&dir, &[]);
    corsair.wait_for_log("unavailable at start").await;
    assert!(allows(&corsair, APP).await, "the file's origins serve");
    drop(corsair);

    redis_config(&dir, upstream.addr, &nobody, "required = true\n");
    let output = corsair_command(&dir, &["--listen", "127.0.0.1:0"], &[])
        .output()
        .expect("corsair runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("required") && stderr.contains("cors.origins_source"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_never_reaches_the_logs() {
    let dir = temp_dir("fleet-secret");
    let redis = Redis::start_with_password(&dir, Some("s3cret-pass"));
    let upstream = Upstream::start().await;
    // The file has no password; the environment's URL carries it.
    redis_config(&dir, upstream.addr, &redis.url(), "");
    let env_url = redis.url_with_password();
    let good = Corsair::start_with_env(
        &dir,
        &["--admin-listen", "127.0.0.1:0"],
        &[
            ("CORSAIR_ORIGINS_SOURCE_URL", &env_url),
            ("RUST_LOG", "debug"),
        ],
    );
    good.wait_for_log("origins source up").await;
    redis_command(&redis, &["SADD", KEY, "https://tenant.example"]).await;
    redis_command(&redis, &["PUBLISH", KEY, "changed"]).await;
    converge(
        &[&good],
        "https://tenant.example",
        true,
        Duration::from_secs(2),
    )
    .await;

    let wrong = format!("redis://:wr0ng-s3cret@127.0.0.1:{}/0", redis.port);
    let refused = Corsair::start_with_env(
        &dir,
        &[],
        &[
            ("CORSAIR_ORIGINS_SOURCE_URL", &wrong),
            ("RUST_LOG", "debug"),
        ],
    );
    refused.wait_for_log("unavailable at start").await;
    // A failed reconnection too (logged at debug level) names the store without the password.
    refused.wait_for_log("origins source still down").await;
    for path in ["/policy", "/metrics"] {
        let body = admin(&good, path).await;
        assert!(
            !body.contains("s3cret"),
            "a password reached {path}: {body}"
        );
    }
    for corsair in [&good, &refused] {
        for line in corsair.log() {
            assert!(
                !line.contains("s3cret"),
                "a password reached the log: {line}"
            );
        }
    }
    assert!(
        refused
            .log()
            .iter()
            .any(|l| l.contains(&format!("127.0.0.1:{}", redis.port))),
        "the log names the store's host: {:#?}",
        refused.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_reads_its_own_set_from_the_same_store() {
    let dir = temp_dir("fleet-route");
    let redis = Redis::start(&dir);
    let upstream = Upstream::start().await;
    redis_config(
        &dir,
        upstream.addr,
        &redis.url(),
        "\n[[cors.routes]]\npath = \"^/partner/\"\nallowed_origins = []\n\n[cors.routes.origins_source]\nkey = \"corsair:partners\"\n",
    );
    let corsair = Corsair::start(&dir, &[]);
    corsair.wait_for_log("cors.routes[0].origins_source").await;
    redis_command(
        &redis,
        &["SADD", "corsair:partners", "https://partner.example"],
    )
    .await;
    redis_command(&redis, &["PUBLISH", "corsair:partners", "changed"]).await;
    redis_command(&redis, &["SADD", KEY, "https://tenant.example"]).await;
    redis_command(&redis, &["PUBLISH", KEY, "changed"]).await;
    let deadline = Instant::now() + Duration::from_secs(2);
    while !allows_on(&corsair, "/partner/x", "https://partner.example").await {
        assert!(Instant::now() < deadline, "{:#?}", corsair.log());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    converge(
        &[&corsair],
        "https://tenant.example",
        true,
        Duration::from_secs(2),
    )
    .await;
    assert!(!allows_on(&corsair, "/partner/x", "https://tenant.example").await);
    assert!(!allows(&corsair, "https://partner.example").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hundred_thousand_origins_load_within_two_seconds_under_150_mib() {
    let dir = temp_dir("fleet-100k");
    let redis = Redis::start(&dir);
    let upstream = Upstream::start().await;
    redis_config(&dir, upstream.addr, &redis.url(), "");
    let corsair = Corsair::start(&dir, &[]);
    corsair.wait_for_log("origins source up").await;
    let mut connection = redis.connection().await;
    for batch in 0..10 {
        let mut command = ::redis::cmd("SADD");
        command.arg(KEY);
        for i in batch * 10_000..(batch + 1) * 10_000 {
            command.arg(format!("https://tenant{i}.example"));
        }
        let _: () = command.query_async(&mut connection).await.unwrap();
    }
    let published = Instant::now();
    redis_command(&redis, &["PUBLISH", KEY, "changed"]).await;
    let took = converge(
        &[&corsair],
        "https://tenant99999.example",
        true,
        Duration::from_secs(10),
    )
    .await;
    let elapsed = published.elapsed();
    assert!(allows(&corsair, "https://tenant0.example").await);
    let rss = corsair.peak_rss();
    eprintln!(
        "100,000 origins served {took:?} after the PUBLISH; peak RSS {} MiB",
        rss >> 20
    );
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(rss < 150 << 20, "peak RSS {} MiB", rss >> 20);
}

/// A table of tenant domains, with a trigger that notifies `corsair_origins` on any change.
async fn tenant_table(postgres: &Postgres) {
    let client = postgres.client().await;
    client
        .batch_execute(
            "CREATE TABLE tenant_domains (origin text, active boolean NOT NULL DEFAULT true);
             CREATE FUNCTION notify_origins() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN PERFORM pg_notify('corsair_origins', ''); RETURN NULL; END $$;
             CREATE TRIGGER origins_changed AFTER INSERT OR UPDATE OR DELETE ON tenant_domains
               FOR EACH STATEMENT EXECUTE FUNCTION notify_origins();",
        )
        .await
        .unwrap();
}

async fn sql(postgres: &Postgres, statement: &str) {
    postgres
        .client()
        .await
        .batch_execute(statement)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_instances_converge_and_survive_a_restart() {
    let dir = temp_dir("fleet-postgres");
    let mut postgres = Postgres::start(&dir);
    tenant_table(&postgres).await;
    let upstream = Upstream::start().await;
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!(
            "allowed_origins = [\"{APP}\"]\n\n[cors.origins_source]\npostgres = \"{}\"\nquery = \"SELECT origin FROM tenant_domains WHERE active\"\nchannel = \"corsair_origins\"\nrefresh = \"30s\"\n",
            postgres.url()
        ),
    );
    let (a, b) = (Corsair::start(&dir, &[]), Corsair::start(&dir, &[]));
    for corsair in [&a, &b] {
        corsair.wait_for_log("origins source up").await;
    }
    sql(
        &postgres,
        "INSERT INTO tenant_domains (origin) VALUES ('https://pg1.example')",
    )
    .await;
    let added = converge(
        &[&a, &b],
        "https://pg1.example",
        true,
        Duration::from_secs(5),
    )
    .await;
    assert!(added < Duration::from_secs(1), "added in {added:?}");
    sql(
        &postgres,
        "UPDATE tenant_domains SET active = false WHERE origin = 'https://pg1.example'",
    )
    .await;
    let removed = converge(
        &[&a, &b],
        "https://pg1.example",
        false,
        Duration::from_secs(5),
    )
    .await;
    assert!(removed < Duration::from_secs(1), "removed in {removed:?}");

    sql(
        &postgres,
        "INSERT INTO tenant_domains (origin) VALUES ('pg2.example'), (NULL), ('https://pg2.example')",
    )
    .await;
    converge(
        &[&a, &b],
        "https://pg2.example",
        true,
        Duration::from_secs(1),
    )
    .await;
    // The warning is logged with the load that skipped the entry; its line may reach the test
    // after the requests that show the load's effect.
    a.wait_for_log("skipped an invalid origin").await;
    assert_eq!(count(&a, "skipped an invalid origin"), 1, "{:#?}", a.log());

    postgres.kill();
    a.wait_for_log("origins source down").await;
    assert!(
        allows(&a, "https://pg2.example").await,
        "the last good set serves"
    );
    postgres.restart();
    sql(
        &postgres,
        "INSERT INTO tenant_domains (origin) VALUES ('https://pg3.example')",
    )
    .await;
    converge(
        &[&a, &b],
        "https://pg3.example",
        true,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(count(&a, "origins source down"), 1, "{:#?}", a.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_that_returns_no_text_is_explained() {
    let dir = temp_dir("fleet-postgres-type");
    let postgres = Postgres::start(&dir);
    let upstream = Upstream::start().await;
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!(
            "allowed_origins = [\"{APP}\"]\n\n[cors.origins_source]\npostgres = \"{}\"\nquery = \"SELECT 42 AS origin\"\n",
            postgres.url()
        ),
    );
    let corsair = Corsair::start(&dir, &[]);
    let line = corsair.wait_for_log("unavailable at start").await;
    assert!(line.contains("not text: cast it"), "{line}");
}

/// The routes of the review's "routes config" that read tenants from Redis, in the order given:
/// `(path, key)`.
fn tenant_routes(redis: &Redis, order: &[(&str, &str)]) -> String {
    let mut routes = String::new();
    for (path, key) in order {
        routes.push_str(&format!(
            "\n[[cors.routes]]\npath = \"{path}\"\nallowed_origins = []\n\n[cors.routes.origins_source]\nredis = \"{}\"\nkey = \"{key}\"\nrefresh = \"30s\"\n",
            redis.url()
        ));
    }
    format!("allowed_origins = [\"{APP}\"]\nallow_credentials = true\n{routes}")
}

/// Whether `corsair` answers `origin` on `path` with credentialed CORS (`ACAO` of that origin
/// and `ACAC: true`).
async fn credentialed_on(corsair: &Corsair, path: &str, origin: &str) -> bool {
    let answer = send(
        &client(),
        "GET",
        &corsair.url(path),
        &[("origin", origin)],
        "",
    )
    .await;
    answer.header("access-control-allow-origin") == Some(origin)
        && answer.header("access-control-allow-credentials") == Some("true")
}

/// Finding N6: swapping the `^/partner/` and `^/admin/` route blocks and sending SIGHUP gave
/// each route the other's tenant set (sets were kept by position). A set follows the source
/// declared on the route, by the source's identity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_that_swaps_two_routes_keeps_each_routes_own_tenants() {
    const PARTNER: &str = "https://partner.example.org";
    const ADMIN: &str = "https://admin.example.com";
    let dir = temp_dir("fleet-swap");
    let redis = Redis::start(&dir);
    redis_command(&redis, &["SADD", "partners", PARTNER]).await;
    redis_command(&redis, &["SADD", "admins", ADMIN]).await;
    let upstream = Upstream::start().await;
    let partner_first = [("^/partner/", "partners"), ("^/admin/", "admins")];
    let admin_first = [("^/admin/", "admins"), ("^/partner/", "partners")];
    write_config(
        &dir,
        upstream.addr,
        "",
        &tenant_routes(&redis, &partner_first),
    );
    let corsair = Corsair::start(&dir, &[]);
    corsair.wait_for_log("cors.routes[1].origins_source").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while !(credentialed_on(&corsair, "/partner/x", PARTNER).await
        && credentialed_on(&corsair, "/admin/x", ADMIN).await)
    {
        assert!(Instant::now() < deadline, "{:#?}", corsair.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!credentialed_on(&corsair, "/admin/x", PARTNER).await);

    write_config(
        &dir,
        upstream.addr,
        "",
        &tenant_routes(&redis, &admin_first),
    );
    corsair.signal("HUP");
    corsair.wait_for_log("configuration reloaded").await;
    assert!(
        !credentialed_on(&corsair, "/admin/x", PARTNER).await,
        "partner tenants got credentialed CORS on /admin/ after the swap: {:#?}",
        corsair.log()
    );
    assert!(!credentialed_on(&corsair, "/partner/x", ADMIN).await);
    assert!(credentialed_on(&corsair, "/partner/x", PARTNER).await);
    assert!(credentialed_on(&corsair, "/admin/x", ADMIN).await);
    // The running sources go on filling the sets their routes consult.
    redis_command(&redis, &["SADD", "partners", "https://p2.example.org"]).await;
    redis_command(&redis, &["PUBLISH", "partners", "changed"]).await;
    let deadline = Instant::now() + Duration::from_secs(2);
    while !credentialed_on(&corsair, "/partner/x", "https://p2.example.org").await {
        assert!(Instant::now() < deadline, "{:#?}", corsair.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!credentialed_on(&corsair, "/admin/x", "https://p2.example.org").await);

    // A route given a source that is not running consults an empty set, and the log says so.
    let moved = [("^/partner/", "partners"), ("^/admin/", "admins-v2")];
    redis_command(&redis, &["SADD", "admins-v2", PARTNER]).await;
    write_config(&dir, upstream.addr, "", &tenant_routes(&redis, &moved));
    corsair.signal("HUP");
    let line = corsair
        .wait_for_log("this origins source is not running")
        .await;
    assert!(
        line.contains("admins-v2") && line.contains("cors.routes[1]"),
        "{line}"
    );
    assert!(!credentialed_on(&corsair, "/admin/x", PARTNER).await);
    assert!(!credentialed_on(&corsair, "/admin/x", ADMIN).await);
    assert!(credentialed_on(&corsair, "/partner/x", PARTNER).await);
}

/// Finding N8: a password holding `/` (which tokio-postgres reads up to the first `@`, and a
/// URL parser takes for the start of a path) was printed whole by `/policy` and the "origins
/// source up" line. Against a real PostgreSQL that requires the password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_password_with_a_slash_never_reaches_policy_or_the_logs() {
    let dir = temp_dir("fleet-pg-secret");
    let postgres = Postgres::start(&dir);
    tenant_table(&postgres).await;
    const PASSWORD: &str = "S3cr/etPw+x#q@z";
    sql(
        &postgres,
        &format!(
            "CREATE ROLE corsair LOGIN PASSWORD '{PASSWORD}';
             GRANT SELECT ON tenant_domains TO corsair;
             INSERT INTO tenant_domains (origin) VALUES ('https://pg-secret.example');"
        ),
    )
    .await;
    postgres.require_passwords().await;
    let upstream = Upstream::start().await;
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!(
            "allowed_origins = [\"{APP}\"]\n\n[cors.origins_source]\npostgres = \"postgresql://corsair@127.0.0.1:{}/postgres\"\nquery = \"SELECT origin FROM tenant_domains WHERE active\"\nchannel = \"corsair_origins\"\n",
            postgres.port
        ),
    );
    // The password as written, unencoded: the driver reads it up to the first `@`... which
    // is inside it, so it is given percent-encoded where it holds `@`, and raw elsewhere.
    let env_url = format!(
        "postgresql://corsair:S3cr/etPw+x#q%40z@127.0.0.1:{}/postgres",
        postgres.port
    );
    let corsair = Corsair::start_with_env(
        &dir,
        &["--admin-listen", "127.0.0.1:0"],
        &[
            ("CORSAIR_ORIGINS_SOURCE_URL", &env_url),
            ("RUST_LOG", "debug"),
        ],
    );
    let up = corsair.wait_for_log("origins source up").await;
    assert!(
        up.contains(&format!(
            "postgresql://127.0.0.1:{}/postgres",
            postgres.port
        )),
        "{up}"
    );
    assert!(
        allows(&corsair, "https://pg-secret.example").await,
        "it connected with the password"
    );
    let policy = admin(&corsair, "/policy").await;
    let metrics = admin(&corsair, "/metrics").await;
    for (what, text) in [("/policy", policy.as_str()), ("/metrics", metrics.as_str())] {
        for part in ["S3cr", "etPw", "q%40z"] {
            assert!(!text.contains(part), "{part} reached {what}: {text}");
        }
    }
    for line in corsair.log() {
        for part in ["S3cr", "etPw", "q%40z"] {
            assert!(!line.contains(part), "{part} reached the log: {line}");
        }
    }
}

/// Finding N8: the Redis URL diagnostic and `--upstream` showed a password holding `/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_urls_with_a_password_are_refused_without_showing_it() {
    let dir = temp_dir("fleet-url-secret");
    let upstream = Upstream::start().await;
    /// The file's URL, the environment, the flags.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case<'_>; 4] = [
        (
            "redis://127.0.0.1:6379/0",
            &[(
                "CORSAIR_ORIGINS_SOURCE_URL",
                "redis://:S3cr/etPw@127.0.0.1:6379/0",
            )],
            &[],
        ),
        (
            "redis://127.0.0.1:6379/0",
            &[(
                "CORSAIR_ORIGINS_SOURCE_URL",
                "redis://u:S3cr?etPw@127.0.0.1:6379/0",
            )],
            &[],
        ),
        ("redis://:S3cr#etPw@127.0.0.1:notaport/0", &[], &[]),
        (
            "redis://127.0.0.1:6379/0",
            &[],
            &["--upstream", "http://user:S3cr3t/Pw@127.0.0.1:8000"],
        ),
    ];
    for (url, env, args) in cases {
        redis_config(&dir, upstream.addr, url, "");
        let mut all_args = args.to_vec();
        all_args.extend(["--listen", "127.0.0.1:0"]);
        let output = corsair_command(&dir, &all_args, env)
            .output()
            .expect("corsair runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{url} {env:?} {args:?}: {stderr}");
        for part in ["S3cr", "etPw", "Pw@"] {
            assert!(!stderr.contains(part), "{part} shown: {stderr}");
        }
    }
}

/// Finding N11: invalid store entries were logged as they are: a newline and a forged access
/// line, terminal escapes, a NUL, and 1 MiB in one warning. In the text and the JSON log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_store_entries_are_logged_escaped_and_cut() {
    let dir = temp_dir("fleet-entries");
    let redis = Redis::start(&dir);
    let upstream = Upstream::start().await;
    redis_config(&dir, upstream.addr, &redis.url(), "");
    let forged = "https://x.example\nINFO corsair::access: method=GET path=/admin/users status=200 origin=\"https://evil.example\" cors=allowed route=\"^/admin/\"";
    let escapes = "https://t.example\u{1b}]0;TITLE\u{7}\u{1b}[2J";
    let nul = "https://nul.example\0";
    let c1 = "https://c1.example\u{9b}2J";
    let huge = format!("https://{}.example", "a".repeat(1 << 20));
    let text = Corsair::start(&dir, &[]);
    let json = Corsair::start(&dir, &["--log-format", "json"]);
    for corsair in [&text, &json] {
        corsair.wait_for_log("origins source up").await;
    }
    let mut connection = redis.connection().await;
    let _: () = ::redis::cmd("SADD")
        .arg(KEY)
        .arg(forged)
        .arg(escapes)
        .arg(nul)
        .arg(c1)
        .arg(&huge)
        .arg("https://fine.example")
        .query_async(&mut connection)
        .await
        .unwrap();
    redis_command(&redis, &["PUBLISH", KEY, "changed"]).await;
    converge(
        &[&text, &json],
        "https://fine.example",
        true,
        Duration::from_secs(5),
    )
    .await;
    for corsair in [&text, &json] {
        let deadline = Instant::now() + Duration::from_secs(2);
        while count(corsair, "skipped an invalid origin") < 5 {
            assert!(Instant::now() < deadline, "{:#?}", corsair.log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let log = corsair.log();
        for line in &log {
            assert!(
                !line.chars().any(|c| c.is_control()),
                "a control character reached the log: {line:?}"
            );
            assert!(line.len() < 4096, "a line of {} bytes", line.len());
            // A forged line would start with its own level, or not be JSON.
            assert!(!line.starts_with("INFO"), "a forged access line: {line:?}");
            if std::ptr::eq(corsair, &json) {
                assert!(
                    serde_json::from_str::<serde_json::Value>(line).is_ok(),
                    "not one JSON object: {line:?}"
                );
            }
        }
        let skipped: Vec<&String> = log
            .iter()
            .filter(|l| l.contains("skipped an invalid origin"))
            .collect();
        assert_eq!(skipped.len(), 5, "{skipped:#?}");
        for shown in [
            "https://x.example%0AINFO corsair::access",
            "%1B]0;TITLE%07%1B[2J",
            "https://nul.example%00",
            "https://c1.example%C2%9B2J",
            "bytes)",
        ] {
            assert!(
                skipped.iter().any(|l| l.contains(shown)),
                "{shown} in {skipped:#?}"
            );
        }
    }
}

/// The sample of `series` in `/metrics`, as a whole number.
async fn metric(corsair: &Corsair, series: &str) -> u64 {
    let metrics = admin(corsair, "/metrics").await;
    sample(&metrics, series).unwrap_or_else(|| panic!("no {series} in {metrics}")) as u64
}

const LOADS: &str = r#"corsair_origins_source_loads_total{source="cors.origins_source"}"#;
const FAILURES: &str = r#"corsair_origins_source_failures_total{source="cors.origins_source"}"#;

/// The loads counted once no more are coming: unchanged for longer than a burst of
/// notifications is held back before its load (0.5 s at most).
async fn settled_loads(corsair: &Corsair) -> u64 {
    let quiet = Duration::from_millis(600);
    let mut last = (metric(corsair, LOADS).await, Instant::now());
    let settled = wait::until(async || {
        let loads = metric(corsair, LOADS).await;
        if loads != last.0 {
            last = (loads, Instant::now());
        }
        last.1.elapsed() >= quiet
    })
    .await;
    assert!(settled, "the loads never settled: {:#?}", corsair.log());
    last.0
}

/// Finding N12: every notification reloaded the whole set. A burst of 200 `PUBLISH` (with a
/// change between each) is a handful of loads, and the last change is applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_notifications_is_a_bounded_number_of_loads_and_the_last_change_applies() {
    let dir = temp_dir("fleet-burst");
    let redis = Redis::start(&dir);
    let upstream = Upstream::start().await;
    redis_config(&dir, upstream.addr, &redis.url(), "");
    let corsair = Corsair::start(&dir, &["--admin-listen", "127.0.0.1:0"]);
    corsair.wait_for_log("origins source up").await;
    let before = metric(&corsair, LOADS).await;
    let mut connection = redis.connection().await;
    let started = Instant::now();
    for i in 0..200 {
        let _: () = ::redis::pipe()
            .cmd("SADD")
            .arg(KEY)
            .arg(format!("https://burst{i}.example"))
            .ignore()
            .cmd("PUBLISH")
            .arg(KEY)
            .arg("changed")
            .ignore()
            .query_async(&mut connection)
            .await
            .unwrap();
        // Spread over a second or so: longer than a load waits for the rest of a burst.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let burst = started.elapsed();
    converge(
        &[&corsair],
        "https://burst199.example",
        true,
        Duration::from_secs(3),
    )
    .await;
    let loads = settled_loads(&corsair).await - before;
    // At most one load per half second of the burst, one after it, and one for what arrived
    // during the last load.
    let bound = burst.as_millis() as u64 / 500 + 3;
    eprintln!("200 notifications over {burst:?}: {loads} loads (bound {bound})");
    assert!(
        loads >= 1 && loads <= bound,
        "{loads} loads for 200 notifications over {burst:?}"
    );
    assert!(allows(&corsair, "https://burst0.example").await);
}

/// Finding N12, for PostgreSQL: 200 `NOTIFY` (with a change between each) are a handful of
/// queries, and the last change is applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_postgres_notifications_is_a_bounded_number_of_queries() {
    let dir = temp_dir("fleet-pg-burst");
    let postgres = Postgres::start(&dir);
    tenant_table(&postgres).await;
    let upstream = Upstream::start().await;
    write_config(
        &dir,
        upstream.addr,
        "",
        &format!(
            "allowed_origins = [\"{APP}\"]\n\n[cors.origins_source]\npostgres = \"{}\"\nquery = \"SELECT origin FROM tenant_domains WHERE active\"\nchannel = \"corsair_origins\"\n",
            postgres.url()
        ),
    );
    let corsair = Corsair::start(&dir, &["--admin-listen", "127.0.0.1:0"]);
    corsair.wait_for_log("origins source up").await;
    let before = metric(&corsair, LOADS).await;
    let client = postgres.client().await;
    let started = Instant::now();
    for i in 0..200 {
        // The trigger notifies once per statement.
        client
            .batch_execute(&format!(
                "INSERT INTO tenant_domains (origin) VALUES ('https://pgburst{i}.example')"
            ))
            .await
            .unwrap();
        // Spread over a second or so: longer than a load waits for the rest of a burst.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let burst = started.elapsed();
    converge(
        &[&corsair],
        "https://pgburst199.example",
        true,
        Duration::from_secs(3),
    )
    .await;
    let loads = settled_loads(&corsair).await - before;
    let bound = burst.as_millis() as u64 / 500 + 3;
    eprintln!("200 notifications over {burst:?}: {loads} queries (bound {bound})");
    assert!(
        (1..=bound).contains(&loads),
        "{loads} queries for 200 notifications over {burst:?}"
    );
}
