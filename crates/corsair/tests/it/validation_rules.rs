//! Every build-time rule: what is refused, what is only warned about, and the fix each finding
//! gives.

use corsair::{Cors, CorsBuilder, Setting, Severity};

struct Rule {
    name: &'static str,
    policy: CorsBuilder,
    /// `(severity, id, setting, fix must contain)`, in order.
    findings: Vec<(Severity, &'static str, Setting, &'static str)>,
}

use Severity::{Error as E, Warning as W};

fn origins<const N: usize>(list: [&str; N]) -> CorsBuilder {
    Cors::builder().allowed_origins(list)
}

fn creds<const N: usize>(list: [&str; N]) -> CorsBuilder {
    origins(list).allow_credentials(true)
}

fn rules() -> Vec<Rule> {
    use Setting::*;
    vec![
        Rule {
            name: "a clean policy",
            policy: origins(["https://app.example"]),
            findings: vec![],
        },
        Rule {
            name: "nothing allowed",
            policy: Cors::builder(),
            findings: vec![(
                E,
                "no-origin-allowed",
                AllowedOrigins,
                "allowed_origins = [\"http://localhost:8080\"]",
            )],
        },
        Rule {
            name: "a hook counts as allowing origins",
            policy: Cors::builder().allow_origin_if(|_| false),
            findings: vec![],
        },
        Rule {
            name: "* in the list",
            policy: origins(["*"]),
            findings: vec![(
                E,
                "wildcard-in-allowed-origins",
                AllowedOrigins,
                "allow_all_origins = true",
            )],
        },
        Rule {
            name: "allow-all with credentials",
            policy: Cors::builder()
                .allow_all_origins(true)
                .allow_credentials(true),
            findings: vec![(
                E,
                "credentials-with-allow-all",
                AllowAllOrigins,
                "https://*.example.com",
            )],
        },
        Rule {
            name: "* headers, methods and expose with credentials",
            policy: creds(["https://app.example"])
                .allow_headers(["*"])
                .allow_methods(["*"])
                .expose_headers(["*"]),
            findings: vec![
                (
                    E,
                    "wildcard-with-credentials",
                    AllowMethods,
                    "allow_methods = [\"GET\"",
                ),
                (
                    E,
                    "wildcard-with-credentials",
                    AllowHeaders,
                    "list the header names in allow_headers",
                ),
                (
                    E,
                    "wildcard-with-credentials",
                    ExposeHeaders,
                    "list the header names in expose_headers",
                ),
            ],
        },
        Rule {
            name: "trailing slash",
            policy: origins(["https://app.example/"]),
            findings: vec![(
                E,
                "origin-has-path",
                AllowedOrigins,
                "write `https://app.example`",
            )],
        },
        Rule {
            name: "path",
            policy: origins(["https://app.example/login"]),
            findings: vec![(
                E,
                "origin-has-path",
                AllowedOrigins,
                "write `https://app.example`",
            )],
        },
        Rule {
            name: "query",
            policy: origins(["https://app.example?x=1"]),
            findings: vec![(
                E,
                "origin-has-query",
                AllowedOrigins,
                "write `https://app.example`",
            )],
        },
        Rule {
            name: "fragment",
            policy: origins(["https://app.example#top"]),
            findings: vec![(
                E,
                "origin-has-fragment",
                AllowedOrigins,
                "write `https://app.example`",
            )],
        },
        Rule {
            name: "userinfo",
            policy: origins(["https://user:pw@app.example"]),
            findings: vec![(
                E,
                "origin-has-userinfo",
                AllowedOrigins,
                "write `https://app.example`",
            )],
        },
        Rule {
            name: "missing scheme",
            policy: origins(["app.example:8080"]),
            findings: vec![(
                E,
                "origin-missing-scheme",
                AllowedOrigins,
                "write `https://app.example:8080`",
            )],
        },
        Rule {
            name: "missing host",
            policy: origins(["https://"]),
            findings: vec![(
                E,
                "origin-missing-host",
                AllowedOrigins,
                "https://app.example.com",
            )],
        },
        Rule {
            name: "whitespace",
            policy: origins([" https://app.example"]),
            findings: vec![(
                E,
                "origin-has-whitespace",
                AllowedOrigins,
                "write `https://app.example`",
            )],
        },
        Rule {
            name: "non-ASCII host suggests punycode",
            policy: origins(["https://bücher.example"]),
            findings: vec![(
                E,
                "origin-non-ascii-host",
                AllowedOrigins,
                "write `https://xn--bcher-kva.example`",
            )],
        },
        Rule {
            name: "shortened IPv4",
            policy: origins(["http://127.1:8000"]),
            findings: vec![(
                E,
                "origin-non-canonical-ip",
                AllowedOrigins,
                "write `http://127.0.0.1:8000`",
            )],
        },
        Rule {
            name: "hexadecimal IPv4",
            policy: origins(["http://0x7f.0.0.1"]),
            findings: vec![(
                E,
                "origin-non-canonical-ip",
                AllowedOrigins,
                "write `http://127.0.0.1`",
            )],
        },
        Rule {
            name: "long-form IPv6",
            policy: origins(["http://[0:0:0:0:0:0:0:1]:8000"]),
            findings: vec![(
                E,
                "origin-non-canonical-ip",
                AllowedOrigins,
                "write `http://[::1]:8000`",
            )],
        },
        Rule {
            name: "port out of range",
            policy: origins(["http://localhost:70000"]),
            findings: vec![(
                E,
                "origin-port-out-of-range",
                AllowedOrigins,
                "http://localhost:*",
            )],
        },
        Rule {
            name: "file://",
            policy: origins(["file://"]),
            findings: vec![(E, "file-origin", AllowedOrigins, "http://localhost:8080")],
        },
        Rule {
            name: "null with credentials",
            policy: creds(["null"]),
            findings: vec![(E, "null-with-credentials", AllowedOrigins, "remove `null`")],
        },
        Rule {
            name: "null without credentials is a warning",
            policy: origins(["null"]),
            findings: vec![(W, "null-origin-allowed", AllowedOrigins, "real origin")],
        },
        Rule {
            name: "plain http with credentials",
            policy: creds(["http://app.example"]),
            findings: vec![(
                E,
                "insecure-origin-with-credentials",
                AllowedOrigins,
                "write `https://app.example`",
            )],
        },
        Rule {
            name: "plain http with credentials, explicitly accepted",
            policy: creds(["http://app.example"]).allow_insecure_origins_with_credentials(true),
            findings: vec![],
        },
        Rule {
            name: "loopback http with credentials is fine",
            policy: creds([
                "http://localhost:8080",
                "http://127.0.0.1:3000",
                "http://[::1]:5173",
                "http://localhost:*",
            ]),
            findings: vec![],
        },
        Rule {
            name: "subdomain pattern on a public suffix with credentials",
            policy: creds([
                "https://*.com",
                "https://*.github.io",
                "https://*.example.com",
            ]),
            findings: vec![
                (
                    E,
                    "pattern-on-public-suffix",
                    AllowedOrigins,
                    "https://yourapp.com",
                ),
                (
                    E,
                    "pattern-on-public-suffix",
                    AllowedOrigins,
                    "https://yourapp.github.io",
                ),
            ],
        },
        Rule {
            name: "subdomain patterns on wildcard rules of the Public Suffix List with credentials",
            policy: creds([
                "https://*.np",
                "https://*.compute.amazonaws.com",
                "https://*.platform.sh",
                "https://*.sch.uk",
                "https://*.ck",
                "https://*.nom.br",
            ]),
            findings: vec![
                (
                    E,
                    "pattern-on-public-suffix",
                    AllowedOrigins,
                    "https://app.yourname.np",
                ),
                (
                    E,
                    "pattern-on-public-suffix",
                    AllowedOrigins,
                    "https://app.yourname.compute.amazonaws.com",
                ),
                (
                    E,
                    "pattern-on-public-suffix",
                    AllowedOrigins,
                    "https://app.yourname.platform.sh",
                ),
                (
                    E,
                    "pattern-on-public-suffix",
                    AllowedOrigins,
                    "https://app.yourname.sch.uk",
                ),
                (
                    E,
                    "pattern-on-public-suffix",
                    AllowedOrigins,
                    "https://app.yourname.ck",
                ),
                (
                    E,
                    "pattern-on-public-suffix",
                    AllowedOrigins,
                    "https://app.yourname.nom.br",
                ),
            ],
        },
        Rule {
            name: "subdomain patterns under a registrable domain the list carves out",
            policy: creds([
                "https://*.www.ck",
                "https://*.city.kawasaki.jp",
                "https://*.evil.com.np",
                "https://*.example.com",
            ]),
            findings: vec![],
        },
        Rule {
            name: "wildcard rules without credentials are not refused",
            policy: origins(["https://*.np", "https://*.compute.amazonaws.com"]),
            findings: vec![],
        },
        Rule {
            name: "a * elsewhere than a whole subdomain or the port",
            policy: origins(["https://app-*.example.com"]),
            findings: vec![(
                E,
                "origin-invalid-pattern",
                AllowedOrigins,
                "allowed_origin_regexes",
            )],
        },
        Rule {
            name: "regex that does not compile",
            policy: Cors::builder().allowed_origin_regexes(["https://(unclosed"]),
            findings: vec![(E, "invalid-regex", AllowedOriginRegexes, "fix the syntax")],
        },
        Rule {
            name: "regex with an unescaped dot",
            policy: Cors::builder().allowed_origin_regexes([r"https://app.example\.com"]),
            findings: vec![
                (
                    W,
                    "regex-unescaped-dot",
                    AllowedOriginRegexes,
                    r"write `https://app\.example\.com`",
                ),
                (
                    W,
                    "broad-regex",
                    AllowedOriginRegexes,
                    r"write `https://app\.example\.com`",
                ),
            ],
        },
        Rule {
            name: "regex with unescaped dots, without credentials: warnings",
            policy: Cors::builder().allowed_origin_regexes(["https://app.example.com"]),
            findings: vec![
                (
                    W,
                    "regex-unescaped-dot",
                    AllowedOriginRegexes,
                    r"write `https://app\.example\.com`",
                ),
                (
                    W,
                    "broad-regex",
                    AllowedOriginRegexes,
                    r"escape the dots, which match any character: write `https://app\.example\.com`",
                ),
            ],
        },
        Rule {
            name: "regex with unescaped dots, with credentials: others' domains refused",
            policy: Cors::builder()
                .allowed_origin_regexes(["https://app.example.com"])
                .allow_credentials(true),
            findings: vec![
                (
                    E,
                    "broad-regex-with-credentials",
                    AllowedOriginRegexes,
                    r"write `https://app\.example\.com`",
                ),
                (
                    W,
                    "regex-unescaped-dot",
                    AllowedOriginRegexes,
                    r"write `https://app\.example\.com`",
                ),
            ],
        },
        Rule {
            name: "a class in the registrable label with credentials",
            policy: Cors::builder()
                .allowed_origin_regexes([
                    r"https://shop\d+\.com",
                    r"https://app[a-z]\.example\.com",
                ])
                .allow_credentials(true),
            findings: vec![(
                E,
                "broad-regex-with-credentials",
                AllowedOriginRegexes,
                "anchor it to your own domain",
            )],
        },
        Rule {
            name: "escaped dots and subdomain classes with credentials are clean",
            policy: Cors::builder()
                .allowed_origin_regexes([
                    r"https://app\.example\.com",
                    r"https://[a-z0-9-]+\.example\.com",
                    r"https://example[12]\.com",
                ])
                .allow_credentials(true),
            findings: vec![],
        },
        Rule {
            name: "regex matching any origin",
            policy: Cors::builder().allowed_origin_regexes([r"https://.*"]),
            findings: vec![(
                W,
                "broad-regex",
                AllowedOriginRegexes,
                "anchor it to your own domain",
            )],
        },
        Rule {
            name: "a match-everything regex with credentials",
            policy: creds(["https://app.example"]).allowed_origin_regexes([".*"]),
            findings: vec![(
                E,
                "broad-regex-with-credentials",
                AllowedOriginRegexes,
                "anchor it to your own domain",
            )],
        },
        Rule {
            name: "any https origin with credentials",
            policy: creds(["https://app.example"]).allowed_origin_regexes([r"https://.*"]),
            findings: vec![(
                E,
                "broad-regex-with-credentials",
                AllowedOriginRegexes,
                "anchor it to your own domain",
            )],
        },
        Rule {
            name: "any https host with credentials",
            policy: creds(["https://app.example"]).allowed_origin_regexes([r"https://[^/]+"]),
            findings: vec![(
                E,
                "broad-regex-with-credentials",
                AllowedOriginRegexes,
                "anchor it to your own domain",
            )],
        },
        Rule {
            name: "a lookalike domain with credentials",
            policy: creds(["https://app.example"])
                .allowed_origin_regexes([r"https://([a-z]+\.)?.*example\.com"]),
            findings: vec![(
                E,
                "broad-regex-with-credentials",
                AllowedOriginRegexes,
                "anchor it to your own domain",
            )],
        },
        Rule {
            name: "a regex matching null with credentials",
            policy: creds(["https://app.example"])
                .allowed_origin_regexes([r"null|https://app\.example\.com"]),
            findings: vec![(
                E,
                "broad-regex-with-credentials",
                AllowedOriginRegexes,
                "cannot match `null`",
            )],
        },
        Rule {
            name: "a regex matching plain-http origins with credentials",
            policy: creds(["https://app.example"])
                .allowed_origin_regexes([r"https?://([a-z0-9-]+\.)*example\.com"]),
            findings: vec![(
                E,
                "insecure-origin-with-credentials",
                AllowedOriginRegexes,
                "match `https://` only",
            )],
        },
        Rule {
            name: "regexes on your own domain with credentials are clean",
            policy: creds(["https://app.example"]).allowed_origin_regexes([
                r"^https://\w+\.example\.com$",
                r"https://([a-z0-9-]+\.)*example\.com",
                r"https://pr-\d+\.preview\.example",
                r"http://localhost:\d+",
            ]),
            findings: vec![],
        },
        Rule {
            name: "a regex that closes the anchoring group is invalid on its own",
            policy: Cors::builder()
                .allowed_origin_regexes([r"https://app\.example\.com)|(https://app\.example\.com"]),
            findings: vec![(E, "invalid-regex", AllowedOriginRegexes, "fix the syntax")],
        },
        Rule {
            name: "a regex that matches no origin a browser sends",
            policy: Cors::builder().allowed_origin_regexes([r"https://app\.example\.com/"]),
            findings: vec![(
                E,
                "regex-never-matches",
                AllowedOriginRegexes,
                "https://[a-z0-9-]+",
            )],
        },
        Rule {
            name: "a urls_regex that no path can match",
            policy: origins(["https://app.example"]).urls_regex("api/"),
            findings: vec![(
                E,
                "urls-regex-never-matches",
                UrlsRegex,
                "urls_regex = \"^/api/\"",
            )],
        },
        Rule {
            name: "a urls_regex that closes its group is invalid on its own",
            policy: origins(["https://app.example"]).urls_regex("/api/)|(.*"),
            findings: vec![(E, "invalid-regex", UrlsRegex, "urls_regex = \"^/api/\"")],
        },
        Rule {
            name: "urls_regex that does not compile",
            policy: origins(["https://app.example"]).urls_regex("^/api/(v1"),
            findings: vec![(E, "invalid-regex", UrlsRegex, "urls_regex = \"^/api/\"")],
        },
        Rule {
            name: "invalid and forbidden methods",
            policy: origins(["https://app.example"])
                .allow_methods(["GET PUT", "TRACE", "connect", "get"]),
            findings: vec![
                (E, "invalid-method", AllowMethods, "one method per entry"),
                (E, "forbidden-method", AllowMethods, "remove it"),
                (E, "forbidden-method", AllowMethods, "remove it"),
                (W, "method-not-normalised", AllowMethods, "write `GET`"),
            ],
        },
        Rule {
            name: "invalid header name",
            policy: origins(["https://app.example"]).allow_headers(["x token"]),
            findings: vec![(
                E,
                "invalid-header-name",
                AllowHeaders,
                "one header name per entry",
            )],
        },
        Rule {
            name: "response-only CORS header in allow_headers",
            policy: origins(["https://app.example"]).allow_headers(["Access-Control-Allow-Origin"]),
            findings: vec![(
                E,
                "response-header-in-allow-headers",
                AllowHeaders,
                "remove it",
            )],
        },
        Rule {
            name: "forbidden request headers in allow_headers",
            policy: origins(["https://app.example"]).allow_headers([
                "accept-encoding",
                "cookie",
                "sec-fetch-mode",
                "content-type",
            ]),
            findings: vec![
                (W, "forbidden-request-header", AllowHeaders, "remove it"),
                (W, "forbidden-request-header", AllowHeaders, "remove it"),
                (W, "forbidden-request-header", AllowHeaders, "remove it"),
            ],
        },
        Rule {
            name: "expose set-cookie and safelisted headers",
            policy: origins(["https://app.example"]).expose_headers(["set-cookie", "content-type"]),
            findings: vec![
                (W, "set-cookie-never-exposed", ExposeHeaders, "remove it"),
                (W, "safelisted-response-header", ExposeHeaders, "remove it"),
            ],
        },
        Rule {
            name: "max-age above a day",
            policy: origins(["https://app.example"]).preflight_max_age(86_401),
            findings: vec![(
                E,
                "max-age-too-large",
                PreflightMaxAge,
                "preflight_max_age = 7200",
            )],
        },
        Rule {
            name: "`*` in allow_headers without authorization",
            policy: origins(["https://app.example"]).allow_headers(["*"]),
            findings: vec![(
                W,
                "wildcard-does-not-cover-authorization",
                AllowHeaders,
                "[\"*\", \"authorization\"]",
            )],
        },
        Rule {
            name: "`*` next to authorization is clean",
            policy: origins(["https://app.example"]).allow_headers(["*", "authorization"]),
            findings: vec![],
        },
        Rule {
            name: "max-age above Chromium's cap",
            policy: origins(["https://app.example"]).preflight_max_age(10_000),
            findings: vec![(
                W,
                "max-age-above-browser-cap",
                PreflightMaxAge,
                "preflight_max_age = 7200",
            )],
        },
        Rule {
            name: "upper case and default port are normalised with a warning",
            policy: origins(["HTTPS://App.Example:443"]),
            findings: vec![
                (
                    W,
                    "origin-default-port",
                    AllowedOrigins,
                    "https://App.Example",
                ),
                (
                    W,
                    "origin-not-canonical",
                    AllowedOrigins,
                    "write `https://app.example`",
                ),
            ],
        },
    ]
}

