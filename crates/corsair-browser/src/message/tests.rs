//! Tests of `message`.

use super::*;

const FETCH: MessageContext<'static> = MessageContext {
    initiator: Initiator::Fetch,
    initial_url: "http://127.0.0.1:18301/x",
    last_url: "http://127.0.0.1:18301/x",
    origin: "http://localhost:18302",
};
const HEAD: &str = "Access to fetch at 'http://127.0.0.1:18301/x' from origin 'http://localhost:18302' has been blocked by CORS policy: ";
const PREFLIGHT: &str = "Response to preflight request doesn't pass access control check: ";

/// Every message as headless Chromium 156 printed it for a page at `http://localhost:18302`
/// fetching `http://127.0.0.1:18301/x`.
#[test]
fn chromium_messages_table() {
    let s = String::from;
    let table: Vec<(Failure, String)> = vec![
        (
            Failure::MissingAllowOrigin { preflight: false },
            format!(
                "{HEAD}No 'Access-Control-Allow-Origin' header is present on the requested resource."
            ),
        ),
        (
            Failure::MissingAllowOrigin { preflight: true },
            format!(
                "{HEAD}{PREFLIGHT}No 'Access-Control-Allow-Origin' header is present on the requested resource."
            ),
        ),
        (
            Failure::WildcardOriginNotAllowed { preflight: false },
            format!(
                "{HEAD}The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
            ),
        ),
        (
            Failure::WildcardOriginNotAllowed { preflight: true },
            format!(
                "{HEAD}{PREFLIGHT}The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
            ),
        ),
        (
            Failure::MultipleAllowOriginValues {
                preflight: false,
                value: s("*, *"),
            },
            format!(
                "{HEAD}The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but only one is allowed. Have the server send the header with a valid value."
            ),
        ),
        (
            Failure::InvalidAllowOriginValue {
                preflight: false,
                value: s("http://["),
            },
            format!(
                "{HEAD}The 'Access-Control-Allow-Origin' header contains the invalid value 'http://['. Have the server send the header with a valid value."
            ),
        ),
        (
            Failure::AllowOriginMismatch {
                preflight: false,
                value: s("null"),
            },
            format!(
                "{HEAD}The 'Access-Control-Allow-Origin' header has a value 'null' that is not equal to the supplied origin. Have the server send the header with a valid value."
            ),
        ),
        (
            Failure::InvalidAllowCredentials {
                preflight: false,
                value: s("True"),
            },
            format!(
                "{HEAD}The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'."
            ),
        ),
        (
            Failure::PreflightInvalidStatus { status: 404 },
            format!("{HEAD}{PREFLIGHT}It does not have HTTP ok status."),
        ),
        (
            Failure::PreflightDisallowedRedirect,
            format!("{HEAD}{PREFLIGHT}Redirect is not allowed for a preflight request."),
        ),
        (
            Failure::InvalidAllowMethods,
            format!(
                "{HEAD}Cannot parse Access-Control-Allow-Methods response header field in preflight response."
            ),
        ),
        (
            Failure::MethodDisallowed { method: s("patch") },
            format!(
                "{HEAD}Method patch is not allowed by Access-Control-Allow-Methods in preflight response."
            ),
        ),
        (
            Failure::HeaderDisallowed { name: s("x-c") },
            format!(
                "{HEAD}Request header field x-c is not allowed by Access-Control-Allow-Headers in preflight response."
            ),
        ),
        (
            Failure::RedirectContainsCredentials {
                location: s("http://u:p@127.0.0.1:18301/t"),
            },
            format!(
                "{HEAD}Redirect location '' contains a username and password, which is disallowed for cross-origin requests."
            ),
        ),
        (
            Failure::TooManyRedirects,
            s("Failed to load resource: net::ERR_TOO_MANY_REDIRECTS"),
        ),
        (
            Failure::CorsDisabledScheme,
            format!(
                "{HEAD}Cross origin requests are only supported for protocol schemes: chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app."
            ),
        ),
        (
            Failure::InvalidRedirect,
            s("Failed to load resource: net::ERR_INVALID_REDIRECT"),
        ),
        (
            Failure::UnsafePort { port: 22 },
            s("Failed to load resource: net::ERR_UNSAFE_PORT"),
        ),
        (
            Failure::UnsupportedScheme {
                url: s("ftp://127.0.0.1/x"),
                scheme: s("ftp"),
            },
            s("Fetch API cannot load ftp://127.0.0.1/x. URL scheme \"ftp\" is not supported."),
        ),
    ];
    for (failure, expected) in table {
        assert_eq!(console_message(&failure, &FETCH), expected, "{failure:?}");
    }
}

#[test]
fn xhr_wording() {
    let xhr = MessageContext {
        initiator: Initiator::XmlHttpRequest,
        ..FETCH
    };
    assert_eq!(
        console_message(
            &Failure::AllowOriginMismatch {
                preflight: false,
                value: "null".into()
            },
            &xhr
        ),
        "Access to XMLHttpRequest at 'http://127.0.0.1:18301/x' from origin 'http://localhost:18302' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'null' that is not equal to the supplied origin."
    );
    assert!(
        console_message(&Failure::WildcardOriginNotAllowed { preflight: false }, &xhr)
            .ends_with("'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.")
    );
}

#[test]
fn redirected_wording() {
    let redirected = MessageContext {
        last_url: "http://localhost:18301/echo",
        ..FETCH
    };
    assert_eq!(
        console_message(
            &Failure::AllowOriginMismatch {
                preflight: true,
                value: "http://localhost:18302".into()
            },
            &redirected
        ),
        "Access to fetch at 'http://localhost:18301/echo' (redirected from 'http://127.0.0.1:18301/x') from origin 'http://localhost:18302' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The 'Access-Control-Allow-Origin' header has a value 'http://localhost:18302' that is not equal to the supplied origin. Have the server send the header with a valid value."
    );
}
