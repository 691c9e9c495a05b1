//! Tests of `check`.

use super::*;
use proptest::prelude::*;

const ORIGIN: &str = "https://app.example";

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (n, v) in pairs {
        map.append(
            http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    map
}

fn context(include_credentials: bool) -> Context<'static> {
    Context {
        origin: ORIGIN,
        include_credentials,
    }
}

#[test]
fn access_check_table() {
    use Failure::*;
    let s = String::from;
    const ACAO: &str = "access-control-allow-origin";
    const ACAC: &str = "access-control-allow-credentials";
    type Row = (
        &'static [(&'static str, &'static str)],
        bool,
        Result<(), Failure>,
    );
    let table: Vec<Row> = vec![
        (&[], false, Err(MissingAllowOrigin { preflight: false })),
        (&[(ACAO, "*")], false, Ok(())),
        (&[(ACAO, "*"), (ACAC, "true")], false, Ok(())),
        (
            &[(ACAO, "*"), (ACAC, "true")],
            true,
            Err(WildcardOriginNotAllowed { preflight: false }),
        ),
        (&[(ACAO, ORIGIN)], false, Ok(())),
        (&[(ACAO, ORIGIN), (ACAC, "true")], true, Ok(())),
        (
            &[(ACAO, ORIGIN)],
            true,
            Err(InvalidAllowCredentials {
                preflight: false,
                value: s(""),
            }),
        ),
        (
            &[(ACAO, ORIGIN), (ACAC, "True")],
            true,
            Err(InvalidAllowCredentials {
                preflight: false,
                value: s("True"),
            }),
        ),
        (
            &[(ACAO, ORIGIN), (ACAC, "true"), (ACAC, "true")],
            true,
            Err(InvalidAllowCredentials {
                preflight: false,
                value: s("true, true"),
            }),
        ),
        (
            &[(ACAO, ORIGIN), (ACAO, ORIGIN)],
            false,
            Err(MultipleAllowOriginValues {
                preflight: false,
                value: format!("{ORIGIN}, {ORIGIN}"),
            }),
        ),
        (
            &[(ACAO, "*"), (ACAO, "*")],
            false,
            Err(MultipleAllowOriginValues {
                preflight: false,
                value: s("*, *"),
            }),
        ),
        (
            &[(ACAO, "https://a.example https://app.example")],
            false,
            Err(MultipleAllowOriginValues {
                preflight: false,
                value: s("https://a.example https://app.example"),
            }),
        ),
        (
            &[(ACAO, "null")],
            false,
            Err(AllowOriginMismatch {
                preflight: false,
                value: s("null"),
            }),
        ),
        (
            &[(ACAO, "https://app.example/")],
            false,
            Err(AllowOriginMismatch {
                preflight: false,
                value: s("https://app.example/"),
            }),
        ),
        (
            &[(ACAO, "HTTPS://APP.EXAMPLE")],
            false,
            Err(AllowOriginMismatch {
                preflight: false,
                value: s("HTTPS://APP.EXAMPLE"),
            }),
        ),
        (
            &[(ACAO, "https://app.example:443")],
            false,
            Err(AllowOriginMismatch {
                preflight: false,
                value: s("https://app.example:443"),
            }),
        ),
        (
            &[(ACAO, "http://[")],
            false,
            Err(InvalidAllowOriginValue {
                preflight: false,
                value: s("http://["),
            }),
        ),
        (
            &[(ACAO, "")],
            false,
            Err(InvalidAllowOriginValue {
                preflight: false,
                value: s(""),
            }),
        ),
        (
            &[(ACAO, "app.example")],
            false,
            Err(InvalidAllowOriginValue {
                preflight: false,
                value: s("app.example"),
            }),
        ),
    ];
    for (pairs, include, expected) in table {
        let mut log = Vec::new();
        let got = check_access(&headers(pairs), context(include), false, &mut log);
        assert_eq!(got, expected, "{pairs:?} include={include}");
        assert_eq!(
            log.iter().all(|c| c.passed),
            expected.is_ok(),
            "transcript of {pairs:?}"
        );
    }
}

#[test]
fn a_tainted_request_matches_null_only() {
    let tainted = Context {
        origin: "null",
        include_credentials: false,
    };
    let mut log = Vec::new();
    let ok = headers(&[("access-control-allow-origin", "null")]);
    assert_eq!(check_access(&ok, tainted, false, &mut log), Ok(()));
    let echo = headers(&[("access-control-allow-origin", ORIGIN)]);
    assert!(matches!(
        check_access(&echo, tainted, false, &mut log),
        Err(Failure::AllowOriginMismatch { .. })
    ));
}

fn preflight(
    status: u16,
    pairs: &[(&str, &str)],
    include: bool,
    method: &str,
    unsafe_headers: &[&str],
) -> Result<PreflightGrant, Failure> {
    let mut all = vec![(
        "access-control-allow-origin",
        if include { ORIGIN } else { "*" },
    )];
    if include {
        all.push(("access-control-allow-credentials", "true"));
    }
    all.extend_from_slice(pairs);
    let names: Vec<String> = unsafe_headers.iter().map(|s| s.to_string()).collect();
    check_preflight(
        StatusCode::from_u16(status).unwrap(),
        &headers(&all),
        context(include),
        PreflightAsk {
            method,
            unsafe_headers: &names,
            forced: false,
        },
        &mut Vec::new(),
    )
}

