//! Chromium's checks on a response, in Chromium's order: the CORS check (`Allow-Origin`, then
//! `Allow-Credentials`) on every response of a CORS request, and the preflight checks (no
//! redirect, CORS check, ok status, `Allow-Methods`/`Allow-Headers` syntax, method, headers).
//!
//! Each check appends a [`Check`] to the transcript; the first failure is returned.

use http::{HeaderMap, StatusCode, header};

use crate::message::Failure;
use crate::verdict::{Check, CheckName};
use corsair::fetch::cors_safelisted_method::is_cors_safelisted_method;
use corsair::fetch::token::is_token;
use corsair::fetch::trim_http_whitespace;

/// The request's side of a check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// The request's serialized origin as the server must echo it (`null` once tainted).
    pub origin: &'a str,
    /// Whether the credentials mode is `include`.
    pub include_credentials: bool,
}

/// What a passing preflight allowed, beyond what was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PreflightGrant {
    /// Whether `Access-Control-Allow-Headers: *` was what let `authorization` through.
    pub authorization_by_wildcard: bool,
}

/// All lines of header `name`, combined with `, ` as browsers read them.
pub(crate) fn combined(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<String> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let parts: Vec<String> = values
        .map(|v| String::from_utf8_lossy(trim_http_whitespace(v.as_bytes())).into_owned())
        .collect();
    Some(parts.join(", "))
}

/// Whether a response is a redirect the browser follows: 301, 302, 303, 307 or 308 with a
/// `Location`.
pub(crate) fn is_redirect(status: StatusCode, headers: &HeaderMap) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) && headers.contains_key(header::LOCATION)
}

/// Parses `Access-Control-Allow-Methods` or `Access-Control-Allow-Headers` as Chromium does:
/// comma-separated, whitespace around elements trimmed, empty elements ignored, every element
/// an HTTP token. `None` if an element is not a token.
///
/// Takes untrusted bytes and never panics.
///
/// ```
/// use corsair_browser::parse_allow_list;
///
/// assert_eq!(parse_allow_list(b"GET, PUT,,x-a "), Some(vec!["GET".into(), "PUT".into(), "x-a".into()]));
/// assert_eq!(parse_allow_list(b"PUT DELETE"), None);
/// assert_eq!(parse_allow_list(b""), Some(vec![]));
/// ```
pub fn parse_allow_list(value: &[u8]) -> Option<Vec<String>> {
    let mut items = Vec::new();
    for element in value.split(|b| *b == b',') {
        let element = trim_http_whitespace(element);
        if element.is_empty() {
            continue;
        }
        if !is_token(element) {
            return None;
        }
        items.push(String::from_utf8_lossy(element).into_owned());
    }
    Some(items)
}

/// The CORS check (Fetch's "CORS check", Chromium's `CheckAccess`) on any response of a CORS
/// request.
pub(crate) fn check_access(
    headers: &HeaderMap,
    context: Context<'_>,
    preflight: bool,
    log: &mut Vec<Check>,
) -> Result<(), Failure> {
    let fail = |log: &mut Vec<Check>, name, failure: Failure| {
        log.push(Check {
            name,
            passed: false,
            detail: failure.to_string(),
        });
        Err(failure)
    };
    let Some(allow_origin) = combined(headers, header::ACCESS_CONTROL_ALLOW_ORIGIN) else {
        return fail(
            log,
            CheckName::AllowOrigin,
            Failure::MissingAllowOrigin { preflight },
        );
    };
    if allow_origin == "*" {
        if context.include_credentials {
            return fail(
                log,
                CheckName::AllowOrigin,
                Failure::WildcardOriginNotAllowed { preflight },
            );
        }
        log.push(Check {
            name: CheckName::AllowOrigin,
            passed: true,
            detail: "`*` allows any origin for a request without credentials".to_owned(),
        });
        return Ok(());
    }
    if allow_origin != context.origin {
        let value = allow_origin;
        let failure = if value.contains([' ', ',']) {
            Failure::MultipleAllowOriginValues { preflight, value }
        } else if value != "null" && url::Url::parse(&value).is_err() {
            Failure::InvalidAllowOriginValue { preflight, value }
        } else {
            Failure::AllowOriginMismatch { preflight, value }
        };
        return fail(log, CheckName::AllowOrigin, failure);
    }
    log.push(Check {
        name: CheckName::AllowOrigin,
        passed: true,
        detail: format!("`{allow_origin}` is the request's origin"),
    });
    if context.include_credentials {
        let value = combined(headers, header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
        if value.as_deref() != Some("true") {
            return fail(
                log,
                CheckName::AllowCredentials,
                Failure::InvalidAllowCredentials {
                    preflight,
                    value: value.unwrap_or_default(),
                },
            );
        }
        log.push(Check {
            name: CheckName::AllowCredentials,
            passed: true,
            detail: "`true`, as a credentialed request needs".to_owned(),
        });
    }
    Ok(())
}

/// The request's side of a preflight check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PreflightAsk<'a> {
    /// The method of the actual request.
    pub method: &'a str,
    /// The CORS-unsafe header names, sorted.
    pub unsafe_headers: &'a [String],
    /// Whether the use-CORS-preflight flag forced the preflight.
    pub forced: bool,
}

