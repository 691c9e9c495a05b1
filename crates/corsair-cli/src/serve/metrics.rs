//! corsair's metrics: one registry for the life of the process, fed by the observer of every
//! policy (the first one and each reload's: the counters go on across reloads) and by the
//! proxy (durations, upstream failures, edge answers, reloads), and encoded for `/metrics` in
//! the Prometheus text format (0.0.4) by `prometheus-client`.
//!
//! Invariants: no label carries anything a request sent (origin, path, header value): every
//! label value is one of a few fixed words, so the number of series is bounded. Counting a
//! request takes no lock and allocates nothing: its series' counters are looked up once, here,
//! and kept.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use corsair::{Observation, Observer, Outcome, RefusalKind, RequestKind};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::http::upstream_error::{UpstreamError, UpstreamErrors};
use super::report_only;

/// The `Content-Type` of `/metrics`.
pub(super) const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// The bounds of `corsair_request_duration_seconds`, from a preflight answered in a tenth of a
/// millisecond to an upstream taking a minute (the default `upstream_timeout`).
const DURATION_BUCKETS: [f64; 18] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 30.0, 60.0,
];

/// The kinds of request, in the order of the tables below.
const KINDS: [RequestKind; 3] = [
    RequestKind::Preflight,
    RequestKind::Actual,
    RequestKind::Bypass,
];

/// The `kind` label of a request.
fn kind_label(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Preflight => "preflight",
        RequestKind::Actual => "actual",
        RequestKind::Bypass => "bypass",
        _ => "other",
    }
}

/// The position of `kind` in [`KINDS`].
fn kind_index(kind: RequestKind) -> Option<usize> {
    KINDS.iter().position(|k| *k == kind)
}

/// The series of `corsair_requests_total` of one kind: allowed, not_cors, then refused for each
/// refusal kind in the order of [`RefusalKind::ALL`].
const OUTCOME_SLOTS: usize = 2 + RefusalKind::ALL.len();

/// The slot of an outcome and its refusal in a kind's series.
fn outcome_slot(outcome: Outcome, refusal: Option<RefusalKind>) -> Option<usize> {
    match (outcome, refusal) {
        (Outcome::Allowed, _) => Some(0),
        (Outcome::NotCors, _) => Some(1),
        (Outcome::Refused, Some(refusal)) => RefusalKind::ALL
            .iter()
            .position(|k| *k == refusal)
            .map(|i| 2 + i),
        _ => None,
    }
}

/// The series that exist from the start (at 0), so that a dashboard has them before the first
/// such request: what each kind of request can end as.
const EXPECTED: [(RequestKind, Outcome, Option<RefusalKind>); 11] = [
    (RequestKind::Preflight, Outcome::Allowed, None),
    (
        RequestKind::Preflight,
        Outcome::Refused,
        Some(RefusalKind::InvalidOrigin),
    ),
    (
        RequestKind::Preflight,
        Outcome::Refused,
        Some(RefusalKind::OriginNotAllowed),
    ),
    (
        RequestKind::Preflight,
        Outcome::Refused,
        Some(RefusalKind::MethodNotAllowed),
    ),
    (
        RequestKind::Preflight,
        Outcome::Refused,
        Some(RefusalKind::HeaderNotAllowed),
    ),
    (
        RequestKind::Preflight,
        Outcome::Refused,
        Some(RefusalKind::MalformedRequestHeaders),
    ),
    (RequestKind::Actual, Outcome::Allowed, None),
    (RequestKind::Actual, Outcome::NotCors, None),
    (
        RequestKind::Actual,
        Outcome::Refused,
        Some(RefusalKind::InvalidOrigin),
    ),
    (
        RequestKind::Actual,
        Outcome::Refused,
        Some(RefusalKind::OriginNotAllowed),
    ),
    (RequestKind::Bypass, Outcome::NotCors, None),
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    kind: &'static str,
    outcome: &'static str,
    reason: &'static str,
}

