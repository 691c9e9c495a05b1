//! `corsair check --audit` against real servers with planted misconfigurations, over real
//! sockets: small hyper servers (trusting `null`, the `http://` twin, answering without
//! `Vary`, echoing any origin), django-cors-headers with an unanchored regex, Starlette with
//! `*` and credentials, an nginx `if ($http_origin ~* ...)` recipe; and correct ones (corsair
//! serve itself, django-cors-headers with a list). Each planted class is found with its id,
//! nothing on the correct servers; the same servers are scanned by CORScanner to measure what
//! each tool finds (the README's table).
//!
//! Needs `nginx` and the virtual environment at `.venv` with Django, django-cors-headers,
//! Starlette, uvicorn and CORScanner (tests/python_requirements.txt); without them the tests
//! fail and say what to install.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

use crate::check_support::{RecordingServer, Seen, json_of};
use crate::nginx::Nginx;
use crate::serve_support::{Corsair, write_config};
use crate::temp_dirs::temp_dir;

/// The frontend the planted servers mean to trust.
const TRUSTED: &str = "http://app.example.com";

/// The secure frontend of the servers whose finding needs an `https` origin.
const TRUSTED_HTTPS: &str = "https://app.example.com";

/// Runs `corsair check --audit URL --json ARGS`.
fn audit(url: &str, args: &[&str]) -> (Option<i32>, Value, Output) {
    let output = Command::new(env!("CARGO_BIN_EXE_corsair"))
        .args(["check", "--audit", url, "--json"])
        .args(args)
        .output()
        .unwrap();
    let json = json_of(&output);
    (output.status.code(), json, output)
}

