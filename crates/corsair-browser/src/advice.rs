//! [`Advice`]: what to change on the server for a [`Failure`], in plain words, with a structured
//! [`Fix`] that tools can turn into configuration for a given server.

use crate::message::Failure;

/// One thing to change, in plain words, and the configuration change if there is one.
///
/// ```
/// use corsair_browser::{Advice, Fix};
///
/// let advice = Advice::new("Allow the origin.", Some(Fix::AllowOrigin { origin: "https://app.example".into() }));
/// assert_eq!(advice.summary, "Allow the origin.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Advice {
    /// What to do and why.
    pub summary: String,
    /// The configuration change, when one setting fixes it.
    pub fix: Option<Fix>,
}

impl Advice {
    /// Advice with a summary and an optional fix.
    ///
    /// ```
    /// let a = corsair_browser::Advice::new("Answer OPTIONS with 204.", None);
    /// assert!(a.fix.is_none());
    /// ```
    pub fn new(summary: impl Into<String>, fix: Option<Fix>) -> Advice {
        Advice {
            summary: summary.into(),
            fix,
        }
    }
}

/// A configuration change that fixes a failure, independent of the server software.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fix {
    /// Allow this origin (answer `Access-Control-Allow-Origin: <origin>` to it).
    AllowOrigin {
        /// The serialized origin (`null` for sandboxed or redirected requests).
        origin: String,
    },
    /// Answer `Access-Control-Allow-Credentials: true` (and never `*` as the origin).
    AllowCredentials {
        /// The origin to allow by name.
        origin: String,
    },
    /// Allow this method in `Access-Control-Allow-Methods` (spelt exactly).
    AllowMethod {
        /// The method as the browser sends it.
        method: String,
    },
    /// Allow these request headers in `Access-Control-Allow-Headers`.
    AllowHeaders {
        /// The lowercased header names.
        names: Vec<String>,
    },
    /// Answer preflights (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) with a
    /// 2xx before routing, authentication or redirects.
    AnswerPreflight,
}

/// What the failing response answered, for [`advise`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answered<'a> {
    /// The origin the server saw (`null` once a cross-origin redirect tainted the request).
    pub origin: &'a str,
    /// Whether the request's credentials mode is `include`.
    pub credentials: bool,
    /// The failing response's status, if a response failed.
    pub status: Option<u16>,
}

