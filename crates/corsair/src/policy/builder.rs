//! [`CorsBuilder`]: the one way to a [`Cors`]. Code, a [`CorsConfig`] (from a file) and the
//! environment compose: start from a config or the environment, override in code, add an origin
//! hook, build.
//!
//! Longer than the crate's other files on purpose: it is one setter per setting, each with its
//! doc example (more than half of the lines are documentation); the logic is `build`, at the end.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::config::{ConfigError, Finding};
use crate::config::{CorsConfig, RouteConfig, Setting, SettingValue};
use crate::hook::{HookRequest, OriginHook};
use crate::observation::{Observer, SharedObserver};
use crate::origin_set::OriginSet;
use crate::respond;
use crate::validate;

use super::Cors;
use crate::compiled::{RuntimeOrigins, compile};

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
    /// The settings given through the builder's own methods, in order: what a builder used as a
    /// route's overrides ([`CorsBuilder::route`]) names.
    named: Vec<Setting>,
    /// The origin hook of each route of `config.routes` that has its own.
    route_hooks: Vec<Option<OriginHook>>,
    /// Origins allowed at run time beside `allowed_origins`.
    origin_sets: Vec<OriginSet>,
    /// The origin sets of each route of `config.routes` that has its own.
    route_sets: Vec<Option<Vec<OriginSet>>>,
    /// Told what was decided about each request.
    observer: Option<SharedObserver>,
    /// A policy decided beside this one and never enforced.
    candidate: Option<Box<CorsBuilder>>,
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
            ..CorsBuilder::default()
        }
    }
}

