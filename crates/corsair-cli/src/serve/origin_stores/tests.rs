use super::*;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The store's entries, whether the load changed the set, its origins, the entries skipped,
/// and those warned about by this load.
type LoadCase = (
    &'static [&'static str],
    bool,
    usize,
    usize,
    &'static [&'static str],
);

#[test]
fn an_invalid_entry_is_warned_about_once_while_it_stays() {
    let set = OriginSet::new();
    let mut last = Loaded::default();
    let table: &[LoadCase] = &[
        (
            &["https://a.example", "a.example"],
            true,
            1,
            1,
            &["a.example"],
        ),
        (&["a.example", "https://a.example"], false, 1, 1, &[]),
        (
            &["https://a.example", "a.example", "https://b.example"],
            true,
            2,
            1,
            &[],
        ),
        (
            &["https://a.example", "https://b.example/", "a.example"],
            true,
            1,
            2,
            &["https://b.example/"],
        ),
        (&["https://a.example"], true, 1, 0, &[]),
        (
            &["https://a.example", "a.example"],
            true,
            1,
            1,
            &["a.example"],
        ),
    ];
    for (step, &(entries, changed, origins, skipped, warned)) in table.iter().enumerate() {
        let applied = apply(&set, &mut last, strings(entries));
        assert_eq!(applied.changed, changed, "step {step}");
        assert_eq!(applied.origins, origins, "step {step}");
        assert_eq!(applied.skipped, skipped, "step {step}");
        let newly: Vec<&str> = applied
            .newly_skipped
            .iter()
            .map(|(e, _)| e.as_str())
            .collect();
        assert_eq!(newly, warned, "step {step}");
        assert_eq!(set.len(), origins, "step {step}");
    }
}

#[test]
fn the_reason_of_a_skipped_entry_says_how_to_fix_it() {
    let set = OriginSet::new();
    let applied = apply(
        &set,
        &mut Loaded::default(),
        strings(&["https://b.example/"]),
    );
    let (entry, why) = &applied.newly_skipped[0];
    assert_eq!(entry, "https://b.example/");
    assert!(why.contains("write `https://b.example`"), "{why}");
}

#[test]
fn backoff_doubles_to_its_ceiling_with_jitter_and_resets() {
    let (min, max) = (Duration::from_millis(200), Duration::from_secs(5));
    let mut backoff = Backoff::new(min, max);
    let mut step = min;
    for _ in 0..10 {
        let wait = backoff.next();
        assert!(
            wait >= step / 2 && wait <= step,
            "{wait:?} for a step of {step:?}"
        );
        step = (step * 2).min(max);
    }
    backoff.reset();
    assert!(backoff.next() <= min);
}

#[test]
fn a_store_url_never_reaches_the_status() {
    let source = OriginsSource {
        store: Store::Redis {
            url: crate::settings::origins_source::StoreUrl::new("redis://:s3cret@cache:6379/0"),
            key: "corsair:origins".into(),
        },
        refresh: Duration::from_secs(30),
        required: false,
        subject: "cors.origins_source".into(),
        source: crate::settings::Source::Default,
        route: None,
    };
    let status = SourceStatus::new(&source, SourceMetrics::default());
    assert_eq!(status.store, "redis://cache:6379/0 key corsair:origins");
}

fn redis_source(url: &str) -> OriginsSource {
    OriginsSource {
        store: Store::Redis {
            url: crate::settings::origins_source::StoreUrl::new(url),
            key: "corsair:origins".into(),
        },
        refresh: Duration::from_secs(30),
        required: false,
        subject: "cors.origins_source".into(),
        source: crate::settings::Source::Default,
        route: None,
    }
}

#[test]
fn a_password_holding_a_slash_never_reaches_the_status() {
    for url in [
        "redis://:S3cr/et@cache:6379/0",
        "redis://:S3cr#et@x@cache:6379/0",
    ] {
        let status = SourceStatus::new(&redis_source(url), SourceMetrics::default());
        assert_eq!(
            status.store, "redis://cache:6379/0 key corsair:origins",
            "{url}"
        );
    }
}

/// Finding N11: the store's invalid entries (and its errors) were logged as they are. The
/// warnings a load writes, in the text and the JSON format.
#[test]
fn invalid_entries_and_store_errors_are_logged_escaped_and_cut() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let huge = format!("https://{}.example", "a".repeat(1 << 20));
    let entries = [
        "https://x.example\nINFO corsair::access: method=GET path=/admin status=200 cors=allowed",
        "https://t.example\u{1b}]0;TITLE\u{7}\u{1b}[2J",
        "https://nul.example\0",
        "https://c1.example\u{9b}2J",
        huge.as_str(),
    ];
    for json in [false, true] {
        let lines = crate::serve::logging::tests::one_line(json, || {
            runtime.block_on(async {
                let (first, _) = oneshot::channel();
                let status = Arc::new(SourceStatus::new(
                    &redis_source("redis://cache"),
                    SourceMetrics::default(),
                ));
                let mut feed = Feed::new(OriginSet::new(), status, first);
                feed.load(strings(&entries)).await;
                feed.down("ERR value \"\u{1b}[2J\nforged\" is not a set".to_owned());
            });
        });
        let warned: Vec<&str> = lines
            .lines()
            .filter(|l| l.contains("skipped an invalid origin"))
            .collect();
        assert_eq!(warned.len(), entries.len(), "{lines}");
        for line in lines.lines() {
            assert!(!line.chars().any(char::is_control), "{line:?}");
            assert!(line.len() < 4096, "a line of {} bytes", line.len());
            assert!(!line.starts_with("INFO corsair::access"), "{line:?}");
        }
        for shown in [
            "https://x.example%0AINFO corsair::access",
            "%1B]0;TITLE%07%1B[2J",
            "https://nul.example%00",
            "https://c1.example%C2%9B2J",
            "...(+",
            "%1B[2J%0Aforged",
        ] {
            assert!(lines.contains(shown), "{shown} in {lines}");
        }
    }
}

/// Finding N12: a burst of notifications is absorbed into one load; a steady stream still loads
/// every `LONGEST_WAIT`; a closed stream ends the session.
#[cfg(any(feature = "redis", feature = "postgres"))]
#[tokio::test(start_paused = true)]
async fn a_burst_of_notifications_settles_into_one_load() {
    use futures_util::StreamExt;
    // 50 notifications 10 ms apart: absorbed until the burst is quiet for QUIET, or until
    // LONGEST_WAIT has passed.
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<()>();
    tokio::spawn(async move {
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let _ = sender.send(());
        }
    });
    let mut stream = tokio_stream_of(receiver);
    let started = tokio::time::Instant::now();
    let absorbed = settle(&mut stream).await;
    let waited = started.elapsed();
    assert!(
        waited >= LONGEST_WAIT && waited < LONGEST_WAIT + QUIET,
        "{waited:?}"
    );
    assert!(absorbed.is_some_and(|n| n >= 45), "{absorbed:?}");
    // What is left of the burst is the next load's.
    let _ = settle(&mut stream).await;
    assert!(stream.next().await.is_none(), "the sender is gone");

    // One notification alone: loaded QUIET later.
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut stream = tokio_stream_of(receiver);
    let started = tokio::time::Instant::now();
    assert_eq!(settle(&mut stream).await, Some(0));
    assert_eq!(started.elapsed(), QUIET);
    drop(sender);
    assert_eq!(settle(&mut stream).await, None, "a closed stream");
}

#[cfg(any(feature = "redis", feature = "postgres"))]
fn tokio_stream_of<T>(
    mut receiver: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> impl futures_util::Stream<Item = T> + Unpin {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}
