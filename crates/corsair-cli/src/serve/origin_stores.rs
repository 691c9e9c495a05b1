//! The running origin stores: tenant origins kept up to date from the Redis or PostgreSQL
//! store that each origins source names (`[cors.origins_source]`, as
//! [`crate::settings::origins_source`] reads it); each source fills one [`OriginSet`] that the
//! policy consults beside the file's `allowed_origins`.
//!
//! A source runs as one task: connect, subscribe to change notifications, load in full, then
//! load again on each notification and every `refresh`. Loading builds the new set on a
//! blocking thread and swaps it in at once, so no request waits and none sees half a set. When
//! the store cannot be reached or read, the last good set keeps serving, the task reconnects
//! with backoff, and each change of state is logged once (never once per retry). Invalid
//! entries are skipped with one warning each, naming the entry (escaped and cut, as every value
//! from a store is before it is logged) and the source.

// Built without any store, the machinery below is there but nothing reads a store.
#![cfg_attr(
    not(any(feature = "redis", feature = "postgres")),
    allow(dead_code, unused_imports)
)]

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;

use std::collections::BTreeSet;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use corsair::OriginSet;
use tokio::sync::oneshot;

use super::logging::loggable;
use super::metrics::SourceMetrics;
use crate::settings::origins_source::{OriginsSource, Store};

/// The most origins one source loads: a bigger set or result is refused as a whole (the last
/// good set stays), so that a runaway table cannot exhaust the proxy's memory.
pub(super) const MAX_ORIGINS: usize = 1_000_000;

/// How long connecting, subscribing and each load may take before the store counts as down.
const STORE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the notifications of a burst are waited out before loading: a load starts once
/// none has come for [`QUIET`], or [`LONGEST_WAIT`] after the first (so that a steady stream of
/// notifications still loads, twice a second at most). Those that arrive during a load are
/// one more load after it, whatever their number.
const QUIET: Duration = Duration::from_millis(100);
const LONGEST_WAIT: Duration = Duration::from_millis(500);

/// The first and the longest wait before reconnecting.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(200), Duration::from_secs(5));

/// What a source's task shares with metrics and the admin endpoints.
#[derive(Debug)]
pub(super) struct SourceStatus {
    /// `cors.origins_source` or `cors.routes[i].origins_source`.
    pub subject: String,
    /// The store, without secrets: `redis://cache:6379/0 key corsair:origins`.
    pub store: String,
    /// Its series in `/metrics`, which are its state.
    metrics: SourceMetrics,
    /// The last error, while down.
    error: Mutex<Option<String>>,
}

impl SourceStatus {
    fn new(source: &OriginsSource, metrics: SourceMetrics) -> SourceStatus {
        SourceStatus {
            subject: source.subject.clone(),
            store: format!("{} {}", source.store.url(), source.store.what()),
            metrics,
            error: Mutex::new(None),
        }
    }

    /// Whether the last attempt to read the store succeeded.
    pub(super) fn is_up(&self) -> bool {
        self.metrics.up.get() == 1
    }

    /// The origins of the last good load.
    pub(super) fn origins(&self) -> i64 {
        self.metrics.origins.get()
    }

    /// The entries of the last good load that were skipped as invalid.
    pub(super) fn skipped(&self) -> i64 {
        self.metrics.skipped.get()
    }

    /// Successful loads since start.
    pub(super) fn loads(&self) -> u64 {
        self.metrics.loads.get()
    }

    /// Failed connections and loads since start.
    pub(super) fn failures(&self) -> u64 {
        self.metrics.failures.get()
    }

    /// Why the store is down, while it is.
    pub(super) fn error(&self) -> Option<String> {
        self.error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Why `corsair serve` does not start.
#[derive(Debug)]
pub(super) struct RequiredSourceDown {
    /// The source's subject and store.
    pub source: String,
    /// What went wrong.
    pub error: String,
}

impl std::fmt::Display for RequiredSourceDown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cannot be read ({}), and it is required: not starting (set required = false to start with the file's origins only)",
            self.source, self.error
        )
    }
}

