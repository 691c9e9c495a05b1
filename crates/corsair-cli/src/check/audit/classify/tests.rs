//! Each finding's classifier against answers of the kind real servers give: a table of
//! servers (what they answer to an origin), each with the findings it must produce.

use corsair_browser::{BrowserRequest, Credentials, Fetch, Progress};
use http::HeaderMap;

use super::*;
use crate::check::audit::probes::{Base, probes};

const TRUSTED: &str = "https://app.example.com";
const URL: &str = "https://api.example.com/items";

/// A server: its answer (headers) to a request from `origin`, preflight or not.
type Server = fn(origin: &str, preflight: bool, method: &str) -> Vec<(&'static str, String)>;

/// A server of the table, with the findings it must produce.
type Row = (
    &'static str,
    Server,
    &'static [(&'static str, &'static str)],
);

/// What the audit records for a step against `server`.
fn step(server: Server, origin: &str, kind: StepKind) -> StepResult {
    let mut sent: Vec<Sent> = Vec::new();
    let mut verdicts = Vec::new();
    let mut preflight_passed = false;
    for credentials in [Credentials::Include, Credentials::Omit] {
        let mut builder = BrowserRequest::builder(origin, URL).credentials(credentials);
        builder = match kind {
            StepKind::Preflighted => builder.header("Content-Type", "application/json"),
            StepKind::AnyMethod => builder.method(ANY_METHOD),
            StepKind::AnyHeader => builder.header(ANY_HEADER, "1"),
            _ => builder,
        };
        let mut progress = Fetch::start(builder.build().unwrap());
        let verdict = loop {
            match progress {
                Progress::Done(verdict) => break Some(verdict),
                Progress::Send(fetch) => {
                    let preflight = fetch.is_preflight();
                    if matches!(kind, StepKind::AnyMethod | StepKind::AnyHeader) && !preflight {
                        preflight_passed = true;
                        break None;
                    }
                    let method = fetch.request().method().to_string();
                    let mut headers = HeaderMap::new();
                    for (name, value) in server(origin, preflight, &method) {
                        headers.append(name, value.parse().unwrap());
                    }
                    sent.push(Sent {
                        preflight,
                        method,
                        url: URL.to_owned(),
                        request_headers: vec![("origin".to_owned(), origin.to_owned())],
                        status: 200,
                        response_headers: headers.clone(),
                    });
                    progress = fetch.receive(http::StatusCode::OK, &headers);
                }
            }
        };
        verdicts.push(verdict);
    }
    let omit = verdicts.pop().flatten();
    let include = verdicts.pop().flatten();
    StepResult {
        origin: origin.to_owned(),
        kind,
        sent,
        include,
        omit,
        preflight_passed,
        error: None,
    }
}

/// The ids an audit of `server` finds, with their severities.
fn audit(server: Server) -> Vec<(&'static str, &'static str)> {
    let trusted = [Base::parse(TRUSTED).unwrap()];
    let probes = probes(&trusted, &Base::parse(URL).unwrap());
    let mut results = Vec::new();
    for probe in &probes {
        for kind in [StepKind::Simple, StepKind::Preflighted] {
            results.push(step(server, &probe.origin, kind));
        }
    }
    for kind in [StepKind::AnyMethod, StepKind::AnyHeader] {
        results.push(step(server, TRUSTED, kind));
    }
    classify(&[TRUSTED.to_owned()], &probes, &results)
        .iter()
        .map(|f| (f.kind.id(), f.severity.as_str()))
        .collect()
}

/// Allows `origin` with credentials, and on a preflight what was asked for when `reflect`.
fn allow(origin: &str, preflight: bool) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("access-control-allow-origin", origin.to_owned()),
        ("access-control-allow-credentials", "true".to_owned()),
        ("vary", "Origin".to_owned()),
    ];
    if preflight {
        headers.push(("access-control-allow-methods", "GET, POST".to_owned()));
        headers.push(("access-control-allow-headers", "content-type".to_owned()));
    }
    headers
}

fn deny() -> Vec<(&'static str, String)> {
    vec![("vary", "Origin".to_owned())]
}

fn only_if(allowed: bool, origin: &str, preflight: bool) -> Vec<(&'static str, String)> {
    if allowed {
        allow(origin, preflight)
    } else {
        deny()
    }
}