#[test]
fn every_rule_reports_its_findings_with_a_fix() {
    let mut failures = Vec::new();
    let rules = rules();
    for rule in rules {
        let found = match rule.policy.build() {
            Ok(cors) => cors.warnings().to_vec(),
            Err(err) => err.into_findings(),
        };
        let got: Vec<_> = found
            .iter()
            .map(|f| (f.severity, f.id, f.setting))
            .collect();
        let want: Vec<_> = rule
            .findings
            .iter()
            .map(|(s, id, setting, _)| (*s, *id, *setting))
            .collect();
        if got != want {
            failures.push(format!("{}: expected {want:?}, got {got:?}", rule.name));
            continue;
        }
        for (finding, (_, _, _, fix)) in found.iter().zip(&rule.findings) {
            if !finding.fix.contains(fix) {
                failures.push(format!(
                    "{}: fix {:?} does not contain {fix:?}",
                    rule.name, finding.fix
                ));
            }
            if finding.message.is_empty() {
                failures.push(format!("{}: empty message", rule.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn errors_name_the_offending_value() {
    let err = origins(["https://a.example/", "https://b.example"])
        .allow_all_origins(false)
        .build()
        .unwrap_err();
    assert_eq!(
        err.findings()[0].value.as_deref(),
        Some("https://a.example/")
    );
    let text = err.to_string();
    assert!(
        text.starts_with("invalid CORS configuration (1 error):"),
        "{text}"
    );
    assert!(
        text.contains(r#"error[origin-has-path] allowed_origins = "https://a.example/""#),
        "{text}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let err = Cors::builder()
        .allowed_origins(["https://a.example/", "localhost", "*"])
        .allow_all_origins(true)
        .allow_credentials(true)
        .allow_methods(["TRACE"])
        .preflight_max_age(100_000)
        .build()
        .unwrap_err();
    let ids: Vec<&str> = err.errors().map(|f| f.id).collect();
    for id in [
        "origin-has-path",
        "origin-missing-scheme",
        "wildcard-in-allowed-origins",
        "credentials-with-allow-all",
        "forbidden-method",
        "max-age-too-large",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
#[cfg(feature = "config")]
fn config_files_and_builder_agree() {
    let config: corsair::CorsConfig = toml::from_str(
        r#"
        allowed_origins = ["https://app.example/"]
        allow_credentials = true
        allow_all_origins = true
        "#,
    )
    .unwrap();
    let from_file = Cors::from_config(&config).unwrap_err();
    let from_builder = origins(["https://app.example/"])
        .allow_credentials(true)
        .allow_all_origins(true)
        .build()
        .unwrap_err();
    assert_eq!(from_file, from_builder);
}

/// `(severity, id, route index or None for the default policy, inherited, related inherited,
/// about the route's path)`.
type RouteFinding = (Severity, &'static str, Option<usize>, bool, bool, bool);

#[test]
fn each_route_is_validated_on_its_own_and_its_findings_name_it() {
    let base = || creds(["https://app.example"]);
    let table: Vec<(&str, CorsBuilder, Vec<RouteFinding>)> = vec![
        (
            "allow-all on a route, credentials inherited",
            base().route("^/public/", Cors::builder().allow_all_origins(true)),
            vec![(E, "credentials-with-allow-all", Some(0), false, true, false)],
        ),
        (
            "`*` headers on a route, credentials inherited",
            base().route("^/open/", Cors::builder().allow_headers(["*"])),
            vec![(E, "wildcard-with-credentials", Some(0), false, true, false)],
        ),
        (
            "a bad origin named by a route",
            base().route(
                "^/partner/",
                Cors::builder().allowed_origins(["https://partner.example/"]),
            ),
            vec![(E, "origin-has-path", Some(0), false, false, false)],
        ),
        (
            "a bad inherited origin is the default policy's finding only",
            creds(["https://app.example/"]).route("^/x/", Cors::builder().preflight_max_age(60)),
            vec![(E, "origin-has-path", None, false, false, false)],
        ),
        (
            "a route path that does not compile",
            base().route("^/x(", Cors::builder().allow_credentials(false)),
            vec![(E, "invalid-regex", Some(0), false, false, true)],
        ),
        (
            "a route path no request path can match",
            base().route("public/", Cors::builder().allow_credentials(false)),
            vec![(E, "route-path-never-matches", Some(0), false, false, true)],
        ),
        (
            "urls_regex on a route",
            base().route("^/x/", Cors::builder().urls_regex("^/x/")),
            vec![(E, "urls-regex-on-route", Some(0), false, false, false)],
        ),
        (
            "case_insensitive_paths on a route",
            base().route("^/x/", Cors::builder().case_insensitive_paths(true)),
            vec![(
                E,
                "case-insensitive-paths-on-route",
                Some(0),
                false,
                false,
                false,
            )],
        ),
        (
            "a route that changes nothing",
            base().route("^/x/", Cors::builder().allow_credentials(true)),
            vec![(W, "route-same-as-default", Some(0), false, false, true)],
        ),
        (
            "a route an earlier route shadows",
            base()
                .route("^/public/", Cors::builder().allow_credentials(false))
                .route("^/public/private/", Cors::builder().preflight_max_age(60)),
            vec![(W, "route-never-matches", Some(1), false, false, true)],
        ),
        (
            "well-ordered routes are clean",
            base()
                .route("^/public/private/", Cors::builder().preflight_max_age(60))
                .route(
                    "^/public/",
                    Cors::builder()
                        .allow_all_origins(true)
                        .allow_credentials(false),
                )
                .route("^/webhooks/", Cors::builder().enabled(false)),
            vec![],
        ),
    ];
    let mut failures = Vec::new();
    for (name, builder, expected) in table {
        let found = match builder.build() {
            Ok(cors) => cors.warnings().to_vec(),
            Err(error) => error.into_findings(),
        };
        let got: Vec<RouteFinding> = found
            .iter()
            .map(|f| {
                let scope = f.route.as_ref();
                (
                    f.severity,
                    f.id,
                    scope.map(|s| s.index),
                    scope.is_some_and(|s| s.inherited),
                    scope.is_some_and(|s| s.related_inherited),
                    scope.is_some_and(|s| s.about_path),
                )
            })
            .collect();
        if got != expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
        for finding in found.iter().filter(|f| f.route.is_some()) {
            let text = finding.to_string();
            let route = finding.route.as_ref().unwrap();
            if !text.contains(&format!(
                "cors.routes[{}] (path {:?})",
                route.index, route.path
            )) {
                failures.push(format!("{name}: {text} does not name its route"));
            }
            if route.related_inherited && !text.contains("inherited from [cors]") {
                failures.push(format!("{name}: {text} does not say what was inherited"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[cfg(feature = "config")]
fn routes_are_read_from_toml_with_the_settings_words() {
    let config: corsair::CorsConfig = toml::from_str(
        r#"
        allowed_origins = ["https://app.example"]
        allow_credentials = true
        expose_headers = ["x-request-id"]

        [[routes]]
        path = "^/public/"
        allow_all_origins = true
        allow_credentials = false

        [[routes]]
        path = "^/partner/"
        allowed_origins = ["https://partner.example.org"]

        [[routes]]
        path = "^/webhooks/"
        enabled = false
        "#,
    )
    .unwrap();
    let cors = Cors::from_config(&config).unwrap();
    let routes: Vec<String> = cors.routes().map(|r| r.to_string()).collect();
    assert_eq!(routes.len(), 3);
    assert!(
        routes[0].contains("origins=* credentials=false"),
        "{}",
        routes[0]
    );
    assert!(
        routes[1].contains("origins=[https://partner.example.org] credentials=true"),
        "{}",
        routes[1]
    );
    assert!(routes[2].ends_with("enabled=false"), "{}", routes[2]);
    let errors = [
        (
            "[[routes]]\nallow_all_origins = true",
            "a route needs a `path`",
        ),
        (
            "[[routes]]\npath = \"^/x/\"\nallow_credential = true",
            "did you mean `allow_credentials`?",
        ),
        (
            "[[routes]]\npath = \"^/x/\"\n[[routes.routes]]\npath = \"^/y/\"",
            "cannot have routes",
        ),
        (
            "[[routes]]\npath = \"^/x/\"\nenabled = \"no\"",
            "enabled must be true or false",
        ),
    ];
    for (text, message) in errors {
        let err = toml::from_str::<corsair::CorsConfig>(text)
            .unwrap_err()
            .to_string();
        assert!(err.contains(message), "{text}: {err}");
    }
}

fn allowed(cors: &Cors, origin: &str) -> bool {
    let mut headers = http::HeaderMap::new();
    headers.insert("origin", origin.parse().unwrap());
    cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers)
        .now()
        .expect("no async hook")
        .is_allowed()
}

/// Entries of an origin set (what Redis and PostgreSQL sources fill) go through the same rule:
/// a pattern under a wildcard rule of the Public Suffix List is kept for policies without
/// credentials only.
#[test]
fn origin_set_patterns_on_wildcard_public_suffixes_get_no_credentials() {
    let tenants = corsair::OriginSet::new();
    let findings = tenants.replace([
        "https://*.np",
        "https://*.compute.amazonaws.com",
        "https://*.platform.sh",
        "https://*.example.com",
    ]);
    let restricted: Vec<&str> = findings
        .iter()
        .filter(|f| f.id == "origin-set-entry-without-credentials")
        .filter(|f| f.message.contains("public suffix"))
        .filter_map(|f| f.value.as_deref())
        .collect();
    assert_eq!(
        restricted,
        [
            "https://*.np",
            "https://*.compute.amazonaws.com",
            "https://*.platform.sh"
        ],
        "{findings:#?}"
    );
    let with_credentials = Cors::builder()
        .allowed_origins_from(tenants.clone())
        .allow_credentials(true)
        .build()
        .unwrap();
    let without = Cors::builder()
        .allowed_origins_from(tenants)
        .build()
        .unwrap();
    // (origin, allowed without credentials, allowed with credentials)
    let table = [
        ("https://evil.com.np", true, false),
        (
            "https://ec2-203-0-113-7.eu-west-1.compute.amazonaws.com",
            true,
            false,
        ),
        ("https://attacker.eu.platform.sh", true, false),
        ("https://app.example.com", true, true),
    ];
    for (origin, expected_without, expected_with) in table {
        assert_eq!(allowed(&without, origin), expected_without, "{origin}");
        assert_eq!(
            allowed(&with_credentials, origin),
            expected_with,
            "{origin}"
        );
    }
}

/// `https://app.example.com` as a regex: its dots match any character, so the domains
/// `app-example.com` and `appxexample.com`, which anyone can register, match it.
#[test]
fn an_unescaped_dot_regex_with_credentials_is_refused() {
    let regex = "https://app.example.com";
    let err = Cors::builder()
        .allowed_origin_regexes([regex])
        .allow_credentials(true)
        .build()
        .unwrap_err();
    let broad = err
        .errors()
        .find(|f| f.id == "broad-regex-with-credentials")
        .expect("an error");
    let named = broad
        .message
        .split('`')
        .nth(1)
        .expect("the origin it lets in");
    let matcher = regex::Regex::new(&format!("^(?:{regex})$")).unwrap();
    assert!(matcher.is_match(named), "{named}");
    assert!(!named.ends_with(".example.com"), "{named}");
    // Without credentials the same regex is accepted with warnings, and lets these in.
    let cors = Cors::builder()
        .allowed_origin_regexes([regex])
        .build()
        .unwrap();
    let ids: Vec<&str> = cors.warnings().iter().map(|f| f.id).collect();
    assert_eq!(ids, ["regex-unescaped-dot", "broad-regex"]);
    for origin in ["https://app-example.com", "https://appxexample.com"] {
        assert!(allowed(&cors, origin), "{origin}");
    }
}

/// Hundreds of routes: every shadowed route is found, and named with the first route that
/// shadows it, without comparing every pair.
#[test]
fn shadowed_routes_among_hundreds_are_all_found() {
    let mut builder = creds(["https://app.example"]);
    let mut paths = Vec::new();
    let mut expected = Vec::new();
    for service in 0..300 {
        let general = format!("^/svc{service}/");
        paths.push(general.clone());
        if service % 25 == 0 {
            // Shadowed by the route just before it, and (as `^/svc1/` is a prefix of
            // `^/svc10/`) never by an unrelated one.
            expected.push((paths.len(), paths.len() - 1));
            paths.push(format!("^/svc{service}/deeper/"));
        }
    }
    // Listed last, shadowed by the first route of all paths starting `/svc0/`.
    expected.push((paths.len(), 0));
    paths.push(r"^/svc0/v\d+/".to_owned());
    for (index, path) in paths.iter().enumerate() {
        let age = u64::try_from(index).unwrap() + 1;
        builder = builder.route(path.as_str(), Cors::builder().preflight_max_age(age));
    }
    let cors = builder.build().unwrap();
    let found: Vec<(usize, usize)> = cors
        .warnings()
        .iter()
        .filter(|f| f.id == "route-never-matches")
        .map(|f| {
            let route = f.route.as_ref().unwrap().index;
            let first = f
                .message
                .split("cors.routes[")
                .nth(1)
                .and_then(|rest| rest.split(']').next())
                .and_then(|n| n.parse().ok())
                .unwrap();
            (route, first)
        })
        .collect();
    assert_eq!(found, expected);
    assert_eq!(
        cors.warnings().len(),
        expected.len(),
        "{:#?}",
        cors.warnings()
    );
}

/// The ids of the advice about a valid policy.
fn advice_ids(builder: CorsBuilder) -> Vec<&'static str> {
    let cors = builder.build().expect("a valid policy");
    cors.advice().iter().map(|f| f.id).collect()
}

#[test]
fn risky_but_legal_configurations_get_advice() {
    let many: Vec<String> = (0..9).map(|i| format!("https://app{i}.example")).collect();
    let table: [(CorsBuilder, &[&str]); 10] = [
        (
            Cors::builder()
                .allowed_origins(["https://app.example"])
                .allow_credentials(true),
            &[],
        ),
        (
            Cors::builder()
                .allowed_origins(many)
                .allow_credentials(true),
            &["credentials-with-many-origins"],
        ),
        (
            Cors::builder()
                .allowed_origins(["http://localhost:3000"])
                .allow_credentials(true),
            &["loopback-origin-with-credentials"],
        ),
        (
            Cors::builder()
                .allowed_origins([
                    "http://localhost:*",
                    "http://[::1]:8000",
                    "http://app.localhost",
                ])
                .allow_credentials(true),
            &[
                "loopback-origin-with-credentials",
                "loopback-origin-with-credentials",
                "loopback-origin-with-credentials",
            ],
        ),
        (
            Cors::builder().allowed_origins(["http://localhost:3000"]),
            &[],
        ),
        (
            Cors::builder()
                .allow_all_origins(true)
                .allow_private_network(true),
            &[
                "private-network-with-allow-all",
                "allow-private-network-has-no-effect",
                "allow-all-origins-on-every-path",
            ],
        ),
        (
            Cors::builder()
                .allowed_origins(["https://app.example"])
                .allow_private_network(true),
            &["allow-private-network-has-no-effect"],
        ),
        // Set by a route only: still said once.
        (
            Cors::builder()
                .allowed_origins(["https://app.example"])
                .route("^/device/", Cors::builder().allow_private_network(true))
                .route("^/printer/", Cors::builder().allow_private_network(true)),
            &["allow-private-network-has-no-effect"],
        ),
        (
            Cors::builder()
                .allow_all_origins(true)
                .urls_regex("^/public/"),
            &[],
        ),
        (
            Cors::builder()
                .allowed_origins(["https://localhost.example"])
                .allow_credentials(true),
            &[],
        ),
    ];
    for (builder, expected) in table {
        let shown = format!("{:?}", builder.config());
        assert_eq!(advice_ids(builder), expected, "{shown}");
    }
}

/// A finding on a route is about the route and its setting, in the block every problem is
/// written in.
#[test]
fn a_route_finding_is_about_the_route_and_its_setting() {
    use corsair::Problem as _;
    let err = Cors::builder()
        .allowed_origins(["https://app.example"])
        .allow_credentials(true)
        .route("^/public/", Cors::builder().allow_all_origins(true))
        .build()
        .unwrap_err();
    let finding = &err.findings()[0];
    assert_eq!(
        finding.subject(),
        r#"cors.routes[0] (path "^/public/") allow_all_origins"#
    );
    assert_eq!(finding.value(), None);
    let mut block = String::new();
    finding
        .write_block(&mut block, &[&"corsair.toml:3"])
        .unwrap();
    let lines: Vec<&str> = block.lines().collect();
    assert_eq!(
        lines[..2],
        [
            r#"error[credentials-with-allow-all] cors.routes[0] (path "^/public/") allow_all_origins"#,
            "  --> corsair.toml:3",
        ]
    );
    assert!(lines[2].starts_with("   = why:   "), "{block}");
}
