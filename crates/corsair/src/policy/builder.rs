//! [`CorsBuilder`]: the one way to a [`Cors`]. Code, a [`CorsConfig`] (from a file) and the
//! environment compose: start from a config or the environment, override in code, add an origin
//! hook, build.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::config::CorsConfig;
use crate::finding::{ConfigError, Finding};
use crate::hook::{HookRequest, OriginHook};
use crate::validate;

use super::Cors;
use crate::compiled::compile;

/// Builds a [`Cors`] policy, one method per setting.
///
/// List settings take any iterable of strings. [`build`](CorsBuilder::build) validates
/// everything at once and returns every problem found.
///
/// ```
/// use corsair::Cors;
///
/// let cors = Cors::builder()
///     .allowed_origins(["https://app.example"])
///     .allowed_origin_regexes([r"https://pr-\d+\.preview\.example"])
///     .allow_methods(["GET", "POST"])
///     .allow_headers(["content-type", "authorization"])
///     .expose_headers(["x-total-count"])
///     .preflight_max_age(600)
///     .allow_credentials(true)
///     .urls_regex("^/api/")
///     .build()?;
/// # let _ = cors;
/// # Ok::<(), corsair::ConfigError>(())
/// ```
#[derive(Clone, Default)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct CorsBuilder {
    config: CorsConfig,
    hook: Option<OriginHook>,
    /// Findings about how the settings were given (deprecated variable names), reported with
    /// the policy's own warnings.
    notes: Vec<Finding>,
}

impl From<CorsConfig> for CorsBuilder {
    /// Starts from a configuration (read from a file, say), to override in code or to give an
    /// origin hook.
    ///
    /// ```
    /// # #[cfg(feature = "config")] {
    /// use corsair::{CorsBuilder, CorsConfig};
    ///
    /// let config: CorsConfig = toml::from_str(r#"allowed_origins = ["https://app.example"]"#).unwrap();
    /// let cors = CorsBuilder::from(config)
    ///     .allow_origin_if_async(|req| {
    ///         let tenant = req.origin().ends_with(".tenants.example");
    ///         async move { tenant }
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(cors.config().allowed_origins, ["https://app.example"]);
    /// # }
    /// ```
    fn from(config: CorsConfig) -> Self {
        CorsBuilder {
            config,
            hook: None,
            notes: Vec::new(),
        }
    }
}

impl fmt::Debug for CorsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsBuilder")
            .field("config", &self.config)
            .field("hook", &self.hook)
            .field("notes", &self.notes)
            .finish()
    }
}

fn strings<I>(items: I) -> Vec<String>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

impl CorsBuilder {
    /// Starts from the defaults with the `CORS_*` environment variables of the process applied
    /// (django-cors-headers' names; see [`CorsBuilder::apply_env_vars`]).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming each variable that cannot be read.
    ///
    /// ```no_run
    /// // CORS_ALLOWED_ORIGINS=https://app.example
    /// let cors = corsair::CorsBuilder::from_env()?
    ///     .allow_origin_if(|req| req.origin().ends_with(".tenants.example"))
    ///     .build()?;
    /// # let _ = cors;
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    #[cfg(feature = "config")]
    pub fn from_env() -> Result<CorsBuilder, ConfigError> {
        CorsBuilder::default().apply_env_vars(std::env::vars())
    }