/// The ids of the findings, each with its severity.
fn found(json: &Value) -> BTreeSet<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {json:#}"))
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn set(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// Every request a server saw was GET, HEAD or OPTIONS, carried no cookie but the
/// placeholder, and there were at most `max`.
fn assert_harmless(seen: &[Seen], max: usize) {
    assert!(
        seen.len() <= max,
        "{} requests, more than {max}",
        seen.len()
    );
    for request in seen {
        assert!(
            matches!(request.method.as_str(), "GET" | "HEAD" | "OPTIONS"),
            "{} sent",
            request.method
        );
        if let Some(cookie) = request.headers.get("cookie") {
            assert_eq!(cookie, "corsair_audit=1");
            assert_ne!(request.method, "OPTIONS", "a preflight with a cookie");
        }
    }
}

/// The header of a request `seen`, if it has it.
fn origin_of(seen: &Seen) -> &str {
    seen.headers.get("origin").map_or("", String::as_str)
}

/// A server allowing with credentials the origins `trusts` accepts; `vary` says whether it
/// sends `Vary: Origin`.
fn server(trusts: fn(&str) -> bool, vary: bool) -> RecordingServer {
    RecordingServer::start(move |seen, _| {
        let origin = origin_of(seen);
        let mut headers = Vec::new();
        if trusts(origin) {
            headers.push(("access-control-allow-origin", origin.to_owned()));
            headers.push(("access-control-allow-credentials", "true".to_owned()));
            if seen.method == "OPTIONS" {
                headers.push(("access-control-allow-methods", "GET, POST".to_owned()));
                headers.push(("access-control-allow-headers", "content-type".to_owned()));
            }
        }
        if vary {
            headers.push(("vary", "Origin".to_owned()));
        }
        (200, headers)
    })
}

#[test]
fn each_planted_class_in_a_small_server_is_found_with_its_id() {
    type Case = (
        &'static str,
        &'static str,
        fn(&str) -> bool,
        bool,
        &'static [(&'static str, &'static str)],
    );
    let table: [Case; 5] = [
        (
            "trusts null",
            TRUSTED,
            |o| o == TRUSTED || o == "null",
            true,
            &[("trusts-null", "high")],
        ),
        (
            "trusts the http twin",
            TRUSTED_HTTPS,
            |o| o == TRUSTED_HTTPS || o == "http://app.example.com",
            true,
            &[("trusts-http-origin", "high")],
        ),
        (
            "no Vary",
            TRUSTED,
            |o| o == TRUSTED,
            false,
            &[("missing-vary", "medium")],
        ),
        (
            "echoes any origin",
            TRUSTED,
            |o| !o.is_empty(),
            true,
            &[("reflects-any-origin", "high"), ("trusts-null", "high")],
        ),
        ("exact", TRUSTED, |o| o == TRUSTED, true, &[]),
    ];
    // `*` with credentials: browsers refuse it.
    let wildcard = RecordingServer::start(|_, _| {
        (
            200,
            vec![
                ("access-control-allow-origin", "*".to_owned()),
                ("access-control-allow-credentials", "true".to_owned()),
            ],
        )
    });
    let (code, json, _) = audit(&wildcard.url("/api/items"), &["--origin", TRUSTED]);
    assert_eq!(
        found(&json),
        set(&[("wildcard-with-credentials", "low")]),
        "{json:#}"
    );
    assert_eq!(code, Some(0), "low is below the default --fail-on medium");
    let finding = &json["findings"][0];
    assert_eq!(finding["chromium"]["reads_body"], true, "{finding:#}");
    assert_eq!(finding["chromium"]["with_cookies"], false, "{finding:#}");
    assert!(
        finding["chromium"]["message"].as_str().unwrap().contains(
            "must not be the wildcard '*' when the request's credentials mode is 'include'"
        ),
        "{finding:#}"
    );
    assert_harmless(&wildcard.seen(), 100);
    for (name, trusted, trusts, vary, expected) in table {
        let api = server(trusts, vary);
        let (code, json, _) = audit(&api.url("/api/items"), &["--origin", trusted]);
        assert_eq!(found(&json), set(expected), "{name}: {json:#}");
        assert_eq!(
            code,
            Some(i32::from(!expected.is_empty())),
            "{name}: {json:#}"
        );
        let seen = api.seen();
        assert_harmless(&seen, 100);
        assert_eq!(json["requests_sent"], seen.len(), "{name}");
        for finding in json["findings"].as_array().unwrap() {
            let evidence: Vec<&str> = finding["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            assert!(
                evidence.iter().any(|l| l.starts_with("> "))
                    && evidence
                        .iter()
                        .any(|l| l.starts_with("< access-control-allow-origin")),
                "{name}: {finding:#}"
            );
            for server in ["corsair", "django", "starlette", "nginx"] {
                assert!(finding["fix"][server].is_string(), "{name}: {server}");
            }
        }
    }
}

#[test]
fn the_chromium_verdict_says_what_an_attackers_page_reads() {
    let api = server(|o| !o.is_empty(), true);
    let (_, json, _) = audit(&api.url("/api/items"), &["--origin", TRUSTED]);
    let reflects = &json["findings"][0];
    assert_eq!(reflects["id"], "reflects-any-origin", "{json:#}");
    assert_eq!(
        reflects["chromium"]["page"],
        "http://corsair-audit.evil.test"
    );
    assert_eq!(reflects["chromium"]["reads_body"], true);
    assert_eq!(reflects["chromium"]["with_cookies"], true);
    let text = Command::new(env!("CARGO_BIN_EXE_corsair"))
        .args([
            "check",
            "--audit",
            &api.url("/api/items"),
            "--origin",
            TRUSTED,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in [
        "HIGH [reflects-any-origin]",
        "  > GET http://127.0.0.1:",
        "  < access-control-allow-credentials: true",
        "script reads the body: yes; with the user's cookies: yes",
        "    Starlette (CORSMiddleware):",
        "2 high, 0 medium, 0 low, 0 info",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
}

#[test]
fn the_budget_the_fail_on_level_and_redirects_are_kept() {
    let api = server(|o| o == TRUSTED, false);
    let (code, json, _) = audit(&api.url("/"), &["--origin", TRUSTED, "--max-requests", "7"]);
    assert!(api.seen().len() <= 7, "{}", api.seen().len());
    assert!(json["left_out"].as_u64().unwrap() > 0, "{json:#}");
    assert_eq!(code, Some(1), "missing-vary is medium: {json:#}");
    let (code, _, _) = audit(
        &api.url("/"),
        &[
            "--origin",
            TRUSTED,
            "--max-requests",
            "7",
            "--fail-on",
            "high",
        ],
    );
    assert_eq!(code, Some(0));

    // A redirect to another host is not followed.
    let elsewhere = server(|_| true, true);
    let target = elsewhere.url("/landing").replace("127.0.0.1", "localhost");
    // The redirect passes CORS, so a browser would follow it.
    let redirecting = RecordingServer::start(move |seen, _| {
        (
            302,
            vec![
                ("location", target.clone()),
                ("access-control-allow-origin", origin_of(seen).to_owned()),
                ("access-control-allow-credentials", "true".to_owned()),
            ],
        )
    });
    let (_, json, _) = audit(&redirecting.url("/"), &["--origin", TRUSTED]);
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
    let errors = json["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e
            .as_str()
            .unwrap()
            .contains("a redirect to another host, not followed")),
        "{json:#}"
    );
}

#[test]
fn the_users_secrets_go_only_where_given_and_are_never_printed() {
    let api = server(|o| !o.is_empty(), true);
    let (_, json, output) = audit(
        &api.url("/api/items"),
        &[
            "--origin",
            TRUSTED,
            "-H",
            "Authorization: Bearer s3cret-token",
            "-H",
            "Cookie: session=s3cret-cookie",
        ],
    );
    let printed = format!("{json}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!printed.contains("s3cret"), "{printed}");
    assert!(printed.contains("Bearer [redacted]"), "{printed}");
    for request in api.seen() {
        let preflight = request.method == "OPTIONS";
        assert_eq!(
            request.headers.contains_key("authorization"),
            !preflight,
            "{request:?}"
        );
        // The user's cookie, or none (the unrelated site's GET without a cookie; preflights).
        let cookie = request.headers.get("cookie").map(String::as_str);
        assert!(
            cookie.is_none() || (!preflight && cookie == Some("session=s3cret-cookie")),
            "{request:?}"
        );
    }
}

#[test]
fn without_origin_the_trusted_origins_come_from_the_registrable_domain() {
    let output = Command::new(env!("CARGO_BIN_EXE_corsair"))
        .args(["check", "--audit", "http://127.0.0.1:9/", "--json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("give each origin the API trusts with --origin"),
        "{stderr}"
    );
}

#[test]
fn corsair_serve_itself_has_no_finding() {
    let upstream = RecordingServer::start(|_, _| (200, Vec::new()));
    let dir = temp_dir("audit-corsair");
    let addr = format!("127.0.0.1:{}", upstream.port()).parse().unwrap();
    write_config(
        &dir,
        addr,
        "",
        &format!("allowed_origins = [\"{TRUSTED_HTTPS}\"]\nallow_credentials = true"),
    );
    let corsair = Corsair::start(&dir, &[]);
    let (code, json, _) = audit(&corsair.url("/api/items"), &["--origin", TRUSTED_HTTPS]);
    assert_eq!(found(&json), set(&[]), "{json:#}");
    assert_eq!(code, Some(0));
}

// ---------------------------------------------------------------------------------------------
// Python servers and nginx.

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn python() -> PathBuf {
    let python = repo_root().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: create it with `python3 -m venv .venv && .venv/bin/pip install -r tests/django_requirements.txt -r tests/python_requirements.txt`",
        python.display()
    );
    python
}

/// A Python server started from a script that prints its port on its first line; killed when
/// dropped.
struct PythonServer {
    child: Child,
    port: u16,
}

impl PythonServer {
    fn start(name: &str, script: &str, env: &[(&str, &str)]) -> PythonServer {
        let dir = temp_dir(name);
        let path = dir.join("serve.py");
        std::fs::write(&path, script).unwrap();
        let mut child = Command::new(python())
            .arg(&path)
            .current_dir(&dir)
            .env("PYTHONPATH", repo_root().join("tests/django_app"))
            .env("PYTHONUNBUFFERED", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let line = rx
            .recv_timeout(crate::wait::DEADLINE)
            .unwrap_or_else(|_| panic!("{name} did not print its port"));
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: {line}"));
        PythonServer { child, port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The test Django API with django-cors-headers, its settings from `cors` (a JSON object of
/// settings), served by wsgiref on a port the system picks.
fn django(cors: &str) -> PythonServer {
    let script = r#"
import json, os, sys
import django
from django.conf import settings
import api.settings as base

values = {k: getattr(base, k) for k in dir(base) if k.isupper()}
values.update(ALLOWED_HOSTS=["*"], INSTALLED_APPS=["corsheaders"],
              MIDDLEWARE=["corsheaders.middleware.CorsMiddleware"])
values.update(json.loads(os.environ["AUDIT_CORS"]))
settings.configure(**values)
django.setup()
from django.core.wsgi import get_wsgi_application
from wsgiref.simple_server import make_server, WSGIRequestHandler

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
print(server.server_port, flush=True)
server.serve_forever()
"#;
    PythonServer::start("audit-django", script, &[("AUDIT_CORS", cors)])
}

/// A Starlette app with `CORSMiddleware(**arguments)` (a Python dict literal), served by
/// uvicorn on a socket bound to a port the system picks.
fn starlette(arguments: &str) -> PythonServer {
    let script = format!(
        r#"
import socket
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route

async def items(request):
    return JSONResponse([])

app = Starlette(routes=[Route("/api/items", items)],
                middleware=[Middleware(CORSMiddleware, **{arguments})])
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen(64)
print(sock.getsockname()[1], flush=True)
uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
"#
    );
    PythonServer::start("audit-starlette", &script, &[])
}

/// The nginx recipe found in many answers: the origin checked with an unanchored `~*` regex
/// whose dots are not escaped, echoed with credentials, and no `Vary`.
const NGINX_RECIPE: &str = r#"      set $cors "";
      if ($http_origin ~* "^http://app.example.com") {
          set $cors $http_origin;
      }
      add_header Access-Control-Allow-Origin $cors always;
      add_header Access-Control-Allow-Credentials "true" always;"#;

/// What CORScanner finds at `url` (every one of its tests run, in its order), with names under
/// `example.com` resolved to this machine and its suffix list read from the snapshot it ships
/// (nothing is fetched).
fn corscanner(url: &str) -> BTreeSet<String> {
    let script = r#"
import json, socket, sys
import tldextract
from CORScanner.common.corscheck import CORSCheck
from CORScanner.common.logger import Log

real = socket.getaddrinfo
def local(host, *args, **kwargs):
    if isinstance(host, str) and (host == "example.com" or host.endswith(".example.com")):
        host = "127.0.0.1"
    return real(host, *args, **kwargs)
socket.getaddrinfo = local
tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

check = CORSCheck(sys.argv[1], {"logger": Log(None, print_level=4), "headers": None})
for name in ["test_reflect_origin", "test_prefix_match", "test_suffix_match", "test_trust_null",
             "test_include_match", "test_not_escape_dot", "test_custom_third_parties",
             "test_special_characters_bypass", "test_trust_any_subdomain", "test_https_trust_http"]:
    getattr(check, name)()
print(json.dumps(sorted({r["type"] + (" (credentials)" if r["credentials"] == "true" else "")
                         for r in check.all_results})))
"#;
    let dir = temp_dir("corscanner");
    let path = dir.join("scan.py");
    std::fs::write(&path, script).unwrap();
    let output = Command::new(python())
        .arg(&path)
        .arg(url)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "CORScanner failed (pip install corscanner): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found: Vec<String> = serde_json::from_slice(
        output
            .stdout
            .rsplit(|b| *b == b'\n')
            .find(|l| !l.is_empty())
            .unwrap(),
    )
    .unwrap();
    found.into_iter().collect()
}

/// `url` with the host `name` in place of 127.0.0.1 (CORScanner builds its origins from the
/// URL's name).
fn named(url: &str, name: &str) -> String {
    url.replace("127.0.0.1", name)
}

/// What CORScanner reports on one server, at the API's name and at the frontend's.
type Scanned<'a> = (&'a [&'a str], &'a [&'a str]);

/// One row of the comparison: what corsair and CORScanner find on one server, each checked
/// against what was measured.
fn compare(
    name: &str,
    url: &str,
    trusted: &str,
    expected: &[(&str, &str)],
    scanned: Scanned<'_>,
) -> String {
    let (code, json, _) = audit(url, &["--origin", trusted]);
    assert_eq!(found(&json), set(expected), "{name}: {json:#}");
    assert_eq!(code, Some(i32::from(!expected.is_empty())), "{name}");
    let ids: Vec<String> = found(&json)
        .into_iter()
        .map(|(id, s)| format!("{id} ({s})"))
        .collect();
    let api = corscanner(&named(url, "api.example.com"));
    let app = corscanner(&named(url, "app.example.com"));
    let strings = |s: &[&str]| s.iter().map(|t| (*t).to_owned()).collect::<BTreeSet<_>>();
    assert_eq!(
        api,
        strings(scanned.0),
        "{name}: CORScanner at api.example.com"
    );
    assert_eq!(
        app,
        strings(scanned.1),
        "{name}: CORScanner at app.example.com"
    );
    let list = |s: &BTreeSet<String>| {
        if s.is_empty() {
            "nothing".to_owned()
        } else {
            s.iter().cloned().collect::<Vec<_>>().join(", ")
        }
    };
    let row = format!(
        "| {name} | {} | {} | {} |",
        if ids.is_empty() {
            "nothing".to_owned()
        } else {
            ids.join(", ")
        },
        list(&api),
        list(&app)
    );
    eprintln!("{row}");
    row
}

#[test]
fn real_servers_planted_and_correct_and_what_corscanner_finds() {
    let unanchored = django(
        r#"{"CORS_ALLOWED_ORIGIN_REGEXES": ["http://app\\.example\\.com"], "CORS_ALLOW_CREDENTIALS": true}"#,
    );
    let listed = django(
        r#"{"CORS_ALLOWED_ORIGINS": ["http://app.example.com"], "CORS_ALLOW_CREDENTIALS": true}"#,
    );
    let wildcard = starlette(
        r#"dict(allow_origins=["*"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])"#,
    );
    let nginx = Nginx::json_api("audit-nginx", NGINX_RECIPE);
    let upstream = RecordingServer::start(|_, _| (200, Vec::new()));
    let dir = temp_dir("audit-corsair-compared");
    let addr = format!("127.0.0.1:{}", upstream.port()).parse().unwrap();
    write_config(
        &dir,
        addr,
        "",
        &format!(
            "allowed_origins = [\"{TRUSTED}\"]\nallow_credentials = true\nallow_insecure_origins_with_credentials = true"
        ),
    );
    let corsair = Corsair::start(&dir, &[]);
    let null = server(|o| o == TRUSTED || o == "null", true);
    let no_vary = server(|o| o == TRUSTED, false);
    let mut rows = [
        compare(
            "django-cors-headers, regex `http://app\\.example\\.com` (re.match: no `$`)",
            &unanchored.url("/api/hello"),
            TRUSTED,
            &[("prefix-match", "high")],
            (
                &[],
                &[
                    "prefix_match (credentials)",
                    "special_characters_bypass (credentials)",
                ],
            ),
        ),
        compare(
            "Starlette, `allow_origins=[\"*\"]`, credentials, `allow_headers=[\"*\"]`",
            &wildcard.url("/api/items"),
            TRUSTED,
            // Starlette 1.10 echoes any origin when credentials are allowed (not `*`).
            &[
                ("reflects-any-origin", "high"),
                ("trusts-null", "high"),
                ("preflight-allows-any-header", "low"),
            ],
            (
                &[
                    "custom_third_parties (credentials)",
                    "include_match (credentials)",
                    "not_escape_dot (credentials)",
                    "prefix_match (credentials)",
                    "reflect_origin (credentials)",
                    "special_characters_bypass (credentials)",
                    "suffix_match (credentials)",
                    "trust_any_subdomain (credentials)",
                    "trust_null (credentials)",
                ],
                &[
                    "custom_third_parties (credentials)",
                    "include_match (credentials)",
                    "not_escape_dot (credentials)",
                    "prefix_match (credentials)",
                    "reflect_origin (credentials)",
                    "special_characters_bypass (credentials)",
                    "suffix_match (credentials)",
                    "trust_any_subdomain (credentials)",
                    "trust_null (credentials)",
                ],
            ),
        ),
        compare(
            "nginx, `if ($http_origin ~* \"^http://app.example.com\")`, no `Vary`",
            &nginx.url("/api/items"),
            TRUSTED,
            &[
                ("prefix-match", "high"),
                ("unescaped-dot", "high"),
                ("missing-vary", "medium"),
            ],
            (
                &[],
                &[
                    "not_escape_dot (credentials)",
                    "prefix_match (credentials)",
                    "special_characters_bypass (credentials)",
                ],
            ),
        ),
        compare(
            "trusts `null` (hyper)",
            &null.url("/api/items"),
            TRUSTED,
            &[("trusts-null", "high")],
            (&["trust_null (credentials)"], &["trust_null (credentials)"]),
        ),
        compare(
            "no `Vary: Origin` (hyper)",
            &no_vary.url("/api/items"),
            TRUSTED,
            &[("missing-vary", "medium")],
            (&[], &[]),
        ),
        compare(
            "django-cors-headers, `CORS_ALLOWED_ORIGINS` listed (correct)",
            &listed.url("/api/hello"),
            TRUSTED,
            &[],
            (&[], &[]),
        ),
        compare(
            "corsair serve (correct)",
            &corsair.url("/api/items"),
            TRUSTED,
            &[],
            (&[], &[]),
        ),
    ];
    rows.sort();
    eprintln!("{}", rows.join("\n"));
}
