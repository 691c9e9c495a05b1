//! corsair's configuration, from four layers (lowest to highest precedence): built-in defaults,
//! a TOML file, environment variables, command-line flags. Each layer is read by its own module
//! ([`file`](mod@file), [`env`](mod@env), [`flags`]) and applied over the ones below it; every
//! value remembers its layer, so that every problem is reported with the file line, variable or
//! flag to edit.
//!
//! `corsair serve` and `corsair lint` both load their configuration here. The policy is built
//! ([`policy`]) with the report-only candidate of `[report_only]` (from the file only), and, for
//! `serve`, with the observer that feeds its metrics.

mod admin;
mod diagnostic;
mod env;
mod file;
mod flags;
pub(crate) mod origins_source;
mod policy;
mod regular_file;
mod server;
mod source;
mod userinfo;

use std::path::PathBuf;
use std::sync::Arc;

use corsair::{Cors, CorsConfig, Observer};
pub(crate) use origins_source::OriginSets;
use origins_source::OriginsSource;

pub(crate) use admin::AdminSettings;
pub(crate) use corsair::tally;
pub(crate) use diagnostic::{Diagnostic, render_all};
pub(crate) use env::process_environment;
pub(crate) use flags::Flags;
pub(crate) use regular_file::read_regular_bytes;
pub(crate) use server::{AllowedHosts, ServerSettings, Upstream};
use server::{Key, Raw};
pub(crate) use source::{Provenance, Source};

/// The file read when none is named and it exists in the working directory.
pub(crate) const DEFAULT_CONFIG_FILE: &str = "corsair.toml";

/// Which configuration file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConfigFile {
    /// This file, which must exist.
    Named(PathBuf),
    /// `corsair.toml` in the working directory, if there is one.
    DefaultIfPresent,
    /// No file.
    Ignored,
}

/// What to load: the file, the environment, and the flags.
#[derive(Debug, Clone)]
pub(crate) struct Layers {
    /// The file layer.
    pub file: ConfigFile,
    /// The environment's variables (all of them; only corsair's are read), or `None` to ignore
    /// the environment.
    pub env: Option<Vec<(String, String)>>,
    /// The command-line flags (none for `check` and `lint`).
    pub flags: Flags,
}

