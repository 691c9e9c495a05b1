use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const PAGE: &str = "https://app.example";
const API: &str = "https://api.example/items";

/// An entry: method, URL, request headers, recorded status and `_resourceType`.
fn entry(method: &str, url: &str, headers: &[(&str, &str)], status: i64, kind: &str) -> Value {
    let mut entry = json!({
        "pageref": "page_1",
        "request": {
            "method": method,
            "url": url,
            "headers": headers.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
        },
        "response": {"status": status, "headers": []},
    });
    if !kind.is_empty() {
        entry["_resourceType"] = json!(kind);
    }
    entry
}

fn har(entries: Vec<Value>, pages: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "pages": pages, "entries": entries}
    }))
    .unwrap()
}

fn read_all(entries: Vec<Value>) -> Recording {
    read(&har(entries, json!([])), &ReadOptions::new()).expect("a HAR")
}

/// Which entries become requests, and with which initiator.
#[test]
fn only_cross_origin_script_requests_are_kept() {
    let origin = ("Origin", PAGE);
    let table: [(&str, Value, Option<Initiator>); 13] = [
        (
            "fetch",
            entry("GET", API, &[origin], 200, "fetch"),
            Some(Initiator::Fetch),
        ),
        (
            "xhr",
            entry("GET", API, &[origin], 200, "xhr"),
            Some(Initiator::XmlHttpRequest),
        ),
        (
            "Playwright's case",
            entry("GET", API, &[origin], 200, "Fetch"),
            Some(Initiator::Fetch),
        ),
        ("navigation", entry("GET", API, &[], 200, "document"), None),
        ("image", entry("GET", API, &[], 200, "image"), None),
        (
            "same-origin fetch",
            entry("GET", "https://app.example/api", &[origin], 200, "fetch"),
            None,
        ),
        (
            "not http",
            entry("GET", "blob:https://app.example/1", &[origin], 200, "fetch"),
            None,
        ),
        (
            "Firefox fetch (fetch metadata)",
            entry(
                "GET",
                API,
                &[
                    origin,
                    ("Sec-Fetch-Mode", "cors"),
                    ("Sec-Fetch-Dest", "empty"),
                ],
                200,
                "",
            ),
            Some(Initiator::Fetch),
        ),
        (
            "Firefox XHR",
            entry(
                "GET",
                API,
                &[
                    origin,
                    ("Sec-Fetch-Dest", "empty"),
                    ("X-Requested-With", "XMLHttpRequest"),
                ],
                200,
                "",
            ),
            Some(Initiator::XmlHttpRequest),
        ),
        (
            "Firefox navigation",
            entry(
                "GET",
                API,
                &[
                    ("Sec-Fetch-Mode", "navigate"),
                    ("Sec-Fetch-Dest", "document"),
                ],
                200,
                "",
            ),
            None,
        ),
        (
            "Firefox script tag",
            entry("GET", API, &[("Sec-Fetch-Dest", "script")], 200, ""),
            None,
        ),
        (
            "no metadata, Origin",
            entry("PUT", API, &[origin], 200, ""),
            Some(Initiator::Fetch),
        ),
        (
            "no metadata, a form",
            entry("POST", API, &[origin, ("Accept", "text/html,*/*")], 200, ""),
            None,
        ),
    ];
    for (name, entry, expected) in table {
        let recording = read_all(vec![entry]);
        let got = recording.requests.first().map(|r| r.initiator);
        assert_eq!(got, expected, "{name}");
    }
}

