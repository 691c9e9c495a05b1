//! The differential check of the fast path against the general path: the same client bytes
//! are read by the fast path's head reader and upstream writer, and by hyper's server with the
//! general path's edge rules and edits; every request the fast path takes must reach the
//! upstream as the general path would send it (method, target, header lines after the edits,
//! body), and the general path must not refuse or stop before it. Run by the cargo-fuzz target
//! `fast_path` and by a property test.

use std::net::{IpAddr, Ipv4Addr};

use bytes::Bytes;
use http::header::HOST;
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;

use super::super::forward::Route;
use super::super::{cookies, edge, forwarded, hop_by_hop};
use super::header_slots;
use super::request_head::{self, Parsed};
use super::upstream_head::{self, ClientAddress, Edits};
use crate::settings::Upstream;

/// A request as the upstream receives it: method, target, header lines (lower-case names,
/// ordered by name, each name's values in their order), body.
type Forwarded = (String, String, Vec<(String, Vec<u8>)>, Vec<u8>);

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));

/// The server's `max_request_headers` in this check: the general path's hyper reads at most
/// this many header lines, and the fast path gets as many slots (as the connection gives it,
/// `fast.rs`). Below the fast path's 128 stack slots, so that heads between the two are tried.
const MAX_REQUEST_HEADERS: usize = 100;

/// Checks `input` (the client's bytes; its first byte chooses whether the client's `Host` is
/// kept and whether the upstream has a path prefix); returns how many requests the fast path
/// took and both paths forwarded alike.
///
/// # Panics
///
/// When the fast path forwards a request otherwise than the general path would.
pub(crate) fn check(input: &[u8]) -> usize {
    let Some((&choice, bytes)) = input.split_first() else {
        return 0;
    };
    let upstream = if choice & 2 == 0 {
        "http://127.0.0.1:8000"
    } else {
        "http://backend.internal/base/"
    };
    let route = Route {
        upstream: Upstream::parse(upstream).expect("a valid upstream"),
        preserve_host: choice & 1 == 0,
    };
    let fast = through_the_fast_path(bytes, &route);
    if fast.is_empty() {
        return 0;
    }
    let general = through_the_general_path(bytes, &route);
    for (index, request) in fast.iter().enumerate() {
        assert_eq!(
            general.get(index),
            Some(request),
            "request {index} of {:?}: the fast path forwards it, the general path {}",
            String::from_utf8_lossy(bytes),
            if general.len() <= index {
                "does not"
            } else {
                "forwards another"
            }
        );
    }
    fast.len()
}

/// The requests the fast path forwards, until it hands the connection over or the bytes end.
fn through_the_fast_path(mut bytes: &[u8], route: &Route) -> Vec<Forwarded> {
    let mut forwarded = Vec::new();
    let mut hosts = request_head::HostCheck::default();
    loop {
        // The head's end is where the fast path's one pass finds it (the connection reads the
        // same way, with a scan only for heads that come in pieces).
        let mut slots = header_slots::<MAX_REQUEST_HEADERS>();
        let Parsed::Take(head) = request_head::read(bytes, &mut slots, &mut hosts) else {
            return forwarded;
        };
        let end = head.length;
        let Ok(length) = usize::try_from(head.body_length) else {
            return forwarded;
        };
        let Some(body) = bytes.get(end..end + length) else {
            return forwarded;
        };
        let mut out = Vec::new();
        upstream_head::write(
            &mut out,
            &head,
            &Edits {
                route,
                client: &ClientAddress::new(CLIENT),
                client_scheme: "http",
            },
        );
        forwarded.push(read_back(&out, body));
        if head.close {
            return forwarded;
        }
        bytes = &bytes[end + length..];
    }
}

/// The fast path's upstream head, read back with `httparse`.
fn read_back(head: &[u8], body: &[u8]) -> Forwarded {
    let mut slots = [httparse::EMPTY_HEADER; 160];
    let mut request = httparse::Request::new(&mut slots);
    let complete = request.parse(head);
    assert!(
        matches!(complete, Ok(httparse::Status::Complete(n)) if n == head.len()),
        "the fast path writes a whole head: {:?}",
        String::from_utf8_lossy(head)
    );
    let mut lines: Vec<(String, Vec<u8>)> = request
        .headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    (
        request.method.unwrap_or_default().to_owned(),
        request.path.unwrap_or_default().to_owned(),
        lines,
        body.to_vec(),
    )
}