/// Starts `source`, filling `set`, and waits for its first load; returns its state, for
/// `/policy`. A source that cannot be read at start is a warning (corsair serves the file's
/// origins and keeps trying), or, with `required = true`, an error.
///
/// # Errors
///
/// [`RequiredSourceDown`] when a required source cannot be read at start.
pub(super) async fn start(
    source: OriginsSource,
    set: OriginSet,
    metrics: SourceMetrics,
) -> Result<Arc<SourceStatus>, RequiredSourceDown> {
    let status = Arc::new(SourceStatus::new(&source, metrics));
    let (first, first_outcome) = oneshot::channel();
    let required = source.required;
    let task = tokio::spawn(run(source, set, Arc::clone(&status), first));
    match first_outcome.await {
        Ok(Ok(())) => {}
        Ok(Err(error)) if required => {
            task.abort();
            return Err(RequiredSourceDown {
                source: format!("{} ({})", status.subject, status.store),
                error,
            });
        }
        Ok(Err(_)) | Err(_) => {}
    }
    Ok(status)
}

/// Connects and loads until the process ends; tells `first` how the first attempt went.
async fn run(
    source: OriginsSource,
    set: OriginSet,
    status: Arc<SourceStatus>,
    first: oneshot::Sender<Result<(), String>>,
) {
    let mut feed = Feed::new(set, Arc::clone(&status), first);
    let mut backoff = Backoff::new(BACKOFF.0, BACKOFF.1);
    loop {
        let error = session(&source, &mut feed).await;
        if feed.take_was_up() {
            backoff.reset();
        }
        feed.down(error);
        tokio::time::sleep(backoff.next()).await;
    }
}

/// One connection to the store: returns why it ended.
async fn session(source: &OriginsSource, feed: &mut Feed) -> String {
    match &source.store {
        #[cfg(feature = "redis")]
        Store::Redis { url, key } => redis::session(url, key, source.refresh, feed).await,
        #[cfg(feature = "postgres")]
        Store::Postgres {
            url,
            query,
            channel,
        } => postgres::session(url, query, channel.as_deref(), source.refresh, feed).await,
        // The settings refuse a store this build cannot read; were one started, it would
        // stay down, saying why.
        #[allow(unreachable_patterns)]
        store => {
            let _ = feed;
            format!("this corsair was built without {} support", store.kind())
        }
    }
}

/// Waits until the burst of `notifications` that started with the one just received settles
/// (see [`QUIET`]); returns how many more were absorbed, or `None` when the stream ended.
#[cfg(any(feature = "redis", feature = "postgres"))]
async fn settle<S>(notifications: &mut S) -> Option<usize>
where
    S: futures_util::Stream + Unpin,
{
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + LONGEST_WAIT;
    let mut absorbed = 0;
    loop {
        let quiet = (tokio::time::Instant::now() + QUIET).min(deadline);
        tokio::select! {
            notification = notifications.next() => {
                notification?;
                absorbed += 1;
            }
            () = tokio::time::sleep_until(quiet) => return Some(absorbed),
        }
    }
}

/// The state of a source between loads: the set, what was last loaded, which invalid entries
/// were warned about, and whether the store is up.
struct Feed {
    set: OriginSet,
    status: Arc<SourceStatus>,
    last: Arc<Mutex<Loaded>>,
    state: State,
    was_up: bool,
    first: Option<oneshot::Sender<Result<(), String>>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Starting,
    Up,
    Down,
}

/// The last load: its entries (sorted, to tell an unchanged load) and the invalid entries
/// already warned about.
#[derive(Default)]
struct Loaded {
    entries: Vec<String>,
    warned: BTreeSet<String>,
}

/// What a load changed.
#[derive(Debug, Default, PartialEq, Eq)]
struct Applied {
    changed: bool,
    origins: usize,
    /// Invalid entries (all of them) and the ones new since the last load, with why.
    skipped: usize,
    newly_skipped: Vec<(String, String)>,
}

impl Feed {
    fn new(
        set: OriginSet,
        status: Arc<SourceStatus>,
        first: oneshot::Sender<Result<(), String>>,
    ) -> Feed {
        Feed {
            set,
            status,
            last: Arc::default(),
            state: State::Starting,
            was_up: false,
            first: Some(first),
        }
    }