/// A configuration that builds: the policy, the server settings, and the warnings.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// The configuration file read, if any.
    pub file: Option<PathBuf>,
    /// The proxy's settings.
    pub server: ServerSettings,
    /// The admin listener's settings.
    pub admin: AdminSettings,
    /// The compiled CORS policy, with its report-only candidate and observer, if any.
    pub cors: Cors,
    /// The report-only candidate's configuration (`[report_only]`), if the file has one.
    pub report_only: Option<CorsConfig>,
    /// Where each CORS setting came from (the candidate's included).
    pub provenance: Provenance,
    /// Where each `[server]` key that is not at its default came from (file line or flag).
    pub server_sources: Vec<(&'static str, Source)>,
    /// Where each `[admin]` key that is set came from (file line or flag).
    pub admin_sources: Vec<(&'static str, Source)>,
    /// Non-fatal problems (engine warnings, deprecated variable names), each with its source.
    pub warnings: Vec<Diagnostic>,
    /// The origins sources (`[cors.origins_source]`, then the routes'), complete.
    pub origins_sources: Vec<OriginsSource>,
    /// The set each source fills, which the policy consults.
    pub origin_sets: OriginSets,
}

/// What the layers set, gathered before the policy is built: each layer applies its values
/// over the lower ones.
#[derive(Debug, Default)]
struct Gathered {
    /// The configuration file read, if any.
    file: Option<PathBuf>,
    cors: CorsConfig,
    provenance: Provenance,
    server: ServerSettings,
    server_sources: Vec<(&'static str, Source)>,
    admin: AdminSettings,
    admin_sources: Vec<(&'static str, Source)>,
    /// `[report_only]`, when the file has it (its sources are in `provenance`).
    report_only: Option<CorsConfig>,
    /// The origins source tables, as read.
    origins_sources: origins_source::Tables,
    /// The URL that replaces `[cors.origins_source]`'s, from the environment.
    origins_url: Option<String>,
}

impl Gathered {
    /// Sets `[server]` key `key` from `raw`, which `source` gave, and records the source; or
    /// pushes the problem.
    fn set_server(
        &mut self,
        key: &Key,
        raw: &Raw<'_>,
        source: Source,
        problems: &mut Vec<Diagnostic>,
    ) {
        match key.apply(raw, &source, &mut self.server) {
            Ok(()) => self.server_sources.push((key.name, source)),
            Err(problem) => problems.push(*problem),
        }
    }
}

/// A configuration that does not build: every problem, errors and warnings.
pub(crate) type Problems = Vec<Diagnostic>;

/// Loads every layer and builds the policy.
///
/// Problems that leave a value unread (syntax, wrong types) are reported without building the
/// policy, since the engine would judge a configuration the user did not write; otherwise the
/// engine's findings are reported with the file's and the environment's.
pub(crate) fn load(layers: &Layers) -> Result<Loaded, Problems> {
    load_observed(layers, None, &OriginSets::default())
}

/// The observer of the policies a process loads, and whether it reads every decision.
pub(crate) struct Observing {
    /// Told of each decision of a policy that gets it, and of each request the report-only
    /// candidate would decide differently.
    pub(crate) observer: Arc<dyn Observer>,
    /// Whether every decision is read (an admin listener serves the metrics): `Some` once the
    /// process runs; `None` at start, when the configuration being loaded says (`[admin]
    /// listen`).
    pub(crate) every_decision: Option<bool>,
}

impl Observing {
    /// Whether a policy gets the observer: when its decisions are read, or when it has a
    /// report-only candidate whose differences are. A policy without an observer decides
    /// without what only an observer needs (what a preflight asks for is then not checked
    /// while deciding: about a thousand instructions per preflight).
    fn installed(&self, admin: &AdminSettings, report_only: bool) -> bool {
        self.every_decision.unwrap_or(admin.listen.is_some()) || report_only
    }
}

/// [`load`], with an observer (installed where its answers are read, see [`Observing`]), and
/// the origin sets its sources fill (those of earlier loads, to keep them).
pub(crate) fn load_observed(
    layers: &Layers,
    observing: Option<&Observing>,
    origin_sets: &OriginSets,
) -> Result<Loaded, Problems> {
    let mut problems = Vec::new();
    let mut values = Gathered::default();
    file::apply_file(&layers.file, &mut values, &mut problems);
    if let Some(env) = &layers.env {
        env::apply(env, &mut values, &mut problems);
    }
    layers.flags.apply(&mut values, &mut problems);
    // What needs every layer: the sources (the file's tables, the environment's URL), and the
    // keys that are only valid together.
    let origins_sources = std::mem::take(&mut values.origins_sources)
        .resolve(values.origins_url.as_deref(), &mut problems);
    problems.extend(conflicts(&values));
    if problems.iter().any(hides_values) {
        return Err(problems);
    }
    let observer = observing
        .filter(|o| o.installed(&values.admin, values.report_only.is_some()))
        .map(|o| Arc::clone(&o.observer));
    policy::build(values, origins_sources, problems, observer, origin_sets)
}

/// The source of `[server]` (or `[admin]`) key `key`: the last layer that set it, else the
/// default.
pub(crate) fn server_source(sources: &[(&'static str, Source)], key: &str) -> Source {
    sources
        .iter()
        .rev()
        .find(|(k, _)| *k == key)
        .map_or(Source::Default, |(_, source)| source.clone())
}

/// Keys that are valid alone but not together: half a TLS pair, an admin listener on the
/// proxy's address; and the guard that refuses origins without the list of hosts.
fn conflicts(values: &Gathered) -> Vec<Diagnostic> {
    let mut problems: Vec<Diagnostic> = tls_pair_problem(&values.server, &values.server_sources)
        .into_iter()
        .chain(origins_guard_without_hosts(
            &values.server,
            &values.server_sources,
        ))
        .collect();
    if let Some(listen) = values.admin.listen {
        if admin::shares_address(values.server.listen, listen) {
            problems.push(admin::shared_address_problem(
                values.server.listen,
                server_source(&values.server_sources, "listen"),
                listen,
                server_source(&values.admin_sources, "listen"),
            ));
        }
    }
    problems
}

/// `tls_cert` without `tls_key`, or the other way round: corsair needs both to speak HTTPS.
fn tls_pair_problem(
    server: &ServerSettings,
    sources: &[(&'static str, Source)],
) -> Option<Diagnostic> {
    let (given, missing, missing_flag, path) = match (&server.tls_cert, &server.tls_key) {
        (Some(cert), None) => ("tls_cert", "tls_key", "--tls-key", cert),
        (None, Some(key)) => ("tls_key", "tls_cert", "--tls-cert", key),
        _ => return None,
    };
    Some(Diagnostic::error(
        "tls-pair-incomplete",
        format!("server.{given}"),
        server_source(sources, given),
        Some(path.display().to_string()),
        format!(
            "{given} is set but {missing} is not: HTTPS needs the certificate chain and its \
             private key together"
        ),
        format!(
            "set `{missing}` (or {missing_flag}) to its PEM file, or remove `{given}` to serve \
             plain http"
        ),
    ))
}

/// `refuse_disallowed_origins` without `allowed_hosts`: a request whose `Origin` is its own
/// `Host` passes as same-origin, and a page whose name was rebound to this server's address
/// sends exactly that.
fn origins_guard_without_hosts(
    server: &ServerSettings,
    sources: &[(&'static str, Source)],
) -> Option<Diagnostic> {
    if !server.refuse_disallowed_origins || server.allowed_hosts.is_set() {
        return None;
    }
    Some(Diagnostic::warning(
        "origins-guard-without-hosts",
        "cors.refuse_disallowed_origins",
        server_source(sources, "refuse_disallowed_origins"),
        Some("true".to_owned()),
        "refuse_disallowed_origins does not stop DNS rebinding alone: a page whose name was \
         rebound to this server's address sends its own name in Origin and in Host, and passes \
         as a same-origin request",
        "list the names clients use in [server] allowed_hosts, e.g. \
         `allowed_hosts = [\"localhost:8300\", \"127.0.0.1:8300\"]`",
    ))
}

/// Whether a problem left a CORS value unread, so that the engine would judge a configuration
/// the user did not write (an unknown key only omits a value, which the engine may judge).
fn hides_values(problem: &Diagnostic) -> bool {
    matches!(
        problem.id,
        "invalid-toml" | "config-file-unreadable" | "invalid-type" | "invalid-env-value"
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use corsair::{Observation, Setting};

    use super::flags::{CorsFlags, ServerFlags};
    use super::*;

    fn layers(file: Option<&Path>, env: &[(&str, &str)], flags: CorsFlags) -> Layers {
        Layers {
            file: file.map_or(ConfigFile::Ignored, |p| ConfigFile::Named(p.to_owned())),
            env: Some(
                env.iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            ),
            flags: Flags {
                cors: Box::new(flags),
                ..Flags::default()
            },
        }
    }

    /// `layers` with these `[server]` flags and `--admin-listen`.
    fn with_flags(
        mut layers: Layers,
        server: &[(&str, &str)],
        admin_listen: Option<std::net::SocketAddr>,
    ) -> Layers {
        layers.flags.server = ServerFlags::given(server.iter().copied());
        layers.flags.admin_listen = admin_listen;
        layers
    }

    fn temp_file(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("corsair-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn flags_beat_the_environment_which_beats_the_file() {
        let path = temp_file(
            "precedence.toml",
            "[cors]\nallowed_origins = [\"https://file.example\"]\npreflight_max_age = 60\nallow_methods = [\"GET\"]\n",
        );
        let env = [
            ("CORS_ALLOWED_ORIGINS", "https://env.example"),
            ("CORS_PREFLIGHT_MAX_AGE", "120"),
        ];
        let flags = CorsFlags::given([(
            Setting::AllowedOrigins,
            corsair::SettingValue::List(vec!["https://flag.example".into()]),
        )]);
        let loaded = load(&layers(Some(&path), &env, flags)).unwrap();
        let config = loaded.cors.config();
        assert_eq!(config.allowed_origins, ["https://flag.example"]);
        assert_eq!(config.preflight_max_age, 120);
        assert_eq!(config.allow_methods, ["GET"]);
        let sources: Vec<String> = [
            Setting::AllowedOrigins,
            Setting::PreflightMaxAge,
            Setting::AllowMethods,
        ]
        .map(|s| loaded.provenance.of(s).to_string())
        .to_vec();
        assert_eq!(
            sources,
            [
                "command-line flag --allow-origin".to_owned(),
                "environment variable CORS_PREFLIGHT_MAX_AGE".to_owned(),
                format!("{}:4", path.display()),
            ]
        );
    }

    #[test]
    fn environment_variables_override_cors_and_routes_inherit_them() {
        let path = temp_file(
            "routes.toml",
            concat!(
                "[cors]\nallowed_origins = [\"https://file.example\"]\nexpose_headers = [\"x-a\"]\n",
                "[[cors.routes]]\npath = \"^/partner/\"\nallowed_origins = [\"https://partner.example\"]\n",
            ),
        );
        let loaded = load(&layers(
            Some(&path),
            &[("CORS_EXPOSE_HEADERS", "x-from-env")],
            CorsFlags::default(),
        ))
        .unwrap();
        let route = loaded.cors.routes().next().unwrap().config();
        assert_eq!(
            route.expose_headers,
            ["x-from-env"],
            "inherited from the overridden [cors]"
        );
        assert_eq!(
            route.allowed_origins,
            ["https://partner.example"],
            "named by the route"
        );
        assert_eq!(loaded.cors.config().expose_headers, ["x-from-env"]);
    }

    #[test]
    fn engine_errors_name_the_layer_that_set_the_value() {
        let path = temp_file(
            "errors.toml",
            "[cors]\nallowed_origins = [\n  \"https://ok.example\",\n  \"https://bad.example/\",\n]\n",
        );
        let problems = load(&layers(
            Some(&path),
            &[
                ("CORS_ALLOW_ALL_ORIGINS", "true"),
                ("CORS_ALLOW_CREDENTIALS", "1"),
            ],
            CorsFlags::default(),
        ))
        .unwrap_err();
        let origin = problems.iter().find(|d| d.id == "origin-has-path").unwrap();
        assert_eq!(origin.source.to_string(), format!("{}:4", path.display()));
        let combo = problems
            .iter()
            .find(|d| d.id == "credentials-with-allow-all")
            .unwrap();
        assert_eq!(combo.source, Source::Env("CORS_ALLOW_ALL_ORIGINS".into()));
    }

    #[test]
    fn environment_problems_name_their_variable() {
        let problems = load(&layers(
            None,
            &[
                ("CORS_ALLOW_CREDENTIALS", "yes"),
                ("CORS_ALLOWED_ORIGINS", "http://localhost:8080"),
            ],
            CorsFlags::default(),
        ))
        .unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(
            problems[0].source,
            Source::Env("CORS_ALLOW_CREDENTIALS".into())
        );

        let loaded = load(&layers(
            None,
            &[("CORS_ORIGIN_WHITELIST", "http://localhost:8080")],
            CorsFlags::default(),
        ))
        .unwrap();
        assert_eq!(loaded.warnings[0].id, "deprecated-setting-name");
        assert_eq!(
            loaded.warnings[0].source,
            Source::Env("CORS_ORIGIN_WHITELIST".into())
        );
    }

    #[test]
    fn https_needs_the_certificate_and_the_key_together() {
        let path = temp_file(
            "tls.toml",
            "[server]\ntls_cert = \"cert.pem\"\nupstream_http2 = true\n[cors]\nallowed_origins = [\"http://localhost:8080\"]\n",
        );
        let problems = load(&layers(Some(&path), &[], CorsFlags::default())).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].id, "tls-pair-incomplete");
        assert_eq!(problems[0].subject, "server.tls_cert");
        assert_eq!(
            problems[0].source.to_string(),
            format!("{}:2", path.display())
        );
        assert!(
            problems[0].fix.contains("`tls_key` (or --tls-key)"),
            "{problems:?}"
        );

        // A flag completes the pair.
        let flags = [("tls_key", "key.pem")];
        let with_key = |file: Option<&Path>, env: &[(&str, &str)]| {
            with_flags(layers(file, env, CorsFlags::default()), &flags, None)
        };
        let loaded = load(&with_key(Some(&path), &[])).unwrap();
        assert_eq!(
            loaded.server.tls_files(),
            Some((Path::new("cert.pem"), Path::new("key.pem")))
        );
        assert!(loaded.server.upstream_http2);
        assert_eq!(
            server_source(&loaded.server_sources, "tls_key"),
            Source::Flag("--tls-key")
        );
        assert_eq!(
            server_source(&loaded.server_sources, "tls_cert").to_string(),
            format!("{}:2", path.display())
        );

        // A flag alone is named as the source.
        let env = [("CORS_ALLOWED_ORIGINS", "http://localhost:8080")];
        let problems = load(&with_key(None, &env)).unwrap_err();
        assert_eq!(problems[0].subject, "server.tls_key");
        assert_eq!(problems[0].source, Source::Flag("--tls-key"));

        // Wrong types are refused with an example.
        let path = temp_file(
            "tls-types.toml",
            "[server]\ntls_cert = \"\"\ntls_key = 1\nupstream_http2 = \"yes\"\n",
        );
        let problems = load(&layers(Some(&path), &[], CorsFlags::default())).unwrap_err();
        let fixes: Vec<(&str, &str)> = problems
            .iter()
            .filter(|p| p.subject.starts_with("server."))
            .map(|p| (p.subject.as_str(), p.fix.as_str()))
            .collect();
        assert_eq!(
            fixes,
            [
                (
                    "server.tls_cert",
                    "write `tls_cert = \"/etc/corsair/fullchain.pem\"`"
                ),
                (
                    "server.tls_key",
                    "write `tls_key = \"/etc/corsair/privkey.pem\"`"
                ),
                ("server.upstream_http2", "write `upstream_http2 = true`"),
            ]
        );
    }

    #[test]
    fn the_report_only_candidate_is_built_and_its_findings_point_at_its_lines() {
        let path = temp_file(
            "report-only.toml",
            concat!(
                "[cors]\n",
                "allow_all_origins = true\n",
                "[report_only]\n",
                "allowed_origins = [\n",
                "  \"https://app.example\",\n",
                "  \"https://App.Example:443\",\n",
                "]\n",
                "allow_credentials = true\n",
            ),
        );
        let env = [("CORS_PREFLIGHT_MAX_AGE", "600")];
        let loaded = load(&layers(Some(&path), &env, CorsFlags::default())).unwrap();
        let candidate = loaded.report_only.as_ref().expect("the candidate is kept");
        assert_eq!(candidate.preflight_max_age, 86400, "CORS_* set [cors] only");
        assert_eq!(loaded.cors.config().preflight_max_age, 600);
        let warning = loaded
            .warnings
            .iter()
            .find(|d| d.subject == "report_only.allowed_origins")
            .unwrap_or_else(|| panic!("{:#?}", loaded.warnings));
        assert_eq!(warning.source.to_string(), format!("{}:6", path.display()));

        // An invalid candidate stops the configuration, like an invalid [cors].
        let path = temp_file(
            "report-only-invalid.toml",
            concat!(
                "[cors]\n",
                "allowed_origins = [\"https://app.example\"]\n",
                "[report_only]\n",
                "allow_all_origins = true\n",
                "allow_credentials = true\n",
            ),
        );
        let problems = load(&layers(Some(&path), &[], CorsFlags::default())).unwrap_err();
        let combo = problems
            .iter()
            .find(|d| d.id == "credentials-with-allow-all")
            .unwrap_or_else(|| panic!("{problems:#?}"));
        assert_eq!(combo.subject, "report_only.allow_all_origins");
        assert_eq!(combo.source.to_string(), format!("{}:4", path.display()));
        let (related, source) = &**combo.related.as_ref().unwrap();
        assert_eq!(related, "report_only.allow_credentials");
        assert_eq!(source.to_string(), format!("{}:5", path.display()));
    }

    #[test]
    fn the_admin_listener_never_shares_the_proxy_address() {
        let path = temp_file(
            "admin.toml",
            concat!(
                "[server]\n",
                "listen = \"127.0.0.1:8300\"\n",
                "[admin]\n",
                "listen = \"0.0.0.0:8300\"\n",
                "[cors]\n",
                "allowed_origins = [\"http://localhost:8080\"]\n",
            ),
        );
        let problems = load(&layers(Some(&path), &[], CorsFlags::default())).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].id, "admin-shares-proxy-address");
        assert_eq!(
            problems[0].source.to_string(),
            format!("{}:4", path.display())
        );
        let (setting, source) = &**problems[0].related.as_ref().unwrap();
        assert_eq!(setting, "server.listen");
        assert_eq!(source.to_string(), format!("{}:2", path.display()));

        // A flag moves it away; another flag brings it back, and is named.
        let admin_listen = Some("127.0.0.1:9300".parse().unwrap());
        let file = || layers(Some(&path), &[], CorsFlags::default());
        let loaded = load(&with_flags(file(), &[], admin_listen)).unwrap();
        assert_eq!(loaded.admin.listen, admin_listen);
        let on_proxy = with_flags(file(), &[("listen", "0.0.0.0:9300")], admin_listen);
        let problems = load(&on_proxy).unwrap_err();
        assert_eq!(problems[0].source, Source::Flag("--admin-listen"));
        assert_eq!(
            problems[0].related.as_deref().map(|r| &r.1),
            Some(&Source::Flag("--listen"))
        );
    }

    #[test]
    fn the_observer_is_told_of_every_decision() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let seen = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&seen);
        let observer: Arc<dyn Observer> = Arc::new(move |_: &Observation<'_>| {
            count.fetch_add(1, Ordering::Relaxed);
        });
        let env = [("CORS_ALLOWED_ORIGINS", "http://localhost:8080")];
        let observing = Observing {
            observer,
            every_decision: Some(true),
        };
        let loaded = load_observed(
            &layers(None, &env, CorsFlags::default()),
            Some(&observing),
            &OriginSets::default(),
        )
        .unwrap();
        let _ = loaded.cors.evaluate(
            &http::Method::GET,
            &"/".parse().unwrap(),
            &http::HeaderMap::new(),
        );
        assert_eq!(seen.load(Ordering::Relaxed), 1);
    }

    /// The observer is installed where its answers are read: an admin listener (running, or at
    /// start configured), or a report-only candidate; elsewhere the policy decides without it.
    #[test]
    fn the_observer_is_installed_only_where_its_answers_are_read() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cases = [
            // every decision read, [admin] listen in the file, [report_only] in the file
            (Some(true), false, false, true),
            (Some(false), false, false, false),
            (Some(false), true, false, false),
            (Some(false), false, true, true),
            (None, false, false, false),
            (None, true, false, true),
            (None, false, true, true),
        ];
        for (index, (every_decision, admin, report_only, told)) in cases.into_iter().enumerate() {
            let seen = Arc::new(AtomicUsize::new(0));
            let count = Arc::clone(&seen);
            let observing = Observing {
                observer: Arc::new(move |_: &Observation<'_>| {
                    count.fetch_add(1, Ordering::Relaxed);
                }),
                every_decision,
            };
            let mut text = "[cors]\nallowed_origins = [\"https://app.example\"]\n".to_owned();
            if admin {
                text.push_str("[admin]\nlisten = \"127.0.0.1:9901\"\n");
            }
            if report_only {
                text.push_str("[report_only]\nallowed_origins = [\"https://app.example\"]\n");
            }
            let path = temp_file(&format!("observing-{index}.toml"), &text);
            let loaded = load_observed(
                &layers(Some(&path), &[], CorsFlags::default()),
                Some(&observing),
                &OriginSets::default(),
            )
            .unwrap();
            let mut headers = http::HeaderMap::new();
            headers.insert("origin", "https://other.example".parse().unwrap());
            let _ = loaded
                .cors
                .evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers);
            let expected = usize::from(told);
            assert_eq!(seen.load(Ordering::Relaxed), expected, "case {index}");
        }
    }

    /// Finding N6: two routes reading the Redis keys `partners` and `admins`, their blocks
    /// swapped by a reload. Each route keeps consulting the set of the source it declares.
    #[test]
    fn a_routes_origin_set_follows_its_source_when_routes_are_swapped() {
        const PARTNER: &str = "https://partner.example.org";
        const ADMIN: &str = "https://admin.example.com";
        let file = |order: [(&str, &str); 2]| {
            let mut text = "[cors]\nallowed_origins = [\"https://app.example.com\"]\nallow_credentials = true\n".to_owned();
            for (path, key) in order {
                text.push_str(&format!(
                    "\n[[cors.routes]]\npath = \"{path}\"\nallowed_origins = []\n\n[cors.routes.origins_source]\nredis = \"redis://127.0.0.1:6379/0\"\nkey = \"{key}\"\n"
                ));
            }
            temp_file("swapped-routes.toml", &text)
        };
        let allows = |cors: &Cors, path: &str, origin: &str| {
            let mut headers = http::HeaderMap::new();
            headers.insert(http::header::ORIGIN, origin.parse().unwrap());
            cors.evaluate(&http::Method::GET, &path.parse().unwrap(), &headers)
                .now()
                .is_some_and(|d| d.origin() == corsair::OriginVerdict::Allowed)
        };
        let sets = OriginSets::default();
        let load_file = |path: &Path| {
            load_observed(&layers(Some(path), &[], CorsFlags::default()), None, &sets).unwrap()
        };
        let first = load_file(&file([("^/partner/", "partners"), ("^/admin/", "admins")]));
        // What the running sources fill, each its own set.
        for source in &first.origins_sources {
            let origin = match &source.store {
                origins_source::Store::Redis { key, .. } if key == "partners" => PARTNER,
                _ => ADMIN,
            };
            sets.get(&source.store).insert(origin).unwrap();
        }
        assert!(allows(&first.cors, "/partner/x", PARTNER));
        assert!(!allows(&first.cors, "/admin/x", PARTNER));
        let swapped = load_file(&file([("^/admin/", "admins"), ("^/partner/", "partners")]));
        assert!(
            !allows(&swapped.cors, "/admin/x", PARTNER),
            "partner tenants on /admin/"
        );
        assert!(!allows(&swapped.cors, "/partner/x", ADMIN));
        assert!(allows(&swapped.cors, "/admin/x", ADMIN));
        assert!(allows(&swapped.cors, "/partner/x", PARTNER));
    }

    #[test]
    fn a_named_file_that_does_not_exist_is_an_error() {
        let problems = load(&layers(
            Some(Path::new("/nonexistent/corsair.toml")),
            &[],
            CorsFlags::default(),
        ))
        .unwrap_err();
        assert_eq!(problems[0].id, "config-file-unreadable");
        assert_eq!(problems[0].source, Source::Flag("--config"));
    }
}