/// The page's origin: Origin, then the preflight's Origin, then Referer, then the page, then
/// the given origin.
#[test]
fn the_page_origin_comes_from_the_strongest_source() {
    let options = |given: Option<&str>| match given {
        Some(o) => ReadOptions::new().origin(o),
        None => ReadOptions::new(),
    };
    let pages = |title: &str| json!([{"id": "page_1", "title": title}]);
    let document = entry("GET", "https://doc.example/start", &[], 200, "document");
    /// A case: its name, the entries (the last one is judged), the pages, the given origin, and
    /// the origin expected with its source.
    type Case<'a> = (
        &'a str,
        Vec<Value>,
        Value,
        Option<&'a str>,
        Option<(&'a str, OriginSource)>,
    );
    let table: [Case<'_>; 8] = [
        (
            "Origin header",
            vec![entry(
                "GET",
                API,
                &[("Origin", PAGE), ("Referer", "https://other.example/")],
                200,
                "fetch",
            )],
            pages("https://page.example/"),
            None,
            Some((PAGE, OriginSource::OriginHeader)),
        ),
        (
            "preflight",
            vec![
                entry(
                    "OPTIONS",
                    API,
                    &[("Origin", PAGE), ("Access-Control-Request-Method", "PUT")],
                    204,
                    "preflight",
                ),
                entry(
                    "PUT",
                    API,
                    &[("Referer", "https://other.example/")],
                    0,
                    "fetch",
                ),
            ],
            json!([]),
            None,
            Some((PAGE, OriginSource::Preflight)),
        ),
        (
            "Referer (a page URL with path and query)",
            vec![entry(
                "GET",
                API,
                &[("Referer", "https://app.example:8443/a/b?c#d")],
                -1,
                "fetch",
            )],
            pages("https://page.example/"),
            None,
            Some(("https://app.example:8443", OriginSource::Referer)),
        ),
        (
            "page title (DevTools)",
            vec![entry("GET", API, &[], 0, "fetch")],
            pages("https://page.example/app"),
            Some("https://given.example"),
            Some(("https://page.example", OriginSource::Page)),
        ),
        (
            "page document (Playwright's titles are not URLs)",
            vec![document.clone(), entry("GET", API, &[], -1, "fetch")],
            pages("My app"),
            None,
            Some(("https://doc.example", OriginSource::Page)),
        ),
        (
            "given",
            vec![entry("GET", API, &[("Referer", "")], -1, "fetch")],
            json!([]),
            Some("https://given.example/"),
            Some(("https://given.example", OriginSource::Given)),
        ),
        (
            "an Origin that is not an origin is not trusted",
            vec![entry(
                "GET",
                API,
                &[
                    ("Origin", "https://app.example/x"),
                    ("Referer", "https://r.example/"),
                ],
                200,
                "fetch",
            )],
            json!([]),
            None,
            Some(("https://r.example", OriginSource::Referer)),
        ),
        (
            "nothing",
            vec![entry("GET", API, &[], -1, "fetch")],
            json!([]),
            None,
            None,
        ),
    ];
    for (name, entries, pages, given, expected) in table {
        let recording = read(&har(entries, pages), &options(given)).unwrap();
        let request = recording
            .requests
            .last()
            .unwrap_or_else(|| panic!("{name}: no request"));
        let got = request
            .page_origin
            .as_ref()
            .map(|p| (p.origin.as_str(), p.source));
        assert_eq!(got, expected, "{name}");
    }
}

/// A preflight entry is folded into the request with its URL and method, before or after it;
/// one that matches nothing is noted and left out.
#[test]
fn preflights_are_folded_into_their_request() {
    let preflight = |method: &str, url: &str| {
        entry(
            "OPTIONS",
            url,
            &[("Origin", PAGE), ("Access-Control-Request-Method", method)],
            204,
            "preflight",
        )
    };
    let put = entry("PUT", API, &[("Origin", PAGE)], 200, "fetch");
    let recording = read_all(vec![
        preflight("PUT", API),
        put.clone(),
        put.clone(),
        preflight("PUT", API),
        preflight("DELETE", API),
        entry(
            "DELETE",
            "https://api.example/other",
            &[("Origin", PAGE)],
            200,
            "fetch",
        ),
    ]);
    let folded: Vec<(usize, Option<usize>)> = recording
        .requests
        .iter()
        .map(|r| (r.entry, r.preflight.map(|p| p.entry)))
        .collect();
    assert_eq!(folded, [(1, Some(0)), (2, Some(3)), (5, None)]);
    assert_eq!(recording.requests[0].preflight.unwrap().status, Some(204));
    assert_eq!(recording.notes.len(), 1, "{:?}", recording.notes);
    assert!(recording.notes[0].starts_with("log.entries[4] is a preflight"));
    // Firefox's preflights have no resource type: OPTIONS with Access-Control-Request-Method.
    let mut firefox = preflight("PUT", API);
    firefox.as_object_mut().unwrap().remove("_resourceType");
    let recording = read_all(vec![firefox, put]);
    assert_eq!(recording.requests.len(), 1);
    assert_eq!(recording.requests[0].preflight.map(|p| p.entry), Some(0));
}

