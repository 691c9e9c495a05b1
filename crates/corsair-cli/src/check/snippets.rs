//! Configuration that applies a [`Fix`] of the browser model, or that removes a finding of
//! `check --audit` ([`for_audit`]), for corsair (TOML `[cors]` keys, the `CorsConfig` field
//! names), django-cors-headers (settings.py), Starlette (`CORSMiddleware`'s arguments) and
//! nginx.

use corsair::fetch::cors_safelisted_method::is_cors_safelisted_method;
use corsair::{DEFAULT_ALLOW_HEADERS, DEFAULT_ALLOW_METHODS};
use corsair_browser::{Exchange, ExchangeKind, Fix, Verdict};

use super::audit::Kind;

/// One fix, written for each server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Snippets {
    /// corsair's TOML (`corsair serve --config`), under `[cors]`.
    pub corsair: String,
    /// django-cors-headers, in settings.py.
    pub django: String,
    /// Starlette (and FastAPI): the `CORSMiddleware` to add.
    pub starlette: String,
    /// nginx, in the `location` that serves the URL.
    pub nginx: String,
}

/// What a refused preflight asked for, so that an nginx fix can answer it completely (nginx,
/// unlike corsair and django-cors-headers, has no preflight answer until one is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PreflightAsk {
    method: String,
    headers: Vec<String>,
}

