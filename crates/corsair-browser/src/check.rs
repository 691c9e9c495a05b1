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
mod tests;