/// A redirect's later hops are judged with the request that started it; a same-origin request
/// that a redirect takes to another origin is kept.
#[test]
fn redirect_hops_belong_to_the_request_that_started_them() {
    let redirect = |url: &str, to: &str| {
        let mut e = entry(
            "GET",
            url,
            &[("Referer", "https://app.example/")],
            302,
            "fetch",
        );
        e["response"]["redirectURL"] = json!(to);
        e
    };
    let recording = read_all(vec![
        redirect("https://app.example/login", "https://sso.example/authorize"),
        entry(
            "GET",
            "https://sso.example/authorize",
            &[("Origin", PAGE)],
            200,
            "fetch",
        ),
        redirect(API, "/v2/items"),
        entry(
            "GET",
            "https://api.example/v2/items",
            &[("Origin", "null")],
            200,
            "fetch",
        ),
        entry(
            "GET",
            "https://api.example/v2/items",
            &[("Origin", PAGE)],
            200,
            "fetch",
        ),
    ]);
    let urls: Vec<&str> = recording.requests.iter().map(|r| r.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://app.example/login",
            API,
            "https://api.example/v2/items"
        ]
    );
    assert_eq!(
        recording.requests[2].entry, 4,
        "only the first matching entry is a hop"
    );
    assert_eq!(recording.notes.len(), 2, "{:?}", recording.notes);
}

/// The credentials mode judged from a recorded request.
#[test]
fn credentials_are_judged_from_cookies_and_http_authentication() {
    let table = [
        (
            vec![],
            None,
            Credentials::SameOrigin,
            CredentialsReason::Default,
        ),
        (
            vec![("Cookie", "session=1")],
            None,
            Credentials::Include,
            CredentialsReason::Cookie,
        ),
        (
            vec![],
            Some(json!([{"name": "session", "value": "1"}])),
            Credentials::Include,
            CredentialsReason::Cookie,
        ),
        (
            vec![("Cookie", "")],
            None,
            Credentials::SameOrigin,
            CredentialsReason::Default,
        ),
        (
            vec![("Authorization", "Basic dTpw")],
            None,
            Credentials::Include,
            CredentialsReason::HttpAuthentication,
        ),
        (
            vec![("authorization", "NTLM abc")],
            None,
            Credentials::Include,
            CredentialsReason::HttpAuthentication,
        ),
        // A token the script set says nothing about the credentials mode.
        (
            vec![("Authorization", "Bearer t")],
            None,
            Credentials::SameOrigin,
            CredentialsReason::Default,
        ),
    ];
    for (headers, cookies, mode, reason) in table {
        let mut headers = headers;
        headers.push(("Origin", PAGE));
        let mut e = entry("GET", API, &headers, 200, "fetch");
        if let Some(cookies) = cookies.clone() {
            e["request"]["cookies"] = cookies;
        }
        let request = read_all(vec![e]).requests.remove(0);
        assert_eq!(
            request.credentials,
            CredentialsGuess { mode, reason },
            "{headers:?} {cookies:?}"
        );
        assert!(
            request
                .assumptions()
                .iter()
                .any(|a| a.starts_with("credentials"))
        );
    }
}

/// The headers the script set: the browser's own left out, the script's kept as recorded.
#[test]
fn only_the_scripts_headers_are_replayed() {
    let recorded = [
        (":authority", "api.example"),
        ("Host", "api.example"),
        ("Origin", PAGE),
        ("Referer", "https://app.example/"),
        ("Cookie", "a=1"),
        ("User-Agent", "Mozilla/5.0"),
        ("sec-ch-ua", "\"Chromium\""),
        ("Sec-Fetch-Mode", "cors"),
        ("Accept-Encoding", "gzip"),
        ("Connection", "keep-alive"),
        ("Content-Length", "7"),
        ("Priority", "u=1, i"),
        ("Pragma", "no-cache"),
        ("Cache-Control", "no-cache"),
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("X-Token", "abc"),
        ("Authorization", "Bearer t"),
        // Firefox appends the headers it finds at the start of an upload's body.
        ("Content-Type", "application/json"),
        ("{\"name\"", "\"lamp\"}"),
    ];
    let request = read_all(vec![entry("PUT", API, &recorded, 200, "fetch")])
        .requests
        .remove(0);
    let names: Vec<&str> = request.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["accept", "content-type", "x-token", "authorization"]
    );
    assert!(request.cache_headers_dropped);
    assert!(!request.provisional);
    let built = request.browser_request(Credentials::SameOrigin).unwrap();
    assert!(
        built.dropped_headers().is_empty(),
        "nothing forbidden is replayed"
    );
    assert_eq!(
        built.unsafe_header_names(),
        ["authorization", "content-type", "x-token"]
    );
}

