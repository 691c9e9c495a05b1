//! [`Cors`]: the compiled, immutable policy, and [`CorsBuilder`], the way to make one.
//!
//! Invariants: every header value a policy sends is computed and validated here, once; a `Cors`
//! is an `Arc`, so cloning it (per connection, per request) never allocates.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::HeaderValue;
use regex_automata::meta;

use crate::config::CorsConfig;
use crate::finding::{ConfigError, Finding};
use crate::hook::{HookFuture, HookRequest, OriginHook};
use crate::matcher::OriginMatcher;
use crate::validate::{self, Validated};

/// A CORS policy, validated and compiled. Cheap to clone; `Send + Sync`.
///
/// Build one with [`Cors::builder`] or [`Cors::from_config`]; apply it with the tower layer
/// (`Router::layer(cors)` in axum), or drive it yourself with [`Cors::evaluate`].
///
/// ```
/// use corsair::Cors;
///
/// let cors = Cors::builder()
///     .allowed_origins(["https://app.example", "http://localhost:*"])
///     .allow_credentials(true)
///     .expose_headers(["x-request-id"])
///     .build()?;
/// assert!(cors.warnings().is_empty());
/// # Ok::<(), corsair::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Cors {
    pub(crate) policy: Arc<Policy>,
}

/// The compiled state behind a [`Cors`].
pub(crate) struct Policy {
    pub(crate) config: CorsConfig,
    pub(crate) warnings: Vec<Finding>,
    pub(crate) matcher: OriginMatcher,
    pub(crate) allow_all_origins: bool,
    /// Anchored at the start; matched against the normalized path.
    pub(crate) urls_regex: Option<meta::Regex>,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    pub(crate) hook: Option<OriginHook>,
    pub(crate) allow_methods: Vec<String>,
    pub(crate) allow_headers: Vec<String>,
    pub(crate) expose_headers: Vec<String>,
    pub(crate) values: HeaderValues,
}

/// Every header value the policy sends, precomputed, in the header value type of a framework
/// (`http` 1's here; the actix adapter converts them once per worker).
pub(crate) struct HeaderValues<V = HeaderValue> {
    pub(crate) allow_methods: Option<V>,
    pub(crate) allow_headers: Option<V>,
    pub(crate) expose_headers: Option<V>,
    pub(crate) max_age: Option<V>,
    pub(crate) preflight_vary: V,
    pub(crate) vary_origin: V,
    pub(crate) wildcard: V,
    pub(crate) true_value: V,
}

impl HeaderValues {
    /// The same values in another header value type; `None` if one cannot be expressed in it.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn convert<W>(
        &self,
        into: impl Fn(&HeaderValue) -> Option<W>,
    ) -> Option<HeaderValues<W>> {
        let optional = |value: &Option<HeaderValue>| match value {
            Some(value) => into(value).map(Some),
            None => Some(None),
        };
        Some(HeaderValues {
            allow_methods: optional(&self.allow_methods)?,
            allow_headers: optional(&self.allow_headers)?,
            expose_headers: optional(&self.expose_headers)?,
            max_age: optional(&self.max_age)?,
            preflight_vary: into(&self.preflight_vary)?,
            vary_origin: into(&self.vary_origin)?,
            wildcard: into(&self.wildcard)?,
            true_value: into(&self.true_value)?,
        })
    }
}

impl Cors {
    /// Starts a policy from the defaults of django-cors-headers (which allow no origin: at least
    /// one of `allowed_origins`, `allowed_origin_regexes`, `allow_all_origins` or a hook is
    /// required).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn builder() -> CorsBuilder {
        CorsBuilder::default()
    }

    /// Validates and compiles a [`CorsConfig`].
    ///
    /// ```
    /// let config: corsair::CorsConfig =
    ///     toml::from_str(r#"allowed_origins = ["http://localhost:8080"]"#).unwrap();
    /// let cors = corsair::Cors::from_config(&config)?;
    /// # let _ = cors;
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn from_config(config: &CorsConfig) -> Result<Cors, ConfigError> {
        CorsBuilder {
            config: config.clone(),
            hook: None,
        }
        .build()
    }

    /// Reads the `CORS_*` environment variables (django-cors-headers names) and builds the
    /// policy; deprecation warnings about the variables are part of [`Cors::warnings`].
    ///
    /// ```no_run
    /// // CORS_ALLOWED_ORIGINS=https://app.example CORS_ALLOW_CREDENTIALS=true
    /// let cors = corsair::Cors::from_env()?;
    /// # let _ = cors;
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Cors, ConfigError> {
        let loaded = CorsConfig::from_env()?;
        let mut cors = Cors::from_config(&loaded.config).map_err(|e| {
            let mut findings = loaded.warnings.clone();
            findings.extend(e.into_findings());
            findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
            ConfigError::new(findings)
        })?;
        if !loaded.warnings.is_empty() {
            let policy = Arc::get_mut(&mut cors.policy).expect("freshly built policy");
            let mut warnings = loaded.warnings;
            warnings.append(&mut policy.warnings);
            policy.warnings = warnings;
        }
        Ok(cors)
    }

    /// The non-fatal findings of the configuration (uppercase origins normalised, a max-age
    /// above Chromium's cap, `null` allowed, ...).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allowed_origins(["https://App.Example"])
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(cors.warnings()[0].id, "origin-not-canonical");
    /// ```
    pub fn warnings(&self) -> &[Finding] {
        &self.policy.warnings
    }

    /// The configuration this policy was built from.
    ///
    /// ```
    /// let cors = corsair::Cors::builder().allow_all_origins(true).build().unwrap();
    /// assert!(cors.config().allow_all_origins);
    /// ```
    pub fn config(&self) -> &CorsConfig {
        &self.policy.config
    }
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("config", &self.policy.config)
            .field("hook", &self.policy.hook)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Cors {
    /// A one-line summary of the effective policy, for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.policy.config;
        if c.allow_all_origins {
            f.write_str("origins=*")?;
        } else {
            write!(f, "origins=[{}]", c.allowed_origins.join(", "))?;
            if !c.allowed_origin_regexes.is_empty() {
                write!(
                    f,
                    " origin_regexes=[{}]",
                    c.allowed_origin_regexes.join(", ")
                )?;
            }
        }
        if self.policy.hook.is_some() {
            f.write_str(" hook=yes")?;
        }
        write!(
            f,
            " credentials={} methods=[{}] headers=[{}]",
            c.allow_credentials,
            self.policy.allow_methods.join(", "),
            self.policy.allow_headers.join(", ")
        )?;
        if !self.policy.expose_headers.is_empty() {
            write!(f, " expose=[{}]", self.policy.expose_headers.join(", "))?;
        }
        write!(f, " max_age={}", c.preflight_max_age)?;
        if self.policy.urls_regex.is_some() {
            write!(f, " urls_regex={}", c.urls_regex)?;
        }
        if c.allow_private_network {
            f.write_str(" private_network=true")?;
        }
        Ok(())
    }
}

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
}