    /// Applies a full load of the store, off the event loop.
    async fn load(&mut self, entries: Vec<String>) {
        let (set, last) = (self.set.clone(), Arc::clone(&self.last));
        let applied = tokio::task::spawn_blocking(move || {
            let mut last = last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            apply(&set, &mut last, entries)
        })
        .await
        .unwrap_or_default();
        let status = &self.status;
        for (entry, why) in &applied.newly_skipped {
            // The entry (also quoted in the reason) is the store's text: escaped and cut.
            let (entry, why) = (loggable(entry), loggable(why));
            tracing::warn!(source = %status.subject, store = %status.store, origin = entry.as_ref(), reason = why.as_ref(), "skipped an invalid origin from the store");
        }
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        status.metrics.origins.set(count(applied.origins));
        status.metrics.skipped.set(count(applied.skipped));
        status.metrics.loads.inc();
        if applied.changed && self.state == State::Up {
            tracing::info!(source = %status.subject, origins = applied.origins, skipped = applied.skipped, "origins reloaded");
        }
        self.up();
    }

    fn up(&mut self) {
        self.was_up = true;
        let status = &self.status;
        status.metrics.up.set(1);
        *status
            .error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        if self.state != State::Up {
            tracing::info!(source = %status.subject, store = %status.store, origins = status.origins(), skipped = status.skipped(), "origins source up");
            self.state = State::Up;
        }
        if let Some(first) = self.first.take() {
            let _ = first.send(Ok(()));
        }
    }

    fn down(&mut self, error: String) {
        // A store's error may quote what it holds (a value, a table's text).
        let error = loggable(&error).into_owned();
        let status = &self.status;
        status.metrics.up.set(0);
        status.metrics.failures.inc();
        *status
            .error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(error.clone());
        match self.state {
            State::Starting => {
                tracing::warn!(source = %status.subject, store = %status.store, %error, "origins source unavailable at start: serving the file's origins only, retrying")
            }
            State::Up => {
                tracing::warn!(source = %status.subject, store = %status.store, %error, origins = status.origins(), "origins source down: serving the last good set, reconnecting")
            }
            State::Down => {
                tracing::debug!(source = %status.subject, %error, "origins source still down")
            }
        }
        self.state = State::Down;
        if let Some(first) = self.first.take() {
            let _ = first.send(Err(error));
        }
    }

    /// Whether a load succeeded since the last call.
    fn take_was_up(&mut self) -> bool {
        std::mem::take(&mut self.was_up)
    }
}

/// Replaces the set's entries with `entries` when they changed; says what changed.
fn apply(set: &OriginSet, last: &mut Loaded, mut entries: Vec<String>) -> Applied {
    entries.sort_unstable();
    entries.dedup();
    if entries == last.entries {
        return Applied {
            changed: false,
            origins: set.len(),
            skipped: last.warned.len(),
            newly_skipped: Vec::new(),
        };
    }
    let findings = set.replace(&entries);
    let mut invalid = BTreeSet::new();
    let mut newly_skipped = Vec::new();
    for finding in findings.iter().filter(|f| f.is_error()) {
        let Some(entry) = &finding.value else {
            continue;
        };
        if invalid.insert(entry.clone()) && !last.warned.contains(entry) {
            newly_skipped.push((
                entry.clone(),
                format!("{} ({})", finding.message, finding.fix),
            ));
        }
    }
    last.entries = entries;
    let skipped = invalid.len();
    last.warned = invalid;
    Applied {
        changed: true,
        origins: set.len(),
        skipped,
        newly_skipped,
    }
}

/// Exponential backoff with jitter, so that a fleet does not reconnect in step.
struct Backoff {
    next: Duration,
    min: Duration,
    max: Duration,
    noise: std::collections::hash_map::RandomState,
    count: u64,
}

impl Backoff {
    fn new(min: Duration, max: Duration) -> Backoff {
        Backoff {
            next: min,
            min,
            max,
            noise: std::collections::hash_map::RandomState::new(),
            count: 0,
        }
    }

    /// The wait before the next attempt: between half and all of the current step.
    fn next(&mut self) -> Duration {
        let step = self.next;
        self.next = (self.next * 2).min(self.max);
        self.count += 1;
        let fraction = (self.noise.hash_one(self.count) % 1000) as u32;
        step / 2 + step / 2 * fraction / 1000
    }

    fn reset(&mut self) {
        self.next = self.min;
    }
}

#[cfg(test)]
mod tests;
