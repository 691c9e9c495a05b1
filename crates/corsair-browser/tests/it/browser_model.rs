//! The browser model end to end, against scripted servers: what is sent, in which order, and
//! what Chromium concludes (messages as headless Chromium 156 printed them for the same
//! server behaviour).

use corsair_browser::{
    Body, BrowserRequest, Credentials, ExchangeKind, Failure, Fetch, Outcome, Progress, Verdict,
};
use http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode};

const PAGE: &str = "http://localhost:18302";
const API: &str = "http://127.0.0.1:18301";

type Answer = (u16, Vec<(&'static str, String)>);

/// Drives a fetch against `server`, which answers each request by method and path.
fn run(request: BrowserRequest, server: impl Fn(&Request<()>) -> Answer) -> Verdict {
    let mut progress = Fetch::start(request);
    for _ in 0..100 {
        match progress {
            Progress::Done(verdict) => return verdict,
            Progress::Send(fetch) => {
                let (status, pairs) = server(fetch.request());
                let mut headers = HeaderMap::new();
                for (name, value) in pairs {
                    headers.append(
                        HeaderName::from_static(name),
                        HeaderValue::from_str(&value).unwrap(),
                    );
                }
                progress = fetch.receive(StatusCode::from_u16(status).unwrap(), &headers);
            }
        }
    }
    panic!("the fetch did not finish");
}

fn get(path: &str) -> BrowserRequest {
    BrowserRequest::builder(PAGE, format!("{API}{path}"))
        .build()
        .unwrap()
}

fn blocked_by(verdict: &Verdict) -> String {
    verdict.message().unwrap_or("(allowed)").to_owned()
}

const HEAD: &str = "from origin 'http://localhost:18302' has been blocked by CORS policy: ";

#[test]
fn a_redirect_to_another_origin_taints_the_origin() {
    let verdict = run(get("/taint"), |req| match req.uri().path() {
        "/taint" => (
            302,
            vec![
                ("location", "http://localhost:18301/echo".into()),
                ("access-control-allow-origin", "*".into()),
            ],
        ),
        _ => {
            assert_eq!(req.headers()["origin"], "null");
            (200, vec![("access-control-allow-origin", PAGE.into())])
        }
    });
    assert_eq!(
        blocked_by(&verdict),
        format!(
            "Access to fetch at 'http://localhost:18301/echo' (redirected from '{API}/taint') {HEAD}The 'Access-Control-Allow-Origin' header has a value '{PAGE}' that is not equal to the supplied origin. Have the server send the header with a valid value."
        )
    );
    assert!(
        verdict
            .warnings
            .iter()
            .any(|w| w.id == "cross-origin-redirect")
    );
}

#[test]
fn a_tainted_request_passes_with_null_or_wildcard() {
    for allow in ["null", "*"] {
        let verdict = run(get("/taint"), |req| match req.uri().path() {
            "/taint" => (
                302,
                vec![
                    ("location", "http://localhost:18301/echo".into()),
                    ("access-control-allow-origin", "*".into()),
                ],
            ),
            _ => (200, vec![("access-control-allow-origin", allow.into())]),
        });
        assert!(verdict.is_allowed(), "{allow}: {:?}", verdict.message());
    }
}

#[test]
fn a_redirect_without_allow_origin_fails_at_the_redirect() {
    let verdict = run(get("/redir"), |_| {
        (302, vec![("location", "http://localhost:18301/t".into())])
    });
    assert_eq!(
        blocked_by(&verdict),
        format!(
            "Access to fetch at '{API}/redir' {HEAD}No 'Access-Control-Allow-Origin' header is present on the requested resource."
        )
    );
    assert_eq!(verdict.exchanges.len(), 1);
}

#[test]
fn a_preflighted_request_is_preflighted_again_after_a_redirect() {
    let request = BrowserRequest::builder(PAGE, format!("{API}/putredir"))
        .method("put")
        .build()
        .unwrap();
    let verdict = run(request, |req| {
        match (req.method().as_str(), req.uri().path()) {
            ("OPTIONS", "/putredir") => (
                204,
                vec![
                    ("access-control-allow-origin", "*".into()),
                    ("access-control-allow-methods", "PUT".into()),
                ],
            ),
            ("PUT", "/putredir") => (
                307,
                vec![
                    ("location", "http://localhost:18301/echo".into()),
                    ("access-control-allow-origin", "*".into()),
                ],
            ),
            (_, "/echo") => (
                204,
                vec![
                    ("access-control-allow-origin", PAGE.into()),
                    ("access-control-allow-methods", "PUT".into()),
                ],
            ),
            other => panic!("unexpected {other:?}"),
        }
    });
    let kinds: Vec<(ExchangeKind, &str)> = verdict
        .exchanges
        .iter()
        .map(|e| (e.kind, e.method.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ExchangeKind::Preflight, "OPTIONS"),
            (ExchangeKind::Main, "PUT"),
            (ExchangeKind::Preflight, "OPTIONS"),
        ]
    );
    assert_eq!(
        blocked_by(&verdict),
        format!(
            "Access to fetch at 'http://localhost:18301/echo' (redirected from '{API}/putredir') {HEAD}Response to preflight request doesn't pass access control check: The 'Access-Control-Allow-Origin' header has a value '{PAGE}' that is not equal to the supplied origin. Have the server send the header with a valid value."
        )
    );
}

#[test]
fn twenty_redirects_are_followed_and_the_twenty_first_fails() {
    let verdict = run(get("/loop"), |_| {
        (
            302,
            vec![
                ("location", "/loop".into()),
                ("access-control-allow-origin", "*".into()),
            ],
        )
    });
    assert_eq!(verdict.failure(), Some(&Failure::TooManyRedirects));
    assert_eq!(verdict.exchanges.len(), 21);
    assert_eq!(
        blocked_by(&verdict),
        "Failed to load resource: net::ERR_TOO_MANY_REDIRECTS"
    );
}

/// Chromium refuses its unsafe ports (`net::ERR_UNSAFE_PORT`) before sending anything, at the
/// first URL and at every redirect; a default port is never one.
#[test]
fn unsafe_ports_are_refused_before_anything_is_sent() {
    for url in [
        "http://127.0.0.1:22/x",
        "https://api.example:6667/",
        "http://[::1]:0/",
    ] {
        let request = BrowserRequest::builder(PAGE, url)
            .method("PUT")
            .build()
            .unwrap();
        let verdict = run(request, |req| {
            panic!("nothing is sent, yet {} was", req.uri())
        });
        assert!(verdict.exchanges.is_empty(), "{url}");
        assert!(
            matches!(verdict.failure(), Some(Failure::UnsafePort { .. })),
            "{url}"
        );
        assert_eq!(
            blocked_by(&verdict),
            "Failed to load resource: net::ERR_UNSAFE_PORT"
        );
    }
    let verdict = run(get("/to-smtp"), |req| match req.uri().path() {
        "/to-smtp" => (
            302,
            vec![
                ("location", "http://127.0.0.1:25/mail".into()),
                ("access-control-allow-origin", "*".into()),
            ],
        ),
        _ => panic!("the redirect to port 25 is not followed"),
    });
    assert_eq!(verdict.failure(), Some(&Failure::UnsafePort { port: 25 }));
    assert_eq!(verdict.exchanges.len(), 1);
    let Outcome::Blocked(blocked) = &verdict.outcome else {
        unreachable!()
    };
    let advice = &blocked.advice[0].summary;
    assert!(advice.contains("never connects to port 25"), "{advice}");
    for url in [
        "http://127.0.0.1:80/",
        "https://api.example/",
        "http://127.0.0.1:8080/",
    ] {
        let request = BrowserRequest::builder(PAGE, url).build().unwrap();
        let verdict = run(request, |_| {
            (200, vec![("access-control-allow-origin", "*".into())])
        });
        assert!(verdict.is_allowed(), "{url}");
    }
}

#[test]
fn userinfo_in_a_redirect_location_is_refused() {
    let verdict = run(get("/userinfo"), |_| {
        (
            302,
            vec![
                ("location", "http://u:p@127.0.0.1:18301/t".into()),
                ("access-control-allow-origin", "*".into()),
            ],
        )
    });
    assert_eq!(
        blocked_by(&verdict),
        format!(
            "Access to fetch at '{API}/userinfo' {HEAD}Redirect location '' contains a username and password, which is disallowed for cross-origin requests."
        )
    );
}

#[test]
fn a_redirect_to_another_scheme_names_the_refused_location() {
    let verdict = run(get("/toftp"), |_| {
        (
            302,
            vec![
                ("location", "ftp://127.0.0.1/x".into()),
                ("access-control-allow-origin", "*".into()),
            ],
        )
    });
    assert_eq!(
        blocked_by(&verdict),
        format!(
            "Access to fetch at 'ftp://127.0.0.1/x' (redirected from '{API}/toftp') {HEAD}Cross origin requests are only supported for protocol schemes: chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app."
        )
    );
}

#[test]
fn an_unparseable_location_is_a_network_error() {
    let verdict = run(get("/tobad"), |_| {
        (
            302,
            vec![
                ("location", "http://[".into()),
                ("access-control-allow-origin", "*".into()),
            ],
        )
    });
    assert_eq!(
        blocked_by(&verdict),
        "Failed to load resource: net::ERR_INVALID_REDIRECT"
    );
}

#[test]
fn put_becomes_get_on_303() {
    let request = BrowserRequest::builder(PAGE, format!("{API}/see"))
        .method("PUT")
        .build()
        .unwrap();
    let verdict = run(request, |req| {
        let mut h = vec![
            ("access-control-allow-origin", "*".to_owned()),
            ("access-control-allow-methods", "PUT".to_owned()),
        ];
        match (req.method().as_str(), req.uri().path()) {
            ("PUT", "/see") => {
                h.push(("location", "/echo2".into()));
                (303, h)
            }
            ("OPTIONS", _) => (204, h),
            (method, _) => {
                assert_eq!(method, "GET");
                (200, h)
            }
        }
    });
    assert!(verdict.is_allowed(), "{:?}", verdict.message());
    // The GET after the 303 is simple: only the first hop was preflighted.
    let methods: Vec<&str> = verdict
        .exchanges
        .iter()
        .map(|e| e.method.as_str())
        .collect();
    assert_eq!(methods, ["OPTIONS", "PUT", "GET"]);
}

#[test]
fn post_becomes_get_on_302_and_drops_body_headers() {
    let request = BrowserRequest::builder(PAGE, format!("{API}/form"))
        .method("POST")
        .body(Body::Text)
        .build()
        .unwrap();
    let verdict = run(request, |req| match req.uri().path() {
        "/form" => {
            assert_eq!(req.headers()["content-type"], "text/plain;charset=UTF-8");
            (
                302,
                vec![
                    ("location", "/done".into()),
                    ("access-control-allow-origin", "*".into()),
                ],
            )
        }
        _ => {
            assert_eq!(req.method(), "GET");
            assert!(req.headers().get("content-type").is_none());
            (200, vec![("access-control-allow-origin", "*".into())])
        }
    });
    assert!(verdict.is_allowed());
    assert!(!verdict.preflighted);
}

#[test]
fn put_keeps_its_method_on_307_and_301() {
    for status in [301, 307, 308] {
        let request = BrowserRequest::builder(PAGE, format!("{API}/a"))
            .method("PUT")
            .build()
            .unwrap();
        let verdict = run(request, |req| {
            let mut h = vec![
                ("access-control-allow-origin", "*".to_owned()),
                ("access-control-allow-methods", "PUT".to_owned()),
            ];
            if req.method() == "PUT" && req.uri().path() == "/a" {
                h.push(("location", "/b".into()));
                return (status, h);
            }
            if req.method() != "OPTIONS" {
                assert_eq!(req.method(), "PUT", "after {status}");
            }
            (200, h)
        });
        assert!(verdict.is_allowed(), "{status}: {:?}", verdict.message());
    }
}

#[test]
fn authorization_is_removed_on_a_cross_origin_hop() {
    let request = BrowserRequest::builder(PAGE, format!("{API}/a"))
        .header("Authorization", "Bearer t")
        .build()
        .unwrap();
    let verdict = run(request, |req| {
        let allow = vec![
            ("access-control-allow-origin", "*".to_owned()),
            ("access-control-allow-headers", "authorization".to_owned()),
        ];
        match (req.method().as_str(), req.uri().host()) {
            ("GET", Some("127.0.0.1")) => {
                let mut h = allow;
                h.push(("location", "http://localhost:18301/b".into()));
                (302, h)
            }
            ("GET", _) => {
                assert!(req.headers().get("authorization").is_none());
                (200, allow)
            }
            _ => (204, allow),
        }
    });
    assert!(verdict.is_allowed(), "{:?}", verdict.message());
    // Without Authorization the second hop is a simple request: one preflight only.
    let preflights = verdict
        .exchanges
        .iter()
        .filter(|e| e.kind == ExchangeKind::Preflight)
        .count();
    assert_eq!(preflights, 1);
}

#[test]
fn same_origin_requests_are_not_checked_until_they_leave_the_origin() {
    let same = BrowserRequest::builder(PAGE, format!("{PAGE}/api"))
        .method("DELETE")
        .header("X-Token", "1")
        .build()
        .unwrap();
    let verdict = run(same, |req| {
        assert_ne!(req.method(), "OPTIONS");
        (204, vec![])
    });
    assert!(verdict.is_allowed());
    assert!(!verdict.preflighted);

    // Same-origin first hop, then cross-origin: checked, origin not tainted.
    let verdict = run(get_from_page("/login"), |req| match req.uri().host() {
        Some("localhost") => (302, vec![("location", format!("{API}/sso"))]),
        _ => {
            assert_eq!(req.headers()["origin"], PAGE);
            (200, vec![])
        }
    });
    assert_eq!(
        blocked_by(&verdict),
        format!(
            "Access to fetch at '{API}/sso' (redirected from '{PAGE}/login') {HEAD}No 'Access-Control-Allow-Origin' header is present on the requested resource."
        )
    );
}

fn get_from_page(path: &str) -> BrowserRequest {
    BrowserRequest::builder(PAGE, format!("{PAGE}{path}"))
        .build()
        .unwrap()
}

#[test]
fn credentials_need_the_exact_origin_and_true() {
    let request = || {
        BrowserRequest::builder(PAGE, format!("{API}/me"))
            .credentials(Credentials::Include)
            .build()
            .unwrap()
    };
    let ok = run(request(), |_| {
        (
            200,
            vec![
                ("access-control-allow-origin", PAGE.into()),
                ("access-control-allow-credentials", "true".into()),
                ("set-cookie", "sid=1; Path=/".into()),
            ],
        )
    });
    assert!(ok.is_allowed());
    let ids: Vec<&str> = ok.warnings.iter().map(|w| w.id).collect();
    assert_eq!(ids, ["third-party-cookies", "cross-site-cookie-dropped"]);

    let wildcard = run(request(), |_| {
        (200, vec![("access-control-allow-origin", "*".into())])
    });
    assert_eq!(
        blocked_by(&wildcard),
        format!(
            "Access to fetch at '{API}/me' {HEAD}The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
        )
    );
}

#[test]
fn an_error_response_without_cors_headers_is_a_cors_failure() {
    let verdict = run(get("/boom"), |_| (500, vec![]));
    assert_eq!(
        verdict.failure(),
        Some(&Failure::MissingAllowOrigin { preflight: false })
    );
    let Some(blocked) = (match &verdict.outcome {
        corsair_browser::Outcome::Blocked(b) => Some(b),
        _ => None,
    }) else {
        unreachable!()
    };
    assert!(blocked.advice.iter().any(|a| a.summary.contains("500")));
    // With the headers, a 500 is readable.
    let readable = run(get("/boom"), |_| {
        (500, vec![("access-control-allow-origin", "*".into())])
    });
    assert!(readable.is_allowed());
}

#[test]
fn the_preflight_announces_sorted_lowercase_headers_without_credentials() {
    let request = BrowserRequest::builder(PAGE, format!("{API}/x?q=1#frag"))
        .method("patch")
        .header("X-Zeta", "1")
        .header("Authorization", "Bearer t")
        .header("Content-Type", "application/json")
        .header("Cookie", "dropped=1")
        .credentials(Credentials::Include)
        .build()
        .unwrap();
    let Progress::Send(fetch) = Fetch::start(request) else {
        unreachable!()
    };
    let preflight = fetch.request();
    assert_eq!(preflight.method(), "OPTIONS");
    assert_eq!(preflight.uri(), "http://127.0.0.1:18301/x?q=1");
    let h = preflight.headers();
    assert_eq!(h["access-control-request-method"], "patch");
    assert_eq!(
        h["access-control-request-headers"],
        "authorization,content-type,x-zeta"
    );
    assert_eq!(h["origin"], PAGE);
    assert_eq!(h["host"], "127.0.0.1:18301");
    assert!(h.get("cookie").is_none() && h.get("authorization").is_none());
}

#[test]
fn headers_disallowed_lists_every_missing_one_in_the_advice() {
    let request = BrowserRequest::builder(PAGE, format!("{API}/hdr"))
        .header("x-c", "1")
        .header("x-b", "2")
        .header("x-a", "3")
        .build()
        .unwrap();
    let verdict = run(request, |_| {
        (
            204,
            vec![
                ("access-control-allow-origin", "*".into()),
                ("access-control-allow-headers", "x-a".into()),
            ],
        )
    });
    assert_eq!(
        verdict.failure(),
        Some(&Failure::HeaderDisallowed { name: "x-c".into() })
    );
    let corsair_browser::Outcome::Blocked(blocked) = &verdict.outcome else {
        unreachable!()
    };
    let fixes: Vec<_> = blocked
        .advice
        .iter()
        .filter_map(|a| a.fix.clone())
        .collect();
    assert_eq!(
        fixes,
        [corsair_browser::Fix::AllowHeaders {
            names: vec!["x-b".into(), "x-c".into()]
        }]
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Header values a careless or hostile server might send.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(PAGE.to_owned()),
            Just("*".to_owned()),
            Just("null".to_owned()),
            Just("true".to_owned()),
            "[ -~]{0,24}",
        ]
    }

    proptest! {
        /// Whatever the server answers, the model finishes without panicking, and it only
        /// allows a response whose Allow-Origin is the page's origin, or `*` without
        /// credentials.
        #[test]
        fn only_a_matching_allow_origin_is_allowed(
            method in prop_oneof![Just("GET"), Just("PUT"), Just("patch")],
            credentials in any::<bool>(),
            status in 100u16..600,
            allow_origin in proptest::option::of(value()),
            allow_credentials in proptest::option::of(value()),
            allow_methods in proptest::option::of(value()),
            allow_headers in proptest::option::of(value()),
            location in proptest::option::of(value()),
        ) {
            let request = BrowserRequest::builder(PAGE, format!("{API}/p"))
                .method(method)
                .header("X-Token", "1")
                .credentials(if credentials { Credentials::Include } else { Credentials::Omit })
                .build()
                .unwrap();
            let mut pairs: Vec<(&'static str, String)> = Vec::new();
            let fields = [
                ("access-control-allow-origin", &allow_origin),
                ("access-control-allow-credentials", &allow_credentials),
                ("access-control-allow-methods", &allow_methods),
                ("access-control-allow-headers", &allow_headers),
                ("location", &location),
            ];
            for (name, v) in fields {
                if let Some(v) = v {
                    pairs.push((name, v.trim().to_owned()));
                }
            }
            let verdict = run(request, |_| (status, pairs.clone()));
            if verdict.is_allowed() {
                let acao = allow_origin.as_deref().map(str::trim);
                prop_assert!(acao == Some(PAGE) || (acao == Some("*") && !credentials));
                if credentials {
                    prop_assert_eq!(allow_credentials.as_deref().map(str::trim), Some("true"));
                }
            } else {
                prop_assert!(verdict.message().is_some());
            }
        }
    }
}
