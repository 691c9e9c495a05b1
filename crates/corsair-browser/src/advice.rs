//! [`Advice`]: what to change on the server for a [`Failure`], in plain words, with a structured
//! [`Fix`] that tools can turn into configuration for a given server.

use crate::address_space::is_loopback;
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
    /// The origin the server saw (`null` once a cross-origin redirect tainted the request, or
    /// for a page with an opaque origin).
    pub origin: &'a str,
    /// Whether the request's credentials mode is `include`.
    pub credentials: bool,
    /// The failing response's status, if a response failed.
    pub status: Option<u16>,
    /// Set when a redirect led the request to another origin.
    pub redirected: Option<Redirected<'a>>,
}

/// A request that a redirect led to another origin.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Redirected<'a> {
    /// The URL the script fetched.
    pub requested: &'a str,
    /// The URL whose response failed.
    pub last: &'a str,
}

/// The advice for a failure.
pub(crate) fn advise(failure: &Failure, answered: Answered<'_>) -> Vec<Advice> {
    let Answered {
        origin,
        credentials,
        status,
        redirected,
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
        Failure::UnsafePort { port } => advice.push(Advice::new(
            format!("Chromium never connects to port {port} (one of its unsafe ports, kept for services such as SSH, mail and IRC), whatever the server would answer: serve the API on another port (443, 8443, 8080, ...)."),
            None,
        )),
    }
    if origin == "null" {
        // Allowing `null` would let every sandboxed iframe and `data:` page read the answers
        // (and corsair refuses it with credentials): explained, never prescribed.
        advice.retain(|a| !allows_origin(a));
        if redirected.is_none() && is_origin_failure(failure) {
            advice.insert(0, Advice::new(
                "The page's origin is opaque (`null`: a sandboxed iframe, a `data:` URL or a local file). Allowing `null` would let every such page read the answers: serve the page from a real origin (https://host) and allow that origin.",
                None,
            ));
        }
    }
    if let Some(redirected) = redirected {
        // A sign-in redirect is the usual story, and its provider is not the user's server.
        advice.insert(0, navigation_advice(redirected, origin == "null"));
    }
    for a in &mut advice {
        if let Some(Fix::AllowCredentials { origin }) = &mut a.fix {
            credentials_caveat(&mut a.summary, origin);
        }
    }
    advice
}

/// The advice after a redirect to another origin: navigate instead of fetching, or call the
/// final URL directly.
fn navigation_advice(redirected: Redirected<'_>, tainted: bool) -> Advice {
    let Redirected { requested, last } = redirected;
    let mut summary = format!(
        "The request was redirected to another origin (`{requested}` led to `{last}`). If this is a sign-in flow (OAuth, SSO), do not fetch it: navigate the window (`window.location.href = '{requested}'`) so that the provider's page can run and send the user back. Otherwise call the final URL (`{last}`) directly"
    );
    if tainted {
        summary.push_str(
            ": after a redirect across origins the browser sends `Origin: null`, which no server should allow.",
        );
    } else {
        summary.push('.');
    }
    Advice::new(summary, None)
}

/// What corsair's own rules say about allowing `origin` with credentials, added to the advice
/// that does; a plain-http origin other than loopback is replaced by its https form, which
/// corsair accepts.
fn credentials_caveat(summary: &mut String, origin: &mut String) {
    let Ok(url) = url::Url::parse(origin) else {
        return;
    };
    if is_loopback(&url) {
        summary.push_str(" Keep a loopback origin with credentials in development configurations only: any program on the user's machine can serve a page from it.");
    } else if url.scheme() == "http" {
        let mut secure = url.clone();
        if secure.set_scheme("https").is_ok() {
            let https = secure.origin().ascii_serialization();
            summary.push_str(&format!(" A plain-http origin can be impersonated by anyone on the network path, so corsair refuses `{origin}` with credentials: serve the page over https and allow `{https}`."));
            *origin = https;
        }
    }
}