/// Chromium's checks on a preflight response, in order.
pub(crate) fn check_preflight(
    status: StatusCode,
    headers: &HeaderMap,
    context: Context<'_>,
    ask: PreflightAsk<'_>,
    log: &mut Vec<Check>,
) -> Result<PreflightGrant, Failure> {
    if is_redirect(status, headers) {
        let failure = Failure::PreflightDisallowedRedirect;
        log.push(Check {
            name: CheckName::NoRedirect,
            passed: false,
            detail: format!("answered {status}: {failure}"),
        });
        return Err(failure);
    }
    check_access(headers, context, true, log)?;
    if !status.is_success() {
        let failure = Failure::PreflightInvalidStatus {
            status: status.as_u16(),
        };
        log.push(Check {
            name: CheckName::Status,
            passed: false,
            detail: format!("{status} is not 2xx"),
        });
        return Err(failure);
    }
    log.push(Check {
        name: CheckName::Status,
        passed: true,
        detail: format!("{status}"),
    });
    let methods = parse_list(
        headers,
        header::ACCESS_CONTROL_ALLOW_METHODS,
        CheckName::AllowMethods,
        Failure::InvalidAllowMethods,
        log,
    )?;
    let allowed_headers = parse_list(
        headers,
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        CheckName::AllowHeaders,
        Failure::InvalidAllowHeaders,
        log,
    )?;
    check_method(methods.as_deref(), context, ask, log)?;
    check_headers(allowed_headers.as_deref(), context, ask, log)
}

fn parse_list(
    headers: &HeaderMap,
    name: header::HeaderName,
    check: CheckName,
    failure: Failure,
    log: &mut Vec<Check>,
) -> Result<Option<Vec<String>>, Failure> {
    let Some(value) = combined(headers, name) else {
        return Ok(None);
    };
    match parse_allow_list(value.as_bytes()) {
        Some(list) => Ok(Some(list)),
        None => {
            log.push(Check {
                name: check,
                passed: false,
                detail: format!("`{value}` is not a comma-separated list of tokens"),
            });
            Err(failure)
        }
    }
}

fn check_method(
    methods: Option<&[String]>,
    context: Context<'_>,
    ask: PreflightAsk<'_>,
    log: &mut Vec<Check>,
) -> Result<(), Failure> {
    let listed = methods.is_some_and(|m| m.iter().any(|m| m == ask.method));
    let wildcard =
        !context.include_credentials && methods.is_some_and(|m| m.iter().any(|m| m == "*"));
    // Fetch: with no Allow-Methods, a forced preflight allows the request's own method.
    let implied = methods.is_none() && ask.forced;
    let detail = if is_cors_safelisted_method(ask.method) {
        format!("{} needs no permission", ask.method)
    } else if listed {
        format!("{} is listed", ask.method)
    } else if wildcard {
        format!("`*` covers {} (no credentials)", ask.method)
    } else if implied {
        format!(
            "{} is implied by a preflight forced by the body",
            ask.method
        )
    } else {
        let failure = Failure::MethodDisallowed {
            method: ask.method.to_owned(),
        };
        let why = match methods {
            None => "the header is absent".to_owned(),
            Some(m) if m.iter().any(|m| m.eq_ignore_ascii_case(ask.method)) => {
                "methods are compared case-sensitively".to_owned()
            }
            Some(m) if m.iter().any(|m| m == "*") => {
                "`*` is a literal method name for a credentialed request".to_owned()
            }
            Some(_) => "not listed".to_owned(),
        };
        log.push(Check {
            name: CheckName::AllowMethods,
            passed: false,
            detail: format!("{} not allowed: {why}", ask.method),
        });
        return Err(failure);
    };
    log.push(Check {
        name: CheckName::AllowMethods,
        passed: true,
        detail,
    });
    Ok(())
}

fn check_headers(
    allowed: Option<&[String]>,
    context: Context<'_>,
    ask: PreflightAsk<'_>,
    log: &mut Vec<Check>,
) -> Result<PreflightGrant, Failure> {
    let allowed: Vec<String> = allowed
        .unwrap_or_default()
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    // Chromium 156 lets `*` cover every name, `authorization` included, without credentials.
    let wildcard = !context.include_credentials && allowed.iter().any(|h| h == "*");
    let mut grant = PreflightGrant::default();
    let mut missing = Vec::new();
    for name in ask.unsafe_headers {
        if allowed.contains(name) {
            continue;
        }
        if wildcard {
            grant.authorization_by_wildcard |= name == "authorization";
            continue;
        }
        missing.push(name.as_str());
    }
    // Chromium names the last missing header in byte order.
    if let Some(name) = missing.last() {
        log.push(Check {
            name: CheckName::AllowHeaders,
            passed: false,
            detail: format!("not allowed: {}", missing.join(", ")),
        });
        return Err(Failure::HeaderDisallowed {
            name: (*name).to_owned(),
        });
    }
    let detail = if ask.unsafe_headers.is_empty() {
        "no header needs permission".to_owned()
    } else if wildcard {
        format!("`*` covers {}", ask.unsafe_headers.join(", "))
    } else {
        format!("{} allowed", ask.unsafe_headers.join(", "))
    };
    log.push(Check {
        name: CheckName::AllowHeaders,
        passed: true,
        detail,
    });
    Ok(grant)
}

#[cfg(test)]
mod tests {
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
}