impl PreflightAsk {
    /// The preflight of `verdict`, when it is the exchange that failed.
    pub(super) fn of(verdict: &Verdict) -> Option<PreflightAsk> {
        let last: &Exchange = verdict.exchanges.last()?;
        if last.kind != ExchangeKind::Preflight {
            return None;
        }
        let header = |name: &str| {
            last.request_headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        Some(PreflightAsk {
            method: header("access-control-request-method")?.to_owned(),
            headers: header("access-control-request-headers")
                .map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|h| !h.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// The configuration for `fix`, when there is one to show; `preflight` is the refused preflight
/// when the fix is for one.
pub(super) fn for_fix(fix: &Fix, preflight: Option<&PreflightAsk>) -> Option<Snippets> {
    let snippets = match fix {
        Fix::AllowOrigin { origin } => Snippets {
            corsair: format!("[cors]\nallowed_origins = [{}]", quoted(origin))
                + &corsair_beyond_defaults(preflight),
            django: format!("CORS_ALLOWED_ORIGINS = [{}]", quoted(origin))
                + &django_beyond_defaults(preflight),
            starlette: starlette_middleware(std::slice::from_ref(origin), false, preflight),
            nginx: nginx_origin(origin, false, preflight),
        },
        Fix::AllowCredentials { origin } => Snippets {
            corsair: format!(
                "[cors]\nallowed_origins = [{}]\nallow_all_origins = false\nallow_credentials = true",
                quoted(origin)
            ) + &corsair_beyond_defaults(preflight),
            django: format!(
                "CORS_ALLOWED_ORIGINS = [{}]\nCORS_ALLOW_ALL_ORIGINS = False\nCORS_ALLOW_CREDENTIALS = True",
                quoted(origin)
            ) + &django_beyond_defaults(preflight),
            starlette: starlette_middleware(std::slice::from_ref(origin), true, preflight),
            nginx: nginx_origin(origin, true, preflight),
        },
        Fix::AllowMethod { method } => {
            let mut methods: Vec<String> =
                DEFAULT_ALLOW_METHODS.iter().map(|m| (*m).to_owned()).collect();
            if !methods.contains(method) {
                methods.push(method.clone());
            }
            Snippets {
                corsair: format!("[cors]\nallow_methods = [{}]", list(&methods)),
                django: format!(
                    "from corsheaders.defaults import default_methods\nCORS_ALLOW_METHODS = (*default_methods, {})",
                    quoted(method)
                ),
                starlette: format!(
                    "# CORSMiddleware's other arguments as they are\nallow_methods=[{}],",
                    list(&methods)
                ),
                nginx: format!(
                    "# in the block that answers OPTIONS\nadd_header Access-Control-Allow-Methods \"{}\" always;",
                    methods.join(", ")
                ),
            }
        }
        Fix::AllowHeaders { names } => {
            let mut headers: Vec<String> =
                DEFAULT_ALLOW_HEADERS.iter().map(|h| (*h).to_owned()).collect();
            for name in names {
                if !headers.contains(name) {
                    headers.push(name.clone());
                }
            }
            let extra: Vec<String> = names.iter().map(|n| quoted(n)).collect();
            Snippets {
                corsair: format!("[cors]\nallow_headers = [{}]", list(&headers)),
                django: format!(
                    "from corsheaders.defaults import default_headers\nCORS_ALLOW_HEADERS = (*default_headers, {})",
                    extra.join(", ")
                ),
                starlette: format!(
                    "# CORSMiddleware's other arguments as they are\nallow_headers=[{}],",
                    list(&headers)
                ),
                nginx: format!(
                    "# in the block that answers OPTIONS\nadd_header Access-Control-Allow-Headers \"{}\" always;",
                    headers.join(", ")
                ),
            }
        }
        Fix::AnswerPreflight => Snippets {
            corsair: "# corsair answers preflights itself, before routing and authentication:\n# apply the Cors layer outermost (or put `corsair serve` in front of the app)".to_owned(),
            django: "# first in MIDDLEWARE, above CommonMiddleware and any authentication\nMIDDLEWARE = [\"corsheaders.middleware.CorsMiddleware\", *MIDDLEWARE]".to_owned(),
            starlette: "# add CORSMiddleware last (app.add_middleware): the last added runs first,\n# before any authentication middleware".to_owned(),
            nginx: "if ($request_method = OPTIONS) {\n    add_header Access-Control-Allow-Origin $http_origin always;  # only after checking it\n    add_header Access-Control-Allow-Methods \"GET, POST, PUT, PATCH, DELETE\" always;\n    add_header Access-Control-Allow-Headers \"content-type, authorization\" always;\n    add_header Vary Origin always;\n    return 204;\n}".to_owned(),
        },
        _ => return None,
    };
    Some(snippets)
}

/// The method and headers a refused preflight asked for that the defaults do not allow.
fn beyond_defaults(preflight: Option<&PreflightAsk>) -> (Option<&str>, Vec<&str>) {
    let Some(ask) = preflight else {
        return (None, Vec::new());
    };
    let method = Some(ask.method.as_str())
        .filter(|m| !DEFAULT_ALLOW_METHODS.contains(m) && !is_cors_safelisted_method(m));
    let headers = ask
        .headers
        .iter()
        .map(String::as_str)
        .filter(|h| !DEFAULT_ALLOW_HEADERS.contains(h))
        .collect();
    (method, headers)
}

/// corsair lines that also allow what a refused preflight asked for beyond the defaults, so
/// that the snippet fixes the whole request and not only its first failing check.
fn corsair_beyond_defaults(preflight: Option<&PreflightAsk>) -> String {
    let (method, headers) = beyond_defaults(preflight);
    let mut lines = String::new();
    if let Some(method) = method {
        let mut methods: Vec<String> = DEFAULT_ALLOW_METHODS
            .iter()
            .map(|m| (*m).to_owned())
            .collect();
        methods.push(method.to_owned());
        lines.push_str(&format!("\nallow_methods = [{}]", list(&methods)));
    }
    if !headers.is_empty() {
        let mut all: Vec<String> = DEFAULT_ALLOW_HEADERS
            .iter()
            .map(|h| (*h).to_owned())
            .collect();
        all.extend(headers.iter().map(|h| (*h).to_owned()));
        lines.push_str(&format!("\nallow_headers = [{}]", list(&all)));
    }
    lines
}

/// The django-cors-headers lines of [`corsair_beyond_defaults`].
fn django_beyond_defaults(preflight: Option<&PreflightAsk>) -> String {
    let (method, headers) = beyond_defaults(preflight);
    let mut lines = String::new();
    if let Some(method) = method {
        lines.push_str(&format!(
            "\nfrom corsheaders.defaults import default_methods\nCORS_ALLOW_METHODS = (*default_methods, {})",
            quoted(method)
        ));
    }
    if !headers.is_empty() {
        let quoted_headers: Vec<String> = headers.iter().map(|h| quoted(h)).collect();
        lines.push_str(&format!(
            "\nfrom corsheaders.defaults import default_headers\nCORS_ALLOW_HEADERS = (*default_headers, {})",
            quoted_headers.join(", ")
        ));
    }
    lines
}

/// nginx headers that allow `origin` (with credentials or not); for a preflight, also the
/// `OPTIONS` answer with the methods and headers it asked for (an `add_header` inside `if`
/// replaces the location's own, so the block repeats them).
fn nginx_origin(origin: &str, credentials: bool, preflight: Option<&PreflightAsk>) -> String {
    let mut common = format!(
        "add_header Access-Control-Allow-Origin {} always;\n",
        quoted(origin)
    );
    if credentials {
        common.push_str("add_header Access-Control-Allow-Credentials \"true\" always;\n");
    }
    common.push_str("add_header Vary Origin always;");
    let Some(ask) = preflight else {
        return common;
    };
    let mut methods: Vec<String> = DEFAULT_ALLOW_METHODS
        .iter()
        .map(|m| (*m).to_owned())
        .collect();
    if !methods.contains(&ask.method) {
        methods.push(ask.method.clone());
    }
    let mut headers: Vec<String> = DEFAULT_ALLOW_HEADERS
        .iter()
        .map(|h| (*h).to_owned())
        .collect();
    for name in &ask.headers {
        if !headers.contains(name) {
            headers.push(name.clone());
        }
    }
    let mut block = String::from("if ($request_method = OPTIONS) {\n");
    for line in common.lines() {
        block.push_str("    ");
        block.push_str(line);
        block.push('\n');
    }
    block.push_str(&format!(
        "    add_header Access-Control-Allow-Methods {} always;\n    add_header Access-Control-Allow-Headers {} always;\n    add_header Access-Control-Max-Age 600 always;\n    return 204;\n}}\n",
        quoted(&methods.join(", ")),
        quoted(&headers.join(", "))
    ));
    block.push_str(&common);
    block
}

/// Starlette's `CORSMiddleware` allowing `origins` (with credentials or not) and, for a refused
/// preflight, the method and headers it asked for (Starlette allows only `GET` and the
/// safelisted headers unless told).
fn starlette_middleware(
    origins: &[String],
    credentials: bool,
    preflight: Option<&PreflightAsk>,
) -> String {
    let mut text = format!(
        "from starlette.middleware.cors import CORSMiddleware\napp.add_middleware(\n    CORSMiddleware,\n    allow_origins=[{}],\n",
        list(origins)
    );
    if credentials {
        text.push_str("    allow_credentials=True,\n");
    }
    if let Some(ask) = preflight {
        let mut methods: Vec<String> = DEFAULT_ALLOW_METHODS
            .iter()
            .map(|m| (*m).to_owned())
            .collect();
        if !methods.contains(&ask.method) {
            methods.push(ask.method.clone());
        }
        text.push_str(&format!("    allow_methods=[{}],\n", list(&methods)));
        if !ask.headers.is_empty() {
            text.push_str(&format!("    allow_headers=[{}],\n", list(&ask.headers)));
        }
    }
    text.push(')');
    text
}

/// What removes a finding of `check --audit` from an API that trusts `trusted` (serialized
/// origins), with credentials when `credentials`: the trusted origins listed exactly (never a
/// reflected `Origin`, never `null`, a regex anchored at both ends with its dots escaped), a
/// `Vary: Origin`, the methods and headers the API serves named one by one.
pub(super) fn for_audit(kind: Kind, trusted: &[String], credentials: bool) -> Snippets {
    match kind {
        Kind::MissingVary => Snippets {
            corsair: "# corsair sends Vary: Origin with every answer that depends on the origin:\n# put `corsair serve` (or the Cors layer) in front of the API".to_owned(),
            django: "# django-cors-headers adds Vary: Origin itself: make sure no middleware\n# or cache in front of Django strips it".to_owned(),
            starlette: "# CORSMiddleware adds Vary: Origin when allow_origins lists origins;\n# a response it does not touch needs it too:\nresponse.headers.append(\"Vary\", \"Origin\")".to_owned(),
            nginx: "add_header Vary Origin always;".to_owned(),
        },
        Kind::PreflightAllowsAnyMethod => {
            let methods: Vec<String> = DEFAULT_ALLOW_METHODS
                .iter()
                .map(|m| (*m).to_owned())
                .collect();
            Snippets {
                corsair: format!(
                    "# the methods the API serves, never the one the preflight asks for\n[cors]\nallow_methods = [{}]",
                    list(&methods)
                ),
                django: "# the methods the API serves\nfrom corsheaders.defaults import default_methods\nCORS_ALLOW_METHODS = default_methods".to_owned(),
                starlette: format!(
                    "# CORSMiddleware's other arguments as they are; not allow_methods=[\"*\"]\nallow_methods=[{}],",
                    list(&methods)
                ),
                nginx: format!(
                    "# a fixed list, never the method the preflight asks for\nadd_header Access-Control-Allow-Methods \"{}\" always;",
                    methods.join(", ")
                ),
            }
        }
        Kind::PreflightAllowsAnyHeader => {
            let headers: Vec<String> = DEFAULT_ALLOW_HEADERS
                .iter()
                .map(|h| (*h).to_owned())
                .collect();
            Snippets {
                corsair: format!(
                    "# the headers pages send, never the ones the preflight asks for\n[cors]\nallow_headers = [{}]",
                    list(&headers)
                ),
                django: "# the headers pages send\nfrom corsheaders.defaults import default_headers\nCORS_ALLOW_HEADERS = default_headers".to_owned(),
                starlette: format!(
                    "# CORSMiddleware's other arguments as they are; not allow_headers=[\"*\"]\nallow_headers=[{}],",
                    list(&headers)
                ),
                nginx: format!(
                    "# a fixed list, never the headers the preflight asks for\nadd_header Access-Control-Allow-Headers \"{}\" always;",
                    headers.join(", ")
                ),
            }
        }
        _ => exact_origins(kind, trusted, credentials),
    }
}

/// The trusted origins listed exactly, for each server, with what the finding calls for.
fn exact_origins(kind: Kind, trusted: &[String], credentials: bool) -> Snippets {
    let origins = list(trusted);
    let mut corsair = format!("[cors]\nallowed_origins = [{origins}]\nallow_all_origins = false");
    let mut django = format!("CORS_ALLOW_ALL_ORIGINS = False\nCORS_ALLOWED_ORIGINS = [{origins}]");
    let regexes: Vec<String> = trusted
        .iter()
        .map(|o| format!("r\"^{}$\"", regex_escape(o)))
        .collect();
    let why = match kind {
        Kind::TrustsNull => {
            Some("never allow \"null\": any site can take it in a sandboxed iframe")
        }
        Kind::PrefixMatch | Kind::SuffixMatch | Kind::SpecialCharacters => {
            Some("a regex must be anchored at both ends (^...$), never a startswith/endswith test")
        }
        Kind::UnescapedDot => Some("escape every dot of a regex (\\.)"),
        Kind::TrustsHttpOrigin => Some("list the https origins only"),
        Kind::AnySubdomain => Some("list the subdomains you serve pages from, not every subdomain"),
        Kind::ReflectsAnyOrigin => Some("never echo the Origin header without checking it"),
        Kind::WildcardWithCredentials => {
            Some("\"*\" cannot carry credentials: list the origins that call with cookies")
        }
        _ => None,
    };
    if credentials || kind == Kind::WildcardWithCredentials {
        corsair.push_str("\nallow_credentials = true");
        django.push_str("\nCORS_ALLOW_CREDENTIALS = True");
    }
    django.push_str(&format!(
        "\n# or, for patterns, regexes anchored at both ends with escaped dots:\n# CORS_ALLOWED_ORIGIN_REGEXES = [{}]",
        regexes.join(", ")
    ));
    let mut starlette = starlette_middleware(
        trusted,
        credentials || kind == Kind::WildcardWithCredentials,
        None,
    );
    if kind == Kind::WildcardWithCredentials {
        starlette = format!(
            "# allow_origins=[\"*\"] with allow_credentials=True echoes any origin to a request with a cookie\n{starlette}"
        );
    }
    let mut nginx = String::from(
        "# in the http block: the trusted origins, exactly\nmap $http_origin $cors_origin {\n    default \"\";\n",
    );
    for origin in trusted {
        nginx.push_str(&format!("    {} $http_origin;\n", quoted(origin)));
    }
    nginx.push_str("}\n# in the location (an empty value sends no header)\nadd_header Access-Control-Allow-Origin $cors_origin always;\n");
    if credentials || kind == Kind::WildcardWithCredentials {
        nginx.push_str("add_header Access-Control-Allow-Credentials \"true\" always;\n");
    }
    nginx.push_str("add_header Vary Origin always;");
    if let Some(why) = why {
        for text in [&mut corsair, &mut django, &mut starlette, &mut nginx] {
            *text = format!("# {why}\n{text}");
        }
    }
    Snippets {
        corsair,
        django,
        starlette,
        nginx,
    }
}

/// `text` with the characters a regex gives a meaning escaped.
fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '.' | '+' | '*' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$' | '\\' => {
                vec!['\\', c]
            }
            c => vec![c],
        })
        .collect()
}

/// A TOML/Python/nginx double-quoted string.
fn quoted(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c if c.is_control() => Vec::new(),
            c => vec![c],
        })
        .collect();
    format!("\"{escaped}\"")
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| quoted(i))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The corsair snippets are valid configuration that builds a policy doing what the fix
    /// says.
    #[test]
    fn corsair_snippets_build_the_fixing_policy() {
        let origin = "http://localhost:3000";
        let fixes = [
            Fix::AllowOrigin {
                origin: origin.into(),
            },
            Fix::AllowCredentials {
                origin: origin.into(),
            },
            Fix::AllowMethod {
                method: "patch".into(),
            },
            Fix::AllowHeaders {
                names: vec!["x-token".into(), "x-b".into()],
            },
        ];
        for fix in fixes {
            let snippet = for_fix(&fix, None).unwrap().corsair;
            let table: toml::Table = toml::from_str(&snippet).unwrap();
            let mut config: corsair::CorsConfig = table["cors"].clone().try_into().unwrap();
            if config.allowed_origins.is_empty() {
                config.allowed_origins = vec![origin.into()];
            }
            let cors =
                corsair::Cors::from_config(&config).unwrap_or_else(|e| panic!("{snippet}: {e}"));
            let c = cors.config();
            match &fix {
                Fix::AllowOrigin { origin } => {
                    assert_eq!(&c.allowed_origins, std::slice::from_ref(origin))
                }
                Fix::AllowCredentials { .. } => assert!(c.allow_credentials),
                Fix::AllowMethod { method } => assert!(c.allow_methods.contains(method)),
                Fix::AllowHeaders { names } => {
                    assert!(names.iter().all(|n| c.allow_headers.contains(n)));
                    assert!(c.allow_headers.contains(&"authorization".to_owned()));
                }
                _ => unreachable!(),
            }
        }
    }

    #[test]
    fn origin_fixes_for_a_refused_preflight_also_allow_what_it_asked_for() {
        let ask = PreflightAsk {
            method: "REPORT".into(),
            headers: vec!["content-type".into(), "x-token".into()],
        };
        for fix in [
            Fix::AllowOrigin {
                origin: "http://localhost:8080".into(),
            },
            Fix::AllowCredentials {
                origin: "http://localhost:8080".into(),
            },
        ] {
            let snippets = for_fix(&fix, Some(&ask)).unwrap();
            let table: toml::Table = toml::from_str(&snippets.corsair).unwrap();
            let config: corsair::CorsConfig = table["cors"].clone().try_into().unwrap();
            let cors = corsair::Cors::from_config(&config).unwrap();
            let mut headers = http::HeaderMap::new();
            headers.insert("origin", "http://localhost:8080".parse().unwrap());
            headers.insert("access-control-request-method", "REPORT".parse().unwrap());
            headers.insert(
                "access-control-request-headers",
                "content-type,x-token".parse().unwrap(),
            );
            let refusal = cors.explain_preflight(&"/".parse().unwrap(), &headers);
            assert_eq!(refusal, None, "{}", snippets.corsair);
            assert!(snippets.django.contains("(*default_methods, \"REPORT\")"));
            assert!(snippets.django.contains("(*default_headers, \"x-token\")"));
        }
        // A preflight the defaults already allow adds nothing.
        let within = PreflightAsk {
            method: "PUT".into(),
            headers: vec!["content-type".into()],
        };
        let fix = Fix::AllowOrigin {
            origin: "http://localhost:8080".into(),
        };
        assert_eq!(
            for_fix(&fix, Some(&within)).unwrap().corsair,
            for_fix(&fix, None).unwrap().corsair
        );
    }

    #[test]
    fn nginx_answers_a_refused_preflight_completely() {
        let ask = PreflightAsk {
            method: "PUT".into(),
            headers: vec!["content-type".into(), "x-token".into()],
        };
        let fix = Fix::AllowCredentials {
            origin: "http://localhost:8080".into(),
        };
        let nginx = for_fix(&fix, Some(&ask)).unwrap().nginx;
        let (options, location) = nginx.split_once("}\n").unwrap();
        assert!(
            options.starts_with("if ($request_method = OPTIONS) {"),
            "{nginx}"
        );
        for needle in [
            "Access-Control-Allow-Origin \"http://localhost:8080\"",
            "Access-Control-Allow-Credentials \"true\"",
            "Access-Control-Allow-Methods \"DELETE, GET, OPTIONS, PATCH, POST, PUT\"",
            ", x-token\"",
            "return 204;",
        ] {
            assert!(options.contains(needle), "{needle} missing: {nginx}");
        }
        // Outside the OPTIONS block, the actual response's headers.
        assert!(location.contains("Access-Control-Allow-Origin \"http://localhost:8080\""));
        assert!(location.contains("Vary Origin"));
        assert!(!location.contains("Allow-Methods"));
        // Without a refused preflight, only the response headers.
        let plain = for_fix(&fix, None).unwrap().nginx;
        assert!(!plain.contains("OPTIONS"), "{plain}");
    }

    /// Every audit fix for corsair builds a policy corsair finds nothing wrong with, that allows
    /// the trusted origins and nothing else; the nginx one never echoes a request header.
    #[test]
    fn every_audit_fix_passes_corsairs_own_validation() {
        let trusted = vec![
            "https://app.example.com".to_owned(),
            "http://localhost:3000".to_owned(),
        ];
        for kind in Kind::ALL {
            for credentials in [false, true] {
                let snippets = for_audit(kind, &trusted, credentials);
                let shown = format!("{} (credentials: {credentials})", kind.id());
                check_snippet(&shown, "development configurations only", &snippets.corsair);
                assert!(
                    !snippets.nginx.contains("$http_access_control_request"),
                    "{shown}: {}",
                    snippets.nginx
                );
                for text in [&snippets.django, &snippets.starlette, &snippets.nginx] {
                    assert!(!text.is_empty(), "{shown}");
                }
            }
        }
        let fix = for_audit(Kind::UnescapedDot, &trusted, true);
        assert!(
            fix.django.contains(r#"r"^https://app\.example\.com$""#),
            "{}",
            fix.django
        );
        assert!(
            fix.starlette.contains("allow_credentials=True"),
            "{}",
            fix.starlette
        );
        assert!(
            fix.nginx
                .contains("\"https://app.example.com\" $http_origin;"),
            "{}",
            fix.nginx
        );
    }

    #[test]
    fn quoting_never_breaks_out_of_the_string() {
        assert_eq!(quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\"");
    }

    /// A server's answers, one per request the browser sends, and what the page does.
    struct Story {
        name: &'static str,
        method: &'static str,
        headers: &'static [(&'static str, &'static str)],
        url: &'static str,
        answers: &'static [(u16, &'static [(&'static str, &'static str)])],
    }

    const ORIGIN: &str = "{origin}";

    /// Server behaviours that reach every failure the doctor advises on, the cross-origin
    /// redirect of a sign-in included. `{origin}` in an answer is the page's origin.
    const STORIES: [Story; 14] = [
        Story {
            name: "no CORS",
            method: "GET",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(200, &[])],
        },
        Story {
            name: "error without CORS",
            method: "GET",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(500, &[])],
        },
        Story {
            name: "wildcard",
            method: "GET",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(200, &[("access-control-allow-origin", "*")])],
        },
        Story {
            name: "another origin",
            method: "GET",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(
                200,
                &[("access-control-allow-origin", "https://other.example")],
            )],
        },
        Story {
            name: "two origins",
            method: "GET",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(
                200,
                &[(
                    "access-control-allow-origin",
                    "https://a.example, https://b.example",
                )],
            )],
        },
        Story {
            name: "not an origin",
            method: "GET",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(200, &[("access-control-allow-origin", "app")])],
        },
        Story {
            name: "no Allow-Credentials",
            method: "GET",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(200, &[("access-control-allow-origin", ORIGIN)])],
        },
        Story {
            name: "preflight refused by authentication",
            method: "PUT",
            headers: &[("x-token", "1")],
            url: "https://api.example/a",
            answers: &[(401, &[])],
        },
        Story {
            name: "preflight 500",
            method: "PUT",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(
                500,
                &[
                    ("access-control-allow-origin", ORIGIN),
                    ("access-control-allow-credentials", "true"),
                ],
            )],
        },
        Story {
            name: "preflight redirected",
            method: "PUT",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(301, &[("location", "https://api.example/a/")])],
        },
        Story {
            name: "method not allowed",
            method: "patch",
            headers: &[],
            url: "https://api.example/a",
            answers: &[(
                204,
                &[
                    ("access-control-allow-origin", ORIGIN),
                    ("access-control-allow-credentials", "true"),
                    ("access-control-allow-methods", "PATCH"),
                ],
            )],
        },
        Story {
            name: "headers not allowed",
            method: "PUT",
            headers: &[
                ("x-token", "1"),
                ("x-b", "2"),
                ("content-type", "application/json"),
            ],
            url: "https://api.example/a",
            answers: &[(
                204,
                &[
                    ("access-control-allow-origin", ORIGIN),
                    ("access-control-allow-credentials", "true"),
                    ("access-control-allow-methods", "PUT"),
                ],
            )],
        },
        Story {
            name: "sign-in redirect, then no CORS",
            method: "GET",
            headers: &[],
            url: "https://api.example/login",
            answers: &[
                (
                    302,
                    &[
                        ("access-control-allow-origin", ORIGIN),
                        ("access-control-allow-credentials", "true"),
                        ("location", "https://sso.example/authorize"),
                    ],
                ),
                (200, &[]),
            ],
        },
        Story {
            name: "sign-in redirect, then the page's origin",
            method: "GET",
            headers: &[],
            url: "https://api.example/login",
            answers: &[
                (
                    302,
                    &[
                        ("access-control-allow-origin", ORIGIN),
                        ("access-control-allow-credentials", "true"),
                        ("location", "https://sso.example/authorize"),
                    ],
                ),
                (
                    200,
                    &[
                        ("access-control-allow-origin", ORIGIN),
                        ("access-control-allow-credentials", "true"),
                    ],
                ),
            ],
        },
    ];

    /// The doctor never advises what `corsair lint` would refuse or warn about: every fix it
    /// can print, for pages on secure, loopback, plain-http and opaque origins, with and without
    /// credentials, is built into the policy its corsair snippet implies, and that policy has
    /// no error, no warning, and no advice the fix does not itself mention.
    #[test]
    fn every_fix_the_doctor_prints_passes_corsairs_own_validation() {
        use corsair_browser::{BrowserRequest, Credentials, Fetch, Outcome, Progress};
        let origins = [
            "https://app.example",
            "http://localhost:3000",
            "http://app.example:8080",
            "null",
        ];
        let mut fixes_seen = 0;
        for story in &STORIES {
            for origin in origins {
                for credentials in [false, true] {
                    let shown = format!("{} from {origin}, credentials={credentials}", story.name);
                    let mut builder = BrowserRequest::builder(origin, story.url)
                        .method(story.method)
                        .credentials(if credentials {
                            Credentials::Include
                        } else {
                            Credentials::SameOrigin
                        });
                    for (name, value) in story.headers {
                        builder = builder.header(*name, *value);
                    }
                    let mut progress = Fetch::start(builder.build().unwrap());
                    let mut answers = story.answers.iter();
                    let verdict = loop {
                        match progress {
                            Progress::Done(verdict) => break verdict,
                            Progress::Send(fetch) => {
                                let (status, lines) = answers.next().unwrap_or(&(200, &[]));
                                let mut headers = http::HeaderMap::new();
                                for (name, value) in *lines {
                                    let value = value.replace(ORIGIN, origin);
                                    headers.append(*name, value.parse().unwrap());
                                }
                                let status = http::StatusCode::from_u16(*status).unwrap();
                                progress = fetch.receive(status, &headers);
                            }
                        }
                    };
                    let Outcome::Blocked(blocked) = &verdict.outcome else {
                        continue;
                    };
                    let preflight = PreflightAsk::of(&verdict);
                    for advice in &blocked.advice {
                        assert!(
                            !advice.summary.contains("allow the origin `null`"),
                            "{shown}: {}",
                            advice.summary
                        );
                        let Some(snippets) = advice
                            .fix
                            .as_ref()
                            .and_then(|f| for_fix(f, preflight.as_ref()))
                        else {
                            continue;
                        };
                        fixes_seen += 1;
                        check_snippet(&shown, &advice.summary, &snippets.corsair);
                    }
                }
            }
        }
        assert!(fixes_seen > 40, "only {fixes_seen} fixes were checked");
    }

    /// Builds the policy a corsair snippet implies and asserts corsair finds nothing wrong.
    fn check_snippet(shown: &str, summary: &str, snippet: &str) {
        let table: toml::Table =
            toml::from_str(snippet).unwrap_or_else(|e| panic!("{shown}: {e}\n{snippet}"));
        let Some(cors) = table.get("cors") else {
            // Advice in comments only (where to put the CORS layer): no policy to check.
            assert!(
                snippet.lines().all(|l| l.starts_with('#')),
                "{shown}: {snippet}"
            );
            return;
        };
        let mut config: corsair::CorsConfig = cors
            .clone()
            .try_into()
            .unwrap_or_else(|e| panic!("{shown}: {e}\n{snippet}"));
        assert!(
            !config.allowed_origins.iter().any(|o| o == "null"),
            "{shown}: {snippet}"
        );
        if config.allowed_origins.is_empty() {
            // A method or header fix: any valid origin list completes it.
            config.allowed_origins = vec!["https://app.example".into()];
        }
        let cors = corsair::Cors::from_config(&config)
            .unwrap_or_else(|e| panic!("{shown}: refused: {e}\n{snippet}"));
        let warnings: Vec<&str> = cors.warnings().iter().map(|f| f.id).collect();
        assert!(
            warnings.is_empty(),
            "{shown}: warnings {warnings:?}\n{snippet}"
        );
        for finding in cors.advice() {
            // The one piece of advice a fix may bring is acknowledged in its own words.
            let acknowledged = finding.id == "loopback-origin-with-credentials"
                && summary.contains("development configurations only");
            assert!(
                acknowledged,
                "{shown}: advice {} not mentioned in `{summary}`\n{snippet}",
                finding.id
            );
        }
    }
}