#[test]
fn preflight_table() {
    use Failure::*;
    const ACAM: &str = "access-control-allow-methods";
    const ACAH: &str = "access-control-allow-headers";
    let ok = Ok(PreflightGrant::default());
    let s = String::from;
    type Row = (
        u16,
        &'static [(&'static str, &'static str)],
        bool,
        &'static str,
        &'static [&'static str],
        Result<PreflightGrant, Failure>,
    );
    let table: Vec<Row> = vec![
        (204, &[(ACAM, "PUT")], false, "PUT", &[], ok.clone()),
        (200, &[(ACAM, "GET, PUT")], false, "PUT", &[], ok.clone()),
        (299, &[(ACAM, "PUT")], false, "PUT", &[], ok.clone()),
        (
            404,
            &[(ACAM, "PUT")],
            false,
            "PUT",
            &[],
            Err(PreflightInvalidStatus { status: 404 }),
        ),
        (
            500,
            &[],
            false,
            "PUT",
            &[],
            Err(PreflightInvalidStatus { status: 500 }),
        ),
        (
            302,
            &[("location", "/x")],
            false,
            "PUT",
            &[],
            Err(PreflightDisallowedRedirect),
        ),
        // A 3xx without Location is not a redirect, only a bad status.
        (
            304,
            &[],
            false,
            "PUT",
            &[],
            Err(PreflightInvalidStatus { status: 304 }),
        ),
        (
            204,
            &[],
            false,
            "PUT",
            &[],
            Err(MethodDisallowed { method: s("PUT") }),
        ),
        (204, &[], false, "POST", &[], ok.clone()),
        (
            204,
            &[(ACAM, "PATCH")],
            false,
            "patch",
            &[],
            Err(MethodDisallowed { method: s("patch") }),
        ),
        (204, &[(ACAM, "patch")], false, "patch", &[], ok.clone()),
        (204, &[(ACAM, "*")], false, "DELETE", &[], ok.clone()),
        (
            204,
            &[(ACAM, "*")],
            true,
            "DELETE",
            &[],
            Err(MethodDisallowed {
                method: s("DELETE"),
            }),
        ),
        (
            204,
            &[(ACAM, "PUT DELETE")],
            false,
            "PUT",
            &[],
            Err(InvalidAllowMethods),
        ),
        (
            204,
            &[(ACAM, "PUT"), (ACAH, "x a")],
            false,
            "PUT",
            &[],
            Err(InvalidAllowHeaders),
        ),
        // Allow-Methods is parsed before Allow-Headers.
        (
            204,
            &[(ACAM, "P(T"), (ACAH, "x a")],
            false,
            "PUT",
            &[],
            Err(InvalidAllowMethods),
        ),
        // The method is checked before the headers.
        (
            204,
            &[(ACAH, "x-a")],
            false,
            "PUT",
            &["x-b"],
            Err(MethodDisallowed { method: s("PUT") }),
        ),
        (204, &[(ACAH, "X-A")], false, "GET", &["x-a"], ok.clone()),
        (
            204,
            &[(ACAH, "x-a")],
            false,
            "GET",
            &["x-a", "x-b", "x-c"],
            Err(HeaderDisallowed { name: s("x-c") }),
        ),
        (
            204,
            &[(ACAH, "x-c")],
            false,
            "GET",
            &["x-a", "x-b", "x-c"],
            Err(HeaderDisallowed { name: s("x-b") }),
        ),
        (
            204,
            &[(ACAH, "*")],
            false,
            "GET",
            &["x-a", "x-b"],
            ok.clone(),
        ),
        (
            204,
            &[(ACAH, "*")],
            false,
            "GET",
            &["authorization"],
            Ok(PreflightGrant {
                authorization_by_wildcard: true,
            }),
        ),
        (
            204,
            &[(ACAH, "*")],
            true,
            "GET",
            &["authorization"],
            Err(HeaderDisallowed {
                name: s("authorization"),
            }),
        ),
        (
            204,
            &[(ACAH, "*")],
            true,
            "GET",
            &["x-a"],
            Err(HeaderDisallowed { name: s("x-a") }),
        ),
        (
            204,
            &[(ACAH, "*, authorization")],
            true,
            "GET",
            &["authorization"],
            ok.clone(),
        ),
        (
            204,
            &[(ACAH, "x-a,, x-b ,")],
            false,
            "GET",
            &["x-a", "x-b"],
            ok.clone(),
        ),
    ];
    for (status, pairs, include, method, names, expected) in table {
        assert_eq!(
            preflight(status, pairs, include, method, names),
            expected,
            "{status} {pairs:?} include={include} {method} {names:?}"
        );
    }
}

#[test]
fn preflight_reports_allow_origin_before_status() {
    let got = check_preflight(
        StatusCode::NOT_FOUND,
        &HeaderMap::new(),
        context(false),
        PreflightAsk {
            method: "PUT",
            unsafe_headers: &[],
            forced: false,
        },
        &mut Vec::new(),
    );
    assert_eq!(got, Err(Failure::MissingAllowOrigin { preflight: true }));
}

#[test]
fn a_forced_preflight_without_allow_methods_allows_its_method() {
    let mut log = Vec::new();
    let got = check_preflight(
        StatusCode::NO_CONTENT,
        &headers(&[("access-control-allow-origin", "*")]),
        context(false),
        PreflightAsk {
            method: "PUT",
            unsafe_headers: &[],
            forced: true,
        },
        &mut log,
    );
    assert_eq!(got, Ok(PreflightGrant::default()));
}

/// A naive restatement of the list grammar.
fn reference_list(value: &str) -> Option<Vec<String>> {
    let items: Vec<String> = value
        .split(',')
        .map(|s| s.trim_matches([' ', '\t']).to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    items
        .iter()
        .all(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
        })
        .then_some(items)
}

proptest! {
    #[test]
    fn allow_list_matches_reference(value in "[a-zA-Z*, \t()-]{0,20}") {
        prop_assert_eq!(parse_allow_list(value.as_bytes()), reference_list(&value));
    }

    #[test]
    fn allow_list_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = parse_allow_list(&bytes);
    }
}
