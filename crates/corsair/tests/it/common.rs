//! The CORS rules as a table, shared by every adapter's test.
//!
//! Each [`Case`] is a policy, a request, what the application behind the middleware answers, and
//! what must come out: whether the application ran, the status, and the exact value (or absence)
//! of each CORS header. An adapter test only has to provide a function that sends a request
//! through its middleware to an application with the given behaviour.

use corsair::{Cors, CorsBuilder};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};

/// What the application behind the middleware answers.
#[derive(Debug, Clone)]
pub struct App {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, &'static str)>,
}

impl App {
    pub fn ok() -> App {
        App {
            status: StatusCode::OK,
            headers: Vec::new(),
        }
    }

    pub fn status(code: u16) -> App {
        App {
            status: StatusCode::from_u16(code).unwrap(),
            headers: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: &'static str) -> App {
        self.headers.push((name, value));
        self
    }
}

/// What came back through the middleware.
#[derive(Debug)]
pub struct Observed {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// Whether the application was called.
    pub app_called: bool,
    /// The body as bytes (preflights must be empty).
    pub body: Vec<u8>,
}

/// One rule.
pub struct Case {
    pub name: &'static str,
    pub policy: fn() -> CorsBuilder,
    pub method: Method,
    pub path: &'static str,
    pub headers: Vec<(&'static str, &'static str)>,
    pub app: App,
    pub expect: Expect,
}

/// The expected outcome: `None` means "header absent".
pub struct Expect {
    pub app_called: bool,
    pub status: u16,
    pub headers: Vec<(&'static str, Option<&'static str>)>,
}

const ACAO: &str = "access-control-allow-origin";
const ACAC: &str = "access-control-allow-credentials";
const ACAM: &str = "access-control-allow-methods";
const ACAH: &str = "access-control-allow-headers";
const ACEH: &str = "access-control-expose-headers";
const ACMA: &str = "access-control-max-age";
const ACAPN: &str = "access-control-allow-private-network";
const VARY: &str = "vary";
const PREFLIGHT_VARY: &str =
    "origin, access-control-request-method, access-control-request-headers";

const APP: &str = "https://app.example";

fn app_policy() -> CorsBuilder {
    Cors::builder().allowed_origins([APP])
}

const PARTNER: &str = "https://partner.example";

/// The routes issue's example: a credentialed default policy, public paths for every origin
/// without credentials (listed before a more specific route it shadows on purpose), a partner
/// with its own origin, webhooks without CORS.
fn routed_policy() -> CorsBuilder {
    Cors::builder()
        .allowed_origins([APP])
        .allow_credentials(true)
        .expose_headers(["x-request-id"])
        .route(
            "^/public/",
            Cors::builder()
                .allow_all_origins(true)
                .allow_credentials(false)
                .allow_methods(["GET"]),
        )
        .route(
            "^/public/private/",
            Cors::builder().allowed_origins([PARTNER]),
        )
        .route("^/partner/", Cors::builder().allowed_origins([PARTNER]))
        .route("^/webhooks/", Cors::builder().enabled(false))
}

fn credentials_policy() -> CorsBuilder {
    Cors::builder()
        .allowed_origins([APP, "http://localhost:*", "https://*.example.com"])
        .allow_credentials(true)
        .expose_headers(["x-request-id"])
        .preflight_max_age(600)
}

fn preflight(origin: &'static str, method: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("origin", origin),
        ("access-control-request-method", method),
    ]
}

/// Headers of an allowed preflight answer under [`app_policy`] (the defaults).
fn default_preflight_answer(origin: &'static str) -> Vec<(&'static str, Option<&'static str>)> {
    vec![
        (ACAO, Some(origin)),
        (ACAC, None),
        (ACAM, Some("DELETE, GET, OPTIONS, PATCH, POST, PUT")),
        (
            ACAH,
            Some("accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with"),
        ),
        (ACMA, Some("86400")),
        (ACEH, None),
        (VARY, Some(PREFLIGHT_VARY)),
    ]
}

fn no_cors_headers(vary: Option<&'static str>) -> Vec<(&'static str, Option<&'static str>)> {
    vec![
        (ACAO, None),
        (ACAC, None),
        (ACAM, None),
        (ACAH, None),
        (ACEH, None),
        (ACMA, None),
        (VARY, vary),
    ]
}