impl RequestLabels {
    fn of(kind: RequestKind, outcome: Outcome, refusal: Option<RefusalKind>) -> RequestLabels {
        RequestLabels {
            kind: kind_label(kind),
            outcome: outcome.as_str(),
            reason: refusal.map_or("", RefusalKind::as_str),
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabel {
    /// The source's table: `cors.origins_source`, `cors.routes[0].origins_source`.
    source: String,
}

/// The series of one origins source: what its task updates, and what `/policy` reads.
#[derive(Debug, Clone, Default)]
pub(super) struct SourceMetrics {
    /// 1 while the store can be read, else 0.
    pub up: Gauge,
    /// The origins of the last good load.
    pub origins: Gauge,
    /// The entries of the last good load skipped as invalid.
    pub skipped: Gauge,
    /// Successful loads.
    pub loads: Counter,
    /// Failed connections and loads.
    pub failures: Counter,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: u16,
}

/// Every way the upstream fails a request: the `kind`s of `corsair_upstream_errors_total`.
const UPSTREAM_ERRORS: [UpstreamError; 3] = [
    UpstreamError::Connect,
    UpstreamError::Timeout,
    UpstreamError::Protocol,
];

/// The `kind` label of `error`.
fn upstream_error_label(error: UpstreamError) -> &'static str {
    match error {
        UpstreamError::Connect => "connect",
        UpstreamError::Timeout => "timeout",
        UpstreamError::Protocol => "protocol",
    }
}

/// How a reload ended: the `result` of `corsair_policy_reloads_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReloadResult {
    /// The new configuration replaced the running one.
    Ok,
    /// The new configuration was invalid (or could not be read): the running one stays.
    Refused,
}

/// The process's metrics.
pub(super) struct Metrics {
    registry: Registry,
    /// Whether anyone can read the per-request series (the admin listener is on). Without a
    /// reader, requests are not counted nor timed: every worker thread would otherwise write
    /// the same few cache lines on every request for nothing.
    per_request: AtomicBool,
    requests: Family<RequestLabels, Counter>,
    /// The counters of `requests`, by kind and outcome slot, looked up once.
    request_counters: [[OnceLock<Counter>; OUTCOME_SLOTS]; KINDS.len()],
    durations: Family<KindLabel, Histogram, fn() -> Histogram>,
    /// The histograms of `durations`, by kind.
    duration_histograms: [Histogram; KINDS.len()],
    upstream_errors: [Counter; UPSTREAM_ERRORS.len()],
    reloads_ok: Counter,
    reloads_refused: Counter,
    policy_origins: Gauge,
    report_only: Family<ReasonLabel, Counter>,
    edge: Family<StatusLabel, Counter>,
    source_up: Family<SourceLabel, Gauge>,
    source_origins: Family<SourceLabel, Gauge>,
    source_skipped: Family<SourceLabel, Gauge>,
    source_loads: Family<SourceLabel, Counter>,
    source_failures: Family<SourceLabel, Counter>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

impl Metrics {
    /// Every metric, registered, with the series a dashboard expects at 0.
    pub(super) fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "corsair_requests",
            "CORS decisions, by kind of request (preflight, actual, bypass), outcome (allowed, \
             refused, not_cors) and reason of a refusal",
            requests.clone(),
        );
        let durations: Family<KindLabel, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(duration_histogram);
        registry.register(
            "corsair_request_duration_seconds",
            "Time from a request's head to its response's head, by kind of request",
            durations.clone(),
        );
        let upstream = Family::<KindLabel, Counter>::default();
        registry.register(
            "corsair_upstream_errors",
            "Requests the upstream failed, answered 502 or 504 (or cut short after the \
             response head), by kind of failure (connect, timeout, protocol)",
            upstream.clone(),
        );
        let reloads = Family::<ResultLabel, Counter>::default();
        registry.register(
            "corsair_policy_reloads",
            "Reloads of the configuration (SIGHUP, --watch), by result (ok, refused)",
            reloads.clone(),
        );
        let policy_origins = Gauge::default();
        registry.register(
            "corsair_policy_origins",
            "Distinct exact origins, patterns and regexes of allowed_origins and \
             allowed_origin_regexes in the enforced policy, routes with CORS on included",
            policy_origins.clone(),
        );
        let report_only = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "corsair_report_only_differences",
            "Requests the report-only candidate policy would decide differently, by what it \
             would decide: its refusal's reason, allowed, or not_cors",
            report_only.clone(),
        );
        let edge = Family::<StatusLabel, Counter>::default();
        registry.register(
            "corsair_edge_answers",
            "Requests answered at the edge before any CORS decision (bad targets and hosts: \
             400, CONNECT: 405, OPTIONS *: 204), by status",
            edge.clone(),
        );