impl fmt::Debug for CorsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsBuilder")
            .field("config", &self.config)
            .field("hook", &self.hook)
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
    ///     .allow_origin_if(move |req: &HookRequest<'_>| tenants.contains(&req.origin))
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
    /// reads what it needs from the request and returns a future (e.g. a database query).
    ///
    /// ```
    /// use corsair::{Cors, HookRequest};
    ///
    /// async fn tenant_exists(origin: String) -> bool {
    ///     origin.ends_with(".tenants.example")
    /// }
    ///
    /// let cors = Cors::builder()
    ///     .allow_origin_if_async(|req: &HookRequest<'_>| {
    ///         Box::pin(tenant_exists(req.origin.to_owned()))
    ///     })
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_origin_if_async<F>(mut self, hook: F) -> Self
    where
        F: Fn(&HookRequest<'_>) -> HookFuture + Send + Sync + 'static,
    {
        self.hook = Some(OriginHook::Async(Arc::new(hook)));
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
    pub fn build(self) -> Result<Cors, ConfigError> {
        let (validated, warnings) = validate::validate(&self.config, self.hook.is_some())?;
        compile(self.config, validated, warnings, self.hook)
    }
}

/// A header value whose clones share one buffer (cloning it never allocates).
fn shared_value(text: &str) -> HeaderValue {
    let bytes = Bytes::from_owner(text.as_bytes().to_vec());
    HeaderValue::from_maybe_shared(bytes).expect("validated header value")
}

fn compile(
    config: CorsConfig,
    v: Validated,
    warnings: Vec<Finding>,
    hook: Option<OriginHook>,
) -> Result<Cors, ConfigError> {
    let matcher = OriginMatcher::new(&v.origins, &v.origin_regexes).map_err(|e| {
        // Each regex compiled on its own during validation; only the set's size limit remains.
        ConfigError::new(vec![Finding::error(
            "regex-set-too-large",
            crate::Setting::AllowedOriginRegexes,
            None,
            format!("the regexes together are too large to compile: {e}"),
            "use fewer or simpler regexes, or patterns such as `https://*.example.com`",
        )])
    })?;
    let join = |items: &[String]| (!items.is_empty()).then(|| shared_value(&items.join(", ")));
    let allow_headers = if v.allow_headers.iter().any(|h| h == "*") {
        // `*` never covers Authorization (Fetch standard): keep it listed when configured.
        let value = if v.allow_headers.iter().any(|h| h == "authorization") {
            "*, authorization"
        } else {
            "*"
        };
        Some(HeaderValue::from_static(value))
    } else {
        join(&v.allow_headers)
    };
    let preflight_vary = if v.allow_private_network {
        "origin, access-control-request-method, access-control-request-headers, access-control-request-private-network"
    } else {
        "origin, access-control-request-method, access-control-request-headers"
    };
    let values = HeaderValues {
        allow_methods: join(&v.allow_methods),
        allow_headers,
        expose_headers: join(&v.expose_headers),
        max_age: (v.preflight_max_age > 0).then(|| shared_value(&v.preflight_max_age.to_string())),
        preflight_vary: HeaderValue::from_static(preflight_vary),
        vary_origin: HeaderValue::from_static("origin"),
        wildcard: HeaderValue::from_static("*"),
        true_value: HeaderValue::from_static("true"),
    };
    Ok(Cors {
        policy: Arc::new(Policy {
            config,
            warnings,
            matcher,
            allow_all_origins: v.allow_all_origins,
            urls_regex: v.urls_regex,
            credentials: v.allow_credentials,
            private_network: v.allow_private_network,
            hook,
            allow_methods: v.allow_methods,
            allow_headers: v.allow_headers,
            expose_headers: v.expose_headers,
            values,
        }),
    })
}