/// The requests the general path forwards: hyper reads the bytes, the edge refuses what it
/// refuses, and the forwarder's edits are made.
fn through_the_general_path(bytes: &[u8], route: &Route) -> Vec<Forwarded> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let (sender, mut received) = tokio::sync::mpsc::unbounded_channel();
        let route = route.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let sender = sender.clone();
            let route = route.clone();
            async move {
                if edge::check(&request).is_ok() {
                    let (parts, body) = request.into_parts();
                    if let Ok(body) = body.collect().await {
                        let _ = sender.send(edited(parts, body.to_bytes(), &route));
                    }
                }
                Ok::<_, std::convert::Infallible>(Response::new(Empty::<Bytes>::new()))
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .max_headers(MAX_REQUEST_HEADERS)
            .serve_connection(TokioIo::new(server), service)
            .with_upgrades();
        let serving = tokio::spawn(connection);
        let _ = client.write_all(bytes).await;
        // Paused time moves on only when every task waits: hyper has read all it can.
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        serving.abort();
        let mut forwarded = Vec::new();
        while let Ok(request) = received.try_recv() {
            forwarded.push(request);
        }
        forwarded
    })
}

/// The forwarder's edits of a request head (`forward.rs`), as the upstream would get it.
fn edited(mut parts: http::request::Parts, body: Bytes, route: &Route) -> Forwarded {
    let host = parts.headers.get(HOST).cloned();
    hop_by_hop::remove(&mut parts.headers);
    cookies::join(&mut parts.headers);
    forwarded::add(&mut parts.headers, CLIENT, "http", host.as_ref());
    forwarded::add_via(&mut parts.headers, parts.version);
    let host = match host.filter(|_| route.preserve_host) {
        Some(host) => host,
        // hyper's client writes the upstream's authority.
        None => HeaderValue::from_str(upstream_host(route)).expect("a valid authority"),
    };
    parts.headers.insert(HOST, host);
    let target = route
        .upstream
        .target(parts.uri.path_and_query())
        .expect("a target the general path forwards");
    let mut lines = lines(&parts.headers);
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    (
        parts.method.to_string(),
        target
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned(),
        lines,
        body.to_vec(),
    )
}

fn lines(headers: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect()
}