/// Every rule of the engine, as the adapters must apply it.
pub fn cases() -> Vec<Case> {
    vec![
        // --- Actual requests -------------------------------------------------------------
        Case {
            name: "no Origin: application answers, Vary added, no CORS headers",
            policy: app_policy,
            method: Method::GET,
            path: "/items",
            headers: vec![],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "allowed origin: echoed",
            policy: app_policy,
            method: Method::GET,
            path: "/items",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![
                    (ACAO, Some(APP)),
                    (ACAC, None),
                    (ACEH, None),
                    (ACAM, None),
                    (VARY, Some("origin")),
                ],
            },
        },
        Case {
            name: "disallowed origin: application answers, no CORS headers, Vary added",
            policy: app_policy,
            method: Method::POST,
            path: "/items",
            headers: vec![("origin", "https://evil.example")],
            app: App::status(201),
            expect: Expect {
                app_called: true,
                status: 201,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "credentials and expose headers on an allowed actual request",
            policy: credentials_policy,
            method: Method::GET,
            path: "/items",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![
                    (ACAO, Some(APP)),
                    (ACAC, Some("true")),
                    (ACEH, Some("x-request-id")),
                    (ACMA, None),
                ],
            },
        },
        Case {
            name: "credentials are never sent to a disallowed origin",
            policy: credentials_policy,
            method: Method::GET,
            path: "/items",
            headers: vec![("origin", "https://evil.example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "error responses of the application get the headers (401)",
            policy: credentials_policy,
            method: Method::GET,
            path: "/private",
            headers: vec![("origin", APP)],
            app: App::status(401),
            expect: Expect {
                app_called: true,
                status: 401,
                headers: vec![(ACAO, Some(APP)), (ACAC, Some("true"))],
            },
        },
        Case {
            name: "error responses of the application get the headers (404)",
            policy: app_policy,
            method: Method::GET,
            path: "/missing",
            headers: vec![("origin", APP)],
            app: App::status(404),
            expect: Expect {
                app_called: true,
                status: 404,
                headers: vec![(ACAO, Some(APP)), (VARY, Some("origin"))],
            },
        },
        Case {
            name: "error responses of the application get the headers (500)",
            policy: app_policy,
            method: Method::GET,
            path: "/broken",
            headers: vec![("origin", APP)],
            app: App::status(500),
            expect: Expect {
                app_called: true,
                status: 500,
                headers: vec![(ACAO, Some(APP))],
            },
        },
        Case {
            name: "OPTIONS without Access-Control-Request-Method is an actual request",
            policy: app_policy,
            method: Method::OPTIONS,
            path: "/items",
            headers: vec![("origin", APP)],
            app: App::status(405),
            expect: Expect {
                app_called: true,
                status: 405,
                headers: vec![(ACAO, Some(APP)), (ACAM, None), (VARY, Some("origin"))],
            },
        },
        Case {
            name: "OPTIONS with ACRM but no Origin is not a preflight",
            policy: app_policy,
            method: Method::OPTIONS,
            path: "/items",
            headers: vec![("access-control-request-method", "PUT")],
            app: App::status(405),
            expect: Expect {
                app_called: true,
                status: 405,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "allow-all answers * to any origin",
            policy: || Cors::builder().allow_all_origins(true),
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://anyone.example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("*")), (ACAC, None), (VARY, Some("origin"))],
            },
        },
        Case {
            name: "allow-all answers * to null",
            policy: || Cors::builder().allow_all_origins(true),
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "null")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("*"))],
            },
        },
        Case {
            name: "null listed (without credentials) is echoed",
            policy: || Cors::builder().allowed_origins(["null"]),
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "null")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("null"))],
            },
        },
        Case {
            name: "null is not allowed unless listed (django's `garbage` quirk does not exist)",
            policy: || Cors::builder().allowed_origins(["null"]),
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "garbage")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "request origin in upper case matches after normalisation and is echoed as sent",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "HTTPS://APP.Example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("HTTPS://APP.Example"))],
            },
        },
        Case {
            name: "request origin with the default port matches and is echoed as sent",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://app.example:443")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("https://app.example:443"))],
            },
        },
        Case {
            name: "a configured default port matches what browsers send",
            policy: || Cors::builder().allowed_origins(["https://app.example:443"]),
            method: Method::GET,
            path: "/",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some(APP))],
            },
        },
        Case {
            name: "a request origin with a path is not an origin (django allowed it)",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://app.example/")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "a request origin with userinfo is not an origin",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://user@app.example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "two Origin lines are not allowed",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", APP), ("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "a list in one Origin value is not allowed",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://app.example, https://app.example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "scheme matters",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "http://app.example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, None)],
            },
        },
        Case {
            name: "port matters",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://app.example:8443")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, None)],
            },
        },
        Case {
            name: "subdomain pattern allows a subdomain",
            policy: credentials_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://eu.shop.example.com")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![
                    (ACAO, Some("https://eu.shop.example.com")),
                    (ACAC, Some("true")),
                ],
            },
        },
        Case {
            name: "subdomain pattern does not allow the apex",
            policy: credentials_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://example.com")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, None), (ACAC, None)],
            },
        },
        Case {
            name: "subdomain pattern does not allow a look-alike domain",
            policy: credentials_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://evilexample.com")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, None)],
            },
        },
        Case {
            name: "any-port pattern allows every port",
            policy: credentials_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "http://localhost:5173")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("http://localhost:5173"))],
            },
        },
        Case {
            name: "regexes match the whole origin (django matched only the start)",
            policy: || Cors::builder().allowed_origin_regexes([r"https://example\.com"]),
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://example.com.evil.net")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, None)],
            },
        },
        Case {
            name: "a regex allows what it matches",
            policy: || {
                Cors::builder().allowed_origin_regexes([
                    r"https://example\.com",
                    r"https://pr-\d+\.preview\.example",
                ])
            },
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://pr-42.preview.example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("https://pr-42.preview.example"))],
            },
        },
        Case {
            name: "an over-long origin is not allowed",
            policy: || Cors::builder().allowed_origin_regexes([r"https://[a-z.]+"]),
            method: Method::GET,
            path: "/",
            headers: vec![(
                "origin",
                concat!(
                    "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    ".aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    ".aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    ".aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"
                ),
            )],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, None)],
            },
        },
        // --- Vary -------------------------------------------------------------------------
        Case {
            name: "Vary is appended to the application's value",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", APP)],
            app: App::ok().with("vary", "accept-encoding"),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(VARY, Some("accept-encoding, origin"))],
            },
        },
        Case {
            name: "Vary already naming Origin (any case) is left alone",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![],
            app: App::ok().with("vary", "Accept-Encoding, Origin"),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(VARY, Some("Accept-Encoding, Origin"))],
            },
        },
        Case {
            name: "Vary: * is left alone",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://evil.example")],
            app: App::ok().with("vary", "*"),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(VARY, Some("*"))],
            },
        },
        // --- Application-set CORS headers --------------------------------------------------
        Case {
            name: "an allowed origin overrides the application's Access-Control-Allow-Origin",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", APP)],
            app: App::ok().with(ACAO, "*"),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some(APP))],
            },
        },
        Case {
            name: "a disallowed origin leaves the application's response untouched",
            policy: app_policy,
            method: Method::GET,
            path: "/",
            headers: vec![("origin", "https://evil.example")],
            app: App::ok().with(ACAO, "https://legacy.example"),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("https://legacy.example"))],
            },
        },
        // --- Preflights --------------------------------------------------------------------
        Case {
            name: "allowed preflight: 204 from corsair, the application never runs",
            policy: app_policy,
            method: Method::OPTIONS,
            path: "/items/1",
            headers: preflight(APP, "PUT"),
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: default_preflight_answer(APP),
            },
        },
        Case {
            name: "preflight for an unknown route is answered",
            policy: app_policy,
            method: Method::OPTIONS,
            path: "/no/such/route",
            headers: preflight(APP, "DELETE"),
            app: App::status(404),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: default_preflight_answer(APP),
            },
        },
        Case {
            name: "preflight for an auth-protected route is answered",
            policy: app_policy,
            method: Method::OPTIONS,
            path: "/private",
            headers: preflight(APP, "GET"),
            app: App::status(401),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: default_preflight_answer(APP),
            },
        },
        Case {
            name: "disallowed preflight: 204 without CORS headers, Vary set",
            policy: app_policy,
            method: Method::OPTIONS,
            path: "/items/1",
            headers: preflight("https://evil.example", "PUT"),
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: no_cors_headers(Some(PREFLIGHT_VARY)),
            },
        },
        Case {
            name: "preflight lists the configured methods and headers even when the request asks for others",
            policy: app_policy,
            method: Method::OPTIONS,
            path: "/",
            headers: vec![
                ("origin", APP),
                ("access-control-request-method", "PURGE"),
                ("access-control-request-headers", "x-token"),
            ],
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: default_preflight_answer(APP),
            },
        },
        Case {
            name: "preflight with credentials: ACAC, max-age, no expose",
            policy: credentials_policy,
            method: Method::OPTIONS,
            path: "/",
            headers: preflight("https://a.example.com", "PATCH"),
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: vec![
                    (ACAO, Some("https://a.example.com")),
                    (ACAC, Some("true")),
                    (ACMA, Some("600")),
                    (ACEH, None),
                ],
            },
        },
        Case {
            name: "max-age 0 sends no Access-Control-Max-Age",
            policy: || app_policy().preflight_max_age(0),
            method: Method::OPTIONS,
            path: "/",
            headers: preflight(APP, "PUT"),
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: vec![(ACAO, Some(APP)), (ACMA, None)],
            },
        },
        Case {
            name: "wildcard headers keep authorization listed",
            policy: || {
                Cors::builder()
                    .allow_all_origins(true)
                    .allow_headers(["*", "authorization"])
                    .allow_methods(["*"])
            },
            method: Method::OPTIONS,
            path: "/",
            headers: preflight(APP, "PUT"),
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: vec![
                    (ACAO, Some("*")),
                    (ACAH, Some("*, authorization")),
                    (ACAM, Some("*")),
                ],
            },
        },
        Case {
            name: "custom lists are sent as configured (headers lower-cased)",
            policy: || {
                app_policy()
                    .allow_methods(["GET", "POST"])
                    .allow_headers(["Content-Type", "X-Api-Key"])
            },
            method: Method::OPTIONS,
            path: "/",
            headers: preflight(APP, "POST"),
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: vec![
                    (ACAM, Some("GET, POST")),
                    (ACAH, Some("content-type, x-api-key")),
                ],
            },
        },
        // --- Private network access ---------------------------------------------------------
        Case {
            name: "private network: exact `true` from an allowed origin is answered",
            policy: || app_policy().allow_private_network(true),
            method: Method::OPTIONS,
            path: "/",
            headers: vec![
                ("origin", APP),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ],
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: vec![
                    (ACAPN, Some("true")),
                    (
                        VARY,
                        Some(
                            "origin, access-control-request-method, access-control-request-headers, access-control-request-private-network",
                        ),
                    ),
                ],
            },
        },
        Case {
            name: "private network: only the exact value `true`",
            policy: || app_policy().allow_private_network(true),
            method: Method::OPTIONS,
            path: "/",
            headers: vec![
                ("origin", APP),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "True"),
            ],
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: vec![(ACAO, Some(APP)), (ACAPN, None)],
            },
        },
        Case {
            name: "private network: not for disallowed origins",
            policy: || app_policy().allow_private_network(true),
            method: Method::OPTIONS,
            path: "/",
            headers: vec![
                ("origin", "https://evil.example"),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ],
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: vec![(ACAO, None), (ACAPN, None)],
            },
        },
        Case {
            name: "private network: not when the setting is off",
            policy: app_policy,
            method: Method::OPTIONS,
            path: "/",
            headers: vec![
                ("origin", APP),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ],
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: vec![(ACAO, Some(APP)), (ACAPN, None)],
            },
        },
        Case {
            name: "private network: not on actual requests",
            policy: || app_policy().allow_private_network(true),
            method: Method::GET,
            path: "/",
            headers: vec![
                ("origin", APP),
                ("access-control-request-private-network", "true"),
            ],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some(APP)), (ACAPN, None)],
            },
        },
        // --- urls_regex ---------------------------------------------------------------------
        Case {
            name: "urls_regex: a matching path gets CORS",
            policy: || app_policy().urls_regex("^/api/"),
            method: Method::GET,
            path: "/api/items",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some(APP))],
            },
        },
        Case {
            name: "urls_regex: other paths pass untouched (no Vary, preflight reaches the application)",
            policy: || app_policy().urls_regex("^/api/"),
            method: Method::OPTIONS,
            path: "/static/app.js",
            headers: preflight(APP, "PUT"),
            app: App::status(405),
            expect: Expect {
                app_called: true,
                status: 405,
                headers: no_cors_headers(None),
            },
        },
        Case {
            name: "urls_regex matches from the start of the path",
            policy: || app_policy().urls_regex("/items"),
            method: Method::GET,
            path: "/api/items",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(None),
            },
        },
        Case {
            name: "urls_regex matches the path upstreams route on: percent-decoded",
            policy: || app_policy().urls_regex("^/api/"),
            method: Method::GET,
            path: "/%61pi/items",
            headers: vec![("origin", "https://evil.example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "urls_regex matches the path upstreams route on: slashes merged",
            policy: || app_policy().urls_regex("^/api/"),
            method: Method::GET,
            path: "//api/items",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some(APP)), (VARY, Some("origin"))],
            },
        },
        Case {
            name: "urls_regex matches the path upstreams route on: dot segments removed",
            policy: || app_policy().urls_regex("^/api/"),
            method: Method::GET,
            path: "/api/..%2fadmin",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(None),
            },
        },
        Case {
            name: "routes: the first route whose path matches decides",
            policy: routed_policy,
            method: Method::GET,
            path: "/public/private/x",
            headers: vec![("origin", "https://stranger.example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("*")), (ACAC, None), (VARY, Some("origin"))],
            },
        },
        Case {
            name: "routes: a named list replaces the inherited one",
            policy: routed_policy,
            method: Method::GET,
            path: "/partner/orders",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "routes: what a route does not name is inherited",
            policy: routed_policy,
            method: Method::GET,
            path: "/partner/orders",
            headers: vec![("origin", PARTNER)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![
                    (ACAO, Some(PARTNER)),
                    (ACAC, Some("true")),
                    (ACEH, Some("x-request-id")),
                ],
            },
        },
        Case {
            name: "routes: a preflight is answered by its route's policy",
            policy: routed_policy,
            method: Method::OPTIONS,
            path: "/public/feed",
            headers: preflight("https://stranger.example", "PUT"),
            app: App::ok(),
            expect: Expect {
                app_called: false,
                status: 204,
                headers: vec![
                    (ACAO, Some("*")),
                    (ACAC, None),
                    (ACAM, Some("GET")),
                    (VARY, Some(PREFLIGHT_VARY)),
                ],
            },
        },
        Case {
            name: "routes: enabled = false passes the request untouched",
            policy: routed_policy,
            method: Method::OPTIONS,
            path: "/webhooks/stripe",
            headers: preflight(APP, "POST"),
            app: App::status(405),
            expect: Expect {
                app_called: true,
                status: 405,
                headers: no_cors_headers(None),
            },
        },
        Case {
            name: "routes: off every route, the default policy",
            policy: routed_policy,
            method: Method::GET,
            path: "/api/me",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some(APP)), (ACAC, Some("true"))],
            },
        },
        Case {
            name: "routes: chosen on the normalized path",
            policy: routed_policy,
            method: Method::GET,
            path: "/%70ublic//feed",
            headers: vec![("origin", "https://stranger.example")],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some("*"))],
            },
        },
        Case {
            name: "routes: chosen with each segment's ; parameters cut, as servlet containers serve",
            policy: routed_policy,
            method: Method::GET,
            path: "/partner;v=2/orders",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "routes: ..; climbs out of a route as servlet containers resolve it",
            policy: routed_policy,
            method: Method::GET,
            path: "/public/..;/partner/orders",
            headers: vec![("origin", PARTNER)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![
                    (ACAO, Some(PARTNER)),
                    (ACAC, Some("true")),
                    (ACEH, Some("x-request-id")),
                ],
            },
        },
        Case {
            name: "enabled = false passes every request untouched",
            policy: || app_policy().enabled(false),
            method: Method::GET,
            path: "/api/items",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(None),
            },
        },
        Case {
            name: "routes: a path whose route depends on its case gets only what both readings grant",
            policy: routed_policy,
            method: Method::GET,
            path: "/PARTNER/orders",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "routes: a path a case-insensitive upstream serves from a disabled route is granted nothing",
            policy: routed_policy,
            method: Method::GET,
            path: "/Webhooks/hook",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "routes: a lower-case path is read both ways when a route's path has capitals",
            policy: || app_policy().route("^/Reports/", Cors::builder().allowed_origins([PARTNER])),
            method: Method::GET,
            path: "/reports/q3",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(Some("origin")),
            },
        },
        Case {
            name: "routes: case_insensitive_paths reads paths as a case-insensitive upstream does",
            policy: || routed_policy().case_insensitive_paths(true),
            method: Method::GET,
            path: "/PARTNER/orders",
            headers: vec![("origin", PARTNER)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![
                    (ACAO, Some(PARTNER)),
                    (ACAC, Some("true")),
                    (ACEH, Some("x-request-id")),
                ],
            },
        },
        Case {
            name: "routes: chosen among the paths urls_regex leaves to CORS",
            policy: || routed_policy().urls_regex("^/(public|partner|api)/"),
            method: Method::GET,
            path: "/other/x",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: no_cors_headers(None),
            },
        },
        Case {
            name: "urls_regex ignores the query",
            policy: || app_policy().urls_regex("^/v/$"),
            method: Method::GET,
            path: "/v/?a=b",
            headers: vec![("origin", APP)],
            app: App::ok(),
            expect: Expect {
                app_called: true,
                status: 200,
                headers: vec![(ACAO, Some(APP))],
            },
        },
    ]
}