impl fmt::Debug for CorsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsBuilder")
            .field("config", &self.config)
            .field("hook", &self.hook)
            .field("notes", &self.notes)
            .field("route_hooks", &self.route_hooks)
            .field("origin_sets", &self.origin_sets)
            .field("route_sets", &self.route_sets)
            .field("observer", &self.observer.is_some())
            .field("candidate", &self.candidate)
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

    /// Sets `setting` and remembers that the builder names it.
    fn record(mut self, setting: Setting, value: SettingValue) -> Self {
        // Every caller passes a value of the setting's own kind.
        let _ = self.config.set(setting, value);
        if !self.named.contains(&setting) {
            self.named.push(setting);
        }
        self
    }

    /// Sets any setting by its [`Setting`] name, the way a file or a flag does.
    ///
    /// # Errors
    ///
    /// [`WrongKind`](crate::WrongKind) when the value is not of the setting's kind.
    ///
    /// ```
    /// use corsair::{Cors, Setting, SettingValue};
    ///
    /// let cors = Cors::builder()
    ///     .set(Setting::AllowedOrigins, SettingValue::List(vec!["https://app.example".into()]))?
    ///     .set(Setting::PreflightMaxAge, SettingValue::Seconds(600))?
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(cors.config().preflight_max_age, 600);
    /// # Ok::<(), corsair::WrongKind>(())
    /// ```
    pub fn set(self, setting: Setting, value: SettingValue) -> Result<Self, crate::WrongKind> {
        if value.kind() != setting.kind() {
            return Err(crate::WrongKind(setting));
        }
        Ok(self.record(setting, value))
    }

    /// Turns CORS off (`false`): requests pass untouched, with the application's own CORS
    /// headers. Mostly useful on a route ([`CorsBuilder::route`]), e.g. for webhooks. Default:
    /// `true`.
    ///
    /// ```
    /// use corsair::{Cors, RequestKind};
    ///
    /// let cors = Cors::builder().enabled(false).build().unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://any.example".parse().unwrap());
    /// let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap();
    /// assert_eq!(decision.kind(), RequestKind::Bypass);
    /// ```
    pub fn enabled(self, enabled: bool) -> Self {
        self.record(Setting::Enabled, SettingValue::Bool(enabled))
    }

    /// Matches `urls_regex` and the routes' paths without regard to case (`true`), for
    /// upstreams that route that way: Express by default, ASP.NET, IIS. Default: `false`, and
    /// then a path whose CORS path or route depends on its case gets only what both readings
    /// grant, so `/ADMIN/users` never escapes a route `^/admin/` whatever the upstream does.
    ///
    /// ```
    /// use corsair::Cors;
    ///
    /// let admin_only = |insensitive: bool| {
    ///     Cors::builder()
    ///         .allowed_origins(["https://app.example"])
    ///         .case_insensitive_paths(insensitive)
    ///         .route("^/admin/", Cors::builder().allowed_origins(["https://admin.example"]))
    ///         .build()
    ///         .unwrap()
    /// };
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://admin.example".parse().unwrap());
    /// let path = "/ADMIN/users".parse().unwrap();
    /// // Read without regard to case, /ADMIN/users is the admin route's path.
    /// let decision = admin_only(true).evaluate(&http::Method::GET, &path, &headers).now().unwrap();
    /// assert!(decision.is_allowed());
    /// // Left `false`, the two readings disagree: only what both grant is granted.
    /// let decision = admin_only(false).evaluate(&http::Method::GET, &path, &headers).now().unwrap();
    /// assert!(!decision.is_allowed());
    /// ```
    pub fn case_insensitive_paths(self, case_insensitive: bool) -> Self {
        self.record(
            Setting::CaseInsensitivePaths,
            SettingValue::Bool(case_insensitive),
        )
    }

    /// A policy for the request paths that `path` matches (a regex matched from the start of
    /// the normalized path, like `urls_regex`), among the CORS paths: it inherits every
    /// setting, the origin hook and the origin sets from this policy, except those `overrides`
    /// names (the settings set through its own methods, its hook, its origin sets). A named
    /// list replaces the inherited one; a route that names `allowed_origins` or has origin sets
    /// of its own does not inherit this policy's sets. Routes are tried in the order given; the first whose path matches
    /// decides, so list the specific ones first. Giving the path of a route that exists (from
    /// a [`CorsConfig`]) adds `overrides` to it.
    ///
    /// Each route's policy is validated on its own with every rule; a finding names its route.
    /// No `Vary` value is needed for routes: the path is part of every cache's key already.
    ///
    /// ```
    /// use corsair::Cors;
    ///
    /// let cors = Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .allow_credentials(true)
    ///     .route("^/public/", Cors::builder().allow_all_origins(true).allow_credentials(false))
    ///     .route("^/partner/", Cors::builder().allowed_origins(["https://partner.example"]))
    ///     .route("^/webhooks/", Cors::builder().enabled(false))
    ///     .build()?;
    /// let allow_origin = |path: &str, origin: &str| {
    ///     let mut headers = http::HeaderMap::new();
    ///     headers.insert("origin", origin.parse().unwrap());
    ///     let decision = cors.evaluate(&http::Method::GET, &path.parse().unwrap(), &headers).now().unwrap();
    ///     decision.allow_origin().map(|v| v.to_str().unwrap().to_owned())
    /// };
    /// assert_eq!(allow_origin("/public/feed", "https://any.example").as_deref(), Some("*"));
    /// assert_eq!(allow_origin("/partner/x", "https://partner.example").as_deref(), Some("https://partner.example"));
    /// assert_eq!(allow_origin("/partner/x", "https://app.example"), None, "the list is replaced");
    /// assert_eq!(allow_origin("/api/me", "https://app.example").as_deref(), Some("https://app.example"));
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn route(mut self, path: impl Into<String>, overrides: CorsBuilder) -> Self {
        let path = path.into();
        let index = match self.config.routes.iter().position(|r| r.path == path) {
            Some(index) => index,
            None => {
                self.config.routes.push(RouteConfig::new(path));
                self.config.routes.len() - 1
            }
        };
        let route = &mut self.config.routes[index];
        for setting in overrides.named {
            let value = overrides.config.get(setting);
            route.settings.retain(|(named, _)| *named != setting);
            route.settings.push((setting, value));
        }
        self.route_hooks.resize(self.config.routes.len(), None);
        if overrides.hook.is_some() {
            self.route_hooks[index] = overrides.hook;
        }
        self.route_sets.resize(self.config.routes.len(), None);
        if !overrides.origin_sets.is_empty() {
            self.route_sets[index] = Some(overrides.origin_sets);
        }
        self
    }

    /// Also allows the origins of `set`, a set the program changes while it runs (tenant
    /// domains from a database, say): each request consults its current entries, with the same
    /// hash lookups as `allowed_origins`. Adds to any earlier set; a set counts as a way to
    /// allow origins, so `allowed_origins` may stay empty. See [`OriginSet`].
    ///
    /// ```
    /// use corsair::{Cors, OriginSet};
    ///
    /// let tenants = OriginSet::new();
    /// let cors = Cors::builder()
    ///     .allowed_origins_from(tenants.clone())
    ///     .allow_credentials(true)
    ///     .build()?;
    /// tenants.replace(["https://acme.example", "http://plain.example"]);
    /// let allowed = |origin: &str| {
    ///     let mut headers = http::HeaderMap::new();
    ///     headers.insert("origin", origin.parse().unwrap());
    ///     cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap().is_allowed()
    /// };
    /// assert!(allowed("https://acme.example"));
    /// assert!(!allowed("http://plain.example"), "refused with credentials, as in allowed_origins");
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn allowed_origins_from(mut self, set: OriginSet) -> Self {
        self.origin_sets.push(set);
        self
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
    pub fn allowed_origins<I>(self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.record(
            Setting::AllowedOrigins,
            SettingValue::List(strings(origins)),
        )
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
    pub fn allowed_origin_regexes<I>(self, regexes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.record(
            Setting::AllowedOriginRegexes,
            SettingValue::List(strings(regexes)),
        )
    }

    /// Allows every origin with `Access-Control-Allow-Origin: *`. Refused together with
    /// credentials.
    ///
    /// ```
    /// let cors = corsair::Cors::builder().allow_all_origins(true).build().unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_all_origins(self, allow: bool) -> Self {
        self.record(Setting::AllowAllOrigins, SettingValue::Bool(allow))
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
    pub fn urls_regex(self, regex: impl Into<String>) -> Self {
        self.record(Setting::UrlsRegex, SettingValue::Text(regex.into()))
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
    pub fn allow_methods<I>(self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.record(Setting::AllowMethods, SettingValue::List(strings(methods)))
    }

    /// The request headers sent in `Access-Control-Allow-Headers`. Default: accept,
    /// authorization, content-type, user-agent, x-csrftoken, x-requested-with. `*` is accepted
    /// without credentials; the Fetch standard does not let it cover `authorization` (browsers do
    /// today; Firefox can be set not to), so list that one next to it (`["*", "authorization"]`
    /// is sent as `*, authorization`).
    ///
    /// ```
    /// let cors = corsair::Cors::builder()
    ///     .allow_all_origins(true)
    ///     .allow_headers(["content-type", "x-api-key"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = cors;
    /// ```
    pub fn allow_headers<I>(self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.record(Setting::AllowHeaders, SettingValue::List(strings(headers)))
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
    pub fn expose_headers<I>(self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.record(Setting::ExposeHeaders, SettingValue::List(strings(headers)))
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
    pub fn preflight_max_age(self, seconds: u64) -> Self {
        self.record(Setting::PreflightMaxAge, SettingValue::Seconds(seconds))
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
    pub fn allow_credentials(self, allow: bool) -> Self {
        self.record(Setting::AllowCredentials, SettingValue::Bool(allow))
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
    pub fn allow_private_network(self, allow: bool) -> Self {
        self.record(Setting::AllowPrivateNetwork, SettingValue::Bool(allow))
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
    pub fn allow_insecure_origins_with_credentials(self, allow: bool) -> Self {
        self.record(
            Setting::AllowInsecureOriginsWithCredentials,
            SettingValue::Bool(allow),
        )
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

    /// A function told, once per request, what was decided: the kind of request, the outcome,
    /// why it was refused, the route (and what a [report-only](CorsBuilder::report_only)
    /// candidate would have decided instead). For metrics and logs; it adds nothing to
    /// requests when none is set, and no allocation when one is. Replaces any earlier one.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use corsair::{Cors, Observation};
    ///
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&seen);
    /// let cors = Cors::builder()
    ///     .allowed_origins(["https://app.example"])
    ///     .observer(move |o: &Observation<'_>| log.lock().unwrap().push(o.decided().to_string()))
    ///     .build()
    ///     .unwrap();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("origin", "https://app.example".parse().unwrap());
    /// headers.insert("access-control-request-method", "TRACE".parse().unwrap());
    /// let _ = cors.evaluate(&http::Method::OPTIONS, &"/".parse().unwrap(), &headers);
    /// assert_eq!(*seen.lock().unwrap(), ["preflight refused (method_not_allowed)"]);
    /// ```
    pub fn observer(mut self, observer: impl Observer) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// A candidate policy, decided beside this one on every request and never enforced: the
    /// [observer](CorsBuilder::observer) is told of each request it would decide differently
    /// (allowed instead of refused, another reason), while answers follow this policy. How to
    /// tighten a policy (from `allow_all_origins` to a list, say) without breaking a caller
    /// you forgot. The candidate is validated like any policy (its findings say
    /// `report_only`); its routes apply; an asynchronous origin hook of the candidate is not
    /// asked (its origins count as refused).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use corsair::{Cors, Observation};
    ///
    /// let would_break = Arc::new(AtomicUsize::new(0));
    /// let count = Arc::clone(&would_break);
    /// let cors = Cors::builder()
    ///     .allow_all_origins(true)
    ///     .report_only(Cors::builder().allowed_origins(["https://app.example"]))
    ///     .observer(move |o: &Observation<'_>| {
    ///         if o.candidate().is_some() {
    ///             count.fetch_add(1, Ordering::Relaxed);
    ///         }
    ///     })
    ///     .build()
    ///     .unwrap();
    /// for origin in ["https://app.example", "https://forgotten-partner.example"] {
    ///     let mut headers = http::HeaderMap::new();
    ///     headers.insert("origin", origin.parse().unwrap());
    ///     let decision = cors.evaluate(&http::Method::GET, &"/".parse().unwrap(), &headers).now().unwrap();
    ///     assert!(decision.is_allowed(), "answers follow the enforced policy");
    /// }
    /// assert_eq!(would_break.load(Ordering::Relaxed), 1);
    /// ```
    pub fn report_only(mut self, candidate: CorsBuilder) -> Self {
        self.candidate = Some(Box::new(candidate));
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
            named: _,
            mut route_hooks,
            origin_sets,
            mut route_sets,
            observer,
            candidate,
        } = self;
        // The candidate first: its findings are reported with the enforced policy's.
        let candidate = match candidate.map(|c| c.build()) {
            None => Ok(None),
            Some(Ok(cors)) => {
                notes.extend(cors.policy.warnings.iter().cloned().map(candidate_finding));
                Ok(Some(cors.policy))
            }
            Some(Err(error)) => Err(error.into_findings().into_iter().map(candidate_finding)),
        };
        route_hooks.resize(config.routes.len(), None);
        route_sets.resize(config.routes.len(), None);
        let runtime = RuntimeOrigins {
            hook,
            sets: origin_sets,
        };
        // Settle inheritance: a route has its own hook or the default's, its own sets, none if
        // it names its own allowed_origins, or the default's.
        let route_runtime: Vec<RuntimeOrigins> = config
            .routes
            .iter()
            .zip(route_hooks.into_iter().zip(route_sets))
            .map(|(route, (own_hook, own_sets))| RuntimeOrigins {
                hook: own_hook.or_else(|| runtime.hook.clone()),
                sets: own_sets.unwrap_or_else(|| {
                    if route.names(Setting::AllowedOrigins) {
                        Vec::new()
                    } else {
                        runtime.sets.clone()
                    }
                }),
            })
            .collect();
        let route_any: Vec<bool> = route_runtime.iter().map(RuntimeOrigins::any).collect();
        let validated = validate::validate_policy(&config, runtime.any(), &route_any);
        match (validated, candidate) {
            (Ok((default, routes, warnings)), Ok(candidate)) => {
                notes.extend(warnings);
                let mut policy = compile(config, default, routes, notes, runtime, route_runtime)?;
                policy.observer = observer;
                policy.candidate = candidate;
                policy.presets = respond::presets(&policy);
                Ok(Cors {
                    policy: Arc::new(policy),
                })
            }
            (validated, candidate) => {
                if let Err(error) = validated {
                    notes.extend(error.into_findings());
                }
                if let Err(findings) = candidate {
                    notes.extend(findings);
                }
                notes.sort_by_key(|f| std::cmp::Reverse(f.severity));
                Err(ConfigError::new(notes))
            }
        }
    }
}

/// A finding of the report-only candidate.
fn candidate_finding(mut finding: Finding) -> Finding {
    finding.report_only = true;
    finding
}
