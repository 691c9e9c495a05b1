//! [`Cors`]: the compiled, immutable policy. [`CorsBuilder`] is the one way to make one (from
//! code, a [`CorsConfig`], the environment, or all three), and `compile` turns validated
//! settings into it.
//!
//! Invariants: every header value a policy sends is computed and validated when it is built,
//! once; a `Cors` is an `Arc`, so cloning it (per connection, per request) never allocates.

mod builder;
mod compile;

use std::fmt;
use std::sync::Arc;

use regex_automata::meta;

use crate::config::CorsConfig;
use crate::finding::Finding;
use crate::hook::OriginHook;
use crate::matcher::OriginMatcher;

pub use builder::CorsBuilder;
pub(crate) use compile::HeaderValues;

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

    /// Validates and compiles a [`CorsConfig`]: `CorsBuilder::from(config.clone()).build()`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`](crate::ConfigError) listing every problem found, each with its
    /// setting, value and fix.
    ///
    /// ```
    /// let mut config = corsair::CorsConfig::default();
    /// config.allowed_origins = vec!["http://localhost:8080".into()];
    /// let cors = corsair::Cors::from_config(&config)?;
    /// assert_eq!(cors.config().allowed_origins, ["http://localhost:8080"]);
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    pub fn from_config(config: &CorsConfig) -> Result<Cors, crate::ConfigError> {
        CorsBuilder::from(config.clone()).build()
    }

    /// Reads the `CORS_*` environment variables (django-cors-headers names) and builds the
    /// policy: `CorsBuilder::from_env()?.build()`. Deprecation warnings about the variables are
    /// part of [`Cors::warnings`].
    ///
    /// # Errors
    ///
    /// A [`ConfigError`](crate::ConfigError) when a variable cannot be read or the policy it
    /// describes is refused.
    ///
    /// ```no_run
    /// // CORS_ALLOWED_ORIGINS=https://app.example CORS_ALLOW_CREDENTIALS=true
    /// let cors = corsair::Cors::from_env()?;
    /// # let _ = cors;
    /// # Ok::<(), corsair::ConfigError>(())
    /// ```
    #[cfg(feature = "config")]
    pub fn from_env() -> Result<Cors, crate::ConfigError> {
        CorsBuilder::from_env()?.build()
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