        let source_up = Family::<SourceLabel, Gauge>::default();
        registry.register(
            "corsair_origins_source_up",
            "1 while an origins source's store can be read, else 0 (its last good origins keep \
             serving), by source table",
            source_up.clone(),
        );
        let source_origins = Family::<SourceLabel, Gauge>::default();
        registry.register(
            "corsair_origins_source_origins",
            "The origins of an origins source's last good load, by source table",
            source_origins.clone(),
        );
        let source_skipped = Family::<SourceLabel, Gauge>::default();
        registry.register(
            "corsair_origins_source_skipped",
            "The entries of an origins source's last good load skipped as invalid, by source \
             table",
            source_skipped.clone(),
        );
        let source_loads = Family::<SourceLabel, Counter>::default();
        registry.register(
            "corsair_origins_source_loads",
            "Full loads of an origins source's store, by source table",
            source_loads.clone(),
        );
        let source_failures = Family::<SourceLabel, Counter>::default();
        registry.register(
            "corsair_origins_source_failures",
            "Failed connections to and loads of an origins source's store, by source table",
            source_failures.clone(),
        );

        let request_counters = std::array::from_fn(|_| std::array::from_fn(|_| OnceLock::new()));
        let duration_histograms = KINDS.map(|kind| {
            durations.get_or_create_owned(&KindLabel {
                kind: kind_label(kind),
            })
        });
        let upstream_errors = UPSTREAM_ERRORS.map(|error| {
            upstream.get_or_create_owned(&KindLabel {
                kind: upstream_error_label(error),
            })
        });
        let [reloads_ok, reloads_refused] =
            ["ok", "refused"].map(|result| reloads.get_or_create_owned(&ResultLabel { result }));
        for reason in report_only::REASONS {
            let _ = report_only.get_or_create(&ReasonLabel { reason });
        }
        let metrics = Metrics {
            registry,
            per_request: AtomicBool::new(true),
            requests,
            request_counters,
            durations,
            duration_histograms,
            upstream_errors,
            reloads_ok,
            reloads_refused,
            policy_origins,
            report_only,
            edge,
            source_up,
            source_origins,
            source_skipped,
            source_loads,
            source_failures,
        };
        for (kind, outcome, refusal) in EXPECTED {
            let _ = metrics.request_counter(kind, outcome, refusal);
        }
        metrics
    }

    /// The observer that counts each decision of a policy into these metrics (and reports the
    /// report-only candidate's differences): given to every policy loaded, so that the counts
    /// go on across reloads.
    pub(super) fn observer(self: &Arc<Metrics>) -> Arc<dyn Observer> {
        let metrics = Arc::clone(self);
        Arc::new(move |seen: &Observation<'_>| metrics.observe(seen))
    }

    /// Stops counting and timing requests, when no admin listener serves the metrics. The
    /// report-only candidate's differences are still logged. Everything else (reloads, origins
    /// sources, upstream errors) is rare and still counted, for `/policy` and the logs.
    pub(super) fn without_reader(&self) {
        self.per_request.store(false, Ordering::Relaxed);
    }

    /// Whether requests are counted and timed.
    pub(super) fn counts_requests(&self) -> bool {
        self.per_request.load(Ordering::Relaxed)
    }

    /// Counts one decision, and the candidate's difference, if any.
    fn observe(&self, seen: &Observation<'_>) {
        if let Some(candidate) = seen.candidate() {
            let reason = report_only::reason(&candidate);
            if self.counts_requests() {
                self.report_only
                    .get_or_create(&ReasonLabel { reason })
                    .inc();
            }
            report_only::log(seen, &candidate, reason);
        }
        if !self.counts_requests() {
            return;
        }
        let decided = seen.decided();
        if let Some(counter) = self.request_counter(decided.kind, decided.outcome, decided.refusal)
        {
            counter.inc();
        } else {
            let labels = RequestLabels::of(decided.kind, decided.outcome, decided.refusal);
            self.requests.get_or_create(&labels).inc();
        }
    }

    /// The counter of a kind and outcome, made the first time it is asked for; `None` for a
    /// kind or outcome the tables do not know.
    fn request_counter(
        &self,
        kind: RequestKind,
        outcome: Outcome,
        refusal: Option<RefusalKind>,
    ) -> Option<&Counter> {
        let slot = self
            .request_counters
            .get(kind_index(kind)?)?
            .get(outcome_slot(outcome, refusal)?)?;
        Some(slot.get_or_init(|| {
            self.requests
                .get_or_create_owned(&RequestLabels::of(kind, outcome, refusal))
        }))
    }

    /// Records how long a request of `kind` took from its head to its response head.
    pub(super) fn request_answered(&self, kind: RequestKind, elapsed: Duration) {
        if !self.counts_requests() {
            return;
        }
        let seconds = elapsed.as_secs_f64();
        match kind_index(kind) {
            Some(index) => self.duration_histograms[index].observe(seconds),
            None => self
                .durations
                .get_or_create(&KindLabel {
                    kind: kind_label(kind),
                })
                .observe(seconds),
        }
    }

    /// Counts a request answered at the edge with `status`.
    pub(super) fn edge_answer(&self, status: http::StatusCode) {
        self.edge
            .get_or_create(&StatusLabel {
                status: status.as_u16(),
            })
            .inc();
    }

    /// Counts a reload.
    pub(super) fn reload(&self, result: ReloadResult) {
        match result {
            ReloadResult::Ok => self.reloads_ok.inc(),
            ReloadResult::Refused => self.reloads_refused.inc(),
        };
    }

    /// Sets the number of origins of the enforced policy.
    pub(super) fn set_policy_origins(&self, count: usize) {
        self.policy_origins
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// The series of the origins source of table `subject` (made at 0).
    pub(super) fn source(&self, subject: &str) -> SourceMetrics {
        let label = SourceLabel {
            source: subject.to_owned(),
        };
        SourceMetrics {
            up: self.source_up.get_or_create_owned(&label),
            origins: self.source_origins.get_or_create_owned(&label),
            skipped: self.source_skipped.get_or_create_owned(&label),
            loads: self.source_loads.get_or_create_owned(&label),
            failures: self.source_failures.get_or_create_owned(&label),
        }
    }

    /// Every metric in the Prometheus text format (0.0.4).
    pub(super) fn encode(&self) -> Result<String, fmt::Error> {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

impl UpstreamErrors for Metrics {
    /// Counts a request the upstream failed.
    fn upstream_error(&self, error: UpstreamError) {
        let index = UPSTREAM_ERRORS
            .iter()
            .position(|e| *e == error)
            .unwrap_or_default();
        self.upstream_errors[index].inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the sample line `name{labels}` of `text`.
    fn sample(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|value| value.parse().ok())
    }

    #[test]
    fn every_decision_is_counted_under_fixed_labels_only() {
        let metrics = Arc::new(Metrics::new());
        let cors = corsair::Cors::builder()
            .allowed_origins(["https://app.example"])
            .urls_regex("^/api/")
            .observer({
                let metrics = Arc::clone(&metrics);
                move |seen: &Observation<'_>| metrics.observe(seen)
            })
            .build()
            .unwrap();
        let ask = |method: &str, path: &str, headers: &[(&str, &str)]| {
            let mut map = http::HeaderMap::new();
            for (name, value) in headers {
                map.append(
                    http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    value.parse().unwrap(),
                );
            }
            let _ = cors.evaluate(&method.parse().unwrap(), &path.parse().unwrap(), &map);
        };
        ask("GET", "/api/x", &[("origin", "https://app.example")]);
        ask("GET", "/api/x", &[("origin", "https://evil.example")]);
        ask("GET", "/api/x", &[("origin", "https://evil.example")]);
        ask("GET", "/api/x", &[]);
        ask("GET", "/static/x", &[("origin", "https://evil.example")]);
        ask(
            "OPTIONS",
            "/api/x",
            &[
                ("origin", "https://app.example"),
                ("access-control-request-method", "TRACE"),
            ],
        );
        let text = metrics.encode().unwrap();
        let table = [
            (r#"kind="actual",outcome="allowed",reason="""#, 1.0),
            (
                r#"kind="actual",outcome="refused",reason="origin_not_allowed""#,
                2.0,
            ),
            (r#"kind="actual",outcome="not_cors",reason="""#, 1.0),
            (r#"kind="bypass",outcome="not_cors",reason="""#, 1.0),
            (
                r#"kind="preflight",outcome="refused",reason="method_not_allowed""#,
                1.0,
            ),
            (r#"kind="preflight",outcome="allowed",reason="""#, 0.0),
        ];
        for (labels, value) in table {
            let series = format!("corsair_requests_total{{{labels}}}");
            assert_eq!(sample(&text, &series), Some(value), "{series} in\n{text}");
        }
        assert!(!text.contains("example"), "no origin in a label:\n{text}");

        // Explaining a refusal is not another request.
        let mut headers = http::HeaderMap::new();
        headers.insert("origin", "https://app.example".parse().unwrap());
        headers.insert("access-control-request-method", "TRACE".parse().unwrap());
        let explained = cors.explain_preflight(&"/api/x".parse().unwrap(), &headers);
        assert!(explained.is_some());
        let series = r#"corsair_requests_total{kind="preflight",outcome="refused",reason="method_not_allowed"}"#;
        assert_eq!(sample(&metrics.encode().unwrap(), series), Some(1.0));
        assert!(!text.contains("/api"), "no path in a label:\n{text}");
    }

    #[test]
    fn without_a_reader_requests_are_neither_counted_nor_timed() {
        let metrics = Arc::new(Metrics::new());
        metrics.without_reader();
        let cors = corsair::Cors::builder()
            .allowed_origins(["https://app.example"])
            .observer({
                let metrics = Arc::clone(&metrics);
                move |seen: &Observation<'_>| metrics.observe(seen)
            })
            .build()
            .unwrap();
        let mut headers = http::HeaderMap::new();
        headers.insert("origin", "https://app.example".parse().unwrap());
        let _ = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers);
        metrics.request_answered(RequestKind::Actual, Duration::from_micros(300));
        metrics.reload(ReloadResult::Ok);
        let text = metrics.encode().unwrap();
        let table = [
            (
                r#"corsair_requests_total{kind="actual",outcome="allowed",reason=""}"#,
                0.0,
            ),
            (
                r#"corsair_request_duration_seconds_count{kind="actual"}"#,
                0.0,
            ),
            // What is not per request is still counted.
            (r#"corsair_policy_reloads_total{result="ok"}"#, 1.0),
        ];
        for (series, value) in table {
            assert_eq!(sample(&text, series), Some(value), "{series} in\n{text}");
        }
    }

    #[test]
    fn the_other_metrics_are_exposed_with_their_series() {
        let metrics = Metrics::new();
        metrics.request_answered(RequestKind::Preflight, Duration::from_micros(300));
        metrics.upstream_error(UpstreamError::Timeout);
        metrics.reload(ReloadResult::Refused);
        metrics.set_policy_origins(3);
        metrics.edge_answer(http::StatusCode::BAD_REQUEST);
        let text = metrics.encode().unwrap();
        let table = [
            (
                r#"corsair_request_duration_seconds_bucket{kind="preflight",le="0.00025"}"#,
                0.0,
            ),
            (
                r#"corsair_request_duration_seconds_bucket{kind="preflight",le="0.0005"}"#,
                1.0,
            ),
            (
                r#"corsair_request_duration_seconds_count{kind="preflight"}"#,
                1.0,
            ),
            (
                r#"corsair_request_duration_seconds_count{kind="actual"}"#,
                0.0,
            ),
            (r#"corsair_upstream_errors_total{kind="timeout"}"#, 1.0),
            (r#"corsair_upstream_errors_total{kind="connect"}"#, 0.0),
            (r#"corsair_policy_reloads_total{result="refused"}"#, 1.0),
            (r#"corsair_policy_reloads_total{result="ok"}"#, 0.0),
            ("corsair_policy_origins", 3.0),
            (r#"corsair_edge_answers_total{status="400"}"#, 1.0),
            (
                r#"corsair_report_only_differences_total{reason="allowed"}"#,
                0.0,
            ),
        ];
        for (series, value) in table {
            assert_eq!(sample(&text, series), Some(value), "{series} in\n{text}");
        }
        assert!(
            text.contains("# TYPE corsair_requests_total counter"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE corsair_request_duration_seconds histogram"),
            "{text}"
        );
    }
}
