//! `corsair lint` (the engine's validation) and `corsair check` (this browser model) read the
//! Fetch standard's tables from one place: for every entry of every table, both say the same
//! thing about it.

use corsair::fetch::cors_safelisted_method::CORS_SAFELISTED_METHODS;
use corsair::fetch::cors_safelisted_response_header_name::CORS_SAFELISTED_RESPONSE_HEADER_NAMES;
use corsair::fetch::forbidden_method::FORBIDDEN_METHODS;
use corsair::fetch::forbidden_request_header::{
    FORBIDDEN_PREFIXES, FORBIDDEN_REQUEST_HEADER_NAMES,
};
use corsair::fetch::max_age::{MAX_AGE_CAPS, capping_engines};
use corsair::{Cors, CorsBuilder, Finding};
use corsair_browser::{BrowserRequest, Fetch, Progress, RequestError, readable_headers};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

const PAGE: &str = "https://app.example";
const API: &str = "https://api.example/items";

/// Every finding of a policy, whether it builds or not.
fn findings(builder: CorsBuilder) -> Vec<Finding> {
    match builder.build() {
        Ok(cors) => cors.warnings().to_vec(),
        Err(error) => error.into_findings(),
    }
}

fn lint_ids(builder: CorsBuilder) -> Vec<&'static str> {
    findings(builder).iter().map(|f| f.id).collect()
}

fn policy() -> CorsBuilder {
    Cors::builder().allowed_origins([PAGE])
}

#[test]
fn forbidden_request_headers() {
    let prefixed: Vec<String> = FORBIDDEN_PREFIXES
        .iter()
        .map(|prefix| format!("{prefix}example"))
        .collect();
    let names = FORBIDDEN_REQUEST_HEADER_NAMES
        .iter()
        .map(|n| n.to_string())
        .chain(prefixed);
    for name in names {
        let lint = lint_ids(policy().allow_headers([name.as_str()]));
        assert_eq!(lint, ["forbidden-request-header"], "lint about {name}");
        let request = BrowserRequest::builder(PAGE, API)
            .method("PUT")
            .header(name.as_str(), "x")
            .build()
            .unwrap();
        assert_eq!(
            request.dropped_headers(),
            [name.as_str()],
            "check about {name}"
        );
    }
    // And a header that is not in the table: allowed by lint, sent by check.
    assert!(lint_ids(policy().allow_headers(["x-api-key"])).is_empty());
    let request = BrowserRequest::builder(PAGE, API)
        .header("x-api-key", "k")
        .build()
        .unwrap();
    assert!(request.dropped_headers().is_empty());
}

#[test]
fn cors_safelisted_response_header_names() {
    for name in CORS_SAFELISTED_RESPONSE_HEADER_NAMES {
        let lint = lint_ids(policy().expose_headers([name]));
        assert_eq!(lint, ["safelisted-response-header"], "lint about {name}");
        let mut response = HeaderMap::new();
        response.insert(HeaderName::from_static(name), HeaderValue::from_static("1"));
        let (readable, _) = readable_headers(&response, false);
        assert_eq!(readable, [name], "check about {name}");
    }
    let mut response = HeaderMap::new();
    response.insert("x-request-id", HeaderValue::from_static("1"));
    assert!(readable_headers(&response, false).0.is_empty());
    assert!(lint_ids(policy().expose_headers(["x-request-id"])).is_empty());
}

#[test]
fn forbidden_methods() {
    for method in FORBIDDEN_METHODS {
        for written in [method.to_owned(), method.to_ascii_lowercase()] {
            let lint = lint_ids(policy().allow_methods([written.as_str()]));
            assert_eq!(lint, ["forbidden-method"], "lint about {written}");
            let built = BrowserRequest::builder(PAGE, API)
                .method(written.as_str())
                .build();
            assert!(
                matches!(built, Err(RequestError::ForbiddenMethod(_))),
                "check about {written}: {built:?}"
            );
        }
    }
}

