//! `--config`: the request judged offline, by corsair's own engine with the configuration
//! `corsair serve` would run (the file, then the `CORS_*` environment, loaded as `serve` loads
//! them), and by the browser model. Nothing is sent.
//!
//! corsair answers a preflight itself, so its answer is exact. For any other request the
//! upstream answers, and corsair replaces the upstream's CORS headers by its own: the answer
//! is corsair's headers on an assumed `200` (CORS does not depend on the status). A request on
//! a path corsair leaves alone (outside `urls_regex`, or a route with `enabled = false`) is
//! `bypassed`: the upstream's own headers decide, which offline cannot know.

use std::path::{Path, PathBuf};

use corsair::{Cors, RequestKind};
use corsair_browser::{BrowserRequest, Fetch, Progress};
use http::{HeaderMap, Response, StatusCode};

use super::judgement::Judgement;
use crate::settings::{self, ConfigFile, Diagnostic, Flags, Layers};

/// A configuration loaded for offline judging.
#[derive(Debug)]
pub(super) struct OfflinePolicy {
    /// The policy `corsair serve` would run.
    pub cors: Cors,
    /// The file it was read from.
    pub file: PathBuf,
    /// The configuration's warnings (what `corsair lint` says about it).
    pub warnings: Vec<Diagnostic>,
    /// The origins sources (`cors.origins_source`, ...) whose origins `corsair serve` would add
    /// at run time, which offline cannot read.
    pub origins_sources: Vec<String>,
}

impl OfflinePolicy {
    /// Loads `file` and the process's `CORS_*` variables, as `corsair serve --config file`.
    ///
    /// # Errors
    ///
    /// Every problem of a configuration that does not build (the file's line or the variable
    /// to edit for each).
    pub(super) fn load(file: &Path) -> Result<OfflinePolicy, Vec<Diagnostic>> {
        let layers = Layers {
            file: ConfigFile::Named(file.to_path_buf()),
            env: Some(settings::process_environment()),
            flags: Flags::default(),
        };
        let loaded = settings::load(&layers)?;
        Ok(OfflinePolicy {
            cors: loaded.cors,
            file: file.to_path_buf(),
            warnings: loaded.warnings,
            origins_sources: loaded
                .origins_sources
                .iter()
                .map(|source| source.subject.clone())
                .collect(),
        })
    }

    /// Judges `request` with the policy: each request the browser would send is answered as
    /// `corsair serve` answers it.
    pub(super) fn judge(&self, request: BrowserRequest) -> Judgement {
        let cors = &self.cors;
        let mut decided_by = None;
        let mut progress = Fetch::start(request);
        loop {
            let fetch = match progress {
                Progress::Done(verdict) => {
                    return Judgement::Verdict {
                        verdict,
                        decided_by,
                    };
                }
                Progress::Send(fetch) => fetch,
            };
            let sent = fetch.request();
            // `corsair serve` installs no asynchronous origin hook: the decision is immediate.
            let Some(decision) = cors
                .evaluate(sent.method(), sent.uri(), sent.headers())
                .now()
            else {
                return Judgement::Bypassed {
                    reason: "an asynchronous origin hook decides, which offline cannot ask"
                        .to_owned(),
                    warnings: fetch.warnings().to_vec(),
                };
            };
            decided_by = Some(rules_name(cors, decision.route()));
            // What the request's own fetch metadata says: a same-origin hop is no CORS
            // request, whatever corsair would do with it.
            let same_origin = sent
                .headers()
                .get("sec-fetch-site")
                .is_some_and(|site| site == "same-origin");
            progress = match decision.kind() {
                RequestKind::Bypass if same_origin => {
                    fetch.receive(StatusCode::OK, &HeaderMap::new())
                }
                RequestKind::Bypass => {
                    return Judgement::Bypassed {
                        reason: bypass_reason(cors, decision.route()),
                        warnings: fetch.warnings().to_vec(),
                    };
                }
                RequestKind::Preflight => {
                    let answer: Response<()> = cors.preflight_response(&decision);
                    fetch.receive(answer.status(), answer.headers())
                }
                _ => {
                    let mut headers = HeaderMap::new();
                    cors.apply(&decision, &mut headers);
                    fetch.receive(StatusCode::OK, &headers)
                }
            };
        }
    }

