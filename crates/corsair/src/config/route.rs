//! [`RouteConfig`]: one `[[cors.routes]]` entry, a path regex and the settings it changes.
//!
//! A route inherits every setting it does not name from the default policy (`[cors]`); a
//! setting it names replaces the inherited value (a list is replaced, never merged).

use crate::config::{CorsConfig, Setting, SettingValue, WrongKind};

/// One route: the paths it covers (`path`, a regex matched from the start of the normalized
/// path, like `urls_regex`) and the settings it names.
///
/// ```
/// use corsair::{CorsConfig, RouteConfig, Setting, SettingValue};
///
/// let mut config = CorsConfig::default();
/// config.allowed_origins = vec!["https://app.example".into()];
/// config.allow_credentials = true;
/// let public = RouteConfig::new("^/public/")
///     .with(Setting::AllowAllOrigins, SettingValue::Bool(true))?
///     .with(Setting::AllowCredentials, SettingValue::Bool(false))?;
/// let effective = public.effective(&config);
/// assert!(effective.allow_all_origins && !effective.allow_credentials);
/// assert_eq!(effective.allowed_origins, ["https://app.example"], "inherited");
/// assert!(public.names(Setting::AllowCredentials));
/// assert!(!public.names(Setting::AllowedOrigins));
/// # Ok::<(), corsair::WrongKind>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteConfig {
    /// The paths the route covers: a regex matched from the start of the request path (without
    /// the query), after the path is normalized as for `urls_regex`.
    pub path: String,
    /// The settings the route names, in the order written; each replaces the inherited value.
    pub settings: Vec<(Setting, SettingValue)>,
}

impl RouteConfig {
    /// A route for `path` that names no setting yet (it inherits everything).
    ///
    /// ```
    /// let route = corsair::RouteConfig::new("^/partner/");
    /// assert_eq!(route.path, "^/partner/");
    /// assert!(route.settings.is_empty());
    /// ```
    pub fn new(path: impl Into<String>) -> RouteConfig {
        RouteConfig {
            path: path.into(),
            settings: Vec::new(),
        }
    }

    /// The route naming `setting` (replacing an earlier value it gave).
    ///
    /// # Errors
    ///
    /// [`WrongKind`] when the value is not of the setting's kind.
    ///
    /// ```
    /// use corsair::{RouteConfig, Setting, SettingValue};
    ///
    /// let route = RouteConfig::new("^/webhooks/").with(Setting::Enabled, SettingValue::Bool(false))?;
    /// assert!(route.names(Setting::Enabled));
    /// assert!(RouteConfig::new("^/x/").with(Setting::Enabled, SettingValue::Seconds(1)).is_err());
    /// # Ok::<(), corsair::WrongKind>(())
    /// ```
    pub fn with(mut self, setting: Setting, value: SettingValue) -> Result<RouteConfig, WrongKind> {
        if value.kind() != setting.kind() {
            return Err(WrongKind(setting));
        }
        self.settings.retain(|(named, _)| *named != setting);
        self.settings.push((setting, value));
        Ok(self)
    }

    /// Whether the route names `setting` (else it inherits it).
    ///
    /// ```
    /// # use corsair::{RouteConfig, Setting};
    /// assert!(!RouteConfig::new("^/x/").names(Setting::AllowCredentials));
    /// ```
    pub fn names(&self, setting: Setting) -> bool {
        self.settings.iter().any(|(named, _)| *named == setting)
    }

    /// The route's whole policy: `base` (the default policy) with the named settings replaced.
    /// The result has no routes of its own.
    ///
    /// ```
    /// use corsair::{CorsConfig, RouteConfig, Setting, SettingValue};
    ///
    /// let mut base = CorsConfig::default();
    /// base.allowed_origins = vec!["https://app.example".into()];
    /// let partner = RouteConfig::new("^/partner/")
    ///     .with(Setting::AllowedOrigins, SettingValue::List(vec!["https://partner.example".into()]))?;
    /// assert_eq!(partner.effective(&base).allowed_origins, ["https://partner.example"]);
    /// # Ok::<(), corsair::WrongKind>(())
    /// ```
    pub fn effective(&self, base: &CorsConfig) -> CorsConfig {
        let mut config = base.settings_only();
        for (setting, value) in &self.settings {
            // Each value was checked against its setting's kind when it was named.
            let _ = config.set(*setting, value.clone());
        }
        config
    }
}