/// Whether the advice's fix allows an origin (with or without credentials).
fn allows_origin(advice: &Advice) -> bool {
    matches!(
        advice.fix,
        Some(Fix::AllowOrigin { .. } | Fix::AllowCredentials { .. })
    )
}

/// Whether the failure is about the origin the response allows.
fn is_origin_failure(failure: &Failure) -> bool {
    matches!(
        failure,
        Failure::MissingAllowOrigin { .. }
            | Failure::WildcardOriginNotAllowed { .. }
            | Failure::MultipleAllowOriginValues { .. }
            | Failure::InvalidAllowOriginValue { .. }
            | Failure::AllowOriginMismatch { .. }
            | Failure::InvalidAllowCredentials { .. }
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
            redirected: None,
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
                    redirected: None,
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

    /// After a cross-origin redirect the navigation advice comes first, and nothing allows
    /// `null`; a page with an opaque origin is told to move to a real origin.
    #[test]
    fn never_advise_allowing_null() {
        let redirected = Redirected {
            requested: "https://api.example/login",
            last: "https://sso.example/authorize",
        };
        let failures = [
            Failure::MissingAllowOrigin { preflight: false },
            Failure::MissingAllowOrigin { preflight: true },
            Failure::WildcardOriginNotAllowed { preflight: false },
            Failure::AllowOriginMismatch {
                preflight: false,
                value: "https://app.example".into(),
            },
            Failure::InvalidAllowCredentials {
                preflight: false,
                value: String::new(),
            },
        ];
        for failure in failures {
            for credentials in [false, true] {
                for (redirect, first) in
                    [(Some(redirected), "navigate the window"), (None, "opaque")]
                {
                    let advice = advise(
                        &failure,
                        Answered {
                            origin: "null",
                            credentials,
                            status: Some(200),
                            redirected: redirect,
                        },
                    );
                    let shown = format!(
                        "{failure:?} credentials={credentials} redirected={}",
                        redirect.is_some()
                    );
                    assert!(advice[0].summary.contains(first), "{shown}: {advice:?}");
                    assert!(
                        advice.iter().all(|a| !allows_origin(a)),
                        "{shown}: {advice:?}"
                    );
                    assert!(
                        advice
                            .iter()
                            .all(|a| !a.summary.contains("allow the origin `null`")),
                        "{shown}: {advice:?}"
                    );
                }
            }
        }
        // A same-origin URL redirected to another origin keeps the page's origin: the
        // navigation advice leads, the origin fix follows.
        let advice = advise(
            &Failure::MissingAllowOrigin { preflight: false },
            Answered {
                origin: "https://app.example",
                credentials: false,
                status: Some(200),
                redirected: Some(redirected),
            },
        );
        assert!(
            advice[0]
                .summary
                .contains("call the final URL (`https://sso.example/authorize`) directly")
        );
        assert_eq!(
            advice[1].fix,
            Some(Fix::AllowOrigin {
                origin: "https://app.example".into()
            })
        );
    }

    /// Allowing an origin with credentials says what corsair's own rules say about it.
    #[test]
    fn credentialed_fixes_follow_corsairs_rules() {
        let table = [
            ("https://app.example", "https://app.example", None),
            (
                "http://localhost:3000",
                "http://localhost:3000",
                Some("development configurations only"),
            ),
            (
                "http://app.example:8080",
                "https://app.example:8080",
                Some("serve the page over https"),
            ),
        ];
        for (origin, fixed, caveat) in table {
            let advice = advise(
                &Failure::MissingAllowOrigin { preflight: false },
                Answered {
                    origin,
                    credentials: true,
                    status: Some(200),
                    redirected: None,
                },
            );
            assert_eq!(
                advice[0].fix,
                Some(Fix::AllowCredentials {
                    origin: fixed.into()
                }),
                "{origin}"
            );
            match caveat {
                Some(text) => assert!(
                    advice[0].summary.contains(text),
                    "{origin}: {}",
                    advice[0].summary
                ),
                None => assert!(!advice[0].summary.contains("corsair refuses"), "{origin}"),
            }
        }
    }
}