    /// The judge's description, for reports.
    pub(super) fn describe(&self) -> String {
        let mut text = format!(
            "offline, by corsair's engine with {} and the CORS_* environment (corsair answers preflights itself; the upstream's status is assumed 200, and corsair's headers replace its own)",
            self.file.display()
        );
        if !self.origins_sources.is_empty() {
            text.push_str(&format!(
                "; the origins {} would add at run time are not read offline, so an origin only they allow is judged as an unlisted one",
                self.origins_sources.join(", ")
            ));
        }
        text
    }
}

/// `route 0 (path "^/public/")`, or `the default policy`.
fn rules_name(cors: &Cors, route: Option<usize>) -> String {
    match route.and_then(|index| cors.routes().nth(index)) {
        Some(route) => format!("route {} (path {:?})", route.index(), route.path()),
        None => "the default policy".to_owned(),
    }
}

/// Why corsair leaves a path alone.
fn bypass_reason(cors: &Cors, route: Option<usize>) -> String {
    let config = cors.config();
    let why = match route {
        Some(_) => format!("{} has enabled = false", rules_name(cors, route)),
        None if !config.enabled => "the policy has enabled = false".to_owned(),
        None => format!("the path is outside urls_regex {:?}", config.urls_regex),
    };
    format!(
        "{why}: corsair passes the request to the upstream untouched, so the upstream's own headers decide (offline cannot know them; check the URL live)"
    )
}

#[cfg(test)]
mod tests {
    use corsair_browser::{Credentials, Outcome};

    use super::*;

    fn policy(toml: &str) -> OfflinePolicy {
        let table: toml::Table = toml::from_str(toml).unwrap();
        let config: corsair::CorsConfig = table["cors"].clone().try_into().unwrap();
        OfflinePolicy {
            cors: Cors::from_config(&config).unwrap(),
            file: PathBuf::from("corsair.toml"),
            warnings: Vec::new(),
            origins_sources: Vec::new(),
        }
    }