/// The advice for a failure.
pub(crate) fn advise(failure: &Failure, answered: Answered<'_>) -> Vec<Advice> {
    let Answered {
        origin,
        credentials,
        status,
    } = answered;
    // With credentials, allowing the origin alone would only move the failure to
    // Allow-Credentials: fix both at once.
    let allow_origin = || {
        Some(if credentials {
            Fix::AllowCredentials {
                origin: origin.to_owned(),
            }
        } else {
            Fix::AllowOrigin {
                origin: origin.to_owned(),
            }
        })
    };
    let mut advice = Vec::new();
    match failure {
        Failure::MissingAllowOrigin { preflight } => {
            let what = match status {
                _ if *preflight => "preflight (OPTIONS) response".to_owned(),
                Some(s) if (300..400).contains(&s) => format!("{s} redirect (a redirect needs CORS headers too)"),
                _ => "response".to_owned(),
            };
            advice.push(Advice::new(
                format!("The {what} has no Access-Control-Allow-Origin: allow the origin `{origin}` on the server."),
                allow_origin(),
            ));
            match status {
                Some(s) if *preflight && !(200..300).contains(&s) => advice.push(Advice::new(
                    format!("The preflight got {s}: the CORS layer must answer OPTIONS itself, before routing and authentication (a preflight never carries cookies or Authorization)."),
                    Some(Fix::AnswerPreflight),
                )),
                Some(s) if !*preflight && s >= 400 => advice.push(Advice::new(
                    format!("This is a {s} error response: add CORS headers to error responses too (put the CORS layer outermost), or the browser hides the error behind a CORS failure."),
                    None,
                )),
                _ => {}
            }
        }
        Failure::WildcardOriginNotAllowed { .. } => advice.push(Advice::new(
            format!("`*` cannot be used with credentials: answer with the origin itself (`{origin}`) and Access-Control-Allow-Credentials: true, or send the request without credentials."),
            Some(Fix::AllowCredentials { origin: origin.to_owned() }),
        )),
        Failure::MultipleAllowOriginValues { value, .. } => advice.push(Advice::new(
            format!("Access-Control-Allow-Origin must hold one origin, but it is `{value}`: the header is probably added twice (by the app and by a proxy, or by two middlewares). Keep one layer, and echo the request's origin when it is allowed."),
            allow_origin(),
        )),
        Failure::InvalidAllowOriginValue { value, .. } => advice.push(Advice::new(
            format!("`{value}` is not an origin: send the request's origin exactly (`{origin}`: scheme, host and port, no path)."),
            allow_origin(),
        )),
        Failure::AllowOriginMismatch { value, .. } => advice.push(Advice::new(
            format!("The server allows `{value}`, but the request's origin is `{origin}`; the comparison is byte for byte (no trailing slash, lowercase, no default port)."),
            allow_origin(),
        )),
        Failure::InvalidAllowCredentials { value, .. } => advice.push(Advice::new(
            if value.is_empty() {
                "The request sends credentials, so the response needs Access-Control-Allow-Credentials: true.".to_owned()
            } else {
                format!("Access-Control-Allow-Credentials is `{value}`; it must be exactly `true` (lowercase, once).")
            },
            Some(Fix::AllowCredentials { origin: origin.to_owned() }),
        )),
        Failure::PreflightInvalidStatus { status } => advice.push(Advice::new(
            format!("The preflight (OPTIONS) got {status}: answer it with 204 or 200 before routing and authentication; a preflight never carries cookies or Authorization."),
            Some(Fix::AnswerPreflight),
        )),
        Failure::PreflightDisallowedRedirect => advice.push(Advice::new(
            "The preflight was redirected, which browsers never follow: call the final URL directly (check http→https and trailing-slash redirects), and answer OPTIONS without redirecting.",
            Some(Fix::AnswerPreflight),
        )),
        Failure::InvalidAllowMethods => advice.push(Advice::new(
            "Access-Control-Allow-Methods must be a comma-separated list of method names (`GET, PUT`, not `GET PUT`).",
            None,
        )),
        Failure::InvalidAllowHeaders => advice.push(Advice::new(
            "Access-Control-Allow-Headers must be a comma-separated list of header names (`x-a, x-b`, not `x-a x-b`).",
            None,
        )),
        Failure::MethodDisallowed { method } => {
            let mut summary = format!("Allow the method `{method}` in Access-Control-Allow-Methods.");
            if method.bytes().any(|b| b.is_ascii_lowercase()) {
                summary.push_str(&format!(
                    " Methods other than DELETE, GET, HEAD, OPTIONS, POST and PUT are sent as written and compared case-sensitively: better, write `{}` in the script.",
                    method.to_ascii_uppercase()
                ));
            }
            advice.push(Advice::new(summary, Some(Fix::AllowMethod { method: method.clone() })));
        }
        Failure::HeaderDisallowed { name } => advice.push(Advice::new(
            format!("Allow the request header `{name}` in Access-Control-Allow-Headers."),
            Some(Fix::AllowHeaders { names: vec![name.clone()] }),
        )),
        Failure::RedirectContainsCredentials { .. } => advice.push(Advice::new(
            "The redirect's Location carries a user name or password: redirect to a URL without them.",
            None,
        )),
        Failure::UnsupportedScheme { .. } => advice.push(Advice::new(
            "Only http: and https: URLs can be fetched across origins.",
            None,
        )),
        Failure::TooManyRedirects => advice.push(Advice::new(
            "More than 20 redirects: the server redirects in a loop.",
            None,
        )),
        Failure::CorsDisabledScheme => advice.push(Advice::new(
            "The redirect leads to a URL that is not http: or https:, which a cross-origin fetch cannot follow: redirect to an http(s) URL, or navigate the window instead of fetching.",
            None,
        )),
        Failure::InvalidRedirect => advice.push(Advice::new(
            "The redirect's Location is not a valid http(s) URL.",
            None,
        )),
    }
    if origin == "null" && is_allow_origin_failure(failure) {
        // Allowing `null` would allow every sandboxed page too: explain instead of prescribing.
        for a in &mut advice {
            if matches!(a.fix, Some(Fix::AllowOrigin { .. })) {
                a.fix = None;
            }
        }
        advice.push(Advice::new(
            "The request's origin is `null` because a redirect crossed origins: call the final URL directly instead of through the redirect, or answer `*` there (without credentials) if it serves public data.",
            None,
        ));
    }
    advice
}