/// The body kind follows the recorded Content-Type, for methods that may have one.
#[test]
fn the_body_kind_follows_the_recorded_type() {
    let table: [(&str, Option<&str>, Option<&str>, Body); 7] = [
        ("GET", Some("text/plain"), Some("text/plain"), Body::None),
        ("POST", None, None, Body::None),
        ("POST", Some("text/plain;charset=UTF-8"), None, Body::Text),
        (
            "POST",
            Some("application/x-www-form-urlencoded"),
            None,
            Body::UrlSearchParams,
        ),
        (
            "PUT",
            Some("application/json"),
            Some("application/json"),
            Body::Blob(Some("application/json".into())),
        ),
        (
            "POST",
            Some("multipart/form-data; boundary=----x"),
            None,
            Body::FormData,
        ),
        ("DELETE", None, Some(""), Body::Blob(None)),
    ];
    for (method, content_type, posted, body) in table {
        let mut headers = vec![("Origin", PAGE)];
        if let Some(ct) = content_type {
            headers.push(("Content-Type", ct));
        }
        let mut e = entry(method, API, &headers, 200, "fetch");
        if let Some(mime) = posted {
            e["request"]["postData"] = json!({"mimeType": mime, "text": "x"});
        }
        let request = read_all(vec![e]).requests.remove(0);
        assert_eq!(request.body, body, "{method} {content_type:?}");
        let built = request.browser_request(Credentials::SameOrigin).unwrap();
        if body == Body::FormData {
            // The model's boundary, not the recorded one.
            assert!(built.headers()[0].1.contains(crate::FORM_DATA_BOUNDARY));
        }
    }
}

/// Blocked requests keep only provisional headers: what is recorded says so.
#[test]
fn provisional_headers_and_failures_are_recognised() {
    let mut blocked = entry(
        "GET",
        API,
        &[("Referer", "https://app.example/"), ("X-Token", "abc")],
        -1,
        "fetch",
    );
    blocked["response"]["_failureText"] = json!("net::ERR_FAILED");
    let mut devtools = entry(
        "GET",
        API,
        &[("Referer", "https://app.example/")],
        0,
        "fetch",
    );
    devtools["response"]["_error"] = json!("net::ERR_FAILED");
    let ok = entry("GET", API, &[("Origin", PAGE)], 200, "fetch");
    let recording = read_all(vec![blocked, devtools, ok]);
    let seen: Vec<(bool, RecordedOutcome)> = recording
        .requests
        .iter()
        .map(|r| (r.provisional, r.outcome.clone()))
        .collect();
    let failed = RecordedOutcome::Failed {
        error: Some("net::ERR_FAILED".into()),
    };
    assert_eq!(
        seen,
        [
            (true, failed.clone()),
            (true, failed),
            (false, RecordedOutcome::Response { status: 200 })
        ]
    );
    assert!(recording.requests[0].assumptions()[0].starts_with("only provisional headers"));
    assert_eq!(
        recording.requests[0].headers,
        [("x-token".to_owned(), "abc".to_owned())]
    );
}