fn upstream_host(route: &Route) -> &str {
    let authority = &route.upstream.authority;
    match authority.port_u16() {
        Some(80) | None => authority.host(),
        Some(_) => authority.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn requests_the_fast_path_takes_match_the_general_paths() {
        let table: [&[u8]; 8] = [
            // Found by the property below: empty Cookie lines are joined into an empty one.
            b"\x00GET / HTTP/1.1\r\nHost: api.example\r\nCookie:\r\nOrigin:close\r\nCookie:\r\n\r\n",
            b"\x00GET / HTTP/1.1\r\nHost: api.example\r\nCookie: a\r\nCookie:\r\n\r\nGET / HTTP/1.0\r\n\r\n",
            b"\x00GET /a?b HTTP/1.1\r\nHost: api.example\r\nOrigin: https://app.example\r\n\r\n",
            b"\x01POST /p HTTP/1.1\r\nHost: api.example\r\nCookie: a=1\r\nCookie: b=2\r\nX-Forwarded-For: 1.2.3.4\r\nVia: 1.0 x\r\nContent-Length: 2\r\n\r\nhiGET / HTTP/1.1\r\nHost: y\r\n\r\n",
            b"\x02GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Forwarded-Host: evil\r\n\r\n",
            b"\x03GET / HTTP/1.1\nHost: a\n\n",
            b"\x00GET /%2e%2e/x HTTP/1.1\r\nHost: a\r\n\r\n",
            b"\x00GET / HTTP/1.1\r\nHost: a\r\nCookie: \r\n\r\n",
        ];
        for input in table {
            check(input);
        }
    }

    /// Found by the fuzz target in a ten-minute run: a head of 101 header lines was taken by
    /// the check's fast path (128 slots, no line limit), which hyper (100 lines) refused. The
    /// server gives the fast path `max_request_headers` slots; the check does the same.
    #[test]
    fn a_head_with_more_lines_than_the_limit_goes_to_the_general_path() {
        let head = |lines: usize| {
            let mut input = b"\x00GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
            for line in 1..lines {
                input.extend_from_slice(format!("X-Line-{line}: {line}\r\n").as_bytes());
            }
            input.extend_from_slice(b"\r\n");
            input
        };
        assert_eq!(check(&head(MAX_REQUEST_HEADERS)), 1);
        assert_eq!(check(&head(MAX_REQUEST_HEADERS + 1)), 0);
        // The fuzz target's input, as it was found (minimized).
        let found = include_bytes!("differential/101-header-lines.bin");
        check(found);
    }

    /// The property below is not vacuous: about a fifth of the generated inputs hold a request
    /// the fast path takes, some 400 of its 2,000 cases (the rest try what it must leave to the
    /// general path).
    #[test]
    fn most_generated_inputs_are_taken_by_the_fast_path() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = requests();
        let taken = (0..200)
            .filter(|_| check(&strategy.new_tree(&mut runner).unwrap().current()) > 0)
            .count();
        assert!(taken >= 30, "only {taken} of 200 inputs were taken");
    }

    /// HTTP/1.1-shaped bytes: request lines, header lines and bodies made of the pieces that
    /// parsers disagree about.
    fn requests() -> impl Strategy<Value = Vec<u8>> {
        // Weighted towards requests the fast path takes, each with a few of the pieces that
        // make parsers disagree.
        let method = prop_oneof![
            6 => Just("GET"),
            3 => Just("POST"),
            1 => Just("PUT"),
            1 => Just("OPTIONS"),
            1 => Just("get"),
            1 => Just("HEAD"),
        ];
        let segment = prop_oneof![
            8 => "/[a-z]{0,3}",
            1 => Just("/%2e".to_owned()),
            1 => Just("/..".to_owned()),
            1 => Just("/;x".to_owned()),
            1 => "\\?q=[a-z%]{0,3}",
            1 => Just("#f".to_owned()),
        ];
        let target = proptest::collection::vec(segment, 1..4).prop_map(|segments| {
            let target = segments.concat();
            if target.starts_with('/') {
                target
            } else {
                format!("/{target}")
            }
        });
        let version =
            prop_oneof![8 => Just("HTTP/1.1"), 1 => Just("HTTP/1.0"), 1 => Just("HTTP/1.1 ")];
        let name = prop_oneof![
            1 => Just("Host".to_owned()),
            2 => Just("Content-Length".to_owned()),
            1 => Just("Transfer-Encoding".to_owned()),
            2 => Just("Connection".to_owned()),
            3 => Just("Cookie".to_owned()),
            2 => Just("X-Forwarded-For".to_owned()),
            1 => Just("X-Forwarded-Host".to_owned()),
            2 => Just("Via".to_owned()),
            2 => Just("Origin".to_owned()),
            1 => Just("host ".to_owned()),
            6 => "[A-Za-z-]{1,6}",
        ];
        let value = prop_oneof![
            2 => "[0-9]{1,2}",
            2 => Just("close".to_owned()),
            1 => Just("keep-alive".to_owned()),
            6 => "[ \\ta-z0-9.:,;=-]{0,8}",
        ];
        let line_end =
            prop_oneof![24 => Just("\r\n"), 3 => Just("\n"), 1 => Just("\r\n "), 1 => Just("\r")];
        let header = (name, value, line_end.clone()).prop_map(|(n, v, e)| format!("{n}:{v}{e}"));
        // Most requests have a valid `Host`, so that the fast path takes many of them.
        let host = prop_oneof![4 => Just("Host: api.example\r\n"), 1 => Just("")];
        let request = (
            method,
            target,
            version,
            host,
            proptest::collection::vec(header, 0..4),
            line_end,
            "[a-z]{0,4}",
        )
            .prop_map(|(m, t, v, host, headers, end, body)| {
                format!("{m} {t} {v}\r\n{host}{}{end}{body}", headers.concat()).into_bytes()
            });
        (any::<u8>(), proptest::collection::vec(request, 1..3)).prop_map(|(choice, requests)| {
            let mut bytes = vec![choice];
            for request in requests {
                bytes.extend(request);
            }
            bytes
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn the_fast_path_forwards_what_the_general_path_forwards(input in requests()) {
            check(&input);
        }
    }
}