fn is_allow_origin_failure(failure: &Failure) -> bool {
    matches!(
        failure,
        Failure::MissingAllowOrigin { .. }
            | Failure::MultipleAllowOriginValues { .. }
            | Failure::InvalidAllowOriginValue { .. }
            | Failure::AllowOriginMismatch { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixes(failure: Failure, origin: &str, credentials: bool, status: u16) -> Vec<Fix> {
        let answered = Answered {
            origin,
            credentials,
            status: Some(status),
        };
        advise(&failure, answered)
            .into_iter()
            .filter_map(|a| a.fix)
            .collect()
    }

    #[test]
    fn fixes_table() {
        let o = "https://app.example";
        let allow = Fix::AllowOrigin { origin: o.into() };
        let both = Fix::AllowCredentials { origin: o.into() };
        let missing = |preflight| Failure::MissingAllowOrigin { preflight };
        let table = [
            (missing(false), o, false, 200, vec![allow.clone()]),
            (missing(false), o, true, 200, vec![both.clone()]),
            (
                missing(true),
                o,
                false,
                401,
                vec![allow.clone(), Fix::AnswerPreflight],
            ),
            (missing(true), o, false, 204, vec![allow.clone()]),
            // A tainted (null) origin is explained, not allowed.
            (missing(false), "null", false, 200, vec![]),
            (
                Failure::WildcardOriginNotAllowed { preflight: false },
                o,
                true,
                200,
                vec![both.clone()],
            ),
            (
                Failure::InvalidAllowCredentials {
                    preflight: false,
                    value: "True".into(),
                },
                o,
                true,
                200,
                vec![both.clone()],
            ),
            (
                Failure::PreflightInvalidStatus { status: 405 },
                o,
                false,
                405,
                vec![Fix::AnswerPreflight],
            ),
            (
                Failure::MethodDisallowed {
                    method: "PUT".into(),
                },
                o,
                false,
                204,
                vec![Fix::AllowMethod {
                    method: "PUT".into(),
                }],
            ),
            (Failure::InvalidAllowHeaders, o, false, 204, vec![]),
        ];
        for (failure, origin, credentials, status, expected) in table {
            assert_eq!(
                fixes(failure.clone(), origin, credentials, status),
                expected,
                "{failure:?} credentials={credentials}"
            );
        }
    }

    #[test]
    fn advice_names_the_error_status_and_the_redirect() {
        let summaries = |status| {
            advise(
                &Failure::MissingAllowOrigin { preflight: false },
                Answered {
                    origin: "https://a.example",
                    credentials: false,
                    status: Some(status),
                },
            )
            .into_iter()
            .map(|a| a.summary)
            .collect::<Vec<_>>()
            .join("\n")
        };
        assert!(summaries(500).contains("500 error response"));
        assert!(summaries(302).contains("302 redirect"));
    }
}