/// Builds the request of a case. Header values are made the way hyper makes them (shared bytes).
pub fn request(case: &Case) -> Request<()> {
    let mut request = Request::builder()
        .method(case.method.clone())
        .uri(case.path)
        .body(())
        .unwrap();
    for (name, value) in &case.headers {
        request.headers_mut().append(
            HeaderName::from_static(name),
            HeaderValue::from_maybe_shared(bytes::Bytes::copy_from_slice(value.as_bytes()))
                .unwrap(),
        );
    }
    request
}

/// Checks an observed outcome against the case; returns a description of every difference.
pub fn compare(case: &Case, observed: &Observed) -> Vec<String> {
    let mut problems = Vec::new();
    if observed.app_called != case.expect.app_called {
        problems.push(format!(
            "application called: expected {}, got {}",
            case.expect.app_called, observed.app_called
        ));
    }
    if observed.status.as_u16() != case.expect.status {
        problems.push(format!(
            "status: expected {}, got {}",
            case.expect.status, observed.status
        ));
    }
    for (name, expected) in &case.expect.headers {
        let values: Vec<&str> = observed
            .headers
            .get_all(*name)
            .iter()
            .map(|v| v.to_str().unwrap_or("<non-ascii>"))
            .collect();
        let actual = match values.as_slice() {
            [] => None,
            [one] => Some(*one),
            _ => {
                problems.push(format!("{name}: expected one line, got {values:?}"));
                continue;
            }
        };
        if actual != *expected {
            problems.push(format!("{name}: expected {expected:?}, got {actual:?}"));
        }
    }
    if case.expect.status == 204 && !observed.body.is_empty() {
        problems.push(format!(
            "preflight body must be empty, got {} bytes",
            observed.body.len()
        ));
    }
    problems
}

/// Runs every case through `send` and panics with every failure at once (the actix adapter's
/// table; the tower adapter's tests walk `cases` themselves, in an async loop).
#[cfg(feature = "actix")]
pub fn run_table(mut send: impl FnMut(Cors, Request<()>, App) -> Observed) {
    let mut failures = Vec::new();
    let cases = cases();
    for case in &cases {
        let cors = (case.policy)()
            .build()
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let observed = send(cors, request(case), case.app.clone());
        for problem in compare(case, &observed) {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rules failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