#[test]
fn cors_safelisted_methods() {
    // A policy that lists no method: a safelisted one still passes its preflight (lint's
    // engine) and needs none (check's browser); any other method is refused and preflighted.
    let cors = policy().allow_methods(["DELETE"]).build().unwrap();
    for method in CORS_SAFELISTED_METHODS
        .iter()
        .copied()
        .chain(["PUT", "PATCH"])
    {
        let safelisted = CORS_SAFELISTED_METHODS.contains(&method);
        let mut headers = HeaderMap::new();
        headers.insert("origin", HeaderValue::from_static(PAGE));
        headers.insert(
            "access-control-request-method",
            HeaderValue::from_str(method).unwrap(),
        );
        let refused = cors.explain_preflight(&"/items".parse().unwrap(), &headers);
        assert_eq!(refused.is_none(), safelisted, "engine about {method}");
        let request = BrowserRequest::builder(PAGE, API)
            .method(method)
            .build()
            .unwrap();
        assert_eq!(
            !request.needs_preflight(),
            safelisted,
            "check about {method}"
        );
    }
}

/// The engines `corsair check`'s warning names for an answered `Access-Control-Max-Age`.
fn check_capping(seconds: u64) -> Vec<String> {
    let request = BrowserRequest::builder(PAGE, API)
        .method("PUT")
        .build()
        .unwrap();
    let Progress::Send(preflight) = Fetch::start(request) else {
        panic!("a PUT is preflighted")
    };
    let mut answer = HeaderMap::new();
    for (name, value) in [
        ("access-control-allow-origin", PAGE.to_owned()),
        ("access-control-allow-methods", "PUT".to_owned()),
        ("access-control-max-age", seconds.to_string()),
    ] {
        answer.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value).unwrap(),
        );
    }
    let Progress::Send(actual) = preflight.receive(StatusCode::NO_CONTENT, &answer) else {
        panic!("the preflight passes")
    };
    let mut response = HeaderMap::new();
    response.insert(
        "access-control-allow-origin",
        HeaderValue::from_static(PAGE),
    );
    let Progress::Done(verdict) = actual.receive(StatusCode::OK, &response) else {
        panic!("no redirect")
    };
    engines_named(
        verdict
            .warnings
            .iter()
            .filter(|w| w.id == "max-age-above-browser-cap")
            .map(|w| w.message.as_str()),
    )
}

fn engines_named<'a>(messages: impl Iterator<Item = &'a str>) -> Vec<String> {
    let text: String = messages.collect();
    MAX_AGE_CAPS
        .iter()
        .filter(|(engine, cap)| text.contains(&format!("{engine} {cap} s")))
        .map(|(engine, _)| (*engine).to_owned())
        .collect()
}

#[test]
fn max_age_caps() {
    for (_, cap) in MAX_AGE_CAPS {
        for seconds in [cap - 1, cap, cap + 1] {
            let expected: Vec<String> = capping_engines(seconds)
                .map(|(engine, _)| engine.to_owned())
                .collect();
            assert_eq!(check_capping(seconds), expected, "check about {seconds}");
            let lint = findings(policy().preflight_max_age(seconds));
            match lint.first().map(|f| f.id) {
                // Lint speaks up once Chromium, the dominant engine, cuts the value short.
                Some("max-age-above-browser-cap") => {
                    assert!(expected.contains(&"Chromium".to_owned()), "{seconds}");
                    let named = engines_named(lint.iter().map(|f| f.message.as_str()));
                    assert_eq!(named, expected, "lint about {seconds}");
                }
                Some("max-age-too-large") => {
                    assert_eq!(expected.len(), MAX_AGE_CAPS.len(), "{seconds}");
                }
                // The default mirrors django-cors-headers and is not warned about.
                None => assert!(
                    !expected.contains(&"Chromium".to_owned())
                        || seconds == corsair::DEFAULT_PREFLIGHT_MAX_AGE,
                    "{seconds}"
                ),
                Some(other) => panic!("unexpected finding {other} for {seconds}"),
            }
        }
    }
}