    /// Applies `CORS_*` variables over the builder's settings: the environment overrides a
    /// file, and code given after it overrides the environment. Deprecated names are accepted
    /// and reported with the built policy's [warnings](Cors::warnings).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming each variable that cannot be read.
    ///
    /// ```
    /// use corsair::{CorsBuilder, CorsConfig};
    ///
    /// let mut from_file = CorsConfig::default();
    /// from_file.allowed_origins = vec!["https://from-file.example".into()];
    /// let cors = CorsBuilder::from(from_file)
    ///     .apply_env_vars([("CORS_ORIGIN_ALLOW_ALL", "false"), ("CORS_PREFLIGHT_MAX_AGE", "600")])?
    ///     .build()?;
    /// assert_eq!(cors.config().preflight_max_age, 600);
    /// assert_eq!(cors.config().allowed_origins, ["https://from-file.example"]);
    /// assert_eq!(cors.warnings()[0].id, "deprecated-setting-name");
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    #[cfg(feature = "config")]
    pub fn apply_env_vars<K, V>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<CorsBuilder, ConfigError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let (warnings, _sources) = self.config.apply_env_vars(vars)?;
        self.notes.extend(warnings);
        Ok(self)
    }

    /// The settings so far.
    ///
    /// ```
    /// let builder = corsair::Cors::builder().allow_credentials(true);
    /// assert!(builder.config().allow_credentials);
    /// ```
    pub fn config(&self) -> &CorsConfig {
        &self.config
    }

    /// Exact origins (`https://app.example`, `http://localhost:8080`) and patterns:
    /// `https://*.example.com` (any subdomain, not `example.com` itself) and
    /// `http://localhost:*` (any port). Replaces any earlier list.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["https://app.example", "https://*.example.com", "http://localhost:*"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allowed_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.allowed_origins = strings(origins);
        self
    }

    /// Regexes (Rust `regex` syntax) matched against the **whole** origin, in its canonical lower
    /// case form: corsair anchors them, so `https://example\.com` does not allow
    /// `https://example.com.evil.net`.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origin_regexes([r"https://[a-z0-9-]+\.preview\.example"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allowed_origin_regexes<I>(mut self, regexes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.allowed_origin_regexes = strings(regexes);
        self
    }

    /// Allows every origin with `Access-Control-Allow-Origin: *`. Refused together with
    /// credentials.
    ///
    /// ```
    /// let cors = corsair::Cors::builder().allow_all_origins(true).build().unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_all_origins(mut self, allow: bool) -> Self {
        self.config.allow_all_origins = allow;
        self
    }

    /// CORS applies only to request paths (without the query) that this regex matches from their
    /// start; other requests pass through untouched. Default: every path.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_all_origins(true)
    ///     .urls_regex("^/api/")
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn urls_regex(mut self, regex: impl Into<String>) -> Self {
        self.config.urls_regex = regex.into();
        self
    }

    /// The methods sent in `Access-Control-Allow-Methods`. Default: DELETE, GET, OPTIONS, PATCH,
    /// POST, PUT. `*` is accepted without credentials.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_all_origins(true)
    ///     .allow_methods(["GET", "POST"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_methods<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.allow_methods = strings(methods);
        self
    }

    /// The request headers sent in `Access-Control-Allow-Headers`. Default: accept,
    /// authorization, content-type, user-agent, x-csrftoken, x-requested-with. `*` is accepted
    /// without credentials; browsers never let it cover `authorization`, so list that one next to
    /// it (`["*", "authorization"]` is sent as `*, authorization`).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_all_origins(true)
    ///     .allow_headers(["content-type", "x-api-key"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.allow_headers = strings(headers);
        self
    }

    /// Response headers scripts may read beyond the safelisted ones, sent in
    /// `Access-Control-Expose-Headers`. `*` is accepted without credentials.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_all_origins(true)
    ///     .expose_headers(["x-request-id", "x-total-count"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn expose_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.expose_headers = strings(headers);
        self
    }

    /// Seconds a browser may cache a preflight answer (`Access-Control-Max-Age`); 0 sends no
    /// header. Default 86400; above 86400 is refused, above 7200 (Chromium's cap) warned about.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_all_origins(true)
    ///     .preflight_max_age(7200)
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn preflight_max_age(mut self, seconds: u64) -> Self {
        self.config.preflight_max_age = seconds;
        self
    }

    /// Sends `Access-Control-Allow-Credentials: true`, so that pages may send cookies and read
    /// the answers. Tightens validation: no allow-all, no `*` lists, no `null`, no plain-`http`
    /// origins other than loopback, no subdomain patterns on public suffixes.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.config.allow_credentials = allow;
        self
    }

    /// Answers `Access-Control-Allow-Private-Network: true` to preflights from allowed origins
    /// that carry `Access-Control-Request-Private-Network: true`.
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .allow_private_network(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.config.allow_private_network = allow;
        self
    }

    /// Accepts plain-`http` origins other than loopback together with credentials (refused by
    /// default: anyone on the network path can impersonate such an origin).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["http://intranet.corp"])
    ///     .allow_credentials(true)
    ///     .allow_insecure_origins_with_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_insecure_origins_with_credentials(mut self, allow: bool) -> Self {
        self.config.allow_insecure_origins_with_credentials = allow;
        self
    }

    /// A function that may allow an origin the settings do not, per request (e.g. a per-tenant
    /// lookup). It is called at most once per request, only for CORS paths with a valid `Origin`
    /// that the settings do not allow. Replaces any earlier hook.
    ///
    /// ```
    /// use corsair::{Cors, HookRequest};
    ///
    /// let tenants = ["https://acme.example", "https://globex.example"];
    /// let cors = Cors::builder()
    ///     .allow_origin_if(move |req: &HookRequest<'_>| tenants.contains(&req.origin()))
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_origin_if<F>(mut self, hook: F) -> Self
    where
        F: Fn(&HookRequest<'_>) -> bool + Send + Sync + 'static,
    {
        self.hook = Some(OriginHook::Sync(Arc::new(hook)));
        self
    }

    /// The asynchronous form of [`allow_origin_if`](CorsBuilder::allow_origin_if): the function
    /// reads what it needs from the request and returns a future (e.g. a database query). The
    /// future cannot borrow the request: copy what it needs first.
    ///
    /// ```
    /// use corsair::{Cors, HookRequest};
    ///
    /// async fn tenant_exists(origin: String) -> bool {
    ///     origin.ends_with(".tenants.example")
    /// }
    ///
    /// let cors = Cors::builder()
    ///     .allow_origin_if_async(|req: &HookRequest<'_>| tenant_exists(req.origin().to_owned()))
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_origin_if_async<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(&HookRequest<'_>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        self.hook = Some(OriginHook::Async(Arc::new(move |request| {
            Box::pin(hook(request))
        })));
        self
    }

    /// Validates every setting and compiles the policy. On failure, the error lists every
    /// problem, each with its setting, value and fix.
    ///
    /// ```
    /// let err = corsair::Cors::builder()
    ///     .allow_all_origins(true)
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.findings()[0].id, "credentials-with-allow-all");
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] with every finding: the errors that stopped the build, then the
    /// warnings.
    pub fn build(self) -> Result<Cors, ConfigError> {
        let CorsBuilder {
            config,
            hook,
            mut notes,
        } = self;
        match validate::validate(&config, hook.is_some()) {
            Ok((validated, warnings)) => {
                notes.extend(warnings);
                let policy = compile(config, validated, notes, hook)?;
                Ok(Cors {
                    policy: Arc::new(policy),
                })
            }
            Err(error) => {
                notes.extend(error.into_findings());
                notes.sort_by_key(|f| std::cmp::Reverse(f.severity));
                Err(ConfigError::new(notes))
            }
        }
    }
}