#[test]
fn each_planted_misconfiguration_is_found_with_its_id() {
    let table: [Row; 12] = [
        ("exact list", |o, p, _| only_if(o == TRUSTED, o, p), &[]),
        (
            "echoes every origin",
            |o, p, _| allow(o, p),
            &[("reflects-any-origin", "high"), ("trusts-null", "high")],
        ),
        (
            "null",
            |o, p, _| only_if(o == TRUSTED || o == "null", o, p),
            &[("trusts-null", "high")],
        ),
        (
            "startswith",
            |o, p, _| only_if(o.starts_with(TRUSTED), o, p),
            &[("prefix-match", "high")],
        ),
        (
            "endswith",
            |o, p, _| only_if(o.ends_with("example.com"), o, p),
            // `http://app.example.com` and `https://appxexample.com` end with it too.
            &[
                ("suffix-match", "high"),
                ("unescaped-dot", "high"),
                ("trusts-http-origin", "high"),
                ("any-subdomain", "low"),
            ],
        ),
        (
            "unescaped dot",
            |o, p, _| only_if(o == TRUSTED || o == "https://appxexample.com", o, p),
            &[("unescaped-dot", "high")],
        ),
        (
            "underscore",
            |o, p, _| {
                only_if(
                    o == TRUSTED || o.starts_with("https://app.example.com_"),
                    o,
                    p,
                )
            },
            &[("special-characters", "high")],
        ),
        (
            "http twin",
            |o, p, _| {
                only_if(
                    o.trim_start_matches("http://")
                        .trim_start_matches("https://")
                        == "app.example.com",
                    o,
                    p,
                )
            },
            &[("trusts-http-origin", "high")],
        ),
        (
            "reflects without credentials",
            |o, _, _| {
                vec![
                    ("access-control-allow-origin", o.to_owned()),
                    ("vary", "Origin".to_owned()),
                ]
            },
            &[("reflects-any-origin", "medium"), ("trusts-null", "medium")],
        ),
        (
            "wildcard with credentials",
            |_, _, _| {
                vec![
                    ("access-control-allow-origin", "*".to_owned()),
                    ("access-control-allow-credentials", "true".to_owned()),
                ]
            },
            &[("wildcard-with-credentials", "low")],
        ),
        (
            "no Vary",
            |o, _, _| {
                if o == TRUSTED {
                    vec![
                        ("access-control-allow-origin", o.to_owned()),
                        ("access-control-allow-credentials", "true".to_owned()),
                    ]
                } else {
                    Vec::new()
                }
            },
            &[("missing-vary", "medium")],
        ),
        (
            "preflight mirrors the method and headers",
            |o, p, _| {
                let mut headers = only_if(o == TRUSTED, o, false);
                if p && o == TRUSTED {
                    headers.push(("access-control-allow-methods", ANY_METHOD.to_owned()));
                    headers.push((
                        "access-control-allow-headers",
                        format!("{ANY_HEADER}, content-type"),
                    ));
                }
                headers
            },
            &[
                ("preflight-allows-any-method", "low"),
                ("preflight-allows-any-header", "low"),
            ],
        ),
    ];
    for (name, server, expected) in table {
        let mut found = audit(server);
        found.sort();
        let mut expected = expected.to_vec();
        expected.sort();
        assert_eq!(found, expected, "{name}");
    }
}

#[test]
fn a_trailing_dot_alone_is_no_finding() {
    let found = audit(|o, p, _| only_if(o == TRUSTED || o == "https://app.example.com.", o, p));
    assert_eq!(found, []);
}

#[test]
fn a_subdomain_without_credentials_is_no_finding() {
    let found = audit(|o, _, _| {
        if o.ends_with(".app.example.com") || o == TRUSTED {
            vec![
                ("access-control-allow-origin", o.to_owned()),
                ("vary", "Origin".to_owned()),
            ]
        } else {
            deny()
        }
    });
    assert_eq!(found, []);
}

#[test]
fn the_evidence_shows_the_request_and_the_answer_and_hides_cookies() {
    let result = step(
        |o, p, _| allow(o, p),
        "https://corsair-audit.evil.test",
        StepKind::Simple,
    );
    let mut sent = result.sent.clone();
    sent[0]
        .request_headers
        .push(("cookie".to_owned(), "session=secret".to_owned()));
    let lines = evidence(&sent, 1);
    assert_eq!(
        lines,
        [
            "> GET https://api.example.com/items",
            "> origin: https://corsair-audit.evil.test",
            "> cookie: session=[redacted]",
            "< 200",
            "< access-control-allow-origin: https://corsair-audit.evil.test",
            "< access-control-allow-credentials: true",
            "< vary: Origin",
        ]
    );
}