    /// One request, judged: allowed, blocked with Chromium's reason, or bypassed, and by which
    /// rules.
    #[test]
    fn requests_are_judged_by_the_engine_and_the_browser_model() {
        let policy = policy(concat!(
            "[cors]\n",
            "allowed_origins = [\"https://app.example\"]\n",
            "allow_credentials = true\n",
            "urls_regex = \"^/(api|public|hooks)/\"\n",
            "[[cors.routes]]\n",
            "path = \"^/public/\"\n",
            "allow_all_origins = true\n",
            "allow_credentials = false\n",
            "[[cors.routes]]\n",
            "path = \"^/hooks/\"\n",
            "enabled = false\n",
        ));
        let app = "https://app.example";
        let other = "https://other.example";
        let default = "the default policy";
        let public = "route 0 (path \"^/public/\")";
        let table = [
            Case::new(app, "GET", "/api/items").credentials().allowed(default),
            Case::new(app, "PUT", "/api/items")
                .header("content-type", "application/json")
                .credentials()
                .allowed(default),
            Case::new(app, "GET", "/api/items").header("x-token", "1").blocked(
                "Request header field x-token is not allowed by Access-Control-Allow-Headers in preflight response.",
                default,
            ),
            Case::new(app, "PROPFIND", "/api/items").blocked(
                "Method PROPFIND is not allowed by Access-Control-Allow-Methods in preflight response.",
                default,
            ),
            Case::new(other, "GET", "/api/items").blocked(
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
                default,
            ),
            Case::new(other, "DELETE", "/api/items").blocked(
                "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
                default,
            ),
            Case::new(other, "GET", "/public/feed").allowed(public),
            Case::new(other, "GET", "/public/feed").credentials().blocked(
                "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
                public,
            ),
            Case::new(app, "POST", "/hooks/github")
                .bypassed("route 1 (path \"^/hooks/\") has enabled = false"),
            Case::new(app, "GET", "/static/app.js")
                .bypassed("outside urls_regex \"^/(api|public|hooks)/\""),
            // Same-origin: no CORS, whatever corsair does with the path.
            Case::new("https://api.example", "GET", "/static/app.js").allowed(default),
        ];
        for case in table {
            let shown = format!(
                "{} {} {} {:?}",
                case.origin, case.method, case.path, case.header
            );
            let mut builder =
                BrowserRequest::builder(case.origin, format!("https://api.example{}", case.path))
                    .method(case.method)
                    .credentials(case.credentials);
            if let Some((name, value)) = case.header {
                builder = builder.header(name, value);
            }
            match (policy.judge(builder.build().unwrap()), case.expected) {
                (
                    Judgement::Verdict {
                        verdict,
                        decided_by,
                    },
                    Expected::Verdict(reason, rules),
                ) => {
                    match (&verdict.outcome, reason) {
                        (Outcome::Allowed(_), None) => {}
                        (Outcome::Blocked(blocked), Some(reason)) => assert!(
                            blocked
                                .message
                                .ends_with(&format!("has been blocked by CORS policy: {reason}")),
                            "{shown}: {}",
                            blocked.message
                        ),
                        (outcome, _) => panic!("{shown}: {outcome:?}"),
                    }
                    assert_eq!(decided_by.as_deref(), Some(rules), "{shown}");
                }
                (Judgement::Bypassed { reason, .. }, Expected::Bypassed(why)) => {
                    assert!(reason.contains(why), "{shown}: {reason}");
                }
                (judgement, _) => panic!("{shown}: {judgement:?}"),
            }
        }
    }

    /// What a case expects: a verdict (Chromium's reason when blocked, and the rules that
    /// decided), or bypassed (and why).
    enum Expected {
        Verdict(Option<&'static str>, &'static str),
        Bypassed(&'static str),
    }

    /// One request of the table, built step by step.
    struct Case {
        origin: &'static str,
        method: &'static str,
        path: &'static str,
        header: Option<(&'static str, &'static str)>,
        credentials: Credentials,
        expected: Expected,
    }

    impl Case {
        fn new(origin: &'static str, method: &'static str, path: &'static str) -> Case {
            Case {
                origin,
                method,
                path,
                header: None,
                credentials: Credentials::SameOrigin,
                expected: Expected::Bypassed(""),
            }
        }
        fn header(mut self, name: &'static str, value: &'static str) -> Case {
            self.header = Some((name, value));
            self
        }
        fn credentials(mut self) -> Case {
            self.credentials = Credentials::Include;
            self
        }
        fn allowed(mut self, rules: &'static str) -> Case {
            self.expected = Expected::Verdict(None, rules);
            self
        }
        fn blocked(mut self, reason: &'static str, rules: &'static str) -> Case {
            self.expected = Expected::Verdict(Some(reason), rules);
            self
        }
        fn bypassed(mut self, why: &'static str) -> Case {
            self.expected = Expected::Bypassed(why);
            self
        }
    }

    #[test]
    fn a_disabled_policy_bypasses_everything() {
        let policy = policy("[cors]\nenabled = false\n");
        let request = BrowserRequest::builder("https://app.example", "https://api.example/x")
            .build()
            .unwrap();
        let Judgement::Bypassed { reason, .. } = policy.judge(request) else {
            panic!("not bypassed");
        };
        assert!(
            reason.starts_with("the policy has enabled = false"),
            "{reason}"
        );
    }
}