/// Files that cannot be read get an error that says what is wrong and where.
#[test]
fn unreadable_files_say_why() {
    let valid = har(
        vec![entry("GET", API, &[("Origin", PAGE)], 200, "fetch")],
        json!([]),
    );
    let table: [(&str, Vec<u8>, ReadOptions, &str); 9] = [
        ("too large", valid.clone(), ReadOptions::new().max_bytes(10), "more than the limit of 10 bytes"),
        ("not UTF-8", b"{\"log\": \xff}".to_vec(), ReadOptions::new(), "not UTF-8 text (invalid byte at offset 8)"),
        ("not JSON", b"<html>".to_vec(), ReadOptions::new(), "not a HAR file: expected value at line 1 column 1"),
        ("no log", b"{\"entries\": []}".to_vec(), ReadOptions::new(), "missing field `log`"),
        ("no entries", b"{\"log\": {\"pages\": []}}".to_vec(), ReadOptions::new(), "missing field `entries`"),
        (
            "an entry without a request",
            b"{\"log\": {\"entries\": [\n  {\"response\": {}}]}}".to_vec(),
            ReadOptions::new(),
            "log.entries[0] is not a HAR entry: missing field `request` at line 2 column",
        ),
        (
            "a field of the wrong type",
            b"{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"https://a.example/\"}},\n{\"request\": {\"method\": \"GET\",\n \"url\": 7}}]}}".to_vec(),
            ReadOptions::new(),
            "log.entries[1] is not a HAR entry: invalid type: integer `7`, expected a string at line 3 column 9",
        ),
        (
            // Deeply nested unknown fields are skipped without recursion.
            "deeply nested",
            format!("{{\"log\": {{\"entries\": [{{\"x\": {}{}}}]}}}}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            ReadOptions::new(),
            "log.entries[0] is not a HAR entry: missing field `request`",
        ),
        ("a bad fallback origin", valid.clone(), ReadOptions::new().origin("app.example"), "`app.example` is not an origin"),
    ];
    for (name, file, options, expected) in table {
        let error = read(&file, &options).expect_err(name).to_string();
        assert!(error.contains(expected), "{name}: {error}");
    }
    // A byte-order mark is allowed.
    let mut with_bom = b"\xef\xbb\xbf".to_vec();
    with_bom.extend_from_slice(&valid);
    assert_eq!(
        read(&with_bom, &ReadOptions::new()).unwrap().requests.len(),
        1
    );
}

proptest! {
    /// The origin taken from a Referer is the scheme, host and port of the page's URL, as
    /// browsers serialize it (lowercase host, no default port), whatever the path.
    #[test]
    fn the_origin_of_a_referer_is_its_scheme_host_and_port(
        https in any::<bool>(),
        host in "[a-zA-Z][a-zA-Z0-9-]{0,10}(\\.[a-zA-Z][a-zA-Z0-9]{0,5}){0,2}",
        port in proptest::option::of(1u16..),
        path in "(/[a-zA-Z0-9._~%!$&'()*+,;=:@-]{0,8}){0,3}(\\?[a-z=&]{0,6})?",
    ) {
        let scheme = if https { "https" } else { "http" };
        let authority = match port {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let referer = format!("{scheme}://{authority}{path}");
        let default_port = if https { 443 } else { 80 };
        let expected = match port {
            Some(port) if port != default_port => format!("{scheme}://{}:{port}", host.to_ascii_lowercase()),
            _ => format!("{scheme}://{}", host.to_ascii_lowercase()),
        };
        let recording = read_all(vec![entry("GET", "https://api.other/x", &[("Referer", &referer)], -1, "fetch")]);
        let page = recording.requests[0].page_origin.clone().unwrap();
        prop_assert_eq!(page.origin, expected);
        prop_assert_eq!(page.source, OriginSource::Referer);
    }

    /// No input makes the reader panic, and what it returns is consistent with the file.
    #[test]
    fn arbitrary_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = read(&bytes, &ReadOptions::new());
    }

    /// Arbitrary strings in every field the reader looks at never make it panic, and every
    /// request it keeps is one of the file's entries.
    #[test]
    fn arbitrary_fields_never_panic(
        method in ".{0,8}",
        url in "(https?://[a-z.]{1,8}(:[0-9]{1,6})?)?.{0,12}",
        names in proptest::collection::vec(".{0,10}", 0..6),
        values in proptest::collection::vec(".{0,16}", 0..6),
        status in -2i64..700,
        kind in "(fetch|xhr|preflight|document|)",
        redirect in ".{0,12}",
    ) {
        let headers: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(values.iter().map(String::as_str)).collect();
        let mut e = entry(&method, &url, &headers, status, &kind);
        e["response"]["redirectURL"] = json!(redirect);
        let entries = vec![e.clone(), e];
        if let Ok(recording) = read(&har(entries, json!([{"id": "page_1", "title": url}])), &ReadOptions::new()) {
            prop_assert!(recording.requests.iter().all(|r| r.entry < 2));
            for request in &recording.requests {
                let _ = request.browser_request(request.credentials.mode);
                let _ = request.assumptions();
            }
        }
    }
}
